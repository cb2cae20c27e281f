#!/usr/bin/env bash
# CSV against Parquet for a large per-trial sweep output: file sizes, the time dipcap takes to
# write each, and the time pandas (pyarrow) and polars take to load each (best of 3). The README
# records a run.
#
#   bench/parquet.sh [SAMPLES] [TRIALS] [PYTHON]
#
# Defaults: 1000 Latin-hypercube points of scenarios/baseline-sweep.toml (plus its 15
# one-at-a-time points) × 3 levels × 334 trials, 1,017,030 rows of sweep_trials. The sweep runs once, as a one-shard run (`--shard 0/1`), and
# `dipcap merge` writes its outputs twice from the same parts, once in each format, so both hold
# the same rows. PYTHON needs pandas, pyarrow and polars (default: target/py-venv/bin/python, as
# .ci/run makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-1000}
TRIALS=${2:-334}
PY=${3:-target/py-venv/bin/python}
cargo build --release --quiet
BIN=target/release/dipcap
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

secs() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print(f'{$t1 - $t0:.2f}')"
}

echo "simulating $SAMPLES points x 3 levels x $TRIALS trials (once)..."
"$BIN" sweep scenarios/baseline-sweep.toml --design lhs --samples "$SAMPLES" --trials "$TRIALS" \
  --trial-rows --shard 0/1 --out "$W/shard" --quiet
echo "dipcap merge --format csv:     $(secs "$BIN" merge "$W/shard" --out "$W/csv" --format csv --no-charts --quiet) s"
echo "dipcap merge --format parquet: $(secs "$BIN" merge "$W/shard" --out "$W/pq" --format parquet --no-charts --quiet) s"
echo "sweep_trials.csv:  $(du -b "$W/csv/sweep_trials.csv" | cut -f1) bytes"
echo "sweep_trials/:     $(du -sb "$W/pq/sweep_trials" | cut -f1) bytes (Parquet, Snappy)"
"$PY" - "$W" <<'PY'
import sys, time
from pathlib import Path
import pandas as pd
import polars as pl

w = Path(sys.argv[1])
csv, pq = w / "csv" / "sweep_trials.csv", w / "pq" / "sweep_trials"

def best(f, n=3):
    t = []
    for _ in range(n):
        t0 = time.perf_counter()
        df = f()
        t.append(time.perf_counter() - t0)
    return min(t), df

cases = [
    ("pandas read_csv", lambda: pd.read_csv(csv)),
    ("pandas read_csv (round-trip floats)", lambda: pd.read_csv(csv, float_precision="round_trip")),
    ("pandas read_parquet (pyarrow)", lambda: pd.read_parquet(pq)),
    ("polars read_csv", lambda: pl.read_csv(csv, infer_schema_length=None)),
    ("polars scan_parquet().collect()", lambda: pl.scan_parquet(pq / "**" / "*.parquet", hive_partitioning=True).collect()),
]
rows = None
for name, f in cases:
    t, df = best(f)
    rows = len(df)
    print(f"{name:40s} {t:6.2f} s  ({len(df):,} rows x {df.shape[1]} columns)")
PY
