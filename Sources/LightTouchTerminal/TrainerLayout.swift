import LightTouchCore
import LightTouchTrainer

/// Lays out the trainer screen: a pure function from a `TrainerView`, a
/// size and the glyphs the terminal can show to a `Canvas`.
///
///     title                                              sensor
///     ──────────────────────────────────────────────────────────
///     big digits  g                           VERDICT
///     marker row / gauge with the band / scale
///     hold bar                                 7.4 s / 10 s
///     plot of the last seconds with the band (braille; `*` in ASCII)
///     trial line · last result · warnings · key help
public enum TrainerLayout {
    public static let minimumColumns = 60
    public static let minimumRows = 20
    /// Seconds of force the plot shows.
    public static let plotSeconds = 20.0

    public static func render(_ view: TrainerView, rows: Int, columns: Int, glyphs: Glyphs = .unicode) -> Canvas {
        var canvas = Canvas(rows: rows, columns: columns, glyphs: glyphs)
        guard columns >= minimumColumns, rows >= minimumRows else {
            tooSmall(&canvas)
            return canvas
        }
        if view.hands != nil { return TwoHandLayout.render(view, canvas: canvas) }
        let width = columns
        // Title and sensor.
        canvas.put(" LightTouch · \(view.drillName)", row: 0, column: 0, style: .title)
        canvas.putRight(
            "\(view.sensor) · \(view.calibrated ? (view.calibrationExpired ? "calibration EXPIRED" : "calibrated") : "uncalibrated") ",
            row: 0, endColumn: width, style: view.calibrationExpired ? .bold : .dim)
        canvas.fill(row: 1, from: 0, to: width, scalar: "─", style: .dim)

        let showForce = view.visibility == .all
        let verdict = view.verdict
        let verdictStyle: CellStyle = verdict == .onTarget ? .good : (verdict == .tooLight ? .warn : .bad)

        // The force, large.
        if showForce {
            // One decimal in the large digits: calm, and 0.1 g is finer than
            // a hand can act on; the gauge's label gives two.
            let text = view.force.fixed(1)
            BigDigits.draw(text, on: &canvas, row: 2, column: 2, style: verdictStyle)
            canvas.put("g", row: 6, column: 3 + BigDigits.width(text), style: .bold)
        } else {
            canvas.put(view.visibility == .calmOnTarget ? "in the band" : "feedback off", row: 4, column: 4, style: .dim)
        }
        // The verdict.
        let verdictColumn = max(34, width - 24)
        switch view.visibility {
        case .all:
            canvas.put(verdict.rawValue.uppercased(), row: 3, column: verdictColumn, style: verdictStyle)
        case .calmOnTarget:
            canvas.put("on target", row: 3, column: verdictColumn, style: .good)
        case .hidden:
            canvas.put("· · ·", row: 3, column: verdictColumn, style: .dim)
        }
        canvas.put(
            "target \(view.options.target.fixed(1)) g ± \(view.options.tolerance.fixed(1))", row: 5, column: verdictColumn, style: .dim)
        canvas.put("feedback \(view.mode.rawValue)", row: 6, column: verdictColumn, style: .dim)
        if let sound = view.sound {
            canvas.put(sound.indicator, row: 7, column: verdictColumn, style: sound.isAudible && sound.underruns == 0 ? .dim : .warn)
        }

        // The gauge.
        gauge(view, &canvas, row: 8, showForce: showForce, style: verdictStyle)

        // The hold against the goal.
        holdBar(view, &canvas, row: 11, showForce: showForce)

        // The plot, or the estimate prompt in its place.
        plotArea(view, &canvas, top: 13) { canvas, bottom in
            plot(view, &canvas, top: 13, bottom: bottom, show: showForce)
        }
        footer(view, &canvas)
        return canvas
    }

