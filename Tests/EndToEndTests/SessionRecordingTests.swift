import Foundation
import Testing

/// Recording practice sessions: `sessions`, `replay SESSION_ID` against the
/// live results, a recording killed with SIGKILL, and the bad inputs.
@Suite struct SessionRecordingTests {
    /// A fresh data directory for one test.
    static func dataDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-data-\(UUID().uuidString)").path
        return path
    }

    static func sessions(_ dataDir: String) throws -> [[String: Any]] {
        let listed = try Programs.run("lighttouch", ["sessions", "--json", "--data-dir", dataDir])
        #expect(listed.status == 0, "\(listed.stderr)")
        let data = Data(listed.stdout.utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    @Test(arguments: [
        ["--scenario", "steady", "--duration", "6"],
        ["--scenario", "novice", "--drill", "blind-check", "--trials", "1", "--hold", "4", "--duration", "20"],
    ])
    func aReplayOfARecordedSessionPrintsTheLiveResultsByteForByte(options: [String]) throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let live = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--json", "--data-dir", dataDir] + options)
        #expect(live.status == 0, "\(live.stderr)")
        let liveResults = try #require(live.stdout.split(separator: "\n").last.map(String.init))

        let sessions = try Self.sessions(dataDir)
        #expect(sessions.count == 1)
        let session = try #require(sessions.first)
        #expect(session["id"] as? Int == 1)
        #expect(session["kind"] as? String == "practice")
        #expect(session["status"] as? String == "complete")
        #expect((session["samples"] as? Int ?? 0) > 5000)
        #expect((session["recorded_s"] as? Double ?? 0) > 5)
        #expect(session["started_at"] is String)

        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout == liveResults + "\n")

        // Other options re-grade the same raw counts.
        let regraded = try Programs.run("lighttouch", ["replay", "1", "--json", "--tolerance", "0.25", "--data-dir", dataDir])
        #expect(regraded.status == 0, "\(regraded.stderr)")
        let object = try #require(Programs.lastJSONObject(regraded.stdout))
        let trials = try #require(object["trials"] as? [[String: Any]])
        #expect(!trials.isEmpty)
        #expect(regraded.stdout != replay.stdout)
        if object["drill"] == nil { #expect(regraded.stdout.contains("\"tolerance_g\":0.25")) }
    }

    @Test func theDatabaseIsCreatedReadableByItsOwnerOnly() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let live = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--json", "--duration", "1", "--data-dir", dataDir])
        #expect(live.status == 0, "\(live.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: dataDir + "/lighttouch.sqlite")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: dataDir)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
        // LIGHTTOUCH_DATA chooses the directory too.
        let listed = try Programs.run("lighttouch", ["sessions", "--json"], environment: ["LIGHTTOUCH_DATA": dataDir])
        #expect(listed.stdout.contains("\"id\":1,"))
    }

    /// kill -9 a recording after a few seconds: everything up to 250 ms before
    /// is in the database, the session is `interrupted`, the database intact.
    @Test func aSessionKilledWithSIGKILLKeepsItsDataAndIsMarkedInterrupted() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Programs.path("lighttouch"))
        process.arguments = ["practice", "--plain", "--duration", "60", "--sensor", "demo", "--data-dir", dataDir]
        process.environment = Programs.environment()
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Wait for a status line at t ≥ 3 s (the process prints one every 100 ms), then kill it at once.
        var lastTime = 0.0
        var pending = Data()
        let reader = out.fileHandleForReading
        while lastTime < 3 {
            let chunk = reader.availableData
            if chunk.isEmpty { break }  // the program ended by itself: the expectations below fail
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasPrefix("t "), let t = Double(line.dropFirst(2).prefix { $0 != " " }) { lastTime = t }
            }
        }
        // While it records, the session is listed as `recording`.
        let live = try Self.sessions(dataDir)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(lastTime >= 3)
        #expect(live.first?["status"] as? String == "recording")

        let sessions = try Self.sessions(dataDir)
        let session = try #require(sessions.first)
        #expect(session["status"] as? String == "interrupted")
        let recorded = try #require(session["recorded_s"] as? Double)
        // The status line's time was at most 100 ms old when the kill came.
        #expect(recorded >= lastTime - 0.25, "recorded \(recorded) s, the live run was at \(lastTime) s")
        #expect((session["samples"] as? Int ?? 0) >= Int((lastTime - 0.25) * 1000))

        let check = try Programs.run("lighttouch", ["sessions", "--check", "--data-dir", dataDir])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasSuffix("integrity ok\n"))

        // What was recorded replays.
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        #expect(replay.status == 0, "\(replay.stderr)")
        let results = try #require(Programs.lastJSONObject(replay.stdout))
        let summary = try #require(results["session"] as? [String: Any])
        #expect((summary["samples"] as? Int ?? 0) > 2000)

        // The next session tells the user about the interrupted one, once.
        let next = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--json", "--duration", "0.5", "--data-dir", dataDir])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("session 1 (practice, started "))
        #expect(next.stderr.contains("was interrupted"))
        let again = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--json", "--duration", "0.5", "--data-dir", dataDir])
        #expect(!again.stderr.contains("was interrupted"))
    }

    @Test func aCorruptOrForeignDatabaseIsOneClearErrorAndIsLeftAlone() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let file = dataDir + "/lighttouch.sqlite"
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try garbage.write(to: URL(fileURLWithPath: file))
        for arguments in [["sessions"], ["replay", "1"], ["practice", "--sensor", "demo", "--duration", "1", "--plain"]] {
            let result = try Programs.run("lighttouch", arguments + ["--data-dir", dataDir])
            #expect(result.status == 65, "\(arguments)")
            #expect(result.stderr == "lighttouch: \(file): not a LightTouch database (it is not an SQLite file, or it is damaged); move it aside, or choose another --data-dir\n")
            #expect(result.stdout.isEmpty)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == garbage)

        // Another program's SQLite database.
        try FileManager.default.removeItem(atPath: file)
        let made = try Programs.run("/usr/bin/sqlite3", [file, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');"])
        try #require(made.status == 0, "sqlite3 is needed for this test: \(made.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let result = try Programs.run("lighttouch", ["sessions", "--data-dir", dataDir])
        #expect(result.status == 65)
        #expect(result.stderr.contains("an SQLite database, but not LightTouch's"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
    }

    @Test func anUnknownSessionIsOneClearError() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let none = try Programs.run("lighttouch", ["replay", "7", "--data-dir", dataDir])
        #expect(none.status == 66)
        #expect(none.stderr == "lighttouch: no recordings in \(dataDir) yet (record one with `lighttouch practice`)\n")
        let live = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--json", "--duration", "0.5", "--data-dir", dataDir])
        #expect(live.status == 0, "\(live.stderr)")
        let unknown = try Programs.run("lighttouch", ["replay", "7", "--data-dir", dataDir])
        #expect(unknown.status == 66)
        #expect(unknown.stderr == "lighttouch: no session 7 in \(dataDir)/lighttouch.sqlite (`lighttouch sessions` lists them)\n")
    }

    @Test func aDataDirectoryThatCannotBeCreatedStopsTheSessionBeforeItStarts() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-file-\(UUID().uuidString)").path
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: parent))
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let result = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--duration", "1", "--plain", "--data-dir", parent + "/data"])
        #expect(result.status == 73)
        #expect(result.stderr.hasPrefix("lighttouch: \(parent)/data: cannot create the data directory ("))
        #expect(result.stdout.isEmpty, "nothing started")
    }
}
