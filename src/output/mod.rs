//! Writing results: tidy CSV (`csv.rs`, one record type per file in `records.rs`), JSON summaries and the run manifest (`json.rs`).
//! Every file is written whole to a temporary name beside its target and renamed into place,
//! so a crash never leaves a half-written file, and the folder is only created once the run
//! has succeeded.

pub mod csv;
pub mod json;
pub mod records;

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

/// A file written under a temporary name beside its target and renamed into place by
/// [`AtomicFile::commit`]: for outputs too large to build in memory. Dropped without a commit,
/// the temporary file is removed.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, RunError> {
        let tmp = temporary(path);
        let file = std::fs::File::create(&tmp).map_err(|e| RunError::write(path, e))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), RunError> {
        match self.file.as_mut() {
            Some(f) => f
                .write_all(bytes)
                .map_err(|e| RunError::write(&self.path, e)),
            None => Ok(()),
        }
    }

    /// Appends a file's contents, streamed.
    pub fn append_file(&mut self, from: &Path) -> Result<(), RunError> {
        let mut src = std::fs::File::open(from).map_err(|e| RunError::write(from, e))?;
        if let Some(f) = self.file.as_mut() {
            std::io::copy(&mut src, f).map_err(|e| RunError::write(&self.path, e))?;
        }
        Ok(())
    }

    pub fn commit(mut self) -> Result<(), RunError> {
        let Some(f) = self.file.take() else {
            return Ok(());
        };
        let result = (|| {
            let f = f.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
            std::fs::rename(&self.tmp, &self.path)
        })();
        result.map_err(|e| RunError::write(&self.path, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Removes temporary files (`.<name>.tmp-<pid>`) that a killed dipcap left in `dir` and its
/// `charts/`: their process no longer exists, and they are never results.
pub fn remove_stale_temporaries(dir: &Path) {
    for d in [dir.to_path_buf(), dir.join("charts")] {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix('.')
                .and_then(|n| n.rsplit_once(".tmp-"))
                .and_then(|(_, pid)| pid.parse::<u32>().ok())
            else {
                continue;
            };
            let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
            if !alive {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

fn temporary(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes `bytes` to `path` atomically: temporary file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Like [`write_atomic`], with the content written by `fill` through a buffer, so a large
/// file (a checkpoint) is streamed to disk instead of first built whole in memory.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), RunError> {
    let tmp = temporary(path);
    let result = (|| {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        fill(&mut f)?;
        let f = f.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(RunError::write(path, e));
    }
    Ok(())
}
