import ArgumentParser
import Foundation
import LightTouchCore
import LightTouchStore

struct ProgressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "A student's scores and key metrics over time, with a small chart.",
        discussion: """
            One row per completed session (practice and assessments, oldest first): the score (an \
            assessment's grade score, else the session's mean trial score), the best hold, the time in \
            band and the mean CV; when a session asked for estimates (a drill with `estimate`), how far \
            they were off: the mean force error in grams, the mean hold error in seconds and the \
            share of verdicts right; then a chart of the scores.
            """)

    @Option(help: ArgumentHelp("The student.", valueName: "id"))
    var student: String

    @Flag(help: "One JSON array of objects: session, date, kind, score, best_hold_s, in_band_s, cv, grade (two-hand sessions: then balanced_pct; sessions with estimates: then estimates).")
    var json = false

    @OptionGroup var recording: RecordingOptions

    struct Point {
        var session: Int64
        var date: String
        var kind: String
        var score: Double?
        var bestHold: Double?
        var inBand: Double?
        var cv: Double?
        var grade: String?
        /// Two-hand sessions: the mean over trials of the share of the hold spent balanced, percent.
        var balanced: Double?
        /// The session's `estimates` summary, when a trial asked for one.
        var estimates: JSONValue?

        var forceError: Double? { estimates?["mean_abs_force_error_g"]?.doubleValue }
        var holdError: Double? { estimates?["mean_abs_hold_error_s"]?.doubleValue }
        /// Verdicts right, percent of the trials with a verdict estimate.
        var verdictsRight: Double? {
            guard let trials = estimates?["verdict_trials"]?.intValue, trials > 0,
                let right = estimates?["verdict_right"]?.intValue
            else { return nil }
            return 100 * Double(right) / Double(trials)
        }
    }

    func run() throws {
        let store = try recording.openExisting()
        let found = try store.map { store in
            try RecordingOptions.checked { () throws(StoreError) in try store.results(student: student) }
        } ?? []
        let points = found.map { Self.point($0.session, $0.results) }
        Self.show(points, student: student, json: json, emptyPlace: recording.directory.path)
    }

    /// Prints the table and chart (or JSON) of a student's points.
    static func show(_ points: [Point], student: String, json: Bool, emptyPlace: String) {
        if json {
            print(JSONValue.array(points.map { p in
                .object([
                    ("session", .int(Int(p.session))), ("date", .string(p.date)), ("kind", .string(p.kind)),
                    ("score", .number(p.score)), ("best_hold_s", .number(p.bestHold)), ("in_band_s", .number(p.inBand)),
                    ("cv", .number(p.cv.map(TrialMetrics.rounded))), ("grade", p.grade.map(JSONValue.string) ?? .null),
                ] + (p.balanced.map { [("balanced_pct", .double(TrialMetrics.rounded($0)))] } ?? [])
                    + (p.estimates.map { [("estimates", $0)] } ?? []))
            }).serialized())
            return
        }
        guard !points.isEmpty else {
            print("No completed sessions for \(student) in \(emptyPlace).")
            return
        }
        // Two-hand sessions add a column: the share of the hold spent balanced.
        let anyTwoHanded = points.contains { $0.balanced != nil }
        var header = ["session", "date", "kind", "score", "best hold s", "in band s", "mean CV"]
        if anyTwoHanded { header.append("bal %") }
        header.append("grade")
        // The estimate columns only for a student who has made estimates.
        let estimated = points.contains { $0.estimates != nil }
        if estimated { header += ["est. force err g", "est. hold err s", "verdicts right"] }
        let rows = points.map { p -> [String] in
            var row: [String] = [
                "\(p.session)", p.date, p.kind, p.score.map { $0.fixed(1) } ?? "—", p.bestHold.map { $0.fixed(1) } ?? "—",
                p.inBand.map { $0.fixed(1) } ?? "—", p.cv.map { $0.fixed(3) } ?? "—",
            ]
            if anyTwoHanded { row.append(p.balanced.map { $0.fixed(0) } ?? "—") }
            row.append(p.grade ?? "")
            if estimated {
                let force: String = p.forceError.map { $0.fixed(2) } ?? "—"
                let hold: String = p.holdError.map { $0.fixed(1) } ?? "—"
                let verdicts: String = p.verdictsRight.map { "\($0.fixed(0)) %" } ?? "—"
                row += [force, hold, verdicts]
            }
            return row
        }
        print("Progress of \(student): \(points.count) session\(points.count == 1 ? "" : "s")")
        print("")
        var rightAligned: Set<Int> = anyTwoHanded ? [0, 3, 4, 5, 6, 7] : [0, 3, 4, 5, 6]
        if estimated { rightAligned.formUnion(header.count - 3..<header.count) }
        print(TextTable.render([header] + rows, rightAligned: rightAligned))
        print("")
        print(Self.chart(points.map { $0.score }))
    }

    /// Reads the score and key metrics out of a session's results line.
    static func point(_ session: SessionSummaryRow, _ results: String) -> Point {
        let object = (try? JSONReader.parse(Array(results.utf8))) ?? .object([])
        let summary = object["session"]
        let assessment = object["assessment"]
        let trials = object["trials"]?.arrayValue ?? []
        let cvs = trials.compactMap { $0["cv"]?.doubleValue }
        let balanced = trials.compactMap { $0["hands"]?["balanced_pct"]?.doubleValue }
        return Point(
            session: session.id, date: String(session.startedAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
            kind: session.kind,
            score: assessment?["score"]?.doubleValue ?? summary?["mean_score"]?.doubleValue,
            bestHold: summary?["best_hold_s"]?.doubleValue, inBand: summary?["in_band_s"]?.doubleValue,
            cv: cvs.isEmpty ? nil : cvs.reduce(0, +) / Double(cvs.count), grade: assessment?["grade"]?.stringValue,
            balanced: balanced.isEmpty ? nil : balanced.reduce(0, +) / Double(balanced.count),
            estimates: summary?["estimates"])
    }

    /// Scores 0–100 as columns of block characters, eight rows high, one column per session.
    static func chart(_ scores: [Double?], height: Int = 8) -> String {
        let blocks = Array(" ▁▂▃▄▅▆▇█")
        var lines: [String] = []
        for row in (0..<height).reversed() {
            let label = row == height - 1 ? "100 ┤" : row == 0 ? "  0 ┤" : "    │"
            var line = label
            for score in scores {
                guard let score else {
                    line += "  "
                    continue
                }
                let filled = max(0, min(100, score)) / 100 * Double(height)
                let level = filled - Double(row)
                let index = level >= 1 ? 8 : level <= 0 ? (row == 0 ? 1 : 0) : Int((level * 8).rounded(.down))
                line += String(blocks[index]) + " "
            }
            lines.append(line)
        }
        lines.append("    └" + String(repeating: "──", count: scores.count))
        lines.append("     score per session, oldest first")
        return lines.joined(separator: "\n")
    }
}
