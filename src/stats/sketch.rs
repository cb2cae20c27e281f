//! Quantiles in bounded memory. A column keeps its values exactly while it holds at most
//! [`EXACT_CAPACITY`] of them — quantiles are then the exact type-7 quantiles — and beyond that
//! a relative-error sketch (DDSketch, Masson, Rim & Lee 2019): logarithmic buckets of ratio
//! γ = (1 + α)/(1 − α), so every quantile is within a relative error α of a value of the
//! sample at the right rank. When a column's values need more than [`MAX_BUCKETS`] buckets,
//! neighbouring buckets are merged in pairs (γ → γ², the uniform collapse of UDDSketch,
//! Epicoco et al. 2020) until they fit: memory is bounded, and a wide column is summarised at
//! the finest accuracy that fits (α·2^level, reported per column by [`Quantiles::accuracy`]).
//!
//! Every state is a function of the multiset of values alone — the exact values, or the
//! bucket counts at the smallest level that fits all of them — so merging columns built from
//! any split of the trials, in any order, gives the same bits.

/// Values kept exactly per column before switching to the sketch.
pub const EXACT_CAPACITY: usize = 4096;
/// Values kept exactly by a partner's year-by-year column (`partners_yearly.csv`, 2 × levels ×
/// years × partners of them, most of a run's columns) before it switches to its sketch: at
/// 4 096 each those buffers alone held 136 MB in baseline and every trial's values were spread
/// over them.
pub const SERIES_CAPACITY: usize = 256;
/// Bins of a partner's column once it leaves its exact buffer: its values are levels in
/// [0, 1] (trust and interoperability are clamped there by every rule that moves them), so a
/// uniform grid of this many bins replaces the logarithmic sketch — a quantile within
/// 1/(2·2048) ≈ 2.4·10⁻⁴ of a value at its rank, as fine as the level-3 sketch (0.08%) was at
/// trust 0.3 and finer above, and one multiplication per value where the sketch took a
/// logarithm, a binary search and often an insertion (≈ 4% of a full-model run).
pub const GRID_BINS: usize = 2048;
/// Relative accuracy α of sketched quantiles.
pub const RELATIVE_ACCURACY: f64 = 1e-4;
/// Magnitudes below this are counted as zero in the sketch.
pub const MIN_MAGNITUDE: f64 = 1e-9;
/// Largest number of buckets (positive and negative) a sketch keeps.
pub const MAX_BUCKETS: usize = 1024;

/// ln γ, computed once: it was a second logarithm in every value's bucket index.
static GAMMA_LN: std::sync::LazyLock<f64> =
    std::sync::LazyLock::new(|| ((1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)).ln());

fn gamma_ln() -> f64 {
    *GAMMA_LN
}

/// Bucket counts, sparse and sorted by index: memory follows the buckets actually hit (at most
/// [`MAX_BUCKETS`], 8 bytes each), not the span of the values (a column from 10⁻⁹ to 10³ would
/// need ~138 000 dense buckets for a handful of values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Store {
    counts: Vec<(i32, u32)>,
}

impl Store {
    fn add(&mut self, index: i64, count: u64) {
        let index = index.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        match self.counts.binary_search_by_key(&index, |(i, _)| *i) {
            // Counts stay below 2³² (runs are limited to 10⁸ trials).
            Ok(k) => self.counts[k].1 += count as u32,
            Err(k) => self.counts.insert(k, (index, count as u32)),
        }
    }

    fn merge(&mut self, other: &Store) {
        for (i, c) in &other.counts {
            self.add(i64::from(*i), u64::from(*c));
        }
    }

    /// Merges buckets in pairs: index i at level k becomes ⌈i/2⌉ at level k + 1, which is
    /// exactly the index a value would get directly at level k + 1.
    fn collapse(&mut self) {
        let old = std::mem::take(&mut self.counts);
        for (i, c) in old {
            self.add(-((-i64::from(i)).div_euclid(2)), u64::from(c));
        }
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// (index, count) in increasing index order, without copying them.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, u64)> + ExactSizeIterator + '_ {
        self.counts
            .iter()
            .map(|(i, c)| (i64::from(*i), u64::from(*c)))
    }

    pub fn from_sorted(v: Vec<(i64, u64)>) -> Store {
        let mut s = Store::default();
        for (i, c) in v {
            s.add(i, c);
        }
        s
    }
}

/// The sketch: positive and negative values by bucket at a common level, and a count of
/// (near) zeros.
#[derive(Debug, Clone, Default)]
pub struct Sketch {
    pub positive: Store,
    pub negative: Store,
    pub zeros: u64,
    pub n: u64,
    /// Buckets have ratio γ^(2^level).
    pub level: u32,
    /// The last value added and its bucket at the current level: many columns repeat values
    /// (counts, constants), and this spares the logarithm. Not part of the state.
    pub(crate) last: Option<(u64, i64)>,
}

