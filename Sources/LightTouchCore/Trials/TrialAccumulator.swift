/// A sample as a trial takes it: the force, and each hand's in a two-hand
/// session (the force is then the hands' mean).
public struct TrialSample: Sendable {
    public var time: Double
    public var force: Double
    public var hands: HandForces?

    public init(time: Double, force: Double, hands: HandForces? = nil) {
        self.time = time
        self.force = force
        self.hands = hands
    }
}

/// Accumulates one trial's metrics sample by sample, in constant memory.
/// Each sample arrives with the length of the interval it stands for
/// ([tᵢ, tᵢ₊₁) cut off at the trial's end), as the README defines.
public struct TrialAccumulator: Sendable {
    public let options: TrialOptions
    public let trial: Int
    public let startSeconds: Double
    public private(set) var samples = 0
    public private(set) var peak = -Double.infinity
    public private(set) var inBandSeconds = 0.0
    public private(set) var firstInBandTime: Double?
    public private(set) var longestHold = 0.0

    // Longest hold, with grace: the run being built and the excursion inside it.
    private var runStart: Double?
    private var lastInBandEnd = 0.0
    private var excursionStart: Double?

    // Hold phase (from the first in-band sample on): Welford's running moments.
    private var holdCount = 0
    private var meanForce = 0.0
    private var m2Force = 0.0
    private var meanTime = 0.0
    private var m2Time = 0.0
    private var coMoment = 0.0
    private var sumAbsError = 0.0
    private var sumSquaredError = 0.0

    /// A two-hand trial's balance band (nil: one hand).
    public let balance: BalanceSettings?
    // Two hands: each hand's own trial (left, right), and the balance.
    private var handTrials: [TrialAccumulator] = []
    private var balanceTrial: BalanceAccumulator?

    /// - Parameter balance: the balance band of a two-hand trial, whose
    ///   samples then come with each hand's force (`add(time:hands:interval:)`).
    public init(options: TrialOptions, trial: Int, startSeconds: Double, balance: BalanceSettings? = nil) {
        self.options = options
        self.trial = trial
        self.startSeconds = startSeconds
        self.balance = balance
        if let balance {
            handTrials = [
                TrialAccumulator(options: options, trial: trial, startSeconds: startSeconds),
                TrialAccumulator(options: options, trial: trial, startSeconds: startSeconds),
            ]
            balanceTrial = BalanceAccumulator(options: options, balance: balance)
        }
    }

    /// Adds `sample` standing for `interval` seconds, with its hands when it has them.
    @inline(__always)
    public mutating func add(_ sample: TrialSample, interval: Double) {
        if let hands = sample.hands {
            add(time: sample.time, hands: hands, interval: interval)
        } else {
            add(time: sample.time, force: sample.force, interval: interval)
        }
    }

    /// Adds sample (t, f) standing for `interval` seconds.
    @inline(__always)
    public mutating func add(time t: Double, force f: Double, interval: Double) {
        add(time: t, force: f, inBand: options.isInBand(f), interval: interval)
    }

    /// Adds a two-hand sample standing for `interval` seconds: the pair's
    /// force is the hands' mean, in band when both hands are and the pair is
    /// balanced; each hand is also scored alone. A one-hand trial takes
    /// the total force (a trial without `balance` ignores the split).
    @inline(__always)
    public mutating func add(time t: Double, hands: HandForces, interval: Double) {
        guard let balance else {
            add(time: t, force: hands.left + hands.right, interval: interval)
            return
        }
        add(time: t, force: hands.mean, inBand: options.isInBand(hands, balance: balance), interval: interval)
        handTrials[0].add(time: t, force: hands.left, interval: interval)
        handTrials[1].add(time: t, force: hands.right, interval: interval)
        balanceTrial?.add(hands, interval: interval)
    }

    @inline(__always)
    private mutating func add(time t: Double, force f: Double, inBand: Bool, interval: Double) {
        samples += 1
        if f > peak { peak = f }
        if inBand {
            inBandSeconds += interval
            if firstInBandTime == nil { firstInBandTime = t }
            if runStart == nil {
                runStart = t
            } else if let excursion = excursionStart, t - excursion >= options.grace - TrialOptions.timeEpsilon {
                runStart = t  // the excursion was not shorter than the grace: a new run starts here
            }
            excursionStart = nil
            lastInBandEnd = t + interval
            if let start = runStart, lastInBandEnd - start > longestHold { longestHold = lastInBandEnd - start }
        } else if runStart != nil, excursionStart == nil {
            excursionStart = t
        }
        if firstInBandTime != nil {
            holdCount += 1
            let n = Double(holdCount)
            let dTime = t - meanTime
            meanTime += dTime / n
            let dForce = f - meanForce
            meanForce += dForce / n
            m2Force += dForce * (f - meanForce)
            m2Time += dTime * (t - meanTime)
            coMoment += dTime * (f - meanForce)
            let error = f - options.target
            sumAbsError += abs(error)
            sumSquaredError += error * error
        }
    }

    /// The hold running at time `t` (0 when none): a run that an excursion
    /// shorter than the grace has not yet broken.
    public func currentHold(at t: Double) -> Double {
        guard let start = runStart else { return 0 }
        if let excursion = excursionStart, t - excursion >= options.grace - TrialOptions.timeEpsilon { return 0 }
        return lastInBandEnd - start
    }

    /// The metrics of the trial, ending at `end` seconds.
    public func metrics(endSeconds end: Double) -> TrialMetrics {
        let duration = end - startSeconds
        let inBandPercent = duration > 0 ? 100 * inBandSeconds / duration : 0
        var mean: Double?, sd: Double?, cv: Double?, mae: Double?, rmse: Double?, drift: Double?
        if holdCount > 0 {
            let n = Double(holdCount)
            mean = meanForce
            mae = sumAbsError / n
            rmse = (sumSquaredError / n).squareRoot()
            if holdCount >= 2 {
                let deviation = (m2Force / (n - 1)).squareRoot()
                sd = deviation
                if meanForce > 0 { cv = deviation / meanForce }
                if m2Time > 0 { drift = coMoment / m2Time }
            }
        }
        let overshoot = max(0, peak - options.bandHigh)
        var hands: HandsMetrics?
        if handTrials.count == 2, let balanceTrial {
            hands = HandsMetrics(
                left: handTrials[0].metrics(endSeconds: end), right: handTrials[1].metrics(endSeconds: end),
                balance: balanceTrial.metrics)
        }
        return TrialMetrics(
            trial: trial, startSeconds: startSeconds, endSeconds: end,
            timeToTargetSeconds: firstInBandTime.map { $0 - startSeconds },
            inBandSeconds: inBandSeconds, inBandPercent: inBandPercent, longestHoldSeconds: longestHold,
            meanGrams: mean, sdGrams: sd, cv: cv, maeGrams: mae, rmseGrams: rmse, driftGramsPerSecond: drift,
            peakGrams: samples > 0 ? peak : 0, overshootGrams: samples > 0 ? overshoot : 0,
            score: TrialScore.score(longestHold: longestHold, inBandPercent: inBandPercent, mae: mae, cv: cv, options: options),
            samples: samples, hands: hands)
    }
}
