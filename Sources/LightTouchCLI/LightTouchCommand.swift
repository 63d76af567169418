import ArgumentParser
import LightTouchCore
import LightTouchSession
#if canImport(Glibc)
    import Glibc
#endif

public struct LightTouchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lighttouch",
        abstract: "A light-touch palpation trainer: live feedback on a 5 g hold from a USB force sensor.",
        discussion: """
            With no sensor plugged in, add `--sensor demo` to any command to use the built-in demo sensor.
            """,
        version: LightTouchVersion.current,
        subcommands: [PracticeCommand.self, DrillsCommand.self, DevicesCommand.self, StreamCommand.self, ReplayCommand.self, SessionsCommand.self, ExportCommand.self, AssessCommand.self, ProtocolsCommand.self, GradesCommand.self, ProgressCommand.self, ReportCommand.self, BenchCommand.self, CalibrateCommand.self, ClassCommand.self]
    )
    public init() {}

    /// Parses the command line and runs the command. Every failure is one
    /// line on stderr and a nonzero exit; help and version print as usual.
    public static func runMain(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch let error as UserError {
            printError(error.description)
            Glibc.exit(error.exitCode.rawValue)
        } catch let error as RescoringError {
            // A recording that cannot be scored again: its data (EX_DATAERR) or the options asked for (EX_USAGE).
            printError(error.description)
            Glibc.exit(error.kind == .data ? 65 : 64)
        } catch let error as ExitCode {
            Glibc.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Self.exit(withError: error)  // --help, --version
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            printError("\(message) (see `lighttouch help`)")
            Glibc.exit(code.rawValue)
        }
    }
}

public enum LightTouchVersion {
    public static let current = "0.1.0"
}

/// One line on stderr, prefixed with the program's name.
func printError(_ message: String) {
    // Whatever a message quotes (a file's content, a name), no control character reaches the terminal.
    let line = Array("lighttouch: \(PrintableText.escaped(message))\n".utf8)
    line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
