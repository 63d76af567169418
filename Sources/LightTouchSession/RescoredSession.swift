import LightTouchAssessment
import LightTouchCore
import LightTouchTrainer

/// A recording that cannot be scored again as asked.
public struct RescoringError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The recording's own data is unreadable (a drill or protocol that does not parse).
        case data
        /// The options asked for cannot apply (a filter that cannot be built).
        case options
    }

    public let kind: Kind
    public let description: String
}

/// A recording scored again by the same rules as the live session: the
/// samples through `SessionReplay` (the live `SampleScorer`), the drill's
/// keys applied where the live drill met them, graded by its protocol when it
/// is an assessment. `replay`, `report` and `export` all start here.
public struct RescoredSession: Sendable {
    public let session: RecordedSession
    public let configuration: PipelineConfiguration
    public let pipeline: ForcePipeline
    public let summary: SessionSummary
    public let drill: Drill?
    /// The drill's trials (drill and assessment sessions).
    public let results: [TrialResult]?
    public let outcome: SessionResults
    /// Every scored sample (when asked for).
    public let points: [(time: Double, force: Double, inBand: Bool)]
    /// Two hands: each hand's filtered force at every scored sample (when
    /// points are asked for; empty for one hand).
    public let handPoints: [(time: Double, left: Double, right: Double)]
    /// The feedback sound as recorded (nil: the session had no sound, or was recorded before sound was).
    public let sound: SoundStatus?

    /// - Parameters:
    ///   - configuration: scoring options replacing the recorded ones (nil: the recorded ones).
    ///   - adjustDrill: changes to the recorded drill (options given on the command line).
    ///   - visit: sees every scored sample in order, with the drill as it stands after it,
    ///     what the drill said of it, the sound as it stood (its recorded events applied
    ///     before the sample, as keys are) and, without a drill, the running hold; the
    ///     sound of a replay is rendered from these.
    public init(
        _ session: RecordedSession, configuration: PipelineConfiguration? = nil, adjustDrill: (Drill) -> Drill = { $0 },
        keepPoints: Bool = false,
        visit: (ProcessedSample, PracticeSession?, [PracticeSession.Event], SoundStatus?, _ hold: Double) -> Void = { _, _, _, _, _ in }
    ) throws(RescoringError) {
        let id = session.summary.id
        self.session = session
        let configuration = configuration ?? session.configuration
        self.configuration = configuration
        let replay = SessionReplay(session)
        let drill: Drill?
        do {
            drill = try session.drill.map { text throws(DrillCoding.DecodeError) in adjustDrill(try DrillCoding.drill(text)) }
        } catch {
            throw RescoringError(kind: .data, description: "session \(id): \(error.description)")
        }
        self.drill = drill
        var practice = drill.map { PracticeSession(drill: $0) }
        var points: [(time: Double, force: Double, inBand: Bool)] = []
        var handPoints: [(time: Double, left: Double, right: Double)] = []
        // Keys the trainer handled, each after the newest sample it had seen (`SessionRecording.noteKey`).
        var keys = session.events.filter { $0.kind == .key }.compactMap { event in
            event.time.flatMap { time in event.detail.flatMap(PracticeSession.Key.init(recordedName:)).map { (time: time, key: $0) } }
        }[...]
        var soundEvents = SoundStatus.events(of: session)[...]
        var sound: SoundStatus?
        let replayed = Result { () throws(FilterConfigurationError) in
            try replay.run(configuration: configuration, segmentsTrials: drill == nil) { sample in
                guard let processed = sample.processed else { return }
                while let next = keys.first, next.time < processed.time {
                    _ = practice?.handle(next.key)
                    keys.removeFirst()
                }
                while let next = soundEvents.first, next.time < processed.time {
                    sound = SoundStatus.applying(next.event, to: sound)
                    soundEvents.removeFirst()
                }
                let events = practice?.push(scored: CollectionOfOne(processed)) ?? []
                visit(processed, practice, events, sound, sample.hold)
                if keepPoints {
                    points.append((processed.time, processed.filtered, processed.inBand))
                    if let hands = processed.hands { handPoints.append((processed.time, hands.left, hands.right)) }
                }
            }
        }
        switch replayed {
        case .success(let result):
            pipeline = result.pipeline
            summary = replay.summary(of: result.pipeline, overRange: result.overRange)
        case .failure(let error): throw RescoringError(kind: .options, description: "session \(id): \(error.description)")
        }
        self.points = points
        self.handPoints = handPoints
        for remaining in soundEvents { sound = SoundStatus.applying(remaining.event, to: sound) }
        self.sound = sound
        if var practice {
            for remaining in keys { _ = practice.handle(remaining.key) }
            _ = practice.finish()
            results = practice.results
            var assessed: Assessed?
            if let protocolText = session.protocolText {
                do {
                    let parsed = try ProtocolFile.parse(protocolText, file: "session \(id)'s protocol")
                    assessed = Assessed(protocol: parsed, student: session.summary.student ?? "", examiner: session.summary.examiner)
                } catch {
                    throw RescoringError(kind: .data, description: error.description)
                }
            }
            outcome = SessionResults(pipeline: pipeline, summary: summary, drill: practice, assessment: assessed)
        } else {
            results = nil
            outcome = SessionResults(pipeline: pipeline, summary: summary, drill: nil)
        }
    }

    /// The assessment, when the recording is one.
    public var assessment: AssessmentReport? {
        if case .assessment(let report) = outcome { return report }
        return nil
    }

    /// The drill session's report, as `practice` printed it.
    public var drillReport: SessionReport? {
        if case .drill(let report) = outcome { return report }
        return nil
    }

    /// The results line the live run printed.
    public var resultsJSON: JSONValue { outcome.json(sound: sound) }

    public var table: String { outcome.table(sound: sound) }
}
