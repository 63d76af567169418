import LightTouchCore
import PostgresNIO

/// The class database's versioned schema, in its own PostgreSQL schema
/// `lighttouch`. Each migration runs once, in order, in one transaction, and
/// is never edited after release: a change is a new migration. A database
/// newer than this program is refused, unchanged.
///
/// Two group roles: `lighttouch_station` (each station's login is a member)
/// adds and updates only its own sessions, samples, events and live state,
/// reads none of anyone else's, and may add grades but read none;
/// `lighttouch_instructor` reads everything. Row-level security enforces it
/// on the server, whatever a client sends.
public enum ClassSchema {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var statements: [String]
    }

    public static let stationGroup = "lighttouch_station"
    public static let instructorGroup = "lighttouch_instructor"
    /// The LISTEN/NOTIFY channel for live state; a notification carries only the station's name.
    public static let liveChannel = "lighttouch_live"

    public static var current: Int { migrations.last?.version ?? 0 }

    public static let migrations: [Migration] = [
        Migration(
            version: 1, name: "sessions, samples, events, grades; roles and row-level security",
            statements: [
                """
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lighttouch_station') THEN
                        CREATE ROLE lighttouch_station NOLOGIN;
                    END IF;
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lighttouch_instructor') THEN
                        CREATE ROLE lighttouch_instructor NOLOGIN;
                    END IF;
                END $$
                """,
                "GRANT USAGE ON SCHEMA lighttouch TO lighttouch_station, lighttouch_instructor",
                "GRANT SELECT ON lighttouch.schema_version TO lighttouch_station, lighttouch_instructor",
                """
                CREATE TABLE lighttouch.member (
                    role name PRIMARY KEY,
                    kind text NOT NULL CHECK (kind IN ('station', 'instructor')),
                    added_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE lighttouch.session (
                    id bigserial PRIMARY KEY,
                    uuid uuid NOT NULL UNIQUE,                  -- the station's stable id for the session
                    station name NOT NULL DEFAULT current_user,
                    local_id bigint NOT NULL,                   -- its id in the station's own recordings
                    kind text NOT NULL,
                    student text,
                    examiner text,
                    started_at text NOT NULL,                   -- ISO 8601, UTC, as recorded
                    ended_at text,
                    status text NOT NULL,
                    stop_reason text,
                    recorded_s double precision NOT NULL DEFAULT 0,
                    samples bigint NOT NULL DEFAULT 0,
                    blocks bigint NOT NULL DEFAULT 0,
                    sensor text NOT NULL,
                    drill_name text,
                    protocol_name text,
                    results text,                               -- the results line the live run printed
                    setup jsonb NOT NULL,                       -- sensor, calibration and scoring options, drill, protocol
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX session_station ON lighttouch.session (station, local_id)",
                "CREATE INDEX session_student ON lighttouch.session (student, started_at)",
                """
                CREATE TABLE lighttouch.block (
                    session_uuid uuid NOT NULL REFERENCES lighttouch.session (uuid) ON DELETE CASCADE,
                    idx bigint NOT NULL,
                    station name NOT NULL DEFAULT current_user,
                    sequence bigint NOT NULL,
                    timestamp_us bigint NOT NULL,               -- unwrapped device time of the first sample
                    period_us double precision NOT NULL,
                    channels integer NOT NULL,
                    samples integer NOT NULL,                   -- per channel
                    saturated integer NOT NULL,
                    counts bytea NOT NULL,                      -- int32 LE, channel-major, as recorded
                    PRIMARY KEY (session_uuid, idx)
                )
                """,
                """
                CREATE TABLE lighttouch.event (
                    session_uuid uuid NOT NULL REFERENCES lighttouch.session (uuid) ON DELETE CASCADE,
                    idx bigint NOT NULL,
                    station name NOT NULL DEFAULT current_user,
                    block_idx bigint NOT NULL,
                    kind text NOT NULL,
                    time_s double precision,
                    trial integer,
                    value double precision,
                    detail text,
                    PRIMARY KEY (session_uuid, idx)
                )
                """,
                """
                CREATE TABLE lighttouch.grade (
                    id bigserial PRIMARY KEY,
                    session_uuid uuid NOT NULL REFERENCES lighttouch.session (uuid) ON DELETE CASCADE,
                    local_id bigint NOT NULL,                   -- its id in the station's gradebook
                    station name NOT NULL DEFAULT current_user,
                    student text NOT NULL,
                    examiner text,
                    graded_at text NOT NULL,
                    protocol_name text NOT NULL,
                    protocol_hash text NOT NULL,
                    score double precision,
                    passed boolean NOT NULL,
                    grade text,
                    criteria jsonb NOT NULL,
                    UNIQUE (session_uuid, local_id)
                )
                """,
                "CREATE INDEX grade_student ON lighttouch.grade (student, graded_at)",
                "GRANT SELECT, INSERT, UPDATE ON lighttouch.session TO lighttouch_station",
                "GRANT USAGE ON SEQUENCE lighttouch.session_id_seq, lighttouch.grade_id_seq TO lighttouch_station",
                "GRANT SELECT, INSERT ON lighttouch.block, lighttouch.event TO lighttouch_station",
                // Grades: added, never read back (ON CONFLICT DO NOTHING needs no SELECT).
                "GRANT INSERT ON lighttouch.grade TO lighttouch_station",
                "GRANT SELECT ON ALL TABLES IN SCHEMA lighttouch TO lighttouch_instructor",
                "ALTER TABLE lighttouch.session ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE lighttouch.block ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE lighttouch.event ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE lighttouch.grade ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE lighttouch.member ENABLE ROW LEVEL SECURITY",
                """
                CREATE POLICY station_own ON lighttouch.session TO lighttouch_station
                    USING (station = current_user) WITH CHECK (station = current_user)
                """,
                """
                CREATE POLICY station_own ON lighttouch.block TO lighttouch_station
                    USING (station = current_user) WITH CHECK (station = current_user)
                """,
                """
                CREATE POLICY station_own ON lighttouch.event TO lighttouch_station
                    USING (station = current_user) WITH CHECK (station = current_user)
                """,
                "CREATE POLICY station_adds ON lighttouch.grade FOR INSERT TO lighttouch_station WITH CHECK (station = current_user)",
                "CREATE POLICY instructor_reads ON lighttouch.session FOR SELECT TO lighttouch_instructor USING (true)",
                "CREATE POLICY instructor_reads ON lighttouch.block FOR SELECT TO lighttouch_instructor USING (true)",
                "CREATE POLICY instructor_reads ON lighttouch.event FOR SELECT TO lighttouch_instructor USING (true)",
                "CREATE POLICY instructor_reads ON lighttouch.grade FOR SELECT TO lighttouch_instructor USING (true)",
                "CREATE POLICY instructor_reads ON lighttouch.member FOR SELECT TO lighttouch_instructor USING (true)",
            ]),
        Migration(
            version: 2, name: "live state (LISTEN/NOTIFY)",
            statements: [
                """
                CREATE TABLE lighttouch.live (
                    station name PRIMARY KEY DEFAULT current_user,
                    state json NOT NULL,                        -- json, not jsonb: the keys stay in the order sent
                    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
                )
                """,
                // The notification carries only the name: LISTEN has no privileges, so
                // the state itself stays behind the table's row-level security.
                """
                CREATE FUNCTION lighttouch.notify_live() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('lighttouch_live', NEW.station);
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER live_changed AFTER INSERT OR UPDATE ON lighttouch.live
                    FOR EACH ROW EXECUTE FUNCTION lighttouch.notify_live()
                """,
                "GRANT SELECT, INSERT, UPDATE ON lighttouch.live TO lighttouch_station",
                "GRANT SELECT ON lighttouch.live TO lighttouch_instructor",
                "ALTER TABLE lighttouch.live ENABLE ROW LEVEL SECURITY",
                """
                CREATE POLICY station_own ON lighttouch.live TO lighttouch_station
                    USING (station = current_user) WITH CHECK (station = current_user)
                """,
                "CREATE POLICY instructor_reads ON lighttouch.live FOR SELECT TO lighttouch_instructor USING (true)",
            ]),
        // A row per 10-sample block cost about six times the raw counts (its header, the session's uuid, the
        // station's 64-byte name and an index entry each). From v3 a station sends each upload part (up to 200
        // blocks) as one row: the blocks' fields as arrays and their counts one after another. Blocks sent
        // before stay in lighttouch.block; lighttouch.blocks shows both as one block a row, counts included.
        Migration(
            version: 3, name: "samples packed a part to a row",
            statements: [
                """
                CREATE TABLE lighttouch.block_part (
                    session_uuid uuid NOT NULL REFERENCES lighttouch.session (uuid) ON DELETE CASCADE,
                    first_idx bigint NOT NULL,                  -- the part's first block's index in the session
                    station name NOT NULL DEFAULT current_user,
                    blocks integer NOT NULL,
                    samples bigint NOT NULL,                    -- per channel, over the part's blocks
                    sequence bigint[] NOT NULL,                 -- then a value per block, as in lighttouch.block
                    timestamp_us bigint[] NOT NULL,
                    period_us double precision[] NOT NULL,
                    channels integer[] NOT NULL,
                    block_samples integer[] NOT NULL,
                    saturated integer[] NOT NULL,
                    counts bytea NOT NULL,                      -- each block's int32 LE channel-major counts in turn
                    PRIMARY KEY (session_uuid, first_idx)
                )
                """,
                "GRANT SELECT, INSERT, UPDATE ON lighttouch.block_part TO lighttouch_station",
                "GRANT SELECT ON lighttouch.block_part TO lighttouch_instructor",
                "ALTER TABLE lighttouch.block_part ENABLE ROW LEVEL SECURITY",
                """
                CREATE POLICY station_own ON lighttouch.block_part TO lighttouch_station
                    USING (station = current_user) WITH CHECK (station = current_user)
                """,
                "CREATE POLICY instructor_reads ON lighttouch.block_part FOR SELECT TO lighttouch_instructor USING (true)",
                // The view reads with its owner's rights, past row-level security (security_invoker
                // needs PostgreSQL 15): so only instructors, who read every station's rows anyway, may use it.
                """
                CREATE VIEW lighttouch.blocks AS
                    SELECT session_uuid, idx, station, sequence, timestamp_us, period_us, channels, samples, saturated, counts
                    FROM lighttouch.block
                    UNION ALL
                    SELECT p.session_uuid, p.first_idx + b.n - 1, p.station, b.sequence, b.timestamp_us, b.period_us,
                        b.channels, b.samples, b.saturated,
                        substring(p.counts FROM 1 + 4 * (sum(b.channels * b.samples) OVER part - b.channels * b.samples)::int
                            FOR 4 * b.channels * b.samples)
                    FROM lighttouch.block_part p,
                        unnest(p.sequence, p.timestamp_us, p.period_us, p.channels, p.block_samples, p.saturated)
                            WITH ORDINALITY AS b (sequence, timestamp_us, period_us, channels, samples, saturated, n)
                    WINDOW part AS (PARTITION BY p.session_uuid, p.first_idx ORDER BY b.n)
                """,
                "GRANT SELECT ON lighttouch.blocks TO lighttouch_instructor",
            ]),
        // PostgreSQL serialises every notifying commit on one lock, held through the commit: thirty stations
        // notifying at each of their ten updates a second queued behind each other, and the live view saw
        // their state 300 ms late (docs/class.md). The view now reads the rows twenty times a second; a
        // notification says only what must show at once: a station that starts, or a new phase, trial,
        // student, drill or connection state.
        Migration(
            version: 4, name: "live state: notify on what must show at once, the rest is read",
            statements: [
                """
                CREATE OR REPLACE FUNCTION lighttouch.notify_live() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' OR (OLD.state->>'kind', OLD.state->>'phase', OLD.state->>'trial', OLD.state->>'student',
                            OLD.state->>'title', OLD.state->>'connected')
                        IS DISTINCT FROM (NEW.state->>'kind', NEW.state->>'phase', NEW.state->>'trial', NEW.state->>'student',
                            NEW.state->>'title', NEW.state->>'connected') THEN
                        PERFORM pg_notify('lighttouch_live', NEW.station);
                    END IF;
                    RETURN NULL;
                END $$
                """,
            ]),
        // An updated row leaves its old version behind until no transaction can still see it, and a class's
        // server always has something holding old versions for a while (an autovacuum's ANALYZE of the
        // samples, a starved upload, an instructor's report, a pg_dump): the 30-row live table grew 46,000
        // dead versions in 18 MB in eight minutes and every read walked them (docs/class.md). From v5 each
        // update is a new row of an append-only log, read newest-first through its primary key (station, id):
        // one index probe per station, whatever lies behind. Each station deletes its own older rows now and
        // then (`LivePublisher`), so old versions cost space until vacuumed, never time.
        //
        // ANALYZE of the samples read (and decompressed) each sampled row's counts and arrays, minutes of the
        // server's time for statistics nothing uses: those columns keep none.
        Migration(
            version: 5, name: "live state as a log read newest-first; no statistics on the samples' arrays",
            statements: [
                """
                CREATE TABLE lighttouch.live_log (
                    station name NOT NULL DEFAULT current_user,
                    id bigint GENERATED ALWAYS AS IDENTITY,
                    state json NOT NULL,                        -- json, not jsonb: the keys stay in the order sent
                    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                    PRIMARY KEY (station, id)
                )
                """,
                // The notification carries only the name, as before, and only when what must show at once
                // changed from the station's previous row (the row before it in the index: one probe).
                """
                CREATE FUNCTION lighttouch.notify_live_log() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    previous json;
                BEGIN
                    SELECT state INTO previous FROM lighttouch.live_log
                        WHERE station = NEW.station AND id < NEW.id ORDER BY id DESC LIMIT 1;
                    IF previous IS NULL OR (previous->>'kind', previous->>'phase', previous->>'trial', previous->>'student',
                            previous->>'title', previous->>'connected')
                        IS DISTINCT FROM (NEW.state->>'kind', NEW.state->>'phase', NEW.state->>'trial', NEW.state->>'student',
                            NEW.state->>'title', NEW.state->>'connected') THEN
                        PERFORM pg_notify('lighttouch_live', NEW.station);
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER live_log_added AFTER INSERT ON lighttouch.live_log
                    FOR EACH ROW EXECUTE FUNCTION lighttouch.notify_live_log()
                """,
                "GRANT SELECT, INSERT, DELETE ON lighttouch.live_log TO lighttouch_station",
                "GRANT SELECT ON lighttouch.live_log TO lighttouch_instructor",
                "ALTER TABLE lighttouch.live_log ENABLE ROW LEVEL SECURITY",
                """
                CREATE POLICY station_own ON lighttouch.live_log TO lighttouch_station
                    USING (station = current_user) WITH CHECK (station = current_user)
                """,
                "CREATE POLICY instructor_reads ON lighttouch.live_log FOR SELECT TO lighttouch_instructor USING (true)",
                "DROP TABLE lighttouch.live",
                "DROP FUNCTION lighttouch.notify_live()",
                """
                ALTER TABLE lighttouch.block_part
                    ALTER COLUMN counts SET STATISTICS 0, ALTER COLUMN sequence SET STATISTICS 0,
                    ALTER COLUMN timestamp_us SET STATISTICS 0, ALTER COLUMN period_us SET STATISTICS 0,
                    ALTER COLUMN channels SET STATISTICS 0, ALTER COLUMN block_samples SET STATISTICS 0,
                    ALTER COLUMN saturated SET STATISTICS 0
                """,
            ]),
    ]

    /// The schema version in the database; 0 when it has none yet.
    public static func installedVersion(_ db: ClassConnection) async throws(ClassError) -> Int {
        let exists = try await db.rows("SELECT to_regclass('lighttouch.schema_version') IS NOT NULL")
        guard let row = exists.first, (try? row.decode(Bool.self)) == true else { return 0 }
        let rows = try await db.rows("SELECT coalesce(max(version), 0) FROM lighttouch.schema_version")
        return (try? rows.first?.decode(Int.self)) ?? 0
    }

    /// Creates or migrates the schema up to `target` (default: the newest).
    /// Returns the versions applied. Migrations of one database are
    /// serialised by an advisory lock, so two `class init` cannot interleave.
    @discardableResult
    public static func migrate(_ db: ClassConnection, upTo target: Int = current) async throws(ClassError) -> [Migration] {
        try await db.transaction { db throws(ClassError) in
            try await db.run("SELECT pg_advisory_xact_lock(\(lockKey))")
            try await db.run("CREATE SCHEMA IF NOT EXISTS lighttouch")
            try await db.run(
                """
                CREATE TABLE IF NOT EXISTS lighttouch.schema_version (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let installed = try await installedVersion(db)
            if installed > current {
                throw ClassError.schema(
                    "the class database has schema version \(installed), newer than this LightTouch's \(current); update LightTouch")
            }
            var applied: [Migration] = []
            for migration in migrations where migration.version > installed && migration.version <= target {
                for statement in migration.statements { try await db.run(PostgresQuery(unsafeSQL: statement)) }
                try await db.run(
                    "INSERT INTO lighttouch.schema_version (version, name) VALUES (\(migration.version), \(migration.name))")
                applied.append(migration)
            }
            return applied
        }
    }

    /// The advisory lock key for migrations ("LTCH").
    static let lockKey: Int64 = 0x4C54_4348

    /// Checks that the database has exactly this program's schema.
    public static func check(_ db: ClassConnection) async throws(ClassError) {
        let installed: Int
        do {
            installed = try await installedVersion(db)
        } catch .server(let state, _) where state == "42501" {
            throw ClassError.schema("this login may not read the class schema; is it a station or instructor login of this class?")
        }
        if installed == 0 {
            throw ClassError.schema("the database \(db.endpoint) has no class yet; create it with `lighttouch class init URL`")
        }
        if installed < current {
            throw ClassError.schema(
                "the class database has schema version \(installed), older than this LightTouch's \(current); run `lighttouch class init URL` to migrate it")
        }
        if installed > current {
            throw ClassError.schema(
                "the class database has schema version \(installed), newer than this LightTouch's \(current); update LightTouch")
        }
    }

    /// Creates a login for a station or an instructor with a new random
    /// password and returns it. The name is sent as a parameter and quoted by
    /// the server (`format('%I')`); the password travels only as a SCRAM
    /// verifier, so neither appears in a statement's text.
    public static func addMember(_ db: ClassConnection, name: String, role: ClassCredentials.Role) async throws(ClassError) -> String {
        guard !name.isEmpty, name.utf8.count <= 63, !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw ClassError.badName(
                "a \(role.rawValue) name must be 1 to 63 bytes without control characters (got \(name.utf8.count) bytes)")
        }
        try await check(db)
        let password = ClassCredentials.newPassword()
        let verifier = SCRAMVerifier.make(password: password)
        let group = role == .station ? stationGroup : instructorGroup
        try await db.transaction { db throws(ClassError) in
            let exists = try await db.rows("SELECT 1 FROM pg_roles WHERE rolname = \(name)")
            if !exists.isEmpty {
                throw ClassError.badName(
                    "a login named `\(PrintableText.escaped(name))` already exists on the server; choose another name")
            }
            try await db.run(
                """
                SELECT set_config('lighttouch.new_role', \(name), true), set_config('lighttouch.new_verifier', \(verifier), true),
                    set_config('lighttouch.new_group', \(group), true)
                """)
            try await db.run(
                """
                DO $$ BEGIN
                    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I',
                        current_setting('lighttouch.new_role'), current_setting('lighttouch.new_verifier'),
                        current_setting('lighttouch.new_group'));
                    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), current_setting('lighttouch.new_role'));
                END $$
                """)
            try await db.run("INSERT INTO lighttouch.member (role, kind) VALUES (\(name), \(role.rawValue))")
        }
        return password
    }
}
