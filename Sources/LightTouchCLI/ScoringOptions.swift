import ArgumentParser
import LightTouchCore

/// The options that decide how a session is scored (README, "Trials and metrics").
struct ScoringOptions: ParsableArguments {
    // The trial options are optional so that a command can tell an option
    // given from its default (a drill's or a recording's own value stays
    // unless the option is given); `trialOptions` applies the defaults.

    @Option(help: ArgumentHelp("Centre of the target band, grams. Default: 5.", valueName: "g"))
    var target: Double?

    @Option(help: ArgumentHelp("Half-width of the target band, grams. Default: 1.", valueName: "g"))
    var tolerance: Double?

    @Option(help: ArgumentHelp("Force that counts as touching the sensor, grams. Default: 0.5.", valueName: "g"))
    var contact: Double?

    @Option(help: ArgumentHelp("A release at least this long ends a trial, seconds. Default: 0.5.", valueName: "s"))
    var release: Double?

    @Option(help: ArgumentHelp("An excursion out of the band shorter than this does not break a hold, seconds. Default: 0.2.", valueName: "s"))
    var grace: Double?

    @Option(help: ArgumentHelp("The hold goal the score asks for, seconds. Default: 10.", valueName: "s"))
    var hold: Double?

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

    /// The trial options: those given, the defaults for the rest.
    var trialOptions: TrialOptions { applied(to: TrialOptions()) }

    /// `options` with the trial options given here in place of its own.
    func applied(to options: TrialOptions) -> TrialOptions {
        var options = options
        if let target { options.target = target }
        if let tolerance { options.tolerance = tolerance }
        if let contact { options.contact = contact }
        if let release { options.release = release }
        if let grace { options.grace = grace }
        if let hold { options.holdGoal = hold }
        return options
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

    /// Each option on its own. How they combine (a tolerance smaller than the
    /// target, a contact below the band) is checked once they meet what they
    /// apply to: `checkedTrialOptions` on the defaults, a drill's
    /// `validate()`, a recording's options in `replay`. Checked here against
    /// the defaults, `replay ID --tolerance 6` of a session recorded at 10 g
    /// would be refused for a 5 g target it does not have.
    func validate() throws {
        do {
            try TrialOptions.checkRanges(
                target: target, tolerance: tolerance, contact: contact, release: release, grace: grace, holdGoal: hold)
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

    /// The trial options given, on the defaults, checked together: one line
    /// and exit status 64 when they make no sense.
    func checkedTrialOptions() throws -> TrialOptions {
        let options = trialOptions
        do {
            try options.validate()
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
        return options
    }

    /// The pipeline configuration for a stream at `rate` Hz: the trial
    /// options given, on the defaults (a drill or a recording may replace them).
    func configuration(sampleRate: Double) throws -> PipelineConfiguration {
        PipelineConfiguration(trial: trialOptions, filter: try filterSettings, sampleRate: sampleRate)
    }
}
