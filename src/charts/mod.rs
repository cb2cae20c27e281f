//! Charts of a run, for readers who never open the CSV files: one file per chart kind
//! (`distributions`, `fans`, `capacity`, `partners`, `notice`, `money`), a shared look (`style`), and
//! the data they are drawn from (`data`: the run's own output files, parsed back).
//!
//! Every chart is drawn twice by the same code, once as SVG and once as a 1024×640 PNG;
//! the font is embedded, so nothing depends on the fonts of the machine.

pub mod capacity;
pub mod data;
pub(crate) mod dci;
pub(crate) mod distributions;
pub(crate) mod fans;
pub(crate) mod money;
pub mod morris;
pub mod notice;
pub mod partners;
pub(crate) mod policies;
pub mod prim;
pub mod sobol;
pub mod style;
pub mod sweep;
pub(crate) mod tornado;

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

pub use data::{ChartData, Source, Spread};

use crate::error::RunError;
use style::{HEIGHT, WIDTH};

/// What a chart shows: the kind and, where there is one per measure, which measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Box plot of a headline measure by level (index into `style::HEADLINE`).
    Distribution(usize),
    /// ECDF overlay of a headline measure by level.
    Ecdf(usize),
    /// Fan chart over the years of a yearly measure (index into `style::FAN`).
    Fan(usize),
    /// Mean with CI and paired difference against level (index into `style::HEADLINE`).
    Capacity(usize),
    /// Every headline measure's change from baseline, in % of its baseline mean.
    Cliff,
    /// End-of-horizon trust by partner and level.
    Partners,
    /// The first year each partner's trust falls clearly below its full-budget trust.
    NoticeFirst,
    /// The DCI's loss at each cut level, split by component.
    DciParts,
    /// Spending by line, per level, over the horizon.
    MoneyByLevel,
    /// Spending by line, per level and fiscal year.
    MoneyByYear,
    /// Each policy's paired DCI difference from the scenario as written, per cut level.
    Policies,
}

/// One chart to draw: its kind, its file stem in `charts/`, and the words around it.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub kind: Kind,
    pub stem: String,
    /// The report section it belongs to; empty for a chart only in `charts/`.
    pub section: &'static str,
    /// Alternative text and report caption: how to read the chart.
    pub caption: String,
}

/// A drawn chart.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub spec: ChartSpec,
    pub svg: String,
    pub png: Vec<u8>,
}

/// The charts of a run, in report order. A measure with one value in every trial at every
/// level gets no chart of its own, and one whose trials agree at each level no distribution
/// charts: they would draw an empty box, a single step or a flat line (the report says the
/// value in a sentence instead, see `report::unvarying`).
pub fn specs(d: &ChartData) -> Vec<ChartSpec> {
    let mut v = Vec::new();
    v.push(capacity::cliff_spec(d));
    let spread: Vec<Spread> = style::HEADLINE.iter().map(|m| d.spread(m.metric)).collect();
    for (i, s) in spread.iter().enumerate() {
        if *s != Spread::Constant {
            v.push(capacity::spec(d, i));
        }
    }
    for (i, s) in spread.iter().enumerate() {
        if *s == Spread::Varies {
            v.push(distributions::box_spec(d, i));
            v.push(distributions::ecdf_spec(d, i));
        }
    }
    for (i, m) in style::FAN.iter().enumerate() {
        if !d.yearly_constant(m.metric) {
            v.push(fans::spec(d, i));
        }
    }
    if d.levels().len() > 1 {
        v.push(dci::spec(d));
    }
    v.push(partners::spec(d));
    if d.levels().len() > 1 {
        v.push(notice::spec(d));
    }
    v.push(money::by_level_spec(d));
    v.push(money::by_year_spec(d));
    if d.policy_names().len() > 1 && d.levels().len() > 1 {
        v.push(policies::spec(d));
    }
    v
}

pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Something that can draw itself on any plotters backend (SVG and bitmap alike).
pub trait Draw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// A chart of a run: its spec and the data it is drawn from.
struct RunChart<'a> {
    spec: &'a ChartSpec,
    data: &'a ChartData,
}

