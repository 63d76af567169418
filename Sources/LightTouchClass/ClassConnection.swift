import Foundation
import Logging
import LightTouchCore
import PostgresNIO
import Synchronization

/// A connection to the class database, and the one place where
/// postgres-nio's errors become `ClassError`s that say what to do.
public final class ClassConnection: Sendable {
    public let endpoint: ClassEndpoint
    let connection: PostgresConnection
    let logger: Logger

    private init(endpoint: ClassEndpoint, connection: PostgresConnection, logger: Logger) {
        self.endpoint = endpoint
        self.connection = connection
        self.logger = logger
    }

    /// A logger that drops everything: postgres-nio logs nothing a user needs.
    public static let quietLogger = Logger(label: "lighttouch.class", factory: { _ in SwiftLogNoOpLogHandler() })

    private static let ids = Atomic<Int>(0)

    /// Connects and logs in.
    /// - Parameter timeout: for the TCP connection and the login.
    public static func connect(
        _ endpoint: ClassEndpoint, timeout: Duration = .seconds(5), logger: Logger = quietLogger
    ) async throws(ClassError) -> ClassConnection {
        var configuration = PostgresConnection.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: endpoint.password,
            database: endpoint.database, tls: try tls(for: endpoint))
        configuration.options.connectTimeout = .milliseconds(Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        // verify-full checks the certificate's names against the host: a DNS
        // name through SNI; an IP address (which SNI may not carry) against
        // the certificate's IP addresses, which NIOSSL does by itself when
        // no server name is given.
        configuration.options.tlsServerName = endpoint.sslMode == .verifyFull && !Self.isIPAddress(endpoint.host) ? endpoint.host : nil
        do {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: ids.wrappingAdd(1, ordering: .relaxed).newValue, logger: logger)
            return ClassConnection(endpoint: endpoint, connection: connection, logger: logger)
        } catch {
            throw mapped(error, endpoint: endpoint)
        }
    }

    /// Connects, runs `body` and closes the connection however `body` ends.
    /// Every connection must be closed before it is released (postgres-nio
    /// asserts so in debug builds): use this wherever one piece of work
    /// needs a connection.
    public static func with<T: Sendable>(
        _ endpoint: ClassEndpoint, timeout: Duration = .seconds(5), logger: Logger = quietLogger,
        _ body: (ClassConnection) async throws(ClassError) -> T
    ) async throws(ClassError) -> T {
        let db = try await connect(endpoint, timeout: timeout, logger: logger)
        do throws(ClassError) {
            let value = try await body(db)
            await db.close()
            return value
        } catch {
            await db.close()
            throw error
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    static func tls(for endpoint: ClassEndpoint) throws(ClassError) -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch endpoint.sslMode {
        case .disable: return .disable
        case .allow, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let root = endpoint.sslRootCert { tls.trustRoots = .file(root) }
        do {
            let context = try NIOSSLContext(configuration: tls)
            return endpoint.sslMode == .allow || endpoint.sslMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw .tls(endpoint: endpoint.description, reason: "\(error)")
        }
    }

    public func close() async {
        try? await connection.close()
    }

    /// How long one statement may take before the connection is given up.
    public static let statementTimeout = Duration.seconds(20)

    /// Runs a statement and drops its rows.
    public func run(_ query: PostgresQuery, timeout: Duration = statementTimeout) async throws(ClassError) {
        _ = try await rows(query, timeout: timeout)
    }

    /// Runs a query and collects its rows. A statement on a connection that
    /// has closed, or one with no answer in `statementTimeout`, fails rather
    /// than waits: postgres-nio leaves a query written to a channel that has
    /// just closed (a server that crashed) without an answer, and an upload or
    /// a live update must never wait for ever.
    public func rows(_ query: PostgresQuery, timeout: Duration = statementTimeout) async throws(ClassError) -> [PostgresRow] {
        guard !connection.isClosed else { throw .unreachable(endpoint: endpoint.description, reason: "the connection was closed") }
        let connection = self.connection, logger = self.logger, endpoint = self.endpoint
        do {
            return try await Self.withDeadline(timeout, endpoint: endpoint) {
                var rows: [PostgresRow] = []
                for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
                return rows
            }
        } catch {
            if case .unreachable = error as? ClassError {
                let _: EventLoopFuture<Void> = connection.close()
            }
            throw Self.mapped(error, endpoint: endpoint)
        }
    }

    /// The operation's result, or `unreachable` after `limit`, whichever comes
    /// first. Unlike a task group it does not wait for an operation that
    /// ignores cancellation: that one is cancelled and left behind. The
    /// timer ends with the operation, so a statement leaves no task behind.
    static func withDeadline<T: Sendable>(
        _ limit: Duration, endpoint: ClassEndpoint, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let resumed = Atomic<Bool>(false)
        let timer = DeadlineTimer()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let finish: @Sendable (Result<T, any Error>) -> Bool = { result in
                guard !resumed.exchange(true, ordering: .acquiringAndReleasing) else { return false }
                continuation.resume(with: result)
                return true
            }
            let task = Task {
                let result: Result<T, any Error>
                do {
                    result = .success(try await operation())
                } catch {
                    result = .failure(error)
                }
                if finish(result) { timer.cancel() }
            }
            let sleeper = Task {
                // Cancelled when the operation ends first: then it returns at once.
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                if finish(.failure(ClassError.unreachable(endpoint: endpoint.description, reason: "no answer in \(limit.components.seconds) s"))) {
                    task.cancel()
                }
            }
            timer.set(sleeper)
            // The operation may have ended before the timer was stored.
            if resumed.load(ordering: .acquiring) { sleeper.cancel() }
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: (ClassConnection) async throws(ClassError) -> T) async throws(ClassError) -> T {
        try await run("BEGIN")
        do {
            let value = try await body(self)
            try await run("COMMIT")
            return value
        } catch {
            if !connection.isClosed { try? await run("ROLLBACK") }
            throw error
        }
    }

    /// The user's error for anything postgres-nio throws. PSQLError's own
    /// description is deliberately opaque; the SQLSTATE and the server's
    /// message (which never holds the password) say what happened.
    static func mapped(_ error: any Error, endpoint: ClassEndpoint) -> ClassError {
        if let error = error as? ClassError { return error }
        guard let error = error as? PSQLError else { return .other("class server: \(error)") }
        let place = endpoint.description
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? "?????"
            let message = error.serverInfo?[.message] ?? "no message"
            switch state {
            case "28P01", "28000": return .authentication(endpoint: place, user: endpoint.user, reason: message)
            case "3D000":
                return .schema("the class server at \(place) has no database `\(endpoint.database)`; create it (createdb) and run `lighttouch class init`")
            case "57P01", "57P02", "57P03": return .unreachable(endpoint: place, reason: "the server is shutting down or starting up")
            default: return .server(state: state, message: message)
            }
        case .sslUnsupported: return .tls(endpoint: place, reason: "the server does not offer TLS; use sslmode=prefer or disable, or turn ssl on")
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest: return .tls(endpoint: place, reason: "TLS could not start")
        case .authMechanismRequiresPassword:
            return .authentication(endpoint: place, user: endpoint.user, reason: "the server asks for a password and none was given")
        case .unsupportedAuthMechanism, .saslError: return .authentication(endpoint: place, user: endpoint.user, reason: "the login failed")
        case .connectionError:
            if let refused = tlsRefusal(error.underlying) { return .tls(endpoint: place, reason: refused) }
            return .unreachable(endpoint: place, reason: reason(error.underlying))
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return .unreachable(endpoint: place, reason: "the connection was closed")
        default:
            return .other("class server at \(place): \(error.code)")
        }
    }

    /// Why the TLS handshake refused the server, when it did.
    static func tlsRefusal(_ error: (any Error)?) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's certificate is not for this host name"
        }
        guard let error = error as? NIOSSLError else { return nil }
        switch error {
        case .handshakeFailed(let cause):
            if "\(cause)".contains("CERTIFICATE_VERIFY_FAILED") {
                return "the server's certificate is not signed by a CA in sslrootcert or the system's"
            }
            return "the TLS handshake failed"
        case .unableToValidateCertificate: return "the server's certificate could not be checked"
        default: return "TLS failed"
        }
    }

    /// A few words for a network error.
    static func reason(_ error: (any Error)?) -> String {
        guard let error else { return "no connection" }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let channel = error as? ChannelError, case .connectTimeout(let amount) = channel {
            return "no answer in \(amount.nanoseconds / 1_000_000_000) s"
        }
        if let connect = error as? NIOConnectionError {
            if let first = connect.connectionErrors.first { return reason(first.error) }
            if connect.dnsAError != nil || connect.dnsAAAAError != nil { return "the host name is unknown" }
        }
        let text = "\(error)"
        if text.contains("connectTimeout") { return "no answer in time" }
        return PrintableText.excerpt(text, limit: 80)
    }
}

/// Runs async class work from synchronous command code (a command's main
/// thread, never a concurrency thread) and waits for it.
public func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws(ClassError) -> T) throws(ClassError) -> T {
    let result = Mutex<Result<T, ClassError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let outcome: Result<T, ClassError>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error as? ClassError ?? .other("\(error)"))
        }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    // The task stored its outcome before signalling.
    guard let outcome = result.withLock({ $0 }) else { throw .other("internal error: the class task ended without a result") }
    return try outcome.get()
}

/// The deadline's sleeping task, shared by the operation (which cancels it
/// when it ends first) and the code that starts both.
final class DeadlineTimer: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func set(_ sleeper: Task<Void, Never>) { task.withLock { $0 = sleeper } }

    func cancel() { task.withLock { $0?.cancel() } }
}
