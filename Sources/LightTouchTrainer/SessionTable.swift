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

    /// `{"drill": …, "trials": […], "session": {…}, "options": {…}}`; each trial carries the
    /// documented trial keys, then `target_g`, `feedback` and `peeks`.
    public var json: JSONValue {
        .object([
            ("drill", .string(drill.name)),
            ("trials", .array(results.map(\.json))),
            ("session", .object([
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
            ])),
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
        return lines.joined(separator: "\n")
    }
}
