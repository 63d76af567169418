import Foundation
import Testing

/// `lighttouch replay --sound-out`: the feedback sound rendered offline,
/// checked by an independent analysis (Python's wave module and a numpy FFT).
@Suite struct SoundReplayTests {
    static let python = "/usr/bin/python3"

    /// For each window (start, end, seconds): the strongest frequency (Hann-windowed FFT,
    /// parabolic interpolation), the peak sample and the amplitude at 1760 Hz (the cue).
    static let analysis = """
        import json, sys, wave
        import numpy as np
        w = wave.open(sys.argv[1], 'rb')
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(float) / 32767
        out = {'rate': rate, 'seconds': len(x) / rate, 'windows': []}
        for pair in sys.argv[2:]:
            a, b = (float(v) for v in pair.split(':'))
            seg = x[int(a * rate):int(b * rate)]
            n = len(seg)
            spec = np.abs(np.fft.rfft(seg * np.hanning(n), 8 * n))
            k = int(np.argmax(spec))
            if 0 < k < len(spec) - 1:
                l, c, r = np.log(spec[k - 1:k + 2] + 1e-300)
                k = k + 0.5 * (l - r) / (l - 2 * c + r)
            t = np.arange(n) / rate
            cue = 2 * abs(np.sum(seg * np.exp(-2j * np.pi * 1760 * t))) / n
            out['windows'].append({'hz': k * rate / (8 * n), 'peak': float(np.max(np.abs(seg))) if n else 0.0, 'cue': float(cue)})
        print(json.dumps(out))
        """

