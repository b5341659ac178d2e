"""geoplan's Processing algorithms in real QGIS 3.40 give exactly what the core gives.

Every algorithm runs through ``processing.run`` on the embedded Helsinki extract with a small
study area (a bbox of central Helsinki, 250 m grid) and is compared with the core called directly.
Also: selected features only, cancel, errors that say how to fix the input, a Modeler model that
chains two geoplan algorithms, and ``qgis_process`` (when it is installed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BBOX = (24.935, 60.164, 24.953, 60.179)
#: four districts tiling the bbox (lon/lat), to summarise by
DISTRICTS = {"A": shapely.box(24.935, 60.164, 24.944, 60.171),
             "B": shapely.box(24.944, 60.171, 24.953, 60.179),
             "C": shapely.box(24.944, 60.164, 24.953, 60.171),
             "D": shapely.box(24.935, 60.171, 24.944, 60.179)}


def _run(alg: str, params: dict, feedback=None, context=None) -> dict:
    import processing

    return processing.run(alg, params, feedback=feedback, context=context)


def polygon_layer(polygons: dict, crs: str = "EPSG:4326", name: str = "areas") -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=code:string&field=name:string", name,
                           "memory")
    feats = []
    for code, poly in polygons.items():
        f = QgsFeature(layer.fields())
        g = QgsGeometry()
        g.fromWkb(shapely.to_wkb(poly))
        f.setGeometry(g)
        f.setAttributes([code, f"district {code}"])
        feats.append(f)
    assert layer.dataProvider().addFeatures(feats)[0]
    layer.updateExtents()
    return layer


@pytest.fixture(scope="module")
def study_area(processing_initialized):
    layer = polygon_layer({"S": shapely.box(*BBOX)}, name="study area")
    QgsProject.instance().addMapLayer(layer)
    yield layer
    QgsProject.instance().removeMapLayer(layer.id())


@pytest.fixture(scope="module")
def core_run(plugin_baseline_run, processing_initialized):
    """The core's own run of the same study (the oracle): the plugin tests' shared baseline
    (tests/conftest.py, read only)."""
    return plugin_baseline_run


@pytest.fixture(scope="module")
def plugin_run(tmp_path_factory, module_plugin, study_area):
    """``geoplan:layers`` on the same study, from parameters (OSM file + area layer)."""
    from geoplan.datasets import demo_extract

    out = tmp_path_factory.mktemp("plugin_run")
    feedback = QgsProcessingFeedback()
    results = _run("geoplan:layers", {
        "INPUT": str(demo_extract()), "AREA": study_area, "CELL_SIZE": 3,  # 250 m
        "OUTPUT": str(out)}, feedback)
    return out, results, feedback


@pytest.fixture(scope="module")
def module_plugin(processing_initialized):
    from geoplan_qgis import classFactory

    plug = classFactory(None)
    plug.initProcessing()
    assert plug.provider is not None
    yield plug
    plug.unload()


# --- geoplan:layers -----------------------------------------------------------------------------
def test_layers_from_parameters_equal_the_core_run(core_run, plugin_run):
    core_out, core_result = core_run
    out, results, feedback = plugin_run
    gpkg = out / "geoplan.gpkg"
    assert results["GEOPACKAGE"] == str(gpkg)
    assert results["GRID"] == f"{gpkg}|layername=grid"
    assert results["AREAS"] is None  # no areas to summarise by
    assert results["CELLS"] == len(core_result.layers.grid) == 40
    assert results["POP_TOTAL"] == pytest.approx(core_result.layers.meta["pop_total"], rel=1e-12)
    for layer in ("grid", "network", "destinations", "green", "origins"):
        mine = pyogrio.read_dataframe(gpkg, layer=layer)
        theirs = pyogrio.read_dataframe(core_out / "geoplan.gpkg", layer=layer)
        pd.testing.assert_frame_equal(mine.drop(columns="geometry"),
                                      theirs.drop(columns="geometry"), check_exact=True)
        assert mine.geometry.geom_equals_exact(theirs.geometry, 0.0).all(), layer
    # the run can be repeated from the CLI: the pipeline as run is saved next to the outputs
    assert (out / "pipeline.toml").is_file() and (out / "study_area.geojson").is_file()
    assert (out / "provenance.json").is_file()
    # ... committed with the data as one set (listed in the run's provenance), not after it
    import json

    files = json.loads((out / "provenance.json").read_text(encoding="utf-8"))["files"]
    assert "pipeline.toml" in files, files
    assert feedback.progress() == pytest.approx(100.0)


def test_layers_open_styled_from_the_geopackage(plugin_run):
    """What Processing loads on completion gets the style stored in the GeoPackage."""
    from geoplan_qgis.adapters import GpkgStyleLoader

    _out, results, _fb = plugin_run
    opts = QgsVectorLayer.LayerOptions(QgsProject.instance().transformContext())
    opts.loadDefaultStyle = False  # as Processing opens its outputs
    grid = QgsVectorLayer(results["GRID"], "grid", "ogr", opts)
    network = QgsVectorLayer(results["NETWORK"], "network", "ogr", opts)
    assert grid.renderer().type() == "singleSymbol"
    loader = GpkgStyleLoader.create()
    context = QgsProcessingContext()
    for layer in (grid, network):
        loader.postProcessLayer(layer, context, QgsProcessingFeedback())
    assert grid.renderer().type() == "graduatedSymbol"
    assert grid.renderer().classAttribute() == "safety_index"
    assert network.renderer().type() == "categorizedSymbol"
    assert network.renderer().classAttribute() == "lit"


def test_layers_from_a_pipeline_file_with_areas_and_load_on_completion(
        module_plugin, core_run, tmp_path):
    """A pipeline file, the summary areas from a layer (selected features only): the areas
    layer equals the core's area_summary; the layers are queued to load in one group."""
    from geoplan.indicators.equity import area_summary

    pipeline = tmp_path / "study.toml"
    pipeline.write_text('[input]\nosm = "demo"\nbbox = [24.935, 60.164, 24.953, 60.179]\n'
                        '[grid]\ncell_size_m = 250\n[output]\ntitle = "Kamppi test"\n',
                        encoding="utf-8")
    districts = polygon_layer(DISTRICTS)
    QgsProject.instance().addMapLayer(districts)
    try:
        ids = [f.id() for f in districts.getFeatures() if f["code"] in ("A", "B")]
        districts.selectByIds(ids)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        results = _run("geoplan:layers", {
            "PIPELINE": str(pipeline),
            "SUMMARY_AREAS": QgsProcessingFeatureSourceDefinition(districts.id(), True),
            "SUMMARY_KEY": "code", "SUMMARY_NAME": "name", "OUTPUT": str(tmp_path / "out")},
            context=context)
    finally:
        QgsProject.instance().removeMapLayer(districts.id())
    gpkg = tmp_path / "out" / "geoplan.gpkg"
    assert results["AREAS"] == f"{gpkg}|layername=areas"
    areas = pyogrio.read_dataframe(gpkg, layer="areas")
    assert list(areas["code"]) == ["A", "B", "__study_area__"]
    core_grid = core_run[1].layers.grid
    frame = pd.DataFrame({"code": list(DISTRICTS), "name": [f"district {c}" for c in DISTRICTS]})
    import geopandas as gpd

    expected = area_summary(core_grid, gpd.GeoDataFrame(
        frame, geometry=list(DISTRICTS.values()), crs="EPSG:4326").iloc[:2], key="code",
        name="name")
    for col in ("pop", "safety_index", "dist_grocery_m", "green_scb_300m_pop_share"):
        np.testing.assert_allclose(areas[col].to_numpy(float), expected[col].to_numpy(float),
                                   rtol=1e-12, equal_nan=True)
    loads = context.layersToLoadOnCompletion()
    assert set(loads) == {f"{gpkg}|layername={n}" for n in
                          ("grid", "network", "destinations", "green", "areas")}
    assert {d.groupName for d in loads.values()} == {"Kamppi test"}
    assert all(d.postProcessor() is not None for d in loads.values())


