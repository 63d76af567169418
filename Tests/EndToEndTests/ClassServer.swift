import Foundation
import Testing

/// The throwaway PostgreSQL cluster that scripts/with-postgres.sh starts for
/// the tests (LIGHTTOUCH_TEST_PG: the superuser's URL), and psql to look
/// inside it as a given login.
enum ClassServer {
    static let environment = ProcessInfo.processInfo.environment
    static let adminURL = environment["LIGHTTOUCH_TEST_PG"]
    /// Run the class tests when a server is there; in CI, always (and fail without one).
    static let enabled = adminURL != nil || environment["CI"] != nil

    /// host, port from the admin URL.
    static func hostPort() throws -> (host: String, port: Int) {
        let url = try #require(adminURL.flatMap(URLComponents.init(string:)), "run the tests under scripts/with-postgres.sh")
        return (try #require(url.host), url.port ?? 5432)
    }

    /// A new database for one test, with the class schema; returns its admin URL.
    static func newClass() throws -> (url: String, database: String) {
        let (host, port) = try hostPort()
        let database = "lt_\(UUID().uuidString.prefix(8).lowercased())"
        let created = try psql(database: "postgres", "CREATE DATABASE \(database)")
        try #require(created.status == 0, "\(created.stderr)")
        let url = "postgresql://postgres@\(host):\(port)/\(database)?sslmode=disable"
        let initialised = try Programs.run("lighttouch", ["class", "init", url])
        try #require(initialised.status == 0, "\(initialised.stderr)")
        return (url, database)
    }

    /// psql as the superuser, or as `user` with `password` (through PGPASSWORD, never the command line).
    static func psql(database: String, user: String = "postgres", password: String? = nil, _ sql: String) throws -> Programs.Result {
        let (host, port) = try hostPort()
        var env = ["PGCONNECT_TIMEOUT": "5"]
        if let password { env["PGPASSWORD"] = password }
        return try Programs.run(
            "/usr/bin/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", "\(port)", "-U", user, "-d", database, "-c", sql],
            environment: env)
    }

    /// The one value a query returns, as the superuser.
    static func value(_ database: String, _ sql: String) throws -> String {
        let result = try psql(database: database, sql)
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Crashes the cluster (`pg_ctl -m immediate stop`) or starts it again.
    /// (Not through `Programs.run`: the server started inherits the pipes and would hold them open.)
    static func control(_ action: String) throws {
        let script = try #require(environment["LIGHTTOUCH_TEST_PG_SCRIPT"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "ctl", action]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        // The handler is set before the process starts, so its end cannot be missed.
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        try #require(ended.wait(timeout: .now() + 120) == .success, "with-postgres.sh ctl \(action) did not end in 120 s")
        try #require(process.terminationStatus == 0, "with-postgres.sh ctl \(action) failed")
    }

    /// A credentials file's password, for psql.
    static func password(inCredentials path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["password"] as? String)
    }

    /// Adds a station or an instructor; returns its credentials file.
    static func add(_ kind: String, _ name: String, classURL: String, in folder: String) throws -> String {
        let out = folder + "/\(UUID().uuidString).lighttouch-class"
        let added = try Programs.run("lighttouch", ["class", "add-\(kind)", name, "--class", classURL, "--out", out])
        try #require(added.status == 0, "\(added.stderr)")
        return out
    }

    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-class-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }
}
