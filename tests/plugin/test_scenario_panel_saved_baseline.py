"""The scenario panel on a run folder's saved baseline (``scenario_baseline.pkl``).

A baseline run of the Helsinki demo (bbox, 250 m grid) reads its own copy of the OSM file, so a
test can move that file away: a run that still succeeds cannot have opened it. The oracle is
the same scenario run from the pipeline file (the OSM file read and the baseline computed, the
path that existed before saved baselines), compared cell by cell.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from qgis.core import (
    QgsApplication,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

BBOX = "[24.935, 60.164, 24.953, 60.179]"


@pytest.fixture(scope="module")
def own_run(tmp_path_factory, processing_initialized, helsinki_pbf):
    """``(pipeline file, run folder, OSM copy)``: a run whose OSM file the test may move."""
    from geoplan.config import load_pipeline
    from geoplan.runs.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("own_osm")
    osm = root / "data" / "kamppi.osm.pbf"
    osm.parent.mkdir()
    shutil.copyfile(helsinki_pbf, osm)
    toml = root / "kamppi.toml"
    toml.write_text(f'[input]\nosm = "data/kamppi.osm.pbf"\nbbox = {BBOX}\n'
                    '[grid]\ncell_size_m = 250\n[output]\ntitle = "Kamppi"\n', encoding="utf-8")
    run = root / "run"
    run_pipeline(load_pipeline(toml), run)
    assert (run / "scenario_baseline.pkl").is_file()
    return toml, run, osm


def _draw(dock, kind: str, shp, **attrs) -> None:
    """What the planner does: press the tool, add a feature with the form's defaults."""
    dock.draw_buttons[kind].click()
    layer = dock.edit_layers[kind]
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(shp))
    feature = QgsVectorLayerUtils.createFeature(layer, g)
    for name, value in attrs.items():
        feature[name] = value
    assert layer.addFeature(feature)


def _paths(run: Path) -> list[shapely.LineString]:
    """Two new paths between edges ~150 m apart, near the middle of the network."""
    net = pyogrio.read_dataframe(run / "geoplan.gpkg", layer="network")
    mids = net.geometry.interpolate(0.5, normalized=True)
    centre = net.geometry.union_all().centroid
    out = []
    for k in (0, 7):
        p0 = mids.iloc[mids.distance(centre).argsort().iloc[k]]
        p1 = mids[(mids.distance(p0) > 120) & (mids.distance(p0) < 180)].iloc[0]
        out.append(shapely.LineString([p0, p1]))
    return out


def _run(dock, qtbot, baseline: str, out: Path) -> Path:
    dock.baseline_edit.setText(baseline)
    dock.out_edit.setText(str(out))
    with qtbot.waitSignal(dock.runFinished, timeout=300_000) as finished:
        assert dock.run(), dock.status.text()
    ok, folder = finished.args
    assert ok, dock.status.text()
    return Path(folder)


def _pipeline_oracle(toml: Path, scenario_gpkg: Path, out: Path) -> Path:
    """The drawn scenario (as the panel saved it) run from the pipeline file by the core."""
    from geoplan.config import load_pipeline
    from geoplan.runs.scenario import run_scenario
    from geoplan.scenario.io import read_scenario

    run_scenario(load_pipeline(toml), read_scenario(scenario_gpkg), out)
    return out


def _same_change_layers(a: Path, b: Path) -> None:
    for layer in ("grid_change", "grid", "areas_change"):
        pd.testing.assert_frame_equal(
            pyogrio.read_dataframe(a / "geoplan.gpkg", layer=layer),
            pyogrio.read_dataframe(b / "geoplan.gpkg", layer=layer),
            check_exact=False, rtol=1e-9, atol=1e-9, obj=layer)
    pd.testing.assert_frame_equal(pd.read_csv(a / "changes.csv"), pd.read_csv(b / "changes.csv"),
                                  check_exact=False, rtol=1e-9, atol=1e-9)


