import LightTouchCore

/// How an assessment is graded: pass criteria as thresholds on the
/// documented trial metrics (README, "Trials and metrics"), over every trial
/// or over the best N, and grade bands on the score.
public struct Rubric: Sendable, Equatable, Hashable {
    /// A metric a criterion can name: the trial keys of the results JSON.
    public enum Metric: String, Sendable, CaseIterable, Hashable {
        case inBandPercent = "in_band_pct"
        case longestHold = "longest_hold_s"
        case inBandSeconds = "in_band_s"
        case timeToTarget = "time_to_target_s"
        case cv
        case sd = "sd_g"
        case mae = "mae_g"
        case rmse = "rmse_g"
        case overshoot = "overshoot_g"
        case peak = "peak_g"
        case mean = "mean_g"
        case drift = "drift_g_per_s"
        case score
        // Two hands (docs/scoring.md, "Two hands"): the balance, and each hand alone.
        case balancedPercent = "balanced_pct"
        case balancedSeconds = "balanced_s"
        case leftShareMean = "left_share_mean_pct"
        case leftShareSD = "left_share_sd_pct"
        case leftInBandPercent = "left_in_band_pct"
        case rightInBandPercent = "right_in_band_pct"
        case leftMean = "left_mean_g"
        case rightMean = "right_mean_g"
        /// The student's estimate against the trial (docs/scoring.md, "Estimation error"), as
        /// magnitudes: bands off (0 to 2), grams off, seconds off. Undefined for a trial without that estimate.
        case estimateVerdictError = "estimate_verdict_error"
        case estimateForceError = "estimate_force_error_g"
        case estimateHoldError = "estimate_hold_error_s"

        /// Whether the metric is a two-hand trial's only.
        public var isTwoHanded: Bool {
            switch self {
            case .balancedPercent, .balancedSeconds, .leftShareMean, .leftShareSD, .leftInBandPercent, .rightInBandPercent,
                .leftMean, .rightMean:
                true
            default: false
            }
        }

        /// Whether the metric is about the student's estimate rather than the force.
        public var isEstimate: Bool {
            switch self {
            case .estimateVerdictError, .estimateForceError, .estimateHoldError: true
            default: false
            }
        }

        /// The estimate metric's value; nil for the force metrics, or when the estimate was not given.
        public func value(_ error: EstimationError?) -> Double? {
            switch self {
            case .estimateVerdictError: error?.verdictError.map { Double(abs($0)) }
            case .estimateForceError: error?.forceErrorGrams.map(abs)
            case .estimateHoldError: error?.holdErrorSeconds.map(abs)
            default: nil
            }
        }

        /// The trial's value; nil when the metric is undefined for it (the band was never reached).
        public func value(_ trial: TrialMetrics) -> Double? {
            switch self {
            case .inBandPercent: trial.inBandPercent
            case .longestHold: trial.longestHoldSeconds
            case .inBandSeconds: trial.inBandSeconds
            case .timeToTarget: trial.timeToTargetSeconds
            case .cv: trial.cv
            case .sd: trial.sdGrams
            case .mae: trial.maeGrams
            case .rmse: trial.rmseGrams
            case .overshoot: trial.overshootGrams
            case .peak: trial.peakGrams
            case .mean: trial.meanGrams
            case .drift: trial.driftGramsPerSecond.map(abs)
            case .score: trial.score
            case .balancedPercent: trial.hands?.balance.balancedPercent
            case .balancedSeconds: trial.hands?.balance.balancedSeconds
            case .leftShareMean: trial.hands?.balance.meanLeftSharePercent
            case .leftShareSD: trial.hands?.balance.sdLeftSharePercent
            case .leftInBandPercent: trial.hands?.left.inBandPercent
            case .rightInBandPercent: trial.hands?.right.inBandPercent
            case .leftMean: trial.hands?.left.meanGrams
            case .rightMean: trial.hands?.right.meanGrams
            case .estimateVerdictError, .estimateForceError, .estimateHoldError: nil
            }
        }

