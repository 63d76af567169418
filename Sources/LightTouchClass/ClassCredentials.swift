import Foundation
import LightTouchCore

#if canImport(Glibc)
    import Glibc
#endif

/// A station's or an instructor's login to the class: a small JSON file,
/// readable by its owner only, written by `class add-station`/`add-instructor`:
///
///     {"lighttouch_class_credentials": 1, "role": "station", "name": "…",
///      "url": "postgresql://…?sslmode=prefer", "password": "…"}
///
/// The reader refuses other versions, missing fields, and a file that others
/// may read (as libpq refuses such a `.pgpass`).
public struct ClassCredentials: Sendable, Equatable {
    public static let version = 1

    public enum Role: String, Sendable {
        case station, instructor
    }

    public var role: Role
    public var name: String
    public var endpoint: ClassEndpoint

    public init(role: Role, name: String, endpoint: ClassEndpoint) {
        self.role = role
        self.name = name
        self.endpoint = endpoint
    }

    public var json: String {
        var withoutPassword = endpoint
        withoutPassword.password = nil
        return JSONValue.object([
            ("lighttouch_class_credentials", .int(Self.version)), ("role", .string(role.rawValue)), ("name", .string(name)),
            ("url", .string(withoutPassword.url)), ("password", .string(endpoint.password ?? "")),
        ]).serialized() + "\n"
    }

    /// Writes a new file with mode 0600; never replaces an existing one.
    public func write(path: String) throws(ClassError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "already exists; remove it or choose another with --out" : String(cString: strerror(errno))
            throw .badCredentials(path: path, reason: "cannot write the credentials file: \(reason)")
        }
        defer { close(fd) }
        // The mode given to open is masked by the umask; make sure it is exactly owner-only.
        fchmod(fd, 0o600)
        let bytes = Array(json.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw .badCredentials(path: path, reason: "cannot write the credentials file: \(reason)")
            }
            written += n
        }
        if fsync(fd) != 0 {
            unlink(path)
            throw .badCredentials(path: path, reason: "cannot write the credentials file: \(String(cString: strerror(errno)))")
        }
    }

    public static func read(path: String) throws(ClassError) -> ClassCredentials {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT
                ? "no such credentials file (and not a postgresql:// URL); make one with `lighttouch class add-station NAME`"
                : "cannot read the credentials file (\(String(cString: strerror(errno))))"
            throw .badCredentials(path: path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .badCredentials(path: path, reason: "is not a credentials file (not a regular file)") }
        if info.st_mode & 0o077 != 0 {
            throw .badCredentials(
                path: path, reason: "others may read this credentials file; make it owner-only with `chmod 600` and try again")
        }
        guard info.st_size < 64 * 1024, let data = FileManager.default.contents(atPath: path) else {
            throw .badCredentials(path: path, reason: "is not a credentials file (too large or unreadable)")
        }
        let value: JSONValue
        do {
            value = try JSONReader.parse(Array(data))
        } catch {
            throw .badCredentials(path: path, reason: "is not a credentials file (\(error.description))")
        }
        guard let version = value["lighttouch_class_credentials"]?.intValue else {
            throw .badCredentials(path: path, reason: "is not a LightTouch class credentials file")
        }
        guard version == Self.version else {
            throw .badCredentials(
                path: path, reason: "is a version \(version) credentials file; this LightTouch reads version \(Self.version)")
        }
        guard let roleName = value["role"]?.stringValue, let role = Role(rawValue: roleName), let name = value["name"]?.stringValue,
            let url = value["url"]?.stringValue, let password = value["password"]?.stringValue
        else {
            throw .badCredentials(path: path, reason: "is damaged: it needs role, name, url and password")
        }
        var endpoint: ClassEndpoint
        do {
            endpoint = try ClassEndpoint.parse(url, allowPassword: false)
        } catch {
            throw .badCredentials(path: path, reason: "holds a bad URL (\(error.description))")
        }
        endpoint.password = password
        return ClassCredentials(role: role, name: name, endpoint: endpoint)
    }

    /// A new random password: 24 characters from 62 (about 143 bits), from
    /// the system's cryptographic generator.
    public static func newPassword() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
