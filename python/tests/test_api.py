"""read_runs, frontier, price and Study on the bundled examples, with known answers and the command's JSON."""
import json
import math
import os
import subprocess
import sys

import pandas as pd
import pytest

import costfront


def test_read_runs_examples(root):
    r = costfront.read_runs(root / "examples" / "runs.csv")
    assert r.counts == {"read": 144, "accepted": 144, "rejected": 0}
    assert len(r) == 144 and len(r.rejects) == 0
    assert r.params == {"optimizer": "categorical", "lr": "numeric", "batch_size": "integer", "epochs": "integer"}
    first = r.runs.iloc[0]
    assert first["run_id"] == "r001" and first["model"] == "bert-base"
    assert first["accuracy"] == 0.8349 and first["gpu_hours"] == 2.6182 and first["pruning"] == 0.5
    assert first["precision"] == "tf32" and first["hardware"] == "a100-80gb" and first["line"] == 2
    assert first["lr"] == 4.95e-05 and first["optimizer"] == "adamw" and first["batch_size"] == 64
    # Aliases resolve to catalog ids: r004 is "NVIDIA A100-SXM4-80GB" in the file.
    assert r.runs.set_index("run_id").loc["r004", "hardware"] == "a100-80gb"
    assert math.isnan(first["wall_hours"])


