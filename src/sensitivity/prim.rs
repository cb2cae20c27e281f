//! PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), as used for scenario
//! discovery (Bryant & Lempert 2010): find a box in parameter space where a condition on the
//! outcome holds much more often than elsewhere, and say it as rules a reader can check.
//!
//! Peeling: starting from the box around all points, repeatedly cut the fraction `alpha` of
//! the points in the box off one side of one parameter, choosing the cut that leaves the
//! highest share of points meeting the condition (density), until the box holds less than
//! `min_support` of all points. Each box on the way has a coverage (the share of all points
//! meeting the condition that are in the box) and a density; the reported box is the one
//! with the largest coverage among those with density ≥ `min_density` (or, if none reaches
//! it, the densest). No pasting step.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimSettings {
    pub alpha: f64,
    pub min_support: f64,
    pub min_density: f64,
}

impl Default for PrimSettings {
    fn default() -> Self {
        PrimSettings {
            alpha: 0.05,
            min_support: 0.05,
            min_density: 0.8,
        }
    }
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    pub step: usize,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Points in the box.
    pub count: usize,
    /// Points in the box meeting the condition.
    pub hits: usize,
    pub coverage: f64,
    pub density: f64,
    /// count / all points.
    pub support: f64,
    /// Parameters whose range the box restricts.
    pub restricted: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrimResult {
    pub trajectory: Vec<PrimBox>,
    /// Index into `trajectory` of the reported box.
    pub chosen: usize,
    /// Points meeting the condition, of all points.
    pub hits: usize,
    pub points: usize,
}

/// The points and what every box is measured against.
struct Peeling<'a> {
    y: &'a [bool],
    points: usize,
    full: Vec<(f64, f64)>,
    total_hits: usize,
}

impl Peeling<'_> {
    fn boxed(&self, members: &[usize], lower: &[f64], upper: &[f64], step: usize) -> PrimBox {
        let hits = members.iter().filter(|&&i| self.y[i]).count();
        let count = members.len();
        let share = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        PrimBox {
            step,
            lower: lower.to_vec(),
            upper: upper.to_vec(),
            count,
            hits,
            coverage: share(hits, self.total_hits),
            density: share(hits, count),
            support: share(count, self.points),
            restricted: (0..lower.len())
                .map(|d| lower[d] > self.full[d].0 || upper[d] < self.full[d].1)
                .collect(),
        }
    }
}

/// Runs PRIM on points `x` (one row per point, one column per parameter) and the condition
/// `y` per point.
// The loops run over parameters (columns) while `x` is stored by rows: an index is clearer.
#[allow(clippy::needless_range_loop)]
pub fn prim(x: &[Vec<f64>], y: &[bool], s: &PrimSettings) -> PrimResult {
    let n = x.len();
    let k = x.first().map_or(0, Vec::len);
    let total_hits = y.iter().filter(|v| **v).count();
    let full: Vec<(f64, f64)> = (0..k)
        .map(|d| {
            x.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
                    (a.min(r[d]), b.max(r[d]))
                })
        })
        .collect();
    let mut lower: Vec<f64> = full.iter().map(|f| f.0).collect();
    let mut upper: Vec<f64> = full.iter().map(|f| f.1).collect();
    let peeling = Peeling {
        y,
        points: n,
        full,
        total_hits,
    };
    let mut members: Vec<usize> = (0..n).collect();
    let mut trajectory = vec![peeling.boxed(&members, &lower, &upper, 0)];
    while (members.len() as f64) > s.min_support * n as f64 && members.len() > 1 {
        let m = members.len();
        let want = ((s.alpha * m as f64).ceil() as usize).clamp(1, m - 1);
        // (density after, kept count, dimension, high side, new bound)
        let mut best: Option<(f64, usize, usize, bool, f64)> = None;
        for d in 0..k {
            let mut v: Vec<f64> = members.iter().map(|&i| x[i][d]).collect();
            v.sort_by(f64::total_cmp);
            for high in [false, true] {
                // The new bound removes at least `want` points (more when values tie).
                let bound = if high {
                    let t = v[m - 1 - want];
                    if t == v[m - 1] {
                        match v.iter().rev().find(|&&w| w < v[m - 1]) {
                            Some(&w) => w,
                            None => continue,
                        }
                    } else {
                        t
                    }
                } else {
                    let t = v[want];
                    if t == v[0] {
                        match v.iter().find(|&&w| w > v[0]) {
                            Some(&w) => w,
                            None => continue,
                        }
                    } else {
                        t
                    }
                };
                let keep = |i: usize| {
                    if high {
                        x[i][d] <= bound
                    } else {
                        x[i][d] >= bound
                    }
                };
                let kept = members.iter().filter(|&&i| keep(i)).count();
                if kept == 0 || kept == m {
                    continue;
                }
                let hits = members.iter().filter(|&&i| keep(i) && y[i]).count();
                let density = hits as f64 / kept as f64;
                let better = match best {
                    None => true,
                    Some((bd, bk, ..)) => density > bd || (density == bd && kept > bk),
                };
                if better {
                    best = Some((density, kept, d, high, bound));
                }
            }
        }
        let Some((_, _, d, high, bound)) = best else {
            break;
        };
        if high {
            upper[d] = bound;
            members.retain(|&i| x[i][d] <= bound);
        } else {
            lower[d] = bound;
            members.retain(|&i| x[i][d] >= bound);
        }
        let step = trajectory.len();
        trajectory.push(peeling.boxed(&members, &lower, &upper, step));
    }
    let chosen = trajectory
        .iter()
        .enumerate()
        .filter(|(_, b)| b.density >= s.min_density)
        .max_by(|a, b| a.1.coverage.total_cmp(&b.1.coverage).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
        .unwrap_or_else(|| {
            trajectory
                .iter()
                .enumerate()
                .max_by(|a, b| {
                    a.1.density
                        .total_cmp(&b.1.density)
                        .then(a.1.coverage.total_cmp(&b.1.coverage))
                        .then(b.0.cmp(&a.0))
                })
                .map_or(0, |(i, _)| i)
        });
    PrimResult {
        trajectory,
        chosen,
        hits: total_hits,
        points: n,
    }
}

