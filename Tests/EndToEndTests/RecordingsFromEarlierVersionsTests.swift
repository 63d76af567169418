import Foundation
import Testing

/// Recordings made by an earlier LightTouch (Fixtures/recordings-0.1.0, made
/// before the session engine) still replay to exactly the results they stored.
@Suite struct RecordingsFromEarlierVersionsTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/recordings-0.1.0/lighttouch.sqlite")

    @Test(arguments: 1...5)
    func aRecordingOfVersion010ReplaysExactly(session: Int) throws {
        let dataDir = SessionRecordingTests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: dataDir + "/lighttouch.sqlite")
        let verified = try Programs.expectReplayReproduces("\(session)", dataDir: dataDir)
        #expect(verified.stdout.hasPrefix("session \(session): the replay reproduces the recorded results exactly"))
    }
}
