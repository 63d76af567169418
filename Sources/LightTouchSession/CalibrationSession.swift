import Dispatch
import LightTouchCore
import Synchronization

/// Runs a calibration recorder on a streaming sensor: the connection's
/// thread decodes (stream accounting) and hands each block to one serial
/// queue that owns the recorder. Channel 0's raw counts are recorded.
public final class CalibrationSession: Sendable {
    public enum Outcome: Sendable {
        case complete([CalibrationPoint])
        case failed(CalibrationRunError)
        case disconnected(String)
        /// `cancel()` was called (Ctrl-C).
        case cancelled
    }

    /// Ends the run now (from a signal handler, for instance).
    public func cancel() { finish(.cancelled) }

    private struct State {
        var recorder: CalibrationRecorder
        var tracker: StreamTracker
        var clock = CalibrationSampleClock()
        var outcome: Outcome?
        var lastEvent: CalibrationRecorder.Event?
        var lastCounts = 0.0
        /// Session time of the newest sample the recorder took; −1 before the first.
        var lastTime = -1.0
    }

    private let connection: any SensorConnection
    private let state: Mutex<State>
    private let finished = DispatchSemaphore(value: 0)
    private let onEvent: @Sendable (CalibrationRecorder.Event, CalibrationRecorder) -> Void
    private let recording: Recording?

    /// Where a run is recorded, so that it can be taken again exactly
    /// (`CalibrationReplay`): every block as decoded, in order, and the time
    /// of each confirmation. Both are called under the session's lock.
    public struct Recording: Sendable {
        public var block: @Sendable (SampleBlock) -> Void
        /// The session time of the newest sample the recorder had seen (−1 before the first).
        public var confirmed: @Sendable (Double) -> Void
        public var disconnected: @Sendable (String) -> Void

        public init(
            block: @escaping @Sendable (SampleBlock) -> Void, confirmed: @escaping @Sendable (Double) -> Void,
            disconnected: @escaping @Sendable (String) -> Void
        ) {
            self.block = block
            self.confirmed = confirmed
            self.disconnected = disconnected
        }
    }

    /// `channel` is the channel whose counts are recorded.
    /// `onEvent` runs on the connection's thread after every sample's event
    /// that differs from the previous one, and for every taken reading.
    public init(
        connection: any SensorConnection, recorder: CalibrationRecorder, recording: Recording? = nil, channel: Int = 0,
        onEvent: @escaping @Sendable (CalibrationRecorder.Event, CalibrationRecorder) -> Void
    ) {
        self.connection = connection
        self.onEvent = onEvent
        self.recording = recording
        state = Mutex(
            State(
                recorder: recorder, tracker: StreamTracker(rate: connection.info.sampleRate, firstSequence: 0),
                clock: CalibrationSampleClock(channel: channel)))
    }

    /// The operator confirms the mass of the current step is in place.
    public func confirm() {
        state.withLock { state in
            if state.recorder.isAwaitingConfirmation { recording?.confirmed(state.lastTime) }
            state.recorder.confirm()
        }
    }

    /// Frames the stream lost (sequence gaps), so far.
    public var lostFrames: Int { state.withLock { $0.tracker.statistics.lostFrames } }

    public var recorder: CalibrationRecorder { state.withLock { $0.recorder } }

    /// Streams until the run completes or fails; returns the outcome.
    public func run() throws -> Outcome {
        try connection.start { [self] event in
            switch event {
            case .packet(let packet): ingest(packet)
            case .disconnected(let reason):
                recording?.disconnected(reason)
                finish(.disconnected(reason))
            case .stalled, .reconnected: break
            }
        }
        finished.wait()
        connection.stop()
        return state.withLock { $0.outcome } ?? .disconnected("the stream ended")
    }

    private func finish(_ outcome: Outcome) {
        let first = state.withLock { state -> Bool in
            guard state.outcome == nil else { return false }
            state.outcome = outcome
            return true
        }
        if first { finished.signal() }
    }

    private func ingest(_ packet: [UInt8]) {
        var notes: [(CalibrationRecorder.Event, CalibrationRecorder)] = []
        var outcome: Outcome?
        state.withLock { state in
            guard state.outcome == nil, let block = state.tracker.ingest(packet) else { return }
            recording?.block(block)
            for (time, counts) in state.clock.samples(of: block) {
                state.lastCounts = counts
                state.lastTime = time
                let event = state.recorder.add(time: time, counts: counts)
                if event != state.lastEvent || Self.isTaken(event) { notes.append((event, state.recorder)) }
                state.lastEvent = event
                switch event {
                case .failed(let error):
                    outcome = .failed(error)
                case .complete:
                    outcome = .complete(state.recorder.points)
                default: break
                }
                if outcome != nil { break }
            }
            if outcome == nil, state.recorder.isComplete { outcome = .complete(state.recorder.points) }
        }
        for (event, recorder) in notes { onEvent(event, recorder) }
        if let outcome { finish(outcome) }
    }

    private static func isTaken(_ event: CalibrationRecorder.Event) -> Bool {
        if case .taken = event { return true }
        return false
    }
}
