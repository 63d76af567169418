import Foundation
import LightTouchCore

/// Why a certificate file cannot be used.
public struct CertificateError: Error, Equatable, Sendable, CustomStringConvertible {
    public let source: String
    public let problem: String
    /// The file could not be read at all (as opposed to read and found corrupt).
    public let unreadable: Bool

    public init(source: String, problem: String, unreadable: Bool = false) {
        self.source = source
        self.problem = problem
        self.unreadable = unreadable
    }

    public var description: String {
        unreadable ? "\(source): cannot read the certificate (\(problem))" : "\(source): the certificate is corrupt: \(problem)"
    }
}

/// A certificate file as read: the certificate, its bytes and its id.
public struct CertificateFile: Sendable {
    public let certificate: CalibrationCertificate
    public let bytes: [UInt8]
    public let source: String

    /// The first 16 bytes of the SHA-256 of the file: the id the sensor's blob carries.
    public var id: [UInt8] { Array(SHA256.hash(bytes).prefix(16)) }

    public static func read(path: String) throws(CertificateError) -> CertificateFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).code == NSFileReadNoSuchFileError ? "no such file" : "\(error.localizedDescription)"
            throw CertificateError(source: path, problem: reason, unreadable: true)
        }
        return try parse(Array(data), source: path)
    }

    /// Reads and checks a certificate: its format and version, every field's
    /// type, and that its coefficients are what its own points give.
    public static func parse(_ bytes: [UInt8], source: String) throws(CertificateError) -> CertificateFile {
        func fail(_ problem: String) -> CertificateError { CertificateError(source: source, problem: problem) }
        guard !bytes.isEmpty else { throw fail("the file is empty") }
        let root: JSONValue
        do {
            root = try JSONReader.parse(bytes)
        } catch {
            throw fail("it is not valid JSON (\(error))")
        }
        guard case .object = root else { throw fail("the top level is not a JSON object") }
        guard root["format"]?.stringValue == CalibrationCertificate.format else {
            throw fail("`format` is not \"\(CalibrationCertificate.format)\"")
        }
        guard let version = root["version"]?.intValue else { throw fail("`version` is missing") }
        guard version == CalibrationCertificate.currentVersion else {
            throw fail("version \(version) is not understood (this LightTouch reads version \(CalibrationCertificate.currentVersion))")
        }
        func string(_ key: String, in object: JSONValue = root, path: String = "") throws(CertificateError) -> String {
            guard let value = object[key]?.stringValue, !value.isEmpty else { throw fail("`\(path)\(key)` is missing or not text") }
            return value
        }
        func integer(_ key: String, in object: JSONValue = root, path: String = "") throws(CertificateError) -> Int {
            guard let value = object[key]?.intValue else { throw fail("`\(path)\(key)` is missing or not a whole number") }
            return value
        }
        func number(_ value: JSONValue?, _ name: String) throws(CertificateError) -> Double {
            guard let number = value?.doubleValue, number.isFinite else { throw fail("`\(name)` is missing or not a number") }
            return number
        }
        let serial = try string("serial")
        var channel = 0
        if root["channel"] != nil {
            channel = try integer("channel")
            guard (0..<SensorProtocol.maximumChannels).contains(channel) else {
                throw fail("`channel` is \(channel); a sensor has channels 0 to \(SensorProtocol.maximumChannels - 1)")
            }
        }
        let calibratedAt = try integer("calibrated_at_unix")
        let expiresAt = try integer("expires_at_unix")
        guard expiresAt > calibratedAt else { throw fail("it expires before it was made") }
        let software = try string("software_version")
        guard let masses = root["masses"], case .object = masses else { throw fail("`masses` is missing") }
        let massSet = try string("set", in: masses, path: "masses.")
        let massClass = try string("class", in: masses, path: "masses.")
        guard let loadValues = masses["loads_g"]?.arrayValue else { throw fail("`masses.loads_g` is missing") }
        var loads: [Double] = []
        for (index, value) in loadValues.enumerated() { loads.append(try number(value, "masses.loads_g[\(index)]")) }
        guard let procedure = root["procedure"], case .object = procedure else { throw fail("`procedure` is missing") }
        let series = try integer("series", in: procedure, path: "procedure.")
        guard let fit = root["fit"], case .object = fit else { throw fail("`fit` is missing") }
        let degree = try integer("degree", in: fit, path: "fit.")
        guard (1...3).contains(degree) else { throw fail("`fit.degree` is \(degree); a calibration has degree 1, 2 or 3") }
        guard let coefficientValues = root["coefficients"]?.arrayValue, coefficientValues.count == 4 else {
            throw fail("`coefficients` must hold c0, c1, c2, c3")
        }
        var coefficients: [Double] = []
        for (index, value) in coefficientValues.enumerated() { coefficients.append(try number(value, "coefficients[\(index)]")) }
        guard let pointValues = root["points"]?.arrayValue, !pointValues.isEmpty else { throw fail("`points` is missing or empty") }
        var points: [CalibrationSample] = []
        for (index, point) in pointValues.enumerated() {
            guard case .object = point else { throw fail("`points[\(index)]` is not an object") }
            var sample = CalibrationSample(
                load: try number(point["load_g"], "points[\(index)].load_g"),
                reading: try number(point["reading_counts"], "points[\(index)].reading_counts"))
            if point["series"] != nil { sample.series = try integer("series", in: point, path: "points[\(index)].") }
            if let direction = point["direction"] {
                guard let text = direction.stringValue, let parsed = CalibrationProcedure.Direction(rawValue: text) else {
                    throw fail("`points[\(index)].direction` is not zero, increasing or decreasing")
                }
                sample.direction = parsed
            }
            if point["sd_counts"] != nil { sample.sd = try number(point["sd_counts"], "points[\(index)].sd_counts") }
            if point["n"] != nil { sample.count = try integer("n", in: point, path: "points[\(index)].") }
            if point["min_counts"] != nil { sample.minimum = try number(point["min_counts"], "points[\(index)].min_counts") }
            if point["max_counts"] != nil { sample.maximum = try number(point["max_counts"], "points[\(index)].max_counts") }
            if point["t_start_s"] != nil { sample.start = try number(point["t_start_s"], "points[\(index)].t_start_s") }
            if point["t_end_s"] != nil { sample.end = try number(point["t_end_s"], "points[\(index)].t_end_s") }
            points.append(sample)
        }
        // The coefficients must be what the points give: a hand-edited
        // certificate is caught here.
        let analysis: CalibrationAnalysis
        do {
            analysis = try CalibrationAnalysis(samples: points, degree: degree)
        } catch {
            throw fail("its points do not make a calibration (\(error))")
        }
        var refitted = analysis.fit.coefficients
        while refitted.count < 4 { refitted.append(0) }
        for (index, (stored, fitted)) in zip(coefficients, refitted).enumerated() {
            let scale = max(abs(fitted), abs(refitted[1]) * 1e-6, 1e-300)
            guard abs(stored - fitted) <= 1e-9 * scale else {
                throw fail("coefficient c\(index) = \(stored) is not what its points give (\(fitted)): the file was changed")
            }
        }
        var certificate = CalibrationCertificate(
            serial: serial, calibratedAt: Int64(calibratedAt), expiresAt: Int64(expiresAt), softwareVersion: software,
            massSet: massSet, massClass: massClass, loads: loads, seriesCount: series, degree: degree,
            coefficients: coefficients, points: points)
        certificate.channel = channel
        return CertificateFile(certificate: certificate, bytes: bytes, source: source)
    }
}

/// Writes files so that a reader never sees half of one: into a temporary
/// file beside the target, then renamed over it (rename(2) replaces in one step).
public enum AtomicFile {
    /// A file written beside its target, not yet in place.
    public struct Staged: Sendable {
        public let temporary: String
        public let target: String

        /// Puts it in place.
        public func commit() throws {
            guard rename(temporary, target) == 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target, NSLocalizedDescriptionKey: reason])
            }
        }

        /// Removes it.
        public func discard() { unlink(temporary) }
    }

    public static func stage(_ bytes: [UInt8], for path: String) throws -> Staged {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp").path
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        } catch {
            unlink(temporary)
            throw error
        }
        return Staged(temporary: temporary, target: path)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try stage(bytes, for: path).commit()
    }
}
