import Foundation
import LightTouchCore
import Logging
import PostgresNIO
import Synchronization

/// Publishes a station's live state to the class a few times a second: a
/// row per update in `lighttouch.live_log`, whose trigger notifies the
/// instructors' `class watch` (LISTEN/NOTIFY) when what must show at once
/// changed. Every `trimEvery` updates, the update also deletes the station's
/// rows older than the one before it (kept for the trigger's comparison), so
/// a station keeps at most `trimEvery + 1` rows. At most one update is in
/// flight; a slow or absent server costs updates, never the session's time,
/// and the publisher reconnects by itself (1 s doubling to 15 s).
public final class LivePublisher: Sendable {
    public let endpoint: ClassEndpoint
    let period: Duration
    let trimEvery: Int
    let state: @Sendable () -> JSONValue?
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let counts = Mutex((sent: 0, failed: 0))

    /// - Parameter state: the state to publish now (nil: nothing new); called on the publisher's task.
    public init(
        endpoint: ClassEndpoint, period: Duration = .milliseconds(100), trimEvery: Int = 10,
        logger: Logger = ClassConnection.quietLogger, state: @escaping @Sendable () -> JSONValue?
    ) {
        self.endpoint = endpoint
        self.period = period
        self.trimEvery = max(1, trimEvery)
        self.state = state
        self.logger = logger
    }

    /// Updates sent, and attempts that failed.
    public var sent: (sent: Int, failed: Int) { counts.withLock { $0 } }

    public func start() {
        let work = Task.detached { [self] in await run() }
        task.withLock { $0 = work }
    }

    /// Stops publishing: cancels the task and waits for it at most `grace`.
    /// A connection to a server that crashed may not notice for a while, and
    /// the session must not wait for that: the task is left to end (or the
    /// process to exit); it holds nothing that needs closing cleanly.
    public func stop(grace: Duration = .seconds(1)) {
        guard let work = task.withLock({ $0 }) else { return }
        work.cancel()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await work.value
            done.signal()
        }
        _ = done.wait(timeout: .now() + .milliseconds(Int(grace.components.seconds * 1000)))
    }

    private func run() async {
        var connection: ClassConnection?
        // The id of the station's newest row, and updates since its older rows were last deleted.
        var newest: Int64?
        var sinceTrim = 0
        // Below this id, this publisher has deleted the station's rows. Each delete starts there: deleted rows stay
        // in the index until no transaction can see them, and a delete from the station's first row walked all of
        // them, every second, for as long as something held old versions (the server's load grew minute by minute).
        var deletedBelow: Int64?
        var backoff = Duration.seconds(1)
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            next = max(next + period, clock.now)
            do {
                if connection == nil {
                    let opened = try await ClassConnection.connect(endpoint, timeout: .seconds(3), logger: logger)
                    connection = opened
                    // Live state is gone in a moment and sent again in 100 ms: it need not wait for the server's
                    // disk. A commit waits for its WAL to be flushed, behind every upload's, and the view's
                    // notification is sent only at the commit; without this, a busy server's disk was most of the
                    // view's latency. The uploads, on their own connection, stay synchronous: a station marks a part
                    // sent only once it is on the server's disk.
                    try await opened.run("SET synchronous_commit TO off", timeout: .seconds(2))
                    backoff = .seconds(1)
                }
                if let connection, let value = state() {
                    var stamped = value
                    if case .object(var members) = value {
                        // Wall-clock time of publishing, for the view's latency and "quiet" marks.
                        members.append(("sent_at_ms", .int(Int(Date().timeIntervalSince1970 * 1000))))
                        stamped = .object(members)
                    }
                    let json = stamped.serialized()
                    let query: PostgresQuery
                    var trimmedTo: Int64?
                    if let keep = newest, sinceTrim >= trimEvery {
                        // One statement, one commit: the delete and the insert see the same rows, and the trigger
                        // still finds the row before the new one.
                        let from = deletedBelow ?? 0
                        query = """
                            WITH trimmed AS (
                                DELETE FROM lighttouch.live_log WHERE station = current_user AND id >= \(from) AND id < \(keep))
                            INSERT INTO lighttouch.live_log (state) VALUES (\(json)::json) RETURNING id
                            """
                        trimmedTo = keep
                        sinceTrim = 0
                    } else {
                        query = "INSERT INTO lighttouch.live_log (state) VALUES (\(json)::json) RETURNING id"
                    }
                    let rows = try await connection.rows(query, timeout: .seconds(2))
                    newest = try? rows.first?.decode(Int64.self)
                    if let trimmedTo { deletedBelow = trimmedTo }
                    sinceTrim += 1
                    counts.withLock { $0.sent += 1 }
                }
            } catch {
                counts.withLock { $0.failed += 1 }
                await connection?.close()
                connection = nil
                newest = nil
                next = clock.now + backoff
                backoff = min(backoff * 2, .seconds(15))
            }
            try? await Task.sleep(until: next, clock: clock)
        }
        await connection?.close()
    }
}
