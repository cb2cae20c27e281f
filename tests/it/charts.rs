//! Charts and the report: drawn for every shipped scenario, redrawn identically by
//! `dipcap plot`, summary sentences that quote `summary.csv`, and the report in a real
//! headless Chromium.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dipcap::charts::style::HEADLINE;
use dipcap::charts::{ChartData, Source};

use crate::common::*;

/// Charts a run draws when every measure varies: 1 cliff + 5 capacity + 5 box + 5 ECDF +
/// 5 fans + DCI decomposition + partners + who notices first + 2 money.
const ALL_CHARTS: usize = 26;

/// The charts in the baseline scenario's report: posts open are the same in every trial at
/// each level (all posts at full budget, the same three closed at every cut), so it has no box
/// plot and no ECDF; the five per-measure capacity charts are in `charts/` only.
const BASELINE_CHARTS: usize = ALL_CHARTS - 2 - 5;

fn run_into(name: &str, out: &Path, trials: &str, extra: &[&str]) {
    let scenario = scenario_path(name);
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--trials",
        trials,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = dipcap(&args, out.parent().unwrap());
    assert!(o.status.success(), "{}", stderr(&o));
}

fn chart_files(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn every_shipped_scenario_gets_every_chart_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    for name in SHIPPED {
        let out = dir.path().join(name);
        run_into(name, &out, "120", &[]);
        let files = chart_files(&out);
        let svgs: Vec<_> = files
            .iter()
            .filter(|p| p.extension().unwrap() == "svg")
            .collect();
        let pngs: Vec<_> = files
            .iter()
            .filter(|p| p.extension().unwrap() == "png")
            .collect();
        // Exactly the charts `specs` asks for: every chart unless a measure does not vary.
        let data = ChartData::load(&Source::Folder(&out)).unwrap();
        let specs = dipcap::charts::specs(&data);
        let mut stems: Vec<String> = specs.iter().map(|s| s.stem.clone()).collect();
        stems.sort();
        let mut drawn: Vec<String> = svgs
            .iter()
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        drawn.sort();
        assert_eq!(drawn, stems, "{name}");
        assert!(svgs.len() >= ALL_CHARTS - 5, "{name}: {files:?}");
        assert_eq!(pngs.len(), svgs.len(), "{name}");
        for m in &HEADLINE {
            let stem = format!("distribution-{}", m.metric.name().replace('_', "-"));
            let varies = data.spread(m.metric) == dipcap::charts::Spread::Varies;
            assert_eq!(stems.contains(&stem), varies, "{name}: {stem}");
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let hash = &manifest["scenario_sha256"].as_str().unwrap()[..12];
        for svg in &svgs {
            let text = std::fs::read_to_string(svg).unwrap();
            assert!(
                text.starts_with("<svg width=\"1024\" height=\"640\""),
                "{svg:?}"
            );
            // The stamp: scenario, short hash, seed, trials, version.
            for needle in [
                format!("scenario {name}"),
                hash.to_string(),
                format!("seed {}", manifest["seed"]),
                "120 trials per level".to_string(),
                format!("dipcap {}", env!("CARGO_PKG_VERSION")),
            ] {
                assert!(
                    text.contains(&needle),
                    "{svg:?} lacks the stamp part {needle:?}"
                );
            }
            assert!(
                text.contains("font-weight=\"bold\""),
                "{svg:?} has no bold title"
            );
        }
        for png in &pngs {
            let decoder =
                png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
            let reader = decoder.read_info().unwrap();
            let info = reader.info();
            assert_eq!((info.width, info.height), (1024, 640), "{png:?}");
        }
        // Axis labels carry units; every level appears in the legend of the ECDFs.
        let cliff = std::fs::read_to_string(out.join("charts/capacity-cliff.svg")).unwrap();
        assert!(cliff.contains("budget level (% of baseline)"));
        let ecdf = std::fs::read_to_string(out.join("charts/ecdf-response-rate.svg")).unwrap();
        for level in manifest["levels"].as_array().unwrap() {
            let pct = format!("{}%", (level.as_f64().unwrap() * 100.0).round());
            assert!(ecdf.contains(&pct), "{name}: ECDF legend lacks {pct}");
        }
        let report = std::fs::read_to_string(out.join("report.html")).unwrap();
        // Every chart but the per-measure capacity charts (in charts/ only) is in the report.
        let in_report = specs.iter().filter(|s| !s.section.is_empty()).count();
        assert_eq!(in_report, svgs.len() - 5, "{name}");
        assert_eq!(report.matches("<figure class=\"chart\"").count(), in_report);
        // A measure without charts of its own is said in one line instead.
        for (_, _, text) in dipcap::report::bottom_line::unvarying(&data) {
            assert!(
                report.contains(&dipcap::report::esc(&text)),
                "{name}: {text}"
            );
        }
        assert!(!report.contains("<script"), "the report needs no scripts");
        assert!(
            !report.contains("src=\"http") && !report.contains("href=\"http"),
            "the report loads nothing from the network"
        );
    }
}

#[test]
fn plot_redraws_identical_svgs_and_report_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    run_into("sequestration", &out, "80", &[]);
    let before: HashMap<PathBuf, Vec<u8>> = chart_files(&out)
        .into_iter()
        .chain([out.join("report.html")])
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    // Remove the visuals, redraw them from the CSV and JSON files alone.
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("trials.csv")).unwrap();
    let o = dipcap(&["plot", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let charts = before
        .keys()
        .filter(|p| p.extension().unwrap() == "svg")
        .count();
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("{charts} charts")));
    for (path, bytes) in &before {
        let again = std::fs::read(path).unwrap_or_else(|_| panic!("{path:?} not redrawn"));
        if path.extension().unwrap() == "png" {
            continue;
        }
        assert!(&again == bytes, "{path:?} differs after dipcap plot");
    }
}

