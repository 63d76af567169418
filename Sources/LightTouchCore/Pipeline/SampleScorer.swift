/// The per-sample scoring rules, in one place, for a live session and for the
/// replay of its recording alike, so the two cannot drift apart:
///
/// - time 0 is the first sample's device time;
/// - a sample with a channel at a rail (over range) is not a force that can
///   be scored: it is skipped and counted; so is, in a two-hand session, a
///   sample without both hands' channels (in the block or the conversion);
/// - counts become grams through the session's `ForceConversion`;
/// - nothing is scored before the first tare has finished (or was refused);
/// - from a tare's sample on, its offset is subtracted (a refused tare keeps
///   the previous one);
/// - the rest is `ForcePipeline.process`.
///
/// Where the tares come from is the only difference: a live session measures
/// them here (`TareWindow`, started by `requestTare`); a replay applies the
/// recorded ones at their recorded times.
public struct SampleScorer: Sendable {
    /// What one sample came to.
    public enum Step: Sendable {
        /// Over range: skipped, counted in `rejectedSamples`.
        case overRange(time: Double)
        /// Before the first tare: not scored.
        case unscored(time: Double, untared: Double)
        /// Scored: the pipeline's sample, and the force before tare.
        case scored(ProcessedSample, untared: Double)
    }

    /// A tare that finished at a sample.
    public enum TareOutcome: Sendable, Equatable {
        case zeroed(time: Double, offset: Double)
        case refused(time: Double, TareRefusal)
    }

    /// A tare of a recording: when it finished, and its offset (nil when it
    /// was refused); a two-hand tare's offsets per hand.
    public struct RecordedTare: Sendable, Equatable {
        public var time: Double
        public var offset: Double?
        public var hands: HandForces?

        public init(time: Double, offset: Double?, hands: HandForces? = nil) {
            self.time = time
            self.offset = offset
            self.hands = hands
        }

        /// A two-hand tare's offsets as a recorded event's detail: `hands L R`,
        /// each the shortest text that reads back to the same Double.
        public static func detail(hands: HandForces) -> String { "hands \(hands.left) \(hands.right)" }

        /// The offsets a recorded tare's detail holds (nil for a one-hand tare).
        public static func hands(detail: String?) -> HandForces? {
            guard let parts = detail?.split(separator: " "), parts.count == 3, parts[0] == "hands",
                let left = Double(parts[1]), let right = Double(parts[2]), left.isFinite, right.isFinite
            else { return nil }
            return HandForces(left: left, right: right)
        }
    }

    private enum Tares: Sendable {
        case measured(TareSettings, window: TareWindow?)
        case recorded([RecordedTare], next: Int)
    }

    public private(set) var pipeline: ForcePipeline
    public let conversion: ForceConversion
    /// The zero in use, and whether one was ever set (`.measuring` until the first tare finishes).
    public private(set) var tare: TareState = .measuring
    /// Device time of the first sample, µs: what time 0 is.
    public private(set) var originMicros: Double?
    /// Samples skipped because a channel was over range.
    public private(set) var rejectedSamples = 0
    /// The latest tare that finished, until `takeTareOutcome` reads it.
    public private(set) var tareOutcome: TareOutcome?
    /// A trial the pipeline started or ended at the last scored sample (touch and release).
    public private(set) var trialStarted: Int?
    public private(set) var trialEnded: TrialMetrics?
    private var tares: Tares
    /// Two hands: each hand's zero in use (zero until the first tare), and
    /// the windows of a tare being measured.
    public private(set) var handOffsets = HandForces(left: 0, right: 0)
    /// The hand offsets of the latest two-hand tare that finished, until `takeTareOutcome` reads it.
    public private(set) var handsTareOutcome: HandForces?
    private var handWindows: [TareWindow] = []
    private let twoHands: Bool

    /// A live session's scorer: the first tare is measured over the first samples.
    public init(
        configuration: PipelineConfiguration, conversion: ForceConversion, tare settings: TareSettings,
        segmentsTrials: Bool = true
    ) throws(FilterConfigurationError) {
        pipeline = try ForcePipeline(configuration: configuration, segmentsTrials: segmentsTrials)
        self.conversion = conversion
        tares = .measured(settings, window: TareWindow(settings: settings, isCalibrated: conversion.isCalibrated))
        twoHands = configuration.balance != nil
        if twoHands { handWindows = Self.handWindows(settings, conversion) }
    }

    private static func handWindows(_ settings: TareSettings, _ conversion: ForceConversion) -> [TareWindow] {
        Array(repeating: TareWindow(settings: settings, isCalibrated: conversion.isCalibrated), count: 2)
    }

