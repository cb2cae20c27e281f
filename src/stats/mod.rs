//! Summary statistics: mean, standard deviation, standard error, Student-t 95% confidence
//! intervals, and quantiles (linear interpolation between order statistics, the default of
//! numpy, R type 7 and polars). Runs are summarised in bounded memory by an
//! [`accumulator::Accumulator`] built on exact sums (`exact`) and exact-then-sketched quantiles
//! (`sketch`): every summary is a function of the multiset of per-trial values alone, so it
//! never depends on threads, blocks, resumption or shards.

pub mod accumulator;
pub mod codec;
pub(crate) mod exact;
pub(crate) mod sketch;

/// Summary of one sample. Non-finite values (e.g. a mean response time in a trial with no
/// answered crisis) are left out; `n` says how many values counted.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub se: f64,
    pub ci95_lo: f64,
    pub ci95_hi: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95% intervals).
/// Exact table to 30, then the Cornish–Fisher expansion, which is within 1e-4 beyond that.
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let n = df as f64;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * n)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
}

/// Quantile `q` of already sorted values (linear interpolation, R type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::accumulator::Column;

    fn column(values: &[f64]) -> Column {
        let mut c = Column::default();
        for &x in values {
            c.add(x);
        }
        c
    }

    #[test]
    fn summary_of_known_sample() {
        let s = column(&[1.0, 2.0, 3.0, 4.0, 5.0]).summary();
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(s.p50, 3.0);
        assert!((s.p25 - 2.0).abs() < 1e-12);
        assert!((s.p5 - 1.2).abs() < 1e-12);
        let half = 2.7764 * s.se;
        assert!((s.ci95_hi - 3.0 - half).abs() < 1e-9);
    }

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t975(40) - 2.0211).abs() < 2e-4);
        assert!((t975(60) - 2.0003).abs() < 2e-4);
        assert!((t975(120) - 1.9799).abs() < 2e-4);
        assert!((t975(100_000) - 1.96).abs() < 1e-3);
    }

    #[test]
    fn nan_values_are_skipped_and_paired_differences_pair() {
        let s = column(&[f64::NAN, 1.0, 3.0]).summary();
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, 2.0);
        // The paired difference is summarised as a column of the differences x − base.
        let (x, base) = ([2.0, 3.0, 4.0], [1.0, 2.0, 3.0]);
        let d: Vec<f64> = x.iter().zip(&base).map(|(a, b)| a - b).collect();
        assert_eq!(
            column(&d).mean_ci(),
            (1.0, 1.0, 1.0),
            "a constant difference has a zero-width interval"
        );
    }
}
