import LightTouchCore
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
