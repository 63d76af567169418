/// Everything that decides how samples are scored; recorded with the results.
public struct PipelineConfiguration: Sendable, Equatable, Hashable {
    public var trial: TrialOptions
    public var filter: FilterSettings
    /// The stream's nominal sample rate, Hz (the filters are designed for it).
    public var sampleRate: Double
    /// Two hands: channel 0 is the left hand, channel 1 the right, each
    /// filtered and scored against the band, and this is their balance band.
    /// Nil: one hand, the channels summed into one force.
    public var balance: BalanceSettings?

    public init(
        trial: TrialOptions = TrialOptions(), filter: FilterSettings = .default, sampleRate: Double, balance: BalanceSettings? = nil
    ) {
        self.trial = trial
        self.filter = filter
        self.sampleRate = sampleRate
        self.balance = balance
    }

    /// 1, or 2 when the session is two-handed.
    public var hands: Int { balance == nil ? 1 : 2 }

    /// A one-hand session's members are as they always were (old recordings'
    /// results stay byte-identical); two hands add theirs at the end.
    public var jsonMembers: [(String, JSONValue)] {
        trial.jsonMembers + filter.jsonMembers + [("sample_rate_hz", .double(sampleRate))] + (balance?.jsonMembers ?? [])
    }
}

/// One sample after the pipeline.
public struct ProcessedSample: Sendable, Equatable {
    public var time: Double
    /// Force after conversion and tare, grams.
    public var raw: Double
    /// Force after the filter: what the student sees and what is scored, grams.
    public var filtered: Double
    public var inBand: Bool
    /// Each hand's filtered force in a two-hand session (nil for one hand).
    /// `raw` and `filtered` are then the hands' mean, and `inBand` says both
    /// hands are in the band and balanced.
    public var hands: HandForces? = nil
    /// Each hand's force after tare, before the filter (nil for one hand):
    /// what a replay of an export needs to score each hand again.
    public var rawHands: HandForces? = nil

    public init(
        time: Double, raw: Double, filtered: Double, inBand: Bool, hands: HandForces? = nil, rawHands: HandForces? = nil
    ) {
        self.time = time
        self.raw = raw
        self.filtered = filtered
        self.inBand = inBand
        self.hands = hands
        self.rawHands = rawHands
    }
}

/// The session's totals (README, "Session summary").
public struct SessionSummary: Sendable, Equatable {
    public var trials: Int
    public var meanScore: Double?
    public var bestScore: Double?
    public var bestHoldSeconds: Double
    public var inBandSeconds: Double
    public var samples: Int
    public var lostFrames: Int
    public var rejectedSamples: Int
    public var calibrated: Bool

    public init(
        trials: Int, meanScore: Double?, bestScore: Double?, bestHoldSeconds: Double, inBandSeconds: Double, samples: Int,
        lostFrames: Int, rejectedSamples: Int, calibrated: Bool
    ) {
        self.trials = trials
        self.meanScore = meanScore
        self.bestScore = bestScore
        self.bestHoldSeconds = bestHoldSeconds
        self.inBandSeconds = inBandSeconds
        self.samples = samples
        self.lostFrames = lostFrames
        self.rejectedSamples = rejectedSamples
        self.calibrated = calibrated
    }

    public var json: JSONValue {
        .object([
            ("trials", .int(trials)),
            ("mean_score", .number(meanScore.map { ($0 * 10).rounded() / 10 })),
            ("best_score", .number(bestScore)),
            ("best_hold_s", .double(TrialMetrics.rounded(bestHoldSeconds))),
            ("in_band_s", .double(TrialMetrics.rounded(inBandSeconds))),
            ("samples", .int(samples)),
            ("lost_frames", .int(lostFrames)),
            ("rejected_samples", .int(rejectedSamples)),
            ("calibrated", .bool(calibrated)),
        ])
    }
}

/// The scoring pipeline: filter, band comparison, trial segmentation and
/// metrics. Pure and deterministic: the same samples and configuration give
/// the same results, live or replayed.
public struct ForcePipeline: Sendable {
    public let configuration: PipelineConfiguration
    public private(set) var trials: [TrialMetrics] = []
    public private(set) var samples = 0
    public private(set) var lastSample: ProcessedSample?
    private var filter: FilterChain
    /// Two hands: the left's filter and the right's (empty for one hand).
    private var handFilters: [FilterChain] = []
    /// Nil when something else decides the trials (a drill: `WindowedTrials`).
    private var segmenter: TrialSegmenter?

