#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scripted hand on the demo or emulated sensor. Each scenario repeats a
/// trial cycle: rest, touch down, hold, release, rest. The forces are
/// deterministic functions of time, so runs are reproducible; the sensor's
/// own noise is added by the load-cell model.
public enum Scenario: String, CaseIterable, Sendable {
    /// Nothing touches the sensor.
    case rest
    /// A calm, practised hold near 5 g: small tremor, hardly any drift.
    case steady
    /// A beginner: overshoots, wobbles and drifts upward.
    case novice
    /// Presses too hard: settles around 9 g.
    case heavy
    /// Holds at 2, 5 and 10 g in turn, 10 s each.
    case ladder
    /// Two hands (channel 0 left, channel 1 right) near 5 g each; the right
    /// drifts heavier through the hold.
    case twoHands = "two-hands"

    /// One line on what the scenario plays.
    public var summary: String {
        switch self {
        case .rest: "no touch: the sensor at rest"
        case .steady: "a calm hold near 5 g, 12 s, every 18 s"
        case .novice: "overshoots to 8.5 g, wobbles and drifts up, every 18 s"
        case .heavy: "settles around 9 g, every 18 s"
        case .ladder: "holds 2, 5 and 10 g for 10 s each, then rests"
        case .twoHands: "two hands near 5 g each, the right drifting heavier (+0.15 g/s), 12 s every 18 s"
        }
    }

    /// Force in grams on `channel` at `t` seconds: a one-hand scenario
    /// presses every channel alike; `two-hands` is channel 0's left hand and
    /// channel 1's (and any further channel's) right.
    public func force(channel: Int, at t: Double) -> Double {
        guard self == .twoHands else { return force(at: t) }
        let phase = t.truncatingRemainder(dividingBy: 18)
        let envelope = Self.envelope(phase, rise: 2.0, riseLength: 1.2, release: 14.0, releaseLength: 0.6)
        if channel == 0 {
            return envelope * (5.0 + 0.10 * sin(2 * .pi * 0.23 * t) + 0.03 * sin(2 * .pi * 8.1 * t))
        }
        let drift = 0.15 * max(0, phase - 3.2)
        return envelope * (4.9 + 0.08 * sin(2 * .pi * 0.31 * t + 1) + 0.03 * sin(2 * .pi * 7.3 * t) + drift)
    }

    /// Force in grams at `t` seconds since the sensor started (`two-hands`: the left hand's).
    public func force(at t: Double) -> Double {
        switch self {
        case .twoHands:
            return force(channel: 0, at: t)
        case .rest:
            return 0
        case .steady:
            let phase = t.truncatingRemainder(dividingBy: 18)
            let tremor = 0.10 * sin(2 * .pi * 0.23 * t) + 0.03 * sin(2 * .pi * 8.1 * t)
            let settle = 0.35 * exp(-(phase - 3.2) / 0.6) * (phase > 3.2 ? 1 : 0)
            return Self.envelope(phase, rise: 2.0, riseLength: 1.2, release: 14.0, releaseLength: 0.6)
                * (5.0 + tremor + settle)
        case .novice:
            let phase = t.truncatingRemainder(dividingBy: 18)
            let hold = max(0, phase - 2.5)
            let overshoot = 3.0 * exp(-hold / 0.8) * cos(2 * .pi * 0.7 * hold)
            let wobble = 0.9 * sin(2 * .pi * 0.45 * t) + 0.35 * sin(2 * .pi * 3.1 * t)
            let drift = 0.12 * hold
            return Self.envelope(phase, rise: 2.0, riseLength: 0.5, release: 14.0, releaseLength: 0.3)
                * max(0, 5.2 + overshoot + wobble + drift)
        case .heavy:
            let phase = t.truncatingRemainder(dividingBy: 18)
            let tremor = 0.25 * sin(2 * .pi * 0.3 * t) + 0.05 * sin(2 * .pi * 7.7 * t)
            return Self.envelope(phase, rise: 2.0, riseLength: 1.0, release: 14.0, releaseLength: 0.5) * (9.0 + tremor)
        case .ladder:
            let phase = t.truncatingRemainder(dividingBy: 42)
            let steps: [(start: Double, grams: Double)] = [(2, 2), (15, 5), (28, 10)]
            for step in steps where phase >= step.start && phase < step.start + 11 {
                let local = phase - step.start
                return Self.envelope(local, rise: 0, riseLength: 0.8, release: 10.4, releaseLength: 0.5)
                    * (step.grams + 0.05 * sin(2 * .pi * 0.3 * t))
            }
            return 0
        }
    }

    /// 0 before `rise`, a smooth (raised-cosine) rise to 1, 1 until `release`,
    /// a smooth fall to 0, then 0.
    static func envelope(_ t: Double, rise: Double, riseLength: Double, release: Double, releaseLength: Double) -> Double {
        if t < rise { return 0 }
        if t < rise + riseLength { return 0.5 - 0.5 * cos(.pi * (t - rise) / riseLength) }
        if t < release { return 1 }
        if t < release + releaseLength { return 0.5 + 0.5 * cos(.pi * (t - release) / releaseLength) }
        return 0
    }
}

/// What presses on the sensor.
public enum ForceProgram: Sendable, Equatable {
    case scenario(Scenario)
    case script(ForceScript)
    case constant(grams: Double)

    /// Force on `channel` at `t` seconds, grams.
    public func force(channel: Int, at t: Double) -> Double {
        switch self {
        case .scenario(let scenario): scenario.force(channel: channel, at: t)
        case .script(let script): script.force(channel: channel, at: t)
        case .constant(let grams): grams
        }
    }
}
