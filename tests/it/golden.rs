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
