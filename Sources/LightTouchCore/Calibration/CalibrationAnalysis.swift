/// A calibration point as the analysis needs it: the load, the raw reading,
/// and, when it came from a run, where in the run it was.
public struct CalibrationSample: Sendable, Equatable {
    /// Applied load, grams (or the file's own unit).
    public var load: Double
    /// Mean raw reading, ADC counts.
    public var reading: Double
    public var series: Int?
    public var direction: CalibrationProcedure.Direction?
    /// SD of the raw samples averaged into the reading, counts.
    public var sd: Double?
    /// For a run's readings: how many raw samples were averaged, their
    /// extremes (counts), and the device time of the window (seconds from the
    /// run's first sample), so that the run can be audited.
    public var count: Int?
    public var minimum: Double?
    public var maximum: Double?
    public var start: Double?
    public var end: Double?

    public init(load: Double, reading: Double, series: Int? = nil, direction: CalibrationProcedure.Direction? = nil, sd: Double? = nil) {
        self.load = load
        self.reading = reading
        self.series = series
        self.direction = direction
        self.sd = sd
    }

    public init(_ point: CalibrationPoint) {
        self.init(load: point.load, reading: point.reading.mean, series: point.series, direction: point.direction, sd: point.reading.sd)
        count = point.reading.count
        minimum = point.reading.minimum
        maximum = point.reading.maximum
        start = point.reading.start
        end = point.reading.end
    }
}

/// Why calibration points cannot make a calibration.
public enum CalibrationFitError: Error, Equatable, Sendable, CustomStringConvertible {
    case fit(PolynomialFit.Failure)
    /// The calibration equation must be 1 to 3 (the sensor's flash holds c₀…c₃).
    case degreeOutOfRange(Int)
    case negativeLoad(Double)
    /// The fitted reading does not rise with the load somewhere in the range.
    case notMonotonic(atLoad: Double)

    public var description: String {
        switch self {
        case .fit(let failure): failure.description
        case .degreeOutOfRange(let degree): "--degree must be 1, 2 or 3 for a calibration (got \(degree))"
        case .negativeLoad(let load): "load \(load) is negative; loads are applied masses"
        case .notMonotonic(let load):
            "the readings do not rise with the load (the fitted equation falls near \(load.fixed(3)) g), so it cannot be "
                + "inverted: check the masses and their order, or lower --degree"
        }
    }
}

/// The calibration equation fitted to the points, and the metrics of ISO 376
/// and ASTM E74 as far as a 5 g trainer needs them. Definitions (X is a
/// deflection: a reading minus the zero reading that started its series):
///
/// - residual: reading − fitted reading, in counts, and in grams as the load
///   the equation gives for the reading minus the applied load;
/// - fit SD (s): √(Σ residual_g² / (n − p)), grams;
/// - LLF = 2.4 × s (ASTM E74-18 §8.5, lower limit factor);
/// - lowest force the sensor can honestly report: the larger of 400 × LLF
///   (ASTM E74 Class A lower load limit) and the smallest nonzero load applied;
///   5 g is inside the calibrated range when lowest ≤ 5 ≤ largest load;
/// - repeatability b′ = |X₂ − X₁| / mean(X₁, X₂) × 100 %, series 1 and 2
///   (same seating, increasing loads) (ISO 376:2011 §8.3.1);
/// - reproducibility b = (X_max − X_min) / mean × 100 % over the increasing
///   deflections of the different seatings: series 1, 3, 4, … (ISO 376 §8.3.2);
/// - interpolation error fc = (X̄ − Xa) / Xa × 100 %, X̄ the mean increasing
///   deflection over all series, Xa the fitted deflection (ISO 376 §8.3.4);
/// - zero error f₀ = (i_f − i₀) / X_N × 100 % per series, i₀ and i_f the zero
///   readings before and after it, X_N the deflection at the largest load
///   (ISO 376 §8.3.5); the largest |f₀| is reported;
/// - reversibility ν = (X′ − X) / X × 100 %, X′ decreasing and X increasing in
///   the same series (ISO 376 §8.3.3); per load, the largest |ν| over series;
/// - resolution: the noise at rest, the mean SD of the raw samples in the zero
///   readings, in grams (ISO 376 §6.4.1 takes half the fluctuation range); and
///   one ADC count in grams.
public struct CalibrationAnalysis: Sendable {
    public let samples: [CalibrationSample]
    public let fit: PolynomialFit
    public let polynomial: CalibrationPolynomial

    public struct LoadSummary: Sendable, Equatable {
        public var load: Double
        public var count: Int
        /// Mean and largest |residual| at this load, grams.
        public var meanResidualGrams: Double
        public var maxAbsResidualGrams: Double
        public var meanResidualCounts: Double
        public var repeatabilityPercent: Double?
        public var reproducibilityPercent: Double?
        public var interpolationPercent: Double?
        public var reversibilityPercent: Double?
    }

    public let residualsGrams: [Double]
    public let loads: [LoadSummary]
    public let fitSDGrams: Double
    public var lowerLimitFactor: Double { 2.4 * fitSDGrams }
    public let lowestForceGrams: Double
    public let largestLoad: Double
    public let zeroErrorPercent: Double?
    public let noiseAtRestGrams: Double?
    public var countInGrams: Double { 1 / abs(fit.slope(at: 0)) }

    /// Whether 5 g (or `target`) lies in the range the sensor can honestly report.
    public func covers(_ target: Double) -> Bool { lowestForceGrams <= target && target <= largestLoad }

    public static let classALowerLimitMultiple = 400.0

