#!/usr/bin/python3
"""CostfrontSampler (python/costfront/optuna.py) against Optuna 3.1's TPE, NSGA-II and QMC samplers in the same
Optuna loop: BraninCurrin (d = 2), ZDT1 (d = 4) and DTLZ2 (d = 6, M = 3), SEEDS seeds, BUDGET trials each. Prints,
per problem and sampler, the median and the mean over seeds of log10(max HV - HV of all trials so far) after 25 /
50 / 100 trials (lower is better) and the mean wall time per trial (sampler plus the instant objective), then a
Markdown table of the medians. Not a timed test: run it by hand (bench/RESULTS.md has the command and results).

Usage (from the repository root, after a build):
    COSTFRONT_LIB=build/libcostfront.so PYTHONPATH=python /usr/bin/python3 bench/sampler_optuna.py [--seeds 10]
        [--budget 100] [--problems BraninCurrin,ZDT1,DTLZ2] [--samplers costfront,costfront-ref,tpe,nsga2,qmc]
Progress goes to stderr. "costfront" is the sampler with its defaults (no search space given, so the first trial is
sampled independently; reference point inferred from the observed front), as a user would run it; "costfront-ref"
is given the problem's reference point (reference_point=), as bench/mobo.sh gives it to the CLI study. The HV of
every sampler is measured against the problem's fixed reference point below.
"""
import argparse
import os
import math
import statistics
import sys
import time
import warnings

import numpy as np
import optuna
from optuna._hypervolume import WFG

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def branin_currin(x):
    u, v = 15 * x[0] - 5, 15 * x[1]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    f0 = (v - b * u * u + c * u - 6) ** 2 + 10 * (1 - t) * math.cos(u) + 10
    e = 1 - math.exp(-1 / (2 * x[1])) if x[1] > 0 else 1.0
    f1 = e * (2300 * x[0] ** 3 + 1900 * x[0] ** 2 + 2092 * x[0] + 60) / (
        100 * x[0] ** 3 + 500 * x[0] ** 2 + 4 * x[0] + 20)
    return f0, f1


def zdt1(x):
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return x[0], g * (1 - math.sqrt(x[0] / g))


def dtlz2_3(x):
    """DTLZ2 with three objectives (Deb et al. 2005): the front is the unit sphere's positive octant."""
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return ((1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a))


# name, function, d, reference point, maximal hypervolume
PROBLEMS = {
    "BraninCurrin": (branin_currin, 2, (18.0, 6.0), 59.36011874867746),
    "ZDT1": (zdt1, 4, (11.0, 11.0), 120 + 2 / 3),
    "DTLZ2": (dtlz2_3, 6, (1.1, 1.1, 1.1), 1.1 ** 3 - math.pi / 6),
}


def hypervolume(points, ref):
    """HV of minimised points against ref (points not better than ref in every objective count for nothing)."""
    p = np.asarray(points, dtype=float)
    r = np.asarray(ref, dtype=float)
    p = p[(p < r).all(axis=1)]
    if len(p) == 0:
        return 0.0
    return float(WFG().compute(p, r))


def make_sampler(name, seed, ref):
    if name.startswith("costfront"):
        from costfront.optuna import CostfrontSampler

        # costfront-ref: given the problem's reference point, as bench/mobo.sh gives it to the CLI study;
        # costfront-front / costfront-observed: the reference_point modes.
        rp = {"costfront": None,  # the default, "observed"
              "costfront-ref": ref, "costfront-front": "front",
              "costfront-observed": "observed", "costfront-mid": "mid"}[name]
        n0 = int(os.environ.get("CF_BENCH_N_INIT", "0")) or None  # experiments only
        return CostfrontSampler(seed=seed, reference_point=rp, n_startup_trials=n0)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=20, seed=seed)
    if name == "qmc":
        return optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed)
    raise SystemExit(f"unknown sampler {name}")


def run(pname, sname, seed, budget, marks):
    fn, d, ref, maxhv = PROBLEMS[pname]
    study = optuna.create_study(directions=["minimize"] * len(ref), sampler=make_sampler(sname, seed, ref))
    pts = []

    def objective(trial):
        f = fn([trial.suggest_float(f"x{j}", 0.0, 1.0) for j in range(d)])
        pts.append(f)
        return f

    diffs = {}
    t0 = time.perf_counter()
    for k in range(budget):
        study.optimize(objective, n_trials=1)
        if k + 1 in marks:
            diffs[k + 1] = math.log10(max(maxhv - hypervolume(pts, ref), 1e-12))
    return diffs, (time.perf_counter() - t0) / budget


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--problems", default="BraninCurrin,ZDT1,DTLZ2")
    ap.add_argument("--samplers", default="costfront,costfront-ref,costfront-front,tpe,nsga2,qmc")
    a = ap.parse_args()
    marks = [m for m in (25, 50, 100) if m <= a.budget]
    import os
    import platform

    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else ["?"]
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, load {' '.join(load)}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, optuna {optuna.__version__}, "
          f"{a.seeds} seeds, {a.budget} trials", flush=True)
    table = {}
    for pname in a.problems.split(","):
        for sname in a.samplers.split(","):
            res = {m: [] for m in marks}
            times = []
            for seed in range(a.seeds):
                print(f"[{time.strftime('%H:%M:%S')}] {pname} {sname} seed {seed}", file=sys.stderr, flush=True)
                diffs, tper = run(pname, sname, seed, a.budget, marks)
                for m in marks:
                    res[m].append(diffs[m])
                times.append(tper)
            for label, f in (("median", statistics.median), ("mean", statistics.mean)):
                cells = " ".join(f"@{m} {f(res[m]):.2f}" for m in marks)
                print(f"{label} {pname} {sname}: log10 HV diff {cells}, {f(times):.4f} s per trial", flush=True)
            table[(pname, sname)] = ([statistics.median(res[m]) for m in marks], statistics.median(times))
    samplers = a.samplers.split(",")
    print("\n| problem | " + " | ".join(samplers) + " |")
    print("|---|" + "---|" * len(samplers))
    for pname in a.problems.split(","):
        cells = []
        for s in samplers:
            v, t = table[(pname, s)]
            cells.append(" / ".join(f"{x:.2f}" for x in v) + f" ({t:.3f} s)")
        print(f"| {pname} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
