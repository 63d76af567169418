import Dispatch
import Foundation
import GRDB
import LightTouchCore
import Synchronization
import Testing

@testable import LightTouchStore

/// Blocks as the acquisition delivers them: encoded frames through the stream tracker.
struct BlockFactory {
    var tracker = StreamTracker(rate: 1000, firstSequence: 0)
    var sequence: UInt32 = 0
    var time: UInt32 = 1_000_000

    mutating func next(counts: [Int32], saturatedMask: UInt8 = 0) -> SampleBlock? {
        let frame = Frame(
            sequence: sequence, timestampMicros: time, channels: 1, samplesPerChannel: counts.count,
            flags: saturatedMask != 0 ? [.adcSaturated] : [], saturatedMask: saturatedMask, counts: counts)
        sequence += 1
        time &+= UInt32(counts.count * 1000)
        return FrameCodec.encode(frame).flatMap { tracker.ingest($0) }
    }
}

enum Fixtures {
    static let info = SensorInfo(
        firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, channels: 1, capabilities: [], sampleRate: 1000,
        supportedRates: [1000], nominalOffset: 120_000, nominalCountsPerGram: 4000, samplesPerFrame: 14, adcModel: "test",
        serial: "LT-TEST-0001")

    static func directory() -> DataDirectory {
        DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("lt-store-\(UUID().uuidString)").path)
    }

    static func start(kind: SessionKind = .practice, student: String? = "ada") -> SessionStart {
        SessionStart(
            kind: kind, student: student, sensor: info, conversion: .nominal(info),
            configuration: PipelineConfiguration(sampleRate: 1000), version: "test")
    }
}

@Suite struct RecordingStoreTests {
    @Test func aRecordingKeepsTheRawBlocksEventsAndResults() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let store = try RecordingStore(directory: directory, forRecording: true)
        let recorder = try SessionRecorder(store: store, start: Fixtures.start())
        var factory = BlockFactory()
        var sent: [SampleBlock] = []
        for index in 0..<50 {
            let counts = (0..<14).map { Int32(120_000 + index * 14 + $0) }
            let made = factory.next(counts: counts, saturatedMask: index == 3 ? 1 : 0)
            let block = try #require(made)
            sent.append(block)
            recorder.record(blocks: [block], events: index == 10 ? [.tare(time: 0.5, offset: 0.25), .trialStarted(time: 0.6, trial: 1)] : [])
        }
        recorder.record(blocks: [], events: [.disconnected(reason: "unplugged"), .reconnected])
        // `recording` while the recorder runs (stored as `interrupted` until completed).
        #expect(try store.sessions().first?.status == .recording)
        try recorder.complete(results: "{\"results\":1}", lostFrames: 2, rejectedSamples: 14)

        let session = try store.session(recorder.sessionID)
        #expect(session.summary.status == .complete)
        #expect(session.summary.student == "ada")
        #expect(session.summary.samples == 700)
        #expect(abs(session.summary.recordedSeconds - 0.699) < 1e-9)
        #expect(session.results == "{\"results\":1}")
        #expect(session.lostFrames == 2)
        #expect(session.rejectedSamples == 14)
        #expect(session.blocks == sent)
        #expect(session.blocks[3].saturatedMask == 1)
        #expect(session.events.map(\.kind) == [.tare, .trialStarted, .disconnected, .reconnected])
        #expect(session.events[0].value == 0.25)
        #expect(session.events[0].blockIndex == 11)
        #expect(session.events[2].detail == "unplugged")
        #expect(session.configuration == PipelineConfiguration(sampleRate: 1000))
        #expect(session.conversion == .nominal(Fixtures.info))
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func theWriterCommitsWithoutBeingAsked() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let store = try RecordingStore(directory: directory, forRecording: true)
        let recorder = try SessionRecorder(store: store, start: Fixtures.start())
        defer { recorder.close() }
        var factory = BlockFactory()
        let first = factory.next(counts: Array(repeating: 120_000, count: 14))
        recorder.record(blocks: [try #require(first)], events: [])
        // A second connection sees the block once the writer's timer has committed it.
        let reader = try RecordingStore(directory: directory, forRecording: false)
        let deadline = DispatchTime.now() + .seconds(5)
        var samples = 0
        while samples == 0, DispatchTime.now() < deadline {
            samples = try reader.sessions().first?.samples ?? 0
            if samples == 0 { usleep(10_000) }  // polling another connection: there is no event to await
        }
        #expect(samples == 14)
    }

    @Test func aFullDiskMidSessionStopsTheRecordingAndKeepsWhatItHas() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let store = try RecordingStore(directory: directory, forRecording: true)
        let stopped = DispatchSemaphore(value: 0)
        let recorder = try SessionRecorder(store: store, start: Fixtures.start()) { _ in stopped.signal() }
        var factory = BlockFactory()
        let first = factory.next(counts: Array(repeating: 120_000, count: 14))
        recorder.record(blocks: [try #require(first)], events: [])
        recorder.close()  // commits the first block
        let pages = try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") } ?? 0
        // The disk is "full" from here on: SQLite refuses to grow the file (SQLITE_FULL).
        try store.pool.write { db in try db.execute(sql: "PRAGMA max_page_count = \(pages + 2)") }
        let recording = try SessionRecorder(store: store, start: Fixtures.start()) { _ in stopped.signal() }
        for _ in 0..<400 {
            let block = factory.next(counts: (0..<14).map { Int32($0 * 7919 % 65536) })
            recording.record(blocks: [try #require(block)], events: [])
        }
        #expect(stopped.wait(timeout: .now() + 10) == .success, "the failure is reported")
        #expect(throws: StoreError.self) { try recording.complete(results: "{}", lostFrames: 0, rejectedSamples: 0) }
        try store.pool.write { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        let sessions = try store.sessions()
        #expect(sessions.first?.samples == 14, "the first session is intact")
        let failed = try #require(sessions.first { $0.id == recording.sessionID })
        #expect(failed.status == .interrupted)
        #expect(failed.stopReason?.contains("disk is full") == true)
        #expect(try store.integrityCheck() == "ok")
    }

    /// Two programs started at once on a new data directory (two stations'
    /// calibrations, a class of demo sensors) both find the schema missing;
    /// only one may build it, and the other must then find it built.
    @Test func storesOpenedAtOnceOnANewDirectoryAllOpen() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                _ = try RecordingStore(directory: directory, forRecording: true)
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let store = try #require(try RecordingStore.existing(directory))
        let applied = try store.pool.read { db in try StoreSchema.migrator.appliedIdentifiers(db) }
        #expect(applied.count == StoreSchema.migrator.migrations.count)
    }

    @Test func aVersion1DatabaseOpensAndMigrates() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        try directory.create()
        try RecordingStore.checkHeader(directory.databasePath, create: true)
        do {
            let pool = try DatabasePool(path: directory.databasePath)
            try StoreSchema.migrator.migrate(pool, upTo: "v1: sessions, blocks, events")
            let hasGrades = try pool.read { db in try db.tableExists("grade") }
            #expect(!hasGrades)
        }
        let store = try RecordingStore(directory: directory, forRecording: true)
        let recorder = try SessionRecorder(store: store, start: Fixtures.start())
        try recorder.complete(results: "{}", lostFrames: 0, rejectedSamples: 0)
        let hasGrades = try store.pool.read { db in try db.tableExists("grade") }
        #expect(hasGrades)
        #expect(try store.sessions().count == 1)
    }

    @Test func aNewerDatabaseIsRefusedUnchanged() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        do {
            let store = try RecordingStore(directory: directory, forRecording: true)
            try store.pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
            }
        }
        #expect(throws: StoreError.newerSchema(path: directory.databasePath)) {
            try RecordingStore(directory: directory, forRecording: false)
        }
    }

