
/// The certificate as a person reads it.
public enum CalibrationReport {
    public static func text(
        _ analysis: CalibrationAnalysis, serial: String?, calibratedAt: Int64?, expiresAt: Int64?, massSet: String?,
        target: Double = 5
    ) -> String {
        var lines: [String] = []
        if let serial { lines.append("Calibration of sensor \(serial)") }
        if let calibratedAt, let expiresAt {
            lines.append("calibrated \(CivilTime.iso8601(calibratedAt)), valid until \(CivilTime.iso8601(expiresAt))")
        }
        if let massSet { lines.append("masses: \(massSet)") }
        let c = analysis.fit.coefficients
        let terms = c.enumerated().map { index, value in
            index == 0 ? "\(value)" : "\(value >= 0 ? "+ " : "- ")\(abs(value))·m\(index > 1 ? ["", "", "²", "³"][index] : "")"
        }
        lines.append("equation: reading = \(terms.joined(separator: " ")) (counts, m in g)")
        lines.append(
            "fit: \(analysis.fit.count) points, degree \(analysis.fit.degree), residual SD \(analysis.fit.residualSD.fixed(3)) counts "
                + "(\(analysis.fitSDGrams.fixed(5)) g), R² \(analysis.fit.rSquared.fixed(9))")
        lines.append("")
        lines.append("  load g   n   mean resid g   max |resid| g     b′ %      b %     fc %      ν %")
        func pct(_ value: Double?) -> String { value.map { $0.fixed(4) } ?? "-" }
        for load in analysis.loads {
            let cells = [
                load.load.trimmed.leftPad(8), "\(load.count)".leftPad(3), load.meanResidualGrams.fixed(5).leftPad(14),
                load.maxAbsResidualGrams.fixed(5).leftPad(15), pct(load.repeatabilityPercent).leftPad(8),
                pct(load.reproducibilityPercent).leftPad(8), pct(load.interpolationPercent).leftPad(8),
                pct(load.reversibilityPercent).leftPad(8),
            ]
            lines.append(cells.joined(separator: " "))
        }
        lines.append("")
        lines.append("repeatability b′ \(pct(analysis.worst(\.repeatabilityPercent))) %, reproducibility b \(pct(analysis.worst(\.reproducibilityPercent))) %, "
            + "interpolation fc \(pct(analysis.worst(\.interpolationPercent))) %, zero f₀ \(pct(analysis.zeroErrorPercent)) %, "
            + "reversibility ν \(pct(analysis.worst(\.reversibilityPercent))) % (largest magnitudes)")
        lines.append("LLF (ASTM E74, 2.4 × fit SD) \(analysis.lowerLimitFactor.fixed(5)) g; lowest honest force \(analysis.lowestForceGrams.fixed(3)) g")
        let noise = analysis.noiseAtRestGrams.map { "\($0.fixed(4)) g" } ?? "not measured"
        lines.append("resolution: noise at rest \(noise), one count \(analysis.countInGrams.fixed(6)) g")
        lines.append(analysis.verdict(target: target))
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
