import Testing

@testable import LightTouchCore

/// Hand-built traces whose metrics were worked out by hand from the README's
/// definitions (the working is in the comments).
@Suite struct TrialSegmenterTests {
    func run(_ forces: [Double], step: Double = 0.1, options: TrialOptions = TrialOptions()) -> [TrialMetrics] {
        var segmenter = TrialSegmenter(options: options)
        var trials: [TrialMetrics] = []
        for (index, force) in forces.enumerated() {
            if let trial = segmenter.push(time: Double(index) * step, force: force) { trials.append(trial) }
        }
        if let trial = segmenter.finish() { trials.append(trial) }
        return trials
    }

    func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-9) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= tolerance
    }

    /// t = 0.0 … 1.5 in 0.1 s steps; defaults: band 4…6 g, contact 0.5, release 0.5, grace 0.2.
    ///   0.0: 0 (no contact)   0.1: 2 (trial starts)   0.2: 5 (first in band)   0.3: 5
    ///   0.4: 7 (excursion 0.1 s < grace: bridged)     0.5: 5   0.6: 5
    ///   0.7: 8, 0.8: 8 (excursion 0.2 s, not < grace: breaks)   0.9: 5 (new run)
    ///   1.0 … 1.5: 0 (release run; at 1.5 it is 0.5 s long: the trial ends at 1.0)
    @Test func graceBridgesShortExcursionsOnly() throws {
        let trials = run([0, 2, 5, 5, 7, 5, 5, 8, 8, 5, 0, 0, 0, 0, 0, 0])
        #expect(trials.count == 1)
        let t = try #require(trials.first)
        #expect(close(t.startSeconds, 0.1) && close(t.endSeconds, 1.0) && close(t.durationSeconds, 0.9))
        #expect(t.samples == 9)
        #expect(close(t.timeToTargetSeconds, 0.1))
        // In band: 0.2, 0.3, 0.5, 0.6, 0.9, each 0.1 s: 0.5 s of 0.9 s.
        #expect(close(t.inBandSeconds, 0.5))
        #expect(close(t.inBandPercent, 100 * 0.5 / 0.9))
        // Run 0.2 → end of 0.6's interval (0.7) = 0.5 s; then 0.9 → 1.0 = 0.1 s.
        #expect(close(t.longestHoldSeconds, 0.5))
        // Hold phase 0.2…0.9: 5 5 7 5 5 8 8 5. Mean 6, deviations −1 −1 1 −1 −1 2 2 −1 (squares sum 14).
        #expect(close(t.meanGrams, 6))
        #expect(close(t.sdGrams, (14.0 / 7).squareRoot()))
        #expect(close(t.cv, (2.0).squareRoot() / 6))
        #expect(close(t.maeGrams, 1))  // |f − 5|: 0 0 2 0 0 3 3 0
        #expect(close(t.rmseGrams, (22.0 / 8).squareRoot()))
        // Slope: Σ(t − 0.55)(f − 6) = 0.9, Σ(t − 0.55)² = 0.42.
        #expect(close(t.driftGramsPerSecond, 0.9 / 0.42))
        #expect(t.peakGrams == 8 && t.overshootGrams == 2)
        // H 0.05, P 0.5556, A 0.5, S 1 − 0.2357/0.25: 100·(0.02 + 0.16667 + 0.075 + 0.00858) = 27.0
        #expect(t.score == 27.0)
    }

    /// 0.0: 5  0.1: 5  0.2–0.4: 0 (a 0.3 s release run: too short, it stays in the trial)  0.5: 5  0.6: 5 (stream ends)
    @Test func aShortReleaseStaysInTheTrialAndTheStreamEndCutsTheLastSample() throws {
        let trials = run([5, 5, 0, 0, 0, 5, 5])
        #expect(trials.count == 1)
        let t = try #require(trials.first)
        #expect(close(t.startSeconds, 0) && close(t.endSeconds, 0.6))
        #expect(t.samples == 7)
        #expect(close(t.timeToTargetSeconds, 0))
        // In band 0.0, 0.1, 0.5 (0.1 s each) and 0.6, the stream's last sample, which counts no time.
        #expect(close(t.inBandSeconds, 0.3))
        #expect(close(t.inBandPercent, 50))
        // 0.0 → 0.2 is 0.2 s; the 0.3 s gap breaks it; 0.5 → 0.6 is 0.1 s.
        #expect(close(t.longestHoldSeconds, 0.2))
        #expect(close(t.meanGrams, 20.0 / 7))
        #expect(close(t.maeGrams, 15.0 / 7))
        #expect(close(t.rmseGrams, (75.0 / 7).squareRoot()))
        #expect(close(t.sdGrams, (300.0 / 49 / 6 * 7).squareRoot()))
    }

    @Test func aLongerGraceBridgesTheGap() throws {
        var options = TrialOptions()
        options.grace = 0.35
        let t = try #require(run([5, 5, 0, 0, 0, 5, 5], options: options).first)
        #expect(close(t.longestHoldSeconds, 0.6))
    }

    @Test func graceZeroIsAPlainRun() throws {
        var options = TrialOptions()
        options.grace = 0
        let t = try #require(run([0, 5, 5, 7, 5, 5, 5, 0, 0, 0, 0, 0, 0], options: options).first)
        // 0.4 → end of 0.6 (0.7) = 0.3 s; 0.1 → 0.3 = 0.2 s.
        #expect(close(t.longestHoldSeconds, 0.3))
    }

    /// A release run that reaches the release length only at the next contact sample.
    @Test func aReleaseMeasuredToTheNextContactEndsTheTrial() {
        // 0.0: 5 | 0.1 … 0.5: 0 | 0.6: 5. At 0.5 the run is 0.4 s; it is 0.5 s when contact returns at 0.6.
        let trials = run([5, 0, 0, 0, 0, 0, 5, 5])
        #expect(trials.count == 2)
        #expect(close(trials[0].endSeconds, 0.1) && trials[0].samples == 1 && close(trials[0].inBandSeconds, 0.1))
        #expect(close(trials[1].startSeconds, 0.6) && close(trials[1].endSeconds, 0.7) && trials[1].samples == 2)
        #expect(trials.map(\.trial) == [1, 2])
    }

    @Test func aReleaseAtTheStreamEndIsMeasuredToTheLastSample() {
        // Release run 0.2 → 0.4 (0.2 s): too short with release 0.5, long enough with release 0.2.
        let long = run([5, 5, 0, 0, 0])
        #expect(long.count == 1 && close(long[0].endSeconds, 0.4) && long[0].samples == 5)
        var options = TrialOptions()
        options.release = 0.2
        let short = run([5, 5, 0, 0, 0], options: options)
        #expect(short.count == 1 && close(short[0].endSeconds, 0.2) && short[0].samples == 2)
    }

    @Test func aTrialThatNeverReachesTheBand() throws {
        let t = try #require(run([0, 2, 3, 2, 0, 0, 0, 0, 0, 0]).first)
        #expect(t.timeToTargetSeconds == nil && t.meanGrams == nil && t.sdGrams == nil && t.driftGramsPerSecond == nil)
        #expect(t.inBandSeconds == 0 && t.longestHoldSeconds == 0)
        #expect(t.peakGrams == 3 && t.overshootGrams == 0)
        #expect(t.score == 0)
    }

    @Test func noContactNoTrial() {
        #expect(run([0, 0.2, 0.4, 0.1]).isEmpty)
    }

    @Test func aPerfectHoldScores100() throws {
        var options = TrialOptions()
        options.holdGoal = 1
        let t = try #require(run(Array(repeating: 5, count: 21), options: options).first)
        // 2 s at exactly 5 g: hold ≥ goal, 100 % in band, no error, no variation.
        #expect(t.score == 100)
        #expect(close(t.longestHoldSeconds, 2.0))
    }
}

