import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchTerminal

/// The ASCII screens (a locale that is not UTF-8, or `--ascii`): only
/// printable ASCII, and every element of the Unicode screen in another form.
@Suite struct AsciiScreenTests {
    static let sizes = [(20, 60), (24, 80), (30, 100), (50, 200)]

    /// The cells that are not printable ASCII, as "row,column U+XXXX".
    static func nonASCII(_ canvas: Canvas) -> [String] {
        var found: [String] = []
        for row in 0..<canvas.rows {
            for column in 0..<canvas.columns where !(0x20...0x7E).contains(canvas[row, column].scalar) {
                found.append("\(row),\(column) U+\(String(canvas[row, column].scalar, radix: 16, uppercase: true))")
            }
        }
        return found
    }

    /// A row's text without its trailing spaces.
    static func line(_ canvas: Canvas, _ row: Int) -> String {
        var text = canvas.text(row: row)
        while text.last == " " { text.removeLast() }
        return text
    }

    /// The first row, from `from`, whose text contains `text`.
    static func row(containing text: String, in canvas: Canvas, from: Int = 0) -> Int? {
        (from..<canvas.rows).first { canvas.text(row: $0).contains(text) }
    }

    // MARK: The trainer

    /// 3 s into trial 1 of first-touch (5 g ± 1 g, hold goal 5 s) at `force`.
    static func trainer(force: Double, mode: FeedbackMode = .full) -> TrainerView {
        var session = PracticeSession(drill: Drill.firstTouch.overriding(feedback: mode))
        var snapshot = PipelineSnapshot(calibrated: false)
        snapshot.tare = .zeroed(offset: 0)
        var samples: [(time: Double, force: Double)] = []
        for k in 0..<300 { samples.append((Double(k) * 0.01, force)) }
        _ = session.push(samples)
        snapshot.filtered = force
        snapshot.time = 2.99
        return TrainerView(snapshot: snapshot, session: session, history: samples, sensor: "LT-DEMO-0001", isDemo: true, bell: false)
    }

