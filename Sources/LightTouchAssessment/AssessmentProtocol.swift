import LightTouchCore

/// An assessment protocol: a drill (the trials the student does, and the
/// feedback they get: `blind` unless the protocol says otherwise, because an
/// assessment measures unaided technique) and a rubric (how they are graded).
/// Its content hash is stored with every grade, so that a later change to
/// the protocol cannot silently rewrite old grades.
public struct AssessmentProtocol: Sendable, Equatable {
    public var name: String
    public var drill: Drill
    public var rubric: Rubric
    /// The protocol's text, as written.
    public var text: String

    /// SHA-256 (FIPS 180-4) of the protocol's canonical form (`canonicalJSON`),
    /// hex: comments and layout do not change it, any setting does.
    public var contentHash: String { SHA256.hexDigest(Array(canonicalJSON.utf8)) }

    /// Everything that decides a grade, in a fixed order.
    public var canonicalJSON: String {
        JSONValue.object([
            ("format", .int(ProtocolFile.version)), ("name", .string(name)),
            ("rest_s", .double(drill.restSeconds)),
            ("trials", .array(drill.trials.map(\.json))),
            ("scope", .string(rubric.scope.description)),
            ("criteria", .array(rubric.criteria.map { .string($0.description) })),
            ("grades", .array(rubric.bands.map { .string("\($0.grade) >= \($0.minimumScore.trimmed)") })),
            ("fail_grade", .string(rubric.failGrade)),
        ]).serialized()
    }

    /// The protocols that come with LightTouch.
    public static let builtIn: [(name: String, text: String)] = [("basic-5g", basic5g)]

    public static func builtIn(named name: String) -> AssessmentProtocol? {
        guard let text = builtIn.first(where: { $0.name == name.lowercased() })?.text else { return nil }
        return try? ProtocolFile.parse(text, file: name)
    }

    /// basic-5g: three blind 10 s holds at 5 g ± 1 g.
    static let basic5g = """
        # LightTouch assessment protocol: the basic 5 g hold.
        version = 1
        name = "basic-5g"
        purpose = "three blind 10 s holds at 5 g ± 1 g"

        # The drill: 3 trials of 10 s with at least 5 s of rest between them;
        # each starts at the first touch (after the rest). No live force: an
        # assessment measures unaided technique.
        trials = 3
        target_g = 5
        tolerance_g = 1
        hold_s = 8
        trial_length_s = 10
        rest_s = 5
        feedback = "blind"

        # The rubric: over the best 2 of the 3 trials (their mean), the student
        # must keep the force in band 70 % of the window, hold it for 6 s at a
        # stretch, steadily (CV ≤ 0.15), without pressing more than 2 g above the band.
        scope = "best 2"
        criteria = ["in_band_pct >= 70", "longest_hold_s >= 6", "cv <= 0.15", "overshoot_g <= 2"]
        # Grade bands on the score (the mean score of the same trials), when every criterion passes.
        grades = ["A >= 85", "B >= 70", "C >= 0"]
        fail_grade = "F"
        """
}
