//! Quantiles in bounded memory. A column keeps its values exactly while it holds at most
//! [`EXACT_CAPACITY`] of them — quantiles are then the exact type-7 quantiles — and beyond that
//! a relative-error sketch (DDSketch, Masson, Rim & Lee 2019): logarithmic buckets of ratio
//! γ = (1 + α)/(1 − α), so every quantile is within a relative error α of a value of the
//! sample at the right rank. Both states are functions of the multiset of values alone, so
//! merging columns built from any split of the trials, in any order, gives the same bits.

/// Values kept exactly per column before switching to the sketch.
pub const EXACT_CAPACITY: usize = 4096;
/// Relative accuracy α of sketched quantiles.
pub const RELATIVE_ACCURACY: f64 = 1e-4;
/// Magnitudes below this are counted as zero in the sketch.
pub const MIN_MAGNITUDE: f64 = 1e-9;

fn gamma_ln() -> f64 {
    ((1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)).ln()
}

/// Bucket counts over a contiguous range of indices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Store {
    pub offset: i64,
    pub counts: Vec<u64>,
}

impl Store {
    fn add(&mut self, index: i64, count: u64) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(0);
        }
        if index < self.offset {
            let grow = (self.offset - index) as usize;
            let mut v = vec![0; grow];
            v.extend_from_slice(&self.counts);
            self.counts = v;
            self.offset = index;
        }
        let i = (index - self.offset) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += count;
    }

    fn merge(&mut self, other: &Store) {
        for (i, c) in other.counts.iter().enumerate() {
            if *c > 0 {
                self.add(other.offset + i as i64, *c);
            }
        }
    }
}

/// The sketch: positive and negative values by bucket, and a count of (near) zeros.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    pub positive: Store,
    pub negative: Store,
    pub zeros: u64,
    pub n: u64,
}

fn index_of(magnitude: f64) -> i64 {
    (magnitude.ln() / gamma_ln()).ceil() as i64
}

/// The value a bucket stands for: within α of every value in it.
fn value_of(index: i64) -> f64 {
    let g = gamma_ln();
    2.0 * (index as f64 * g).exp() / (1.0 + g.exp())
}

impl Sketch {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        if x.abs() < MIN_MAGNITUDE {
            self.zeros += 1;
        } else if x > 0.0 {
            self.positive.add(index_of(x), 1);
        } else {
            self.negative.add(index_of(-x), 1);
        }
    }

    pub fn merge(&mut self, other: &Sketch) {
        self.n += other.n;
        self.zeros += other.zeros;
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
    }

    /// The values at the given 0-based ranks (sorted ascending), in one walk.
    fn at_ranks(&self, ranks: &[u64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(ranks.len());
        let mut r = ranks.iter().peekable();
        let mut seen = 0u64;
        // Most negative first: the highest negative index.
        for (i, c) in self.negative.counts.iter().enumerate().rev() {
            seen += c;
            while let Some(&&k) = r.peek() {
                if k < seen {
                    out.push(-value_of(self.negative.offset + i as i64));
                    r.next();
                } else {
                    break;
                }
            }
        }
        seen += self.zeros;
        while let Some(&&k) = r.peek() {
            if k < seen {
                out.push(0.0);
                r.next();
            } else {
                break;
            }
        }
        for (i, c) in self.positive.counts.iter().enumerate() {
            seen += c;
            while let Some(&&k) = r.peek() {
                if k < seen {
                    out.push(value_of(self.positive.offset + i as i64));
                    r.next();
                } else {
                    break;
                }
            }
        }
        out
    }
}

/// A column's values, exact or sketched.
#[derive(Debug, Clone, PartialEq)]
pub enum Quantiles {
    Exact(Vec<f64>),
    Sketch(Sketch),
}

impl Default for Quantiles {
    fn default() -> Self {
        Quantiles::Exact(Vec::new())
    }
}

impl Quantiles {
    pub fn len(&self) -> u64 {
        match self {
            Quantiles::Exact(v) => v.len() as u64,
            Quantiles::Sketch(s) => s.n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Quantiles::Exact(_))
    }

    fn to_sketch(values: &[f64]) -> Sketch {
        let mut s = Sketch::default();
        for x in values {
            s.add(*x);
        }
        s
    }

    /// Adds a finite value.
    pub fn add(&mut self, x: f64) {
        match self {
            Quantiles::Exact(v) => {
                v.push(x);
                if v.len() > EXACT_CAPACITY {
                    *self = Quantiles::Sketch(Self::to_sketch(v));
                }
            }
            Quantiles::Sketch(s) => s.add(x),
        }
    }

