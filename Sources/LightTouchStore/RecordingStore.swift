import Foundation
import GRDB
import LightTouchCore

#if canImport(Glibc)
    import Glibc
#endif

/// The recordings database: one SQLite file (WAL) in the data directory.
/// Opening it checks, before anything is written, that it is LightTouch's
/// and not newer than this program; then brings its schema up to date.
public final class RecordingStore: Sendable {
    /// A recording needs at least this much free space to start (an hour at
    /// 1 kHz on one channel is about 20 MB).
    public static let minimumFreeBytes: Int64 = 32 << 20

    public let directory: DataDirectory
    public var path: String { directory.databasePath }
    let pool: DatabasePool

    /// Opens (for writing: creating) the database.
    /// - Parameter forRecording: create the directory and the file if needed,
    ///   and check there is room to record.
    public init(directory: DataDirectory, forRecording: Bool) throws(StoreError) {
        self.directory = directory
        let path = directory.databasePath
        if forRecording {
            try directory.create()
            try directory.checkWritable(minimumFreeBytes: Self.minimumFreeBytes)
        }
        try Self.checkHeader(path, create: forRecording)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "lighttouch.store"
        configuration.prepareDatabase { db in
            // WAL with FULL: every commit is on disk when it returns, so a
            // power cut loses nothing committed (https://sqlite.org/wal.html).
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let lock = SchemaLock(directory)
        defer { lock?.release() }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = StoreSchema.migrator
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded { throw StoreError.newerSchema(path: path) }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.mapped(error, path: path)
        }
    }

    /// Opens the database for reading commands; nil when nothing was ever recorded there.
    public static func existing(_ directory: DataDirectory) throws(StoreError) -> RecordingStore? {
        guard directory.exists else { return nil }
        return try RecordingStore(directory: directory, forRecording: false)
    }

    /// Reads the file's 100-byte header (https://sqlite.org/fileformat.html §1.3):
    /// an empty or new file is fine; anything but an SQLite header is corrupt
    /// or foreign; an SQLite file with another application id is foreign.
    static func checkHeader(_ path: String, create: Bool) throws(StoreError) {
        if create {
            // Created readable by its owner only; SQLite gives the -wal and -shm files the same mode.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                close(fd)
            } else if errno != EEXIST {
                if errno == EROFS || errno == EACCES { throw .readOnly(path: path) }
                throw .sqlite(path: path, message: "cannot create the database (\(String(cString: strerror(errno))))")
            }
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .sqlite(path: path, message: "cannot open the database (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        let got = header.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 100) }
        if got == 0 { return }  // a new, empty file
        let magic = Array("SQLite format 3\0".utf8)
        guard got == 100, Array(header[0..<16]) == magic else {
            throw .notADatabase(path: path, detail: "it is not an SQLite file, or it is damaged")
        }
        let applicationID = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if applicationID == 0 {
            // Ours before its first migration finished, or someone's empty database.
            let pageCount = header[28..<32].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if pageCount > 1 { throw .foreignDatabase(path: path) }
            return
        }
        if Int32(bitPattern: applicationID) != StoreSchema.applicationID { throw .foreignDatabase(path: path) }
    }

    /// One clear error for any SQLite failure.
    static func mapped(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else { return .sqlite(path: path, message: "\(error)") }
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notADatabase(path: path, detail: "SQLite reports: \(error.message ?? "damaged")")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return .readOnly(path: path)
        case .SQLITE_FULL:
            return .diskFull(path: path, freeBytes: 0)
        default:
            return .sqlite(path: path, message: error.message ?? "\(error)")
        }
    }

