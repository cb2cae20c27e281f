//! What the charts and the report are drawn from: the run's own output files (`manifest.json`,
//! `summary.csv`, `yearly.csv`, `percentiles.csv`, `partners.csv`, `partners_yearly.csv`),
//! parsed back. `dipcap run`
//! parses the bytes it is about to write and `dipcap plot` parses the files on disk, so both
//! draw from exactly the same numbers and produce identical SVGs. Rows are the record types of
//! `output::records`, read by header name; metrics are keyed by their registry type, so a
//! name that this dipcap does not know is an error rather than a missing series.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{InputError, RunError};
use crate::metrics::{Metric, YearMetric};
use crate::output::folder;
use crate::scenario::policy::AS_WRITTEN;

/// The files a chart set is drawn from, in the order they are read.
pub const SOURCE_FILES: [&str; 6] = [
    folder::MANIFEST,
    folder::SUMMARY,
    folder::YEARLY,
    folder::PERCENTILES,
    folder::PARTNERS,
    folder::PARTNERS_YEARLY,
];

/// Where the source files come from: an output folder on disk, or the bytes of a run that
/// has not been written yet.
pub enum Source<'a> {
    Folder(&'a Path),
    Memory(&'a [(&'a str, Vec<u8>)]),
}

impl Source<'_> {
    /// A file only some runs write: `None` when it is not there.
    fn read_optional(&self, name: &str) -> Result<Option<(PathBuf, Vec<u8>)>, RunError> {
        let present = match self {
            Source::Folder(dir) => crate::output::parquet::table_path(dir, name).exists(),
            Source::Memory(files) => files.iter().any(|(n, _)| *n == name),
        };
        if present {
            self.read(name).map(Some)
        } else {
            Ok(None)
        }
    }

    fn read(&self, name: &str) -> Result<(PathBuf, Vec<u8>), RunError> {
        match self {
            Source::Folder(dir) => {
                // A Parquet folder's `yearly.parquet` is read back as the CSV it was made from.
                let path = crate::output::parquet::table_path(dir, name);
                match crate::output::parquet::read_table(&path) {
                    Ok(b) => Ok((path, b)),
                    Err(e) => Err(InputError::Option {
                        what: format!("OUTPUT_DIR {}", dir.display()),
                        problem: format!(
                            "cannot read {}: {e}",
                            path.file_name().unwrap_or_default().to_string_lossy()
                        ),
                        hint: "give the folder a `dipcap run` wrote (it holds manifest.json, summary.csv, yearly.csv or yearly.parquet, percentiles.csv, partners.csv and partners_yearly.csv)".into(),
                    }
                    .into()),
                }
            }
            Source::Memory(files) => files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(n, b)| (PathBuf::from(n), b.clone()))
                .ok_or_else(|| RunError::Encode {
                    what: name.into(),
                    reason: "not produced by this run".into(),
                }),
        }
    }
}

/// The cut as the manifest records it.
#[derive(Debug, Clone, Deserialize)]
pub struct CutInfo {
    pub profile: String,
    pub policy: String,
    pub start_fiscal_year: i64,
    pub shock_day: Option<f64>,
    pub phase_years: Option<u64>,
}

/// The fields of `manifest.json` the charts and the report use.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub dipcap_version: String,
    pub scenario: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub description: String,
    pub money_unit: String,
    pub start_year: i64,
    pub cut: CutInfo,
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub trials: u64,
    pub levels: Vec<f64>,
    pub years: usize,
    pub generator: String,
    pub crates: std::collections::BTreeMap<String, String>,
    pub threads: usize,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
    /// Absent in manifests written before shards existed: those runs ran on one machine.
    #[serde(default = "one")]
    pub shards: usize,
    /// The `[[policies]]` compared: what each changes.
    #[serde(default)]
    pub policies: Vec<PolicyInfo>,
    /// `"parquet"` for a `--format parquet` folder (absent for CSV).
    #[serde(default)]
    pub format: Option<String>,
}

/// A policy as the manifest records it.
#[derive(Debug, Clone, Deserialize)]
pub struct PolicyInfo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// "key = value" per lever set.
    #[serde(default)]
    pub set: Vec<String>,
}

fn one() -> usize {
    1
}

use crate::output::records::PercentileRecord;
pub use crate::output::records::{
    PartnerRecord as PartnerRow, PartnerYearRecord as PartnerYearRow, SummaryRecord as SummaryRow,
    YearlyRecord as YearlyRow,
};