def test_layers_bad_input_says_how_to_fix_it(module_plugin, tmp_path):
    with pytest.raises(QgsProcessingException, match="Give a pipeline file or an OpenStreetMap"):
        _run("geoplan:layers", {"OUTPUT": str(tmp_path / "o")})
    bad = tmp_path / "bad.toml"
    bad.write_text('[input]\nosm = "demo"\n[grid]\ncell_size_m = 120\n', encoding="utf-8")
    with pytest.raises(QgsProcessingException) as err:
        _run("geoplan:layers", {"PIPELINE": str(bad), "OUTPUT": str(tmp_path / "o2")})
    assert "cell_size_m = 120 is not allowed" in str(err.value)
    assert "Traceback" not in str(err.value)
    assert not (tmp_path / "o2" / "geoplan.gpkg").exists()


def test_cancel_really_stops_a_long_run(module_plugin, study_area, tmp_path):
    """Cancel pressed while the run is under way: the core stops at its next progress check."""
    from geoplan.datasets import demo_extract

    feedback = QgsProcessingFeedback()
    seen = []

    def on_progress(p):
        seen.append(p)
        if p >= 20.0:
            feedback.cancel()

    feedback.progressChanged.connect(on_progress)
    with pytest.raises(QgsProcessingException, match="^cancelled$"):
        _run("geoplan:layers", {"INPUT": str(demo_extract()), "AREA": study_area,
                                "CELL_SIZE": 3, "OUTPUT": str(tmp_path / "c")}, feedback)
    assert max(seen) < 90.0  # it stopped long before the end
    assert not (tmp_path / "c" / "geoplan.gpkg").exists()


