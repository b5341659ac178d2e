"""What the ``geoplan`` commands import (issue 15: ``geoplan scenario run`` on a saved baseline
≤ 1 s, of which the imports are the largest part): each command imports only what it uses.
Checked in a fresh interpreter through ``sys.modules``, never by timing. The optional heavy
libraries (maps, PDF, spreadsheets read back, rasters, OSM reading, Dask, the pipeline schema)
are imported where they are used, so a scenario on a saved baseline loads none of them, and
``geoplan --help`` loads none of the numerical stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from geoplan.runs import folder as rf

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"
#: runs ``geoplan ARGS`` in this interpreter, then prints the top-level modules it loaded
PROGRAM = """
import json, sys
from geoplan.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""
#: what a scenario on a saved baseline never needs: maps and the PDF report (matplotlib,
#: reportlab, PIL), xlsx reading (openpyxl), rasters (rasterio), OSM reading (osmium, pyrosm,
#: osmnx, networkx), ``geoplan many`` (dask), the pipeline schema (pydantic: the run folder's
#: pipeline is trusted by its digest), a progress bar on a pipe (tqdm), QGIS
HEAVY = {"matplotlib", "reportlab", "PIL", "openpyxl", "rasterio", "osmium", "pyrosm", "osmnx",
         "networkx", "dask", "distributed", "pydantic", "tqdm", "fiona", "qgis", "PyQt5",
         "PyQt6"}
#: the numerical stack, which ``geoplan --help`` does not need
NUMERICAL = {"numpy", "pandas", "geopandas", "shapely", "scipy", "pyproj", "pyogrio",
             "xlsxwriter", "babel"}


def _loaded(*args, cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROGRAM, *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] == 0, done.stderr[-2000:]
    return set(result["modules"])


def test_scenario_run_on_a_saved_baseline_imports_no_heavy_library(gpkg_run_dir, tmp_path):
    loaded = _loaded("scenario", "run", gpkg_run_dir, SCENARIO, "--out", tmp_path / "s",
                     cwd=tmp_path)
    assert (tmp_path / "s" / rf.GPKG).is_file()  # it did run
    assert {"geopandas", "scipy", "pyogrio", "xlsxwriter"} <= loaded  # what it does use
    assert not loaded & HEAVY, sorted(loaded & HEAVY)


def test_help_imports_no_numerical_library(tmp_path):
    for args in (["--help"], ["scenario", "run", "--help"]):
        loaded = _loaded(*args, cwd=tmp_path)
        assert "click" in loaded
        assert not loaded & (NUMERICAL | HEAVY), (args, sorted(loaded & (NUMERICAL | HEAVY)))


#: what ``import geoplan.cli`` sets for numpy's OpenBLAS, given the program's arguments
BLAS = """
import json, os, sys
sys.argv = ["geoplan", *sys.argv[1:]]
import geoplan.cli
print(json.dumps({"threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                  "numpy": "numpy" in sys.modules}))
"""


def _blas(*args, env: dict | None = None) -> dict:
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", BLAS, *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, timeout=600, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_scenario_commands_start_openblas_with_one_thread_unless_set():
    # before numpy loads (it reads the setting once, when it loads)
    assert _blas("scenario", "run") == {"threads": "1", "numpy": False}
    assert _blas("--debug", "scenario", "try")["threads"] == "1"
    assert _blas("scenario", "run", env={"OPENBLAS_NUM_THREADS": "2"})["threads"] == "2"
    assert _blas("run", "pipelines/demo.toml")["threads"] is None  # the pipeline: its default
