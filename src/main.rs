//! The `dipcap` binary: parse the command line, call the library, print, map errors to exit
//! codes (2 for bad input, 1 for anything else).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dipcap::app;
use dipcap::error::RunError;

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
    after_help = "Examples:\n  dipcap run scenarios/baseline.toml\n  dipcap run scenarios/baseline.toml --trials 20000 --seed 7 --out output/b7\n  dipcap plot output/baseline\n  dipcap validate scenarios/sequestration.toml\n  dipcap trace scenarios/baseline.toml --level 0.7 --trial 12"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        /// Worker threads; 0 uses every core. Outputs are identical for any value.
        #[arg(long, default_value_t = 0)]
        threads: usize,
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
    },
    /// Redraw the charts and report.html of an existing output folder from its CSV and JSON
    /// files, without simulating again (same files give identical SVGs).
    Plot {
        /// Output folder of a run, e.g. output/baseline.
        output_dir: PathBuf,
    },
    /// Check a scenario file and print a one-screen summary of what it describes.
    Validate {
        /// Scenario file (TOML).
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
        } => {
            let progress = !quiet && std::io::stderr().is_terminal();
            let report = app::run(&app::RunOptions {
                scenario,
                trials,
                seed,
                threads,
                out,
                progress,
                charts: !no_charts,
            })?;
            if !quiet {
                print_run(&report);
            }
            Ok(())
        }
        Command::Plot { output_dir } => {
            let n = app::plot(&output_dir)?;
            println!(
                "{n} charts (PNG and SVG) in {}/charts/ and {}/report.html",
                output_dir.display(),
                output_dir.display()
            );
            Ok(())
        }
        Command::Validate { scenario } => {
            let s = dipcap::scenario::load(&scenario)?;
            print!("{}", app::describe(&s, &scenario));
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
            let bytes = app::trace(&s, level, trial, seed)?;
            match out {
                Some(path) => {
                    dipcap::output::write_atomic(&path, &bytes)?;
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
                        .write_all(&bytes)
                        .map_err(|e| RunError::write("standard output", e))?;
                }
            }
            Ok(())
        }
    }
}

fn print_run(report: &app::RunReport) {
    use dipcap::metrics::Metric;
    let r = &report.results;
    let trials_run = r.trials * r.levels.len() as u64;
    println!(
        "{} trials x {} levels in {:.2} s ({:.0} trial-levels/s, {:.2e} events/s, {} threads)",
        r.trials,
        r.levels.len(),
        report.wall_seconds,
        trials_run as f64 / report.wall_seconds,
        r.events() as f64 / report.wall_seconds,
        r.threads
    );
    println!(
        "{:>7}  {:>14}  {:>14}  {:>14}  {:>14}",
        "level", "response_rate", "exercises_held", "trust_mean", "dci"
    );
    for (l, level) in r.levels.iter().enumerate() {
        let mean = |m: Metric| {
            let v = r.metric(l, m);
            v.iter().sum::<f64>() / v.len() as f64
        };
        println!(
            "{:>6.0}%  {:>14.3}  {:>14.1}  {:>14.3}  {:>14.3}",
            level * 100.0,
            mean(Metric::ResponseRate),
            mean(Metric::ExercisesHeld),
            mean(Metric::TrustMean),
            mean(Metric::Dci)
        );
    }
    println!(
        "results in {}/ ({})",
        report.out_dir.display(),
        report.files.join(", ")
    );
}
