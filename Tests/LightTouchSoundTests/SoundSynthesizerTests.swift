import Foundation
import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchSound

@Suite struct SoundSynthesizerTests {
    let band = TrialOptions()

    /// One second of a steady force, rendered at 48 kHz.
    func steady(_ force: Double, visibility: FeedbackVisibility = .all) -> [Int16] {
        var track = SoundTrack()
        for k in 0...100 { track.push(time: Double(k) * 0.01, force: force, options: band, visibility: visibility) }
        return track.samples
    }

    @Test(arguments: [(5.0, 440.0), (5.5, 479.82340237271336), (3.5, 339.28638158974695), (0.6, 220.0)])
    func aSteadyForceSoundsAtItsFormulaPitch(force: Double, expected: Double) throws {
        let samples = steady(force)
        #expect(samples.count == 48_000)
        // After the 5 ms glide has settled.
        let measured = try #require(SoundAnalysis.zeroCrossingFrequency(samples[4800...], sampleRate: 48_000))
        #expect(abs(measured - expected) / expected < 0.01, "measured \(measured) Hz, formula \(expected) Hz")
        #expect(abs(measured - expected) / expected < 0.001)
    }

    /// Two hands out of balance: the tone's envelope follows
    /// A · (1 − d/2 · (1 − cos 2π r t)), A = 0.5, d = 0.6, r = 4 Hz, full at
    /// t = 0 and 0.2 at each trough (t = 0.125, 0.375… s). Measured as the
    /// peak of each 440 Hz cycle, once the 5 ms glide of the depth has settled.
    @Test func anUnbalancedPairPulsesAtTheTremoloRate() {
        var synthesizer = SoundSynthesizer()
        synthesizer.voice = SoundVoice(frequency: 440, tone: 0.5, noise: 0, roughness: 0, tremolo: 0.6, tremoloHz: 4)
        var samples: [Int16] = []
        synthesizer.render(48_000, into: &samples)
        let cycle = 48_000 / 440.0
        var worst = 0.0
        var cycleStart = 0.1 * 48_000
        while cycleStart + cycle < 48_000 {
            let range = Int(cycleStart)..<Int(cycleStart + cycle)
            let peak = Double(samples[range].map { abs(Int($0)) }.max() ?? 0) / 32767
            let t = (cycleStart + cycle / 2) / 48_000
            let expected = 0.5 * (1 - 0.3 * (1 - cos(2 * Double.pi * 4 * t)))
            // Within a cycle the envelope moves by at most A · d/2 · 2π r / 440 ≈ 0.0086.
            worst = max(worst, abs(peak - expected))
            cycleStart += cycle
        }
        #expect(worst < 0.012, "largest error \(worst)")
        // Balanced again: the tremolo glides away and the tone is steady.
        synthesizer.voice = SoundVoice(frequency: 440, tone: 0.5, noise: 0, roughness: 0)
        var steady: [Int16] = []
        synthesizer.render(24_000, into: &steady)
        let peaks = stride(from: 4800, to: 24_000 - 110, by: 109).map { Double(steady[$0..<$0 + 110].map { abs(Int($0)) }.max() ?? 0) / 32767 }
        #expect(peaks.allSatisfy { abs($0 - 0.5) < 0.002 }, "\(peaks.min() ?? 0)…\(peaks.max() ?? 0)")
    }

    @Test func aboveTheBandTheToneIsStillAtItsPitchWithNoiseAround() {
        let samples = steady(7)
        let pitch = 622.2539674441618  // 440 · 2^(6/12), computed apart
        let tone = SoundAnalysis.amplitude(at: pitch, in: samples[4800...], sampleRate: 48_000)
        // Tone 0.25 modulated with depth 1: mean gain 0.5, so 0.125 at the carrier.
        #expect(abs(tone - 0.125) < 0.01, "tone \(tone)")
        let rms = (samples[4800...].map { Double($0) / 32767 }.map { $0 * $0 }.reduce(0, +) / Double(samples.count - 4800)).squareRoot()
        // Noise of amplitude 0.3 uniform: rms 0.3/√3 = 0.173, well above the tone's.
        #expect(rms > 0.15)
    }

    @Test func hiddenFeedbackAndRestAreExactlySilent() {
        #expect(steady(5, visibility: .hidden).allSatisfy { $0 == 0 })
        #expect(steady(5, visibility: .calmOnTarget).allSatisfy { $0 == 0 })
        #expect(steady(0.2).allSatisfy { $0 == 0 })
    }

    @Test func forceAndModeStepsDoNotClick() {
        var track = SoundTrack()
        let script: [(Double, FeedbackVisibility)] = [(0, .all), (5, .all), (3.5, .all), (5.9, .all), (5, .hidden), (5, .all), (0, .all)]
        var time = 0.0
        for (force, visibility) in script {
            for _ in 0..<10 {
                track.push(time: time, force: force, options: band, visibility: visibility)
                time += 0.01
            }
        }
        let samples = track.finish()
        let largestStep = zip(samples, samples.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
        // A sine of amplitude 0.5 at 550 Hz moves at most 0.5 · 2π · 550/48000 = 0.036 of
        // full scale (1180) per sample; an unsmoothed step from silence would jump up to 16384.
        #expect(largestStep < 1300, "largest step \(largestStep)")
        #expect(samples.contains { $0 != 0 })
    }

    @Test func theHoldCueSoundsWhenTheGoalIsMetAndNotInABlindTrial() {
        func render(_ visibility: FeedbackVisibility) -> [Int16] {
            var track = SoundTrack()
            for k in 0...50 { track.push(time: Double(k) * 0.01, force: 5, options: band, visibility: visibility, holdGoalMet: k == 20) }
            return track.samples
        }
        let cueWindow = 9600..<(9600 + 7200)  // 0.2 s … 0.35 s
        let heard = SoundAnalysis.amplitude(at: 1760, in: render(.all)[cueWindow], sampleRate: 48_000)
        // A Hann-windowed 0.4 tone over exactly its length: mean amplitude 0.2.
        #expect(abs(heard - 0.2) < 0.01, "cue \(heard)")
        let before = SoundAnalysis.amplitude(at: 1760, in: render(.all)[0..<9600], sampleRate: 48_000)
        #expect(before < 0.005)
        let calm = SoundAnalysis.amplitude(at: 1760, in: render(.calmOnTarget)[cueWindow], sampleRate: 48_000)
        #expect(abs(calm - 0.2) < 0.01)
        #expect(render(.hidden).allSatisfy { $0 == 0 })
    }

    @Test func theSameSamplesGiveTheSameSound() {
        #expect(steady(8) == steady(8))
    }
}
