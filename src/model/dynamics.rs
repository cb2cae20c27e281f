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

/// Readiness after `dt` days with funded training fraction `target`: decays with time constant
/// `decay` when above the target, recovers with the slower `recovery` when below.
pub fn readiness(r0: f64, target: f64, dt: f64, decay: f64, recovery: f64) -> f64 {
    let tau = if target < r0 { decay } else { recovery };
    relax(r0, target, dt, tau).clamp(0.0, 1.0)
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
        // Unfunded for 90 days with a 30-day decay constant: e^-3 of the initial readiness is left.
        let r = readiness(0.9, 0.0, 90.0, 30.0, 120.0);
        assert!((r - 0.9 * (-3.0f64).exp()).abs() < 1e-12);
        // Recovery toward full funding uses the slower constant.
        let r = readiness(0.2, 1.0, 120.0, 30.0, 120.0);
        assert!((r - (1.0 - 0.8 * (-1.0f64).exp())).abs() < 1e-12);
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
