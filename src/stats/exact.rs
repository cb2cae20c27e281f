//! Exact summation: a sum kept as a list of non-overlapping partials (Shewchuk 1997, the
//! algorithm of Python's `math.fsum`), so adding the same values in any order, or merging sums
//! built from any split of them, represents the same exact real number, and [`ExactSum::value`]
//! rounds it correctly. This is what makes every summary of a run independent of thread count,
//! block size, resumption and sharding, bit for bit.

/// The exact sum of the values added so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    /// Non-overlapping, increasing in magnitude; their exact sum plus `fixed` is the total.
    partials: Vec<f64>,
    /// The values on the grid 2⁻⁶⁴ below 2⁴⁰ in magnitude (every normal value from 2⁻¹² up:
    /// nearly all that a run adds), summed exactly as integer multiples of 2⁻⁶⁴. An integer
    /// sum is exact and the same in any order, and costs a shift and an add instead of a pass
    /// over the partials.
    fixed: i128,
    /// Values in `fixed` since it was last folded into the partials: each is below 2¹⁰⁴ on the
    /// grid, so folding every 2²² keeps `fixed` below 2¹²⁶.
    count: u32,
}

const FOLD_AT: u32 = 1 << 22;

/// The shift that puts x's 53-bit significand on the grid 2⁻⁶⁴, if x is a normal number with
/// 2⁻¹² ≤ |x| < 2⁴⁰ (its lowest bit is then at or above 2⁻⁶⁴, and |x|·2⁶⁴ < 2¹⁰⁴).
#[inline(always)]
fn on_grid(bits: u64) -> Option<(u32, i128)> {
    let ex = ((bits >> 52) & 0x7ff) as i32;
    let sh = ex - 1075 + 64;
    if (0..=51).contains(&sh) {
        let m = i128::from((bits & ((1u64 << 52) - 1)) | (1u64 << 52));
        Some((sh as u32, m))
    } else {
        None
    }
}

/// An integer multiple of 2⁻⁶⁴ below 2¹²⁶ as three f64 whose exact sum it is.
fn fixed_parts(v: i128) -> [f64; 3] {
    let scale = 1.0 / 18_446_744_073_709_551_616.0; // 2⁻⁶⁴, exact
    let a = v as f64;
    let r = v - a as i128;
    let b = r as f64;
    let c = (r - b as i128) as f64;
    [a * scale, b * scale, c * scale]
}

/// a·b = hi + lo exactly (error-free product with a fused multiply-add).
pub fn two_product(a: f64, b: f64) -> (f64, f64) {
    let hi = a * b;
    (hi, a.mul_add(b, -hi))
}

impl ExactSum {
    pub fn new() -> Self {
        ExactSum::default()
    }

    /// Adds a finite value exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        if bits == 0 {
            // +0 changes nothing (−0 goes to the partials: a sum of −0 alone is −0).
            return;
        }
        if let Some((sh, m)) = on_grid(bits) {
            let v = m << sh;
            self.fixed += if bits >> 63 == 1 { -v } else { v };
            self.count += 1;
            if self.count == FOLD_AT {
                self.fold();
            }
        } else {
            self.add_partial(x);
        }
    }

    /// Moves `fixed` into the partials.
    fn fold(&mut self) {
        if self.fixed != 0 {
            for p in fixed_parts(self.fixed) {
                self.add_partial(p);
            }
        }
        self.fixed = 0;
        self.count = 0;
    }

    /// Shewchuk's grow-expansion: adds x to the partials exactly.
    fn add_partial(&mut self, mut x: f64) {
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        if other.count > 0 {
            if self.count + other.count >= FOLD_AT {
                self.fold();
            }
            self.fixed += other.fixed;
            self.count += other.count;
        }
        for p in &other.partials {
            self.add(*p);
        }
    }

    /// Partials whose exact sum is the total (the integer part folded in).
    pub fn partials(&self) -> Vec<f64> {
        let mut s = self.clone();
        s.fold();
        s.partials
    }

    pub fn from_partials(partials: Vec<f64>) -> ExactSum {
        let mut s = ExactSum::new();
        for p in partials {
            s.add(p);
        }
        s
    }

    /// The exact total rounded to the nearest f64 (ties to even), as Python's `math.fsum`.
    pub fn value(&self) -> f64 {
        if self.fixed != 0 {
            return ExactSum {
                partials: self.partials(),
                fixed: 0,
                count: 0,
            }
            .value();
        }
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half-way cases correctly: if the rest has the same sign as the error, the
        // rounding of hi + lo went the wrong way.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

/// Count, exact sum and exact sum of squares: the mean and the variance of a sample as
/// functions of the multiset of its values alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub sum: ExactSum,
    pub sum_sq: ExactSum,
}

