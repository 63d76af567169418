/// The order of the loads in a calibration run, as a bench operator follows
/// it, after ISO 376 (§7.4: preloads aside, series of increasing then
/// decreasing forces) and ASTM E74 (§7: at least two runs, zero before and after).
///
/// - Zero first; each series goes up through the masses and back down to zero
///   (0, 2, 5, 10, 20, 10, 5, 2, 0), so the decreasing readings give the
///   reversibility.
/// - Series 1 and 2 are taken in the same seating and share the zero between
///   them: the zero that ends series 1 starts series 2 (their difference is the
///   repeatability b′).
/// - With three or more series, the sensor is re-seated (lifted off its base
///   and put back, as ISO 376 rotates the instrument) before series 3 and
///   every later one, which then starts with a zero of its own: the spread
///   between seatings is the reproducibility b.
public struct CalibrationProcedure: Sendable, Equatable {
    /// Whether a reading is the zero, on the way up, or on the way down.
    public enum Direction: String, Sendable, Equatable, Hashable {
        case zero
        case increasing
        case decreasing
    }

    /// One reading to take.
    public struct Step: Sendable, Equatable {
        /// 0-based position in the run.
        public var index: Int
        /// The series the step belongs to, 1-based. A zero shared by two series
        /// belongs to the earlier one (it ends it) and `startsSeries` names the next.
        public var series: Int
        public var direction: Direction
        /// Nominal load, grams.
        public var load: Double
        /// The operator re-seats the sensor before this step.
        public var reseatBefore: Bool
        /// The series this zero starts, when it starts one.
        public var startsSeries: Int?
    }

    /// The nominal loads, ascending, starting at 0.
    public let loads: [Double]
    public let seriesCount: Int
    public let steps: [Step]

    /// Why a procedure cannot be built.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case tooFewLoads(Int)
        case invalidLoad(Double)
        case repeatedLoad(Double)
        case seriesOutOfRange(Int)

        public var description: String {
            switch self {
            case .tooFewLoads(let count):
                "a calibration needs at least two nonzero masses besides the zero (got \(count))"
            case .invalidLoad(let load): "mass \(load) g is not a positive number of grams"
            case .repeatedLoad(let load): "mass \(load) g is listed twice"
            case .seriesOutOfRange(let series): "--series must be 2 to 10 (got \(series)); two series at least, for repeatability"
            }
        }
    }

    /// Builds the run for `masses` (grams; 0 is added if missing) and `series`.
    public init(masses: [Double], series: Int) throws(Failure) {
        guard (2...10).contains(series) else { throw .seriesOutOfRange(series) }
        var nonzero: [Double] = []
        for mass in masses where mass != 0 {
            guard mass.isFinite, mass > 0 else { throw .invalidLoad(mass) }
            guard !nonzero.contains(mass) else { throw .repeatedLoad(mass) }
            nonzero.append(mass)
        }
        guard nonzero.count >= 2 else { throw .tooFewLoads(nonzero.count) }
        nonzero.sort()
        loads = [0] + nonzero
        seriesCount = series
        var steps: [Step] = []
        func add(_ series: Int, _ direction: Direction, _ load: Double, reseat: Bool = false, starts: Int? = nil) {
            steps.append(Step(index: steps.count, series: series, direction: direction, load: load, reseatBefore: reseat, startsSeries: starts))
        }
        for s in 1...series {
            let reseat = s >= 3
            if s == 1 || reseat {
                add(s, .zero, 0, reseat: reseat, starts: s)
            }
            for load in nonzero { add(s, .increasing, load) }
            for load in nonzero.dropLast().reversed() { add(s, .decreasing, load) }
            // The return to zero; series 2 starts from it unless series 2 is re-seated (never).
            let next = s + 1
            add(s, .zero, 0, starts: next <= series && next < 3 ? next : nil)
        }
        self.steps = steps
    }

    private init(loads: [Double], seriesCount: Int, steps: [Step]) {
        self.loads = loads
        self.seriesCount = seriesCount
        self.steps = steps
    }

    /// A quick check before class: the zero, then one known mass.
    public static func check(mass: Double) throws(Failure) -> CalibrationProcedure {
        guard mass.isFinite, mass > 0 else { throw .invalidLoad(mass) }
        return CalibrationProcedure(
            loads: [0, mass], seriesCount: 1,
            steps: [
                Step(index: 0, series: 1, direction: .zero, load: 0, reseatBefore: false, startsSeries: 1),
                Step(index: 1, series: 1, direction: .increasing, load: mass, reseatBefore: false, startsSeries: nil),
            ])
    }

    /// The zero step that starts `series`.
    public func startingZero(ofSeries series: Int) -> Step? {
        steps.first { $0.direction == .zero && $0.startsSeries == series }
    }

    /// The zero step that ends `series`.
    public func endingZero(ofSeries series: Int) -> Step? {
        steps.last { $0.direction == .zero && $0.series == series }
    }

    /// The seating a series is in: 1 for series 1 and 2, then one per series.
    public static func seating(ofSeries series: Int) -> Int { series <= 2 ? 1 : series - 1 }
}
