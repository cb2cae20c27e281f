//! The report's opening: two or three plain sentences written from `summary.csv` and
//! `partners_yearly.csv` — what the deepest cut costs the DCI, which channel loses most (the
//! channels ranked by their change in % of their full-budget mean), the level below which
//! losses accelerate (the cliff), and which partners notice first — and the one-line
//! statements that replace the charts of a measure that does not vary.

use crate::charts::style::{HEADLINE, Measure};
use crate::charts::{ChartData, Spread, notice};
use crate::metrics::Metric;

/// A channel's change at the deepest cut.
#[derive(Debug, Clone)]
pub struct Effect {
    pub metric: Metric,
    /// The level it is measured at (fraction of baseline).
    pub level: f64,
    /// Paired difference in % of the channel's full-budget mean (negative = loss).
    pub change_pct: f64,
    /// Whether the 95% CI of the paired difference excludes zero.
    pub detectable: bool,
}

/// Where losses start to accelerate: the step below `level` costs clearly more per point of
/// budget than the step above it.
#[derive(Debug, Clone)]
pub struct Cliff {
    pub metric: Metric,
    /// The level below which the loss accelerates (fraction of baseline).
    pub level: f64,
    /// Loss per percentage point of budget on the step above `level` and the step below it,
    /// in the measure's display units.
    pub before: f64,
    pub after: f64,
}

/// The opening sentences and the figures they quote, for tests.
#[derive(Debug, Clone)]
pub struct BottomLine {
    pub text: String,
    /// Channels at the deepest level, largest change first (detectable ones before the rest).
    pub ranked: Vec<Effect>,
    pub cliff: Option<Cliff>,
}

/// A step must cost at least this many times the step before it, per point of budget, to be
/// called a cliff: a description threshold, stated in the report's "How to read" box. The
/// acceleration must also exceed the sum of both steps' CI half-widths (see [`cliff`]).
pub const CLIFF_RATIO: f64 = 1.5;

/// The channels: the headline measures the DCI summarises, without the DCI itself.
fn channels() -> impl Iterator<Item = &'static Measure> {
    HEADLINE.iter().filter(|m| m.metric != Metric::Dci)
}

fn measure(metric: Metric) -> &'static Measure {
    HEADLINE
        .iter()
        .find(|m| m.metric == metric)
        .expect("a headline metric")
}

/// Every channel's change at the deepest level, ranked: detectable changes first, by size.
pub fn ranked(d: &ChartData) -> Vec<Effect> {
    let n = d.levels().len();
    if n < 2 {
        return Vec::new();
    }
    let mut v: Vec<Effect> = channels()
        .filter_map(|m| {
            let base = d.summary(0, m.metric)?.mean;
            let r = d.summary(n - 1, m.metric)?;
            if !(base.is_finite() && base.abs() > 1e-12 && r.diff_mean.is_finite()) {
                return None;
            }
            Some(Effect {
                metric: m.metric,
                level: d.levels()[n - 1],
                change_pct: 100.0 * r.diff_mean / base,
                detectable: r.diff_ci95_hi < 0.0 || r.diff_ci95_lo > 0.0,
            })
        })
        .collect();
    v.sort_by(|a, b| {
        b.detectable
            .cmp(&a.detectable)
            .then(b.change_pct.abs().total_cmp(&a.change_pct.abs()))
    });
    v
}

/// The first level below which `metric`'s loss per point of budget is at least
/// [`CLIFF_RATIO`] times the loss per point on the step above, with the increase clear of
/// Monte Carlo noise. Only level means and the paired differences' CIs are at hand here, so
/// the noise bound is conservative: a step's loss is the difference of two paired
/// differences, whose CI half-width is at most the sum of theirs (the baseline's is zero).
pub fn cliff(d: &ChartData, metric: Metric) -> Option<Cliff> {
    let m = measure(metric);
    let levels = d.levels();
    let rows: Vec<(f64, f64, f64)> = (0..levels.len())
        .map(|l| {
            let r = d.summary(l, metric)?;
            let hw = if l == 0 {
                0.0
            } else {
                (r.diff_ci95_hi - r.diff_ci95_lo) / 2.0
            };
            let diff = if l == 0 { 0.0 } else { r.diff_mean };
            Some((levels[l] * 100.0, diff * m.factor, hw * m.factor))
        })
        .collect::<Option<_>>()?;
    // Loss per point of budget on the step from k − 1 to k, and its half-width bound.
    let step = |k: usize| {
        let width = rows[k - 1].0 - rows[k].0;
        (
            (rows[k - 1].1 - rows[k].1) / width,
            (rows[k - 1].2 + rows[k].2) / width,
        )
    };
    (2..rows.len()).find_map(|k| {
        let (before, hb) = step(k - 1);
        let (after, ha) = step(k);
        let accelerates =
            after > 0.0 && after >= CLIFF_RATIO * before.max(0.0) && after - before > ha + hb;
        accelerates.then(|| Cliff {
            metric,
            level: levels[k - 1],
            before,
            after,
        })
    })
}