#[test]
fn no_charts_writes_data_only_and_clears_stale_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    run_into("baseline", &out, "20", &[]);
    assert!(out.join("report.html").is_file());
    run_into("baseline", &out, "20", &["--no-charts"]);
    assert!(
        !out.join("report.html").exists(),
        "a stale report would describe another run"
    );
    // The folder is replaced whole: no charts/ at all, or (with a user's file in it) no chart.
    assert!(!out.join("charts").exists() || chart_files(&out).is_empty());
    assert!(out.join("percentiles.csv").is_file());
}

#[test]
fn plot_explains_a_folder_that_is_not_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let o = dipcap(&["plot", "nowhere"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let o = dipcap(&["plot", "empty"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("cannot read manifest.json") && e.contains("hint:"),
        "{e}"
    );
    assert!(
        !dir.path().join("empty/charts").exists(),
        "nothing written on failure"
    );
}

/// Reads `summary.csv` the way a researcher would, independently of the chart code.
type SummaryTable = HashMap<(String, String), HashMap<String, f64>>;

fn summary_table(out: &Path) -> SummaryTable {
    let mut r = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    // A run with policies has a leading policy column: the report is of the scenario as
    // written.
    let skip = usize::from(&headers[0] == "policy");
    let mut t = HashMap::new();
    for row in r.records() {
        let row = row.unwrap();
        if skip == 1 && &row[0] != "as written" {
            continue;
        }
        let mut values = HashMap::new();
        for (h, v) in headers.iter().zip(row.iter()) {
            if let Ok(x) = v.parse::<f64>() {
                values.insert(h.to_string(), x);
            }
        }
        t.insert((row[skip].to_string(), row[skip + 1].to_string()), values);
    }
    t
}

/// `.ci/run` installs Chromium and playwright-core and sets `DIPCAP_REQUIRE_BROWSER=1`: there
/// the browser test below must not be ignored.
#[test]
fn the_browser_test_runs_where_it_is_required() {
    let built_with_browser = cfg!(dipcap_browser);
    if std::env::var("DIPCAP_REQUIRE_BROWSER").is_ok() && !built_with_browser {
        panic!(
            "DIPCAP_REQUIRE_BROWSER is set but Chromium, /usr/bin/pdftoppm or tests/browser/node_modules/playwright-core was missing when the tests were built (see .ci/run)"
        );
    }
}

/// Renders the report in Debian's Chromium through `tests/browser/check-report.mjs`
/// (playwright-core). Built without them (see `build.rs`), the test is ignored, and the test
/// summary says so.
#[test]
#[cfg_attr(
    not(dipcap_browser),
    ignore = "needs Chromium, pdftoppm and playwright-core: apt-get install chromium poppler-utils; npm ci --prefix tests/browser"
)]
fn report_reads_on_screen_and_prints_on_a4_in_headless_chromium() {
    let browser_dir = root().join("tests/browser");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("baseline");
    run_into("baseline", &out, "200", &[]);
    let (_, needle) = largest_effect(&summary_table(&out), 0.7);
    let shots = root().join("target/report-check");
    let o = std::process::Command::new("node")
        .arg(browser_dir.join("check-report.mjs"))
        .arg(out.join("report.html"))
        .arg(&shots)
        .arg(BASELINE_CHARTS.to_string())
        .arg(&needle)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "browser check failed: {stdout}\n{}",
        stderr(&o)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["ok"], true);
    assert_eq!(result["charts"], BASELINE_CHARTS);
    assert_eq!(result["requests"], 1, "only the report itself is loaded");
    assert!(result["summaryItems"].as_u64().unwrap() >= 2, "{result}");
    // Interim bounds while issue 19 is open; its targets are 14 pages and 8 pt.
    assert!(result["a4Pages"].as_u64().unwrap() <= 16, "{result}");
    assert!(
        result["smallestChartTextPt"].as_f64().unwrap() >= 5.0,
        "{result}"
    );
    assert!(result["width800"].as_u64().unwrap() <= 800);
    for shot in [
        "screen-1400.png",
        "screen-800.png",
        "a4-page-01.png",
        "a4-page-02.png",
    ] {
        assert!(
            std::fs::metadata(shots.join(shot)).unwrap().len() > 20_000,
            "{shot} taken"
        );
    }
}