/// Everything a chart set and report need, indexed by level position (0 = baseline).
#[derive(Debug, Clone)]
pub struct ChartData {
    pub manifest: Manifest,
    summary: HashMap<(usize, Metric), SummaryRow>,
    yearly: HashMap<(usize, YearMetric), Vec<YearlyRow>>,
    percentiles: HashMap<(usize, Metric), Vec<f64>>,
    /// Per level, partners in file order.
    pub partners: Vec<Vec<PartnerRow>>,
    /// Per level, the year-end rows in file order (year, then partner).
    pub partner_years: Vec<Vec<PartnerYearRow>>,
    /// `policies.csv`, when the run compared `[[policies]]` (empty otherwise).
    pub policies: Vec<PolicyRow>,
}

/// A row of `policies.csv`: a policy's mean of a metric at a level and its paired difference
/// from the scenario as written.
#[derive(Debug, Clone, Deserialize)]
pub struct PolicyRow {
    pub policy: String,
    pub level: f64,
    pub metric: String,
    pub n: u64,
    pub mean: f64,
    pub ci95_lo: f64,
    pub ci95_hi: f64,
    pub diff_mean: f64,
    pub diff_ci95_lo: f64,
    pub diff_ci95_hi: f64,
}

/// The `policy` column of a row, where the file has one.
#[derive(Deserialize)]
struct PolicyTag {
    #[serde(default)]
    policy: Option<String>,
}

fn parse_csv<T: for<'de> Deserialize<'de>>(path: &Path, bytes: &[u8]) -> Result<Vec<T>, RunError> {
    crate::output::records::read(bytes, None).map_err(|e| corrupt(path, e))
}

/// The metric a row names, which this dipcap must know.
fn known<M>(path: &Path, name: &str, from_name: fn(&str) -> Option<M>) -> Result<M, RunError> {
    from_name(name).ok_or_else(|| corrupt(path, format!("unknown metric `{name}`")))
}

fn corrupt(path: &Path, problem: String) -> RunError {
    InputError::Option {
        what: path.display().to_string(),
        problem,
        hint: "the output folder is damaged or from another dipcap version; run the scenario again"
            .into(),
    }
    .into()
}

impl ChartData {
    pub fn load(source: &Source) -> Result<ChartData, RunError> {
        let (path, bytes) = source.read(folder::MANIFEST)?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| corrupt(&path, format!("not a dipcap manifest: {e}")))?;
        if manifest.levels.is_empty() {
            return Err(corrupt(&path, "lists no budget levels".into()));
        }
        let levels = manifest.levels.clone();
        let level_index = |path: &Path, level: f64| {
            levels
                .iter()
                .position(|l| *l == level)
                .ok_or_else(|| corrupt(path, format!("level {level} is not in manifest.json")))
        };

        let (path, bytes) = source.read(folder::SUMMARY)?;
        let mut summary = HashMap::new();
        // A run with policies has their rows too, after a `policy` column: the charts and the
        // report are of the scenario as written (the policies have policies.csv).
        let tags = parse_csv::<PolicyTag>(&path, &bytes)?;
        for (row, tag) in parse_csv::<SummaryRow>(&path, &bytes)?
            .into_iter()
            .zip(tags)
        {
            if tag.policy.as_deref().is_some_and(|p| p != AS_WRITTEN) {
                continue;
            }
            let m = known(&path, &row.metric, Metric::from_name)?;
            summary.insert((level_index(&path, row.level)?, m), row);
        }

        let (path, bytes) = source.read(folder::YEARLY)?;
        let mut yearly: HashMap<(usize, YearMetric), Vec<YearlyRow>> = HashMap::new();
        for row in parse_csv::<YearlyRow>(&path, &bytes)? {
            let m = known(&path, &row.metric, YearMetric::from_name)?;
            yearly
                .entry((level_index(&path, row.level)?, m))
                .or_default()
                .push(row);
        }
        for rows in yearly.values_mut() {
            rows.sort_by_key(|r| r.year);
        }

