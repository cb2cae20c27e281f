//! Random streams. Every random process of a trial draws from its own generator, seeded from
//! (run seed, trial, process) alone, so adding a draw to one process never shifts another and a
//! trial's world is the same at every budget level (common random numbers).
//!
//! The generator is named and portable: PCG-XSL-RR-128/64 (MCG), `rand_pcg::Pcg64Mcg`, whose
//! output is fixed by its reference vectors. The seed derivation is SplitMix64, written here.

use rand_pcg::Pcg64Mcg;

/// The generator, as recorded in run manifests.
pub const GENERATOR: &str =
    "Pcg64Mcg (PCG XSL RR 128/64 MCG, rand_pcg) seeded by SplitMix64(seed, trial, process)";

pub type StreamRng = Pcg64Mcg;

/// The random processes of a trial. Crisis types use `Crisis(i)`; values are part of the
/// reproducibility contract: renumbering them changes every result.
#[derive(Debug, Clone, Copy)]
pub enum Process {
    /// The arrival process and attributes of crisis type `i`.
    Crisis(u32),
    /// Exogenous economy: GDP growth per year.
    Economy,
    /// Sweep designs (Latin hypercube, Morris trajectories); `trial` is 0.
    Design,
    /// Bootstrap resampling of sensitivity indices; `trial` numbers the index.
    Bootstrap,
    /// The partners' decisions on joint programme `j`: one uniform per fiscal year, compared
    /// with the exit hazard.
    Joint(u32),
    /// Partners' decisions to contribute to the crises of type `i`: one uniform per crisis.
    Assist(u32),
    /// Partner `p`'s invitations to its own exercises: per fiscal year, the uniform its
    /// invitation chance is compared with and the uniform that places the exercise in the year.
    Invite(u32),
}

impl Process {
    fn id(self) -> u64 {
        match self {
            Process::Economy => 1,
            Process::Design => 2,
            Process::Bootstrap => 3,
            Process::Crisis(i) => 1_000 + u64::from(i),
            Process::Joint(j) => 2_000 + u64::from(j),
            Process::Assist(i) => 3_000 + u64::from(i),
            Process::Invite(p) => 4_000 + u64::from(p),
        }
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator for one process of one trial.
pub fn stream(seed: u64, trial: u64, process: Process) -> StreamRng {
    let mut s = seed;
    let a = splitmix64(&mut s);
    let mut s = a ^ trial.wrapping_mul(0xD1B5_4A32_D192_ED03);
    let b = splitmix64(&mut s);
    let mut s = b ^ process.id().wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
    let hi = splitmix64(&mut s);
    let lo = splitmix64(&mut s);
    // Pcg64Mcg::new forces the low bit of an MCG state to 1 itself; any 128-bit value is valid.
    Pcg64Mcg::new((u128::from(hi) << 64) | u128::from(lo))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = stream(7, 3, Process::Crisis(0));
                move |_| r.next_u64()
            })
            .collect();
        let mut r = stream(7, 3, Process::Crisis(0));
        let b: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
        let mut other = stream(7, 4, Process::Crisis(0));
        assert_ne!(a[0], other.next_u64());
        let mut other = stream(7, 3, Process::Crisis(1));
        assert_ne!(a[0], other.next_u64());
        let mut other = stream(8, 3, Process::Crisis(0));
        assert_ne!(a[0], other.next_u64());
    }

    /// Pins the generator's output: if a crate upgrade changed it, every result would change.
    #[test]
    fn generator_output_is_pinned() {
        let mut r = stream(1, 0, Process::Economy);
        let first = r.next_u64();
        let mut again = stream(1, 0, Process::Economy);
        assert_eq!(first, again.next_u64());
        assert_eq!(format!("{:016x}", first), PINNED_FIRST_DRAW);
    }

    const PINNED_FIRST_DRAW: &str = "a944048aa50bfed3";
}
