//! Golden outputs: a frozen scenario and seed whose exact `trials.csv` and `summary.csv` are
//! checked in. Any change to the numbers — a crate upgrade, a refactor, a model change — fails
//! here until the files are deliberately regenerated and CHANGELOG.md says why:
//!
//!     DIPCAP_UPDATE_GOLDEN=1 cargo test golden
//!
//! The manifest records the generator and the crate versions that decide the numbers, so old
//! runs stay attributable.

use std::path::Path;

use crate::common::*;

const SEED: &str = "20261123";
const TRIALS: &str = "40";
const FILES: [&str; 2] = ["trials.csv", "summary.csv"];

fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  golden: {x}\n  now:    {y}", i + 1);
        }
    }
    format!(
        "{} lines golden, {} now",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn golden_outputs_are_unchanged() {
    let golden = root().join("tests/golden");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g");
    let o = dipcap(
        &[
            "run",
            golden.join("scenario.toml").to_str().unwrap(),
            "--seed",
            SEED,
            "--trials",
            TRIALS,
            "--no-charts",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let update = std::env::var("DIPCAP_UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    for f in FILES {
        let now = std::fs::read_to_string(out.join(f)).unwrap();
        let path = golden.join(f);
        if update {
            std::fs::write(&path, &now).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            want == now,
            "{f} differs from {}: {}\nIf the change is intended, regenerate with DIPCAP_UPDATE_GOLDEN=1 cargo test golden and say why in CHANGELOG.md (numbers change).",
            Path::new("tests/golden").join(f).display(),
            first_difference(&want, &now)
        );
    }
}

/// The wider guard for refactors: every file a run of each shipped scenario writes (CSV, JSON,
/// charts, report), fingerprinted by SHA-256, and the full event log of two trials of each.
/// Between them the three scenarios cover the mid-year shock and its re-planning, phased cuts,
/// sticky personnel and all three service orders, so a refactor that moves any number, any
/// chart pixel or the order of any event fails here. Only what must differ between two runs is
/// blanked first: the start and end times and wall seconds in `manifest.json` and the report.
/// Regenerate like the files above (`DIPCAP_UPDATE_GOLDEN=1 cargo test golden`).
const SHIPPED_SEED: &str = "20261201";
const SHIPPED_TRIALS: &str = "30";

/// The run's clock, which is all that differs between two runs of the same scenario and seed.
fn without_clock(rel: &str, bytes: Vec<u8>) -> Vec<u8> {
    match rel {
        "manifest.json" => {
            let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let m = v.as_object_mut().unwrap();
            for k in ["started", "finished", "wall_seconds"] {
                assert!(m.remove(k).is_some(), "manifest.json has no {k}");
            }
            serde_json::to_vec_pretty(&v).unwrap()
        }
        "report.html" => {
            let mut text = String::from_utf8(bytes).unwrap();
            for k in ["started", "finished", "simulation time"] {
                let open = format!("<dt>{k}</dt><dd>");
                let at = text
                    .find(&open)
                    .unwrap_or_else(|| panic!("report has no {k}"));
                let from = at + open.len();
                let to = from + text[from..].find("</dd>").unwrap();
                text.replace_range(from..to, "…");
            }
            text.into_bytes()
        }
        _ => bytes,
    }
}

fn files_under(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir.join(rel))
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().into_string().unwrap();
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().unwrap().is_dir() {
            files_under(dir, &path, out);
        } else {
            out.push(path);
        }
    }
}

fn fingerprints(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut files = Vec::new();
    files_under(dir, "", &mut files);
    let mut text = String::new();
    for rel in files {
        let bytes = without_clock(&rel, std::fs::read(dir.join(&rel)).unwrap());
        let hash = Sha256::digest(&bytes);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        text.push_str(&format!("{hex}  {rel}\n"));
    }
    text
}

/// Compares `now` with the checked-in file `name` under `tests/golden/shipped/`, or writes it.
fn check_golden(name: &str, now: &str, failures: &mut Vec<String>) {
    let path = root().join("tests/golden/shipped").join(name);
    if std::env::var("DIPCAP_UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, now).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != now {
        failures.push(format!(
            "tests/golden/shipped/{name}: {}",
            first_difference(&want, now)
        ));
    }
}

#[test]
fn shipped_scenarios_outputs_and_traces_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for name in SHIPPED {
        let out = dir.path().join(name);
        // Run from the checkout with a relative scenario path, so the manifest and the report
        // name the same file wherever the checkout is.
        let scenario = format!("scenarios/{name}.toml");
        let o = dipcap(
            &[
                "run",
                &scenario,
                "--seed",
                SHIPPED_SEED,
                "--trials",
                SHIPPED_TRIALS,
                "--threads",
                "2",
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ],
            &root(),
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        check_golden(
            &format!("{name}.sha256"),
            &fingerprints(&out),
            &mut failures,
        );
        let levels = load(&scenario_path(name)).budget.levels;
        let deepest = levels[levels.len() - 1].to_string();
        let reference = levels[0].to_string();
        for (level, trial) in [(reference.as_str(), "1"), (deepest.as_str(), "3")] {
            let o = dipcap(
                &[
                    "trace",
                    &scenario,
                    "--seed",
                    SHIPPED_SEED,
                    "--level",
                    level,
                    "--trial",
                    trial,
                ],
                &root(),
            );
            assert!(o.status.success(), "{name}: {}", stderr(&o));
            let log = String::from_utf8(o.stdout).unwrap();
            check_golden(
                &format!("{name}-trace-level-{level}-trial-{trial}.csv"),
                &log,
                &mut failures,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "shipped scenarios' outputs changed:\n{}\nIf the change is intended, regenerate with DIPCAP_UPDATE_GOLDEN=1 cargo test golden and say why in CHANGELOG.md (numbers change).",
        failures.join("\n")
    );
}
