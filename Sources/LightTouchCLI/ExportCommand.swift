import ArgumentParser
import Foundation
import LightTouchCalibration
import LightTouchCore
import LightTouchSession
import LightTouchStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a recorded session's samples and events as CSV.",
        discussion: """
            A plain CSV, a header and one row per sample, that pandas, R and spreadsheets read with their \
            default settings: time_s, the raw counts (one column per channel), untared_g (the force before \
            tare), grams, filtered_g and in_band as scored (empty where a sample was not scored: before the \
            first tare, or over range), and over_range. With --out FILE.csv the session's metadata and its \
            events (tares, keys, trials, unplugs…) are written beside it as FILE.csv.json. Recordings hold \
            personal data: nothing leaves the data directory unless you export it.
            """)

    @Argument(help: ArgumentHelp("The session (`lighttouch sessions` lists them).", valueName: "session-id"))
    var session: Int64

    @Flag(help: "CSV (the only format so far).")
    var csv = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file.csv"))
    var out: String?

    @OptionGroup var recording: RecordingOptions

    func validate() throws {
        if !csv { throw ValidationError("choose a format: --csv") }
    }

    func run() throws {
        let store = try recording.openRequired()
        let recorded = try RecordingOptions.checked { () throws(StoreError) in try store.session(session) }
        try Self.write(recorded, session: session, out: out)
    }

    /// The CSV (to `out`, else stdout) and, beside a file, its metadata and events.
    static func write(_ recorded: RecordedSession, session: Int64, out: String?) throws {
        let output = try CSVOutput(path: out)
        let metadata: JSONValue
        do {
            metadata = try SessionExport.csv(recorded) { output.write($0) }
        } catch {
            output.abandon()
            throw UserError("session \(session): \(error.description)")
        }
        try output.finish()
        if let out {
            do {
                try AtomicFile.write(Array((metadata.serialized() + "\n").utf8), to: SampleExporter.sidecarPath(out))
            } catch {
                throw UserError(
                    "\(SampleExporter.sidecarPath(out)): cannot write the export's metadata (\(FileErrors.describe(error)))",
                    exitCode: ExitCode(73))
            }
        }
    }
}

final class CSVOutput {
    private let path: String?
    private let temporary: String?
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String?) throws {
        self.path = path
        guard let path else {
            temporary = nil
            handle = FileHandle.standardOutput
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw UserError("\(path): cannot write the export (\(String(cString: strerror(errno)))); choose another path", exitCode: ExitCode(73))
        }
        self.temporary = temporary
        self.handle = handle
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func abandon() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }

    func finish() throws {
        flush()
        guard let path, let temporary else { return }
        do {
            try handle.synchronize()
            try handle.close()
            if rename(temporary, path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            abandon()
            throw UserError("\(path): cannot write the export (\(FileErrors.describe(error))); choose another path", exitCode: ExitCode(73))
        }
    }
}
