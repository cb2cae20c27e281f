//! Bad input: each broken scenario gets a message naming the file, the key, what is wrong and
//! how to fix it; exit code 2; and no output folder.

use crate::common::*;

/// (case, text to replace in baseline.toml, replacement, expected fragments of the message)
const CASES: &[(&str, &str, &str, &[&str])] = &[
    (
        "misspelt key",
        "rate = 3.5 ",
        "rte = 3.5 ",
        &[
            "key `crises[0].rte`",
            "unknown key `rte`",
            "hint: check the spelling",
            "rate",
        ],
    ),
    (
        "negative rate",
        "rate = 3.5 ",
        "rate = -3.5 ",
        &[
            "key `crises[0].rate`",
            "-3.5 is negative",
            "use a value from 0 to 10000 (crises per year)",
        ],
    ),
    (
        "shares do not sum to 1",
        "personnel = 0.50 ",
        "personnel = 0.55 ",
        &[
            "key `budget.shares`",
            "budget shares sum to 1.05",
            "add up to exactly 1",
        ],
    ),
    (
        "unknown partner",
        "partners = [\"Germany\"]",
        "partners = [\"Germani\"]",
        &[
            "key `exercises[1].partners[0]`",
            "unknown partner \"Germani\"",
            "use a name from [[partners]]",
        ],
    ),
    (
        "zero years",
        "years = 10 ",
        "years = 0 ",
        &["key `scenario.years`", "0 is out of range", "from 1 to 200"],
    ),
    (
        "impossible distribution",
        "mean = 60.0, sd = 30.0 }",
        "mean = 60.0, sd = -30.0 }",
        &[
            "key `crises[0].duration_days.sd`",
            "lognormal needs mean > 0 and sd >= 0",
        ],
    ),
    (
        "unknown distribution",
        "dist = \"gamma\"",
        "dist = \"gama\"",
        &[
            "key `crises[1].duration_days.dist`",
            "unknown distribution \"gama\"",
            "use one of: constant, uniform",
        ],
    ),
    (
        "parameter of another distribution",
        "dist = \"exponential\", mean = 2.0 }",
        "dist = \"exponential\", mean = 2.0, sd = 1.0 }",
        &[
            "key `crises[0].detection_days.sd`",
            "not a parameter of dist = \"exponential\"",
        ],
    ),
    (
        "duplicate partner",
        "name = \"France\"",
        "name = \"Germany\"",
        &[
            "key `partners[2].name`",
            "duplicate partner name \"Germany\"",
        ],
    ),
    (
        "wrong type",
        "years = 10 ",
        "years = \"ten\" ",
        &["key `scenario.years`", "invalid type", "numbers unquoted"],
    ),
    (
        "not a number",
        "baseline = 12000.0",
        "baseline = nan",
        &["key `budget.baseline`", "not a finite number"],
    ),
    (
        "affected shares",
        "\"Serbia\" = 0.2, \"Bosnia and Herzegovina\" = 0.25",
        "\"Serbia\" = 0.3, \"Bosnia and Herzegovina\" = 0.25",
        &[
            "key `crises[2].affected`",
            "affected-partner shares sum to 1.1",
        ],
    ),
    (
        "unknown cut policy",
        "policy = \"proportional\"",
        "policy = \"evenly\"",
        &[
            "key `budget.cut.policy`",
            "\"evenly\" is not a known value",
            "\"sticky_personnel\"",
        ],
    ),
    (
        "trust out of range",
        "trust = 0.75\ninteroperability = 0.65",
        "trust = 1.75\ninteroperability = 0.65",
        &[
            "key `partners[0].trust`",
            "1.75 is out of range",
            "from 0 to 1",
        ],
    ),
    (
        "missing table",
        "[forces]",
        "[forcez]",
        &["unknown key `forcez`"],
    ),
    (
        "exercise past year end",
        "start_day = 310.0\nduration_days = 10.0",
        "start_day = 360.0\nduration_days = 10.0",
        &[
            "key `exercises[11].duration_days`",
            "past the end of the fiscal year",
        ],
    ),
];

fn check_rejected(args: &[&str], dir: &std::path::Path, expected: &[&str], case: &str) {
    let o = dipcap(args, dir);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{case}: exit code; stderr: {}",
        stderr(&o)
    );
    let msg = stderr(&o);
    for e in expected {
        assert!(msg.contains(e), "{case}: message lacks {e:?}:\n{msg}");
    }
    assert!(
        !dir.join("output").exists(),
        "{case}: an output folder was created"
    );
}

