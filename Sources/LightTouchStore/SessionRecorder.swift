import Dispatch
import Foundation
import GRDB
import LightTouchCore
import Synchronization

/// Records one live session into the store, without ever stalling
/// acquisition: `record` only appends to a
/// bounded buffer; the writer's own queue commits what arrived every 100 ms,
/// so after a crash or `kill -9` everything up to about 100 ms (at most
/// 250 ms) before it is in the database. The session stays `interrupted`
/// until `complete`. If the disk fills or the file becomes unwritable
/// mid-session, the recording stops, keeps what it wrote, and `onFailure`
/// is called once so the session can stop cleanly.
public final class SessionRecorder: SessionRecording {
    /// How often the writer commits.
    public static let commitInterval = DispatchTimeInterval.milliseconds(100)

    public let sessionID: Int64
    public let store: RecordingStore

    private struct Batch: Sendable {
        var blocks: [SampleBlock]
        var events: [PipelineEvent]
        var trainer: [RecordedEvent]
    }

    private struct State {
        var nextBlock: Int64 = 0
        var nextEvent: Int64 = 0
        var samples = 0
        var originMicros: Double?
        var lastMicros: Double?
        var failure: StoreError?
        var timerRunning = true
        /// Held while recording, so `sessions` shows the session as `recording`.
        var lock: RecordingLock?
    }

    private let buffer = BoundedBuffer<Batch>(capacity: 8192)
    private let queue = DispatchQueue(label: "lighttouch.store.writer", qos: .utility)
    private let state = Mutex(State())
    private let onFailure: @Sendable (StoreError) -> Void
    // nonisolated(unsafe): Dispatch sources are thread-safe objects that the
    // overlay does not mark Sendable; this one is set once in init and only
    // cancelled afterwards (`stopTimer`, on the writer's queue).
    nonisolated(unsafe) private let timer: any DispatchSourceTimer

