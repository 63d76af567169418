import Testing

@testable import LightTouchCore

/// Two hands: each hand against the band, the balance, and a hold that
/// counts only while both hands are in band and balanced. Every expected
/// value is worked out by hand in the comments (docs/scoring.md, "Two hands").
@Suite struct TwoHandsTests {
    static let balance = BalanceSettings()  // 50 % ± 5

    @Test func theLeftShareNeedsBothHandsOnAndItsBandIncludesItsEdges() {
        #expect(HandForces(left: 5, right: 5).leftShare(contact: 0.5) == 50)
        #expect(HandForces(left: 3, right: 1).leftShare(contact: 0.5) == 75)
        // One hand off the sensor: no share to speak of.
        #expect(HandForces(left: 5, right: 0.4).leftShare(contact: 0.5) == nil)
        #expect(Self.balance.isBalanced(share: 45))
        #expect(Self.balance.isBalanced(share: 55))
        #expect(!Self.balance.isBalanced(share: 44.99))
        #expect(!Self.balance.isBalanced(share: 55.01))
        #expect(!Self.balance.isBalanced(share: nil))
        let options = TrialOptions()
        #expect(options.isInBand(HandForces(left: 5, right: 5.5), balance: Self.balance))
        // Each hand in the band, but 4 : 6 is a 40 % left share.
        #expect(!options.isInBand(HandForces(left: 4, right: 6), balance: Self.balance))
        // Balanced, but the right hand is over the band.
        #expect(!options.isInBand(HandForces(left: 6.2, right: 6.2), balance: Self.balance))
    }

    @Test func aBalanceBandMustStayInsideZeroToAHundred() {
        #expect(throws: TrialOptions.Invalid.self) { try BalanceSettings(target: 50, tolerance: 0).validate() }
        #expect(throws: TrialOptions.Invalid.self) { try BalanceSettings(target: 100, tolerance: 5).validate() }
        #expect(throws: TrialOptions.Invalid.self) { try BalanceSettings(target: 60, tolerance: 40).validate() }
        #expect(throws: Never.self) { try BalanceSettings(target: 60, tolerance: 10).validate() }
    }

    /// Five samples a second apart (each stands for 1 s), trial from 0 to 5 s:
    ///
    ///     t   L  R   pair mean  each in band  left share   balanced  pair in band
    ///     0   2  2   2          no, no        50           (before the balance phase)
    ///     1   5  5   5          yes, yes      50           yes       yes
    ///     2   5  6   5.5        yes, yes      500/11≈45.45 yes       yes
    ///     3   4  6   5          yes, yes      40           no        no
    ///     4   5  5   5          yes, yes      50           yes       yes
    @Test func aTwoHandTrialsMetricsByHand() throws {
        var trial = TrialAccumulator(options: TrialOptions(), trial: 1, startSeconds: 0, balance: Self.balance)
        let hands: [(Double, Double)] = [(2, 2), (5, 5), (5, 6), (4, 6), (5, 5)]
        for (t, pair) in hands.enumerated() {
            trial.add(time: Double(t), hands: HandForces(left: pair.0, right: pair.1), interval: 1)
        }
        let m = trial.metrics(endSeconds: 5)
        // The pair: in band at 1, 2 and 4 s: 3 s of 5 (60 %); the hold runs 1–3 s
        // (2 s), the 1 s excursion at 3 s is longer than the 0.2 s grace.
        #expect(m.inBandSeconds == 3)
        #expect(m.inBandPercent == 60)
        #expect(m.longestHoldSeconds == 2)
        #expect(m.timeToTargetSeconds == 1)
        // Hold phase from 1 s: the pair's means 5, 5.5, 5, 5.
        #expect(m.meanGrams == 5.125)
        #expect(m.maeGrams == 0.125)  // |0| + |0.5| + 0 + 0, over 4
        #expect(TrialMetrics.rounded(m.sdGrams ?? 0) == 0.25)  // squares 3 × 0.015625 + 0.140625 = 0.1875, over 3, root
        #expect(m.peakGrams == 5.5)
        // 100 × (0.4 × 2/10 + 0.3 × 0.6 + 0.15 × (1 − 0.125/2) + 0.15 × (1 − (0.25/5.125)/0.25)) = 52.136
        #expect(m.score == 52.1)

        let hm = try #require(m.hands)
        // Left alone: 2, 5, 5, 4, 5: in band from 1 s on (4 g is the band's edge).
        #expect(hm.left.inBandSeconds == 4)
        #expect(hm.left.longestHoldSeconds == 4)
        #expect(hm.left.meanGrams == 4.75)
        #expect(hm.left.maeGrams == 0.25)
        // Right alone: 2, 5, 6, 6, 5.
        #expect(hm.right.inBandSeconds == 4)
        #expect(hm.right.meanGrams == 5.5)
        #expect(hm.right.maeGrams == 0.5)
        #expect(hm.right.peakGrams == 6)
        #expect(hm.right.overshootGrams == 0)
        // Balance phase from 1 s (both hands in band): 4 s, balanced at 1, 2 and 4 s.
        #expect(hm.balance.phaseSeconds == 4)
        #expect(hm.balance.balancedSeconds == 3)
        #expect(hm.balance.balancedPercent == 75)
        // Shares 50, 500/11, 40, 50: mean 510/11; deviations 40/11, −10/11, −70/11, 40/11;
        // squares (1600 + 100 + 4900 + 1600)/121 = 8200/121, over 3.
        let mean = try #require(hm.balance.meanLeftSharePercent)
        let sd = try #require(hm.balance.sdLeftSharePercent)
        #expect(abs(mean - 510.0 / 11) < 1e-12)
        #expect(abs(sd - (8200.0 / 363).squareRoot()) < 1e-12)
        #expect(TrialMetrics.rounded(mean) == 46.363636)
        #expect(TrialMetrics.rounded(sd) == 4.752845)  // √22.589532
    }

