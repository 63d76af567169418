import Dispatch
import Foundation
import LightTouchAssessment
import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchSession

/// The session engine with an injected sensor and an in-memory recording:
/// no terminal, no USB stack, no database file.
@Suite struct LiveSessionTests {
    static let rate = 100.0

    /// `seconds` of a constant force, at 100 Hz.
    static func hold(_ grams: Double, for seconds: Double) -> [Double] {
        Array(repeating: grams, count: Int((seconds * rate).rounded()))
    }

    static func make(
        _ sensor: ScriptedSensor, drill: Drill?, recording: MemoryRecording, endings: LiveSession.Endings = .init()
    ) throws -> (LiveSession, PipelineConfiguration, ForceConversion) {
        var configuration = PipelineConfiguration(sampleRate: rate)
        if let first = drill?.trials.first { configuration.trial = first.options }
        let conversion = ForceConversion.nominal(sensor.info)
        let session = try LiveSession(
            connection: sensor, configuration: configuration, conversion: conversion, drill: drill, recorder: recording, endings: endings)
        return (session, configuration, conversion)
    }

    /// A drill with keys between trials: the live results line and the
    /// replay of what was recorded are the same bytes, and they say what the
    /// keys did (the feedback chosen, the target moved).
    @Test func aDrillWithKeysReplaysToTheSameBytes() throws {
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let drill = Drill.firstTouch.overriding(trialCount: 2)
        let (session, configuration, conversion) = try Self.make(sensor, drill: drill, recording: recording)
        try session.start()
        sensor.send(Self.hold(0, for: 0.8))  // at rest: the first tare
        session.settle()
        session.handle(.drill(.cycleFeedback))  // full → bandwidth
        sensor.send(Self.hold(5, for: 10.5) + Self.hold(0, for: 1))
        session.settle()
        session.handle(.drill(.targetUp))  // during the rest: trial 2 aims at 5.5 g
        sensor.send(Self.hold(0, for: 5) + Self.hold(5.5, for: 10.5) + Self.hold(0, for: 1))
        let ending = session.finish()
        let live = SessionResults(pipeline: ending.pipeline, summary: ending.summary, drill: ending.drill)
        try recording.complete(results: live.json.serialized(), lostFrames: 0, rejectedSamples: 0)

        let results = try #require(ending.drill?.results)
        #expect(results.count == 2)
        #expect(results.map(\.feedback) == ["bandwidth", "bandwidth"])
        #expect(results.map(\.options.target) == [5, 5.5])
        // The drill decides the trials: the pipeline segmented none of its own.
        #expect(ending.pipeline.trials.isEmpty)
        #expect(!recording.events.contains { $0.kind == .trialStarted || $0.kind == .trialEnded })
        #expect(recording.events.filter { $0.kind == .drillTrialEnded }.count == 2)
        #expect(recording.events.filter { $0.kind == .key }.compactMap(\.detail) == ["cycle_feedback", "target_up"])
        let tare = try #require(recording.events.first { $0.kind == .tare })
        #expect(tare.value == 0)

        let recorded = recording.session(info: sensor.info, conversion: conversion, configuration: configuration, drill: drill)
        let replayed = try RescoredSession(recorded)
        #expect(replayed.resultsJSON.serialized() == live.json.serialized())
        #expect(replayed.table == live.table)
    }

