import ArgumentParser
import Dispatch
import Foundation
import Histogram
import LightTouchALSA
import LightTouchDemoSensor
import LightTouchCore
import LightTouchSession
import LightTouchSensorModel
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure LightTouch's speed and memory. Build with -c release first.",
        discussion: """
            Figures (the README lists them with their JSON keys):
              decode: frames decoded per second, alone and with the stream accounting (one core);
              pipeline: samples per second through filter, band, trials and scoring, for each filter (one core);
              live: while streaming from the demo sensor at 1000 Hz through the live pipeline, the latency \
            from a frame's arrival to its published state (p50/p99/p99.9, HdrHistogram) and the whole \
            process's CPU use as a percentage of one core;
              memory: the resident set while 8 hours of 1 kHz samples go through the pipeline at full speed;
              sound: while the demo sensor streams at 1000 Hz and the feedback sound plays through a real ALSA \
            device (--sound-device; it must consume in real time, e.g. PulseAudio's null sink: \
            scripts/sound-soak.sh), the delay from a frame's arrival to the first audio sample that reflects it \
            at the output (waiting for the next period, rendering, and ALSA's queued frames as snd_pcm_delay \
            reports them), the underruns, and the CPU the sound adds (whole process with and without it, \
            back to back, and the audio thread's own).
            """)

    @Option(help: ArgumentHelp("Seconds of decoding to time.", valueName: "s"))
    var decodeSeconds: Double = 2

    @Option(help: ArgumentHelp("Samples per filter for the pipeline throughput.", valueName: "n"))
    var pipelineSamples: Int = 20_000_000

    @Option(help: ArgumentHelp("Seconds to stream from the demo sensor per channel count.", valueName: "s"))
    var streamSeconds: Double = 10

    @Option(help: ArgumentHelp("Hours of 1 kHz samples for the memory figure (0 skips it).", valueName: "h"))
    var memoryHours: Double = 8

    @Option(help: ArgumentHelp("Seconds to play the feedback sound through ALSA for the sound figures (0 skips them).", valueName: "s"))
    var soundSeconds: Double = 10

    @Option(help: ArgumentHelp("The ALSA device for the sound figures.", valueName: "name"))
    var soundDevice = "default"

    @Option(help: ArgumentHelp("Frames the player renders and writes at a time, for the sound figures (the live default: 240, 5 ms).", valueName: "n"))
    var soundPeriodFrames = 240

    @Flag(help: "Measure only the sound (the soak: scripts/sound-soak.sh).")
    var soundOnly = false

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func validate() throws {
        guard decodeSeconds > 0, streamSeconds > 0, pipelineSamples > 0, memoryHours >= 0, soundSeconds >= 0, soundPeriodFrames > 0 else {
            throw ValidationError("durations and counts must be positive")
        }
    }

    func run() throws {
        #if DEBUG
            if !json { print("note: this is a debug build; the figures that count come from `swift build -c release`\n") }
        #endif
        var members: [(String, JSONValue)] = [("build", .string(Self.buildKind))]
        if soundOnly {
            members.append(("sound", try soundFigures()))
            if json { print(JSONValue.object(members).serialized()) }
            return
        }

        let decode = measureDecode()
        members += [
            ("decode_frames_per_s", .double(decode.frames.rounded())),
            ("decode_mb_per_s", .double((decode.megabytes * 10).rounded() / 10)),
            ("tracker_frames_per_s", .double(decode.tracker.rounded())),
        ]
        if !json {
            print("frame decode (\(Self.buildKind) build, one core)")
            print("  decode only:                \(Self.grouped(decode.frames)) frames/s (\(decode.megabytes.fixed(1)) MB/s)")
            print("  decode + stream accounting: \(Self.grouped(decode.tracker)) frames/s")
        }

        var pipelineRates: [(String, JSONValue)] = []
        if !json { print("pipeline: filter, band, trials and scoring (one core, \(Self.grouped(Double(pipelineSamples))) samples)") }
        for kind in FilterKind.allCases {
            let rate = try measurePipeline(kind)
            pipelineRates.append((kind.rawValue, .double(rate.rounded())))
            if !json { print("  \(kind.rawValue.padding(toLength: 12)) \(Self.grouped(rate)) samples/s") }
        }
        members.append(("pipeline_samples_per_s", .object(pipelineRates)))

        if !json { print("live: demo sensor at \(SensorProtocol.highestRate) Hz through the live pipeline, \(streamSeconds.fixed(0)) s each") }
        var live: [JSONValue] = []
        for channels in [1, 4] {
            let figures = try measureLive(channels: channels)
            live.append(.object([
                ("channels", .int(channels)), ("rate_hz", .int(SensorProtocol.highestRate)),
                ("seconds", .double(streamSeconds)),
                ("latency_us_p50", .double(figures.p50)), ("latency_us_p99", .double(figures.p99)),
                ("latency_us_p999", .double(figures.p999)), ("latency_us_max", .double(figures.max)),
                ("cpu_percent_of_one_core", .double((figures.cpu * 100).rounded() / 100)),
                ("frames", .int(figures.frames)), ("lost_frames", .int(figures.lost)),
            ]))
            if !json {
                print("  \(channels) channel\(channels == 1 ? " " : "s"): arrival→state p50 \(figures.p50.fixed(0)) µs, p99 \(figures.p99.fixed(0)) µs, p99.9 \(figures.p999.fixed(0)) µs, max \(figures.max.fixed(0)) µs; CPU \(figures.cpu.fixed(2)) % of one core; \(figures.frames) frames, \(figures.lost) lost")
            }
        }
        members.append(("live", .array(live)))

        if memoryHours > 0 {
            let memory = try measureMemory(hours: memoryHours)
            members.append(("memory", .object([
                ("hours", .double(memoryHours)), ("samples", .int(memory.samples)),
                ("rss_mb_start", .double((memory.start * 10).rounded() / 10)),
                ("rss_mb_end", .double((memory.end * 10).rounded() / 10)),
                ("rss_mb_peak_during", .double((memory.peak * 10).rounded() / 10)),
                ("seconds", .double((memory.seconds * 100).rounded() / 100)),
            ])))
            if !json {
                print("memory: \(memoryHours.fixed(0)) h at 1 kHz (\(Self.grouped(Double(memory.samples))) samples) in \(memory.seconds.fixed(1)) s")
                print("  resident set: \(memory.start.fixed(1)) MB before, \(memory.peak.fixed(1)) MB at most during, \(memory.end.fixed(1)) MB after")
            }
        }
        if soundSeconds > 0 { members.append(("sound", try soundFigures())) }
        if json { print(JSONValue.object(members).serialized()) }
    }

    // MARK: - Measurements

    private func measureDecode() -> (frames: Double, megabytes: Double, tracker: Double) {
        let packets = Self.samplePackets()
        let bytesPerRound = packets.reduce(0) { $0 + $1.count }
        var decoded = 0, rounds = 0
        var start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            for packet in packets {
                if case .success(let frame) = FrameCodec.decode(packet) { decoded &+= frame.samplesPerChannel }
            }
            rounds += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < decodeSeconds
        let frames = Double(rounds * packets.count) / elapsed
        let megabytes = Double(rounds * bytesPerRound) / elapsed / 1e6
        var tracker = StreamTracker(rate: 1000)
        rounds = 0
        start = DispatchTime.now().uptimeNanoseconds
        repeat {
            for packet in packets { _ = tracker.ingest(packet) }
            rounds += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < decodeSeconds
        return (frames, megabytes, Double(rounds * packets.count) / elapsed)
    }

    /// A student's force at 1 kHz: the novice scenario (every filter and trial path works) plus noise.
    private static func trace(count: Int) -> [Double] {
        var random = RandomSource(seed: 3)
        return (0..<count).map { Scenario.novice.force(at: Double($0) / 1000) + 0.02 * random.gaussian() }
    }

    private func measurePipeline(_ kind: FilterKind) throws -> Double {
        let forces = Self.trace(count: min(pipelineSamples, 2_000_000))
        var settings = FilterSettings.default
        settings.kind = kind
        var pipeline = try ForcePipeline(configuration: PipelineConfiguration(filter: settings, sampleRate: 1000))
        var checksum = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        var index = 0
        for sample in 0..<pipelineSamples {
            checksum += pipeline.process(time: Double(sample) * 0.001, grams: forces[index]).filtered
            index += 1
            if index == forces.count { index = 0 }
        }
        pipeline.finish()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if checksum.isNaN { print("") }  // keeps the loop from being optimised away
        return Double(pipelineSamples) / elapsed
    }

    private func measureLive(channels: Int) throws -> (p50: Double, p99: Double, p999: Double, max: Double, cpu: Double, frames: Int, lost: Int) {
        var model = SensorModelConfiguration()
        model.channels = channels
        model.rate = SensorProtocol.highestRate
        let sensor = try DemoSensor(configuration: model)
        let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three))
        let live = try LiveSession(
            connection: sensor, configuration: PipelineConfiguration(sampleRate: Double(SensorProtocol.highestRate)),
            conversion: ForceConversion.nominal(sensor.info),
            onLatency: { nanos in histogram.withLock { _ = $0.record(nanos) } })
        let cpuBefore = Self.processCPUSeconds()
        let wallBefore = DispatchTime.now().uptimeNanoseconds
        try live.start()
        // Waiting is the measurement: the pipeline works in the background meanwhile.
        Thread.sleep(forTimeInterval: streamSeconds)
        let stream = live.finish().stream
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallBefore) / 1e9
        let cpu = (Self.processCPUSeconds() - cpuBefore) / wall * 100
        sensor.close()
        return histogram.withLock { h in
            (Double(h.valueAtPercentile(50)) / 1000, Double(h.valueAtPercentile(99)) / 1000,
             Double(h.valueAtPercentile(99.9)) / 1000, Double(h.max) / 1000, cpu, stream.frames, stream.lostFrames)
        }
    }

    /// The sound's figures, printed and as JSON.
    private func soundFigures() throws -> JSONValue {
        if !json {
            print("sound: demo sensor at \(SensorProtocol.highestRate) Hz, feedback sound through ALSA `\(soundDevice)` (48 kHz, \(soundPeriodFrames)-frame periods, 20 ms buffer), \(soundSeconds.fixed(0)) s with and without it")
        }
        // With the sound first: without a device there is nothing to compare.
        let with = try measureSound(play: true)
        guard let played = with.played else {
            let reason = "cannot play through ALSA device `\(soundDevice)` (\(with.unavailable ?? "no sound was played")); scripts/sound-soak.sh sets one up"
            if soundOnly { throw UserError.unavailable("bench: " + reason) }
            if !json { print("  skipped: " + reason) }
            return .object([("device", .string(soundDevice)), ("skipped", .string(reason))])
        }
        let without = try measureSound(play: false)
        let extra = with.cpu - without.cpu
        if !json {
            print("  arrival→audible p50 \(played.p50.fixed(1)) ms, p99 \(played.p99.fixed(1)) ms, max \(played.max.fixed(1)) ms (\(played.measured) frames after a \(min(3, soundSeconds / 2).fixed(1)) s warm-up; then a 5 ms glide)")
            print("  the first sound reached the output \(played.startup.fixed(0)) ms after the start; after the warm-up the longest wait between periods \(played.longestGap.fixed(1)) ms; audio thread \(played.realtime ? "real-time (SCHED_FIFO)" : "at normal priority (no RLIMIT_RTPRIO)")")
            print("  each period from its read to its first frame heard p50 \(played.delayP50.fixed(1)) ms, p99 \(played.delayP99.fixed(1)) ms; \(played.periods) periods, \(played.underruns) underruns\(played.underrunSeconds.isEmpty ? "" : " (at " + played.underrunSeconds.map { "\($0.fixed(2)) s" }.joined(separator: ", ") + ")")\(played.failure.map { ", failed: \($0)" } ?? "")")
            print("  CPU: whole process \(without.cpu.fixed(2)) % without sound, \(with.cpu.fixed(2)) % with it (\(extra >= 0 ? "+" : "")\(extra.fixed(2)) % of one core); the audio thread itself \(played.threadCPU.fixed(2)) %")
        }
        return .object([
            ("device", .string(soundDevice)), ("seconds", .double(soundSeconds)), ("period_frames", .int(soundPeriodFrames)), ("periods", .int(played.periods)),
            ("latency_ms_p50", .double(Self.rounded(played.p50, 2))), ("latency_ms_p99", .double(Self.rounded(played.p99, 2))),
            ("latency_ms_max", .double(Self.rounded(played.max, 2))), ("frames_measured", .int(played.measured)),
            ("read_to_heard_ms_p50", .double(Self.rounded(played.delayP50, 2))), ("read_to_heard_ms_p99", .double(Self.rounded(played.delayP99, 2))),
            ("startup_ms", .double(Self.rounded(played.startup, 1))), ("longest_period_gap_ms", .double(Self.rounded(played.longestGap, 2))),
            ("audio_thread_realtime", .bool(played.realtime)), ("underruns", .int(played.underruns)),
            ("underrun_seconds", .array(played.underrunSeconds.map { .double(Self.rounded($0, 3)) })), ("failure", played.failure.map { .string($0) } ?? .null),
            ("cpu_percent_without_sound", .double(Self.rounded(without.cpu, 2))),
            ("cpu_percent_with_sound", .double(Self.rounded(with.cpu, 2))),
            ("cpu_percent_extra", .double(Self.rounded(extra, 2))),
            ("audio_thread_cpu_percent", .double(Self.rounded(played.threadCPU, 2))),
        ])
    }

    struct SoundRun {
        var p50 = 0.0, p99 = 0.0, max = 0.0, delayP50 = 0.0, delayP99 = 0.0, threadCPU = 0.0
        var measured = 0, periods = 0, underruns = 0
        /// From the start until the first period reached the output, ms.
        var startup = 0.0
        /// The longest time between two periods' reads after the warm-up, ms.
        var longestGap = 0.0
        var realtime = false
        /// When each underrun happened, seconds from the start.
        var underrunSeconds: [Double] = []
        var failure: String?
    }

    /// Streams from the demo sensor at 1000 Hz through the live session for
    /// `soundSeconds`, with the feedback sound playing or not; the whole
    /// process's CPU, and with sound, how late each frame was heard.
    private func measureSound(play: Bool) throws -> (cpu: Double, played: SoundRun?, unavailable: String?) {
        var model = SensorModelConfiguration()
        model.rate = SensorProtocol.highestRate
        let sensor = try DemoSensor(configuration: model)
        defer { sensor.close() }
        let expected = Int(soundSeconds * 1000) + 1000
        // (arrival, published) of each block, host nanoseconds.
        let blocks = Mutex([(UInt64, UInt64)]())
        blocks.withLock { $0.reserveCapacity(expected) }
        let configuration = PipelineConfiguration(sampleRate: Double(SensorProtocol.highestRate))
        let live = try LiveSession(
            connection: sensor, configuration: configuration, conversion: ForceConversion.nominal(sensor.info),
            onLatency: { nanos in
                let now = DispatchTime.now().uptimeNanoseconds
                blocks.withLock { $0.append((now &- nanos, now)) }
            })
        let periods = Mutex([ALSAPlayer.PeriodTiming]())
        periods.withLock { $0.reserveCapacity(Int(soundSeconds * 200) + 400) }
        let underrunTimes = Mutex([UInt64]())
        var player: ALSAPlayer?
        if play {
            do {
                player = try ALSAPlayer(
                    device: soundDevice, periodFrames: soundPeriodFrames,
                    onEvent: { event in
                        if case .underrun = event { underrunTimes.withLock { $0.append(DispatchTime.now().uptimeNanoseconds) } }
                    },
                    onPeriod: { timing in periods.withLock { $0.append(timing) } },
                    command: LiveSound.command(session: live, assessment: false, fallback: configuration.trial))
            } catch {
                return (0, nil, error.description)
            }
        }
        let cpuBefore = Self.processCPUSeconds()
        let wallBefore = DispatchTime.now().uptimeNanoseconds
        try live.start()
        player?.start()
        // Waiting is the measurement: the session and the sound work in the background meanwhile.
        Thread.sleep(forTimeInterval: soundSeconds)
        let statistics = player?.stop().statistics
        _ = live.finish()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallBefore) / 1e9
        let cpu = (Self.processCPUSeconds() - cpuBefore) / wall * 100
        guard let statistics else { return (cpu, nil, nil) }
        let timings = periods.withLock { $0 }
        let arrivals = blocks.withLock { $0 }
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var delays = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        // Each block is first heard in the first period whose command was read after it was
        // published. The device's start (a warm-up of 3 s at most) is left out.
        let warmup = wallBefore + UInt64(min(3, soundSeconds / 2) * 1e9)
        let steady = timings.drop { $0.read < warmup }
        for timing in timings where timing.read >= warmup { _ = delays.record(timing.heard - timing.read) }
        let startup = timings.first.map { Double($0.heard &- wallBefore) / 1e6 } ?? 0
        var longestGap: UInt64 = 0
        for (earlier, later) in zip(steady, steady.dropFirst()) { longestGap = Swift.max(longestGap, later.read - earlier.read) }
        var next = steady.startIndex
        var measured = 0
        for (arrival, published) in arrivals.sorted(by: { $0.1 < $1.1 }) where published >= warmup {
            while next < steady.endIndex, timings[next].read < published { next += 1 }
            guard next < steady.endIndex else { break }
            _ = latency.record(timings[next].heard &- arrival)
            measured += 1
        }
        var run = SoundRun()
        run.p50 = Double(latency.valueAtPercentile(50)) / 1e6
        run.p99 = Double(latency.valueAtPercentile(99)) / 1e6
        run.max = Double(latency.max) / 1e6
        run.delayP50 = Double(delays.valueAtPercentile(50)) / 1e6
        run.delayP99 = Double(delays.valueAtPercentile(99)) / 1e6
        run.measured = measured
        run.periods = timings.count
        run.startup = startup
        run.longestGap = Double(longestGap) / 1e6
        run.realtime = statistics.realtime
        run.underruns = statistics.underruns
        run.underrunSeconds = underrunTimes.withLock { $0 }.map { Double($0 &- wallBefore) / 1e9 }
        run.failure = statistics.failure?.description
        run.threadCPU = Double(statistics.threadCPUNanos) / 1e9 / wall * 100
        return (cpu, run, nil)
    }

    static func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    private func measureMemory(hours: Double) throws -> (samples: Int, start: Double, peak: Double, end: Double, seconds: Double) {
        let total = Int(hours * 3_600_000)
        var pipeline = try ForcePipeline(configuration: PipelineConfiguration(sampleRate: 1000))
        var random = RandomSource(seed: 5)
        let start = Self.residentMegabytes()
        var peak = start
        let begin = DispatchTime.now().uptimeNanoseconds
        for sample in 0..<total {
            let t = Double(sample) / 1000
            pipeline.process(time: t, grams: Scenario.steady.force(at: t) + 0.02 * random.gaussian())
            if sample % 3_600_000 == 0 { peak = max(peak, Self.residentMegabytes()) }
        }
        pipeline.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
        let end = Self.residentMegabytes()
        return (total, start, max(peak, end), end, seconds)
    }

    // MARK: - Helpers

    static var buildKind: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
    }

    static func grouped(_ value: Double) -> String {
        let digits = String(Int64(value.rounded()))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed()).leftPadding(toLength: 13)
    }

    /// 1024 valid frames of every shape the protocol allows.
    static func samplePackets() -> [[UInt8]] {
        var random = RandomSource(seed: 42)
        return (0..<1024).compactMap { index in
            let channels = index % 4 + 1
            let samples = SensorProtocol.maximumSamples(channels: channels)
            let counts = (0..<(channels * samples)).map { _ in Int32(truncatingIfNeeded: Int64(random.next() % 16_000_000) - 8_000_000) }
            return FrameCodec.encode(Frame(
                sequence: UInt32(index), timestampMicros: UInt32(index * 10_000), channels: channels,
                samplesPerChannel: samples, counts: counts))
        }
    }

    /// User plus system CPU time of this process, seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// This process's resident set, MB (from /proc/self/statm).
    static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
