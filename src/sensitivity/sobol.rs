//! Sobol sensitivity indices from Saltelli's design: the first-order index S_i (the share of
//! the output variance explained by parameter i alone) and the total index ST_i (its share
//! including every interaction), with percentile-bootstrap 95% intervals over the rows.
//!
//! Estimators (Saltelli et al. 2010, "Variance based sensitivity analysis of model output",
//! Table 2, (b) and (f)), with V the variance of the pooled A and B outputs:
//!
//!   S_i  = mean_j[ (f(B)_j − f̄) · (f(AB_i)_j − f(A)_j) ] / V    (f̄: mean of A and B)
//!   ST_i = mean_j[ (f(A)_j − f(AB_i)_j)² ] / (2V)          (Jansen 1999)

use rand::Rng;

use super::bootstrap_ci;
use super::sampling::{Role, UnitPoint};

/// Indices of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    pub first: f64,
    pub first_ci: (f64, f64),
    pub total: f64,
    pub total_ci: (f64, f64),
}

/// The outputs of a Saltelli design arranged by matrix: `a[j]`, `b[j]`, `ab[i][j]`.
#[derive(Debug, Clone)]
pub struct SaltelliOutputs {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    pub ab: Vec<Vec<f64>>,
}

impl SaltelliOutputs {
    /// Arranges outputs `y` (one per point, same order as `points`) by their roles.
    pub fn arrange(points: &[UnitPoint], y: &[f64], k: usize) -> Option<SaltelliOutputs> {
        let n = points
            .iter()
            .filter(|p| matches!(p.role, Role::SobolA { .. }))
            .count();
        if n == 0 {
            return None;
        }
        let mut out = SaltelliOutputs {
            a: vec![f64::NAN; n],
            b: vec![f64::NAN; n],
            ab: vec![vec![f64::NAN; n]; k],
        };
        for (p, v) in points.iter().zip(y) {
            match p.role {
                Role::SobolA { row } => out.a[row] = *v,
                Role::SobolB { row } => out.b[row] = *v,
                Role::SobolAB { row, param } => out.ab[param][row] = *v,
                _ => {}
            }
        }
        Some(out)
    }
}

fn variance(a: &[f64], b: &[f64], rows: &[usize]) -> f64 {
    let n = 2 * rows.len();
    let mean = rows.iter().map(|&j| a[j] + b[j]).sum::<f64>() / n as f64;
    rows.iter()
        .map(|&j| (a[j] - mean).powi(2) + (b[j] - mean).powi(2))
        .sum::<f64>()
        / (n - 1) as f64
}

fn first(o: &SaltelliOutputs, i: usize, rows: &[usize]) -> f64 {
    let v = variance(&o.a, &o.b, rows);
    // f(B) is centred: the estimand is unchanged (f(AB_i) − f(A) has mean zero) but an output
    // far from zero no longer inflates the estimator's variance.
    let mean = rows.iter().map(|&j| o.a[j] + o.b[j]).sum::<f64>() / (2 * rows.len()) as f64;
    let s = rows
        .iter()
        .map(|&j| (o.b[j] - mean) * (o.ab[i][j] - o.a[j]))
        .sum::<f64>()
        / rows.len() as f64;
    s / v
}

fn total(o: &SaltelliOutputs, i: usize, rows: &[usize]) -> f64 {
    let v = variance(&o.a, &o.b, rows);
    let s = rows
        .iter()
        .map(|&j| (o.a[j] - o.ab[i][j]).powi(2))
        .sum::<f64>()
        / rows.len() as f64;
    s / (2.0 * v)
}

/// First-order and total indices of every parameter with bootstrap CIs (`resamples` draws).
/// An output with no variance has no indices (NaN).
pub fn indices<R: Rng + ?Sized>(
    o: &SaltelliOutputs,
    resamples: usize,
    rng: &mut R,
) -> Vec<SobolIndex> {
    let n = o.a.len();
    let all: Vec<usize> = (0..n).collect();
    (0..o.ab.len())
        .map(|i| SobolIndex {
            first: first(o, i, &all),
            first_ci: bootstrap_ci(rng, n, resamples, |rows| first(o, i, rows)),
            total: total(o, i, &all),
            total_ci: bootstrap_ci(rng, n, resamples, |rows| total(o, i, rows)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Process, stream};
    use crate::sensitivity::sampling::saltelli;
    use std::f64::consts::PI;

    /// Ishigami & Homma (1990) with a = 7, b = 0.1 on [−π, π]³.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// The analytic indices (Sobol' & Levitan 1999; Saltelli et al. 2008).
    fn ishigami_exact() -> ([f64; 3], [f64; 3]) {
        let (a, b) = (7.0f64, 0.1f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    #[test]
    fn ishigami_indices_are_recovered_within_their_bootstrap_intervals() {
        let (s1, st) = ishigami_exact();
        assert!((s1[0] - 0.3139).abs() < 1e-3 && (st[2] - 0.2437).abs() < 1e-3);
        let pts = saltelli(4096, 3, 11).unwrap();
        let y: Vec<f64> = pts.iter().map(|p| ishigami(&p.u)).collect();
        let o = SaltelliOutputs::arrange(&pts, &y, 3).unwrap();
        let mut rng = stream(11, 0, Process::Bootstrap);
        let idx = indices(&o, 500, &mut rng);
        for i in 0..3 {
            let f = idx[i];
            assert!(
                f.first_ci.0 <= s1[i] && s1[i] <= f.first_ci.1,
                "S{} = {:.4}, CI {:?}, exact {:.4}",
                i + 1,
                f.first,
                f.first_ci,
                s1[i]
            );
            assert!(
                f.total_ci.0 <= st[i] && st[i] <= f.total_ci.1,
                "ST{} = {:.4}, CI {:?}, exact {:.4}",
                i + 1,
                f.total,
                f.total_ci,
                st[i]
            );
            // And the intervals are tight enough to mean something.
            assert!(f.first_ci.1 - f.first_ci.0 < 0.1 && f.total_ci.1 - f.total_ci.0 < 0.1);
        }
    }

    #[test]
    fn an_additive_function_has_equal_first_and_total_indices() {
        let pts = saltelli(1024, 2, 3).unwrap();
        let y: Vec<f64> = pts.iter().map(|p| 2.0 * p.u[0] + p.u[1]).collect();
        let o = SaltelliOutputs::arrange(&pts, &y, 2).unwrap();
        let mut rng = stream(3, 0, Process::Bootstrap);
        let idx = indices(&o, 200, &mut rng);
        // Var(2U) = 4/12, Var(U) = 1/12: S = 0.8 and 0.2.
        assert!((idx[0].first - 0.8).abs() < 0.03, "{:?}", idx[0]);
        assert!((idx[0].total - 0.8).abs() < 0.03, "{:?}", idx[0]);
        assert!((idx[1].first - 0.2).abs() < 0.03, "{:?}", idx[1]);
    }
}
