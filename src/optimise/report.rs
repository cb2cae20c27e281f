//! What a reader of a search sees: the two charts (`optimise-search`: every candidate's
//! paired difference from the scenario as written in the order evaluated, with the best so
//! far; `optimise-best`: the raced candidates' differences with their 95% CIs on the search's
//! trials and the winner's on fresh trials) and `report.html`, whose section "Which way of
//! cutting loses least" gives the answer first, says which estimate to quote and where the
//! money comes from. Everything is drawn from the folder's own `optimise.csv` and
//! `manifest.json`, so `dipcap plot` redraws it byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::charts::{self, Draw, DrawResult, Key, style};
use crate::error::RunError;
use crate::output::folder;
use crate::report::esc;

/// The chart stems, in report order.
pub const CHARTS: [&str; 2] = ["optimise-search", "optimise-best"];

/// One row of `optimise.csv`.
#[derive(Debug, Clone)]
pub struct Row {
    pub candidate: usize,
    pub stage: String,
    pub seed: u64,
    pub trials: u64,
    pub chosen: bool,
    pub feasible: bool,
    pub valid: bool,
    /// The searched keys' values, in column order.
    pub values: Vec<String>,
    pub metric: String,
    pub mean: f64,
    pub ci95_lo: f64,
    pub ci95_hi: f64,
    pub diff_mean: f64,
    pub diff_ci95_lo: f64,
    pub diff_ci95_hi: f64,
}

/// A line's appropriation in the manifest's last fiscal year: full budget and at the level.
#[derive(Debug, Clone)]
pub struct LineCut {
    pub line: String,
    pub full: f64,
    pub at_level: f64,
}

/// What the manifest says of a chosen candidate.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub name: String,
    pub candidate: usize,
    pub feasible: bool,
    pub cut: Vec<LineCut>,
}

/// An optimise folder's contents, as the charts and the report read them.
#[derive(Debug, Clone)]
pub struct Data {
    pub keys: Vec<String>,
    pub rows: Vec<Row>,
    pub version: String,
    pub scenario: String,
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub money_unit: String,
    pub level: f64,
    /// (metric, maximise).
    pub objectives: Vec<(String, bool)>,
    pub constraints: Vec<String>,
    pub seed: u64,
    pub trials: u64,
    pub evaluations: u64,
    pub fresh_seed: u64,
    pub fresh_trials: u64,
    pub candidates: usize,
    pub cut_year: i64,
    pub reference_cut: Vec<LineCut>,
    pub reference_policy: String,
    pub chosen: Vec<Chosen>,
    pub crates: Vec<(String, String)>,
    pub generator: String,
    pub threads: u64,
    pub started: String,
    pub wall_seconds: f64,
}

fn bad(file: &str, reason: impl std::fmt::Display) -> RunError {
    RunError::Encode {
        what: file.into(),
        reason: format!("cannot be read back for the charts: {reason}"),
    }
}

