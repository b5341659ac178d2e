"""``geoplan scenario run`` as the program ends without Python's shutdown (issue 15: the
shutdown only freed the scenario's objects one by one, ~0.15 CPU seconds on the demo), with
all its output flushed and the same files as the command run in-process (the oracle: ``main``
called with arguments, which returns instead of ending the process). A command that fails,
or that did not say it closed everything, exits the usual way (its ``atexit`` handlers run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyogrio

from geoplan.runs import folder as rf
from geoplan.runs.scenario import SCENARIO_OUTPUTS

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"
CREDIT = "Map data © OpenStreetMap contributors (ODbL)."
#: the program, with an atexit handler that says whether Python's shutdown ran
PROGRAM = """
import atexit, sys
atexit.register(lambda: print("python shutdown ran", flush=True))
sys.argv = ["geoplan", *sys.argv[1:]]
from geoplan.cli.main import main
sys.exit(main())
"""


def _program(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROGRAM, *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=600)


def test_scenario_run_ends_at_once_with_everything_written(gpkg_run_dir, tmp_path):
    from geoplan.cli.main import main

    assert main(["scenario", "run", str(gpkg_run_dir), str(SCENARIO), "--out",
                 str(tmp_path / "in_process")]) == 0
    done = _program("scenario", "run", gpkg_run_dir, SCENARIO, "--out", tmp_path / "program",
                    cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[-1] == CREDIT  # flushed before the process ended
    assert "python shutdown ran" not in done.stdout
    assert [f"written: {tmp_path / 'program' / n}" for n in SCENARIO_OUTPUTS] == [
        x for x in lines if x.startswith("written: ")]
    for name in (rf.CHANGES_CSV, rf.DICTIONARY_CSV):
        assert (tmp_path / "program" / name).read_bytes() == \
            (tmp_path / "in_process" / name).read_bytes()
    for layer in ("grid", "grid_change", "areas_change"):
        got = pyogrio.read_dataframe(tmp_path / "program" / rf.GPKG, layer=layer)
        want = pyogrio.read_dataframe(tmp_path / "in_process" / rf.GPKG, layer=layer)
        assert got.equals(want), layer


def test_a_failing_or_other_command_exits_the_usual_way(gpkg_run_dir, tmp_path):
    failed = _program("scenario", "run", gpkg_run_dir, tmp_path / "missing.gpkg", "--out",
                      tmp_path / "s", cwd=tmp_path)
    assert failed.returncode == 2
    assert "python shutdown ran" in failed.stdout
    other = _program("--version", cwd=tmp_path)
    assert other.returncode == 0
    assert "python shutdown ran" in other.stdout
