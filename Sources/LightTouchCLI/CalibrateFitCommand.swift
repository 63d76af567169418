import ArgumentParser
import Foundation
import LightTouchCalibration
import LightTouchCore

struct CalibrateFitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a calibration equation to points in a CSV file.",
        discussion: """
            POINTS is a CSV with the header `load_g,reading` (repeated loads allowed); a run's points \
            (`calibrate run --points-out`) add `series,direction,sd_counts`, and then every metric of the run \
            is computed again. The coefficients are in powers of the load in the file's own units. The fit is \
            least squares by Householder QR on centred and scaled loads, never the normal equations.
            """)

    @Argument(help: ArgumentHelp("The points (CSV).", valueName: "points.csv"))
    var points: String

    @Option(help: "Degree of the calibration equation: 1, 2 or 3.")
    var degree = 2

    @Flag(help: "Print one JSON object: degree, n, coefficients, residual_sd, r_squared, max_abs_residual, … and the metrics.")
    var json = false

    @Option(help: ArgumentHelp("Write the residual plot (SVG) here.", valueName: "file"))
    var svg: String?

    func validate() throws {
        guard (1...3).contains(degree) else { throw ValidationError("--degree must be 1, 2 or 3 (got \(degree))") }
    }

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: points, encoding: .utf8)
        } catch {
            throw UserError("cannot read \(points) (\(FileErrors.describe(error)))", exitCode: ExitCode(66))
        }
        let samples: [CalibrationSample]
        do {
            samples = try CalibrationPointsCSV.parse(text, source: points)
        } catch {
            throw UserError.data(error.description)
        }
        let analysis: CalibrationAnalysis
        do {
            analysis = try CalibrationAnalysis(samples: samples, degree: degree)
        } catch {
            throw UserError.data("\(points): \(error)")
        }
        if let svg {
            do {
                try AtomicFile.write(Array(ResidualPlot.svg(analysis, serial: points).utf8), to: svg)
            } catch {
                throw UserError("cannot write \(svg): \(error)", exitCode: ExitCode(73))
            }
        }
        if json {
            guard case .object(var members) = analysis.fitJSON else { return }
            members.append(("metrics", analysis.metricsJSON()))
            print(JSONValue.object(members).serialized())
        } else {
            print(CalibrationReport.text(analysis, serial: nil, calibratedAt: nil, expiresAt: nil, massSet: nil))
        }
    }
}
