/// Decodes and encodes frames (PROTOCOL.md §3). Decoding never traps, whatever
/// the bytes: every packet either becomes a `Frame` or a `FrameError`.
public enum FrameCodec {
    /// Decodes one packet, running the checks of PROTOCOL.md §3.1 in order.
    public static func decode(_ packet: UnsafeRawBufferPointer) -> Result<Frame, FrameError> {
        let length = packet.count
        if length < SensorProtocol.minimumFrameSize { return .failure(.tooShort) }
        if length > SensorProtocol.maximumFrameSize { return .failure(.tooLong) }
        let reader = LittleEndianReader(bytes: packet)
        let body = UnsafeRawBufferPointer(rebasing: packet[0..<(length - SensorProtocol.crcSize)])
        if CRC32.checksum(body) != reader.u32(length - SensorProtocol.crcSize) {
            return .failure(.crcMismatch)
        }
        if reader.u16(0) != SensorProtocol.frameMagic { return .failure(.badMagic) }
        let major = reader.u8(2)
        if major != SensorProtocol.versionMajor { return .failure(.unsupportedVersion) }
        let channels = Int(reader.u8(12))
        guard (1...SensorProtocol.maximumChannels).contains(channels) else { return .failure(.badChannelCount) }
        let samples = Int(reader.u8(13))
        guard (1...SensorProtocol.maximumSamples(channels: channels)).contains(samples) else {
            return .failure(.badSampleCount)
        }
        let countTotal = channels * samples
        guard length == SensorProtocol.minimumFrameSize + 3 * countTotal else { return .failure(.lengthMismatch) }

        var counts = [Int32]()
        counts.reserveCapacity(countTotal)
        for index in 0..<countTotal {
            counts.append(reader.i24(SensorProtocol.headerSize + 3 * index))
        }
        return .success(
            Frame(
                versionMajor: major, versionMinor: reader.u8(3),
                sequence: reader.u32(4), timestampMicros: reader.u32(8),
                channels: channels, samplesPerChannel: samples,
                flags: FrameFlags(rawValue: reader.u8(14)), saturatedMask: reader.u8(15),
                counts: counts))
    }

    /// Decodes one packet.
    public static func decode<C: Collection>(_ packet: C) -> Result<Frame, FrameError> where C.Element == UInt8 {
        if let result = packet.withContiguousStorageIfAvailable({ decode(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(packet).withUnsafeBytes { decode($0) }
    }

    /// Encodes a frame as the device would: counts clamped to the ADC rails,
    /// the saturation flag and mask derived from them and ORed with the frame's,
    /// and the CRC appended. Returns nil when channels or samples are out of range.
    public static func encode(_ frame: Frame) -> [UInt8]? {
        let channels = frame.channels, samples = frame.samplesPerChannel
        guard (1...SensorProtocol.maximumChannels).contains(channels),
            (1...SensorProtocol.maximumSamples(channels: channels)).contains(samples),
            frame.counts.count == channels * samples
        else { return nil }
        var flags = frame.flags
        var mask = frame.saturatedMask
        var writer = LittleEndianWriter(capacity: SensorProtocol.maximumFrameSize)
        writer.u16(SensorProtocol.frameMagic)
        writer.u8(frame.versionMajor)
        writer.u8(frame.versionMinor)
        writer.u32(frame.sequence)
        writer.u32(frame.timestampMicros)
        writer.u8(UInt8(channels))
        writer.u8(UInt8(samples))
        var clamped = [Int32]()
        clamped.reserveCapacity(frame.counts.count)
        for (index, value) in frame.counts.enumerated() {
            let count = min(max(value, SensorProtocol.adcMinimum), SensorProtocol.adcMaximum)
            if count == SensorProtocol.adcMinimum || count == SensorProtocol.adcMaximum {
                flags.insert(.adcSaturated)
                mask |= 1 << UInt8(index / samples)
            }
            clamped.append(count)
        }
        writer.u8(flags.rawValue)
        writer.u8(mask)
        for count in clamped {
            let raw = UInt32(bitPattern: count)
            writer.u8(UInt8(truncatingIfNeeded: raw))
            writer.u8(UInt8(truncatingIfNeeded: raw >> 8))
            writer.u8(UInt8(truncatingIfNeeded: raw >> 16))
        }
        var bytes = writer.bytes
        let crc = CRC32.checksum(bytes)
        bytes.append(contentsOf: [
            UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8),
            UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 24),
        ])
        return bytes
    }
}
