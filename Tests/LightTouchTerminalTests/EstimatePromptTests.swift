import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchTerminal

/// The estimate prompt on the trainer's screen: the keys that type it, what
/// it shows, and the estimate beside the result afterwards.
@Suite struct EstimatePromptTests {
    /// blind-estimate's first trial held at 4.5 g for its 12 s, then ended: the prompt asks for grams.
    func estimating() -> PracticeSession {
        var session = PracticeSession(drill: .blindEstimate)
        _ = session.push((0...1200).map { (Double($0) * 0.01, 4.5) })
        return session
    }

    func view(_ session: PracticeSession, draft: EstimateDraft = EstimateDraft()) -> TrainerView {
        var snapshot = PipelineSnapshot(calibrated: true)
        snapshot.tare = .zeroed(offset: 0)
        snapshot.taring = false
        snapshot.filtered = session.force
        snapshot.time = session.time
        return TrainerView(
            snapshot: snapshot, session: session, history: [(session.time, session.force)], sensor: "LT-DEMO-0001", isDemo: false,
            bell: false, draft: draft)
    }

    @Test func digitsEnterAndBackspaceTypeTheAnswers() throws {
        var session = estimating()
        let prompt = try #require(session.estimatePrompt)
        #expect(prompt.field == .grams)
        var draft = EstimateDraft()
        #expect(draft.take(.character("4"), for: prompt) == .edited)
        #expect(draft.take(.character("z"), for: prompt) == .edited)
        #expect(draft.shown(for: prompt)?.hint == "type a number (digits and .), then Enter")
        #expect(draft.take(.backspace, for: prompt) == .edited)
        for key in [".", "7", "5"] { _ = draft.take(.character(Character(key)), for: prompt) }
        #expect(draft.take(.character("."), for: prompt) == .edited)
        #expect(draft.shown(for: prompt)?.hint == "one decimal point")
        #expect(draft.shown(for: prompt)?.text == ".75")
        _ = draft.take(.character("\u{7F}"), for: prompt)
        _ = draft.take(.character("\u{7F}"), for: prompt)
        _ = draft.take(.character("\u{7F}"), for: prompt)
        #expect(draft.take(.character("\n"), for: prompt) == .edited)
        #expect(draft.shown(for: prompt)?.hint == "type a number first, e.g. 4.5, then Enter")
        for key in ["4", ".", "2"] { _ = draft.take(.character(Character(key)), for: prompt) }
        #expect(draft.take(.character("\r"), for: prompt) == .answer(.grams(4.2)))

        // The next keys may come before the session's frame shows the answer: they go to the hold.
        let hold = try #require(draft.effective(prompt))
        #expect(hold.field == .hold && hold.estimate.grams == 4.2)
        for key in ["1", "1"] { _ = draft.take(.character(Character(key)), for: prompt) }
        #expect(draft.take(.enter, for: prompt) == .answer(.holdSeconds(11)))
        #expect(draft.effective(prompt) == nil, "everything answered: the result is next")

        _ = session.handle(.estimate(.grams(4.2)))
        _ = session.handle(.estimate(.holdSeconds(11)))
        let result = try #require(session.results.first)
        #expect(result.estimate == TrialEstimate(grams: 4.2, holdSeconds: 11))
    }

    @Test func aVerdictIsOneKeyAndXSkips() throws {
        let prompt = PracticeSession.EstimatePrompt(
            trial: 3, request: EstimateRequest(force: .verdict), field: .verdict, options: TrialOptions(), estimate: TrialEstimate())
        var draft = EstimateDraft()
        #expect(draft.take(.character("9"), for: prompt) == .edited)
        #expect(draft.shown(for: prompt)?.hint == "press 1 (too light), 2 (on target) or 3 (too heavy)")
        #expect(draft.take(.character("H"), for: prompt) == .answer(.verdict(.tooHeavy)))
        var other = EstimateDraft()
        #expect(other.take(.character("2"), for: prompt) == .answer(.verdict(.onTarget)))
        var skipping = EstimateDraft()
        #expect(skipping.take(.character("x"), for: prompt) == .answer(.skip))
        #expect(skipping.take(.character("1"), for: prompt) == .ignored, "skipped: nothing more for trial 3")
        #expect(skipping.take(.up, for: prompt) == .ignored)
    }

