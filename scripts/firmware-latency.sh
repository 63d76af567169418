#!/usr/bin/env bash
# How late the sensor firmware queues its frames (PROTOCOL.md §2.1: a frame
# must be queued no later than 10 ms after its first sample was taken).
#
#   scripts/firmware-latency.sh [SECONDS] [RATE]     (default 60 s at 80 Hz)
#
# Runs the Pro Micro + HX711 firmware on the simulated ATmega32U4
# (lighttouch-emulator --firmware) while `lighttouch stream` reads it through
# libusb, and prints, in simulated time, the delay from each sample's
# data-ready edge on the HX711 to the host receiving its frame. That is an
# upper bound of "queued": it includes the wait for the host's next 1 ms poll.
# Each frame is matched to its conversion by value (the simulated HX711 has
# noise), which also checks the bits arrived in order. Exits nonzero when a
# frame is later than 10 ms, a frame is unmatched or one was lost.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
rate="${2:-80}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build() { "$@" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }; }
build make -s -C firmware-protocol/boards/pro-micro-hx711
build swift build --product lighttouch-emulator
build swift build --product lighttouch
bin="$(swift build --show-bin-path 2>/dev/null)"

"$bin/lighttouch-emulator" --firmware firmware-protocol/boards/pro-micro-hx711/build/lighttouch-pro-micro.elf \
  --noise-g 0.02 --report "$work/report.json" --quiet \
  -- "$bin/lighttouch" stream --rate "$rate" --duration "$seconds" --json --summary-only >"$work/summary.json"

python3 - "$work/report.json" "$work/summary.json" "$seconds" "$rate" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
summary = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
seconds, rate = sys.argv[3], sys.argv[4]
print(f"firmware latency over {seconds} s at {rate} Hz (simulated time, HX711 at {report['adc_rate_hz']} samples/s)")
print(f"  frames received        {summary['frames']} ({summary['lost_frames']} lost, {summary['crc_errors']} CRC errors, "
      f"{report['device_fifo_dropped']} dropped by the device FIFO)")
print(f"  HX711 conversions read {report['adc_reads']} of {report['adc_conversions']} "
      f"({report['adc_power_downs']} power-downs, {report['adc_long_pulses']} PD_SCK highs over 50 us)")
print(f"  sample -> frame at host: mean {report['latency_mean_ms']:.3f} ms, "
      f"99th percentile <= {report['latency_p99_ms']:.2f} ms, max {report['latency_max_ms']:.3f} ms "
      f"({report['latency_frames']} frames matched, {report['latency_unmatched']} unmatched)")
print(f"  budget (PROTOCOL.md 2.1): 10 ms")
ok = (report['latency_max_ms'] <= 10 and report['latency_unmatched'] == 0 and summary['lost_frames'] == 0
      and report['latency_frames'] == summary['frames'])
print("  within budget" if ok else "  OVER BUDGET or frames missing")
sys.exit(0 if ok else 1)
PY
