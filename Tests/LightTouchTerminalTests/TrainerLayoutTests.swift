import LightTouchCore
import LightTouchSession
import LightTouchTrainer
import Testing

@testable import LightTouchTerminal

@Suite struct TrainerLayoutTests {
    func view(force: Double, mode: FeedbackMode? = nil, running: Bool = false, tare: TareState = .zeroed(offset: 0)) -> TrainerView {
        var drill = Drill.firstTouch
        if let mode { drill = drill.overriding(feedback: mode) }
        var session = PracticeSession(drill: drill)
        var snapshot = PipelineSnapshot(calibrated: false)
        snapshot.tare = tare
        snapshot.taring = tare == .measuring
        var samples: [(time: Double, force: Double)] = []
        for k in 0..<300 { samples.append((Double(k) * 0.01, running ? force : 0)) }
        _ = session.push(samples)
        snapshot.filtered = force
        snapshot.time = 2.99
        return TrainerView(snapshot: snapshot, session: session, history: samples, sensor: "LT-DEMO-0001", isDemo: true, bell: false)
    }

    @Test func showsGaugeBandGramsVerdictHoldAndHelp() {
        let canvas = TrainerLayout.render(view(force: 5.02, running: true), rows: 24, columns: 80)
        let text = canvas.text
        #expect(text.contains("ON TARGET"))
        #expect(text.contains("▒"))  // the band on the gauge
        #expect(text.contains("▼"))  // the marker
        #expect(text.contains("hold"))
        #expect(text.contains("s / 5 s"))
        #expect(text.contains("q quit"))
        #expect(text.contains("LT-DEMO-0001"))
        #expect(text.contains("trial 1 of 5"))
        #expect(text.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })  // the braille plot
    }

    /// Two hands at 4.5 and 6.5 g: the left on target, the right too heavy, 40.9 % left:
    /// the balance says which hand is heavier; ASCII draws the same with its own glyphs;
    /// blind feedback hides every hand's force and the balance.
    func twoHandView(left: Double, right: Double, mode: FeedbackMode = .full) -> TrainerView {
        var drill = Drill.firstTouch.overriding(feedback: mode)
        drill.balance = BalanceSettings()
        var session = PracticeSession(drill: drill)
        var samples: [ProcessedSample] = []
        for k in 0..<300 {
            let hands = HandForces(left: left, right: right)
            samples.append(ProcessedSample(time: Double(k) * 0.01, raw: hands.mean, filtered: hands.mean, inBand: false, hands: hands))
        }
        _ = session.push(scored: samples)
        var snapshot = PipelineSnapshot(calibrated: false)
        snapshot.tare = .zeroed(offset: 0)
        snapshot.taring = false
        snapshot.filtered = (left + right) / 2
        snapshot.hands = HandForces(left: left, right: right)
        snapshot.time = 2.99
        return TrainerView(
            snapshot: snapshot, session: session, history: samples.map { ($0.time, $0.filtered) }, sensor: "LT-DEMO-0001",
            isDemo: true, bell: false, handsHistory: samples.compactMap(\.hands))
    }

