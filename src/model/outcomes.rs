//! Outcomes and the DCI (`docs/MODEL.md` section 12): the counters every mechanism reports to
//! (one [`Counters`] type, kept for the fiscal year and for the horizon), the eight components
//! of the diplomatic-capacity index with their weights, the yearly row and the trial's outcome.
//! Keys: `dci.*`. Reads the other mechanisms' state (through [`Observed`]) and changes nothing.

use crate::engine::{Timeline, trace};
use crate::metrics::{Metric, N_METRICS, N_YEAR_METRICS, YearMetric};
use crate::model::ledger::LineYear;
use crate::model::partners::PartnerSummary;
use crate::scenario::{DAYS_PER_YEAR, DciWeights, Line, LineMap, Scenario};

/// Everything a trial at one level produces.
#[derive(Debug, Clone)]
pub struct TrialOutcome {
    pub metrics: [f64; N_METRICS],
    pub yearly: Vec<[f64; N_YEAR_METRICS]>,
    pub partner_trust: Vec<f64>,
    pub partner_interop: Vec<f64>,
    /// Each partner's trust and interoperability at each fiscal year's end, at
    /// `year × partners + partner` (the last year's equal the end-of-horizon values).
    pub partner_trust_yearly: Vec<f64>,
    pub partner_interop_yearly: Vec<f64>,
    /// Per fiscal year, per line in `Line::ALL` order.
    pub ledger: Vec<LineMap<LineYear>>,
    /// Events handled, including those handled at once instead of through the queue.
    pub events_processed: u64,
    /// Set when the trial stopped before its horizon; such an outcome is never kept.
    pub aborted: Option<crate::engine::Abort>,
}

/// What happened over a stretch of time (a fiscal year or the whole horizon).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    pub crises: f64,
    /// Crises a partner contributed units to.
    pub assisted: f64,
    pub answered: f64,
    pub unanswered: f64,
    /// Days from arrival to arrival in theatre, summed over answered crises.
    pub response_days: f64,
    pub exercises_planned: f64,
    pub exercises_held: f64,
    pub exercises_scaled: f64,
    pub exercises_cancelled: f64,
    /// Invitations to partners' own exercises, received and taken up.
    pub invitations: f64,
    pub invitations_accepted: f64,
    /// Exercises with at least one ally: planned, and held weighted by the units sent (σ).
    pub ally_exercises_planned: f64,
    pub ally_exercises_held: f64,
    pub programme_planned: f64,
    pub programme_delivered: f64,
    /// Sum of the monthly mean readiness, and the number of months.
    pub readiness_sum: f64,
    pub readiness_n: f64,
    /// Sum of the monthly share of posts open, and the number of months.
    pub posts_share_sum: f64,
    pub posts_share_n: f64,
    pub joint_withdrawals: f64,
    pub pledge_ratio_sum: f64,
}

impl Counters {
    /// Answered over decided crises (1 when none was decided).
    pub fn response_rate(&self) -> f64 {
        share(self.answered, self.answered + self.unanswered, 1.0)
    }

    pub fn exercises_held_share(&self) -> f64 {
        share(self.exercises_held, self.exercises_planned, 1.0)
    }

    pub fn posts_open_share(&self) -> f64 {
        share(self.posts_share_sum, self.posts_share_n, 1.0)
    }

    pub fn programme_delivered_share(&self) -> f64 {
        share(self.programme_delivered, self.programme_planned, 1.0)
    }

    /// Mean monthly readiness (0 before any month).
    pub fn readiness(&self) -> f64 {
        share(self.readiness_sum, self.readiness_n, 0.0)
    }
}

/// `part / whole`, or `empty` when there is nothing to divide by (nothing planned, decided or
/// observed yet).
fn share(part: f64, whole: f64, empty: f64) -> f64 {
    if whole > 0.0 { part / whole } else { empty }
}

/// The counters of the fiscal year under way and of the whole horizon; every report goes to
/// both.
#[derive(Debug, Default)]
pub struct Tally {
    pub year: Counters,
    pub horizon: Counters,
}

impl Tally {
    #[inline(always)]
    fn add(&mut self, f: impl Fn(&mut Counters)) {
        f(&mut self.year);
        f(&mut self.horizon);
    }

    pub fn open_year(&mut self) {
        self.year = Counters::default();
    }

