import ArgumentParser
import Foundation
import LightTouchCore
import LightTouchSession
import LightTouchReport
import LightTouchStore
import LightTouchTrainer

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw a recorded session as an SVG image or an HTML page.",
        discussion: """
            The force trace (green where it is in the target band, red outside), the band shaded, each \
            trial's window with its score, each trial's longest hold marked above the trace, the tares and \
            any unplug, then the metrics table and, for an assessment, each criterion and the grade. A \
            calibration run gets its signal with each reading, the calibration curve and its residuals instead. \
            `rsvg-convert report.svg -o report.png` makes a PNG of it.
            """)

    @Argument(help: ArgumentHelp("The session (`lighttouch sessions` lists them).", valueName: "session-id"))
    var session: Int64

    @Option(name: .shortAndLong, help: ArgumentHelp("The report to write: FILE.svg or FILE.html.", valueName: "file"))
    var out: String

    @OptionGroup var recording: RecordingOptions

    func validate() throws {
        let lower = out.lowercased()
        if !(lower.hasSuffix(".svg") || lower.hasSuffix(".html") || lower.hasSuffix(".htm")) {
            throw ValidationError("--out must end in .svg or .html (got \(out))")
        }
    }

    func run() throws {
        let store = try recording.openRequired()
        let recorded = try RecordingOptions.checked { () throws(StoreError) in try store.session(session) }
        try Self.write(recorded, out: out)
    }

    /// The session's report, SVG or HTML by `out`'s extension.
    static func write(_ recorded: RecordedSession, out: String) throws {
        let svg = out.lowercased().hasSuffix(".svg")
        let report: String
        if recorded.summary.kind == SessionKind.calibration.rawValue {
            let document = try RescoredCalibration(recorded).document
            report = svg ? SVGReport.svg(document) : SVGReport.html(document)
        } else {
            let document = Self.document(try RescoredSession(recorded, keepPoints: true))
            report = svg ? SVGReport.svg(document) : SVGReport.html(document)
        }
        let output = try CSVOutput(path: out)
        output.write(report)
        try output.finish()
    }

    static func document(_ r: RescoredSession) -> ReportDocument {
        let s = r.session.summary
        let points = r.points.map { ReportDocument.Point(time: $0.time, force: $0.force, inBand: $0.inBand) }
        let duration = points.last?.time ?? 0
        let options = r.configuration.trial
        let band = ReportDocument.Band(start: 0, end: duration, low: options.bandLow, high: options.bandHigh)
        var trialBands: [ReportDocument.Band] = []
        var trials: [ReportDocument.Trial] = []
        var rows: [[String]] = []
        let header = ["trial", "start s", "length s", "to target s", "in band %", "best hold s", "mean g", "CV", "overshoot g", "score"]
        func row(_ t: TrialMetrics) -> [String] {
            [
                "\(t.trial)", t.startSeconds.fixed(1), t.durationSeconds.fixed(1), t.timeToTargetSeconds.map { $0.fixed(2) } ?? "—",
                t.inBandPercent.fixed(0), t.longestHoldSeconds.fixed(1), t.meanGrams.map { $0.fixed(2) } ?? "—",
                t.cv.map { $0.fixed(3) } ?? "—", t.overshootGrams.fixed(2), t.score.fixed(1),
            ]
        }
        if let results = r.results {
            rows.append(header + ["feedback"])
            for result in results {
                let t = result.metrics
                trialBands.append(
                    ReportDocument.Band(start: t.startSeconds, end: t.endSeconds, low: result.options.bandLow, high: result.options.bandHigh))
                trials.append(
                    ReportDocument.Trial(
                        number: t.trial, start: t.startSeconds, end: t.endSeconds, score: t.score,
                        hold: inBandRun(r, result.options, t)))
                rows.append(row(t) + [result.feedback])
            }
        } else {
            rows.append(header)
            for t in r.pipeline.trials {
                trials.append(
                    ReportDocument.Trial(number: t.trial, start: t.startSeconds, end: t.endSeconds, score: t.score, hold: inBandRun(r, options, t)))
                rows.append(row(t))
            }
        }
        var markers: [ReportDocument.Marker] = []
        let origin = r.session.blocks.first?.timeMicros(ofSample: 0)
        for event in r.session.events {
            let time = event.time ?? {
                guard let origin, !r.session.blocks.isEmpty else { return 0 }
                let index = min(Int(event.blockIndex), r.session.blocks.count - 1)
                return (r.session.blocks[index].timeMicros(ofSample: 0) - origin) / 1e6
            }()
            switch event.kind {
            case .tare: markers.append(.init(time: time, label: "tare", kind: .tare))
            case .tareRefused: markers.append(.init(time: time, label: "tare refused", kind: .tare))
            case .disconnected: markers.append(.init(time: time, label: "unplugged", kind: .connection))
            case .reconnected: markers.append(.init(time: time, label: "replugged", kind: .connection))
            default: break
            }
        }
        var notes: [String] = []
        let drillReport = r.drillReport
        let count = drillReport?.results.count ?? r.summary.trials
        let meanScore = drillReport.map { $0.meanScore } ?? r.summary.meanScore
        let mean = meanScore.map { (($0 * 10).rounded() / 10).fixed(1) } ?? "—"
        let bestHold = drillReport?.bestHold ?? r.summary.bestHoldSeconds
        notes.append(
            "\(count) trial\(count == 1 ? "" : "s"), mean score \(mean), best hold \(bestHold.fixed(1)) s, "
                + "\(r.summary.samples) samples scored, lost frames \(r.summary.lostFrames), rejected samples \(r.summary.rejectedSamples)")
        if let balance = r.configuration.balance {
            // Two hands: the trace and the table are the pair's (the hands' mean, in band when both hands are and
            // the pair is balanced); each trial's hands and balance follow.
            notes.append("two hands: the thick trace is the hands' mean, the thin ones each hand's force (blue left, purple right);")
            notes.append(
                "a hold counts while both hands are in the band and the left share is \(balance.low.fixed(0))–\(balance.high.fixed(0)) %")
            for result in drillReport?.results ?? [] {
                guard let hands = result.metrics.hands else { continue }
                func grams(_ value: Double?) -> String { value.map { "\($0.fixed(2)) g" } ?? "—" }
                func percent(_ value: Double?) -> String { value.map { "\($0.fixed(1)) %" } ?? "—" }
                notes.append(
                    "trial \(result.metrics.trial): left \(grams(hands.left.meanGrams)), in band \(percent(hands.left.inBandPercent)); "
                        + "right \(grams(hands.right.meanGrams)), in band \(percent(hands.right.inBandPercent)); "
                        + "left share \(percent(hands.balance.meanLeftSharePercent)) (SD \(hands.balance.sdLeftSharePercent.map { $0.fixed(1) } ?? "—")), "
                        + "balanced \(percent(hands.balance.balancedPercent)) of the hold")
            }
        }
        // Each estimate beside its trial, as the trainer showed it after the trial.
        for result in r.results ?? [] {
            guard let comparison = result.estimateComparison else { continue }
            let trial = "trial \(result.metrics.trial) estimate (\(result.estimateRequest.name)): "
            guard let said = comparison.said else {
                notes.append(trial + "skipped")
                continue
            }
            notes.append(trial + "said \(said) · it was \(comparison.was)" + (comparison.off.isEmpty ? "" : " · off by \(comparison.off)"))
        }
        if let assessment = r.assessment {
            let grade = assessment.assessment
            for criterion in grade.criteria { notes.append("\(criterion.passed ? "pass" : "FAIL")  \(criterion.criterion) — \(criterion.reason)") }
            notes.append("\(grade.passed ? "PASS" : "FAIL"): score \(grade.score.fixed(1)), grade \(grade.grade)")
        }
        let what = s.protocolName.map { "assessment \($0)" } ?? s.drillName.map { "practice, drill \($0)" } ?? s.kind
        var subtitle = "\(s.startedAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC"))"
        subtitle += "  ·  sensor \(s.sensorSerial)  ·  target \(options.target.fixed(1)) g ± \(options.tolerance.fixed(1)) g"
        subtitle += "  ·  \(r.configuration.filter.kind.rawValue) filter  ·  \(s.status.rawValue)"
        if !r.summary.calibrated { subtitle += "  ·  uncalibrated" }
        let who = s.student.map { " — \($0)" } ?? ""
        let hands = r.handPoints.isEmpty ? nil : ReportDocument.Hands(
            left: r.handPoints.map { .init(time: $0.time, force: $0.left, inBand: options.isInBand($0.left)) },
            right: r.handPoints.map { .init(time: $0.time, force: $0.right, inBand: options.isInBand($0.right)) })
        return ReportDocument(
            title: "Session \(s.id): \(what)\(who)", subtitle: subtitle, points: points, band: band, trialBands: trialBands,
            trials: trials, markers: markers, table: rows, notes: notes, hands: hands)
    }

    /// Where a trial's longest in-band run was (for the hold marker): for two
    /// hands, where both hands were in the band and the pair balanced, the
    /// condition a two-hand hold counts under.
    static func inBandRun(_ r: RescoredSession, _ options: TrialOptions, _ t: TrialMetrics) -> (start: Double, end: Double)? {
        let marked: [ReportDocument.Point]
        if let balance = r.configuration.balance, !r.handPoints.isEmpty {
            marked = r.handPoints.map {
                ReportDocument.Point(
                    time: $0.time, force: ($0.left + $0.right) / 2,
                    inBand: options.isInBand(HandForces(left: $0.left, right: $0.right), balance: balance))
            }
        } else {
            marked = r.points.map { ReportDocument.Point(time: $0.time, force: $0.force, inBand: options.isInBand($0.force)) }
        }
        return ReportDocument.longestRun(marked, from: t.startSeconds, to: t.endSeconds)
    }
}
