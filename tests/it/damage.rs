//! Damaged parts are never trusted: random bytes of an interrupted run's checkpoint and rows
//! files, of shard folders and of an interrupted sweep's point files are flipped, cut, emptied
//! or extended, and `--resume` and `merge` either refuse (exit 2, naming what is wrong) or
//! produce exactly the outputs of an undamaged run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// A small deterministic generator (the cases must be the same on every machine).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One damage to a file: a flipped byte, a cut, an emptied file or an appended row.
fn damage(path: &Path, rng: &mut Rng) -> String {
    let mut bytes = std::fs::read(path).unwrap();
    let len = bytes.len() as u64;
    let what = match rng.below(4) {
        0 if len > 0 => {
            let at = rng.below(len) as usize;
            bytes[at] ^= 1 + rng.below(255) as u8;
            format!("byte {at} flipped")
        }
        1 if len > 0 => {
            let at = rng.below(len) as usize;
            bytes.truncate(at);
            format!("cut to {at} bytes")
        }
        2 => {
            bytes.clear();
            "emptied".to_string()
        }
        _ => {
            bytes.extend_from_slice(b"1.0,99,0.5,0.5\n");
            "a row appended".to_string()
        }
    };
    std::fs::write(path, bytes).unwrap();
    format!("{} {what}", path.file_name().unwrap().to_string_lossy())
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// Either a refusal with exit code 2 that names `name`, or success with outputs identical to
/// `reference` (every file in `same`).
fn refused_or_identical(
    o: &std::process::Output,
    case: &str,
    name: &str,
    out: &Path,
    reference: &Path,
    same: &[&str],
) -> bool {
    match o.status.code() {
        Some(2) => {
            let e = stderr(o);
            assert!(
                e.contains(name),
                "{case}: the refusal does not name {name}:\n{e}"
            );
            assert!(e.contains("hint:"), "{case}: no hint:\n{e}");
            true
        }
        Some(0) => {
            for f in same {
                assert!(
                    std::fs::read(out.join(f)).unwrap()
                        == std::fs::read(reference.join(f)).unwrap(),
                    "{case}: {f} differs from the undamaged run's"
                );
            }
            false
        }
        c => panic!("{case}: exit {c:?}\n{}", stderr(o)),
    }
}

const RUN_OUTPUTS: [&str; 7] = [
    "trials.csv",
    "summary.csv",
    "summary.json",
    "yearly.csv",
    "partners.csv",
    "partners_yearly.csv",
    "percentiles.csv",
];

fn run_args<'a>(scenario: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "run",
        scenario,
        "--quiet",
        "--no-charts",
        "--trials",
        "3000",
        "--threads",
        "2",
        "--out",
        out,
    ]
}

#[test]
fn a_resumed_run_refuses_damaged_parts_or_ends_identical() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("sequestration");
    let scenario = scenario.to_str().unwrap();
    let whole = dir.path().join("whole");
    let o = dipcap(&run_args(scenario, whole.to_str().unwrap()), dir.path());
    assert!(o.status.success(), "{}", stderr(&o));

    // An interrupted run: killed after a few checkpoints.
    let cut = dir.path().join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args(run_args(scenario, cut.to_str().unwrap()))
        .current_dir(dir.path())
        .env("DIPCAP_CHECKPOINT_SECONDS", "0")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cp = cut.join(".dipcap-parts/checkpoint.bin");
    let start = Instant::now();
    while std::fs::metadata(&cp).map(|m| m.len()).unwrap_or(0) == 0
        || std::fs::metadata(cut.join(".dipcap-parts/trials-level-0.csv"))
            .map(|m| m.len())
            .unwrap_or(0)
            < 20_000
    {
        assert!(start.elapsed() < Duration::from_secs(120), "no checkpoint");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!cut.join("trials.csv").exists(), "killed before the end");

    let parts = files_of(&cut.join(".dipcap-parts"));
    let mut rng = Rng(0x5eed_2026_1203);
    let (mut refused, mut identical) = (0, 0);
    for k in 0..12 {
        let case_dir = dir.path().join(format!("case-{k}"));
        copy_dir(&cut, &case_dir);
        // Checkpoint and rows files most often: they are what a resume trusts.
        let target = &parts[rng.below(parts.len() as u64) as usize];
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let case = damage(&case_dir.join(".dipcap-parts").join(&name), &mut rng);
        let out = case_dir.to_str().unwrap();
        let mut args = run_args(scenario, out);
        args.push("--resume");
        let o = dipcap(&args, dir.path());
        eprintln!("resume: {case}: exit {:?}", o.status.code());
        // plan.json's damage is reported as other settings, without its name.
        let named = if name == "plan.json" {
            "--resume"
        } else {
            &name
        };
        if refused_or_identical(&o, &case, named, &case_dir, &whole, &RUN_OUTPUTS) {
            refused += 1;
        } else {
            identical += 1;
        }
    }
    eprintln!("resume: {refused} damaged parts refused, {identical} resumed to identical outputs");
    assert!(refused > 0, "no damage was ever detected");
}

