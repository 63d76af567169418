import LightTouchCore

/// A practice session: a drill run trial by trial, with its feedback modes,
/// peeks and target changes. UI-agnostic and pure: it is fed the pipeline's
/// processed samples (device time) and the student's keys, and tells the
/// screen what to show. A key's time is the newest sample's time.
public struct PracticeSession: Sendable {
    public enum Phase: Sendable, Equatable {
        /// Trial `next` (0-based) starts on space or at the next touch.
        case ready(next: Int)
        /// Trial `index` (0-based) is running.
        case running(index: Int)
        /// Trial `index` (0-based) has ended and its drill asks the student to
        /// estimate it: nothing of it is shown, and no trial starts, until the
        /// estimate is given or skipped.
        case estimating(index: Int)
        /// Between trials: the next starts on space, or at `until` when the
        /// sensor is touched then (otherwise at the next touch after it).
        case resting(next: Int, until: Double)
        /// Every trial is done.
        case complete
    }

    /// The keys the session understands.
    public enum Key: Sendable, Equatable {
        /// Start or end a trial.
        case space
        /// Cycle the feedback mode.
        case cycleFeedback
        /// Show the force for 1 s (counted).
        case peek
        case targetUp
        case targetDown
        /// An answer to the estimate prompt.
        case estimate(EstimateAnswer)

        /// The key's name in a recording.
        public var recordedName: String {
            switch self {
            case .estimate(let answer): answer.recordedName
            case .space: "space"
            case .cycleFeedback: "cycle_feedback"
            case .peek: "peek"
            case .targetUp: "target_up"
            case .targetDown: "target_down"
            }
        }

        /// The key a recording names.
        public init?(recordedName name: String) {
            switch name {
            case "space": self = .space
            case "cycle_feedback": self = .cycleFeedback
            case "peek": self = .peek
            case "target_up": self = .targetUp
            case "target_down": self = .targetDown
            default:
                guard let answer = EstimateAnswer(recordedName: name) else { return nil }
                self = .estimate(answer)
            }
        }
    }

    /// Something the screen may want to mark (the bell).
    public enum Event: Sendable, Equatable {
        case trialStarted(Int)
        case trialEnded(TrialResult)
        case leftBand
        case holdGoalMet
        case drillComplete
    }

    /// How long a peek shows the force, seconds.
    public static let peekSeconds = 1.0
    /// How far `+` and `-` move the target, grams.
    public static let targetStep = 0.5

    public let drill: Drill
    public private(set) var phase = Phase.ready(next: 0)
    public private(set) var results: [TrialResult] = []
    /// The mode chosen with `f`; it replaces the drill's own from then on.
    public private(set) var chosenMode: FeedbackMode?
    /// Grams added to every trial's target with `+`/`-`.
    public private(set) var targetShift = 0.0
    /// The newest sample.
    public private(set) var time = 0.0
    public private(set) var force = 0.0
    /// Each hand's force at the newest sample, in a two-hand drill.
    public private(set) var hands: HandForces?
    /// A short message for the student ("target moves between trials").
    public private(set) var notice: String?

    private var windows = WindowedTrials()
    private var pendingStart = false
    private var peekUntil = -Double.infinity
    private var peeks = 0
    private var modesUsed: [FeedbackMode] = []
    private var wasInBand = false
    private var goalMet = false
    private var noticeUntil = -Double.infinity
    private var seenSample = false
    /// The ended trial waiting for its estimate, and the estimate so far.
    private var awaiting: (result: TrialResult, estimate: TrialEstimate)?

    /// What the estimate prompt asks now (nil when no estimate is asked).
    public struct EstimatePrompt: Sendable, Equatable {
        /// The trial estimated, from 1.
        public var trial: Int
        public var request: EstimateRequest
        /// The question asked now.
        public var field: EstimateField
        /// The target and band of the trial (for a prompt that names them).
        public var options: TrialOptions
        /// The answers given so far.
        public var estimate: TrialEstimate

        public init(trial: Int, request: EstimateRequest, field: EstimateField, options: TrialOptions, estimate: TrialEstimate) {
            self.trial = trial
            self.request = request
            self.field = field
            self.options = options
            self.estimate = estimate
        }
    }

    /// The question the student is asked now, while an estimate is awaited.
    public var estimatePrompt: EstimatePrompt? {
        guard case .estimating = phase, let awaiting else { return nil }
        let request = awaiting.result.estimateRequest
        guard let field = request.fields.first(where: { !awaiting.estimate.answers($0) }) else { return nil }
        return EstimatePrompt(
            trial: awaiting.result.metrics.trial, request: request, field: field, options: awaiting.result.options,
            estimate: awaiting.estimate)
    }

