"""The plugin loads as QGIS loads it, registers the ``geoplan`` provider and leaves nothing behind."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QPlainTextEdit, QPushButton, QTextEdit

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "qgis_plugin"
ALGORITHMS = ["geoplan:area_summary", "geoplan:compare_scenarios", "geoplan:council_layout",
              "geoplan:inspect", "geoplan:layers", "geoplan:network", "geoplan:scenario"]

pytestmark = pytest.mark.qgis


def _geoplan_algorithms() -> list[str]:
    return [
        a.id() for a in QgsApplication.processingRegistry().algorithms()
        if a.provider() is not None and a.provider().id() == "geoplan"
    ]


def test_load_register_unload(qgis_iface, processing_initialized):
    from geoplan_qgis import classFactory
    from geoplan_qgis.provider import GeoplanProvider

    registry = QgsApplication.processingRegistry()
    providers_before = sorted(p.id() for p in registry.providers())
    actions_before = len(qgis_iface.mainWindow().findChildren(QAction))
    docks_before = len(qgis_iface.mainWindow().findChildren(QDockWidget))
    items_before = len(qgis_iface.messageBar().items())
    assert registry.providerById("geoplan") is None

    plugin = classFactory(qgis_iface)
    assert registry.providerById("geoplan") is None  # nothing happens before initGui
    plugin.initGui()
    plugin.initGui()  # QGIS calls initProcessing and initGui: registered once only

    provider = registry.providerById("geoplan")
    assert isinstance(provider, GeoplanProvider)
    assert provider.name() == "geoplan"
    assert not provider.icon().isNull()
    assert provider.svgIconPath().endswith("icons/geoplan.svg")
    assert registry.algorithmById("geoplan:inspect") is not None
    assert sorted(_geoplan_algorithms()) == ALGORITHMS
    assert len(qgis_iface.messageBar().items()) == items_before  # no warning when all is there
    # the scenario panel (hidden until its action is checked) and two actions
    from geoplan_qgis.panel import ScenarioDock

    docks = qgis_iface.mainWindow().findChildren(ScenarioDock)
    assert docks == [plugin.dock] and not plugin.dock.isVisible()
    names = sorted(a.objectName() for a in plugin.actions)
    assert names == ["geoplan_council_layout", "geoplan_scenario_panel"]
    assert all(not a.icon().isNull() for a in plugin.actions)
    panel_action = next(a for a in plugin.actions if a.isCheckable())
    panel_action.setChecked(True)
    assert plugin.dock.isVisibleTo(qgis_iface.mainWindow())
    panel_action.setChecked(False)
    dock = plugin.dock

    plugin.unload()
    assert plugin.dock is None and plugin.actions == []
    assert dock.parent() is None  # detached from the main window, deleted later
    assert len(qgis_iface.mainWindow().findChildren(QDockWidget)) == docks_before
    assert registry.providerById("geoplan") is None
    assert registry.algorithmById("geoplan:inspect") is None
    assert _geoplan_algorithms() == []
    assert sorted(p.id() for p in registry.providers()) == providers_before
    assert len(qgis_iface.mainWindow().findChildren(QAction)) == actions_before
    assert len(qgis_iface.messageBar().items()) == items_before

    plugin.initGui()  # loading again after unload works (plugin reloader)
    assert registry.algorithmById("geoplan:inspect") is not None
    plugin.unload()
    assert registry.providerById("geoplan") is None


def test_missing_dependency_registers_nothing_and_says_what_to_do(
    qgis_iface, processing_initialized, monkeypatch
):
    """A module QGIS's Python lacks: the plugin loads, registers nothing, shows one message."""
    from geoplan_qgis import classFactory, deps
    from geoplan_qgis import plugin as plugin_module

    missing = deps.Requirement("geoplan_no_such_module", "geoplan-no-such-dist", "1.0")
    real_check = deps.check
    monkeypatch.setattr(
        plugin_module.deps, "check", lambda: real_check((missing, *deps.REQUIREMENTS))
    )
    bar = qgis_iface.messageBar()
    items_before = list(bar.items())

    plugin = classFactory(qgis_iface)
    plugin.initGui()
    assert QgsApplication.processingRegistry().providerById("geoplan") is None
    assert plugin.provider is None
    new_items = [i for i in bar.items() if i not in items_before]
    assert len(new_items) == 1
    assert new_items[0].title() == "geoplan: missing Python modules"
    # on the bar: which module; a button opens the whole report with the commands that fix it
    shown = new_items[0].findChildren(QTextEdit)[0].toPlainText()
    assert shown == "geoplan: missing Python modules: QGIS's Python lacks geoplan_no_such_module."
    buttons = new_items[0].findChildren(QPushButton)
    assert [b.text() for b in buttons] == ["Show how to fix it"]
    dialog = plugin.fix_dialog()
    report = dialog.findChild(QPlainTextEdit).toPlainText()
    assert report == plugin.deps_report.message()
    assert "geoplan_no_such_module (geoplan-no-such-dist>=1.0): not installed" in report
    for command in plugin.deps_report.fix_commands():
        assert f"\n  {command}\n" in report + "\n"
    assert any("make setup" in c for c in plugin.deps_report.fix_commands())
    dialog.deleteLater()
    assert plugin.deps_report.missing_modules == ["geoplan_no_such_module"]

    plugin.unload()
    assert list(bar.items()) == items_before
    assert QgsApplication.processingRegistry().providerById("geoplan") is None