fn cuts(v: &serde_json::Value) -> Vec<LineCut> {
    v.get("lines")
        .and_then(|l| l.as_array())
        .map(|a| {
            a.iter()
                .map(|x| LineCut {
                    line: x["line"].as_str().unwrap_or("").to_string(),
                    full: x["full"].as_f64().unwrap_or(f64::NAN),
                    at_level: x["at_level"].as_f64().unwrap_or(f64::NAN),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Data {
    /// Reads `optimise.csv` and `manifest.json` (their bytes).
    pub fn parse(csv_bytes: &[u8], manifest: &[u8]) -> Result<Data, RunError> {
        let m: serde_json::Value =
            serde_json::from_slice(manifest).map_err(|e| bad(folder::MANIFEST, e))?;
        let mut r = csv::Reader::from_reader(csv_bytes);
        let header: Vec<String> = r
            .headers()
            .map_err(|e| bad(folder::OPTIMISE, e))?
            .iter()
            .map(str::to_string)
            .collect();
        let metric_at = header
            .iter()
            .position(|h| h == "metric")
            .ok_or_else(|| bad(folder::OPTIMISE, "no metric column"))?;
        if metric_at < 7 {
            return Err(bad(
                folder::OPTIMISE,
                "its columns are not those dipcap writes",
            ));
        }
        let keys = header[7..metric_at].to_vec();
        let f = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| bad(folder::OPTIMISE, e))?;
            let num = |i: usize| f(rec.get(i).unwrap_or(""));
            rows.push(Row {
                candidate: rec[0].parse().map_err(|e| bad(folder::OPTIMISE, e))?,
                stage: rec[1].to_string(),
                seed: rec[2].parse().map_err(|e| bad(folder::OPTIMISE, e))?,
                trials: rec[3].parse().map_err(|e| bad(folder::OPTIMISE, e))?,
                chosen: &rec[4] == "true",
                feasible: &rec[5] == "true",
                valid: &rec[6] == "true",
                values: (7..metric_at).map(|i| rec[i].to_string()).collect(),
                metric: rec[metric_at].to_string(),
                mean: num(metric_at + 2),
                ci95_lo: num(metric_at + 3),
                ci95_hi: num(metric_at + 4),
                diff_mean: num(metric_at + 5),
                diff_ci95_lo: num(metric_at + 6),
                diff_ci95_hi: num(metric_at + 7),
            });
        }
        let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
        let u = |k: &str| m[k].as_u64().unwrap_or(0);
        Ok(Data {
            keys,
            rows,
            version: s("dipcap_version"),
            scenario: s("scenario"),
            scenario_path: s("scenario_path"),
            scenario_sha256: s("scenario_sha256"),
            money_unit: s("money_unit"),
            level: m["level"].as_f64().unwrap_or(f64::NAN),
            objectives: m["objectives"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(|x| {
                            let (name, dir) = x.split_once(':').unwrap_or((x, "max"));
                            (name.to_string(), dir != "min")
                        })
                        .collect()
                })
                .unwrap_or_default(),
            constraints: m["constraints"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            seed: u("seed"),
            trials: u("trials"),
            evaluations: u("evaluations"),
            fresh_seed: u("fresh_seed"),
            fresh_trials: u("fresh_trials"),
            candidates: u("candidates") as usize,
            cut_year: m["cut_by_line"]["fiscal_year"].as_i64().unwrap_or(0),
            reference_cut: cuts(&m["cut_by_line"]["as_written"]),
            reference_policy: m["cut_by_line"]["as_written"]["policy"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            chosen: m["chosen"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| Chosen {
                            name: c["name"].as_str().unwrap_or("").to_string(),
                            candidate: c["candidate"].as_u64().unwrap_or(0) as usize,
                            feasible: c["feasible"].as_bool().unwrap_or(false),
                            cut: cuts(&c["cut_by_line"]),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            crates: m["crates"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            generator: s("generator"),
            threads: u("threads"),
            started: s("started"),
            wall_seconds: m["wall_seconds"].as_f64().unwrap_or(f64::NAN),
        })
    }

    fn level_words(&self) -> String {
        crate::charts::data::level_label(self.level)
    }

    /// The first objective's metric and whether higher is better.
    fn goal(&self) -> (&str, bool) {
        self.objectives
            .first()
            .map_or(("dci", true), |(m, up)| (m.as_str(), *up))
    }

    /// The provenance line every chart and the report carry.
    pub fn stamp(&self) -> String {
        format!(
            "dipcap {} · scenario {} (sha256 {}) · optimise at {} · seed {} · {} trials per candidate · fresh seed {}, {} trials",
            self.version,
            self.scenario,
            &self.scenario_sha256[..self.scenario_sha256.len().min(12)],
            self.level_words(),
            self.seed,
            self.trials,
            self.fresh_seed,
            self.fresh_trials
        )
    }

    /// The searching estimates (screening and Nelder–Mead, on the search's own trials) of
    /// `metric`, in the order the candidates were first evaluated.
    fn searched(&self, metric: &str) -> Vec<&Row> {
        let mut seen = std::collections::HashSet::new();
        self.rows
            .iter()
            .filter(|r| {
                (r.stage == "screen" || r.stage == "search")
                    && r.seed == self.seed
                    && r.trials == self.trials
                    && r.metric == metric
                    && r.valid
                    && seen.insert(r.candidate)
            })
            .collect()
    }

    /// Per raced candidate, its estimate of `metric` on the most trials it reached, best
    /// first (ranked as the race ranked them: by the mean, signed by the goal).
    fn raced(&self, metric: &str, up: bool) -> Vec<&Row> {
        let mut best: BTreeMap<usize, &Row> = BTreeMap::new();
        for r in self
            .rows
            .iter()
            .filter(|r| r.stage == "race" && r.metric == metric && r.valid)
        {
            let e = best.entry(r.candidate).or_insert(r);
            if r.trials > e.trials {
                *e = r;
            }
        }
        let mut v: Vec<&Row> = best.into_values().collect();
        let key = |r: &Row| if up { r.diff_mean } else { -r.diff_mean };
        // The chosen first, then as the race left them: further raced, meeting the
        // constraints, then by the objective.
        v.sort_by(|a, b| {
            b.chosen
                .cmp(&a.chosen)
                .then(b.trials.cmp(&a.trials))
                .then(b.feasible.cmp(&a.feasible))
                .then(key(b).total_cmp(&key(a)))
                .then(a.candidate.cmp(&b.candidate))
        });
        v
    }

    fn fresh(&self, candidate: usize, metric: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.stage == "fresh" && r.candidate == candidate && r.metric == metric)
    }

    fn reference(&self, metric: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.stage == "reference" && r.metric == metric)
    }
}

/// A metric in words for charts and sentences: "Diplomatic Capacity Index (dci)" for a
/// headline measure, the column name otherwise.
fn words(metric: &str) -> String {
    style::HEADLINE
        .iter()
        .find(|m| m.metric.name() == metric)
        .map_or(metric.to_string(), |m| format!("{} ({metric})", m.name))
}

/// `budget.cut.shares.personnel` → `personnel weight`; other keys as they are.
fn short_key(k: &str) -> String {
    match k.strip_prefix("budget.cut.shares.") {
        Some(line) => format!("{} weight", line.replace('_', " ")),
        None => k.to_string(),
    }
}

/// A difference with its sign, to `d` decimals, for the page ("+0.030", "−0.002").
fn signed(v: f64, d: usize) -> String {
    if v.is_finite() {
        crate::output::signed(v, d).replace('-', "−")
    } else {
        "n/a".into()
    }
}

/// Decimals for a metric's differences: fractions and indices to 3, counts and money to 1.
fn decimals(metric: &str) -> usize {
    crate::metrics::Metric::from_name(metric).map_or(3, |m| {
        let u = m.info().unit;
        if u == "fraction" || u == "0-1" { 3 } else { 1 }
    })
}

fn diff_ci(r: &Row) -> String {
    let d = decimals(&r.metric);
    format!(
        "{} (95% CI {} to {})",
        signed(r.diff_mean, d),
        signed(r.diff_ci95_lo, d),
        signed(r.diff_ci95_hi, d)
    )
}

/// Whether `r`'s paired difference is better than zero with its whole CI.
fn beats(r: &Row, up: bool) -> bool {
    if up {
        r.diff_ci95_lo > 0.0
    } else {
        r.diff_ci95_hi < 0.0
    }
}

/// The search chart: one mark per candidate in the order evaluated (hollow: screening;
/// filled: Nelder–Mead; grey: breaks a constraint), the best feasible so far as a line, the
/// scenario as written at zero, the winner ringed. Candidates far below the best are pinned
/// to the floor of the plot and counted, so the part that matters is legible.
pub struct SearchChart<'a> {
    pub d: &'a Data,
}

impl Draw for SearchChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let d = self.d;
        let (metric, up) = d.goal();
        let colour = style::level_colour(1, 2);
        let rows = d.searched(metric);
        let sign = if up { 1.0 } else { -1.0 };
        let ys: Vec<f64> = rows.iter().map(|r| r.diff_mean).collect();
        let best = ys
            .iter()
            .map(|v| v * sign)
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max)
            * sign;
        let best = if best.is_finite() { best } else { 0.0 };
        // The plot spans zero and the best, and as far again below: candidates lower than
        // that sit on the floor.
        let span = best.abs().max(1e-3) * 2.5;
        let (lo, hi) = if up {
            (best.min(0.0) - span, best.max(0.0))
        } else {
            (best.min(0.0), best.max(0.0) + span)
        };
        let finite: Vec<f64> = ys.iter().copied().filter(|v| v.is_finite()).collect();
        let data_lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let data_hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Zero (the scenario as written) and the best are always in view; beyond them the
        // data, as far as the span.
        let (a, b) = if up {
            (lo.max(data_lo).min(best.min(0.0)), hi)
        } else {
            (lo, hi.min(data_hi).max(best.max(0.0)))
        };
        let (y0, y1) = style::padded(a, b, None);
        let outside = finite.iter().filter(|v| **v < y0 || **v > y1).count();
        let n = rows.len().max(1);
        let keys = vec![
            (Key::Ring(colour), "screening".to_string()),
            (Key::Dot(colour), "Nelder–Mead".to_string()),
            (Key::Dot(style::LIGHT), "breaks a constraint".to_string()),
            (Key::Line(style::INK), "best so far".to_string()),
            (Key::Diamond(style::VERMILLION), "chosen".to_string()),
        ];
        let subtitle = format!(
            "Each candidate's difference in {} from the scenario as written at {}, on the same {} trials{}",
            words(metric),
            d.level_words(),
            d.trials,
            if outside > 0 {
                format!(
                    "; {outside} candidates far {} sit on the {} edge",
                    if up { "lower" } else { "higher" },
                    if up { "bottom" } else { "top" }
                )
            } else {
                String::new()
            }
        );
        let area = charts::frame(root, "How the search went", &subtitle, &keys, &d.stamp())?;
        let y_step = (y1 - y0) / 6.0;
        let y_fmt = |v: &f64| style::tick_label(*v, y_step);
        let x_fmt = |v: &f64| style::whole_tick(v);
        let y_desc = format!("{metric}: difference from as written");
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..(n as f64 + 1.0), y0..y1)?;
        style::draw_axes(
            &mut chart,
            &style::Axes {
                grid: style::Grid::Both,
                x_labels: 8,
                x_fmt: &x_fmt,
                x_desc: "candidate, in the order evaluated",
                y_labels: 7,
                y_fmt: &y_fmt,
                y_desc: Some(&y_desc),
                tick: style::TICK,
                desc: style::NOTE,
            },
        )?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (n as f64 + 1.0, 0.0)],
            style::INK.stroke_width(2),
        )))?;
        // Labelled at the right, where the later candidates are near the best or far below.
        chart.draw_series(std::iter::once(Text::new(
            "scenario as written",
            (n as f64 + 0.6, 0.0),
            style::font(style::NOTE).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Right,
                plotters::style::text_anchor::VPos::Bottom,
            )),
        )))?;
        let clamp = |v: f64| v.clamp(y0, y1);
        // The best feasible so far, as a step line.
        let mut path = Vec::new();
        let mut so_far = f64::NAN;
        for (i, r) in rows.iter().enumerate() {
            let improves = so_far.is_nan() || r.diff_mean * sign > so_far * sign;
            if r.feasible && r.diff_mean.is_finite() && improves {
                if so_far.is_finite() {
                    path.push(((i + 1) as f64, clamp(so_far)));
                }
                so_far = r.diff_mean;
                path.push(((i + 1) as f64, clamp(so_far)));
            }
        }
        if so_far.is_finite() {
            path.push((n as f64 + 0.5, clamp(so_far)));
        }
        chart.draw_series(std::iter::once(PathElement::new(
            path,
            style::INK.stroke_width(3),
        )))?;
        // The chosen candidate: a diamond behind its mark.
        let chosen: Vec<usize> = d.chosen.iter().map(|c| c.candidate).collect();
        for (i, r) in rows.iter().enumerate() {
            if chosen.contains(&r.candidate) && r.diff_mean.is_finite() {
                chart.draw_series(std::iter::once(
                    EmptyElement::at(((i + 1) as f64, clamp(r.diff_mean)))
                        + Polygon::new(
                            vec![(0, -15), (15, 0), (0, 15), (-15, 0)],
                            style::VERMILLION.filled(),
                        ),
                ))?;
            }
        }
        for (i, r) in rows.iter().enumerate() {
            if !r.diff_mean.is_finite() {
                continue;
            }
            let at = ((i + 1) as f64, clamp(r.diff_mean));
            let c = if r.feasible { colour } else { style::LIGHT };
            if r.stage == "screen" {
                chart.draw_series(std::iter::once(Circle::new(at, 7, c.stroke_width(3))))?;
            } else {
                chart.draw_series(std::iter::once(Circle::new(at, 7, c.filled())))?;
            }
        }
        Ok(())
    }
}

