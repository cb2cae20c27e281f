//! Exact summation: a sum kept as a list of non-overlapping partials (Shewchuk 1997, the
//! algorithm of Python's `math.fsum`), so adding the same values in any order, or merging sums
//! built from any split of them, represents the same exact real number, and [`ExactSum::value`]
//! rounds it correctly. This is what makes every summary of a run independent of thread count,
//! block size, resumption and sharding, bit for bit.

/// The exact sum of the values added so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    /// Non-overlapping, increasing in magnitude; their exact sum is the exact total.
    partials: Vec<f64>,
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
    pub fn add(&mut self, mut x: f64) {
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
        for p in &other.partials {
            self.add(*p);
        }
    }

    pub fn partials(&self) -> &[f64] {
        &self.partials
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
        for &p in self.sum_sq.partials() {
            let (hi, lo) = two_product(n, p);
            s.add(hi);
            s.add(lo);
        }
        let sums = self.sum.partials();
        for &a in sums {
            for &b in sums {
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
