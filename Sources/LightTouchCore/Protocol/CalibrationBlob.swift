/// The calibration a sensor keeps in its flash (PROTOCOL.md §5): for each
/// channel, reading_counts = c₀ + c₁·m + c₂·m² + c₃·m³ with m in grams, the
/// calibration equation of ISO 376 and ASTM E74.
public struct CalibrationBlob: Sendable, Equatable {
    public var version: UInt8
    public var degree: Int
    public var serial: String
    /// Unix seconds, UTC.
    public var calibratedAt: Int64
    /// Unix seconds, UTC.
    public var expiresAt: Int64
    /// First 16 bytes of the SHA-256 of the certificate file.
    public var certificateID: [UInt8]
    /// Per channel, [c₀, c₁, c₂, c₃].
    public var coefficients: [[Double]]

    public static let currentVersion: UInt8 = 1
    public static let encodedSize = 200
    public static let magic: [UInt8] = Array("LTCL".utf8)

    public init(
        version: UInt8 = CalibrationBlob.currentVersion, degree: Int, serial: String, calibratedAt: Int64,
        expiresAt: Int64, certificateID: [UInt8], coefficients: [[Double]]
    ) {
        self.version = version
        self.degree = degree
        self.serial = serial
        self.calibratedAt = calibratedAt
        self.expiresAt = expiresAt
        self.certificateID = certificateID
        self.coefficients = coefficients
    }

    public var channels: Int { coefficients.count }

    /// Why a stored blob cannot be used (names as in the protocol vectors).
    public enum DecodeError: String, Error, Sendable, CaseIterable, CustomStringConvertible {
        case empty
        case tooShort = "too_short"
        case badMagic = "bad_magic"
        case unsupportedVersion = "unsupported_version"
        case lengthMismatch = "length_mismatch"
        case badDegree = "bad_degree"
        case badChannelCount = "bad_channel_count"
        case crcMismatch = "crc_mismatch"
        case serialMismatch = "serial_mismatch"

        public var description: String {
            switch self {
            case .empty: "no calibration is stored"
            case .tooShort: "the stored calibration is truncated"
            case .badMagic: "the stored calibration is not a LightTouch calibration"
            case .unsupportedVersion: "the stored calibration has a version this LightTouch does not understand"
            case .lengthMismatch: "the stored calibration's length field does not match its size"
            case .badDegree: "the stored calibration's polynomial degree is not 1, 2 or 3"
            case .badChannelCount: "the stored calibration's channel count is not 1 to 4"
            case .crcMismatch: "the stored calibration fails its CRC check (corrupt flash)"
            case .serialMismatch: "the stored calibration belongs to another sensor"
            }
        }
    }

    /// Decodes and checks a blob, in the order of the C reference's
    /// `lt_cal_blob_validate`. Pass the sensor's serial to check it.
    public static func decode(_ bytes: [UInt8], expectedSerial: String? = nil) -> Result<CalibrationBlob, DecodeError> {
        if bytes.isEmpty || (bytes.count >= 12 && bytes.prefix(12).allSatisfy { $0 == 0xFF }) {
            return .failure(.empty)
        }
        if bytes.count < 12 { return .failure(.tooShort) }
        return bytes.withUnsafeBytes { raw in
            let reader = LittleEndianReader(bytes: raw)
            guard Array(bytes.prefix(4)) == magic else { return .failure(.badMagic) }
            guard reader.u8(4) == currentVersion else { return .failure(.unsupportedVersion) }
            let length = Int(reader.u16(8))
            guard length == encodedSize, bytes.count == encodedSize else { return .failure(.lengthMismatch) }
            let degree = Int(reader.u8(5))
            guard (1...3).contains(degree) else { return .failure(.badDegree) }
            let channels = Int(reader.u8(6))
            guard (1...SensorProtocol.maximumChannels).contains(channels) else { return .failure(.badChannelCount) }
            guard CRC32.checksum(bytes.prefix(encodedSize - 4)) == reader.u32(encodedSize - 4) else {
                return .failure(.crcMismatch)
            }
            let serial = reader.ascii(12, length: 24)
            if let expectedSerial, expectedSerial != serial { return .failure(.serialMismatch) }
            let coefficients = (0..<channels).map { channel in
                (0..<4).map { reader.f64(68 + 32 * channel + 8 * $0) }
            }
            return .success(
                CalibrationBlob(
                    version: reader.u8(4), degree: degree, serial: serial, calibratedAt: reader.i64(36),
                    expiresAt: reader.i64(44), certificateID: Array(bytes[52..<68]), coefficients: coefficients))
        }
    }

    /// Encodes the blob for WRITE_CALIBRATION.
    public func encoded() -> [UInt8] {
        var writer = LittleEndianWriter(capacity: Self.encodedSize)
        for byte in Self.magic { writer.u8(byte) }
        writer.u8(version)
        writer.u8(UInt8(clamping: degree))
        writer.u8(UInt8(clamping: channels))
        writer.u8(0)
        writer.u16(UInt16(Self.encodedSize))
        writer.u16(0)
        writer.ascii(serial, length: 24)
        writer.i64(calibratedAt)
        writer.i64(expiresAt)
        for index in 0..<16 { writer.u8(index < certificateID.count ? certificateID[index] : 0) }
        for channel in 0..<SensorProtocol.maximumChannels {
            for power in 0..<4 {
                let value = channel < coefficients.count && power < coefficients[channel].count ? coefficients[channel][power] : 0
                writer.f64(value)
            }
        }
        var bytes = writer.bytes
        let crc = CRC32.checksum(bytes)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        return bytes
    }
}
