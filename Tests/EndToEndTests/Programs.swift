import Foundation
import Testing

/// Runs the built programs as a user would, and captures what they print.
enum Programs {
    /// The directory holding the built executables (next to the test bundle).
    static let productsDirectory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // …/debug/LightTouchPackageTests.xctest (a file on Linux, a bundle elsewhere)
        while url.pathComponents.count > 1, !FileManager.default.fileExists(atPath: url.appendingPathComponent("lighttouch").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static func path(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }

    /// The programs' home for this test run: a new folder, so that a program
    /// run without `--data-dir` records into this run's own data directory,
    /// never into the user's (or another checkout's, whose newer schema this
    /// build would rightly refuse). Tests in one run share it, as programs a
    /// user runs one after another share theirs.
    static let home: String = {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-tests-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { return template.replacingOccurrences(of: "XXXXXX", with: "\(getpid())") }
        return String(cString: made)
    }()

    /// The environment a program under test starts with: this process's,
    /// with `home` as HOME and no data directory chosen by the environment,
    /// then `overrides`.
    static func environment(_ overrides: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment["LIGHTTOUCH_DATA"] = nil
        environment["XDG_DATA_HOME"] = nil
        return environment.merging(overrides) { $1 }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// Runs `executable` with `arguments`; kills it after `timeout` seconds.
    /// - Parameter input: what its stdin reads, then its end (nil: /dev/null).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: String? = nil,
        timeout: TimeInterval = 60
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : path(executable))
        process.arguments = arguments
        process.environment = Programs.environment(environment ?? [:])
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = input.map { _ in Pipe() }
        process.standardInput = stdin ?? FileHandle.nullDevice
        // Read both pipes concurrently so a chatty program never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        // Set before the process starts, so that a program that ends at once is not missed.
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if let stdin, let input {
            // Written whole and closed: the program reads the lines at its pace from the pipe's buffer.
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if finished.wait(timeout: .now() + 5) == .timedOut { kill(process.processIdentifier, SIGKILL) }
        }
        group.wait()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), timedOut: timedOut)
    }

    /// `lighttouch replay SESSION --verify`: expects it to succeed and to say
    /// the replay reproduced the recorded results exactly; returns its result.
    @discardableResult
    static func expectReplayReproduces(
        _ session: String, dataDir: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Result {
        let verified = try run("lighttouch", ["replay", session, "--verify", "--data-dir", dataDir])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)", sourceLocation: sourceLocation)
        #expect(verified.stdout.contains("the replay reproduces the recorded results exactly"), "\(verified.stdout)", sourceLocation: sourceLocation)
        return verified
    }

    /// The last line of `text` parsed as a JSON object.
    static func lastJSONObject(_ text: String) -> [String: Any]? {
        guard let line = text.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        return object
    }
}
