/// A calibration certificate: who, when, with what masses, the raw points,
/// the calibration equation and its metrics. Written as JSON (format
/// `lighttouch-calibration-certificate`, version 1) next to the sensor's
/// flash blob; its SHA-256 names it in the blob (PROTOCOL.md §5).
public struct CalibrationCertificate: Sendable, Equatable {
    public static let format = "lighttouch-calibration-certificate"
    public static let currentVersion = 1
    /// Default validity: 12 months.
    public static let defaultValidityDays = 365

    public var serial: String
    /// The sensor channel the equation is for (a multi-channel sensor has a
    /// certificate per channel). Written only when it is not 0, so a
    /// one-channel certificate is as it always was.
    public var channel = 0
    /// Unix seconds, UTC.
    public var calibratedAt: Int64
    public var expiresAt: Int64
    public var softwareVersion: String
    public var massSet: String
    public var massClass: String
    /// Nominal loads, grams, ascending from 0.
    public var loads: [Double]
    public var seriesCount: Int
    public var degree: Int
    /// c₀ … c₃ of the calibration equation (reading in counts, load in grams).
    public var coefficients: [Double]
    public var points: [CalibrationSample]
    /// What the sensor said about itself at the run (device info), for the record.
    public var sensorDetails: JSONValue = .null
    /// The run's stability settings and mode, for the record.
    public var procedureDetails: [(String, JSONValue)] = []

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.serial == rhs.serial && lhs.channel == rhs.channel && lhs.calibratedAt == rhs.calibratedAt && lhs.expiresAt == rhs.expiresAt
            && lhs.softwareVersion == rhs.softwareVersion && lhs.massSet == rhs.massSet && lhs.massClass == rhs.massClass
            && lhs.loads == rhs.loads && lhs.seriesCount == rhs.seriesCount && lhs.degree == rhs.degree
            && lhs.coefficients == rhs.coefficients && lhs.points == rhs.points
    }

    public init(
        serial: String, calibratedAt: Int64, expiresAt: Int64, softwareVersion: String, massSet: String, massClass: String,
        loads: [Double], seriesCount: Int, degree: Int, coefficients: [Double], points: [CalibrationSample]
    ) {
        self.serial = serial
        self.calibratedAt = calibratedAt
        self.expiresAt = expiresAt
        self.softwareVersion = softwareVersion
        self.massSet = massSet
        self.massClass = massClass
        self.loads = loads
        self.seriesCount = seriesCount
        self.degree = degree
        self.coefficients = coefficients
        self.points = points
    }

    public func isExpired(at now: Int64) -> Bool { now >= expiresAt }

    /// The blob for the sensor's flash; `certificateID` is the first 16
    /// bytes of the SHA-256 of the certificate file.
    public func blob(certificateID: [UInt8]) -> CalibrationBlob {
        var padded = Array(coefficients.prefix(4))
        while padded.count < 4 { padded.append(0) }
        return CalibrationBlob(
            degree: degree, serial: serial, calibratedAt: calibratedAt, expiresAt: expiresAt,
            certificateID: Array(certificateID.prefix(16)), coefficients: [padded])
    }

    /// The certificate as JSON, with the analysis' metrics (recomputed from
    /// the points when the certificate is read back).
    public func json(analysis: CalibrationAnalysis, target: Double = 5) -> JSONValue {
        let points: [JSONValue] = self.points.enumerated().map { index, point in
            var members: [(String, JSONValue)] = [("step", .int(index + 1))]
            if let series = point.series { members.append(("series", .int(series))) }
            if let direction = point.direction { members.append(("direction", .string(direction.rawValue))) }
            members += [("load_g", .double(point.load)), ("reading_counts", .double(point.reading))]
            if let sd = point.sd { members.append(("sd_counts", .double(sd))) }
            if let count = point.count { members.append(("n", .int(count))) }
            if let minimum = point.minimum { members.append(("min_counts", .double(minimum))) }
            if let maximum = point.maximum { members.append(("max_counts", .double(maximum))) }
            if let start = point.start { members.append(("t_start_s", .double(start))) }
            if let end = point.end { members.append(("t_end_s", .double(end))) }
            members.append(("residual_g", .double(analysis.residualsGrams[index])))
            return .object(members)
        }
        return .object([
            ("format", .string(Self.format)),
            ("version", .int(Self.currentVersion)),
            ("serial", .string(serial)),
        ] + (channel == 0 ? [] : [("channel", .int(channel))]) + [
            ("calibrated_at", .string(CivilTime.iso8601(calibratedAt))),
            ("calibrated_at_unix", .int(Int(calibratedAt))),
            ("expires_at", .string(CivilTime.iso8601(expiresAt))),
            ("expires_at_unix", .int(Int(expiresAt))),
            ("software_version", .string(softwareVersion)),
            ("masses", .object([
                ("set", .string(massSet)), ("class", .string(massClass)), ("loads_g", .array(loads.map { .double($0) })),
            ])),
            ("sensor", sensorDetails),
            ("procedure", .object([
                ("series", .int(seriesCount)), ("standard", .string("ISO 376:2011 and ASTM E74-18, as adapted in calibration/CALIBRATION.md")),
            ] + procedureDetails)),
            ("points", .array(points)),
            ("fit", analysis.fitJSON),
            ("coefficients", .array(coefficients.map { .double($0) })),
            ("metrics", analysis.metricsJSON(target: target)),
        ])
    }
}

