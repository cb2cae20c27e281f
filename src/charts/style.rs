//! The look every chart shares: the embedded font, the colour-blind-safe palettes, text
//! sizes for a 1024×640 canvas, the frame (title, subtitle, footer stamp) and the headline
//! measures with their labels and units.

use std::sync::Once;

use crate::metrics::{Metric, YearMetric};

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

/// Canvas size of every chart, pixels (PNG) and user units (SVG).
pub const WIDTH: u32 = 1024;
pub const HEIGHT: u32 = 640;

/// Canvas of a sweep's charts: they are read on screen or in a paper of their own, not set
/// two to a page in the report, and hold two panels of a row per parameter.
pub const SWEEP_WIDTH: u32 = 1600;
pub const SWEEP_HEIGHT: u32 = 1000;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`), embedded so
/// that charts render identically on a machine with no font packages at all.
static FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family name charts ask for. SVGs name it too, so a browser draws them with its own
/// sans-serif face; the layout was measured with DejaVu Sans, one of the widest, so text fits.
pub const FAMILY: &str = "sans-serif";

pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font checked by the chart tests; a failure here
        // would only mean text is missing, which those tests catch.
        let _ = register_font(FAMILY, FontStyle::Normal, FONT_REGULAR);
        let _ = register_font(FAMILY, FontStyle::Bold, FONT_BOLD);
    });
}

/// Text sizes, pixels of the canvas.
pub const TITLE: f64 = 36.0;
pub const SUBTITLE: f64 = 23.0;
pub const AXIS_DESC: f64 = 24.0;
pub const TICK: f64 = 23.0;
pub const LEGEND: f64 = 23.0;
pub const NOTE: f64 = 23.0;
pub const STAMP: f64 = 23.0;
/// No text on any chart is smaller. plotters writes an SVG font size of size / 1.24 (its
/// points-to-pixels factor), so 23 becomes 18.5 canvas units; the printed report sets a chart
/// 100 mm high, so the 1024 units of its width span 160 mm and the text comes out at 2.9 mm =
/// 8.2 pt, above the 8 pt that print legibility guidance asks for (the browser test measures
/// it on the page). On screen, at the report's 1050 px column, it is 19 px.
pub const MIN_TEXT: f64 = 23.0;
/// How tall the printed report sets a chart, millimetres (see [`MIN_TEXT`]).
pub const PRINT_HEIGHT_MM: f64 = 100.0;

pub fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&INK)
}

pub fn bold(size: f64) -> TextStyle<'static> {
    // `FontDesc::style` keeps the regular face's glyphs (plotters 0.3.7); building the
    // description with the style picks the registered bold face.
    TextStyle::from((FAMILY, size, FontStyle::Bold).into_font()).color(&INK)
}

pub fn grey_text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&MUTED)
}

pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x5f, 0x5f, 0x5f);
pub const GRID: RGBColor = RGBColor(0xe3, 0xe3, 0xe3);
pub const LIGHT: RGBColor = RGBColor(0xbb, 0xbb, 0xbb);

/// Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour
/// vision deficiency and in greyscale print by their different lightness.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

pub const VERMILLION: RGBColor = OKABE_ITO[3];

/// Colours for things that are not budget levels (budget lines, DCI components, measures),
/// from Paul Tol's colour-blind-safe "muted" scheme (Tol 2021, "Colour Schemes", SRON
/// technical note), choosing the hues furthest from the level colours, so that in every chart
/// of a run Okabe–Ito hues mean budget levels and only that.
pub const CATEGORY: [RGBColor; 8] = [
    RGBColor(0x33, 0x22, 0x88), // indigo
    RGBColor(0xDD, 0xCC, 0x77), // sand
    RGBColor(0x88, 0x22, 0x55), // wine
    RGBColor(0x88, 0xCC, 0xEE), // cyan
    RGBColor(0x99, 0x99, 0x33), // olive
    RGBColor(0x44, 0xAA, 0x99), // teal
    RGBColor(0xAA, 0x44, 0x99), // purple
    RGBColor(0x99, 0x99, 0x99), // grey
];
/// The start of the cut on time axes: neutral, so it never reads as a level or a line.
pub const CUT_MARK: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// Budget levels in order: the baseline in blue, deeper cuts through green and orange to
/// vermillion, so the order reads as growing severity in colour and in lightness.
pub fn level_colour(l: usize, n: usize) -> RGBColor {
    const ORDER: [usize; 7] = [0, 2, 1, 3, 4, 5, 7];
    let _ = n;
    OKABE_ITO[ORDER[l % ORDER.len()]]
}

/// How a metric is shown: its words, the axis unit, and the scale from file units to display
/// units (fractions are shown as percentages). `M` is the registry the metric comes from:
/// [`Metric`] (a column of `trials.csv`/`summary.csv`) or [`YearMetric`] (a metric of
/// `yearly.csv`).
#[derive(Debug, Clone, Copy)]
pub struct Measure<M = Metric> {
    pub metric: M,
    /// What it is, in words, capitalised: "Crisis response rate".
    pub name: &'static str,
    /// Axis description with its unit.
    pub axis: &'static str,
    /// The same in a few words, for the axes of panels too small for the full description.
    pub short: &'static str,
    pub factor: f64,
    pub decimals: usize,
    /// Appended to a formatted value: "%" or "".
    pub suffix: &'static str,
    /// What a difference is measured in: "points" (percentage points) or "" (same unit).
    pub diff_unit: &'static str,
    /// The natural range of the displayed value, if it has one.
    pub range: Option<(f64, f64)>,
    /// Counts are drawn on axes from zero, so a constant count does not look like a change.
    pub zero_based: bool,
}

impl<M> Measure<M> {
    pub fn show(&self, v: f64) -> String {
        if !v.is_finite() {
            return "n/a".into();
        }
        format!("{:.*}{}", self.decimals, v * self.factor, self.suffix)
    }

    /// A difference, signed, without its unit: "−17.2".
    pub fn show_diff_bare(&self, d: f64) -> String {
        let s = self.show_diff(d);
        match s.split_once(' ') {
            Some((v, _)) => v.to_string(),
            None => s,
        }
    }

    /// A difference, signed, with its unit: "−17.2 points", "+0.013".
    pub fn show_diff(&self, d: f64) -> String {
        let v = d * self.factor;
        let s = format!("{:.*}", self.decimals, v.abs());
        let sign = if s.chars().all(|c| c == '0' || c == '.') {
            ""
        } else if v < 0.0 {
            "−"
        } else {
            "+"
        };
        if self.diff_unit.is_empty() {
            format!("{sign}{s}")
        } else {
            format!("{sign}{s} {}", self.diff_unit)
        }
    }
}

/// How the headline metrics (`crate::metrics::HEADLINE`, in its order) are shown.
pub const HEADLINE: [Measure; 5] = [
    Measure {
        metric: Metric::ResponseRate,
        name: "Crisis response rate",
        axis: "crises answered in time (% of crises decided)",
        short: "% answered in time",
        factor: 100.0,
        decimals: 1,
        suffix: "%",
        diff_unit: "points",
        range: Some((0.0, 100.0)),
        zero_based: false,
    },
    Measure {
        metric: Metric::ExercisesHeldShare,
        name: "Exercises held",
        axis: "exercises held (% of those planned)",
        short: "% of exercises held",
        factor: 100.0,
        decimals: 1,
        suffix: "%",
        diff_unit: "points",
        range: Some((0.0, 100.0)),
        zero_based: false,
    },
    Measure {
        metric: Metric::TrustMean,
        name: "Mean partner trust",
        axis: "partner trust at the horizon (index, 0–1)",
        short: "trust (0–1)",
        factor: 1.0,
        decimals: 3,
        suffix: "",
        diff_unit: "",
        range: Some((0.0, 1.0)),
        zero_based: false,
    },
    Measure {
        metric: Metric::PostsOpen,
        name: "Attaché and forward posts open",
        axis: "posts open (% of the network, monthly mean)",
        short: "% of posts open",
        factor: 100.0,
        decimals: 1,
        suffix: "%",
        diff_unit: "points",
        range: Some((0.0, 100.0)),
        zero_based: false,
    },
    Measure {
        metric: Metric::Dci,
        name: "Diplomatic Capacity Index",
        axis: "DCI (index, 0–1; weights in the scenario)",
        short: "DCI (0–1)",
        factor: 1.0,
        decimals: 3,
        suffix: "",
        diff_unit: "",
        range: Some((0.0, 1.0)),
        zero_based: false,
    },
];

/// The yearly metrics drawn as fan charts.
pub const FAN: [Measure<YearMetric>; 5] = [
    Measure {
        metric: YearMetric::TrustMean,
        name: "Mean partner trust",
        axis: "partner trust at year end (index, 0–1)",
        short: "trust (0–1)",
        factor: 1.0,
        decimals: 3,
        suffix: "",
        diff_unit: "",
        range: Some((0.0, 1.0)),
        zero_based: false,
    },
    Measure {
        metric: YearMetric::Readiness,
        name: "Readiness of the force",
        axis: "mean readiness of active units (index, 0–1)",
        short: "readiness (0–1)",
        factor: 1.0,
        decimals: 3,
        suffix: "",
        diff_unit: "",
        range: Some((0.0, 1.0)),
        zero_based: false,
    },
    Measure {
        metric: YearMetric::ResponseRate,
        name: "Crisis response rate",
        axis: "answered in time (% of the year's crises)",
        short: "% answered in time",
        factor: 100.0,
        decimals: 1,
        suffix: "%",
        diff_unit: "points",
        range: Some((0.0, 100.0)),
        zero_based: false,
    },
    Measure {
        metric: YearMetric::PostsOpen,
        name: "Attaché and forward posts open",
        axis: "posts open at year end (count)",
        short: "posts open",
        factor: 1.0,
        decimals: 1,
        suffix: "",
        diff_unit: "",
        range: None,
        zero_based: true,
    },
    Measure {
        metric: YearMetric::Dci,
        name: "Diplomatic Capacity Index",
        axis: "DCI of the year (index, 0–1)",
        short: "DCI (0–1)",
        factor: 1.0,
        decimals: 3,
        suffix: "",
        diff_unit: "",
        range: Some((0.0, 1.0)),
        zero_based: false,
    },
];

/// Axis range of a measure covering `lo..hi` (display units).
pub fn axis_range<M>(m: &Measure<M>, lo: f64, hi: f64) -> (f64, f64) {
    if m.zero_based {
        let (_, hi) = padded(0.0, hi.max(1.0), None);
        (0.0, hi)
    } else {
        padded(lo, hi, m.range)
    }
}

/// Axis range covering `lo..hi` with a margin, clipped to the measure's natural range (and
/// 1.5% of it beyond).
pub fn padded(lo: f64, hi: f64, natural: Option<(f64, f64)>) -> (f64, f64) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if hi - lo < 1e-9 {
        let pad = if hi.abs() > 1e-9 {
            hi.abs() * 0.05
        } else {
            0.5
        };
        lo -= pad;
        hi += pad;
    }
    let pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
    // Clipped to the natural range with a little room beyond it, so a median at 100% is not
    // drawn on the frame.
    if let Some((a, b)) = natural {
        let room = 0.015 * (b - a);
        lo = lo.max(a - room);
        hi = hi.min(b + room);
    }
    (lo, hi)
}

/// Tick labels: enough decimals to tell ticks `step` apart, no more.
pub fn tick_label(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil().max(0.0) as usize
    };
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s.replace('-', "−")
    }
}

/// Thousands separators for money: 12345.6 → "12,346".
pub fn thousands(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && digits != "0" {
        format!("−{out}")
    } else {
        out
    }
}

/// The category a tick at `v` names on an axis of `n` categories drawn at 0, 1, …, n − 1
/// (levels, ranked parameters): none between them or beyond.
pub fn category(v: f64, n: usize) -> Option<usize> {
    let i = v.round();
    ((v - i).abs() <= 1e-6 && i >= 0.0 && (i as usize) < n).then_some(i as usize)
}

/// Ticks on whole numbers only (fiscal years), blank between them.
pub fn whole_tick(v: &f64) -> String {
    let r = v.round();
    if (v - r).abs() < 1e-6 {
        format!("{r:.0}")
    } else {
        String::new()
    }
}

/// Rows and columns of small multiples for `n` panels: one; two or four as 1×2 and 2×2; three
/// and from five on, three across (no empty slot for three levels).
pub fn panel_grid(n: usize) -> (usize, usize) {
    let cols = match n {
        0 | 1 => 1,
        2 | 4 => 2,
        _ => 3,
    };
    (n.div_ceil(cols), cols)
}

/// Which grid lines a chart draws: none across a categorical axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grid {
    Both,
    /// No vertical lines (categories along x).
    NoX,
    /// No horizontal lines (categories along y).
    NoY,
}

/// A chart's axes in the house style: white minor grid, light grey major grid, tick labels of
/// size `tick`, axis descriptions of size `desc`.
pub struct Axes<'f> {
    pub grid: Grid,
    pub x_labels: usize,
    pub x_fmt: &'f dyn Fn(&f64) -> String,
    pub x_desc: &'f str,
    pub y_labels: usize,
    pub y_fmt: &'f dyn Fn(&f64) -> String,
    /// None when the tick labels say it all (ranked parameters).
    pub y_desc: Option<&'f str>,
    pub tick: f64,
    pub desc: f64,
}

pub type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws `a` on `chart`.
pub fn draw_axes<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    a: &Axes,
) -> super::DrawResult<DB> {
    let mut mesh = chart.configure_mesh();
    match a.grid {
        Grid::Both => {}
        Grid::NoX => {
            mesh.disable_x_mesh();
        }
        Grid::NoY => {
            mesh.disable_y_mesh();
        }
    }
    mesh.light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(a.x_labels)
        .x_label_formatter(a.x_fmt)
        .y_labels(a.y_labels)
        .y_label_formatter(a.y_fmt)
        .x_desc(a.x_desc)
        .label_style(font(a.tick))
        .axis_desc_style(font(a.desc));
    if let Some(d) = a.y_desc {
        mesh.y_desc(d);
    }
    mesh.draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_measures_show_the_headline_metrics_in_their_order() {
        let shown: Vec<Metric> = HEADLINE.iter().map(|m| m.metric).collect();
        assert_eq!(shown, crate::metrics::HEADLINE);
    }

    #[test]
    fn numbers_are_formatted_for_readers() {
        assert_eq!(thousands(12345.6), "12,346");
        assert_eq!(thousands(-999.4), "−999");
        assert_eq!(thousands(0.2), "0");
        let rate = HEADLINE[0];
        assert_eq!(rate.show(0.9125), "91.2%");
        assert_eq!(rate.show_diff(-0.172), "−17.2 points");
        assert_eq!(rate.show_diff(0.00001), "0.0 points");
        assert_eq!(HEADLINE[2].show_diff(0.0131), "+0.013");
        assert_eq!(tick_label(-0.0001, 0.05), "0.00");
        assert_eq!(tick_label(0.25, 0.05), "0.25");
    }

    #[test]
    fn padded_ranges_stay_in_natural_bounds() {
        // A margin beyond the data, at most 1.5% of the natural range beyond it.
        assert!((padded(0.9, 1.0, Some((0.0, 1.0))).1 - 1.008).abs() < 1e-12);
        assert_eq!(padded(0.5, 1.0, Some((0.0, 1.0))).1, 1.015);
        let (lo, hi) = padded(5.0, 5.0, None);
        assert!(lo < 5.0 && hi > 5.0);
    }

    #[test]
    fn category_ticks_fall_on_whole_positions_only() {
        assert_eq!(category(1.0, 3), Some(1));
        assert_eq!(category(2.0000001, 3), Some(2));
        assert_eq!(category(0.5, 3), None);
        assert_eq!(category(3.0, 3), None);
        assert_eq!(category(-1.0, 3), None);
        assert_eq!(whole_tick(&2027.0), "2027");
        assert_eq!(whole_tick(&2027.5), "");
        assert_eq!(
            [1, 2, 3, 4, 5, 7].map(panel_grid),
            [(1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (3, 3)]
        );
    }
}
