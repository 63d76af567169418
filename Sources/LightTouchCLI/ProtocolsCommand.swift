import ArgumentParser
import LightTouchAssessment

struct ProtocolsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocols",
        abstract: "List the built-in assessment protocols, or show one.",
        discussion: """
            A protocol is a drill file (see `lighttouch drills`) plus a rubric: `scope` ("each" trial, or \
            "best N"), `criteria` (thresholds on the documented metrics: \(Rubric.Metric.allowedNames)), \
            `grades` (bands on the score) and `fail_grade`. Feedback is blind unless the protocol says otherwise. \
            `lighttouch protocols --show basic-5g > mine.toml` is a starting point for your own.
            """)

    @Option(help: ArgumentHelp("Print this protocol's text (a built-in name or a file) and its content hash.", valueName: "name|file"))
    var show: String?

    func run() throws {
        if let show {
            let chosen = try AssessCommand.loadProtocol(show)
            print(chosen.text)
            print("# content hash: \(chosen.contentHash)")
            return
        }
        for (name, _) in AssessmentProtocol.builtIn {
            guard let chosen = AssessmentProtocol.builtIn(named: name) else { continue }
            print("\(name): \(chosen.drill.purpose)")
            print("  drill: \(chosen.drill.shape)")
            print("  pass (\(chosen.rubric.scope)): \(chosen.rubric.criteria.map(\.description).joined(separator: ", "))")
            print("  grades: \(chosen.rubric.bands.map { "\($0.grade) ≥ \(Int($0.minimumScore))" }.joined(separator: ", ")), else \(chosen.rubric.failGrade)")
            print("  content hash: \(chosen.contentHash)")
        }
    }
}