        let (path, bytes) = source.read(folder::PERCENTILES)?;
        let mut percentiles: HashMap<(usize, Metric), Vec<f64>> = HashMap::new();
        let mut counted: HashMap<(usize, Metric), usize> = HashMap::new();
        for row in parse_csv::<PercentileRecord>(&path, &bytes)? {
            let m = known(&path, &row.metric, Metric::from_name)?;
            *counted
                .entry((level_index(&path, row.level)?, m))
                .or_default() += 1;
            let v = percentiles
                .entry((level_index(&path, row.level)?, m))
                .or_insert_with(|| vec![f64::NAN; 101]);
            if row.percentile > 100 {
                return Err(corrupt(
                    &path,
                    format!("percentile {} > 100", row.percentile),
                ));
            }
            v[row.percentile] = row.value;
        }
        for (l, level) in levels.iter().enumerate() {
            for &m in Metric::ALL {
                if counted.get(&(l, m)) != Some(&101) {
                    return Err(corrupt(
                        &path,
                        format!(
                            "has no 101 percentiles for {} at level {}: the file is incomplete (truncated or edited)",
                            m.name(),
                            crate::output::num(*level)
                        ),
                    ));
                }
            }
        }

        let (path, bytes) = source.read(folder::PARTNERS)?;
        let mut partners = vec![Vec::new(); levels.len()];
        for row in parse_csv::<PartnerRow>(&path, &bytes)? {
            partners[level_index(&path, row.level)?].push(row);
        }

        let (path, bytes) = source.read(folder::PARTNERS_YEARLY)?;
        let mut partner_years = vec![Vec::new(); levels.len()];
        for row in parse_csv::<PartnerYearRow>(&path, &bytes)? {
            partner_years[level_index(&path, row.level)?].push(row);
        }

