import ArgumentParser
import Foundation
import LightTouchCalibration
import LightTouchCore
import LightTouchSession

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Score recorded or imported samples through the same pipeline as a live session.",
        discussion: """
            FILE is a CSV with the header `time_s,force_g` (seconds, grams), or an export of LightTouch's \
            own: a sample export (`time_s,raw_g,filtered_g,in_band`) or a session export (`export --csv`). \
            Two hands come as each hand's force: `left_force_g,right_force_g` (LightTouch's exports carry \
            theirs); each hand and the balance are then scored, trials found by the pair's touch and \
            release. An export is scored with the options its metadata (FILE.json, beside it) records, \
            unless others are given here. The same file and options always give byte-identical JSON. FILE may instead be a \
            recorded session's id (`lighttouch sessions`): it is scored again from its raw counts, with its \
            recorded options unless others are given here.
            """)

    @Argument(help: ArgumentHelp("The samples to score: a CSV file, or a recorded session's id.", valueName: "file|session-id"))
    var file: String

    @Flag(help: "Print one JSON object: {\"trials\": […], \"session\": {…}, \"options\": {…}}.")
    var json = false

    @Flag(
        help: """
            For a recorded session: check that scoring it again with its recorded options gives, byte for byte, \
            the results the live run printed (exit status 1 when it does not).
            """)
    var verify = false

    @Option(help: ArgumentHelp("Write every sample as `time_s,raw_g,filtered_g,in_band` to this CSV.", valueName: "out.csv"))
    var exportSamples: String?

    @Option(
        help: ArgumentHelp(
            "Write the feedback sound of the replay (the live mapping, docs/sound.md) as a 16-bit mono WAV file.",
            valueName: "out.wav"))
    var soundOut: String?

    @OptionGroup(title: "Scoring") var scoring: ScoringOptions

    @Option(help: ArgumentHelp(
        "Two hands: the left hand's share of the total to hold, percent. Default: the recording's, else 50.", valueName: "pct"))
    var balance: Double?

    @Option(help: ArgumentHelp(
        "Two hands: how far the left share may stray, percentage points. Default: the recording's, else 5.", valueName: "pct"))
    var balanceTolerance: Double?

    @OptionGroup var recording: RecordingOptions

    func run() throws {
        if let session = Self.sessionID(file) { return try replaySession(session) }
        if verify { throw UserError("--verify checks a recorded session: give a session id (`lighttouch sessions`)", exitCode: ExitCode(64)) }
        let (samples, recordedOptions) = try Self.load(file)
        guard let rate = samples.nominalRate else {
            throw UserError.data("\(file): at least two samples with increasing times are needed to know the sample rate")
        }
        // A LightTouch export scores with the options the session had, and
        // those given here in their place; any other CSV with the defaults.
        let configuration: PipelineConfiguration
        if let recordedOptions {
            let recorded: PipelineConfiguration
            do {
                recorded = try PipelineConfiguration(options: recordedOptions, sampleRate: rate, balance: Self.recordedBalance(samples))
            } catch {
                throw UserError.data(
                    "\(SampleExporter.sidecarPath(file)): \(error.description); move it away to replay the CSV with the default options")
            }
            configuration = try recordedConfiguration(recorded, source: file)
        } else {
            var defaults = try scoring.configuration(sampleRate: rate)
            defaults.trial = try scoring.checkedTrialOptions()
            defaults.balance = try balanceBand(recorded: Self.recordedBalance(samples), source: file)
            configuration = defaults
        }
        var pipeline: ForcePipeline
        do {
            pipeline = try ForcePipeline(configuration: configuration)
        } catch {
            throw UserError("\(file): \(error.description) (the file's sample rate is \(rate) Hz)", exitCode: ExitCode(64))
        }
        let twoHands = configuration.balance != nil
        let exporter = try exportSamples.map { try SampleExporter(path: $0, hands: twoHands) }
        var sound = soundOut.map { _ in PlainSound() }
        for index in samples.times.indices {
            let sample =
                twoHands
                ? pipeline.process(time: samples.times[index], left: samples.lefts[index], right: samples.rights[index])
                : pipeline.process(time: samples.times[index], grams: samples.forces[index])
            exporter?.write(sample)
            sound?.push(sample, pipeline: pipeline)
        }
        pipeline.finish()
        if let soundOut, var sound { try Self.writeSound(&sound.track, to: soundOut) }
        // A LightTouch export carries what the live session knew; a foreign
        // CSV's grams are taken as calibrated, with nothing lost.
        let metadata = samples.metadata
        let summary = pipeline.summary(
            lostFrames: metadata["lost_frames"].flatMap { Int($0) } ?? 0,
            rejectedSamples: metadata["rejected_samples"].flatMap { Int($0) } ?? samples.overRangeRows,
            calibrated: metadata["calibrated"].map { $0 == "true" } ?? true)
        try exporter?.close(
            metadata: [
                ("sample_rate_hz", .double(rate)), ("calibrated", .bool(summary.calibrated)),
                ("lost_frames", .int(summary.lostFrames)), ("rejected_samples", .int(summary.rejectedSamples)),
            ] + (configuration.balance?.jsonMembers ?? []) + [("options", .object(configuration.jsonMembers))])
        if json {
            print(pipeline.resultsJSON(summary: summary).serialized())
        } else {
            print(ResultsTable.render(trials: pipeline.trials, summary: summary, options: configuration))
        }
    }

    /// Reads a sample CSV, and the `options` its export was scored with when
    /// its metadata has them; every problem is a one-line error naming the file.
    static func load(_ path: String) throws -> (samples: SampleCSV, options: JSONValue?) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw UserError.data("\(path): cannot read the file (\(FileErrors.describe(error)))")
        }
        let result = data.withUnsafeBytes { raw in
            Result { () throws(SampleCSV.ParseError) in try SampleCSV.parse(raw, source: path) }
        }
        var samples: SampleCSV
        switch result {
        case .success(let parsed): samples = parsed
        case .failure(let error): throw UserError.data(error.description)
        }
        let options = try readSidecar(of: path, into: &samples)
        return (samples, options)
    }

    /// The balance band a two-hand export was scored with (its metadata's
    /// `hands`, `balance_target_pct` and `balance_tolerance_pct`): nil for one
    /// hand, the default band for a CSV of hands without them.
    static func recordedBalance(_ samples: SampleCSV) -> BalanceSettings? {
        guard samples.hasHands else { return nil }
        var band = BalanceSettings()
        if let target = samples.metadata["balance_target_pct"].flatMap(Double.init) { band.target = target }
        if let tolerance = samples.metadata["balance_tolerance_pct"].flatMap(Double.init) { band.tolerance = tolerance }
        return band
    }

    /// The balance band to score with: `recorded` (nil for one hand) with
    /// `--balance` and `--balance-tolerance` in place of its values.
    func balanceBand(recorded: BalanceSettings?, source: String) throws -> BalanceSettings? {
        guard var band = recorded else {
            if balance != nil || balanceTolerance != nil {
                throw UserError(
                    "--balance and --balance-tolerance apply to two hands: \(source) has one force "
                        + "(a CSV of two hands has the columns left_force_g,right_force_g)", exitCode: ExitCode(64))
            }
            return nil
        }
        if let balance { band.target = balance }
        if let balanceTolerance { band.tolerance = balanceTolerance }
        do {
            try band.validate()
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
        return band
    }

    /// What the session knew (the rate, the calibration, the losses), from the
    /// JSON a LightTouch export writes beside its CSV, when it is there; its
    /// `options` object (the scoring options; older exports have none) is returned.
    static func readSidecar(of path: String, into samples: inout SampleCSV) throws -> JSONValue? {
        let sidecar = SampleExporter.sidecarPath(path)
        guard FileManager.default.fileExists(atPath: sidecar) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: sidecar)))
        } catch {
            throw UserError.data("\(sidecar): cannot read the export's metadata (\(FileErrors.describe(error)))")
        }
        guard let object = try? JSONReader.parse(bytes), case .object(let members) = object,
            let format = object["format"]?.stringValue, format == "lighttouch-samples" || format == "lighttouch-session-export"
        else {
            throw UserError.data("\(sidecar): not the metadata of a LightTouch export; move it away to replay the CSV alone")
        }
        for (key, value) in members {
            switch value {
            case .bool(let flag): samples.metadata[key] = flag ? "true" : "false"
            case .int(let number): samples.metadata[key] = "\(number)"
            case .double(let number): samples.metadata[key] = "\(number)"
            case .string(let text): samples.metadata[key] = text
            default: continue
            }
        }
        return object["options"]
    }
}

