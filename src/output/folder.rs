//! The output folder: the names of the files a run, a shard or a sweep writes there, the
//! lock that keeps a second dipcap out while one writes, and the temporary files through which
//! every file is written whole (temporary name beside its target, fsync, rename), so a crash
//! never leaves a half-written file, and the [`Seal`] (length and SHA-256) by which a part
//! file is checked before it is used again. Every other module names a file of the folder through the
//! constants here.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{InputError, RunError};

/// Per-trial rows of a run.
pub const TRIALS: &str = "trials.csv";
/// Per level, year and yearly metric.
pub const YEARLY: &str = "yearly.csv";
/// The Parquet dataset of the trials (`--format parquet`): `trials/shard=I/part-0.parquet`.
pub const TRIALS_DATASET: &str = "trials";
/// The tables a Parquet folder holds as single Parquet files instead of CSV.
pub const PARQUET_COPIES: [&str; 2] = ["yearly.parquet", "sweep.parquet"];
/// The Parquet dataset of a sweep's per-trial rows: `sweep_trials/shard=I/part-0.parquet`.
pub const SWEEP_TRIALS_DATASET: &str = "sweep_trials";
/// Per level and metric, with the paired difference from the baseline level.
pub const SUMMARY: &str = "summary.csv";
/// Each policy against the scenario as written, when the scenario has `[[policies]]`.
pub const POLICIES: &str = "policies.csv";
/// `dipcap optimise`: every candidate's estimates.
pub const OPTIMISE: &str = "optimise.csv";
/// `dipcap optimise`: the winner (or the front) as `[[policies]]` entries to paste.
pub const POLICY_TOML: &str = "policy.toml";
/// The summary with the metric descriptions.
pub const SUMMARY_JSON: &str = "summary.json";
/// Per level and partner.
pub const PARTNERS: &str = "partners.csv";
/// Per level, fiscal year and partner: year-end trust and interoperability.
pub const PARTNERS_YEARLY: &str = "partners_yearly.csv";
/// Per level and metric, the 0th to 100th percentiles.
pub const PERCENTILES: &str = "percentiles.csv";
/// What produced the folder.
pub const MANIFEST: &str = "manifest.json";
/// The self-contained report.
pub const REPORT: &str = "report.html";
/// The charts' subfolder.
pub const CHARTS: &str = "charts";
/// Marks a shard's folder, with what `merge` needs to check it.
pub const SHARD: &str = "shard.json";
/// A run shard's accumulator.
pub const ACCUMULATOR: &str = "accumulator.bin";
/// A sweep's per-point rows.
pub const SWEEP: &str = "sweep.csv";
/// A sweep's per-point, per-trial rows (`--trial-rows`).
pub const SWEEP_TRIALS: &str = "sweep_trials.csv";
/// A sweep's design points.
pub const DESIGN: &str = "design.csv";
/// A run shard's part of the policies' comparison (exact sums and the policies' accumulators).
pub const POLICIES_PART: &str = "policies.bin";
/// A sweep's per-point policy estimates (scenario with `[[policies]]`).
pub const SWEEP_POLICIES: &str = "sweep_policies.csv";
/// Robust choice among a sweep's policies: regret and satisficing per policy.
pub const ROBUST: &str = "robust.csv";
/// A sweep's sensitivity indices.
pub const SENSITIVITY: &str = "sensitivity.csv";
/// A sweep's PRIM trajectory, and its chosen box in words.
pub const PRIM: &str = "prim.csv";
pub const PRIM_TEXT: &str = "prim.txt";
/// The resumable state of a run or sweep in progress (`crate::parts`).
pub const PARTS: &str = ".dipcap-parts";
/// The lock file (see [`lock`]).
pub const LOCK: &str = ".dipcap-lock";

fn io(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |e| RunError::write(path, e)
}

