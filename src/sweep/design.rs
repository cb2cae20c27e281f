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
    let main = match design {
        Design::Grid => params.iter().map(Parameter::grid_steps).product(),
        Design::Lhs => samples,
        Design::Sobol => samples * (k + 2),
        Design::Morris => samples * (k + 1),
    };
    main + if tornado { 2 * k + 1 } else { 0 }
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
