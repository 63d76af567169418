import LightTouchCore
import LightTouchSession
import LightTouchTrainer
import Testing

@testable import LightTouchTerminal

/// The examiner's screen shows only what the protocol allows: in a blind
/// protocol no trace of the force, during a trial or between trials.
@Suite struct ExaminerLayoutTests {
    /// basic-5g's drill: three 10 s trials at 5 g ± 1 g, hold goal 8 s, rest 5 s.
    static func drill(_ feedback: FeedbackMode) -> Drill {
        var options = TrialOptions()
        options.target = 5
        options.tolerance = 1
        options.holdGoal = 8
        let trial = DrillTrial(options: options, lengthSeconds: 10, feedback: feedback)
        return Drill(name: "basic-5g", purpose: "three 10 s holds", trials: Array(repeating: trial, count: 3), restSeconds: 5)
    }

    /// A session fed `seconds` of a steady `force` at 100 Hz from t = 0, and the snapshot after it.
    static func view(
        _ feedback: FeedbackMode, force: Double, seconds: Double, calibrated: Bool = false, expired: Bool = false,
        tared: Bool = true, tare: TareState? = nil
    ) -> ExaminerView {
        var session = PracticeSession(drill: drill(feedback))
        let count = Int((seconds * 100).rounded())
        _ = session.push((0..<count).map { (time: Double($0) * 0.01, force: force) })
        var snapshot = PipelineSnapshot(calibrated: calibrated)
        snapshot.calibrationExpired = expired
        if tared { snapshot.tare = .zeroed(offset: 0) }
        if let tare { snapshot.tare = tare }
        snapshot.taring = snapshot.tare == .measuring
        snapshot.time = session.time
        snapshot.raw = force
        snapshot.filtered = force
        snapshot.contact = force >= 0.5
        snapshot.currentHold = seconds
        return ExaminerView(
            snapshot: snapshot, session: session, protocolName: "basic-5g", grading: "graded on the best 2 of 3", student: "ann",
            examiner: "zoe", sensor: "LT-DEMO-0001")
    }

    static let sizes = [(20, 60), (24, 80), (30, 100), (50, 200)]

    /// Everything that would tell the force: its digits as text, large digits, the marker, the verdict, the hold, per-trial metrics.
    static func leaks(_ canvas: Canvas) -> [String] {
        let text = canvas.text
        var found = ["4.8", "4.9", "4.87", "▼", "▶", "ON TARGET", "TOO LIGHT", "TOO HEAVY", "on target", "in band", "CV", "score", "s / 8 s"]
            .filter { text.contains($0) }
        // Blocks below the progress bar are large digits or a gauge marker.
        for row in 9..<canvas.rows where canvas.text(row: row).contains("█") { found.append("█ on row \(row)") }
        return found
    }

    @Test(arguments: sizes)
    func blindHidesEveryTraceOfTheForceDuringATrial(rows: Int, columns: Int) {
        let view = Self.view(.blind, force: 4.87, seconds: 3.2)
        guard case .running(1, let elapsed, 10) = view.phase else {
            Issue.record("trial 1 should be running: \(view.phase)")
            return
        }
        #expect(abs(elapsed - 3.19) < 1e-9)
        #expect(view.liveFeedback == .hidden)
        // The view itself carries no force for a layout to leak.
        #expect(view.live.force == 0 && view.live.hold == 0 && view.live.inBandPercent == nil && view.live.cv == nil)
        let canvas = ExaminerLayout.render(view, rows: rows, columns: columns)
        #expect(Self.leaks(canvas) == [], "\(canvas.text)")
        let text = canvas.text
        #expect(text.contains("blind: live force hidden from student and examiner"))
        #expect(text.contains("Trial 1 of 3 running"))
        #expect(text.contains("3.2 s / 10 s"))
        #expect(text.contains("0 of 3 recorded"))
    }

    @Test(arguments: sizes)
    func blindHidesTheForceBetweenTrialsAndKeepsTheResultsForTheEnd(rows: Int, columns: Int) {
        // Trial 1 ended at 10 s; the student keeps pressing during the rest.
        let view = Self.view(.blind, force: 4.87, seconds: 12.5)
        guard case .resting(2, let left, 5) = view.phase else {
            Issue.record("the rest before trial 2 should run: \(view.phase)")
            return
        }
        #expect(left > 2 && left <= 3)
        #expect(view.liveFeedback == .hidden)
        let canvas = ExaminerLayout.render(view, rows: rows, columns: columns)
        #expect(Self.leaks(canvas) == [], "\(canvas.text)")
        let text = canvas.text
        #expect(text.contains("Trial 1 recorded · rest before trial 2 of 3"))
        #expect(text.contains("rest: 3 s left"))
        #expect(text.contains("1 of 3 recorded"))
        #expect(text.contains("✓"))
        #expect(text.contains("live force hidden"))
    }

