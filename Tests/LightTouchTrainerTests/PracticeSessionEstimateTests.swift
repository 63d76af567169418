import LightTouchCore
import Testing

@testable import LightTouchTrainer

/// A drill that asks for estimates: nothing of a trial shows until its
/// estimate is in, and each error is the one worked out by hand.
@Suite struct PracticeSessionEstimateTests {
    func samples(from: Double, seconds: Double, force: Double) -> [(time: Double, force: Double)] {
        (0..<Int((seconds * 100).rounded())).map { (from + Double($0) * 0.01, force) }
    }

    /// Two 10 s trials at 5 g ± 1 g (band 4–6 g), 5 s rest: trial 1 asks for
    /// grams and the hold, trial 2 for a verdict.
    let drill = Drill(
        name: "estimates", purpose: "test",
        trials: [
            DrillTrial(options: TrialOptions(), lengthSeconds: 10, feedback: .blind, estimate: EstimateRequest(force: .grams, hold: true)),
            DrillTrial(options: TrialOptions(), lengthSeconds: 10, feedback: .blind, estimate: EstimateRequest(force: .verdict)),
        ],
        restSeconds: 5)

    /// Trial 1, from t = 1 to its end at 11: 4 s at 4.5 g (in band), then 6 s at 3.0 g (below it).
    ///   mean_g = (400 × 4.5 + 600 × 3.0) / 1000 samples = 3.6 g → too light
    ///   longest_hold_s = 4.0 (1.00 to 5.00; the 3 g that follows is longer than the grace)
    func runTrialOne(_ session: inout PracticeSession) -> [PracticeSession.Event] {
        var events = session.push(samples(from: 0, seconds: 1, force: 0))
        events += session.push(samples(from: 1, seconds: 4, force: 4.5))
        events += session.push(samples(from: 5, seconds: 6, force: 3))
        events += session.push(samples(from: 11, seconds: 0.01, force: 0))  // the window's end
        return events
    }

