//! The degenerate crisis core against queueing theory. With one unit per crisis, exponential
//! durations and no delays it is an M/M/c queue whose patience is the response window: window
//! 0 is the Erlang loss system (fraction unanswered = Erlang B), a finite window θ the M/M/c
//! queue with deterministic patience (M/M/c+D: P(abandon) and the mean wait of those served, in
//! closed form below), an infinite window the Erlang C waiting system (W_q = C(c, a)/(cμ − λ)).
//!
//! **The start-empty transient is removed** by differencing two horizons under common random
//! numbers: each trial is run for 10 and for 40 years with the same seed. Arrivals are drawn
//! in sequence from each crisis type's own stream and the engine is causal, so the first ten
//! years of both runs are the same events; the per-trial differences (unanswered, decided,
//! total wait, answered) count exactly the crises decided in years 10–40, when the queue has
//! long forgotten its empty start. Read whole, the 40-year runs are biased low by up to
//! 4.2 standard errors at 4 000 trials; differenced, every set agrees.
//!
//! Agreement is required within **3 standard errors** of the Monte Carlo estimate (a ratio
//! estimator over independent trials, delta-method SE). With 23 comparisons a correct engine
//! fails about one seed in twenty; the seed is fixed (11), so the tests are deterministic, and
//! a biased engine fails at once.

use crate::common::*;
use dipcap::metrics::Metric;
use dipcap::runner::{RunConfig, run};

fn erlang_b(c: usize, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    b
}

fn erlang_c(c: usize, a: f64) -> f64 {
    let b = erlang_b(c, a);
    c as f64 * b / (c as f64 - a * (1.0 - b))
}

/// M/M/c with FCFS service and deterministic patience θ (a crisis leaves unanswered when its
/// window closes while it waits): P(abandon) and E[wait | served], rates per day. The M/M/c+G
/// result of Baccelli & Hébuterne (1981) with G = 1{x ≥ θ}: with a = λ/μ, unnormalised
/// probabilities π_j = a^j/j! (j < c), d = λ − cμ and the density of the offered wait
/// v(x) = λπ_{c−1}e^{dx} below θ,
///   Z = Σπ_j + λπ_{c−1}(e^{dθ} − 1)/d + λπ_{c−1}e^{dθ}/(cμ),
///   P(abandon) = λπ_{c−1}e^{dθ}/(cμ·Z),
///   E[W | served] = λπ_{c−1}(θe^{dθ}/d − (e^{dθ} − 1)/d²) / Z / (1 − P(abandon)).
/// θ = 0 gives Erlang B, θ = ∞ (with d < 0) Erlang C's W_q.
fn mmc_d(c: usize, lambda: f64, mu: f64, theta: f64) -> (f64, f64) {
    let a = lambda / mu;
    let mut pis = vec![1.0];
    for j in 1..c {
        pis.push(pis[j - 1] * a / j as f64);
    }
    let pc1 = pis[c - 1];
    let d = lambda - c as f64 * mu;
    let (i0, ix, tail) = if theta.is_infinite() {
        assert!(d < 0.0, "an infinite window needs ρ < 1");
        (lambda * pc1 / -d, lambda * pc1 / (d * d), 0.0)
    } else if d.abs() < 1e-15 {
        (
            lambda * pc1 * theta,
            lambda * pc1 * theta * theta / 2.0,
            lambda * pc1 / (c as f64 * mu),
        )
    } else {
        let e = (d * theta).exp();
        (
            lambda * pc1 * (e - 1.0) / d,
            lambda * pc1 * (theta * e / d - (e - 1.0) / (d * d)),
            lambda * pc1 * e / (c as f64 * mu),
        )
    };
    let z = pis.iter().sum::<f64>() + i0 + tail;
    let p_abandon = tail / z;
    (p_abandon, ix / z / (1.0 - p_abandon))
}

