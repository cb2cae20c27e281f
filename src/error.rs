//! Typed errors of the library. Each names the file and, for scenario problems, the TOML key,
//! says what is wrong and how to fix it; the binary prints them and exits with code 2.

use std::path::PathBuf;

/// A problem with the user's input: always reported with exit code 2 and before any output exists.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read scenario file {path}: {reason}\n  hint: {hint}")]
    Read {
        path: PathBuf,
        reason: String,
        hint: String,
    },
    #[error("{path}: line {line}, column {column}: {message}\n  hint: {hint}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        hint: String,
    },
    #[error("{path}: key `{key}`: {problem}\n  hint: {hint}")]
    Key {
        path: PathBuf,
        key: String,
        problem: String,
        hint: String,
    },
    #[error("{what}: {problem}\n  hint: {hint}")]
    Option {
        what: String,
        problem: String,
        hint: String,
    },
}

/// Failures while running or writing results (not the user's input).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {what}: {reason}")]
    Encode { what: String, reason: String },
    #[error("cannot draw chart {chart}: {reason}")]
    Chart { chart: String, reason: String },
    /// Ctrl-C or a termination signal: the finished work is saved for `--resume`.
    #[error(
        "interrupted after {trials_done} of {trials} trials; the finished blocks are saved: run the same command with --resume to continue"
    )]
    Interrupted { trials_done: u64, trials: u64 },
    #[error(
        "interrupted after {points_done} of {points} points; the finished points are saved: run the same command with --resume to continue"
    )]
    SweepInterrupted { points_done: usize, points: usize },
    /// Ctrl-C or a termination signal during the policy comparison, which is not
    /// checkpointed: the run's own outputs are not written either.
    #[error(
        "interrupted after {trials_done} of {trials} trials of the policy comparison; nothing was written: run the command again"
    )]
    PoliciesInterrupted { trials_done: u64, trials: u64 },
    /// Ctrl-C or a termination signal during `dipcap optimise`: every finished evaluation is
    /// in the journal.
    #[error(
        "interrupted after {evaluations} evaluations; they are saved: run the same command with --resume to continue"
    )]
    OptimiseInterrupted { evaluations: usize },
}

impl RunError {
    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RunError::Write {
            path: path.into(),
            source,
        }
    }
}
