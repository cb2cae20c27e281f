//! The one registry of outcome metrics. CSV columns, JSON keys and summaries are derived from
//! these lists, so adding a metric touches this file and the place that computes it.

/// A per-trial outcome (one value per level and trial in `trials.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Crises,
    CrisesAnswered,
    CrisesUnanswered,
    CrisesPending,
    CrisesAssisted,
    ResponseRate,
    ResponseDays,
    ExercisesPlanned,
    ExercisesHeld,
    ExercisesScaled,
    ExercisesCancelled,
    ExercisesHeldShare,
    Invitations,
    InvitationsAccepted,
    PostsOpen,
    PostsOpenEnd,
    ProgrammePlanned,
    ProgrammeDelivered,
    ProgrammeDeliveredShare,
    TrustMean,
    TrustWeighted,
    TrustMin,
    Interoperability,
    Credibility,
    Readiness,
    UnitsEnd,
    JointWithdrawals,
    PledgeRatio,
    SpentPersonnel,
    SpentOperations,
    SpentProcurement,
    SpentEngagement,
    SpentCrisisReserve,
    SpentAlliance,
    Unspent,
    UnspentPersonnel,
    UnspentOperations,
    UnspentProcurement,
    UnspentEngagement,
    UnspentCrisisReserve,
    Rescinded,
    UnfundedPersonnel,
    UnfundedOperations,
    UnfundedProcurement,
    UnfundedEngagement,
    Unfunded,
    Dci,
    DciResponse,
    DciExercises,
    DciPresence,
    DciProgrammes,
    DciTrust,
    DciInteroperability,
    DciCredibility,
    DciReadiness,
}

/// The per-trial metrics policy staff read first, in report order: the report's findings, the
/// box plots, the capacity charts and a sweep's default outputs. How each is shown is
/// `charts::style::HEADLINE`, in the same order.
pub const HEADLINE: [Metric; 5] = [
    Metric::ResponseRate,
    Metric::ExercisesHeldShare,
    Metric::TrustMean,
    Metric::PostsOpen,
    Metric::Dci,
];

pub struct MetricInfo {
    pub name: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
}

macro_rules! registry {
    ($ty:ident, $all:ident, $( $v:ident => ($name:expr, $unit:expr, $desc:expr) ),* $(,)?) => {
        impl $ty {
            pub const $all: &'static [$ty] = &[$($ty::$v),*];
            pub fn info(self) -> MetricInfo {
                match self { $($ty::$v => MetricInfo { name: $name, unit: $unit, description: $desc }),* }
            }
            pub fn name(self) -> &'static str { self.info().name }
            pub fn index(self) -> usize { self as usize }
            pub fn from_name(name: &str) -> Option<$ty> { Self::$all.iter().copied().find(|m| m.name() == name) }
        }
    };
}

