import LightTouchCore
import LightTouchReport

/// The residuals of a calibration as an SVG picture, drawn by the report's
/// own residual panel (`SVGReport.residualsSVG`): residual (grams) against
/// load, one dot per reading (increasing filled, decreasing hollow, zero
/// grey), with the ±LLF band of ASTM E74 and the target load marked.
public enum ResidualPlot {
    public static func svg(_ analysis: CalibrationAnalysis, serial: String, target: Double = 5) -> String {
        let readings = zip(analysis.samples, analysis.residualsGrams).enumerated().map { index, pair in
            let (sample, residual) = pair
            let direction: CalibrationReportDocument.Reading.Direction
            switch sample.direction {
            case .decreasing: direction = .decreasing
            case .zero: direction = .zero
            default: direction = .increasing
            }
            return CalibrationReportDocument.Reading(
                step: index + 1, series: sample.series ?? 1, direction: direction, start: sample.start ?? 0, end: sample.end ?? 0,
                load: sample.load, counts: sample.reading, countsSD: sample.sd ?? 0, residual: residual)
        }
        return SVGReport.residualsSVG(
            title: "Calibration residuals, \(serial) (degree \(analysis.fit.degree))",
            caption: "fit SD \(analysis.fitSDGrams.fixed(5)) g, LLF \(analysis.lowerLimitFactor.fixed(5)) g (band), "
                + "lowest honest force \(analysis.lowestForceGrams.fixed(3)) g",
            readings: readings, band: analysis.lowerLimitFactor, target: target)
    }
}
