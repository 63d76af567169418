import DequeModule
import Synchronization

/// A bounded hand-off between threads: the producer never blocks. When the
/// buffer is full the newest element is refused and counted, so a stalled
/// consumer costs data that is counted and shown, never acquisition itself.
public final class BoundedBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items: Deque<Element>
        var dropped = 0
    }

    private let state: Mutex<State>
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(items: Deque(minimumCapacity: capacity)))
    }

    /// Appends `item`; returns false (and counts it) when the buffer is full.
    /// `wasEmpty` tells the producer the consumer needs waking.
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
    public func drain() -> [Element] {
        state.withLock { state in
            defer { state.items.removeAll(keepingCapacity: true) }
            return Array(state.items)
        }
    }

    /// Elements refused because the buffer was full.
    public var dropped: Int { state.withLock { $0.dropped } }
}
