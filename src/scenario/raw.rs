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
    /// `[scenario]`: the scenario's name and labels, its horizon, trials and seed. Required.
    pub scenario: RawMeta,
    /// `[budget]`: the defence budget, its lines, the levels compared and the cut. Required.
    pub budget: RawBudget,
    /// `[forces]`: the deployable force, its readiness, training and mobilisation. Required.
    pub forces: RawForces,
    /// `[trust]`: how partners' trust relaxes and what raises or lowers it. Default: every key
    /// at its default.
    #[serde(default)]
    pub trust: RawTrust,
    /// `[interoperability]`: how interoperability with partners relaxes and what raises or
    /// lowers it. Default: every key at its default.
    #[serde(default)]
    pub interoperability: RawInteroperability,
    /// `[[partners]]`: the countries the country works with. Default none.
    #[serde(default)]
    pub partners: Vec<RawPartner>,
    /// `[[posts]]`: attaché sections and forward presence abroad, paid from the engagement
    /// line. Default none.
    #[serde(default)]
    pub posts: Vec<RawPost>,
    /// `[[exercises]]`: the yearly calendar of exercises with partners, paid from the
    /// engagement line. Default none.
    #[serde(default)]
    pub exercises: Vec<RawExercise>,
    /// `[[programmes]]`: partner programmes (military aid, training, capacity building), paid
    /// from the engagement line. Default none.
    #[serde(default)]
    pub programmes: Vec<RawProgramme>,
    /// `[alliance]`: assessed contributions, the pledge, credibility and joint procurement.
    /// Absent: no contributions, no pledge, and credibility is reported as 1.
    pub alliance: Option<RawAlliance>,
    /// `[procurement]`: national contracts and the stretch and exit of joint programmes.
    /// Default: every key at its default.
    #[serde(default)]
    pub procurement: RawProcurement,
    /// `[crisis_response]`: the order in which waiting crises are served, and the unit
    /// reserve. Default: first come, first served, no reserve.
    #[serde(default)]
    pub crisis_response: RawCrisisResponse,
    /// `[[crises]]`: crisis types, each a Poisson process of requests for units. Default none.
    #[serde(default)]
    pub crises: Vec<RawCrisis>,
    /// `[dci]`: weights of the Diplomatic Capacity Index, eight fractions summing to 1.
    /// Default: every weight at its default.
    #[serde(default)]
    pub dci: RawDci,
    /// `[feedback]`: how partners' trust feeds back into warning, crisis contributions and
    /// invitations. Default: enabled, with every rate 0 (no effect).
    #[serde(default)]
    pub feedback: RawFeedback,
    /// `[[policies]]`: named ways of absorbing the cut, each a set of changes to the levers
    /// above, run beside the scenario as written on the same trials. Default none.
    #[serde(default)]
    pub policies: Vec<super::policy::RawPolicy>,
    /// `[search]`: the levers `dipcap optimise` may move, each with a range `{ min, max }` or
    /// `{ choices = [...] }` (docs/POLICIES.md). Default none.
    #[serde(default)]
    #[schemars(with = "Option<std::collections::BTreeMap<String, serde_json::Value>>")]
    pub search: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Meta")]
