/// The characters a screen is drawn with.
///
/// `unicode` is the screen as it was designed: block elements for the large
/// digits and the bars, `▒` for the band, `▼` for the marker, box drawing,
/// braille for the plot. It needs a UTF-8 locale and a font with those glyphs.
///
/// `ascii` draws every element with printable ASCII and carries the same
/// information: the gauge `-----=====|=====-----` with the band as `=`, the
/// target `|`, the force `#` under a `v` marker (`>` beyond the scale); the
/// bars `####....`; large digits of `#`; a character plot of `*` (one point a
/// cell rather than braille's 2 × 4) with the band's edges dashed; `+-` for
/// `±`, `-` for `·`, `!` for `⚠`, `+ * .` for a trial recorded, running, to come.
/// ncurses' ACS line drawing is not used: in a UTF-8 locale ncurses sends it
/// as the same Unicode box characters that `--ascii` exists to avoid.
///
/// A `Canvas` applies the choice to everything written on it (`ascii` maps each
/// scalar, see `ascii(_:)`), so text from anywhere (warnings, a student's name)
/// cannot put a non-ASCII byte on an ASCII screen.
public enum Glyphs: Sendable, Equatable, CaseIterable {
    case unicode
    case ascii

    /// `text` as this set draws it; `unicode` leaves it as it is.
    public func text(_ text: String) -> String {
        switch self {
        case .unicode: text
        case .ascii: Self.ascii(text)
        }
    }

    /// One cell's scalar as this set draws it: for `ascii`, the first character
    /// of its ASCII form (a cell holds one), or `?`.
    func cell(_ scalar: UInt32) -> UInt32 {
        guard self == .ascii, scalar >= 0x80 else { return scalar }
        return Unicode.Scalar(scalar).map { Self.asciiForm($0).unicodeScalars.first?.value ?? 0x3F } ?? 0x3F
    }

    /// `text` in printable ASCII: known symbols by their ASCII forms, Latin
    /// letters without their accents (`é` → `e`), combining marks dropped,
    /// control characters as spaces, anything else `?`.
    public static func ascii(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= 0x80 || $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            // The demo's arrow keys, written as a pair.
            if scalar == "↑", pending == "↓" {
                result += "Up/Down"
                pending = scalars.next()
                continue
            }
            result += asciiForm(scalar)
        }
        return result
    }

    /// One scalar's ASCII form (possibly empty or several characters).
    static func asciiForm(_ scalar: Unicode.Scalar) -> String {
        if scalar.value < 0x20 || scalar.value == 0x7F { return " " }
        if scalar.isASCII { return String(scalar) }
        if let known = symbols[scalar.value] { return known }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark { return "" }
        if let letter = latinLetter(scalar) { return letter }
        if scalar.properties.generalCategory == .spaceSeparator { return " " }
        return "?"
    }

    /// "LATIN SMALL LETTER E WITH ACUTE" → "e": the base letter of an accented Latin letter.
    static func latinLetter(_ scalar: Unicode.Scalar) -> String? {
        guard let name = scalar.properties.name else { return nil }
        for (prefix, lower) in [("LATIN SMALL LETTER ", true), ("LATIN CAPITAL LETTER ", false)] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let letter = rest.first, letter.isASCII, letter.isLetter, rest.dropFirst().isEmpty || rest.dropFirst().hasPrefix(" WITH ")
            else { return nil }
            return lower ? letter.lowercased() : String(letter)
        }
        return nil
    }

    /// The symbols the screens and their messages use, and a few more of the same kinds.
    static let symbols: [UInt32: String] = [
        // Lines, boxes and the gauge.
        0x2500: "-", 0x2501: "-", 0x2502: "|", 0x2503: "|", 0x250C: "+", 0x2510: "+", 0x2514: "+", 0x2518: "+",
        0x251C: "+", 0x2524: "+", 0x252C: "+", 0x2534: "+", 0x253C: "+",
        0x2588: "#", 0x2593: "#", 0x2592: "=", 0x2591: ".",  // █ ▓ ▒ ░
        0x25BC: "v", 0x25B2: "^", 0x25B6: ">", 0x25C0: "<",  // ▼ ▲ ▶ ◀
        0x25B8: ">", 0x258F: "_",  // ▸ (the question asked) ▏ (the typing cursor)
        // Trials: recorded, running, to come.
        0x2713: "+", 0x2714: "+", 0x25CF: "*", 0x25CB: ".", 0x2717: "x",  // ✓ ✔ ● ○ ✗
        // Punctuation and signs.
        0x00B7: "-", 0x2022: "*", 0x2026: "...", 0x2013: "-", 0x2014: "-", 0x2212: "-", 0x2010: "-", 0x2011: "-",
        0x00D7: "x", 0x00B1: "+-", 0x2264: "<=", 0x2265: ">=", 0x2260: "!=", 0x2248: "~",
        0x2192: "->", 0x2190: "<-", 0x2191: "^", 0x2193: "v", 0x26A0: "!",
        0x2018: "'", 0x2019: "'", 0x201C: "\"", 0x201D: "\"", 0x00AB: "<<", 0x00BB: ">>",
        0x00B5: "u", 0x03BC: "u", 0x00B0: " deg", 0x00B2: "2", 0x00B3: "3", 0x00B9: "1",
        0x00DF: "ss", 0x00E6: "ae", 0x00C6: "AE", 0x0153: "oe", 0x0152: "OE",
    ]
}
