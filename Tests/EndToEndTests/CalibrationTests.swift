import Foundation
import Testing

/// `lighttouch calibrate …` run as a user runs it: against the demo sensor,
/// the emulated USB sensor (when umockdev is there), and the reference run in
/// calibration/reference-run.
@Suite(.serialized) struct CalibrationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let referenceRun = repository.appendingPathComponent("calibration/reference-run")

    /// Fast stability settings, so that a whole run takes about 30 s.
    static let fast = ["--stable-window-s", "0.25", "--settle-s", "0.3", "--reading-s", "0.5", "--step-timeout-s", "20"]

    static func temporaryDirectory() -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-cal-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A force script with a plateau per load (hold s), moves of `move` s, and
    /// `knock` (time, grams) added for 0.2 s if given.
    static func forceScript(_ loads: [Double], hold: Double = 1.6, move: Double = 0.3, knockAt: Double? = nil) -> String {
        var rows = ["time_s,force_g"]
        var t = 0.0
        for load in loads {
            rows.append("\(t),\(load)")
            if let knockAt, knockAt > t, knockAt < t + hold {
                rows.append("\(knockAt),\(load)")
                rows.append("\(knockAt + 0.05),\(load + 1)")
                rows.append("\(knockAt + 0.1),\(load)")
                rows.append("\(knockAt + 0.15),\(load + 1)")
                rows.append("\(knockAt + 0.2),\(load)")
            }
            t += hold
            rows.append("\(t),\(load)")
            t += move
        }
        rows.append("\(t + 3),0")
        return rows.joined(separator: "\n") + "\n"
    }

    static let steps: [Double] = [0, 2, 5, 10, 5, 2, 0, 2, 5, 10, 5, 2, 0]

    static func write(_ text: String, _ name: String, in directory: URL) -> String {
        let url = directory.appendingPathComponent(name)
        try? Data(text.utf8).write(to: url)
        return url.path
    }

    static func json(_ path: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func c1(_ certificate: [String: Any]?) -> Double? {
        (certificate?["coefficients"] as? [Any])?.dropFirst().first.flatMap { ($0 as? NSNumber)?.doubleValue }
    }

    /// One line on stderr, naming the problem; exit status as given.
    func expectOneLineError(_ result: Programs.Result, status: Int32, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "status \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    }

    // MARK: fit

    @Test func fitPrintsTheDocumentedJSON() throws {
        let points = Self.referenceRun.appendingPathComponent("points.csv").path
        let result = try Programs.run("lighttouch", ["calibrate", "fit", points, "--degree", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(Programs.lastJSONObject(result.stdout))
        for key in ["degree", "n", "coefficients", "residual_sd", "r_squared", "max_abs_residual", "metrics"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["degree"] as? Int == 2)
        #expect(object["n"] as? Int == 17)
        // The same coefficients as the certificate the run wrote.
        let certificate = Self.json(Self.referenceRun.appendingPathComponent("certificate.json").path)
        let fitted = (object["coefficients"] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
        let certified = (certificate?["coefficients"] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
        #expect(fitted.count == 3)
        for (a, b) in zip(fitted, certified) { #expect(abs(a - b) <= 1e-9 * max(abs(b), 1)) }
    }

    @Test func fitRefusesBadPointsWithOneLine() throws {
        let directory = Self.temporaryDirectory()
        let cases: [(String, String, String)] = [
            ("falling.csv", "load_g,reading\n0,1000\n5,950\n10,900\n20,800\n", "do not rise with the load"),
            ("few.csv", "load_g,reading\n0,1000\n10,2000\n20,3000\n", "too few"),
            ("degree.csv", "load_g,reading\n0,1000\n10,2000\n0,1001\n10,2001\n", "too high for 2 distinct loads"),
            ("header.csv", "mass,counts\n0,1000\n", "expected the header `load_g,reading`"),
            ("text.csv", "load_g,reading\n0,1000\nfive,2000\n", "is not a number"),
        ]
        for (name, text, message) in cases {
            let path = Self.write(text, name, in: directory)
            let result = try Programs.run("lighttouch", ["calibrate", "fit", path])
            expectOneLineError(result, status: 65, containing: message)
        }
        let degreeFour = try Programs.run("lighttouch", ["calibrate", "fit", Self.write("load_g,reading\n0,1\n", "x.csv", in: directory), "--degree", "4"])
        #expect(degreeFour.status == 64)
    }

    // MARK: certificates

    @Test func showReadsTheReferenceCertificateAndRefusesDamagedOnes() throws {
        let certificate = Self.referenceRun.appendingPathComponent("certificate.json").path
        let shown = try Programs.run("lighttouch", ["calibrate", "show", certificate])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("LT-EMU-0001"))
        #expect(shown.stdout.contains("5 g is inside"))

        let directory = Self.temporaryDirectory()
        let original = try String(contentsOfFile: certificate, encoding: .utf8)
        let truncated = Self.write(String(original.prefix(200)), "truncated.json", in: directory)
        expectOneLineError(try Programs.run("lighttouch", ["calibrate", "show", truncated]), status: 65, containing: "not valid JSON")
        let future = Self.write(original.replacingOccurrences(of: "\"version\":1", with: "\"version\":9"), "v9.json", in: directory)
        expectOneLineError(try Programs.run("lighttouch", ["calibrate", "show", future]), status: 65, containing: "version 9 is not understood")
        // c0 changed by hand, as text (everywhere it appears): it no longer matches the points.
        guard let range = original.range(of: "\"coefficients\":["),
            let end = original[range.upperBound...].firstIndex(of: ",")
        else {
            Issue.record("the reference certificate has no coefficients")
            return
        }
        let c0 = String(original[range.upperBound..<end])
        let edited = Self.write(original.replacingOccurrences(of: c0, with: "1" + c0), "edited.json", in: directory)
        expectOneLineError(try Programs.run("lighttouch", ["calibrate", "show", edited]), status: 65, containing: "the file was changed")
    }

    @Test func aCertificateForAnotherSensorIsRefused() throws {
        let certificate = Self.referenceRun.appendingPathComponent("certificate.json").path  // LT-EMU-0001's
        let result = try Programs.run("lighttouch", ["calibrate", "show", "--sensor", "demo", "--calibration", certificate])
        expectOneLineError(result, status: 65, containing: "is the certificate of sensor LT-EMU-0001, but this sensor is LT-DEMO-0001: refused")
    }

    @Test func aCorruptCertificateFallsBackToUncalibrated() throws {
        let directory = Self.temporaryDirectory()
        let corrupt = Self.write("{\"format\":\"lighttouch-calibration-certificate\",\"version\":1", "corrupt.json", in: directory)
        let result = try Programs.run("lighttouch", ["calibrate", "show", "--sensor", "demo", "--calibration", corrupt])
        #expect(result.status == 0)
        #expect(result.stderr.contains("the certificate is corrupt"))
        #expect(result.stderr.contains("using the sensor uncalibrated"))
        #expect(result.stdout.contains("uncalibrated"))
    }

    // MARK: runs on the demo sensor

    /// The run is a `calibration` session: it replays to the certificate it
    /// wrote, byte for byte, and its report draws the curve and residuals.
    func expectTheRunIsRecorded(dataDir: String, certificate: String, printed: String, in directory: URL) throws {
        let listed = try Programs.run("lighttouch", ["sessions", "--json", "--data-dir", dataDir])
        let sessions = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(sessions.count == 1)
        #expect(sessions.first?["kind"] as? String == "calibration")
        #expect(sessions.first?["status"] as? String == "complete")
        let written = try String(contentsOfFile: certificate, encoding: .utf8)
        #expect(printed == written)
        let replayed = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stdout == written, "the replay gives the certificate the run wrote")
        try Programs.expectReplayReproduces("1", dataDir: dataDir)

        let svg = directory.appendingPathComponent("run.svg").path
        let report = try Programs.run("lighttouch", ["report", "1", "--out", svg, "--data-dir", dataDir])
        #expect(report.status == 0, "\(report.stderr)")
        let drawn = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(drawn.contains("Session 1: calibration of LT-DEMO-0001"))
        #expect(drawn.contains("reading = "), "the equation under the curve")
        #expect(!drawn.contains(/[^A-Za-z](nan|inf)[^A-Za-z]/), "no coordinate is NaN or infinite")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
            let rendered = try Programs.run("/usr/bin/rsvg-convert", [svg, "-o", directory.appendingPathComponent("run.png").path])
            #expect(rendered.status == 0, "\(rendered.stderr)")
        }
    }

    /// A hands-free run on the demo sensor with noise 0: c1 within 0.1 %, the
    /// blob round-trips through the sensor's flash, and an expired
    /// certificate warns where grams are shown.
    @Test func demoRunRecoversTheTransferFunctionAndExpiredCertificatesWarn() throws {
        let directory = Self.temporaryDirectory()
        let script = Self.write(Self.forceScript(Self.steps), "script.csv", in: directory)
        let certificate = directory.appendingPathComponent("old.json").path
        let dataDir = directory.appendingPathComponent("data").path
        let run = try Programs.run(
            "lighttouch",
            ["calibrate", "run", "--sensor", "demo", "--force-script", script, "--noise-g", "0", "--nonlinearity", "0.001",
             "--counts-per-gram", "3500", "--offset", "50000", "--yes", "--masses", "0,2,5,10", "--series", "2",
             "--calibrated-at", "2020-01-15", "--out", certificate, "--write-to-sensor", "--json", "--data-dir", dataDir] + Self.fast,
            timeout: 120)
        #expect(run.status == 0, "\(run.stderr)")
        try expectTheRunIsRecorded(dataDir: dataDir, certificate: certificate, printed: run.stdout, in: directory)
        #expect(run.stderr.contains("read back identical"))
        let written = try #require(Self.json(certificate))
        let c1 = try #require(Self.c1(written))
        #expect(abs(c1 / 3500 - 1) < 0.001, "c1 = \(c1)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("old.svg").path))
        #expect(written["expires_at"] as? String == "2021-01-15T00:00:00Z")

        // The demo sensor's serial is the same in the next process: the old certificate is expired.
        let shown = try Programs.run(
            "lighttouch", ["calibrate", "show", "--sensor", "demo", "--calibration", certificate, "--counts-per-gram", "3500", "--offset", "50000"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stderr.contains("expired on 2021-01-15"))
        #expect(shown.stdout.contains("EXPIRED"))
        // The quick check before class: PASS on the same sensor, FAIL when its sensitivity moved by 3 %.
        let check = Self.write("time_s,force_g\n0,0\n3.5,0\n4,5\n20,5\n", "check.csv", in: directory)
        for (countsPerGram, status, verdict) in [("3500", Int32(0), "PASS"), ("3605", Int32(1), "FAIL")] {
            let result = try Programs.run(
                "lighttouch",
                ["calibrate", "check", "--sensor", "demo", "--calibration", certificate, "--mass", "5", "--yes", "--force-script", check,
                 "--noise-g", "0", "--nonlinearity", "0.001", "--counts-per-gram", countsPerGram, "--offset", "50000"],
                timeout: 60)
            #expect(result.status == status, "check at \(countsPerGram): \(result.stderr)")
            #expect(result.stdout.contains(verdict), "check at \(countsPerGram): \(result.stdout)")
            #expect(result.stderr.contains("expired on 2021-01-15"))
        }
        let practice = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--calibration", certificate, "--plain", "--duration", "1", "--scenario", "rest"])
        #expect(practice.stderr.contains("expired on 2021-01-15"), "practice: \(practice.stderr)")
        // …and every status line that shows grams says so.
        let statusLines = practice.stdout.split(separator: "\n").filter { $0.hasPrefix("t ") }
        #expect(!statusLines.isEmpty && statusLines.allSatisfy { $0.contains("calibration EXPIRED") }, "practice: \(practice.stdout)")
        let streamed = try Programs.run(
            "lighttouch", ["stream", "--sensor", "demo", "--calibration", certificate, "--duration", "0.3", "--json", "--summary-only"])
        #expect(Programs.lastJSONObject(streamed.stdout)?["calibrated"] as? Bool == true, "stream: \(streamed.stdout) \(streamed.stderr)")
        #expect(streamed.stderr.contains("expired on 2021-01-15"))
    }

    @Test func aMassMovedDuringAReadingStopsTheRunAndWritesNothing() throws {
        let directory = Self.temporaryDirectory()
        // Plateau 3 (5 g) runs 3.8…5.4 s; its reading starts after 0.25 + 0.3 s settled: a knock at 4.6 s hits it.
        let script = Self.write(Self.forceScript(Self.steps, knockAt: 4.6), "knock.csv", in: directory)
        let certificate = directory.appendingPathComponent("cert.json").path
        let run = try Programs.run(
            "lighttouch",
            ["calibrate", "run", "--sensor", "demo", "--force-script", script, "--noise-g", "0", "--yes", "--masses", "0,2,5,10",
             "--out", certificate] + Self.fast,
            timeout: 120)
        #expect(run.status == 65)
        #expect(run.stderr.contains("the load moved during the reading"), "\(run.stderr)")
        #expect(run.stderr.contains("nothing was written"))
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        #expect(files.sorted() == ["knock.csv"], "left behind: \(files)")
    }

    // MARK: through the emulated USB sensor

    static let emulatorAvailable: Bool = {
        guard let trial = try? Programs.run("lighttouch-emulator", ["--quiet", "--", "/bin/true"], timeout: 30) else { return false }
        return trial.status == 0 && !trial.timedOut
    }()

    /// Hands-free through the emulator, noise 0 and realistic noise: c1 within
    /// 0.1 % and 0.5 %; the blob written to the sensor's flash reads back in
    /// the next program and carries the certificate's SHA-256.
    @Test(.enabled(if: emulatorAvailable), arguments: [(0.0, 0.001), (0.02, 0.005)])
    func emulatedRunRecoversTheTransferFunction(noise: Double, tolerance: Double) throws {
        let directory = Self.temporaryDirectory()
        let script = Self.write(Self.forceScript(Self.steps), "script.csv", in: directory)
        let certificate = directory.appendingPathComponent("cert.json").path
        let lighttouch = Programs.path("lighttouch")
        let run = ([lighttouch, "calibrate", "run", "--yes", "--masses", "0,2,5,10", "--out", certificate, "--write-to-sensor"] + Self.fast)
            .joined(separator: " ")
        let result = try Programs.run(
            "lighttouch-emulator",
            ["--quiet", "--force-script", script, "--noise-g", "\(noise)", "--nonlinearity", "0.002", "--counts-per-gram", "4200",
             "--offset", "90000", "--", "sh", "-c", "\(run) >/dev/null && \(lighttouch) calibrate show --json"],
            timeout: 150)
        #expect(result.status == 0, "\(result.stderr)")
        let c1 = try #require(Self.c1(Self.json(certificate)))
        #expect(abs(c1 / 4200 - 1) < tolerance, "noise \(noise): c1 = \(c1)")
        let shown = try #require(Programs.lastJSONObject(result.stdout))
        #expect(shown["calibrated"] as? Bool == true)
        #expect(shown["source"] as? String == "sensor flash")
        // The blob names the certificate: the first 16 bytes of the file's SHA-256.
        let digest = try Programs.run("/usr/bin/sha256sum", [certificate])
        #expect(shown["certificate_id"] as? String == String(digest.stdout.prefix(32)))
        let stored = (shown["coefficients"] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
        #expect(stored.count == 4)
        #expect(stored.dropFirst().first == c1)
    }

    /// A two-channel sensor calibrated a channel at a time into its flash,
    /// which holds one blob for both (PROTOCOL.md §5): channel 1 alone is
    /// refused; channel 0, then channel 1 merged with the flash's channel 0;
    /// channel 0 again is refused unless channel 1's certificate comes with
    /// it (the flash never loses a channel). The blob's id is the first 16
    /// bytes of the SHA-256 of the channels' certificate ids, worked out here
    /// with sha256sum; its channels are each certificate's coefficients, and
    /// two hands then run on the flash's calibration with no warning.
    @Test(.enabled(if: emulatorAvailable))
    func eachChannelIsStoredInTheOneBlobAndNoneIsDropped() throws {
        let directory = Self.temporaryDirectory()
        // Three calibration cycles (0, 5 and 10 g, two series) on both channels, after 4 s and 5 s at rest
        // between them: each run starts at rest and takes the next cycle.
        let loads: [Double] = [0, 5, 10, 5, 0, 5, 10, 5, 0]
        var rows = ["time_s,force_g_left,force_g_right", "0,0,0"]
        var t = 4.0
        for _ in 0..<3 {
            for load in loads {
                rows += ["\(t),\(load),\(load)", "\(t + 1.2),\(load),\(load)"]
                t += 1.4
            }
            t += 5
            rows.append("\(t - 0.2),0,0")
        }
        rows.append("\(t + 60),0,0")
        let script = Self.write(rows.joined(separator: "\n") + "\n", "script.csv", in: directory)
        let path = directory.path
        let run = ([Programs.path("lighttouch"), "calibrate", "run", "--yes", "--masses", "0,5,10", "--degree", "1", "--write-to-sensor",
                    "--data-dir", "\(path)/data"] + Self.fast).joined(separator: " ")
        let show = "\(Programs.path("lighttouch")) calibrate show --json"
        let steps = """
            \(run) --channel 1 >/dev/null 2>\(path)/first.err; echo $? >\(path)/first.rc
            \(run) --channel 0 --out \(path)/c0.json >/dev/null 2>\(path)/c0.err || exit 10
            \(run) --channel 1 --out \(path)/c1.json >/dev/null 2>\(path)/c1.err || exit 11
            \(show) >\(path)/show1.json 2>\(path)/show1.err || exit 12
            \(run) --channel 0 >/dev/null 2>\(path)/drop.err; echo $? >\(path)/drop.rc
            \(run) --channel 0 --store-with \(path)/c1.json --out \(path)/c0b.json >/dev/null 2>\(path)/c0b.err || exit 13
            \(show) >\(path)/show2.json || exit 14
            \(Programs.path("lighttouch")) practice --hands 2 --duration 1 --json --data-dir \(path)/data >\(path)/practice.json 2>\(path)/practice.err
            """
        let result = try Programs.run(
            "lighttouch-emulator",
            ["--quiet", "--channels", "2", "--force-script", script, "--noise-g", "0", "--counts-per-gram", "4200", "--offset", "90000",
             "--", "sh", "-c", steps],
            timeout: 150)
        func text(_ name: String) -> String { (try? String(contentsOfFile: "\(path)/\(name)", encoding: .utf8)) ?? "" }
        #expect(result.status == 0, "\(result.stderr)\(text("c0.err"))\(text("c1.err"))\(text("c0b.err"))")

        #expect(text("first.rc") == "64\n")
        #expect(text("first.err").contains("to store channel 1 in LT-EMU-0001's flash, its calibration needs channel 0 too"), "\(text("first.err"))")
        #expect(text("drop.rc") == "64\n")
        #expect(text("drop.err").contains("would drop channel 1: give its certificate with --store-with FILE"), "\(text("drop.err"))")
        #expect(text("c1.err").contains("stored in LT-EMU-0001's flash with channel 0 the sensor's flash, channel 1 this run"), "\(text("c1.err"))")

        func id(_ file: String) throws -> String {
            String(try Programs.run("/usr/bin/sha256sum", ["\(path)/\(file)"]).stdout.prefix(32))
        }
        func merged(_ first: String, _ second: String) throws -> String {
            var bytes: [UInt8] = []
            for hex in [first, second] {
                var index = hex.startIndex
                while index < hex.endIndex {
                    let next = hex.index(index, offsetBy: 2)
                    bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
                    index = next
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(path)/ids.bin"))
            return try id("ids.bin")
        }
        func coefficients(_ certificate: String) -> [Double] {
            ((Self.json("\(path)/\(certificate)")?["coefficients"] as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
        }
        for (show, first) in [("show1.json", "c0.json"), ("show2.json", "c0b.json")] {
            let shown = try #require(Self.json("\(path)/\(show)"), "\(text(show))")
            #expect(shown["certificate_id"] as? String == (try merged(try id(first), try id("c1.json"))), "\(show)")
            let channels = (shown["channels"] as? [[Any]])?.map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
            var expected = [coefficients(first), coefficients("c1.json")]
            for index in expected.indices { while expected[index].count < 4 { expected[index].append(0) } }
            #expect(channels == expected, "\(show): \(shown)")
            #expect(abs((channels?[1][1] ?? 0) / 4200 - 1) < 0.001)
            // The earlier calibration's date and expiry: the blob is due when its first channel is.
            let c1 = try #require(Self.json("\(path)/c1.json"))
            let earliest = [Self.json("\(path)/\(first)")?["calibrated_at"] as? String, c1["calibrated_at"] as? String].compactMap { $0 }.min()
            #expect(shown["calibrated_at"] as? String == earliest)
        }
        #expect(text("show1.err").isEmpty, "both channels are covered: \(text("show1.err"))")
        let results = try #require(Programs.lastJSONObject(text("practice.json")), "\(text("practice.err"))")
        #expect((results["session"] as? [String: Any])?["calibrated"] as? Bool == true)
        #expect(text("practice.err").isEmpty, "\(text("practice.err"))")
    }

    /// What the sensor's flash holds, from the protocol's vectors: a corrupt or
    /// foreign blob is reported by name and the sensor is used uncalibrated; a
    /// valid one is used (and warned about once it has expired).
    @Test(.enabled(if: emulatorAvailable), arguments: [
        ("bad_crc", "stored calibration is corrupt: crc_mismatch", false),
        ("serial_mismatch", "stored calibration is corrupt: serial_mismatch", false),
        ("version_2", "stored calibration is corrupt: unsupported_version", false),
        ("valid_degree1_one_channel", "", true),
    ])
    func storedBlobsFromTheProtocolVectors(name: String, message: String, calibrated: Bool) throws {
        let vectors = Self.repository.appendingPathComponent("firmware-protocol/vectors/calibration.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: vectors)) as? [String: Any])
        let blobs = try #require(root["blobs"] as? [[String: Any]])
        let vector = try #require(blobs.first { $0["name"] as? String == name })
        let hex = try #require(vector["hex"] as? String)
        let serial = try #require(vector["expected_serial"] as? String)
        let directory = Self.temporaryDirectory()
        let blob = Self.write(hex, "blob.hex", in: directory)
        let result = try Programs.run(
            "lighttouch-emulator",
            ["--quiet", "--serial", serial, "--stored-calibration", blob, "--scenario", "rest", "--",
             Programs.path("lighttouch"), "calibrate", "show", "--json"],
            timeout: 60)
        #expect(result.status == 0, "\(name): \(result.stderr)")
        let shown = try #require(Programs.lastJSONObject(result.stdout))
        #expect(shown["calibrated"] as? Bool == calibrated, "\(name)")
        if calibrated {
            #expect(shown["source"] as? String == "sensor flash")
        } else {
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(result.stderr.contains("using the sensor uncalibrated"))
            #expect(result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
        }
    }
}
