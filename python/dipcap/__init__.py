"""dipcap from Python: load a scenario, run it, read its tables as pandas DataFrames.

    import dipcap
    s = dipcap.load("scenarios/baseline.toml")
    r = s.run(trials=200, seed=1)
    r.summary.query("metric == 'dci'")

The engine is dipcap's own (a native module built from the same crate): a run writes exactly
the CSV files `dipcap run` writes for the same scenario, seed and trials, and the DataFrames
are read from those bytes with exact (round-trip) float parsing, so their values equal the
command line's files bit for bit. Trials run in parallel with the GIL released; Ctrl-C stops
a run cleanly.

`dipcap.prim(x, y)` is the PRIM of `dipcap sweep`'s scenario discovery, for points from
anywhere (an EMA Workbench experiment, a sweep's `sweep.csv`).
"""

from __future__ import annotations

import io
import json
import os
from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from ._native import NativeScenario, ScenarioError, load_json, load_path
from ._native import prim as _prim

__all__ = ["load", "Scenario", "Result", "ScenarioError", "prim", "Prim"]


def _frame(data: bytes) -> pd.DataFrame:
    # round_trip: the shortest decimal dipcap writes reads back as the very double it was.
    return pd.read_csv(io.BytesIO(data), float_precision="round_trip")


class Result:
    """The tables of one run, as DataFrames (and the files' bytes in `files`)."""

    def __init__(self, files: Mapping[str, bytes]):
        self.files = dict(files)

    def _table(self, name: str) -> Optional[pd.DataFrame]:
        data = self.files.get(name)
        return None if data is None else _frame(data)

    @property
    def trials(self) -> pd.DataFrame:
        """One row per level and trial (and policy, with `[[policies]]`): every metric."""
        return self._table("trials.csv")

    @property
    def yearly(self) -> pd.DataFrame:
        """Per level, fiscal year and yearly metric: mean and quantiles over trials."""
        return self._table("yearly.csv")

    @property
    def summary(self) -> pd.DataFrame:
        """Per level and metric: mean, CI, quantiles, paired difference from the first level."""
        return self._table("summary.csv")

    @property
    def partners(self) -> pd.DataFrame:
        """Per level and partner: end-of-horizon trust and interoperability."""
        return self._table("partners.csv")

    @property
    def policies(self) -> Optional[pd.DataFrame]:
        """Each policy's paired difference from the scenario as written (None without policies)."""
        return self._table("policies.csv")

    @property
    def manifest(self) -> dict:
        """What made the run: version, scenario hash, seed, trials, levels, crates."""
        return json.loads(self.files["manifest.json"])


