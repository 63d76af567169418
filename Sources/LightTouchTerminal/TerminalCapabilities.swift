import CNcursesw

/// How a full screen is drawn: its glyphs, and whether it may use colour.
public struct ScreenStyle: Sendable, Equatable {
    public var glyphs: Glyphs
    /// Colour when the terminal has it; false for `NO_COLOR`. Without colour
    /// the styles become bold, dim, underline and reverse, and the words and
    /// shapes on the screen carry the meaning by themselves.
    public var colour: Bool

    public init(glyphs: Glyphs = .unicode, colour: Bool = true) {
        self.glyphs = glyphs
        self.colour = colour
    }
}

/// How a command shows a live session: the full screen, or status lines.
public enum ScreenChoice: Sendable, Equatable {
    case fullScreen(ScreenStyle)
    /// Status lines. `reason` is one line for stderr when the full screen was
    /// expected but this terminal cannot show it: why, and how to get it. It
    /// is nil when the lines were asked for (`--plain`, `--json`) or stdout is
    /// not a terminal (a pipe or a file, where lines are the documented default).
    case lines(reason: String?)

    /// The full screen's style, or nil for status lines.
    public var style: ScreenStyle? {
        if case .fullScreen(let style) = self { return style }
        return nil
    }

    /// The line to print on stderr before the session, if any.
    public var reason: String? {
        if case .lines(let reason) = self { return reason }
        return nil
    }
}

/// What the terminfo database says about a terminal type.
public enum TerminfoEntry: Sendable, Equatable {
    /// No terminfo database was found at all.
    case noDatabase
    /// No entry for the name (or a generic type such as `unknown`).
    case notFound
    /// A hardcopy terminal: it prints, it cannot redraw.
    case hardcopy
    /// An entry, and whether it can address the cursor (`cup`) and clear the screen (`clear`).
    case found(cursorAddressing: Bool, clearScreen: Bool)

    /// Looks `name` up with ncurses' setupterm, leaving ncurses as it was.
    public static func lookUp(_ name: String) -> TerminfoEntry {
        var cup: Int32 = 0, clear: Int32 = 0
        switch lt_terminfo_probe(name, &cup, &clear) {
        case LT_TERMINFO_FOUND: return .found(cursorAddressing: cup != 0, clearScreen: clear != 0)
        case LT_TERMINFO_HARDCOPY: return .hardcopy
        case LT_TERMINFO_NO_DATABASE: return .noDatabase
        default: return .notFound
        }
    }
}

/// What the terminal, the locale and the environment allow, found once before
/// a session starts; `choice(plain:ascii:)` turns it into a `ScreenChoice`.
/// The same rules hold for every full-screen view (the trainer, the examiner's
/// screen, any added later):
///
/// - a UTF-8 locale gets the Unicode screen; any other (`C`, `POSIX`, a locale
///   that is not installed), or `--ascii`, gets the ASCII one. The codeset is
///   decided as ncurses and less decide it: `nl_langinfo(CODESET)` of the
///   locale `setlocale(LC_ALL, "")` picks for the character type (`LC_ALL`,
///   else `LC_CTYPE`, else `LANG`, else `C`);
/// - a terminal that cannot address the cursor (`TERM` unset or empty, `dumb`,
///   not in terminfo, hardcopy, or an entry without `cup` or `clear`) gets the
///   status lines, with one line saying why and how to get the full screen;
/// - `NO_COLOR` set and not empty (https://no-color.org) turns colour off.
public struct TerminalCapabilities: Sendable, Equatable {
    /// stdin and stdout are both terminals.
    public var isTerminal: Bool
    /// `$TERM`, or nil when unset.
    public var term: String?
    /// `term`'s terminfo entry; nil when `term` is nil or empty.
    public var terminfo: TerminfoEntry?
    /// The character type's codeset ("UTF-8", "ANSI_X3.4-1968", ...).
    public var codeset: String
    /// `NO_COLOR` is set and not empty.
    public var noColour: Bool

