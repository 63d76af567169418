import LightTouchCore

/// Why a calibration cannot be used at all (the session does not start).
public enum CalibrationChoiceError: Error, Sendable, CustomStringConvertible {
    /// The certificate file cannot be read.
    case unreadable(String)
    /// The certificate belongs to another sensor.
    case foreign(String)
    /// Certificates per channel that do not make one calibration (a channel
    /// missing or given twice).
    case incomplete(String)

    public var description: String {
        switch self {
        case .unreadable(let message), .foreign(let message), .incomplete(let message): message
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
    try loadCalibration(connection, files: file.map { [$0] } ?? [], now: now)
}

/// `loadCalibration` with a certificate per channel (`--calibration` given
/// once per channel): together they must cover channels 0, 1, … each once.
/// One certificate for channel 0 is the one-channel case.
public func loadCalibration(_ connection: any SensorConnection, files: [String], now: Int64) throws(CalibrationChoiceError) -> CalibrationInUse {
    var inUse =
        files.count > 1
        ? try loadChannelCertificates(connection, files: files, now: now) : try loadAnyCalibration(connection, file: files.first, now: now)
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
        expiryWarning(expiresAt, source: source, now: now).map { (true, [$0]) } ?? (false, [])
    }
    if let file {
        let certificateFile: CertificateFile
        switch try readCertificate(file, for: info) {
        case .read(let read): certificateFile = read
        case .damaged(let uncalibrated): return uncalibrated
        }
        let certificate = certificateFile.certificate
        guard certificate.channel == 0 else {
            throw .incomplete(
                "\(file) is channel \(certificate.channel)'s certificate: give every channel's, channel 0's first "
                    + "(--calibration once per channel)")
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


/// Certificates per channel, one file each: every file must read, belong to
/// this sensor, and the channels must be 0, 1, … each once. A corrupt file is
/// reported and the sensor used uncalibrated, as for one certificate.
private func loadChannelCertificates(
    _ connection: any SensorConnection, files: [String], now: Int64
) throws(CalibrationChoiceError) -> CalibrationInUse {
    let info = connection.info
    var byChannel: [Int: (file: String, certificate: CertificateFile)] = [:]
    for file in files {
        let certificateFile: CertificateFile
        switch try readCertificate(file, for: info) {
        case .read(let read): certificateFile = read
        case .damaged(let uncalibrated): return uncalibrated
        }
        let certificate = certificateFile.certificate
        if let earlier = byChannel[certificate.channel] {
            throw .incomplete("\(file) and \(earlier.file) are both channel \(certificate.channel)'s certificate: give one a channel")
        }
        byChannel[certificate.channel] = (file, certificateFile)
    }
    let ordered = (0..<files.count).compactMap { byChannel[$0] }
    guard ordered.count == files.count, ordered.count <= info.channels else {
        let given = byChannel.keys.sorted().map(String.init).joined(separator: ", ")
        throw .incomplete(
            "the certificates are for channels \(given); \(info.serial) has channel\(info.channels == 1 ? " 0" : "s 0–\(info.channels - 1)"): "
                + "give one certificate for each channel from 0 on")
    }
    var warnings: [String] = []
    var expired = false
    for (file, certificateFile) in ordered {
        guard let warning = expiryWarning(certificateFile.certificate.expiresAt, source: file, now: now) else { continue }
        expired = true
        warnings.append(warning)
    }
    let first = ordered[0].certificate
    // The blob the sensor would hold for these certificates (`calibrate run --write-to-sensor --store-with`).
    let parts = ordered.map { ChannelCalibration(certificate: $0.certificate.certificate, id: $0.certificate.id, source: $0.file) }
    guard let blob = FlashCalibration.blob(serial: info.serial, channels: parts) else {
        throw .incomplete("the certificates do not make one calibration of \(info.serial)")
    }
    let conversion = ForceConversion(
        channels: blob.coefficients.map { CalibrationPolynomial(coefficients: $0) }, isCalibrated: true,
        certificateID: ordered.map { $0.certificate.certificate.blob(certificateID: $0.certificate.id).certificateID.hexString }
            .joined(separator: "+"))
    return CalibrationInUse(
        conversion: conversion, source: ordered.map(\.file).joined(separator: " + "), blob: blob, certificate: first,
        warnings: warnings, isExpired: expired)
}

/// A certificate file as `--calibration` reads it: this sensor's certificate,
/// or, when the file is damaged, the sensor used uncalibrated with the error
/// said. A file that cannot be read at all, or is another sensor's, is refused.
private enum CertificateRead {
    case read(CertificateFile)
    case damaged(CalibrationInUse)
}

private func readCertificate(_ file: String, for info: SensorInfo) throws(CalibrationChoiceError) -> CertificateRead {
    let certificateFile: CertificateFile
    do {
        certificateFile = try CertificateFile.read(path: file)
    } catch {
        if error.unreadable { throw .unreadable(error.description) }
        return .damaged(
            CalibrationInUse(
                conversion: .nominal(info), source: "none", blob: nil, certificate: nil,
                warnings: ["error: \(error.description); using the sensor uncalibrated"], isExpired: false))
    }
    let serial = certificateFile.certificate.serial
    guard serial == info.serial else {
        throw .foreign(
            "\(file) is the certificate of sensor \(serial), but this sensor is \(info.serial): refused "
                + "(use that sensor's own certificate, or calibrate this one)")
    }
    return .read(certificateFile)
}

/// The warning for a calibration past its expiry, or nil while it holds.
private func expiryWarning(_ expiresAt: Int64, source: String, now: Int64) -> String? {
    guard now >= expiresAt else { return nil }
    return "warning: the calibration (\(source)) expired on \(CivilTime.iso8601(expiresAt)); grams may be off: "
        + "recalibrate with `lighttouch calibrate run`"
}
