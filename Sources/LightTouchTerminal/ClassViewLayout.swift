import LightTouchCore

/// One station's tile on the class view, as plain values (the class adapter
/// fills it from a station's published state).
public struct ClassTile: Sendable, Equatable {
    public var station: String
    public var student: String?
    /// The drill's or protocol's name, or the session's kind.
    public var title: String
    /// `trial 2/5`, `rest, next 3/5`, `complete`…
    public var phase: String
    /// The force, verdict and hold: nil while the trial is blind.
    public var force: Double?
    public var verdict: String?
    public var hold: Double?
    public var holdGoal: Double
    public var target: Double
    public var tolerance: Double
    public var lastScore: Double?
    /// Seconds without an update, when the station went quiet.
    public var quietFor: Double?
    /// Two hands: each hand's force (nil for one hand, and while blind).
    public var left: Double? = nil
    public var right: Double? = nil

    public init(
        station: String, student: String?, title: String, phase: String, force: Double?, verdict: String?, hold: Double?,
        holdGoal: Double, target: Double, tolerance: Double, lastScore: Double?, quietFor: Double?
    ) {
        self.station = station
        self.student = student
        self.title = title
        self.phase = phase
        self.force = force
        self.verdict = verdict
        self.hold = hold
        self.holdGoal = holdGoal
        self.target = target
        self.tolerance = tolerance
        self.lastScore = lastScore
        self.quietFor = quietFor
    }
}

/// The instructor's class view: tiles of 5 rows × 26 columns in a grid, as
/// many across as the terminal is wide; a status line at the top; those that
/// do not fit are counted at the bottom. Pure: it fills a canvas.
///
///     bench-1
///     Ada · first-touch
///     trial 2/5      last 87.0
///     ─────────▒▒▒█▒▒─────────
///     5.10 g on target 1.2/3s
///
/// Two hands put an L and an R on the gauge at each hand's force, under the
/// pair's █.
public enum ClassViewLayout {
    public static let tileRows = 5
    public static let tileColumns = 26
    /// The scale of a tile's gauge, g.
    public static let scaleMax = 10.0

    public static func render(_ tiles: [ClassTile], header: String, rows: Int, columns: Int, glyphs: Glyphs) -> Canvas {
        var canvas = Canvas(rows: rows, columns: columns, glyphs: glyphs)
        canvas.put(header, row: 0, column: 0, style: .title)
        let across = max(1, columns / tileColumns)
        let down = max(0, (rows - 2) / tileRows)
        let shown = min(tiles.count, across * down)
        for (index, tile) in tiles.prefix(shown).enumerated() {
            draw(tile, &canvas, top: 1 + (index / across) * tileRows, left: (index % across) * tileColumns)
        }
        if shown < tiles.count {
            canvas.put("+\(tiles.count - shown) more stations: widen the terminal, or use --plain", row: rows - 1, column: 0, style: .warn)
        } else if tiles.isEmpty {
            canvas.put("No station has published yet: stations run `practice`/`assess` with --class.", row: 2, column: 0, style: .dim)
        }
        return canvas
    }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }

    static func draw(_ tile: ClassTile, _ canvas: inout Canvas, top: Int, left: Int) {
        let width = tileColumns - 2
        let quiet = tile.quietFor != nil
        canvas.put(clip(tile.station, width - 8), row: top, column: left, style: quiet ? .dim : .bold)
        if let silence = tile.quietFor {
            canvas.putRight("QUIET \(Int(silence)) s", row: top, endColumn: left + width, style: .bad)
        }
        canvas.put(clip("\(tile.student ?? "—") · \(tile.title)", width), row: top + 1, column: left, style: quiet ? .dim : .normal)
        let score = tile.lastScore.map { "last \($0.fixed(1))" } ?? ""
        canvas.put(clip(tile.phase, width - score.count - 1), row: top + 2, column: left, style: quiet ? .dim : .normal)
        canvas.putRight(score, row: top + 2, endColumn: left + width, style: .dim)
        // The gauge: the band, the target and (unless blind) the force.
        let span = Double(width - 1)
        func column(_ grams: Double) -> Int { left + Int((min(max(grams, 0), scaleMax) / scaleMax * span).rounded()) }
        canvas.fill(row: top + 3, from: left, to: left + width, scalar: "─", style: .dim)
        canvas.fill(row: top + 3, from: column(tile.target - tile.tolerance), to: column(tile.target + tile.tolerance) + 1, scalar: "▒", style: .band)
        canvas.put("│", row: top + 3, column: column(tile.target), style: .band)
        if let force = tile.force {
            let style = verdictStyle(tile.verdict)
            // Two hands: each hand's marker, then the pair's force over them (alone when the hands are together).
            if let left = tile.left { canvas.put("L", row: top + 3, column: column(left), style: quiet ? .dim : .bold) }
            if let right = tile.right { canvas.put("R", row: top + 3, column: column(right), style: quiet ? .dim : .bold) }
            canvas.put("█", row: top + 3, column: column(force), style: quiet ? .dim : style)
            var line = "\(force.fixed(2)) g \(tile.verdict ?? "")"
            if let hold = tile.hold { line += " \(hold.fixed(1))/\(tile.holdGoal.fixed(0))s" }
            canvas.put(clip(line, width), row: top + 4, column: left, style: quiet ? .dim : style)
        } else {
            canvas.put("blind: no live force", row: top + 4, column: left, style: .dim)
        }
    }

    static func verdictStyle(_ verdict: String?) -> CellStyle {
        switch verdict {
        case "on target": .good
        case "too light": .warn
        case "too heavy": .bad
        case "unbalanced", "left too light", "right too light": .warn
        case "left too heavy", "right too heavy": .bad
        default: .normal
        }
    }
}
