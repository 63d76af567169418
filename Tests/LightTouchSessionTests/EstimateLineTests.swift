import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchSession

/// Estimates typed as lines (`--plain`, `--json`): what is read, and the one
/// line a bad one gets.
@Suite struct EstimateLineTests {
    func prompt(_ request: EstimateRequest, given: TrialEstimate = TrialEstimate()) -> PracticeSession.EstimatePrompt {
        let field = request.fields.first { !given.answers($0) } ?? .hold
        return PracticeSession.EstimatePrompt(trial: 2, request: request, field: field, options: TrialOptions(), estimate: given)
    }

    @Test(arguments: [
        ("target 6", EstimateRequest(force: .verdict, hold: true), [EstimateAnswer.verdict(.onTarget), .holdSeconds(6)]),
        ("too heavy, 2.5s", EstimateRequest(force: .verdict, hold: true), [.verdict(.tooHeavy), .holdSeconds(2.5)]),
        ("On Target", EstimateRequest(force: .verdict), [.verdict(.onTarget)]),
        ("1", EstimateRequest(force: .verdict), [.verdict(.tooLight)]),
        ("4.5g 6s", EstimateRequest(force: .grams, hold: true), [.grams(4.5), .holdSeconds(6)]),
        ("4.5", EstimateRequest(force: .grams, hold: true), [.grams(4.5)]),
        ("skip", EstimateRequest(force: .grams, hold: true), [.skip]),
        ("12", EstimateRequest(hold: true), [.holdSeconds(12)]),
    ])
    func linesAnswerTheOpenQuestionsInOrder(line: String, request: EstimateRequest, answers: [EstimateAnswer]) throws {
        #expect(try EstimateLine.answers(line, for: prompt(request)) == answers)
    }

    @Test func aLineAnswersOnlyWhatIsStillOpen() throws {
        let request = EstimateRequest(force: .grams, hold: true)
        #expect(try EstimateLine.answers("7", for: prompt(request, given: TrialEstimate(grams: 4))) == [.holdSeconds(7)])
        #expect(EstimateLine.instructions(prompt(request, given: TrialEstimate(grams: 4))) == "type the longest hold in s (e.g. `6`), or `skip`")
        #expect(
            EstimateLine.instructions(prompt(EstimateRequest(force: .verdict, hold: true)))
                == "type light, target or heavy, then the longest hold in s (e.g. `target 6`), or `skip`")
    }

    @Test(arguments: [
        ("", EstimateRequest(force: .grams, hold: true), "the line is empty; type e.g. `4.5 6`, or `skip`"),
        ("heavy", EstimateRequest(force: .grams, hold: true), "`heavy` is not the mean force in grams; type e.g. `4.5 6`, or `skip`"),
        ("4.5", EstimateRequest(force: .verdict), "`4.5` is not the force (too light, on target or too heavy); type e.g. `target`, or `skip`"),
        ("4 5 6", EstimateRequest(force: .grams, hold: true), "`4 5 6` gives 3 answers for 2 questions; type e.g. `4.5 6`, or `skip`"),
        ("-3", EstimateRequest(force: .grams), "`-3` is not the mean force in grams; type e.g. `4.5`, or `skip`"),
        ("5000", EstimateRequest(force: .grams), "`5000`: a force estimate is 0 to 1000 g"),
        ("1e3", EstimateRequest(hold: true), "`1e3` is not the longest hold in seconds; type e.g. `6`, or `skip`"),
        ("nan", EstimateRequest(hold: true), "`nan` is not the longest hold in seconds; type e.g. `6`, or `skip`"),
    ])
    func aBadLineSaysWhatToType(line: String, request: EstimateRequest, message: String) {
        #expect(throws: EstimateLine.Problem(description: message)) { try EstimateLine.answers(line, for: prompt(request)) }
    }

    /// The status lines while an estimate is awaited: no force, the question.
    @Test func theStatusLinesAskForTheEstimate() {
        var session = PracticeSession(drill: Drill.blindEstimate.overriding(trialCount: 1))
        _ = session.push((0..<1300).map { (Double($0) * 0.01, 5.0) })
        #expect(session.estimatePrompt?.field == .grams)
        var snapshot = PipelineSnapshot(calibrated: true)
        snapshot.time = 12.99
        snapshot.filtered = 5
        snapshot.tare = .zeroed(offset: 0)
        snapshot.taring = false
        let frame = SessionFrame(snapshot: snapshot, drill: session, history: [], unplugged: nil)
        #expect(
            StatusLine.practice(frame, holdGoal: TrialOptions())
                == "t 13.0 s  feedback off  estimate trial 1 before its result: type the mean force in g, then the longest hold in s (e.g. `4.5 6`), or `skip`")
        let json = StatusLine.practiceJSON(frame, holdGoal: TrialOptions())
        #expect(json.contains(",\"completed_trials\":0,\"estimate\":\"grams\",\"calibrated\":true,"))
        #expect(StatusLine.assessmentJSON(frame).contains("\"phase\":\"estimate\",\"trial\":1,"))
        #expect(StatusLine.assessmentJSON(frame).contains("\"force_g\":null,\"estimate\":\"grams\","))
    }
}