def test_saved_baseline_run_reads_no_osm_and_equals_the_pipeline_run(plugin, qtbot, own_run,
                                                                      tmp_path):
    from geoplan_qgis.algorithms.scenario import SESSION_BASELINES

    toml, run, osm = own_run
    dock = plugin.dock
    dock.name_edit.setText("Lit path")
    dock.changed_only.click()  # untick: the full scenario (its network is checked below)
    first, second = _paths(run)
    _draw(dock, "new_paths", first, name="Park path")
    loads = SESSION_BASELINES.loads
    moved = osm.with_name("moved_away.osm.pbf")
    osm.rename(moved)  # from here on nothing can read the OSM file
    try:
        saved = _run(dock, qtbot, str(run), tmp_path / "saved")
        assert SESSION_BASELINES.loads == loads + 1  # loaded from the run folder once
        assert dock.status.text().startswith("Done")  # no fallback note
        # the planner draws a second path: the kept baseline is used again (no load)
        _draw(dock, "new_paths", second, name="Second path")
        again = _run(dock, qtbot, str(run), tmp_path / "again")
        assert SESSION_BASELINES.loads == loads + 1
    finally:
        moved.rename(osm)
    net = pyogrio.read_dataframe(again / "geoplan.gpkg", layer="network")
    assert (net["edit"] == "new_path").sum() >= 2
    _same_change_layers(saved, _pipeline_oracle(toml, tmp_path / "saved_scenario.gpkg",
                                                tmp_path / "oracle"))
    _same_change_layers(again, _pipeline_oracle(toml, tmp_path / "again_scenario.gpkg",
                                                tmp_path / "oracle_again"))


def test_the_run_folder_of_a_loaded_layer_is_the_baseline(plugin, qtbot, own_run, tmp_path):
    _toml, run, _osm = own_run
    dock = plugin.dock
    grid = QgsVectorLayer(f"{run / 'geoplan.gpkg'}|layername=grid", "grid", "ogr")
    assert grid.isValid()
    QgsProject.instance().addMapLayer(grid)
    try:
        dock.name_edit.setText("From the loaded layer")
        _draw(dock, "new_paths", _paths(run)[0], name="Park path")
        out = _run(dock, qtbot, "", tmp_path / "loaded")
    finally:
        QgsProject.instance().removeMapLayer(grid.id())
    assert Path(dock.baseline_edit.text()) == run.resolve()  # found from the loaded layer
    assert dock.status.text().startswith("Done")  # its saved baseline used, no fallback note
    assert "grid_change" in pyogrio.list_layers(out / "geoplan.gpkg")[:, 0]


def test_stale_saved_baseline_is_said_in_swedish_and_the_pipeline_used(
        plugin, qtbot, qgis_language, own_run, tmp_path):
    toml, run, _osm = own_run
    copy = tmp_path / "run_copy"
    shutil.copytree(run, copy)
    pkl = copy / "scenario_baseline.pkl"
    pkl.write_bytes(pkl.read_bytes()[:200])  # cut off: the header no longer matches
    qgis_language("sv_SE")
    dock = plugin.dock
    dock.name_edit.setText("Stale")
    _draw(dock, "new_paths", _paths(run)[0], name="Park path")
    out = _run(dock, qtbot, str(copy), tmp_path / "stale")
    status = dock.status.text()
    # said in Swedish, with the folder and why (the cut-off file is damaged), no English reason
    assert "Det sparade nuläget" in status and "run_copy" in status, status
    assert "skadat" in status and "damaged" not in status, status
    _same_change_layers(out, _pipeline_oracle(toml, tmp_path / "stale_scenario.gpkg",
                                              tmp_path / "oracle"))


# --- writing only what changes (geoplan.runs.trial through the panel and the algorithm) --------

def _changed_cells(full_gpkg: Path) -> pd.DataFrame:
    """The oracle's rows: the cells of a full scenario run's grid_change (every cell) where a
    before/after pair differs (NaN equal to NaN), read with pyogrio and compared in numpy."""
    import numpy as np

    full = pyogrio.read_dataframe(full_gpkg, layer="grid_change")
    pairs = sorted({c[:-len("_before")] for c in full.columns if c.endswith("_before")})
    b = full[[f"{c}_before" for c in pairs]].astype(float).to_numpy()
    a = full[[f"{c}_after" for c in pairs]].astype(float).to_numpy()
    return full[~np.isclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True).all(axis=1)]


