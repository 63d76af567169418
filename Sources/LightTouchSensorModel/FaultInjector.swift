/// Damages the link between a sensor and the host on purpose: drops packets or
/// flips one bit in them, at given rates, reproducibly for a seed. It counts
/// exactly what it did, so a test can compare with what the host counted.
public struct FaultInjector: Sendable {
    public let corruptRate: Double
    public let dropRate: Double
    public private(set) var dropped = 0
    public private(set) var corrupted = 0
    public private(set) var transmitted = 0
    private var random: RandomSource

    public init(corruptRate: Double = 0, dropRate: Double = 0, seed: UInt64 = 0x5EED) {
        self.corruptRate = corruptRate
        self.dropRate = dropRate
        random = RandomSource(seed: seed)
    }

    /// Whether the injector does anything at all.
    public var isActive: Bool { corruptRate > 0 || dropRate > 0 }

    /// Passes `packet` through the damaged link: nil when it was dropped,
    /// otherwise the packet, possibly with one bit flipped.
    public mutating func transmit(_ packet: [UInt8]) -> [UInt8]? {
        transmitted += 1
        if dropRate > 0, random.uniform() < dropRate {
            dropped += 1
            return nil
        }
        if corruptRate > 0, !packet.isEmpty, random.uniform() < corruptRate {
            corrupted += 1
            var damaged = packet
            let bit = Int(random.next() % UInt64(packet.count * 8))
            damaged[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            return damaged
        }
        return packet
    }
}
