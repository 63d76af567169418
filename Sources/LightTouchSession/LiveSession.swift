import DequeModule
import Dispatch
import LightTouchCore
import LightTouchTrainer
import Synchronization

/// A key the student or the examiner pressed, as the session handles it.
public enum SessionKey: Sendable, Equatable {
    /// A drill's key: space, `f`, `p`, `+`, `-`.
    case drill(PracticeSession.Key)
    /// `t`: a tare, refused while a drill's trial runs.
    case tare
    /// `s`: the feedback sound off or on (when the session has sound).
    case sound
}

/// One consistent picture of a live session, published after every batch of
/// samples and every key: what a display frame or a status line is drawn from.
public struct SessionFrame: Sendable {
    public var snapshot: PipelineSnapshot
    /// The drill as it stands (nil without a drill).
    public var drill: PracticeSession?
    /// The filtered force over the last `historySeconds`, at most 100 points a second.
    public var history: Deque<(time: Double, force: Double)>
    /// Two hands: each hand's filtered force over the same points as `history` (empty for one hand).
    public var handsHistory: Deque<HandForces> = []
    /// Why the sensor went away, while it is away.
    public var unplugged: String?
    /// The feedback sound (nil without `--sound`).
    public var sound: SoundStatus?
    /// When the newest block in this frame reached the host (the injected
    /// host clock, nanoseconds; nil before the first): how old the frame's
    /// force is, for the class view's sample-to-screen latency.
    public var arrivedNanos: UInt64?
}

/// The session engine: a live session from a sensor connection to results.
///
/// The connection's thread only decodes (the stream accounting) and hands
/// each block to a bounded buffer. One serial queue owns everything else:
/// the per-sample scoring (`SampleScorer`, the same rules a replay uses), the
/// drill and its trials, keys and tares, the connection's state and what is
/// recorded. After every batch and every key it publishes one immutable
/// `SessionFrame`, which displays copy at their own rate. Nothing a display,
/// a sink or a recording does can stall acquisition: the buffers are bounded
/// and what they drop is counted and shown.
///
/// Time is injected: sample times come from the sensor's own clock in every
/// frame, and the only host clock the engine reads (for the gap while a
/// sensor was away) is the `now` it is given.
public final class LiveSession: @unchecked Sendable {
    // @unchecked: `state` is touched only on `queue` (checked with
    // dispatchPrecondition); every other stored property is immutable, a
    // Mutex, an Atomic or a Sendable buffer.

    public let connection: any SensorConnection
    public let configuration: PipelineConfiguration
    public let conversion: ForceConversion
    /// Seconds of filtered force kept for the display's plot.
    public let historySeconds: Double

    /// When the session should end by itself.
    public struct Endings: Sendable {
        /// When the drill's last trial ends.
        public var whenDrillCompletes = false
        /// When the sensor goes away (it is not waited for).
        public var whenUnplugged = false

        public init(whenDrillCompletes: Bool = false, whenUnplugged: Bool = false) {
            self.whenDrillCompletes = whenDrillCompletes
            self.whenUnplugged = whenUnplugged
        }
    }

    /// The end of a session: what was scored and how the stream went.
    public struct Ending: Sendable {
        public var pipeline: ForcePipeline
        public var stream: StreamStatistics
        public var summary: SessionSummary
        /// The drill, with every trial ended (nil without a drill).
        public var drill: PracticeSession?
        /// Why the sensor went away, if it was away at the end.
        public var unplugged: String?
        /// The feedback sound as recorded (nil without `--sound`).
        public var sound: SoundStatus?
    }

    private struct Arrival: Sendable {
        let block: SampleBlock
        let nanos: UInt64
    }

    private struct State {
        var scorer: SampleScorer
        var drill: PracticeSession?
        /// The time of the newest point in the plot's history.
        var lastHistoryTime: Double?
        var connected = true
        var unplugged: String?
        var finished = false
        var sound: SoundStatus?
    }

