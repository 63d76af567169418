import ArgumentParser
import LightTouchCore
import LightTouchStore

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List the recorded sessions.",
        discussion: """
            Every practice, assessment and calibration session is recorded in the data directory. A session \
            is `recording` while its process records it, then `complete`; one killed, cut off by a power loss \
            or stopped by a full disk is `interrupted` and keeps everything recorded up to about 100 ms before. \
            `lighttouch replay ID` scores one again.
            """)

    @Option(help: ArgumentHelp("Only this student's sessions.", valueName: "id"))
    var student: String?

    @Flag(help: "One JSON array of objects: id, kind, student, examiner, started_at, ended_at, status, stop_reason, recorded_s, samples, sensor, drill, protocol, upload.")
    var json = false

    @Flag(help: "Check the database's integrity (SQLite's `PRAGMA integrity_check`) and print `ok` or what is wrong.")
    var check = false

    @OptionGroup var recording: RecordingOptions

    func run() throws {
        let store = try recording.openExisting()
        if check {
            guard let store else { return print("\(recording.directory.databasePath): no database yet") }
            let result = try RecordingOptions.checked { () throws(StoreError) in try store.integrityCheck() }
            print("\(store.path): integrity \(result)")
            if result != "ok" { throw ExitCode(65) }
            return
        }
        let sessions = try store.map { store in try RecordingOptions.checked { () throws(StoreError) in try store.sessions(student: student) } } ?? []
        // A session queued for a class: `pending` until the server has all of it, then `uploaded`.
        let uploads = try store.map { store in try RecordingOptions.checked { () throws(StoreError) in try store.uploadStates() } } ?? [:]
        if json {
            print(JSONValue.array(sessions.map { $0.json(upload: uploads[$0.id]) }).serialized())
            return
        }
        guard !sessions.isEmpty else {
            print(student.map { "No sessions recorded for \($0) in \(recording.directory.path)." }
                ?? "No sessions recorded in \(recording.directory.path) yet.")
            return
        }
        let rows = [Self.header] + sessions.map { Self.row($0, upload: uploads[$0.id]) }
        print(TextTable.render(rows, rightAligned: [0, 5, 6]))
    }
}

extension SessionsCommand {
    static let header = ["id", "kind", "student", "started_at", "status", "recorded_s", "samples", "drill/protocol", "upload"]

    static func row(_ s: SessionSummaryRow, upload: String?) -> [String] {
        [
            "\(s.id)", s.kind, s.student ?? "—", s.startedAt, s.status.rawValue, s.recordedSeconds.fixed(1), "\(s.samples)",
            s.protocolName ?? s.drillName ?? "—", upload ?? "—",
        ]
    }
}

extension SessionSummaryRow {
    /// `sessions --json`'s object; `upload` is the class upload state (null: not for a class).
    func json(upload: String?) -> JSONValue {
        .object([
            ("id", .int(Int(id))), ("kind", .string(kind)), ("student", student.map(JSONValue.string) ?? .null),
            ("examiner", examiner.map(JSONValue.string) ?? .null), ("started_at", .string(startedAt)),
            ("ended_at", endedAt.map(JSONValue.string) ?? .null), ("status", .string(status.rawValue)),
            ("stop_reason", stopReason.map(JSONValue.string) ?? .null),
            ("recorded_s", .double(TrialMetrics.rounded(recordedSeconds))), ("samples", .int(samples)),
            ("sensor", .string(sensorSerial)), ("drill", drillName.map(JSONValue.string) ?? .null),
            ("protocol", protocolName.map(JSONValue.string) ?? .null), ("upload", upload.map(JSONValue.string) ?? .null),
        ])
    }
}