enum FileErrors {
    /// The reason in a Foundation file error, briefly ("No such file or directory").
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch ns.code {
        case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        default: return ns.localizedDescription
        }
    }
}

/// Writes processed samples as CSV, `time_s,raw_g,filtered_g,in_band`, with
/// every number in its shortest exact form so a replay reads back the same
/// values. A two-hand session adds `left_g,right_g` (each hand, filtered) and
/// `left_raw_g,right_raw_g` (each hand after tare, before the filter: what a
/// replay scores); raw_g and filtered_g are then the hands' mean.
// @unchecked Sendable: a live session hands it to one serial export queue,
// and every call happens there (replay uses it from one thread).
final class SampleExporter: @unchecked Sendable {
    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []

    private let hands: Bool

    init(path: String, hands: Bool = false) throws {
        self.path = path
        self.hands = hands
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw UserError("\(path): cannot write the sample export (check the directory exists and is writable)")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 17)
        buffer.append(
            contentsOf: (hands
                ? "time_s,raw_g,filtered_g,in_band,left_g,right_g,left_raw_g,right_raw_g\n" : "time_s,raw_g,filtered_g,in_band\n").utf8)
    }

    func write(_ sample: ProcessedSample) {
        if hands, let split = sample.hands, let raw = sample.rawHands {
            buffer.append(
                contentsOf:
                    "\(sample.time),\(sample.raw),\(sample.filtered),\(sample.inBand ? 1 : 0),\(split.left),\(split.right),\(raw.left),\(raw.right)\n"
                    .utf8)
        } else {
            buffer.append(contentsOf: "\(sample.time),\(sample.raw),\(sample.filtered),\(sample.inBand ? 1 : 0)\n".utf8)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the file, and writes its metadata (`metadata`, the rate, the
    /// calibration state and the losses) as a JSON object beside it, at the
    /// CSV's path with `.json` appended: the CSV itself stays a header and rows.
    func close(metadata: [(String, JSONValue)]) throws {
        flush()
        do {
            try handle.synchronize()
            try handle.close()
            let sidecar = JSONValue.object([("format", .string("lighttouch-samples")), ("version", .int(1))] + metadata)
            try AtomicFile.write(Array((sidecar.serialized() + "\n").utf8), to: Self.sidecarPath(path))
        } catch {
            throw UserError("\(path): the sample export could not be completed (\(FileErrors.describe(error)))")
        }
    }

    /// Where a CSV's metadata is written: beside it, `.json` appended.
    static func sidecarPath(_ csv: String) -> String { csv + ".json" }
}
