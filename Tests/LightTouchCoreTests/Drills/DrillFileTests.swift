import Foundation
import Testing

@testable import LightTouchCore

@Suite struct DrillFileTests {
    @Test func aFullFileParses() throws {
        let drill = try DrillFile.parse(
            """
            # my ladder
            version = 1
            name = "my-ladder"
            purpose = "2, 5 and 8 g"
            target_g = [2, 5, 8.5]   # one per trial
            tolerance_g = 0.5
            hold_s = 8
            trial_length_s = 12
            rest_s = 3
            feedback = ["full", "bandwidth", "blind"]
            """, file: "ladder.toml")
        #expect(drill.name == "my-ladder")
        #expect(drill.trials.map(\.options.target) == [2, 5, 8.5])
        #expect(drill.trials.map(\.feedback) == [.full, .bandwidth, .blind])
        #expect(drill.trials.allSatisfy { $0.options.tolerance == 0.5 && $0.options.holdGoal == 8 && $0.lengthSeconds == 12 })
        #expect(drill.restSeconds == 3)
    }

    /// `hands = 2` makes a two-hand drill, whose balance band the recorded JSON keeps.
    @Test func aTwoHandDrillParsesAndRecordsItsBalance() throws {
        let drill = try DrillFile.parse(
            "version = 1\nhands = 2\nbalance_pct = 55\nbalance_tolerance_pct = 4\nhold_s = 8\n", file: "cv4.toml")
        #expect(drill.balance == BalanceSettings(target: 55, tolerance: 4))
        #expect(drill.shape == "1 × 13 s at 5 g ± 1 g, two hands, balance 55 % ± 4, hold 8 s, rest 5 s, full")
        let json = DrillCoding.json(drill)
        #expect(json.hasSuffix(#""hands":2,"balance_target_pct":55,"balance_tolerance_pct":4}"#))
        #expect(try DrillCoding.drill(json) == drill)
        #expect(try DrillFile.parse("version = 1\nhands = 1\n", file: "one.toml").balance == nil)
        #expect(DrillCoding.json(Drill.firstTouch).contains("hands") == false)
    }

    @Test func theNameDefaultsToTheFileName() throws {
        let drill = try DrillFile.parse("version = 1\ntrials = 2\nhold_s = 4\n", file: "/tmp/short-holds.toml")
        #expect(drill.name == "short-holds")
        #expect(drill.trials.count == 2 && drill.trials[0].lengthSeconds == 9)
    }

    @Test(arguments: [
        ("version = 1\nfeedback = \"loud\"\n", "d.toml:2: key `feedback`: \"loud\" is not a feedback mode (allowed: one of full, bandwidth, faded, blind, self, or a list of them (one per trial))"),
        ("version = 1\ntarget = 5\n", "d.toml:2: unknown key `target`; allowed keys: version, name, purpose, target_g, tolerance_g, hold_s, trial_length_s, trials, rest_s, feedback, hands, balance_pct, balance_tolerance_pct, estimate"),
        ("name = \"x\"\n", "d.toml: missing `version = 1` (the drill-file format's version)"),
        ("version = 2\n", "d.toml:1: key `version`: version 2 is not understood by this LightTouch (allowed: the number 1)"),
        ("version = 1\ntarget_g = -5\n", "d.toml:2: key `target_g`: -5 is not allowed (allowed: a positive number of grams, or a list of them (one per trial))"),
        ("version = 1\ntrials = 2.5\n", "d.toml:2: key `trials`: 2.5 is not allowed (allowed: a whole number from 1 to 100)"),
        ("version = 1\ntrials = 3\ntarget_g = [2, 5]\n", "d.toml:3: key `target_g`: the list has 2 values but the drill has 3 trials (allowed: a positive number of grams, or a list of them (one per trial))"),
        ("version = 1\nhold_s = five\n", "d.toml:2: key `hold_s`: `five` is not a number or a quoted string (allowed: a positive number of seconds, or a list of them)"),
        ("version = 1\n[drill]\n", "d.toml:2: tables ([…]) are not used in drill files; write `key = value` lines"),
        ("version = 1\nversion = 1\n", "d.toml:2: key `version` is given twice (first on line 1)"),
        ("version = 1\ntolerance_g = 6\n", "d.toml: trial 1: tolerance_g (6.0 g) must be smaller than target_g (5.0 g)"),
        ("version = 1\nhold_s = 10\ntrial_length_s = 5\n", "d.toml:3: key `trial_length_s`: trial 1 is 5.0 s, shorter than its hold goal of 10.0 s (allowed: a positive number of seconds, or a list of them)"),
        ("version = 1\nname = \"open\n", "d.toml:2: key `name`: the string is not closed with `\"` (allowed: a string)"),
        ("version = 1\nhands = 3\n", "d.toml:2: key `hands`: 3 is not allowed (allowed: 1 or 2)"),
        ("version = 1\nbalance_pct = 60\n", "d.toml:2: key `balance_pct`: it applies to two hands only: add `hands = 2` (allowed: with hands = 2: the left hand's share of the force, percent, above 0 and below 100)"),
        ("version = 1\nhands = 2\nbalance_tolerance_pct = 60\n", "d.toml:3: balance_tolerance_pct must be positive and keep the band inside 0…100 % (got 60.0 around 50.0)"),
    ])
    func aBadFileNamesTheFileTheKeyAndWhatIsAllowed(text: String, message: String) {
        #expect(throws: DrillFile.ParseError.self) { try DrillFile.parse(text, file: "d.toml") }
        do {
            _ = try DrillFile.parse(text, file: "d.toml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func builtInDrillsAreValidAndFoundByName() throws {
        for drill in Drill.builtIn { try drill.validate() }
        #expect(Drill.builtIn(named: "First touch") == .firstTouch)
        #expect(Drill.builtIn(named: "blind_check") == .blindCheck)
        #expect(Drill.ladder.trials.map(\.options.target) == [2, 5, 10])
        #expect(Drill.stillPoint.trials.first?.feedback == .faded)
        #expect(Drill.steadyHold.trials.first?.options.holdGoal == 30)
        #expect(Drill.firstTouch.overriding(trialCount: 7).trials.count == 7)
        #expect(Drill.ladder.overriding(target: 6).trials.allSatisfy { $0.options.target == 6 })
    }
}

@Suite struct ShippedDrillFileTests {
    /// Every example in drills/ parses and is a valid drill.
    @Test func theExampleDrillFilesParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent("drills")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".toml") }
        #expect(files.count >= 2)
        for file in files {
            let path = directory.appendingPathComponent(file).path
            let drill = try DrillFile.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            try drill.validate()
            #expect(!drill.purpose.isEmpty)
        }
    }
}

