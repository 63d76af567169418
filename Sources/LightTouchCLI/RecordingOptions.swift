import ArgumentParser
import Foundation
import LightTouchCore
import LightTouchStore

/// Where recordings are kept, for every command that records or reads them.
struct RecordingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where recordings and grades are kept. Default: $LIGHTTOUCH_DATA, else $XDG_DATA_HOME/lighttouch, else ~/.local/share/lighttouch.",
            valueName: "dir"))
    var dataDir: String?

    var directory: DataDirectory {
        DataDirectory.resolve(explicit: dataDir, environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the store to record into; reports sessions a crash left `interrupted` on stderr.
    func openForRecording() throws -> RecordingStore {
        let store = try Self.checked { () throws(StoreError) in try RecordingStore(directory: directory, forRecording: true) }
        if let interrupted = try? store.takeUnreportedInterruptions() {
            for session in interrupted {
                printError(
                    "session \(session.id) (\(session.kind), started \(session.startedAt)) was interrupted; it keeps "
                        + "\(session.recordedSeconds.fixed(1)) s of samples (`lighttouch replay \(session.id)`)")
            }
        }
        return store
    }

    /// Opens the store for reading; nil when nothing was recorded in the directory yet.
    func openExisting() throws -> RecordingStore? {
        try Self.checked { () throws(StoreError) in try RecordingStore.existing(directory) }
    }

    /// Opens the store for reading; an error when there is none.
    func openRequired() throws -> RecordingStore {
        guard let store = try openExisting() else {
            throw UserError("no recordings in \(directory.path) yet (record one with `lighttouch practice`)", exitCode: ExitCode(66))
        }
        return store
    }

    /// Starts recording a live session; `stop` is called if the recording
    /// fails mid-session (disk full), so the session ends cleanly.
    func startRecording(
        kind: SessionKind, info: SensorInfo, conversion: ForceConversion, configuration: PipelineConfiguration,
        drill: Drill? = nil, student: String? = nil, examiner: String? = nil, protocolName: String? = nil,
        protocolHash: String? = nil, protocolText: String? = nil, calibrationRun: String? = nil,
        stop: @escaping @Sendable () -> Void
    ) throws -> SessionRecorder {
        let store = try openForRecording()
        let start = SessionStart(
            kind: kind, student: student, examiner: examiner, sensor: info, conversion: conversion, configuration: configuration,
            drill: drill.map(DrillCoding.json), protocolName: protocolName, protocolHash: protocolHash,
            protocolText: protocolText, calibrationRun: calibrationRun, version: LightTouchVersion.current)
        return try Self.checked { () throws(StoreError) in
            try SessionRecorder(store: store, start: start) { failure in
                printError(failure.description)
                stop()
            }
        }
    }

    /// Runs `body`, turning a store error into the user's one-line error.
    @discardableResult
    static func checked<T>(_ body: () throws(StoreError) -> T) throws(UserError) -> T {
        do {
            return try body()
        } catch {
            throw UserError(error)
        }
    }
}

/// `practice`'s recording options: where, and whose session it is.
struct PracticeRecordingOptions: ParsableArguments {
    @OptionGroup var store: RecordingOptions

    @Option(help: ArgumentHelp("The student practising, so `sessions --student` and `progress` find the session.", valueName: "id"))
    var student: String?

    func startRecording(
        kind: SessionKind, info: SensorInfo, conversion: ForceConversion, configuration: PipelineConfiguration,
        drill: Drill? = nil, stop: @escaping @Sendable () -> Void
    ) throws -> SessionRecorder {
        try store.startRecording(
            kind: kind, info: info, conversion: conversion, configuration: configuration, drill: drill, student: student, stop: stop)
    }
}

extension UserError {
    /// A store error, with an exit status in the spirit of sysexits(3).
    init(_ error: StoreError) {
        switch error {
        case .notADatabase, .foreignDatabase, .newerSchema: self.init(error.description, exitCode: ExitCode(65))
        case .unknownSession: self.init(error.description, exitCode: ExitCode(66))
        case .cannotCreateDirectory, .readOnly, .diskFull: self.init(error.description, exitCode: ExitCode(73))
        case .recordingStopped: self.init(error.description, exitCode: ExitCode(74))
        case .sqlite: self.init(error.description)
        }
    }
}

extension SessionRecorder {
    /// Marks the session complete with the line the live run printed.
    func complete(results: JSONValue, summary: SessionSummary) throws {
        try RecordingOptions.checked { () throws(StoreError) in
            try complete(results: results.serialized(), lostFrames: summary.lostFrames, rejectedSamples: summary.rejectedSamples)
        }
    }
}
