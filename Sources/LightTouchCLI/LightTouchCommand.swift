import ArgumentParser

public struct LightTouchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lighttouch",
        abstract: "A light-touch palpation trainer: live feedback on a 5 g hold from a USB force sensor.",
        subcommands: []
    )
    public init() {}
}
