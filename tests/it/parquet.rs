//! `--format parquet`: the trials, yearly, sweep and per-trial sweep tables hold exactly the
//! CSV's rows and values (read back, they give the CSV's bytes), with the types a reader infers
//! from the CSV; sharded work keeps one hive partition per shard; charts redraw from a Parquet
//! folder; no Parquet file survives a later CSV run in the same folder; merge settles formats.
//! (Reading with pandas and polars is tested in `python/tests/test_parquet.py`.)

use std::path::Path;

use dipcap::output::parquet::to_csv;
use parquet::file::reader::{FileReader, SerializedFileReader};

use crate::common::*;

/// A CSV's rows without its header line.
fn body(csv: &[u8]) -> &[u8] {
    let i = csv.iter().position(|b| *b == b'\n').unwrap();
    &csv[i + 1..]
}

fn header(csv: &[u8]) -> &[u8] {
    let i = csv.iter().position(|b| *b == b'\n').unwrap();
    &csv[..i]
}

/// Each column's Parquet type, by name: `INT64`, `DOUBLE` or `BYTE_ARRAY`.
fn types(path: &Path) -> Vec<(String, String)> {
    let r = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    r.metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), format!("{}", c.physical_type())))
        .collect()
}

fn run(d: &Path, scenario: &str, out: &str, extra: &[&str]) {
    let mut a = vec![
        "run", scenario, "--trials", "30", "--seed", "7", "--quiet", "--out", out,
    ];
    a.extend_from_slice(extra);
    ok(dipcap(&a, d));
}

#[test]
fn a_parquet_run_holds_the_csv_runs_rows_and_types_and_redraws_the_same_charts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b = scenario_path("baseline");
    let b = b.to_str().unwrap();
    run(d, b, "csv", &[]);
    run(d, b, "pq", &["--format", "parquet"]);
    let csv = |n: &str| std::fs::read(d.join("csv").join(n)).unwrap();
    // One machine, one partition: the trials in the CSV's order, value for value.
    let part = d.join("pq/trials/shard=0/part-0.parquet");
    assert_eq!(to_csv(&part).unwrap(), csv("trials.csv"));
    assert_eq!(
        to_csv(&d.join("pq/yearly.parquet")).unwrap(),
        csv("yearly.csv")
    );
    assert!(!d.join("pq/trials.csv").exists() && !d.join("pq/yearly.csv").exists());
    // Types as inferred from the CSV: counts whole in every trial are integers, the rest
    // doubles; yearly's metric names and units are text.
    let t = types(&part);
    let of = |name: &str| t.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(of("trial"), "INT64");
    assert_eq!(of("crises"), "INT64");
    assert_eq!(of("level"), "DOUBLE");
    assert_eq!(of("dci"), "DOUBLE");
    let y = types(&d.join("pq/yearly.parquet"));
    assert_eq!(y[3], ("metric".to_string(), "BYTE_ARRAY".to_string()));
    // The other files, the charts and the report are the CSV run's (the manifest lists and
    // seals the Parquet files instead, and says "format": "parquet").
    for f in [
        "summary.csv",
        "partners.csv",
        "percentiles.csv",
        "charts/fan-dci.svg",
    ] {
        assert_eq!(std::fs::read(d.join("pq").join(f)).unwrap(), csv(f), "{f}");
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("pq/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["format"], "parquet");
    assert!(m["seals"]["trials/shard=0/part-0.parquet"]["sha256"].is_string());
    assert!(m["seals"]["yearly.parquet"]["sha256"].is_string());
    // `dipcap plot` redraws the charts from yearly.parquet, identical.
    std::fs::remove_dir_all(d.join("pq/charts")).unwrap();
    ok(dipcap(&["plot", "pq"], d));
    for e in std::fs::read_dir(d.join("csv/charts")).unwrap().flatten() {
        let name = e.file_name();
        if name.to_string_lossy().ends_with(".svg") {
            assert_eq!(
                std::fs::read(d.join("pq/charts").join(&name)).unwrap(),
                std::fs::read(e.path()).unwrap(),
                "{name:?}"
            );
        }
    }
    // A damaged yearly.parquet is refused by its seal, as a damaged yearly.csv is.
    let y = d.join("pq/yearly.parquet");
    let mut bytes = std::fs::read(&y).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&y, bytes).unwrap();
    let o = dipcap(&["plot", "pq"], d);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("yearly.parquet"), "{}", stderr(&o));
    // Run again as CSV in the same folder: nothing of the Parquet run is left beside it.
    std::fs::write(d.join("pq/notes.txt"), "mine").unwrap();
    run(d, b, "pq", &["--no-charts"]);
    assert!(!d.join("pq/trials").exists() && !d.join("pq/yearly.parquet").exists());
    assert_eq!(
        std::fs::read(d.join("pq/trials.csv")).unwrap(),
        csv("trials.csv")
    );
    assert!(d.join("pq/notes.txt").exists());
}

