#!/usr/bin/env python3
"""An Optuna study whose points are chosen by costfront: costfront.optuna.CostfrontSampler (run from the repository
root after ./setup.sh and the Python setup of the README's "Python" section):

    python examples/sweeps/optuna_sampler.py [--trials 16] [--storage sqlite:///sweep.db] [--seed 0]

Each trial "trains" the toy model of toy.py on a hardware, precision and learning rate the sampler proposes, reports
accuracy and GPU-hours (report_cost records them as user attributes and prices the run with costfront's catalog),
and the two objectives are accuracy (max) and total_cost_usd (min). The sampler's study is cost-aware: it models
log GPU-hours and prices every candidate from the catalog, then proposes by expected hypervolume improvement. With
--storage naming a shared Optuna storage (sqlite:///FILE, postgresql://...), run the same command on several
machines: each worker sees the others' running trials. Prints the Pareto front at the end.
"""
import argparse
import os
import sys

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toy import train  # noqa: E402

from costfront.optuna import CostfrontSampler, report_cost  # noqa: E402


def objective(trial):
    hw = trial.suggest_categorical("hardware", ["a100-80gb", "l4", "t4"])
    prec = trial.suggest_categorical("precision", ["fp32", "bf16"])
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    accuracy, gpu_hours = train(hw, prec, lr)
    return report_cost(trial, accuracy, gpu_hours)  # (accuracy, total_cost_usd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=16, help="number of trials (default 16)")
    ap.add_argument("--storage", default=None, help="an Optuna storage URL shared by workers (default in memory)")
    ap.add_argument("--study", default="costfront-sweep", help="study name in the storage")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = CostfrontSampler(objectives=["accuracy", "total_cost_usd"], seed=a.seed)
    study = optuna.create_study(study_name=a.study, storage=a.storage, load_if_exists=True,
                                directions=["maximize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=a.trials)
    front = sorted(study.best_trials, key=lambda t: t.values[1])
    print(f"pareto front: {len(front)} of {len(study.trials)} trials")
    for t in front:
        print(f"  accuracy {t.values[0]:.4f}  total_cost_usd {t.values[1]:.2f}  gpu_hours "
              f"{t.user_attrs['gpu_hours']:.2f}  {t.params}")


if __name__ == "__main__":
    main()
