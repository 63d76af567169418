import ArgumentParser

/// A failure the user can act on: one line on stderr, and an exit status in
/// the spirit of sysexits(3) so scripts can tell the cases apart.
struct UserError: Error, CustomStringConvertible {
    let description: String
    let exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = .failure) {
        description = message
        self.exitCode = exitCode
    }

    /// Bad input data (a file that cannot be read or parsed): EX_DATAERR.
    static func data(_ message: String) -> UserError { UserError(message, exitCode: ExitCode(65)) }
    /// No sensor, or it went away: EX_UNAVAILABLE.
    static func unavailable(_ message: String) -> UserError { UserError(message, exitCode: ExitCode(69)) }
    /// Permission denied: EX_NOPERM.
    static func permission(_ message: String) -> UserError { UserError(message, exitCode: ExitCode(77)) }
    /// Busy or temporarily failing: EX_TEMPFAIL.
    static func busy(_ message: String) -> UserError { UserError(message, exitCode: ExitCode(75)) }
}
