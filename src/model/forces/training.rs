//! The per-unit rules of the readiness model (`docs/MODEL.md` section 3): what a unit needs
//! in a month, the trend its money buys, and the manned strength money pays for. Pure
//! functions; `super` (the forces) applies them at each tick.

use super::ForcesSpec;
use crate::model::dynamics::Trend;
use crate::scenario::{DAYS_PER_YEAR, TICKS_PER_YEAR};

/// Readiness `r` of a unit manned at `m`, relative to its trained level; a full unit (all but
/// one at most) skips the division.
#[inline(always)]
pub(super) fn relative(r: f64, m: f64) -> f64 {
    if m == 1.0 { r } else { r / m }
}

/// The manned strength `units` of money buys: never below 0 nor above the validator's bound.
/// A value within 10⁻⁶ of a whole number is that number (a line that pays exactly n units).
pub(super) fn manned(units: f64) -> f64 {
    let u = units.clamp(0.0, crate::scenario::MAX_UNITS as f64);
    if (u - u.round()).abs() < 1e-6 {
        u.round()
    } else {
        u
    }
}

/// Readiness a unit regains in a month of climbing at the full retraining rate.
fn climb_per_month(f: &ForcesSpec) -> f64 {
    DAYS_PER_YEAR / TICKS_PER_YEAR as f64 / f.retraining_days
}

/// What a unit at readiness `r` at home needs this month, in bases: 1 to hold it trained; a
/// unit below trained climbs at the full rate for the part x of the month it needs, at
/// `retraining_factor` bases a month, and holds for the rest.
pub(super) fn need(r: f64, f: &ForcesSpec) -> f64 {
    if r >= 1.0 - 1e-12 {
        return 1.0;
    }
    let x = ((1.0 - r) / climb_per_month(f)).min(1.0);
    f.retraining_factor * x + (1.0 - x)
}

/// Where `funded` bases a month take a unit at readiness `r`: less than `r` decays toward
/// `funded` (the level that money holds); more climbs toward trained (or toward `funded`, if
/// below 1) at the full rate scaled by the share of the climbing premium paid,
/// (funded − r)/(retraining_factor − r); exactly `r`, or trained and funded, holds.
///
/// `r` is relative to the unit's trained level, its manning `m`; the trend is returned in
/// readiness itself (a partly manned unit decays and climbs toward m times the levels of a full
/// one, at m times the speed).
pub(super) fn trend(r: f64, funded: f64, m: f64, f: &ForcesSpec) -> Trend {
    match relative_trend(r, funded, f) {
        Trend::Decay { to } => Trend::Decay { to: to * m },
        Trend::Climb { per_day, cap } => Trend::Climb {
            per_day: per_day * m,
            cap: cap * m,
        },
        Trend::Hold => Trend::Hold,
    }
}

fn relative_trend(r: f64, funded: f64, f: &ForcesSpec) -> Trend {
    const EPS: f64 = 1e-12;
    if funded < r - EPS {
        Trend::Decay { to: funded }
    } else if r < 1.0 - EPS && funded > r + EPS {
        let full = climb_per_month(f) / (DAYS_PER_YEAR / TICKS_PER_YEAR as f64);
        let k = f.retraining_factor;
        let share = if k > r {
            ((funded - r) / (k - r)).min(1.0)
        } else {
            1.0
        };
        Trend::Climb {
            per_day: full * share,
            cap: funded.min(1.0),
        }
    } else {
        Trend::Hold
    }
}

/// The `spread` policy: with `money` bases for `bases` bases of holding and `wanted` of demand,
/// every unit gets the same share of holding (money ≤ bases), or is held and gets the same
/// share of its climbing premium.
pub(super) fn spread(demand: &[f64], funded: &mut [f64], money: f64, bases: f64, wanted: f64) {
    for (x, d) in funded.iter_mut().zip(demand) {
        if *d > 0.0 {
            *x = if money <= bases {
                money / bases
            } else {
                1.0 + (d - 1.0) * (money - bases) / (wanted - bases)
            };
        }
    }
}
