import ArgumentParser
import Dispatch
import Foundation
import LightTouchAcquisition
import LightTouchCore
import LightTouchStore
import LightTouchTerminal
import LightTouchTrainer
import Synchronization

struct PracticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "practice",
        abstract: "Practise a light hold with live feedback.",
        discussion: """
            On a terminal it runs a drill full-screen (the default drill is first-touch; `lighttouch drills` \
            lists them): a gauge with the target band, the force in large digits, the verdict, the hold \
            against its goal and a plot of the last 20 s. Keys: space starts or ends a trial, t tares, \
            f cycles the feedback mode, p peeks (self mode), + and - move the target, q quits with the \
            session table; on the demo sensor the arrow keys press harder (up, right) or lighter (down, left).

            With --plain (or when stdout is not a terminal) it prints one status line every 100 ms and the \
            session table at the end. With --json it prints one JSON object per status update and, as the \
            last line, the session's results: without --drill, the same object `lighttouch replay --json` \
            prints (trials found by touch and release); with --drill, the drill's trials, each with its \
            `feedback` mode and `peeks`.
            """)

    @OptionGroup var sensorOptions: SensorOptions

    @Option(help: ArgumentHelp("A built-in drill (see `lighttouch drills`) or a drill file (TOML).", valueName: "name|file"))
    var drill: String?

    @Option(help: ArgumentHelp("Trials in the drill (repeats or cuts its pattern).", valueName: "n"))
    var trials: Int?

    @Option(help: ArgumentHelp("Feedback mode for every trial: \(FeedbackMode.allowedNames).", valueName: "mode"))
    var feedback: String?

    @Flag(help: "Ring the terminal bell when the force leaves the band and when a hold goal is met.")
    var bell = false

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

    @OptionGroup(title: "Recording") var recording: PracticeRecordingOptions

    func validate() throws {
        if let duration, !(duration.isFinite && duration > 0) {
            throw ValidationError("--duration must be a positive number of seconds (got \(duration))")
        }
        if let trials, !(1...100).contains(trials) {
            throw ValidationError("--trials must be 1 to 100 (got \(trials))")
        }
        if let feedback, FeedbackMode(rawValue: feedback) == nil {
            throw ValidationError("unknown feedback mode `\(feedback)`; choose one of \(FeedbackMode.allowedNames)")
        }
        if plain && json { throw ValidationError("--plain and --json cannot be used together") }
    }

    /// The drill to run, with the command line's settings applied; nil for a
    /// headless run without --drill (trials found by touch and release).
    func resolveDrill(fullScreen: Bool) throws -> Drill? {
        guard fullScreen || drill != nil || trials != nil || feedback != nil else { return nil }
        var chosen = Drill.default
        if let name = drill {
            if let builtIn = Drill.builtIn(named: name) {
                chosen = builtIn
            } else if FileManager.default.fileExists(atPath: name) {
                let text: String
                do {
                    text = try String(contentsOfFile: name, encoding: .utf8)
                } catch {
                    throw UserError.data("\(name): cannot read the drill file (\(FileErrors.describe(error)))")
                }
                let parsed = Result { () throws(DrillFile.ParseError) in try DrillFile.parse(text, file: name) }
                switch parsed {
                case .success(let drill): chosen = drill
                case .failure(let error): throw UserError.data(error.description)
                }
            } else {
                throw UserError(
                    "no drill `\(name)`: not a built-in drill (\(Drill.builtIn.map(\.name).joined(separator: ", "))) nor a drill file",
                    exitCode: ExitCode(64))
            }
        }
        chosen = chosen.overriding(
            target: scoring.target, tolerance: scoring.tolerance, holdGoal: scoring.hold, trialCount: trials,
            feedback: feedback.flatMap(FeedbackMode.init(rawValue:)))
        let defaults = scoring.trialOptions
        for index in chosen.trials.indices {
            chosen.trials[index].options.contact = defaults.contact
            chosen.trials[index].options.release = defaults.release
            chosen.trials[index].options.grace = defaults.grace
        }
        do {
            try chosen.validate()
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
        return chosen
    }

    func run() throws {
        let fullScreen = !plain && !json && TerminalScreen.isInteractive
        let drill = try resolveDrill(fullScreen: fullScreen)
        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let info = connection.info
        let conversion = try calibratedConversion(connection, sensorOptions)
        var configuration = try scoring.configuration(sampleRate: Double(info.sampleRate))
        if let first = drill?.trials.first { configuration.trial = first.options }
        let export = try exportSamples.map { try ExportQueue(path: $0) }
        let output = OutputBuffer()
        let done = DispatchSemaphore(value: 0)
        let recorder = try recording.startRecording(
            kind: .practice, info: info, conversion: conversion, configuration: configuration, drill: drill) { done.signal() }
        defer { recorder.close() }
        // Keys change what is scored (a trial started or ended, the target moved), so each is recorded for replay.
        let trainer = drill.map { TrainerState(session: PracticeSession(drill: $0), recorder: recorder) }
        var sink: (@Sendable ([ProcessedSample]) -> Void)?
        if export != nil || trainer != nil {
            sink = { @Sendable (batch: [ProcessedSample]) -> Void in
                export?.write(batch)
                if let trainer, trainer.push(batch), !fullScreen { done.signal() }
            }
        }
        let noReconnect = sensorOptions.noReconnect || sensorOptions.isDemo
        let onEvent: @Sendable (SensorEvent) -> Void = { event in
            switch event {
            case .disconnected(let reason):
                trainer?.noteUnplugged(reason)
                if !fullScreen { output.note("sensor disconnected: \(reason)") }
                if trainer != nil, noReconnect { done.signal() }
            case .reconnected:
                if !fullScreen { output.note("sensor reconnected") }
            case .stalled:
                if !fullScreen { output.note("sensor stalled") }
            case .packet: break
            }
        }
        let made = Result { () throws(FilterConfigurationError) in
            try LivePipeline(
                connection: connection, configuration: configuration, conversion: conversion, sink: sink, onEvent: onEvent,
                recorder: recorder.record)
        }
        let pipeline: LivePipeline
        switch made {
        case .success(let live): pipeline = live
        case .failure(let error): throw UserError(error.description, exitCode: ExitCode(64))
        }

        // Signals become a clean stop (and, full-screen, a restored terminal).
        // The handlers are in place before ncurses starts, so it leaves SIGINT and SIGTERM alone.
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { done.signal() }
        defer { signals.cancel() }

        if fullScreen, let trainer {
            try runFullScreen(pipeline: pipeline, trainer: trainer, connection: connection, done: done)
        } else {
            try runHeadless(pipeline: pipeline, trainer: trainer, output: output, done: done)
        }

        let (scored, stream, rejected) = pipeline.finish()
        let summary = scored.summary(lostFrames: stream.lostFrames, rejectedSamples: rejected, calibrated: conversion.isCalibrated)
        try export?.close(metadata: [
            ("sample_rate_hz", "\(configuration.sampleRate)"), ("calibrated", "\(summary.calibrated)"),
            ("lost_frames", "\(summary.lostFrames)"), ("rejected_samples", "\(summary.rejectedSamples)"),
        ])
        output.flush()
        if let trainer {
            let report = trainer.finish(
                samples: summary.samples, lostFrames: summary.lostFrames, rejectedSamples: summary.rejectedSamples,
                calibrated: summary.calibrated, options: configuration.jsonMembers)
            if json {
                print(report.json.serialized())
            } else {
                if !fullScreen { print("") }
                print(report.table)
            }
            try recorder.complete(results: report.json, summary: summary)
            if let unplugged = trainer.unplugged, noReconnect {
                throw UserError.unavailable("the sensor went away (\(unplugged)); the session ended there")
            }
        } else if json {
            print(scored.resultsJSON(summary: summary).serialized())
        } else {
            print("")
            print(ResultsTable.render(trials: scored.trials, summary: summary, options: configuration))
        }
        if trainer == nil { try recorder.complete(results: scored.resultsJSON(summary: summary), summary: summary) }
    }

    /// --plain, --json, or stdout not a terminal: status lines every 100 ms.
    private func runHeadless(pipeline: LivePipeline, trainer: TrainerState?, output: OutputBuffer, done: DispatchSemaphore) throws {
        let asJSON = json
        let options = pipeline.configuration.trial
        let status = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "lighttouch.status"))
        status.schedule(deadline: .now() + 0.1, repeating: 0.1)
        status.setEventHandler { @Sendable in
            let snapshot = pipeline.snapshot
            if asJSON {
                output.line(Self.statusJSON(snapshot, options))
            } else if let trainer {
                for line in trainer.takeFinishedLines() { output.line(line) }
                output.line(Self.statusLine(snapshot, trainer.session))
            } else {
                output.line(Self.statusLine(snapshot, options))
            }
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
        if let trainer, !asJSON {
            _ = trainer.endTrial()
            for line in trainer.takeFinishedLines() { output.line(line) }
        }
    }

    /// The full-screen trainer: one queue owns ncurses; it reads the keys and
    /// redraws from the latest pipeline state at 20 Hz.
    private func runFullScreen(
        pipeline: LivePipeline, trainer: TrainerState, connection: any SensorConnection, done: DispatchSemaphore
    ) throws {
        let screen = try TerminalScreen.started()
        let ui = screen.queue
        defer { ui.sync { screen.stop() } }
        let demoSensor = connection as? DemoSensor
        let serial = connection.info.serial
        let ringBell = bell
        let lastBell = Mutex<UInt64>(0)
        let frame = DispatchSource.makeTimerSource(queue: ui)
        frame.schedule(deadline: .now(), repeating: .milliseconds(50), leeway: .milliseconds(5))
        // What the display itself costs: CPU time spent in this handler (for docs/trainer.md).
        let frameCost = Mutex<(frames: Int, nanos: UInt64)>((0, 0))
        frame.setEventHandler { @Sendable in
            let cpuAtStart = Self.threadCPUNanos()
            defer {
                let spent = Self.threadCPUNanos() &- cpuAtStart
                frameCost.withLock { $0 = ($0.frames + 1, $0.nanos &+ spent) }
            }
            for key in screen.readKeys() {
                switch key {
                case .character("q"), .character("Q"): done.signal()
                case .character(" "): trainer.handle(.space)
                case .character("t"), .character("T"): trainer.tare(pipeline)
                case .character("f"), .character("F"): trainer.handle(.cycleFeedback)
                case .character("p"), .character("P"): trainer.handle(.peek)
                case .character("+"), .character("="): trainer.handle(.targetUp)
                case .character("-"), .character("_"): trainer.handle(.targetDown)
                case .up: demoSensor?.nudge(grams: 0.5)
                case .down: demoSensor?.nudge(grams: -0.5)
                case .right: demoSensor?.nudge(grams: 0.1)
                case .left: demoSensor?.nudge(grams: -0.1)
                default: break
                }
            }
            if trainer.takeBell(), ringBell {
                let now = DispatchTime.now().uptimeNanoseconds
                if lastBell.withLock({ last in
                    defer { if now - last > 1_000_000_000 { last = now } }
                    return now - last > 1_000_000_000
                }) {
                    screen.bell()
                }
            }
            let view = TrainerView(
                snapshot: pipeline.snapshot, session: trainer.session, history: pipeline.history(), sensor: serial,
                isDemo: demoSensor != nil, bell: ringBell)
            let size = screen.size
            screen.draw(TrainerLayout.render(view, rows: size.rows, columns: size.columns))
        }
        let started = DispatchTime.now()
        try pipeline.start()
        frame.resume()
        if let duration {
            _ = done.wait(timeout: started + duration)
        } else {
            done.wait()
        }
        frame.cancel()
        ui.sync { screen.stop() }
        if ProcessInfo.processInfo.environment["LIGHTTOUCH_DISPLAY_STATS"] != nil {
            let (frames, nanos) = frameCost.withLock { $0 }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            printError(
                "display: \(frames) frames in \(seconds.fixed(1)) s, \((Double(nanos) / 1e6).fixed(1)) ms of CPU "
                    + "(\((Double(nanos) / 1e3 / Double(max(frames, 1))).fixed(0)) µs a frame, "
                    + "\((100 * Double(nanos) / 1e9 / seconds).fixed(2)) % of one core)")
        }
    }

    /// CPU time of the calling thread, nanoseconds.
    static func threadCPUNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// A headless drill's status line: the force, verdict and hold only as
    /// the feedback mode shows them (blind: none of them, as on the screen).
    static func statusLine(_ s: PipelineSnapshot, _ session: PracticeSession) -> String {
        let options = session.currentOptions
        var parts = ["t \(s.time.fixed(1)) s"]
        switch session.visibility {
        case .all:
            parts += [
                "\(s.filtered.fixed(2)) g", Verdict(force: s.filtered, options: options).rawValue,
                "hold \(session.currentHold.fixed(1))/\(options.holdGoal.fixed(0)) s",
            ]
        case .calmOnTarget: parts.append("on target")
        case .hidden: parts.append("feedback off")
        }
        switch session.phase {
        case .ready(let next): parts.append("touch the sensor to start trial \(next + 1) of \(session.drill.trials.count)")
        case .running(let index):
            parts.append("trial \(index + 1) of \(session.drill.trials.count)")
            if session.visibility == .all, let trial = session.currentTrial { parts.append("in band \(trial.inBandPercent.fixed(0))%") }
            parts.append("feedback \(session.currentMode.rawValue)")
        case .resting(let next, let until): parts.append("rest: trial \(next + 1) in \(max(0, until - session.time).fixed(0)) s")
        case .complete: parts.append("drill complete")
        }
        return (parts + s.statusWarnings(hidingForce: session.visibility != .all)).joined(separator: "  ")
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
        return (parts + s.statusWarnings()).joined(separator: "  ")
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

/// The practice session shared by the pipeline queue (samples), the screen
/// queue (keys, drawing) and the main thread (the end).
final class TrainerState: Sendable {
    private struct State {
        var session: PracticeSession
        var bell = false
        var finishedLines: [String] = []
        var unplugged: String?
    }

    private let state: Mutex<State>
    private let recorder: SessionRecorder?

    /// - Parameter recorder: where the session's keys and what they did go,
    ///   under the session's lock, so they are recorded in the order the
    ///   session saw them: every key with the time of the newest sample it
    ///   had seen (`-1` before the first), which is what a replay needs
    ///   (`SessionRecorder.noteKey`); then, for people and exports, each
    ///   feedback mode change, peek, and the drill's trial starts and ends.
    init(session: PracticeSession, recorder: SessionRecorder? = nil) {
        state = Mutex(State(session: session))
        self.recorder = recorder
    }

    var session: PracticeSession { state.withLock { $0.session } }
    var unplugged: String? { state.withLock { $0.unplugged } }

    /// Feeds a batch of the pipeline's samples; true when the drill just completed.
    func push(_ batch: [ProcessedSample]) -> Bool {
        state.withLock { state in
            let events = state.session.push(batch.lazy.map { (time: $0.time, force: $0.filtered) })
            return record(events, &state)
        }
    }

    func handle(_ key: PracticeSession.Key) {
        state.withLock { state in
            let time = state.session.hasSamples ? state.session.time : -1
            let (mode, peeks) = (state.session.chosenMode, state.session.currentPeeks)
            recorder?.noteKey(key.recordedName, time: time)
            _ = record(state.session.handle(key), &state)
            if let chosen = state.session.chosenMode, chosen != mode {
                recorder?.note(.feedback, time: time, trial: state.session.trialIndex.map { $0 + 1 }, detail: chosen.rawValue)
            }
            if state.session.currentPeeks > peeks {
                recorder?.note(.peek, time: time, trial: state.session.trialIndex.map { $0 + 1 }, value: Double(state.session.currentPeeks))
            }
        }
    }

    /// Ends a trial in progress (the session is stopping).
    func endTrial() -> Bool {
        state.withLock { state in record(state.session.finish(), &state) }
    }

    /// `t`: a tare, between trials only. During one it would take the
    /// student's press for the zero (an uncalibrated sensor accepts up to
    /// 25 g as zero) and spoil the trial.
    func tare(_ pipeline: LivePipeline) {
        let allowed = state.withLock { state in
            if state.session.isRunning { state.session.say("no tare while a trial runs: press t between trials", for: 3) }
            return !state.session.isRunning
        }
        if allowed { pipeline.requestTare() }
    }

    func say(_ text: String, for seconds: Double) {
        state.withLock { $0.session.say(text, for: seconds) }
    }

    func noteUnplugged(_ reason: String) {
        state.withLock { $0.unplugged = reason }
    }

    /// Whether something rang the bell since the last call.
    func takeBell() -> Bool {
        state.withLock { state in
            defer { state.bell = false }
            return state.bell
        }
    }

    /// One line per trial finished since the last call (for --plain).
    func takeFinishedLines() -> [String] {
        state.withLock { state in
            defer { state.finishedLines.removeAll() }
            return state.finishedLines
        }
    }

    /// Ends the session and reports it.
    func finish(
        samples: Int, lostFrames: Int, rejectedSamples: Int, calibrated: Bool, options: [(String, JSONValue)]
    ) -> SessionReport {
        state.withLock { state in
            _ = record(state.session.finish(), &state)
            return SessionReport(
                drill: state.session.drill, results: state.session.results, samples: samples, lostFrames: lostFrames,
                rejectedSamples: rejectedSamples, calibrated: calibrated, options: options)
        }
    }

    private func record(_ events: [PracticeSession.Event], _ state: inout State) -> Bool {
        var complete = false
        for event in events {
            switch event {
            case .leftBand, .holdGoalMet: state.bell = true
            case .trialEnded(let result):
                let m = result.metrics
                state.finishedLines.append(
                    "trial \(m.trial) done: score \(m.score.fixed(1)), best hold \(m.longestHoldSeconds.fixed(1)) s, "
                        + "in band \(m.inBandPercent.fixed(0))%, feedback \(result.feedback)")
            case .drillComplete: complete = true
            case .trialStarted: break
            }
            switch event {
            case .trialStarted(let number):
                recorder?.note(.drillTrialStarted, time: state.session.time, trial: number)
            case .trialEnded(let result):
                recorder?.note(.drillTrialEnded, time: state.session.time, trial: result.metrics.trial, value: result.metrics.score)
            default: break
            }
        }
        return complete
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

extension TerminalScreen {
    /// The screen on a queue of its own, started (the caller stops it on that queue);
    /// the user's one-line error when the terminal cannot be used.
    static func started() throws -> TerminalScreen {
        let screen = TerminalScreen(queue: DispatchQueue(label: "lighttouch.screen", qos: .userInteractive))
        do {
            try screen.startFromOutside()
        } catch {
            throw UserError(error.description)
        }
        return screen
    }
}

extension PipelineSnapshot {
    /// What every plain status line ends with: the tare, the calibration and
    /// losses; a refused tare without its grams when the force is hidden.
    func statusWarnings(hidingForce: Bool = false) -> [String] {
        var parts: [String] = []
        if taring {
            parts.append("taring…")
        } else if case .refused(let refusal, _) = tare {
            parts.append(hidingForce ? refusal.descriptionWithoutForce : refusal.description)
        }
        if !calibrated { parts.append("uncalibrated") }
        if calibrationExpired { parts.append("calibration EXPIRED") }
        if lostFrames > 0 { parts.append("lost frames \(lostFrames)") }
        return parts
    }
}