    /// Two hands: each channel tared alone, each hand scored against the band,
    /// the hold only while both are in it and balanced; the replay of what
    /// was recorded (the per-hand tare, the drill with its balance band) is
    /// the same bytes. At 100 Hz, no filter, so every figure is worked out by hand:
    ///
    ///     0.0–0.8 s  rest: left 0 g, right 0.5 g (its own zero)   the tare: 0 and 0.5 g
    ///     0.8–4.8 s  left 5, right 5.5 (5 after the tare)        50 % left: the pair in band
    ///     4.8–6.8 s  left 4.5, right 6.5 (6)                     each in band, 42.9 % left: not
    ///     6.8–7.8 s  rest
    ///
    /// The one trial (5 s, hold 3 s) starts at the touch, 0.8 s, and ends at 5.8 s.
    @Test func twoHandsAreScoredByHandAndReplayToTheSameBytes() throws {
        let sensor = ScriptedSensor(channels: 2)
        let recording = MemoryRecording()
        var drill = Drill.firstTouch.overriding(holdGoal: 3, trialCount: 1)
        drill.trials[0].lengthSeconds = 5
        drill.balance = BalanceSettings()
        var configuration = PipelineConfiguration(trial: drill.trials[0].options, sampleRate: Self.rate, balance: drill.balance)
        configuration.filter.kind = .none
        let conversion = ForceConversion.nominal(sensor.info)
        let session = try LiveSession(
            connection: sensor, configuration: configuration, conversion: conversion, drill: drill, recorder: recording)
        try session.start()
        sensor.send(
            left: Self.hold(0, for: 0.8) + Self.hold(5, for: 4) + Self.hold(4.5, for: 2) + Self.hold(0, for: 1),
            right: Self.hold(0.5, for: 0.8) + Self.hold(5.5, for: 4) + Self.hold(6.5, for: 2) + Self.hold(0.5, for: 1))
        session.settle()
        #expect(session.snapshot.hands == HandForces(left: 0, right: 0))
        let ending = session.finish()
        let live = SessionResults(pipeline: ending.pipeline, summary: ending.summary, drill: ending.drill)
        try recording.complete(results: live.json.serialized(), lostFrames: 0, rejectedSamples: 0)

        let tare = try #require(recording.events.first { $0.kind == .tare })
        #expect(tare.value == 0.5)
        #expect(tare.detail == "hands 0.0 0.5")
        let result = try #require(ending.drill?.results.first)
        let m = result.metrics
        #expect(m.startSeconds == 0.8)
        #expect(TrialMetrics.rounded(m.durationSeconds) == 5)
        #expect(TrialMetrics.rounded(m.inBandSeconds) == 4)  // 0.8–4.8 s
        #expect(TrialMetrics.rounded(m.inBandPercent) == 80)
        #expect(TrialMetrics.rounded(m.longestHoldSeconds) == 4)
        // The pair's force: 5 g for 400 samples, (4.5 + 6)/2 = 5.25 g for 100: mean 5.05, MAE 25/500.
        #expect(TrialMetrics.rounded(m.meanGrams ?? 0) == 5.05)
        #expect(TrialMetrics.rounded(m.maeGrams ?? 0) == 0.05)
        // SD: 400 × 0.05² + 100 × 0.2² = 5, over 499.
        #expect(TrialMetrics.rounded(m.sdGrams ?? 0) == TrialMetrics.rounded((5.0 / 499).squareRoot()))
        // 100 × (0.4 × 1 + 0.3 × 0.8 + 0.15 × (1 − 0.05/2) + 0.15 × (1 − √(5/499)/5.05/0.25)) = 92.44
        #expect(m.score == 92.4)
        let hands = try #require(m.hands)
        #expect(TrialMetrics.rounded(hands.left.inBandPercent) == 100)
        #expect(TrialMetrics.rounded(hands.left.meanGrams ?? 0) == 4.9)  // (400 × 5 + 100 × 4.5)/500
        #expect(TrialMetrics.rounded(hands.right.meanGrams ?? 0) == 5.2)  // (400 × 5 + 100 × 6)/500
        #expect(hands.right.peakGrams == 6)
        #expect(TrialMetrics.rounded(hands.balance.phaseSeconds) == 5)
        #expect(TrialMetrics.rounded(hands.balance.balancedSeconds) == 4)
        #expect(TrialMetrics.rounded(hands.balance.balancedPercent ?? 0) == 80)
        // Shares: 50 % × 400, 300/7 % × 100: mean 340/7; squares 400 × (10/7)² + 100 × (40/7)² = 200000/49, over 499.
        #expect(TrialMetrics.rounded(hands.balance.meanLeftSharePercent ?? 0) == TrialMetrics.rounded(340.0 / 7))
        #expect(TrialMetrics.rounded(hands.balance.sdLeftSharePercent ?? 0) == TrialMetrics.rounded((200_000.0 / 24_451).squareRoot()))

        let recorded = recording.session(info: sensor.info, conversion: conversion, configuration: configuration, drill: drill)
        let replayed = try RescoredSession(recorded)
        #expect(replayed.resultsJSON.serialized() == live.json.serialized())
        #expect(replayed.table == live.table)
        #expect(live.json.serialized().contains(#""hands":2,"balance_target_pct":50,"balance_tolerance_pct":5"#))
    }

