/// Everything a calibration run is made of besides the sensor's samples and
/// the operator's confirmations: the masses and series, the stability
/// settings, the degree, and what the certificate says about who, when and
/// with what. Recorded with the run, so that its raw counts and the times of
/// the operator's Enter give the same readings, the same fit and the same
/// certificate again, byte for byte (`CalibrationReplay`).
public struct CalibrationRunPlan: Sendable, Equatable {
    public var serial: String
    /// The masses, grams, as given (zero is added by the procedure).
    public var masses: [Double]
    public var series: Int
    public var degree: Int
    public var settings: StabilitySettings
    public var handsFree: Bool
    public var stepTimeout: Double
    public var nominalCountsPerGram: Double
    public var massSet: String
    public var massClass: String
    /// Unix seconds, UTC: when the run started (or the date given to re-issue).
    public var calibratedAt: Int64
    public var validMonths: Int
    public var softwareVersion: String
    /// The sensor's device info and transport, for the certificate.
    public var sensorDetails: JSONValue
    /// The channel calibrated (a multi-channel sensor is calibrated a channel at a time).
    public var channel = 0

    public init(
        serial: String, masses: [Double], series: Int, degree: Int, settings: StabilitySettings, handsFree: Bool,
        stepTimeout: Double, nominalCountsPerGram: Double, massSet: String, massClass: String, calibratedAt: Int64,
        validMonths: Int, softwareVersion: String, sensorDetails: JSONValue
    ) {
        self.serial = serial
        self.masses = masses
        self.series = series
        self.degree = degree
        self.settings = settings
        self.handsFree = handsFree
        self.stepTimeout = stepTimeout
        self.nominalCountsPerGram = nominalCountsPerGram
        self.massSet = massSet
        self.massClass = massClass
        self.calibratedAt = calibratedAt
        self.validMonths = validMonths
        self.softwareVersion = softwareVersion
        self.sensorDetails = sensorDetails
    }

    public func procedure() throws(CalibrationProcedure.Failure) -> CalibrationProcedure {
        try CalibrationProcedure(masses: masses, series: series)
    }

    public func recorder(_ procedure: CalibrationProcedure) -> CalibrationRecorder {
        CalibrationRecorder(
            procedure: procedure, settings: settings, nominalCountsPerGram: nominalCountsPerGram, handsFree: handsFree,
            stepTimeout: stepTimeout)
    }

    /// The certificate the readings make, its analysis, and its JSON text
    /// (what `calibrate run --json` prints).
    public func certificate(
        _ points: [CalibrationPoint], procedure: CalibrationProcedure
    ) throws(CalibrationFitError) -> (certificate: CalibrationCertificate, analysis: CalibrationAnalysis, text: String) {
        let samples = points.map(CalibrationSample.init)
        let analysis = try CalibrationAnalysis(samples: samples, degree: degree)
        var coefficients = analysis.fit.coefficients
        while coefficients.count < 4 { coefficients.append(0) }
        var certificate = CalibrationCertificate(
            serial: serial, calibratedAt: calibratedAt, expiresAt: CivilTime.adding(months: validMonths, to: calibratedAt),
            softwareVersion: softwareVersion, massSet: massSet, massClass: massClass, loads: procedure.loads,
            seriesCount: series, degree: degree, coefficients: coefficients, points: samples)
        certificate.sensorDetails = sensorDetails
        certificate.channel = channel
        certificate.procedureDetails = [
            ("hands_free", .bool(handsFree)), ("stable_window_s", .double(settings.window)),
            ("stable_sd_g", .double(settings.maximumSD)), ("settle_s", .double(settings.settle)),
            ("reading_s", .double(settings.reading)),
        ]
        return (certificate, analysis, certificate.json(analysis: analysis).serialized())
    }

