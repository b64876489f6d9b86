"""The sampler example of examples/sweeps/ runs, and a second run on the same storage continues the study."""
import os
import subprocess
import sys

import optuna


def test_optuna_sampler_example(root, tmp_path):
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    cmd = [sys.executable, str(root / "examples" / "sweeps" / "optuna_sampler.py"), "--trials", "8", "--storage", url]
    for _ in range(2):
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=dict(os.environ), cwd=root).stdout
    assert "of 16 trials" in out
    study = optuna.load_study(study_name="costfront-sweep", storage=url)
    trials = study.get_trials()
    assert len(trials) == 16
    assert all(t.user_attrs["gpu_hours"] > 0 and 0 < t.values[0] <= 0.93 for t in trials)
    # The cheapest front point is on the L4 or T4 (cheaper per trained model than the A100 in the toy), at bf16.
    cheapest = min(study.best_trials, key=lambda t: t.values[1])
    assert cheapest.params["hardware"] in ("l4", "t4") and cheapest.params["precision"] == "bf16"
