import LightTouchCore

/// One channel's calibration as it goes into a sensor's flash: from a
/// certificate (a run just made, or a file), or channel 0 of a one-channel
/// blob the sensor already holds.
public struct ChannelCalibration: Sendable, Equatable {
    public var channel: Int
    /// The certificate's id: the first 16 bytes of the SHA-256 of its file.
    public var certificateID: [UInt8]
    public var degree: Int
    /// c₀ … c₃.
    public var coefficients: [Double]
    public var calibratedAt: Int64
    public var expiresAt: Int64
    /// Where it came from, for messages: a path, "this run", "the sensor's flash".
    public var source: String

    public init(certificate: CalibrationCertificate, id: [UInt8], source: String) {
        channel = certificate.channel
        certificateID = Array(id.prefix(16))
        degree = certificate.degree
        coefficients = certificate.blob(certificateID: id).coefficients[0]
        calibratedAt = certificate.calibratedAt
        expiresAt = certificate.expiresAt
        self.source = source
    }

    /// Channel 0 of a stored one-channel blob, whose id is then its certificate's.
    public init?(stored blob: CalibrationBlob, source: String = "the sensor's flash") {
        guard blob.channels == 1 else { return nil }
        channel = 0
        certificateID = blob.certificateID
        degree = blob.degree
        coefficients = blob.coefficients[0]
        calibratedAt = blob.calibratedAt
        expiresAt = blob.expiresAt
        self.source = source
    }
}

/// The one blob a sensor keeps for all its channels (PROTOCOL.md §5), made
/// from a certificate per channel: channels 0, 1, … each once. Its degree is
/// the highest of theirs (a lower one's higher coefficients are 0, so its
/// equation is unchanged), its dates the earliest calibration and the
/// earliest expiry (the blob is due when its first channel is), and its id
/// `mergedID` of theirs.
public enum FlashCalibration {
    /// The id of a blob made of several certificates: the first 16 bytes of
    /// the SHA-256 of their ids (16 bytes each) in channel order. One
    /// certificate's blob carries that certificate's own id.
    public static func mergedID(_ ids: [[UInt8]]) -> [UInt8] {
        guard ids.count != 1 else { return Array(ids[0].prefix(16)) }
        return Array(SHA256.hash(ids.flatMap { Array($0.prefix(16)) }).prefix(16))
    }

    /// The blob for `serial` from `channels`; nil unless they are channels
    /// 0, 1, … each once.
    public static func blob(serial: String, channels: [ChannelCalibration]) -> CalibrationBlob? {
        let ordered = channels.sorted { $0.channel < $1.channel }
        guard !ordered.isEmpty, ordered.count <= SensorProtocol.maximumChannels,
            ordered.enumerated().allSatisfy({ $0.offset == $0.element.channel })
        else { return nil }
        return CalibrationBlob(
            degree: ordered.map(\.degree).max() ?? 1, serial: serial,
            calibratedAt: ordered.map(\.calibratedAt).min() ?? 0, expiresAt: ordered.map(\.expiresAt).min() ?? 0,
            certificateID: mergedID(ordered.map(\.certificateID)), coefficients: ordered.map(\.coefficients))
    }
}
