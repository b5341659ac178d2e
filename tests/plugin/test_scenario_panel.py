"""The scenario panel driven as a planner drives it, and ``geoplan:scenario`` /
``geoplan:compare_scenarios`` through Processing.

A baseline run of the Helsinki demo (bbox, 250 m grid) is made once by the core. The planner
chooses it, draws a densification block (300 dwellings) and a new lit path on the scratch layers,
presses Run and keeps working while the task runs; the outputs arrive as a styled group and the
change table fills. 300 dwellings × 2.1 persons = 630 new residents: an exact expectation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsProject,
    QgsVectorLayer,
)

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

DWELLINGS = 300
RESIDENTS = DWELLINGS * 2.1


@pytest.fixture(scope="module")
def baseline(plugin_baseline_run, processing_initialized):
    """A baseline run written by the core (``geoplan run``): no pipeline.toml, provenance.json.
    The plugin tests' shared baseline (tests/conftest.py, read only)."""
    return plugin_baseline_run[0]


def _edits(baseline: Path):
    """A densification block inside the study area and a new path between two edges ~150 m
    apart (both in the baseline's CRS, EPSG:3067)."""
    net = pyogrio.read_dataframe(baseline / "geoplan.gpkg", layer="network")
    mids = net.geometry.interpolate(0.5, normalized=True)
    centre = net.geometry.union_all().centroid
    p0 = mids[mids.distance(centre).idxmin()]
    p1 = mids[(mids.distance(p0) > 120) & (mids.distance(p0) < 180)].iloc[0]
    block = shapely.box(centre.x - 60, centre.y - 60, centre.x + 60, centre.y + 60)
    return shapely.LineString([p0, p1]), block


def _geometry(shp) -> QgsGeometry:
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(shp))
    return g


def _draw(layer: QgsVectorLayer, shp, **attrs) -> None:
    """What the Add Feature tool and the attribute form do: a feature with defaults + input."""
    from qgis.core import QgsVectorLayerUtils

    feature = QgsVectorLayerUtils.createFeature(layer, _geometry(shp))
    for name, value in attrs.items():
        feature[name] = value
    assert layer.addFeature(feature)


