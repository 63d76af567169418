import Foundation
import Testing

/// `lighttouch practice` full-screen, in a real terminal (tmux): what is on
/// the screen, every key, resizing, and the terminal given back on q,
/// Ctrl-C, SIGTERM and an unplugged sensor.
@Suite(.serialized, .enabled(if: PracticeTmux.isAvailable, "tmux and the built lighttouch are needed"))
struct PracticeScreenTests {
    let lighttouch = Programs.path("lighttouch")
    /// A demo sensor nobody touches: only the arrow keys press on it.
    var demoAtRest: String { "\(lighttouch) practice --sensor demo --scenario rest --noise-g 0" }

    /// Waits until the first tare is done (the screen says "taring" until then).
    @discardableResult
    func waitUntilReady(_ term: PracticeTmux) throws -> String {
        try term.waitFor("the trainer, tared") { $0.contains("TOO LIGHT") && $0.contains("q quit") && !$0.contains("taring") }
    }

    /// The column of the gauge's marker.
    func markerColumn(_ pane: String) -> Int? {
        for line in pane.split(separator: "\n", omittingEmptySubsequences: false) {
            if let index = line.firstIndex(where: { $0 == "▼" || $0 == "▶" }) { return line.distance(from: line.startIndex, to: index) }
        }
        return nil
    }

    /// The hold shown, seconds ("hold ███░░ 3.4 s / 5 s").
    func holdSeconds(_ pane: String) -> Double? {
        guard let line = pane.split(separator: "\n").first(where: { $0.hasPrefix(" hold") }),
            let slash = line.range(of: " s / ")
        else { return nil }
        let before = line[..<slash.lowerBound].split(separator: " ").last
        return before.flatMap { Double($0) }
    }

    @Test func theGaugeBandGramsVerdictAndHoldFollowTheDemoForce() throws {
        let term = try PracticeTmux()
        try term.run(demoAtRest)
        var pane = try waitUntilReady(term)
        #expect(pane.contains("0.00 g"))
        #expect(pane.contains("▒"), "the band on the gauge")
        #expect(pane.contains("4.0") && pane.contains("6.0"), "the band's edges")
        #expect(pane.contains("0.0 s / 5 s"), "the hold timer")
        #expect(pane.contains("LT-DEMO-0001"))
        #expect(pane.contains("uncalibrated"))
        let restColumn = try #require(markerColumn(pane))

        // Ten presses of ↑ at 0.5 g: 5 g, on target; the touch starts trial 1 and the hold runs.
        try term.press("Up", "Up", "Up", "Up", "Up", "Up", "Up", "Up", "Up", "Up")
        pane = try term.waitFor("ON TARGET")
        pane = try term.waitFor("5.00 g")
        let onTargetColumn = try #require(markerColumn(pane))
        #expect(onTargetColumn > restColumn)
        pane = try term.waitFor("a hold over 1 s") { (self.holdSeconds($0) ?? 0) >= 1 }
        #expect(pane.contains("trial 1 of 5"))
        #expect(pane.contains("in band"))
        #expect(pane.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "the braille plot")

        // Six more: 8 g, too heavy; the hold stops.
        try term.press("Up", "Up", "Up", "Up", "Up", "Up")
        pane = try term.waitFor("TOO HEAVY")
        pane = try term.waitFor("8.00 g")
        #expect(try #require(markerColumn(pane)) > onTargetColumn)
        pane = try term.waitFor("the hold reset") { self.holdSeconds($0) == 0 }

        // ↓ and ← press lighter: 8 − 6 × 0.5 − 0.1 = 4.9 g.
        try term.press("Down", "Down", "Down", "Down", "Down", "Down", "Left")
        try term.waitFor("4.90 g")
        try term.waitFor("ON TARGET")

        try term.press("q")
        pane = try term.expectTerminalRestored()
        #expect(pane.contains("Drill first-touch"))
    }

