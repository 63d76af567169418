import Testing

@testable import LightTouchCore

/// Runs the study behind the default filter (see
/// Sources/LightTouchCore/Filters/README.md) and prints its table. The
/// assertions are sanity checks against known properties, not timings.
@Suite struct FilterStudyTests {
    @Test func printsTheLagAndNoiseTable() throws {
        let rows = try FilterStudy.measure()
        print(FilterStudy.markdown(rows))
        #expect(rows.count == FilterStudy.candidates.count * 2)
        for row in rows where row.candidate.settings.kind == .none && row.candidate.settings.spikeWindow == 0 {
            // No filter: no lag, the input's own noise.
            #expect(row.rise50 == 0 && row.rise90 == 0 && row.overshoot == 0)
            #expect(abs(row.wobbleDelay) < 1e-9 && abs(row.wobbleGain - 1) < 1e-9)
            #expect(abs(row.noiseSDLow - 0.02) < 0.002 && abs(row.noiseSDHigh - 0.1) < 0.01)
        }
        for row in rows where row.candidate.settings.kind == .butterworth {
            // A 2nd-order Butterworth overshoots a step by 4.3 %, 0.216 g (more
            // when the cutoff is a sizeable fraction of the rate).
            if row.sampleRateHz == 1000 {
                #expect(abs(row.overshoot - 0.216) < 0.002, "\(row.candidate.label)")
            } else {
                #expect(row.overshoot > 0.2 && row.overshoot < 0.3, "\(row.candidate.label)")
            }
            // Its low-frequency delay is √2 / (2π·fc).
            let delay = 2.0.squareRoot() / (2 * Double.pi * row.candidate.settings.cutoffHz)
            #expect(abs(row.wobbleDelay - delay) < 0.1 * delay, "\(row.candidate.label) at \(row.sampleRateHz) Hz")
        }
        for row in rows where row.candidate.settings.kind == .oneEuro {
            #expect(row.overshoot == 0, "\(row.candidate.label)")  // first order: never overshoots
        }
    }

    @Test func theNoiseIsSeededAndGaussian() {
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1)
        var sum = 0.0, squares = 0.0
        let n = 200_000
        for _ in 0..<n {
            let x = a.nextGaussian()
            #expect(x == b.nextGaussian())
            sum += x
            squares += x * x
        }
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(squares / Double(n) - 1) < 0.01)
    }
}