    pub fn merge(&mut self, other: &Quantiles) {
        match (&mut *self, other) {
            (Quantiles::Exact(a), Quantiles::Exact(b)) => {
                a.extend_from_slice(b);
                if a.len() > EXACT_CAPACITY {
                    *self = Quantiles::Sketch(Self::to_sketch(a));
                }
            }
            (Quantiles::Exact(a), Quantiles::Sketch(b)) => {
                let mut s = b.clone();
                for x in a.iter() {
                    s.add(*x);
                }
                *self = Quantiles::Sketch(s);
            }
            (Quantiles::Sketch(a), Quantiles::Exact(b)) => {
                for x in b {
                    a.add(*x);
                }
            }
            (Quantiles::Sketch(a), Quantiles::Sketch(b)) => a.merge(b),
        }
    }

    /// Type-7 quantiles (numpy's and R's default) at each q in `qs`: h = (n − 1)q, the value
    /// at rank ⌊h⌋ plus (h − ⌊h⌋) times the step to rank ⌈h⌉. NaN when empty.
    pub fn quantiles(&self, qs: &[f64]) -> Vec<f64> {
        let n = self.len();
        if n == 0 {
            return vec![f64::NAN; qs.len()];
        }
        let h: Vec<f64> = qs.iter().map(|q| (n - 1) as f64 * q).collect();
        let mut ranks: Vec<u64> = h
            .iter()
            .flat_map(|h| [h.floor() as u64, h.ceil() as u64])
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let values: Vec<f64> = match self {
            Quantiles::Exact(v) => {
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                ranks.iter().map(|&r| s[r as usize]).collect()
            }
            Quantiles::Sketch(s) => s.at_ranks(&ranks),
        };
        let at = |r: u64| values[ranks.binary_search(&r).unwrap_or(0)];
        h.iter()
            .map(|h| {
                let (lo, hi) = (h.floor() as u64, h.ceil() as u64);
                at(lo) + (h - h.floor()) * (at(hi) - at(lo))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_type7(v: &[f64], q: f64) -> f64 {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        crate::stats::quantile_sorted(&s, q)
    }

    #[test]
    fn small_columns_give_exact_type7_quantiles() {
        let v: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64 * 0.5).collect();
        let mut q = Quantiles::default();
        v.iter().for_each(|x| q.add(*x));
        assert!(q.is_exact());
        let qs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
        let got = q.quantiles(&qs);
        for (g, p) in got.iter().zip(qs) {
            assert_eq!(*g, exact_type7(&v, p));
        }
    }

    #[test]
    fn large_columns_are_within_the_relative_accuracy() {
        // A skewed sample with negatives, zeros and a long right tail.
        let v: Vec<f64> = (0..50_000)
            .map(|i| {
                let u = ((i as u64 * 2654435761) % 1_000_003) as f64 / 1_000_003.0;
                if i % 17 == 0 {
                    0.0
                } else {
                    (u * 8.0).exp() - 20.0
                }
            })
            .collect();
        let mut q = Quantiles::default();
        v.iter().for_each(|x| q.add(*x));
        assert!(!q.is_exact());
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        for p in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let want = crate::stats::quantile_sorted(&s, p);
            let got = q.quantiles(&[p])[0];
            // Interpolation between neighbours each within α: within α of the interpolant
            // plus the gap between neighbours, which is tiny at this n.
            let tol =
                RELATIVE_ACCURACY * want.abs() + 1e-3 * (s[s.len() - 1] - s[0]) / s.len() as f64;
            assert!(
                (got - want).abs() <= tol.max(MIN_MAGNITUDE),
                "q{p}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn merging_any_split_gives_the_same_column() {
        let v: Vec<f64> = (0..9000)
            .map(|i| (i as f64 * 0.618).sin() * 3.0 + 1.0)
            .collect();
        let mut whole = Quantiles::default();
        v.iter().for_each(|x| whole.add(*x));
        for parts in [2usize, 3, 7] {
            let mut merged = Quantiles::default();
            for k in (0..parts).rev() {
                let mut part = Quantiles::default();
                v.iter().skip(k).step_by(parts).for_each(|x| part.add(*x));
                merged.merge(&part);
            }
            let qs = [0.05, 0.5, 0.95];
            assert_eq!(merged.quantiles(&qs), whole.quantiles(&qs), "{parts} parts");
        }
        // Below capacity the exact values are kept in any order; quantiles sort them.
        let mut a = Quantiles::default();
        let mut b = Quantiles::default();
        v[..100].iter().for_each(|x| a.add(*x));
        v[..100].iter().rev().for_each(|x| b.add(*x));
        assert_eq!(a.quantiles(&[0.3]), b.quantiles(&[0.3]));
    }
}
