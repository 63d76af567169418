import Foundation
import Testing

/// A guided `calibrate run` in a real terminal (tmux): the screen says what to
/// place, the operator presses Enter, and the reading is taken once the
/// signal has settled.
@Suite struct CalibrationGuidedTests {
    @Test(.enabled(if: PracticeTmux.isAvailable))
    func guidedRunPromptsForEachStepAndTakesItAfterEnter() throws {
        let directory = CalibrationTests.temporaryDirectory()
        let loads: [Double] = [0, 2, 5, 2, 0, 2, 5, 2, 0]
        let script = CalibrationTests.write(CalibrationTests.forceScript(loads, hold: 2.5), "guided.csv", in: directory)
        let certificate = directory.appendingPathComponent("guided.json").path
        let dataDir = directory.appendingPathComponent("data").path
        let terminal = try PracticeTmux(columns: 160, rows: 60)
        try terminal.run(
            ([Programs.path("lighttouch"), "calibrate", "run", "--sensor", "demo", "--force-script", script, "--noise-g", "0",
              "--masses", "2,5", "--series", "2", "--out", certificate, "--data-dir", dataDir] + CalibrationTests.fast).joined(separator: " "))
        for step in 1...loads.count {
            let prompt = "step \(step)/\(loads.count): "
            try terminal.waitFor("the prompt of step \(step)") { pane in
                pane.split(separator: "\n").contains { $0.hasPrefix(prompt) && $0.hasSuffix("press Enter") }
            }
            let pane = try terminal.capture()
            let expected = loads[step - 1] == 0 ? "take every mass off" : "place \(Int(loads[step - 1])) g"
            #expect(pane.contains(prompt + expected), "step \(step): \(pane)")
            try terminal.press("Enter")
        }
        try terminal.waitFor("wrote \(certificate)", timeout: 30)
        #expect(FileManager.default.fileExists(atPath: certificate))
        let pane = try terminal.capture()
        #expect(pane.contains("step 9/9: 0 g zero, series 2"))
        #expect(pane.contains("5 g is inside the range"))

        // The run was recorded with each Enter: taken again, it gives the same certificate, byte for byte.
        try Programs.expectReplayReproduces("1", dataDir: dataDir)
        let replayed = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        let written = try String(contentsOfFile: certificate, encoding: .utf8)
        #expect(replayed.stdout == written, "the replay prints the certificate that was written")
    }
}