def test_panel_run_loads_styled_group_and_change_table(plugin, qgis_iface, qtbot, baseline,
                                                       tmp_path):
    from geoplan_qgis.panel.dock import EDITS_GROUP

    dock = plugin.dock
    assert dock is not None
    dock.baseline_edit.setText(str(baseline))
    assert dock.baseline_crs().authid() == "EPSG:3067"
    dock.changed_only.click()  # untick: the full scenario (grid after it, council layout)
    assert not dock.changed_only.isChecked()
    dock.name_edit.setText("Lit path and new homes")
    dock.out_edit.setText(str(tmp_path / "scenario"))

    path, block = _edits(baseline)
    dock.draw_buttons["densify"].click()  # the planner presses "Densification"
    densify = dock.edit_layers["densify"]
    assert densify.isEditable() and densify.crs().authid() == "EPSG:3067"
    assert [f.name() for f in densify.fields()][:4] == ["name", "dwellings", "residents",
                                                        "floor_area_m2"]
    _draw(densify, block, name="Block 1", dwellings=DWELLINGS)
    dock.draw_buttons["new_paths"].click()
    paths = dock.edit_layers["new_paths"]
    _draw(paths, path, name="Park path")  # lit = yes, kind = footway: the layer's defaults
    group = QgsProject.instance().layerTreeRoot().findGroup(EDITS_GROUP)
    assert {n.layerId() for n in group.findLayers()} == {densify.id(), paths.id()}
    scenario = dock.scenario()
    assert [type(e).__name__ for e in scenario.edits] == ["NewPath", "Densify"]
    assert scenario.edits[0].lit is True and scenario.edits[0].kind == "footway"

    with qtbot.waitSignal(dock.runFinished, timeout=180_000) as finished:
        dock.run_button.click()
        # QGIS keeps working: the run is a background task, the GUI thread is free
        assert dock.is_running() and not dock.run_button.isEnabled()
        assert dock.cancel_button.isEnabled()
        assert QgsApplication.taskManager().countActiveTasks() >= 1
    ok, out = finished.args
    assert ok, dock.status.text()
    out = Path(out)
    assert (out / "geoplan.gpkg").is_file() and (out / "changes.csv").is_file()
    assert not dock.is_running() and dock.run_button.isEnabled()

    # the outputs as one group, styled from the GeoPackage (diverging colours for changes)
    root = QgsProject.instance().layerTreeRoot()
    result = root.findGroup("geoplan: Lit path and new homes")
    assert result is not None
    layers = {n.layer().source().split("layername=")[1]: n.layer() for n in result.findLayers()}
    assert set(layers) == {"grid_change", "areas_change", "grid"}
    change = layers["grid_change"]
    assert change.renderer().type() == "graduatedSymbol"
    assert change.renderer().classAttribute().endswith("_change")
    assert layers["grid"].renderer().type() == "graduatedSymbol"

    # exact: 300 dwellings × 2.1 persons per dwelling
    pop_change = sum(f["pop_change"] or 0 for f in change.getFeatures())
    assert pop_change == pytest.approx(RESIDENTS, rel=1e-9)
    assert dock.change_of("Residents") == pytest.approx(RESIDENTS, rel=1e-9)
    table = dock.table
    assert table.rowCount() > 10
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Area", "Measure", "Before", "After", "Change", "Unit"]
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "Residents")
    assert float(table.item(row, 4).data(0x0100)) == pytest.approx(RESIDENTS, rel=1e-9)
    # the new path is in the scenario's network, lit
    net = pyogrio.read_dataframe(out / "geoplan.gpkg", layer="network")
    new = net[net["edit"] == "new_path"]
    assert len(new) >= 1 and set(new["lit"]) == {"yes"}
    # the scenario the planner drew is saved next to the outputs, readable by the core
    from geoplan.scenario.io import read_scenario

    saved = read_scenario(tmp_path / "scenario_scenario.gpkg")
    assert saved.name == "Lit path and new homes" and len(saved.edits) == 2

    # the council layout of the scenario: before / after / change, exported
    council = dock.council_layout()
    assert council is not None and council.is_scenario
    assert [m.title.rsplit("— ", 1)[1] for m in council.maps] == ["before", "after", "change"]
    assert (out / "council_layout.pdf").stat().st_size > 20_000
    from qgis.PyQt.QtGui import QImage

    img = QImage(str(out / "council_layout.png"))
    assert not img.isNull()
    small = img.scaled(100, 70)
    assert len({small.pixel(x, y) for x in range(100) for y in range(70)}) > 10
    assert council.table is not None and council.table[0][1] == "Measure"


def test_panel_cancel_stops_the_run(plugin, qtbot, baseline, tmp_path):
    dock = plugin.dock
    dock.baseline_edit.setText(str(baseline))
    dock.changed_only.click()  # untick: the full scenario, long enough to cancel
    dock.name_edit.setText("cancelled")
    dock.out_edit.setText(str(tmp_path / "cancelled"))
    _path, block = _edits(baseline)
    dock.draw_buttons["densify"].click()
    _draw(dock.edit_layers["densify"], block, residents=100.0)
    with qtbot.waitSignal(dock.runFinished, timeout=180_000) as finished:
        assert dock.run()
        # at once: a densify on the saved baseline now takes well under a second, so waiting
        # for its first progress report raced the end of the run (the core checks the cancel
        # at every progress report, from the first)
        assert dock.cancel_button.isEnabled()
        dock.cancel_button.click()
    assert finished.args[0] is False
    assert dock.progress.value() < 90  # stopped well before the end
    assert dock.status.text() == "Cancelled."
    assert not (tmp_path / "cancelled" / "geoplan.gpkg").exists()