    /// A replay's scorer: the tares are the recorded ones, applied at their times.
    public init(
        configuration: PipelineConfiguration, conversion: ForceConversion, recordedTares: [RecordedTare],
        segmentsTrials: Bool = true
    ) throws(FilterConfigurationError) {
        pipeline = try ForcePipeline(configuration: configuration, segmentsTrials: segmentsTrials)
        self.conversion = conversion
        tares = .recorded(recordedTares, next: 0)
        twoHands = configuration.balance != nil
    }

    /// A tare window is being collected (the first, or one asked for since).
    public var isTaring: Bool {
        if case .measured(_, let window) = tares { return window != nil }
        return false
    }

    /// Starts a new tare window at the next sample (a live session's `t`).
    /// The previous zero applies until it finishes.
    public mutating func requestTare() {
        guard case .measured(let settings, _) = tares else { return }
        tares = .measured(settings, window: TareWindow(settings: settings, isCalibrated: conversion.isCalibrated))
        if twoHands { handWindows = Self.handWindows(settings, conversion) }
    }

    /// Scores sample `k` of `block`.
    @inline(__always)
    public mutating func score(_ block: SampleBlock, sample k: Int) -> Step {
        let micros = block.timeMicros(ofSample: k)
        let origin = originMicros ?? micros
        originMicros = origin
        let time = (micros - origin) / 1e6
        if block.saturatedMask != 0 || (twoHands && (block.channels < 2 || conversion.channels.count < 2)) {
            rejectedSamples += 1
            return .overRange(time: time)
        }
        let untared: Double
        var hands: HandForces?
        if twoHands {
            let split = HandForces(
                left: conversion.grams(block, sample: k, channel: 0), right: conversion.grams(block, sample: k, channel: 1))
            untared = split.left + split.right
            hands = split
        } else {
            untared = conversion.grams(block, sample: k)
        }
        applyTares(time: time, untared: untared, hands: hands)
        if case .measuring = tare { return .unscored(time: time, untared: untared) }
        let trialsBefore = pipeline.trials.count, startedBefore = pipeline.trialCount
        let sample =
            if let hands {
                pipeline.process(time: time, left: hands.left - handOffsets.left, right: hands.right - handOffsets.right)
            } else {
                pipeline.process(time: time, grams: untared - tare.offset)
            }
        trialEnded = pipeline.trials.count > trialsBefore ? pipeline.trials.last : nil
        trialStarted = pipeline.trialCount > startedBefore ? pipeline.trialCount : nil
        return .scored(sample, untared: untared)
    }

    /// The tare that finished since the last call, if one did (with each
    /// hand's offset when a two-hand tare zeroed).
    public mutating func takeTareOutcome() -> TareOutcome? {
        defer { tareOutcome = nil }
        return tareOutcome
    }

    /// A two-hand tare's offsets, when the outcome `takeTareOutcome` just gave zeroed the hands.
    public mutating func takeHandsTareOutcome() -> HandForces? {
        defer { handsTareOutcome = nil }
        return handsTareOutcome
    }

    /// Ends the stream: a trial in progress ends by the rules.
    public mutating func finish() {
        pipeline.finish()
    }

    @inline(__always)
    private mutating func applyTares(time: Double, untared: Double, hands: HandForces?) {
        switch tares {
        case .measured(let settings, var window?):
            var outcome = window.add(time: time, grams: untared)
            if let hands, handWindows.count == 2 {
                // Each hand is zeroed on its own channel; the windows fill on the same samples as the total's.
                let left = handWindows[0].add(time: time, grams: hands.left)
                let right = handWindows[1].add(time: time, grams: hands.right)
                if let left, let right {
                    switch (left, right) {
                    case (.success(let l), .success(let r)):
                        handOffsets = HandForces(left: l, right: r)
                        handsTareOutcome = handOffsets
                        outcome = .success(l + r)
                    case (.failure(let refusal), _), (_, .failure(let refusal)):
                        outcome = .failure(refusal)
                    }
                    handWindows = Self.handWindows(settings, conversion)
                } else {
                    outcome = nil
                }
            }
            guard let outcome else {
                tares = .measured(settings, window: window)
                return
            }
            tares = .measured(settings, window: nil)
            switch outcome {
            case .success(let offset):
                tare = .zeroed(offset: offset)
                tareOutcome = .zeroed(time: time, offset: offset)
            case .failure(let refusal):
                tare = .refused(refusal, offset: tare.offset)
                tareOutcome = .refused(time: time, refusal)
            }
        case .measured(_, window: nil):
            return
        case .recorded(let recorded, var next):
            guard next < recorded.count, recorded[next].time <= time else { return }
            while next < recorded.count, recorded[next].time <= time {
                if let offset = recorded[next].offset {
                    tare = .zeroed(offset: offset)
                    if let hands = recorded[next].hands { handOffsets = hands }
                } else {
                    // The reason is not needed to score; the previous zero stays.
                    tare = .refused(.unstable(sd: .nan), offset: tare.offset)
                }
                next += 1
            }
            tares = .recorded(recorded, next: next)
        }
    }
}
