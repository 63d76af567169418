import ArgumentParser
import LightTouchSensorModel

/// The options that describe a simulated sensor: what presses on it, what
/// its load cell is like and what its link does to packets. One set of
/// names for the demo sensor (`lighttouch … --sensor demo`) and the
/// emulated USB sensor (`lighttouch-emulator`).
public struct SensorModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Scripted hand: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    public var scenario: String = Scenario.steady.rawValue

    @Option(help: ArgumentHelp("A CSV force script `time_s,force_g`, or `time_s,ch0,ch1,…` per channel (overrides --scenario).", valueName: "file"))
    public var forceScript: String?

    @Option(help: "Channels, 1 to 4.")
    public var channels: Int = 1

    @Option(help: ArgumentHelp("Counts at zero load.", valueName: "counts"))
    public var offset: Double = 120_000

    @Option(help: ArgumentHelp("Load-cell sensitivity, counts per gram.", valueName: "k"))
    public var countsPerGram: Double = 4_000

    @Option(help: ArgumentHelp("Quadratic nonlinearity X per gram (counts = offset + k(m + Xm²)).", valueName: "x"))
    public var nonlinearity: Double = 0

    @Option(help: ArgumentHelp("Noise standard deviation, grams.", valueName: "sd"))
    public var noiseG: Double = 0.02

    @Option(help: ArgumentHelp("Zero drift, grams per minute.", valueName: "d"))
    public var driftGPerMin: Double = 0

    @Option(help: ArgumentHelp("Fraction of packets corrupted on the wire (one bit flipped).", valueName: "p"))
    public var corruptRate: Double = 0

    @Option(help: ArgumentHelp("Fraction of packets dropped on the wire.", valueName: "p"))
    public var dropRate: Double = 0

    @Option(help: "Seed for the noise and the link's faults (same seed, same run).")
    public var seed: UInt64 = 1

    public init() {}

    public func validate() throws {
        if forceScript == nil, Scenario(rawValue: scenario) == nil {
            throw ValidationError(
                "unknown scenario `\(scenario)`; choose one of \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for (name, value) in [("--corrupt-rate", corruptRate), ("--drop-rate", dropRate)] where !(0...1).contains(value) {
            throw ValidationError("\(name) must be a fraction from 0 to 1 (got \(value))")
        }
    }

    /// Whether any option was moved from its default.
    public var isCustomised: Bool {
        scenario != Scenario.steady.rawValue || forceScript != nil || channels != 1 || offset != 120_000
            || countsPerGram != 4_000 || nonlinearity != 0 || noiseG != 0.02 || driftGPerMin != 0
            || corruptRate != 0 || dropRate != 0 || seed != 1
    }

    /// Why the options do not make a sensor.
    public enum Failure: Error, CustomStringConvertible {
        /// The force script cannot be read or parsed (bad input data).
        case forceScript(String)
        /// A setting is out of range (a bad option).
        case setting(String)

        public var description: String {
            switch self {
            case .forceScript(let message), .setting(let message): message
            }
        }
    }

    /// The model these options describe, at `rate` Hz, checked.
    /// - Parameter adjust: sets what only the caller knows (serial, stall, stored calibration) before the check.
    public func configuration(
        rate: Int, adjust: (inout SensorModelConfiguration) -> Void = { _ in }
    ) throws(Failure) -> SensorModelConfiguration {
        var configuration = SensorModelConfiguration()
        configuration.channels = channels
        configuration.rate = rate
        configuration.offsetCounts = offset
        configuration.countsPerGram = countsPerGram
        configuration.nonlinearity = nonlinearity
        configuration.noiseGrams = noiseG
        configuration.driftGramsPerMinute = driftGPerMin
        configuration.seed = seed
        if let forceScript {
            do {
                configuration.force = .script(try ForceScript.load(path: forceScript))
            } catch {
                throw .forceScript(error.description)
            }
        } else if let scenario = Scenario(rawValue: scenario) {
            configuration.force = .scenario(scenario)
        }
        adjust(&configuration)
        do {
            try configuration.validate()
        } catch {
            throw .setting(error.description)
        }
        return configuration
    }

    /// The link's faults (seeded apart from the noise).
    public var faultInjector: FaultInjector {
        FaultInjector(corruptRate: corruptRate, dropRate: dropRate, seed: seed &+ 0x5EED)
    }
}
