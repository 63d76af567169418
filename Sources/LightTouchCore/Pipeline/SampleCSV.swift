/// Force samples read from CSV: `time_s,force_g`, LightTouch's own sample
/// export `time_s,raw_g,filtered_g,in_band` (its raw_g column is the force),
/// or a session export (`lighttouch export --csv`: its `grams` column, where
/// an empty cell is a sample that was not scored and is skipped).
///
/// Two hands come as a pair of columns, each hand's force after tare and
/// before any filter: `left_force_g,right_force_g`, or in LightTouch's
/// exports `left_raw_g,right_raw_g` (sample export) and
/// `left_grams,right_grams` (session export). The force column is then the
/// hands' mean and is not used to score.
///
/// Rows must be in time order. Parsing is exact (every value converts to the
/// nearest double, as the standard library's parser would) and fast enough to
/// read millions of rows a second.
public struct SampleCSV: Sendable {
    public var times: [Double] = []
    public var forces: [Double] = []
    /// Each hand's force, row by row, when the file has a pair of hand columns; else empty.
    public var lefts: [Double] = []
    public var rights: [Double] = []
    /// Rows of a session export that were not scored (an empty `grams`):
    /// all of them, and those over range (`over_range` 1).
    public var unscoredRows = 0
    public var overRangeRows = 0
    /// `key=value` pairs from comment lines starting `# lighttouch`, as LightTouch's
    /// own exports write them (sample_rate_hz, calibrated, lost_frames, rejected_samples).
    public var metadata: [String: String] = [:]

    public init() {}

    /// Whether the rows carry each hand's force.
    public var hasHands: Bool { !lefts.isEmpty }

    /// The pairs of columns that hold each hand's force, by format.
    public static let handColumns: [(left: String, right: String)] = [
        ("left_force_g", "right_force_g"), ("left_raw_g", "right_raw_g"), ("left_grams", "right_grams"),
    ]

