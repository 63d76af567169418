/// What a sensor says about itself in reply to GET_INFO (PROTOCOL.md §4.1).
public struct SensorInfo: Sendable, Equatable {
    public var protocolMajor: UInt8
    public var protocolMinor: UInt8
    public var firmwareMajor: UInt8
    public var firmwareMinor: UInt8
    public var firmwarePatch: UInt16
    public var channels: Int
    public var capabilities: Capabilities
    /// Current sample rate, Hz per channel.
    public var sampleRate: Int
    /// Rates the sensor offers, Hz, ascending.
    public var supportedRates: [Int]
    /// Counts at zero load (the manufacturer's typical value).
    public var nominalOffset: Int32
    /// Counts per gram (the manufacturer's typical value).
    public var nominalCountsPerGram: Float
    public var adcBits: Int
    public var samplesPerFrame: Int
    public var adcModel: String
    public var serial: String

    public struct Capabilities: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let calibrationStorage = Capabilities(rawValue: 0x01)
        public static let identify = Capabilities(rawValue: 0x02)
    }

    public static let encodedSize = 64

    public init(
        protocolMajor: UInt8 = SensorProtocol.versionMajor, protocolMinor: UInt8 = SensorProtocol.versionMinor,
        firmwareMajor: UInt8, firmwareMinor: UInt8, firmwarePatch: UInt16, channels: Int,
        capabilities: Capabilities, sampleRate: Int, supportedRates: [Int], nominalOffset: Int32,
        nominalCountsPerGram: Float, adcBits: Int = 24, samplesPerFrame: Int, adcModel: String, serial: String
    ) {
        self.protocolMajor = protocolMajor
        self.protocolMinor = protocolMinor
        self.firmwareMajor = firmwareMajor
        self.firmwareMinor = firmwareMinor
        self.firmwarePatch = firmwarePatch
        self.channels = channels
        self.capabilities = capabilities
        self.sampleRate = sampleRate
        self.supportedRates = supportedRates
        self.nominalOffset = nominalOffset
        self.nominalCountsPerGram = nominalCountsPerGram
        self.adcBits = adcBits
        self.samplesPerFrame = samplesPerFrame
        self.adcModel = adcModel
        self.serial = serial
    }

    /// "1.2.3".
    public var firmwareVersion: String { "\(firmwareMajor).\(firmwareMinor).\(firmwarePatch)" }
    /// "1.0".
    public var protocolVersion: String { "\(protocolMajor).\(protocolMinor)" }

    /// Why a GET_INFO response makes the sensor unusable.
    public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        case tooShort(length: Int)
        case unsupportedVersion(major: UInt8, minor: UInt8)
        case badChannelCount(Int)
        case badRate(Int)
        case badSensitivity(Float)

        /// The vector name of the error.
        public var code: String {
            switch self {
            case .tooShort: "too_short"
            case .unsupportedVersion: "unsupported_version"
            case .badChannelCount: "bad_channel_count"
            case .badRate: "bad_rate"
            case .badSensitivity: "bad_sensitivity"
            }
        }

        public var description: String {
            switch self {
            case .tooShort(let length):
                "the sensor's device info is \(length) bytes, fewer than the 64 protocol 1.0 requires"
            case .unsupportedVersion(let major, let minor):
                "protocol version \(major).\(minor) is not supported (this LightTouch speaks \(SensorProtocol.versionMajor).x)"
            case .badChannelCount(let channels):
                "the sensor reports \(channels) channels; the protocol allows 1 to 4"
            case .badRate(let rate):
                "the sensor reports a sample rate of \(rate) Hz, which it does not list as supported"
            case .badSensitivity(let value):
                "the sensor reports a sensitivity of \(value) counts per gram, which is not a positive number"
            }
        }
    }

    /// Decodes a GET_INFO response; a newer minor version's extra bytes are ignored.
    public static func decode(_ bytes: [UInt8]) -> Result<SensorInfo, DecodeError> {
        bytes.withUnsafeBytes { raw in
            let reader = LittleEndianReader(bytes: raw)
            guard raw.count >= encodedSize else { return .failure(.tooShort(length: raw.count)) }
            let major = reader.u8(0), minor = reader.u8(1)
            guard major == SensorProtocol.versionMajor else {
                return .failure(.unsupportedVersion(major: major, minor: minor))
            }
            let channels = Int(reader.u8(6))
            guard (1...SensorProtocol.maximumChannels).contains(channels) else {
                return .failure(.badChannelCount(channels))
            }
            let mask = reader.u16(10)
            let supported = SensorProtocol.rates.enumerated().filter { mask & (1 << UInt16($0.offset)) != 0 }.map(\.element)
            let rate = Int(reader.u16(8))
            guard supported.contains(rate) else { return .failure(.badRate(rate)) }
            let sensitivity = reader.f32(16)
            guard sensitivity.isFinite, sensitivity > 0 else { return .failure(.badSensitivity(sensitivity)) }
            return .success(
                SensorInfo(
                    protocolMajor: major, protocolMinor: minor,
                    firmwareMajor: reader.u8(2), firmwareMinor: reader.u8(3), firmwarePatch: reader.u16(4),
                    channels: channels, capabilities: Capabilities(rawValue: reader.u8(7)),
                    sampleRate: rate, supportedRates: supported, nominalOffset: reader.i32(12),
                    nominalCountsPerGram: sensitivity, adcBits: Int(reader.u8(20)),
                    samplesPerFrame: Int(reader.u8(21)), adcModel: reader.ascii(24, length: 16),
                    serial: reader.ascii(40, length: 24)))
        }
    }
}

