"""Study.report and Study.should_prune (issue 13) on the hand-made sweep of tests/test_prune.c: trial 4 cannot
reach the front (pruned, dominated by trial 1 at a projected 0.55 accuracy for 4 GPU-hours), trial 5 can."""
import math

import pytest

import costfront

SPACE = {"params": [{"name": "x", "type": "float", "low": 0, "high": 1}],
         "objectives": [{"name": "accuracy", "direction": "maximize"},
                        {"name": "gpu_hours", "direction": "minimize"}]}


def sweep(path):
    s = costfront.Study.create(path, SPACE)
    ids = [s.add({"x": 0.1 * k}) for k in range(1, 6)]
    assert ids == [1, 2, 3, 4, 5]
    curves = {1: ([0.5, 0.7, 0.8, 0.85], 1.0), 2: ([0.4, 0.6, 0.7, 0.75], 0.5), 3: ([0.6, 0.8, 0.88, 0.9], 2.0)}
    for tid, (acc, rate) in curves.items():
        for k, a in enumerate(acc):
            s.report(tid, 10 * (k + 1), [a], gpu_hours=rate * (k + 1))
        s.tell(tid, {"accuracy": acc[-1], "gpu_hours": rate * 4})
    for k, (a4, a5) in enumerate(zip([0.3, 0.45, 0.5], [0.5, 0.72, 0.84])):
        s.report(4, 10 * (k + 1), a4, gpu_hours=k + 1)
        s.report(5, 10 * (k + 1), {"accuracy": a5}, gpu_hours=k + 1)
    return s


def test_should_prune_known_answers(tmp_path):
    with sweep(tmp_path / "s.db") as s:
        assert s.should_prune(4) is True
        d = s.prune_decision(4)
        assert (d["reason"], d["dominated_by"], d["budget_step"]) == ("dominated", 1, 40)
        assert math.isclose(d["projected"]["accuracy"], 0.55) and d["projected_gpu_hours"] == 4
        assert s.should_prune(5) is False
        assert s.prune_decision(5)["reason"] == "may_reach_front"
        assert s.should_prune(5, budget_step=80) is True
        assert s.prune_decision(4, min_steps=4)["reason"] == "too_few_steps"
        s.tell(4, state="pruned")
        curve = s.steps(4)
        assert list(curve["step"]) == [10, 20, 30] and list(curve["values_accuracy"]) == [0.3, 0.45, 0.5]
        assert list(curve["gpu_hours"]) == [1, 2, 3]
        assert len(s.steps()) == 3 * 4 + 2 * 3


def test_report_errors(tmp_path):
    with sweep(tmp_path / "s.db") as s:
        with pytest.raises(costfront.Error) as e:
            s.report(5, 20, [0.9], gpu_hours=3)
        assert e.value.field == "step"
        with pytest.raises(costfront.Error) as e:
            s.report(5, 40, [0.9, 0.1])
        assert e.value.field == "values" and "accuracy" in str(e.value)
        with pytest.raises(costfront.Error) as e:
            s.report(99, 40, [0.9])
        assert e.value.field == "id"
        with pytest.raises(costfront.Error):
            s.should_prune(1)  # complete, not running
        with pytest.raises(costfront.Error) as e:
            s.prune_decision(5, min_steps=0)
        assert e.value.field == "min_steps"
