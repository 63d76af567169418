import Foundation
import LightTouchCore
import Testing

@testable import LightTouchAssessment

@Suite struct RubricTests {
    static func trial(_ n: Int, score: Double, inBand: Double, hold: Double, cv: Double?, overshoot: Double = 0) -> GradedTrial {
        var values: [Rubric.Metric: Double] = [.score: score, .inBandPercent: inBand, .longestHold: hold, .overshoot: overshoot]
        if let cv { values[.cv] = cv }
        return GradedTrial(trial: n, values: values)
    }

    @Test func theBestTwoOfThreeAreAveragedAndGraded() throws {
        let basic = try #require(AssessmentProtocol.builtIn(named: "basic-5g"))
        #expect(basic.drill.trials.count == 3)
        #expect(basic.drill.trials.allSatisfy { $0.feedback == .blind && $0.lengthSeconds == 10 && $0.options.target == 5 && $0.options.tolerance == 1 })
        let trials = [
            Self.trial(1, score: 90, inBand: 90, hold: 9, cv: 0.05),
            Self.trial(2, score: 20, inBand: 10, hold: 1, cv: 0.5, overshoot: 4),
            Self.trial(3, score: 80, inBand: 80, hold: 7, cv: 0.1),
        ]
        let result = basic.rubric.evaluate(trials, expectedTrials: 3)
        #expect(result.passed)
        #expect(result.score == 85)
        #expect(result.grade == "A")
        let values = result.criteria.map { $0.value ?? .nan }
        #expect(zip(values, [85, 8, 0.075, 0]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(result.criteria[0].reason == "in_band_pct 85 (the mean of the best 2) meets >= 70")
    }