def test_read_runs_dataframe_equals_file(root):
    df = pd.read_csv(root / "examples" / "runs.csv")
    a = costfront.read_runs(df).runs
    b = costfront.read_runs(root / "examples" / "runs.csv").runs
    assert (a["source"] == "<DataFrame>").all()
    cols = ["run_id", "accuracy", "gpu_hours", "hardware", "precision", "pruning", "lr"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_read_runs_refuses_bad_records(root):
    with pytest.raises(costfront.Error) as ei:
        costfront.read_runs(root / "examples" / "runs_bad.csv")
    e = ei.value
    assert e.file.endswith("examples/runs_bad.csv") and e.line == 10 and e.column == 1 and e.field == "run_id"
    assert "duplicate run_id 'r900'" in e.message and "8 bad records" in e.message
    assert len(e.rejects) == 8
    r = costfront.read_runs(root / "examples" / "runs_bad.csv", keep_going=True)
    assert r.counts == {"read": 16, "accepted": 8, "rejected": 8}
    rej = r.rejects.set_index("line")
    assert rej.loc[11, "field"] == "hardware" and "unknown hardware 'RTX 9090'" in rej.loc[11, "message"]
    assert rej.loc[12, "field"] == "gpu_hours" and rej.loc[12, "column"] == 13


def test_read_runs_mapping_dict_and_errors(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("name,val_acc,gpu,hours\na,91.5,h100,2.5\nb,88.0,l4,7\n")
    r = costfront.read_runs(p, mapping={"name": "run_id", "val_acc": "accuracy", "gpu": "hardware",
                                        "hours": "gpu_hours"}, accuracy_unit="percent")
    assert list(r.runs["accuracy"]) == [0.915, 0.88] and list(r.runs["hardware"]) == ["h100", "l4"]
    r2 = costfront.read_runs(p, mapping={"columns": {"name": "run_id", "val_acc": "accuracy", "gpu": "hardware",
                                                     "hours": "gpu_hours"}, "gpu_hours_unit": "minutes"},
                             accuracy_unit="percent")
    assert list(r2.runs["gpu_hours"]) == [2.5 / 60, 7 / 60]
    with pytest.raises(costfront.Error) as ei:
        costfront.read_runs(tmp_path / "missing.csv")
    assert ei.value.file.endswith("missing.csv") and ei.value.code == -2
    bad = tmp_path / "bad.csv"
    bad.write_text("run_id,accuracy,gpu_hours,hardware\nx,0.9,1,h100\ny,0.8,abc,h100\n")
    with pytest.raises(costfront.Error) as ei:
        costfront.read_runs(bad)
    assert (ei.value.line, ei.value.column, ei.value.field) == (3, 3, "gpu_hours")
    # A DataFrame's errors name the DataFrame, never the temporary file.
    with pytest.raises(costfront.Error) as ei:
        costfront.read_runs(pd.read_csv(bad))
    assert ei.value.file == "<DataFrame>" and ei.value.line == 3 and "costfront-" not in str(ei.value)


def test_frontier_is_the_commands_json(root, cli):
    runs = costfront.read_runs(root / "examples" / "runs.csv")
    fr = costfront.frontier(runs)
    text = cli("frontier", "examples/runs.csv", "--format", "json")
    assert fr.text == text  # byte for byte
    assert fr.json == json.loads(text)
    assert fr.hypervolume == 1324.088214
    assert fr.knee == {"run_id": "r068", "procurement": "spot", "accuracy": 0.9026, "total_cost_usd": 1.233077694}
    assert fr.counts["frontier"] == len(fr.frontier) == 7 and fr.counts["dominated"] == len(fr.dominated) == 510
    assert fr.objectives == [("accuracy", "max"), ("total_cost_usd", "min")]
    doc = json.loads(text)
    for i, row in enumerate(doc["frontier"]):
        for k in ("run_id", "procurement", "accuracy", "total_cost_usd", "co2e_kg", "gpu_hours"):
            assert fr.frontier.iloc[i][k] == row[k]
    d0 = doc["dominated"][0]
    assert fr.dominated.iloc[0]["dominated_by_run_id"] == d0["dominated_by"]["run_id"]
    assert fr.dominated.iloc[0]["margin"] == d0["margin"]


def test_frontier_options_match_the_command(root, cli):
    fr = costfront.frontier(root / "examples" / "runs.csv",
                            objectives=[("accuracy", "maximize"), "cost_usd:min", "co2e_kg:min"],
                            procurement=["spot", "on_demand"], where={"model": "resnet50"}, target_accuracy=0.7)
    text = cli("frontier", "examples/runs.csv", "--objectives", "accuracy:max,cost_usd:min,co2e_kg:min",
               "--procurement", "spot,on_demand", "--where", "model=resnet50", "--target-accuracy", "0.7",
               "--format", "json")
    assert fr.json == json.loads(text)
    assert all(fr.frontier["procurement"].isin(["spot", "on_demand"]))
    ref = costfront.frontier(root / "examples" / "runs.csv", reference=[0.5, 3000])
    assert ref.reference_point == [0.5, 3000] and not ref.reference_inferred
    assert ref.json == json.loads(cli("frontier", "examples/runs.csv", "--reference", "0.5,3000", "--format", "json"))


def test_frontier_of_a_dataframe_and_keep_going(root, cli, monkeypatch):
    monkeypatch.chdir(root)  # rejects name the file as given, here as the command is given it
    df = pd.read_csv(root / "examples" / "runs.csv")
    a = costfront.frontier(df)
    b = costfront.frontier(root / "examples" / "runs.csv")
    assert a.hypervolume == b.hypervolume
    pd.testing.assert_frame_equal(a.frontier, b.frontier)
    with pytest.raises(costfront.Error) as ei:
        costfront.frontier(root / "examples" / "runs_bad.csv")
    assert ei.value.line == 10 and ei.value.field == "run_id"
    kg = costfront.frontier(costfront.read_runs("examples/runs_bad.csv", keep_going=True))
    assert kg.json == json.loads(cli("frontier", "examples/runs_bad.csv", "--keep-going", "--format", "json"))
    assert len(kg.rejects) == 8


def test_frontier_bad_options(root):
    p = root / "examples" / "runs.csv"
    with pytest.raises(costfront.Error) as ei:
        costfront.frontier(p, procurement=["spot", "layaway"])
    assert ei.value.field == "procurement" and "layaway" in ei.value.message
    with pytest.raises(costfront.Error) as ei:
        costfront.frontier(p, objectives="accuracy:max,nonsense:min")
    assert "nonsense" in str(ei.value)
    with pytest.raises(costfront.Error) as ei:
        costfront.frontier(p, reference=[1.0])
    assert ei.value.field == "reference"
    with pytest.raises(costfront.Error) as ei:
        costfront.frontier(p, catalog=root / "examples" / "runs.csv")
    assert ei.value.file.endswith("runs.csv")


def test_price_matches_score(cli_json):
    df = costfront.price({"accuracy": 0.91, "gpu_hours": 12, "hardware": "h100", "precision": "bf16"})
    score = cli_json("score", "--accuracy", "0.91", "--gpu-hours", "12", "--hardware", "h100", "--precision", "bf16")
    by = df.set_index("procurement")
    # On demand: 12 GPU-hours at 2.99 USD (the default catalog's cheapest H100 on-demand offer).
    assert by.loc["on_demand", "cost_usd"] == pytest.approx(35.88, abs=1e-9)
    for o in score["options"]:
        for k in ("cost_usd", "co2e_kg", "total_cost_usd", "energy_kwh", "price_per_hour"):
            assert by.loc[o["procurement"], k] == pytest.approx(o[k], rel=1e-9)
    assert df.iloc[0]["procurement"] == score["chosen"]["procurement"]  # the cheapest by total cost
    assert list(df["total_cost_usd"]) == sorted(df["total_cost_usd"])
    only = costfront.price({"accuracy": 0.91, "gpu_hours": 12, "hardware": "h100"}, procurement=["spot"])
    assert list(only["procurement"]) == ["spot"]
    with pytest.raises(costfront.Error) as ei:
        costfront.price({"accuracy": 0.91, "gpu_hours": 12, "hardware": "rtx-9090"})
    assert ei.value.field == "hardware" and ei.value.file == "run" and "rtx-9090" in ei.value.message


SPACE = {"params": [{"name": "x0", "type": "float", "low": 0, "high": 1},
                    {"name": "x1", "type": "float", "low": 0, "high": 1}],
         "objectives": [{"name": "f1", "ref": 18}, {"name": "f2", "ref": 6}]}


def bc(x0, x1):
    """BraninCurrin (two minimised objectives on [0, 1]^2)."""
    u, v = 15 * x0 - 5, 15 * x1
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    f0 = (v - b * u * u + c * u - 6) ** 2 + 10 * (1 - t) * math.cos(u) + 10
    e = 1 - math.exp(-1 / (2 * x1)) if x1 > 0 else 1.0
    f1 = e * (2300 * x0 ** 3 + 1900 * x0 ** 2 + 2092 * x0 + 60) / (100 * x0 ** 3 + 500 * x0 ** 2 + 4 * x0 + 20)
    return f0, f1


def test_study_ask_tell_front_trials(tmp_path, cli_json):
    path = tmp_path / "s.db"
    with costfront.Study.create(path, SPACE) as s:
        assert not s.cost_aware
        s.set_effort(128, 2, 60, 1)
        for k in range(4):
            for t in s.ask(2, seed=k):
                f1, f2 = bc(t["params"]["x0"], t["params"]["x1"])
                s.tell(t["id"], {"f1": f1, "f2": f2})
        last = s.ask(1, seed=9)[0]
        s.tell(last["id"], state="failed")
        tr = s.trials()
        assert list(tr["id"]) == list(range(1, 10)) and list(tr["state"]).count("complete") == 8
        assert tr.iloc[-1]["state"] == "failed" and {"params_x0", "params_x1", "values_f1", "values_f2"} <= set(tr)
        fr = s.front()
        assert fr.n_trials == 9 and fr.n_complete == 8 and fr.ref == [18, 6] and fr.hypervolume > 0
        with pytest.raises(costfront.Error) as ei:
            s.tell(last["id"], {"f1": 1, "f2": 1})
        assert "already failed" in ei.value.message
        with pytest.raises(costfront.Error) as ei:
            s.tell(99, {"f1": 1, "f2": 1})
        assert ei.value.code == -6
        with pytest.raises(costfront.Error) as ei:
            s.add({"x0": 0.5, "x1": 0.5}, {"f1": 1})
        assert "f2" in str(ei.value)
        assert s.add({"x0": 0.5, "x1": 0.5}, {"f1": 1.0, "f2": 1.0}) == 10
        assert s.add({"x0": 0.25, "x1": 0.5}) == 11  # pending
        assert s.trials().iloc[-1]["state"] == "pending"
    # The same file through the command: the same front and hypervolume.
    shown = cli_json("study", "show", "--store", str(path), "--format", "json")
    with costfront.Study.open(path) as s2:
        assert s2.front().hypervolume == pytest.approx(shown["hypervolume"], rel=1e-9)


def test_study_errors(tmp_path):
    bad = {"params": [{"name": "x", "type": "float", "low": 1, "high": 0}], "objectives": [{"name": "f"}]}
    with pytest.raises(costfront.Error) as ei:
        costfront.Study.create(tmp_path / "never.db", bad)
    assert ei.value.field == "params[0].high"
    assert not (tmp_path / "never.db").exists()
    costfront.Study.create(tmp_path / "s.db", SPACE).close()
    with pytest.raises(costfront.Error) as ei:
        costfront.Study.create(tmp_path / "s.db", SPACE)
    assert "already holds a study" in ei.value.message
    (tmp_path / "text.db").write_text("not a database")
    with pytest.raises(costfront.Error):
        costfront.Study.open(tmp_path / "text.db")
    assert (tmp_path / "text.db").read_text() == "not a database"
    with pytest.raises(costfront.Error):
        costfront.Study.open(tmp_path / "missing.db")


def test_library_lookup_env():
    code = "import costfront\ntry:\n    costfront.version()\nexcept costfront.Error as e:\n    print('ERR', e)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "COSTFRONT_LIB": "/nonexistent/libcostfront.so"}).stdout
    assert out.startswith("ERR cannot load libcostfront.so") and "/nonexistent/libcostfront.so" in out
    assert costfront.library_path() == os.environ.get("COSTFRONT_LIB", costfront.library_path())
