import CLightTouchEmulatorSupport
import Foundation
import LightTouchEmulator

#if canImport(Glibc)
    import Glibc
#endif

/// The emulator itself must run with umockdev's preload library: the testbed
/// sends uevents through libudev, which must see the testbed's /sys.
enum Preload {
    /// Re-executes this program with the preload library when it is missing.
    static func ensure() throws {
        let current = ProcessInfo.processInfo.environment["LD_PRELOAD"] ?? ""
        if current.contains("libumockdev-preload") { return }
        let preload = current.isEmpty ? EmulatedSensor.preloadLibrary : EmulatedSensor.preloadLibrary + ":" + current
        setenv("LD_PRELOAD", preload, 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        // The real path, not /proc/self/exe, so that ps shows our name.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        execv(executable, &argv)
        throw EmulatorError("cannot re-run myself with \(EmulatedSensor.preloadLibrary): \(String(cString: strerror(errno)))")
    }
}

/// Starting and waiting for COMMAND.
enum Spawn {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `command` (looked up in PATH) with this process's environment,
    /// which holds LD_PRELOAD and UMOCKDEV_DIR, and a shell's signal state.
    static func run(_ command: [String]) throws -> pid_t {
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = lte_spawn(&pid, command[0], &argv, environ)
        if result != 0 {
            throw Failure(description: "cannot run \(command[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Waits for `pid`; its exit status, or 128+N when signal N ended it.
    static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
