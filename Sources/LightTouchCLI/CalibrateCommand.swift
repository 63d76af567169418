import ArgumentParser

/// `lighttouch calibrate run|fit|check|show`.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate a sensor with known masses, and check or show its calibration.",
        discussion: """
            A calibration run places known masses on the sensor in the order of ISO 376 and ASTM E74 (zero, \
            up, down, zero; two series or more), fits reading = c0 + c1·m + c2·m² (+ c3·m³) by least squares, \
            and writes a certificate (JSON, with a residual plot as SVG) that can be stored in the sensor. \
            The procedure for a bench is calibration/CALIBRATION.md.
            """,
        subcommands: [CalibrateRunCommand.self, CalibrateFitCommand.self, CalibrateCheckCommand.self, CalibrateShowCommand.self]
    )
}
