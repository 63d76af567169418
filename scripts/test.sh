#!/usr/bin/env bash
# The whole test suite: the C device reference against the protocol vectors,
# the sensor firmware's build and host tests, then every Swift test (unit
# tests and end-to-end tests of the built programs).
#
# The main group runs inside scripts/with-postgres.sh: the class tests need a
# real PostgreSQL server, and it starts a throwaway cluster on the loopback
# address for them (as the `postgres` user when run as root) and removes it.
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

echo "== Swift package"
swift build --build-tests
bash scripts/with-postgres.sh swift test --skip-build --skip "Emulator" --skip "EndToEndTests.ClassTests" "$@"

# The class's end-to-end suite crashes and restarts its PostgreSQL cluster
# mid-session: in a process and on a cluster of its own, so that no other
# suite's connection is cut by it.
echo "== Swift package: the class on a PostgreSQL cluster of its own (it is crashed and restarted)"
bash scripts/with-postgres.sh swift test --skip-build --filter "EndToEndTests.ClassTests" "$@"

# One test at a time: two real-time streams at once would compete for the
# host threads the emulated bus needs.
echo "== Swift package: real-time tests through the emulated USB sensor"
swift test --skip-build --no-parallel --filter "Emulator" --skip "FirmwareEmulator" "$@"

# The sensor firmware on the simulated chip takes most of a core for itself:
# after the 1 kHz suites, not beside them.
echo "== Swift package: real-time tests through the sensor firmware on a simulated chip"
swift test --skip-build --filter "FirmwareEmulator" "$@"
