/// One reading of a calibration run: which step it was, and the raw counts.
public struct CalibrationPoint: Sendable, Equatable {
    public var step: Int
    public var series: Int
    public var direction: CalibrationProcedure.Direction
    /// Nominal applied load, grams.
    public var load: Double
    public var reading: StepReading

    public init(step: Int, series: Int, direction: CalibrationProcedure.Direction, load: Double, reading: StepReading) {
        self.step = step
        self.series = series
        self.direction = direction
        self.load = load
        self.reading = reading
    }
}

/// Why a calibration run stopped.
public enum CalibrationRunError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidSetting(String)
    /// The signal moved while a reading was being averaged (hands-free runs).
    case movedDuringReading(step: Int, load: Double, sdGrams: Double, limit: Double)
    /// A settled plateau that is not the load the step asks for.
    case unexpectedLoad(step: Int, load: Double, expectedChange: Double, observedChange: Double)
    /// No usable plateau in time.
    case timedOut(step: Int, load: Double, seconds: Double)

    public var description: String {
        switch self {
        case .invalidSetting(let message): message
        case .movedDuringReading(let step, let load, let sd, let limit):
            "step \(step + 1) (\(load.trimmed) g): the load moved during the reading (SD \(sd.fixed(3)) g over the window, "
                + "limit \(limit.fixed(3)) g); the run was stopped and nothing was written"
        case .unexpectedLoad(let step, let load, let expected, let observed):
            "step \(step + 1) (\(load.trimmed) g): the load changed by \(observed.signedFixed(2)) g where "
                + "\(expected.signedFixed(2)) g was expected (wrong mass?); the run was stopped and nothing was written"
        case .timedOut(let step, let load, let seconds):
            "step \(step + 1) (\(load.trimmed) g): no steady reading within \(seconds.trimmed) s; the run was stopped and nothing was written"
        }
    }
}

/// Runs a calibration procedure over a stream of raw counts: for each step it
/// waits (in a guided run) for the operator to confirm the mass is placed,
/// then for a settled plateau at about the expected level, and reads it.
/// Pure: time comes with the samples.
public struct CalibrationRecorder: Sendable {
    public let procedure: CalibrationProcedure
    public let settings: StabilitySettings
    /// Hands-free: each new settled plateau is the next step; no confirmation.
    public let handsFree: Bool
    /// Give up on a step after this many seconds (from the previous reading,
    /// or from the operator's confirmation).
    public let stepTimeout: Double
    public private(set) var points: [CalibrationPoint] = []
    private var detector: StabilityDetector
    private var sensitivity: Double
    private var awaitingConfirmation: Bool
    private var stepStart: Double?
    private var wrongSince: Double?
    private var lastSampleTime = 0.0

    public init(
        procedure: CalibrationProcedure, settings: StabilitySettings, nominalCountsPerGram: Double, handsFree: Bool,
        stepTimeout: Double = 120
    ) {
        self.procedure = procedure
        self.settings = settings
        self.handsFree = handsFree
        self.stepTimeout = stepTimeout
        sensitivity = nominalCountsPerGram > 0 ? nominalCountsPerGram : 1
        detector = StabilityDetector(settings: settings, countsPerGram: sensitivity)
        awaitingConfirmation = !handsFree
    }

    /// The step being taken, or nil when the run is complete.
    public var currentStep: CalibrationProcedure.Step? {
        points.count < procedure.steps.count ? procedure.steps[points.count] : nil
    }

    public var isComplete: Bool { currentStep == nil }

    /// Whether the recorder waits for the operator (guided runs).
    public var isAwaitingConfirmation: Bool { awaitingConfirmation && !isComplete }

    /// The operator says the mass for the current step is in place.
    public mutating func confirm() {
        guard awaitingConfirmation else { return }
        awaitingConfirmation = false
        stepStart = lastSampleTime
        detector.reset()
        wrongSince = nil
    }

