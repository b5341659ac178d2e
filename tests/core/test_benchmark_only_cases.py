"""``benchmarks/run_all.py --scenario`` and ``--trial``: one function (``case_only``) runs
either case on this tree and an older one and writes its table; the trial's copy of the
scenario's had drifted (no old tree, no table). Run here on a 2,000-node synthetic town into a
temporary results folder (the committed results are not touched).

Oracle: the rows each case process wrote (``cases.py``'s JSON), read back from the CSV and the
Markdown table."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def run_all(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCH))
    import run_all as module

    monkeypatch.setattr(module, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(module, "WORK", tmp_path / "work")
    (tmp_path / "results").mkdir()
    (tmp_path / "work").mkdir()
    yield module
    sys.modules.pop("run_all", None)


@pytest.mark.parametrize("case", ["scenario", "trial"])
def test_each_only_case_runs_on_both_trees_and_writes_its_table(run_all, case, capsys):
    root = str(BENCH.parent)
    assert run_all.case_only(case, ["synth:2000"], 1, root) == 0
    with open(run_all.RESULTS / f"{case}.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    trees = {r["tree"] for r in rows}
    assert trees == {"this tree", f"old tree ({root})"}
    measured = [r for r in rows if r["median_s"]]
    assert measured and all(float(r["median_s"]) > 0 for r in measured)
    assert not [r for r in rows if r["note"].startswith("FAILED")], rows
    md = (run_all.RESULTS / f"{case}.md").read_text()
    assert md.startswith(f"# {run_all.ONLY_CASES[case][0]}")
    assert md.count("| synth:2000 |") == len(rows)
    assert f"--{case} synth:2000 --old-tree {root}" in md
