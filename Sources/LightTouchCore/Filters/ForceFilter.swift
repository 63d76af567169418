/// One stage of the force filter chain: takes the samples of one stream, in
/// time order, and returns the filtered force for each.
///
/// A filter is a value with its own state. The first call after `init` or
/// `reset()` initialises that state from the sample it is given, so each
/// filter defines what its first output is (see the conforming types).
///
/// Filters never read a clock: `time` is the device time of the sample, in
/// seconds, so that live and replayed streams give the same outputs. Forces
/// and times must be finite; the pipeline rejects other samples before they
/// get here.
public protocol ForceFilter: Sendable {
    /// Filters one sample (force `value`, device `time` in seconds) and
    /// returns the filtered force.
    mutating func callAsFunction(_ value: Double, at time: Double) -> Double

    /// Forgets the stream: the next sample starts the filter afresh.
    mutating func reset()
}

/// The identity filter (`--filter none`): every output is its input.
public struct PassThroughFilter: ForceFilter {
    public init() {}

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double { value }

    @inlinable
    public mutating func reset() {}
}
