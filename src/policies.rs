//! Policies compared on the same trials: every trial is run at every budget level for the
//! scenario as written and for each of its `[[policies]]`, with the same seed, so the crises,
//! the economy and every other draw are common to all of them (common random numbers), and
//! each policy's paired difference from the scenario as written is measured per trial. The
//! sums are exact (`stats::exact::Moments`), so the results do not depend on the number of
//! threads or the order in which trials finish. Written as `policies.csv`.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::error::RunError;
use crate::metrics::{Metric, N_METRICS};
use crate::runner::{self, BLOCK};
use crate::scenario::Scenario;
use crate::scenario::policy::AS_WRITTEN;
use crate::stats::exact::Moments;

/// Each policy's level means and its paired differences from the scenario as written.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Index 0 is the scenario as written; then the policies in file order.
    pub names: Vec<String>,
    pub levels: Vec<f64>,
    pub trials: u64,
    value: Vec<Moments>,
    diff: Vec<Moments>,
}

/// A mean with its 95% confidence interval (Student t).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub n: u64,
    pub mean: f64,
    pub ci95_lo: f64,
    pub ci95_hi: f64,
}

/// The columns of an estimate and its paired difference, as `policies.csv`,
/// `sweep_policies.csv` and `optimise.csv` write them ([`cells`]).
pub const ESTIMATE_COLUMNS: [&str; 7] = [
    "n",
    "mean",
    "ci95_lo",
    "ci95_hi",
    "diff_mean",
    "diff_ci95_lo",
    "diff_ci95_hi",
];

/// The [`ESTIMATE_COLUMNS`] cells of a value and its paired difference.
pub fn cells(v: &Estimate, d: &Estimate) -> [String; 7] {
    let num = crate::output::num;
    [
        v.n.to_string(),
        num(v.mean),
        num(v.ci95_lo),
        num(v.ci95_hi),
        num(d.mean),
        num(d.ci95_lo),
        num(d.ci95_hi),
    ]
}

/// A mean with its Student-t 95% CI from exact moments (NaN half-width below two values).
pub fn estimate(m: &Moments) -> Estimate {
    let mean = m.mean();
    let half = if m.n >= 2 {
        crate::stats::t975((m.n - 1) as usize) * (m.variance() / m.n as f64).sqrt()
    } else {
        f64::NAN
    };
    Estimate {
        n: m.n,
        mean,
        ci95_lo: mean - half,
        ci95_hi: mean + half,
    }
}

impl Comparison {
    fn new(names: Vec<String>, levels: Vec<f64>) -> Self {
        let cells = names.len() * levels.len() * N_METRICS;
        Comparison {
            names,
            levels,
            trials: 0,
            value: vec![Moments::default(); cells],
            diff: vec![Moments::default(); cells],
        }
    }

    fn at(&self, p: usize, l: usize, m: Metric) -> usize {
        (p * self.levels.len() + l) * N_METRICS + m.index()
    }

    /// Policy `p`'s mean of `m` at level position `l` over the trials.
    pub fn value(&self, p: usize, l: usize, m: Metric) -> Estimate {
        estimate(&self.value[self.at(p, l, m)])
    }

    /// Policy `p`'s paired difference from the scenario as written (policy 0), same level and
    /// same trials; exactly zero for policy 0.
    pub fn diff(&self, p: usize, l: usize, m: Metric) -> Estimate {
        estimate(&self.diff[self.at(p, l, m)])
    }

    /// Policy `p`'s cells at level position `l` for metric `m`, as `policies.csv` writes them:
    /// `n`, `mean`, `ci95_lo`, `ci95_hi`, `diff_mean`, `diff_ci95_lo`, `diff_ci95_hi`.
    pub fn cells(&self, p: usize, l: usize, m: Metric) -> [String; 7] {
        cells(&self.value(p, l, m), &self.diff(p, l, m))
    }

    /// Adds another part of the same comparison (a shard's trials): exact, so the result is
    /// that of one process.
    pub fn merge(&mut self, other: &Comparison) {
        for (a, b) in self.value.iter_mut().zip(&other.value) {
            a.merge(b);
        }
        for (a, b) in self.diff.iter_mut().zip(&other.diff) {
            a.merge(b);
        }
        self.trials += other.trials;
    }