    /// Whether a sample has arrived (`time` is a sample's time).
    public var hasSamples: Bool { seenSample }

    public init(drill: Drill) {
        self.drill = drill
    }

    /// The trial that runs next or now (0-based), if any.
    public var trialIndex: Int? {
        switch phase {
        case .ready(let next): next
        case .running(let index): index
        case .estimating(let index): index
        case .resting(let next, _): next
        case .complete: nil
        }
    }

    /// The options (with the target shift) of trial `index`.
    public func options(ofTrial index: Int) -> TrialOptions {
        var options = drill.trials[min(index, drill.trials.count - 1)].options
        options.target += targetShift
        return options
    }

    /// The options of the trial running or next; the last trial's when complete.
    public var currentOptions: TrialOptions { options(ofTrial: trialIndex ?? drill.trials.count - 1) }

    /// The feedback mode for trial `index`.
    public func mode(ofTrial index: Int) -> FeedbackMode {
        chosenMode ?? drill.trials[min(index, drill.trials.count - 1)].feedback
    }

    public var currentMode: FeedbackMode { mode(ofTrial: trialIndex ?? drill.trials.count - 1) }

    /// What an examiner's display may show of the live force: during a
    /// trial what its feedback mode shows; between trials all of it only when
    /// the mode is `full` (a blind protocol hides the force during the rest
    /// too, or a student could set 5 g there).
    public var examinerVisibility: FeedbackVisibility {
        guard isRunning else { return currentMode == .full ? .all : .hidden }
        return visibility
    }

    public var isRunning: Bool {
        if case .running = phase { return true }
        return false
    }

    /// The trial in progress as it stands.
    public var currentTrial: TrialMetrics? { windows.snapshot(at: time) }
    /// The hold running in the trial in progress, seconds.
    public var currentHold: Double { windows.currentHold(at: time) }
    /// Seconds into the trial in progress.
    public var elapsed: Double { windows.window.map { max(0, time - $0.start) } ?? 0 }
    /// Peeks in the trial in progress.
    public var currentPeeks: Int { peeks }
    public var isPeeking: Bool { time < peekUntil }
    /// Whether the running trial's hold goal has been met (`Event.holdGoalMet` was given for it).
    public var isHoldGoalMet: Bool { isRunning && goalMet }

    /// What the screen may show now: nothing of the force while an estimate
    /// is awaited (the plot of the last seconds would give the trial away).
    public var visibility: FeedbackVisibility {
        if case .estimating = phase { return .hidden }
        guard case .running(let index) = phase else { return .all }
        let options = options(ofTrial: index)
        switch mode(ofTrial: index) {
        case .full: return .all
        case .bandwidth: return isInBand(options) ? .calmOnTarget : .all
        case .faded:
            return FadedSchedule.isShown(
                trial: index, of: drill.trials.count, elapsed: elapsed, length: drill.trials[index].lengthSeconds) ? .all : .hidden
        case .blind: return .hidden
        case .selfPaced: return isPeeking ? .all : .hidden
        }
    }

    /// How loud the feedback sound is, 0…1 of the mapping's level: in a faded
    /// trial the shown fraction of its segment (`FadedSchedule.level`), so the
    /// sound grows quieter across the drill as it is heard less; 1 otherwise.
    public var soundLevel: Double {
        guard case .running(let index) = phase, mode(ofTrial: index) == .faded else { return 1 }
        return FadedSchedule.level(trial: index, of: drill.trials.count, elapsed: elapsed, length: drill.trials[index].lengthSeconds)
    }

    /// Handles a key; returns what happened.
    public mutating func handle(_ key: Key) -> [Event] {
        switch key {
        case .space:
            switch phase {
            case .ready, .resting:
                pendingStart = true
            case .running:
                return endTrial()
            case .estimating:
                say("estimate the trial first (x skips the estimate)")
            case .complete:
                say("the drill is complete: q shows the session table")
            }
        case .cycleFeedback:
            let next = currentMode.next
            chosenMode = next
            if isRunning, !modesUsed.contains(next) { modesUsed.append(next) }
            say("feedback: \(next.rawValue) (\(next.summary))")
        case .peek:
            if isRunning, mode(ofTrial: trialIndex ?? 0) == .selfPaced {
                peeks += 1
                peekUntil = time + Self.peekSeconds
            } else {
                say("peeks count in self mode only (f changes the mode)")
            }
        case .targetUp, .targetDown:
            if isRunning {
                say("the target moves between trials")
            } else {
                let step = key == .targetUp ? Self.targetStep : -Self.targetStep
                var moved = currentOptions
                moved.target += step
                if (try? moved.validate()) != nil {
                    targetShift += step
                } else {
                    say("the target cannot go lower")
                }
            }
        case .estimate(let answer):
            return take(answer)
        }
        return []
    }

