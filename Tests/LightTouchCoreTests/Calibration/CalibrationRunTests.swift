import Foundation
import Testing

@testable import LightTouchCore

/// A hand that places each step's load for `hold` seconds, moving between
/// plateaus over `move` seconds, on a load cell counts = offset + k(m + X m²)
/// with gaussian noise: what the emulator's force script and model do.
struct ScriptedBench {
    var offset = 120_000.0
    var countsPerGram = 4_000.0
    var nonlinearity = 0.0
    var noiseGrams = 0.0
    var rate = 1000.0
    var hold = 4.0
    var move = 0.5
    var seed: UInt64 = 7

    /// (time, counts) for the loads in order.
    func samples(loads: [Double], disturb: ((Double, Double) -> Double)? = nil) -> [(Double, Double)] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
        }
        func gaussian() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        var out: [(Double, Double)] = []
        let period = hold + move
        let total = Double(loads.count) * period
        var t = 0.0
        while t < total {
            let index = min(loads.count - 1, Int(t / period))
            let local = t - Double(index) * period
            var grams = loads[index]
            if local > hold, index + 1 < loads.count {
                let f = (local - hold) / move
                grams += (loads[index + 1] - loads[index]) * (0.5 - 0.5 * cos(.pi * f))
            }
            if let disturb { grams = disturb(t, grams) }
            let counts = offset + countsPerGram * (grams + nonlinearity * grams * grams + noiseGrams * gaussian())
            out.append((t, counts.rounded()))
            t += 1 / rate
        }
        return out
    }
}

@Suite struct CalibrationProcedureTests {
    @Test func twoSeriesShareTheirZero() throws {
        let procedure = try CalibrationProcedure(masses: [0, 2, 5, 10, 20], series: 2)
        #expect(procedure.steps.map(\.load) == [0, 2, 5, 10, 20, 10, 5, 2, 0, 2, 5, 10, 20, 10, 5, 2, 0])
        #expect(procedure.steps.allSatisfy { !$0.reseatBefore })
        #expect(procedure.steps[8].startsSeries == 2)
        #expect(procedure.steps[9].series == 2)
    }

    @Test func threeSeriesReseatBeforeTheThird() throws {
        let procedure = try CalibrationProcedure(masses: [2, 5, 10], series: 3)
        #expect(procedure.steps.map(\.load) == [0, 2, 5, 10, 5, 2, 0, 2, 5, 10, 5, 2, 0, 0, 2, 5, 10, 5, 2, 0])
        #expect(procedure.steps.filter(\.reseatBefore).map(\.index) == [13])
        #expect(procedure.startingZero(ofSeries: 3)?.index == 13)
    }

    @Test func refusesTooFewMassesAndOneSeries() {
        #expect(throws: CalibrationProcedure.Failure.tooFewLoads(1)) { try CalibrationProcedure(masses: [0, 5], series: 2) }
        #expect(throws: CalibrationProcedure.Failure.seriesOutOfRange(1)) { try CalibrationProcedure(masses: [1, 5], series: 1) }
        #expect(throws: CalibrationProcedure.Failure.repeatedLoad(5)) { try CalibrationProcedure(masses: [5, 1, 5], series: 2) }
    }
}

@Suite struct CalibrationRecorderTests {
    func run(_ bench: ScriptedBench, masses: [Double] = [0, 2, 5, 10, 20], series: Int = 2,
             disturb: ((Double, Double) -> Double)? = nil) -> (CalibrationRecorder, CalibrationRunError?) {
        let procedure = try! CalibrationProcedure(masses: masses, series: series)  // constant test input
        var recorder = CalibrationRecorder(
            procedure: procedure, settings: StabilitySettings(), nominalCountsPerGram: 4_000, handsFree: true, stepTimeout: 30)
        for (t, counts) in bench.samples(loads: procedure.steps.map(\.load), disturb: disturb) {
            switch recorder.add(time: t, counts: counts) {
            case .failed(let error): return (recorder, error)
            case .complete: return (recorder, nil)
            default: continue
            }
        }
        return (recorder, nil)
    }

    @Test func handsFreeRunRecoversTheTransferFunctionWithoutNoise() throws {
        var bench = ScriptedBench()
        bench.nonlinearity = 0.001
        let (recorder, error) = run(bench)
        #expect(error == nil)
        let complete = recorder.isComplete
        #expect(complete)
        let analysis = try CalibrationAnalysis(samples: recorder.points.map(CalibrationSample.init), degree: 2)
        let c = analysis.fit.coefficients
        #expect(abs(c[1] / 4_000 - 1) < 0.001, "c1 = \(c[1])")
        #expect(abs(c[2] / 4 - 1) < 0.01, "c2 = \(c[2])")
        #expect(abs(c[0] - 120_000) < 1)
    }

