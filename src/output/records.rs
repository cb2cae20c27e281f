//! The row of every tidy CSV file dipcap writes and reads back, one record type per file:
//! `summary.csv`, `yearly.csv`, `percentiles.csv`, `partners.csv`, `partners_yearly.csv`, a trace, and a sweep's
//! `sweep.csv` (and its part files), `design.csv`, `sensitivity.csv` and `prim.csv`. Writers serialize these records and readers
//! deserialize them by header name, so a column cannot be written under one name and read
//! under another, and a field that does not parse is an error rather than a NaN.
//! `trials.csv` and `sweep_trials.csv` are the exception: their columns are the metric
//! registry itself and their rows are written on the hot path (`output::csv::trial_row`).
//!
//! Numbers are serialized by [`super::num`] (shortest round-trip form, `0` for zero) so the
//! files stay byte-identical across runs; they deserialize as plain `f64` (`NaN`, `inf`
//! included).

use serde::{Deserialize, Serialize, Serializer};

use crate::error::RunError;

/// Serializes an `f64` the way every dipcap file writes numbers.
fn num<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::num(*x))
}

/// Serializes a list of `f64` the same way (the parameter columns of a sweep row).
fn nums<S: Serializer>(xs: &[f64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(xs.len()))?;
    for x in xs {
        seq.serialize_element(&super::num(*x))?;
    }
    seq.end()
}

/// A trace's time, to the thousandth of a day.
fn days3<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{x:.3}"))
}

/// A trace's day of the year, to the tenth of a day.
fn days1<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{x:.1}"))
}

/// One row of `summary.csv`: a level and a metric with its statistics over trials and its
/// paired difference from the first (baseline) level.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SummaryRecord {
    #[serde(serialize_with = "num")]
    pub level: f64,
    pub metric: String,
    pub unit: String,
    pub n: usize,
    #[serde(serialize_with = "num")]
    pub mean: f64,
    #[serde(serialize_with = "num")]
    pub sd: f64,
    #[serde(serialize_with = "num")]
    pub se: f64,
    #[serde(serialize_with = "num")]
    pub ci95_lo: f64,
    #[serde(serialize_with = "num")]
    pub ci95_hi: f64,
    #[serde(serialize_with = "num")]
    pub p5: f64,
    #[serde(serialize_with = "num")]
    pub p25: f64,
    #[serde(serialize_with = "num")]
    pub p50: f64,
    #[serde(serialize_with = "num")]
    pub p75: f64,
    #[serde(serialize_with = "num")]
    pub p95: f64,
    #[serde(serialize_with = "num")]
    pub diff_mean: f64,
    #[serde(serialize_with = "num")]
    pub diff_ci95_lo: f64,
    #[serde(serialize_with = "num")]
    pub diff_ci95_hi: f64,
}

/// One row of `yearly.csv`: a level, a fiscal year and a yearly metric, its mean and
/// quantiles over trials.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct YearlyRecord {
    #[serde(serialize_with = "num")]
    pub level: f64,
    /// 1 for the first year of the horizon.
    pub year: usize,
    pub fiscal_year: i64,
    pub metric: String,
    pub unit: String,
    #[serde(serialize_with = "num")]
    pub mean: f64,
    #[serde(serialize_with = "num")]
    pub p5: f64,
    #[serde(serialize_with = "num")]
    pub p25: f64,
    #[serde(serialize_with = "num")]
    pub p50: f64,
    #[serde(serialize_with = "num")]
    pub p75: f64,
    #[serde(serialize_with = "num")]
    pub p95: f64,
}

/// One row of `percentiles.csv`: one percentile (0–100) of a metric at a level.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PercentileRecord {
    #[serde(serialize_with = "num")]
    pub level: f64,
    pub metric: String,
    pub unit: String,
    pub percentile: usize,
    #[serde(serialize_with = "num")]
    pub value: f64,
}

/// One row of `partners.csv`: a partner at a level, its trust and interoperability at the
/// end of the horizon over trials.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PartnerRecord {
    #[serde(serialize_with = "num")]
    pub level: f64,
    pub partner: String,
    pub kind: String,
    pub region: String,
    #[serde(serialize_with = "num")]
    pub importance: f64,
    #[serde(serialize_with = "num")]
    pub trust_start: f64,
    #[serde(serialize_with = "num")]
    pub trust_mean: f64,
    #[serde(serialize_with = "num")]
    pub trust_p5: f64,
    #[serde(serialize_with = "num")]
    pub trust_p50: f64,
    #[serde(serialize_with = "num")]
    pub trust_p95: f64,
    #[serde(serialize_with = "num")]
    pub interop_mean: f64,
    #[serde(serialize_with = "num")]
    pub interop_p50: f64,
}