    /// Whether the newest sample is in `options`' band: for two hands, both
    /// hands in it and the pair balanced.
    func isInBand(_ options: TrialOptions) -> Bool {
        if let hands, let balance = drill.balance { return options.isInBand(hands, balance: balance) }
        return options.isInBand(force)
    }

    /// An answer to the estimate prompt; a wrong one leaves the prompt as it is, with a notice.
    private mutating func take(_ answer: EstimateAnswer) -> [Event] {
        guard case .estimating(let index) = phase, var awaiting, let prompt = estimatePrompt else {
            say("no estimate is asked now")
            return []
        }
        if let problem = answer.problem {
            say(problem)
            return []
        }
        switch answer {
        case .skip:
            awaiting.estimate.skipped = true
            self.awaiting = nil
            return finish(awaiting.result, estimate: awaiting.estimate, index: index)
        case .verdict(let verdict) where prompt.field == .verdict: awaiting.estimate.verdict = verdict
        case .grams(let grams) where prompt.field == .grams: awaiting.estimate.grams = grams
        case .holdSeconds(let seconds) where prompt.field == .hold: awaiting.estimate.holdSeconds = seconds
        default:
            say("the estimate asks for \(prompt.field.question) now")
            return []
        }
        self.awaiting = awaiting
        guard estimatePrompt == nil else { return [] }
        self.awaiting = nil
        return finish(awaiting.result, estimate: awaiting.estimate, index: index)
    }

    /// Takes a batch of the pipeline's samples (time, filtered force).
    public mutating func push(_ samples: some Sequence<(time: Double, force: Double)>) -> [Event] {
        pushSamples(samples.lazy.map { (time: $0.time, force: $0.force, hands: HandForces?.none) })
    }

    /// Takes a batch of the pipeline's scored samples (with each hand's force in a two-hand session).
    public mutating func push(scored samples: some Sequence<ProcessedSample>) -> [Event] {
        pushSamples(samples.lazy.map { (time: $0.time, force: $0.filtered, hands: $0.hands) })
    }

    private mutating func pushSamples(_ samples: some Sequence<(time: Double, force: Double, hands: HandForces?)>) -> [Event] {
        var events: [Event] = []
        for sample in samples {
            time = sample.time
            force = sample.force
            hands = sample.hands
            seenSample = true
            if pendingStart {
                pendingStart = false
                events += startTrial()
            }
            switch phase {
            case .ready(let next):
                if sample.force >= drill.trials[next].options.contact { events += startTrial() }
            case .resting(let next, let until):
                if sample.time >= until {
                    phase = .ready(next: next)
                    if sample.force >= drill.trials[next].options.contact { events += startTrial() }
                }
            case .estimating:
                break
            case .running(let index):
                if let ended = windows.push(time: sample.time, force: sample.force, hands: sample.hands) {
                    events += finish(ended, index: index)
                    continue
                }
                let options = options(ofTrial: index)
                let inBand = isInBand(options)
                if wasInBand, !inBand { events.append(.leftBand) }
                wasInBand = inBand
                if !goalMet, windows.currentHold(at: sample.time) >= options.holdGoal - TrialOptions.timeEpsilon {
                    goalMet = true
                    events.append(.holdGoalMet)
                }
            case .complete:
                break
            }
        }
        if time >= noticeUntil { notice = nil }
        return events
    }

    /// Ends the session (the student quit, or the stream ended): a trial in
    /// progress is ended where it stands and kept.
    /// An estimate still awaited is kept as far as it was given, marked skipped.
    public mutating func finish() -> [Event] {
        var events: [Event] = []
        if isRunning { events += endTrial() }
        if case .estimating(let index) = phase, var awaiting {
            awaiting.estimate.skipped = true
            self.awaiting = nil
            events += finish(awaiting.result, estimate: awaiting.estimate, index: index)
        }
        return events
    }

    private mutating func startTrial() -> [Event] {
        guard let index = trialIndex, index < drill.trials.count else { return [] }
        let trial = drill.trials[index]
        _ = windows.start(
            trial: index + 1, at: time, length: trial.lengthSeconds, options: options(ofTrial: index), balance: drill.balance)
        phase = .running(index: index)
        peeks = 0
        peekUntil = -.infinity
        modesUsed = [mode(ofTrial: index)]
        wasInBand = false
        goalMet = false
        // The sample that started the window is its first.
        _ = windows.push(time: time, force: force, hands: hands)
        return [.trialStarted(index + 1)]
    }

