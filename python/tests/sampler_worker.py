"""One worker of the two-process sampler test: optimises BraninCurrin with CostfrontSampler on a shared storage.

Usage: python sampler_worker.py STORAGE_URL STUDY_NAME N_TRIALS WORKER_NAME
Each trial records the worker's name and the points the sampler's mirror held as pending (trials the other worker
was running) when it proposed this one."""
import os
import sys
import time

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from problems import bc_objective  # noqa: E402

from costfront.optuna import CostfrontSampler  # noqa: E402


def main():
    url, name, n, worker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = CostfrontSampler(seed=0, effort=(128, 2, 60, 1))  # the same seed in every worker
    study = optuna.load_study(study_name=name, storage=url, sampler=sampler)

    def objective(trial):
        pending = [num for num, (_, st) in sampler._map.items() if st == "pending" and num != trial.number]
        params = {t.number: t.params for t in study.get_trials(deepcopy=False) if t.number in pending}
        trial.set_user_attr("worker", worker)
        trial.set_user_attr("pending_seen", [[params[n]["x0"], params[n]["x1"]] for n in pending if n in params])
        f = bc_objective(trial)
        time.sleep(0.1 if worker == "w1" else 0.17)  # "training" while the other worker asks
        return f

    study.optimize(objective, n_trials=n)


if __name__ == "__main__":
    main()
