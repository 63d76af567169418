import Foundation
import LightTouchCore
import LightTouchSession
import LightTouchTrainer
import Synchronization

/// Estimates typed on stdin, for `--plain` and `--json`: when a trial asks
/// for one, the next line is read as its answers (`EstimateLine`). A line
/// that cannot be read gets one line on stderr, and the next line is read
/// instead. When stdin ends (or is /dev/null), every estimate asked after
/// that is skipped, so a run without input never waits.
///
/// A thread of its own reads the lines (a read blocks); the status tick takes
/// them, one per question, only while the session asks one, so lines piped in
/// ahead wait for their trial.
final class EstimateInput: Sendable {
    private struct Asked: Hashable {
        var trial: Int
        var field: EstimateField
    }

    private struct State {
        var lines: [String] = []
        var ended = false
        /// Questions already answered (or skipped): the session applies the answers on its queue,
        /// so a tick may still see the question before its frame shows them.
        var answered: Set<Asked> = []
    }

    private let state = Mutex(State())

    /// Starts reading stdin when `drill` asks for an estimate; nil otherwise (stdin is left alone).
    static func start(for drill: Drill?) -> EstimateInput? {
        guard let drill, drill.trials.contains(where: { $0.estimate.asksAnything }) else { return nil }
        let input = EstimateInput()
        Thread.detachNewThread { [input] in
            while let line = readLine(strippingNewline: true) {
                input.state.withLock { $0.lines.append(line) }
            }
            input.state.withLock { $0.ended = true }
        }
        return input
    }

    /// On each status tick: answers the question `frame` asks from the next line, or skips it after stdin's end.
    func tick(_ frame: SessionFrame, session: LiveSession) {
        guard let prompt = frame.drill?.estimatePrompt else { return }
        let asked = Asked(trial: prompt.trial, field: prompt.field)
        let open = prompt.request.fields.filter { !prompt.estimate.answers($0) }
        let (answers, problem) = state.withLock { state -> ([EstimateAnswer], String?) in
            guard !state.answered.contains(asked) else { return ([], nil) }
            guard !state.lines.isEmpty else {
                guard state.ended else { return ([], nil) }
                for field in open { state.answered.insert(Asked(trial: prompt.trial, field: field)) }
                return ([.skip], nil)
            }
            let line = state.lines.removeFirst()
            switch Result(catching: { () throws(EstimateLine.Problem) in try EstimateLine.answers(line, for: prompt) }) {
            case .success(let answers):
                let covered = answers == [.skip] ? open : Array(open.prefix(answers.count))
                for field in covered { state.answered.insert(Asked(trial: prompt.trial, field: field)) }
                return (answers, nil)
            case .failure(let problem):
                return ([], "estimate of trial \(prompt.trial): \(problem.description)")
            }
        }
        if let problem { printError(problem) }
        for answer in answers { session.handle(.drill(.estimate(answer))) }
    }
}
