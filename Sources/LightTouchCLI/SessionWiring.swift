import ArgumentParser
import Foundation
import Dispatch
import LightTouchCore
import LightTouchSession
import LightTouchTerminal
import Synchronization

/// Something running that can be asked to stop.
protocol Stoppable: AnyObject, Sendable {
    func requestStop()
}

extension LiveSession: Stoppable {}
extension LiveCalibration: Stoppable {}

/// A stop asked for before the session exists (a recording that fails at
/// once), passed on to the session once it does.
final class StopRequest: Sendable {
    private let state = Mutex<(requested: Bool, session: (any Stoppable)?)>((false, nil))

    func request() {
        let session = state.withLock { state -> (any Stoppable)? in
            state.requested = true
            return state.session
        }
        session?.requestStop()
    }

    func forward(to session: any Stoppable) {
        let requested = state.withLock { state -> Bool in
            state.session = session
            return state.requested
        }
        if requested { session.requestStop() }
    }
}

extension LiveSession {
    /// The session, or the user's one-line error for options that cannot make a filter.
    static func make(
        connection: any SensorConnection, configuration: PipelineConfiguration, conversion: ForceConversion, drill: Drill?,
        recorder: (any SessionRecording)?, endings: Endings, sink: (@Sendable ([ProcessedSample]) -> Void)? = nil,
        onEvent: (@Sendable (SensorEvent) -> Void)? = nil
    ) throws -> LiveSession {
        do {
            return try LiveSession(
                connection: connection, configuration: configuration, conversion: conversion, drill: drill, recorder: recorder,
                endings: endings, sink: sink, onEvent: onEvent)
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
    }
}

extension OutputBuffer {
    /// Connection events as note lines (not while a screen is up: it shows them itself).
    var noteConnection: @Sendable (SensorEvent) -> Void {
        { [self] event in
            switch event {
            case .disconnected(let reason): note("sensor disconnected: \(reason)")
            case .reconnected: note("sensor reconnected")
            case .stalled: note("sensor stalled")
            case .packet: break
            }
        }
    }
}

extension UserError {
    /// Runs a full screen; a terminal that cannot be used is the user's one-line error.
    static func onTerminal<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TerminalError {
            throw UserError(error.description)
        }
    }
}

/// Text for a person on a terminal: in a locale whose codeset is not UTF-8,
/// the same text in ASCII, as the ASCII screen draws it (`±` as `+-`, `…` as
/// `...`), so status lines and tables never show as replacement characters.
/// Files, pipes and JSON keep their UTF-8.
enum ConsoleText {
    static let asciiOnly: Bool = {
        guard isatty(STDOUT_FILENO) == 1 else { return false }
        let codeset = TerminalCapabilities.detect(environment: ProcessInfo.processInfo.environment).codeset
        return codeset.uppercased().filter { $0.isLetter || $0.isNumber } != "UTF8"
    }()

    static func forTerminal(_ text: String) -> String {
        guard asciiOnly else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { Glyphs.ascii(String($0)) }.joined(separator: "\n")
    }
}
