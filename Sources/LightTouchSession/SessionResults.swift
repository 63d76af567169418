import LightTouchAssessment
import LightTouchCore
import LightTouchTrainer

/// What a session came to, live or replayed: the same value prints the same
/// table and the same results line either way.
public enum SessionResults: Sendable {
    /// Trials found by touch and release (no drill).
    case free(pipeline: ForcePipeline, summary: SessionSummary)
    /// A drill's trials, each with its feedback mode and peeks.
    case drill(SessionReport)
    /// A protocol's trials, graded.
    case assessment(AssessmentReport)

    /// The results line: what `--json` prints last and a recording keeps.
    public var json: JSONValue {
        switch self {
        case .free(let pipeline, let summary): pipeline.resultsJSON(summary: summary)
        case .drill(let report): report.json
        case .assessment(let report): report.json
        }
    }

    /// The table a person reads at the end.
    public var table: String {
        switch self {
        case .free(let pipeline, let summary):
            ResultsTable.render(trials: pipeline.trials, summary: summary, options: pipeline.configuration)
        case .drill(let report): report.table
        case .assessment(let report): report.table
        }
    }

    public var summary: SessionSummary {
        switch self {
        case .free(_, let summary): summary
        case .drill(let report):
            SessionSummary(
                trials: report.results.count, meanScore: report.meanScore, bestScore: report.bestScore, bestHoldSeconds: report.bestHold,
                inBandSeconds: report.inBandSeconds, samples: report.samples, lostFrames: report.lostFrames,
                rejectedSamples: report.rejectedSamples, calibrated: report.calibrated)
        case .assessment(let report): report.summary
        }
    }

    /// The results of a session that ended: its drill's report when it ran
    /// one, graded by `protocol` when it is an assessment.
    public init(
        pipeline: ForcePipeline, summary: SessionSummary, drill: PracticeSession?, assessment: Assessed? = nil
    ) {
        guard let drill else {
            self = .free(pipeline: pipeline, summary: summary)
            return
        }
        if let assessment {
            var graded = assessment.protocol
            graded.drill = drill.drill
            self = .assessment(
                AssessmentReport(
                    protocol: graded, student: assessment.student, examiner: assessment.examiner, results: drill.results,
                    summary: summary, configuration: pipeline.configuration))
        } else {
            self = .drill(
                SessionReport(
                    drill: drill.drill, results: drill.results, samples: summary.samples, lostFrames: summary.lostFrames,
                    rejectedSamples: summary.rejectedSamples, calibrated: summary.calibrated,
                    options: pipeline.configuration.jsonMembers))
        }
    }
}

/// Who was assessed against which protocol.
public struct Assessed: Sendable {
    public var `protocol`: AssessmentProtocol
    public var student: String
    public var examiner: String?

    public init(protocol: AssessmentProtocol, student: String, examiner: String?) {
        self.protocol = `protocol`
        self.student = student
        self.examiner = examiner
    }
}
