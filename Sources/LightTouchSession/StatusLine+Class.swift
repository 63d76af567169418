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
        var verdict = Verdict(force: s.filtered, options: band).rawValue
        var hands: JSONValue?
        if let forces = s.hands, let balance = frame.drill?.drill.balance {
            (verdict, hands) = Self.classHands(forces, mean: verdict, band: band, balance: balance)
        }
        var members: [(String, JSONValue)] = [
            ("kind", .string(kind)), ("student", student.map(JSONValue.string) ?? .null),
            ("title", title.map(JSONValue.string) ?? .null), ("phase", .string(phase)),
            ("trial", trial.map(JSONValue.int) ?? .null), ("trials", trials.map(JSONValue.int) ?? .null),
            ("feedback", mode.map(JSONValue.string) ?? .null), ("blind", .bool(!visible)),
            ("force_g", visible ? .double(TrialMetrics.rounded(s.filtered)) : .null),
            ("verdict", visible ? .string(verdict) : .null),
            ("hold_s", visible ? .double(TrialMetrics.rounded(hold)) : .null), ("hold_goal_s", .double(band.holdGoal)),
            ("target_g", .double(band.target)), ("tolerance_g", .double(band.tolerance)),
            ("last_score", .number(lastScore.map(TrialMetrics.rounded))), ("t_s", .double(TrialMetrics.rounded(s.time))),
            ("connected", .bool(s.connected)),
            ("sample_age_ms", frame.arrivedNanos.map { .int(Int((nowNanos &- $0) / 1_000_000)) } ?? .null),
        ]
        // Two hands: each hand and the balance (null while blind, as the force is).
        if let hands { members.append(("hands", visible ? hands : .null)) }
        return .object(members)
    }

    /// A two-hand station's verdict and its `hands` member. The verdict is
    /// "on target" only while the hold counts (both hands in the band, the
    /// pair balanced); else "unbalanced" when both touch out of balance, else
    /// the mean's verdict, or the hand that is off when the mean is on target.
    static func classHands(_ forces: HandForces, mean: String, band: TrialOptions, balance: BalanceSettings) -> (String, JSONValue) {
        let share = forces.leftShare(contact: band.contact)
        let balanced = balance.isBalanced(share: share)
        let left = Verdict(force: forces.left, options: band), right = Verdict(force: forces.right, options: band)
        let verdict: String
        if band.isInBand(forces, balance: balance) {
            verdict = Verdict.onTarget.rawValue
        } else if share != nil, !balanced {
            verdict = "unbalanced"
        } else if mean != Verdict.onTarget.rawValue {
            verdict = mean
        } else {
            verdict = left != .onTarget ? "left \(left.rawValue)" : "right \(right.rawValue)"
        }
        return (
            verdict,
            .object([
                ("left_g", .double(TrialMetrics.rounded(forces.left))), ("right_g", .double(TrialMetrics.rounded(forces.right))),
                ("left_verdict", .string(left.rawValue)), ("right_verdict", .string(right.rawValue)),
                ("left_share_pct", share.map { .double(TrialMetrics.rounded($0)) } ?? .null), ("balanced", .bool(balanced)),
            ])
        )
    }
}
