/// What a calibration run's report shows, independent of how it is drawn:
/// the signal over the run with each reading's window, the calibration curve
/// (the readings and the fitted equation) and its residuals with the band
/// they must stay in, then a table of the readings and the metrics. Built by
/// the CLI from a replayed calibration recording.
public struct CalibrationReportDocument: Sendable {
    /// The signal over the run: session time (s) and the load it reads by the
    /// new calibration (g).
    public struct SignalPoint: Sendable, Equatable {
        public var time: Double
        public var grams: Double

        public init(time: Double, grams: Double) {
            self.time = time
            self.grams = grams
        }
    }

    /// One reading: its window in the run, the load placed and what it read.
    public struct Reading: Sendable, Equatable {
        public enum Direction: String, Sendable, Equatable { case zero, increasing, decreasing }
        /// 1-based step.
        public var step: Int
        public var series: Int
        public var direction: Direction
        /// The reading's averaging window, session time (s).
        public var start: Double
        public var end: Double
        /// The load placed, grams.
        public var load: Double
        /// The mean raw counts over the window, and their SD.
        public var counts: Double
        public var countsSD: Double
        /// The load the fitted equation gives for `counts`, minus `load`, grams.
        public var residual: Double

        public init(
            step: Int, series: Int, direction: Direction, start: Double, end: Double, load: Double, counts: Double,
            countsSD: Double, residual: Double
        ) {
            self.step = step
            self.series = series
            self.direction = direction
            self.start = start
            self.end = end
            self.load = load
            self.counts = counts
            self.countsSD = countsSD
            self.residual = residual
        }
    }

    public var title: String
    public var subtitle: String
    public var signal: [SignalPoint]
    public var readings: [Reading]
    /// The fitted equation, counts → grams (for the curve), and its text
    /// ("m = −30.0000 + 2.5e−4 c − …").
    public var equation: @Sendable (Double) -> Double
    public var equationText: String
    /// The band the residuals should stay within (ASTM E74 lower limit factor), grams.
    public var residualBand: Double
    /// The load students are taught to apply, marked on the curve and the residuals.
    public var target: Double
    /// A table (header row first): the readings, or the metrics.
    public var table: [[String]]
    /// Lines under the table: the fit, the classes, the certificate.
    public var notes: [String]

    public init(
        title: String, subtitle: String, signal: [SignalPoint], readings: [Reading], equation: @escaping @Sendable (Double) -> Double,
        equationText: String, residualBand: Double, target: Double, table: [[String]], notes: [String]
    ) {
        self.title = title
        self.subtitle = subtitle
        self.signal = signal
        self.readings = readings
        self.equation = equation
        self.equationText = equationText
        self.residualBand = residualBand
        self.target = target
        self.table = table
        self.notes = notes
    }
}
