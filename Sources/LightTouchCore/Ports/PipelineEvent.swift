/// Something that happened in a live session, in device time, for a recording.
public enum PipelineEvent: Sendable, Equatable {
    /// A tare finished: from `time` on, `offset` grams are subtracted.
    case tare(time: Double, offset: Double)
    /// A two-hand tare finished: from `time` on, each hand's offset is
    /// subtracted from its channel (recorded as a tare of their sum, with
    /// both offsets in its detail: `RecordedTare.detail(hands:)`).
    case handsTare(time: Double, offsets: HandForces)
    /// A tare was refused; the previous zero stays.
    case tareRefused(time: Double, reason: String)
    case trialStarted(time: Double, trial: Int)
    case trialEnded(time: Double, trial: Int)
    case disconnected(reason: String)
    case reconnected
    case stalled
}
