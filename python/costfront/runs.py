"""Runs, frontiers and prices: read_runs, frontier and price over the library's JSON entry points."""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import pandas as pd

from ._lib import Error, call_json

__all__ = ["Runs", "Frontier", "read_runs", "frontier", "price"]

PathLike = Union[str, "os.PathLike[str]"]
RunsInput = Union["Runs", PathLike, Sequence[PathLike], pd.DataFrame]

_DATAFRAME = "<DataFrame>"
_MAPPING = "<mapping>"


@dataclass
class Runs:
    """Runs read by :func:`read_runs`.

    Attributes:
        runs: one row per accepted run: run_id, accuracy, gpu_hours, wall_hours, num_gpus, precision, pruning,
            hardware (catalog id), region, provider, procurement, model, dataset, project, source, line, then one
            column per hyperparameter.
        rejects: one row per rejected record: source, line, column, field, message, raw.
        notes: what the readers noticed (units detected, skipped runs), as sentences.
        counts: {"read", "accepted", "rejected"}.
        params: the hyperparameter columns and their kinds ("numeric", "integer", "categorical").
    """

    runs: pd.DataFrame
    rejects: pd.DataFrame
    notes: List[str]
    counts: Dict[str, int]
    params: Dict[str, str]
    _request: Dict[str, Any] = field(repr=False, default_factory=dict)
    _frame: Optional[pd.DataFrame] = field(repr=False, default=None)
    _mapping: Any = field(repr=False, default=None)

    def __len__(self) -> int:
        return len(self.runs)


@dataclass
class Frontier:
    """A cost-accuracy frontier computed by :func:`frontier`: the same result as ``costfront frontier --format json``.

    Attributes:
        frontier: the frontier's (run, procurement option) pairs in the frontier's order, with every priced field.
        dominated: the dominated pairs with their rank, dominated_by_run_id, dominated_by_procurement and margin.
        rejects: the rejected records (source, line, column, field, message).
        hypervolume: the hypervolume in the objectives' own units, against ``reference_point``.
        knee: the knee of the frontier (run_id, procurement and the objectives), or None for an empty frontier.
        objectives: [(name, "max" | "min")], as in the JSON.
        counts: {"read", "accepted", "rejected", "candidates", "unpriced", "frontier", "dominated"}.
        notes: the notes of the JSON.
        json: the whole JSON document, parsed; ``text`` is the JSON text itself.
    """

    frontier: pd.DataFrame
    dominated: pd.DataFrame
    rejects: pd.DataFrame
    hypervolume: float
    knee: Optional[Dict[str, Any]]
    reference_point: List[float]
    reference_inferred: bool
    objectives: List[Tuple[str, str]]
    counts: Dict[str, int]
    notes: List[str]
    json: Dict[str, Any] = field(repr=False)
    text: str = field(repr=False)


