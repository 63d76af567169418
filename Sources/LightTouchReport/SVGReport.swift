import Foundation

/// Draws a `ReportDocument` as a standalone SVG 1.1 image (and as an HTML
/// page around it). Pure: a string from a value.
public enum SVGReport {
    static let width = 1100.0
    /// Two hands: the left hand's trace and the right's, apart from the band's greens and the red.
    static let leftHandColour = "#2e6fb7"
    static let rightHandColour = "#8e44ad"
    static let plot = (left: 70.0, top: 90.0, width: 1000.0, height: 360.0)

    public static func svg(_ document: ReportDocument) -> String {
        let rowHeight = 22.0
        let tableTop = plot.top + plot.height + 70
        let height = tableTop + rowHeight * Double(document.table.count + 1) + 20 * Double(document.notes.count) + 30
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" viewBox="0 0 \(fmt(width)) \(fmt(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(fmt(plot.left))" y="34" font-size="22" font-weight="bold" fill="#1a1a1a">\(escape(document.title))</text>
            <text x="\(fmt(plot.left))" y="58" font-size="14" fill="#555555">\(escape(document.subtitle))</text>

            """
        let duration = max(document.points.last?.time ?? 1, document.trials.map(\.end).max() ?? 0, 1)
        // Every trace drawn sets the scale: the pair's, and each hand's.
        let forces = [document.points, document.hands?.left ?? [], document.hands?.right ?? []].map { $0.lazy.map(\.force) }
        let peak = forces.compactMap { $0.max() }.max() ?? 0
        let bandTop = ([document.band] + document.trialBands).map(\.high).max() ?? 6
        let yMax = niceCeiling(max(bandTop * 1.6, peak * 1.08, 1))
        let yMin = min(0, niceFloor(forces.compactMap { $0.min() }.min() ?? 0))
        func x(_ t: Double) -> Double { plot.left + t / duration * plot.width }
        func y(_ g: Double) -> Double { plot.top + (1 - (g - yMin) / (yMax - yMin)) * plot.height }

        // Trials: a light background, the boundaries and the label.
        for trial in document.trials {
            out += rect(x(trial.start), plot.top, x(trial.end) - x(trial.start), plot.height, fill: "#eef2f8")
        }
        // The band: outside the trials, then each trial's own.
        out += rect(plot.left, y(document.band.high), plot.width, y(document.band.low) - y(document.band.high), fill: "#2e9e4f", opacity: 0.14)
        for band in document.trialBands {
            out += rect(x(band.start), y(band.high), x(band.end) - x(band.start), y(band.low) - y(band.high), fill: "#2e9e4f", opacity: 0.22)
        }
        // Grid and axes.
        for tick in ticks(yMin, yMax, count: 6) {
            out += line(plot.left, y(tick), plot.left + plot.width, y(tick), stroke: "#dddddd")
            out += text(plot.left - 8, y(tick) + 4, "\(fmt(tick))", size: 12, anchor: "end", fill: "#555555")
        }
        for tick in ticks(0, duration, count: 10) {
            out += line(x(tick), plot.top + plot.height, x(tick), plot.top + plot.height + 5, stroke: "#555555")
            out += text(x(tick), plot.top + plot.height + 20, "\(fmt(tick))", size: 12, anchor: "middle", fill: "#555555")
        }
        out += text(plot.left + plot.width / 2, plot.top + plot.height + 40, "time, s", size: 13, anchor: "middle", fill: "#333333")
        out += "<text x=\"18\" y=\"\(fmt(plot.top + plot.height / 2))\" font-size=\"13\" fill=\"#333333\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(fmt(plot.top + plot.height / 2)))\">force, g</text>\n"
        out += rect(plot.left, plot.top, plot.width, plot.height, fill: "none", stroke: "#888888")
        for trial in document.trials {
            out += line(x(trial.start), plot.top, x(trial.start), plot.top + plot.height, stroke: "#3b5b92", dash: "5,4")
            out += line(x(trial.end), plot.top, x(trial.end), plot.top + plot.height, stroke: "#3b5b92", dash: "5,4")
            out += text(x(trial.start) + 4, plot.top + 16, "trial \(trial.number): \(fmt1(trial.score))", size: 12, anchor: "start", fill: "#3b5b92", bold: true)
        }
        // Holds: a bar above the trace where each trial's longest in-band run was.
        for trial in document.trials {
            guard let hold = trial.hold, hold.end > hold.start else { continue }
            let barY = plot.top + 26
            out += rect(x(hold.start), barY, max(1, x(hold.end) - x(hold.start)), 7, fill: "#2e9e4f")
            out += text(min(max((x(hold.start) + x(hold.end)) / 2, plot.left + 40), plot.left + plot.width - 40), barY + 20, "hold \(fmt1(hold.end - hold.start)) s", size: 11, anchor: "middle", fill: "#1f7a3a")
        }
        // Two hands: each hand's own force, thin, under the pair's trace.
        if let hands = document.hands {
            out += envelope(hands.left.map { (x($0.time), y($0.force)) }, stroke: Self.leftHandColour, width: 1)
            out += envelope(hands.right.map { (x($0.time), y($0.force)) }, stroke: Self.rightHandColour, width: 1)
        }
        // The trace: a min/max envelope per pixel column, in-band stretches drawn green on top.
        out += trace(document.points, x: x, y: y, columns: Int(plot.width))
        // Markers.
        for marker in document.markers {
            let color = marker.kind == .tare ? "#7a5c00" : "#c0392b"
            out += line(x(marker.time), plot.top, x(marker.time), plot.top + plot.height, stroke: color, dash: "2,3")
            out += text(x(marker.time) + 3, plot.top + plot.height - 6, marker.label, size: 11, anchor: "start", fill: color)
        }
        // Legend.
        let legendY = 74.0
        out += rect(plot.left + plot.width - 330, legendY - 10, 14, 10, fill: "#2e9e4f", opacity: 0.3)
        out += text(plot.left + plot.width - 312, legendY, "target band", size: 12, anchor: "start", fill: "#333333")
        out += line(plot.left + plot.width - 230, legendY - 4, plot.left + plot.width - 212, legendY - 4, stroke: "#1f7a3a", width: 2.5)
        out += text(plot.left + plot.width - 208, legendY, "in band", size: 12, anchor: "start", fill: "#333333")
        out += line(plot.left + plot.width - 150, legendY - 4, plot.left + plot.width - 132, legendY - 4, stroke: "#c0392b", width: 1.5)
        out += text(plot.left + plot.width - 128, legendY, "out of band", size: 12, anchor: "start", fill: "#333333")
        if document.hands != nil {
            out += line(plot.left + plot.width - 530, legendY - 4, plot.left + plot.width - 512, legendY - 4, stroke: Self.leftHandColour)
            out += text(plot.left + plot.width - 508, legendY, "left hand", size: 12, anchor: "start", fill: "#333333")
            out += line(plot.left + plot.width - 440, legendY - 4, plot.left + plot.width - 422, legendY - 4, stroke: Self.rightHandColour)
            out += text(plot.left + plot.width - 418, legendY, "right hand", size: 12, anchor: "start", fill: "#333333")
        }

        // The metrics table, then the notes.
        out += table(document.table, top: tableTop, left: plot.left, width: plot.width, rowHeight: rowHeight)
        out += notes(document.notes, top: tableTop + rowHeight * Double(document.table.count) + 14, left: plot.left)
        out += "</svg>\n"
        return out
    }

    /// An HTML page with the SVG inline.
    public static func html(_ document: ReportDocument) -> String {
        page(title: document.title, svg: svg(document))
    }

    // MARK: - Drawing

    static func trace(_ points: [ReportDocument.Point], x: (Double) -> Double, y: (Double) -> Double, columns: Int) -> String {
        guard let first = points.first, let last = points.last, last.time > first.time else { return "" }
        // Per pixel column: the first, min, max and last force, and whether all were in band.
        struct Column { var first: Double; var low: Double; var high: Double; var last: Double; var inBand: Bool; var time: Double }
        var bins: [Column?] = Array(repeating: nil, count: columns + 1)
        for point in points {
            let index = min(columns, max(0, Int((x(point.time) - x(0)).rounded(.down))))
            if var bin = bins[index] {
                bin.low = min(bin.low, point.force)
                bin.high = max(bin.high, point.force)
                bin.last = point.force
                bin.inBand = bin.inBand && point.inBand
                bins[index] = bin
            } else {
                bins[index] = Column(first: point.force, low: point.force, high: point.force, last: point.force, inBand: point.inBand, time: point.time)
            }
        }
        var all = ""
        var green: [String] = []
        var run = ""
        for (index, bin) in bins.enumerated() {
            guard let bin else { continue }
            let px = x(0) + Double(index)
            let segment = "\(fmt(px)),\(fmt(y(bin.first))) \(fmt(px)),\(fmt(y(bin.low))) \(fmt(px)),\(fmt(y(bin.high))) \(fmt(px)),\(fmt(y(bin.last))) "
            all += segment
            if bin.inBand {
                run += segment
            } else if !run.isEmpty {
                green.append(run)
                run = ""
            }
        }
        if !run.isEmpty { green.append(run) }
        var out = "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"\(all)\"/>\n"
        for stretch in green {
            out += "<polyline fill=\"none\" stroke=\"#1f7a3a\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"\(stretch)\"/>\n"
        }
        return out
    }

    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double = 1, stroke: String? = nil) -> String {
        "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(max(0, w)))\" height=\"\(fmt(max(0, h)))\" fill=\"\(fill)\""
            + (opacity < 1 ? " fill-opacity=\"\(fmt(opacity))\"" : "") + (stroke.map { " stroke=\"\($0)\"" } ?? "") + "/>\n"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) -> String {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(fmt(width))\""
            + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n"
    }

    static func text(_ x: Double, _ y: Double, _ content: String, size: Double, anchor: String, fill: String, bold: Bool = false) -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" font-size=\"\(fmt(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
            + (bold ? " font-weight=\"bold\"" : "") + ">\(escape(content))</text>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Up to two decimals, no trailing zeros.
    /// Total: a value that is not finite (never drawn on purpose) is 0, so the SVG stays valid.
    static func fmt(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() {
            return abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
        }
        var text = String(rounded)
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 {
            text = String(text[..<text.index(dot, offsetBy: 3)])
        }
        return text
    }

    static func fmt1(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) + ".0" : String(rounded)
    }

    static func niceStep(_ span: Double, count: Int) -> Double {
        let raw = span / Double(max(1, count))
        let magnitude = pow10(floor(log10(raw)))
        let normalized = raw / magnitude
        let step: Double = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10
        return step * magnitude
    }

    static func ticks(_ low: Double, _ high: Double, count: Int) -> [Double] {
        guard high > low else { return [low] }
        let step = niceStep(high - low, count: count)
        var values: [Double] = []
        var value = (low / step).rounded(.up) * step
        while value <= high + step * 1e-9 {
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return values
    }

    static func niceCeiling(_ value: Double) -> Double {
        let step = niceStep(value, count: 5)
        return (value / step).rounded(.up) * step
    }

    static func niceFloor(_ value: Double) -> Double {
        guard value < 0 else { return 0 }
        let step = niceStep(-value, count: 2)
        return (value / step).rounded(.down) * step
    }

    static func pow10(_ exponent: Double) -> Double {
        var result = 1.0
        if exponent >= 0 { for _ in 0..<Int(exponent) { result *= 10 } } else { for _ in 0..<Int(-exponent) { result /= 10 } }
        return result
    }
}

// MARK: - Shared with the calibration report

extension SVGReport {
    /// A single-colour polyline through points already in pixels, with at most
    /// four points (the first, lowest, highest and last) per pixel column: the
    /// envelope idea of `trace`, for any signal. Non-finite points are skipped.
    static func envelope(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5) -> String {
        var out = ""
        var column: (index: Double, first: Double, low: Double, high: Double, last: Double)?
        func flush() {
            guard let c = column else { return }
            let px = fmt(c.index)
            out += "\(px),\(fmt(c.first)) \(px),\(fmt(c.low)) \(px),\(fmt(c.high)) \(px),\(fmt(c.last)) "
        }
        for point in points where point.x.isFinite && point.y.isFinite {
            let index = point.x.rounded(.down)
            if var current = column, current.index == index {
                current.low = min(current.low, point.y)
                current.high = max(current.high, point.y)
                current.last = point.y
                column = current
            } else {
                flush()
                column = (index, point.y, point.y, point.y, point.y)
            }
        }
        flush()
        guard !out.isEmpty else { return "" }
        return "<polyline fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(fmt(width))\" stroke-linejoin=\"round\" points=\"\(out)\"/>\n"
    }

    /// A table with its first row at `top` (header row bold, every other row
    /// shaded), columns as wide as their longest cell; the same look as the
    /// session report's metrics table.
    static func table(_ rows: [[String]], top: Double, left: Double, width: Double, rowHeight: Double = 22) -> String {
        guard let header = rows.first else { return "" }
        let widths = header.indices.map { column in
            rows.map { $0.indices.contains(column) ? Double($0[column].count) : 0 }.max() ?? 0
        }
        let total = widths.reduce(0, +)
        var columnX: [Double] = []
        var cursor = left
        for columnWidth in widths {
            columnX.append(cursor)
            cursor += width * (columnWidth + 2) / (total + 2 * Double(widths.count))
        }
        var out = ""
        for (index, row) in rows.enumerated() {
            let rowY = top + rowHeight * Double(index)
            if index > 0, index % 2 == 0 { out += rect(left - 6, rowY - 15, width + 12, rowHeight, fill: "#f4f6fa") }
            for (column, cell) in row.enumerated() where column < columnX.count {
                out += text(columnX[column], rowY, cell, size: 13, anchor: "start", fill: index == 0 ? "#1a1a1a" : "#333333", bold: index == 0)
            }
        }
        out += line(left - 6, top + 6, left + width + 6, top + 6, stroke: "#999999")
        return out
    }

    /// Lines of notes from `top`, 20 apart; PASS/FAIL lines bold, pass green, FAIL red.
    static func notes(_ notes: [String], top: Double, left: Double) -> String {
        var out = ""
        for (index, note) in notes.enumerated() {
            let color = note.hasPrefix("FAIL") ? "#c0392b" : note.hasPrefix("pass") || note.hasPrefix("PASS") ? "#1f7a3a" : "#333333"
            out += text(left, top + 20 * Double(index), note, size: 13, anchor: "start", fill: color, bold: note.hasPrefix("PASS") || note.hasPrefix("FAIL"))
        }
        return out
    }

    /// An HTML page with `svg` inline (its XML declaration dropped), nothing fetched.
    static func page(title: String, svg: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:sans-serif;margin:24px;background:#fafafa} svg{max-width:100%;height:auto;background:#fff;box-shadow:0 1px 4px #0002}</style>
        </head><body>
        \(svg.split(separator: "\n").dropFirst().joined(separator: "\n"))
        </body></html>

        """
    }
}
