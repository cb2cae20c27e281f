//! Writing results: tidy CSV (`csv.rs`, one record type per file in `records.rs`), JSON summaries and the run manifest (`json.rs`).
//! The output folder itself — its file names, lock and temporary files — is `folder.rs`.

pub(crate) mod csv;
pub(crate) mod folder;
pub mod json;
pub(crate) mod records;

/// Formats a number the same way on every run and platform: Rust's shortest round-trip form.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x == 0.0 {
        "0".into()
    } else {
        format!("{x}")
    }
}

pub use folder::{AtomicFile, remove_stale_temporaries, write_atomic, write_atomic_with};
