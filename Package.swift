// swift-tools-version:6.0
import PackageDescription

// Layering (arrows point inward only):
//   CLI / executables  ->  adapters (Acquisition, USB, Emulator)  ->  SensorModel  ->  Core
// LightTouchCore is pure: no I/O, no clocks, no globals.
// Each C library is wrapped once, in its own system-library target.
let package = Package(
    name: "LightTouch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lighttouch", targets: ["lighttouch"]),
        .executable(name: "lighttouch-emulator", targets: ["lighttouch-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // The portable C device-side reference: what a firmware links, and what
        // the demo and emulated sensors run.
        .target(
            name: "CLightTouchDevice",
            path: "firmware-protocol/reference",
            exclude: ["tests", "Makefile", "README.md", "build"],
            sources: ["src"],
            publicHeadersPath: "include"
        ),
        // Pure core: protocol codec, stream accounting (later: calibration maths,
        // filters, hold tracking, scoring).
        .target(name: "LightTouchCore"),
        // A physical model of a sensor with a hand on it, producing frames through
        // the C device reference. Time is injected; no clocks are read here.
        .target(
            name: "LightTouchSensorModel",
            dependencies: ["LightTouchCore", "CLightTouchDevice"]
        ),
        // Adapters that deliver packets from a sensor: the in-process demo sensor
        // (wall-clock paced) and the acquisition session that decodes them.
        .target(
            name: "LightTouchAcquisition",
            dependencies: [
                "LightTouchCore", "LightTouchSensorModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // The command-line interface, one file per subcommand.
        // The simulated sensor's command-line options, shared by the demo sensor and the emulator.
        .target(
            name: "LightTouchSensorOptions",
            dependencies: ["LightTouchSensorModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "LightTouchCLI",
            dependencies: [
                "LightTouchCore", "LightTouchSensorModel", "LightTouchAcquisition", "LightTouchUSB", "LightTouchStore", "LightTouchAssessment", "LightTouchReport",
                "LightTouchTrainer", "LightTouchTerminal", "LightTouchCalibration", "LightTouchSensorOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "lighttouch", dependencies: ["LightTouchCLI"]),

        // Calibration runs on a sensor, certificate files, reports and residual plots: an adapter
        // around the pure calibration maths in LightTouchCore.
        .target(name: "LightTouchCalibration", dependencies: ["LightTouchCore", "LightTouchAcquisition"]),

        // Assessment protocols (a drill and a rubric) and grading: pure.
        .target(name: "LightTouchAssessment", dependencies: ["LightTouchCore"]),
        // Session reports (SVG, HTML) from a replayed recording: pure.
        .target(name: "LightTouchReport"),
        // Recordings, assessments and the gradebook in SQLite (GRDB): an adapter.
        .target(
            name: "LightTouchStore",
            dependencies: ["LightTouchCore", "LightTouchAcquisition", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // A practice session (drills, feedback modes, keys, peeks), UI-agnostic and pure.
        .target(name: "LightTouchTrainer", dependencies: ["LightTouchCore"]),
        // ncursesw, wrapped once (shim.h: NCURSES_WIDECHAR, and what Swift cannot import).
        // No pkgConfig: SwiftPM would drop its -D flags with a warning; the shim defines them.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // The full-screen trainer: layout into a canvas (pure), drawn with ncursesw from one queue.
        .target(name: "LightTouchTerminal", dependencies: ["CNcursesw", "LightTouchCore", "LightTouchTrainer"]),

        // libusb-1.0 and umockdev, each wrapped once (shim.h holds what Swift cannot import).
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CUMockdev", pkgConfig: "umockdev-1.0", providers: [.apt(["umockdev", "libumockdev-dev"])]),
        // The USB driver: nothing outside it sees a libusb type.
        .target(
            name: "LightTouchUSB",
            dependencies: [
                "CLibUSB", "LightTouchCore", "LightTouchAcquisition",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The emulated sensor: usbfs URB bookkeeping on a umockdev testbed (C),
        // fed by the sensor model (Swift), and the lighttouch-emulator program.
        .target(name: "CLightTouchEmulatorSupport", dependencies: ["CUMockdev"]),
        .target(
            name: "LightTouchEmulator",
            dependencies: ["CLightTouchEmulatorSupport", "LightTouchSensorModel", "LightTouchCore"]
        ),
        .executableTarget(
            name: "lighttouch-emulator",
            dependencies: [
                "LightTouchEmulator", "LightTouchSensorModel", "LightTouchSensorOptions", "LightTouchCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "LightTouchUSBTests", dependencies: ["LightTouchUSB", "LightTouchCore"]),
        .testTarget(name: "LightTouchCoreTests", dependencies: ["LightTouchCore"], exclude: ["Resources"]),
        .testTarget(
            name: "LightTouchSensorModelTests",
            dependencies: ["LightTouchSensorModel", "LightTouchCore", "LightTouchAcquisition"]
        ),
        .testTarget(name: "LightTouchTrainerTests", dependencies: ["LightTouchTrainer", "LightTouchCore"]),
        .testTarget(name: "LightTouchTerminalTests", dependencies: ["LightTouchTerminal", "LightTouchTrainer", "LightTouchCore"]),
        .testTarget(
            name: "LightTouchStoreTests",
            dependencies: ["LightTouchStore", "LightTouchCore", "LightTouchAcquisition", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "LightTouchAssessmentTests", dependencies: ["LightTouchAssessment", "LightTouchCore"]),
        .testTarget(name: "LightTouchReportTests", dependencies: ["LightTouchReport"]),
        // Drive the built programs, as a user would.
        .testTarget(name: "EndToEndTests", dependencies: ["lighttouch"]),
    ],
    swiftLanguageModes: [.v6]
)