/// The channel whose paired difference at `level` is largest in % of its full-budget mean,
/// among those whose 95% CI excludes zero, computed here from `summary.csv` alone, and that
/// change as the bottom line prints it ("−14.4%").
fn largest_effect(table: &SummaryTable, level: f64) -> (String, String) {
    let at = dipcap::output::num(level);
    let (metric, change) = HEADLINE
        .iter()
        .filter(|m| m.metric.name() != "dci")
        .filter_map(|m| {
            let row = &table[&(at.clone(), m.metric.name().to_string())];
            let base = table[&("1".to_string(), m.metric.name().to_string())]["mean"];
            let clear = row["diff_ci95_hi"] < 0.0 || row["diff_ci95_lo"] > 0.0;
            clear.then(|| (m.metric.name().to_string(), 100.0 * row["diff_mean"] / base))
        })
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .expect("some channel changes");
    let sign = if change < 0.0 { "−" } else { "+" };
    (metric, format!("{sign}{:.1}%", change.abs()))
}

/// The bottom line, for every shipped scenario, names the channel that changes most at the
/// deepest cut with its change and its two means as `summary.csv` has them, and the DCI's
/// two means; a cliff it names is a level of the run.
#[test]
fn bottom_line_quotes_summary_csv() {
    let dir = tempfile::tempdir().unwrap();
    for name in SHIPPED {
        let out = dir.path().join(name);
        run_into(name, &out, "150", &["--no-charts"]);
        let data = ChartData::load(&Source::Folder(&out)).unwrap();
        let table = summary_table(&out);
        let deepest = *data.levels().last().unwrap();
        let at = dipcap::output::num(deepest);
        let bl = dipcap::report::bottom_line::bottom_line(&data);
        let (metric, change) = largest_effect(&table, deepest);
        assert_eq!(bl.ranked[0].metric.name(), metric, "{name}: {}", bl.text);
        let m = HEADLINE.iter().find(|m| m.metric.name() == metric).unwrap();
        let shown = |v: f64| format!("{:.*}{}", m.decimals, v * m.factor, m.suffix);
        let row = &table[&(at.clone(), metric.clone())];
        let base = &table[&("1".to_string(), metric.clone())];
        let quoted = format!(
            "{change} of its full-budget value ({} → {})",
            shown(base["mean"]),
            shown(row["mean"])
        );
        assert!(
            bl.text.contains(&quoted),
            "{name}: {:?} lacks {quoted:?}",
            bl.text
        );
        assert!(
            bl.text.starts_with(&format!(
                "At {} of baseline the Diplomatic Capacity Index",
                dipcap::charts::data::level_label(deepest)
            )),
            "{name}: {}",
            bl.text
        );
        let dci = |l: &str| format!("{:.3}", table[&(l.to_string(), "dci".to_string())]["mean"]);
        assert!(
            bl.text.contains(&format!("({} → {})", dci("1"), dci(&at))),
            "{name}: {}",
            bl.text
        );
        if let Some(c) = &bl.cliff {
            assert!(data.levels().contains(&c.level) && c.level < 1.0, "{name}");
            assert!(c.after >= dipcap::report::bottom_line::CLIFF_RATIO * c.before.max(0.0));
            assert!(bl.text.contains(&format!(
                "Losses accelerate below {}",
                dipcap::charts::data::level_label(c.level)
            )));
        }
        // The report opens with it.
        let report = std::fs::read_to_string(out.join("report.html")).ok();
        assert!(report.is_none(), "--no-charts writes no report");
    }
    // With charts, the bottom line is the first paragraph after the title, and the summary's
    // money sentence quotes summary.csv.
    let out = dir.path().join("with-report");
    run_into("baseline", &out, "150", &[]);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    let table = summary_table(&out);
    let money = |l: &str, k: &str| {
        dipcap::charts::style::thousands(table[&(l.to_string(), "unfunded".to_string())][k])
    };
    let quoted = format!(
        "total {} M€ over the horizon at full budget and {} M€ at 70% of baseline (95% CI {} to {})",
        money("1", "mean"),
        money("0.7", "mean"),
        money("0.7", "ci95_lo"),
        money("0.7", "ci95_hi")
    );
    assert!(report.contains(&quoted), "the report lacks {quoted:?}");
    let after_title = report.split("</h1>").nth(1).unwrap().trim_start();
    assert!(
        after_title.starts_with("<p class=\"bottom-line\" id=\"bottom-line\""),
        "{after_title:.200}"
    );
}

