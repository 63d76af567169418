/// A problem in a calibration input file, with the file and line.
public struct CalibrationFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let source: String
    public let line: Int?
    public let message: String

    public init(source: String, line: Int?, message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(source):\(line): \(message)" }
        return "\(source): \(message)"
    }
}

/// Calibration points as CSV: the header `load_g,reading`, then one point per
/// row (repeated loads allowed). A run's points add the columns `series`,
/// `direction` (zero, increasing, decreasing) and `sd_counts`, so a run can be
/// fitted again with all its metrics.
public enum CalibrationPointsCSV {
    public static let header = "load_g,reading"
    public static let runHeader = "load_g,reading,series,direction,sd_counts"

    public static func parse(_ text: String, source: String) throws(CalibrationFileError) -> [CalibrationSample] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, text: $0.element.trimmingWhitespace) }
            .filter { !$0.text.isEmpty && !$0.text.hasPrefix("#") }
        guard let header = lines.first else {
            throw CalibrationFileError(source: source, line: nil, message: "the file is empty; expected the header `\(Self.header)`")
        }
        let names = header.text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
        guard names.count >= 2, names[0] == "load_g", names[1] == "reading" else {
            throw CalibrationFileError(
                source: source, line: header.number, message: "expected the header `\(Self.header)`, found `\(header.text)`")
        }
        let known = ["load_g", "reading", "series", "direction", "sd_counts"]
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw CalibrationFileError(
                source: source, line: header.number,
                message: "unknown column `\(unknown)` (the columns are \(known.joined(separator: ", ")))")
        }
        let column = { (name: String) in names.firstIndex(of: name) }
        var samples: [CalibrationSample] = []
        for line in lines.dropFirst() {
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
            guard fields.count == names.count else {
                throw CalibrationFileError(source: source, line: line.number, message: "expected \(names.count) values, found \(fields.count)")
            }
            func number(_ index: Int) throws(CalibrationFileError) -> Double {
                guard let value = Double(fields[index]), value.isFinite else {
                    throw CalibrationFileError(
                        source: source, line: line.number, message: "`\(fields[index])` in column \(names[index]) is not a number")
                }
                return value
            }
            var sample = CalibrationSample(load: try number(0), reading: try number(1))
            if sample.load < 0 {
                throw CalibrationFileError(source: source, line: line.number, message: "load \(fields[0]) is negative")
            }
            if let index = column("series") {
                guard let series = Int(fields[index]), series >= 1 else {
                    throw CalibrationFileError(source: source, line: line.number, message: "series `\(fields[index])` is not a positive whole number")
                }
                sample.series = series
            }
            if let index = column("direction") {
                guard let direction = CalibrationProcedure.Direction(rawValue: fields[index]) else {
                    throw CalibrationFileError(
                        source: source, line: line.number, message: "direction `\(fields[index])` is not zero, increasing or decreasing")
                }
                sample.direction = direction
            }
            if let index = column("sd_counts") { sample.sd = try number(index) }
            samples.append(sample)
        }
        guard !samples.isEmpty else {
            throw CalibrationFileError(source: source, line: header.number, message: "the file has a header but no points")
        }
        return samples
    }

    /// The points as CSV with the run columns.
    public static func render(_ samples: [CalibrationSample]) -> String {
        var out = runHeader + "\n"
        for sample in samples {
            out += "\(sample.load.trimmed),\(sample.reading),\(sample.series.map(String.init) ?? ""),"
            out += "\(sample.direction?.rawValue ?? ""),\(sample.sd.map { "\($0)" } ?? "")\n"
        }
        return out
    }
}

/// A set of reference masses: a small text file, versioned.
///
///     format lighttouch-mass-set 1
///     name OIML-F1-1g-20g
///     class F1
///     mass 1 0.10        # nominal grams, maximum permissible error in mg (OIML R 111-1)
public struct MassSet: Sendable, Equatable {
    public static let format = "lighttouch-mass-set"
    public var name: String
    public var massClass: String
    /// (nominal grams, maximum permissible error in milligrams).
    public var masses: [(grams: Double, mpeMilligrams: Double)]

    public static func == (lhs: MassSet, rhs: MassSet) -> Bool {
        lhs.name == rhs.name && lhs.massClass == rhs.massClass && lhs.masses.map(\.grams) == rhs.masses.map(\.grams)
            && lhs.masses.map(\.mpeMilligrams) == rhs.masses.map(\.mpeMilligrams)
    }

    /// The default set, the same text as calibration/masses/oiml-f1-1g-20g.masses.
    public static let builtInText = """
        # LightTouch reference mass set (see calibration/CALIBRATION.md)
        format lighttouch-mass-set 1
        name OIML-F1-1g-20g
        class F1
        # mass <nominal g> <maximum permissible error, mg> (OIML R 111-1:2004, Table 1, class F1)
        mass 1 0.10
        mass 2 0.12
        mass 5 0.16
        mass 10 0.20
        mass 20 0.25

        """

    public static let builtIn: MassSet = {
        do {
            return try parse(builtInText, source: "built-in mass set")
        } catch {
            preconditionFailure("the built-in mass set does not parse: \(error)")
        }
    }()

    public static func parse(_ text: String, source: String) throws(CalibrationFileError) -> MassSet {
        var name: String?, massClass: String?, sawFormat = false
        var masses: [(grams: Double, mpeMilligrams: Double)] = []
        for (offset, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = offset + 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = words.first else { continue }
            if !sawFormat {
                guard keyword == "format", words.count == 3, words[1] == format else {
                    throw CalibrationFileError(
                        source: source, line: number, message: "not a mass set: the first line must be `format \(format) 1`")
                }
                guard words[2] == "1" else {
                    throw CalibrationFileError(
                        source: source, line: number, message: "mass set version \(words[2]) is not understood (this LightTouch reads version 1)")
                }
                sawFormat = true
                continue
            }
            switch keyword {
            case "name" where words.count >= 2: name = words.dropFirst().joined(separator: " ")
            case "class" where words.count == 2: massClass = words[1]
            case "mass" where words.count == 3:
                guard let grams = Double(words[1]), grams.isFinite, grams > 0,
                    let mpe = Double(words[2]), mpe.isFinite, mpe >= 0
                else {
                    throw CalibrationFileError(
                        source: source, line: number, message: "`\(content.trimmingWhitespace)`: expected `mass <grams> <mpe mg>` with positive numbers")
                }
                guard !masses.contains(where: { $0.grams == grams }) else {
                    throw CalibrationFileError(source: source, line: number, message: "mass \(words[1]) g is listed twice")
                }
                masses.append((grams, mpe))
            default:
                throw CalibrationFileError(source: source, line: number, message: "`\(content.trimmingWhitespace)` is not `name …`, `class …` or `mass <g> <mg>`")
            }
        }
        guard sawFormat else { throw CalibrationFileError(source: source, line: nil, message: "the mass set is empty") }
        guard let name, let massClass else {
            throw CalibrationFileError(source: source, line: nil, message: "the mass set needs a `name` and a `class` line")
        }
        guard masses.count >= 2 else {
            throw CalibrationFileError(source: source, line: nil, message: "the mass set needs at least two masses")
        }
        return MassSet(name: name, massClass: massClass, masses: masses.sorted { $0.grams < $1.grams })
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
