"""QGIS start-up stays fast: loading the plugin and registering its Processing provider imports
none of the heavy libraries (they load when an algorithm runs). Timed in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("geopandas", "pandas", "osmnx", "networkx", "scipy", "matplotlib", "shapely", "pyproj",
         "pyogrio", "rasterio", "osmium", "dask", "reportlab", "pydantic", "openpyxl",
         "xlsxwriter", "babel")

_PROBE = r"""
import json, sys, time
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
before = set(sys.modules)
t = time.perf_counter()
from geoplan_qgis import classFactory
plugin = classFactory(None)
plugin.initProcessing()
n = len(plugin.provider.algorithms()) if plugin.provider else 0
seconds = time.perf_counter() - t
new = sorted({m.split(".")[0] for m in set(sys.modules) - before})
print(json.dumps({"seconds": seconds, "algorithms": n, "new": new}))
"""


def test_loading_the_plugin_imports_no_heavy_module():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "qgis_plugin")]))
    proc = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"plugin load + provider registration: {doc['seconds']:.2f} s")
    assert doc["algorithms"] >= 7
    assert not set(doc["new"]) & set(HEAVY), doc["new"]
    assert doc["seconds"] < 10  # ~0.3-0.5 s here; generous for a loaded CI machine
