/// Something that happened in a live session, in device time, for a recording.
public enum PipelineEvent: Sendable, Equatable {
    /// A tare finished: from `time` on, `offset` grams are subtracted.
    case tare(time: Double, offset: Double)
    /// A tare was refused; the previous zero stays.
    case tareRefused(time: Double, reason: String)
    case trialStarted(time: Double, trial: Int)
    case trialEnded(time: Double, trial: Int)
    case disconnected(reason: String)
    case reconnected
    case stalled
}
