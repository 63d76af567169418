import Foundation
import LightTouchClass
import Testing

/// `sslmode` against a real PostgreSQL server that speaks TLS
/// (scripts/with-postgres.sh signs its certificate, for 127.0.0.1 and
/// localhost, with a throwaway CA in LIGHTTOUCH_TEST_PG_CA). The server's own
/// view (`pg_stat_ssl`) says whether the connection is encrypted.
@Suite(.enabled(if: TestServer.enabled, "needs LIGHTTOUCH_TEST_PG: run under scripts/with-postgres.sh"))
struct ClassTLSTests {
    /// The superuser's endpoint with `sslmode` (and `sslrootcert`) set, on `host`.
    static func endpoint(_ mode: String, rootCert: String? = nil, host: String? = nil) throws -> ClassEndpoint {
        let text = try #require(TestServer.environment["LIGHTTOUCH_TEST_PG"], "run the tests under scripts/with-postgres.sh")
        var endpoint = try ClassEndpoint.parse(text, allowPassword: true)
        endpoint.sslMode = try #require(ClassEndpoint.SSLMode(rawValue: mode))
        endpoint.sslRootCert = rootCert
        if let host { endpoint.host = host }
        return endpoint
    }

    static func certificateAuthority() throws -> String {
        try #require(TestServer.environment["LIGHTTOUCH_TEST_PG_CA"], "scripts/with-postgres.sh sets LIGHTTOUCH_TEST_PG_CA")
    }

    /// Whether the server sees this connection encrypted, and with which protocol.
    static func encryption(_ endpoint: ClassEndpoint) async throws -> (ssl: Bool, version: String?) {
        try await withConnection(endpoint) { db in
            let rows = try await db.rows("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            return try #require(rows.first).decode((Bool, String?).self)
        }
    }

    @Test func disableIsPlainAndEveryOtherModeIsEncrypted() async throws {
        #expect(try await Self.encryption(Self.endpoint("disable")).ssl == false)
        for mode in ["allow", "prefer", "require"] {
            let (ssl, version) = try await Self.encryption(Self.endpoint(mode))
            #expect(ssl, "sslmode=\(mode)")
            #expect(version?.hasPrefix("TLSv1.") == true, "sslmode=\(mode): \(version ?? "no version")")
        }
    }

    @Test func verifyFullAcceptsTheServerItsCANamesByIPAndByName() async throws {
        let ca = try Self.certificateAuthority()
        #expect(try await Self.encryption(Self.endpoint("verify-full", rootCert: ca)).ssl)
        #expect(try await Self.encryption(Self.endpoint("verify-full", rootCert: ca, host: "localhost")).ssl)
        #expect(try await Self.encryption(Self.endpoint("verify-ca", rootCert: ca)).ssl)
    }

    /// Without the class's CA the server's certificate is not trusted: one
    /// TLS error that names the cause, never a plain-text fallback.
    @Test func anUntrustedCertificateIsRefused() async throws {
        for mode in ["verify-ca", "verify-full"] {
            let endpoint = try Self.endpoint(mode)
            do {
                try await withConnection(endpoint) { _ in }
                Issue.record("sslmode=\(mode) without the CA connected")
            } catch let error as ClassError {
                guard case .tls(let place, let reason) = error else {
                    Issue.record("sslmode=\(mode): \(error)")
                    continue
                }
                #expect(place == endpoint.description)
                #expect(reason.contains("certificate"), "\(reason)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
