"""costfront.optuna.CostfrontSampler: an Optuna sampler that proposes points with costfront's EHVI.

The sampler keeps, per process, a costfront study (include/costfront/study.h) in a temporary file (in /dev/shm when
there is one) that mirrors the Optuna study's trials: complete trials with their values (and constraint values from
``constraints_func``), running trials of any worker as pending (so they are fantasised and not proposed twice),
failed and pruned ones as failed.
Each relative sample synchronises it with what Optuna's storage holds, then proposes: point <trial number> of
costfront's scrambled Sobol design while the design lasts (the same sequence in every worker, so workers never
repeat each other's points), then costfront's ask: a GP per objective and per constraint with exact EHVI for two or
three objectives (ParEGO beyond, expected improvement for one), times the probability of feasibility. Workers that
sample at the same moment (neither sees the other's params yet) compute the same batch and each takes its own
element. Since the Optuna storage is the only shared state, it works with any storage: Optuna's RDB storage on a
shared SQLite file or on PostgreSQL gives a distributed sweep with costfront choosing the points.

Cost-aware sweeps: name the study's objectives with ``objectives=`` (e.g. ``["accuracy", "total_cost_usd"]``); when
one is a cost (cost_usd, total_cost_usd, co2e_kg, energy_kwh, carbon_cost_usd) and the space has a categorical
``hardware`` parameter (catalog ids; optionally ``procurement``), the objective reports GPU-hours as the user
attribute ``gpu_hours`` (``trial.set_user_attr("gpu_hours", h)``, see :func:`report_cost`) and costfront models
log GPU-hours and prices every candidate from its catalog, exactly as ``costfront study`` does.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import warnings
import zlib
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers import BaseSampler, IntersectionSearchSpace, RandomSampler
from optuna.study import Study as OptunaStudy
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from ._lib import Error
from .runs import price
from .study import Study

__all__ = ["CostfrontSampler", "report_cost"]

_CONSTRAINTS_KEY = "constraints"  # where Optuna's samplers keep constraints_func's values (system attrs)
_GROUP_SPAN = 8  # running trials without params this many numbers back count as being sampled now
_COSTS = ("cost_usd", "total_cost_usd", "co2e_kg", "energy_kwh", "carbon_cost_usd")


def _param_spec(name: str, d: BaseDistribution) -> Tuple[Dict[str, Any], Callable[[Any], Any], Callable[[Any], Any]]:
    """The costfront parameter for an Optuna distribution, and the maps from Optuna's value to costfront's and
    back. Stepped floats and ints become an integer index of the step; categoricals keep their choices when they
    are all strings (hardware names must stay names), otherwise their indices as text."""
    if isinstance(d, CategoricalDistribution):
        choices = list(d.choices)
        if all(isinstance(c, str) for c in choices):
            return ({"name": name, "type": "categorical", "choices": choices}, lambda v: v, lambda v: v)
        labels = [str(i) for i in range(len(choices))]
        return ({"name": name, "type": "categorical", "choices": labels},
                lambda v: labels[d.to_internal_repr(v)], lambda v: choices[int(v)])
    if isinstance(d, IntDistribution):
        if d.step == 1 or d.log:
            return ({"name": name, "type": "int", "low": d.low, "high": d.high, "log": bool(d.log)},
                    lambda v: int(v), lambda v: int(v))
        n = (d.high - d.low) // d.step
        return ({"name": name, "type": "int", "low": 0, "high": n},
                lambda v: int(round((v - d.low) / d.step)), lambda v: int(d.low + int(v) * d.step))
    if isinstance(d, FloatDistribution):
        if d.step is None:
            return ({"name": name, "type": "float", "low": d.low, "high": d.high, "log": bool(d.log)},
                    lambda v: min(max(float(v), d.low), d.high), lambda v: min(max(float(v), d.low), d.high))
        n = int(round((d.high - d.low) / d.step))
        return ({"name": name, "type": "int", "low": 0, "high": n},
                lambda v: int(round((v - d.low) / d.step)), lambda v: min(d.low + int(v) * d.step, d.high))
    raise Error(f"unsupported distribution {type(d).__name__}", field=f"params.{name}", code=-5,
                status="bad argument")


def _minimised(study: OptunaStudy) -> Tuple[List[float], List[List[float]]]:
    """The signs turning the study's objectives into minimised ones, and the complete trials' minimised values."""
    sign = [1.0 if d == StudyDirection.MINIMIZE else -1.0 for d in study.directions]
    ys = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if t.values is not None and all(math.isfinite(v) for v in t.values):
            ys.append([s * v for s, v in zip(sign, t.values)])
    return sign, ys


class CostfrontSampler(BaseSampler):
    """An ``optuna.samplers.BaseSampler`` whose relative sampling proposes with costfront's EHVI.

    Args:
        objectives: names of the study's objectives in order (default f0, f1, ...). Naming one a cost
            (total_cost_usd, ...) with a categorical ``hardware`` parameter makes the sweep cost-aware (module doc).
        constraints_func: as Optuna's NSGA-II: a function of a finished trial returning a sequence of floats, each
            feasible when <= 0; costfront models each with a GP and multiplies EHVI by the probability of
            feasibility.
        search_space: the distributions to optimise ({name: distribution}); default: the intersection of the
            complete trials' spaces, as Optuna's BoTorch sampler does (until a trial completes, the first trial is
            sampled independently). Giving it lets costfront's Sobol design start at the first trial.
        reference_point: the hypervolume reference point in the objectives' own units, when you know it (the
            best choice: bench/RESULTS.md, sampler section); otherwise "mid" (the default): per objective,
            halfway between the worst value on the observed front and the worst value of any trial, plus 10% of
            the front's range; "observed": the worst value of any trial pushed out by 10% of the range seen; or
            "front": the worst value on the front pushed out by 10% of its range (BoTorch's inference, costfront
            study's default), which keeps the search near the part of the front found first.
        catalog, catalog_only: a price catalog file for a cost-aware sweep (default: the bundled one).
        n_startup_trials: size of the initial Sobol design (default max(2 (d + 1), 5)).
        seed: seed of the Sobol scramble and the acquisition's search (default 0); with the same trials and seed the
            proposals are the same.
        effort: (raw_samples, restarts, maxeval, gp_restarts) of the acquisition maximisation (0 keeps the
            default 512, 5, 200, 2).
        acquisition: "auto" (default), "ehvi", "parego", "sobol" or "random".
        independent_sampler: for parameters outside the relative search space (default: uniform random values
            seeded by seed, the trial number and the parameter's name).
        gpu_hours_attr: the user attribute holding GPU-hours in a cost-aware sweep (default "gpu_hours").
    """

    def __init__(self, *, objectives: Optional[Sequence[str]] = None,
                 constraints_func: Optional[Callable[[FrozenTrial], Sequence[float]]] = None,
                 search_space: Optional[Dict[str, BaseDistribution]] = None,
                 reference_point: Optional[Sequence[float]] = None, catalog: Optional[str] = None,
                 catalog_only: bool = False, n_startup_trials: Optional[int] = None, seed: Optional[int] = None,
                 effort: Optional[Sequence[int]] = None, acquisition: str = "auto",
                 independent_sampler: Optional[BaseSampler] = None, gpu_hours_attr: str = "gpu_hours") -> None:
        self._objectives = list(objectives) if objectives is not None else None
        self._constraints_func = constraints_func
        self._search_space = dict(search_space) if search_space is not None else None
        self._ref_mode = (reference_point if isinstance(reference_point, str)
                          else "mid" if reference_point is None else None)
        if self._ref_mode not in (None, "front", "observed", "mid"):
            raise Error(f"reference_point: expected numbers, \"observed\", \"mid\" or \"front\", found "
                        f"'{reference_point}'",
                        field="reference_point", code=-5, status="bad argument")
        self._reference_point = (list(reference_point) if reference_point is not None and self._ref_mode is None
                                 else None)
        self._observed_ref: Optional[List[float]] = None
        self._ref_study: Optional[int] = None  # the Optuna study _observed_ref belongs to
        self._catalog = catalog
        self._catalog_only = catalog_only
        self._n_init = n_startup_trials
        self._seed = 0 if seed is None else int(seed)
        self._effort = tuple(effort) if effort is not None else None
        self._acquisition = acquisition
        self._independent = independent_sampler
        self._gpu_hours_attr = gpu_hours_attr
        self._intersection = IntersectionSearchSpace()
        self._tmp: Optional[str] = None
        self._cf: Optional[Study] = None
        self._key: Optional[Tuple[Any, ...]] = None
        self._map: Dict[int, Tuple[int, str]] = {}  # Optuna trial number -> (costfront id, costfront state)
        self._codec: Dict[str, Tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {}

    def reseed_rng(self) -> None:
        """Reseeds the independent sampler (Optuna calls it in forked workers)."""
        if self._independent is not None:
            self._independent.reseed_rng()

    def infer_relative_search_space(self, study: OptunaStudy, trial: FrozenTrial) -> Dict[str, BaseDistribution]:
        """The given search space, or the intersection of the complete trials' spaces without fixed parameters."""
        if self._search_space is not None:
            return dict(self._search_space)
        space = {}
        for name, d in self._intersection.calculate(study).items():
            if not d.single():
                space[name] = d
        return space

    def _names(self, study: OptunaStudy) -> List[str]:
        m = len(study.directions)
        names = self._objectives or [f"f{i}" for i in range(m)]
        if len(names) != m:
            raise Error(f"objectives names {len(names)} objectives but the study has {m}", field="objectives",
                        code=-5, status="bad argument")
        return names

    def _space(self, study: OptunaStudy, search_space: Dict[str, BaseDistribution], n_con: int) -> Dict[str, Any]:
        """The costfront space for the search space, the study's objectives and n_con constraints."""
        params = []
        self._codec = {}
        for name in sorted(search_space):
            spec, to_cf, from_cf = _param_spec(name, search_space[name])
            params.append(spec)
            self._codec[name] = (to_cf, from_cf)
        objs = []
        if self._reference_point is not None and len(self._reference_point) != len(study.directions):
            raise Error(f"reference_point has {len(self._reference_point)} values but the study has "
                        f"{len(study.directions)} objectives", field="reference_point", code=-5, status="bad argument")
        for i, (name, d) in enumerate(zip(self._names(study), study.directions)):
            o: Dict[str, Any] = {"name": name,
                                 "direction": "maximize" if d == StudyDirection.MAXIMIZE else "minimize"}
            ref = self._reference_point if self._reference_point is not None else self._observed_ref
            if ref is not None:
                o["ref"] = ref[i]
            objs.append(o)
        space: Dict[str, Any] = {"params": params, "objectives": objs}
        if n_con:
            space["constraints"] = [{"name": f"_c{i}", "op": "<=", "value": 0} for i in range(n_con)]
        return space

    def _reset(self, space: Dict[str, Any], key: Tuple[Any, ...]) -> None:
        """Starts a new mirror study for a new space (the old file is removed)."""
        self.close()
        # In memory when the system offers it (tmpfs): the mirror is private to this process and rebuilt at will,
        # so it needs no disk flushes.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self._tmp = tempfile.mkdtemp(prefix="costfront-sampler-", dir=shm)
        self._cf = Study.create(os.path.join(self._tmp, "mirror.db"), space, catalog=self._catalog,
                                catalog_only=self._catalog_only)
        self._cf.set_n_init(1)  # the initial design is made here (_design_point), by trial number
        if self._effort:
            self._cf.set_effort(*self._effort)
        if self._acquisition != "auto":
            self._cf.set_acquisition(self._acquisition)
        self._key = key
        self._map = {}

    def close(self) -> None:
        """Closes and removes the mirror study (a later sample starts a new one)."""
        if self._cf is not None:
            self._cf.close()
            self._cf = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        self._key = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __getstate__(self) -> Dict[str, Any]:
        """A copy for another process starts without the mirror (each process keeps its own)."""
        st = self.__dict__.copy()
        st.update(_tmp=None, _cf=None, _key=None, _map={}, _codec={}, _observed_ref=None, _ref_study=None)
        return st

    def _encode(self, t: FrozenTrial, search_space: Dict[str, BaseDistribution]) -> Optional[Dict[str, Any]]:
        """The trial's params in costfront's form, or None when it lacks one or has it from another distribution."""
        out = {}
        for name, d in search_space.items():
            if name not in t.params:
                return None
            td = t.distributions.get(name)
            if td is not None and td != d:
                try:
                    if not d._contains(td.to_internal_repr(t.params[name])):
                        return None
                except Exception:
                    return None
            out[name] = self._codec[name][0](t.params[name])
        return out

    def _values(self, t: FrozenTrial, names: List[str], n_con: int) -> Optional[Dict[str, float]]:
        """The values to tell for a complete trial (objectives, constraints, gpu_hours), or None when unusable."""
        if t.values is None or any(not math.isfinite(v) for v in t.values):
            return None
        vals = {n: float(v) for n, v in zip(names, t.values)}
        if n_con:
            con = t.system_attrs.get(_CONSTRAINTS_KEY)
            if con is None or len(con) != n_con:
                return None
            for i, c in enumerate(con):
                vals[f"_c{i}"] = float(c)
        if self._cf is not None and self._cf.cost_aware:
            gh = t.user_attrs.get(self._gpu_hours_attr)
            if gh is None or not (float(gh) > 0):
                return None
            vals["gpu_hours"] = float(gh)
        return vals

    def _sync(self, study: OptunaStudy, trial: FrozenTrial, search_space: Dict[str, BaseDistribution],
              names: List[str], n_con: int) -> None:
        """Brings the mirror study up to date with the Optuna study's trials."""
        assert self._cf is not None
        for t in study.get_trials(deepcopy=False):
            if t.number == trial.number:
                continue
            known = self._map.get(t.number)
            if known is not None and known[1] != "pending":
                continue
            if t.state == TrialState.COMPLETE:
                vals = self._values(t, names, n_con)
                if known is None:
                    p = self._encode(t, search_space)
                    if p is not None and vals is not None:
                        self._map[t.number] = (self._cf.add(p, vals), "complete")
                elif vals is not None:
                    self._cf.tell(known[0], vals)
                    self._map[t.number] = (known[0], "complete")
                else:
                    self._cf.tell(known[0], state="failed")
                    self._map[t.number] = (known[0], "failed")
            elif t.state == TrialState.RUNNING:
                if known is None:
                    p = self._encode(t, search_space)
                    if p is not None:
                        self._map[t.number] = (self._cf.add(p), "pending")
            elif t.state in (TrialState.FAIL, TrialState.PRUNED) and known is not None:
                self._cf.tell(known[0], state="pruned" if t.state == TrialState.PRUNED else "failed")
                self._map[t.number] = (known[0], "done")

    def _update_mid_ref(self, study: OptunaStudy) -> None:
        """Halfway between the front's worst value and the worst value seen, plus 10% of the front's range; moved
        only when it changes by more than 5% of the range seen (each move starts a new mirror)."""
        if self._ref_study != study._study_id:
            self._observed_ref, self._ref_study = None, study._study_id
        sign, ys = _minimised(study)
        if len(ys) < 2:
            return
        front = [y for y in ys if not any(all(a <= b for a, b in zip(z, y)) and z != y for z in ys)]
        m = len(sign)
        ref, tol = [], []
        for j in range(m):
            col = [y[j] for y in ys]
            fcol = [y[j] for y in front]
            fr = max(fcol) - min(fcol)
            r = max(fcol) + 0.5 * (max(col) - max(fcol)) + 0.1 * (fr if fr > 0 else max(abs(max(fcol)), 1.0))
            ref.append(r)
            tol.append(0.05 * (max(col) - min(col)))
        old = None if self._observed_ref is None else [s * v for s, v in zip(sign, self._observed_ref)]
        if old is None or any(abs(r - o) > t for r, o, t in zip(ref, old, tol)):
            self._observed_ref = [s * v for s, v in zip(sign, ref)]

    def _update_observed_ref(self, study: OptunaStudy) -> None:
        """Moves the "observed" reference point out to cover every complete trial: per objective, the worst value
        seen pushed out by 10% of the range seen. It only ever moves outwards (each move starts a new mirror)."""
        if self._ref_study != study._study_id:
            self._observed_ref, self._ref_study = None, study._study_id
        sign, ys = _minimised(study)
        if len(ys) < 2:
            return
        ref = []
        for j in range(len(sign)):
            col = [y[j] for y in ys]
            lo, hi = min(col), max(col)
            r = hi + 0.1 * (hi - lo if hi > lo else max(abs(hi), 1.0))
            ref.append(r)
        old = None if self._observed_ref is None else [s * v for s, v in zip(sign, self._observed_ref)]
        if old is None or any(r > o for r, o in zip(ref, old)):
            new = ref if old is None else [max(r, o) for r, o in zip(ref, old)]
            self._observed_ref = [s * v for s, v in zip(sign, new)]

    def _design_point(self, space: Dict[str, Any], number: int) -> Dict[str, Any]:
        """Point `number` of the study's scrambled Sobol design (costfront's own, from a scratch study asked for
        number + 1 points with the sampler's seed): indexed by the trial number, which is unique across workers, so
        the workers of a sweep together lay out one design without repeats."""
        assert self._tmp is not None
        path = os.path.join(self._tmp, f"design-{number}.db")
        try:
            with Study.create(path, space, catalog=self._catalog, catalog_only=self._catalog_only) as scratch:
                scratch.set_acquisition("sobol")
                return {"params": scratch.ask(number + 1, seed=self._seed)[-1]["params"]}
        finally:
            for ext in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(path + ext):
                    os.remove(path + ext)

    def _model_point(self, study: OptunaStudy, trial: FrozenTrial) -> Dict[str, Any]:
        """The mirror's model-based ask for the trial.

        Trials that other workers are sampling at this moment have no params yet, so they cannot be pending here.
        Each of those workers sees the same trials, so all ask for the same batch (sequential greedy with the
        kriging believer, the same seed: that of the group's first trial) and each takes its own element, by
        trial number: points asked at the same moment differ without any coordination. The other elements are
        told failed at once: they reach the mirror again as those trials' params."""
        assert self._cf is not None
        group = sorted(t.number for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                       if not t.params and trial.number - _GROUP_SPAN <= t.number < trial.number)
        group.append(trial.number)
        batch = self._cf.ask(len(group), seed=(self._seed * 1000003 + group[0]) % (1 << 32))
        for other in batch[:-1]:
            self._cf.tell(other["id"], state="failed")
        return batch[-1]

    def sample_relative(self, study: OptunaStudy, trial: FrozenTrial,
                        search_space: Dict[str, BaseDistribution]) -> Dict[str, Any]:
        """Proposes the trial's values of the relative search space with costfront's ask."""
        if not search_space:
            return {}
        n_con = 0
        if self._constraints_func is not None:
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
                con = t.system_attrs.get(_CONSTRAINTS_KEY)
                if con is not None:
                    n_con = len(con)
                    break
        names = self._names(study)
        if self._ref_mode == "observed":
            self._update_observed_ref(study)
        elif self._ref_mode == "mid":
            self._update_mid_ref(study)
        space = self._space(study, search_space, n_con)
        key = (json.dumps(space, sort_keys=True), study._study_id)
        try:
            if key != self._key or self._cf is None:
                self._reset(space, key)
            self._sync(study, trial, search_space, names, n_con)
            n_init = self._n_init or max(2 * (len(search_space) + 1), 5)
            n_complete = sum(1 for st in self._map.values() if st[1] == "complete")
            if trial.number < n_init or n_complete < 2:
                asked = self._design_point(space, trial.number)
                asked["id"] = self._cf.add(asked["params"])  # type: ignore[union-attr]
            else:
                asked = self._model_point(study, trial)
        except Error as e:
            warnings.warn(f"CostfrontSampler: falling back to independent sampling for trial {trial.number}: {e}")
            return {}
        self._map[trial.number] = (asked["id"], "pending")
        return {name: self._codec[name][1](v) for name, v in asked["params"].items()}

    def sample_independent(self, study: OptunaStudy, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """Samples a parameter outside the relative search space with the independent sampler."""
        if self._independent is not None:
            return self._independent.sample_independent(study, trial, param_name, param_distribution)
        # Seeded by the trial number (unique across workers) and the name, so workers sharing a seed do not draw
        # the same first trials, and the parameters of one trial are independent of each other.
        s = (self._seed * 1000003 + trial.number * 7919 + zlib.crc32(param_name.encode())) % (1 << 32)
        return RandomSampler(seed=s).sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: OptunaStudy, trial: FrozenTrial, state: TrialState,
                    values: Optional[Sequence[float]]) -> None:
        """Stores constraints_func's values with the trial, as Optuna's own samplers do."""
        if self._constraints_func is not None:
            from optuna.samplers._base import _process_constraints_after_trial

            _process_constraints_after_trial(self._constraints_func, study, trial, state)
        if self._independent is not None:
            self._independent.after_trial(study, trial, state, values)


def report_cost(trial: optuna.trial.BaseTrial, accuracy: float, gpu_hours: float, *,
                cost: str = "total_cost_usd", hardware_param: str = "hardware",
                precision_param: Optional[str] = "precision", procurement_param: Optional[str] = "procurement",
                catalog: Optional[str] = None) -> Tuple[float, float]:
    """Records accuracy and GPU-hours as the trial's user attributes and returns (accuracy, cost), the cost priced by
    costfront's catalog for the trial's hardware (and precision and procurement parameters when present; on-demand
    otherwise), for an objective of a cost-aware sweep: ``return report_cost(trial, acc, hours)``."""
    trial.set_user_attr("accuracy", float(accuracy))
    trial.set_user_attr("gpu_hours", float(gpu_hours))
    p = trial.params
    run: Dict[str, Any] = {"accuracy": float(accuracy), "gpu_hours": float(gpu_hours), "hardware": p[hardware_param]}
    if precision_param and precision_param in p:
        run["precision"] = p[precision_param]
    proc = p.get(procurement_param, "on_demand") if procurement_param else "on_demand"
    df = price(run, procurement=[proc], catalog=catalog)
    return float(accuracy), float(df[cost].iloc[0])
