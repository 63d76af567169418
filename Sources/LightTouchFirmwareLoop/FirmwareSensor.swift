import CLightTouchEmulatorSupport
import CLightTouchFirmwareLoop
import Dispatch
import LightTouchCore
import LightTouchEmulator
import LightTouchSensorModel
import Synchronization

/// A LightTouch sensor whose firmware is a real ATmega32U4 program (the ELF
/// that is flashed onto a Pro Micro), run on simavr's chip model behind the
/// emulated USB bus: a process started with `environment` talks to the
/// firmware through its unmodified libusb code path. A simulated HX711 on
/// the firmware's pins converts the sensor model's load cell (force program,
/// noise, drift).
///
/// The chip runs paced by wall-clock time: whenever the emulated host
/// controller polls (every millisecond while IN URBs are pending, at every
/// reap and before every control request), the chip is run up to now in 1 ms
/// steps of simulated time, with endpoint 0x81 polled after each.
/// Unplugging cuts the chip's power; plugging powers it up from reset, with
/// its EEPROM kept, and enumerates it as a host would.
public final class FirmwareSensor: Sendable {
    /// What happened, for the emulator's report.
    public struct Report: Sendable, Equatable {
        /// Frames the firmware handed to the link (before faults).
        public var framesTransmitted = 0
        public var dropped = 0
        public var corrupted = 0
        public var packetsDelivered = 0
        /// Frames the firmware's transmit FIFO dropped (GET_STATUS, since its
        /// last START_STREAM), summed over plugs.
        public var deviceFIFODropped = 0
        public var controlRequests = 0
        public var controlStalls = 0
        public var plugs = 0
        public var unplugs = 0
        /// The simulated HX711: conversions, complete reads, conversions
        /// nobody read, pulses while not ready, PD_SCK high > 50 µs, power-downs,
        /// 26/27-pulse reads, rail values.
        public var conversions = 0
        public var reads = 0
        public var missedConversions = 0
        public var pulsesNotReady = 0
        public var longPulses = 0
        public var powerDowns = 0
        public var gainChanges = 0
        public var saturatedConversions = 0
        public var chipResets = 0
        public var ledToggles = 0
        /// The HX711's actual output rate, Hz.
        public var adcRateHz = 0.0
        /// Delay from a sample's data-ready edge to the host receiving its
        /// frame, simulated milliseconds, over the frames matched to their
        /// conversion (includes waiting for the host's next 1 ms poll).
        public var latencyFrames = 0
        public var latencyUnmatched = 0
        public var latencyMaxMilliseconds = 0.0
        public var latencyMeanMilliseconds = 0.0
        public var latencyP99Milliseconds = 0.0
    }

    /// Why the firmware cannot be run.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let box: ChipBox
    private let bus: EmulatedBus
    /// The testbed's root: UMOCKDEV_DIR for the processes that use the sensor.
    public var rootDirectory: String { bus.rootDirectory }
    /// The serial number the firmware reported when it was first enumerated.
    public let serial: String