#[test]
fn policies_rows_are_in_the_parquet_trials_after_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b = scenario_path("balkan-cooperation");
    let b = b.to_str().unwrap();
    run(d, b, "csv", &["--no-charts"]);
    run(d, b, "pq", &["--no-charts", "--format", "parquet"]);
    let part = d.join("pq/trials/shard=0/part-0.parquet");
    assert_eq!(
        to_csv(&part).unwrap(),
        std::fs::read(d.join("csv/trials.csv")).unwrap()
    );
    assert_eq!(types(&part)[0], ("policy".into(), "BYTE_ARRAY".into()));
}

#[test]
fn sharded_runs_and_sweeps_keep_one_partition_per_shard_with_the_csvs_rows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b = scenario_path("baseline");
    let b = b.to_str().unwrap();
    run(d, b, "csv", &["--no-charts"]);
    run(d, b, "pq", &["--no-charts", "--format", "parquet"]);
    for i in 0..3 {
        let shard = format!("{i}/3");
        run(
            d,
            b,
            &format!("s{i}"),
            &["--shard", &shard, "--format", "parquet"],
        );
    }
    // The shards say how they were run, so the merge writes Parquet without being told.
    ok(dipcap(
        &[
            "merge",
            "s2",
            "s0",
            "s1",
            "--out",
            "merged",
            "--quiet",
            "--no-charts",
        ],
        d,
    ));
    let csv = std::fs::read(d.join("csv/trials.csv")).unwrap();
    let rows: Vec<&[u8]> = body(&csv).split_inclusive(|b| *b == b'\n').collect();
    // Partition i holds shard i's trials (10 each), level by level, in the CSV's order.
    for i in 0..3u64 {
        let part = to_csv(&d.join(format!("merged/trials/shard={i}/part-0.parquet"))).unwrap();
        assert_eq!(header(&part), header(&csv));
        let want: Vec<u8> = rows
            .iter()
            .filter(|r| {
                let trial: u64 = std::str::from_utf8(r)
                    .unwrap()
                    .split(',')
                    .nth(1)
                    .unwrap()
                    .parse()
                    .unwrap();
                (i * 10..(i + 1) * 10).contains(&trial)
            })
            .flat_map(|r| r.iter().copied())
            .collect();
        assert_eq!(body(&part), want.as_slice(), "shard {i}");
    }
    assert!(!d.join("merged/trials/shard=3").exists());
    // The summaries do not depend on the split: byte for byte the one machine's.
    for f in ["yearly.parquet", "summary.csv"] {
        assert_eq!(
            std::fs::read(d.join("merged").join(f)).unwrap(),
            std::fs::read(d.join("pq").join(f)).unwrap(),
            "{f}"
        );
    }
    // `--format csv` overrides the shards' format: the merge is then the CSV run's.
    ok(dipcap(
        &[
            "merge",
            "s0",
            "s1",
            "s2",
            "--out",
            "as-csv",
            "--quiet",
            "--no-charts",
            "--format",
            "csv",
        ],
        d,
    ));
    assert_eq!(std::fs::read(d.join("as-csv/trials.csv")).unwrap(), csv);

    // A sweep's per-trial rows: one partition per shard's design points, in point order, so
    // the partitions one after the other are sweep_trials.csv.
    let file = root().join("scenarios/baseline-sweep.toml");
    let file = file.to_str().unwrap();
    let sweep = |extra: &[&str]| {
        let mut a = vec![
            "sweep",
            file,
            "--samples",
            "4",
            "--trials",
            "6",
            "--quiet",
            "--trial-rows",
            "--no-charts",
        ];
        a.extend_from_slice(extra);
        ok(dipcap(&a, d));
    };
    sweep(&["--out", "sweep-csv"]);
    sweep(&["--out", "sweep-pq", "--format", "parquet"]);
    sweep(&["--out", "w0", "--shard", "0/2", "--format", "parquet"]);
    sweep(&["--out", "w1", "--shard", "1/2"]);
    // Shards run with different formats: the merge asks which.
    let o = dipcap(
        &["merge", "w0", "w1", "--out", "sweep-merged", "--quiet"],
        d,
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("was run with --format csv")
            && stderr(&o).contains("--format csv (or parquet)"),
        "{}",
        stderr(&o)
    );
    ok(dipcap(
        &[
            "merge",
            "w0",
            "w1",
            "--out",
            "sweep-merged",
            "--quiet",
            "--no-charts",
            "--format",
            "parquet",
        ],
        d,
    ));
    let sweep_csv = std::fs::read(d.join("sweep-csv/sweep.csv")).unwrap();
    for out in ["sweep-pq", "sweep-merged"] {
        assert_eq!(
            to_csv(&d.join(out).join("sweep.parquet")).unwrap(),
            sweep_csv,
            "{out}"
        );
    }
    let trials_csv = std::fs::read(d.join("sweep-csv/sweep_trials.csv")).unwrap();
    assert_eq!(
        to_csv(&d.join("sweep-pq/sweep_trials/shard=0/part-0.parquet")).unwrap(),
        trials_csv
    );
    let mut joined = Vec::new();
    for i in 0..2 {
        let part = to_csv(&d.join(format!(
            "sweep-merged/sweep_trials/shard={i}/part-0.parquet"
        )))
        .unwrap();
        assert_eq!(header(&part), header(&trials_csv));
        assert!(body(&part).len() > 1000, "shard {i} holds its points' rows");
        joined.extend_from_slice(body(&part));
    }
    assert_eq!(joined, body(&trials_csv));
}

