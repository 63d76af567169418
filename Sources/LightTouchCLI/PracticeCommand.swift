import ArgumentParser
import Dispatch
import Foundation
import LightTouchAcquisition
import LightTouchCore
import Synchronization

struct PracticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "practice",
        abstract: "Practise a light hold with live feedback.",
        discussion: """
            With --plain (or when stdout is not a terminal) it prints one status line every 100 ms and the \
            session table at the end. With --json it prints one JSON object per status update and, as the \
            last line, the session's results: the same object `lighttouch replay --json` prints.
            """)

    @OptionGroup var sensorOptions: SensorOptions

    @Option(help: ArgumentHelp("Stop after this many seconds. Default: run until q or Ctrl-C.", valueName: "s"))
    var duration: Double?

    @Flag(help: "Plain text: one status line per 100 ms, no screen control.")
    var plain = false

    @Flag(help: "JSON lines: one per status update, then the results.")
    var json = false

    @Option(help: ArgumentHelp("Write every scored sample as `time_s,raw_g,filtered_g,in_band` to this CSV.", valueName: "out.csv"))
    var exportSamples: String?

    @OptionGroup(title: "Scoring") var scoring: ScoringOptions

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    func validate() throws {
        if let duration, !(duration.isFinite && duration > 0) {
            throw ValidationError("--duration must be a positive number of seconds (got \(duration))")
        }
    }

    func run() throws {
        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let info = connection.info
        let conversion = ForceConversion.nominal(info)
        let configuration = try scoring.configuration(sampleRate: Double(info.sampleRate))
        let export = try exportSamples.map { try ExportQueue(path: $0) }
        let output = OutputBuffer()
        var sink: (@Sendable ([ProcessedSample]) -> Void)?
        if let export {
            sink = { batch in export.write(batch) }
        }
        let onEvent: @Sendable (SensorEvent) -> Void = { event in
            switch event {
            case .disconnected(let reason): output.note("sensor disconnected: \(reason)")
            case .reconnected: output.note("sensor reconnected")
            case .stalled: output.note("sensor stalled")
            case .packet: break
            }
        }
        let made = Result { () throws(FilterConfigurationError) in
            try LivePipeline(
                connection: connection, configuration: configuration, conversion: conversion, sink: sink, onEvent: onEvent)
        }
        let pipeline: LivePipeline
        switch made {
        case .success(let live): pipeline = live
        case .failure(let error): throw UserError(error.description, exitCode: ExitCode(64))
        }

        let done = DispatchSemaphore(value: 0)
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { done.signal() }
        defer { signals.cancel() }
        let asJSON = json
        let options = configuration.trial
        let status = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "lighttouch.status"))
        status.schedule(deadline: .now() + 0.1, repeating: 0.1)
        status.setEventHandler { @Sendable in
            let snapshot = pipeline.snapshot
            output.line(asJSON ? Self.statusJSON(snapshot, options) : Self.statusLine(snapshot, options))
            output.flush()
        }
        let started = DispatchTime.now()
        try pipeline.start()
        status.resume()
        if let duration {
            _ = done.wait(timeout: started + duration)
        } else {
            done.wait()
        }
        status.cancel()
        let (scored, stream, rejected) = pipeline.finish()
        let summary = scored.summary(lostFrames: stream.lostFrames, rejectedSamples: rejected, calibrated: conversion.isCalibrated)
        try export?.close(metadata: [
            ("sample_rate_hz", "\(configuration.sampleRate)"), ("calibrated", "\(summary.calibrated)"),
            ("lost_frames", "\(summary.lostFrames)"), ("rejected_samples", "\(summary.rejectedSamples)"),
        ])
        output.flush()
        if json {
            print(scored.resultsJSON(summary: summary).serialized())
        } else {
            print("")
            print(ResultsTable.render(trials: scored.trials, summary: summary, options: configuration))
        }
    }

    static func statusLine(_ s: PipelineSnapshot, _ options: TrialOptions) -> String {
        var parts = [
            "t \(s.time.fixed(1)) s", "\(s.filtered.fixed(2)) g", s.verdict.rawValue,
            "hold \(s.currentHold.fixed(1))/\(options.holdGoal.fixed(0)) s",
        ]
        if let trial = s.trial {
            parts.append("trial \(trial.trial)")
            parts.append("in band \(trial.inBandPercent.fixed(0))%")
            if let cv = trial.cv { parts.append("CV \(cv.fixed(3))") }
        } else {
            parts.append(s.trialNumber == 0 ? "touch the sensor to start" : "rest")
        }
        if case .measuring = s.tare { parts.append("taring…") }
        if case .refused(let refusal, _) = s.tare { parts.append(refusal.description) }
        if !s.calibrated { parts.append("uncalibrated") }
        if s.lostFrames > 0 { parts.append("lost frames \(s.lostFrames)") }
        return parts.joined(separator: "  ")
    }

    static func statusJSON(_ s: PipelineSnapshot, _ options: TrialOptions) -> String {
        JSONValue.object([
            ("t_s", .double(TrialMetrics.rounded(s.time))),
            ("force_g", .double(TrialMetrics.rounded(s.filtered))),
            ("raw_g", .double(TrialMetrics.rounded(s.raw))),
            ("verdict", .string(s.verdict.rawValue)),
            ("hold_s", .double(TrialMetrics.rounded(s.currentHold))),
            ("trial", .int(s.trialNumber)),
            ("in_trial", .bool(s.trial != nil)),
            ("in_band_pct", .number(s.trial.map { TrialMetrics.rounded($0.inBandPercent) })),
            ("cv", .number(s.trial?.cv.map(TrialMetrics.rounded))),
            ("completed_trials", .int(s.completedTrials)),
            ("calibrated", .bool(s.calibrated)),
            ("lost_frames", .int(s.lostFrames)),
            ("connected", .bool(s.connected)),
        ]).serialized()
    }
}

/// Writes a live session's samples on its own queue, through a bounded
/// buffer: a slow disk costs export completeness (counted, reported), never
/// acquisition.
final class ExportQueue: Sendable {
    private let exporter: SampleExporter
    private let buffer = BoundedBuffer<[ProcessedSample]>(capacity: 4096)
    private let queue = DispatchQueue(label: "lighttouch.export")
    private let path: String

    init(path: String) throws {
        exporter = try SampleExporter(path: path)
        self.path = path
    }

    func write(_ batch: [ProcessedSample]) {
        if buffer.push(batch).wasEmpty {
            queue.async { [self] in
                for batch in buffer.drain() { for sample in batch { exporter.write(sample) } }
            }
        }
    }

    func close(metadata: [(String, String)]) throws {
        try queue.sync {
            for batch in buffer.drain() { for sample in batch { exporter.write(sample) } }
            try exporter.close(metadata: metadata)
        }
        if buffer.dropped > 0 {
            throw UserError("\(path): the disk could not keep up; \(buffer.dropped) batches of samples are missing from the export")
        }
    }
}