    #[inline(always)]
    pub fn crisis_arrived(&mut self) {
        self.add(|c| c.crises += 1.0);
    }

    #[inline]
    pub fn crisis_assisted(&mut self) {
        self.add(|c| c.assisted += 1.0);
    }

    /// A decided crisis counts in the year the decision falls (yearly rows are closed by then).
    #[inline(always)]
    pub fn crisis_decided(&mut self, answered: bool) {
        if answered {
            self.add(|c| c.answered += 1.0);
        } else {
            self.add(|c| c.unanswered += 1.0);
        }
    }

    #[inline(always)]
    pub fn response_days(&mut self, days: f64) {
        self.add(|c| c.response_days += days);
    }

    /// `n` exercises planned, `with_ally` of them with at least one ally.
    pub fn exercises_planned(&mut self, n: f64, with_ally: f64) {
        self.add(|c| {
            c.exercises_planned += n;
            c.ally_exercises_planned += with_ally;
        });
    }

    /// An exercise held at scale σ (`scaled_down` when σ < 1); `with_ally` when an ally takes
    /// part.
    pub fn exercise_held(&mut self, scale: f64, with_ally: bool) {
        self.add(|c| {
            c.exercises_held += 1.0;
            if scale < 1.0 {
                c.exercises_scaled += 1.0;
            }
            if with_ally {
                c.ally_exercises_held += scale;
            }
        });
    }

    pub fn invited(&mut self) {
        self.add(|c| c.invitations += 1.0);
    }

    pub fn invitation_accepted(&mut self) {
        self.add(|c| c.invitations_accepted += 1.0);
    }

    pub fn exercise_cancelled(&mut self) {
        self.add(|c| c.exercises_cancelled += 1.0);
    }

    pub fn programme_planned(&mut self, amount: f64) {
        self.add(|c| c.programme_planned += amount);
    }

    pub fn programme_delivered(&mut self, amount: f64) {
        self.add(|c| c.programme_delivered += amount);
    }

    /// A month's mean readiness of the units in the force (`None` when there are none: the
    /// month still counts, at readiness 0).
    pub fn readiness_month(&mut self, mean: Option<f64>) {
        self.add(|c| {
            if let Some(r) = mean {
                c.readiness_sum += r;
            }
            c.readiness_n += 1.0;
        });
    }

    pub fn posts_share_month(&mut self, share: f64) {
        self.add(|c| {
            c.posts_share_sum += share;
            c.posts_share_n += 1.0;
        });
    }

    pub fn joint_withdrawal(&mut self) {
        self.add(|c| c.joint_withdrawals += 1.0);
    }

    pub fn pledge_ratio(&mut self, ratio: f64) {
        self.add(|c| c.pledge_ratio_sum += ratio);
    }
}

/// The eight components of the diplomatic-capacity index, each in [0, 1], under the names of
/// their weights (`dci.*`).
pub type DciComponents = DciWeights;

impl DciComponents {
    /// The components of a stretch of time, with the partners' and the alliance's state at its
    /// end.
    pub fn of(c: &Counters, partners: &PartnerSummary, credibility: f64) -> Self {
        DciComponents {
            response: c.response_rate(),
            exercises: c.exercises_held_share(),
            presence: c.posts_open_share(),
            programmes: c.programme_delivered_share(),
            trust: partners.trust_weighted,
            interoperability: partners.interoperability,
            credibility,
            readiness: c.readiness(),
        }
    }

    /// DCI = Σ weight × component, summed in the order the components are listed.
    pub fn dci(&self, w: &DciWeights) -> f64 {
        w.as_array()
            .iter()
            .zip(self.as_array())
            .map(|(w, c)| w * c)
            .sum()
    }
}

/// What the outcomes read of the other mechanisms at the end of a year or of the trial.
#[derive(Debug, Clone, Copy)]
pub struct Observed {
    pub partners: PartnerSummary,
    pub credibility: f64,
    pub posts_open: usize,
    /// Manned strength, in full units.
    pub units: f64,
}