# --- geoplan:network ----------------------------------------------------------------------------
def test_network_sink_equals_the_core_network(module_plugin, study_area):
    from geoplan.datasets import demo_extract
    from geoplan.network import build_walk_network
    from geoplan.sources.osm import read_osm

    results = _run("geoplan:network", {"INPUT": str(demo_extract()), "AREA": study_area,
                                       "OUTPUT": "memory:"})
    layer = results["OUTPUT"]
    core = build_walk_network(read_osm(demo_extract(), area=shapely.box(*BBOX))).edges
    assert layer.featureCount() == len(core) == results["EDGES"]
    assert results["LENGTH_KM"] == pytest.approx(core["length_m"].sum() / 1000, rel=1e-12)
    assert layer.crs().authid() == "EPSG:3067"
    names = [f.name() for f in layer.fields()]
    assert names[:5] == ["u", "v", "length_m", "lit", "lit_source"]
    rows = sorted((f["u"], f["v"], round(f["length_m"], 6), f["lit"], f["lit_source"],
                   f["tunnel"]) for f in layer.getFeatures())
    expected = sorted((int(r.u), int(r.v), round(float(r.length_m), 6), r.lit, r.lit_source,
                       int(r.tunnel)) for r in core.itertuples())
    assert rows == expected
    lit = {v: sum(1 for f in layer.getFeatures() if f["lit"] == v) for v in
           ("yes", "no", "unknown")}
    assert lit == core["lit"].value_counts().reindex(["yes", "no", "unknown"]).fillna(0)\
        .astype(int).to_dict()
    assert lit["unknown"] > 0  # unknown stays unknown


def test_network_empty_selection_is_an_error(module_plugin, study_area):
    from geoplan.datasets import demo_extract

    study_area.removeSelection()
    with pytest.raises(QgsProcessingException, match="select at least one"):
        _run("geoplan:network", {
            "INPUT": str(demo_extract()),
            "AREA": QgsProcessingFeatureSourceDefinition(study_area.id(), True),
            "OUTPUT": "memory:"})


