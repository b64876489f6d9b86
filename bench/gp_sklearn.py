#!/usr/bin/python3
"""Reference for bench/gp.c: scikit-learn's GaussianProcessRegressor on the very same train/test files.

Usage: /usr/bin/python3 bench/gp_sklearn.py OUTDIR [--quick]

Reads OUTDIR/gp_n<n>_d<d>_{train,test}.csv written by bench_gp, fits
Matern(nu=2.5, ARD, bounds (1e-3, 1e3)) * ConstantKernel + WhiteKernel with normalize_y=True and
n_restarts_optimizer=4 (5 starts, like costfront's default start + 4 Sobol restarts), and reports the median fit
time and the held-out NLPD, RMSE and 95% coverage of the noisy test targets (the predictive std includes the
WhiteKernel noise). Writes OUTDIR/gp_sklearn.csv.
"""
import math
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def score(y, mu, sd):
    var = np.maximum(sd * sd, 1e-300)
    e = y - mu
    nlpd = float(np.mean(0.5 * (np.log(2 * math.pi * var) + e * e / var)))
    rmse = float(np.sqrt(np.mean(e * e)))
    cover = float(np.mean(np.abs(e) <= 1.959963984540054 * np.sqrt(var)))
    return nlpd, rmse, cover


def main():
    out = sys.argv[1]
    quick = len(sys.argv) > 2 and sys.argv[2] == "--quick"
    warnings.simplefilter("ignore", ConvergenceWarning)
    rows = ["n,d,fit_s,nlpd,rmse,cover95,lengthscale_mean,noise_var"]
    print("%6s %3s %10s %8s %8s %8s" % ("n", "d", "fit_s", "nlpd", "rmse", "cover95"))
    for n in (50, 200, 1000):
        for d in (4, 8):
            if quick and n > 200:
                continue
            X, y = load("%s/gp_n%d_d%d_train.csv" % (out, n, d))
            Xs, ys = load("%s/gp_n%d_d%d_test.csv" % (out, n, d))
            reps = 1 if n >= 1000 else 3
            times = []
            for r in range(reps):
                kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
                    length_scale=np.ones(d), length_scale_bounds=(1e-3, 1e3), nu=2.5
                ) + WhiteKernel(1e-2, (1e-6, 1e1))
                gpr = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=4, random_state=r)
                t0 = time.perf_counter()
                gpr.fit(X, y)
                times.append(time.perf_counter() - t0)
            mu, sd = gpr.predict(Xs, return_std=True)
            nlpd, rmse, cover = score(ys, mu, sd)
            k = gpr.kernel_
            ls = float(np.mean(k.k1.k2.length_scale))
            noise = float(k.k2.noise_level) * float(gpr._y_train_std) ** 2
            fit = statistics.median(times)
            print("%6d %3d %10.4f %9.5f %8.4f %8.3f" % (n, d, fit, nlpd, rmse, cover))
            rows.append("%d,%d,%.6g,%.8g,%.6g,%.6g,%.6g,%.6g" % (n, d, fit, nlpd, rmse, cover, ls, noise))
    with open("%s/gp_sklearn.csv" % out, "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
