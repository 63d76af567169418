import Foundation
import Testing

@testable import LightTouchCore

@Suite struct FilterSettingsTests {
    @Test func kindsHaveTheirCommandLineNames() {
        #expect(FilterKind.allCases.map(\.rawValue) == ["none", "butterworth", "one-euro"])
        #expect(FilterKind(rawValue: "one-euro") == .oneEuro)
    }

    @Test func theDefaultIsTheMeasuredChoice() throws {
        let d = FilterSettings.default
        #expect(d.kind == .oneEuro)
        #expect(d.minCutoffHz == 1 && d.beta == 0.5 && d.derivativeCutoffHz == 1)
        #expect(d.cutoffHz == 5 && d.spikeWindow == 0)
        #expect(FilterSettings() == d)
        for rate in [10.0, 80, 320, 1000, 2000] { _ = try d.makeChain(sampleRateHz: rate) }
    }

    @Test func makesTheChosenFilter() throws {
        let none = try FilterSettings(kind: .none).makeChain(sampleRateHz: 80)
        #expect(none == FilterChain(spike: nil, smoother: .passThrough))

        let butterworth = try FilterSettings(kind: .butterworth, cutoffHz: 4).makeChain(sampleRateHz: 320)
        #expect(butterworth == FilterChain(spike: nil, smoother: .butterworth(try ButterworthLowPass(cutoffHz: 4, sampleRateHz: 320))))

        let oneEuro = try FilterSettings(kind: .oneEuro, minCutoffHz: 0.7, beta: 0.2, derivativeCutoffHz: 2, spikeWindow: 7)
            .makeChain(sampleRateHz: 80)
        #expect(
            oneEuro
                == FilterChain(
                    spike: try MedianSpikeFilter(window: 7),
                    smoother: .oneEuro(try OneEuroFilter(minCutoffHz: 0.7, beta: 0.2, derivativeCutoffHz: 2))))

