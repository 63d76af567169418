/// The two hands' forces at one sample, grams (after tare; filtered where the
/// pipeline says so). Channel 0 is the left hand, channel 1 the right.
public struct HandForces: Sendable, Equatable, Hashable {
    public var left: Double
    public var right: Double

    public init(left: Double, right: Double) {
        self.left = left
        self.right = right
    }

    /// The pair's force: the mean of the two hands, what a two-hand trial's
    /// headline metrics (mean, accuracy, steadiness) are computed on.
    @inline(__always)
    public var mean: Double { (left + right) / 2 }

    /// The left hand's share of the total, percent; nil unless both hands
    /// touch (each at or above `contact`), where a share means something.
    @inline(__always)
    public func leftShare(contact: Double) -> Double? {
        guard left >= contact, right >= contact else { return nil }
        return 100 * left / (left + right)
    }
}

/// A two-hand session's balance band: the left hand's share of the total
/// force, percent, and how far it may stray. Its presence in a
/// `PipelineConfiguration` is what makes a session two-handed.
public struct BalanceSettings: Sendable, Equatable, Hashable {
    /// The left share aimed at, percent (50: both hands alike).
    public var target = 50.0
    /// Half-width of the balance band, percentage points.
    public var tolerance = 5.0

    public init() {}

    public init(target: Double, tolerance: Double) {
        self.target = target
        self.tolerance = tolerance
    }

    public var low: Double { target - tolerance }
    public var high: Double { target + tolerance }

    /// Whether a left share (percent) is within the band. A share is compared
    /// to within 1e-9 points so that an exact edge (45 %) counts as inside.
    @inline(__always)
    public func isBalanced(share: Double?) -> Bool {
        guard let share else { return false }
        return share >= low - 1e-9 && share <= high + 1e-9
    }

    /// Why a balance band makes no sense; the message names the option.
    public func validate() throws(TrialOptions.Invalid) {
        guard target.isFinite, target > 0, target < 100 else {
            throw TrialOptions.Invalid(description: "--balance must be a left share between 0 and 100 % (got \(target))")
        }
        guard tolerance.isFinite, tolerance > 0, tolerance < min(target, 100 - target) else {
            throw TrialOptions.Invalid(
                description: "--balance-tolerance must be positive and keep the band inside 0…100 % (got \(tolerance) around \(target))")
        }
    }

    public var jsonMembers: [(String, JSONValue)] {
        [("hands", .int(2)), ("balance_target_pct", .double(target)), ("balance_tolerance_pct", .double(tolerance))]
    }
}

extension TrialOptions {
    /// A two-hand sample is in band when each hand is in this band and the
    /// pair is balanced: the condition a two-hand hold counts under.
    @inline(__always)
    public func isInBand(_ hands: HandForces, balance: BalanceSettings) -> Bool {
        isInBand(hands.left) && isInBand(hands.right) && balance.isBalanced(share: hands.leftShare(contact: contact))
    }
}

/// A two-hand trial's balance, accumulated sample by sample in constant
/// memory over its balance phase: from the first sample with both hands in
/// the band on (as a trial's hold phase starts at its first in-band sample).
public struct BalanceAccumulator: Sendable {
    public let options: TrialOptions
    public let balance: BalanceSettings
    private var inPhase = false
    private var phaseSeconds = 0.0
    private var balancedSeconds = 0.0
    private var count = 0
    private var mean = 0.0
    private var m2 = 0.0

    public init(options: TrialOptions, balance: BalanceSettings) {
        self.options = options
        self.balance = balance
    }

    /// Adds a sample standing for `interval` seconds.
    @inline(__always)
    public mutating func add(_ hands: HandForces, interval: Double) {
        if !inPhase, options.isInBand(hands.left), options.isInBand(hands.right) { inPhase = true }
        guard inPhase else { return }
        phaseSeconds += interval
        let share = hands.leftShare(contact: options.contact)
        if balance.isBalanced(share: share) { balancedSeconds += interval }
        if let share {
            count += 1
            let delta = share - mean
            mean += delta / Double(count)
            m2 += delta * (share - mean)
        }
    }

    public var metrics: BalanceMetrics {
        BalanceMetrics(
            meanLeftSharePercent: count > 0 ? mean : nil,
            sdLeftSharePercent: count >= 2 ? (m2 / Double(count - 1)).squareRoot() : nil,
            balancedSeconds: balancedSeconds,
            balancedPercent: phaseSeconds > 0 ? 100 * balancedSeconds / phaseSeconds : nil,
            phaseSeconds: phaseSeconds)
    }
}

/// A two-hand trial's balance (docs/scoring.md, "Two hands"). Optional values
/// are null when both hands never reached the band together.
public struct BalanceMetrics: Sendable, Equatable {
    /// Mean of the left share over the balance phase's samples where both hands touch, percent.
    public var meanLeftSharePercent: Double?
    /// Its sample standard deviation, percentage points.
    public var sdLeftSharePercent: Double?
    /// Time balanced in the balance phase, seconds.
    public var balancedSeconds: Double
    /// Time balanced as a share of the balance phase, percent.
    public var balancedPercent: Double?
    /// The balance phase's length, seconds.
    public var phaseSeconds: Double

    public init(
        meanLeftSharePercent: Double?, sdLeftSharePercent: Double?, balancedSeconds: Double, balancedPercent: Double?,
        phaseSeconds: Double
    ) {
        self.meanLeftSharePercent = meanLeftSharePercent
        self.sdLeftSharePercent = sdLeftSharePercent
        self.balancedSeconds = balancedSeconds
        self.balancedPercent = balancedPercent
        self.phaseSeconds = phaseSeconds
    }

    public var jsonMembers: [(String, JSONValue)] {
        [
            ("left_share_mean_pct", .number(meanLeftSharePercent.map(TrialMetrics.rounded))),
            ("left_share_sd_pct", .number(sdLeftSharePercent.map(TrialMetrics.rounded))),
            ("balanced_s", .double(TrialMetrics.rounded(balancedSeconds))),
            ("balanced_pct", .number(balancedPercent.map(TrialMetrics.rounded))),
            ("balance_phase_s", .double(TrialMetrics.rounded(phaseSeconds))),
        ]
    }
}

/// A two-hand trial's own metrics: each hand's, scored alone against the
/// band, and the balance.
public struct HandsMetrics: Sendable, Equatable {
    /// Left, then right (an array, because a `TrialMetrics` holds these).
    public var hands: [TrialMetrics]
    public var balance: BalanceMetrics

    public init(left: TrialMetrics, right: TrialMetrics, balance: BalanceMetrics) {
        hands = [left, right]
        self.balance = balance
    }

    public var left: TrialMetrics { hands[0] }
    public var right: TrialMetrics { hands[1] }

    public var json: JSONValue {
        .object([("left", left.json), ("right", right.json)] + balance.jsonMembers)
    }
}
