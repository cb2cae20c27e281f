//! Every long loop has a bound the user can see: a scenario that expects too many crises is
//! refused before it runs, a trial that outgrows the work bound stops the run with a message
//! naming the trial and the likely cause, and a termination signal stops even a long trial at
//! once (the finished blocks are kept for `--resume`). The work bound is lowered here with
//! `DIPCAP_MAX_WORK` so that it is reached in a second, and raised so a trial runs for minutes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Runs dipcap with the work bound set to `bound`.
fn dipcap_bounded(args: &[&str], cwd: &Path, bound: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args(args)
        .current_dir(cwd)
        .env("DIPCAP_MAX_WORK", bound)
        .output()
        .expect("run dipcap")
}

/// The catalogue's base scenario with a heavy crisis load: 990 crises a year for `years`
/// years (just under the 100 000 a trial may expect) on four units, each crisis waiting up to
/// `window` days for units.
fn heavy(dir: &Path, name: &str, years: i64, window: f64, trials: i64) -> PathBuf {
    let mut t = table(&root().join("tests/bad_scenarios/base.toml"));
    set(&mut t, "scenario.name", toml::Value::String(name.into()));
    set(&mut t, "scenario.years", toml::Value::Integer(years));
    set(&mut t, "scenario.trials", toml::Value::Integer(trials));
    set(&mut t, "crises[0].rate", toml::Value::Float(990.0));
    set(&mut t, "crises[0].window_days", toml::Value::Float(window));
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml::to_string(&t).unwrap()).unwrap();
    path
}

#[test]
fn too_many_expected_crises_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = table(&root().join("tests/bad_scenarios/base.toml"));
    set(&mut t, "scenario.years", toml::Value::Integer(200));
    set(&mut t, "crises[0].rate", toml::Value::Float(10_000.0));
    let path = dir.path().join("flood.toml");
    std::fs::write(&path, toml::to_string(&t).unwrap()).unwrap();
    let o = dipcap(&["validate", path.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("key `crises`")
            && e.contains("expect 2000000 crises per trial")
            && e.contains("more than the 100000 one trial may hold")
            && e.contains("hint: lower the rates"),
        "{e}"
    );
}

#[test]
fn a_trial_past_the_work_bound_stops_the_run_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    // Crises that never expire pile up: every release of a unit tries them all again.
    // A whole block of such trials: the first past the bound stops the others at once (one
    // by one they would take about 20 s).
    let path = heavy(dir.path(), "pile-up", 100, f64::INFINITY, 256);
    let out = dir.path().join("out");
    let start = Instant::now();
    let o = dipcap_bounded(
        &[
            "run",
            path.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
        "20000000",
    );
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("scenario \"pile-up\", trial 0 at level 1")
            && e.contains("more than 2e7 steps of work")
            && e.contains("crises of type relief never expire (`window_days = inf`)"),
        "{e}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "the bound took {:?}",
        start.elapsed()
    );
    assert!(
        !out.join("summary.csv").exists(),
        "no results from a failed run"
    );
    // The same bound holds for one traced trial.
    let o = dipcap_bounded(
        &[
            "trace",
            path.to_str().unwrap(),
            "--level",
            "0.8",
            "--trial",
            "1",
            "--out",
            dir.path().join("t.csv").to_str().unwrap(),
        ],
        dir.path(),
        "20000000",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("trial 1 at level 0.8"),
        "{}",
        stderr(&o)
    );
}

/// Trials of minutes (crises piling up, the work bound out of reach): SIGTERM stops them
/// within two seconds, not at the end of the block, and `--resume` is offered.
#[test]
fn sigterm_stops_a_long_trial_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = heavy(dir.path(), "long-trials", 100, f64::INFINITY, 2);
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args([
            "run",
            path.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .env("DIPCAP_MAX_WORK", "1000000000000000")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The run is under way once its parts folder exists.
    let begun = Instant::now();
    while !out.join(".dipcap-parts").exists() {
        assert!(
            begun.elapsed() < Duration::from_secs(60),
            "the run never began"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the trials were too short for this test"
    );
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let waited = sent.elapsed();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{e}");
    assert!(e.contains("interrupted after 0 of 2 trials"), "{e}");
    assert!(
        waited < Duration::from_secs(2),
        "SIGTERM took {waited:?} to stop the run"
    );
    assert!(
        out.join(".dipcap-parts").is_dir() && !out.join("summary.csv").exists(),
        "the stopped run keeps its parts and writes no results"
    );
}
