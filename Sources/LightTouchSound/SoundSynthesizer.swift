#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Renders a `SoundVoice` as audio samples, one block at a time. Every
/// parameter glides to its new value with a one-pole smoother per audio
/// sample (time constant `smoothingSeconds`) and the oscillator's phase is
/// continuous, so a change of force or mode never clicks. Deterministic: the
/// noise comes from a seeded generator, and the same voices at the same
/// sample positions give the same samples. Pure: no clock, no I/O.
public struct SoundSynthesizer: Sendable {
    public let sampleRate: Double
    public let mapping: SoundMapping
    private let glide: Double
    private var target: SoundVoice
    private var current: SoundVoice
    private var phase = 0.0
    private var roughPhase = 0.0
    private var tremoloPhase = 0.0
    private var noiseState: UInt64
    private var cueRemaining = 0
    private var cuePhase = 0.0
    private let cueLength: Int

    /// - Parameter smoothingSeconds: the parameters' time constant (5 ms: fast
    ///   enough to follow a hand, slow enough that a step is not a click).
    public init(sampleRate: Double = 48_000, mapping: SoundMapping = SoundMapping(), smoothingSeconds: Double = 0.005, seed: UInt64 = 0x4C54_534F_554E_4400) {
        self.sampleRate = sampleRate
        self.mapping = mapping
        glide = 1 - exp(-1 / (smoothingSeconds * sampleRate))
        let silent = SoundVoice(frequency: mapping.referenceHz, tone: 0, noise: 0, roughness: 0, tremoloHz: mapping.balanceTremoloHz)
        target = silent
        current = silent
        noiseState = seed == 0 ? 1 : seed
        cueLength = max(1, Int((mapping.cueSeconds * sampleRate).rounded()))
    }

    /// The voice the sound glides to from the next sample on.
    public var voice: SoundVoice {
        get { target }
        set {
            // A tone starting from silence starts at its own pitch.
            if current.tone < 1e-4 && current.noise < 1e-4 { current.frequency = newValue.frequency }
            target = newValue
            // Without a tremolo its rate stays where it was, so that one starting does not glide up from 0 Hz.
            if newValue.tremolo == 0 { target.tremoloHz = current.tremoloHz }
        }
    }

    /// Starts the hold-goal cue (a short tone with a raised-cosine envelope).
    public mutating func cue() {
        cueRemaining = cueLength
        cuePhase = 0
    }

    /// The next sample, −1…1.
    @inline(__always)
    public mutating func next() -> Double {
        current.frequency += (target.frequency - current.frequency) * glide
        current.tone += (target.tone - current.tone) * glide
        current.noise += (target.noise - current.noise) * glide
        current.roughness += (target.roughness - current.roughness) * glide
        current.tremolo += (target.tremolo - current.tremolo) * glide
        current.tremoloHz += (target.tremoloHz - current.tremoloHz) * glide
        let twoPi = 2 * Double.pi
        var value = current.tone * sin(phase)
        phase += twoPi * current.frequency / sampleRate
        if phase >= twoPi { phase -= twoPi }
        if current.roughness > 1e-9 {
            value *= 1 - current.roughness * 0.5 * (1 + sin(roughPhase))
        }
        roughPhase += twoPi * mapping.roughnessHz / sampleRate
        if roughPhase >= twoPi { roughPhase -= twoPi }
        // Two hands out of balance: the tone pulses, full at phase 0, 1 − depth at its trough.
        if current.tremolo > 1e-9 {
            value *= 1 - current.tremolo * 0.5 * (1 - cos(tremoloPhase))
        }
        tremoloPhase += twoPi * current.tremoloHz / sampleRate
        if tremoloPhase >= twoPi { tremoloPhase -= twoPi }
        if current.noise > 1e-9 { value += current.noise * nextNoise() }
        if cueRemaining > 0 {
            let k = Double(cueLength - cueRemaining) / Double(cueLength)
            let envelope = 0.5 * (1 - cos(twoPi * k))
            value += mapping.cueAmplitude * envelope * sin(cuePhase)
            cuePhase += twoPi * mapping.cueHz / sampleRate
            cueRemaining -= 1
        }
        return min(max(value, -1), 1)
    }

    /// Renders `count` samples as 16-bit PCM, appended to `buffer`.
    public mutating func render(_ count: Int, into buffer: inout [Int16]) {
        buffer.reserveCapacity(buffer.count + count)
        for _ in 0..<count { buffer.append(Self.pcm16(next())) }
    }

    /// Fills `buffer` with 16-bit PCM.
    public mutating func render(into buffer: UnsafeMutableBufferPointer<Int16>) {
        for index in buffer.indices { buffer[index] = Self.pcm16(next()) }
    }

    @inline(__always)
    static func pcm16(_ value: Double) -> Int16 { Int16((value * 32767).rounded()) }

    /// Uniform in −1…1 (xorshift64*, Vigna 2016, "An experimental exploration of Marsaglia's xorshift generators").
    @inline(__always)
    private mutating func nextNoise() -> Double {
        noiseState ^= noiseState >> 12
        noiseState ^= noiseState << 25
        noiseState ^= noiseState >> 27
        let bits = (noiseState &* 0x2545_F491_4F6C_DD1D) >> 11
        return Double(bits) / Double(1 << 52) - 1
    }
}
