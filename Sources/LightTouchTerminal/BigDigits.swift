/// Digits five rows tall, to read the force from arm's length.
enum BigDigits {
    static let height = 5

    /// Each glyph is 3 columns wide (the point and space are 1 and 2); `#` marks a block.
    static let glyphs: [Character: [String]] = [
        "0": ["###", "# #", "# #", "# #", "###"],
        "1": [" # ", "## ", " # ", " # ", "###"],
        "2": ["###", "  #", "###", "#  ", "###"],
        "3": ["###", "  #", " ##", "  #", "###"],
        "4": ["# #", "# #", "###", "  #", "  #"],
        "5": ["###", "#  ", "###", "  #", "###"],
        "6": ["###", "#  ", "###", "# #", "###"],
        "7": ["###", "  #", " # ", " # ", " # "],
        "8": ["###", "# #", "###", "# #", "###"],
        "9": ["###", "# #", "###", "  #", "###"],
        "-": ["   ", "   ", "###", "   ", "   "],
        ".": [" ", " ", " ", " ", "#"],
        " ": ["  ", "  ", "  ", "  ", "  "],
    ]

    /// The width of `text` in big digits, one column between glyphs.
    static func width(_ text: String) -> Int {
        text.reduce(0) { $0 + (glyphs[$1]?.first?.count ?? 0) + 1 } - (text.isEmpty ? 0 : 1)
    }

    /// Draws `text` with its top-left at (row, column).
    static func draw(_ text: String, on canvas: inout Canvas, row: Int, column: Int, style: CellStyle) {
        var x = column
        for character in text {
            guard let glyph = glyphs[character] else { continue }
            for (dy, line) in glyph.enumerated() {
                for (dx, mark) in line.enumerated() where mark == "#" {
                    canvas[row + dy, x + dx] = Cell(scalar: 0x2588, style: style)  // █
                }
            }
            x += (glyph.first?.count ?? 0) + 1
        }
    }
}
