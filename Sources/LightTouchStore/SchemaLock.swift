#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Serialises opening the database between programs: two `lighttouch`
/// processes started at once on a new data directory would otherwise both
/// find the schema missing and both try to build it ("table grade already
/// exists"), or race to switch the new file to WAL ("database is locked").
/// The opener holds an exclusive `flock(2)` on `<data dir>/lighttouch.sqlite.lock`
/// from before the pool is opened until the migrations are done; the kernel
/// drops it if the process dies. Nil when the lock file can be neither
/// created nor opened (a read-only directory): then nothing can be migrated
/// there either, and opening goes on unlocked.
struct SchemaLock {
    private let fd: Int32

    init?(_ directory: DataDirectory) {
        let path = directory.databasePath + ".lock"
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(fd)
                return nil
            }
        }
        self.fd = fd
    }

    /// Lets the next opener in (closing the file drops the lock).
    func release() { close(fd) }
}
