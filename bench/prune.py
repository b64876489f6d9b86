#!/usr/bin/env python3
"""Cost-aware pruning on a synthetic sweep (issue 13): the same trials run unpruned and pruned, same seeds.

usage: PYTHONPATH=python COSTFRONT_LIB=build/libcostfront.so /usr/bin/python3 bench/prune.py [--repeats 10]
       [--trials 40] [--steps 100] [--every 5] [--noise 0.004]

The sweep: parameters lr (log-uniform 1e-4..1e-1), width (1, 2 or 4) and accelerator (fast, mid, slow), drawn from
Python's random.Random(seed). Learning curve: accuracy(t) = A (1 - exp(-t / tau)) + N(0, noise) (--noise, default 0.004), with the final
level A = 0.95 - 0.05 l^2 + 0.01 log2(width) (l = log10(lr) + 2.5) and the time constant
tau = 8 + 12 |l + 1| + 4 width, evaluated every --every steps up to --steps; GPU-hours per step 0.0125, 0.03 or
0.0625 times width by accelerator (cost proportional to steps). Each trial is added to a study (objectives accuracy
max and gpu_hours min, fixed reference point 0.8 and 10, close to the front so that the two runs' hypervolumes compare), reports every
evaluation with Study.report and, in the pruned run, asks Study.should_prune after it (default rule options) and
stops when told to prune. A complete trial is told its last accuracy and its GPU-hours. Printed per seed: GPU-hours
unpruned and pruned, the saving, both hypervolumes and their ratio, trials pruned, wall seconds; then medians and
the pass criteria (saving >= 30%, hypervolume within 1%), the same figures for a cost-blind baseline (the median
stopping rule on accuracy, run on the same trials), and the machine's facts.
"""
import argparse
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import costfront
except ImportError:  # run from a checkout: the package in python/, the library in build/ (or COSTFRONT_LIB)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import costfront

ACCEL = {"fast": 0.0125, "mid": 0.03, "slow": 0.0625}
SPACE = {"params": [{"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": True},
                    {"name": "width", "type": "categorical", "choices": ["1", "2", "4"]},
                    {"name": "accelerator", "type": "categorical", "choices": list(ACCEL)}],
         "objectives": [{"name": "accuracy", "direction": "maximize", "ref": 0.8},
                        {"name": "gpu_hours", "direction": "minimize", "ref": 10.0}]}


