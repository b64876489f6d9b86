#!/usr/bin/python3
"""Write N synthetic runs with the columns of examples/runs.csv to standard output (seeded, deterministic).

Usage: bench/gen_scale.py N [SEED]

Row k is a variant of example row (k mod 144) of examples/runs.csv (the file examples/gen_runs.py generates): same
model, hardware, precision, region and provider spellings (aliases included), so that every row is valid and
priced as the examples are; accuracy moved by N(0, 0.01) and clamped to [0.01, 0.99], the hours multiplied by a
lognormal factor (sigma 0.3), lr by a lognormal factor (sigma 0.2), and run_id made unique ("s<k>"). The same N and
SEED give byte-identical output. Standard library only; about 1 s per 10^5 rows.
"""

import csv
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "examples", "runs.csv")


def main():
    n = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 14
    rng = random.Random(seed)
    with open(SRC, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    out = sys.stdout
    out.write(",".join(header) + "\n")
    ia, ig, iw, il, ir = col["accuracy"], col["gpu_hours"], col["wall_hours"], col["lr"], col["run_id"]
    for k in range(n):
        row = list(body[k % len(body)])
        row[ir] = "s%d" % k
        acc = float(row[ia]) + rng.gauss(0.0, 0.01)
        row[ia] = "%.4f" % min(0.99, max(0.01, acc))
        factor = math.exp(rng.gauss(0.0, 0.3))
        for i in (ig, iw):
            if row[i]:
                row[i] = "%.4f" % (float(row[i]) * factor)
        if row[il]:
            row[il] = "%.3g" % (float(row[il]) * math.exp(rng.gauss(0.0, 0.2)))
        out.write(",".join(row) + "\n")


if __name__ == "__main__":
    main()
