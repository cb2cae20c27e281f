//! Crisis arrivals: the world outside the country's control. For each crisis type a Poisson
//! process over the whole horizon, with every attribute drawn at arrival from that type's own
//! stream, in a fixed order. Nothing here depends on the budget level, so trial k sees the same
//! crises at every level (common random numbers).

use crate::rng::{Process, stream};
use crate::scenario::dist::{Domain, unit_f64};
use crate::scenario::{DAYS_PER_YEAR, Scenario};

/// One crisis as drawn at arrival.
#[derive(Debug, Clone, PartialEq)]
pub struct CrisisDraw {
    pub kind: usize,
    /// Days since the start of the horizon.
    pub arrival: f64,
    pub partner: usize,
    pub units: usize,
    pub duration_days: f64,
    pub window_days: f64,
    pub detection_days: f64,
    pub daily_cost: f64,
    /// The uniform the affected partner's decision to contribute is compared with (stream
    /// `Assist(kind)`, one per crisis in arrival order: adding it moved no other draw).
    pub assist: f64,
}

/// All crises of one trial, in time order (ties by crisis type order).
pub fn generate(s: &Scenario, seed: u64, trial: u64, out: &mut Vec<CrisisDraw>) {
    out.clear();
    let horizon = s.years as f64 * DAYS_PER_YEAR;
    for (k, ct) in s.crises.iter().enumerate() {
        if ct.rate <= 0.0 {
            continue;
        }
        let mut rng = stream(seed, trial, Process::Crisis(k as u32));
        let mut assist = stream(seed, trial, Process::Assist(k as u32));
        let mean_gap = DAYS_PER_YEAR / ct.rate;
        let mut t = 0.0;
        loop {
            // Inverse-transform exponential gap: -ln(1-U) keeps U = 0 finite.
            t += -mean_gap * (1.0 - unit_f64(&mut rng)).ln();
            if t >= horizon {
                break;
            }
            let u = unit_f64(&mut rng);
            let partner = ct
                .affected
                .iter()
                .find(|(_, c)| u < *c)
                .map_or(ct.affected[ct.affected.len() - 1].0, |(p, _)| *p);
            let units = ct
                .units
                .sample(&mut rng, Domain::NonNegative)
                .round()
                .max(1.0) as usize;
            let duration_days = ct.duration_days.sample(&mut rng, Domain::NonNegative);
            let window_days = ct
                .window_days
                .sample(&mut rng, Domain::NonNegativeOrInfinite);
            let detection_days = ct.detection_days.sample(&mut rng, Domain::NonNegative);
            let daily_cost = ct.daily_cost.sample(&mut rng, Domain::NonNegative);
            out.push(CrisisDraw {
                kind: k,
                arrival: t,
                partner,
                units,
                duration_days,
                window_days,
                detection_days,
                daily_cost,
                assist: unit_f64(&mut assist),
            });
        }
    }
    out.sort_by(|a, b| a.arrival.total_cmp(&b.arrival).then(a.kind.cmp(&b.kind)));
}

/// What the world outside the country decides besides its crises: the GDP path and the
/// partners' draws on joint programmes. Drawn before the trial, the same at every level.
#[derive(Debug, Clone, Default)]
pub struct Exogenous {
    /// GDP growth of each fiscal year (economy stream).
    pub gdp_growth: Vec<f64>,
    /// Per joint programme j and fiscal year y, at `j × years + y`: the uniform its exit
    /// hazard is compared with (stream `Joint(j)`), so a deeper cut can only add exits.
    pub joint_exit: Vec<f64>,
    /// Per partner p and fiscal year y, at `p × years + y`: (the uniform its invitation chance
    /// is compared with, the uniform that places its exercise in the year), stream `Invite(p)`;
    /// empty when `feedback.invitation_rate` is 0.
    pub invitations: Vec<(f64, f64)>,
}

/// The exogenous draws of one trial.
pub fn exogenous(s: &Scenario, seed: u64, trial: u64) -> Exogenous {
    let gdp_growth = match &s.alliance {
        None => vec![0.0; s.years],
        Some(a) => {
            let mut rng = stream(seed, trial, Process::Economy);
            (0..s.years)
                .map(|_| a.gdp_growth.sample(&mut rng, Domain::Real))
                .collect()
        }
    };
    let joint = s.alliance.as_ref().map_or(0, |a| a.joint_procurement.len());
    let mut joint_exit = Vec::with_capacity(joint * s.years);
    for j in 0..joint {
        let mut rng = stream(seed, trial, Process::Joint(j as u32));
        joint_exit.extend((0..s.years).map(|_| unit_f64(&mut rng)));
    }
    let mut invitations = Vec::new();
    if s.feedback.invitation_rate > 0.0 {
        invitations.reserve(s.partners.len() * s.years);
        for p in 0..s.partners.len() {
            let mut rng = stream(seed, trial, Process::Invite(p as u32));
            invitations.extend((0..s.years).map(|_| (unit_f64(&mut rng), unit_f64(&mut rng))));
        }
    }
    Exogenous {
        gdp_growth,
        joint_exit,
        invitations,
    }
}
