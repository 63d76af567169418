/// The results of one trial, as the README defines them. Optional values are
/// null when the force never reached the band.
public struct TrialMetrics: Sendable, Equatable {
    public var trial: Int
    public var startSeconds: Double
    public var endSeconds: Double
    public var durationSeconds: Double { endSeconds - startSeconds }
    public var timeToTargetSeconds: Double?
    public var inBandSeconds: Double
    public var inBandPercent: Double
    public var longestHoldSeconds: Double
    public var meanGrams: Double?
    public var sdGrams: Double?
    public var cv: Double?
    public var maeGrams: Double?
    public var rmseGrams: Double?
    public var driftGramsPerSecond: Double?
    public var peakGrams: Double
    public var overshootGrams: Double
    public var score: Double
    /// Samples the trial holds.
    public var samples: Int
    /// A two-hand trial's hands and balance (nil for one hand). The metrics
    /// above are then the pair's: its force is the hands' mean, in band when
    /// both hands are and the pair is balanced.
    public var hands: HandsMetrics? = nil

    /// The trial as a JSON object, with the documented key names.
    public var json: JSONValue {
        .object([
            ("trial", .int(trial)),
            ("start_s", .double(Self.rounded(startSeconds))),
            ("end_s", .double(Self.rounded(endSeconds))),
            ("duration_s", .double(Self.rounded(durationSeconds))),
            ("time_to_target_s", .number(timeToTargetSeconds.map(Self.rounded))),
            ("in_band_s", .double(Self.rounded(inBandSeconds))),
            ("in_band_pct", .double(Self.rounded(inBandPercent))),
            ("longest_hold_s", .double(Self.rounded(longestHoldSeconds))),
            ("mean_g", .number(meanGrams.map(Self.rounded))),
            ("sd_g", .number(sdGrams.map(Self.rounded))),
            ("cv", .number(cv.map(Self.rounded))),
            ("mae_g", .number(maeGrams.map(Self.rounded))),
            ("rmse_g", .number(rmseGrams.map(Self.rounded))),
            ("drift_g_per_s", .number(driftGramsPerSecond.map(Self.rounded))),
            ("peak_g", .double(Self.rounded(peakGrams))),
            ("overshoot_g", .double(Self.rounded(overshootGrams))),
            ("score", .double(score)),
            ("samples", .int(samples)),
        ] + (hands.map { [("hands", $0.json)] } ?? []))
    }

    /// Results are reported to 1e-6 (a microsecond, a microgram): far below
    /// what a sensor resolves, and it keeps the JSON stable and readable.
    public static func rounded(_ value: Double) -> Double {
        (value * 1e6).rounded() / 1e6
    }
}

/// The score of a trial, 0 to 100 (README, "Score").
///
///     score = 100 × (0.40·H + 0.30·P + 0.15·A + 0.15·S)
///     H = min(1, longest_hold_s / hold goal)            hold time
///     P = in_band_pct / 100                            time in band
///     A = max(0, 1 − mae_g / (2 · tolerance))           accuracy (0 when the band is never reached)
///     S = max(0, 1 − cv / 0.25)                         steadiness (0 when the band is never reached)
///
/// Each term only falls when its metric gets worse, and the weights are
/// positive, so the score never rises when accuracy, steadiness or hold time
/// get worse. It is rounded to 0.1.
public enum TrialScore {
    public static let holdWeight = 0.40
    public static let inBandWeight = 0.30
    public static let accuracyWeight = 0.15
    public static let steadinessWeight = 0.15
    /// The coefficient of variation at which steadiness scores 0.
    public static let cvForZeroSteadiness = 0.25

    public static func score(
        longestHold: Double, inBandPercent: Double, mae: Double?, cv: Double?, options: TrialOptions
    ) -> Double {
        let hold = min(1, max(0, longestHold / options.holdGoal))
        let inBand = min(1, max(0, inBandPercent / 100))
        let accuracy = mae.map { max(0, 1 - $0 / (2 * options.tolerance)) } ?? 0
        let steadiness = cv.map { max(0, 1 - abs($0) / cvForZeroSteadiness) } ?? 0
        let raw = 100 * (holdWeight * hold + inBandWeight * inBand + accuracyWeight * accuracy + steadinessWeight * steadiness)
        return (raw * 10).rounded() / 10
    }
}
