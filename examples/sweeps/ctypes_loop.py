#!/usr/bin/env python3
"""An ask/tell loop from Python through ctypes and libcostfront.so (run from the repository root after ./setup.sh):

    /usr/bin/python3 examples/sweeps/ctypes_loop.py [--lib build/libcostfront.so] [--budget 12] [--q 2]

Creates a cost-aware study in a temporary directory, asks q configurations at a time (cf_study_ask_json), "trains"
them with toy.py and tells accuracy and gpu_hours (cf_study_tell_json); the library computes the costs. Prints
the Pareto front (cf_study_front_json).
"""
import argparse
import ctypes
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toy import train  # noqa: E402

SPACE = {
    "params": [{"name": "hardware", "type": "categorical", "choices": ["a100-80gb", "l4", "t4"]},
               {"name": "precision", "type": "categorical", "choices": ["fp32", "bf16"]},
               {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": True}],
    "objectives": [{"name": "accuracy", "direction": "maximize"}, {"name": "total_cost_usd"}],
}


def load(path):
    lib = ctypes.CDLL(path)
    lib.cf_study_create_c.restype = ctypes.c_void_p
    lib.cf_study_create_c.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.cf_study_destroy.argtypes = [ctypes.c_void_p]
    lib.cf_study_set_effort.argtypes = [ctypes.c_void_p] + [ctypes.c_size_t] * 4
    # JSON strings come back as malloc'd char*: keep them as void* so they can be freed with cf_free.
    for f in ("cf_study_ask_json", "cf_study_front_json", "cf_study_trials_json"):
        getattr(lib, f).restype = ctypes.c_void_p
    lib.cf_study_ask_json.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_ulong]
    lib.cf_study_front_json.argtypes = [ctypes.c_void_p]
    lib.cf_study_tell_json.restype = ctypes.c_int
    lib.cf_study_tell_json.argtypes = [ctypes.c_void_p, ctypes.c_long, ctypes.c_char_p, ctypes.c_char_p]
    lib.cf_study_last_error.restype = ctypes.c_char_p
    lib.cf_study_last_error.argtypes = [ctypes.c_void_p]
    lib.cf_free.argtypes = [ctypes.c_void_p]
    return lib


def take_json(lib, ptr, study):
    """Decodes a returned JSON string and frees it."""
    if not ptr:
        raise RuntimeError(lib.cf_study_last_error(study).decode())
    try:
        return json.loads(ctypes.string_at(ptr).decode())
    finally:
        lib.cf_free(ptr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default="build/libcostfront.so")
    ap.add_argument("--budget", type=int, default=12, help="number of evaluations (default 12)")
    ap.add_argument("--q", type=int, default=2, help="trials per ask (default 2)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    lib = load(a.lib)
    with tempfile.TemporaryDirectory() as tmp:
        err = ctypes.create_string_buffer(512)
        study = lib.cf_study_create_c(os.path.join(tmp, "study.db").encode(), json.dumps(SPACE).encode(), err, 512)
        if not study:
            sys.exit("cannot create the study: " + err.value.decode())
        lib.cf_study_set_effort(study, 128, 2, 60, 1)
        done, rnd = 0, 0
        while done < a.budget:
            q = min(a.q, a.budget - done)
            trials = take_json(lib, lib.cf_study_ask_json(study, q, a.seed + rnd), study)["trials"]
            for t in trials:
                p = t["params"]
                acc, gh = train(p["hardware"], p["precision"], p["lr"])
                values = json.dumps({"accuracy": acc, "gpu_hours": gh}).encode()
                if lib.cf_study_tell_json(study, t["id"], values, None) != 0:
                    sys.exit("tell failed: " + lib.cf_study_last_error(study).decode())
                print(f"trial {t['id']}: {p['hardware']} {p['precision']} lr={p['lr']:.3g} -> accuracy {acc}, "
                      f"gpu_hours {gh}")
            done += q
            rnd += 1
        front = take_json(lib, lib.cf_study_front_json(study), study)
        print(f"hypervolume {front['hypervolume']:.6g}, front of {len(front['front'])} trials:")
        for f in front["front"]:
            v = f["values"]
            print(f"  #{f['id']} accuracy {v['accuracy']:.4f} total_cost_usd {v['total_cost_usd']:.2f} {f['params']}")
        lib.cf_study_destroy(study)


if __name__ == "__main__":
    main()