def _loaded_frame(layer) -> pd.DataFrame:
    """The features of a loaded QGIS layer as a DataFrame (QGIS's NULL as None)."""
    rows = [[None if getattr(v, "isNull", lambda: False)() else v for v in f.attributes()]
            for f in layer.getFeatures()]
    return pd.DataFrame(rows, columns=layer.fields().names())


def test_changed_only_loads_the_changed_cells_and_keeps_the_session(plugin, qtbot, own_run,
                                                                     tmp_path):
    from geoplan_qgis.algorithms.scenario import SESSION_BASELINES

    toml, run, _osm = own_run
    dock = plugin.dock
    dock.baseline_edit.setText(str(toml))  # a pipeline file: nothing to keep, so off
    assert not dock.changed_only.isEnabled() and not dock.changed_only.isChecked()
    dock.baseline_edit.setText(str(run))
    assert dock.changed_only.isChecked()  # the default on a saved baseline
    dock.name_edit.setText("Trial")
    first, second = _paths(run)
    _draw(dock, "new_paths", first, name="Park path")
    loads, made = SESSION_BASELINES.loads, SESSION_BASELINES.trials_made
    out = _run(dock, qtbot, str(run), tmp_path / "trial")
    assert dock.status.text().startswith("Done")
    assert (SESSION_BASELINES.loads, SESSION_BASELINES.trials_made) == (loads + 1, made + 1)
    session = SESSION_BASELINES.current_trials
    assert session.run_dir == run.resolve()
    assert [lyr.name() for lyr in dock.result_layers] == ["Change per cell", "Change per area"]
    assert "grid" not in set(pyogrio.list_layers(out / "geoplan.gpkg")[:, 0])
    assert not dock.layout_button.isEnabled() and dock.layout_button.toolTip()
    full = _pipeline_oracle(toml, tmp_path / "trial_scenario.gpkg", tmp_path / "full")
    want = _changed_cells(full / "geoplan.gpkg").drop(columns="geometry")
    got = _loaded_frame(dock.result_layers[0])
    assert set(got["cell_id"]) == set(want["cell_id"]) != set()
    got = got.set_index("cell_id").loc[want["cell_id"], [c for c in want if c != "cell_id"]]
    numeric = list(want.select_dtypes(include="number").columns)
    got = pd.DataFrame({c: pd.to_numeric(got[c]).astype(float) if c in numeric else got[c]
                        for c in got.columns}, index=got.index)
    pd.testing.assert_frame_equal(got.reset_index(), want.reset_index(drop=True),
                                  check_exact=False, rtol=1e-9, atol=1e-9, check_dtype=False)
    assert layer_style_is_stored(dock.result_layers[0])
    oracle_table = pd.read_csv(full / "changes.csv")
    pd.testing.assert_frame_equal(pd.read_csv(out / "changes.csv"), oracle_table,
                                  check_exact=False, rtol=1e-9, atol=1e-9)
    assert dock.table.rowCount() == len(oracle_table)
    # the planner draws a second path: the same session, nothing loaded or made again
    _draw(dock, "new_paths", second, name="Second path")
    _run(dock, qtbot, str(run), tmp_path / "again")
    assert (SESSION_BASELINES.loads, SESSION_BASELINES.trials_made) == (loads + 1, made + 1)
    assert SESSION_BASELINES.current_trials is session
    # unticked: the full scenario (grid after it, council layout)
    dock.changed_only.click()
    _run(dock, qtbot, str(run), tmp_path / "full_run")
    assert "grid" in set(pyogrio.list_layers(tmp_path / "full_run" / "geoplan.gpkg")[:, 0])
    assert dock.layout_button.isEnabled() and len(dock.result_layers) == 3


def layer_style_is_stored(layer) -> bool:
    """The layer came with the GeoPackage's stored style: a graduated renderer on a change."""
    renderer = layer.renderer()
    return renderer.type() == "graduatedSymbol" and renderer.classAttribute().endswith("_change")