registry!(Metric, ALL,
    Crises => ("crises", "count", "crises that arrived during the horizon"),
    CrisesAnswered => ("crises_answered", "count", "crises answered within their response window"),
    CrisesUnanswered => ("crises_unanswered", "count", "crises whose response window passed unanswered"),
    CrisesPending => ("crises_pending", "count", "crises still waiting, within their window, when the horizon ended"),
    CrisesAssisted => ("crises_assisted", "count", "crises the affected partner sent units to, lowering the units the country must send ([feedback])"),
    ResponseRate => ("response_rate", "fraction", "answered / (answered + unanswered); 1 when no crisis was decided"),
    ResponseDays => ("response_days", "days", "mean time from crisis arrival to units in theatre, answered crises (NaN if none)"),
    ExercisesPlanned => ("exercises_planned", "count", "exercises in the calendar over the horizon"),
    ExercisesHeld => ("exercises_held", "count", "exercises held, in full or scaled down"),
    ExercisesScaled => ("exercises_scaled", "count", "exercises held with fewer units than planned"),
    ExercisesCancelled => ("exercises_cancelled", "count", "exercises cancelled at planning or at their start"),
    ExercisesHeldShare => ("exercises_held_share", "fraction", "exercises held / planned (1 if none planned)"),
    Invitations => ("invitations", "count", "invitations to partners' own exercises ([feedback]; more likely the more the partner trusts the country)"),
    InvitationsAccepted => ("invitations_accepted", "count", "invitations taken up: a ready unit and the guest's cost found"),
    PostsOpen => ("posts_open", "fraction", "mean share of attaché and forward posts open, sampled monthly (1 if no posts)"),
    PostsOpenEnd => ("posts_open_end", "count", "posts open at the end of the horizon"),
    ProgrammePlanned => ("programme_planned", "million", "partner-programme money planned over the horizon"),
    ProgrammeDelivered => ("programme_delivered", "million", "partner-programme money delivered"),
    ProgrammeDeliveredShare => ("programme_delivered_share", "fraction", "delivered / planned programme money (1 if none planned)"),
    TrustMean => ("trust_mean", "0-1", "mean partner trust at the end of the horizon"),
    TrustWeighted => ("trust_weighted", "0-1", "importance-weighted mean partner trust at the end"),
    TrustMin => ("trust_min", "0-1", "lowest partner trust at the end"),
    Interoperability => ("interoperability", "0-1", "importance-weighted mean interoperability at the end"),
    Credibility => ("credibility", "0-1", "alliance credibility at the end (1 if no alliance)"),
    Readiness => ("readiness", "0-1", "mean readiness of active units, sampled monthly"),
    UnitsEnd => ("units_end", "units", "manned strength of the force at the end: whole units plus the share of the partly manned one"),
    JointWithdrawals => ("joint_withdrawals", "count", "joint procurement programmes abandoned"),
    PledgeRatio => ("pledge_ratio", "ratio", "mean over years of defence spending / (pledge × GDP); 1 if no pledge"),
    SpentPersonnel => ("spent_personnel", "million", "money spent from the personnel line"),
    SpentOperations => ("spent_operations", "million", "money spent from operations & training"),
    SpentProcurement => ("spent_procurement", "million", "money spent from procurement"),
    SpentEngagement => ("spent_engagement", "million", "money spent from diplomacy/engagement"),
    SpentCrisisReserve => ("spent_crisis_reserve", "million", "money spent from the crisis reserve"),
    SpentAlliance => ("spent_alliance", "million", "assessed alliance contributions paid"),
    Unspent => ("unspent", "million", "appropriated money left unspent at year ends"),
    UnspentPersonnel => ("unspent_personnel", "million", "personnel money left unspent at year ends (it lapses)"),
    UnspentOperations => ("unspent_operations", "million", "operations & training money left unspent at year ends"),
    UnspentProcurement => ("unspent_procurement", "million", "procurement money left unspent at year ends"),
    UnspentEngagement => ("unspent_engagement", "million", "engagement money left unspent at year ends"),
    UnspentCrisisReserve => ("unspent_crisis_reserve", "million", "crisis reserve left unspent at year ends"),
    Rescinded => ("rescinded", "million", "money removed mid-year by a shock"),
    UnfundedPersonnel => ("unfunded_personnel", "million", "payroll neither the personnel line nor operations could pay"),
    UnfundedOperations => ("unfunded_operations", "million", "training money short of holding the force trained (a slower climb back is not counted)"),
    UnfundedProcurement => ("unfunded_procurement", "million", "joint-procurement payments not made (short or abandoned)"),
    UnfundedEngagement => ("unfunded_engagement", "million", "post, programme and exercise costs not paid (closed, cut, cancelled for money)"),
    Unfunded => ("unfunded", "million", "all commitments the lines could not pay (sum of the unfunded_* columns)"),
    Dci => ("dci", "0-1", "Diplomatic Capacity Index: weighted mean of its components (see docs/MODEL.md)"),
    DciResponse => ("dci_response", "0-1", "dci.response × response_rate: the DCI points crisis response contributes (the dci_* columns sum to dci)"),
    DciExercises => ("dci_exercises", "0-1", "dci.exercises × exercises_held_share"),
    DciPresence => ("dci_presence", "0-1", "dci.presence × posts_open"),
    DciProgrammes => ("dci_programmes", "0-1", "dci.programmes × programme_delivered_share"),
    DciTrust => ("dci_trust", "0-1", "dci.trust × trust_weighted"),
    DciInteroperability => ("dci_interoperability", "0-1", "dci.interoperability × interoperability"),
    DciCredibility => ("dci_credibility", "0-1", "dci.credibility × credibility"),
    DciReadiness => ("dci_readiness", "0-1", "dci.readiness × readiness"),
);

/// The DCI's parts in the order of `DciWeights::as_array` (response, exercises, presence,
/// programmes, trust, interoperability, credibility, readiness).
pub const DCI_PARTS: [Metric; 8] = [
    Metric::DciResponse,
    Metric::DciExercises,
    Metric::DciPresence,
    Metric::DciProgrammes,
    Metric::DciTrust,
    Metric::DciInteroperability,
    Metric::DciCredibility,
    Metric::DciReadiness,
];

