import Dispatch
import LightTouchCore
import LightTouchTrainer

extension StatusLine {
    /// A station's live state for the class view: who, which drill or
    /// protocol, the trial, the force, verdict and hold (null whenever the
    /// examiner's screen would hide them: `PracticeSession.examinerVisibility`,
    /// so a blind trial never leaves the station with its force), the last
    /// trial's score and the session time; and `sample_age_ms`, how long
    /// ago (as of `nowNanos`, the session's host clock) the newest sample
    /// in it reached the host, so the view can tell sample-to-screen latency.
    public static func classLive(
        _ frame: SessionFrame, kind: String, student: String?, title: String?, holdGoal options: TrialOptions,
        nowNanos: UInt64 = DispatchTime.now().uptimeNanoseconds
    ) -> JSONValue {
        let s = frame.snapshot
        var phase = "free", trial: Int?, trials: Int?, visible = true, hold = s.currentHold
        var band = options, lastScore: Double?, mode: String?
        if let drill = frame.drill {
            visible = drill.examinerVisibility == .all
            trials = drill.drill.trials.count
            hold = drill.currentHold
            band = drill.currentOptions
            lastScore = drill.results.last?.metrics.score
            mode = drill.currentMode.rawValue
            switch drill.phase {
            case .ready(let next):
                phase = "ready"
                trial = next + 1
            case .running(let index):
                phase = "trial"
                trial = index + 1
            case .estimating(let index):
                // The student is estimating the trial just held: still no force shown.
                phase = "estimate"
                trial = index + 1
            case .resting(let next, _):
                phase = "rest"
                trial = next + 1
            case .complete: phase = "complete"
            }
        } else {
            trial = s.trialNumber == 0 ? nil : s.trialNumber
            phase = s.trial == nil ? "rest" : "trial"
        }
        let verdict = Verdict(force: s.filtered, options: band)
        return .object([
            ("kind", .string(kind)), ("student", student.map(JSONValue.string) ?? .null),
            ("title", title.map(JSONValue.string) ?? .null), ("phase", .string(phase)),
            ("trial", trial.map(JSONValue.int) ?? .null), ("trials", trials.map(JSONValue.int) ?? .null),
            ("feedback", mode.map(JSONValue.string) ?? .null), ("blind", .bool(!visible)),
            ("force_g", visible ? .double(TrialMetrics.rounded(s.filtered)) : .null),
            ("verdict", visible ? .string(verdict.rawValue) : .null),
            ("hold_s", visible ? .double(TrialMetrics.rounded(hold)) : .null), ("hold_goal_s", .double(band.holdGoal)),
            ("target_g", .double(band.target)), ("tolerance_g", .double(band.tolerance)),
            ("last_score", .number(lastScore.map(TrialMetrics.rounded))), ("t_s", .double(TrialMetrics.rounded(s.time))),
            ("connected", .bool(s.connected)),
            ("sample_age_ms", frame.arrivedNanos.map { .int(Int((nowNanos &- $0) / 1_000_000)) } ?? .null),
        ])
    }
}
