import Foundation
import Testing

/// `lighttouch devices` and `lighttouch stream --sensor demo`, run as built.
@Suite struct DemoStreamTests {
    @Test func streamsAtTheHighestRateOnEveryChannelWithEveryBadFrameCounted() throws {
        let result = try Programs.run(
            "lighttouch",
            ["stream", "--sensor", "demo", "--rate", "1000", "--channels", "4", "--duration", "4", "--json", "--summary-only",
             "--corrupt-rate", "0.03", "--drop-rate", "0.03", "--seed", "7"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(Programs.lastJSONObject(result.stdout), "no summary in: \(result.stdout)")
        let injected = try #require(summary["injected"] as? [String: Int])
        let frames = try #require(summary["frames"] as? Int)
        #expect(summary["channels"] as? Int == 4)
        #expect(summary["sample_rate_hz"] as? Int == 1000)
        #expect(injected["corrupted", default: 0] > 10 && injected["dropped", default: 0] > 10)
        // Every damaged packet is a CRC error and every dropped one a lost frame, exactly.
        #expect(summary["crc_errors"] as? Int == injected["corrupted"])
        // A frame is also lost when the host polls too late and the device's
        // queue overflows (the demo sensor runs the device reference, which
        // drops the frame and flags FIFO_OVERFLOW on the next one): a busy
        // shared machine does that now and then, and it must be flagged.
        let lost = try #require(summary["lost_frames"] as? Int)
        let dropped = injected["dropped", default: 0]
        if summary["overflow_flags"] as? Int == 0 {
            #expect(lost == dropped)
        } else {
            #expect(lost > dropped)
        }
        #expect(summary["malformed_frames"] as? Int == 0)
        // Only valid frames became samples: 3 per channel per frame at 4 channels.
        #expect(summary["samples"] as? Int == 3 * frames)
        // About 4 s at 1000/3 frames per second reached the host or was accounted for.
        let accounted = frames + injected["corrupted", default: 0] + injected["dropped", default: 0]
        #expect((1100...1450).contains(accounted), "frames accounted: \(accounted)")
    }

    @Test func aCleanStreamLosesNothing() throws {
        let result = try Programs.run("lighttouch", ["stream", "--sensor", "demo", "--duration", "2", "--json", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(Programs.lastJSONObject(result.stdout))
        #expect(summary["lost_frames"] as? Int == 0)
        #expect(summary["crc_errors"] as? Int == 0)
        #expect(summary["frames"] as? Int ?? 0 >= 150)
        let duration = try #require(summary["duration_s"] as? Double)
        #expect(duration > 1.5 && duration < 2.5)
    }

    @Test func samplesPrintAsJSONLinesWithDeviceTimes() throws {
        let result = try Programs.run("lighttouch", ["stream", "--sensor", "demo", "--duration", "0.5", "--json", "--rate", "320"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").dropLast()
        #expect(lines.count > 100)
        let times = lines.compactMap { line -> Double? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["t_s"] as? Double
        }
        #expect(times.count == lines.count)
        // 320 Hz: consecutive samples 3125 µs apart on the device clock.
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(abs(later - earlier - 0.003125) < 1e-9)
        }
    }

    @Test func devicesListsTheDemoSensor() throws {
        let result = try Programs.run("lighttouch", ["devices", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(list.contains { $0["serial"] as? String == "demo" && $0["sample_rate_hz"] as? Int == 1000 })
    }

    @Test(arguments: [
        (["stream", "--sensor", "demo", "--rate", "7"], 64, "lighttouch: --rate must be one of 10, 80, 320 or 1000 Hz (got 7)"),
        (["stream", "--sensor", "demo", "--scenario", "wobbly"], 64, "lighttouch: unknown scenario `wobbly`"),
        (["stream", "--sensor", "demo", "--force-script", "/nonexistent.csv"], 65, "lighttouch: /nonexistent.csv: cannot read the force script"),
        (["stream", "--sensor", "demo", "--channels", "5"], 64, "lighttouch: demo sensor: channels must be 1 to 4 (got 5)"),
        (["stream", "--sensor", "demo", "--duration=-1"], 64, "lighttouch: --duration must be a positive number of seconds"),
        (["stream", "--scenario", "novice", "--sensor", "LT-NOPE"], 64, "lighttouch: the demo-sensor options"),
    ])
    func badOptionsGetOneClearLineAndANonzeroExit(arguments: [String], status: Int32, message: String) throws {
        let result = try Programs.run("lighttouch", arguments)
        #expect(result.status == status)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// The emulator takes the same sensor-model options, and its bad options
    /// get the same kind of answer.
    @Test(arguments: [
        (["--channels", "5", "--", "true"], Int32(64), "lighttouch-emulator: channels must be 1 to 4 (got 5)\n"),
        (["--scenario", "wobbly", "--", "true"], 64, "lighttouch-emulator: unknown scenario `wobbly`; choose one of"),
        (["--force-script", "/nonexistent.csv", "--", "true"], 65, "lighttouch-emulator: /nonexistent.csv: cannot read the force script"),
        (["--stored-calibration", "/nonexistent.bin", "--", "true"], 66, "lighttouch-emulator: cannot read the calibration blob /nonexistent.bin\n"),
        (["--drop-rate", "2", "--", "true"], 64, "lighttouch-emulator: --drop-rate must be a fraction from 0 to 1 (got 2.0)"),
    ])
    func theEmulatorsBadOptionsGetOneClearLine(arguments: [String], status: Int32, message: String) throws {
        let result = try Programs.run("lighttouch-emulator", arguments)
        #expect(result.status == status)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func aBadForceScriptNamesTheFileAndLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("force-\(UUID().uuidString).csv")
        try "time_s,force_g\n0,0\n1,five\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Programs.run("lighttouch", ["stream", "--sensor", "demo", "--force-script", file.path, "--duration", "1"])
        #expect(result.status == 65)
        #expect(result.stderr == "lighttouch: \(file.path):3: `five` in column force_g is not a number\n")
    }

    @Test func aForceScriptDrivesTheDemoSensor() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("force-\(UUID().uuidString).csv")
        try "time_s,force_g\n0,5\n100,5\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Programs.run(
            "lighttouch", ["stream", "--sensor", "demo", "--force-script", file.path, "--noise-g", "0", "--duration", "0.3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = result.stdout.split(separator: "\n").dropLast().compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(samples.count > 100)
        // 5 g at 4000 counts/g over 120000: exactly 140000 counts, 5 g nominal.
        #expect(samples.allSatisfy { ($0["counts"] as? [Int]) == [140_000] && ($0["grams"] as? [Double]) == [5] })
    }
}