/// A per-year outcome (time series in `yearly.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum YearMetric {
    Crises,
    CrisesAnswered,
    ResponseRate,
    ExercisesPlanned,
    ExercisesHeld,
    PostsOpen,
    ProgrammeDelivered,
    TrustMean,
    TrustWeighted,
    TrustMin,
    Interoperability,
    Credibility,
    Readiness,
    Units,
    Appropriated,
    Spent,
    Unspent,
    SpentPersonnel,
    SpentOperations,
    SpentProcurement,
    SpentEngagement,
    SpentCrisisReserve,
    SpentAlliance,
    Rescinded,
    Unfunded,
    UnspentPersonnel,
    UnspentOperations,
    UnspentProcurement,
    UnspentEngagement,
    UnspentCrisisReserve,
    UnfundedPersonnel,
    UnfundedOperations,
    UnfundedProcurement,
    UnfundedEngagement,
    ExecutionPersonnel,
    ExecutionOperations,
    ExecutionProcurement,
    ExecutionEngagement,
    ExecutionCrisisReserve,
    Dci,
}

registry!(YearMetric, ALL,
    Crises => ("crises", "count", "crises arriving in the year"),
    CrisesAnswered => ("crises_answered", "count", "of those, answered in time"),
    ResponseRate => ("response_rate", "fraction", "answered / decided crises of the year (1 if none)"),
    ExercisesPlanned => ("exercises_planned", "count", "exercises in the year's calendar"),
    ExercisesHeld => ("exercises_held", "count", "exercises held"),
    PostsOpen => ("posts_open", "count", "posts open at year end"),
    ProgrammeDelivered => ("programme_delivered", "million", "programme money delivered in the year"),
    TrustMean => ("trust_mean", "0-1", "mean partner trust at year end"),
    TrustWeighted => ("trust_weighted", "0-1", "importance-weighted trust at year end"),
    TrustMin => ("trust_min", "0-1", "lowest partner trust at year end"),
    Interoperability => ("interoperability", "0-1", "importance-weighted interoperability at year end"),
    Credibility => ("credibility", "0-1", "alliance credibility at year end"),
    Readiness => ("readiness", "0-1", "mean readiness of active units over the year"),
    Units => ("units", "units", "manned strength of the force at year end (whole units plus the partly manned one)"),
    Appropriated => ("appropriated", "million", "money appropriated for the year, all lines"),
    Spent => ("spent", "million", "money spent in the year, all lines"),
    Unspent => ("unspent", "million", "money left unspent at year end"),
    SpentPersonnel => ("spent_personnel", "million", "spent from the personnel line in the year"),
    SpentOperations => ("spent_operations", "million", "spent from operations & training in the year"),
    SpentProcurement => ("spent_procurement", "million", "spent from procurement in the year"),
    SpentEngagement => ("spent_engagement", "million", "spent from diplomacy/engagement in the year"),
    SpentCrisisReserve => ("spent_crisis_reserve", "million", "spent from the crisis reserve in the year"),
    SpentAlliance => ("spent_alliance", "million", "assessed alliance contributions paid in the year"),
    Rescinded => ("rescinded", "million", "money removed by a mid-year shock in the year"),
    Unfunded => ("unfunded", "million", "commitments of the year the lines could not pay"),
    UnspentPersonnel => ("unspent_personnel", "million", "personnel money of the year left unspent (it lapses)"),
    UnspentOperations => ("unspent_operations", "million", "operations & training money of the year left unspent"),
    UnspentProcurement => ("unspent_procurement", "million", "procurement money of the year left unspent"),
    UnspentEngagement => ("unspent_engagement", "million", "engagement money of the year left unspent"),
    UnspentCrisisReserve => ("unspent_crisis_reserve", "million", "crisis reserve of the year left unspent"),
    UnfundedPersonnel => ("unfunded_personnel", "million", "payroll of the year neither personnel nor operations could pay"),
    UnfundedOperations => ("unfunded_operations", "million", "training money of the year short of holding the force trained"),
    UnfundedProcurement => ("unfunded_procurement", "million", "joint-procurement payments of the year not made"),
    UnfundedEngagement => ("unfunded_engagement", "million", "post, programme and exercise costs of the year not paid"),
    ExecutionPersonnel => ("execution_personnel", "fraction", "personnel money of the year spent or moved to another line, of what it had"),
    ExecutionOperations => ("execution_operations", "fraction", "operations money of the year spent or moved, of what it had (1 if it had none)"),
    ExecutionProcurement => ("execution_procurement", "fraction", "procurement money of the year spent or moved, of what it had (1 if it had none)"),
    ExecutionEngagement => ("execution_engagement", "fraction", "engagement money of the year spent or moved, of what it had (1 if it had none)"),
    ExecutionCrisisReserve => ("execution_crisis_reserve", "fraction", "crisis reserve of the year spent or moved, of what it had (1 if it had none)"),
    Dci => ("dci", "0-1", "Diplomatic Capacity Index of the year"),
);

pub const N_METRICS: usize = Metric::ALL.len();
pub const N_YEAR_METRICS: usize = YearMetric::ALL.len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_dense_and_named_uniquely() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(Metric::from_name(m.name()), Some(*m));
        }
        for (i, m) in YearMetric::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
        }
    }
}
