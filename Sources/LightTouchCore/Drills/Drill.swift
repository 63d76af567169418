/// One trial of a drill: what it asks for and how long the window is.
public struct DrillTrial: Sendable, Equatable, Hashable {
    /// Target, tolerance and hold goal (and the trial rules) for scoring.
    public var options: TrialOptions
    /// The trial's window: it lasts this long from its start, seconds.
    public var lengthSeconds: Double
    public var feedback: FeedbackMode
    /// What the student estimates after the trial, before its result is shown.
    public var estimate: EstimateRequest

    public init(options: TrialOptions, lengthSeconds: Double, feedback: FeedbackMode, estimate: EstimateRequest = .none) {
        self.options = options
        self.lengthSeconds = lengthSeconds
        self.feedback = feedback
        self.estimate = estimate
    }

    /// `{"target_g", "tolerance_g", "contact_g", "release_s", "grace_s", "hold_s", "length_s", "feedback"}`,
    /// in this order, then `"estimate"` only when the trial asks for one: how a recording stores the
    /// trial, and part of a protocol's content hash (never reorder; a trial without an estimate keeps
    /// the bytes, and so the hash, it had before estimates existed).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("target_g", .double(options.target)), ("tolerance_g", .double(options.tolerance)),
            ("contact_g", .double(options.contact)), ("release_s", .double(options.release)),
            ("grace_s", .double(options.grace)), ("hold_s", .double(options.holdGoal)),
            ("length_s", .double(lengthSeconds)), ("feedback", .string(feedback.rawValue)),
        ]
        if estimate.asksAnything { members.append(("estimate", .string(estimate.name))) }
        return .object(members)
    }
}

/// A practice drill: a sequence of fixed-length trials with rests between
/// them. The drill, not the touch, sets each trial's window: a trial starts
/// when the student asks (or at the first touch, or when the rest is over)
/// and lasts its length.
public struct Drill: Sendable, Equatable, Hashable {
    /// Short name, as typed on the command line (`first-touch`).
    public var name: String
    /// What the drill trains, in one line.
    public var purpose: String
    public var trials: [DrillTrial]
    /// Rest between trials, seconds; the next trial starts by itself after it.
    public var restSeconds: Double
    /// Two hands (`hands = 2`): each hand against every trial's band, and
    /// this balance band for the pair. Nil: one hand.
    public var balance: BalanceSettings?

    public init(name: String, purpose: String, trials: [DrillTrial], restSeconds: Double, balance: BalanceSettings? = nil) {
        self.name = name
        self.purpose = purpose
        self.trials = trials
        self.restSeconds = restSeconds
        self.balance = balance
    }

    /// 1, or 2 for a two-hand drill.
    public var hands: Int { balance == nil ? 1 : 2 }

    /// The drill run when none is named.
    public static let `default` = firstTouch

    static func options(target: Double, tolerance: Double, hold: Double) -> TrialOptions {
        var options = TrialOptions()
        options.target = target
        options.tolerance = tolerance
        options.holdGoal = hold
        return options
    }

    static func uniform(
        _ name: String, _ purpose: String, count: Int, target: Double = 5, tolerance: Double = 1, hold: Double,
        length: Double, rest: Double, feedback: FeedbackMode, estimate: EstimateRequest = .none
    ) -> Drill {
        let trial = DrillTrial(
            options: options(target: target, tolerance: tolerance, hold: hold), lengthSeconds: length, feedback: feedback,
            estimate: estimate)
        return Drill(name: name, purpose: purpose, trials: Array(repeating: trial, count: count), restSeconds: rest)
    }

    public static let firstTouch = uniform(
        "first-touch", "find 5 g and hold it for 5 s, five times, with full feedback",
        count: 5, hold: 5, length: 10, rest: 5, feedback: .full)
    public static let steadyHold = uniform(
        "steady-hold", "hold 5 g for 30 s without drifting", count: 1, hold: 30, length: 35, rest: 0, feedback: .full)
    public static let stillPoint = uniform(
        "still-point", "a 90 s hold at 5 g while the feedback fades away", count: 1, hold: 90, length: 95, rest: 0,
        feedback: .faded)
    public static let ladder = Drill(
        name: "ladder", purpose: "hold 2, 5 and 10 g for 10 s each, to tell forces apart",
        trials: [(2.0, 0.5), (5, 1), (10, 1.5)].map {
            DrillTrial(options: options(target: $0.0, tolerance: $0.1, hold: 10), lengthSeconds: 14, feedback: .full)
        },
        restSeconds: 5)
    public static let blindCheck = uniform(
        "blind-check", "five 10 s holds at 5 g with no live feedback: what you carry away",
        count: 5, hold: 10, length: 12, rest: 5, feedback: .blind)