    @Test func handsFreeRunRecoversTheTransferFunctionAtRealisticNoise() throws {
        var bench = ScriptedBench()
        bench.noiseGrams = 0.02
        bench.nonlinearity = 0.001
        let (recorder, error) = run(bench)
        #expect(error == nil)
        let analysis = try CalibrationAnalysis(samples: recorder.points.map(CalibrationSample.init), degree: 2)
        #expect(abs(analysis.fit.coefficients[1] / 4_000 - 1) < 0.005)
        // Metrics exist and make sense.
        #expect(analysis.noiseAtRestGrams.map { abs($0 - 0.02) < 0.005 } == true)
        #expect(analysis.worst(\.repeatabilityPercent) != nil)
        #expect(analysis.worst(\.reversibilityPercent) != nil)
        #expect(analysis.zeroErrorPercent != nil)
        #expect(analysis.covers(5))
    }

    @Test func aMassMovedDuringAReadingStopsAHandsFreeRun() {
        // A knock 3.2 s into the 10 g plateau (step 4): settle ends at 1.5 s, the reading runs 1.5–2.5 s… the
        // plateau starts at 3 × 4.5 = 13.5 s, so the reading covers 15.0–16.0 s.
        let (_, error) = run(ScriptedBench()) { (t: Double, grams: Double) -> Double in
            guard t > 15.4, t < 15.6 else { return grams }
            let phase: Double = 2 * Double.pi * 10 * (t - 15.4)
            return grams + 0.8 * sin(phase)
        }
        guard case .movedDuringReading(let step, let load, _, _) = error else {
            Issue.record("expected a moved-during-reading failure, got \(String(describing: error))")
            return
        }
        #expect(step == 3)
        #expect(load == 10)
    }

    @Test func aWrongMassStopsAHandsFreeRun() {
        // 10 g placed where 5 g belongs (third step).
        let (_, error) = run(ScriptedBench()) { (t: Double, grams: Double) -> Double in
            t >= 9.0 && t < 13.5 ? grams * 2 : grams
        }
        guard case .unexpectedLoad(let step, _, let expected, let observed) = error else {
            Issue.record("expected an unexpected-load failure, got \(String(describing: error))")
            return
        }
        #expect(step == 2)
        #expect(expected == 3)
        #expect(abs(observed - 8) < 0.5)
    }

    @Test func neverReadsAMovingSignal() {
        var detector = StabilityDetector(settings: StabilitySettings(), countsPerGram: 4_000)
        // A slow ramp of 0.5 g/s: SD over 0.5 s is 0.07 g, above 0.05 g.
        for i in 0..<10_000 {
            let t = Double(i) / 1000
            let phase = detector.add(time: t, value: 120_000 + 4_000 * 0.5 * t)
            if case .done = phase { Issue.record("a reading was taken from a ramp at t = \(t)") }
        }
    }
}

@Suite struct CalibrationAnalysisTests {
    @Test func refusesNonMonotonicAndTooHighDegrees() {
        let falling = [0.0, 5, 10, 20].map { CalibrationSample(load: $0, reading: 1000 - 10 * $0) }
        #expect(throws: CalibrationFitError.self) { try CalibrationAnalysis(samples: falling, degree: 1) }
        do {
            _ = try CalibrationAnalysis(samples: falling, degree: 1)
        } catch {
            #expect(error.description.contains("do not rise"))
        }
        let three = [0.0, 5, 10].map { CalibrationSample(load: $0, reading: 100 + 4 * $0) }
        #expect(throws: CalibrationFitError.fit(.tooFewDistinctLoads(distinct: 3, degree: 3, needed: 4))) {
            try CalibrationAnalysis(samples: three, degree: 3)
        }
        #expect(throws: CalibrationFitError.fit(.tooFewPoints(points: 3, needed: 4))) {
            try CalibrationAnalysis(samples: three, degree: 2)
        }
        #expect(throws: CalibrationFitError.degreeOutOfRange(4)) { try CalibrationAnalysis(samples: three, degree: 4) }
    }

    /// Hand-computed metrics on a tiny run: 0, 10, 20 g, two series.
    @Test func metricsByHand() throws {
        let rows: [(Double, Double, Int, CalibrationProcedure.Direction)] = [
            (0, 1000, 1, .zero), (10, 2000, 1, .increasing), (20, 3000, 1, .increasing), (10, 2010, 1, .decreasing),
            (0, 1004, 1, .zero), (10, 2008, 2, .increasing), (20, 3004, 2, .increasing), (10, 2012, 2, .decreasing),
            (0, 1006, 2, .zero),
        ]
        let samples = rows.map { CalibrationSample(load: $0.0, reading: $0.1, series: $0.2, direction: $0.3, sd: 4) }
        let analysis = try CalibrationAnalysis(samples: samples, degree: 1)
        let ten = try #require(analysis.loads.first { $0.load == 10 })
        // Series 1: X = 2000 − 1000 = 1000; series 2 starts at the shared zero 1004: X = 1004.
        #expect(abs((ten.repeatabilityPercent ?? 0) - 4 / 1002 * 100) < 1e-9)
        // Reversibility, series 1: (1010 − 1000)/1000; series 2: (1008 − 1004)/1004 → worst 1 %.
        #expect(abs((ten.reversibilityPercent ?? 0) - 1) < 1e-9)
        // Zero error, series 1: (1004 − 1000)/2000; series 2: (1006 − 1004)/2000 → worst 0.2 %.
        #expect(abs((analysis.zeroErrorPercent ?? 0) - 0.2) < 1e-9)
        #expect(ten.reproducibilityPercent == nil)  // one seating only
        #expect(abs(analysis.lowerLimitFactor - 2.4 * analysis.fitSDGrams) < 1e-15)
    }

    /// Reproducibility over seatings: series 1 and 3 (series 3 re-seated, with a zero of its own).
    @Test func reproducibilityAcrossSeatings() throws {
        let rows: [(Double, Double, Int, CalibrationProcedure.Direction)] = [
            (0, 1000, 1, .zero), (10, 2000, 1, .increasing), (20, 3000, 1, .increasing), (0, 1000, 1, .zero),
            (10, 2002, 2, .increasing), (20, 3002, 2, .increasing), (0, 1000, 2, .zero),
            (0, 1100, 3, .zero), (10, 2105, 3, .increasing), (20, 3108, 3, .increasing), (0, 1100, 3, .zero),
        ]
        let samples = rows.map { CalibrationSample(load: $0.0, reading: $0.1, series: $0.2, direction: $0.3) }
        let analysis = try CalibrationAnalysis(samples: samples, degree: 1)
        let ten = try #require(analysis.loads.first { $0.load == 10 })
        // Series 1: X = 1000; series 3 (own zero 1100): X = 1005; series 2 is the same seating as 1.
        #expect(abs((ten.reproducibilityPercent ?? 0) - 5 / 1002.5 * 100) < 1e-9)
        #expect(abs((ten.repeatabilityPercent ?? 0) - 2 / 1001 * 100) < 1e-9)
    }
}

