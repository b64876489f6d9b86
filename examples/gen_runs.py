#!/usr/bin/python3
"""Generate costfront's example run files: examples/runs.csv, examples/runs_bad.csv and examples/runs.jsonl.

Run with /usr/bin/python3 (standard library only); the output is deterministic (seed 20240611), so regenerating
gives byte-identical files as long as data/catalog.json keeps its throughput figures.

The runs are synthetic but follow documented priors (/work/shared/REFERENCE-costs.md and data/catalog.json):

Workloads (GPU-hours per epoch on an A100-80GB at bf16, the catalog's throughput unit 1.0):
    resnet50 / imagenet        0.55 h/epoch (90 epochs ~ 50 GPU-h, the usual 8-GPU, ~6 h recipe)
    vit-b16 / cifar100         0.08 h/epoch
    bert-base / glue           0.45 h/epoch (a fine-tuning sweep over the GLUE tasks)
    llama-7b-ft / alpaca       7.0 h/epoch  (full fine-tune, 3 epochs ~ 21 GPU-h)

GPU-hours = workload x epochs / throughput[hardware][precision] / pruning_speedup x lognormal noise (sigma 0.08),
with throughput read from data/catalog.json (A100-80GB bf16 = 1.0, H100 ~3.2, L4 ~0.39, T4 fp16 ~0.21, ...).
A precision is only used on hardware whose catalog throughput for it is known (no fp8 on A100/T4/A10G, no bf16
on T4, TPU v5e only bf16/int8/int4). Pruning speed-up: 1 + 0.8 p up to p = 0.5 (1.4x at 50%, the 1.27-1.5x
measured end to end for 2:4 sparsity), then 0.9 per unit of sparsity beyond (1.76x at 90%).

Accuracy = base(model) - lr penalty - quantization loss - pruning loss - under-training + noise N(0, 0.004):
    base: resnet50 0.761 (top-1), vit-b16 0.905, bert-base 0.842 (GLUE average), llama-7b-ft 0.615 (eval score)
    lr penalty: 0.012 x (log10(lr) - log10(lr*))^2 with lr* per model and optimizer (sgd wants ~10x adamw's lr,
        lion ~0.3x adamw's), so there is a sweet spot and a bowl around it
    quantization: fp32/tf32/bf16 0, fp16 0.001, fp8 0.002, int8 0.004 (SmoothQuant W8A8: negligible), int4 0.025
        (GPTQ/AWQ 4-bit: small on large LMs, larger on small vision models)
    pruning: 0.008 x p / 0.5 up to 50% sparsity (Wanda/SparseGPT: small at 50%), plus 0.09 x ((p - 0.5) / 0.4)^2
        beyond (loss grows nonlinearly: about 10 points at 90%)
    under-training: 0.03 x max(0, 1 - epochs / full_epochs)^2
About a quarter of the rows give wall_hours and num_gpus instead of gpu_hours; some rows use display names
("NVIDIA A100-SXM4-80GB", "Tesla T4") that the catalog resolves as aliases; region is given for some rows only.

runs_bad.csv holds the typical mistakes the readers must catch, one per row: a duplicate run_id, unknown hardware
("RTX 9090"), negative hours, accuracy 1.7 in a fraction column, pruning 150, precision "fp12", a row with a
missing field and a row with an extra field.
"""

import csv
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 20240611

PRECISIONS = ["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"]
QUANT_LOSS = {"fp32": 0.0, "tf32": 0.0, "bf16": 0.0, "fp16": 0.001, "fp8": 0.002, "int8": 0.004, "int4": 0.025}
# how often each precision is tried (before filtering by what the hardware supports)
PREC_WEIGHT = {"fp32": 0.5, "tf32": 1.0, "bf16": 3.0, "fp16": 2.0, "fp8": 1.5, "int8": 1.2, "int4": 1.0}

MODELS = [
    # model, dataset, project, base accuracy, GPU-h per epoch, full epochs, epoch choices, lr* (adamw), batch sizes
    ("resnet50", "imagenet", "vision", 0.761, 0.55, 90, [30, 60, 90], 1e-3, [256, 512, 1024]),
    ("vit-b16", "cifar100", "vision", 0.905, 0.08, 30, [10, 20, 30], 3e-4, [128, 256, 512]),
    ("bert-base", "glue", "nlp", 0.842, 0.45, 3, [2, 3, 4], 5e-5, [32, 64]),
    ("llama-7b-ft", "alpaca", "llm", 0.615, 7.0, 3, [1, 2, 3], 2e-5, [64, 128]),
]
OPT_LR_FACTOR = {"adamw": 1.0, "sgd": 10.0, "lion": 0.3}

