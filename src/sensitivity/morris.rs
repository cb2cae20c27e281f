//! Morris elementary effects (Morris 1991; μ* from Campolongo, Cariboni & Saltelli 2007).
//! Along each trajectory every parameter moves once by ±Δ (unit-cube coordinates); its
//! elementary effect is EE = (f(after) − f(before)) / (±Δ). Over the r trajectories:
//! μ = mean EE (direction), μ* = mean |EE| (importance), σ = sd EE (non-linearity and
//! interactions). μ* carries a percentile-bootstrap 95% interval over trajectories.

use rand::Rng;

use super::bootstrap_ci;
use super::sampling::{Role, UnitPoint};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    pub mu: f64,
    pub mu_star: f64,
    pub mu_star_ci: (f64, f64),
    pub sigma: f64,
    /// Number of elementary effects (trajectories that moved the parameter).
    pub n: usize,
}

/// Elementary effects per parameter, in trajectory order.
pub fn elementary_effects(points: &[UnitPoint], y: &[f64], k: usize) -> Vec<Vec<f64>> {
    let mut ee = vec![Vec::new(); k];
    for w in 1..points.len() {
        if let Role::Morris {
            step,
            param: Some(i),
            delta,
            trajectory,
        } = points[w].role
            && let Role::Morris {
                step: prev_step,
                trajectory: prev_t,
                ..
            } = points[w - 1].role
            && prev_t == trajectory
            && prev_step + 1 == step
        {
            ee[i].push((y[w] - y[w - 1]) / delta);
        }
    }
    ee
}

pub fn indices<R: Rng + ?Sized>(
    points: &[UnitPoint],
    y: &[f64],
    k: usize,
    resamples: usize,
    rng: &mut R,
) -> Vec<MorrisIndex> {
    elementary_effects(points, y, k)
        .into_iter()
        .map(|e| {
            let n = e.len();
            let mean = |f: &dyn Fn(f64) -> f64, rows: &[usize]| {
                rows.iter().map(|&j| f(e[j])).sum::<f64>() / rows.len() as f64
            };
            let all: Vec<usize> = (0..n).collect();
            let mu = mean(&|x| x, &all);
            let sigma = if n > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
            } else {
                f64::NAN
            };
            MorrisIndex {
                mu,
                mu_star: mean(&f64::abs, &all),
                mu_star_ci: bootstrap_ci(rng, n, resamples, |rows| mean(&f64::abs, rows)),
                sigma,
                n,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Process, stream};
    use crate::sensitivity::sampling::morris;

    /// Sobol's g-function: parameter i matters less as a_i grows.
    fn g(u: &[f64]) -> f64 {
        const A: [f64; 6] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        u.iter()
            .zip(A)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    #[test]
    fn morris_ranks_the_g_function_inputs_by_importance() {
        let mut rng = stream(21, 0, Process::Design);
        let pts = morris(&mut rng, 40, 6, 4);
        let y: Vec<f64> = pts.iter().map(|p| g(&p.u)).collect();
        let mut boot = stream(21, 0, Process::Bootstrap);
        let idx = indices(&pts, &y, 6, 200, &mut boot);
        for i in 0..3 {
            assert!(
                idx[i].mu_star > idx[i + 1].mu_star,
                "μ* should fall with a_i: {:?}",
                idx.iter().map(|m| m.mu_star).collect::<Vec<_>>()
            );
        }
        assert!(idx[4].mu_star < 0.05 && idx[5].mu_star < 0.05);
        assert!(idx.iter().all(|m| m.n == 40));
    }

    #[test]
    fn a_linear_function_has_exact_effects_and_no_spread() {
        let mut rng = stream(2, 0, Process::Design);
        let pts = morris(&mut rng, 10, 3, 4);
        let y: Vec<f64> = pts.iter().map(|p| 3.0 * p.u[0] - 2.0 * p.u[1]).collect();
        let mut boot = stream(2, 0, Process::Bootstrap);
        let idx = indices(&pts, &y, 3, 100, &mut boot);
        assert!((idx[0].mu - 3.0).abs() < 1e-9 && (idx[0].mu_star - 3.0).abs() < 1e-9);
        assert!((idx[1].mu + 2.0).abs() < 1e-9 && (idx[1].mu_star - 2.0).abs() < 1e-9);
        assert!(idx[0].sigma.abs() < 1e-9 && idx[2].mu_star.abs() < 1e-12);
    }
}