    @Test func thePromptTakesThePlotsPlaceAndHidesTheForce() throws {
        let session = estimating()
        var draft = EstimateDraft()
        let prompt = try #require(session.estimatePrompt)
        for key in ["4", "."] { _ = draft.take(.character(Character(key)), for: prompt) }
        let text = TrainerLayout.render(view(session, draft: draft), rows: 30, columns: 100).text
        #expect(text.contains("Trial 1 is over. Before you see its result, estimate it:"))
        #expect(text.contains("▸ your mean force, in grams? 4.▏"))
        #expect(text.contains("  your longest hold in the band, in seconds?"))
        #expect(text.contains("trial 1 of 5 ended: your estimate first, then its result"))
        #expect(text.contains("digits and . · Enter takes it · Backspace corrects · x skip · q quit"))
        #expect(!text.contains("4.5") && !text.contains("▼") && !text.contains("score"), "nothing of the trial: \(text)")
        let ascii = TrainerLayout.render(view(session, draft: draft), rows: 30, columns: 100, glyphs: .ascii).text
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("> your mean force, in grams? 4._"), "\(ascii)")
        #expect(ascii.contains("digits and . - Enter takes it - Backspace corrects - x skip - q quit"))
    }

    /// At the smallest size the questions and the hint still show (the heading gives way).
    @Test func theSmallestScreenKeepsTheQuestions() throws {
        let session = estimating()
        var draft = EstimateDraft()
        let prompt = try #require(session.estimatePrompt)
        _ = draft.take(.character("?"), for: prompt)
        let text = TrainerLayout.render(
            view(session, draft: draft), rows: TrainerLayout.minimumRows, columns: TrainerLayout.minimumColumns
        ).text
        #expect(text.contains("▸ your mean force, in grams? ▏"), "\(text)")
        #expect(text.contains("your longest hold in the band, in seconds?"))
        #expect(text.contains("type a number (digits and .), then Enter"))
    }

    @Test func theResultShowsTheEstimateBesideIt() throws {
        var session = estimating()
        _ = session.handle(.estimate(.grams(4.2)))
        _ = session.handle(.estimate(.holdSeconds(11)))
        let text = TrainerLayout.render(view(session), rows: 30, columns: 100).text
        // Held at 4.5 g from 0 to 12 s: mean 4.5 g, hold 12.0 s; 4.2 − 4.5 = −0.30 g, 11 − 12 = −1.0 s.
        #expect(text.contains("trial 1: you estimated 4.2 g, 11 s · it was 4.50 g, 12.0 s · off by -0.30 g, -1.0 s"), "\(text)")
        #expect(text.contains("trial 1: score"))
    }

    /// The examiner's screen asks too (whoever is at the keyboard types the student's answer), and shows no force.
    @Test func theExaminerSeesTheQuestionAndNoForce() throws {
        var session = PracticeSession(drill: Drill.blindEstimate.overriding(trialCount: 3, estimate: EstimateRequest(force: .verdict, hold: true)))
        _ = session.push((0...1200).map { (Double($0) * 0.01, 4.5) })
        var snapshot = PipelineSnapshot(calibrated: true)
        snapshot.tare = .zeroed(offset: 0)
        snapshot.taring = false
        snapshot.filtered = 4.5
        snapshot.time = session.time
        var draft = EstimateDraft()
        let prompt = try #require(session.estimatePrompt)
        #expect(draft.take(.character("2"), for: prompt) == .answer(.verdict(.onTarget)))
        let view = ExaminerView(
            snapshot: snapshot, session: session, protocolName: "estimate-check", grading: "graded on each trial", student: "ada",
            examiner: nil, sensor: "LT-DEMO-0001", draft: draft)
        #expect(view.rules.hasSuffix("feedback blind · estimate verdict+hold · graded on each trial"))
        let text = ExaminerLayout.render(view, rows: 30, columns: 100).text
        #expect(text.contains("Trial 1 of 3 is over: the student estimates it"))
        #expect(text.contains("your longest hold in the band, in seconds? ▏"), "the verdict already typed moves on to the hold: \(text)")
        #expect(text.contains("digits and . · Enter takes it · Backspace corrects · x skip · q end"))

        // On the smallest trainer screen (60 × 20) a verdict's question and its keys fit.
        var session2 = PracticeSession(drill: Drill.blindEstimate.overriding(trialCount: 1, estimate: EstimateRequest(force: .verdict)))
        _ = session2.push((0...1200).map { (Double($0) * 0.01, 4.5) })
        let trainer = TrainerLayout.render(self.view(session2), rows: TrainerLayout.minimumRows, columns: TrainerLayout.minimumColumns).text
        #expect(trainer.contains("▸ your mean force? 1 light · 2 on target · 3 heavy"), "\(trainer)")
        #expect(trainer.contains("1 too light · 2 on target · 3 too heavy · x skip · q quit"))
        #expect(!text.contains("4.5"))
    }

    /// A two-hand drill asks the same way, in its plot's place, with neither hand nor the balance shown.
    @Test func aTwoHandDrillAsksTooAndHidesBothHands() throws {
        var drill = Drill.blindEstimate.overriding(trialCount: 1, feedback: .full)
        drill.balance = BalanceSettings()
        var session = PracticeSession(drill: drill)
        let hands = HandForces(left: 4.6, right: 5.4)
        let samples = (0...1200).map {
            ProcessedSample(time: Double($0) * 0.01, raw: hands.mean, filtered: hands.mean, inBand: true, hands: hands)
        }
        _ = session.push(scored: samples)
        #expect(session.estimatePrompt?.field == .grams)
        var snapshot = PipelineSnapshot(calibrated: true)
        snapshot.tare = .zeroed(offset: 0)
        snapshot.taring = false
        snapshot.filtered = hands.mean
        snapshot.hands = hands
        snapshot.time = session.time
        let view = TrainerView(
            snapshot: snapshot, session: session, history: samples.map { ($0.time, $0.filtered) }, sensor: "LT-DEMO-0001",
            isDemo: false, bell: false, handsHistory: samples.compactMap(\.hands))
        let text = TrainerLayout.render(view, rows: 30, columns: 100).text
        #expect(text.contains("Trial 1 is over. Before you see its result, estimate it:"), "\(text)")
        #expect(text.contains("▸ your mean force, in grams? ▏"))
        #expect(!text.contains("4.6") && !text.contains("5.4") && !text.contains("▼"), "no hand's force: \(text)")
    }
}
