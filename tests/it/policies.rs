//! `[[policies]]`: compared on the same trials as the scenario as written, with exact zeros
//! where nothing differs, a real difference where a lever matters, byte-identical at any thread
//! count; and every bad policy refused with the policy and key named.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::common::*;

const POLICIES: &str = r#"
[[policies]]
name = "protect engagement"
description = "the engagement line keeps its money"
set = { "budget.cut.policy" = "protected", "budget.cut.protected" = ["engagement"] }

[[policies]]
name = "as the file says"
set = { "budget.cut.policy" = "proportional" }

[[policies]]
name = "keep Poland's post"
set = { "posts.Poland.priority" = 1, "budget.engagement_order" = ["posts", "programmes", "exercises"] }
"#;

/// The baseline scenario with `extra` appended, in `dir`.
fn with_policies(dir: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(scenario_path("baseline")).unwrap() + extra;
    let path = dir.join("policies.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(dir: &Path, scenario: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--trials",
        "120",
        "--quiet",
        "--no-charts",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    dipcap(&args, dir)
}

type Rows = HashMap<(String, String, String), HashMap<String, String>>;

fn rows(path: &Path) -> Rows {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.deserialize::<HashMap<String, String>>()
        .map(|x| {
            let x = x.unwrap();
            (
                (x["policy"].clone(), x["level"].clone(), x["metric"].clone()),
                x,
            )
        })
        .collect()
}

#[test]
fn policies_are_compared_on_the_same_trials() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = with_policies(dir.path(), POLICIES);
    let o = run(dir.path(), &scenario, "one", &["--threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(dir.path(), &scenario, "two", &["--threads", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let one = std::fs::read(dir.path().join("one/policies.csv")).unwrap();
    assert_eq!(
        one,
        std::fs::read(dir.path().join("two/policies.csv")).unwrap(),
        "policies.csv differs between 1 and 2 threads"
    );
    let r = rows(&dir.path().join("one/policies.csv"));
    let s = load(&scenario);
    assert_eq!(s.policies.len(), 3);
    assert_eq!(
        r.len(),
        4 * s.budget.levels.len() * dipcap::metrics::Metric::ALL.len()
    );
    let get = |p: &str, l: &str, m: &str, k: &str| -> f64 {
        r[&(p.to_string(), l.to_string(), m.to_string())][k]
            .parse()
            .unwrap()
    };
    // summary.csv has every policy's rows (the scenario as written is the run itself), with
    // the means of policies.csv; the scenario as written differs from itself by exactly 0.
    let mut summary = csv::Reader::from_path(dir.path().join("one/summary.csv")).unwrap();
    let mut seen = 0;
    for row in summary.deserialize::<HashMap<String, String>>() {
        let row = row.unwrap();
        let key = (
            row["policy"].clone(),
            row["level"].clone(),
            row["metric"].clone(),
        );
        let (a, b): (f64, f64) = (
            r[&key]["mean"].parse().unwrap(),
            row["mean"].parse().unwrap(),
        );
        assert!(
            a == b || (a - b).abs() <= 1e-12 * a.abs().max(1.0) || (a.is_nan() && b.is_nan()),
            "{key:?}: {a} in policies.csv, {b} in summary.csv"
        );
        if key.0 == "as written" {
            assert_eq!(r[&key]["diff_mean"], "0", "{key:?}");
        }
        seen += 1;
    }
    assert_eq!(
        seen,
        r.len(),
        "summary.csv has a row per policy, level and metric"
    );
    for f in ["summary.csv", "trials.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("one").join(f)).unwrap(),
            std::fs::read(dir.path().join("two").join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    // A policy that sets what the file already says is the scenario itself, trial by trial.
    for ((p, l, m), row) in &r {
        if p == "as the file says" {
            let base = &r[&("as written".to_string(), l.clone(), m.clone())];
            assert_eq!(row["mean"], base["mean"], "{l} {m}");
            assert_eq!(row["diff_mean"], "0", "{l} {m}");
            assert_eq!(row["diff_ci95_lo"], "0", "{l} {m}");
        }
    }
    // At full budget nothing is cut, so protecting a line changes nothing; at 70% protecting
    // engagement keeps every post open (the file closes 3 of 40 post-months' worth) and the
    // DCI higher, beyond the paired interval.
    for m in ["dci", "posts_open", "trust_mean", "response_rate"] {
        assert_eq!(get("protect engagement", "1", m, "diff_mean"), 0.0, "{m}");
    }
    assert_eq!(get("protect engagement", "0.7", "posts_open", "mean"), 1.0);
    assert!(get("protect engagement", "0.7", "dci", "diff_ci95_lo") > 0.02);
    assert!(get("protect engagement", "0.7", "trust_mean", "diff_ci95_lo") > 0.0);
    // Paired: the difference's interval is far narrower than the means'.
    let width = |k_lo: &str, k_hi: &str| {
        get("protect engagement", "0.7", "dci", k_hi)
            - get("protect engagement", "0.7", "dci", k_lo)
    };
    assert!(width("diff_ci95_lo", "diff_ci95_hi") * 4.0 < width("ci95_lo", "ci95_hi"));
    // The terminal names each policy with its difference at the deepest level.
    let o = dipcap(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--trials",
            "40",
            "--no-charts",
            "--out",
            "three",
        ],
        dir.path(),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("policies at 70% against the scenario as written"),
        "{out}"
    );
    assert!(out.contains("  protect engagement: DCI +0.0"), "{out}");
    // validate lists the policies and their changes.
    let o = dipcap(&["validate", scenario.to_str().unwrap()], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("policy      protect engagement: budget.cut.policy = \"protected\", budget.cut.protected = [\"engagement\"]"),
        "{out}"
    );
    // The manifest lists and seals the file.
    let manifest = std::fs::read_to_string(dir.path().join("one/manifest.json")).unwrap();
    assert!(manifest.contains("\"policies.csv\""), "{manifest}");
}

#[test]
fn a_scenario_without_policies_writes_no_policies_csv() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = with_policies(dir.path(), "");
    let o = run(dir.path(), &scenario, "out", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("out/policies.csv").exists());
    for f in ["trials.csv", "summary.csv"] {
        let text = std::fs::read_to_string(dir.path().join("out").join(f)).unwrap();
        assert!(text.starts_with("level,"), "{f} has no policy column");
    }
}

/// With policies, trials.csv and summary.csv gain a leading `policy` column and every
/// policy's rows; the scenario as written's rows are, byte for byte, those of the same run
/// without policies, and each policy has a row per level and trial.
#[test]
fn trials_and_summary_have_a_row_per_policy() {
    let dir = tempfile::tempdir().unwrap();
    let with = with_policies(dir.path(), POLICIES);
    let o = run(dir.path(), &with, "with", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let without = dir.path().join("plain.toml");
    std::fs::copy(scenario_path("baseline"), &without).unwrap();
    let o = run(dir.path(), &without, "without", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let levels = load(&without).budget.levels.len();
    for f in ["trials.csv", "summary.csv"] {
        let a = std::fs::read_to_string(dir.path().join("with").join(f)).unwrap();
        let b = std::fs::read_to_string(dir.path().join("without").join(f)).unwrap();
        let mut lines = a.lines();
        assert_eq!(
            lines.next().unwrap(),
            format!("policy,{}", b.lines().next().unwrap())
        );
        let mut count: HashMap<String, usize> = HashMap::new();
        let mut written = Vec::new();
        for line in lines {
            let (policy, rest) = if let Some(rest) = line.strip_prefix('"') {
                let (p, rest) = rest.split_once("\",").unwrap();
                (p.to_string(), rest)
            } else {
                let (p, rest) = line.split_once(',').unwrap();
                (p.to_string(), rest)
            };
            if policy == "as written" {
                written.push(rest.to_string());
            }
            *count.entry(policy).or_default() += 1;
        }
        assert_eq!(
            written,
            b.lines().skip(1).map(str::to_string).collect::<Vec<_>>(),
            "{f}: the scenario as written's rows are the run's own"
        );
        let per = b.lines().count() - 1;
        for p in [
            "as written",
            "protect engagement",
            "as the file says",
            "keep Poland's post",
        ] {
            assert_eq!(count[p], per, "{f}: rows of {p}");
        }
        if f == "trials.csv" {
            assert_eq!(per, 120 * levels);
        }
    }
}

#[test]
fn bad_policies_are_refused_naming_the_policy_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[policies]]\nname = \"a\"\nset = { \"budget.baseline\" = 1.0 }\n",
            "policies[0].set.\"budget.baseline\"",
            "not a lever",
        ),
        (
            "[[policies]]\nname = \"a\"\nset = { \"budget.cut.policy\" = 3 }\n",
            "policies[0].set.\"budget.cut.policy\"",
            "holds string, not integer",
        ),
        (
            "[[policies]]\nname = \"a\"\nset = { \"posts.Narnia.priority\" = 1 }\n",
            "policies[0].set.\"posts.Narnia.priority\"",
            "no element named `Narnia`",
        ),
        (
            "[[policies]]\nname = \"a\"\nset = { \"budget.cut.policy\" = \"generous\" }\n",
            "policies[0].set",
            "with policy \"a\" the scenario is not valid",
        ),
        (
            "[[policies]]\nname = \"a\"\nset = { \"budget.cut.policy\" = \"protected\" }\n[[policies]]\nname = \"a\"\nset = { \"budget.cut.policy\" = \"protected\" }\n",
            "policies[1].name",
            "a second policy is named \"a\"",
        ),
        (
            "[[policies]]\nname = \"a\"\nset = {}\n",
            "policies[0].set",
            "changes nothing",
        ),
        (
            "[[policies]]\nname = \"as written\"\nset = { \"budget.cut.policy\" = \"protected\" }\n",
            "policies[0].name",
            "cannot name a policy",
        ),
        (
            "[[policies]]\nset = { \"budget.cut.policy\" = \"protected\" }\n",
            "policies[0]",
            "name",
        ),
    ];
    for (extra, key, problem) in cases {
        let scenario = with_policies(dir.path(), &format!("\n{extra}"));
        let o = dipcap(&["validate", scenario.to_str().unwrap()], dir.path());
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{extra}: {e}");
        assert!(
            e.contains(key) && e.contains(problem) && e.contains("hint:"),
            "{extra}: {e}"
        );
    }
}

