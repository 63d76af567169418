import Foundation
import LightTouchCore
import Testing

@testable import LightTouchStore

@Suite struct SessionReplayTests {
    static func session(blocks: [RecordedBlock], events: [RecordedEvent], conversion: ForceConversion) -> RecordedSession {
        RecordedSession(
            summary: SessionSummaryRow(
                id: 1, kind: "practice", startedAt: "", status: .complete, recordedSeconds: 0, samples: 0, sensorSerial: "x"),
            sensorInfoJSON: "{}", conversion: conversion,
            configuration: PipelineConfiguration(trial: TrialOptions(), filter: FilterSettings(kind: .none), sampleRate: 100),
            lostFrames: nil, rejectedSamples: nil, blocks: blocks, events: events)
    }

    @Test func gramsAreBitForBitTheLiveConversions() throws {
        let conversion = ForceConversion(
            channels: [CalibrationPolynomial(coefficients: [120_000, 4000, 3.5, -0.01]), CalibrationPolynomial(offset: 5, countsPerGram: 2000)],
            isCalibrated: true)
        var tracker = StreamTracker(rate: 100, firstSequence: 0)
        let counts: [Int32] = [120_000, 140_123, 161_777, 99_000, 5, 20_005, 9_999, -4000]
        let frame = Frame(sequence: 0, timestampMicros: 0, channels: 2, samplesPerChannel: 4, counts: counts)
        let block = try #require(FrameCodec.encode(frame).flatMap { tracker.ingest($0) })
        let recorded = RecordedBlock(block)
        for k in 0..<4 {
            #expect(SessionReplay.grams(conversion, recorded, sample: k).bitPattern == conversion.grams(block, sample: k).bitPattern)
            #expect(recorded.timeMicros(ofSample: k) == block.timeMicros(ofSample: k))
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
