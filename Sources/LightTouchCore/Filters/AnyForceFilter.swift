/// Any of the concrete filters, as a plain enum: what a hot loop should hold
/// instead of an `any ForceFilter` box. A call is a switch over the cases,
/// which the compiler inlines, and nothing is allocated.
public enum AnyForceFilter: ForceFilter, Equatable {
    case passThrough
    case butterworth(ButterworthLowPass)
    case oneEuro(OneEuroFilter)
    case median(MedianSpikeFilter)

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double {
        switch self {
        case .passThrough:
            return value
        case .butterworth(var filter):
            let output = filter(value, at: time)
            self = .butterworth(filter)
            return output
        case .oneEuro(var filter):
            let output = filter(value, at: time)
            self = .oneEuro(filter)
            return output
        case .median(var filter):
            let output = filter(value, at: time)
            self = .median(filter)
            return output
        }
    }

    @inlinable
    public mutating func reset() {
        switch self {
        case .passThrough:
            break
        case .butterworth(var filter):
            filter.reset()
            self = .butterworth(filter)
        case .oneEuro(var filter):
            filter.reset()
            self = .oneEuro(filter)
        case .median(var filter):
            filter.reset()
            self = .median(filter)
        }
    }
}

/// The filter stage of the pipeline: spike rejection first, when enabled,
/// then the smoothing filter. Built by `FilterSettings.makeChain`.
public struct FilterChain: ForceFilter, Equatable {
    /// The running median applied first, or nil when spike rejection is off.
    public var spike: MedianSpikeFilter?
    /// The smoothing filter applied to the median's output.
    public var smoother: AnyForceFilter

    public init(spike: MedianSpikeFilter?, smoother: AnyForceFilter) {
        self.spike = spike
        self.smoother = smoother
    }

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double {
        var value = value
        if spike != nil {
            value = spike!.callAsFunction(value, at: time)
        }
        return smoother(value, at: time)
    }

    @inlinable
    public mutating func reset() {
        spike?.reset()
        smoother.reset()
    }
}
