#!/usr/bin/env bash
# Coverage-guided fuzzing of the frame codec with libFuzzer (not part of CI).
# Seeds the corpus with the protocol's golden frames, then runs for $1 seconds
# (default 300). A crash leaves its input in .build-fuzz/ and exits nonzero.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
out=.build-fuzz
mkdir -p "$out/corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name LightTouchCore \
  Sources/LightTouchCore/Protocol/*.swift Sources/LightTouchCore/Support/*.swift scripts/fuzz/FrameFuzzer.swift \
  -o "$out/frame-fuzzer"
python3 - "$out/corpus" <<'PY'
import json, sys, pathlib
corpus = pathlib.Path(sys.argv[1])
for name in ("frames", "streams"):
    data = json.load(open(f"firmware-protocol/vectors/{name}.json"))
    for case in data[name]:
        packets = [case["hex"]] if "hex" in case else case["packets"]
        blob = b"\xff\xfe".join(bytes.fromhex(p) for p in packets)
        (corpus / f"{name}-{case['name']}").write_bytes(blob)
PY
cd "$out"
./frame-fuzzer -max_total_time="$seconds" -print_final_stats=1 corpus
