import Foundation
import GRDB
import LightTouchCore

/// The station's side of a class: which recorded sessions are queued for
/// upload and how far each got, in the recordings database itself, so an
/// upload survives a crash and resumes where it stopped.
extension RecordingStore: ClassOutbox {
    /// Queues the session, or queues it again (after a grade was added to it).
    public func queueUpload(session: Int64) throws -> QueuedUpload {
        try write { db in
            try Self.queue(session, in: db)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM class_upload WHERE session_id = ?", arguments: [session]) else {
                throw StoreError.unknownSession(id: session, path: path)
            }
            return QueuedUpload(sessionID: row["session_id"], uuid: row["uuid"], blocksSent: row["blocks_sent"])
        }
    }

    /// Queues these sessions and, with `unqueued`, every session recorded
    /// here that was never queued (recorded without `--class`), in one
    /// transaction: an unknown id queues nothing.
    public func queueUploads(sessions ids: [Int64], unqueued: Bool) throws(StoreError) {
        try write { db in
            var named = ids
            if unqueued {
                named += try Int64.fetchAll(db, sql: "SELECT id FROM session WHERE id NOT IN (SELECT session_id FROM class_upload) ORDER BY id")
            }
            for id in named {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM session WHERE id = ?)", arguments: [id]) == true else {
                    throw StoreError.unknownSession(id: id, path: path)
                }
                try Self.queue(id, in: db)
            }
        }
    }

    /// Queues a session under a new stable id, or marks it pending again (keeping its id).
    static func queue(_ session: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO class_upload (session_id, uuid) VALUES (?, ?)
                ON CONFLICT (session_id) DO UPDATE SET state = 'pending'
                """,
            arguments: [session, UUID().uuidString.lowercased()])
    }

    public func pendingUploads() throws -> [QueuedUpload] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM class_upload WHERE state = 'pending' ORDER BY session_id").map {
                QueuedUpload(sessionID: $0["session_id"], uuid: $0["uuid"], blocksSent: $0["blocks_sent"])
            }
        }
    }

    /// Each queued session's upload state (`pending`, `uploaded`), by session id.
    public func uploadStates() throws(StoreError) -> [Int64: String] {
        try read { db in
            var states: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT session_id, state FROM class_upload") { states[row["session_id"]] = row["state"] }
            return states
        }
    }

    /// The columns of a session that are its setup rather than its summary.
    static let setupColumns = [
        "lighttouch_version", "device_info", "channels", "calibrated", "certificate", "coefficients", "target_g", "tolerance_g",
        "contact_g", "release_s", "grace_s", "hold_s", "filter", "cutoff_hz", "min_cutoff_hz", "beta", "d_cutoff_hz",
        "spike_window", "sample_rate_hz", "drill", "protocol_hash", "protocol", "calibration_run", "lost_frames",
        "rejected_samples", "dropped_batches", "hands", "balance_target_pct", "balance_tolerance_pct",
    ]

    public func uploadPart(_ upload: QueuedUpload, maxBlocks: Int, eventsAfter: Int64) throws -> UploadPart {
        let id = upload.sessionID
        // Asked before the snapshot is taken: a recording whose process had
        // ended by then has everything in the snapshot.
        let stillRecording = RecordingLock.isHeld(directory, session: id)
        let part: UploadPart? = try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.summaryColumns), * FROM session WHERE id = ?", arguments: [id])
            else { return nil }
            var setup: [(String, JSONValue)] = []
            for column in Self.setupColumns {
                let value: DatabaseValue = row[column]
                switch value.storage {
                case .null: setup.append((column, .null))
                case .int64(let n): setup.append((column, .int(Int(n))))
                case .double(let d): setup.append((column, .double(d)))
                case .string(let s): setup.append((column, .string(s)))
                case .blob(let data): setup.append((column, .array(BlobCoding.doubles(data).map(JSONValue.double))))
                }
            }
            var blocks: [RecordedBlock] = []
            let cursor = try Row.fetchCursor(
                db, sql: """
                    SELECT sequence, timestamp_us, period_us, channels, samples, saturated, counts
                    FROM block WHERE session_id = ? AND idx >= ? ORDER BY idx LIMIT ?
                    """, arguments: [id, upload.blocksSent, maxBlocks])
            while let b = try cursor.next() {
                let counts = BlobCoding.int32s(b["counts"] ?? Data())
                blocks.append(
                    RecordedBlock(
                        sequence: UInt32(truncatingIfNeeded: b["sequence"] as Int64), timestampMicros: b["timestamp_us"],
                        periodMicros: b["period_us"], channels: b["channels"], samplesPerChannel: b["samples"],
                        saturatedMask: UInt8(truncatingIfNeeded: b["saturated"] as Int64), counts: counts))
            }
            let events = try Row.fetchAll(
                db, sql: "SELECT idx, block_idx, kind, time_s, trial, value, detail FROM event WHERE session_id = ? AND idx > ? ORDER BY idx",
                arguments: [id, eventsAfter]
            ).compactMap { e -> (index: Int64, event: RecordedEvent)? in
                guard let kind = RecordedEvent.Kind(rawValue: e["kind"] ?? "") else { return nil }
                return (
                    e["idx"],
                    RecordedEvent(
                        kind: kind, blockIndex: e["block_idx"], time: e["time_s"], trial: e["trial"], value: e["value"], detail: e["detail"])
                )
            }
            let grades = try Row.fetchAll(db, sql: "SELECT * FROM grade WHERE session_id = ? ORDER BY id", arguments: [id]).map(Self.grade)
            var summary = Self.summary(row)
            if stillRecording && summary.status == .interrupted { summary.status = .recording }
            return UploadPart(
                upload: upload, summary: summary, setupJSON: JSONValue.object(setup).serialized(), protocolHash: row["protocol_hash"],
                results: row["results"], blocksRecorded: row["blocks"], blocks: blocks, events: events, grades: grades,
                recordingEnded: summary.status != .recording)
        }
        guard let part else { throw StoreError.unknownSession(id: id, path: path) }
        return part
    }

    public func markUploaded(session: Int64, blocksSent: Int64, finished: Bool, error: String?) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE class_upload SET blocks_sent = max(blocks_sent, ?), state = ?, last_error = ?,
                        uploaded_at = CASE WHEN ? THEN ? ELSE uploaded_at END
                    WHERE session_id = ?
                    """,
                arguments: [blocksSent, finished ? "uploaded" : "pending", error, finished, Self.timestamp(), session])
        }
    }
}
