//! Who notices first: for each partner and cut level, the first fiscal year at whose end the
//! partner's trust is more than [`NOTICE_DROP`] below its trust at full budget in the same year,
//! with 95% confidence (the upper end of the paired difference's CI below −0.05). Partners are
//! ranked by when they notice the deepest cut; those who never do within the horizon are listed
//! last, marked so. Drawn from `partners_yearly.csv`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style;
use super::{ChartData, ChartSpec, DrawResult, Key, Kind, frame};

/// How far below its full-budget trust (on the 0–1 scale) a partner's trust must fall for the
/// partner to have noticed the cut.
pub const NOTICE_DROP: f64 = 0.05;

/// The fiscal year at whose end `partner` first trusts the country more than `NOTICE_DROP`
/// less at level position `l` than at the baseline, beyond Monte Carlo error (95%).
pub fn first_notice(d: &ChartData, l: usize, partner: &str) -> Option<i64> {
    d.partner_years
        .get(l)?
        .iter()
        .filter(|r| r.partner == partner)
        .find(|r| r.trust_diff_ci95_hi < -NOTICE_DROP)
        .map(|r| r.fiscal_year)
}

/// Partners in file order with when they notice the deepest cut, ranked: earliest first, then
/// by the size of their fall at the end of the horizon; those who never notice last.
pub fn ranking(d: &ChartData) -> Vec<(String, Option<i64>)> {
    let deep = d.levels().len().saturating_sub(1);
    let names: Vec<String> = d
        .partners
        .first()
        .map(|ps| ps.iter().map(|p| p.partner.clone()).collect())
        .unwrap_or_default();
    let fall = |name: &str| {
        d.partner_years
            .get(deep)
            .and_then(|rows| rows.iter().rev().find(|r| r.partner == name))
            .map_or(0.0, |r| r.trust_diff_mean)
    };
    let mut v: Vec<(String, Option<i64>, f64)> = names
        .into_iter()
        .map(|n| {
            let first = if deep > 0 {
                first_notice(d, deep, &n)
            } else {
                None
            };
            let f = fall(&n);
            (n, first, f)
        })
        .collect();
    v.sort_by(|a, b| {
        let key = |x: &Option<i64>| x.unwrap_or(i64::MAX);
        key(&a.1).cmp(&key(&b.1)).then(a.2.total_cmp(&b.2))
    });
    v.into_iter().map(|(n, f, _)| (n, f)).collect()
}

pub fn spec(d: &ChartData) -> ChartSpec {
    let n = d.levels().len();
    let rank = ranking(d);
    let first: Vec<&(String, Option<i64>)> = rank.iter().filter(|(_, y)| y.is_some()).collect();
    let lead = match first.first() {
        Some((_, Some(year))) => {
            let same: Vec<&str> = first
                .iter()
                .filter(|(_, y)| *y == Some(*year))
                .map(|(n, _)| n.as_str())
                .collect();
            format!(
                " At {} of baseline {} notice{} first, by the end of FY{year}; {} of {} partners notice within the horizon.",
                d.level_label(n - 1),
                list(&same),
                if same.len() == 1 { "s" } else { "" },
                first.len(),
                rank.len()
            )
        }
        _ => format!(
            " No partner's trust falls that far at {} of baseline within the horizon.",
            d.level_label(n - 1)
        ),
    };
    ChartSpec {
        kind: Kind::NoticeFirst,
        stem: "partners-notice-first".into(),
        section: "partners",
        caption: format!(
            "Which partners notice the cut first: each mark is the first fiscal year at whose end a partner trusts the country more than {NOTICE_DROP} (on the 0–1 trust scale) less than at full budget in the same year, with 95% confidence (paired over the same trials, from partners_yearly.csv); one colour per cut level. Partners are ranked by when they notice the deepest cut; those listed at the foot, marked \"not within\", do not notice it within the horizon.{lead}"
        ),
    }
}

