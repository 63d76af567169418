import CLightTouchEmulatorSupport
import Dispatch
import LightTouchCore
import LightTouchSensorModel
import Synchronization

/// A LightTouch sensor emulated below libusb, at the usbfs level: a umockdev
/// testbed holds its sysfs entry and descriptors, and an ioctl handler serves
/// its control and interrupt URBs from the sensor model (and through it, the C
/// device reference). A process started with `environment` talks to it with
/// its unmodified libusb code path.
///
/// The device is paced by wall-clock time: whenever the emulated host
/// controller polls the interrupt endpoint (every millisecond while IN URBs
/// are pending, at every reap and before every vendor request), the model is
/// run up to now in 1 ms steps, with the endpoint polled after each.
public final class EmulatedSensor: Sendable {
    /// What the emulator did, for its report.
    public struct Report: Sendable, Equatable {
        /// Frames the device built and handed to the link (before faults).
        public var framesTransmitted = 0
        /// Packets the fault injector dropped.
        public var dropped = 0
        /// Packets the fault injector corrupted (one bit flipped).
        public var corrupted = 0
        /// Interrupt IN URBs completed with a packet.
        public var packetsDelivered = 0
        /// Frames the device's transmit FIFO dropped because the host did not
        /// poll in time, as the device counts them (since its last
        /// START_STREAM), summed over plugs.
        public var deviceFIFODropped = 0
        public var controlRequests = 0
        public var controlStalls = 0
        public var urbsCancelled = 0
        public var plugs = 0
        public var unplugs = 0
        /// Longest wait of a completed IN URB for the host to reap it, ms.
        public var maxReapWaitMilliseconds = 0.0
        /// Longest gap between two polls of the emulated host controller, ms.
        public var maxPumpGapMilliseconds = 0.0
    }

    /// Why the emulated sensor cannot be made.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let box: DeviceBox
    private let bus: EmulatedBus
    /// The testbed's root: UMOCKDEV_DIR for the processes that use the sensor.
    public var rootDirectory: String { bus.rootDirectory }

