import LightTouchCore

/// Protocol files: a drill file (`DrillFile`: the same keys, the same
/// rules) plus the rubric's keys:
///
///     scope = "each"                 # or "best N": the criteria's trials
///     criteria = ["in_band_pct >= 70", "longest_hold_s >= 8", "cv <= 0.15", "overshoot_g <= 2"]
///     grades = ["A >= 85", "B >= 70", "C >= 0"]   # bands on the score
///     fail_grade = "F"               # the grade when a criterion fails
///
/// A two-hand protocol (`hands = 2`, `balance_pct`, `balance_tolerance_pct`)
/// may also name the two-hand metrics, e.g. `"balanced_pct >= 80"`: balanced
/// for 80 % of the hold.
///
/// `feedback` defaults to `blind`. Anything wrong is refused before an
/// assessment starts, naming the file, the line and the key.
public enum ProtocolFile {
    public static let version = 1

    public static let rubricKeys: [(key: String, allowed: String)] = [
        ("scope", "\"each\" or \"best N\" (N from 1 to the number of trials)"),
        ("criteria", "a list of \"metric >= number\" or \"metric <= number\"; metrics: \(Rubric.Metric.allowedNames)"),
        ("grades", "a list of \"GRADE >= score\", e.g. [\"A >= 85\", \"B >= 70\", \"C >= 0\"]"),
        ("fail_grade", "a string"),
    ]