@contextlib.contextmanager
def _materialise(source: Any, mapping: Any) -> Iterator[Tuple[Dict[str, Any], Dict[str, str]]]:
    """Yields the request's inputs for source (paths, or a DataFrame written to a temporary CSV file) and mapping
    (a file name, or a dict written to a temporary JSON file), with the temporary names to show as what the user
    gave. Temporary files are removed afterwards."""
    req: Dict[str, Any] = {}
    rename: Dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="costfront-") as tmp:
        if isinstance(source, pd.DataFrame):
            path = os.path.join(tmp, "runs.csv")
            source.to_csv(path, index=False)
            req["paths"] = [path]
            rename[path] = _DATAFRAME
        elif isinstance(source, (str, os.PathLike)):
            req["paths"] = [os.fspath(source)]
        else:
            paths = [os.fspath(p) for p in source]
            if not paths:
                raise Error("no runs given: name one or more files of runs", field="runs", code=-5,
                            status="bad argument")
            req["paths"] = paths
        if isinstance(mapping, dict):
            m = mapping if any(k in mapping for k in ("columns", "accuracy_unit", "gpu_hours_unit", "defaults")) \
                else {"columns": mapping}
            path = os.path.join(tmp, "mapping.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(m, f)
            req["map_file"] = path
            rename[path] = _MAPPING
        elif mapping is not None:
            req["map_file"] = os.fspath(mapping)
        yield req, rename


def _options(catalog: Optional[PathLike], catalog_only: bool, keep_going: bool, accuracy_unit: Optional[str],
             carbon_price: Optional[float], provider: Optional[str], region: Optional[str]) -> Dict[str, Any]:
    """The shared inputs of a request, leaving out what is not set."""
    o: Dict[str, Any] = {"keep_going": bool(keep_going)}
    if catalog is not None:
        o["catalog"] = os.fspath(catalog)
        o["catalog_only"] = bool(catalog_only)
    for k, v in (("accuracy_unit", accuracy_unit), ("carbon_price", carbon_price), ("provider", provider),
                 ("region", region)):
        if v is not None:
            o[k] = v
    return o


def _renamed(rows: List[Dict[str, Any]], rename: Dict[str, str]) -> List[Dict[str, Any]]:
    """Rows whose "source" names a temporary file, named as what the user gave instead."""
    for r in rows:
        if r.get("source") in rename:
            r["source"] = rename[r["source"]]
    return rows


def _rejects_frame(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source", "line", "column", "field", "message", "raw"])


def read_runs(source: Union[PathLike, Sequence[PathLike], pd.DataFrame], mapping: Any = None, *,
              keep_going: bool = False, accuracy_unit: Optional[str] = None, catalog: Optional[PathLike] = None,
              catalog_only: bool = False) -> Runs:
    """Reads experiment runs as ``costfront`` commands do.

    Args:
        source: a file or directory of runs (CSV, JSON, JSON Lines, XML, an MLflow store, an Optuna storage, a W&B
            export), a list of them, or a pandas DataFrame with one run per row (columns as in a CSV file).
        mapping: your column names to costfront's, as a mapping file's name or its content as a dict
            (``{"columns": {"val_acc": "accuracy"}, "gpu_hours_unit": "seconds"}``, or just the columns dict).
        keep_going: use the good records when some are rejected (default: raise for the first rejected one).
        accuracy_unit: "fraction", "percent" or "detect" (default detect).
        catalog: a price catalog file merged over the default one (hardware names are resolved through it);
            ``catalog_only`` uses it alone.

    Returns:
        Runs, with the accepted runs and the rejected records as DataFrames.

    Raises:
        Error: a source that cannot be read (with its file, line, column and field), or a rejected record
            without ``keep_going`` (the first one; ``Error.rejects`` holds them all as a DataFrame).
    """
    with _materialise(source, mapping) as (req, rename):
        req.update(_options(catalog, catalog_only, keep_going, accuracy_unit, None, None, None))
        data = json.loads(call_json("read_runs", req, rename))
    rejects = _rejects_frame(_renamed(data["rejects"], rename))
    if len(rejects) and not keep_going:
        r = data["rejects"][0]
        n = len(rejects)
        e = Error(f"{r['message']} (input refused: {n} bad record{'s' if n != 1 else ''}; fix them, or pass "
                  "keep_going=True to use the good ones)", file=r["source"], line=r["line"], column=r["column"],
                  field=r["field"])
        e.rejects = rejects  # type: ignore[attr-defined]
        raise e
    params = {p["name"]: p["kind"] for p in data["params"]}
    rows = []
    for r in _renamed(data["runs"], rename):
        p = r.pop("params")
        r.update(p)
        rows.append(r)
    base = ["run_id", "accuracy", "gpu_hours", "wall_hours", "num_gpus", "precision", "pruning", "hardware", "region",
            "provider", "procurement", "model", "dataset", "project", "source", "line"]
    df = pd.DataFrame(rows, columns=base + list(params))
    req.pop("paths", None)
    req.pop("map_file", None)
    paths = None if isinstance(source, pd.DataFrame) else source
    return Runs(runs=df, rejects=rejects, notes=list(data["notes"]), counts=dict(data["counts"]), params=params,
                _request={**req, "source": paths}, _frame=source.copy() if isinstance(source, pd.DataFrame) else None,
                _mapping=mapping)


def _objective_spec(objectives: Any) -> Any:
    """Objectives as the library takes them: a text, or a list of "name:dir" (tuples (name, dir) accepted)."""
    if objectives is None or isinstance(objectives, str):
        return objectives
    out = []
    for o in objectives:
        if isinstance(o, (tuple, list)):
            name, d = o
            d = {"maximize": "max", "minimize": "min"}.get(d, d)
            out.append(f"{name}:{d}")
        else:
            out.append(str(o))
    return out


def _frame(rows: List[Dict[str, Any]], drop: Sequence[str] = ()) -> pd.DataFrame:
    """A DataFrame of JSON rows with nested objects flattened with "_" (dominated_by_run_id)."""
    if not rows:
        return pd.DataFrame()
    df = pd.json_normalize(rows, sep="_")
    return df.drop(columns=[c for c in drop if c in df.columns])


def _frontier_request(runs: RunsInput, mapping: Any, keep_going: bool, catalog: Optional[PathLike],
                      catalog_only: bool, accuracy_unit: Optional[str], extra: Dict[str, Any]):
    """The source, mapping and options of a frontier over runs (a Runs re-reads what read_runs read)."""
    if isinstance(runs, Runs):
        src = runs._frame if runs._frame is not None else runs._request["source"]
        opts = {k: v for k, v in runs._request.items() if k != "source"}
        if mapping is None:
            mapping = runs._mapping
        if catalog is not None:
            opts.update(_options(catalog, catalog_only, opts.get("keep_going", False), None, None, None, None))
        opts["keep_going"] = bool(keep_going or opts.get("keep_going"))
    else:
        src = runs
        opts = _options(catalog, catalog_only, keep_going, accuracy_unit, None, None, None)
    opts.update({k: v for k, v in extra.items() if v is not None})
    return src, mapping, opts


def frontier(runs: RunsInput, objectives: Any = None, procurement: Any = None, catalog: Optional[PathLike] = None,
             *, mapping: Any = None, reference: Optional[Sequence[float]] = None,
             where: Optional[Dict[str, str]] = None, target_accuracy: Optional[float] = None,
             keep_going: bool = False, catalog_only: bool = False, accuracy_unit: Optional[str] = None,
             carbon_price: Optional[float] = None, provider: Optional[str] = None, region: Optional[str] = None,
             checkpoint_minutes: Optional[float] = None, restart_minutes: Optional[float] = None,
             today: Optional[str] = None) -> Frontier:
    """Prices every run under every procurement option and computes the cost-accuracy Pareto frontier, exactly as
    ``costfront frontier --format json`` does.

    Args:
        runs: what :func:`read_runs` returned, a file (or list of files) of runs, or a DataFrame of runs.
        objectives: "accuracy:max,total_cost_usd:min" (the default), or a list such as
            ``["accuracy:max", "co2e_kg:min"]`` or ``[("accuracy", "maximize"), ("cost_usd", "minimize")]``.
        procurement: "all" (default: on_demand, spot, reserved_1y, reserved_3y) or a list of those names.
        catalog: a price catalog file merged over the default one (``catalog_only``: used alone).
        mapping: column mapping, as in :func:`read_runs`.
        reference: the hypervolume reference point in the objectives' own units (default: inferred).
        where: only runs whose fields match, e.g. ``{"model": "resnet50", "precision": "bf16|int8"}``.
        target_accuracy: the accuracy the business needs; adds the JSON's "target".
        keep_going: use the good runs when some records are rejected.
        carbon_price, provider, region, checkpoint_minutes, restart_minutes: as the command's options.
        today: the date prices are judged at ("YYYY-MM-DD", default today in UTC, as the command's ``--today``):
            prices whose as_of is more than a year older are counted in a note.

    Returns:
        Frontier with the frontier, dominated and rejects DataFrames, the hypervolume and the knee.

    Raises:
        Error: unreadable input, a rejected record without keep_going, a bad option (the field names it).
    """
    extra = {"objectives": _objective_spec(objectives), "procurement": procurement,
             "reference": list(reference) if reference is not None else None, "where": where,
             "target_accuracy": target_accuracy, "carbon_price": carbon_price, "provider": provider,
             "region": region, "checkpoint_minutes": checkpoint_minutes, "restart_minutes": restart_minutes,
             "today": today or _dt.datetime.now(_dt.timezone.utc).date().isoformat()}
    src, mapping, opts = _frontier_request(runs, mapping, keep_going, catalog, catalog_only, accuracy_unit, extra)
    with _materialise(src, mapping) as (req, rename):
        req.update(opts)
        text = call_json("frontier", req, rename)
    for k, v in rename.items():
        text = text.replace(json.dumps(k)[1:-1], v)
    doc = json.loads(text)
    return Frontier(frontier=_frame(doc["frontier"], drop=["values"]), dominated=_frame(doc["dominated"]),
                    rejects=_rejects_frame(doc.get("rejects", [])).drop(columns=["raw"]),
                    hypervolume=doc["hypervolume"], knee=doc.get("knee"),
                    reference_point=list(doc["reference_point"]), reference_inferred=bool(doc["reference_inferred"]),
                    objectives=[(o["name"], o["direction"]) for o in doc["objectives"]], counts=dict(doc["counts"]),
                    notes=list(doc.get("notes", [])), json=doc, text=text)


def price(run: Dict[str, Any], procurement: Any = None, catalog: Optional[PathLike] = None, *,
          catalog_only: bool = False, carbon_price: Optional[float] = None, provider: Optional[str] = None,
          region: Optional[str] = None, checkpoint_minutes: Optional[float] = None,
          restart_minutes: Optional[float] = None) -> pd.DataFrame:
    """Prices one finished run under every procurement option, as a row of a runs file is priced.

    Args:
        run: the run's fields, e.g. ``{"accuracy": 0.91, "gpu_hours": 12, "hardware": "h100", "precision": "bf16"}``
            (accuracy and gpu_hours, or wall_hours and num_gpus, and hardware are needed; run_id defaults to "run").
        procurement: "all" (default) or a list of on_demand, spot, reserved_1y, reserved_3y.
        catalog, catalog_only, carbon_price, provider, region, checkpoint_minutes, restart_minutes: as in
            :func:`frontier`.

    Returns:
        One row per option the catalog prices: procurement, cost_usd, co2e_kg, total_cost_usd, energy_kwh,
        carbon_cost_usd, billed_gpu_hours, price_per_hour, overhead_fraction, provider, region, ... sorted by
        total_cost_usd (the cheapest first).

    Raises:
        Error: a run that would be rejected (the field says which value), or no option prices it.
    """
    rec = {"run_id": "run", **run}
    with tempfile.TemporaryDirectory(prefix="costfront-") as tmp:
        path = os.path.join(tmp, "run.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump([rec], f)
        req = _options(catalog, catalog_only, False, None, carbon_price, provider, region)
        req.update({"paths": [path], "format": "csv", "procurement": procurement,
                    "checkpoint_minutes": checkpoint_minutes, "restart_minutes": restart_minutes})
        req = {k: v for k, v in req.items() if v is not None}
        text = call_json("frontier", req, {path: "run"})
    from io import StringIO

    df = pd.read_csv(StringIO(text), float_precision="round_trip", keep_default_na=False,
                     na_values=[""])
    if df.empty:
        raise Error("no procurement option prices this run (no offer for its hardware in the catalog)",
                    field="hardware", code=-10, status="empty")
    df = df.drop(columns=[c for c in ("on_frontier", "rank", "dominated_by", "margin") if c in df.columns])
    return df.sort_values("total_cost_usd", kind="stable").reset_index(drop=True)
