import Foundation
import LightTouchClass
import LightTouchCore
import Testing

/// Whether a test server is there (in CI it must be: the tests then fail without one).
enum TestServer {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["LIGHTTOUCH_TEST_PG"] != nil || environment["CI"] != nil
}

/// The class schema's migrations against a real PostgreSQL server
/// (scripts/with-postgres.sh sets LIGHTTOUCH_TEST_PG). One at a time: the
/// migrations create the cluster-wide station and instructor roles, and two
/// run at once on one cluster race on them (in CI one of three failed, and
/// its connection, released unclosed, tripped postgres-nio's assertion).
@Suite(.enabled(if: TestServer.enabled, "needs LIGHTTOUCH_TEST_PG: run under scripts/with-postgres.sh"), .serialized)
struct ClassSchemaTests {
    static let environment = TestServer.environment

    /// A new, empty database; returns the admin endpoint to it.
    static func newDatabase() async throws -> ClassEndpoint {
        let text = try #require(environment["LIGHTTOUCH_TEST_PG"], "run the tests under scripts/with-postgres.sh")
        let admin = try ClassEndpoint.parse(text, allowPassword: true)
        let name = "lt_schema_\(UUID().uuidString.prefix(8).lowercased())"
        try await withConnection(admin) { db in try await db.run(.init(unsafeSQL: "CREATE DATABASE \(name)")) }
        var endpoint = admin
        endpoint.database = name
        return endpoint
    }

    @Test func anOlderSchemaIsMigratedWithItsData() async throws {
        let endpoint = try await Self.newDatabase()
        try await withConnection(endpoint) { db in
            let first = try await ClassSchema.migrate(db, upTo: 1)
            #expect(first.map(\.version) == [1])
            #expect(try await ClassSchema.installedVersion(db) == 1)
            await #expect(throws: ClassError.self) { try await ClassSchema.check(db) }
            try await db.run(
                """
                INSERT INTO lighttouch.session (uuid, station, local_id, kind, started_at, status, sensor, setup)
                VALUES ('00000000-0000-0000-0000-000000000001', 'old-station', 1, 'practice', '2026-01-01T00:00:00Z', 'complete', 'LT-1', '{}')
                """)
            let second = try await ClassSchema.migrate(db)
            #expect(second.map(\.version) == [2])
            #expect(try await ClassSchema.installedVersion(db) == ClassSchema.current)
            try await ClassSchema.check(db)
            let rows = try await db.rows("SELECT station::text FROM lighttouch.session")
            #expect(try rows.map { try $0.decode(String.self) } == ["old-station"])
            let live = try await db.rows("SELECT to_regclass('lighttouch.live') IS NOT NULL")
            #expect(try live.first?.decode(Bool.self) == true)
            // A current schema: nothing to do.
            #expect(try await ClassSchema.migrate(db).isEmpty)
        }
    }

    @Test func aNewerSchemaIsRefusedUnchanged() async throws {
        let endpoint = try await Self.newDatabase()
        try await withConnection(endpoint) { db in
            try await ClassSchema.migrate(db)
            try await db.run("INSERT INTO lighttouch.schema_version (version, name) VALUES (99, 'from the future')")
            await #expect(throws: ClassError.schema(
                "the class database has schema version 99, newer than this LightTouch's \(ClassSchema.current); update LightTouch")) {
                try await ClassSchema.migrate(db)
            }
            #expect(try await ClassSchema.installedVersion(db) == 99)
        }
    }

    @Test func aURLsPasswordIsNeverShown() throws {
        #expect(throws: ClassError.passwordOnCommandLine) {
            try ClassEndpoint.parse("postgresql://u:hunter2@h/d", allowPassword: false)
        }
        let endpoint = try ClassEndpoint.parse("postgresql://u%27x:hunter2@h:6543/d?sslmode=require", allowPassword: true)
        #expect(endpoint.user == "u'x")
        #expect(endpoint.password == "hunter2")
        #expect(endpoint.sslMode == .require)
        #expect(endpoint.url == "postgresql://u%27x@h:6543/d?sslmode=require")
        #expect(!endpoint.description.contains("hunter2"))
    }

    /// The password travels only as a SCRAM verifier; the server accepts the
    /// password itself at login, and the role is a member of the station group.
    @Test func aNewStationLogsInWithItsPassword() async throws {
        var endpoint = try await Self.newDatabase()
        let name = "v'; -- \(UUID().uuidString.prefix(6))"
        let password = try await withConnection(endpoint) { db in
            try await ClassSchema.migrate(db)
            let password = try await ClassSchema.addMember(db, name: name, role: .station)
            #expect(password.count == 24)
            await #expect(throws: ClassError.self) { try await ClassSchema.addMember(db, name: name, role: .station) }
            return password
        }
        endpoint.user = name
        endpoint.password = password
        let rows = try await withConnection(endpoint) { station in
            try await station.rows("SELECT current_user::text, pg_has_role(current_user, 'lighttouch_station', 'member')")
        }
        let (user, member) = try #require(rows.first).decode((String, Bool).self)
        #expect(user == name)
        #expect(member)
        endpoint.password = "not" + password
        await #expect(throws: ClassError.authentication(
            endpoint: endpoint.description, user: name, reason: "password authentication failed for user \"\(name)\"")) {
            try await withConnection(endpoint) { _ in }
        }
    }
}

/// `ClassConnection.with` for test bodies, which throw more than
/// `ClassError` (`#require`, decoding): the connection is closed however the
/// body ends, so a failed expectation never leaves one unclosed (postgres-nio
/// asserts on that in debug builds, which ends the whole test process).
func withConnection<T: Sendable>(_ endpoint: ClassEndpoint, _ body: (ClassConnection) async throws -> T) async throws -> T {
    var failure: (any Error)?
    let value = try await ClassConnection.with(endpoint) { db throws(ClassError) -> T? in
        do {
            return try await body(db)
        } catch {
            failure = error
            return nil
        }
    }
    if let failure { throw failure }
    return try #require(value)
}
