import Dispatch
import LightTouchCore
import Synchronization

/// Streams from a sensor connection: the connection's thread decodes each
/// packet (the stream accounting) and hands the samples to a bounded buffer;
/// one serial queue calls the consumer with every block, in order. A consumer
/// too slow to keep up costs counted blocks (`droppedBlocks`), never acquisition.
public final class StreamSession: Sendable {
    public let connection: any SensorConnection
    private let queue = DispatchQueue(label: "lighttouch.acquisition", qos: .userInteractive)
    private let tracker: Mutex<StreamTracker>
    private let onBlock: @Sendable (SampleBlock) -> Void
    private let onEvent: @Sendable (SensorEvent) -> Void
    private let disconnects = Atomic<Int>(0)
    private let disconnectedAt = Atomic<UInt64>(0)
    private let incoming = BoundedBuffer<SampleBlock>(capacity: 4096)

    /// `onBlock` and `onEvent` run on the session's queue.
    public init(
        connection: any SensorConnection,
        onBlock: @escaping @Sendable (SampleBlock) -> Void,
        onEvent: @escaping @Sendable (SensorEvent) -> Void = { _ in }
    ) {
        self.connection = connection
        self.onBlock = onBlock
        self.onEvent = onEvent
        // The session sends START_STREAM, so the stream begins at sequence 0.
        tracker = Mutex(StreamTracker(rate: connection.info.sampleRate, firstSequence: 0))
    }

    /// Starts streaming.
    public func start() throws {
        try connection.start { [self] event in
            switch event {
            case .packet(let packet):
                // The connection's thread: decode, hand off, nothing more.
                guard let block = tracker.withLock({ $0.ingest(packet) }) else { return }
                if incoming.push(block).wasEmpty { queue.async { self.deliver() } }
            case .disconnected:
                disconnects.add(1, ordering: .relaxed)
                disconnectedAt.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
                tracker.withLock { $0.noteDisconnect() }
                queue.async { self.onEvent(event) }
            case .reconnected:
                // Inline, so the tracker knows the gap before the new stream's packets.
                let since = disconnectedAt.load(ordering: .relaxed)
                let gap = since > 0 ? Int64((DispatchTime.now().uptimeNanoseconds - since) / 1000) : 0
                tracker.withLock { $0.noteReconnect(gapMicros: gap) }
                queue.async { self.onEvent(event) }
            case .stalled:
                queue.async { self.onEvent(event) }
            }
        }
    }

    private func deliver() {
        dispatchPrecondition(condition: .onQueue(queue))
        for block in incoming.drain() { onBlock(block) }
    }

    /// Blocks the consumer could not take in time.
    public var droppedBlocks: Int { incoming.dropped }

    /// Stops the sensor, processes everything it delivered, and accounts for
    /// frames lost at the end of the stream (PROTOCOL.md §3.1).
    public func finish() -> StreamStatistics {
        connection.stop()
        queue.sync { deliver() }
        let nextSequence = try? connection.status().nextSequence
        return tracker.withLock { tracker in
            tracker.finish(nextSequence: nextSequence)
            return tracker.statistics
        }
    }

    /// The counters so far.
    public var statistics: StreamStatistics { tracker.withLock { $0.statistics } }

    /// Device-clock span covered by the stream so far, seconds.
    public var deviceSeconds: Double {
        tracker.withLock { tracker in
            guard let first = tracker.firstTimestampMicros, let last = tracker.lastTimestampMicros else { return 0 }
            return Double(last - first) / 1e6
        }
    }

    /// "sensor disconnected" events seen.
    public var disconnectCount: Int { disconnects.load(ordering: .relaxed) }
}
