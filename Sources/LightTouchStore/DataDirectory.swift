#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where recordings live: `--data-dir`, else `LIGHTTOUCH_DATA`, else
/// `$XDG_DATA_HOME/lighttouch` (XDG Base Directory Specification), else
/// `~/.local/share/lighttouch`. Students' names and grades are personal data:
/// the directory is made readable by its owner only, and nothing is written outside it.
public struct DataDirectory: Sendable, Equatable {
    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The directory the options and environment choose.
    public static func resolve(explicit: String?, environment: [String: String]) -> DataDirectory {
        if let explicit, !explicit.isEmpty { return DataDirectory(path: explicit) }
        if let chosen = environment["LIGHTTOUCH_DATA"], !chosen.isEmpty { return DataDirectory(path: chosen) }
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return DataDirectory(path: xdg + "/lighttouch") }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        return DataDirectory(path: home + "/.local/share/lighttouch")
    }

    /// The database file.
    public var databasePath: String { path + "/lighttouch.sqlite" }

    public var exists: Bool { access(databasePath, F_OK) == 0 }

    /// Creates the directory (and its parents) with mode 0700 if needed.
    func create() throws(StoreError) {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o700) != 0, errno != EEXIST {
                let reason = String(cString: strerror(errno))
                if errno == EROFS || errno == EACCES { throw .readOnly(path: path) }
                throw .cannotCreateDirectory(path: path, reason: reason)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .cannotCreateDirectory(path: path, reason: "not a directory")
        }
    }

    /// Checks that a recording can start: the directory is writable and has room.
    func checkWritable(minimumFreeBytes: Int64) throws(StoreError) {
        if access(path, W_OK) != 0 { throw .readOnly(path: path) }
        var fs = statvfs()
        if statvfs(path, &fs) == 0 {
            if (fs.f_flag & UInt(ST_RDONLY)) != 0 { throw .readOnly(path: path) }
            let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
            if free < minimumFreeBytes { throw .diskFull(path: path, freeBytes: free) }
        }
    }
}