/// The best candidates' chart: one row per raced candidate (best on top), its paired
/// difference with 95% CI on the most trials it raced (hollow: biased up by the selection)
/// and, for the chosen, on the fresh trials (filled: the figure to quote).
pub struct BestChart<'a> {
    pub d: &'a Data,
}

impl Draw for BestChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let d = self.d;
        let (metric, up) = d.goal();
        let rows = d.raced(metric, up);
        let k = rows.len().max(1);
        let keys = vec![
            (
                Key::Ring(style::MUTED),
                "on the search's trials".to_string(),
            ),
            (
                Key::ErrorBar(style::VERMILLION),
                format!("on {} fresh trials: quote this", d.fresh_trials),
            ),
        ];
        let area = charts::frame(
            root,
            "The best ways of cutting found",
            &format!(
                "Paired difference in {} from the scenario as written at {}, with 95% CIs; the search's own trials favour the candidates they picked",
                words(metric),
                d.level_words()
            ),
            &keys,
            &d.stamp(),
        )?;
        let mut values: Vec<f64> = vec![0.0];
        for r in &rows {
            values.extend([r.diff_ci95_lo, r.diff_ci95_hi]);
            if let Some(f) = d.fresh(r.candidate, metric) {
                values.extend([f.diff_ci95_lo, f.diff_ci95_hi]);
            }
        }
        let (lo, hi) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let (x0, x1) = style::padded(lo, hi, None);
        let labels: Vec<String> = rows
            .iter()
            .map(
                |r| match d.chosen.iter().find(|c| c.candidate == r.candidate) {
                    Some(c) => format!("#{} {}", r.candidate, c.name),
                    None => format!("#{}", r.candidate),
                },
            )
            .collect();
        let x_desc = format!("{metric}: difference from the scenario as written");
        let mut chart = charts::ranked_rows(&area, &labels, (x0, x1), &x_desc, 90)?;
        for (i, r) in rows.iter().enumerate() {
            let y = (k - 1 - i) as f64;
            let fresh = d.fresh(r.candidate, metric);
            let dy = if fresh.is_some() { 0.17 } else { 0.0 };
            let c = style::MUTED;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(r.diff_ci95_lo, y + dy), (r.diff_ci95_hi, y + dy)],
                c.stroke_width(3),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (r.diff_mean, y + dy),
                7,
                ShapeStyle::from(&WHITE).filled(),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (r.diff_mean, y + dy),
                7,
                c.stroke_width(3),
            )))?;
            if let Some(f) = fresh {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(f.diff_ci95_lo, y - dy), (f.diff_ci95_hi, y - dy)],
                    style::VERMILLION.stroke_width(3),
                )))?;
                chart.draw_series(std::iter::once(Circle::new(
                    (f.diff_mean, y - dy),
                    8,
                    style::VERMILLION.filled(),
                )))?;
            }
        }
        Ok(())
    }
}

