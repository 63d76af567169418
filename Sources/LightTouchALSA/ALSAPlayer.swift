import CAlsa
import Foundation
import LightTouchSound
import Synchronization

/// An ALSA error: the call that failed and libasound's own message.
public struct ALSAError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let code: Int32
    public var description: String { "\(call): \(String(cString: snd_strerror(code)))" }
}

/// What the player should sound now: the voice, and a count that grows by
/// one each time the hold-goal cue should sound.
public struct SoundCommand: Sendable, Equatable {
    public var voice: SoundVoice
    public var cues: Int

    public init(voice: SoundVoice, cues: Int) {
        self.voice = voice
        self.cues = cues
    }
}

/// Plays the feedback sound through ALSA on its own thread. Every period it
/// asks `command` for the latest state (a read of the session's published
/// frame: it never waits on acquisition), renders one period with the
/// smoothed synthesizer and writes it. It also paces itself to the wall
/// clock, so a device that accepts frames at once (ALSA's file and null
/// plugins) is fed in real time, never ahead by more than the latency.
/// Nothing outside this module sees an ALSA type.
public final class ALSAPlayer: Sendable {
    /// What the player did.
    public struct Statistics: Sendable, Equatable {
        public var frames = 0
        public var underruns = 0
        /// Why the sound stopped before it was asked to (the device failed).
        public var failure: ALSAError?
        /// CPU time the audio thread used (its own clock, CLOCK_THREAD_CPUTIME_ID), nanoseconds.
        public var threadCPUNanos: UInt64 = 0
        /// Whether the audio thread runs with real-time priority (SCHED_FIFO), as
        /// Linux grants when RLIMIT_RTPRIO allows it (root, or the `audio` group
        /// with a limits.d rule); otherwise it runs at normal priority.
        public var realtime = false
    }

    /// Something the audio thread met, reported as it happens (on that thread:
    /// the handler must hand it off and return, never block).
    public enum Event: Sendable, Equatable {
        /// The device ran out of sound and was recovered (`underruns` so far).
        case underrun(total: Int)
        /// The device failed; the sound has stopped.
        case failed(ALSAError)
    }

    /// When one period was decided and when it is heard, for `bench`.
    public struct PeriodTiming: Sendable, Equatable {
        /// When the command for the period was read (uptime, ns).
        public var read: UInt64
        /// When its first frame reaches the output: when the write returned,
        /// plus ALSA's delay (`snd_pcm_delay`) less the period itself (uptime, ns).
        public var heard: UInt64
    }

    public let device: String
    public let sampleRate: Int
    public let periodFrames: Int
    private let command: @Sendable () -> SoundCommand
    private let stopping = Atomic<Bool>(false)
    private let statistics = Mutex(Statistics())
    private let captured: Mutex<[Int16]>?
    /// Lets the audio thread start playing (or, after `stop` without `start`, close the device).
    private let go = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let onEvent: (@Sendable (Event) -> Void)?
    private let onPeriod: (@Sendable (PeriodTiming) -> Void)?

