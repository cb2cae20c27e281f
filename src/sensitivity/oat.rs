//! One-at-a-time swings for tornado charts: the output with every parameter at its centre,
//! and with one parameter at the bottom and at the top of its range, the others at the centre.

use super::sampling::{Role, UnitPoint};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swing {
    pub param: usize,
    pub base: f64,
    pub low: f64,
    pub high: f64,
}

impl Swing {
    /// |high − low|: how far the output moves across the parameter's range.
    pub fn width(&self) -> f64 {
        (self.high - self.low).abs()
    }
}

/// Swings of every parameter, widest first (ties by parameter order).
pub fn swings(points: &[UnitPoint], y: &[f64], k: usize) -> Vec<Swing> {
    let base = points
        .iter()
        .zip(y)
        .find(|(p, _)| p.role == Role::OatBase)
        .map_or(f64::NAN, |(_, v)| *v);
    let mut out: Vec<Swing> = (0..k)
        .map(|i| {
            let at = |high: bool| {
                points
                    .iter()
                    .zip(y)
                    .find(|(p, _)| p.role == Role::Oat { param: i, high })
                    .map_or(f64::NAN, |(_, v)| *v)
            };
            Swing {
                param: i,
                base,
                low: at(false),
                high: at(true),
            }
        })
        .collect();
    out.sort_by(|a, b| b.width().total_cmp(&a.width()).then(a.param.cmp(&b.param)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::sampling::one_at_a_time;

    #[test]
    fn swings_are_sorted_widest_first() {
        let pts = one_at_a_time(&[0.5, 0.5, 0.5]);
        let y: Vec<f64> = pts
            .iter()
            .map(|p| p.u[0] + 4.0 * p.u[1] - 2.0 * p.u[2])
            .collect();
        let s = swings(&pts, &y, 3);
        assert_eq!(s.iter().map(|s| s.param).collect::<Vec<_>>(), vec![1, 2, 0]);
        assert_eq!(s[0].base, 1.5);
        assert_eq!((s[0].low, s[0].high), (-0.5, 3.5));
        assert_eq!(
            s[1].low, 2.5,
            "a falling output is high at the bottom of the range"
        );
    }
}
