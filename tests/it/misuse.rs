//! The tool says what the user did wrong: a file of the other kind given to a command, an
//! option that the design would ignore, output paths no file system takes, a damaged output
//! folder given to `plot`, a trial beyond the run; and `validate` describes sweep files too.

use std::path::Path;

use crate::common::*;

fn shipped(name: &str) -> String {
    root()
        .join("scenarios")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_file_of_the_other_kind_is_named_with_the_command_that_takes_it() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = shipped("baseline-sweep.toml");
    let scenario = shipped("baseline.toml");
    for cmd in ["run", "trace"] {
        let mut args = vec![cmd, sweep.as_str()];
        if cmd == "trace" {
            args.extend(["--level", "1", "--trial", "0"]);
        }
        let o = dipcap(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("is a sweep file (it has a [sweep] table), not a scenario")
                && e.contains("run it with `dipcap sweep`"),
            "{cmd}: {e}"
        );
    }
    let o = dipcap(&["sweep", scenario.as_str(), "--quiet"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a scenario file (it has a [scenario] table), not a sweep file")
            && stderr(&o).contains("run it with `dipcap run`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn validate_checks_and_describes_sweep_files() {
    let dir = tempfile::tempdir().unwrap();
    let o = dipcap(&["validate", &shipped("baseline-sweep.toml")], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "valid sweep \"baseline-sweep\" of scenario",
        "design      sobol (128 samples): 1152 points + 15 one at a time",
        "runs        100 trials per point and level; levels 100% / 80% / 70%; seed 20261123",
        "parameter   crises.humanitarian.rate: 2 to 5 (scenario: 3.5)",
        "discovery   where response_rate < 0.9 (PRIM)",
    ] {
        assert!(out.contains(want), "no {want:?} in\n{out}");
    }
    // A broken sweep file is refused with its key, like a scenario.
    let text = std::fs::read_to_string(root().join("scenarios/baseline-sweep.toml"))
        .unwrap()
        .replace("samples = 128", "samples = 0")
        .replace(
            "scenario = \"baseline.toml\"",
            "scenario = \"../scenarios/baseline.toml\"",
        );
    std::fs::create_dir(dir.path().join("sweeps")).unwrap();
    let path = dir.path().join("sweeps/bad.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::create_dir(dir.path().join("scenarios")).unwrap();
    std::fs::copy(
        root().join("scenarios/baseline.toml"),
        dir.path().join("scenarios/baseline.toml"),
    )
    .unwrap();
    let o = dipcap(&["validate", path.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("key `sweep.samples`: 0 samples is out of range"),
        "{}",
        stderr(&o)
    );
    // The describing lines speak English: no debug text, singular for one.
    let o = dipcap(
        &["validate", &shipped("balkan-cooperation.toml")],
        dir.path(),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("1 joint procurement programme\n") && !out.contains("(s)"),
        "{out}"
    );
    assert!(!out.contains(" {") && !out.contains("Shock"), "{out}");
}

#[test]
fn a_grid_refuses_a_sample_count_it_would_ignore() {
    let dir = tempfile::tempdir().unwrap();
    let o = dipcap(
        &[
            "sweep",
            &shipped("baseline-sweep.toml"),
            "--design",
            "grid",
            "--samples",
            "4",
            "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("key `--samples`: a grid design takes no sample count")
            && e.contains("set `steps` on each [[parameter]]"),
        "{e}"
    );
}

#[test]
fn output_paths_no_file_system_takes_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = shipped("baseline.toml");
    let long = "x".repeat(300);
    let o = dipcap(&["run", &scenario, "--out", &long], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is 300 bytes long, more than the 200")
            && stderr(&o).contains("hint: choose a shorter folder name"),
        "{}",
        stderr(&o)
    );
    let link = dir.path().join("results");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
    let o = dipcap(
        &["run", &scenario, "--out", link.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a symbolic link to") && stderr(&o).contains("which does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("nowhere").exists());

    // A link to a folder (scratch storage, say) is followed: the folder gets the results and
    // the link stays a link.
    let real = dir.path().join("scratch");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("notes.txt"), "mine").unwrap();
    let link = dir.path().join("via-link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = dipcap(
        &[
            "run",
            &scenario,
            "--trials",
            "20",
            "--no-charts",
            "--quiet",
            "--out",
            link.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(real.join("summary.csv").is_file() && real.join("notes.txt").is_file());
}

#[test]
fn trace_warns_about_a_trial_beyond_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = shipped("baseline.toml");
    let trace = |trial: &str, out: &str| {
        dipcap(
            &[
                "trace", &scenario, "--level", "0.8", "--trial", trial, "--out", out,
            ],
            dir.path(),
        )
    };
    let o = trace("2000", "t.csv");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "warning: trial 2000 is beyond the scenario's 2000 trials (trials 0 to 1999)"
        ),
        "{}",
        stderr(&o)
    );
    let o = trace("1999", "u.csv");
    assert!(
        o.status.success() && !stderr(&o).contains("warning"),
        "{}",
        stderr(&o)
    );
}

fn run_small(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("run");
    let o = dipcap(
        &[
            "run",
            &shipped("baseline.toml"),
            "--trials",
            "40",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

/// `plot` draws only from the files the run wrote: each is checked against the seal the
/// manifest holds, and a file that lost rows is refused even when it still parses.
#[test]
fn plot_refuses_a_damaged_or_incomplete_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_small(dir.path());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let seals = manifest["seals"].as_object().unwrap();
    for f in [
        "trials.csv",
        "summary.csv",
        "summary.json",
        "yearly.csv",
        "percentiles.csv",
        "partners.csv",
        "partners_yearly.csv",
    ] {
        let seal = &seals[f];
        let bytes = std::fs::read(out.join(f)).unwrap();
        assert_eq!(seal["bytes"], bytes.len() as u64, "{f}");
        assert_eq!(
            seal["sha256"],
            dipcap::output::json::sha256_hex(&bytes),
            "{f}"
        );
    }
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));

    // A header-only summary.csv: refused by its seal, naming the file.
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let header = summary.lines().next().unwrap().to_string() + "\n";
    std::fs::write(out.join("summary.csv"), &header).unwrap();
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("summary.csv: holds") && e.contains("no longer matches the run's manifest.json"),
        "{e}"
    );

    // Without seals (a folder from before them), the rows are counted instead.
    let mut m = manifest.clone();
    m.as_object_mut().unwrap().remove("seals");
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("summary.csv: has no row for")
            && stderr(&o).contains("the file is incomplete"),
        "{}",
        stderr(&o)
    );
    std::fs::write(out.join("summary.csv"), summary.clone()).unwrap();
    let yearly = std::fs::read_to_string(out.join("yearly.csv")).unwrap();
    let cut: Vec<&str> = yearly.lines().collect();
    std::fs::write(
        out.join("yearly.csv"),
        cut[..cut.len() - 1].join("\n") + "\n",
    )
    .unwrap();
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("yearly.csv: has no 10 rows for"),
        "{}",
        stderr(&o)
    );
}

/// A heat map row per partner stays legible with hundreds of partners: it shows the 24 whose
/// trust falls most and says so; partners.csv keeps them all.
#[test]
fn the_partner_heat_map_stays_legible_with_many_partners() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = table(&root().join("tests/bad_scenarios/base.toml"));
    let partners = t["partners"].as_array_mut().unwrap();
    for k in 0..300 {
        let mut p = toml::Table::new();
        p.insert("name".into(), format!("Partner {k:03}").into());
        p.insert("kind".into(), "partner".into());
        p.insert("region".into(), format!("r{}", k % 7).into());
        partners.push(toml::Value::Table(p));
    }
    let path = dir.path().join("many.toml");
    std::fs::write(&path, toml::to_string(&t).unwrap()).unwrap();
    let out = dir.path().join("out");
    let o = dipcap(
        &[
            "run",
            path.to_str().unwrap(),
            "--trials",
            "20",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(out.join("charts/partners-trust.svg")).unwrap();
    assert!(
        svg.contains(&format!(
            "the {} of 302 partners whose trust falls most",
            dipcap::charts::partners::MAX_ROWS
        )),
        "no note of the partners left out"
    );
    // Each row's name is a text element of its own line.
    let rows = svg
        .lines()
        .filter(|l| {
            l.strip_prefix("Partner ")
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
                || *l == "Ally One"
                || *l == "Neighbour"
        })
        .count();
    assert_eq!(rows, dipcap::charts::partners::MAX_ROWS, "partner rows");
    let csv = std::fs::read_to_string(out.join("partners.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 302 * 2);
}
