import LightTouchCore
import LightTouchTrainer

/// The trainer screen for two hands: the same frame as one hand's (title,
/// hold bar, plot, trial line, keys), with each hand's force in large digits
/// and its verdict, a gauge for each hand against the band, and the balance
/// (the left hand's share of the total) on its own gauge with its band.
///
///     title                                                     sensor
///     ─────────────────────────────────────────────────────────────────
///     LEFT  big digits g  VERDICT        RIGHT  big digits g  VERDICT
///     L gauge with the band, R gauge with the band, their scale
///     balance gauge 0–100 % with its band            47.5 % L balanced
///     hold bar (both hands in band and balanced)        7.4 s / 10 s
///     plot: the left hand bold, the right in colour (`*` and `o` in ASCII)
///     trial line · last result · warnings · key help
enum TwoHandLayout {
    static func render(_ view: TrainerView, canvas start: Canvas) -> Canvas {
        var canvas = start
        let width = canvas.columns
        canvas.put(" LightTouch · \(view.drillName) · two hands", row: 0, column: 0, style: .title)
        canvas.putRight(
            "\(view.sensor) · \(view.calibrated ? (view.calibrationExpired ? "calibration EXPIRED" : "calibrated") : "uncalibrated") ",
            row: 0, endColumn: width, style: view.calibrationExpired ? .bold : .dim)
        canvas.fill(row: 1, from: 0, to: width, scalar: "─", style: .dim)

        let showForce = view.visibility == .all
        let hands = view.hands ?? HandForces(left: 0, right: 0)
        let half = width / 2
        hand("LEFT", hands.left, view, &canvas, column: 1, end: half - 1, showForce: showForce)
        hand("RIGHT", hands.right, view, &canvas, column: half + 1, end: width - 1, showForce: showForce)

        // A gauge for each hand, one scale under both.
        gauge(hands.left, label: "L", view, &canvas, markerRow: 7, barRow: 8, showForce: showForce)
        gauge(hands.right, label: "R", view, &canvas, markerRow: 10, barRow: 9, showForce: showForce)
        scale(view, &canvas, row: 11)
        balanceGauge(view, &canvas, row: 12, showForce: showForce)
        TrainerLayout.holdBar(view, &canvas, row: 13, showForce: showForce)

        let plotTop = 15
        TrainerLayout.plotArea(view, &canvas, top: plotTop) { canvas, plotBottom in
            let left = zip(view.history, view.handsHistory).map { (time: $0.time, force: $1.left) }
            let right = zip(view.history, view.handsHistory).map { (time: $0.time, force: $1.right) }
            TrainerLayout.plot(
                view, &canvas, top: plotTop, bottom: plotBottom, show: showForce,
                traces: [
                    TrainerLayout.Trace(points: left, style: .bold, ascii: 0x2A),  // *
                    TrainerLayout.Trace(points: right, style: .warn, ascii: 0x6F),  // o
                ])
            if showForce {
                let legend = canvas.glyphs == .unicode ? ["left ━", "right ━"] : ["left *", "right o"]
                let end = width - 1 - canvas.width(of: " last \(TrainerLayout.trim(TrainerLayout.plotSeconds)) s ") - 2
                let rightStart = end - canvas.width(of: legend[1])
                canvas.put(legend[1], row: plotTop, column: rightStart, style: .warn)
                canvas.put(legend[0], row: plotTop, column: rightStart - 2 - canvas.width(of: legend[0]), style: .bold)
            }
        }
        TrainerLayout.footer(view, &canvas)
        return canvas
    }

    /// Writes the first of `choices` that fits between `column` and `end` (exclusive), if any does.
    static func putFitting(_ choices: [String], _ canvas: inout Canvas, row: Int, column: Int, end: Int, style: CellStyle) {
        guard let text = choices.first(where: { column + canvas.width(of: $0) <= end }) else { return }
        canvas.put(text, row: row, column: column, style: style)
    }

    /// A hand's name, its force in large digits and its verdict, in its half of the width (up to `end`).
    static func hand(
        _ name: String, _ force: Double, _ view: TrainerView, _ canvas: inout Canvas, column: Int, end: Int, showForce: Bool
    ) {
        let verdict = Verdict(force: force, options: view.options)
        let style = style(verdict)
        canvas.put(name, row: 2, column: column, style: .bold)
        let digitsColumn = column + name.count + 1
        var after = digitsColumn
        if showForce {
            let text = force.fixed(1)
            BigDigits.draw(text, on: &canvas, row: 2, column: digitsColumn, style: style)
            after = digitsColumn + BigDigits.width(text) + 1
            canvas.put("g", row: 6, column: after, style: .bold)
            after += 3
        } else {
            after = digitsColumn + 12
        }
        switch view.visibility {
        case .all: putFitting([verdict.rawValue.uppercased()], &canvas, row: 3, column: after, end: end, style: style)
        case .calmOnTarget: putFitting(["in the band", "in band"], &canvas, row: 3, column: after, end: end, style: .good)
        case .hidden: putFitting(["· · ·"], &canvas, row: 3, column: after, end: end, style: .dim)
        }
        // The band (per hand) beside the left hand, the balance band beside the right; shorter on a narrow screen.
        let target = view.options.target.fixed(1), tolerance = view.options.tolerance.fixed(1)
        if name == "LEFT" {
            putFitting(
                ["target \(target) g ± \(tolerance) each", "\(target) g ± \(tolerance)", "\(target) ± \(tolerance)"], &canvas, row: 5,
                column: after, end: end, style: .dim)
        } else if let balance = view.balance {
            let target = TrainerLayout.trim(balance.target), tolerance = TrainerLayout.trim(balance.tolerance)
            putFitting(
                ["balance \(target) % ± \(tolerance)", "\(target) % ± \(tolerance)"], &canvas, row: 5, column: after, end: end,
                style: .dim)
        }
        putFitting(["feedback \(view.mode.rawValue)", view.mode.rawValue], &canvas, row: 6, column: after, end: end, style: .dim)
    }

