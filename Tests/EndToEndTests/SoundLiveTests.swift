import Foundation
import Testing

/// `practice`/`assess --sound`: the real libasound, its default device sent to
/// a file by ALSA's `file` plugin (a test HOME's .asoundrc), the capture
/// analysed with NumPy. (The file plugin does not pace: the player paces
/// itself to the wall clock, so the capture is as long as the session.)
@Suite struct SoundLiveTests {
    struct Home {
        let path: String
        var raw: String { path + "/played.raw" }
        var data: String { path + "/data" }
        var environment: [String: String] { ["HOME": path] }

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-sound-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
            let asoundrc = """
                pcm.!default {
                    type file
                    slave.pcm "null"
                    file "\(path)/played.raw"
                    format "raw"
                }
                """
            try asoundrc.write(toFile: path + "/.asoundrc", atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Per half second of 16-bit mono at 48 kHz: the peak sample and the strongest frequency.
    static let analysis = """
        import json, sys
        import numpy as np
        x = np.fromfile(sys.argv[1], dtype='<i2').astype(float) / 32767
        rate, out = 48000, []
        for a in range(0, len(x) - rate // 2 + 1, rate // 2):
            seg = x[a:a + rate // 2]
            spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), 8 * len(seg)))
            out.append({'peak': float(np.max(np.abs(seg))), 'hz': float(np.argmax(spec)) * rate / (8 * len(seg))})
        print(json.dumps({'seconds': len(x) / rate, 'halves': out}))
        """

    func analyse(_ raw: String) throws -> (seconds: Double, halves: [(peak: Double, hz: Double)]) {
        let run = try Programs.run(SoundReplayTests.python, ["-c", Self.analysis, raw])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let halves = try #require(object["halves"] as? [[String: Any]])
        return (object["seconds"] as? Double ?? 0, halves.map { ($0["peak"] as? Double ?? -1, $0["hz"] as? Double ?? 0) })
    }

    @Test func practiceWithSoundPlaysThroughALSASilentAtRestAndInTheBandsPitchesOnTarget() throws {
        let home = try Home()
        defer { home.remove() }
        let wav = home.path + "/live.wav"
        // The steady student touches after about 2 s and settles near 5 g.
        let run = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--scenario", "steady", "--duration", "5", "--plain", "--sound", "--sound-out", wav,
             "--data-dir", home.data],
            environment: home.environment, timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("sound: 5.0 s played through `default`, 0 underruns"), "\(run.stderr)")
        let played = try analyse(home.raw)
        #expect(abs(played.seconds - 5) < 0.2)
        #expect(played.halves.prefix(2).allSatisfy { $0.peak == 0 }, "rest is silent: \(played.halves)")
        // On target (5 g ± 1 g, held near 5 g): between the band edges' pitches, 370 and 523 Hz.
        let last = try #require(played.halves.last)
        #expect(last.peak > 0.2 && last.hz > 370 && last.hz < 523, "\(played.halves)")
        // --sound-out holds exactly what went to the device.
        let file = try Data(contentsOf: URL(fileURLWithPath: wav))
        #expect(file.dropFirst(44) == (try Data(contentsOf: URL(fileURLWithPath: home.raw))))
    }

    /// The same through the emulated USB sensor (libusb under umockdev, 80 Hz):
    /// silence at rest, then the band's pitches once the student is on target.
    @Test(.enabled(if: Emulator.isAvailable, "skipped: \(Emulator.unavailableReason ?? "")"))
    func soundThroughTheEmulatorFollowsTheForce() throws {
        let home = try Home()
        defer { home.remove() }
        let run = try Emulator.run(
            ["--scenario", "steady", "--rate", "80", "--noise-g", "0", "--quiet"],
            command: [Programs.path("lighttouch"), "practice", "--duration", "5", "--plain", "--sound", "--data-dir", home.data],
            environment: home.environment, timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("sound: 5.0 s played through `default`"), "\(run.stderr)")
        let played = try analyse(home.raw)
        #expect(abs(played.seconds - 5) < 0.3)
        #expect(played.halves.first?.peak == 0, "rest is silent: \(played.halves)")
        let last = try #require(played.halves.last)
        #expect(last.peak > 0.2 && last.hz > 370 && last.hz < 523, "\(played.halves)")
    }

