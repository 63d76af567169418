import Foundation
import LightTouchCalibration
import LightTouchCore
import LightTouchSound
import LightTouchTrainer

/// `replay … --sound-out FILE.wav`: the feedback sound of the replayed
/// samples, rendered offline with the live mapping (docs/sound.md).
extension ReplayCommand {
    /// The sound of a session without a drill (a CSV): every sample audible,
    /// the cue when the pipeline's hold reaches the goal.
    struct PlainSound {
        var track = SoundTrack()
        var cue = HoldGoalCue()

        mutating func push(_ sample: ProcessedSample, pipeline: ForcePipeline) {
            let options = pipeline.configuration.trial
            let met = cue.push(hold: pipeline.currentHold, goal: options.holdGoal)
            track.push(
                time: sample.time, force: sample.filtered, options: options, holdGoalMet: met, hands: sample.hands,
                balance: pipeline.configuration.balance)
        }
    }

    /// The sound of a recorded session: with a drill, what its feedback mode
    /// lets through (an assessment as the examiner's screen shows it) and its
    /// hold-goal events; without one, as a CSV (`holdGoalMet`: the running hold
    /// reached the goal at this sample); silent where the student could
    /// not hear it (`audible`: the recorded `s` switch and device).
    static func pushSound(
        _ sample: ProcessedSample, drill practice: PracticeSession?, events: [PracticeSession.Event], assessment: Bool,
        audible: Bool = true, holdGoalMet: Bool = false, options: TrialOptions, into track: inout SoundTrack
    ) {
        guard let practice else {
            return track.push(
                time: sample.time, force: sample.filtered, options: options, visibility: audible ? .all : .hidden,
                holdGoalMet: holdGoalMet)
        }
        let visibility = audible ? (assessment ? practice.examinerVisibility : practice.visibility) : .hidden
        track.push(
            time: sample.time, force: sample.filtered, options: practice.currentOptions, visibility: visibility,
            level: practice.soundLevel, holdGoalMet: events.contains(.holdGoalMet), hands: sample.hands, balance: practice.drill.balance)
    }

    /// Writes the track as a WAV file.
    static func writeSound(_ track: inout SoundTrack, to path: String) throws {
        let samples = track.finish()
        do {
            try AtomicFile.write(WAVFile.encode(samples, sampleRate: track.sampleRate), to: path)
        } catch {
            throw UserError("\(path): cannot write the sound (\(FileErrors.describe(error)))")
        }
    }
}
