import ArgumentParser
import Foundation

// Every failure is one line on stderr, `lighttouch-emulator: …`, with its own
// exit status (64 a bad option, 65 unreadable input, 66 a missing file);
// help prints as usual.
do {
    var command = try LightTouchEmulatorCommand.parseAsRoot()
    try command.run()
} catch let error as EmulatorError {
    FileHandle.standardError.write(Data("lighttouch-emulator: \(error.description)\n".utf8))
    exit(error.exitCode.rawValue)
} catch let error as ExitCode {
    exit(error.rawValue)
} catch {
    let code = LightTouchEmulatorCommand.exitCode(for: error)
    if code == .success { LightTouchEmulatorCommand.exit(withError: error) }  // --help
    let message = LightTouchEmulatorCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    FileHandle.standardError.write(Data("lighttouch-emulator: \(message) (see `lighttouch-emulator --help`)\n".utf8))
    exit(code.rawValue)
}
