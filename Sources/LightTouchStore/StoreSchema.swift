import GRDB

/// The database's versioned schema. Each migration runs once, in order, and
/// is never edited after release: a later change is a new migration, so an
/// older database opens in a newer LightTouch (and a newer one is refused by
/// an older LightTouch, unchanged).
enum StoreSchema {
    /// `PRAGMA application_id` of a LightTouch database ("LTCH"), so a
    /// foreign SQLite file is recognised before anything writes to it.
    static let applicationID: Int32 = 0x4C54_4348

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions, blocks, events") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(
                sql: """
                    CREATE TABLE session (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,                    -- practice | assessment | calibration
                        student TEXT,
                        examiner TEXT,
                        started_at TEXT NOT NULL,              -- ISO 8601, UTC
                        ended_at TEXT,
                        status TEXT NOT NULL DEFAULT 'interrupted',  -- interrupted until completed
                        stop_reason TEXT,
                        reported INTEGER NOT NULL DEFAULT 0,   -- an interruption already told to the user
                        pid INTEGER,                           -- the recording process
                        lighttouch_version TEXT NOT NULL,
                        -- the sensor and the calibration in use
                        sensor_serial TEXT NOT NULL,
                        device_info TEXT NOT NULL,             -- JSON
                        channels INTEGER NOT NULL,
                        calibrated INTEGER NOT NULL,
                        certificate TEXT,
                        coefficients BLOB NOT NULL,            -- float64 LE, c0…c3 per channel
                        -- every option that affects scoring
                        target_g REAL NOT NULL, tolerance_g REAL NOT NULL, contact_g REAL NOT NULL,
                        release_s REAL NOT NULL, grace_s REAL NOT NULL, hold_s REAL NOT NULL,
                        filter TEXT NOT NULL, cutoff_hz REAL NOT NULL, min_cutoff_hz REAL NOT NULL,
                        beta REAL NOT NULL, d_cutoff_hz REAL NOT NULL, spike_window INTEGER NOT NULL,
                        sample_rate_hz REAL NOT NULL,
                        drill TEXT,                            -- JSON, when a drill ran
                        protocol_name TEXT, protocol_hash TEXT, protocol TEXT,
                        -- totals, updated with every commit
                        blocks INTEGER NOT NULL DEFAULT 0,
                        samples INTEGER NOT NULL DEFAULT 0,
                        recorded_s REAL NOT NULL DEFAULT 0,
                        dropped_batches INTEGER NOT NULL DEFAULT 0,
                        -- at the end
                        lost_frames INTEGER,
                        rejected_samples INTEGER,
                        results TEXT                           -- the results line the live run printed
                    )
                    """)
            try db.execute(sql: "CREATE INDEX session_student ON session(student, started_at)")
            try db.execute(
                sql: """
                    CREATE TABLE block (
                        session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
                        idx INTEGER NOT NULL,
                        sequence INTEGER NOT NULL,
                        timestamp_us INTEGER NOT NULL,         -- unwrapped device time of the first sample
                        period_us REAL NOT NULL,
                        channels INTEGER NOT NULL,
                        samples INTEGER NOT NULL,              -- per channel
                        saturated INTEGER NOT NULL,            -- bit c: channel c at a rail
                        counts BLOB NOT NULL,                  -- int32 LE, channel-major
                        PRIMARY KEY (session_id, idx)
                    ) WITHOUT ROWID
                    """)
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
                        idx INTEGER NOT NULL,
                        block_idx INTEGER NOT NULL,            -- blocks recorded before it
                        kind TEXT NOT NULL,
                        time_s REAL,                           -- session time, when the event has one
                        trial INTEGER,
                        value REAL,
                        detail TEXT,
                        PRIMARY KEY (session_id, idx)
                    ) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("v2: gradebook") { db in
            try db.execute(
                sql: """
                    CREATE TABLE grade (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        session_id INTEGER NOT NULL REFERENCES session(id),
                        student TEXT NOT NULL,
                        examiner TEXT,
                        graded_at TEXT NOT NULL,
                        protocol_name TEXT NOT NULL,
                        protocol_hash TEXT NOT NULL,           -- the protocol's content hash
                        score REAL,
                        passed INTEGER NOT NULL,
                        grade TEXT,
                        criteria TEXT NOT NULL                 -- JSON: each criterion's value and verdict
                    )
                    """)
            try db.execute(sql: "CREATE INDEX grade_student ON grade(student, graded_at)")
        }
        migrator.registerMigration("v3: calibration runs") { db in
            // The run's plan (masses, settings, certificate details), JSON, so a recorded run refits exactly.
            try db.execute(sql: "ALTER TABLE session ADD COLUMN calibration_run TEXT")
        }
        migrator.registerMigration("v4: two hands") { db in
            // 1: the channels summed into one force (every earlier session); 2: left and right hands,
            // with the balance band (the left share, percent) their hold asks for.
            try db.execute(sql: "ALTER TABLE session ADD COLUMN hands INTEGER NOT NULL DEFAULT 1")
            try db.execute(sql: "ALTER TABLE session ADD COLUMN balance_target_pct REAL")
            try db.execute(sql: "ALTER TABLE session ADD COLUMN balance_tolerance_pct REAL")
        }
        migrator.registerMigration("v5: class uploads") { db in
            // A session queued for a class (practice/assess --class): its stable id on
            // the server, and how much of it the server has.
            try db.execute(
                sql: """
                    CREATE TABLE class_upload (
                        session_id INTEGER PRIMARY KEY REFERENCES session(id) ON DELETE CASCADE,
                        uuid TEXT NOT NULL UNIQUE,
                        blocks_sent INTEGER NOT NULL DEFAULT 0,
                        state TEXT NOT NULL DEFAULT 'pending',     -- pending | uploaded
                        uploaded_at TEXT,
                        last_error TEXT
                    )
                    """)
        }
        return migrator
    }
}
