#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import LightTouchCore

/// The sound mapping drawn as an SVG: pitch against force for one band, the
/// line as thick as the tone is loud, the noise above the band as a shaded
/// ribbon, rest silent. docs/sound-mapping.svg is this drawing for the default
/// 5 g ± 1 g band (a test keeps the file and the code in step). Pure.
public enum SoundMappingPlot {
    static let width = 760.0, height = 440.0
    static let left = 72.0, right = 24.0, top = 78.0, bottom = 64.0

    /// The drawing for `options`' band, force from 0 to `maxForce` grams.
    public static func svg(mapping: SoundMapping = SoundMapping(), options: TrialOptions = TrialOptions(), maxForce: Double = 10) -> String {
        let lowHz = mapping.referenceHz * exp2(-(mapping.rangeTolerances * mapping.semitonesPerTolerance + 1.5) / 12)
        let highHz = mapping.referenceHz * exp2((mapping.rangeTolerances * mapping.semitonesPerTolerance + 1.5) / 12)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ force: Double) -> Double { left + force / maxForce * plotWidth }
        func y(_ hz: Double) -> Double { top + (1 - log2(hz / lowHz) / log2(highHz / lowHz)) * plotHeight }
        func n(_ value: Double) -> String { ((value * 10).rounded() / 10).fixed(1) }

        var out: [String] = []
        out.append(
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(n(width))" height="\##(n(height))" viewBox="0 0 \##(n(width)) \##(n(height))" font-family="sans-serif" font-size="12">"##
        )
        out.append(##"<rect width="100%" height="100%" fill="#ffffff"/>"##)
        let title = "Feedback sound: pitch against force, band \(options.target.fixed(1)) g ± \(options.tolerance.fixed(1)) g"
        out.append(##"<text x="\##(n(left))" y="22" font-size="15" font-weight="bold">\##(title)</text>"##)
        let formula =
            "f = \(mapping.referenceHz.fixed(0)) Hz · 2^(\(mapping.semitonesPerTolerance.fixed(0)) · clamp((F − T)/w, −\(mapping.rangeTolerances.fixed(0)), \(mapping.rangeTolerances.fixed(0))) / 12); line width: loudness; shaded: noise"
        out.append(##"<text x="\##(n(left))" y="40" fill="#444444">\##(formula)</text>"##)

        // Regions: rest (silent), the band.
        out.append(
            ##"<rect x="\##(n(x(0)))" y="\##(n(top))" width="\##(n(x(options.contact) - x(0)))" height="\##(n(plotHeight))" fill="#eeeeee"/>"##)
        out.append(
            ##"<rect x="\##(n(x(options.bandLow)))" y="\##(n(top))" width="\##(n(x(options.bandHigh) - x(options.bandLow)))" height="\##(n(plotHeight))" fill="#dff3df"/>"##
        )
        // Grid: a line per tolerance of pitch (every s semitones), labelled in hertz.
        let steps = Int(mapping.rangeTolerances)
        for k in -steps...steps {
            let hz = mapping.referenceHz * exp2(Double(k) * mapping.semitonesPerTolerance / 12)
            let stroke = k == 0 ? ##"stroke="#888888""## : ##"stroke="#dddddd""##
            out.append(##"<line x1="\##(n(left))" y1="\##(n(y(hz)))" x2="\##(n(left + plotWidth))" y2="\##(n(y(hz)))" \##(stroke)/>"##)
            out.append(##"<text x="\##(n(left - 6))" y="\##(n(y(hz) + 4))" text-anchor="end">\##(n(hz))</text>"##)
        }
        for grams in 0...Int(maxForce) {
            let gx = x(Double(grams))
            out.append(##"<line x1="\##(n(gx))" y1="\##(n(top + plotHeight))" x2="\##(n(gx))" y2="\##(n(top + plotHeight + 5))" stroke="#000000"/>"##)
            out.append(##"<text x="\##(n(gx))" y="\##(n(top + plotHeight + 19))" text-anchor="middle">\##(grams)</text>"##)
        }
        out.append(
            ##"<rect x="\##(n(left))" y="\##(n(top))" width="\##(n(plotWidth))" height="\##(n(plotHeight))" fill="none" stroke="#000000"/>"##)
        out.append(##"<text x="\##(n(left + plotWidth / 2))" y="\##(n(height - 18))" text-anchor="middle">force F (g)</text>"##)
        out.append(
            ##"<text transform="translate(18 \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">pitch f (Hz, log scale)</text>"##)

        // The noise above the band: a ribbon around the line, as wide as the noise is loud.
        let step = maxForce / 400
        var upper: [String] = [], lower: [String] = []
        var force = options.bandHigh
        while force <= maxForce + 1e-9 {
            let voice = mapping.voice(force: force, options: options)
            let spread = voice.noise * 60
            upper.append("\(n(x(force))),\(n(y(voice.frequency) - spread))")
            lower.append("\(n(x(force))),\(n(y(voice.frequency) + spread))")
            force += step
        }
        out.append(##"<polygon points="\##((upper + lower.reversed()).joined(separator: " "))" fill="#e8a0a0" fill-opacity="0.5"/>"##)

        // The line, in short pieces as thick as the tone is loud; none below contact (silent).
        force = options.contact
        while force < maxForce - 1e-9 {
            let next = min(maxForce, force + step)
            let voice = mapping.voice(force: (force + next) / 2, options: options)
            let a = mapping.frequency(force: force, options: options), b = mapping.frequency(force: next, options: options)
            let colour = force + 1e-9 < options.bandLow ? "#3060c0" : (force + 1e-9 < options.bandHigh ? "#208020" : "#c03030")
            out.append(
                ##"<line x1="\##(n(x(force)))" y1="\##(n(y(a)))" x2="\##(n(x(next)))" y2="\##(n(y(b)))" stroke="\##(colour)" stroke-width="\##(n(1 + voice.tone * 8))" stroke-linecap="round"/>"##
            )
            force = next
        }

        // Labels.
        let labelY = top - 8
        out.append(
            ##"<text transform="translate(\##(n(x(options.contact / 2) + 4)) \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle" fill="#666666">rest: silent</text>"##
        )
        out.append(##"<text x="\##(n((x(options.contact) + x(options.bandLow)) / 2))" y="\##(n(labelY))" text-anchor="middle" fill="#3060c0">below: softer (×\##(mapping.belowFactor.fixed(1)))</text>"##)
        out.append(##"<text x="\##(n(x(options.target)))" y="\##(n(labelY))" text-anchor="middle" fill="#208020">in band: clean</text>"##)
        out.append(##"<text x="\##(n((x(options.bandHigh) + x(maxForce)) / 2))" y="\##(n(labelY))" text-anchor="middle" fill="#c03030">above: rough (\##(mapping.roughnessHz.fixed(0)) Hz) and noisy</text>"##)
        let cue = "hold goal met: a \(Int((mapping.cueSeconds * 1000).rounded())) ms cue at \(mapping.cueHz.fixed(0)) Hz (above this scale)"
        out.append(##"<text x="\##(n(left + plotWidth - 8))" y="\##(n(top + plotHeight - 10))" text-anchor="end" fill="#444444">\##(cue)</text>"##)
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
