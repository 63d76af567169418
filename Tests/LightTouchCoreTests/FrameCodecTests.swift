import Foundation
import Testing

@testable import LightTouchCore

@Suite struct FrameCodecTests {
    @Test func crcCheckValue() {
        // The catalogue check value of CRC-32/ISO-HDLC.
        #expect(CRC32.checksum("123456789") == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func everyFrameVectorDecodesToItsExpectedValues() throws {
        let cases = try Vectors.cases("frames.json", key: "frames")
        #expect(cases.count >= 20)
        for vector in cases {
            let name = vector.string("name") ?? "?"
            let packet = Vectors.bytes(hex: vector.string("hex") ?? "")
            let expect = try #require(vector.object("expect"), "\(name)")
            let result = FrameCodec.decode(packet)
            if expect.string("result") == "ok" {
                guard case .success(let frame) = result else {
                    Issue.record("\(name): expected a frame, got \(result)")
                    continue
                }
                #expect(Int(frame.versionMajor) == expect.int("version_major"), "\(name)")
                #expect(Int(frame.versionMinor) == expect.int("version_minor"), "\(name)")
                #expect(Int(frame.sequence) == expect.int("sequence"), "\(name)")
                #expect(Int(frame.timestampMicros) == expect.int("timestamp_us"), "\(name)")
                #expect(frame.channels == expect.int("channels"), "\(name)")
                #expect(frame.samplesPerChannel == expect.int("samples_per_channel"), "\(name)")
                #expect(Int(frame.flags.rawValue) == expect.int("flags"), "\(name)")
                #expect(frame.flags.contains(.adcSaturated) == expect.bool("adc_saturated"), "\(name)")
                #expect(frame.flags.contains(.adcNotReady) == expect.bool("adc_not_ready"), "\(name)")
                #expect(frame.flags.contains(.fifoOverflow) == expect.bool("fifo_overflow"), "\(name)")
                #expect(Int(frame.saturatedMask) == expect.int("saturated_mask"), "\(name)")
                let counts = try #require(expect["counts"] as? [[NSNumber]], "\(name)")
                let decoded = (0..<frame.channels).map { frame.channel($0).map(Int.init) }
                #expect(decoded == counts.map { $0.map(\.intValue) }, "\(name)")
                // Encoding the decoded frame gives back the packet, byte for byte.
                #expect(FrameCodec.encode(frame) == packet, "\(name)")
            } else {
                let expected = try #require(expect.string("error").flatMap(FrameError.init(rawValue:)), "\(name)")
                #expect(result == .failure(expected), "\(name)")
            }
        }
    }

    @Test func theVectorsCoverEveryRejectionReason() throws {
        let errors = Set(try Vectors.cases("frames.json", key: "frames").compactMap { $0.object("expect")?.string("error") })
        #expect(errors == Set(FrameError.allCases.map(\.rawValue)))
    }

    @Test func encodeClampsToTheRailsAndFlagsSaturation() throws {
        let frame = Frame(sequence: 7, timestampMicros: 1000, channels: 2, samplesPerChannel: 2, counts: [9_000_000, 5, -3, -9_000_000])
        let bytes = try #require(FrameCodec.encode(frame))
        guard case .success(let decoded) = FrameCodec.decode(bytes) else {
            Issue.record("re-decoding failed")
            return
        }
        #expect(decoded.counts == [8_388_607, 5, -3, -8_388_608])
        #expect(decoded.flags == .adcSaturated)
        #expect(decoded.saturatedMask == 0b11)
        #expect(bytes.count == 20 + 3 * 4)
    }

    @Test func encodeRefusesFramesThatDoNotFit() {
        #expect(FrameCodec.encode(Frame(sequence: 0, timestampMicros: 0, channels: 4, samplesPerChannel: 4, counts: .init(repeating: 0, count: 16))) == nil)
        #expect(FrameCodec.encode(Frame(sequence: 0, timestampMicros: 0, channels: 0, samplesPerChannel: 1, counts: [])) == nil)
        #expect(FrameCodec.encode(Frame(sequence: 0, timestampMicros: 0, channels: 1, samplesPerChannel: 2, counts: [1])) == nil)
    }

    @Test func samplesPerFrameFollowTheReferenceRule() {
        #expect(SensorProtocol.referenceSamplesPerFrame(rate: 1000, channels: 1) == 10)
        #expect(SensorProtocol.referenceSamplesPerFrame(rate: 1000, channels: 2) == 7)
        #expect(SensorProtocol.referenceSamplesPerFrame(rate: 1000, channels: 4) == 3)
        #expect(SensorProtocol.referenceSamplesPerFrame(rate: 320, channels: 1) == 3)
        #expect(SensorProtocol.referenceSamplesPerFrame(rate: 80, channels: 3) == 1)
        #expect(SensorProtocol.referenceSamplesPerFrame(rate: 10, channels: 1) == 1)
    }
}
