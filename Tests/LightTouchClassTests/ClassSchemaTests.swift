import Foundation
@testable import LightTouchClass
import LightTouchCore
import PostgresNIO
import Testing

/// Whether a test server is there (in CI it must be: the tests then fail without one).
enum TestServer {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["LIGHTTOUCH_TEST_PG"] != nil || environment["CI"] != nil
}

/// The class schema's migrations against a real PostgreSQL server
/// (scripts/with-postgres.sh sets LIGHTTOUCH_TEST_PG). One at a time: the
/// migrations create the cluster-wide station and instructor roles, and two
/// run at once on one cluster race on them (in CI one of three failed, and
/// its connection, released unclosed, tripped postgres-nio's assertion).
@Suite(.enabled(if: TestServer.enabled, "needs LIGHTTOUCH_TEST_PG: run under scripts/with-postgres.sh"), .serialized)
struct ClassSchemaTests {
    static let environment = TestServer.environment

    /// A new, empty database; returns the admin endpoint to it.
    static func newDatabase() async throws -> ClassEndpoint {
        let text = try #require(environment["LIGHTTOUCH_TEST_PG"], "run the tests under scripts/with-postgres.sh")
        let admin = try ClassEndpoint.parse(text, allowPassword: true)
        let name = "lt_schema_\(UUID().uuidString.prefix(8).lowercased())"
        try await withConnection(admin) { db in try await db.run(.init(unsafeSQL: "CREATE DATABASE \(name)")) }
        var endpoint = admin
        endpoint.database = name
        return endpoint
    }

    @Test func anOlderSchemaIsMigratedWithItsData() async throws {
        let endpoint = try await Self.newDatabase()
        try await withConnection(endpoint) { db in
            let first = try await ClassSchema.migrate(db, upTo: 1)
            #expect(first.map(\.version) == [1])
            #expect(try await ClassSchema.installedVersion(db) == 1)
            await #expect(throws: ClassError.self) { try await ClassSchema.check(db) }
            try await db.run(
                """
                INSERT INTO lighttouch.session (uuid, station, local_id, kind, started_at, status, sensor, setup)
                VALUES ('00000000-0000-0000-0000-000000000001', 'old-station', 1, 'practice', '2026-01-01T00:00:00Z', 'complete', 'LT-1', '{}')
                """)
            let second = try await ClassSchema.migrate(db)
            #expect(second.map(\.version) == [2, 3, 4, 5])
            #expect(try await ClassSchema.installedVersion(db) == ClassSchema.current)
            try await ClassSchema.check(db)
            let rows = try await db.rows("SELECT station::text FROM lighttouch.session")
            #expect(try rows.map { try $0.decode(String.self) } == ["old-station"])
            let live = try await db.rows(
                "SELECT to_regclass('lighttouch.live_log') IS NOT NULL, to_regclass('lighttouch.live') IS NULL")
            let (log, oldTableGone) = try #require(live.first).decode((Bool, Bool).self)
            #expect(log && oldTableGone)
            // A current schema: nothing to do.
            #expect(try await ClassSchema.migrate(db).isEmpty)
        }
    }

