#!/usr/bin/env bash
# The feedback sound's soak: `lighttouch bench --sound-only` for SECONDS
# (default 600, ten minutes) at the defaults (48 kHz, 5 ms periods, 20 ms
# ALSA buffer) through a device that consumes in real time, on a machine
# without a sound card: a private PulseAudio server with a null sink, ALSA's
# default device routed to it (libasound2-plugins), and parec recording the
# sink's monitor, so the run also shows that the audio really went through.
# Prints the bench's figures (latency, underruns, CPU) and the recorded length.
# Not part of CI: it takes SECONDS twice (with and without the sound), plus a
# release build. Usage: bash scripts/sound-soak.sh [SECONDS] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true

for tool in pulseaudio parec pactl; do
  command -v "$tool" >/dev/null || { echo "sound-soak: $tool is missing: bash scripts/install-deps.sh" >&2; exit 69; }
done

scratch="${LIGHTTOUCH_RELEASE_SCRATCH:-.build-release}"
swift build -c release --product lighttouch --scratch-path "$scratch" >/dev/null
binary="$scratch/release/lighttouch"

work=$(mktemp -d "${TMPDIR:-/tmp}/lighttouch-sound-soak.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  HOME="$work" XDG_RUNTIME_DIR="$work/run" pulseaudio --kill 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/run"
chmod 700 "$work/run"
export HOME="$work" XDG_RUNTIME_DIR="$work/run" PULSE_RUNTIME_PATH="$work/run/pulse"
cat > "$work/.asoundrc" <<'EOF'
pcm.!default { type pulse }
ctl.!default { type pulse }
EOF

# As root PulseAudio warns that it runs system-wide-ish; it still serves this one user.
pulseaudio -n --daemonize=yes --exit-idle-time=-1 --log-target=file:"$work/pulse.log" \
  -L module-native-protocol-unix -L "module-null-sink sink_name=lt rate=48000" 2>/dev/null
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl info >/dev/null

parec -d lt.monitor --rate=48000 --channels=1 --format=s16le --raw "$work/heard.raw" &
pids+=($!)

"$binary" bench --sound-only --sound-seconds "$seconds" "$@"

kill "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" 2>/dev/null || true
bytes=$(stat -c %s "$work/heard.raw")
python3 - "$work/heard.raw" "$bytes" <<'PY'
import sys
import numpy as np
samples = np.fromfile(sys.argv[1], dtype="<i2").astype(float) / 32768
loud = np.abs(samples) > 0.01
print(f"sound-soak: parec recorded {int(sys.argv[2]) / 2 / 48000:.1f} s from the null sink's monitor, "
      f"{loud.mean() * 100:.0f} % of it audible (above 1 % of full scale)")
PY