impl Draw for RunChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw(self.spec, self.data, root)
    }
}

fn draw<DB: DrawingBackend>(
    spec: &ChartSpec,
    d: &ChartData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    match spec.kind {
        Kind::Distribution(i) => distributions::draw_box(d, i, root),
        Kind::Ecdf(i) => distributions::draw_ecdf(d, i, root),
        Kind::Fan(i) => fans::draw(d, i, root),
        Kind::Capacity(i) => capacity::draw(d, i, root),
        Kind::Cliff => capacity::draw_cliff(d, root),
        Kind::Partners => partners::draw(d, root),
        Kind::NoticeFirst => notice::draw(d, root),
        Kind::DciParts => dci::draw(d, root),
        Kind::MoneyByLevel => money::draw_by_level(d, root),
        Kind::MoneyByYear => money::draw_by_year(d, root),
        Kind::Policies => policies::draw(d, root),
    }
}

fn chart_error(stem: &str, format: &str, e: impl std::fmt::Display) -> RunError {
    RunError::Chart {
        chart: format!("{stem}.{format}"),
        reason: e.to_string(),
    }
}

/// Draws a chart of a run as SVG text and PNG bytes, on the run canvas ([`style::WIDTH`] ×
/// [`style::HEIGHT`]).
pub fn render_both<C: Draw>(chart: &C, stem: &str) -> Result<(String, Vec<u8>), RunError> {
    render_on(chart, stem, (WIDTH, HEIGHT))
}

/// Draws a chart as SVG text and PNG bytes on a canvas of `(width, height)` pixels.
pub fn render_on<C: Draw>(
    chart: &C,
    stem: &str,
    (width, height): (u32, u32),
) -> Result<(String, Vec<u8>), RunError> {
    style::register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        chart.draw(&root).map_err(|e| chart_error(stem, "svg", e))?;
        root.present().map_err(|e| chart_error(stem, "svg", e))?;
    }
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        chart.draw(&root).map_err(|e| chart_error(stem, "png", e))?;
        root.present().map_err(|e| chart_error(stem, "png", e))?;
    }
    let png = encode_png(&pixels, width, height).map_err(|e| chart_error(stem, "png", e))?;
    Ok((svg, png))
}

/// Draws one chart of a run as SVG and PNG.
pub fn render(spec: &ChartSpec, d: &ChartData) -> Result<Rendered, RunError> {
    let (svg, png) = render_both(&RunChart { spec, data: d }, &spec.stem)?;
    Ok(Rendered {
        spec: spec.clone(),
        svg,
        png,
    })
}

/// Draws every chart of a run, in parallel, returned in report order.
pub fn render_all(d: &ChartData) -> Result<Vec<Rendered>, RunError> {
    specs(d).par_iter().map(|s| render(s, d)).collect()
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

/// The plot of ranked rows against a difference (ways of cutting, candidates of a search):
/// one row per label, the first on top, labelled on the left; the x axis over `x0..x1` with
/// `x_desc`, vertical grid only, and the zero line (no difference) drawn. Row i is at
/// y = rows − 1 − i, each row 1 high.
pub fn ranked_rows<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    labels: &[String],
    (x0, x1): (f64, f64),
    x_desc: &str,
    min_label_width: i32,
) -> Result<style::Chart2d<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let k = labels.len().max(1);
    let label_of = |v: &f64| {
        style::category(*v, k)
            .and_then(|i| labels.get(k - 1 - i).cloned())
            .unwrap_or_default()
    };
    let mut label_w = min_label_width;
    for l in labels {
        let w = area.estimate_text_size(l, &style::font(style::TICK))?.0 as i32;
        label_w = label_w.max(w + 30);
    }
    let x_step = (x1 - x0) / 6.0;
    let x_fmt = |v: &f64| style::tick_label(*v, x_step);
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(40)
        .x_label_area_size(70)
        .y_label_area_size(label_w)
        .build_cartesian_2d(x0..x1, -0.6f64..(k as f64 - 0.4))?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::NoY,
            x_labels: 7,
            x_fmt: &x_fmt,
            x_desc,
            y_labels: k.max(2),
            y_fmt: &label_of,
            y_desc: None,
            tick: style::TICK,
            desc: style::NOTE,
        },
    )?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.6), (0.0, k as f64 - 0.4)],
        style::INK.stroke_width(2),
    )))?;
    Ok(chart)
}

