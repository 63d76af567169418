import ArgumentParser
import CLightTouchEmulatorSupport
import Dispatch
import Foundation
import LightTouchCore
import LightTouchEmulator
import LightTouchSensorModel
import LightTouchSensorOptions

/// `lighttouch-emulator [options] -- COMMAND [ARGS...]`: runs COMMAND with an
/// emulated LightTouch sensor plugged in, and exits with COMMAND's status.
struct LightTouchEmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lighttouch-emulator",
        abstract: "Run a command with an emulated LightTouch USB sensor plugged in.",
        discussion: """
            The sensor is emulated below libusb, at the usbfs level, with umockdev: COMMAND runs with the \
            umockdev preload library and UMOCKDEV_DIR set, so its unmodified libusb code finds the sensor \
            (VID:PID 1209:0001). Its frames come from the sensor model running the C device reference, paced \
            by wall-clock time. The emulator exits with COMMAND's exit status (128+N if a signal N ended it) \
            and forwards SIGINT, SIGTERM and SIGHUP sent to it. Times (--unplug-at, --replug-at) count from \
            when COMMAND starts; --stall-at counts from when the sensor powers up.

            With --firmware ELF the device is that sensor firmware running on a simulated ATmega32U4 with a \
            simulated HX711 (docs/sensors.md), e.g. the Pro Micro firmware of docs/sensor-build-guide.md.

            Example: lighttouch-emulator --channels 4 --rate 1000 -- lighttouch stream --duration 3
            """)

    @Option(help: "Serial number (1 to 23 characters of A-Z a-z 0-9 . _ -).")
    var serial = "LT-EMU-0001"

    @Option(help: ArgumentHelp("Sample rate at power-up: 10, 80, 320 or 1000 Hz.", valueName: "hz"))
    var rate = 1000

    @OptionGroup(title: "The load cell, the hand on it and the link") var model: SensorModelOptions

    @Option(help: ArgumentHelp("Unplug the sensor this many seconds after COMMAND starts.", valueName: "s"))
    var unplugAt: Double?

    @Option(help: ArgumentHelp("Plug it back in at this time (needs --unplug-at).", valueName: "s"))
    var replugAt: Double?

    @Option(help: ArgumentHelp("The device stops sending frames this many seconds after it powers up.", valueName: "s"))
    var stallAt: Double?

    @Option(
        help: ArgumentHelp(
            "A calibration blob (200 bytes, raw or as hex text) preloaded into the sensor's flash.", valueName: "file"))
    var storedCalibration: String?

    @Option(
        help: ArgumentHelp("Write what the emulator did (frames sent, dropped, corrupted…) to FILE as JSON.", valueName: "file"))
    var report: String?

    @Option(
        help: ArgumentHelp("Octal mode of the emulated device node (e.g. 600 so that only root may open it).", valueName: "mode"))
    var deviceMode = "666"

    @Option(
        help: ArgumentHelp(
            "Make GET_INFO report this protocol version instead of 1.0 (for testing hosts).", valueName: "major.minor",
            visibility: .hidden))
    var protocolVersion: String?

    @Option(
        help: ArgumentHelp(
            "Run this sensor firmware (an ATmega32U4 ELF, e.g. firmware-protocol/boards/pro-micro-hx711/build/lighttouch-pro-micro.elf) on a simulated chip with a simulated HX711, instead of the built-in device.",
            valueName: "elf"))
    var firmware: String?

    @Option(
        help: ArgumentHelp(
            "With --firmware: the chip's EEPROM image (1024 bytes), read at start if it exists and written back at the end.",
            valueName: "file"))
    var eeprom: String?

    @Option(
        help: ArgumentHelp("With --firmware: the HX711's output rate error, as a fraction (its own oscillator).", valueName: "e"))
    var adcRateError = 0.0075

    @Flag(help: "Do not print the emulator's summary on stderr.")
    var quiet = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run, after `--`.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        if command.isEmpty {
            throw ValidationError(
                "give the command to run after `--`, e.g. `lighttouch-emulator -- lighttouch stream --duration 3`")
        }
        for (name, value) in [("--unplug-at", unplugAt), ("--replug-at", replugAt), ("--stall-at", stallAt)] {
            if let value, !(value.isFinite && value >= 0) {
                throw ValidationError("\(name) must be 0 or more seconds (got \(value))")
            }
        }
        if let replugAt {
            guard let unplugAt else { throw ValidationError("--replug-at needs --unplug-at") }
            if replugAt <= unplugAt { throw ValidationError("--replug-at must be later than --unplug-at") }
        }
        if let protocolVersion, Self.parseVersion(protocolVersion) == nil {
            throw ValidationError("--protocol-version must look like 2.0 (got \(protocolVersion))")
        }
        try validateFirmwareOptions()
        guard let mode = UInt32(deviceMode, radix: 8), mode <= 0o7777 else {
            throw ValidationError("--device-mode must be an octal file mode such as 600 or 666 (got \(deviceMode))")
        }
    }

    func run() throws {
        try Preload.ensure()
        if let firmware { throw ExitCode(try runFirmware(firmware)) }
        let configuration = try modelConfiguration()
        let status = try runCommand(configuration: configuration, faults: model.faultInjector)
        throw ExitCode(status)
    }

    /// Runs COMMAND with the sensor plugged in; returns the status to exit with.
    /// The testbed is removed when this returns.
    private func runCommand(configuration: SensorModelConfiguration, faults: FaultInjector) throws -> Int32 {
        let sensor: EmulatedSensor
        do {
            sensor = try EmulatedSensor(
                configuration: configuration, faults: faults, deviceNodeMode: UInt32(deviceMode, radix: 8) ?? 0o666,
                reportedProtocol: protocolVersion.flatMap(Self.parseVersion))
            try sensor.plug()
        } catch {
            throw EmulatorError("cannot emulate the sensor: \(error)")
        }

        guard let status = supervise(sensor) else { return 127 }
        let result = sensor.report
        if !quiet {
            FileHandle.standardError.write(Data("lighttouch-emulator: \(summary(result))\n".utf8))
        }
        if let report {
            do {
                try Data((json(result).serialized() + "\n").utf8).write(to: URL(fileURLWithPath: report))
            } catch {
                FileHandle.standardError.write(Data("lighttouch-emulator: cannot write the report to \(report): \(error)\n".utf8))
            }
        }
        return status
    }

    private func summary(_ report: EmulatedSensor.Report) -> String {
        "\(serial): \(report.framesTransmitted) frames sent, \(report.dropped) dropped and \(report.corrupted) corrupted "
            + "on the wire, \(report.deviceFIFODropped) lost in the device FIFO, \(report.unplugs) unplugs"
    }

    private func json(_ report: EmulatedSensor.Report) -> JSONValue {
        .object([
            ("serial", .string(serial)), ("channels", .int(model.channels)), ("rate_hz", .int(rate)),
            ("frames_transmitted", .int(report.framesTransmitted)), ("dropped", .int(report.dropped)),
            ("corrupted", .int(report.corrupted)), ("packets_delivered", .int(report.packetsDelivered)),
            ("device_fifo_dropped", .int(report.deviceFIFODropped)), ("control_requests", .int(report.controlRequests)),
            ("control_stalls", .int(report.controlStalls)), ("urbs_cancelled", .int(report.urbsCancelled)),
            ("plugs", .int(report.plugs)), ("unplugs", .int(report.unplugs)),
            ("max_reap_wait_ms", .double((report.maxReapWaitMilliseconds * 10).rounded() / 10)),
            ("max_pump_gap_ms", .double((report.maxPumpGapMilliseconds * 10).rounded() / 10)),
        ])
    }

    private func modelConfiguration() throws -> SensorModelConfiguration {
        let stored = try storedCalibration.map(Self.readBlob)
        do {
            return try model.configuration(rate: rate) { configuration in
                configuration.serial = serial
                configuration.stallAtSeconds = stallAt
                if let stored { configuration.storedCalibration = stored }
            }
        } catch {
            switch error {
            case .forceScript(let message): throw EmulatorError(message, exitCode: ExitCode(65))
            case .setting(let message): throw EmulatorError(message, exitCode: ExitCode(64))
            }
        }
    }

    /// "2.0" as (2, 0).
    static func parseVersion(_ text: String) -> (major: UInt8, minor: UInt8)? {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let major = UInt8(parts[0]), let minor = UInt8(parts[1]) else { return nil }
        return (major, minor)
    }

    /// A calibration blob file: raw bytes, or hex text (whitespace ignored).
    static func readBlob(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmulatorError("cannot read the calibration blob \(path)", exitCode: ExitCode(66))
        }
        let bytes = [UInt8](data)
        let text = bytes.filter { !$0.isWhitespace }
        if !text.isEmpty, text.count % 2 == 0, text.allSatisfy({ $0.hexValue != nil }) {
            return stride(from: 0, to: text.count, by: 2).compactMap { index in
                guard let high = text[index].hexValue, let low = text[index + 1].hexValue else { return nil }
                return high << 4 | low
            }
        }
        return bytes
    }
}

/// A failure before COMMAND could run: one line on stderr.
struct EmulatorError: Error, CustomStringConvertible {
    let description: String
    let exitCode: ExitCode

    init(_ description: String, exitCode: ExitCode = .failure) {
        self.description = description
        self.exitCode = exitCode
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }

    fileprivate var hexValue: UInt8? {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x41...0x46: self - 0x41 + 10
        case 0x61...0x66: self - 0x61 + 10
        default: nil
        }
    }
}
