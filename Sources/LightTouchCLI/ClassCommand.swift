import ArgumentParser
import Foundation
import LightTouchClass
import LightTouchCore
import LightTouchStore

struct ClassCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "class",
        abstract: "A class on PostgreSQL: stations upload, instructors watch and grade.",
        discussion: """
            `class init URL` creates (or migrates) the class schema in a PostgreSQL database; `class add-station NAME` \
            and `class add-instructor NAME` create logins and write their credentials files (owner-only). A station runs \
            `practice` or `assess` with `--class FILE`: it records locally as always and uploads in the background. \
            Passwords never go on a command line: an administrator's comes from PGPASSWORD, $LIGHTTOUCH_CLASS or the \
            class config file (~/.config/lighttouch/class). See docs/class.md.
            """,
        subcommands: [
            ClassInitCommand.self, ClassAddStationCommand.self, ClassAddInstructorCommand.self, ClassSyncCommand.self,
            ClassSessionsCommand.self, ClassGradesCommand.self, ClassProgressCommand.self, ClassExportCommand.self, ClassReportCommand.self,
            ClassWatchCommand.self,
        ])
}

/// Runs class work to its end, turning its error into the user's one line.
func classWork<T: Sendable>(_ body: @escaping @Sendable () async throws(ClassError) -> T) throws -> T {
    do {
        return try waitFor(body)
    } catch {
        throw UserError(error)
    }
}

/// An instructor's read: connects, checks the schema is current, runs
/// `body`, closes.
func classRead<T: Sendable>(_ endpoint: ClassEndpoint, _ body: @escaping @Sendable (ClassConnection) async throws(ClassError) -> T) throws -> T {
    try classWork { () throws(ClassError) in
        try await ClassConnection.with(endpoint) { db throws(ClassError) in
            try await ClassSchema.check(db)
            return try await body(db)
        }
    }
}

struct ClassInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create or migrate the class schema and its two roles (stations, instructors).",
        discussion: """
            URL is an administrator's login (one that may create roles), e.g. \
            postgresql://postgres@localhost/class?sslmode=prefer. Its password comes from PGPASSWORD (never the \
            command line). Running it again migrates an older schema and changes nothing on a current one.
            """)

    @Argument(help: ArgumentHelp("The class database, as an administrator. Default: $LIGHTTOUCH_CLASS or the config file.", valueName: "url"))
    var url: String?

    func run() throws {
        let endpoint = try ClassOptions(classTarget: url).required()
        let (applied, version) = try classWork { () throws(ClassError) in
            try await ClassConnection.with(endpoint) { db throws(ClassError) in
                let applied = try await ClassSchema.migrate(db)
                return (applied.map(\.version), try await ClassSchema.installedVersion(db))
            }
        }
        if applied.isEmpty {
            print("The class at \(endpoint) is at schema version \(version); nothing to do.")
        } else {
            print("The class at \(endpoint) is at schema version \(version) (applied \(applied.map(String.init).joined(separator: ", "))).")
        }
    }
}

extension ClassOptions {
    init(classTarget: String?) {
        self.init()
        self.classTarget = classTarget
    }
}

/// `add-station` and `add-instructor`.
struct MemberOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The login's name (any text up to 63 bytes; it is quoted, never pasted into SQL).", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("Write the credentials here. Default: NAME.lighttouch-class in this folder.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("The server's host name as the new login should reach it (default: the URL's).", valueName: "host"))
    var host: String?

    @OptionGroup var classOptions: ClassOptions

    func add(_ role: ClassCredentials.Role) throws {
        let admin = try classOptions.required()
        let path = out ?? Self.defaultFile(name)
        if FileManager.default.fileExists(atPath: path) {
            throw UserError("\(PrintableText.escaped(path)) already exists; remove it or choose another file with --out", exitCode: ExitCode(73))
        }
        let name = self.name
        let password = try classWork { () throws(ClassError) in
            try await ClassConnection.with(admin) { db throws(ClassError) in try await ClassSchema.addMember(db, name: name, role: role) }
        }
        var endpoint = admin
        endpoint.user = name
        endpoint.password = password
        if let host { endpoint.host = host }
        do {
            try ClassCredentials(role: role, name: name, endpoint: endpoint).write(path: path)
        } catch {
            throw UserError("the \(role.rawValue) `\(PrintableText.escaped(name))` was created but \(error.description)", exitCode: ExitCode(73))
        }
        print("Added \(role.rawValue) `\(name)`; its credentials are in \(path) (owner-only: copy it to the \(role == .station ? "station" : "instructor") and keep it private).")
    }

    /// A file name from any login name: letters, digits, `-`, `_` and `.` kept, anything else `_`.
    static func defaultFile(_ name: String) -> String {
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        return (safe.hasPrefix(".") ? "_" + safe : safe) + ".lighttouch-class"
    }
}