    /// Fits `samples` with a calibration equation of `degree` (1 to 3) and
    /// computes the metrics.
    public init(samples: [CalibrationSample], degree: Int) throws(CalibrationFitError) {
        guard (1...3).contains(degree) else { throw .degreeOutOfRange(degree) }
        if let negative = samples.first(where: { $0.load < 0 }) { throw .negativeLoad(negative.load) }
        let fit: PolynomialFit
        do {
            fit = try PolynomialFit.fit(x: samples.map(\.load), y: samples.map(\.reading), degree: degree)
        } catch {
            throw .fit(error)
        }
        let largest = samples.map(\.load).max() ?? 0
        // The equation must rise over the whole calibrated range (and a little past it).
        let grid = stride(from: 0.0, through: 1.0, by: 1.0 / 400).map { $0 * largest * 1.05 }
        if let falling = grid.first(where: { fit.slope(at: $0) <= 0 }) { throw .notMonotonic(atLoad: falling) }
        self.samples = samples
        self.fit = fit
        polynomial = CalibrationPolynomial(coefficients: fit.coefficients)
        largestLoad = largest
        let polynomial = self.polynomial
        let residualsGrams = samples.map { polynomial.mass(forReading: $0.reading) - $0.load }
        self.residualsGrams = residualsGrams
        let p = Double(fit.parameterCount)
        fitSDGrams = (residualsGrams.reduce(0) { $0 + $1 * $1 } / (Double(samples.count) - p)).squareRoot()
        let smallestNonzero = samples.map(\.load).filter { $0 > 0 }.min() ?? 0
        lowestForceGrams = max(Self.classALowerLimitMultiple * 2.4 * fitSDGrams, smallestNonzero)

        // Deflections per series (reading − the zero that started the series).
        var seriesZero: [Int: Double] = [:]
        var seriesEndZero: [Int: Double] = [:]
        var seen: Set<Int> = []
        var increasing: [Int: [Double: Double]] = [:]  // series → load → deflection
        var decreasing: [Int: [Double: Double]] = [:]
        for sample in samples {
            guard let series = sample.series, let direction = sample.direction else { continue }
            defer { seen.insert(series) }
            switch direction {
            case .zero:
                if !seen.contains(series) {
                    seriesZero[series] = sample.reading  // a zero of its own starts the series
                } else {
                    seriesEndZero[series] = sample.reading
                    // Shared: the zero that ends series s starts s + 1 unless s + 1 has its own.
                    if seriesZero[series + 1] == nil { seriesZero[series + 1] = sample.reading }
                }
            case .increasing, .decreasing:
                guard let zero = seriesZero[series] else { continue }
                let deflection = sample.reading - zero
                if direction == .increasing {
                    increasing[series, default: [:]][sample.load] = deflection
                } else {
                    decreasing[series, default: [:]][sample.load] = deflection
                }
            }
        }

        let fittedZero = fit.value(at: 0)
        var summaries: [LoadSummary] = []
        let distinctLoads = Set(samples.map(\.load)).sorted()
        for load in distinctLoads {
            let indices = samples.indices.filter { samples[$0].load == load }
            let gramResiduals = indices.map { residualsGrams[$0] }
            let countResiduals = indices.map { fit.residuals[$0] }
            var summary = LoadSummary(
                load: load, count: indices.count,
                meanResidualGrams: gramResiduals.reduce(0, +) / Double(indices.count),
                maxAbsResidualGrams: gramResiduals.map(abs).max() ?? 0,
                meanResidualCounts: countResiduals.reduce(0, +) / Double(indices.count))
            if load > 0 {
                if let x1 = increasing[1]?[load], let x2 = increasing[2]?[load] {
                    summary.repeatabilityPercent = abs(x2 - x1) / ((x1 + x2) / 2) * 100
                }
                let seatings = increasing.keys.filter { $0 == 1 || $0 >= 3 }.sorted().compactMap { increasing[$0]?[load] }
                if seatings.count >= 2, let high = seatings.max(), let low = seatings.min() {
                    let mean = seatings.reduce(0, +) / Double(seatings.count)
                    summary.reproducibilityPercent = (high - low) / mean * 100
                }
                let all = increasing.keys.sorted().compactMap { increasing[$0]?[load] }
                if !all.isEmpty {
                    let mean = all.reduce(0, +) / Double(all.count)
                    let fitted = fit.value(at: load) - fittedZero
                    summary.interpolationPercent = (mean - fitted) / fitted * 100
                }
                let reversals = decreasing.keys.sorted().compactMap { series -> Double? in
                    guard let down = decreasing[series]?[load], let up = increasing[series]?[load] else { return nil }
                    return (down - up) / up * 100
                }
                if let worst = reversals.max(by: { abs($0) < abs($1) }) { summary.reversibilityPercent = worst }
            }
            summaries.append(summary)
        }
        loads = summaries

        var zeroErrors: [Double] = []
        for (series, ups) in increasing {
            guard let start = seriesZero[series], let end = seriesEndZero[series], let top = ups[largest], top != 0 else { continue }
            zeroErrors.append((end - start) / top * 100)
        }
        zeroErrorPercent = zeroErrors.max(by: { abs($0) < abs($1) })

        let restSDs = samples.filter { $0.load == 0 }.compactMap(\.sd)
        let slope = abs(fit.slope(at: 0))
        noiseAtRestGrams = restSDs.isEmpty ? nil : restSDs.reduce(0, +) / Double(restSDs.count) / slope
    }

    /// Largest |value| of a per-load metric, keeping its sign.
    public func worst(_ metric: KeyPath<LoadSummary, Double?>) -> Double? {
        loads.compactMap { $0[keyPath: metric] }.max(by: { abs($0) < abs($1) })
    }
}
