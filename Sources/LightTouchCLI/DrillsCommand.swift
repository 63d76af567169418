import ArgumentParser
import LightTouchCore

struct DrillsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drills",
        abstract: "List the built-in practice drills.",
        discussion: """
            Run one with `lighttouch practice --drill NAME`, or write your own drill file (TOML) and pass \
            its path: see docs/trainer.md and the examples in drills/.
            """)

    @Flag(help: "Also list the keys a drill file may hold.")
    var fileKeys = false

    func run() throws {
        let width = Drill.builtIn.map(\.name.count).max() ?? 0
        for drill in Drill.builtIn {
            let pad = String(repeating: " ", count: width - drill.name.count)
            print("\(drill.name)\(pad)  \(drill.purpose)\(drill == .default ? " (default)" : "")")
            print("\(String(repeating: " ", count: width))  \(drill.shape)")
        }
        print("")
        print("Feedback modes: " + FeedbackMode.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ") + ".")
        print(
            "Estimates (`estimate` in a drill file, or --estimate): after a trial and before its result, the student "
                + "estimates the mean force (verdict or grams) and the hold: \(EstimateRequest.allowedNames).")
        if fileKeys {
            print("")
            print("Drill file keys (version = \(DrillFile.version) is required):")
            for (key, allowed) in DrillFile.keys { print("  \(key): \(allowed)") }
        }
    }
}
