import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import LightTouchReport

@Suite struct CalibrationReportSVGTests {
    typealias Reading = CalibrationReportDocument.Reading

    /// A linear sensor, counts = 120000 + 4000·g, read at 0, 5, 10 and 20 g up and
    /// down in two series; each reading's counts carry a made-up residual, so the
    /// equation (counts − 120000) / 4000 gives back load + residual exactly.
    static let steps: [(series: Int, direction: Reading.Direction, load: Double, residual: Double)] = [
        (1, .zero, 0, 0.0004), (1, .increasing, 5, -0.0012), (1, .increasing, 10, 0.0020), (1, .increasing, 20, -0.0008),
        (1, .decreasing, 10, 0.0016), (1, .decreasing, 5, -0.0024), (1, .zero, 0, 0.0006),
        (2, .increasing, 5, -0.0010), (2, .increasing, 10, 0.0012), (2, .increasing, 20, -0.0004),
        (2, .decreasing, 10, 0.0014), (2, .decreasing, 5, -0.0018), (2, .zero, 0, 0.0002),
    ]

    /// 4 s plateaus joined by 0.5 s moves, sampled at 100 Hz; each reading averages
    /// the third second of its plateau.
    static func document(title: String = "Calibration of LT-0042 — <bench & co>") -> CalibrationReportDocument {
        var signal: [CalibrationReportDocument.SignalPoint] = []
        var readings: [Reading] = []
        var previous = 0.0
        for (index, step) in steps.enumerated() {
            let start = Double(index) * 4.5
            for i in 0..<450 {
                let t = Double(i) / 100
                let grams = t < 0.5 ? previous + (step.load - previous) * t / 0.5 : step.load + 0.02 * sin(t * 7)
                signal.append(.init(time: start + t, grams: grams))
            }
            readings.append(
                Reading(
                    step: index + 1, series: step.series, direction: step.direction, start: start + 2.5, end: start + 3.5,
                    load: step.load, counts: 120000 + 4000 * (step.load + step.residual), countsSD: 80, residual: step.residual))
            previous = step.load
        }
        var table = [["step", "series", "load g", "counts", "residual g"]]
        table += readings.map { ["\($0.step)", "\($0.series)", SVGReport.fmt($0.load), SVGReport.fmt($0.counts), "\($0.residual)"] }
        return CalibrationReportDocument(
            title: title, subtitle: "2026-11-23 · sensor LT-0042 · 2 series · degree 1", signal: signal, readings: readings,
            equation: { ($0 - 120000) / 4000 }, equationText: "m = (c − 120000) / 4000", residualBand: 0.003, target: 5,
            table: table, notes: ["fit SD 0.0013 g, LLF 0.003 g", "PASS: 5 g is inside the honest range"])
    }

    static func parses(_ svg: String) -> Bool {
        XMLParser(data: Data(svg.utf8)).parse()
    }

    /// A non-finite number written out by Swift ("nan", "inf", "-inf", "infinity").
    static func hasNonFinite(_ svg: String) -> Bool {
        svg.range(of: #"(?i)\b(nan|inf|infinity)\b"#, options: .regularExpression) != nil
    }

    @Test func theSVGIsWellFormedAndShowsEachPart() throws {
        let svg = SVGReport.svg(Self.document())
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains(">Calibration of LT-0042 — &lt;bench &amp; co&gt;</text>"))
        #expect(!svg.contains("<bench"))
        // A label per reading over its window in the run, in order.
        let labels = svg.matches(of: /font-size="11" text-anchor="middle" fill="#[0-9a-f]{6}" font-weight="bold">([^<]*)<\/text>/).map { String($0.1) }
        #expect(labels == ["0", "5 g ↑", "10 g ↑", "20 g ↑", "10 g ↓", "5 g ↓", "0", "5 g ↑", "10 g ↑", "20 g ↑", "10 g ↓", "5 g ↓", "0"])
        #expect(svg.contains(">series 1</text>") && svg.contains(">series 2</text>"))
        #expect(svg.contains(">m = (c − 120000) / 4000</text>"))
        #expect(svg.contains("band ±0.003 g"))
        // The target: a dashed red line in the curve and in the residual panel, each labelled.
        #expect(svg.components(separatedBy: "stroke=\"#c0392b\" stroke-width=\"1.2\" stroke-dasharray=\"5,4\"").count - 1 == 2)
        #expect(svg.components(separatedBy: ">target 5 g</text>").count - 1 == 2)
        #expect(svg.contains(">PASS: 5 g is inside the honest range</text>"))
        #expect(!Self.hasNonFinite(svg))
        #expect(Self.hasNonFinite("x=\"nan\"") && Self.hasNonFinite("1,-inf ") && !Self.hasNonFinite("increasing, financial"))
    }

