
/// One graded attempt: who, which protocol (by name and content hash), the
/// score, pass or fail, the grade and each criterion's value.
public struct GradeRecord: Sendable, Equatable {
    public struct Criterion: Sendable, Equatable {
        public var metric: String
        public var comparison: String
        public var threshold: Double
        public var value: Double?
        public var passed: Bool

        public init(metric: String, comparison: String, threshold: Double, value: Double?, passed: Bool) {
            self.metric = metric
            self.comparison = comparison
            self.threshold = threshold
            self.value = value
            self.passed = passed
        }
    }

    public var id: Int64
    public var sessionID: Int64
    public var student: String
    public var examiner: String?
    public var gradedAt: String
    public var protocolName: String
    public var protocolHash: String
    public var score: Double?
    public var passed: Bool
    public var grade: String?
    public var criteria: [Criterion]

    public init(
        id: Int64 = 0, sessionID: Int64, student: String, examiner: String?, gradedAt: String = "", protocolName: String,
        protocolHash: String, score: Double?, passed: Bool, grade: String?, criteria: [Criterion]
    ) {
        self.id = id
        self.sessionID = sessionID
        self.student = student
        self.examiner = examiner
        self.gradedAt = gradedAt
        self.protocolName = protocolName
        self.protocolHash = protocolHash
        self.score = score
        self.passed = passed
        self.grade = grade
        self.criteria = criteria
    }
}