#[test]
fn each_broken_scenario_is_named_and_rejected_with_code_2() {
    let original = std::fs::read_to_string(scenario_path("baseline")).unwrap();
    for (case, from, to, expected) in CASES {
        assert!(
            original.contains(from),
            "{case}: baseline.toml no longer contains {from:?}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("broken.toml");
        std::fs::write(&file, original.replacen(from, to, 1)).unwrap();
        let mut expected = expected.to_vec();
        let shown = file.display().to_string();
        expected.push(&shown);
        expected.push("hint:");
        check_rejected(
            &["run", file.to_str().unwrap()],
            dir.path(),
            &expected,
            case,
        );
        check_rejected(
            &["validate", file.to_str().unwrap()],
            dir.path(),
            &expected,
            case,
        );
    }
}

#[test]
fn toml_syntax_errors_give_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("syntax.toml");
    let original = std::fs::read_to_string(scenario_path("baseline")).unwrap();
    std::fs::write(
        &file,
        original.replacen("name = \"baseline\"", "name = baseline\"", 1),
    )
    .unwrap();
    check_rejected(
        &["run", file.to_str().unwrap()],
        dir.path(),
        &["line 9, column 8", "TOML syntax error", "hint:"],
        "syntax",
    );
}

#[test]
fn unreadable_inputs_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    check_rejected(
        &["run", "no-such-file.toml"],
        dir.path(),
        &[
            "cannot read scenario file no-such-file.toml",
            "hint: check the path",
        ],
        "missing file",
    );
    std::fs::create_dir(dir.path().join("folder.toml")).unwrap();
    check_rejected(
        &["run", "folder.toml"],
        dir.path(),
        &["it is a folder, not a file"],
        "folder",
    );
    std::fs::write(
        dir.path().join("latin1.toml"),
        b"[scenario]\nname = \"caf\xe9\"\n",
    )
    .unwrap();
    check_rejected(
        &["validate", "latin1.toml"],
        dir.path(),
        &["line 2", "not valid UTF-8", "save the file as UTF-8"],
        "non-UTF-8",
    );
}

#[test]
fn bad_options_are_rejected_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_path("baseline");
    check_rejected(
        &["run", path.to_str().unwrap(), "--trials", "0"],
        dir.path(),
        &["--trials", "0 trials is out of range"],
        "zero trials",
    );
    std::fs::write(dir.path().join("afile"), b"x").unwrap();
    let o = dipcap(
        &[
            "run",
            path.to_str().unwrap(),
            "--trials",
            "2",
            "--out",
            "afile",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("exists and is not a folder"));
}

#[test]
fn unknown_top_level_key_is_named_once() {
    let mut t = table(&scenario_path("baseline"));
    t.insert("yeers".into(), 3.into());
    let e = from_table(&t).unwrap_err().to_string();
    assert!(e.contains("key `yeers`: unknown key `yeers`"), "{e}");
}

/// Every file (and folder) under `dir`, relative, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The catalogue in `tests/bad_scenarios/`: each broken input gets exactly its message, exit
/// code 2, and leaves the folder as it was.
#[test]
fn bad_input_catalogue_gets_exact_messages_and_writes_nothing() {
    #[derive(serde::Deserialize)]
    struct Case {
        what: String,
        file: String,
        #[serde(default)]
        args: Vec<String>,
        expect: String,
    }
    #[derive(serde::Deserialize)]
    struct Catalogue {
        case: Vec<Case>,
    }
    let src = root().join("tests/bad_scenarios");
    let catalogue: Catalogue =
        toml::from_str(&std::fs::read_to_string(src.join("cases.toml")).unwrap()).unwrap();
    assert!(
        catalogue.case.len() >= 30,
        "the catalogue has {} cases",
        catalogue.case.len()
    );
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src, dir.path());
    let before = listing(dir.path());
    // Every broken file of the folder is in the catalogue.
    for name in before
        .iter()
        .filter(|n| n.ends_with(".toml") && !n.contains('/'))
    {
        if name != "base.toml" && name != "cases.toml" {
            assert!(
                catalogue.case.iter().any(|c| &c.file == name),
                "{name} has no case"
            );
        }
    }
    // The base is valid: each case fails because of its one change.
    let o = dipcap(&["validate", "base.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for c in &catalogue.case {
        let mut args = vec!["run", c.file.as_str()];
        args.extend(c.args.iter().map(String::as_str));
        let o = dipcap(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{}: {}", c.what, stderr(&o));
        assert_eq!(stderr(&o), c.expect, "{} ({})", c.what, c.file);
        assert!(o.stdout.is_empty(), "{}", c.what);
        assert_eq!(
            listing(dir.path()),
            before,
            "{}: something was written",
            c.what
        );
    }
}
