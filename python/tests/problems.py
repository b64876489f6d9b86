"""Test problems shared by the sampler tests, the two-process worker and bench/sampler_optuna.py's checks."""
import math


def branin_currin(x0, x1):
    """BraninCurrin (Belakaria et al. 2019 as in BoTorch): two minimised objectives on [0, 1]^2."""
    u, v = 15 * x0 - 5, 15 * x1
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    f0 = (v - b * u * u + c * u - 6) ** 2 + 10 * (1 - t) * math.cos(u) + 10
    e = 1 - math.exp(-1 / (2 * x1)) if x1 > 0 else 1.0
    f1 = e * (2300 * x0 ** 3 + 1900 * x0 ** 2 + 2092 * x0 + 60) / (100 * x0 ** 3 + 500 * x0 ** 2 + 4 * x0 + 20)
    return f0, f1


def hv2(points, ref):
    """Hypervolume of minimised 2-D points against ref (points beyond ref count for nothing)."""
    pts = sorted(p for p in points if p[0] < ref[0] and p[1] < ref[1])
    hv, best = 0.0, ref[1]
    for a, b in pts:
        if b < best:
            hv += (ref[0] - a) * (best - b)
            best = b
    return hv


def bc_objective(trial):
    return branin_currin(trial.suggest_float("x0", 0.0, 1.0), trial.suggest_float("x1", 0.0, 1.0))
