import LightTouchCore
import PostgresNIO

/// The class's sessions and grades as an instructor reads them: the same
/// rows the local `sessions` and `grades` print, each with its station. The
/// id of a session here is the server's (unique in the class).
public enum ClassGradebook {
    public struct Session: Sendable {
        public var station: String
        public var summary: SessionSummaryRow
    }

    public struct Grade: Sendable {
        public var station: String
        public var grade: GradeRecord
    }

    public static func sessions(_ db: ClassConnection, student: String? = nil, station: String? = nil) async throws(ClassError) -> [Session] {
        let rows = try await db.rows(
            """
            SELECT id, station::text, kind, student, examiner, started_at, ended_at, status, stop_reason, recorded_s, samples,
                sensor, drill_name, protocol_name
            FROM lighttouch.session
            WHERE (\(student)::text IS NULL OR student = \(student)) AND (\(station)::text IS NULL OR station = \(station))
            ORDER BY started_at, station, local_id
            """)
        var sessions: [Session] = []
        for row in rows {
            do {
                let (id, station, kind, student, examiner, startedAt, endedAt, status) = try row.decode(
                    (Int64, String, String, String?, String?, String, String?, String).self, context: .default)
                let columns = row.makeRandomAccess()
                let stopReason = try columns[8].decode(String?.self)
                let recorded = try columns[9].decode(Double.self)
                let samples = try columns[10].decode(Int64.self)
                let sensor = try columns[11].decode(String.self)
                let drill = try columns[12].decode(String?.self)
                let protocolName = try columns[13].decode(String?.self)
                sessions.append(
                    Session(
                        station: station,
                        summary: SessionSummaryRow(
                            id: id, kind: kind, student: student, examiner: examiner, startedAt: startedAt, endedAt: endedAt,
                            status: SessionStatus(rawValue: status) ?? .interrupted, stopReason: stopReason, recordedSeconds: recorded,
                            samples: Int(samples), sensorSerial: sensor, drillName: drill, protocolName: protocolName)))
            } catch {
                throw ClassError.other("the class server sent a session row this LightTouch cannot read (\(error))")
            }
        }
        return sessions
    }

    public static func grades(_ db: ClassConnection, protocolName: String? = nil, student: String? = nil) async throws(ClassError) -> [Grade] {
        let rows = try await db.rows(
            """
            SELECT g.id, g.station::text, s.id, g.student, g.examiner, g.graded_at, g.protocol_name, g.protocol_hash, g.score,
                g.passed, g.grade, g.criteria::text
            FROM lighttouch.grade g JOIN lighttouch.session s ON s.uuid = g.session_uuid
            WHERE (\(protocolName)::text IS NULL OR g.protocol_name = \(protocolName))
                AND (\(student)::text IS NULL OR g.student = \(student))
            ORDER BY g.graded_at, g.station, g.local_id
            """)
        var grades: [Grade] = []
        for row in rows {
            do {
                let c = row.makeRandomAccess()
                let criteriaText = try c[11].decode(String.self)
                let criteria = ((try? JSONReader.parse(Array(criteriaText.utf8)))?.arrayValue ?? []).map { o in
                    GradeRecord.Criterion(
                        metric: o["metric"]?.stringValue ?? "?", comparison: o["op"]?.stringValue ?? "?",
                        threshold: o["threshold"]?.doubleValue ?? .nan, value: o["value"]?.doubleValue, passed: o["passed"]?.boolValue ?? false)
                }
                grades.append(
                    Grade(
                        station: try c[1].decode(String.self),
                        grade: GradeRecord(
                            id: try c[0].decode(Int64.self), sessionID: try c[2].decode(Int64.self), student: try c[3].decode(String.self),
                            examiner: try c[4].decode(String?.self), gradedAt: try c[5].decode(String.self),
                            protocolName: try c[6].decode(String.self), protocolHash: try c[7].decode(String.self),
                            score: try c[8].decode(Double?.self), passed: try c[9].decode(Bool.self), grade: try c[10].decode(String?.self),
                            criteria: criteria)))
            } catch {
                throw ClassError.other("the class server sent a grade row this LightTouch cannot read (\(error))")
            }
        }
        return grades
    }
}

extension ClassGradebook {
    /// A student's complete sessions with their results lines, from every station, oldest first (for `class progress`).
    public static func results(_ db: ClassConnection, student: String) async throws(ClassError) -> [(station: String, session: SessionSummaryRow, results: String)] {
        let sessions = try await self.sessions(db, student: student)
        let rows = try await db.rows(
            "SELECT id, results FROM lighttouch.session WHERE student = \(student) AND results IS NOT NULL AND status = 'complete'")
        var results: [Int64: String] = [:]
        for row in rows {
            if let (id, text) = try? row.decode((Int64, String).self) { results[id] = text }
        }
        return sessions.compactMap { s in results[s.summary.id].map { (s.station, s.summary, $0) } }
    }
}
