#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Measures what each filter setting costs in lag and buys in calm, on
/// synthetic force traces at a given sample rate. The numbers behind the
/// default filter (Sources/LightTouchCore/Filters/README.md); `lighttouch
/// bench` can print them too. Deterministic: the noise comes from a fixed
/// seed, so every run gives the same table.
public enum FilterStudy {
    /// A filter setting to measure, with a short label for the table.
    public struct Candidate: Sendable, Equatable {
        public var label: String
        public var settings: FilterSettings

        public init(label: String, settings: FilterSettings) {
            self.label = label
            self.settings = settings
        }
    }

    /// The measurements of one candidate at one sample rate. Times are in
    /// seconds, forces in grams.
    public struct Row: Sendable, Equatable {
        public var candidate: Candidate
        public var sampleRateHz: Double
        /// Output SD while a steady 5 g is held, with white input noise of
        /// SD 0.02 g, after the filter has settled.
        public var noiseSDLow: Double
        /// The same with input noise of SD 0.1 g.
        public var noiseSDHigh: Double
        /// From a 0 → 5 g step to the first output sample at ≥ 2.5 g.
        public var rise50: Double
        /// From the step to the first output sample at ≥ 4.5 g.
        public var rise90: Double
        /// How far the output goes above 5 g after the step.
        public var overshoot: Double
        /// How far the output lags a 5 g + 0.5 g·sin(2π·0.5 Hz·t) wobble
        /// (from the phase of the least-squares fit of a 0.5 Hz sinusoid).
        public var wobbleDelay: Double
        /// The output's wobble amplitude over the input's (1 = unattenuated).
        public var wobbleGain: Double
    }

    /// Input noise SDs (g) of `noiseSDLow` and `noiseSDHigh`.
    public static let noiseLevels = (low: 0.02, high: 0.1)

    /// The settings compared in the README.
    public static let candidates: [Candidate] = {
        var list = [Candidate(label: "none", settings: FilterSettings(kind: .none))]
        for cutoff in [2.0, 5.0, 10.0] {
            list.append(
                Candidate(
                    label: "butterworth \(FilterConfigurationError.text(cutoff)) Hz",
                    settings: FilterSettings(kind: .butterworth, cutoffHz: cutoff)))
        }
        for (minCutoff, beta) in [(1.0, 0.0), (0.5, 0.1), (1.0, 0.1), (1.0, 0.5), (1.0, 1.0), (2.0, 0.5)] {
            list.append(
                Candidate(
                    label: "one-euro \(FilterConfigurationError.text(minCutoff)) Hz, β \(FilterConfigurationError.text(beta))",
                    settings: FilterSettings(kind: .oneEuro, minCutoffHz: minCutoff, beta: beta, derivativeCutoffHz: 1)))
        }
        list.append(
            Candidate(
                label: "median 5 + one-euro 1 Hz, β 0.5",
                settings: FilterSettings(kind: .oneEuro, minCutoffHz: 1, beta: 0.5, derivativeCutoffHz: 1, spikeWindow: 5)))
        return list
    }()

    /// Measures `candidate` at `sampleRateHz`.
    public static func measure(_ candidate: Candidate, sampleRateHz rate: Double) throws(FilterConfigurationError) -> Row {
        let prototype = try candidate.settings.makeChain(sampleRateHz: rate)
        let (rise50, rise90, overshoot) = step(prototype, rate: rate)
        let (delay, gain) = wobble(prototype, rate: rate)
        return Row(
            candidate: candidate, sampleRateHz: rate,
            noiseSDLow: noise(prototype, rate: rate, sd: noiseLevels.low),
            noiseSDHigh: noise(prototype, rate: rate, sd: noiseLevels.high),
            rise50: rise50, rise90: rise90, overshoot: overshoot,
            wobbleDelay: delay, wobbleGain: gain)
    }

    /// Measures every candidate at every rate, rate by rate.
    public static func measure(
        _ candidates: [Candidate] = FilterStudy.candidates, sampleRatesHz: [Double] = [80, 1000]
    ) throws(FilterConfigurationError) -> [Row] {
        var rows: [Row] = []
        for rate in sampleRatesHz {
            for candidate in candidates { rows.append(try measure(candidate, sampleRateHz: rate)) }
        }
        return rows
    }

