import ArgumentParser
import Foundation
import LightTouchCore
import LightTouchFirmwareLoop
import LightTouchSensorModel

/// `lighttouch-emulator --firmware FILE.elf`: the sensor is a firmware running
/// on simavr's ATmega32U4 with a simulated HX711, behind the same emulated USB
/// bus as the built-in device.
extension LightTouchEmulatorCommand {
    /// The load cell the HX711 sees unless --offset / --counts-per-gram say
    /// otherwise: a 100 g bar cell of 1 mV/V at gain 128 (21474.8 counts per
    /// gram, see the firmware's config.h), with a zero balance of 8000 counts.
    static let firmwareLoadCell = (offset: 8_000.0, countsPerGram: 21_474.8)

    func validateFirmwareOptions() throws {
        guard firmware != nil else {
            if eeprom != nil { throw ValidationError("--eeprom needs --firmware") }
            return
        }
        if model.channels != 1 { throw ValidationError("--channels: the HX711 firmware has one channel") }
        if rate != 1000 {
            throw ValidationError("--rate does not apply with --firmware: the firmware starts at its own rate (set it with `lighttouch stream --rate`)")
        }
        if stallAt != nil { throw ValidationError("--stall-at does not apply with --firmware") }
        if protocolVersion != nil { throw ValidationError("--protocol-version does not apply with --firmware") }
        if !(adcRateError.isFinite && abs(adcRateError) < 0.1) {
            throw ValidationError("--adc-rate-error must be a small fraction, |e| < 0.1 (got \(adcRateError))")
        }
    }

    /// Runs COMMAND with the firmware's sensor plugged in; the status to exit with.
    func runFirmware(_ firmware: String) throws -> Int32 {
        guard FileManager.default.isReadableFile(atPath: firmware) else {
            throw EmulatorError("cannot read the firmware \(firmware)", exitCode: ExitCode(66))
        }
        var image: [UInt8]?
        if let eeprom, FileManager.default.fileExists(atPath: eeprom) {
            guard let data = FileManager.default.contents(atPath: eeprom) else {
                throw EmulatorError("cannot read the EEPROM image \(eeprom)", exitCode: ExitCode(66))
            }
            guard data.count == 1024 else {
                throw EmulatorError(
                    "the EEPROM image \(eeprom) has \(data.count) bytes; the atmega32u4's EEPROM has 1024", exitCode: ExitCode(65))
            }
            image = [UInt8](data)
        }
        let stored = try storedCalibration.map(Self.readBlob)
        let configuration = try firmwareModelConfiguration()

        let sensor: FirmwareSensor
        do {
            sensor = try FirmwareSensor(
                firmware: firmware, configuration: configuration, faults: model.faultInjector, eeprom: image,
                serialIfUnset: serial, storedCalibration: stored, deviceNodeMode: UInt32(deviceMode, radix: 8) ?? 0o666,
                adcRateError: adcRateError)
            try sensor.plug()
        } catch let error as FirmwareSensor.Failure {
            throw EmulatorError(error.description, exitCode: ExitCode(65))
        }

        if !quiet {
            sensor.onRestart = {
                FileHandle.standardError.write(
                    Data("lighttouch-emulator: the firmware reset itself (watchdog); the host sees it unplugged and plugged back in\n".utf8))
            }
        }
        guard let status = supervise(sensor) else { return 127 }
        let result = sensor.report
        if let eeprom {
            do {
                try Data(sensor.eeprom).write(to: URL(fileURLWithPath: eeprom), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("lighttouch-emulator: cannot write the EEPROM image \(eeprom): \(error)\n".utf8))
            }
        }
        if !quiet {
            FileHandle.standardError.write(
                Data(
                    ("lighttouch-emulator: \(sensor.serial) (firmware): \(result.framesTransmitted) frames sent, "
                        + "\(result.dropped) dropped and \(result.corrupted) corrupted on the wire, \(result.deviceFIFODropped) lost "
                        + "in the device FIFO, \(result.unplugs) unplugs; HX711 \(result.reads) of \(result.conversions) "
                        + "conversions read\n").utf8))
        }
        if let report {
            do {
                try Data((firmwareJSON(result, serial: sensor.serial).serialized() + "\n").utf8)
                    .write(to: URL(fileURLWithPath: report))
            } catch {
                FileHandle.standardError.write(Data("lighttouch-emulator: cannot write the report to \(report): \(error)\n".utf8))
            }
        }
        return status
    }

    private func firmwareModelConfiguration() throws -> SensorModelConfiguration {
        let useCellDefaults = model.offset == 120_000 && model.countsPerGram == 4_000
        do {
            return try model.configuration(rate: 80) { configuration in
                configuration.serial = serial
                if useCellDefaults {
                    configuration.offsetCounts = Self.firmwareLoadCell.offset
                    configuration.countsPerGram = Self.firmwareLoadCell.countsPerGram
                }
            }
        } catch {
            switch error {
            case .forceScript(let message): throw EmulatorError(message, exitCode: ExitCode(65))
            case .setting(let message): throw EmulatorError(message, exitCode: ExitCode(64))
            }
        }
    }

    private func firmwareJSON(_ report: FirmwareSensor.Report, serial: String) -> JSONValue {
        func ms(_ value: Double) -> JSONValue { .double((value * 1000).rounded() / 1000) }
        return .object([
            ("serial", .string(serial)), ("firmware", .string(firmware ?? "")), ("channels", .int(1)),
            ("frames_transmitted", .int(report.framesTransmitted)), ("dropped", .int(report.dropped)),
            ("corrupted", .int(report.corrupted)), ("packets_delivered", .int(report.packetsDelivered)),
            ("device_fifo_dropped", .int(report.deviceFIFODropped)), ("control_requests", .int(report.controlRequests)),
            ("control_stalls", .int(report.controlStalls)), ("plugs", .int(report.plugs)), ("unplugs", .int(report.unplugs)),
            ("chip_resets", .int(report.chipResets)), ("led_toggles", .int(report.ledToggles)),
            ("adc_rate_hz", .double((report.adcRateHz * 1000).rounded() / 1000)),
            ("adc_conversions", .int(report.conversions)), ("adc_reads", .int(report.reads)),
            ("adc_missed_conversions", .int(report.missedConversions)), ("adc_pulses_not_ready", .int(report.pulsesNotReady)),
            ("adc_long_pulses", .int(report.longPulses)), ("adc_power_downs", .int(report.powerDowns)),
            ("adc_gain_changes", .int(report.gainChanges)), ("adc_saturated", .int(report.saturatedConversions)),
            ("latency_frames", .int(report.latencyFrames)), ("latency_unmatched", .int(report.latencyUnmatched)),
            ("latency_max_ms", ms(report.latencyMaxMilliseconds)), ("latency_mean_ms", ms(report.latencyMeanMilliseconds)),
            ("latency_p99_ms", ms(report.latencyP99Milliseconds)),
        ])
    }
}
