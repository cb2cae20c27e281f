//! The `dipcap` binary: parse the command line, call the library, print, map errors to exit
//! codes (2 for bad input, 1 for anything else).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dipcap::app;
use dipcap::error::{InputError, RunError};
use dipcap::output::parquet::Format;

#[derive(Parser)]
#[command(
    name = "dipcap",
    version,
    about = "Simulate what a defence-budget cut does to a country's diplomatic capacity",
    long_about = "dipcap reads a scenario file (TOML) describing a country's defence budget, forces, partners, \
exercises, attaché posts, partner programmes, alliance commitments and crises, simulates years of crises, \
deployments and exercises at several budget levels over many seeded Monte Carlo trials, and writes tidy \
CSV/JSON results. Every run is reproducible from its scenario file and seed, with any number of threads.\n\n\
The model and every scenario key are documented in docs/MODEL.md.",
    after_help = "Examples:\n  dipcap run scenarios/baseline.toml\n  dipcap run scenarios/baseline.toml --trials 20000 --seed 7 --out output/b7\n  dipcap plot output/baseline\n  dipcap sweep scenarios/baseline-sweep.toml\n  dipcap run scenarios/baseline.toml --target-ci response_rate=0.002\n  dipcap validate scenarios/sequestration.toml\n  dipcap init myland && dipcap run myland.toml\n  dipcap schema > scenario.schema.json\n  dipcap trace scenarios/baseline.toml --level 0.7 --trial 12"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Adaptive precision, shared by `run` and `sweep`.
#[derive(Args, Clone)]
struct PrecisionArgs {
    /// Run trials in blocks until the 95% CI half-width of METRIC is at most HALF_WIDTH at
    /// every budget level (and every point of a sweep), e.g. --target-ci response_rate=0.005.
    /// Repeat for several metrics. The blocks are fixed (trials 0..B, B..2B, …), so a rerun
    /// gives the same trials and the same numbers. --trials is then ignored.
    #[arg(long, value_name = "METRIC=HALF_WIDTH", value_parser = parse_target)]
    target_ci: Vec<(dipcap::metrics::Metric, f64)>,
    /// Trials per block with --target-ci.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    block: u64,
    /// Stop after this many trials with --target-ci even if the target is not met.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    max_trials: u64,
}

impl PrecisionArgs {
    fn precision(&self) -> Option<dipcap::runner::Precision> {
        if self.target_ci.is_empty() {
            return None;
        }
        Some(dipcap::runner::Precision {
            targets: self.target_ci.clone(),
            block: self.block,
            max_trials: self.max_trials,
        })
    }
}

fn parse_target(s: &str) -> Result<(dipcap::metrics::Metric, f64), String> {
    let (name, hw) = s.split_once('=').ok_or_else(|| {
        format!("write METRIC=HALF_WIDTH, e.g. response_rate=0.005 (got \"{s}\")")
    })?;
    let metric = dipcap::metrics::Metric::from_name(name.trim()).ok_or_else(|| {
        format!(
            "unknown metric \"{name}\"; use a column of trials.csv, e.g. response_rate, trust_mean, dci"
        )
    })?;
    let hw: f64 = hw
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .ok_or_else(|| {
            format!("the half-width \"{hw}\" must be a positive number in the metric's unit")
        })?;
    Ok((metric, hw))
}

