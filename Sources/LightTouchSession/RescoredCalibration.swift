import LightTouchCore
import LightTouchReport

/// A recorded calibration run taken again: its raw counts and the
/// operator's Enter presses through a new recorder with the recorded plan,
/// to the same readings, fit and certificate (`replay`, `report`).
public struct RescoredCalibration: Sendable {
    public let session: RecordedSession
    public let plan: CalibrationRunPlan
    public let procedure: CalibrationProcedure
    public let points: [CalibrationPoint]
    public let certificate: CalibrationCertificate
    public let analysis: CalibrationAnalysis
    /// The certificate's JSON: what the live run printed with `--json`.
    public let text: String

    public init(_ session: RecordedSession) throws(RescoringError) {
        let id = session.summary.id
        self.session = session
        guard let recordedPlan = session.calibrationRun else {
            throw RescoringError(kind: .data, description: "session \(id) is a calibration session without its run's settings; it cannot be taken again")
        }
        do {
            plan = try CalibrationRunPlan(json: JSONReader.parse(Array(recordedPlan.utf8)))
            procedure = try plan.procedure()
        } catch {
            throw RescoringError(kind: .data, description: "session \(id): \(error)")
        }
        let outcome = CalibrationReplay.run(plan.recorder(procedure), samples: Self.samples(session, channel: plan.channel), confirms: Self.confirms(session))
        switch outcome {
        case .complete(let taken): points = taken
        case .failed(let error, let taken):
            throw RescoringError(kind: .data, description: 
                "session \(id): the run stopped at reading \(taken.count + 1) of \(procedure.steps.count) (\(error)); "
                    + "there is no calibration to show")
        case .incomplete(let taken):
            throw RescoringError(kind: .data, description: 
                "session \(id): the recording ends after \(taken.count) of \(procedure.steps.count) readings "
                    + "(it is \(session.summary.status.rawValue)\(session.summary.stopReason.map { ": \($0)" } ?? "")); there is no calibration to show")
        }
        do {
            (certificate, analysis, text) = try plan.certificate(points, procedure: procedure)
        } catch {
            throw RescoringError(kind: .data, description: "session \(id): the readings do not make a calibration: \(error)")
        }
    }

    /// The calibrated channel's samples as the live run fed them to its recorder: blocks
    /// over range skipped, time 0 at the first sample of the first block in range.
    static func samples(_ session: RecordedSession, channel: Int = 0) -> [(time: Double, counts: Double)] {
        var clock = CalibrationSampleClock(channel: channel)
        return session.blocks.flatMap { clock.samples(of: $0) }
    }

    /// When the operator pressed Enter (the newest sample's time then).
    static func confirms(_ session: RecordedSession) -> [Double] {
        session.events.filter { $0.kind == .key && $0.detail == "enter" }.compactMap(\.time)
    }

    /// The certificate as `calibrate run` prints it.
    public var report: String {
        CalibrationReport.text(
            analysis, serial: plan.serial, calibratedAt: certificate.calibratedAt, expiresAt: certificate.expiresAt,
            massSet: "\(plan.massSet) (class \(plan.massClass))")
    }

    /// The report's picture: the run, the curve, the residuals, the readings.
    public var document: CalibrationReportDocument {
        let s = session.summary
        let polynomial = CalibrationPolynomial(coefficients: certificate.coefficients)
        let signal = Self.samples(session, channel: plan.channel).map {
            CalibrationReportDocument.SignalPoint(time: $0.time, grams: polynomial.mass(forReading: $0.counts))
        }
        let readings = zip(points, analysis.residualsGrams).map { point, residual in
            CalibrationReportDocument.Reading(
                step: point.step + 1, series: point.series,
                direction: point.direction == .zero ? .zero : point.direction == .increasing ? .increasing : .decreasing,
                start: point.reading.start, end: point.reading.end, load: point.load, counts: point.reading.mean,
                countsSD: point.reading.sd, residual: residual)
        }
        var table = [["step", "series", "load g", "direction", "mean counts", "SD counts", "samples", "residual g"]]
        for (reading, point) in zip(readings, points) {
            table.append([
                "\(reading.step)", "\(reading.series)", reading.load.trimmed, point.direction.rawValue, reading.counts.fixed(1),
                reading.countsSD.fixed(1), "\(point.reading.count)", reading.residual.signedFixed(5),
            ])
        }
        let c = certificate.coefficients.prefix(certificate.degree + 1)
        let terms = c.enumerated().map { index, value in
            index == 0 ? value.fixed(1) : "\(value >= 0 ? "+" : "−") \(abs(value).fixed(index == 1 ? 3 : 6))·m\(["", "", "²", "³"][index])"
        }
        var notes = [
            "fit: degree \(analysis.fit.degree), \(analysis.fit.count) readings, residual SD \(analysis.fitSDGrams.fixed(5)) g, "
                + "R² \(analysis.fit.rSquared.fixed(9))",
            "LLF (ASTM E74, 2.4 × fit SD) \(analysis.lowerLimitFactor.fixed(5)) g; lowest honest force \(analysis.lowestForceGrams.fixed(3)) g",
            "certificate: calibrated \(CivilTime.iso8601(certificate.calibratedAt)), valid until \(CivilTime.iso8601(certificate.expiresAt)); "
                + "masses \(plan.massSet) (class \(plan.massClass))",
        ]
        notes.append(analysis.verdict())
        var subtitle = s.startedAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
        subtitle += "  ·  \(plan.series) series, masses \(procedure.loads.map(\.trimmed).joined(separator: ", ")) g"
        subtitle += "  ·  \(plan.handsFree ? "hands-free" : "guided")  ·  \(s.status.rawValue)"
        return CalibrationReportDocument(
            title: "Session \(s.id): calibration of \(plan.serial)", subtitle: subtitle, signal: signal, readings: readings,
            equation: { polynomial.mass(forReading: $0) }, equationText: "reading = \(terms.joined(separator: " ")) (counts, m in g)",
            residualBand: analysis.lowerLimitFactor, target: 5, table: table, notes: notes)
    }
}
