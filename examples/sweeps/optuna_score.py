#!/usr/bin/env python3
"""An Optuna study whose objective is `costfront score` (run from the repository root after ./setup.sh):

    /usr/bin/python3 examples/sweeps/optuna_score.py                 # score = accuracy - lambda x total cost
    /usr/bin/python3 examples/sweeps/optuna_score.py --multi         # two objectives: accuracy, total_cost_usd

Each trial "trains" the toy model of toy.py, then prices the run with `costfront score` in a subprocess and
returns its score (or accuracy and total_cost_usd). Prints the best trial(s) at the end.
"""
import argparse
import json
import os
import subprocess
import sys

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toy import train  # noqa: E402


def score_run(binary, hardware, precision, accuracy, gpu_hours, lam):
    out = subprocess.run([binary, "score", "--accuracy", str(accuracy), "--gpu-hours", str(gpu_hours),
                          "--hardware", hardware, "--precision", precision, "--lambda", str(lam)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="./build/costfront", help="the costfront command (default ./build/costfront)")
    ap.add_argument("--trials", type=int, default=20, help="number of trials (default 20)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lambda", dest="lam", type=float, default=0.001, help="USD weight of the score")
    ap.add_argument("--multi", action="store_true", help="two objectives (accuracy, total_cost_usd)")
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        hw = trial.suggest_categorical("hardware", ["a100-80gb", "l4", "t4"])
        prec = trial.suggest_categorical("precision", ["fp32", "bf16"])
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        acc, gh = train(hw, prec, lr)
        s = score_run(a.bin, hw, prec, acc, gh, a.lam)
        if a.multi:
            return s["accuracy"], s["total_cost_usd"]
        return s["score"]

    if a.multi:
        study = optuna.create_study(directions=["maximize", "minimize"],
                                    sampler=optuna.samplers.NSGAIISampler(seed=a.seed))
    else:
        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=a.seed))
    study.optimize(objective, n_trials=a.trials)
    if a.multi:
        front = sorted(study.best_trials, key=lambda t: t.values[1])
        print(f"pareto front: {len(front)} of {len(study.trials)} trials")
        for t in front:
            print(f"  accuracy {t.values[0]:.4f}  total_cost_usd {t.values[1]:.2f}  {t.params}")
    else:
        t = study.best_trial
        print(f"best score {t.value:.6f} after {len(study.trials)} trials: {t.params}")


if __name__ == "__main__":
    main()
