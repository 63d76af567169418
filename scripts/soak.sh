#!/usr/bin/env bash
# Soak test of the USB path (not part of CI): streams for a long time at the
# protocol's highest rate (1000 Hz) on every channel (4) from the emulated
# sensor, through the real libusb driver, and checks that nothing was lost or
# damaged. Prints one result line and the full summaries.
#
#   scripts/soak.sh                              # 10 minutes
#   SOAK_SECONDS=60 scripts/soak.sh
#   SOAK_BIN=.build/debug scripts/soak.sh        # use programs already built
#
# Otherwise builds lighttouch and lighttouch-emulator (release) with its own
# scratch path.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${SOAK_SECONDS:-600}"
if [ -n "${SOAK_BIN:-}" ]; then
  bin="$SOAK_BIN"
else
  scratch="${SOAK_SCRATCH:-.build-soak}"
  swift build -c release --scratch-path "$scratch" --product lighttouch >/dev/null
  swift build -c release --scratch-path "$scratch" --product lighttouch-emulator >/dev/null
  bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "soak: ${seconds} s at 1000 Hz x 4 channels through lighttouch-emulator (started $(date -u +%H:%M:%SZ))"
status=0
"$bin/lighttouch-emulator" --channels 4 --rate 1000 --report "$work/emulator.json" --quiet -- \
  "$bin/lighttouch" stream --duration "$seconds" --json --summary-only >"$work/stream.json" 2>"$work/stderr" || status=$?

summary="$(tail -n 1 "$work/stream.json")"
emulator="$(cat "$work/emulator.json" 2>/dev/null || echo '{}')"
echo "lighttouch stream: $summary"
echo "emulator:          $emulator"
if [ -s "$work/stderr" ]; then echo "stderr:"; sed 's/^/  /' "$work/stderr"; fi

python3 - "$summary" "$emulator" "$status" "$seconds" <<'PY'
import json, sys
summary, emulator = json.loads(sys.argv[1]), json.loads(sys.argv[2])
status, seconds = int(sys.argv[3]), float(sys.argv[4])
expected = seconds * 1000 / 3          # 3 samples per channel per frame at 4 channels
bad = {k: summary.get(k) for k in ("lost_frames", "crc_errors", "malformed_frames", "timestamp_errors", "disconnects") if summary.get(k)}
ok = status == 0 and not bad and summary.get("frames", 0) == emulator.get("frames_transmitted") \
     and summary.get("frames", 0) > 0.99 * expected
print("SOAK %s: %d frames (%d samples per channel) in %.0f s, lost %d, CRC errors %d, device FIFO drops %d, "
      "longest wait for the host %.1f ms, longest emulator pause %.1f ms%s" % (
    "PASS" if ok else "FAIL", summary.get("frames", 0), summary.get("samples", 0), summary.get("duration_s", 0),
    summary.get("lost_frames", -1), summary.get("crc_errors", -1), emulator.get("device_fifo_dropped", -1),
    emulator.get("max_reap_wait_ms", -1), emulator.get("max_pump_gap_ms", -1),
    "" if ok else " (exit %d, %s)" % (status, bad)))
sys.exit(0 if ok else 1)
PY
