import Dispatch
import Foundation
import LightTouchCore
import LightTouchSensorModel
import Synchronization

/// The in-process demo sensor: the sensor model and the C device reference,
/// paced by wall-clock time, delivering the very frame bytes a USB sensor
/// would to the same decoder, without libusb. It is what lets a newcomer with
/// no hardware try everything.
public final class DemoSensor: SensorConnection {
    public static let serial = "LT-DEMO-0001"
    public let transport = "demo (in-process)"

    private struct State {
        var sensor: SimulatedSensor
        var injector: FaultInjector
        var handler: (@Sendable (SensorEvent) -> Void)?
        var timer: TimerHandle?
        var startUptimeNanos: UInt64
    }

    // Mutex makes the non-Sendable model usable from the timer queue and the
    // caller's thread; every access goes through `withLock`.
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "lighttouch.demo-sensor", qos: .userInteractive)
    private let startInfo: SensorInfo

    /// Makes a demo sensor; `faults` damages the link between it and the host.
    public init(configuration: SensorModelConfiguration, faults: FaultInjector = FaultInjector()) throws {
        let sensor = try SimulatedSensor(configuration: configuration)
        startInfo = try sensor.info
        state = Mutex(
            State(sensor: sensor, injector: faults, handler: nil, timer: nil, startUptimeNanos: DispatchTime.now().uptimeNanoseconds))
        queue.setSpecific(key: Self.queueKey, value: true)
    }

    public var info: SensorInfo {
        state.withLock { (try? $0.sensor.info) } ?? startInfo
    }

    /// What the fault injector did so far: packets dropped and corrupted.
    public var injected: (dropped: Int, corrupted: Int, transmitted: Int) {
        state.withLock { ($0.injector.dropped, $0.injector.corrupted, $0.injector.transmitted) }
    }

    /// Presses harder (positive) or lighter on every channel, grams.
    public func nudge(grams: Double) {
        state.withLock { $0.sensor.manualForceGrams = max(-20, min(200, $0.sensor.manualForceGrams + grams)) }
    }

    /// The extra force the user added with `nudge`, grams.
    public var manualForceGrams: Double { state.withLock { $0.sensor.manualForceGrams } }

    private func modelSeconds(_ state: State) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - state.startUptimeNanos) / 1e9
    }

    private func request(_ request: ControlRequest, value: UInt16 = 0, length: UInt16 = 0, data: [UInt8] = []) throws -> ControlOutcome {
        let isIn = [.getInfo, .getStatus, .readCalibration].contains(request)
        let outcome = state.withLock { state in
            state.sensor.advance(toSeconds: modelSeconds(state))
            return state.sensor.control(
                requestType: isIn ? ControlRequest.requestTypeIn : ControlRequest.requestTypeOut,
                request: request.rawValue, value: value, index: 0, length: length, data: data)
        }
        if outcome == .stall { throw SensorConnectionError.requestRefused(request.name) }
        return outcome
    }

    public func setRate(_ hertz: Int) throws {
        guard let value = UInt16(exactly: hertz) else { throw SensorConnectionError.requestRefused("SET_RATE") }
        _ = try request(.setRate, value: value)
    }

    public func start(handler: @escaping @Sendable (SensorEvent) -> Void) throws {
        stop()
        _ = try request(.startStream)
        // Poll every 10 ms, as a host's USB stack batches completions; the
        // frames carry their own device timestamps, so batching moves no sample.
        let interval = 0.010
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(
            deadline: .now() + interval, repeating: interval,
            leeway: .microseconds(Int(interval * 100_000)))
        timer.setEventHandler { [weak self] in self?.tick() }
        state.withLock {
            $0.handler = handler
            $0.timer = TimerHandle(source: timer)
        }
        timer.resume()
    }

    /// Runs the model to now and delivers every frame the device has queued.
    private func tick() {
        let (packets, handler) = state.withLock { state -> ([[UInt8]], (@Sendable (SensorEvent) -> Void)?) in
            state.sensor.advance(toSeconds: modelSeconds(state))
            var packets: [[UInt8]] = []
            while let frame = state.sensor.pollIn() {
                if let delivered = state.injector.transmit(frame) { packets.append(delivered) }
            }
            return (packets, state.handler)
        }
        guard let handler else { return }
        for packet in packets { handler(.packet(packet)) }
    }

    public func stop() {
        let timer = state.withLock { state -> TimerHandle? in
            defer { state.timer = nil }
            return state.timer
        }
        guard let timer else { return }
        timer.source.cancel()
        // Wait for a tick that may be running, unless we are on the queue itself.
        if DispatchQueue.getSpecific(key: Self.queueKey) == nil { queue.sync {} }
        // STOP_STREAM, then deliver what the device still had queued (PROTOCOL.md §4.3).
        let (packets, handler) = state.withLock { state -> ([[UInt8]], (@Sendable (SensorEvent) -> Void)?) in
            state.sensor.advance(toSeconds: modelSeconds(state))
            _ = state.sensor.control(
                requestType: ControlRequest.requestTypeOut, request: ControlRequest.stopStream.rawValue,
                value: 0, index: 0, length: 0, data: [])
            var packets: [[UInt8]] = []
            while let frame = state.sensor.pollIn() {
                if let delivered = state.injector.transmit(frame) { packets.append(delivered) }
            }
            defer { state.handler = nil }
            return (packets, state.handler)
        }
        if let handler { for packet in packets { handler(.packet(packet)) } }
    }

    private static let queueKey = DispatchSpecificKey<Bool>()

    public func status() throws -> DeviceStatus {
        guard case .data(let bytes) = try request(.getStatus, length: UInt16(DeviceStatus.encodedSize)),
            let status = DeviceStatus.decode(bytes)
        else { throw SensorConnectionError.invalidResponse("GET_STATUS") }
        return status
    }

    public func readCalibration() throws -> [UInt8] {
        guard case .data(let bytes) = try request(.readCalibration, length: 256) else {
            throw SensorConnectionError.invalidResponse("READ_CALIBRATION")
        }
        return bytes
    }

    public func writeCalibration(_ blob: [UInt8]) throws {
        guard let length = UInt16(exactly: blob.count) else { throw SensorConnectionError.requestRefused("WRITE_CALIBRATION") }
        _ = try request(.writeCalibration, length: length, data: blob)
    }

    public func close() { stop() }
}

/// Errors any sensor connection can report.
public enum SensorConnectionError: Error, Equatable, CustomStringConvertible {
    /// The sensor STALLed a control request.
    case requestRefused(String)
    /// The sensor's answer to a request was not valid.
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .requestRefused(let name): "the sensor refused \(name)"
        case .invalidResponse(let name): "the sensor's answer to \(name) is not valid"
        }
    }
}

/// A dispatch timer held in mutex-guarded state.
// @unchecked Sendable: libdispatch sources are thread-safe objects (their
// methods may be called from any thread); Swift on Linux just does not
// declare DispatchSourceTimer Sendable.
struct TimerHandle: @unchecked Sendable {
    let source: any DispatchSourceTimer
}