    @Test func theResidualDotsSitWhereTheAxisSaysTheyDo() {
        let svg = SVGReport.svg(Self.document())
        // Residual panel (one caption line): x 640…1070, y 460…740. Loads 0…20 g
        // widened by 5 % each side: −1…21 g, so 10 g is at x 640 + 11/22 · 430 = 855,
        // an increasing reading 3 px left of it: 852. Largest of |residual| and band
        // is 0.003, × 1.25 = 0.00375, rounded up to a multiple of 0.001: extent 0.004 g.
        // Residual +0.002 g: y = 460 + 140 − 0.002 / 0.008 · 280 = 530.
        #expect(svg.contains("<circle cx=\"852\" cy=\"530\" r=\"4\" fill=\"#1f5fa8\"/>"))
        // Decreasing 5 g, −0.0024 g: x = 640 + 6/22 · 430 + 3 = 760.27, y = 600 + 84 = 684.
        #expect(svg.contains("<circle cx=\"760.27\" cy=\"684\" r=\"4\" fill=\"#ffffff\" stroke=\"#1f5fa8\" stroke-width=\"1.5\"/>"))
        // The band ±0.003 g: from y 600 − 105 = 495 to 705.
        #expect(svg.contains("<rect x=\"640\" y=\"495\" width=\"430\" height=\"210\" fill=\"#2e9e4f\""))
        // Ticks on the residual axis every 0.002 g, with three decimals.
        #expect(svg.contains(">-0.004</text>") && svg.contains(">0.002</text>"))
    }

    @Test func theFittedCurveFollowsTheEquation() throws {
        let svg = SVGReport.svg(Self.document())
        // Curve panel: x 90…510 for −1…21 g. The curve's first sample is the lowest
        // reading's counts, so it starts at that reading's load + residual.
        let readings = Self.document().readings
        let low = try #require(readings.min { $0.counts < $1.counts })
        let x = 90 + (low.load + low.residual + 1) / 22 * 420
        let polyline = try #require(svg.components(separatedBy: "stroke=\"#d35400\" stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"").dropFirst().first)
        #expect(polyline.hasPrefix("\(SVGReport.fmt(x)),"))
    }

    @Test func degenerateDocumentsStillDrawFiniteValidPictures() {
        let full = Self.document()
        var empty = full
        empty.signal = []
        empty.readings = []
        empty.table = []
        empty.notes = []
        empty.equationText = ""
        var one = full
        one.readings = [full.readings[1]]
        one.signal = [full.signal[300]]
        var flat = full
        flat.readings = full.readings.map { var r = $0; r.residual = 0; r.counts = 120000 + 4000 * r.load; return r }
        flat.residualBand = 0
        var broken = full
        broken.equation = { _ in .nan }
        broken.residualBand = .infinity
        broken.target = .nan
        broken.signal = full.signal.map { var p = $0; if p.time > 10 && p.time < 11 { p.grams = .infinity }; return p }
        var sameCounts = full
        sameCounts.readings = full.readings.map { var r = $0; r.counts = 120000; r.start = 1; r.end = 1; return r }
        for document in [empty, one, flat, broken, sameCounts] {
            let svg = SVGReport.svg(document)
            #expect(Self.parses(svg))
            #expect(!Self.hasNonFinite(svg), "\(svg)")
            #expect(svg.hasSuffix("</svg>\n"))
        }
        #expect(SVGReport.svg(empty).contains(">no readings</text>"))
        #expect(SVGReport.svg(empty).contains(">no signal recorded</text>"))
        // All residuals zero and no band: the axis still spans ±0.001 g.
        #expect(SVGReport.residualExtent(largest: 0) == 0.001)
    }

    @Test func theHTMLPageInlinesTheSVGAndFetchesNothing() {
        let html = SVGReport.html(Self.document())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>Calibration of LT-0042 — &lt;bench &amp; co&gt;</title>"))
        #expect(html.contains("<svg ") && !html.contains("<?xml"))
        for fetch in ["src=", "href=", "@import", "url(http", "<link", "<script"] {
            #expect(!html.contains(fetch), "\(fetch)")
        }
    }

    @Test func numbersOnTheResidualAxisKeepTheirDecimals() {
        #expect(SVGReport.fixed(0.002, step: 0.002) == "0.002")
        #expect(SVGReport.fixed(-0.0005, step: 0.0005) == "-0.0005")
        #expect(SVGReport.fixed(10, step: 5) == "10")
        #expect(SVGReport.significant(0.0018) == "0.0018")
        #expect(SVGReport.significant(0.05) == "0.05")
        #expect(SVGReport.significant(0) == "0")
    }
}

/// The residual figure `calibrate run` writes is the report's residual panel on its own.
@Suite struct ResidualFigureTests {
    @Test func theStandaloneFigureIsTheReportsPanel() {
        let readings = [
            CalibrationReportDocument.Reading(
                step: 1, series: 1, direction: .zero, start: 0, end: 1, load: 0, counts: 100, countsSD: 1, residual: 0.001),
            CalibrationReportDocument.Reading(
                step: 2, series: 1, direction: .increasing, start: 2, end: 3, load: 10, counts: 200, countsSD: 1, residual: -0.002),
        ]
        let svg = SVGReport.residualsSVG(title: "Residuals <x>", caption: "c", readings: readings, band: 0.003, target: 5)
        let box = SVGReport.Box(left: 100, top: 90, width: 580, height: 280)
        let panel = SVGReport.residualPanel(box, readings: readings, loads: (-0.5, 10.5), band: 0.003, target: 5)
        #expect(svg.contains(panel))
        #expect(svg.contains("Residuals &lt;x&gt;"))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }
}
