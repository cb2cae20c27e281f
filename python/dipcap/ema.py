"""dipcap as an EMA Workbench model (https://emaworkbench.readthedocs.io).

    from ema_workbench import RealParameter, perform_experiments
    import dipcap.ema

    m = dipcap.ema.model(
        "scenarios/baseline.toml",
        uncertainties=[RealParameter("crises.humanitarian.rate", 2.0, 5.0)],
        outcomes=["dci@0.8", "response_rate@0.8"],
        trials=200,
    )
    experiments, outcomes = perform_experiments(m, scenarios=50)

Each experiment sets the uncertainties' and levers' values by key path (as a dipcap sweep
names keys) and runs the scenario; an outcome `METRIC@LEVEL` is the metric's mean over the
trials at that budget level (`METRIC` alone: at the deepest level). With common random
numbers (the default) every experiment runs on the same seed, so trial k meets the same crises
in every experiment and differences between experiments are the parameters', not luck's.
PRIM, feature scoring and EMA's optimisers then work on dipcap unchanged.
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterable, Optional, Sequence, Union

from . import Scenario, load


def _parse_outcome(name: str, levels: Sequence[float]) -> tuple:
    metric, _, level = name.partition("@")
    return metric, (float(level) if level else levels[-1])


def _parameters(items: Iterable, kind):
    """EMA parameters as given, or (key, low, high) tuples made into `kind`."""
    out = []
    for p in items:
        if isinstance(p, tuple):
            key, low, high = p
            out.append(kind(key, low, high))
        else:
            out.append(p)
    return out


def model(
    scenario: Union[str, Scenario, dict],
    uncertainties: Iterable = (),
    levers: Iterable = (),
    outcomes: Sequence[str] = ("dci",),
    trials: int = 200,
    seed: Optional[int] = None,
    common_random_numbers: bool = True,
    threads: int = 0,
    name: str = "dipcap",
):
    """An EMA Workbench `Model` whose function runs dipcap.

    uncertainties, levers: EMA parameters (e.g. `RealParameter("crises.humanitarian.rate",
    2.0, 5.0)`) or `(key, low, high)` tuples, named by the scenario key they set.
    outcomes: `METRIC@LEVEL` names (`"dci@0.8"`), or `METRIC` for the deepest level.
    seed: the scenario's own by default; without common random numbers each experiment's seed
    is derived from it and the experiment's values (reproducible in any evaluator).
    """
    from ema_workbench import Model, RealParameter, ScalarOutcome

    base = scenario if isinstance(scenario, Scenario) else load(scenario)
    levels = json.loads(json.dumps(_levels(base)))
    wanted = [(o, *_parse_outcome(o, levels)) for o in outcomes]
    for o, _, level in wanted:
        if level not in levels:
            raise ValueError(f"outcome {o}: level {level} is not one of the scenario's {levels}")

    def run(**values):
        point = base.with_values(values) if values else base
        run_seed = seed
        if not common_random_numbers:
            text = json.dumps(sorted(values.items()), sort_keys=True).encode()
            start = 0 if seed is None else seed
            run_seed = (start + int.from_bytes(hashlib.sha256(text).digest()[:7], "big")) % 2**63
        summary = point.run(trials=trials, seed=run_seed, threads=threads).summary
        result = {}
        for o, metric, level in wanted:
            rows = summary[(summary["metric"] == metric) & (summary["level"] == level)]
            if rows.empty:
                raise ValueError(f"outcome {o}: no metric {metric!r} in summary.csv")
            result[o] = float(rows["mean"].iloc[0])
        return result

    m = Model(name, function=run)
    m.uncertainties = _parameters(uncertainties, RealParameter)
    m.levers = _parameters(levers, RealParameter)
    m.outcomes = [ScalarOutcome(o) for o, _, _ in wanted]
    return m


def _levels(s: Scenario) -> list:
    import tomllib

    return list(tomllib.loads(s.toml())["budget"]["levels"])