    /// Without a drill the pipeline finds the trials by touch and release,
    /// and the replay gives the same results line.
    @Test func trialsByTouchReplayToTheSameBytes() throws {
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, configuration, conversion) = try Self.make(sensor, drill: nil, recording: recording)
        try session.start()
        sensor.send(Self.hold(0, for: 1) + Self.hold(4.8, for: 6) + Self.hold(0, for: 1) + Self.hold(6.5, for: 3) + Self.hold(0, for: 1))
        let ending = session.finish()
        let live = SessionResults(pipeline: ending.pipeline, summary: ending.summary, drill: nil)
        #expect(ending.pipeline.trials.count == 2)
        #expect(ending.summary.samples == 1150)  // 12 s at 100 Hz, less the 0.5 s the first tare measured
        let recorded = recording.session(info: sensor.info, conversion: conversion, configuration: configuration, drill: nil)
        #expect(try RescoredSession(recorded).resultsJSON.serialized() == live.json.serialized())
    }

    /// `t` during a trial would take the press for the zero: refused with a
    /// notice, checked where the trial is decided, and nothing is tared.
    @Test func aTareDuringATrialIsRefused() throws {
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, _, _) = try Self.make(sensor, drill: Drill.firstTouch, recording: recording)
        try session.start()
        sensor.send(Self.hold(0, for: 0.8) + Self.hold(5, for: 2))
        session.settle()
        session.handle(.tare)
        sensor.send(Self.hold(5, for: 1))
        let ending = session.finish()
        #expect(ending.drill?.notice == "no tare while a trial runs: press t between trials")
        #expect(recording.events.filter { $0.kind == .tare || $0.kind == .tareRefused }.count == 1)
        #expect(session.frame.snapshot.taring == false)
    }

    /// Between trials a tare is measured again: the new zero applies from its sample on.
    @Test func aTareBetweenTrialsIsMeasured() throws {
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, _, _) = try Self.make(sensor, drill: Drill.firstTouch, recording: recording)
        try session.start()
        sensor.send(Self.hold(0, for: 0.8))
        session.settle()
        session.handle(.tare)
        sensor.send(Self.hold(0.3, for: 0.8))  // the sensor's zero drifted 0.3 g
        _ = session.finish()
        let tares = recording.events.filter { $0.kind == .tare }.compactMap(\.value)
        #expect(tares.count == 2)
        #expect(abs(tares[1] - 0.3) < 1e-9)
        #expect(abs(session.frame.snapshot.raw) < 1e-9)  // 0.3 g on the sensor, less the new zero
    }

    /// A drill that completes ends the run by itself, long before its limit.
    @Test func aCompletedDrillEndsTheRun() throws {
        let sensor = ScriptedSensor()
        let drill = Drill.firstTouch.overriding(trialCount: 1)
        let (session, _, _) = try Self.make(sensor, drill: drill, recording: MemoryRecording(), endings: .init(whenDrillCompletes: true))
        sensor.feedOnStart(Self.hold(0, for: 0.8) + Self.hold(5, for: 11) + Self.hold(0, for: 2))
        let started = Date()
        try session.run(limit: 120, every: .milliseconds(50), on: DispatchQueue(label: "test.ticks")) {}
        #expect(Date().timeIntervalSince(started) < 100)
        let ending = session.finish()
        #expect(ending.drill?.phase == .complete)
        #expect(ending.drill?.results.count == 1)
    }

    /// An unplugged sensor shows in the frame, is recorded, and (when it is
    /// not waited for) ends the run.
    @Test func anUnplugEndsTheRunWhenNotWaitedFor() throws {
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, _, _) = try Self.make(sensor, drill: Drill.firstTouch, recording: recording, endings: .init(whenUnplugged: true))
        sensor.feedOnStart(Self.hold(0, for: 1), thenUnplug: "unplugged")
        let started = Date()
        try session.run(limit: 120, every: .milliseconds(50), on: DispatchQueue(label: "test.ticks")) {}
        #expect(Date().timeIntervalSince(started) < 100)
        #expect(session.frame.unplugged == "unplugged")
        #expect(session.frame.snapshot.connected == false)
        let ending = session.finish()
        #expect(ending.unplugged == "unplugged")
        #expect(recording.events.contains { $0.kind == .disconnected && $0.detail == "unplugged" })
    }

    /// An assessment is graded from the drill's trials, and its replay grades the same.
    @Test func anAssessmentReplaysToTheSameGrade() throws {
        let chosen = try #require(AssessmentProtocol.builtIn.first.flatMap { AssessmentProtocol.builtIn(named: $0.name) })
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, configuration, conversion) = try Self.make(sensor, drill: chosen.drill, recording: recording)
        try session.start()
        var script = Self.hold(0, for: 0.8)
        for trial in chosen.drill.trials {
            script += Self.hold(trial.options.target, for: trial.lengthSeconds + 0.5) + Self.hold(0, for: chosen.drill.restSeconds + 0.5)
        }
        sensor.send(script)
        let ending = session.finish()
        let assessed = Assessed(protocol: chosen, student: "ada", examiner: nil)
        let live = SessionResults(pipeline: ending.pipeline, summary: ending.summary, drill: ending.drill, assessment: assessed)
        guard case .assessment(let report) = live else {
            Issue.record("not graded as an assessment")
            return
        }
        #expect(report.results.count == chosen.drill.trials.count)
        let recorded = recording.session(
            info: sensor.info, conversion: conversion, configuration: configuration, drill: chosen.drill, protocolText: chosen.text,
            student: "ada")
        let replayed = try RescoredSession(recorded)
        #expect(replayed.resultsJSON.serialized() == live.json.serialized())
        #expect(replayed.assessment?.assessment.passed == report.assessment.passed)
    }

    /// Estimates are keys: recorded by name where the live drill took them,
    /// so the replay finds the same trials, estimates and errors, to the byte;
    /// an assessment grades them with its rubric the same way.
    @Test func estimatesReplayToTheSameBytesAndGrade() throws {
        let text = """
            version = 1
            name = "estimate-check"
            trials = 2
            trial_length_s = 10
            hold_s = 8
            rest_s = 2
            estimate = ["grams+hold", "verdict"]
            criteria = ["estimate_hold_error_s <= 2", "estimate_verdict_error <= 0"]
            """
        let chosen = try ProtocolFile.parse(text, file: "estimate-check.toml")
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, configuration, conversion) = try Self.make(sensor, drill: chosen.drill, recording: recording)
        try session.start()
        sensor.send(Self.hold(0, for: 0.8) + Self.hold(5, for: 10.5) + Self.hold(0, for: 1))
        session.settle()
        #expect(session.frame.drill?.estimatePrompt?.field == .grams)
        #expect(session.frame.drill?.results.isEmpty == true)
        #expect(recording.events.filter { $0.kind == .drillTrialEnded }.isEmpty, "not recorded as ended before the estimate")
        session.handle(.drill(.estimate(.holdSeconds(3))))  // not asked yet: refused, recorded, refused again in the replay
        session.handle(.drill(.estimate(.grams(5.2))))
        session.handle(.drill(.estimate(.holdSeconds(9.5))))
        session.settle()
        sensor.send(Self.hold(0, for: 3) + Self.hold(5, for: 10.5) + Self.hold(0, for: 1))
        session.settle()
        session.handle(.drill(.estimate(.verdict(.tooLight))))
        let ending = session.finish()
        let assessed = Assessed(protocol: chosen, student: "ada", examiner: nil)
        let live = SessionResults(pipeline: ending.pipeline, summary: ending.summary, drill: ending.drill, assessment: assessed)
        guard case .assessment(let report) = live else {
            Issue.record("not graded as an assessment")
            return
        }
        #expect(
            recording.events.filter { $0.kind == .key }.compactMap(\.detail)
                == ["estimate_hold_s:3.0", "estimate_grams:5.2", "estimate_hold_s:9.5", "estimate_verdict:too_light"])
        #expect(report.results.map(\.estimate) == [TrialEstimate(grams: 5.2, holdSeconds: 9.5), TrialEstimate(verdict: .tooLight)])
        // Held on target throughout: the hold error is 9.5 − the longest hold, and "too light" is one band off.
        let hold = try #require(report.results.first?.metrics.longestHoldSeconds)
        #expect(report.results.first?.estimation?.holdErrorSeconds == 9.5 - hold)
        #expect(report.results.last?.estimation?.verdictError == -1)
        let grade = report.assessment
        #expect(!grade.passed)
        #expect(grade.criteria.map(\.passed) == [true, false])
        // Trial 1's 5.2 g implies "on target", as it was (0); trial 2 said too light for on target (1).
        #expect(grade.criteria[1].reason == "estimate_verdict_error 1 (the worst trial) misses <= 0")

        let recorded = recording.session(
            info: sensor.info, conversion: conversion, configuration: configuration, drill: chosen.drill, protocolText: chosen.text,
            student: "ada")
        let replayed = try RescoredSession(recorded)
        #expect(replayed.resultsJSON.serialized() == live.json.serialized())
        #expect(replayed.table == live.table)
    }
}
