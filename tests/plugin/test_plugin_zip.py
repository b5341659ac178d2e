"""The plugin zip that QGIS's "Install from ZIP" takes: one top folder, metadata, no caches, and
the extracted copy loads in real QGIS."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_zip_layout_and_loading(tmp_path, qgis_iface):
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), str(tmp_path)],
                         capture_output=True, text=True, check=True)
    zpath = Path(out.stdout.strip())
    names = zipfile.ZipFile(zpath).namelist()
    assert {n.split("/")[0] for n in names} == {"geoplan_qgis"}
    assert "geoplan_qgis/metadata.txt" in names and "geoplan_qgis/icons/geoplan.svg" in names
    assert "geoplan_qgis/LICENSE" in names and "geoplan_qgis/installer.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    meta = configparser.ConfigParser()
    meta.read_string(zipfile.ZipFile(zpath).read("geoplan_qgis/metadata.txt").decode())
    assert meta["general"]["qgisMinimumVersion"] == "3.34"
    assert meta["general"]["qgisMaximumVersion"] == "4.99"
    # the extracted copy is a loadable plugin
    dest = tmp_path / "plugins"
    zipfile.ZipFile(zpath).extractall(dest)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import geoplan_qgis, inspect; "
        "print(callable(geoplan_qgis.classFactory))"
    )
    r = subprocess.run([sys.executable, "-c", code, str(dest)], capture_output=True, text=True)
    assert r.stdout.strip() == "True", r.stderr
