import ArgumentParser
import Foundation
import LightTouchCalibration
import LightTouchCore

struct CalibrateShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the calibration in use (or a certificate file's report).",
        discussion: """
            Without CERTIFICATE it opens the sensor and shows the calibration it would use: --calibration FILE \
            when given, else the one stored in the sensor, else none (uncalibrated). With CERTIFICATE it prints \
            that certificate's report, no sensor needed.
            """)

    @Argument(help: ArgumentHelp("A certificate file to show (no sensor needed).", valueName: "certificate.json"))
    var certificate: String?

    @OptionGroup var sensorOptions: SensorOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup(title: "Demo sensor") var demo: DemoSensorOptions

    func run() throws {
        if let certificate {
            let file: CertificateFile
            do {
                file = try CertificateFile.read(path: certificate)
            } catch {
                throw UserError(error.description, exitCode: ExitCode(error.unreadable ? 66 : 65))
            }
            let analysis = try reanalyse(file)
            if json {
                print(file.certificate.json(analysis: analysis).serialized())
            } else {
                let c = file.certificate
                print(CalibrationReport.text(
                    analysis, serial: c.serial, calibratedAt: c.calibratedAt, expiresAt: c.expiresAt,
                    massSet: "\(c.massSet) (class \(c.massClass))"))
                print("certificate id \(file.id.hexString)\(c.isExpired(at: unixNow()) ? "; EXPIRED" : "")")
            }
            return
        }
        let connection = try openSensor(sensorOptions, demo: demo)
        defer { connection.close() }
        let inUse = try chooseCalibration(connection, files: sensorOptions.calibrations)
        for warning in inUse.warnings { printError(warning) }
        let info = connection.info
        let coefficients = inUse.conversion.channels.first?.coefficients ?? []
        if json {
            print(JSONValue.object([
                ("serial", .string(info.serial)),
                ("calibrated", .bool(inUse.conversion.isCalibrated)),
                ("source", .string(inUse.source)),
                ("coefficients", .array(coefficients.map { .double($0) })),
                ("degree", .number(inUse.blob.map { Double($0.degree) })),
                ("calibrated_at", inUse.blob.map { .string(CivilTime.iso8601($0.calibratedAt)) } ?? .null),
                ("expires_at", inUse.blob.map { .string(CivilTime.iso8601($0.expiresAt)) } ?? .null),
                ("expired", .bool(inUse.isExpired)),
                ("certificate_id", inUse.blob.map { .string($0.certificateID.hexString) } ?? .null),
            ] + (inUse.conversion.channels.count > 1 && inUse.conversion.isCalibrated
                ? [("channels", .array(inUse.conversion.channels.map { .array($0.coefficients.map { .double($0) }) }))] : [])
            ).serialized())
            return
        }
        print("sensor \(info.serial): \(inUse.label) (\(inUse.source == "none" ? "nominal sensitivity from the device info" : inUse.source))")
        if let blob = inUse.blob {
            if inUse.conversion.channels.count > 1 {
                for (channel, polynomial) in inUse.conversion.channels.enumerated() {
                    print("channel \(channel): coefficients c0…c3 = \(polynomial.coefficients.map { "\($0)" }.joined(separator: ", "))")
                }
                print("degree \(blob.degree) at most")
            } else {
                print("degree \(blob.degree), coefficients c0…c3 = \(coefficients.map { "\($0)" }.joined(separator: ", "))")
            }
            print("calibrated \(CivilTime.iso8601(blob.calibratedAt)), valid until \(CivilTime.iso8601(blob.expiresAt))\(inUse.isExpired ? " (EXPIRED)" : "")")
            print("certificate id \(blob.certificateID.hexString)")
        } else {
            print("nominal line: \(info.nominalOffset) counts at zero, \(info.nominalCountsPerGram) counts per gram")
        }
    }
}

/// The analysis of a certificate's own points.
func reanalyse(_ file: CertificateFile) throws -> CalibrationAnalysis {
    do {
        return try CalibrationAnalysis(samples: file.certificate.points, degree: file.certificate.degree)
    } catch {
        throw UserError.data("\(file.source): \(error)")
    }
}