def trials(seed, n):
    """The sweep's configurations and their hidden curve parameters."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        lr = 10 ** r.uniform(-4, -1)
        width = r.choice([1, 2, 4])
        acc = r.choice(list(ACCEL))
        l = math.log10(lr) + 2.5
        a = 0.95 - 0.05 * l * l + 0.01 * math.log2(width)
        tau = 8 + 12 * abs(l + 1) + 4 * width
        out.append(({"lr": lr, "width": str(width), "accelerator": acc}, a, tau, ACCEL[acc] * width,
                    r.randrange(1 << 30)))
    return out


BASELINES = {"median": "median stopping, running averages (Golovin et al. 2017), accuracy only",
             "median_value": "median of the values at the step (Optuna's MedianPruner), accuracy only"}


def median_stop(curve, done, kind, min_evals=3):
    """Cost-blind baselines on accuracy alone: "median", the median stopping rule (Golovin et al. 2017): stop when
    the trial's best accuracy so far is below the median of the completed trials' running averages at the same
    step; "median_value", the common variant (Optuna's MedianPruner): below the median of their values at that
    step."""
    if len(curve) < min_evals or len(done) < 3:
        return False
    t = curve[-1][0]
    ref = []
    for c in done:
        upto = [v for st, v in c if st <= t]
        if upto:
            ref.append(sum(upto) / len(upto) if kind == "median" else upto[-1])
    return len(ref) >= 3 and max(v for _, v in curve) < statistics.median(ref)


def run(path, seed, n, steps, every, prune, sd):
    """Runs the sweep into a new study at path; prune is False, "cost" (Study.should_prune) or "median" (the
    baseline above). Returns (GPU-hours spent, hypervolume, trials pruned, seconds)."""
    t0 = time.perf_counter()
    spent, pruned, done = 0.0, 0, []
    with costfront.Study.create(path, SPACE) as s:
        for params, a, tau, rate, noise_seed in trials(seed, n):
            tid = s.add(params)
            noise = random.Random(noise_seed)
            last, stopped, curve = None, False, []
            for t in range(every, steps + 1, every):
                last = a * (1 - math.exp(-t / tau)) + noise.gauss(0, sd)
                curve.append((t, last))
                s.report(tid, t, [last], gpu_hours=rate * t)
                if t < steps and ((prune == "cost" and s.should_prune(tid)) or
                                  (prune in ("median", "median_value") and median_stop(curve, done, prune))):
                    s.tell(tid, state="pruned")
                    spent += rate * t
                    pruned += 1
                    stopped = True
                    break
            if not stopped:
                s.tell(tid, {"accuracy": last, "gpu_hours": rate * steps})
                spent += rate * steps
                done.append(curve)
        hv = s.front().hypervolume
    return spent, hv, pruned, time.perf_counter() - t0


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {cpu}, {os.cpu_count()} logical cores, load {load:.2f}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, costfront {costfront.version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--noise", type=float, default=0.004)
    a = ap.parse_args()
    print(machine())
    print(f"sweep: {a.trials} trials, {a.steps} steps, evaluation every {a.every}, noise sd {a.noise}; seeds 0..{a.repeats - 1}")
    print(f"{'seed':>4} {'GPU-h full':>10} {'GPU-h pruned':>12} {'saved':>7} {'HV full':>9} {'HV pruned':>9} "
          f"{'HV ratio':>8} {'pruned':>6} {'s full':>7} {'s pruned':>8}")
    saves, ratios, slow = [], [], []
    base = {k: ([], []) for k in BASELINES}
    with tempfile.TemporaryDirectory() as d:
        for seed in range(a.repeats):
            h0, hv0, _, t0 = run(os.path.join(d, f"full{seed}.db"), seed, a.trials, a.steps, a.every, False, a.noise)
            h1, hv1, np_, t1 = run(os.path.join(d, f"pruned{seed}.db"), seed, a.trials, a.steps, a.every, "cost", a.noise)
            for kind in BASELINES:
                h2, hv2, _, _ = run(os.path.join(d, f"{kind}{seed}.db"), seed, a.trials, a.steps, a.every, kind,
                                    a.noise)
                base[kind][0].append(1 - h2 / h0)
                base[kind][1].append(hv2 / hv0)
            save, ratio = 1 - h1 / h0, hv1 / hv0
            saves.append(save)
            ratios.append(ratio)
            slow.append(t1 / t0)
            print(f"{seed:>4} {h0:>10.3f} {h1:>12.3f} {100 * save:>6.1f}% {hv0:>9.4f} {hv1:>9.4f} {ratio:>8.4f} "
                  f"{np_:>6} {t0:>7.2f} {t1:>8.2f}")
    ms, mr = statistics.median(saves), statistics.median(ratios)
    print(f"median: GPU-hours saved {100 * ms:.1f}% (min {100 * min(saves):.1f}%), hypervolume ratio {mr:.4f} "
          f"(min {min(ratios):.4f}); wall time pruned / full {statistics.median(slow):.2f}")
    for kind, (bs, br) in base.items():
        print(f"baseline {BASELINES[kind]}: GPU-hours saved {100 * statistics.median(bs):.1f}% "
              f"(min {100 * min(bs):.1f}%), hypervolume ratio {statistics.median(br):.4f} (min {min(br):.4f})")
    ok = ms >= 0.30 and min(ratios) >= 0.99
    print(f"criteria: median saving >= 30% and every hypervolume within 1%: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