    func write<T>(_ updates: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(updates)
        } catch {
            throw Self.mapped(error, path: path)
        }
    }

    func read<T>(_ value: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(value)
        } catch {
            throw Self.mapped(error, path: path)
        }
    }

    /// `PRAGMA integrity_check`: "ok", or what SQLite found.
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: - Sessions

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Inserts a new session, marked `interrupted` until it completes.
    func insertSession(_ start: SessionStart) throws(StoreError) -> Int64 {
        let c = start.configuration
        var coefficients: [Double] = []
        for channel in start.conversion.channels { coefficients += channel.coefficients }
        let arguments: StatementArguments = [
            start.kind.rawValue, start.student, start.examiner, Self.timestamp(), Int(getpid()), start.version,
            start.sensor.serial, Self.deviceInfoJSON(start.sensor), start.conversion.channels.count,
            start.conversion.isCalibrated, start.conversion.certificateID, BlobCoding.data(coefficients),
            c.trial.target, c.trial.tolerance, c.trial.contact, c.trial.release, c.trial.grace, c.trial.holdGoal,
            c.filter.kind.rawValue, c.filter.cutoffHz, c.filter.minCutoffHz, c.filter.beta, c.filter.derivativeCutoffHz,
            c.filter.spikeWindow, c.sampleRate, start.drill, start.protocolName, start.protocolHash, start.protocolText,
            start.calibrationRun, c.hands, c.balance?.target, c.balance?.tolerance,
        ]
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO session (kind, student, examiner, started_at, pid, lighttouch_version,
                        sensor_serial, device_info, channels, calibrated, certificate, coefficients,
                        target_g, tolerance_g, contact_g, release_s, grace_s, hold_s,
                        filter, cutoff_hz, min_cutoff_hz, beta, d_cutoff_hz, spike_window, sample_rate_hz,
                        drill, protocol_name, protocol_hash, protocol, calibration_run,
                        hands, balance_target_pct, balance_tolerance_pct)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
            return db.lastInsertedRowID
        }
    }

    static func deviceInfoJSON(_ info: SensorInfo) -> String {
        JSONValue.object([
            ("serial", .string(info.serial)), ("firmware", .string(info.firmwareVersion)),
            ("protocol", .string(info.protocolVersion)), ("channels", .int(info.channels)),
            ("sample_rate_hz", .int(info.sampleRate)), ("adc_model", .string(info.adcModel)),
            ("adc_bits", .int(info.adcBits)), ("nominal_offset", .int(Int(info.nominalOffset))),
            ("nominal_counts_per_g", .double(Double(info.nominalCountsPerGram))),
            ("samples_per_frame", .int(info.samplesPerFrame)),
        ]).serialized()
    }

    /// Sessions still marked `interrupted` whose recording process is gone and
    /// that nobody was told about yet; marks them as told.
    public func takeUnreportedInterruptions() throws(StoreError) -> [SessionSummaryRow] {
        try write { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(Self.summaryColumns) FROM session WHERE status = 'interrupted' AND reported = 0 ORDER BY id")
            var found: [SessionSummaryRow] = []
            for row in rows {
                let id: Int64 = row["id"]
                if RecordingLock.isHeld(directory, session: id) { continue }  // still recording
                RecordingLock.removeStale(directory, session: id)
                found.append(Self.summary(row))
                try db.execute(sql: "UPDATE session SET reported = 1 WHERE id = ?", arguments: [row["id"] as Int64])
            }
            return found
        }
    }

    static let summaryColumns = """
        id, kind, student, examiner, started_at, ended_at, status, stop_reason, recorded_s, samples, sensor_serial,
        json_extract(drill, '$.name') AS drill_name, protocol_name
        """

    static func summary(_ row: Row) -> SessionSummaryRow {
        SessionSummaryRow(
            id: row["id"], kind: row["kind"], student: row["student"], examiner: row["examiner"],
            startedAt: row["started_at"], endedAt: row["ended_at"],
            status: SessionStatus(rawValue: row["status"] ?? "") ?? .interrupted, stopReason: row["stop_reason"],
            recordedSeconds: row["recorded_s"], samples: row["samples"], sensorSerial: row["sensor_serial"],
            drillName: row["drill_name"], protocolName: row["protocol_name"])
    }

    /// Sessions, oldest first; only one student's when `student` is given.
    public func sessions(student: String? = nil) throws(StoreError) -> [SessionSummaryRow] {
        try read { db in
            let rows: [Row]
            if let student {
                rows = try Row.fetchAll(
                    db, sql: "SELECT \(Self.summaryColumns) FROM session WHERE student = ? ORDER BY id", arguments: [student])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT \(Self.summaryColumns) FROM session ORDER BY id")
            }
            return rows.map(Self.summary)
        }.map(withLiveStatus)
    }

    /// `recording` for an `interrupted` session whose recording process is alive.
    func withLiveStatus(_ row: SessionSummaryRow) -> SessionSummaryRow {
        guard row.status == .interrupted, RecordingLock.isHeld(directory, session: row.id) else { return row }
        var live = row
        live.status = .recording
        return live
    }

    /// A whole recording, for replay, export and reports.
    public func session(_ id: Int64) throws(StoreError) -> RecordedSession {
        let path = self.path
        let found: RecordedSession? = try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.summaryColumns), * FROM session WHERE id = ?", arguments: [id])
            else { return nil }
            let channels: Int = row["channels"]
            let coefficients = BlobCoding.doubles(row["coefficients"] ?? Data())
            guard coefficients.count == channels * 4 else {
                throw StoreError.notADatabase(path: path, detail: "session \(id) has a damaged calibration")
            }
            let conversion = ForceConversion(
                channels: (0..<channels).map { CalibrationPolynomial(coefficients: Array(coefficients[$0 * 4..<$0 * 4 + 4])) },
                isCalibrated: row["calibrated"], certificateID: row["certificate"])
            let trial = TrialOptions(
                target: row["target_g"], tolerance: row["tolerance_g"], contact: row["contact_g"], release: row["release_s"],
                grace: row["grace_s"], holdGoal: row["hold_s"])
            let filterName: String = row["filter"]
            guard let kind = FilterKind(rawValue: filterName) else {
                throw StoreError.notADatabase(path: path, detail: "session \(id) names an unknown filter `\(filterName)`")
            }
            let filter = FilterSettings(
                kind: kind, cutoffHz: row["cutoff_hz"], minCutoffHz: row["min_cutoff_hz"], beta: row["beta"],
                derivativeCutoffHz: row["d_cutoff_hz"], spikeWindow: row["spike_window"])
            var balance: BalanceSettings?
            let hands: Int = row["hands"] ?? 1
            if hands == 2 {
                guard let target: Double = row["balance_target_pct"], let tolerance: Double = row["balance_tolerance_pct"],
                    channels >= 2
                else {
                    throw StoreError.notADatabase(path: path, detail: "session \(id) is two-handed but lacks its balance band")
                }
                balance = BalanceSettings(target: target, tolerance: tolerance)
            } else if hands != 1 {
                throw StoreError.notADatabase(path: path, detail: "session \(id) has \(hands) hands (1 or 2 are understood)")
            }
            var blocks: [RecordedBlock] = []
            let cursor = try Row.fetchCursor(
                db, sql: """
                    SELECT sequence, timestamp_us, period_us, channels, samples, saturated, counts
                    FROM block WHERE session_id = ? ORDER BY idx
                    """, arguments: [id])
            while let b = try cursor.next() {
                let counts = BlobCoding.int32s(b["counts"] ?? Data())
                let channels: Int = b["channels"], perChannel: Int = b["samples"]
                guard counts.count == channels * perChannel else {
                    throw StoreError.notADatabase(path: path, detail: "session \(id) has a damaged block")
                }
                blocks.append(
                    RecordedBlock(
                        sequence: UInt32(truncatingIfNeeded: b["sequence"] as Int64), timestampMicros: b["timestamp_us"],
                        periodMicros: b["period_us"], channels: channels, samplesPerChannel: perChannel,
                        saturatedMask: UInt8(truncatingIfNeeded: b["saturated"] as Int64), counts: counts))
            }
            let events = try Row.fetchAll(
                db, sql: "SELECT block_idx, kind, time_s, trial, value, detail FROM event WHERE session_id = ? ORDER BY idx",
                arguments: [id]
            ).compactMap { e -> RecordedEvent? in
                guard let kind = RecordedEvent.Kind(rawValue: e["kind"] ?? "") else { return nil }
                return RecordedEvent(
                    kind: kind, blockIndex: e["block_idx"], time: e["time_s"], trial: e["trial"], value: e["value"], detail: e["detail"])
            }
            return RecordedSession(
                summary: withLiveStatus(Self.summary(row)), sensorInfoJSON: row["device_info"], conversion: conversion,
                configuration: PipelineConfiguration(
                    trial: trial, filter: filter, sampleRate: row["sample_rate_hz"], balance: balance),
                drill: row["drill"], protocolText: row["protocol"], protocolHash: row["protocol_hash"],
                calibrationRun: row["calibration_run"],
                lostFrames: row["lost_frames"], rejectedSamples: row["rejected_samples"], results: row["results"],
                blocks: blocks, events: events)
        }
        guard let found else { throw .unknownSession(id: id, path: path) }
        return found
    }
}

/// Little-endian blobs of numbers.
enum BlobCoding {
    static func data(_ values: [Double]) -> Data {
        var data = Data(capacity: values.count * 8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func data(_ values: [Int32]) -> Data {
        #if _endian(little)
            return values.withUnsafeBytes { Data($0) }
        #else
            var data = Data(capacity: values.count * 4)
            for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
            return data
        #endif
    }

    static func doubles(_ data: Data) -> [Double] {
        guard data.count % 8 == 0 else { return [] }
        return stride(from: 0, to: data.count, by: 8).map { offset in
            var bits: UInt64 = 0
            for byte in (0..<8).reversed() { bits = bits << 8 | UInt64(data[data.startIndex + offset + byte]) }
            return Double(bitPattern: bits)
        }
    }

    static func int32s(_ data: Data) -> [Int32] {
        guard data.count % 4 == 0 else { return [] }
        var values = [Int32](repeating: 0, count: data.count / 4)
        values.withUnsafeMutableBytes { out in _ = data.copyBytes(to: out) }
        #if !_endian(little)
            for index in values.indices { values[index] = Int32(littleEndian: values[index]) }
        #endif
        return values
    }
}
