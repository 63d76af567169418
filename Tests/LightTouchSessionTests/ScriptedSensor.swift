import Dispatch
import Foundation
import LightTouchCore
import Synchronization

/// A sensor whose frames the test writes: one channel (or two: a left and
/// a right hand) at 100 Hz, 4 samples a frame, nominal 1000 counts a gram
/// from an offset of 50,000 counts. A
/// packet is handed to the session synchronously on the calling thread (the
/// "connection's thread"), so the test decides what arrived before each key.
final class ScriptedSensor: SensorConnection {
    static let countsPerGram: Float = 1000
    static let offset: Int32 = 50_000

    let info: SensorInfo
    let transport = "scripted"

    init(channels: Int = 1) {
        info = SensorInfo(
            firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, channels: channels, capabilities: [], sampleRate: 100,
            supportedRates: [100], nominalOffset: ScriptedSensor.offset, nominalCountsPerGram: ScriptedSensor.countsPerGram,
            samplesPerFrame: 4, adcModel: "TEST", serial: "LT-TEST-0001")
    }

    private struct State {
        var handler: (@Sendable (SensorEvent) -> Void)?
        var sequence: UInt32 = 0
        var sample = 0
        /// What to feed by itself once started (`feedOnStart`).
        var script: [Double] = []
        /// Unplugged after the script, with this reason.
        var unplugAfterScript: String?
    }

    private let state = Mutex(State())

    /// Grams to feed, on a thread of its own, as soon as the session starts the sensor.
    func feedOnStart(_ grams: [Double], thenUnplug reason: String? = nil) {
        state.withLock { state in
            state.script = grams
            state.unplugAfterScript = reason
        }
    }

    func setRate(_ hertz: Int) throws {}

    func start(handler: @escaping @Sendable (SensorEvent) -> Void) throws {
        let (script, unplug) = state.withLock { state -> ([Double], String?) in
            state.handler = handler
            return (state.script, state.unplugAfterScript)
        }
        if !script.isEmpty {
            Thread.detachNewThread { [self] in
                send(script)
                if let unplug { self.unplug(unplug) }
            }
        }
    }

    /// Sends `grams` as frames of four samples (a last short frame keeps the rest).
    func send(_ grams: [Double]) {
        var index = 0
        while index < grams.count {
            let chunk = Array(grams[index..<min(index + 4, grams.count)])
            index += chunk.count
            let packet = state.withLock { state -> ([UInt8]?, (@Sendable (SensorEvent) -> Void)?) in
                let frame = Frame(
                    sequence: state.sequence, timestampMicros: UInt32(state.sample * 10_000), channels: 1, samplesPerChannel: chunk.count,
                    counts: chunk.map { Self.offset + Int32(($0 * Double(Self.countsPerGram)).rounded()) })
                state.sequence += 1
                state.sample += chunk.count
                return (FrameCodec.encode(frame), state.handler)
            }
            if let bytes = packet.0 { packet.1?(.packet(bytes)) }
        }
    }

    /// Sends each hand's grams (channel 0 left, channel 1 right; the same
    /// count of each) as frames of four samples, channel-major.
    func send(left: [Double], right: [Double]) {
        precondition(left.count == right.count && info.channels == 2, "a two-channel script, one value a hand a sample")
        var index = 0
        while index < left.count {
            let end = min(index + 4, left.count)
            let counts = (left[index..<end] + right[index..<end]).map { Self.offset + Int32(($0 * Double(Self.countsPerGram)).rounded()) }
            let samples = end - index
            index = end
            let packet = state.withLock { state -> ([UInt8]?, (@Sendable (SensorEvent) -> Void)?) in
                let frame = Frame(
                    sequence: state.sequence, timestampMicros: UInt32(state.sample * 10_000), channels: 2, samplesPerChannel: samples,
                    counts: counts)
                state.sequence += 1
                state.sample += samples
                return (FrameCodec.encode(frame), state.handler)
            }
            if let bytes = packet.0 { packet.1?(.packet(bytes)) }
        }
    }

    func unplug(_ reason: String) {
        let handler = state.withLock { $0.handler }
        handler?(.disconnected(reason: reason))
    }

    func stop() {}

    func status() throws -> DeviceStatus {
        let next = state.withLock { $0.sequence }
        return DeviceStatus(streaming: false, calibrationStored: false, sampleRate: 100, nextSequence: next, fifoDropped: 0, clockMicros: 0)
    }

    func readCalibration() throws -> [UInt8] { [] }
    func writeCalibration(_ blob: [UInt8]) throws {}
    func close() {}
}
