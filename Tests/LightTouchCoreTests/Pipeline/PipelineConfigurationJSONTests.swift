import Testing

@testable import LightTouchCore

/// `options` objects read back: what an export's metadata holds becomes the
/// configuration it was written from.
@Suite struct PipelineConfigurationJSONTests {
    @Test(arguments: [
        FilterSettings(kind: .none, spikeWindow: 0),
        FilterSettings(kind: .butterworth, cutoffHz: 7.5, spikeWindow: 3),
        FilterSettings(kind: .oneEuro, minCutoffHz: 0.8, beta: 0.02, derivativeCutoffHz: 1.5, spikeWindow: 9),
    ])
    func anOptionsObjectReadsBackAsItsConfiguration(filter: FilterSettings) throws {
        let trial = TrialOptions(target: 5.5, tolerance: 1.25, contact: 1, release: 0.7, grace: 0.3, holdGoal: 8)
        let written = PipelineConfiguration(trial: trial, filter: filter, sampleRate: 250)
        let read = try PipelineConfiguration(options: .object(written.jsonMembers), sampleRate: 250)
        #expect(read == written)
    }

    /// JSON writes 8.0 as 8: a whole number reads as the Double it was.
    @Test func wholeNumbersReadAsNumbers() throws {
        let read = try PipelineConfiguration(
            options: .object([("target_g", .int(8)), ("tolerance_g", .int(2)), ("hold_goal_s", .int(30))]), sampleRate: 1000)
        #expect(read.trial.target == 8)
        #expect(read.trial.tolerance == 2)
        #expect(read.trial.holdGoal == 30)
        // Missing members keep their defaults.
        #expect(read.trial.contact == TrialOptions().contact)
        #expect(read.filter == FilterSettings.default)
    }

    @Test(arguments: [
        (JSONValue.object([("spike_window", .double(2.5))]), "`options.spike_window` is not a whole number"),
        (.object([("grace_s", .null)]), "`options.grace_s` is not a number"),
        (.object([("filter", .string("butterworth")), ("cutoff_hz", .double(600))]), "the recorded filter cannot be used"),
        (.object([("contact_g", .double(4.5))]), "the recorded options make no sense (--contact (4.5 g) must be below the band's lower edge (4.0 g))"),
        (.string("5 g"), "`options` is not an object"),
    ])
    func anUnusableObjectSaysWhichMember(options: JSONValue, problem: String) {
        #expect {
            _ = try PipelineConfiguration(options: options, sampleRate: 1000)
        } throws: { error in
            (error as? PipelineConfiguration.UnreadableOptions)?.description.hasPrefix(problem) == true
        }
    }
}