    /// Two hands live: balanced from 2 s to 5 s, then 4.2 and 6.8 g (a 38 %
    /// left share, the mean still in the band): the played tone is steady,
    /// then pulses at 8 Hz between 0.5 and 0.2 of full scale.
    @Test func twoHandsOutOfBalancePulseLive() throws {
        let home = try Home()
        defer { home.remove() }
        let script = home.path + "/hands.csv"
        try "time_s,force_g_left,force_g_right\n0,0,0\n1.5,0,0\n2,5,5\n5,5,5\n5.5,4.2,6.8\n60,4.2,6.8\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let run = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--hands", "2", "--force-script", script, "--noise-g", "0", "--duration", "8", "--plain",
             "--sound", "--data-dir", home.data],
            environment: home.environment, timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        let windows = try SoundReplayTests.envelopes(home.raw, windows: [(3.2, 4.8), (6.3, 7.8)])
        let balanced = try #require(windows.first), unbalanced = try #require(windows.last)
        #expect(abs((balanced["high"] ?? 0) - 0.5) < 0.01 && abs((balanced["low"] ?? 0) - 0.5) < 0.01, "\(balanced)")
        #expect(abs((unbalanced["high"] ?? 0) - 0.5) < 0.02 && abs((unbalanced["low"] ?? 0) - 0.2) < 0.02, "\(unbalanced)")
        #expect(abs((unbalanced["hz"] ?? 0) - 8) < 0.3, "\(unbalanced)")
    }

    @Test func theHoldCueSoundsOnceWhenTheDrillsHoldGoalIsMet() throws {
        let home = try Home()
        defer { home.remove() }
        // first-touch: a 5 s hold goal; the steady student touches after about 2 s and holds.
        let run = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--scenario", "steady", "--drill", "first-touch", "--duration", "10", "--plain", "--sound",
             "--data-dir", home.data],
            environment: home.environment, timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        // The 1760 Hz amplitude in 75 ms steps of 150 ms windows; the cue (0.4, raised-cosine, 150 ms) shows above 0.1.
        let script = """
            import sys
            import numpy as np
            x = np.fromfile(sys.argv[1], dtype='<i2').astype(float) / 32767
            n, step = 7200, 3600
            t = np.arange(n) / 48000
            probe = np.exp(-2j * np.pi * 1760 * t)
            print(' '.join('%.3f' % (2 * abs(np.sum(x[a:a + n] * probe)) / n) for a in range(0, len(x) - n + 1, step)))
            """
        let analysed = try Programs.run(SoundReplayTests.python, ["-c", script, home.raw])
        #expect(analysed.status == 0, "\(analysed.stderr)")
        let amplitudes = analysed.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let cued = amplitudes.indices.filter { amplitudes[$0] > 0.1 }
        let first = try #require(cued.first, "no cue: \(amplitudes)")
        // After the touch (2 s) and the 5 s hold: not before 6 s; one cue, a few adjacent windows.
        #expect(Double(first) * 0.075 > 6, "\(amplitudes)")
        #expect(cued.last! - first <= 3, "one cue: \(cued)")
    }

    @Test func aBlindAssessmentPlaysSilence() throws {
        let home = try Home()
        defer { home.remove() }
        let run = try Programs.run(
            "lighttouch",
            ["assess", "--protocol", "basic-5g", "--student", "ada", "--sensor", "demo", "--scenario", "steady", "--duration", "4",
             "--plain", "--sound", "--data-dir", home.data],
            environment: home.environment, timeout: 60)
        #expect(run.stderr.contains("0 underruns"), "\(run.stderr)")
        let played = try analyse(home.raw)
        #expect(played.seconds > 3.5)
        #expect(played.halves.allSatisfy { $0.peak == 0 })
    }

    @Test func withoutAUsableDeviceOneLineAndTheSessionGoesOnSilent() throws {
        let home = try Home()
        defer { home.remove() }
        let run = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--duration", "1", "--plain", "--sound-device", "no-such-device", "--data-dir", home.data],
            environment: home.environment, timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").filter { $0.contains("sound") }
        #expect(lines == ["lighttouch: sound: cannot play through ALSA device `no-such-device` (snd_pcm_open(no-such-device): No such file or directory); the session goes on silent"])
    }
}

