#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A 2nd-order Butterworth low-pass (`--filter butterworth`), designed for
/// the stream's nominal sample rate and run as one second-order section.
///
/// Design: the analog prototype H(s) = Ωc² / (s² + √2·Ωc·s + Ωc²) is mapped
/// to the z-plane by the bilinear transform s = 2·fs·(1 − z⁻¹)/(1 + z⁻¹),
/// with the cutoff prewarped to Ωc = 2·fs·tan(π·fc/fs) so that the digital
/// filter is exactly −3 dB at fc (A. V. Oppenheim and R. W. Schafer,
/// *Discrete-Time Signal Processing*, 3rd ed., §7.2.2; S. Butterworth, "On
/// the Theory of Filter Amplifiers", *Wireless Engineer* 7, 1930). With
/// K = tan(π·fc/fs) and n = 1 / (1 + √2·K + K²) this gives
///
///     b0 = b2 = K²·n,  b1 = 2·K²·n,
///     a1 = 2·(K² − 1)·n,  a2 = (1 − √2·K + K²)·n,
///
/// for H(z) = (b0 + b1·z⁻¹ + b2·z⁻²) / (1 + a1·z⁻¹ + a2·z⁻²): a double zero
/// at z = −1 and unit gain at DC. (b0 is computed as (1 + a1 + a2)/4, the
/// same number in exact arithmetic, so that the stored coefficients keep a
/// DC gain of exactly 1 even for cutoffs far below the rate.)
///
/// The section runs in transposed direct form II, and the first sample after
/// `init` or `reset()` sets the state to the steady state of a constant input
/// equal to it, so a constant input gives a constant output from sample one.
/// This is SciPy's `sosfilt(butter(2, fc, fs=fs, output='sos'), x,
/// zi=sosfilt_zi(sos) * x[0])`, which the tests check to 1e-9.
///
/// Sample times are not used: the design assumes the nominal rate.
public struct ButterworthLowPass: ForceFilter, Equatable {
    /// The cutoff (−3 dB) frequency, in hertz.
    public let cutoffHz: Double
    /// The nominal sample rate the filter is designed for, in hertz.
    public let sampleRateHz: Double

    /// Numerator coefficients.
    public let b0: Double, b1: Double, b2: Double
    /// Denominator coefficients (a0 = 1).
    public let a1: Double, a2: Double

    /// Transposed direct form II state.
    @usableFromInline var z1 = 0.0
    @usableFromInline var z2 = 0.0
    @usableFromInline var started = false

    /// Designs the filter.
    ///
    /// - Throws: `.sampleRate` unless the rate is finite and above 0;
    ///   `.cutoff` unless the cutoff is finite and strictly between 0 and
    ///   the Nyquist frequency (half the rate).
    public init(cutoffHz: Double, sampleRateHz: Double) throws(FilterConfigurationError) {
        guard sampleRateHz.isFinite, sampleRateHz > 0 else {
            throw .sampleRate(sampleRateHz)
        }
        guard cutoffHz.isFinite, cutoffHz > 0, cutoffHz < sampleRateHz / 2 else {
            throw .cutoff(cutoffHz, sampleRateHz: sampleRateHz)
        }
        self.cutoffHz = cutoffHz
        self.sampleRateHz = sampleRateHz
        let k = tan(Double.pi * cutoffHz / sampleRateHz)
        let k2 = k * k
        let sqrt2K = 2.0.squareRoot() * k
        let n = 1 / (1 + sqrt2K + k2)
        a1 = 2 * (k2 - 1) * n
        a2 = (1 - sqrt2K + k2) * n
        // b0 = K²·n equals (1 + a1 + a2) / 4 in exact arithmetic (unit DC
        // gain). Computing it from the stored a1 and a2 makes the DC gain of
        // the stored coefficients 1 to the last bit: for fc ≪ fs the sum is
        // exact (each step subtracts numbers within a factor of 2, Sterbenz),
        // whereas K²·n would leave a relative gain error of about
        // ε / (4K²), 1e-11 for 0.5 Hz at 1 kHz.
        b0 = ((1 + a1) + a2) / 4
        b1 = 2 * b0
        b2 = b0
    }

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double {
        if !started {
            // Steady state of a constant input `value`: with unit DC gain the
            // output is `value`, so z1 = value − b0·value and
            // z2 = b2·value − a2·value, and both hold still.
            z1 = (1 - b0) * value
            z2 = (b2 - a2) * value
            started = true
        }
        let y = b0 * value + z1
        z1 = b1 * value - a1 * y + z2
        z2 = b2 * value - a2 * y
        return y
    }

    @inlinable
    public mutating func reset() {
        z1 = 0
        z2 = 0
        started = false
    }
}
