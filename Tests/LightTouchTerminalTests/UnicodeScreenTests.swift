import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchTerminal

/// In a UTF-8 locale the screens are drawn exactly as before the ASCII forms
/// existed: these are the canvases of the version before them, row for row.
@Suite struct UnicodeScreenTests {
    /// 7 s of first-touch: a ramp to `force` at 2 g/s, then steady.
    static func trainer(force: Double, mode: FeedbackMode = .full) -> TrainerView {
        var session = PracticeSession(drill: Drill.firstTouch.overriding(feedback: mode))
        var snapshot = PipelineSnapshot(calibrated: false)
        snapshot.tare = .zeroed(offset: 0)
        var samples: [(time: Double, force: Double)] = []
        for k in 0..<700 { samples.append((Double(k) * 0.01, min(force, Double(k) * 0.02))) }
        _ = session.push(samples)
        snapshot.filtered = force
        snapshot.time = 6.99
        return TrainerView(snapshot: snapshot, session: session, history: samples, sensor: "LT-DEMO-0001", isDemo: true, bell: false)
    }

    /// How many cells have each style.
    static func styles(_ canvas: Canvas) -> [CellStyle: Int] {
        canvas.cells.reduce(into: [:]) { $0[$1.style, default: 0] += 1 }
    }

    @Test func theTrainerAt24x80() {
        let canvas = TrainerLayout.render(Self.trainer(force: 5.02), rows: 24, columns: 80)
        #expect(canvas == TrainerLayout.render(Self.trainer(force: 5.02), rows: 24, columns: 80, glyphs: .unicode), "the default is the Unicode screen")
        #expect(Self.styles(canvas) == [.band: 76, .bold: 87, .dim: 224, .good: 41, .help: 80, .normal: 1340, .title: 25, .warn: 47])
        #expect(
            canvas.text == """
             LightTouch · first-touch                           LT-DEMO-0001 · uncalibrated
            ────────────────────────────────────────────────────────────────────────────────
              ███   ███
              █     █ █                                             ON TARGET
              ███   █ █
                █   █ █                                             target 5.0 g ± 1.0
              ███ █ ███ g                                           feedback full

                                              ▼ 5.02 g
             0 g  ──────────────────────▒▒▒▒▒▒█▒▒▒▒▒───────────────────────────────── 12 g
                                       4.0        6.0
             hold  ██████████████████████████████████████████████████████░      5.0 s / 5 s

             12                                                                  last 20 s


                  ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂ ⠂
             5    ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄ ⠄⣠⠴⠚⠍⠉⠍⠉⠍⠉⠍⠉⠍⠉⠍⠉⠍⠉⠍⠉⠍
                                                                   ⢀⣠⠖⠋⠁
             0 g                                                 ⡤⠖⠋
             trial 1 of 5 · 6.7 s of 10 s · in band 74 % · steadiness CV 0.037

             ⚠ taring: keep your hands off the sensor…  (+1)
             space trial  t tare  f mode  p peek  +/- target  q quit  ↑↓ force
            """)
    }

    @Test func theBlindTrainerAt20x60() {
        let canvas = TrainerLayout.render(Self.trainer(force: 5.02, mode: .blind), rows: 20, columns: 60)
        #expect(canvas == TrainerLayout.render(Self.trainer(force: 5.02, mode: .blind), rows: 20, columns: 60, glyphs: .unicode), "the default is the Unicode screen")
        #expect(Self.styles(canvas) == [.band: 19, .bold: 4, .dim: 264, .help: 60, .normal: 781, .title: 25, .warn: 47])
        #expect(
            canvas.text == """
             LightTouch · first-touch       LT-DEMO-0001 · uncalibrated
            ────────────────────────────────────────────────────────────

                                                · · ·
                feedback off
                                                target 5.0 g ± 1.0
                                                feedback blind


             0 g  ───────────────▒▒▒▒│▒▒▒▒─────────────────────── 12 g
                                4.0     6.0
             hold  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░          — / 5 s

             12
             5    ⡂ ⡂ ⡂  live force hidden (blind feedback) ⡂ ⡂ ⡂ ⡂ ⡂ ⡂
             0 g
             trial 1 of 5 · 6.7 s of 10 s

             ⚠ taring: keep your hands off the sensor…  (+1)
             space trial  t tare  f mode  p peek  +/- target  q quit  ↑↓
            """)
    }

    @Test func theExaminerWithFullFeedbackAt24x80() {
        let canvas = ExaminerLayout.render(ExaminerLayoutTests.view(.full, force: 4.87, seconds: 3.2), rows: 24, columns: 80)
        #expect(canvas == ExaminerLayout.render(ExaminerLayoutTests.view(.full, force: 4.87, seconds: 3.2), rows: 24, columns: 80, glyphs: .unicode), "the default is the Unicode screen")
        #expect(Self.styles(canvas) == [.band: 11, .bold: 9, .dim: 251, .good: 79, .help: 80, .normal: 1398, .title: 33, .warn: 59])
        #expect(
            canvas.text == """
             LightTouch · assessment basic-5g                   LT-DEMO-0001 · uncalibrated
             student ann · examiner zoe
             3 trials × 10 s at 5 g ± 1 g · hold goal 8 s · rest 5 s · feedback full
             graded on the best 2 of 3
            ────────────────────────────────────────────────────────────────────────────────

             Trial 1 of 3 running
             ███████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░     3.2 s / 10 s
             trials  ● ○ ○  0 of 3 recorded

              █ █   ███
              █ █   █ █                                             ON TARGET
              ███   ███
                █     █                                             hold 3.2 s / 8 s
                █ █ ███ g
                                             ▼ 4.87 g
             0 g  ──────────────────────▒▒▒▒▒█│▒▒▒▒▒───────────────────────────────── 12 g
                                       4.0        6.0




             ⚠ uncalibrated: grams from the sensor's nominal sensitivity
             t tare (between trials) · q end the assessment (a trial in progress is kept)
            """)
    }

    @Test func theBlindExaminerAt24x80() {
        let canvas = ExaminerLayout.render(ExaminerLayoutTests.view(.blind, force: 4.87, seconds: 3.2), rows: 24, columns: 80)
        #expect(canvas == ExaminerLayout.render(ExaminerLayoutTests.view(.blind, force: 4.87, seconds: 3.2), rows: 24, columns: 80, glyphs: .unicode), "the default is the Unicode screen")
        #expect(Self.styles(canvas) == [.bold: 58, .dim: 351, .good: 40, .help: 80, .normal: 1299, .title: 33, .warn: 59])
        #expect(
            canvas.text == """
             LightTouch · assessment basic-5g                   LT-DEMO-0001 · uncalibrated
             student ann · examiner zoe
             3 trials × 10 s at 5 g ± 1 g · hold goal 8 s · rest 5 s · feedback blind
             graded on the best 2 of 3
            ────────────────────────────────────────────────────────────────────────────────

             Trial 1 of 3 running
             ███████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░     3.2 s / 10 s
             trials  ● ○ ○  0 of 3 recorded


                        ┌──────────────────────────────────────────────────────┐
                        │ blind: live force hidden from student and examiner   │
                        │ each trial's results appear when the assessment ends │
                        └──────────────────────────────────────────────────────┘







             ⚠ uncalibrated: grams from the sensor's nominal sensitivity
             t tare (between trials) · q end the assessment (a trial in progress is kept)
            """)
    }
}
