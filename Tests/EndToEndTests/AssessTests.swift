import Foundation
import Testing

/// `lighttouch assess` through the demo sensor's scripted students: a
/// gradebook entry, a replay equal to the live run, and bad protocols refused.
@Suite struct AssessTests {
    @Test(arguments: [("steady", true), ("novice", false)])
    func anAssessmentIsGradedRecordedAndReplayedExactly(scenario: String, shouldPass: Bool) throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let live = try Programs.run(
            "lighttouch",
            ["assess", "--protocol", "basic-5g", "--student", "s-\(scenario)", "--examiner", "E. Xam", "--sensor", "demo",
             "--scenario", scenario, "--json", "--data-dir", dataDir], timeout: 120)
        #expect(live.status == 0, "\(live.stderr)")
        let lines = live.stdout.split(separator: "\n").map(String.init)
        let last = try #require(lines.last)
        let results = try #require(Programs.lastJSONObject(live.stdout))
        #expect(results["protocol"] as? String == "basic-5g")
        let trials = try #require(results["trials"] as? [[String: Any]])
        #expect(trials.count == 3)
        #expect(trials.allSatisfy { $0["feedback"] as? String == "blind" && abs(($0["duration_s"] as? Double ?? 0) - 10) < 1e-6 })
        let assessment = try #require(results["assessment"] as? [String: Any])
        #expect(assessment["passed"] as? Bool == shouldPass)
        let criteria = try #require(assessment["criteria"] as? [[String: Any]])
        #expect(criteria.map { $0["metric"] as? String } == ["in_band_pct", "longest_hold_s", "cv", "overshoot_g"])
        #expect(criteria.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        // Blind: the examiner's status lines never show the force during a trial.
        let status = lines.dropLast().compactMap { Programs.lastJSONObject($0) }
        #expect(status.contains { $0["phase"] as? String == "trial" })
        #expect(status.filter { $0["phase"] as? String == "trial" }.allSatisfy { $0["force_g"] is NSNull })

        // The gradebook, with the protocol's content hash.
        let protocols = try Programs.run("lighttouch", ["protocols"])
        let hash = try #require(results["protocol_hash"] as? String)
        #expect(protocols.stdout.contains("content hash: \(hash)"))
        let grades = try Programs.run("lighttouch", ["grades", "--json", "--data-dir", dataDir])
        #expect(grades.status == 0, "\(grades.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(grades.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["student"] as? String == "s-\(scenario)")
        #expect(rows.first?["protocol_hash"] as? String == hash)
        #expect(rows.first?["passed"] as? Bool == shouldPass)
        #expect(rows.first?["score"] as? Double == assessment["score"] as? Double)
        let csv = try Programs.run("lighttouch", ["grades", "--csv", "--student", "s-\(scenario)", "--data-dir", dataDir])
        #expect(csv.stdout.hasPrefix("date,student,examiner,protocol,protocol_hash,session,score,result,grade,in_band_pct,longest_hold_s,cv,overshoot_g\n"))

        // The replay equals the live run, byte for byte.
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout == last + "\n")

        // A report, as SVG (rendered to PNG when rsvg-convert is installed) and as HTML.
        let svg = dataDir + "/report.svg"
        let report = try Programs.run("lighttouch", ["report", "1", "--out", svg, "--data-dir", dataDir])
        #expect(report.status == 0, "\(report.stderr)")
        let drawing = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(drawing.hasPrefix("<?xml"))
        #expect(drawing.contains("trial 3: "))
        #expect(drawing.contains(shouldPass ? "PASS: score" : "FAIL: score"))
        #expect(drawing.contains("hold "))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
            let png = dataDir + "/report.png"
            let rendered = try Programs.run("/usr/bin/rsvg-convert", [svg, "-o", png])
            #expect(rendered.status == 0, "\(rendered.stderr)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
        let html = try Programs.run("lighttouch", ["report", "1", "--out", dataDir + "/report.html", "--data-dir", dataDir])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(try String(contentsOfFile: dataDir + "/report.html", encoding: .utf8).contains("<svg"))
        let blocked = try Programs.run("lighttouch", ["report", "1", "--out", dataDir + "/no/such/report.svg", "--data-dir", dataDir])
        #expect(blocked.status == 73)

        let sessions = try SessionRecordingTests.sessions(dataDir)
        #expect(sessions.first?["kind"] as? String == "assessment")
        #expect(sessions.first?["protocol"] as? String == "basic-5g")
        let progress = try Programs.run("lighttouch", ["progress", "--student", "s-\(scenario)", "--data-dir", dataDir])
        #expect(progress.status == 0)
        #expect(progress.stdout.contains("assessment"))
    }

    @Test func anInvalidProtocolIsRefusedBeforeAnythingStarts() throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("protocol-\(UUID().uuidString).toml").path
        try "version = 1\ntrials = 2\ncriteria = [\"in_band_pct >= 70\", \"wobble <= 2\"]\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try Programs.run(
            "lighttouch", ["assess", "--protocol", file, "--student", "x", "--sensor", "demo", "--data-dir", dataDir])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("lighttouch: \(file):3: key `criteria`: \"wobble\" is not a metric (allowed: "))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dataDir), "nothing was recorded")

        let unknown = try Programs.run("lighttouch", ["assess", "--protocol", "advanced-9g", "--student", "x", "--sensor", "demo"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr == "lighttouch: no protocol `advanced-9g`: not a built-in protocol (basic-5g) nor a protocol file\n")
    }
}