struct ClassAddStationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-station",
        abstract: "Create a station's login and write its credentials file.",
        discussion: "Run it as the administrator (`--class` an administrator's URL). A station adds only its own sessions and reads nobody else's.")

    @OptionGroup var member: MemberOptions

    func run() throws { try member.add(.station) }
}

struct ClassAddInstructorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-instructor",
        abstract: "Create an instructor's login (reads the whole class) and write its credentials file.")

    @OptionGroup var member: MemberOptions

    func run() throws { try member.add(.instructor) }
}

struct ClassSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send the sessions still waiting for the class server, and any others named.",
        discussion: """
            A session recorded with --class is queued; it uploads in the background, and whatever is left (the server \
            was down) goes with the next session or with this command. Sessions recorded without --class are sent \
            when named (`class sync 3 4`) or with --all. Sending a session again never duplicates it on the server.
            """)

    @Argument(help: ArgumentHelp("Also send these sessions (ids as `lighttouch sessions` lists them).", valueName: "session-id"))
    var sessions: [Int64] = []

    @Flag(help: "Also send every session recorded here without --class.")
    var all = false

    @OptionGroup var classOptions: ClassOptions

    @OptionGroup var recording: RecordingOptions

    func run() throws {
        let endpoint = try classOptions.required()
        guard let store = try recording.openExisting() else { return print("Nothing to send: no recordings in \(recording.directory.path).") }
        let pending: [QueuedUpload]
        do {
            try store.queueUploads(sessions: sessions, unqueued: all)
        } catch .unknownSession(let id, _) {
            throw UserError("no session \(id) in \(recording.directory.path); `lighttouch sessions` lists them", exitCode: ExitCode(66))
        } catch {
            throw UserError("cannot queue sessions for the class: \(error)")
        }
        do {
            pending = try store.pendingUploads()
        } catch {
            throw UserError("cannot read the upload queue: \(error)")
        }
        guard let last = pending.last else { return print("Nothing to send: every queued session is on the class server.") }
        let uploader = ClassUploader(endpoint: endpoint, outbox: store)
        uploader.start()
        defer { uploader.stop() }
        let status = uploader.waitForUpload(of: last.sessionID, timeout: .seconds(600))
        let left = (try? store.pendingUploads().count) ?? pending.count
        if left == 0 {
            print("Sent \(pending.count) session\(pending.count == 1 ? "" : "s") (\(status.blocksSent) blocks) to \(endpoint).")
            return
        }
        let error = status.lastError.map { UserError($0) } ?? UserError("the upload did not finish in 10 minutes", exitCode: ExitCode(75))
        throw UserError("\(error.description); \(left) session\(left == 1 ? "" : "s") still queued", exitCode: error.exitCode)
    }
}

struct ClassSessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "The class's sessions, from every station (an instructor's login).",
        discussion: "The same columns and JSON keys as `lighttouch sessions`, with the station; ids are the class server's.")

    @Option(help: ArgumentHelp("Only this student's sessions.", valueName: "id"))
    var student: String?

    @Option(help: ArgumentHelp("Only this station's sessions.", valueName: "name"))
    var station: String?

    @Flag(help: "One JSON array of objects: the keys of `sessions --json`, and station.")
    var json = false

    @OptionGroup var classOptions: ClassOptions

    func run() throws {
        let endpoint = try classOptions.required()
        let (student, station) = (self.student, self.station)
        let sessions = try classRead(endpoint) { db throws(ClassError) in try await ClassGradebook.sessions(db, student: student, station: station) }
        if json {
            print(
                JSONValue.array(
                    sessions.map { s in
                        guard case .object(var members) = s.summary.json(upload: "uploaded") else { return .null }
                        members.append(("station", .string(s.station)))
                        return .object(members)
                    }
                ).serialized())
            return
        }
        guard !sessions.isEmpty else {
            print(student.map { "No sessions for \($0) in the class at \(endpoint)." } ?? "No sessions in the class at \(endpoint) yet.")
            return
        }
        let rows = [["station"] + SessionsCommand.header.dropLast()] + sessions.map { [$0.station] + SessionsCommand.row($0.summary, upload: nil).dropLast() }
        print(TextTable.render(rows, rightAligned: [1, 6, 7]))
    }
}

