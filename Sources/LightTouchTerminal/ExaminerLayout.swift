import LightTouchCore
import LightTouchTrainer

/// Lays out the examiner's screen of `lighttouch assess`: a pure function
/// from an `ExaminerView`, a size and the glyphs the terminal can show to a
/// `Canvas` (in ASCII the trials are `+ * .`, the box `+-|`).
///
///     LightTouch · assessment basic-5g                  sensor · calibration
///     student ann · examiner zoe
///     3 trials × 10 s at 5 g ± 1 g · hold goal 8 s · … (wrapped to two rows)
///     ───────────────────────────────────────────────────────────────────────
///
///     Trial 2 of 3 running
///     ██████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░       4.2 s / 10 s
///     trials  ✓ ● ○   1 of 3 recorded
///
///     the force panel: big digits, verdict, hold and gauge when the protocol
///     shows the force; otherwise a box saying that it is hidden
///     warning or notice
///     key help
///
/// Per-trial results are never drawn here: the student can see the screen,
/// and in a blind protocol a trial's score tells them how they pressed. They
/// are printed, with each criterion, when the assessment ends.
public enum ExaminerLayout {
    public static let minimumColumns = 60
    public static let minimumRows = 20

    /// Says that live force is hidden, and from whom.
    public static func hiddenForceText(_ mode: FeedbackMode) -> String {
        "\(mode.rawValue): live force hidden from student and examiner"
    }

    public static func render(_ view: ExaminerView, rows: Int, columns: Int, glyphs: Glyphs = .unicode) -> Canvas {
        var canvas = Canvas(rows: rows, columns: columns, glyphs: glyphs)
        guard columns >= minimumColumns, rows >= minimumRows else {
            tooSmall(&canvas)
            return canvas
        }
        let width = columns

        // Who and what.
        let title = " LightTouch · assessment \(view.protocolName)"
        canvas.put(title, row: 0, column: 0, style: .title)
        let calibration = view.calibrated ? (view.calibrationExpired ? "calibration EXPIRED" : "calibrated") : "uncalibrated"
        let calibrationStyle: CellStyle = view.calibrationExpired ? .bad : .dim
        let sensorAndCalibration = "\(view.sensor) · \(calibration) "
        var column = canvas.put(" student ", row: 1, column: 0, style: .dim)
        column = canvas.put(view.student, row: 1, column: column, style: .bold)
        column = canvas.put(" · examiner ", row: 1, column: column, style: .dim)
        column = canvas.put(view.examiner ?? "—", row: 1, column: column, style: .bold)
        if canvas.width(of: title) + 1 + canvas.width(of: sensorAndCalibration) <= width {
            canvas.putRight(sensorAndCalibration, row: 0, endColumn: width, style: calibrationStyle)
        } else {
            // A narrow window: the calibration stays on the title row, the sensor moves down a row if it fits.
            canvas.putRight(calibration + " ", row: 0, endColumn: width, style: calibrationStyle)
            let sensor = "sensor \(view.sensor) "
            if column + 1 + canvas.width(of: sensor) <= width { canvas.putRight(sensor, row: 1, endColumn: width, style: .dim) }
        }
        // Wrapped as drawn: `±` takes two columns in ASCII.
        let rules = wrap(canvas.glyphs.text(view.rules), width: width - 2, separator: canvas.glyphs.text(" · "))
        for (index, line) in rules.prefix(2).enumerated() {
            canvas.put(line, row: 2 + index, column: 1, style: .normal)
        }
        canvas.fill(row: 4, from: 0, to: width, scalar: "─", style: .dim)

        // Where the assessment stands.
        phase(view, &canvas, row: 6)
        if let sound = view.sound {
            canvas.putRight(sound.indicator + " ", row: 5, endColumn: width, style: sound.isAudible && sound.underruns == 0 ? .dim : .warn)
        }
        trials(view, &canvas, row: 8)

        // The force, only as far as the protocol allows.
        switch view.liveFeedback {
        case .shown: force(view.live, &canvas, top: 10)
        case .calmOnTarget: calmOnTarget(view.live, &canvas, top: 10)
        case .hidden: hidden(view, &canvas, top: 10)
        }

        // Warning or notice.
        TrainerLayout.putNoticeOrWarning(&canvas, notice: view.notice, warnings: view.warnings, taring: view.live.taring, row: rows - 2)
        // Key help: the protocol fixes the feedback and the target, so only these (and `s` with sound).
        let sound = view.sound != nil ? "s sound · " : ""
        var help = "t tare (between trials) · \(sound)q end the assessment (a trial in progress is kept)"
        // The bottom-right cell stays blank (writing it scrolls some terminals).
        if canvas.width(of: help) + 2 > width { help = "t tare · \(sound)q end (a running trial is kept)" }
        if case .estimating(_, let shown?) = view.phase {
            help = shown.prompt.field == .verdict
                ? "1 too light · 2 on target · 3 too heavy · x skip · q end"
                : "digits and . · Enter takes it · Backspace corrects · x skip · q end"
        }
        canvas.fill(row: rows - 1, from: 0, to: width, scalar: " ", style: .help)
        canvas.put(" " + help, row: rows - 1, column: 0, style: .help)
        return canvas
    }

