import ArgumentParser
import Foundation
import LightTouchCore
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
        let replay = SessionReplay(session)
        let drill: Drill?
        do {
            drill = try session.drill.map { text throws(DrillCoding.DecodeError) in overridden(try DrillCoding.drill(text)) }
        } catch {
            throw UserError.data("session \(id): \(error.description)")
        }
        var practice = drill.map { PracticeSession(drill: $0) }
        let outcome = Result { () throws(FilterConfigurationError) in
            try replay.run(configuration: configuration) { sample in
                if let processed = sample.processed { _ = practice?.push(CollectionOfOne((time: processed.time, force: processed.filtered))) }
            }
        }
        let (pipeline, overRange): (ForcePipeline, Int)
        switch outcome {
        case .success(let result): (pipeline, overRange) = result
        case .failure(let error): throw UserError("session \(id): \(error.description)", exitCode: ExitCode(64))
        }
        let summary = replay.summary(of: pipeline, overRange: overRange)
        if let drill, var practice {
            _ = practice.finish()
            let report = SessionReport(
                drill: drill, results: practice.results, samples: summary.samples, lostFrames: summary.lostFrames,
                rejectedSamples: summary.rejectedSamples, calibrated: summary.calibrated)
            print(json ? report.json.serialized() : report.table)
        } else if json {
            print(pipeline.resultsJSON(summary: summary).serialized())
        } else {
            print(ResultsTable.render(trials: pipeline.trials, summary: summary, options: configuration))
        }
    }

    /// Whether an option was given on the command line.
    private static func given(_ name: String) -> Bool {
        CommandLine.arguments.contains { $0 == name || $0.hasPrefix(name + "=") }
    }

    /// The recorded configuration, with the options given here replacing the recorded ones.
    func recordedConfiguration(_ recorded: PipelineConfiguration) throws -> PipelineConfiguration {
        var configuration = recorded
        if Self.given("--target") { configuration.trial.target = scoring.target }
        if Self.given("--tolerance") { configuration.trial.tolerance = scoring.tolerance }
        if Self.given("--contact") { configuration.trial.contact = scoring.contact }
        if Self.given("--release") { configuration.trial.release = scoring.release }
        if Self.given("--grace") { configuration.trial.grace = scoring.grace }
        if Self.given("--hold") { configuration.trial.holdGoal = scoring.hold }
        let given = try scoring.filterSettings
        if Self.given("--filter") { configuration.filter.kind = given.kind }
        if scoring.cutoffHz != nil { configuration.filter.cutoffHz = given.cutoffHz }
        if scoring.minCutoffHz != nil { configuration.filter.minCutoffHz = given.minCutoffHz }
        if scoring.beta != nil { configuration.filter.beta = given.beta }
        if scoring.dCutoffHz != nil { configuration.filter.derivativeCutoffHz = given.derivativeCutoffHz }
        if scoring.spikeWindow != nil { configuration.filter.spikeWindow = given.spikeWindow }
        return configuration
    }

    /// The recorded drill with the options given here, as `practice` applies them.
    func overridden(_ drill: Drill) -> Drill {
        var drill = drill.overriding(
            target: Self.given("--target") ? scoring.target : nil, tolerance: Self.given("--tolerance") ? scoring.tolerance : nil,
            holdGoal: Self.given("--hold") ? scoring.hold : nil)
        for index in drill.trials.indices {
            if Self.given("--contact") { drill.trials[index].options.contact = scoring.contact }
            if Self.given("--release") { drill.trials[index].options.release = scoring.release }
            if Self.given("--grace") { drill.trials[index].options.grace = scoring.grace }
        }
        return drill
    }
}
