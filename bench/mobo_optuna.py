#!/usr/bin/python3
"""Optuna 3.1 baselines for bench/mobo.sh: Random, scrambled Sobol (QMC), NSGA-II (population 20) and
multi-objective TPE on BraninCurrin, ZDT1 (d = 4) and DTLZ2 (d = 6, M = 2). Prints, per problem and sampler, the
mean over seeds of log10(max HV - HV of all points so far) after 25 / 50 / 100 evaluations and the time per trial.
Usage: /usr/bin/python3 mobo_optuna.py SEEDS BUDGET"""
import math
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
    for pname, fn, d, ref, maxhv in PROBLEMS:
        for sname in ("random", "qmc", "nsga2", "motpe"):
            acc = {25: 0.0, 50: 0.0, 100: 0.0}
            tsum = 0.0
            for seed in range(seeds):
                study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler(sname, seed))
                pts = []

                def objective(trial):
                    x = [trial.suggest_float("x%d" % j, 0.0, 1.0) for j in range(d)]
                    f = fn(x)
                    pts.append(f)
                    return f

                t0 = time.perf_counter()
                diffs = {}
                for k in range(budget):
                    study.optimize(objective, n_trials=1)
                    if k + 1 in acc:
                        diffs[k + 1] = math.log10(max(maxhv - hv2(pts, ref), 1e-12))
                tsum += (time.perf_counter() - t0) / budget
                for key in acc:
                    acc[key] += diffs.get(key, float("nan"))
            print("optuna %s %s: log10 HV diff @25 %.2f @50 %.2f @100 %.2f, %.4f s per trial" %
                  (pname, sname, acc[25] / seeds, acc[50] / seeds, acc[100] / seeds, tsum / seeds), flush=True)


if __name__ == "__main__":
    main()