# --- geoplan:area_summary -----------------------------------------------------------------------
def test_area_summary_equals_the_core_call_selected_only(module_plugin, plugin_run):
    import geopandas as gpd

    from geoplan.indicators.equity import area_summary

    out, results, _ = plugin_run
    grid = QgsVectorLayer(results["GRID"], "grid", "ogr")
    districts = polygon_layer(DISTRICTS)
    QgsProject.instance().addMapLayer(grid)
    QgsProject.instance().addMapLayer(districts)
    try:
        districts.selectByIds([f.id() for f in districts.getFeatures() if f["code"] != "B"])
        res = _run("geoplan:area_summary", {
            "GRID": grid, "AREAS": QgsProcessingFeatureSourceDefinition(districts.id(), True),
            "KEY": "code", "NAME_FIELD": "name", "OUTPUT": "memory:"})
        layer = res["OUTPUT"]
        got = {f["code"]: f for f in layer.getFeatures()}
        assert list(got) == ["A", "C", "D", "__study_area__"]
        core_grid = pyogrio.read_dataframe(out / "geoplan.gpkg", layer="grid")
        areas = gpd.GeoDataFrame({"code": ["A", "C", "D"],
                                  "name": ["district A", "district C", "district D"]},
                                 geometry=[DISTRICTS[c] for c in "ACD"], crs="EPSG:4326")
        expected = area_summary(core_grid, areas, key="code", name="name")
        fields = [f.name() for f in layer.fields()]
        assert fields == [c for c in expected.columns if c != "geometry"]
        for row in expected.itertuples(index=False):
            feat = got[row.code]
            for col in ("pop", "cells", "safety_index", "dist_grocery_m", "lit_share"):
                v = getattr(row, col)
                assert feat[col] == (None if not np.isfinite(v) else v) or \
                    feat[col] == pytest.approx(v, rel=1e-12), col
        assert layer.crs().authid() == "EPSG:3067"
    finally:
        QgsProject.instance().removeMapLayer(districts.id())
        QgsProject.instance().removeMapLayer(grid.id())


def test_area_summary_unknown_key_names_the_columns(module_plugin, plugin_run):
    out, _results, _ = plugin_run
    districts = polygon_layer(DISTRICTS)
    try:
        _run("geoplan:area_summary", {"GRID": districts, "AREAS": districts, "KEY": "code",
                                      "OUTPUT": "memory:"})
    except QgsProcessingException as exc:
        message = str(exc)
    else:
        pytest.fail("a grid layer without 'pop' must be refused")
    # no exception object outlives the test: its traceback would keep the layers alive past
    # QGIS's shutdown, which crashes the interpreter at exit
    assert "pop" in message
    assert len(pyogrio.read_dataframe(out / "geoplan.gpkg", layer="grid")) > 0  # untouched


# --- Modeler and qgis_process -------------------------------------------------------------------
def test_every_algorithm_is_modeler_compatible(module_plugin):
    from qgis.core import QgsProcessingOutputFolder

    provider = QgsApplication.processingRegistry().providerById("geoplan")
    ids = sorted(a.id() for a in provider.algorithms())
    assert {"geoplan:inspect", "geoplan:network", "geoplan:layers", "geoplan:area_summary",
            "geoplan:council_layout"} <= set(ids)
    for alg in provider.algorithms():
        assert alg.canExecute()[0], alg.id()
        for p in alg.parameterDefinitions():
            # every parameter can be written to and read from a model file
            clone = p.clone()
            assert clone.fromVariantMap(p.toVariantMap()), (alg.id(), p.name())
            assert p.description(), (alg.id(), p.name())
        for o in alg.outputDefinitions():
            assert o.description(), (alg.id(), o.name())
        assert isinstance(alg.shortHelpString(), str) and alg.shortHelpString()
    assert QgsProcessingOutputFolder  # imported for the types used by layers' OUTPUT