    /// A problem in the file, with its line.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let source: String
        public let line: Int?
        public let message: String
        public var description: String {
            line.map { "\(source):\($0): \(message)" } ?? "\(source): \(message)"
        }
    }

    /// The nominal sample rate of the samples: the one a LightTouch export
    /// recorded, else 1 / median Δt, snapped to the nearest 0.001 Hz so that
    /// times written from a device clock give back the device's rate exactly.
    public var nominalRate: Double? {
        if let recorded = metadata["sample_rate_hz"].flatMap(Double.init), recorded.isFinite, recorded > 0 {
            return recorded
        }
        guard times.count >= 2 else { return nil }
        var deltas = [Double]()
        deltas.reserveCapacity(times.count - 1)
        for index in 1..<times.count where times[index] > times[index - 1] { deltas.append(times[index] - times[index - 1]) }
        guard !deltas.isEmpty else { return nil }
        let middle = deltas.count / 2
        let median: Double
        if deltas.count.isMultiple(of: 2) {
            deltas.select(middle - 1)
            let lower = deltas[middle - 1]
            let upper = deltas[middle...].min() ?? lower
            median = (lower + upper) / 2
        } else {
            deltas.select(middle)
            median = deltas[middle]
        }
        return (1 / median * 1000).rounded() / 1000
    }

    /// Parses CSV bytes; `source` names the file in messages.
    public static func parse(_ bytes: UnsafeRawBufferPointer, source: String) throws(ParseError) -> SampleCSV {
        var result = SampleCSV()
        var position = 0
        let count = bytes.count
        // A UTF-8 byte-order mark is allowed.
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        var lineNumber = 0
        var forceColumn = -1
        var leftColumn = -1, rightColumn = -1, overRangeColumn = -1
        // A session export leaves unscored rows' grams empty.
        var emptyForceSkips = false
        var columnCount = 0
        var header: [Substring] = []

        while position < count {
            lineNumber += 1
            var end = position
            while end < count, bytes[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > position, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { position = end + 1 }
            if lineEnd == position { continue }  // blank line
            if bytes[position] == UInt8(ascii: "#") {  // a comment, perhaps LightTouch's metadata
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<lineEnd]), as: UTF8.self)
                if text.hasPrefix("# lighttouch ") {
                    for pair in text.dropFirst(13).split(separator: " ") {
                        let parts = pair.split(separator: "=", maxSplits: 1)
                        if parts.count == 2 { result.metadata[String(parts[0])] = String(parts[1]) }
                    }
                }
                continue
            }

            if header.isEmpty {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<lineEnd]), as: UTF8.self)
                header = text.split(separator: ",", omittingEmptySubsequences: false)
                let names = header.map { $0.trimmingSpaces() }
                columnCount = names.count
                guard names.first == "time_s" else {
                    throw ParseError(
                        source: source, line: lineNumber,
                        message: "the first column must be time_s (expected the header `time_s,force_g`, found `\(PrintableText.excerpt(text))`)")
                }
                if let index = names.firstIndex(of: "force_g") {
                    forceColumn = index
                } else if let index = names.firstIndex(of: "raw_g") {
                    forceColumn = index
                } else if let index = names.firstIndex(of: "grams") {
                    forceColumn = index
                    emptyForceSkips = true
                    overRangeColumn = names.firstIndex(of: "over_range") ?? -1
                }
                for pair in handColumns {
                    let left = names.firstIndex(of: pair.left), right = names.firstIndex(of: pair.right)
                    guard left != nil || right != nil else { continue }
                    guard let left, let right else {
                        throw ParseError(
                            source: source, line: lineNumber,
                            message: "\(left == nil ? pair.left : pair.right) is missing: two hands need both `\(pair.left),\(pair.right)`")
                    }
                    leftColumn = left
                    rightColumn = right
                    break
                }
                if forceColumn < 0, leftColumn < 0 {
                    throw ParseError(
                        source: source, line: lineNumber,
                        message: "no force_g column (expected the header `time_s,force_g`, found `\(PrintableText.excerpt(text))`)")
                }
                continue
            }

            // A data row: split on commas, parse the two columns that matter.
            var field = 0
            var fieldStart = position
            var time = 0.0, force = 0.0, left = 0.0, right = 0.0
            var unscored = false, overRange = false
            var index = position
            while true {
                if index == lineEnd || bytes[index] == UInt8(ascii: ",") {
                    if field == overRangeColumn {
                        overRange = parseDecimal(bytes, from: fieldStart, to: index) == 1
                    } else if emptyForceSkips, field == forceColumn || field == leftColumn || field == rightColumn,
                        isBlank(bytes, from: fieldStart, to: index)
                    {
                        unscored = true
                    } else if field == 0 || field == forceColumn || field == leftColumn || field == rightColumn {
                        guard let value = parseDecimal(bytes, from: fieldStart, to: index) else {
                            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[fieldStart..<index]), as: UTF8.self)
                            let name = String(header[field]).trimmingSpaces()
                            throw ParseError(
                                source: source, line: lineNumber,
                                message: text.trimmingSpaces().isEmpty
                                    ? "missing value in column \(name)" : "`\(PrintableText.excerpt(text))` in column \(name) is not a number")
                        }
                        switch field {
                        case 0: time = value
                        case forceColumn: force = value
                        case leftColumn: left = value
                        default: right = value
                        }
                    }
                    field += 1
                    if index == lineEnd { break }
                    fieldStart = index + 1
                }
                index += 1
            }
            guard field == columnCount else {
                throw ParseError(source: source, line: lineNumber, message: "expected \(columnCount) values, found \(field)")
            }
            if let previous = result.times.last, time < previous {
                throw ParseError(
                    source: source, line: lineNumber, message: "time goes backwards (\(time) s after \(previous) s); rows must be in time order")
            }
            if unscored {
                result.unscoredRows += 1
                if overRange { result.overRangeRows += 1 }
                continue
            }
            result.times.append(time)
            // A file of hands alone: its force is the pair's, the hands' mean, as in LightTouch's exports.
            result.forces.append(forceColumn < 0 ? (left + right) / 2 : force)
            if leftColumn >= 0 {
                result.lefts.append(left)
                result.rights.append(right)
            }
        }
        if header.isEmpty {
            throw ParseError(source: source, line: nil, message: "the file is empty; expected a header `time_s,force_g` and samples")
        }
        if result.times.isEmpty {
            throw ParseError(
                source: source, line: nil,
                message: result.unscoredRows > 0 ? "no scored samples (every row's grams is empty)" : "no samples after the header")
        }
        return result
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    private static func isBlank(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Bool {
        var index = start
        while index < end {
            if bytes[index] != 0x20, bytes[index] != 0x09 { return false }
            index += 1
        }
        return true
    }

    /// A finite decimal number between `from` and `to`, spaces around it allowed.
    /// Clinger's fast path (an exact integer mantissa below 2⁵³ scaled by an
    /// exact power of ten) covers the usual cases with one correctly rounded
    /// operation; anything else goes to the standard library's parser.
    static func parseDecimal(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Double? {
        var low = start, high = end
        while low < high, bytes[low] == 0x20 || bytes[low] == 0x09 { low += 1 }
        while high > low, bytes[high - 1] == 0x20 || bytes[high - 1] == 0x09 { high -= 1 }
        guard low < high else { return nil }
        var index = low
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawPoint = false
        var sawDigit = false
        while index < high {
            let byte = bytes[index]
            if byte >= 0x30, byte <= 0x39 {
                sawDigit = true
                if mantissa == 0, byte == 0x30 {
                    if sawPoint { fractionDigits += 1 }
                } else {
                    digits += 1
                    if digits > 19 { return slowParse(bytes, low, high) }
                    mantissa = mantissa * 10 + UInt64(byte - 0x30)
                    if sawPoint { fractionDigits += 1 }
                }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                return slowParse(bytes, low, high)
            } else {
                return nil
            }
            index += 1
        }
        guard sawDigit else { return nil }
        if mantissa < (1 << 53), fractionDigits <= 22 {
            let value = Double(mantissa) / powersOfTen[fractionDigits]
            return negative ? -value : value
        }
        return slowParse(bytes, low, high)
    }

    private static func slowParse(_ bytes: UnsafeRawBufferPointer, _ low: Int, _ high: Int) -> Double? {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[low..<high]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}

extension Array where Element == Double {
    /// Quickselect: puts the element of rank `k` at index `k`.
    mutating func select(_ k: Int) {
        var low = 0, high = count - 1
        while low < high {
            let pivot = self[(low + high) / 2]
            var i = low, j = high
            while i <= j {
                while self[i] < pivot { i += 1 }
                while self[j] > pivot { j -= 1 }
                if i <= j {
                    swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return }
        }
    }
}
