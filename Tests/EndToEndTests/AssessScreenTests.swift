import Foundation
import Testing

/// `lighttouch assess` full-screen, in a real terminal (tmux): the examiner's
/// screen of a blind protocol never shows the force, the results come after
/// it, and the terminal is given back on completion and on q.
@Suite(.serialized, .enabled(if: PracticeTmux.isAvailable, "tmux and the built lighttouch are needed"))
struct AssessScreenTests {
    let lighttouch = Programs.path("lighttouch")

    static func dataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-assess-screen-\(UUID().uuidString)").path
    }

    func assess(_ dataDir: String) -> String {
        "\(lighttouch) assess --protocol basic-5g --student ann --examiner zoe --sensor demo --scenario steady --data-dir \(dataDir)"
    }

    /// What on a screen would tell the force: grams with decimals, the gauge's
    /// marker, a verdict, a hold against its goal, a trial's metrics, large digits.
    static func leaks(_ pane: String) -> [String] {
        var found: [String] = []
        if let grams = pane.firstMatch(of: #/\d+\.\d+ g\b/#) { found.append(String(grams.output)) }
        for text in ["▼", "▶", "ON TARGET", "TOO LIGHT", "TOO HEAVY", "on target", "in band", "score", "s / 8 s"] where pane.contains(text) {
            found.append(text)
        }
        // One row of blocks is the trial's (or the rest's) progress bar; more are large digits or a gauge.
        let blockRows = pane.split(separator: "\n").filter { $0.contains("█") }.count
        if blockRows > 1 { found.append("\(blockRows) rows of blocks") }
        return found
    }

    /// The grades recorded for `student`.
    func grades(_ student: String, _ dataDir: String) throws -> [[String: Any]] {
        let grades = try Programs.run("lighttouch", ["grades", "--student", student, "--json", "--data-dir", dataDir])
        #expect(grades.status == 0, "\(grades.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(grades.stdout.utf8)) as? [[String: Any]])
    }

    @Test func aBlindAssessmentShowsNoForceThenTheCriteriaAndRestoresTheTerminal() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux()
        try term.run(assess(dataDir))
        // The whole first screen: ncurses writes it top to bottom, and a busy machine can show tmux the
        // title before the rest, so wait for its last row (the keys) too.
        var pane = try term.waitFor("the first screen, title to keys") {
            $0.contains("LightTouch · assessment basic-5g") && $0.contains("q end the assessment")
        }
        #expect(pane.contains("student ann · examiner zoe"))
        #expect(pane.contains("LT-DEMO-0001 · uncalibrated"))
        #expect(pane.contains("3 trials × 10 s at 5 g ± 1 g · hold goal 8 s · rest 5 s"))
        #expect(pane.contains("graded on the best 2 of 3"))
        #expect(pane.contains("t tare (between trials) · q end the assessment"))
        #expect(try term.display("#{alternate_on}") == "1")

        // Every pane of the screen, until the shell is back: never a trace of the force.
        var screens = 0
        var sawTrialRunning = false, sawRest = false, sawTrialThree = false
        var leaked: [(pane: String, leaks: [String])] = []
        let prompt = PracticeTmux.prompt.trimmingCharacters(in: .whitespaces)
        pane = try term.waitFor("the end of the assessment", timeout: 120) { pane in
            if pane.contains("LightTouch · assessment basic-5g") {
                screens += 1
                if pane.contains("running") {
                    sawTrialRunning = true
                    #expect(pane.contains("blind: live force hidden from student and examiner"))
                }
                if pane.contains("rest before trial 2 of 3") { sawRest = true }
                if pane.contains("Trial 3 of 3 running") { sawTrialThree = true }
                let leaks = Self.leaks(pane)
                if !leaks.isEmpty { leaked.append((pane, leaks)) }
            }
            return pane.split(separator: "\n").last?.hasPrefix(prompt) ?? false
        }
        #expect(leaked.isEmpty, "the force showed: \(leaked.first.map { "\($0.leaks)\n\($0.pane)" } ?? "")")
        #expect(screens > 20)
        #expect(sawTrialRunning && sawRest && sawTrialThree)

        pane = try term.expectTerminalRestored()
        #expect(pane.contains("Assessment basic-5g of ann by zoe (uncalibrated)"))
        #expect(pane.contains("Criteria (the best 2):"))
        for criterion in ["in_band_pct >= 70", "longest_hold_s >= 6", "cv <= 0.15", "overshoot_g <= 2"] {
            #expect(pane.contains("pass  \(criterion)  — "), "\(criterion)")
        }
        #expect(pane.contains("Result: PASS"))
        #expect(pane.contains("grade A"))
        #expect(pane.contains("Recorded as session 1; the grade is in the gradebook"))
        #expect(!pane.contains("lighttouch:"), "no error or note")

        let rows = try grades("ann", dataDir)
        #expect(rows.count == 1)
        #expect(rows.first?["passed"] as? Bool == true)
        #expect(rows.first?["examiner"] as? String == "zoe")
    }

    @Test func qEndsTheAssessmentKeepsTheTrialAndGradesIt() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux()
        try term.run(assess(dataDir))
        try term.waitFor("Trial 1 of 3 running")
        // No tare under the student's hand: it would move the zero mid-trial.
        try term.press("t")
        let refused = try term.waitFor("no tare while a trial runs")
        #expect(Self.leaks(refused) == [], "\(refused)")
        // Keys that change a practice session change nothing here: no notice, no peek, the trial runs on.
        try term.press("f", "p", "+", "Space")
        try term.waitFor("the notice gone") { !$0.contains("no tare") && $0.contains("Trial 1 of 3 running") }
        let pane = try term.capture()
        #expect(!pane.contains("feedback:") && !pane.contains("peek") && !pane.contains("target"))
        #expect(pane.contains("blind: live force hidden"))
        #expect(Self.leaks(pane) == [], "\(pane)")

        try term.press("q")
        let after = try term.expectTerminalRestored()
        #expect(after.contains("Assessment basic-5g of ann by zoe"))
        #expect(after.contains("FAIL  in_band_pct >= 70  — 1 of 2 trials not done"))
        #expect(after.contains("Result: FAIL"))
        #expect(after.contains("Recorded as session 1"))
        // The trial in progress was kept: one row in the table.
        #expect(after.contains("    1  blind "))

        let rows = try grades("ann", dataDir)
        #expect(rows.count == 1)
        #expect(rows.first?["passed"] as? Bool == false)
    }

    /// A protocol with full feedback shows the force: the same screen, the trainer's digits and gauge.
    @Test func aFullFeedbackProtocolShowsTheForce() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let file = try TerminalFallbackTests.fullFeedbackProtocol()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let term = try PracticeTmux()
        try term.run(
            "\(lighttouch) assess --protocol \(file) --student bo --sensor demo --scenario steady --data-dir \(dataDir)")
        let pane = try term.waitFor("the force on target in trial 1") {
            $0.contains("Trial 1 of 2 running") && $0.contains("ON TARGET") && $0.contains("▼")
        }
        #expect(pane.contains("2 trials × 10 s at 5 g ± 1 g · hold goal 8 s · rest 5 s · feedback full · every trial graded"))
        #expect(pane.contains("student bo · examiner —"))
        #expect(!pane.contains("live force hidden"))
        #expect(Self.leaks(pane).contains { $0.hasSuffix(" g") }, "the grams beside the marker")
        try term.press("q")
        let after = try term.expectTerminalRestored()
        #expect(after.contains("Assessment full-5g of bo (uncalibrated)"))
        #expect(after.contains("Recorded as session 1"))
    }

    /// Before a trial, t tares; Ctrl-C then ends the assessment with nothing done, graded and recorded.
    @Test func tTaresBeforeATrialAndCtrlCRestoresTheTerminal() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux()
        // Nobody touches the sensor: the assessment waits for trial 1.
        try term.run(assess(dataDir).replacingOccurrences(of: "--scenario steady", with: "--scenario rest"))
        try term.waitFor("the first tare done") { $0.contains("Waiting for the first touch of trial 1 of 3") && !$0.contains("taring") }
        try term.press("t")
        try term.waitFor("taring: keep your hands off the sensor")
        try term.waitFor("the tare done") { !$0.contains("taring") && $0.contains("Waiting for the first touch") }
        try term.press("C-c")
        let pane = try term.expectTerminalRestored()
        #expect(pane.contains("No trials were completed."))
        #expect(pane.contains("FAIL  in_band_pct >= 70  — 2 of 2 trials not done"))
        #expect(pane.contains("Result: FAIL"))
        #expect(pane.contains("Recorded as session 1"))
        #expect(try grades("ann", dataDir).count == 1)
    }
}
