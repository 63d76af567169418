import Foundation

/// A real terminal for the built `lighttouch`: a private tmux server with one
/// window running a plain bash, driven with send-keys and read with
/// capture-pane. Waits poll the pane until the expected text appears, with a
/// timeout; nothing sleeps to synchronise.
final class PracticeTmux {
    /// Why tmux cannot be used here, or nil.
    static let unavailableReason: String? = {
        guard FileManager.default.isExecutableFile(atPath: Programs.path("lighttouch")) else {
            return "the built lighttouch is not next to the test bundle"
        }
        guard let result = try? command(["tmux", "-V"]), result.status == 0 else {
            return "tmux is not installed (scripts/install-deps.sh)"
        }
        return nil
    }()

    static var isAvailable: Bool { unavailableReason == nil }

    /// The shell's prompt, so a test can see the shell is back.
    static let prompt = "lt-shell$ "

    let socket = "lighttouch-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    let session = "practice"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The shell's environment: a UTF-8 locale on tmux's `screen` terminal,
    /// and the test run's own home (`Programs.home`), so that a session
    /// recorded without `--data-dir` lands in this run's data directory.
    static let environment: KeyValuePairs<String, String> = [
        "PATH": "/usr/bin:/bin", "HOME": Programs.home, "TERM": "screen", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
    ]

    /// - Parameter environment: variables to set in the shell's environment
    ///   (replacing `PracticeTmux.environment`'s), or, when nil, to leave unset.
    init(columns: Int = 100, rows: Int = 30, environment overrides: [String: String?] = [:]) throws {
        var variables: [String] = []
        for (name, value) in Self.environment where !overrides.keys.contains(name) {
            variables.append("\(name)='\(value)'")
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            if let value { variables.append("\(name)='\(value)'") }
        }
        try tmux(
            "new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)",
            "env -i \(variables.joined(separator: " ")) PS1='\(Self.prompt)' bash --norc --noprofile")
        // capture-pane drops trailing spaces: look for the prompt without its space.
        _ = try waitFor("the shell's prompt") { $0.contains(Self.prompt.trimmingCharacters(in: .whitespaces)) }
    }

    deinit {
        _ = try? tmux("kill-server")
        // kill-server leaves the socket file behind.
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        unlink("\(directory)/tmux-\(getuid())/\(socket)")
    }

    @discardableResult
    func tmux(_ arguments: String...) throws -> String {
        try tmux(arguments)
    }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let result = try Self.command(["tmux", "-L", socket] + arguments)
        guard result.status == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")): \(result.output)")
        }
        return result.output
    }

    /// Runs a short command to its end with posix_spawn and waitpid. Its
    /// output goes through a file, not a pipe, so that a daemon it starts (the
    /// tmux server) cannot hold a read open; and it starts with no signal
    /// blocked and the usual ones at their defaults, because the test runner's
    /// threads block most signals and a child would inherit that (the program
    /// under test would then never see SIGINT, SIGTERM or SIGWINCH).
    static func command(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lt-tmux-\(UUID().uuidString)").path
        defer { unlink(path) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGWINCH, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(arguments.joined(separator: " ")): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// Types a command line into the shell and presses Enter.
    func run(_ commandLine: String) throws {
        try tmux("send-keys", "-t", session, "-l", commandLine)
        try tmux("send-keys", "-t", session, "Enter")
    }

    /// Presses keys by tmux's names (`Up`, `C-c`, `Space`, `q`).
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", session] + keys)
    }

    func press(contentsOf keys: [String]) throws {
        try tmux(["send-keys", "-t", session] + keys)
    }

    /// The visible pane as text.
    func capture() throws -> String {
        try tmux("capture-pane", "-p", "-t", session)
    }

    /// The pane with its escape sequences (colours and attributes).
    func captureWithEscapes() throws -> String {
        try tmux("capture-pane", "-p", "-e", "-t", session)
    }

    /// A tmux format for the pane (`#{alternate_on}`, `#{cursor_flag}`).
    func display(_ format: String) throws -> String {
        try tmux("display-message", "-p", "-t", session, format).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func resize(columns: Int, rows: Int) throws {
        try tmux("resize-window", "-t", session, "-x", "\(columns)", "-y", "\(rows)")
    }

    /// Polls the pane until `condition` holds; returns the pane. Throws with
    /// the last pane when `timeout` passes first.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var pane = ""
        repeat {
            pane = try capture()
            if condition(pane) { return pane }
            usleep(50_000)  // the polling interval, not a synchronisation
        } while Date() < deadline
        throw Failure(description: "timed out after \(timeout) s waiting for \(what); the pane:\n\(pane)")
    }

    @discardableResult
    func waitFor(_ text: String, timeout: Double = 20) throws -> String {
        try waitFor("`\(text)`", timeout: timeout) { $0.contains(text) }
    }

    /// The pid of the program running in the shell (the shell's child).
    func programPID() throws -> Int32 {
        let shell = try display("#{pane_pid}")
        let result = try Self.command(["pgrep", "-P", shell])
        guard let pid = result.output.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw Failure(description: "no program runs under the shell \(shell)")
        }
        return pid
    }

    /// After the program exits: the shell's prompt is back on the normal
    /// screen, and the terminal echoes and reads lines again.
    @discardableResult
    func expectTerminalRestored() throws -> String {
        let pane = try waitFor("the prompt after the program") { pane in
            pane.split(separator: "\n").last.map { $0.hasPrefix(Self.prompt.trimmingCharacters(in: .whitespaces)) } ?? false
        }
        guard try display("#{alternate_on}") == "0" else { throw Failure(description: "still on the alternate screen:\n\(pane)") }
        guard try display("#{cursor_flag}") == "1" else { throw Failure(description: "the cursor is still hidden") }
        try run("stty -a | tr ' ' '\\n' | grep -x -e echo -e icanon -e icrnl | sort | tr '\\n' ' '; echo")
        try waitFor("echo icanon icrnl")
        return pane
    }
}
