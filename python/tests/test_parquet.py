"""`--format parquet` read the way researchers read it: pandas (pyarrow) and polars load the
Parquet tables with the values and the column types they infer from the CSVs of the same run,
and a sharded run's or sweep's hive-partitioned dataset (one partition per shard) reads as one
table whose rows are the CSV's (plus the `shard` partition column)."""

import os
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.toml"
BALKAN = ROOT / "scenarios" / "balkan-cooperation.toml"
SWEEP = ROOT / "scenarios" / "baseline-sweep.toml"
BIN = Path(os.environ.get("DIPCAP_BIN", ROOT / "target" / "release" / "dipcap"))


def dipcap(*args):
    subprocess.run([str(BIN), *map(str, args), "--quiet"], check=True)


def csv_pandas(path):
    return pd.read_csv(path, float_precision="round_trip")


def csv_polars(path):
    # The whole file decides each column's type, as in pandas (polars looks at 100 rows by
    # default).
    return pl.read_csv(path, infer_schema_length=None)


def same_pandas(parquet, csv, order=None):
    parquet = parquet.drop(columns=[c for c in ["shard"] if c in parquet.columns])
    if order:
        parquet = parquet.sort_values(order, kind="stable", ascending=[False, True]).reset_index(drop=True)
    assert list(parquet.columns) == list(csv.columns)
    assert parquet.dtypes.to_dict() == csv.dtypes.to_dict()
    pd.testing.assert_frame_equal(parquet, csv, check_exact=True)


def same_polars(parquet, csv, order=None):
    if "shard" in parquet.columns:
        parquet = parquet.drop("shard")
    if order:
        parquet = parquet.sort(order, descending=[True, False], maintain_order=True)
    assert parquet.schema == csv.schema
    assert parquet.equals(csv)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("runs")
    common = ["--trials", "60", "--seed", "11", "--no-charts"]
    dipcap("run", BASELINE, "--out", d / "csv", *common)
    dipcap("run", BASELINE, "--out", d / "pq", "--format", "parquet", *common)
    for i in range(3):
        dipcap("run", BASELINE, "--out", d / f"s{i}", "--shard", f"{i}/3", "--format", "parquet", *common)
    dipcap("merge", d / "s0", d / "s1", d / "s2", "--out", d / "merged", "--no-charts")
    dipcap("run", BALKAN, "--out", d / "balkan-csv", *common)
    dipcap("run", BALKAN, "--out", d / "balkan-pq", "--format", "parquet", *common)
    return d


def test_a_runs_parquet_tables_have_the_csvs_values_and_types(runs):
    for name in ["pq", "balkan-pq"]:
        csv = runs / ("csv" if name == "pq" else "balkan-csv")
        same_pandas(pd.read_parquet(runs / name / "trials"), csv_pandas(csv / "trials.csv"))
        same_pandas(pd.read_parquet(runs / name / "yearly.parquet"), csv_pandas(csv / "yearly.csv"))
        same_polars(pl.read_parquet(runs / name / "trials"), csv_polars(csv / "trials.csv"))
        same_polars(pl.read_parquet(runs / name / "yearly.parquet"), csv_polars(csv / "yearly.csv"))
    # The types are the CSV's, not all doubles: counts are integers, names are text.
    t = pd.read_parquet(runs / "pq" / "trials")
    assert t["trial"].dtype == "int64" and t["crises"].dtype == "int64"
    assert t["dci"].dtype == "float64"
    assert pd.read_parquet(runs / "balkan-pq" / "trials")["policy"].dtype == object


def test_shards_are_hive_partitions_read_as_one_table(runs):
    csv = runs / "csv" / "trials.csv"
    # pandas (pyarrow) on the folder, polars on a glob with hive partitioning and on the folder.
    merged = pd.read_parquet(runs / "merged" / "trials")
    assert sorted(merged["shard"].astype(int).unique()) == [0, 1, 2]
    assert merged.groupby("shard", observed=True)["trial"].agg(["min", "max"]).values.tolist() == [
        [0, 19],
        [20, 39],
        [40, 59],
    ]
    same_pandas(merged, csv_pandas(csv), order=["level", "trial"])
    lazy = pl.scan_parquet(runs / "merged" / "trials" / "**" / "*.parquet", hive_partitioning=True)
    same_polars(lazy.collect(), csv_polars(csv), order=["level", "trial"])
    same_polars(pl.read_parquet(runs / "merged" / "trials"), csv_polars(csv), order=["level", "trial"])
    # A query reads only what it needs: the deepest cut's mean DCI, as summary.csv has it.
    mean = lazy.filter(pl.col("level") == 0.7).select(pl.col("dci").mean()).collect().item()
    summary = csv_pandas(runs / "csv" / "summary.csv").query("level == 0.7 and metric == 'dci'")
    assert mean == pytest.approx(summary["mean"].item(), rel=1e-12)


def test_a_sweeps_parquet_tables_have_the_csvs_values_and_types(tmp_path):
    common = ["--samples", "4", "--trials", "8", "--trial-rows", "--no-charts"]
    dipcap("sweep", SWEEP, "--out", tmp_path / "csv", *common)
    for i in range(2):
        dipcap("sweep", SWEEP, "--out", tmp_path / f"w{i}", "--shard", f"{i}/2", "--format", "parquet", *common)
    dipcap("merge", tmp_path / "w0", tmp_path / "w1", "--out", tmp_path / "pq", "--no-charts")
    same_pandas(pd.read_parquet(tmp_path / "pq" / "sweep.parquet"), csv_pandas(tmp_path / "csv" / "sweep.csv"))
    same_polars(pl.read_parquet(tmp_path / "pq" / "sweep.parquet"), csv_polars(tmp_path / "csv" / "sweep.csv"))
    # A sweep's partitions are contiguous ranges of points: read in order, they are the CSV.
    rows = tmp_path / "csv" / "sweep_trials.csv"
    same_pandas(pd.read_parquet(tmp_path / "pq" / "sweep_trials"), csv_pandas(rows))
    same_polars(
        pl.scan_parquet(tmp_path / "pq" / "sweep_trials" / "**" / "*.parquet", hive_partitioning=True).collect(),
        csv_polars(rows),
    )