HARDWARE = ["a100-40gb", "a100-80gb", "h100", "h200", "l4", "t4", "a10g", "tpu-v5e"]
HW_WEIGHT = {"a100-40gb": 2, "a100-80gb": 3, "h100": 3, "h200": 1, "l4": 1.5, "t4": 1, "a10g": 1.5, "tpu-v5e": 1}
ALIASES = {
    "a100-80gb": "NVIDIA A100-SXM4-80GB",
    "a100-40gb": "NVIDIA A100-SXM4-40GB",
    "h100": "NVIDIA H100 80GB HBM3",
    "t4": "Tesla T4",
    "l4": "NVIDIA L4",
    "tpu-v5e": "TPU v5e",
    "a10g": "NVIDIA A10G",
}
# (provider, region) pairs per hardware, from the catalog's offers, plus regions used for carbon only
PLACES = {
    "a100-40gb": [("aws", "us-east-1"), ("aws", "us-west-2"), ("lambda", "us-east-1")],
    "a100-80gb": [("generic", "us-east-1"), ("generic", "us-west-2"), ("", "eu-west-3"), ("", "eu-north-1"),
                  ("", "eu-central-1")],
    "h100": [("aws", "us-east-1"), ("aws", "us-west-2")],
    "h200": [("aws-capacity-blocks", "us-east-1"), ("aws-capacity-blocks", "us-west-2")],
    "l4": [("aws", "us-east-1"), ("aws", "us-west-2")],
    "t4": [("aws", "us-east-1"), ("aws", "us-west-2")],
    "a10g": [("aws", "us-east-1"), ("aws", "us-west-2")],
    "tpu-v5e": [("gcp", "us-central1"), ("gcp", "us-west4")],
}

COLUMNS = ["run_id", "model", "dataset", "project", "hardware", "precision", "pruning", "optimizer", "lr",
           "batch_size", "epochs", "accuracy", "gpu_hours", "wall_hours", "num_gpus", "region", "provider",
           "procurement"]


def load_throughput():
    """Relative throughput per hardware id and precision name from data/catalog.json (None = unsupported)."""
    with open(os.path.join(ROOT, "data", "catalog.json"), encoding="utf-8") as f:
        cat = json.load(f)
    table = {}
    for hw in cat["hardware"]:
        table[hw["id"]] = {p: hw.get("throughput", {}).get(p) for p in PRECISIONS}
    missing = [h for h in HARDWARE if h not in table]
    if missing:
        raise SystemExit("catalog lacks hardware " + ", ".join(missing))
    return table


def weighted(rng, items, weights):
    """Picks one item with the given weights."""
    total = sum(weights)
    x = rng.random() * total
    for item, w in zip(items, weights):
        x -= w
        if x < 0:
            return item
    return items[-1]


def pruning_loss(p):
    """Accuracy lost at sparsity p: small and linear up to 50%, then growing quadratically."""
    loss = 0.008 * min(p, 0.5) / 0.5
    if p > 0.5:
        loss += 0.09 * ((p - 0.5) / 0.4) ** 2
    return loss


def pruning_speedup(p):
    """End-to-end speed-up of sparsity p (1.4x at 50%, like 2:4 sparsity measured end to end)."""
    if p <= 0.5:
        return 1.0 + 0.8 * p
    return 1.4 + 0.9 * (p - 0.5)