    /// The rows as a Markdown table (times in ms, forces in g).
    public static func markdown(_ rows: [Row]) -> String {
        var lines = [
            "| rate | filter | noise SD, in 0.02 g | noise SD, in 0.1 g | step 50 % | step 90 % | overshoot | wobble delay | wobble gain |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let cells = [
                "\(FilterConfigurationError.text(row.sampleRateHz)) Hz",
                row.candidate.label,
                fixed(row.noiseSDLow, 4) + " g",
                fixed(row.noiseSDHigh, 4) + " g",
                fixed(row.rise50 * 1000, 1) + " ms",
                fixed(row.rise90 * 1000, 1) + " ms",
                fixed(row.overshoot, 3) + " g",
                fixed(row.wobbleDelay * 1000, 1) + " ms",
                fixed(row.wobbleGain, 3),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - The traces

    /// Output SD of a 60 s hold at 5 g with white Gaussian noise of SD `sd`,
    /// skipping the first 10 s while the filter settles.
    static func noise(_ prototype: FilterChain, rate: Double, sd: Double) -> Double {
        var filter = prototype
        var random = SplitMix64(seed: 0x4C54_4E6F_6973_6531)  // the same noise for every candidate
        let count = Int((60 * rate).rounded())
        let skip = Int((10 * rate).rounded())
        var n = 0, mean = 0.0, m2 = 0.0
        for i in 0..<count {
            let y = filter(5 + sd * random.nextGaussian(), at: Double(i) / rate)
            guard i >= skip else { continue }
            // Welford's running mean and variance.
            n += 1
            let delta = y - mean
            mean += delta / Double(n)
            m2 += delta * (y - mean)
        }
        return (m2 / Double(n - 1)).squareRoot()
    }

    /// A noise-free step from 0 to 5 g at t = 1 s: the time to the first
    /// output sample at or above 50 % and 90 % of it, and the overshoot over
    /// the following 5 s.
    static func step(_ prototype: FilterChain, rate: Double) -> (rise50: Double, rise90: Double, overshoot: Double) {
        var filter = prototype
        let stepIndex = Int(rate.rounded())  // t = 1 s
        let count = stepIndex + Int((5 * rate).rounded())
        var rise50 = Double.nan, rise90 = Double.nan, peak = 0.0
        for i in 0..<count {
            let y = filter(i < stepIndex ? 0 : 5, at: Double(i) / rate)
            guard i >= stepIndex else { continue }
            let since = Double(i - stepIndex) / rate
            if rise50.isNaN, y >= 2.5 { rise50 = since }
            if rise90.isNaN, y >= 4.5 { rise90 = since }
            peak = max(peak, y)
        }
        return (rise50, rise90, max(0, peak - 5))
    }

    /// A noise-free 5 g + 0.5 g·sin(2π·0.5 Hz·t) for 30 s. Over t in
    /// [10 s, 30 s), ten whole periods, the output is fitted by least squares
    /// to c + a·sin(ωt) + b·cos(ωt) = c + r·sin(ωt + φ); the delay is −φ/ω
    /// and the gain r / 0.5.
    static func wobble(_ prototype: FilterChain, rate: Double) -> (delay: Double, gain: Double) {
        var filter = prototype
        let omega = 2 * Double.pi * 0.5
        let amplitude = 0.5
        let start = Int((10 * rate).rounded())
        let count = Int((30 * rate).rounded())
        // Normal equations of the fit, accumulated: sums of products of the
        // basis (1, sin, cos) with itself and with the output.
        var g = [[Double]](repeating: [0, 0, 0], count: 3)
        var h = [0.0, 0.0, 0.0]
        for i in 0..<count {
            let t = Double(i) / rate
            let y = filter(5 + amplitude * sin(omega * t), at: t)
            guard i >= start else { continue }
            let basis = [1, sin(omega * t), cos(omega * t)]
            for r in 0..<3 {
                h[r] += basis[r] * y
                for c in 0..<3 { g[r][c] += basis[r] * basis[c] }
            }
        }
        let x = solve3(g, h)
        let (a, b) = (x[1], x[2])
        // r·sin(ωt + φ) = r cos φ·sin ωt + r sin φ·cos ωt: a = r cos φ,
        // b = r sin φ. Every filter here lags by far less than half a period.
        let phase = atan2(b, a)
        return (-phase / omega, (a * a + b * b).squareRoot() / amplitude)
    }

    /// Solves the 3×3 system g·x = h by Gaussian elimination with partial
    /// pivoting.
    static func solve3(_ g: [[Double]], _ h: [Double]) -> [Double] {
        var m = g
        var v = h
        for col in 0..<3 {
            let pivot = (col..<3).max { abs(m[$0][col]) < abs(m[$1][col]) }!
            m.swapAt(col, pivot)
            v.swapAt(col, pivot)
            for row in (col + 1)..<3 {
                let f = m[row][col] / m[col][col]
                for c in col..<3 { m[row][c] -= f * m[col][c] }
                v[row] -= f * v[col]
            }
        }
        var x = [0.0, 0.0, 0.0]
        for row in stride(from: 2, through: 0, by: -1) {
            var s = v[row]
            for c in (row + 1)..<3 { s -= m[row][c] * x[c] }
            x[row] = s / m[row][row]
        }
        return x
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "—" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        var fraction = String(Int(scaled) - whole * Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return digits == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}

/// SplitMix64 (G. Steele, D. Lea and C. Flood, "Fast Splittable
/// Pseudorandom Number Generators", OOPSLA 2014), with Box–Muller for
/// Gaussian deviates: a small, seeded, portable source of test noise.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: 53 random bits.
    mutating func nextUnit() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// A standard normal deviate (the cosine half of a Box–Muller pair).
    mutating func nextGaussian() -> Double {
        let u1 = nextUnit(), u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
