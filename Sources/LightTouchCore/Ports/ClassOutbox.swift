/// What a station keeps for its class: the recorded sessions queued for
/// upload, read back from the local recording by session id, and how far
/// each upload got. The SQLite store implements it; the class uploader
/// (LightTouchClass) reads it, so the upload never sits in the live path
/// and nothing is sent that was not first recorded locally.
public protocol ClassOutbox: Sendable {
    /// Queues a recorded session for upload (once; queuing again changes nothing).
    func queueUpload(session: Int64) throws -> QueuedUpload
    /// Sessions not yet uploaded in full, oldest first.
    func pendingUploads() throws -> [QueuedUpload]
    /// The session as recorded now, with its blocks from `upload.blocksSent`
    /// on (at most `maxBlocks`) and its events after index `eventsAfter`.
    func uploadPart(_ upload: QueuedUpload, maxBlocks: Int, eventsAfter: Int64) throws -> UploadPart
    /// Records what the server now holds; `finished` once the session is complete there.
    func markUploaded(session: Int64, blocksSent: Int64, finished: Bool, error: String?) throws
}

/// A session queued for the class: its stable id (sent with every part, so
/// re-sending never duplicates) and how many blocks the server has.
public struct QueuedUpload: Sendable, Equatable {
    public var sessionID: Int64
    public var uuid: String
    public var blocksSent: Int64

    public init(sessionID: Int64, uuid: String, blocksSent: Int64) {
        self.sessionID = sessionID
        self.uuid = uuid
        self.blocksSent = blocksSent
    }
}

/// One part of an upload: the session's row as recorded now, a run of its
/// blocks, its events and grades so far.
public struct UploadPart: Sendable {
    public var upload: QueuedUpload
    public var summary: SessionSummaryRow
    /// The recorded session's setup (sensor, calibration, options, drill, protocol), JSON.
    public var setupJSON: String
    public var protocolHash: String?
    public var results: String?
    /// Blocks recorded so far in all.
    public var blocksRecorded: Int64
    /// Blocks `upload.blocksSent ..< upload.blocksSent + blocks.count`.
    public var blocks: [RecordedBlock]
    /// The events recorded so far after the index asked for, with their indices, in order.
    public var events: [(index: Int64, event: RecordedEvent)]
    public var grades: [GradeRecord]
    /// The recording has ended (complete or interrupted, its process gone).
    public var recordingEnded: Bool

    /// This part brings the server up to the whole of an ended recording.
    public var isLast: Bool { recordingEnded && upload.blocksSent + Int64(blocks.count) >= blocksRecorded }

    public init(
        upload: QueuedUpload, summary: SessionSummaryRow, setupJSON: String, protocolHash: String?, results: String?,
        blocksRecorded: Int64, blocks: [RecordedBlock], events: [(index: Int64, event: RecordedEvent)], grades: [GradeRecord],
        recordingEnded: Bool
    ) {
        self.upload = upload
        self.summary = summary
        self.setupJSON = setupJSON
        self.protocolHash = protocolHash
        self.results = results
        self.blocksRecorded = blocksRecorded
        self.blocks = blocks
        self.events = events
        self.grades = grades
        self.recordingEnded = recordingEnded
    }
}
