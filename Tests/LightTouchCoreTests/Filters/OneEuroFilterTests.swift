import Foundation
import Testing

@testable import LightTouchCore

@Suite struct OneEuroFilterTests {
    /// The parameters of the authors' ground truth (python/OneEuroFilterTest.py, cpp/Test.cpp).
    static func authorsFilter() throws -> OneEuroFilter {
        try OneEuroFilter(minCutoffHz: 1.0, beta: 0.1, derivativeCutoffHz: 1.0)
    }

    @Test func groundTruthHasTheExpectedShape() throws {
        let rows = try FilterReferenceData.oneEuroGroundTruth()
        #expect(rows.count == 1200)
        for (i, row) in rows.enumerated() {
            // Printed to 6 significant digits: each time is i/120 s, each
            // `signal` is sin(time).
            #expect(abs(row.timestamp - Double(i) / 120) <= 5e-6 * max(1, row.timestamp), "row \(i)")
            #expect(abs(row.signal - sin(row.timestamp)) <= 1e-5, "row \(i)")
        }
    }

    @Test func matchesTheAuthorsGroundTruthAtTheSampleTimes() throws {
        // The authors ran the filter at exact 120 Hz times; the CSV prints
        // them rounded. Fed i/120 s, we match their output to 1e-5.
        let rows = try FilterReferenceData.oneEuroGroundTruth()
        var filter = try Self.authorsFilter()
        var worst = 0.0
        for (i, row) in rows.enumerated() {
            let y = filter(row.noisy, at: Double(i) / 120)
            worst = max(worst, abs(y - row.filtered))
        }
        print("1€ vs ground truth at i/120 s: max difference \(worst)")
        #expect(worst <= 1e-5)
    }

    @Test func matchesTheAuthorsGroundTruthAtThePrintedTimes() throws {
        // The printed timestamps are rounded (Δt off by up to 0.1 %), which
        // moves the output by up to about 2.5e-5; the authors' own check of
        // an implementation fed these times is looser still.
        let rows = try FilterReferenceData.oneEuroGroundTruth()
        var filter = try Self.authorsFilter()
        var worst = 0.0
        for row in rows { worst = max(worst, abs(filter(row.noisy, at: row.timestamp) - row.filtered)) }
        print("1€ vs ground truth at the printed times: max difference \(worst)")
        #expect(worst <= 1e-4)
    }

    @Test func firstOutputEqualsFirstInput() throws {
        for x in [5.0, -0.0385099, 0, 1e6] {
            var filter = try OneEuroFilter(minCutoffHz: 1, beta: 0.5, derivativeCutoffHz: 1)
            #expect(filter(x, at: 12.345) == x)
            filter.reset()
            #expect(filter(x + 1, at: 0) == x + 1)
        }
    }