/// The `s` key in the trainer's full screen, in a real terminal (tmux).
@Suite(.serialized, .enabled(if: PracticeTmux.isAvailable, "tmux and the built lighttouch are needed"))
struct SoundToggleScreenTests {
    @Test func sTurnsTheSoundOffAndOnAgain() throws {
        let home = try SoundLiveTests.Home()
        // ALSA reads the test HOME's .asoundrc; the shell keeps no history there.
        let term = try PracticeTmux(environment: ["HOME": home.path, "HISTFILE": "/dev/null"])
        defer {
            _ = try? term.tmux("kill-server")
            home.remove()
        }
        try term.run(
            "\(Programs.path("lighttouch")) practice --sensor demo --scenario rest --noise-g 0 --sound --data-dir \(home.data)")
        _ = try term.waitFor("the trainer, tared, sound on, s in the keys") {
            $0.contains("TOO LIGHT") && $0.contains("q quit") && !$0.contains("taring") && $0.contains("sound on")
                && $0.contains("s sound")
        }
        // Ten presses of ↑ at 0.5 g: 5 g, on target, heard; then s, silence; then s, heard again.
        try term.press("Up", "Up", "Up", "Up", "Up", "Up", "Up", "Up", "Up", "Up")
        _ = try term.waitFor("ON TARGET")
        // The sleeps are how long each part lasts (heard, silent, heard), not synchronisation.
        Thread.sleep(forTimeInterval: 1.5)
        try term.press("s")
        _ = try term.waitFor("sound off")
        Thread.sleep(forTimeInterval: 1.5)
        try term.press("s")
        _ = try term.waitFor("sound on again") { $0.contains("sound on") }
        Thread.sleep(forTimeInterval: 1.5)
        try term.press("q")
        _ = try term.waitFor("the shell's prompt") { $0.contains("underruns") }
        func pattern(_ raw: String) throws -> String {
            try SoundLiveTests().analyse(raw).halves.map { $0.peak > 0.2 ? "#" : ($0.peak == 0 ? "." : "~") }.joined()
        }
        let played = try pattern(home.raw)
        // Heard at 440 Hz, then at least two silent half seconds, then heard again.
        let heardSilentHeard = #"##~?\.\.+~?##"#
        #expect(played.range(of: heardSilentHeard, options: .regularExpression) != nil, "\(played)")

        // The switch was recorded: the replay reproduces the results (their sound figures
        // included) and renders the silence where the student had the sound off.
        try Programs.expectReplayReproduces("1", dataDir: home.data)
        let json = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", home.data])
        let results = try #require(Programs.lastJSONObject(json.stdout))
        let sound = try #require(results["sound"] as? [String: Any], "\(json.stdout)")
        #expect(sound["device"] as? String == "default")
        #expect(sound["underruns"] as? Int == 0)
        let csv = home.path + "/session.csv"
        let export = try Programs.run("lighttouch", ["export", "1", "--csv", "-o", csv, "--data-dir", home.data])
        #expect(export.status == 0, "\(export.stderr)")
        let metadata = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: csv + ".json"))) as? [String: Any])
        let events = try #require(metadata["events"] as? [[String: Any]])
        let switches = events.filter { $0["kind"] as? String == "sound" }.compactMap { $0["detail"] as? String }
        #expect(switches == ["opened default", "off", "on"], "\(events)")
        let wav = home.path + "/replayed.wav"
        let replay = try Programs.run("lighttouch", ["replay", "1", "--sound-out", wav, "--data-dir", home.data])
        #expect(replay.status == 0, "\(replay.stderr)")
        let raw = home.path + "/replayed.raw"
        try Data(contentsOf: URL(fileURLWithPath: wav)).dropFirst(44).write(to: URL(fileURLWithPath: raw))
        let replayed = try pattern(raw)
        #expect(replayed.range(of: heardSilentHeard, options: .regularExpression) != nil, "\(replayed)")
    }
}