        let boxed = try FilterSettings(kind: .butterworth, cutoffHz: 4).makeFilter(sampleRateHz: 320)
        #expect((boxed as? FilterChain) == butterworth)
    }

    @Test func theChainAppliesTheMedianFirst() throws {
        let settings = FilterSettings(kind: .butterworth, cutoffHz: 5, spikeWindow: 5)
        var chain = try settings.makeChain(sampleRateHz: 80)
        var boxed = try settings.makeFilter(sampleRateHz: 80)
        var median = try MedianSpikeFilter(window: 5)
        var low = try ButterworthLowPass(cutoffHz: 5, sampleRateHz: 80)
        for i in 0..<400 {
            let t = Double(i) / 80
            let x = 5 + 0.5 * sin(t * 3) + (i % 37 == 0 ? 40 : 0)  // with spikes
            let expected = low(median(x, at: t), at: t)
            #expect(chain(x, at: t) == expected)
            #expect(boxed(x, at: t) == expected)
        }
        // Without a median the chain is the smoother alone; a spike then
        // shows (attenuated) in the output.
        var plain = try FilterSettings(kind: .butterworth, cutoffHz: 5).makeChain(sampleRateHz: 80)
        var spiked = try FilterSettings(kind: .butterworth, cutoffHz: 5, spikeWindow: 3).makeChain(sampleRateHz: 80)
        var peakPlain = 0.0, peakSpiked = 0.0
        for i in 0..<80 {
            let x = i == 40 ? 45.0 : 5
            peakPlain = max(peakPlain, plain(x, at: Double(i) / 80))
            peakSpiked = max(peakSpiked, spiked(x, at: Double(i) / 80))
        }
        #expect(peakPlain > 6)
        #expect(abs(peakSpiked - 5) <= 1e-12)
    }

    @Test func medianWithoutSmoothing() throws {
        var chain = try FilterSettings(kind: .none, spikeWindow: 3).makeChain(sampleRateHz: 80)
        let outputs = [1.0, 5, 2, 8, 3, 100, 4].enumerated().map { chain($0.element, at: Double($0.offset)) }
        #expect(outputs == [1, 3, 2, 5, 3, 8, 4])
    }

    @Test func resetResetsEveryStage() throws {
        var chain = try FilterSettings(kind: .oneEuro, spikeWindow: 5).makeChain(sampleRateHz: 80)
        let fresh = chain
        for i in 0..<30 { _ = chain(Double(i * i), at: Double(i) / 80) }
        chain.reset()
        #expect(chain == fresh)
        var any = AnyForceFilter.butterworth(try ButterworthLowPass(cutoffHz: 5, sampleRateHz: 80))
        let freshAny = any
        _ = any(3, at: 0)
        _ = any(4, at: 1)
        #expect(any != freshAny)
        any.reset()
        #expect(any == freshAny)
    }

    @Test func onlyTheSettingsTheKindUsesAreChecked() throws {
        // A bad Butterworth cutoff does not matter to the 1€ filter, and the other way round.
        _ = try FilterSettings(kind: .oneEuro, cutoffHz: 1000).makeChain(sampleRateHz: 80)
        _ = try FilterSettings(kind: .butterworth, minCutoffHz: -1, beta: -1, derivativeCutoffHz: 0).makeChain(sampleRateHz: 80)
        _ = try FilterSettings(kind: .none, cutoffHz: 0, minCutoffHz: 0).makeChain(sampleRateHz: 80)
    }

    @Test func badSettingsNameTheirOption() {
        let cases: [(FilterSettings, Double, String)] = [
            (FilterSettings(kind: .butterworth, cutoffHz: 40), 80,
             "--cutoff-hz must be above 0 Hz and below 40 Hz (half the stream's 80 Hz sample rate); got 40."),
            (FilterSettings(kind: .butterworth, cutoffHz: -2.5), 1000,
             "--cutoff-hz must be above 0 Hz and below 500 Hz (half the stream's 1000 Hz sample rate); got -2.5."),
            (FilterSettings(kind: .butterworth, cutoffHz: .nan), 320,
             "--cutoff-hz must be above 0 Hz and below 160 Hz (half the stream's 320 Hz sample rate); got nan."),
            (FilterSettings(kind: .oneEuro, minCutoffHz: 0), 80,
             "--min-cutoff-hz must be a number above 0 Hz (for example 1.0); got 0."),
            (FilterSettings(kind: .oneEuro, beta: -0.1), 80,
             "--beta must be a number of at least 0 (0 turns speed adaptation off); got -0.1."),
            (FilterSettings(kind: .oneEuro, derivativeCutoffHz: .infinity), 80,
             "--d-cutoff-hz must be a number above 0 Hz (for example 1.0); got inf."),
            (FilterSettings(kind: .none, spikeWindow: 4), 80,
             "--spike-window must be 0 (off) or an odd number of samples from 3 to 15; got 4."),
            (FilterSettings(kind: .oneEuro, spikeWindow: 17), 80,
             "--spike-window must be 0 (off) or an odd number of samples from 3 to 15; got 17."),
            (FilterSettings(kind: .butterworth), 0,
             "The stream's sample rate must be a number above 0 Hz to design a filter; got 0."),
        ]
        for (settings, rate, message) in cases {
            do {
                _ = try settings.makeFilter(sampleRateHz: rate)
                Issue.record("accepted \(settings) at \(rate) Hz")
            } catch {
                #expect(error.description == message)
            }
        }
    }

    @Test func jsonListsTheKindsOwnSettings() {
        func json(_ s: FilterSettings) -> String { JSONValue.object(s.jsonMembers).serialized() }
        #expect(json(FilterSettings(kind: .none)) == #"{"filter":"none","spike_window":0}"#)
        #expect(
            json(FilterSettings(kind: .butterworth, cutoffHz: 7.5, spikeWindow: 5))
                == #"{"filter":"butterworth","cutoff_hz":7.5,"spike_window":5}"#)
        #expect(
            json(FilterSettings(kind: .oneEuro, minCutoffHz: 1, beta: 0.25, derivativeCutoffHz: 1.5))
                == #"{"filter":"one-euro","min_cutoff_hz":1,"beta":0.25,"d_cutoff_hz":1.5,"spike_window":0}"#)
        #expect(json(.default) == #"{"filter":"one-euro","min_cutoff_hz":1,"beta":0.5,"d_cutoff_hz":1,"spike_window":0}"#)
    }
}
