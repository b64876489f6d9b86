"""A toy training function shared by the sweep examples: no GPU, instant, deterministic.

train(hardware, precision, lr) returns (accuracy, gpu_hours): accuracy peaks at lr = 3e-3 and loses a little at
bf16 and on the T4; GPU-hours follow each accelerator's relative speed (bf16 is 1.6x faster than fp32).
"""
import math

SPEED = {"a100-80gb": 1.0, "l4": 0.35, "t4": 0.18}   # relative training throughput
BASE_HOURS = 6.0                                     # GPU-hours on an A100 at bf16


def train(hardware, precision, lr):
    l = math.log10(lr) + 2.5
    accuracy = 0.93 - 0.03 * l * l - (0.004 if precision == "bf16" else 0.0) - (0.01 if hardware == "t4" else 0.0)
    gpu_hours = BASE_HOURS / SPEED[hardware] * (1.6 if precision == "fp32" else 1.0)
    return round(accuracy, 6), round(gpu_hours, 6)
