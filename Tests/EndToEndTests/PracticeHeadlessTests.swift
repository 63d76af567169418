import Foundation
import Testing

/// `lighttouch practice` without a terminal, `--drill`, drill files and `lighttouch drills`.
@Suite struct PracticeHeadlessTests {
    @Test(arguments: [["--plain"], []])
    func plainOutputHasNoEscapeCodes(extra: [String]) throws {
        // With no flag, stdout is a pipe here: the plain lines too.
        let result = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--duration", "1.5"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}"))
        #expect(!result.stderr.contains("\u{1B}"))
        let status = result.stdout.split(separator: "\n").filter { $0.hasPrefix("t ") }
        #expect(status.count >= 10)
        #expect(status.allSatisfy { $0.contains(" g  ") && $0.contains("hold ") })
    }

    @Test func aDrillRunsHeadlessAndRecordsTheFeedbackModeWithEachTrial() throws {
        let result = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--scenario", "steady", "--drill", "blind-check", "--trials", "1", "--hold", "5",
             "--json", "--duration", "30"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(Programs.lastJSONObject(result.stdout))
        #expect(report["drill"] as? String == "blind-check")
        let trials = try #require(report["trials"] as? [[String: Any]])
        #expect(trials.count == 1)
        let trial = try #require(trials.first)
        #expect(trial["feedback"] as? String == "blind")
        #expect(trial["peeks"] as? Int == 0)
        #expect(abs((trial["duration_s"] as? Double ?? 0) - 12) < 1e-6, "the drill's window, not the touch")
        // The documented trial keys come first, unchanged; the new ones are added at the end.
        let line = try #require(result.stdout.split(separator: "\n").last)
        #expect(line.contains("\"samples\":12000,\"target_g\":5,\"feedback\":\"blind\",\"peeks\":0}"))
        // The drill ended the session by itself, long before --duration.
        let status = result.stdout.split(separator: "\n").dropLast().compactMap { Programs.lastJSONObject(String($0)) }
        #expect((status.last?["t_s"] as? Double ?? 99) < 20)
    }

    /// Blind feedback hides the force in plain status lines too, as on the screen.
    @Test func aBlindTrialsPlainStatusLinesShowNoForce() throws {
        let result = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--scenario", "steady", "--drill", "blind-check", "--trials", "1", "--hold", "5",
             "--plain", "--duration", "6", "--data-dir", FileManager.default.temporaryDirectory.appendingPathComponent("lt-blind-\(UUID().uuidString)").path])
        #expect(result.status == 0, "\(result.stderr)")
        let running = result.stdout.split(separator: "\n").filter { $0.hasPrefix("t ") && $0.contains("feedback blind") }
        #expect(running.count > 10)
        #expect(running.allSatisfy { $0.contains("feedback off") && !$0.contains(/\d g/) && !$0.contains("in band") }, "\(running.prefix(3))")
        // Before the trial, the force shows (to find the sensor).
        #expect(result.stdout.split(separator: "\n").first?.contains(" g  ") == true)
    }

    @Test func aDrillFileIsReadAndABadOneNamesTheFileAndTheKey() throws {
        let directory = FileManager.default.temporaryDirectory
        let good = directory.appendingPathComponent("drill-\(UUID().uuidString).toml")
        try "version = 1\nname = \"short\"\ntrials = 1\nhold_s = 2\ntrial_length_s = 3\nfeedback = \"bandwidth\"\n"
            .write(to: good, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: good) }
        let result = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--drill", good.path, "--plain", "--duration", "20"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Drill short:"))
        #expect(result.stdout.contains("trial 1 done: score"))
        #expect(result.stdout.contains("bandwidth"))

        // A drill at 10 g takes a 5 g tolerance, too wide only for the default 5 g target.
        let heavy = directory.appendingPathComponent("drill-\(UUID().uuidString).toml")
        try "version = 1\nname = \"heavy\"\ntrials = 1\ntarget_g = 10\nhold_s = 2\ntrial_length_s = 3\n"
            .write(to: heavy, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: heavy) }
        let wide = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--drill", heavy.path, "--tolerance", "5", "--json", "--duration", "2"])
        #expect(wide.status == 0, "\(wide.stderr)")
        let options = try #require(Programs.lastJSONObject(wide.stdout)?["options"] as? [String: Any], "\(wide.stdout)")
        #expect(options["target_g"] as? Double == 10)
        #expect(options["tolerance_g"] as? Double == 5)

        let bad = directory.appendingPathComponent("drill-\(UUID().uuidString).toml")
        try "version = 1\nfeedback = \"loud\"\n".write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        let failed = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--drill", bad.path, "--plain"])
        #expect(failed.status == 65)
        #expect(failed.stderr == "lighttouch: \(bad.path):2: key `feedback`: \"loud\" is not a feedback mode (allowed: one of full, bandwidth, faded, blind, self, or a list of them (one per trial))\n")
    }

    @Test(arguments: [
        (["practice", "--sensor", "demo", "--drill", "juggling"], 64, "lighttouch: no drill `juggling`: not a built-in drill (first-touch, steady-hold, still-point, ladder, blind-check, blind-estimate) nor a drill file"),
        (["practice", "--sensor", "demo", "--feedback", "loud"], 64, "lighttouch: unknown feedback mode `loud`; choose one of full, bandwidth, faded, blind, self"),
        (["practice", "--sensor", "demo", "--trials", "0"], 64, "lighttouch: --trials must be 1 to 100 (got 0)"),
        (["practice", "--sensor", "demo", "--estimate", "vibes"], 64, "lighttouch: unknown estimate `vibes`; choose one of none, verdict, grams, hold, verdict+hold, grams+hold"),
        // Without a drill the options join the defaults (5 g), and are checked with them before the sensor opens.
        (["practice", "--sensor", "demo", "--plain", "--tolerance", "9"], 64, "lighttouch: --tolerance (9.0 g) must be smaller than --target (5.0 g)"),
        (["practice", "--sensor", "demo", "--plain", "--hold", "0"], 64, "lighttouch: --hold must be a positive number (got 0.0)"),
    ])
    func badOptionsGetOneClearLine(arguments: [String], status: Int32, message: String) throws {
        let result = try Programs.run("lighttouch", arguments)
        #expect(result.status == status)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func drillsListsTheBuiltInDrillsWithTheirPurpose() throws {
        let result = try Programs.run("lighttouch", ["drills"])
        #expect(result.status == 0)
        for name in ["first-touch", "steady-hold", "still-point", "ladder", "blind-check", "blind-estimate"] {
            #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix(name + " ") }, "\(name)")
        }
        #expect(result.stdout.contains("find 5 g and hold it for 5 s"))
        #expect(result.stdout.contains("5 × 12 s at 5 g ± 1 g, hold 10 s, rest 5 s, blind, estimate grams+hold"))
    }
}
