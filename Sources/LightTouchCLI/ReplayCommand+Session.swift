import ArgumentParser
import Foundation
import LightTouchAssessment
import LightTouchCore
import LightTouchSession
import LightTouchSound
import LightTouchStore
import LightTouchTrainer

/// `lighttouch replay SESSION_ID`: a recorded session scored again through
/// the same pipeline. With the recorded options the JSON is byte for byte
/// the results line the live run printed; options given here replace the
/// recorded ones, and the session is re-graded.
extension ReplayCommand {
    /// The session id FILE names: digits, and no file of that name.
    static func sessionID(_ argument: String) -> Int64? {
        guard !argument.isEmpty, argument.allSatisfy({ $0.isASCII && $0.isNumber }), !FileManager.default.fileExists(atPath: argument) else {
            return nil
        }
        return Int64(argument)
    }

    func replaySession(_ id: Int64) throws {
        let store = try recording.openRequired()
        let session = try RecordingOptions.checked { () throws(StoreError) in try store.session(id) }
        let configuration = try recordedConfiguration(session.configuration)
        if session.summary.kind == SessionKind.calibration.rawValue {
            guard configuration == session.configuration else {
                throw UserError(
                    "session \(id) is a calibration run: scoring options do not apply (it is taken again with its own settings)",
                    exitCode: ExitCode(64))
            }
            if soundOut != nil { throw UserError("session \(id) is a calibration run: it has no feedback sound to write", exitCode: ExitCode(64)) }
            let run = try RescoredCalibration(session)
            if verify { return try verify(session, replayed: run.text) }
            return print(json ? run.text : run.report)
        }
        if verify, configuration != session.configuration {
            throw UserError("--verify scores with the recorded options only: leave out the scoring options", exitCode: ExitCode(64))
        }
        var track = SoundTrack()
        var cue = HoldGoalCue()
        let assessment = session.protocolText != nil
        let rescored = try RescoredSession(session, configuration: configuration, adjustDrill: verify ? { $0 } : overridden) {
            sample, practice, events, sound, hold in
            if soundOut != nil {
                // What the student could hear: silent while `s` had it off or no device played it. A
                // recording without sound events (no `--sound`, or before 0.2) sounds as if it had been on.
                // Without a drill the cue sounds when the running hold reaches the goal, as live.
                let holdGoalMet = practice == nil && cue.push(hold: hold, goal: configuration.trial.holdGoal)
                Self.pushSound(
                    sample, drill: practice, events: events, assessment: assessment, audible: sound?.isAudible ?? true,
                    holdGoalMet: holdGoalMet, options: configuration.trial, into: &track)
            }
        }
        if let soundOut { try Self.writeSound(&track, to: soundOut) }
        if verify { return try verify(session, replayed: rescored.resultsJSON.serialized()) }
        print(json ? rescored.resultsJSON.serialized() : rescored.table)
    }

    /// `--verify`: the replay's results line against the recorded one, byte for byte.
    func verify(_ session: RecordedSession, replayed: String) throws {
        let id = session.summary.id
        guard let recorded = session.results else {
            throw UserError(
                "session \(id) has no recorded results to check against (it is \(session.summary.status.rawValue)); "
                    + "`lighttouch replay \(id)` scores what it recorded", exitCode: ExitCode(65))
        }
        let recordedBytes = Array(recorded.utf8), replayedBytes = Array(replayed.utf8)
        guard recordedBytes != replayedBytes else {
            print(
                "session \(id): the replay reproduces the recorded results exactly "
                    + "(\(recordedBytes.count) bytes, SHA-256 \(SHA256.hexDigest(recordedBytes)))")
            return
        }
        let at = zip(recordedBytes, replayedBytes).prefix { $0 == $1 }.count
        func around(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[min(bytes.count, max(0, at - 20))..<min(bytes.count, at + 40)], as: UTF8.self)
        }
        printError(
            "session \(id): the replay differs from the recorded results from byte \(at): "
                + "recorded `\(around(recordedBytes))`, replayed `\(around(replayedBytes))`")
        throw ExitCode.failure
    }

    /// The recorded configuration, with the options given here replacing the recorded ones.
    func recordedConfiguration(_ recorded: PipelineConfiguration, source: String = "the session") throws -> PipelineConfiguration {
        var configuration = recorded
        configuration.trial = scoring.applied(to: recorded.trial)
        do {
            try configuration.trial.validate()
        } catch {
            throw UserError("\(error.description), with the recorded options of \(source)", exitCode: ExitCode(64))
        }
        configuration.balance = try balanceBand(recorded: recorded.balance, source: source)
        let given = try scoring.filterSettings
        if scoring.filter != nil { configuration.filter.kind = given.kind }
        if scoring.cutoffHz != nil { configuration.filter.cutoffHz = given.cutoffHz }
        if scoring.minCutoffHz != nil { configuration.filter.minCutoffHz = given.minCutoffHz }
        if scoring.beta != nil { configuration.filter.beta = given.beta }
        if scoring.dCutoffHz != nil { configuration.filter.derivativeCutoffHz = given.derivativeCutoffHz }
        if scoring.spikeWindow != nil { configuration.filter.spikeWindow = given.spikeWindow }
        return configuration
    }

    /// The recorded drill with the options given here, as `practice` applies them.
    func overridden(_ drill: Drill) -> Drill {
        var drill = drill.overriding(target: scoring.target, tolerance: scoring.tolerance, holdGoal: scoring.hold)
        if let balance { drill.balance?.target = balance }
        if let balanceTolerance { drill.balance?.tolerance = balanceTolerance }
        for index in drill.trials.indices {
            if let contact = scoring.contact { drill.trials[index].options.contact = contact }
            if let release = scoring.release { drill.trials[index].options.release = release }
            if let grace = scoring.grace { drill.trials[index].options.grace = grace }
        }
        return drill
    }
}