    /// Adds one trial: per policy, per level, the trial's metrics.
    fn add(&mut self, trial: &[Vec<[f64; N_METRICS]>]) {
        for (p, levels) in trial.iter().enumerate() {
            for (l, metrics) in levels.iter().enumerate() {
                for &m in Metric::ALL {
                    let (x, r) = (metrics[m.index()], trial[0][l][m.index()]);
                    let i = self.at(p, l, m);
                    if x.is_finite() {
                        self.value[i].add(x);
                    }
                    if x.is_finite() && r.is_finite() {
                        self.diff[i].add(x - r);
                    }
                }
            }
        }
        self.trials += 1;
    }
}

/// Runs `trials` trials of the scenario as written and of each of its policies at every level,
/// in blocks inside the current rayon pool; `tick` is called once per trial and policy.
pub fn compare(
    s: &Scenario,
    seed: u64,
    trials: u64,
    stop: Option<&AtomicBool>,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, RunError> {
    compare_with(s, seed, 0..trials, stop, tick, &mut |_, _| Ok(()))
}

/// The outcomes of a block of trials: per trial (in order), per policy (the scenario as
/// written first), per level.
pub type Block = [Vec<Vec<crate::model::outcomes::TrialOutcome>>];

/// [`compare`] over the trials `range` (a shard's part of a run), handing each block's
/// outcomes, in trial order, to `sink` with the block's first trial (for `trials.csv` and the
/// policies' own summaries).
pub fn compare_with(
    s: &Scenario,
    seed: u64,
    range: std::ops::Range<u64>,
    stop: Option<&AtomicBool>,
    tick: &(dyn Fn(u64) + Sync),
    sink: &mut dyn FnMut(u64, &Block) -> Result<(), RunError>,
) -> Result<Comparison, RunError> {
    let scenarios: Vec<&Scenario> = std::iter::once(s)
        .chain(s.policies.iter().map(|p| p.scenario.as_ref()))
        .collect();
    let names = std::iter::once(AS_WRITTEN.to_string())
        .chain(s.policies.iter().map(|p| p.name.clone()))
        .collect();
    let mut out = Comparison::new(names, s.budget.levels.clone());
    let (mut next, trials) = (range.start, range.end);
    while next < trials {
        if stop.is_some_and(|f| f.load(Ordering::SeqCst)) {
            return Err(RunError::PoliciesInterrupted {
                trials_done: next,
                trials,
            });
        }
        let end = (next + BLOCK).min(trials);
        let bound: crate::engine::BlockBound = std::sync::Arc::new(u64::MAX.into());
        let block: Vec<Vec<Vec<crate::model::outcomes::TrialOutcome>>> = (next..end)
            .into_par_iter()
            .map(|trial| {
                scenarios
                    .iter()
                    .map(|sc| {
                        let r = crate::engine::in_block(&bound, trial, || {
                            runner::run_one(sc, seed, trial)
                        });
                        tick(1);
                        r
                    })
                    .collect()
            })
            .collect();
        for (k, trial) in block.iter().enumerate() {
            for (p, levels) in trial.iter().enumerate() {
                if let Some(l) = levels
                    .iter()
                    .position(|o| o.aborted == Some(crate::engine::Abort::WorkBound))
                {
                    let mut e =
                        runner::work_bound(scenarios[p], next + k as u64, s.budget.levels[l]);
                    // Which way of cutting asked for it: the policies share the scenario's name.
                    if let (crate::error::InputError::Option { what, .. }, Some(policy)) =
                        (&mut e, p.checked_sub(1).map(|i| &s.policies[i].name))
                    {
                        *what = format!("{what}, policy \"{policy}\"");
                    }
                    return Err(e.into());
                }
                if levels.iter().any(|o| o.aborted.is_some()) || levels.len() < out.levels.len() {
                    return Err(RunError::PoliciesInterrupted {
                        trials_done: next,
                        trials,
                    });
                }
            }
        }
        // In trial order, so the comparison is the same at any thread count (the sums are
        // exact in any case).
        for trial in &block {
            let metrics: Vec<Vec<[f64; N_METRICS]>> = trial
                .iter()
                .map(|levels| levels.iter().map(|o| o.metrics).collect())
                .collect();
            out.add(&metrics);
        }
        sink(next, &block)?;
        next = end;
    }
    Ok(out)
}

/// For the terminal: each policy's paired difference from the scenario as written at the
/// deepest level, in the DCI and the crisis response rate, with 95% CIs.
pub fn terminal_lines(c: &Comparison) -> Vec<String> {
    let Some(deep) = c.levels.len().checked_sub(1) else {
        return Vec::new();
    };
    let signed = |v: f64, scale: f64, d: usize| crate::output::signed(v * scale, d);
    (1..c.names.len())
        .map(|p| {
            let dci = c.diff(p, deep, Metric::Dci);
            let rr = c.diff(p, deep, Metric::ResponseRate);
            format!(
                "  {}: DCI {} (95% CI {} to {}), crisis response {} points (95% CI {} to {})",
                c.names[p],
                signed(dci.mean, 1.0, 3),
                signed(dci.ci95_lo, 1.0, 3),
                signed(dci.ci95_hi, 1.0, 3),
                signed(rr.mean, 100.0, 1),
                signed(rr.ci95_lo, 100.0, 1),
                signed(rr.ci95_hi, 100.0, 1),
            )
        })
        .collect()
}

/// `policies.csv`: one row per policy, level and metric — the policy's mean with its 95% CI
/// and its paired difference from the scenario as written with its 95% CI.
pub fn csv(c: &Comparison) -> Result<Vec<u8>, RunError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let enc = |e: csv::Error| RunError::Encode {
        what: crate::output::folder::POLICIES.into(),
        reason: e.to_string(),
    };
    w.write_record(
        ["policy", "level", "metric"]
            .iter()
            .chain(&ESTIMATE_COLUMNS),
    )
    .map_err(enc)?;
    for (p, name) in c.names.iter().enumerate() {
        for (l, &level) in c.levels.iter().enumerate() {
            for &m in Metric::ALL {
                let mut row = vec![
                    name.clone(),
                    crate::output::num(level),
                    m.name().to_string(),
                ];
                row.extend(c.cells(p, l, m));
                w.write_record(&row).map_err(enc)?;
            }
        }
    }
    w.into_inner().map_err(|e| RunError::Encode {
        what: crate::output::folder::POLICIES.into(),
        reason: e.to_string(),
    })
}

