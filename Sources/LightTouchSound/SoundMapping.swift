#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import LightTouchCore
import LightTouchTrainer

/// What the synthesizer should sound like at one instant: a tone, its
/// loudness, and how much noise and roughness are mixed into it.
public struct SoundVoice: Sendable, Equatable {
    /// The tone's frequency, hertz.
    public var frequency: Double
    /// The tone's peak amplitude, 0…1 of full scale.
    public var tone: Double
    /// The noise's peak amplitude, 0…1 of full scale.
    public var noise: Double
    /// Depth of the tone's amplitude modulation (roughness), 0…1.
    public var roughness: Double
    /// Two hands out of balance: depth of a slow tremolo of the tone, 0…1 (0: none).
    public var tremolo: Double
    /// The tremolo's rate, hertz.
    public var tremoloHz: Double

    public init(frequency: Double, tone: Double, noise: Double, roughness: Double, tremolo: Double = 0, tremoloHz: Double = 0) {
        self.frequency = frequency
        self.tone = tone
        self.noise = noise
        self.roughness = roughness
        self.tremolo = tremolo
        self.tremoloHz = tremoloHz
    }

    /// Nothing audible (the frequency is kept, so a tone fading in or out does not glide).
    public var silenced: SoundVoice { SoundVoice(frequency: frequency, tone: 0, noise: 0, roughness: 0, tremoloHz: tremoloHz) }

    public var isSilent: Bool { tone == 0 && noise == 0 }

    /// The same voice, `level` (0…1) as loud: tone and noise scaled, pitch, roughness and tremolo kept.
    public func scaled(by level: Double) -> SoundVoice {
        let gain = min(max(level, 0), 1)
        var voice = self
        voice.tone = tone * gain
        voice.noise = noise * gain
        return voice
    }
}

/// The documented mapping from the force, the target band and what the
/// feedback mode lets through to a `SoundVoice` (docs/sound.md). Pure.
///
/// With target T, tolerance w (the band is T − w … T + w), contact c and force F:
/// - pitch: f = f_ref · 2^(s · clamp((F − T)/w, −r, r) / 12), so the target
///   sounds at f_ref and each tolerance above or below moves it s semitones;
/// - F < c (rest, no contact): silent;
/// - in band: a clean tone of amplitude A;
/// - below the band: the same pitch law (so lower), amplitude A · q (softer);
/// - above the band, with excess x = clamp((F − (T + w))/w, 0, 1): tone
///   amplitude A · (1 − x/2), noise amplitude A · n · x, and the tone
///   amplitude-modulated at `roughnessHz` with depth x (rougher as the excess grows);
/// - two hands: the pitch and loudness follow the pair's force (the hands'
///   mean); while both hands touch and the left share L is outside the
///   balance band P ± b, the tone trembles: a tremolo of depth
///   `balanceTremoloDepth` at 4 Hz at the band's edge, rising linearly to
///   8 Hz a further b away (and no faster beyond);
/// - silent unless the screen shows the force (`FeedbackVisibility.all`):
///   `bandwidth` in band, `blind`, `faded` when it fades out and `self`
///   between peeks are silent, exactly as on screen.
public struct SoundMapping: Sendable, Equatable {
    /// The pitch of the target, hertz (A4).
    public var referenceHz = 440.0
    /// Semitones per tolerance of force away from the target.
    public var semitonesPerTolerance = 3.0
    /// The pitch stops moving this many tolerances from the target.
    public var rangeTolerances = 4.0
    /// The amplitude in band.
    public var amplitude = 0.5
    /// Below the band, the amplitude is `amplitude` times this.
    public var belowFactor = 0.5
    /// Above the band, at full excess, the noise amplitude is `amplitude` times this.
    public var noiseFactor = 0.6
    /// The roughness modulation's rate, hertz (in the range heard as rough:
    /// Zwicker & Fastl, "Psychoacoustics", ch. 11: roughness peaks near 70 Hz).
    public var roughnessHz = 70.0
    /// The hold-goal cue: a tone two octaves above the target, far above any
    /// pitch of the continuous sound (at most `rangeTolerances · semitonesPerTolerance` = 12 semitones up).
    public var cueHz = 1760.0
    public var cueSeconds = 0.15
    public var cueAmplitude = 0.4
    /// Two hands out of balance: the tremolo's depth, and its rate at the
    /// balance band's edge and at one balance tolerance beyond it. Slow
    /// enough to be heard as a pulsing of the tone, far below roughness (70 Hz).
    public var balanceTremoloDepth = 0.6
    public var balanceTremoloHz = 4.0
    public var balanceTremoloMaxHz = 8.0

    public init() {}

    /// The pitch for a force.
    public func frequency(force: Double, options: TrialOptions) -> Double {
        let away = min(max((force - options.target) / options.tolerance, -rangeTolerances), rangeTolerances)
        return referenceHz * exp2(semitonesPerTolerance * away / 12)
    }

    /// The voice for a force in a band, as much as `visibility` lets through.
    /// `level` scales its loudness (a faded trial's `PracticeSession.soundLevel`).
    /// Two hands: `force` is the pair's, and `hands` out of the `balance` band add the tremolo.
    public func voice(
        force: Double, options: TrialOptions, visibility: FeedbackVisibility = .all, level: Double, hands: HandForces? = nil,
        balance: BalanceSettings? = nil
    ) -> SoundVoice {
        var voice = voice(force: force, options: options, visibility: visibility).scaled(by: level)
        if !voice.isSilent, let hands, let balance, let share = hands.leftShare(contact: options.contact), !balance.isBalanced(share: share) {
            let beyond = min(max((abs(share - balance.target) - balance.tolerance) / balance.tolerance, 0), 1)
            voice.tremolo = balanceTremoloDepth
            voice.tremoloHz = balanceTremoloHz + (balanceTremoloMaxHz - balanceTremoloHz) * beyond
        }
        return voice
    }

    /// The voice for a force in a band, as much as `visibility` lets through.
    public func voice(force: Double, options: TrialOptions, visibility: FeedbackVisibility = .all) -> SoundVoice {
        let voice = SoundVoice(frequency: frequency(force: force, options: options), tone: amplitude, noise: 0, roughness: 0)
        guard visibility == .all, force >= options.contact else { return voice.silenced }
        if force < options.bandLow {
            return SoundVoice(frequency: voice.frequency, tone: amplitude * belowFactor, noise: 0, roughness: 0)
        }
        if force > options.bandHigh {
            let excess = min(max((force - options.bandHigh) / options.tolerance, 0), 1)
            return SoundVoice(
                frequency: voice.frequency, tone: amplitude * (1 - excess / 2), noise: amplitude * noiseFactor * excess, roughness: excess)
        }
        return voice
    }

    /// Whether the hold-goal cue may sound: only where the force itself may be
    /// heard or shown calmly (`bandwidth` in band), never in a hidden trial.
    public func cueAudible(visibility: FeedbackVisibility) -> Bool { visibility != .hidden }
}
