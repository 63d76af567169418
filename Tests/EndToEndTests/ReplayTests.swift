import Foundation
import Testing

/// `lighttouch replay` and the live pipeline, run as built.
@Suite struct ReplayTests {
    func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-\(UUID().uuidString)-\(name)")
    }

    /// The demo sensor's steady student practised for `seconds` with
    /// `options`, its samples exported to `export`, then `replay --json` of
    /// the export, which must print the live results line exactly.
    func replayOfALiveExport(seconds: Int, options: [String] = [], export: URL) throws -> String {
        let live = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--scenario", "steady", "--duration", "\(seconds)", "--json", "--export-samples", export.path]
                + options,
            timeout: 90)
        #expect(live.status == 0, "\(live.stderr)")
        let liveResults = try #require(live.stdout.split(separator: "\n").last.map(String.init))
        let replay = try Programs.run("lighttouch", ["replay", export.path, "--json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout == liveResults + "\n")
        return replay.stdout
    }

    @Test func liveAndReplayedScoresOfTheSameSamplesAreIdentical() throws {
        let export = temporary("live.csv")
        defer {
            try? FileManager.default.removeItem(at: export)
            try? FileManager.default.removeItem(atPath: export.path + ".json")
        }
        // 22 s of the demo sensor's steady student: one full trial and the start of the next.
        let replay = try replayOfALiveExport(seconds: 22, export: export)
        let results = try #require(Programs.lastJSONObject(replay))
        let trials = try #require(results["trials"] as? [[String: Any]])
        #expect(trials.count >= 1)
        // The steady student holds near 5 g for about 12 s.
        let first = try #require(trials.first)
        #expect((first["mean_g"] as? Double).map { abs($0 - 5) < 0.3 } == true)
        #expect((first["longest_hold_s"] as? Double ?? 0) > 9)
    }

    /// A session practised with options other than the defaults: its export's
    /// metadata carries them, so a replay scores as the session did, and an
    /// option given to replay changes that option alone.
    @Test func anExportReplaysWithTheOptionsOfItsSession() throws {
        let export = temporary("options.csv")
        defer {
            try? FileManager.default.removeItem(at: export)
            try? FileManager.default.removeItem(atPath: export.path + ".json")
        }
        let options = [
            "--target", "5.5", "--tolerance", "1.5", "--contact", "1", "--release", "0.7", "--grace", "0.3", "--hold", "8",
            "--filter", "one-euro", "--min-cutoff-hz", "0.8", "--beta", "0.02", "--spike-window", "5",
        ]
        let replay = try replayOfALiveExport(seconds: 16, options: options, export: export)
        let recorded = try #require(Programs.lastJSONObject(replay)?["options"] as? [String: Any])
        #expect(recorded["target_g"] as? Double == 5.5)
        #expect(recorded["filter"] as? String == "one-euro")
        #expect(recorded["spike_window"] as? Int == 5)

        // Another tolerance: that one changes, the session's other options stay.
        let strict = try Programs.run("lighttouch", ["replay", export.path, "--json", "--tolerance", "0.25"])
        #expect(strict.status == 0, "\(strict.stderr)")
        let regraded = try #require(Programs.lastJSONObject(strict.stdout)?["options"] as? [String: Any])
        #expect(regraded["tolerance_g"] as? Double == 0.25)
        #expect(regraded["target_g"] as? Double == 5.5)
        #expect(regraded["hold_goal_s"] as? Double == 8)
        #expect(regraded["beta"] as? Double == 0.02)
        // A target that makes no sense with the recorded tolerance and contact
        // (2 ± 1.5 g reaches down to 0.5 g, below the 1 g contact): one line naming the file.
        let nonsense = try Programs.run("lighttouch", ["replay", export.path, "--target", "2"])
        #expect(nonsense.status == 64)
        #expect(
            nonsense.stderr
                == "lighttouch: --contact (1.0 g) must be below the band's lower edge (0.5 g), with the recorded options of \(export.path)\n")
        #expect(nonsense.stdout.isEmpty)
    }

    /// Options given to a replay are checked with what they meet: a
    /// tolerance of 6 g is wrong for the default 5 g target but right for a
    /// session recorded at 10 g.
    @Test func optionsAreCheckedWithTheRecordedOnesTheyJoin() throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let live = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--scenario", "steady", "--duration", "3", "--json", "--target", "10", "--tolerance", "2",
             "--data-dir", dataDir])
        #expect(live.status == 0, "\(live.stderr)")
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--tolerance", "6", "--data-dir", dataDir])
        #expect(replay.status == 0, "\(replay.stderr)")
        let options = try #require(Programs.lastJSONObject(replay.stdout)?["options"] as? [String: Any])
        #expect(options["target_g"] as? Double == 10)
        #expect(options["tolerance_g"] as? Double == 6)
        // Too wide for the recorded target too: one line, after the options met.
        let wide = try Programs.run("lighttouch", ["replay", "1", "--tolerance", "12", "--data-dir", dataDir])
        #expect(wide.status == 64)
        #expect(wide.stderr == "lighttouch: --tolerance (12.0 g) must be smaller than --target (10.0 g), with the recorded options of the session\n")
    }

    @Test func theSameInputAndOptionsGiveByteIdenticalJSON() throws {
        let file = temporary("trace.csv")
        defer { try? FileManager.default.removeItem(at: file) }
        var text = "time_s,force_g\n"
        for index in 0..<4000 {
            let t = Double(index) / 200
            let phase = t.truncatingRemainder(dividingBy: 10)
            let force = phase < 1 || phase > 8 ? 0 : 5 + 0.3 * sin(3 * t) + (index % 7 == 0 ? 0.4 : 0)
            text += "\(t),\(force)\n"
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        for filter in ["none", "butterworth", "one-euro"] {
            let first = try Programs.run("lighttouch", ["replay", file.path, "--json", "--filter", filter])
            let second = try Programs.run("lighttouch", ["replay", file.path, "--json", "--filter", filter])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout == second.stdout)
            let results = try #require(Programs.lastJSONObject(first.stdout))
            #expect((results["trials"] as? [Any])?.count == 2, "\(filter)")
            #expect((results["options"] as? [String: Any])?["filter"] as? String == filter)
            #expect((results["options"] as? [String: Any])?["sample_rate_hz"] as? Double == 200)
        }
        // Another tolerance re-grades the same samples.
        let strict = try Programs.run("lighttouch", ["replay", file.path, "--json", "--filter", "none", "--tolerance", "0.1"])
        let loose = try Programs.run("lighttouch", ["replay", file.path, "--json", "--filter", "none"])
        let strictPct = ((Programs.lastJSONObject(strict.stdout)?["trials"] as? [[String: Any]])?.first?["in_band_pct"] as? Double) ?? -1
        let loosePct = ((Programs.lastJSONObject(loose.stdout)?["trials"] as? [[String: Any]])?.first?["in_band_pct"] as? Double) ?? -1
        #expect(strictPct >= 0 && strictPct < loosePct)
    }

    @Test func theSampleExportHasEverySample() throws {
        let input = temporary("in.csv"), output = temporary("out.csv")
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: output)
        }
        try "time_s,force_g\n0,0\n0.5,5\n1,5.5\n1.5,7\n2,0\n".write(to: input, atomically: true, encoding: .utf8)
        let result = try Programs.run("lighttouch", ["replay", input.path, "--filter", "none", "--export-samples", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "time_s,raw_g,filtered_g,in_band")
        #expect(Array(lines[1...5]) == ["0.0,0.0,0.0,0", "0.5,5.0,5.0,1", "1.0,5.5,5.5,1", "1.5,7.0,7.0,0", "2.0,0.0,0.0,0"])
        #expect(lines.count == 6, "a header and the samples, nothing else")
        let sidecar = try String(contentsOf: URL(fileURLWithPath: output.path + ".json"), encoding: .utf8)
        #expect(
            sidecar
                == "{\"format\":\"lighttouch-samples\",\"version\":1,\"sample_rate_hz\":2,\"calibrated\":true,"
                + "\"lost_frames\":0,\"rejected_samples\":0,\"options\":{\"target_g\":5,\"tolerance_g\":1,\"contact_g\":0.5,"
                + "\"release_s\":0.5,\"grace_s\":0.2,\"hold_goal_s\":10,\"filter\":\"none\",\"spike_window\":0,\"sample_rate_hz\":2}}\n")
        try? FileManager.default.removeItem(atPath: output.path + ".json")
    }

    /// A binary file's bytes are never echoed: the error quotes them escaped and cut short.
    @Test func anErrorNeverEchoesControlCharacters() throws {
        let input = temporary("binary.csv")
        defer { try? FileManager.default.removeItem(at: input) }
        var bytes: [UInt8] = Array("\u{1B}[2J\u{1B}]0;pwned\u{07}".utf8) + (0..<200).map { UInt8($0) }
        bytes += Array("\n0,1\n".utf8)
        try Data(bytes).write(to: input)
        let result = try Programs.run("lighttouch", ["replay", input.path])
        #expect(result.status == 65)
        #expect(!result.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        #expect(result.stderr.hasPrefix("lighttouch: \(input.path):1: the first column must be time_s"))
        #expect(result.stderr.contains("\\u{1B}[2J"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test(arguments: [
        ("time_s,force_g\n0,1\n0.1,abc\n", [], 65, ":3: `abc` in column force_g is not a number"),
        ("time,force\n0,1\n", [], 65, ":1: the first column must be time_s"),
        ("", [], 65, ": the file is empty"),
        ("time_s,force_g\n0.2,1\n0.1,1\n", [], 65, ":3: time goes backwards"),
        ("time_s,force_g\n0,1\n0.1,1\n", ["--tolerance", "9"], 64, "--tolerance (9.0 g) must be smaller than --target (5.0 g)"),
        ("time_s,force_g\n0,1\n0.1,1\n", ["--target=-1"], 64, "--target must be a positive number (got -1.0)"),
        ("time_s,force_g\n0,1\n0.1,1\n", ["--grace", "nan"], 64, "--grace must be a non-negative number (got nan)"),
        ("time_s,force_g\n0,1\n0.1,1\n", ["--filter", "kalman"], 64, "unknown filter `kalman`"),
        ("time_s,force_g\n0,1\n0.1,1\n", ["--filter", "butterworth", "--cutoff-hz", "8"], 64, "--cutoff-hz"),
    ] as [(String, [String], Int32, String)])
    func badInputIsOneLineNamingTheFileAndLine(text: String, options: [String], status: Int32, fragment: String) throws {
        let file = temporary("bad.csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let result = try Programs.run("lighttouch", ["replay", file.path] + options)
        #expect(result.status == status)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("lighttouch: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
    }
}