def test_a_model_chains_layers_and_area_summary(module_plugin, study_area, tmp_path):
    """A small QgsProcessingModelAlgorithm: geoplan:layers -> geoplan:area_summary (its GRID
    output feeds the summary), saved to a .model3 file, read back and run."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterFeatureSource,
        QgsProcessingParameterFile,
    )

    from geoplan.datasets import demo_extract

    model = QgsProcessingModelAlgorithm("geoplan chain", "geoplan tests")
    model.addModelParameter(QgsProcessingParameterFile("osm", "OSM file"),
                            QgsProcessingModelParameter("osm"))
    model.addModelParameter(QgsProcessingParameterFeatureSource("area", "Study area"),
                            QgsProcessingModelParameter("area"))
    model.addModelParameter(QgsProcessingParameterFeatureSource("districts", "Districts"),
                            QgsProcessingModelParameter("districts"))
    run = QgsProcessingModelChildAlgorithm("geoplan:layers")
    run.setChildId("run")
    run.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromModelParameter(
        "osm")])
    run.addParameterSources("AREA", [QgsProcessingModelChildParameterSource.fromModelParameter(
        "area")])
    run.addParameterSources("CELL_SIZE", [QgsProcessingModelChildParameterSource.fromStaticValue(
        3)])
    run.addParameterSources("LOAD", [QgsProcessingModelChildParameterSource.fromStaticValue(
        False)])
    run.addParameterSources("OUTPUT", [QgsProcessingModelChildParameterSource.fromStaticValue(
        str(tmp_path / "run"))])
    model.addChildAlgorithm(run)
    summary = QgsProcessingModelChildAlgorithm("geoplan:area_summary")
    summary.setChildId("summary")
    summary.addParameterSources("GRID", [
        QgsProcessingModelChildParameterSource.fromChildOutput("run", "GRID")])
    summary.addParameterSources("AREAS", [
        QgsProcessingModelChildParameterSource.fromModelParameter("districts")])
    summary.addParameterSources("KEY", [QgsProcessingModelChildParameterSource.fromStaticValue(
        "code")])
    out = QgsProcessingModelOutput("summary_out", "Area summaries")
    out.setChildOutputName("OUTPUT")
    summary.setModelOutputs({"summary_out": out})
    model.addChildAlgorithm(summary)
    assert model.dependsOnChildAlgorithms("summary") == {"run"}
    path = tmp_path / "chain.model3"
    assert model.toFile(str(path))
    loaded = QgsProcessingModelAlgorithm()
    assert loaded.fromFile(str(path))
    assert loaded.validate()[0], loaded.validate()[1]

    districts = polygon_layer(DISTRICTS)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = QgsProcessingFeedback()
    loaded.initAlgorithm({})
    results, ok = loaded.run({"osm": str(demo_extract()), "area": study_area,
                              "districts": districts,
                              "summary:summary_out": "memory:"}, context, feedback)
    assert ok, feedback.textLog()
    (out_name,) = [o.name() for o in loaded.outputDefinitions()]
    layer = context.getMapLayer(results[out_name])
    assert [f["code"] for f in layer.getFeatures()] == ["A", "B", "C", "D", "__study_area__"]
    import geopandas as gpd

    from geoplan.indicators.equity import area_summary

    grid = pyogrio.read_dataframe(tmp_path / "run" / "geoplan.gpkg", layer="grid")
    expected = area_summary(grid, gpd.GeoDataFrame(
        {"code": list(DISTRICTS)}, geometry=list(DISTRICTS.values()), crs="EPSG:4326"),
        key="code")
    got = [f["pop"] for f in layer.getFeatures()]
    assert got == pytest.approx(expected["pop"].tolist(), rel=1e-12)


QGIS_PROCESS = shutil.which("qgis_process") or shutil.which("qgis_process-qgis")


@pytest.mark.skipif(QGIS_PROCESS is None,
                    reason="qgis_process is not installed (it comes with the 'qgis' package, not "
                           "with python3-qgis)")
def test_qgis_process_runs_inspect(tmp_path):
    from geoplan.datasets import demo_extract

    site = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True).stdout.strip()
    # a throwaway QGIS profile in which the plugin is enabled (qgis_process loads only those)
    env = dict(os.environ, QGIS_PLUGINPATH=str(ROOT / "qgis_plugin"),
               PYTHONPATH=os.pathsep.join([str(ROOT), site]), QT_QPA_PLATFORM="offscreen",
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"))
    (tmp_path / "profile").mkdir()
    enable = subprocess.run([QGIS_PROCESS, "plugins", "enable", "geoplan_qgis"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert enable.returncode == 0, enable.stderr + enable.stdout
    out = tmp_path / "inspect.json"
    proc = subprocess.run([QGIS_PROCESS, "--json", "run", "geoplan:inspect", "--",
                           f"INPUT={demo_extract()}", f"OUTPUT={out}"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert out.is_file()
    import json

    assert json.loads(proc.stdout[proc.stdout.index("{"):])["results"]["lamps_osm"] == 586


# --- geoplan:council_layout ---------------------------------------------------------------------
def _not_blank_png(path: Path) -> float:
    from qgis.PyQt.QtGui import QImage

    img = QImage(str(path))
    assert not img.isNull()
    small = img.scaled(200, 140)
    colours = set()
    non_white = 0
    for y in range(small.height()):
        for x in range(small.width()):
            rgb = small.pixel(x, y) & 0xFFFFFF
            colours.add(rgb)
            non_white += rgb != 0xFFFFFF
    assert len(colours) > 20, "the PNG is (nearly) one colour"
    return non_white / (small.width() * small.height())


def test_council_layout_of_a_baseline_run(module_plugin, plugin_run, tmp_path):
    out, _results, _ = plugin_run
    pdf, png = tmp_path / "council.pdf", tmp_path / "council.png"
    project_layers = len(QgsProject.instance().mapLayers())
    res = _run("geoplan:council_layout", {"RUN": str(out), "TITLE": "Kamppi", "DPI": 60,
                                          "PDF": str(pdf), "PNG": str(png)})
    assert res["IS_SCENARIO"] is False
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    assert _not_blank_png(png) > 0.1
    assert len(QgsProject.instance().mapLayers()) == project_layers  # project untouched


def test_council_layout_items(processing_initialized, plugin_run):
    """Title, three maps on one scale, legends, scale bar, north arrow (QGIS's SVG), date,
    sources with the attribution."""
    from geoplan_qgis.layout import build_council_layout
    from qgis.core import (
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemMap,
        QgsLayoutItemPicture,
        QgsLayoutItemScaleBar,
    )

    out, _results, _ = plugin_run
    project = QgsProject()
    council = build_council_layout(out, project=project, title="Kamppi", lang="en")
    layout = council.layout
    items = layout.items()
    maps = [i for i in items if isinstance(i, QgsLayoutItemMap)]
    assert len(maps) == 3 and len({round(m.scale(), 6) for m in maps}) == 1
    assert len([i for i in items if isinstance(i, QgsLayoutItemLegend)]) == 3
    assert [i for i in items if isinstance(i, QgsLayoutItemScaleBar)]
    pictures = [i for i in items if isinstance(i, QgsLayoutItemPicture)]
    assert pictures and pictures[0].picturePath().endswith("arrows/NorthArrow_02.svg")
    assert Path(pictures[0].picturePath()).is_file()
    texts = " | ".join(i.text() for i in items if isinstance(i, QgsLayoutItemLabel))
    assert "Kamppi" in texts and "© OpenStreetMap contributors" in texts and "Date" in texts
    assert project.layoutManager().layoutByName(layout.name()) is layout
    project.layoutManager().clear()
    project.clear()
