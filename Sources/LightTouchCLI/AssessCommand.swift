import ArgumentParser
import Dispatch
import Foundation
import LightTouchAcquisition
import LightTouchAssessment
import LightTouchCore
import LightTouchStore
import LightTouchTerminal
import LightTouchTrainer

struct AssessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Assess a student against a protocol, record it and grade it in the gradebook.",
        discussion: """
            The protocol's drill runs through the same practice machinery; each trial starts at the first \
            touch (after the rest, for the next ones) and lasts its length. On a terminal the examiner's \
            screen shows the student, the examiner, the sensor and its calibration, the protocol's rules, the \
            phase (waiting for the touch, the trial running with its time, the rest, complete) and which \
            trials are recorded; the live force only as far as the protocol's feedback mode allows (blind: \
            none at all, during trials and between them), and no trial's results until the end. Keys: t \
            tares before a trial or between trials (never under the student's hand), q ends the assessment \
            (a trial in progress is kept and graded). The protocol fixes the feedback and the target, so no \
            other key changes anything.

            At the end (or on q, Ctrl-C or SIGTERM) the terminal is given back and each criterion is printed, \
            pass or fail, with the reason, then the result and the grade. The session is recorded and the \
            grade is stored with the protocol's content hash. With --plain (or when stdout is not a terminal) \
            it prints a status line every 100 ms instead of the screen; with --json, JSON lines and the \
            results. `lighttouch protocols` lists the built-in protocols.
            """)

    @Option(help: ArgumentHelp("A built-in protocol (see `lighttouch protocols`) or a protocol file.", valueName: "name|file"))
    var `protocol`: String

    @Option(help: ArgumentHelp("The student assessed (a name or an id).", valueName: "id"))
    var student: String

    @Option(help: ArgumentHelp("Who examines.", valueName: "name"))
    var examiner: String?

    @Flag(help: "Plain text: a status line every 100 ms instead of the examiner's screen (the default when stdout is not a terminal).")
    var plain = false

    @Flag(help: "JSON lines: one per status update, then the results.")
    var json = false

    @Option(help: ArgumentHelp("Give up after this many seconds. Default: the protocol's length plus 60 s.", valueName: "s"))
    var duration: Double?

    @OptionGroup var sensorOptions: SensorOptions

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    @OptionGroup(title: "Recording") var recording: RecordingOptions

    func validate() throws {
        if plain && json { throw ValidationError("--plain and --json cannot be used together") }
        if student.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--student must name the student") }
        if let duration, !(duration.isFinite && duration > 0) {
            throw ValidationError("--duration must be a positive number of seconds (got \(duration))")
        }
    }

    /// A built-in protocol by name, or a protocol file; refused, naming the key, before anything starts.
    static func loadProtocol(_ name: String) throws -> AssessmentProtocol {
        if let builtIn = AssessmentProtocol.builtIn(named: name) { return builtIn }
        guard FileManager.default.fileExists(atPath: name) else {
            throw UserError(
                "no protocol `\(name)`: not a built-in protocol (\(AssessmentProtocol.builtIn.map(\.name).joined(separator: ", "))) nor a protocol file",
                exitCode: ExitCode(64))
        }
        let text: String
        do {
            text = try String(contentsOfFile: name, encoding: .utf8)
        } catch {
            throw UserError.data("\(name): cannot read the protocol file (\(FileErrors.describe(error)))")
        }
        do {
            return try ProtocolFile.parse(text, file: name)
        } catch {
            throw UserError.data(error.description)
        }
    }

    func run() throws {
        let fullScreen = !plain && !json && TerminalScreen.isInteractive
        let chosen = try Self.loadProtocol(self.protocol)
        let drill = chosen.drill
        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let info = connection.info
        let conversion = try calibratedConversion(connection, sensorOptions)
        let configuration = PipelineConfiguration(trial: drill.trials[0].options, sampleRate: Double(info.sampleRate))
        let output = OutputBuffer()
        let done = DispatchSemaphore(value: 0)
        let recorder = try recording.startRecording(
            kind: .assessment, info: info, conversion: conversion, configuration: configuration, drill: drill,
            student: student, examiner: examiner, protocolName: chosen.name, protocolHash: chosen.contentHash,
            protocolText: chosen.text
        ) { done.signal() }
        defer { recorder.close() }
        let trainer = TrainerState(session: PracticeSession(drill: drill), recorder: recorder)
        let noReconnect = sensorOptions.noReconnect || sensorOptions.isDemo
        let made = Result { () throws(FilterConfigurationError) in
            try LivePipeline(
                connection: connection, configuration: configuration, conversion: conversion,
                sink: { batch in if trainer.push(batch) { done.signal() } },
                onEvent: { event in
                    switch event {
                    // While the screen is up it shows these itself; stderr would scribble on it.
                    case .disconnected(let reason):
                        trainer.noteUnplugged(reason)
                        if !fullScreen { output.note("sensor disconnected: \(reason)") }
                        if noReconnect { done.signal() }
                    case .reconnected: if !fullScreen { output.note("sensor reconnected") }
                    case .stalled: if !fullScreen { output.note("sensor stalled") }
                    case .packet: break
                    }
                },
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

        let limit = duration ?? (drill.trials.reduce(0) { $0 + $1.lengthSeconds } + drill.restSeconds * Double(drill.trials.count) + 60)
        if fullScreen {
            try runFullScreen(
                protocol: chosen, pipeline: pipeline, trainer: trainer, sensor: info.serial, done: done, limit: limit)
        } else {
            try runHeadless(pipeline: pipeline, trainer: trainer, output: output, done: done, limit: limit)
        }

        let (scored, stream, rejected) = pipeline.finish()
        let summary = scored.summary(lostFrames: stream.lostFrames, rejectedSamples: rejected, calibrated: conversion.isCalibrated)
        _ = trainer.endTrial()
        output.flush()
        let results = trainer.session.results
        let report = AssessmentReport(
            protocol: chosen, student: student, examiner: examiner, results: results, summary: summary, configuration: configuration)
        if json {
            print(report.json.serialized())
        } else {
            if !fullScreen { print("") }
            print(report.table)
        }
        try recorder.complete(results: report.json, summary: summary)
        try RecordingOptions.checked { () throws(StoreError) in
            try recorder.store.addGrade(report.grade(sessionID: recorder.sessionID))
        }
        if !json { print("Recorded as session \(recorder.sessionID); the grade is in the gradebook (`lighttouch grades --student \(student)`).") }
        if let unplugged = trainer.unplugged, noReconnect {
            throw UserError.unavailable("the sensor went away (\(unplugged)); the assessment ended there")
        }
    }

    /// --plain, --json, or stdout not a terminal: status lines every 100 ms.
    private func runHeadless(
        pipeline: LivePipeline, trainer: TrainerState, output: OutputBuffer, done: DispatchSemaphore, limit: Double
    ) throws {
        let asJSON = json
        let status = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "lighttouch.status"))
        status.schedule(deadline: .now() + 0.1, repeating: 0.1)
        status.setEventHandler { @Sendable in
            let snapshot = pipeline.snapshot
            let session = trainer.session
            output.line(asJSON ? Self.statusJSON(snapshot, session) : Self.statusLine(snapshot, session))
            output.flush()
        }
        let started = DispatchTime.now()
        try pipeline.start()
        status.resume()
        _ = done.wait(timeout: started + limit)
        status.cancel()
    }

    /// The examiner's screen: one queue owns ncurses; it reads the keys and
    /// redraws from the latest pipeline state at 20 Hz. It ends when the
    /// protocol completes, on q, on a signal or at `limit`, and gives the
    /// terminal back before the results are printed.
    private func runFullScreen(
        protocol chosen: AssessmentProtocol, pipeline: LivePipeline, trainer: TrainerState, sensor: String,
        done: DispatchSemaphore, limit: Double
    ) throws {
        let screen = try TerminalScreen.started()
        let ui = screen.queue
        defer { ui.sync { screen.stop() } }
        let name = chosen.name
        let grading = Self.grading(chosen)
        let student = student
        let examiner = examiner
        let frame = DispatchSource.makeTimerSource(queue: ui)
        frame.schedule(deadline: .now(), repeating: .milliseconds(50), leeway: .milliseconds(5))
        frame.setEventHandler { @Sendable in
            for key in screen.readKeys() {
                switch key {
                case .character("q"), .character("Q"): done.signal()
                case .character("t"), .character("T"): trainer.tare(pipeline)
                default: break  // the protocol fixes the feedback and the target
                }
            }
            let view = ExaminerView(
                snapshot: pipeline.snapshot, session: trainer.session, protocolName: name, grading: grading, student: student,
                examiner: examiner, sensor: sensor)
            let size = screen.size
            screen.draw(ExaminerLayout.render(view, rows: size.rows, columns: size.columns))
        }
        let started = DispatchTime.now()
        try pipeline.start()
        frame.resume()
        _ = done.wait(timeout: started + limit)
        frame.cancel()
        ui.sync { screen.stop() }
    }

    /// How the protocol's rubric grades, in a few words.
    static func grading(_ chosen: AssessmentProtocol) -> String {
        switch chosen.rubric.scope {
        case .eachTrial: "every trial graded"
        case .best(let n): "graded on the best \(n) of \(chosen.drill.trials.count)"
        }
    }

    /// The examiner's status line: the force only when the protocol's feedback
    /// mode shows it (as on the screen: `ExaminerView.liveFeedback`).
    static func statusLine(_ s: PipelineSnapshot, _ session: PracticeSession) -> String {
        var parts = ["t \(s.time.fixed(1)) s"]
        let visible = ExaminerView.liveFeedback(session) == .shown
        if visible { parts.append("\(s.filtered.fixed(2)) g") }
        switch session.phase {
        case .ready: parts.append("touch the sensor to start trial 1 of \(session.drill.trials.count)")
        case .running(let index):
            parts.append("trial \(index + 1) of \(session.drill.trials.count), \(session.elapsed.fixed(1)) s")
            parts.append(visible ? "feedback \(session.currentMode.rawValue)" : "\(session.currentMode.rawValue): no live force")
        case .resting(let next, let until): parts.append("rest: trial \(next + 1) in \(max(0, until - session.time).fixed(0)) s")
        case .complete: parts.append("protocol complete")
        }
        return (parts + s.statusWarnings(hidingForce: !visible)).joined(separator: "  ")
    }

    static func statusJSON(_ s: PipelineSnapshot, _ session: PracticeSession) -> String {
        let visible = ExaminerView.liveFeedback(session) == .shown
        let phase: String
        var trial: Int?
        switch session.phase {
        case .ready: phase = "ready"
        case .running(let index):
            phase = "trial"
            trial = index + 1
        case .resting: phase = "rest"
        case .complete: phase = "complete"
        }
        return JSONValue.object([
            ("t_s", .double(TrialMetrics.rounded(s.time))),
            ("phase", .string(phase)),
            ("trial", trial.map(JSONValue.int) ?? .null),
            ("elapsed_s", .double(TrialMetrics.rounded(session.elapsed))),
            ("feedback", .string(session.currentMode.rawValue)),
            ("force_g", visible ? .double(TrialMetrics.rounded(s.filtered)) : .null),
            ("calibrated", .bool(s.calibrated)),
            ("lost_frames", .int(s.lostFrames)),
            ("connected", .bool(s.connected)),
        ]).serialized()
    }
}

