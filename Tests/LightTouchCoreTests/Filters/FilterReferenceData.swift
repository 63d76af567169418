import Foundation

/// The filters' stored reference data (Tests/LightTouchCoreTests/Resources/filters),
/// read from the checkout next to this file.
enum FilterReferenceData {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Resources/filters")

    /// One SciPy run: a signal at a rate through one cutoff.
    struct ButterworthCase {
        var rateHz: Double
        var signal: String
        var cutoffHz: Double
        /// [b0, b1, b2, a0, a1, a2]
        var sos: [Double]
        var input: [Double]
        var output: [Double]

        var name: String { "\(signal) at \(rateHz) Hz, cutoff \(cutoffHz) Hz" }
    }

    static func butterworthCases() throws -> [ButterworthCase] {
        let data = try Data(contentsOf: directory.appendingPathComponent("butterworth_vectors.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let rates = root["rates"] as? [[String: Any]]
        else { throw DataError.malformed("butterworth_vectors.json") }
        var cases: [ButterworthCase] = []
        for rate in rates {
            guard let rateHz = rate.double("rate_hz"), let signals = rate["signals"] as? [[String: Any]] else {
                throw DataError.malformed("butterworth_vectors.json: rate")
            }
            for signal in signals {
                guard let name = signal.string("name"), let input = doubles(signal["input"]),
                    let filtered = signal["filtered"] as? [[String: Any]]
                else { throw DataError.malformed("butterworth_vectors.json: signal") }
                for run in filtered {
                    guard let cutoff = run.double("cutoff_hz"), let sos = doubles(run["sos"]), sos.count == 6,
                        let output = doubles(run["output"]), output.count == input.count
                    else { throw DataError.malformed("butterworth_vectors.json: \(name)") }
                    cases.append(
                        ButterworthCase(
                            rateHz: rateHz, signal: name, cutoffHz: cutoff, sos: sos, input: input, output: output))
                }
            }
        }
        return cases
    }

    /// One row of the 1€ authors' groundTruth.csv.
    struct OneEuroRow {
        var timestamp: Double
        var signal: Double
        var noisy: Double
        var filtered: Double
    }

    static func oneEuroGroundTruth() throws -> [OneEuroRow] {
        let text = try String(
            contentsOf: directory.appendingPathComponent("one_euro_ground_truth.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == "timestamp,signal,noisy,filtered" else {
            throw DataError.malformed("one_euro_ground_truth.csv: header")
        }
        lines.removeFirst()
        return try lines.map { line in
            let fields = line.split(separator: ",").map { Double(String($0)) }
            guard fields.count == 4, let t = fields[0], let s = fields[1], let x = fields[2], let y = fields[3] else {
                throw DataError.malformed("one_euro_ground_truth.csv: \(line)")
            }
            return OneEuroRow(timestamp: t, signal: s, noisy: x, filtered: y)
        }
    }

    private static func doubles(_ value: Any?) -> [Double]? {
        (value as? [NSNumber])?.map(\.doubleValue)
    }

    enum DataError: Error { case malformed(String) }
}
