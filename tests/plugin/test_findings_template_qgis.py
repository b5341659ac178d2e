"""The safety-walk findings template opens in real QGIS with its forms, and what a walk leader adds
through QGIS is read back by geoplan (QGIS 3.40 headless, pytest-qgis).

QField reads the same forms from the layer style, so these widget set-ups are what it shows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geoplan.outputs.findings import findings_template
from geoplan.sources.findings import CATEGORIES, read_findings

pytestmark = pytest.mark.qgis


@pytest.fixture
def template(tmp_path):
    return findings_template(tmp_path / "trygghetsvandring.gpkg", lang="sv", crs="EPSG:3006")


def _layer(path, name):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), name
    return layer


def _widget(layer, field):
    setup = layer.editorWidgetSetup(layer.fields().indexOf(field))
    return setup.type(), setup.config()


def test_template_opens_with_its_forms(qgis_app, template):
    from qgis.core import QgsWkbTypes

    layer = _layer(template, "findings")
    assert layer.geometryType() == QgsWkbTypes.GeometryType.PointGeometry
    assert layer.crs().authid() == "EPSG:3006"
    assert layer.featureCount() == 0
    kind, cfg = _widget(layer, "category")
    assert kind == "ValueMap"
    value_map = {k: v for d in cfg["map"] for k, v in d.items()}
    assert value_map["trasig lampa"] == "broken_lamp"
    assert sorted(value_map.values()) == sorted(CATEGORIES)
    kind, cfg = _widget(layer, "severity")
    assert kind == "ValueMap"
    assert sorted(v for d in cfg["map"] for v in d.values()) == ["1", "2", "3"]
    kind, cfg = _widget(layer, "date")
    assert kind == "DateTime" and cfg["field_format"] == "yyyy-MM-dd"
    kind, cfg = _widget(layer, "photo")
    assert kind == "ExternalResource" and cfg["DocumentViewer"] == 1
    kind, cfg = _widget(layer, "status")
    assert kind == "ValueMap"
    assert {k: v for d in cfg["map"] for k, v in d.items()} == {"öppen": "open",
                                                               "åtgärdad": "fixed"}
    idx = layer.fields().indexOf("category")
    assert layer.attributeDisplayName(idx) == "Kategori"
    assert "now()" in layer.defaultValueDefinition(layer.fields().indexOf("date")).expression()
    lines = _layer(template, "findings_lines")
    assert lines.geometryType() == QgsWkbTypes.GeometryType.LineGeometry
    assert _widget(lines, "category")[0] == "ValueMap"


def test_feature_added_in_qgis_is_read_back_by_geoplan(qgis_app, template):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    layer = _layer(template, "findings")
    fields = layer.fields()
    # what the form fills in by itself: today's date and status open
    assert layer.defaultValue(fields.indexOf("status")) == "open"
    today = layer.defaultValue(fields.indexOf("date"))
    assert today == dt.date.today().isoformat()
    f = QgsFeature(fields)
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(674032.0, 6580821.0)))
    f["category"] = "dark_spot"
    f["severity"] = 3
    f["date"] = today
    f["status"] = layer.defaultValue(fields.indexOf("status"))
    f["note"] = "Mörkt mellan garagen"
    f["photo"] = "DCIM/IMG_0042.jpg"
    assert layer.startEditing()
    assert layer.addFeature(f)
    assert layer.commitChanges(), layer.commitErrors()

    lines = _layer(template, "findings_lines")
    g = QgsFeature(lines.fields())
    g.setGeometry(QgsGeometry.fromWkt("LINESTRING (674000 6580800, 674060 6580790)"))
    for name, value in (("category", "vegetation"), ("severity", 2), ("date", today),
                        ("status", "fixed")):
        g[name] = value
    assert lines.startEditing() and lines.addFeature(g) and lines.commitChanges()
    del layer, lines

    got = read_findings(template, to_crs="EPSG:3006")
    assert got[["category", "severity", "date", "status", "photo"]].values.tolist() == [
        ["dark_spot", 3, today, "open", "DCIM/IMG_0042.jpg"],
        ["vegetation", 2, today, "fixed", None],
    ]
    assert got["finding_id"].tolist() == ["findings:1", "findings_lines:1"]
    assert got.geometry.geom_type.tolist() == ["Point", "LineString"]
    assert got.geometry.iloc[0].coords[0] == (674032.0, 6580821.0)
