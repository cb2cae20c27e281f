#!/usr/bin/env bash
# dipcap against the SimPy peer, and against its own targets, measured side by side in one run
# on this machine (docs/PERFORMANCE.md records a run and how to read it).
#
#   bench/compare.sh [TRIALS]        default 20000 (the peer runs TRIALS/50, about as long)
#
# Prints: trials/s of the SimPy peer and of dipcap (1 thread) on the same M/M/c crisis scenario
# with the same answer, their ratio; events/s; full-model trials/s and events/s; parallel
# efficiency T1/(2·T2) at 2 threads; peak RSS at two trial counts and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=${1:-20000}
PEER_TRIALS=$(( TRIALS / 50 ))
PEER=../shared/peers/simpy_crisis.py
python3 -c 'import simpy' 2>/dev/null || pip install --quiet simpy==4.1.2
# The fully optimised build (one codegen unit, fat LTO; Cargo.toml's `dist` profile).
cargo build --profile dist --quiet
BIN=target/dist/dipcap
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Wall seconds of a dipcap run (the whole process: start, simulation, summaries, files).
wall() {
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" "$@" --quiet --no-charts >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== crisis core: 4 units, 12 crises/yr, 60-day exponential deployments, window 0, 30 years"
peer=$(python3 "$PEER" 4 12 60 0 30 "$PEER_TRIALS" 1)
echo "SimPy 4.1.2, $PEER_TRIALS trials: $peer" | tr '\n' ' '; echo
w1=$(wall run tests/fixtures/mmc.toml --trials "$TRIALS" --threads 1 --out "$OUT/mmc1")
w2=$(wall run tests/fixtures/mmc.toml --trials "$TRIALS" --threads 2 --out "$OUT/mmc2")
cmp -s "$OUT/mmc1/trials.csv" "$OUT/mmc2/trials.csv" && same=yes || same=NO

echo "== full model: scenarios/baseline.toml (4 levels, 10 years, 13 partners)"
FULL=$(( TRIALS / 4 ))
f1=$(wall run scenarios/baseline.toml --trials "$FULL" --threads 1 --out "$OUT/full1")
f2=$(wall run scenarios/baseline.toml --trials "$FULL" --threads 2 --out "$OUT/full2")
cmp -s "$OUT/full1/trials.csv" "$OUT/full2/trials.csv" && fsame=yes || fsame=NO

rss() { # trials -> peak kB of a full-model run with charts and report
  /usr/bin/time -v "$BIN" run scenarios/baseline.toml --trials "$1" --quiet --out "$OUT/rss-$1" 2>&1 >/dev/null \
    | sed -n 's/.*Maximum resident set size (kbytes): //p'
}
SMALL=10000
LARGE=$(( SMALL * 100 ))
if [ "${SKIP_RSS:-0}" = 1 ]; then r1=0; r2=0; else r1=$(rss $SMALL); r2=$(rss $LARGE); fi

python3 - "$OUT" "$TRIALS" "$FULL" "$w1" "$w2" "$f1" "$f2" "$same" "$fsame" "$r1" "$r2" "$SMALL" "$LARGE" <<PY
import csv, json, re, sys
out, trials, full, w1, w2, f1, f2, same, fsame, r1, r2, small, large = sys.argv[1:]
trials, full, small, large = int(trials), int(full), int(small), int(large)
w1, w2, f1, f2, r1, r2 = map(float, (w1, w2, f1, f2, r1, r2))
peer = dict(kv.split("=") for kv in """$peer""".split())
peer_tps = float(peer["trials_per_s"])
rows = list(csv.DictReader(open(f"{out}/mmc1/trials.csv")))
x = [float(r["crises_unanswered"]) for r in rows]
y = [float(r["crises_unanswered"]) + float(r["crises_answered"]) for r in rows]
p = sum(x) / sum(y)
# Ratio estimator over trials (losses cluster within a trial, so not a binomial SE).
k = len(x)
se = (sum((xi - p * yi) ** 2 for xi, yi in zip(x, y)) / (k * (k - 1))) ** 0.5 / (sum(y) / k)
peer_p = float(peer["p_unanswered"])
peer_n = float(peer["crises"])
peer_se = (peer_p * (1 - peer_p) / peer_n) ** 0.5 * 1.5  # the same clustering, roughly
a, b = 12 * 60 / 365, 1.0
for i in range(1, 5):
    b = a * b / (i + a * b)
m = json.load(open(f"{out}/mmc1/manifest.json"))
fm = json.load(open(f"{out}/full1/manifest.json"))
tps = trials / w1
z = (p - peer_p) / (se * se + peer_se * peer_se) ** 0.5
print(f"answer: p_unanswered dipcap {p:.5f} ± {se:.5f}, SimPy {peer_p:.5f} ± {peer_se:.5f} (difference {z:+.1f} SE); "
      f"Erlang B(4, {a:.4f}) = {b:.5f} for the stationary system (both simulators start empty, so both sit slightly below it)")
print(f"crisis core, 1 thread: dipcap {tps:,.0f} trials/s (whole process; {trials / m['wall_seconds']:,.0f}/s inside the run), "
      f"{m['events_processed'] / w1:.3g} events/s; SimPy {peer_tps:,.1f} trials/s")
print(f"RATIO dipcap/SimPy trials per second: {tps / peer_tps:.1f}x   (target >= 100x)")
print(f"full model, 1 thread: {full / f1:,.0f} trials/s x 4 levels, {fm['events_processed'] / f1:.3g} events/s")
print(f"PARALLEL EFFICIENCY at 2 threads, T1/(2*T2): crisis core {w1 / (2 * w2):.2f}, full model {f1 / (2 * f2):.2f}   (target >= 0.9); outputs identical: {same}, {fsame}")
if r1 > 0:
    print(f"PEAK RSS full model: {r1 / 1024:.1f} MiB at {small:,} trials, {r2 / 1024:.1f} MiB at {large:,}: ratio {r2 / r1:.3f}   (target <= 1.2)")
PY
