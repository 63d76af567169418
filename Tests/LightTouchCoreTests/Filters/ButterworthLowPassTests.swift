import Foundation
import Testing

@testable import LightTouchCore

@Suite struct ButterworthLowPassTests {
    /// |H(e^{jω})| at `hz`, evaluated here from the public coefficients.
    static func magnitude(_ f: ButterworthLowPass, atHz hz: Double) -> Double {
        let w = 2 * Double.pi * hz / f.sampleRateHz
        let numRe = f.b0 + f.b1 * cos(w) + f.b2 * cos(2 * w)
        let numIm = -(f.b1 * sin(w) + f.b2 * sin(2 * w))
        let denRe = 1 + f.a1 * cos(w) + f.a2 * cos(2 * w)
        let denIm = -(f.a1 * sin(w) + f.a2 * sin(2 * w))
        return ((numRe * numRe + numIm * numIm) / (denRe * denRe + denIm * denIm)).squareRoot()
    }

    /// Cutoffs from 1/200 of the rate up to just below Nyquist.
    static let designs: [(cutoff: Double, rate: Double)] = [
        (0.4, 80), (2, 80), (5, 80), (10, 80), (39, 80),
        (3, 320), (10, 320), (150, 320),
        (5, 1000), (20, 1000), (450, 1000),
        (1, 10), (10, 2000),
    ]

    /// Cutoffs below 1/200 of the rate. Their poles sit close to z = 1, where
    /// the rounding of the coefficients and of each step moves the response
    /// by roughly ε / (fc/fs)² (ε = 2.2e-16): more than 1e-12.
    static let extremeDesigns: [(cutoff: Double, rate: Double)] = [
        (0.2, 80), (0.1, 80), (2, 1000), (0.5, 1000), (0.05, 1000),
    ]

    static func conditioningBound(cutoff: Double, rate: Double) -> Double {
        max(1e-12, 1e-16 / ((cutoff / rate) * (cutoff / rate)))
    }

    @Test func coefficientsAndOutputsMatchSciPy() throws {
        let cases = try FilterReferenceData.butterworthCases()
        #expect(cases.count == 27)
        var worstOutput = 0.0, worstCoefficient = 0.0
        for reference in cases {
            var filter = try ButterworthLowPass(cutoffHz: reference.cutoffHz, sampleRateHz: reference.rateHz)
            let ours = [filter.b0, filter.b1, filter.b2, 1, filter.a1, filter.a2]
            for (a, b) in zip(ours, reference.sos) { worstCoefficient = max(worstCoefficient, abs(a - b)) }
            #expect(zip(ours, reference.sos).allSatisfy { abs($0 - $1) <= 1e-12 }, "\(reference.name): \(ours) vs \(reference.sos)")
            var worst = 0.0
            for (i, x) in reference.input.enumerated() {
                let y = filter(x, at: Double(i) / reference.rateHz)
                worst = max(worst, abs(y - reference.output[i]))
            }
            worstOutput = max(worstOutput, worst)
            #expect(worst <= 1e-9, "\(reference.name): max |ours − SciPy| = \(worst)")
        }
        print("Butterworth vs SciPy: max coefficient difference \(worstCoefficient), max output difference \(worstOutput)")
    }

    @Test(arguments: [5.0, 0.0, -3.25, 1234.5678, 1e-7])
    func constantInputGivesConstantOutputFromSampleOne(level: Double) throws {
        for (cutoff, rate) in Self.designs {
            var filter = try ButterworthLowPass(cutoffHz: cutoff, sampleRateHz: rate)
            var worst = 0.0
            for i in 0..<2000 { worst = max(worst, abs(filter(level, at: Double(i) / rate) - level)) }
            #expect(worst <= 1e-12 * max(1, abs(level)), "\(cutoff) Hz at \(rate) Hz: off by \(worst)")
        }
        for (cutoff, rate) in Self.extremeDesigns {
            var filter = try ButterworthLowPass(cutoffHz: cutoff, sampleRateHz: rate)
            var worst = 0.0
            for i in 0..<20000 { worst = max(worst, abs(filter(level, at: Double(i) / rate) - level)) }
            let bound = Self.conditioningBound(cutoff: cutoff, rate: rate) * max(1, abs(level))
            #expect(worst <= bound, "\(cutoff) Hz at \(rate) Hz: off by \(worst)")
        }
    }

