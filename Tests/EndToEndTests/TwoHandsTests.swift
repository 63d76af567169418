import Foundation
import Synchronization
import Testing

/// Two hands, end to end: the trainer's two-hand screen in a real terminal
/// (tmux), the plain and JSON status lines, the recording in a real SQLite
/// file replayed with `--verify`, the errors, and a two-channel sensor
/// through the emulator's USB path.
@Suite(.serialized)
struct TwoHandsPracticeTests {
    let lighttouch = Programs.path("lighttouch")

    static func temporaryDirectory() -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-hands-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A short two-handed student: at rest until 1.5 s (the tare), both hands
    /// at 5 g from 2 to 5 s, then the left at 4.2 g and the right at 6.8 g: the
    /// right hand too heavy, and 4.2/11 = 38 % left, out of the 45–55 % band.
    static func driftingScript() throws -> String {
        let path = temporaryDirectory() + "/hands.csv"
        try """
            time_s,force_g_left,force_g_right
            0,0,0
            1.5,0,0
            2,5,5
            5,5,5
            5.5,4.2,6.8
            60,4.2,6.8
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The hold shown, seconds ("hold ███░░ 3.4 s / 5 s").
    static func holdSeconds(_ pane: String) -> Double? {
        guard let line = pane.split(separator: "\n").first(where: { $0.hasPrefix(" hold") }),
            let slash = line.range(of: " s / ")
        else { return nil }
        return line[..<slash.lowerBound].split(separator: " ").last.flatMap { Double($0) }
    }

    @Test(.enabled(if: PracticeTmux.isAvailable, "tmux and the built lighttouch are needed"))
    func theTwoHandScreenShowsEachHandTheBalanceAndAHoldOnlyWhileBothAreIn() throws {
        let script = try Self.driftingScript()
        let dataDir = Self.temporaryDirectory()
        let term = try PracticeTmux()
        try term.run("\(lighttouch) practice --sensor demo --hands 2 --force-script \(script) --noise-g 0 --data-dir \(dataDir)")
        var pane = try term.waitFor("both hands at 5 g, balanced") {
            $0.contains("L 50.0 % · balanced") && $0.components(separatedBy: "5.00 g").count == 3
        }
        #expect(pane.contains("first-touch · two hands"))
        #expect(pane.contains("LEFT") && pane.contains("RIGHT"))
        #expect(pane.components(separatedBy: "ON TARGET").count == 3, "a verdict for each hand:\n\(pane)")
        #expect(pane.contains("target 5.0 g ± 1.0 each"))
        #expect(pane.contains("balance 50 % ± 5"))
        #expect(pane.contains(" L    ─") && pane.contains(" R    ─"), "a gauge for each hand:\n\(pane)")
        #expect(pane.contains(" bal  ─"), "the balance gauge:\n\(pane)")
        #expect(pane.contains("left ━") && pane.contains("right ━"), "the plot's legend")
        pane = try term.waitFor("a hold over 1 s") { (Self.holdSeconds($0) ?? 0) >= 1 }
        #expect(pane.contains("balanced 100 %"))

        // The right hand goes heavy and the pair out of balance: the hold stops.
        pane = try term.waitFor("the right hand heavier") { $0.contains("L 38.2 % · right heavier") }
        #expect(pane.contains("TOO HEAVY") && pane.contains("ON TARGET"))
        #expect(pane.contains("6.80 g") && pane.contains("4.20 g"))
        pane = try term.waitFor("the hold reset") { Self.holdSeconds($0) == 0 }

        try term.press("Space")
        pane = try term.waitFor("trial 1: score")
        #expect(pane.contains("· L "), "the last result gives the left share:\n\(pane)")
        try term.press("q")
        pane = try term.expectTerminalRestored()
        #expect(pane.contains("L g") && pane.contains("bal %"), "the session table's hands columns:\n\(pane)")

        // The recording replays to the same bytes.
        try Programs.expectReplayReproduces("1", dataDir: dataDir)
    }

    /// `--json` status lines carry each hand, its verdict and the balance; the
    /// results and `replay --json` carry each trial's hands; `--verify` holds.
    @Test func statusLinesAndTheRecordingCarryBothHands() throws {
        let script = try Self.driftingScript()
        let dataDir = Self.temporaryDirectory()
        let run = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--hands", "2", "--force-script", script, "--noise-g", "0", "--json",
             "--duration", "4", "--student", "ann", "--data-dir", dataDir])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let held = try #require(lines.last { $0["left_share_pct"] is Double }, "no two-hand status line in:\n\(run.stdout)")
        // The 1€ filter has all but settled 2 s after the ramp.
        #expect(abs((held["left_g"] as? Double ?? 0) - 5) < 0.001, "\(held)")
        #expect(held["right_g"] as? Double == held["left_g"] as? Double)
        #expect(held["left_verdict"] as? String == "on target")
        #expect(held["left_share_pct"] as? Double == 50)
        #expect(held["balanced"] as? Bool == true)
        let results = try #require(lines.last)
        let trial = try #require((results["trials"] as? [[String: Any]])?.first, "\(results)")
        let hands = try #require(trial["hands"] as? [String: Any])
        #expect(abs(((hands["left"] as? [String: Any])?["mean_g"] as? Double ?? 0) - 5) < 0.1)
        #expect(hands["left_share_mean_pct"] as? Double == 50)
        #expect((results["options"] as? [String: Any])?["hands"] as? Int == 2)

        try Programs.expectReplayReproduces("1", dataDir: dataDir)
        // The export adds each hand and the left share after the one-hand columns.
        let export = try Programs.run("lighttouch", ["export", "1", "--csv", "--data-dir", dataDir])
        #expect(export.status == 0, "\(export.stderr)")
        let rows = export.stdout.split(separator: "\n")
        #expect(
            rows.first
                == "time_s,counts_1,counts_2,untared_g,grams,filtered_g,in_band,over_range,left_g,right_g,left_share_pct,left_grams,right_grams")
        // At 3.5 s both hands press 5 g: the share is exactly 50 % (the same force through the same filter).
        let bothAt5 = try #require(rows.first { $0.hasPrefix("3.5,") })
        #expect(bothAt5.split(separator: ",", omittingEmptySubsequences: false)[10] == "50.0", "\(bothAt5)")

        // progress gives the two-hand session's balanced share: both hands alike until the end at 4 s.
        let progress = try Programs.run("lighttouch", ["progress", "--student", "ann", "--json", "--data-dir", dataDir])
        #expect(progress.status == 0, "\(progress.stderr)")
        let sessions = try #require(try JSONSerialization.jsonObject(with: Data(progress.stdout.utf8)) as? [[String: Any]])
        #expect(sessions.first?["balanced_pct"] as? Double == 100, "\(progress.stdout)")

        let plain = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--hands", "2", "--force-script", script, "--noise-g", "0", "--plain",
             "--duration", "3.5", "--data-dir", dataDir])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("L 5.00 g on target  R 5.00 g on target  balance 50.0% L balanced  hold "), "\(plain.stdout)")
    }

    /// A two-hand session's exports replay as two hands. The live
    /// `--export-samples` CSV and the session's `export --csv` both score, in
    /// `replay`, to the very samples the live session scored (each hand's
    /// filtered force and the pair's verdict, byte for byte), and each hand's
    /// trial is what the one-hand replay of that hand's own column gives. The
    /// balance is checked against the share worked out from the CSV's rows.
    @Test func aTwoHandExportReplaysEachHandAndTheBalance() throws {
        let script = try Self.driftingScript()
        let dir = Self.temporaryDirectory()
        let live = dir + "/live.csv"
        let run = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--hands", "2", "--force-script", script, "--noise-g", "0", "--json",
             "--duration", "8", "--export-samples", live, "--data-dir", dir])
        #expect(run.status == 0, "\(run.stderr)")
        let liveText = try String(contentsOfFile: live, encoding: .utf8)
        #expect(liveText.hasPrefix("time_s,raw_g,filtered_g,in_band,left_g,right_g,left_raw_g,right_raw_g\n"))

        // Scored again from each export, the samples are the live ones.
        let exported = dir + "/session.csv"
        let export = try Programs.run("lighttouch", ["export", "1", "--csv", "--out", exported, "--data-dir", dir])
        #expect(export.status == 0, "\(export.stderr)")
        for (index, source) in [live, exported].enumerated() {
            let again = dir + "/again-\(index).csv"
            let replay = try Programs.run("lighttouch", ["replay", source, "--export-samples", again])
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(try String(contentsOfFile: again, encoding: .utf8) == liveText, "the replay of \(source)")
        }

        // The report draws each hand beside the pair: three traces (each hand's, then the pair's with its
        // in-band stretches on top), and a legend for the hands.
        let svg = dir + "/report.svg"
        let report = try Programs.run("lighttouch", ["report", "1", "--out", svg, "--data-dir", dir])
        #expect(report.status == 0, "\(report.stderr)")
        let drawing = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(drawing.contains("stroke=\"#2e6fb7\" stroke-width=\"1\" stroke-linejoin=\"round\" points="))
        #expect(drawing.contains("stroke=\"#8e44ad\" stroke-width=\"1\" stroke-linejoin=\"round\" points="))
        #expect(drawing.contains(">left hand<") && drawing.contains(">right hand<"))
        // The hold marked is where both hands were in the band and balanced: from the touch at 2 s to the split
        // at 5 s (the mean, 5.5 g, stays in the band after it, but the right hand at 6.8 g does not).
        let bar = try #require(drawing.range(of: ">hold ").map { drawing[$0.upperBound...].prefix { $0 != " " } }.flatMap { Double($0) })
        #expect(bar > 2.5 && bar < 3.6, "hold \(bar) s")

        // The replay's trial: one, found by the pair's touch (both hands at once) and lasting to the end.
        let replay = try Programs.run("lighttouch", ["replay", live, "--json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])
        let trials = try #require(results["trials"] as? [[String: Any]])
        #expect(trials.count == 1)
        let hands = try #require(trials.first?["hands"] as? [String: Any], "\(replay.stdout)")
        #expect((results["options"] as? [String: Any])?["balance_target_pct"] as? Double == 50)

        // Each hand alone, as a one-hand CSV of its own force scored with the session's options (the export's
        // metadata gave them to the pair's replay), is the same trial: the same filter on the same input, and
        // both hands touch at the same sample.
        let recorded = try #require(results["options"] as? [String: Any])
        var sessionOptions: [String] = []
        for (option, key) in [
            ("--target", "target_g"), ("--tolerance", "tolerance_g"), ("--contact", "contact_g"), ("--release", "release_s"),
            ("--grace", "grace_s"), ("--hold", "hold_goal_s"),
        ] {
            let value = try #require(recorded[key] as? Double, "options.\(key)")
            sessionOptions += [option, "\(value)"]
        }
        #expect(recorded["hold_goal_s"] as? Double == 5, "the first-touch drill's hold goal")
        let rows = liveText.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        for (name, column) in [("left", 6), ("right", 7)] {
            let alone = dir + "/\(name).csv"
            try ("time_s,force_g\n" + rows.map { "\($0[0]),\($0[column])\n" }.joined()).write(toFile: alone, atomically: true, encoding: .utf8)
            let one = try Programs.run("lighttouch", ["replay", alone, "--json"] + sessionOptions)
            let oneTrial = try #require(
                ((try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])?["trials"] as? [[String: Any]])?.first,
                "\(one.stdout)\(one.stderr)")
            let hand = try #require(hands[name] as? [String: Any])
            for key in ["start_s", "end_s", "in_band_s", "longest_hold_s", "mean_g", "sd_g", "peak_g", "score", "samples"] {
                let mine = hand[key].map { "\($0)" }, alone = oneTrial[key].map { "\($0)" }
                #expect(mine != nil && mine == alone, "\(name) \(key): \(mine ?? "nil") vs \(alone ?? "nil")")
            }
        }

        // The balance from the rows: the phase starts at the first row with both filtered hands in 4…6 g;
        // the share is 100 L / (L + R) where both touch; balanced while it is within 45…55 %.
        let times = rows.map { Double($0[0]) ?? .nan }, lefts = rows.map { Double($0[4]) ?? .nan }
        let rights = rows.map { Double($0[5]) ?? .nan }
        let first = try #require(lefts.indices.first { (4...6).contains(lefts[$0]) && (4...6).contains(rights[$0]) })
        var shares: [Double] = [], balanced = 0.0
        for index in first..<rows.count {
            guard lefts[index] >= 0.5, rights[index] >= 0.5 else { continue }
            let share = 100 * lefts[index] / (lefts[index] + rights[index])
            shares.append(share)
            if (45...55).contains(share), index + 1 < rows.count { balanced += times[index + 1] - times[index] }
        }
        let mean = shares.reduce(0, +) / Double(shares.count)
        #expect(abs((hands["left_share_mean_pct"] as? Double ?? .nan) - mean) < 2e-6, "\(hands)")
        #expect(abs((hands["balanced_s"] as? Double ?? .nan) - balanced) < 2e-3, "\(hands)")
        // The right hand drifts heavy from 5 s: 4.2 / 11 = 38.2 %, unbalanced.
        #expect(mean < 50 && balanced < times[rows.count - 1] - times[first])

        // Bad input: half a pair, and a balance band for a one-hand file.
        let half = dir + "/half.csv"
        try "time_s,left_force_g\n0,1\n".write(toFile: half, atomically: true, encoding: .utf8)
        let bad = try Programs.run("lighttouch", ["replay", half])
        #expect(bad.status == 65 && bad.stderr == "lighttouch: \(half):1: right_force_g is missing: two hands need both `left_force_g,right_force_g`\n")
        let left = dir + "/left.csv"
        let oneHand = try Programs.run("lighttouch", ["replay", left, "--balance", "40"])
        #expect(oneHand.status == 64 && oneHand.stderr.contains("--balance and --balance-tolerance apply to two hands"), "\(oneHand.stderr)")
    }

    /// A two-hand protocol: the demo plays both hands alike (so the left share
    /// is exactly 50 % throughout), the balance criterion is graded, and the
    /// replay prints the live results line byte for byte.
    @Test func aTwoHandProtocolIsGradedOnTheBalanceAndReplaysExactly() throws {
        let directory = Self.temporaryDirectory()
        let script = directory + "/even.csv"
        try "time_s,force_g,force_g\n0,0,0\n1.5,0,0\n2,5,5\n60,5,5\n".write(toFile: script, atomically: true, encoding: .utf8)
        let protocolFile = directory + "/cv4.toml"
        try """
            version = 1
            name = "cv4-hold"
            hands = 2
            trials = 1
            hold_s = 2
            trial_length_s = 3
            rest_s = 0
            feedback = "full"
            criteria = ["balanced_pct >= 80", "left_share_sd_pct <= 1", "right_in_band_pct >= 50"]
            """.write(toFile: protocolFile, atomically: true, encoding: .utf8)
        let live = try Programs.run(
            "lighttouch",
            ["assess", "--protocol", protocolFile, "--student", "ann", "--sensor", "demo", "--force-script", script, "--noise-g", "0",
             "--json", "--data-dir", directory], timeout: 60)
        #expect(live.status == 0, "\(live.stderr)")
        let results = try #require(Programs.lastJSONObject(live.stdout), "\(live.stdout)")
        let assessment = try #require(results["assessment"] as? [String: Any])
        #expect(assessment["passed"] as? Bool == true, "\(assessment)")
        let criteria = try #require(assessment["criteria"] as? [[String: Any]])
        // Balanced all through the balance phase, without any spread; the right hand alone is in the
        // band for the trial less its start on the ramp (the trial starts at the touch).
        #expect(criteria.map { $0["metric"] as? String } == ["balanced_pct", "left_share_sd_pct", "right_in_band_pct"])
        #expect(criteria[0]["value"] as? Double == 100, "\(criteria)")
        #expect(criteria[1]["value"] as? Double == 0, "\(criteria)")
        #expect((80..<100).contains(criteria[2]["value"] as? Double ?? 0), "\(criteria)")
        let trial = try #require((results["trials"] as? [[String: Any]])?.first)
        #expect((trial["hands"] as? [String: Any])?["left_share_mean_pct"] as? Double == 50)
        // The examiner's JSON lines carry each hand while the protocol shows the force.
        #expect(live.stdout.contains(#""left_share_pct":50"#))
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", directory])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout == (live.stdout.split(separator: "\n").last.map(String.init) ?? "") + "\n")
    }

    /// Calibration per channel: `calibrate run --channel` on a two-channel
    /// sensor writes a certificate a channel (its channel recorded in it and in
    /// the run, so the run replays to the same certificate); two hands use one
    /// `--calibration` per channel, and refuse a calibration of channel 0 alone.
    @Test func eachChannelIsCalibratedAndTwoHandsUseBoth() throws {
        let directory = Self.temporaryDirectory()
        // Two series of 0, 2, 5, 2 g and back to 0: plateaus of 1.4 s with 0.3 s moves, both channels alike.
        var rows = ["time_s,force_g"]
        var t = 0.0
        for load in [0, 2, 5, 2, 0, 2, 5, 2, 0] {
            rows.append("\(t),\(load)")
            t += 1.4
            rows.append("\(t),\(load)")
            t += 0.3
        }
        rows.append("\(t + 3),0")
        let script = directory + "/masses.csv"
        try (rows.joined(separator: "\n") + "\n").write(toFile: script, atomically: true, encoding: .utf8)
        let fast = ["--stable-window-s", "0.25", "--settle-s", "0.3", "--reading-s", "0.5", "--step-timeout-s", "20"]
        let common = ["calibrate", "run", "--sensor", "demo", "--channels", "2", "--rate", "80", "--force-script", script, "--noise-g",
                      "0", "--yes", "--masses", "2,5", "--series", "2", "--degree", "1"] + fast
        // Both channels' runs at once (two demo sensors, a store each), to keep the test short.
        let runs = Mutex([Int: Programs.Result]())
        DispatchQueue.concurrentPerform(iterations: 2) { channel in
            let result = try? Programs.run(
                "lighttouch",
                common + ["--channel", "\(channel)", "--out", directory + "/ch\(channel).json", "--data-dir", directory + "/data\(channel)"],
                timeout: 60)
            runs.withLock { $0[channel] = result }
        }
        for channel in [0, 1] {
            let run = try #require(runs.withLock { $0[channel] }, "channel \(channel) did not run")
            #expect(run.status == 0, "channel \(channel): \(run.stderr)")
        }
        let certificates = try [0, 1].map { channel in
            try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/ch\(channel).json")))
                    as? [String: Any])
        }
        // Channel 0's certificate is a one-channel certificate as before; channel 1's says its channel.
        #expect(certificates[0]["channel"] == nil)
        #expect(certificates[1]["channel"] as? Int == 1)
        // The demo's channel 1 reads 1000 counts more at zero: each channel's own c0.
        let c0 = certificates.map { ($0["coefficients"] as? [Double])?.first ?? 0 }
        #expect(abs(c0[0] - 120_000) < 1 && abs(c0[1] - 121_000) < 1, "\(c0)")
        for channel in [0, 1] {
            try Programs.expectReplayReproduces("1", dataDir: directory + "/data\(channel)")
        }

        let calibrated = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--hands", "2", "--calibration", directory + "/ch0.json", "--calibration",
             directory + "/ch1.json", "--plain", "--duration", "1", "--data-dir", directory + "/data"])
        #expect(calibrated.status == 0, "\(calibrated.stderr)")
        #expect(!calibrated.stdout.contains("uncalibrated"), "\(calibrated.stdout)")
        let half = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--hands", "2", "--calibration", directory + "/ch0.json", "--plain", "--duration", "1",
             "--data-dir", directory + "/data"])
        #expect(half.status == 65)
        #expect(half.stderr == "lighttouch: the calibration (\(directory)/ch0.json) covers 1 of the 2 channels two hands use: give a "
            + "certificate for each channel (--calibration once per channel, from `calibrate run --channel`)\n")
        let wrong = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--hands", "2", "--calibration", directory + "/ch1.json", "--plain", "--duration", "1"])
        #expect(wrong.status == 65)
        #expect(wrong.stderr.hasPrefix("lighttouch: \(directory)/ch1.json is channel 1's certificate: give every channel's"), "\(wrong.stderr)")
    }

    @Test(arguments: [
        (["--hands", "3"], 64, "lighttouch: --hands must be 1 or 2 (got 3)"),
        (["--hands", "1", "--balance", "60"], 64, "lighttouch: --balance and --balance-tolerance apply to two hands only (--hands 2)"),
        (["--balance", "60"], 64, "lighttouch: --balance and --balance-tolerance apply to two hands only: add --hands 2"),
        (["--hands", "2", "--balance-tolerance", "70"], 64, "lighttouch: --balance-tolerance must be positive"),
        (["--hands", "2", "--channels", "3"], 64, "lighttouch: two hands need a sensor with two channels (left and right); LT-DEMO-0001 has 3"),
    ])
    func badHandsOptionsGetOneLine(arguments: [String], status: Int32, message: String) throws {
        let result = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--plain", "--duration", "1", "--data-dir", Self.temporaryDirectory()] + arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// The emulated two-channel sensor through libusb: the two-hands student
    /// at a low rate, briefly, then the recording replayed to the same bytes.
    @Test(.enabled(if: Emulator.isAvailable, "skipped: \(Emulator.unavailableReason ?? "")"))
    func theEmulatedTwoChannelSensorPlaysTwoHands() throws {
        let dataDir = Self.temporaryDirectory()
        let result = try Emulator.run(
            ["--channels", "2", "--scenario", "two-hands", "--rate", "80", "--noise-g", "0", "--quiet"],
            command: [lighttouch, "practice", "--hands", "2", "--json", "--duration", "4.5", "--data-dir", dataDir])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let held = try #require(lines.last { $0["left_share_pct"] is Double }, "no two-hand status line in:\n\(result.stdout)")
        // Past 3.2 s both hands are near 5 g (the left at 5 ± 0.13, the right at 4.9 ± 0.11 + 0.15 g/s).
        let share = try #require(held["left_share_pct"] as? Double)
        #expect((45...55).contains(share), "\(held)")
        #expect(held["balanced"] as? Bool == true)
        let trial = try #require(((lines.last?["trials"]) as? [[String: Any]])?.first, "\(result.stdout)")
        #expect(trial["hands"] is [String: Any])

        try Programs.expectReplayReproduces("1", dataDir: dataDir)
    }
}
