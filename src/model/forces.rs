//! Forces and readiness (`docs/MODEL.md` section 3): the units, their readiness and status,
//! the personnel plan that sizes the force to the personnel line (with its lag), payroll and the
//! monthly training that operations money buys. Keys: `forces.*`. Touches the ledger (payroll
//! from personnel, its overhang and training from operations) and the tally (monthly
//! readiness); other mechanisms take units through [`Forces::ready_units`],
//! [`Forces::send`], [`Forces::exercised`] and [`Forces::return_unit`].

use crate::engine::{Event, Timeline, trace};
use crate::model::dynamics::readiness;
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::scenario::{Forces as ForcesSpec, Line, Scenario, TICKS_PER_YEAR};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitStatus {
    Idle,
    Deployed,
    Exercise,
    Reconstituting,
    Inactive,
}

/// One unit: readiness relaxes from `r0` (at time `t0`) toward `target`.
#[derive(Debug, Clone, Copy)]
struct Unit {
    r0: f64,
    t0: f64,
    target: f64,
    status: UnitStatus,
    /// Leaves the force when it comes back (a personnel cut hit while it was away).
    demobilise: bool,
    /// End of the current reconstitution; an older `UnitFree` event for this unit is stale.
    free_at: f64,
}

/// Why a unit leaves home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Away {
    Deployed,
    Exercise,
}

#[derive(Debug)]
pub struct Forces {
    units: Vec<Unit>,
    /// The force the personnel line pays for, reached at the next `PersonnelChange`.
    personnel_target: usize,
    /// The funded share of training at the last tick: the readiness units at home relax to.
    train_frac: f64,
    /// What a unit costs a year: the reference personnel line over the full force, set once
    /// per fiscal year (it is asked for at every tick).
    unit_cost: f64,
    /// Reused buffers, so that no event allocates once a trial is under way.
    home: Vec<usize>,
    tick_readiness: Vec<f64>,
}

impl Forces {
    pub fn new(f: &ForcesSpec) -> Self {
        let unit = Unit {
            r0: f.initial_readiness,
            t0: 0.0,
            target: f.initial_readiness,
            status: UnitStatus::Idle,
            demobilise: false,
            free_at: 0.0,
        };
        Forces {
            units: vec![unit; f.units],
            personnel_target: f.units,
            train_frac: 1.0,
            unit_cost: 0.0,
            home: Vec::with_capacity(f.units),
            tick_readiness: Vec::with_capacity(f.units),
        }
    }

    /// The year's cost of a unit, from the reference personnel line of year `y`.
    pub fn open_year(&mut self, s: &Scenario, y: usize) {
        self.unit_cost = crate::model::budget::reference_allocation(s, y)[Line::Personnel]
            / s.forces.units.max(1) as f64;
    }

    /// Units on the payroll (everyone not inactive, including those leaving on return).
    fn payroll_units(&self) -> usize {
        self.units
            .iter()
            .filter(|u| u.status != UnitStatus::Inactive)
            .count()
    }

    /// Units in the force (not inactive, not leaving on return).
    #[inline]
    pub fn active_units(&self) -> usize {
        self.units
            .iter()
            .filter(|u| u.status != UnitStatus::Inactive && !u.demobilise)
            .count()
    }

    #[inline(always)]
    fn readiness(&self, u: usize, f: &ForcesSpec, now: f64) -> f64 {
        let unit = &self.units[u];
        readiness(
            unit.r0,
            unit.target,
            now - unit.t0,
            f.decay_days,
            f.recovery_days,
        )
    }

    /// Idle units at or above `min_readiness`, most ready first, with their readiness now, into
    /// `out` (the caller's reused buffer).
    #[inline(always)]
    pub fn ready_units(
        &self,
        f: &ForcesSpec,
        min_readiness: f64,
        now: f64,
        out: &mut Vec<(usize, f64)>,
    ) {
        out.clear();
        for u in 0..self.units.len() {
            if self.units[u].status == UnitStatus::Idle && !self.units[u].demobilise {
                let r = self.readiness(u, f, now);
                if r >= min_readiness {
                    out.push((u, r));
                }
            }
        }
        // Ties by unit number: keys are unique, so the unstable sort (which never allocates)
        // gives the one deterministic order.
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    }

    /// Sends unit `u`, whose readiness now is `r` (as [`Self::ready_units`] just gave it), away.
    /// A deployed unit holds its readiness while away (wear is applied on return); a unit on
    /// exercise keeps training toward the funded level.
    #[inline(always)]
    pub fn send(&mut self, u: usize, r: f64, away: Away, now: f64) {
        let unit = &mut self.units[u];
        match away {
            Away::Deployed => {
                unit.r0 = r;
                unit.t0 = now;
                unit.target = r;
                unit.status = UnitStatus::Deployed;
            }
            Away::Exercise => unit.status = UnitStatus::Exercise,
        }
    }

