//! The resumable state of a run in progress, in `<out>/.dipcap-parts/` (the folder itself,
//! its lock and its file names are `output::folder`): `plan.json` (what the results depend
//! on), one file of `trials.csv` rows per budget level (appended block by block), and
//! `checkpoint.bin` (the accumulator, the next trial and the length and SHA-256 of each rows
//! file at that moment, the whole closed by its own SHA-256), replaced atomically every few
//! seconds and when the run is stopped. After a kill, `--resume` checks the checkpoint's
//! checksum and each rows file's first bytes against their recorded digest — a damaged or
//! edited part is refused, naming the file, never used — then cuts the rows files back to the
//! checkpoint's lengths and goes on; the outputs are assembled from these files only when the
//! run is complete.
//!
//! Ctrl-C, SIGTERM and SIGHUP set a flag the runner checks between blocks (a second signal
//! exits at once). SIGTERM matters on clusters: Slurm sends it at a job's time limit and on
//! `scancel`, some 30 s before SIGKILL, so a shard stops with a fresh checkpoint.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::error::{InputError, RunError};
use crate::output;
use crate::runner::Start;
use crate::stats::accumulator::Accumulator;
use crate::stats::codec;

/// Format 2 (`DIPCAPC2`): rows files' digests and the closing checksum.
const MAGIC: &[u8; 8] = b"DIPCAPC2";
/// How often the checkpoint is rewritten while a run goes on: every 5 s, or every
/// `DIPCAP_CHECKPOINT_SECONDS` (0 = after every block, as the crash tests use).
fn every() -> Duration {
    std::env::var("DIPCAP_CHECKPOINT_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map_or(Duration::from_secs(5), Duration::from_secs_f64)
}

/// Whether [`stop_flag`] installs dipcap's own signal handler (the command line does).
static HANDLE_SIGNALS: AtomicBool = AtomicBool::new(true);

/// For a host that handles signals itself (the Python module, whose interpreter owns Ctrl-C):
/// dipcap then installs no handler, and the host stops a run by setting [`stop_flag`]'s flag.
pub fn leave_signals_to_host() {
    HANDLE_SIGNALS.store(false, Ordering::SeqCst);
}

/// Installs the handler of Ctrl-C and termination signals (once per process) and returns the
/// flag it sets ([`crate::engine::STOP`]): the trials running stop within milliseconds and
/// their block is dropped, so the run ends at the last whole block, which is saved.
pub fn stop_flag() -> &'static AtomicBool {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if !HANDLE_SIGNALS.load(Ordering::SeqCst) {
        return &crate::engine::STOP;
    }
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if crate::engine::STOP.swap(true, Ordering::SeqCst) {
                eprintln!("\nstopped at once; the last checkpoint can be resumed with --resume");
                std::process::exit(130);
            }
            eprintln!("\nstopping: saving the finished trials (Ctrl-C again to stop at once) …");
        });
    });
    &crate::engine::STOP
}

fn rows_name(level: usize) -> String {
    format!("trials-level-{level}.csv")
}

fn hash(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

pub struct RunParts {
    dir: PathBuf,
    plan: [u8; 32],
    files: Vec<File>,
    /// The SHA-256 of each rows file so far, updated as rows are appended (hashing a file of
    /// gigabytes at every checkpoint would not do).
    hashers: Vec<Sha256>,
    last: Instant,
}

/// Passes bytes through to `inner` and hashes them, for the checkpoint's closing checksum.
struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |e| RunError::write(path, e)
}

