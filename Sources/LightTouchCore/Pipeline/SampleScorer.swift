/// The per-sample scoring rules, in one place, for a live session and for the
/// replay of its recording alike, so the two cannot drift apart:
///
/// - time 0 is the first sample's device time;
/// - a sample with a channel at a rail (over range) is not a force that can
///   be scored: it is skipped and counted;
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

    /// A tare of a recording: when it finished, and its offset (nil when it was refused).
    public struct RecordedTare: Sendable, Equatable {
        public var time: Double
        public var offset: Double?

        public init(time: Double, offset: Double?) {
            self.time = time
            self.offset = offset
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

    /// A live session's scorer: the first tare is measured over the first samples.
    public init(
        configuration: PipelineConfiguration, conversion: ForceConversion, tare settings: TareSettings,
        segmentsTrials: Bool = true
    ) throws(FilterConfigurationError) {
        pipeline = try ForcePipeline(configuration: configuration, segmentsTrials: segmentsTrials)
        self.conversion = conversion
        tares = .measured(settings, window: TareWindow(settings: settings, isCalibrated: conversion.isCalibrated))
    }

    /// A replay's scorer: the tares are the recorded ones, applied at their times.
    public init(
        configuration: PipelineConfiguration, conversion: ForceConversion, recordedTares: [RecordedTare],
        segmentsTrials: Bool = true
    ) throws(FilterConfigurationError) {
        pipeline = try ForcePipeline(configuration: configuration, segmentsTrials: segmentsTrials)
        self.conversion = conversion
        tares = .recorded(recordedTares, next: 0)
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
    }

    /// Scores sample `k` of `block`.
    @inline(__always)
    public mutating func score(_ block: SampleBlock, sample k: Int) -> Step {
        let micros = block.timeMicros(ofSample: k)
        let origin = originMicros ?? micros
        originMicros = origin
        let time = (micros - origin) / 1e6
        if block.saturatedMask != 0 {
            rejectedSamples += 1
            return .overRange(time: time)
        }
        let untared = conversion.grams(block, sample: k)
        applyTares(time: time, untared: untared)
        if case .measuring = tare { return .unscored(time: time, untared: untared) }
        let trialsBefore = pipeline.trials.count, startedBefore = pipeline.trialCount
        let sample = pipeline.process(time: time, grams: untared - tare.offset)
        trialEnded = pipeline.trials.count > trialsBefore ? pipeline.trials.last : nil
        trialStarted = pipeline.trialCount > startedBefore ? pipeline.trialCount : nil
        return .scored(sample, untared: untared)
    }

    /// The tare that finished since the last call, if one did.
    public mutating func takeTareOutcome() -> TareOutcome? {
        defer { tareOutcome = nil }
        return tareOutcome
    }

    /// Ends the stream: a trial in progress ends by the rules.
    public mutating func finish() {
        pipeline.finish()
    }

    @inline(__always)
    private mutating func applyTares(time: Double, untared: Double) {
        switch tares {
        case .measured(let settings, var window?):
            guard let outcome = window.add(time: time, grams: untared) else {
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