/// Refuses an output path that is an existing file, or whose nearest existing ancestor is not
/// a writable folder, before hours of simulation are spent.
pub fn check_out_dir(dir: &Path) -> Result<(), InputError> {
    let refuse = |problem: String, hint: &str| InputError::Option {
        what: format!("--out {}", dir.display()),
        problem,
        hint: hint.into(),
    };
    // Only the folder's own name needs room for the longer name dipcap stages it under.
    if let Some(long) = dir
        .file_name()
        .filter(|c| c.len() > crate::scenario::MAX_NAME_BYTES)
    {
        return Err(refuse(
            format!(
                "the name \"{}…\" is {} bytes long, more than the {} an output folder's name may have (file systems allow 255, and dipcap builds the folder beside it under a longer name)",
                long.to_string_lossy().chars().take(24).collect::<String>(),
                long.len(),
                crate::scenario::MAX_NAME_BYTES
            ),
            "choose a shorter folder name",
        ));
    }
    if let Ok(target) = std::fs::read_link(dir)
        && !dir.exists()
    {
        return Err(refuse(
            format!(
                "is a symbolic link to {}, which does not exist",
                target.display()
            ),
            "create the folder the link points to, remove the link, or choose another --out",
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(InputError::Option {
            what: format!("--out {}", dir.display()),
            problem: "exists and is not a folder".into(),
            hint: "choose a folder path for the results".into(),
        });
    }
    let mut probe = dir.to_path_buf();
    while !probe.exists() {
        match probe.parent() {
            Some(p) if !p.as_os_str().is_empty() => probe = p.to_path_buf(),
            _ => {
                probe = PathBuf::from(".");
                break;
            }
        }
    }
    let readonly = std::fs::metadata(&probe)
        .map(|m| m.permissions().readonly())
        .unwrap_or(true);
    if !probe.is_dir() || readonly {
        return Err(InputError::Option {
            what: format!("--out {}", dir.display()),
            problem: format!("{} is not a writable folder", probe.display()),
            hint: "choose an output folder you can write to".into(),
        });
    }
    Ok(())
}

/// `<out>/.dipcap-lock`, held locked while a run, sweep or merge writes to `out` (see [`lock`]).
/// Dropping it — at the end of the command, on an error or a panic — removes the file and then
/// releases the lock: only a guard that holds the lock removes the file, so a dipcap refused by
/// another one never deletes that one's lock. After a SIGKILL the file stays, unlocked, and the
/// next dipcap simply takes it.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    _file: File,
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still held; the lock itself goes with the file handle just after.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Locks `<out>/.dipcap-lock` while a run or sweep writes to `out`: a second dipcap on the same
/// folder is refused instead of mixing its parts with the first one's. The operating system
/// releases the lock when the process ends, however it ends.
pub fn lock(out: &Path) -> Result<FolderLock, RunError> {
    std::fs::create_dir_all(out).map_err(io(out))?;
    let path = out.join(LOCK);
    let f = File::create(&path).map_err(io(&path))?;
    match f.try_lock() {
        Ok(()) => Ok(FolderLock { path, _file: f }),
        Err(std::fs::TryLockError::WouldBlock) => Err(InputError::Option {
            what: format!("--out {}", out.display()),
            problem: "another dipcap is writing to this folder".into(),
            hint: "wait for it to finish, or choose another --out".into(),
        }
        .into()),
        Err(std::fs::TryLockError::Error(e)) => Err(RunError::write(&path, e)),
    }
}

/// A file written under a temporary name beside its target and renamed into place by
/// [`AtomicFile::commit`]: for outputs too large to build in memory. Dropped without a commit,
/// the temporary file is removed.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    /// What has been written, hashed on the way (for [`AtomicFile::commit_sealed`]).
    sealing: (sha2::Sha256, u64),
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, RunError> {
        let tmp = temporary(path);
        let file = std::fs::File::create(&tmp).map_err(|e| RunError::write(path, e))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
            sealing: Default::default(),
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), RunError> {
        use sha2::Digest;
        match self.file.as_mut() {
            Some(f) => {
                self.sealing.0.update(bytes);
                self.sealing.1 += bytes.len() as u64;
                f.write_all(bytes)
                    .map_err(|e| RunError::write(&self.path, e))
            }
            None => Ok(()),
        }
    }

    /// Appends a file's contents, streamed.
    pub fn append_file(&mut self, from: &Path) -> Result<(), RunError> {
        use std::io::Read;
        let mut src = std::fs::File::open(from).map_err(|e| RunError::write(from, e))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let k = match src.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(k) => k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(RunError::write(from, e)),
            };
            self.write_all(&buf[..k])?;
        }
    }

    /// Appends a file's lines, each after `prefix` (a leading column), streamed.
    pub fn append_file_prefixed(&mut self, from: &Path, prefix: &[u8]) -> Result<(), RunError> {
        use std::io::BufRead;
        let src = std::fs::File::open(from).map_err(|e| RunError::write(from, e))?;
        let mut reader = std::io::BufReader::with_capacity(1 << 16, src);
        let mut line = Vec::new();
        loop {
            line.clear();
            let k = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| RunError::write(from, e))?;
            if k == 0 {
                return Ok(());
            }
            self.write_all(prefix)?;
            self.write_all(&line)?;
        }
    }

    /// [`AtomicFile::commit`], returning the seal of what was written.
    pub fn commit_sealed(mut self) -> Result<Seal, RunError> {
        use sha2::Digest;
        let (h, bytes) = std::mem::take(&mut self.sealing);
        self.commit()?;
        Ok(Seal {
            bytes,
            sha256: hex(&h.finalize()),
        })
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
    for d in [dir.to_path_buf(), dir.join(CHARTS)] {
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

/// An output folder built whole beside its target (`<parent>/.<name>.staging-<pid>`) and
/// swapped in by [`Staging::commit`]: a reader of the target sees the earlier results or the
/// new ones, never a mixture, whatever happens in between (a kill, a full disk, an unwritable
/// file). Dropped without a commit, the staged folder is removed and the target is untouched.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

/// Whether `rel` (a path inside an output folder: `summary.csv`, `charts/fan-dci.png`) is a
/// file dipcap writes there. Everything else — a user's notes, the lock, the parts of a run in
/// progress — is carried over into the new folder when one replaces it. `old_charts` is the
/// list the earlier folder's manifest gives of its charts (`None` for a folder written before
/// manifests listed them: then every SVG and PNG in `charts/` counts as dipcap's).
fn owned(rel: &Path, old_charts: Option<&[String]>, sealed: &[String]) -> bool {
    // The Parquet files are dipcap's when the earlier folder's manifest sealed them: a dataset
    // whole (neither a partition left from a run with more shards nor an earlier Parquet run's
    // dataset survives beside new results), a single file by name. A user's own file of the
    // same name, which no manifest sealed, is kept.
    if let Some(std::path::Component::Normal(top)) = rel.components().next()
        && (top == TRIALS_DATASET || top == SWEEP_TRIALS_DATASET)
    {
        let prefix = format!("{}/", top.to_string_lossy());
        return sealed.iter().any(|s| s.starts_with(&prefix));
    }
    if PARQUET_COPIES.iter().any(|p| rel == Path::new(p)) {
        return sealed.iter().any(|s| rel == Path::new(s));
    }
    let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(name) = name else { return false };
    let parent = rel.parent().map(|p| p.to_string_lossy().into_owned());
    match parent.as_deref() {
        Some("") | None => {
            [
                TRIALS,
                YEARLY,
                SUMMARY,
                SUMMARY_JSON,
                PARTNERS,
                PARTNERS_YEARLY,
                PERCENTILES,
                POLICIES,
                OPTIMISE,
                POLICY_TOML,
                MANIFEST,
                REPORT,
                SHARD,
                ACCUMULATOR,
                SWEEP,
                SWEEP_TRIALS,
                SWEEP_POLICIES,
                ROBUST,
                DESIGN,
                SENSITIVITY,
                PRIM,
                PRIM_TEXT,
                "points",
            ]
            .contains(&name.as_str())
                || (name.starts_with("trials-level-") && name.ends_with(".csv"))
                || name == POLICIES_PART
                || (name.starts_with("policy-")
                    && name.contains("-level-")
                    && name.ends_with(".csv"))
                || (name.starts_with('.') && name.contains(".tmp-"))
        }
        Some(CHARTS) => match old_charts {
            Some(list) => list.contains(&name),
            None => name.ends_with(".svg") || name.ends_with(".png"),
        },
        _ => false,
    }
}

impl Staging {
    pub fn new(target: &Path) -> Result<Staging, RunError> {
        // A target that is a symbolic link (to scratch storage, say) is the folder it points
        // to: that folder is replaced, the link stays.
        if std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink()) {
            let real = std::fs::canonicalize(target).map_err(io(target))?;
            return Staging::new(&real);
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let name = match target.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            // `.` or `..`: stage beside the folder it names.
            None => {
                let abs = std::fs::canonicalize(target).map_err(io(target))?;
                return Staging::new(&abs);
            }
        };
        recover_stale(parent, &name, target)?;
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        std::fs::create_dir(&dir).map_err(io(&dir))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
        })
    }

    /// Where the new folder is being built.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staged folder in for the target (atomically where the system can exchange
    /// two folders, Linux's `renameat2`), carries over what of the earlier folder dipcap did
    /// not write, and removes the rest of it.
    pub fn commit(mut self) -> Result<(), RunError> {
        self.committed = true;
        if !self.target.exists() {
            return std::fs::rename(&self.dir, &self.target).map_err(io(&self.target));
        }
        let old = if exchange(&self.dir, &self.target) {
            self.dir.clone()
        } else {
            // Two renames: between them the target is missing, never mixed.
            let name = self.dir.file_name().unwrap_or_default().to_string_lossy();
            let old = self.dir.with_file_name(name.replace(".staging-", ".old-"));
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
            std::fs::rename(&self.dir, &self.target).map_err(io(&self.target))?;
            old
        };
        carry(
            &old,
            &self.target,
            Path::new(""),
            charts_of(&old).as_deref(),
            &sealed_of(&old),
        )?;
        std::fs::remove_dir_all(&old).map_err(io(&old))
    }
}

