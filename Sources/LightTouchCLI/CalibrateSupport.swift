import ArgumentParser
import Foundation
import LightTouchAcquisition
import LightTouchCalibration
import LightTouchCore
import Synchronization

/// The calibration a command uses, and what the user must be told about it.
struct CalibrationInUse {
    var conversion: ForceConversion
    /// Where it came from: "sensor flash", a certificate path, or "none".
    var source: String
    var blob: CalibrationBlob?
    var certificate: CertificateFile?
    /// One line each, for stderr (and any screen that shows grams).
    var warnings: [String]
    var isExpired: Bool

    /// "uncalibrated", "calibrated", or "calibration EXPIRED": the word for a status line.
    var label: String { conversion.isCalibrated ? (isExpired ? "calibration EXPIRED" : "calibrated") : "uncalibrated" }
}

/// The time now, Unix seconds (the CLI is the edge that reads clocks).
func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

/// Loads the calibration at open: from `--calibration FILE` when given (a
/// certificate for another sensor is refused; a corrupt one is reported and
/// the sensor is used uncalibrated), else from the sensor's flash (a corrupt
/// blob is reported, PROTOCOL.md §5, and the sensor is used uncalibrated).
/// An expired calibration is used, with a warning.
func loadCalibration(_ connection: any SensorConnection, file: String?, now: Int64 = unixNow()) throws -> CalibrationInUse {
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
            if error.unreadable { throw UserError(error.description, exitCode: ExitCode(66)) }  // EX_NOINPUT
            return CalibrationInUse(
                conversion: nominal, source: "none", blob: nil, certificate: nil,
                warnings: ["error: \(error.description); using the sensor uncalibrated"], isExpired: false)
        }
        let certificate = certificateFile.certificate
        guard certificate.serial == info.serial else {
            throw UserError.data(
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

/// For commands that show grams: loads the calibration and prints its
/// warnings on stderr; returns the conversion to use.
func calibratedConversion(_ connection: any SensorConnection, _ options: SensorOptions) throws -> ForceConversion {
    let inUse = try loadCalibration(connection, file: options.calibration)
    for warning in inUse.warnings { printError(warning) }
    return inUse.isExpired ? inUse.conversion.markedExpired() : inUse.conversion
}

/// "0,2,5,10,20" as grams.
func parseMasses(_ text: String) throws -> [Double] {
    var masses: [Double] = []
    for field in text.split(separator: ",", omittingEmptySubsequences: false) {
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed), value.isFinite, value >= 0 else {
            throw ValidationError("--masses must be grams separated by commas, e.g. 0,2,5,10,20 (`\(trimmed)` is not a mass)")
        }
        masses.append(value)
    }
    return masses
}

/// "2024-01-31" or "2024-01-31T12:00:00Z" as Unix seconds.
func parseDate(_ text: String) -> Int64? {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" || $0 == "Z" }).map(String.init)
    guard parts.count == 3 || parts.count == 6 else { return nil }
    let numbers = parts.compactMap { Int64($0) }
    guard numbers.count == parts.count, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]) else { return nil }
    var seconds = CivilTime.days(fromCivil: numbers[0], numbers[1], numbers[2]) * 86_400
    if numbers.count == 6 { seconds += numbers[3] * 3600 + numbers[4] * 60 + numbers[5] }
    return seconds
}

/// Reads the standard input's lines on a thread of its own (the operator's Enter).
final class EnterKey: Sendable {
    private let lines = DispatchSemaphore(value: 0)

    init() {
        let lines = self.lines
        Thread.detachNewThread {
            while readLine() != nil { lines.signal() }
        }
    }

    /// Waits for the next Enter; false when `timeout` passes first.
    func wait(timeout: DispatchTime) -> Bool { lines.wait(timeout: timeout) == .success }
}

/// Progress on stderr: one line redrawn in place on a terminal; nothing
/// in between otherwise (the step lines say what happened).
final class ProgressLine: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let state = Mutex<(lastDraw: Double, drawn: Bool)>((0, false))

    func update(_ text: String, force: Bool = false) {
        guard isTerminal else { return }
        state.withLock { state in
            let now = Date().timeIntervalSince1970
            guard force || now - state.lastDraw >= 0.1 else { return }
            state.lastDraw = now
            state.drawn = true
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
        }
    }

    func line(_ text: String) {
        state.withLock { state in
            if state.drawn, isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            state.drawn = false
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}

/// A bar of `width` cells filled to `fraction`.
func progressBar(_ fraction: Double, width: Int = 20) -> String {
    let filled = max(0, min(width, Int((fraction * Double(width)).rounded())))
    return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
}
