//! The journal of a search in progress (`<out>/.dipcap-parts/optimise.jsonl`): one line per
//! evaluation — the candidate, the seed, the first trial and the tracked metrics of each
//! trial — appended and flushed as it finishes. The search is deterministic, so `--resume`
//! replays it from the start and takes every evaluation the journal holds instead of
//! simulating it again: the result is the one an uninterrupted search gives. A plan file
//! beside it holds what the results depend on; a journal of another plan is refused.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{InputError, RunError};
use crate::output::folder;

const JOURNAL: &str = "optimise.jsonl";
const PLAN: &str = "optimise-plan.json";

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    candidate: String,
    seed: u64,
    from: u64,
    /// Per trial, the tracked metrics, flattened; a metric with no value in a trial (NaN,
    /// e.g. a response rate with no crisis) is `null`, which JSON has and NaN has not.
    values: Vec<Option<f64>>,
}

fn encode(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|v| v.is_finite().then_some(*v)).collect()
}

/// Per (candidate, seed): the tracked metrics of trials 0, 1, … flattened.
pub type Store = HashMap<(String, u64), Vec<f64>>;

pub struct Journal {
    dir: PathBuf,
    file: std::fs::File,
}

impl Journal {
    /// A fresh journal for `plan` (an earlier one is removed), or with `resume` the journal
    /// of the interrupted search with the same plan and what it holds. `width` is the number
    /// of tracked metrics.
    pub fn open(
        out: &Path,
        plan: &str,
        resume: bool,
        width: usize,
    ) -> Result<(Journal, Store), RunError> {
        let dir = out.join(folder::PARTS);
        let mut store = Store::new();
        if resume {
            let old = std::fs::read_to_string(dir.join(PLAN)).map_err(|_| InputError::Option {
                what: "--resume".into(),
                problem: format!("{} holds no interrupted search", out.display()),
                hint: "run without --resume to start the search".into(),
            })?;
            if old != plan {
                return Err(InputError::Option {
                    what: "--resume".into(),
                    problem: format!(
                        "the search interrupted in {} was of another scenario or other options",
                        out.display()
                    ),
                    hint: "resume with the same scenario file and options, or run without --resume to start again".into(),
                }
                .into());
            }
            let f = std::fs::File::open(dir.join(JOURNAL))
                .map_err(|e| RunError::write(dir.join(JOURNAL), e))?;
            for line in std::io::BufReader::new(f).lines() {
                let Ok(line) = line else { break };
                // A line cut short by a kill is the last one: what it held is simulated again.
                let Ok(l) = serde_json::from_str::<Line>(&line) else {
                    break;
                };
                let v = store.entry((l.candidate, l.seed)).or_default();
                if l.values.len() % width.max(1) != 0 || v.len() as u64 != l.from * width as u64 {
                    break;
                }
                v.extend(l.values.iter().map(|x| x.unwrap_or(f64::NAN)));
            }
        } else {
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| RunError::write(&dir, e))?;
            }
            std::fs::create_dir_all(&dir).map_err(|e| RunError::write(&dir, e))?;
            crate::output::write_atomic(&dir.join(PLAN), plan.as_bytes())?;
        }
        // Rewritten whole from what was read, so a cut-short last line does not stay.
        let mut text = Vec::new();
        let mut keys: Vec<&(String, u64)> = store.keys().collect();
        keys.sort();
        for k in keys {
            let l = Line {
                candidate: k.0.clone(),
                seed: k.1,
                from: 0,
                values: encode(&store[k]),
            };
            text.extend(serde_json::to_vec(&l).unwrap_or_default());
            text.push(b'\n');
        }
        let path = dir.join(JOURNAL);
        crate::output::write_atomic(&path, &text)?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| RunError::write(&path, e))?;
        Ok((Journal { dir, file }, store))
    }

    /// Records trials `from..` of a candidate.
    pub fn append(
        &mut self,
        candidate: &str,
        seed: u64,
        from: u64,
        values: &[f64],
    ) -> Result<(), RunError> {
        let l = Line {
            candidate: candidate.to_string(),
            seed,
            from,
            values: encode(values),
        };
        let mut bytes = serde_json::to_vec(&l).unwrap_or_default();
        bytes.push(b'\n');
        let path = self.dir.join(JOURNAL);
        self.file
            .write_all(&bytes)
            .and_then(|_| self.file.flush())
            .map_err(|e| RunError::write(&path, e))
    }

    /// Removes the journal once the outputs are written.
    pub fn remove(self) -> Result<(), RunError> {
        drop(self.file);
        std::fs::remove_dir_all(&self.dir).map_err(|e| RunError::write(&self.dir, e))
    }
}
