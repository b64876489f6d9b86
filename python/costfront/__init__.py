"""costfront for Python: what your accuracy really costs.

A pure-Python package over libcostfront.so (ctypes; no compiled extension of its own). The library is found through
the environment variable COSTFRONT_LIB when set, then the installed library, then the repository's build tree
(``build/libcostfront.so``).

    import costfront
    runs = costfront.read_runs("examples/runs.csv")
    fr = costfront.frontier(runs)                  # fr.frontier, fr.dominated, fr.rejects (DataFrames)
    print(fr.hypervolume, fr.knee)
    costfront.price({"accuracy": 0.91, "gpu_hours": 12, "hardware": "h100", "precision": "bf16"})
    costfront.predict(runs, {"model": "resnet50", "hardware": "l4", "precision": "int8", "pruning": 0.5})
    costfront.tco("examples/plans/lab-steady-training.json").cheapest

    with costfront.Study.create("study.db", space) as s:   # ask/tell Bayesian optimisation
        for t in s.ask(2):
            s.tell(t["id"], {"f1": ..., "f2": ...})

The Optuna sampler is ``costfront.optuna.CostfrontSampler``. Every failure raises :class:`costfront.Error`, which
carries the library's file, line, column, field and message.
"""
from ._lib import Error, library_path
from .runs import Frontier, Runs, frontier, price, read_runs
from .models import Tco, predict, tco
from .study import Study, StudyFront

__version__ = "0.1.0"

__all__ = ["Error", "Frontier", "Runs", "Study", "StudyFront", "Tco", "frontier", "library_path", "predict", "price",
           "read_runs", "tco", "version"]


def version() -> str:
    """The version of the loaded library (e.g. "0.1.0")."""
    from ._lib import lib

    return lib().cf_version().decode()
