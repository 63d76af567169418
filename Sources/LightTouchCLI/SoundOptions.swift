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
/// session's latest frame from its own thread. The session owns the sound's
/// state (the device, the `s` switch, underruns) and records it, so a replay
/// hears what was audible.
final class LiveSound: Sendable {
    private let player: ALSAPlayer
    private let output: String?

    /// Opens the device; without a usable one, says so in one line, notes it in
    /// the session and returns nil (the session goes on silent).
    static func start(_ options: SoundOptions, session: LiveSession, assessment: Bool, fallback: TrialOptions) -> LiveSound? {
        guard options.isOn else { return nil }
        let device = options.soundDevice ?? "default"
        do {
            let player = try ALSAPlayer(
                device: device, capture: options.soundOut != nil,
                onEvent: { event in
                    switch event {
                    case .underrun: session.noteSound(.underrun)
                    case .failed(let error): session.noteSound(.failed(reason: error.description))
                    }
                },
                command: command(session: session, assessment: assessment, fallback: fallback))
            session.noteSound(.opened(device: device))
            player.start()
            return LiveSound(player: player, output: options.soundOut)
        } catch {
            session.noteSound(.failed(reason: error.description))
            printError("sound: cannot play through ALSA device `\(device)` (\(error.description)); the session goes on silent")
            return nil
        }
    }

    /// What the player sounds each period: the session's latest frame through
    /// the mapping, as much as the drill's feedback mode (an assessment: the
    /// examiner's screen) and the `s` switch let through, and the hold cue.
    static func command(
        session: LiveSession, assessment: Bool, fallback: TrialOptions, mapping: SoundMapping = SoundMapping()
    ) -> @Sendable () -> SoundCommand {
        // The cue: a drill's once per trial, when it says the hold goal is met (as a replay
        // hears its `holdGoalMet` events); without a drill, when the running hold reaches the goal.
        // Only the audio thread touches this state: its lock is never contended.
        let silent = SoundCommand(voice: SoundVoice(frequency: mapping.referenceHz, tone: 0, noise: 0, roughness: 0), cues: 0)
        let cue = Mutex((watch: HoldGoalCue(), cuedTrial: Int?.none, count: 0, last: silent))
        return {
            // While the session is publishing a frame, the previous period's command stands:
            // the audio thread never waits on the session's queue.
            guard let frame = session.frameIfAvailable else { return cue.withLock { $0.last } }
            let options = frame.drill?.currentOptions ?? fallback
            let visibility = frame.drill.map { assessment ? $0.examinerVisibility : $0.visibility } ?? .all
            // Before the session has noted the device opened, it is: this player runs.
            let on = frame.sound?.isAudible ?? true
            let voice = mapping.voice(
                force: frame.snapshot.filtered, options: options, visibility: on ? visibility : .hidden, level: frame.drill?.soundLevel ?? 1,
                hands: frame.snapshot.hands, balance: frame.drill?.drill.balance)
            return cue.withLock { state in
                let met: Bool
                if let drill = frame.drill {
                    met = drill.isHoldGoalMet && drill.trialIndex != state.cuedTrial
                    if met { state.cuedTrial = drill.trialIndex }
                } else {
                    met = state.watch.push(hold: frame.snapshot.currentHold, goal: options.holdGoal)
                }
                if met, on, mapping.cueAudible(visibility: visibility) { state.count += 1 }
                state.last = SoundCommand(voice: voice, cues: state.count)
                return state.last
            }
        }
    }

    private init(player: ALSAPlayer, output: String?) {
        self.player = player
        self.output = output
    }

    /// Stops the sound (before the session finishes, so its last underruns are
    /// recorded); writes the WAV file when asked; reports what was played on stderr.
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