/// The shipped Balkan scenario compares two other ways of absorbing the cut; the
/// report's section names the one with the largest paired DCI difference at the deepest cut,
/// with the figures of policies.csv, and `dipcap plot` redraws it from the files.
#[test]
fn the_report_says_which_way_of_cutting_loses_least() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path("balkan-cooperation");
    let o = dipcap(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--trials",
            "80",
            "--quiet",
            "--out",
            "balkan",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("balkan");
    let r = rows(&out.join("policies.csv"));
    let (best, diff) = r
        .iter()
        .filter(|((p, l, m), _)| l == "0.7" && m == "dci" && p != "as written")
        .map(|((p, _, _), row)| (p.clone(), row["diff_mean"].parse::<f64>().unwrap()))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<section id=\"policies\">"));
    let verdict = format!("&quot;{best}&quot; loses least at 70% of baseline: its DCI is");
    assert!(report.contains(&verdict), "no {verdict:?}");
    assert!(report.contains(&format!("a paired difference of +{diff:.3}")));
    // Its chart: a row per policy, the one that keeps most first.
    assert!(report.contains("id=\"chart-policies-dci\""));
    // What each way of cutting is: its description and the levers it sets.
    assert!(
        report.contains("<strong>protect engagement</strong> — the engagement line (posts, programmes, exercises) keeps its money")
            && report.contains("budget.cut.policy = &quot;protected&quot;; budget.cut.protected = [&quot;engagement&quot;]"),
        "the report says what each policy changes"
    );
    let svg = std::fs::read_to_string(out.join("charts/policies-dci.svg")).unwrap();
    assert!(svg.contains("Which way of cutting loses least") && svg.contains(&best));
    let before = report.clone();
    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("report.html")).unwrap(),
        before
    );
}

