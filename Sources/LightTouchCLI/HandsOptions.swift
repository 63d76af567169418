import ArgumentParser
import LightTouchCore
import LightTouchSensorModel
import LightTouchSensorOptions

/// `--hands`, `--balance` and `--balance-tolerance`: a two-channel sensor as
/// a left (channel 0) and a right hand (channel 1).
struct HandsOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "1: the channels summed into one force (the default, or the drill's `hands`); 2: channel 0 is the left hand and "
            + "channel 1 the right, each against the band, and the hold counts only while both are in it and balanced.",
        valueName: "n"))
    var hands: Int?

    @Option(help: ArgumentHelp("Two hands: the left hand's share of the total force to hold, percent. Default: 50 (or the drill's).", valueName: "pct"))
    var balance: Double?

    @Option(help: ArgumentHelp("Two hands: how far the left share may stray, percentage points. Default: 5 (or the drill's).", valueName: "pct"))
    var balanceTolerance: Double?

    /// Whether two hands, or their balance, were asked for (a headless run then runs a drill).
    var asksForHands: Bool { hands == 2 || balance != nil || balanceTolerance != nil }

    func check() throws {
        if let hands, hands != 1 && hands != 2 {
            throw ValidationError("--hands must be 1 or 2 (got \(hands))")
        }
        if hands == 1, balance != nil || balanceTolerance != nil {
            throw ValidationError("--balance and --balance-tolerance apply to two hands only (--hands 2)")
        }
    }

    /// The balance band a drill runs with: the drill's own (`hands = 2`)
    /// unless `--hands` says otherwise, with `--balance…` in place of its values.
    func balance(drill: Drill) throws -> BalanceSettings? {
        var chosen: BalanceSettings?
        switch hands {
        case 1: chosen = nil
        case 2: chosen = drill.balance ?? BalanceSettings()
        default: chosen = drill.balance
        }
        if chosen == nil, balance != nil || balanceTolerance != nil {
            throw UserError(
                "--balance and --balance-tolerance apply to two hands only: add --hands 2 (drill `\(drill.name)` is one-handed)",
                exitCode: ExitCode(64))
        }
        if let balance { chosen?.target = balance }
        if let balanceTolerance { chosen?.tolerance = balanceTolerance }
        do {
            try chosen?.validate()
        } catch {
            throw UserError(error.description, exitCode: ExitCode(64))
        }
        return chosen
    }

    /// A two-hand session needs a sensor with exactly two channels, each
    /// calibrated when the sensor is (a one-channel certificate would leave
    /// the right hand in nominal counts).
    static func checkTwoHands(info: SensorInfo, conversion: ForceConversion) throws {
        guard info.channels == 2 else {
            throw UserError(
                "two hands need a sensor with two channels (left and right); \(info.serial) has \(info.channels)"
                    + (info.channels == 1 ? ": practise one-handed without --hands 2" : ""),
                exitCode: ExitCode(64))
        }
        guard conversion.coversTwoHands else {
            throw UserError(
                "the calibration in use covers \(conversion.channels.count) channel of \(info.serial)'s 2: two hands need "
                    + "both channels calibrated (--calibration once per channel, from `calibrate run --channel`)",
                exitCode: ExitCode(65))
        }
    }
}

extension SensorModelOptions {
    /// The demo sensor for a two-hand session: two channels and the
    /// `two-hands` student, unless `--channels`, `--scenario` or a force
    /// script say otherwise.
    var playingTwoHands: SensorModelOptions {
        var options = self
        if options.channels == 1 { options.channels = 2 }
        if options.forceScript == nil, options.scenario == Scenario.steady.rawValue {
            options.scenario = Scenario.twoHands.rawValue
        }
        return options
    }
}
