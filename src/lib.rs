//! # dipcap — what does a defence-budget cut do to a country's diplomatic capacity?
//!
//! A scenario file describes a country's budget lines, forces, partners, exercises, attaché
//! posts, partner programmes, alliance commitments and the crises it may face. A discrete-event
//! engine simulates years of crises, deployments and exercises at several budget levels; a
//! Monte Carlo runner repeats that over seeded trials in parallel, with common random numbers
//! across levels; results come out as tidy CSV and JSON.
//!
//! ```no_run
//! use std::path::Path;
//! let scenario = dipcap::scenario::load(Path::new("scenarios/baseline.toml")).unwrap();
//! let cfg = dipcap::runner::RunConfig { trials: 100, seed: 1, threads: 0, precision: None };
//! let results = dipcap::runner::run(&scenario, &cfg).unwrap();
//! let rate = results.metric(0, dipcap::metrics::Metric::ResponseRate);
//! println!("mean response rate at full budget: {}", rate.iter().sum::<f64>() / rate.len() as f64);
//! ```
//!
//! Public: the scenario format (`scenario`), the engine (`engine`), the mechanisms (`model`),
//! streams (`rng`), the runner, metrics, statistics, outputs, the commands behind the CLI
//! (`app`) and the sweep's PRIM (`prim`, for the Python module). The model is documented in
//! `docs/MODEL.md`.

pub mod app;
pub mod charts;
pub mod engine;
pub mod error;
pub mod metrics;
pub mod model;
pub mod optimise;
pub mod output;
pub mod parts;
pub mod policies;
pub(crate) mod publish;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub(crate) mod sensitivity;
pub mod shard;
pub mod stats;
pub mod sweep;

/// The sweep's scenario discovery (PRIM), for the Python module (`dipcap.prim`); the rest of
/// `sensitivity` stays the sweep's own.
pub use sensitivity::prim;
