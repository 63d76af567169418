import Dispatch
import LightTouchCore
import DequeModule
import Synchronization

/// Something that happened in a live session, in device time, for a recording.
public enum PipelineEvent: Sendable, Equatable {
    /// A tare finished: from `time` on, `offset` grams are subtracted.
    case tare(time: Double, offset: Double)
    /// A tare was refused; the previous zero stays.
    case tareRefused(time: Double, reason: String)
    case trialStarted(time: Double, trial: Int)
    case trialEnded(time: Double, trial: Int)
    case disconnected(reason: String)
    case reconnected
    case stalled
}

/// The real-time pipeline on Dispatch. The sensor connection's thread only
/// decodes (stream accounting) and hands each block of samples to a bounded
/// buffer; one serial queue owns all pipeline state: counts to grams, tare,
/// filter, band, trials and scoring. After every batch it publishes an
/// immutable `PipelineSnapshot`; the display copies the latest at its own
/// rate, and the sample sink (a recorder, an export) takes whole batches.
/// Neither can stall acquisition: the buffers are bounded and what they drop
/// is counted and shown.
public final class LivePipeline: Sendable {
    public let connection: any SensorConnection
    public let configuration: PipelineConfiguration
    public let conversion: ForceConversion

    private struct Arrival: Sendable {
        let block: SampleBlock
        let nanos: UInt64
    }

    private struct State {
        var pipeline: ForcePipeline
        var tare: TareState = .measuring
        var tareWindow: TareWindow?
        var originMicros: Double?
        var rejectedSamples = 0
        var history: Deque<(time: Double, force: Double)> = []
    }

    private let queue = DispatchQueue(label: "lighttouch.pipeline", qos: .userInteractive)
    private let incoming = BoundedBuffer<Arrival>(capacity: 4096)
    private let tracker: Mutex<StreamTracker>
    private let state: Mutex<State>
    private let published: Mutex<PipelineSnapshot>
    private let sink: (@Sendable ([ProcessedSample]) -> Void)?
    private let onEvent: (@Sendable (SensorEvent) -> Void)?
    private let onLatency: (@Sendable (UInt64) -> Void)?
    private let recorder: (@Sendable (_ blocks: [SampleBlock], _ events: [PipelineEvent]) -> Void)?
    private let tareSettings: TareSettings
    /// Seconds of filtered force kept for the display's plot.
    public let historySeconds: Double

    /// - Parameters:
    ///   - sink: called on the pipeline queue with every processed batch.
    ///   - onEvent: connection events (disconnect, reconnect, stall), on the pipeline queue.
    ///   - onLatency: nanoseconds from a block's arrival to its published state (for `bench`).
    ///   - recorder: called on the pipeline queue with every batch of raw blocks (device
    ///     time origin: `originMicros` of the first block) and the events it caused, in order.
    public init(
        connection: any SensorConnection, configuration: PipelineConfiguration, conversion: ForceConversion,
        tare: TareSettings = TareSettings(), historySeconds: Double = 30,
        sink: (@Sendable ([ProcessedSample]) -> Void)? = nil,
        onEvent: (@Sendable (SensorEvent) -> Void)? = nil,
        onLatency: (@Sendable (UInt64) -> Void)? = nil,
        recorder: (@Sendable (_ blocks: [SampleBlock], _ events: [PipelineEvent]) -> Void)? = nil
    ) throws(FilterConfigurationError) {
        self.recorder = recorder
        self.connection = connection
        self.configuration = configuration
        self.conversion = conversion
        self.sink = sink
        self.onEvent = onEvent
        self.onLatency = onLatency
        tareSettings = tare
        self.historySeconds = historySeconds
        let rate = connection.info.sampleRate
        // The stream starts with START_STREAM, so at sequence 0.
        tracker = Mutex(StreamTracker(rate: rate, firstSequence: 0))
        state = Mutex(
            State(
                pipeline: try ForcePipeline(configuration: configuration),
                tareWindow: TareWindow(settings: tare, isCalibrated: conversion.isCalibrated)))
        var initial = PipelineSnapshot(calibrated: conversion.isCalibrated)
        initial.calibrationExpired = conversion.isExpired
        published = Mutex(initial)
    }

    /// Starts the sensor streaming into the pipeline.
    public func start() throws {
        try connection.start { [self] event in
            // The connection's thread: decode and hand off, nothing more.
            switch event {
            case .packet(let packet):
                guard let block = tracker.withLock({ $0.ingest(packet) }) else { return }
                let arrival = Arrival(block: block, nanos: DispatchTime.now().uptimeNanoseconds)
                if incoming.push(arrival).wasEmpty { queue.async { self.drain() } }
            case .disconnected, .reconnected, .stalled:
                // Inline, before any packet of a returning sensor: the tracker
                // must know the time that passed to place its new segment.
                noteConnection(event)
                queue.async {
                    self.published.withLock { $0.connected = !(event.isDisconnect) }
                    self.onEvent?(event)
                    switch event {
                    case .disconnected(let reason): self.recorder?([], [.disconnected(reason: reason)])
                    case .reconnected: self.recorder?([], [.reconnected])
                    case .stalled: self.recorder?([], [.stalled])
                    case .packet: break
                    }
                }
            }
        }
    }

    /// When the sensor was lost, for the gap a returning sensor's timeline continues after.
    private let disconnectedAt = Atomic<UInt64>(0)