/// An assessment's results: the trials, the session, the grade with each
/// criterion, and the options. The same for the live run and its replay.
struct AssessmentReport {
    var `protocol`: AssessmentProtocol
    var student: String
    var examiner: String?
    var results: [TrialResult]
    var summary: SessionSummary
    var configuration: PipelineConfiguration

    var assessment: Assessment {
        `protocol`.rubric.evaluate(results.map(\.metrics), expectedTrials: `protocol`.drill.trials.count)
    }

    /// `{"protocol": …, "protocol_hash": …, "student": …, "examiner": …, "trials": […],
    /// "session": {…}, "assessment": {"score", "passed", "grade", "criteria": […]}, "options": {…}}`.
    var json: JSONValue {
        .object([
            ("protocol", .string(`protocol`.name)), ("protocol_hash", .string(`protocol`.contentHash)),
            ("student", .string(student)), ("examiner", examiner.map(JSONValue.string) ?? .null),
            ("trials", .array(results.map(\.json))),
            ("session", session),
            ("assessment", assessment.json),
            ("options", .object(configuration.jsonMembers)),
        ])
    }

    /// The session's totals over the protocol's trials (as a drill session reports them).
    var drillReport: SessionReport {
        SessionReport(
            drill: `protocol`.drill, results: results, samples: summary.samples, lostFrames: summary.lostFrames,
            rejectedSamples: summary.rejectedSamples, calibrated: summary.calibrated)
    }