    /// The trial's JSON carries the hands after the pair's keys; a one-hand
    /// trial's JSON has no `hands` at all (old results stay byte-identical).
    @Test func onlyATwoHandTrialsJSONHasHands() {
        var one = TrialAccumulator(options: TrialOptions(), trial: 1, startSeconds: 0)
        one.add(time: 0, force: 5, interval: 1)
        #expect(one.metrics(endSeconds: 1).json.serialized().contains("hands") == false)
        var two = TrialAccumulator(options: TrialOptions(), trial: 1, startSeconds: 0, balance: Self.balance)
        two.add(time: 0, hands: HandForces(left: 5, right: 5), interval: 1)
        let json = two.metrics(endSeconds: 1).json.serialized()
        #expect(json.hasSuffix(
            #""balanced_s":1,"balanced_pct":100,"balance_phase_s":1}}"#))
        #expect(json.contains(#""hands":{"left":{"trial":1,"#))
        #expect(json.contains(#""left_share_mean_pct":50,"left_share_sd_pct":null,"#))
    }

    /// The pipeline filters each hand alone; the scored force is their mean.
    @Test func thePipelineScoresEachHandAndTheirMean() throws {
        var configuration = PipelineConfiguration(sampleRate: 100, balance: Self.balance)
        configuration.filter.kind = .none
        var pipeline = try ForcePipeline(configuration: configuration, segmentsTrials: false)
        let sample = pipeline.process(time: 0, left: 4.5, right: 5.5)
        #expect(sample.hands == HandForces(left: 4.5, right: 5.5))
        #expect(sample.filtered == 5)
        #expect(sample.inBand)  // 45 % left: on the balance band's edge
        #expect(!pipeline.process(time: 0.01, left: 4.4, right: 5.6).inBand)  // 44 % left
        #expect(configuration.jsonMembers.suffix(3).map(\.0) == ["hands", "balance_target_pct", "balance_tolerance_pct"])
        #expect(PipelineConfiguration(sampleRate: 100).jsonMembers.contains { $0.0 == "hands" } == false)
    }