    static func style(_ verdict: Verdict) -> CellStyle {
        verdict == .onTarget ? .good : (verdict == .tooLight ? .warn : .bad)
    }

    /// A hand's gauge: the bar with the band on `barRow`, the marker and its
    /// grams on `markerRow` (above the left hand's bar, below the right's).
    static func gauge(
        _ force: Double, label: String, _ view: TrainerView, _ canvas: inout Canvas, markerRow: Int, barRow: Int, showForce: Bool
    ) {
        let left = 6
        let right = canvas.columns - 7  // exclusive
        let span = Double(right - left - 1)
        let maxG = view.scaleMax
        func column(_ grams: Double) -> Int { left + Int((min(max(grams, 0), maxG) / maxG * span).rounded()) }
        canvas.put(label, row: barRow, column: 1, style: .bold)
        canvas.put("\(TrainerLayout.trim(maxG)) g", row: barRow, column: right + 1, style: .dim)
        canvas.fill(row: barRow, from: left, to: right, scalar: "─", style: .dim)
        let low = column(view.options.bandLow), high = column(view.options.bandHigh)
        canvas.fill(row: barRow, from: low, to: high + 1, scalar: "▒", style: .band)
        canvas.put("│", row: barRow, column: column(view.options.target), style: .band)
        guard showForce else { return }
        let style = style(Verdict(force: force, options: view.options))
        let x = column(force)
        let marker = force > maxG ? "▶" : (markerRow < barRow ? "▼" : "▲")
        canvas.put(marker, row: markerRow, column: x, style: style)
        let grams = "\(force.fixed(2)) g"
        if x + 2 + grams.count < canvas.columns {
            canvas.put(grams, row: markerRow, column: x + 2, style: style)
        } else {
            canvas.put(grams, row: markerRow, column: x - 1 - grams.count, style: style)
        }
        canvas.put("█", row: barRow, column: x, style: style)
    }

    /// The band's edges under both gauges.
    static func scale(_ view: TrainerView, _ canvas: inout Canvas, row: Int) {
        let left = 6
        let right = canvas.columns - 7
        let span = Double(right - left - 1)
        let maxG = view.scaleMax
        func column(_ grams: Double) -> Int { left + Int((min(max(grams, 0), maxG) / maxG * span).rounded()) }
        let low = column(view.options.bandLow), high = column(view.options.bandHigh)
        let lowLabel = view.options.bandLow.fixed(1), highLabel = view.options.bandHigh.fixed(1)
        canvas.put("0 g", row: row, column: 1, style: .dim)
        canvas.put(lowLabel, row: row, column: low - lowLabel.count / 2, style: .dim)
        canvas.put(
            highLabel, row: row, column: max(high - highLabel.count / 2, low - lowLabel.count / 2 + lowLabel.count + 1), style: .dim)
    }

    /// The balance: the left share on a 0–100 % bar with its band, and the
    /// share and its verdict at the right.
    static func balanceGauge(_ view: TrainerView, _ canvas: inout Canvas, row: Int, showForce: Bool) {
        guard let balance = view.balance else { return }
        let share = view.leftShare
        let balanced = balance.isBalanced(share: share)
        let value: String
        if !showForce {
            value = view.visibility == .calmOnTarget ? "" : "—"
        } else if let share {
            value = "L \(share.fixed(1)) % · " + (balanced ? "balanced" : share < balance.low ? "right heavier" : "left heavier")
        } else {
            value = "both hands on"
        }
        canvas.put("bal", row: row, column: 1, style: .bold)
        let left = 6
        let right = canvas.columns - 2 - max(28, value.count + 2)  // exclusive
        let span = Double(right - left - 1)
        func column(_ percent: Double) -> Int { left + Int((min(max(percent, 0), 100) / 100 * span).rounded()) }
        canvas.fill(row: row, from: left, to: right, scalar: "─", style: .dim)
        canvas.fill(row: row, from: column(balance.low), to: column(balance.high) + 1, scalar: "▒", style: .band)
        canvas.put("│", row: row, column: column(balance.target), style: .band)
        if showForce, let share {
            canvas.put("█", row: row, column: column(share), style: balanced ? .good : .bad)
        }
        canvas.putRight(value, row: row, endColumn: canvas.columns - 1, style: balanced ? .good : (share == nil ? .dim : .bad))
    }
}
