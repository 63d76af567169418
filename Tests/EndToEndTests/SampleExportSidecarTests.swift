import Foundation
import Testing

/// The JSON beside a sample CSV: what replay takes from it, and a clear
/// error when it is not LightTouch's.
@Suite struct SampleExportSidecarTests {
    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-\(UUID().uuidString)-\(name)").path
    }

    static let samples = "time_s,force_g\n0,0\n0.5,5\n1,5.5\n1.5,7\n2,0\n"

    /// The sidecar's `calibrated` and losses reach the results; without it a foreign CSV counts as calibrated.
    @Test func replayReadsTheSidecar() throws {
        let csv = temporary("s.csv")
        defer {
            try? FileManager.default.removeItem(atPath: csv)
            try? FileManager.default.removeItem(atPath: csv + ".json")
        }
        try Self.samples.write(toFile: csv, atomically: true, encoding: .utf8)
        let alone = try Programs.run("lighttouch", ["replay", csv, "--json", "--filter", "none"])
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.stdout.contains("\"lost_frames\":0,\"rejected_samples\":0,\"calibrated\":true"))
        try "{\"format\":\"lighttouch-samples\",\"version\":1,\"sample_rate_hz\":2,\"calibrated\":false,\"lost_frames\":3,\"rejected_samples\":4}\n"
            .write(toFile: csv + ".json", atomically: true, encoding: .utf8)
        let beside = try Programs.run("lighttouch", ["replay", csv, "--json", "--filter", "none"])
        #expect(beside.status == 0, "\(beside.stderr)")
        #expect(beside.stdout.contains("\"lost_frames\":3,\"rejected_samples\":4,\"calibrated\":false"), "\(beside.stdout)")
    }

    /// Scoring options in the metadata that cannot be used: one line naming the sidecar and the member.
    @Test(arguments: [
        ("{\"filter\":\"kalman\"}", "`options.filter` is not one of none, butterworth, one-euro"),
        ("{\"target_g\":\"five\"}", "`options.target_g` is not a number"),
        ("{\"target_g\":1,\"tolerance_g\":2}", "the recorded options make no sense (--tolerance (2.0 g) must be smaller than --target (1.0 g))"),
        ("[5]", "`options` is not an object"),
    ])
    func unusableRecordedOptionsAreOneClearError(options: String, problem: String) throws {
        let csv = temporary("o.csv")
        defer {
            try? FileManager.default.removeItem(atPath: csv)
            try? FileManager.default.removeItem(atPath: csv + ".json")
        }
        try Self.samples.write(toFile: csv, atomically: true, encoding: .utf8)
        try "{\"format\":\"lighttouch-samples\",\"version\":1,\"options\":\(options)}\n"
            .write(toFile: csv + ".json", atomically: true, encoding: .utf8)
        let result = try Programs.run("lighttouch", ["replay", csv])
        #expect(result.status == 65)
        #expect(
            result.stderr
                == "lighttouch: \(csv).json: \(problem); move it away to replay the CSV with the default options\n")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: ["not json at all \u{1B}[31m", "{\"format\":\"something-else\"}", "[1,2,3]"])
    func aForeignSidecarIsOneClearError(content: String) throws {
        let csv = temporary("f.csv")
        defer {
            try? FileManager.default.removeItem(atPath: csv)
            try? FileManager.default.removeItem(atPath: csv + ".json")
        }
        try Self.samples.write(toFile: csv, atomically: true, encoding: .utf8)
        try content.write(toFile: csv + ".json", atomically: true, encoding: .utf8)
        let result = try Programs.run("lighttouch", ["replay", csv])
        #expect(result.status == 65)
        #expect(
            result.stderr
                == "lighttouch: \(csv).json: not the metadata of a LightTouch export; move it away to replay the CSV alone\n")
        #expect(result.stdout.isEmpty)
    }
}
