/// A filter setting that cannot work, named by the command-line option that
/// sets it, with what is allowed.
public enum FilterConfigurationError: Error, Equatable, Hashable, CustomStringConvertible {
    /// `--cutoff-hz` is not finite, or not strictly between 0 and the
    /// Nyquist frequency of the stream's nominal rate.
    case cutoff(Double, sampleRateHz: Double)
    /// `--min-cutoff-hz` is not a finite number above 0.
    case minCutoff(Double)
    /// `--beta` is not a finite number of at least 0.
    case beta(Double)
    /// `--d-cutoff-hz` is not a finite number above 0.
    case derivativeCutoff(Double)
    /// `--spike-window` is neither 0 (off) nor an odd number from 3 to 15.
    case spikeWindow(Int)
    /// The stream's nominal sample rate is not a finite number above 0.
    case sampleRate(Double)

    public var description: String {
        switch self {
        case .cutoff(let value, let rate):
            if rate.isFinite, rate > 0 {
                return "--cutoff-hz must be above 0 Hz and below \(Self.text(rate / 2)) Hz "
                    + "(half the stream's \(Self.text(rate)) Hz sample rate); got \(Self.text(value))."
            }
            return "--cutoff-hz must be above 0 Hz and below half the sample rate; got \(Self.text(value))."
        case .minCutoff(let value):
            return "--min-cutoff-hz must be a number above 0 Hz (for example 1.0); got \(Self.text(value))."
        case .beta(let value):
            return "--beta must be a number of at least 0 (0 turns speed adaptation off); got \(Self.text(value))."
        case .derivativeCutoff(let value):
            return "--d-cutoff-hz must be a number above 0 Hz (for example 1.0); got \(Self.text(value))."
        case .spikeWindow(let value):
            return "--spike-window must be 0 (off) or an odd number of samples from 3 to 15; got \(value)."
        case .sampleRate(let value):
            return "The stream's sample rate must be a number above 0 Hz to design a filter; got \(Self.text(value))."
        }
    }

    /// A number as a user would type it: `5`, `0.25`, `nan`, `inf`.
    static func text(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
