/// Where the force stands against the band.
public enum Verdict: String, Sendable, Equatable {
    case tooLight = "too light"
    case onTarget = "on target"
    case tooHeavy = "too heavy"

    public init(force: Double, options: TrialOptions) {
        if force < options.bandLow {
            self = .tooLight
        } else if force > options.bandHigh {
            self = .tooHeavy
        } else {
            self = .onTarget
        }
    }
}

/// The state of the tare.
public enum TareState: Sendable, Equatable {
    /// Collecting the window (at start, or on demand).
    case measuring
    /// Zeroed at this offset, grams.
    case zeroed(offset: Double)
    /// The last attempt was refused; the previous zero (or the calibration's) stays.
    case refused(TareRefusal, offset: Double)

    public var offset: Double {
        switch self {
        case .measuring: 0
        case .zeroed(let offset), .refused(_, let offset): offset
        }
    }
}

/// One immutable picture of the live pipeline, published after every batch
/// for the display to copy at its own rate.
public struct PipelineSnapshot: Sendable {
    /// Seconds since the stream's first sample (device clock).
    public var time: Double
    /// Latest force after tare, grams.
    public var raw: Double
    /// Latest filtered force, grams (two hands: their mean).
    public var filtered: Double
    /// Two hands: each hand's latest filtered force (nil for one hand).
    public var hands: HandForces?
    public var verdict: Verdict
    /// Whether the sensor is touched (filtered force ≥ contact).
    public var contact: Bool
    /// The hold running now, seconds.
    public var currentHold: Double
    /// Trials started so far (the one in progress included).
    public var trialNumber: Int
    /// The trial in progress, as it stands.
    public var trial: TrialMetrics?
    /// The last completed trial.
    public var lastTrial: TrialMetrics?
    public var completedTrials: Int
    public var tare: TareState
    /// A tare window is being collected: the first, or a re-tare (`t`),
    /// while the previous zero still applies.
    public var taring: Bool
    public var calibrated: Bool
    /// The calibration in use is past its expiry date.
    public var calibrationExpired = false
    public var samples: Int
    /// From the stream accounting.
    public var lostFrames: Int
    public var crcErrors: Int
    /// Blocks the pipeline could not take in time (counted, never silent).
    public var droppedBlocks: Int
    /// Samples over the ADC's range, not scored.
    public var rejectedSamples: Int
    public var connected: Bool

    public init(calibrated: Bool) {
        time = 0
        raw = 0
        filtered = 0
        hands = nil
        verdict = .tooLight
        contact = false
        currentHold = 0
        trialNumber = 0
        trial = nil
        lastTrial = nil
        completedTrials = 0
        tare = .measuring
        taring = true
        self.calibrated = calibrated
        samples = 0
        lostFrames = 0
        crcErrors = 0
        droppedBlocks = 0
        rejectedSamples = 0
        connected = true
    }
}
