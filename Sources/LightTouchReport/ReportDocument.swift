/// What a session report shows, independent of how it is drawn: the force
/// trace, the target band(s), the trials and their holds, the events, and
/// the metrics table. Built by the CLI from a replayed recording.
public struct ReportDocument: Sendable {
    /// One point of the trace: session time (s), the scored (filtered) force (g), in band.
    public struct Point: Sendable, Equatable {
        public var time: Double
        public var force: Double
        public var inBand: Bool

        public init(time: Double, force: Double, inBand: Bool) {
            self.time = time
            self.force = force
            self.inBand = inBand
        }
    }

    /// The band in force over a stretch of time.
    public struct Band: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var low: Double
        public var high: Double

        public init(start: Double, end: Double, low: Double, high: Double) {
            self.start = start
            self.end = end
            self.low = low
            self.high = high
        }
    }

    public struct Trial: Sendable, Equatable {
        public var number: Int
        public var start: Double
        public var end: Double
        public var score: Double
        /// The trial's longest run of in-band samples, if any: where the hold was.
        public var hold: (start: Double, end: Double)?

        public init(number: Int, start: Double, end: Double, score: Double, hold: (start: Double, end: Double)?) {
            self.number = number
            self.start = start
            self.end = end
            self.score = score
            self.hold = hold
        }

        public static func == (a: Trial, b: Trial) -> Bool {
            a.number == b.number && a.start == b.start && a.end == b.end && a.score == b.score
                && a.hold?.start == b.hold?.start && a.hold?.end == b.hold?.end
        }
    }

    public struct Marker: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case tare, connection }
        public var time: Double
        public var label: String
        public var kind: Kind

        public init(time: Double, label: String, kind: Kind) {
            self.time = time
            self.label = label
            self.kind = kind
        }
    }

    /// Two hands: each hand's filtered force, drawn beside the pair's trace
    /// (the hands' mean, `points`). `inBand` is the hand's own verdict.
    public struct Hands: Sendable, Equatable {
        public var left: [Point]
        public var right: [Point]

        public init(left: [Point], right: [Point]) {
            self.left = left
            self.right = right
        }
    }

    public var title: String
    public var subtitle: String
    public var points: [Point]
    /// The band everywhere outside `trialBands`.
    public var band: Band
    public var trialBands: [Band]
    public var trials: [Trial]
    public var markers: [Marker]
    /// The metrics table: a header row, then one row per trial.
    public var table: [[String]]
    /// Lines under the table: the summary, and for an assessment each criterion and the grade.
    public var notes: [String]
    /// Two hands' own traces (nil for one hand).
    public var hands: Hands?

    public init(
        title: String, subtitle: String, points: [Point], band: Band, trialBands: [Band], trials: [Trial], markers: [Marker],
        table: [[String]], notes: [String], hands: Hands? = nil
    ) {
        self.hands = hands
        self.title = title
        self.subtitle = subtitle
        self.points = points
        self.band = band
        self.trialBands = trialBands
        self.trials = trials
        self.markers = markers
        self.table = table
        self.notes = notes
    }

    /// The longest run of consecutive in-band points between `start` and `end`.
    public static func longestRun(_ points: [Point], from start: Double, to end: Double) -> (start: Double, end: Double)? {
        var best: (start: Double, end: Double)?
        var runStart: Double?
        var last = start
        for point in points where point.time >= start && point.time <= end {
            if point.inBand {
                if runStart == nil { runStart = point.time }
            } else if let begun = runStart {
                if best.map({ point.time - begun > $0.end - $0.start }) ?? true { best = (begun, point.time) }
                runStart = nil
            }
            last = point.time
        }
        if let begun = runStart, best.map({ last - begun > $0.end - $0.start }) ?? true { best = (begun, last) }
        return best
    }
}
