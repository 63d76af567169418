import Testing

@testable import LightTouchCore

@Suite struct SampleCSVTests {
    func parse(_ text: String) throws(SampleCSV.ParseError) -> SampleCSV {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            Result { () throws(SampleCSV.ParseError) in try SampleCSV.parse(raw, source: "in.csv") }
        }.get()
    }

    func message(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsValuesExactly() throws {
        let marked = try parse("\u{FEFF}time_s,force_g\r\n0,0\r\n0.001,5.25\n# comment\n\n0.002, -0.0001 \n")
        #expect(marked.times == [0, 0.001, 0.002] && marked.forces == [0, 5.25, -0.0001])
        let ok = try parse("time_s,force_g\n0,0\n0.001,5.25\n0.002,-0.0001\n12345.678901,123456789.123\n0.2e5,1E2\n")
        #expect(ok.times == [0, 0.001, 0.002, 12345.678901, 20000])
        #expect(ok.forces == [0, 5.25, -0.0001, 123456789.123, 100])
    }

    @Test func everyDigitStringParsesLikeTheStandardLibrary() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double.random(in: -1e6...1e6, using: &random)
            for text in [value.description, String(Int(value)), "\(Int(value)).\(Int.random(in: 0..<1_000_000, using: &random))"] {
                let parsed = Array(text.utf8).withUnsafeBytes { SampleCSV.parseDecimal($0, from: 0, to: $0.count) }
                #expect(parsed == Double(text), "\(text)")
            }
        }
    }

    @Test func theExportFormatIsReadByItsRawColumn() throws {
        let csv = try parse("time_s,raw_g,filtered_g,in_band\n0,1.5,1.4,0\n0.5,5,4.9,1\n# lighttouch sample_rate_hz=2.0 calibrated=false lost_frames=3\n")
        #expect(csv.forces == [1.5, 5])
        #expect(csv.metadata == ["sample_rate_hz": "2.0", "calibrated": "false", "lost_frames": "3"])
        #expect(csv.nominalRate == 2)
    }

    @Test func theRateIsOneOverTheMedianStep() throws {
        // Steps 0.01, 0.01, 0.02, 0.01: median 0.01 → 100 Hz.
        let csv = try parse("time_s,force_g\n0,0\n0.01,0\n0.02,0\n0.04,0\n0.05,0\n")
        #expect(csv.nominalRate == 100)
    }

    @Test(arguments: [
        ("", "in.csv: the file is empty; expected a header `time_s,force_g` and samples"),
        ("time_s,force_g\n", "in.csv: no samples after the header"),
        ("t,f\n0,1\n", "in.csv:1: the first column must be time_s (expected the header `time_s,force_g`, found `t,f`)"),
        ("time_s,weight_g\n0,1\n", "in.csv:1: no force_g column (expected the header `time_s,force_g`, found `time_s,weight_g`)"),
        ("time_s,force_g\n0,1\n0.1,abc\n", "in.csv:3: `abc` in column force_g is not a number"),
        ("time_s,force_g\n0,1\n0.1,\n", "in.csv:3: missing value in column force_g"),
        ("time_s,force_g\n0,1\n0.1,2,3\n", "in.csv:3: expected 2 values, found 3"),
        ("time_s,force_g\n0,1\n0.2,1\n0.1,1\n", "in.csv:4: time goes backwards (0.1 s after 0.2 s); rows must be in time order"),
        ("time_s,force_g\n0,1\nnan,1\n", "in.csv:3: `nan` in column time_s is not a number"),
        ("time_s,force_g\n0,inf\n", "in.csv:2: `inf` in column force_g is not a number"),
    ])
    func badInputNamesTheLineAndTheProblem(text: String, expected: String) {
        #expect(message(text) == expected)
    }
}

@Suite struct ConversionTests {
    @Test func newtonInvertsTheCalibrationEquationToANanogram() {
        // Slope 4000 + 1.6·m − 0.00006·m² stays positive up to 2 kg.
        let polynomial = CalibrationPolynomial(coefficients: [120_000, 4_000, 0.8, -0.00002])
        for mass in stride(from: -5.0, through: 200, by: 0.37) {
            let reading = polynomial.reading(forMass: mass)
            #expect(abs(polynomial.mass(forReading: reading) - mass) < 1e-9, "\(mass)")
        }
        #expect(polynomial.isMonotonic)
        #expect(!CalibrationPolynomial(coefficients: [0, 1, -0.01]).isMonotonic)
    }

    @Test func nominalConversionSumsChannels() {
        let info = SensorInfo(
            firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, channels: 2, capabilities: [], sampleRate: 1000,
            supportedRates: [1000], nominalOffset: 100, nominalCountsPerGram: 10, samplesPerFrame: 1, adcModel: "X", serial: "S")
        let conversion = ForceConversion.nominal(info)
        let block = SampleBlock(
            timestampMicros: 0, periodMicros: 1000, channels: 2, samplesPerChannel: 1, counts: [150, 120], saturatedMask: 0, sequence: 0)
        // (150 − 100)/10 + (120 − 100)/10 = 5 + 2.
        #expect(conversion.grams(block, sample: 0) == 7)
        #expect(!conversion.isCalibrated)
    }
}