pub struct RawMeta {
    /// Names the run and its output folder `output/<name>/`. Required; up to 200 letters,
    /// digits, `-`, `_` or `.`, not starting with `.`.
    #[schemars(length(min = 1, max = crate::scenario::MAX_NAME_BYTES))]
    pub name: String,
    /// What the scenario is about; a label only. Default empty.
    #[serde(default)]
    pub description: String,
    /// The country modelled; a label only. Default empty.
    #[serde(default)]
    pub country: String,
    /// How money is labelled in charts and the report (amounts are always millions).
    /// Default `"million"`; 1 to 16 characters, e.g. `"M€"`.
    #[serde(default = "default_money_unit")]
    #[schemars(length(min = 1, max = 16))]
    pub money_unit: String,
    /// The horizon: the number of fiscal years simulated. Required; a whole number from 1 to
    /// 200.
    #[schemars(range(min = 1, max = 200), extend("x-unit" = "years"))]
    pub years: i64,
    /// Calendar label of the first fiscal year (fiscal year y is `start_year` + y). Default
    /// 2026; a four-digit year, from 1000 to 9999.
    #[serde(default = "default_start_year")]
    #[schemars(
        range(min = 1000, max = 9999),
        extend("x-unit" = "calendar year")
    )]
    pub start_year: i64,
    /// Monte Carlo trials per budget level (overridden by `--trials`). Default 1000; from 1 to
    /// 100 000 000.
    #[serde(default = "default_trials")]
    #[schemars(
        range(min = 1, max = 100_000_000),
        extend("x-unit" = "trials")
    )]
    pub trials: i64,
    /// Master seed of every random stream (overridden by `--seed`): the same seed gives the
    /// same results. Default 1; any unsigned 64-bit number.
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
    /// B₀: the total budget of the first year at level 1, in million per year of the
    /// scenario's currency. Required; from 0.001 to 10¹².
    #[schemars(
        range(min = 0.001, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million/yr")
    )]
    pub baseline: f64,
    /// g: yearly growth of the budget in money of the day, as a fraction per year (0.02 is
    /// 2%). Default 0; from −0.5 to 1.
    #[serde(default)]
    #[schemars(
        range(min = -0.5, max = 1.0),
        extend("x-unit" = "share/yr")
    )]
    pub growth: f64,
    /// Yearly rise of every cost (pay, training, posts, programmes, exercises, joint
    /// programmes, crisis costs): one rate, or one per year with the last repeated. Default:
    /// `growth` (costs rise with the budget).
    /// Each rate a fraction per year from −0.5 to 1; a list must not be empty.
    #[schemars(extend("x-unit" = "share/yr"))]
    pub inflation: Option<RawRates>,
    /// The budget levels compared, as fractions of the baseline (1.0 is the full budget); the
    /// first is the reference for paired differences. Required; at least one, each listed
    /// once, greater than 0 and at most 2.
    #[schemars(
        length(min = 1),
        extend(
            "items" = {"type": "number", "exclusiveMinimum": 0, "maximum": 2},
            "uniqueItems" = true,
            "x-unit" = "share of baseline"
        )
    )]
    pub levels: Vec<f64>,
    /// `[budget.shares]`: each shared line's share of the budget left after the assessed
    /// alliance contributions. Required; five fractions summing to 1.
    pub shares: RawShares,
    /// `[budget.cut]`: how, and from which year, a level below 1 is applied. Default: an
    /// immediate, proportional cut from the first year.
    #[serde(default)]
    pub cut: RawCut,
    /// `[budget.reprogramming]`: money moved between lines during the year. Default: no
    /// money moved, and what the crisis reserve does not use lapses.
    #[serde(default)]
    pub reprogramming: RawReprogramming,
    /// Order in which the engagement line funds its items at each plan. Default `["posts",
    /// "programmes", "exercises"]`; all three, once each.
    #[serde(default = "default_engagement_order")]
    #[schemars(extend("items" = {"enum": ["posts", "programmes", "exercises"]}))]
    #[schemars(length(equal = 3), extend("uniqueItems" = true))]
    pub engagement_order: Vec<String>,
    /// How the engagement line is shared when it cannot pay for every item: `"order"` (items
    /// funded in `engagement_order`, the last takes the cut) or `"proportional"` (every item
    /// the same share of its plan first).
    /// Default `"order"`.
    #[serde(default = "default_engagement_split")]
    #[schemars(extend("enum" = ["order", "proportional"]))]
    pub engagement_split: String,
    /// Which posts close when their money does not pay for all: `"fill"` (priority order,
    /// later posts that fit stay open) or `"priority"` (the first post that does not fit and
    /// every later one close).
    /// Default `"fill"`.
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
    /// Default 0 (no money moves); a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub max_share: f64,
    /// Review months (1–12): a review runs at that month's tick, before its payments.
    /// Default `[12]`; each month listed once.
    #[schemars(inner(range(min = 1, max = 12)), extend("uniqueItems" = true))]
    pub months: Vec<i64>,
    /// Receiving lines, in order.
    /// Default `["operations", "procurement"]`; shared lines, each listed once.
    #[schemars(extend("items" = {"enum": ["personnel", "operations", "procurement", "engagement", "crisis_reserve"]}))]
    #[schemars(extend("uniqueItems" = true))]
    pub order: Vec<String>,
    /// At each review, release the crisis reserve's money beyond its pro-rata share of the
    /// rest of the year to the receiving lines (not capped by `max_share`).
    /// Default false.
    pub release_reserve: bool,
    /// At the year's close, what the crisis reserve did not use lapses, or is obligated on
    /// national procurement contracts.
    /// Default `"lapse"`.
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
    /// One rate for every year, a fraction per year from −0.5 to 1.
    One(#[schemars(range(min = -0.5, max = 1.0))] f64),
    /// One rate per fiscal year, the last repeated for later years; not empty, each a
    /// fraction per year from −0.5 to 1.
    Yearly(#[schemars(length(min = 1), inner(range(min = -0.5, max = 1.0)))] Vec<f64>),
}

fn default_engagement_order() -> Vec<String> {
    vec!["posts".into(), "programmes".into(), "exercises".into()]
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Shares")]
pub struct RawShares {
    /// Share of the personnel line (pay; it sizes the force). Required; a fraction, the five
    /// shares summing to 1.
    #[schemars(range(min = 0.0, max = 1.0), extend("x-unit" = "share"))]
    pub personnel: f64,
    /// Share of the operations line (training, i.e. readiness, and what the other lines
    /// cannot pay). Required; a fraction, the five shares summing to 1.
    #[schemars(range(min = 0.0, max = 1.0), extend("x-unit" = "share"))]
    pub operations: f64,
    /// Share of the procurement line (joint programmes, then national contracts). Required;
    /// a fraction, the five shares summing to 1.
    #[schemars(range(min = 0.0, max = 1.0), extend("x-unit" = "share"))]
    pub procurement: f64,
    /// Share of the engagement line (posts, partner programmes and exercises). Required; a
    /// fraction, the five shares summing to 1.
    #[schemars(range(min = 0.0, max = 1.0), extend("x-unit" = "share"))]
    pub engagement: f64,
    /// Share of the crisis reserve (crisis deployments). Required; a fraction, the five
    /// shares summing to 1.
    #[schemars(range(min = 0.0, max = 1.0), extend("x-unit" = "share"))]
    pub crisis_reserve: f64,
}

/// `[budget.cut.shares]`: weights, not fractions that must sum to 1, so that a search may
/// move one line's part without moving the others'.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CutShares")]
pub struct RawCutShares {
    /// Personnel's part of the cut. Default 0; at least 0.
    #[serde(default)]
    #[schemars(range(min = 0.0), extend("x-unit" = "weight"))]
    pub personnel: f64,
    /// Operations' part of the cut. Default 0; at least 0.
    #[serde(default)]
    #[schemars(range(min = 0.0), extend("x-unit" = "weight"))]
    pub operations: f64,
    /// Procurement's part of the cut. Default 0; at least 0.
    #[serde(default)]
    #[schemars(range(min = 0.0), extend("x-unit" = "weight"))]
    pub procurement: f64,
    /// Engagement's part of the cut. Default 0; at least 0.
    #[serde(default)]
    #[schemars(range(min = 0.0), extend("x-unit" = "weight"))]
    pub engagement: f64,
    /// The crisis reserve's part of the cut. Default 0; at least 0.
    #[serde(default)]
    #[schemars(range(min = 0.0), extend("x-unit" = "weight"))]
    pub crisis_reserve: f64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Cut")]
pub struct RawCut {
    /// How the cut arrives: `"immediate"` (the level from `start_year` on), `"phased"`
    /// (reached over `phase_years` years) or `"shock"` (a rescission on `shock_day` of
    /// `start_year`). Default `"immediate"`.
    #[serde(default = "default_profile")]
    #[schemars(extend("enum" = ["immediate", "phased", "shock"]))]
    pub profile: String,
    /// First fiscal year of the cut, counted from 1 (the first year). Default 1; from 1 to
    /// `scenario.years`.
    #[serde(default = "one_i64")]
    #[schemars(range(min = 1), extend("x-unit" = "fiscal year"))]
    pub start_year: i64,
    /// `"phased"` only: years over which the cut reaches its level. Default 3; a whole number
    /// from 1 to 100 (checked for a phased cut only).
    #[serde(default = "default_phase_years")]
    #[schemars(range(min = 1, max = 100), extend("x-unit" = "years"))]
    pub phase_years: i64,
    /// `"shock"` only: day of the fiscal year on which the year's cut is rescinded. Default
    /// 180; from 0 to 364 (checked for a shock only).
    #[serde(default = "default_shock_day")]
    #[schemars(
        range(min = 0.0, max = crate::scenario::DAYS_PER_YEAR - 1.0),
        extend("x-unit" = "day of year")
    )]
    pub shock_day: f64,
    /// `"shock"` only: later years stay at the level (true) or return to the full budget
    /// (false). Default true.
    #[serde(default = "default_true")]
    pub shock_persists: bool,
    /// How the cut is spread over the shared lines: `"proportional"` (every line alike),
    /// `"protected"` (lines in `protected` spared in the first pass), `"sticky_personnel"`
    /// (as protected, and personnel falls at most `personnel_max_cut` a year) or `"shares"`
    /// (each line takes the part of the cut that `shares` gives it). Default
    /// `"proportional"`.
    #[serde(default = "default_policy")]
    #[schemars(extend("enum" = ["proportional", "protected", "sticky_personnel", "shares"]))]
    pub policy: String,
    /// `"shares"` only: each shared line's part of the cut, in proportion (a line left out
    /// takes none of it unless the others run dry). Required with `"shares"`, refused with
    /// the other policies.
    #[serde(default)]
    pub shares: Option<RawCutShares>,
    /// Shared lines spared in the first pass of the cut (policies `"protected"` and
    /// `"sticky_personnel"`). Default none.
    #[serde(default)]
    #[schemars(extend("items" = {"enum": ["personnel", "operations", "procurement", "engagement", "crisis_reserve"]}))]
    pub protected: Vec<String>,
    /// c: under `"sticky_personnel"`, the most the personnel line may fall below last year's
    /// money, as a fraction per year. Default 0.03; a fraction.
    #[serde(default = "default_personnel_max_cut")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/yr")
    )]
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
            shares: None,
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
    /// The force the reference personnel line pays for, in deployable (battalion-like) units.
    /// Required; a whole number from 0 to 5 000.
    #[schemars(
        range(min = 0, max = crate::scenario::MAX_UNITS),
        extend("x-unit" = "units")
    )]
    pub units: i64,
    /// Readiness of every unit at the start (0 untrained, 1 trained). Default 0.85; a
    /// fraction.
    #[serde(default = "default_initial_readiness")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub initial_readiness: f64,
    /// Readiness a unit needs to be sent to a crisis or to a partner's exercise. Default 0.5;
    /// a fraction.
    #[serde(default = "default_deploy_min_readiness")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub deploy_min_readiness: f64,
    /// Million euro per unit per year to keep a unit trained (operations line).
    /// T: twelve monthly bases. Default 0; at least 0.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million/unit/yr")
    )]
    pub training_cost: f64,
    /// κ: what a month of climbing back at the full retraining rate costs, in monthly bases
    /// (holding a trained unit costs 1). Default 2.5; from 1 to 100.
    #[serde(default = "default_retraining_factor")]
    #[schemars(
        range(min = 1.0, max = 100.0),
        extend("x-unit" = "bases")
    )]
    pub retraining_factor: f64,
    /// τ_d: time constant of readiness decay toward what the training money holds, in days.
    /// Default 110; greater than 0.
    #[serde(default = "default_decay_days")]
    #[schemars(
        range(max = crate::scenario::MAX_MAGNITUDE),
        extend("exclusiveMinimum" = 0, "x-unit" = "days")
    )]
    pub decay_days: f64,
    /// Days a unit takes from readiness 0 to trained at the full retraining rate. Default
    /// 182.5; greater than 0.
    #[serde(default = "default_retraining_days")]
    #[schemars(
        range(max = crate::scenario::MAX_MAGNITUDE),
        extend("exclusiveMinimum" = 0, "x-unit" = "days")
    )]
    pub retraining_days: f64,
    /// How a shortfall of training money is shared: `"spread"` (every unit alike; the force
    /// degrades together) or `"concentrate"` (units funded in order, the rest stood down).
    /// Default `"spread"`.
    #[serde(default = "default_training_shortfall")]
    #[schemars(extend("enum" = ["spread", "concentrate"]))]
    pub training_shortfall: String,
    /// Delay from planning a resize of the force to its taking effect, in days. Default 180;
    /// from 0 to 364.
    #[serde(default = "default_personnel_lag_days")]
    #[schemars(
        range(min = 0.0, max = crate::scenario::DAYS_PER_YEAR - 1.0),
        extend("x-unit" = "days")
    )]
    pub personnel_lag_days: f64,
    /// Readiness of a newly recruited unit. Default 0.3; a fraction.
    #[serde(default = "default_recruit_readiness")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub recruit_readiness: f64,
    /// Share of its readiness a unit loses on return from a deployment. Default 0; a
    /// fraction.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub deployment_wear: f64,
    /// Rest and refit after a deployment, in days: the unit trains but cannot deploy or
    /// exercise. Default 0; at least 0.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "days")
    )]
    pub reconstitution_days: f64,
    /// d_min: the mobilisation delay of units at readiness 1, in days. Default 0; at least 0.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "days")
    )]
    pub mobilisation_days_min: f64,
    /// d_max: the mobilisation delay of units at readiness 0, in days. Default 0; at least 0
    /// and at least `mobilisation_days_min`.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "days")
    )]
    pub mobilisation_days_max: f64,
    /// Readiness an exercise (or a partner's exercise) adds to each unit at its end, capped
    /// at 1. Default 0; a fraction.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
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
    /// φ_T: the level partners' trust relaxes toward between events. Default 0.2; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub floor: f64,
    /// τ_T: time constant of trust's relaxation toward the floor for a partner with no open
    /// post, in days. Default 1460; greater than 0.
    #[schemars(
        range(max = crate::scenario::MAX_MAGNITUDE),
        extend("exclusiveMinimum" = 0, "x-unit" = "days")
    )]
    pub decay_days: f64,
    /// How many times more slowly trust relaxes for a partner with at least one open post.
    /// Default 2; from 1 to 100.
    #[schemars(
        range(min = 1.0, max = 100.0),
        extend("x-unit" = "factor")
    )]
    pub presence_decay_factor: f64,
    /// Trust gain of each participant in an exercise held, times the share of units sent (a
    /// gain g moves trust g of the way to 1). Default 0.05; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/exercise")
    )]
    pub exercise_gain: f64,
    /// Trust loss of each participant when an exercise is cancelled (a loss l multiplies
    /// trust by 1 − l). Default 0.08; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/exercise")
    )]
    pub exercise_cancel_penalty: f64,
    /// Yearly trust gain of a partner with at least one open post, a twelfth each month.
    /// Default 0.03; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/yr")
    )]
    pub attache_gain: f64,
    /// Yearly trust gain from programme money at saturation: a partner paid R million a year
    /// gains this × (1 − e^(−R/S)), a twelfth each month. Default 0.06; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/yr")
    )]
    pub programme_gain: f64,
    /// S: the scale of programme money in the diminishing trust gain, in million per year.
    /// Default 5; greater than 0.
    #[schemars(
        range(max = crate::scenario::MAX_MAGNITUDE),
        extend("exclusiveMinimum" = 0, "x-unit" = "million/yr")
    )]
    pub programme_saturation: f64,
    /// Trust loss of a partner when a programme's funded rate falls, times the fraction cut.
    /// Default 0.2; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub programme_cut_penalty: f64,
    /// h: trust gain of the affected partner when a crisis is answered. Default 0.1; a
    /// fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/crisis")
    )]
    pub crisis_help_gain: f64,
    /// u: trust loss of the affected partner when a crisis goes unanswered. Default 0.15; a
    /// fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/crisis")
    )]
    pub crisis_unanswered_penalty: f64,
    /// β: the share of a crisis's trust gain or loss that every other partner in the affected
    /// partner's region gets. Default 0.5; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub regional_spillover: f64,
    /// Trust loss of each co-participant when the country leaves a joint programme; a
    /// stretch costs this times the fall in the share paid. Default 0.12; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub procurement_withdraw_penalty: f64,
    /// Trust loss of every ally in a year the pledge is missed, times the shortfall. Default
    /// 0.1; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
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
    /// φ_I: the level interoperability relaxes toward between events. Default 0.1; a
    /// fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub floor: f64,
    /// τ_I: time constant of interoperability's relaxation toward the floor, in days. Default
    /// 1825; greater than 0.
    #[schemars(
        range(max = crate::scenario::MAX_MAGNITUDE),
        extend("exclusiveMinimum" = 0, "x-unit" = "days")
    )]
    pub decay_days: f64,
    /// g_I: interoperability gain of each participant in an exercise held, times the share of
    /// units sent. Default 0.04; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/exercise")
    )]
    pub exercise_gain: f64,
    /// Yearly interoperability gain with each co-participant of an active joint programme, a
    /// twelfth each month. Default 0.05; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/yr")
    )]
    pub joint_procurement_gain: f64,
    /// Interoperability loss with each co-participant when the country leaves a joint
    /// programme. Default 0.1; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub withdraw_loss: f64,
    /// s: mobilisation toward a partner is shortened by the share s × its interoperability.
    /// Default 0.3; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
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
    /// The partner's name, by which posts, exercises, programmes, joint procurement and crises
    /// refer to it. Required; non-empty and unique.
    pub name: String,
    /// `"ally"` (an alliance member: it loses trust when the pledge is missed), `"partner"`
    /// or `"regional"`; only `"ally"` changes the model. Required.
    #[schemars(extend("enum" = ["ally", "partner", "regional"]))]
    pub kind: String,
    /// The partner's region, which groups partners for crisis spillover and for detection by
    /// posts. Required; not empty.
    pub region: String,
    /// Weight of the partner in the weighted trust and interoperability metrics. Default 1;
    /// at least 0.
    #[serde(default = "one_f64")]
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "weight")
    )]
    pub importance: f64,
    /// T: the partner's trust in the country at the start. Default 0.5; a fraction.
    #[serde(default = "half")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub trust: f64,
    /// I: interoperability with the partner at the start. Default 0.5; a fraction.
    #[serde(default = "half")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
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
    /// Host partner, by name; it sets the post's region. Required.
    pub partner: String,
    /// `"attache"` (an attaché section) or `"forward"` (forward presence): a label only, both
    /// behave the same. Default `"attache"`.
    #[serde(default = "default_post_kind")]
    #[schemars(extend("enum" = ["attache", "forward"]))]
    pub kind: String,
    /// Running cost, paid monthly from the engagement line, in million per year. Required; at
    /// least 0.
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million/yr")
    )]
    pub annual_cost: f64,
    /// Funding order: lower is funded first and closed last (ties by file order). Default 1;
    /// any whole number.
    #[serde(default = "one_i64")]
    pub priority: i64,
    /// Paid once, in million, when a closed post is funded again. Default 0; at least 0.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million")
    )]
    pub reopen_cost: f64,
    /// Days from paying the reopening cost to the post's being open again. Default 180; from
    /// 0 to 365.
    #[serde(default = "default_reopen_days")]
    #[schemars(
        range(min = 0.0, max = crate::scenario::DAYS_PER_YEAR),
        extend("x-unit" = "days")
    )]
    pub reopen_days: f64,
    /// Multiplies the detection delay of crises in the post's region while it is open (the
    /// least factor of the region's open posts applies). Default 0.5; a fraction.
    #[serde(default = "default_detection_factor")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "factor")
    )]
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
    /// The exercise's name. Required; non-empty and unique.
    pub name: String,
    /// Participating partners, by name. Required; at least one.
    #[schemars(length(min = 1))]
    pub partners: Vec<String>,
    /// Day of the fiscal year on which the exercise starts, every year. Required; from 0 to
    /// 364.
    #[schemars(
        range(min = 0.0, max = crate::scenario::DAYS_PER_YEAR - 1.0),
        extend("x-unit" = "day of year")
    )]
    pub start_day: f64,
    /// Length of the exercise, in days. Required; greater than 0, with `start_day` +
    /// `duration_days` at most 365.
    #[schemars(
        range(max = crate::scenario::DAYS_PER_YEAR),
        extend("exclusiveMinimum" = 0, "x-unit" = "days")
    )]
    pub duration_days: f64,
    /// Units planned to take part. Required; a whole number from 1 to 5 000.
    #[schemars(
        range(min = 1, max = crate::scenario::MAX_UNITS),
        extend("x-unit" = "units")
    )]
    pub units: i64,
    /// Fewest ready units with which the exercise is still held, scaled down; with fewer it
    /// is cancelled. Default: half of `units`, rounded up; from 1 to `units`.
    #[schemars(range(min = 1), extend("x-unit" = "units"))]
    pub min_units: Option<i64>,
    /// Readiness a unit needs to take part. Default 0.5 (not `forces.deploy_min_readiness`);
    /// a fraction.
    #[serde(default = "default_deploy_min_readiness")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub min_readiness: f64,
    /// Cost at full scale, in million, paid from the engagement line at the start; a
    /// scaled-down exercise costs its share. Required; at least 0.
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million")
    )]
    pub cost: f64,
    /// Funding order: lower is funded first (ties by file order). Default 1; any whole
    /// number.
    #[serde(default = "one_i64")]
    pub priority: i64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Programme")]