    @Test func constantInputGivesConstantOutput() throws {
        var filter = try OneEuroFilter(minCutoffHz: 1, beta: 0.5, derivativeCutoffHz: 1)
        for i in 0..<1000 { #expect(filter(5, at: Double(i) / 80) == 5) }
    }

    @Test func withoutBetaItIsAnExponentialSmoother() throws {
        // fc = 1/(2π) Hz and Δt = 1 s give τ = 1 s and α = 1/(1 + τ/Δt) = 1/2.
        var filter = try OneEuroFilter(minCutoffHz: 1 / (2 * Double.pi), beta: 0, derivativeCutoffHz: 1)
        let inputs = [0.0, 8, 8, 0, 2]
        let expected = [0.0, 4, 6, 3, 2.5]
        for (i, (x, y)) in zip(inputs, expected).enumerated() {
            #expect(abs(filter(x, at: Double(i)) - y) <= 1e-12, "sample \(i)")
        }
    }

    @Test func speedRaisesTheCutoffByHand() throws {
        // All cutoffs k/(2π) Hz and Δt = 1 s, so α = k/(1 + k).
        // t=0: x=0 → 0, speed 0.
        // t=1: x=4: raw speed (4 − 0)/1 = 4; speed = 0 + ½(4 − 0) = 2;
        //      fc = (1 + 1·2)/(2π) → α = 3/4; x̂ = 0 + ¾·4 = 3.
        // t=2: x=4: raw speed (4 − 3)/1 = 1 (against the previous output);
        //      speed = 2 + ½(1 − 2) = 1.5; fc = 2.5/(2π) → α = 5/7;
        //      x̂ = 3 + (5/7)·1 = 26/7.
        // t=4: x=0 (Δt = 2): raw speed (0 − 26/7)/2 = −13/7; α_d = 2/3.
        let k = 1 / (2 * Double.pi)
        var filter = try OneEuroFilter(minCutoffHz: k, beta: k, derivativeCutoffHz: k)
        #expect(filter(0, at: 0) == 0)
        #expect(abs(filter(4, at: 1) - 3) <= 1e-12)
        #expect(abs(filter(4, at: 2) - 26.0 / 7) <= 1e-12)
        // t=4: speed = 3/2 + (2/3)(−13/7 − 3/2) = 3/2 − 47/21 = −31/42;
        //      fc = (1 + 31/42)/(2π), r = 2·73/42 = 73/21, α = 73/94;
        //      x̂ = 26/7 − (73/94)(26/7) = (21/94)(26/7) = 78/94 = 39/47.
        #expect(abs(filter(0, at: 4) - 39.0 / 47) <= 1e-12)
    }

    @Test func aSampleThatIsNotLaterIsIgnored() throws {
        var withDuplicates = try OneEuroFilter(minCutoffHz: 1, beta: 0.5, derivativeCutoffHz: 1)
        var clean = withDuplicates
        for i in 0..<200 {
            let t = Double(i) / 80
            let x = 5 + sin(Double(i) * 0.2) + (i % 7 == 0 ? 0.3 : 0)
            let y = clean(x, at: t)
            #expect(withDuplicates(x, at: t) == y)
            // A duplicate time, an earlier time and a NaN time change nothing.
            #expect(withDuplicates(x + 50, at: t) == y)
            #expect(withDuplicates(-50, at: t - 1) == y)
            #expect(withDuplicates(x, at: .nan) == y)
        }
        #expect(withDuplicates == clean)
    }

    @Test func usesTheActualTimeStep() throws {
        // α follows each sample's own Δt: with fc = 1/(2π) Hz and β = 0,
        // Δt = 3 s gives α = 3/4 and then Δt = 0.5 s gives α = 1/3.
        var filter = try OneEuroFilter(minCutoffHz: 1 / (2 * Double.pi), beta: 0, derivativeCutoffHz: 1)
        _ = filter(0, at: 10)
        #expect(abs(filter(8, at: 13) - 6) <= 1e-12)
        #expect(abs(filter(8, at: 13.5) - (6 + (0.5 / 1.5) * 2)) <= 1e-12)
    }

    @Test func resetForgetsEverything() throws {
        var filter = try OneEuroFilter(minCutoffHz: 1, beta: 0.5, derivativeCutoffHz: 1)
        let fresh = filter
        for i in 0..<50 { _ = filter(Double(i), at: Double(i)) }
        filter.reset()
        #expect(filter == fresh)
    }

    @Test func rejectsBadParameters() {
        func check(_ expected: (FilterConfigurationError) -> Bool, _ make: () throws(FilterConfigurationError) -> OneEuroFilter) {
            do {
                _ = try make()
                Issue.record("accepted")
            } catch {
                #expect(expected(error), "\(error)")
            }
        }
        for bad in [0, -1, .nan, .infinity] as [Double] {
            check({ if case .minCutoff = $0 { true } else { false } }) { () throws(FilterConfigurationError) in
                try OneEuroFilter(minCutoffHz: bad, beta: 0, derivativeCutoffHz: 1)
            }
            check({ if case .derivativeCutoff = $0 { true } else { false } }) { () throws(FilterConfigurationError) in
                try OneEuroFilter(minCutoffHz: 1, beta: 0, derivativeCutoffHz: bad)
            }
        }
        for bad in [-0.001, .nan, .infinity, -.infinity] as [Double] {
            check({ if case .beta = $0 { true } else { false } }) { () throws(FilterConfigurationError) in
                try OneEuroFilter(minCutoffHz: 1, beta: bad, derivativeCutoffHz: 1)
            }
        }
        #expect((try? OneEuroFilter(minCutoffHz: 1e-3, beta: 0, derivativeCutoffHz: 1e-3)) != nil)
    }
}