#[test]
fn a_users_own_parquet_files_are_kept_and_a_stray_csv_in_a_parquet_folder_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b = scenario_path("baseline");
    let b = b.to_str().unwrap();
    // Files of Parquet names that no dipcap manifest sealed are the user's: kept on a rerun.
    run(d, b, "f", &["--no-charts"]);
    std::fs::write(d.join("f/yearly.parquet"), "mine").unwrap();
    std::fs::create_dir_all(d.join("f/trials")).unwrap();
    std::fs::write(d.join("f/trials/notes.txt"), "mine too").unwrap();
    run(d, b, "f", &["--no-charts"]);
    assert_eq!(std::fs::read(d.join("f/yearly.parquet")).unwrap(), b"mine");
    assert_eq!(
        std::fs::read(d.join("f/trials/notes.txt")).unwrap(),
        b"mine too"
    );
    // In a Parquet folder the manifest says where yearly is: a yearly.csv put there (here an
    // empty one, which would be refused as incomplete) is neither sealed nor read.
    run(d, b, "p", &["--format", "parquet"]);
    std::fs::write(d.join("p/yearly.csv"), "").unwrap();
    std::fs::remove_dir_all(d.join("p/charts")).unwrap();
    ok(dipcap(&["plot", "p"], d));
    assert!(d.join("p/charts/fan-dci.svg").exists());
}
