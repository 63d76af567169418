// swift-tools-version:6.0
import PackageDescription

// Layering (arrows point inward only; README "How it is built"):
//
//   executables   lighttouch (LightTouchCLI: options, wiring, printing), lighttouch-emulator
//        |
//   adapters      LightTouchUSB, LightTouchDemoSensor, LightTouchStore, LightTouchTerminal,
//        |        LightTouchCalibration (certificate files), LightTouchEmulator, LightTouchALSA (sound),
//        |        LightTouchClass (a class on PostgreSQL: uploads, live state, the class gradebook)
//        |        (no adapter depends on another adapter)
//   application   LightTouchSession: the session engine (live sessions, calibration runs,
//        |        re-scoring of recordings, results)
//   domain        LightTouchTrainer (drills as played), LightTouchAssessment (protocols,
//        |        grades), LightTouchReport (SVG/HTML documents), LightTouchSensorModel,
//        |        LightTouchSound (the feedback sound's mapping and synthesis)
//   core          LightTouchCore: pure (codec, calibration maths, filters, scoring, drills)
//                 and the ports the adapters implement (SensorConnection, SessionRecording)
//
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
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The portable C device-side reference: what a firmware links, and what
        // the demo and emulated sensors run.
        .target(
            name: "CLightTouchDevice",
            path: "firmware-protocol/reference",
            exclude: ["tests", "Makefile", "README.md"],
            sources: ["src"],
            publicHeadersPath: "include"
        ),
        // Pure core: protocol codec and stream accounting, calibration maths, filters,
        // per-sample scoring, trials, drills, JSON; and the ports (SensorConnection,
        // SessionRecording) and recording vocabulary every adapter depends on.
        .target(
            name: "LightTouchCore",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")]
        ),
        // A physical model of a sensor with a hand on it, producing frames through
        // the C device reference. Time is injected; no clocks are read here.
        .target(
            name: "LightTouchSensorModel",
            dependencies: ["LightTouchCore", "CLightTouchDevice"]
        ),
        // Adapter: the in-process demo sensor (the sensor model, wall-clock paced).
        .target(
            name: "LightTouchDemoSensor",
            dependencies: ["LightTouchCore", "LightTouchSensorModel"]
        ),
        // The session engine: live sessions (practice, assessment), calibration runs and
        // the re-scoring of recordings, from a SensorConnection to results.
        .target(
            name: "LightTouchSession",
            dependencies: [
                "LightTouchCore", "LightTouchTrainer", "LightTouchAssessment", "LightTouchReport",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // The simulated sensor's command-line options, shared by the demo sensor and the emulator.
        .target(
            name: "LightTouchSensorOptions",
            dependencies: ["LightTouchSensorModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The command line (swift-argument-parser): option parsing, wiring and printing.
        .target(
            name: "LightTouchCLI",
            dependencies: [
                "LightTouchCore", "LightTouchSession", "LightTouchSensorModel", "LightTouchDemoSensor", "LightTouchUSB", "LightTouchStore", "LightTouchAssessment", "LightTouchReport",
                "LightTouchTrainer", "LightTouchTerminal", "LightTouchCalibration", "LightTouchSensorOptions", "LightTouchSound", "LightTouchALSA",
                "LightTouchClass",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "lighttouch", dependencies: ["LightTouchCLI"]),

        // Adapter: certificate files (written through a rename, checked on read), the
        // calibration a sensor is used with, and the certificate's text report.
        .target(name: "LightTouchCalibration", dependencies: ["LightTouchCore", "LightTouchReport"]),

        // Assessment protocols (a drill and a rubric) and grading: pure.
        .target(name: "LightTouchAssessment", dependencies: ["LightTouchCore"]),
        // Session reports (SVG, HTML) from a replayed recording: pure.
        .target(name: "LightTouchReport"),
        // Recordings, assessments and the gradebook in SQLite (GRDB): an adapter.
        .target(
            name: "LightTouchStore",
            dependencies: ["LightTouchCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // A class on PostgreSQL (postgres-nio): schema and roles, credentials, uploads of
        // recorded sessions, live state through LISTEN/NOTIFY, the class gradebook. An adapter.
        .target(
            name: "LightTouchClass",
            dependencies: [
                "LightTouchCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A practice session (drills, feedback modes, keys, peeks), UI-agnostic and pure.
        .target(name: "LightTouchTrainer", dependencies: ["LightTouchCore"]),
        // Feedback sound: the mapping from force, band and feedback mode to a voice, the
        // synthesizer, offline rendering and WAV files. Pure.
        .target(name: "LightTouchSound", dependencies: ["LightTouchCore", "LightTouchTrainer"]),
        // ALSA (libasound), wrapped once; the player that feeds it from its own thread.
        .systemLibrary(name: "CAlsa", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .target(name: "LightTouchALSA", dependencies: ["CAlsa", "LightTouchSound"]),
        // ncursesw, wrapped once (shim.h: NCURSES_WIDECHAR, and what Swift cannot import).
        // No pkgConfig: SwiftPM would drop its -D flags with a warning; the shim defines them.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // The full-screen trainer: layout into a canvas (pure), drawn with ncursesw from one queue.
        .target(name: "LightTouchTerminal", dependencies: ["CNcursesw", "LightTouchCore", "LightTouchTrainer", "LightTouchSession"]),

        // libusb-1.0 and umockdev, each wrapped once (shim.h holds what Swift cannot import).
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CUMockdev", pkgConfig: "umockdev-1.0", providers: [.apt(["umockdev", "libumockdev-dev"])]),
        // The USB driver: nothing outside it sees a libusb type.
        .target(
            name: "LightTouchUSB",
            dependencies: [
                "CLibUSB", "LightTouchCore",
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
        // simavr, wrapped once (no pkgConfig: simavr.pc needs libelf.pc, which only libelf-dev ships).
        .systemLibrary(name: "CSimAVR", providers: [.apt(["libsimavr-dev"])]),
        // The firmware in the loop: a sensor firmware (AVR ELF) on simavr's ATmega32U4 with a simulated
        // HX711 (C), behind the emulated USB bus (Swift).
        // (It includes CSimAVR's shim.h directly; a C target does not autolink a module's `link`.)
        .target(
            name: "CLightTouchFirmwareLoop", dependencies: ["CSimAVR", "CLightTouchDevice"],
            linkerSettings: [.linkedLibrary("simavr")]
        ),
        .target(
            name: "LightTouchFirmwareLoop",
            dependencies: ["CLightTouchFirmwareLoop", "CLightTouchEmulatorSupport", "LightTouchEmulator", "LightTouchSensorModel", "LightTouchCore"]
        ),
        .executableTarget(
            name: "lighttouch-emulator",
            dependencies: [
                "LightTouchEmulator", "CLightTouchEmulatorSupport", "LightTouchSensorModel", "LightTouchSensorOptions", "LightTouchCore",
                "LightTouchFirmwareLoop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "LightTouchUSBTests", dependencies: ["LightTouchUSB", "LightTouchCore"]),
        .testTarget(name: "LightTouchCoreTests", dependencies: ["LightTouchCore"], exclude: ["Resources"]),
        .testTarget(
            name: "LightTouchSensorModelTests",
            dependencies: ["LightTouchSensorModel", "LightTouchCore", "LightTouchDemoSensor"]
        ),
        .testTarget(
            name: "LightTouchSessionTests",
            dependencies: ["LightTouchSession", "LightTouchCore", "LightTouchTrainer", "LightTouchAssessment"]
        ),
        .testTarget(name: "LightTouchTrainerTests", dependencies: ["LightTouchTrainer", "LightTouchCore"]),
        .testTarget(name: "LightTouchSoundTests", dependencies: ["LightTouchSound", "LightTouchTrainer", "LightTouchCore"]),
        .testTarget(name: "LightTouchTerminalTests", dependencies: ["LightTouchTerminal", "LightTouchSession", "LightTouchTrainer", "LightTouchCore"]),
        .testTarget(
            name: "LightTouchStoreTests",
            dependencies: ["LightTouchStore", "LightTouchCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "LightTouchClassTests",
            dependencies: ["LightTouchClass", "LightTouchCore", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .testTarget(name: "LightTouchAssessmentTests", dependencies: ["LightTouchAssessment", "LightTouchCore"]),
        .testTarget(name: "LightTouchReportTests", dependencies: ["LightTouchReport"]),
        // Drive the built programs, as a user would.
        .testTarget(name: "EndToEndTests", dependencies: ["lighttouch"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
