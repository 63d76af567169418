/// Spike rejection (`--spike-window N`): a causal running median of the last
/// `window` samples.
///
/// A spike shorter than half the window never reaches the output, while a
/// step passes through whole after (window − 1) / 2 samples; that delay is
/// the price (2 samples, 25 ms at 80 Hz, for the default window of 5).
///
/// Until `window` samples have arrived it takes the median of those there
/// are: the middle one when their number is odd, the mean of the two middle
/// ones when it is even. So the first output equals the first input. Sample
/// times are not used.
///
/// The window lives inline in the value (no heap storage), so the filter
/// never allocates and copies of it are independent.
public struct MedianSpikeFilter: ForceFilter, Equatable {
    /// The allowed window lengths: odd, from 3 to 15 samples.
    public static let windows: ClosedRange<Int> = 3...15
    /// The window length used when none is given.
    public static let defaultWindow = 5

    /// The number of samples the median is taken over.
    public let window: Int

    /// The last `count` samples, oldest at `head` (a ring of `window`).
    @usableFromInline var recent = SIMD16<Double>()
    /// The same samples in ascending order, in `sorted[0..<count]`.
    @usableFromInline var sorted = SIMD16<Double>()
    @usableFromInline var count = 0
    @usableFromInline var head = 0

    /// - Throws: `.spikeWindow` unless `window` is odd and in 3...15.
    public init(window: Int = MedianSpikeFilter.defaultWindow) throws(FilterConfigurationError) {
        guard Self.windows.contains(window), window % 2 == 1 else { throw .spikeWindow(window) }
        self.window = window
    }

    @inlinable
    public mutating func callAsFunction(_ value: Double, at time: Double) -> Double {
        let window = self.window
        var count = self.count
        var head = self.head
        // SIMD16<Double> is sixteen contiguous Doubles; working on them
        // through pointers avoids the cost of SIMD lane access by index.
        let median = withUnsafeMutablePointer(to: &recent) { recentVector in
            withUnsafeMutablePointer(to: &sorted) { sortedVector in
                recentVector.withMemoryRebound(to: Double.self, capacity: 16) { recent in
                    sortedVector.withMemoryRebound(to: Double.self, capacity: 16) { sorted in
                        if count == window {
                            // Drop the oldest sample from the sorted run (found by
                            // its bits, which also finds it when values do not
                            // compare, as NaN), closing the gap.
                            let oldest = recent[head].bitPattern
                            var i = 0
                            while i < count - 1, sorted[i].bitPattern != oldest { i += 1 }
                            while i < count - 1 {
                                sorted[i] = sorted[i + 1]
                                i += 1
                            }
                            count -= 1
                            recent[head] = value
                            head = head + 1 == window ? 0 : head + 1
                        } else {
                            recent[count] = value
                        }
                        // Insert the new sample into the sorted run.
                        var j = count
                        while j > 0, sorted[j - 1] > value {
                            sorted[j] = sorted[j - 1]
                            j -= 1
                        }
                        sorted[j] = value
                        count += 1
                        let middle = count / 2
                        return count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
                    }
                }
            }
        }
        self.count = count
        self.head = head
        return median
    }

    @inlinable
    public mutating func reset() {
        recent = SIMD16<Double>()
        sorted = SIMD16<Double>()
        count = 0
        head = 0
    }
}
