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

    @Test func restAndWhatTheScreenHidesAreSilent() {
        #expect(mapping.voice(force: 0.4, options: band).isSilent)
        #expect(mapping.voice(force: 5, options: band, visibility: .hidden).isSilent)
        #expect(mapping.voice(force: 5, options: band, visibility: .calmOnTarget).isSilent)
        #expect(!mapping.voice(force: 0.5, options: band).isSilent)
        #expect(mapping.cueAudible(visibility: .calmOnTarget) && mapping.cueAudible(visibility: .all))
        #expect(!mapping.cueAudible(visibility: .hidden))
    }
}