/// One row of `partners_yearly.csv`: a partner at a level at the end of a fiscal year — its
/// trust and interoperability over trials, and trust's paired difference from the baseline
/// level in the same year and trials (negative = trusts the country less than at full budget).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PartnerYearRecord {
    #[serde(serialize_with = "num")]
    pub level: f64,
    pub year: usize,
    pub fiscal_year: i64,
    pub partner: String,
    pub kind: String,
    pub region: String,
    #[serde(serialize_with = "num")]
    pub trust_mean: f64,
    #[serde(serialize_with = "num")]
    pub trust_p5: f64,
    #[serde(serialize_with = "num")]
    pub trust_p50: f64,
    #[serde(serialize_with = "num")]
    pub trust_p95: f64,
    #[serde(serialize_with = "num")]
    pub trust_diff_mean: f64,
    #[serde(serialize_with = "num")]
    pub trust_diff_ci95_lo: f64,
    #[serde(serialize_with = "num")]
    pub trust_diff_ci95_hi: f64,
    #[serde(serialize_with = "num")]
    pub interop_mean: f64,
    #[serde(serialize_with = "num")]
    pub interop_p5: f64,
    #[serde(serialize_with = "num")]
    pub interop_p50: f64,
    #[serde(serialize_with = "num")]
    pub interop_p95: f64,
}

/// One row of `sweep.csv` and of a sweep's part files: a design point, a level and a metric.
/// The parameter columns between `point` and `level` are named by the sweep file's keys, so
/// they are written (by position, after the header `sweep::header` names them) but not read
/// back: a reader finds every other field by its name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SweepRecord {
    pub point: usize,
    #[serde(serialize_with = "nums", skip_deserializing)]
    pub values: Vec<f64>,
    #[serde(serialize_with = "num")]
    pub level: f64,
    pub metric: String,
    pub unit: String,
    pub n: usize,
    #[serde(serialize_with = "num")]
    pub mean: f64,
    #[serde(serialize_with = "num")]
    pub sd: f64,
    #[serde(serialize_with = "num")]
    pub se: f64,
    #[serde(serialize_with = "num")]
    pub ci95_lo: f64,
    #[serde(serialize_with = "num")]
    pub ci95_hi: f64,
    #[serde(serialize_with = "num")]
    pub diff_mean: f64,
    #[serde(serialize_with = "num")]
    pub diff_ci95_lo: f64,
    #[serde(serialize_with = "num")]
    pub diff_ci95_hi: f64,
    /// Trials per level behind the point.
    pub trials: u64,
}

/// One row of a sweep's `design.csv`: a design point, its role, its parameter values (in the
/// sweep file's units) and its coordinates in the unit cube. The parameter columns are named
/// by the sweep file's keys (header from `sweep::outputs`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DesignRecord {
    pub point: usize,
    pub role: String,
    #[serde(serialize_with = "nums")]
    pub values: Vec<f64>,
    #[serde(serialize_with = "nums")]
    pub unit: Vec<f64>,
    pub trials: u64,
}

/// One row of a sweep's `sensitivity.csv`: one statistic of one method for one parameter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SensitivityRecord {
    pub method: String,
    pub metric: String,
    #[serde(serialize_with = "num")]
    pub level: f64,
    pub quantity: String,
    pub parameter: String,
    pub statistic: String,
    #[serde(serialize_with = "num")]
    pub estimate: f64,
    #[serde(serialize_with = "num")]
    pub ci95_lo: f64,
    #[serde(serialize_with = "num")]
    pub ci95_hi: f64,
}

/// One step of a PRIM trajectory (`prim.csv`); `bounds` holds each parameter's lower and
/// upper bound in turn (columns `<key>_min`, `<key>_max`, header from `sweep::outputs`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PrimRecord {
    pub step: usize,
    pub points: usize,
    pub hits: usize,
    #[serde(serialize_with = "num")]
    pub coverage: f64,
    #[serde(serialize_with = "num")]
    pub density: f64,
    #[serde(serialize_with = "num")]
    pub support: f64,
    pub restricted: usize,
    pub chosen: bool,
    #[serde(serialize_with = "nums")]
    pub bounds: Vec<f64>,
}

/// One row of a trial's event log (`dipcap trace`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TraceRecord {
    #[serde(serialize_with = "days3")]
    pub time_days: f64,
    pub fiscal_year: i64,
    #[serde(serialize_with = "days1")]
    pub day_of_year: f64,
    pub event: String,
    pub subject: String,
    pub details: String,
}

fn encode(what: &str, e: impl std::fmt::Display) -> RunError {
    RunError::Encode {
        what: what.into(),
        reason: e.to_string(),
    }
}

