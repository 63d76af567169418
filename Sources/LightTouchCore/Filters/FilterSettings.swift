/// The smoothing filter chosen with `--filter`.
public enum FilterKind: String, CaseIterable, Sendable {
    /// No smoothing.
    case none
    /// `ButterworthLowPass`, set by `--cutoff-hz`.
    case butterworth
    /// `OneEuroFilter`, set by `--min-cutoff-hz`, `--beta` and `--d-cutoff-hz`.
    case oneEuro = "one-euro"
}

/// Everything that configures the filter stage: the options `--filter`,
/// `--cutoff-hz`, `--min-cutoff-hz`, `--beta`, `--d-cutoff-hz` and
/// `--spike-window`.
///
/// Settings are checked when a filter is made from them, against the
/// stream's nominal rate; only the values the chosen kind uses are checked
/// (and reported in `jsonMembers`).
public struct FilterSettings: Sendable, Equatable, Hashable {
    /// The smoothing filter.
    public var kind: FilterKind
    /// Butterworth cutoff (−3 dB), in hertz.
    public var cutoffHz: Double
    /// 1€ cutoff at rest, in hertz.
    public var minCutoffHz: Double
    /// 1€ speed coefficient, in hertz per (g/s).
    public var beta: Double
    /// 1€ cutoff of the speed estimate, in hertz.
    public var derivativeCutoffHz: Double
    /// Length of the running median applied before smoothing, in samples:
    /// 0 for none, else odd from 3 to 15.
    public var spikeWindow: Int

    public init(
        kind: FilterKind = FilterSettings.default.kind,
        cutoffHz: Double = FilterSettings.default.cutoffHz,
        minCutoffHz: Double = FilterSettings.default.minCutoffHz,
        beta: Double = FilterSettings.default.beta,
        derivativeCutoffHz: Double = FilterSettings.default.derivativeCutoffHz,
        spikeWindow: Int = FilterSettings.default.spikeWindow
    ) {
        self.kind = kind
        self.cutoffHz = cutoffHz
        self.minCutoffHz = minCutoffHz
        self.beta = beta
        self.derivativeCutoffHz = derivativeCutoffHz
        self.spikeWindow = spikeWindow
    }

    /// LightTouch's default: the 1€ filter with a 1 Hz cutoff at rest,
    /// β = 0.5 Hz per g/s and a 1 Hz speed cutoff, no spike rejection; and a
    /// 5 Hz Butterworth cutoff for when `--filter butterworth` is chosen
    /// without `--cutoff-hz`. Measured and justified in
    /// Sources/LightTouchCore/Filters/README.md (`FilterStudy`).
    public static let `default` = FilterSettings(
        kind: .oneEuro,
        cutoffHz: 5,
        minCutoffHz: 1,
        beta: 0.5,
        derivativeCutoffHz: 1,
        spikeWindow: 0
    )

    /// The filter stage for a stream with this nominal rate, as a concrete
    /// value: what the pipeline's per-sample loop should hold.
    ///
    /// - Throws: the first setting (among those `kind` uses, and
    ///   `spikeWindow`) that cannot work; see `FilterConfigurationError`.
    public func makeChain(sampleRateHz: Double) throws(FilterConfigurationError) -> FilterChain {
        guard sampleRateHz.isFinite, sampleRateHz > 0 else { throw .sampleRate(sampleRateHz) }
        let spike: MedianSpikeFilter?
        switch spikeWindow {
        case 0: spike = nil
        default: spike = try MedianSpikeFilter(window: spikeWindow)
        }
        let smoother: AnyForceFilter
        switch kind {
        case .none:
            smoother = .passThrough
        case .butterworth:
            smoother = .butterworth(try ButterworthLowPass(cutoffHz: cutoffHz, sampleRateHz: sampleRateHz))
        case .oneEuro:
            smoother = .oneEuro(
                try OneEuroFilter(minCutoffHz: minCutoffHz, beta: beta, derivativeCutoffHz: derivativeCutoffHz))
        }
        return FilterChain(spike: spike, smoother: smoother)
    }

    /// The filter stage for a stream with this nominal rate: the running
    /// median (when `spikeWindow` is not 0), then the chosen filter. The
    /// value is a `FilterChain`; prefer `makeChain` in a hot loop.
    public func makeFilter(sampleRateHz: Double) throws(FilterConfigurationError) -> any ForceFilter {
        try makeChain(sampleRateHz: sampleRateHz)
    }

    /// The settings as JSON object members, for the `options` of a report:
    /// `filter`, then the parameters the kind uses (`cutoff_hz`; or
    /// `min_cutoff_hz`, `beta`, `d_cutoff_hz`), then `spike_window`.
    public var jsonMembers: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("filter", .string(kind.rawValue))]
        switch kind {
        case .none:
            break
        case .butterworth:
            members.append(("cutoff_hz", .double(cutoffHz)))
        case .oneEuro:
            members.append(("min_cutoff_hz", .double(minCutoffHz)))
            members.append(("beta", .double(beta)))
            members.append(("d_cutoff_hz", .double(derivativeCutoffHz)))
        }
        members.append(("spike_window", .int(spikeWindow)))
        return members
    }
}
