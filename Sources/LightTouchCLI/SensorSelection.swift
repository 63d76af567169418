import ArgumentParser
import LightTouchAcquisition
import LightTouchCore
import LightTouchSensorModel

/// Which sensor a command uses.
struct SensorOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The sensor: its serial number, or `demo` for the built-in demo sensor. Default: the only sensor plugged in.",
        valueName: "serial|demo"))
    var sensor: String?

    @Option(help: ArgumentHelp("Sample rate per channel: 10, 80, 320 or 1000 Hz. Default: the sensor's own (1000 for demo).", valueName: "hz"))
    var rate: Int?

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
            return try DemoSensor(configuration: configuration, faults: demo.faultInjector())
        } catch {
            throw UserError("demo sensor: \(error)")
        }
    }
    if demo.isCustomised {
        throw UserError(
            "the demo-sensor options (--scenario, --channels, --noise-g, …) only apply with `--sensor demo`",
            exitCode: ExitCode(64))
    }
    let connection = try openUSBSensor(serial: options.sensor)
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
    []
}

/// Opens a USB sensor by serial, or the only one present.
func openUSBSensor(serial: String?) throws -> any SensorConnection {
    if let serial {
        throw UserError.unavailable(
            "no sensor with serial \(serial) found. Check `lighttouch devices`, or try `--sensor demo`.")
    }
    throw UserError.unavailable("No sensor found. Plug one in, or try the demo sensor: add `--sensor demo`.")
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
