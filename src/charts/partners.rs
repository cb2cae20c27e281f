//! Which partners notice: a heatmap of end-of-horizon trust by partner (rows, grouped as
//! allies, partnership partners and regional neighbours) and budget level (columns), each
//! cell printed with its value and its change from the baseline. Drawn from `partners.csv`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::{ColorMap, ViridisRGB};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style;
use super::{ChartData, ChartSpec, DrawResult, Kind, frame};

const GROUPS: [(&str, &str); 3] = [
    ("ally", "Allies"),
    ("partner", "Partnership partners"),
    ("regional", "Regional neighbours"),
];

/// The partner whose mean trust falls most from the baseline to the deepest level.
pub fn hardest_hit(d: &ChartData) -> Option<(String, f64, f64)> {
    let n = d.levels().len();
    if n < 2 {
        return None;
    }
    d.partners[0]
        .iter()
        .filter_map(|b| {
            d.partners[n - 1]
                .iter()
                .find(|p| p.partner == b.partner)
                .map(|p| (b.partner.clone(), b.trust_mean, p.trust_mean))
        })
        .max_by(|a, b| (a.1 - a.2).total_cmp(&(b.1 - b.2)))
}

pub fn spec(d: &ChartData) -> ChartSpec {
    let who = match hardest_hit(d) {
        Some((name, base, deep)) => format!(
            " {name} loses most: mean trust {base:.2} at full budget, {deep:.2} at {} of baseline.",
            d.level_label(d.levels().len() - 1)
        ),
        None => String::new(),
    };
    let which = if d.partners[0].len() > MAX_ROWS {
        format!(
            " Of the {} partners, the {MAX_ROWS} whose trust falls most are shown; partners.csv has them all.",
            d.partners[0].len()
        )
    } else {
        String::new()
    };
    ChartSpec {
        kind: Kind::Partners,
        stem: "partners-trust".into(),
        section: "partners",
        caption: format!(
            "Mean trust of each partner at the end of the horizon (0 = none, 1 = complete), by budget level. Rows are grouped into allies, partnership partners and regional neighbours; each cell shows the mean over trials and, beside the baseline column, the change from the baseline. Darker cells are lower trust: a row that darkens quickly is a partner that notices the cut first.{which}{who}"
        ),
    }
}

fn cell_colour(v: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    ViridisRGB.get_color(t)
}

/// Black or white, whichever reads on `c`.
fn ink_on(c: RGBColor) -> RGBColor {
    let lum = 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    if lum > 120.0 { style::INK } else { WHITE }
}

/// A line of the heatmap: a group heading or a partner.
enum Row<'a> {
    Heading(&'a str),
    Partner(&'a str),
}

/// The most partners the heat map has rows for: beyond, rows would be too thin for text of the
/// smallest chart size (1000 partners made a 5-pixel band), so it shows those whose trust falls
/// most and says so. With up to three group headings, 17 rows of 26 px fill the chart.
pub const MAX_ROWS: usize = 14;

/// The partners the heat map shows: all of them, or the [`MAX_ROWS`] whose mean trust falls
/// most from the baseline to the deepest level (ties in file order).
fn shown(d: &ChartData) -> Vec<&str> {
    let all = &d.partners[0];
    if all.len() <= MAX_ROWS {
        return all.iter().map(|p| p.partner.as_str()).collect();
    }
    let deepest = d.levels().len() - 1;
    let mut by_drop: Vec<(usize, f64)> = all
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.trust_mean - trust(d, deepest, &p.partner)))
        .collect();
    // NaN drops (a partner missing at a level) sort last.
    by_drop.sort_by(|a, b| {
        let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
        key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0))
    });
    let mut keep: Vec<usize> = by_drop.iter().take(MAX_ROWS).map(|(i, _)| *i).collect();
    keep.sort_unstable();
    keep.into_iter().map(|i| all[i].partner.as_str()).collect()
}

