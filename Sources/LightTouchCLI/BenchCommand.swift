import ArgumentParser
import Dispatch
import Foundation
import LightTouchAcquisition
import LightTouchCore
import LightTouchSensorModel

#if canImport(Glibc)
    import Glibc
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure decode speed and the CPU cost of streaming. Build with -c release first.",
        discussion: """
            Figures: frames decoded per second (CRC, checks and counts, one core); the same through the \
            stream accounting; and the whole process's CPU use, as a percentage of one core, while it \
            streams from the demo sensor at 1000 Hz, measured with getrusage over --stream-seconds.
            """)

    @Option(help: ArgumentHelp("Seconds of decoding to time.", valueName: "s"))
    var decodeSeconds: Double = 2

    @Option(help: ArgumentHelp("Seconds to stream from the demo sensor per configuration.", valueName: "s"))
    var streamSeconds: Double = 10

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func validate() throws {
        guard decodeSeconds > 0, streamSeconds > 0 else { throw ValidationError("durations must be positive") }
    }

    func run() throws {
        #if DEBUG
            if !json { print("note: this is a debug build; figures from `swift build -c release` are the ones that count\n") }
        #endif
        let packets = Self.samplePackets()
        let bytesPerRound = packets.reduce(0) { $0 + $1.count }

        // Decoding alone.
        var decoded = 0
        var rounds = 0
        var start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            for packet in packets {
                if case .success(let frame) = FrameCodec.decode(packet) { decoded &+= frame.samplesPerChannel }
            }
            rounds += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < decodeSeconds
        let decodeRate = Double(rounds * packets.count) / elapsed
        let megabytes = Double(rounds * bytesPerRound) / elapsed / 1e6

        // Decoding with the stream accounting (sequence, clock, flags).
        var tracker = StreamTracker(rate: 1000)
        rounds = 0
        start = DispatchTime.now().uptimeNanoseconds
        repeat {
            for packet in packets { _ = tracker.ingest(packet) }
            rounds += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < decodeSeconds
        let trackerRate = Double(rounds * packets.count) / elapsed

        // CPU use while streaming from the demo sensor at the highest rate.
        var streams: [(channels: Int, cpu: Double, frames: Int, lost: Int, crc: Int)] = []
        for channels in [1, 4] {
            var configuration = SensorModelConfiguration()
            configuration.channels = channels
            configuration.rate = SensorProtocol.highestRate
            let sensor = try DemoSensor(configuration: configuration)
            let session = StreamSession(connection: sensor, onBlock: { _ in })
            let cpuBefore = Self.processCPUSeconds()
            let wallBefore = DispatchTime.now().uptimeNanoseconds
            try session.start()
            // Sleeping is the measurement here: the process must do its work in the background.
            Thread.sleep(forTimeInterval: streamSeconds)
            let statistics = session.finish()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - wallBefore) / 1e9
            let cpu = (Self.processCPUSeconds() - cpuBefore) / wall * 100
            sensor.close()
            streams.append((channels, cpu, statistics.frames, statistics.lostFrames, statistics.crcErrors))
        }

        if json {
            let object = JSONValue.object([
                ("build", .string(Self.buildKind)),
                ("decode_frames_per_s", .double(decodeRate.rounded())),
                ("decode_mb_per_s", .double((megabytes * 10).rounded() / 10)),
                ("tracker_frames_per_s", .double(trackerRate.rounded())),
                ("demo_stream", .array(streams.map { stream in
                    .object([
                        ("rate_hz", .int(SensorProtocol.highestRate)), ("channels", .int(stream.channels)),
                        ("seconds", .double(streamSeconds)),
                        ("cpu_percent_of_one_core", .double((stream.cpu * 100).rounded() / 100)),
                        ("frames", .int(stream.frames)), ("lost_frames", .int(stream.lost)), ("crc_errors", .int(stream.crc)),
                    ])
                })),
            ])
            print(object.serialized())
            return
        }
        print("frame decode (\(Self.buildKind) build, one core)")
        print(String(format: "  decode only:               %12.0f frames/s  (%.1f MB/s)", decodeRate, megabytes))
        print(String(format: "  decode + stream accounting: %11.0f frames/s", trackerRate))
        print("streaming from the demo sensor at \(SensorProtocol.highestRate) Hz for \(streamSeconds) s")
        for stream in streams {
            print(String(format: "  %d channel%@: process CPU %.2f %% of one core, %d frames, %d lost, %d CRC errors",
                stream.channels, stream.channels == 1 ? " " : "s", stream.cpu, stream.frames, stream.lost, stream.crc))
        }
    }

    static var buildKind: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
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
}
