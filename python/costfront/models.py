"""Predictions for configurations never run (costfront.predict) and TCO plans (costfront.tco)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Union

import pandas as pd

from ._lib import call_json
from .runs import PathLike, RunsInput, _frontier_request, _materialise

__all__ = ["predict", "tco", "Tco"]


def predict(runs: RunsInput, configs: Union[Dict[str, Any], Sequence[Dict[str, Any]]], *,
            procurement: Any = None, target: Optional[str] = None, log: Optional[Sequence[str]] = None,
            linear: Optional[Sequence[str]] = None, precision_categorical: bool = False, seed: Optional[int] = None,
            restarts: Optional[int] = None, mapping: Any = None, catalog: Optional[PathLike] = None,
            catalog_only: bool = False, keep_going: bool = False, carbon_price: Optional[float] = None,
            provider: Optional[str] = None, region: Optional[str] = None) -> pd.DataFrame:
    """Predicts accuracy (or ``target``), GPU-hours and every cost, with 95% intervals, for configurations never run,
    from Gaussian-process surrogates fitted to the runs: ``costfront predict --format json``.

    Args:
        runs: what :func:`read_runs` returned, a file (or files) of runs, or a DataFrame.
        configs: one configuration or a list, e.g. ``{"model": "resnet50", "hardware": "l4", "precision": "int8",
            "pruning": 0.5}``; omitted fields default to those of runs of the same model.
        procurement: options to price ("all" by default); target, log, linear, precision_categorical, seed,
            restarts: the surrogate options of the command.

    Returns:
        One row per configuration and priced option: ``config`` (index of the configuration), the configuration's
        fields, ``<target>_mean/_sd/_lo/_hi``, ``gpu_hours_mean/...``, ``procurement``, ``provider``, ``region``,
        ``total_cost_usd_mean/_lo/_hi``, ``cost_usd_...``, ``co2e_kg_...``, ``leans_on_prior``, ``note``. The whole
        JSON document is in ``df.attrs["json"]``.

    Raises:
        Error: a bad configuration (source "configs[i]" and the field), unreadable runs, a failed fit.
    """
    if isinstance(configs, dict):
        configs = [configs]
    extra = {"configs": list(configs), "procurement": procurement, "target": target,
             "log": ",".join(log) if log else None, "linear": ",".join(linear) if linear else None,
             "precision_categorical": precision_categorical or None, "seed": seed, "restarts": restarts,
             "carbon_price": carbon_price, "provider": provider, "region": region}
    src, mapping, opts = _frontier_request(runs, mapping, keep_going, catalog, catalog_only, None, extra)
    with _materialise(src, mapping) as (req, rename):
        req.update(opts)
        doc = json.loads(call_json("predict", req, rename))
    tname = doc["target"]
    rows = []
    for i, p in enumerate(doc["predictions"]):
        base: Dict[str, Any] = {"config": i, **p["config"]}
        for key in (tname, "gpu_hours"):
            for k, v in p[key].items():
                base[f"{key}_{k}"] = v
        base["leans_on_prior"] = p["prior"]["leans_on_prior"]
        base["note"] = p["note"]
        for c in p["costs"] or [{}]:
            r = dict(base)
            for k, v in c.items():
                if isinstance(v, dict):
                    for kk, vv in v.items():
                        r[f"{k}_{kk}"] = vv
                else:
                    r[k] = v
            rows.append(r)
    df = pd.DataFrame(rows)
    df.attrs["json"] = doc
    return df


@dataclass
class Tco:
    """A TCO plan's evaluation (``costfront tco --format json``: options, cheapest, server_month, breakeven).

    Attributes:
        options: one row per procurement option: option, available, units, total_usd, npv_usd, usd_per_gpu_hour,
            co2e_kg, total_with_carbon_usd, npv_with_carbon_usd, price_source, ...
        cheapest: the cheapest option by "total", "npv", "total_with_carbon" and "npv_with_carbon".
        server_month: the owned server's monthly breakdown.
        breakeven: on-prem against each cloud option: utilisation (scaling and at full power) and months.
        json: the whole document.
    """

    options: pd.DataFrame
    cheapest: Dict[str, str]
    server_month: Dict[str, Any]
    breakeven: pd.DataFrame
    hardware: str
    horizon_months: int
    json: Dict[str, Any] = field(repr=False)


def tco(plan: PathLike, *, set: Optional[Dict[str, float]] = None, catalog: Optional[PathLike] = None,
        catalog_only: bool = False, carbon_price: Optional[float] = None) -> Tco:
    """Evaluates a TCO plan file (examples/plans/, docs/tco.md): every procurement option's total cost, NPV, CO2e,
    the cheapest, on-prem's breakevens. ``set`` overrides plan values by JSON path, as ``--set PATH=VALUE``
    (``{"utilization_target": 0.7}``). Raises Error naming the plan file and the JSON path of a bad value."""
    req: Dict[str, Any] = {"plan": os.fspath(plan)}
    if set:
        req["set"] = dict(set)
    if catalog is not None:
        req["catalog"] = os.fspath(catalog)
        req["catalog_only"] = bool(catalog_only)
    if carbon_price is not None:
        req["carbon_price"] = carbon_price
    doc = json.loads(call_json("tco", req))
    return Tco(options=pd.DataFrame(doc["options"]), cheapest=dict(doc["cheapest"]),
               server_month=dict(doc["server_month"]), breakeven=pd.DataFrame(doc["breakeven"]),
               hardware=doc["plan"]["hardware"], horizon_months=doc["plan"]["horizon_months"], json=doc)