    /// The plot's rows from `top` to above the footer: the estimate prompt while
    /// one is asked; otherwise the plot (`drawPlot` with its bottom row, when at
    /// least three rows are left), with a line under it comparing the last
    /// trial with its estimate when it had one.
    static func plotArea(_ view: TrainerView, _ canvas: inout Canvas, top: Int, drawPlot: (inout Canvas, Int) -> Void) {
        let bottom = canvas.rows - 5  // inclusive
        if let shown = view.estimate {
            prompt(shown, &canvas, top: top, bottom: bottom)
            return
        }
        let comparison = view.lastResult.flatMap(Self.estimateLine)
        let plotBottom = bottom - (comparison == nil ? 0 : 1)
        if plotBottom - top >= 2 { drawPlot(&canvas, plotBottom) }
        if let comparison { canvas.put(comparison, row: bottom, column: 1, style: .bold) }
    }

    /// The hold bar and its seconds against the goal, on `row`.
    static func holdBar(_ view: TrainerView, _ canvas: inout Canvas, row holdRow: Int, showForce: Bool) {
        let width = canvas.columns
        let holdLabel = "hold"
        let holdValue = showForce || view.visibility == .calmOnTarget
            ? "\(view.hold.fixed(1)) s / \(trim(view.options.holdGoal)) s" : "— / \(trim(view.options.holdGoal)) s"
        canvas.put(holdLabel, row: holdRow, column: 1, style: .bold)
        let barStart = 7
        let barEnd = width - 2 - max(16, holdValue.count + 2)
        let fraction = showForce || view.visibility == .calmOnTarget ? min(1, view.hold / view.options.holdGoal) : 0
        let filled = Int((Double(barEnd - barStart) * fraction).rounded(.down))
        canvas.fill(row: holdRow, from: barStart, to: barEnd, scalar: "░", style: .dim)
        canvas.fill(row: holdRow, from: barStart, to: barStart + filled, scalar: "█", style: fraction >= 1 ? .good : .bold)
        canvas.putRight(holdValue, row: holdRow, endColumn: width - 1, style: fraction >= 1 ? .good : .normal)
    }

    /// The four bottom rows: the trial line, the last result, a notice or warning, the keys.
    static func footer(_ view: TrainerView, _ canvas: inout Canvas) {
        let rows = canvas.rows, width = canvas.columns
        // Trial line.
        canvas.put(trialLine(view), row: rows - 4, column: 1, style: .normal)
        // Last result.
        if let result = view.lastResult {
            canvas.put(resultLine(result), row: rows - 3, column: 1, style: .bold)
        }
        putNoticeOrWarning(&canvas, notice: view.notice, warnings: view.warnings, taring: view.taring, row: rows - 2)
        // Key help.
        let sound = view.sound != nil
        var help = "space start/end trial · t tare · f feedback · p peek · " + (sound ? "s sound · " : "") + "+/- target · q quit"
        if view.isDemo { help += " · ↑↓ demo force" }
        if canvas.width(of: help) + 1 > width {
            help = "space trial  t tare  f mode  p peek  " + (sound ? "s sound  " : "") + "+/- target  q quit" + (view.isDemo ? "  ↑↓ force" : "")
        }
        if let shown = view.estimate {
            help = shown.prompt.field == .verdict
                ? "1 too light · 2 on target · 3 too heavy · x skip · q quit"
                : "digits and . · Enter takes it · Backspace corrects · x skip · q quit"
        }
        canvas.fill(row: rows - 1, from: 0, to: width, scalar: " ", style: .help)
        canvas.put(" " + help, row: rows - 1, column: 0, style: .help)
    }

    /// One line for what the student must know now: a notice, else the first
    /// warning and how many more there are; a tare measuring comes first.
    static func putNoticeOrWarning(_ canvas: inout Canvas, notice: String?, warnings: [String], taring: Bool, row: Int) {
        if let notice, !taring {
            canvas.put(notice, row: row, column: 1, style: .warn)
        } else if let warning = warnings.first {
            canvas.put("⚠ " + warning + (warnings.count > 1 ? "  (+\(warnings.count - 1))" : ""), row: row, column: 1, style: .warn)
        }
    }