/// Fiscal year `y`'s row of yearly metrics, logged.
pub fn year_row(
    s: &Scenario,
    y: usize,
    tally: &Tally,
    seen: &Observed,
    lines: &LineMap<LineYear>,
    tl: &mut Timeline,
) -> [f64; N_YEAR_METRICS] {
    let acc = &tally.year;
    let appropriated: f64 = lines.iter().map(|l| l.appropriated).sum();
    let rescinded: f64 = lines.iter().map(|l| l.rescinded).sum();
    let spent: f64 = lines.iter().map(|l| l.spent).sum();
    let components = DciComponents::of(acc, &seen.partners, seen.credibility);
    let dci = components.dci(&s.dci);
    let mut row = [0.0; N_YEAR_METRICS];
    let mut set = |m: YearMetric, v: f64| row[m.index()] = v;
    set(YearMetric::Crises, acc.crises);
    set(YearMetric::CrisesAnswered, acc.answered);
    set(YearMetric::ResponseRate, components.response);
    set(YearMetric::ExercisesPlanned, acc.exercises_planned);
    set(YearMetric::ExercisesHeld, acc.exercises_held);
    set(YearMetric::PostsOpen, seen.posts_open as f64);
    set(YearMetric::ProgrammeDelivered, acc.programme_delivered);
    set(YearMetric::TrustMean, seen.partners.trust_mean);
    set(YearMetric::TrustWeighted, seen.partners.trust_weighted);
    set(YearMetric::TrustMin, seen.partners.trust_min);
    set(YearMetric::Interoperability, seen.partners.interoperability);
    set(YearMetric::Credibility, seen.credibility);
    set(YearMetric::Readiness, components.readiness);
    set(YearMetric::Units, seen.units);
    set(YearMetric::Appropriated, appropriated);
    set(YearMetric::Spent, spent);
    set(YearMetric::Unspent, appropriated - rescinded - spent);
    for (m, line) in [
        (YearMetric::SpentPersonnel, Line::Personnel),
        (YearMetric::SpentOperations, Line::Operations),
        (YearMetric::SpentProcurement, Line::Procurement),
        (YearMetric::SpentEngagement, Line::Engagement),
        (YearMetric::SpentCrisisReserve, Line::CrisisReserve),
        (YearMetric::SpentAlliance, Line::Alliance),
    ] {
        set(m, lines[line].spent);
    }
    set(YearMetric::Rescinded, rescinded);
    set(YearMetric::Unfunded, lines.iter().map(|l| l.unfunded).sum());
    for (unspent, execution, line) in [
        (
            YearMetric::UnspentPersonnel,
            YearMetric::ExecutionPersonnel,
            Line::Personnel,
        ),
        (
            YearMetric::UnspentOperations,
            YearMetric::ExecutionOperations,
            Line::Operations,
        ),
        (
            YearMetric::UnspentProcurement,
            YearMetric::ExecutionProcurement,
            Line::Procurement,
        ),
        (
            YearMetric::UnspentEngagement,
            YearMetric::ExecutionEngagement,
            Line::Engagement,
        ),
        (
            YearMetric::UnspentCrisisReserve,
            YearMetric::ExecutionCrisisReserve,
            Line::CrisisReserve,
        ),
    ] {
        let l = &lines[line];
        set(unspent, l.unspent());
        set(execution, l.execution());
    }
    for (m, line) in [
        (YearMetric::UnfundedPersonnel, Line::Personnel),
        (YearMetric::UnfundedOperations, Line::Operations),
        (YearMetric::UnfundedProcurement, Line::Procurement),
        (YearMetric::UnfundedEngagement, Line::Engagement),
    ] {
        set(m, lines[line].unfunded);
    }
    set(YearMetric::Dci, dci);
    trace!(
        tl,
        "year_end",
        format!("FY{}", s.start_year + y as i64),
        "spent {:.1} of {:.1} (rescinded {:.1}); response rate {:.3}, exercises {}/{}, trust mean {:.3}, DCI {:.3}",
        spent,
        appropriated,
        rescinded,
        components.response,
        acc.exercises_held,
        acc.exercises_planned,
        seen.partners.trust_mean,
        dci
    );
    row
}

