/// When to trust a reading: only from a settled signal. The standard
/// deviation over a sliding window must stay under a threshold for a settle
/// time; then the reading is averaged over a reading window, during which the
/// signal must stay settled. A reading is never taken from a moving signal.
public struct StabilitySettings: Sendable, Equatable {
    /// Length of the sliding window whose SD decides "settled", seconds.
    public var window = 0.5
    /// Largest SD over the window that counts as settled, grams.
    public var maximumSD = 0.05
    /// How long the signal must stay settled before the reading starts, seconds.
    public var settle = 1.0
    /// How long the reading averages, seconds.
    public var reading = 1.0

    public init() {}

    public init(window: Double, maximumSD: Double, settle: Double, reading: Double) {
        self.window = window
        self.maximumSD = maximumSD
        self.settle = settle
        self.reading = reading
    }

    /// The shortest plateau that gives a reading.
    public var minimumPlateau: Double { window + settle + reading }

    /// Checks every field; the message names the option.
    public func validate() throws(CalibrationRunError) {
        for (name, value) in [("--stable-window-s", window), ("--settle-s", settle), ("--reading-s", reading)]
        where !(value.isFinite && value > 0 && value <= 60) {
            throw .invalidSetting("\(name) must be more than 0 and at most 60 seconds (got \(value))")
        }
        guard maximumSD.isFinite, maximumSD > 0 else {
            throw .invalidSetting("--stable-sd-g must be a positive number of grams (got \(maximumSD))")
        }
    }
}

/// What one step's reading is: the raw counts averaged over the reading window.
public struct StepReading: Sendable, Equatable {
    /// Mean ADC counts.
    public var mean: Double
    /// Sample standard deviation of the counts (n − 1).
    public var sd: Double
    public var count: Int
    public var minimum: Double
    public var maximum: Double
    /// Device time of the first and last sample, seconds.
    public var start: Double
    public var end: Double
}

/// A sliding window over (time, value) with its mean and SD, and the
/// accumulation of a reading. Values are in counts; the threshold in counts
/// is the grams threshold times the nominal sensitivity.
public struct StabilityDetector: Sendable {
    public let settings: StabilitySettings
    /// Counts per gram used to compare SDs with the threshold.
    public let countsPerGram: Double
    private var window: [(time: Double, value: Double)] = []
    private var head = 0
    /// Running sums over window[head...] of (value − shift), shift the first
    /// value seen: constant memory and time per sample, no cancellation.
    private var shift = 0.0
    private var sum = 0.0
    private var squares = 0.0
    private(set) public var settledSince: Double?
    private var readingSamples: [Double] = []
    private var readingStart: Double?
    private var readingEnd = 0.0

    public init(settings: StabilitySettings, countsPerGram: Double) {
        self.settings = settings
        self.countsPerGram = countsPerGram
    }

    /// What the detector sees after a sample.
    public enum Phase: Sendable, Equatable {
        /// The window is not full yet, or the signal moves (SD in grams).
        case moving(sdGrams: Double?)
        /// Settled for `fraction` of the settle time.
        case settling(fraction: Double, sdGrams: Double, level: Double)
        /// Averaging: `fraction` of the reading window done.
        case reading(fraction: Double, sdGrams: Double, level: Double)
        /// The reading is complete.
        case done(StepReading)
        /// The signal moved while a reading was being averaged.
        case movedDuringReading(sdGrams: Double)
    }

    /// The SD over the sliding window, grams, and its mean (counts), when full.
    public var current: (sdGrams: Double, mean: Double)? {
        let count = window.count - head
        guard count >= 2, let last = window.last, last.time - window[head].time >= settings.window * 0.999 else { return nil }
        let n = Double(count)
        let mean = sum / n
        let variance = max(0, (squares - n * mean * mean) / (n - 1))
        return (variance.squareRoot() / countsPerGram, mean + shift)
    }

    /// Forgets everything (after a reading, or when the operator is told to start over).
    public mutating func reset() {
        window.removeAll(keepingCapacity: true)
        head = 0
        sum = 0
        squares = 0
        settledSince = nil
        readingSamples.removeAll(keepingCapacity: true)
        readingStart = nil
    }

    /// Adds a sample; `mayRead` false keeps the detector watching without
    /// starting a reading (the plateau is not the one wanted yet).
    public mutating func add(time: Double, value: Double, mayRead: Bool = true) -> Phase {
        if window.count == head { shift = value }
        window.append((time, value))
        let d = value - shift
        sum += d
        squares += d * d
        // Keep the newest sample that is at least a window old, so the window spans it fully.
        while head + 1 < window.count, time - window[head + 1].time >= settings.window {
            let old = window[head].value - shift
            sum -= old
            squares -= old * old
            head += 1
        }
        if head > 4096 {
            window.removeFirst(head)
            head = 0
            // Recompute the sums exactly now and then, so rounding cannot accumulate.
            shift = window[0].value
            sum = 0
            squares = 0
            for sample in window {
                let e = sample.value - shift
                sum += e
                squares += e * e
            }
        }
        guard let (sd, level) = current else { return .moving(sdGrams: nil) }
        let settled = sd <= settings.maximumSD
        if readingStart != nil {
            guard settled else {
                readingSamples.removeAll(keepingCapacity: true)
                readingStart = nil
                settledSince = nil
                return .movedDuringReading(sdGrams: sd)
            }
            readingSamples.append(value)
            readingEnd = time
            let start = readingStart ?? time
            let fraction = min(1, (time - start) / settings.reading)
            if time - start >= settings.reading * 0.999, readingSamples.count >= 2 {
                let reading = Self.summarise(readingSamples, start: start, end: time)
                readingSamples.removeAll(keepingCapacity: true)
                readingStart = nil
                // The whole reading window must be as still as the sliding one.
                if reading.sd / countsPerGram > settings.maximumSD {
                    settledSince = nil
                    return .movedDuringReading(sdGrams: reading.sd / countsPerGram)
                }
                return .done(reading)
            }
            return .reading(fraction: fraction, sdGrams: sd, level: level)
        }
        guard settled else {
            settledSince = nil
            return .moving(sdGrams: sd)
        }
        let since = settledSince ?? time
        settledSince = since
        let fraction = min(1, (time - since) / settings.settle)
        if mayRead, time - since >= settings.settle * 0.999 {
            readingStart = time
            readingSamples = [value]
            return .reading(fraction: 0, sdGrams: sd, level: level)
        }
        return .settling(fraction: fraction, sdGrams: sd, level: level)
    }

    static func summarise(_ values: [Double], start: Double, end: Double) -> StepReading {
        let shift = values[0]
        var sum = 0.0
        for value in values { sum += value - shift }
        let mean = sum / Double(values.count)
        var squares = 0.0
        for value in values {
            let d = value - shift - mean
            squares += d * d
        }
        return StepReading(
            mean: mean + shift, sd: (squares / Double(values.count - 1)).squareRoot(), count: values.count,
            minimum: values.min() ?? shift, maximum: values.max() ?? shift, start: start, end: end)
    }
}