    /// Each hand is zeroed on its own channel; a replay applies the recorded
    /// offsets, read back from the event's detail to the same bits.
    @Test func aTwoHandTareZeroesEachChannelAndReadsBackExactly() throws {
        let info = SensorInfo(
            firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, channels: 2, capabilities: [], sampleRate: 100,
            supportedRates: [100], nominalOffset: 50_000, nominalCountsPerGram: 1000, samplesPerFrame: 4, adcModel: "TEST",
            serial: "LT-TEST-0002")
        var configuration = PipelineConfiguration(sampleRate: 100, balance: Self.balance)
        configuration.filter.kind = .none
        var scorer = try SampleScorer(
            configuration: configuration, conversion: .nominal(info), tare: TareSettings(), segmentsTrials: false)
        // At rest the left reads 0.25 g, the right 0.5 g; then 5.25 and 6.5 g: 5 and 6 g after the tare.
        var outcome: SampleScorer.TareOutcome?
        var hands: HandForces?
        var last: ProcessedSample?
        for k in 0..<60 {
            let (l, r) = k < 55 ? (250, 500) : (5_250, 6_500)
            let block = SampleBlock(
                sequence: UInt32(k), timestampMicros: Int64(k) * 10_000, periodMicros: 10_000, channels: 2, samplesPerChannel: 1,
                saturatedMask: 0, counts: [50_000 + Int32(l), 50_000 + Int32(r)])
            if case .scored(let sample, _) = scorer.score(block, sample: 0) { last = sample }
            if let taken = scorer.takeTareOutcome() {
                outcome = taken
                hands = scorer.takeHandsTareOutcome()
            }
        }
        // The window is full at 0.5 s, its 51st sample.
        #expect(outcome == .zeroed(time: 0.5, offset: 0.75))
        #expect(hands == HandForces(left: 0.25, right: 0.5))
        #expect(last?.hands == HandForces(left: 5, right: 6))
        let detail = SampleScorer.RecordedTare.detail(hands: HandForces(left: 0.1 + 0.2, right: 1.0 / 3))
        #expect(detail == "hands 0.30000000000000004 0.3333333333333333")
        #expect(SampleScorer.RecordedTare.hands(detail: detail) == HandForces(left: 0.1 + 0.2, right: 1.0 / 3))
        #expect(SampleScorer.RecordedTare.hands(detail: "hands 1 x") == nil)
        #expect(SampleScorer.RecordedTare.hands(detail: nil) == nil)
    }

    /// Calibration is per channel: each hand's grams come through its own
    /// channel's equation (here 1000 counts/g from 50,000 on the left, 2000
    /// counts/g from 60,000 on the right), so unequal cells read the same grams.
    @Test func eachHandUsesItsOwnChannelsCalibration() throws {
        let conversion = ForceConversion(
            channels: [CalibrationPolynomial(offset: 50_000, countsPerGram: 1000), CalibrationPolynomial(offset: 60_000, countsPerGram: 2000)],
            isCalibrated: true)
        #expect(conversion.coversTwoHands)
        #expect(!ForceConversion(channels: [CalibrationPolynomial(offset: 0, countsPerGram: 1)], isCalibrated: true).coversTwoHands)
        var configuration = PipelineConfiguration(sampleRate: 100, balance: Self.balance)
        configuration.filter.kind = .none
        var scorer = try SampleScorer(configuration: configuration, conversion: conversion, tare: TareSettings(), segmentsTrials: false)
        var last: ProcessedSample?
        for k in 0..<60 {
            let counts: [Int32] = k < 55 ? [50_000, 60_000] : [55_000, 70_000]  // 0 g each, then 5 g each
            let block = SampleBlock(
                sequence: UInt32(k), timestampMicros: Int64(k) * 10_000, periodMicros: 10_000, channels: 2, samplesPerChannel: 1,
                saturatedMask: 0, counts: counts)
            if case .scored(let sample, let untared) = scorer.score(block, sample: 0) {
                last = sample
                if k >= 55 { #expect(untared == 10) }
            }
        }
        #expect(last?.hands == HandForces(left: 5, right: 5))
        #expect(last?.hands?.leftShare(contact: 0.5) == 50)
    }

    /// A block without the right hand's channel (a damaged recording) is not
    /// scored as a two-hand sample: it is rejected and counted, never a trap.
    @Test func aBlockWithoutBothChannelsIsRejected() throws {
        let info = SensorInfo(
            firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, channels: 2, capabilities: [], sampleRate: 100,
            supportedRates: [100], nominalOffset: 50_000, nominalCountsPerGram: 1000, samplesPerFrame: 4, adcModel: "TEST",
            serial: "LT-TEST-0002")
        var scorer = try SampleScorer(
            configuration: PipelineConfiguration(sampleRate: 100, balance: Self.balance), conversion: .nominal(info),
            recordedTares: [], segmentsTrials: false)
        let block = SampleBlock(
            sequence: 0, timestampMicros: 0, periodMicros: 10_000, channels: 1, samplesPerChannel: 1, saturatedMask: 0, counts: [50_000])
        guard case .overRange = scorer.score(block, sample: 0) else {
            Issue.record("a one-channel block was scored as two hands")
            return
        }
        #expect(scorer.rejectedSamples == 1)
    }
}
