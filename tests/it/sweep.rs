//! Sweeps: the shipped sweep end to end, byte-identical outputs for any thread count and on
//! rerun, resuming after a kill, common random numbers across points, adaptive precision and
//! bad sweep files. (The estimators are checked against Ishigami and the g-function in the
//! unit tests of `src/sensitivity/`.)

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

fn sweep_file() -> PathBuf {
    root().join("scenarios/baseline-sweep.toml")
}

fn sweep(out: &Path, extra: &[&str]) -> std::process::Output {
    let file = sweep_file();
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    dipcap(&args, out.parent().unwrap())
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

const OUTPUTS: [&str; 9] = [
    "sweep.csv",
    "design.csv",
    "sensitivity.csv",
    "prim.csv",
    "prim.txt",
    "charts/sobol-response-rate.svg",
    "charts/tornado-dci.svg",
    "charts/prim-peeling.svg",
    "sweep_trials.csv",
];

#[test]
fn shipped_sweep_writes_tidy_outputs_sensitivity_and_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, &["--samples", "8", "--trials", "12", "--trial-rows"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (k, levels, metrics) = (7, 3, dipcap::metrics::Metric::ALL.len());
    let points = 8 * (k + 2) + 2 * k + 1;
    let design = csv_rows(&out.join("design.csv"));
    assert_eq!(design.len(), points);
    assert_eq!(&design[0][1], "sobol A row 0");
    assert_eq!(&design[points - 1][1], "one-at-a-time parameter 6 high");
    let rows = csv_rows(&out.join("sweep.csv"));
    assert_eq!(
        rows.len(),
        points * levels * metrics,
        "tidy: point × level × metric"
    );
    let header = csv::Reader::from_path(out.join("sweep.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(&header[0], "point");
    assert_eq!(&header[1], "crises.humanitarian.rate");
    for col in [
        "level",
        "metric",
        "mean",
        "sd",
        "ci95_lo",
        "ci95_hi",
        "diff_mean",
        "trials",
    ] {
        assert!(header.iter().any(|h| h == col), "sweep.csv lacks {col}");
    }
    // Parameter values stay in their ranges; the baseline level's difference is zero.
    for r in &rows {
        let hum: f64 = r[1].parse().unwrap();
        assert!((2.0..=5.0).contains(&hum), "{hum}");
        if &r[8] == "1" {
            assert_eq!(&r[17], "0", "paired difference of the baseline with itself");
        }
    }
    let trial_rows = csv_rows(&out.join("sweep_trials.csv"));
    assert_eq!(trial_rows.len(), points * levels * 12);

    let sens = csv_rows(&out.join("sensitivity.csv"));
    let s1: Vec<&csv::StringRecord> = sens
        .iter()
        .filter(|r| &r[0] == "sobol" && &r[1] == "response_rate" && &r[2] == "0.7" && &r[5] == "ST")
        .collect();
    assert_eq!(s1.len(), 2 * k, "value and difference, every parameter");
    // Trust penalties reach crisis response only through the partners' feedback (warning and
    // contributions, `[feedback]`): a second-order effect, small but no longer exactly zero.
    for r in s1.iter().filter(|r| r[4].starts_with("trust.")) {
        let st: f64 = r[6].parse().unwrap();
        assert!((-0.02..0.05).contains(&st), "{r:?}");
    }
    let swings: Vec<&csv::StringRecord> = sens
        .iter()
        .filter(|r| &r[0] == "one_at_a_time" && &r[5] == "swing")
        .collect();
    assert!(!swings.is_empty());
    let prim = std::fs::read_to_string(out.join("prim.txt")).unwrap();
    assert!(
        prim.contains("response_rate < 0.9 at 70% of baseline"),
        "{prim}"
    );
    assert!(
        prim.contains("coverage") && prim.contains("density"),
        "{prim}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["points"], points);
    assert_eq!(manifest["design"], "sobol");
    assert_eq!(manifest["scenario"], "baseline");
    assert_eq!(manifest["parameters"].as_array().unwrap().len(), k);
    for f in OUTPUTS {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(
        !out.join(".dipcap-parts").exists(),
        "parts are removed once assembled"
    );
}

#[test]
fn sweep_outputs_are_byte_identical_across_threads_and_reruns() {
    let dir = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for (i, threads) in ["1", "2", "2"].iter().enumerate() {
        let out = dir.path().join(format!("s{i}"));
        let o = sweep(
            &out,
            &[
                "--samples",
                "6",
                "--trials",
                "8",
                "--threads",
                threads,
                "--trial-rows",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push(out);
    }
    for f in OUTPUTS {
        let a = std::fs::read(outs[0].join(f)).unwrap();
        for other in &outs[1..] {
            assert!(a == std::fs::read(other.join(f)).unwrap(), "{f} differs");
        }
    }
}

#[test]
fn every_point_meets_the_same_crises_in_trial_k() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, &["--samples", "4", "--trials", "10", "--trial-rows"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // One-at-a-time points that move only trust or readiness keys keep the crisis rates, so
    // trial k must see exactly the same number of crises there as at the centre.
    let design = csv_rows(&out.join("design.csv"));
    let centre = design
        .iter()
        .find(|r| &r[1] == "one-at-a-time centre")
        .unwrap()[0]
        .to_string();
    let same_crises: Vec<String> = design
        .iter()
        .filter(|r| {
            r[1].starts_with("one-at-a-time parameter") && {
                let p: usize = r[1].split_whitespace().nth(2).unwrap().parse().unwrap();
                p >= 3
            }
        })
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(same_crises.len(), 8);
    let trials = csv_rows(&out.join("sweep_trials.csv"));
    let crises = |point: &str| -> Vec<String> {
        trials
            .iter()
            .filter(|r| &r[0] == point && &r[1] == "0.7")
            .map(|r| r[3].to_string())
            .collect()
    };
    let base = crises(&centre);
    assert_eq!(base.len(), 10);
    for p in &same_crises {
        assert_eq!(
            crises(p),
            base,
            "point {p} saw other crises than the centre"
        );
    }
    // And the crisis-rate points do see other crises.
    let moved = design
        .iter()
        .find(|r| &r[1] == "one-at-a-time parameter 1 high")
        .unwrap();
    assert_ne!(crises(&moved[0]), base);
}

#[test]
fn a_killed_sweep_resumes_to_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let args = ["--samples", "24", "--trials", "20", "--threads", "2"];
    let o = sweep(&whole, &args);
    assert!(o.status.success(), "{}", stderr(&o));

    let cut = dir.path().join("cut");
    let file = sweep_file();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--quiet",
            "--out",
            cut.to_str().unwrap(),
        ])
        .args(args)
        .spawn()
        .unwrap();
    let parts = cut.join(".dipcap-parts");
    let started = std::time::Instant::now();
    loop {
        let done = std::fs::read_dir(&parts)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().starts_with("point-"))
                    .count()
            })
            .unwrap_or(0);
        if done >= 5 {
            break;
        }
        assert!(started.elapsed().as_secs() < 120, "no progress");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SIGKILL: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !cut.join("sweep.csv").exists(),
        "nothing final is written before the end"
    );
    let kept = std::fs::read_dir(&parts).unwrap().count();
    assert!(kept >= 5);

    let o = dipcap(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            cut.to_str().unwrap(),
            "--resume",
        ]
        .iter()
        .copied()
        .chain(args)
        .collect::<Vec<_>>(),
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("points kept from the interrupted run"));
    for f in [
        "sweep.csv",
        "design.csv",
        "sensitivity.csv",
        "prim.csv",
        "prim.txt",
        "charts/sobol-dci.svg",
    ] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(cut.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
}

#[test]
fn resume_refuses_other_settings_and_missing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, &["--samples", "2", "--trials", "3", "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("there is no interrupted sweep"),
        "{}",
        stderr(&o)
    );
    // Leave parts behind as a killed run would, then resume with another seed.
    std::fs::create_dir_all(out.join(".dipcap-parts")).unwrap();
    std::fs::write(out.join(".dipcap-parts/plan.json"), "{\"seed\": 1}\n").unwrap();
    let o = sweep(&out, &["--samples", "2", "--trials", "3", "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("used other settings"), "{}", stderr(&o));
}

#[test]
fn adaptive_precision_runs_fixed_blocks_until_the_target_is_met() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let scenario = scenario_path("baseline");
    let args = [
        "run",
        scenario.to_str().unwrap(),
        "--quiet",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
        "--target-ci",
        "response_rate=0.004",
        "--block",
        "150",
    ];
    let o = dipcap(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let trials = manifest["trials"].as_u64().unwrap();
    assert_eq!(trials % 150, 0, "whole blocks");
    assert!(trials > 150, "one block is not enough for ±0.4 points");
    let rows = csv_rows(&out.join("summary.csv"));
    let half =
        |r: &csv::StringRecord| (r[8].parse::<f64>().unwrap() - r[7].parse::<f64>().unwrap()) / 2.0;
    let rr: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[1] == "response_rate").collect();
    assert!(
        rr.iter().all(|r| half(r) <= 0.004),
        "target met at every level"
    );
    // One block fewer would not have met it at some level: the run stopped at the first
    // block that did. Rerun with that many trials fixed: the same numbers.
    let first = std::fs::read(out.join("trials.csv")).unwrap();
    let o = dipcap(&args, dir.path());
    assert!(o.status.success());
    assert!(
        first == std::fs::read(out.join("trials.csv")).unwrap(),
        "same result on every rerun"
    );
    let fixed = dir.path().join("fixed");
    let o = dipcap(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "--no-charts",
            "--out",
            fixed.to_str().unwrap(),
            "--trials",
            &trials.to_string(),
        ],
        dir.path(),
    );
    assert!(o.status.success());
    assert!(
        first == std::fs::read(fixed.join("trials.csv")).unwrap(),
        "blocks are trials 0..n"
    );
}

