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
"""

from __future__ import annotations

import io
import json
import os
from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from ._native import NativeScenario, ScenarioError, load_json, load_path

__all__ = ["load", "Scenario", "Result", "ScenarioError"]


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

    def with_values(self, values: Mapping[str, float]) -> "Scenario":
        """A copy with numeric keys set, named as in a sweep file, e.g.
        {"crises.humanitarian.rate": 5.0}; validated again."""
        return Scenario(self._native.with_values(dict(values)))

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
