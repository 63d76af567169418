import CLightTouchDevice
import LightTouchCore

/// The answer of the simulated device to a control request.
public enum ControlOutcome: Equatable, Sendable {
    /// An IN request's data.
    case data([UInt8])
    /// An OUT request was accepted.
    case ok
    /// The device refused the request (a STALL on the control pipe).
    case stall
}

/// A physical sensor model running the C device reference: a force program
/// pressing on a load cell with noise and drift, sampled by a 24-bit ADC whose
/// samples go through `lt_device_push_sample`, so the frames and control
/// responses are exactly what a real firmware linking the reference produces.
///
/// Time is injected (`advance(toSeconds:)`); the model never reads a clock.
/// Not thread-safe: its owner serialises every call.
public final class SimulatedSensor {
    public let configuration: SensorModelConfiguration
    /// Added to the force program's force on every channel, grams (the demo's
    /// arrow keys press harder or lighter through this).
    public var manualForceGrams = 0.0

    private let device: UnsafeMutablePointer<lt_device>
    private let flash: Flash
    private let clock: Clock
    private var random: RandomSource
    /// Sample grid: sample i of the current rate is taken at gridStartMicros + i·period.
    private var gridStartMicros: UInt64 = 0
    private var gridRate: Int
    private var nextSampleIndex: UInt64 = 0
    private var modelMicros: UInt64 = 0

    public init(configuration: SensorModelConfiguration) throws(SensorModelConfiguration.Invalid) {
        try configuration.validate()
        self.configuration = configuration
        random = RandomSource(seed: configuration.seed)
        flash = Flash()
        clock = Clock(start: configuration.clockStartMicros)
        gridRate = configuration.rate
        if let blob = configuration.storedCalibration {
            flash.bytes.replaceSubrange(0..<min(blob.count, Flash.size), with: blob.prefix(Flash.size))
        }
        device = .allocate(capacity: 1)
        device.initialize(to: lt_device())

        let status = configuration.serial.withCString { serial in
            configuration.adcModel.withCString { adcModel in
                var config = lt_device_config()
                config.serial = serial
                config.fw_major = configuration.firmwareVersion.major
                config.fw_minor = configuration.firmwareVersion.minor
                config.fw_patch = configuration.firmwareVersion.patch
                config.adc_model = adcModel
                config.channels = UInt8(configuration.channels)
                config.supported_rates = UInt16(LT_RATES_ALL)
                config.initial_rate_hz = UInt16(configuration.rate)
                config.nominal_offset = Int32(configuration.offsetCounts.rounded())
                config.nominal_counts_per_gram = Float(configuration.countsPerGram)
                config.flash = lt_flash_ops(
                    ctx: Unmanaged.passUnretained(flash).toOpaque(),
                    read: { context, offset, buffer, length in
                        guard let context, let buffer else { return -1 }
                        return Unmanaged<Flash>.fromOpaque(context).takeUnretainedValue().read(offset, buffer, length)
                    },
                    erase: { context in
                        guard let context else { return -1 }
                        return Unmanaged<Flash>.fromOpaque(context).takeUnretainedValue().erase()
                    },
                    program: { context, offset, buffer, length in
                        guard let context, let buffer else { return -1 }
                        return Unmanaged<Flash>.fromOpaque(context).takeUnretainedValue().program(offset, buffer, length)
                    })
                config.hook_ctx = Unmanaged.passUnretained(clock).toOpaque()
                config.clock_us = { context in
                    guard let context else { return 0 }
                    return Unmanaged<Clock>.fromOpaque(context).takeUnretainedValue().now
                }
                // lt_device_init copies the strings it keeps.
                return lt_device_init(device, &config)
            }
        }
        if status != 0 {
            throw SensorModelConfiguration.Invalid(description: "the device reference refused the sensor configuration")
        }
    }

    /// What GET_INFO reports now (the rate changes with SET_RATE).
    public var info: SensorInfo {
        get throws(SensorModelConfiguration.Invalid) {
            guard case .data(let bytes) = control(
                requestType: ControlRequest.requestTypeIn, request: ControlRequest.getInfo.rawValue,
                value: 0, index: 0, length: UInt16(SensorInfo.encodedSize), data: [])
            else { throw SensorModelConfiguration.Invalid(description: "the device reference refused GET_INFO") }
            switch SensorInfo.decode(bytes) {
            case .success(let info): return info
            case .failure(let error):
                throw SensorModelConfiguration.Invalid(description: "the device reference's GET_INFO is invalid: \(error)")
            }
        }
    }

    deinit {
        device.deinitialize(count: 1)
        device.deallocate()
    }

    /// Whether the device is streaming.
    public var isStreaming: Bool { device.pointee.streaming != 0 }

    /// The device's current rate, Hz.
    public var rate: Int { Int(device.pointee.rate_hz) }

    /// Force applied on `channel` at model time `seconds`, grams.
    public func appliedForce(channel: Int, at seconds: Double) -> Double {
        max(0, configuration.force.force(channel: channel, at: seconds) + manualForceGrams)
    }

