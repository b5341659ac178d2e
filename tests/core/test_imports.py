"""`import geoplan` stays light: no QGIS, Qt or osmnx (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_import_does_not_pull_qgis_qt_or_osmnx():
    code = (
        "import sys, json, geoplan; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    forbidden = {"qgis", "PyQt5", "PyQt6", "sip", "osmnx", "networkx", "matplotlib"}
    assert not loaded & forbidden, loaded & forbidden


def test_public_api_resolves():
    import geoplan

    for name in geoplan.__all__:
        assert getattr(geoplan, name) is not None, name
