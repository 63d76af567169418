import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import LightTouchReport

@Suite struct SVGReportTests {
    static func document() -> ReportDocument {
        // 10 s at 100 Hz: a rise to 5 g, a hold with one excursion, a release.
        let points = (0..<1000).map { i -> ReportDocument.Point in
            let t = Double(i) / 100
            let force = t < 1 ? 5 * t : t < 8 ? (t > 4 && t < 4.5 ? 6.6 : 5.1) : 0.2
            return ReportDocument.Point(time: t, force: force, inBand: force >= 4 && force <= 6)
        }
        let hold = ReportDocument.longestRun(points, from: 0.5, to: 8.5)
        return ReportDocument(
            title: "Session 7: practice — <ada & bob>", subtitle: "2026-11-23", points: points,
            band: .init(start: 0, end: 10, low: 4, high: 6), trialBands: [],
            trials: [.init(number: 1, start: 0.5, end: 8.5, score: 71.25, hold: hold)],
            markers: [.init(time: 0.3, label: "tare", kind: .tare), .init(time: 9, label: "unplugged", kind: .connection)],
            table: [["trial", "score"], ["1", "71.3"]], notes: ["PASS: score 71.3, grade B"])
    }

    @Test func theLongestInBandRunIsWhereTheHoldWas() throws {
        let hold = try #require(Self.document().trials.first?.hold)
        #expect(abs(hold.start - 4.5) < 1e-9)
        #expect(abs(hold.end - 8) < 1e-9)
    }

    @Test func theSVGIsWellFormedAndShowsEachPart() throws {
        let svg = SVGReport.svg(Self.document())
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains("Session 7: practice — &lt;ada &amp; bob&gt;"))
        #expect(svg.contains("trial 1: 71.3"))
        #expect(svg.contains("hold 3.5 s"))
        #expect(svg.contains(">tare<") && svg.contains(">unplugged<"))
        #expect(svg.contains("PASS: score 71.3, grade B"))
        // The trace is drawn as an envelope of at most four points per pixel column, not 1000 points.
        let polylines = svg.components(separatedBy: "<polyline").count - 1
        #expect(polylines >= 2, "the trace and the in-band stretches")
        let html = SVGReport.html(Self.document())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg "))
    }

    /// Two hands: each hand is drawn in its own colour, and the scale fits the
    /// heavier hand even where the pair's mean stays low.
    @Test func twoHandsDrawEachHandOnAScaleThatFitsIt() throws {
        var document = Self.document()
        // The right hand presses up to 12 g while the mean never passes 6.6 g.
        document.hands = ReportDocument.Hands(
            left: document.points.map { .init(time: $0.time, force: max(0, 2 * $0.force - 12 * $0.time / 10), inBand: false) },
            right: document.points.map { .init(time: $0.time, force: 12 * $0.time / 10, inBand: false) })
        let svg = SVGReport.svg(document)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse())
        for colour in [SVGReport.leftHandColour, SVGReport.rightHandColour] {
            let marker = "stroke=\"\(colour)\" stroke-width=\"1\" stroke-linejoin=\"round\" points=\""
            let after = try #require(svg.range(of: marker).map { svg[$0.upperBound...] }, "\(colour)'s trace")
            let pairs = after.prefix { $0 != "\"" }.split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
            #expect(pairs.count > 10)
            // Every point inside the plot (top 90, bottom 90 + 360), none cut off above it.
            #expect(pairs.allSatisfy { $0.count == 2 && $0[1] >= SVGReport.plot.top && $0[1] <= SVGReport.plot.top + SVGReport.plot.height })
        }
        #expect(svg.contains(">left hand<") && svg.contains(">right hand<"))
        #expect(!SVGReport.svg(Self.document()).contains(">left hand<"), "one hand has no hands' legend")
    }

    @Test func axisTicksAreRoundNumbers() {
        #expect(SVGReport.ticks(0, 10, count: 5) == [0, 2, 4, 6, 8, 10])
        #expect(SVGReport.ticks(0, 42.2, count: 10) == [0, 5, 10, 15, 20, 25, 30, 35, 40])
        #expect(SVGReport.niceCeiling(9.1) == 10)
    }

    /// Numbers on the drawing never trap, whatever they are.
    @Test func numbersAreTotal() {
        #expect(SVGReport.fmt(.infinity) == "0")
        #expect(SVGReport.fmt(.nan) == "0")
        #expect(SVGReport.fmt(1e300) == "1e+300")
        #expect(SVGReport.fmt(-2.5) == "-2.5")
        #expect(SVGReport.fmt(12) == "12")
        #expect(SVGReport.fmt1(.nan) == "—")
        #expect(SVGReport.fmt1(71.25) == "71.3")
        #expect(SVGReport.fmt1(1e20) == "1e+20")
    }
}
