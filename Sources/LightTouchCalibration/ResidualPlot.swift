import Foundation
import LightTouchCore

/// The residuals of a calibration as an SVG picture: residual (grams) against
/// load, one dot per reading (increasing filled, decreasing hollow, zero
/// grey), with the ±LLF band of ASTM E74 and the target load marked.
public enum ResidualPlot {
    public static func svg(_ analysis: CalibrationAnalysis, serial: String, target: Double = 5) -> String {
        let width = 720.0, height = 420.0
        let left = 80.0, right = 30.0, top = 50.0, bottom = 60.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxLoad = max(analysis.largestLoad, target) * 1.05
        let extent = max(analysis.residualsGrams.map(abs).max() ?? 0, analysis.lowerLimitFactor, 1e-6) * 1.3
        func x(_ load: Double) -> Double { left + load / maxLoad * plotWidth }
        func y(_ residual: Double) -> Double { top + (extent - residual) / (2 * extent) * plotHeight }
        func f(_ v: Double) -> String { v.fixed(1) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="24" font-size="15">Calibration residuals, \(escape(serial)) (degree \(analysis.fit.degree))</text>
            <text x="\(f(left))" y="40" fill="#555">fit SD \(analysis.fitSDGrams.fixed(5)) g, LLF \(analysis.lowerLimitFactor.fixed(5)) g (band), lowest honest force \(analysis.lowestForceGrams.fixed(3)) g</text>
            <rect x="\(f(left))" y="\(f(y(analysis.lowerLimitFactor)))" width="\(f(plotWidth))" height="\(f(y(-analysis.lowerLimitFactor) - y(analysis.lowerLimitFactor)))" fill="#dde8f6"/>
            <line x1="\(f(left))" y1="\(f(y(0)))" x2="\(f(left + plotWidth))" y2="\(f(y(0)))" stroke="#444"/>
            <line x1="\(f(x(target)))" y1="\(f(top))" x2="\(f(x(target)))" y2="\(f(top + plotHeight))" stroke="#c33" stroke-dasharray="4 3"/>
            <text x="\(f(x(target) + 4))" y="\(f(top + 12))" fill="#c33">\(target.trimmed) g</text>
            <rect x="\(f(left))" y="\(f(top))" width="\(f(plotWidth))" height="\(f(plotHeight))" fill="none" stroke="#888"/>

            """
        // Load ticks at a round step (1, 2 or 5 × 10ⁿ); residual ticks at the band's edges and 0.
        let rough = maxLoad / 5
        let magnitude = pow10(floor(log10(max(rough, 1e-9))))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
        var load = 0.0
        while load <= maxLoad + 1e-9 {
            svg += "<text x=\"\(f(x(load)))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(load.trimmed)</text>\n"
            load += step
        }
        for residual in [extent, analysis.lowerLimitFactor, 0, -analysis.lowerLimitFactor, -extent] {
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(residual) + 4))\" text-anchor=\"end\">\(residual.fixed(4))</text>\n"
        }
        let legendY = height - 16
        svg += "<circle cx=\"\(f(left + 4))\" cy=\"\(f(legendY - 4))\" r=\"4\" fill=\"#1f5fa8\"/><text x=\"\(f(left + 12))\" y=\"\(f(legendY))\">increasing</text>\n"
        svg += "<circle cx=\"\(f(left + 94))\" cy=\"\(f(legendY - 4))\" r=\"4\" fill=\"white\" stroke=\"#1f5fa8\" stroke-width=\"1.5\"/><text x=\"\(f(left + 102))\" y=\"\(f(legendY))\">decreasing</text>\n"
        svg += "<circle cx=\"\(f(left + 188))\" cy=\"\(f(legendY - 4))\" r=\"4\" fill=\"#999\"/><text x=\"\(f(left + 196))\" y=\"\(f(legendY))\">zero</text>\n"
        svg += "<text x=\"\(f(left + plotWidth - 4))\" y=\"\(f(height - 16))\" text-anchor=\"end\">applied load (g)</text>\n"
        svg += "<text x=\"18\" y=\"\(f(top + plotHeight / 2))\" transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\" text-anchor=\"middle\">residual (g)</text>\n"
        for (sample, residual) in zip(analysis.samples, analysis.residualsGrams) {
            let style: String
            switch sample.direction {
            case .decreasing: style = "fill=\"white\" stroke=\"#1f5fa8\" stroke-width=\"1.5\""
            case .zero: style = "fill=\"#999\""
            default: style = "fill=\"#1f5fa8\""
            }
            svg += "<circle cx=\"\(f(x(sample.load)))\" cy=\"\(f(y(residual)))\" r=\"4\" \(style)/>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    static func pow10(_ exponent: Double) -> Double { Foundation.pow(10, exponent) }

    static func escape(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
