//! The native half of the `dipcap` Python module (PyO3): a scenario loaded from a file or a
//! dict and validated by dipcap's own validator, values set by key path as a sweep sets them,
//! and a run through dipcap's own `run` command into a private folder, whose CSV files come
//! back as bytes — the very bytes the command line writes for the same scenario, seed and
//! trials. The GIL is released while trials run, and Ctrl-C stops a run cleanly (dipcap's
//! stop flag, as on the command line). `dipcap/__init__.py` turns the bytes into DataFrames.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict};

use dipcap::error::{InputError, RunError};

create_exception!(
    _native,
    ScenarioError,
    PyValueError,
    "A scenario dipcap refuses: `key` names the TOML key (or option), `problem` says what is wrong and `hint` how to fix it."
);

/// A Python `ScenarioError` carrying the error's parts as attributes.
fn scenario_error(py: Python<'_>, e: &InputError) -> PyErr {
    let (key, problem, hint) = match e {
        InputError::Read { reason, hint, .. } => (String::new(), reason.clone(), hint.clone()),
        InputError::Syntax {
            line,
            column,
            message,
            hint,
            ..
        } => (
            format!("line {line}, column {column}"),
            message.clone(),
            hint.clone(),
        ),
        InputError::Key {
            key, problem, hint, ..
        } => (key.clone(), problem.clone(), hint.clone()),
        InputError::Option {
            what,
            problem,
            hint,
        } => (what.clone(), problem.clone(), hint.clone()),
    };
    let err = ScenarioError::new_err(e.to_string());
    let value = err.value(py);
    let _ = value.setattr("key", key);
    let _ = value.setattr("problem", problem);
    let _ = value.setattr("hint", hint);
    err
}

