import LightTouchCore
import LightTouchTrainer

/// The estimate prompt's keys on a full screen: what the student has typed
/// of a number so far, and a hint when a key cannot be taken. The screen's
/// queue owns it; the session only ever sees whole answers
/// (`PracticeSession.Key.estimate`), which it records like any key.
///
/// Keys: for a verdict `1`/`l` too light, `2`/`o` on target, `3`/`h` too
/// heavy; for grams or seconds digits and `.`, Backspace, Enter; `x` skips.
public struct EstimateDraft: Sendable, Equatable {
    /// The question the typing belongs to: a new question starts with nothing typed.
    private var question: Question?
    public private(set) var text = ""
    public private(set) var hint: String?
    /// Answers handed to the session for a trial: the session applies them on
    /// its own queue, so the next keys may come before its frame shows them.
    private var sent: Sent?

    struct Sent: Equatable {
        var trial: Int
        var answers: [EstimateAnswer]
    }

    struct Question: Equatable {
        var trial: Int
        var field: EstimateField
    }

    /// The longest number the prompt takes, characters.
    static let maximumLength = 7

    public init() {}

    /// What the prompt shows.
    public struct Shown: Sendable, Equatable {
        public var prompt: PracticeSession.EstimatePrompt
        public var text: String
        public var hint: String?
    }

    /// The prompt as it stands once the answers already sent are applied;
    /// nil when they answer everything (the session is about to show the result).
    public func effective(_ prompt: PracticeSession.EstimatePrompt) -> PracticeSession.EstimatePrompt? {
        guard let sent, sent.trial == prompt.trial else { return prompt }
        var estimate = prompt.estimate
        for answer in sent.answers {
            switch answer {
            case .skip: return nil
            case .verdict(let verdict): estimate.verdict = verdict
            case .grams(let grams): estimate.grams = grams
            case .holdSeconds(let seconds): estimate.holdSeconds = seconds
            }
        }
        guard let field = prompt.request.fields.first(where: { !estimate.answers($0) }) else { return nil }
        var advanced = prompt
        advanced.estimate = estimate
        advanced.field = field
        return advanced
    }

    /// What the prompt shows; nil when every answer is sent.
    public func shown(for frame: PracticeSession.EstimatePrompt) -> Shown? {
        guard let prompt = effective(frame) else { return nil }
        let current = question == Question(trial: prompt.trial, field: prompt.field)
        return Shown(prompt: prompt, text: current ? text : "", hint: current ? hint : nil)
    }

    /// What a key did.
    public enum Outcome: Sendable, Equatable {
        /// Not a prompt key (q still quits).
        case ignored
        /// Typing, or a hint.
        case edited
        /// A whole answer for the session.
        case answer(EstimateAnswer)
    }

    /// Takes a key pressed while `frame` (the session's latest prompt) is asked.
    public mutating func take(_ key: TerminalKey, for frame: PracticeSession.EstimatePrompt) -> Outcome {
        guard let prompt = effective(frame) else { return .ignored }
        let outcome = edit(key, for: prompt)
        if case .answer(let answer) = outcome {
            if sent?.trial != prompt.trial { sent = Sent(trial: prompt.trial, answers: []) }
            sent?.answers.append(answer)
        }
        return outcome
    }

    private mutating func edit(_ key: TerminalKey, for prompt: PracticeSession.EstimatePrompt) -> Outcome {
        let now = Question(trial: prompt.trial, field: prompt.field)
        if question != now {
            question = now
            text = ""
            hint = nil
        }
        guard case .character(let character) = key else {
            if key == .backspace { return erase() }
            if key == .enter { return confirm(prompt) }
            return .ignored
        }
        switch character {
        case "x", "X":
            return .answer(.skip)
        case "\u{7F}", "\u{08}":
            return erase()
        case "\n", "\r":
            return confirm(prompt)
        default:
            break
        }
        if prompt.field == .verdict {
            let lowered = Character(character.lowercased())
            if let verdict = EstimateDraft.verdictKeys.first(where: { $0.keys.contains(lowered) })?.verdict {
                hint = nil
                return .answer(.verdict(verdict))
            }
            if character.isLetter || character.isNumber {
                hint = "press 1 (too light), 2 (on target) or 3 (too heavy)"
                return .edited
            }
            return .ignored
        }
        if character.isASCII, character.isNumber || character == "." {
            if character == ".", text.contains(".") {
                hint = "one decimal point"
            } else if text.count >= Self.maximumLength {
                hint = "that is long enough: Enter takes it"
            } else {
                text.append(character)
                hint = nil
            }
            return .edited
        }
        if character.isLetter || character.isPunctuation || character.isSymbol {
            hint = "type a number (digits and .), then Enter"
            return .edited
        }
        return .ignored
    }

    private mutating func erase() -> Outcome {
        if !text.isEmpty { text.removeLast() }
        hint = nil
        return .edited
    }

    private mutating func confirm(_ prompt: PracticeSession.EstimatePrompt) -> Outcome {
        guard prompt.field != .verdict else {
            hint = "press 1 (too light), 2 (on target) or 3 (too heavy)"
            return .edited
        }
        guard let value = Double(text), text.contains(where: \.isNumber) else {
            hint = "type a number first, e.g. \(prompt.field == .grams ? "4.5" : "6"), then Enter"
            return .edited
        }
        let answer: EstimateAnswer = prompt.field == .grams ? .grams(value) : .holdSeconds(value)
        if let problem = answer.problem {
            hint = problem
            return .edited
        }
        return .answer(answer)
    }

    static let verdictKeys: [(verdict: Verdict, keys: [Character])] = [
        (.tooLight, ["1", "l"]), (.onTarget, ["2", "o"]), (.tooHeavy, ["3", "h"]),
    ]
}
