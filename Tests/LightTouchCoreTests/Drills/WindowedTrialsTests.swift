import Testing

@testable import LightTouchCore

/// Windows set from outside; the metrics worked out by hand.
@Suite struct WindowedTrialsTests {
    func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) < 1e-9
    }

    /// Window [1.0, 1.5) over samples every 0.1 s: 1.0 … 1.4 count, each 0.1 s.
    ///   1.0: 2 (not in band)  1.1: 5  1.2: 5  1.3: 5  1.4: 8   1.5: closes the window
    @Test func aWindowLastsItsLengthWhateverTheForceDoes() throws {
        var windows = WindowedTrials()
        var ended: [TrialMetrics] = []
        let forces: [(Double, Double)] = [(0.9, 0), (1.0, 2), (1.1, 5), (1.2, 5), (1.3, 5), (1.4, 8), (1.5, 0), (1.6, 5)]
        #expect(windows.start(trial: 1, at: 1.0, length: 0.5, options: TrialOptions()) == nil)
        for (t, f) in forces {
            if let trial = windows.push(time: t, force: f) { ended.append(trial) }
        }
        #expect(ended.count == 1)
        let trial = try #require(ended.first)
        #expect(trial.trial == 1)
        #expect(close(trial.startSeconds, 1.0) && close(trial.endSeconds, 1.5))
        #expect(trial.samples == 5)
        #expect(close(trial.inBandSeconds, 0.3))
        #expect(close(trial.inBandPercent, 60))
        #expect(close(trial.timeToTargetSeconds, 0.1))
        // 1.1 → end of 1.3's interval (1.4); the excursion at 1.4 is cut by the window's end.
        #expect(close(trial.longestHoldSeconds, 0.3))
        #expect(close(trial.peakGrams, 8))
        #expect(windows.window == nil)
    }

    @Test func endingEarlyStopsAtTheNewestSample() throws {
        var windows = WindowedTrials()
        _ = windows.start(trial: 3, at: 0, length: 10, options: TrialOptions())
        for k in 0..<11 { _ = windows.push(time: Double(k) * 0.1, force: 5) }
        #expect(close(windows.currentHold(at: 1.0), 1.0))
        let ended = windows.end()
        let trial = try #require(ended)
        #expect(close(trial.endSeconds, 1.0))
        #expect(close(trial.inBandSeconds, 1.0))
        #expect(trial.samples == 11)
        #expect(trial.trial == 3)
        #expect(windows.end() == nil)
    }

    @Test func startingANewWindowEndsTheOpenOne() throws {
        var windows = WindowedTrials()
        _ = windows.start(trial: 1, at: 0, length: 10, options: TrialOptions())
        _ = windows.push(time: 0, force: 5)
        _ = windows.push(time: 0.5, force: 5)
        let previous = windows.start(trial: 2, at: 0.6, length: 1, options: TrialOptions())
        let ended = try #require(previous)
        #expect(ended.trial == 1 && close(ended.endSeconds, 0.5))
        #expect(windows.window == WindowedTrials.Window(trial: 2, start: 0.6, end: 1.6))
    }

    @Test func aSnapshotMatchesTheTrialAtItsEnd() throws {
        var windows = WindowedTrials()
        _ = windows.start(trial: 1, at: 0, length: 1, options: TrialOptions())
        var ended: TrialMetrics?
        for k in 0...10 {
            if k == 10 { let s = try #require(windows.snapshot(at: 1.0)); #expect(close(s.inBandSeconds, 1.0)) }
            ended = windows.push(time: Double(k) * 0.1, force: 5) ?? ended
        }
        #expect(close(ended?.inBandSeconds, 1.0))
        #expect(ended?.score == 100 * (0.4 * 0.1 + 0.3 + 0.15 + 0.15))  // hold 1 s of a 10 s goal
    }
}

@Suite struct FadedScheduleTests {
    @Test func fiveTrialsFadeFromAllToNone() {
        let shown = (0..<5).map { FadedSchedule.shownFraction(segment: $0, of: 5) }
        #expect(shown == [1, 0.75, 0.5, 0.25, 0])
        #expect(FadedSchedule.isShown(trial: 1, of: 5, elapsed: 7.4, length: 10))
        #expect(!FadedSchedule.isShown(trial: 1, of: 5, elapsed: 7.6, length: 10))
        #expect(!FadedSchedule.isShown(trial: 4, of: 5, elapsed: 0, length: 10))
    }

    @Test func oneLongTrialFadesInTenSecondPieces() {
        // 95 s: 10 pieces; piece k shows (9 − k)/9 of its 10 s.
        #expect(FadedSchedule.isShown(trial: 0, of: 1, elapsed: 9.9, length: 95))
        #expect(FadedSchedule.isShown(trial: 0, of: 1, elapsed: 18.8, length: 95))
        #expect(!FadedSchedule.isShown(trial: 0, of: 1, elapsed: 19.0, length: 95))
        #expect(!FadedSchedule.isShown(trial: 0, of: 1, elapsed: 91, length: 95))
        #expect(FadedSchedule.shownFraction(segment: 0, of: 1) == 1)
    }
}
