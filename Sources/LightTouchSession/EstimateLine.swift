import LightTouchCore
import LightTouchTrainer

/// An estimate typed as one line (`--plain` and `--json` read them from
/// stdin): the answers to the questions still open, in the prompt's order,
/// separated by spaces or commas.
///
///     target 6        on target, held 6 s           (verdict+hold)
///     4.5g 6s         4.5 g, held 6 s               (grams+hold; the units are optional)
///     too heavy       a verdict alone                (verdict)
///     skip            no estimate for this trial
///
/// A line may answer fewer questions than are open; the rest are asked again.
public enum EstimateLine {
    /// What a line cannot be read as.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The answers `line` gives to `prompt`'s open questions.
    public static func answers(_ line: String, for prompt: PracticeSession.EstimatePrompt) throws(Problem) -> [EstimateAnswer] {
        let words = line.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\r" })
            .map(String.init).filter { $0 != "too" && $0 != "on" }
        guard !words.isEmpty else { throw Problem(description: "the line is empty; " + example(prompt)) }
        if words == ["skip"] { return [.skip] }
        let open = prompt.request.fields.filter { !prompt.estimate.answers($0) }
        guard words.count <= open.count else {
            throw Problem(description: "`\(line)` gives \(words.count) answers for \(open.count) question\(open.count == 1 ? "" : "s"); " + example(prompt))
        }
        var answers: [EstimateAnswer] = []
        for (word, field) in zip(words, open) {
            let answer: EstimateAnswer?
            switch field {
            case .verdict:
                answer = verdicts.first { $0.words.contains(word) }.map { .verdict($0.verdict) }
            case .grams:
                answer = number(word, unit: "g").map(EstimateAnswer.grams)
            case .hold:
                answer = number(word, unit: "s").map(EstimateAnswer.holdSeconds)
            }
            guard let answer else {
                throw Problem(description: "`\(word)` is not \(field.question); " + example(prompt))
            }
            if let problem = answer.problem { throw Problem(description: "`\(word)`: \(problem)") }
            answers.append(answer)
        }
        return answers
    }

    /// What to type for `prompt`'s open questions: "type light, target or heavy, then the hold in s (e.g. `target 6`), or `skip`".
    public static func instructions(_ prompt: PracticeSession.EstimatePrompt) -> String {
        let open = prompt.request.fields.filter { !prompt.estimate.answers($0) }
        let parts = open.map { field in
            switch field {
            case .verdict: "light, target or heavy"
            case .grams: "the mean force in g"
            case .hold: "the longest hold in s"
            }
        }
        return "type " + parts.joined(separator: ", then ") + " (e.g. `\(sample(open))`), or `skip`"
    }

    static func example(_ prompt: PracticeSession.EstimatePrompt) -> String {
        "type e.g. `\(sample(prompt.request.fields.filter { !prompt.estimate.answers($0) }))`, or `skip`"
    }

    static func sample(_ fields: [EstimateField]) -> String {
        fields.map { field in
            switch field {
            case .verdict: "target"
            case .grams: "4.5"
            case .hold: "6"
            }
        }.joined(separator: " ")
    }

    static let verdicts: [(verdict: Verdict, words: [String])] = [
        (.tooLight, ["light", "l", "1"]), (.onTarget, ["target", "t", "o", "2"]), (.tooHeavy, ["heavy", "h", "3"]),
    ]

    /// A plain decimal number, optionally followed by `unit`.
    static func number(_ word: String, unit: Character) -> Double? {
        let digits = word.last == unit ? String(word.dropLast()) : word
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(digits) else {
            return nil
        }
        return value
    }
}