    @Test func blindHidesTheForceBeforeTheFirstTrial() {
        let view = Self.view(.blind, force: 0.3, seconds: 1)
        #expect(view.phase == .waiting(trial: 1))
        let text = ExaminerLayout.render(view, rows: 24, columns: 80).text
        #expect(text.contains("Waiting for the first touch of trial 1 of 3"))
        #expect(text.contains("live force hidden"))
        #expect(!text.contains("0.3"))
    }

    @Test(arguments: sizes)
    func fullFeedbackShowsTheForce(rows: Int, columns: Int) {
        let view = Self.view(.full, force: 4.87, seconds: 3.2)
        #expect(view.liveFeedback == .shown)
        let canvas = ExaminerLayout.render(view, rows: rows, columns: columns)
        let text = canvas.text
        #expect(text.contains("4.87 g"), "\(text)")
        #expect(text.contains("ON TARGET"))
        #expect(text.contains("▼"))
        #expect(text.contains("s / 8 s"))
        #expect((10..<15).contains { canvas.text(row: $0).contains("█") }, "the large digits")
        #expect(!text.contains("live force hidden"))
        // The leak check used on the blind screens finds the force when it is there.
        #expect(Self.leaks(canvas).contains("4.87"))
    }

    @Test func bandwidthShowsOnlyACalmOnTargetInTheBandAndTheForceOutOfIt() {
        let inBand = ExaminerLayout.render(Self.view(.bandwidth, force: 4.87, seconds: 3.2), rows: 24, columns: 80).text
        #expect(inBand.contains("on target") && !inBand.contains("4.87") && !inBand.contains("▼"))
        let out = ExaminerLayout.render(Self.view(.bandwidth, force: 7.3, seconds: 3.2), rows: 24, columns: 80).text
        #expect(out.contains("7.30 g") && out.contains("TOO HEAVY"))
        // Between trials the force shows only when the next trial's feedback is full.
        #expect(Self.view(.bandwidth, force: 4.87, seconds: 12.5).liveFeedback == .hidden)
        #expect(Self.view(.full, force: 4.87, seconds: 12.5).liveFeedback == .shown)
    }

