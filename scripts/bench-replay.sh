#!/usr/bin/env bash
# Replays a one-hour 1 kHz CSV (3.6 million rows) with `lighttouch replay --json`
# and loads and analyses the same file with NumPy and SciPy (np.loadtxt, the
# same Butterworth via sosfilt with a steady-state start, band and contact
# masks, trial boundaries and per-trial statistics), then prints both times
# and their ratio. Not part of CI: it needs a release build and about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${TMPDIR:-/tmp}/lighttouch-bench-replay"
mkdir -p "$work"
csv="$work/hour.csv"

swift build -c release --product lighttouch >/dev/null
if [ ! -s "$csv" ]; then
  python3 - "$csv" <<'PY'
import sys, numpy as np
t = np.arange(3_600_000) / 1000.0
phase = t % 18.0
envelope = np.clip((phase - 2.0) / 1.0, 0, 1) * np.clip((14.5 - phase) / 0.5, 0, 1)
rng = np.random.default_rng(7)
force = envelope * (5.0 + 0.3 * np.sin(2 * np.pi * 0.3 * t)) + rng.normal(0, 0.02, t.size)
with open(sys.argv[1], "w") as f:
    f.write("time_s,force_g\n")
    np.savetxt(f, np.column_stack([t, force]), delimiter=",", fmt=["%.3f", "%.6f"])
PY
fi
rows=$(($(wc -l < "$csv") - 1))

start=$(date +%s.%N)
.build/release/lighttouch replay "$csv" --json --filter butterworth --cutoff-hz 5 > "$work/swift.json"
end=$(date +%s.%N)
swift_s=$(python3 -c "print(f'{$end - $start:.3f}')")

numpy_s=$(python3 - "$csv" <<'PY'
import sys, time
start = time.perf_counter()
import numpy as np
from scipy.signal import butter, sosfilt, sosfilt_zi
data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
t, f = data[:, 0], data[:, 1]
fs = 1.0 / np.median(np.diff(t))
sos = butter(2, 5.0, fs=fs, output="sos")
y, _ = sosfilt(sos, f, zi=sosfilt_zi(sos) * f[0])
in_band = (y >= 4.0) & (y <= 6.0)
contact = y >= 0.5
edges = np.flatnonzero(np.diff(contact.astype(np.int8)))
starts = edges[contact[edges + 1]] + 1
ends = edges[~contact[edges + 1]] + 1
results = []
for s, e in zip(starts, ends[ends > starts[0]] if len(starts) else []):
    seg, tb = y[s:e], in_band[s:e]
    dt = np.diff(t[s:e + 1])
    results.append((t[s], t[e], float(np.sum(dt[tb[: len(dt)]])), float(seg.mean()), float(seg.std(ddof=1)), float(seg.max())))
print(f"{time.perf_counter() - start:.3f}")
PY
)
ratio=$(python3 -c "print(f'{$numpy_s / $swift_s:.1f}')")
echo "rows: $rows"
echo "lighttouch replay --json: ${swift_s} s"
echo "NumPy + SciPy (load and analyse): ${numpy_s} s"
echo "lighttouch is ${ratio}x faster"
