#!/usr/bin/env python3
"""Reference vectors for LightTouch's 2nd-order Butterworth low-pass.

The oracle is SciPy, as the pipeline issue names it:

    sos = scipy.signal.butter(2, cutoff, fs=rate, output='sos')
    y   = scipy.signal.sosfilt(sos, x, zi=scipy.signal.sosfilt_zi(sos) * x[0])

For each sample rate (80 Hz, the HX711's fast rate; 320 Hz, the NAU7802's;
1000 Hz) this writes three deterministic inputs (a 0 -> 5 g step, a noisy 5 g
hold from a seeded generator, and a 0.2 -> 0.4 * rate linear chirp around
5 g) and, for each cutoff listed below, SciPy's coefficients and output.

Nothing from the Swift implementation is used here. The Swift tests read the
JSON and do not need Python. Run from the repository root:

    python3 scripts/reference/butterworth_vectors.py

It rewrites Tests/LightTouchCoreTests/Resources/filters/butterworth_vectors.json;
a second run reproduces it byte for byte (floats are written with repr, the
shortest text that round-trips to the same double, at most 17 significant
digits). Commit the script and its output together.
"""

import json
import os
import sys

import numpy as np
import scipy
import scipy.signal

OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "Tests", "LightTouchCoreTests", "Resources", "filters",
    "butterworth_vectors.json",
)

# rate (Hz) -> (samples per signal, cutoffs (Hz)). The cutoffs cover a heavy
# smoother, the working range, and one close to Nyquist.
RATES = {
    80.0: (240, [2.0, 5.0, 39.0]),
    320.0: (320, [3.0, 10.0, 150.0]),
    1000.0: (600, [5.0, 20.0, 450.0]),
}

SEED = 20261123  # fixed: the noisy hold is the same on every run


def signals(rate, n, rng):
    """The three inputs, in grams, sampled at t = i / rate."""
    t = np.arange(n) / rate
    # A step: 0 g for the first tenth, then 5 g.
    step = np.where(np.arange(n) >= n // 10, 5.0, 0.0)
    # A hold at 5 g with white noise of SD 0.1 g, plus a slow 0.3 g sway.
    hold = 5.0 + 0.3 * np.sin(2 * np.pi * 0.7 * t) + rng.normal(0.0, 0.1, n)
    # A linear chirp of amplitude 1 g around 5 g, from 0.2 Hz up to 0.4 * rate
    # (0.8 of Nyquist): probes the whole pass band and the transition.
    duration = n / rate
    chirp = 5.0 + scipy.signal.chirp(t, f0=0.2, t1=duration, f1=0.4 * rate, method="linear")
    return [("step", step), ("noisy_hold", hold), ("chirp", chirp)]


def floats(values):
    return [float(v) for v in values]


def main():
    rng = np.random.default_rng(SEED)
    document = {
        "description": (
            "SciPy reference for a 2nd-order Butterworth low-pass run from the steady state "
            "of the first sample: sos = butter(2, cutoff_hz, fs=rate_hz, output='sos'); "
            "output = sosfilt(sos, input, zi=sosfilt_zi(sos) * input[0]). "
            "Samples are at t = i / rate_hz. sos rows are [b0, b1, b2, a0, a1, a2]."
        ),
        "generator": "scripts/reference/butterworth_vectors.py",
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "seed": SEED,
        "rates": [],
    }
    for rate, (n, cutoffs) in RATES.items():
        entry = {"rate_hz": rate, "signals": []}
        inputs = signals(rate, n, rng)
        for name, x in inputs:
            signal = {"name": name, "input": floats(x), "filtered": []}
            for cutoff in cutoffs:
                sos = scipy.signal.butter(2, cutoff, fs=rate, output="sos")
                assert sos.shape == (1, 6)
                zi = scipy.signal.sosfilt_zi(sos) * x[0]
                y, _ = scipy.signal.sosfilt(sos, x, zi=zi)
                signal["filtered"].append({
                    "cutoff_hz": cutoff,
                    "sos": floats(sos[0]),
                    "output": floats(y),
                })
            entry["signals"].append(signal)
        document["rates"].append(entry)

    text = json.dumps(document, indent=1, sort_keys=True) + "\n"
    with open(OUTPUT, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {os.path.relpath(OUTPUT)} ({len(text)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