        public static var allowedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    public enum Comparison: String, Sendable, CaseIterable, Hashable {
        case atLeast = ">=", atMost = "<="

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .atLeast: value >= threshold
            case .atMost: value <= threshold
            }
        }
    }

    /// `in_band_pct >= 70`.
    public struct Criterion: Sendable, Equatable, Hashable, CustomStringConvertible {
        public var metric: Metric
        public var comparison: Comparison
        public var threshold: Double

        public init(metric: Metric, comparison: Comparison, threshold: Double) {
            self.metric = metric
            self.comparison = comparison
            self.threshold = threshold
        }

        public var description: String { "\(metric.rawValue) \(comparison.rawValue) \(threshold.trimmed)" }
    }

    /// Which trials the criteria look at.
    public enum Scope: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// Every trial must meet every criterion: a criterion's value is the worst trial's.
        case eachTrial
        /// The best `n` trials by score: a criterion's value is their mean.
        case best(Int)

        public var description: String {
            switch self {
            case .eachTrial: "each"
            case .best(let n): "best \(n)"
            }
        }
    }

    /// A grade for scores from `minimumScore` up.
    public struct Band: Sendable, Equatable, Hashable {
        public var grade: String
        public var minimumScore: Double

        public init(grade: String, minimumScore: Double) {
            self.grade = grade
            self.minimumScore = minimumScore
        }
    }

    public var criteria: [Criterion]
    public var scope: Scope
    /// Highest first; they apply when every criterion passes.
    public var bands: [Band]
    /// The grade when a criterion fails.
    public var failGrade: String

    public init(criteria: [Criterion], scope: Scope, bands: [Band], failGrade: String = "F") {
        self.criteria = criteria
        self.scope = scope
        self.bands = bands.sorted { $0.minimumScore > $1.minimumScore }
        self.failGrade = failGrade
    }

    /// Grades the trials of one attempt. `expectedTrials` is the protocol's
    /// count: a trial never done counts as failed.
    public func evaluate(_ trials: [TrialMetrics], expectedTrials: Int) -> Assessment {
        evaluate(trials.map { GradedTrial($0) }, expectedTrials: expectedTrials)
    }

    public func evaluate(_ trials: [GradedTrial], expectedTrials: Int) -> Assessment {
        let considered: [GradedTrial]
        switch scope {
        case .eachTrial: considered = trials
        case .best(let n): considered = Array(trials.sorted { $0.score > $1.score }.prefix(n))
        }
        let needed: Int
        switch scope {
        case .eachTrial: needed = expectedTrials
        case .best(let n): needed = n
        }
        let missing = max(0, needed - considered.count)
        var results: [Assessment.CriterionResult] = []
        for criterion in criteria {
            // An estimate criterion looks only at the trials that ask for that estimate.
            let applicable = considered.filter { !$0.inapplicable.contains(criterion.metric) }
            let values = applicable.map { $0.values[criterion.metric] }
            let value: Double?
            if values.isEmpty || values.contains(where: { $0 == nil }) {
                value = nil
            } else {
                let numbers = values.compactMap { $0 }
                switch scope {
                case .eachTrial:
                    value = criterion.comparison == .atLeast ? numbers.min() : numbers.max()
                case .best:
                    value = numbers.reduce(0, +) / Double(numbers.count)
                }
            }
            let passed = missing == 0 && value.map { criterion.comparison.holds($0, criterion.threshold) } == true
            let over = scope == .eachTrial ? "the worst trial" : "the mean of the best \(needed)"
            let reason: String
            if missing > 0 {
                reason = "\(missing) of \(needed) trial\(needed == 1 ? "" : "s") not done"
            } else if let value {
                reason = "\(criterion.metric.rawValue) \(value.trimmed) (\(over)) "
                    + (passed ? "meets" : "misses") + " \(criterion.comparison.rawValue) \(criterion.threshold.trimmed)"
            } else if criterion.metric.isEstimate {
                reason = applicable.isEmpty && !considered.isEmpty
                    ? "\(criterion.metric.rawValue) is undefined: no trial asks for that estimate"
                    : "\(criterion.metric.rawValue) is undefined: an estimate was skipped"
            } else {
                reason = "\(criterion.metric.rawValue) is undefined: the band was never reached"
                    + (criterion.metric.isTwoHanded ? " by both hands together" : "")
            }
            results.append(Assessment.CriterionResult(criterion: criterion, value: value, passed: passed, reason: reason))
        }
        let scores = considered.map(\.score) + Array(repeating: 0, count: missing)
        let score = scores.isEmpty ? 0 : ((scores.reduce(0, +) / Double(scores.count)) * 10).rounded() / 10
        let passed = results.allSatisfy(\.passed) && missing == 0
        let grade = passed ? (bands.first { score >= $0.minimumScore }?.grade ?? failGrade) : failGrade
        return Assessment(score: score, passed: passed, grade: grade, criteria: results)
    }
}

