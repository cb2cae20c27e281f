//! Shards: a run or a sweep split with `--shard I/N` and put back together with `dipcap merge`
//! gives the bytes of the unsharded run (the manifest's execution fields aside), and merge
//! refuses shard sets that are incomplete, duplicated or from different runs.

use std::path::Path;

use crate::common::*;

/// The manifest without its execution fields (when, how long, how many threads and shards).
fn manifest_core(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("manifest.json"))
        .unwrap()
        .lines()
        .filter(|l| {
            ![
                "\"started\"",
                "\"finished\"",
                "\"wall_seconds\"",
                "\"threads\"",
                "\"shards\"",
            ]
            .iter()
            .any(|k| l.trim_start().starts_with(k))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ok(o: std::process::Output) {
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_sharded_run_merges_to_the_unsharded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // More trials than the exact quantile buffer holds: the merge of sketches is exercised.
    let (scenario, trials) = (fixture("mmc.toml"), "5000");
    let scenario = scenario.to_str().unwrap();
    ok(dipcap(
        &[
            "run", scenario, "--trials", trials, "--quiet", "--out", "whole",
        ],
        d,
    ));
    for i in 0..3 {
        let shard = format!("{i}/3");
        let out = format!("shard-{i}");
        ok(dipcap(
            &[
                "run",
                scenario,
                "--trials",
                trials,
                "--shard",
                &shard,
                "--quiet",
                "--out",
                &out,
                "--threads",
                if i == 1 { "1" } else { "2" },
            ],
            d,
        ));
        assert!(d.join(&out).join("shard.json").is_file());
        assert!(
            !d.join(&out).join("summary.csv").exists(),
            "a shard has no summaries of its own"
        );
    }
    // Any order of the folders.
    let o = dipcap(
        &["merge", "shard-2", "shard-0", "shard-1", "--out", "merged"],
        d,
    );
    ok(o);
    for f in [
        "trials.csv",
        "summary.csv",
        "summary.json",
        "yearly.csv",
        "partners.csv",
        "percentiles.csv",
        "charts/capacity-cliff.svg",
        "charts/distribution-response-rate.svg",
        "charts/money-by-year.svg",
    ] {
        assert!(
            std::fs::read(d.join("whole").join(f)).unwrap()
                == std::fs::read(d.join("merged").join(f)).unwrap(),
            "{f} differs between the merged shards and the unsharded run"
        );
    }
    assert_eq!(
        manifest_core(&d.join("whole")),
        manifest_core(&d.join("merged"))
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("merged/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["shards"], 3);
    assert!(d.join("merged/report.html").is_file());
}

#[test]
fn a_sharded_sweep_merges_to_the_unsharded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = root().join("scenarios/baseline-sweep.toml");
    let file = file.to_str().unwrap();
    let args = ["--samples", "4", "--trials", "6", "--quiet", "--trial-rows"];
    let run = |extra: &[&str]| {
        let mut a = vec!["sweep", file];
        a.extend_from_slice(&args);
        a.extend_from_slice(extra);
        ok(dipcap(&a, d));
    };
    run(&["--out", "whole"]);
    for i in 0..4 {
        run(&["--shard", &format!("{i}/4"), "--out", &format!("s{i}")]);
    }
    ok(dipcap(
        &[
            "merge", "s3", "s1", "s0", "s2", "--out", "merged", "--quiet",
        ],
        d,
    ));
    for f in [
        "sweep.csv",
        "sweep_trials.csv",
        "design.csv",
        "sensitivity.csv",
        "prim.csv",
        "prim.txt",
        "charts/tornado-dci.svg",
        "charts/sobol-response-rate.svg",
        "charts/prim-peeling.svg",
    ] {
        assert!(
            std::fs::read(d.join("whole").join(f)).unwrap()
                == std::fs::read(d.join("merged").join(f)).unwrap(),
            "{f} differs between the merged shards and the unsharded sweep"
        );
    }
    assert_eq!(
        manifest_core(&d.join("whole")),
        manifest_core(&d.join("merged"))
    );
}

#[test]
fn merge_refuses_incomplete_duplicated_and_mismatched_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = scenario_path("sequestration");
    let scenario = scenario.to_str().unwrap();
    let shard = |spec: &str, out: &str, extra: &[&str]| {
        let mut a = vec![
            "run", scenario, "--trials", "40", "--quiet", "--shard", spec, "--out", out,
        ];
        a.extend_from_slice(extra);
        ok(dipcap(&a, d));
    };
    for i in 0..3 {
        shard(&format!("{i}/3"), &format!("s{i}"), &[]);
    }
    shard("1/3", "other-seed", &["--seed", "5"]);
    shard("1/4", "other-split", &[]);
    ok(dipcap(
        &[
            "run", scenario, "--trials", "40", "--quiet", "--out", "plain",
        ],
        d,
    ));
    let file = root().join("scenarios/baseline-sweep.toml");
    ok(dipcap(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--samples",
            "2",
            "--trials",
            "2",
            "--quiet",
            "--shard",
            "0/2",
            "--out",
            "sweep-0",
        ],
        d,
    ));
    // A shard that was interrupted: its resumable state exists, its shard.json does not.
    std::fs::create_dir_all(d.join("cut/.dipcap-parts")).unwrap();

    let cases: [(&[&str], &str); 7] = [
        (&["s0", "s2"], "shard 1/3 is missing"),
        (&["s0", "s1", "s1", "s2"], "is shard 1/3 again"),
        (
            &["s0", "other-seed", "s2"],
            "belongs to another run: its seed is 5",
        ),
        (
            &["s0", "other-split", "s2"],
            "is shard 1/4, but s0 is one of 3 shards",
        ),
        (
            &["s0", "s1", "plain"],
            "plain: is not a dipcap shard folder",
        ),
        (
            &["s0", "s1", "s2", "sweep-0"],
            "mixes shards of a run with shards of a sweep",
        ),
        (&["s0", "cut", "s2"], "cut: is a shard that did not finish"),
    ];
    for (dirs, message) in cases {
        let mut a = vec!["merge"];
        a.extend_from_slice(dirs);
        a.extend_from_slice(&["--out", "never"]);
        let o = dipcap(&a, d);
        assert_eq!(o.status.code(), Some(2), "{dirs:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(message) && stderr(&o).contains("hint:"),
            "{dirs:?}: {}",
            stderr(&o)
        );
        assert!(!d.join("never").exists(), "{dirs:?}: nothing is written");
    }
    // And the complete set merges.
    ok(dipcap(
        &[
            "merge",
            "s0",
            "s1",
            "s2",
            "--out",
            "fine",
            "--no-charts",
            "--quiet",
        ],
        d,
    ));
    assert!(d.join("fine/trials.csv").is_file());
}
