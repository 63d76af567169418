/// Zeroing the scale: the mean force over at least `window` seconds at rest
/// becomes the new zero. It refuses, with the reason, when the signal moves
/// (its standard deviation is over `maximumSD`) or when force is already on
/// the sensor (the mean is further than `maximumOffset` from the calibrated zero).
public struct TareSettings: Sendable, Equatable, Hashable {
    /// Seconds of signal averaged.
    public var window = 0.5
    /// The largest standard deviation accepted, grams.
    public var maximumSD = 0.1
    /// How far from the calibration's zero a reading at rest may be, grams. A
    /// calibrated sensor's zero is known to a fraction of a gram; an
    /// uncalibrated one's only to the maker's typical offset, so it gets a
    /// wider allowance.
    public var maximumOffsetCalibrated = 2.0
    public var maximumOffsetUncalibrated = 25.0

    public init() {}
}

/// Why a tare was refused.
public enum TareRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case unstable(sd: Double)
    case forceApplied(grams: Double)

    public var description: String {
        switch self {
        case .unstable(let sd):
            "tare refused: the signal is moving (SD \(sd.fixed(3)) g over the window); keep the sensor still and try again"
        case .forceApplied(let grams):
            "tare refused: \(grams.fixed(1)) g is already on the sensor; lift your hand off and try again"
        }
    }

    /// The reason without its grams or SD, for a screen that hides the force
    /// (blind feedback): those would tell the student how they are pressing.
    public var descriptionWithoutForce: String {
        switch self {
        case .unstable: "tare refused: the signal is moving; keep the sensor still and press t again"
        case .forceApplied: "tare refused: the sensor is pressed; lift off and press t again"
        }
    }
}

/// Collects the tare window, in constant memory.
public struct TareWindow: Sendable {
    public let settings: TareSettings
    public let isCalibrated: Bool
    private var start: Double?
    private var count = 0
    private var mean = 0.0
    private var m2 = 0.0

    public init(settings: TareSettings, isCalibrated: Bool) {
        self.settings = settings
        self.isCalibrated = isCalibrated
    }

    /// Adds an untared sample; returns the outcome once the window is full.
    public mutating func add(time t: Double, grams: Double) -> Result<Double, TareRefusal>? {
        if start == nil { start = t }
        count += 1
        let delta = grams - mean
        mean += delta / Double(count)
        m2 += delta * (grams - mean)
        guard let start, t - start >= settings.window - TrialOptions.timeEpsilon, count >= 2 else { return nil }
        let sd = (m2 / Double(count - 1)).squareRoot()
        if sd > settings.maximumSD { return .failure(.unstable(sd: sd)) }
        let limit = isCalibrated ? settings.maximumOffsetCalibrated : settings.maximumOffsetUncalibrated
        if abs(mean) > limit { return .failure(.forceApplied(grams: mean)) }
        return .success(mean)
    }
}