    /// The assessment goes on while the window is too small; this says so and what size it needs.
    static func tooSmall(_ canvas: inout Canvas) {
        canvas.putMessage([
            "Terminal too small",
            "\(canvas.columns)×\(canvas.rows): make the window at least \(minimumColumns)×\(minimumRows)",
            "The assessment goes on; q ends it",
        ])
    }

    /// Row `row`: the phase in words; `row + 1`: its progress.
    static func phase(_ view: ExaminerView, _ canvas: inout Canvas, row: Int) {
        let width = canvas.columns
        /// A bar from column 1 to the label, `fraction` of it filled, the label right-aligned.
        func bar(_ fraction: Double, label: String, style: CellStyle) {
            let start = 1
            let end = width - 2 - max(16, canvas.width(of: label) + 2)
            let filled = Int((Double(end - start) * min(1, max(0, fraction))).rounded(.down))
            canvas.fill(row: row + 1, from: start, to: end, scalar: "░", style: .dim)
            canvas.fill(row: row + 1, from: start, to: start + filled, scalar: "█", style: style)
            canvas.putRight(label, row: row + 1, endColumn: width - 1, style: .normal)
        }
        switch view.phase {
        case .waiting(let trial):
            canvas.put(" Waiting for the first touch of trial \(trial) of \(view.trialCount)", row: row, column: 0, style: .bold)
            canvas.put("the trial starts when the student touches the sensor", row: row + 1, column: 1, style: .dim)
        case .running(let trial, let elapsed, let length):
            canvas.put(" Trial \(trial) of \(view.trialCount) running", row: row, column: 0, style: .good)
            bar(length > 0 ? elapsed / length : 0, label: "\(elapsed.fixed(1)) s / \(TrainerLayout.trim(length)) s", style: .good)
        case .estimating(let trial, let shown):
            canvas.put(" Trial \(trial) of \(view.trialCount) is over: the student estimates it", row: row, column: 0, style: .bold)
            if let shown {
                let prompt = shown.prompt
                var line = TrainerLayout.question(prompt.field) + " "
                line += prompt.field == .verdict ? TrainerLayout.verdictChoices : shown.text + "▏"
                canvas.put(line, row: row + 1, column: 1, style: .normal)
                if let hint = shown.hint { canvas.putRight(hint, row: row, endColumn: width - 1, style: .warn) }
            }
        case .resting(let next, let left, let rest):
            let seconds = Int(left.rounded(.up))
            canvas.put(" Trial \(next - 1) recorded · rest before trial \(next) of \(view.trialCount)", row: row, column: 0, style: .bold)
            bar(rest > 0 ? 1 - left / rest : 1, label: "rest: \(seconds) s left", style: .bold)
        case .complete:
            canvas.put(" Protocol complete: \(view.trialCount) of \(view.trialCount) trials recorded", row: row, column: 0, style: .good)
            canvas.put("grading…", row: row + 1, column: 1, style: .dim)
        }
    }

    /// Each trial as ✓ recorded, ● running or ○ to come, and the count recorded.
    static func trials(_ view: ExaminerView, _ canvas: inout Canvas, row: Int) {
        var running: Int?
        if case .running(let trial, _, _) = view.phase { running = trial }
        var column = canvas.put(" trials ", row: row, column: 0, style: .dim)
        let summary = "  \(view.recorded) of \(view.trialCount) recorded"
        let room = (canvas.columns - column - canvas.width(of: summary) - 1) / 2
        let shown = min(view.trialCount, max(0, room))
        for trial in stride(from: 1, through: shown, by: 1) {
            let (mark, style): (String, CellStyle) =
                trial <= view.recorded ? ("✓", .good) : (trial == running ? ("●", .bold) : ("○", .dim))
            column = canvas.put(" " + mark, row: row, column: column, style: style)
        }
        if shown < view.trialCount { column = canvas.put(" …", row: row, column: column, style: .dim) }
        canvas.put(summary, row: row, column: column, style: .normal)
    }

