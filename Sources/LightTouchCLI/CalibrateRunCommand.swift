import ArgumentParser
import Dispatch
import Foundation
import LightTouchDemoSensor
import LightTouchCalibration
import LightTouchCore
import LightTouchSession
import LightTouchStore
import Synchronization

struct CalibrateRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a calibration with known masses and write its certificate.",
        discussion: """
            Each series goes up through the masses and back down to zero; consecutive series share their zero, \
            and with --series 3 or more the sensor is re-seated before series 3 and each later one. At each step \
            the screen says what to place (press Enter when it is on), then waits until the signal has settled \
            (its SD over a window under --stable-sd-g for --settle-s) and averages it over --reading-s. A reading \
            is never taken from a moving signal. With --yes the run is hands-free: each new settled plateau at \
            about the expected load is the next step, and a load that moves during a reading, or a plateau at a \
            load the step does not expect, stops the run with nothing written. The run is recorded (raw \
            counts, the operator's Enter presses, the settings): `lighttouch replay ID` takes it again to the same \
            certificate, and `lighttouch report ID` draws its calibration curve and residuals.
            """)

    @OptionGroup var sensorOptions: SensorOptions

    @Option(help: ArgumentHelp("Masses in grams, comma-separated (0 is added). Default: the masses of --mass-set.", valueName: "g,g,…"))
    var masses: String?

    @Option(help: ArgumentHelp("A mass-set file (calibration/masses/). Default: the built-in OIML F1 set, 1 to 20 g.", valueName: "file"))
    var massSet: String?

    @Option(help: "Series, 2 to 10 (re-seat before series 3 and later).")
    var series = 2

    @Option(help: "Degree of the calibration equation: 1, 2 or 3.")
    var degree = 2

    @Flag(help: "Hands-free: take each new settled plateau as the next step, without Enter.")
    var yes = false

    @Flag(help: "Print the certificate as one JSON object instead of the report.")
    var json = false

    @Option(help: ArgumentHelp("Write the certificate (JSON) here, and its residual plot beside it (.svg).", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("Also write the raw points as CSV (refit with `calibrate fit`).", valueName: "file"))
    var pointsOut: String?

    @Flag(
        help: """
            Store the calibration in the sensor's flash (and read it back to verify). The flash holds one calibration \
            for channels 0, 1, … together: with --channel, the others come from --store-with, or channel 0 from a \
            one-channel calibration the flash already holds.
            """)
    var writeToSensor = false

    @Option(
        name: .customLong("store-with"),
        help: ArgumentHelp(
            "With --write-to-sensor and --channel: another channel's certificate to store beside this run's (once per channel).",
            valueName: "certificate.json"))
    var storeWith: [String] = []

    @Option(help: ArgumentHelp(
        "The channel to calibrate, on a sensor with several (two hands: 0 the left, 1 the right); one certificate a channel, "
            + "used together with `--calibration` given once per channel.", valueName: "n"))
    var channel: Int?

    @Option(help: ArgumentHelp("Largest SD over the window that counts as settled, grams.", valueName: "g"))
    var stableSdG = 0.05

    @Option(help: ArgumentHelp("Length of the window that decides settled, seconds.", valueName: "s"))
    var stableWindowS = 0.5

    @Option(help: ArgumentHelp("How long the signal must stay settled before the reading, seconds.", valueName: "s"))
    var settleS = 1.0

    @Option(help: ArgumentHelp("How long each reading averages, seconds.", valueName: "s"))
    var readingS = 1.0

    @Option(help: ArgumentHelp("Give up on a step after this many seconds.", valueName: "s"))
    var stepTimeoutS = 120.0

    @Option(help: "Months the certificate is valid.")
    var validMonths = 12

    @Option(help: ArgumentHelp("The calibration date (for re-issuing; default now).", valueName: "yyyy-mm-dd", visibility: .hidden))
    var calibratedAt: String?

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    @OptionGroup(title: "Recording") var recording: RecordingOptions

    func validate() throws {
        guard (1...3).contains(degree) else { throw ValidationError("--degree must be 1, 2 or 3 (got \(degree))") }
        guard (2...10).contains(series) else { throw ValidationError("--series must be 2 to 10 (got \(series)); two at least, for repeatability") }
        guard (1...120).contains(validMonths) else { throw ValidationError("--valid-months must be 1 to 120 (got \(validMonths))") }
        if let calibratedAt, parseDate(calibratedAt) == nil { throw ValidationError("--calibrated-at must be a date like 2026-01-31") }
        if !yes, isatty(STDIN_FILENO) == 0 {
            throw ValidationError("a guided run needs a terminal for the operator's Enter key; add --yes for a hands-free run")
        }
        guard stepTimeoutS.isFinite, stepTimeoutS > 0 else { throw ValidationError("--step-timeout-s must be a positive number of seconds") }
        if masses != nil, massSet != nil { throw ValidationError("give --masses or --mass-set, not both") }
        if !sensorOptions.calibrations.isEmpty {
            throw ValidationError("--calibration does not apply to a calibration run, which makes a new calibration from raw counts")
        }
    }

    func run() throws {
        // Everything that can be checked before the sensor is, so a run is never wasted.
        var setName = MassSet.builtIn.name, setClass = MassSet.builtIn.massClass
        var loads = MassSet.builtIn.masses.map(\.grams)
        if let massSet {
            let set = try readMassSet(massSet)
            (setName, setClass, loads) = (set.name, set.massClass, set.masses.map(\.grams))
        }
        if let masses {
            loads = try parseMasses(masses)
            setName = "custom (--masses)"
            setClass = "unknown"
        }
        let procedure: CalibrationProcedure
        do {
            procedure = try CalibrationProcedure(masses: loads, series: series)
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
        guard procedure.loads.count >= degree + 1 else {
            throw UserError(
                "--degree \(degree) is too high for \(procedure.loads.count) distinct loads (zero included): it needs at least "
                    + "\(degree + 1); add masses or lower --degree", exitCode: ExitCode(64))
        }
        let settings = StabilitySettings(window: stableWindowS, maximumSD: stableSdG, settle: settleS, reading: readingS)
        do {
            try settings.validate()
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
        for path in [out, pointsOut].compactMap({ $0 }) {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw UserError("cannot write \(path): its folder \(directory) does not exist or is not writable", exitCode: ExitCode(73))
            }
        }

        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let info = connection.info
        // A multi-channel sensor is calibrated a channel at a time: one certificate each.
        guard info.channels == 1 || channel != nil else {
            throw UserError(
                "\(info.serial) has \(info.channels) channels: calibrate each with --channel 0 … --channel \(info.channels - 1) "
                    + "(one certificate a channel)", exitCode: ExitCode(64))
        }
        let calibrated = channel ?? 0
        guard (0..<info.channels).contains(calibrated) else {
            throw UserError(
                "--channel \(calibrated) is not a channel of \(info.serial), which has channel\(info.channels == 1 ? " 0" : "s 0–\(info.channels - 1)")",
                exitCode: ExitCode(64))
        }
        if writeToSensor, !info.capabilities.contains(.calibrationStorage) {
            throw UserError("\(info.serial) cannot store a calibration (no calibration storage); run without --write-to-sensor", exitCode: ExitCode(69))
        }
        // Decided before the run, so that a run is never made to be refused at the end.
        let otherChannels = writeToSensor ? try storedBeside(channel: calibrated, connection: connection) : []

        var sensorDetails: [(String, JSONValue)] = [
            ("adc_model", .string(info.adcModel)), ("firmware", .string(info.firmwareVersion)),
            ("protocol", .string(info.protocolVersion)), ("sample_rate_hz", .int(info.sampleRate)),
            ("nominal_offset_counts", .int(Int(info.nominalOffset))),
            ("nominal_counts_per_g", .double(Double(info.nominalCountsPerGram))),
        ]
        sensorDetails.append(("transport", .string(connection.transport)))
        var plan = CalibrationRunPlan(
            serial: info.serial, masses: loads, series: series, degree: degree, settings: settings, handsFree: yes,
            stepTimeout: stepTimeoutS, nominalCountsPerGram: Double(info.nominalCountsPerGram), massSet: setName,
            massClass: setClass, calibratedAt: calibratedAt.flatMap(parseDate) ?? unixNow(), validMonths: validMonths,
            softwareVersion: "lighttouch \(LightTouchVersion.current)", sensorDetails: .object(sensorDetails))
        plan.channel = calibrated

        // The run is recorded; if the recording fails mid-run (disk full), the run stops.
        let stopper = StopRequest()
        let recorder = try recording.startRecording(
            kind: .calibration, info: info, conversion: .nominal(info),
            configuration: PipelineConfiguration(sampleRate: Double(info.sampleRate)), calibrationRun: plan.json.serialized()
        ) { stopper.request() }
        defer { recorder.close() }
        do {
            try perform(
                plan: plan, procedure: procedure, connection: connection, recorder: recorder, stopper: stopper,
                otherChannels: otherChannels)
        } catch {
            recorder.close(reason: (error as? UserError)?.description ?? "\(error)")
            throw error
        }
    }

    /// The other channels' calibrations this run's is stored with, on a sensor
    /// whose flash holds one calibration for channels 0, 1, … together
    /// (PROTOCOL.md §5): the `--store-with` certificates, and channel 0 from
    /// the flash when it holds a one-channel calibration and none is given.
    /// Refused unless the channels then make 0, 1, … each once, and when the
    /// flash holds channels that the new calibration would drop.
    func storedBeside(channel: Int, connection: any SensorConnection) throws -> [ChannelCalibration] {
        let info = connection.info
        if !storeWith.isEmpty, info.channels == 1 {
            throw UserError("--store-with is for a sensor with several channels; \(info.serial) has one", exitCode: ExitCode(64))
        }
        var parts: [ChannelCalibration] = []
        for path in storeWith {
            let file: CertificateFile
            do {
                file = try CertificateFile.read(path: path)
            } catch {
                throw UserError(error.description, exitCode: ExitCode(error.unreadable ? 66 : 65))
            }
            let certificate = file.certificate
            guard certificate.serial == info.serial else {
                throw UserError.data("\(path) is \(certificate.serial)'s certificate, not \(info.serial)'s")
            }
            guard certificate.channel != channel else {
                throw UserError(
                    "\(path) is channel \(channel)'s certificate, the channel this run calibrates: give the other channels'",
                    exitCode: ExitCode(64))
            }
            if let earlier = parts.first(where: { $0.channel == certificate.channel }) {
                throw UserError(
                    "\(path) and \(earlier.source) are both channel \(certificate.channel)'s certificate: give one a channel",
                    exitCode: ExitCode(64))
            }
            guard certificate.channel < info.channels else {
                throw UserError(
                    "\(path) is channel \(certificate.channel)'s certificate; \(info.serial) has channels 0–\(info.channels - 1)",
                    exitCode: ExitCode(64))
            }
            parts.append(ChannelCalibration(certificate: certificate, id: file.id, source: path))
        }
        guard info.channels > 1 else { return parts }
        var stored: CalibrationBlob?
        if let bytes = try? connection.readCalibration(), case .success(let blob) = CalibrationBlob.decode(bytes, expectedSerial: info.serial) {
            stored = blob
        }
        if channel != 0, !parts.contains(where: { $0.channel == 0 }), let stored, let first = ChannelCalibration(stored: stored) {
            parts.append(first)
        }
        let channels = Set(parts.map(\.channel) + [channel])
        let count = (channels.max() ?? 0) + 1
        let missing = (0..<count).filter { !channels.contains($0) }
        guard missing.isEmpty else {
            let list = missing.map(String.init).joined(separator: ", ")
            throw UserError(
                "to store channel \(channel) in \(info.serial)'s flash, its calibration needs channel\(missing.count == 1 ? "" : "s") "
                    + "\(list) too: give \(missing.count == 1 ? "its" : "their") certificate\(missing.count == 1 ? "" : "s") with "
                    + "--store-with FILE (the flash holds one calibration for channels 0, 1, … together)", exitCode: ExitCode(64))
        }
        // Never drop a channel the flash holds: the new blob must cover at least as many.
        if let stored, stored.channels > count {
            let dropped = (count..<stored.channels).map(String.init).joined(separator: ", ")
            throw UserError(
                "\(info.serial)'s flash holds channels 0–\(stored.channels - 1), and storing this run with what is given would "
                    + "drop channel \(dropped): give \(stored.channels - count == 1 ? "its" : "their") certificate with --store-with FILE",
                exitCode: ExitCode(64))
        }
        return parts
    }

    /// The operator's view of the run: one line per step and reading, a progress bar between.
    static func show(_ event: CalibrationRecorder.Event, _ recorder: CalibrationRecorder, progress: ProgressLine, stepCount: Int) {
        let step = recorder.currentStep
        let position = "step \(min(recorder.points.count + 1, stepCount))/\(stepCount)"
        switch event {
        case .waitingForOperator:
            if let step {
                let what = step.load == 0 ? "take every mass off" : "place \(step.load.trimmed) g"
                let reseat = step.reseatBefore ? "re-seat the sensor (lift it off its base and set it back), then " : ""
                progress.line("\(position): \(reseat)\(what) and press Enter")
            }
        case .watching(let phase, let matches):
            guard let step else { return }
            let target = step.load == 0 ? "zero" : "\(step.load.trimmed) g"
            switch phase {
            case .moving(let sd):
                progress.update("\(position) \(target)  \(progressBar(0))  moving\(sd.map { " (SD \($0.fixed(3)) g)" } ?? "")")
            case .settling(let fraction, let sd, _):
                let state = matches ? "settling" : "waiting for \(target)"
                progress.update("\(position) \(target)  \(progressBar(matches ? fraction * 0.5 : 0))  \(state) (SD \(sd.fixed(3)) g)")
            case .reading(let fraction, let sd, _):
                progress.update("\(position) \(target)  \(progressBar(0.5 + fraction * 0.5))  reading, keep still (SD \(sd.fixed(3)) g)")
            default: break
            }
        case .taken(let point):
            progress.line(
                "step \(point.step + 1)/\(stepCount): \(point.load.trimmed) g \(point.direction.rawValue), series \(point.series): "
                    + "\(point.reading.mean.fixed(1)) counts (SD \(point.reading.sd.fixed(1)), \(point.reading.count) samples)")
        case .retry(let message):
            progress.line("\(position): \(message); reading again")
        case .failed, .complete: break
        }
    }

    private func perform(
        plan: CalibrationRunPlan, procedure: CalibrationProcedure, connection: any SensorConnection, recorder: SessionRecorder,
        stopper: StopRequest, otherChannels: [ChannelCalibration]
    ) throws {
        let info = connection.info
        let progress = ProgressLine()
        let stepCount = procedure.steps.count
        progress.line(
            "Calibrating \(info.serial): \(procedure.steps.count) readings, masses \(procedure.loads.map(\.trimmed).joined(separator: ", ")) g, "
                + "\(series) series\(yes ? ", hands-free" : "")")
        let guided = !yes
        let enter = guided ? EnterKey() : nil
        let run = LiveCalibration(plan: plan, procedure: procedure, connection: connection, recorder: recorder) { event, recorder in
            Self.show(event, recorder, progress: progress, stepCount: stepCount)
        }
        if let enter {
            // The operator's Enter confirms each step; a thread of its own waits for it.
            Thread.detachNewThread {
                while true {
                    guard enter.wait(timeout: .distantFuture) else { return }
                    run.confirm()
                }
            }
        }
        // Ctrl-C stops the run cleanly (the sensor is stopped, nothing is written).
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { run.requestStop() }
        defer { signals.cancel() }
        stopper.forward(to: run)
        let certified: LiveCalibration.Certified
        do {
            certified = try run.run()
        } catch let failure as LiveCalibration.Failure {
            if let failure = recorder.failure { throw UserError(failure) }
            switch failure {
            case .disconnected: throw UserError.unavailable(failure.description)
            case .cancelled: throw UserError(failure.description, exitCode: ExitCode(130))
            case .failed, .notACalibration: throw UserError.data(failure.description)
            case .sensorRefused: throw UserError(failure.description)
            }
        }
        if let failure = recorder.failure { throw UserError(failure) }
        let (certificate, analysis, text, id) = (certified.certificate, certified.analysis, certified.text, certified.id)

        let bytes = Array((text + "\n").utf8)

        // Every file is written beside its target first; the sensor next; the
        // files are put in place only when all of that worked.
        var staged: [AtomicFile.Staged] = []
        func discardStaged() { for file in staged { file.discard() } }
        do {
            if let out {
                staged.append(try AtomicFile.stage(bytes, for: out))
                let svgPath = (out.hasSuffix(".json") ? String(out.dropLast(5)) : out) + ".svg"
                staged.append(try AtomicFile.stage(Array(ResidualPlot.svg(analysis, serial: info.serial).utf8), for: svgPath))
            }
            if let pointsOut { staged.append(try AtomicFile.stage(Array(CalibrationPointsCSV.render(certificate.points).utf8), for: pointsOut)) }
        } catch {
            discardStaged()
            throw UserError("cannot write the results (\(error.localizedDescription)); nothing was written", exitCode: ExitCode(73))
        }
        if writeToSensor {
            let parts =
                otherChannels + [ChannelCalibration(certificate: certified.certificate, id: certified.id, source: "this run")]
            // `storedBeside` checked the channels make one calibration.
            let merged = otherChannels.isEmpty ? nil : FlashCalibration.blob(serial: info.serial, channels: parts)
            do {
                try run.store(certified, as: merged)
            } catch {
                discardStaged()
                throw UserError(error.description)
            }
            if let merged {
                let sources = parts.sorted { $0.channel < $1.channel }.map { "channel \($0.channel) \($0.source)" }
                progress.line(
                    "stored in \(info.serial)'s flash with \(sources.joined(separator: ", ")) and read back identical "
                        + "(certificate id \(merged.certificateID.hexString), from the channels' ids)")
            } else {
                progress.line("stored in \(info.serial)'s flash and read back identical (certificate \(id.hexString))")
            }
        }
        do {
            for file in staged { try file.commit() }
        } catch {
            discardStaged()
            throw UserError("cannot put the results in place (\(error.localizedDescription))", exitCode: ExitCode(73))
        }
        for file in staged { progress.line("wrote \(file.target)") }
        if json {
            print(text)
        } else {
            print(CalibrationReport.text(
                analysis, serial: info.serial, calibratedAt: certificate.calibratedAt, expiresAt: certificate.expiresAt,
                massSet: "\(plan.massSet) (class \(plan.massClass))"))
        }
        try RecordingOptions.checked { () throws(StoreError) in
            try recorder.complete(results: text, lostFrames: certified.lostFrames, rejectedSamples: 0)
        }
        if !json { progress.line("Recorded as session \(recorder.sessionID) (`lighttouch report \(recorder.sessionID) --out run.svg` draws it).") }
    }
}

/// Reads a mass-set file, or fails with the file and line.
func readMassSet(_ path: String) throws -> MassSet {
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        throw UserError("cannot read the mass set \(path) (\(FileErrors.describe(error)))", exitCode: ExitCode(66))
    }
    do {
        return try MassSet.parse(text, source: path)
    } catch {
        throw UserError.data(error.description)
    }
}