    @Test func dcGainIsOne() throws {
        // Exactly 1 by construction, even far below the rate.
        for (cutoff, rate) in Self.designs + Self.extremeDesigns {
            let f = try ButterworthLowPass(cutoffHz: cutoff, sampleRateHz: rate)
            let gain = (f.b0 + f.b1 + f.b2) / (1 + f.a1 + f.a2)
            #expect(abs(gain - 1) <= 1e-12, "\(cutoff) Hz at \(rate) Hz: DC gain \(gain)")
            #expect(abs(Self.magnitude(f, atHz: 0) - 1) <= 1e-12)
        }
    }

    @Test func minusThreeDecibelsAtTheCutoff() throws {
        for (cutoff, rate) in Self.designs {
            let f = try ButterworthLowPass(cutoffHz: cutoff, sampleRateHz: rate)
            let m = Self.magnitude(f, atHz: cutoff)
            #expect(abs(m - 1 / 2.0.squareRoot()) <= 1e-12, "\(cutoff) Hz at \(rate) Hz: |H| = \(m)")
            // A double zero at Nyquist: nothing passes there.
            #expect(Self.magnitude(f, atHz: rate / 2) <= 1e-12)
        }
        for (cutoff, rate) in Self.extremeDesigns {
            let f = try ButterworthLowPass(cutoffHz: cutoff, sampleRateHz: rate)
            let m = Self.magnitude(f, atHz: cutoff)
            #expect(abs(m - 1 / 2.0.squareRoot()) <= Self.conditioningBound(cutoff: cutoff, rate: rate), "\(cutoff) Hz at \(rate) Hz")
        }
    }

    @Test func coefficientsHaveTheButterworthShape() throws {
        // b = K²/(1 + √2K + K²)·[1, 2, 1]; at fc = fs/4, K = tan(π/4) = 1, so
        // b0 = 1/(2 + √2), a1 = 0, a2 = (2 − √2)/(2 + √2).
        let f = try ButterworthLowPass(cutoffHz: 20, sampleRateHz: 80)
        let root2 = 2.0.squareRoot()
        #expect(abs(f.b0 - 1 / (2 + root2)) <= 1e-15)
        #expect(abs(f.b1 - 2 / (2 + root2)) <= 1e-15)
        #expect(f.b0 == f.b2)
        #expect(abs(f.a1) <= 1e-15)
        #expect(abs(f.a2 - (2 - root2) / (2 + root2)) <= 1e-15)
    }

    @Test func theFirstSampleAfterResetStartsAfresh() throws {
        var filter = try ButterworthLowPass(cutoffHz: 5, sampleRateHz: 80)
        for i in 0..<100 { _ = filter(i % 2 == 0 ? 0 : 10, at: Double(i) / 80) }
        filter.reset()
        #expect(filter == (try ButterworthLowPass(cutoffHz: 5, sampleRateHz: 80)))
        for i in 0..<50 { #expect(abs(filter(7.5, at: Double(i) / 80) - 7.5) <= 1e-12) }
    }

    @Test func timesAreNotUsed() throws {
        var a = try ButterworthLowPass(cutoffHz: 5, sampleRateHz: 80)
        var b = a
        for i in 0..<200 {
            let x = 5 + sin(Double(i) * 0.3)
            #expect(a(x, at: Double(i) / 80) == b(x, at: 0))
        }
    }

    @Test func rejectsCutoffsOutsideZeroToNyquist() {
        for bad in [0, -1, 40, 40.000001, 100, .nan, .infinity, -.infinity] as [Double] {
            let error = #expect(throws: FilterConfigurationError.self) {
                _ = try ButterworthLowPass(cutoffHz: bad, sampleRateHz: 80)
            }
            guard case .cutoff(let value, let rate)? = error else {
                Issue.record("\(bad): \(String(describing: error))")
                continue
            }
            #expect(value.bitPattern == bad.bitPattern && rate == 80)
        }
        #expect((try? ButterworthLowPass(cutoffHz: 39.999, sampleRateHz: 80)) != nil)
        #expect((try? ButterworthLowPass(cutoffHz: 1e-6, sampleRateHz: 80)) != nil)
    }

    @Test func rejectsUnusableSampleRates() {
        for bad in [0, -80, .nan, .infinity] as [Double] {
            let error = #expect(throws: FilterConfigurationError.self) {
                _ = try ButterworthLowPass(cutoffHz: 5, sampleRateHz: bad)
            }
            guard case .sampleRate(let value)? = error else {
                Issue.record("\(bad): \(String(describing: error))")
                continue
            }
            #expect(value.bitPattern == bad.bitPattern)
        }
    }
}