/// Ratio estimate Σx/Σy over trials and its standard error (delta method).
fn ratio(x: &[f64], y: &[f64]) -> (f64, f64) {
    let k = x.len() as f64;
    let r = x.iter().sum::<f64>() / y.iter().sum::<f64>();
    let ybar = y.iter().sum::<f64>() / k;
    let var = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - r * b).powi(2))
        .sum::<f64>()
        / (k * (k - 1.0));
    (r, var.sqrt() / ybar)
}

const TRIALS: u64 = 4000;

fn mmc(
    units: i64,
    rate: f64,
    mean_days: f64,
    window: f64,
    years: i64,
    trials: u64,
) -> dipcap::runner::RunResults {
    let mut t = table(&fixture("mmc.toml"));
    set(&mut t, "scenario.years", years.into());
    set(&mut t, "forces.units", units.into());
    set(&mut t, "crises[0].rate", rate.into());
    set(&mut t, "crises[0].duration_days.mean", mean_days.into());
    set(&mut t, "crises[0].window_days", window.into());
    let s = from_table(&t).unwrap();
    run(
        &s,
        &RunConfig {
            trials,
            seed: 11,
            threads: 0,
            precision: None,
        },
    )
    .unwrap()
}

/// Per trial, what was decided in years 10–40: the 40-year run minus the 10-year run of the
/// same trials.
struct Steady {
    unanswered: Vec<f64>,
    decided: Vec<f64>,
    wait_sum: Vec<f64>,
    answered: Vec<f64>,
    /// Still waiting at the end of the 40-year run (mean over trials).
    pending: f64,
}

fn steady(units: i64, rate: f64, mean_days: f64, window: f64) -> Steady {
    let short = mmc(units, rate, mean_days, window, 10, TRIALS);
    let long = mmc(units, rate, mean_days, window, 40, TRIALS);
    let per_trial = |r: &dipcap::runner::RunResults| {
        let answered = r.metric(0, Metric::CrisesAnswered);
        let unanswered = r.metric(0, Metric::CrisesUnanswered);
        let wait: Vec<f64> = r
            .metric(0, Metric::ResponseDays)
            .iter()
            .zip(&answered)
            .map(|(w, n)| if *n > 0.0 { w * n } else { 0.0 })
            .collect();
        (answered, unanswered, wait)
    };
    let (a10, u10, w10) = per_trial(&short);
    let (a40, u40, w40) = per_trial(&long);
    let diff = |x: &[f64], y: &[f64]| -> Vec<f64> { x.iter().zip(y).map(|(a, b)| a - b).collect() };
    let answered = diff(&a40, &a10);
    let unanswered = diff(&u40, &u10);
    let decided = answered
        .iter()
        .zip(&unanswered)
        .map(|(a, u)| a + u)
        .collect();
    Steady {
        wait_sum: diff(&w40, &w10),
        unanswered,
        decided,
        answered,
        pending: mean(&long.metric(0, Metric::CrisesPending)),
    }
}

#[test]
fn the_closed_forms_agree_with_each_other_at_their_limits() {
    for (c, rate, mean_days) in [(4usize, 12.0, 60.0), (2, 8.0, 60.0), (6, 30.0, 45.0)] {
        let (lambda, mu) = (rate / 365.0, 1.0 / mean_days);
        let a = lambda / mu;
        let (p0, w0) = mmc_d(c, lambda, mu, 0.0);
        assert!((p0 - erlang_b(c, a)).abs() < 1e-12, "θ = 0 is Erlang B");
        assert_eq!(w0, 0.0);
        let (pinf, winf) = mmc_d(c, lambda, mu, f64::INFINITY);
        let wq = erlang_c(c, a) / (c as f64 * mu - lambda);
        assert_eq!(pinf, 0.0);
        assert!(
            (winf - wq).abs() < 1e-9 * wq,
            "θ = ∞ is Erlang C: {winf} vs {wq}"
        );
        // A long finite window approaches the waiting system.
        let (p, w) = mmc_d(c, lambda, mu, 1e5);
        assert!(p < 1e-12 && (w - wq).abs() < 1e-6 * wq);
    }
    // Values from an independent discrete-event simulation (2.5·10⁷ days each).
    let (p, w) = mmc_d(4, 12.0 / 365.0, 1.0 / 60.0, 15.0);
    assert!(
        (p - 0.05374).abs() < 5e-5 && (w - 0.5080).abs() < 5e-4,
        "{p} {w}"
    );
}

