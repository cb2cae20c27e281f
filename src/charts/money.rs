//! Where the money went: spending by budget line stacked per level over the whole horizon,
//! with what was left unspent, what a shock took back, and — beside it — the commitments the
//! lines could not pay; and the same per fiscal year. Drawn from `summary.csv`/`yearly.csv`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, CATEGORY};
use super::{ChartData, ChartSpec, DrawResult, Key, Kind, frame};
use crate::metrics::{Metric, YearMetric};

/// A stacked segment: the per-trial metric (by-level chart) and the yearly metric (by-year
/// chart) it is drawn from, its legend name and colour. Typed, so a misspelt metric cannot
/// quietly draw as zero.
struct Segment(Metric, YearMetric, &'static str, RGBColor);

/// The stacked segments, bottom to top.
const SEGMENTS: [Segment; 8] = [
    Segment(
        Metric::SpentPersonnel,
        YearMetric::SpentPersonnel,
        "personnel",
        CATEGORY[0],
    ),
    Segment(
        Metric::SpentOperations,
        YearMetric::SpentOperations,
        "operations & training",
        CATEGORY[5],
    ),
    Segment(
        Metric::SpentProcurement,
        YearMetric::SpentProcurement,
        "procurement",
        CATEGORY[3],
    ),
    Segment(
        Metric::SpentEngagement,
        YearMetric::SpentEngagement,
        "diplomacy & engagement",
        CATEGORY[1],
    ),
    Segment(
        Metric::SpentCrisisReserve,
        YearMetric::SpentCrisisReserve,
        "crisis reserve",
        CATEGORY[6],
    ),
    Segment(
        Metric::SpentAlliance,
        YearMetric::SpentAlliance,
        "alliance contributions",
        CATEGORY[4],
    ),
    Segment(
        Metric::Rescinded,
        YearMetric::Rescinded,
        "taken back mid-year",
        RGBColor(0x55, 0x55, 0x55),
    ),
    Segment(
        Metric::Unspent,
        YearMetric::Unspent,
        "unspent",
        style::LIGHT,
    ),
];

/// A segment under this share of its bar is too thin to see: the subtitle names it.
const SLIVER: f64 = 0.04;

/// The segments' names where space is short (the subtitle), in `SEGMENTS` order.
const SHORT: [&str; 8] = [
    "personnel",
    "operations",
    "procurement",
    "engagement",
    "reserve",
    "alliance",
    "taken back",
    "unspent",
];

/// The unfunded commitments by line: metric, legend name, colour.
const UNFUNDED: [(Metric, &str, RGBColor); 4] = [
    (Metric::UnfundedPersonnel, "payroll", CATEGORY[0]),
    (Metric::UnfundedOperations, "training", CATEGORY[5]),
    (
        Metric::UnfundedProcurement,
        "joint procurement",
        CATEGORY[3],
    ),
    (
        Metric::UnfundedEngagement,
        "posts, programmes, exercises",
        CATEGORY[1],
    ),
];

fn mean(d: &ChartData, l: usize, metric: Metric) -> f64 {
    d.summary(l, metric)
        .map_or(0.0, |r| if r.mean.is_finite() { r.mean } else { 0.0 })
}

fn total_unfunded(d: &ChartData, l: usize) -> f64 {
    mean(d, l, Metric::Unfunded)
}

pub fn by_level_spec(d: &ChartData) -> ChartSpec {
    let n = d.levels().len();
    let u = &d.manifest.money_unit;
    ChartSpec {
        kind: Kind::MoneyByLevel,
        stem: "money-by-level".into(),
        section: "money",
        caption: format!(
            "Where the money went over the whole horizon, mean over trials, in {u}. Left: each level's appropriations (full budget at the top), split by the line that spent them, with money taken back mid-year (dark grey) and left unspent (light grey) at the end; the subtitle names the lines too thin to see. Right, on its own scale and in the same colours: commitments the lines could not pay (training short of need, payroll after a force cut, abandoned joint-procurement payments, posts, programmes and exercises). At {} of baseline they come to {} {u}, against {} {u} at the baseline; the summary says where the unspent money sits and why it cannot pay them.",
            d.level_label(n - 1),
            style::thousands(total_unfunded(d, n - 1)),
            style::thousands(total_unfunded(d, 0)),
        ),
    }
}

/// Why money can be left unspent at a level where commitments go unpaid, written from the
/// numbers: which line holds the unspent money, and the two rules that keep it from paying
/// other commitments (appropriations are by line and by year; the engagement line's
/// commitments come whole), for the report's money sentence.
pub(crate) fn unspent_words(d: &ChartData) -> String {
    let u = &d.manifest.money_unit;
    let (l, most) = (0..d.levels().len())
        .map(|l| (l, mean(d, l, Metric::Unspent)))
        .fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
    let total: f64 = SEGMENTS.iter().map(|s| mean(d, l, s.0)).sum();
    if total <= 0.0 || most <= 0.0 {
        return String::new();
    }
    let share = 100.0 * most / total;
    let lines = [
        (Metric::UnspentPersonnel, "personnel"),
        (Metric::UnspentOperations, "operations & training"),
        (Metric::UnspentProcurement, "procurement"),
        (Metric::UnspentEngagement, "diplomacy & engagement"),
        (Metric::UnspentCrisisReserve, "crisis reserve"),
    ];
    let (line, name, held) = lines
        .iter()
        .map(|(m, name)| (*m, *name, mean(d, l, *m)))
        .fold((lines[0].0, lines[0].1, f64::NEG_INFINITY), |a, b| {
            if b.2 > a.2 { b } else { a }
        });
    let against = if l > 0 {
        format!(
            ", against {} {u} at full budget",
            style::thousands(mean(d, 0, Metric::Unspent))
        )
    } else {
        String::new()
    };
    let mut s = format!(
        "At most {share:.1}% of the money is left unspent: {} {u} at {}{against}, {} {u} of it in {name}.",
        style::thousands(most),
        d.level_label(l),
        style::thousands(held),
    );
    let unpaid = total_unfunded(d, l);
    if unpaid > 0.0 {
        s.push_str(&format!(
            " Commitments still go unpaid at that level ({} {u}) because money is appropriated by line and by year: what one line leaves cannot pay another's commitments beyond what the in-year reviews may move (budget.reprogramming), and what a calm year leaves lapses at its end.",
            style::thousands(unpaid)
        ));
    }
    if line == Metric::UnspentEngagement {
        s.push_str(" The engagement line's commitments come whole — a post, a programme, an exercise — so when it cannot pay the next one in full, that one goes unfunded and closes (budget.post_closure), and what is left beside it stays unspent.");
    }
    s
}

pub fn by_year_spec(d: &ChartData) -> ChartSpec {
    let u = &d.manifest.money_unit;
    ChartSpec {
        kind: Kind::MoneyByYear,
        stem: "money-by-year".into(),
        section: "money",
        caption: format!(
            "Spending by budget line in each fiscal year, mean over trials, in {u}, one panel per budget level on the same scale. Grey segments on top are money taken back mid-year and money left unspent; the wine-red segment above a bar is what the year's commitments called for and the lines could not pay. The vertical line marks when the cut starts ({}).",
            d.cut_words()
        ),
    }
}

fn segment_keys(with_unfunded: bool) -> Vec<(Key, String)> {
    let mut keys: Vec<(Key, String)> = SEGMENTS
        .iter()
        .map(|s| (Key::Fill(s.3, 1.0), s.2.to_string()))
        .collect();
    if with_unfunded {
        keys.push((
            Key::Fill(CATEGORY[2], 0.55),
            "unfunded commitments".to_string(),
        ));
        keys.push((Key::Dashed(style::CUT_MARK), "cut starts".to_string()));
    }
    keys
}

pub fn draw_by_level<DB: DrawingBackend>(
    d: &ChartData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let unit = d.manifest.money_unit.clone();
    let (first, last) = d.fiscal_years();
    // The lines too small to see in the bars are named with their amounts at the deepest
    // level in the subtitle.
    let n = d.levels().len();
    let deep: Vec<f64> = SEGMENTS.iter().map(|s| mean(d, n - 1, s.0)).collect();
    let total: f64 = deep.iter().sum();
    let slivers: Vec<String> = deep
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0.5 && **v < SLIVER * total)
        .map(|(k, v)| format!("{} {}", SHORT[k], style::thousands(*v)))
        .collect();
    let small = if slivers.is_empty() {
        String::new()
    } else {
        format!(
            "; small lines at {}: {}",
            d.level_label(n - 1),
            slivers.join(", ")
        )
    };
    let area = frame(
        root,
        "Where the money went, by budget level",
        &format!(
            "Totals over FY{first}–FY{last}, mean over {} trials, {unit}{small}",
            d.manifest.trials
        ),
        &segment_keys(false),
        &d.stamp(),
    )?;
    let (left, right) = area.split_horizontally((area.dim_in_pixel().0 as f64 * 0.63) as i32);
    draw_appropriations(d, &left, &unit)?;
    draw_unfunded(d, &right, &unit)
}