@Suite struct TrialScoreTests {
    /// The score never rises when hold time, time in band, accuracy or steadiness get worse.
    @Test func neverRisesWhenAnythingGetsWorse() {
        let options = TrialOptions()
        var random = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let hold = Double.random(in: 0...15, using: &random)
            let pct = Double.random(in: 0...100, using: &random)
            let mae = Double.random(in: 0...3, using: &random)
            let cv = Double.random(in: 0...0.5, using: &random)
            let base = TrialScore.score(longestHold: hold, inBandPercent: pct, mae: mae, cv: cv, options: options)
            let worse = [
                TrialScore.score(longestHold: hold * 0.9, inBandPercent: pct, mae: mae, cv: cv, options: options),
                TrialScore.score(longestHold: hold, inBandPercent: pct * 0.9, mae: mae, cv: cv, options: options),
                TrialScore.score(longestHold: hold, inBandPercent: pct, mae: mae + 0.1, cv: cv, options: options),
                TrialScore.score(longestHold: hold, inBandPercent: pct, mae: mae, cv: cv + 0.01, options: options),
                TrialScore.score(longestHold: hold, inBandPercent: pct, mae: nil, cv: nil, options: options),
            ]
            #expect(worse.allSatisfy { $0 <= base })
            #expect((0...100).contains(base))
        }
    }
}

