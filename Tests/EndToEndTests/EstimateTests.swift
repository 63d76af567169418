import Foundation
import Testing

/// Estimate before the score, as a user meets it: the prompt on a real
/// terminal (tmux), estimates typed on stdin with `--plain`, and sessions
/// with estimates replayed byte for byte and listed by `progress`.
@Suite(.serialized) struct EstimateTests {
    let lighttouch = Programs.path("lighttouch")

    func temporaryDirectory(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    }

    /// Two blind 3 s trials with a 1 s rest, each asking for grams and the hold.
    static let shortDrill = """
        version = 1
        name = "short-estimate"
        trials = 2
        hold_s = 2
        trial_length_s = 3
        rest_s = 1
        feedback = "blind"
        estimate = "grams+hold"
        """

    /// `--plain` reads each estimate from a stdin line; a bad line gets one
    /// line on stderr and the next is read; at stdin's end the estimates left are skipped.
    @Test func plainReadsEstimatesFromStdinAndTheSessionReplaysExactly() throws {
        let dataDir = temporaryDirectory("lt-estimate-plain")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let drill = dataDir + "/short.toml"
        try Self.shortDrill.write(toFile: drill, atomically: true, encoding: .utf8)
        let result = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--scenario", "steady", "--drill", drill, "--plain", "--duration", "40",
             "--data-dir", dataDir, "--student", "ada"],
            input: "heavy\n4.5 9\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr
                == "lighttouch: estimate of trial 1: `heavy` is not the mean force in grams; type e.g. `4.5 6`, or `skip`\n")
        let asking = result.stdout.split(separator: "\n").filter { $0.contains("estimate trial 1 before its result") }
        #expect(!asking.isEmpty)
        #expect(asking.allSatisfy {
            $0.contains("feedback off  estimate trial 1 before its result: type the mean force in g, then the longest hold in s")
        }, "no force while asking: \(asking.prefix(2))")
        // Each trial's line comes only after its estimate.
        #expect(result.stdout.contains("trial 1 done: score"))
        #expect(result.stdout.contains("Estimates, made before each result was shown:"))
        #expect(result.stdout.contains("1 of 2 estimates given"), "\(result.stdout.suffix(600))")
        #expect(result.stdout.contains("    2  grams+hold  skipped"), "\(result.stdout.suffix(600))")

        try Programs.expectReplayReproduces("1", dataDir: dataDir)

        // The errors are estimate − actual, from the trial's own mean and hold.
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        let results = try #require(Programs.lastJSONObject(replay.stdout))
        let trials = try #require(results["trials"] as? [[String: Any]])
        let first = try #require(trials.first)
        let estimate = try #require(first["estimate"] as? [String: Any])
        #expect(estimate["asked"] as? String == "grams+hold")
        #expect(estimate["force_g"] as? Double == 4.5 && estimate["hold_s"] as? Double == 9)
        let mean = try #require(first["mean_g"] as? Double), hold = try #require(first["longest_hold_s"] as? Double)
        #expect(abs((estimate["force_error_g"] as? Double ?? .nan) - (4.5 - mean)) <= 1e-6)
        #expect(abs((estimate["hold_error_s"] as? Double ?? .nan) - (9 - hold)) <= 1e-6)
        #expect((trials.last?["estimate"] as? [String: Any])?["skipped"] as? Bool == true)

        let svg = dataDir + "/report.svg"
        let report = try Programs.run("lighttouch", ["report", "1", "--out", svg, "--data-dir", dataDir])
        #expect(report.status == 0, "\(report.stderr)")
        let drawn = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(drawn.contains("trial 1 estimate (grams+hold): said 4.5 g, 9 s · it was "))
        #expect(drawn.contains("trial 2 estimate (grams+hold): skipped"))

        let progress = try Programs.run("lighttouch", ["progress", "--student", "ada", "--data-dir", dataDir])
        #expect(progress.status == 0, "\(progress.stderr)")
        #expect(progress.stdout.contains("est. force err g  est. hold err s  verdicts right"), "\(progress.stdout)")
        let error = abs(4.5 - mean)
        #expect(progress.stdout.contains(String(format: "%.2f", error)), "\(progress.stdout)")
    }

    /// The same through the emulated USB sensor (libusb under umockdev, 80 Hz):
    /// both estimates read from stdin, recorded, and the session replays exactly.
    @Test(.enabled(if: Emulator.isAvailable, "skipped: \(Emulator.unavailableReason ?? "")"))
    func estimatesThroughTheEmulatorAreRecordedAndReplayExactly() throws {
        let dataDir = temporaryDirectory("lt-estimate-emulator")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let drill = dataDir + "/short.toml"
        try Self.shortDrill.write(toFile: drill, atomically: true, encoding: .utf8)
        let practice = "printf '4.5 2\\n5 2.5\\n' | '\(lighttouch)' practice --drill '\(drill)' --plain --duration 40 --data-dir '\(dataDir)' --student ada"
        let result = try Emulator.run(
            ["--scenario", "steady", "--rate", "80", "--noise-g", "0", "--quiet"], command: ["/bin/sh", "-c", practice], timeout: 90)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2 of 2 estimates given"), "\(result.stdout.suffix(600))")
        try Programs.expectReplayReproduces("1", dataDir: dataDir)
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        let trials = try #require(Programs.lastJSONObject(replay.stdout)?["trials"] as? [[String: Any]])
        let estimates = trials.compactMap { $0["estimate"] as? [String: Any] }
        #expect(estimates.map { $0["force_g"] as? Double } == [4.5, 5])
        #expect(estimates.map { $0["hold_s"] as? Double } == [2, 2.5])
    }

    /// An assessment's protocol asks for estimates and grades them; `--json` reads them from stdin too.
    @Test func anAssessmentGradesTheEstimatesReadFromStdin() throws {
        let dataDir = temporaryDirectory("lt-estimate-assess")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let file = dataDir + "/estimate-check.toml"
        try """
            version = 1
            name = "estimate-check"
            trials = 2
            hold_s = 2
            trial_length_s = 3
            rest_s = 1
            estimate = "verdict+hold"
            criteria = ["estimate_verdict_error <= 0", "estimate_hold_error_s <= 60"]
            """.write(toFile: file, atomically: true, encoding: .utf8)
        // The steady student holds 5 g through both trials: on target, and a hold of at most 3 s.
        let result = try Programs.run(
            "lighttouch",
            ["assess", "--protocol", file, "--student", "ada", "--sensor", "demo", "--scenario", "steady", "--json",
             "--data-dir", dataDir],
            input: "target 3\non target, 2.5\n")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").compactMap { Programs.lastJSONObject(String($0)) }
        #expect(lines.contains { $0["phase"] as? String == "estimate" && $0["estimate"] as? String == "verdict" })
        let results = try #require(lines.last)
        let trials = try #require(results["trials"] as? [[String: Any]])
        let estimates = trials.compactMap { $0["estimate"] as? [String: Any] }
        #expect(estimates.map { $0["verdict"] as? String } == ["on target", "on target"])
        #expect(estimates.map { $0["hold_s"] as? Double } == [3, 2.5])
        let assessment = try #require(results["assessment"] as? [String: Any])
        let criteria = try #require(assessment["criteria"] as? [[String: Any]])
        #expect(criteria.map { $0["metric"] as? String } == ["estimate_verdict_error", "estimate_hold_error_s"])
        #expect(criteria.first?["value"] as? Double == 0, "\(criteria)")
        #expect(assessment["passed"] as? Bool == true, "\(assessment)")

        try Programs.expectReplayReproduces("1", dataDir: dataDir)
    }

    /// A bad drill file key or value names the file, the line and what is allowed.
    @Test func aBadEstimateInADrillFileIsOneLine() throws {
        let dataDir = temporaryDirectory("lt-estimate-bad")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let drill = dataDir + "/bad.toml"
        try "version = 1\nestimate = \"mindreading\"\n".write(toFile: drill, atomically: true, encoding: .utf8)
        let failed = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--drill", drill, "--plain"])
        #expect(failed.status == 65)
        #expect(
            failed.stderr
                == "lighttouch: \(drill):2: key `estimate`: \"mindreading\" is not an estimate (allowed: one of none, verdict, grams, hold, verdict+hold, grams+hold, or a list of them (one per trial))\n")
    }
}