def test_the_algorithm_with_changed_only_writes_no_grid(plugin, own_run, tmp_path):
    import processing
    from geoplan_qgis.algorithms.scenario import save_scenario

    from geoplan.types import NewPath, Scenario

    _toml, run, _osm = own_run
    alg = QgsApplication.processingRegistry().createAlgorithmById("geoplan:scenario")
    assert alg.parameterDefinition("CHANGED_ONLY").defaultValue() is False
    crs = pyogrio.read_info(run / "geoplan.gpkg", layer="grid")["crs"]
    scen = save_scenario(Scenario("p", (NewPath(_paths(run)[0], lit=True),), crs=crs),
                         tmp_path / "p.gpkg")
    res = processing.run("geoplan:scenario", {
        "BASELINE": str(run / "provenance.json"), "SCENARIO": str(scen),
        "OUTPUT": str(tmp_path / "out"), "CHANGED_ONLY": True, "LOAD": False})
    layers = set(pyogrio.list_layers(tmp_path / "out" / "geoplan.gpkg")[:, 0])
    assert "grid" not in layers and "network" not in layers
    assert {"grid_change", "areas_change", "changes"} <= layers
    assert res["TRIAL"] is True and res["GRID"] is None and res["NETWORK"] is None
    assert res["GRID_CHANGE"].endswith("layername=grid_change")
    assert Path(res["CHANGES"]).is_file()


def test_one_session_cache_keeps_the_baseline_and_its_trial_session(own_run, tmp_path):
    # the kept baseline and the trial session on it live in one cache: a session is made once
    # per kept baseline, on that very object; a baseline loaded again (the saved file changed)
    # gets a session of its own; clearing forgets both
    import os

    from geoplan_qgis.algorithms.scenario import SessionBaselines

    _toml, run, _osm = own_run
    cache = SessionBaselines()
    out = tmp_path / "trials"
    cfg, base = cache.get(run, out)
    session = cache.trials(run, out)
    assert session.baseline is base and session.run_dir == run.resolve()
    assert (session.title, session.config) == (cfg.title, cfg) and cfg.title == "Kamppi"
    assert cache.trials(run, out) is session and cache.current_trials is session
    assert (cache.loads, cache.trials_made) == (1, 1)
    pkl = run / "scenario_baseline.pkl"
    st = pkl.stat()
    os.utime(pkl, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    try:
        again = cache.trials(run, out)  # the file changed: loaded again, a new session
        assert again is not session and again.baseline is cache.get(run, out)[1] is not base
        assert (cache.loads, cache.trials_made) == (2, 2)
    finally:
        os.utime(pkl, ns=(st.st_atime_ns, st.st_mtime_ns))
    cache.clear()
    assert cache.current_trials is None


def test_the_panel_loads_the_algorithms_loaded_layers(plugin, qtbot, own_run, tmp_path):
    # one list of layers: what the panel loads of a full scenario's GeoPackage is what the
    # algorithm declares loaded, by the core's layer names, in that order
    from geoplan_qgis.algorithms.scenario import SCENARIO_LAYERS
    from geoplan_qgis.i18n import tr

    from geoplan.runs import folder as rf

    _toml, run, _osm = own_run
    dock = plugin.dock
    dock.name_edit.setText("Layers")
    dock.changed_only.click()  # untick: the full scenario
    _draw(dock, "new_paths", _paths(run)[0], name="Park path")
    out = _run(dock, qtbot, str(run), tmp_path / "full")
    loaded = [r for r in SCENARIO_LAYERS if r.loaded]
    assert [lyr.name() for lyr in dock.result_layers] == [tr(r.display) for r in loaded]
    written = set(pyogrio.list_layers(out / rf.GPKG)[:, 0])
    assert {r.layer for r in SCENARIO_LAYERS} <= written
    assert [lyr.source().rsplit("layername=", 1)[1] for lyr in dock.result_layers] == [
        r.layer for r in loaded]
    group = dock.load_results(out)  # without the algorithm's results: the same layers
    assert [n.name() for n in group.findLayers()] == [tr(r.display) for r in loaded]
