/// What happened to a stream's packets, counted as PROTOCOL.md §3.1 defines.
/// Nothing is hidden: every packet that arrived is either delivered or counted
/// as rejected under exactly one reason.
public struct StreamStatistics: Sendable, Equatable {
    /// Valid frames (passed every check of §3.1).
    public var frames = 0
    /// Sample instants delivered (per channel), from valid frames whose samples were used.
    public var samples = 0
    /// Frames the device sent that never arrived (sequence gaps less rejected packets).
    public var lostFrames = 0
    /// Packets that arrived damaged.
    public var crcErrors = 0
    /// Packets intact but built wrong: too short or long, bad magic, channel or
    /// sample count, length mismatch.
    public var malformed = 0
    /// Packets from a protocol major version this host does not implement.
    public var versionErrors = 0
    /// Frames carrying the device's FIFO_OVERFLOW flag.
    public var overflowFlags = 0
    /// Frames flagged ADC_NOT_READY (their samples are not used).
    public var notReadyFrames = 0
    /// Frames with at least one saturated sample (delivered, marked over range).
    public var saturatedFrames = 0
    /// Times the sequence went backwards: the device restarted its stream.
    public var streamRestarts = 0
    /// Frames whose clock went backwards (their samples are not used).
    public var timestampErrors = 0
    /// Rejected packets by reason.
    public var rejections: [FrameError: Int] = [:]

    public init() {}

    /// Packets rejected for any reason.
    public var rejected: Int { rejections.values.reduce(0, +) }

    mutating func reject(_ error: FrameError) {
        rejections[error, default: 0] += 1
        switch error {
        case .crcMismatch: crcErrors += 1
        case .unsupportedVersion: versionErrors += 1
        case .tooShort, .tooLong, .badMagic, .badChannelCount, .badSampleCount, .lengthMismatch: malformed += 1
        }
    }
}
