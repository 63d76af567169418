import LightTouchCore

/// Scores a recording again, exactly as the live pipeline did
/// (`LivePipeline.drain`): the same counts-to-grams conversion, the same
/// session times, the tares where they happened, the same `ForcePipeline`.
///
/// The replay rules, from what the live pipeline does:
/// - time 0 is the first recorded sample's device time;
/// - over-range samples (a channel at a rail) are skipped and counted as rejected;
/// - samples before the first tare (or refused tare) are not scored;
/// - from a tare's sample on, its offset is subtracted (a refused tare keeps the previous one).
public struct SessionReplay: Sendable {
    /// One recorded sample instant, after replay.
    public struct Sample: Sendable {
        public var time: Double
        public var block: Int
        public var index: Int
        /// Total force before tare, grams.
        public var untared: Double
        /// The scored sample; nil when it was not scored (before the first tare, or over range).
        public var processed: ProcessedSample?
        public var overRange: Bool
    }

    public let session: RecordedSession

    public init(_ session: RecordedSession) {
        self.session = session
    }

    /// Runs the recording through a pipeline with `configuration` (the
    /// recorded one by default); `visit` sees every recorded sample instant.
    public func run(
        configuration: PipelineConfiguration? = nil, visit: (Sample) -> Void = { _ in }
    ) throws(FilterConfigurationError) -> (pipeline: ForcePipeline, overRange: Int) {
        var pipeline = try ForcePipeline(configuration: configuration ?? session.configuration)
        let conversion = session.conversion
        let tares = session.events.filter { $0.kind == .tare || $0.kind == .tareRefused }
        var nextTare = 0
        var offset = 0.0
        var scoring = false
        var overRange = 0
        var origin: Double?
        for (b, block) in session.blocks.enumerated() {
            for k in 0..<block.samplesPerChannel {
                let micros = block.timeMicros(ofSample: k)
                if origin == nil { origin = micros }
                let time = (micros - (origin ?? micros)) / 1e6
                if block.saturatedMask != 0 {
                    overRange += 1
                    visit(Sample(time: time, block: b, index: k, untared: .nan, processed: nil, overRange: true))
                    continue
                }
                let untared = Self.grams(conversion, block, sample: k)
                while nextTare < tares.count, let at = tares[nextTare].time, at <= time {
                    if tares[nextTare].kind == .tare, let value = tares[nextTare].value { offset = value }
                    scoring = true
                    nextTare += 1
                }
                guard scoring else {
                    visit(Sample(time: time, block: b, index: k, untared: untared, processed: nil, overRange: false))
                    continue
                }
                let sample = pipeline.process(time: time, grams: untared - offset)
                visit(Sample(time: time, block: b, index: k, untared: untared, processed: sample, overRange: false))
            }
        }
        pipeline.finish()
        return (pipeline, overRange)
    }

    /// The session summary as the live run made it: its losses when the
    /// session completed, else what the recording itself shows.
    public func summary(of pipeline: ForcePipeline, overRange: Int) -> SessionSummary {
        pipeline.summary(
            lostFrames: session.lostFrames ?? 0, rejectedSamples: session.rejectedSamples ?? overRange,
            calibrated: session.conversion.isCalibrated)
    }

    /// Total force of sample `k`, grams before tare: `ForceConversion.grams`
    /// with the same operations in the same order, so the result is bit for bit the same.
    @inline(__always)
    public static func grams(_ conversion: ForceConversion, _ block: RecordedBlock, sample k: Int) -> Double {
        var total = 0.0
        for channel in 0..<min(block.channels, conversion.channels.count) {
            total += conversion.channels[channel].mass(forReading: Double(block.count(channel: channel, sample: k)))
        }
        return total
    }
}
