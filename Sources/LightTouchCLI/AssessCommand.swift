import ArgumentParser
import Dispatch
import Foundation
import LightTouchDemoSensor
import LightTouchAssessment
import LightTouchCore
import LightTouchSession
import LightTouchStore
import LightTouchTerminal

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
            other key changes anything, except while a protocol with `estimate` asks for the student's \
            estimate of the trial just ended: then 1, 2, 3 (too light, on target, too heavy), digits and \
            Enter (grams, seconds) answer and x skips; with --plain or --json the answers are read from \
            stdin, one line a trial.

            At the end (or on q, Ctrl-C or SIGTERM) the terminal is given back and each criterion is printed, \
            pass or fail, with the reason, then the result and the grade. The session is recorded and the \
            grade is stored with the protocol's content hash. With --plain (or when stdout is not a terminal) \
            it prints a status line every 100 ms instead of the screen; with --json, JSON lines and the \
            results. A terminal that cannot move the cursor (TERM=dumb or unset) gets the status lines too, with \
            a note on stderr. The screen is drawn in ASCII when the locale is not UTF-8 (or with --ascii), and \
            without colour when NO_COLOR is set. `lighttouch protocols` lists the built-in protocols.
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

    @Flag(help: "Draw the examiner's screen in ASCII (the default when the locale is not UTF-8), for terminals without the Unicode glyphs.")
    var ascii = false

    @Option(help: ArgumentHelp("Give up after this many seconds. Default: the protocol's length plus 60 s.", valueName: "s"))
    var duration: Double?

    @OptionGroup var sensorOptions: SensorOptions

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    @OptionGroup(title: "Sound") var soundOptions: SoundOptions

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

    @OptionGroup(title: "Class") var classOptions: ClassOptions

    func run() throws {
        let display = TerminalScreen.choice(plain: plain || json, ascii: ascii, environment: ProcessInfo.processInfo.environment)
        if let reason = display.reason { printError(reason) }
        let fullScreen = display.style != nil
        let chosen = try Self.loadProtocol(self.protocol)
        let drill = chosen.drill
        let classEndpoint = try classOptions.resolve()
        // A two-hand protocol (`hands = 2`) plays the demo's two-handed student on a two-channel demo sensor.
        let connection = try openSensor(sensorOptions, demo: drill.balance != nil && sensorOptions.isDemo ? demo.playingTwoHands : demo)
        defer { connection.close() }
        let info = connection.info
        let conversion = try calibratedConversion(connection, sensorOptions, channels: drill.balance == nil ? 1 : 2)
        if drill.balance != nil { try HandsOptions.checkTwoHands(info: info, conversion: conversion) }
        let configuration = PipelineConfiguration(
            trial: drill.trials[0].options, sampleRate: Double(info.sampleRate), balance: drill.balance)
        let output = OutputBuffer()
        let stop = StopRequest()
        let recorder = try recording.startRecording(
            kind: .assessment, info: info, conversion: conversion, configuration: configuration, drill: drill,
            student: student, examiner: examiner, protocolName: chosen.name, protocolHash: chosen.contentHash,
            protocolText: chosen.text
        ) { stop.request() }
        defer { recorder.close() }
        let noReconnect = sensorOptions.noReconnect || sensorOptions.isDemo
        let session = try LiveSession.make(
            connection: connection, configuration: configuration, conversion: conversion, drill: drill, recorder: recorder,
            endings: .init(whenDrillCompletes: true, whenUnplugged: noReconnect),
            onEvent: fullScreen ? nil : output.noteConnection)
        stop.forward(to: session)
        let station = try classEndpoint.map { [student] endpoint in
            try ClassStation(endpoint: endpoint, store: recorder.store, sessionID: recorder.sessionID) {
                StatusLine.classLive(session.frame, kind: "assessment", student: student, title: chosen.name, holdGoal: configuration.trial)
            }
        }
        // Signals become a clean stop (and, full-screen, a restored terminal).
        // The handlers are in place before ncurses starts, so it leaves SIGINT and SIGTERM alone.
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { session.requestStop() }
        defer { signals.cancel() }
        let sound = LiveSound.start(soundOptions, session: session, assessment: true, fallback: configuration.trial)

        // A minute more for each estimate the student is asked for.
        let estimating = Double(drill.trials.filter(\.estimate.asksAnything).count) * 60
        let limit = duration
            ?? (drill.trials.reduce(0) { $0 + $1.lengthSeconds } + drill.restSeconds * Double(drill.trials.count) + 60 + estimating)
        if let style = display.style {
            let screen = ExaminerScreen(
                session: session, protocolName: chosen.name, grading: Self.grading(chosen), student: student, examiner: examiner,
                style: style)
            try UserError.onTerminal { try screen.run(limit: limit) }
        } else {
            let asJSON = json
            let estimates = EstimateInput.start(for: drill)
            try session.run(limit: limit, every: .milliseconds(100), on: DispatchQueue(label: "lighttouch.status")) {
                let frame = session.frame
                estimates?.tick(frame, session: session)
                output.line(asJSON ? StatusLine.assessmentJSON(frame) : StatusLine.assessment(frame))
                output.flush()
            }
        }

        try sound?.finish()
        let ending = session.finish()
        output.flush()
        let results = SessionResults(
            pipeline: ending.pipeline, summary: ending.summary, drill: ending.drill,
            assessment: Assessed(protocol: chosen, student: student, examiner: examiner))
        guard case .assessment(let report) = results else { throw UserError("the assessment ran without its drill") }
        if json {
            print(results.json(sound: ending.sound).serialized())
        } else {
            if !fullScreen { print("") }
            print(ConsoleText.forTerminal(results.table(sound: ending.sound)))
        }
        try recorder.complete(results: results.json(sound: ending.sound), summary: ending.summary)
        try RecordingOptions.checked { () throws(StoreError) in
            try recorder.store.addGrade(report.grade(sessionID: recorder.sessionID))
        }
        if !json { print("Recorded as session \(recorder.sessionID); the grade is in the gradebook (`lighttouch grades --student \(student)`).") }
        if let failure = station?.finish() { throw failure }
        if let unplugged = ending.unplugged, noReconnect {
            throw UserError.unavailable("the sensor went away (\(unplugged)); the assessment ended there")
        }
    }

    /// How the protocol's rubric grades, in a few words.
    static func grading(_ chosen: AssessmentProtocol) -> String {
        switch chosen.rubric.scope {
        case .eachTrial: "every trial graded"
        case .best(let n): "graded on the best \(n) of \(chosen.drill.trials.count)"
        }
    }
}