#[derive(Subcommand)]
enum Command {
    /// Run the Monte Carlo simulation and write trials.csv, yearly.csv, summary.csv/json,
    /// partners.csv, percentiles.csv and manifest.json into the output folder, then the
    /// charts (charts/*.png and *.svg) and report.html.
    Run {
        /// Scenario file (TOML), e.g. scenarios/baseline.toml.
        scenario: PathBuf,
        /// Number of trials (default: the scenario's `scenario.trials`).
        #[arg(long)]
        trials: Option<u64>,
        /// Master seed (default: the scenario's `scenario.seed`). Same seed, same numbers.
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads, 1–1024; 0 uses every core. Outputs are identical for any value.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1024))]
        threads: u64,
        /// Output folder (default: output/<scenario name>/). Existing files there are replaced.
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar and no summary on the terminal.
        #[arg(long)]
        quiet: bool,
        /// Write only the data files: no charts and no report.html (redraw later with
        /// `dipcap plot`).
        #[arg(long)]
        no_charts: bool,
        /// Continue a run that was interrupted (Ctrl-C, a kill, a crash) in the same output
        /// folder from its last checkpoint; the outputs are identical to an uninterrupted run.
        #[arg(long)]
        resume: bool,
        /// Run only part I of N of the trials (contiguous, 0-based, e.g. 2/8) into the --out
        /// folder as a shard; `dipcap merge` puts the shards back together, byte-identical to
        /// one run. See cluster/slurm/ for Slurm job arrays.
        #[arg(long, value_name = "I/N", value_parser = dipcap::shard::parse_shard)]
        shard: Option<(usize, usize)>,
        /// csv (default), or parquet: trials and yearly as Parquet — trials/shard=0/part-0.parquet
        /// (a hive-style dataset, one partition per shard) and yearly.parquet — smaller and
        /// faster to load, with the CSVs' values and types. The other files stay CSV.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        #[command(flatten)]
        precision: PrecisionArgs,
    },
    /// Run a parameter sweep: every design point × budget level × trial, with the same crises
    /// for trial k at every point and level. Writes sweep.csv (tidy: point, parameter values,
    /// level, metric, mean, sd, CI), design.csv, sensitivity.csv (tornado, Sobol or Morris),
    /// prim.csv and prim.txt (scenario discovery, when the file asks), manifest.json and charts.
    Sweep {
        /// Sweep file (TOML) naming a scenario, parameters and a design, e.g.
        /// scenarios/baseline-sweep.toml.
        file: PathBuf,
        /// Design: grid (full factorial), lhs (Latin hypercube), sobol (Saltelli sampling for
        /// Sobol indices), morris (elementary effects). Default: the file's.
        #[arg(long)]
        design: Option<String>,
        /// Samples: lhs points; sobol base samples (k + 2 points each); morris trajectories.
        #[arg(long)]
        samples: Option<u64>,
        /// Trials per point and level (default: the file's `sweep.trials`).
        #[arg(long)]
        trials: Option<u64>,
        /// Master seed (default: the file's, else the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads, 1–1024; 0 uses every core. Outputs are identical for any value.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1024))]
        threads: u64,
        /// Output folder (default: output/<sweep name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue an interrupted sweep in the same output folder: points already finished
        /// are kept, the rest are run; the outputs are identical to an uninterrupted run.
        #[arg(long)]
        resume: bool,
        /// Also write sweep_trials.csv: one row per point, level and trial (streamed to disk).
        #[arg(long)]
        trial_rows: bool,
        /// No charts.
        #[arg(long)]
        no_charts: bool,
        /// No progress bar and no summary on the terminal.
        #[arg(long)]
        quiet: bool,
        /// Run only part I of N of the design points (contiguous, 0-based) into the --out
        /// folder as a shard, for `dipcap merge`.
        #[arg(long, value_name = "I/N", value_parser = dipcap::shard::parse_shard)]
        shard: Option<(usize, usize)>,
        /// csv (default), or parquet: sweep.parquet, and with --trial-rows the hive-style
        /// dataset sweep_trials/shard=0/part-0.parquet (one partition per shard).
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        #[command(flatten)]
        precision: PrecisionArgs,
    },
    /// Put the shards of a run or a sweep back together (`--shard I/N`): checks that they
    /// belong to the same scenario, seed and version and cover the work exactly once, then
    /// writes the outputs of the whole run, identical to a run on one machine (execution
    /// fields of the manifest aside), charts and report included.
    Merge {
        /// The shard folders, in any order, e.g. shards/*.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder (default: output/<scenario or sweep name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No charts and no report.html.
        #[arg(long)]
        no_charts: bool,
        /// No summary on the terminal.
        #[arg(long)]
        quiet: bool,
        /// csv or parquet (see `dipcap run --help`); default: the --format the shards were run
        /// with. With parquet, the per-trial rows keep one partition per shard.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// Print the JSON Schema of the scenario format (derived from the types that read it), for
    /// editors that complete and check TOML, e.g. with taplo or Even Better TOML.
    Schema {
        /// The schema of sweep files instead of scenarios.
        #[arg(long)]
        sweep: bool,
    },
    /// Write a commented starter scenario NAME.toml that validates and runs.
    Init {
        /// Scenario name (letters, digits, '-', '_', '.'); also the output folder name.
        name: String,
        /// Write here instead of NAME.toml.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Redraw the charts (and a run's report.html) of an existing output folder from its CSV
    /// and JSON files, without simulating again (same files give identical SVGs).
    Plot {
        /// Output folder of a run or a sweep, e.g. output/baseline.
        output_dir: PathBuf,
    },
    /// Search the scenario's [search] space for the way of absorbing a cut that does best on
    /// an objective at one budget level, subject to constraints. Every candidate runs on the
    /// same trials; the best few race on more trials; the winner's gain over the scenario as
    /// written is re-estimated on fresh trials of another seed (quote that one). Writes
    /// optimise.csv (every estimate), policy.toml (the winner as [[policies]], to paste),
    /// manifest.json, charts/ (the search; the best candidates) and report.html. See
    /// docs/POLICIES.md.
    Optimise {
        /// Scenario file (TOML) with a [search] table, e.g. scenarios/baseline.toml.
        scenario: PathBuf,
        /// Budget level to absorb, a fraction of the baseline below 1, e.g. 0.8.
        #[arg(long)]
        level: f64,
        /// Metric to maximise (`dci`) or minimise (`unfunded:min`); give it twice for two
        /// objectives and get their Pareto front instead of one winner.
        #[arg(long = "objective", value_name = "METRIC[:max|:min]", required = true, value_parser = dipcap::optimise::command::parse_goal)]
        objectives: Vec<dipcap::optimise::Goal>,
        /// A condition on a candidate's mean, e.g. response_rate>=0.95; repeat for several.
        #[arg(long = "constraint", value_name = "METRIC>=X|METRIC<=X", value_parser = dipcap::optimise::command::parse_constraint)]
        constraints: Vec<dipcap::optimise::Constraint>,
        /// Trials per candidate in the screening and the local search (the racing doubles
        /// them, three times).
        #[arg(long, default_value_t = 256)]
        trials: u64,
        /// Candidates the screening and the local search evaluate together.
        #[arg(long, default_value_t = 120)]
        evaluations: usize,
        /// Seed of the search's trials (default: the scenario's `scenario.seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Seed of the fresh trials on which the winner is re-estimated (default: the seed + 1).
        #[arg(long)]
        fresh_seed: Option<u64>,
        /// Fresh trials (default: the scenario's `scenario.trials`).
        #[arg(long)]
        fresh_trials: Option<u64>,
        /// Worker threads, 1–1024; 0 uses every core. Outputs are identical for any value.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1024))]
        threads: u64,
        /// Output folder (default: output/<scenario name>-optimise/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue a search interrupted in the same output folder; the result is the one an
        /// uninterrupted search gives.
        #[arg(long)]
        resume: bool,
        /// No progress bar and no summary on the terminal.
        #[arg(long)]
        quiet: bool,
    },
    /// Check a scenario or sweep file and print a one-screen summary of what it describes.
    Validate {
        /// Scenario or sweep file (TOML).
        scenario: PathBuf,
    },
    /// Write the chronological event log of one trial at one budget level as CSV
    /// (time, event, subject, details), so any surprising trial can be replayed.
    Trace {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Budget level as listed in the scenario, e.g. 0.8.
        #[arg(long)]
        level: f64,
        /// Trial number, as in the `trial` column of trials.csv (0-based).
        #[arg(long)]
        trial: u64,
        /// Master seed (default: the scenario's seed), as used for the run being explained.
        #[arg(long)]
        seed: Option<u64>,
        /// Write the log here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                RunError::Input(_) => ExitCode::from(2),
                // The shell's convention for a program stopped by SIGINT.
                RunError::Interrupted { .. }
                | RunError::SweepInterrupted { .. }
                | RunError::PoliciesInterrupted { .. }
                | RunError::OptimiseInterrupted { .. } => ExitCode::from(130),
                _ => ExitCode::from(1),
            }
        }
    }
}

