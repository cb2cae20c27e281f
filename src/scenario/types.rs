//! The validated scenario: indices instead of names, enums instead of strings, checked ranges.

use super::dist::Dist;

/// Days in a fiscal year; the calendar has no leap days so year boundaries are exact.
pub const DAYS_PER_YEAR: f64 = 365.0;
/// Budget reviews (payroll, training, programme and post payments, readiness and trust accrual)
/// happen this many times per fiscal year.
pub const TICKS_PER_YEAR: usize = 12;

/// Budget lines. The first five share the budget net of assessed alliance contributions;
/// `Alliance` holds the assessed contributions, which are paid first.
/// An enum that scenario files spell by name: one table of (name, value), in the order the
/// error messages list them, from which validation reads it and `name()` writes it (the
/// manifest, `partners.csv`, `dipcap validate`). No Rust `Debug` text reaches a user.
pub trait Named: Copy + PartialEq + 'static {
    const NAMES: &'static [(&'static str, Self)];

    /// The name used in scenario files.
    fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("?", |(n, _)| n)
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Line {
    Personnel,
    Operations,
    Procurement,
    Engagement,
    CrisisReserve,
    Alliance,
}

impl Line {
    pub const ALL: [Line; 6] = [
        Line::Personnel,
        Line::Operations,
        Line::Procurement,
        Line::Engagement,
        Line::CrisisReserve,
        Line::Alliance,
    ];
    /// Lines that receive a share of the (net) budget.
    pub const SHARED: [Line; 5] = [
        Line::Personnel,
        Line::Operations,
        Line::Procurement,
        Line::Engagement,
        Line::CrisisReserve,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Line::Personnel => "personnel",
            Line::Operations => "operations",
            Line::Procurement => "procurement",
            Line::Engagement => "engagement",
            Line::CrisisReserve => "crisis_reserve",
            Line::Alliance => "alliance",
        }
    }

    pub fn from_name(s: &str) -> Option<Line> {
        Line::ALL.into_iter().find(|l| l.name() == s)
    }
}

/// One value per budget line, indexed by [`Line`] rather than by position. Maps over the five
/// shared lines (shares, allocations, cuts) leave the alliance entry at its default and are
/// read through [`Line::SHARED`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LineMap<T>([T; 6]);

impl<T> LineMap<T> {
    pub fn from_fn(mut f: impl FnMut(Line) -> T) -> Self {
        LineMap(std::array::from_fn(|i| f(Line::ALL[i])))
    }

    /// Every line with its value, in `Line::ALL` order.
    pub fn entries(&self) -> impl Iterator<Item = (Line, &T)> {
        Line::ALL.into_iter().zip(self.0.iter())
    }

    /// Every value, in `Line::ALL` order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> LineMap<U> {
        LineMap(self.0.map(f))
    }
}

impl LineMap<f64> {
    /// The sum over the five shared lines, in their order.
    pub fn shared_sum(&self) -> f64 {
        Line::SHARED.iter().map(|l| self[*l]).sum()
    }
}

impl<'a, T> IntoIterator for &'a LineMap<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> std::ops::Index<Line> for LineMap<T> {
    type Output = T;
    #[inline(always)]
    fn index(&self, l: Line) -> &T {
        &self.0[l as usize]
    }
}

impl<T> std::ops::IndexMut<Line> for LineMap<T> {
    #[inline(always)]
    fn index_mut(&mut self, l: Line) -> &mut T {
        &mut self.0[l as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CutProfile {
    /// The level applies in full from the first cut year on.
    Immediate,
    /// The cut grows linearly over `phase_years` years.
    Phased { years: usize },
    /// Sequestration-style: the whole first-year cut is removed at `day` of the first cut year.
    Shock { day: f64, persists: bool },
}

/// The kind of a cut profile without its settings: what `budget.cut.profile` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    Immediate,
    Phased,
    Shock,
}

impl Named for ProfileKind {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("immediate", ProfileKind::Immediate),
        ("phased", ProfileKind::Phased),
        ("shock", ProfileKind::Shock),
    ];
}

impl CutProfile {
    pub fn kind(self) -> ProfileKind {
        match self {
            CutProfile::Immediate => ProfileKind::Immediate,
            CutProfile::Phased { .. } => ProfileKind::Phased,
            CutProfile::Shock { .. } => ProfileKind::Shock,
        }
    }