/// A drawn chart: (stem, caption, SVG, PNG).
pub type Drawn = (String, String, String, Vec<u8>);

/// The charts, in report order.
pub fn render(d: &Data) -> Result<Vec<Drawn>, RunError> {
    let (metric, _) = d.goal();
    let search = charts::render_both(&SearchChart { d }, CHARTS[0])?;
    let best = charts::render_both(&BestChart { d }, CHARTS[1])?;
    Ok(vec![
        (
            CHARTS[0].to_string(),
            format!(
                "How the search went: each candidate's paired difference in {metric} from the scenario as written, on the same {} trials, in the order evaluated (hollow: the screening design; filled: Nelder–Mead; grey: breaks a constraint). The line is the best candidate meeting the constraints so far; the diamond marks the one chosen after racing, which may sit above the line, grey: just short of a constraint on these trials, it met it on the racing's larger samples. Above the zero line a candidate keeps more than the scenario as written.",
                d.trials
            ),
            search.0,
            search.1,
        ),
        (
            CHARTS[1].to_string(),
            format!(
                "The best ways of cutting found: the candidates raced on more trials, best on top, each with its paired difference in {metric} from the scenario as written and its 95% confidence interval on the most trials it reached (hollow), and the chosen one's on {} fresh trials of seed {} (filled). The search's own trials favour the candidates they picked (the winner's curse); the fresh estimate does not, and is the one to quote.",
                d.fresh_trials, d.fresh_seed
            ),
            best.0,
            best.1,
        ),
    ])
}

