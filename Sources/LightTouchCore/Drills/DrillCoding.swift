/// A drill as recorded with a session: JSON, every number in shortest
/// round-trip form, so that a replay runs exactly the drill that ran live.
///
///     {"version":1,"name":"first-touch","purpose":"…","rest_s":5,
///      "trials":[{"target_g":5,"tolerance_g":1,"contact_g":0.5,"release_s":0.5,
///                 "grace_s":0.2,"hold_s":5,"length_s":10,"feedback":"full"}, …]}
///
/// A two-hand drill adds `"hands":2,"balance_target_pct":50,"balance_tolerance_pct":5`
/// at the end; a one-hand drill's JSON is as it always was. A trial that asks
/// for an estimate ends with `"estimate":"grams+hold"`.
public enum DrillCoding {
    public static let version = 1

    public static func json(_ drill: Drill) -> String {
        JSONValue.object([
            ("version", .int(version)), ("name", .string(drill.name)), ("purpose", .string(drill.purpose)),
            ("rest_s", .double(drill.restSeconds)),
            ("trials", .array(drill.trials.map(\.json))),
        ] + (drill.balance?.jsonMembers ?? [])).serialized()
    }

    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func drill(_ text: String) throws(DecodeError) -> Drill {
        guard let object = try? JSONReader.parse(Array(text.utf8)), case .object = object else {
            throw DecodeError(description: "the recorded drill is not a JSON object")
        }
        guard object["version"]?.intValue == version else {
            throw DecodeError(description: "the recorded drill has an unknown version")
        }
        func number(_ object: JSONValue, _ key: String) throws(DecodeError) -> Double {
            guard let value = object[key]?.doubleValue else {
                throw DecodeError(description: "the recorded drill lacks `\(key)`")
            }
            return value
        }
        guard let name = object["name"]?.stringValue, let purpose = object["purpose"]?.stringValue,
            let trials = object["trials"]?.arrayValue
        else { throw DecodeError(description: "the recorded drill lacks its name or trials") }
        var decoded: [DrillTrial] = []
        for trial in trials {
            guard let feedbackName = trial["feedback"]?.stringValue, let feedback = FeedbackMode(rawValue: feedbackName) else {
                throw DecodeError(description: "the recorded drill has an unknown feedback mode")
            }
            let options = TrialOptions(
                target: try number(trial, "target_g"), tolerance: try number(trial, "tolerance_g"),
                contact: try number(trial, "contact_g"), release: try number(trial, "release_s"),
                grace: try number(trial, "grace_s"), holdGoal: try number(trial, "hold_s"))
            // Absent in trials that ask for no estimate (and in every recording made before estimates existed).
            var estimate = EstimateRequest.none
            if let name = trial["estimate"]?.stringValue {
                guard let request = EstimateRequest(name: name) else {
                    throw DecodeError(description: "the recorded drill asks for an unknown estimate `\(name)`")
                }
                estimate = request
            }
            decoded.append(
                DrillTrial(options: options, lengthSeconds: try number(trial, "length_s"), feedback: feedback, estimate: estimate))
        }
        var balance: BalanceSettings?
        if let hands = object["hands"] {
            guard hands.intValue == 2 else { throw DecodeError(description: "the recorded drill has a hands count other than 2") }
            balance = BalanceSettings(
                target: try number(object, "balance_target_pct"), tolerance: try number(object, "balance_tolerance_pct"))
        }
        return Drill(name: name, purpose: purpose, trials: decoded, restSeconds: try number(object, "rest_s"), balance: balance)
    }
}