fn execute(cli: Cli) -> Result<(), RunError> {
    match cli.command {
        Command::Run {
            scenario,
            trials,
            seed,
            threads,
            out,
            quiet,
            no_charts,
            resume,
            shard,
            format,
            precision,
        } => {
            let progress = !quiet && std::io::stderr().is_terminal();
            let report = app::run(&app::RunOptions {
                scenario,
                trials,
                seed,
                threads: threads as usize,
                out,
                progress,
                charts: !no_charts,
                precision: precision.precision(),
                resume,
                shard,
                format,
            })?;
            if !quiet {
                print_run(&report);
            }
            Ok(())
        }
        Command::Sweep {
            file,
            design,
            samples,
            trials,
            seed,
            threads,
            out,
            resume,
            trial_rows,
            no_charts,
            quiet,
            shard,
            format,
            precision,
        } => {
            let report = dipcap::sweep::run(&dipcap::sweep::SweepOptions {
                file,
                overrides: dipcap::sweep::spec::Overrides {
                    design,
                    samples,
                    trials,
                    seed,
                },
                out,
                threads: threads as usize,
                progress: !quiet && std::io::stderr().is_terminal(),
                resume,
                trial_rows,
                charts: !no_charts,
                precision: precision.precision(),
                shard,
                format,
            })?;
            if !quiet {
                print!("{}", report.summary);
            }
            Ok(())
        }
        Command::Merge {
            shards,
            out,
            no_charts,
            quiet,
            format,
        } => {
            let r = dipcap::app::merge(&shards, out, !no_charts, format)?;
            if !quiet {
                print_merge(&r);
            }
            Ok(())
        }
        Command::Schema { sweep } => {
            print!("{}", app::schema(sweep));
            Ok(())
        }
        Command::Init { name, out } => {
            let path = app::init(&name, out.as_deref())?;
            println!(
                "wrote {p}: a commented starter scenario. Check it with `dipcap validate {p}`, run it with `dipcap run {p}`.",
                p = path.display()
            );
            Ok(())
        }
        Command::Plot { output_dir } => {
            let (n, report) = app::plot(&output_dir)?;
            println!(
                "{n} charts (PNG and SVG) in {}/charts/{}",
                output_dir.display(),
                if report {
                    format!(" and {}/report.html", output_dir.display())
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        Command::Optimise {
            scenario,
            level,
            objectives,
            constraints,
            trials,
            evaluations,
            seed,
            fresh_seed,
            fresh_trials,
            threads,
            out,
            resume,
            quiet,
        } => {
            let progress = !quiet && std::io::stderr().is_terminal();
            let r = dipcap::optimise::command::run(&dipcap::optimise::command::CommandOptions {
                scenario,
                level,
                objectives,
                constraints,
                trials,
                evaluations,
                seed,
                fresh_seed,
                fresh_trials,
                threads: threads as usize,
                out,
                progress,
                resume,
            })?;
            if !quiet {
                println!(
                    "{} ({:.1} s, {} threads)",
                    r.search, r.wall_seconds, r.threads
                );
                for l in &r.lines {
                    println!("{l}");
                }
                if let Some(n) = &r.note {
                    println!("note: {n}");
                }
                println!(
                    "results in {}/ ({})",
                    r.out_dir.display(),
                    r.files.join(", ")
                );
            }
            Ok(())
        }
        Command::Validate { scenario } => {
            let text = dipcap::scenario::read_text(&scenario)?;
            if dipcap::scenario::kind_of(&text) == Some(dipcap::scenario::FileKind::Sweep) {
                let sw =
                    dipcap::sweep::spec::load_text(&scenario, &text, None, &Default::default())?;
                print!("{}", app::describe_sweep(&sw, &scenario));
            } else {
                let s = dipcap::scenario::parse_str(&text, &scenario)?;
                print!("{}", app::describe(&s, &scenario));
            }
            Ok(())
        }
        Command::Trace {
            scenario,
            level,
            trial,
            seed,
            out,
        } => {
            let s = dipcap::scenario::load(&scenario)?;
            let seed = seed.unwrap_or(s.seed);
            if trial >= s.trials {
                // Any trial can be simulated, but a run with the scenario's trials has no row
                // for this one to explain: say so rather than trace it silently.
                eprintln!(
                    "warning: trial {trial} is beyond the scenario's {} (trials 0 to {}): it is simulated, but a run with its default trials holds no such row; check --trial against the run's trials.csv",
                    dipcap::output::count(s.trials as usize, "trial", "trials"),
                    s.trials - 1
                );
            }
            let bytes = app::trace(&s, level, trial, seed)?;
            write_trace(out.as_deref(), &bytes)
        }
    }
}

fn print_merge(r: &dipcap::shard::MergeReport) {
    let work = match r.points {
        Some(p) => format!("{p} points × {} trials", r.trials),
        None => format!("{} trials", r.trials),
    };
    println!(
        "merged {} shards ({work}) into {}/ ({})",
        r.shards,
        r.out_dir.display(),
        r.files.join(", ")
    );
}

/// A trace's CSV to the file asked for (saying how many events it holds), else to stdout.
fn write_trace(out: Option<&std::path::Path>, bytes: &[u8]) -> Result<(), RunError> {
    match out {
        Some(path) => {
            check_trace_target(path)?;
            dipcap::output::write_atomic(path, bytes)?;
            eprintln!(
                "wrote {} ({} events)",
                path.display(),
                bytes
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    .saturating_sub(1)
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(bytes)
                .map_err(|e| RunError::write("standard output", e))?;
        }
    }
    Ok(())
}

/// `trace --out` replaces only a file that is missing or a trace dipcap wrote: a folder, a
/// scenario or any other file the user has is refused (a trace once overwrote the scenario it
/// explained).
fn check_trace_target(path: &std::path::Path) -> Result<(), RunError> {
    let refuse = |problem: String, hint: &str| -> RunError {
        InputError::Option {
            what: format!("--out {}", path.display()),
            problem,
            hint: hint.into(),
        }
        .into()
    };
    if path.is_dir() {
        return Err(refuse(
            "is a folder".into(),
            "give the trace a file name, e.g. --out trace-0.7-3.csv",
        ));
    }
    let Ok(mut f) = std::fs::File::open(path) else {
        // Missing (or unreadable: the write then says why).
        return Ok(());
    };
    let mut head = [0u8; 64];
    let n = std::io::Read::read(&mut f, &mut head).unwrap_or(0);
    if n == 0 || head[..n].starts_with(b"time_days,fiscal_year,day_of_year,event,") {
        return Ok(());
    }
    let what = if path.extension().is_some_and(|e| e == "toml") {
        "is a TOML file (a scenario?), not a trace"
    } else {
        "exists and is not a trace dipcap wrote"
    };
    Err(refuse(
        format!("{what}; it would be overwritten"),
        "choose another file name for the trace (or delete the file yourself if it is no longer needed)",
    ))
}

fn print_run(report: &app::RunReport) {
    use dipcap::metrics::Metric;
    if report.means.is_empty() {
        // A shard: its numbers mean something only once merged.
        println!(
            "shard of {} trials x {} levels in {:.2} s ({}); put the shards together with `dipcap merge`\nshard in {}/ ({})",
            report.trials,
            report.levels.len(),
            report.wall_seconds,
            dipcap::output::count(report.threads, "thread", "threads"),
            report.out_dir.display(),
            report.files.join(", ")
        );
        return;
    }
    let run_now = report.trials - report.resumed_at;
    let trial_levels = run_now * report.levels.len() as u64;
    // The simulation time is the manifest's `wall_seconds`; the total adds writing the files.
    println!(
        "{} trials x {} levels simulated in {:.2} s ({:.0} trial-levels/s, {}){}; {:.2} s in all with the output files",
        report.trials,
        report.levels.len(),
        report.sim_seconds,
        trial_levels as f64 / report.sim_seconds.max(1e-9),
        dipcap::output::count(report.threads, "thread", "threads"),
        if report.resumed_at > 0 {
            format!("; resumed at trial {}", report.resumed_at)
        } else {
            String::new()
        },
        report.wall_seconds,
    );
    // The means of summary.csv, in its units (fractions, indices), under its column names.
    println!(
        "{:>7}  {:>14}  {:>20}  {:>10}  {:>7}",
        "level", "response_rate", "exercises_held_share", "trust_mean", "dci"
    );
    for (l, level) in report.levels.iter().enumerate() {
        let mean = |m: Metric| report.means[l][m.index()];
        println!(
            "{:>6.0}%  {:>14.3}  {:>20.3}  {:>10.3}  {:>7.3}",
            level * 100.0,
            mean(Metric::ResponseRate),
            mean(Metric::ExercisesHeldShare),
            mean(Metric::TrustMean),
            mean(Metric::Dci)
        );
    }
    if !report.policies.is_empty() {
        println!(
            "policies at {:.0}% against the scenario as written (paired, same trials; all levels in policies.csv):",
            report.levels.last().copied().unwrap_or(1.0) * 100.0
        );
        for line in &report.policies {
            println!("{line}");
        }
    }
    println!(
        "results in {}/ ({})",
        report.out_dir.display(),
        report.files.join(", ")
    );
}