    /// The name used in scenario files, with the profile's own settings in words:
    /// "immediate", "phased over 3 years", "shock on day 150 (persists)".
    pub fn describe(self) -> String {
        match self {
            CutProfile::Immediate => self.kind().name().into(),
            CutProfile::Phased { years } => format!("{} over {years} years", self.kind().name()),
            CutProfile::Shock { day, persists } => format!(
                "{} on day {day} ({})",
                self.kind().name(),
                if persists {
                    "persists"
                } else {
                    "first year only"
                }
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutPolicy {
    Proportional,
    Protected,
    StickyPersonnel,
    /// Each line takes the part of the cut that `Cut::shares` gives it.
    Shares,
}

impl Named for CutPolicy {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("proportional", CutPolicy::Proportional),
        ("protected", CutPolicy::Protected),
        ("sticky_personnel", CutPolicy::StickyPersonnel),
        ("shares", CutPolicy::Shares),
    ];
}

#[derive(Debug, Clone)]
pub struct Cut {
    pub profile: CutProfile,
    /// First fiscal year (0-based) in which the cut applies.
    pub start_year: usize,
    pub policy: CutPolicy,
    /// Under `Shares`, each shared line's part of the cut, summing to 1 (zero otherwise).
    pub shares: LineMap<f64>,
    pub protected: Vec<Line>,
    /// Largest fraction the personnel line may shrink in one year under `sticky_personnel`.
    pub personnel_max_cut: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngagementItem {
    Posts,
    Programmes,
    Exercises,
}

impl Named for EngagementItem {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("posts", EngagementItem::Posts),
        ("programmes", EngagementItem::Programmes),
        ("exercises", EngagementItem::Exercises),
    ];
}

/// `budget.engagement_split`: how the engagement line's money is shared between posts,
/// programmes and exercises when it cannot pay for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngagementSplit {
    /// Items funded in `engagement_order` from what is left: the last item takes the cut.
    Order,
    /// Each item first gets the same share of its plan (the line's money over the whole plan);
    /// what an item does not use passes to the next in `engagement_order`.
    Proportional,
}

impl Named for EngagementSplit {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("order", EngagementSplit::Order),
        ("proportional", EngagementSplit::Proportional),
    ];
}

/// `budget.post_closure`: which posts close when the posts' money does not pay for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostClosure {
    /// Strict priority: once one post cannot be paid, it and every later one close.
    Priority,
    /// Priority order, but a post that does not fit is skipped and later posts that fit in
    /// what is left stay open.
    Fill,
}

impl Named for PostClosure {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("priority", PostClosure::Priority),
        ("fill", PostClosure::Fill),
    ];
}

#[derive(Debug, Clone)]
pub struct Budget {
    pub baseline: f64,
    pub growth: f64,
    pub levels: Vec<f64>,
    /// The five shared lines' shares of the net budget (alliance: 0).
    pub shares: LineMap<f64>,
    /// Per fiscal year y, the price of what the budget buys relative to the first year:
    /// I(0) = 1, I(y) = Π_{t<y} (1 + π_t) with π the inflation rates.
    pub cost_index: Vec<f64>,
    pub cut: Cut,
    pub engagement_order: Vec<EngagementItem>,
    pub engagement_split: EngagementSplit,
    pub post_closure: PostClosure,
    pub reprogramming: Reprogramming,
}

/// `[budget.reprogramming]` (docs/MODEL.md section 2).
#[derive(Debug, Clone)]
pub struct Reprogramming {
    pub max_share: f64,
    /// Ticks (0-based) at which a review runs, ascending.
    pub ticks: Vec<usize>,
    /// Receiving lines, in order.
    pub order: Vec<Line>,
    pub release_reserve: bool,
    /// Where the crisis reserve's unused money goes at the year's close (`None`: it lapses).
    pub reserve_year_end: Option<Line>,
}