    /// Blocks sent before v3 (a row each) and a part sent after (one row,
    /// its blocks' counts one after another) read back through
    /// `lighttouch.blocks` as one block a row, in order, each block's counts
    /// cut out of the part by hand-counted offsets: 2 channels × 2 samples
    /// (16 bytes), 1 × 3 (12), 2 × 1 (8).
    @Test func packedPartsReadAsBlocksBesideTheRowsOfOlderVersions() async throws {
        let endpoint = try await Self.newDatabase()
        try await withConnection(endpoint) { db in
            try await ClassSchema.migrate(db, upTo: 2)
            let uuid = "00000000-0000-0000-0000-000000000002"
            try await db.run(
                """
                INSERT INTO lighttouch.session (uuid, station, local_id, kind, started_at, status, sensor, setup)
                VALUES (\(uuid)::uuid, 'old-station', 1, 'practice', '2026-01-01T00:00:00Z', 'complete', 'LT-1', '{}')
                """)
            func le(_ values: [Int32]) -> String { values.map { value in
                (0..<4).map { String(format: "%02x", UInt8(truncatingIfNeeded: value >> ($0 * 8))) }.joined() }.joined() }
            for idx in 0..<2 {
                try await db.run(
                    .init(unsafeSQL: """
                        INSERT INTO lighttouch.block (session_uuid, idx, station, sequence, timestamp_us, period_us, channels, samples,
                            saturated, counts)
                        VALUES ('\(uuid)', \(idx), 'old-station', \(idx), \(idx * 1000), 1000, 1, 1, 0, '\\x\(le([Int32(idx) - 7]))')
                        """))
            }
            #expect(try await ClassSchema.migrate(db).map(\.version) == [3, 4, 5])
            try await db.run(
                .init(unsafeSQL: """
                    INSERT INTO lighttouch.block_part (session_uuid, first_idx, station, blocks, samples, sequence, timestamp_us,
                        period_us, channels, block_samples, saturated, counts)
                    VALUES ('\(uuid)', 2, 'old-station', 3, 6, '{2,3,4}', '{2000,4000,7000}', '{1000,1000,1000}', '{2,1,2}', '{2,3,1}',
                        '{0,1,0}', '\\x\(le([10, 11, 12, 13]) + le([-20, 21, 22]) + le([30, 31]))')
                    """))
            let rows = try await db.rows(
                "SELECT idx, sequence, channels, samples, saturated, counts FROM lighttouch.blocks WHERE session_uuid = \(uuid)::uuid ORDER BY idx")
            var read: [(Int, Int, Int, Int, Int, [Int32])] = []
            for row in rows {
                let (idx, sequence, channels, samples, saturated, counts) = try row.decode((Int, Int, Int, Int, Int, ByteBuffer).self)
                var buffer = counts
                var values: [Int32] = []
                while let value = buffer.readInteger(endianness: .little, as: Int32.self) { values.append(value) }
                read.append((idx, sequence, channels, samples, saturated, values))
            }
            #expect(read.map(\.0) == [0, 1, 2, 3, 4])
            #expect(read.map(\.1) == [0, 1, 2, 3, 4])
            #expect(read.map(\.2) == [1, 1, 2, 1, 2] && read.map(\.3) == [1, 1, 2, 3, 1] && read.map(\.4) == [0, 0, 0, 1, 0])
            #expect(read.map(\.5) == [[-7], [-6], [10, 11, 12, 13], [-20, 21, 22], [30, 31]])
            let total = try await db.rows("SELECT sum(samples)::int FROM lighttouch.blocks")
            #expect(try total.first?.decode(Int.self) == 8)
        }
    }