        // Only a run that compared policies wrote policies.csv.
        let policies = match source.read_optional(folder::POLICIES)? {
            Some((path, bytes)) => parse_csv::<PolicyRow>(&path, &bytes)?,
            None => Vec::new(),
        };
        let data = ChartData {
            manifest,
            summary,
            yearly,
            percentiles,
            partners,
            partner_years,
            policies,
        };
        data.check_complete(source)?;
        Ok(data)
    }

    /// Every level has every row its files should hold: a truncated or emptied file (a header
    /// alone parses as no rows) is refused instead of drawn as empty or partial charts.
    fn check_complete(&self, source: &Source) -> Result<(), RunError> {
        let path = |name: &str| match source {
            Source::Folder(dir) => crate::output::parquet::table_path(dir, name),
            Source::Memory(_) => PathBuf::from(name),
        };
        let years = self.manifest.years;
        let missing = |name: &str, what: String| {
            corrupt(
                &path(name),
                format!("has no {what}: the file is incomplete (truncated or edited)"),
            )
        };
        for (l, &level) in self.levels().iter().enumerate() {
            let at = crate::output::num(level);
            for &m in Metric::ALL {
                if !self.summary.contains_key(&(l, m)) {
                    return Err(missing(
                        folder::SUMMARY,
                        format!("row for {} at level {at}", m.name()),
                    ));
                }
            }
            for &m in YearMetric::ALL {
                if self.yearly(l, m).len() != years {
                    return Err(missing(
                        folder::YEARLY,
                        format!("{years} rows for {} at level {at}", m.name()),
                    ));
                }
            }
            let partners = self.partners[0].len();
            if self.partners[l].len() != partners {
                return Err(missing(
                    folder::PARTNERS,
                    format!("row for each of the {partners} partners at level {at}"),
                ));
            }
            if self.partner_years[l].len() != partners * years {
                return Err(missing(
                    folder::PARTNERS_YEARLY,
                    format!(
                        "{} rows ({partners} partners × {years} years) at level {at}",
                        partners * years
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn levels(&self) -> &[f64] {
        &self.manifest.levels
    }

    /// The summary row of `metric` at level position `l`.
    pub fn summary(&self, l: usize, metric: Metric) -> Option<&SummaryRow> {
        self.summary.get(&(l, metric))
    }

    /// The yearly rows of `metric` at level position `l`, in year order.
    pub fn yearly(&self, l: usize, metric: YearMetric) -> &[YearlyRow] {
        self.yearly.get(&(l, metric)).map_or(&[], |v| v.as_slice())
    }

    /// The 0th..100th percentiles of `metric` at level position `l`.
    pub fn percentiles(&self, l: usize, metric: Metric) -> Option<&[f64]> {
        self.percentiles.get(&(l, metric)).map(|v| v.as_slice())
    }

    /// Whether `metric` varies: over trials within a level, and between levels. Read from the
    /// 0th and 100th percentiles, so "the same" means every trial has the same value.
    pub fn spread(&self, metric: Metric) -> Spread {
        let ends: Vec<(f64, f64)> = (0..self.levels().len())
            .filter_map(|l| self.percentiles(l, metric).map(|p| (p[0], p[100])))
            .collect();
        let same = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0);
        if ends.is_empty() || !ends.iter().all(|&(lo, hi)| same(lo, hi)) {
            Spread::Varies
        } else if ends.iter().all(|&(lo, _)| same(lo, ends[0].0)) {
            Spread::Constant
        } else {
            Spread::FixedPerLevel
        }
    }

    /// Whether yearly `metric` is one value in every year, trial and level.
    pub fn yearly_constant(&self, metric: YearMetric) -> bool {
        let mut values = (0..self.levels().len())
            .flat_map(|l| self.yearly(l, metric).iter())
            .flat_map(|r| [r.p5, r.p25, r.p50, r.p75, r.p95]);
        match values.next() {
            Some(first) => values.all(|v| (v - first).abs() <= 1e-12 * first.abs().max(1.0)),
            None => false,
        }
    }

    /// The policies of `policies.csv` in file order, the scenario as written first.
    pub fn policy_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for r in &self.policies {
            if !v.contains(&r.policy.as_str()) {
                v.push(&r.policy);
            }
        }
        v
    }

    /// A policy's row for `metric` at level position `l`.
    pub fn policy(&self, name: &str, l: usize, metric: Metric) -> Option<&PolicyRow> {
        let level = *self.levels().get(l)?;
        self.policies
            .iter()
            .find(|r| r.policy == name && r.level == level && r.metric == metric.name())
    }

    /// Fiscal years covered, first and last.
    pub fn fiscal_years(&self) -> (i64, i64) {
        let first = self.manifest.start_year;
        (first, first + self.manifest.years as i64 - 1)
    }

    /// "100%" for 1.0, "92.5%" for 0.925.
    pub fn level_label(&self, l: usize) -> String {
        level_label(self.manifest.levels[l])
    }

    /// The title of level `l`'s panel in small multiples.
    pub fn panel_title(&self, l: usize) -> String {
        if l == 0 {
            "baseline (100%)".to_string()
        } else {
            format!("{} of baseline", self.level_label(l))
        }
    }

    /// The tick label at `v` on an axis with the levels at 0, 1, …: a level's label, blank
    /// between levels.
    pub fn level_tick(&self, v: f64) -> String {
        super::style::category(v, self.levels().len())
            .map_or_else(String::new, |l| self.level_label(l))
    }

    /// The stamp every chart carries: what produced it.
    pub fn stamp(&self) -> String {
        let m = &self.manifest;
        let (first, last) = self.fiscal_years();
        format!(
            "dipcap {} · scenario {} (sha256 {}) · seed {} · {} trials per level · FY{}–FY{}",
            m.dipcap_version,
            m.scenario,
            &m.scenario_sha256[..m.scenario_sha256.len().min(12)],
            m.seed,
            m.trials,
            first,
            last
        )
    }

    /// How the cut is applied, in words, e.g. "immediate cut from FY2027, proportional".
    pub fn cut_words(&self) -> String {
        let c = &self.manifest.cut;
        let how = match c.profile.as_str() {
            "phased" => format!(
                "cut phased in over {} years from FY{}",
                c.phase_years.unwrap_or(1),
                c.start_fiscal_year
            ),
            "shock" => format!(
                "mid-year shock on day {:.0} of FY{}",
                c.shock_day.unwrap_or(0.0),
                c.start_fiscal_year
            ),
            _ => format!("immediate cut from FY{}", c.start_fiscal_year),
        };
        format!("{how}, {} policy", c.policy.replace('_', " "))
    }
}

/// How a measure varies in a run: what decides whether its distribution and time charts
/// carry information, or collapse into one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spread {
    /// Different trials give different values.
    Varies,
    /// Every trial gives the same value at a level, and the levels differ: there is no
    /// distribution to draw, only one value per level.
    FixedPerLevel,
    /// One value in every trial at every level.
    Constant,
}

pub fn level_label(level: f64) -> String {
    let pct = level * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}%")
    } else {
        format!("{}%", crate::output::num((pct * 1e6).round() / 1e6))
    }
}