    @Test func theTitleNamesTheProtocolStudentExaminerSensorAndCalibration() {
        let text = ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 24, columns: 80).text
        #expect(text.contains("LightTouch · assessment basic-5g"))
        #expect(text.contains("student ann · examiner zoe"))
        #expect(text.contains("LT-DEMO-0001 · uncalibrated"))
        #expect(ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1, calibrated: true), rows: 24, columns: 80).text
            .contains("LT-DEMO-0001 · calibrated"))
        let expired = ExaminerLayout.render(
            Self.view(.blind, force: 0, seconds: 1, calibrated: true, expired: true), rows: 24, columns: 80)
        #expect(expired.text(row: 0).contains("calibration EXPIRED"))
        #expect(expired.text.contains("⚠ calibration EXPIRED"))
        // At the narrowest, the calibration stays on the title row and nothing overlaps.
        let narrow = ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 20, columns: 60)
        #expect(narrow.text(row: 0).contains(" LightTouch · assessment basic-5g "))
        #expect(narrow.text(row: 0).hasSuffix("uncalibrated "))
        #expect(narrow.text(row: 1).contains("sensor LT-DEMO-0001"))
    }

    @Test func theRulesInOneLine() {
        #expect(
            ExaminerView.rules(of: Self.drill(.blind), grading: "graded on the best 2 of 3")
                == "3 trials × 10 s at 5 g ± 1 g · hold goal 8 s · rest 5 s · feedback blind · graded on the best 2 of 3")
        #expect(
            ExaminerView.rules(of: Drill.ladder, grading: "every trial graded")
                == "3 trials: 2 g ± 0.5 g for 14 s, 5 g ± 1 g for 14 s, 10 g ± 1.5 g for 14 s · rest 5 s · feedback full · every trial graded")
        // Wrapped at the separators when the window is narrow.
        let text = ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 20, columns: 60)
        #expect(text.text(row: 2).hasPrefix(" 3 trials × 10 s at 5 g ± 1 g · hold goal 8 s · rest 5 s"))
        #expect(text.text(row: 3).hasPrefix(" feedback blind · graded on the best 2 of 3"))
    }

    @Test func onlyTheTareAndEndKeysAreOffered() {
        for columns in [60, 80] {
            let help = ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 20, columns: columns).text(row: 19)
            #expect(help.contains("t tare") && help.contains("q end"))
            #expect(!help.contains("feedback") && !help.contains("peek") && !help.contains("target") && !help.contains("space"))
            #expect(help.unicodeScalars.last == " ", "the bottom-right cell stays blank")
        }
    }

    @Test func withSoundTheKeyLineOffersSAndTheIndicatorShows() {
        for columns in [60, 80] {
            var view = Self.view(.blind, force: 0, seconds: 1)
            view.sound = SoundStatus(device: .playing("default"), on: false, underruns: 1)
            let canvas = ExaminerLayout.render(view, rows: 20, columns: columns)
            let help = canvas.text(row: 19)
            #expect(help.contains("t tare") && help.contains("s sound") && help.contains("q end"), "\(help)")
            #expect(help.unicodeScalars.last == " ", "the bottom-right cell stays blank")
            #expect(canvas.text(row: 5).hasSuffix("sound off · 1 underrun "), "\(canvas.text(row: 5))")
        }
        #expect(!ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 20, columns: 80).text.contains("sound"))
    }

    @Test func warningsAndNoticesShow() {
        let taring = ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1, tared: false), rows: 24, columns: 80).text
        #expect(taring.contains("⚠ taring: keep your hands off the sensor…"))
        let uncalibrated = ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 24, columns: 80).text
        #expect(uncalibrated.contains("⚠ uncalibrated"))
    }

    /// A refused tare's grams or SD would tell the force: blind, the reason comes without them.
    @Test(arguments: [TareRefusal.forceApplied(grams: 4.87), .unstable(sd: 0.487)])
    func aRefusedTareTellsNoForceWhenItIsHidden(refusal: TareRefusal) {
        let blind = Self.view(.blind, force: 4.87, seconds: 3.2, calibrated: true, tare: .refused(refusal, offset: 0))
        let text = ExaminerLayout.render(blind, rows: 24, columns: 80).text
        #expect(text.contains("⚠ tare refused: "))
        #expect(!text.contains("4.8") && !text.contains("4.9") && !text.contains("0.487"), "\(text)")
        #expect(!blind.warnings.contains(refusal.description))
        // With the force shown, the full reason.
        let full = Self.view(.full, force: 4.87, seconds: 3.2, calibrated: true, tare: .refused(refusal, offset: 0))
        #expect(full.warnings.first == refusal.description)
    }

    @Test func theCompleteProtocolSaysSo() {
        let view = Self.view(.blind, force: 4.87, seconds: 60)
        #expect(view.phase == .complete)
        let canvas = ExaminerLayout.render(view, rows: 24, columns: 80)
        #expect(canvas.text.contains("Protocol complete: 3 of 3 trials recorded"))
        #expect(Self.leaks(canvas) == [], "\(canvas.text)")
    }

    @Test func aSmallTerminalSaysHowBigToMakeIt() {
        let text = ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 15, columns: 50).text
        #expect(text.contains("Terminal too small"))
        #expect(text.contains("50×15: make the window at least 60×20"))
        #expect(!text.contains("basic-5g"))
        #expect(ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 19, columns: 60).text.contains("too small"))
        #expect(ExaminerLayout.render(Self.view(.blind, force: 0, seconds: 1), rows: 0, columns: 0).rows == 0)
    }

    /// A two-hand protocol: with full feedback the examiner sees each hand, its
    /// verdict and the balance; blind, none of them (nor the mean).
    @Test func twoHandsShowEachHandAndTheBalanceOnlyWhenTheProtocolShowsTheForce() {
        func view(_ feedback: FeedbackMode) -> ExaminerView {
            var drill = Self.drill(feedback)
            drill.balance = BalanceSettings()
            var session = PracticeSession(drill: drill)
            let hands = HandForces(left: 4.4, right: 5.6)  // 44 % left: unbalanced
            _ = session.push(scored: (0..<300).map {
                ProcessedSample(time: Double($0) * 0.01, raw: hands.mean, filtered: hands.mean, inBand: false, hands: hands)
            })
            var snapshot = PipelineSnapshot(calibrated: false)
            snapshot.tare = .zeroed(offset: 0)
            snapshot.taring = false
            snapshot.time = session.time
            snapshot.filtered = hands.mean
            snapshot.hands = hands
            return ExaminerView(
                snapshot: snapshot, session: session, protocolName: "cv4", grading: "each trial", student: "ann", examiner: "zoe",
                sensor: "LT-DEMO-0001")
        }
        let shown = ExaminerLayout.render(view(.full), rows: 30, columns: 100).text
        #expect(shown.contains("LEFT 4.40 g ON TARGET") && shown.contains("RIGHT 5.60 g ON TARGET"), "\(shown)")
        #expect(shown.contains("balance L 44.0 % · unbalanced (45–55 %)"), "\(shown)")
        let blind = ExaminerLayout.render(view(.blind), rows: 30, columns: 100).text
        for leak in ["4.4", "5.6", "5.0", "44.0", "LEFT", "RIGHT", "balance L", "ON TARGET", "▼", "▲"] {
            #expect(!blind.contains(leak), "\(leak) in:\n\(blind)")
        }
    }
}