    /// What is wrong with a protocol file, as one line: `FILE:LINE: message`.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int?
        public let message: String
        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    }

    public static func parse(_ text: String, file: String) throws(ParseError) -> AssessmentProtocol {
        var drillLines: [Substring] = []
        var rubric: [String: (value: [String], isList: Bool, line: Int)] = [:]
        var givesFeedback = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let key = String(trimmed.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            guard let allowed = rubricKeys.first(where: { $0.key == key })?.allowed else {
                if key == "feedback" { givesFeedback = true }
                drillLines.append(line)
                continue
            }
            drillLines.append("")  // keeps the drill parser's line numbers
            var rest = trimmed.dropFirst(key.count).drop { $0 == " " || $0 == "\t" }
            guard rest.first == "=" else {
                throw ParseError(file: file, line: index + 1, message: "key `\(key)`: expected `=` after the key")
            }
            rest = rest.dropFirst()
            guard let value = strings(rest) else {
                throw ParseError(file: file, line: index + 1, message: "key `\(key)`: cannot read the value (allowed: \(allowed))")
            }
            if let earlier = rubric[key] {
                throw ParseError(file: file, line: index + 1, message: "key `\(key)` is given twice (first on line \(earlier.line))")
            }
            rubric[key] = (value.strings, value.isList, index + 1)
        }
        var drill: Drill
        do {
            drill = try DrillFile.parse(drillLines.joined(separator: "\n"), file: file)
        } catch {
            throw ParseError(file: error.file, line: error.line, message: error.message)
        }
        if !givesFeedback {
            for index in drill.trials.indices { drill.trials[index].feedback = .blind }
        }
        func fail(_ key: String, _ message: String) -> ParseError {
            let allowed = rubricKeys.first { $0.key == key }?.allowed ?? ""
            return ParseError(file: file, line: rubric[key]?.line, message: "key `\(key)`: \(message) (allowed: \(allowed))")
        }
        // Scope.
        var scope = Rubric.Scope.eachTrial
        if let entry = rubric["scope"] {
            guard !entry.isList, let word = entry.value.first else { throw fail("scope", "one string is needed") }
            let parts = word.split(separator: " ")
            if parts == ["each"] {
                scope = .eachTrial
            } else if parts.count == 2, parts[0] == "best", let n = Int(parts[1]), n >= 1, n <= drill.trials.count {
                scope = .best(n)
            } else {
                throw fail("scope", "\"\(word)\" is not allowed")
            }
        }
        // Criteria.
        guard let criteriaEntry = rubric["criteria"] else {
            throw ParseError(file: file, line: nil, message: "missing `criteria = [...]` (what passes: \(rubricKeys[1].allowed))")
        }
        guard criteriaEntry.isList, !criteriaEntry.value.isEmpty else { throw fail("criteria", "a non-empty list is needed") }
        var criteria: [Rubric.Criterion] = []
        for text in criteriaEntry.value {
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 3 else { throw fail("criteria", "\"\(text)\" is not `metric op number`") }
            guard let metric = Rubric.Metric(rawValue: String(parts[0])) else {
                throw fail("criteria", "\"\(parts[0])\" is not a metric")
            }
            guard let comparison = Rubric.Comparison(rawValue: String(parts[1])) else {
                throw fail("criteria", "\"\(parts[1])\" is not >= or <=")
            }
            guard let threshold = Double(parts[2]), threshold.isFinite else {
                throw fail("criteria", "\"\(parts[2])\" is not a number")
            }
            if metric.isTwoHanded, drill.balance == nil {
                throw fail("criteria", "\"\(metric.rawValue)\" is a two-hand metric: add `hands = 2`")
            }
            let asked = drill.trials.map(\.estimate)
            let applies: Bool
            switch metric {
            case .estimateVerdictError: applies = asked.contains { $0.force != nil }
            case .estimateForceError: applies = asked.contains { $0.force == .grams }
            case .estimateHoldError: applies = asked.contains { $0.hold }
            default: applies = true
            }
            guard applies else {
                throw fail("criteria", "\"\(text)\" grades an estimate no trial asks for (set `estimate`: \(EstimateRequest.allowedNames))")
            }
            criteria.append(Rubric.Criterion(metric: metric, comparison: comparison, threshold: threshold))
        }
        // Grades.
        var bands: [Rubric.Band] = []
        if let entry = rubric["grades"] {
            guard entry.isList, !entry.value.isEmpty else { throw fail("grades", "a non-empty list is needed") }
            for text in entry.value {
                let parts = text.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count == 3, parts[1] == ">=", let minimum = Double(parts[2]), minimum.isFinite, minimum >= 0,
                    minimum <= 100
                else { throw fail("grades", "\"\(text)\" is not `GRADE >= score` with a score from 0 to 100") }
                bands.append(Rubric.Band(grade: String(parts[0]), minimumScore: minimum))
            }
        } else {
            bands = [Rubric.Band(grade: "pass", minimumScore: 0)]
        }
        var failGrade = "F"
        if let entry = rubric["fail_grade"] {
            guard !entry.isList, let grade = entry.value.first, !grade.isEmpty else { throw fail("fail_grade", "one string is needed") }
            failGrade = grade
        }
        return AssessmentProtocol(
            name: drill.name, drill: drill, rubric: Rubric(criteria: criteria, scope: scope, bands: bands, failGrade: failGrade),
            text: text)
    }

    /// `"text"` or `["a", "b"]`, then optional spaces and a comment.
    static func strings(_ text: Substring) -> (strings: [String], isList: Bool)? {
        var characters = text.drop { $0 == " " || $0 == "\t" }
        func string() -> String? {
            guard characters.first == "\"" else { return nil }
            characters = characters.dropFirst()
            guard let end = characters.firstIndex(of: "\"") else { return nil }
            let value = String(characters[..<end])
            characters = characters[characters.index(after: end)...]
            return value
        }
        func skip() { characters = characters.drop { $0 == " " || $0 == "\t" } }
        func atEnd() -> Bool {
            skip()
            return characters.isEmpty || characters.first == "#"
        }
        if characters.first == "[" {
            characters = characters.dropFirst()
            var values: [String] = []
            skip()
            if characters.first == "]" {
                characters = characters.dropFirst()
                return atEnd() ? ([], true) : nil
            }
            while true {
                skip()
                guard let value = string() else { return nil }
                values.append(value)
                skip()
                if characters.first == "," {
                    characters = characters.dropFirst()
                    continue
                }
                guard characters.first == "]" else { return nil }
                characters = characters.dropFirst()
                return atEnd() ? (values, true) : nil
            }
        }
        guard let value = string(), atEnd() else { return nil }
        return ([value], false)
    }
}