#[derive(Debug, Clone)]
pub struct Forces {
    pub units: usize,
    pub initial_readiness: f64,
    pub deploy_min_readiness: f64,
    pub training_cost: f64,
    pub retraining_factor: f64,
    pub decay_days: f64,
    /// Days from readiness 0 to trained at the full retraining rate (the climb is linear).
    pub retraining_days: f64,
    pub training_shortfall: ShortfallPolicy,
    pub personnel_lag_days: f64,
    pub recruit_readiness: f64,
    pub deployment_wear: f64,
    pub reconstitution_days: f64,
    pub mobilisation_days_min: f64,
    pub mobilisation_days_max: f64,
    pub exercise_readiness_gain: f64,
}

/// How a month's training money is shared when it does not cover every unit's need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortfallPolicy {
    /// Every unit gets the same share: the whole force degrades together.
    Spread,
    /// Units are funded in a stated order (deployed, on exercise, then most ready first); the
    /// last ones are stood down and the rest kept ready.
    Concentrate,
}

impl Named for ShortfallPolicy {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("spread", ShortfallPolicy::Spread),
        ("concentrate", ShortfallPolicy::Concentrate),
    ];
}

#[derive(Debug, Clone)]
pub struct TrustParams {
    pub floor: f64,
    pub decay_days: f64,
    pub presence_decay_factor: f64,
    pub exercise_gain: f64,
    pub exercise_cancel_penalty: f64,
    pub attache_gain: f64,
    pub programme_gain: f64,
    pub programme_saturation: f64,
    pub programme_cut_penalty: f64,
    pub crisis_help_gain: f64,
    pub crisis_unanswered_penalty: f64,
    pub regional_spillover: f64,
    pub procurement_withdraw_penalty: f64,
    pub pledge_penalty: f64,
}

#[derive(Debug, Clone)]
pub struct InteropParams {
    pub floor: f64,
    pub decay_days: f64,
    pub exercise_gain: f64,
    pub joint_procurement_gain: f64,
    pub withdraw_loss: f64,
    pub mobilisation_speedup: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerKind {
    Ally,
    Partner,
    Regional,
}

impl Named for PartnerKind {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("ally", PartnerKind::Ally),
        ("partner", PartnerKind::Partner),
        ("regional", PartnerKind::Regional),
    ];
}

#[derive(Debug, Clone)]
pub struct Partner {
    pub name: String,
    pub kind: PartnerKind,
    pub region: usize,
    pub importance: f64,
    pub trust: f64,
    pub interoperability: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    Attache,
    Forward,
}

impl Named for PostKind {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("attache", PostKind::Attache),
        ("forward", PostKind::Forward),
    ];
}

#[derive(Debug, Clone)]
pub struct Post {
    pub partner: usize,
    pub kind: PostKind,
    pub annual_cost: f64,
    pub priority: i64,
    pub reopen_cost: f64,
    pub reopen_days: f64,
    pub detection_factor: f64,
}

#[derive(Debug, Clone)]
pub struct Exercise {
    pub name: String,
    pub partners: Vec<usize>,
    pub start_day: f64,
    pub duration_days: f64,
    pub units: usize,
    pub min_units: usize,
    pub min_readiness: f64,
    pub cost: f64,
    pub priority: i64,
}

#[derive(Debug, Clone)]
pub struct Programme {
    pub name: String,
    pub partner: usize,
    pub kind: String,
    pub annual: f64,
    pub priority: i64,
}

#[derive(Debug, Clone)]
pub struct JointProcurement {
    pub name: String,
    pub partners: Vec<usize>,
    pub annual_cost: f64,
    /// First and last fiscal year (0-based, inclusive).
    pub first_year: usize,
    pub last_year: usize,
}

/// `[procurement]`: national commitments and how joint programmes bend under a shortfall.
#[derive(Debug, Clone, Copy)]
pub struct ProcurementParams {
    /// Share of the reference procurement line tied to national contracts.
    pub committed_share: f64,
    /// m: the least share of its cost a joint programme can be paid and go on.
    pub joint_min_share: f64,
    /// h: the exit hazard's scale.
    pub joint_exit_rate: f64,
}