/// The trial's per-trial metrics over the whole horizon. `crises` is the number of crises that
/// arrived before the horizon.
pub fn trial_metrics(
    s: &Scenario,
    crises: f64,
    tally: &Tally,
    seen: &Observed,
    ledger: &[LineMap<LineYear>],
) -> [f64; N_METRICS] {
    let t = &tally.horizon;
    let decided = t.answered + t.unanswered;
    let components = DciComponents::of(t, &seen.partners, seen.credibility);
    let mut m = [0.0; N_METRICS];
    let mut set = |k: Metric, v: f64| m[k.index()] = v;
    set(Metric::Crises, crises);
    set(Metric::CrisesAnswered, t.answered);
    set(Metric::CrisesUnanswered, t.unanswered);
    set(Metric::CrisesPending, crises - decided);
    set(Metric::CrisesAssisted, t.assisted);
    set(Metric::ResponseRate, components.response);
    set(
        Metric::ResponseDays,
        if t.answered > 0.0 {
            t.response_days / t.answered
        } else {
            f64::NAN
        },
    );
    set(Metric::ExercisesPlanned, t.exercises_planned);
    set(Metric::ExercisesHeld, t.exercises_held);
    set(Metric::ExercisesScaled, t.exercises_scaled);
    set(Metric::ExercisesCancelled, t.exercises_cancelled);
    set(Metric::ExercisesHeldShare, components.exercises);
    set(Metric::Invitations, t.invitations);
    set(Metric::InvitationsAccepted, t.invitations_accepted);
    set(Metric::PostsOpen, components.presence);
    set(Metric::PostsOpenEnd, seen.posts_open as f64);
    set(Metric::ProgrammePlanned, t.programme_planned);
    set(Metric::ProgrammeDelivered, t.programme_delivered);
    set(Metric::ProgrammeDeliveredShare, components.programmes);
    set(Metric::TrustMean, seen.partners.trust_mean);
    set(Metric::TrustWeighted, seen.partners.trust_weighted);
    set(Metric::TrustMin, seen.partners.trust_min);
    set(Metric::Interoperability, seen.partners.interoperability);
    set(Metric::Credibility, seen.credibility);
    set(Metric::Readiness, components.readiness);
    set(Metric::UnitsEnd, seen.units);
    set(Metric::JointWithdrawals, t.joint_withdrawals);
    set(Metric::PledgeRatio, t.pledge_ratio_sum / s.years as f64);
    let line_sum = |l: Line| ledger.iter().map(|y| y[l].spent).sum::<f64>();
    set(Metric::SpentPersonnel, line_sum(Line::Personnel));
    set(Metric::SpentOperations, line_sum(Line::Operations));
    set(Metric::SpentProcurement, line_sum(Line::Procurement));
    set(Metric::SpentEngagement, line_sum(Line::Engagement));
    set(Metric::SpentCrisisReserve, line_sum(Line::CrisisReserve));
    set(Metric::SpentAlliance, line_sum(Line::Alliance));
    let all = || ledger.iter().flat_map(|y| y.iter());
    set(Metric::Unspent, all().map(|l| l.unspent()).sum());
    let unspent = |l: Line| ledger.iter().map(|y| y[l].unspent()).sum::<f64>();
    set(Metric::UnspentPersonnel, unspent(Line::Personnel));
    set(Metric::UnspentOperations, unspent(Line::Operations));
    set(Metric::UnspentProcurement, unspent(Line::Procurement));
    set(Metric::UnspentEngagement, unspent(Line::Engagement));
    set(Metric::UnspentCrisisReserve, unspent(Line::CrisisReserve));
    set(Metric::Rescinded, all().map(|l| l.rescinded).sum());
    let unfunded = |l: Line| ledger.iter().map(|y| y[l].unfunded).sum::<f64>();
    set(Metric::UnfundedPersonnel, unfunded(Line::Personnel));
    set(Metric::UnfundedOperations, unfunded(Line::Operations));
    set(Metric::UnfundedProcurement, unfunded(Line::Procurement));
    set(Metric::UnfundedEngagement, unfunded(Line::Engagement));
    set(Metric::Unfunded, all().map(|l| l.unfunded).sum());
    set(Metric::Dci, components.dci(&s.dci));
    // Each component's DCI points: their paired differences between levels decompose the
    // DCI's change (summary.csv's diff columns), so no reader takes the index alone.
    let parts = s.dci.as_array().into_iter().zip(components.as_array());
    for (m, (w, c)) in crate::metrics::DCI_PARTS.into_iter().zip(parts) {
        set(m, w * c);
    }
    m
}

/// Crises that arrived before the horizon.
pub fn crises_within_horizon(s: &Scenario, arrivals: impl Iterator<Item = f64>) -> f64 {
    let horizon = s.years as f64 * DAYS_PER_YEAR;
    arrivals.filter(|&a| a < horizon).count() as f64
}