    /// "Balanced within 45–55 % for 80 % of the hold": a two-hand protocol's
    /// balance band and its `balanced_pct` criterion, graded from real trial
    /// metrics (the balanced share of a trial's balance phase).
    @Test func aTwoHandProtocolGradesTheBalance() throws {
        let text = """
            version = 1
            name = "cv4-hold"
            hands = 2
            balance_pct = 50
            balance_tolerance_pct = 5
            trials = 2
            hold_s = 3
            trial_length_s = 4
            criteria = ["balanced_pct >= 80", "left_in_band_pct >= 50"]
            """
        let parsed = try ProtocolFile.parse(text, file: "cv4.toml")
        #expect(parsed.drill.balance == BalanceSettings(target: 50, tolerance: 5))
        // Trial 1: 4 s, both hands at 5 g and 50 % left throughout: balanced 100 %.
        // Trial 2: 3 s at 5 : 5, then 1 s at 4.5 : 6 (42.9 % left): balanced 3 s of 4, 75 %.
        func trial(_ n: Int, _ hands: [(Double, Double)]) -> TrialMetrics {
            var accumulator = TrialAccumulator(options: parsed.drill.trials[0].options, trial: n, startSeconds: 0, balance: parsed.drill.balance)
            for (t, pair) in hands.enumerated() { accumulator.add(time: Double(t), hands: HandForces(left: pair.0, right: pair.1), interval: 1) }
            return accumulator.metrics(endSeconds: Double(hands.count))
        }
        let good = trial(1, [(5, 5), (5, 5), (5, 5), (5, 5)])
        let drifting = trial(2, [(5, 5), (5, 5), (5, 5), (4.5, 6)])
        let passed = parsed.rubric.evaluate([good, good], expectedTrials: 2)
        #expect(passed.passed)
        #expect(passed.criteria.map(\.value) == [100, 100])
        let failed = parsed.rubric.evaluate([good, drifting], expectedTrials: 2)
        #expect(!failed.passed)
        #expect(failed.criteria[0].value == 75)
        #expect(failed.criteria[0].reason == "balanced_pct 75 (the worst trial) misses >= 80")
        // One-hand trials have no balance: undefined, and the reason says why.
        var one = TrialAccumulator(options: TrialOptions(), trial: 1, startSeconds: 0)
        one.add(time: 0, force: 5, interval: 1)
        let undefined = parsed.rubric.evaluate([one.metrics(endSeconds: 1), good], expectedTrials: 2)
        #expect(undefined.criteria[0].value == nil)
        #expect(undefined.criteria[0].reason == "balanced_pct is undefined: the band was never reached by both hands together")
        // A one-hand protocol cannot name a two-hand metric.
        #expect(throws: ProtocolFile.ParseError.self) {
            try ProtocolFile.parse("version = 1\ncriteria = [\"balanced_pct >= 80\"]\n", file: "one.toml")
        }
        do {
            _ = try ProtocolFile.parse("version = 1\ncriteria = [\"balanced_pct >= 80\"]\n", file: "one.toml")
        } catch {
            #expect(error.description.hasPrefix("one.toml:2: key `criteria`: \"balanced_pct\" is a two-hand metric: add `hands = 2`"))
        }
    }

    @Test func eachTrialTakesTheWorstAndAMissingTrialFails() throws {
        let rubric = Rubric(
            criteria: [Rubric.Criterion(metric: .cv, comparison: .atMost, threshold: 0.15)], scope: .eachTrial,
            bands: [Rubric.Band(grade: "pass", minimumScore: 0)])
        let trials = [Self.trial(1, score: 90, inBand: 90, hold: 9, cv: 0.05), Self.trial(2, score: 70, inBand: 70, hold: 9, cv: 0.2)]
        let failed = rubric.evaluate(trials, expectedTrials: 2)
        #expect(!failed.passed)
        #expect(failed.grade == "F")
        #expect(failed.criteria[0].value == 0.2)
        #expect(failed.criteria[0].reason == "cv 0.2 (the worst trial) misses <= 0.15")
        let short = rubric.evaluate([trials[0]], expectedTrials: 2)
        #expect(!short.passed)
        #expect(short.criteria[0].reason == "1 of 2 trials not done")
        let neverInBand = rubric.evaluate([Self.trial(1, score: 0, inBand: 0, hold: 0, cv: nil)], expectedTrials: 1)
        #expect(!neverInBand.passed)
        #expect(neverInBand.criteria[0].reason == "cv is undefined: the band was never reached")
    }

    @Test func anInvalidProtocolIsRefusedNamingTheKey() {
        func error(_ text: String) -> String? {
            do {
                _ = try ProtocolFile.parse(text, file: "p.toml")
                return nil
            } catch {
                return error.description
            }
        }
        let base = "version = 1\ntrials = 3\n"
        #expect(error(base + "criteria = [\"in_band_pct >= 70\"]\nscope = \"best 4\"\n")
            == "p.toml:4: key `scope`: \"best 4\" is not allowed (allowed: \"each\" or \"best N\" (N from 1 to the number of trials))")
        #expect(error(base + "criteria = [\"steadiness >= 70\"]\n")?.hasPrefix("p.toml:3: key `criteria`: \"steadiness\" is not a metric") == true)
        #expect(error(base + "criteria = [\"cv <= much\"]\n")?.hasPrefix("p.toml:3: key `criteria`: \"much\" is not a number") == true)
        #expect(error(base + "criteria = [\"cv <= 0.1\"]\ngrades = [\"A > 90\"]\n")?.hasPrefix("p.toml:4: key `grades`:") == true)
        #expect(error(base) == "p.toml: missing `criteria = [...]` (what passes: a list of \"metric >= number\" or \"metric <= number\"; metrics: \(Rubric.Metric.allowedNames))")
        #expect(error(base + "criteria = [\"cv <= 0.1\"]\ntarget_g = -1\n")?.hasPrefix("p.toml:4: key `target_g`:") == true)
        #expect(error(base + "criteria = [\"cv <= 0.1\"]\nloudness = 3\n")?.hasPrefix("p.toml:4: unknown key `loudness`") == true)
        #expect(error(base + "criteria = [\"cv <= 0.1\"\n")?.hasPrefix("p.toml:3: key `criteria`: cannot read the value") == true)
    }

    @Test func theContentHashChangesWithAnySettingButNotWithComments() throws {
        let text = "version = 1\nname = \"x\"\ntrials = 2\ncriteria = [\"cv <= 0.15\"]\n"
        let a = try ProtocolFile.parse(text, file: "x")
        let b = try ProtocolFile.parse("# a comment\n" + text.replacingOccurrences(of: " = ", with: "="), file: "x")
        let c = try ProtocolFile.parse(text.replacingOccurrences(of: "0.15", with: "0.16"), file: "x")
        #expect(a.contentHash == b.contentHash)
        #expect(a.contentHash != c.contentHash)
        #expect(a.contentHash.count == 64)
        #expect(a.drill.trials.allSatisfy { $0.feedback == .blind }, "blind unless the protocol says otherwise")
    }

    /// FIPS 180-2 appendix B test vectors.
    @Test func sha256MatchesTheStandardsVectors() {
        #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

@Suite struct RubricEstimateTests {
    /// A trial at 5 g mean with a 6 s hold: estimated 4.2 g and 7.5 s.
    ///   force error |4.2 − 5| = 0.8 g, hold error |7.5 − 6| = 1.5 s, verdict on target = on target: 0
    @Test func estimateCriteriaGradeTheMagnitudeOfTheErrors() throws {
        let text = """
            version = 1
            estimate = "grams+hold"
            criteria = ["estimate_force_error_g <= 1", "estimate_hold_error_s <= 1", "estimate_verdict_error <= 0"]
            """
        let chosen = try ProtocolFile.parse(text, file: "p.toml")
        #expect(chosen.drill.trials.first?.estimate == EstimateRequest(force: .grams, hold: true))
        var metrics = TrialAccumulator(options: TrialOptions(), trial: 1, startSeconds: 0).metrics(endSeconds: 10)
        metrics.meanGrams = 5
        metrics.longestHoldSeconds = 6
        let error = EstimationError(estimate: TrialEstimate(grams: 4.2, holdSeconds: 7.5), metrics: metrics, options: TrialOptions())
        let graded = GradedTrial(metrics, request: EstimateRequest(force: .grams, hold: true), estimation: error)
        #expect(graded.values[.estimateVerdictError] == 0)
        #expect(abs((graded.values[.estimateForceError] ?? .nan) - 0.8) < 1e-12)
        #expect(graded.values[.estimateHoldError] == 1.5)
        let result = chosen.rubric.evaluate([graded], expectedTrials: 1)
        #expect(result.criteria.map(\.passed) == [true, false, true])
        #expect(result.criteria[1].reason == "estimate_hold_error_s 1.5 (the worst trial) misses <= 1")

        let skipped = GradedTrial(metrics, request: EstimateRequest(force: .grams, hold: true), estimation: nil)
        let unanswered = chosen.rubric.evaluate([skipped], expectedTrials: 1)
        #expect(!unanswered.passed)
        #expect(unanswered.criteria[0].reason == "estimate_force_error_g is undefined: an estimate was skipped")
    }

    @Test func aCriterionOnAnEstimateNoTrialAsksForIsRefused() {
        let text = "version = 1\nestimate = \"verdict\"\ncriteria = [\"estimate_hold_error_s <= 1\"]\n"
        do {
            _ = try ProtocolFile.parse(text, file: "p.toml")
            Issue.record("parsed")
        } catch {
            #expect(
                error.description
                    == "p.toml:3: key `criteria`: \"estimate_hold_error_s <= 1\" grades an estimate no trial asks for (set `estimate`: none, verdict, grams, hold, verdict+hold, grams+hold) (allowed: a list of \"metric >= number\" or \"metric <= number\"; metrics: in_band_pct, longest_hold_s, in_band_s, time_to_target_s, cv, sd_g, mae_g, rmse_g, overshoot_g, peak_g, mean_g, drift_g_per_s, score, balanced_pct, balanced_s, left_share_mean_pct, left_share_sd_pct, left_in_band_pct, right_in_band_pct, left_mean_g, right_mean_g, estimate_verdict_error, estimate_force_error_g, estimate_hold_error_s)")
        }
    }
}
