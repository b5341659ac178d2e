"""The plugin's dependency step in the GUI: plan, install with a progress dialog, then the
provider loads, without restarting QGIS. pip itself is replaced here (the real pip run, offline,
is in test_plugin_install.py)."""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication

pytestmark = pytest.mark.qgis


def test_install_then_the_provider_loads(qgis_iface, processing_initialized, monkeypatch):
    from geoplan_qgis import classFactory, deps, installer
    from geoplan_qgis import plugin as plugin_module

    missing = deps.Requirement("geoplan_fake_dep", "geoplan-fake-dep", "1.0")
    real_check = deps.check
    state = {"installed": False}

    def check():
        return real_check(deps.REQUIREMENTS if state["installed"] else (missing, *deps.REQUIREMENTS))

    calls = {}

    def fake_plan(requirements, **kw):
        calls["plan"] = list(requirements)
        return installer.Plan(install=("geoplan-fake-dep==1.0",), constraints=("numpy==1.26.4",))

    def fake_install(plan, *, progress=None, cancelled=None, **kw):
        calls["install"] = plan.install
        for i, line in enumerate(["Processing geoplan_fake_dep-1.0.whl", "Installing collected"]):
            progress(i / 2, line)
            assert cancelled() is False
        progress(1.0, "")
        state["installed"] = True
        return installer.InstallResult(True, "Installed 1 modules", installed=plan.install)

    monkeypatch.setattr(plugin_module.deps, "check", check)
    monkeypatch.setattr(installer, "plan", fake_plan)
    monkeypatch.setattr(installer, "install", fake_install)

    plugin = classFactory(qgis_iface)
    plugin.initGui()
    assert plugin.provider is None
    assert plugin.install_dependencies(ask=False) is True
    assert calls["plan"] == ["geoplan-fake-dep>=1.0"]
    assert calls["install"] == ("geoplan-fake-dep==1.0",)
    assert plugin.provider is not None
    assert QgsApplication.processingRegistry().providerById("geoplan") is not None
    plugin.unload()
    assert QgsApplication.processingRegistry().providerById("geoplan") is None
