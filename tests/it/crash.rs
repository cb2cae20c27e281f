//! Nothing lost: a run killed with SIGKILL leaves the previous results untouched and no
//! partial file, and `--resume` finishes it with the same bytes as an uninterrupted run;
//! Ctrl-C stops cleanly with a message and exit code 130, and resumes the same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const TRIALS: &str = "4000";

/// Every file of an output folder (recursively, hidden ones included) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn args<'a>(scenario: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["run", scenario, "--quiet", "--trials", TRIALS, "--out", out];
    a.extend_from_slice(extra);
    a
}

fn spawn(cwd: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args(args)
        .current_dir(cwd)
        .env("DIPCAP_CHECKPOINT_SECONDS", "0")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the run has checkpointed at least twice.
fn wait_for_checkpoint(out: &Path) {
    let cp = out.join(".dipcap-parts/checkpoint.bin");
    let start = Instant::now();
    let mut seen = None;
    loop {
        if let Ok(m) = std::fs::metadata(&cp) {
            let t = m.modified().unwrap();
            match seen {
                Some(first) if t != first => return,
                None => seen = Some(t),
                _ => {}
            }
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no checkpoint");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The outputs that must not depend on interruption (the manifest and report carry times).
const SAME: [&str; 9] = [
    "trials.csv",
    "summary.csv",
    "summary.json",
    "yearly.csv",
    "partners.csv",
    "partners_yearly.csv",
    "percentiles.csv",
    "charts/capacity-cliff.svg",
    "charts/fan-readiness.svg",
];

fn uninterrupted(dir: &Path, scenario: &str) -> PathBuf {
    let whole = dir.join("whole");
    let o = dipcap(&args(scenario, whole.to_str().unwrap(), &[]), dir);
    assert!(o.status.success(), "{}", stderr(&o));
    whole
}

#[test]
fn a_killed_run_keeps_the_previous_results_and_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("sequestration");
    let scenario = scenario.to_str().unwrap();
    let whole = uninterrupted(dir.path(), scenario);

    // Earlier results in the folder, from another seed.
    let cut = dir.path().join("cut");
    let out = cut.to_str().unwrap();
    let o = dipcap(
        &[
            "run", scenario, "--quiet", "--seed", "99", "--trials", "50", "--out", out,
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&cut);

    let mut child = spawn(dir.path(), &args(scenario, cut.to_str().unwrap(), &[]));
    wait_for_checkpoint(&cut);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The previous results are exactly as they were; besides them only the hidden resumable
    // state exists — no partial or temporary file.
    let after = snapshot(&cut);
    for (path, bytes) in &before {
        assert!(
            after.get(path) == Some(bytes),
            "{path:?} changed by the killed run"
        );
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        let s = path.to_string_lossy();
        assert!(
            s.starts_with(".dipcap-parts/") || s == ".dipcap-lock",
            "unexpected file {s}"
        );
        assert!(!s.contains(".tmp-"), "partial file {s}");
    }

    let o = dipcap(
        &args(scenario, cut.to_str().unwrap(), &["--resume"]),
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in SAME {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(cut.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
    assert!(
        !cut.join(".dipcap-parts").exists(),
        "the resumable state is removed at the end"
    );
    // A second --resume has nothing to continue.
    let o = dipcap(
        &args(scenario, cut.to_str().unwrap(), &["--resume"]),
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("there is no interrupted run"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ctrl_c_stops_cleanly_with_a_message_and_resumes() {
    stops_cleanly_and_resumes("-INT");
}

/// SIGTERM is what Slurm sends at a job's time limit and on `scancel`.
#[test]
fn sigterm_stops_cleanly_with_a_message_and_resumes() {
    stops_cleanly_and_resumes("-TERM");
}

fn stops_cleanly_and_resumes(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("baseline");
    let scenario = scenario.to_str().unwrap();
    let whole = uninterrupted(dir.path(), scenario);
    let cut = dir.path().join("cut");
    let child = spawn(dir.path(), &args(scenario, cut.to_str().unwrap(), &[]));
    wait_for_checkpoint(&cut);
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{e}");
    assert!(
        e.contains("interrupted after") && e.contains("--resume"),
        "{e}"
    );
    assert!(
        !cut.join("trials.csv").exists(),
        "no output from a stopped run"
    );

    // Resuming with other settings is refused, with the same settings it completes.
    let o = dipcap(
        &args(
            scenario,
            cut.to_str().unwrap(),
            &["--resume", "--seed", "5"],
        ),
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("used other settings"), "{}", stderr(&o));
    let o = dipcap(
        &args(scenario, cut.to_str().unwrap(), &["--resume"]),
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in SAME {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(cut.join(f)).unwrap(),
            "{f} differs after {signal} and resume"
        );
    }
}

#[test]
fn a_second_dipcap_on_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("baseline");
    let scenario = scenario.to_str().unwrap();
    let out = dir.path().join("busy");
    let mut child = spawn(dir.path(), &args(scenario, out.to_str().unwrap(), &[]));
    wait_for_checkpoint(&out);
    let o = dipcap(&args(scenario, out.to_str().unwrap(), &[]), dir.path());
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("another dipcap is writing to this folder"),
        "{}",
        stderr(&o)
    );
}

/// A rerun replaces the folder whole: the user's files (beside the results and in `charts/`)
/// stay, dipcap's old charts and report go when the new run draws none, and what a dipcap
/// killed in the middle of the swap left beside the folder is recovered on the next run.
#[test]
fn a_rerun_replaces_the_folder_whole_and_keeps_the_users_files() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("sequestration");
    let scenario = scenario.to_str().unwrap();
    let out = dir.path().join("out");
    let o_str = out.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut a = vec!["run", scenario, "--quiet", "--trials", "30", "--out", o_str];
        a.extend_from_slice(extra);
        let o = dipcap(&a, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run(&[]);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("charts/my-figure.png"), "mine").unwrap();
    run(&["--seed", "7"]);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"seed\": 7"), "{manifest}");
    assert!(
        manifest.contains("\"capacity-cliff.png\""),
        "the manifest lists its charts"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("charts/my-figure.png")).unwrap(),
        "mine"
    );
    run(&["--no-charts"]);
    assert!(
        !out.join("report.html").exists(),
        "an old report describes another run"
    );
    let charts: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        charts,
        ["my-figure.png"],
        "only the user's file is left in charts/"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() == 1,
        "nothing left beside the folder"
    );

    // Killed after the exchange: the earlier folder, with a file of the user's, is still
    // beside the new one under the staging name of a process that no longer runs.
    let stale = dir.path().join(".out.staging-4000000000");
    std::fs::create_dir_all(stale.join("charts")).unwrap();
    std::fs::write(stale.join("draft.txt"), "mine too").unwrap();
    std::fs::write(stale.join("summary.csv"), "old").unwrap();
    run(&[]);
    assert_eq!(
        std::fs::read_to_string(out.join("draft.txt")).unwrap(),
        "mine too"
    );
    assert!(!stale.exists());
    assert_ne!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        "old"
    );

    // Killed between two renames where folders cannot be exchanged: the target is missing and
    // the earlier folder waits under its old name.
    std::fs::rename(&out, dir.path().join(".out.old-4000000000")).unwrap();
    run(&["--seed", "9"]);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(
        std::fs::read_to_string(out.join("manifest.json"))
            .unwrap()
            .contains("\"seed\": 9")
    );
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1);
}
