import LightTouchCore
import LightTouchTrainer

/// The status lines a session prints without a screen (`--plain`, `--json`),
/// every 100 ms, from one `SessionFrame`. Plain lines show the force, the
/// verdict and the hold only as the feedback mode shows them on the screen.
public enum StatusLine {
    /// A practice session: the drill's line when one runs, else the pipeline's trials.
    public static func practice(_ frame: SessionFrame, holdGoal options: TrialOptions) -> String {
        if let drill = frame.drill { return (CollectionOfOne(drillLine(frame.snapshot, drill)) + soundParts(frame)).joined(separator: "  ") }
        let s = frame.snapshot
        var parts = [
            "t \(s.time.fixed(1)) s", "\(s.filtered.fixed(2)) g", s.verdict.rawValue,
            "hold \(s.currentHold.fixed(1))/\(options.holdGoal.fixed(0)) s",
        ]
        if let trial = s.trial {
            parts.append("trial \(trial.trial)")
            parts.append("in band \(trial.inBandPercent.fixed(0))%")
            if let cv = trial.cv { parts.append("CV \(cv.fixed(3))") }
        } else {
            parts.append(s.trialNumber == 0 ? "touch the sensor to start" : "rest")
        }
        return (parts + s.statusWarnings() + soundParts(frame)).joined(separator: "  ")
    }

    /// The sound on a plain line, when it is worth a word: `no sound` (the
    /// device failed) or its underruns; nothing without `--sound`.
    static func soundParts(_ frame: SessionFrame) -> [String] {
        guard let sound = frame.sound else { return [] }
        var parts: [String] = []
        if case .failed = sound.device { parts.append("no sound") }
        if sound.underruns > 0 { parts.append("sound underruns \(sound.underruns)") }
        return parts
    }

    /// The sound on a JSON line: `sound` (`on`, `off`, `failed`) and `sound_underruns`, only with `--sound`.
    static func soundMembers(_ frame: SessionFrame) -> [(String, JSONValue)] {
        guard let sound = frame.sound else { return [] }
        let state: String
        switch sound.device {
        case .failed: state = "failed"
        case .playing: state = sound.on ? "on" : "off"
        }
        return [("sound", .string(state)), ("sound_underruns", .int(sound.underruns))]
    }

    /// A drill's line: the force, verdict and hold only as the feedback mode
    /// shows them (blind: none of them, as on the screen).
    static func drillLine(_ s: PipelineSnapshot, _ session: PracticeSession) -> String {
        let options = session.currentOptions
        var parts = ["t \(s.time.fixed(1)) s"]
        switch session.visibility {
        case .all:
            if let hands = s.hands, let balance = session.drill.balance {
                parts += handsParts(hands, options: options, balance: balance)
                parts.append("hold \(session.currentHold.fixed(1))/\(options.holdGoal.fixed(0)) s")
            } else {
                parts += [
                    "\(s.filtered.fixed(2)) g", Verdict(force: s.filtered, options: options).rawValue,
                    "hold \(session.currentHold.fixed(1))/\(options.holdGoal.fixed(0)) s",
                ]
            }
        case .calmOnTarget: parts.append("on target")
        case .hidden: parts.append("feedback off")
        }
        switch session.phase {
        case .ready(let next): parts.append("touch the sensor to start trial \(next + 1) of \(session.drill.trials.count)")
        case .running(let index):
            parts.append("trial \(index + 1) of \(session.drill.trials.count)")
            if session.visibility == .all, let trial = session.currentTrial { parts.append("in band \(trial.inBandPercent.fixed(0))%") }
            parts.append("feedback \(session.currentMode.rawValue)")
        case .estimating: if let prompt = session.estimatePrompt { parts.append(estimateQuestion(prompt)) }
        case .resting(let next, let until): parts.append("rest: trial \(next + 1) in \(max(0, until - session.time).fixed(0)) s")
        case .complete: parts.append("drill complete")
        }
        return (parts + s.statusWarnings(hidingForce: session.visibility != .all)).joined(separator: "  ")
    }