/// Two hands found by the pair's touch and release (a replay of a two-hand
/// CSV): each hand is scored alone and the balance over the trial, worked
/// out by hand below.
@Suite struct TwoHandTrialSegmenterTests {
    /// Each (left, right) pair at 0.1 s steps, balance 50 % ± 5; the trials found, the stream ended.
    func run(_ pairs: [(Double, Double)]) -> [TrialMetrics] {
        var segmenter = TrialSegmenter(options: TrialOptions(), balance: BalanceSettings())
        var trials: [TrialMetrics] = []
        for (index, pair) in pairs.enumerated() {
            if let trial = segmenter.push(time: Double(index) / 10, hands: HandForces(left: pair.0, right: pair.1)) {
                trials.append(trial)
            }
        }
        if let trial = segmenter.finish() { trials.append(trial) }
        return trials
    }

    func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-9) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= tolerance
    }

    /// t = 0.0 … 1.5 in 0.1 s steps; band 4…6 g, contact 0.5, release 0.5; balance 50 % ± 5.
    ///   0.0: (0, 0)   0.1 … 0.5: (5, 5)   0.6 … 0.9: (4.5, 5.5)   1.0 … 1.5: (0, 0)
    /// The pair's mean touches at 0.1 and the release run from 1.0 is 0.5 s at 1.5:
    /// one trial, 0.1 → 1.0, nine samples of 0.1 s each.
    /// - Left: 5 ×5 then 4.5 ×4, all in band: 0.9 s; mean (25 + 18) / 9 = 4.777…
    /// - Right: 5 ×5 then 5.5 ×4, all in band; mean (25 + 22) / 9 = 5.222…
    /// - Share: 50 % ×5, then 4.5 / 10 = 45 % ×4 (on the band's edge: balanced).
    ///   Mean (250 + 180) / 9 = 47.777…; balanced 0.9 s of a 0.9 s phase.
    /// - The pair: both in band and balanced throughout, so 0.9 s in band.
    @Test func eachHandAndTheBalanceAreScoredInTheTrialsTheTouchFinds() throws {
        let trials = run([(0, 0)] + Array(repeating: (5, 5), count: 5) + Array(repeating: (4.5, 5.5), count: 4)
            + Array(repeating: (0, 0), count: 6))
        #expect(trials.count == 1)
        let trial = try #require(trials.first)
        #expect(close(trial.startSeconds, 0.1) && close(trial.endSeconds, 1.0) && trial.samples == 9)
        #expect(close(trial.inBandSeconds, 0.9))
        #expect(close(trial.meanGrams, 5))
        let hands = try #require(trial.hands)
        #expect(close(hands.left.meanGrams, 43.0 / 9) && close(hands.left.inBandSeconds, 0.9))
        #expect(close(hands.right.meanGrams, 47.0 / 9) && close(hands.right.inBandSeconds, 0.9))
        #expect(close(hands.balance.meanLeftSharePercent, 430.0 / 9))
        #expect(close(hands.balance.balancedSeconds, 0.9) && close(hands.balance.phaseSeconds, 0.9))
        #expect(close(hands.balance.balancedPercent, 100))
    }

    /// The right hand too heavy from 0.6 on (6.5 g): the pair leaves the band
    /// there though its mean, (4.5 + 6.5) / 2 = 5.5, is in it.
    ///   0.1 … 0.5: (5, 5)   0.6 … 0.9: (4.5, 6.5)   then released.
    /// - Pair in band 0.1 … 0.6 only: 0.5 s. Right in band 0.5 s, left 0.9 s.
    /// - Share from 0.6: 4.5 / 11 = 40.9 %, out of 45–55: balanced 0.5 of 0.9 s.
    @Test func oneHandOutOfTheBandTakesThePairOut() throws {
        let trials = run([(0, 0)] + Array(repeating: (5, 5), count: 5) + Array(repeating: (4.5, 6.5), count: 4)
            + Array(repeating: (0, 0), count: 6))
        #expect(trials.count == 1)
        let trial = try #require(trials.first)
        #expect(close(trial.inBandSeconds, 0.5))
        let hands = try #require(trial.hands)
        #expect(close(hands.left.inBandSeconds, 0.9) && close(hands.right.inBandSeconds, 0.5))
        #expect(close(hands.right.peakGrams, 6.5))
        #expect(close(hands.balance.balancedSeconds, 0.5) && close(hands.balance.balancedPercent, 100 * 0.5 / 0.9))
        let share: Double = (5 * 50 + 4 * 450 / 11) / 9
        #expect(close(hands.balance.meanLeftSharePercent, share))
    }
}