/// Left panel: one horizontal stacked bar per level, full budget at the top, each segment
/// wide enough for its amount labelled inside (in thousands, "23.8k", where the full amount
/// does not fit), the total at the bar's end.
fn draw_appropriations<DB: DrawingBackend>(
    d: &ChartData,
    area: &DrawingArea<DB, Shift>,
    unit: &str,
) -> DrawResult<DB> {
    let n = d.levels().len();
    let stacks: Vec<Vec<f64>> = (0..n)
        .map(|l| SEGMENTS.iter().map(|s| mean(d, l, s.0)).collect())
        .collect();
    let top = stacks
        .iter()
        .map(|s| s.iter().sum::<f64>())
        .fold(0.0, f64::max);
    // Room right of the longest bar for its total.
    let x1 = (top * 1.16).max(1.0);
    // Level l is drawn at row n − 1 − l, so the baseline is the top row.
    let row = |l: usize| (n - 1 - l) as f64;
    let x_fmt = |v: &f64| style::thousands(*v);
    let y_fmt =
        |v: &f64| style::category(*v, n).map_or_else(String::new, |r| d.level_label(n - 1 - r));
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Appropriations and how they were used",
            style::bold(style::LEGEND + 2.0),
        )
        .margin(10)
        .margin_right(20)
        .x_label_area_size(70)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..x1, -0.6f64..(n as f64 - 0.4))?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::NoY,
            x_labels: 4,
            x_fmt: &x_fmt,
            x_desc: &format!("money over the horizon ({unit})"),
            y_labels: n.max(2),
            y_fmt: &y_fmt,
            y_desc: None,
            tick: style::TICK,
            desc: style::NOTE,
        },
    )?;
    let px_per_unit = {
        let (a, b) = (
            chart.backend_coord(&(0.0, 0.0)),
            chart.backend_coord(&(x1, 0.0)),
        );
        (b.0 - a.0) as f64 / x1
    };
    for (l, stack) in stacks.iter().enumerate() {
        let y = row(l);
        let mut x = 0.0;
        for (k, v) in stack.iter().enumerate() {
            let c = SEGMENTS[k].3;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y - 0.32), (x + v, y + 0.32)],
                c.filled(),
            )))?;
            let full = style::thousands(*v);
            let short = format!("{:.1}k", v / 1000.0);
            let fits = |t: &str| -> Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
                let w = area.estimate_text_size(t, &style::font(style::NOTE))?.0 as f64;
                Ok(v * px_per_unit >= w + 8.0)
            };
            let label = if fits(&full)? {
                Some(full)
            } else if *v >= 1000.0 && fits(&short)? {
                Some(short)
            } else {
                None
            };
            if let Some(label) = label {
                let ink = if k == 0 || k == 6 { WHITE } else { style::INK };
                chart.draw_series(std::iter::once(
                    EmptyElement::at((x + v / 2.0, y))
                        + Text::new(
                            label,
                            (0, 0),
                            style::font(style::NOTE)
                                .color(&ink)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
                        ),
                ))?;
            }
            x += v;
        }
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, y))
                + Text::new(
                    style::thousands(x),
                    (8, 0),
                    style::bold(style::NOTE).pos(Pos::new(HPos::Left, VPos::Center)),
                ),
        ))?;
    }
    Ok(())
}

