import Dispatch
import Foundation
import LightTouchCore
import Logging
import PostgresNIO
import Synchronization

/// Sends a station's recorded sessions to the class database in the
/// background: whatever the outbox has pending, in parts of a few hundred
/// blocks, each part one transaction keyed by the session's stable id, so a
/// part sent twice (after a lost reply, a restarted server, a crash) changes
/// nothing. It never touches the live session: it reads what the recording
/// already committed. When the server is down, slow or refuses the login it
/// keeps what it has, waits (1 s doubling to 15 s) and tries again.
public final class ClassUploader: Sendable {
    /// Blocks per part (one transaction); at 10 samples a block, 2 s at 1 kHz.
    public static let blocksPerPart = 200

    public struct Status: Sendable {
        /// Passes of the upload loop begun and ended so far (each sends what was pending, or fails).
        public var started = 0
        public var passes = 0
        /// The last pass's failure; nil after a pass that went through.
        public var lastError: ClassError?
        /// Sessions whose upload finished, in this process.
        public var finished: Set<Int64> = []
        /// Blocks sent in this process, and parts committed.
        public var blocksSent = 0
        public var parts = 0
    }

    public let endpoint: ClassEndpoint
    let outbox: any ClassOutbox
    let logger: Logger
    let interval: Duration
    private let status = Mutex(Status())
    private let passDone = DispatchSemaphore(value: 0)
    private let waiters = Atomic<Int>(0)
    private let urgent = Atomic<Bool>(false)
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let loop = Mutex<Task<Void, Never>?>(nil)

    /// - Parameter interval: how often to look for newly recorded data while nothing pokes it.
    public init(endpoint: ClassEndpoint, outbox: any ClassOutbox, interval: Duration = .seconds(1), logger: Logger = ClassConnection.quietLogger) {
        self.endpoint = endpoint
        self.outbox = outbox
        self.interval = interval
        self.logger = logger
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public var current: Status { status.withLock { $0 } }

    /// Starts the loop on its own task.
    public func start() {
        let task = Task.detached { [self] in await run() }
        loop.withLock { $0 = task }
    }

    /// Looks for new data now rather than at the next interval.
    public func poke() { wake.yield() }

    /// Waits (from synchronous code, never on a concurrency thread) until
    /// `session` is uploaded in full, a pass after this call fails, or
    /// `timeout` passes. Returns the status then.
    public func waitForUpload(of session: Int64, timeout: Duration) -> Status {
        let deadline = DispatchTime.now() + .nanoseconds(Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000))
        let begun = status.withLock { $0.started }
        waiters.add(1, ordering: .relaxed)
        defer { waiters.subtract(1, ordering: .relaxed) }
        // Now, not after the back-off of an earlier failure.
        urgent.store(true, ordering: .relaxed)
        poke()
        while true {
            let now = status.withLock { $0 }
            if now.finished.contains(session) { return now }
            // Passes end in order: once more have ended than had begun before
            // this call, one that began after it has ended. If it failed, the
            // server is not there now.
            if now.passes > begun, now.lastError != nil { return now }
            if passDone.wait(timeout: deadline) == .timedOut { return status.withLock { $0 } }
        }
    }

