"""costfront.Study: the ask/tell multi-objective Bayesian optimisation study of include/costfront/study.h."""
from __future__ import annotations

import ctypes
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

import pandas as pd

from ._lib import Error, lib, new_error, raise_error, take_text

__all__ = ["Study", "StudyFront"]

_ACQ = {"auto": 0, "ehvi": 1, "parego": 2, "sobol": 3, "random": 4, "qnehvi": 5}


@dataclass
class StudyFront:
    """The observed Pareto front of a study's complete, feasible trials.

    Attributes:
        front: one row per front trial: id, then params_<name> and values_<name> columns.
        hypervolume: its hypervolume against ``ref`` (objectives' own units and directions).
        ref: the reference point (None with no feasible trial); ``ref_inferred`` says which entries were inferred.
        n_trials, n_complete, n_feasible: counts of the study's trials.
        json: the whole JSON object of cf_study_front.
    """

    front: pd.DataFrame
    hypervolume: float
    ref: Optional[List[float]]
    ref_inferred: Optional[List[bool]]
    n_trials: int
    n_complete: int
    n_feasible: int
    json: Dict[str, Any] = field(repr=False)


def _flat(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    """Trials with their params and values spread into params_<name> and values_<name> columns."""
    out = []
    for r in rows:
        d = {k: v for k, v in r.items() if k not in ("params", "values")}
        for k, v in (r.get("params") or {}).items():
            d["params_" + k] = v
        vals = r.get("values")
        if isinstance(vals, dict):
            for k, v in vals.items():
                d["values_" + k] = v
        out.append(d)
    return pd.DataFrame(out)


class Study:
    """An ask/tell study kept in an SQLite file, shared by every process that opens it (a sweep).

    Create one with :meth:`create` (a search space with objectives and outcome constraints, see docs/mobo.md) or
    open one with :meth:`open`; then repeatedly :meth:`ask` for trials, evaluate them, and :meth:`tell` the
    outcome. A study whose objectives are costs (cost_usd, total_cost_usd, co2e_kg, ...) and whose space has a
    categorical ``hardware`` parameter is cost-aware: tell only ``gpu_hours`` (and the other metrics), and the costs
    are computed from the price catalog. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, handle: int, path: str) -> None:
        """Wraps an open handle; use :meth:`create` or :meth:`open`."""
        self._h: Optional[int] = handle
        self.path = path

    @classmethod
    def create(cls, path: Union[str, "os.PathLike[str]"], space: Union[Dict[str, Any], str],
               catalog: Optional[Union[str, "os.PathLike[str]"]] = None, catalog_only: bool = False) -> "Study":
        """Creates a study file at path (a new or empty file) with the space (a dict, or its JSON text) and opens it.

        ``catalog`` names a price catalog file kept in the study (merged over the default one, or used alone with
        ``catalog_only``), so every process prices the study's trials alike. Raises Error (the field names the
        JSON path of a bad space entry; an existing file is refused untouched)."""
        L = lib()
        text = space if isinstance(space, str) else json.dumps(space)
        cat_text = cat_src = None
        if catalog is not None:
            try:
                with open(catalog, "rb") as f:
                    cat_text = f.read()
            except OSError as e:
                raise Error(f"cannot read the catalog: {e.strerror}", file=os.fspath(catalog), code=-2,
                            status="I/O error") from None
            cat_src = os.fspath(catalog).encode()
        h = ctypes.c_void_p()
        err = new_error()
        code = L.cf_bind_study_create(os.fspath(path).encode(), text.encode(), cat_text, cat_src, int(catalog_only),
                                      ctypes.byref(h), ctypes.byref(err))
        if code != 0:
            raise_error(L, code, err)
        return cls(h.value, os.fspath(path))

    @classmethod
    def open(cls, path: Union[str, "os.PathLike[str]"]) -> "Study":
        """Opens an existing study file. Raises Error for a missing file or one that is not a study."""
        L = lib()
        h = ctypes.c_void_p()
        err = new_error()
        code = L.cf_study_open(os.fspath(path).encode(), ctypes.byref(h), ctypes.byref(err))
        if code != 0:
            raise_error(L, code, err)
        return cls(h.value, os.fspath(path))

    def _handle(self) -> int:
        if self._h is None:
            raise Error("the study is closed", code=-5, status="bad argument")
        return self._h

    def close(self) -> None:
        """Closes the study (the file stays). Calling it twice is harmless."""
        if self._h is not None:
            lib().cf_study_destroy(self._h)
            self._h = None

    def __enter__(self) -> "Study":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    @property
    def cost_aware(self) -> bool:
        """True when tell needs gpu_hours and the study prices the costs itself."""
        return bool(lib().cf_study_cost_aware(self._handle()))

    def set_effort(self, raw_samples: int = 0, restarts: int = 0, maxeval: int = 0, gp_restarts: int = 0) -> None:
        """Sets the effort of the acquisition maximisation (0 keeps a value; defaults 512, 5, 200, 2)."""
        lib().cf_study_set_effort(self._handle(), raw_samples, restarts, maxeval, gp_restarts)

    def set_n_init(self, n_init: int) -> None:
        """Sets the size of the initial Sobol design (0: the default max(2 (d + 1), 5))."""
        lib().cf_study_set_n_init(self._handle(), n_init)

    def set_acquisition(self, name: str) -> None:
        """Chooses the acquisition: "auto" (default), "ehvi", "parego", "sobol" or "random"."""
        if name not in _ACQ:
            raise Error(f"expected one of {', '.join(_ACQ)}, found '{name}'", field="acquisition", code=-5,
                        status="bad argument")
        lib().cf_study_set_acquisition(self._handle(), _ACQ[name])

    def _text(self, fn: str, *args: Any) -> str:
        L = lib()
        out = ctypes.c_void_p()
        err = new_error()
        code = getattr(L, fn)(self._handle(), *args, ctypes.byref(out), ctypes.byref(err))
        if code != 0:
            raise_error(L, code, err)
        return take_text(L, out)

    def ask(self, n: int = 1, seed: int = 0) -> List[Dict[str, Any]]:
        """Proposes n new trials, recorded as pending: ``[{"id": 7, "params": {...}}, ...]``. The same stored
        trials and seed give the same proposals."""
        if n < 1:
            raise Error(f"expected n >= 1, found {n}", field="n", code=-5, status="bad argument")
        return json.loads(self._text("cf_bind_study_ask", n, seed))

    def tell(self, id: int, values: Optional[Union[Dict[str, float], Sequence[float]]] = None,
             state: str = "complete") -> None:
        """Records the outcome of pending trial id: values (every objective and constraint metric by name, or a
        list in declaration order; gpu_hours in a cost-aware study) for a complete trial, or state "failed" or
        "pruned". Raises Error for an unknown id, a trial already told, or missing and bad values."""
        L = lib()
        err = new_error()
        vtext = None if values is None else json.dumps(values if isinstance(values, dict) else list(values)).encode()
        code = L.cf_bind_study_tell(self._handle(), int(id), vtext, state.encode(), ctypes.byref(err))
        if code != 0:
            raise_error(L, code, err)

    def report(self, id: int, step: int, values: Union[Dict[str, float], Sequence[float], float],
               gpu_hours: Optional[float] = None) -> None:
        """Records intermediate values of running trial id at training step ``step`` (after its last one): one
        value per objective that training reports (all but gpu_hours and the costs of a cost-aware study), as a
        list in the space's order, a dict by name, or one number; ``gpu_hours`` is what the trial has spent so far.
        Raises Error for an unknown id, a trial that is not running, a step going backwards, or the wrong number
        of values."""
        L = lib()
        err = new_error()
        if isinstance(values, (int, float)):
            values = [float(values)]
        vtext = json.dumps(values if isinstance(values, dict) else list(values)).encode()
        gh = float("nan") if gpu_hours is None else float(gpu_hours)
        code = L.cf_bind_study_report(self._handle(), int(id), int(step), vtext, gh, ctypes.byref(err))
        if code != 0:
            raise_error(L, code, err)

    def prune_decision(self, id: int, min_steps: Optional[int] = None, min_completed: Optional[int] = None,
                       budget_step: Optional[int] = None) -> Dict[str, Any]:
        """The pruning answer for running trial id as the library gives it: {"decision": "prune" | "continue",
        "reason", "message", "projected", "dominated_by", ...} (include/costfront/prune.h has the rule)."""
        opts = {k: v for k, v in (("min_steps", min_steps), ("min_completed", min_completed),
                                  ("budget_step", budget_step)) if v is not None}
        return json.loads(self._text("cf_bind_study_should_prune", int(id), json.dumps(opts).encode()))

    def steps(self, id: Optional[int] = None) -> pd.DataFrame:
        """The recorded learning curves (of trial id, or of every trial): one row per report with id, step,
        values_<objective>..., gpu_hours (NaN when not given) and created."""
        rows = json.loads(self._text("cf_bind_study_steps", int(id or 0)))
        df = _flat(rows)
        if "gpu_hours" in df:
            df["gpu_hours"] = df["gpu_hours"].astype(float)
        return df

    def should_prune(self, id: int, **options: Any) -> bool:
        """True when running trial id should be stopped now: a trial of the current front is at least as good in
        every objective as its optimistic final outcome at the cost still to spend (see :meth:`prune_decision`
        for the reason and the options). Tell it ``state="pruned"`` after stopping it."""
        return self.prune_decision(id, **options)["decision"] == "prune"

    def add(self, params: Dict[str, Any], values: Optional[Union[Dict[str, float], Sequence[float]]] = None) -> int:
        """Adds a trial evaluated outside the study (complete, with values) or, without values, one being evaluated
        elsewhere (pending, told later). Returns its id."""
        L = lib()
        err = new_error()
        tid = ctypes.c_long()
        vtext = None if values is None else json.dumps(values if isinstance(values, dict) else list(values)).encode()
        code = L.cf_bind_study_add(self._handle(), json.dumps(params).encode(), vtext, ctypes.byref(tid),
                                   ctypes.byref(err))
        if code != 0:
            raise_error(L, code, err)
        return int(tid.value)

    def trials_json(self) -> List[Dict[str, Any]]:
        """Every trial as the library returns it: [{"id", "state", "params", "values", "created", "updated"}]."""
        return json.loads(self._text("cf_bind_study_trials"))

    def trials(self) -> pd.DataFrame:
        """Every trial as a DataFrame: id, state, created, updated, params_<name>..., values_<name>..."""
        return _flat(self.trials_json())

    def front(self) -> StudyFront:
        """The observed Pareto front of the complete, feasible trials and its hypervolume."""
        doc = json.loads(self._text("cf_bind_study_front"))
        return StudyFront(front=_flat(doc["front"]), hypervolume=doc["hypervolume"], ref=doc.get("ref"),
                          ref_inferred=doc.get("ref_inferred"), n_trials=doc["n_trials"],
                          n_complete=doc["n_complete"], n_feasible=doc["n_feasible"], json=doc)
