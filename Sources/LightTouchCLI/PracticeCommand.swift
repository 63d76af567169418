import ArgumentParser
import Dispatch
import Foundation
import LightTouchDemoSensor
import LightTouchCore
import LightTouchStore
import LightTouchTerminal
import LightTouchSession
import LightTouchTrainer

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

            With --hands 2 (or a drill with `hands = 2`) a two-channel sensor is a left hand (channel 0) and a \
            right hand (channel 1): each hand is judged against the band, their balance (the left share of the \
            total) against its own band (--balance, --balance-tolerance: 50 % ± 5 by default), and the hold \
            counts only while both hands are in the band and balanced.

            The screen is drawn in ASCII when the locale is not UTF-8 (or with --ascii), and without colour \
            when NO_COLOR is set.

            With --plain (or when stdout is not a terminal) it prints one status line every 100 ms and the \
            session table at the end; so it does on a terminal that cannot move the cursor (TERM=dumb or \
            unset), with a note on stderr. With --json it prints one JSON object per status update and, as the \
            last line, the session's results: without --drill, the same object `lighttouch replay --json` \
            prints (trials found by touch and release); with --drill, the drill's trials, each with its \
            `feedback` mode and `peeks`.

            A drill may ask for an estimate after each trial, before its result shows (`estimate` in a drill \
            file, or --estimate): the mean force (too light / on target / too heavy, or grams) and the \
            longest hold. On the screen the student types it (1/2/3, or digits and Enter; x skips); with \
            --plain or --json each estimate is read from a line on stdin (e.g. `target 6` or `4.5 6`), and \
            when stdin ends the estimates still asked are skipped.
            """)

    @OptionGroup var sensorOptions: SensorOptions

    @Option(help: ArgumentHelp("A built-in drill (see `lighttouch drills`) or a drill file (TOML).", valueName: "name|file"))
    var drill: String?

    @Option(help: ArgumentHelp("Trials in the drill (repeats or cuts its pattern).", valueName: "n"))
    var trials: Int?

    @Option(help: ArgumentHelp("Feedback mode for every trial: \(FeedbackMode.allowedNames).", valueName: "mode"))
    var feedback: String?

    @Option(
        help: ArgumentHelp(
            "Ask for an estimate after every trial, before its result: \(EstimateRequest.allowedNames). Without a terminal, "
                + "estimates are read from stdin, one line a trial.", valueName: "what"))
    var estimate: String?

    @Flag(help: "Ring the terminal bell when the force leaves the band and when a hold goal is met.")
    var bell = false

    @Option(help: ArgumentHelp("Stop after this many seconds. Default: run until q or Ctrl-C.", valueName: "s"))
    var duration: Double?

    @Flag(help: "Plain text: one status line per 100 ms, no screen control.")
    var plain = false

    @Flag(help: "JSON lines: one per status update, then the results.")
    var json = false

    @Flag(help: "Draw the screen in ASCII (the default when the locale is not UTF-8), for terminals without the Unicode glyphs.")
    var ascii = false

    @Option(help: ArgumentHelp(
        "Write every scored sample as `time_s,raw_g,filtered_g,in_band` (two hands: then `left_g,right_g,left_raw_g,right_raw_g`) to this CSV.",
        valueName: "out.csv"))
    var exportSamples: String?

    @OptionGroup(title: "Scoring") var scoring: ScoringOptions

    @OptionGroup(title: "Two hands") var handsOptions: HandsOptions

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    @OptionGroup(title: "Sound") var soundOptions: SoundOptions

    @OptionGroup(title: "Recording") var recording: PracticeRecordingOptions

    @OptionGroup(title: "Class") var classOptions: ClassOptions

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
        if let estimate, EstimateRequest(name: estimate) == nil {
            throw ValidationError("unknown estimate `\(estimate)`; choose one of \(EstimateRequest.allowedNames)")
        }
        if plain && json { throw ValidationError("--plain and --json cannot be used together") }
        try handsOptions.check()
    }

    /// The drill to run, with the command line's settings applied; nil for a
    /// headless run without --drill (trials found by touch and release).
    func resolveDrill(fullScreen: Bool) throws -> Drill? {
        // Two hands are scored by a drill's trials: a headless run gets the default drill too.
        guard fullScreen || drill != nil || trials != nil || feedback != nil || estimate != nil || handsOptions.asksForHands
        else { return nil }
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
            feedback: feedback.flatMap(FeedbackMode.init(rawValue:)), estimate: estimate.flatMap(EstimateRequest.init(name:)))
        chosen.balance = try handsOptions.balance(drill: chosen)
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
        let display = TerminalScreen.choice(plain: plain || json, ascii: ascii, environment: ProcessInfo.processInfo.environment)
        if let reason = display.reason { printError(reason) }
        let fullScreen = display.style != nil
        let drill = try resolveDrill(fullScreen: fullScreen)
        // A drill checked its own options with those given; without one they apply to the defaults.
        if drill == nil { _ = try scoring.checkedTrialOptions() }
        let classEndpoint = try classOptions.resolve()
        let balance = drill?.balance
        let connection = try openSensor(sensorOptions, demo: balance != nil && sensorOptions.isDemo ? demo.playingTwoHands : demo)
        defer { connection.close() }
        let info = connection.info
        let conversion = try calibratedConversion(connection, sensorOptions, channels: balance == nil ? 1 : 2)
        if balance != nil { try HandsOptions.checkTwoHands(info: info, conversion: conversion) }
        var configuration = try scoring.configuration(sampleRate: Double(info.sampleRate))
        if let first = drill?.trials.first { configuration.trial = first.options }
        configuration.balance = balance
        let export = try exportSamples.map { try ExportQueue(path: $0, hands: balance != nil) }
        let output = OutputBuffer()
        let stop = StopRequest()
        let recorder = try recording.startRecording(
            kind: .practice, info: info, conversion: conversion, configuration: configuration, drill: drill) { stop.request() }
        defer { recorder.close() }
        let noReconnect = sensorOptions.noReconnect || sensorOptions.isDemo
        let session = try LiveSession.make(
            connection: connection, configuration: configuration, conversion: conversion, drill: drill, recorder: recorder,
            endings: .init(whenDrillCompletes: !fullScreen, whenUnplugged: noReconnect && drill != nil),
            sink: export.map { export in { @Sendable batch in export.write(batch) } },
            onEvent: fullScreen ? nil : output.noteConnection)
        stop.forward(to: session)
        let student = recording.student, options = configuration.trial
        let station = try classEndpoint.map { endpoint in
            try ClassStation(endpoint: endpoint, store: recorder.store, sessionID: recorder.sessionID) {
                StatusLine.classLive(session.frame, kind: "practice", student: student, title: drill?.name, holdGoal: options)
            }
        }
        // Signals become a clean stop (and, full-screen, a restored terminal).
        // The handlers are in place before ncurses starts, so it leaves SIGINT and SIGTERM alone.
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { session.requestStop() }
        defer { signals.cancel() }
        let sound = LiveSound.start(soundOptions, session: session, assessment: false, fallback: configuration.trial)

        if let style = display.style {
            var nudge: (@Sendable (Double) -> Void)?
            if let demoSensor = connection as? DemoSensor { nudge = { grams in demoSensor.nudge(grams: grams) } }
            let screen = TrainerScreen(session: session, bell: bell, nudge: nudge, style: style)
            let started = DispatchTime.now()
            let cost = try UserError.onTerminal { try screen.run(limit: duration) }
            if ProcessInfo.processInfo.environment["LIGHTTOUCH_DISPLAY_STATS"] != nil {
                printError(Self.displayStats(cost, since: started))
            }
        } else {
            let asJSON = json, options = configuration.trial
            let estimates = EstimateInput.start(for: drill)
            try session.run(limit: duration, every: .milliseconds(100), on: DispatchQueue(label: "lighttouch.status")) {
                let frame = session.frame
                estimates?.tick(frame, session: session)
                if asJSON {
                    output.line(StatusLine.practiceJSON(frame, holdGoal: options))
                } else {
                    for line in session.takeFinishedLines() { output.line(line) }
                    output.line(StatusLine.practice(frame, holdGoal: options))
                }
                output.flush()
            }
        }

        try sound?.finish()
        let ending = session.finish()
        let results = SessionResults(pipeline: ending.pipeline, summary: ending.summary, drill: ending.drill)
        if !fullScreen, !json { for line in session.takeFinishedLines() { output.line(line) } }
        try export?.close(metadata: [
            ("sample_rate_hz", .double(configuration.sampleRate)), ("calibrated", .bool(conversion.isCalibrated)),
            ("lost_frames", .int(ending.summary.lostFrames)), ("rejected_samples", .int(ending.summary.rejectedSamples)),
        ] + (balance?.jsonMembers ?? []) + [("options", .object(ending.pipeline.configuration.jsonMembers))])
        output.flush()
        if json {
            print(results.json(sound: ending.sound).serialized())
        } else {
            if !fullScreen || drill == nil { print("") }
            print(ConsoleText.forTerminal(results.table(sound: ending.sound)))
        }
        try recorder.complete(results: results.json(sound: ending.sound), summary: results.summary)
        if let failure = station?.finish() { throw failure }
        if drill != nil, let unplugged = ending.unplugged, noReconnect {
            throw UserError.unavailable("the sensor went away (\(unplugged)); the session ended there")
        }
    }

    /// What drawing cost, for docs/speed.md (`LIGHTTOUCH_DISPLAY_STATS`).
    static func displayStats(_ cost: DisplayCost, since started: DispatchTime) -> String {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let milliseconds = Double(cost.nanos) / 1e6
        let perFrame = Double(cost.nanos) / 1e3 / Double(max(cost.frames, 1))
        let share = 100 * Double(cost.nanos) / 1e9 / seconds
        return "display: \(cost.frames) frames in \(seconds.fixed(1)) s, \(milliseconds.fixed(1)) ms of CPU "
            + "(\(perFrame.fixed(0)) µs a frame, \(share.fixed(2)) % of one core)"
    }
}