    /// Opens `device` (ALSA's name: `default`, `hw:0`, `pulse`…) for 16-bit mono,
    /// on the audio thread, and returns when it is open or has failed.
    ///
    /// The audio thread asks for real-time priority first (as JACK and
    /// PulseAudio clients do; Linux grants it when RLIMIT_RTPRIO allows), so a
    /// busy machine cannot starve the device. It opens the device itself, so the
    /// helper threads a plugin starts (PulseAudio's mainloop, through ALSA's
    /// pulse plugin) inherit that priority. It sleeps in `snd_pcm_writei` or its
    /// pacing nearly all the time, so it cannot hog a core.
    /// - Parameters:
    ///   - latencyMicroseconds: ALSA's buffer (20 ms).
    ///   - capture: keep every frame played, for `--sound-out`.
    ///   - onEvent: underruns and a failure, on the audio thread, as they happen.
    ///   - onPeriod: each period's timing, on the audio thread (for `bench`).
    public init(
        device: String = "default", sampleRate: Int = 48_000, periodFrames: Int = 240, latencyMicroseconds: UInt32 = 20_000,
        capture: Bool = false, onEvent: (@Sendable (Event) -> Void)? = nil, onPeriod: (@Sendable (PeriodTiming) -> Void)? = nil,
        command: @escaping @Sendable () -> SoundCommand
    ) throws(ALSAError) {
        self.device = device
        self.sampleRate = sampleRate
        self.periodFrames = periodFrames
        self.command = command
        self.onEvent = onEvent
        self.onPeriod = onPeriod
        captured = capture ? Mutex([]) : nil
        let opened = Mutex<ALSAError?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            defer { done.signal() }
            let realtime = Self.askForRealtime()
            lt_alsa_silence_errors()
            var handle: OpaquePointer?
            let code = snd_pcm_open(&handle, device, SND_PCM_STREAM_PLAYBACK, 0)
            guard code >= 0, let pcm = handle else {
                opened.withLock { $0 = ALSAError(call: "snd_pcm_open(\(device))", code: code) }
                ready.signal()
                return
            }
            defer { snd_pcm_close(pcm) }
            let set = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, UInt32(sampleRate), 1, latencyMicroseconds)
            guard set >= 0 else {
                opened.withLock { $0 = ALSAError(call: "snd_pcm_set_params(\(device))", code: set) }
                ready.signal()
                return
            }
            statistics.withLock { $0.realtime = realtime }
            ready.signal()
            go.wait()
            if !stopping.load(ordering: .relaxed) { play(pcm) }
        }
        thread.name = "lighttouch.sound"
        thread.qualityOfService = .userInteractive
        thread.start()
        ready.wait()
        if let failure = opened.withLock({ $0 }) {
            stopped.store(true, ordering: .relaxed)
            throw failure
        }
    }

    /// Starts playing.
    public func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        go.signal()
    }

    /// Stops the thread, closes the device and returns what was played (and
    /// the frames, when captured).
    public func stop() -> (statistics: Statistics, frames: [Int16]) {
        if !stopped.exchange(true, ordering: .relaxed) {
            stopping.store(true, ordering: .relaxed)
            if !started.exchange(true, ordering: .relaxed) { go.signal() }
            done.wait()
        }
        return (statistics.withLock { $0 }, captured?.withLock { $0 } ?? [])
    }

    /// Underruns so far.
    public var underruns: Int { statistics.withLock { $0.underruns } }

    /// SCHED_FIFO for the calling thread, when the system allows it.
    private static func askForRealtime() -> Bool {
        var priority = sched_param()
        priority.sched_priority = 10
        return pthread_setschedparam(pthread_self(), SCHED_FIFO, &priority) == 0
    }

    private func play(_ pcm: OpaquePointer) {
        defer { statistics.withLock { $0.threadCPUNanos = Self.threadCPUNanos() } }
        var synthesizer = SoundSynthesizer(sampleRate: Double(sampleRate))
        var buffer = [Int16](repeating: 0, count: max(1, periodFrames))
        var cues = command().cues
        let origin = DispatchTime.now().uptimeNanoseconds
        var frames = 0
        var underruns = 0
        while !stopping.load(ordering: .relaxed) {
            let read = DispatchTime.now().uptimeNanoseconds
            let latest = command()
            synthesizer.voice = latest.voice
            if latest.cues > cues { synthesizer.cue() }
            cues = latest.cues
            buffer.withUnsafeMutableBufferPointer { synthesizer.render(into: $0) }
            var offset = 0
            while offset < buffer.count, !stopping.load(ordering: .relaxed) {
                let written = buffer.withUnsafeBufferPointer { period in
                    period.baseAddress.map { snd_pcm_writei(pcm, $0 + offset, snd_pcm_uframes_t(period.count - offset)) } ?? 0
                }
                if written >= 0 {
                    offset += Int(written)
                } else if written == -Int(EPIPE) || written == -Int(ESTRPIPE) || written == -Int(EINTR) {
                    if written == -Int(EPIPE) {
                        underruns += 1
                        statistics.withLock { $0.underruns = underruns }
                        onEvent?(.underrun(total: underruns))
                    }
                    let recovered = snd_pcm_recover(pcm, Int32(written), 1)
                    if recovered < 0 { return fail(ALSAError(call: "snd_pcm_recover", code: recovered)) }
                } else {
                    return fail(ALSAError(call: "snd_pcm_writei", code: Int32(written)))
                }
            }
            if let onPeriod {
                let wrote = DispatchTime.now().uptimeNanoseconds
                var delay: snd_pcm_sframes_t = 0
                if snd_pcm_delay(pcm, &delay) >= 0 {
                    let ahead = Int64(delay) - Int64(buffer.count)
                    let heard = Int64(wrote) + ahead * 1_000_000_000 / Int64(sampleRate)
                    onPeriod(PeriodTiming(read: read, heard: UInt64(max(Int64(read), heard))))
                }
            }
            frames += buffer.count
            statistics.withLock { $0.frames = frames }
            captured?.withLock { $0.append(contentsOf: buffer) }
            // Never run ahead of the wall clock by more than two periods.
            let ahead = Int64(frames) * 1_000_000_000 / Int64(sampleRate) - Int64(DispatchTime.now().uptimeNanoseconds - origin)
            let slack = Int64(2 * buffer.count) * 1_000_000_000 / Int64(sampleRate)
            if ahead > slack { usleep(UInt32((ahead - slack) / 1000)) }
        }
        snd_pcm_drop(pcm)
    }

    private func fail(_ error: ALSAError) {
        statistics.withLock { $0.failure = error }
        onEvent?(.failed(error))
    }

    /// This thread's CPU time, nanoseconds.
    private static func threadCPUNanos() -> UInt64 {
        var now = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) == 0 else { return 0 }
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
