/// Everything that defines a simulated sensor with a hand on it. Every field
/// has a default, so `SensorModelConfiguration()` is a working sensor.
public struct SensorModelConfiguration: Sendable, Equatable {
    /// Serial number, 1–23 chars of [A-Za-z0-9._-].
    public var serial = "LT-DEMO-0001"
    /// Channels, 1–4.
    public var channels = 1
    /// Sample rate per channel at power-up, Hz: 10, 80, 320 or 1000.
    public var rate = 1000
    /// Counts at zero load.
    public var offsetCounts = 120_000.0
    /// Counts per gram (load-cell sensitivity times ADC gain).
    public var countsPerGram = 4_000.0
    /// Quadratic nonlinearity X, per gram: counts = offset + k·(m + X·m²).
    public var nonlinearity = 0.0
    /// Standard deviation of the measurement noise, grams (0 allowed).
    public var noiseGrams = 0.02
    /// Zero drift, grams per minute.
    public var driftGramsPerMinute = 0.0
    /// What presses on the sensor.
    public var force = ForceProgram.scenario(.steady)
    /// A calibration blob to preload into the sensor's flash.
    public var storedCalibration: [UInt8]?
    /// Seed of the noise generator: the same seed gives the same counts.
    public var seed: UInt64 = 1
    /// The device clock at model time 0, µs (to exercise the 32-bit wrap).
    public var clockStartMicros: UInt32 = 0
    /// From this model time on the device produces no frames (a stalled sensor).
    public var stallAtSeconds: Double?
    public var firmwareVersion: (major: UInt8, minor: UInt8, patch: UInt16) = (1, 0, 0)
    public var adcModel = "ADS1220"

    public init() {}

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.serial == rhs.serial && lhs.channels == rhs.channels && lhs.rate == rhs.rate
            && lhs.offsetCounts == rhs.offsetCounts && lhs.countsPerGram == rhs.countsPerGram
            && lhs.nonlinearity == rhs.nonlinearity && lhs.noiseGrams == rhs.noiseGrams
            && lhs.driftGramsPerMinute == rhs.driftGramsPerMinute && lhs.force == rhs.force
            && lhs.storedCalibration == rhs.storedCalibration && lhs.seed == rhs.seed
            && lhs.clockStartMicros == rhs.clockStartMicros && lhs.stallAtSeconds == rhs.stallAtSeconds
            && lhs.firmwareVersion == rhs.firmwareVersion && lhs.adcModel == rhs.adcModel
    }

    /// Why a configuration cannot make a sensor.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Checks every field; the message names the option and what is allowed.
    public func validate() throws(Invalid) {
        let serialCharacters = serial.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        guard (1...23).contains(serial.utf8.count), serialCharacters else {
            throw Invalid(description: "serial `\(serial)` must be 1 to 23 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
        }
        guard (1...4).contains(channels) else { throw Invalid(description: "channels must be 1 to 4 (got \(channels))") }
        guard [10, 80, 320, 1000].contains(rate) else {
            throw Invalid(description: "rate must be 10, 80, 320 or 1000 Hz (got \(rate))")
        }
        guard countsPerGram.isFinite, countsPerGram > 0 else {
            throw Invalid(description: "counts per gram must be a positive number (got \(countsPerGram))")
        }
        guard offsetCounts.isFinite, abs(offsetCounts) < 8_388_608 else {
            throw Invalid(description: "offset must be within the 24-bit ADC range ±8388607 counts (got \(offsetCounts))")
        }
        guard nonlinearity.isFinite, abs(nonlinearity) < 0.1 else {
            throw Invalid(description: "nonlinearity must be a small quadratic term, |X| < 0.1 per gram (got \(nonlinearity))")
        }
        guard noiseGrams.isFinite, noiseGrams >= 0 else {
            throw Invalid(description: "noise must be 0 or a positive number of grams (got \(noiseGrams))")
        }
        guard driftGramsPerMinute.isFinite else { throw Invalid(description: "drift must be a number of grams per minute") }
        if let stall = stallAtSeconds, !(stall.isFinite && stall >= 0) {
            throw Invalid(description: "stall time must be 0 or more seconds (got \(stall))")
        }
    }
}
