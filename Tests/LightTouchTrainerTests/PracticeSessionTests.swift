import LightTouchCore
import Testing

@testable import LightTouchTrainer

@Suite struct PracticeSessionTests {
    /// Samples every 10 ms from `from` for `seconds` at `force`.
    func samples(from: Double, seconds: Double, force: Double) -> [(time: Double, force: Double)] {
        (0..<Int((seconds * 100).rounded())).map { (from + Double($0) * 0.01, force) }
    }

    @Test func theHoldGoalIsMetFromItsEventToTheEndOfTheTrial() {
        // first-touch: 10 s trials, a 5 s hold goal, 5 s rests.
        var session = PracticeSession(drill: .firstTouch)
        _ = session.push(samples(from: 0, seconds: 1, force: 5))
        #expect(session.isRunning && !session.isHoldGoalMet)
        let events = session.push(samples(from: 1, seconds: 4.5, force: 5))
        #expect(events.contains(.holdGoalMet) && session.isHoldGoalMet)
        _ = session.push(samples(from: 5.5, seconds: 1, force: 0))
        #expect(session.isHoldGoalMet, "met for the rest of the trial")
        _ = session.push(samples(from: 6.5, seconds: 12, force: 0))
        #expect(!session.isRunning && !session.isHoldGoalMet)
        _ = session.push(samples(from: 18.5, seconds: 1, force: 5))
        #expect(session.trialIndex == 1 && session.isRunning && !session.isHoldGoalMet)
    }

    @Test func theFirstTouchStartsTrialOneAndTheDrillSetsItsLength() throws {
        var session = PracticeSession(drill: .firstTouch)
        _ = session.push(samples(from: 0, seconds: 1, force: 0))
        #expect(session.phase == .ready(next: 0))
        let events = session.push(samples(from: 1, seconds: 11, force: 5))
        #expect(events.contains(.trialStarted(1)))
        #expect(events.contains(.holdGoalMet))
        let result = try #require(session.results.first)
        #expect(abs(result.metrics.durationSeconds - 10) < 1e-9)
        #expect(result.metrics.startSeconds == 1)
        #expect(result.feedback == "full")
        #expect(result.metrics.score == 100)
        #expect(session.phase == .resting(next: 1, until: 11 + 5))
    }

    @Test func spaceStartsAndEndsATrialAndTheRestStartsTheNext() throws {
        var session = PracticeSession(drill: .blindCheck)
        _ = session.push(samples(from: 0, seconds: 1, force: 0))
        _ = session.handle(.space)
        _ = session.push(samples(from: 1, seconds: 2, force: 0.2))
        #expect(session.phase == .running(index: 0))
        #expect(session.visibility == .hidden)
        _ = session.handle(.space)
        #expect(session.results.count == 1)
        #expect(session.results[0].feedback == "blind")
        #expect(session.visibility == .all)  // knowledge of results between trials
        // The rest is over; nobody touches: trial 2 waits for a touch, then starts.
        _ = session.push(samples(from: 3, seconds: 6, force: 0))
        #expect(session.phase == .ready(next: 1))
        _ = session.push(samples(from: 9, seconds: 0.1, force: 3))
        #expect(session.phase == .running(index: 1))
        #expect(session.results.count == 1)
    }

    @Test func peeksShowTheForceForOneSecondAndAreCounted() throws {
        var session = PracticeSession(drill: Drill.firstTouch.overriding(feedback: .selfPaced))
        _ = session.push(samples(from: 0, seconds: 1, force: 5))
        #expect(session.visibility == .hidden)
        _ = session.handle(.peek)
        #expect(session.visibility == .all)
        _ = session.push(samples(from: 1, seconds: 0.5, force: 5))
        #expect(session.visibility == .all)
        _ = session.push(samples(from: 1.5, seconds: 0.6, force: 5))
        #expect(session.visibility == .hidden)
        _ = session.handle(.peek)
        _ = session.push(samples(from: 2.1, seconds: 9, force: 5))
        let result = try #require(session.results.first)
        #expect(result.peeks == 2)
        #expect(result.feedback == "self")
        #expect(result.json.serialized().hasSuffix(",\"target_g\":5,\"feedback\":\"self\",\"peeks\":2}"))
    }

    @Test func bandwidthHidesTheNumberOnlyInBand() {
        var session = PracticeSession(drill: Drill.firstTouch.overriding(feedback: .bandwidth))
        _ = session.push(samples(from: 0, seconds: 1, force: 5))
        #expect(session.visibility == .calmOnTarget)
        _ = session.push(samples(from: 1, seconds: 0.1, force: 8))
        #expect(session.visibility == .all)
    }

    @Test func cyclingTheModeIsRecordedWithTheTrial() throws {
        var session = PracticeSession(drill: .firstTouch)
        _ = session.push(samples(from: 0, seconds: 1, force: 5))
        _ = session.handle(.cycleFeedback)
        #expect(session.currentMode == .bandwidth)
        _ = session.handle(.space)
        #expect(try #require(session.results.first).feedback == "full+bandwidth")
        #expect(session.mode(ofTrial: 1) == .bandwidth)
    }

    @Test func theTargetMovesBetweenTrialsOnly() {
        var session = PracticeSession(drill: .firstTouch)
        _ = session.push(samples(from: 0, seconds: 0.1, force: 0))
        _ = session.handle(.targetUp)
        #expect(session.currentOptions.target == 5.5)
        _ = session.handle(.targetDown)
        _ = session.handle(.targetDown)
        #expect(session.currentOptions.target == 4.5)
        _ = session.push(samples(from: 0.1, seconds: 1, force: 4.5))
        #expect(session.isRunning)
        _ = session.handle(.targetUp)
        #expect(session.currentOptions.target == 4.5)
        #expect(session.notice != nil)
    }

    @Test func leavingTheBandIsAnEvent() {
        var session = PracticeSession(drill: .firstTouch)
        _ = session.push(samples(from: 0, seconds: 1, force: 5))
        let events = session.push(samples(from: 1, seconds: 0.1, force: 7))
        #expect(events.filter { $0 == .leftBand }.count == 1)
    }

    @Test func aHandStillOnTheSensorStartsTheNextTrialWhenTheRestEnds() {
        var session = PracticeSession(drill: .firstTouch)
        _ = session.push(samples(from: 0, seconds: 15.5, force: 5))
        #expect(session.results.count == 1)
        #expect(session.phase == .running(index: 1))
        #expect(session.results[0].metrics.endSeconds == 10)
        #expect(session.currentTrial?.startSeconds == 15)
    }

    @Test func theDrillCompletesAfterItsTrials() {
        var session = PracticeSession(drill: Drill.firstTouch.overriding(trialCount: 2))
        var events: [PracticeSession.Event] = []
        events += session.push(samples(from: 0, seconds: 40, force: 5))
        #expect(session.results.count == 2)
        #expect(events.contains(.drillComplete))
        #expect(session.phase == .complete)
        let report = SessionReport(drill: session.drill, results: session.results, samples: 4000, lostFrames: 0, rejectedSamples: 0, calibrated: true)
        #expect(report.table.contains("2 of 2 trials: mean score 100.0"))
        #expect(report.json.serialized().hasPrefix("{\"drill\":\"first-touch\",\"trials\":[{\"trial\":1,"))
    }
}