    @Test func nothingOfTheTrialShowsUntilTheEstimateIsIn() throws {
        var session = PracticeSession(drill: drill)
        let events = runTrialOne(&session)
        #expect(events == [.trialStarted(1), .leftBand], "no trialEnded until the estimate")
        #expect(session.phase == .estimating(index: 0))
        #expect(session.results.isEmpty)
        #expect(session.visibility == .hidden, "not even the plot of the trial")
        let prompt = try #require(session.estimatePrompt)
        #expect(prompt.trial == 1 && prompt.field == .grams)

        // A touch during the prompt starts no trial; space says what to do.
        #expect(session.push(samples(from: 11.01, seconds: 2, force: 5)).isEmpty)
        #expect(session.phase == .estimating(index: 0))
        _ = session.handle(.space)
        #expect(session.notice == "estimate the trial first (x skips the estimate)")
        // Wrong answers leave the prompt as it is.
        #expect(session.handle(.estimate(.holdSeconds(6))).isEmpty)
        #expect(session.notice == "the estimate asks for the mean force in grams now")
        #expect(session.handle(.estimate(.grams(-1))).isEmpty)
        #expect(session.notice == "a force estimate is 0 to 1000 g")
        #expect(session.estimatePrompt?.field == .grams)

        #expect(session.handle(.estimate(.grams(4.5))).isEmpty)
        #expect(session.estimatePrompt?.field == .hold)
        let ended = session.handle(.estimate(.holdSeconds(6)))
        let result = try #require(session.results.first)
        #expect(ended == [.trialEnded(result)])
        // The rest starts at the answer (at the newest sample, t = 13).
        #expect(abs(session.time - 13) < 1e-9)
        #expect(session.phase == .resting(next: 1, until: session.time + 5))
        #expect(session.visibility == .all)

        #expect(result.estimate == TrialEstimate(grams: 4.5, holdSeconds: 6))
        let error = try #require(result.estimation)
        #expect(error.actualVerdict == .tooLight)
        #expect(error.verdictError == 1, "4.5 g is on target (0), the trial too light (−1)")
        #expect(TrialMetrics.rounded(try #require(error.forceErrorGrams)) == 0.9, "4.5 − 3.6")
        #expect(TrialMetrics.rounded(try #require(error.holdErrorSeconds)) == 2, "6 − 4.0")
        #expect(
            result.json.serialized().hasSuffix(
                ",\"peeks\":0,\"estimate\":{\"asked\":\"grams+hold\",\"skipped\":false,\"verdict\":null,\"force_g\":4.5,"
                    + "\"hold_s\":6,\"actual_verdict\":\"too light\",\"verdict_error\":1,\"force_error_g\":0.9,\"hold_error_s\":2}}"))
    }

    @Test func aVerdictOnATrialThatNeverReachedTheBandIsJudgedByItsPeak() throws {
        var session = PracticeSession(drill: drill)
        _ = runTrialOne(&session)
        _ = session.handle(.estimate(.grams(4.5)))
        _ = session.handle(.estimate(.holdSeconds(6)))
        // Trial 2 at the first touch after the rest: 10 s at 6.5 g, above the band throughout.
        _ = session.push(samples(from: 13, seconds: 5, force: 0))
        _ = session.push(samples(from: 18, seconds: 10, force: 6.5))
        _ = session.push(samples(from: 28, seconds: 0.01, force: 0))
        #expect(session.estimatePrompt?.field == .verdict)
        let events = session.handle(.estimate(.verdict(.onTarget)))
        #expect(events.contains(.drillComplete))
        let result = try #require(session.results.last)
        #expect(result.metrics.meanGrams == nil)
        let error = try #require(result.estimation)
        #expect(error.actualVerdict == .tooHeavy)
        #expect(error.verdictError == -1)
        #expect(error.forceErrorGrams == nil && error.holdErrorSeconds == nil)

        let report = SessionReport(
            drill: session.drill, results: session.results, samples: 0, lostFrames: 0, rejectedSamples: 0, calibrated: true)
        let estimates = try #require(report.estimates)
        #expect(estimates == SessionReport.Estimates(
            asked: 2, given: 2, verdictTrials: 2, verdictRight: 0, meanAbsForceErrorGrams: estimates.meanAbsForceErrorGrams,
            meanAbsHoldErrorSeconds: estimates.meanAbsHoldErrorSeconds))
        #expect(TrialMetrics.rounded(try #require(estimates.meanAbsForceErrorGrams)) == 0.9)
        #expect(TrialMetrics.rounded(try #require(estimates.meanAbsHoldErrorSeconds)) == 2)
        #expect(report.json.serialized().contains(
            "\"calibrated\":true,\"estimates\":{\"asked\":2,\"given\":2,\"verdict_trials\":2,\"verdict_right\":0,"
                + "\"mean_abs_force_error_g\":0.9,\"mean_abs_hold_error_s\":2}}"))
        let table = report.table
        #expect(table.contains("Estimates, made before each result was shown:"))
        #expect(table.contains("    1  grams+hold  4.5 g, 6 s  3.60 g, 4.0 s  +0.90 g, +2.0 s"), "\(table)")
        #expect(table.contains("    2  verdict     on target   too heavy      1 band too light"), "\(table)")
        #expect(table.hasSuffix("2 of 2 estimates given, verdict right 0 of 2, mean force error 0.90 g, mean hold error 2.0 s"))
    }

    @Test func skippingOrQuittingKeepsTheTrialWithoutTheRest() throws {
        var session = PracticeSession(drill: drill)
        _ = runTrialOne(&session)
        _ = session.handle(.estimate(.skip))
        let skipped = try #require(session.results.first)
        #expect(skipped.estimate == TrialEstimate(skipped: true))
        #expect(skipped.estimation?.verdictError == nil)
        #expect(skipped.json.serialized().contains("\"estimate\":{\"asked\":\"grams+hold\",\"skipped\":true,\"verdict\":null"))

        var quitting = PracticeSession(drill: drill)
        _ = runTrialOne(&quitting)
        _ = quitting.handle(.estimate(.grams(3)))
        let events = quitting.finish()
        let kept = try #require(quitting.results.first)
        #expect(events == [.trialEnded(kept)])
        #expect(kept.estimate == TrialEstimate(grams: 3, skipped: true), "what was given, marked skipped")
        #expect(TrialMetrics.rounded(try #require(kept.estimation?.forceErrorGrams)) == -0.6)
    }

    @Test func aDrillWithoutEstimatesIsUnchanged() throws {
        var session = PracticeSession(drill: .firstTouch)
        _ = session.push(samples(from: 0, seconds: 11, force: 5))
        #expect(session.results.count == 1)
        #expect(session.estimatePrompt == nil)
        #expect(!session.results[0].json.serialized().contains("estimate"))
        let report = SessionReport(
            drill: session.drill, results: session.results, samples: 0, lostFrames: 0, rejectedSamples: 0, calibrated: true)
        #expect(report.estimates == nil)
        #expect(!report.json.serialized().contains("estimate") && !report.table.contains("Estimate"))
    }

    /// Every answer goes into a recording by name and comes back the same value.
    @Test(arguments: [
        (EstimateAnswer.verdict(.tooLight), "estimate_verdict:too_light"), (.verdict(.onTarget), "estimate_verdict:on_target"),
        (.verdict(.tooHeavy), "estimate_verdict:too_heavy"), (.grams(4.5), "estimate_grams:4.5"),
        (.grams(0.1 + 0.2), "estimate_grams:0.30000000000000004"), (.holdSeconds(6), "estimate_hold_s:6.0"), (.skip, "estimate_skip"),
    ])
    func answersRoundTripThroughTheirRecordedNames(answer: EstimateAnswer, name: String) {
        let key = PracticeSession.Key.estimate(answer)
        #expect(key.recordedName == name)
        #expect(PracticeSession.Key(recordedName: name) == key)
    }

    @Test func unknownRecordedNamesAreNotKeys() {
        for name in ["estimate_verdict:maybe", "estimate_grams:", "estimate_grams:four", "estimate_hold_s:1e", "estimate", "estimate_x:1"] {
            #expect(PracticeSession.Key(recordedName: name) == nil, "\(name)")
        }
    }
}
