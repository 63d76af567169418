/// Trials whose window the drill sets, not the touch: trial N starts at a
/// time given from outside (the student pressed space, the rest ran out, the
/// first touch) and lasts the drill's trial length, whatever the force does.
/// The companion of `TrialSegmenter`, which finds trials by contact and
/// release; the metrics are the same `TrialAccumulator`'s.
///
/// Each sample stands for the interval up to the next sample, cut off at the
/// window's end, as the README defines. Pure and deterministic.
public struct WindowedTrials: Sendable {
    public struct Window: Sendable, Equatable {
        public let trial: Int
        public let start: Double
        public let end: Double
    }

    /// The window in progress.
    public private(set) var window: Window?
    private var accumulator: TrialAccumulator?
    /// The newest sample in the window, waiting for the next one to know its interval.
    private var pending: (time: Double, force: Double)?
    private var lastTime: Double?

    public init() {}

    /// Opens trial `trial` at `start`, lasting `length` seconds. A trial still
    /// open is ended first, at the last sample before `start`, and returned.
    public mutating func start(trial: Int, at start: Double, length: Double, options: TrialOptions) -> TrialMetrics? {
        let ended = end()
        window = Window(trial: trial, start: start, end: start + length)
        accumulator = TrialAccumulator(options: options, trial: trial, startSeconds: start)
        pending = nil
        return ended
    }

    /// Takes the next sample; returns the trial whose window this sample closed.
    public mutating func push(time t: Double, force f: Double) -> TrialMetrics? {
        lastTime = t
        guard let window else { return nil }
        if t >= window.end - TrialOptions.timeEpsilon {
            if let pending { accumulator?.add(time: pending.time, force: pending.force, interval: window.end - pending.time) }
            return close(at: window.end)
        }
        guard t >= window.start - TrialOptions.timeEpsilon else { return nil }
        if let pending { accumulator?.add(time: pending.time, force: pending.force, interval: t - pending.time) }
        pending = (t, f)
        return nil
    }

    /// Ends the open trial early (the student ended it, or the stream ended)
    /// at its newest sample, which contributes no time.
    public mutating func end() -> TrialMetrics? {
        guard let window else { return nil }
        guard let pending else { return close(at: max(window.start, min(lastTime ?? window.start, window.end))) }
        accumulator?.add(time: pending.time, force: pending.force, interval: 0)
        return close(at: pending.time)
    }

    /// The open trial as it stands at `t`.
    public func snapshot(at t: Double) -> TrialMetrics? {
        guard var trial = accumulator, let window else { return nil }
        let now = min(max(t, window.start), window.end)
        if let pending { trial.add(time: pending.time, force: pending.force, interval: max(0, now - pending.time)) }
        return trial.metrics(endSeconds: now)
    }

    /// The hold running at `t` in the open trial, seconds.
    public func currentHold(at t: Double) -> Double {
        guard var trial = accumulator, let window else { return 0 }
        let now = min(max(t, window.start), window.end)
        if let pending { trial.add(time: pending.time, force: pending.force, interval: max(0, now - pending.time)) }
        return trial.currentHold(at: now)
    }

    private mutating func close(at end: Double) -> TrialMetrics? {
        defer {
            window = nil
            accumulator = nil
            pending = nil
        }
        return accumulator?.metrics(endSeconds: end)
    }
}
