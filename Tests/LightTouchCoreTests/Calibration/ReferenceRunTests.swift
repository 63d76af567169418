import Foundation
import Testing

@testable import LightTouchCore

/// The reference run made through the emulated sensor (calibration/reference-run,
/// copied to Resources/calibration/run) and the mass-set files.
@Suite struct ReferenceRunTests {
    static let resources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources/calibration/run")
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func points() throws -> [CalibrationSample] {
        let text = try String(contentsOf: Self.resources.appendingPathComponent("points.csv"), encoding: .utf8)
        return try CalibrationPointsCSV.parse(text, source: "points.csv")
    }

    func certificate() throws -> JSONValue {
        try JSONReader.parse(Array(try Data(contentsOf: Self.resources.appendingPathComponent("certificate.json"))))
    }

    @Test func refittingThePointsGivesTheCertificate() throws {
        let analysis = try CalibrationAnalysis(samples: try points(), degree: 2)
        let certificate = try certificate()
        let values = certificate["coefficients"]?.arrayValue ?? []
        let stored = values.compactMap { $0.doubleValue }
        #expect(stored.count == 4)
        for (fitted, written) in zip(analysis.fit.coefficients, stored) { #expect(fitted == written) }
        #expect(stored[3] == 0)
        // Metrics as written.
        let metrics = try #require(certificate["metrics"])
        #expect(metrics["fit_sd_g"]?.doubleValue == analysis.fitSDGrams)
        #expect(metrics["target_in_range"] == .bool(true))
        #expect(certificate["serial"]?.stringValue == "LT-EMU-0001")
        #expect(certificate["expires_at"]?.stringValue == "2027-11-23T00:00:00Z")
    }

    /// The emulated sensor's transfer function: 120000 + 4000(m + 0.001 m²), noise 0.02 g.
    @Test func theRunRecoveredTheTransferFunction() throws {
        let c = try CalibrationAnalysis(samples: try points(), degree: 2).fit.coefficients
        #expect(abs(c[1] / 4000 - 1) < 0.005)
        #expect(abs(c[2] / 4 - 1) < 0.05)
        #expect(abs(c[0] - 120_000) < 5)
    }

    @Test func theRunFollowsTheProcedure() throws {
        let samples = try points()
        let procedure = try CalibrationProcedure(masses: [0, 2, 5, 10, 20], series: 2)
        #expect(samples.map(\.load) == procedure.steps.map(\.load))
        #expect(samples.map(\.series) == procedure.steps.map(\.series))
        #expect(samples.map(\.direction) == procedure.steps.map(\.direction))
    }

    @Test func theBuiltInMassSetIsTheShippedFile() throws {
        let file = Self.repository.appendingPathComponent("calibration/masses/oiml-f1-1g-20g.masses")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text == MassSet.builtInText)
        let m1 = try MassSet.parse(
            try String(contentsOf: Self.repository.appendingPathComponent("calibration/masses/oiml-m1-1g-20g.masses"), encoding: .utf8),
            source: "m1")
        #expect(m1.massClass == "M1")
        #expect(m1.masses.map(\.grams) == [1, 2, 5, 10, 20])
    }

    @Test func massSetsAndPointFilesRejectWhatTheyDoNotUnderstand() {
        #expect(throws: CalibrationFileError.self) { try MassSet.parse("format lighttouch-mass-set 2\n", source: "x") }
        #expect(throws: CalibrationFileError.self) { try MassSet.parse("name x\n", source: "x") }
        #expect(throws: CalibrationFileError.self) {
            try MassSet.parse("format lighttouch-mass-set 1\nname a\nclass F1\nmass 5 0.1\nmass 5 0.1\n", source: "x")
        }
        #expect(throws: CalibrationFileError.self) { try CalibrationPointsCSV.parse("load_g,reading\n-1,5\n", source: "x") }
        #expect(throws: CalibrationFileError.self) { try CalibrationPointsCSV.parse("load_g,reading,colour\n1,5,red\n", source: "x") }
        #expect(throws: CalibrationFileError.self) { try CalibrationPointsCSV.parse("", source: "x") }
    }

    @Test func jsonReaderRoundTripsShortestDoubles() throws {
        let values: [Double] = [128013.89410589411, 160402.55744255745, 0.1, -1467.4896142298, 1e-300, 4.002176263320947]
        let text = JSONValue.array(values.map { .double($0) }).serialized()
        let parsed = try JSONReader.parse(Array(text.utf8)).arrayValue ?? []
        let read = parsed.compactMap { $0.doubleValue }
        #expect(read == values)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(Array("{\"a\":1".utf8)) }
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(Array("[1,]".utf8)) }
    }

    @Test func civilTime() {
        #expect(CivilTime.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(CivilTime.iso8601(1_795_392_000) == "2026-11-23T00:00:00Z")  // date -u -d @1795392000
        let leap = CivilTime.days(fromCivil: 2024, 2, 29) * 86_400
        #expect(CivilTime.iso8601(CivilTime.adding(months: 12, to: leap)) == "2025-02-28T00:00:00Z")
    }
}
