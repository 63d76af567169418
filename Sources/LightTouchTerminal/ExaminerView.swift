import LightTouchCore
import LightTouchSession
import LightTouchTrainer

/// Everything the examiner's screen (`lighttouch assess`) shows at one
/// instant, built from the pipeline's latest snapshot and the protocol's
/// practice session. A value, so the layout is a pure function of it.
///
/// It promises not to carry what the protocol hides: when the live force may
/// not be shown, its grams, hold, in-band share, steadiness and trial results
/// are blanked here, before any layout sees them. The student can see the
/// examiner's screen, so the examiner sees no more than the student may.
public struct ExaminerView: Sendable {
    /// Where the assessment stands.
    public enum Phase: Sendable, Equatable {
        /// Trial `trial` (1-based) starts at the student's first touch.
        case waiting(trial: Int)
        /// Trial `trial` (1-based) is running: `elapsed` of `length` seconds.
        case running(trial: Int, elapsed: Double, length: Double)
        /// Trial `trial` (1-based) is over and the student estimates it (what is typed, any hint).
        case estimating(trial: Int, shown: EstimateDraft.Shown?)
        /// Between trials: trial `next` (1-based) may start in `left` of `rest` seconds.
        case resting(next: Int, left: Double, rest: Double)
        /// Every trial is recorded.
        case complete
    }

    /// How much of the live force the protocol lets the screen show now.
    public enum LiveFeedback: Sendable, Equatable {
        /// The force, the verdict and the hold.
        case shown
        /// Bandwidth feedback in the band: only a calm "on target", no number.
        case calmOnTarget
        /// Nothing about the force at all.
        case hidden
    }

    public var protocolName: String
    /// The protocol's rules in one line ("3 trials × 10 s at 5 g ± 1 g · …").
    public var rules: String
    public var student: String
    public var examiner: String?
    public var sensor: String
    public var calibrated: Bool
    public var calibrationExpired: Bool
    public var phase: Phase
    public var trialCount: Int
    /// Trials recorded so far (their results are kept for the end).
    public var recorded: Int
    /// The feedback mode of the trial running or next.
    public var mode: FeedbackMode
    public var liveFeedback: LiveFeedback
    /// The trainer's view of the same instant, for the force panel and the
    /// warnings; its force, hold, in-band share, CV, last result and history
    /// are blanked unless `liveFeedback` is `.shown`.
    public var live: TrainerView
    public var warnings: [String]
    public var notice: String?
    /// The feedback sound (nil without `--sound`): its indicator and the `s` key.
    public var sound: SoundStatus?

    /// - Parameters:
    ///   - grading: how the rubric grades, in a few words ("graded on the best 2 of 3").
    public init(
        snapshot: PipelineSnapshot, session: PracticeSession, protocolName: String, grading: String, student: String,
        examiner: String?, sensor: String, draft: EstimateDraft = EstimateDraft(), sound: SoundStatus? = nil
    ) {
        self.sound = sound
        self.protocolName = protocolName
        rules = Self.rules(of: session.drill, grading: grading)
        self.student = student
        self.examiner = examiner
        self.sensor = sensor
        calibrated = snapshot.calibrated
        calibrationExpired = snapshot.calibrationExpired
        trialCount = session.drill.trials.count
        recorded = session.results.count
        mode = session.currentMode
        switch session.phase {
        case .ready(let next): phase = .waiting(trial: next + 1)
        case .running(let index):
            phase = .running(trial: index + 1, elapsed: session.elapsed, length: session.drill.trials[index].lengthSeconds)
        case .estimating(let index):
            phase = .estimating(trial: index + 1, shown: session.estimatePrompt.flatMap { draft.shown(for: $0) })
        case .resting(let next, let until):
            phase = .resting(next: next + 1, left: max(0, until - session.time), rest: session.drill.restSeconds)
        case .complete: phase = .complete
        }
        liveFeedback = Self.liveFeedback(session)
        var live = TrainerView(snapshot: snapshot, session: session, history: [], sensor: sensor, isDemo: false, bell: false)
        if liveFeedback != .shown {
            live.force = 0
            live.hands = nil
            live.balancedPercent = nil
            live.handsHistory = []
            live.hold = 0
            live.inBandPercent = nil
            live.cv = nil
            live.history = []
        }
        live.lastResult = nil
        if liveFeedback != .shown, case .refused(let refusal, _) = snapshot.tare {
            live.warnings = live.warnings.map { $0 == refusal.description ? refusal.descriptionWithoutForce : $0 }
        }
        self.live = live
        warnings = live.warnings
        notice = session.notice
    }

    /// What of the live force the protocol allows now. During a trial, what
    /// the session's feedback mode shows. Between trials, the force only when
    /// the next trial's feedback is `full`: in a blind protocol a student who
    /// could watch the force during the rest would settle on the target there
    /// and carry it into the next trial, which starts at the touch.
    public static func liveFeedback(_ session: PracticeSession) -> LiveFeedback {
        switch session.examinerVisibility {
        case .all: .shown
        case .calmOnTarget: .calmOnTarget
        case .hidden: .hidden
        }
    }

    /// "3 trials × 10 s at 5 g ± 1 g · hold goal 8 s · rest 5 s · feedback blind · graded on the best 2 of 3";
    /// trials that differ are listed one by one.
    public static func rules(of drill: Drill, grading: String) -> String {
        let trials = drill.trials
        guard let first = trials.first else { return grading }
        let count = "\(trials.count) trial\(trials.count == 1 ? "" : "s")"
        var parts: [String] = []
        func band(_ options: TrialOptions) -> String {
            "\(TrainerLayout.trim(options.target)) g ± \(TrainerLayout.trim(options.tolerance)) g"
        }
        let uniform = trials.allSatisfy {
            $0.options.target == first.options.target && $0.options.tolerance == first.options.tolerance
                && $0.options.holdGoal == first.options.holdGoal && $0.lengthSeconds == first.lengthSeconds
        }
        if uniform {
            parts.append("\(count) × \(TrainerLayout.trim(first.lengthSeconds)) s at \(band(first.options))")
            parts.append("hold goal \(TrainerLayout.trim(first.options.holdGoal)) s")
        } else {
            let each = trials.map { "\(band($0.options)) for \(TrainerLayout.trim($0.lengthSeconds)) s" }
            parts.append("\(count): " + each.joined(separator: ", "))
        }
        if trials.count > 1 { parts.append("rest \(TrainerLayout.trim(drill.restSeconds)) s") }
        let modes = trials.map(\.feedback.rawValue)
        parts.append("feedback " + (Set(modes).count == 1 ? first.feedback.rawValue : modes.joined(separator: "/")))
        let estimates = trials.map(\.estimate.name)
        if trials.contains(where: { $0.estimate.asksAnything }) {
            parts.append("estimate " + (Set(estimates).count == 1 ? estimates[0] : estimates.joined(separator: "/")))
        }
        parts.append(grading)
        return parts.joined(separator: " · ")
    }
}