#[derive(Debug, Clone)]
pub struct Alliance {
    pub name: String,
    pub common_funding: f64,
    pub pledge: f64,
    pub gdp: f64,
    pub gdp_growth: Dist,
    /// C at t = 0.
    pub credibility: f64,
    /// φ_C: credibility a member keeps whatever it does.
    pub credibility_floor: f64,
    /// λ: the share of the gap to its target credibility closes in a year.
    pub credibility_adjustment: f64,
    /// w: the pledge's weight against commitments delivered in the target.
    pub pledge_weight: f64,
    /// H: years of the enacted budget plan the pledge check looks ahead.
    pub plan_years: usize,
    pub joint_procurement: Vec<JointProcurement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOrder {
    /// First come, first served (by crisis arrival time).
    Fifo,
    /// Lower `priority` number first, then arrival time.
    Priority,
    /// Earliest response deadline first.
    Deadline,
}

impl Named for QueueOrder {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("fifo", QueueOrder::Fifo),
        ("priority", QueueOrder::Priority),
        ("deadline", QueueOrder::Deadline),
    ];
}

/// `crisis_response.reserve_*`: ready units kept back for the high-priority crisis types.
#[derive(Debug, Clone, Copy)]
pub struct UnitReserve {
    /// R: ready units a lower-priority crisis must leave behind (0: no reserve).
    pub units: usize,
    /// Crisis types with `priority` at most this may use the reserve.
    pub priority: i64,
}

#[derive(Debug, Clone)]
pub struct CrisisType {
    pub name: String,
    pub rate: f64,
    pub priority: i64,
    /// Cumulative probabilities over `(partner index)`; the affected partner is drawn from it.
    pub affected: Vec<(usize, f64)>,
    pub units: Dist,
    pub duration_days: Dist,
    pub window_days: Dist,
    pub detection_days: Dist,
    pub daily_cost: Dist,
}

/// Composite index weights; they sum to 1. The same eight names also hold a trial's component
/// values (`model::outcomes::DciComponents`).
#[derive(Debug, Clone, Copy)]
pub struct DciWeights {
    pub response: f64,
    pub exercises: f64,
    pub presence: f64,
    pub programmes: f64,
    pub trust: f64,
    pub interoperability: f64,
    pub credibility: f64,
    pub readiness: f64,
}

impl DciWeights {
    /// The eight values in the order they are listed (and summed).
    pub fn as_array(&self) -> [f64; 8] {
        [
            self.response,
            self.exercises,
            self.presence,
            self.programmes,
            self.trust,
            self.interoperability,
            self.credibility,
            self.readiness,
        ]
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub country: String,
    /// Label of money amounts (which are in millions), e.g. "M€".
    pub money_unit: String,
    pub years: usize,
    pub start_year: i64,
    pub trials: u64,
    pub seed: u64,
    pub budget: Budget,
    pub forces: Forces,
    pub trust: TrustParams,
    pub interop: InteropParams,
    pub regions: Vec<String>,
    pub partners: Vec<Partner>,
    pub posts: Vec<Post>,
    pub exercises: Vec<Exercise>,
    pub programmes: Vec<Programme>,
    pub alliance: Option<Alliance>,
    pub procurement: ProcurementParams,
    pub queue_order: QueueOrder,
    pub unit_reserve: UnitReserve,
    pub crises: Vec<CrisisType>,
    pub dci: DciWeights,
    pub feedback: Feedback,
    /// `[[policies]]`, each with its own scenario (whose own `policies` are empty).
    pub policies: Vec<super::policy::Policy>,
    /// `[search]`, for `dipcap optimise`.
    pub search: Option<super::search::Space>,
}

/// `[feedback]`: what the partners' trust does back to the country (all 0 when
/// `feedback.enabled = false`).
#[derive(Debug, Clone, Copy)]
pub struct Feedback {
    /// k: the share of the warning delay a fully trusting partner's intelligence removes.
    pub intelligence: f64,
    /// q₀: the chance a partner at its starting trust contributes to a crisis on its soil.
    pub contribution_rate: f64,
    /// Units a contributing partner sends (the country still sends at least one).
    pub contribution_units: usize,
    /// v₀: the chance a partner at its starting trust invites the country to its own exercise
    /// in a fiscal year.
    pub invitation_rate: f64,
    /// Units an invitation asks for.
    pub invitation_units: usize,
    /// Days an invited unit is away.
    pub invitation_days: f64,
    /// The guest's cost per unit sent, in million (FY1 prices; the host pays the rest).
    pub invitation_cost: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Named + std::fmt::Debug>(all: &[T]) {
        assert_eq!(T::NAMES.len(), all.len(), "one name per value");
        for &v in all {
            assert_ne!(v.name(), "?", "{v:?} has no name");
            assert_eq!(T::from_name(v.name()), Some(v));
        }
    }