/// The files a folder's manifest seals (none without a readable manifest).
fn sealed_of(dir: &Path) -> Vec<String> {
    std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| {
            v.get("seals")?
                .as_object()
                .map(|m| m.keys().cloned().collect())
        })
        .unwrap_or_default()
}

/// The charts a folder's manifest says dipcap wrote there, if it says.
fn charts_of(dir: &Path) -> Option<Vec<String>> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(MANIFEST)).ok()?).ok()?;
    serde_json::from_value(v.get("charts")?.clone()).ok()
}

/// A dipcap killed while it swapped folders may leave `.<name>.staging-<pid>` (a folder being
/// built, or the earlier folder not yet emptied of the user's files) or, where folders cannot
/// be exchanged, `.<name>.old-<pid>` (the earlier folder, with the target not yet in place).
/// What of them is the user's goes back into the target, the earlier folder comes back if the
/// target is missing, and the rest is removed.
fn recover_stale(parent: &Path, name: &str, target: &Path) -> Result<(), RunError> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let (kind, pid) = match rest.split_once('-') {
            Some((k @ ("staging" | "old"), pid)) => match pid.parse::<u32>() {
                Ok(pid) => (k, pid),
                Err(_) => continue,
            },
            _ => continue,
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let stale = e.path();
        if !target.exists() && kind == "old" {
            std::fs::rename(&stale, target).map_err(io(target))?;
            continue;
        }
        if target.exists() {
            carry(
                &stale,
                target,
                Path::new(""),
                charts_of(&stale).as_deref(),
                &sealed_of(&stale),
            )?;
        }
        std::fs::remove_dir_all(&stale).map_err(io(&stale))?;
    }
    Ok(())
}

