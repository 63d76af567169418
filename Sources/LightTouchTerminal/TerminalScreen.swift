import CNcursesw
import Dispatch

/// A key read from the terminal.
public enum TerminalKey: Sendable, Equatable {
    case character(Character)
    case up, down, left, right
    /// The keypad's Backspace and Enter (a terminal may send them as characters instead: DEL, ^H, CR, LF).
    case backspace, enter
    case resize
    case other(Int32)
}

/// Why the full screen cannot start.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// stdin or stdout is not a terminal: initscr would write escape codes into a file or pipe.
    case notATerminal
    /// ncurses could not set the terminal up (unknown TERM, for instance).
    case cannotInitialize(term: String?)

    public var description: String {
        switch self {
        case .notATerminal: "the full screen needs a terminal on stdin and stdout (use --plain or --json)"
        case .cannotInitialize(let term): "cannot drive this terminal (TERM=\(term ?? "unset")); try --plain"
        }
    }
}

/// The ncursesw screen. Every method must be called on `queue`, the one
/// queue that touches ncurses (it is not thread-safe). Drawing takes a whole
/// `Canvas` and writes only the rows that differ from the last one drawn;
/// ncurses then sends only the cells that changed.
// @unchecked Sendable: all state is used on `queue` only (checked with
// dispatchPrecondition); the object is shared so that timer handlers on that
// queue can reach it.
public final class TerminalScreen: @unchecked Sendable {
    public let queue: DispatchQueue
    /// The glyphs the screen's canvases are laid out with, and whether it may use colour.
    public let style: ScreenStyle
    private var previous: Canvas?
    private var active = false
    private var hasColour = false
    private var styles: [CellStyle: attr_t] = [:]
    private var rowBuffer: [wchar_t] = []

    /// Whether stdin and stdout are both terminals.
    public static var isInteractive: Bool { lt_isatty(0) == 1 && lt_isatty(1) == 1 }

    public init(queue: DispatchQueue, style: ScreenStyle = ScreenStyle()) {
        self.queue = queue
        self.style = style
    }

