import Foundation
import Testing

/// `lighttouch export SESSION_ID --csv`.
@Suite struct SessionExportTests {
    @Test func anExportHasEverySampleAndTheEventsAndABadPathLosesNothing() throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let live = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--scenario", "steady", "--json", "--duration", "4", "--data-dir", dataDir])
        #expect(live.status == 0, "\(live.stderr)")
        let results = try #require(Programs.lastJSONObject(live.stdout))
        let scored = try #require((results["session"] as? [String: Any])?["samples"] as? Int)

        let out = dataDir + "/export.csv"
        let export = try Programs.run("lighttouch", ["export", "1", "--csv", "--out", out, "--data-dir", dataDir])
        #expect(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("# lighttouch session=1 kind=practice ") == true)
        #expect(lines.dropFirst().first == "time_s,counts,untared_g,grams,filtered_g,in_band,event,value,detail")
        let rows = lines.dropFirst(2).map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.allSatisfy { $0.count == 9 })
        let samples = rows.filter { $0[6].isEmpty }
        let sessions = try SessionRecordingTests.sessions(dataDir)
        #expect(samples.count == sessions.first?["samples"] as? Int)
        #expect(samples.filter { !$0[4].isEmpty }.count == scored, "every scored sample has its filtered force")
        let events = rows.filter { !$0[6].isEmpty }.map { String($0[6]) }
        #expect(events.first == "tare")
        #expect(events.contains("trial_started"))
        // Sample times never go backwards.
        let times = samples.compactMap { Double($0[0]) }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })

        // An export path that cannot be written: one clear error, the old export untouched.
        let blocked = dataDir + "/missing/export.csv"
        let failed = try Programs.run("lighttouch", ["export", "1", "--csv", "--out", blocked, "--data-dir", dataDir])
        #expect(failed.status == 73)
        #expect(failed.stderr == "lighttouch: \(blocked): cannot write the export (No such file or directory); choose another path\n")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == text)
    }
}
