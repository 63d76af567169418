import LightTouchCore
import Testing

@testable import LightTouchTerminal

/// The class view's tiles: the force, verdict and hold when the station
/// publishes them, `blind` when it does not, a quiet station marked, and the
/// stations that do not fit counted.
struct ClassViewLayoutTests {
    static let seeing = ClassTile(
        station: "bench-1", student: "Ada", title: "first-touch", phase: "trial 2/5", force: 5.1, verdict: "on target", hold: 1.2,
        holdGoal: 3, target: 5, tolerance: 1, lastScore: 87, quietFor: nil)
    static let blindAndQuiet = ClassTile(
        station: "bench-2", student: nil, title: "basic-5g", phase: "rest, then 2/3", force: nil, verdict: nil, hold: nil, holdGoal: 8,
        target: 5, tolerance: 1, lastScore: 61.25, quietFor: 4.2)

    @Test func twoTilesSideBySideOneBlindAndQuiet() {
        let canvas = ClassViewLayout.render(
            [Self.seeing, Self.blindAndQuiet], header: "Class h:5432/db: 2 stations", rows: 8, columns: 60, glyphs: .unicode)
        #expect((0..<8).map { canvas.text(row: $0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) } == [
            "Class h:5432/db: 2 stations",
            "bench-1                   bench-2        QUIET 4 s",
            "Ada · first-touch         — · basic-5g",
            "trial 2/5      last 87.0  rest, then 2/3 last 61.3",
            "─────────▒▒▒█▒▒─────────  ─────────▒▒▒│▒▒─────────",
            "5.10 g on target 1.2/3s   blind: no live force",
            "",
            "",
        ])
        // The force's marker and line take the verdict's style; a quiet station is dimmed.
        #expect(canvas[4, 12].style == .good)
        #expect(canvas[1, 26].style == .dim)
        #expect(canvas[1, 41].style == .bad)
    }

    /// Two hands: an L and an R on the gauge at each hand's force (columns
    /// by hand: round(g / 10 · 23): 4.2 → 10, 6.8 → 16), the pair's █ at 5.5 g (13).
    @Test func twoHandsShowEachHandOnTheGauge() {
        var tile = Self.seeing
        tile.force = 5.5
        tile.verdict = "unbalanced"
        tile.left = 4.2
        tile.right = 6.8
        tile.holdGoal = 5
        let canvas = ClassViewLayout.render([tile], header: "Class", rows: 7, columns: 30, glyphs: .unicode)
        #expect(canvas.text(row: 4).hasPrefix("─────────▒L▒│█▒─R───────"), "\(canvas.text(row: 4))")
        #expect(canvas.text(row: 5).hasPrefix("5.50 g unbalanced 1.2/5s"))
        #expect(canvas[5, 0].style == .warn)
    }

    @Test func stationsThatDoNotFitAreCounted() {
        let tiles = (1...7).map { index in
            var tile = Self.seeing
            tile.station = "bench-\(index)"
            return tile
        }
        let canvas = ClassViewLayout.render(tiles, header: "Class", rows: 12, columns: 80, glyphs: .ascii)
        // 3 across, 2 down: 6 shown.
        #expect(canvas.text(row: 6).hasPrefix("bench-4"))
        #expect(canvas.text(row: 11).hasPrefix("+1 more stations: widen the terminal, or use --plain"))
        #expect(canvas.text(row: 4).hasPrefix("---------===#==---------  ---------===#==---------"))
    }
}