/// "A", "A and B", "A, B and C".
fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [a] => a.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub fn draw<DB: DrawingBackend>(d: &ChartData, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let n = d.levels().len();
    let rank = ranking(d);
    let mut keys: Vec<(Key, String)> = (1..n)
        .map(|l| {
            (
                Key::Diamond(style::level_colour(l, n)),
                format!("{} of baseline", d.level_label(l)),
            )
        })
        .collect();
    keys.push((Key::Marker(style::CUT_MARK), "cut starts".into()));
    let area = frame(
        root,
        "Which partners notice the cut first",
        &format!(
            "First year-end at which a partner's trust is over {NOTICE_DROP} below its full-budget trust (95% confidence, {} paired trials per level)",
            d.manifest.trials
        ),
        &keys,
        &d.stamp(),
    )?;
    let (first, last) = d.fiscal_years();
    let rows = rank.len().max(1);
    // Row r is drawn at y = rows − 1 − r, so the first-ranked partner is at the top.
    let y_of = |r: usize| (rows - 1 - r) as f64;
    let label = |v: &f64| {
        style::category(*v, rows).map_or_else(String::new, |i| {
            let (name, when) = &rank[rows - 1 - i];
            if when.is_some() {
                name.clone()
            } else {
                format!("{name} (not within FY{last})")
            }
        })
    };
    // The name column is as wide as the longest label needs.
    let mut label_w = 200;
    for r in 0..rows {
        let w = area
            .estimate_text_size(&label(&(r as f64)), &style::font(style::TICK))?
            .0;
        label_w = label_w.max(w + 40);
    }
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .margin_right(40)
        .x_label_area_size(70)
        .y_label_area_size(label_w)
        .build_cartesian_2d(
            (first as f64 - 0.5)..(last as f64 + 0.5),
            -0.6f64..(rows as f64 - 0.4),
        )?;
    let years = (last - first + 1) as usize;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::Both,
            x_labels: years.min(12) + 1,
            x_fmt: &style::whole_tick,
            x_desc: "fiscal year (trust measured at its end)",
            y_labels: rows + 1,
            y_fmt: &label,
            y_desc: None,
            tick: style::TICK,
            desc: style::AXIS_DESC,
        },
    )?;
    // Every other year shaded, so each year reads as a cell; the levels sit side by side
    // within it, shallowest cut first, so equal years do not hide each other and every mark
    // sits on its partner's line.
    for y in (first..=last).step_by(2) {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(y as f64 - 0.5, -0.6), (y as f64 + 0.5, rows as f64 - 0.4)],
            style::GRID.mix(0.45).filled(),
        )))?;
    }
    let year_px = (chart.backend_coord(&(first as f64 + 1.0, 0.0)).0
        - chart.backend_coord(&(first as f64, 0.0)).0)
        .abs();
    let row_px = (chart.backend_coord(&(first as f64, 0.0)).1
        - chart.backend_coord(&(first as f64, 1.0)).1)
        .abs();
    // Trust is measured at the end of the year: the marks sit in the later part of its cell,
    // after a cut that starts within the year.
    let cuts = n.saturating_sub(1).max(1);
    let step = 0.45 / cuts as f64;
    let r = ((year_px as f64 * step / 2.0 - 1.0).min(row_px as f64 * 0.4)).clamp(4.0, 11.0) as i32;
    for (row, (name, _)) in rank.iter().enumerate() {
        for l in 1..n {
            let Some(year) = first_notice(d, l, name) else {
                continue;
            };
            let dx = 0.02 + (l as f64 - 0.5) * step;
            let c = style::level_colour(l, n);
            chart.draw_series(std::iter::once(
                EmptyElement::at((year as f64 + dx, y_of(row)))
                    + Polygon::new(vec![(0, -r), (r, 0), (0, r), (-r, 0)], c.filled()),
            ))?;
        }
    }
    // The start of the cut, over the marks, dashed so it reads as a marker and not as data.
    let cut_x = super::fans::cut_position(d);
    if cut_x > first as f64 - 0.5 && cut_x < last as f64 + 0.5 {
        chart.draw_series(DashedLineSeries::new(
            vec![(cut_x, -0.6), (cut_x, rows as f64 - 0.4)],
            12,
            8,
            style::CUT_MARK.stroke_width(3),
        ))?;
    }
    Ok(())
}