    @Test func aNewerSchemaIsRefusedUnchanged() async throws {
        let endpoint = try await Self.newDatabase()
        try await withConnection(endpoint) { db in
            try await ClassSchema.migrate(db)
            try await db.run("INSERT INTO lighttouch.schema_version (version, name) VALUES (99, 'from the future')")
            await #expect(throws: ClassError.schema(
                "the class database has schema version 99, newer than this LightTouch's \(ClassSchema.current); update LightTouch")) {
                try await ClassSchema.migrate(db)
            }
            #expect(try await ClassSchema.installedVersion(db) == 99)
        }
    }

    @Test func aURLsPasswordIsNeverShown() throws {
        #expect(throws: ClassError.passwordOnCommandLine) {
            try ClassEndpoint.parse("postgresql://u:hunter2@h/d", allowPassword: false)
        }
        let endpoint = try ClassEndpoint.parse("postgresql://u%27x:hunter2@h:6543/d?sslmode=require", allowPassword: true)
        #expect(endpoint.user == "u'x")
        #expect(endpoint.password == "hunter2")
        #expect(endpoint.sslMode == .require)
        #expect(endpoint.url == "postgresql://u%27x@h:6543/d?sslmode=require")
        #expect(!endpoint.description.contains("hunter2"))
    }

    /// The password travels only as a SCRAM verifier; the server accepts the
    /// password itself at login, and the role is a member of the station group.
    /// The live log (schema v5). A notification goes out when a station
    /// starts or what must show at once changes (phase, trial, student,
    /// drill, connection), not for a new force: notifications arrive in
    /// commit order, so had A's force-only update notified, the listener
    /// would hear A before B. The class view reads each station's newest
    /// row; a station deletes only its own rows.
    @Test func theLiveLogNotifiesOnlyWhatMustShowAtOnce() async throws {
        let admin = try await Self.newDatabase()
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let names = ["live-a-\(suffix)", "live-b-\(suffix)"]
        let passwords = try await withConnection(admin) { db in
            try await ClassSchema.migrate(db)
            var passwords: [String] = []
            for name in names { passwords.append(try await ClassSchema.addMember(db, name: name, role: .station)) }
            return passwords
        }
        func station(_ index: Int) -> ClassEndpoint {
            var endpoint = admin
            endpoint.user = names[index]
            endpoint.password = passwords[index]
            return endpoint
        }
        func publish(_ index: Int, _ state: String) async throws {
            try await withConnection(station(index)) { db in
                try await db.run("INSERT INTO lighttouch.live_log (state) VALUES (\(state)::json)")
            }
        }
        let heard = try await withConnection(admin) { listener in
            try await listener.connection.listen(on: ClassSchema.liveChannel) { notifications in
                try await publish(0, #"{"kind":"practice","phase":"hold","trial":1,"force_g":5.0}"#)
                try await publish(0, #"{"kind":"practice","phase":"hold","trial":1,"force_g":5.4}"#)
                try await publish(1, #"{"kind":"assess","phase":"hold","trial":1,"force_g":4.0}"#)
                try await publish(0, #"{"kind":"practice","phase":"rest","trial":1,"force_g":0.2}"#)
                var heard: [String] = []
                for try await notification in notifications {
                    heard.append(notification.payload)
                    if heard.count == 3 { break }
                }
                return heard
            }
        }
        #expect(heard == [names[0], names[1], names[0]])

        let tiles = try await withConnection(admin) { db in try await ClassWatch.read(db) }
        #expect(tiles.map(\.station) == names)
        #expect(tiles.map { $0.state["phase"]?.stringValue } == ["rest", "hold"])
        #expect(tiles.map { $0.state["force_g"]?.doubleValue } == [0.2, 4.0])

        let (deleted, seen) = try await withConnection(station(1)) { db in
            let deleted = try await db.rows("WITH gone AS (DELETE FROM lighttouch.live_log RETURNING station) SELECT count(*) FROM gone")
            let seen = try await db.rows("SELECT count(*) FROM lighttouch.live_log")
            return (try #require(deleted.first).decode(Int.self), try #require(seen.first).decode(Int.self))
        }
        #expect(deleted == 1)
        #expect(seen == 0)
        let left = try await withConnection(admin) { db in
            try #require(try await db.rows("SELECT count(*) FROM lighttouch.live_log").first).decode(Int.self)
        }
        #expect(left == 3)
    }

    /// A publisher deletes its station's older rows every `trimEvery`
    /// updates, keeping the one before the newest for the trigger: after
    /// twenty updates with `trimEvery: 4`, between 2 and 5 rows are left
    /// (without the deletes, twenty).
    @Test func aPublisherKeepsFewRows() async throws {
        var endpoint = try await Self.newDatabase()
        let name = "live-trim-\(UUID().uuidString.prefix(6).lowercased())"
        let password = try await withConnection(endpoint) { db in
            try await ClassSchema.migrate(db)
            return try await ClassSchema.addMember(db, name: name, role: .station)
        }
        let admin = endpoint
        endpoint.user = name
        endpoint.password = password
        let publisher = LivePublisher(endpoint: endpoint, period: .milliseconds(5), trimEvery: 4) {
            .object([("kind", .string("practice")), ("phase", .string("hold"))])
        }
        publisher.start()
        let deadline = ContinuousClock.now + .seconds(60)
        while publisher.sent.sent < 20, publisher.sent.failed == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        publisher.stop()
        #expect(publisher.sent.failed == 0)
        #expect(publisher.sent.sent >= 20)
        let rows = try await withConnection(admin) { db in
            try #require(try await db.rows("SELECT count(*) FROM lighttouch.live_log").first).decode(Int.self)
        }
        #expect((2...5).contains(rows), "\(rows) rows after \(publisher.sent.sent) updates")
    }

    @Test func aNewStationLogsInWithItsPassword() async throws {
        var endpoint = try await Self.newDatabase()
        let name = "v'; -- \(UUID().uuidString.prefix(6))"
        let password = try await withConnection(endpoint) { db in
            try await ClassSchema.migrate(db)
            let password = try await ClassSchema.addMember(db, name: name, role: .station)
            #expect(password.count == 24)
            await #expect(throws: ClassError.self) { try await ClassSchema.addMember(db, name: name, role: .station) }
            return password
        }
        endpoint.user = name
        endpoint.password = password
        let rows = try await withConnection(endpoint) { station in
            try await station.rows("SELECT current_user::text, pg_has_role(current_user, 'lighttouch_station', 'member')")
        }
        let (user, member) = try #require(rows.first).decode((String, Bool).self)
        #expect(user == name)
        #expect(member)
        endpoint.password = "not" + password
        await #expect(throws: ClassError.authentication(
            endpoint: endpoint.description, user: name, reason: "password authentication failed for user \"\(name)\"")) {
            try await withConnection(endpoint) { _ in }
        }
    }
}

/// `ClassConnection.with` for test bodies, which throw more than
/// `ClassError` (`#require`, decoding): the connection is closed however the
/// body ends, so a failed expectation never leaves one unclosed (postgres-nio
/// asserts on that in debug builds, which ends the whole test process).
func withConnection<T: Sendable>(_ endpoint: ClassEndpoint, _ body: (ClassConnection) async throws -> T) async throws -> T {
    var failure: (any Error)?
    let value = try await ClassConnection.with(endpoint) { db throws(ClassError) -> T? in
        do {
            return try await body(db)
        } catch {
            failure = error
            return nil
        }
    }
    if let failure { throw failure }
    return try #require(value)
}
