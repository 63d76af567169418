import Foundation
import Testing

/// Runs the built `lighttouch-emulator` with a command, watching its stderr
/// line by line as it arrives, so a test can tell when something was said.
enum Emulator {
    /// Why the emulator cannot run here, or nil when it can. Checked once:
    /// the built programs, umockdev's preload library, and a trial run.
    static let unavailableReason: String? = {
        let emulator = Programs.path("lighttouch-emulator")
        guard FileManager.default.isExecutableFile(atPath: emulator),
            FileManager.default.isExecutableFile(atPath: Programs.path("lighttouch"))
        else { return "the built lighttouch and lighttouch-emulator are not next to the test bundle" }
        guard let trial = try? Programs.run("lighttouch-emulator", ["--quiet", "--", "/bin/true"], timeout: 30),
            trial.status == 0, !trial.timedOut
        else {
            return "lighttouch-emulator cannot run here (needs umockdev's libumockdev-preload.so.0: scripts/install-deps.sh)"
        }
        return nil
    }()

    static var isAvailable: Bool { unavailableReason == nil }

    /// `lighttouch stream` for 5 s with the sensor pulled out at 1.5 s and
    /// plugged back in at 2.5 s (`emulatorArguments` say which sensor): the
    /// unplug is reported once, within a second, and the stream resumes within
    /// a second of the replug, once. Returns the stream's summary.
    static func streamThroughUnplugAndReplug(_ emulatorArguments: [String]) throws -> [String: Any] {
        let result = try run(
            emulatorArguments + ["--unplug-at", "1.5", "--replug-at", "2.5"],
            command: [Programs.path("lighttouch"), "stream", "--duration", "5", "--json", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.timedOut)
        let unplugged = try #require(result.time(of: "lighttouch-emulator: unplugging"), "\(result.stderr)")
        let reported = try #require(result.time(of: "lighttouch: sensor disconnected"), "\(result.stderr)")
        #expect(reported - unplugged < 1.0, "reported \(reported - unplugged) s after the unplug")
        #expect(result.stderrLines.filter { $0.text.contains("sensor disconnected") }.count == 1, "\(result.stderr)")
        let replugged = try #require(result.time(of: "plugged the sensor back in"), "\(result.stderr)")
        let resumed = try #require(result.time(of: "lighttouch: sensor reconnected"), "\(result.stderr)")
        #expect(resumed - replugged < 1.0, "resumed \(resumed - replugged) s after the replug")
        let summary = try #require(result.summary, "\(result.stdout)")
        #expect(summary["disconnects"] as? Int == 1)
        #expect(summary["stream_restarts"] as? Int == 1, "\(summary)")
        // The replugged device's clock starts again, which must not discard its samples as timestamp errors.
        #expect(summary["timestamp_errors"] as? Int == 0, "\(summary)")
        return summary
    }

    struct Line {
        /// Seconds since the emulator started.
        var time: Double
        var text: String
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderrLines: [Line]
        var timedOut: Bool
        /// Seconds from start to exit.
        var elapsed: Double
        /// Seconds from start to when the signal was sent, if one was.
        var signalledAt: Double?

        var stderr: String { stderrLines.map(\.text).joined(separator: "\n") }

        /// When the first stderr line containing `text` arrived.
        func time(of text: String) -> Double? { stderrLines.first { $0.text.contains(text) }?.time }

        /// The last line of stdout as a JSON object.
        var summary: [String: Any]? { Programs.lastJSONObject(stdout) }
    }

    /// `lighttouch-emulator EMULATOR-ARGUMENTS -- COMMAND...`; `signal` is sent
    /// to the emulator (which forwards it) `after` seconds.
    static func run(
        _ emulatorArguments: [String], command: [String], signal: (number: Int32, after: Double)? = nil,
        environment: [String: String] = [:], timeout: Double = 60
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Programs.path("lighttouch-emulator"))
        process.arguments = emulatorArguments + ["--"] + command
        process.environment = Programs.environment(environment)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice

        let start = DispatchTime.now().uptimeNanoseconds
        let seconds: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            collected.setStdout(out.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            let handle = err.fileHandleForReading
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    collected.append(Line(time: seconds(), text: line))
                }
            }
            if !pending.isEmpty { collected.append(Line(time: seconds(), text: String(decoding: pending, as: UTF8.self))) }
            group.leave()
        }
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()

        var signalledAt: Double?
        if let signal {
            if finished.wait(timeout: .now() + signal.after) == .timedOut {
                signalledAt = seconds()
                kill(process.processIdentifier, signal.number)
            } else {
                finished.signal()  // already finished: let the wait below return at once
            }
        }
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            killTree(process.processIdentifier)
            finished.wait()
        }
        let elapsed = seconds()
        // A command left running would hold the pipes open: kill what is left.
        if group.wait(timeout: .now() + 5) == .timedOut {
            killTree(process.processIdentifier, includingRoot: false)
            _ = group.wait(timeout: .now() + 5)
        }
        return Result(
            status: process.terminationStatus, stdout: collected.stdout, stderrLines: collected.lines, timedOut: timedOut,
            elapsed: elapsed, signalledAt: signalledAt)
    }

    /// SIGKILLs `pid`'s descendants (found through /proc), then `pid`.
    static func killTree(_ pid: pid_t, includingRoot: Bool = true) {
        var parents: [pid_t: pid_t] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, let parent = pid_t(fields[1]) { parents[child] = parent }
        }
        var doomed: [pid_t] = []
        var frontier = [pid]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            doomed += children
            frontier += children
        }
        for child in doomed { kill(child, SIGKILL) }
        if includingRoot { kill(pid, SIGKILL) }
    }

    /// A file in a fresh temporary directory, for --report.
    static func temporaryFile(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    /// The emulator's --report file as a dictionary of integers (and strings).
    static func report(at path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}

/// Output gathered from the reader threads.
private final class Collected: @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrLines: [Emulator.Line] = []

    func setStdout(_ data: Data) { lock.withLock { stdoutData = data } }
    func append(_ line: Emulator.Line) { lock.withLock { stderrLines.append(line) } }
    var stdout: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    var lines: [Emulator.Line] { lock.withLock { stderrLines } }
}