/// Right panel, on its own scale: unfunded commitments stacked by line, in the colours of the
/// lines on the left, each bar outlined and totalled.
fn draw_unfunded<DB: DrawingBackend>(
    d: &ChartData,
    area: &DrawingArea<DB, Shift>,
    unit: &str,
) -> DrawResult<DB> {
    let n = d.levels().len();
    let unfunded: Vec<Vec<f64>> = (0..n)
        .map(|l| UNFUNDED.iter().map(|(m, _, _)| mean(d, l, *m)).collect())
        .collect();
    let utop = unfunded
        .iter()
        .map(|s| s.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let u1 = (utop * 1.15).max(1.0);
    let y_fmt = |v: &f64| style::thousands(*v);
    let x_fmt = |v: &f64| d.level_tick(*v);
    let mut chart = ChartBuilder::on(area)
        .caption("Commitments not paid", style::bold(style::LEGEND + 2.0))
        .margin(10)
        .margin_right(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.6f64..(n as f64 - 0.4), 0f64..u1)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::NoX,
            x_labels: n.max(2),
            x_fmt: &x_fmt,
            x_desc: "budget level (% of baseline)",
            y_labels: 9,
            y_fmt: &y_fmt,
            y_desc: Some(&format!("unfunded ({unit})")),
            tick: style::TICK,
            desc: style::NOTE,
        },
    )?;
    for (l, stack) in unfunded.iter().enumerate() {
        let x = l as f64;
        let mut y = 0.0;
        for (k, v) in stack.iter().enumerate() {
            let c = UNFUNDED[k].2;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, y), (x + 0.3, y + v)],
                c.filled(),
            )))?;
            y += v;
        }
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x - 0.3, 0.0), (x + 0.3, y.max(u1 * 0.002))],
            CATEGORY[2].stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, y))
                + Text::new(style::thousands(y), (-24, -30), style::bold(style::NOTE)),
        ))?;
    }
    Ok(())
}