def make_run(rng, i, thr):
    """One synthetic run as a dict of column -> text."""
    model, dataset, project, base, per_epoch, full_epochs, epoch_choices, lr_star, batches = rng.choice(MODELS)
    hw = weighted(rng, HARDWARE, [HW_WEIGHT[h] for h in HARDWARE])
    supported = [p for p in PRECISIONS if thr[hw][p] is not None]
    prec = weighted(rng, supported, [PREC_WEIGHT[p] for p in supported])
    pruning = rng.choice([0.0, 0.0, 0.0, 0.0, 0.3, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9])
    optimizer = weighted(rng, ["adamw", "sgd", "lion"], [3, 1.5, 1])
    lr = 10 ** rng.uniform(-5, -2)
    batch = rng.choice(batches)
    epochs = rng.choice(epoch_choices)

    lr_opt = lr_star * OPT_LR_FACTOR[optimizer]
    acc = base
    acc -= 0.012 * (math.log10(lr) - math.log10(lr_opt)) ** 2
    acc -= QUANT_LOSS[prec]
    acc -= pruning_loss(pruning)
    acc -= 0.03 * max(0.0, 1.0 - epochs / full_epochs) ** 2
    acc += rng.gauss(0.0, 0.004)
    acc = min(max(acc, 0.01), 0.999)

    hours = per_epoch * epochs / thr[hw][prec] / pruning_speedup(pruning)
    hours *= math.exp(rng.gauss(0.0, 0.08))

    row = {c: "" for c in COLUMNS}
    row["run_id"] = "r%03d" % i
    row["model"], row["dataset"], row["project"] = model, dataset, project
    row["hardware"] = ALIASES[hw] if hw in ALIASES and rng.random() < 0.25 else hw
    row["precision"] = prec
    row["pruning"] = "%g" % pruning
    row["optimizer"] = optimizer
    row["lr"] = "%.3g" % lr
    row["batch_size"] = str(batch)
    row["epochs"] = str(epochs)
    row["accuracy"] = "%.4f" % acc
    if rng.random() < 0.25:
        gpus = rng.choice([1, 2, 4, 8])
        row["num_gpus"] = str(gpus)
        row["wall_hours"] = "%.5g" % (hours / gpus)
    else:
        row["gpu_hours"] = "%.5g" % hours
    if rng.random() < 0.6:
        provider, region = rng.choice(PLACES[hw])
        row["region"], row["provider"] = region, provider
        if provider and rng.random() < 0.4:
            row["procurement"] = rng.choice(["on_demand", "spot"])
    return row


def write_csv(path, rows, columns):
    """Writes rows (dicts) as CSV with a header."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def main():
    thr = load_throughput()
    rng = random.Random(SEED)
    n = 144
    rows = [make_run(rng, i + 1, thr) for i in range(n)]
    write_csv(os.path.join(HERE, "runs.csv"), rows, COLUMNS)

    # runs_bad.csv: a few good rows, then one mistake per row.
    good = [make_run(rng, 900 + i, thr) for i in range(8)]
    bad = [dict(r) for r in good[:7]]
    for k, r in enumerate(bad):
        r["run_id"] = "b%02d" % (k + 1)
    bad[0]["run_id"] = good[0]["run_id"]      # duplicate of the first good row
    bad[1]["hardware"] = "RTX 9090"           # unknown hardware
    bad[2]["gpu_hours"], bad[2]["wall_hours"], bad[2]["num_gpus"] = "-3.5", "", ""  # negative hours
    bad[3]["accuracy"] = "1.7"                # accuracy above 1 in a fraction column
    bad[4]["pruning"] = "150"                 # pruning as a number above 100
    bad[5]["precision"] = "fp12"              # no such precision
    with open(os.path.join(HERE, "runs_bad.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in good + bad[:6]:
            w.writerow([r[c] for c in COLUMNS])
        short = [bad[6][c] for c in COLUMNS][:-1]          # a row with a missing field
        w.writerow(short)
        extra = [bad[6][c] for c in COLUMNS] + ["oops"]    # a row with an extra field
        extra[0] = "b08"
        w.writerow(extra)

    # runs.jsonl: JSON Lines with a nested "hparams" object.
    with open(os.path.join(HERE, "runs.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for i in range(20):
            r = make_run(rng, 500 + i, thr)
            obj = {"run_id": "j%03d" % (i + 1), "model": r["model"], "dataset": r["dataset"],
                   "hardware": r["hardware"], "precision": r["precision"], "pruning": float(r["pruning"]),
                   "hparams": {"lr": float(r["lr"]), "batch_size": int(r["batch_size"]),
                               "optimizer": r["optimizer"], "epochs": int(r["epochs"])},
                   "accuracy": float(r["accuracy"])}
            if r["gpu_hours"]:
                obj["gpu_hours"] = float(r["gpu_hours"])
            else:
                obj["wall_hours"] = float(r["wall_hours"])
                obj["num_gpus"] = int(r["num_gpus"])
            if r["region"]:
                obj["region"] = r["region"]
            f.write(json.dumps(obj) + "\n")


if __name__ == "__main__":
    main()
