import Foundation
import Testing

/// An assessment through the USB driver and the emulated sensor: graded,
/// recorded, reported, and replayed to the live run's bytes.
@Suite(.enabled(if: Emulator.isAvailable, "skipped: \(Emulator.unavailableReason ?? "")"))
struct AssessEmulatorTests {
    @Test func anAssessmentThroughTheEmulatedSensorIsGradedAndReplaysExactly() throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let lighttouch = Programs.path("lighttouch")
        let result = try Emulator.run(
            ["--scenario", "steady", "--quiet"],
            command: [lighttouch, "assess", "--protocol", "basic-5g", "--student", "emu", "--json", "--data-dir", dataDir],
            timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let last = try #require(result.stdout.split(separator: "\n").last.map(String.init))
        let results = try #require(Programs.lastJSONObject(result.stdout))
        let assessment = try #require(results["assessment"] as? [String: Any])
        #expect(assessment["passed"] as? Bool == true)
        #expect((results["trials"] as? [Any])?.count == 3)

        let replay = try Programs.run("lighttouch", ["replay", "1", "--json", "--data-dir", dataDir])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout == last + "\n")
        let grades = try Programs.run("lighttouch", ["grades", "--csv", "--data-dir", dataDir])
        #expect(grades.stdout.split(separator: "\n").count == 2)
        let report = try Programs.run("lighttouch", ["report", "1", "--out", dataDir + "/emu.svg", "--data-dir", dataDir])
        #expect(report.status == 0, "\(report.stderr)")
        let sessions = try SessionRecordingTests.sessions(dataDir)
        #expect(sessions.first?["sensor"] as? String != "LT-DEMO-0001")
    }
}