    /// Loads `firmware` (an AVR ELF). `eeprom` is the chip's EEPROM at first
    /// power-up (1024 bytes; erased when nil); when it holds no valid serial
    /// number record, `serialIfUnset` is written as `make flash SERIAL=`
    /// would. `storedCalibration` replaces the EEPROM's calibration area.
    public init(
        firmware: String, configuration: SensorModelConfiguration, faults: FaultInjector, eeprom: [UInt8]?,
        serialIfUnset: String, storedCalibration: [UInt8]? = nil, deviceNodeMode: UInt32 = 0o666, adcRateError: Double = 0.0075
    ) throws {
        do {
            _ = try SimulatedSensor(configuration: configuration)
        } catch {
            throw Failure(description: "the sensor model: \(error.description)")
        }
        let analog = AnalogInput(configuration: configuration)
        var errorBuffer = [CChar](repeating: 0, count: 512)
        let chip: OpaquePointer? = firmware.withCString { path in
            var options = ltf_chip_options(
                firmware_path: path,
                analog_counts: { context, seconds in
                    guard let context else { return 0 }
                    return Unmanaged<AnalogInput>.fromOpaque(context).takeUnretainedValue().counts(atSeconds: seconds)
                },
                ctx: Unmanaged.passUnretained(analog).toOpaque(), rate_error: adcRateError)
            return errorBuffer.withUnsafeMutableBufferPointer { ltf_chip_new(&options, $0.baseAddress, $0.count) }
        }
        guard let chip else { throw Failure(description: Self.text(errorBuffer)) }
        let box = ChipBox(chip: ChipPointer(pointer: chip), analog: analog, faults: faults)
        self.box = box

        var image = [UInt8](repeating: 0xFF, count: Int(LTF_CHIP_EEPROM_SIZE))
        if let eeprom { image.replaceSubrange(0..<min(eeprom.count, image.count), with: eeprom.prefix(image.count)) }
        if let storedCalibration {
            let area = Int(LTF_CALIBRATION_ADDRESS)..<Int(LTF_CALIBRATION_ADDRESS + LTF_CALIBRATION_BYTES)
            var bytes = [UInt8](storedCalibration.prefix(area.count))
            bytes += [UInt8](repeating: 0xFF, count: area.count - bytes.count)
            image.replaceSubrange(area, with: bytes)
        }
        let recordRange = Int(LTF_SERIAL_RECORD_ADDRESS)..<Int(LTF_SERIAL_RECORD_ADDRESS + LTF_SERIAL_RECORD_BYTES)
        if Self.serial(inRecord: Array(image[recordRange])) == nil {
            var record = [UInt8](repeating: 0, count: Int(LTF_SERIAL_RECORD_BYTES))
            let status = serialIfUnset.withCString { ltf_serial_record($0, &record) }
            guard status == 0 else {
                throw Failure(description: "serial `\(serialIfUnset)` must be 1 to 23 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
            }
            image.replaceSubrange(recordRange, with: record)
        }
        box.writeEEPROM(image)

        let enumeration = try box.powerUp()
        serial = enumeration.serial
        let identity = EmulatedBus.Identity(
            vendorID: enumeration.vendorID, productID: enumeration.productID, bcdDevice: enumeration.bcdDevice,
            manufacturer: enumeration.manufacturer, product: enumeration.product, serial: enumeration.serial)
        do {
            bus = try EmulatedBus(device: box, identity: identity, descriptors: enumeration.descriptors, deviceNodeMode: deviceNodeMode)
        } catch {
            throw Failure(description: error.description)
        }
        box.setRestartHandler { [weak self] in self?.firmwareRestarted() }
    }

    /// Called (once per restart, on a queue of its own) when the firmware reset
    /// itself while enumerated: a host sees it leave and come back.
    public var onRestart: (@Sendable () -> Void)? {
        get { restartObserver.withLock { $0 } }
        set { restartObserver.withLock { $0 = newValue } }
    }

    private let restartObserver = Mutex<(@Sendable () -> Void)?>(nil)

    private func firmwareRestarted() {
        onRestart?()
        unplug()
        do {
            try plug()
        } catch {
            // The firmware does not come back (it resets again and again): it stays unplugged.
        }
    }

    /// The serial number in a 32-byte EEPROM record, or nil.
    static func serial(inRecord record: [UInt8]) -> String? {
        var characters = [CChar](repeating: 0, count: 24)
        guard record.count == Int(LTF_SERIAL_RECORD_BYTES), ltf_serial_from_record(record, &characters) == 0 else { return nil }
        return text(characters)
    }

    private static func text(_ buffer: [CChar]) -> String { EmulatedBus.text(buffer) }

    /// The environment a process needs to see the sensor.
    public var environment: [String: String] { bus.environment }

    /// The device node of the current (or last) plug.
    public var deviceNode: String { bus.deviceNode }

    public var isPlugged: Bool { bus.isPlugged }

    /// Plugs the sensor in. The first plug uses the power-up done at init;
    /// later ones power the chip up from reset and enumerate it again.
    public func plug() throws {
        // One plug or unplug at a time (the emulator's schedule, a watchdog restart).
        try plugging.withLock { _ in try plugLocked() }
    }

    private let plugging = Mutex<Void>(())

    private func plugLocked() throws {
        if box.needsPowerUp { bus.setDescriptors(try box.powerUp().descriptors) }
        do {
            try bus.plug()
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// Pulls the sensor out: URBs in flight complete with "no device", and the
    /// chip loses power (its EEPROM stays).
    public func unplug() {
        plugging.withLock { _ in
            guard bus.unplug() else { return }
            box.powerDown()
        }
    }

    /// The chip's EEPROM now (1024 bytes), for `--eeprom`.
    public var eeprom: [UInt8] { box.readEEPROM() }

    /// What happened so far.
    public var report: Report {
        let counters = bus.counters
        var report = box.report
        report.packetsDelivered = Int(counters.in_packets)
        report.controlRequests = Int(counters.control_requests)
        report.controlStalls = Int(counters.control_stalls)
        report.plugs = Int(counters.plugs)
        report.unplugs = Int(counters.unplugs)
        return report
    }
}

/// The simavr chip handle.
// @unchecked Sendable: only used inside ChipBox's Mutex (simavr is not thread-safe).
struct ChipPointer: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The load cell at the HX711's input: the sensor model of the current
/// power-up, asked for counts when a conversion completes.
// @unchecked Sendable: only called from inside ltf_chip_* calls, which ChipBox
// makes under its Mutex; `powerUp` replaces the model under that Mutex too.
final class AnalogInput: @unchecked Sendable {
    private let configuration: SensorModelConfiguration
    private var sensor: SimulatedSensor?

    init(configuration: SensorModelConfiguration) {
        self.configuration = configuration
    }

    /// A fresh model: its time, noise and drift start again with the power.
    func powerUp() {
        sensor = try? SimulatedSensor(configuration: configuration)
    }

    func counts(atSeconds seconds: Double) -> Int32 {
        sensor?.adcCounts(channel: 0, at: seconds) ?? 0
    }
}

/// What the chip said at enumeration, in Swift types.
struct Enumeration: Sendable {
    var descriptors: [UInt8]
    var vendorID: UInt16
    var productID: UInt16
    var bcdDevice: UInt16
    var manufacturer: String
    var product: String
    var serial: String
}

/// The chip behind the cable. The C emulator calls it with its own lock
/// held; the Mutex also serialises plug/unplug/report from other threads, so
/// simavr only ever runs on one thread at a time.
final class ChipBox: EmulatedUSBDevice {
    private struct State {
        var powered = false
        var everPowered = false
        var poweredUpAtNanos: UInt64 = 0
        var faults: FaultInjector
        var transmitted = 0
        var fifoDroppedBefore = 0
        var stepsInBurst = 0
    }

    private let chip: ChipPointer
    private let analog: AnalogInput
    private let state: Mutex<State>
    private let restartHandler = Mutex<(@Sendable () -> Void)?>(nil)

    func setRestartHandler(_ handler: @escaping @Sendable () -> Void) {
        restartHandler.withLock { $0 = handler }
    }

    init(chip: ChipPointer, analog: AnalogInput, faults: FaultInjector) {
        self.chip = chip
        self.analog = analog
        state = Mutex(State(faults: faults))
    }

    var needsPowerUp: Bool { state.withLock { !$0.powered } }

    func powerUp() throws(FirmwareSensor.Failure) -> Enumeration {
        let chip = chip.pointer
        let analog = analog
        return try state.withLock { state throws(FirmwareSensor.Failure) -> Enumeration in
            analog.powerUp()
            var enumeration = ltf_enumeration()
            var errorBuffer = [CChar](repeating: 0, count: 512)
            let status = errorBuffer.withUnsafeMutableBufferPointer {
                ltf_chip_power_up(chip, &enumeration, $0.baseAddress, $0.count)
            }
            guard status == 0 else {
                ltf_chip_power_down(chip)
                throw FirmwareSensor.Failure(
                    description: "the firmware: "
                        + String(decoding: errorBuffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
            }
            state.powered = true
            state.everPowered = true
            // Simulated time since power-up runs level with the wall clock from here.
            state.poweredUpAtNanos = DispatchTime.now().uptimeNanoseconds &- ltf_chip_now_us(chip) * 1000
            return Enumeration(
                descriptors: withUnsafeBytes(of: enumeration.descriptors) { Array($0.prefix(enumeration.descriptors_length)) },
                vendorID: enumeration.vendor_id, productID: enumeration.product_id, bcdDevice: enumeration.bcd_device,
                manufacturer: Self.string(enumeration.manufacturer), product: Self.string(enumeration.product),
                serial: Self.string(enumeration.serial))
        }
    }

    private static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    func powerDown() {
        let chip = chip.pointer
        state.withLock { state in
            guard state.powered else { return }
            state.fifoDroppedBefore += Self.fifoDropped(chip)
            ltf_chip_power_down(chip)
            state.powered = false
        }
    }

    deinit {
        ltf_chip_free(chip.pointer)
    }

    func writeEEPROM(_ bytes: [UInt8]) {
        let chip = chip.pointer
        state.withLock { _ in ltf_chip_eeprom_write(chip, bytes, bytes.count) }
    }

    func readEEPROM() -> [UInt8] {
        let chip = chip.pointer
        return state.withLock { _ in
            var bytes = [UInt8](repeating: 0xFF, count: Int(LTF_CHIP_EEPROM_SIZE))
            ltf_chip_eeprom_read(chip, &bytes, bytes.count)
            return bytes
        }
    }

    /// Runs the chip towards wall-clock now by at most 1 ms; true when it is
    /// not there yet. After `stepsPerBurst` steps in a row it says "there"
    /// anyway: the emulated host controller holds its lock while it runs the
    /// device, and a chip that fell behind (a busy machine: simavr runs the
    /// 32u4 at 3 to 5 times real time on a free core) must not keep the
    /// host's reaps and submits waiting while it catches up. The next poll,
    /// a millisecond later, goes on.
    func advanceOneStep() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        let chip = chip.pointer
        return state.withLock { state in
            guard state.powered else { return false }
            let target = (now &- state.poweredUpAtNanos) / 1000
            let current = ltf_chip_now_us(chip)
            guard target > current, state.stepsInBurst < Self.stepsPerBurst else {
                state.stepsInBurst = 0
                return false
            }
            let step = min(target, current + 1000)
            ltf_chip_run_until_us(chip, step)
            state.stepsInBurst += 1
            if ltf_chip_take_restart(chip) != 0, let handler = restartHandler.withLock({ $0 }) {
                // Unplugging takes the emulator's lock, which our caller holds.
                DispatchQueue.global().async(execute: handler)
            }
            return step < target
        }
    }

    static let stepsPerBurst = 4

    /// The host controller polls endpoint 0x81: a packet, or 0 (NAK). A
    /// packet the fault injector drops leaves a NAK.
    func pollIn(into packet: UnsafeMutablePointer<UInt8>) -> Int {
        let chip = chip.pointer
        return state.withLock { state in
            guard state.powered else { return 0 }
            var buffer = [UInt8](repeating: 0, count: SensorProtocol.packetSize)
            let length = ltf_chip_poll_in(chip, &buffer)
            guard length > 0 else { return 0 }
            state.transmitted += 1
            guard let sent = state.faults.transmit(Array(buffer.prefix(length))) else { return 0 }
            let count = min(sent.count, SensorProtocol.packetSize)
            for index in 0..<count { packet[index] = sent[index] }
            return count
        }
    }

    func control(
        requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: UInt16, data: UnsafeMutablePointer<UInt8>?
    ) -> Int32 {
        let chip = chip.pointer
        return state.withLock { state in
            guard state.powered else { return -1 }
            if length > 0 && data == nil { return -1 }
            return ltf_chip_control(chip, requestType, request, value, index, length, data)
        }
    }

    var report: FirmwareSensor.Report {
        let chip = chip.pointer
        return state.withLock { state in
            var report = FirmwareSensor.Report()
            report.framesTransmitted = state.transmitted
            report.dropped = state.faults.dropped
            report.corrupted = state.faults.corrupted
            report.deviceFIFODropped = state.fifoDroppedBefore + (state.powered ? Self.fifoDropped(chip) : 0)
            let stats = ltf_chip_get_stats(chip)
            report.conversions = Int(stats.conversions)
            report.reads = Int(stats.reads)
            report.missedConversions = Int(stats.missed_conversions)
            report.pulsesNotReady = Int(stats.pulses_not_ready)
            report.longPulses = Int(stats.long_pulses)
            report.powerDowns = Int(stats.power_downs)
            report.gainChanges = Int(stats.gain_changes)
            report.saturatedConversions = Int(stats.saturated)
            report.chipResets = Int(stats.resets)
            report.ledToggles = Int(stats.led_toggles)
            report.adcRateHz = stats.rate_hz
            report.latencyFrames = Int(stats.latency_frames)
            report.latencyUnmatched = Int(stats.latency_unmatched)
            report.latencyMaxMilliseconds = stats.latency_max_ms
            report.latencyMeanMilliseconds = stats.latency_mean_ms
            report.latencyP99Milliseconds = stats.latency_p99_ms
            return report
        }
    }

    /// The firmware's own count of frames its FIFO dropped (GET_STATUS). Lock held.
    private static func fifoDropped(_ chip: OpaquePointer) -> Int {
        var status = [UInt8](repeating: 0, count: DeviceStatus.encodedSize)
        let count = ltf_chip_control(
            chip, ControlRequest.requestTypeIn, ControlRequest.getStatus.rawValue, 0, 0, UInt16(status.count), &status)
        guard count == status.count, let decoded = DeviceStatus.decode(status) else { return 0 }
        return Int(decoded.fifoDropped)
    }
}
