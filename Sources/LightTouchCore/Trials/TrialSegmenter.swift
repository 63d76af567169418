/// Finds trials in a stream of samples as they arrive (README, "Trials and
/// metrics"): a trial starts at a contact sample outside a trial and ends at
/// the first sample of the first release run at least `release` long.
///
/// It holds back at most one release run's samples (until it is known whether
/// the run ends the trial), so memory stays bounded on any stream length.
///
/// With a balance band the samples are two hands' (`push(time:hands:)`):
/// touch and release are the hands' mean force's, and each trial scores
/// each hand and the balance as a drill's two-hand trial does.
public struct TrialSegmenter: Sendable {
    public let options: TrialOptions
    /// Two hands' balance band; nil for one hand.
    public let balance: BalanceSettings?
    public private(set) var trialCount = 0
    /// The trial in progress.
    public private(set) var current: TrialAccumulator?

    /// The trial's newest sample, waiting for the next one to know its interval.
    private var pending: TrialSample?
    /// The release run in progress inside a trial.
    private var releaseRun: [TrialSample] = []
    private var lastTime: Double?

    public init(options: TrialOptions, balance: BalanceSettings? = nil) {
        self.options = options
        self.balance = balance
        releaseRun.reserveCapacity(1024)
    }

    /// Takes the next sample; returns the trial it ended, if any.
    public mutating func push(time t: Double, force f: Double) -> TrialMetrics? {
        push(TrialSample(time: t, force: f, hands: nil))
    }

    /// Takes the next two-hand sample (each hand's filtered force); returns
    /// the trial it ended, if any.
    public mutating func push(time t: Double, hands: HandForces) -> TrialMetrics? {
        push(TrialSample(time: t, force: hands.mean, hands: hands))
    }

    private mutating func push(_ sample: TrialSample) -> TrialMetrics? {
        let t = sample.time, f = sample.force
        lastTime = t
        let contact = f >= options.contact
        guard current != nil else {
            if contact { begin(sample) }
            return nil
        }
        if !contact {
            releaseRun.append(sample)
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
                begin(sample)
                return ended
            }
            for held in releaseRun { commit(held) }
            releaseRun.removeAll(keepingCapacity: true)
        }
        commit(sample)
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
        if let pending { current?.add(pending, interval: 0) }
        pending = nil
        defer { current = nil }
        return current?.metrics(endSeconds: last)
    }

    /// The trial in progress as it stands at its newest committed sample.
    public func snapshot(at t: Double) -> TrialMetrics? {
        var trial = current
        guard trial != nil else { return nil }
        if let pending { trial?.add(pending, interval: max(0, t - pending.time)) }
        guard let trial else { return nil }
        return trial.metrics(endSeconds: max(t, trial.startSeconds))
    }

    /// The hold running now, seconds.
    public func currentHold(at t: Double) -> Double {
        var trial = current
        guard trial != nil else { return 0 }
        if let pending { trial?.add(pending, interval: max(0, t - pending.time)) }
        return trial?.currentHold(at: t) ?? 0
    }

    private mutating func begin(_ sample: TrialSample) {
        trialCount += 1
        current = TrialAccumulator(options: options, trial: trialCount, startSeconds: sample.time, balance: balance)
        pending = sample
    }

    /// Gives the pending sample its interval (up to `sample`) and makes `sample` pending.
    private mutating func commit(_ sample: TrialSample) {
        if let pending { current?.add(pending, interval: sample.time - pending.time) }
        pending = sample
    }

    /// Ends the trial at the release run's first sample.
    private mutating func endAtReleaseRun() -> TrialMetrics? {
        guard let end = releaseRun.first?.time else { return nil }
        if let pending { current?.add(pending, interval: end - pending.time) }
        pending = nil
        releaseRun.removeAll(keepingCapacity: true)
        defer { current = nil }
        return current?.metrics(endSeconds: end)
    }
}
