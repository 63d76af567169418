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
    private var pending: TrialSample?
    private var lastTime: Double?

    public init() {}

    /// Opens trial `trial` at `start`, lasting `length` seconds. A trial still
    /// open is ended first, at the last sample before `start`, and returned.
    /// `balance` makes it a two-hand trial (its samples come with `hands`).
    public mutating func start(
        trial: Int, at start: Double, length: Double, options: TrialOptions, balance: BalanceSettings? = nil
    ) -> TrialMetrics? {
        let ended = end()
        window = Window(trial: trial, start: start, end: start + length)
        accumulator = TrialAccumulator(options: options, trial: trial, startSeconds: start, balance: balance)
        pending = nil
        return ended
    }

    /// Takes the next sample (with each hand's force in a two-hand session);
    /// returns the trial whose window this sample closed.
    public mutating func push(time t: Double, force f: Double, hands: HandForces? = nil) -> TrialMetrics? {
        lastTime = t
        guard let window else { return nil }
        if t >= window.end - TrialOptions.timeEpsilon {
            if let pending { accumulator?.add(pending, interval: window.end - pending.time) }
            return close(at: window.end)
        }
        guard t >= window.start - TrialOptions.timeEpsilon else { return nil }
        if let pending { accumulator?.add(pending, interval: t - pending.time) }
        pending = TrialSample(time: t, force: f, hands: hands)
        return nil
    }

    /// Ends the open trial early (the student ended it, or the stream ended)
    /// at its newest sample, which contributes no time.
    public mutating func end() -> TrialMetrics? {
        guard let window else { return nil }
        guard let pending else { return close(at: max(window.start, min(lastTime ?? window.start, window.end))) }
        accumulator?.add(pending, interval: 0)
        return close(at: pending.time)
    }

    /// The open trial as it stands at `t`.
    public func snapshot(at t: Double) -> TrialMetrics? {
        guard let window else { return nil }
        var trial = accumulator
        let now = min(max(t, window.start), window.end)
        if let pending { trial?.add(pending, interval: max(0, now - pending.time)) }
        return trial?.metrics(endSeconds: now)
    }

    /// The hold running at `t` in the open trial, seconds.
    public func currentHold(at t: Double) -> Double {
        guard let window else { return 0 }
        var trial = accumulator
        let now = min(max(t, window.start), window.end)
        if let pending { trial?.add(pending, interval: max(0, now - pending.time)) }
        return trial?.currentHold(at: now) ?? 0
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
