/// Text from outside (a file's content, a name) made safe to show on a
/// terminal: control characters (C0, DEL, C1: escape sequences among them)
/// are written as `\u{1B}`-style escapes, so quoting a binary file can never
/// move the cursor, change colours or ring the bell.
public enum PrintableText {
    /// `text` with every control character escaped.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A short excerpt of `text` for a message: escaped, and cut to about
    /// `limit` characters with "…" when longer.
    public static func excerpt(_ text: String, limit: Int = 40) -> String {
        let cut = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return escaped(cut)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
