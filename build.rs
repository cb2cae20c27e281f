//! Records the versions of the crates that decide the numbers (from Cargo.lock) so every run
//! manifest can say exactly which generator and samplers produced it.
use std::fs;

const NUMERIC_CRATES: [&str; 7] = [
    "rand",
    "rand_core",
    "rand_distr",
    "rand_pcg",
    "rayon",
    "serde",
    "toml",
];

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut found = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take())
            && NUMERIC_CRATES.contains(&n.as_str())
        {
            found.push(format!("{n}={}", v.trim_matches('"')));
        }
    }
    found.sort();
    println!("cargo:rustc-env=DIPCAP_NUMERIC_CRATES={}", found.join(","));
}
