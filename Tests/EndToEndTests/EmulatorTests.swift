import Foundation
import Testing

/// The USB driver, end to end: the built `lighttouch` talks through its real
/// libusb code path to a sensor that `lighttouch-emulator` emulates at the
/// usbfs level (umockdev), whose frames come from the sensor model and the C
/// device reference. Serialized: each run streams at up to 1 kHz on a small
/// machine.
@Suite(
    .serialized,
    .enabled(if: Emulator.isAvailable, "skipped: \(Emulator.unavailableReason ?? "")"))
struct EmulatorTests {
    private var lighttouch: String { Programs.path("lighttouch") }

    // MARK: Streaming

    /// Four channels at 320 Hz: the emulated bus needs the host's threads,
    /// and on a shared 2-core machine 4 × 1 kHz lost frames that a real host
    /// controller would not (a CI run lost 75 of 1,333); that figure is the
    /// soak script's (scripts/soak.sh), with a wide margin kept here.
    @Test func streamsFourChannelsWithNothingLostOrDamaged() throws {
        let report = Emulator.temporaryFile("report.json")
        let result = try Emulator.run(
            ["--channels", "4", "--rate", "320", "--report", report, "--quiet"],
            command: [lighttouch, "stream", "--duration", "4", "--json", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.summary, "no summary in: \(result.stdout)\n\(result.stderr)")
        let emulator = try Emulator.report(at: report)
        let frames = try #require(summary["frames"] as? Int)
        #expect(summary["channels"] as? Int == 4)
        #expect(summary["sample_rate_hz"] as? Int == 320)
        #expect(summary["lost_frames"] as? Int == 0)
        #expect(summary["crc_errors"] as? Int == 0)
        #expect(summary["malformed_frames"] as? Int == 0)
        #expect(summary["overflow_flags"] as? Int == 0)
        #expect(summary["samples"] as? Int == 3 * frames)
        // Every frame the device built reached the host: 4 s at 320/3 frames a second, 427.
        #expect(emulator["frames_transmitted"] as? Int == frames)
        #expect((400...450).contains(frames), "frames: \(frames)")
        #expect(summary["transport"] as? String ?? "" == "usb 001/002")
    }

    @Test func injectedCorruptionAndDropsAreCountedExactlyAndNeverBecomeSamples() throws {
        let report = Emulator.temporaryFile("report.json")
        let result = try Emulator.run(
            ["--channels", "4", "--corrupt-rate", "0.03", "--drop-rate", "0.03", "--seed", "11", "--report", report, "--quiet"],
            command: [lighttouch, "stream", "--duration", "3", "--json", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.summary, "no summary in: \(result.stdout)\n\(result.stderr)")
        let emulator = try Emulator.report(at: report)
        let corrupted = try #require(emulator["corrupted"] as? Int)
        let dropped = try #require(emulator["dropped"] as? Int)
        let fifoDropped = try #require(emulator["device_fifo_dropped"] as? Int)
        let frames = try #require(summary["frames"] as? Int)
        #expect(corrupted > 5 && dropped > 5, "too few faults to show anything: \(emulator)")
        // Each damaged packet is one CRC error; each dropped one a lost frame.
        #expect(summary["crc_errors"] as? Int == corrupted)
        #expect(summary["lost_frames"] as? Int == dropped + fifoDropped)
        #expect(summary["malformed_frames"] as? Int == 0)
        // Only valid frames became samples.
        #expect(summary["samples"] as? Int == 3 * frames)
        #expect(emulator["frames_transmitted"] as? Int == frames + corrupted + dropped)
    }

    @Test func devicesListsTheEmulatedSensor() throws {
        let result = try Emulator.run(
            ["--serial", "LT-E2E-42", "--channels", "2", "--rate", "320", "--quiet"], command: [lighttouch, "devices", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let sensor = try #require(list.first { $0["serial"] as? String == "LT-E2E-42" }, "\(result.stdout)")
        #expect(sensor["channels"] as? Int == 2)
        #expect(sensor["sample_rate_hz"] as? Int == 320)
        #expect(sensor["firmware"] as? String == "1.0.0")
        #expect(sensor["protocol"] as? String == "1.0")
    }

    @Test func setsTheRateTheUserAsksFor() throws {
        let result = try Emulator.run(
            ["--rate", "80", "--quiet"],
            command: [lighttouch, "stream", "--rate", "320", "--duration", "1.5", "--json", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.summary)
        #expect(summary["sample_rate_hz"] as? Int == 320)
        #expect(summary["lost_frames"] as? Int == 0)
        #expect(summary["samples"] as? Int ?? 0 > 400)
    }

    // MARK: Unplug, replug, stall

    @Test func unplugMidStreamIsReportedWithinOneSecondAndReplugResumes() throws {
        let summary = try Emulator.streamThroughUnplugAndReplug([])
        // 1 kHz on one channel is 100 frames a second: about 1.5 s before the
        // unplug and 2.5 s after the replug.
        let frames = try #require(summary["frames"] as? Int)
        #expect(frames > 300, "frames: \(frames)")
        // The samples after the replug are used too.
        #expect(summary["samples"] as? Int ?? 0 > 3_000, "\(summary)")
    }

    @Test func withoutReconnectTheStreamReportsTheUnplugAndGoesOn() throws {
        let result = try Emulator.run(
            ["--unplug-at", "0.8", "--replug-at", "1.2"],
            command: [lighttouch, "stream", "--no-reconnect", "--duration", "2.5", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.time(of: "sensor disconnected") != nil, "\(result.stderr)")
        #expect(result.time(of: "sensor reconnected") == nil, "\(result.stderr)")
        #expect(result.elapsed < 6)
    }

    @Test func aStalledSensorIsReportedThenTreatedAsDisconnected() throws {
        let result = try Emulator.run(["--stall-at", "1"], command: [lighttouch, "stream", "--duration", "3", "--summary-only"])
        #expect(result.status == 0, "\(result.stderr)")
        let stalled = try #require(result.time(of: "sensor stalled"), "\(result.stderr)")
        let lost = try #require(result.time(of: "sensor disconnected"), "\(result.stderr)")
        // max(250 ms, 4 frame periods) for "stalled", 1 s without a frame for "disconnected".
        #expect(lost - stalled > 0.5 && lost - stalled < 1.0, "stalled at \(stalled), disconnected at \(lost)")
    }

    @Test(arguments: [0.9, 1.0, 1.1, 1.6])
    func neverHangsWhenInterruptedAroundAnUnplug(signalAfter: Double) throws {
        // No --duration: only SIGINT ends the stream. The emulator forwards it.
        let result = try Emulator.run(
            ["--unplug-at", "1.0"], command: [lighttouch, "stream", "--summary-only"], signal: (SIGINT, signalAfter), timeout: 20)
        #expect(!result.timedOut, "still running 20 s after SIGINT: \(result.stderr)")
        let signalledAt = try #require(result.signalledAt)
        #expect(result.elapsed - signalledAt < 3, "exited \(result.elapsed - signalledAt) s after SIGINT")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("lost frames"), "no summary: \(result.stdout)")
    }

    @Test func sigtermWhileWaitingForTheSensorToReturnEndsPromptly() throws {
        let result = try Emulator.run(
            ["--unplug-at", "0.5"], command: [lighttouch, "stream", "--summary-only"], signal: (SIGTERM, 2.0), timeout: 20)
        #expect(!result.timedOut, "\(result.stderr)")
        let signalledAt = try #require(result.signalledAt)
        #expect(result.elapsed - signalledAt < 3)
        #expect(result.time(of: "sensor disconnected") != nil, "\(result.stderr)")
    }

    // MARK: Errors the user can act on

    @Test func noSensorSaysSoAndSuggestsTheDemo() throws {
        // The emulated sensor has another product ID than the one looked for.
        let result = try Emulator.run(
            ["--quiet"], command: [lighttouch, "stream", "--duration", "1"], environment: ["LIGHTTOUCH_USB_ID": "1209:00ff"])
        #expect(result.status == 69, "\(result.stderr)")
        let lines = result.stderrLines.map(\.text)
        #expect(lines.count == 1, "\(lines)")
        #expect(result.stderr.contains("No sensor found"))
        #expect(result.stderr.contains("--sensor demo"))
    }

    @Test func anUnknownSerialIsNamed() throws {
        let result = try Emulator.run(["--quiet"], command: [lighttouch, "stream", "--sensor", "LT-NOPE", "--duration", "1"])
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("No sensor with serial LT-NOPE"))
        #expect(result.stderr.contains("LT-EMU-0001"))
    }

    @Test func aBusySensorIsNamed() throws {
        let script = """
            "$0" stream --duration 3 --summary-only > /dev/null &
            sleep 1
            "$0" stream --duration 1 --summary-only
            echo "second exited $?" >&2
            wait
            """
        let result = try Emulator.run(["--quiet"], command: ["/bin/sh", "-c", script, lighttouch])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Sensor LT-EMU-0001 is busy"), "\(result.stderr)")
        #expect(result.stderr.contains("second exited 75"), "\(result.stderr)")
    }

    @Test func permissionDeniedNamesTheUdevRule() throws {
        guard getuid() == 0 else {
            print("skipped: the permission test starts the client as `nobody`, which needs root")
            return
        }
        // An unprivileged user against a node only root may open (root opens anything).
        let asNobody = ["/usr/bin/setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
        let probe = try Programs.run("/usr/bin/setpriv", Array(asNobody.dropFirst()) + [lighttouch, "--help"], timeout: 30)
        guard probe.status == 0 else {
            print("skipped: `nobody` cannot run \(lighttouch) (its directory is not readable to other users)")
            return
        }
        let result = try Emulator.run(
            ["--device-mode", "600", "--quiet"], command: asNobody + [lighttouch, "stream", "--duration", "1"])
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("Permission denied"))
        #expect(result.stderr.contains("packaging/udev/70-lighttouch.rules"))
        #expect(result.stderr.contains("TAG+=\"uaccess\""))
    }

    @Test func anUnsupportedProtocolVersionIsRefused() throws {
        let result = try Emulator.run(
            ["--protocol-version", "2.0", "--quiet"], command: [lighttouch, "stream", "--duration", "1"])
        #expect(result.status == 76, "\(result.stderr)")
        #expect(result.stderr.contains("protocol version 2.0 is not supported"), "\(result.stderr)")
    }

    // MARK: The emulator itself

    @Test func exitsWithTheCommandsStatus() throws {
        let result = try Emulator.run(["--quiet"], command: ["/bin/sh", "-c", "exit 3"])
        #expect(result.status == 3)
        let missing = try Emulator.run(["--quiet"], command: ["/nonexistent/program"])
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("cannot run /nonexistent/program"))
    }

    @Test func runsTheCommandWithThePreloadAndTestbed() throws {
        let result = try Emulator.run(["--quiet"], command: ["/bin/sh", "-c", "echo \"$LD_PRELOAD|$UMOCKDEV_DIR\""])
        #expect(result.status == 0)
        #expect(result.stdout.contains("libumockdev-preload.so.0|/"), "\(result.stdout)")
    }
}
