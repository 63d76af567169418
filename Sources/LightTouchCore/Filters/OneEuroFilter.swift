/// The 1€ filter (`--filter one-euro`): an exponential smoother whose cutoff
/// rises with the speed of the signal, so that a still hand reads calm and a
/// moving one is followed with little lag.
///
/// G. Casiez, N. Roussel and D. Vogel, "1€ Filter: A Simple Speed-based
/// Low-pass Filter for Noisy Input in Interactive Systems", CHI 2012,
/// https://doi.org/10.1145/2207676.2208639. For each sample, with Δt the
/// time since the previous sample and α(fc) = 1 / (1 + τ/Δt), τ = 1/(2π·fc):
///
///     dx  = (x − x̂_prev) / Δt              speed against the previous output
///     d̂x  = d̂x_prev + α(dcutoff)·(dx − d̂x_prev)
///     fc  = mincutoff + β·|d̂x|
///     x̂   = x̂_prev + α(fc)·(x − x̂_prev)
///
/// The speed is taken against the previous *filtered* value, as in the
/// authors' reference implementations since August 2023
/// (https://github.com/casiez/OneEuroFilter); the tests check their published
/// ground truth to 1e-5.
///
/// Δt is the actual difference between the samples' device times, so the
/// filter needs no nominal rate. The first sample after `init` or `reset()`
/// is returned unchanged and starts the speed estimate at 0. A sample whose
/// time is not after the previous sample's (Δt ≤ 0, such as a duplicate) is
/// ignored: the previous output is returned and the state does not change.
public struct OneEuroFilter: ForceFilter, Equatable {
    /// The cutoff when the force holds still, in hertz: lower is calmer.
    public let minCutoffHz: Double
    /// How much the cutoff rises with speed, in hertz per (g/s): higher
    /// follows fast changes with less lag.
    public let beta: Double
    /// The cutoff of the speed estimate, in hertz.
    public let derivativeCutoffHz: Double

    @usableFromInline var previousTime = 0.0
    @usableFromInline var previousOutput = 0.0
    @usableFromInline var speed = 0.0
    @usableFromInline var started = false

    /// - Throws: `.minCutoff` unless `minCutoffHz` is finite and above 0;
    ///   `.beta` unless `beta` is finite and at least 0; `.derivativeCutoff`
    ///   unless `derivativeCutoffHz` is finite and above 0.
    public init(minCutoffHz: Double, beta: Double, derivativeCutoffHz: Double) throws(FilterConfigurationError) {
        guard minCutoffHz.isFinite, minCutoffHz > 0 else { throw .minCutoff(minCutoffHz) }
        guard beta.isFinite, beta >= 0 else { throw .beta(beta) }
        guard derivativeCutoffHz.isFinite, derivativeCutoffHz > 0 else {
            throw .derivativeCutoff(derivativeCutoffHz)
        }
        self.minCutoffHz = minCutoffHz
        self.beta = beta
        self.derivativeCutoffHz = derivativeCutoffHz
    }

    /// The smoothing factor of a first-order low-pass with cutoff `cutoffHz`
    /// over a step of `dt` seconds: 1 / (1 + τ/Δt) with τ = 1/(2π·fc),
    /// written as r / (1 + r) with r = 2π·fc·Δt.
    @inlinable
    static func alpha(cutoffHz: Double, dt: Double) -> Double {
        let r = 2 * Double.pi * cutoffHz * dt
        return r / (1 + r)
    }

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double {
        guard started else {
            started = true
            previousTime = time
            previousOutput = value
            speed = 0
            return value
        }
        let dt = time - previousTime
        // Also false for a NaN time: such a sample is ignored too.
        guard dt > 0 else { return previousOutput }
        let rawSpeed = (value - previousOutput) / dt
        speed += Self.alpha(cutoffHz: derivativeCutoffHz, dt: dt) * (rawSpeed - speed)
        let cutoff = minCutoffHz + beta * abs(speed)
        previousOutput += Self.alpha(cutoffHz: cutoff, dt: dt) * (value - previousOutput)
        previousTime = time
        return previousOutput
    }

    @inlinable
    public mutating func reset() {
        started = false
        previousTime = 0
        previousOutput = 0
        speed = 0
    }
}