    #[test]
    fn every_named_value_has_one_name_that_reads_back() {
        use CutPolicy::*;
        round_trip(&[Proportional, Protected, StickyPersonnel, Shares]);
        round_trip(&[
            PartnerKind::Ally,
            PartnerKind::Partner,
            PartnerKind::Regional,
        ]);
        round_trip(&[PostKind::Attache, PostKind::Forward]);
        round_trip(&[
            EngagementItem::Posts,
            EngagementItem::Programmes,
            EngagementItem::Exercises,
        ]);
        round_trip(&[EngagementSplit::Order, EngagementSplit::Proportional]);
        round_trip(&[PostClosure::Priority, PostClosure::Fill]);
        round_trip(&[QueueOrder::Fifo, QueueOrder::Priority, QueueOrder::Deadline]);
        round_trip(&[ShortfallPolicy::Spread, ShortfallPolicy::Concentrate]);
        round_trip(&[
            ProfileKind::Immediate,
            ProfileKind::Phased,
            ProfileKind::Shock,
        ]);
        use super::super::dist::Family::*;
        round_trip(&[
            Constant,
            Uniform,
            Exponential,
            Normal,
            Lognormal,
            Gamma,
            Triangular,
            Pert,
            Poisson,
            Empirical,
        ]);
        assert_eq!(PartnerKind::from_name("Ally"), None, "names are exact");
    }

    /// Every `"enum"` list in the JSON Schema of scenario files.
    fn schema_enums() -> Vec<Vec<String>> {
        fn walk(v: &serde_json::Value, out: &mut Vec<Vec<String>>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::Array(names)) = m.get("enum") {
                        out.push(
                            names
                                .iter()
                                .filter_map(|n| n.as_str().map(String::from))
                                .collect(),
                        );
                    }
                    m.values().for_each(|x| walk(x, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let schema = schemars::schema_for!(super::super::raw::RawScenario);
        let mut out = Vec::new();
        walk(&serde_json::to_value(&schema).unwrap(), &mut out);
        out
    }

    fn names<T: Named>() -> Vec<String> {
        T::NAMES.iter().map(|(n, _)| n.to_string()).collect()
    }

    #[test]
    fn the_schema_lists_exactly_the_names_validation_accepts() {
        let enums = schema_enums();
        let shared: Vec<String> = Line::SHARED.iter().map(|l| l.name().to_string()).collect();
        for (what, listed) in [
            ("cut policy", names::<CutPolicy>()),
            ("cut profile", names::<ProfileKind>()),
            ("engagement item", names::<EngagementItem>()),
            ("engagement split", names::<EngagementSplit>()),
            ("post closure", names::<PostClosure>()),
            ("partner kind", names::<PartnerKind>()),
            ("post kind", names::<PostKind>()),
            ("queue order", names::<QueueOrder>()),
            ("training shortfall", names::<ShortfallPolicy>()),
            ("distribution", names::<super::super::dist::Family>()),
            ("shared line", shared),
        ] {
            assert!(
                enums.contains(&listed),
                "the schema has no enum {listed:?} for the {what}; it has {enums:?}"
            );
        }
    }
}
