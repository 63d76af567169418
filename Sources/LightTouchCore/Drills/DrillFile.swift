/// Drill files: a small, human-editable subset of TOML.
///
///     # LightTouch drill
///     version = 1                 # required: the format's version
///     name = "my-ladder"
///     purpose = "2, 5 and 8 g"
///     target_g = [2, 5, 8]        # one value for all trials, or one per trial
///     tolerance_g = 0.5
///     hold_s = 8
///     trial_length_s = 12
///     trials = 3                  # optional when a list gives the count
///     rest_s = 5
///     feedback = ["full", "full", "blind"]
///     hands = 2                   # optional: two hands, each against the band
///     balance_pct = 50            # two hands: the left share aimed at (default 50)
///     balance_tolerance_pct = 5   # two hands: how far the share may stray (default 5)
///     estimate = ["none", "none", "grams+hold"]   # asked after the trial, before its result
///
/// Only `key = value` lines, comments, strings, numbers and one-line arrays
/// are understood; anything else is an error that names the file, the line,
/// the key and what is allowed.
public enum DrillFile {
    public static let version = 1

    /// What is wrong with a drill file, as one line: `FILE:LINE: message`.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int?
        public let message: String
        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    }

    /// The keys a drill file may hold, with what each allows.
    public static let keys: [(key: String, allowed: String)] = [
        ("version", "the number 1"),
        ("name", "a string"),
        ("purpose", "a string"),
        ("target_g", "a positive number of grams, or a list of them (one per trial)"),
        ("tolerance_g", "a positive number of grams, or a list of them"),
        ("hold_s", "a positive number of seconds, or a list of them"),
        ("trial_length_s", "a positive number of seconds, or a list of them"),
        ("trials", "a whole number from 1 to 100"),
        ("rest_s", "a number of seconds, 0 or more"),
        ("feedback", "one of \(FeedbackMode.allowedNames), or a list of them (one per trial)"),
        ("hands", "1 or 2"),
        ("balance_pct", "with hands = 2: the left hand's share of the force, percent, above 0 and below 100"),
        ("balance_tolerance_pct", "with hands = 2: a positive number of percentage points"),
        ("estimate", "one of \(EstimateRequest.allowedNames), or a list of them (one per trial)"),
    ]

    enum Value: Equatable {
        case string(String)
        case number(Double)
        case array([Value])

        var describe: String {
            switch self {
            case .string(let s): "\"\(s)\""
            case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : "\(n)"
            case .array(let values): "[" + values.map(\.describe).joined(separator: ", ") + "]"
            }
        }
    }

    /// Parses the text of a drill file; `file` names it in errors, and is the
    /// drill's name when the file gives none.
    public static func parse(_ text: String, file: String) throws(ParseError) -> Drill {
        var entries: [String: (value: Value, line: Int)] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var scanner = Scanner(Array(rawLine.unicodeScalars), file: file, line: lineNumber)
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                throw ParseError(file: file, line: lineNumber, message: "tables ([…]) are not used in drill files; write `key = value` lines")
            }
            let key = scanner.bareKey()
            guard !key.isEmpty else {
                throw ParseError(file: file, line: lineNumber, message: "expected `key = value`")
            }
            guard let allowed = keys.first(where: { $0.key == key })?.allowed else {
                throw ParseError(
                    file: file, line: lineNumber,
                    message: "unknown key `\(key)`; allowed keys: \(keys.map(\.key).joined(separator: ", "))")
            }
            scanner.skipSpaces()
            guard scanner.take("=") else {
                throw ParseError(file: file, line: lineNumber, message: "key `\(key)`: expected `=` after the key")
            }
            scanner.skipSpaces()
            let value: Value
            do {
                value = try scanner.value()
            } catch {
                throw ParseError(file: file, line: lineNumber, message: "key `\(key)`: \(error.message) (allowed: \(allowed))")
            }
            scanner.skipSpaces()
            guard scanner.atEndOrComment else {
                throw ParseError(file: file, line: lineNumber, message: "key `\(key)`: unexpected text after the value")
            }
            if let earlier = entries[key] {
                throw ParseError(file: file, line: lineNumber, message: "key `\(key)` is given twice (first on line \(earlier.line))")
            }
            entries[key] = (value, lineNumber)
        }
        return try build(entries, file: file)
    }

    private static func build(_ entries: [String: (value: Value, line: Int)], file: String) throws(ParseError) -> Drill {
        func fail(_ key: String, _ message: String) -> ParseError {
            let allowed = keys.first { $0.key == key }?.allowed ?? ""
            return ParseError(file: file, line: entries[key]?.line, message: "key `\(key)`: \(message) (allowed: \(allowed))")
        }
        guard let version = entries["version"] else {
            throw ParseError(file: file, line: nil, message: "missing `version = \(Self.version)` (the drill-file format's version)")
        }
        guard version.value == .number(Double(Self.version)) else {
            throw fail("version", "version \(version.value.describe) is not understood by this LightTouch")
        }
        func string(_ key: String) throws(ParseError) -> String? {
            guard let entry = entries[key] else { return nil }
            guard case .string(let text) = entry.value else { throw fail(key, "\(entry.value.describe) is not a string") }
            return text
        }
        /// One value per trial (a list), or one for all (a scalar).
        func numbers(_ key: String, minimum: Double, inclusive: Bool) throws(ParseError) -> [Double]? {
            guard let entry = entries[key] else { return nil }
            let values: [Value]
            if case .array(let list) = entry.value { values = list } else { values = [entry.value] }
            if values.isEmpty { throw fail(key, "the list is empty") }
            var result: [Double] = []
            for value in values {
                guard case .number(let number) = value, number.isFinite, inclusive ? number >= minimum : number > minimum else {
                    throw fail(key, "\(value.describe) is not allowed")
                }
                result.append(number)
            }
            return result
        }
        let name = try string("name") ?? baseName(file)
        let purpose = try string("purpose") ?? "a drill from \(file)"
        let targets = try numbers("target_g", minimum: 0, inclusive: false)
        let tolerances = try numbers("tolerance_g", minimum: 0, inclusive: false)
        let holds = try numbers("hold_s", minimum: 0, inclusive: false)
        let lengths = try numbers("trial_length_s", minimum: 0, inclusive: false)
        let rests = try numbers("rest_s", minimum: 0, inclusive: true)
        if let rests, rests.count != 1 { throw fail("rest_s", "one number is needed, not a list") }
        var feedback: [FeedbackMode]?
        if let entry = entries["feedback"] {
            let values: [Value]
            if case .array(let list) = entry.value { values = list } else { values = [entry.value] }
            if values.isEmpty { throw fail("feedback", "the list is empty") }
            var modes: [FeedbackMode] = []
            for value in values {
                guard case .string(let text) = value, let mode = FeedbackMode(rawValue: text) else {
                    throw fail("feedback", "\(value.describe) is not a feedback mode")
                }
                modes.append(mode)
            }
            feedback = modes
        }
        var estimates: [EstimateRequest]?
        if let entry = entries["estimate"] {
            let values: [Value]
            if case .array(let list) = entry.value { values = list } else { values = [entry.value] }
            if values.isEmpty { throw fail("estimate", "the list is empty") }
            var requests: [EstimateRequest] = []
            for value in values {
                guard case .string(let text) = value, let request = EstimateRequest(name: text) else {
                    throw fail("estimate", "\(value.describe) is not an estimate")
                }
                requests.append(request)
            }
            estimates = requests
        }
        var count: Int?
        if let entry = entries["trials"] {
            guard case .number(let number) = entry.value, number == number.rounded(), number >= 1, number <= 100 else {
                throw fail("trials", "\(entry.value.describe) is not allowed")
            }
            count = Int(number)
        }
        let lists: [(String, Int)] = [
            ("target_g", targets?.count ?? 1), ("tolerance_g", tolerances?.count ?? 1), ("hold_s", holds?.count ?? 1),
            ("trial_length_s", lengths?.count ?? 1), ("feedback", feedback?.count ?? 1), ("estimate", estimates?.count ?? 1),
        ].filter { $0.1 > 1 }
        let trialCount = count ?? lists.first?.1 ?? 1
        for (key, length) in lists where length != trialCount {
            throw fail(key, "the list has \(length) values but the drill has \(trialCount) trials")
        }
        func pick<T>(_ list: [T]?, _ index: Int, _ fallback: T) -> T {
            guard let list, !list.isEmpty else { return fallback }
            return list.count == 1 ? list[0] : list[index]
        }
        var trials: [DrillTrial] = []
        for index in 0..<trialCount {
            var options = TrialOptions()
            options.target = pick(targets, index, options.target)
            options.tolerance = pick(tolerances, index, options.tolerance)
            options.holdGoal = pick(holds, index, options.holdGoal)
            let length = pick(lengths, index, options.holdGoal + 5)
            do {
                try options.validate()
            } catch {
                let message = error.description
                    .replacingFlag("--target", with: "target_g").replacingFlag("--tolerance", with: "tolerance_g")
                    .replacingFlag("--hold", with: "hold_s").replacingFlag("--contact", with: "the contact force")
                throw ParseError(file: file, line: nil, message: "trial \(index + 1): \(message)")
            }
            if length < options.holdGoal {
                throw fail("trial_length_s", "trial \(index + 1) is \(length) s, shorter than its hold goal of \(options.holdGoal) s")
            }
            trials.append(
                DrillTrial(
                    options: options, lengthSeconds: length, feedback: pick(feedback, index, .full),
                    estimate: pick(estimates, index, .none)))
        }
        var balance: BalanceSettings?
        if let entry = entries["hands"] {
            guard case .number(let hands) = entry.value, hands == 1 || hands == 2 else {
                throw fail("hands", "\(entry.value.describe) is not allowed")
            }
            if hands == 2 { balance = BalanceSettings() }
        }
        for key in ["balance_pct", "balance_tolerance_pct"] where entries[key] != nil && balance == nil {
            throw fail(key, "it applies to two hands only: add `hands = 2`")
        }
        if let target = try numbers("balance_pct", minimum: 0, inclusive: false) {
            guard target.count == 1 else { throw fail("balance_pct", "one number is needed, not a list") }
            balance?.target = target[0]
        }
        if let tolerance = try numbers("balance_tolerance_pct", minimum: 0, inclusive: false) {
            guard tolerance.count == 1 else { throw fail("balance_tolerance_pct", "one number is needed, not a list") }
            balance?.tolerance = tolerance[0]
        }
        do {
            try balance?.validate()
        } catch {
            throw ParseError(
                file: file, line: entries["balance_tolerance_pct"]?.line ?? entries["balance_pct"]?.line,
                message: error.description.replacingFlag("--balance-tolerance", with: "balance_tolerance_pct")
                    .replacingFlag("--balance", with: "balance_pct"))
        }
        return Drill(name: name, purpose: purpose, trials: trials, restSeconds: rests?.first ?? 5, balance: balance)
    }

    private static func baseName(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = last.lastIndex(of: "."), dot != last.startIndex { return String(last[..<dot]) }
        return last
    }

    struct ValueError: Error { let message: String }

    /// A cursor over one line.
    struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        let file: String
        let line: Int

        init(_ scalars: [Unicode.Scalar], file: String, line: Int) {
            self.scalars = scalars
            self.file = file
            self.line = line
        }

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
        var atEndOrComment: Bool { peek == nil || peek == "#" || peek == "\r" }

        mutating func skipSpaces() {
            while let c = peek, c == " " || c == "\t" { index += 1 }
        }

        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard peek == c else { return false }
            index += 1
            return true
        }

        mutating func bareKey() -> String {
            var key = ""
            while let c = peek, ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c == "-" {
                key.unicodeScalars.append(c)
                index += 1
            }
            return key
        }

        mutating func value() throws(ValueError) -> Value {
            guard let c = peek else { throw ValueError(message: "the value is missing") }
            if c == "\"" { return .string(try string()) }
            if c == "[" {
                index += 1
                var values: [Value] = []
                while true {
                    skipSpaces()
                    if take("]") { return .array(values) }
                    if peek == nil || peek == "#" { throw ValueError(message: "the list must close with `]` on the same line") }
                    let element = try value()
                    if case .array = element { throw ValueError(message: "lists inside lists are not used") }
                    values.append(element)
                    skipSpaces()
                    if take(",") { continue }
                    skipSpaces()
                    if take("]") { return .array(values) }
                    throw ValueError(message: "expected `,` or `]` in the list")
                }
            }
            var token = ""
            while let c = peek, c != " ", c != "\t", c != ",", c != "]", c != "#", c != "\r" {
                token.unicodeScalars.append(c)
                index += 1
            }
            let digits = token.filter { $0 != "_" }
            if let number = Double(digits), !digits.isEmpty, digits.allSatisfy({ "0123456789+-.eE".contains($0) }) {
                return .number(number)
            }
            if token == "true" || token == "false" { throw ValueError(message: "`\(token)`: no drill-file key takes a boolean") }
            throw ValueError(message: "`\(token)` is not a number or a quoted string")
        }

        mutating func string() throws(ValueError) -> String {
            index += 1  // opening quote
            var text = ""
            while let c = peek {
                index += 1
                switch c {
                case "\"": return text
                case "\\":
                    guard let escaped = peek else { break }
                    index += 1
                    switch escaped {
                    case "n": text += "\n"
                    case "t": text += "\t"
                    case "\"": text += "\""
                    case "\\": text += "\\"
                    default: throw ValueError(message: "unknown escape `\\\(escaped)` in a string")
                    }
                default: text.unicodeScalars.append(c)
                }
            }
            throw ValueError(message: "the string is not closed with `\"`")
        }
    }
}

extension String {
    fileprivate func replacingFlag(_ flag: String, with key: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: flag) {
            result += rest[..<range.lowerBound]
            result += key
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    fileprivate func range(of needle: String) -> Range<Substring.Index>? {
        guard !needle.isEmpty else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(needle) {
                return start..<index(start, offsetBy: needle.count)
            }
            start = index(after: start)
        }
        return nil
    }
}
