import Foundation

/// Independent measurements of rendered audio for the tests.
enum SoundAnalysis {
    /// The frequency from rising zero crossings (linearly interpolated) in `samples`.
    static func zeroCrossingFrequency(_ samples: ArraySlice<Int16>, sampleRate: Double) -> Double? {
        var crossings: [Double] = []
        var previous = Double(samples[samples.startIndex])
        for index in samples.indices.dropFirst() {
            let value = Double(samples[index])
            if previous < 0, value >= 0 {
                crossings.append(Double(index - 1) + (-previous) / (value - previous))
            }
            previous = value
        }
        guard let first = crossings.first, let last = crossings.last, crossings.count > 2 else { return nil }
        return Double(crossings.count - 1) / ((last - first) / sampleRate)
    }

    /// The amplitude of the component at `frequency` (Goertzel), full scale 1.
    static func amplitude(at frequency: Double, in samples: ArraySlice<Int16>, sampleRate: Double) -> Double {
        let w = 2 * Double.pi * frequency / sampleRate
        let coefficient = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        for sample in samples {
            let s0 = Double(sample) / 32767 + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        return 2 * sqrt(max(power, 0)) / Double(samples.count)
    }
}
