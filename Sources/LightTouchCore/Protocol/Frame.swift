/// Constants of the sensor protocol, version 1.0 (firmware-protocol/PROTOCOL.md).
public enum SensorProtocol {
    public static let versionMajor: UInt8 = 1
    public static let versionMinor: UInt8 = 0
    public static let defaultVendorID: UInt16 = 0x1209
    public static let defaultProductID: UInt16 = 0x0001
    public static let inEndpoint: UInt8 = 0x81
    public static let packetSize = 64
    public static let frameMagic: UInt16 = 0x544C
    public static let headerSize = 16
    public static let crcSize = 4
    public static let minimumFrameSize = 20
    public static let maximumFrameSize = 64
    /// Channels × samples that fit in one frame.
    public static let maximumCountsPerFrame = 14
    public static let maximumChannels = 4
    /// The rates a sensor may offer, in Hz per channel, in supported-rate bit order.
    public static let rates: [Int] = [10, 80, 320, 1000]
    /// The highest rate of the protocol.
    public static let highestRate = 1000
    public static let adcMinimum: Int32 = -8_388_608
    public static let adcMaximum: Int32 = 8_388_607

    /// Nmax(C): the most samples per channel a frame with `channels` channels holds.
    public static func maximumSamples(channels: Int) -> Int {
        channels >= 1 ? maximumCountsPerFrame / channels : 0
    }

    /// Samples per channel per frame that the reference firmware uses.
    public static func referenceSamplesPerFrame(rate: Int, channels: Int) -> Int {
        min(maximumSamples(channels: channels), max(1, rate / 100))
    }
}

/// The status flags of a frame (PROTOCOL.md §3).
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A sample of this frame was at a rail of the ADC.
    public static let adcSaturated = FrameFlags(rawValue: 0x01)
    /// The ADC missed a conversion: this frame's counts are not measurements.
    public static let adcNotReady = FrameFlags(rawValue: 0x02)
    /// The device lost data before this frame (its transmit FIFO overflowed).
    public static let fifoOverflow = FrameFlags(rawValue: 0x04)
}

/// One decoded frame: N samples per channel, taken at the frame's timestamp and
/// then every sample period.
public struct Frame: Sendable, Equatable {
    public var versionMajor: UInt8
    public var versionMinor: UInt8
    public var sequence: UInt32
    /// The device clock, in µs, when sample 0 was taken (wraps at 2³²).
    public var timestampMicros: UInt32
    public var channels: Int
    public var samplesPerChannel: Int
    public var flags: FrameFlags
    /// Bit c set when channel c read a rail value.
    public var saturatedMask: UInt8
    /// Counts, channel-major: channel c's sample k is at `c * samplesPerChannel + k`.
    public var counts: [Int32]

    public init(
        versionMajor: UInt8 = SensorProtocol.versionMajor, versionMinor: UInt8 = SensorProtocol.versionMinor,
        sequence: UInt32, timestampMicros: UInt32, channels: Int, samplesPerChannel: Int,
        flags: FrameFlags = [], saturatedMask: UInt8 = 0, counts: [Int32]
    ) {
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.sequence = sequence
        self.timestampMicros = timestampMicros
        self.channels = channels
        self.samplesPerChannel = samplesPerChannel
        self.flags = flags
        self.saturatedMask = saturatedMask
        self.counts = counts
    }

    /// Channel `channel`'s sample `sample`.
    public func count(channel: Int, sample: Int) -> Int32 {
        counts[channel * samplesPerChannel + sample]
    }

    /// The counts of one channel, in time order.
    public func channel(_ channel: Int) -> ArraySlice<Int32> {
        counts[(channel * samplesPerChannel)..<((channel + 1) * samplesPerChannel)]
    }
}

/// Why a packet was rejected (PROTOCOL.md §3.1), in the order the checks run.
public enum FrameError: String, Error, Sendable, CaseIterable {
    case tooShort = "too_short"
    case tooLong = "too_long"
    case crcMismatch = "crc_mismatch"
    case badMagic = "bad_magic"
    case unsupportedVersion = "unsupported_version"
    case badChannelCount = "bad_channel_count"
    case badSampleCount = "bad_sample_count"
    case lengthMismatch = "length_mismatch"
}
