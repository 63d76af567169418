extension PipelineConfiguration {
    /// Why an `options` object cannot be read back; the message names the member.
    public struct UnreadableOptions: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The trial options and filter an `options` object describes (the
    /// members `jsonMembers` writes, as in `replay --json` and an export's
    /// metadata), for a stream at `sampleRate` Hz, with `balance` for two
    /// hands. A member that is missing keeps its default; one of the wrong
    /// type, an unknown filter or options that make no sense together are an
    /// error.
    public init(options: JSONValue, sampleRate: Double, balance: BalanceSettings? = nil) throws(UnreadableOptions) {
        guard case .object = options else { throw UnreadableOptions(description: "`options` is not an object") }
        func number(_ key: String, _ value: inout Double) throws(UnreadableOptions) {
            guard let member = options[key] else { return }
            guard let number = member.doubleValue else { throw UnreadableOptions(description: "`options.\(key)` is not a number") }
            value = number
        }
        var trial = TrialOptions()
        try number("target_g", &trial.target)
        try number("tolerance_g", &trial.tolerance)
        try number("contact_g", &trial.contact)
        try number("release_s", &trial.release)
        try number("grace_s", &trial.grace)
        try number("hold_goal_s", &trial.holdGoal)
        do {
            try trial.validate()
        } catch {
            throw UnreadableOptions(description: "the recorded options make no sense (\(error.description))")
        }
        var filter = FilterSettings.default
        if let member = options["filter"] {
            guard let name = member.stringValue, let kind = FilterKind(rawValue: name) else {
                throw UnreadableOptions(description: "`options.filter` is not one of \(FilterKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.kind = kind
        }
        try number("cutoff_hz", &filter.cutoffHz)
        try number("min_cutoff_hz", &filter.minCutoffHz)
        try number("beta", &filter.beta)
        try number("d_cutoff_hz", &filter.derivativeCutoffHz)
        if let member = options["spike_window"] {
            guard let window = member.intValue else { throw UnreadableOptions(description: "`options.spike_window` is not a whole number") }
            filter.spikeWindow = window
        }
        do {
            _ = try filter.makeChain(sampleRateHz: sampleRate)
        } catch {
            throw UnreadableOptions(description: "the recorded filter cannot be used (\(error.description))")
        }
        self.init(trial: trial, filter: filter, sampleRate: sampleRate, balance: balance)
    }
}