    public init(isTerminal: Bool, term: String?, terminfo: TerminfoEntry?, codeset: String, noColour: Bool) {
        self.isTerminal = isTerminal
        self.term = term
        self.terminfo = terminfo
        self.codeset = codeset
        self.noColour = noColour
    }

    /// This process's terminal, with `environment` (`TERM`, `NO_COLOR`, the
    /// locale variables) read as the program's environment.
    public static func detect(environment: [String: String]) -> TerminalCapabilities {
        let term = environment["TERM"]
        let terminfo = term.flatMap { $0.isEmpty ? nil : TerminfoEntry.lookUp($0) }
        return TerminalCapabilities(
            isTerminal: TerminalScreen.isInteractive, term: term, terminfo: terminfo,
            codeset: codeset(ofLocale: characterTypeLocale(environment)), noColour: !(environment["NO_COLOR"] ?? "").isEmpty)
    }

    /// The locale name setlocale uses for the character type: the first set
    /// and non-empty of `LC_ALL`, `LC_CTYPE` and `LANG`, else "C" (POSIX).
    public static func characterTypeLocale(_ environment: [String: String]) -> String {
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return "C"
    }

    /// The codeset of locale `name` (the C locale's when it is not installed).
    public static func codeset(ofLocale name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        buffer.withUnsafeMutableBufferPointer { lt_locale_codeset(name, $0.baseAddress, $0.count) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the codeset is UTF-8 (spelt "UTF-8" by glibc; "utf8" elsewhere).
    public var isUTF8: Bool {
        let folded = codeset.lowercased().filter { $0 != "-" && $0 != "_" }
        return folded == "utf8"
    }

    /// Why curses cannot draw a full screen on this terminal, and what to do; nil when it can.
    public var cannotDrawFullScreen: String? {
        let pleaseSet = "set TERM to your terminal's type (e.g. xterm-256color)"
        guard let term, !term.isEmpty else {
            return "TERM is not set: status lines instead of the full screen. For the full screen, \(pleaseSet)"
        }
        let name = "TERM=\(term)"
        switch terminfo {
        case nil, .found(true, true)?:
            return nil
        case .found(false, _)?:
            return "\(name) cannot move the cursor: status lines instead of the full screen. "
                + "For the full screen, use a terminal that can (xterm, tmux) and set TERM to its type"
        case .found(true, false)?:
            return "\(name) cannot clear the screen: status lines instead of the full screen. For the full screen, \(pleaseSet)"
        case .hardcopy?:
            return "\(name) is a hardcopy terminal: status lines instead of the full screen. "
                + "For the full screen, use a terminal with a screen and set TERM to its type"
        case .notFound?:
            return "\(name) is not in the terminfo database: status lines instead of the full screen. "
                + "For the full screen, \(pleaseSet), or install its entry (Debian: ncurses-term)"
        case .noDatabase?:
            return "no terminfo database was found (\(name)): status lines instead of the full screen. "
                + "For the full screen, install one (Debian: ncurses-base)"
        }
    }

    /// The full screen or status lines.
    /// - Parameters:
    ///   - plain: the command line asked for lines (`--plain`, `--json`).
    ///   - ascii: `--ascii`: ASCII glyphs even in a UTF-8 locale.
    public func choice(plain: Bool, ascii: Bool) -> ScreenChoice {
        guard !plain, isTerminal else { return .lines(reason: nil) }
        if let why = cannotDrawFullScreen { return .lines(reason: why + "; --plain skips this note") }
        return .fullScreen(ScreenStyle(glyphs: ascii || !isUTF8 ? .ascii : .unicode, colour: !noColour))
    }
}

extension TerminalScreen {
    /// How a command shows a live session here: `TerminalCapabilities.detect`
    /// then `choice(plain:ascii:)`. Call it before the screen starts (the
    /// terminfo lookup goes through ncurses, which is not thread-safe).
    public static func choice(plain: Bool, ascii: Bool, environment: [String: String]) -> ScreenChoice {
        TerminalCapabilities.detect(environment: environment).choice(plain: plain, ascii: ascii)
    }
}