    /// Starts a recording: the session row is written (and so the directory's
    /// writability proven) before this returns.
    public init(store: RecordingStore, start: SessionStart, onFailure: @escaping @Sendable (StoreError) -> Void = { _ in })
        throws(StoreError)
    {
        self.store = store
        self.onFailure = onFailure
        var lock = RecordingLock(pendingIn: store.directory)
        let id: Int64
        do {
            id = try store.insertSession(start)
        } catch {
            lock?.release()
            throw error
        }
        lock?.assign(to: id, in: store.directory)
        sessionID = id
        state.withLock { $0.lock = lock }
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + Self.commitInterval, repeating: Self.commitInterval, leeway: .milliseconds(20))
        timer.setEventHandler { @Sendable [weak self] in self?.flush() }
        timer.resume()
    }

    /// Raw blocks and the events they caused: appended to the buffer, never blocking.
    public func record(blocks: [SampleBlock], events: [PipelineEvent]) {
        guard !blocks.isEmpty || !events.isEmpty else { return }
        buffer.push(Batch(blocks: blocks, events: events, trainer: []))
    }

    /// Records a trainer event (a feedback mode change, a peek, a key) at
    /// session time `time`, in order with the samples recorded so far.
    public func note(_ kind: RecordedEvent.Kind, time: Double?, trial: Int? = nil, value: Double? = nil, detail: String? = nil) {
        buffer.push(
            Batch(
                blocks: [], events: [],
                trainer: [RecordedEvent(kind: kind, blockIndex: 0, time: time, trial: trial, value: value, detail: detail)]))
    }

    /// Records a trainer key (`space`, `cycle_feedback`, `peek`, `target_up`,
    /// `target_down`) handled when the newest sample the trainer had seen was
    /// at session time `time`: a replay applies it before the next sample.
    public func noteKey(_ name: String, time: Double) {
        note(.key, time: time, detail: name)
    }

    /// Batches the buffer could not take (the writer fell 8192 batches behind).
    public var droppedBatches: Int { buffer.dropped }

    /// The failure that stopped the recording, if one did.
    public var failure: StoreError? { state.withLock { $0.failure } }

    /// Marks the session complete with the results line the live run printed,
    /// after writing everything still buffered.
    /// - Throws: `recordingStopped` when the recording had failed mid-session
    ///   (the session stays `interrupted` with what was written).
    public func complete(results: String, lostFrames: Int, rejectedSamples: Int) throws(StoreError) {
        let outcome: StoreError? = queue.sync {
            stopTimer()
            flush()
            if let failure = state.withLock({ $0.failure }) { return failure }
            let dropped = buffer.dropped
            do {
                try store.write { db in
                    try db.execute(
                        sql: """
                            UPDATE session SET status = ?, ended_at = ?, results = ?, lost_frames = ?,
                                rejected_samples = ?, dropped_batches = ?, stop_reason = ? WHERE id = ?
                            """,
                        arguments: [
                            dropped == 0 ? SessionStatus.complete.rawValue : SessionStatus.interrupted.rawValue,
                            RecordingStore.timestamp(), results, lostFrames, rejectedSamples, dropped,
                            dropped == 0 ? nil : "the recording fell behind: \(dropped) batches of samples are missing",
                            sessionID,
                        ])
                }
            } catch {
                return RecordingStore.mapped(error, path: store.path)
            }
            releaseLock()
            return nil
        }
        if let outcome {
            if case .recordingStopped = outcome { throw outcome }
            throw .recordingStopped(sessionID: sessionID, reason: outcome.description)
        }
    }

    /// Ends the recording without completing it (the session failed or was
    /// abandoned): what was buffered is written, the session stays `interrupted`.
    public func close(reason: String? = nil) {
        queue.sync {
            stopTimer()
            flush()
            defer { releaseLock() }
            guard let reason else { return }
            _ = try? store.write { db in
                try db.execute(sql: "UPDATE session SET stop_reason = ? WHERE id = ? AND status = 'interrupted'", arguments: [reason, sessionID])
            }
        }
    }

    private func releaseLock() {
        state.withLock { state in
            state.lock?.release()
            state.lock = nil
        }
    }

    private func stopTimer() {
        let running = state.withLock { state in
            defer { state.timerRunning = false }
            return state.timerRunning
        }
        if running { timer.cancel() }
    }

    /// Writes everything buffered in one transaction (on the writer's queue).
    private func flush() {
        dispatchPrecondition(condition: .onQueue(queue))
        let batches = buffer.drain()
        guard !batches.isEmpty else { return }
        var snapshot = state.withLock { $0 }
        guard snapshot.failure == nil else { return }
        let id = sessionID
        do {
            try store.write { db in
                let insertBlock = try db.cachedStatement(
                    sql: """
                        INSERT INTO block (session_id, idx, sequence, timestamp_us, period_us, channels, samples, saturated, counts)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                let insertEvent = try db.cachedStatement(
                    sql: """
                        INSERT INTO event (session_id, idx, block_idx, kind, time_s, trial, value, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for batch in batches {
                    for block in batch.blocks {
                        try insertBlock.execute(arguments: [
                            id, snapshot.nextBlock, Int64(block.sequence), block.timestampMicros, block.periodMicros,
                            block.channels, block.samplesPerChannel, Int64(block.saturatedMask), BlobCoding.data(block.counts),
                        ])
                        snapshot.nextBlock += 1
                        snapshot.samples += block.samplesPerChannel
                        if block.samplesPerChannel > 0 {
                            if snapshot.originMicros == nil { snapshot.originMicros = block.timeMicros(ofSample: 0) }
                            snapshot.lastMicros = block.timeMicros(ofSample: block.samplesPerChannel - 1)
                        }
                    }
                    for event in batch.events.map({ Self.recorded($0, blockIndex: snapshot.nextBlock) })
                        + batch.trainer.map({ var e = $0; e.blockIndex = snapshot.nextBlock; return e })
                    {
                        try insertEvent.execute(arguments: [
                            id, snapshot.nextEvent, event.blockIndex, event.kind.rawValue, event.time, event.trial, event.value,
                            event.detail,
                        ])
                        snapshot.nextEvent += 1
                    }
                }
                let recorded = snapshot.originMicros.flatMap { origin in snapshot.lastMicros.map { ($0 - origin) / 1e6 } } ?? 0
                try db.execute(
                    sql: "UPDATE session SET blocks = ?, samples = ?, recorded_s = ? WHERE id = ?",
                    arguments: [snapshot.nextBlock, snapshot.samples, recorded, id])
            }
            state.withLock { state in
                state.nextBlock = snapshot.nextBlock
                state.nextEvent = snapshot.nextEvent
                state.samples = snapshot.samples
                state.originMicros = snapshot.originMicros
                state.lastMicros = snapshot.lastMicros
            }
        } catch {
            let failure = StoreError.recordingStopped(sessionID: id, reason: error.description)
            state.withLock { $0.failure = failure }
            stopTimer()
            releaseLock()  // it records no more: `interrupted`, with what it wrote
            _ = try? store.write { db in
                try db.execute(
                    sql: "UPDATE session SET stop_reason = ? WHERE id = ?", arguments: [error.description, id])
            }
            onFailure(failure)
        }
    }

    static func recorded(_ event: PipelineEvent, blockIndex: Int64) -> RecordedEvent {
        switch event {
        case .tare(let time, let offset): RecordedEvent(kind: .tare, blockIndex: blockIndex, time: time, value: offset)
        case .handsTare(let time, let offsets):
            RecordedEvent(
                kind: .tare, blockIndex: blockIndex, time: time, value: offsets.left + offsets.right,
                detail: SampleScorer.RecordedTare.detail(hands: offsets))
        case .tareRefused(let time, let reason):
            RecordedEvent(kind: .tareRefused, blockIndex: blockIndex, time: time, detail: reason)
        case .trialStarted(let time, let trial): RecordedEvent(kind: .trialStarted, blockIndex: blockIndex, time: time, trial: trial)
        case .trialEnded(let time, let trial): RecordedEvent(kind: .trialEnded, blockIndex: blockIndex, time: time, trial: trial)
        case .disconnected(let reason): RecordedEvent(kind: .disconnected, blockIndex: blockIndex, detail: reason)
        case .reconnected: RecordedEvent(kind: .reconnected, blockIndex: blockIndex)
        case .stalled: RecordedEvent(kind: .stalled, blockIndex: blockIndex)
        }
    }
}
