import Foundation
import Testing

/// A class on a real PostgreSQL server (scripts/with-postgres.sh): stations
/// upload with `--class`, row-level security keeps them apart, an instructor
/// reads the class; a wrong password, a crashed server and hostile names.
@Suite(.enabled(if: ClassServer.enabled, "needs LIGHTTOUCH_TEST_PG: run under scripts/with-postgres.sh"), .serialized)
struct ClassTests {
    /// A short assessment (one blind 2 s trial), so a grade exists without a long run.
    static let quickProtocol = """
        version = 1
        name = "quick-check"
        purpose = "one blind 2 s hold, for the class tests"
        trials = 1
        target_g = 5
        tolerance_g = 1
        hold_s = 1
        trial_length_s = 2
        rest_s = 1
        feedback = "blind"
        scope = "each"
        criteria = ["in_band_pct >= 10"]
        grades = ["A >= 0"]
        fail_grade = "F"
        """

    static func suffix() -> String { String(UUID().uuidString.prefix(6)).lowercased() }

    @Test func aStationUploadsEverySampleOnceAndTheInstructorSeesTheSession() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, database) = try ClassServer.newClass()
        let name = "bench-\(Self.suffix())"
        let station = try ClassServer.add("station", name, classURL: url, in: folder)
        let instructor = try ClassServer.add("instructor", "teacher-\(Self.suffix())", classURL: url, in: folder)
        let mode = try FileManager.default.attributesOfItem(atPath: station)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let dataDir = folder + "/data"
        let practice = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--duration", "2", "--plain", "--student", "Ada", "--data-dir", dataDir, "--class", station])
        #expect(practice.status == 0, "\(practice.stderr)")
        #expect(practice.stderr.isEmpty, "\(practice.stderr)")

        let local = try SessionRecordingTests.sessions(dataDir)
        let session = try #require(local.first)
        #expect(session["upload"] as? String == "uploaded")
        let samples = try #require(session["samples"] as? Int)
        #expect(samples > 1500)

        let listed = try Programs.run("lighttouch", ["class", "sessions", "--json", "--class", instructor])
        #expect(listed.status == 0, "\(listed.stderr)")
        let remote = try ClassServer.json(listed.stdout)
        #expect(remote.count == 1)
        let row = try #require(remote.first)
        #expect(Set(row.keys) == Set(session.keys).union(["station"]))
        #expect(row["station"] as? String == name)
        #expect(row["student"] as? String == "Ada")
        #expect(row["samples"] as? Int == samples)
        #expect(row["status"] as? String == "complete")
        #expect(row["recorded_s"] as? Double == session["recorded_s"] as? Double)
        // Every sample once: the blocks add up to the local count, each index once.
        #expect(try ClassServer.value(database, "SELECT sum(samples) FROM lighttouch.blocks") == "\(samples)")
        #expect(try ClassServer.value(database, "SELECT count(*) = count(DISTINCT idx) AND count(*) = max(idx) + 1 FROM lighttouch.blocks") == "t")
        #expect(try ClassServer.value(database, "SELECT count(*) FROM lighttouch.event") != "0")

        // The instructor's export and report of the uploaded session are the station's, byte for byte.
        let id = try #require(row["id"] as? Int)
        let localExport = try Programs.run("lighttouch", ["export", "\(session["id"] as? Int ?? -1)", "--csv", "--data-dir", dataDir])
        let classExport = try Programs.run("lighttouch", ["class", "export", "\(id)", "--csv", "--class", instructor])
        #expect(classExport.status == 0, "\(classExport.stderr)")
        #expect(classExport.stdout.split(separator: "\n").count == samples + 1)
        #expect(classExport.stdout == localExport.stdout)
        let classReport = try Programs.run("lighttouch", ["class", "report", "\(id)", "--out", folder + "/class.svg", "--class", instructor])
        #expect(classReport.status == 0, "\(classReport.stderr)")
        _ = try Programs.run("lighttouch", ["report", "\(session["id"] as? Int ?? -1)", "--out", folder + "/local.svg", "--data-dir", dataDir])
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/class.svg")) == Data(contentsOf: URL(fileURLWithPath: folder + "/local.svg")))

        let sync = try Programs.run("lighttouch", ["class", "sync", "--data-dir", dataDir, "--class", station])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout == "Nothing to send: every queued session is on the class server.\n")

        // The class named by $LIGHTTOUCH_CLASS, then by the config file (a path relative to it).
        let byEnvironment = try Programs.run("lighttouch", ["class", "sessions", "--json"], environment: ["LIGHTTOUCH_CLASS": instructor])
        #expect(try ClassServer.json(byEnvironment.stdout).count == 1, "\(byEnvironment.stderr)")
        let config = folder + "/config/lighttouch"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: instructor, toPath: config + "/mine.lighttouch-class")
        try "# the instructor's login\nmine.lighttouch-class\n".write(toFile: config + "/class", atomically: true, encoding: .utf8)
        let byConfig = try Programs.run(
            "lighttouch", ["class", "sessions", "--json"], environment: ["LIGHTTOUCH_CLASS": "", "XDG_CONFIG_HOME": folder + "/config"])
        #expect(try ClassServer.json(byConfig.stdout).count == 1, "\(byConfig.stderr)")

        let table = try Programs.run("lighttouch", ["sessions", "--data-dir", dataDir])
        #expect(table.stdout.split(separator: "\n").first?.hasSuffix("upload") == true)
        #expect(table.stdout.split(separator: "\n").last?.hasSuffix("uploaded") == true)
    }

    /// Sessions recorded without --class go when named or with --all; an
    /// unknown id is one line; sending again adds nothing.
    @Test func classSyncSendsSessionsRecordedWithoutAClass() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, database) = try ClassServer.newClass()
        let station = try ClassServer.add("station", "later-\(Self.suffix())", classURL: url, in: folder)
        let dataDir = folder + "/data"
        for student in ["Ann", "Bo", "Cy"] {
            let practice = try Programs.run("lighttouch", ["practice", "--sensor", "demo", "--duration", "1", "--plain", "--student", student, "--data-dir", dataDir])
            #expect(practice.status == 0, "\(practice.stderr)")
        }
        let sync = { (arguments: [String]) throws -> Programs.Result in
            try Programs.run("lighttouch", ["class", "sync"] + arguments + ["--data-dir", dataDir, "--class", station])
        }
        let nothing = try sync([])
        #expect(nothing.status == 0, "\(nothing.stderr)")
        #expect(nothing.stdout.hasPrefix("Nothing to send"))
        let unknown = try sync(["2", "99"])
        #expect(unknown.status == 66)
        #expect(unknown.stderr == "lighttouch: no session 99 in \(dataDir); `lighttouch sessions` lists them\n")
        // A typo queues nothing, not even the good id beside it.
        #expect(try SessionRecordingTests.sessions(dataDir).allSatisfy { $0["upload"] is NSNull })
        let two = try sync(["2"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(try ClassServer.value(database, "SELECT string_agg(student, ',' ORDER BY local_id) FROM lighttouch.session") == "Bo")
        let rest = try sync(["--all"])
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest.stdout.hasPrefix("Sent 2 sessions"), "\(rest.stdout)")
        let again = try sync(["--all", "1", "2", "3"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try ClassServer.value(database, "SELECT string_agg(student, ',' ORDER BY local_id) FROM lighttouch.session") == "Ann,Bo,Cy")
        #expect(try ClassServer.value(database, "SELECT count(*) - count(DISTINCT (session_uuid, idx)) FROM lighttouch.blocks") == "0")
        let local = try SessionRecordingTests.sessions(dataDir)
        #expect(local.allSatisfy { $0["upload"] as? String == "uploaded" }, "\(local)")
    }

    @Test func aStationReadsNoOtherStationsRowsAndNoGrades() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, database) = try ClassServer.newClass()
        let (nameA, nameB) = ("a-\(Self.suffix())", "b-\(Self.suffix())")
        let stationA = try ClassServer.add("station", nameA, classURL: url, in: folder)
        let stationB = try ClassServer.add("station", nameB, classURL: url, in: folder)
        let instructor = try ClassServer.add("instructor", "i-\(Self.suffix())", classURL: url, in: folder)
        let protocolFile = folder + "/quick.toml"
        try Self.quickProtocol.write(toFile: protocolFile, atomically: true, encoding: .utf8)

        let assessA = try Programs.run(
            "lighttouch",
            ["assess", "--protocol", protocolFile, "--student", "Sam", "--sensor", "demo", "--plain", "--data-dir", folder + "/a", "--class", stationA],
            timeout: 120)
        #expect(assessA.status == 0, "\(assessA.stderr)")
        let practiceB = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--duration", "1", "--plain", "--data-dir", folder + "/b", "--class", stationB])
        #expect(practiceB.status == 0, "\(practiceB.stderr)")
        #expect(try ClassServer.value(database, "SELECT count(*) FROM lighttouch.session") == "2")
        #expect(try ClassServer.value(database, "SELECT count(*) FROM lighttouch.grade") == "1")

        let password = try ClassServer.password(inCredentials: stationB)
        func asB(_ sql: String) throws -> Programs.Result { try ClassServer.psql(database: database, user: nameB, password: password, sql) }
        #expect(try asB("SELECT count(*), min(station) FROM lighttouch.session").stdout == "1|\(nameB)\n")
        #expect(try asB("SELECT (SELECT count(*) FROM lighttouch.block WHERE station <> current_user) + (SELECT count(*) FROM lighttouch.block_part WHERE station <> current_user)").stdout == "0\n")
        // B's own samples are there, A's too, and B sees only its own; the view of every block is the instructors'.
        let partsOfB = try asB("SELECT count(*) FROM lighttouch.block_part").stdout
        let parts = try ClassServer.value(database, "SELECT count(*) FROM lighttouch.block_part") + "\n"
        #expect(partsOfB != "0\n" && partsOfB != parts, "B sees \(partsOfB) of \(parts)")
        let view = try asB("SELECT count(*) FROM lighttouch.blocks")
        #expect(view.stderr.contains("permission denied for view blocks"), "\(view.stderr)")
        #expect(try asB("SELECT count(*) FROM lighttouch.event WHERE station <> current_user").stdout == "0\n")
        #expect(try asB("SELECT count(*) FROM lighttouch.live_log WHERE station <> current_user").stdout == "0\n")
        #expect(try asB("DELETE FROM lighttouch.live_log WHERE station <> current_user RETURNING id").stdout == "")
        #expect(try ClassServer.value(database, "SELECT count(*) > 0 FROM lighttouch.live_log WHERE station = '\(nameA)'") == "t")
        let grades = try asB("SELECT count(*) FROM lighttouch.grade")
        #expect(grades.status != 0)
        #expect(grades.stderr.contains("permission denied for table grade"))
        // Not even through an update: B's UPDATE sees none of A's rows.
        #expect(try asB("UPDATE lighttouch.session SET student = 'x' WHERE station <> current_user RETURNING id").stdout == "")
        let forged = try asB(
            """
            INSERT INTO lighttouch.session (uuid, station, local_id, kind, started_at, status, sensor, setup)
            VALUES (gen_random_uuid(), '\(nameA)', 99, 'practice', 'now', 'complete', 'x', '{}')
            """)
        #expect(forged.stderr.contains("violates row-level security policy"))
        #expect(try ClassServer.value(database, "SELECT student FROM lighttouch.session WHERE station = '\(nameA)'") == "Sam")

        let graded = try Programs.run("lighttouch", ["class", "grades", "--json", "--class", instructor])
        #expect(graded.status == 0, "\(graded.stderr)")
        let rows = try ClassServer.json(graded.stdout)
        #expect(rows.count == 1)
        #expect(rows.first?["station"] as? String == nameA)
        #expect(rows.first?["student"] as? String == "Sam")
        #expect(rows.first?["protocol"] as? String == "quick-check")
        let all = try ClassServer.json(try Programs.run("lighttouch", ["class", "sessions", "--json", "--class", instructor]).stdout)
        #expect(Set(all.compactMap { $0["station"] as? String }) == [nameA, nameB])
        // A station's login reads only its own sessions there too.
        let asStation = try Programs.run("lighttouch", ["class", "sessions", "--json", "--class", stationB])
        #expect(asStation.status == 0)
        #expect(try ClassServer.json(asStation.stdout).count == 1)
    }

    @Test func aWrongPasswordIsOneLineAndTheSessionStaysQueuedLocally() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, database) = try ClassServer.newClass()
        let name = "w-\(Self.suffix())"
        let station = try ClassServer.add("station", name, classURL: url, in: folder)
        let good = try ClassServer.password(inCredentials: station)
        let text = try String(contentsOfFile: station, encoding: .utf8)
        let wrongFile = folder + "/wrong.lighttouch-class"
        let wrong = "Wr0ngPassw0rdWr0ngPassw0"
        #expect(FileManager.default.createFile(
            atPath: wrongFile, contents: Data(text.replacingOccurrences(of: good, with: wrong).utf8), attributes: [.posixPermissions: 0o600]))

        let dataDir = folder + "/data"
        let practice = try Programs.run(
            "lighttouch", ["practice", "--sensor", "demo", "--duration", "1", "--plain", "--data-dir", dataDir, "--class", wrongFile])
        #expect(practice.status == 77)
        let lines = practice.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(practice.stderr)")
        #expect(lines.first?.contains("refused the login of `\(name)`") == true)
        #expect(!practice.stderr.contains(wrong) && !practice.stderr.contains(good))
        let local = try SessionRecordingTests.sessions(dataDir)
        #expect(local.first?["status"] as? String == "complete")
        #expect(local.first?["upload"] as? String == "pending")
        #expect(try ClassServer.value(database, "SELECT count(*) FROM lighttouch.session") == "0")

        // With the right credentials, `class sync` sends what waited.
        let sync = try Programs.run("lighttouch", ["class", "sync", "--data-dir", dataDir, "--class", station])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout.hasPrefix("Sent 1 session ("))
        #expect(try ClassServer.value(database, "SELECT sum(samples) FROM lighttouch.blocks") == "\(local.first?["samples"] as? Int ?? -1)")
        #expect(try SessionRecordingTests.sessions(dataDir).first?["upload"] as? String == "uploaded")
    }

    @Test func theServerCrashingMidSessionLosesNoSampleAndDuplicatesNone() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, database) = try ClassServer.newClass()
        let station = try ClassServer.add("station", "c-\(Self.suffix())", classURL: url, in: folder)
        let dataDir = folder + "/data"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Programs.path("lighttouch"))
        // Four touches, a second each, so that events come in every part of the upload, before and after the crash.
        let touches = folder + "/touches.csv"
        try "time_s,force_g\n0,0\n1.0,0\n1.1,5\n2.0,5\n2.1,0\n3.0,0\n3.1,5\n4.0,5\n4.1,0\n5.0,0\n5.1,5\n6.0,5\n6.1,0\n7.0,0\n7.1,5\n8,5\n"
            .write(toFile: touches, atomically: true, encoding: .utf8)
        process.arguments = [
            "practice", "--sensor", "demo", "--force-script", touches, "--duration", "8", "--plain", "--data-dir", dataDir, "--class", station,
        ]
        let errPipe = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errPipe
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        // Wait (polling, with a deadline: the server offers no event for it) until blocks have arrived.
        var deadline = Date().addingTimeInterval(20)
        while try ClassServer.value(database, "SELECT count(*) FROM lighttouch.blocks") == "0" {
            try #require(Date() < deadline, "no block reached the server")
            usleep(100_000)
        }
        try ClassServer.control("crash")
        // Down for a while (the session goes on recording), then back.
        deadline = Date().addingTimeInterval(2)
        while Date() < deadline { usleep(100_000) }
        try ClassServer.control("start")
        let stderr = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(ended.wait(timeout: .now() + 60) == .success, "the session did not end: \(stderr)")
        #expect(process.terminationStatus == 0, "\(stderr)")
        let local = try #require(try SessionRecordingTests.sessions(dataDir).first)
        #expect(local["status"] as? String == "complete")
        // The upload resumed by itself once the server was back, within the session.
        #expect(local["upload"] as? String == "uploaded")
        #expect(stderr.isEmpty, "\(stderr)")
        let samples = try #require(local["samples"] as? Int)
        #expect(try ClassServer.value(database, "SELECT sum(samples) FROM lighttouch.blocks") == "\(samples)")
        #expect(try ClassServer.value(database, "SELECT count(*) = count(DISTINCT idx) AND count(*) = max(idx) + 1 FROM lighttouch.blocks") == "t")
        #expect(try ClassServer.value(database, "SELECT status || ' ' || samples FROM lighttouch.session") == "complete \(samples)")
        // Every event once, as recorded: the exports' sidecars list the same events, locally and from the class.
        let instructor = try ClassServer.add("instructor", "ci-\(Self.suffix())", classURL: url, in: folder)
        let localExport = try Programs.run(
            "lighttouch", ["export", "\(local["id"] as? Int ?? -1)", "--csv", "--out", folder + "/local.csv", "--data-dir", dataDir])
        #expect(localExport.status == 0, "\(localExport.stderr)")
        let remoteID = try ClassServer.value(database, "SELECT id FROM lighttouch.session")
        let classExport = try Programs.run("lighttouch", ["class", "export", remoteID, "--csv", "--out", folder + "/class.csv", "--class", instructor])
        #expect(classExport.status == 0, "\(classExport.stderr)")
        let localEvents = try Self.sidecarEvents(folder + "/local.csv.json")
        // The tare, four touches and three releases (the fourth touch is held to the end).
        #expect(localEvents.count == 8)
        #expect(try Self.sidecarEvents(folder + "/class.csv.json") == localEvents)
        #expect(try ClassServer.value(database, "SELECT count(*) FROM lighttouch.event") == "\(localEvents.count)")
    }

    /// An export sidecar's events, each as sorted-key JSON text.
    static func sidecarEvents(_ path: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let events = try #require(object?["events"] as? [Any], "no events in \(path)")
        return try events.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: .sortedKeys), as: UTF8.self) }
    }

    @Test func theLiveViewShowsEachStationAndNeverABlindTrialsForce() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, _) = try ClassServer.newClass()
        let (open, blind) = ("open-\(Self.suffix())", "blind-\(Self.suffix())")
        let openStation = try ClassServer.add("station", open, classURL: url, in: folder)
        let blindStation = try ClassServer.add("station", blind, classURL: url, in: folder)
        let instructor = try ClassServer.add("instructor", "w-\(Self.suffix())", classURL: url, in: folder)
        // Two stations and the watch run side by side (the watch for a fixed time).
        let group = DispatchGroup()
        nonisolated(unsafe) var results: [Programs.Result?] = [nil, nil]
        for (index, arguments) in [
            ["practice", "--sensor", "demo", "--duration", "6", "--plain", "--student", "Ann", "--data-dir", folder + "/o", "--class", openStation],
            ["practice", "--sensor", "demo", "--drill", "blind-check", "--trials", "1", "--duration", "6", "--plain", "--data-dir", folder + "/b",
             "--class", blindStation],
        ].enumerated() {
            group.enter()
            DispatchQueue.global().async {
                results[index] = try? Programs.run("lighttouch", arguments)
                group.leave()
            }
        }
        let watch = try Programs.run("lighttouch", ["class", "watch", "--json", "--duration", "5", "--class", instructor])
        group.wait()
        #expect(results.allSatisfy { $0?.status == 0 }, "\(results.map { $0?.stderr ?? "did not run" })")
        #expect(watch.status == 0, "\(watch.stderr)")
        let lines = watch.stdout.split(separator: "\n").compactMap { Programs.lastJSONObject(String($0)) }
        let openLines = lines.filter { $0["station"] as? String == open }
        let blindLines = lines.filter { $0["station"] as? String == blind }
        #expect(openLines.count >= 10 && blindLines.count >= 10, "\(openLines.count) and \(blindLines.count) updates")
        #expect(openLines.allSatisfy { $0["force_g"] is Double && $0["student"] as? String == "Ann" && $0["publish_latency_ms"] is Int })
        // Sample-to-view latency: the publish latency plus the sample's age at publishing, whenever a sample has arrived.
        let timed = openLines.filter { $0["sample_age_ms"] is Int }
        #expect(timed.count >= openLines.count - 2, "\(timed.count) of \(openLines.count) updates carry a sample's age")
        #expect(timed.allSatisfy { line in
            guard let latency = line["latency_ms"] as? Int, let age = line["sample_age_ms"] as? Int, let publish = line["publish_latency_ms"] as? Int
            else { return false }
            return latency == age + publish && age >= 0
        })
        // The server wrote each state after the station sent it and before the view read it.
        #expect(openLines.allSatisfy { line in
            guard let server = line["server_latency_ms"] as? Int, let publish = line["publish_latency_ms"] as? Int else { return false }
            return server >= 0 && server <= publish
        })
        #expect(blindLines.contains { $0["phase"] as? String == "trial" })
        #expect(blindLines.allSatisfy { $0["force_g"] is NSNull && $0["verdict"] is NSNull && $0["hold_s"] is NSNull && $0["blind"] as? Bool == true })
    }

    /// A two-hand station on the live view: each hand and the share, and
    /// "on target" only while both hands hold in the band balanced. The
    /// scripted hands press 5 g each from 2 s, then 4.2 and 6.8 g from 5.5 s
    /// (a 38.2 % left share; the mean, 5.5 g, still in the band).
    @Test func theLiveViewShowsBothHandsAndTheBalance() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, _) = try ClassServer.newClass()
        let name = "hands-\(Self.suffix())"
        let station = try ClassServer.add("station", name, classURL: url, in: folder)
        let instructor = try ClassServer.add("instructor", "w-\(Self.suffix())", classURL: url, in: folder)
        let script = folder + "/hands.csv"
        try "time_s,force_g_left,force_g_right\n0,0,0\n1.5,0,0\n2,5,5\n5,5,5\n5.5,4.2,6.8\n60,4.2,6.8\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        nonisolated(unsafe) var practice: Programs.Result?
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            practice = try? Programs.run(
                "lighttouch",
                ["practice", "--sensor", "demo", "--hands", "2", "--force-script", script, "--noise-g", "0", "--duration", "9", "--plain",
                 "--data-dir", folder + "/h", "--class", station])
            group.leave()
        }
        let watch = try Programs.run("lighttouch", ["class", "watch", "--plain", "--duration", "8", "--class", instructor])
        group.wait()
        #expect(practice?.status == 0, "\(practice?.stderr ?? "did not run")")
        #expect(watch.status == 0, "\(watch.stderr)")
        let lines = watch.stdout.split(separator: "\n").filter { $0.hasPrefix(name) }
        #expect(lines.contains { $0.contains("  5.00 g  on target  L 5.00 g R 5.00 g L 50.0 %  hold ") }, "\(lines)")
        #expect(lines.contains { $0.contains("  5.50 g  unbalanced  L 4.20 g R 6.80 g L 38.2 %  hold ") }, "\(lines)")
    }

    /// The instructor's full screen in a real terminal: an empty class, then
    /// a station's tile with its student, trial and live force while it
    /// practises, then the same tile marked quiet once it stops; q restores
    /// the terminal.
    @Test(.enabled(if: PracticeTmux.isAvailable, "tmux and the built lighttouch are needed"))
    func theClassViewScreenShowsALiveStationThenMarksItQuiet() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, _) = try ClassServer.newClass()
        let name = "bench-\(Self.suffix())"
        let station = try ClassServer.add("station", name, classURL: url, in: folder)
        let instructor = try ClassServer.add("instructor", "w-\(Self.suffix())", classURL: url, in: folder)
        let tmux = try PracticeTmux(columns: 80, rows: 20)
        try tmux.run("\(Programs.path("lighttouch")) class watch --class '\(instructor)'")
        try tmux.waitFor(": 0 stations   q quits")

        let ended = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var practice: Programs.Result?
        DispatchQueue.global().async {
            practice = try? Programs.run(
                "lighttouch", ["practice", "--sensor", "demo", "--duration", "6", "--plain", "--student", "Ann", "--data-dir", folder + "/s",
                               "--class", station])
            ended.signal()
        }
        // The tile: name, student and drill, the trial, a force with its verdict.
        let live = try tmux.waitFor("the station's live tile") { pane in
            pane.contains(": 1 station ") && pane.contains(name) && pane.contains("Ann · ")
                && pane.range(of: #"[0-9]+\.[0-9]{2} g (on target|too light|too heavy)"#, options: .regularExpression) != nil
        }
        #expect(!live.contains("QUIET"), "\(live)")
        ended.wait()
        #expect(practice?.status == 0, "\(practice?.stderr ?? "did not run")")
        let quiet = try tmux.waitFor("QUIET")
        #expect(quiet.contains(name))
        try tmux.press("q")
        try tmux.expectTerminalRestored()
    }

    @Test func namesFullOfQuotesAndSemicolonsAreData() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, database) = try ClassServer.newClass()
        let name = "O'Neil\"; DROP TABLE lighttouch.session; --\(Self.suffix())"
        let student = "Robert'); DROP TABLE lighttouch.block;-- \"Bobby\" ; %s $1 \\"
        let station = try ClassServer.add("station", name, classURL: url, in: folder)
        let instructor = try ClassServer.add("instructor", "i'; SELECT 1; --\(Self.suffix())", classURL: url, in: folder)
        let practice = try Programs.run(
            "lighttouch",
            ["practice", "--sensor", "demo", "--duration", "1", "--plain", "--student", student, "--data-dir", folder + "/data", "--class", station])
        #expect(practice.status == 0, "\(practice.stderr)")
        let listed = try Programs.run("lighttouch", ["class", "sessions", "--json", "--student", student, "--class", instructor])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try ClassServer.json(listed.stdout)
        #expect(rows.count == 1)
        #expect(rows.first?["student"] as? String == student)
        #expect(rows.first?["station"] as? String == name)
        #expect(try ClassServer.value(database, "SELECT count(*) FROM lighttouch.blocks") != "0")
    }

    @Test func badClassInputIsOneLineAndANonzeroExit() throws {
        let folder = try ClassServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (host, port) = try ClassServer.hostPort()
        let cases: [(arguments: [String], status: Int32, says: String)] = [
            (["class", "init", "mysql://x@y/z"], 64, "does not start with postgresql://"),
            (["class", "init", "postgresql://postgres:Secret123@\(host):\(port)/x"], 64, "holds a password"),
            (["class", "init", "postgresql://postgres@\(host):\(port)/x?sslmode=sometimes"], 64, "sslmode `sometimes`"),
            (["class", "sessions", "--class", folder + "/missing.lighttouch-class"], 66, "no such credentials file"),
            (["class", "sessions", "--class", "postgresql://postgres@127.0.0.1:1/x?sslmode=disable"], 69, "cannot reach the class server at 127.0.0.1:1/x"),
            (["class", "init", "postgresql://postgres@\(host):\(port)/no_such_db?sslmode=disable"], 78, "has no database `no_such_db`"),
            (["class", "init", "postgresql://postgres@\(host):\(port)/postgres?sslmode=verify-full"], 69,
             "cannot set up TLS with the class server at \(host):\(port)/postgres (the server's certificate is not signed by a CA in sslrootcert or the system's)"),
            (["practice", "--sensor", "demo", "--duration", "1", "--plain", "--class", "nonsense"], 66, "no such credentials file"),
        ]
        for (arguments, status, says) in cases {
            let result = try Programs.run("lighttouch", arguments, environment: ["LIGHTTOUCH_CLASS": "", "LIGHTTOUCH_DATA": folder])
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(says), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Secret123"))
        }
        // A credentials file others may read is refused.
        let (url, _) = try ClassServer.newClass()
        let station = try ClassServer.add("station", "p-\(Self.suffix())", classURL: url, in: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: station)
        let open = try Programs.run("lighttouch", ["class", "sync", "--data-dir", folder, "--class", station])
        #expect(open.status == 66)
        #expect(open.stderr.contains("others may read this credentials file"))
    }
}