/// A measure's amount without sign: "9.5 points", "0.025".
fn amount(m: &Measure, display: f64) -> String {
    let s = format!("{:.*}", m.decimals, display.abs());
    if m.diff_unit.is_empty() {
        s
    } else {
        format!("{s} {}", m.diff_unit)
    }
}

fn pct(v: f64) -> String {
    let s = format!("{:.1}%", v.abs());
    if s == "0.0%" {
        s
    } else if v < 0.0 {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

fn lower(name: &str) -> String {
    super::lower_first(name)
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The report's bottom line.
pub fn bottom_line(d: &ChartData) -> BottomLine {
    let n = d.levels().len();
    if n < 2 {
        return BottomLine {
            text: format!(
                "This run has one budget level ({} of baseline), so it shows what that level keeps but not what a cut costs: add levels under budget.levels to compare.",
                d.level_label(0)
            ),
            ranked: Vec::new(),
            cliff: None,
        };
    }
    let deep = n - 1;
    let at = d.level_label(deep);
    let ranked = ranked(d);
    let mut sentences = Vec::new();

    // 1. The DCI and the channels, largest change first.
    let dci = measure(Metric::Dci);
    let dci_words = match (d.summary(0, Metric::Dci), d.summary(deep, Metric::Dci)) {
        (Some(b), Some(r)) if b.mean.abs() > 1e-12 => {
            let change = 100.0 * r.diff_mean / b.mean;
            if r.diff_ci95_hi < 0.0 || r.diff_ci95_lo > 0.0 {
                format!(
                    "the Diplomatic Capacity Index {} {} ({} → {})",
                    if change < 0.0 { "falls" } else { "rises" },
                    pct(change).trim_start_matches(['−', '+']),
                    dci.show(b.mean),
                    dci.show(r.mean)
                )
            } else {
                format!(
                    "the Diplomatic Capacity Index does not change detectably ({} → {})",
                    dci.show(b.mean),
                    dci.show(r.mean)
                )
            }
        }
        _ => "the Diplomatic Capacity Index cannot be compared".to_string(),
    };
    let moving: Vec<&Effect> = ranked.iter().filter(|e| e.detectable).collect();
    let still: Vec<String> = ranked
        .iter()
        .filter(|e| !e.detectable)
        .map(|e| lower(measure(e.metric).name))
        .collect();
    let channels = match moving.split_first() {
        Some((top, rest)) => {
            let m = measure(top.metric);
            let (b, r) = (
                d.summary(0, top.metric).map_or(f64::NAN, |r| r.mean),
                d.summary(deep, top.metric).map_or(f64::NAN, |r| r.mean),
            );
            let verb = if top.change_pct < 0.0 {
                "loses most"
            } else {
                "changes most"
            };
            let mut s = format!(
                "; of its channels, {} {verb}, {} of its full-budget value ({} → {})",
                lower(m.name),
                pct(top.change_pct),
                m.show(b),
                m.show(r)
            );
            if !rest.is_empty() {
                let others: Vec<String> = rest
                    .iter()
                    .map(|e| format!("{} ({})", lower(measure(e.metric).name), pct(e.change_pct)))
                    .collect();
                s.push_str(&format!(", then {}", and_list(&others)));
            }
            if !still.is_empty() {
                s.push_str(&format!(
                    "; {} {} not change detectably",
                    and_list(&still),
                    if still.len() == 1 { "does" } else { "do" }
                ));
            }
            s
        }
        None => "; none of its channels changes detectably".to_string(),
    };
    sentences.push(format!("At {at} of baseline {dci_words}{channels}."));

    // 2. The cliff, on the channel that loses most.
    let cliff = moving.first().and_then(|top| cliff(d, top.metric));
    if let Some(c) = &cliff {
        let m = measure(c.metric);
        // Every step's loss, so the reader sees the acceleration itself.
        let steps: Vec<String> = (1..n)
            .filter_map(|l| {
                let before = if l == 1 {
                    0.0
                } else {
                    d.summary(l - 1, c.metric)?.diff_mean
                };
                let after = d.summary(l, c.metric)?.diff_mean;
                Some(format!(
                    "{} from {} to {}",
                    amount(m, (before - after) * m.factor),
                    d.level_label(l - 1),
                    d.level_label(l)
                ))
            })
            .collect();
        sentences.push(format!(
            "Losses accelerate below {}: {} loses {}.",
            d.level_label(d.levels().iter().position(|v| *v == c.level).unwrap_or(1)),
            lower(m.name),
            and_list(&steps),
        ));
    } else if n >= 3 && !moving.is_empty() {
        sentences.push(format!(
            "No level is a cliff: {} loses about as much for each further step of the cut, or less.",
            lower(measure(moving[0].metric).name)
        ));
    }

    // 3. Who notices first.
    let rank = notice::ranking(d);
    let noticing = rank.iter().filter(|(_, y)| y.is_some()).count();
    match rank.first() {
        Some((_, Some(year))) => {
            let first: Vec<String> = rank
                .iter()
                .filter(|(_, y)| *y == Some(*year))
                .map(|(who, _)| who.clone())
                .collect();
            let shown = first.len().min(3);
            let mut names = first[..shown].to_vec();
            if first.len() > shown {
                names.push(format!("{} others", first.len() - shown));
            }
            sentences.push(format!(
                "{} {} first: by the end of FY{year} {} trust is clearly lower than at full budget; {noticing} of {} partners notice within the horizon.",
                and_list(&names),
                if first.len() == 1 { "notices" } else { "notice" },
                if first.len() == 1 { "its" } else { "their" },
                rank.len()
            ));
        }
        Some((_, None)) => sentences.push(format!(
            "No partner's trust falls clearly below its full-budget trust within the horizon at {at} of baseline."
        )),
        None => {}
    }
    BottomLine {
        text: sentences.join(" "),
        ranked,
        cliff,
    }
}

/// One sentence per headline measure that does not vary, in place of its charts.
pub fn unvarying(d: &ChartData) -> Vec<(Metric, Spread, String)> {
    let n = d.levels().len();
    HEADLINE
        .iter()
        .filter_map(|m| {
            let spread = d.spread(m.metric);
            let value = |l: usize| d.summary(l, m.metric).map_or(f64::NAN, |r| r.mean);
            let text = match spread {
                Spread::Varies => return None,
                Spread::Constant => format!(
                    "{} is {} in every trial at every budget level{}, so it has no charts of its own.",
                    m.name,
                    m.show(value(0)),
                    if n > 1 { "" } else { " of this run" }
                ),
                Spread::FixedPerLevel => {
                    // Runs of levels with the same value: "100.0% at full budget, 92.5% at
                    // 90%, 80% and 70% of baseline".
                    let mut parts: Vec<(String, Vec<usize>)> = Vec::new();
                    for l in 0..n {
                        let v = m.show(value(l));
                        match parts.last_mut() {
                            Some((last, ls)) if *last == v => ls.push(l),
                            _ => parts.push((v, vec![l])),
                        }
                    }
                    let words: Vec<String> = parts
                        .iter()
                        .map(|(v, ls)| {
                            let names: Vec<String> = ls
                                .iter()
                                .map(|&l| {
                                    if l == 0 {
                                        "full budget".to_string()
                                    } else {
                                        d.level_label(l)
                                    }
                                })
                                .collect();
                            let tail = if ls.iter().any(|&l| l > 0) {
                                " of baseline"
                            } else {
                                ""
                            };
                            format!("{v} at {}{tail}", and_list(&names))
                        })
                        .collect();
                    format!(
                        "{} is the same in every trial at each budget level — {} — so it has no distribution to draw.",
                        m.name,
                        words.join(", ")
                    )
                }
            };
            Some((m.metric, spread, text))
        })
        .collect()
}
