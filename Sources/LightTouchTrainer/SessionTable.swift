import LightTouchCore

/// The end of a drill session, for a person (the table) and for programs (JSON).
public struct SessionReport: Sendable {
    public var drill: Drill
    public var results: [TrialResult]
    public var samples: Int
    public var lostFrames: Int
    public var rejectedSamples: Int
    public var calibrated: Bool
    /// The scoring settings shared by every trial (filter, rates), for the JSON's `options`.
    public var options: [(String, JSONValue)]

    public init(
        drill: Drill, results: [TrialResult], samples: Int, lostFrames: Int, rejectedSamples: Int, calibrated: Bool,
        options: [(String, JSONValue)] = []
    ) {
        self.options = options
        self.drill = drill
        self.results = results
        self.samples = samples
        self.lostFrames = lostFrames
        self.rejectedSamples = rejectedSamples
        self.calibrated = calibrated
    }

    public var meanScore: Double? {
        results.isEmpty ? nil : results.map(\.metrics.score).reduce(0, +) / Double(results.count)
    }

    public var bestScore: Double? { results.map(\.metrics.score).max() }
    public var bestHold: Double { results.map(\.metrics.longestHoldSeconds).max() ?? 0 }
    public var inBandSeconds: Double { results.reduce(0) { $0 + $1.metrics.inBandSeconds } }
    public var peeks: Int { results.reduce(0) { $0 + $1.peeks } }

    /// The session's estimates (nil when no trial asked for one): how many were
    /// asked and given, and the mean magnitude of each error over the trials that have it.
    public struct Estimates: Sendable, Equatable {
        public var asked: Int
        /// Trials whose estimate was not skipped.
        public var given: Int
        /// Trials with a verdict error, and those where it was 0.
        public var verdictTrials: Int
        public var verdictRight: Int
        public var meanAbsForceErrorGrams: Double?
        public var meanAbsHoldErrorSeconds: Double?

        public var json: JSONValue {
            .object([
                ("asked", .int(asked)), ("given", .int(given)),
                ("verdict_trials", .int(verdictTrials)), ("verdict_right", .int(verdictRight)),
                ("mean_abs_force_error_g", .number(meanAbsForceErrorGrams.map(TrialMetrics.rounded))),
                ("mean_abs_hold_error_s", .number(meanAbsHoldErrorSeconds.map(TrialMetrics.rounded))),
            ])
        }
    }

    public var estimates: Estimates? {
        let asked = results.filter(\.estimateRequest.asksAnything)
        guard !asked.isEmpty else { return nil }
        let errors = asked.compactMap(\.estimation)
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        let verdicts = errors.compactMap(\.verdictError)
        return Estimates(
            asked: asked.count, given: asked.filter { $0.estimate?.skipped == false }.count, verdictTrials: verdicts.count,
            verdictRight: verdicts.filter { $0 == 0 }.count,
            meanAbsForceErrorGrams: mean(errors.compactMap(\.forceErrorGrams).map(abs)),
            meanAbsHoldErrorSeconds: mean(errors.compactMap(\.holdErrorSeconds).map(abs)))
    }

    /// `{"drill": …, "trials": […], "session": {…}, "options": {…}}`; each trial carries the
    /// documented trial keys, then `target_g`, `feedback` and `peeks` (and `estimate` when one was
    /// asked); the session ends with `estimates` when a trial asked for one.
    public var json: JSONValue {
        var session: [(String, JSONValue)] = [
            ("trials", .int(results.count)),
            ("mean_score", .number(meanScore.map { ($0 * 10).rounded() / 10 })),
            ("best_score", .number(bestScore)),
            ("best_hold_s", .double(TrialMetrics.rounded(bestHold))),
            ("in_band_s", .double(TrialMetrics.rounded(inBandSeconds))),
            ("peeks", .int(peeks)),
            ("samples", .int(samples)),
            ("lost_frames", .int(lostFrames)),
            ("rejected_samples", .int(rejectedSamples)),
            ("calibrated", .bool(calibrated)),
        ]
        if let estimates { session.append(("estimates", estimates.json)) }
        return .object([
            ("drill", .string(drill.name)),
            ("trials", .array(results.map(\.json))),
            ("session", .object(session)),
            ("options", .object(options)),
        ])
    }