pub struct RawProgramme {
    /// The programme's name. Required; non-empty and unique.
    pub name: String,
    /// Recipient partner, by name. Required.
    pub partner: String,
    /// What the programme is, e.g. `"training"` or `"military aid"`: a label only. Default
    /// `"training"`.
    #[serde(default = "default_programme_kind")]
    pub kind: String,
    /// Planned rate, paid monthly from the engagement line, in million per year. Required; at
    /// least 0.
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million/yr")
    )]
    pub annual: f64,
    /// Funding order: lower is funded first (ties by file order). Default 1; any whole
    /// number.
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
    /// The alliance's name, a label. Default `"alliance"`.
    #[serde(default = "default_alliance_name")]
    pub name: String,
    /// A₀: assessed contributions, paid first and in full at each year's start from the
    /// alliance line, in million per year (growing with the budget). Default 0; at least 0
    /// and below the baseline budget at the lowest level.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million/yr")
    )]
    pub common_funding: f64,
    /// Defence spending pledged, as a fraction of GDP (e.g. 0.02); 0 is no pledge. Default 0;
    /// from 0 to 0.5.
    #[serde(default)]
    #[schemars(
        range(min = 0.0, max = 0.5),
        extend("x-unit" = "share of GDP")
    )]
    pub pledge: f64,
    /// GDP in the first fiscal year, in million per year. Required; greater than 0.
    #[schemars(
        range(max = crate::scenario::MAX_MAGNITUDE),
        extend("exclusiveMinimum" = 0, "x-unit" = "million/yr")
    )]
    pub gdp: f64,
    /// γ: GDP's growth rate, a fraction per year drawn each year: a number or a distribution,
    /// which may be negative. Default 0; a written value, minimum or list entry must be above
    /// −1.
    #[schemars(extend("x-unit" = "share/yr"))]
    pub gdp_growth: Option<RawDist>,
    /// C: the country's credibility with the alliance at the start. Default 0.8; a fraction.
    #[serde(default = "default_credibility")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub credibility: f64,
    /// φ_C: the least credibility that membership itself keeps. Default 0.3; a fraction.
    #[serde(default = "default_credibility_floor")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "0–1")
    )]
    pub credibility_floor: f64,
    /// λ: the share of the gap to the target credibility closed each year. Default 0.3; a
    /// fraction.
    #[serde(default = "default_credibility_adjustment")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share/yr")
    )]
    pub credibility_adjustment: f64,
    /// w: weight of the pledge score against the commitments delivered in the target
    /// credibility. Default 0.4; a fraction.
    #[serde(default = "default_pledge_weight")]
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub pledge_weight: f64,
    /// H: years of the enacted budget plan looked ahead at when the pledge is judged (0: this
    /// year only). Default 3; a whole number from 0 to 50.
    #[serde(default = "default_plan_years")]
    #[schemars(range(min = 0, max = 50), extend("x-unit" = "years"))]
    pub plan_years: i64,
    /// `[[alliance.joint_procurement]]`: joint programmes with partners, paid from the
    /// procurement line. Default none.
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
    /// The programme's name. Required; non-empty and unique.
    pub name: String,
    /// Co-participating partners, by name. Required.
    pub partners: Vec<String>,
    /// The country's cost, paid monthly from the procurement line before national contracts,
    /// in million per year. Required; at least 0.
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million/yr")
    )]
    pub annual_cost: f64,
    /// First fiscal year of the programme, counted from 1. Default 1; from 1 to
    /// `scenario.years`.
    #[serde(default = "one_i64")]
    #[schemars(range(min = 1), extend("x-unit" = "fiscal year"))]
    pub start_year: i64,
    /// Years the programme runs. Required; a whole number from 1 to 200.
    #[schemars(range(min = 1, max = 200), extend("x-unit" = "years"))]
    pub years: i64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Procurement")]