struct ClassGradesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grades",
        abstract: "The class's gradebook, from every station (an instructor's login).",
        discussion: "The same columns, JSON and CSV as `lighttouch grades`, with the station first; session ids are the class server's.")

    @Option(help: ArgumentHelp("Only this protocol's grades.", valueName: "name"))
    var `protocol`: String?

    @Option(help: ArgumentHelp("Only this student's grades.", valueName: "id"))
    var student: String?

    @Flag(help: "One JSON array of objects: the keys of `grades --json`, and station.")
    var json = false

    @Flag(help: "CSV: station, then the columns of `grades --csv`.")
    var csv = false

    @OptionGroup var classOptions: ClassOptions

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv cannot be used together") }
    }

    func run() throws {
        let endpoint = try classOptions.required()
        let (protocolName, student) = (self.protocol, self.student)
        let grades = try classRead(endpoint) { db throws(ClassError) in try await ClassGradebook.grades(db, protocolName: protocolName, student: student) }
        if json {
            print(
                JSONValue.array(
                    grades.map { g in
                        guard case .object(var members) = g.grade.json else { return .null }
                        members.append(("station", .string(g.station)))
                        return .object(members)
                    }
                ).serialized())
            return
        }
        let table = GradesCommand.table(grades.map(\.grade), csv: csv)
        let header = ["station"] + table.header
        let rows = zip(grades, table.rows).map { [$0.station] + $1 }
        if csv {
            for row in [header] + rows { print(row.map(GradesCommand.csvField).joined(separator: ",")) }
            return
        }
        guard !grades.isEmpty else { return print("No grades in the class at \(endpoint)\(student.map { " for \($0)" } ?? "").") }
        print(TextTable.render([header] + rows, rightAligned: Set([6, 7] + (0..<table.criteria).map { 10 + $0 })))
    }
}

struct ClassProgressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "A student's scores and key metrics over time, from every station (an instructor's login).",
        discussion: "The same table, chart and JSON as `lighttouch progress`; session ids are the class server's.")

    @Option(help: ArgumentHelp("The student.", valueName: "id"))
    var student: String

    @Flag(help: "One JSON array of objects: session, date, kind, score, best_hold_s, in_band_s, cv, grade.")
    var json = false

    @OptionGroup var classOptions: ClassOptions

    func run() throws {
        let endpoint = try classOptions.required()
        let student = self.student
        let found = try classRead(endpoint) { db throws(ClassError) in try await ClassGradebook.results(db, student: student) }
        ProgressCommand.show(
            found.map { ProgressCommand.point($0.session, $0.results) }, student: student, json: json, emptyPlace: "the class at \(endpoint)")
    }
}

/// Reads one uploaded session as an instructor.
func classRecording(_ classOptions: ClassOptions, id: Int64) throws -> RecordedSession {
    let endpoint = try classOptions.required()
    return try classRead(endpoint) { db throws(ClassError) in try await ClassGradebook.recording(db, id: id) }
}

struct ClassExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write an uploaded session's samples and events as CSV (an instructor's login).",
        discussion: "The same CSV and FILE.csv.json as `lighttouch export`; the id is the class server's (`class sessions`).")

    @Argument(help: ArgumentHelp("The session, as `class sessions` lists it.", valueName: "session-id"))
    var session: Int64

    @Flag(help: "CSV (the only format so far).")
    var csv = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file.csv"))
    var out: String?

    @OptionGroup var classOptions: ClassOptions

    func validate() throws {
        if !csv { throw ValidationError("choose a format: --csv") }
    }

    func run() throws {
        let recorded = try classRecording(classOptions, id: session)
        try ExportCommand.write(recorded, session: session, out: out)
    }
}

struct ClassReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw an uploaded session as an SVG image or an HTML page (an instructor's login).",
        discussion: "The same report as `lighttouch report`; the id is the class server's (`class sessions`).")

    @Argument(help: ArgumentHelp("The session, as `class sessions` lists it.", valueName: "session-id"))
    var session: Int64

    @Option(name: .shortAndLong, help: ArgumentHelp("The report: FILE.svg or FILE.html.", valueName: "file"))
    var out: String

    @OptionGroup var classOptions: ClassOptions

    func validate() throws {
        let lower = out.lowercased()
        if !(lower.hasSuffix(".svg") || lower.hasSuffix(".html") || lower.hasSuffix(".htm")) {
            throw ValidationError("--out must end in .svg or .html (got \(out))")
        }
    }

    func run() throws {
        try ReportCommand.write(try classRecording(classOptions, id: session), out: out)
    }
}
