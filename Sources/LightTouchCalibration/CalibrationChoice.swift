import LightTouchCore

/// Why a calibration cannot be used at all (the session does not start).
public enum CalibrationChoiceError: Error, Sendable, CustomStringConvertible {
    /// The certificate file cannot be read.
    case unreadable(String)
    /// The certificate belongs to another sensor.
    case foreign(String)

    public var description: String {
        switch self {
        case .unreadable(let message), .foreign(let message): message
        }
    }
}

/// The calibration a command uses, and what the user must be told about it.
public struct CalibrationInUse: Sendable {
    public var conversion: ForceConversion
    /// Where it came from: "sensor flash", a certificate path, or "none".
    public var source: String
    public var blob: CalibrationBlob?
    public var certificate: CertificateFile?
    /// One line each, for stderr (and any screen that shows grams).
    public var warnings: [String]
    public var isExpired: Bool

    /// "uncalibrated", "calibrated", or "calibration EXPIRED": the word for a status line.
    public var label: String { conversion.isCalibrated ? (isExpired ? "calibration EXPIRED" : "calibrated") : "uncalibrated" }
}

/// Loads the calibration at open: from `--calibration FILE` when given (a
/// certificate for another sensor is refused; a corrupt one is reported and
/// the sensor is used uncalibrated), else from the sensor's flash (a corrupt
/// blob is reported, PROTOCOL.md §5, and the sensor is used uncalibrated).
/// An expired calibration is used, with a warning.
public func loadCalibration(_ connection: any SensorConnection, file: String?, now: Int64) throws(CalibrationChoiceError) -> CalibrationInUse {
    var inUse = try loadAnyCalibration(connection, file: file, now: now)
    // A calibration for fewer channels than the sensor has (a one-channel certificate on a two-channel sensor)
    // leaves the others out of the force: said once, never silently.
    let covered = inUse.conversion.channels.count, channels = connection.info.channels
    if inUse.conversion.isCalibrated, covered < channels {
        inUse.warnings.append(
            "warning: the calibration (\(inUse.source)) covers \(covered) of the sensor's \(channels) channels; the force is "
                + "channel\(covered == 1 ? " 0" : "s 0–\(covered - 1)") only (calibrate every channel, or use the sensor uncalibrated)")
    }
    return inUse
}

private func loadAnyCalibration(_ connection: any SensorConnection, file: String?, now: Int64) throws(CalibrationChoiceError) -> CalibrationInUse {
    let info = connection.info
    let nominal = ForceConversion.nominal(info)
    func expiry(_ expiresAt: Int64, _ source: String) -> (Bool, [String]) {
        guard now >= expiresAt else { return (false, []) }
        return (true, ["warning: the calibration (\(source)) expired on \(CivilTime.iso8601(expiresAt)); grams may be off: recalibrate with `lighttouch calibrate run`"])
    }
    if let file {
        let certificateFile: CertificateFile
        do {
            certificateFile = try CertificateFile.read(path: file)
        } catch {
            if error.unreadable { throw .unreadable(error.description) }
            return CalibrationInUse(
                conversion: nominal, source: "none", blob: nil, certificate: nil,
                warnings: ["error: \(error.description); using the sensor uncalibrated"], isExpired: false)
        }
        let certificate = certificateFile.certificate
        guard certificate.serial == info.serial else {
            throw .foreign(
                "\(file) is the certificate of sensor \(certificate.serial), but this sensor is \(info.serial): refused "
                    + "(use that sensor's own certificate, or calibrate this one)")
        }
        let blob = certificate.blob(certificateID: certificateFile.id)
        let (expired, warnings) = expiry(certificate.expiresAt, file)
        return CalibrationInUse(
            conversion: .calibrated(blob), source: file, blob: blob, certificate: certificateFile, warnings: warnings, isExpired: expired)
    }
    guard info.capabilities.contains(.calibrationStorage) else {
        return CalibrationInUse(conversion: nominal, source: "none", blob: nil, certificate: nil, warnings: [], isExpired: false)
    }
    let bytes: [UInt8]
    do {
        bytes = try connection.readCalibration()
    } catch {
        return CalibrationInUse(
            conversion: nominal, source: "none", blob: nil, certificate: nil,
            warnings: ["warning: cannot read the stored calibration (\(error)); using the sensor uncalibrated"], isExpired: false)
    }
    switch CalibrationBlob.decode(bytes, expectedSerial: info.serial) {
    case .success(let blob):
        let (expired, warnings) = expiry(blob.expiresAt, "sensor flash")
        return CalibrationInUse(
            conversion: .calibrated(blob), source: "sensor flash", blob: blob, certificate: nil, warnings: warnings, isExpired: expired)
    case .failure(.empty):
        return CalibrationInUse(conversion: nominal, source: "none", blob: nil, certificate: nil, warnings: [], isExpired: false)
    case .failure(let problem):
        return CalibrationInUse(
            conversion: nominal, source: "none", blob: nil, certificate: nil,
            warnings: ["error: stored calibration is corrupt: \(problem.rawValue) (\(problem)); using the sensor uncalibrated"],
            isExpired: false)
    }
}

