"""Scenario discovery on dipcap with EMA Workbench, checked against dipcap's own PRIM.

Shows:
  1. an EMA Workbench experiment on dipcap (`dipcap.ema.model`): 100 Latin-hypercube points
     over four assumptions of scenarios/baseline.toml, each point 100 trials, outcome the crisis
     response rate at 70% of the baseline budget;
  2. that one experiment's outcome equals dipcap's own run of the scenario with that
     experiment's values written in (exactly; and `dipcap run` too if DIPCAP_BIN names the
     binary);
  3. EMA's PRIM and dipcap's PRIM (`dipcap.prim`, the code behind `dipcap sweep`'s
     [discovery]) on the same points and condition, side by side, and that they agree.

Run from the repository root, with the module and EMA Workbench 2.5.3 installed
(docs/PYTHON.md):

    python examples/ema_prim.py

It takes about 20 seconds on two cores and exits with status 1 if a check fails.

What "agree" means. Both run PRIM's peeling with the same peel share (alpha 0.05), the same
least support (0.05) and the same objective (the density of the box left: EMA's ORIGINAL
objective). On the same points they should then peel the same points at every step, until the
first step where two cuts leave equally dense boxes: EMA breaks such a tie for the cut that
restricts no new parameter (then the first parameter, upper side first), dipcap for the first
parameter (lower side first), and from there their paths part. The script checks:
  - up to that step, every box holds the very same points in both, and its coverage, density,
    support and number of restricted parameters are equal, exactly;
  - where the paths part, the two cuts are a tie (equal density), not a difference of method;
  - the reported box, chosen by dipcap's rule on each trajectory (the largest coverage with
    density >= 0.8), is the same step of the shared part in both, restricts the same
    parameters, and its bounds differ only by the quantile convention (see `compare_prim`);
    if on other data it lies past the tie, only that the two restrict the same parameters.
EMA's pasting (which would widen its last box) is left out of the comparison; dipcap has none.
"""

import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

# EMA Workbench warns on import that its optional ipyparallel evaluator is missing; unused here.
warnings.filterwarnings("ignore", message="ipyparallel not installed")
from ema_workbench import RealParameter, perform_experiments
from ema_workbench.analysis import prim as ema_prim

import dipcap
import dipcap.ema

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.toml"

# Ranges as in scenarios/baseline-sweep.toml (which gives their sources).
UNCERTAINTIES = [
    RealParameter("crises.humanitarian.rate", 2.0, 5.0),
    RealParameter("crises.peacekeeping.rate", 0.5, 2.0),
    RealParameter("trust.crisis_unanswered_penalty", 0.06, 0.24),
    RealParameter("forces.decay_days", 60.0, 180.0),
]
NAMES = [u.name for u in UNCERTAINTIES]
OUTCOME = "response_rate@0.7"
THRESHOLD = 0.75  # the condition: a cut to 70% answers fewer than 3 crises in 4
EXPERIMENTS, TRIALS = 100, 100
DESIGN_SEED, RUN_SEED = 21, 7
# dipcap sweep's [discovery] defaults; EMA's peel_alpha and mass_min are the same numbers.
ALPHA, MIN_SUPPORT, MIN_DENSITY = 0.05, 0.05, 0.8


def run_experiments():
    model = dipcap.ema.model(
        SCENARIO,
        uncertainties=UNCERTAINTIES,
        outcomes=[OUTCOME, "dci@0.7"],
        trials=TRIALS,
        seed=RUN_SEED,  # common random numbers: every point meets the same crises
    )
    # EMA 2.5.3's samplers draw from NumPy's global generator and take no seed of their own.
    np.random.seed(DESIGN_SEED)
    experiments, outcomes = perform_experiments(model, scenarios=EXPERIMENTS, log_progress=True)
    return experiments, outcomes