    @Test(arguments: sizes)
    func theTrainerIsAllASCIIWithEveryElement(rows: Int, columns: Int) throws {
        let canvas = TrainerLayout.render(Self.trainer(force: 5.5), rows: rows, columns: columns, glyphs: .ascii)
        #expect(canvas.rows == rows && canvas.columns == columns)
        #expect(Self.nonASCII(canvas).isEmpty, "\(Self.nonASCII(canvas).prefix(5))\n\(canvas.text)")

        // The gauge: 0 g to 12 g, the band `=` around the target `|`, the force `#` under the marker `v`.
        let gauge = try #require(Self.row(containing: " 0 g  -", in: canvas), "\(canvas.text)")
        let bar = canvas.text(row: gauge)
        #expect(Self.line(canvas, gauge).hasSuffix(" 12 g"))
        #expect(bar.contains("=="), "the band")
        #expect(bar.contains("|"), "the target")
        let marker = canvas.text(row: gauge - 1)
        let markerColumn = try #require(marker.firstIndex(of: "v").map { marker.distance(from: marker.startIndex, to: $0) }, "\(marker)")
        #expect(canvas[gauge, markerColumn].scalar == UInt32(UInt8(ascii: "#")), "the force on the gauge, under the marker")
        #expect(marker.contains("v 5.50 g"))
        // The band is where 4 g to 6 g is: the target and the force inside it.
        let band = bar.indices.filter { bar[$0] == "=" || bar[$0] == "|" || bar[$0] == "#" }.map { bar.distance(from: bar.startIndex, to: $0) }
        #expect(band.contains(markerColumn))
        #expect(Self.line(canvas, gauge + 1).contains("4.0") && Self.line(canvas, gauge + 1).contains("6.0"), "the band's edges")

        // The hold bar: 3 s of the 5 s goal filled with `#`, the rest `.`.
        let hold = try #require(Self.row(containing: " hold  #", in: canvas), "\(canvas.text)")
        let holdText = Self.line(canvas, hold)
        #expect(holdText.contains("#.") && holdText.hasSuffix("s / 5 s"), "\(holdText)")
        let filled = holdText.filter { $0 == "#" }.count, empty = holdText.filter { $0 == "." }.count
        #expect(abs(Double(filled) / Double(filled + empty) - 0.6) < 0.1, "\(filled) of \(filled + empty)")

        // The large digits: "5.5" in `#`, five rows.
        for row in 2...6 { #expect(canvas.text(row: row).prefix(12).contains("#"), "row \(row)") }
        #expect(canvas.text(row: 2).hasPrefix("  ###   ###") && canvas.text(row: 6).hasPrefix("  ### # ### g"), "\(canvas.text)")

        // The plot: the band's edges dashed, the force as `*` in the last seconds, on the 5.5 g row.
        let plotRows = (hold + 2)...(rows - 5)
        let edges = plotRows.filter { canvas.text(row: $0).contains("- - - - -") }
        // Three plot rows (at 20 rows) put 4 g and 6 g on one row; from six on, each edge has its own.
        #expect(plotRows.count >= 6 ? edges.count == 2 : edges.count >= 1, "\(canvas.text)")
        let trace = plotRows.filter { canvas.text(row: $0).contains("*") }
        #expect(!trace.isEmpty, "\(canvas.text)")
        if let low = edges.last, let high = edges.first { #expect(trace.allSatisfy { $0 >= high && $0 <= low }, "the trace inside the band") }

        // Symbols: ± as +-, · as -, ⚠ as !, the demo's ↑↓ as Up/Down.
        #expect(canvas.text.contains("target 5.0 g +- 1.0"))
        #expect(canvas.text.contains("LightTouch - first-touch"))
        #expect(canvas.text.contains("\n ! "), "the warning sign")
        if columns >= 80 { #expect(canvas.text.contains("Up/Down")) }
        #expect(canvas.text.contains("ON TARGET"))
    }

    /// Outside the plot, the ASCII screen is the Unicode screen written in ASCII, row for row.
    @Test(arguments: sizes)
    func theTrainerSaysWhatTheUnicodeScreenSays(rows: Int, columns: Int) {
        for view in [Self.trainer(force: 5.5), Self.trainer(force: 2), Self.trainer(force: 13), Self.trainer(force: 5, mode: .blind)] {
            let unicode = TrainerLayout.render(view, rows: rows, columns: columns)
            let ascii = TrainerLayout.render(view, rows: rows, columns: columns, glyphs: .ascii)
            for row in Array(0...12) + Array((rows - 4)..<rows) {
                let expected = String(Glyphs.ascii(Self.line(unicode, row)).prefix(columns))
                #expect(Self.line(ascii, row) == expected, "row \(row) at \(columns)×\(rows)")
            }
        }
    }

    @Test func beyondTheScaleTheMarkerPointsRight() throws {
        let canvas = TrainerLayout.render(Self.trainer(force: 13), rows: 24, columns: 80, glyphs: .ascii)
        #expect(canvas.text.contains("> 13.00 g") || canvas.text.contains("13.00 g >"), "\(canvas.text)")
        #expect(canvas.text.contains("TOO HEAVY"))
        #expect(Self.nonASCII(canvas).isEmpty)
    }

    @Test func blindFeedbackHidesTheForceInASCIIToo() {
        let canvas = TrainerLayout.render(Self.trainer(force: 5, mode: .blind), rows: 24, columns: 80, glyphs: .ascii)
        let text = canvas.text
        #expect(Self.nonASCII(canvas).isEmpty)
        #expect(text.contains("feedback off") && text.contains("live force hidden (blind feedback)"))
        #expect(text.contains("- - -"), "the hidden verdict")
        #expect(!text.contains("ON TARGET") && !text.contains("5.00 g") && !text.contains("*"), "\(text)")
        #expect(text.contains("==|=="), "the band stays, with its target")
        #expect(text.contains(" hold  ....") && text.contains("- / 5 s"))
    }

    @Test func aSmallTerminalSaysSoInASCII() {
        let canvas = TrainerLayout.render(Self.trainer(force: 5), rows: 15, columns: 50, glyphs: .ascii)
        #expect(canvas.text.contains("50x15; LightTouch needs 60x20"))
        #expect(Self.nonASCII(canvas).isEmpty)
    }

    // MARK: The examiner's screen

    @Test(arguments: sizes)
    func theExaminerIsAllASCIIWithEveryElement(rows: Int, columns: Int) throws {
        // Full feedback: the trainer's force panel (digits, verdict, hold, gauge).
        var view = ExaminerLayoutTests.view(.full, force: 4.87, seconds: 3.2)
        view.student = "Zoë Ñúñez"
        let full = ExaminerLayout.render(view, rows: rows, columns: columns, glyphs: .ascii)
        #expect(Self.nonASCII(full).isEmpty, "\(Self.nonASCII(full).prefix(5))\n\(full.text)")
        let text = full.text
        #expect(text.contains("LightTouch - assessment basic-5g"))
        #expect(text.contains("student Zoe Nunez - examiner zoe"))
        #expect(text.contains("Trial 1 of 3 running"))
        #expect(text.contains(" trials  * . .  0 of 3 recorded"), "running, to come")
        #expect(text.contains("ON TARGET") && text.contains("v 4.87 g"))
        let gauge = try #require(Self.row(containing: " 0 g  -", in: full))
        #expect(full.text(row: gauge).contains("===") && full.text(row: gauge).contains("#"))
        // The trial's progress: 3.2 s of 10 s.
        let progress = try #require(Self.row(containing: "3.2 s / 10 s", in: full))
        #expect(full.text(row: progress).hasPrefix(" ###") && full.text(row: progress).contains("#."))
        // The rules wrap at their separators, measured as drawn (± is two columns).
        let rules = Glyphs.ascii(view.rules)
        let shown = [Self.line(full, 2), Self.line(full, 3)].map { $0.dropFirst() }.filter { !$0.isEmpty }.joined(separator: " - ")
        #expect(rules.hasPrefix(shown), "\(shown)")
        #expect(shown.contains("+- 1 g") && shown.contains("3 trials x 10 s"))
    }

    @Test(arguments: sizes)
    func aBlindExaminerScreenInASCIIShowsTheBoxAndNoForce(rows: Int, columns: Int) {
        let canvas = ExaminerLayout.render(ExaminerLayoutTests.view(.blind, force: 4.87, seconds: 3.2), rows: rows, columns: columns, glyphs: .ascii)
        let text = canvas.text
        #expect(Self.nonASCII(canvas).isEmpty)
        #expect(text.contains("+------") && text.contains("| blind: live force hidden from student and examiner"))
        for leak in ["4.8", "4.9", "ON TARGET", "TOO LIGHT", "TOO HEAVY", "on target", "s / 8 s", "v 4"] {
            #expect(!text.contains(leak), "\(leak)")
        }
        // Only the progress bar has blocks: no large digits, no gauge.
        #expect((9..<canvas.rows).allSatisfy { !canvas.text(row: $0).contains("#") }, "\(text)")
    }

    @Test func recordedTrialsAreMarkedInASCII() {
        // 14 s: trial 1 recorded at 10 s, resting before trial 2.
        let canvas = ExaminerLayout.render(ExaminerLayoutTests.view(.blind, force: 4.87, seconds: 14), rows: 24, columns: 80, glyphs: .ascii)
        #expect(canvas.text.contains(" trials  + . .  1 of 3 recorded"), "\(canvas.text)")
        #expect(Self.nonASCII(canvas).isEmpty)
    }

    // MARK: Glyphs

    @Test func asciiFormsOfTheSymbols() {
        #expect(Glyphs.ascii("5 g ± 1 g · hold") == "5 g +- 1 g - hold")
        #expect(Glyphs.ascii("taring: keep your hands off the sensor…") == "taring: keep your hands off the sensor...")
        #expect(Glyphs.ascii("⚠ 3 trials × 10 s — ok") == "! 3 trials x 10 s - ok")
        #expect(Glyphs.ascii("↑↓ demo force") == "Up/Down demo force")
        #expect(Glyphs.ascii("█▒│▼▶░─┌┐└┘✓●○") == "#=|v>.-+++++*.")
        #expect(Glyphs.ascii("Zoë Ñúñez, Łukasz, Søren") == "Zoe Nunez, Lukasz, Soren")
        #expect(Glyphs.ascii("e\u{301}") == "e", "a combining accent is dropped")
        #expect(Glyphs.ascii("日本\u{7}x") == "?? x", "unknown scalars as ?, controls as spaces")
        #expect(Glyphs.ascii("plain ASCII stays") == "plain ASCII stays")
        #expect(Glyphs.unicode.text("± · ⚠") == "± · ⚠")
    }

    @Test func everyCellOfAnASCIICanvasIsASCII() {
        var canvas = Canvas(rows: 3, columns: 10, glyphs: .ascii)
        canvas.fill(row: 0, from: 0, to: 10, scalar: "░", style: .dim)
        canvas[1, 0] = Cell(scalar: 0x2588, style: .bold)
        canvas[1, 1] = Cell(scalar: 0x28FF, style: .bold)  // braille has no ASCII form: ?
        canvas.putRight("± ok", row: 2, endColumn: 10)
        #expect(canvas.text(row: 0) == "..........")
        #expect(canvas.text(row: 1).hasPrefix("#?"))
        #expect(canvas.text(row: 2) == "     +- ok")
        #expect(Self.nonASCII(canvas).isEmpty)
        #expect(canvas.width(of: "± ok") == 5)
    }
}