    /// What the presenter collects between its ticks.
    private struct Outbox {
        var bell = false
        var finishedLines: [String] = []
    }

    private let queue = DispatchQueue(label: "lighttouch.session", qos: .userInteractive)
    private let incoming = BoundedBuffer<Arrival>(capacity: 4096)
    private let tracker: Mutex<StreamTracker>
    private var state: State
    private let published: Mutex<SessionFrame>
    private let outbox = Mutex(Outbox())
    private let endings: Endings
    private let stop = DispatchSemaphore(value: 0)
    private let recorder: (any SessionRecording)?
    private let sink: (@Sendable ([ProcessedSample]) -> Void)?
    private let onEvent: (@Sendable (SensorEvent) -> Void)?
    private let onLatency: (@Sendable (UInt64) -> Void)?
    private let now: @Sendable () -> UInt64
    /// When the sensor was lost (host nanoseconds), for the gap a returning sensor's timeline continues after.
    private let disconnectedAt = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - drill: the drill to run; without one, trials are found by touch and release.
    ///   - recorder: where the raw blocks, tares, keys and the drill's events go.
    ///   - sink: every scored batch, on the session's queue (an export).
    ///   - onEvent: connection events (disconnect, reconnect, stall), on the session's queue.
    ///   - onLatency: nanoseconds from a block's arrival to its published frame (for `bench`).
    ///   - now: the host clock, nanoseconds (injected for tests).
    public init(
        connection: any SensorConnection, configuration: PipelineConfiguration, conversion: ForceConversion,
        drill: Drill? = nil, recorder: (any SessionRecording)? = nil, tare: TareSettings = TareSettings(),
        historySeconds: Double = 30, endings: Endings = Endings(),
        sink: (@Sendable ([ProcessedSample]) -> Void)? = nil,
        onEvent: (@Sendable (SensorEvent) -> Void)? = nil,
        onLatency: (@Sendable (UInt64) -> Void)? = nil,
        now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    ) throws(FilterConfigurationError) {
        self.connection = connection
        self.configuration = configuration
        self.conversion = conversion
        self.historySeconds = historySeconds
        self.endings = endings
        self.recorder = recorder
        self.sink = sink
        self.onEvent = onEvent
        self.onLatency = onLatency
        self.now = now
        // The stream starts with START_STREAM, so at sequence 0.
        tracker = Mutex(StreamTracker(rate: connection.info.sampleRate, firstSequence: 0))
        // A drill decides its own trials: the pipeline does not segment them too.
        let scorer = try SampleScorer(
            configuration: configuration, conversion: conversion, tare: tare, segmentsTrials: drill == nil)
        state = State(scorer: scorer, drill: drill.map(PracticeSession.init(drill:)))
        var initial = PipelineSnapshot(calibrated: conversion.isCalibrated)
        initial.calibrationExpired = conversion.isExpired
        published = Mutex(SessionFrame(snapshot: initial, drill: state.drill, history: [], unplugged: nil))
    }

    // MARK: Running

    /// Starts the sensor streaming into the session.
    public func start() throws {
        try connection.start { [self] event in
            // The connection's thread: decode and hand off, nothing more.
            switch event {
            case .packet(let packet):
                guard let block = tracker.withLock({ $0.ingest(packet) }) else { return }
                let arrival = Arrival(block: block, nanos: now())
                if incoming.push(arrival).wasEmpty { queue.async { self.drain() } }
            case .disconnected, .reconnected, .stalled:
                // Inline, before any packet of a returning sensor: the tracker
                // must know the time that passed to place its new segment.
                noteConnection(event)
                queue.async { self.connectionChanged(event) }
            }
        }
    }

