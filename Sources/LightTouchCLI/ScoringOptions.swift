import ArgumentParser
import LightTouchCore

/// The options that decide how a session is scored (README, "Trials and metrics").
struct ScoringOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Centre of the target band, grams.", valueName: "g"))
    var target: Double = 5.0

    @Option(help: ArgumentHelp("Half-width of the target band, grams.", valueName: "g"))
    var tolerance: Double = 1.0

    @Option(help: ArgumentHelp("Force that counts as touching the sensor, grams.", valueName: "g"))
    var contact: Double = 0.5

    @Option(help: ArgumentHelp("A release at least this long ends a trial, seconds.", valueName: "s"))
    var release: Double = 0.5

    @Option(help: ArgumentHelp("An excursion out of the band shorter than this does not break a hold, seconds.", valueName: "s"))
    var grace: Double = 0.2

    @Option(help: ArgumentHelp("The hold goal the score asks for, seconds.", valueName: "s"))
    var hold: Double = 10

    @Option(help: ArgumentHelp(
        "Filter: \(FilterKind.allCases.map(\.rawValue).joined(separator: ", ")). Default: \(FilterSettings.default.kind.rawValue).",
        valueName: "name"))
    var filter: String?

    @Option(help: ArgumentHelp("Butterworth cutoff, Hz.", valueName: "hz"))
    var cutoffHz: Double?

    @Option(help: ArgumentHelp("1€ filter minimum cutoff, Hz.", valueName: "hz"))
    var minCutoffHz: Double?

    @Option(help: ArgumentHelp("1€ filter speed coefficient.", valueName: "beta"))
    var beta: Double?

    @Option(help: ArgumentHelp("1€ filter derivative cutoff, Hz.", valueName: "hz"))
    var dCutoffHz: Double?

    @Option(help: ArgumentHelp("Spike rejection: a running median of this many samples (odd, 3–15; 0 = off).", valueName: "n"))
    var spikeWindow: Int?

    var trialOptions: TrialOptions {
        TrialOptions(target: target, tolerance: tolerance, contact: contact, release: release, grace: grace, holdGoal: hold)
    }

    var filterSettings: FilterSettings {
        get throws {
            var settings = FilterSettings.default
            if let filter {
                guard let kind = FilterKind(rawValue: filter) else {
                    throw ValidationError(
                        "unknown filter `\(filter)`; choose one of \(FilterKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                settings.kind = kind
            }
            if let cutoffHz { settings.cutoffHz = cutoffHz }
            if let minCutoffHz { settings.minCutoffHz = minCutoffHz }
            if let beta { settings.beta = beta }
            if let dCutoffHz { settings.derivativeCutoffHz = dCutoffHz }
            if let spikeWindow { settings.spikeWindow = spikeWindow }
            return settings
        }
    }

    func validate() throws {
        do {
            try trialOptions.validate()
        } catch {
            throw ValidationError(error.description)
        }
        let settings = try filterSettings
        do {
            // Any rate will do to check the settings themselves; the rate itself is checked later.
            _ = try settings.makeFilter(sampleRateHz: 1000)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The pipeline configuration for a stream at `rate` Hz.
    func configuration(sampleRate: Double) throws -> PipelineConfiguration {
        PipelineConfiguration(trial: trialOptions, filter: try filterSettings, sampleRate: sampleRate)
    }
}