def check_one_experiment(experiments, outcomes):
    """Experiment 0's outcomes against dipcap run on the scenario with its values written in."""
    values = {k: float(experiments[k].iloc[0]) for k in NAMES}
    point = dipcap.load(SCENARIO).with_values(values)
    summary = point.run(trials=TRIALS, seed=RUN_SEED).summary
    ok = True
    for name in [OUTCOME, "dci@0.7"]:
        metric, level = name.split("@")
        row = summary[(summary["metric"] == metric) & (summary["level"] == float(level))]
        mine, ema = float(row["mean"].iloc[0]), float(outcomes[name][0])
        print(f"  {name}: EMA {ema!r}, Scenario.run {mine!r}, equal: {ema == mine}")
        ok &= ema == mine
    binary = os.environ.get("DIPCAP_BIN")
    if binary:
        with tempfile.TemporaryDirectory() as tmp:
            edited = Path(tmp) / "point.toml"
            edited.write_text(point.toml())
            out = Path(tmp) / "out"
            subprocess.run(
                [binary, "run", str(edited), "--quiet", "--no-charts", "--out", str(out),
                 "--trials", str(TRIALS), "--seed", str(RUN_SEED)],
                check=True,
            )
            cli = pd.read_csv(out / "summary.csv", float_precision="round_trip")
        same = cli.equals(summary)
        print(f"  dipcap run's summary.csv equals Scenario.run's: {same}")
        ok &= same
    return ok


def ema_peeling(x, y):
    """EMA's PRIM box, its peeling steps only (and the bounds of each)."""
    p = ema_prim.Prim(
        x,
        y.astype(int),
        threshold=MIN_DENSITY,
        obj_function=ema_prim.PRIMObjectiveFunctions.ORIGINAL,
        peel_alpha=ALPHA,
        mass_min=MIN_SUPPORT,
    )
    box = p.find_box()
    t = box.peeling_trajectory
    if t["density"].iloc[-1] < MIN_DENSITY:
        # EMA keeps a box only if its last one (peeled, then pasted) is MIN_DENSITY dense, and
        # otherwise hands back the box of all points: no trajectory to compare.
        return None
    # EMA pastes after peeling and appends the pasted boxes to the same trajectory; peeling
    # shrinks the box at every step, pasting grows it, so the peeling part is the prefix of
    # falling mass.
    steps = 1
    while steps < len(t) and t["mass"].iloc[steps] < t["mass"].iloc[steps - 1]:
        steps += 1
    lower = [box.box_lims[i].loc[0, NAMES].to_numpy(float) for i in range(steps)]
    upper = [box.box_lims[i].loc[1, NAMES].to_numpy(float) for i in range(steps)]
    return t.iloc[:steps].reset_index(drop=True), lower, upper


def reported(coverage, density):
    """dipcap's choice of box (src/sensitivity/prim.rs): the largest coverage among boxes at
    least MIN_DENSITY dense, the earliest of equals; if none is, the densest."""
    dense = [i for i in range(len(density)) if density[i] >= MIN_DENSITY]
    if dense:
        return max(dense, key=lambda i: (coverage[i], -i))
    return max(range(len(density)), key=lambda i: (density[i], coverage[i], -i))