/// Group headings and partners, in group order then file order; empty groups are left out.
fn rows(d: &ChartData) -> Vec<Row<'_>> {
    let shown = shown(d);
    let mut rows = Vec::new();
    for (kind, heading) in GROUPS {
        let members: Vec<&str> = d.partners[0]
            .iter()
            .filter(|p| p.kind == kind && shown.contains(&p.partner.as_str()))
            .map(|p| p.partner.as_str())
            .collect();
        if !members.is_empty() {
            rows.push(Row::Heading(heading));
            rows.extend(members.into_iter().map(Row::Partner));
        }
    }
    rows
}

fn trust(d: &ChartData, l: usize, name: &str) -> f64 {
    d.partners[l]
        .iter()
        .find(|p| p.partner == name)
        .map_or(f64::NAN, |p| p.trust_mean)
}

/// The colour scale: every level's trust, widened to multiples of 0.05 so the bar's ticks fall
/// on round values, and at least 0.05 wide so equal values still get a scale.
fn trust_range(d: &ChartData) -> (f64, f64) {
    let n = d.levels().len();
    let values = (0..n).flat_map(|l| d.partners[l].iter().map(|p| p.trust_mean));
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = ((lo * 20.0).floor() / 20.0, (hi * 20.0).ceil() / 20.0);
    if lo.is_finite() && hi - lo >= 0.05 {
        (lo, hi)
    } else if lo.is_finite() {
        (lo, lo + 0.05)
    } else {
        (0.0, 1.0)
    }
}

/// Where the grid sits in the plot area, in pixels.
struct Layout {
    /// Levels (columns).
    n: usize,
    /// Width of the partner-name column.
    label_w: i32,
    /// Height of the column headings above the first row.
    top: i32,
    col_w: i32,
    row_h: i32,
}

impl Layout {
    fn new(area_px: (u32, u32), n: usize, rows: usize, label_w: i32) -> Layout {
        let (w, h) = area_px;
        let bar_w = 150;
        let top = 50;
        let grid_w = w as i32 - label_w - bar_w - 20;
        let col_w = grid_w / n.max(1) as i32;
        let row_h = ((h as i32 - top - 10) / rows.max(1) as i32).min(56);
        Layout {
            n,
            label_w,
            top,
            col_w,
            row_h,
        }
    }

    /// The left edge of column `l`.
    fn x(&self, l: usize) -> i32 {
        self.label_w + l as i32 * self.col_w
    }
}

// Text is anchored at its vertical centre so it sits in the middle of its row.
fn left_mid() -> Pos {
    Pos::new(HPos::Left, VPos::Center)
}

fn centre() -> Pos {
    Pos::new(HPos::Center, VPos::Center)
}

pub fn draw<DB: DrawingBackend>(d: &ChartData, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let n = d.levels().len();
    let area = frame(
        root,
        "Partner trust at the end of the horizon, by budget level",
        &format!(
            "Mean over {} trials; cells: trust (0–1) at full budget, then its change at each cut; colour: trust{}",
            d.manifest.trials,
            if d.partners[0].len() > MAX_ROWS {
                format!(
                    "; the {MAX_ROWS} of {} partners whose trust falls most",
                    d.partners[0].len()
                )
            } else {
                String::new()
            }
        ),
        &[],
        &d.stamp(),
    )?;
    let rows = rows(d);
    let (lo, hi) = trust_range(d);
    // The name column is as wide as the longest name (indented by 20 px) needs.
    let mut label_w = 160;
    for row in &rows {
        if let Row::Partner(name) = row {
            let w = area.estimate_text_size(name, &style::font(style::TICK))?.0 as i32;
            label_w = label_w.max(w + 40);
        }
    }
    let layout = Layout::new(area.dim_in_pixel(), n, rows.len(), label_w);
    draw_column_headings(&area, d, &layout)?;
    for (r, row) in rows.iter().enumerate() {
        let y = layout.top + r as i32 * layout.row_h;
        match row {
            Row::Heading(hd) => draw_heading(&area, hd, y, &layout)?,
            Row::Partner(name) => draw_partner(&area, d, name, y, &layout, (lo, hi))?,
        }
    }
    draw_colour_bar(&area, &layout, rows.len(), (lo, hi))
}