impl PartialEq for Sketch {
    fn eq(&self, other: &Self) -> bool {
        self.positive == other.positive
            && self.negative == other.negative
            && self.zeros == other.zeros
            && self.n == other.n
            && self.level == other.level
    }
}

/// ln of the bucket ratio at a level.
fn ln_gamma(level: u32) -> f64 {
    gamma_ln() * f64::from(1u32 << level.min(30))
}

fn index_of(magnitude: f64, level: u32) -> i64 {
    (magnitude.ln() / ln_gamma(level)).ceil() as i64
}

/// The value a bucket stands for: within the level's relative accuracy of every value in it.
fn value_of(index: i64, level: u32) -> f64 {
    let g = ln_gamma(level);
    2.0 * (index as f64 * g).exp() / (1.0 + g.exp())
}

impl Sketch {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        if x.abs() < MIN_MAGNITUDE {
            self.zeros += 1;
            return;
        }
        let index = match self.last {
            Some((bits, i)) if bits == x.to_bits() => i,
            _ => {
                let i = index_of(x.abs(), self.level);
                self.last = Some((x.to_bits(), i));
                i
            }
        };
        if x > 0.0 {
            self.positive.add(index, 1);
        } else {
            self.negative.add(index, 1);
        }
        self.fit();
    }

    /// Collapses until the buckets fit: ends at the smallest level at which this multiset of
    /// values fits, whatever order they came in.
    fn fit(&mut self) {
        while self.positive.len() + self.negative.len() > MAX_BUCKETS {
            self.collapse();
        }
    }

    fn collapse(&mut self) {
        self.positive.collapse();
        self.negative.collapse();
        self.level += 1;
        self.last = None;
    }

    fn raise_to(&mut self, level: u32) {
        while self.level < level {
            self.collapse();
        }
    }

    pub fn merge(&mut self, other: &Sketch) {
        let mut other = other.clone();
        let level = self.level.max(other.level);
        self.raise_to(level);
        other.raise_to(level);
        self.n += other.n;
        self.zeros += other.zeros;
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.fit();
    }

    /// The relative accuracy of this sketch's quantiles.
    pub fn accuracy(&self) -> f64 {
        let g = ln_gamma(self.level).exp();
        (g - 1.0) / (g + 1.0)
    }

    /// The values at the given 0-based ranks (sorted ascending), in one walk.
    fn at_ranks(&self, ranks: &[u64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(ranks.len());
        let mut r = ranks.iter().peekable();
        let mut seen = 0u64;
        let mut emit = |seen: u64, value: f64, out: &mut Vec<f64>| {
            while let Some(&&k) = r.peek() {
                if k < seen {
                    out.push(value);
                    r.next();
                } else {
                    break;
                }
            }
        };
        // Most negative first: the highest negative index.
        for (i, c) in self.negative.iter().rev() {
            seen += c;
            emit(seen, -value_of(i, self.level), &mut out);
        }
        seen += self.zeros;
        emit(seen, 0.0, &mut out);
        for (i, c) in self.positive.iter() {
            seen += c;
            emit(seen, value_of(i, self.level), &mut out);
        }
        out
    }
}

/// Counts of values in [0, 1] on [`GRID_BINS`] equal bins; bin k holds [k/B, (k+1)/B) (the
/// last also 1) and stands for its midpoint. A function of the multiset of values alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub counts: Vec<u32>,
    pub n: u64,
}

impl Default for Grid {
    fn default() -> Self {
        Grid {
            counts: vec![0; GRID_BINS],
            n: 0,
        }
    }
}