#[test]
fn window_zero_matches_erlang_b_across_loads() {
    for (c, rate, mean_days) in [(4, 12.0, 60.0), (2, 6.0, 30.0), (6, 40.0, 45.0)] {
        let r = steady(c, rate, mean_days, 0.0);
        let a = rate / 365.0 * mean_days;
        let expected = erlang_b(c as usize, a);
        let (p, se) = ratio(&r.unanswered, &r.decided);
        assert!(
            (p - expected).abs() <= 3.0 * se,
            "c={c} a={a:.3}: simulated {p:.5} ± {se:.5}, Erlang B {expected:.5}"
        );
        assert_eq!(r.pending, 0.0, "with no patience nothing can be pending");
    }
}

#[test]
fn finite_windows_match_mmc_with_deterministic_patience() {
    // Light to heavy traffic, and one overloaded set (ρ = 1.32) that only abandonment keeps
    // stable.
    for (c, rate, mean_days, window) in [
        (4, 12.0, 60.0, 15.0),
        (3, 12.0, 60.0, 30.0),
        (2, 8.0, 60.0, 60.0),
        (6, 40.0, 45.0, 10.0),
        (2, 16.0, 60.0, 20.0),
    ] {
        let r = steady(c, rate, mean_days, window);
        let (lambda, mu) = (rate / 365.0, 1.0 / mean_days);
        let (p_expected, w_expected) = mmc_d(c as usize, lambda, mu, window);
        let (p, se) = ratio(&r.unanswered, &r.decided);
        assert!(
            (p - p_expected).abs() <= 3.0 * se,
            "c={c} rate={rate} θ={window}: unanswered {p:.5} ± {se:.5}, M/M/c+D {p_expected:.5}"
        );
        let (w, se) = ratio(&r.wait_sum, &r.answered);
        assert!(
            (w - w_expected).abs() <= 3.0 * se,
            "c={c} rate={rate} θ={window}: wait of those answered {w:.4} ± {se:.4} days, \
             M/M/c+D {w_expected:.4}"
        );
    }
}

#[test]
fn infinite_window_matches_erlang_c_waiting_time_and_littles_law() {
    // Loads ρ = a/c from 0.49 to 0.66: light traffic, moderate, and heavy enough that waits
    // are long and variable.
    for (c, rate, mean_days) in [
        (4, 12.0, 60.0),
        (3, 12.0, 60.0),
        (2, 8.0, 60.0),
        (6, 30.0, 45.0),
    ] {
        let r = steady(c, rate, mean_days, f64::INFINITY);
        let a = rate / 365.0 * mean_days;
        let (lambda, mu) = (rate / 365.0, 1.0 / mean_days);
        let wq = erlang_c(c as usize, a) / (c as f64 * mu - lambda);
        let (w, se) = ratio(&r.wait_sum, &r.answered);
        assert!(
            (w - wq).abs() <= 3.0 * se,
            "c={c} a={a:.3}: simulated wait {w:.4} ± {se:.4} days, Erlang C {wq:.4}"
        );
        assert_eq!(
            r.unanswered.iter().sum::<f64>(),
            0.0,
            "an infinite window never closes"
        );
        // Little's law for the queue: mean number waiting = λ W_q. Via arrivals per day times
        // the simulated mean wait, compared with the M/M/c closed form L_q = C ρ/(1 − ρ).
        let rho = a / c as f64;
        let lq = erlang_c(c as usize, a) * rho / (1.0 - rho);
        assert!(
            (lambda * w - lq).abs() <= 3.0 * lambda * se,
            "Little's law: λW = {:.4}, L_q = {lq:.4}",
            lambda * w
        );
    }
}