pub struct RawProcurement {
    /// Share of the reference procurement line tied to national contracts, against which the
    /// room for joint programmes is judged. Default 0.85; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub national_committed_share: f64,
    /// m: the least share of its cost a joint programme can be paid and go on; below it the
    /// country leaves. Default 0.5; from 0 to 0.95.
    #[schemars(
        range(min = 0.0, max = 0.95),
        extend("x-unit" = "share")
    )]
    pub joint_min_share: f64,
    /// h: scale of the partners' yearly exit hazard for a stretched joint programme (the
    /// hazard at the stretch limit). Default 0.5; from 0 to 100.
    #[schemars(
        range(min = 0.0, max = 100.0),
        extend("x-unit" = "per year")
    )]
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
    /// Order in which waiting crises are served: `"fifo"` (arrival order), `"priority"`
    /// (lower crisis-type `priority` first) or `"deadline"` (earliest deadline first).
    /// Default `"fifo"`.
    #[schemars(extend("enum" = ["fifo", "priority", "deadline"]))]
    pub order: String,
    /// R: ready units that crises of a type with `priority` above `reserve_priority` must
    /// leave behind. Default 0; a whole number from 0 to `forces.units`.
    #[schemars(range(min = 0), extend("x-unit" = "units"))]
    pub reserve_units: i64,
    /// Crisis types with `priority` at most this may use the unit reserve. Default 1; any
    /// whole number.
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
    /// The crisis type's name. Required; non-empty and unique.
    pub name: String,
    /// Mean arrivals per year (Poisson process).
    /// λ: required; from 0 (the type is off) to 10 000. Summed over the types and times
    /// `scenario.years`, the rates may expect at most 100 000 crises a trial.
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_CRISIS_RATE),
        extend("x-unit" = "crises/yr")
    )]
    pub rate: f64,
    /// Lower is served first under `crisis_response.order = "priority"`, and types with
    /// priority at most `crisis_response.reserve_priority` may use the unit reserve. Default
    /// 1; any whole number.
    #[serde(default = "one_i64")]
    pub priority: i64,
    /// Partner name → weight; absent means every partner equally likely.
    /// Each weight a fraction; not empty, the weights summing to 1.
    #[schemars(extend(
        "additionalProperties" = {"type": "number", "minimum": 0, "maximum": 1},
        "minProperties" = 1
    ))]
    pub affected: Option<BTreeMap<String, f64>>,
    /// Units a crisis needs: the draw rounded to a whole number, at least 1. Required; a
    /// number or a distribution, not negative.
    #[schemars(extend("x-unit" = "units"))]
    pub units: RawDist,
    /// How long the units stay in theatre, in days. Required; a number or a distribution,
    /// not negative.
    #[schemars(extend("x-unit" = "days"))]
    pub duration_days: RawDist,
    /// Time from arrival to the deadline by which units must be in theatre, in days.
    /// Required; a number or a distribution, not negative; a constant may be `inf` (no
    /// deadline).
    #[schemars(extend("x-unit" = "days"))]
    pub window_days: RawDist,
    /// Warning delay from arrival to detection, in days (shortened by posts in the region).
    /// Default 0; a number or a distribution, not negative.
    #[schemars(extend("x-unit" = "days"))]
    pub detection_days: Option<RawDist>,
    /// Running cost of a deployment, in million per day, paid for its whole duration at
    /// deployment from the crisis reserve, then operations. Default 0; a number or a
    /// distribution, not negative.
    #[schemars(extend("x-unit" = "million/day"))]
    pub daily_cost: Option<RawDist>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Feedback")]
