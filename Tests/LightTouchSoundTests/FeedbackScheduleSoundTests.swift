import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchSound

/// The sound obeys each feedback schedule as the screen does: a drill of five
/// 4 s trials played through, the force moving in and out of the band, and at
/// every sample the voice the live player and a replay would sound, against
/// what each mode's rule says, worked out here from the mode and the phase.
@Suite struct FeedbackScheduleSoundTests {
    let mapping = SoundMapping()
    static let length = 4.0

    /// Every second: 0.4 s in band (5 g), 0.3 s above it (7.5 g), 0.3 s below it (3 g); at rest for the first 0.5 s.
    static func force(at time: Double) -> Double {
        guard time >= 0.5 else { return 0 }
        let into = (time - 0.5).truncatingRemainder(dividingBy: 1)
        return into < 0.4 ? 5 : (into < 0.7 ? 7.5 : 3)
    }

    struct Heard {
        var time: Double, force: Double, running: Bool, trial: Int?, elapsed: Double
        var voice: SoundVoice
        var screenShowsForce: Bool
        var peekedAt: Double?
    }

    /// Plays the drill at 100 Hz; in `self` mode presses `p` 1 s into each trial.
    func play(_ mode: FeedbackMode) -> [Heard] {
        let drill = Drill(
            name: "schedule", purpose: "test",
            trials: Array(repeating: DrillTrial(options: TrialOptions(), lengthSeconds: Self.length, feedback: mode), count: 5),
            restSeconds: 2)
        var session = PracticeSession(drill: drill)
        var heard: [Heard] = []
        var peekedAt: Double?
        var peekedTrial: Int?
        for k in 0..<(40 * 100) {
            let time = Double(k) / 100
            let force = Self.force(at: time)
            _ = session.push(CollectionOfOne((time: time, force: force)))
            let voice = mapping.voice(
                force: force, options: session.currentOptions, visibility: session.visibility, level: session.soundLevel)
            heard.append(
                Heard(
                    time: time, force: force, running: session.isRunning, trial: session.trialIndex, elapsed: session.elapsed,
                    voice: voice, screenShowsForce: session.visibility == .all, peekedAt: peekedTrial == session.trialIndex ? peekedAt : nil))
            if mode == .selfPaced, session.isRunning, session.elapsed >= 1, peekedTrial != session.trialIndex {
                _ = session.handle(.peek)
                peekedAt = time
                peekedTrial = session.trialIndex
            }
        }
        #expect(session.results.count == 5)
        return heard
    }

    /// The voice at full loudness, as the mapping gives it with nothing hidden.
    func open(_ sample: Heard) -> SoundVoice { mapping.voice(force: sample.force, options: TrialOptions()) }

    /// Whatever the mode: silent exactly when the screen hides the force (or at rest).
    func checkSilentExactlyWhereTheScreenHidesTheForce(_ heard: [Heard]) {
        for sample in heard where sample.force >= TrialOptions().contact {
            #expect(sample.voice.isSilent == !sample.screenShowsForce, "at \(sample.time) s")
        }
    }

    @Test func fullIsHeardThroughoutAtFullLoudness() {
        let heard = play(.full)
        for sample in heard { #expect(sample.voice == open(sample), "at \(sample.time) s") }
        #expect(heard.filter { $0.running && !$0.voice.isSilent }.count > 1500)
        checkSilentExactlyWhereTheScreenHidesTheForce(heard)
    }

    @Test func bandwidthIsSilentInTheBandDuringTrialsOnly() {
        let heard = play(.bandwidth)
        for sample in heard {
            let inBand = sample.force >= 4 && sample.force <= 6
            #expect(sample.voice == (sample.running && inBand ? open(sample).silenced : open(sample)), "at \(sample.time) s")
        }
        #expect(heard.contains { $0.running && $0.force == 5 } && heard.contains { $0.running && $0.force == 7.5 })
        checkSilentExactlyWhereTheScreenHidesTheForce(heard)
    }

    @Test func blindIsSilentDuringTrialsAndHeardBetweenThem() {
        let heard = play(.blind)
        for sample in heard { #expect(sample.voice == (sample.running ? open(sample).silenced : open(sample)), "at \(sample.time) s") }
        #expect(heard.contains { !$0.running && $0.force > 0 && !$0.voice.isSilent })
        checkSilentExactlyWhereTheScreenHidesTheForce(heard)
    }

    @Test func selfIsHeardOnlyForTheSecondAfterEachPeek() {
        let heard = play(.selfPaced)
        for sample in heard {
            let peeking = sample.peekedAt.map { sample.time < $0 + PracticeSession.peekSeconds } ?? false
            #expect(sample.voice == (!sample.running || peeking ? open(sample) : open(sample).silenced), "at \(sample.time) s")
        }
        // Each of the five trials: heard from the sample after the press until its second is
        // up, the press at sample k: samples k + 1 … k + 99 (k + 100 is the end), 99 of them.
        #expect(heard.filter { $0.running && $0.peekedAt != nil && !$0.voice.isSilent }.count == 5 * 99)
        checkSilentExactlyWhereTheScreenHidesTheForce(heard)
    }

    /// Faded: trial k of 5 is heard for the first (4 − k)/4 of its length, at
    /// (4 − k)/4 of the loudness: 100, 75, 50, 25 % and never.
    @Test func fadedIsHeardLessAndQuieterTrialByTrial() {
        let heard = play(.faded)
        var loudest = [Double](repeating: 0, count: 5)
        for sample in heard {
            guard sample.running, let trial = sample.trial else {
                #expect(sample.voice == open(sample), "at \(sample.time) s")
                continue
            }
            let fraction = Double(4 - trial) / 4
            let shown = sample.elapsed < fraction * Self.length
            let expected = shown ? open(sample).scaled(by: fraction) : open(sample).silenced
            #expect(sample.voice == expected, "at \(sample.time) s")
            if sample.force == 5 { loudest[trial] = max(loudest[trial], sample.voice.tone) }
        }
        #expect(loudest == [0.5, 0.375, 0.25, 0.125, 0])
        checkSilentExactlyWhereTheScreenHidesTheForce(heard)
    }

    /// A drill of one long trial fades in 10 s pieces, and so does the loudness.
    @Test func aSingleTrialFadesPieceByPiece() {
        // 90 s: nine pieces; piece k is at (8 − k)/8.
        #expect(FadedSchedule.level(trial: 0, of: 1, elapsed: 0, length: 90) == 1)
        #expect(FadedSchedule.level(trial: 0, of: 1, elapsed: 15, length: 90) == 0.875)
        #expect(FadedSchedule.level(trial: 0, of: 1, elapsed: 45, length: 90) == 0.5)
        #expect(FadedSchedule.level(trial: 0, of: 1, elapsed: 85, length: 90) == 0)
        #expect(FadedSchedule.level(trial: 2, of: 3, elapsed: 0, length: 10) == 0)
        #expect(FadedSchedule.level(trial: 1, of: 3, elapsed: 9, length: 10) == 0.5)
    }
}
