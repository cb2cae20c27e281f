//! The binary as a user meets it: run, validate, trace, help.

use crate::common::*;

#[test]
fn run_writes_every_output_with_the_documented_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("res");
    let o = dipcap(
        &[
            "run",
            scenario_path("baseline").to_str().unwrap(),
            "--trials",
            "40",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("response_rate") && stdout.contains("70%"),
        "{stdout}"
    );
    for f in [
        "trials.csv",
        "yearly.csv",
        "summary.csv",
        "summary.json",
        "partners.csv",
        "partners_yearly.csv",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let trials = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    let header: Vec<&str> = trials.lines().next().unwrap().split(',').collect();
    for col in [
        "level",
        "trial",
        "crises",
        "crises_answered",
        "response_rate",
        "exercises_planned",
        "exercises_held",
        "trust_mean",
        "dci",
    ] {
        assert!(header.contains(&col), "trials.csv lacks {col}");
    }
    assert_eq!(
        trials.lines().count(),
        1 + 40 * 4,
        "one row per level and trial"
    );
    assert!(trials.lines().nth(1).unwrap().starts_with("1,0,"));
    assert!(trials.lines().nth(41).unwrap().starts_with("0.9,0,"));

    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("level,metric,unit,n,mean,sd,se,ci95_lo,ci95_hi,p5,p25,p50,p75,p95,diff_mean,diff_ci95_lo,diff_ci95_hi\n"));
    let yearly = std::fs::read_to_string(out.join("yearly.csv")).unwrap();
    assert!(yearly.starts_with("level,year,fiscal_year,metric,unit,mean,p5,p25,p50,p75,p95\n"));

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["trials"], 40);
    assert_eq!(manifest["seed"], 20261122u64);
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(manifest["generator"].as_str().unwrap().contains("Pcg64Mcg"));
    assert!(
        manifest["crates"]["rand_distr"].is_string() && manifest["crates"]["rand_pcg"].is_string()
    );
    assert_eq!(manifest["levels"], serde_json::json!([1.0, 0.9, 0.8, 0.7]));
    assert!(manifest["wall_seconds"].as_f64().unwrap() > 0.0);

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let first = &json["summary"][0];
    assert_eq!(first["level"], 1.0);
    assert!(first["ci95"].as_array().unwrap().len() == 2);
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn default_output_folder_is_output_scenario_name() {
    let dir = tempfile::tempdir().unwrap();
    let o = dipcap(
        &[
            "run",
            scenario_path("baseline").to_str().unwrap(),
            "--trials",
            "5",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    assert!(dir.path().join("output/baseline/summary.csv").is_file());
}

#[test]
fn validate_prints_a_summary() {
    let o = dipcap(
        &["validate", scenario_path("baseline").to_str().unwrap()],
        &root(),
    );
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("valid scenario \"baseline\""));
    assert!(
        text.contains("13 (9 allies, 2 partners, 2 regional)"),
        "{text}"
    );
    assert!(text.lines().count() < 25, "fits one screen");
}

#[test]
fn trace_explains_a_trial_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.csv");
    let o = dipcap(
        &[
            "trace",
            scenario_path("baseline").to_str().unwrap(),
            "--level",
            "0.7",
            "--trial",
            "3",
            "--out",
            file.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time_days,fiscal_year,day_of_year,event,subject,details"
    );
    let mut last = 0.0;
    let mut kinds = std::collections::BTreeSet::new();
    for l in lines {
        let mut f = l.splitn(5, ',');
        let t: f64 = f.next().unwrap().parse().unwrap();
        assert!(t >= last, "events out of order at {l}");
        last = t;
        kinds.insert(f.nth(2).unwrap().to_string());
    }
    for k in [
        "year_start",
        "year_end",
        "crisis_arrival",
        "exercise_start",
        "pledge_check",
    ] {
        assert!(kinds.contains(k), "trace lacks {k}: {kinds:?}");
    }
    // The same trial traced to stdout gives the same bytes.
    let o2 = dipcap(
        &[
            "trace",
            scenario_path("baseline").to_str().unwrap(),
            "--level",
            "0.7",
            "--trial",
            "3",
        ],
        dir.path(),
    );
    assert_eq!(o2.stdout, text.as_bytes());
}

#[test]
fn trace_rejects_a_level_not_in_the_scenario() {
    let o = dipcap(
        &[
            "trace",
            scenario_path("baseline").to_str().unwrap(),
            "--level",
            "0.75",
            "--trial",
            "0",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("0.75 is not one of the scenario's budget levels"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("1, 0.9, 0.8, 0.7"));
}

#[test]
fn help_explains_the_commands() {
    let o = dipcap(&["--help"], &root());
    let text = String::from_utf8_lossy(&o.stdout);
    for w in ["run", "validate", "trace", "docs/MODEL.md", "Examples"] {
        assert!(text.contains(w), "--help lacks {w}");
    }
    let o = dipcap(&["run", "--help"], &root());
    let text = String::from_utf8_lossy(&o.stdout);
    for w in ["--trials", "--seed", "--threads", "--out", "--quiet"] {
        assert!(text.contains(w), "run --help lacks {w}");
    }
}

/// `dipcap schema` is valid JSON Schema and accepts every shipped scenario (and the sweep
/// schema the shipped sweep); it rejects a misspelt key as the reader does.
#[test]
fn schema_accepts_the_shipped_files_and_rejects_unknown_keys() {
    let to_json = |path: &std::path::Path| -> serde_json::Value {
        let t: toml::Value = std::fs::read_to_string(path)
            .unwrap()
            .parse::<toml::Table>()
            .unwrap()
            .into();
        serde_json::to_value(t).unwrap()
    };
    let o = dipcap(&["schema"], &root());
    assert!(o.status.success(), "{}", stderr(&o));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(schema["title"], "dipcap scenario");
    let v = jsonschema::validator_for(&schema).unwrap();
    for name in SHIPPED {
        let doc = to_json(&scenario_path(name));
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    let doc = to_json(&root().join("tests/bad_scenarios/base.toml"));
    assert!(v.is_valid(&doc));
    let mut bad = doc.clone();
    bad["forces"]["unitz"] = serde_json::json!(4);
    assert!(!v.is_valid(&bad), "unknown keys are rejected");
    let mut bad = doc.clone();
    bad["budget"]["cut"]["profile"] = serde_json::json!("gradual");
    assert!(!v.is_valid(&bad), "enumerated values are checked");
    let mut bad = doc;
    bad["crises"][0]["duration_days"] =
        serde_json::json!({"dist": "lognormal", "mean": 1.0, "sigma": 2.0});
    assert!(!v.is_valid(&bad), "distribution tables are checked");

    let o = dipcap(&["schema", "--sweep"], &root());
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(v.is_valid(&to_json(&root().join("scenarios/baseline-sweep.toml"))));
}

/// `dipcap init` writes a commented scenario that validates and runs, and never overwrites.
#[test]
fn init_writes_a_starter_that_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let o = dipcap(&["init", "myland"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("myland.toml")).unwrap();
    assert!(text.contains("name = \"myland\"") && text.contains("docs/MODEL.md"));
    assert!(
        text.lines()
            .filter(|l| l.trim_start().starts_with('#') || l.contains(" # "))
            .count()
            > 30,
        "commented"
    );
    let o = dipcap(&["validate", "myland.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = dipcap(
        &["run", "myland.toml", "--trials", "30", "--quiet"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("output/myland/report.html").is_file());
    let o = dipcap(&["init", "myland"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let o = dipcap(&["init", "../escape"], dir.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn trace_never_overwrites_a_scenario_a_folder_or_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("x.toml");
    std::fs::copy(scenario_path("baseline"), &scenario).unwrap();
    let notes = dir.path().join("notes.csv");
    std::fs::write(&notes, "my,own\\n1,2\\n").unwrap();
    let before = std::fs::read(&scenario).unwrap();
    let trace_to = |out: &std::path::Path| {
        dipcap(
            &[
                "trace",
                scenario.to_str().unwrap(),
                "--level",
                "0.7",
                "--trial",
                "1",
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        )
    };
    for (out, says) in [
        (
            scenario.as_path(),
            "is a TOML file (a scenario?), not a trace",
        ),
        (dir.path(), "is a folder"),
        (notes.as_path(), "exists and is not a trace dipcap wrote"),
    ] {
        let o = trace_to(out);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
        assert!(stderr(&o).contains("hint:"), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read(&scenario).unwrap(),
        before,
        "the scenario is untouched"
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my,own\\n1,2\\n");
    // A trace it wrote itself is replaced, as a rerun expects.
    let file = dir.path().join("t.csv");
    assert!(trace_to(&file).status.success());
    let o = trace_to(&file);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn init_takes_a_file_name_and_threads_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let o = dipcap(&["init", "myland.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("myland.toml").is_file());
    assert!(!dir.path().join("myland.toml.toml").exists());
    let text = std::fs::read_to_string(dir.path().join("myland.toml")).unwrap();
    assert!(
        text.contains("name = \"myland\""),
        "the scenario is named myland"
    );
    // Ten thousand worker threads would hang the machine: refused before anything runs.
    let o = dipcap(
        &["run", "myland.toml", "--threads", "10000", "--trials", "2"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("10000 is not in 0..=1024"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("output").exists());
}

/// `--target-ci` stopped by `--max-trials` says so on stderr and in the manifest (with the
/// half-width reached); a target met says nothing and records `met`.
#[test]
fn an_unmet_precision_target_is_reported_not_silent() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("sequestration");
    for (target, met) in [("response_rate=0.0001", false), ("response_rate=0.5", true)] {
        let out = dir.path().join(if met { "met" } else { "unmet" });
        let o = dipcap(
            &[
                "run",
                scenario.to_str().unwrap(),
                "--quiet",
                "--no-charts",
                "--target-ci",
                target,
                "--max-trials",
                "400",
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            stderr(&o).contains("not met after 400 trials"),
            !met,
            "{}",
            stderr(&o)
        );
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["precision"]["met"], serde_json::json!(met));
        let reached = m["precision"]["targets"][0]["achieved"].as_f64().unwrap();
        assert!(
            reached > 0.0 && (reached <= 0.5) == met || !met,
            "{reached}"
        );
    }
}