impl Moments {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        let (hi, lo) = two_product(x, x);
        self.sum_sq.add(hi);
        self.sum_sq.add(lo);
    }

    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.sum_sq.merge(&other.sum_sq);
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum.value() / self.n as f64
        }
    }

    /// The sample variance, Σ(x − x̄)²/(n − 1) = (n·Σx² − (Σx)²) / (n(n − 1)), with the
    /// numerator computed exactly and rounded once: never negative, exactly 0 for a constant
    /// sample, the same for any order of the values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        let n = self.n as f64;
        let mut s = ExactSum::new();
        for &p in &self.sum_sq.partials() {
            let (hi, lo) = two_product(n, p);
            s.add(hi);
            s.add(lo);
        }
        let sums = self.sum.partials();
        for &a in &sums {
            for &b in &sums {
                let (hi, lo) = two_product(a, b);
                s.add(-hi);
                s.add(-lo);
            }
        }
        s.value().max(0.0) / (n * (n - 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_where_naive_sums_are_not() {
        let mut s = ExactSum::new();
        for x in [1e100, 1.0, -1e100, 1e-20] {
            s.add(x);
        }
        assert_eq!(s.value(), 1.0 + 1e-20);
        let mut t = ExactSum::new();
        for _ in 0..10 {
            t.add(0.1);
        }
        assert_eq!(t.value(), 1.0, "fsum([0.1] * 10) == 1.0");
        assert_eq!(ExactSum::new().value(), 0.0);
    }

    /// The sum by the partials alone (the algorithm before the integer fast path).
    fn by_partials(xs: &[f64]) -> f64 {
        let mut s = ExactSum::new();
        xs.iter().for_each(|x| s.add_partial(*x));
        s.value()
    }

    #[test]
    fn the_integer_fast_path_gives_the_bits_of_the_partials_alone() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..200 {
            // Mixed magnitudes around the grid's edges (2⁻¹², 2⁴⁰), signs, zeros and tiny values.
            let xs: Vec<f64> = (0..300)
                .map(|i| {
                    let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                    let e = (next() % 70) as i32 - 20 - (round % 3) * 10;
                    let x = (u - 0.3) * 2f64.powi(e);
                    match i % 29 {
                        0 => -0.0,
                        1 => 0.0,
                        2 => 2f64.powi(40) - 1.0,
                        3 => 2f64.powi(-12),
                        4 => 2f64.powi(-12) * (1.0 - f64::EPSILON),
                        _ => x,
                    }
                })
                .collect();
            let mut s = ExactSum::new();
            xs.iter().for_each(|x| s.add(*x));
            assert_eq!(
                s.value().to_bits(),
                by_partials(&xs).to_bits(),
                "round {round}"
            );
            let (mut a, mut b) = (ExactSum::new(), ExactSum::new());
            for (i, x) in xs.iter().enumerate() {
                if i % 2 == 0 { a.add(*x) } else { b.add(*x) }
            }
            a.merge(&b);
            assert_eq!(a.value().to_bits(), s.value().to_bits());
            assert_eq!(
                ExactSum::from_partials(s.partials()).value().to_bits(),
                s.value().to_bits()
            );
        }
        assert_eq!(by_partials(&[-0.0]).to_bits(), (-0.0f64).to_bits());
        let mut z = ExactSum::new();
        z.add(-0.0);
        assert_eq!(
            z.value().to_bits(),
            (-0.0f64).to_bits(),
            "a sum of −0 alone is −0"
        );
        // Enough large values to fold the integer part into the partials on the way.
        let mut big = ExactSum::new();
        let x = 2f64.powi(40) - 0.5;
        for _ in 0..(FOLD_AT + 10) {
            big.add(x);
            big.add(-x + 2f64.powi(-12));
        }
        assert_eq!(big.value(), f64::from(FOLD_AT + 10) * 2f64.powi(-12));
    }

    #[test]
    fn order_and_splits_do_not_change_the_bits() {
        let xs: Vec<f64> = (0..500)
            .map(|i| ((i * 7919) % 1000) as f64 / 7.0 - 60.0 + 1e-9 * i as f64)
            .collect();
        let mut a = Moments::default();
        xs.iter().for_each(|x| a.add(*x));
        let mut b = Moments::default();
        xs.iter().rev().for_each(|x| b.add(*x));
        let (mut c1, mut c2) = (Moments::default(), Moments::default());
        for (i, x) in xs.iter().enumerate() {
            if i % 3 == 0 { c1.add(*x) } else { c2.add(*x) }
        }
        c2.merge(&c1);
        for m in [&b, &c2] {
            assert_eq!(m.mean().to_bits(), a.mean().to_bits());
            assert_eq!(m.variance().to_bits(), a.variance().to_bits());
        }
    }

    #[test]
    fn variance_is_exact_for_constants_and_matches_two_pass_otherwise() {
        let mut m = Moments::default();
        for _ in 0..1000 {
            m.add(0.1);
        }
        assert_eq!(m.variance(), 0.0);
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut m = Moments::default();
        xs.iter().for_each(|x| m.add(*x));
        assert_eq!(m.mean(), 3.0);
        assert_eq!(m.variance(), 2.5);
        // Large offset: the textbook one-pass formula would lose every digit here.
        let mut m = Moments::default();
        for x in [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0] {
            m.add(x);
        }
        assert_eq!(m.variance(), 30.0);
    }
}