    /// What happened with one sample.
    public enum Event: Sendable, Equatable {
        /// Waiting for the operator to confirm the step.
        case waitingForOperator
        /// Watching the signal for the step.
        case watching(StabilityDetector.Phase, levelMatches: Bool)
        /// A reading was taken.
        case taken(CalibrationPoint)
        /// A guided run's step starts again (the load moved, or a wrong plateau).
        case retry(String)
        case failed(CalibrationRunError)
        case complete
    }

    /// The counts level the current step should settle at, and the tolerance.
    private func expectation(for step: CalibrationProcedure.Step) -> (level: Double, tolerance: Double, change: Double)? {
        guard let previous = points.last else { return nil }
        let change = step.load - previous.load
        let toleranceGrams = max(0.35 * abs(change), 3 * settings.maximumSD, 0.05)
        return (previous.reading.mean + change * sensitivity, toleranceGrams * sensitivity, change)
    }

    /// Adds one sample (device time in seconds, raw counts).
    public mutating func add(time: Double, counts: Double) -> Event {
        lastSampleTime = time
        guard let step = currentStep else { return .complete }
        if awaitingConfirmation { return .waitingForOperator }
        if stepStart == nil { stepStart = time }
        if let start = stepStart, time - start > stepTimeout {
            return .failed(.timedOut(step: step.index, load: step.load, seconds: stepTimeout))
        }
        let expected = expectation(for: step)
        // Is the current plateau the one this step wants?
        var matches = true
        if let expected, let current = detector.current {
            matches = abs(current.mean - expected.level) <= expected.tolerance
        }
        let phase = detector.add(time: time, value: counts, mayRead: matches)
        switch phase {
        case .done(let reading):
            let point = CalibrationPoint(step: step.index, series: step.series, direction: step.direction, load: step.load, reading: reading)
            points.append(point)
            updateSensitivity()
            detector = StabilityDetector(settings: settings, countsPerGram: sensitivity)
            stepStart = time
            wrongSince = nil
            awaitingConfirmation = !handsFree
            return .taken(point)
        case .movedDuringReading(let sd):
            if handsFree {
                return .failed(.movedDuringReading(step: step.index, load: step.load, sdGrams: sd, limit: settings.maximumSD))
            }
            detector.reset()
            return .retry("the load moved while it was being read (SD \(sd.fixed(3)) g); keep it still")
        case .settling(_, _, let level) where !matches:
            // Settled somewhere else. Still on the previous plateau is normal
            // (the operator has not changed the mass yet); anywhere else, for
            // as long as a reading takes, is a wrong mass.
            guard let expected, let previous = points.last else { break }
            let observed = (level - previous.reading.mean) / sensitivity
            if abs(level - previous.reading.mean) <= expected.tolerance {
                wrongSince = nil
                break
            }
            let since = wrongSince ?? time
            wrongSince = since
            if time - since >= settings.settle + settings.reading {
                wrongSince = nil
                let error = CalibrationRunError.unexpectedLoad(
                    step: step.index, load: step.load, expectedChange: expected.change, observedChange: observed)
                if handsFree { return .failed(error) }
                detector.reset()
                return .retry("that looks like \(observed.signedFixed(2)) g, not \(expected.change.signedFixed(2)) g: check the mass")
            }
        default:
            wrongSince = nil
        }
        return .watching(phase, levelMatches: matches)
    }

    /// Refines counts per gram from the readings so far (the zero that starts
    /// the series and the latest loaded reading), for the next expectation.
    private mutating func updateSensitivity() {
        guard let last = points.last, last.load > 0,
            let zero = points.last(where: { $0.direction == .zero && $0.step < last.step })
        else { return }
        let estimate = (last.reading.mean - zero.reading.mean) / last.load
        if estimate.isFinite, estimate > 0 { sensitivity = estimate }
    }
}

extension Double {
    /// "5", "2.5", "0.125": grams as the operator typed them.
    public var trimmed: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        var text = fixed(6)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// "+5.00" / "-2.50".
    public func signedFixed(_ decimals: Int) -> String {
        (self >= 0 ? "+" : "") + fixed(decimals)
    }
}