/// A frame: white background, title, subtitle, a key of the marks used, and the stamp at
/// the foot. Returns the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    keys: &[(Key, String)],
    stamp: &str,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let room = w.saturating_sub(72);
    // Long titles are set smaller, then on two lines, rather than cut off at the edge.
    let mut size = style::TITLE;
    while size > 28.0 && root.estimate_text_size(title, &style::bold(size))?.0 > room {
        size -= 2.0;
    }
    let mut top = 22;
    for line in lines(root, title, &style::bold(size), room, " ")? {
        root.draw_text(&line, &style::bold(size), (36, top))?;
        top += size as i32 + 10;
    }
    top += 12;
    if !subtitle.is_empty() {
        // Smaller down to the smallest legible size, then on two lines.
        let mut size = style::SUBTITLE;
        while size > style::MIN_TEXT
            && root
                .estimate_text_size(subtitle, &style::grey_text(size))?
                .0
                > room
        {
            size -= 1.0;
        }
        let text = style::grey_text(size);
        for line in lines(root, subtitle, &text, room, " ")? {
            root.draw_text(&line, &text, (36, top))?;
            top += size as i32 + 8;
        }
        top += 8;
    }
    if !keys.is_empty() {
        top += draw_key(root, keys, 36, top)? + 6;
    }
    // The stamp keeps its size and breaks between its parts when the chart is narrow.
    let text = style::grey_text(style::STAMP);
    let stamp_lines = lines(root, stamp, &text, room, " · ")?;
    let line_h = style::STAMP as i32 + 6;
    let foot = 16 + line_h * stamp_lines.len() as i32;
    root.draw(&PathElement::new(
        vec![(36, h as i32 - foot), (w as i32 - 36, h as i32 - foot)],
        style::GRID.stroke_width(2),
    ))?;
    for (i, line) in stamp_lines.iter().enumerate() {
        root.draw_text(line, &text, (36, h as i32 - foot + 8 + line_h * i as i32))?;
    }
    Ok(root.margin(top, foot + 8, 24, 36))
}

/// Small multiples share one y-axis description, written once down the left edge: one per
/// panel would be longer than a panel is high. Returns the area right of it.
pub fn shared_y_desc<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (_, h) = area.dim_in_pixel();
    let style = style::font(style::NOTE)
        .transform(FontTransform::Rotate270)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
    area.draw_text(text, &style, (14, h as i32 / 2))?;
    Ok(area.margin(0, 0, style::NOTE as i32 + 14, 0))
}

/// Every how many fiscal years a panel labels its axis: every year when it has the width,
/// else every other one (two panels across) or every third (three), so the labels never run
/// into each other.
pub fn year_step(years: usize, cols: usize) -> i64 {
    match cols {
        _ if years <= 6 => 1,
        1 => 1,
        2 => 2,
        _ => 3,
    }
}

/// A fiscal-year tick label on a panel: the year when it is `step` years on from `first`,
/// blank otherwise (ticks sit on every year).
pub fn year_tick(v: f64, first: i64, step: i64) -> String {
    let r = v.round();
    if (v - r).abs() < 1e-6 && (r as i64 - first).rem_euclid(step) == 0 {
        format!("{r:.0}")
    } else {
        String::new()
    }
}

/// `text` broken at `sep` into lines no wider than `room` pixels (a part wider than `room`
/// keeps a line of its own). The separator stays at the end of the line it ends, except
/// for spaces.
pub(crate) fn lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    room: u32,
    sep: &str,
) -> Result<Vec<String>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for part in text.split(sep) {
        let joined = if line.is_empty() {
            part.to_string()
        } else {
            format!("{line}{sep}{part}")
        };
        if !line.is_empty() && area.estimate_text_size(&joined, style)?.0 > room {
            out.push(format!("{line}{}", sep.trim_end()));
            line = part.to_string();
        } else {
            line = joined;
        }
    }
    out.push(line);
    Ok(out)
}