    /// Creates the testbed and the device, unplugged. `faults` damages the
    /// link between the device and the host.
    /// `reportedProtocol` makes GET_INFO claim another protocol version (to
    /// exercise a host's refusal of an unsupported major version).
    public init(
        configuration: SensorModelConfiguration, faults: FaultInjector, deviceNodeMode: UInt32 = 0o666,
        reportedProtocol: (major: UInt8, minor: UInt8)? = nil
    ) throws {
        let info: SensorInfo
        do {
            info = try SimulatedSensor(configuration: configuration).info
        } catch {
            throw Failure(description: "the sensor model: \(error.description)")
        }
        let box = DeviceBox(configuration: configuration, faults: faults, reportedProtocol: reportedProtocol)
        self.box = box
        let identity = EmulatedBus.Identity(
            vendorID: SensorProtocol.defaultVendorID, productID: SensorProtocol.defaultProductID,
            bcdDevice: UInt16(info.firmwareMajor) << 8 | UInt16(min(info.firmwareMinor, 99)),
            manufacturer: "LightTouch", product: "LightTouch Force Sensor", serial: configuration.serial)
        do {
            bus = try EmulatedBus(device: box, identity: identity, deviceNodeMode: deviceNodeMode)
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// The environment a process needs to see the sensor: the umockdev
    /// preload library and the testbed.
    public var environment: [String: String] { bus.environment }

    /// umockdev's preload library, as umockdev-wrapper sets it.
    public static let preloadLibrary = EmulatedBus.preloadLibrary

    /// The device node of the current (or last) plug.
    public var deviceNode: String { bus.deviceNode }

    public var isPlugged: Bool { bus.isPlugged }

    /// Plugs the sensor in: a device that just powered up, at the next
    /// device number, announced with an "add" uevent.
    public func plug() throws {
        try box.powerUp()
        do {
            try bus.plug()
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// Pulls the sensor out: URBs in flight complete with "no device", a
    /// "remove" uevent is sent and the sysfs entry goes away.
    public func unplug() {
        guard bus.unplug() else { return }
        box.powerDown()
    }

    /// What happened so far.
    public var report: Report {
        let counters = bus.counters
        var report = box.report
        report.packetsDelivered = Int(counters.in_packets)
        report.controlRequests = Int(counters.control_requests)
        report.controlStalls = Int(counters.control_stalls)
        report.urbsCancelled = Int(counters.urbs_discarded)
        report.plugs = Int(counters.plugs)
        report.unplugs = Int(counters.unplugs)
        report.maxReapWaitMilliseconds = Double(counters.max_reap_wait_us) / 1000
        report.maxPumpGapMilliseconds = Double(counters.max_pump_gap_us) / 1000
        return report
    }
}

/// The device behind the cable: the sensor model of the current plug and the
/// link's fault injector. The C emulator calls it with its own lock held; the
/// Mutex makes the non-thread-safe model safe to reach from the plug/unplug
/// and report calls on other threads too.
final class DeviceBox: EmulatedUSBDevice {
    private struct State {
        var sensor: SimulatedSensor?
        var faults: FaultInjector
        var poweredUpAtNanos: UInt64 = 0
        /// How far the model has run since power-up.
        var modelNanos: UInt64 = 0
        var transmitted = 0
        var fifoDroppedBefore = 0
    }

    private let configuration: SensorModelConfiguration
    private let reportedProtocol: (major: UInt8, minor: UInt8)?
    private let state: Mutex<State>

    /// Each plug powers up a fresh model from `configuration`.
    init(configuration: SensorModelConfiguration, faults: FaultInjector, reportedProtocol: (major: UInt8, minor: UInt8)?) {
        self.configuration = configuration
        self.reportedProtocol = reportedProtocol
        state = Mutex(State(sensor: nil, faults: faults))
    }

    /// A fresh device: power-up state (rate, sequence, clock) as after plugging in.
    func powerUp() throws(EmulatedSensor.Failure) {
        let configuration = configuration
        let now = DispatchTime.now().uptimeNanoseconds
        try state.withLock { state throws(EmulatedSensor.Failure) in
            do throws(SensorModelConfiguration.Invalid) {
                state.sensor = try SimulatedSensor(configuration: configuration)
            } catch {
                throw EmulatedSensor.Failure(description: "the sensor model: \(error.description)")
            }
            state.poweredUpAtNanos = now
            state.modelNanos = 0
        }
    }

    func powerDown() {
        state.withLock { state in
            state.fifoDroppedBefore += Self.fifoDropped(state.sensor)
            state.sensor = nil
        }
    }

    /// Runs the model towards wall-clock now by at most 1 ms (one bInterval);
    /// true when it is not there yet.
    func advanceOneStep() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        return state.withLock { state in
            guard let sensor = state.sensor else { return false }
            let target = now &- state.poweredUpAtNanos
            let step = min(target, state.modelNanos + Self.stepNanos)
            if step > state.modelNanos {
                state.modelNanos = step
                sensor.advance(toSeconds: Double(step) / 1e9)
            }
            return step < target
        }
    }

    static let stepNanos: UInt64 = 1_000_000

    /// The next packet on the wire, or 0 (NAK). Dropped packets vanish; the
    /// host controller's poll then gets the frame after them.
    func pollIn(into packet: UnsafeMutablePointer<UInt8>) -> Int {
        state.withLock { state in
            guard let sensor = state.sensor else { return 0 }
            while let frame = sensor.pollIn() {
                state.transmitted += 1
                guard let sent = state.faults.transmit(frame) else { continue }
                let count = min(sent.count, SensorProtocol.packetSize)
                for index in 0..<count { packet[index] = sent[index] }
                return count
            }
            return 0
        }
    }

    func control(
        requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: UInt16, data: UnsafeMutablePointer<UInt8>?
    ) -> Int32 {
        let outData: [UInt8] =
            requestType & 0x80 == 0 && length > 0 && data != nil
            ? Array(UnsafeBufferPointer(start: data, count: Int(length))) : []
        let outcome: ControlOutcome = state.withLock { state in
            guard let sensor = state.sensor else { return .stall }
            return sensor.control(
                requestType: requestType, request: request, value: value, index: index, length: length, data: outData)
        }
        switch outcome {
        case .stall:
            return -1
        case .ok:
            return 0
        case .data(var bytes):
            if request == ControlRequest.getInfo.rawValue, let reportedProtocol, bytes.count >= 2 {
                bytes[0] = reportedProtocol.major
                bytes[1] = reportedProtocol.minor
            }
            let count = min(bytes.count, Int(length))
            if let data { for offset in 0..<count { data[offset] = bytes[offset] } }
            return Int32(count)
        }
    }

    var report: EmulatedSensor.Report {
        state.withLock { state in
            var report = EmulatedSensor.Report()
            report.framesTransmitted = state.transmitted
            report.dropped = state.faults.dropped
            report.corrupted = state.faults.corrupted
            report.deviceFIFODropped = state.fifoDroppedBefore + Self.fifoDropped(state.sensor)
            return report
        }
    }

    /// The device's own count of frames its FIFO dropped (GET_STATUS).
    private static func fifoDropped(_ sensor: SimulatedSensor?) -> Int {
        guard let sensor,
            case .data(let bytes) = sensor.control(
                requestType: ControlRequest.requestTypeIn, request: ControlRequest.getStatus.rawValue, value: 0, index: 0,
                length: UInt16(DeviceStatus.encodedSize), data: []),
            let status = DeviceStatus.decode(bytes)
        else { return 0 }
        return Int(status.fifoDropped)
    }
}
