#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tells a session being recorded now from one whose recording died: the
/// recording process holds an exclusive `flock(2)` on
/// `<data dir>/recording/<id>.lock` for as long as it records. The kernel
/// drops the lock when the process ends in any way (`kill -9` included), so
/// a session marked `interrupted` whose lock nobody holds was cut off, and
/// one whose lock is held is still `recording`. A pid check could be fooled
/// by a reused pid; the lock cannot.
struct RecordingLock: Sendable {
    private let fd: Int32
    private var path: String

    static func directory(_ data: DataDirectory) -> String { data.path + "/recording" }

    static func path(_ data: DataDirectory, session id: Int64) -> String { directory(data) + "/\(id).lock" }

    /// Takes a lock for a session about to be inserted, under a name of its
    /// own; `assign(to:)` gives it the session's name once the session has
    /// an id, so that there is no moment at which the new session exists
    /// and its lock does not. Nil when it cannot (the session is still
    /// recorded, but `sessions` shows it as `interrupted` while it runs).
    init?(pendingIn data: DataDirectory) {
        self.init(path: Self.directory(data) + "/pending-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).lock", in: data)
    }

    private init?(path: String, in data: DataDirectory) {
        _ = mkdir(Self.directory(data), 0o700)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.path = path
    }

    /// Names the lock after session `id` (the lock stays held: it is on the file, not its name).
    mutating func assign(to id: Int64, in data: DataDirectory) {
        let target = Self.path(data, session: id)
        if rename(path, target) == 0 { path = target }
    }

    /// The recording ended: the lock file goes, then the lock. Call once;
    /// a process that ends without calling it loses the lock all the same.
    func release() {
        unlink(path)
        close(fd)
    }

    /// Whether a live process is recording session `id` now.
    static func isHeld(_ data: DataDirectory, session id: Int64) -> Bool {
        let fd = open(path(data, session: id), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { return false }
        return errno == EWOULDBLOCK
    }

    /// Removes the lock file a dead recording left behind, unless it is held.
    static func removeStale(_ data: DataDirectory, session id: Int64) {
        let path = path(data, session: id)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
    }
}
