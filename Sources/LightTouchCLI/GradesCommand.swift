import ArgumentParser
import Foundation
import LightTouchCore
import LightTouchStore

struct GradesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grades",
        abstract: "The gradebook: one row per student and attempt.",
        discussion: """
            Each row: the date, the student, the protocol (with its content hash: a protocol changed later \
            has another hash, so old grades keep what they were graded against), the session, the score, \
            pass or fail, the grade, and each criterion's value. Grades are personal data: they leave the \
            data directory only when you ask for them (--json, --csv).
            """)

    @Option(help: ArgumentHelp("Only this protocol's grades.", valueName: "name"))
    var `protocol`: String?

    @Option(help: ArgumentHelp("Only this student's grades.", valueName: "id"))
    var student: String?

    @Flag(help: "One JSON array of objects.")
    var json = false

    @Flag(help: "CSV: date,student,examiner,protocol,protocol_hash,session,score,result,grade, then one column per criterion.")
    var csv = false

    @OptionGroup var recording: RecordingOptions

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv cannot be used together") }
    }

    func run() throws {
        let grades = try recording.openExisting().map { store in
            try RecordingOptions.checked { () throws(StoreError) in try store.grades(protocolName: self.protocol, student: student) }
        } ?? []
        if json {
            print(JSONValue.array(grades.map(\.json)).serialized())
            return
        }
        let table = Self.table(grades, csv: csv)
        let header = table.header, rows = table.rows, columns = (0..<table.criteria)
        if csv {
            for row in [header] + rows { print(row.map(Self.csvField).joined(separator: ",")) }
            return
        }
        guard !grades.isEmpty else {
            print("No grades recorded in \(recording.directory.path)\(student.map { " for \($0)" } ?? "").")
            return
        }
        print(TextTable.render([header] + rows, rightAligned: Set([5, 6] + columns.map { 9 + $0 })))
    }

    /// The gradebook's header and rows: one column per criterion (by its metric), in the order first seen.
    static func table(_ grades: [GradeRecord], csv: Bool) -> (header: [String], rows: [[String]], criteria: Int) {
        var columns: [String] = []
        for grade in grades { for c in grade.criteria where !columns.contains(c.metric) { columns.append(c.metric) } }
        let header = ["date", "student", "examiner", "protocol", "protocol_hash", "session", "score", "result", "grade"] + columns
        let rows = grades.map { g in
            [
                g.gradedAt, g.student, g.examiner ?? "", g.protocolName, String(g.protocolHash.prefix(csv ? 64 : 12)),
                "\(g.sessionID)", g.score.map { $0.fixed(1) } ?? "", g.passed ? "pass" : "fail", g.grade ?? "",
            ] + columns.map { metric in
                guard let c = g.criteria.first(where: { $0.metric == metric }) else { return "" }
                let value = c.value.map { "\(TrialMetrics.rounded($0))" } ?? "null"
                return csv ? value : value + (c.passed ? "" : " ✗")
            }
        }
        return (header, rows, columns.count)
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension GradeRecord {
    var json: JSONValue {
        .object([
            ("date", .string(gradedAt)), ("student", .string(student)), ("examiner", examiner.map(JSONValue.string) ?? .null),
            ("protocol", .string(protocolName)), ("protocol_hash", .string(protocolHash)), ("session", .int(Int(sessionID))),
            ("score", .number(score)), ("passed", .bool(passed)), ("grade", grade.map(JSONValue.string) ?? .null),
            ("criteria", .array(criteria.map { c in
                .object([
                    ("metric", .string(c.metric)), ("op", .string(c.comparison)), ("threshold", .double(c.threshold)),
                    ("value", .number(c.value)), ("passed", .bool(c.passed)),
                ])
            })),
        ])
    }
}