/// P(N ≤ k) for N ~ Poisson(m), by summing the probability mass in log space.
fn poisson_cdf(k: u64, m: f64) -> f64 {
    let mut log_p = -m;
    let mut total = log_p.exp();
    for i in 1..=k {
        log_p += m.ln() - (i as f64).ln();
        total += log_p.exp();
    }
    total.min(1.0)
}

/// Goodness of fit of the counts: a χ² test over ten bins of (nearly) equal Poisson
/// probability, at the 0.1% level (χ²₀.₉₉₉ with 9 degrees of freedom = 27.88). A correct
/// engine fails it once in a thousand seeds; the seed is fixed, so the test is deterministic.
#[test]
fn crisis_counts_pass_a_chi_square_test_against_poisson() {
    let r = mmc(4, 12.0, 60.0, 0.0, 30, 2000);
    let n = r.metric(0, Metric::Crises);
    let m = 12.0 * 30.0;
    // Bin edges at the deciles of Poisson(360).
    let mut edges = Vec::new();
    let mut k = 0u64;
    for d in 1..10 {
        while poisson_cdf(k, m) < d as f64 / 10.0 {
            k += 1;
        }
        edges.push(k);
    }
    let mut observed = [0f64; 10];
    for x in &n {
        let bin = edges.iter().position(|e| (*x as u64) <= *e).unwrap_or(9);
        observed[bin] += 1.0;
    }
    let mut chi2 = 0.0;
    let mut lower = 0.0;
    for (b, o) in observed.iter().enumerate() {
        let upper = if b < 9 { poisson_cdf(edges[b], m) } else { 1.0 };
        let expected = (upper - lower) * n.len() as f64;
        chi2 += (o - expected).powi(2) / expected;
        lower = upper;
    }
    assert!(chi2 < 27.88, "χ² = {chi2:.2} over bins {observed:?}");
}

/// The gaps between arrivals are exponential: a Kolmogorov–Smirnov test of 20 000 gaps at the
/// 0.1% level (critical value 1.949/√n).
#[test]
fn crisis_gaps_pass_a_kolmogorov_smirnov_test_against_exponential() {
    let s = load(&fixture("mmc.toml"));
    let mut gaps = Vec::new();
    let mut crises = Vec::new();
    for trial in 0..100 {
        dipcap::model::crisis::generate(&s, 3, trial, &mut crises);
        let mut last = 0.0;
        for c in &crises {
            gaps.push(c.arrival - last);
            last = c.arrival;
        }
        if gaps.len() >= 20_000 {
            break;
        }
    }
    gaps.truncate(20_000);
    gaps.sort_by(f64::total_cmp);
    let mean_gap = 365.0 / 12.0;
    let n = gaps.len() as f64;
    let d = gaps
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let f = 1.0 - (-g / mean_gap).exp();
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max);
    assert!(
        d < 1.949 / n.sqrt(),
        "D = {d:.5}, critical {:.5}",
        1.949 / n.sqrt()
    );
}

#[test]
fn crisis_arrivals_are_poisson() {
    // 12/yr over 30 years: counts per trial are Poisson(360); check mean and variance.
    let r = mmc(4, 12.0, 60.0, 0.0, 30, 1000);
    let n = r.metric(0, Metric::Crises);
    let m = mean(&n);
    let var = n.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n.len() as f64 - 1.0);
    let se_mean = (360.0f64 / n.len() as f64).sqrt();
    assert!((m - 360.0).abs() < 4.0 * se_mean, "mean count {m}");
    // The sample variance of 1000 Poisson(360) counts has sd ≈ 360·sqrt(2/999) ≈ 16.
    assert!((var - 360.0).abs() < 4.0 * 16.2, "variance {var}");
}
