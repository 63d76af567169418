/// Where a live session is recorded (the SQLite store implements it; the
/// session engine's tests keep it in memory). Every call returns at once:
/// a recording may lose data to a full disk, never stall acquisition.
public protocol SessionRecording: AnyObject, Sendable {
    var sessionID: Int64 { get }
    /// Raw blocks, in the order the session scored them, and the events they caused.
    func record(blocks: [SampleBlock], events: [PipelineEvent])
    /// A trainer event (a feedback mode change, a peek, a drill's trial start
    /// or end) at session time `time`, in order with the samples recorded so far.
    func note(_ kind: RecordedEvent.Kind, time: Double?, trial: Int?, value: Double?, detail: String?)
    /// A trainer key (`PracticeSession.Key.recordedName`) handled when the
    /// newest sample seen was at session time `time` (−1 before the first):
    /// a replay applies it before the next sample.
    func noteKey(_ name: String, time: Double)
    /// Marks the session complete with the results line the live run printed.
    func complete(results: String, lostFrames: Int, rejectedSamples: Int) throws
    /// Ends the recording without completing it; the session stays interrupted.
    func close(reason: String?)
}