/// `dipcap optimise` on the baseline with the cut's parts searched: the winner gains over
/// the proportional cut on fresh trials, its CI excludes zero, and optimise.csv and
/// policy.toml are byte-identical at one and two threads.
#[test]
fn optimise_finds_a_better_cut_and_is_the_same_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    // The baseline's own [search]: the cut's split over personnel, operations, the reserve
    // and engagement.
    let scenario = scenario_path("baseline");
    let go = |threads: &str, out: &str| {
        let out = dir.path().join(out);
        let o = dipcap(
            &[
                "optimise",
                scenario.to_str().unwrap(),
                "--level",
                "0.8",
                "--objective",
                "dci",
                "--trials",
                "32",
                "--evaluations",
                "48",
                "--fresh-trials",
                "200",
                "--threads",
                threads,
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    };
    go("1", "one");
    go("2", "two");
    for f in [
        "optimise.csv",
        "policy.toml",
        "charts/optimise-search.svg",
        "charts/optimise-best.png",
    ] {
        let a = std::fs::read(dir.path().join("one").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(f)).unwrap();
        assert_eq!(a, b, "{f} differs between 1 and 2 threads");
    }
    let csv = std::fs::read_to_string(dir.path().join("two/optimise.csv")).unwrap();
    let fresh: Vec<&str> = csv
        .lines()
        .filter(|l| l.contains(",fresh,") && l.contains(",dci,"))
        .collect();
    assert_eq!(fresh.len(), 1, "one winner re-estimated on fresh trials");
    let cells: Vec<f64> = fresh[0]
        .rsplit(',')
        .take(3)
        .map(|c| c.parse().unwrap())
        .collect();
    let (hi, lo, mean) = (cells[0], cells[1], cells[2]);
    assert!(
        lo > 0.0 && mean > lo && hi > mean,
        "fresh gain {mean} ({lo}, {hi})"
    );
    let toml = std::fs::read_to_string(dir.path().join("two/policy.toml")).unwrap();
    assert!(toml.contains("[[policies]]") && toml.contains("\"budget.cut.policy\" = \"shares\""));
    assert!(!toml.contains("WARNING"), "{toml}");

    // Too few evaluations to screen the corners: the best of 16 candidates loses to the
    // proportional cut (every one cuts engagement), and both the terminal and policy.toml say so.
    let o = dipcap(
        &[
            "optimise",
            scenario.to_str().unwrap(),
            "--level",
            "0.8",
            "--objective",
            "dci",
            "--trials",
            "32",
            "--evaluations",
            "16",
            "--fresh-trials",
            "200",
            "--out",
            "few",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains(
            "WARNING: on the fresh trials it does not beat the scenario as written in dci"
        ) && said.contains("give --evaluations 41 or more"),
        "{said}"
    );
    let toml = std::fs::read_to_string(dir.path().join("few/policy.toml")).unwrap();
    assert!(
        toml.contains("# WARNING: \"optimised\" does not beat"),
        "{toml}"
    );
}

/// The expected fraction of arrivals blocked over `days` in an M/M/c/c loss system that starts
/// empty: (1/T)·∫₀ᵀ P_c(t) dt, from the birth–death chain's forward equations (RK4, step 0.05
/// day). Over long horizons this tends to Erlang B; the start-empty transient keeps it below.
fn blocked_share_from_empty(c: usize, lambda: f64, mu: f64, days: f64) -> f64 {
    let deriv = |p: &[f64]| -> Vec<f64> {
        (0..=c)
            .map(|k| {
                let birth_in = if k > 0 { lambda * p[k - 1] } else { 0.0 };
                let death_in = if k < c {
                    (k + 1) as f64 * mu * p[k + 1]
                } else {
                    0.0
                };
                let out = (if k < c { lambda } else { 0.0 }) + k as f64 * mu;
                birth_in + death_in - out * p[k]
            })
            .collect()
    };
    let h = 0.05;
    let steps = (days / h).round() as usize;
    let mut p = vec![0.0; c + 1];
    p[0] = 1.0;
    let mut integral = 0.0;
    let step = |p: &[f64], d: &[f64], s: f64| -> Vec<f64> {
        p.iter().zip(d).map(|(x, y)| x + s * y).collect()
    };
    for _ in 0..steps {
        let k1 = deriv(&p);
        let k2 = deriv(&step(&p, &k1, h / 2.0));
        let k3 = deriv(&step(&p, &k2, h / 2.0));
        let k4 = deriv(&step(&p, &k3, h));
        let next: Vec<f64> = (0..=c)
            .map(|k| p[k] + h / 6.0 * (k1[k] + 2.0 * k2[k] + 2.0 * k3[k] + k4[k]))
            .collect();
        // The trapezoid rule on P_c between the steps.
        integral += h / 2.0 * (p[c] + next[c]);
        p = next;
    }
    integral / days
}

/// The optimiser's analytic test (tests/fixtures/one-line.toml): only the personnel line pays
/// the crisis servers, so the best way to take a 20% cut is to spare personnel, which keeps 4
/// servers where the proportional cut leaves 3. The search must find such an allocation, and
/// its gain in the response rate on fresh trials must hold, within its 95% CI, the exact gain
/// of 4 servers over 3 for this horizon: B₃ − B₄ with the start-empty transient of each.
#[test]
fn optimise_finds_the_known_best_cut_and_its_fresh_gain_holds_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/one-line.toml");
    let out = dir.path().join("opt");
    let o = dipcap(
        &[
            "optimise",
            fixture.to_str().unwrap(),
            "--level",
            "0.8",
            "--objective",
            "response_rate",
            "--trials",
            "64",
            "--evaluations",
            "60",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (lambda, mu, days) = (12.0 / 365.0, 1.0 / 60.0, 40.0 * 365.0);
    let truth = blocked_share_from_empty(3, lambda, mu, days)
        - blocked_share_from_empty(4, lambda, mu, days);
    // The transient is real but small: the truth sits within 0.001 of the stationary gain
    // B(3, a) − B(4, a) (Erlang B by its recursion), and below it.
    let a = lambda / mu;
    let erlang = |c: usize| (1..=c).fold(1.0, |b: f64, k| a * b / (k as f64 + a * b));
    let stationary = erlang(3) - erlang(4);
    assert!(
        truth < stationary && stationary - truth < 1e-3,
        "truth {truth}, stationary {stationary}"
    );

    let mut r = csv::Reader::from_path(out.join("optimise.csv")).unwrap();
    let fresh: Vec<HashMap<String, String>> = r
        .deserialize::<HashMap<String, String>>()
        .map(|x| x.unwrap())
        .filter(|x| x["stage"] == "fresh" && x["metric"] == "response_rate")
        .collect();
    assert_eq!(fresh.len(), 1, "one winner re-estimated on fresh trials");
    let f = &fresh[0];
    assert_eq!(f["trials"], "4000", "the scenario's trials by default");
    assert_eq!(f["seed"], "12", "the seed + 1 by default");
    let cell = |k: &str| f[k].parse::<f64>().unwrap();
    let (mean, lo, hi) = (
        cell("diff_mean"),
        cell("diff_ci95_lo"),
        cell("diff_ci95_hi"),
    );
    assert!(
        lo <= truth && truth <= hi,
        "fresh gain {mean} (95% CI {lo} to {hi}) does not hold the truth {truth}"
    );
    assert!(hi - lo < 0.005, "a paired CI this narrow: {lo} to {hi}");

    // The winner spares personnel: its part of the 200 M cut is at most 62.5 M (12.5% of the
    // line), so the fourth unit stays manned at 0.5 or more. The weights are those searched;
    // the crisis reserve, not searched, has weight 0.
    let weight = |k: &str| cell(&format!("budget.cut.shares.{k}"));
    let lines = ["personnel", "operations", "procurement", "engagement"];
    let total: f64 = lines.iter().map(|k| weight(k)).sum();
    assert!(
        200.0 * weight("personnel") / total <= 62.5 + 1e-9,
        "the winner cuts personnel by {} M",
        200.0 * weight("personnel") / total
    );
    let toml = std::fs::read_to_string(out.join("policy.toml")).unwrap();
    assert!(toml.contains("\"budget.cut.shares.personnel\""), "{toml}");

    // Pasted into the scenario, policy.toml gives `dipcap run` with the fresh seed and trials
    // the very estimate optimise quoted, to the last digit.
    let pasted = dir.path().join("pasted.toml");
    std::fs::write(
        &pasted,
        std::fs::read_to_string(&fixture).unwrap() + "\n" + &toml,
    )
    .unwrap();
    let o = dipcap(
        &[
            "run",
            pasted.to_str().unwrap(),
            "--seed",
            "12",
            "--trials",
            "4000",
            "--quiet",
            "--no-charts",
            "--out",
            "run",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let got = rows(&dir.path().join("run/policies.csv"));
    let row = &got[&(
        "optimised".to_string(),
        "0.8".to_string(),
        "response_rate".to_string(),
    )];
    for k in ["mean", "diff_mean", "diff_ci95_lo", "diff_ci95_hi"] {
        assert_eq!(
            row[k].parse::<f64>().unwrap(),
            f[k].parse::<f64>().unwrap(),
            "{k}"
        );
    }
}

/// The arguments of `dipcap optimise` on the shipped baseline at 80% (its `[search]`: the
/// cut's split over personnel, operations, the reserve and engagement), on few trials.
fn optimise_args(out: &str, extra: &[&str]) -> Vec<String> {
    let scenario = scenario_path("baseline");
    let mut args: Vec<String> = [
        "optimise",
        scenario.to_str().unwrap(),
        "--level",
        "0.8",
        "--objective",
        "dci",
        "--trials",
        "128",
        "--evaluations",
        "60",
        "--fresh-trials",
        "600",
        "--quiet",
        "--out",
        out,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

fn optimise_baseline(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let args = optimise_args(out, extra);
    dipcap(&args.iter().map(String::as_str).collect::<Vec<_>>(), dir)
}

/// The fresh estimates of the winner in an optimise.csv, by metric.
fn fresh(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.deserialize::<HashMap<String, String>>()
        .map(|x| x.unwrap())
        .filter(|x| x["stage"] == "fresh")
        .map(|x| (x["metric"].clone(), x))
        .collect()
}

/// The issue's check on the baseline: the DCI-best split of the cut answers fewer crises than
/// 91%, so `--constraint response_rate>=0.91` binds: it changes the answer and costs DCI. The
/// constrained winner meets it on fresh trials, still beats the proportional cut, and pasted
/// into the scenario its policy.toml gives `dipcap run` the very estimate quoted.
#[test]
fn optimise_on_baseline_binds_its_constraint_and_the_pasted_policy_reproduces_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = optimise_baseline(dir.path(), "free", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = optimise_baseline(
        dir.path(),
        "bound",
        &["--constraint", "response_rate>=0.91"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let free = fresh(&dir.path().join("free/optimise.csv"));
    let bound = fresh(&dir.path().join("bound/optimise.csv"));
    let num = |m: &HashMap<String, HashMap<String, String>>, metric: &str, k: &str| -> f64 {
        m[metric][k].parse().unwrap()
    };
    assert!(
        num(&free, "response_rate", "mean") < 0.91,
        "unconstrained, the best split answers {} of crises: the constraint would not bind",
        num(&free, "response_rate", "mean")
    );
    assert!(num(&bound, "response_rate", "mean") >= 0.91);
    assert!(
        num(&bound, "dci", "diff_mean") < num(&free, "dci", "diff_mean"),
        "the constraint costs DCI"
    );
    assert!(
        num(&bound, "dci", "diff_ci95_lo") > 0.0,
        "the constrained winner still beats the proportional cut"
    );

    // The report opens with the answer: the fresh estimate (not the search's), where the
    // money comes from, and the constraint met; `dipcap plot` redraws it and both charts.
    let bound_dir = dir.path().join("bound");
    let html = std::fs::read_to_string(bound_dir.join("report.html")).unwrap();
    let bottom = &html[html.find("id=\"bottom-line\"").unwrap()..];
    let bottom = &bottom[..bottom.find("</p>").unwrap()];
    let dci = num(&bound, "dci", "diff_mean");
    assert!(
        bottom.contains(&format!(
            "keeps the Diplomatic Capacity Index (dci) {dci:.3} higher than the scenario as written does (95% CI +{:.3} to +{:.3}, paired on 600 fresh trials)",
            num(&bound, "dci", "diff_ci95_lo"),
            num(&bound, "dci", "diff_ci95_hi")
        )),
        "{bottom}"
    );
    assert!(
        bottom.contains("the scenario as written (proportional) takes 20% from every line")
            && bottom.contains("spares procurement")
            && bottom.contains(&format!(
                "It meets the constraint response_rate ≥ 0.91: {:.3} on the fresh trials",
                num(&bound, "response_rate", "mean")
            )),
        "{bottom}"
    );
    for f in ["optimise-search", "optimise-best"] {
        assert!(
            html.contains(&format!("id=\"fig-{f}\"")),
            "{f} in the report"
        );
    }
    let before: Vec<Vec<u8>> = [
        "report.html",
        "charts/optimise-search.svg",
        "charts/optimise-search.png",
        "charts/optimise-best.svg",
        "charts/optimise-best.png",
    ]
    .iter()
    .map(|f| std::fs::read(bound_dir.join(f)).unwrap())
    .collect();
    for f in ["report.html", "charts"] {
        let p = bound_dir.join(f);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
    }
    let o = dipcap(&["plot", bound_dir.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let after: Vec<Vec<u8>> = [
        "report.html",
        "charts/optimise-search.svg",
        "charts/optimise-search.png",
        "charts/optimise-best.svg",
        "charts/optimise-best.png",
    ]
    .iter()
    .map(|f| std::fs::read(bound_dir.join(f)).unwrap())
    .collect();
    assert!(
        before == after,
        "dipcap plot redraws the search's charts and report"
    );

    let toml = std::fs::read_to_string(dir.path().join("bound/policy.toml")).unwrap();
    let pasted = dir.path().join("pasted.toml");
    let text = std::fs::read_to_string(scenario_path("baseline")).unwrap();
    std::fs::write(&pasted, text + "\n" + &toml).unwrap();
    let o = dipcap(
        &[
            "run",
            pasted.to_str().unwrap(),
            "--seed",
            &num(&bound, "dci", "seed").to_string(),
            "--trials",
            "600",
            "--quiet",
            "--no-charts",
            "--out",
            "run",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let got = rows(&dir.path().join("run/policies.csv"));
    for metric in ["dci", "response_rate"] {
        let row = &got[&("optimised".into(), "0.8".into(), metric.to_string())];
        for k in ["mean", "diff_mean", "diff_ci95_lo", "diff_ci95_hi"] {
            assert_eq!(
                row[k].parse::<f64>().unwrap(),
                num(&bound, metric, k),
                "{metric} {k}"
            );
        }
    }
}

/// Ctrl-C stops a search with exit 130 and a `--resume` hint and writes no results; resuming
/// with other options is refused; resuming as started gives the uninterrupted search's files
/// byte for byte.
#[test]
fn an_interrupted_search_resumes_to_the_same_bytes() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let o = optimise_baseline(dir.path(), "whole", &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    let child = Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args(optimise_args("cut", &[]))
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Stopped once the journal holds a dozen evaluations: partway through the screening.
    let journal = dir.path().join("cut/.dipcap-parts/optimise.jsonl");
    let start = Instant::now();
    while std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 12 {
        assert!(start.elapsed() < Duration::from_secs(60), "no journal");
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{e}");
    assert!(e.contains("--resume"), "{e}");
    assert!(!dir.path().join("cut/optimise.csv").exists());
    let kept = std::fs::read_to_string(&journal).unwrap().lines().count();
    assert!(kept >= 12, "the journal keeps what was done: {kept} lines");

    let o = optimise_baseline(dir.path(), "cut", &["--resume", "--seed", "5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another scenario or other options"),
        "{}",
        stderr(&o)
    );
    let o = optimise_baseline(dir.path(), "cut", &["--resume"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["optimise.csv", "policy.toml"] {
        assert!(
            std::fs::read(dir.path().join("whole").join(f)).unwrap()
                == std::fs::read(dir.path().join("cut").join(f)).unwrap(),
            "{f} differs after Ctrl-C and --resume"
        );
    }
    assert!(!dir.path().join("cut/.dipcap-parts").exists());
}

/// Two objectives: the answer is the non-dominated set of the raced candidates, each a
/// `[[policies]]` entry of its own; none is better than another in both objectives, and each
/// beats the scenario as written in at least one (no warning).
#[test]
fn two_objectives_give_a_pareto_front() {
    let dir = tempfile::tempdir().unwrap();
    let o = optimise_baseline(
        dir.path(),
        "front",
        &["--objective", "response_rate", "--constraint", "dci>=0.85"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("front");
    let toml = std::fs::read_to_string(out.join("policy.toml")).unwrap();
    let entries = toml.matches("[[policies]]").count();
    assert!(entries >= 2, "a front of {entries}: {toml}");
    assert!(
        toml.contains("name = \"optimised 1\"") && !toml.contains("WARNING"),
        "{toml}"
    );
    // The chosen candidates' raced estimates: (dci, response_rate) per candidate.
    let mut r = csv::Reader::from_path(out.join("optimise.csv")).unwrap();
    let mut front: HashMap<String, (f64, f64)> = HashMap::new();
    for row in r.deserialize::<HashMap<String, String>>() {
        let row = row.unwrap();
        if row["stage"] != "race" || row["chosen"] != "true" {
            continue;
        }
        let v: f64 = row["mean"].parse().unwrap();
        let e = front
            .entry(row["candidate"].clone())
            .or_insert((f64::NAN, f64::NAN));
        match row["metric"].as_str() {
            "dci" => e.0 = v,
            "response_rate" => e.1 = v,
            _ => {}
        }
    }
    assert_eq!(front.len(), entries);
    for (a, x) in &front {
        assert!(x.0 >= 0.85, "{a} meets the constraint: {x:?}");
        for (b, y) in &front {
            let dominates = y.0 >= x.0 && y.1 >= x.1 && (y.0 > x.0 || y.1 > x.1);
            assert!(!dominates, "{b} {y:?} dominates {a} {x:?}");
        }
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&format!("a front of {entries} ways of cutting")),
        "the report says it is a front"
    );
}
