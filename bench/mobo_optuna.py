#!/usr/bin/python3
"""Optuna 3.1 baselines for bench/mobo.sh: Random, scrambled Sobol (QMC), NSGA-II (population 20) and
multi-objective TPE on BraninCurrin, ZDT1 (d = 4), DTLZ2 (d = 6, M = 2) and the mixed Catalog problem. Prints, per
problem and sampler, the median and the mean over seeds of log10(max HV - HV of all points so far) after
25 / 50 / 100 evaluations and the time per trial.
Usage: /usr/bin/python3 mobo_optuna.py SEEDS BUDGET [CATALOG_TABLE]
CATALOG_TABLE is the file written by `bench_mobo catalog-table FILE` (reference point, maximal hypervolume, the
price of one GPU-hour and the GPU-hour multipliers per precision, all from costfront's catalog), so the Catalog
objective below is the same function bench/mobo.c evaluates; without it the Catalog problem is skipped."""
import math
import statistics
import sys
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def branin_currin(x):
    u, v = 15 * x[0] - 5, 15 * x[1]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    f0 = (v - b * u * u + c * u - 6) ** 2 + 10 * (1 - t) * math.cos(u) + 10
    e = 1 - math.exp(-1 / (2 * x[1])) if x[1] > 0 else 1.0
    f1 = e * (2300 * x[0] ** 3 + 1900 * x[0] ** 2 + 2092 * x[0] + 60) / (100 * x[0] ** 3 + 500 * x[0] ** 2 + 4 * x[0] + 20)
    return f0, f1


def zdt1(x):
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return x[0], g * (1 - math.sqrt(x[0] / g))


def dtlz2(x):
    g = sum((v - 0.5) ** 2 for v in x[1:])
    return (1 + g) * math.cos(x[0] * math.pi / 2), (1 + g) * math.sin(x[0] * math.pi / 2)


CAT_PREC = ("fp32", "bf16", "fp16", "int8")
CAT_PEN = {"fp32": 0.0, "bf16": 0.003, "fp16": 0.005, "int8": 0.03}


def pruning_speedup(p):
    """cf_prior_pruning_speedup of models/prior.c."""
    if not p > 0.0:
        return 1.0
    p = min(p, 0.999)
    return 1.0 + 0.8 * p if p <= 0.5 else 1.4 + 0.9 * (p - 0.5)


def read_catalog_table(path):
    table = {"hw": {}}
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if w[0] == "ref":
                table["ref"] = (float(w[1]), float(w[2]))
            elif w[0] == "maxhv":
                table["maxhv"] = float(w[1])
            elif w[0] == "hw":
                table["hw"][w[1]] = (float(w[2]), dict(zip(CAT_PREC, map(float, w[3:7]))))
    return table


def catalog_objective(table, trial):
    """The Catalog problem of bench/mobo.c: minimised (-accuracy, total_cost_usd)."""
    hw = trial.suggest_categorical("hardware", list(table["hw"]))
    prec = trial.suggest_categorical("precision", list(CAT_PREC))
    pr = trial.suggest_float("pruning", 0.0, 0.9)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    u = (math.log10(lr) + 3.0) / 2.0
    acc = 0.93 - 0.06 * u * u - CAT_PEN[prec] - 0.15 * pr ** 3 - 0.01 * pr - (0.03 * pr if prec == "int8" else 0.0)
    price, mult = table["hw"][hw]
    hours = 50.0 * mult[prec] / pruning_speedup(pr) * (1.0 + 0.25 * (-1.0 - math.log10(lr)))
    return -acc, price * hours


PROBLEMS = [("BraninCurrin", branin_currin, 2, (18.0, 6.0), 59.36011874867746),
            ("ZDT1", zdt1, 4, (11.0, 11.0), 120 + 2 / 3),
            ("DTLZ2", dtlz2, 6, (1.1, 1.1), 1.1 ** 2 - math.pi / 4)]


def hv2(points, ref):
    pts = sorted(p for p in points if p[0] < ref[0] and p[1] < ref[1])
    hv, best = 0.0, ref[1]
    for i, (a, b) in enumerate(pts):
        if b < best:
            best_prev = best
            best = b
            hv += (ref[0] - a) * (best_prev - b)
    return hv


def sampler(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "qmc":
        return optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=20, seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    budget = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    problems = list(PROBLEMS)
    if len(sys.argv) > 3:
        table = read_catalog_table(sys.argv[3])
        problems.append(("Catalog", table, 4, table["ref"], table["maxhv"]))
    for pname, fn, d, ref, maxhv in problems:
        for sname in ("random", "qmc", "nsga2", "motpe"):
            acc = {25: [], 50: [], 100: []}
            tper = []
            for seed in range(seeds):
                study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler(sname, seed))
                pts = []

                def objective(trial):
                    if pname == "Catalog":
                        f = catalog_objective(fn, trial)
                    else:
                        f = fn([trial.suggest_float("x%d" % j, 0.0, 1.0) for j in range(d)])
                    pts.append(f)
                    return f

                t0 = time.perf_counter()
                diffs = {}
                for k in range(budget):
                    study.optimize(objective, n_trials=1)
                    if k + 1 in acc:
                        diffs[k + 1] = math.log10(max(maxhv - hv2(pts, ref), 1e-12))
                tper.append((time.perf_counter() - t0) / budget)
                for key in acc:
                    acc[key].append(diffs.get(key, float("nan")))
            for label, fn_ in (("median", statistics.median), ("mean", statistics.mean)):
                print("optuna %s %s %s: log10 HV diff @25 %.2f @50 %.2f @100 %.2f, %.4f s per trial" %
                      (label, pname, sname, fn_(acc[25]), fn_(acc[50]), fn_(acc[100]), fn_(tper)), flush=True)


if __name__ == "__main__":
    main()