/// Where the chosen way of cutting takes the money from, against the scenario as written,
/// in the horizon's last fiscal year: "It takes the cut from personnel (1,359 M€, 19% of the
/// line) and operations (…), and spares procurement; the scenario as written (proportional)
/// takes 20% from every line."
fn money_words(d: &Data, c: &Chosen) -> Option<String> {
    if c.cut.is_empty() || d.reference_cut.len() != c.cut.len() {
        return None;
    }
    let u = if d.money_unit.is_empty() {
        "M"
    } else {
        d.money_unit.as_str()
    };
    let name = |l: &LineCut| l.line.replace('_', " ");
    let list = |v: Vec<String>| match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        n => format!("{} and {}", v[..n - 1].join(", "), v[n - 1]),
    };
    let taken = |cut: &[LineCut]| -> (Vec<String>, Vec<String>) {
        let (mut t, mut spared) = (Vec::new(), Vec::new());
        for l in cut {
            let x = l.full - l.at_level;
            if x.abs() < 0.5 {
                spared.push(name(l));
            } else {
                t.push(format!(
                    "{} ({} {u}, {:.0}% of the line)",
                    name(l),
                    style::thousands(x),
                    100.0 * x / l.full
                ));
            }
        }
        (t, spared)
    };
    let (t, spared) = taken(&c.cut);
    let mut s = format!("In FY{} it takes the cut from {}", d.cut_year, list(t));
    if !spared.is_empty() {
        let _ = write!(s, " and spares {}", list(spared));
    }
    // The scenario as written in one phrase when it cuts every line by the same share.
    let shares: Vec<f64> = d
        .reference_cut
        .iter()
        .map(|l| (l.full - l.at_level) / l.full)
        .collect();
    let same = shares.iter().all(|x| (x - shares[0]).abs() < 0.005);
    let policy = if d.reference_policy.is_empty() {
        "its own cut policy".to_string()
    } else {
        d.reference_policy.replace('_', " ")
    };
    if same {
        let _ = write!(
            s,
            "; the scenario as written ({policy}) takes {:.0}% from every line.",
            100.0 * shares[0]
        );
    } else {
        let (t, spared) = taken(&d.reference_cut);
        let _ = write!(
            s,
            "; the scenario as written ({policy}) takes it from {}",
            list(t)
        );
        if !spared.is_empty() {
            let _ = write!(s, " and spares {}", list(spared));
        }
        s.push('.');
    }
    Some(s)
}