#[test]
fn bad_sweep_files_are_explained_with_exit_code_2_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(sweep_file()).unwrap();
    let cases: [(&str, &str, &str, &[&str]); 7] = [
        (
            "samples = 128",
            "sampels = 128",
            "unknown key `sampels`",
            &["sweep.sampels", "allowed keys"],
        ),
        (
            "crises.regional.rate\"",
            "crises.regionl.rate\"",
            "no element named `regionl`",
            &["parameter[2].key", "regional-conflict"],
        ),
        (
            "min = 0.1\nmax = 0.6",
            "min = -0.4\nmax = 0.6",
            "makes the scenario invalid",
            &["parameter[2]", "crises[2].rate", "negative"],
        ),
        (
            "design = \"sobol\"",
            "design = \"sobel\"",
            "unknown design \"sobel\"",
            &["sweep.design", "lhs"],
        ),
        (
            "condition = \"response_rate < 0.9\"",
            "condition = \"response < 0.9\"",
            "unknown metric \"response\"",
            &["discovery.condition"],
        ),
        (
            "level = 0.7 ",
            "level = 0.75 ",
            "0.75 is not one of the sweep's levels",
            &["discovery.level", "1, 0.8, 0.7"],
        ),
        (
            "name = \"baseline-sweep\"",
            "name = \"my sweep\"",
            "\"my sweep\" cannot be used as a folder name",
            &["sweep.name", "letters, digits"],
        ),
    ];
    for (from, to, problem, more) in cases {
        assert!(base.contains(from), "{from}");
        let text = base.replacen(from, to, 1);
        let file = dir.path().join("bad-sweep.toml");
        std::fs::write(&file, text).unwrap();
        std::fs::copy(scenario_path("baseline"), dir.path().join("baseline.toml")).unwrap();
        let out = dir.path().join("out");
        let o = dipcap(
            &[
                "sweep",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{to}: {e}");
        assert!(
            e.contains("bad-sweep.toml") && e.contains(problem) && e.contains("hint:"),
            "{to}: {e}"
        );
        for m in more {
            assert!(e.contains(m), "{to}: {e} lacks {m}");
        }
        assert!(!out.exists(), "{to}: nothing written");
    }
}

/// `dipcap plot` on a sweep's folder redraws its charts, byte for byte, from the sweep and
/// scenario texts its manifest carries and the means in `sweep.csv`; an edited `sweep.csv` is
/// refused by its seal.
#[test]
fn plot_redraws_a_sweeps_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, &["--samples", "4", "--trials", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let charts = out.join("charts");
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(&charts)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    assert!(before.len() >= 10, "{} chart files", before.len());
    std::fs::remove_dir_all(&charts).unwrap();
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains(&format!("{} charts (PNG and SVG)", before.len() / 2))
            && !said.contains("report.html"),
        "{said}"
    );
    for (name, bytes) in &before {
        assert!(
            std::fs::read(charts.join(name)).unwrap() == *bytes,
            "{name} differs when redrawn"
        );
    }
    let csv = out.join("sweep.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen(",0.", ",1.", 1)).unwrap();
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sweep.csv: is not the file that was written"),
        "{}",
        stderr(&o)
    );
}