impl RunParts {
    /// Starts afresh: any earlier parts are removed.
    pub fn fresh(
        dir: &Path,
        plan_text: &str,
        levels: usize,
        acc: Accumulator,
    ) -> Result<(RunParts, Start), RunError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        output::write_atomic(&dir.join("plan.json"), plan_text.as_bytes())?;
        let files = (0..levels)
            .map(|l| {
                let p = dir.join(rows_name(l));
                File::create(&p).map_err(io(&p))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((
            RunParts {
                dir: dir.to_path_buf(),
                plan: hash(plan_text),
                hashers: vec![Sha256::new(); files.len()],
                files,
                last: Instant::now(),
            },
            Start { acc, next_trial: 0 },
        ))
    }

    /// Continues an interrupted run whose plan is `plan_text`.
    pub fn resume(
        dir: &Path,
        plan_text: &str,
        levels: usize,
    ) -> Result<(RunParts, Start), RunError> {
        let out = dir.parent().unwrap_or(dir).display().to_string();
        let refuse = |problem: String, hint: &str| -> RunError {
            InputError::Option {
                what: "--resume".into(),
                problem,
                hint: hint.into(),
            }
            .into()
        };
        let bytes = std::fs::read(dir.join("checkpoint.bin")).map_err(|_| {
            refuse(
                format!("there is no interrupted run to resume in {out}"),
                "run without --resume (or give the --out of the interrupted run)",
            )
        })?;
        let old_plan = std::fs::read_to_string(dir.join("plan.json")).unwrap_or_default();
        if old_plan != plan_text {
            return Err(refuse(
                format!(
                    "the interrupted run in {out} used other settings (scenario file, seed, trials, target or dipcap version changed)"
                ),
                "run again without --resume to start over, or restore the settings of the interrupted run",
            ));
        }
        let damaged = |why: String| {
            refuse(
                format!("the checkpoint in {out} cannot be read: {why}"),
                "run again without --resume to start over",
            )
        };
        let cp = dir.join("checkpoint.bin");
        if bytes.len() < 8 + 32 + 16 + 32 || &bytes[..8] != MAGIC {
            return Err(damaged(format!(
                "{} is not a checkpoint this dipcap writes (damaged, or from another version)",
                cp.display()
            )));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err(damaged(format!(
                "{} is damaged: its checksum does not match its contents",
                cp.display()
            )));
        }
        if body[8..40] != hash(plan_text) {
            return Err(damaged("not a checkpoint of this run".into()));
        }
        let mut r = codec::Reader::new(&body[40..]);
        let next_trial = r.u64().map_err(damaged)?;
        let n = r.u64().map_err(damaged)?;
        if n != levels as u64 {
            return Err(damaged(format!("{n} levels, the scenario has {levels}")));
        }
        let mut recorded = Vec::with_capacity(levels);
        for _ in 0..levels {
            let len = r.u64().map_err(damaged)?;
            let digest = r.bytes(32).map_err(damaged)?.to_vec();
            recorded.push((len, digest));
        }
        let acc = codec::decode(r.rest()).map_err(damaged)?;
        // Rows written after the checkpoint belong to blocks that will run again; the rows
        // before it must be exactly those the checkpoint recorded.
        let mut files = Vec::with_capacity(levels);
        let mut hashers = Vec::with_capacity(levels);
        for (l, (len, digest)) in recorded.iter().enumerate() {
            let p = dir.join(rows_name(l));
            let mut f = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&p)
                .map_err(|e| damaged(format!("{} cannot be opened ({e})", p.display())))?;
            let have = f.metadata().map_err(io(&p))?.len();
            if have < *len {
                return Err(damaged(format!(
                    "{} holds {have} bytes, fewer than the {len} the checkpoint recorded (it was truncated or replaced)",
                    p.display()
                )));
            }
            let mut h = Sha256::new();
            output::folder::hash_reader(std::io::Read::take(&mut f, *len), &mut h)
                .map_err(io(&p))?;
            if h.clone().finalize().as_slice() != digest.as_slice() {
                return Err(damaged(format!(
                    "{} is damaged: its rows differ from those the checkpoint recorded",
                    p.display()
                )));
            }
            f.set_len(*len).map_err(io(&p))?;
            use std::io::Seek;
            f.seek(std::io::SeekFrom::End(0)).map_err(io(&p))?;
            files.push(f);
            hashers.push(h);
        }
        Ok((
            RunParts {
                dir: dir.to_path_buf(),
                plan: hash(plan_text),
                files,
                hashers,
                last: Instant::now(),
            },
            Start { acc, next_trial },
        ))
    }

    /// Appends a block's rows, level by level.
    pub fn append(&mut self, rows: &[Vec<u8>]) -> Result<(), RunError> {
        for (l, bytes) in rows.iter().enumerate() {
            let p = self.dir.join(rows_name(l));
            self.files[l].write_all(bytes).map_err(io(&p))?;
            self.hashers[l].update(bytes);
        }
        Ok(())
    }

    /// Writes a checkpoint if the last one is older than a few seconds (or `now`).
    pub fn checkpoint(
        &mut self,
        acc: &Accumulator,
        next_trial: u64,
        now: bool,
    ) -> Result<(), RunError> {
        if !now && self.last.elapsed() < every() {
            return Ok(());
        }
        let mut lengths = Vec::with_capacity(self.files.len());
        for (l, f) in self.files.iter_mut().enumerate() {
            let p = self.dir.join(rows_name(l));
            f.flush().map_err(io(&p))?;
            f.sync_data().map_err(io(&p))?;
            lengths.push(f.metadata().map_err(io(&p))?.len());
        }
        // Streamed to the file: the accumulator's encoding grows with its sketches (megabytes
        // after 10⁵ trials), and building it in memory every few seconds made the peak memory
        // of long runs grow with their length.
        let hashers = &self.hashers;
        output::write_atomic_with(&self.dir.join("checkpoint.bin"), |f| {
            let mut w = codec::Writer::new(Hashing {
                inner: f,
                hash: Sha256::new(),
            });
            w.bytes(MAGIC);
            w.bytes(&self.plan);
            w.u64(next_trial);
            w.u64(lengths.len() as u64);
            for (len, h) in lengths.iter().zip(hashers) {
                w.u64(*len);
                w.bytes(h.clone().finalize().as_slice());
            }
            codec::encode_to(acc, &mut w);
            let Hashing { inner, hash } = w.finish()?;
            inner.write_all(hash.finalize().as_slice())
        })?;
        self.last = Instant::now();
        Ok(())
    }

    /// Each level's rows file with its seal, from the hashes kept as rows were appended (a
    /// shard's rows files may be gigabytes: not read again).
    pub fn sealed_rows(&mut self) -> Result<Vec<(PathBuf, output::folder::Seal)>, RunError> {
        let files = self.rows_files()?;
        files
            .into_iter()
            .zip(&self.hashers)
            .map(|(p, h)| {
                let bytes = std::fs::metadata(&p).map_err(io(&p))?.len();
                let sha256 = output::folder::hex(h.clone().finalize().as_slice());
                Ok((p, output::folder::Seal { bytes, sha256 }))
            })
            .collect()
    }

    /// The rows file of each level, for assembling `trials.csv`.
    pub fn rows_files(&mut self) -> Result<Vec<PathBuf>, RunError> {
        for (l, f) in self.files.iter_mut().enumerate() {
            let p = self.dir.join(rows_name(l));
            f.flush().map_err(io(&p))?;
        }
        Ok((0..self.files.len())
            .map(|l| self.dir.join(rows_name(l)))
            .collect())
    }

    pub fn remove(self) -> Result<(), RunError> {
        let dir = self.dir.clone();
        drop(self);
        std::fs::remove_dir_all(&dir).map_err(io(&dir))
    }
}
