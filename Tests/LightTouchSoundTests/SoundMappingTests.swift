import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchSound

@Suite struct SoundMappingTests {
    let mapping = SoundMapping()
    let band = TrialOptions()  // target 5 g, tolerance 1 g, contact 0.5 g

    // Expected pitches: 440 · 2^(semitones/12), computed apart (Python).
    @Test func pitchRisesWithForceAndTheTargetIsTheReference() {
        #expect(abs(mapping.frequency(force: 5, options: band) - 440) < 1e-9)
        #expect(abs(mapping.frequency(force: 5.5, options: band) - 479.82340237271336) < 1e-9)
        #expect(abs(mapping.frequency(force: 3.5, options: band) - 339.28638158974695) < 1e-9)
        #expect(abs(mapping.frequency(force: 6.5, options: band) - 570.6094040464443) < 1e-9)
        // Four tolerances out, the pitch stops: an octave either way.
        #expect(abs(mapping.frequency(force: 40, options: band) - 880) < 1e-9)
        #expect(abs(mapping.frequency(force: 0.6, options: band) - 220) < 1e-9)
    }

    @Test func inBandIsACleanToneBelowSofterAboveNoisierWithTheExcess() {
        #expect(mapping.voice(force: 5, options: band) == SoundVoice(frequency: 440, tone: 0.5, noise: 0, roughness: 0))
        let below = mapping.voice(force: 3.5, options: band)
        #expect(below.tone == 0.25 && below.noise == 0 && below.roughness == 0)
        let slightly = mapping.voice(force: 6.5, options: band)
        #expect(abs(slightly.tone - 0.375) < 1e-12 && abs(slightly.noise - 0.15) < 1e-12 && abs(slightly.roughness - 0.5) < 1e-12)
        let far = mapping.voice(force: 9, options: band)
        #expect(abs(far.tone - 0.25) < 1e-12 && abs(far.noise - 0.3) < 1e-12 && far.roughness == 1)
    }

    /// Two hands: the pair's force sets the pitch; out of the balance band
    /// (50 % ± 5 here) the tone trembles, 4 Hz at the edge to 8 Hz 5 points beyond.
    /// Shares worked by hand: 100 · L / (L + R).
    @Test(arguments: [
        (4.8, 5.2, 0.0, 0.0),  // 48 %: balanced
        (4.5, 5.5, 0.0, 0.0),  // 45 %: the band's edge counts as inside
        (4.4, 5.6, 0.6, 4.8),  // 44 %: 1 point beyond the edge, a fifth of the way: 4 + 4 · 0.2
        (5.75, 4.25, 0.6, 6.0),  // 57.5 %: 2.5 points beyond, halfway: 4 + 4 · 0.5
        (4.2, 6.8, 0.6, 8.0),  // 38.18 %: more than 5 points beyond, 8 Hz and no faster
        (0.3, 5.0, 0.0, 0.0),  // the left hand does not touch (0.3 g < 0.5 g): no share, no tremolo
    ])
    func twoHandsOutOfBalanceTremble(left: Double, right: Double, depth: Double, rate: Double) {
        let hands = HandForces(left: left, right: right)
        let voice = mapping.voice(force: hands.mean, options: band, level: 1, hands: hands, balance: BalanceSettings())
        #expect(voice.tremolo == depth)
        #expect(abs(voice.tremoloHz - rate) < 1e-12, "\(voice.tremoloHz) Hz")
        #expect(voice.frequency == mapping.frequency(force: hands.mean, options: band))
        // What the screen hides stays silent, with no tremolo.
        let hidden = mapping.voice(
            force: hands.mean, options: band, visibility: .hidden, level: 1, hands: hands, balance: BalanceSettings())
        #expect(hidden.isSilent && hidden.tremolo == 0)
    }

    @Test func restAndWhatTheScreenHidesAreSilent() {
        #expect(mapping.voice(force: 0.4, options: band).isSilent)
        #expect(mapping.voice(force: 5, options: band, visibility: .hidden).isSilent)
        #expect(mapping.voice(force: 5, options: band, visibility: .calmOnTarget).isSilent)
        #expect(!mapping.voice(force: 0.5, options: band).isSilent)
        #expect(mapping.cueAudible(visibility: .calmOnTarget) && mapping.cueAudible(visibility: .all))
        #expect(!mapping.cueAudible(visibility: .hidden))
    }
}
