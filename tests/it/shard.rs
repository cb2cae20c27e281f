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

/// The report without its execution rows (`<dt>threads</dt><dd>2</dd>` and the like).
fn report_core(html: &str) -> String {
    let mut s = html.to_string();
    for k in [
        "threads",
        "started",
        "finished",
        "simulation time",
        "shards",
    ] {
        let open = format!("<dt>{k}</dt><dd>");
        if let Some(i) = s.find(&open) {
            let j = i + s[i..].find("</dd>").unwrap() + "</dd>".len();
            s.replace_range(i..j, "");
        }
    }
    s
}

/// Every file under `dir` by its relative path, with the manifest and the report reduced to
/// what does not depend on how the work was executed.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
                continue;
            }
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = match rel.as_str() {
                "manifest.json" => manifest_core(base).into_bytes(),
                "report.html" => report_core(&std::fs::read_to_string(&p).unwrap()).into_bytes(),
                _ => std::fs::read(&p).unwrap(),
            };
            out.insert(rel, bytes);
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts that two output folders hold the same files with the same bytes (execution aside).
fn same_tree(whole: &Path, merged: &Path) {
    let (a, b) = (tree(whole), tree(merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the merged folder holds other files than the unsharded one"
    );
    for (f, bytes) in &a {
        assert!(
            bytes == &b[f],
            "{f} differs between the merged shards and the unsharded run"
        );
    }
}

/// The shards' `wall_seconds` added up.
fn shard_seconds(d: &Path, shards: &[&str]) -> f64 {
    shards
        .iter()
        .map(|s| {
            let j: serde_json::Value =
                serde_json::from_slice(&std::fs::read(d.join(s).join("shard.json")).unwrap())
                    .unwrap();
            j["wall_seconds"].as_f64().unwrap()
        })
        .sum()
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
    same_tree(&d.join("whole"), &d.join("merged"));
    let report = std::fs::read_to_string(d.join("whole/report.html")).unwrap();
    assert!(
        report.contains("<dt>threads</dt>"),
        "the report lists its threads"
    );
    assert_ne!(report_core(&report), report, "the execution rows are found");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("merged/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["shards"], 3);
    let (merged, shards) = (
        m["wall_seconds"].as_f64().unwrap(),
        shard_seconds(d, &["shard-0", "shard-1", "shard-2"]),
    );
    assert!(
        (merged - shards).abs() <= 1e-9 * shards,
        "a merged run's time is its shards' times added up: {merged} vs {shards}"
    );
    let report = std::fs::read_to_string(d.join("merged/report.html")).unwrap();
    assert!(report.contains("<dt>shards</dt><dd>3 (run separately"));
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
    same_tree(&d.join("whole"), &d.join("merged"));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("merged/manifest.json")).unwrap()).unwrap();
    assert!(
        m["wall_seconds"].as_f64().unwrap() >= shard_seconds(d, &["s0", "s1", "s2", "s3"]),
        "a merged sweep's time includes its shards' times"
    );
    assert!(d.join("merged/sweep_trials.csv").is_file());
    assert!(d.join("merged/charts/prim-peeling.png").is_file());
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
    // Damaged copies of shard 1's shard.json: impossible numbers, a scenario edited after its hash.
    let damaged = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let to = d.join(name);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(d.join("s1")).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
        }
        let path = to.join("shard.json");
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut v);
        std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    };
    damaged("zero-shards", &|v| v["shards"] = 0.into());
    damaged("index-beyond", &|v| v["shard"] = 7.into());
    damaged("edited-scenario", &|v| {
        let text = v["scenario_text"]
            .as_str()
            .unwrap()
            .replace("years = ", "years =  ");
        v["scenario_text"] = text.into();
    });

    let cases: [(&[&str], &str); 10] = [
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
        (
            &["s0", "zero-shards", "s2"],
            "says it is shard 1 of 0, which cannot be",
        ),
        (
            &["s0", "index-beyond", "s2"],
            "says it is shard 7 of 3, which cannot be",
        ),
        (
            &["s0", "edited-scenario", "s2"],
            "carries a scenario text that does not match its SHA-256",
        ),
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

/// A shard without `--out` goes to a folder of its own, never into the run's; a merge is never
/// written into one of its shards, and a folder holding a finished run's results beside a
/// shard's parts is refused as mixed.
#[test]
fn shards_never_default_into_the_run_folder_and_merge_refuses_mixed_or_own_folders() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("sequestration");
    let scenario = scenario.to_str().unwrap();
    for k in 0..2 {
        let shard = format!("{k}/2");
        let o = dipcap(
            &[
                "run",
                scenario,
                "--quiet",
                "--no-charts",
                "--trials",
                "40",
                "--shard",
                &shard,
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let out = dir.path().join("output");
    let (a, b) = (
        out.join("sequestration-shard-0-of-2"),
        out.join("sequestration-shard-1-of-2"),
    );
    assert!(a.join("shard.json").is_file() && b.join("shard.json").is_file());
    assert!(
        !out.join("sequestration").exists(),
        "a shard wrote into the run's folder"
    );

    let (sa, sb) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = dipcap(&["merge", sa, sb, "--no-charts", "--out", sa], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is the shard folder"), "{}", stderr(&o));

    // Without --out the merge is the run's folder, next to the shards.
    let o = dipcap(&["merge", sa, sb, "--no-charts"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let merged = out.join("sequestration");
    assert!(merged.join("trials.csv").is_file());

    // A finished run's manifest beside a shard's parts: mixed.
    std::fs::copy(merged.join("manifest.json"), b.join("manifest.json")).unwrap();
    let o = dipcap(
        &["merge", sa, sb, "--no-charts", "--out", "elsewhere"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("mixed folder"), "{}", stderr(&o));
}

/// A shard folder is replaced whole, like a run's: a rerun into it keeps the user's files,
/// leaves no earlier part behind and nothing beside the folder; so does a sweep shard.
#[test]
fn a_shard_folder_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("baseline");
    let out = dir.path().join("shard");
    let run = |trials: &str| {
        dipcap(
            &[
                "run",
                scenario.to_str().unwrap(),
                "--trials",
                trials,
                "--shard",
                "1/2",
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        )
    };
    ok(run("40"));
    // plot says what a shard folder is and what to do with it.
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("is a shard folder") && e.contains("dipcap merge"),
        "{e}"
    );
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let first = std::fs::read(out.join("shard.json")).unwrap();
    ok(run("60"));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    let second = std::fs::read_to_string(out.join("shard.json")).unwrap();
    assert!(second.as_bytes() != first.as_slice() && second.contains("\"trials\": 60"));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "accumulator.bin",
            "notes.txt",
            "shard.json",
            "trials-level-0.csv",
            "trials-level-1.csv",
            "trials-level-2.csv",
            "trials-level-3.csv"
        ]
    );
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["shard"], "left beside the folder: {beside:?}");

    let sweep = root().join("scenarios/baseline-sweep.toml");
    let sout = dir.path().join("sweep-shard");
    let srun = || {
        dipcap(
            &[
                "sweep",
                sweep.to_str().unwrap(),
                "--samples",
                "2",
                "--trials",
                "3",
                "--shard",
                "2/3",
                "--quiet",
                "--out",
                sout.to_str().unwrap(),
            ],
            dir.path(),
        )
    };
    ok(srun());
    std::fs::write(sout.join("notes.txt"), "mine").unwrap();
    ok(srun());
    assert_eq!(
        std::fs::read_to_string(sout.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(sout.join("shard.json").is_file() && sout.join("points").is_dir());
    assert!(!sout.join(".dipcap-parts").exists());
}

/// A run with `[[policies]]` split over shards: each shard runs the policies on its own
/// trials, and the merge gives the unsharded run's files byte for byte — `policies.csv` (exact
/// sums), `trials.csv` and `summary.csv` with their policy rows, the report's policy section.
#[test]
fn a_sharded_run_with_policies_merges_to_the_unsharded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = scenario_path("balkan-cooperation");
    let scenario = scenario.to_str().unwrap();
    let trials = "90";
    ok(dipcap(
        &[
            "run", scenario, "--trials", trials, "--quiet", "--out", "whole",
        ],
        d,
    ));
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = format!("shard-{i}");
        ok(dipcap(
            &[
                "run", scenario, "--trials", trials, "--shard", &shard, "--quiet", "--out", &out,
            ],
            d,
        ));
        assert!(d.join(&out).join("policies.bin").is_file());
    }
    ok(dipcap(
        &["merge", "shard-1", "shard-0", "--out", "merged"],
        d,
    ));
    same_tree(&d.join("whole"), &d.join("merged"));
    assert!(d.join("merged/policies.csv").is_file());

    // A damaged policies part is refused, naming it.
    let part = d.join("shard-0/policies.bin");
    let mut bytes = std::fs::read(&part).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&part, bytes).unwrap();
    let o = dipcap(&["merge", "shard-0", "shard-1", "--out", "again"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("policies.bin"), "{}", stderr(&o));
}