/// The reply to GET_STATUS (PROTOCOL.md §4.5).
public struct DeviceStatus: Sendable, Equatable {
    public var streaming: Bool
    public var calibrationStored: Bool
    public var sampleRate: Int
    /// The sequence number the next frame built will carry.
    public var nextSequence: UInt32
    /// Frames dropped by the device's transmit FIFO since START_STREAM.
    public var fifoDropped: UInt32
    /// The device clock, µs.
    public var clockMicros: UInt32

    public static let encodedSize = 16

    public init(
        streaming: Bool, calibrationStored: Bool, sampleRate: Int, nextSequence: UInt32,
        fifoDropped: UInt32, clockMicros: UInt32
    ) {
        self.streaming = streaming
        self.calibrationStored = calibrationStored
        self.sampleRate = sampleRate
        self.nextSequence = nextSequence
        self.fifoDropped = fifoDropped
        self.clockMicros = clockMicros
    }

    /// Decodes a GET_STATUS response; nil when it is shorter than 16 bytes.
    public static func decode(_ bytes: [UInt8]) -> DeviceStatus? {
        guard bytes.count >= encodedSize else { return nil }
        return bytes.withUnsafeBytes { raw in
            let reader = LittleEndianReader(bytes: raw)
            return DeviceStatus(
                streaming: reader.u8(0) != 0, calibrationStored: reader.u8(1) & 1 != 0,
                sampleRate: Int(reader.u16(2)), nextSequence: reader.u32(4),
                fifoDropped: reader.u32(8), clockMicros: reader.u32(12))
        }
    }
}

/// The vendor control requests (PROTOCOL.md §4).
public enum ControlRequest: UInt8, Sendable, CaseIterable {
    case getInfo = 0x01
    case startStream = 0x02
    case stopStream = 0x03
    case setRate = 0x04
    case getStatus = 0x05
    case readCalibration = 0x06
    case writeCalibration = 0x07
    case eraseCalibration = 0x08
    case identify = 0x09

    public static let requestTypeIn: UInt8 = 0xC0
    public static let requestTypeOut: UInt8 = 0x40
    /// Timeout for every control request, ms.
    public static let timeoutMilliseconds = 1000

    public var name: String {
        switch self {
        case .getInfo: "GET_INFO"
        case .startStream: "START_STREAM"
        case .stopStream: "STOP_STREAM"
        case .setRate: "SET_RATE"
        case .getStatus: "GET_STATUS"
        case .readCalibration: "READ_CALIBRATION"
        case .writeCalibration: "WRITE_CALIBRATION"
        case .eraseCalibration: "ERASE_CALIBRATION"
        case .identify: "IDENTIFY"
        }
    }
}