    /// Runs the model up to `seconds` of model time: every sample instant up to
    /// then is converted to counts and pushed into the device reference.
    public func advance(toSeconds seconds: Double) {
        let target = UInt64(max(0, seconds * 1_000_000))
        guard target > modelMicros else { return }
        modelMicros = target
        clock.set(modelMicros: target)
        let currentRate = rate
        if currentRate != gridRate || !isStreaming {
            // Restart the sample grid at the current time, at the current rate.
            gridRate = currentRate
            gridStartMicros = target
            nextSampleIndex = 0
            if !isStreaming { return }
        }
        let period = UInt64(1_000_000 / max(gridRate, 1))
        let channels = configuration.channels
        var counts = [Int32](repeating: 0, count: 4)
        let stallMicros = configuration.stallAtSeconds.map { UInt64($0 * 1_000_000) }
        while true {
            let sampleMicros = gridStartMicros + nextSampleIndex * period
            guard sampleMicros <= target else { break }
            nextSampleIndex += 1
            if let stallMicros, sampleMicros >= stallMicros { continue }
            let t = Double(sampleMicros) / 1_000_000
            for channel in 0..<channels {
                counts[channel] = adcCounts(channel: channel, at: t)
            }
            let timestamp = configuration.clockStartMicros &+ UInt32(truncatingIfNeeded: sampleMicros)
            counts.withUnsafeBufferPointer { buffer in
                _ = lt_device_push_sample(device, timestamp, buffer.baseAddress, 1)
            }
        }
    }

    /// The ADC reading for `channel` at model time `t`: the load cell with its noise and drift
    /// (a simulated ADC chip, such as the firmware-in-the-loop HX711, converts this).
    public func adcCounts(channel: Int, at t: Double) -> Int32 {
        let c = configuration
        let grams = appliedForce(channel: channel, at: t)
        let drift = c.driftGramsPerMinute * t / 60
        let noise = c.noiseGrams > 0 ? c.noiseGrams * random.gaussian() : 0
        let loaded = grams + c.nonlinearity * grams * grams
        let value = c.offsetCounts + Double(channel) * 1_000 + c.countsPerGram * (loaded + drift + noise)
        let clamped = min(max(value.rounded(), Double(SensorProtocol.adcMinimum)), Double(SensorProtocol.adcMaximum))
        return Int32(clamped)
    }

    /// The host polls the IN endpoint: the oldest frame the device has queued, or nil (NAK).
    public func pollIn() -> [UInt8]? {
        var packet = [UInt8](repeating: 0, count: SensorProtocol.packetSize)
        let length = packet.withUnsafeMutableBufferPointer { lt_device_poll_in(device, $0.baseAddress) }
        guard length > 0 else { return nil }
        packet.removeSubrange(length...)
        return packet
    }

    /// A vendor control request, answered by the C device reference.
    public func control(
        requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: UInt16, data: [UInt8]
    ) -> ControlOutcome {
        var buffer = [UInt8](repeating: 0, count: max(Int(length), 256))
        buffer.replaceSubrange(0..<min(data.count, buffer.count), with: data.prefix(buffer.count))
        let result = buffer.withUnsafeMutableBufferPointer {
            lt_device_control(device, requestType, request, value, index, length, $0.baseAddress)
        }
        if result == LT_CONTROL_STALL { return .stall }
        if requestType & 0x80 != 0 { return .data(Array(buffer.prefix(Int(result)))) }
        return .ok
    }

    /// The bytes in the simulated flash (for tests and the emulator's reports).
    public var flashContents: [UInt8] { flash.bytes }
}

/// 256 bytes of RAM standing in for the sensor's calibration flash.
private final class Flash {
    static let size = Int(LT_CAL_FLASH_SIZE)
    var bytes = [UInt8](repeating: 0xFF, count: Flash.size)

    func read(_ offset: UInt32, _ buffer: UnsafeMutablePointer<UInt8>, _ length: UInt32) -> Int32 {
        let start = Int(offset), end = Int(offset) + Int(length)
        guard end <= Self.size else { return -1 }
        for index in start..<end { buffer[index - start] = bytes[index] }
        return 0
    }

    func erase() -> Int32 {
        bytes = [UInt8](repeating: 0xFF, count: Self.size)
        return 0
    }

    func program(_ offset: UInt32, _ buffer: UnsafePointer<UInt8>, _ length: UInt32) -> Int32 {
        let start = Int(offset), end = Int(offset) + Int(length)
        guard end <= Self.size else { return -1 }
        // NOR flash programming can only clear bits.
        for index in start..<end { bytes[index] &= buffer[index - start] }
        return 0
    }
}

/// The device clock: the model's time plus the configured start, wrapping at 2³² µs.
private final class Clock {
    let start: UInt32
    private(set) var now: UInt32

    init(start: UInt32) {
        self.start = start
        now = start
    }

    func set(modelMicros: UInt64) {
        now = start &+ UInt32(truncatingIfNeeded: modelMicros)
    }
}
