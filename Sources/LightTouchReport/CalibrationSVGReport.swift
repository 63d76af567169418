import Foundation

/// Draws a `CalibrationReportDocument` as a standalone SVG 1.1 image (and as
/// an HTML page around it), in the session report's visual language: the run
/// across the top, the calibration curve and its residuals side by side under
/// it, then the table and the notes. Pure: a string from a value. Degenerate
/// documents (no readings, one reading, no signal, zero residuals, an equation
/// that gives NaN) still give a valid picture with only finite numbers in it.
extension SVGReport {
    /// Where the calibration report's panels sit, in pixels, and how values map onto them.
    ///
    /// - The run spans `run`. Time maps linearly onto its width from
    ///   `min(0, earliest time)`; grams onto its height from `min(0, lowest signal)`
    ///   to `niceCeiling` of 4/3 of the highest of the signal, the loads, the target
    ///   and 1 g, so the top quarter is free for the labels.
    /// - The curve and the residual panels are `panelHeight` high from `panelTop`
    ///   (16 lower for each caption line after the first). Load maps onto their
    ///   width over the loads' range, with 0 and the target, widened by 5 % each side.
    /// - In the residual panel a residual r (g) sits at
    ///   `y = top + height/2 − r / (2·extent) · height`, where `extent` is
    ///   1.25 × max(largest |residual|, `residualBand`) rounded up to a multiple of
    ///   `niceStep(that, count: 5)` (0.001 g if both are zero).
    enum CalibrationLayout {
        static let run = (left: 70.0, top: 100.0, width: 1000.0, height: 250.0)
        static let curve = (left: 90.0, width: 420.0)
        static let residuals = (left: 640.0, width: 430.0)
        static let headingY = 430.0
        static let panelTop = 460.0
        static let panelHeight = 280.0
        /// Increasing readings are drawn this far left of their load, decreasing
        /// ones this far right, so the two directions at one load stay visible.
        static let dodge = 3.0
    }

