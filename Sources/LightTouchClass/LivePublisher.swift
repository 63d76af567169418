import Foundation
import LightTouchCore
import Logging
import Synchronization

/// Publishes a station's live state to the class a few times a second: one
/// row per station in `lighttouch.live`, whose trigger notifies the
/// instructors' `class watch` (LISTEN/NOTIFY). At most one update is in
/// flight; a slow or absent server costs updates, never the session's time,
/// and the publisher reconnects by itself (1 s doubling to 15 s).
public final class LivePublisher: Sendable {
    public let endpoint: ClassEndpoint
    let period: Duration
    let state: @Sendable () -> JSONValue?
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let counts = Mutex((sent: 0, failed: 0))

    /// - Parameter state: the state to publish now (nil: nothing new); called on the publisher's task.
    public init(endpoint: ClassEndpoint, period: Duration = .milliseconds(100), logger: Logger = ClassConnection.quietLogger,
        state: @escaping @Sendable () -> JSONValue?)
    {
        self.endpoint = endpoint
        self.period = period
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
                    try await connection.run(
                        """
                        INSERT INTO lighttouch.live (state) VALUES (\(stamped.serialized())::json)
                        ON CONFLICT (station) DO UPDATE SET state = EXCLUDED.state, updated_at = clock_timestamp()
                        """, timeout: .seconds(2))
                    counts.withLock { $0.sent += 1 }
                }
            } catch {
                counts.withLock { $0.failed += 1 }
                await connection?.close()
                connection = nil
                next = clock.now + backoff
                backoff = min(backoff * 2, .seconds(15))
            }
            try? await Task.sleep(until: next, clock: clock)
        }
        await connection?.close()
    }
}
