//! Closed-form relaxations used between events, and the bounded update rules for trust and
//! interoperability. Levels relax exponentially toward a target; gains are saturating
//! (x + g(1 − x)) and losses multiplicative (x(1 − l)), so every level stays in [0, 1]
//! whatever the parameters, and trust "builds slowly and erodes fast" through the sizes of g and l.

/// x(t) = target + (x0 − target)·e^(−dt/τ)
pub fn relax(x0: f64, target: f64, dt: f64, tau: f64) -> f64 {
    if dt <= 0.0 || x0 == target {
        return x0;
    }
    target + (x0 - target) * super::exp::exp(-dt / tau)
}

/// How a unit's readiness moves until the next monthly tick, as that month's training money
/// fixed it (`docs/MODEL.md` section 3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trend {
    /// Money below what holding the current level costs: exponential decay toward `to` (the
    /// level the money does hold) with the decay time constant.
    Decay { to: f64 },
    /// Money above it: a linear climb of `per_day` up to `cap`.
    Climb { per_day: f64, cap: f64 },
    /// Held where it is (trained and funded, deployed, on exercise).
    Hold,
}

/// Readiness `dt` days after it was `r0`, following `trend`.
#[inline(always)]
pub fn readiness(r0: f64, trend: Trend, dt: f64, decay_days: f64) -> f64 {
    match trend {
        Trend::Decay { to } => relax(r0, to, dt, decay_days).clamp(0.0, 1.0),
        Trend::Climb { per_day, cap } => {
            // Snapped to the cap within rounding, so that a climb re-anchored every month ends
            // exactly at trained (month lengths of 365/12 days do not add up exactly).
            let r = r0 + per_day * dt.max(0.0);
            if r >= cap - 1e-9 { cap } else { r }
        }
        Trend::Hold => r0,
    }
}

/// A saturating gain of strength g ∈ [0,1].
pub fn gain(x: f64, g: f64) -> f64 {
    (x + g * (1.0 - x)).clamp(0.0, 1.0)
}

/// A multiplicative loss of strength l ∈ [0,1].
pub fn loss(x: f64, l: f64) -> f64 {
    (x * (1.0 - l)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_follows_its_closed_form() {
        // Unfunded for 90 days with a 110-day decay constant: e^(-90/110) of it is left.
        let r = readiness(0.9, Trend::Decay { to: 0.0 }, 90.0, 110.0);
        assert!((r - 0.9 * (-90.0f64 / 110.0).exp()).abs() < 1e-12);
        // Partly funded: decays toward the level the money holds, never below it.
        let r = readiness(0.9, Trend::Decay { to: 0.6 }, 1e6, 110.0);
        assert!((r - 0.6).abs() < 1e-12);
        // A climb is linear and stops at its cap.
        let climb = Trend::Climb {
            per_day: 1.0 / 182.5,
            cap: 1.0,
        };
        assert!((readiness(0.2, climb, 73.0, 110.0) - 0.6).abs() < 1e-12);
        assert_eq!(readiness(0.2, climb, 365.0, 110.0), 1.0);
        assert_eq!(readiness(0.7, Trend::Hold, 365.0, 110.0), 0.7);
    }

    #[test]
    fn updates_stay_in_unit_interval() {
        for x in [0.0, 0.3, 1.0] {
            for g in [0.0, 0.5, 1.0] {
                assert!((0.0..=1.0).contains(&gain(x, g)));
                assert!((0.0..=1.0).contains(&loss(x, g)));
            }
        }
    }
}