impl Grid {
    /// The bin of `x`; a value outside [0, 1] (none reaches here: see [`GRID_BINS`]) counts in
    /// the end bin it is beyond.
    #[inline(always)]
    fn bin(x: f64) -> usize {
        ((x * GRID_BINS as f64) as usize).min(GRID_BINS - 1)
    }

    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        debug_assert!((0.0..=1.0).contains(&x), "grid value {x} outside [0, 1]");
        self.n += 1;
        // Counts stay below 2³² (runs are limited to 10⁸ trials).
        self.counts[Self::bin(x)] += 1;
    }

    pub fn merge(&mut self, other: &Grid) {
        self.n += other.n;
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Half a bin: every quantile is within this of a value of the sample at its rank.
    pub fn accuracy(&self) -> f64 {
        0.5 / GRID_BINS as f64
    }

    fn at_ranks(&self, ranks: &[u64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(ranks.len());
        let mut r = ranks.iter().peekable();
        let mut seen = 0u64;
        for (k, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            while let Some(&&rank) = r.peek() {
                if rank < seen {
                    out.push((k as f64 + 0.5) / GRID_BINS as f64);
                    r.next();
                } else {
                    break;
                }
            }
        }
        out
    }
}

/// A column's values: exact, sketched, or (a partner's column) on the [0, 1] grid.
#[derive(Debug, Clone, PartialEq)]
pub enum Quantiles {
    Exact(Vec<f64>),
    Sketch(Sketch),
    Grid(Grid),
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
            Quantiles::Grid(g) => g.n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Quantiles::Exact(_))
    }

    /// Accuracy of the quantiles: 0 while exact, relative for a sketch, absolute on the grid.
    pub fn accuracy(&self) -> f64 {
        match self {
            Quantiles::Exact(_) => 0.0,
            Quantiles::Sketch(s) => s.accuracy(),
            Quantiles::Grid(g) => g.accuracy(),
        }
    }

    fn to_sketch(values: &[f64], level: u32) -> Sketch {
        let mut s = Sketch {
            level,
            ..Sketch::default()
        };
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
                    *self = Quantiles::Sketch(Self::to_sketch(v, 0));
                }
            }
            Quantiles::Sketch(s) => s.add(x),
            Quantiles::Grid(g) => g.add(x),
        }
    }

    /// Adds a partner's level in [0, 1]: exact up to [`SERIES_CAPACITY`] values, then the
    /// grid (still a function of the multiset of values alone).
    pub fn add_series(&mut self, x: f64) {
        match self {
            Quantiles::Exact(v) => {
                v.push(x);
                if v.len() > SERIES_CAPACITY {
                    *self = Quantiles::Grid(Self::to_grid(v));
                }
            }
            Quantiles::Grid(g) => g.add(x),
            Quantiles::Sketch(s) => s.add(x),
        }
    }

    fn to_grid(values: &[f64]) -> Grid {
        let mut g = Grid::default();
        for x in values {
            g.add(*x);
        }
        g
    }

    pub fn merge(&mut self, other: &Quantiles) {
        match (&mut *self, other) {
            (Quantiles::Exact(a), Quantiles::Exact(b)) => {
                a.extend_from_slice(b);
                if a.len() > EXACT_CAPACITY {
                    *self = Quantiles::Sketch(Self::to_sketch(a, 0));
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
            // A grid column merged with an ordinary one: never, both come from the same slot.
            (a, b) => {
                let mut g = a.as_grid();
                g.merge(&b.as_grid());
                *self = Quantiles::Grid(g);
            }
        }
    }

    /// Merges two partners' columns.
    pub fn merge_series(&mut self, other: &Quantiles) {
        match (&mut *self, other) {
            (Quantiles::Exact(a), Quantiles::Exact(b)) => {
                a.extend_from_slice(b);
                if a.len() > SERIES_CAPACITY {
                    *self = Quantiles::Grid(Self::to_grid(a));
                }
            }
            (Quantiles::Grid(a), Quantiles::Grid(b)) => a.merge(b),
            (a, b) => {
                let mut g = a.as_grid();
                g.merge(&b.as_grid());
                *self = Quantiles::Grid(g);
            }
        }
    }

    /// This column on the grid (a sketch's buckets cannot be: they count as their values).
    fn as_grid(&self) -> Grid {
        match self {
            Quantiles::Exact(v) => Self::to_grid(v),
            Quantiles::Grid(g) => g.clone(),
            Quantiles::Sketch(s) => {
                let mut g = Grid {
                    n: s.n,
                    ..Grid::default()
                };
                g.counts[0] += s.zeros as u32;
                for (i, c) in s.positive.iter() {
                    g.counts[Grid::bin(value_of(i, s.level).min(1.0))] += c as u32;
                }
                g.counts[0] += s.negative.iter().map(|(_, c)| c as u32).sum::<u32>();
                g
            }
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
            Quantiles::Grid(g) => g.at_ranks(&ranks),
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

    /// Repeated values reuse the bucket remembered for the last value; buckets added in between
    /// (smaller values, the other sign, a collapse) must not misdirect the count.
    #[test]
    fn repeated_values_count_in_their_own_bucket_whatever_came_between() {
        let values = [
            5.0, 5.0, 1.0, 5.0, -2.0, 5.0, 0.5, 0.25, 5.0, 7.0, 5.0, -2.0, -3.0, -2.0,
        ];
        let mut memo = Sketch::default();
        let mut fresh = Sketch::default();
        for &x in &values {
            memo.add(x);
            // The same sketch without the memory of the last value: every add computes its bucket.
            fresh.add(x);
            fresh.last = None;
        }
        assert_eq!(memo, fresh);
        assert_eq!(memo.positive.len(), 5);
        assert_eq!(memo.negative.len(), 2);
        let five = index_of(5.0, 0);
        assert_eq!(
            memo.positive.iter().find(|(i, _)| *i == five),
            Some((five, 6))
        );
        // Across collapses: a value repeated while thousands of others force the level up.
        let mut memo = Sketch::default();
        let mut fresh = Sketch::default();
        for k in 0..5_000 {
            let x = if k % 3 == 0 {
                42.0
            } else {
                1.0 + k as f64 * 0.37
            };
            memo.add(x);
            fresh.add(x);
            fresh.last = None;
        }
        assert!(memo.level > 0);
        assert_eq!(memo, fresh);
    }

    #[test]
    fn series_columns_switch_early_to_the_grid_and_merge_to_the_same_bits() {
        // Levels in [0, 1], both ends included.
        let mut v: Vec<f64> = (0..1500)
            .map(|i| 0.55 + 0.4 * (((i * 7919) % 1000) as f64 / 1000.0))
            .collect();
        v.extend([0.0, 1.0, 1.0, 0.0005, 0.9999]);
        let mut whole = Quantiles::default();
        v[..SERIES_CAPACITY]
            .iter()
            .for_each(|x| whole.add_series(*x));
        assert!(whole.is_exact(), "exact up to the series capacity");
        v[SERIES_CAPACITY..]
            .iter()
            .for_each(|x| whole.add_series(*x));
        let Quantiles::Grid(g) = &whole else {
            panic!("the grid beyond the capacity")
        };
        assert_eq!(g.n, v.len() as u64);
        assert_eq!(g.counts.iter().map(|c| u64::from(*c)).sum::<u64>(), g.n);
        assert_eq!(
            (g.counts[0], g.counts[1], g.counts[GRID_BINS - 1]),
            (1, 1, 3)
        );
        // Any split, merged in any order of exact and grid parts, gives the same bits.
        for k in [2, 5, 7] {
            let (mut a, mut b) = (Quantiles::default(), Quantiles::default());
            for (i, x) in v.iter().enumerate() {
                if i % k == 0 {
                    a.add_series(*x)
                } else {
                    b.add_series(*x)
                }
            }
            let mut ba = b.clone();
            a.merge_series(&b);
            assert_eq!(a, whole, "split 1/{k}");
            let a2 = {
                let mut a = Quantiles::default();
                v.iter().step_by(k).for_each(|x| a.add_series(*x));
                a
            };
            ba.merge_series(&a2);
            assert_eq!(ba, whole, "split 1/{k}, merged the other way");
        }
        // Within half a bin of the exact type-7 quantiles.
        assert_eq!(whole.accuracy(), 0.5 / GRID_BINS as f64);
        let qs = [0.0, 0.05, 0.5, 0.95, 1.0];
        for (got, p) in whole.quantiles(&qs).iter().zip(qs) {
            let want = exact_type7(&v, p);
            assert!(
                (got - want).abs() <= whole.accuracy() + 1e-15,
                "{p}: {got} vs {want}"
            );
        }
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
        // Values spanning five decades each side of zero do not fit the finest buckets; the
        // sketch coarsens, but stays below two per cent.
        assert!(
            q.accuracy() > RELATIVE_ACCURACY && q.accuracy() < 0.02,
            "{}",
            q.accuracy()
        );
        let Quantiles::Sketch(sk) = &q else {
            unreachable!()
        };
        assert!(sk.positive.len() + sk.negative.len() <= MAX_BUCKETS);
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        for p in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let want = crate::stats::quantile_sorted(&s, p);
            let got = q.quantiles(&[p])[0];
            // Interpolation between neighbours each within α: within α of the interpolant
            // plus the gap between neighbours, which is tiny at this n.
            let tol = q.accuracy() * want.abs() + 1e-3 * (s[s.len() - 1] - s[0]) / s.len() as f64;
            assert!(
                (got - want).abs() <= tol.max(MIN_MAGNITUDE),
                "q{p}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn narrow_columns_keep_the_finest_accuracy() {
        let mut q = Quantiles::default();
        for i in 0..20_000 {
            q.add(0.8 + 0.05 * ((i * 7919) % 1000) as f64 / 1000.0);
        }
        assert!(
            (q.accuracy() - RELATIVE_ACCURACY).abs() < 1e-12,
            "{}",
            q.accuracy()
        );
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