    /// Takes over the terminal: alternate screen, no echo, keys one at a time, no cursor.
    public func start() throws(TerminalError) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard Self.isInteractive else { throw TerminalError.notATerminal }
        lt_curses_use_environment_locale()
        set_escdelay(25)  // arrow keys arrive as escape sequences; do not wait a second for them
        guard lt_newterm_stdio() != nil else {
            throw TerminalError.cannotInitialize(term: lt_term_name().map { String(cString: $0) })
        }
        active = true
        cbreak()
        noecho()
        nonl()
        _ = lt_keypad(true)
        _ = lt_nodelay(true)
        curs_set(0)
        hasColour = style.colour && has_colors()
        if hasColour {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_GREEN), -1)
            init_pair(2, Int16(COLOR_YELLOW), -1)
            init_pair(3, Int16(COLOR_RED), -1)
            init_pair(4, Int16(COLOR_CYAN), -1)
            init_pair(5, Int16(COLOR_BLACK), Int16(COLOR_WHITE))
        }
        for style in CellStyle.allCases { styles[style] = attributes(style) }
        previous = nil
    }

    /// `start()`, from any thread but `queue`: runs it there and waits.
    public func startFromOutside() throws(TerminalError) {
        let failure = queue.sync { () -> TerminalError? in
            do throws(TerminalError) {
                try start()
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Colour when the terminal has it; otherwise bold, dim and reverse tell the styles apart.
    private func attributes(_ style: CellStyle) -> attr_t {
        switch (style, hasColour) {
        case (.normal, _): lt_a_normal()
        case (.dim, _): lt_a_dim()
        case (.bold, _): lt_a_bold()
        case (.title, true): lt_color_pair(4) | lt_a_bold()
        case (.title, false): lt_a_bold()
        case (.good, true): lt_color_pair(1) | lt_a_bold()
        case (.good, false): lt_a_bold()
        case (.warn, true): lt_color_pair(2) | lt_a_bold()
        case (.warn, false): lt_a_underline()
        case (.bad, true): lt_color_pair(3) | lt_a_bold()
        case (.bad, false): lt_a_reverse()
        case (.band, true): lt_color_pair(1)
        case (.band, false): lt_a_dim()
        case (.help, true): lt_color_pair(5)
        case (.help, false): lt_a_reverse()
        }
    }

    /// The screen's size now.
    public var size: (rows: Int, columns: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard active else { return (0, 0) }
        var rows: Int32 = 0, columns: Int32 = 0
        lt_getmaxyx(&rows, &columns)
        return (Int(rows), Int(columns))
    }

    /// Every key waiting, without blocking.
    public func readKeys() -> [TerminalKey] {
        dispatchPrecondition(condition: .onQueue(queue))
        guard active else { return [] }
        var keys: [TerminalKey] = []
        while true {
            let code = lt_getch()
            if code == ERR { break }
            switch code {
            case KEY_UP: keys.append(.up)
            case KEY_DOWN: keys.append(.down)
            case KEY_LEFT: keys.append(.left)
            case KEY_RIGHT: keys.append(.right)
            case KEY_BACKSPACE: keys.append(.backspace)
            case KEY_ENTER: keys.append(.enter)
            case KEY_RESIZE:
                previous = nil
                keys.append(.resize)
            case 0..<128:
                if let scalar = Unicode.Scalar(UInt32(code)) { keys.append(.character(Character(scalar))) }
            default: keys.append(.other(code))
            }
        }
        return keys
    }

    /// Draws `canvas`, writing only the rows that changed since the last draw.
    public func draw(_ canvas: Canvas) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard active else { return }
        let full = previous.map { $0.rows != canvas.rows || $0.columns != canvas.columns } ?? true
        if full {
            _ = lt_erase()
        }
        for row in 0..<canvas.rows {
            let cells = canvas.row(row)
            guard !full, let previous else {
                drawRow(row, cells, from: cells.startIndex, to: cells.endIndex)
                continue
            }
            // Only the span from the first to the last cell that changed.
            let old = previous.row(row)
            let offset = old.startIndex - cells.startIndex
            guard let first = cells.indices.first(where: { cells[$0] != old[$0 + offset] }),
                let last = cells.indices.last(where: { cells[$0] != old[$0 + offset] })
            else { continue }
            drawRow(row, cells, from: first, to: last + 1)
        }
        previous = canvas
        _ = lt_refresh()
    }

    /// Writes cells[from..<to] of `row`, in runs of one style.
    private func drawRow(_ row: Int, _ cells: ArraySlice<Cell>, from: Int, to: Int) {
        var start = from
        // The bottom-right cell is left alone: writing it scrolls some terminals.
        let last = row == LINESValue() - 1 ? min(to, cells.endIndex - 1) : to
        while start < last {
            let style = cells[start].style
            var end = start
            rowBuffer.removeAll(keepingCapacity: true)
            while end < last, cells[end].style == style {
                rowBuffer.append(wchar_t(bitPattern: cells[end].scalar))
                end += 1
            }
            _ = lt_attrset(styles[style] ?? lt_a_normal())
            let column = start - cells.startIndex
            rowBuffer.withUnsafeBufferPointer { buffer in
                _ = lt_mvaddnwstr(Int32(row), Int32(column), buffer.baseAddress, Int32(buffer.count))
            }
            start = end
        }
        _ = lt_attrset(lt_a_normal())
    }

    private func LINESValue() -> Int { Int(lt_lines()) }

    /// Rings the terminal bell.
    public func bell() {
        dispatchPrecondition(condition: .onQueue(queue))
        if active { beep() }
    }

    /// Gives the terminal back: normal screen, echo, cursor. Idempotent.
    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard active else { return }
        active = false
        curs_set(1)
        endwin()
    }
}
