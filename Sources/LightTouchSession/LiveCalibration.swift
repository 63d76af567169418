import LightTouchCore

/// A calibration run on a live sensor, from the first sample to a checked
/// certificate: the engine `calibrate run` wires to the operator (Enter,
/// progress) and to files. The run is recorded as it goes (every block, each
/// confirmation, an unplug) so that `RescoredCalibration` takes it again to
/// the same certificate, byte for byte.
public final class LiveCalibration: Sendable {
    /// What a finished run gives.
    public struct Certified: Sendable {
        public var certificate: CalibrationCertificate
        public var analysis: CalibrationAnalysis
        /// The certificate's JSON, as written and printed with `--json`.
        public var text: String
        /// The certificate's id: the first 16 bytes of the SHA-256 of its file (`text` and a newline).
        public var id: [UInt8]
        public var lostFrames: Int
    }

    /// Why a run gave no certificate; nothing was written.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The run could not take its readings (a step timed out, a reading would not settle…).
        case failed(String)
        /// The sensor went away during the run.
        case disconnected(String)
        /// The run was stopped (Ctrl-C, a recording that failed).
        case cancelled
        /// The readings do not make a calibration (a fit that cannot be made).
        case notACalibration(String)
        /// The sensor refused the calibration, or read back something else.
        case sensorRefused(String)

        public var description: String {
            switch self {
            case .failed(let reason): reason
            case .disconnected(let reason): "the sensor went away during the run (\(reason)); nothing was written"
            case .cancelled: "interrupted; nothing was written"
            case .notACalibration(let reason): "the readings do not make a calibration: \(reason); nothing was written"
            case .sensorRefused(let reason): reason
            }
        }
    }

    public let plan: CalibrationRunPlan
    public let procedure: CalibrationProcedure
    private let connection: any SensorConnection
    private let session: CalibrationSession

    /// - Parameter onEvent: the recorder's events for the operator, on the connection's thread.
    public init(
        plan: CalibrationRunPlan, procedure: CalibrationProcedure, connection: any SensorConnection, recorder: any SessionRecording,
        onEvent: @escaping @Sendable (CalibrationRecorder.Event, CalibrationRecorder) -> Void
    ) {
        self.plan = plan
        self.procedure = procedure
        self.connection = connection
        let recording = CalibrationSession.Recording(
            block: { block in recorder.record(blocks: [block], events: []) },
            confirmed: { time in recorder.noteKey("enter", time: time) },
            disconnected: { reason in recorder.record(blocks: [], events: [.disconnected(reason: reason)]) })
        session = CalibrationSession(
            connection: connection, recorder: plan.recorder(procedure), recording: recording, channel: plan.channel, onEvent: onEvent)
    }

    /// The operator confirms the current step's mass is in place (Enter).
    public func confirm() { session.confirm() }

    /// Ends the run now (Ctrl-C, a recording that failed).
    public func requestStop() { session.cancel() }

    /// Streams until every reading is taken, then fits and issues the certificate.
    public func run() throws -> Certified {
        let points: [CalibrationPoint]
        switch try session.run() {
        case .complete(let taken): points = taken
        case .failed(let error): throw Failure.failed(error.description)
        case .disconnected(let reason): throw Failure.disconnected(reason)
        case .cancelled: throw Failure.cancelled
        }
        let issued: (certificate: CalibrationCertificate, analysis: CalibrationAnalysis, text: String)
        do {
            issued = try plan.certificate(points, procedure: procedure)
        } catch {
            throw Failure.notACalibration("\(error)")
        }
        let id = Array(SHA256.hash(Array((issued.text + "\n").utf8)).prefix(16))
        return Certified(
            certificate: issued.certificate, analysis: issued.analysis, text: issued.text, id: id, lostFrames: session.lostFrames)
    }

    /// Writes the calibration into the sensor and reads it back: the same
    /// bytes, and a blob that decodes for this sensor, or a failure. `blob`
    /// is the run's certificate's own unless given (a multi-channel sensor's
    /// blob holds the other channels' certificates too: `FlashCalibration`).
    public func store(_ certified: Certified, as merged: CalibrationBlob? = nil) throws(Failure) {
        let blob = (merged ?? certified.certificate.blob(certificateID: certified.id)).encoded()
        do {
            try connection.writeCalibration(blob)
        } catch {
            throw .sensorRefused("the sensor refused the calibration (\(error)); it keeps the one it had, and nothing was written")
        }
        let readBack = (try? connection.readCalibration()) ?? []
        guard readBack == blob, case .success = CalibrationBlob.decode(readBack, expectedSerial: connection.info.serial) else {
            throw .sensorRefused("the calibration read back from the sensor differs from the one written; no file was written")
        }
    }
}
