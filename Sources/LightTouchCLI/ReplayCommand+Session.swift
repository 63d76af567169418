import ArgumentParser
import Foundation
import LightTouchAssessment
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
        if session.summary.kind == SessionKind.calibration.rawValue {
            guard configuration == session.configuration else {
                throw UserError(
                    "session \(id) is a calibration run: scoring options do not apply (it is taken again with its own settings)",
                    exitCode: ExitCode(64))
            }
            let run = try RescoredCalibration(session)
            if verify { return try verify(session, replayed: run.text) }
            return print(json ? run.text : run.report)
        }
        if verify {
            guard configuration == session.configuration else {
                throw UserError("--verify scores with the recorded options only: leave out the scoring options", exitCode: ExitCode(64))
            }
            return try verify(session, replayed: RescoredSession(session, configuration: configuration).resultsJSON.serialized())
        }
        let rescored = try RescoredSession(session, configuration: configuration, adjustDrill: overridden)
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
    func recordedConfiguration(_ recorded: PipelineConfiguration) throws -> PipelineConfiguration {
        var configuration = recorded
        configuration.trial = scoring.applied(to: recorded.trial)
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
        for index in drill.trials.indices {
            if let contact = scoring.contact { drill.trials[index].options.contact = contact }
            if let release = scoring.release { drill.trials[index].options.release = release }
            if let grace = scoring.grace { drill.trials[index].options.grace = grace }
        }
        return drill
    }
}

/// A recording scored again: by the pipeline's own trials, or by its drill,
/// or graded by its protocol, as the live run did. `replay`, `report` and
/// `export` all start here.
struct RescoredSession {
    let session: RecordedSession
    let configuration: PipelineConfiguration
    let pipeline: ForcePipeline
    let summary: SessionSummary
    let drill: Drill?
    /// The drill's trials (drill and assessment sessions).
    let results: [TrialResult]?
    let assessment: AssessmentReport?
    /// Every scored sample (when asked for).
    let points: [(time: Double, force: Double, inBand: Bool)]

    init(
        _ session: RecordedSession, configuration: PipelineConfiguration? = nil, adjustDrill: (Drill) -> Drill = { $0 },
        keepPoints: Bool = false
    ) throws {
        let id = session.summary.id
        self.session = session
        let configuration = configuration ?? session.configuration
        self.configuration = configuration
        let replay = SessionReplay(session)
        let drill: Drill?
        do {
            drill = try session.drill.map { text throws(DrillCoding.DecodeError) in adjustDrill(try DrillCoding.drill(text)) }
        } catch {
            throw UserError.data("session \(id): \(error.description)")
        }
        self.drill = drill
        var practice = drill.map { PracticeSession(drill: $0) }
        var points: [(time: Double, force: Double, inBand: Bool)] = []
        // Keys the trainer handled, each after the newest sample it had seen (`SessionRecorder.noteKey`).
        var keys = session.events.filter { $0.kind == .key }.compactMap { event in
            event.time.flatMap { time in event.detail.flatMap(PracticeSession.Key.init(recordedName:)).map { (time: time, key: $0) } }
        }[...]
        let outcome = Result { () throws(FilterConfigurationError) in
            try replay.run(configuration: configuration) { sample in
                guard let processed = sample.processed else { return }
                while let next = keys.first, next.time < processed.time {
                    _ = practice?.handle(next.key)
                    keys.removeFirst()
                }
                _ = practice?.push(CollectionOfOne((time: processed.time, force: processed.filtered)))
                if keepPoints { points.append((processed.time, processed.filtered, processed.inBand)) }
            }
        }
        switch outcome {
        case .success(let result):
            pipeline = result.pipeline
            summary = replay.summary(of: result.pipeline, overRange: result.overRange)
        case .failure(let error): throw UserError("session \(id): \(error.description)", exitCode: ExitCode(64))
        }
        self.points = points
        if var practice {
            for remaining in keys { _ = practice.handle(remaining.key) }
            _ = practice.finish()
            results = practice.results
        } else {
            results = nil
        }
        if let drill, let results, let protocolText = session.protocolText {
            var assessed: AssessmentProtocol
            do {
                assessed = try ProtocolFile.parse(protocolText, file: "session \(id)'s protocol")
            } catch {
                throw UserError.data(error.description)
            }
            assessed.drill = drill
            assessment = AssessmentReport(
                protocol: assessed, student: session.summary.student ?? "", examiner: session.summary.examiner, results: results,
                summary: summary, configuration: configuration)
        } else {
            assessment = nil
        }
    }

    /// The drill session's report, as `practice` printed it.
    var drillReport: SessionReport? {
        guard let drill, let results else { return nil }
        return SessionReport(
            drill: drill, results: results, samples: summary.samples, lostFrames: summary.lostFrames,
            rejectedSamples: summary.rejectedSamples, calibrated: summary.calibrated, options: configuration.jsonMembers)
    }

    /// The results line the live run printed.
    var resultsJSON: JSONValue {
        if let assessment { return assessment.json }
        if let drillReport { return drillReport.json }
        return pipeline.resultsJSON(summary: summary)
    }

    var table: String {
        if let assessment { return assessment.table }
        if let drillReport { return drillReport.table }
        return ResultsTable.render(trials: pipeline.trials, summary: summary, options: configuration)
    }
}
