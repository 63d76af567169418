import ArgumentParser
import Dispatch
import Foundation
import Histogram
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
              memory: the resident set while 8 hours of 1 kHz samples go through the pipeline at full speed.
            """)

    @Option(help: ArgumentHelp("Seconds of decoding to time.", valueName: "s"))
    var decodeSeconds: Double = 2

    @Option(help: ArgumentHelp("Samples per filter for the pipeline throughput.", valueName: "n"))
    var pipelineSamples: Int = 20_000_000

    @Option(help: ArgumentHelp("Seconds to stream from the demo sensor per channel count.", valueName: "s"))
    var streamSeconds: Double = 10

    @Option(help: ArgumentHelp("Hours of 1 kHz samples for the memory figure (0 skips it).", valueName: "h"))
    var memoryHours: Double = 8

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func validate() throws {
        guard decodeSeconds > 0, streamSeconds > 0, pipelineSamples > 0, memoryHours >= 0 else {
            throw ValidationError("durations and counts must be positive")
        }
    }

    func run() throws {
        #if DEBUG
            if !json { print("note: this is a debug build; the figures that count come from `swift build -c release`\n") }
        #endif
        var members: [(String, JSONValue)] = [("build", .string(Self.buildKind))]

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
