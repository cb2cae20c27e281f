//! The points of a sweep in parameter units: the main design (grid, Latin hypercube, Saltelli
//! or Morris, from `sensitivity::sampling`) and, for tornado charts, the one-at-a-time points.

use crate::rng::{Process, stream};
use crate::sensitivity::sampling::{self, Role, UnitPoint};

use super::spec::{Design, Parameter, Sweep};

/// One point of the sweep.
#[derive(Debug, Clone)]
pub struct DesignPoint {
    pub id: usize,
    /// Parameter values, in the order of `Sweep::parameters`.
    pub values: Vec<f64>,
    pub unit: Vec<f64>,
    pub role: Role,
}

impl DesignPoint {
    /// Whether the point belongs to the main design (not the one-at-a-time extras).
    pub fn is_main(&self) -> bool {
        !matches!(self.role, Role::OatBase | Role::Oat { .. })
    }
}

fn main_design(s: &Sweep) -> Result<Vec<UnitPoint>, String> {
    let params = &s.parameters;
    let k = params.len();
    let mut rng = stream(s.seed, 0, Process::Design);
    Ok(match s.design {
        Design::Grid => {
            sampling::grid(&params.iter().map(Parameter::grid_steps).collect::<Vec<_>>())
        }
        Design::Lhs => sampling::latin_hypercube(&mut rng, s.samples, k),
        Design::Sobol => sampling::saltelli(s.samples, k, s.seed)?,
        Design::Morris => sampling::morris(&mut rng, s.samples, k, s.morris_levels),
    })
}

/// The number of points a design will have (for limits and progress).
pub fn count(design: Design, samples: usize, params: &[Parameter], tornado: bool) -> usize {
    let k = params.len();
    // Saturating: eight 512-step parameters (2⁷² points) wrapped to 0 and ran 17 points; at
    // usize::MAX the caller's limit refuses them.
    let main = match design {
        Design::Grid => params
            .iter()
            .map(Parameter::grid_steps)
            .try_fold(1usize, usize::checked_mul)
            .unwrap_or(usize::MAX),
        Design::Lhs => samples,
        Design::Sobol => samples.saturating_mul(k + 2),
        Design::Morris => samples.saturating_mul(k + 1),
    };
    main.saturating_add(if tornado { 2 * k + 1 } else { 0 })
}

/// Every point of the sweep, main design first, with ids 0, 1, ….
pub fn build(s: &Sweep) -> Result<Vec<DesignPoint>, String> {
    let mut unit = main_design(s)?;
    if s.tornado {
        let base: Vec<f64> = s.parameters.iter().map(|p| p.unit(p.base)).collect();
        unit.extend(sampling::one_at_a_time(&base));
    }
    Ok(unit
        .into_iter()
        .enumerate()
        .map(|(id, p)| {
            let values = s
                .parameters
                .iter()
                .zip(&p.u)
                .map(|(param, u)| match p.role {
                    // The centre is the scenario's own value exactly, not its round trip
                    // through the unit cube.
                    Role::OatBase => param.base,
                    Role::Oat { param: i, .. } if s.parameters[i].key != param.key => param.base,
                    _ => param.value(*u),
                })
                .collect();
            DesignPoint {
                id,
                values,
                unit: p.u,
                role: p.role,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::spec::Scale;

    /// Eight parameters of 512 steps are 2⁷² grid points: the count saturates (and the sweep's
    /// limit refuses it) instead of wrapping to 0 and running 17 points.
    #[test]
    fn a_huge_grid_saturates_instead_of_wrapping() {
        let p = Parameter {
            key: "forces.units".into(),
            label: "units".into(),
            min: 1.0,
            max: 512.0,
            scale: Scale::Linear,
            values: None,
            steps: 512,
            base: 12.0,
            integer: true,
        };
        let params = vec![p; 8];
        assert_eq!(count(Design::Grid, 0, &params, true), usize::MAX);
        assert_eq!(count(Design::Grid, 0, &params[..2], false), 512 * 512);
        assert_eq!(
            count(Design::Sobol, usize::MAX / 2, &params, false),
            usize::MAX
        );
    }
}