def test_metadata():
    meta = configparser.ConfigParser()
    meta.read(PLUGIN_DIR / "geoplan_qgis" / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author",
                "license", "hasProcessingProvider", "icon"):
        assert general.get(key), key
    assert general["name"] == "geoplan"
    assert general["qgisMinimumVersion"] == "3.34"
    assert general["qgisMaximumVersion"] == "4.99"
    assert general["hasProcessingProvider"] == "yes"
    assert general["license"] == "GPL-2.0-or-later"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert general["version"] == pyproject["project"]["version"]
    assert (PLUGIN_DIR / "geoplan_qgis" / general["icon"]).is_file()
    # homepage/tracker/repository/email: form checked in test_plugin_metadata.py

    from geoplan_qgis.deps import REQUIREMENTS
    from geoplan_qgis.provider import VERSION

    assert VERSION == general["version"]
    about = general["about"]
    for req in REQUIREMENTS:
        assert req.dist in about or req.module in about, f"{req.dist} not listed in 'about'"


@pytest.mark.parametrize("start", ["startPlugin", "startProcessingPlugin"])
def test_qgis_loads_it_from_the_plugin_folder(qgis_iface, processing_initialized, start):
    """The way QGIS desktop (startPlugin) and qgis_process (startProcessingPlugin) load it."""
    import qgis.utils

    registry = QgsApplication.processingRegistry()
    if str(PLUGIN_DIR) not in qgis.utils.plugin_paths:
        qgis.utils.plugin_paths.append(str(PLUGIN_DIR))
    qgis.utils.updateAvailablePlugins()
    assert "geoplan_qgis" in qgis.utils.available_plugins
    assert qgis.utils.pluginMetadata("geoplan_qgis", "name") == "geoplan"
    assert qgis.utils.pluginMetadata("geoplan_qgis", "hasProcessingProvider") == "yes"

    assert qgis.utils.loadPlugin("geoplan_qgis") is True
    assert getattr(qgis.utils, start)("geoplan_qgis") is True
    assert qgis.utils.isPluginLoaded("geoplan_qgis")
    assert registry.algorithmById("geoplan:inspect") is not None

    assert qgis.utils.unloadPlugin("geoplan_qgis") is True
    assert registry.providerById("geoplan") is None
    assert _geoplan_algorithms() == []