    private mutating func endTrial() -> [Event] {
        guard case .running(let index) = phase, let ended = windows.end() else { return [] }
        return finish(ended, index: index)
    }

    private mutating func finish(_ metrics: TrialMetrics, index: Int) -> [Event] {
        let request = drill.trials[index].estimate
        let result = TrialResult(
            metrics: metrics, options: options(ofTrial: index), feedback: modesUsed.map(\.rawValue).joined(separator: "+"),
            peeks: peeks, estimateRequest: request)
        guard !request.asksAnything else {
            // Nothing of the trial is shown, and nothing said of it, until the estimate is in.
            awaiting = (result, TrialEstimate())
            phase = .estimating(index: index)
            return []
        }
        return finish(result, estimate: nil, index: index)
    }

    private mutating func finish(_ finished: TrialResult, estimate: TrialEstimate?, index: Int) -> [Event] {
        var result = finished
        result.estimate = estimate
        results.append(result)
        var events: [Event] = [.trialEnded(result)]
        if index + 1 >= drill.trials.count {
            phase = .complete
            events.append(.drillComplete)
        } else {
            phase = .resting(next: index + 1, until: time + drill.restSeconds)
        }
        return events
    }

    /// Shows `text` to the student for `seconds` (device time).
    public mutating func say(_ text: String, for seconds: Double = 3) {
        notice = text
        noticeUntil = time + seconds
    }
}

/// What live feedback the screen may show.
public enum FeedbackVisibility: Sendable, Equatable {
    /// Everything.
    case all
    /// In band, bandwidth mode: only a calm "on target", no number.
    case calmOnTarget
    /// No live force at all.
    case hidden
}

/// One trial's results, with the feedback it was done under.
public struct TrialResult: Sendable, Equatable {
    public var metrics: TrialMetrics
    /// The target, tolerance and hold goal it was scored against.
    public var options: TrialOptions
    /// The feedback mode, or the modes joined with `+` when `f` changed it during the trial.
    public var feedback: String
    /// Times the student peeked (self mode).
    public var peeks: Int
    /// What the drill asked the student to estimate of the trial.
    public var estimateRequest: EstimateRequest = .none
    /// What the student estimated (nil when nothing was asked).
    public var estimate: TrialEstimate?

    /// How far the estimate was from the trial (nil when nothing was asked).
    public var estimation: EstimationError? {
        estimate.map { EstimationError(estimate: $0, metrics: metrics, options: options) }
    }

    /// The trial's JSON: the documented trial keys, then `target_g`, `feedback` and `peeks` added at
    /// the end, and `estimate` after them when the drill asked for one.
    public var json: JSONValue {
        guard case .object(var members) = metrics.json else { return metrics.json }
        members.append(("target_g", .double(options.target)))
        members.append(("feedback", .string(feedback)))
        members.append(("peeks", .int(peeks)))
        if estimateRequest.asksAnything { members.append(("estimate", estimateJSON)) }
        return .object(members)
    }

    /// `{"asked", "skipped", "verdict", "force_g", "hold_s", "actual_verdict", "verdict_error",
    /// "force_error_g", "hold_error_s"}`: what was asked and answered, and the errors (docs/scoring.md).
    public var estimateJSON: JSONValue {
        let given = estimate ?? TrialEstimate(skipped: true)
        let error = EstimationError(estimate: given, metrics: metrics, options: options)
        return .object([
            ("asked", .string(estimateRequest.name)), ("skipped", .bool(given.skipped)),
            ("verdict", given.verdict.map { .string($0.rawValue) } ?? .null),
            ("force_g", .number(given.grams)), ("hold_s", .number(given.holdSeconds)),
            ("actual_verdict", .string(error.actualVerdict.rawValue)),
            ("verdict_error", error.verdictError.map(JSONValue.int) ?? .null),
            ("force_error_g", .number(error.forceErrorGrams.map(TrialMetrics.rounded))),
            ("hold_error_s", .number(error.holdErrorSeconds.map(TrialMetrics.rounded))),
        ])
    }
}

extension TrialEstimate {
    /// Whether `field` has its answer.
    public func answers(_ field: EstimateField) -> Bool {
        switch field {
        case .verdict: verdict != nil
        case .grams: grams != nil
        case .hold: holdSeconds != nil
        }
    }
}

extension EstimateField {
    /// The question, as a notice names it.
    public var question: String {
        switch self {
        case .verdict: "the force (too light, on target or too heavy)"
        case .grams: "the mean force in grams"
        case .hold: "the longest hold in seconds"
        }
    }
}
