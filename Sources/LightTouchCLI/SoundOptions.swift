import ArgumentParser
import Foundation
import LightTouchALSA
import LightTouchCalibration
import LightTouchCore
import LightTouchSession
import LightTouchSound
import LightTouchTrainer
import Synchronization

/// `--sound`, `--sound-device`, `--sound-out` for `practice` and `assess`.
struct SoundOptions: ParsableArguments {
    @Flag(help: "Play the feedback sound through ALSA (docs/sound.md); `s` turns it off and on in the full screen.")
    var sound = false

    @Option(help: ArgumentHelp("The ALSA device to play through (implies --sound). Default: default.", valueName: "name"))
    var soundDevice: String?

    @Option(help: ArgumentHelp("Also write the sound played to this 16-bit mono WAV file (implies --sound).", valueName: "out.wav"))
    var soundOut: String?

    var isOn: Bool { sound || soundDevice != nil || soundOut != nil }
}

/// The feedback sound of a live session: an ALSA player reading the
/// session's latest frame from its own thread, and the `s` switch.
final class LiveSound: Sendable {
    /// Whether the sound is on (`s`), read by the audio thread.
    final class Switch: Sendable {
        let on = Atomic<Bool>(true)
    }

    private let player: ALSAPlayer
    private let enabled: Switch
    private let output: String?

    /// Opens the device; without a usable one, says so in one line and returns nil (the session goes on silent).
    static func start(_ options: SoundOptions, session: LiveSession, assessment: Bool, fallback: TrialOptions) -> LiveSound? {
        guard options.isOn else { return nil }
        let device = options.soundDevice ?? "default"
        let enabled = Switch()
        let mapping = SoundMapping()
        // The cue: a drill's once per trial, when it says the hold goal is met (as a replay
        // hears its `holdGoalMet` events); without a drill, when the running hold reaches the goal.
        let cue = Mutex((watch: HoldGoalCue(), cuedTrial: Int?.none, count: 0))
        do {
            let sound = try LiveSound(
                player: ALSAPlayer(device: device, capture: options.soundOut != nil) {
                    let frame = session.frame
                    let options = frame.drill?.currentOptions ?? fallback
                    let visibility = frame.drill.map { assessment ? $0.examinerVisibility : $0.visibility } ?? .all
                    let on = enabled.on.load(ordering: .relaxed)
                    let voice = mapping.voice(force: frame.snapshot.filtered, options: options, visibility: on ? visibility : .hidden)
                    let cues = cue.withLock { state in
                        let met: Bool
                        if let drill = frame.drill {
                            met = drill.isHoldGoalMet && drill.trialIndex != state.cuedTrial
                            if met { state.cuedTrial = drill.trialIndex }
                        } else {
                            met = state.watch.push(hold: frame.snapshot.currentHold, goal: options.holdGoal)
                        }
                        if met, on, mapping.cueAudible(visibility: visibility) { state.count += 1 }
                        return state.count
                    }
                    return SoundCommand(voice: voice, cues: cues)
                },
                output: options.soundOut, enabled: enabled)
            sound.player.start()
            return sound
        } catch {
            printError("sound: cannot play through ALSA device `\(device)` (\(error.description)); the session goes on silent")
            return nil
        }
    }

    private init(player: ALSAPlayer, output: String?, enabled: Switch) {
        self.player = player
        self.output = output
        self.enabled = enabled
    }

    /// The `s` key.
    func toggle() { _ = enabled.on.logicalXor(true, ordering: .relaxed) }

    /// Stops the sound; writes the WAV file when asked; reports what was played on stderr.
    func finish() throws {
        let (statistics, frames) = player.stop()
        printError(
            "sound: \(String(format: "%.1f", Double(statistics.frames) / Double(player.sampleRate))) s played through `\(player.device)`, "
                + "\(statistics.underruns) underrun\(statistics.underruns == 1 ? "" : "s")"
                + (statistics.failure.map { "; it stopped early (\($0.description))" } ?? ""))
        guard let output else { return }
        do {
            try AtomicFile.write(WAVFile.encode(frames, sampleRate: player.sampleRate), to: output)
        } catch {
            throw UserError("\(output): cannot write the sound (\(FileErrors.describe(error)))")
        }
    }
}
