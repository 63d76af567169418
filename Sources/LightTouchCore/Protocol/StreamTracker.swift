/// A run of consecutive samples from one valid frame, with its time on the
/// device clock unwrapped to 64 bits.
public struct SampleBlock: Sendable, Equatable {
    /// Unwrapped device time of the block's first sample, µs.
    public var timestampMicros: Int64
    /// Time between samples, µs (10⁶ / rate).
    public var periodMicros: Double
    public var channels: Int
    public var samplesPerChannel: Int
    /// Counts, channel-major, as in `Frame`.
    public var counts: [Int32]
    /// Bit c set when channel c was at a rail in this block (over range).
    public var saturatedMask: UInt8
    public var sequence: UInt32

    public init(
        timestampMicros: Int64, periodMicros: Double, channels: Int, samplesPerChannel: Int, counts: [Int32],
        saturatedMask: UInt8, sequence: UInt32
    ) {
        self.timestampMicros = timestampMicros
        self.periodMicros = periodMicros
        self.channels = channels
        self.samplesPerChannel = samplesPerChannel
        self.counts = counts
        self.saturatedMask = saturatedMask
        self.sequence = sequence
    }

    /// The order a recording's columns come in.
    public init(
        sequence: UInt32, timestampMicros: Int64, periodMicros: Double, channels: Int, samplesPerChannel: Int,
        saturatedMask: UInt8, counts: [Int32]
    ) {
        self.init(
            timestampMicros: timestampMicros, periodMicros: periodMicros, channels: channels, samplesPerChannel: samplesPerChannel,
            counts: counts, saturatedMask: saturatedMask, sequence: sequence)
    }

    /// Device time of sample `k`, µs.
    @inline(__always)
    public func timeMicros(ofSample k: Int) -> Double {
        Double(timestampMicros) + Double(k) * periodMicros
    }

    @inline(__always)
    public func count(channel: Int, sample: Int) -> Int32 {
        counts[channel * samplesPerChannel + sample]
    }
}

/// The host's accounting of one stream (PROTOCOL.md §3.1): sequence gaps,
/// rejected packets, clock unwrapping and flags. Pure: it never reads a clock.
public struct StreamTracker: Sendable {
    public private(set) var statistics = StreamStatistics()
    /// Unwrapped device time of the last valid frame, µs.
    public private(set) var lastTimestampMicros: Int64?
    /// Unwrapped device time of the stream's first valid frame, µs.
    public private(set) var firstTimestampMicros: Int64?

    private var expectedSequence: UInt32?
    private var rejectedSinceValid = 0
    private var lastRawTimestamp: UInt32 = 0
    private let periodMicros: Double
    /// The last valid frame's span: its samples × the period, µs.
    private var lastSpanMicros: Int64 = 0
    /// A disconnect was seen and no valid frame has arrived since.
    private var awaitingReturn = false
    /// The time that passed while the sensor was away, µs, for the next segment.
    private var returnGapMicros: Int64?

    /// `rate` is the stream's sample rate per channel, Hz. `firstSequence` is
    /// the sequence the stream is known to begin with (0 after START_STREAM),
    /// or nil when joining a stream midway: the first valid frame then sets it.
    public init(rate: Int, firstSequence: UInt32? = nil) {
        periodMicros = 1_000_000 / Double(max(rate, 1))
        expectedSequence = firstSequence
    }

    /// Takes one packet as it arrived. Returns its samples, or nil when the
    /// packet was rejected or its samples must not be used; either way it is
    /// counted.
    public mutating func ingest(_ packet: UnsafeRawBufferPointer) -> SampleBlock? {
        switch FrameCodec.decode(packet) {
        case .failure(let error):
            statistics.reject(error)
            rejectedSinceValid += 1
            return nil
        case .success(let frame):
            return accept(frame)
        }
    }

    /// Takes one packet as it arrived.
    public mutating func ingest(_ packet: [UInt8]) -> SampleBlock? {
        packet.withUnsafeBytes { ingest($0) }
    }

    /// Sequence, clock and flag accounting for a frame that passed every check.
    public mutating func accept(_ frame: Frame) -> SampleBlock? {
        statistics.frames += 1
        var restarted = false
        if let expected = expectedSequence {
            let gap = frame.sequence &- expected
            if gap >= 0x8000_0000 {
                statistics.streamRestarts += 1
                restarted = true
            } else if gap > 0 {
                statistics.lostFrames += max(0, Int(gap) - rejectedSinceValid)
            }
        }
        expectedSequence = frame.sequence &+ 1
        rejectedSinceValid = 0

        if frame.flags.contains(.fifoOverflow) { statistics.overflowFlags += 1 }

        let unwrapped: Int64
        let gapWhileAway = returnGapMicros
        awaitingReturn = false
        returnGapMicros = nil
        if let last = lastTimestampMicros {
            let delta = frame.timestampMicros &- lastRawTimestamp
            if delta >= 0x8000_0000, restarted {
                // A power-cycled device (PROTOCOL.md §3.1): a new segment of the timeline.
                unwrapped = last + max(gapWhileAway ?? 0, lastSpanMicros)
            } else if delta >= 0x8000_0000 {
                statistics.timestampErrors += 1
                return nil
            } else {
                unwrapped = last + Int64(delta)
            }
        } else {
            unwrapped = Int64(frame.timestampMicros)
            firstTimestampMicros = unwrapped
        }
        lastTimestampMicros = unwrapped
        lastRawTimestamp = frame.timestampMicros
        lastSpanMicros = Int64((Double(frame.samplesPerChannel) * periodMicros).rounded())

        if frame.flags.contains(.adcNotReady) {
            statistics.notReadyFrames += 1
            return nil
        }
        if frame.flags.contains(.adcSaturated) || frame.saturatedMask != 0 {
            statistics.saturatedFrames += 1
        }
        statistics.samples += frame.samplesPerChannel
        return SampleBlock(
            timestampMicros: unwrapped, periodMicros: periodMicros, channels: frame.channels,
            samplesPerChannel: frame.samplesPerChannel, counts: frame.counts,
            saturatedMask: frame.saturatedMask, sequence: frame.sequence)
    }

    /// The connection reported the sensor lost.
    public mutating func noteDisconnect() {
        awaitingReturn = true
        returnGapMicros = nil
    }

    /// The sensor came back after `gapMicros` of host time. If its stream
    /// restarts with a clock that started again, the new segment begins that
    /// long after the last frame (a frame of the new stream that already
    /// arrived has started the segment without it).
    public mutating func noteReconnect(gapMicros: Int64) {
        if awaitingReturn { returnGapMicros = max(0, gapMicros) }
    }

    /// Ends the stream. `nextSequence` is GET_STATUS's `next_sequence` read after
    /// STOP_STREAM, when available: frames the device built after the last one
    /// received are counted as lost.
    public mutating func finish(nextSequence: UInt32?) {
        guard let next = nextSequence, let expected = expectedSequence else { return }
        let gap = next &- expected
        if gap < 0x8000_0000 {
            statistics.lostFrames += max(0, Int(gap) - rejectedSinceValid)
        }
        expectedSequence = next
        rejectedSinceValid = 0
    }
}
