/// How a cell is drawn. The terminal maps each style to colour when it has
/// colour, and to a monochrome attribute when it does not.
public enum CellStyle: UInt8, Sendable, Equatable, CaseIterable {
    case normal
    case dim
    case bold
    case title
    /// On target.
    case good
    /// Too light.
    case warn
    /// Too heavy, or a problem.
    case bad
    /// The target band.
    case band
    /// The key help line.
    case help
}

/// One character cell: a Unicode scalar (a single-width one) and its style.
public struct Cell: Sendable, Equatable {
    public var scalar: UInt32
    public var style: CellStyle

    public static let blank = Cell(scalar: 0x20, style: .normal)

    public init(scalar: UInt32, style: CellStyle) {
        self.scalar = scalar
        self.style = style
    }
}

/// A screen's worth of cells, drawn in memory and then handed to the
/// terminal, which writes only the rows that changed. Pure, so layouts can be
/// tested without a terminal.
///
/// Everything written goes through `glyphs`: on an `.ascii` canvas every cell
/// holds a printable ASCII character, whatever the text written.
public struct Canvas: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public let glyphs: Glyphs
    public private(set) var cells: [Cell]

    public init(rows: Int, columns: Int, glyphs: Glyphs = .unicode) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        self.glyphs = glyphs
        cells = Array(repeating: .blank, count: self.rows * self.columns)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { cells[row * columns + column] }
        set {
            guard row >= 0, row < rows, column >= 0, column < columns else { return }
            cells[row * columns + column] = Cell(scalar: glyphs.cell(newValue.scalar), style: newValue.style)
        }
    }

    /// The columns `text` takes on this canvas (its scalars once drawn with `glyphs`).
    public func width(of text: String) -> Int { glyphs.text(text).unicodeScalars.count }

    /// Writes `text` at (row, column), clipped to the canvas; returns the column after it.
    @discardableResult
    public mutating func put(_ text: String, row: Int, column: Int, style: CellStyle = .normal) -> Int {
        write(glyphs.text(text), row: row, column: column, style: style)
    }

    /// Writes `text` (already in `glyphs`) at (row, column), clipped; returns the column after it.
    private mutating func write(_ text: String, row: Int, column: Int, style: CellStyle) -> Int {
        var x = column
        guard row >= 0, row < rows else { return x + text.unicodeScalars.count }
        for scalar in text.unicodeScalars {
            if x >= 0, x < columns { cells[row * columns + x] = Cell(scalar: scalar.value, style: style) }
            x += 1
        }
        return x
    }

    /// Writes `text` right-aligned so that it ends at `endColumn` (exclusive).
    public mutating func putRight(_ text: String, row: Int, endColumn: Int, style: CellStyle = .normal) {
        let drawn = glyphs.text(text)
        _ = write(drawn, row: row, column: endColumn - drawn.unicodeScalars.count, style: style)
    }

    /// Writes `text` centred on the row.
    public mutating func putCentred(_ text: String, row: Int, style: CellStyle = .normal) {
        let drawn = glyphs.text(text)
        _ = write(drawn, row: row, column: max(0, (columns - drawn.unicodeScalars.count) / 2), style: style)
    }

    /// A message in the middle of the canvas, its first line bold, each line cut to the width
    /// (a screen too small for anything else).
    public mutating func putMessage(_ lines: [String]) {
        guard rows > 0, columns > 0 else { return }
        let top = max(0, (rows - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let drawn = glyphs.text(line)
            putCentred(String(drawn.unicodeScalars.prefix(columns)), row: top + index, style: index == 0 ? .bold : .normal)
        }
    }

    public mutating func fill(row: Int, from: Int, to: Int, scalar: Unicode.Scalar, style: CellStyle) {
        guard row >= 0, row < rows else { return }
        let cell = Cell(scalar: glyphs.cell(scalar.value), style: style)
        for x in max(0, from)..<max(max(0, from), min(columns, to)) { cells[row * columns + x] = cell }
    }

    /// The cells of one row.
    public func row(_ row: Int) -> ArraySlice<Cell> { cells[(row * columns)..<((row + 1) * columns)] }

    /// The text of one row, for tests and captures.
    public func text(row: Int) -> String {
        var text = ""
        for cell in self.row(row) { text.unicodeScalars.append(Unicode.Scalar(cell.scalar) ?? " ") }
        return text
    }

    /// All rows as text, trailing spaces removed.
    public var text: String {
        (0..<rows).map { row in
            var line = text(row: row)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