/// Moves what of the folder `from` (relative path `rel`) dipcap does not own into `to`,
/// unless `to` already has something of that name.
fn carry(
    from: &Path,
    to: &Path,
    rel: &Path,
    old_charts: Option<&[String]>,
    sealed: &[String],
) -> Result<(), RunError> {
    let Ok(entries) = std::fs::read_dir(from.join(rel)) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let r = rel.join(e.file_name());
        if rel.as_os_str().is_empty() && e.file_name() == CHARTS && e.path().is_dir() {
            carry(from, to, &r, old_charts, sealed)?;
            continue;
        }
        if owned(&r, old_charts, sealed) || to.join(&r).exists() {
            continue;
        }
        if let Some(p) = to.join(&r).parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        std::fs::rename(from.join(&r), to.join(&r)).map_err(io(&to.join(&r)))?;
    }
    Ok(())
}

/// Puts a copy of the file `from` at `to` without touching `from`: a hard link where the two
/// are on one file system, else a copy. Shards put their parts into the folder they stage
/// this way, so that a failure before the swap loses nothing.
pub fn link_or_copy(from: &Path, to: &Path) -> Result<(), RunError> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).map(|_| ()).map_err(io(to))
}

/// Exchanges two folders in one step; false where the system cannot.
fn exchange(a: &Path, b: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (Ok(ca), Ok(cb)) = (
            std::ffi::CString::new(a.as_os_str().as_bytes()),
            std::ffi::CString::new(b.as_os_str().as_bytes()),
        ) else {
            return false;
        };
        // SAFETY: two valid NUL-terminated paths; renameat2 only reads them.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        r == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        false
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// What a part file held when it was written: its length and SHA-256. Shards record one per
/// file in `shard.json`, a sweep one per finished point beside it, so that `merge` and
/// `--resume` use a part only if it is still exactly what was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seal {
    pub bytes: u64,
    pub sha256: String,
}