    /// The plan as recorded.
    public var json: JSONValue {
        .object([
            ("format", .string("lighttouch-calibration-run")), ("version", .int(1)),
            ("serial", .string(serial)),
        ] + (channel == 0 ? [] : [("channel", .int(channel))]) + [
            ("masses_g", .array(masses.map(JSONValue.double))), ("series", .int(series)),
            ("degree", .int(degree)), ("stable_window_s", .double(settings.window)), ("stable_sd_g", .double(settings.maximumSD)),
            ("settle_s", .double(settings.settle)), ("reading_s", .double(settings.reading)), ("hands_free", .bool(handsFree)),
            ("step_timeout_s", .double(stepTimeout)), ("nominal_counts_per_g", .double(nominalCountsPerGram)),
            ("mass_set", .string(massSet)), ("mass_class", .string(massClass)), ("calibrated_at", .int(Int(calibratedAt))),
            ("valid_months", .int(validMonths)), ("software_version", .string(softwareVersion)),
            ("sensor", sensorDetails),
        ])
    }

    /// Why a recorded plan cannot be read.
    public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
        public let key: String
        public var description: String { "the recorded calibration run is damaged (`\(key)` is missing or wrong)" }
    }

    public init(json: JSONValue) throws(DecodeError) {
        func number(_ key: String) throws(DecodeError) -> Double {
            guard let value = json[key]?.doubleValue, value.isFinite else { throw DecodeError(key: key) }
            return value
        }
        func whole(_ key: String) throws(DecodeError) -> Int {
            guard let value = json[key]?.intValue else { throw DecodeError(key: key) }
            return value
        }
        func text(_ key: String) throws(DecodeError) -> String {
            guard let value = json[key]?.stringValue else { throw DecodeError(key: key) }
            return value
        }
        guard json["format"]?.stringValue == "lighttouch-calibration-run", json["version"]?.intValue == 1 else {
            throw DecodeError(key: "format")
        }
        guard let masses = json["masses_g"]?.arrayValue?.compactMap(\.doubleValue) else { throw DecodeError(key: "masses_g") }
        guard case .bool(let handsFree)? = json["hands_free"] else { throw DecodeError(key: "hands_free") }
        self.init(
            serial: try text("serial"), masses: masses, series: try whole("series"), degree: try whole("degree"),
            settings: StabilitySettings(
                window: try number("stable_window_s"), maximumSD: try number("stable_sd_g"), settle: try number("settle_s"),
                reading: try number("reading_s")),
            handsFree: handsFree, stepTimeout: try number("step_timeout_s"), nominalCountsPerGram: try number("nominal_counts_per_g"),
            massSet: try text("mass_set"), massClass: try text("mass_class"), calibratedAt: Int64(try whole("calibrated_at")),
            validMonths: try whole("valid_months"), softwareVersion: try text("software_version"),
            sensorDetails: json["sensor"] ?? .null)
        if json["channel"] != nil {
            guard let channel = json["channel"]?.intValue, (0..<SensorProtocol.maximumChannels).contains(channel) else {
                throw DecodeError(key: "channel")
            }
            self.channel = channel
        }
    }
}

/// A recorded calibration run taken again: its samples (session time, raw
/// counts of channel 0) through a new `CalibrationRecorder`, with the
/// operator's confirmations where they came. The live run
/// (`CalibrationSession`) feeds the recorder the same way, so the readings
/// are the same, bit for bit.
public enum CalibrationReplay {
    public enum Outcome: Sendable, Equatable {
        case complete([CalibrationPoint])
        case failed(CalibrationRunError, [CalibrationPoint])
        /// The recording ends before the run did (it was stopped, or cut off).
        case incomplete([CalibrationPoint])
    }

    /// - Parameters:
    ///   - confirms: the session time of the newest sample the recorder had
    ///     seen when the operator pressed Enter (−1 before the first), in order.
    public static func run(
        _ recorder: CalibrationRecorder, samples: some Sequence<(time: Double, counts: Double)>, confirms: [Double]
    ) -> Outcome {
        var recorder = recorder
        var pending = confirms[...]
        for sample in samples {
            while let next = pending.first, next < sample.time {
                recorder.confirm()
                pending.removeFirst()
            }
            switch recorder.add(time: sample.time, counts: sample.counts) {
            case .failed(let error): return .failed(error, recorder.points)
            case .complete: return .complete(recorder.points)
            default: if recorder.isComplete { return .complete(recorder.points) }
            }
        }
        return recorder.isComplete ? .complete(recorder.points) : .incomplete(recorder.points)
    }
}
