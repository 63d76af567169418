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

        /// The key's name in a recording.
        public var recordedName: String {
            switch self {
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
            default: return nil
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

    /// What the screen may show now.
    public var visibility: FeedbackVisibility {
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

    /// Handles a key; returns what happened.
    public mutating func handle(_ key: Key) -> [Event] {
        switch key {
        case .space:
            switch phase {
            case .ready, .resting:
                pendingStart = true
            case .running:
                return endTrial()
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
        }
        return []
    }

    /// Whether the newest sample is in `options`' band: for two hands, both
    /// hands in it and the pair balanced.
    func isInBand(_ options: TrialOptions) -> Bool {
        if let hands, let balance = drill.balance { return options.isInBand(hands, balance: balance) }
        return options.isInBand(force)
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
    public mutating func finish() -> [Event] {
        guard isRunning else { return [] }
        return endTrial()
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
        let result = TrialResult(
            metrics: metrics, options: options(ofTrial: index), feedback: modesUsed.map(\.rawValue).joined(separator: "+"),
            peeks: peeks)
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

    /// The trial's JSON: the documented trial keys, then `target_g`, `feedback` and `peeks` added at the end.
    public var json: JSONValue {
        guard case .object(var members) = metrics.json else { return metrics.json }
        members.append(("target_g", .double(options.target)))
        members.append(("feedback", .string(feedback)))
        members.append(("peeks", .int(peeks)))
        return .object(members)
    }
}