    /// Two hands as a status line shows them: each hand's force and verdict,
    /// and the balance (the left share) with its own verdict.
    static func handsParts(_ hands: HandForces, options: TrialOptions, balance: BalanceSettings) -> [String] {
        let share = hands.leftShare(contact: options.contact)
        return [
            "L \(hands.left.fixed(2)) g \(Verdict(force: hands.left, options: options).rawValue)",
            "R \(hands.right.fixed(2)) g \(Verdict(force: hands.right, options: options).rawValue)",
            "balance " + (share.map { "\($0.fixed(1))% L " + (balance.isBalanced(share: $0) ? "balanced" : "unbalanced") } ?? "–"),
        ]
    }

    /// A practice session's JSON line (for programs: always the force). With a
    /// drill, the trial, hold and in-band figures are the drill's. Two hands
    /// add `left_g`, `right_g`, each hand's verdict, `left_share_pct` (null
    /// unless both touch) and `balanced` at the end.
    public static func practiceJSON(_ frame: SessionFrame, holdGoal options: TrialOptions) -> String {
        let s = frame.snapshot
        var hold = s.currentHold, trialNumber = s.trialNumber, trial = s.trial, completed = s.completedTrials
        var estimate: [(String, JSONValue)] = []
        if let drill = frame.drill {
            estimate = estimateMembers(drill)
            hold = drill.currentHold
            trial = drill.isRunning ? drill.currentTrial : nil
            completed = drill.results.count
            trialNumber = completed + (drill.isRunning ? 1 : 0)
        }
        return JSONValue.object([
            ("t_s", .double(TrialMetrics.rounded(s.time))),
            ("force_g", .double(TrialMetrics.rounded(s.filtered))),
            ("raw_g", .double(TrialMetrics.rounded(s.raw))),
            ("verdict", .string(s.verdict.rawValue)),
            ("hold_s", .double(TrialMetrics.rounded(hold))),
            ("trial", .int(trialNumber)),
            ("in_trial", .bool(trial != nil)),
            ("in_band_pct", .number(trial.map { TrialMetrics.rounded($0.inBandPercent) })),
            ("cv", .number(trial?.cv.map(TrialMetrics.rounded))),
            ("completed_trials", .int(completed)),
        ] + estimate + [
            ("calibrated", .bool(s.calibrated)),
            ("lost_frames", .int(s.lostFrames)),
            ("connected", .bool(s.connected)),
        ] + handsMembers(s, frame.drill) + soundMembers(frame)).serialized()
    }

    static func handsMembers(_ s: PipelineSnapshot, _ drill: PracticeSession?) -> [(String, JSONValue)] {
        guard let hands = s.hands, let drill, let balance = drill.drill.balance else { return [] }
        let options = drill.currentOptions
        let share = hands.leftShare(contact: options.contact)
        return [
            ("left_g", .double(TrialMetrics.rounded(hands.left))), ("right_g", .double(TrialMetrics.rounded(hands.right))),
            ("left_verdict", .string(Verdict(force: hands.left, options: options).rawValue)),
            ("right_verdict", .string(Verdict(force: hands.right, options: options).rawValue)),
            ("left_share_pct", .number(share.map(TrialMetrics.rounded))),
            ("balanced", .bool(balance.isBalanced(share: share))),
        ]
    }