/// The prompt on a real terminal: typed with keys, nothing of the trial shown
/// until it is answered, then the estimate beside the result; the session
/// replays to the same bytes.
@Suite(.serialized, .enabled(if: PracticeTmux.isAvailable, "tmux and the built lighttouch are needed"))
struct EstimateScreenTests {
    let lighttouch = Programs.path("lighttouch")

    @Test func thePromptIsAnsweredWithKeysAndTheSessionReplaysExactly() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("lt-estimate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux()
        try term.run(
            "\(lighttouch) practice --sensor demo --scenario rest --noise-g 0 --drill blind-estimate --trials 2 --data-dir \(dataDir)")
        try term.waitFor("the trainer, tared") { $0.contains("q quit") && $0.contains("trial 1 of 2") && !$0.contains("taring") }
        // Press to 5 g: the touch starts trial 1, blind; space ends it early.
        try term.press(contentsOf: Array(repeating: "Up", count: 10))
        try term.waitFor("s of 12 s")
        var pane = try term.waitFor("feedback off")
        try term.press("Space")
        pane = try term.waitFor("Before you see its result, estimate it:")
        #expect(pane.contains("▸ your mean force, in grams? ▏"))
        #expect(pane.contains("trial 1 of 2 ended: your estimate first, then its result"))
        #expect(pane.contains("digits and . · Enter takes it · Backspace corrects · x skip · q quit"))
        #expect(!pane.contains("▼") && !pane.contains("score") && !pane.contains("5.00 g"), "nothing of the trial: \(pane)")

        // A letter gets a hint; Backspace corrects; Enter takes the number.
        try term.press("z")
        try term.waitFor("type a number (digits and .), then Enter")
        try term.press("4", ".", "7", "BSpace", "5")
        try term.waitFor("your mean force, in grams? 4.5▏")
        try term.press("Enter")
        pane = try term.waitFor("▸ your longest hold in the band, in seconds? ▏")
        #expect(pane.contains("  your mean force, in grams? 4.5 g"))
        try term.press("9", "Enter")
        pane = try term.waitFor("trial 1: you estimated 4.5 g, 9 s · it was")
        #expect(pane.contains("trial 1: score"))

        // Trial 2 starts at space (the hand is still on the sensor): x skips its estimate.
        try term.press("Space")
        try term.waitFor("trial 2 of 2 · ")
        try term.press("Space")
        try term.waitFor("Trial 2 is over.")
        try term.press("x")
        try term.waitFor("trial 2: estimate skipped")
        try term.press("q")
        pane = try term.expectTerminalRestored()
        #expect(pane.contains("Estimates, made before each result was shown:"))
        #expect(pane.contains("1 of 2 estimates given"))

        try Programs.expectReplayReproduces("1", dataDir: dataDir)
        let exported = dataDir + "/estimates.csv"
        let export = try Programs.run("lighttouch", ["export", "1", "--csv", "--out", exported, "--data-dir", dataDir])
        #expect(export.status == 0, "\(export.stderr)")
        let metadata = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exported + ".json"))) as? [String: Any])
        let keys = try #require(metadata["events"] as? [[String: Any]]).filter { $0["kind"] as? String == "key" }
            .compactMap { $0["detail"] as? String }
        #expect(keys == ["space", "estimate_grams:4.5", "estimate_hold_s:9.0", "space", "space", "estimate_skip"], "\(keys)")
    }

    /// `assess` full-screen with a protocol that asks for estimates: the
    /// examiner's screen asks, takes the keys, shows no force, and the grade
    /// counts the estimate.
    @Test func theExaminersScreenTakesTheEstimate() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("lt-estimate-assess-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let file = dataDir + "/estimate-one.toml"
        try """
            version = 1
            name = "estimate-one"
            trials = 1
            hold_s = 2
            trial_length_s = 3
            estimate = "verdict+hold"
            criteria = ["estimate_verdict_error <= 0"]
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let term = try PracticeTmux()
        try term.run(
            "\(lighttouch) assess --protocol \(file) --student ann --sensor demo --scenario steady --data-dir \(dataDir)")
        var pane = try term.waitFor("Trial 1 of 1 is over: the student estimates it")
        #expect(pane.contains("your mean force? 1 light · 2 on target · 3 heavy"))
        #expect(pane.contains("1 too light · 2 on target · 3 too heavy · x skip · q end"))
        #expect(pane.contains("estimate verdict+hold"), "the rules line")
        #expect(pane.firstMatch(of: #/\d+\.\d+ g\b/#) == nil && !pane.contains("score"), "no force, no result: \(pane)")
        try term.press("2")
        pane = try term.waitFor("your longest hold in the band, in seconds? ▏")
        try term.press("3", "Enter")
        pane = try term.expectTerminalRestored()
        #expect(pane.contains("PASS"), "\(pane)")
        #expect(pane.contains("Estimates, made before each result was shown:"))
        #expect(pane.contains("    1  verdict+hold  on target, 3 s  on target, "), "\(pane)")

        try Programs.expectReplayReproduces("1", dataDir: dataDir)
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        let results = try #require(Programs.lastJSONObject(replay.stdout))
        let estimate = try #require((results["trials"] as? [[String: Any]])?.first?["estimate"] as? [String: Any])
        #expect(estimate["verdict"] as? String == "on target" && estimate["hold_s"] as? Double == 3)
    }
}
