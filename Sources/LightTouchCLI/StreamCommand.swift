import ArgumentParser
import Dispatch
import Foundation
import LightTouchDemoSensor
import LightTouchCore
import LightTouchSession
import Synchronization

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream raw samples from a sensor and count every frame lost or damaged.",
        discussion: """
            Prints one line per sample instant: device time in seconds, then per channel the ADC counts and \
            the force in grams through the calibration in use (the sensor's nominal sensitivity while it is uncalibrated). Ends with a summary of \
            frames, samples, lost frames and CRC errors. With --json, each sample is a JSON object on its own \
            line and the last line is the summary object.
            """)

    @OptionGroup var sensorOptions: SensorOptions

    @Option(help: ArgumentHelp("Stop after this many seconds. Default: run until Ctrl-C.", valueName: "s"))
    var duration: Double?

    @Flag(help: "JSON lines: one object per sample, then one summary object.")
    var json = false

    @Flag(help: "Print only the summary, not the samples.")
    var summaryOnly = false

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    func validate() throws {
        if let duration, !(duration.isFinite && duration > 0) {
            throw ValidationError("--duration must be a positive number of seconds (got \(duration))")
        }
    }

    func run() throws {
        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let info = connection.info
        let output = OutputBuffer()
        // Grams through the calibration in use (--calibration FILE, the sensor's
        // flash, or the nominal line of its device info).
        let conversion = try calibratedConversion(connection, sensorOptions)
        let lines = conversion.channels
        @Sendable func grams(_ count: Int32, channel: Int) -> Double {
            channel < lines.count ? lines[channel].mass(forReading: Double(count)) : .nan
        }
        let printSamples = !summaryOnly
        let asJSON = json
        let span = Mutex<(first: Double?, end: Double)>((nil, 0))

        let session = StreamSession(
            connection: connection,
            onBlock: { block in
                let period = block.periodMicros
                span.withLock {
                    if $0.first == nil { $0.first = Double(block.timestampMicros) }
                    $0.end = block.timeMicros(ofSample: block.samplesPerChannel - 1) + period
                }
                guard printSamples else { return }
                for k in 0..<block.samplesPerChannel {
                    let seconds = block.timeMicros(ofSample: k) / 1e6
                    if asJSON {
                        let counts = (0..<block.channels).map { JSONValue.int(Int(block.count(channel: $0, sample: k))) }
                        let grams = (0..<block.channels).map {
                            JSONValue.double((grams(block.count(channel: $0, sample: k), channel: $0) * 1e4).rounded() / 1e4)
                        }
                        output.line(
                            JSONValue.object([
                                ("t_s", .double(seconds)), ("counts", .array(counts)), ("grams", .array(grams)),
                                ("over_range", .bool(block.saturatedMask != 0)),
                            ]).serialized())
                    } else {
                        var line = String(format: "%.6f", seconds)
                        for channel in 0..<block.channels {
                            let count = block.count(channel: channel, sample: k)
                            line += String(format: "  %9d %9.4f g", count, grams(count, channel: channel))
                        }
                        if block.saturatedMask != 0 { line += "  OVER RANGE" }
                        output.line(line)
                    }
                }
            },
            onEvent: { event in
                switch event {
                case .disconnected(let reason): output.note("sensor disconnected: \(reason)")
                case .reconnected: output.note("sensor reconnected; streaming resumed")
                case .stalled: output.note("sensor stalled: no frames")
                case .packet: break
                }
            })

        let done = DispatchSemaphore(value: 0)
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { done.signal() }
        defer { signals.cancel() }
        let started = DispatchTime.now()
        try session.start()
        if let duration {
            _ = done.wait(timeout: started + duration)
        } else {
            done.wait()
        }
        let statistics = session.finish()
        output.flush()

        let seconds = span.withLock { span in span.first.map { (span.end - $0) / 1e6 } ?? 0 }
        var members: [(String, JSONValue)] = [
            ("sensor", .string(info.serial)), ("transport", .string(connection.transport)),
            ("channels", .int(info.channels)), ("sample_rate_hz", .int(info.sampleRate)),
            ("duration_s", .double((seconds * 1e6).rounded() / 1e6)),
            ("calibrated", .bool(conversion.isCalibrated)),
        ]
        members += statistics.jsonMembers
        members.append(("disconnects", .int(session.disconnectCount)))
        members.append(("dropped_blocks", .int(session.droppedBlocks)))
        if let demoSensor = connection as? DemoSensor, demo.corruptRate > 0 || demo.dropRate > 0 {
            let injected = demoSensor.injected
            members.append(
                ("injected", .object([("dropped", .int(injected.dropped)), ("corrupted", .int(injected.corrupted))])))
        }
        if json {
            print(JSONValue.object(members).serialized())
        } else {
            let s = statistics
            print(
                """
                \(info.serial): \(s.frames) frames, \(s.samples) samples per channel over \(String(format: "%.3f", seconds)) s \
                at \(info.sampleRate) Hz × \(info.channels) channel\(info.channels == 1 ? "" : "s")
                lost frames \(s.lostFrames), CRC errors \(s.crcErrors), malformed \(s.malformed), \
                version errors \(s.versionErrors), device overflows \(s.overflowFlags), not ready \(s.notReadyFrames), \
                saturated \(s.saturatedFrames)
                """)
        }
    }
}

/// Collects output lines from the acquisition queue and writes them in large
/// chunks, so printing never holds up acquisition for long.
final class OutputBuffer: Sendable {
    private let pending = Mutex<[UInt8]>([])

    func line(_ text: String) {
        let full = pending.withLock { buffer -> Bool in
            buffer.append(contentsOf: ConsoleText.forTerminal(text).utf8)
            buffer.append(0x0A)
            return buffer.count >= 1 << 16
        }
        if full { flush() }
    }

    /// A message for the user, on stderr at once.
    func note(_ text: String) {
        flush()
        FileHandle.standardError.write(Data("lighttouch: \(text)\n".utf8))
    }

    func flush() {
        let bytes = pending.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}

/// Turns SIGINT/SIGTERM into a callback instead of killing the process, so
/// the stream stops cleanly and the summary is printed.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        // A parent may have started us with these signals blocked (test
        // runners do); a blocked signal would never reach the source.
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
