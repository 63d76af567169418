import ArgumentParser
import Dispatch
import Foundation
import LightTouchAcquisition
import LightTouchAssessment
import LightTouchCore
import LightTouchStore
import LightTouchTrainer

struct AssessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Assess a student against a protocol, record it and grade it in the gradebook.",
        discussion: """
            The protocol's drill runs through the same practice machinery (headless: status lines, or JSON \
            with --json); each trial starts at the first touch (after the rest, for the next ones) and lasts its \
            length. The screen shows the examiner only what the protocol's feedback mode allows (blind: no \
            live force). At the end: each criterion, pass or fail, with the reason, and the grade. The \
            session is recorded and the grade is stored with the protocol's content hash. \
            `lighttouch protocols` lists the built-in protocols.
            """)

    @Option(help: ArgumentHelp("A built-in protocol (see `lighttouch protocols`) or a protocol file.", valueName: "name|file"))
    var `protocol`: String

    @Option(help: ArgumentHelp("The student assessed (a name or an id).", valueName: "id"))
    var student: String

    @Option(help: ArgumentHelp("Who examines.", valueName: "name"))
    var examiner: String?

    @Flag(help: "Plain text: a status line every 100 ms (the default; the full-screen trainer is not used for assessments yet).")
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
        let chosen = try Self.loadProtocol(self.protocol)
        let drill = chosen.drill
        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let info = connection.info
        let conversion = try calibratedConversion(connection, sensorOptions)
        let configuration = PipelineConfiguration(trial: drill.trials[0].options, sampleRate: Double(info.sampleRate))
        let output = OutputBuffer()
        let trainer = TrainerState(session: PracticeSession(drill: drill))
        let done = DispatchSemaphore(value: 0)
        let recorder = try recording.startRecording(
            kind: .assessment, info: info, conversion: conversion, configuration: configuration, drill: drill,
            student: student, examiner: examiner, protocolName: chosen.name, protocolHash: chosen.contentHash,
            protocolText: chosen.text
        ) { done.signal() }
        defer { recorder.close() }
        let noReconnect = sensorOptions.noReconnect || sensorOptions.isDemo
        let made = Result { () throws(FilterConfigurationError) in
            try LivePipeline(
                connection: connection, configuration: configuration, conversion: conversion,
                sink: { batch in if trainer.push(batch) { done.signal() } },
                onEvent: { event in
                    switch event {
                    case .disconnected(let reason):
                        trainer.noteUnplugged(reason)
                        output.note("sensor disconnected: \(reason)")
                        if noReconnect { done.signal() }
                    case .reconnected: output.note("sensor reconnected")
                    case .stalled: output.note("sensor stalled")
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
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { done.signal() }
        defer { signals.cancel() }

        let asJSON = json
        let status = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "lighttouch.status"))
        status.schedule(deadline: .now() + 0.1, repeating: 0.1)
        status.setEventHandler { @Sendable in
            let snapshot = pipeline.snapshot
            let session = trainer.session
            output.line(asJSON ? Self.statusJSON(snapshot, session) : Self.statusLine(snapshot, session))
            output.flush()
        }
        let limit = duration ?? (drill.trials.reduce(0) { $0 + $1.lengthSeconds } + drill.restSeconds * Double(drill.trials.count) + 60)
        let started = DispatchTime.now()
        try pipeline.start()
        status.resume()
        _ = done.wait(timeout: started + limit)
        status.cancel()

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
            print("")
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

    /// The examiner's status line: the force only when the protocol's feedback mode shows it.
    static func statusLine(_ s: PipelineSnapshot, _ session: PracticeSession) -> String {
        var parts = ["t \(s.time.fixed(1)) s"]
        let visible = session.visibility == .all
        if visible { parts.append("\(s.filtered.fixed(2)) g") }
        switch session.phase {
        case .ready: parts.append("touch the sensor to start trial 1 of \(session.drill.trials.count)")
        case .running(let index):
            parts.append("trial \(index + 1) of \(session.drill.trials.count), \(session.elapsed.fixed(1)) s")
            parts.append(visible ? "feedback \(session.currentMode.rawValue)" : "\(session.currentMode.rawValue): no live force")
        case .resting(let next, let until): parts.append("rest: trial \(next + 1) in \(max(0, until - session.time).fixed(0)) s")
        case .complete: parts.append("protocol complete")
        }
        return (parts + s.statusWarnings).joined(separator: "  ")
    }

    static func statusJSON(_ s: PipelineSnapshot, _ session: PracticeSession) -> String {
        let visible = session.visibility == .all
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