    /// The force as the trainer shows it: large digits, verdict, target, hold and gauge (8 rows).
    static func force(_ live: TrainerView, _ canvas: inout Canvas, top: Int) {
        if let hands = live.hands {
            twoHands(hands, live, &canvas, top: top)
            return
        }
        let verdict = live.verdict
        let style: CellStyle = verdict == .onTarget ? .good : (verdict == .tooLight ? .warn : .bad)
        let digits = live.force.fixed(1)
        BigDigits.draw(digits, on: &canvas, row: top, column: 2, style: style)
        canvas.put("g", row: top + 4, column: 3 + BigDigits.width(digits), style: .bold)
        let right = max(34, canvas.columns - 24)
        canvas.put(verdict.rawValue.uppercased(), row: top + 1, column: right, style: style)
        canvas.put("hold \(live.hold.fixed(1)) s / \(TrainerLayout.trim(live.options.holdGoal)) s", row: top + 3, column: right, style: .normal)
        TrainerLayout.gauge(live, &canvas, row: top + 5, showForce: true, style: style)
    }

    /// Two hands in the same 8 rows: each hand's grams and verdict, the
    /// balance, the hold, and a gauge for each hand.
    static func twoHands(_ hands: HandForces, _ live: TrainerView, _ canvas: inout Canvas, top: Int) {
        var column = 2
        for (name, force) in [("LEFT", hands.left), ("RIGHT", hands.right)] {
            let verdict = Verdict(force: force, options: live.options)
            column = canvas.put("\(name) ", row: top, column: column, style: .bold)
            column = canvas.put(
                "\(force.fixed(2)) g \(verdict.rawValue.uppercased())", row: top, column: column, style: TwoHandLayout.style(verdict))
            column += 4
        }
        if let balance = live.balance {
            let share = live.leftShare
            let balanced = balance.isBalanced(share: share)
            canvas.put(
                "balance " + (share.map { "L \($0.fixed(1)) % · " + (balanced ? "balanced" : "unbalanced") } ?? "—")
                    + " (\(TrainerLayout.trim(balance.low))–\(TrainerLayout.trim(balance.high)) %)",
                row: top + 1, column: 2, style: balanced ? .good : .bad)
        }
        canvas.put("hold \(live.hold.fixed(1)) s / \(TrainerLayout.trim(live.options.holdGoal)) s", row: top + 2, column: 2, style: .normal)
        TwoHandLayout.gauge(hands.left, label: "L", live, &canvas, markerRow: top + 4, barRow: top + 5, showForce: true)
        TwoHandLayout.gauge(hands.right, label: "R", live, &canvas, markerRow: top + 7, barRow: top + 6, showForce: true)
    }

    /// Bandwidth feedback in the band: "on target" and the band, no number, no marker.
    static func calmOnTarget(_ live: TrainerView, _ canvas: inout Canvas, top: Int) {
        canvas.put("on target", row: top + 1, column: 4, style: .good)
        canvas.put("bandwidth: the force shows only while it is out of the band", row: top + 3, column: 4, style: .dim)
        TrainerLayout.gauge(live, &canvas, row: top + 5, showForce: false, style: .good)
    }

    /// A box saying that the force is hidden, and when the results come.
    static func hidden(_ view: ExaminerView, _ canvas: inout Canvas, top: Int) {
        var running = false
        if case .running = view.phase { running = true }
        let lines = [
            hiddenForceText(view.mode),
            running ? "each trial's results appear when the assessment ends" : "hidden outside trials too, so every trial is unaided",
        ]
        let inner = lines.map { canvas.width(of: $0) }.max() ?? 0
        let boxWidth = min(canvas.columns, inner + 4)
        let left = max(0, (canvas.columns - boxWidth) / 2)
        let row = top + 1
        canvas.put("┌" + String(repeating: "─", count: max(0, boxWidth - 2)) + "┐", row: row, column: left, style: .dim)
        for (index, line) in lines.enumerated() {
            canvas.put("│", row: row + 1 + index, column: left, style: .dim)
            canvas.put(line, row: row + 1 + index, column: left + 2, style: index == 0 ? .bold : .dim)
            canvas.put("│", row: row + 1 + index, column: left + boxWidth - 1, style: .dim)
        }
        canvas.put(
            "└" + String(repeating: "─", count: max(0, boxWidth - 2)) + "┘", row: row + 1 + lines.count, column: left, style: .dim)
    }

    /// Splits `text` at `separator` into lines of at most `width` scalars (a
    /// piece longer than that is cut).
    static func wrap(_ text: String, width: Int, separator: String) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for piece in text.split(separator: separator, omittingEmptySubsequences: false).map(String.init) {
            let candidate = line.isEmpty ? piece : line + separator + piece
            if candidate.unicodeScalars.count <= width || line.isEmpty {
                line = candidate
            } else {
                lines.append(line)
                line = piece
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { String(String.UnicodeScalarView($0.unicodeScalars.prefix(width))) }
    }
}
