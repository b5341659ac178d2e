"""Fixtures for the QGIS plugin tests: real headless QGIS through pytest-qgis, with Processing.

pytest-qgis starts ``QgsApplication`` before any conftest is imported (``qgis_gui_enabled =
false`` in pyproject.toml); ``qgis_processing`` runs ``Processing.initialize()``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "qgis_plugin"
QGIS_PYTHON_PLUGINS = "/usr/share/qgis/python/plugins"  # Debian's location of `processing`

if str(PLUGIN_DIR) not in sys.path:
    sys.path.insert(0, str(PLUGIN_DIR))
if QGIS_PYTHON_PLUGINS not in sys.path:
    sys.path.append(QGIS_PYTHON_PLUGINS)


@pytest.fixture(scope="session")
def processing_initialized(qgis_app, qgis_processing):
    """QGIS Processing with its native providers (``processing.run`` works)."""
    from processing.core.Processing import Processing

    Processing.initialize()  # idempotent; pytest-qgis' qgis_processing did it already
    return qgis_app


@pytest.fixture
def plugin(qgis_iface, processing_initialized, qgis_new_project):
    """The geoplan plugin, loaded as QGIS loads it into a new, empty project (pytest-qgis'
    ``qgis_new_project``: under xdist a worker runs the files in another order, and a panel
    test found the edit layers another file's test had drawn); unloaded after the test."""
    from geoplan_qgis import classFactory

    plug = classFactory(qgis_iface)
    plug.initGui()
    assert plug.provider is not None, plug.deps_report.message() if plug.deps_report else ""
    yield plug
    plug.unload()


@pytest.fixture
def qgis_language():
    """Set QGIS's language (``locale/userLocale``) for one test, then restore the setting."""
    from qgis.core import QgsSettings

    settings = QgsSettings()
    key = "locale/userLocale"
    had = settings.contains(key)
    old = settings.value(key)

    def set_language(code: str) -> None:
        settings.setValue(key, code)

    yield set_language
    if had:
        settings.setValue(key, old)
    else:
        settings.remove(key)


@pytest.fixture(scope="session")
def helsinki_summary(helsinki_pbf):
    """``geoplan.inspect.inspect_osm`` on the whole Helsinki extract, called directly."""
    from geoplan.inspect import inspect_osm

    return inspect_osm(helsinki_pbf)