    static func tooSmall(_ canvas: inout Canvas) {
        canvas.putMessage([
            "Terminal too small",
            "\(canvas.columns)×\(canvas.rows); LightTouch needs \(minimumColumns)×\(minimumRows)",
            "Enlarge the window, or press q",
        ])
    }

    /// Row `row`: the marker; `row + 1`: the bar with the band; `row + 2`: the scale.
    static func gauge(_ view: TrainerView, _ canvas: inout Canvas, row: Int, showForce: Bool, style: CellStyle) {
        let left = 6
        let right = canvas.columns - 7  // exclusive
        let span = Double(right - left - 1)
        let maxG = view.scaleMax
        func column(_ grams: Double) -> Int { left + Int((min(max(grams, 0), maxG) / maxG * span).rounded()) }
        canvas.put("0 g", row: row + 1, column: 1, style: .dim)
        canvas.put("\(trim(maxG)) g", row: row + 1, column: right + 1, style: .dim)
        canvas.fill(row: row + 1, from: left, to: right, scalar: "─", style: .dim)
        let low = column(view.options.bandLow), high = column(view.options.bandHigh)
        canvas.fill(row: row + 1, from: low, to: high + 1, scalar: "▒", style: .band)
        let targetColumn = column(view.options.target)
        canvas.put("│", row: row + 1, column: targetColumn, style: .band)
        let lowLabel = view.options.bandLow.fixed(1), highLabel = view.options.bandHigh.fixed(1)
        canvas.put(lowLabel, row: row + 2, column: low - lowLabel.count / 2, style: .dim)
        canvas.put(highLabel, row: row + 2, column: max(high - highLabel.count / 2, low - lowLabel.count / 2 + lowLabel.count + 1), style: .dim)
        if showForce {
            let x = column(view.force)
            canvas.put(view.force > maxG ? "▶" : "▼", row: row, column: x, style: style)
            // The grams beside the marker, on whichever side has room.
            let label = "\(view.force.fixed(2)) g"
            if x + 2 + label.count < canvas.columns {
                canvas.put(label, row: row, column: x + 2, style: style)
            } else {
                canvas.put(label, row: row, column: x - 1 - label.count, style: style)
            }
            canvas.put("█", row: row + 1, column: x, style: style)
        }
    }

    /// A plot of the force over the last `plotSeconds`, band edges dotted: in
    /// braille, 2 × 4 dots a cell; in ASCII, one `*` a cell, the edges `-`.
    /// One line of the plot: its points, its style, its ASCII mark.
    struct Trace {
        var points: [(time: Double, force: Double)]
        var style: CellStyle
        var ascii: UInt32
    }