    @Test func twoHandsShowEachHandAndTheBalance() {
        let text = TrainerLayout.render(twoHandView(left: 4.5, right: 6.5), rows: 30, columns: 100).text
        #expect(text.contains("first-touch · two hands"))
        #expect(text.contains("LEFT") && text.contains("RIGHT"))
        #expect(text.contains("ON TARGET") && text.contains("TOO HEAVY"))
        #expect(text.contains("▼ 4.50 g") && text.contains("▲ 6.50 g"))
        #expect(text.contains("L 40.9 % · right heavier"))
        #expect(text.contains("balance 50 % ± 5"))
        // The right hand was never in the band: no balance phase, so no share of it balanced yet.
        #expect(text.contains("trial 1 of 5") && !text.contains("balanced"))
        let ascii = TrainerLayout.render(twoHandView(left: 4.5, right: 6.5), rows: 30, columns: 100, glyphs: .ascii).text
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII }, "\(ascii)")
        #expect(ascii.contains("L 40.9 % * right heavier") || ascii.contains("L 40.9 % - right heavier") || ascii.contains("L 40.9 % . right heavier"), "\(ascii)")
        #expect(ascii.contains("left *") && ascii.contains("right o"))
        // At the narrowest width each hand's text stays in its half: shorter, never over the right hand's digits.
        let narrow = TrainerLayout.render(twoHandView(left: 4.5, right: 6.5), rows: 20, columns: 60)
        // The right half starts at column 30: its name at 31, its digits at 37; the gap before them stays blank.
        #expect(String(narrow.text(row: 2).unicodeScalars.dropFirst(31).prefix(5)) == "RIGHT", "\(narrow.text)")
        for row in 3...6 {
            let gap = narrow.text(row: row).unicodeScalars.dropFirst(29).prefix(8)
            #expect(gap.allSatisfy { $0 == " " }, "row \(row): \(narrow.text(row: row))")
        }
        #expect(narrow.text.contains("5.0 ± 1.0") && narrow.text.contains("50 % ± 5"), "\(narrow.text)")
        let blind = TrainerLayout.render(twoHandView(left: 4.5, right: 6.5, mode: .blind), rows: 30, columns: 100).text
        #expect(!blind.contains("4.5") && !blind.contains("6.5") && !blind.contains("40.9") && !blind.contains("heavier"), "\(blind)")
        #expect(!blind.contains("TOO HEAVY") && !blind.contains("ON TARGET"))
    }

    /// A re-tare (`t`) keeps the old zero while it measures; the screen says it is taring all the same.
    @Test func aReTareShowsWhileItMeasures() {
        var retaring = view(force: 0.02)
        #expect(!retaring.warnings.contains { $0.hasPrefix("taring") })
        var snapshot = PipelineSnapshot(calibrated: false)
        snapshot.tare = .zeroed(offset: 0.3)
        snapshot.taring = true
        retaring = TrainerView(
            snapshot: snapshot, session: PracticeSession(drill: .firstTouch), history: [], sensor: "LT-DEMO-0001", isDemo: true,
            bell: false)
        #expect(retaring.warnings.contains("taring: keep your hands off the sensor…"))
    }

    /// A refused tare's grams would tell the force that blind feedback hides.
    @Test func aRefusedTareInABlindTrialTellsNoForce() {
        let refusal = TareRefusal.forceApplied(grams: 4.87)
        let blind = view(force: 4.87, mode: .blind, running: true, tare: .refused(refusal, offset: 0))
        let text = TrainerLayout.render(blind, rows: 24, columns: 80).text
        #expect(text.contains("tare refused: the sensor is pressed; lift off and press t again"))
        #expect(!text.contains("4.8") && !text.contains("4.9"), "\(text)")
        let full = view(force: 4.87, mode: .full, running: true, tare: .refused(refusal, offset: 0))
        #expect(full.warnings.contains(refusal.description))
    }

    @Test func verdictFollowsTheForce() {
        #expect(TrainerLayout.render(view(force: 2), rows: 24, columns: 80).text.contains("TOO LIGHT"))
        #expect(TrainerLayout.render(view(force: 9), rows: 24, columns: 80).text.contains("TOO HEAVY"))
    }

    @Test func blindHidesTheForceDuringATrial() {
        let text = TrainerLayout.render(view(force: 5, mode: .blind, running: true), rows: 24, columns: 80).text
        #expect(!text.contains("ON TARGET"))
        #expect(!text.contains("▼"))
        #expect(text.contains("feedback off"))
        #expect(text.contains("live force hidden"))
    }

    @Test func bandwidthShowsOnlyACalmOnTargetInBand() {
        let inBand = TrainerLayout.render(view(force: 5, mode: .bandwidth, running: true), rows: 24, columns: 80).text
        #expect(inBand.contains("on target") && !inBand.contains("ON TARGET") && !inBand.contains("▼"))
        let out = TrainerLayout.render(view(force: 8, mode: .bandwidth, running: true), rows: 24, columns: 80).text
        #expect(out.contains("TOO HEAVY") && out.contains("▼"))
    }

    @Test func aSmallTerminalSaysSo() {
        let text = TrainerLayout.render(view(force: 5), rows: 10, columns: 40).text
        #expect(text.contains("Terminal too small"))
        #expect(!text.contains("▒"))
    }

    @Test(arguments: [(20, 60), (24, 80), (50, 200), (21, 61)])
    func everySizeFromTheMinimumUpDrawsEverything(rows: Int, columns: Int) {
        let canvas = TrainerLayout.render(view(force: 5.5, running: true), rows: rows, columns: columns)
        #expect(canvas.rows == rows && canvas.columns == columns)
        let text = canvas.text
        #expect(text.contains("ON TARGET") && text.contains("hold") && text.contains("q quit"))
    }
}

/// The feedback sound on the trainer's screen: `s` in the key line and an indicator, only with `--sound`.
@Suite struct TrainerSoundIndicatorTests {
    /// Row `row` without its trailing blanks.
    func line(_ canvas: Canvas, _ row: Int) -> String {
        var text = canvas.text(row: row)
        while text.last == " " { text.removeLast() }
        return text
    }


    func canvas(_ sound: SoundStatus?, rows: Int = 24, columns: Int = 80) -> Canvas {
        var view = TrainerLayoutTests().view(force: 5.02, running: true)
        view.sound = sound
        return TrainerLayout.render(view, rows: rows, columns: columns)
    }

    @Test func withoutSoundNeitherTheKeyNorTheIndicator() {
        let text = canvas(nil).text
        #expect(!text.contains("sound"))
    }

    @Test(arguments: [(24, 80), (30, 100), (50, 200)])
    func theKeyLineOffersSAndTheIndicatorSaysOnOffOrNone(rows: Int, columns: Int) {
        let on = canvas(SoundStatus(device: .playing("default")), rows: rows, columns: columns)
        #expect(on.text(row: rows - 1).contains("s sound"), "\(on.text(row: rows - 1))")
        #expect(line(on, 7).hasSuffix("sound on"), "\(line(on, 7))")
        let off = canvas(SoundStatus(device: .playing("default"), on: false), rows: rows, columns: columns)
        #expect(line(off, 7).hasSuffix("sound off"))
        let failed = canvas(SoundStatus(device: .failed("snd_pcm_open(hw:5): No such file or directory")), rows: rows, columns: columns)
        #expect(line(failed, 7).hasSuffix("no sound"))
        let underruns = canvas(SoundStatus(device: .playing("default"), underruns: 2), rows: rows, columns: columns)
        #expect(line(underruns, 7).hasSuffix("sound on · 2 underruns"))
    }
}
