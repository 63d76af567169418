/// How much live feedback the student gets during a trial.
///
/// Motor-learning research (Salmoni, Schmidt & Walter 1984, "Knowledge of
/// results and motor learning"; Winstein & Schmidt 1990, "Reduced frequency of
/// knowledge of results enhances motor skill learning") found that constant
/// feedback helps while it is on and hurts retention: learners come to lean on
/// it. Trials with less, or no, feedback are what builds the skill to carry away.
public enum FeedbackMode: String, CaseIterable, Sendable, Equatable, Hashable {
    /// Everything live.
    case full
    /// The force shows only while it is out of the band; in band only a calm "on target".
    case bandwidth
    /// Feedback fades from all of the time to none across the session (`FadedSchedule`).
    case faded
    /// No live force during a trial; its results afterwards.
    case blind
    /// Nothing live unless the student peeks (1 s per peek); peeks are counted.
    case selfPaced = "self"

    /// One line on what the mode shows.
    public var summary: String {
        switch self {
        case .full: "everything live"
        case .bandwidth: "the force only while out of band"
        case .faded: "feedback fades from always to never across the drill"
        case .blind: "no live force during a trial, results after it"
        case .selfPaced: "press p to peek for 1 s; peeks are counted"
        }
    }

    /// The next mode in the order `f` cycles through.
    public var next: FeedbackMode {
        let all = Self.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + 1) % all.count]
    }

    public static var allowedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The faded schedule: when faded feedback is on.
///
/// The drill's trial time is cut into segments: one per trial, or, for a
/// drill of a single trial, 10-second pieces of it. Segment k of K (counting
/// from 0) shows feedback for the first (K − 1 − k)/(K − 1) of its length and
/// none after: the first segment all the time, the last one never, linearly in
/// between (a single segment shows it throughout). For example 5 trials show
/// 100 %, 75 %, 50 %, 25 % and 0 % of each trial; a 90 s trial is 9 pieces of
/// 10 s showing 10, 8.75, 7.5, … 1.25 and 0 s.
public enum FadedSchedule {
    /// The piece length used when a drill has a single trial, seconds.
    public static let pieceSeconds = 10.0

    /// The fraction of segment `segment` (0-based) of `count` shown.
    public static func shownFraction(segment: Int, of count: Int) -> Double {
        guard count > 1 else { return 1 }
        let k = min(max(segment, 0), count - 1)
        return Double(count - 1 - k) / Double(count - 1)
    }

    /// The shown fraction of the segment `elapsed` seconds into trial `trial`
    /// (0-based) of `trials`, each `length` seconds long: the feedback sound's
    /// loudness in faded mode, so it grows quieter as it is heard less
    /// (1, 0.75, 0.5, 0.25 over five trials; docs/sound.md).
    public static func level(trial: Int, of trials: Int, elapsed: Double, length: Double) -> Double {
        if trials > 1 { return shownFraction(segment: trial, of: trials) }
        let pieces = max(1, Int((length / pieceSeconds).rounded(.up)))
        let piece = min(pieces - 1, Int(max(0, elapsed) / pieceSeconds))
        return shownFraction(segment: piece, of: pieces)
    }

    /// Whether faded feedback is on `elapsed` seconds into trial `trial`
    /// (0-based) of `trials`, each `length` seconds long.
    public static func isShown(trial: Int, of trials: Int, elapsed: Double, length: Double) -> Bool {
        if trials > 1 {
            return elapsed < shownFraction(segment: trial, of: trials) * length
        }
        let pieces = max(1, Int((length / pieceSeconds).rounded(.up)))
        let piece = min(pieces - 1, Int(max(0, elapsed) / pieceSeconds))
        let into = elapsed - Double(piece) * pieceSeconds
        return into < shownFraction(segment: piece, of: pieces) * pieceSeconds
    }
}
