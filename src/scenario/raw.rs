//! The raw scenario: a serde mirror of the TOML file, close to what the user wrote.
//!
//! Every table rejects unknown keys so a misspelt key is an error, never a silently ignored
//! setting. Defaults live here (documented in `docs/MODEL.md`); semantic checks live in
//! `validate/`, which turns this into the trusted [`crate::scenario::Scenario`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::dist::RawDist;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Scenario")]
pub struct RawScenario {
    pub scenario: RawMeta,
    pub budget: RawBudget,
    pub forces: RawForces,
    #[serde(default)]
    pub trust: RawTrust,
    #[serde(default)]
    pub interoperability: RawInteroperability,
    #[serde(default)]
    pub partners: Vec<RawPartner>,
    #[serde(default)]
    pub posts: Vec<RawPost>,
    #[serde(default)]
    pub exercises: Vec<RawExercise>,
    #[serde(default)]
    pub programmes: Vec<RawProgramme>,
    pub alliance: Option<RawAlliance>,
    #[serde(default)]
    pub procurement: RawProcurement,
    #[serde(default)]
    pub crisis_response: RawCrisisResponse,
    #[serde(default)]
    pub crises: Vec<RawCrisis>,
    #[serde(default)]
    pub dci: RawDci,
    #[serde(default)]
    pub feedback: RawFeedback,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Meta")]
pub struct RawMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub country: String,
    /// How money is labelled in charts and the report (amounts are always millions).
    #[serde(default = "default_money_unit")]
    pub money_unit: String,
    pub years: i64,
    #[serde(default = "default_start_year")]
    pub start_year: i64,
    #[serde(default = "default_trials")]
    pub trials: i64,
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_money_unit() -> String {
    "million".into()
}
fn default_start_year() -> i64 {
    2026
}
fn default_trials() -> i64 {
    1000
}
fn default_seed() -> u64 {
    1
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Budget")]
pub struct RawBudget {
    /// Million euro in the first fiscal year.
    pub baseline: f64,
    #[serde(default)]
    pub growth: f64,
    /// Yearly rise of every cost (pay, training, posts, programmes, exercises, joint
    /// programmes, crisis costs): one rate, or one per year with the last repeated. Default:
    /// `growth` (costs rise with the budget).
    pub inflation: Option<RawRates>,
    pub levels: Vec<f64>,
    pub shares: RawShares,
    #[serde(default)]
    pub cut: RawCut,
    #[serde(default)]
    pub reprogramming: RawReprogramming,
    #[serde(default = "default_engagement_order")]
    #[schemars(extend("items" = {"enum": ["posts", "programmes", "exercises"]}))]
    pub engagement_order: Vec<String>,
    /// How the engagement line is shared when it cannot pay for every item: `"order"` (items
    /// funded in `engagement_order`, the last takes the cut) or `"proportional"` (every item
    /// the same share of its plan first).
    #[serde(default = "default_engagement_split")]
    #[schemars(extend("enum" = ["order", "proportional"]))]
    pub engagement_split: String,
    /// Which posts close when their money does not pay for all: `"fill"` (priority order,
    /// later posts that fit stay open) or `"priority"` (the first post that does not fit and
    /// every later one close).
    #[serde(default = "default_post_closure")]
    #[schemars(extend("enum" = ["priority", "fill"]))]
    pub post_closure: String,
}

fn default_engagement_split() -> String {
    "order".into()
}

fn default_post_closure() -> String {
    "fill".into()
}

/// `[budget.reprogramming]`: money moved between lines during the year.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Reprogramming")]
pub struct RawReprogramming {
    /// At most this share of a line's money of the year (appropriated − rescinded) may leave it.
    pub max_share: f64,
    /// Review months (1–12): a review runs at that month's tick, before its payments.
    pub months: Vec<i64>,
    /// Receiving lines, in order.
    #[schemars(extend("items" = {"enum": ["personnel", "operations", "procurement", "engagement", "crisis_reserve"]}))]
    pub order: Vec<String>,
    /// At each review, release the crisis reserve's money beyond its pro-rata share of the
    /// rest of the year to the receiving lines (not capped by `max_share`).
    pub release_reserve: bool,
    /// At the year's close, what the crisis reserve did not use lapses, or is obligated on
    /// national procurement contracts.
    #[schemars(extend("enum" = ["lapse", "procurement"]))]
    pub reserve_year_end: String,
}

impl Default for RawReprogramming {
    fn default() -> Self {
        RawReprogramming {
            max_share: 0.0,
            months: vec![12],
            order: vec!["operations".into(), "procurement".into()],
            release_reserve: false,
            reserve_year_end: "lapse".into(),
        }
    }
}

/// One rate, or a list of yearly rates.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawRates {
    One(f64),
    Yearly(Vec<f64>),
}

fn default_engagement_order() -> Vec<String> {
    vec!["posts".into(), "programmes".into(), "exercises".into()]
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Shares")]
pub struct RawShares {
    pub personnel: f64,
    pub operations: f64,
    pub procurement: f64,
    pub engagement: f64,
    pub crisis_reserve: f64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Cut")]
pub struct RawCut {
    #[serde(default = "default_profile")]
    #[schemars(extend("enum" = ["immediate", "phased", "shock"]))]
    pub profile: String,
    #[serde(default = "one_i64")]
    pub start_year: i64,
    #[serde(default = "default_phase_years")]
    pub phase_years: i64,
    #[serde(default = "default_shock_day")]
    pub shock_day: f64,
    #[serde(default = "default_true")]
    pub shock_persists: bool,
    #[serde(default = "default_policy")]
    #[schemars(extend("enum" = ["proportional", "protected", "sticky_personnel"]))]
    pub policy: String,
    #[serde(default)]
    #[schemars(extend("items" = {"enum": ["personnel", "operations", "procurement", "engagement", "crisis_reserve"]}))]
    pub protected: Vec<String>,
    #[serde(default = "default_personnel_max_cut")]
    pub personnel_max_cut: f64,
}

impl Default for RawCut {
    fn default() -> Self {
        Self {
            profile: default_profile(),
            start_year: 1,
            phase_years: default_phase_years(),
            shock_day: default_shock_day(),
            shock_persists: true,
            policy: default_policy(),
            protected: Vec::new(),
            personnel_max_cut: default_personnel_max_cut(),
        }
    }
}

fn default_profile() -> String {
    "immediate".into()
}
fn one_i64() -> i64 {
    1
}
fn default_phase_years() -> i64 {
    3
}
fn default_shock_day() -> f64 {
    180.0
}
fn default_true() -> bool {
    true
}
fn default_policy() -> String {
    "proportional".into()
}
fn default_personnel_max_cut() -> f64 {
    0.03
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Forces")]
pub struct RawForces {
    pub units: i64,
    #[serde(default = "default_initial_readiness")]
    pub initial_readiness: f64,
    #[serde(default = "default_deploy_min_readiness")]
    pub deploy_min_readiness: f64,
    /// Million euro per unit per year to keep a unit trained (operations line).
    #[serde(default)]
    pub training_cost: f64,
    #[serde(default = "default_retraining_factor")]
    pub retraining_factor: f64,
    #[serde(default = "default_decay_days")]
    pub decay_days: f64,
    #[serde(default = "default_retraining_days")]
    pub retraining_days: f64,
    #[serde(default = "default_training_shortfall")]
    #[schemars(extend("enum" = ["spread", "concentrate"]))]
    pub training_shortfall: String,
    #[serde(default = "default_personnel_lag_days")]
    pub personnel_lag_days: f64,
    #[serde(default = "default_recruit_readiness")]
    pub recruit_readiness: f64,
    #[serde(default)]
    pub deployment_wear: f64,
    #[serde(default)]
    pub reconstitution_days: f64,
    #[serde(default)]
    pub mobilisation_days_min: f64,
    #[serde(default)]
    pub mobilisation_days_max: f64,
    #[serde(default)]
    pub exercise_readiness_gain: f64,
}

fn default_initial_readiness() -> f64 {
    0.85
}
fn default_deploy_min_readiness() -> f64 {
    0.5
}
fn default_retraining_factor() -> f64 {
    2.5
}
fn default_decay_days() -> f64 {
    110.0
}
fn default_retraining_days() -> f64 {
    182.5
}
fn default_training_shortfall() -> String {
    "spread".into()
}
fn default_personnel_lag_days() -> f64 {
    180.0
}
fn default_recruit_readiness() -> f64 {
    0.3
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Trust")]
pub struct RawTrust {
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

impl Default for RawTrust {
    fn default() -> Self {
        Self {
            floor: 0.2,
            decay_days: 1460.0,
            presence_decay_factor: 2.0,
            exercise_gain: 0.05,
            exercise_cancel_penalty: 0.08,
            attache_gain: 0.03,
            programme_gain: 0.06,
            programme_saturation: 5.0,
            programme_cut_penalty: 0.2,
            crisis_help_gain: 0.1,
            crisis_unanswered_penalty: 0.15,
            regional_spillover: 0.5,
            procurement_withdraw_penalty: 0.12,
            pledge_penalty: 0.1,
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Interoperability")]
pub struct RawInteroperability {
    pub floor: f64,
    pub decay_days: f64,
    pub exercise_gain: f64,
    pub joint_procurement_gain: f64,
    pub withdraw_loss: f64,
    pub mobilisation_speedup: f64,
}

impl Default for RawInteroperability {
    fn default() -> Self {
        Self {
            floor: 0.1,
            decay_days: 1825.0,
            exercise_gain: 0.04,
            joint_procurement_gain: 0.05,
            withdraw_loss: 0.1,
            mobilisation_speedup: 0.3,
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Partner")]
pub struct RawPartner {
    pub name: String,
    #[schemars(extend("enum" = ["ally", "partner", "regional"]))]
    pub kind: String,
    pub region: String,
    #[serde(default = "one_f64")]
    pub importance: f64,
    #[serde(default = "half")]
    pub trust: f64,
    #[serde(default = "half")]
    pub interoperability: f64,
}

fn one_f64() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Post")]
pub struct RawPost {
    pub partner: String,
    #[serde(default = "default_post_kind")]
    #[schemars(extend("enum" = ["attache", "forward"]))]
    pub kind: String,
    pub annual_cost: f64,
    #[serde(default = "one_i64")]
    pub priority: i64,
    #[serde(default)]
    pub reopen_cost: f64,
    #[serde(default = "default_reopen_days")]
    pub reopen_days: f64,
    #[serde(default = "default_detection_factor")]
    pub detection_factor: f64,
}

fn default_post_kind() -> String {
    "attache".into()
}
fn default_reopen_days() -> f64 {
    180.0
}
fn default_detection_factor() -> f64 {
    0.5
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Exercise")]
pub struct RawExercise {
    pub name: String,
    pub partners: Vec<String>,
    pub start_day: f64,
    pub duration_days: f64,
    pub units: i64,
    pub min_units: Option<i64>,
    #[serde(default = "default_deploy_min_readiness")]
    pub min_readiness: f64,
    pub cost: f64,
    #[serde(default = "one_i64")]
    pub priority: i64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Programme")]
pub struct RawProgramme {
    pub name: String,
    pub partner: String,
    #[serde(default = "default_programme_kind")]
    pub kind: String,
    pub annual: f64,
    #[serde(default = "one_i64")]
    pub priority: i64,
}

fn default_programme_kind() -> String {
    "training".into()
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Alliance")]
pub struct RawAlliance {
    #[serde(default = "default_alliance_name")]
    pub name: String,
    #[serde(default)]
    pub common_funding: f64,
    #[serde(default)]
    pub pledge: f64,
    pub gdp: f64,
    pub gdp_growth: Option<RawDist>,
    #[serde(default = "default_credibility")]
    pub credibility: f64,
    #[serde(default = "default_credibility_floor")]
    pub credibility_floor: f64,
    #[serde(default = "default_credibility_adjustment")]
    pub credibility_adjustment: f64,
    #[serde(default = "default_pledge_weight")]
    pub pledge_weight: f64,
    #[serde(default = "default_plan_years")]
    pub plan_years: i64,
    #[serde(default)]
    pub joint_procurement: Vec<RawJointProcurement>,
}

fn default_alliance_name() -> String {
    "alliance".into()
}
fn default_credibility() -> f64 {
    0.8
}
fn default_credibility_floor() -> f64 {
    0.3
}
fn default_credibility_adjustment() -> f64 {
    0.3
}
fn default_pledge_weight() -> f64 {
    0.4
}
fn default_plan_years() -> i64 {
    3
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "JointProcurement")]
pub struct RawJointProcurement {
    pub name: String,
    pub partners: Vec<String>,
    pub annual_cost: f64,
    #[serde(default = "one_i64")]
    pub start_year: i64,
    pub years: i64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Procurement")]
pub struct RawProcurement {
    pub national_committed_share: f64,
    pub joint_min_share: f64,
    pub joint_exit_rate: f64,
}

impl Default for RawProcurement {
    fn default() -> Self {
        Self {
            national_committed_share: 0.85,
            joint_min_share: 0.5,
            joint_exit_rate: 0.5,
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "CrisisResponse")]
pub struct RawCrisisResponse {
    #[schemars(extend("enum" = ["fifo", "priority", "deadline"]))]
    pub order: String,
    pub reserve_units: i64,
    pub reserve_priority: i64,
}

impl Default for RawCrisisResponse {
    fn default() -> Self {
        Self {
            order: "fifo".into(),
            reserve_units: 0,
            reserve_priority: 1,
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Crisis")]
pub struct RawCrisis {
    pub name: String,
    /// Mean arrivals per year (Poisson process).
    pub rate: f64,
    #[serde(default = "one_i64")]
    pub priority: i64,
    /// Partner name → weight; absent means every partner equally likely.
    pub affected: Option<BTreeMap<String, f64>>,
    pub units: RawDist,
    pub duration_days: RawDist,
    pub window_days: RawDist,
    pub detection_days: Option<RawDist>,
    pub daily_cost: Option<RawDist>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Feedback")]
pub struct RawFeedback {
    pub enabled: bool,
    pub intelligence_sharing: f64,
    pub contribution_rate: f64,
    pub contribution_units: i64,
    pub invitation_rate: f64,
    pub invitation_units: i64,
    pub invitation_days: f64,
    pub invitation_cost: f64,
}

impl Default for RawFeedback {
    fn default() -> Self {
        Self {
            enabled: true,
            intelligence_sharing: 0.0,
            contribution_rate: 0.0,
            contribution_units: 1,
            invitation_rate: 0.0,
            invitation_units: 1,
            invitation_days: 14.0,
            invitation_cost: 0.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Dci")]
pub struct RawDci {
    pub response: f64,
    pub exercises: f64,
    pub presence: f64,
    pub programmes: f64,
    pub trust: f64,
    pub interoperability: f64,
    pub credibility: f64,
    pub readiness: f64,
}

impl Default for RawDci {
    fn default() -> Self {
        Self {
            response: 0.2,
            exercises: 0.15,
            presence: 0.1,
            programmes: 0.1,
            trust: 0.2,
            interoperability: 0.1,
            credibility: 0.1,
            readiness: 0.05,
        }
    }
}
