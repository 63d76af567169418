import LightTouchCore
import Testing

@testable import LightTouchSession

/// A two-hand station's live state for the class view: the verdict says
/// "on target" only while a two-hand hold counts, and the hands and the
/// share are there for the view. Band 5 g ± 1, contact 0.5 g, balance 50 % ± 5.
@Suite struct ClassLiveHandsTests {
    let band = TrialOptions()
    let balance = BalanceSettings()

    @Test(arguments: [
        // left, right, the verdict; shares by hand: 100 · L / (L + R).
        (5.0, 5.0, "on target"),  // 50 %, both in the band
        (4.2, 6.8, "unbalanced"),  // 38.2 %: the mean, 5.5 g, is in the band
        (6.2, 5.8, "left too heavy"),  // 51.7 % and a mean of 6.0 g, but the left hand is over 6 g
        (3.0, 3.2, "too light"),  // 48.4 %, the mean 3.1 g
        (0.2, 9.8, "left too light"),  // the left hand does not touch: no share; the mean, 5 g, is in the band
    ])
    func theVerdictIsTheTwoHandHolds(left: Double, right: Double, verdict: String) throws {
        let forces = HandForces(left: left, right: right)
        let mean = Verdict(force: forces.mean, options: band).rawValue
        let (said, hands) = StatusLine.classHands(forces, mean: mean, band: band, balance: balance)
        #expect(said == verdict)
        #expect(hands["left_g"]?.doubleValue == left && hands["right_g"]?.doubleValue == right)
        #expect(hands["balanced"]?.boolValue == (verdict == "on target" || verdict == "left too heavy" || verdict == "too light"))
    }

    @Test func theShareIsRoundedAndNullWithoutBothHands() {
        let (_, hands) = StatusLine.classHands(HandForces(left: 4.2, right: 6.8), mean: "on target", band: band, balance: balance)
        #expect(hands["left_share_pct"]?.doubleValue == 38.181818)
        #expect(hands["left_verdict"]?.stringValue == "on target" && hands["right_verdict"]?.stringValue == "too heavy")
        let (_, lifted) = StatusLine.classHands(HandForces(left: 0.2, right: 9.8), mean: "on target", band: band, balance: balance)
        #expect(lifted["left_share_pct"] == .null)
    }
}