extension CalibrationAnalysis {
    /// `{"degree","n","coefficients","residual_sd","r_squared","max_abs_residual",…}`:
    /// residuals in the readings' unit (counts), coefficients in powers of the load.
    public var fitJSON: JSONValue {
        .object([
            ("degree", .int(fit.degree)),
            ("n", .int(fit.count)),
            ("coefficients", .array(fit.coefficients.map { .double($0) })),
            ("residual_sd", .double(fit.residualSD)),
            ("r_squared", .double(fit.rSquared)),
            ("max_abs_residual", .double(fit.maximumAbsoluteResidual)),
            ("residual_sd_g", .double(fitSDGrams)),
            ("max_abs_residual_g", .double(residualsGrams.map(abs).max() ?? 0)),
        ])
    }

    /// The ISO 376 / ASTM E74 metrics (definitions in `CalibrationAnalysis`).
    public func metricsJSON(target: Double = 5) -> JSONValue {
        .object([
            ("residuals_per_load", .array(loads.map { load in
                .object([
                    ("load_g", .double(load.load)), ("n", .int(load.count)),
                    ("mean_residual_g", .double(load.meanResidualGrams)),
                    ("max_abs_residual_g", .double(load.maxAbsResidualGrams)),
                    ("mean_residual_counts", .double(load.meanResidualCounts)),
                    ("repeatability_b_prime_pct", .number(load.repeatabilityPercent)),
                    ("reproducibility_b_pct", .number(load.reproducibilityPercent)),
                    ("interpolation_fc_pct", .number(load.interpolationPercent)),
                    ("reversibility_nu_pct", .number(load.reversibilityPercent)),
                ])
            })),
            ("repeatability_b_prime_pct", .number(worst(\.repeatabilityPercent))),
            ("reproducibility_b_pct", .number(worst(\.reproducibilityPercent))),
            ("interpolation_fc_pct", .number(worst(\.interpolationPercent))),
            ("zero_error_f0_pct", .number(zeroErrorPercent)),
            ("reversibility_nu_pct", .number(worst(\.reversibilityPercent))),
            ("fit_sd_g", .double(fitSDGrams)),
            ("llf_g", .double(lowerLimitFactor)),
            ("lowest_force_g", .double(lowestForceGrams)),
            ("largest_load_g", .double(largestLoad)),
            ("target_g", .double(target)),
            ("target_in_range", .bool(covers(target))),
            ("resolution_noise_g", .number(noiseAtRestGrams)),
            ("count_g", .double(countInGrams)),
        ])
    }

    /// The verdict on the target, one line.
    public func verdict(target: Double = 5) -> String {
        let range = "\(lowestForceGrams.fixed(3)) g to \(largestLoad.trimmed) g"
        return covers(target)
            ? "\(target.trimmed) g is inside the range this sensor can honestly report (\(range))"
            : "\(target.trimmed) g is NOT inside the range this sensor can honestly report (\(range))"
    }
}

/// Unix seconds to and from civil UTC dates, without Foundation (H. Hinnant,
/// "chrono-Compatible Low-Level Date Algorithms").
public enum CivilTime {
    public static func iso8601(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    public static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The same day and time `months` later (the day clamped to the month's end).
    public static func adding(months: Int, to seconds: Int64) -> Int64 {
        let dayNumber = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - dayNumber * 86_400
        let (y, m, d) = civil(fromDays: dayNumber)
        let total = y * 12 + (m - 1) + Int64(months)
        let ny = total >= 0 ? total / 12 : (total - 11) / 12
        let nm = total - ny * 12 + 1
        let lengths: [Int64] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var last = lengths[Int(nm - 1)]
        if nm == 2, (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0 { last = 29 }
        return days(fromCivil: ny, nm, min(d, last)) * 86_400 + secondOfDay
    }
}
