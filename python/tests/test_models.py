"""predict and tco against the command's JSON on the bundled examples."""
import json

import pytest

import costfront

CONFIG = {"model": "resnet50", "hardware": "l4", "precision": "int8", "pruning": 0.5}


def test_predict_is_the_commands_json(root, cli_json, tmp_path):
    runs = costfront.read_runs(root / "examples" / "runs.csv")
    configs = [CONFIG, {"model": "bert-base", "hardware": "h100", "precision": "bf16"}]
    df = costfront.predict(runs, configs)
    lines = tmp_path / "configs.jsonl"
    lines.write_text("".join(json.dumps(c) + "\n" for c in configs))
    want = cli_json("predict", "examples/runs.csv", "--configs", str(lines), "--format", "json")
    assert df.attrs["json"] == want
    first = df[df["config"] == 0].set_index("procurement")
    p = want["predictions"][0]
    spot = next(c for c in p["costs"] if c["procurement"] == "spot")
    assert first.loc["spot", "total_cost_usd_mean"] == spot["total_cost_usd"]["mean"]
    assert first.loc["spot", "accuracy_mean"] == p["accuracy"]["mean"]
    assert set(first.index) == {"on_demand", "spot", "reserved_1y", "reserved_3y"}
    assert 0.5 < p["accuracy"]["mean"] < 0.9 and p["accuracy"]["lo"] < p["accuracy"]["mean"] < p["accuracy"]["hi"]


def test_predict_options_and_errors(root, cli_json):
    df = costfront.predict(root / "examples" / "runs.csv", CONFIG, procurement=["spot"], seed=3)
    one = cli_json("predict", "examples/runs.csv", "--config", json.dumps(CONFIG), "--procurement", "spot",
                   "--seed", "3", "--format", "json")
    assert df.attrs["json"] == one and list(df["procurement"]) == ["spot"]
    with pytest.raises(costfront.Error) as ei:
        costfront.predict(root / "examples" / "runs.csv", [CONFIG, {**CONFIG, "hardware": "rtx-9090"}])
    assert ei.value.file == "configs[1]" and ei.value.field == "hardware"
    with pytest.raises(costfront.Error) as ei:
        costfront.predict(root / "examples" / "runs.csv", [])
    assert ei.value.field == "configs"


@pytest.mark.parametrize("plan", ["startup-finetune", "lab-steady-training", "enterprise-inference-growth"])
def test_tco_is_the_commands_json(root, cli_json, plan):
    path = f"examples/plans/{plan}.json"
    t = costfront.tco(root / path)
    want = cli_json("tco", "--plan", path, "--format", "json")
    for k in ("options", "cheapest", "server_month", "breakeven"):
        assert t.json[k] == want[k], k
    assert t.hardware == want["plan"]["hardware"] and t.horizon_months == want["plan"]["horizon_months"]
    assert list(t.options["option"]) == ["on_demand", "spot", "reserved_1y", "reserved_3y", "on_prem", "hybrid"]


def test_tco_set_and_errors(root, cli_json, tmp_path):
    path = "examples/plans/startup-finetune.json"
    t = costfront.tco(root / path, set={"discount_rate_annual": 0.08, "on_prem.pue": 1.3})
    want = cli_json("tco", "--plan", path, "--set", "discount_rate_annual=0.08", "--set", "on_prem.pue=1.3",
                    "--format", "json")
    assert t.json["options"] == want["options"]
    with pytest.raises(costfront.Error) as ei:
        costfront.tco(root / path, set={"no_such_field": 1})
    assert "no_such_field" in str(ei.value)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads((root / path).read_text()), "horizon_months": -3}))
    with pytest.raises(costfront.Error) as ei:
        costfront.tco(bad)
    assert ei.value.file == str(bad) and ei.value.field == "horizon_months"
    with pytest.raises(costfront.Error) as ei:
        costfront.tco(tmp_path / "missing.json")
    assert ei.value.code == -2
