import Foundation
import LightTouchCore
import Logging
import PostgresNIO
import Synchronization

/// One station's live state as the class view has it.
public struct LiveTile: Sendable {
    public var station: String
    /// What the station published (`StatusLine.classLive`, plus `sent_at_ms`).
    public var state: JSONValue
    /// When the view received it (wall clock, ms since 1970).
    public var receivedAtMs: Int
    /// The state's age on the server when it was read, s.
    public var ageOnArrival: Double
    /// When the server wrote the row (its clock, ms since 1970).
    public var updatedAtMs: Int?
    /// The row's id in the live log: a new one for each update.
    public var row: Int64?
    /// When the first notification of this state reached the view (nil for
    /// a tile read at (re)connection, not notified).
    public var notifiedAtMs: Int?

    /// Seconds since the station last published, as of `nowMs`.
    public func silence(nowMs: Int) -> Double { ageOnArrival + Double(nowMs - receivedAtMs) / 1000 }

    /// From the station's publishing to the view's reading, ms (clocks of one machine, or synchronised ones).
    public var publishLatencyMs: Int? { state["sent_at_ms"]?.intValue.map { receivedAtMs - $0 } }

    /// From the server writing the row to the view's reading, ms: the part
    /// of the latency that is the server's and the view's, not the station's.
    public var serverLatencyMs: Int? { updatedAtMs.map { receivedAtMs - $0 } }

    /// From the server writing the row to its notification reaching the
    /// view, ms: the server's commit and delivery; the rest of
    /// `serverLatencyMs` is the view's reading of the row.
    public var notifyLatencyMs: Int? {
        guard let notifiedAtMs, let updatedAtMs else { return nil }
        return notifiedAtMs - updatedAtMs
    }

    /// From the newest sample in the state reaching its station to the
    /// view's reading, ms: the publish latency plus the sample's age when
    /// the station published it (up to one publishing period).
    public var latencyMs: Int? {
        guard let publish = publishLatencyMs, let age = state["sample_age_ms"]?.intValue else { return nil }
        return publish + age
    }
}

/// The instructor's side of the live view: reads the class's live rows
/// every `pollInterval`, and at once when a notification on the class's
/// channel says a station started, or changed its phase, trial, student or
/// drill (the notification carries only the name; row-level security guards
/// the state). Each row is passed on when the server wrote it anew.
/// Reconnects by itself.
///
/// Why not a notification per update: PostgreSQL serialises every
/// notifying commit on one lock (held through the commit), so thirty
/// stations notifying ten times a second queued behind each other and the
/// view saw their state 300 ms late (docs/class.md, "Scale and faults").
/// Reading thirty rows twenty times a second costs the server little.
public enum ClassWatch {
    /// A station is marked quiet after this many seconds without an update.
    public static let quietAfter = 3.0
    /// How often the view reads the live rows.
    public static let pollInterval = Duration.milliseconds(50)

    /// Runs until the task is cancelled. `update` gets every tile read (all
    /// of them at each (re)connection, then each notified one); `status`
    /// gets nil when connected and the error while not.
    public static func run(
        _ endpoint: ClassEndpoint, logger: Logger = ClassConnection.quietLogger, update: @escaping @Sendable (LiveTile) -> Void,
        status: @escaping @Sendable (ClassError?) -> Void
    ) async {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            var connection: ClassConnection?
            do {
                let db = try await ClassConnection.connect(endpoint, logger: logger)
                connection = db
                try await ClassSchema.check(db)
                status(nil)
                backoff = .seconds(1)
                try await db.connection.listen(on: ClassSchema.liveChannel) { notifications in
                    var firstRead: [String: Int64] = [:]
                    for tile in try await read(db) {
                        firstRead[tile.station] = tile.row
                        update(tile)
                    }
                    let initial = firstRead
                    // One reader reads every row at each tick or notification and passes on those written
                    // since; a burst of wake-ups costs one round trip, and no backlog grows.
                    let marked = MarkedStations()
                    let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                    let ticker = Task {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: pollInterval)
                            wake.yield()
                        }
                    }
                    let reader = Task {
                        var written = initial
                        for await _ in wakeups {
                            let notified = marked.take()
                            guard let tiles = try? await read(db) else { continue }
                            for var tile in tiles where written[tile.station] != tile.row {
                                written[tile.station] = tile.row
                                tile.notifiedAtMs = notified[tile.station]
                                update(tile)
                            }
                        }
                    }
                    defer {
                        wake.finish()
                        ticker.cancel()
                        reader.cancel()
                    }
                    for try await notification in notifications {
                        marked.insert(notification.payload, atMs: Int(Date().timeIntervalSince1970 * 1000))
                        wake.yield()
                    }
                }
                throw ClassError.unreachable(endpoint: endpoint.description, reason: "the server ended the connection")
            } catch {
                await connection?.close()
                if error is CancellationError || Task.isCancelled { break }
                status(error as? ClassError ?? ClassConnection.mapped(error, endpoint: endpoint))
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(15))
            }
        }
    }

    /// Every station's newest state, in the order of their names: for each
    /// station of the class, one probe of the live log's primary key
    /// (station, id) from its newest end, so the rows its station has
    /// deleted and not yet vacuumed are never walked.
    public static func read(_ db: ClassConnection) async throws(ClassError) -> [LiveTile] {
        let rows = try await db.rows(
            """
            SELECT m.role::text, l.state::text, extract(epoch FROM clock_timestamp() - l.updated_at)::float8,
                (extract(epoch FROM l.updated_at) * 1000)::int8, l.id
            FROM lighttouch.member m
            CROSS JOIN LATERAL (
                SELECT state, updated_at, id FROM lighttouch.live_log WHERE station = m.role ORDER BY id DESC LIMIT 1) l
            WHERE m.kind = 'station'
            ORDER BY m.role
            """)
        let now = Int(Date().timeIntervalSince1970 * 1000)
        return rows.compactMap { row in
            guard let (station, text, age, updated, id) = try? row.decode((String, String, Double, Int64, Int64).self),
                let state = try? JSONReader.parse(Array(text.utf8))
            else { return nil }
            return LiveTile(
                station: station, state: state, receivedAtMs: now, ageOnArrival: max(0, age), updatedAtMs: Int(updated), row: id)
        }
    }
}

/// Stations notified and not yet read, each with when its first
/// notification since the last read arrived (the notification loop adds,
/// the reader takes).
final class MarkedStations: Sendable {
    private let names = Mutex<[String: Int]>([:])

    func insert(_ name: String, atMs: Int) {
        names.withLock { names in
            if names[name] == nil { names[name] = atMs }
        }
    }

    func take() -> [String: Int] {
        names.withLock { names in
            defer { names.removeAll() }
            return names
        }
    }
}