    private func noteConnection(_ event: SensorEvent) {
        let now = DispatchTime.now().uptimeNanoseconds
        switch event {
        case .disconnected:
            disconnectedAt.store(now, ordering: .relaxed)
            tracker.withLock { $0.noteDisconnect() }
        case .reconnected:
            let since = disconnectedAt.load(ordering: .relaxed)
            tracker.withLock { $0.noteReconnect(gapMicros: since > 0 ? Int64((now - since) / 1000) : 0) }
        case .stalled, .packet:
            break
        }
    }

    /// Starts a new tare window; the result shows in the snapshot's `tare`.
    public func requestTare() {
        queue.async {
            self.state.withLock { $0.tareWindow = TareWindow(settings: self.tareSettings, isCalibrated: self.conversion.isCalibrated) }
        }
    }

    /// The latest published state.
    public var snapshot: PipelineSnapshot { published.withLock { $0 } }

    /// The filtered force over the last `historySeconds`, decimated to at most 100 points a second.
    public func history() -> [(time: Double, force: Double)] {
        state.withLock { Array($0.history) }
    }

    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        let arrivals = incoming.drain()
        guard !arrivals.isEmpty else { return }
        let streamStatistics = tracker.withLock { $0.statistics }
        var batch: [ProcessedSample] = []
        batch.reserveCapacity(arrivals.count * 14)
        var events: [PipelineEvent] = []
        let snapshot = state.withLock { state -> PipelineSnapshot in
            for arrival in arrivals {
                let block = arrival.block
                for k in 0..<block.samplesPerChannel {
                    let micros = block.timeMicros(ofSample: k)
                    if state.originMicros == nil { state.originMicros = micros }
                    let time = (micros - (state.originMicros ?? micros)) / 1e6
                    if block.saturatedMask != 0 {
                        state.rejectedSamples += 1  // over range: not a force we can score
                        continue
                    }
                    let untared = conversion.grams(block, sample: k)
                    if var window = state.tareWindow {
                        if let outcome = window.add(time: time, grams: untared) {
                            state.tareWindow = nil
                            switch outcome {
                            case .success(let offset):
                                state.tare = .zeroed(offset: offset)
                                events.append(.tare(time: time, offset: offset))
                            case .failure(let refusal):
                                state.tare = .refused(refusal, offset: state.tare.offset)
                                events.append(.tareRefused(time: time, reason: refusal.description))
                            }
                        } else {
                            state.tareWindow = window
                        }
                        // Scoring starts once the first tare has finished.
                        if case .measuring = state.tare { continue }
                    }
                    let trialsBefore = state.pipeline.trials.count, startedBefore = state.pipeline.trialCount
                    let sample = state.pipeline.process(time: time, grams: untared - state.tare.offset)
                    batch.append(sample)
                    if state.pipeline.trials.count > trialsBefore, let ended = state.pipeline.trials.last {
                        events.append(.trialEnded(time: ended.endSeconds, trial: ended.trial))
                    }
                    if state.pipeline.trialCount > startedBefore {
                        events.append(.trialStarted(time: time, trial: state.pipeline.trialCount))
                    }
                    if let last = state.history.last, sample.time - last.time < 0.01 { continue }
                    state.history.append((sample.time, sample.filtered))
                    while let first = state.history.first, sample.time - first.time > historySeconds { state.history.removeFirst() }
                }
            }
            return makeSnapshot(state, streamStatistics)
        }
        published.withLock { current in
            var next = snapshot
            next.connected = current.connected
            current = next
        }
        let now = DispatchTime.now().uptimeNanoseconds
        if let onLatency { for arrival in arrivals { onLatency(now - arrival.nanos) } }
        if !batch.isEmpty { sink?(batch) }
        recorder?(arrivals.map(\.block), events)
    }

    /// Device time of the session's first sample, µs (what `time` 0 is).
    public var originMicros: Double? { state.withLock { $0.originMicros } }

    private func makeSnapshot(_ state: State, _ stream: StreamStatistics) -> PipelineSnapshot {
        var snapshot = PipelineSnapshot(calibrated: conversion.isCalibrated)
        snapshot.calibrationExpired = conversion.isExpired
        let pipeline = state.pipeline
        if let last = pipeline.lastSample {
            snapshot.time = last.time
            snapshot.raw = last.raw
            snapshot.filtered = last.filtered
            snapshot.verdict = Verdict(force: last.filtered, options: configuration.trial)
            snapshot.contact = last.filtered >= configuration.trial.contact
        }
        snapshot.currentHold = pipeline.currentHold
        snapshot.trialNumber = pipeline.trialCount
        snapshot.trial = pipeline.currentTrial
        snapshot.lastTrial = pipeline.trials.last
        snapshot.completedTrials = pipeline.trials.count
        snapshot.tare = state.tare
        snapshot.taring = state.tareWindow != nil
        snapshot.samples = pipeline.samples
        snapshot.lostFrames = stream.lostFrames
        snapshot.crcErrors = stream.crcErrors
        snapshot.droppedBlocks = incoming.dropped
        snapshot.rejectedSamples = state.rejectedSamples
        return snapshot
    }

    /// Stops the sensor, scores everything it delivered, and ends the session:
    /// the results, and the stream's accounting.
    public func finish() -> (pipeline: ForcePipeline, stream: StreamStatistics, rejectedSamples: Int) {
        connection.stop()
        queue.sync { self.drain() }
        let nextSequence = try? connection.status().nextSequence
        let stream = tracker.withLock { tracker in
            tracker.finish(nextSequence: nextSequence)
            return tracker.statistics
        }
        return state.withLock { state in
            state.pipeline.finish()
            return (state.pipeline, stream, state.rejectedSamples + incoming.dropped)
        }
    }
}

extension SensorEvent {
    var isDisconnect: Bool {
        if case .disconnected = self { return true }
        return false
    }
}