    /// For each window (start, end, seconds) of a WAV file, or of raw 16-bit
    /// mono at 48 kHz: the envelope (each 5 ms's peak), its lowest and highest,
    /// and its strongest frequency (`hz`, numpy FFT): how fast the tone pulses.
    static func envelopes(_ path: String, windows: [(Double, Double)]) throws -> [[String: Double]] {
        let script = """
            import json, sys, wave
            import numpy as np
            if sys.argv[1].endswith('.wav'):
                w = wave.open(sys.argv[1], 'rb')
                rate, x = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype='<i2')
            else:
                rate, x = 48000, np.fromfile(sys.argv[1], dtype='<i2')
            x = np.abs(x.astype(float) / 32767)
            out = []
            for pair in sys.argv[2:]:
                a, b = (float(v) for v in pair.split(':'))
                seg = x[int(a * rate):int(b * rate)]
                hop = rate // 200
                env = np.array([seg[i:i + hop].max() for i in range(0, len(seg) - hop + 1, hop)])
                spec = np.abs(np.fft.rfft(env - env.mean(), 16 * len(env)))
                hz = int(np.argmax(spec)) * 200 / (16 * len(env))
                out.append({'low': float(env.min()), 'high': float(env.max()), 'hz': hz})
            print(json.dumps(out))
            """
        let run = try Programs.run(python, ["-c", script, path] + windows.map { "\($0.0):\($0.1)" })
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Double]])
    }

    func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lighttouch-\(UUID().uuidString)-\(name)")
    }

    func analyse(_ wav: URL, windows: [(Double, Double)]) throws -> (seconds: Double, windows: [(hz: Double, peak: Double, cue: Double)]) {
        let run = try Programs.run(Self.python, ["-c", Self.analysis, wav.path] + windows.map { "\($0.0):\($0.1)" })
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["rate"] as? Int == 48_000)
        let list = try #require(object["windows"] as? [[String: Any]])
        return (
            object["seconds"] as? Double ?? 0,
            list.map { ($0["hz"] as? Double ?? 0, $0["peak"] as? Double ?? 0, $0["cue"] as? Double ?? 0) }
        )
    }

    @Test func aScriptedForceSoundsAtTheFormulaPitchWithSilenceAtRestAndTheHoldCue() throws {
        let csv = temporary("steps.csv"), wav = temporary("steps.wav")
        defer {
            try? FileManager.default.removeItem(at: csv)
            try? FileManager.default.removeItem(at: wav)
        }
        // 100 Hz: rest 1 s, 5 g 2 s, 5.5 g 2 s, 3.5 g 2 s, 7 g 2 s, rest 1 s.
        let steps: [(Double, Int)] = [(0, 100), (5, 200), (5.5, 200), (3.5, 200), (7, 200), (0, 100)]
        var text = "time_s,force_g\n", index = 0
        for (force, count) in steps {
            for _ in 0..<count {
                text += "\(Double(index) / 100),\(force)\n"
                index += 1
            }
        }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let replay = try Programs.run("lighttouch", ["replay", csv.path, "--filter", "none", "--hold", "1", "--sound-out", wav.path])
        #expect(replay.status == 0, "\(replay.stderr)")
        let result = try analyse(wav, windows: [(0.1, 0.9), (2.2, 2.9), (3.2, 4.8), (5.2, 6.8), (9.2, 9.9), (1.2, 1.9), (1.9, 2.2), (7.2, 8.8)])
        // 9.99 s of samples and the 0.25 s tail.
        #expect(abs(result.seconds - 10.24) < 0.001)
        let w = result.windows
        // Formula (docs/sound.md): 440 · 2^(3 · (F − 5)/1 / 12) Hz, computed apart.
        for (window, expected) in [(1, 440.0), (2, 479.82340237271336), (3, 339.28638158974695)] {
            #expect(abs(w[window].hz - expected) / expected < 0.01, "window \(window): \(w[window].hz) Hz, formula \(expected) Hz")
        }
        #expect(w[0].peak == 0 && w[4].peak == 0, "rest is silent")
        // In band full amplitude (0.5), below the band half of it.
        #expect(abs(w[1].peak - 0.5) < 0.01 && abs(w[3].peak - 0.25) < 0.01)
        // Above the band (7 g, two tolerances up): the tone at its pitch, rough and noisy, so its
        // peak sample exceeds the tone's own amplitude (0.25).
        #expect(abs(w[7].hz - 622.2539674441618) / 622.2539674441618 < 0.01, "above the band: \(w[7].hz) Hz")
        #expect(w[7].peak > 0.3)
        // The hold goal (1 s) is met 1 s after the band is entered at 1 s: the cue, once.
        #expect(w[6].cue > 0.05, "cue \(w[6].cue)")
        #expect(w[5].cue < 0.01 && w[1].cue < 0.01)
    }

    /// A recorded session without a drill sounds the hold cue where the running hold
    /// reaches the goal, as it did live (fixture session 1: free practice, one trial
    /// whose best hold is 5.2 s, with the band entered at about 2.8 s).
    @Test func aRecordedFreePracticeSoundsTheHoldCueWhenTheHoldReachesTheGoal() throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: RecordingsFromEarlierVersionsTests.fixture.path, toPath: dataDir + "/lighttouch.sqlite")
        let short = temporary("goal-2s.wav"), long = temporary("goal-10s.wav")
        defer {
            try? FileManager.default.removeItem(at: short)
            try? FileManager.default.removeItem(at: long)
        }
        let windows = (0..<140).map { (Double($0) * 0.05, Double($0 + 1) * 0.05) }
        // A 2 s goal is met once, 2 s after the band is entered.
        let met = try Programs.run("lighttouch", ["replay", "1", "--hold", "2", "--sound-out", short.path, "--data-dir", dataDir])
        #expect(met.status == 0, "\(met.stderr)")
        let analysed = try analyse(short, windows: windows).windows
        let cued = analysed.indices.filter { analysed[$0].cue > 0.05 }
        #expect(!cued.isEmpty, "no cue in the first 7 s")
        #expect(cued.allSatisfy { (4.0...6.0).contains(windows[$0].0) }, "cue in windows starting at \(cued.map { windows[$0].0 })")
        #expect(zip(cued, cued.dropFirst()).allSatisfy { $1 == $0 + 1 }, "one cue, not several")
        // The recorded 10 s goal is never met (best hold 5.2 s): no cue.
        let unmet = try Programs.run("lighttouch", ["replay", "1", "--sound-out", long.path, "--data-dir", dataDir])
        #expect(unmet.status == 0, "\(unmet.stderr)")
        #expect(try analyse(long, windows: windows).windows.allSatisfy { $0.cue < 0.01 })
    }

    @Test func aBlindAssessmentIsSilentAndADrillWithFullFeedbackIsNot() throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: RecordingsFromEarlierVersionsTests.fixture.path, toPath: dataDir + "/lighttouch.sqlite")
        let blind = temporary("blind.wav"), drill = temporary("drill.wav")
        defer {
            try? FileManager.default.removeItem(at: blind)
            try? FileManager.default.removeItem(at: drill)
        }
        // Session 3: basic-5g, three blind holds; the sound is written and the results still verify.
        let assessed = try Programs.run("lighttouch", ["replay", "3", "--verify", "--sound-out", blind.path, "--data-dir", dataDir])
        #expect(assessed.status == 0, "\(assessed.stderr)")
        let silent = try analyse(blind, windows: [(0, 1e6)])
        #expect(silent.seconds > 30)
        #expect(silent.windows[0].peak == 0)
        // Session 2: the first-touch drill, full feedback: heard.
        let practised = try Programs.run("lighttouch", ["replay", "2", "--sound-out", drill.path, "--data-dir", dataDir])
        #expect(practised.status == 0, "\(practised.stderr)")
        let heard = try analyse(drill, windows: [(0, 1e6)])
        #expect(heard.windows[0].peak > 0.2)
    }

    /// Two hands, balanced for 2 s, then the left share at 38 % (4.2 and
    /// 6.8 g: the mean, 5.5 g, still in the band): the tone is steady, then
    /// pulses at 8 Hz between 0.5 and 0.2 of full scale (docs/sound.md). The
    /// envelope is each 5 ms window's peak; its rate the strongest frequency
    /// of the envelope (numpy FFT), apart from the synthesizer's own code.
    @Test func twoHandsOutOfBalancePulse() throws {
        let csv = temporary("hands.csv"), wav = temporary("hands.wav")
        defer {
            try? FileManager.default.removeItem(at: csv)
            try? FileManager.default.removeItem(at: wav)
        }
        var text = "time_s,left_force_g,right_force_g\n"
        for index in 0..<500 {
            let (left, right) = index < 100 ? (0.0, 0.0) : index < 300 ? (5.0, 5.0) : (4.2, 6.8)
            text += "\(Double(index) / 100),\(left),\(right)\n"
        }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let replay = try Programs.run("lighttouch", ["replay", csv.path, "--filter", "none", "--sound-out", wav.path])
        #expect(replay.status == 0, "\(replay.stderr)")
        let windows = try Self.envelopes(wav.path, windows: [(1.5, 2.5), (3.5, 4.5)])
        let balanced = try #require(windows.first), unbalanced = try #require(windows.last)
        #expect(abs((balanced["high"] ?? 0) - 0.5) < 0.01 && abs((balanced["low"] ?? 0) - 0.5) < 0.01, "\(balanced)")
        #expect(abs((unbalanced["high"] ?? 0) - 0.5) < 0.02, "\(unbalanced)")
        #expect(abs((unbalanced["low"] ?? 0) - 0.2) < 0.02, "\(unbalanced)")
        #expect(abs((unbalanced["hz"] ?? 0) - 8) < 0.3, "\(unbalanced)")
    }
}
