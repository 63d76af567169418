
/// What kind of session a recording is.
public enum SessionKind: String, Sendable, CaseIterable {
    case practice, assessment, calibration
}

/// `interrupted` until the session completes: a recording killed, cut off by
/// a power loss or stopped by a full disk stays `interrupted`, with its data.
/// `recording` is never stored: it is an `interrupted` session whose
/// recording process is still running (`RecordingLock`).
public enum SessionStatus: String, Sendable {
    case complete, interrupted, recording
}

/// What a recording starts with: who, which sensor and calibration, and
/// every option that decides the score.
public struct SessionStart: Sendable {
    public var kind: SessionKind
    public var student: String?
    public var examiner: String?
    public var sensor: SensorInfo
    public var conversion: ForceConversion
    public var configuration: PipelineConfiguration
    /// The drill, as JSON, when one ran.
    public var drill: String?
    public var protocolName: String?
    public var protocolHash: String?
    /// The protocol's text.
    public var protocolText: String?
    /// A calibration run's plan (`CalibrationRunPlan.json`), serialized.
    public var calibrationRun: String?
    public var version: String

    public init(
        kind: SessionKind, student: String? = nil, examiner: String? = nil, sensor: SensorInfo, conversion: ForceConversion,
        configuration: PipelineConfiguration, drill: String? = nil, protocolName: String? = nil, protocolHash: String? = nil,
        protocolText: String? = nil, calibrationRun: String? = nil, version: String
    ) {
        self.calibrationRun = calibrationRun
        self.kind = kind
        self.student = student
        self.examiner = examiner
        self.sensor = sensor
        self.conversion = conversion
        self.configuration = configuration
        self.drill = drill
        self.protocolName = protocolName
        self.protocolHash = protocolHash
        self.protocolText = protocolText
        self.version = version
    }
}

/// One session as `lighttouch sessions` lists it.
public struct SessionSummaryRow: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var student: String?
    public var examiner: String?
    public var startedAt: String
    public var endedAt: String?
    public var status: SessionStatus
    public var stopReason: String?
    public var recordedSeconds: Double
    public var samples: Int
    public var sensorSerial: String
    public var drillName: String?
    public var protocolName: String?

    public init(
        id: Int64, kind: String, student: String? = nil, examiner: String? = nil, startedAt: String, endedAt: String? = nil, status: SessionStatus, stopReason: String? = nil, recordedSeconds: Double, samples: Int, sensorSerial: String, drillName: String? = nil, protocolName: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.student = student
        self.examiner = examiner
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.stopReason = stopReason
        self.recordedSeconds = recordedSeconds
        self.samples = samples
        self.sensorSerial = sensorSerial
        self.drillName = drillName
        self.protocolName = protocolName
    }
}

/// A block of raw samples as recorded: device time and counts, exactly the
/// block the stream accounting delivered, so live and replay read the same values.
public typealias RecordedBlock = SampleBlock

/// Something recorded in a session besides samples.
public struct RecordedEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case tare, tareRefused = "tare_refused", trialStarted = "trial_started", trialEnded = "trial_ended"
        case disconnected, reconnected, stalled
        /// The trainer's: a feedback mode change (detail: the mode), a peek
        /// (value: the trial's peeks so far), a key (detail: its name; what a
        /// replay applies), a note.
        case feedback, peek, key, note
        /// A drill's trial started or ended (trial: its number; value at the end: its score).
        case drillTrialStarted = "drill_trial_started", drillTrialEnded = "drill_trial_ended"
        /// The feedback sound (detail: `opened NAME`, `failed REASON`, `on`, `off`,
        /// `underrun`), so a replay hears what was audible. Versions before it skip it.
        case sound
    }

    public var kind: Kind
    /// Blocks recorded before it: where in the stream it happened.
    public var blockIndex: Int64
    /// Session time, s, when the event has one.
    public var time: Double?
    public var trial: Int?
    /// The tare's offset (g), or another number the kind defines.
    public var value: Double?
    /// A reason or a name.
    public var detail: String?

    public init(kind: Kind, blockIndex: Int64, time: Double? = nil, trial: Int? = nil, value: Double? = nil, detail: String? = nil) {
        self.kind = kind
        self.blockIndex = blockIndex
        self.time = time
        self.trial = trial
        self.value = value
        self.detail = detail
    }
}

/// A whole recording, read back: enough to score it again exactly.
public struct RecordedSession: Sendable {
    public var summary: SessionSummaryRow
    public var sensorInfoJSON: String
    public var conversion: ForceConversion
    public var configuration: PipelineConfiguration
    public var drill: String?
    public var protocolText: String?
    public var protocolHash: String?
    /// A calibration run's plan, serialized.
    public var calibrationRun: String?
    public var lostFrames: Int?
    public var rejectedSamples: Int?
    /// The results line the live run printed (complete sessions).
    public var results: String?
    public var blocks: [RecordedBlock]
    public var events: [RecordedEvent]

    public init(
        summary: SessionSummaryRow, sensorInfoJSON: String, conversion: ForceConversion, configuration: PipelineConfiguration, drill: String? = nil, protocolText: String? = nil, protocolHash: String? = nil, calibrationRun: String? = nil, lostFrames: Int? = nil, rejectedSamples: Int? = nil, results: String? = nil, blocks: [RecordedBlock], events: [RecordedEvent]
    ) {
        self.summary = summary
        self.sensorInfoJSON = sensorInfoJSON
        self.conversion = conversion
        self.configuration = configuration
        self.drill = drill
        self.protocolText = protocolText
        self.protocolHash = protocolHash
        self.calibrationRun = calibrationRun
        self.lostFrames = lostFrames
        self.rejectedSamples = rejectedSamples
        self.results = results
        self.blocks = blocks
        self.events = events
    }
}