fn run_error(py: Python<'_>, e: RunError) -> PyErr {
    match e {
        RunError::Input(i) => scenario_error(py, &i),
        RunError::Interrupted { .. } | RunError::PoliciesInterrupted { .. } => {
            PyKeyboardInterrupt::new_err(e.to_string())
        }
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// A validated scenario: its TOML table, and the file it came from (if it came from one and
/// is unchanged, runs read that file, so their manifests name it as the command line does).
#[pyclass(module = "dipcap._native")]
#[derive(Clone)]
struct NativeScenario {
    table: toml::Table,
    path: PathBuf,
    file: Option<PathBuf>,
    name: String,
}

/// Reads and validates a scenario file.
#[pyfunction]
fn load_path(py: Python<'_>, path: PathBuf) -> PyResult<NativeScenario> {
    let text = dipcap::scenario::read_text(&path).map_err(|e| scenario_error(py, &e))?;
    let s = dipcap::scenario::parse_str(&text, &path).map_err(|e| scenario_error(py, &e))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(NativeScenario {
        table,
        file: Some(path.clone()),
        path,
        name: s.name,
    })
}

/// Validates a scenario given as JSON text (a Python dict, `json.dumps`-ed: the same keys
/// and values as the TOML file).
#[pyfunction]
fn load_json(py: Python<'_>, text: &str) -> PyResult<NativeScenario> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| PyTypeError::new_err(e.to_string()))?;
    let table: toml::Table = match toml::Value::try_from(value) {
        Ok(toml::Value::Table(t)) => t,
        Ok(_) => return Err(PyTypeError::new_err("a scenario is a dict of tables")),
        Err(e) => {
            return Err(PyTypeError::new_err(format!(
                "the dict cannot be a scenario (TOML has no null, and lists hold one kind): {e}"
            )));
        }
    };
    NativeScenario::validated(py, table, PathBuf::from("<dict>"), None)
}

/// A private folder for one run, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dipcap-py-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The files a run hands back, when it writes them.
const TABLES: [&str; 8] = [
    "trials.csv",
    "yearly.csv",
    "summary.csv",
    "partners.csv",
    "partners_yearly.csv",
    "percentiles.csv",
    "policies.csv",
    "manifest.json",
];

impl NativeScenario {
    fn validated(
        py: Python<'_>,
        table: toml::Table,
        path: PathBuf,
        file: Option<PathBuf>,
    ) -> PyResult<NativeScenario> {
        let s =
            dipcap::scenario::validate_table(&table, &path).map_err(|e| scenario_error(py, &e))?;
        Ok(NativeScenario {
            table,
            path,
            file,
            name: s.name,
        })
    }
}

#[pymethods]
impl NativeScenario {
    #[getter]
    fn name(&self) -> String {
        self.name.clone()
    }

    /// The scenario as TOML text.
    fn toml(&self) -> PyResult<String> {
        toml::to_string(&self.table).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// A copy with numeric values set by key path (`"crises.humanitarian.rate"`, as a sweep
    /// names them), validated again.
    fn with_values(&self, py: Python<'_>, values: &Bound<'_, PyDict>) -> PyResult<NativeScenario> {
        let mut table = self.table.clone();
        for (k, v) in values.iter() {
            let key: String = k.extract()?;
            // Numbers as a sweep sets them (a whole-number key takes the rounded value);
            // anything else — text, true/false, a list — must be of the kind the key holds,
            // as a policy's `set` requires.
            let number = if v.is_instance_of::<PyBool>() {
                None
            } else {
                v.extract::<f64>().ok()
            };
            let set = match number {
                Some(x) => dipcap::scenario::keypath::set_number(&mut table, &key, x).map(|_| ()),
                None => {
                    let json: String = py
                        .import("json")?
                        .call_method1("dumps", (&v,))
                        .and_then(|s| s.extract())
                        .map_err(|_| {
                            PyTypeError::new_err(format!(
                                "{key}: give a number, text, True/False or a list of them"
                            ))
                        })?;
                    let value: toml::Value = serde_json::from_str(&json).map_err(|e| {
                        PyTypeError::new_err(format!("{key}: not a TOML value ({e})"))
                    })?;
                    let old = dipcap::scenario::keypath::get(&table, &key)
                        .ok()
                        .flatten()
                        .cloned();
                    let value = like(old.as_ref(), value);
                    dipcap::scenario::keypath::set_value(&mut table, &key, &value).map(|_| ())
                }
            };
            set.map_err(|e| {
                let err = InputError::Key {
                    path: self.path.clone(),
                    key: key.clone(),
                    problem: e,
                    hint: "name a key of the scenario, dotted as in the file (list elements by name or [i]), and give it a value of the kind it holds".into(),
                };
                scenario_error(py, &err)
            })?;
        }
        NativeScenario::validated(py, table, self.path.clone(), None)
    }

    /// One trial's event log at `level`, as the CSV bytes `dipcap trace` writes.
    #[pyo3(signature = (level, trial, seed=None))]
    fn trace(
        &self,
        py: Python<'_>,
        level: f64,
        trial: u64,
        seed: Option<u64>,
    ) -> PyResult<Py<PyBytes>> {
        let s = dipcap::scenario::validate_table(&self.table, &self.path)
            .map_err(|e| scenario_error(py, &e))?;
        let seed = seed.unwrap_or(s.seed);
        let bytes = py
            .detach(|| dipcap::app::trace(&s, level, trial, seed))
            .map_err(|e| run_error(py, e))?;
        Ok(PyBytes::new(py, &bytes).unbind())
    }

    /// Runs the scenario as `dipcap run` does and returns its files as bytes, by name.
    #[pyo3(signature = (trials=None, seed=None, levels=None, threads=0))]
    fn run(
        &self,
        py: Python<'_>,
        trials: Option<u64>,
        seed: Option<u64>,
        levels: Option<Vec<f64>>,
        threads: usize,
    ) -> PyResult<Py<PyDict>> {
        let scratch = Scratch::new().map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let scenario = match (&self.file, &levels) {
            (Some(f), None) => f.clone(),
            _ => {
                let mut table = self.table.clone();
                if let Some(l) = &levels {
                    let budget = table
                        .entry("budget")
                        .or_insert_with(|| toml::Value::Table(Default::default()));
                    if let toml::Value::Table(b) = budget {
                        b.insert(
                            "levels".into(),
                            toml::Value::Array(l.iter().map(|x| toml::Value::Float(*x)).collect()),
                        );
                    }
                    NativeScenario::validated(py, table.clone(), self.path.clone(), None)?;
                }
                let path = scratch.0.join("scenario.toml");
                let text =
                    toml::to_string(&table).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
                std::fs::write(&path, text).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
                path
            }
        };
        let out = scratch.0.join("out");
        let opts = dipcap::app::RunOptions {
            scenario,
            trials,
            seed,
            threads,
            out: Some(out.clone()),
            progress: false,
            charts: false,
            precision: None,
            resume: false,
            shard: None,
            format: dipcap::output::parquet::Format::Csv,
        };
        let result = run_interruptibly(py, opts)?;
        result.map_err(|e| run_error(py, e))?;
        let files = PyDict::new(py);
        for name in TABLES {
            let p: &Path = &out.join(name);
            if p.is_file() {
                let bytes = std::fs::read(p).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
                files.set_item(name, PyBytes::new(py, &bytes))?;
            }
        }
        Ok(files.unbind())
    }
}

/// Runs on a thread of its own with the GIL released, checking for Ctrl-C every 50 ms: a
/// signal sets dipcap's stop flag, the run stops at its next block, and KeyboardInterrupt is
/// raised once it has.
fn run_interruptibly(
    py: Python<'_>,
    opts: dipcap::app::RunOptions,
) -> PyResult<Result<dipcap::app::RunReport, RunError>> {
    let stop = dipcap::parts::stop_flag();
    stop.store(false, Ordering::SeqCst);
    let handle = std::thread::spawn(move || dipcap::app::run(&opts));
    loop {
        py.detach(|| std::thread::sleep(std::time::Duration::from_millis(50)));
        if handle.is_finished() {
            break;
        }
        if let Err(e) = py.check_signals() {
            stop.store(true, Ordering::SeqCst);
            let _ = py.detach(|| handle.join());
            stop.store(false, Ordering::SeqCst);
            return Err(e);
        }
    }
    handle
        .join()
        .map_err(|_| PyRuntimeError::new_err("the run panicked"))
}

/// PRIM as dipcap's sweep runs it (`dipcap::prim`), on points `x` (one row per point) and the
/// condition `y` per point: the peeling trajectory as a dict of per-box lists (`lower` and
/// `upper` are lists of per-parameter bounds, `restricted` per-parameter flags) and the index
/// of the chosen box under `chosen`.
#[pyfunction]
#[pyo3(signature = (x, y, alpha, min_support, min_density))]
fn prim(
    py: Python<'_>,
    x: Vec<Vec<f64>>,
    y: Vec<bool>,
    alpha: f64,
    min_support: f64,
    min_density: f64,
) -> PyResult<Py<PyDict>> {
    if x.len() != y.len() {
        return Err(PyValueError::new_err(format!(
            "x has {} points and y {}",
            x.len(),
            y.len()
        )));
    }
    if x.is_empty() {
        return Err(PyValueError::new_err("PRIM needs at least one point"));
    }
    let k = x[0].len();
    if x.iter().any(|r| r.len() != k) {
        return Err(PyValueError::new_err(
            "every point needs the same number of values",
        ));
    }
    if x.iter().flatten().any(|v| !v.is_finite()) {
        return Err(PyValueError::new_err("PRIM takes finite values only"));
    }
    for (name, v) in [
        ("alpha", alpha),
        ("min_support", min_support),
        ("min_density", min_density),
    ] {
        // As the sweep's [discovery] table requires.
        if !(v > 0.0 && v < 1.0) {
            return Err(PyValueError::new_err(format!(
                "{name}: {v} is not a fraction strictly between 0 and 1"
            )));
        }
    }
    let settings = dipcap::prim::PrimSettings {
        alpha,
        min_support,
        min_density,
    };
    let res = py.detach(|| dipcap::prim::prim(&x, &y, &settings));
    let t = &res.trajectory;
    let out = PyDict::new(py);
    out.set_item(
        "lower",
        t.iter().map(|b| b.lower.clone()).collect::<Vec<_>>(),
    )?;
    out.set_item(
        "upper",
        t.iter().map(|b| b.upper.clone()).collect::<Vec<_>>(),
    )?;
    out.set_item(
        "restricted",
        t.iter().map(|b| b.restricted.clone()).collect::<Vec<_>>(),
    )?;
    out.set_item("count", t.iter().map(|b| b.count).collect::<Vec<_>>())?;
    out.set_item("hits", t.iter().map(|b| b.hits).collect::<Vec<_>>())?;
    out.set_item("coverage", t.iter().map(|b| b.coverage).collect::<Vec<_>>())?;
    out.set_item("density", t.iter().map(|b| b.density).collect::<Vec<_>>())?;
    out.set_item("support", t.iter().map(|b| b.support).collect::<Vec<_>>())?;
    out.set_item("chosen", res.chosen)?;
    Ok(out.unbind())
}

/// `new` with whole numbers made floats where `old`, the key's value, holds floats: Python's
/// `[1, 0.75]` for `budget.levels = [1.0, 0.9]` is a list of floats, as a TOML file would
/// have to write it.
fn like(old: Option<&toml::Value>, new: toml::Value) -> toml::Value {
    match (old, new) {
        (Some(toml::Value::Array(o)), toml::Value::Array(n)) => {
            toml::Value::Array(n.into_iter().map(|v| like(o.first(), v)).collect())
        }
        (Some(toml::Value::Float(_)), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
        (_, v) => v,
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Ctrl-C belongs to the interpreter (a notebook's kernel interrupt): dipcap's own handler
    // would replace Python's and end the process on a second Ctrl-C.
    dipcap::parts::leave_signals_to_host();
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_class::<NativeScenario>()?;
    m.add_function(wrap_pyfunction!(load_path, m)?)?;
    m.add_function(wrap_pyfunction!(load_json, m)?)?;
    m.add_function(wrap_pyfunction!(prim, m)?)?;
    Ok(())
}
