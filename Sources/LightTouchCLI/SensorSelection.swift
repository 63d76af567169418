import ArgumentParser
import Foundation
import LightTouchDemoSensor
import LightTouchCore
import LightTouchSensorModel
import LightTouchUSB
import Logging

/// Which sensor a command uses.
struct SensorOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The sensor: its serial number, or `demo` for the built-in demo sensor. Default: the only sensor plugged in.",
        valueName: "serial|demo"))
    var sensor: String?

    @Option(help: ArgumentHelp("Sample rate per channel: 10, 80, 320 or 1000 Hz. Default: the sensor's own (1000 for demo).", valueName: "hz"))
    var rate: Int?

    @Flag(help: "When the USB sensor is unplugged, report it and stop using it instead of waiting for it to come back.")
    var noReconnect = false

    @Option(
        name: .customLong("calibration"),
        help: ArgumentHelp(
            "A calibration certificate (JSON, from `lighttouch calibrate run --out`) to use instead of the calibration stored in the "
                + "sensor; on a sensor with several channels, once per channel (`calibrate run --channel`).",
            valueName: "file"))
    var calibrations: [String] = []

    var isDemo: Bool { sensor == "demo" }

    func validate() throws {
        if let rate, !SensorProtocol.rates.contains(rate) {
            throw ValidationError("--rate must be one of 10, 80, 320 or 1000 Hz (got \(rate))")
        }
    }
}

/// Opens the sensor the options name. The demo sensor is built from `demo`;
/// USB sensors come through the libusb driver.
func openSensor(_ options: SensorOptions, demo: DemoSensorOptions) throws -> any SensorConnection {
    if options.isDemo {
        let configuration = try demo.modelConfiguration(rate: options.rate ?? 1000)
        do {
            return try DemoSensor(configuration: configuration, faults: demo.faultInjector)
        } catch {
            throw UserError("demo sensor: \(error)")
        }
    }
    if demo.isCustomised {
        throw UserError(
            "the demo-sensor options (--scenario, --channels, --noise-g, …) only apply with `--sensor demo`",
            exitCode: ExitCode(64))
    }
    let connection = try openUSBSensor(serial: options.sensor, reconnect: !options.noReconnect)
    if let rate = options.rate, rate != connection.info.sampleRate {
        do {
            try connection.setRate(rate)
        } catch {
            connection.close()
            throw UserError("the sensor refused the rate \(rate) Hz (it offers \(connection.info.supportedRates.map(String.init).joined(separator: ", ")) Hz)")
        }
    }
    return connection
}

/// The USB sensors present, as listed by the driver.
func listUSBSensors() throws -> [SensorListing] {
    do {
        return try USBSensors.list(options: try usbOptions(reconnect: false)).map { listing in
            SensorListing(
                serial: listing.serial ?? listing.info?.serial ?? "?",
                transport: listing.problem.map { "\(listing.location) (\($0))" } ?? "\(listing.location)",
                firmware: listing.info?.firmwareVersion ?? "?", protocolVersion: listing.info?.protocolVersion ?? "?",
                channels: listing.info?.channels ?? 0, rate: listing.info?.sampleRate ?? 0,
                adcModel: listing.info?.adcModel ?? "?")
        }
    } catch {
        throw UserError(error)
    }
}

/// Opens a USB sensor by serial, or the only one present.
func openUSBSensor(serial: String?, reconnect: Bool = true) throws -> any SensorConnection {
    do {
        return try USBSensors.open(serial: serial, options: try usbOptions(reconnect: reconnect))
    } catch {
        throw UserError(error)
    }
}

/// The USB driver's options: VID:PID from LIGHTTOUCH_USB_ID; its log only
/// shows errors unless LIGHTTOUCH_USB_LOG names a level (trace … critical).
private func usbOptions(reconnect: Bool) throws(USBSensorError) -> USBSensorOptions {
    var logger = Logger(label: "lighttouch.usb")
    logger.logLevel = ProcessInfo.processInfo.environment["LIGHTTOUCH_USB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    var options = try USBSensorOptions.fromEnvironment(logger: logger)
    options.reconnect = reconnect
    return options
}

extension UserError {
    /// A USB driver error, with an exit status in the spirit of sysexits(3).
    init(_ error: USBSensorError) {
        switch error {
        case .noSensorFound, .serialNotFound, .disconnected:
            self = .unavailable(error.description)
        case .permissionDenied:
            self = .permission(error.description)
        case .sensorBusy:
            self = .busy(error.description)
        case .protocolVersionNotSupported, .unusableDeviceInfo, .invalidResponse:
            self = UserError(error.description, exitCode: ExitCode(76))  // EX_PROTOCOL
        case .severalSensors, .invalidDeviceID:
            self = UserError(error.description, exitCode: ExitCode(64))  // EX_USAGE
        case .requestRefused, .streaming, .usb:
            self = UserError(error.description)
        }
    }
}

/// One line of `lighttouch devices`.
struct SensorListing {
    var serial: String
    var transport: String
    var firmware: String
    var protocolVersion: String
    var channels: Int
    var rate: Int
    var adcModel: String
}
