/// Finds trials in a stream of samples as they arrive (README, "Trials and
/// metrics"): a trial starts at a contact sample outside a trial and ends at
/// the first sample of the first release run at least `release` long.
///
/// It holds back at most one release run's samples (until it is known whether
/// the run ends the trial), so memory stays bounded on any stream length.
public struct TrialSegmenter: Sendable {
    public let options: TrialOptions
    public private(set) var trialCount = 0
    /// The trial in progress.
    public private(set) var current: TrialAccumulator?

    /// The trial's newest sample, waiting for the next one to know its interval.
    private var pending: (time: Double, force: Double)?
    /// The release run in progress inside a trial.
    private var releaseRun: [(time: Double, force: Double)] = []
    private var lastTime: Double?

    public init(options: TrialOptions) {
        self.options = options
        releaseRun.reserveCapacity(1024)
    }

    /// Takes the next sample; returns the trial it ended, if any.
    public mutating func push(time t: Double, force f: Double) -> TrialMetrics? {
        lastTime = t
        let contact = f >= options.contact
        guard current != nil else {
            if contact { begin(at: t, force: f) }
            return nil
        }
        if !contact {
            releaseRun.append((t, f))
            // The run is at least t − start long already.
            if let first = releaseRun.first, t - first.time >= options.release - TrialOptions.timeEpsilon {
                return endAtReleaseRun()
            }
            return nil
        }
        // Contact: a release run in progress ends here, with length t − its start.
        if let first = releaseRun.first {
            if t - first.time >= options.release - TrialOptions.timeEpsilon {
                let ended = endAtReleaseRun()
                begin(at: t, force: f)
                return ended
            }
            for sample in releaseRun { commit(sample) }
            releaseRun.removeAll(keepingCapacity: true)
        }
        commit((t, f))
        return nil
    }

    /// The stream ended: returns the trial in progress, if any, ended by the rules.
    public mutating func finish() -> TrialMetrics? {
        guard current != nil, let last = lastTime else { return nil }
        if let first = releaseRun.first, last - first.time >= options.release - TrialOptions.timeEpsilon - TrialOptions.timeEpsilon {
            return endAtReleaseRun()
        }
        for sample in releaseRun { commit(sample) }
        releaseRun.removeAll(keepingCapacity: true)
        // The trial ends with the stream: its last sample contributes no time.
        if let pending { current?.add(time: pending.time, force: pending.force, interval: 0) }
        pending = nil
        defer { current = nil }
        return current?.metrics(endSeconds: last)
    }

    /// The trial in progress as it stands at its newest committed sample.
    public func snapshot(at t: Double) -> TrialMetrics? {
        guard var trial = current else { return nil }
        if let pending { trial.add(time: pending.time, force: pending.force, interval: max(0, t - pending.time)) }
        return trial.metrics(endSeconds: max(t, trial.startSeconds))
    }

    /// The hold running now, seconds.
    public func currentHold(at t: Double) -> Double {
        guard var trial = current else { return 0 }
        if let pending { trial.add(time: pending.time, force: pending.force, interval: max(0, t - pending.time)) }
        return trial.currentHold(at: t)
    }

    private mutating func begin(at t: Double, force f: Double) {
        trialCount += 1
        current = TrialAccumulator(options: options, trial: trialCount, startSeconds: t)
        pending = (t, f)
    }

    /// Gives the pending sample its interval (up to `sample`) and makes `sample` pending.
    private mutating func commit(_ sample: (time: Double, force: Double)) {
        if let pending { current?.add(time: pending.time, force: pending.force, interval: sample.time - pending.time) }
        pending = sample
    }

    /// Ends the trial at the release run's first sample.
    private mutating func endAtReleaseRun() -> TrialMetrics? {
        guard let end = releaseRun.first?.time else { return nil }
        if let pending { current?.add(time: pending.time, force: pending.force, interval: end - pending.time) }
        pending = nil
        releaseRun.removeAll(keepingCapacity: true)
        defer { current = nil }
        return current?.metrics(endSeconds: end)
    }
}
