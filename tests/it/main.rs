//! All integration tests in one binary (one link, shared helpers), by topic.

mod bad_input;
mod bounds;
mod charts;
mod cli;
mod common;
mod crash;
mod damage;
mod fuzz;
mod golden;
mod invariants;
mod layers;
mod mechanisms;
mod misuse;
mod parquet;
mod policies;
mod queueing;
mod reproducibility;
mod schema;
mod shard;
mod sweep;
mod validation_2013;