/// `partners_yearly.csv` holds every level × year × partner; its last year is `partners.csv`;
/// the baseline's paired difference is zero; deeper cuts are noticed no later; the report and
/// the "who notices first" chart name the first partner to notice.
#[test]
fn partners_yearly_shows_who_notices_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    run_into("baseline", &out, "300", &[]);
    let read = |f: &str| -> Vec<HashMap<String, String>> {
        let mut r = csv::Reader::from_path(out.join(f)).unwrap();
        r.deserialize().map(|x| x.unwrap()).collect()
    };
    let yearly = read("partners_yearly.csv");
    let ends = read("partners.csv");
    let s = load(&scenario_path("baseline"));
    let (levels, years, partners) = (s.budget.levels.len(), s.years, s.partners.len());
    assert_eq!(yearly.len(), levels * years * partners);
    let last = years.to_string();
    for e in &ends {
        let row = yearly
            .iter()
            .find(|r| r["year"] == last && r["level"] == e["level"] && r["partner"] == e["partner"])
            .unwrap();
        assert_eq!(row["trust_mean"], e["trust_mean"], "{}", e["partner"]);
        assert_eq!(row["interop_mean"], e["interop_mean"], "{}", e["partner"]);
    }
    let num = |r: &HashMap<String, String>, k: &str| r[k].parse::<f64>().unwrap();
    for r in yearly.iter().filter(|r| r["level"] == "1") {
        assert_eq!(num(r, "trust_diff_mean"), 0.0);
    }
    for r in &yearly {
        assert!(
            num(r, "trust_p5") <= num(r, "trust_p50") && num(r, "trust_p50") <= num(r, "trust_p95")
        );
        assert!(num(r, "trust_diff_ci95_lo") <= num(r, "trust_diff_mean"));
        assert!((0.0..=1.0).contains(&num(r, "trust_mean")));
    }
    // First year-end at which each partner is clearly (95%) more than 0.05 below full budget.
    let first = |level: &str, partner: &str| {
        yearly
            .iter()
            .filter(|r| r["level"] == level && r["partner"] == partner)
            .find(|r| num(r, "trust_diff_ci95_hi") < -dipcap::charts::notice::NOTICE_DROP)
            .map(|r| r["fiscal_year"].parse::<i64>().unwrap())
    };
    let cut_year = s.start_year + s.budget.cut.start_year as i64;
    let mut noticed = 0;
    for p in &s.partners {
        let (at80, at70) = (first("0.8", &p.name), first("0.7", &p.name));
        if let Some(y) = at70 {
            noticed += 1;
            assert!(y >= cut_year, "{} notices before the cut", p.name);
        }
        if let (Some(a), Some(b)) = (at80, at70) {
            assert!(b <= a, "{}: 70% noticed in {b}, 80% in {a}", p.name);
        }
        assert!(at70.is_some() || at80.is_none(), "{}", p.name);
    }
    assert!(
        noticed >= partners / 2,
        "only {noticed} partners notice 70%"
    );
    let data = ChartData::load(&Source::Folder(&out)).unwrap();
    let rank = dipcap::charts::notice::ranking(&data);
    let (who, year) = rank[0].clone();
    assert_eq!(year, first("0.7", &who));
    assert!(rank.iter().all(|(_, y)| y.is_none() || *y >= year));
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains(&format!(
            "The first to notice is {who}: by the end of FY{}",
            year.unwrap()
        )),
        "report does not name {who}"
    );
    // The bottom line names the partners who notice first — all those whose first year at
    // 70%, read from partners_yearly.csv, is the earliest — and that year.
    let earliest: Vec<String> = s
        .partners
        .iter()
        .filter(|p| first("0.7", &p.name) == year)
        .map(|p| p.name.clone())
        .collect();
    let bl = dipcap::report::bottom_line::bottom_line(&data).text;
    assert!(
        bl.contains(&format!("by the end of FY{}", year.unwrap())),
        "{bl}"
    );
    // Up to three of them by name (those whose trust falls most), the rest counted.
    let named = earliest.iter().filter(|n| bl.contains(n.as_str())).count();
    assert_eq!(named, earliest.len().min(3), "{bl}");
    for p in s.partners.iter().filter(|p| !earliest.contains(&p.name)) {
        assert!(
            !bl.contains(&format!("{},", p.name)),
            "{bl} names {}",
            p.name
        );
    }
    if earliest.len() > 3 {
        assert!(
            bl.contains(&format!("{} others", earliest.len() - 3)),
            "{bl}"
        );
    }
    let svg = std::fs::read_to_string(out.join("charts/partners-notice-first.svg")).unwrap();
    assert!(svg.contains("Which partners notice the cut first") && svg.contains(&who));
}
