#!/usr/bin/env bash
# Side-by-side speed of dipcap and the SimPy peer on the same M/M/c crisis scenario, in one run
# on this machine: trials per second of each and their ratio, events per second, parallel
# efficiency at 2 threads, and peak memory at two trial counts.
#   bench/compare.sh [TRIALS]      (default 2000; the peer runs TRIALS/10 to keep it short)
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=${1:-2000}
PEER_TRIALS=$(( TRIALS / 10 ))
PEER=../shared/peers/simpy_crisis.py
python3 -c 'import simpy' 2>/dev/null || pip install --quiet simpy==4.1.2
cargo build --release --quiet
BIN=target/release/dipcap
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "== SimPy peer: 4 units, 12 crises/yr, 60-day deployments, window 0, 30 years, $PEER_TRIALS trials"
peer=$(python3 "$PEER" 4 12 60 0 30 "$PEER_TRIALS" 1)
echo "$peer"
peer_tps=$(echo "$peer" | sed -n 's/.*trials_per_s=\([0-9.]*\).*/\1/p')

run() { # threads trials -> wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" run tests/fixtures/mmc.toml --trials "$2" --threads "$1" --quiet --out "$OUT/mmc-$1-$2"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
echo "== dipcap, same scenario (tests/fixtures/mmc.toml), $TRIALS trials"
w1=$(run 1 "$TRIALS")
w2=$(run 2 "$TRIALS")
python3 - "$OUT/mmc-1-$TRIALS" "$TRIALS" "$w1" "$w2" "$peer_tps" <<'PY'
import csv, json, sys
out, trials, w1, w2, peer = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rows = list(csv.DictReader(open(f"{out}/trials.csv")))
crises = sum(float(r["crises"]) for r in rows); un = sum(float(r["crises_unanswered"]) for r in rows)
events = json.load(open(f"{out}/manifest.json"))["events_processed"]
tps = trials / w1
print(f"dipcap p_unanswered={un / crises:.6f} (Erlang B(4, {12*60/365:.4f}) = ", end="")
a, b = 12 * 60 / 365, 1.0
for k in range(1, 5): b = a * b / (k + a * b)
print(f"{b:.6f})")
print(f"dipcap 1 thread: {tps:.0f} trials/s ({events / w1:.3g} events/s incl. process start and output)")
print(f"ratio dipcap/SimPy trials per second: {tps / peer:.1f}x")
print(f"parallel efficiency at 2 threads: T1/(2*T2) = {w1 / (2 * w2):.2f}")
PY
if [ -x /usr/bin/time ]; then
  for n in "$TRIALS" $(( TRIALS * 10 )); do
    rss=$( { /usr/bin/time -v "$BIN" run tests/fixtures/mmc.toml --trials "$n" --quiet --out "$OUT/rss-$n" >/dev/null; } 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p')
    echo "peak RSS at $n trials: ${rss} kB"
  done
fi