fn draw_column_headings<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &ChartData,
    layout: &Layout,
) -> DrawResult<DB> {
    for l in 0..layout.n {
        let x = layout.x(l);
        // The subtitle says the first column is full budget.
        let label = d.level_label(l);
        area.draw_text(
            &label,
            &style::bold(style::TICK).pos(centre()),
            (x + layout.col_w / 2, 20),
        )?;
    }
    Ok(())
}

/// A group heading, underlined across the whole grid.
fn draw_heading<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: &str,
    y: i32,
    layout: &Layout,
) -> DrawResult<DB> {
    let row_h = layout.row_h;
    area.draw_text(
        heading,
        &style::bold(style::TICK).pos(left_mid()),
        (0, y + row_h / 2),
    )?;
    area.draw(&PathElement::new(
        vec![(0, y + row_h - 4), (layout.x(layout.n), y + row_h - 4)],
        style::LIGHT.stroke_width(1),
    ))?;
    Ok(())
}

/// A partner's name and one cell per level, coloured by its trust: the trust at the baseline,
/// then the change from it.
fn draw_partner<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &ChartData,
    name: &str,
    y: i32,
    layout: &Layout,
    (lo, hi): (f64, f64),
) -> DrawResult<DB> {
    let (col_w, row_h) = (layout.col_w, layout.row_h);
    let text = style::font(style::TICK).pos(left_mid());
    let small = style::font(style::NOTE);
    area.draw_text(name, &text, (20, y + row_h / 2))?;
    let base = trust(d, 0, name);
    for l in 0..layout.n {
        let v = trust(d, l, name);
        let x = layout.x(l);
        let c = cell_colour(v, lo, hi);
        area.draw(&Rectangle::new(
            [(x + 2, y + 2), (x + col_w - 2, y + row_h - 2)],
            c.filled(),
        ))?;
        let label = if l == 0 || !v.is_finite() {
            format!("{v:.2}")
        } else {
            let dv = v - base;
            let sign = if dv < -0.0005 {
                "−"
            } else if dv > 0.0005 {
                "+"
            } else {
                "±"
            };
            format!("{sign}{:.3}", dv.abs())
        };
        area.draw_text(
            &label,
            &small.color(&ink_on(c)).pos(centre()),
            (x + col_w / 2, y + row_h / 2),
        )?;
    }
    Ok(())
}

/// The colour bar right of the grid, at most 500 px tall, with its ticks and title.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    layout: &Layout,
    rows: usize,
    (lo, hi): (f64, f64),
) -> DrawResult<DB> {
    let small = style::font(style::NOTE);
    let bx = layout.x(layout.n) + 50;
    let by0 = layout.top + 10;
    let by1 = layout.top + (rows as i32 * layout.row_h).min(500);
    let steps = 100;
    for k in 0..steps {
        let t0 = k as f64 / steps as f64;
        let y_hi = by1 - ((by1 - by0) as f64 * (k + 1) as f64 / steps as f64) as i32;
        let y_lo = by1 - ((by1 - by0) as f64 * t0) as i32;
        area.draw(&Rectangle::new(
            [(bx, y_hi), (bx + 30, y_lo)],
            ViridisRGB.get_color(t0).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(bx, by0), (bx + 30, by1)],
        style::INK.stroke_width(1),
    ))?;
    // Ticks every 0.05 (lo and hi are multiples of 0.05), thinned to at most six.
    let steps = ((hi - lo) / 0.05).round().max(1.0) as usize;
    let every = steps.div_ceil(5);
    for k in (0..=steps).step_by(every) {
        let v = lo + 0.05 * k as f64;
        let y = by1 - ((by1 - by0) as f64 * (v - lo) / (hi - lo).max(1e-9)) as i32;
        area.draw(&PathElement::new(
            vec![(bx + 30, y), (bx + 36, y)],
            style::INK.stroke_width(1),
        ))?;
        area.draw_text(&format!("{v:.2}"), &small.pos(left_mid()), (bx + 40, y))?;
    }
    area.draw_text("trust", &style::bold(style::NOTE), (bx - 4, by0 - 36))?;
    Ok(())
}
