import ArgumentParser
import Foundation
import LightTouchCalibration
import LightTouchCore
import LightTouchSession

struct CalibrateCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the calibration with one known mass (a quick check before class).",
        discussion: """
            Reads the empty sensor, then the sensor with the mass on it, each from a settled signal, and \
            compares the difference, through the calibration in use, with the mass: PASS (exit 0) when it is \
            within --tolerance-g, else FAIL (exit 1).
            """)

    @OptionGroup var sensorOptions: SensorOptions

    @Option(help: ArgumentHelp("The known mass, grams.", valueName: "g"))
    var mass: Double

    @Option(help: ArgumentHelp("Largest error that passes, grams.", valueName: "g"))
    var toleranceG = 0.05

    @Flag(help: "Hands-free: the first settled plateau is the zero, the next one at about the mass is the reading.")
    var yes = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: ArgumentHelp("Give up after this many seconds per step.", valueName: "s"))
    var stepTimeoutS = 120.0

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    func validate() throws {
        guard mass.isFinite, mass > 0 else { throw ValidationError("--mass must be a positive number of grams (got \(mass))") }
        guard toleranceG.isFinite, toleranceG > 0 else { throw ValidationError("--tolerance-g must be a positive number of grams") }
        if !yes, isatty(STDIN_FILENO) == 0 {
            throw ValidationError("a guided check needs a terminal for the operator's Enter key; add --yes for a hands-free check")
        }
    }

    func run() throws {
        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let info = connection.info
        let inUse = try chooseCalibration(connection, files: sensorOptions.calibrations)
        for warning in inUse.warnings { printError(warning) }
        guard inUse.conversion.isCalibrated, let polynomial = inUse.conversion.channels.first else {
            throw UserError("\(info.serial) is uncalibrated: there is nothing to check; run `lighttouch calibrate run` first")
        }
        let procedure: CalibrationProcedure
        do {
            procedure = try CalibrationProcedure.check(mass: mass)
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
        let progress = ProgressLine()
        let recorder = CalibrationRecorder(
            procedure: procedure, settings: StabilitySettings(), nominalCountsPerGram: polynomial.coefficients[1], handsFree: yes,
            stepTimeout: stepTimeoutS)
        let mass = self.mass
        let session = CalibrationSession(connection: connection, recorder: recorder) { event, recorder in
            switch event {
            case .waitingForOperator:
                progress.line(recorder.points.isEmpty ? "take everything off the sensor and press Enter" : "place \(mass.trimmed) g and press Enter")
            case .watching(let phase, _):
                if case .reading(let fraction, _, _) = phase { progress.update("reading \(progressBar(fraction)) keep still") }
            case .taken(let point):
                progress.line("\(point.load == 0 ? "zero" : "\(point.load.trimmed) g"): \(point.reading.mean.fixed(1)) counts")
            case .retry(let message): progress.line("\(message); reading again")
            default: break
            }
        }
        if !yes {
            let enter = EnterKey()
            Thread.detachNewThread {
                while enter.wait(timeout: .distantFuture) { session.confirm() }
            }
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { session.cancel() }
        defer { signals.cancel() }
        let points: [CalibrationPoint]
        switch try session.run() {
        case .complete(let taken): points = taken
        case .failed(let error): throw UserError.data(error.description.replacingOccurrences(of: "the run was stopped and nothing was written", with: "the check was stopped"))
        case .disconnected(let reason): throw UserError.unavailable("the sensor went away during the check (\(reason))")
        case .cancelled: throw UserError("interrupted", exitCode: ExitCode(130))
        }
        guard points.count == 2 else { throw UserError("the check did not complete") }
        let measured = polynomial.mass(forReading: points[1].reading.mean) - polynomial.mass(forReading: points[0].reading.mean)
        let error = measured - mass
        let pass = abs(error) <= toleranceG
        if json {
            print(JSONValue.object([
                ("serial", .string(info.serial)), ("mass_g", .double(mass)), ("measured_g", .double(measured)),
                ("error_g", .double(error)), ("tolerance_g", .double(toleranceG)), ("pass", .bool(pass)),
                ("calibration", .string(inUse.source)), ("expired", .bool(inUse.isExpired)),
            ]).serialized())
        } else {
            print("\(info.serial): \(mass.trimmed) g reads \(measured.fixed(4)) g (error \(error.signedFixed(4)) g, tolerance ±\(toleranceG.trimmed) g): \(pass ? "PASS" : "FAIL")"
                + (inUse.isExpired ? " (calibration EXPIRED)" : ""))
        }
        if !pass { throw ExitCode(1) }
    }
}