    /// Unit `u` at the end of an exercise: readiness raised by `gain` (section 6).
    pub fn exercised(&mut self, s: &Scenario, u: usize, now: f64) {
        let f = &s.forces;
        let r = crate::model::dynamics::gain(self.readiness(u, f, now), f.exercise_readiness_gain);
        self.units[u].r0 = r;
        self.units[u].t0 = now;
    }

    /// A unit back from deployment or an exercise: worn, reconstituting for `reconstitution`
    /// days, and leaving if a cut demands it.
    #[inline]
    pub fn return_unit(
        &mut self,
        f: &ForcesSpec,
        u: usize,
        wear: f64,
        reconstitution: f64,
        tl: &mut Timeline,
    ) {
        let r = self.readiness(u, f, tl.now) * (1.0 - wear);
        let train_frac = self.train_frac;
        let unit = &mut self.units[u];
        unit.r0 = r;
        unit.t0 = tl.now;
        unit.target = train_frac;
        if unit.demobilise {
            unit.demobilise = false;
            unit.status = UnitStatus::Inactive;
        } else if reconstitution > 0.0 {
            unit.status = UnitStatus::Reconstituting;
            unit.free_at = tl.now + reconstitution;
            tl.schedule(tl.now + reconstitution, Event::UnitFree(u as u32));
        } else {
            unit.status = UnitStatus::Idle;
        }
    }

    /// `UnitFree(u)`: a reconstituted unit becomes idle. Returns whether it did (an older event
    /// for a unit sent away again since is stale).
    #[inline]
    pub fn unit_free(&mut self, u: usize, now: f64) -> bool {
        let unit = &mut self.units[u];
        if unit.status == UnitStatus::Reconstituting && now >= unit.free_at {
            unit.status = UnitStatus::Idle;
            true
        } else {
            false
        }
    }

    /// Sizes the force to what the personnel line can pay, month after month, for the rest of
    /// the year. The change takes effect after `personnel_lag_days`; until then the larger
    /// force is still paid, and what the personnel line cannot cover of that overhang is paid
    /// from operations (see [`Self::pay_month`]) — which is how a sudden personnel cut squeezes
    /// training.
    pub fn plan_personnel(&mut self, s: &Scenario, ledger: &Ledger, tl: &mut Timeline) {
        if s.forces.units == 0 {
            return;
        }
        let monthly = self.unit_cost / TICKS_PER_YEAR as f64;
        let available = ledger.available(Line::Personnel);
        let remaining = tl.remaining_ticks();
        let current = self.active_units();
        let target = if remaining == 0 {
            current
        } else {
            // The small epsilon keeps a line that pays exactly n units from rounding to n − 1.
            // The force never grows beyond the validator's bound, whatever the money says.
            (((available / (monthly * remaining as f64)) + 1e-6)
                .floor()
                .max(0.0) as usize)
                .min(crate::scenario::MAX_UNITS)
        };
        self.personnel_target = target;
        if target != current {
            let change_at = tl.now + s.forces.personnel_lag_days;
            trace!(
                tl,
                "personnel_plan",
                "forces",
                "personnel line {:.1} pays for {} units; {} now, change on day {:.0}",
                available,
                target,
                current,
                change_at
            );
            tl.schedule(change_at, Event::PersonnelChange);
        }
    }

