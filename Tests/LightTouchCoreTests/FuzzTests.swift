import Testing

@testable import LightTouchCore

/// Throws millions of random and mutated packets at the decoder. It must never
/// trap, and it may accept only what re-encodes to exactly the same bytes.
@Suite struct FuzzTests {
    /// A small deterministic generator (SplitMix64), so a failure replays.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func validPacket(_ random: inout Generator) -> [UInt8] {
        let channels = Int.random(in: 1...4, using: &random)
        let samples = Int.random(in: 1...(14 / channels), using: &random)
        let counts = (0..<(channels * samples)).map { _ in Int32.random(in: -8_388_608...8_388_607, using: &random) }
        let frame = Frame(
            sequence: UInt32.random(in: .min ... .max, using: &random), timestampMicros: UInt32.random(in: .min ... .max, using: &random),
            channels: channels, samplesPerChannel: samples, flags: FrameFlags(rawValue: UInt8.random(in: 0...7, using: &random)),
            counts: counts)
        return FrameCodec.encode(frame) ?? []
    }

    static func fixCRC(_ packet: inout [UInt8]) {
        guard packet.count >= 4 else { return }
        let crc = CRC32.checksum(packet.prefix(packet.count - 4))
        for index in 0..<4 { packet[packet.count - 4 + index] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * index)) }
    }

    /// Decodes and, when it accepts, checks the frame re-encodes to the same bytes.
    static func check(_ packet: [UInt8]) -> Bool {
        if case .success(let frame) = FrameCodec.decode(packet) {
            return FrameCodec.encode(frame) == packet
        }
        return true
    }

    @Test func randomBytesNeverTrapAndAreRejected() {
        var random = Generator(state: 1)
        var accepted = 0
        for _ in 0..<1_000_000 {
            let length = Int.random(in: 0...80, using: &random)
            let packet = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            if case .success = FrameCodec.decode(packet) { accepted += 1 }
        }
        // A random packet passes CRC-32 with probability 2⁻³², and then the
        // structural checks too: none of a million should get through.
        #expect(accepted == 0)
    }

    @Test func everySingleBitFlipIsACRCError() {
        var random = Generator(state: 2)
        var failures = 0
        for _ in 0..<200_000 {
            var packet = Self.validPacket(&random)
            let bit = Int.random(in: 0..<(packet.count * 8), using: &random)
            packet[bit / 8] ^= 1 << UInt8(bit % 8)
            if FrameCodec.decode(packet) != .failure(.crcMismatch) { failures += 1 }
        }
        #expect(failures == 0)
    }

    @Test func mutatedFramesNeverTrapAndOnlyExactFramesAreAccepted() {
        var random = Generator(state: 3)
        var badAccepts = 0
        var outcomes: [String: Int] = [:]
        for iteration in 0..<1_000_000 {
            var packet = Self.validPacket(&random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0:  // overwrite random bytes
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    packet[Int.random(in: 0..<packet.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 1:  // truncate
                packet.removeLast(Int.random(in: 1...packet.count, using: &random))
            case 2:  // extend
                packet += (0..<Int.random(in: 1...50, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 3:  // damage the header, then make the CRC right again: exercises the structural checks
                let field = Int.random(in: 0..<16, using: &random)
                packet[field] = UInt8.random(in: 0...255, using: &random)
                Self.fixCRC(&packet)
            case 4:  // resize the payload and fix the CRC
                if Bool.random(using: &random) {
                    packet.insert(UInt8.random(in: 0...255, using: &random), at: 16)
                } else if packet.count > 20 {
                    packet.remove(at: 16)
                }
                Self.fixCRC(&packet)
            default:  // untouched
                break
            }
            if !Self.check(packet) { badAccepts += 1 }
            if iteration % 7 == 0 {
                switch FrameCodec.decode(packet) {
                case .success: outcomes["ok", default: 0] += 1
                case .failure(let error): outcomes[error.rawValue, default: 0] += 1
                }
            }
        }
        #expect(badAccepts == 0)
        // The mutations reached every outcome of the decoder.
        #expect(Set(outcomes.keys) == Set(FrameError.allCases.map(\.rawValue) + ["ok"]))
    }

    @Test func trackerSurvivesArbitraryPacketStreams() {
        var random = Generator(state: 4)
        var tracker = StreamTracker(rate: 1000)
        var delivered = 0
        for _ in 0..<300_000 {
            var packet = Self.validPacket(&random)
            if Int.random(in: 0..<4, using: &random) == 0 {
                packet[Int.random(in: 0..<packet.count, using: &random)] ^= 0xFF
            }
            if let block = tracker.ingest(packet) { delivered += block.samplesPerChannel }
        }
        tracker.finish(nextSequence: UInt32.random(in: .min ... .max, using: &random))
        #expect(tracker.statistics.samples == delivered)
        #expect(tracker.statistics.frames + tracker.statistics.rejected == 300_000)
    }
}