    @Test func aCorruptFileIsNotADatabase() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        try directory.create()
        try Data(repeating: 0x5A, count: 1000).write(to: URL(fileURLWithPath: directory.databasePath))
        #expect(throws: StoreError.notADatabase(path: directory.databasePath, detail: "it is not an SQLite file, or it is damaged")) {
            try RecordingStore(directory: directory, forRecording: true)
        }
    }

    @Test func anInterruptedSessionIsReportedOnce() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let store = try RecordingStore(directory: directory, forRecording: true)
        let recorder = try SessionRecorder(store: store, start: Fixtures.start())
        recorder.close(reason: "killed")
        let first = try store.takeUnreportedInterruptions()
        #expect(first.map(\.id) == [recorder.sessionID])
        #expect(try store.takeUnreportedInterruptions().isEmpty)
    }

    @Test func aSessionIsRecordingOnlyWhileItsRecorderHoldsTheLock() throws {
        let directory = Fixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let store = try RecordingStore(directory: directory, forRecording: true)
        let running = try SessionRecorder(store: store, start: Fixtures.start())
        let lockFile = directory.path + "/recording/\(running.sessionID).lock"
        #expect(FileManager.default.fileExists(atPath: lockFile))
        #expect(try store.session(running.sessionID).summary.status == .recording)
        // Not reported as interrupted while it records.
        #expect(try store.takeUnreportedInterruptions().isEmpty)
        running.close()
        #expect(!FileManager.default.fileExists(atPath: lockFile))
        #expect(try store.sessions().map(\.status) == [.interrupted])
        #expect(try store.takeUnreportedInterruptions().map(\.id) == [running.sessionID])

        let completed = try SessionRecorder(store: store, start: Fixtures.start())
        #expect(try store.sessions().map(\.status) == [.interrupted, .recording])
        try completed.complete(results: "{}", lostFrames: 0, rejectedSamples: 0)
        completed.close()
        #expect(try store.sessions().map(\.status) == [.interrupted, .complete])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/recording").isEmpty)
    }

    @Test func theDataDirectoryFollowsTheOptionThenTheEnvironment() {
        #expect(DataDirectory.resolve(explicit: "/a", environment: ["LIGHTTOUCH_DATA": "/b"]).path == "/a")
        #expect(DataDirectory.resolve(explicit: nil, environment: ["LIGHTTOUCH_DATA": "/b", "XDG_DATA_HOME": "/x"]).path == "/b")
        #expect(DataDirectory.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]).path == "/x/lighttouch")
        #expect(DataDirectory.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "relative", "HOME": "/h"]).path == "/h/.local/share/lighttouch")
        #expect(DataDirectory.resolve(explicit: nil, environment: ["HOME": "/h"]).path == "/h/.local/share/lighttouch")
    }
}
