import ArgumentParser
import Foundation
import LightTouchClass
import LightTouchCore
import LightTouchSession
import LightTouchStore

/// `--class`: the class a station uploads to, or an instructor reads.
struct ClassOptions: ParsableArguments {
    @Option(
        name: .customLong("class"),
        help: ArgumentHelp(
            "The class: a credentials file from `class add-station`/`add-instructor`, or a postgresql:// URL (without a password). "
                + "Default: $LIGHTTOUCH_CLASS, else the first line of ~/.config/lighttouch/class.",
            valueName: "file|url"))
    var classTarget: String?

    /// The class's endpoint with its password, or nil when none is named.
    func resolve() throws -> ClassEndpoint? {
        let environment = ProcessInfo.processInfo.environment
        do {
            guard let named = try ClassLocator.named(explicit: classTarget, environment: environment) else { return nil }
            return try ClassLocator.resolve(named.text, source: named.source, environment: environment).0
        } catch {
            throw UserError(error)
        }
    }

    /// The endpoint; an error saying how to name one when none is.
    func required() throws -> ClassEndpoint {
        guard let endpoint = try resolve() else {
            throw UserError(
                "no class named: give --class FILE|URL, set LIGHTTOUCH_CLASS, or write the URL or credentials file in ~/.config/lighttouch/class",
                exitCode: ExitCode(64))
        }
        return endpoint
    }
}

extension UserError {
    /// A class error, with an exit status in the spirit of sysexits(3).
    init(_ error: ClassError) {
        switch error {
        case .badURL, .passwordOnCommandLine, .badName: self.init(error.description, exitCode: ExitCode(64))
        case .badCredentials: self.init(error.description, exitCode: ExitCode(66))
        case .unreachable, .tls: self.init(error.description, exitCode: ExitCode(69))
        case .authentication: self.init(error.description, exitCode: ExitCode(77))
        case .schema: self.init(error.description, exitCode: ExitCode(78))
        case .server, .other: self.init(error.description, exitCode: ExitCode(70))
        }
    }
}

/// A station's link to its class during a live session: uploads (of this
/// session and anything still pending) and live state, both in the
/// background. Neither can slow or stop the session; at the end it waits
/// briefly for this session's upload and says where it stands.
final class ClassStation: Sendable {
    let uploader: ClassUploader
    let publisher: LivePublisher
    let sessionID: Int64
    let store: RecordingStore

    /// How long the end of a session waits for its upload.
    static let finishTimeout = Duration.seconds(10)

    init(endpoint: ClassEndpoint, store: RecordingStore, sessionID: Int64, live: @escaping @Sendable () -> JSONValue?) throws {
        do {
            _ = try store.queueUpload(session: sessionID)
        } catch {
            throw UserError("cannot queue session \(sessionID) for the class: \(error)")
        }
        self.store = store
        self.sessionID = sessionID
        uploader = ClassUploader(endpoint: endpoint, outbox: store)
        publisher = LivePublisher(endpoint: endpoint, state: live)
        uploader.start()
        publisher.start()
    }

    /// Call after the session is complete (and graded). Returns the error a
    /// command should end with (a refused login), or nil; prints a line when
    /// the upload is left for later.
    func finish() -> UserError? {
        publisher.stop()
        // Queued again: a grade added after the recording completed goes too.
        _ = try? store.queueUpload(session: sessionID)
        let status = uploader.waitForUpload(of: sessionID, timeout: Self.finishTimeout)
        uploader.stop()
        if status.finished.contains(sessionID) { return nil }
        let later = "session \(sessionID) is recorded here and queued; `lighttouch class sync` sends it (so does the next session)"
        guard let error = status.lastError else {
            printError("class: the upload is still going; \(later)")
            return nil
        }
        switch error {
        case .unreachable, .tls:
            printError("class: \(error.description); \(later)")
            return nil
        default:
            return UserError("class: \(UserError(error).description); \(later)", exitCode: UserError(error).exitCode)
        }
    }
}