    /// - Parameter segmentsTrials: whether the pipeline finds trials by touch
    ///   and release; a drill decides its own trials, so it turns this off and
    ///   trials are never segmented twice.
    public init(configuration: PipelineConfiguration, segmentsTrials: Bool = true) throws(FilterConfigurationError) {
        self.configuration = configuration
        filter = try configuration.filter.makeChain(sampleRateHz: configuration.sampleRate)
        if configuration.balance != nil { handFilters = [filter, filter] }
        segmenter = segmentsTrials ? TrialSegmenter(options: configuration.trial, balance: configuration.balance) : nil
    }

    /// Runs one sample (time in seconds, force in grams after tare) through
    /// the pipeline. A trial that this sample ended is appended to `trials`.
    @inline(__always)
    @discardableResult
    public mutating func process(time: Double, grams: Double) -> ProcessedSample {
        let filtered = filter(grams, at: time)
        let sample = ProcessedSample(
            time: time, raw: grams, filtered: filtered, inBand: configuration.trial.isInBand(filtered))
        samples += 1
        lastSample = sample
        if let trial = segmenter?.push(time: time, force: filtered) { trials.append(trial) }
        return sample
    }

    /// Runs one two-hand sample (each hand's grams after tare) through each
    /// hand's filter. The pair's force is the hands' mean. A pipeline that
    /// finds its own trials (a replay of a two-hand CSV; a live two-hand
    /// session runs a drill, whose windows score the hands) finds them by
    /// the mean's touch and release, and scores each hand and the balance.
    @inline(__always)
    @discardableResult
    public mutating func process(time: Double, left: Double, right: Double) -> ProcessedSample {
        guard handFilters.count == 2 else { return process(time: time, grams: left + right) }
        let hands = HandForces(
            left: handFilters[0].callAsFunction(left, at: time), right: handFilters[1].callAsFunction(right, at: time))
        let options = configuration.trial
        let inBand = configuration.balance.map { options.isInBand(hands, balance: $0) } ?? options.isInBand(hands.mean)
        let sample = ProcessedSample(
            time: time, raw: (left + right) / 2, filtered: hands.mean, inBand: inBand, hands: hands,
            rawHands: HandForces(left: left, right: right))
        samples += 1
        lastSample = sample
        if let trial = segmenter?.push(time: time, hands: hands) { trials.append(trial) }
        return sample
    }

    /// Ends the stream: a trial in progress ends by the rules.
    public mutating func finish() {
        if let trial = segmenter?.finish() { trials.append(trial) }
    }

    /// The trial in progress, as it stands now.
    public var currentTrial: TrialMetrics? {
        lastSample.flatMap { segmenter?.snapshot(at: $0.time) }
    }

    /// The hold running now, seconds.
    public var currentHold: Double {
        lastSample.flatMap { segmenter?.currentHold(at: $0.time) } ?? 0
    }

    /// Trials started so far, the one in progress included.
    public var trialCount: Int { segmenter?.trialCount ?? 0 }

    public func summary(lostFrames: Int = 0, rejectedSamples: Int = 0, calibrated: Bool) -> SessionSummary {
        let scores = trials.map(\.score)
        return SessionSummary(
            trials: trials.count,
            meanScore: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
            bestScore: scores.max(),
            bestHoldSeconds: trials.map(\.longestHoldSeconds).max() ?? 0,
            inBandSeconds: trials.reduce(0) { $0 + $1.inBandSeconds },
            samples: samples, lostFrames: lostFrames, rejectedSamples: rejectedSamples, calibrated: calibrated)
    }

    /// The results object: `{"trials": […], "session": {…}, "options": {…}}`.
    public func resultsJSON(summary: SessionSummary) -> JSONValue {
        .object([
            ("trials", .array(trials.map(\.json))),
            ("session", summary.json),
            ("options", .object(configuration.jsonMembers)),
        ])
    }
}