/// One attempt's grade: the score, pass or fail, the grade and each criterion's value with the reason.
public struct Assessment: Sendable, Equatable {
    public struct CriterionResult: Sendable, Equatable {
        public var criterion: Rubric.Criterion
        /// The value compared (worst trial, or the best N's mean); nil when undefined.
        public var value: Double?
        public var passed: Bool
        public var reason: String

        public var json: JSONValue {
            .object([
                ("metric", .string(criterion.metric.rawValue)), ("op", .string(criterion.comparison.rawValue)),
                ("threshold", .double(criterion.threshold)), ("value", .number(value.map(TrialMetrics.rounded))),
                ("passed", .bool(passed)), ("reason", .string(reason)),
            ])
        }
    }

    /// Mean score of the trials considered, to 0.1.
    public var score: Double
    public var passed: Bool
    public var grade: String
    public var criteria: [CriterionResult]

    public var json: JSONValue {
        .object([
            ("score", .double(score)), ("passed", .bool(passed)), ("grade", .string(grade)),
            ("criteria", .array(criteria.map(\.json))),
        ])
    }
}

extension Double {
    /// 70, 0.15, 8.5: no trailing zeros, at most 6 decimals.
    var trimmed: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        return String(TrialMetrics.rounded(self))
    }
}

/// A trial's metrics as the rubric sees them: a value per metric, absent when undefined.
public struct GradedTrial: Sendable, Equatable {
    public var trial: Int
    public var values: [Rubric.Metric: Double]
    /// The estimate metrics the trial's drill did not ask for: a criterion on them passes over the trial.
    public var inapplicable: Set<Rubric.Metric>
    public var score: Double { values[.score] ?? 0 }

    public init(trial: Int, values: [Rubric.Metric: Double], inapplicable: Set<Rubric.Metric> = []) {
        self.trial = trial
        self.values = values
        self.inapplicable = inapplicable
    }

    /// - Parameters:
    ///   - request: what the trial asked the student to estimate;
    ///   - estimation: the estimate against the trial (nil when skipped or not asked).
    public init(_ metrics: TrialMetrics, request: EstimateRequest = .none, estimation: EstimationError? = nil) {
        trial = metrics.trial
        var values: [Rubric.Metric: Double] = [:]
        for metric in Rubric.Metric.allCases {
            if let value = metric.isEstimate ? metric.value(estimation) : metric.value(metrics) { values[metric] = value }
        }
        self.values = values
        var inapplicable: Set<Rubric.Metric> = []
        if request.force == nil { inapplicable.insert(.estimateVerdictError) }
        if request.force != .grams { inapplicable.insert(.estimateForceError) }
        if !request.hold { inapplicable.insert(.estimateHoldError) }
        self.inapplicable = inapplicable
    }
}
