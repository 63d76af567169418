/// The rule that turns a calibration run's blocks into the samples its
/// recorder takes, for the live run and its replay alike: the calibrated
/// channel's raw counts (channel 0 unless the run says otherwise); a block with a channel over range is skipped whole (not a
/// reading); time 0 is the first sample of the first block in range.
public struct CalibrationSampleClock: Sendable {
    private var origin: Double?
    public let channel: Int

    public init(channel: Int = 0) {
        self.channel = channel
    }

    /// The samples `block` gives the recorder, in order (none when it is over range).
    public mutating func samples(of block: SampleBlock) -> [(time: Double, counts: Double)] {
        guard block.saturatedMask == 0 else { return [] }
        var out: [(time: Double, counts: Double)] = []
        out.reserveCapacity(block.samplesPerChannel)
        for k in 0..<block.samplesPerChannel {
            let micros = block.timeMicros(ofSample: k)
            let start = origin ?? micros
            origin = start
            out.append(((micros - start) / 1e6, Double(block.count(channel: channel, sample: k))))
        }
        return out
    }
}