/// Each policy's own run on the comparison's trials, kept for the run's outputs: its
/// accumulator (its rows of `summary.csv`) and, per level, a file of its `trials.csv` rows in
/// trial order. Index 0 of `names` is the scenario as written, whose accumulator and rows are
/// the run's own and not kept here.
pub struct PolicyRuns {
    pub names: Vec<String>,
    /// Per policy after the scenario as written.
    pub accs: Vec<crate::stats::accumulator::Accumulator>,
    /// Per policy after the scenario as written, per level, its rows files in trial order
    /// (one for a run; one per shard for merged shards).
    pub rows: Vec<Vec<Vec<std::path::PathBuf>>>,
    files: Vec<Vec<std::io::BufWriter<std::fs::File>>>,
    levels: Vec<f64>,
}

impl PolicyRuns {
    /// The policies' runs put together from shards: their merged accumulators and, per
    /// policy and level, the shards' rows files in trial order.
    pub fn merged(
        names: Vec<String>,
        accs: Vec<crate::stats::accumulator::Accumulator>,
        rows: Vec<Vec<Vec<std::path::PathBuf>>>,
    ) -> PolicyRuns {
        PolicyRuns {
            names,
            accs,
            rows,
            files: Vec::new(),
            levels: Vec::new(),
        }
    }

    /// Rows files in `dir` (the run's parts folder) for the policies of `s`.
    pub fn new(s: &Scenario, dir: &std::path::Path) -> Result<PolicyRuns, RunError> {
        let levels = s.budget.levels.clone();
        let (mut rows, mut files) = (Vec::new(), Vec::new());
        for p in 1..=s.policies.len() {
            let (mut r, mut f) = (Vec::new(), Vec::new());
            for l in 0..levels.len() {
                let path = dir.join(format!("policy-{p}-level-{l}.csv"));
                let file = std::fs::File::create(&path).map_err(|e| RunError::write(&path, e))?;
                f.push(std::io::BufWriter::with_capacity(1 << 16, file));
                r.push(vec![path]);
            }
            rows.push(r);
            files.push(f);
        }
        Ok(PolicyRuns {
            names: std::iter::once(AS_WRITTEN.to_string())
                .chain(s.policies.iter().map(|p| p.name.clone()))
                .collect(),
            accs: s
                .policies
                .iter()
                .map(|p| runner::accumulator(&p.scenario))
                .collect(),
            rows,
            files,
            levels,
        })
    }

