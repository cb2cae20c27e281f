//! Forces and readiness (`docs/MODEL.md` section 3): the units, their readiness and status,
//! the personnel plan that sizes the force to the personnel line (with its lag), payroll and the
//! monthly training that operations money buys. Keys: `forces.*`. Touches the ledger (payroll
//! from personnel, its overhang and training from operations) and the tally (monthly
//! readiness); other mechanisms take units through [`Forces::ready_units`],
//! [`Forces::send`], [`Forces::exercised`] and [`Forces::return_unit`].

use crate::engine::{Event, Timeline, trace};
use crate::model::dynamics::{Trend, readiness};

mod training;
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::scenario::{Forces as ForcesSpec, Line, Scenario, ShortfallPolicy, TICKS_PER_YEAR};
use training::{manned, need, relative, spread, trend};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitStatus {
    Idle,
    Deployed,
    Exercise,
    Reconstituting,
    Inactive,
}

/// One unit: readiness moves from `r0` (at time `t0`) along `trend`.
#[derive(Debug, Clone, Copy)]
struct Unit {
    r0: f64,
    t0: f64,
    trend: Trend,
    /// This month's training money for the unit, in months of staying trained (1 holds a
    /// trained unit trained): what its trend is rebuilt from when it comes home mid-month.
    funded: f64,
    /// The share of a full unit's personnel it has (1, or less for the one partly manned unit
    /// that money left over from whole units buys). Its pay, its training costs and its trained
    /// readiness scale by it.
    manning: f64,
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
    /// Planned resizes not yet applied, in the order their `PersonnelChange` events fire: (day,
    /// units). Each event applies the first; a later plan never overwrites an earlier one.
    pending: Vec<(f64, f64)>,
    /// The share of the training need funded at the last tick (for the log).
    train_frac: f64,
    /// What a unit costs a year: the reference personnel line over the full force, set once
    /// per fiscal year (it is asked for at every tick).
    unit_cost: f64,
    /// This year's price index (`budget.inflation`): training costs `training_cost` times it.
    price: f64,
    /// What training would have cost at the last tick, funded in full (the month's demand).
    monthly_demand: f64,
    /// Reused buffers, so that no event allocates once a trial is under way.
    home: Vec<usize>,
    tick_readiness: Vec<f64>,
    tick_demand: Vec<f64>,
    tick_funded: Vec<f64>,
}

/// Up to this many units wanted, [`Forces::ready_units`] keeps the best in a short sorted list;
/// beyond, it sorts all the ready units once.
const KEEP_BY_INSERTION: usize = 16;

impl Forces {
    pub fn new(f: &ForcesSpec) -> Self {
        let unit = Unit {
            r0: f.initial_readiness,
            t0: 0.0,
            trend: Trend::Hold,
            funded: 1.0,
            manning: 1.0,
            status: UnitStatus::Idle,
            demobilise: false,
            free_at: 0.0,
        };
        Forces {
            units: vec![unit; f.units],
            pending: Vec::new(),
            train_frac: 1.0,
            unit_cost: 0.0,
            price: 1.0,
            monthly_demand: 0.0,
            home: Vec::with_capacity(f.units),
            tick_readiness: Vec::with_capacity(f.units),
            tick_demand: Vec::with_capacity(f.units),
            tick_funded: Vec::with_capacity(f.units),
        }
    }

    /// The year's cost of a unit (the first year's reference personnel line over the force, at
    /// this year's prices) and of training.
    pub fn open_year(&mut self, s: &Scenario, y: usize) {
        let price = crate::model::budget::cost_index(s, y);
        self.unit_cost = crate::model::budget::reference_allocation(s, 0)[Line::Personnel]
            / s.forces.units.max(1) as f64
            * price;
        self.price = price;
    }

    /// Manned strength on the payroll (everyone not inactive, including those leaving on
    /// return), in full units.
    fn payroll_units(&self) -> f64 {
        self.units
            .iter()
            .filter(|u| u.status != UnitStatus::Inactive)
            .map(|u| u.manning)
            .sum()
    }

    /// Manned strength of the force (not inactive, not leaving on return), in full units: the
    /// whole units plus the partly manned one.
    #[inline]
    pub fn strength(&self) -> f64 {
        self.units
            .iter()
            .filter(|u| u.status != UnitStatus::Inactive && !u.demobilise)
            .map(|u| u.manning)
            .sum()
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
        readiness(unit.r0, unit.trend, now - unit.t0, f.decay_days)
    }

    /// Units in the force, ready or not (what a search for ready units looks at, and what the
    /// trial's work bound counts for each search).
    #[inline]
    pub fn size(&self) -> usize {
        self.units.len()
    }

