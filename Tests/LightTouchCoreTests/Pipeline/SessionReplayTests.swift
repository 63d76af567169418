import Testing

@testable import LightTouchCore

@Suite struct SessionReplayTests {
    static func session(blocks: [RecordedBlock], events: [RecordedEvent], conversion: ForceConversion) -> RecordedSession {
        RecordedSession(
            summary: SessionSummaryRow(
                id: 1, kind: "practice", startedAt: "", status: .complete, recordedSeconds: 0, samples: 0, sensorSerial: "x"),
            sensorInfoJSON: "{}", conversion: conversion,
            configuration: PipelineConfiguration(trial: TrialOptions(), filter: FilterSettings(kind: .none), sampleRate: 100),
            lostFrames: nil, rejectedSamples: nil, blocks: blocks, events: events)
    }

    /// The live scorer measures its tares; the replay applies the recorded
    /// ones. Fed the same blocks, with the live tares recorded, both give the
    /// same samples bit for bit, over range and before the first tare included.
    @Test func liveAndReplayedScorersAgreeBitForBit() throws {
        let conversion = ForceConversion(
            channels: [CalibrationPolynomial(coefficients: [120_000, 4000, 3.5, -0.01]), CalibrationPolynomial(offset: 5, countsPerGram: 2000)],
            isCalibrated: true)
        let configuration = PipelineConfiguration(trial: TrialOptions(), filter: .default, sampleRate: 100)
        var tracker = StreamTracker(rate: 100, firstSequence: 0)
        var blocks: [SampleBlock] = []
        for index in 0..<60 {
            // At rest for 0.8 s, then a press of about 5 g with a wobble; one block over range.
            let grams = index < 20 ? 0.01 * Double(index % 3) : 5 + 0.3 * Double(index % 5)
            var counts: [Int32] = []
            for k in 0..<2 {
                let wobble: Double = (grams + 0.001 * Double(k)) * 4000
                counts.append(Int32(120_000 + Int(wobble)))
            }
            counts += [5, 6]
            let frame = Frame(sequence: UInt32(index), timestampMicros: UInt32(index * 20_000), channels: 2, samplesPerChannel: 2, counts: counts)
            var block = try #require(FrameCodec.encode(frame).flatMap { tracker.ingest($0) })
            if index == 40 { block.saturatedMask = 1 }
            blocks.append(block)
        }
        var live = try SampleScorer(configuration: configuration, conversion: conversion, tare: TareSettings())
        _ = live.isTaring
        var liveSteps: [String] = []
        var tares: [SampleScorer.RecordedTare] = []
        for (index, block) in blocks.enumerated() {
            if index == 30 { live.requestTare() }  // a re-tare under the press: refused
            for k in 0..<block.samplesPerChannel {
                liveSteps.append(Self.describe(live.score(block, sample: k)))
                switch live.takeTareOutcome() {
                case .zeroed(let time, let offset): tares.append(.init(time: time, offset: offset))
                case .refused(let time, _): tares.append(.init(time: time, offset: nil))
                case nil: break
                }
            }
        }
        #expect(tares.count == 2)
        #expect(tares.last?.offset == nil)
        var replayed = try SampleScorer(configuration: configuration, conversion: conversion, recordedTares: tares)
        var replaySteps: [String] = []
        for block in blocks {
            for k in 0..<block.samplesPerChannel { replaySteps.append(Self.describe(replayed.score(block, sample: k))) }
        }
        #expect(replaySteps == liveSteps)
        #expect(replayed.rejectedSamples == 2)
        #expect(liveSteps.filter { $0.hasPrefix("unscored") }.count > 0)
    }

    static func describe(_ step: SampleScorer.Step) -> String {
        switch step {
        case .overRange(let time): "over \(time.bitPattern)"
        case .unscored(let time, let untared): "unscored \(time.bitPattern) \(untared.bitPattern)"
        case .scored(let sample, let untared):
            "scored \(sample.time.bitPattern) \(sample.raw.bitPattern) \(sample.filtered.bitPattern) \(sample.inBand) \(untared.bitPattern)"
        }
    }

    /// Nothing is scored before the first tare; from a tare's sample on its
    /// offset is subtracted; over-range samples are skipped and counted.
    @Test func tareAndOverRangeFollowTheLivePipeline() throws {
        let line = CalibrationPolynomial(offset: 0, countsPerGram: 1)
        let conversion = ForceConversion(channels: [line], isCalibrated: true)
        // 100 Hz: samples every 10 ms; counts are grams here.
        let blocks = [
            RecordedBlock(sequence: 0, timestampMicros: 500, periodMicros: 10_000, channels: 1, samplesPerChannel: 4, saturatedMask: 0, counts: [1, 1, 1, 1]),
            RecordedBlock(sequence: 1, timestampMicros: 40_500, periodMicros: 10_000, channels: 1, samplesPerChannel: 2, saturatedMask: 1, counts: [9, 9]),
            RecordedBlock(sequence: 2, timestampMicros: 60_500, periodMicros: 10_000, channels: 1, samplesPerChannel: 4, saturatedMask: 0, counts: [6, 6, 7, 7]),
        ]
        let events = [
            RecordedEvent(kind: .tare, blockIndex: 1, time: 0.02, value: 1),
            RecordedEvent(kind: .tareRefused, blockIndex: 3, time: 0.07, detail: "moving"),
            RecordedEvent(kind: .tare, blockIndex: 3, time: 0.08, value: 2),
        ]
        var seen: [(Double, Double?)] = []
        let replay = SessionReplay(Self.session(blocks: blocks, events: events, conversion: conversion))
        let (pipeline, overRange) = try replay.run { sample in seen.append((sample.time, sample.processed?.raw)) }
        #expect(overRange == 2)
        #expect(pipeline.samples == 6)
        let expected: [(Double, Double?)] = [
            (0, nil), (0.01, nil), (0.02, 0), (0.03, 0), (0.04, nil), (0.05, nil), (0.06, 5), (0.07, 5), (0.08, 5), (0.09, 5),
        ]
        #expect(seen.count == expected.count)
        for (got, want) in zip(seen, expected) {
            #expect(abs(got.0 - want.0) < 1e-12)
            #expect(got.1 == want.1)
        }
        #expect(replay.summary(of: pipeline, overRange: overRange).rejectedSamples == 2)
    }

    @Test func aDrillSurvivesItsRecordingExactly() throws {
        var drill = Drill.ladder.overriding(target: 5.3, tolerance: 0.7, holdGoal: 7.1)
        drill.trials[1].feedback = .selfPaced
        drill.trials[2].options.grace = 0.15
        #expect(try DrillCoding.drill(DrillCoding.json(drill)) == drill)
        #expect(throws: DrillCoding.DecodeError.self) { try DrillCoding.drill("{\"version\":2}") }
    }
}