    /// Stops the loop after the pass in progress, waiting for it at most
    /// `grace`. Whatever a pass cut short had sent is sent again next time
    /// (keyed, so never twice); the outbox records only what was committed.
    public func stop(grace: Duration = .seconds(5)) {
        wake.finish()
        let task = loop.withLock { $0 }
        task?.cancel()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await task?.value
            done.signal()
        }
        _ = done.wait(timeout: .now() + .milliseconds(Int(grace.components.seconds * 1000)))
    }

    private func run() async {
        // The clock: a wake-up every interval, unless the stream has ended.
        let ticker = Task.detached { [wake, interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if case .terminated = wake.yield() { return }
            }
        }
        defer { ticker.cancel() }
        var connection: ClassConnection?
        var backoff = Duration.seconds(1)
        var retryAt = ContinuousClock.now
        for await _ in wakeups {
            if ContinuousClock.now < retryAt && !urgent.exchange(false, ordering: .relaxed) { continue }
            status.withLock { $0.started += 1 }
            do {
                if try outbox.pendingUploads().isEmpty {
                    finishPass(error: nil)
                    continue
                }
                let db: ClassConnection
                if let connection {
                    db = connection
                } else {
                    db = try await ClassConnection.connect(endpoint, logger: logger)
                    connection = db
                    try await ClassSchema.check(db)
                }
                for upload in try outbox.pendingUploads() { try await push(upload, over: db) }
                backoff = .seconds(1)
                finishPass(error: nil)
            } catch {
                await connection?.close()
                connection = nil
                let failure = error as? ClassError ?? ClassError.other("\(error)")
                retryAt = ContinuousClock.now + backoff
                backoff = min(backoff * 2, .seconds(15))
                finishPass(error: failure)
            }
        }
        await connection?.close()
    }

    private func finishPass(error: ClassError?) {
        status.withLock {
            $0.passes += 1
            $0.lastError = error
        }
        for _ in 0..<max(waiters.load(ordering: .relaxed), 0) { passDone.signal() }
    }

    /// Sends one session's new blocks, part by part, and its row, events and grades.
    func push(_ queued: QueuedUpload, over db: ClassConnection) async throws {
        var upload = queued
        // Events are sent once: from the server's newest on. Sending every event again with each part made
        // each part's transaction longer than the last, and at thirty stations ten minutes in the server
        // spent its time on them (docs/class.md, "Load figures").
        var eventsSent = try await Self.newestEvent(of: upload, on: db)
        while true {
            let part = try outbox.uploadPart(upload, maxBlocks: Self.blocksPerPart, eventsAfter: eventsSent)
            try await db.transaction { db throws(ClassError) in try await Self.send(part, over: db) }
            if let last = part.events.last { eventsSent = last.index }
            let sent = upload.blocksSent + Int64(part.blocks.count)
            try outbox.markUploaded(session: upload.sessionID, blocksSent: sent, finished: part.isLast, error: nil)
            status.withLock {
                $0.blocksSent += part.blocks.count
                $0.parts += 1
                if part.isLast { $0.finished.insert(upload.sessionID) }
            }
            if part.isLast || part.blocks.isEmpty { return }
            upload.blocksSent = sent
        }
    }

    /// The index of the session's newest event on the server; -1 for none
    /// (or a session not there yet).
    static func newestEvent(of upload: QueuedUpload, on db: ClassConnection) async throws(ClassError) -> Int64 {
        guard let uuid = UUID(uuidString: upload.uuid) else {
            throw ClassError.other("session \(upload.sessionID) has a damaged upload id; it cannot be sent")
        }
        let rows = try await db.rows("SELECT coalesce(max(idx), -1) FROM lighttouch.event WHERE session_uuid = \(uuid)")
        return (try? rows.first?.decode(Int64.self)) ?? -1
    }

    /// One part, inside a transaction. Everything is keyed by the session's
    /// uuid and each row's index: a part sent again inserts nothing twice.
    static func send(_ part: UploadPart, over db: ClassConnection) async throws(ClassError) {
        guard let uuid = UUID(uuidString: part.upload.uuid) else {
            throw ClassError.other("session \(part.upload.sessionID) has a damaged upload id; it cannot be sent")
        }
        let s = part.summary
        try await db.run(
            """
            INSERT INTO lighttouch.session (uuid, local_id, kind, student, examiner, started_at, ended_at, status, stop_reason,
                recorded_s, samples, blocks, sensor, drill_name, protocol_name, results, setup, updated_at)
            VALUES (\(uuid), \(s.id), \(s.kind), \(s.student), \(s.examiner), \(s.startedAt), \(s.endedAt), \(s.status.rawValue),
                \(s.stopReason), \(s.recordedSeconds), \(s.samples), \(part.blocksRecorded), \(s.sensorSerial), \(s.drillName),
                \(s.protocolName), \(part.results), \(part.setupJSON)::jsonb, now())
            ON CONFLICT (uuid) DO UPDATE SET student = EXCLUDED.student, examiner = EXCLUDED.examiner, ended_at = EXCLUDED.ended_at,
                status = EXCLUDED.status, stop_reason = EXCLUDED.stop_reason, recorded_s = EXCLUDED.recorded_s,
                samples = EXCLUDED.samples, blocks = EXCLUDED.blocks, results = EXCLUDED.results, setup = EXCLUDED.setup,
                updated_at = now()
            """)
        // The part's blocks: one row, each block's fields an array and their counts one after another
        // (schema v3). A part is sent again after a crash from the same first block, perhaps longer (more
        // was recorded since): the longer one stays, so every block is on the server once.
        if !part.blocks.isEmpty {
            var counts = ByteBuffer()
            counts.reserveCapacity(part.blocks.reduce(0) { $0 + $1.counts.count } * 4)
            for block in part.blocks {
                for value in block.counts { counts.writeInteger(value, endianness: .little) }
            }
            let blocks = part.blocks
            let samples = blocks.reduce(Int64(0)) { $0 + Int64($1.samplesPerChannel) }
            try await db.run(
                """
                INSERT INTO lighttouch.block_part (session_uuid, first_idx, blocks, samples, sequence, timestamp_us, period_us,
                    channels, block_samples, saturated, counts)
                VALUES (\(uuid), \(part.upload.blocksSent), \(blocks.count), \(samples), \(blocks.map { Int64($0.sequence) }),
                    \(blocks.map(\.timestampMicros)), \(blocks.map(\.periodMicros)), \(blocks.map { Int32($0.channels) }),
                    \(blocks.map { Int32($0.samplesPerChannel) }), \(blocks.map { Int32(truncatingIfNeeded: $0.saturatedMask) }), \(counts))
                ON CONFLICT (session_uuid, first_idx) DO UPDATE SET blocks = EXCLUDED.blocks, samples = EXCLUDED.samples,
                    sequence = EXCLUDED.sequence, timestamp_us = EXCLUDED.timestamp_us, period_us = EXCLUDED.period_us,
                    channels = EXCLUDED.channels, block_samples = EXCLUDED.block_samples, saturated = EXCLUDED.saturated,
                    counts = EXCLUDED.counts
                WHERE lighttouch.block_part.blocks < EXCLUDED.blocks
                """)
        }
        // The part's events in one statement, as a JSON array of records (a row each).
        if !part.events.isEmpty {
            let records = JSONValue.array(
                part.events.map { idx, event in
                    .object([
                        ("idx", .int(Int(idx))), ("block_idx", .int(Int(event.blockIndex))), ("kind", .string(event.kind.rawValue)),
                        ("time_s", event.time.map(JSONValue.double) ?? .null), ("trial", event.trial.map(JSONValue.int) ?? .null),
                        ("value", event.value.map(JSONValue.double) ?? .null), ("detail", event.detail.map(JSONValue.string) ?? .null),
                    ])
                })
            try await db.run(
                """
                INSERT INTO lighttouch.event (session_uuid, idx, block_idx, kind, time_s, trial, value, detail)
                SELECT \(uuid), e.idx, e.block_idx, e.kind, e.time_s, e.trial, e.value, e.detail
                FROM json_to_recordset(\(records.serialized())::json)
                    AS e (idx bigint, block_idx bigint, kind text, time_s double precision, trial integer, value double precision, detail text)
                ON CONFLICT DO NOTHING
                """)
        }
        for grade in part.grades {
            try await db.run(
                """
                INSERT INTO lighttouch.grade (session_uuid, local_id, student, examiner, graded_at, protocol_name, protocol_hash,
                    score, passed, grade, criteria)
                VALUES (\(uuid), \(grade.id), \(grade.student), \(grade.examiner), \(grade.gradedAt), \(grade.protocolName),
                    \(grade.protocolHash), \(grade.score), \(grade.passed), \(grade.grade), \(criteriaJSON(grade))::jsonb)
                ON CONFLICT DO NOTHING
                """)
        }
    }

    static func criteriaJSON(_ grade: GradeRecord) -> String {
        JSONValue.array(
            grade.criteria.map { c in
                .object([
                    ("metric", .string(c.metric)), ("op", .string(c.comparison)), ("passed", .bool(c.passed)),
                    ("threshold", .double(c.threshold)), ("value", c.value.map(JSONValue.double) ?? .null),
                ])
            }
        ).serialized()
    }
}
