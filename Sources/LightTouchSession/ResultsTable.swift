import LightTouchCore

/// The trial-by-trial table and the session summary, for a person to read.
public enum ResultsTable {
    public static func render(trials: [TrialMetrics], summary: SessionSummary, options: PipelineConfiguration) -> String {
        let band = "\(options.trial.target.fixed(1)) g ± \(options.trial.tolerance.fixed(1)) g"
        let hands = options.balance.map { ", two hands, balance \($0.target.fixed(0)) % ± \($0.tolerance.fixed(0))" } ?? ""
        var lines = [
            "Target \(band)\(hands), hold goal \(options.trial.holdGoal.fixed(1)) s, filter \(options.filter.kind.rawValue)"
                + (summary.calibrated ? "" : " (uncalibrated)"),
            "",
        ]
        let header =
            options.balance == nil
            ? ["trial", "start s", "length s", "to target s", "in band %", "best hold s", "mean g", "SD g", "CV", "peak g", "score"]
            // Two hands: each hand's mean, the left share's mean and the time balanced, in place of the reach, SD, CV and peak.
            : ["trial", "start s", "length s", "in band %", "best hold s", "L g", "R g", "L %", "bal %", "score"]
        var rows = [header]
        for trial in trials {
            if options.balance != nil {
                let hands = trial.hands
                rows.append([
                    "\(trial.trial)", trial.startSeconds.fixed(1), trial.durationSeconds.fixed(1), trial.inBandPercent.fixed(0),
                    trial.longestHoldSeconds.fixed(1),
                    hands?.left.meanGrams.map { $0.fixed(2) } ?? "—", hands?.right.meanGrams.map { $0.fixed(2) } ?? "—",
                    hands?.balance.meanLeftSharePercent.map { $0.fixed(1) } ?? "—",
                    hands?.balance.balancedPercent.map { $0.fixed(0) } ?? "—", trial.score.fixed(1),
                ])
                continue
            }
            rows.append([
                "\(trial.trial)", trial.startSeconds.fixed(1), trial.durationSeconds.fixed(1),
                trial.timeToTargetSeconds.map { $0.fixed(2) } ?? "—", trial.inBandPercent.fixed(0),
                trial.longestHoldSeconds.fixed(1), trial.meanGrams.map { $0.fixed(2) } ?? "—",
                trial.sdGrams.map { $0.fixed(2) } ?? "—", trial.cv.map { $0.fixed(3) } ?? "—",
                trial.peakGrams.fixed(2), trial.score.fixed(1),
            ])
        }
        if trials.isEmpty {
            lines.append("No trials: the force never reached \(options.trial.contact.fixed(1)) g.")
        } else {
            let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                lines.append(row.enumerated().map { column, text in
                    column == 0 ? text.padding(toLength: widths[column]) : text.leftPadding(toLength: widths[column])
                }.joined(separator: "  "))
            }
        }
        lines.append("")
        let mean = summary.meanScore.map { $0.fixed(1) } ?? "—"
        let best = summary.bestScore.map { $0.fixed(1) } ?? "—"
        lines.append(
            "\(summary.trials) trial\(summary.trials == 1 ? "" : "s"): mean score \(mean), best \(best), best hold \(summary.bestHoldSeconds.fixed(1)) s, \(summary.inBandSeconds.fixed(1)) s in band")
        if summary.lostFrames > 0 || summary.rejectedSamples > 0 {
            lines.append("lost frames \(summary.lostFrames), rejected samples \(summary.rejectedSamples)")
        }
        return lines.joined(separator: "\n")
    }
}
