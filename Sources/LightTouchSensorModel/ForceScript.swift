import Foundation

/// A force program read from a CSV file: `time_s,force_g` (one force for every
/// channel) or `time_s,force_g,force_g,…` (one column per channel). Force is
/// linear between rows, holds the first value before the first row and the
/// last value after the last one.
public struct ForceScript: Sendable, Equatable {
    /// Row times, seconds, strictly increasing.
    public let times: [Double]
    /// Per force column, one value per row, grams.
    public let columns: [[Double]]
    /// Where the script came from, for messages.
    public let source: String

    public init(times: [Double], columns: [[Double]], source: String = "script") {
        self.times = times
        self.columns = columns
        self.source = source
    }

    /// The script's length, seconds.
    public var duration: Double { times.last ?? 0 }

    /// Force on `channel` at `seconds`, grams.
    public func force(channel: Int, at seconds: Double) -> Double {
        guard let first = times.first, !columns.isEmpty else { return 0 }
        let values = columns[min(channel, columns.count - 1)]
        if seconds <= first { return values[0] }
        if seconds >= times[times.count - 1] { return values[values.count - 1] }
        // Binary search for the segment holding `seconds`.
        var low = 0, high = times.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if times[middle] <= seconds { low = middle } else { high = middle }
        }
        let fraction = (seconds - times[low]) / (times[high] - times[low])
        return values[low] + fraction * (values[high] - values[low])
    }

    /// A problem in a force script, with the file and line.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let source: String
        public let line: Int?
        public let message: String
        public var description: String {
            if let line { return "\(source):\(line): \(message)" }
            return "\(source): \(message)"
        }
    }

    /// Reads a force script file.
    public static func load(path: String) throws(ParseError) -> ForceScript {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ParseError(source: path, line: nil, message: "cannot read the force script (\(describe(error)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ParseError(source: path, line: nil, message: "the force script is not UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// Parses force script text.
    public static func parse(_ text: String, source: String) throws(ParseError) -> ForceScript {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespaces)) }
            .filter { !$0.text.isEmpty && !$0.text.hasPrefix("#") }
        guard let header = lines.first else {
            throw ParseError(source: source, line: nil, message: "the force script is empty; expected a header `time_s,force_g`")
        }
        lines.removeFirst()
        let names = header.text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.count >= 2, names[0] == "time_s", names.dropFirst().allSatisfy({ $0.hasPrefix("force_g") }) else {
            throw ParseError(
                source: source, line: header.number,
                message: "expected the header `time_s,force_g` (or more `force_g…` columns, one per channel), found `\(header.text)`")
        }
        guard names.count - 1 <= 4 else {
            throw ParseError(source: source, line: header.number, message: "at most 4 force columns (one per channel) are allowed")
        }
        var times: [Double] = []
        var columns = Array(repeating: [Double](), count: names.count - 1)
        for line in lines {
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == names.count else {
                throw ParseError(
                    source: source, line: line.number,
                    message: "expected \(names.count) values, found \(fields.count)")
            }
            var values: [Double] = []
            for (index, field) in fields.enumerated() {
                guard let value = Double(field), value.isFinite else {
                    throw ParseError(source: source, line: line.number, message: "`\(field)` in column \(names[index]) is not a number")
                }
                values.append(value)
            }
            let time = values[0]
            guard time >= 0 else {
                throw ParseError(source: source, line: line.number, message: "time_s must not be negative (found \(fields[0]))")
            }
            if let previous = times.last, time <= previous {
                throw ParseError(
                    source: source, line: line.number,
                    message: "time_s must increase from row to row (\(fields[0]) follows \(previous))")
            }
            for (column, force) in values.dropFirst().enumerated() {
                guard force >= 0, force <= 2000 else {
                    throw ParseError(
                        source: source, line: line.number,
                        message: "force \(fields[column + 1]) g is outside 0…2000 g")
                }
                columns[column].append(force)
            }
            times.append(time)
        }
        guard !times.isEmpty else {
            throw ParseError(source: source, line: header.number, message: "the force script has a header but no rows")
        }
        return ForceScript(times: times, columns: columns, source: source)
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }
}
