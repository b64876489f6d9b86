#!/usr/bin/env python3
"""Held-out-by-group coverage of costfront's predicted GPU-hours and cost on MLPerf Training (bench/coverage.sh).

For each grouping (leave one system out, one accelerator out, one submitter out) and each group in it, the runs of
the other groups are written to a CSV file, `costfront predict` is fitted to them and asked for the held-out runs
(their hardware, benchmark and scale), and every held-out run is scored: is its GPU-hours inside the predicted 95%
interval, is its cost (`costfront score`, total_cost_usd under on_demand, the cheapest offer) inside the predicted
cost interval, the interval's width hi/lo, and the error of log GPU-hours. Only the CLI is used, as a user would.

Usage: coverage.py --bin build/costfront --data FILE --out DIR [--scale-as n_acc|num_gpus] [--label NAME]
Prints a markdown table (per group and overall) and writes DIR/heldout.csv (one row per held-out run and grouping).
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys

# Outcome columns of the MLPerf summary (results, not settings) and identifiers that name the groups: left out of
# the model. nodes is redundant with n_acc / acc_per_node.
IGNORED = ["system", "submitter", "status", "division", "n_success", "olympic_mean_min", "scaling", "score_min",
           "nodes"]


def mapping(scale_as):
    m = {"accel": "hardware", "accel_hours": "gpu_hours", "benchmark": "model"}
    if scale_as != "n_acc":
        m["n_acc"] = scale_as
    for c in IGNORED:
        m[c] = "ignore"
    return ",".join(f"{k}={v}" for k, v in m.items())


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def resolve(binary, name, cache):
    if name not in cache:
        rc, out, err = run([binary, "catalog", "resolve", name])
        cache[name] = out.split("->")[1].split()[0] if rc == 0 and "->" in out else name
    return cache[name]


def observed_cost(binary, hw, g, cache):
    """total_cost_usd of g GPU-hours on hw under on_demand (the cheapest offer), as costfront prices a run."""
    key = (hw, g)
    if key not in cache:
        rc, out, err = run([binary, "score", "--gpu-hours", repr(g), "--hardware", hw, "--procurement", "on_demand"])
        cache[key] = json.loads(out)["total_cost_usd"] if rc == 0 else None
    return cache[key]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale-as", default="n_acc", help="name the accelerator count takes: a hyperparameter column "
                    "(n_acc) or the run field num_gpus")
    ap.add_argument("--label", default="")
    ap.add_argument("--groupings", default="system,accel,submitter")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with open(a.data, newline="") as fh:
        rd = csv.DictReader(fh)
        header = rd.fieldnames
        rows = [r for r in rd if r["accel_hours"].strip() != ""]  # runs without a successful result have no hours
    hwcache, costcache = {}, {}
    for r in rows:
        r["hw_id"] = resolve(a.bin, r["accel"], hwcache)
    mp = mapping(a.scale_as)
    out_rows = []
    summary = []
    for grouping in a.groupings.split(","):
        key = {"system": lambda r: r["submitter"] + "/" + r["system"], "accel": lambda r: r["hw_id"],
               "submitter": lambda r: r["submitter"]}[grouping]
        groups = sorted(set(key(r) for r in rows))
        per = []
        for g in groups:
            test = [r for r in rows if key(r) == g]
            train = [r for r in rows if key(r) != g]
            seen_bench = set(r["benchmark"] for r in train)
            ok = [r for r in test if r["benchmark"] in seen_bench]
            res = {"group": g, "n": len(test), "unpredictable": len(test) - len(ok), "recs": []}
            if ok:
                tr = os.path.join(a.out, "train.csv")
                with open(tr, "w", newline="") as fh:
                    w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
                    w.writeheader()
                    w.writerows(train)
                cf = os.path.join(a.out, "configs.jsonl")
                with open(cf, "w") as fh:
                    for r in ok:
                        fh.write(json.dumps({"hardware": r["hw_id"], "model": r["benchmark"],
                                             a.scale_as: int(r["n_acc"]),
                                             "acc_per_node": int(r["acc_per_node"])}) + "\n")
                # n_runs is a harmless numeric column used as the metric (the MLPerf table has no accuracy); it is
                # then no input of the GPU-hours model.
                rc, out, err = run([a.bin, "predict", tr, "--map", mp, "--target", "n_runs", "--configs", cf,
                                    "--format", "json", "--procurement", "on_demand", "--seed", "1"])
                if rc != 0:
                    sys.stderr.write(f"coverage.py: predict failed for {grouping}={g}: {err}\n")
                    sys.exit(1)
                preds = json.loads(out)["predictions"]
                for r, p in zip(ok, preds):
                    gobs = float(r["accel_hours"])
                    gh = p["gpu_hours"]
                    mu = p["log_gpu_hours"]["mean"]
                    rec = {"grouping": grouping, "group": g, "system": r["system"], "benchmark": r["benchmark"],
                           "hardware": r["hw_id"], "n_acc": r["n_acc"], "gpu_hours": gobs,
                           "pred_mean": gh["mean"], "lo": gh["lo"], "hi": gh["hi"],
                           "log_err": math.log(gobs) - mu, "log_sd": p["log_gpu_hours"]["sd"],
                           "in95": int(gh["lo"] <= gobs <= gh["hi"]),
                           "hardware_unseen": int(p["prior"]["hardware_unseen"])}
                    cobs = observed_cost(a.bin, r["hw_id"], gobs, costcache)
                    costs = [c for c in p["costs"] if c["procurement"] == "on_demand"]
                    if cobs is not None and costs:
                        c = costs[0]["total_cost_usd"]
                        rec.update(cost=cobs, cost_lo=c["lo"], cost_hi=c["hi"],
                                   cost_in95=int(c["lo"] <= cobs <= c["hi"]))
                    res["recs"].append(rec)
                    out_rows.append(rec)
            per.append(res)
        summary.append((grouping, per))
    fields = ["grouping", "group", "system", "benchmark", "hardware", "n_acc", "gpu_hours", "pred_mean", "lo", "hi",
              "log_err", "log_sd", "in95", "hardware_unseen", "cost", "cost_lo", "cost_hi", "cost_in95"]
    with open(os.path.join(a.out, "heldout.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(out_rows)

    def stats(recs):
        n = len(recs)
        if n == 0:
            return None
        cov = sum(r["in95"] for r in recs) / n
        priced = [r for r in recs if "cost_in95" in r]
        ccov = sum(r["cost_in95"] for r in priced) / len(priced) if priced else float("nan")
        width = sum(r["hi"] / r["lo"] for r in recs) / n
        wmed = sorted(r["hi"] / r["lo"] for r in recs)[n // 2]
        rmse = math.sqrt(sum(r["log_err"] ** 2 for r in recs) / n)
        return n, cov, len(priced), ccov, width, wmed, rmse

    def fmt(name, s, extra=""):
        n, cov, npr, ccov, width, wmed, rmse = s
        return (f"| {name} | {n}{extra} | {100 * cov:.1f}% | {100 * ccov:.1f}% ({npr}) | {width:.2f}x | {wmed:.2f}x "
                f"| {rmse:.3f} |")

    print(f"### {a.label or 'coverage'}: 95% intervals of runs held out by group (`--scale-as {a.scale_as}`)\n")
    print("| grouping | held-out runs | GPU-hours in 95% | cost in 95% (priced) | mean width hi/lo | median width "
          "| RMSE log GPU-hours |")
    print("|---|---|---|---|---|---|---|")
    for grouping, per in summary:
        recs = [r for p in per for r in p["recs"]]
        unp = sum(p["unpredictable"] for p in per)
        print(fmt(f"leave one {grouping} out ({len(per)} groups)", stats(recs),
                  f" (+{unp} unpredictable)" if unp else ""))
    print()
    for grouping, per in summary:
        if grouping == "system":
            continue
        print(f"Per {grouping}:\n")
        print(f"| {grouping} | held-out runs | GPU-hours in 95% | cost in 95% (priced) | mean width hi/lo | "
              "median width | RMSE log GPU-hours |")
        print("|---|---|---|---|---|---|---|")
        for p in per:
            s = stats(p["recs"])
            if s is None:
                print(f"| {p['group']} | 0 (+{p['unpredictable']} unpredictable) | - | - | - | - | - |")
            else:
                print(fmt(p["group"], s, f" (+{p['unpredictable']} unpredictable)" if p["unpredictable"] else ""))
        print()
    for grouping, per in summary:
        if grouping != "system":
            continue
        bad = [p for p in per if p["recs"] and stats(p["recs"])[1] < 0.9]
        print(f"Per system: {len(per)} systems; the {len(bad)} with GPU-hours coverage below 90% (all rows in "
              "heldout.csv):\n")
        print("| system | held-out runs | GPU-hours in 95% | cost in 95% (priced) | mean width hi/lo | median width "
              "| RMSE log GPU-hours |")
        print("|---|---|---|---|---|---|---|")
        for p in bad:
            print(fmt(p["group"], stats(p["recs"])))
        print()


if __name__ == "__main__":
    main()
