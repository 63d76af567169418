#!/usr/bin/env bash
# The whole test suite: the C device reference against the protocol vectors,
# the sensor firmware's build and host tests, then every Swift test (unit
# tests and end-to-end tests of the built programs).
#
#   scripts/test.sh [TEST-OPTIONS...]
#
# TEST-OPTIONS go to each test process: swift-testing's --skip, for example
# (a --filter would widen each group's own filter, not narrow it).
#
# The class tests need a real PostgreSQL server: scripts/with-postgres.sh
# starts a throwaway cluster on the loopback address for each test process
# (as the `postgres` user when run as root) and removes it.
#
# The emulated-USB suites stream at 1 kHz in real time and assert that not a
# frame is lost, so they run on their own after everything else: sharing the
# two cores with the fuzzing and terminal tests would starve them, and that
# would test the machine's scheduler rather than LightTouch.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== C device reference (firmware-protocol/reference)"
make -s -C firmware-protocol/reference test

echo "== Sensor firmware (firmware-protocol/boards/pro-micro-hx711): build, budgets, host tests"
make -s -C firmware-protocol/boards/pro-micro-hx711 all test-firmwares
make -s -C firmware-protocol/boards/pro-micro-hx711 test

echo "== Swift package: build (swift build --build-tests)"
swift build --build-tests

# The main tests spend most of their time waiting on what they run (real
# sessions of the built programs, a terminal in tmux, a PostgreSQL server).
# One test process runs as many tests at once as the machine has cores,
# waiting or not, and kept a tenth of the CPU busy: so the tests run in five
# processes at once, each with its output in .build/test-logs, shown in turn
# when all have ended. The class's end-to-end suite crashes and restarts its
# PostgreSQL cluster mid-session: in a process and on a cluster of its own,
# so that no other suite's connection is cut by it.
#
# The test binary itself, not `swift test`: SwiftPM holds a lock on .build,
# so two `swift test` would run one after the other.
tests=$(swift build --show-bin-path)/LightTouchPackageTests.xctest
logs=.build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
# swift-testing exits 69 when no test at all matched: options that leave a
# group out (--skip Emulator) are not a failure. (with-postgres.sh exits 69
# too, when PostgreSQL is missing: a group's log must then show the empty run.)
passed() { # STATUS [LOG]
    [ "$1" = 0 ] && return 0
    [ "$1" = 69 ] || return 1
    [ -z "${2:-}" ] || grep -q "Test run with 0 tests" "$2"
}
groups=()
group() { # NAME SWIFT-TEST-ARGS...: one test process in the background, on a PostgreSQL cluster of its own
    local name=$1
    shift
    groups+=("$name")
    (
        set +e
        bash scripts/with-postgres.sh "$tests" --testing-library swift-testing "$@" >"$logs/$name.log" 2>&1
        echo $? >"$logs/$name.status"
    ) &
}
e2e=EndToEndTests
group "terminal screens and calibration" \
    --filter "$e2e\.(PracticeScreen|TerminalFallback|SoundToggleScreen|Calibration|CalibrationGuided)Tests" "$@"
group "assessment, estimates, two hands, the demo stream" \
    --filter "$e2e\.(AssessScreen|EstimateScreen|TwoHandsPractice|Estimate|Assess|DemoStream)Tests" "$@"
group "recordings, replay, sound, headless practice" \
    --filter "$e2e\.(PracticeHeadless|SessionRecording|SoundLive|SoundReplay|Replay|SampleExportSidecar|SessionExport|RecordingsFromEarlierVersions)Tests" "$@"
group "the modules' own tests" --skip "$e2e" "$@"
group "the class on a PostgreSQL cluster that is crashed and restarted" --filter "$e2e\.ClassTests" "$@"
# Every suite of EndToEndTests is in exactly one group, or in a real-time group below.
listed=$("$tests" --testing-library swift-testing --list-tests 2>/dev/null | sed -n "s#^$e2e\.\([A-Za-z]*\)/.*#\1#p" | sort -u |
    grep -Ev '^(PracticeScreen|TerminalFallback|SoundToggleScreen|Calibration|CalibrationGuided|AssessScreen|EstimateScreen|TwoHandsPractice|Estimate|Assess|DemoStream|PracticeHeadless|SessionRecording|SoundLive|SoundReplay|Replay|SampleExportSidecar|SessionExport|RecordingsFromEarlierVersions|Class)Tests$' |
    grep -v Emulator || true)
echo "== Swift package: ${#groups[@]} test processes at once (each one's output in $logs, printed when all have ended)"
wait
failed=()
if [ -n "$listed" ]; then
    echo "test.sh: suites of $e2e in no group (add them to one): $listed" >&2
    failed+=("ungrouped suites")
fi
for name in "${groups[@]}"; do
    echo "== Swift package: $name"
    cat "$logs/$name.log"
    passed "$(cat "$logs/$name.status" 2>/dev/null)" "$logs/$name.log" || failed+=("$name")
done

# One test at a time: two real-time streams at once would compete for the
# host threads the emulated bus needs.
echo "== Swift package: real-time tests through the emulated USB sensor"
status=0
"$tests" --testing-library swift-testing --no-parallel --filter "Emulator" --skip "FirmwareEmulator" "$@" || status=$?
passed $status || failed+=("the emulated USB sensor")

# The sensor firmware on the simulated chip takes most of a core for itself:
# after the 1 kHz suites, not beside them.
echo "== Swift package: real-time tests through the sensor firmware on a simulated chip"
status=0
"$tests" --testing-library swift-testing --filter "FirmwareEmulator" "$@" || status=$?
passed $status || failed+=("the firmware on a simulated chip")

if [ ${#failed[@]} -gt 0 ]; then
    printf 'test.sh: failed: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "== all tests passed"