pub struct RawFeedback {
    /// Whether trust feeds back; false switches off intelligence sharing, contributions and
    /// invitations. Default true.
    pub enabled: bool,
    /// k: an affected partner at trust T shortens a crisis's detection delay by the share k·T.
    /// Default 0; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "share")
    )]
    pub intelligence_sharing: f64,
    /// q₀: chance that the affected partner sends units to a crisis, at its starting trust
    /// (in proportion to its trust later). Default 0; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "probability")
    )]
    pub contribution_rate: f64,
    /// Units a contributing partner sends, at its own cost. Default 1; a whole number from 0
    /// to 100 000.
    #[schemars(range(min = 0, max = 100_000), extend("x-unit" = "units"))]
    pub contribution_units: i64,
    /// v₀: yearly chance that a partner invites the country to one of its exercises, at its
    /// starting trust (in proportion to its trust later). Default 0; a fraction.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "probability/yr")
    )]
    pub invitation_rate: f64,
    /// Units a partner's invitation asks for. Default 1; a whole number from 1 to 100 000.
    #[schemars(range(min = 1, max = 100_000), extend("x-unit" = "units"))]
    pub invitation_units: i64,
    /// Length of the partner's exercise, in days. Default 14; from 1 to 365.
    #[schemars(
        range(min = 1.0, max = 365.0),
        extend("x-unit" = "days")
    )]
    pub invitation_days: f64,
    /// The guest's cost per unit sent, paid from the operations line, in million at the first
    /// year's prices. Default 0; at least 0.
    #[schemars(
        range(min = 0.0, max = crate::scenario::MAX_MAGNITUDE),
        extend("x-unit" = "million/unit")
    )]
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
    /// Weight of the crisis response rate in the DCI. Default 0.2; a fraction, the eight
    /// weights summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub response: f64,
    /// Weight of the share of exercises held. Default 0.15; a fraction, the eight weights
    /// summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub exercises: f64,
    /// Weight of the mean share of posts open. Default 0.1; a fraction, the eight weights
    /// summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub presence: f64,
    /// Weight of the share of planned programme money delivered. Default 0.1; a fraction, the
    /// eight weights summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub programmes: f64,
    /// Weight of the importance-weighted trust at the end. Default 0.2; a fraction, the eight
    /// weights summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub trust: f64,
    /// Weight of the importance-weighted interoperability at the end. Default 0.1; a
    /// fraction, the eight weights summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub interoperability: f64,
    /// Weight of alliance credibility at the end. Default 0.1; a fraction, the eight weights
    /// summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
    pub credibility: f64,
    /// Weight of the mean readiness of the force. Default 0.05; a fraction, the eight weights
    /// summing to 1.
    #[schemars(
        range(min = 0.0, max = 1.0),
        extend("x-unit" = "weight")
    )]
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