    @Test func everyKeyWorks() throws {
        let term = try PracticeTmux()
        try term.run(demoAtRest)
        try waitUntilReady(term)

        // f cycles the feedback modes, in order, back to full.
        for mode in ["bandwidth", "faded", "blind", "self", "full"] {
            try term.press("f")
            try term.waitFor("feedback \(mode)")
        }
        // + and - move the target by 0.5 g between trials.
        try term.press("+")
        try term.waitFor("target 5.5 g")
        try term.press("-", "-")
        try term.waitFor("target 4.5 g")
        try term.press("+")
        try term.waitFor("target 5.0 g")

        // space starts a trial; t does not tare during it; space ends it, with its score.
        try term.press("Space")
        try term.waitFor("s of 10 s")
        try term.press("t")
        try term.waitFor("no tare while a trial runs: press t between trials")
        try term.press("Space")
        var pane = try term.waitFor("trial 1: score")
        #expect(pane.contains("rest: trial 2 of 5 starts in"))

        // t tares again.
        try term.press("t")
        try term.waitFor("taring")
        try waitUntilReady(term)

        // p peeks (self mode): the force shows for a second and the peek is counted.
        for _ in 0..<4 { try term.press("f") }
        try term.waitFor("feedback self")
        try term.press("Space")
        pane = try term.waitFor("live force hidden")
        #expect(!pane.contains("▼"))
        try term.press("p")
        pane = try term.waitFor("peeks 1")
        try term.waitFor("the force, peeking") { $0.contains("▼") && $0.contains("0.00 g") }
        try term.waitFor("the peek over") { $0.contains("live force hidden") }

        // q quits with the session table: trial 2 counted its peek.
        try term.press("q")
        pane = try term.expectTerminalRestored()
        #expect(pane.contains("trial  target g  feedback  peeks  length s  reach s  band %  hold s  mean g"))
        #expect(pane.contains("self"))
        #expect(pane.contains("2 of 5 trials"))
    }

