#!/usr/bin/env bash
# The whole test suite: the C device reference against the protocol vectors,
# then every Swift test (unit tests and end-to-end tests of the built programs).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== C device reference (firmware-protocol/reference)"
make -s -C firmware-protocol/reference test

echo "== Swift package"
swift build --build-tests
swift test --skip-build "$@"