/// The box as rules a reader can check, one per restricted parameter, naming only the sides
/// the box cut relative to `full` (the first box): "x ≥ 0.7", "y ≤ 0.3", "0.2 ≤ z ≤ 0.6".
pub fn rules(b: &PrimBox, full: &PrimBox, names: &[String]) -> Vec<String> {
    (0..b.lower.len())
        .filter(|&d| b.restricted[d])
        .map(|d| {
            let low = b.lower[d] > full.lower[d];
            let high = b.upper[d] < full.upper[d];
            match (low, high) {
                (true, true) => format!("{} ≤ {} ≤ {}", fmt(b.lower[d]), names[d], fmt(b.upper[d])),
                (true, false) => format!("{} ≥ {}", names[d], fmt(b.lower[d])),
                _ => format!("{} ≤ {}", names[d], fmt(b.upper[d])),
            }
        })
        .collect()
}

/// Four significant digits, no exponent for everyday magnitudes.
pub fn fmt(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Process, stream};
    use crate::scenario::dist::unit_f64;

    #[test]
    fn prim_finds_the_corner_where_the_condition_holds() {
        let mut rng = stream(4, 0, Process::Design);
        let x: Vec<Vec<f64>> = (0..2000)
            .map(|_| (0..3).map(|_| unit_f64(&mut rng)).collect())
            .collect();
        let y: Vec<bool> = x.iter().map(|r| r[0] > 0.7 && r[1] < 0.3).collect();
        let res = prim(&x, &y, &PrimSettings::default());
        let b = &res.trajectory[res.chosen];
        assert!(b.density >= 0.8, "{b:?}");
        assert!(b.coverage > 0.8, "{b:?}");
        assert!(
            (b.lower[0] - 0.7).abs() < 0.05 && (b.upper[1] - 0.3).abs() < 0.05,
            "{b:?}"
        );
        assert!(
            !b.restricted[2],
            "the irrelevant parameter is left free: {b:?}"
        );
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let r = rules(b, &res.trajectory[0], &names);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(
            r[0].starts_with("a ≥ 0.") && r[1].starts_with("b ≤ 0."),
            "{r:?}"
        );
        // The trajectory only ever gains density in this separable case, and shrinks.
        for w in res.trajectory.windows(2) {
            assert!(w[1].count < w[0].count);
        }
    }

    #[test]
    fn numbers_are_shown_with_four_significant_digits() {
        assert_eq!(fmt(1.41999), "1.42");
        assert_eq!(fmt(0.123456), "0.1235");
        assert_eq!(fmt(1460.0), "1460");
        assert_eq!(fmt(30.25), "30.25");
    }
}
