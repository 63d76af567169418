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
        #expect(lines.first == "time_s,counts,untared_g,grams,filtered_g,in_band,over_range")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.allSatisfy { $0.count == 7 })
        let sessions = try SessionRecordingTests.sessions(dataDir)
        #expect(rows.count == sessions.first?["samples"] as? Int, "every row a sample")
        #expect(rows.filter { !$0[4].isEmpty }.count == scored, "every scored sample has its filtered force")
        // Sample times never go backwards.
        let times = rows.compactMap { Double($0[0]) }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        // The events and the session's metadata are beside it.
        let sidecar = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as? [String: Any])
        #expect(sidecar["session"] as? Int == 1)
        #expect(sidecar["kind"] as? String == "practice")
        let events = try #require(sidecar["events"] as? [[String: Any]]).compactMap { $0["kind"] as? String }
        #expect(events.first == "tare")
        #expect(events.contains("trial_started"))
        // Python's csv module and pandas read it with no options: a header and one record per sample.
        let python = try Programs.run(
            "/usr/bin/python3",
            [
                "-c",
                """
                import csv, sys, pandas
                rows = list(csv.reader(open(sys.argv[1])))
                frame = pandas.read_csv(sys.argv[1])
                print(len(rows) - 1, len(frame), list(frame.columns) == rows[0], str(frame["time_s"].dtype))
                """,
                out,
            ])
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stdout == "\(rows.count) \(rows.count) True float64\n")

        // An export path that cannot be written: one clear error, the old export untouched.
        let blocked = dataDir + "/missing/export.csv"
        let failed = try Programs.run("lighttouch", ["export", "1", "--csv", "--out", blocked, "--data-dir", dataDir])
        #expect(failed.status == 73)
        #expect(failed.stderr == "lighttouch: \(blocked): cannot write the export (No such file or directory); choose another path\n")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == text)
    }
}
