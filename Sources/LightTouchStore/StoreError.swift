/// Everything that can go wrong with the recordings database, each as one
/// line a person can act on. The path is always named.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data directory could not be created or entered.
    case cannotCreateDirectory(path: String, reason: String)
    /// The data directory (or the database in it) cannot be written.
    case readOnly(path: String)
    /// Too little free space to start a recording.
    case diskFull(path: String, freeBytes: Int64)
    /// The file is not an SQLite database, or is damaged.
    case notADatabase(path: String, detail: String)
    /// An SQLite database, but another program's.
    case foreignDatabase(path: String)
    /// Made by a newer LightTouch: migrations this one does not know.
    case newerSchema(path: String)
    /// No recording with that id.
    case unknownSession(id: Int64, path: String)
    /// Any other SQLite failure.
    case sqlite(path: String, message: String)
    /// A recording stopped mid-session; what was written before stays.
    case recordingStopped(sessionID: Int64, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            "\(path): cannot create the data directory (\(reason)); choose another with --data-dir or LIGHTTOUCH_DATA"
        case .readOnly(let path):
            "\(path): the data directory is read-only, so the session cannot be recorded; choose another with --data-dir or LIGHTTOUCH_DATA"
        case .diskFull(let path, let freeBytes):
            "\(path): the disk is full (\(freeBytes / 1_048_576) MB free, \(RecordingStore.minimumFreeBytes / 1_048_576) MB needed to record); free some space or choose another --data-dir"
        case .notADatabase(let path, let detail):
            "\(path): not a LightTouch database (\(detail)); move it aside, or choose another --data-dir"
        case .foreignDatabase(let path):
            "\(path): an SQLite database, but not LightTouch's; move it aside, or choose another --data-dir"
        case .newerSchema(let path):
            "\(path): written by a newer LightTouch; update LightTouch to read it (nothing was changed)"
        case .unknownSession(let id, let path):
            "no session \(id) in \(path) (`lighttouch sessions` lists them)"
        case .sqlite(let path, let message):
            "\(path): \(message)"
        case .recordingStopped(let id, let reason):
            "the recording of session \(id) stopped (\(reason)); everything up to then is kept, marked interrupted"
        }
    }
}
