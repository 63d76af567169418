import LightTouchCore

/// A recording as plain CSV, a header and one row per recorded sample instant,
/// which pandas, R and a spreadsheet read with their default settings:
///
///     time_s,counts,untared_g,grams,filtered_g,in_band,over_range
///     0.5,140012,5.003,5.001,4.998,1,0
///
/// `counts` is one column per channel (`counts_1`, `counts_2`, … with more
/// than one). `untared_g` is the force before tare; `grams`, `filtered_g`
/// and `in_band` are what was scored, empty for samples that were not
/// (before the first tare, or over range: `over_range` is 1 for those).
/// What is not a sample (who, which sensor, the rate, and every event: tares,
/// keys, trials, unplugs) is in `metadata`, the JSON written beside the CSV.
public enum SessionExport {
    /// Writes the CSV's text through `write`; returns the metadata object.
    public static func csv(_ session: RecordedSession, write: (String) -> Void) throws(FilterConfigurationError) -> JSONValue {
        let channels = session.blocks.first?.channels ?? session.conversion.channels.count
        let countColumns = channels == 1 ? ["counts"] : (1...max(1, channels)).map { "counts_\($0)" }
        // Two hands add each hand's force and the left share at the end; the columns before are as for one hand.
        let twoHands = session.configuration.balance != nil
        let handColumns = twoHands ? ["left_g", "right_g", "left_share_pct", "left_grams", "right_grams"] : []
        let contact = session.configuration.trial.contact
        write(
            (["time_s"] + countColumns + ["untared_g", "grams", "filtered_g", "in_band", "over_range"] + handColumns)
                .joined(separator: ",") + "\n")
        var row = ""
        _ = try SessionReplay(session).run { sample in
            let block = session.blocks[sample.block]
            row = "\(sample.time)"
            for channel in 0..<block.channels { row += ",\(block.count(channel: channel, sample: sample.index))" }
            for _ in block.channels..<countColumns.count { row += "," }
            let empty = twoHands ? ",,,,," : ""
            if sample.overRange {
                row += ",,,,,1" + empty + "\n"
            } else if let processed = sample.processed {
                row += ",\(sample.untared),\(processed.raw),\(processed.filtered),\(processed.inBand ? 1 : 0),0"
                if twoHands, let hands = processed.hands, let raw = processed.rawHands {
                    row += ",\(hands.left),\(hands.right)," + (hands.leftShare(contact: contact).map { "\($0)" } ?? "")
                    row += ",\(raw.left),\(raw.right)"
                }
                row += "\n"
            } else {
                row += ",\(sample.untared),,,,0" + empty + "\n"
            }
            write(row)
        }
        return metadata(session)
    }

    /// The session's metadata and events, for the JSON beside the CSV.
    public static func metadata(_ session: RecordedSession) -> JSONValue {
        let summary = session.summary
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        let events = session.events.map { event in
            JSONValue.object([
                // A key pressed before the first scored sample is recorded at −1: it shows at 0.
                ("time_s", event.time.map { .double(max(0, $0)) } ?? .null),
                ("kind", .string(event.kind.rawValue)),
                ("trial", event.trial.map(JSONValue.int) ?? .null),
                ("value", event.value.map(JSONValue.double) ?? .null),
                ("detail", optional(event.detail)),
            ])
        }
        let twoHands = session.configuration.balance
        return .object([
            ("format", .string("lighttouch-session-export")), ("version", .int(1)),
            ("session", .int(Int(summary.id))), ("kind", .string(summary.kind)), ("student", optional(summary.student)),
            ("examiner", optional(summary.examiner)), ("started_at", .string(summary.startedAt)),
            ("status", .string(summary.status.rawValue)), ("sensor", .string(summary.sensorSerial)),
            ("calibrated", .bool(session.conversion.isCalibrated)), ("sample_rate_hz", .double(session.configuration.sampleRate)),
            ("columns", .object([
                ("time_s", .string("session time, s, from the first sample")),
                ("counts", .string("raw ADC counts (one column per channel)")),
                ("untared_g", .string("force before tare, g")),
                ("grams", .string("force after tare, g (empty when not scored)")),
                ("filtered_g", .string("force after the filter, g: what was scored")),
                ("in_band", .string("1 when the filtered force was in the target band")),
                ("over_range", .string("1 when a channel was at a rail: not scored")),
            ] + (twoHands != nil ? [
                ("left_g", .string("two hands: the left hand's (channel 0's) force after its tare and filter, g")),
                ("right_g", .string("two hands: the right hand's (channel 1's) force after its tare and filter, g")),
                ("left_share_pct", .string("two hands: the left share of the total, % (empty unless both hands touch)")),
                ("left_grams", .string("two hands: the left hand's force after its tare, before the filter, g (what a replay scores)")),
                ("right_grams", .string("two hands: the right hand's force after its tare, before the filter, g")),
            ] : []))),
            ("events", .array(events)),
        ] + (twoHands.map { balance in
            // grams and filtered_g are then the hands' mean; the hands and the balance band follow.
            [("hands", .int(2)), ("balance_target_pct", .double(balance.target)), ("balance_tolerance_pct", .double(balance.tolerance))]
        } ?? []) + [("options", .object(session.configuration.jsonMembers))])
    }
}