    /// Blind trials, each followed by the student's estimate of it before the result shows.
    public static let blindEstimate = uniform(
        "blind-estimate", "five blind 10 s holds at 5 g; before each result, estimate your force and hold",
        count: 5, hold: 10, length: 12, rest: 5, feedback: .blind, estimate: EstimateRequest(force: .grams, hold: true))

    public static let builtIn: [Drill] = [firstTouch, steadyHold, stillPoint, ladder, blindCheck, blindEstimate]

    /// A built-in drill by name; spaces, underscores and case are ignored ("First touch").
    public static func builtIn(named name: String) -> Drill? {
        let key = normalized(name)
        return builtIn.first { normalized($0.name) == key }
    }

    static func normalized(_ name: String) -> String {
        String(name.lowercased().map { $0 == " " || $0 == "_" ? "-" : $0 })
    }

    /// The same drill with the given settings replacing the drill's own in
    /// every trial. `trialCount` repeats the drill's pattern of trials (or cuts it short).
    public func overriding(
        target: Double? = nil, tolerance: Double? = nil, holdGoal: Double? = nil, trialCount: Int? = nil,
        feedback: FeedbackMode? = nil, estimate: EstimateRequest? = nil
    ) -> Drill {
        var drill = self
        if let trialCount, trialCount > 0, !trials.isEmpty {
            drill.trials = (0..<trialCount).map { trials[$0 % trials.count] }
        }
        for index in drill.trials.indices {
            if let target { drill.trials[index].options.target = target }
            if let tolerance { drill.trials[index].options.tolerance = tolerance }
            if let holdGoal {
                drill.trials[index].options.holdGoal = holdGoal
                drill.trials[index].lengthSeconds = max(drill.trials[index].lengthSeconds, holdGoal)
            }
            if let feedback { drill.trials[index].feedback = feedback }
            if let estimate { drill.trials[index].estimate = estimate }
        }
        return drill
    }

    /// Checks every trial's options; the message names the trial.
    public func validate() throws(TrialOptions.Invalid) {
        if trials.isEmpty { throw TrialOptions.Invalid(description: "drill `\(name)` has no trials") }
        for (index, trial) in trials.enumerated() {
            do {
                try trial.options.validate()
            } catch {
                throw TrialOptions.Invalid(description: "drill `\(name)`, trial \(index + 1): \(error.description)")
            }
            guard trial.lengthSeconds.isFinite, trial.lengthSeconds > 0 else {
                throw TrialOptions.Invalid(description: "drill `\(name)`, trial \(index + 1): the trial length must be positive")
            }
        }
        guard restSeconds.isFinite, restSeconds >= 0 else {
            throw TrialOptions.Invalid(description: "drill `\(name)`: the rest must be 0 or more seconds")
        }
        do {
            try balance?.validate()
        } catch {
            throw TrialOptions.Invalid(description: "drill `\(name)`: \(error.description)")
        }
    }

    /// One line describing the drill's shape: "5 × 10 s at 5 g ± 1 g, hold 5 s, rest 5 s, full".
    public var shape: String {
        guard let first = trials.first else { return "no trials" }
        let targets = Array(Set(trials.map(\.options.target))).sorted()
        let target = targets.count == 1
            ? "\(trim(first.options.target)) g ± \(trim(first.options.tolerance)) g"
            : targets.map { trim($0) }.joined(separator: ", ") + " g"
        let lengths = Set(trials.map(\.lengthSeconds))
        let length = lengths.count == 1 ? "\(trim(first.lengthSeconds)) s" : "varied"
        let holds = Set(trials.map(\.options.holdGoal))
        let hold = holds.count == 1 ? "hold \(trim(first.options.holdGoal)) s" : "varied holds"
        var modes: [FeedbackMode] = []
        for trial in trials where !modes.contains(trial.feedback) { modes.append(trial.feedback) }
        let hands = balance.map { ", two hands, balance \(trim($0.target)) % ± \(trim($0.tolerance))" } ?? ""
        var estimates: [EstimateRequest] = []
        for trial in trials where trial.estimate.asksAnything && !estimates.contains(trial.estimate) {
            estimates.append(trial.estimate)
        }
        return "\(trials.count) × \(length) at \(target)\(hands), \(hold), rest \(trim(restSeconds)) s, "
            + modes.map(\.rawValue).joined(separator: "/")
            + (estimates.isEmpty ? "" : ", estimate " + estimates.map(\.name).joined(separator: "/"))
    }

    private func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : value.fixed(1)
    }
}