    /// The trial-by-trial table and the summary.
    public var table: String {
        var lines = ["Drill \(drill.name): \(drill.purpose)\(calibrated ? "" : " (uncalibrated)")", ""]
        // Short headers, so that the table fits 80 columns.
        let header =
            drill.balance == nil
            ? ["trial", "target g", "feedback", "peeks", "length s", "reach s", "band %", "hold s", "mean g", "CV", "score"]
            // Two hands: each hand's mean, the left share's mean and the time balanced, in place of the length, reach and CV.
            : ["trial", "target g", "feedback", "peeks", "band %", "hold s", "L g", "R g", "L %", "bal %", "score"]
        var rows = [header]
        for result in results {
            let trial = result.metrics
            if drill.balance != nil {
                let hands = trial.hands
                rows.append([
                    "\(trial.trial)", result.options.target.fixed(1), result.feedback, "\(result.peeks)",
                    trial.inBandPercent.fixed(0), trial.longestHoldSeconds.fixed(1),
                    hands?.left.meanGrams.map { $0.fixed(2) } ?? "—", hands?.right.meanGrams.map { $0.fixed(2) } ?? "—",
                    hands?.balance.meanLeftSharePercent.map { $0.fixed(1) } ?? "—",
                    hands?.balance.balancedPercent.map { $0.fixed(0) } ?? "—", trial.score.fixed(1),
                ])
                continue
            }
            rows.append([
                "\(trial.trial)", result.options.target.fixed(1), result.feedback, "\(result.peeks)",
                trial.durationSeconds.fixed(1), trial.timeToTargetSeconds.map { $0.fixed(2) } ?? "—",
                trial.inBandPercent.fixed(0), trial.longestHoldSeconds.fixed(1), trial.meanGrams.map { $0.fixed(2) } ?? "—",
                trial.cv.map { $0.fixed(3) } ?? "—", trial.score.fixed(1),
            ])
        }
        if results.isEmpty {
            lines.append("No trials were completed.")
        } else {
            let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                lines.append(
                    row.enumerated().map { column, text in
                        let pad = String(repeating: " ", count: max(0, widths[column] - text.count))
                        return column == 0 || column == 2 ? text + pad : pad + text
                    }.joined(separator: "  "))
            }
        }
        lines.append("")
        if let balance = drill.balance, !results.isEmpty {
            lines.append(
                "Two hands: band % and hold count both hands in the band and balanced (left share "
                    + "\(balance.low.fixed(0))–\(balance.high.fixed(0)) %); L % is the left share's mean, bal % the time balanced.")
        }
        let mean = meanScore.map { $0.fixed(1) } ?? "—"
        let best = bestScore.map { $0.fixed(1) } ?? "—"
        lines.append(
            "\(results.count) of \(drill.trials.count) trial\(drill.trials.count == 1 ? "" : "s"): mean score \(mean), best \(best), "
                + "best hold \(bestHold.fixed(1)) s, \(inBandSeconds.fixed(1)) s in band, \(peeks) peek\(peeks == 1 ? "" : "s")")
        if lostFrames > 0 || rejectedSamples > 0 {
            lines.append("lost frames \(lostFrames), rejected samples \(rejectedSamples)")
        }
        lines += estimateTable
        return lines.joined(separator: "\n")
    }

    /// The estimates beside the results, when the drill asked for them (lines, from a blank one).
    public var estimateTable: [String] {
        guard let estimates else { return [] }
        var rows = [["trial", "asked", "you said", "it was", "off by"]]
        for result in results {
            guard let comparison = result.estimateComparison else { continue }
            rows.append([
                "\(result.metrics.trial)", result.estimateRequest.name, comparison.said ?? "skipped", comparison.was, comparison.off,
            ])
        }
        var summary = ["\(estimates.given) of \(estimates.asked) estimate\(estimates.asked == 1 ? "" : "s") given"]
        if estimates.verdictTrials > 0 { summary.append("verdict right \(estimates.verdictRight) of \(estimates.verdictTrials)") }
        if let grams = estimates.meanAbsForceErrorGrams { summary.append("mean force error \(grams.fixed(2)) g") }
        if let seconds = estimates.meanAbsHoldErrorSeconds { summary.append("mean hold error \(seconds.fixed(1)) s") }
        return ["", "Estimates, made before each result was shown:", TextTable.render(rows, rightAligned: [0]), summary.joined(separator: ", ")]
    }
}

extension TrialResult {
    /// The estimate beside the result, for a person: what was said, what it
    /// was, how far off ("4.5 g, 6 s", "3.62 g, 4.1 s", "+0.88 g, +1.9 s").
    /// `said` is nil when the estimate was skipped; the whole is nil when none was asked.
    public var estimateComparison: (said: String?, was: String, off: String)? {
        guard estimateRequest.asksAnything else { return nil }
        let given = estimate ?? TrialEstimate(skipped: true)
        let error = EstimationError(estimate: given, metrics: metrics, options: options)
        var said: [String] = [], was: [String] = [], off: [String] = []
        if let verdict = given.verdict {
            said.append(verdict.rawValue)
            was.append(error.actualVerdict.rawValue)
            let steps = error.verdictError ?? 0
            off.append(steps == 0 ? "right" : "\(abs(steps)) band\(abs(steps) == 1 ? "" : "s") too \(steps > 0 ? "heavy" : "light")")
        }
        if let grams = given.grams {
            said.append("\(EstimateFormat.trimmed(grams)) g")
            was.append(metrics.meanGrams.map { "\($0.fixed(2)) g" } ?? error.actualVerdict.rawValue)
            if let e = error.forceErrorGrams { off.append(EstimateFormat.signed(e, places: 2) + " g") }
        }
        if let hold = given.holdSeconds {
            said.append("\(EstimateFormat.trimmed(hold)) s")
            was.append("\(metrics.longestHoldSeconds.fixed(1)) s")
            if let e = error.holdErrorSeconds { off.append(EstimateFormat.signed(e, places: 1) + " s") }
        }
        if said.isEmpty {
            return (nil, "", "")
        }
        return (said.joined(separator: ", "), was.joined(separator: ", "), off.joined(separator: ", "))
    }
}

/// How estimates and their errors are written for a person.
public enum EstimateFormat {
    /// Up to two decimals, no trailing zeros: 4.5, 6, 4.25.
    public static func trimmed(_ value: Double) -> String {
        var text = value.fixed(2)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// With its sign: +0.88, -1.2, 0.00.
    public static func signed(_ value: Double, places: Int) -> String {
        let text = value.fixed(places)
        return value > 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "+" + text : text
    }
}
