//! Designs in the unit cube [0, 1]^k. Each point carries the role it plays in its estimator
//! (which Saltelli matrix and row, which Morris trajectory and step, which one-at-a-time
//! move), so estimators find their inputs without relying on the order of points.

use rand::Rng;

/// What a point is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// A grid or Latin-hypercube point.
    Plain,
    /// Saltelli's matrix A, row `row`.
    SobolA { row: usize },
    /// Saltelli's matrix B, row `row`.
    SobolB { row: usize },
    /// Row `row` of A with column `param` taken from B.
    SobolAB { row: usize, param: usize },
    /// Step `step` (0 = start) of Morris trajectory `trajectory`; from step 1 on, the step
    /// moved parameter `param` by `delta` (±Δ in unit-cube coordinates).
    Morris {
        trajectory: usize,
        step: usize,
        param: Option<usize>,
        delta: f64,
    },
    /// The one-at-a-time centre.
    OatBase,
    /// Parameter `param` at the bottom (`high == false`) or top of its range, the others at
    /// the centre.
    Oat { param: usize, high: bool },
}

impl Role {
    /// A short tag for `design.csv`.
    pub fn tag(&self) -> String {
        match self {
            Role::Plain => "point".into(),
            Role::SobolA { row } => format!("sobol A row {row}"),
            Role::SobolB { row } => format!("sobol B row {row}"),
            Role::SobolAB { row, param } => format!("sobol AB{param} row {row}"),
            Role::Morris {
                trajectory, step, ..
            } => format!("morris trajectory {trajectory} step {step}"),
            Role::OatBase => "one-at-a-time centre".into(),
            Role::Oat { param, high } => format!(
                "one-at-a-time parameter {param} {}",
                if *high { "high" } else { "low" }
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitPoint {
    pub u: Vec<f64>,
    pub role: Role,
}

/// Full factorial over `steps[i]` evenly spaced values per dimension (0 and 1 included; one
/// step means the centre). The first dimension varies slowest.
pub fn grid(steps: &[usize]) -> Vec<UnitPoint> {
    let total: usize = steps.iter().product();
    (0..total)
        .map(|mut n| {
            let mut u = vec![0.0; steps.len()];
            for d in (0..steps.len()).rev() {
                let s = steps[d].max(1);
                let i = n % s;
                n /= s;
                u[d] = if s == 1 {
                    0.5
                } else {
                    i as f64 / (s - 1) as f64
                };
            }
            UnitPoint {
                u,
                role: Role::Plain,
            }
        })
        .collect()
}

/// Latin hypercube: in every dimension each of the `n` equal strata holds exactly one point,
/// placed uniformly at random inside it.
pub fn latin_hypercube<R: Rng + ?Sized>(rng: &mut R, n: usize, k: usize) -> Vec<UnitPoint> {
    let mut cols: Vec<Vec<f64>> = Vec::with_capacity(k);
    for _ in 0..k {
        let mut perm: Vec<usize> = (0..n).collect();
        // Fisher–Yates with the stream's own draws, so the design depends on the seed only.
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            perm.swap(i, j);
        }
        cols.push(
            perm.iter()
                .map(|&s| (s as f64 + crate::scenario::dist::unit_f64(rng)) / n as f64)
                .collect(),
        );
    }
    (0..n)
        .map(|i| UnitPoint {
            u: cols.iter().map(|c| c[i]).collect(),
            role: Role::Plain,
        })
        .collect()
}

/// Saltelli's scheme for Sobol indices: base matrices A and B (n rows each) from an
/// Owen-scrambled Sobol sequence in 2k dimensions (A the first k, B the last k), and for
/// every parameter i the matrix AB_i (A with column i from B); n·(k + 2) points, grouped by
/// row: A_j, AB_j1 … AB_jk, B_j.
pub fn saltelli(n: usize, k: usize, seed: u64) -> Result<Vec<UnitPoint>, String> {
    if n > 1 << 16 {
        return Err(format!(
            "{n} base samples: the Sobol sequence has at most 65536"
        ));
    }
    if 2 * k > 256 {
        return Err(format!(
            "{k} parameters: Sobol sampling handles at most 128"
        ));
    }
    let scramble = (seed ^ (seed >> 32)) as u32;
    // The scrambled sequence is uniform on [0, 1); points are moved off 0 by half an ulp of
    // f32 so that log-scaled ranges never see an exact zero.
    let at = |j: usize, d: usize| {
        f64::from(sobol_burley::sample(j as u32, d as u32, scramble)) + 0.5 / f64::from(1u32 << 24)
    };
    let mut out = Vec::with_capacity(n * (k + 2));
    for j in 0..n {
        let a: Vec<f64> = (0..k).map(|d| at(j, d)).collect();
        let b: Vec<f64> = (0..k).map(|d| at(j, k + d)).collect();
        out.push(UnitPoint {
            u: a.clone(),
            role: Role::SobolA { row: j },
        });
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            out.push(UnitPoint {
                u: ab,
                role: Role::SobolAB { row: j, param: i },
            });
        }
        out.push(UnitPoint {
            u: b,
            role: Role::SobolB { row: j },
        });
    }
    Ok(out)
}

/// Morris (1991) trajectories on a `p`-level grid with step Δ = p / (2(p − 1)): each starts at
/// a random grid point and moves every parameter once, in random order, by +Δ or −Δ
/// (whichever stays in [0, 1], at random when both do). r·(k + 1) points.
pub fn morris<R: Rng + ?Sized>(rng: &mut R, r: usize, k: usize, p: usize) -> Vec<UnitPoint> {
    let p = p.max(2);
    let delta = p as f64 / (2.0 * (p as f64 - 1.0));
    let level = |i: usize| i as f64 / (p - 1) as f64;
    let mut out = Vec::with_capacity(r * (k + 1));
    for t in 0..r {
        let mut x: Vec<f64> = (0..k)
            .map(|_| level((rng.next_u64() % p as u64) as usize))
            .collect();
        out.push(UnitPoint {
            u: x.clone(),
            role: Role::Morris {
                trajectory: t,
                step: 0,
                param: None,
                delta: 0.0,
            },
        });
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for (s, &i) in order.iter().enumerate() {
            let up = x[i] + delta <= 1.0 + 1e-12;
            let down = x[i] - delta >= -1e-12;
            let d = match (up, down) {
                (true, true) => {
                    if rng.next_u64() & 1 == 0 {
                        delta
                    } else {
                        -delta
                    }
                }
                (true, false) => delta,
                _ => -delta,
            };
            x[i] = (x[i] + d).clamp(0.0, 1.0);
            out.push(UnitPoint {
                u: x.clone(),
                role: Role::Morris {
                    trajectory: t,
                    step: s + 1,
                    param: Some(i),
                    delta: d,
                },
            });
        }
    }
    out
}

/// One-at-a-time: the centre `base`, then each parameter at 0 and at 1 with the others at
/// the centre. 2k + 1 points.
pub fn one_at_a_time(base: &[f64]) -> Vec<UnitPoint> {
    let mut out = vec![UnitPoint {
        u: base.to_vec(),
        role: Role::OatBase,
    }];
    for i in 0..base.len() {
        for high in [false, true] {
            let mut u = base.to_vec();
            u[i] = if high { 1.0 } else { 0.0 };
            out.push(UnitPoint {
                u,
                role: Role::Oat { param: i, high },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Process, stream};

    #[test]
    fn grid_is_full_factorial_with_ends_included() {
        let g = grid(&[3, 2]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0].u, vec![0.0, 0.0]);
        assert_eq!(g[1].u, vec![0.0, 1.0]);
        assert_eq!(g[5].u, vec![1.0, 1.0]);
        assert_eq!(g[2].u, vec![0.5, 0.0]);
        assert_eq!(grid(&[1])[0].u, vec![0.5]);
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let mut rng = stream(5, 0, Process::Design);
        let n = 37;
        let pts = latin_hypercube(&mut rng, n, 4);
        for d in 0..4 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p.u[d] * n as f64) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {d}");
        }
    }

    #[test]
    fn saltelli_rows_share_columns_as_the_estimator_needs() {
        let pts = saltelli(8, 3, 1).unwrap();
        assert_eq!(pts.len(), 8 * 5);
        let a = &pts[0].u;
        let ab1 = &pts[2].u;
        let b = &pts[4].u;
        assert_eq!(pts[2].role, Role::SobolAB { row: 0, param: 1 });
        assert_eq!((ab1[0], ab1[1], ab1[2]), (a[0], b[1], a[2]));
        assert!(pts.iter().all(|p| p.u.iter().all(|x| *x > 0.0 && *x < 1.0)));
    }

    #[test]
    fn morris_trajectories_move_one_parameter_per_step() {
        let mut rng = stream(9, 0, Process::Design);
        let (r, k, p) = (6, 4, 4);
        let pts = morris(&mut rng, r, k, p);
        assert_eq!(pts.len(), r * (k + 1));
        for t in 0..r {
            let traj = &pts[t * (k + 1)..(t + 1) * (k + 1)];
            let mut moved = vec![false; k];
            for s in 1..=k {
                let Role::Morris {
                    param: Some(i),
                    delta,
                    ..
                } = traj[s].role
                else {
                    panic!("step without a parameter")
                };
                let changed: Vec<usize> = (0..k)
                    .filter(|&d| traj[s].u[d] != traj[s - 1].u[d])
                    .collect();
                assert_eq!(changed, vec![i]);
                assert!((traj[s].u[i] - traj[s - 1].u[i] - delta).abs() < 1e-12);
                assert!((delta.abs() - 2.0 / 3.0).abs() < 1e-12);
                moved[i] = true;
            }
            assert!(moved.iter().all(|m| *m));
        }
    }
}