@Suite struct DrillEstimateFileTests {
    @Test func theEstimateKeyTakesOneRequestOrOnePerTrial() throws {
        let one = try DrillFile.parse("version = 1\ntrials = 2\nestimate = \"verdict+hold\"\n", file: "d.toml")
        #expect(one.trials.map(\.estimate) == [EstimateRequest(force: .verdict, hold: true), EstimateRequest(force: .verdict, hold: true)])
        let each = try DrillFile.parse(
            "version = 1\nfeedback = [\"full\", \"blind\", \"blind\"]\nestimate = [\"none\", \"grams\", \"hold\"]\n", file: "d.toml")
        #expect(each.trials.map(\.estimate.name) == ["none", "grams", "hold"])
        #expect(each.shape == "3 × 15 s at 5 g ± 1 g, hold 10 s, rest 5 s, full/blind, estimate grams/hold")
        let none = try DrillFile.parse("version = 1\n", file: "d.toml")
        #expect(none.trials.allSatisfy { $0.estimate == .none })
    }

    @Test(arguments: [
        ("version = 1\nestimate = \"guess\"\n",
         "d.toml:2: key `estimate`: \"guess\" is not an estimate (allowed: one of none, verdict, grams, hold, verdict+hold, grams+hold, or a list of them (one per trial))"),
        ("version = 1\nestimate = 3\n",
         "d.toml:2: key `estimate`: 3 is not an estimate (allowed: one of none, verdict, grams, hold, verdict+hold, grams+hold, or a list of them (one per trial))"),
        ("version = 1\ntrials = 3\nestimate = [\"grams\", \"hold\"]\n",
         "d.toml:3: key `estimate`: the list has 2 values but the drill has 3 trials (allowed: one of none, verdict, grams, hold, verdict+hold, grams+hold, or a list of them (one per trial))"),
    ])
    func aBadEstimateNamesTheKey(text: String, message: String) {
        do {
            _ = try DrillFile.parse(text, file: "d.toml")
            Issue.record("parsed")
        } catch {
            #expect(error.description == message)
        }
    }

    /// The recorded drill: a trial that asks for an estimate says so; one that
    /// does not keeps the bytes it had before estimates existed.
    @Test func theRecordedDrillKeepsTheEstimateAndOldDrillsTheirBytes() throws {
        #expect(
            DrillTrial(options: TrialOptions(), lengthSeconds: 10, feedback: .full).json.serialized()
                == "{\"target_g\":5,\"tolerance_g\":1,\"contact_g\":0.5,\"release_s\":0.5,\"grace_s\":0.2,\"hold_s\":10,\"length_s\":10,\"feedback\":\"full\"}")
        let text = DrillCoding.json(.blindEstimate)
        #expect(text.contains("\"feedback\":\"blind\",\"estimate\":\"grams+hold\"}"))
        #expect(try DrillCoding.drill(text) == .blindEstimate)
        #expect(try DrillCoding.drill(DrillCoding.json(.firstTouch)) == .firstTouch)
        #expect(throws: DrillCoding.DecodeError.self) {
            try DrillCoding.drill(text.replacingOccurrences(of: "grams+hold", with: "telepathy"))
        }
        #expect(Drill.builtIn(named: "blind estimate") == .blindEstimate)
        #expect(Drill.blindEstimate.shape == "5 × 12 s at 5 g ± 1 g, hold 10 s, rest 5 s, blind, estimate grams+hold")
    }
}
