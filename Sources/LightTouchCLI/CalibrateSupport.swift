import ArgumentParser
import Foundation
import LightTouchDemoSensor
import LightTouchCalibration
import LightTouchCore
import Synchronization

/// The time now, Unix seconds (the CLI is the edge that reads clocks).
func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

/// The calibration to use (`loadCalibration`), its refusals as the user's errors.
func chooseCalibration(_ connection: any SensorConnection, files: [String], now: Int64 = unixNow()) throws -> CalibrationInUse {
    do {
        return try loadCalibration(connection, files: files, now: now)
    } catch {
        switch error {
        case .unreadable(let message): throw UserError(message, exitCode: ExitCode(66))  // EX_NOINPUT
        case .foreign(let message), .incomplete(let message): throw UserError.data(message)
        }
    }
}

/// For commands that show grams: loads the calibration and prints its
/// warnings on stderr; returns the conversion to use.
/// `channels`: how many channels the session needs calibrated when the sensor
/// is (two hands: 2); fewer is one error line, before any warning.
func calibratedConversion(_ connection: any SensorConnection, _ options: SensorOptions, channels: Int = 1) throws -> ForceConversion {
    let inUse = try chooseCalibration(connection, files: options.calibrations)
    if inUse.conversion.isCalibrated, inUse.conversion.channels.count < channels {
        throw UserError.data(
            "the calibration (\(inUse.source)) covers \(inUse.conversion.channels.count) of the \(channels) channels two hands use: "
                + "give a certificate for each channel (--calibration once per channel, from `calibrate run --channel`)")
    }
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
