//! Records the versions of the crates that decide the numbers (from Cargo.lock) so every run
//! manifest can say exactly which generator and samplers produced it.
use std::fs;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut found = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            if [
                "rand",
                "rand_core",
                "rand_distr",
                "rand_pcg",
                "rayon",
                "toml",
                "serde",
            ]
            .contains(&n.as_str())
            {
                found.push(format!("{n}={}", v.trim_matches('"')));
            }
        }
    }
    found.sort();
    println!("cargo:rustc-env=DIPCAP_NUMERIC_CRATES={}", found.join(","));
}
