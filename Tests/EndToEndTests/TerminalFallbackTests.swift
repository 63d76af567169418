import Foundation
import Testing

/// The trainer and the examiner's screen in terminals other than a UTF-8
/// tmux: a C locale (and `--ascii`) draws them in ASCII, `TERM=dumb` or no
/// `TERM` gets the plain status lines with a line saying why, and `NO_COLOR`
/// turns colour off. Each in a real terminal (tmux).
@Suite(.serialized, .enabled(if: PracticeTmux.isAvailable, "tmux and the built lighttouch are needed"))
struct TerminalFallbackTests {
    let lighttouch = Programs.path("lighttouch")
    /// A C locale: `LANG=C`, and no `LC_ALL`.
    static let cLocale: [String: String?] = ["LANG": "C", "LC_ALL": nil]

    /// A data directory of the test's own (the recordings), removed by `defer`.
    static func dataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-fallback-\(UUID().uuidString)").path
    }

    /// A demo sensor nobody touches: only the arrow keys press on it.
    func practiceAtRest(_ dataDir: String, _ extra: String = "") -> String {
        "\(lighttouch) practice --sensor demo --scenario rest --noise-g 0 --data-dir \(dataDir)\(extra)"
    }

    /// A protocol with full feedback, so that the examiner's screen shows the force panel.
    static func fullFeedbackProtocol() throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("full-5g-\(UUID().uuidString).toml").path
        try """
            version = 1
            name = "full-5g"
            trials = 2
            target_g = 5
            tolerance_g = 1
            hold_s = 8
            trial_length_s = 10
            rest_s = 5
            feedback = "full"
            scope = "each"
            criteria = ["in_band_pct >= 70"]
            grades = ["A >= 85", "C >= 0"]
            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// What on the pane is not printable ASCII.
    static func nonASCII(_ pane: String) -> [String] {
        pane.unicodeScalars.filter { !(0x20...0x7E).contains($0.value) && $0 != "\n" }.map { "U+\(String($0.value, radix: 16, uppercase: true))" }
    }

    static func lines(_ pane: String) -> [Substring] { pane.split(separator: "\n", omittingEmptySubsequences: false) }

    /// The gauge's bar: from `0 g` to the scale's top, `-` with the band `=` (and the force `#`).
    static func gaugeBar(_ pane: String) -> Substring? {
        lines(pane).first { $0.hasPrefix(" 0 g  ") && $0.contains("---") && $0.contains("=") && $0.hasSuffix(" g") }
    }

    /// The column of the gauge's marker `v` (on the row above the bar).
    static func markerColumn(_ pane: String) -> Int? {
        let rows = lines(pane)
        guard let bar = rows.firstIndex(where: { $0.hasPrefix(" 0 g  ") && $0.contains("---") }), bar > 0 else { return nil }
        let above = rows[bar - 1]
        guard let marker = above.firstIndex(where: { $0 == "v" || $0 == ">" }) else { return nil }
        let column = above.distance(from: above.startIndex, to: marker)
        // The force's `#` on the bar, under the marker.
        let barRow = rows[bar]
        guard column < barRow.count, barRow[barRow.index(barRow.startIndex, offsetBy: column)] == "#" else { return nil }
        return column
    }

    /// The SGR parameters in a pane captured with escapes that set a colour
    /// (30–38, 40–48, 90–97, 100–107); 39 and 49 reset to the default colours.
    static func colourParameters(_ pane: String) -> [String] {
        var found: [String] = []
        for match in pane.matches(of: #/\x1B\[([0-9;:]*)m/#) {
            for parameter in match.output.1.split(whereSeparator: { $0 == ";" || $0 == ":" }) {
                guard let number = Int(parameter) else { continue }
                if (30...38).contains(number) || (40...48).contains(number) || (90...97).contains(number) || (100...107).contains(number) {
                    found.append(String(match.output.0.dropFirst()))
                    break
                }
            }
        }
        return found
    }

    /// The whole scrollback, for output longer than the pane, wrapped lines joined.
    func history(_ term: PracticeTmux) throws -> String {
        try term.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", term.session)
    }

    // MARK: ASCII

    /// Under LANG=C the trainer draws every element in ASCII and follows the force.
    @Test func theTrainerInACLocaleIsASCIIWithGaugeBandHoldBarDigitsAndPlot() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux(environment: Self.cLocale)
        try term.run(practiceAtRest(dataDir))
        var pane = try term.waitFor("the ASCII trainer, tared") { $0.contains("TOO LIGHT") && $0.contains("q quit") && !$0.contains("taring") }
        #expect(try term.display("#{alternate_on}") == "1", "the full screen, not lines")
        #expect(Self.nonASCII(pane).isEmpty, "\(Self.nonASCII(pane).prefix(5))\n\(pane)")
        let bar = try #require(Self.gaugeBar(pane), "\(pane)")
        #expect(bar.contains("=|=") || bar.contains("=#"), "the band around its target: \(bar)")
        #expect(bar.hasSuffix(" 12 g"))
        let restColumn = try #require(Self.markerColumn(pane), "\(pane)")
        #expect(pane.contains("v 0.00 g"))
        #expect(pane.contains("4.0") && pane.contains("6.0"), "the band's edges")
        #expect(pane.contains("target 5.0 g +- 1.0"))
        #expect(pane.contains("LightTouch - first-touch"))
        #expect(pane.contains("Up/Down demo force"))
        #expect(pane.contains(" hold  ....") && pane.contains("0.0 s / 5 s"), "the empty hold bar")
        #expect(pane.contains("- - - - - - - -"), "the plot's band edges")

        // 5 g: on target, the marker moves into the band, the hold bar fills, the plot draws the force.
        try term.press(contentsOf: Array(repeating: "Up", count: 10))
        pane = try term.waitFor("5.00 g, on target") { $0.contains("ON TARGET") && $0.contains("v 5.00 g") }
        let onTarget = try #require(Self.markerColumn(pane), "\(pane)")
        #expect(onTarget > restColumn)
        pane = try term.waitFor("a hold over 1 s in # on the hold bar") { pane in
            Self.lines(pane).contains { $0.hasPrefix(" hold  ##") && ($0.contains(" 1.") || $0.contains(" 2.")) }
        }
        pane = try term.waitFor("the force in the plot") { $0.contains("*") }
        let digits = Self.lines(pane)[2...6]
        #expect(digits.allSatisfy { $0.contains("###") || $0.contains("# #") || $0.contains("  #") }, "the large digits:\n\(digits.joined(separator: "\n"))")
        #expect(Self.lines(pane)[6].hasPrefix("  ### # ### g"), "5.0 g in large digits:\n\(pane)")
        #expect(Self.nonASCII(pane).isEmpty, "\(Self.nonASCII(pane).prefix(5))\n\(pane)")

        try term.press("q")
        pane = try term.expectTerminalRestored()
        #expect(pane.contains("Drill first-touch"))
    }

    /// `--ascii` draws the ASCII screen in a UTF-8 locale too (a terminal that
    /// claims UTF-8 but lacks the glyphs).
    @Test func asciiForcesTheASCIIScreenInAUTF8Locale() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux()
        try term.run(practiceAtRest(dataDir, " --ascii"))
        let pane = try term.waitFor("the ASCII trainer") { $0.contains("TOO LIGHT") && $0.contains("q quit") && !$0.contains("taring") }
        #expect(Self.nonASCII(pane).isEmpty, "\(Self.nonASCII(pane).prefix(5))\n\(pane)")
        #expect(Self.gaugeBar(pane) != nil && Self.markerColumn(pane) != nil, "\(pane)")
        try term.press("q")
        try term.expectTerminalRestored()
    }

    /// Under LANG=C the examiner's screen of a full-feedback protocol: the force
    /// panel (digits, verdict, hold, gauge and band), the progress bar and the
    /// trials, in ASCII.
    @Test func theExaminerInACLocaleIsASCII() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let file = try Self.fullFeedbackProtocol()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let term = try PracticeTmux(environment: Self.cLocale)
        try term.run("\(lighttouch) assess --protocol \(file) --student zoe --sensor demo --scenario steady --data-dir \(dataDir)")
        let pane = try term.waitFor("trial 1 running, on target, with a hold") { pane in
            pane.contains("Trial 1 of 2 running") && pane.contains("ON TARGET") && Self.markerColumn(pane) != nil
                && pane.contains(" trials  * .") && !pane.contains("hold 0.0 s")
        }
        #expect(Self.nonASCII(pane).isEmpty, "\(Self.nonASCII(pane).prefix(5))\n\(pane)")
        #expect(pane.contains("LightTouch - assessment full-5g"))
        #expect(pane.contains("2 trials x 10 s at 5 g +- 1 g - hold goal 8 s - rest 5 s - feedback full"))
        #expect(pane.contains("student zoe - examiner -"))
        #expect(Self.gaugeBar(pane) != nil, "\(pane)")
        #expect(Self.lines(pane).contains { $0.hasPrefix(" ##") && $0.contains("s / 10 s") }, "the trial's progress bar")
        #expect(pane.contains("hold ") && pane.contains(" s / 8 s"))
        // Every row of every large digit has a `#` (whatever the force reads: a 4 has `###` in one row
        // only), so the five digit rows come on top of the gauge, the progress bar and the hold bar.
        #expect(Self.lines(pane).filter { $0.contains("#") }.count >= 7, "large digits\n\(pane)")
        try term.press("q")
        let after = try term.expectTerminalRestored()
        #expect(after.contains("Assessment full-5g of zoe"))
    }

    /// Under LANG=C a blind protocol's screen: the box saying the force is hidden, and no force.
    @Test func aBlindAssessmentInACLocaleShowsTheBoxInASCII() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux(environment: Self.cLocale)
        try term.run("\(lighttouch) assess --protocol basic-5g --student ann --examiner zoe --sensor demo --scenario steady --data-dir \(dataDir)")
        let pane = try term.waitFor("trial 1 running, blind") { $0.contains("Trial 1 of 3 running") && $0.contains("| blind: live force hidden") }
        #expect(Self.nonASCII(pane).isEmpty, "\(Self.nonASCII(pane).prefix(5))\n\(pane)")
        #expect(pane.contains("+-----") && pane.contains(" trials  * . ."))
        #expect(pane.firstMatch(of: #/\d+\.\d+ g\b/#) == nil && !pane.contains("ON TARGET") && Self.gaugeBar(pane) == nil, "\(pane)")
        try term.press("q")
        try term.expectTerminalRestored()
    }

    // MARK: Terminals that cannot address the cursor

    /// Waits for the program's last words (`last`) and the shell's prompt
    /// after them, checking all along that the pane never switched to the full
    /// screen; returns the whole output.
    func waitForLinesAndPrompt(_ term: PracticeTmux, last: String, timeout: Double = 60) throws -> String {
        let prompt = PracticeTmux.prompt.trimmingCharacters(in: .whitespaces)
        var switched = false
        _ = try term.waitFor("`\(last)` and the prompt after the status lines", timeout: timeout) { pane in
            if (try? term.display("#{alternate_on}")) == "1" { switched = true }
            return pane.contains(last) && Self.lines(pane).last(where: { !$0.isEmpty }).map { $0 == prompt } ?? false
        }
        #expect(!switched, "the full screen started")
        return try history(term)
    }

    @Test(arguments: [
        ("dumb", "lighttouch: TERM=dumb cannot move the cursor: status lines instead of the full screen."),
        (nil, "lighttouch: TERM is not set: status lines instead of the full screen."),
    ] as [(String?, String)])
    func aTerminalWithoutCursorAddressingGetsThePracticeStatusLinesAndWhy(term name: String?, reason: String) throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux(environment: ["TERM": name])
        try term.run("\(lighttouch) practice --sensor demo --scenario steady --duration 3 --data-dir \(dataDir)")
        let output = try waitForLinesAndPrompt(term, last: "mean score")
        let rows = Self.lines(output)
        let said = rows.filter { $0.hasPrefix("lighttouch: ") }
        #expect(said.count == 1, "one line says why: \(said)")
        #expect(said.first?.hasPrefix(reason) == true, "\(said)")
        #expect(said.first?.contains("For the full screen, ") == true && said.first?.contains("--plain skips this note") == true)
        let status = rows.filter { $0.hasPrefix("t ") && $0.contains(" g  ") && $0.contains("hold ") }
        #expect(status.count >= 15, "the plain status lines:\n\(output)")
        #expect(output.contains("Target 5.0 g"), "the session table")
        #expect(!output.contains("\u{1B}"))
    }

    /// `--plain` in a C locale on a terminal: the status lines and the table
    /// are ASCII (`+-`, `...`, `-`), as the ASCII screen draws them.
    @Test func plainLinesInACLocaleAreASCII() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux(environment: Self.cLocale)
        try term.run("\(lighttouch) practice --sensor demo --scenario rest --plain --duration 2 --data-dir \(dataDir)")
        let output = try waitForLinesAndPrompt(term, last: "mean score")
        #expect(Self.nonASCII(output).isEmpty, "\(Self.nonASCII(output))")
        #expect(output.contains("Target 5.0 g +- 1.0 g"), "\(output)")
        #expect(output.contains("taring..."), "the first tare's status, in ASCII")
    }

    @Test func theExaminerOnADumbTerminalGetsStatusLinesAndWhy() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux(environment: ["TERM": "dumb"])
        try term.run(
            "\(lighttouch) assess --protocol basic-5g --student ann --sensor demo --scenario steady --duration 4 --data-dir \(dataDir)")
        let output = try waitForLinesAndPrompt(term, last: "Recorded as session 1")
        let rows = Self.lines(output)
        #expect(rows.filter { $0.hasPrefix("lighttouch: TERM=dumb cannot move the cursor: status lines instead of the full screen.") }.count == 1, "\(output)")
        let status = rows.filter { $0.hasPrefix("t ") && $0.contains("trial 1 of 3,") }
        #expect(status.count >= 10, "the plain status lines:\n\(output)")
        #expect(status.allSatisfy { $0.contains("blind: no live force") && $0.firstMatch(of: #/\d+\.\d+ g\b/#) == nil }, "blind: no force")
        #expect(output.contains("Assessment basic-5g of ann"))
        #expect(output.contains("Recorded as session 1"))
    }

    // MARK: NO_COLOR

    /// The trainer in colour, then with NO_COLOR=1: no colour at all, and the
    /// verdict, the band and the help line still stand out (bold, reverse).
    @Test func noColorTurnsTheTrainersColourOff() throws {
        for noColour in [false, true] {
            let dataDir = Self.dataDirectory()
            defer { try? FileManager.default.removeItem(atPath: dataDir) }
            let term = try PracticeTmux(environment: noColour ? ["NO_COLOR": "1"] : [:])
            try term.run(practiceAtRest(dataDir))
            try term.waitFor("the trainer, tared") { $0.contains("TOO LIGHT") && $0.contains("q quit") && !$0.contains("taring") }
            try term.press(contentsOf: Array(repeating: "Up", count: 10))
            try term.waitFor("ON TARGET")
            let pane = try term.captureWithEscapes()
            let colours = Self.colourParameters(pane)
            if noColour {
                #expect(colours.isEmpty, "colour with NO_COLOR: \(colours.prefix(5))")
                #expect(pane.contains("\u{1B}[1m") || pane.contains(";1m"), "bold still marks the verdict")
                #expect(pane.contains("\u{1B}[7m") || pane.contains(";7m"), "reverse still marks the key help")
                #expect(pane.contains("▒") && pane.contains("ON TARGET"), "the band's shape and the verdict's words")
            } else {
                #expect(!colours.isEmpty, "the control: colour without NO_COLOR")
            }
            try term.press("q")
            try term.expectTerminalRestored()
        }
    }

    @Test func noColorTurnsTheExaminersColourOff() throws {
        let dataDir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let term = try PracticeTmux(environment: ["NO_COLOR": "1"])
        try term.run("\(lighttouch) assess --protocol basic-5g --student ann --sensor demo --scenario steady --data-dir \(dataDir)")
        try term.waitFor("Trial 1 of 3 running")
        let pane = try term.captureWithEscapes()
        #expect(Self.colourParameters(pane).isEmpty, "colour with NO_COLOR: \(Self.colourParameters(pane).prefix(5))")
        #expect(pane.contains("●") && pane.contains("○"), "the trials' shapes")
        #expect(pane.contains("\u{1B}[7m") || pane.contains(";7m"), "the key help in reverse")
        try term.press("q")
        try term.expectTerminalRestored()
    }
}