    /// The calibration report as a standalone SVG 1.1 image, 1100 wide.
    public static func svg(_ document: CalibrationReportDocument) -> String {
        typealias Layout = CalibrationLayout
        let readings = document.readings
            .filter { [$0.start, $0.end, $0.load, $0.counts, $0.residual].allSatisfy(isSane) }
            .sorted { ($0.start, $0.step) < ($1.start, $1.step) }
        let target = isSane(document.target) ? document.target : nil
        let band = isSane(document.residualBand) ? abs(document.residualBand) : 0

        // Captions under the two headings; the panels move down if they need more lines.
        let curveCaption = wrap(document.equationText, width: Layout.curve.width, size: 12)
        let residualCaption = ["fitted minus placed load" + (band > 0 ? "; band ±\(significant(band)) g" : "")]
        let captionLines = max(1, curveCaption.count, residualCaption.count)
        let panelTop = Layout.panelTop + 16 * Double(captionLines - 1)
        let panelBottom = panelTop + Layout.panelHeight
        let legendY = panelBottom + 72
        let rowHeight = 22.0
        let tableTop = legendY + 50
        let notesTop = tableTop + rowHeight * Double(document.table.count) + 14
        let height = notesTop + 20 * Double(document.notes.count) + 20

        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" viewBox="0 0 \(fmt(width)) \(fmt(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(fmt(Layout.run.left))" y="34" font-size="22" font-weight="bold" fill="#1a1a1a">\(escape(document.title))</text>
            <text x="\(fmt(Layout.run.left))" y="58" font-size="14" fill="#555555">\(escape(document.subtitle))</text>

            """
        out += runPanel(document.signal, readings: readings, target: target)

        // The curve and the residuals share the load axis.
        let loads = readings.map(\.load) + [0] + (target.map { [$0] } ?? [])
        let loadLow = loads.min() ?? 0
        let loadHigh = max(loads.max() ?? 1, loadLow + 1)
        let loadPad = (loadHigh - loadLow) * 0.05
        let loadDomain = (low: loadLow - loadPad, high: loadHigh + loadPad)

        out += text(Layout.curve.left, Layout.headingY, "Calibration curve", size: 15, anchor: "start", fill: "#1a1a1a", bold: true)
        for (index, line) in curveCaption.enumerated() {
            out += text(Layout.curve.left, Layout.headingY + 18 + 16 * Double(index), line, size: 12, anchor: "start", fill: "#555555")
        }
        out += text(Layout.residuals.left, Layout.headingY, "Residuals", size: 15, anchor: "start", fill: "#1a1a1a", bold: true)
        for (index, line) in residualCaption.enumerated() {
            out += text(Layout.residuals.left, Layout.headingY + 18 + 16 * Double(index), line, size: 12, anchor: "start", fill: "#555555")
        }
        let curveBox = Box(left: Layout.curve.left, top: panelTop, width: Layout.curve.width, height: Layout.panelHeight)
        let residualBox = Box(left: Layout.residuals.left, top: panelTop, width: Layout.residuals.width, height: Layout.panelHeight)
        out += curvePanel(curveBox, readings: readings, loads: loadDomain, equation: document.equation, target: target)
        out += residualPanel(residualBox, readings: readings, loads: loadDomain, band: band, target: target)
        out += legend(y: legendY, band: band)

        out += table(document.table, top: tableTop, left: Layout.run.left, width: Layout.run.width, rowHeight: rowHeight)
        out += notes(document.notes, top: notesTop, left: Layout.run.left)
        out += "</svg>\n"
        return out
    }

    /// The residual panel alone, as an SVG of its own (what `calibrate run`
    /// and `calibrate fit` write beside a certificate): the same drawing as
    /// the report's residual panel, with a title, a caption and a legend.
    public static func residualsSVG(
        title: String, caption: String, readings: [CalibrationReportDocument.Reading], band: Double, target: Double?
    ) -> String {
        let readings = readings.filter { [$0.load, $0.residual].allSatisfy(isSane) }
        let band = isSane(band) ? abs(band) : 0
        let target = target.flatMap { isSane($0) ? $0 : nil }
        let box = Box(left: 100, top: 90, width: 580, height: 280)
        let loads = readings.map(\.load) + [0] + (target.map { [$0] } ?? [])
        let low = loads.min() ?? 0, high = max(loads.max() ?? 1, low + 1)
        let pad = (high - low) * 0.05
        let width = 720.0, height = 500.0
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" viewBox="0 0 \(fmt(width)) \(fmt(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(fmt(box.left))" y="34" font-size="15" font-weight="bold" fill="#1a1a1a">\(escape(title))</text>
            <text x="\(fmt(box.left))" y="56" font-size="12" fill="#555555">\(escape(caption))</text>

            """
        out += residualPanel(box, readings: readings, loads: (low - pad, high + pad), band: band, target: target)
        out += legend(y: box.bottom + 80, band: band, left: box.left, curve: false)
        out += "</svg>\n"
        return out
    }

    /// An HTML page with the SVG inline; it fetches nothing.
    public static func html(_ document: CalibrationReportDocument) -> String {
        page(title: document.title, svg: svg(document))
    }

    // MARK: - Panels

    /// A plot's frame in pixels.
    struct Box {
        var left, top, width, height: Double
        var right: Double { left + width }
        var bottom: Double { top + height }
    }

    /// A linear map from `low…high` onto `from…to`; an empty domain maps to the middle.
    struct Scale {
        var low, high, from, to: Double
        func callAsFunction(_ value: Double) -> Double {
            guard high > low else { return (from + to) / 2 }
            return from + (value - low) / (high - low) * (to - from)
        }
    }

    /// The signal against time, each reading's window shaded and labelled with its
    /// load, series boundaries dashed.
    static func runPanel(_ rawSignal: [CalibrationReportDocument.SignalPoint], readings: [CalibrationReportDocument.Reading], target: Double?) -> String {
        let p = CalibrationLayout.run
        let box = Box(left: p.left, top: p.top, width: p.width, height: p.height)
        let signal = rawSignal.filter { isSane($0.time) && isSane($0.grams) }
        let times = signal.map(\.time) + readings.flatMap { [$0.start, $0.end] }
        let timeLow = min(0, times.min() ?? 0)
        let timeHigh = max(times.max() ?? 1, timeLow + 1)
        let lowest = signal.map(\.grams).min() ?? 0
        let highest = max(signal.map(\.grams).max() ?? 0, readings.map(\.load).max() ?? 0, target ?? 0, 1)
        let gramsHigh = niceCeiling(highest * 4 / 3)
        let gramsLow = lowest < -1e-9 ? niceFloor(lowest) : 0
        let x = Scale(low: timeLow, high: timeHigh, from: box.left, to: box.right)
        let y = Scale(low: gramsLow, high: gramsHigh, from: box.bottom, to: box.top)

        var out = text(box.left, 86, "The run", size: 15, anchor: "start", fill: "#1a1a1a", bold: true)
        // Legend, above the plot's right end.
        let windowLabel = "reading window (averaged)", signalLabel = "signal, new calibration"
        let windowX = box.right - (20 + textWidth(windowLabel, size: 12) + 24 + 24 + textWidth(signalLabel, size: 12)) + 20
        let signalX = windowX + 20 + textWidth(windowLabel, size: 12) + 24
        out += rect(windowX, 76, 14, 10, fill: "#1f5fa8", opacity: 0.18)
        out += text(windowX + 20, 86, windowLabel, size: 12, anchor: "start", fill: "#333333")
        out += line(signalX, 82, signalX + 18, 82, stroke: "#333333", width: 1.5)
        out += text(signalX + 24, 86, signalLabel, size: 12, anchor: "start", fill: "#333333")

        for reading in readings {
            out += rect(x(reading.start), box.top, max(1, x(reading.end) - x(reading.start)), box.height, fill: "#1f5fa8", opacity: 0.18)
        }
        for tick in ticks(gramsLow, gramsHigh, count: 6) {
            out += line(box.left, y(tick), box.right, y(tick), stroke: "#dddddd")
            out += text(box.left - 8, y(tick) + 4, fmt(tick), size: 12, anchor: "end", fill: "#555555")
        }
        for tick in ticks(timeLow, timeHigh, count: 10) {
            out += line(x(tick), box.bottom, x(tick), box.bottom + 5, stroke: "#555555")
            out += text(x(tick), box.bottom + 20, fmt(tick), size: 12, anchor: "middle", fill: "#555555")
        }
        out += text(box.left + box.width / 2, box.bottom + 40, "time, s", size: 13, anchor: "middle", fill: "#333333")
        out += verticalTitle(18, box.top + box.height / 2, "signal, g")
        out += rect(box.left, box.top, box.width, box.height, fill: "none", stroke: "#888888")

        // Series: a dashed line where the series changes, and each series' name, once there are two.
        if Set(readings.map(\.series)).count > 1, let first = readings.first {
            out += text(box.left + 4, box.top + 15, "series \(first.series)", size: 12, anchor: "start", fill: "#3b5b92", bold: true)
            for (previous, reading) in zip(readings, readings.dropFirst()) where reading.series != previous.series {
                let boundary = (x(previous.end) + x(reading.start)) / 2
                out += line(boundary, box.top, boundary, box.bottom, stroke: "#3b5b92", dash: "5,4")
                out += text(boundary + 4, box.top + 15, "series \(reading.series)", size: 12, anchor: "start", fill: "#3b5b92", bold: true)
            }
        }

        if signal.isEmpty {
            out += text(box.left + box.width / 2, box.top + box.height / 2, "no signal recorded", size: 14, anchor: "middle", fill: "#999999")
        } else {
            out += envelope(signal.map { (x: x($0.time), y: y($0.grams)) }, stroke: "#333333", width: 1.3)
        }

        // Load labels in two rows under the series names: "5 g ↑", or "5↑" for all
        // when some would not fit; one that fits in neither row even then is left
        // out (the table lists every reading).
        let rows = [box.top + 32, box.top + 46]
        func labels(compact: Bool) -> (svg: String, left: Int) {
            var svg = ""
            var left = 0
            var rowEnds = rows.map { _ in -Double.infinity }
            for reading in readings {
                let label = loadLabel(reading, compact: compact)
                let halfWidth = textWidth(label, size: 11) / 2
                let center = min(max((x(reading.start) + x(reading.end)) / 2, box.left + halfWidth + 2), box.right - halfWidth - 2)
                guard let row = rowEnds.indices.first(where: { center - halfWidth > rowEnds[$0] + 4 }) else {
                    left += 1
                    continue
                }
                svg += text(center, rows[row], label, size: 11, anchor: "middle", fill: reading.direction == .zero ? "#666666" : "#1f5fa8", bold: true)
                rowEnds[row] = center + halfWidth
            }
            return (svg, left)
        }
        let full = labels(compact: false)
        out += full.left == 0 ? full.svg : labels(compact: true).svg
        return out
    }

    /// Mean counts against load, a dot per reading, the fitted equation through
    /// the readings' counts range, the target dashed.
    static func curvePanel(
        _ box: Box, readings: [CalibrationReportDocument.Reading], loads: (low: Double, high: Double),
        equation: @Sendable (Double) -> Double, target: Double?
    ) -> String {
        let counts = readings.map(\.counts)
        let countsLow = counts.min() ?? 0
        let countsHigh = counts.max() ?? 1
        let pad = countsHigh > countsLow ? (countsHigh - countsLow) * 0.08 : max(abs(countsLow) * 0.001, 1)
        let x = Scale(low: loads.low, high: loads.high, from: box.left, to: box.right)
        let y = Scale(low: countsLow - pad, high: countsHigh + pad, from: box.bottom, to: box.top)

        var out = ""
        for tick in ticks(y.low, y.high, count: 6) {
            out += line(box.left, y(tick), box.right, y(tick), stroke: "#dddddd")
            out += text(box.left - 8, y(tick) + 4, fmt(tick), size: 12, anchor: "end", fill: "#555555")
        }
        out += loadAxis(box, x: x)
        out += verticalTitle(box.left - 72, box.top + box.height / 2, "mean reading, counts")
        out += rect(box.left, box.top, box.width, box.height, fill: "none", stroke: "#888888")
        if let target { out += targetLine(box, at: x(target), load: target) }

        // The fitted equation, counts → grams, sampled over the readings' counts and
        // clipped to the plot; a non-finite value breaks the line.
        if countsHigh > countsLow {
            var segments: [[(x: Double, y: Double)]] = [[]]
            let samples = 240
            for index in 0...samples {
                let c = countsLow + (countsHigh - countsLow) * Double(index) / Double(samples)
                let grams = equation(c)
                guard isSane(grams) else {
                    if !(segments.last?.isEmpty ?? true) { segments.append([]) }
                    continue
                }
                let px = min(max(x(grams), box.left - box.width), box.right + box.width)
                segments[segments.count - 1].append((x: px, y: y(c)))
            }
            out += "<clipPath id=\"calibration-curve-plot\">\(rect(box.left, box.top, box.width, box.height, fill: "#ffffff").dropLast())</clipPath>\n"
            out += "<g clip-path=\"url(#calibration-curve-plot)\">\n"
            for segment in segments where segment.count > 1 {
                let points = segment.map { "\(fmt($0.x)),\(fmt($0.y))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"#d35400\" stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"\(points)\"/>\n"
            }
            out += "</g>\n"
        }
        if readings.isEmpty {
            out += text(box.left + box.width / 2, box.top + box.height / 2, "no readings", size: 14, anchor: "middle", fill: "#999999")
        }
        for reading in readings {
            out += dot(x(reading.load) + dodge(reading.direction), y(reading.counts), reading.direction)
        }
        return out
    }

    /// Residual against load, a dot per reading, the band shaded, zero and the target marked.
    static func residualPanel(
        _ box: Box, readings: [CalibrationReportDocument.Reading], loads: (low: Double, high: Double), band: Double, target: Double?
    ) -> String {
        let extent = residualExtent(largest: max(readings.map { abs($0.residual) }.max() ?? 0, band))
        let x = Scale(low: loads.low, high: loads.high, from: box.left, to: box.right)
        let y = Scale(low: -extent, high: extent, from: box.bottom, to: box.top)

        var out = ""
        if band > 0 { out += rect(box.left, y(band), box.width, y(-band) - y(band), fill: "#2e9e4f", opacity: 0.16) }
        let step = niceStep(2 * extent, count: 6)
        for tick in ticks(-extent, extent, count: 6) {
            out += line(box.left, y(tick), box.right, y(tick), stroke: "#dddddd")
            out += text(box.left - 8, y(tick) + 4, fixed(tick, step: step), size: 12, anchor: "end", fill: "#555555")
        }
        out += line(box.left, y(0), box.right, y(0), stroke: "#444444")
        out += loadAxis(box, x: x)
        out += verticalTitle(box.left - 70, box.top + box.height / 2, "residual, g")
        out += rect(box.left, box.top, box.width, box.height, fill: "none", stroke: "#888888")
        if let target { out += targetLine(box, at: x(target), load: target) }
        if readings.isEmpty {
            out += text(box.left + box.width / 2, box.top + box.height / 2 - 12, "no readings", size: 14, anchor: "middle", fill: "#999999")
        }
        for reading in readings {
            out += dot(x(reading.load) + dodge(reading.direction), y(reading.residual), reading.direction)
        }
        return out
    }

    /// The half-height of the residual axis: see `CalibrationLayout`.
    static func residualExtent(largest: Double) -> Double {
        let raw = largest > 0 ? largest * 1.25 : 0.001
        let step = niceStep(raw, count: 5)
        return (raw / step - 1e-9).rounded(.up) * step
    }

    // MARK: - Pieces

    /// The legend; without `curve`, only what a residual panel shows.
    static func legend(y: Double, band: Double, left: Double = CalibrationLayout.curve.left, curve: Bool = true) -> String {
        var out = ""
        var cursor = left
        func item(_ symbol: String, _ label: String) {
            out += symbol + text(cursor + 20, y + 4, label, size: 12, anchor: "start", fill: "#333333")
            cursor += 20 + textWidth(label, size: 12) + 24
        }
        item(dot(cursor + 7, y, .increasing), "increasing load")
        item(dot(cursor + 7, y, .decreasing), "decreasing load")
        item(dot(cursor + 7, y, .zero), "zero")
        if curve { item(line(cursor, y, cursor + 14, y, stroke: "#d35400", width: 2), "fitted equation") }
        if band > 0 { item(rect(cursor, y - 5, 14, 10, fill: "#2e9e4f", opacity: 0.3), "residual band") }
        if curve { item(line(cursor + 7, y - 8, cursor + 7, y + 8, stroke: "#c0392b", dash: "4,3"), "target load") }
        return out
    }

    static func loadAxis(_ box: Box, x: Scale) -> String {
        var out = ""
        for tick in ticks(x.low, x.high, count: 6) {
            out += line(x(tick), box.bottom, x(tick), box.bottom + 5, stroke: "#555555")
            out += text(x(tick), box.bottom + 20, fmt(tick), size: 12, anchor: "middle", fill: "#555555")
        }
        out += text(box.left + box.width / 2, box.bottom + 40, "load placed, g", size: 13, anchor: "middle", fill: "#333333")
        return out
    }

    static func targetLine(_ box: Box, at px: Double, load: Double) -> String {
        let nearRight = px > box.right - 90
        return line(px, box.top, px, box.bottom, stroke: "#c0392b", width: 1.2, dash: "5,4")
            + text(px + (nearRight ? -4 : 4), box.top + 15, "target \(fmt(load)) g", size: 12, anchor: nearRight ? "end" : "start", fill: "#c0392b")
    }

    /// A reading's dot: increasing filled, decreasing hollow, zero grey.
    static func dot(_ cx: Double, _ cy: Double, _ direction: CalibrationReportDocument.Reading.Direction) -> String {
        let style: String
        switch direction {
        case .increasing: style = "fill=\"#1f5fa8\""
        case .decreasing: style = "fill=\"#ffffff\" stroke=\"#1f5fa8\" stroke-width=\"1.5\""
        case .zero: style = "fill=\"#999999\""
        }
        return "<circle cx=\"\(fmt(cx))\" cy=\"\(fmt(cy))\" r=\"4\" \(style)/>\n"
    }

    static func dodge(_ direction: CalibrationReportDocument.Reading.Direction) -> Double {
        switch direction {
        case .increasing: -CalibrationLayout.dodge
        case .decreasing: CalibrationLayout.dodge
        case .zero: 0
        }
    }

    /// "5 g ↑", "5 g ↓", or "0" for a zero reading; "5↑", "5↓" compact.
    static func loadLabel(_ reading: CalibrationReportDocument.Reading, compact: Bool = false) -> String {
        let unit = compact ? "" : " g "
        switch reading.direction {
        case .zero: return "0"
        case .increasing: return "\(fmt(reading.load))\(unit)↑"
        case .decreasing: return "\(fmt(reading.load))\(unit)↓"
        }
    }

    static func verticalTitle(_ x: Double, _ y: Double, _ content: String) -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" font-size=\"13\" fill=\"#333333\" text-anchor=\"middle\" transform=\"rotate(-90 \(fmt(x)) \(fmt(y)))\">\(escape(content))</text>\n"
    }

    /// `value` with as many decimals as `step` (a `niceStep`) needs.
    static func fixed(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int(-(log10(step) + 1e-9).rounded(.down)))
        return String(format: "%.\(decimals)f", value)
    }

    /// Two significant digits, trailing zeros dropped: 0.0018, 0.05, 1.2.
    static func significant(_ value: Double) -> String {
        guard value > 0 else { return "0" }
        let decimals = max(0, 1 - Int(log10(value).rounded(.down)))
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Lines of at most about `width` pixels of `size`-point text, broken at spaces.
    static func wrap(_ content: String, width: Double, size: Double) -> [String] {
        let limit = max(10, Int(width / (size * 0.62)))
        var lines: [String] = []
        var current = ""
        for word in content.split(separator: " ") {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= limit {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// About how wide `content` is in DejaVu Sans at `size`.
    static func textWidth(_ content: String, size: Double) -> Double { Double(content.count) * size * 0.62 }

    /// Finite and small enough to draw (`fmt` turns coordinates into `Int`s).
    static func isSane(_ value: Double) -> Bool { value.isFinite && abs(value) < 1e12 }
}