def _plain(v):
    """numpy values (numpy.bool_, numpy.int64, arrays, ...) as the Python values they hold,
    also inside lists."""
    import numpy

    if isinstance(v, numpy.ndarray):
        return v.tolist()
    if isinstance(v, numpy.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class Scenario:
    """A scenario dipcap has validated."""

    def __init__(self, native: NativeScenario):
        self._native = native

    @property
    def name(self) -> str:
        return self._native.name

    def toml(self) -> str:
        """The scenario as TOML text."""
        return self._native.toml()

    def with_values(self, values: Mapping[str, object]) -> "Scenario":
        """A copy with keys set, named as in a sweep file, e.g.
        {"crises.humanitarian.rate": 5.0, "budget.cut.profile": "phased"}; validated again.
        Numbers are set as a sweep sets them (a whole-number key takes the rounded value);
        text, True/False and lists must be of the kind the key holds. numpy scalars (as EMA
        Workbench passes them) count as the Python values they hold."""
        return Scenario(self._native.with_values({k: _plain(v) for k, v in values.items()}))

    def run(
        self,
        trials: Optional[int] = None,
        seed: Optional[int] = None,
        levels: Optional[Sequence[float]] = None,
        threads: int = 0,
    ) -> Result:
        """Runs every trial at every level, as `dipcap run` does (threads=0: every core)."""
        return Result(
            self._native.run(
                trials=trials,
                seed=seed,
                levels=None if levels is None else [float(x) for x in levels],
                threads=threads,
            )
        )

    def trace(self, level: float, trial: int, seed: Optional[int] = None) -> pd.DataFrame:
        """One trial's event log at `level` (as `dipcap trace`): every event in time order,
        with the money, readiness and trust it moved. `seed` defaults to the scenario's."""
        return _frame(self._native.trace(float(level), int(trial), seed))

    def __repr__(self) -> str:
        return f"<dipcap.Scenario {self.name!r}>"


def load(source: Any) -> Scenario:
    """A scenario from a TOML file's path or from a dict of the same tables and keys.

    Raises ScenarioError, whose `key`, `problem` and `hint` say what is wrong and how to fix it.
    """
    if isinstance(source, (str, os.PathLike)):
        return Scenario(load_path(os.fspath(source)))
    if isinstance(source, Mapping):
        return Scenario(load_json(json.dumps(source)))
    raise TypeError("dipcap.load takes a path to a scenario file or a dict of its tables")


class Prim:
    """A PRIM peeling trajectory (see `prim`): every box from all points to the smallest, and
    the one dipcap reports."""

    def __init__(self, names: Sequence[str], native: Mapping[str, Any]):
        self.names = list(names)
        self._native = dict(native)
        # The step of the reported box.
        self.chosen: int = int(native["chosen"])
        n = len(native["count"])
        # One row per box: points in it (`count`), those meeting the condition (`hits`),
        # coverage = hits / all hits, density = hits / count, support = count / all points,
        # and how many parameters it restricts.
        self.trajectory = pd.DataFrame(
            {
                "step": range(n),
                "count": native["count"],
                "hits": native["hits"],
                "coverage": native["coverage"],
                "density": native["density"],
                "support": native["support"],
                "restricted": [sum(r) for r in native["restricted"]],
            }
        )

    def box_at(self, step: int) -> pd.DataFrame:
        """The bounds of the box at `step` of the trajectory, one row per parameter: `lower`,
        `upper` (the smallest and largest value a point in the box may have) and whether the
        box restricts the parameter's range."""
        return pd.DataFrame(
            {
                "parameter": self.names,
                "lower": self._native["lower"][step],
                "upper": self._native["upper"][step],
                "restricted": self._native["restricted"][step],
            }
        )

    @property
    def box(self) -> pd.DataFrame:
        """The reported box (`box_at(chosen)`)."""
        return self.box_at(self.chosen)

    def __repr__(self) -> str:
        b = self.trajectory.iloc[self.chosen]
        return (
            f"<dipcap.Prim: {len(self.trajectory)} boxes, chosen {self.chosen}: "
            f"coverage {b['coverage']:.3f}, density {b['density']:.3f}, "
            f"{int(b['restricted'])} restricted>"
        )


def prim(
    x: Any,
    y: Any,
    alpha: float = 0.05,
    min_support: float = 0.05,
    min_density: float = 0.8,
) -> Prim:
    """PRIM as `dipcap sweep` runs it for `[discovery]` (same code, same defaults as the
    sweep file's `peel_alpha`, `min_support`, `min_density`).

    x: a DataFrame of parameter values, one row per point and one numeric column per parameter
    (or a 2-D array; its columns are then named x0, x1, ...). y: per point, whether it meets the
    condition (booleans, or 0 and 1).

    Peeling cuts `alpha` of the box's points (at least one; more when values tie) off one side
    of one parameter, the cut leaving the densest box, until the box holds at most
    `min_support` of all points; the reported box is the one with the largest coverage among
    those with density >= `min_density` (if none, the densest). No pasting.
    """
    if isinstance(x, pd.DataFrame):
        names = [str(c) for c in x.columns]
        rows = x.to_numpy(dtype=float)
    else:
        import numpy as np

        rows = np.asarray(x, dtype=float)
        if rows.ndim != 2:
            raise ValueError("x must be a DataFrame or a 2-D array: one row per point")
        names = [f"x{i}" for i in range(rows.shape[1])]
    flags = []
    for v in y:
        if v in (True, False):  # also 0 and 1, as numpy bools and integers
            flags.append(bool(v))
        else:
            raise ValueError(f"y holds {v!r}: whether each point meets the condition is expected")
    return Prim(names, _prim(rows.tolist(), flags, float(alpha), float(min_support), float(min_density)))