pub fn draw_by_year<DB: DrawingBackend>(
    d: &ChartData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let n = d.levels().len();
    let unit = d.manifest.money_unit.clone();
    let (first, last) = d.fiscal_years();
    let area = frame(
        root,
        "Where the money went, year by year",
        &format!(
            "Mean over {} trials, {unit} per fiscal year; {}",
            d.manifest.trials,
            d.cut_words()
        ),
        &segment_keys(true),
        &d.stamp(),
    )?;
    let yearly = |l: usize, metric: YearMetric| -> Vec<f64> {
        let rows = d.yearly(l, metric);
        (first..=last)
            .map(|fy| {
                rows.iter()
                    .find(|r| r.fiscal_year == fy)
                    .map_or(0.0, |r| if r.mean.is_finite() { r.mean } else { 0.0 })
            })
            .collect()
    };
    let stacks: Vec<Vec<Vec<f64>>> = (0..n)
        .map(|l| SEGMENTS.iter().map(|s| yearly(l, s.1)).collect())
        .collect();
    let unfunded: Vec<Vec<f64>> = (0..n).map(|l| yearly(l, YearMetric::Unfunded)).collect();
    let years = (last - first + 1) as usize;
    let top = (0..n)
        .flat_map(|l| {
            let stacks = &stacks;
            let unfunded = &unfunded;
            (0..years).map(move |y| stacks[l].iter().map(|s| s[y]).sum::<f64>() + unfunded[l][y])
        })
        .fold(0.0, f64::max);
    let y1 = (top * 1.05).max(1.0);
    let (rows, cols) = style::panel_grid(n);
    let panels = super::shared_y_desc(&area, &format!("money per year ({unit})"))?
        .split_evenly((rows, cols));
    let y_fmt = |v: &f64| style::thousands(*v);
    let cut_x = super::fans::cut_position(d);
    let step = super::year_step(years, cols);
    let year_fmt = |v: &f64| super::year_tick(*v, first, step);
    for (l, panel) in panels.iter().enumerate().take(n) {
        let mut chart = ChartBuilder::on(panel)
            .caption(d.panel_title(l), style::bold(style::LEGEND + 2.0))
            .margin(10)
            .margin_top(18)
            .margin_right(20)
            .x_label_area_size(56)
            .y_label_area_size(110)
            .build_cartesian_2d((first as f64 - 0.6)..(last as f64 + 0.6), 0f64..y1)?;
        style::draw_axes(
            &mut chart,
            &style::Axes {
                grid: style::Grid::NoX,
                x_labels: years + 1,
                x_fmt: &year_fmt,
                x_desc: "fiscal year",
                y_labels: 3,
                y_fmt: &y_fmt,
                y_desc: None,
                tick: style::MIN_TEXT,
                desc: style::NOTE,
            },
        )?;
        for y in 0..years {
            let x = (first + y as i64) as f64;
            let mut base = 0.0;
            for (k, s) in stacks[l].iter().enumerate() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.36, base), (x + 0.36, base + s[y])],
                    SEGMENTS[k].3.filled(),
                )))?;
                base += s[y];
            }
            let u = unfunded[l][y];
            if u > 0.0 {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.36, base), (x + 0.36, base + u)],
                    CATEGORY[2].mix(0.55).filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.36, base), (x + 0.36, base + u)],
                    CATEGORY[2].stroke_width(1),
                )))?;
            }
        }
        // Dashed, so it is not read as the dark grey of money taken back.
        if d.manifest.levels[l] < 1.0 && cut_x > first as f64 - 0.6 && cut_x < last as f64 + 0.6 {
            chart.draw_series(DashedLineSeries::new(
                vec![(cut_x, 0.0), (cut_x, y1)],
                10,
                7,
                style::CUT_MARK.stroke_width(3),
            ))?;
        }
    }
    Ok(())
}