    static func plot(_ view: TrainerView, _ canvas: inout Canvas, top: Int, bottom: Int, show: Bool, traces given: [Trace]? = nil) {
        let traces = given ?? [Trace(points: view.history, style: .bold, ascii: 0x2A)]  // *
        let left = 6
        let cellColumns = canvas.columns - left - 1
        let cellRows = bottom - top + 1
        let braille = canvas.glyphs == .unicode
        let (dotsAcross, dotsDown) = braille ? (2, 4) : (1, 1)
        let dotColumns = cellColumns * dotsAcross, dotRows = cellRows * dotsDown
        let maxG = view.scaleMax
        func dotRow(_ grams: Double) -> Int {
            dotRows - 1 - Int((min(max(grams, 0), maxG) / maxG * Double(dotRows - 1)).rounded())
        }
        var bits = [UInt8](repeating: 0, count: cellColumns * cellRows)
        // The trace a cell shows (the last drawn), if any.
        var traceOf = [Int?](repeating: nil, count: cellColumns * cellRows)
        let dotBit: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        func set(_ x: Int, _ y: Int, trace: Int?) {
            guard x >= 0, x < dotColumns, y >= 0, y < dotRows else { return }
            let index = (y / dotsDown) * cellColumns + x / dotsAcross
            bits[index] |= braille ? dotBit[x % 2][y % 4] : 1
            if let trace { traceOf[index] = trace }
        }
        // A dot every other cell.
        for y in [dotRow(view.options.bandLow), dotRow(view.options.bandHigh)] {
            for x in stride(from: 0, to: dotColumns, by: 2 * dotsAcross) { set(x, y, trace: nil) }
        }
        for (number, trace) in traces.enumerated() where show && !trace.points.isEmpty {
            // Bins sit on a fixed grid of absolute time, so the plot moves one
            // dot at a time and the rows between steps need no redraw.
            let perDot = plotSeconds / Double(dotColumns)
            let start = ((view.now / perDot).rounded(.down) + 1) * perDot - plotSeconds
            var lowest = [Double](repeating: .infinity, count: dotColumns)
            var highest = [Double](repeating: -.infinity, count: dotColumns)
            for point in trace.points where point.time >= start {
                let x = min(dotColumns - 1, Int((point.time - start) / perDot))
                lowest[x] = min(lowest[x], point.force)
                highest[x] = max(highest[x], point.force)
            }
            var previous: Int?
            for x in 0..<dotColumns where lowest[x].isFinite {
                var a = dotRow(highest[x]), b = dotRow(lowest[x])
                // Join to the previous column so fast changes draw a line, not dots.
                if let previous { a = min(a, previous + (previous < a ? 1 : 0)); b = max(b, previous - (previous > b ? 1 : 0)) }
                for y in a...max(a, b) { set(x, y, trace: number) }
                previous = dotRow((lowest[x] + highest[x]) / 2)
            }
        }
        for row in 0..<cellRows {
            for column in 0..<cellColumns {
                let index = row * cellColumns + column
                guard bits[index] != 0 else { continue }
                let trace = traceOf[index].map { traces[$0] }
                let scalar: UInt32 = braille ? 0x2800 + UInt32(bits[index]) : (trace?.ascii ?? 0x2D)  // -
                canvas[top + row, left + column] = Cell(scalar: scalar, style: trace?.style ?? .band)
            }
        }
        // Axis labels.
        canvas.put("\(trim(maxG))", row: top, column: 1, style: .dim)
        canvas.put("0 g", row: bottom, column: 1, style: .dim)
        let bandRow = top + dotRow(view.options.target) / dotsDown
        if bandRow > top, bandRow < bottom { canvas.put(trim(view.options.target), row: bandRow, column: 1, style: .band) }
        if !show {
            canvas.putCentred(" live force hidden (\(view.mode.rawValue) feedback) ", row: (top + bottom) / 2, style: .dim)
        } else {
            canvas.putRight(" last \(trim(plotSeconds)) s ", row: top, endColumn: canvas.columns - 1, style: .dim)
        }
    }

    static func trialLine(_ view: TrainerView) -> String {
        var parts: [String] = []
        let number = view.trialNumber.map { "trial \($0) of \(view.trialCount)" } ?? "\(view.trialCount) of \(view.trialCount) trials done"
        switch view.phase {
        case .ready:
            parts.append("\(number): touch the sensor or press space to start")
        case .running:
            parts.append("\(number) · \(view.elapsed.fixed(1)) s of \(trim(view.trialLength)) s")
            if view.visibility == .all || view.visibility == .calmOnTarget {
                if let inBand = view.inBandPercent { parts.append("in band \(inBand.fixed(0)) %") }
                if let balanced = view.balancedPercent { parts.append("balanced \(balanced.fixed(0)) %") }
                if let cv = view.cv { parts.append("steadiness CV \(cv.fixed(3))") }
            }
            if view.mode == .selfPaced { parts.append("peeks \(view.peeks)") }
        case .estimating:
            parts.append("\(number) ended: your estimate first, then its result")
        case .resting:
            parts.append("rest: \(number) starts in \((view.restLeft ?? 0).fixed(0)) s (space starts it now)")
        case .complete:
            parts.append("drill complete: press q for the session table")
        }
        return parts.joined(separator: " · ")
    }