/// The bottom line: the answer, the figure to quote, where the money comes from, and whether
/// it meets the constraints.
pub fn bottom_line(d: &Data) -> String {
    let (metric, up) = d.goal();
    let Some(c) = d.chosen.first() else {
        return "The search chose no candidate.".into();
    };
    let Some(f) = d.fresh(c.candidate, metric) else {
        return "The chosen candidate has no fresh estimate.".into();
    };
    let dec = decimals(metric);
    let mut s = if beats(f, up) {
        format!(
            "At {} of baseline the best way of cutting found keeps the {} {:.dec$} {} than the scenario as written does (95% CI {} to {}, paired on {} fresh trials).",
            d.level_words(),
            words(metric),
            f.diff_mean.abs(),
            if (f.diff_mean > 0.0) == up {
                if up { "higher" } else { "lower" }
            } else if up {
                "lower"
            } else {
                "higher"
            },
            signed(f.diff_ci95_lo, dec),
            signed(f.diff_ci95_hi, dec),
            f.trials,
        )
    } else {
        format!(
            "At {} of baseline the search found no way of cutting that beats the scenario as written in the {}: the best found differs by {} on {} fresh trials. Keep the scenario's own cut, or search further.",
            d.level_words(),
            words(metric),
            diff_ci(f),
            f.trials
        )
    };
    if d.objectives.len() == 2 && d.chosen.len() > 1 {
        let _ = write!(
            s,
            " With two objectives the answer is a front of {} ways of cutting, none better than another in both {} and {}; this one is the best in {metric}, the table gives the others.",
            d.chosen.len(),
            d.objectives[0].0,
            d.objectives[1].0
        );
    }
    if let Some(w) = money_words(d, c) {
        s.push(' ');
        s.push_str(&w);
    }
    for con in &d.constraints {
        let name = con.split(['>', '<']).next().unwrap_or("").to_string();
        if let Some(v) = d.fresh(c.candidate, &name) {
            let _ = write!(
                s,
                " It {} the constraint {}: {:.3} on the fresh trials (95% CI {:.3} to {:.3}).",
                if fresh_meets(con, v.mean) {
                    "meets"
                } else {
                    "does NOT meet"
                },
                con.replace(">=", " ≥ ").replace("<=", " ≤ "),
                v.mean,
                v.ci95_lo,
                v.ci95_hi
            );
        }
    }
    s
}

fn fresh_meets(con: &str, mean: f64) -> bool {
    if let Some((_, b)) = con.split_once(">=") {
        b.parse::<f64>().is_ok_and(|b| mean >= b)
    } else if let Some((_, b)) = con.split_once("<=") {
        b.parse::<f64>().is_ok_and(|b| mean <= b)
    } else {
        false
    }
}