/// A key drawn in a row under the subtitle: what each mark means.
#[derive(Debug, Clone)]
pub enum Key {
    /// A filled box (fill colour, opacity).
    Fill(RGBColor, f64),
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A diamond marker.
    Diamond(RGBColor),
    /// A point with an error bar.
    ErrorBar(RGBColor),
    /// A vertical marker line (the start of the cut).
    Marker(RGBColor),
    /// A filled dot.
    Dot(RGBColor),
    /// A hollow dot (a ring).
    Ring(RGBColor),
}

/// Draws a row of key entries starting at pixel (x, y) of `area`; wraps to a second row when
/// the first is full. Returns the height used.
pub fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(Key, String)],
    x0: i32,
    y0: i32,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = area.dim_in_pixel();
    let text = style::font(style::LEGEND);
    let row_h = 34;
    let (mut x, mut y) = (x0, y0);
    for (key, label) in items {
        let (tw, _) = area.estimate_text_size(label, &text)?;
        let width = 44 + tw as i32 + 26;
        if x > x0 && x + width > w as i32 - 20 {
            x = x0;
            y += row_h;
        }
        let cy = y + 12;
        match key {
            Key::Fill(c, a) => {
                area.draw(&Rectangle::new(
                    [(x, cy - 10), (x + 34, cy + 10)],
                    c.mix(*a).filled(),
                ))?;
                area.draw(&Rectangle::new(
                    [(x, cy - 10), (x + 34, cy + 10)],
                    c.stroke_width(1),
                ))?;
            }
            Key::Line(c) => {
                area.draw(&PathElement::new(
                    vec![(x, cy), (x + 34, cy)],
                    c.stroke_width(4),
                ))?;
            }
            Key::Dashed(c) => {
                area.draw(&PathElement::new(
                    vec![(x, cy), (x + 12, cy)],
                    c.stroke_width(3),
                ))?;
                area.draw(&PathElement::new(
                    vec![(x + 20, cy), (x + 34, cy)],
                    c.stroke_width(3),
                ))?;
            }
            Key::Diamond(c) => {
                area.draw(&diamond((x + 17, cy), 10, *c))?;
            }
            Key::Dot(c) => {
                area.draw(&Circle::new((x + 17, cy), 8, c.filled()))?;
            }
            Key::Ring(c) => {
                area.draw(&Circle::new((x + 17, cy), 8, c.stroke_width(3)))?;
            }
            Key::Marker(c) => {
                area.draw(&PathElement::new(
                    vec![(x + 17, cy - 13), (x + 17, cy + 13)],
                    c.stroke_width(3),
                ))?;
            }
            Key::ErrorBar(c) => {
                area.draw(&PathElement::new(
                    vec![(x + 17, cy - 11), (x + 17, cy + 11)],
                    c.stroke_width(2),
                ))?;
                area.draw(&Circle::new((x + 17, cy), 6, c.filled()))?;
            }
        }
        area.draw_text(label, &text, (x + 44, cy - 11))?;
        x += width;
    }
    Ok(y + row_h - y0)
}

/// A filled diamond centred on a pixel.
pub fn diamond(c: (i32, i32), r: i32, colour: RGBColor) -> Polygon<(i32, i32)> {
    Polygon::new(
        vec![
            (c.0, c.1 - r),
            (c.0 + r, c.1),
            (c.0, c.1 + r),
            (c.0 - r, c.1),
        ],
        colour.filled(),
    )
}

/// The legend name of a level: "100% (baseline)", "80% of baseline".
pub fn level_name(d: &ChartData, l: usize) -> String {
    if l == 0 {
        format!("{} (baseline)", d.level_label(0))
    } else {
        format!("{} of baseline", d.level_label(l))
    }
}