    /// The keys change what is scored (the target, the feedback, when a trial
    /// ends), so each is recorded: the session replays to the same results.
    @Test func aSessionDrivenByKeysReplaysExactly() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("lt-keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux()
        try term.run("\(demoAtRest) --data-dir \(dataDir)")
        try waitUntilReady(term)
        // Before trial 1: the target up to 5.5 g; then press 5.5 g, which starts the trial.
        try term.press("+")
        try term.waitFor("target 5.5 g")
        try term.press(contentsOf: Array(repeating: "Up", count: 11))
        try term.waitFor("5.50 g")
        try term.waitFor("a hold over 1 s") { (self.holdSeconds($0) ?? 0) >= 1 }
        // Mid-trial: another feedback mode, then space ends the trial early.
        try term.press("f")
        try term.waitFor("feedback bandwidth")
        try term.press("Space")
        try term.waitFor("trial 1: score")
        try term.press("q")
        try term.expectTerminalRestored()

        try Programs.expectReplayReproduces("1", dataDir: dataDir)
        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        let results = try #require(Programs.lastJSONObject(replay.stdout))
        let trials = try #require(results["trials"] as? [[String: Any]])
        #expect(trials.count == 1)
        #expect(trials.first?["target_g"] as? Double == 5.5)
        #expect(trials.first?["feedback"] as? String == "full+bandwidth")
        #expect((trials.first?["duration_s"] as? Double ?? 10) < 10, "ended by space, before its 10 s")

        // The export lists the keys and what they did, in order.
        let exported = dataDir + "/keys.csv"
        let export = try Programs.run("lighttouch", ["export", "1", "--csv", "--out", exported, "--data-dir", dataDir])
        #expect(export.status == 0, "\(export.stderr)")
        let metadata = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exported + ".json"))) as? [String: Any])
        let events = try #require(metadata["events"] as? [[String: Any]]).map { event -> String in
            let value = (event["value"] as? Double).map { "\($0)" } ?? ""
            return "\(event["kind"] as? String ?? "?"),\(value),\(event["detail"] as? String ?? "")"
        }.filter { !$0.hasPrefix("tare,") && !$0.hasPrefix("trial_") }
        let score = try #require(trials.first?["score"] as? Double)
        #expect(
            events == [
                "key,,target_up", "drill_trial_started,,", "key,,cycle_feedback", "feedback,,bandwidth", "key,,space",
                "drill_trial_ended,\(score),",
            ], "\(events)")
    }

    @Test func resizingKeepsASaneScreen() throws {
        let term = try PracticeTmux()
        try term.run(demoAtRest)
        try waitUntilReady(term)
        try term.resize(columns: 50, rows: 15)
        var pane = try term.waitFor("Terminal too small")
        #expect(pane.contains("50×15"))
        #expect(!pane.contains("▒"))
        try term.resize(columns: 70, rows: 22)
        pane = try term.waitFor("the screen at 70×22") { $0.contains("q quit") && $0.contains("TOO LIGHT") && !$0.contains("too small") }
        #expect(pane.split(separator: "\n").allSatisfy { $0.count <= 70 })
        #expect(pane.contains("s / 5 s") && pane.contains("▒"))
        try term.resize(columns: 120, rows: 40)
        pane = try term.waitFor("the screen at 120×40") { $0.contains("q quit") && $0.contains("TOO LIGHT") && !$0.contains("too small") }
        #expect(pane.contains("LT-DEMO-0001 · uncalibrated"))
        try term.press("q")
        try term.expectTerminalRestored()
    }

    /// `--bell` rings when the hold goal is met; without it the trainer stays quiet.
    @Test(arguments: [true, false])
    func bellRingsWhenTheHoldGoalIsMetOnlyWithBell(bell: Bool) throws {
        let term = try PracticeTmux()
        try term.run(demoAtRest + (bell ? " --bell" : "") + " --hold 1")
        try waitUntilReady(term)
        // tmux flags a bell only in a window that is not the current one: open
        // another window and keep driving the trainer in window 0.
        try term.tmux("new-window", "-t", term.session)
        let trainer = "\(term.session):0"
        func bellFlag() throws -> String {
            try term.tmux("display-message", "-p", "-t", trainer, "#{window_bell_flag}").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try bellFlag() == "0")
        try term.tmux(["send-keys", "-t", trainer] + Array(repeating: "Up", count: 10))
        // Wait until the screen shows the goal met (a hold of 1.5 s or more).
        let deadline = Date().addingTimeInterval(20)
        var pane = ""
        repeat {
            pane = try term.tmux("capture-pane", "-p", "-t", trainer)
            if (holdSeconds(pane) ?? 0) >= 1.5 { break }
            usleep(50_000)
        } while Date() < deadline
        #expect((holdSeconds(pane) ?? 0) >= 1.5, "\(pane)")
        #expect(try bellFlag() == (bell ? "1" : "0"))
        try term.tmux("select-window", "-t", trainer)
        try term.press("q")
        try term.expectTerminalRestored()
    }

    @Test func ctrlCRestoresTheTerminal() throws {
        let term = try PracticeTmux()
        try term.run(demoAtRest)
        try waitUntilReady(term)
        try term.press("C-c")
        let pane = try term.expectTerminalRestored()
        #expect(pane.contains("Drill first-touch"))
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let term = try PracticeTmux()
        try term.run(demoAtRest)
        try waitUntilReady(term)
        #expect(kill(try term.programPID(), SIGTERM) == 0)
        let pane = try term.expectTerminalRestored()
        #expect(pane.contains("Drill first-touch"))
    }

    @Test(.enabled(if: PracticeEmulator.isAvailable, "lighttouch-emulator cannot run here"))
    func anUnpluggedSensorRestoresTheTerminal() throws {
        let term = try PracticeTmux()
        let emulator = Programs.path("lighttouch-emulator")
        try term.run("\(emulator) --quiet --scenario steady --unplug-at 4 -- \(lighttouch) practice --no-reconnect")
        try term.waitFor("LT-EMU-0001")
        let pane = try term.expectTerminalRestored()
        #expect(pane.contains("the sensor went away"))
        #expect(pane.contains("Drill first-touch"))
    }

    @Test(.enabled(if: PracticeEmulator.isAvailable, "lighttouch-emulator cannot run here"))
    func anUnpluggedSensorIsShownUntilItReturns() throws {
        let term = try PracticeTmux()
        let emulator = Programs.path("lighttouch-emulator")
        try term.run("\(emulator) --quiet --scenario steady --unplug-at 3 --replug-at 6 -- \(lighttouch) practice")
        try term.waitFor("LT-EMU-0001")
        try term.waitFor("sensor unplugged")
        try term.waitFor("the warning gone") { !$0.contains("sensor unplugged") && $0.contains("LT-EMU-0001") }
        try term.press("q")
        try term.expectTerminalRestored()
    }
}

enum PracticeEmulator {
    /// Whether `lighttouch-emulator` can run a command here (umockdev's preload library).
    static let isAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: Programs.path("lighttouch-emulator")),
            let trial = try? Programs.run("lighttouch-emulator", ["--quiet", "--", "/bin/true"], timeout: 30)
        else { return false }
        return trial.status == 0 && !trial.timedOut
    }()
}