/// `report.html` of an optimise folder.
pub fn html(d: &Data, charts: &[Drawn]) -> String {
    let (metric, up) = d.goal();
    let mut o = String::new();
    let title = format!(
        "How to absorb a cut to {} of baseline: {}",
        d.level_words(),
        d.scenario
    );
    let css =
        crate::report::CSS.replace("PRINT_HEIGHTmm", &format!("{}mm", style::PRINT_HEIGHT_MM));
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"dipcap {}\">\n<title>{}</title>\n<style>{css}#optimise-table td, #optimise-table th {{ white-space: normal; }}\n{}\n</style>\n</head>\n<body>\n<main>",
        esc(&d.version),
        esc(&title),
        crate::report::page_css_for(&d.stamp())
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        o,
        "<p class=\"bottom-line\" id=\"bottom-line\"><strong>Bottom line.</strong> {}</p>",
        esc(&bottom_line(d))
    );
    let _ = writeln!(o, "<p class=\"lead\">{}</p>", esc(&d.stamp()));
    let _ = writeln!(
        o,
        "<aside class=\"how\"><h2>How to read this report</h2><dl>\
<dt>What was searched</dt><dd>The levers the scenario declares in its <code>[search]</code> table, at {} of baseline; every candidate was run on the same {} simulated futures (the same crises, economy and partners' draws), so differences between candidates are caused by how the cut is taken, not by luck.</dd>\
<dt>Paired difference</dt><dd>A candidate's {metric} minus the scenario as written, trial by trial; its 95% confidence interval says how precisely the mean difference is known, not how widely outcomes range.</dd>\
<dt>Which figure to quote</dt><dd>The one on fresh trials (seed {}). The search's own trials picked the winner, and so flatter it (the winner's curse); the fresh trials had no say in the choice.</dd>\
</dl></aside>",
        d.level_words(),
        d.trials,
        d.fresh_seed
    );

    o.push_str("<section id=\"optimise\">\n<div class=\"opener\">\n<h2>Which way of cutting loses least</h2>\n");
    let raced = d.raced(metric, up);
    let most = raced.iter().map(|r| r.trials).max().unwrap_or(d.trials);
    let race = if d.objectives.len() == 2 {
        format!(
            "the {} non-dominated ones were estimated again on {most} trials and those still non-dominated kept",
            raced.len()
        )
    } else {
        format!(
            "the best {} were raced on up to {most} trials, the better half kept each time",
            raced.len()
        )
    };
    let _ = writeln!(
        o,
        "<p>{} candidates were evaluated on {} trials each ({} asked for); {race}; the chosen were then run again beside the scenario as written on {} fresh trials. The table gives the raced candidates, the chosen first, with the values searched (a line's weight is its part of the cut, in proportion to the others'), and each paired difference from the scenario as written with its 95% confidence interval.</p>",
        d.candidates, d.trials, d.evaluations, d.fresh_trials
    );
    // The heading and its introduction stay together on paper; the table and charts follow.
    o.push_str("</div>\n");
    // One column per searched key (the cut policy a shares search sets is the same in every
    // row and left out), the trials raced, both estimates, each constraint's metric.
    let shown: Vec<usize> = (0..d.keys.len())
        .filter(|&i| d.keys[i] != "budget.cut.policy")
        .collect();
    o.push_str(
        "<div class=\"table-wrap\"><table id=\"optimise-table\"><thead><tr><th>candidate</th>",
    );
    for &i in &shown {
        let _ = write!(o, "<th>{}</th>", esc(&short_key(&d.keys[i])));
    }
    let _ = write!(
        o,
        "<th>trials raced</th><th>{metric} difference on the search's trials (95% CI)</th><th>{metric} difference on fresh trials (95% CI)</th>"
    );
    for con in &d.constraints {
        let _ = write!(
            o,
            "<th>{}</th>",
            esc(&con.replace(">=", " ≥ ").replace("<=", " ≤ "))
        );
    }
    o.push_str("</tr></thead><tbody>");
    let dec = decimals(metric);
    let est = |r: &Row| {
        format!(
            "{} <span class=\"ci\">({} to {})</span>",
            esc(&signed(r.diff_mean, dec)),
            esc(&signed(r.diff_ci95_lo, dec)),
            esc(&signed(r.diff_ci95_hi, dec))
        )
    };
    for r in d.raced(metric, up) {
        let chosen = d.chosen.iter().find(|c| c.candidate == r.candidate);
        let name = chosen.map_or(format!("#{}", r.candidate), |c| {
            format!("#{} ({})", r.candidate, c.name)
        });
        let _ = write!(o, "<tr><td>{}</td>", esc(&name));
        for &i in &shown {
            let _ = write!(o, "<td>{}</td>", esc(r.values.get(i).map_or("", |v| v)));
        }
        let fresh = d.fresh(r.candidate, metric).map_or("—".to_string(), est);
        let _ = write!(
            o,
            "<td>{}</td><td>{}</td><td>{}</td>",
            r.trials,
            est(r),
            fresh
        );
        for con in &d.constraints {
            let m = con.split(['>', '<']).next().unwrap_or("");
            let v = d
                .rows
                .iter()
                .find(|x| {
                    x.candidate == r.candidate
                        && x.metric == m
                        && x.stage == r.stage
                        && x.trials == r.trials
                })
                .map_or("—".into(), |x| {
                    format!(
                        "{:.3}{}",
                        x.mean,
                        if fresh_meets(con, x.mean) {
                            ""
                        } else {
                            " (not met)"
                        }
                    )
                });
            let _ = write!(o, "<td>{}</td>", esc(&v));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>\n");
    if let Some(r) = d.reference(metric) {
        let _ = writeln!(
            o,
            "<p>The scenario as written: {metric} {:.3} (95% CI {:.3} to {:.3}) on the fresh trials.</p>",
            r.mean, r.ci95_lo, r.ci95_hi
        );
    }
    for (stem, caption, svg, _) in charts {
        let id = format!("cap-{stem}");
        let _ = writeln!(
            o,
            "<figure id=\"fig-{stem}\">{}<figcaption id=\"{id}\">{} <span class=\"file\">charts/{stem}.svg</span></figcaption></figure>",
            crate::report::inline_svg(svg, &id, &caption_title(caption)),
            esc(caption)
        );
    }
    let _ = writeln!(
        o,
        "<p>To use the winner, paste <code>policy.toml</code> into the scenario file: <code>dipcap run {} --seed {} --trials {}</code> then reports it in <code>policies.csv</code> and in its report beside the scenario as written, with the same estimate.</p>\n</section>",
        esc(&d.scenario_path),
        d.fresh_seed,
        d.fresh_trials
    );

    o.push_str(
        "<section id=\"provenance\">\n<h2>How this report was made</h2>\n<dl class=\"prov\">",
    );
    let rows: Vec<(&str, String)> = vec![
        ("dipcap version", d.version.clone()),
        ("scenario", d.scenario.clone()),
        ("scenario file", d.scenario_path.clone()),
        ("scenario SHA-256", d.scenario_sha256.clone()),
        ("level", d.level_words()),
        (
            "objective",
            d.objectives
                .iter()
                .map(|(m, up)| {
                    format!(
                        "{m} ({})",
                        if *up {
                            "higher is better"
                        } else {
                            "lower is better"
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "constraints",
            if d.constraints.is_empty() {
                "none".into()
            } else {
                d.constraints.join(", ")
            },
        ),
        (
            "search seed and trials",
            format!("{} · {} per candidate", d.seed, d.trials),
        ),
        (
            "fresh seed and trials",
            format!("{} · {}", d.fresh_seed, d.fresh_trials),
        ),
        ("random number generator", d.generator.clone()),
        (
            "crates that decide the numbers",
            d.crates
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("threads", d.threads.to_string()),
        ("started", d.started.clone()),
        ("search time", format!("{:.2} s", d.wall_seconds)),
        (
            "reproduce",
            format!(
                "dipcap optimise {} --level {} {}{} --seed {} --trials {} --evaluations {} --fresh-seed {} --fresh-trials {}",
                d.scenario_path,
                crate::output::num(d.level),
                d.objectives
                    .iter()
                    .map(|(m, up)| format!("--objective {m}:{}", if *up { "max" } else { "min" }))
                    .collect::<Vec<_>>()
                    .join(" "),
                d.constraints
                    .iter()
                    .map(|c| format!(" --constraint '{c}'"))
                    .collect::<String>(),
                d.seed,
                d.trials,
                d.evaluations,
                d.fresh_seed,
                d.fresh_trials
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    o.push_str("</dl>\n</section>\n</main>\n</body>\n</html>\n");
    o
}

/// A caption's first sentence, as the chart's title.
fn caption_title(caption: &str) -> String {
    caption.split(": ").next().unwrap_or(caption).to_string()
}

/// The chart files and report of an optimise folder, as (path relative to the folder,
/// bytes), from its `optimise.csv` and `manifest.json`.
pub fn files(csv_bytes: &[u8], manifest: &[u8]) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    let d = Data::parse(csv_bytes, manifest)?;
    let charts = render(&d)?;
    let mut out = Vec::new();
    for (stem, _, svg, png) in &charts {
        out.push((
            format!("{}/{stem}.svg", folder::CHARTS),
            svg.as_bytes().to_vec(),
        ));
        out.push((format!("{}/{stem}.png", folder::CHARTS), png.clone()));
    }
    out.push((folder::REPORT.to_string(), html(&d, &charts).into_bytes()));
    Ok(out)
}

/// The chart file names a manifest lists (sorted, as the run and sweep manifests list them).
pub fn chart_files() -> Vec<String> {
    let mut v: Vec<String> = CHARTS
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    v.sort();
    v
}

/// Redraws an optimise folder's charts and report from its files (`dipcap plot`); returns
/// the number of charts.
pub fn replot(out_dir: &std::path::Path) -> Result<usize, RunError> {
    let read = |name: &str| {
        let p = out_dir.join(name);
        std::fs::read(&p).map_err(|e| {
            RunError::from(crate::error::InputError::Option {
                what: format!("OUTPUT_DIR {}", out_dir.display()),
                problem: format!("cannot read {name}: {e}"),
                hint: "give the folder dipcap optimise wrote, whole".into(),
            })
        })
    };
    let visuals = files(&read(folder::OPTIMISE)?, &read(folder::MANIFEST)?)?;
    let charts = out_dir.join(folder::CHARTS);
    std::fs::create_dir_all(&charts).map_err(|e| RunError::write(&charts, e))?;
    for (name, bytes) in &visuals {
        crate::output::write_atomic(&out_dir.join(name), bytes)?;
    }
    Ok(CHARTS.len())
}
