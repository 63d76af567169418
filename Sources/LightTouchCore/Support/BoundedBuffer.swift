import DequeModule
import Synchronization

/// A bounded hand-off between threads: the producer never blocks. When the
/// buffer is full the newest element is refused and counted, so a stalled
/// consumer costs data that is counted and shown, never acquisition itself.
///
/// Its methods are `@inlinable` so that every client specialises them for its
/// element type: on the live path an unspecialised generic buffer (metadata
/// look-ups and value witnesses per element) doubled the arrival-to-state
/// latency (`lighttouch bench`, docs/speed.md).
public final class BoundedBuffer<Element: Sendable>: Sendable {
    @usableFromInline
    struct State {
        @usableFromInline var items: Deque<Element>
        @usableFromInline var dropped = 0

        @inlinable
        init(items: Deque<Element>) {
            self.items = items
        }
    }

    @usableFromInline let state: Mutex<State>
    public let capacity: Int

    @inlinable
    public init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(items: Deque(minimumCapacity: capacity)))
    }

    /// Appends `item`; returns false (and counts it) when the buffer is full.
    /// `wasEmpty` tells the producer the consumer needs waking.
    @inlinable
    @discardableResult
    public func push(_ item: sending Element) -> (accepted: Bool, wasEmpty: Bool) {
        state.withLock { state in
            guard state.items.count < capacity else {
                state.dropped += 1
                return (false, false)
            }
            let wasEmpty = state.items.isEmpty
            state.items.append(item)
            return (true, wasEmpty)
        }
    }

    /// Takes everything buffered, oldest first.
    @inlinable
    public func drain() -> [Element] {
        state.withLock { state in
            defer { state.items.removeAll(keepingCapacity: true) }
            return Array(state.items)
        }
    }

    /// Elements refused because the buffer was full.
    @inlinable
    public var dropped: Int { state.withLock { $0.dropped } }
}
