"""The bad-input corpus in real QGIS: the cases of tests/bad_inputs/cases.toml marked ``qgis``
through ``processing.run("geoplan:inspect", …)`` give a QgsProcessingException with the core's
message (no other exception, no traceback in the log, no report file); and the planner's layer
keeps its features and its edit state (unsaved changes included) after geoplan:inspect."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest
import shapely
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

BAD_INPUTS = Path(__file__).resolve().parents[1] / "bad_inputs"
if str(BAD_INPUTS) not in sys.path:
    sys.path.insert(0, str(BAD_INPUTS))

import corpus  # noqa: E402

QGIS_CASES = [c for c in corpus.load_cases() if c.qgis]


class _Feedback(QgsProcessingFeedback):
    """Keeps every error Processing reports (the log QGIS shows in the dialog)."""

    def __init__(self):
        super().__init__()
        self.errors: list[str] = []

    def reportError(self, error, fatalError=False):  # noqa: N802 - QGIS API
        self.errors.append(error)
        super().reportError(error, fatalError)


def _run(params: dict, feedback=None):
    import processing

    return processing.run("geoplan:inspect", params, feedback=feedback)


def test_a_representative_subset_is_marked():
    assert len(QGIS_CASES) >= 8
    assert {c.category for c in QGIS_CASES} >= {"osm", "area", "crs", "lamps"}


@pytest.mark.parametrize("case", QGIS_CASES, ids=[c.id for c in QGIS_CASES])
def test_bad_input_is_a_processing_exception(plugin, case, tmp_path):
    ctx, _ = corpus.prepare(case, tmp_path)
    params = corpus.qgis_params(case, ctx)
    params["OUTPUT"] = str(ctx.out / "summary.json")
    before = corpus.snapshot(tmp_path)
    feedback = _Feedback()
    with pytest.raises(QgsProcessingException) as err:  # and nothing else
        _run(params, feedback)
    message = " ".join(str(err.value).split())
    shown = " ".join(" ".join(feedback.errors).split()) + " " + message
    for fragment in case.qgis_expect or case.expect:
        assert " ".join(fragment.split()) in shown, (fragment, shown)
    log = feedback.textLog() + " ".join(feedback.errors)
    assert "Traceback" not in log and "internal error" not in log
    assert corpus.snapshot(tmp_path) == before  # no report written, inputs unchanged


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _feature(layer, geom, name):
    f = QgsFeature(layer.fields())
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(geom))
    f.setGeometry(g)
    f.setAttribute("name", name)
    return f


@pytest.fixture
def editing_layer(plugin, tmp_path):
    """A GeoPackage layer in edit mode with unsaved changes (a new polygon, an edited name)."""
    import geopandas as gpd

    path = tmp_path / "omrade.gpkg"
    gpd.GeoDataFrame({"name": ["Kamppi"]}, geometry=[shapely.box(24.930, 60.166, 24.940, 60.171)],
                     crs=4326).to_file(path)
    shutil.copy(path, tmp_path / "pristine.gpkg")
    layer = QgsVectorLayer(f"{path}|layername=omrade", "område", "ogr")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    assert layer.startEditing()
    first = next(layer.getFeatures())
    assert layer.changeAttributeValue(first.id(), layer.fields().indexOf("name"), "Kamppi (ny)")
    assert layer.addFeature(_feature(layer, shapely.box(24.940, 60.166, 24.948, 60.172), "new"))
    yield layer, path
    layer.rollBack()
    QgsProject.instance().removeMapLayer(layer.id())


def _state(layer):
    return (layer.isEditable(), layer.isModified(), layer.featureCount(),
            sorted((f["name"], f.geometry().asWkt(6)) for f in layer.getFeatures()),
            len(layer.editBuffer().addedFeatures()),
            dict(layer.editBuffer().changedAttributeValues()))


def test_layer_in_edit_mode_keeps_its_features_and_edit_state(editing_layer, helsinki_pbf,
                                                                tmp_path):
    layer, path = editing_layer
    before, file_before = _state(layer), _sha(path)
    assert before[:3] == (True, True, 2)
    out = tmp_path / "summary.json"
    results = _run({"INPUT": str(helsinki_pbf), "AREA": layer.id(), "OUTPUT": str(out)})
    assert results["walkable_km"] > 0  # the unsaved polygon counts: what the planner sees
    assert _state(layer) == before
    assert _sha(path) == file_before  # nothing was saved to the planner's file

    # a failing run (here: a CRS in degrees) changes nothing either
    with pytest.raises(QgsProcessingException, match="not a projected CRS"):
        _run({"INPUT": str(helsinki_pbf), "AREA": layer.id(), "CRS": "EPSG:4326",
              "OUTPUT": str(tmp_path / "x.json")})
    assert _state(layer) == before and _sha(path) == file_before
    assert not (tmp_path / "x.json").exists()
