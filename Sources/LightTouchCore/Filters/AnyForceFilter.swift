/// Any of the smoothing filters as one concrete value: what a hot loop should
/// hold instead of an `any ForceFilter` box.
///
/// Build it like an enum, `.passThrough`, `.butterworth(f)` or `.oneEuro(f)`.
/// It is a struct rather than an enum on purpose: the filter's state is
/// updated in place, whereas an enum payload is copied out and back in for
/// every sample, which measured 1.5–2× slower per sample. Nothing is
/// allocated per sample.
public struct AnyForceFilter: ForceFilter, Equatable {
    /// Which filter this is (`.none` for `.passThrough`).
    public let kind: FilterKind
    @usableFromInline var butterworthStage: ButterworthLowPass?
    @usableFromInline var oneEuroStage: OneEuroFilter?

    init(kind: FilterKind, butterworth: ButterworthLowPass?, oneEuro: OneEuroFilter?) {
        self.kind = kind
        self.butterworthStage = butterworth
        self.oneEuroStage = oneEuro
    }

    /// The identity: every output is its input.
    public static let passThrough = AnyForceFilter(kind: .none, butterworth: nil, oneEuro: nil)

    /// A Butterworth low-pass.
    public static func butterworth(_ filter: ButterworthLowPass) -> AnyForceFilter {
        AnyForceFilter(kind: .butterworth, butterworth: filter, oneEuro: nil)
    }

    /// A 1€ filter.
    public static func oneEuro(_ filter: OneEuroFilter) -> AnyForceFilter {
        AnyForceFilter(kind: .oneEuro, butterworth: nil, oneEuro: filter)
    }

    /// The Butterworth filter, with its current state, when `kind` is `.butterworth`.
    public var butterworth: ButterworthLowPass? { butterworthStage }

    /// The 1€ filter, with its current state, when `kind` is `.oneEuro`.
    public var oneEuro: OneEuroFilter? { oneEuroStage }

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double {
        switch kind {
        case .none: value
        case .butterworth: butterworthStage!.callAsFunction(value, at: time)
        case .oneEuro: oneEuroStage!.callAsFunction(value, at: time)
        }
    }

    @inlinable
    public mutating func reset() {
        butterworthStage?.reset()
        oneEuroStage?.reset()
    }
}

/// The filter stage of the pipeline: spike rejection first, when enabled,
/// then the smoothing filter. Built by `FilterSettings.makeChain`; a
/// concrete value that updates in place and never allocates per sample.
public struct FilterChain: ForceFilter, Equatable {
    @usableFromInline var spikeStage: MedianSpikeFilter?
    @usableFromInline var smoothingStage: AnyForceFilter

    public init(spike: MedianSpikeFilter?, smoother: AnyForceFilter) {
        spikeStage = spike
        smoothingStage = smoother
    }

    /// The running median applied first, or nil when spike rejection is off.
    public var spike: MedianSpikeFilter? { spikeStage }

    /// The smoothing filter applied to the median's output.
    public var smoother: AnyForceFilter { smoothingStage }

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double {
        var value = value
        if spikeStage != nil {
            value = spikeStage!.callAsFunction(value, at: time)
        }
        return smoothingStage(value, at: time)
    }

    @inlinable
    public mutating func reset() {
        spikeStage?.reset()
        smoothingStage.reset()
    }
}