def compare_prim(x, y):
    mine = dipcap.prim(x, y, alpha=ALPHA, min_support=MIN_SUPPORT, min_density=MIN_DENSITY)
    ema = ema_peeling(x, y)
    if ema is None:
        print(f"  EMA found no box at least {MIN_DENSITY} dense at the end of its peeling; "
              f"dipcap reports {mine}")
        return False
    ema_t, ema_lo, ema_hi = ema
    t = mine.trajectory
    values = x.to_numpy(float)

    def inside(lo, hi):
        lo, hi = np.asarray(lo, float), np.asarray(hi, float)
        return np.all((values >= lo) & (values <= hi), axis=1)

    # Quantile conventions. EMA (prim_util.get_quantile, after sdtoolkit) sorts the box's m
    # values of a parameter, takes the position (m - 1) * alpha (from the top for the upper
    # side), moves past tied values and puts the bound halfway between the two values there;
    # the box keeps the points on the inner side. dipcap cuts ceil(alpha * m) points (at least
    # one, more on ties) and puts the bound on the first value kept. For alpha = 1/20 and
    # distinct values both cut the same number of points, floor((m - 1) / 20) + 1 = ceil(m / 20),
    # for every m (checked for m up to 3000, in floating point), so they keep the same points;
    # only the bounds differ, EMA's lying halfway to the nearest point cut away. (For an alpha
    # that is not 1/k the counts can differ: alpha 0.3, m = 4 cuts 1 point in EMA, 2 in dipcap.)
    # Where the two paths part: the first step whose boxes hold different points.
    shared = min(len(ema_t), len(t))
    for i in range(shared):
        box = mine.box_at(i)
        if not np.array_equal(inside(ema_lo[i], ema_hi[i]), inside(box["lower"], box["upper"])):
            shared = i
            break
    ok = True
    for i in range(shared):
        e, d = ema_t.iloc[i], t.iloc[i]
        same = (
            e["coverage"] == d["coverage"]
            and e["density"] == d["density"]
            and e["mass"] == d["support"]
            and e["res_dim"] == d["restricted"]
        )
        if not same:
            print(f"  step {i}: same points but different figures: EMA {dict(e)}, dipcap {dict(d)}")
            ok = False
    print(f"  peeling steps: EMA {len(ema_t)}, dipcap {len(t)}; the same points in every box "
          f"for the first {shared}")
    if shared < min(len(ema_t), len(t)):
        tie = ema_t["density"].iloc[shared] == t["density"].iloc[shared]
        print(f"  at step {shared} they part on a tie between cuts "
              f"(both boxes {t['density'].iloc[shared]:.4f} dense): {tie}")
        ok &= bool(tie)
    else:
        # No tie: dipcap goes on peeling until its box holds at most MIN_SUPPORT of the
        # points; EMA stops at its last box holding at least that much, so at most one step
        # fewer.
        extra = len(t) - len(ema_t)
        ends = extra == 0 or (extra == 1 and t["support"].iloc[-1] <= MIN_SUPPORT)
        print(f"  both peel to the end; dipcap's extra boxes below the least support: {extra}")
        ok &= bool(ends)

    chosen_ema = reported(list(ema_t["coverage"]), list(ema_t["density"]))
    print(f"  reported box: step {mine.chosen} (dipcap), step {chosen_ema} (EMA's trajectory, "
          f"dipcap's rule)")
    if mine.chosen >= shared or chosen_ema >= shared:
        # Past the tie the two are different, equally valid paths, and their reported boxes
        # need not be the same; they should still restrict the same parameters.
        e = (ema_lo[chosen_ema] != ema_lo[0]) | (ema_hi[chosen_ema] != ema_hi[0])
        same = bool((e == mine.box["restricted"]).all())
        print(f"  the reported boxes lie past the tie; they restrict the same parameters: {same}")
        return ok and same
    ok &= mine.chosen == chosen_ema
    i = mine.chosen
    mine_box = mine.box
    ema_restricted = (ema_lo[i] != ema_lo[0]) | (ema_hi[i] != ema_hi[0])
    restricted_same = bool((ema_restricted == mine_box["restricted"]).all())
    ok &= restricted_same
    box = pd.DataFrame(
        {
            "parameter": NAMES,
            "EMA lower": ema_lo[i],
            "dipcap lower": mine_box["lower"],
            "dipcap upper": mine_box["upper"],
            "EMA upper": ema_hi[i],
            "restricted": [
                ("yes" if d else "no") if e == d else f"EMA {e}, dipcap {d}"
                for e, d in zip(ema_restricted, mine_box["restricted"])
            ],
        }
    )
    # EMA's bound lies between the last point peeled away and the first kept; dipcap's is the
    # first kept. So EMA's box is never narrower, and no point lies between the two bounds.
    ok &= bool((box["EMA lower"] <= box["dipcap lower"]).all())
    ok &= bool((box["EMA upper"] >= box["dipcap upper"]).all())
    print()
    print(box.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print()
    figures = pd.DataFrame(
        {
            "EMA": ema_t.iloc[i][["n", "k", "coverage", "density", "mass", "res_dim"]].to_numpy(),
            "dipcap": t.iloc[i][["count", "hits", "coverage", "density", "support",
                                 "restricted"]].to_numpy(),
        },
        index=["points", "hits", "coverage", "density", "support", "restricted"],
    )
    print(figures.to_string(float_format=lambda v: f"{v:.4g}"))
    return ok


def main():
    experiments, outcomes = run_experiments()
    x = experiments[NAMES].reset_index(drop=True)
    y = np.asarray(outcomes[OUTCOME]) < THRESHOLD
    print(f"{len(x)} experiments, {TRIALS} trials each; {OUTCOME}: "
          f"{np.min(outcomes[OUTCOME]):.3f} to {np.max(outcomes[OUTCOME]):.3f}")
    print("Experiment 0 against dipcap's own run with its values:")
    ok = check_one_experiment(experiments, outcomes)
    print(f"PRIM on {OUTCOME} < {THRESHOLD} ({int(y.sum())} of {len(y)} points), alpha {ALPHA}, "
          f"least support {MIN_SUPPORT}, least density {MIN_DENSITY}:")
    ok &= compare_prim(x, y)
    print("EMA Workbench and dipcap agree." if ok else "EMA Workbench and dipcap DISAGREE.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
