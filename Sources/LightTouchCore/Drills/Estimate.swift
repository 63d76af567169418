/// What a drill asks the student to estimate after a trial, before any
/// result of it is shown: the mean force (as a verdict or in grams), the
/// hold, or both.
///
/// Asking learners to judge their own result before they see it makes them
/// attend to their own feedback (Guadagnoli & Kohl 2001, "Knowledge of
/// results for motor learning: relationship between error estimation and
/// knowledge of results frequency"; Chiviacowsky & Wulf 2005).
public struct EstimateRequest: Sendable, Equatable, Hashable {
    /// How the mean force is estimated.
    public enum Force: String, Sendable, Equatable, Hashable {
        /// Too light, on target or too heavy.
        case verdict
        /// A number of grams.
        case grams
    }

    public var force: Force?
    /// Whether the longest hold is estimated, in seconds.
    public var hold: Bool

    public init(force: Force? = nil, hold: Bool = false) {
        self.force = force
        self.hold = hold
    }

    public static let none = EstimateRequest()

    public var asksAnything: Bool { force != nil || hold }

    /// `none`, `verdict`, `grams`, `hold`, `verdict+hold` or `grams+hold`: the drill file's and the recording's name.
    public var name: String {
        switch (force, hold) {
        case (nil, false): "none"
        case (nil, true): "hold"
        case (let force?, false): force.rawValue
        case (let force?, true): force.rawValue + "+hold"
        }
    }

    public init?(name: String) {
        switch name {
        case "none": self = .none
        case "hold": self.init(hold: true)
        case "verdict": self.init(force: .verdict)
        case "grams": self.init(force: .grams)
        case "verdict+hold": self.init(force: .verdict, hold: true)
        case "grams+hold": self.init(force: .grams, hold: true)
        default: return nil
        }
    }

    public static let allowedNames = "none, verdict, grams, hold, verdict+hold, grams+hold"

    /// The questions in the order they are asked: the force first, then the hold.
    public var fields: [EstimateField] {
        (force.map { [$0 == .verdict ? EstimateField.verdict : .grams] } ?? []) + (hold ? [.hold] : [])
    }
}

/// One question of the estimate prompt.
public enum EstimateField: String, Sendable, Equatable, Hashable {
    case verdict, grams, hold
}

/// One answer the student gives to the prompt: a key the session records
/// and a replay applies, like space or `f`.
public enum EstimateAnswer: Sendable, Equatable, Hashable {
    case verdict(Verdict)
    case grams(Double)
    case holdSeconds(Double)
    /// No estimate for this trial (what is left of it is not asked).
    case skip

    /// The largest force and hold an answer may give (grams, seconds): beyond them it is a typing slip.
    public static let maximumGrams = 1000.0
    public static let maximumSeconds = 3600.0

    /// The field the answer fills (nil for `skip`).
    public var field: EstimateField? {
        switch self {
        case .verdict: .verdict
        case .grams: .grams
        case .holdSeconds: .hold
        case .skip: nil
        }
    }

    /// Why the answer cannot be taken, or nil.
    public var problem: String? {
        switch self {
        case .grams(let grams) where !(grams.isFinite && grams >= 0 && grams <= Self.maximumGrams):
            "a force estimate is 0 to \(Int(Self.maximumGrams)) g"
        case .holdSeconds(let seconds) where !(seconds.isFinite && seconds >= 0 && seconds <= Self.maximumSeconds):
            "a hold estimate is 0 to \(Int(Self.maximumSeconds)) s"
        default: nil
        }
    }

    /// The key's name in a recording: `estimate_verdict:too_light`,
    /// `estimate_grams:4.5`, `estimate_hold_s:6.0`, `estimate_skip`. Numbers
    /// are written in Swift's shortest round-trip form, so a replay reads back
    /// the very value.
    public var recordedName: String {
        switch self {
        case .verdict(let verdict): "estimate_verdict:" + verdict.rawValue.replacingSpaces()
        case .grams(let grams): "estimate_grams:\(grams)"
        case .holdSeconds(let seconds): "estimate_hold_s:\(seconds)"
        case .skip: "estimate_skip"
        }
    }

    public init?(recordedName name: String) {
        if name == "estimate_skip" {
            self = .skip
            return
        }
        guard let colon = name.firstIndex(of: ":") else { return nil }
        let kind = name[..<colon], value = String(name[name.index(after: colon)...])
        switch kind {
        case "estimate_verdict":
            guard let verdict = Verdict.allCases.first(where: { $0.rawValue.replacingSpaces() == value }) else { return nil }
            self = .verdict(verdict)
        case "estimate_grams":
            guard let grams = Double(value) else { return nil }
            self = .grams(grams)
        case "estimate_hold_s":
            guard let seconds = Double(value) else { return nil }
            self = .holdSeconds(seconds)
        default: return nil
        }
    }
}

/// What the student estimated of one trial.
public struct TrialEstimate: Sendable, Equatable {
    public var verdict: Verdict?
    public var grams: Double?
    public var holdSeconds: Double?
    /// The student skipped the prompt, or the session ended before every question was answered.
    public var skipped: Bool

    public init(verdict: Verdict? = nil, grams: Double? = nil, holdSeconds: Double? = nil, skipped: Bool = false) {
        self.verdict = verdict
        self.grams = grams
        self.holdSeconds = holdSeconds
        self.skipped = skipped
    }

    /// The verdict the estimate implies: the one given, or the band's verdict on the grams given.
    public func impliedVerdict(options: TrialOptions) -> Verdict? {
        verdict ?? grams.map { Verdict(force: $0, options: options) }
    }
}

/// How far an estimate was from the trial it estimates (docs/scoring.md,
/// "Estimation error"). Every error is estimated − actual, so a positive
/// error is an overestimate.
///
///     actual verdict   = the band's verdict on mean_g; when mean_g is null (the band was
///                        never reached) too heavy if peak_g > target + tolerance, else too light
///     verdict error    = step(estimated verdict) − step(actual verdict), steps: too light −1,
///                        on target 0, too heavy +1 (an estimate in grams implies its verdict)
///     force error, g   = estimated grams − mean_g        (null when mean_g is null)
///     hold error, s    = estimated hold − longest_hold_s
public struct EstimationError: Sendable, Equatable {
    public var actualVerdict: Verdict
    public var verdictError: Int?
    public var forceErrorGrams: Double?
    public var holdErrorSeconds: Double?

    public init(estimate: TrialEstimate, metrics: TrialMetrics, options: TrialOptions) {
        let actual: Verdict
        if let mean = metrics.meanGrams {
            actual = Verdict(force: mean, options: options)
        } else {
            actual = metrics.peakGrams > options.bandHigh ? .tooHeavy : .tooLight
        }
        actualVerdict = actual
        verdictError = estimate.impliedVerdict(options: options).map { $0.step - actual.step }
        forceErrorGrams = estimate.grams.flatMap { grams in metrics.meanGrams.map { grams - $0 } }
        holdErrorSeconds = estimate.holdSeconds.map { $0 - metrics.longestHoldSeconds }
    }
}

extension Verdict: CaseIterable {
    public static let allCases: [Verdict] = [.tooLight, .onTarget, .tooHeavy]

    /// −1, 0 or +1: too light, on target, too heavy.
    public var step: Int {
        switch self {
        case .tooLight: -1
        case .onTarget: 0
        case .tooHeavy: 1
        }
    }
}

extension String {
    fileprivate func replacingSpaces() -> String { String(map { $0 == " " ? "_" : $0 }) }
}
