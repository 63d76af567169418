import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure LightTouch's speed (use a release build).")
    func run() throws {}
}
