import LightTouchAssessment
import LightTouchCore
import LightTouchTrainer

/// An assessment's results: the trials, the session, the grade with each
/// criterion, and the options. The same for the live run and its replay.
public struct AssessmentReport: Sendable {
    public var `protocol`: AssessmentProtocol
    public var student: String
    public var examiner: String?
    public var results: [TrialResult]
    public var summary: SessionSummary
    public var configuration: PipelineConfiguration

    public init(
        protocol: AssessmentProtocol, student: String, examiner: String?, results: [TrialResult], summary: SessionSummary,
        configuration: PipelineConfiguration
    ) {
        self.protocol = `protocol`
        self.student = student
        self.examiner = examiner
        self.results = results
        self.summary = summary
        self.configuration = configuration
    }

    public var assessment: Assessment {
        `protocol`.rubric.evaluate(
            results.map { GradedTrial($0.metrics, request: $0.estimateRequest, estimation: $0.estimation) }, expectedTrials: `protocol`.drill.trials.count)
    }

    /// `{"protocol": …, "protocol_hash": …, "student": …, "examiner": …, "trials": […],
    /// "session": {…}, "assessment": {"score", "passed", "grade", "criteria": […]}, "options": {…}}`.
    public var json: JSONValue {
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
    public var drillReport: SessionReport {
        SessionReport(
            drill: `protocol`.drill, results: results, samples: summary.samples, lostFrames: summary.lostFrames,
            rejectedSamples: summary.rejectedSamples, calibrated: summary.calibrated)
    }

    public var session: JSONValue {
        guard case .object(let members) = drillReport.json, let session = members.first(where: { $0.0 == "session" }) else {
            return summary.json
        }
        return session.1
    }

    public var table: String {
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
        lines += drillReport.estimateTable
        lines.append("")
        lines.append("Criteria (\(`protocol`.rubric.scope == .eachTrial ? "every trial" : "the \(`protocol`.rubric.scope)")):")
        for criterion in grade.criteria {
            lines.append("  \(criterion.passed ? "pass" : "FAIL")  \(criterion.criterion)  — \(criterion.reason)")
        }
        lines.append("")
        lines.append("Result: \(grade.passed ? "PASS" : "FAIL"), score \(grade.score.fixed(1)), grade \(grade.grade)")
        return lines.joined(separator: "\n")
    }

    public func grade(sessionID: Int64) -> GradeRecord {
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
