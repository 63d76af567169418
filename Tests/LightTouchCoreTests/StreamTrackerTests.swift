import Foundation
import Testing

@testable import LightTouchCore

@Suite struct StreamTrackerTests {
    @Test func everyStreamVectorIsCountedAsExpected() throws {
        let streams = try Vectors.cases("streams.json", key: "streams")
        #expect(streams.count >= 8)
        for stream in streams {
            let name = stream.string("name") ?? "?"
            let rate = try #require(stream.int("rate_hz"), "\(name)")
            let packets = try #require(stream["packets"] as? [String], "\(name)")
            let expect = try #require(stream.object("expect"), "\(name)")
            var tracker = StreamTracker(rate: rate)
            var timestamps: [Int] = []
            for hex in packets {
                let framesBefore = tracker.statistics.frames
                let errorsBefore = tracker.statistics.timestampErrors
                _ = tracker.ingest(Vectors.bytes(hex: hex))
                // Record the unwrapped time of each valid frame that has one.
                if tracker.statistics.frames > framesBefore, tracker.statistics.timestampErrors == errorsBefore,
                    let now = tracker.lastTimestampMicros
                {
                    timestamps.append(Int(now))
                }
            }
            tracker.finish(nextSequence: stream.int("next_sequence").map { UInt32(truncatingIfNeeded: $0) })
            let s = tracker.statistics
            #expect(s.frames == expect.int("frames"), "\(name) frames")
            #expect(s.samples == expect.int("samples"), "\(name) samples")
            #expect(s.lostFrames == expect.int("lost_frames"), "\(name) lost_frames")
            #expect(s.crcErrors == expect.int("crc_errors"), "\(name) crc_errors")
            #expect(s.malformed == expect.int("malformed"), "\(name) malformed")
            #expect(s.versionErrors == expect.int("version_errors"), "\(name) version_errors")
            #expect(s.overflowFlags == expect.int("overflow_flags"), "\(name) overflow_flags")
            #expect(s.notReadyFrames == expect.int("not_ready_frames"), "\(name) not_ready_frames")
            #expect(s.saturatedFrames == expect.int("saturated_frames"), "\(name) saturated_frames")
            #expect(s.streamRestarts == expect.int("stream_restarts"), "\(name) stream_restarts")
            #expect(s.timestampErrors == expect.int("timestamp_errors"), "\(name) timestamp_errors")
            let expectedTimestamps = (expect["timestamps_us"] as? [NSNumber])?.map(\.intValue)
            #expect(timestamps == expectedTimestamps, "\(name) timestamps_us")
        }
    }

    /// Builds a valid packet.
    private func packet(sequence: UInt32, timestamp: UInt32, counts: [Int32] = [1, 2], flags: FrameFlags = []) -> [UInt8] {
        FrameCodec.encode(
            Frame(sequence: sequence, timestampMicros: timestamp, channels: 1, samplesPerChannel: counts.count, flags: flags, counts: counts)) ?? []
    }

    @Test func sampleTimesComeFromTheDeviceClock() throws {
        var tracker = StreamTracker(rate: 320)
        let first = tracker.ingest(packet(sequence: 0, timestamp: 4_294_967_000, counts: [1, 2, 3]))
        let block = try #require(first)
        // 320 Hz: a period of exactly 3125 µs.
        #expect(block.timeMicros(ofSample: 2) == 4_294_967_000 + 6_250)
        let second = tracker.ingest(packet(sequence: 1, timestamp: 9_079, counts: [4, 5, 6]))
        let next = try #require(second)
        // The clock wrapped: (2³² − 4294967000) + 9079 = 296 + 9079 = 9375 µs later.
        #expect(next.timestampMicros == 4_294_967_000 + 9_375)
    }

    @Test func aDamagedFrameIsNeverTurnedIntoSamples() {
        var tracker = StreamTracker(rate: 1000)
        var damaged = packet(sequence: 0, timestamp: 0)
        damaged[17] ^= 0x10
        #expect(tracker.ingest(damaged) == nil)
        #expect(tracker.statistics.samples == 0)
        #expect(tracker.statistics.crcErrors == 1)
        #expect(tracker.statistics.frames == 0)
    }

    @Test func aReturningSensorContinuesTheTimelineAfterTheGapTheHostSaw() throws {
        var tracker = StreamTracker(rate: 1000, firstSequence: 0)
        _ = tracker.ingest(packet(sequence: 0, timestamp: 5_000_000))
        _ = tracker.ingest(packet(sequence: 1, timestamp: 5_002_000))
        tracker.noteDisconnect()
        tracker.noteReconnect(gapMicros: 1_500_000)
        // Power-cycled: sequence 0 again, the clock started again near 0.
        let first = tracker.ingest(packet(sequence: 0, timestamp: 800))
        let block = try #require(first)
        #expect(block.timestampMicros == 5_002_000 + 1_500_000)
        let second = tracker.ingest(packet(sequence: 1, timestamp: 2_800))
        let secondTime: Int64 = try #require(second).timestampMicros
        #expect(secondTime == 6_504_000)
        #expect(tracker.statistics.streamRestarts == 1)
        #expect(tracker.statistics.timestampErrors == 0)
        // A late reconnect note (after the new stream began) changes nothing.
        tracker.noteReconnect(gapMicros: 9_000_000)
        let third = tracker.ingest(packet(sequence: 2, timestamp: 4_800))
        let thirdTime: Int64 = try #require(third).timestampMicros
        #expect(thirdTime == 6_506_000)
    }

    @Test func framesLostBeforeTheFirstValidOneCountWhenTheStartIsKnown() {
        var started = StreamTracker(rate: 1000, firstSequence: 0)
        _ = started.ingest(packet(sequence: 3, timestamp: 0))
        #expect(started.statistics.lostFrames == 3)
        var joined = StreamTracker(rate: 1000)
        _ = joined.ingest(packet(sequence: 3, timestamp: 0))
        #expect(joined.statistics.lostFrames == 0)
    }

    @Test func lostFramesAreTheGapLessThePacketsThatArrivedDamaged() {
        var tracker = StreamTracker(rate: 1000)
        _ = tracker.ingest(packet(sequence: 10, timestamp: 0))
        var damaged = packet(sequence: 11, timestamp: 2000)
        damaged[5] ^= 1
        _ = tracker.ingest(damaged)  // seq 11 arrives damaged
        // 12 and 13 never arrive.
        _ = tracker.ingest(packet(sequence: 14, timestamp: 8000))
        #expect(tracker.statistics.lostFrames == 2)
        #expect(tracker.statistics.crcErrors == 1)
        // 15 and 16 were built but never arrived before the stream stopped.
        tracker.finish(nextSequence: 17)
        #expect(tracker.statistics.lostFrames == 4)
    }
}