/// Feeds everything `r` yields to `h` (sha2 0.11's hashers are not `io::Write`); returns the
/// number of bytes.
pub fn hash_reader(mut r: impl std::io::Read, h: &mut sha2::Sha256) -> std::io::Result<u64> {
    use sha2::Digest;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(n),
            Ok(k) => {
                h.update(&buf[..k]);
                n += k as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Seal {
    pub fn of_bytes(bytes: &[u8]) -> Seal {
        use sha2::Digest;
        Seal {
            bytes: bytes.len() as u64,
            sha256: hex(&sha2::Sha256::digest(bytes)),
        }
    }

    /// The seal of a file as it is now (streamed: shards' rows files can be large).
    pub fn of_file(path: &Path) -> std::io::Result<Seal> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        let bytes = hash_reader(File::open(path)?, &mut h)?;
        Ok(Seal {
            bytes,
            sha256: hex(&h.finalize()),
        })
    }

    /// Why the file at `path` is not what this seal recorded, if it is not.
    pub fn mismatch(&self, path: &Path) -> Option<String> {
        match Seal::of_file(path) {
            Err(e) => Some(format!("cannot be read ({e})")),
            Ok(now) if now.bytes != self.bytes => Some(format!(
                "holds {} bytes where {} were written (it was truncated, extended or replaced)",
                now.bytes, self.bytes
            )),
            Ok(now) if now.sha256 != self.sha256 => Some(
                "is not the file that was written: its SHA-256 differs (it was damaged or edited)"
                    .into(),
            ),
            Ok(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A second dipcap on a locked folder is refused and leaves the first one's lock in place;
    /// the guard removes the lock file when dropped, and the folder can be locked again.
    #[test]
    fn the_folder_lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK);
        let first = lock(dir.path()).unwrap();
        let refused = lock(dir.path()).unwrap_err().to_string();
        assert!(
            refused.contains("another dipcap is writing to this folder"),
            "{refused}"
        );
        assert!(path.exists(), "a refused dipcap removed the holder's lock");
        drop(first);
        assert!(!path.exists(), "the lock file outlived its guard");
        let again = lock(dir.path()).unwrap();
        assert!(path.exists());
        drop(again);
    }
}
