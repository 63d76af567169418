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

extension ClassGradebook {
    /// A whole uploaded session, read back as the station recorded it (its
    /// setup, every block and event), for `class export` and `class report`:
    /// the same `RecordedSession` the local store gives, so it is scored
    /// again by the same code.
    public static func recording(_ db: ClassConnection, id: Int64) async throws(ClassError) -> RecordedSession {
        guard let listed = try await sessions(db).first(where: { $0.summary.id == id }) else {
            throw ClassError.other("no session \(id) in the class (`lighttouch class sessions` lists them)")
        }
        let rows = try await db.rows("SELECT uuid::text, setup::text, results FROM lighttouch.session WHERE id = \(id)")
        guard let row = rows.first, let (uuid, setupText, results) = try? row.decode((String, String, String?).self),
            let setup = try? JSONReader.parse(Array(setupText.utf8))
        else { throw ClassError.other("session \(id) on the class server cannot be read") }
        func damaged(_ what: String) -> ClassError { .other("session \(id) on the class server has a damaged \(what)") }
        guard let channels = setup["channels"]?.intValue, let coefficients = setup["coefficients"]?.arrayValue?.compactMap(\.doubleValue),
            coefficients.count == channels * 4
        else { throw damaged("calibration") }
        let conversion = ForceConversion(
            channels: (0..<channels).map { CalibrationPolynomial(coefficients: Array(coefficients[$0 * 4..<$0 * 4 + 4])) },
            isCalibrated: (setup["calibrated"]?.intValue ?? 0) != 0, certificateID: setup["certificate"]?.stringValue)
        func number(_ key: String) throws(ClassError) -> Double {
            guard let value = setup[key]?.doubleValue else { throw damaged(key) }
            return value
        }
        let trial = TrialOptions(
            target: try number("target_g"), tolerance: try number("tolerance_g"), contact: try number("contact_g"),
            release: try number("release_s"), grace: try number("grace_s"), holdGoal: try number("hold_s"))
        guard let kind = setup["filter"]?.stringValue.flatMap(FilterKind.init(rawValue:)), let spike = setup["spike_window"]?.intValue else {
            throw damaged("filter")
        }
        let filter = FilterSettings(
            kind: kind, cutoffHz: try number("cutoff_hz"), minCutoffHz: try number("min_cutoff_hz"), beta: try number("beta"),
            derivativeCutoffHz: try number("d_cutoff_hz"), spikeWindow: spike)
        var balance: BalanceSettings?
        if setup["hands"]?.intValue == 2 {
            balance = BalanceSettings(target: try number("balance_target_pct"), tolerance: try number("balance_tolerance_pct"))
        }
        var configuration = PipelineConfiguration(trial: trial, filter: filter, sampleRate: try number("sample_rate_hz"))
        configuration.balance = balance
        var blocks: [RecordedBlock] = []
        for row in try await db.rows(
            """
            SELECT sequence, timestamp_us, period_us, channels, samples, saturated, counts
            FROM lighttouch.blocks WHERE session_uuid = \(uuid)::uuid ORDER BY idx
            """)
        {
            guard let (sequence, timestamp, period, channels, samples, saturated, counts) = try? row.decode(
                (Int64, Int64, Double, Int, Int, Int, ByteBuffer).self),
                let values = counts.littleEndianInt32s(count: channels * samples)
            else { throw damaged("block") }
            blocks.append(
                RecordedBlock(
                    sequence: UInt32(truncatingIfNeeded: sequence), timestampMicros: timestamp, periodMicros: period, channels: channels,
                    samplesPerChannel: samples, saturatedMask: UInt8(truncatingIfNeeded: saturated), counts: values))
        }
        var events: [RecordedEvent] = []
        for row in try await db.rows(
            "SELECT block_idx, kind, time_s, trial, value, detail FROM lighttouch.event WHERE session_uuid = \(uuid)::uuid ORDER BY idx")
        {
            guard let (block, kindName, time, trial, value, detail) = try? row.decode((Int64, String, Double?, Int?, Double?, String?).self)
            else { throw damaged("event") }
            guard let kind = RecordedEvent.Kind(rawValue: kindName) else { continue }
            events.append(RecordedEvent(kind: kind, blockIndex: block, time: time, trial: trial, value: value, detail: detail))
        }
        return RecordedSession(
            summary: listed.summary, sensorInfoJSON: setup["device_info"]?.stringValue ?? "{}", conversion: conversion,
            configuration: configuration, drill: setup["drill"]?.stringValue, protocolText: setup["protocol"]?.stringValue,
            protocolHash: setup["protocol_hash"]?.stringValue, calibrationRun: setup["calibration_run"]?.stringValue,
            lostFrames: setup["lost_frames"]?.intValue, rejectedSamples: setup["rejected_samples"]?.intValue, results: results,
            blocks: blocks, events: events)
    }
}

extension ByteBuffer {
    /// `count` little-endian Int32s, or nil when the buffer holds another number of bytes.
    func littleEndianInt32s(count: Int) -> [Int32]? {
        guard readableBytes == count * 4 else { return nil }
        var buffer = self
        var values: [Int32] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            guard let value = buffer.readInteger(endianness: .little, as: Int32.self) else { return nil }
            values.append(value)
        }
        return values
    }
}
