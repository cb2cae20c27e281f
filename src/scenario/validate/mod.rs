//! Semantic checks: the raw scenario becomes a [`Scenario`] or an error naming the key, what is
//! wrong and how to fix it. One function per section of the file (`budget`, `forces`,
//! `partners`, `alliance`, `crises`), all through the one error constructor of [`Checker`]; the
//! first problem found is reported, sections in file order.

mod alliance;
mod budget;
mod checker;
mod crises;
mod forces;
mod partners;

use std::path::Path;

use super::raw::RawScenario;
use super::types::*;
use crate::error::InputError;

pub use checker::Checker;

type R<T> = Result<T, InputError>;

/// Checks field `$field` of the raw table `$raw` with the checker's method `$method` under the
/// key `$table.$field` (or `$key("$field")` for list elements): the key is spelt from the field's
/// own name, so an error message cannot name a key other than the one read.
macro_rules! check {
    ($c:expr, $table:literal, $raw:ident . $field:ident, $method:ident $(, $arg:expr)* $(,)?) => {
        $c.$method(concat!($table, ".", stringify!($field)), $raw.$field $(, $arg)*)
    };
    ($c:expr, $key:ident, $raw:ident . $field:ident, $method:ident $(, $arg:expr)* $(,)?) => {
        $c.$method(&$key(stringify!($field)), $raw.$field $(, $arg)*)
    };
}
use check;

/// Largest magnitude of any number in a scenario: beyond it sums of money and products of
/// rates and times could overflow, and no quantity of the model is that large.
pub const MAX_MAGNITUDE: f64 = 1e12;
/// Largest crisis rate per type, per year.
pub const MAX_CRISIS_RATE: f64 = 10_000.0;
/// Most crises a trial may expect (the rates times the years, summed over the types): every
/// crisis is drawn before the trial and may wait in the queue, so this bounds a trial's memory
/// (about 100 bytes a crisis per thread) and time. The shipped scenarios expect under 100.
pub const MAX_CRISES_PER_TRIAL: f64 = 100_000.0;
/// Largest force, in deployable units (every monthly tick visits every unit).
pub const MAX_UNITS: usize = 5_000;

/// Whether a name can be the output folder `output/<name>/` on any system: not empty, no
/// separators or spaces, not hidden.
pub fn usable_as_folder(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with('.')
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
}

/// The longest name of a folder dipcap writes: file systems allow 255 bytes, and dipcap
/// builds a folder beside its target under a longer name (`.<name>.staging-<pid>`).
pub const MAX_NAME_BYTES: usize = 200;

/// What is wrong with a name [`usable_as_folder`] refuses (a long one is not repeated whole).
pub fn folder_name_problem(name: &str) -> String {
    if name.len() > MAX_NAME_BYTES {
        format!(
            "\"{}…\" ({} bytes) is too long for a folder name",
            name.chars().take(24).collect::<String>(),
            name.len()
        )
    } else {
        format!("\"{name}\" cannot be used as a folder name")
    }
}

/// How to fix a name [`usable_as_folder`] refuses.
pub const FOLDER_NAME_FIX: &str =
    "use up to 200 letters, digits, '-', '_' or '.' (it names the output folder output/<name>/)";

pub(super) fn validate(raw: RawScenario, path: &Path) -> R<Scenario> {
    let c = Checker { path };
    let m = &raw.scenario;
    let (years, trials) = budget::meta(&c, m)?;
    let budget = budget::budget(&c, &raw.budget, years)?;
    let forces = forces::forces(&c, &raw.forces)?;
    let trust = forces::trust(&c, &raw.trust)?;
    let interop = forces::interoperability(&c, &raw.interoperability)?;
    let partners::Partners {
        partners,
        regions,
        index,
    } = partners::partners(&c, &raw.partners)?;
    let posts = partners::posts(&c, &raw.posts, &index)?;
    let exercises = partners::exercises(&c, &raw.exercises, &index)?;
    let programmes = partners::programmes(&c, &raw.programmes, &index)?;
    let alliance = alliance::alliance(&c, &raw.alliance, years, &budget, &index)?;
    let procurement = alliance::procurement(&c, &raw.procurement)?;
    let queue_order = crises::queue_order(&c, &raw.crisis_response)?;
    let unit_reserve = crises::unit_reserve(&c, &raw.crisis_response, forces.units)?;
    let crises = crises::crises(&c, &raw.crises, &partners, &index, years)?;
    let dci = crises::dci(&c, &raw.dci)?;
    let feedback = crises::feedback(&c, &raw.feedback)?;
    Ok(Scenario {
        name: m.name.clone(),
        description: m.description.clone(),
        country: m.country.clone(),
        money_unit: m.money_unit.trim().to_string(),
        years,
        start_year: m.start_year,
        trials,
        seed: m.seed,
        budget,
        forces,
        trust,
        interop,
        regions,
        partners,
        posts,
        exercises,
        programmes,
        alliance,
        procurement,
        queue_order,
        unit_reserve,
        crises,
        dci,
        feedback,
        policies: Vec::new(),
        search: None,
    })
}
