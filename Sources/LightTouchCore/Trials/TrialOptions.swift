/// The options that decide what a trial is and how it is scored. Every one of
/// them is recorded with the results, because changing any changes the grade.
public struct TrialOptions: Sendable, Equatable, Hashable {
    /// Centre of the target band, grams.
    public var target = 5.0
    /// Half-width of the target band, grams: in band when target − tolerance ≤ f ≤ target + tolerance.
    public var tolerance = 1.0
    /// Force at or above which the sensor is touched, grams.
    public var contact = 0.5
    /// A release run at least this long ends a trial, seconds.
    public var release = 0.5
    /// An out-of-band excursion shorter than this does not break a hold, seconds.
    public var grace = 0.2
    /// The hold the score asks for, seconds.
    public var holdGoal = 10.0

    public init() {}

    public init(target: Double, tolerance: Double, contact: Double, release: Double, grace: Double, holdGoal: Double) {
        self.target = target
        self.tolerance = tolerance
        self.contact = contact
        self.release = release
        self.grace = grace
        self.holdGoal = holdGoal
    }

    /// Durations are compared to within a nanosecond, so that times on the
    /// device's microsecond grid are never split by binary rounding
    /// (0.9 − 0.7 is 0.19999999999999996 in floating point).
    public static let timeEpsilon = 1e-9

    public var bandLow: Double { target - tolerance }
    public var bandHigh: Double { target + tolerance }

    @inline(__always)
    public func isInBand(_ force: Double) -> Bool { force >= bandLow && force <= bandHigh }

    /// Why a set of options makes no sense; the message names the option.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Each option's own range, by its command-line name: a positive number,
    /// `--grace` a non-negative one. Given a value for each of those names
    /// that is set (nil: not given), checks them one by one.
    public static func checkRanges(
        target: Double?, tolerance: Double?, contact: Double?, release: Double?, grace: Double?, holdGoal: Double?
    ) throws(Invalid) {
        for (value, name, allowZero) in [
            (target, "--target", false), (tolerance, "--tolerance", false), (contact, "--contact", false),
            (release, "--release", false), (grace, "--grace", true), (holdGoal, "--hold", false),
        ] {
            guard let value else { continue }
            guard value.isFinite, allowZero ? value >= 0 : value > 0 else {
                throw Invalid(description: "\(name) must be a \(allowZero ? "non-negative" : "positive") number (got \(value))")
            }
        }
    }

    public func validate() throws(Invalid) {
        try Self.checkRanges(target: target, tolerance: tolerance, contact: contact, release: release, grace: grace, holdGoal: holdGoal)
        guard tolerance < target else {
            throw Invalid(description: "--tolerance (\(tolerance) g) must be smaller than --target (\(target) g)")
        }
        guard contact < bandLow else {
            throw Invalid(description: "--contact (\(contact) g) must be below the band's lower edge (\(bandLow) g)")
        }
    }

    public var jsonMembers: [(String, JSONValue)] {
        [
            ("target_g", .double(target)), ("tolerance_g", .double(tolerance)), ("contact_g", .double(contact)),
            ("release_s", .double(release)), ("grace_s", .double(grace)), ("hold_goal_s", .double(holdGoal)),
        ]
    }
}
