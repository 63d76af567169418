import Foundation
import LightTouchCore

/// A recording as CSV: one row per recorded sample instant and one per
/// event, in the order they happened.
///
///     # lighttouch session=3 kind=practice student=ada started_at=… sensor=… calibrated=false sample_rate_hz=1000
///     time_s,counts,untared_g,grams,filtered_g,in_band,event,value,detail
///     0.5,140012,5.003,5.001,4.998,1,,,
///     0.5,,,,,,tare,0.002,
///
/// `counts` is one column per channel (`counts_1`, `counts_2`, … with more
/// than one). `untared_g` is the force before tare; `grams`, `filtered_g`
/// and `in_band` are what was scored, empty for samples that were not
/// (before the first tare, or over range: their `event` is `over_range`).
/// Event rows carry the event's kind, its value (a tare's offset, g) and its detail.
public enum SessionExport {
    public static func csv(_ session: RecordedSession, write: (String) -> Void) throws(FilterConfigurationError) {
        let summary = session.summary
        let channels = session.blocks.first?.channels ?? session.conversion.channels.count
        var header = "# lighttouch session=\(summary.id) kind=\(summary.kind)"
        if let student = summary.student { header += " student=\(field(student))" }
        header += " started_at=\(summary.startedAt) status=\(summary.status.rawValue) sensor=\(field(summary.sensorSerial))"
        header += " calibrated=\(session.conversion.isCalibrated) sample_rate_hz=\(session.configuration.sampleRate)\n"
        write(header)
        let countColumns = channels == 1 ? ["counts"] : (1...max(1, channels)).map { "counts_\($0)" }
        write((["time_s"] + countColumns + ["untared_g", "grams", "filtered_g", "in_band", "event", "value", "detail"]).joined(separator: ",") + "\n")
        let empty = String(repeating: ",", count: countColumns.count + 4)
        var events = session.events[...]
        var lastTime = 0.0
        var row = ""
        /// Writes the events at the head of the list while `due` says so: each
        /// timed one after its sample, the others (unplug, replug) where in the
        /// stream they were recorded.
        func flushEvents(while due: (RecordedEvent) -> Bool) {
            while let event = events.first, due(event) {
                events.removeFirst()
                // A key pressed before the first scored sample is recorded at −1 (`SessionRecorder.noteKey`): it shows at 0.
                let time = event.time.map { max(0, $0) } ?? lastTime
                write("\(time)\(empty),\(event.kind.rawValue),\(event.value.map { "\($0)" } ?? ""),\(field(event.detail ?? ""))\n")
            }
        }
        let replay = SessionReplay(session)
        _ = try replay.run { sample in
            flushEvents { event in event.time.map { $0 < sample.time } ?? (event.blockIndex <= sample.block) }
            lastTime = sample.time
            let block = session.blocks[sample.block]
            row = "\(sample.time)"
            for channel in 0..<block.channels { row += ",\(block.count(channel: channel, sample: sample.index))" }
            for _ in block.channels..<countColumns.count { row += "," }
            if sample.overRange {
                row += ",,,,,over_range,,\n"
            } else if let processed = sample.processed {
                row += ",\(sample.untared),\(processed.raw),\(processed.filtered),\(processed.inBand ? 1 : 0),,,\n"
            } else {
                row += ",\(sample.untared),,,,,,\n"
            }
            write(row)
            flushEvents { event in event.time.map { $0 <= sample.time } ?? false }
        }
        flushEvents { _ in true }
    }

    /// A CSV field, quoted when it must be.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == " " }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
