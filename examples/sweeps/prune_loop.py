#!/usr/bin/env python3
"""An ask/tell loop with learning curves and pruning through the costfront Python package (README, "Python"):

    /usr/bin/python3 examples/sweeps/prune_loop.py [--budget 12] [--steps 100] [--every 10]

Creates a cost-aware study in a temporary directory; each asked configuration "trains" with toy.py's formula on a
saturating curve (accuracy(t) = final (1 - exp(-t / tau)), slower for a bad learning rate), reports its accuracy and
the GPU-hours spent so far every --every steps (Study.report) and asks Study.should_prune after each report: a trial
that cannot reach the cost-accuracy front at the cost it still has to spend is told "pruned" and stopped. Prints
each trial, the GPU-hours spent against those of the same trials run to the end, and the front.
"""
import argparse
import math
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import costfront
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
    import costfront
from toy import train  # noqa: E402

SPACE = {
    "params": [{"name": "hardware", "type": "categorical", "choices": ["a100-80gb", "l4", "t4"]},
               {"name": "precision", "type": "categorical", "choices": ["fp32", "bf16"]},
               {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": True}],
    "objectives": [{"name": "accuracy", "direction": "maximize"}, {"name": "total_cost_usd"}],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=int, default=12)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--every", type=int, default=10)
    a = ap.parse_args()
    spent = full = 0.0
    with tempfile.TemporaryDirectory() as d, costfront.Study.create(os.path.join(d, "study.db"), SPACE) as s:
        s.set_effort(128, 2, 60, 1)
        for k in range(a.budget):
            trial = s.ask(1, seed=k)[0]
            p = trial["params"]
            final, gh = train(p["hardware"], p["precision"], p["lr"])
            tau = 12 + 8 * abs(math.log10(p["lr"]) + 2.5)
            full += gh
            outcome = "complete"
            for step in range(a.every, a.steps + 1, a.every):
                acc, hours = final * (1 - math.exp(-step / tau)), gh * step / a.steps
                s.report(trial["id"], step, [acc], gpu_hours=hours)
                if step < a.steps and s.should_prune(trial["id"]):
                    s.tell(trial["id"], state="pruned")
                    outcome = f"pruned at step {step}"
                    break
            else:
                s.tell(trial["id"], {"accuracy": acc, "gpu_hours": hours})
            spent += hours
            print(f"trial {trial['id']}: {p['hardware']} {p['precision']} lr={p['lr']:.4g} -> {outcome}, "
                  f"accuracy {acc:.4f}, gpu_hours {hours:.3f}")
        print(f"GPU-hours spent {spent:.2f} of {full:.2f} without pruning ({100 * (1 - spent / full):.0f}% saved)")
        front = s.front()
        print(f"front: {len(front.front)} trials, hypervolume {front.hypervolume:.6g}")


if __name__ == "__main__":
    main()