    /// Runs the session until it ends (by itself, `requestStop`, or after
    /// `limit` seconds), calling `tick` on `queue` every `interval` meanwhile:
    /// the run loop every presenter shares (a screen, status lines).
    public func run(
        limit: Double?, every interval: DispatchTimeInterval, on tickQueue: DispatchQueue,
        tick: @escaping @Sendable () -> Void
    ) throws {
        let timer = DispatchSource.makeTimerSource(queue: tickQueue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
        timer.setEventHandler(handler: tick)
        let started = DispatchTime.now()
        try start()
        timer.resume()
        if let limit {
            _ = stop.wait(timeout: started + limit)
        } else {
            stop.wait()
        }
        timer.cancel()
        // The last tick may still be running; wait for it on its queue.
        tickQueue.sync {}
    }

    /// Ends the session's run (q, a signal, a recording that failed).
    public func requestStop() {
        stop.signal()
    }

    /// Handles a key on the session's queue, after the samples already scored.
    public func handle(_ key: SessionKey) {
        queue.async { self.apply(key) }
    }

    /// Notes what happened to the feedback sound, on the session's queue:
    /// recorded in order with the samples, published in the frame. Returns at
    /// once (the audio thread calls it).
    public func noteSound(_ event: SoundStatus.Event) {
        queue.async { self.applySound(event) }
    }

    /// Waits until every block delivered so far is scored and published.
    public func settle() {
        queue.sync { drain() }
    }

    /// The latest published frame.
    public var frame: SessionFrame { published.withLock { $0 } }

    /// The latest published frame, or nil while the session's queue is
    /// publishing one: for a real-time reader that must never wait on the
    /// queue (the sound's thread). The queue runs at normal priority and can be
    /// preempted while it holds the frame's lock; a reader waiting for the lock
    /// would wait as long (priority inversion).
    public var frameIfAvailable: SessionFrame? { published.withLockIfAvailable { $0 } }

    /// The latest published pipeline state.
    public var snapshot: PipelineSnapshot { published.withLock { $0.snapshot } }

    /// Whether something rang the bell (left the band, met a hold goal) since the last call.
    public func takeBell() -> Bool {
        outbox.withLock { box in
            defer { box.bell = false }
            return box.bell
        }
    }

    /// One line per drill trial finished since the last call (for status lines).
    public func takeFinishedLines() -> [String] {
        outbox.withLock { box in
            defer { box.finishedLines.removeAll() }
            return box.finishedLines
        }
    }

    /// Stops the sensor, scores everything it delivered, ends a trial in
    /// progress, and returns what the session came to. Call once.
    public func finish() -> Ending {
        connection.stop()
        let nextSequence = try? connection.status().nextSequence
        return queue.sync {
            drain()
            let stream = tracker.withLock { tracker in
                tracker.finish(nextSequence: nextSequence)
                return tracker.statistics
            }
            state.scorer.finish()
            if state.drill != nil {
                let events = state.drill?.finish() ?? []
                noteDrillEvents(events)
            }
            state.finished = true
            publish()
            let rejected = state.scorer.rejectedSamples + incoming.dropped
            let summary = state.scorer.pipeline.summary(
                lostFrames: stream.lostFrames, rejectedSamples: rejected, calibrated: conversion.isCalibrated)
            return Ending(
                pipeline: state.scorer.pipeline, stream: stream, summary: summary, drill: state.drill, unplugged: state.unplugged,
                sound: state.sound)
        }
    }

    // MARK: On the session's queue

    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        let arrivals = incoming.drain()
        guard !arrivals.isEmpty, !state.finished else { return }
        var batch: [ProcessedSample] = []
        batch.reserveCapacity(arrivals.count * 14)
        var events: [PipelineEvent] = []
        var newHistory: [(time: Double, force: Double)] = []
        var newHands: [HandForces] = []
        for arrival in arrivals {
            let block = arrival.block
            for k in 0..<block.samplesPerChannel {
                let step = state.scorer.score(block, sample: k)
                if let outcome = state.scorer.takeTareOutcome() {
                    switch outcome {
                    case .zeroed(let time, let offset):
                        if let hands = state.scorer.takeHandsTareOutcome() {
                            events.append(.handsTare(time: time, offsets: hands))
                        } else {
                            events.append(.tare(time: time, offset: offset))
                        }
                    case .refused(let time, let refusal): events.append(.tareRefused(time: time, reason: refusal.description))
                    }
                }
                guard case .scored(let sample, _) = step else { continue }
                batch.append(sample)
                if let ended = state.scorer.trialEnded {
                    events.append(.trialEnded(time: ended.endSeconds, trial: ended.trial))
                }
                if let started = state.scorer.trialStarted {
                    events.append(.trialStarted(time: sample.time, trial: started))
                }
                if let last = state.lastHistoryTime, sample.time - last < 0.01 { continue }
                state.lastHistoryTime = sample.time
                newHistory.append((sample.time, sample.filtered))
                if let hands = sample.hands { newHands.append(hands) }
            }
        }
        // The raw blocks and what they caused go to the recording before the
        // drill's own events for the same samples, as the replay takes them.
        recorder?.record(blocks: arrivals.map(\.block), events: events)
        if state.drill != nil, !batch.isEmpty {
            let drillEvents = state.drill?.push(scored: batch) ?? []
            noteDrillEvents(drillEvents)
        }
        publish(history: newHistory, hands: newHands, arrived: arrivals.last?.nanos)
        let published = now()
        if let onLatency { for arrival in arrivals { onLatency(published &- arrival.nanos) } }
        if !batch.isEmpty { sink?(batch) }
    }

