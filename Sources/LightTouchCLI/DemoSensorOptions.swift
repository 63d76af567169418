import ArgumentParser
import LightTouchSensorModel

/// How the demo sensor behaves: what presses on it and what its load cell and
/// link are like. The option names match `lighttouch-emulator`'s.
struct DemoSensorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Demo sensor: scripted hand (\(Scenario.allCases.map(\.rawValue).joined(separator: ", "))).", valueName: "name"))
    var scenario: String = Scenario.steady.rawValue

    @Option(help: ArgumentHelp("Demo sensor: a CSV force script `time_s,force_g` (overrides --scenario).", valueName: "file"))
    var forceScript: String?

    @Option(help: "Demo sensor: channels, 1 to 4.")
    var channels: Int = 1

    @Option(help: ArgumentHelp("Demo sensor: counts at zero load.", valueName: "counts"))
    var offset: Double = 120_000

    @Option(help: ArgumentHelp("Demo sensor: counts per gram.", valueName: "k"))
    var countsPerGram: Double = 4_000

    @Option(help: ArgumentHelp("Demo sensor: quadratic nonlinearity X per gram (counts = offset + k(m + Xm²)).", valueName: "x"))
    var nonlinearity: Double = 0

    @Option(help: ArgumentHelp("Demo sensor: noise standard deviation, grams.", valueName: "sd"))
    var noiseG: Double = 0.02

    @Option(help: ArgumentHelp("Demo sensor: zero drift, grams per minute.", valueName: "d"))
    var driftGPerMin: Double = 0

    @Option(help: ArgumentHelp("Demo sensor: fraction of packets corrupted in transit (one bit flipped).", valueName: "p"))
    var corruptRate: Double = 0

    @Option(help: ArgumentHelp("Demo sensor: fraction of packets dropped in transit.", valueName: "p"))
    var dropRate: Double = 0

    @Option(help: "Demo sensor: random seed (same seed, same noise).")
    var seed: UInt64 = 1

    func validate() throws {
        if forceScript == nil, Scenario(rawValue: scenario) == nil {
            throw ValidationError(
                "unknown scenario `\(scenario)`; choose one of \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for (name, value) in [("--corrupt-rate", corruptRate), ("--drop-rate", dropRate)] where !(0...1).contains(value) {
            throw ValidationError("\(name) must be a fraction from 0 to 1 (got \(value))")
        }
    }

    /// Whether any option was moved from its default (they only apply to the demo sensor).
    var isCustomised: Bool {
        scenario != Scenario.steady.rawValue || forceScript != nil || channels != 1 || offset != 120_000
            || countsPerGram != 4_000 || nonlinearity != 0 || noiseG != 0.02 || driftGPerMin != 0
            || corruptRate != 0 || dropRate != 0 || seed != 1
    }

    /// The model these options describe, at `rate` Hz.
    func modelConfiguration(rate: Int) throws -> SensorModelConfiguration {
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
                throw UserError.data(error.description)
            }
        } else if let scenario = Scenario(rawValue: scenario) {
            configuration.force = .scenario(scenario)
        }
        do {
            try configuration.validate()
        } catch {
            throw UserError("demo sensor: \(error.description)", exitCode: ExitCode(64))
        }
        return configuration
    }

    func faultInjector() -> FaultInjector {
        FaultInjector(corruptRate: corruptRate, dropRate: dropRate, seed: seed &+ 0x5EED)
    }
}
