import Foundation
import Testing

/// The Pro Micro + HX711 firmware in the loop: the ELF that `make flash`
/// writes to a board runs on simavr's ATmega32U4 behind the emulated USB bus
/// (`lighttouch-emulator --firmware`), with a simulated HX711 on its pins,
/// and the built `lighttouch` talks to it through its real libusb code path.
/// The same end-to-end checks as against the built-in emulated sensor.
/// Serialized, and named …Emulator… so that scripts/test.sh runs it with the
/// other real-time suites.
@Suite(
    .serialized,
    .enabled(if: FirmwareLoop.unavailableReason == nil, "skipped: \(FirmwareLoop.unavailableReason ?? "")"))
struct FirmwareEmulatorTests {
    private var lighttouch: String { Programs.path("lighttouch") }
    private var firmware: [String] { ["--firmware", FirmwareLoop.elf] }

    @Test func devicesListsTheSensorWithTheSerialItWasFlashedWith() throws {
        let result = try Emulator.run(
            firmware + ["--serial", "LT-FW-0042", "--quiet"], command: [lighttouch, "devices", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let sensor = try #require(list.first { $0["serial"] as? String == "LT-FW-0042" }, "\(result.stdout)")
        #expect(sensor["channels"] as? Int == 1)
        #expect(sensor["sample_rate_hz"] as? Int == 80)
        #expect(sensor["adc_model"] as? String == "HX711")
        #expect(sensor["firmware"] as? String == "1.0.0")
        #expect(sensor["protocol"] as? String == "1.0")
        #expect(sensor["transport"] as? String == "usb 001/002")
    }

    @Test func streamsAt80HzForAMinuteWithNothingLostAndEveryFrameOnTime() throws {
        let report = Emulator.temporaryFile("report.json")
        let result = try Emulator.run(
            firmware + ["--noise-g", "0.02", "--report", report, "--quiet"],
            command: [lighttouch, "stream", "--duration", "60", "--json", "--summary-only"], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.summary, "no summary in: \(result.stdout)\n\(result.stderr)")
        let emulator = try Emulator.report(at: report)
        let frames = try #require(summary["frames"] as? Int)
        #expect(summary["sample_rate_hz"] as? Int == 80)
        #expect(summary["lost_frames"] as? Int == 0)
        #expect(summary["crc_errors"] as? Int == 0)
        #expect(summary["malformed_frames"] as? Int == 0)
        #expect(summary["overflow_flags"] as? Int == 0)
        #expect(summary["not_ready_frames"] as? Int == 0)
        #expect(summary["timestamp_errors"] as? Int == 0)
        #expect(emulator["device_fifo_dropped"] as? Int == 0)
        // The HX711 runs at its own 80.6 samples/s: every frame the firmware
        // built reached the host, one sample each.
        #expect(emulator["frames_transmitted"] as? Int == frames)
        #expect(summary["samples"] as? Int == frames)
        let duration = try #require(summary["duration_s"] as? Double)
        let rate = try #require(emulator["adc_rate_hz"] as? Double)
        #expect(abs(Double(frames) - duration * rate) < 0.02 * duration * rate, "frames: \(frames) in \(duration) s")
        // The firmware read every conversion, in time, the way the datasheet says.
        let conversions = try #require(emulator["adc_conversions"] as? Int)
        #expect(emulator["adc_reads"] as? Int == conversions)
        #expect(emulator["adc_missed_conversions"] as? Int == 0)
        #expect(emulator["adc_power_downs"] as? Int == 0)
        #expect(emulator["adc_long_pulses"] as? Int == 0)
        #expect(emulator["adc_pulses_not_ready"] as? Int == 0)
        #expect(emulator["adc_gain_changes"] as? Int == 0)
        // PROTOCOL.md §2.1: each frame queued within 10 ms of its sample;
        // every frame's sample was found among the conversions (bit order).
        #expect(emulator["latency_frames"] as? Int == frames)
        #expect(emulator["latency_unmatched"] as? Int == 0)
        let latency = try #require(emulator["latency_max_ms"] as? Double)
        #expect(latency <= 10, "latency \(latency) ms")
    }

    @Test func anUnsupportedRateIsRefusedAnd10HzIsOffered() throws {
        let refused = try Emulator.run(
            firmware + ["--quiet"], command: [lighttouch, "stream", "--rate", "320", "--duration", "1"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("refused the rate 320 Hz"), "\(refused.stderr)")
        #expect(refused.stderr.contains("10, 80 Hz"), "\(refused.stderr)")

        let report = Emulator.temporaryFile("report.json")
        let slow = try Emulator.run(
            firmware + ["--report", report, "--quiet"],
            command: [lighttouch, "stream", "--rate", "10", "--duration", "3", "--json", "--summary-only"])
        #expect(slow.status == 0, "\(slow.stderr)")
        let summary = try #require(slow.summary, "\(slow.stdout)")
        #expect(summary["sample_rate_hz"] as? Int == 10)
        #expect(summary["lost_frames"] as? Int == 0)
        // 10.075 samples/s after the HX711's 400 ms of settling at the new rate.
        #expect((20...31).contains(summary["samples"] as? Int ?? 0), "\(summary)")
        #expect(try Emulator.report(at: report)["adc_rate_hz"] as? Double == 10.075)
    }

    @Test func aCalibrationWrittenToTheSensorIsReadBackAfterAPowerCycle() throws {
        let directory = CalibrationTests.temporaryDirectory()
        let script = CalibrationTests.write(CalibrationTests.forceScript(CalibrationTests.steps), "script.csv", in: directory)
        let certificate = directory.appendingPathComponent("cert.json").path
        let eeprom = directory.appendingPathComponent("eeprom.bin").path
        let run = ([lighttouch, "calibrate", "run", "--yes", "--masses", "0,2,5,10", "--out", certificate, "--write-to-sensor"]
            + CalibrationTests.fast).joined(separator: " ")
        let calibrated = try Emulator.run(
            firmware + ["--serial", "LT-FW-CAL", "--eeprom", eeprom, "--force-script", script, "--quiet"],
            command: ["sh", "-c", "\(run) >/dev/null"], timeout: 150)
        #expect(calibrated.status == 0, "\(calibrated.stderr)")
        let c1 = try #require(CalibrationTests.c1(CalibrationTests.json(certificate)))
        #expect(abs(c1 / 21_474.8 - 1) < 0.005, "c1 = \(c1)")

        // The sensor is powered up again from the EEPROM it kept.
        let shown = try Emulator.run(
            firmware + ["--eeprom", eeprom, "--quiet"], command: [lighttouch, "calibrate", "show", "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let json = try #require(Programs.lastJSONObject(shown.stdout), "\(shown.stdout)")
        #expect(json["serial"] as? String == "LT-FW-CAL")
        #expect(json["calibrated"] as? Bool == true)
        #expect(json["source"] as? String == "sensor flash")
        let digest = try Programs.run("/usr/bin/sha256sum", [certificate])
        #expect(json["certificate_id"] as? String == String(digest.stdout.prefix(32)))
        let stored = (json["coefficients"] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
        #expect(stored.dropFirst().first == c1)
    }

    @Test func aCorruptBlobInEEPROMIsReportedAndTheSensorUsedUncalibrated() throws {
        let vectors = CalibrationTests.repository.appendingPathComponent("firmware-protocol/vectors/calibration.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: vectors)) as? [String: Any])
        let blobs = try #require(root["blobs"] as? [[String: Any]])
        let vector = try #require(blobs.first { $0["name"] as? String == "bad_crc" })
        let hex = try #require(vector["hex"] as? String)
        let serial = try #require(vector["expected_serial"] as? String)
        let blob = CalibrationTests.write(hex, "blob.hex", in: CalibrationTests.temporaryDirectory())
        let result = try Emulator.run(
            firmware + ["--serial", serial, "--stored-calibration", blob, "--quiet"],
            command: [lighttouch, "stream", "--duration", "1.5", "--json", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("stored calibration is corrupt: crc_mismatch"), "\(result.stderr)")
        #expect(result.stderr.contains("using the sensor uncalibrated"), "\(result.stderr)")
        let summary = try #require(result.summary, "\(result.stdout)")
        #expect(summary["calibrated"] as? Bool == false)
        #expect(summary["samples"] as? Int ?? 0 > 60, "\(summary)")
    }

    @Test func anUnplugIsReportedWithinOneSecondAndTheStreamResumesOnReplug() throws {
        let summary = try Emulator.streamThroughUnplugAndReplug(firmware)
        #expect(summary["lost_frames"] as? Int == 0, "\(summary)")
        // 80 samples a second for about 1.5 s before the unplug and 2.4 s
        // after the replug (the HX711 settles for 50 ms at power-up).
        #expect((250...330).contains(summary["samples"] as? Int ?? 0), "\(summary)")
    }

    @Test func practiceShowsTheScriptedForceInGrams() throws {
        // At rest for 3 s (practice tares at its start), then 25 g.
        let script = CalibrationTests.write(
            "time_s,force_g\n0,0\n3,0\n3.4,25\n20,25\n", "press.csv", in: CalibrationTests.temporaryDirectory())
        let result = try Emulator.run(
            firmware + ["--force-script", script, "--quiet"], command: [lighttouch, "practice", "--plain", "--duration", "7"])
        #expect(result.status == 0, "\(result.stderr)")
        // "t 5.5 s  25.00 g  too heavy …": uncalibrated, through the firmware's
        // nominal sensitivity, after the tare at the start.
        let pressed = result.stdout.split(separator: "\n").compactMap { line -> Double? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4, fields[0] == "t", let t = Double(fields[1]), t >= 5, fields[4] == "g" else { return nil }
            return Double(fields[3])
        }
        #expect(pressed.count >= 5, "\(result.stdout)")
        #expect(pressed.allSatisfy { abs($0 - 25) < 0.3 }, "\(pressed)")
    }

    /// The simulated HX711 is strict where the datasheet is: a firmware that
    /// holds PD_SCK high too long fails the checks above.
    @Test func aFirmwareThatMistimesItsReadsIsCaught() throws {
        let built = try Programs.run("/usr/bin/make", ["-s", "-C", FirmwareLoop.directory.path, "test-firmwares"], timeout: 180)
        #expect(built.status == 0, "\(built.stderr)")
        let build = FirmwareLoop.directory.appendingPathComponent("build")

        // 70 µs high: the HX711 powers down on every pulse and never delivers.
        let report = Emulator.temporaryFile("report.json")
        let result = try Emulator.run(
            ["--firmware", build.appendingPathComponent("test-mistimed-70us.elf").path, "--report", report, "--quiet"],
            command: [lighttouch, "stream", "--duration", "2", "--json", "--summary-only"])
        let summary = try #require(result.summary, "\(result.stdout)\n\(result.stderr)")
        let emulator = try Emulator.report(at: report)
        #expect(emulator["adc_power_downs"] as? Int ?? 0 > 0)
        #expect(emulator["adc_reads"] as? Int == 0)
        #expect(summary["not_ready_frames"] as? Int ?? 0 > 0, "\(summary)")

        // 55 µs high: past the datasheet's 50 µs; counted.
        let long = Emulator.temporaryFile("report.json")
        _ = try Emulator.run(
            ["--firmware", build.appendingPathComponent("test-mistimed-55us.elf").path, "--report", long, "--quiet"],
            command: [lighttouch, "stream", "--duration", "1", "--summary-only"])
        #expect(try Emulator.report(at: long)["adc_long_pulses"] as? Int ?? 0 > 0)
    }

    /// A firmware that hangs is reset by its watchdog; the host sees the
    /// sensor leave and come back, and the stream goes on.
    @Test func aHungFirmwareIsResetByItsWatchdogAndTheStreamResumes() throws {
        let built = try Programs.run("/usr/bin/make", ["-s", "-C", FirmwareLoop.directory.path, "test-firmwares"], timeout: 180)
        #expect(built.status == 0, "\(built.stderr)")
        let hanging = FirmwareLoop.directory.appendingPathComponent("build/test-hang-2000ms.elf").path
        let report = Emulator.temporaryFile("report.json")
        // It stops 2 s after each start; the watchdog fires 0.5 s later.
        let result = try Emulator.run(
            ["--firmware", hanging, "--report", report], command: [lighttouch, "stream", "--duration", "4", "--json", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        let stalled = try #require(result.time(of: "lighttouch: sensor stalled"), "\(result.stderr)")
        let reset = try #require(result.time(of: "the firmware reset itself (watchdog)"), "\(result.stderr)")
        let resumed = try #require(result.time(of: "lighttouch: sensor reconnected"), "\(result.stderr)")
        #expect(stalled < reset && reset < resumed, "\(result.stderr)")
        #expect(reset - stalled < 1.0, "\(result.stderr)")
        let summary = try #require(result.summary, "\(result.stdout)")
        #expect(summary["disconnects"] as? Int == 1, "\(summary)")
        #expect(summary["lost_frames"] as? Int == 0, "\(summary)")
        #expect(summary["samples"] as? Int ?? 0 > 200, "\(summary)")
        #expect(try Emulator.report(at: report)["chip_resets"] as? Int ?? 0 >= 2)
    }

    @Test func badInputGetsOneClearLine() throws {
        let missing = try Emulator.run(["--firmware", "/nonexistent/firmware.elf"], command: ["/bin/true"])
        #expect(missing.status == 66)
        #expect(missing.stderrLines.map(\.text) == ["lighttouch-emulator: cannot read the firmware /nonexistent/firmware.elf"])

        let notAVR = try Emulator.run(["--firmware", "/bin/true"], command: ["/bin/true"])
        #expect(notAVR.status == 65)
        #expect(notAVR.stderrLines.count == 1, "\(notAVR.stderr)")
        #expect(notAVR.stderr.contains("/bin/true is not an AVR program"), "\(notAVR.stderr)")

        let hex = FirmwareLoop.elf.replacingOccurrences(of: ".elf", with: ".hex")
        let notELF = try Emulator.run(["--firmware", hex], command: ["/bin/true"])
        #expect(notELF.status == 65)
        #expect(notELF.stderr.contains("is not an ELF file"), "\(notELF.stderr)")

        let channels = try Emulator.run(firmware + ["--channels", "2"], command: ["/bin/true"])
        #expect(channels.status == 64)
        #expect(channels.stderrLines.count == 1, "\(channels.stderr)")
        #expect(channels.stderr.contains("the HX711 firmware has one channel"), "\(channels.stderr)")

        let eeprom = try Emulator.run(["--eeprom", "/tmp/x.bin"], command: ["/bin/true"])
        #expect(eeprom.status == 64)
        #expect(eeprom.stderr.contains("--eeprom needs --firmware"), "\(eeprom.stderr)")
    }
}

/// The firmware under test, built by scripts/test.sh (or here, when missing).
enum FirmwareLoop {
    static let directory = CalibrationTests.repository.appendingPathComponent("firmware-protocol/boards/pro-micro-hx711")
    static let elf = directory.appendingPathComponent("build/lighttouch-pro-micro.elf").path

    static let unavailableReason: String? = {
        if let reason = Emulator.unavailableReason { return reason }
        if !FileManager.default.fileExists(atPath: elf) {
            _ = try? Programs.run("/usr/bin/make", ["-s", "-C", directory.path], timeout: 180)
        }
        guard FileManager.default.fileExists(atPath: elf) else {
            return "no firmware at \(elf): `make -C firmware-protocol/boards/pro-micro-hx711` needs gcc-avr and avr-libc (scripts/install-deps.sh)"
        }
        return nil
    }()
}
