#!/usr/bin/env bash
# The main job on the bundled data: train the tiny preset on data/ for about a minute, write one generated
# clip per decoding strategy, then evaluate the model and the quantizer and write an HTML report.
# Usage: npm run demo   (after npm ci). Takes under 3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli.js ] && [ -f build/generator.wasm ] || npm run -s build
bw() { node dist/cli.js "$@"; }
M=${BINWAVE_DEMO_DIR:-models/demo}
SEED_WAV=data/speech_allison_demo-thanks.wav

bw train --data data --out "$M" --preset tiny --minutes "${BINWAVE_DEMO_MINUTES:-1}" --steps 150 \
  --target-length 1024 --lr 1e-2 --warmup 10 --val-every 25 --checkpoint-every 50 --force
mkdir -p "$M/samples"
for s in sample argmax mean interp; do
  bw generate -m "$M" -o "$M/samples/$s.wav" --seconds 2 --strategy "$s" --seed-wav "$SEED_WAV" --seed-seconds 0.5 --force
done
bw predict -m "$M" -i data/speech8k_hts1a.wav   # the file training held out (see $M/split.json)
bw report --model "$M" --data data --out "$M/report" --toy --force
echo "demo done: open $M/report/report.html"