    /// `PersonnelChange`: the force is resized to the planned target. Idle units with the
    /// lowest readiness leave first, units away leave on return; recruits start at
    /// `recruit_readiness`.
    pub fn change_personnel(&mut self, s: &Scenario, tl: &mut Timeline) {
        let f = &s.forces;
        let now = tl.now;
        let target = self.personnel_target;
        let mut active = self.active_units();
        if target < active {
            let mut home = std::mem::take(&mut self.home);
            home.clear();
            home.extend((0..self.units.len()).filter(|&u| {
                matches!(
                    self.units[u].status,
                    UnitStatus::Idle | UnitStatus::Reconstituting
                )
            }));
            // Unique keys (ties by unit number): the unstable sort gives the one order.
            home.sort_unstable_by(|&a, &b| {
                self.readiness(a, f, now)
                    .total_cmp(&self.readiness(b, f, now))
                    .then(a.cmp(&b))
            });
            for &u in &home {
                if active <= target {
                    break;
                }
                self.units[u].status = UnitStatus::Inactive;
                active -= 1;
            }
            self.home = home;
            for u in 0..self.units.len() {
                if active <= target {
                    break;
                }
                let unit = &mut self.units[u];
                if matches!(unit.status, UnitStatus::Deployed | UnitStatus::Exercise)
                    && !unit.demobilise
                {
                    unit.demobilise = true;
                    active -= 1;
                }
            }
        } else {
            for u in 0..self.units.len() {
                if active >= target {
                    break;
                }
                if self.units[u].demobilise {
                    self.units[u].demobilise = false;
                    active += 1;
                }
            }
            let recruit = Unit {
                r0: f.recruit_readiness,
                t0: now,
                target: self.train_frac,
                status: UnitStatus::Idle,
                demobilise: false,
                free_at: 0.0,
            };
            for u in 0..self.units.len() {
                if active >= target {
                    break;
                }
                if self.units[u].status == UnitStatus::Inactive {
                    self.units[u] = recruit;
                    active += 1;
                }
            }
            while active < target {
                self.units.push(recruit);
                active += 1;
            }
        }
        trace!(
            tl,
            "personnel_change",
            "forces",
            "{} active units",
            self.active_units()
        );
    }

    /// Tick `k`'s payroll and training. Payroll for the coming month comes first; an overhang
    /// the personnel line cannot pay (units not yet gone after a cut) falls on operations.
    /// Training then gets the month's share of what operations has left, against what the units
    /// at home need; lapsed units cost up to `retraining_factor` times more to bring back.
    /// Every unit at home retargets to the funded share, and the month's mean readiness is
    /// tallied.
    pub fn pay_month(
        &mut self,
        s: &Scenario,
        ledger: &mut Ledger,
        tally: &mut Tally,
        tl: &mut Timeline,
        remaining: f64,
    ) {
        let frac = 1.0 / TICKS_PER_YEAR as f64;
        let payroll = self.payroll_units() as f64 * self.unit_cost * frac;
        let paid = ledger.spend(Line::Personnel, payroll);
        if payroll - paid > MONEY_EPS {
            let overhang = ledger.spend(Line::Operations, payroll - paid);
            ledger.unfunded(Line::Personnel, payroll - paid - overhang);
            trace!(
                tl,
                "payroll_overhang",
                "forces",
                "personnel line short by {:.2}; {:.2} paid from operations",
                payroll - paid,
                overhang
            );
        }

        let f = &s.forces;
        let now = tl.now;
        let mut need = 0.0;
        // Each unit's readiness now, computed once: the training need, the retarget below and
        // the month's mean readiness all read the same value (nothing moves a unit in between).
        let mut now_r = std::mem::take(&mut self.tick_readiness);
        now_r.clear();
        for u in 0..self.units.len() {
            let unit = &self.units[u];
            let r = if unit.status == UnitStatus::Inactive {
                0.0
            } else {
                self.readiness(u, f, now)
            };
            now_r.push(r);
            if matches!(
                unit.status,
                UnitStatus::Idle | UnitStatus::Reconstituting | UnitStatus::Exercise
            ) {
                let gap = (1.0 - r).max(0.0);
                need += f.training_cost * frac * (1.0 + (f.retraining_factor - 1.0) * gap);
            }
        }
        let allowance = ledger.available(Line::Operations) / remaining;
        let funded = if need > 0.0 {
            (allowance / need).min(1.0)
        } else {
            1.0
        };
        ledger.spend(Line::Operations, funded * need);
        ledger.unfunded(Line::Operations, (1.0 - funded) * need);
        if (funded - self.train_frac).abs() > 1e-12 {
            trace!(
                tl,
                "training",
                "forces",
                "training funded at {:.3} of need ({:.2} of {:.2})",
                funded,
                funded * need,
                need
            );
        }
        self.train_frac = funded;
        let mut r_sum = 0.0;
        let mut r_n = 0.0;
        for (unit, &r) in self.units.iter_mut().zip(&now_r) {
            // A retargeted unit's readiness at now is r itself (no time has passed since).
            if matches!(
                unit.status,
                UnitStatus::Idle | UnitStatus::Reconstituting | UnitStatus::Exercise
            ) {
                unit.r0 = r;
                unit.t0 = now;
                unit.target = funded;
            }
            if unit.status != UnitStatus::Inactive && !unit.demobilise {
                r_sum += r;
                r_n += 1.0;
            }
        }
        self.tick_readiness = now_r;
        tally.readiness_month((r_n > 0.0).then(|| r_sum / r_n));
    }
}