    /// The examiner's line: the force only when the protocol's feedback mode
    /// shows it (as on the examiner's screen).
    public static func assessment(_ frame: SessionFrame) -> String {
        let s = frame.snapshot
        guard let session = frame.drill else { return practice(frame, holdGoal: TrialOptions()) }
        var parts = ["t \(s.time.fixed(1)) s"]
        let visible = liveForceShown(session)
        if visible {
            if let hands = s.hands, let balance = session.drill.balance {
                parts += handsParts(hands, options: session.currentOptions, balance: balance)
            } else {
                parts.append("\(s.filtered.fixed(2)) g")
            }
        }
        switch session.phase {
        case .ready: parts.append("touch the sensor to start trial 1 of \(session.drill.trials.count)")
        case .running(let index):
            parts.append("trial \(index + 1) of \(session.drill.trials.count), \(session.elapsed.fixed(1)) s")
            parts.append(visible ? "feedback \(session.currentMode.rawValue)" : "\(session.currentMode.rawValue): no live force")
        case .estimating: if let prompt = session.estimatePrompt { parts.append(estimateQuestion(prompt)) }
        case .resting(let next, let until): parts.append("rest: trial \(next + 1) in \(max(0, until - session.time).fixed(0)) s")
        case .complete: parts.append("protocol complete")
        }
        return (parts + s.statusWarnings(hidingForce: !visible) + soundParts(frame)).joined(separator: "  ")
    }

    public static func assessmentJSON(_ frame: SessionFrame) -> String {
        let s = frame.snapshot
        guard let session = frame.drill else { return practiceJSON(frame, holdGoal: TrialOptions()) }
        let visible = liveForceShown(session)
        let phase: String
        var trial: Int?
        switch session.phase {
        case .ready: phase = "ready"
        case .running(let index):
            phase = "trial"
            trial = index + 1
        case .estimating(let index):
            phase = "estimate"
            trial = index + 1
        case .resting: phase = "rest"
        case .complete: phase = "complete"
        }
        return JSONValue.object([
            ("t_s", .double(TrialMetrics.rounded(s.time))),
            ("phase", .string(phase)),
            ("trial", trial.map(JSONValue.int) ?? .null),
            ("elapsed_s", .double(TrialMetrics.rounded(session.elapsed))),
            ("feedback", .string(session.currentMode.rawValue)),
            ("force_g", visible ? .double(TrialMetrics.rounded(s.filtered)) : .null),
        ] + estimateMembers(session) + [
            ("calibrated", .bool(s.calibrated)),
            ("lost_frames", .int(s.lostFrames)),
            ("connected", .bool(s.connected)),
        ] + (visible ? handsMembers(s, session) : []) + soundMembers(frame)).serialized()
    }

    /// What a status line says while an estimate is awaited, naming what to type on stdin.
    static func estimateQuestion(_ prompt: PracticeSession.EstimatePrompt) -> String {
        "estimate trial \(prompt.trial) before its result: " + EstimateLine.instructions(prompt)
    }

    /// `"estimate": "hold"` (the field asked now, or null) in a JSON status line, only when the drill asks for estimates.
    static func estimateMembers(_ session: PracticeSession) -> [(String, JSONValue)] {
        guard session.drill.trials.contains(where: { $0.estimate.asksAnything }) else { return [] }
        return [("estimate", session.estimatePrompt.map { .string($0.field.rawValue) } ?? .null)]
    }

    /// Whether the examiner's line may carry the force (`PracticeSession.examinerVisibility`).
    static func liveForceShown(_ session: PracticeSession) -> Bool {
        session.examinerVisibility == .all
    }
}

extension PipelineSnapshot {
    /// What every plain status line ends with: the tare, the calibration and
    /// losses; a refused tare without its grams when the force is hidden.
    public func statusWarnings(hidingForce: Bool = false) -> [String] {
        var parts: [String] = []
        if taring {
            parts.append("taring…")
        } else if case .refused(let refusal, _) = tare {
            parts.append(hidingForce ? refusal.descriptionWithoutForce : refusal.description)
        }
        if !calibrated { parts.append("uncalibrated") }
        if calibrationExpired { parts.append("calibration EXPIRED") }
        if lostFrames > 0 { parts.append("lost frames \(lostFrames)") }
        return parts
    }
}