def test_panel_says_what_to_fix(plugin, baseline, tmp_path):
    dock = plugin.dock
    dock.baseline_edit.setText("")
    assert dock.run() is False
    assert "Choose the baseline" in dock.status.text()
    dock.baseline_edit.setText(str(baseline))
    dock.draw_buttons["densify"].click()
    _path, block = _edits(baseline)
    _draw(dock.edit_layers["densify"], block)  # no dwellings, residents or floor area
    assert dock.run() is False
    assert "exactly one number" in dock.status.text() and "feature" in dock.status.text()


# --- the algorithms -----------------------------------------------------------------------------
def test_scenario_algorithm_with_a_scenario_file_and_a_drawn_layer(plugin, baseline, tmp_path):
    """A scenario GeoPackage (densification) plus a layer of lamps in another CRS (WGS 84)."""
    import processing
    from pyproj import Transformer

    from geoplan.scenario.io import write_scenario
    from geoplan.types import Densify, Scenario

    path, block = _edits(baseline)
    write_scenario(Scenario("homes", (Densify(block, dwellings=DWELLINGS),), crs="EPSG:3067"),
                   tmp_path / "homes.gpkg")
    to_wgs = Transformer.from_crs(3067, 4326, always_xy=True)
    lamps = QgsVectorLayer("Point?crs=EPSG:4326&field=edit:integer", "lamps", "memory")
    feats = []
    for frac in (0.2, 0.5, 0.8):
        x, y = to_wgs.transform(*path.interpolate(frac, normalized=True).coords[0])
        f = QgsFeature(lamps.fields())
        f.setGeometry(_geometry(shapely.Point(x, y)))
        f.setAttributes([0])
        feats.append(f)
    lamps.dataProvider().addFeatures(feats)
    out = tmp_path / "run"
    results = processing.run("geoplan:scenario", {
        "BASELINE": str(baseline / "provenance.json"), "SCENARIO": str(tmp_path / "homes.gpkg"),
        "NEW_LAMPS": lamps, "NAME": "homes and lamps", "LOAD": False, "OUTPUT": str(out)})
    assert results["GRID_CHANGE"] == f"{out / 'geoplan.gpkg'}|layername=grid_change"
    change = pyogrio.read_dataframe(out / "geoplan.gpkg", layer="grid_change")
    assert change["pop_change"].sum() == pytest.approx(RESIDENTS, rel=1e-9)
    import json

    info = json.loads((out / "scenario.json").read_text(encoding="utf-8"))
    assert info["scenario"]["name"] == "homes and lamps"
    assert info["scenario"]["edits"] == {"Densify": 1, "Lighting": 1}

    # compare two runs (the same run copied: equal changes, equal ranks)
    import shutil

    out2 = tmp_path / "run2"
    shutil.copytree(out, out2)
    cmp = processing.run("geoplan:compare_scenarios", {
        "RUNS": [str(out / "changes.csv"), str(out2 / "changes.csv")],
        "OUTPUT": str(tmp_path / "compare.csv")})
    import pandas as pd

    from geoplan.runs.scenario import compare_runs

    got = pd.read_csv(cmp["OUTPUT"])
    expected = compare_runs([out, out2])
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_array_equal(got["label"].to_numpy(), expected["label"].to_numpy())
    assert got["measure"].iloc[-1] == "mean_rank"


def test_scenario_algorithm_bad_input(plugin, baseline, tmp_path):
    import processing

    with pytest.raises(QgsProcessingException, match="Give a scenario GeoPackage or at least"):
        processing.run("geoplan:scenario", {"BASELINE": str(baseline / "provenance.json"),
                                            "OUTPUT": str(tmp_path / "x")})
    other = tmp_path / "notes.txt"
    other.write_text("not a run", encoding="utf-8")
    with pytest.raises(QgsProcessingException, match="neither a pipeline file"):
        processing.run("geoplan:scenario", {"BASELINE": str(other),
                                            "OUTPUT": str(tmp_path / "y")})
    with pytest.raises(QgsProcessingException, match="does not exist"):
        processing.run("geoplan:scenario", {"BASELINE": str(tmp_path / "missing.toml"),
                                            "OUTPUT": str(tmp_path / "z")})
