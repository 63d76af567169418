/// The calibration equation of ISO 376 and ASTM E74 for one channel:
/// reading = c₀ + c₁·m + c₂·m² + c₃·m³, with m the applied mass in grams and
/// the reading in ADC counts. The pipeline needs the inverse, grams from
/// counts, which `mass(forReading:)` finds by Newton's method.
public struct CalibrationPolynomial: Sendable, Equatable, Hashable {
    /// c₀ … c₃ (missing terms are 0).
    public let coefficients: [Double]

    public init(coefficients: [Double]) {
        var padded = Array(coefficients.prefix(4))
        while padded.count < 4 { padded.append(0) }
        self.coefficients = padded
    }

    /// The nominal straight line of a sensor's device info.
    public init(offset: Double, countsPerGram: Double) {
        self.init(coefficients: [offset, countsPerGram])
    }

    @inline(__always)
    public func reading(forMass m: Double) -> Double {
        let c = coefficients
        return c[0] + m * (c[1] + m * (c[2] + m * c[3]))
    }

    @inline(__always)
    func slope(atMass m: Double) -> Double {
        let c = coefficients
        return c[1] + m * (2 * c[2] + m * 3 * c[3])
    }

    /// Whether the equation can be inverted over the range a trainer uses: it
    /// must rise with the load from −50 g to 2000 g.
    public var isMonotonic: Bool {
        stride(from: -50.0, through: 2000, by: 1).allSatisfy { slope(atMass: $0) > 0 }
    }

    /// The mass in grams whose reading is `reading`, to within 1e-9 g.
    /// Newton's method from the linear estimate; for a monotonic equation in
    /// the working range it converges in two or three steps.
    @inline(__always)
    public func mass(forReading reading: Double) -> Double {
        let c = coefficients
        var m = (reading - c[0]) / c[1]
        if c[2] == 0, c[3] == 0 { return m }
        for _ in 0..<32 {
            let step = (self.reading(forMass: m) - reading) / slope(atMass: m)
            m -= step
            if abs(step) < 1e-12 { break }
        }
        return m
    }
}

/// Turns a block of ADC counts into grams: each channel through its
/// calibration equation, the channels summed (a multi-cell sensor reports the
/// total force). Until a sensor has a calibration, the nominal line of its
/// device info is used and every result is marked uncalibrated.
public struct ForceConversion: Sendable, Equatable, Hashable {
    public let channels: [CalibrationPolynomial]
    /// Whether the equations come from a calibration (else: nominal, uncalibrated).
    public let isCalibrated: Bool
    /// The certificate the calibration came from, when it did.
    public let certificateID: String?
    /// The calibration is past its expiry date: still used, but every screen
    /// that shows grams says so.
    public let isExpired: Bool

    public init(channels: [CalibrationPolynomial], isCalibrated: Bool, certificateID: String? = nil, isExpired: Bool = false) {
        self.channels = channels
        self.isCalibrated = isCalibrated
        self.certificateID = certificateID
        self.isExpired = isExpired
    }

    /// The same conversion, marked expired.
    public func markedExpired() -> ForceConversion {
        ForceConversion(channels: channels, isCalibrated: isCalibrated, certificateID: certificateID, isExpired: true)
    }

    /// The nominal conversion of a sensor (uncalibrated). Channel c's zero is
    /// the nominal offset; the tare takes out each unit's own zero.
    public static func nominal(_ info: SensorInfo) -> ForceConversion {
        let line = CalibrationPolynomial(offset: Double(info.nominalOffset), countsPerGram: Double(info.nominalCountsPerGram))
        return ForceConversion(channels: Array(repeating: line, count: info.channels), isCalibrated: false)
    }

    /// The conversion a sensor's stored calibration gives.
    public static func calibrated(_ blob: CalibrationBlob) -> ForceConversion {
        ForceConversion(
            channels: blob.coefficients.map { CalibrationPolynomial(coefficients: $0) }, isCalibrated: true,
            certificateID: blob.certificateID.hexString)
    }

    /// Total force of sample `k` of `block`, grams (before tare).
    @inline(__always)
    public func grams(_ block: SampleBlock, sample k: Int) -> Double {
        var total = 0.0
        for channel in 0..<min(block.channels, channels.count) {
            total += channels[channel].mass(forReading: Double(block.count(channel: channel, sample: k)))
        }
        return total
    }

    /// Force on `channel` of sample `k` of `block`, grams (before tare).
    @inline(__always)
    public func grams(_ block: SampleBlock, sample k: Int, channel: Int) -> Double {
        channels[channel].mass(forReading: Double(block.count(channel: channel, sample: k)))
    }

    /// Whether each hand of a two-hand session has its channel here and in
    /// the sensor's blocks: a calibration must cover both channels.
    public var coversTwoHands: Bool { channels.count >= 2 }
}