@Suite struct CalibrationRunPlanTests {
    static let plan = CalibrationRunPlan(
        serial: "LT-TEST-0001", masses: [2, 5, 10], series: 2, degree: 2,
        settings: StabilitySettings(window: 0.25, maximumSD: 0.05, settle: 0.3, reading: 0.5), handsFree: false, stepTimeout: 20,
        nominalCountsPerGram: 4000, massSet: "test set", massClass: "F1", calibratedAt: 1_700_000_000, validMonths: 12,
        softwareVersion: "lighttouch test", sensorDetails: .object([("transport", .string("demo"))]))

    @Test func thePlanSurvivesItsRecording() throws {
        let text = Self.plan.json.serialized()
        let decoded = try CalibrationRunPlan(json: JSONReader.parse(Array(text.utf8)))
        #expect(decoded == Self.plan)
    }

    @Test func aDamagedPlanNamesTheKey() throws {
        let text = Self.plan.json.serialized().replacingOccurrences(of: "\"series\":2", with: "\"series\":\"two\"")
        #expect(throws: CalibrationRunPlan.DecodeError(key: "series")) {
            try CalibrationRunPlan(json: JSONReader.parse(Array(text.utf8)))
        }
    }

    /// A guided run fed live, the operator pressing Enter at arbitrary
    /// moments, then taken again from its samples and the times of the Enter
    /// presses: the same readings, bit for bit, and the same certificate.
    @Test func aGuidedRunReplaysToTheSameReadingsAndCertificate() throws {
        let plan = Self.plan
        let procedure = try plan.procedure()
        var bench = ScriptedBench()
        bench.noiseGrams = 0.01
        // The operator confirms 0.7 s into each plateau (the bench holds each load 4 s, moves 0.5 s).
        let samples = bench.samples(loads: procedure.steps.map(\.load))
        var live = plan.recorder(procedure)
        var confirms: [Double] = []
        var lastTime = -1.0
        var nextPress = 0.7
        for (t, counts) in samples {
            if t >= nextPress, live.isAwaitingConfirmation {
                confirms.append(lastTime)
                live.confirm()
                nextPress += 4.5
            }
            lastTime = t
            if case .complete = live.add(time: t, counts: counts) { break }
        }
        #expect(live.isComplete)
        #expect(confirms.count == procedure.steps.count)

        let replayed = CalibrationReplay.run(plan.recorder(procedure), samples: samples.map { (time: $0.0, counts: $0.1) }, confirms: confirms)
        #expect(replayed == .complete(live.points))
        let liveCertificate = try plan.certificate(live.points, procedure: procedure)
        guard case .complete(let points) = replayed else { return }
        #expect(try plan.certificate(points, procedure: procedure).text == liveCertificate.text)

        // Without the Enter presses the run never starts: nothing is invented.
        #expect(CalibrationReplay.run(plan.recorder(procedure), samples: samples.map { (time: $0.0, counts: $0.1) }, confirms: []) == .incomplete([]))
    }
}