    /// Takes a block of the comparison (see [`compare_with`]): the policies' outcomes go to
    /// their accumulators and rows files, in trial order.
    pub fn add(&mut self, first: u64, block: &Block) -> Result<(), RunError> {
        use std::io::Write;
        for (k, trial) in block.iter().enumerate() {
            for (p, levels) in trial.iter().enumerate().skip(1) {
                self.accs[p - 1].add_trial(levels);
                for (l, o) in levels.iter().enumerate() {
                    let row = crate::output::csv::trial_row(self.levels[l], first + k as u64, o);
                    self.files[p - 1][l]
                        .write_all(row.as_bytes())
                        .map_err(|e| RunError::write(&self.rows[p - 1][l][0], e))?;
                }
            }
        }
        Ok(())
    }

    /// Flushes the rows files, ready to be read into `trials.csv`.
    pub fn flush(&mut self) -> Result<(), RunError> {
        use std::io::Write;
        for (p, files) in self.files.iter_mut().enumerate() {
            for (l, f) in files.iter_mut().enumerate() {
                f.flush()
                    .map_err(|e| RunError::write(&self.rows[p][l][0], e))?;
            }
        }
        Ok(())
    }
}

/// A shard's part of the comparison (`policies.bin`): the comparison's exact moments, then
/// each policy's accumulator.
pub fn encode_shard(c: &Comparison, runs: &PolicyRuns) -> Vec<u8> {
    use crate::stats::codec::{Writer, put_moments};
    let mut w = Writer::new(Vec::new());
    w.bytes(SHARD_MAGIC);
    for v in [c.names.len(), c.levels.len(), N_METRICS] {
        w.u64(v as u64);
    }
    w.u64(c.trials);
    for m in c.value.iter().chain(&c.diff) {
        put_moments(&mut w, m);
    }
    for a in &runs.accs {
        let bytes = crate::stats::codec::encode(a);
        w.u64(bytes.len() as u64);
        w.bytes(&bytes);
    }
    w.finish().unwrap_or_default()
}

const SHARD_MAGIC: &[u8; 8] = b"dipcpol1";

/// Reads [`encode_shard`]'s bytes for the policies of `s`.
pub fn decode_shard(
    s: &Scenario,
    bytes: &[u8],
) -> Result<(Comparison, Vec<crate::stats::accumulator::Accumulator>), String> {
    use crate::stats::codec::{Reader, get_moments};
    if bytes.len() < 8 || &bytes[..8] != SHARD_MAGIC {
        return Err("not a dipcap policies part".into());
    }
    let mut r = Reader::new(&bytes[8..]);
    let names: Vec<String> = std::iter::once(AS_WRITTEN.to_string())
        .chain(s.policies.iter().map(|p| p.name.clone()))
        .collect();
    let (p, l, m) = (r.u64()? as usize, r.u64()? as usize, r.u64()? as usize);
    if (p, l, m) != (names.len(), s.budget.levels.len(), N_METRICS) {
        return Err(format!(
            "holds {p} policies × {l} levels × {m} metrics, the scenario has {} × {} × {N_METRICS}",
            names.len(),
            s.budget.levels.len()
        ));
    }
    let mut c = Comparison::new(names, s.budget.levels.clone());
    c.trials = r.u64()?;
    for x in c.value.iter_mut() {
        *x = get_moments(&mut r)?;
    }
    for x in c.diff.iter_mut() {
        *x = get_moments(&mut r)?;
    }
    let mut accs = Vec::new();
    for _ in &s.policies {
        let n = r.u64()? as usize;
        accs.push(crate::stats::codec::decode(r.bytes(n)?)?);
    }
    if !r.done() {
        return Err("has bytes after its end".into());
    }
    Ok((c, accs))
}