#[test]
fn merge_refuses_damaged_shards_or_merges_identically() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("sequestration");
    let scenario = scenario.to_str().unwrap();
    let shard = |k: usize, out: &Path| {
        let o = dipcap(
            &[
                "run",
                scenario,
                "--quiet",
                "--no-charts",
                "--trials",
                "300",
                "--shard",
                &format!("{k}/2"),
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    shard(0, &a);
    shard(1, &b);
    let merge = |a: &Path, b: &Path, out: &Path| {
        dipcap(
            &[
                "merge",
                a.to_str().unwrap(),
                b.to_str().unwrap(),
                "--no-charts",
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        )
    };
    let reference = dir.path().join("merged");
    let o = merge(&a, &b, &reference);
    assert!(o.status.success(), "{}", stderr(&o));

    let mut rng = Rng(0x0bad_5eed);
    let (mut refused, mut identical) = (0, 0);
    for k in 0..14 {
        let case_dir = dir.path().join(format!("case-{k}"));
        let (ca, cb) = (case_dir.join("a"), case_dir.join("b"));
        copy_dir(&a, &ca);
        copy_dir(&b, &cb);
        let victim = if rng.below(2) == 0 { &ca } else { &cb };
        let files = files_of(victim);
        let target = &files[rng.below(files.len() as u64) as usize];
        let case = damage(target, &mut rng);
        let o = merge(&ca, &cb, &case_dir.join("out"));
        eprintln!("merge: {case}: exit {:?}", o.status.code());
        // A damaged shard.json may be refused as a whole folder or for one of its fields.
        let name = target.parent().unwrap().to_string_lossy().into_owned();
        if refused_or_identical(
            &o,
            &case,
            &name,
            &case_dir.join("out"),
            &reference,
            &RUN_OUTPUTS,
        ) {
            refused += 1;
        } else {
            identical += 1;
        }
    }
    eprintln!("merge: {refused} damaged shards refused, {identical} merged to identical outputs");
    assert!(
        refused >= 10,
        "only {refused} of 14 damaged shards were refused"
    );
}

#[test]
fn a_resumed_sweep_simulates_damaged_points_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = root().join("scenarios/baseline-sweep.toml");
    let file = file.to_str().unwrap();
    let sweep_args = |out: &Path| -> Vec<String> {
        [
            "sweep",
            file,
            "--quiet",
            "--no-charts",
            "--samples",
            "16",
            "--trials",
            "20",
            "--threads",
            "2",
            "--out",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([out.to_str().unwrap().to_string()])
        .collect()
    };
    let run = |out: &Path, extra: &[&str]| {
        let mut a = sweep_args(out);
        a.extend(extra.iter().map(|s| s.to_string()));
        dipcap(
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
            dir.path(),
        )
    };
    let whole = dir.path().join("whole");
    let o = run(&whole, &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    let cut = dir.path().join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args(sweep_args(&cut))
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let parts = cut.join(".dipcap-parts");
    let start = Instant::now();
    loop {
        let sealed = std::fs::read_dir(&parts)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".seal.json"))
                    .count()
            })
            .unwrap_or(0);
        if sealed >= 6 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    if cut.join("sweep.csv").exists() {
        return; // finished before the kill: nothing to damage (a very fast machine)
    }
    let sealed: Vec<PathBuf> = files_of(&parts)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("point-")
        })
        .collect();
    let mut rng = Rng(0x005e_ed0f_5eed);
    for k in 0..6 {
        let case_dir = dir.path().join(format!("case-{k}"));
        copy_dir(&cut, &case_dir);
        let target = &sealed[rng.below(sealed.len() as u64) as usize];
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let case = damage(&case_dir.join(".dipcap-parts").join(&name), &mut rng);
        let o = run(&case_dir, &["--resume"]);
        assert!(o.status.success(), "{case}: {}", stderr(&o));
        eprintln!("sweep: {case}: resumed to identical outputs");
        for f in ["sweep.csv", "design.csv", "sensitivity.csv", "prim.csv"] {
            assert!(
                std::fs::read(case_dir.join(f)).unwrap() == std::fs::read(whole.join(f)).unwrap(),
                "{case}: {f} differs from the undamaged sweep's"
            );
        }
    }
}