    static func resultLine(_ result: TrialResult) -> String {
        let m = result.metrics
        var text = "trial \(m.trial): score \(m.score.fixed(1)) · best hold \(m.longestHoldSeconds.fixed(1)) s · in band \(m.inBandPercent.fixed(0)) %"
        if let mean = m.meanGrams { text += " · mean \(mean.fixed(2)) g" }
        if let balance = m.hands?.balance, let share = balance.meanLeftSharePercent {
            text += " · L \(share.fixed(0)) %"
            if let balanced = balance.balancedPercent { text += ", balanced \(balanced.fixed(0)) %" }
        } else if let cv = m.cv {
            text += " · CV \(cv.fixed(3))"
        }
        if result.peeks > 0 { text += " · \(result.peeks) peek\(result.peeks == 1 ? "" : "s")" }
        return text
    }

    /// The estimate prompt, in the plot's place: the question, what is typed, a hint.
    ///
    ///     Trial 2 is over. Before you see its result:
    ///     your mean force in grams? 4.5▏
    ///     then your longest hold, in seconds
    static func prompt(_ shown: EstimateDraft.Shown, _ canvas: inout Canvas, top: Int, bottom: Int) {
        let prompt = shown.prompt
        var fields: [(text: String, style: CellStyle)] = []
        for field in prompt.request.fields {
            let answered = prompt.estimate.answers(field)
            let asked = field == prompt.field
            var line = question(field) + " "
            if answered {
                line += answer(field, prompt.estimate)
            } else if asked {
                line += field == .verdict ? verdictChoices : shown.text + "▏"
            }
            fields.append(((asked ? "▸ " : "  ") + line, asked ? .bold : (answered ? .normal : .dim)))
        }
        // On a small screen the blank lines go first, then the heading; the questions and the hint stay.
        let heading = (text: "Trial \(prompt.trial) is over. Before you see its result, estimate it:", style: CellStyle.title)
        let hint = shown.hint.map { [(text: "  " + $0, style: CellStyle.warn)] } ?? []
        let blank = (text: "", style: CellStyle.normal)
        let room = bottom - top + 1
        var lines = [heading, blank] + fields + (hint.isEmpty ? [] : [blank]) + hint
        if lines.count > room { lines = [heading] + fields + hint }
        if lines.count > room { lines = fields + hint }
        var row = top + max(0, (room - lines.count) / 2)
        for line in lines.prefix(max(0, room)) {
            canvas.put(line.text, row: row, column: 4, style: line.style)
            row += 1
        }
    }

    static func question(_ field: EstimateField) -> String {
        switch field {
        case .verdict: "your mean force?"
        case .grams: "your mean force, in grams?"
        case .hold: "your longest hold in the band, in seconds?"
        }
    }

    /// The keys of a verdict, after its question.
    static let verdictChoices = "1 light · 2 on target · 3 heavy"

    static func answer(_ field: EstimateField, _ estimate: TrialEstimate) -> String {
        switch field {
        case .verdict: estimate.verdict?.rawValue ?? ""
        case .grams: estimate.grams.map { "\(EstimateFormat.trimmed($0)) g" } ?? ""
        case .hold: estimate.holdSeconds.map { "\(EstimateFormat.trimmed($0)) s" } ?? ""
        }
    }

    /// The estimate beside the result: "trial 2: you estimated 4.5 g, 6 s · it was 3.62 g, 4.1 s · off by +0.88 g, +1.9 s".
    static func estimateLine(_ result: TrialResult) -> String? {
        guard let comparison = result.estimateComparison else { return nil }
        guard let said = comparison.said else { return "trial \(result.metrics.trial): estimate skipped" }
        return "trial \(result.metrics.trial): you estimated \(said) · it was \(comparison.was)"
            + (comparison.off.isEmpty ? "" : " · off by \(comparison.off)")
    }

    static func trim(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : value.fixed(1)
    }
}