/// A sweep of the Balkan scenario, whose two `[[policies]]` run at every point on the same
/// trials (tests/fixtures/balkan-robust.toml).
fn robust_sweep(cwd: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let file = root().join("tests/fixtures/balkan-robust.toml");
    let mut args = vec!["sweep", file.to_str().unwrap(), "--out", out];
    args.extend_from_slice(extra);
    dipcap(&args, cwd)
}

/// Robust choice: `robust.csv` holds, per policy, the regret and satisficing computed here
/// from `sweep_policies.csv` alone; in every world some policy has no regret; the files are
/// byte-identical at any thread count and when the sweep is sharded and merged.
#[test]
fn robust_choice_reports_regret_and_satisficing_per_policy() {
    use std::collections::HashMap;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = robust_sweep(d, "one", &["--threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&d.join("one/sweep_policies.csv"));
    // 6 points × 3 policies (as written first) × 2 levels × 2 metrics.
    assert_eq!(rows.len(), 6 * 3 * 2 * 2);
    assert_eq!(&rows[0][3], "as written");
    // (point, policy, metric) at 70% → mean.
    let mut at: HashMap<(String, String, String), f64> = HashMap::new();
    for r in &rows {
        if &r[4] == "0.7" {
            at.insert(
                (r[0].to_string(), r[3].to_string(), r[5].to_string()),
                r[7].parse().unwrap(),
            );
        }
        if &r[3] == "as written" {
            assert_eq!(
                &r[10], "0",
                "the scenario as written differs from itself by 0"
            );
        }
    }
    let policies = ["as written", "protect engagement", "exercises first"];
    let points: Vec<String> = (0..6).map(|p| p.to_string()).collect();
    let robust = csv_rows(&d.join("one/robust.csv"));
    assert_eq!(robust.len(), 3);
    for (k, p) in policies.iter().enumerate() {
        let row = &robust[k];
        assert_eq!(&row[0], *p);
        let mut regrets = Vec::new();
        let (mut best, mut meets) = (0, 0);
        for pt in &points {
            let v = |q: &str, m: &str| at[&(pt.clone(), q.to_string(), m.to_string())];
            let top = policies
                .iter()
                .map(|q| v(q, "dci"))
                .fold(f64::MIN, f64::max);
            regrets.push(top - v(p, "dci"));
            best += usize::from(v(p, "dci") == top);
            meets += usize::from(v(p, "response_rate") >= 0.85);
        }
        let num = |i: usize| row[i].parse::<f64>().unwrap();
        let mean: f64 = regrets.iter().sum::<f64>() / 6.0;
        let max = regrets.iter().copied().fold(f64::MIN, f64::max);
        assert!((num(6) - mean).abs() < 1e-12, "{p}: regret mean");
        assert_eq!(num(8), max, "{p}: regret max");
        assert!(num(7) <= max && num(7) >= 0.0);
        assert_eq!(
            num(9),
            best as f64 / 6.0,
            "{p}: share of worlds where it is best"
        );
        assert_eq!(num(10), meets as f64 / 6.0, "{p}: satisficing");
    }
    // In every world one policy is best: the shares of being best add to at least 1.
    let shares: f64 = robust.iter().map(|r| r[9].parse::<f64>().unwrap()).sum();
    assert!(shares >= 1.0 - 1e-12);
    // Protecting engagement keeps more DCI in every world here: no regret at all.
    assert_eq!(&robust[1][8], "0");
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("robust choice among 3 ways of cutting over 6 worlds"),
        "{said}"
    );
    let file = root().join("tests/fixtures/balkan-robust.toml");
    let v = dipcap(&["validate", file.to_str().unwrap()], d);
    assert!(
        String::from_utf8_lossy(&v.stdout).contains(
            "robust      3 ways of cutting judged on dci (higher is better) at 70%; constraints response_rate>=0.85"
        ),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );

    let o = robust_sweep(d, "two", &["--threads", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for i in 0..2 {
        let o = robust_sweep(d, &format!("shard-{i}"), &["--shard", &format!("{i}/2")]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = dipcap(&["merge", "shard-0", "shard-1", "--out", "merged"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["sweep_policies.csv", "robust.csv", "sweep.csv"] {
        let one = std::fs::read(d.join("one").join(f)).unwrap();
        assert!(
            one == std::fs::read(d.join("two").join(f)).unwrap(),
            "{f} at 2 threads"
        );
        assert!(
            one == std::fs::read(d.join("merged").join(f)).unwrap(),
            "{f} merged"
        );
    }
}

/// `[robust]` needs policies to judge, and its constraints must parse.
#[test]
fn robust_without_policies_or_with_a_bad_constraint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = std::fs::read_to_string(root().join("tests/fixtures/balkan-robust.toml")).unwrap();
    let cases = [
        (
            base.replace("balkan-cooperation.toml", "sequestration.toml"),
            "robust",
            "has no [[policies]] to judge",
        ),
        (
            base.replace("response_rate>=0.85", "response_rate=>0.85"),
            "robust.constraints[0]",
            "METRIC>=X",
        ),
        (
            base.replace("level = 0.7", "level = 0.8"),
            "robust.level",
            "not one of the sweep's levels",
        ),
    ];
    for (text, key, says) in cases {
        let f = d.join("robust-case.toml");
        // The scenario path made absolute, as the file is written elsewhere.
        let text = text.replace(
            "../../scenarios/",
            &format!("{}/", root().join("scenarios").display()),
        );
        std::fs::write(&f, text).unwrap();
        let o = dipcap(&["sweep", f.to_str().unwrap(), "--quiet", "--out", "x"], d);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(key) && e.contains(says), "{key}: {e}");
    }
}