@Suite struct TareTests {
    func run(_ values: [Double], step: Double = 0.1, calibrated: Bool = true) -> Result<Double, TareRefusal>? {
        var window = TareWindow(settings: TareSettings(), isCalibrated: calibrated)
        for (index, value) in values.enumerated() {
            if let outcome = window.add(time: Double(index) * step, grams: value) { return outcome }
        }
        return nil
    }

    @Test func theMeanOfHalfASecondAtRestIsTheZero() {
        // 0.0 … 0.5 s: six samples, mean 0.3.
        guard case .success(let zero) = run([0.2, 0.4, 0.3, 0.2, 0.4, 0.3, 9]) else {
            Issue.record("expected a zero")
            return
        }
        #expect(abs(zero - 0.3) < 1e-15)
        #expect(run([0.2, 0.4, 0.3]) == nil)
    }

    @Test func aMovingSignalIsRefused() {
        guard case .failure(.unstable(let sd)) = run([0, 1, 0, 1, 0, 1]) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(abs(sd - (0.3).squareRoot()) < 1e-12)  // sample SD of 0 1 0 1 0 1
    }

    @Test func forceOnTheSensorIsRefused() {
        #expect(run([5, 5, 5, 5, 5, 5]) == .failure(.forceApplied(grams: 5)))
        // An uncalibrated sensor's zero is only known to the maker's typical value.
        #expect(run([5, 5, 5, 5, 5, 5], calibrated: false) == .success(5))
        #expect(TareRefusal.forceApplied(grams: 5).description == "tare refused: 5.0 g is already on the sensor; lift your hand off and try again")
    }
}

/// Two hands in a CSV: a pair of columns with each hand's force, in the three
/// forms (a foreign file's, a sample export's, a session export's).
@Suite struct SampleCSVHandsTests {
    func parse(_ text: String) throws(SampleCSV.ParseError) -> SampleCSV {
        try Array(text.utf8).withUnsafeBytes { raw in
            Result { () throws(SampleCSV.ParseError) in try SampleCSV.parse(raw, source: "in.csv") }
        }.get()
    }

    @Test func aForeignFileGivesEachHandsForce() throws {
        let csv = try parse("time_s,left_force_g,right_force_g\n0,1.5,2.5\n0.01,4.75,5.25\n")
        #expect(csv.hasHands)
        #expect(csv.lefts == [1.5, 4.75] && csv.rights == [2.5, 5.25])
    }

    @Test func aSampleExportGivesTheHandsBeforeTheFilterNotAfter() throws {
        let csv = try parse(
            "time_s,raw_g,filtered_g,in_band,left_g,right_g,left_raw_g,right_raw_g\n0.5,5,4.9,1,4.8,5.0,4.5,5.5\n")
        #expect(csv.forces == [5] && csv.lefts == [4.5] && csv.rights == [5.5])
        // Without the raw columns (an export from before they existed) the file is one force.
        let old = try parse("time_s,raw_g,filtered_g,in_band,left_g,right_g\n0.5,5,4.9,1,4.8,5.0\n")
        #expect(!old.hasHands && old.forces == [5])
    }

    /// A session export's rows before the first tare, or over range, leave
    /// grams empty: they were not scored and are skipped, and counted.
    @Test func aSessionExportSkipsTheRowsThatWereNotScored() throws {
        let csv = try parse(
            """
            time_s,counts_1,counts_2,untared_g,grams,filtered_g,in_band,over_range,left_g,right_g,left_share_pct,left_grams,right_grams
            0.0,120151,121015,0.29,,,,0,,,,,
            0.5,120045,120933,0.24,0.25,0.25,0,0,0.1,0.4,,0.1,0.4
            0.501,8388607,120933,,,,,1,,,,,
            0.502,120045,120933,10.2,5.0,4.5,1,0,4.4,4.6,48.9,4.75,5.25

            """)
        #expect(csv.times == [0.5, 0.502] && csv.forces == [0.25, 5.0])
        #expect(csv.lefts == [0.1, 4.75] && csv.rights == [0.4, 5.25])
        #expect(csv.unscoredRows == 2 && csv.overRangeRows == 1)
    }

    @Test func halfAPairIsAClearError() {
        #expect(throws: SampleCSV.ParseError(
            source: "in.csv", line: 1, message: "right_force_g is missing: two hands need both `left_force_g,right_force_g`"))
        {
            try parse("time_s,left_force_g\n0,1\n")
        }
        #expect(throws: SampleCSV.ParseError(source: "in.csv", line: nil, message: "no scored samples (every row's grams is empty)")) {
            try parse("time_s,untared_g,grams,over_range\n0,0.2,,0\n")
        }
    }
}
