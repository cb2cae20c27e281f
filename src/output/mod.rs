//! Writing results: tidy CSV (`csv.rs`), JSON summaries and the run manifest (`json.rs`).
//! Every file is written whole to a temporary name beside its target and renamed into place,
//! so a crash never leaves a half-written file, and the folder is only created once the run
//! has succeeded.

pub mod csv;
pub mod json;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::RunError;

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

/// Writes `bytes` to `path` atomically: temporary file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(RunError::write(path, e));
    }
    Ok(())
}
