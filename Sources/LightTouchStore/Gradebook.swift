import Foundation
import GRDB
import LightTouchCore

extension RecordingStore {
    /// Adds a grade to the gradebook; grades are never rewritten.
    @discardableResult
    public func addGrade(_ grade: GradeRecord) throws(StoreError) -> Int64 {
        let json = JSONValue.array(
            grade.criteria.map { c in
                .object([
                    ("metric", .string(c.metric)), ("op", .string(c.comparison)), ("passed", .bool(c.passed)),
                    ("threshold", .double(c.threshold)), ("value", c.value.map(JSONValue.double) ?? .null),
                ])
            }
        ).serialized()
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO grade (session_id, student, examiner, graded_at, protocol_name, protocol_hash, score, passed, grade, criteria)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    grade.sessionID, grade.student, grade.examiner, Self.timestamp(), grade.protocolName, grade.protocolHash,
                    grade.score, grade.passed, grade.grade, json,
                ])
            return db.lastInsertedRowID
        }
    }

    /// The gradebook, oldest first, optionally for one protocol and/or student.
    public func grades(protocolName: String? = nil, student: String? = nil) throws(StoreError) -> [GradeRecord] {
        try read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let protocolName {
                conditions.append("protocol_name = ?")
                arguments.append(protocolName)
            }
            if let student {
                conditions.append("student = ?")
                arguments.append(student)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM grade \(filter) ORDER BY id", arguments: StatementArguments(arguments))
            return rows.map(Self.grade)
        }
    }

    static func grade(_ row: Row) -> GradeRecord {
        let text: String = row["criteria"] ?? "[]"
        let objects = (try? JSONReader.parse(Array(text.utf8)))?.arrayValue ?? []
        let criteria = objects.map { o in
            GradeRecord.Criterion(
                metric: o["metric"]?.stringValue ?? "?", comparison: o["op"]?.stringValue ?? "?",
                threshold: o["threshold"]?.doubleValue ?? .nan, value: o["value"]?.doubleValue,
                passed: o["passed"]?.boolValue ?? false)
        }
        return GradeRecord(
            id: row["id"], sessionID: row["session_id"], student: row["student"], examiner: row["examiner"],
            gradedAt: row["graded_at"], protocolName: row["protocol_name"], protocolHash: row["protocol_hash"],
            score: row["score"], passed: row["passed"], grade: row["grade"], criteria: criteria)
    }

    /// A student's complete sessions with their results lines, oldest first (for `progress`).
    public func results(student: String) throws(StoreError) -> [(session: SessionSummaryRow, results: String)] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.summaryColumns), results FROM session WHERE student = ? AND results IS NOT NULL ORDER BY id",
                arguments: [student]
            ).map { (Self.summary($0), $0["results"]) }
        }
    }
}