    private func apply(_ key: SessionKey) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !state.finished else { return }
        switch key {
        case .sound:
            guard let sound = state.sound else { return }
            applySound(.switched(on: !sound.on))
            return
        case .tare:
            // Checked and applied here, where trials are decided: a trial cannot start in between.
            if let drill = state.drill, drill.isRunning {
                state.drill?.say("no tare while a trial runs: press t between trials", for: 3)
            } else {
                state.scorer.requestTare()
            }
        case .drill(let key):
            guard let before = state.drill else { return }
            let time = before.hasSamples ? before.time : -1
            recorder?.noteKey(key.recordedName, time: time)
            let events = state.drill?.handle(key) ?? []
            noteDrillEvents(events)
            guard let after = state.drill else { return }
            let trial = after.trialIndex.map { $0 + 1 }
            if let chosen = after.chosenMode, chosen != before.chosenMode {
                recorder?.note(.feedback, time: time, trial: trial, value: nil, detail: chosen.rawValue)
            }
            if after.currentPeeks > before.currentPeeks {
                recorder?.note(.peek, time: time, trial: trial, value: Double(after.currentPeeks), detail: nil)
            }
        }
        publish()
    }

    private func applySound(_ event: SoundStatus.Event) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !state.finished else { return }
        let before = state.sound
        state.sound = SoundStatus.applying(event, to: before)
        guard state.sound != before else { return }
        // Noted after the newest sample scored, as keys are: a replay applies it before the next one.
        let time = state.scorer.pipeline.lastSample?.time ?? -1
        recorder?.note(.sound, time: time, trial: nil, value: nil, detail: event.recordedDetail)
        publish()
    }

    private func connectionChanged(_ event: SensorEvent) {
        dispatchPrecondition(condition: .onQueue(queue))
        switch event {
        case .disconnected(let reason):
            state.connected = false
            state.unplugged = reason
            recorder?.record(blocks: [], events: [.disconnected(reason: reason)])
        case .reconnected:
            state.connected = true
            state.unplugged = nil
            recorder?.record(blocks: [], events: [.reconnected])
        case .stalled:
            recorder?.record(blocks: [], events: [.stalled])
        case .packet:
            return
        }
        publish()
        onEvent?(event)
        if case .disconnected = event, endings.whenUnplugged { stop.signal() }
    }

    /// The drill's events: the bell, the finished lines, the recording, the end.
    private func noteDrillEvents(_ events: [PracticeSession.Event]) {
        guard let time = state.drill?.time else { return }
        var finishedLines: [String] = []
        var bell = false
        for event in events {
            switch event {
            case .leftBand, .holdGoalMet: bell = true
            case .trialStarted(let number):
                recorder?.note(.drillTrialStarted, time: time, trial: number, value: nil, detail: nil)
            case .trialEnded(let result):
                let m = result.metrics
                var line =
                    "trial \(m.trial) done: score \(m.score.fixed(1)), best hold \(m.longestHoldSeconds.fixed(1)) s, "
                    + "in band \(m.inBandPercent.fixed(0))%, feedback \(result.feedback)"
                if let balance = m.hands?.balance {
                    line += ", left share " + (balance.meanLeftSharePercent.map { "\($0.fixed(1))%" } ?? "—")
                        + ", balanced " + (balance.balancedPercent.map { "\($0.fixed(0))%" } ?? "—")
                }
                finishedLines.append(line)
                recorder?.note(.drillTrialEnded, time: time, trial: m.trial, value: m.score, detail: nil)
            case .drillComplete:
                if endings.whenDrillCompletes { stop.signal() }
            }
        }
        if bell || !finishedLines.isEmpty {
            outbox.withLock { box in
                box.bell = box.bell || bell
                box.finishedLines += finishedLines
            }
        }
    }

    private func publish(history: [(time: Double, force: Double)] = [], hands: [HandForces] = [], arrived: UInt64? = nil) {
        dispatchPrecondition(condition: .onQueue(queue))
        let stream = tracker.withLock { $0.statistics }
        var snapshot = PipelineSnapshot(calibrated: conversion.isCalibrated)
        snapshot.calibrationExpired = conversion.isExpired
        let pipeline = state.scorer.pipeline
        if let last = pipeline.lastSample {
            snapshot.time = last.time
            snapshot.raw = last.raw
            snapshot.filtered = last.filtered
            snapshot.hands = last.hands
            snapshot.verdict = Verdict(force: last.filtered, options: configuration.trial)
            snapshot.contact = last.filtered >= configuration.trial.contact
        }
        snapshot.currentHold = pipeline.currentHold
        snapshot.trialNumber = pipeline.trialCount
        snapshot.trial = pipeline.currentTrial
        snapshot.lastTrial = pipeline.trials.last
        snapshot.completedTrials = pipeline.trials.count
        snapshot.tare = state.scorer.tare
        snapshot.taring = state.scorer.isTaring
        snapshot.samples = pipeline.samples
        snapshot.lostFrames = stream.lostFrames
        snapshot.crcErrors = stream.crcErrors
        snapshot.droppedBlocks = incoming.dropped
        snapshot.rejectedSamples = state.scorer.rejectedSamples
        snapshot.connected = state.connected
        let (drill, unplugged, window, sound) = (state.drill, state.unplugged, historySeconds, state.sound)
        // The history lives only in the published frame and grows there in
        // place: a reader's copy shares its storage until the next append, so
        // it is copied at most once per read (20 a second), never per batch.
        published.withLock { frame in
            frame.snapshot = snapshot
            frame.drill = drill
            frame.unplugged = unplugged
            frame.sound = sound
            if let arrived { frame.arrivedNanos = arrived }
            guard !history.isEmpty else { return }
            frame.history.append(contentsOf: history)
            frame.handsHistory.append(contentsOf: hands)
            if let newest = frame.history.last?.time {
                while let first = frame.history.first, newest - first.time > window {
                    frame.history.removeFirst()
                    if !frame.handsHistory.isEmpty { frame.handsHistory.removeFirst() }
                }
            }
        }
    }

    /// On the connection's thread, before the next packet.
    private func noteConnection(_ event: SensorEvent) {
        let at = now()
        switch event {
        case .disconnected:
            disconnectedAt.store(at, ordering: .relaxed)
            tracker.withLock { $0.noteDisconnect() }
        case .reconnected:
            let since = disconnectedAt.load(ordering: .relaxed)
            tracker.withLock { $0.noteReconnect(gapMicros: since > 0 ? Int64((at - since) / 1000) : 0) }
        case .stalled, .packet:
            break
        }
    }
}
