import Foundation
import ArgumentParser
import LightTouchDemoSensor
import LightTouchCore
import LightTouchSensorModel

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the sensors LightTouch can use, the demo sensor included.")

    @Flag(help: "Print JSON: an array with one object per sensor.")
    var json = false

    func run() throws {
        var listings: [SensorListing] = try listUSBSensors()
        let demo = try SimulatedSensor(configuration: SensorModelConfiguration()).info
        listings.append(
            SensorListing(
                serial: "demo", transport: "built-in demo sensor (\(demo.serial))", firmware: demo.firmwareVersion,
                protocolVersion: demo.protocolVersion, channels: demo.channels, rate: demo.sampleRate,
                adcModel: demo.adcModel))
        if json {
            let array = JSONValue.array(listings.map { listing in
                .object([
                    ("serial", .string(listing.serial)), ("transport", .string(listing.transport)),
                    ("firmware", .string(listing.firmware)), ("protocol", .string(listing.protocolVersion)),
                    ("channels", .int(listing.channels)), ("sample_rate_hz", .int(listing.rate)),
                    ("adc_model", .string(listing.adcModel)),
                ])
            })
            print(array.serialized())
            return
        }
        let rows = [["SERIAL", "CHANNELS", "RATE", "FIRMWARE", "PROTOCOL", "ADC", "CONNECTION"]]
            + listings.map {
                [$0.serial, "\($0.channels)", "\($0.rate) Hz", $0.firmware, $0.protocolVersion, $0.adcModel, $0.transport]
            }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces())
        }
        if listings.count == 1 {
            print("\nNo USB sensor found; `--sensor demo` uses the built-in demo sensor.")
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
