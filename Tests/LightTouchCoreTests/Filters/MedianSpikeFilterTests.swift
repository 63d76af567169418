import Testing

@testable import LightTouchCore

@Suite struct MedianSpikeFilterTests {
    func run(_ window: Int, _ inputs: [Double]) throws -> [Double] {
        var filter = try MedianSpikeFilter(window: window)
        return inputs.enumerated().map { filter($0.element, at: Double($0.offset)) }
    }

    @Test func windowOfThreeByHand() throws {
        // Windows: [1] [1 5] [1 5 2] [5 2 8] [2 8 3] [8 3 100] [3 100 4] [100 4 4] [4 4 −1]
        #expect(try run(3, [1, 5, 2, 8, 3, 100, 4, 4, -1]) == [1, 3, 2, 5, 3, 8, 4, 4, 4])
    }

    @Test func windowOfFiveRemovesShortSpikes() throws {
        // Single-sample spikes up and down never reach the output; the
        // even-length start takes the mean of the two middle values.
        #expect(try run(5, [5, 5, 5, 50, 5, 5, -40, 5, 5]) == [5, 5, 5, 5, 5, 5, 5, 5, 5])
        #expect(try run(5, [2, 4, 9, 1, 7, 3]) == [2, 3, 4, 3, 4, 4])
        // [2] [2 4]→3 [2 4 9]→4 [1 2 4 9]→3 [1 2 4 7 9]→4 [1 3 4 7 9]→4 (window 4 9 1 7 3)
    }

    @Test func aStepPassesWholeAfterHalfTheWindow() throws {
        #expect(try run(5, [0, 0, 0, 0, 0, 10, 10, 10, 10, 10]) == [0, 0, 0, 0, 0, 0, 0, 10, 10, 10])
        #expect(try run(3, [0, 0, 0, 10, 10, 10]) == [0, 0, 0, 0, 10, 10])
    }

    @Test func firstOutputEqualsFirstInput() throws {
        for window in stride(from: 3, through: 15, by: 2) {
            #expect(try run(window, [4.25]) == [4.25])
        }
    }

    @Test func matchesSortingTheLastSamples() throws {
        // A long pseudo-random trace with repeated values, against sorting
        // each window from scratch.
        var state: UInt64 = 12345
        let inputs: [Double] = (0..<3000).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(Int(state >> 58)) - 30  // 64 levels, many repeats, negatives
        }
        for window in stride(from: 3, through: 15, by: 2) {
            let outputs = try run(window, inputs)
            for i in inputs.indices {
                let recent = inputs[max(0, i - window + 1)...i].sorted()
                let m = recent.count / 2
                let expected = recent.count % 2 == 1 ? recent[m] : (recent[m - 1] + recent[m]) / 2
                #expect(outputs[i] == expected, "window \(window), sample \(i)")
                if outputs[i] != expected { return }
            }
        }
    }

    @Test func resetStartsAfresh() throws {
        var filter = try MedianSpikeFilter(window: 5)
        let fresh = filter
        for i in 0..<7 { _ = filter(Double(i), at: Double(i)) }
        filter.reset()
        #expect(filter == fresh)
        #expect(filter(-2, at: 0) == -2)
    }

    @Test func rejectsWindowsThatAreNotOddFrom3To15() throws {
        for bad in [-1, 0, 1, 2, 4, 14, 16, 17, 99] {
            #expect(throws: FilterConfigurationError.spikeWindow(bad)) { _ = try MedianSpikeFilter(window: bad) }
        }
        #expect(try MedianSpikeFilter().window == 5)
    }
}
