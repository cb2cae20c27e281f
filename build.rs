//! Records the versions of the crates that decide the numbers (from Cargo.lock) so every run
//! manifest can say exactly which generator and samplers produced it, and whether the report's
//! browser test can run here (Chromium, playwright-core and poppler's pdftoppm present): without
//! them that test is marked ignored, which the test summary shows, instead of passing without
//! running.
use std::fs;
use std::path::Path;

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
    // A crate locked at two versions (argmin-math brings rand 0.9 beside dipcap's 0.10) is
    // recorded at the newest, the one dipcap's own requirements select.
    let key = |e: &String| -> (String, Vec<u64>) {
        let (n, v) = e.split_once('=').unwrap_or((e, ""));
        let nums = v
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|p| p.parse().ok())
            .collect();
        (n.to_string(), nums)
    };
    found.sort_by_key(key);
    let mut newest: Vec<String> = Vec::new();
    for e in found {
        if newest.last().is_some_and(|l| key(l).0 == key(&e).0) {
            newest.pop();
        }
        newest.push(e);
    }
    let found = newest;
    println!("cargo:rustc-env=DIPCAP_NUMERIC_CRATES={}", found.join(","));
    browser();
}

/// Sets `cfg(dipcap_browser)` when the report test's browser is installed. Only folders that
/// exist are watched (a missing watched path would rerun this script on every build); they
/// change when Chromium or playwright-core is installed or removed.
fn browser() {
    println!("cargo::rustc-check-cfg=cfg(dipcap_browser)");
    println!("cargo:rerun-if-env-changed=CHROMIUM");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let playwright = Path::new("tests/browser/node_modules/playwright-core");
    for watched in [
        Path::new(&chromium).parent(),
        Some(Path::new("tests/browser")),
    ]
    .into_iter()
    .flatten()
    .filter(|d| d.is_dir())
    {
        println!("cargo:rerun-if-changed={}", watched.display());
    }
    // pdftoppm (poppler-utils) renders the printed report's pages for the half-empty check;
    // Debian installs it in /usr/bin, beside Chromium.
    let pdftoppm = Path::new("/usr/bin/pdftoppm");
    if Path::new(&chromium).is_file() && playwright.is_dir() && pdftoppm.is_file() {
        println!("cargo:rustc-cfg=dipcap_browser");
    }
}