    var session: JSONValue {
        guard case .object(let members) = drillReport.json, let session = members.first(where: { $0.0 == "session" }) else {
            return summary.json
        }
        return session.1
    }

    var table: String {
        let grade = assessment
        var lines = ["Assessment \(`protocol`.name) of \(student)\(examiner.map { " by \($0)" } ?? "")\(summary.calibrated ? "" : " (uncalibrated)")", ""]
        let header = ["trial", "feedback", "to target s", "in band %", "best hold s", "mean g", "CV", "overshoot g", "score"]
        var rows = [header]
        for result in results {
            let t = result.metrics
            rows.append([
                "\(t.trial)", result.feedback, t.timeToTargetSeconds.map { $0.fixed(2) } ?? "—", t.inBandPercent.fixed(0),
                t.longestHoldSeconds.fixed(1), t.meanGrams.map { $0.fixed(2) } ?? "—", t.cv.map { $0.fixed(3) } ?? "—",
                t.overshootGrams.fixed(2), t.score.fixed(1),
            ])
        }
        lines.append(results.isEmpty ? "No trials were completed." : TextTable.render(rows, rightAligned: Set(0..<header.count).subtracting([1])))
        lines.append("")
        lines.append("Criteria (\(`protocol`.rubric.scope == .eachTrial ? "every trial" : "the \(`protocol`.rubric.scope)")):")
        for criterion in grade.criteria {
            lines.append("  \(criterion.passed ? "pass" : "FAIL")  \(criterion.criterion)  — \(criterion.reason)")
        }
        lines.append("")
        lines.append("Result: \(grade.passed ? "PASS" : "FAIL"), score \(grade.score.fixed(1)), grade \(grade.grade)")
        return lines.joined(separator: "\n")
    }

    func grade(sessionID: Int64) -> GradeRecord {
        let grade = assessment
        return GradeRecord(
            sessionID: sessionID, student: student, examiner: examiner, protocolName: `protocol`.name,
            protocolHash: `protocol`.contentHash, score: grade.score, passed: grade.passed, grade: grade.grade,
            criteria: grade.criteria.map {
                GradeRecord.Criterion(
                    metric: $0.criterion.metric.rawValue, comparison: $0.criterion.comparison.rawValue, threshold: $0.criterion.threshold,
                    value: $0.value.map(TrialMetrics.rounded), passed: $0.passed)
            })
    }
}