/// A CSV writer as every dipcap file uses it: `\n` line ends.
pub fn writer<W: std::io::Write>(w: W, headers: bool) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(headers)
        .from_writer(w)
}

/// The whole file `what`: the header named by `T`'s fields, then one line per record. The
/// header is written even when there are no records (a scenario without partners still gets
/// a `partners.csv` that a reader can load), taken from `T::default()`.
pub fn file<T: Serialize + Default>(
    what: &str,
    records: impl IntoIterator<Item = T>,
) -> Result<Vec<u8>, RunError> {
    let mut w = writer(Vec::new(), true);
    let mut any = false;
    for r in records {
        w.serialize(&r).map_err(|e| encode(what, e))?;
        any = true;
    }
    if !any {
        w.serialize(T::default()).map_err(|e| encode(what, e))?;
    }
    let mut bytes = w.into_inner().map_err(|e| encode(what, e))?;
    if !any {
        // Keep the header line only.
        let end = bytes.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1);
        bytes.truncate(end);
    }
    Ok(bytes)
}

/// A header line named at run time (a file whose columns include the sweep's parameters).
pub fn header(what: &str, names: &[String]) -> Result<Vec<u8>, RunError> {
    let mut w = writer(Vec::new(), false);
    w.write_record(names).map_err(|e| encode(what, e))?;
    w.into_inner().map_err(|e| encode(what, e))
}

/// Records without a header line (the rows of a sweep part, appended into `sweep.csv`).
pub fn rows<T: Serialize>(
    what: &str,
    records: impl IntoIterator<Item = T>,
) -> Result<Vec<u8>, RunError> {
    let mut w = writer(Vec::new(), false);
    for r in records {
        w.serialize(&r).map_err(|e| encode(what, e))?;
    }
    w.into_inner().map_err(|e| encode(what, e))
}

/// Reads records by header name: from the file's own first line, or from `headers` when the
/// file has none (a sweep part). A row that does not parse is an error naming its line.
pub fn read<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    headers: Option<&[String]>,
) -> Result<Vec<T>, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(headers.is_none())
        .from_reader(bytes);
    let (names, first_line) = match headers {
        Some(h) => (csv::StringRecord::from(h.to_vec()), 1),
        None => (r.headers().map_err(|e| format!("line 1: {e}"))?.clone(), 2),
    };
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + first_line;
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        out.push(
            rec.deserialize::<T>(Some(&names))
                .map_err(|e| format!("line {line}: {e}"))?,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_dipcap_writes_them_and_read_back() {
        let r = PercentileRecord {
            level: 0.9,
            metric: "dci".into(),
            unit: "0-1".into(),
            percentile: 50,
            value: 0.0,
        };
        let bytes = file("p", [r]).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "level,metric,unit,percentile,value\n0.9,dci,0-1,50,0\n"
        );
        let back: Vec<PercentileRecord> = read(&bytes, None).unwrap();
        assert_eq!(back[0].level, 0.9);
        assert_eq!(back[0].value, 0.0);
    }

    #[test]
    fn an_empty_file_still_has_its_header() {
        let bytes = file::<PartnerRecord>("partners.csv", []).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "level,partner,kind,region,importance,trust_start,trust_mean,trust_p5,trust_p50,\
             trust_p95,interop_mean,interop_p50\n"
        );
    }

    #[test]
    fn sweep_rows_carry_their_parameters_and_are_read_by_name() {
        let r = SweepRecord {
            point: 3,
            values: vec![1.5, f64::NAN],
            level: 1.0,
            metric: "dci".into(),
            unit: "0-1".into(),
            n: 10,
            mean: 0.5,
            trials: 10,
            ..Default::default()
        };
        let bytes = rows("part", [r]).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "3,1.5,NaN,1,dci,0-1,10,0.5,0,0,0,0,0,0,0,10\n"
        );
        let mut headers = vec!["point".to_string(), "a.b".into(), "c.d".into()];
        headers.extend(
            [
                "level",
                "metric",
                "unit",
                "n",
                "mean",
                "sd",
                "se",
                "ci95_lo",
                "ci95_hi",
                "diff_mean",
                "diff_ci95_lo",
                "diff_ci95_hi",
                "trials",
            ]
            .map(String::from),
        );
        let back: Vec<SweepRecord> = read(&bytes, Some(&headers)).unwrap();
        assert_eq!((back[0].point, back[0].mean, back[0].trials), (3, 0.5, 10));
    }

    #[test]
    fn a_field_that_does_not_parse_is_an_error_naming_its_line() {
        let bytes = b"level,metric,unit,percentile,value\n0.9,dci,0-1,50,0\n1,dci,0-1,x,0\n";
        let e = read::<PercentileRecord>(bytes, None).unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
    }
}
