import LightTouchCore
import LightTouchTrainer

/// The sound of a session rendered offline: fed the scored samples in order
/// (each with its band, what the feedback mode lets through and whether the
/// hold goal was just met), it renders the audio between one sample and the
/// next with the voice of the earlier one, as a live player reading the
/// latest state would. Deterministic: the same samples give the same audio.
public struct SoundTrack: Sendable {
    public let sampleRate: Int
    public private(set) var samples: [Int16] = []
    private var synthesizer: SoundSynthesizer
    private var start: Double?

    public init(sampleRate: Int = 48_000, mapping: SoundMapping = SoundMapping()) {
        self.sampleRate = sampleRate
        synthesizer = SoundSynthesizer(sampleRate: Double(sampleRate), mapping: mapping)
    }

    /// Takes one scored sample: time (s), filtered force (g), the band, what may
    /// be heard, how loud (a faded trial's level), and whether the hold goal was met at this sample;
    /// two hands add each hand's filtered force and the balance band.
    public mutating func push(
        time: Double, force: Double, options: TrialOptions, visibility: FeedbackVisibility = .all, level: Double = 1, holdGoalMet: Bool = false,
        hands: HandForces? = nil, balance: BalanceSettings? = nil
    ) {
        advance(to: time)
        let mapping = synthesizer.mapping
        synthesizer.voice = mapping.voice(
            force: force, options: options, visibility: visibility, level: level, hands: hands, balance: balance)
        if holdGoalMet, mapping.cueAudible(visibility: visibility) { synthesizer.cue() }
    }

    /// Renders up to `time` (s) with the current voice.
    public mutating func advance(to time: Double) {
        let origin = start ?? time
        start = origin
        let end = Int(((time - origin) * Double(sampleRate)).rounded())
        if end > samples.count { synthesizer.render(end - samples.count, into: &samples) }
    }

    /// Ends the track `tail` seconds after the last sample, fading to silence.
    public mutating func finish(tail: Double = 0.25) -> [Int16] {
        synthesizer.voice = synthesizer.voice.silenced
        synthesizer.render(Int((tail * Double(sampleRate)).rounded()), into: &samples)
        return samples
    }
}

/// When the hold-goal cue sounds for a session without a drill: once, when
/// the hold running reaches the goal, and again only after the hold broke.
/// (A drill says so itself: `PracticeSession.Event.holdGoalMet`.)
public struct HoldGoalCue: Sendable {
    private var sounded = false

    public init() {}

    /// Whether the cue sounds at a sample with this running hold (seconds).
    public mutating func push(hold: Double, goal: Double) -> Bool {
        if hold < goal - TrialOptions.timeEpsilon {
            sounded = false
            return false
        }
        defer { sounded = true }
        return !sounded
    }
}
