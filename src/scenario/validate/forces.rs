//! Validation of `[forces]`, `[trust]` and `[interoperability]` (`docs/MODEL.md` sections 3
//! and 4): readiness, personnel and mobilisation parameters, and the rates at which trust and
//! interoperability move.

use super::{Checker, MAX_UNITS, R, check};
use crate::scenario::raw::{RawForces, RawInteroperability, RawTrust};
use crate::scenario::types::*;

/// `[forces]`.
pub(super) fn forces(c: &Checker, f: &RawForces) -> R<Forces> {
    let forces = Forces {
        units: check!(c, "forces", f.units, int, 0, MAX_UNITS as i64)?,
        initial_readiness: check!(c, "forces", f.initial_readiness, fraction)?,
        deploy_min_readiness: check!(c, "forces", f.deploy_min_readiness, fraction)?,
        training_cost: check!(
            c,
            "forces",
            f.training_cost,
            non_negative,
            " (million per unit per year)",
        )?,
        retraining_factor: check!(c, "forces", f.retraining_factor, range, 1.0, 100.0, "",)?,
        decay_days: check!(c, "forces", f.decay_days, positive, " (days)")?,
        retraining_days: check!(c, "forces", f.retraining_days, positive, " (days)")?,
        training_shortfall: c.choice("forces.training_shortfall", &f.training_shortfall)?,
        personnel_lag_days: check!(
            c,
            "forces",
            f.personnel_lag_days,
            range,
            0.0,
            DAYS_PER_YEAR - 1.0,
            " (days)",
        )?,
        recruit_readiness: check!(c, "forces", f.recruit_readiness, fraction)?,
        deployment_wear: check!(c, "forces", f.deployment_wear, fraction)?,
        reconstitution_days: check!(c, "forces", f.reconstitution_days, non_negative, " (days)",)?,
        mobilisation_days_min: check!(
            c,
            "forces",
            f.mobilisation_days_min,
            non_negative,
            " (days)",
        )?,
        mobilisation_days_max: check!(
            c,
            "forces",
            f.mobilisation_days_max,
            non_negative,
            " (days)",
        )?,
        exercise_readiness_gain: check!(c, "forces", f.exercise_readiness_gain, fraction)?,
    };
    if forces.mobilisation_days_max < forces.mobilisation_days_min {
        return Err(c.err(
            "forces.mobilisation_days_max",
            format!(
                "{} is below mobilisation_days_min ({})",
                forces.mobilisation_days_max, forces.mobilisation_days_min
            ),
            "the delay at readiness 0 (max) must be at least the delay at readiness 1 (min)",
        ));
    }
    Ok(forces)
}

/// `[trust]`.
pub(super) fn trust(c: &Checker, t: &RawTrust) -> R<TrustParams> {
    Ok(TrustParams {
        floor: check!(c, "trust", t.floor, fraction)?,
        decay_days: check!(c, "trust", t.decay_days, positive, " (days)")?,
        presence_decay_factor: check!(c, "trust", t.presence_decay_factor, range, 1.0, 100.0, "",)?,
        exercise_gain: check!(c, "trust", t.exercise_gain, fraction)?,
        exercise_cancel_penalty: check!(c, "trust", t.exercise_cancel_penalty, fraction)?,
        attache_gain: check!(c, "trust", t.attache_gain, fraction)?,
        programme_gain: check!(c, "trust", t.programme_gain, fraction)?,
        programme_saturation: check!(
            c,
            "trust",
            t.programme_saturation,
            positive,
            " (million per year)",
        )?,
        programme_cut_penalty: check!(c, "trust", t.programme_cut_penalty, fraction)?,
        crisis_help_gain: check!(c, "trust", t.crisis_help_gain, fraction)?,
        crisis_unanswered_penalty: check!(c, "trust", t.crisis_unanswered_penalty, fraction,)?,
        regional_spillover: check!(c, "trust", t.regional_spillover, fraction)?,
        procurement_withdraw_penalty: check!(c, "trust", t.procurement_withdraw_penalty, fraction,)?,
        pledge_penalty: check!(c, "trust", t.pledge_penalty, fraction)?,
    })
}

/// `[interoperability]`.
pub(super) fn interoperability(c: &Checker, io: &RawInteroperability) -> R<InteropParams> {
    Ok(InteropParams {
        floor: check!(c, "interoperability", io.floor, fraction)?,
        decay_days: check!(c, "interoperability", io.decay_days, positive, " (days)")?,
        exercise_gain: check!(c, "interoperability", io.exercise_gain, fraction)?,
        joint_procurement_gain: check!(c, "interoperability", io.joint_procurement_gain, fraction,)?,
        withdraw_loss: check!(c, "interoperability", io.withdraw_loss, fraction)?,
        mobilisation_speedup: check!(c, "interoperability", io.mobilisation_speedup, fraction,)?,
    })
}