    /// The `keep` most ready idle units at or above `min_readiness`, most ready first, with
    /// their readiness now, into `out` (the caller's reused buffer); returns how many such
    /// units there are in all.
    #[inline(always)]
    pub fn ready_units(
        &self,
        f: &ForcesSpec,
        min_readiness: f64,
        now: f64,
        keep: usize,
        out: &mut Vec<(usize, f64)>,
    ) -> usize {
        out.clear();
        let mut count = 0;
        // Most ready first, ties by unit number: the keys are unique, so this is the one
        // deterministic order. Only the best `keep` are kept, by insertion into a short sorted
        // list (callers want one to a few units of a force of dozens: a full sort cost more).
        let order = |a: &(usize, f64), b: &(usize, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let better = |a: &(usize, f64), b: &(usize, f64)| order(a, b) == std::cmp::Ordering::Less;
        if keep > KEEP_BY_INSERTION {
            // Many wanted (a crisis as large as the force): insertion would be quadratic in the
            // force's size; one sort of the ready units gives the same order.
            for u in 0..self.units.len() {
                if self.units[u].status == UnitStatus::Idle && !self.units[u].demobilise {
                    let r = self.readiness(u, f, now);
                    if r >= min_readiness {
                        out.push((u, r));
                    }
                }
            }
            count = out.len();
            out.sort_unstable_by(order);
            out.truncate(keep);
            return count;
        }
        for u in 0..self.units.len() {
            if self.units[u].status == UnitStatus::Idle && !self.units[u].demobilise {
                let r = self.readiness(u, f, now);
                if r >= min_readiness {
                    count += 1;
                    let c = (u, r);
                    if out.len() == keep && (keep == 0 || !better(&c, &out[keep - 1])) {
                        continue;
                    }
                    let mut at = out.len();
                    while at > 0 && better(&c, &out[at - 1]) {
                        at -= 1;
                    }
                    out.insert(at, c);
                    out.truncate(keep);
                }
            }
        }
        count
    }

    /// Sends unit `u`, whose readiness now is `r` (as [`Self::ready_units`] just gave it), away.
    /// A unit away holds its readiness: a deployed one until it comes back (wear is applied on
    /// return), one on exercise because the exercise is its training (its gain comes at the end).
    #[inline(always)]
    pub fn send(&mut self, u: usize, r: f64, away: Away, now: f64) {
        let unit = &mut self.units[u];
        unit.r0 = r;
        unit.t0 = now;
        unit.trend = Trend::Hold;
        unit.status = match away {
            Away::Deployed => UnitStatus::Deployed,
            Away::Exercise => UnitStatus::Exercise,
        };
    }

    /// Unit `u` at the end of an exercise: readiness raised by `exercise_readiness_gain`
    /// points, up to its trained level (its manning; section 6).
    pub fn exercised(&mut self, f: &ForcesSpec, u: usize, now: f64) {
        let r = (self.readiness(u, f, now) + f.exercise_readiness_gain).min(self.units[u].manning);
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
        let unit = &mut self.units[u];
        unit.r0 = r;
        unit.t0 = tl.now;
        // Until the next tick, the money it was given this month decides where it goes.
        unit.trend = trend(r / unit.manning, unit.funded, unit.manning, f);
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
    /// the year, and plans its cost with the lag (section 3). The change takes effect after
    /// `personnel_lag_days`; until then the force of the current plan is still paid, and what
    /// the personnel line cannot cover of that — the *known overhang* — is moved from
    /// operations now, so that training is planned around it instead of losing it in the last
    /// months of the year.
    pub fn plan_personnel(&mut self, s: &Scenario, ledger: &mut Ledger, tl: &mut Timeline) {
        if s.forces.units == 0 {
            return;
        }
        let monthly = self.unit_cost / TICKS_PER_YEAR as f64;
        let available = ledger.available(Line::Personnel);
        let remaining = tl.remaining_ticks();
        let scheduled = self.pending.last().map_or(self.strength(), |p| p.1);
        let target = if remaining == 0 {
            scheduled
        } else {
            // Whole units, then one partly manned with what is left (section 3). The force
            // never grows beyond the validator's bound, whatever the money says.
            manned(available / (monthly * remaining as f64))
        };
        if (target - scheduled).abs() > 1e-6 {
            let change_at = tl.now + s.forces.personnel_lag_days;
            trace!(
                tl,
                "personnel_plan",
                "forces",
                "personnel line {:.1} pays for {:.2} units; {:.2} planned, change on day {:.0}",
                available,
                target,
                scheduled,
                change_at
            );
            self.pending.push((change_at, target));
            tl.schedule(change_at, Event::PersonnelChange);
        }
        let overhang = self.payroll_forecast(tl) - available;
        if overhang > MONEY_EPS {
            let moved = ledger.transfer(Line::Operations, Line::Personnel, overhang);
            trace!(
                tl,
                "payroll_overhang_planned",
                "forces",
                "payroll until the resize lands exceeds the personnel line by {:.2}; {:.2} moved from operations",
                overhang,
                moved
            );
        }
    }

    /// What payroll will cost over the year's remaining ticks, the pending resizes included:
    /// a resize at time t applies to the ticks at or after t (a `PersonnelChange` comes before
    /// a tick at the same instant).
    pub fn payroll_forecast(&self, tl: &Timeline) -> f64 {
        self.payroll_until(tl, f64::INFINITY)
    }

    /// What training will cost over the `months` left at the last tick's demand, in full.
    pub fn training_outlook(&self, months: usize) -> f64 {
        self.monthly_demand * months as f64
    }

    /// Payroll already committed: the ticks before any resize planned now could land.
    pub fn payroll_committed(&self, f: &ForcesSpec, tl: &Timeline) -> f64 {
        self.payroll_until(tl, tl.now + f.personnel_lag_days)
    }

    /// Payroll over this year's remaining ticks before `until`.
    fn payroll_until(&self, tl: &Timeline, until: f64) -> f64 {
        let monthly = self.unit_cost / TICKS_PER_YEAR as f64;
        let first = tl.year as f64 * crate::scenario::DAYS_PER_YEAR;
        let tick = crate::scenario::DAYS_PER_YEAR / TICKS_PER_YEAR as f64;
        let mut total = 0.0;
        for k in tl.ticks_done..TICKS_PER_YEAR {
            let t = first + k as f64 * tick;
            if t >= until {
                break;
            }
            let units = self
                .pending
                .iter()
                .rev()
                .find(|p| p.0 <= t)
                .map_or(self.payroll_units(), |p| p.1);
            total += units * monthly;
        }
        total
    }

    /// `PersonnelChange`: the force is resized to the planned target. Idle units with the
    /// lowest readiness leave first, units away leave on return; recruits start at
    /// `recruit_readiness`.
    pub fn change_personnel(&mut self, s: &Scenario, tl: &mut Timeline) {
        let f = &s.forces;
        let now = tl.now;
        if self.pending.is_empty() {
            return;
        }
        let (_, strength) = self.pending.remove(0);
        // Whole units and the share of one more that the money pays.
        let whole = (strength + 1e-6).floor();
        let partial = if strength - whole > 1e-6 {
            strength - whole
        } else {
            0.0
        };
        let target = whole as usize + usize::from(partial > 0.0);
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
            // A recruit holds its level until the next tick gives it training money.
            let recruit = Unit {
                r0: f.recruit_readiness,
                t0: now,
                trend: Trend::Hold,
                funded: 1.0,
                manning: 1.0,
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
        self.man(partial, now, f);
        trace!(
            tl,
            "personnel_change",
            "forces",
            "{} active units, manned strength {:.2}",
            self.active_units(),
            self.strength()
        );
    }

    /// Every active unit fully manned, except the last one (by number) when `partial` > 0:
    /// it gets that share. A unit whose manning changes keeps its readiness relative to its
    /// trained level.
    fn man(&mut self, partial: f64, now: f64, f: &ForcesSpec) {
        let last = (0..self.units.len())
            .rev()
            .find(|&u| self.units[u].status != UnitStatus::Inactive && !self.units[u].demobilise);
        for u in 0..self.units.len() {
            let m = if Some(u) == last && partial > 0.0 {
                partial
            } else {
                1.0
            };
            if self.units[u].status == UnitStatus::Inactive || self.units[u].manning == m {
                continue;
            }
            let r = self.readiness(u, f, now) / self.units[u].manning * m;
            let unit = &mut self.units[u];
            unit.r0 = r.min(m);
            unit.t0 = now;
            unit.trend = Trend::Hold;
            unit.manning = m;
        }
    }

    /// Tick `k`'s payroll and training. Payroll for the coming month comes first; an overhang
    /// the personnel line cannot pay (units not yet gone after a cut) falls on operations.
    /// Training then gets the month's share of what operations has left (see [`Self::train`]),
    /// and the month's mean readiness is tallied.
    pub fn pay_month(
        &mut self,
        s: &Scenario,
        ledger: &mut Ledger,
        tally: &mut Tally,
        tl: &mut Timeline,
        remaining: f64,
    ) {
        let frac = 1.0 / TICKS_PER_YEAR as f64;
        let payroll = self.payroll_units() * self.unit_cost * frac;
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
        let available = ledger.available(Line::Operations);
        let (spent, unfunded, mean) = self.train(&s.forces, available, remaining, tl);
        ledger.spend(Line::Operations, spent);
        ledger.unfunded(Line::Operations, unfunded);
        tally.readiness_month(mean);
    }

    /// The month's training (section 3). Every unit in the force costs `training_cost`/12 a
    /// month to hold trained (one *base*; holding readiness r costs r bases), deployed units
    /// and units on exercise included. A unit below trained needs more to climb back: a month
    /// of climbing at the full rate costs `retraining_factor` bases. The month may spend the
    /// larger of its pro-rata share of what operations has left (`available` over the
    /// `remaining` months, this one included) and what leaves enough to hold every unit trained
    /// in the months after it; that allowance is shared by the scenario's shortfall policy; each unit's money then fixes its trend until the next
    /// tick ([`trend`]). Returns what was spent, what was needed but not funded, and the mean
    /// readiness of the active units now.
    fn train(
        &mut self,
        f: &ForcesSpec,
        available: f64,
        remaining: f64,
        tl: &mut Timeline,
    ) -> (f64, f64, Option<f64>) {
        let now = tl.now;
        let base = f.training_cost * self.price / TICKS_PER_YEAR as f64;
        if base == 0.0 {
            return (0.0, 0.0, self.train_free(f, now));
        }
        // Each unit's readiness and demand now, computed once (nothing moves a unit in between).
        let mut now_r = std::mem::take(&mut self.tick_readiness);
        let mut demand = std::mem::take(&mut self.tick_demand);
        let mut funded = std::mem::take(&mut self.tick_funded);
        now_r.clear();
        demand.clear();
        funded.clear();
        // Readiness and demand relative to the unit's trained level (its manning m); a unit
        // weighs m bases.
        let (mut bases, mut wanted) = (0.0, 0.0);
        for u in 0..self.units.len() {
            let unit = &self.units[u];
            let m = unit.manning;
            let (x, d) = match unit.status {
                UnitStatus::Inactive => (0.0, 0.0),
                // Away, readiness is held: only the unit's home running costs are charged.
                UnitStatus::Deployed | UnitStatus::Exercise => {
                    (relative(self.readiness(u, f, now), m), 1.0)
                }
                UnitStatus::Idle | UnitStatus::Reconstituting => {
                    let x = relative(self.readiness(u, f, now), m);
                    (x, need(x, f))
                }
            };
            now_r.push(x);
            demand.push(d);
            funded.push(0.0);
            if d > 0.0 {
                bases += m;
                wanted += m * d;
            }
        }
        // Money in bases. A ministry pays for recovery when it is needed rather than spreading
        // it over the year, as long as the rest of the year's holding stays paid for.
        let money = {
            let left = available / base;
            (left / remaining).max(left - bases * (remaining - 1.0))
        };
        let full = money >= wanted;
        if full {
            funded.copy_from_slice(&demand);
        } else {
            match f.training_shortfall {
                ShortfallPolicy::Spread => spread(&demand, &mut funded, money, bases, wanted),
                ShortfallPolicy::Concentrate => {
                    self.concentrate(&now_r, &demand, &mut funded, money, tl)
                }
            }
        }
        let paid: f64 = if full {
            wanted
        } else {
            self.units
                .iter()
                .zip(&funded)
                .map(|(unit, x)| unit.manning * x)
                .sum()
        };
        let spent = paid * base;
        // The commitment is to hold the force trained: what falls short of one base a unit is
        // unfunded. A slower climb back than the full rate (a premium not paid in full) is a
        // choice of pace, not an unpaid bill.
        let unfunded = if full {
            0.0
        } else {
            self.short_of_holding(&demand, &funded) * base
        };
        self.monthly_demand = wanted * base;
        let share = if wanted > 0.0 {
            (paid / wanted).min(1.0)
        } else {
            1.0
        };
        if (share - self.train_frac).abs() > 1e-12 {
            trace!(
                tl,
                "training",
                "forces",
                "training funded at {:.3} of need ({:.2} of {:.2})",
                share,
                spent,
                wanted * base
            );
        }
        self.train_frac = share;
        let (mut r_sum, mut r_n) = (0.0, 0.0);
        for (u, unit) in self.units.iter_mut().enumerate() {
            let (x, m) = (now_r[u], unit.manning);
            unit.funded = funded[u];
            // A trained unit that holds and keeps its money keeps its trend: nothing to redo
            // (the common case at full budget; ticks are a large share of a trial's events).
            let settled = x >= 1.0 && unit.trend == Trend::Hold && funded[u] >= 1.0;
            if matches!(unit.status, UnitStatus::Idle | UnitStatus::Reconstituting) && !settled {
                unit.r0 = x * m;
                unit.t0 = now;
                unit.trend = trend(x, funded[u], m, f);
            }
            if unit.status != UnitStatus::Inactive && !unit.demobilise {
                r_sum += x * m;
                r_n += m;
            }
        }
        self.tick_readiness = now_r;
        self.tick_demand = demand;
        self.tick_funded = funded;
        (spent, unfunded, (r_n > 0.0).then(|| r_sum / r_n))
    }

    /// Bases by which this month's money falls short of holding every unit trained.
    fn short_of_holding(&self, demand: &[f64], funded: &[f64]) -> f64 {
        self.units
            .iter()
            .zip(demand.iter().zip(funded))
            .map(|(unit, (d, x))| unit.manning * (d.min(1.0) - x).max(0.0))
            .sum()
    }

    /// Training that costs nothing (`training_cost` = 0, as in the queueing fixture): every unit
    /// gets what it needs, so only units below trained change their trend. The same result as
    /// the general path, without its bookkeeping: ticks are a large share of the crisis core's
    /// events, and this keeps it as fast as before the readiness model (docs/PERFORMANCE.md).
    fn train_free(&mut self, f: &ForcesSpec, now: f64) -> Option<f64> {
        let (mut r_sum, mut r_n) = (0.0, 0.0);
        for u in 0..self.units.len() {
            let unit = self.units[u];
            if unit.status == UnitStatus::Inactive {
                continue;
            }
            let r = self.readiness(u, f, now);
            let unit = &mut self.units[u];
            let (m, x) = (unit.manning, r / unit.manning);
            if matches!(unit.status, UnitStatus::Idle | UnitStatus::Reconstituting) {
                let d = need(x, f);
                unit.funded = d;
                if !(x >= 1.0 && unit.trend == Trend::Hold) {
                    unit.r0 = r;
                    unit.t0 = now;
                    unit.trend = trend(x, d, m, f);
                }
            } else {
                unit.funded = 1.0;
            }
            if !unit.demobilise {
                r_sum += r;
                r_n += m;
            }
        }
        self.train_frac = 1.0;
        (r_n > 0.0).then(|| r_sum / r_n)
    }

    /// The `concentrate` policy: units are funded in order — deployed, on exercise, then the
    /// units at home from the most ready down (ties by unit number) — first what holds each
    /// trained (one base), then, in the same order, what brings the lapsed ones back. The
    /// units left without money are stood down (less than half a base: a `stand_down` event);
    /// one may be left partly funded.
    fn concentrate(
        &mut self,
        now_r: &[f64],
        demand: &[f64],
        funded: &mut [f64],
        money: f64,
        tl: &mut Timeline,
    ) {
        let mut order = std::mem::take(&mut self.home);
        order.clear();
        order.extend((0..self.units.len()).filter(|&u| demand[u] > 0.0));
        let rank = |u: usize| match self.units[u].status {
            UnitStatus::Deployed => 0,
            UnitStatus::Exercise => 1,
            _ => 2,
        };
        // Unique keys (ties by unit number): the unstable sort gives the one order.
        order.sort_unstable_by(|&a, &b| {
            rank(a)
                .cmp(&rank(b))
                .then(now_r[b].total_cmp(&now_r[a]))
                .then(a.cmp(&b))
        });
        let mut left = money;
        for &u in &order {
            let m = self.units[u].manning;
            let x = left.clamp(0.0, m);
            funded[u] = x / m;
            left -= x;
        }
        for &u in &order {
            let m = self.units[u].manning;
            let x = left.min(m * (demand[u] - 1.0)).max(0.0);
            funded[u] += x / m;
            left -= x;
        }
        // A unit is stood down when it gets less than half of what holds it trained, having had
        // at least that before (the last unit funded often gets a part of a base: that is a
        // trim, not a stand-down).
        for &u in &order {
            if funded[u] < 0.5 && self.units[u].funded >= 0.5 {
                trace!(
                    tl,
                    "stand_down",
                    format!("unit {u}"),
                    "training funded at {:.2} of holding it trained (readiness {:.3})",
                    funded[u],
                    now_r[u]
                );
            }
        }
        self.home = order;
    }
}

#[cfg(test)]
mod tests;
