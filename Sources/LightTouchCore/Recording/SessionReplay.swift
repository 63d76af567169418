/// Scores a recording again through the same `SampleScorer` the live session
/// used, with the recorded tares applied where they happened: the results
/// are the live run's by construction, not by keeping two copies equal.
public struct SessionReplay: Sendable {
    /// One recorded sample instant, after replay.
    public struct Sample: Sendable {
        public var time: Double
        public var block: Int
        public var index: Int
        /// Total force before tare, grams (NaN when over range): both hands' sum in a two-hand session.
        public var untared: Double
        /// The scored sample; nil when it was not scored (before the first tare, or over range).
        public var processed: ProcessedSample?
        public var overRange: Bool
        /// The running hold after this sample, seconds (`ForcePipeline.currentHold`): 0
        /// when unscored; for a drill, whose windows decide its trials, 0 as well.
        public var hold: Double = 0
    }

    public let session: RecordedSession

    public init(_ session: RecordedSession) {
        self.session = session
    }

    /// The recording's tares, in order: each finished tare with its offset, and each refusal.
    public var recordedTares: [SampleScorer.RecordedTare] {
        session.events.compactMap { event in
            guard event.kind == .tare || event.kind == .tareRefused, let time = event.time else { return nil }
            guard event.kind == .tare else { return SampleScorer.RecordedTare(time: time, offset: nil) }
            return SampleScorer.RecordedTare(
                time: time, offset: event.value, hands: SampleScorer.RecordedTare.hands(detail: event.detail))
        }
    }

    /// Runs the recording through a scorer with `configuration` (the recorded
    /// one by default); `visit` sees every recorded sample instant.
    /// - Parameter segmentsTrials: false for a drill, whose trials its windows decide.
    public func run(
        configuration: PipelineConfiguration? = nil, segmentsTrials: Bool = true, visit: (Sample) -> Void = { _ in }
    ) throws(FilterConfigurationError) -> (pipeline: ForcePipeline, overRange: Int) {
        var scorer = try SampleScorer(
            configuration: configuration ?? session.configuration, conversion: session.conversion, recordedTares: recordedTares,
            segmentsTrials: segmentsTrials)
        for (b, block) in session.blocks.enumerated() {
            for k in 0..<block.samplesPerChannel {
                switch scorer.score(block, sample: k) {
                case .overRange(let time):
                    visit(Sample(time: time, block: b, index: k, untared: .nan, processed: nil, overRange: true))
                case .unscored(let time, let untared):
                    visit(Sample(time: time, block: b, index: k, untared: untared, processed: nil, overRange: false))
                case .scored(let sample, let untared):
                    visit(
                        Sample(
                            time: sample.time, block: b, index: k, untared: untared, processed: sample, overRange: false,
                            hold: scorer.pipeline.currentHold))
                }
            }
        }
        scorer.finish()
        return (scorer.pipeline, scorer.rejectedSamples)
    }

    /// The session summary as the live run made it: its losses when the
    /// session completed, else what the recording itself shows.
    public func summary(of pipeline: ForcePipeline, overRange: Int) -> SessionSummary {
        pipeline.summary(
            lostFrames: session.lostFrames ?? 0, rejectedSamples: session.rejectedSamples ?? overRange,
            calibrated: session.conversion.isCalibrated)
    }
}
