"""geoplan's GeoPackages and GeoTIFFs open styled, attributed and named in real QGIS (headless).

QGIS is the judge: the style rows geoplan writes with sqlite3 must be the ones QGIS applies when a
planner opens the layer, and the ``layer_styles`` table must be the one QGIS itself creates.
"""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geoplan.grid import GridSpec, make_grid
from geoplan.outputs.gpkg import (
    ATTRIBUTION,
    class_breaks,
    diverging_breaks,
    graduated_fill_qml,
    write_gpkg,
)
from geoplan.outputs.raster import write_grid_tif

pytestmark = pytest.mark.qgis

CRS = "EPSG:3006"


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    area = shapely.box(315000, 6631000, 315400, 6631300)
    grid = make_grid(area, CRS, GridSpec(100))
    n = len(grid)
    grid["dist_park_m"] = np.linspace(40.0, 1100.0, n)
    change = np.linspace(-120.0, 250.0, n)
    change[:3] = 0.0  # most cells of a scenario do not change
    grid["pop_change"] = change
    grid["scb_ok"] = np.arange(n) % 2 == 0
    net = gpd.GeoDataFrame(
        {"lit": ["yes", "no", "unknown", "yes"], "osmid": ["1", "2;3", "4", "5"],
         "tunnel": [False, False, True, False]},
        geometry=[shapely.LineString([(315000 + 50 * i, 6631000), (315050 + 50 * i, 6631250)])
                  for i in range(4)],
        crs=CRS,
    )
    dest = gpd.GeoDataFrame({"category": ["school", "grocery"], "name": ["Skolan", "Konsum"]},
                            geometry=[shapely.Point(315120, 6631130),
                                      shapely.Point(315320, 6631210)], crs=CRS)
    green = gpd.GeoDataFrame({"kind": ["park"], "public": [True], "area_ha": [1.2]},
                             geometry=[shapely.box(315200, 6631000, 315400, 6631060)], crs=CRS)
    return {"grid_100m": grid, "grid_change": grid, "network": net, "destinations": dest,
            "green": green}


@pytest.fixture
def gpkg(tmp_path, layers):
    grid = layers["grid_100m"]
    levels = class_breaks(grid["dist_park_m"], n_classes=4, method="equal")
    change = diverging_breaks(grid["pop_change"], n_per_side=2)
    out = tmp_path / "geoplan.gpkg"
    write_gpkg(out, layers, styles={
        "grid_100m": graduated_fill_qml("dist_park_m", levels, unit="m"),
        "grid_change": graduated_fill_qml("pop_change", change, ramp="diverging"),
    }, metadata={"source": "test"}, lang="sv")
    return out, levels, change


def _layer(path, name):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), name
    return layer


def test_grid_opens_with_the_graduated_style(qgis_app, gpkg):
    from qgis.core import QgsGraduatedSymbolRenderer

    path, levels, change = gpkg
    layer = _layer(path, "grid_100m")
    assert layer.crs().authid() == CRS
    assert layer.featureCount() == 12
    # the style QGIS applied on opening is the database default (not a random single symbol)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer)
    assert renderer.classAttribute() == "dist_park_m"
    ranges = renderer.ranges()
    assert len(ranges) == len(levels) - 1
    assert [r.lowerValue() for r in ranges] + [ranges[-1].upperValue()] == levels
    assert ranges[0].label() == f"{levels[0]:g} – {levels[1]:g} m"
    # every cell falls into a class, so it is drawn
    values = [f["dist_park_m"] for f in layer.getFeatures()]
    assert all(renderer.rangeForValue(v) is not None for v in values)
    msg, ok = layer.loadDefaultStyle()  # explicit reload from the database gives the same
    assert ok, msg
    assert len(layer.renderer().ranges()) == len(levels) - 1

    change_layer = _layer(path, "grid_change")
    cr = change_layer.renderer()
    assert isinstance(cr, QgsGraduatedSymbolRenderer)
    assert [r.lowerValue() for r in cr.ranges()] + [cr.ranges()[-1].upperValue()] == change
    middle = cr.rangeForValue(0.0)
    assert middle.label().startswith("no change")  # lang only affects automatic styles
    assert middle.symbol().color().name() == "#f7f7f7"
    # the integer 0/1 field stays numeric in QGIS
    idx = layer.fields().indexOf("scb_ok")
    assert layer.fields().at(idx).isNumeric()
    assert {f["scb_ok"] for f in layer.getFeatures()} == {0, 1}


def test_network_opens_categorized_by_lighting(qgis_app, gpkg):
    from qgis.core import QgsCategorizedSymbolRenderer
    from qgis.PyQt.QtCore import Qt

    path, _, _ = gpkg
    layer = _layer(path, "network")
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "lit"
    cats = {c.value(): c for c in renderer.categories()}
    assert list(cats) == ["yes", "no", "unknown"]
    assert [c.label() for c in cats.values()] == ["belyst", "ej belyst", "belysning okänd"]
    unknown = cats["unknown"].symbol().symbolLayer(0)
    assert unknown.penStyle() == Qt.PenStyle.DashLine
    assert cats["yes"].symbol().symbolLayer(0).penStyle() == Qt.PenStyle.SolidLine
    assert cats["yes"].symbol().color().name() == "#f5b700"
    # every feature gets a symbol
    for f in layer.getFeatures():
        assert renderer.categoryIndexForValue(f["lit"]) >= 0

    dest_layer = _layer(path, "destinations")  # keep the layer alive while using its renderer
    dest = dest_layer.renderer()
    assert isinstance(dest, QgsCategorizedSymbolRenderer)
    labels = {c.value(): c.label() for c in dest.categories()}
    assert labels["grocery"] == "livsmedelsbutik"
    green = _layer(path, "green")
    assert green.renderer().type() == "singleSymbol"


def test_attribution_reaches_qgis(qgis_app, gpkg):
    path, _, _ = gpkg
    for name in ("grid_100m", "network", "green"):
        layer = _layer(path, name)
        md = layer.metadata()
        assert md.rights() == [ATTRIBUTION], name
        assert any("ODbL" in lic for lic in md.licenses())
        assert "source: test" in md.abstract()
        assert layer.customProperty("geoplan/attribution") == ATTRIBUTION
    grid = _layer(path, "grid_100m")
    n_related, _ids, names, descriptions, _err = grid.listStylesInDatabase()
    assert n_related == 1 and names[0] == "grid_100m"
    assert all(ATTRIBUTION in d for d in descriptions)


def test_layer_styles_schema_equals_the_one_qgis_creates(qgis_app, gpkg, tmp_path, layers):
    """Ground truth: let QGIS create layer_styles in a plain GeoPackage, compare the schema,
    then let QGIS add a style to geoplan's table (it must accept it as its own)."""
    path, _, _ = gpkg
    plain = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(layers["green"], plain, layer="green", VERSION="1.3")
    layer = _layer(plain, "green")
    assert layer.saveStyleToDatabase("qgis_style", "made by QGIS", True, "") in ("", None)

    def schema(p):
        con = sqlite3.connect(p)
        try:
            ddl = con.execute("SELECT sql FROM sqlite_master WHERE name='layer_styles'").fetchone()
            kind = con.execute("SELECT data_type FROM gpkg_contents "
                               "WHERE table_name='layer_styles'").fetchone()
            cols = con.execute("PRAGMA table_info(layer_styles)").fetchall()
            row = con.execute("SELECT f_table_catalog, f_table_schema, f_geometry_column, "
                              "useAsDefault, owner FROM layer_styles "
                              "WHERE f_table_name='green'").fetchone()
            return ddl, kind, cols, row
        finally:
            con.close()

    assert schema(path) == schema(plain)

    ours = _layer(path, "green")
    assert ours.saveStyleToDatabase("second", "made by QGIS", False, "") in ("", None)
    con = sqlite3.connect(path)
    try:
        n, count = con.execute("SELECT (SELECT count(*) FROM layer_styles), (SELECT feature_count "
                               "FROM gpkg_ogr_contents WHERE table_name='layer_styles')").fetchone()
    finally:
        con.close()
    assert n == count == 6  # 5 from geoplan (2 grids, network, destinations, green) + QGIS's
    reopened = _layer(path, "green")
    assert reopened.renderer().type() == "singleSymbol"  # the default stays geoplan's


def test_geotiff_opens_in_qgis(qgis_app, layers, tmp_path):
    from qgis.core import QgsRasterLayer

    grid = layers["grid_100m"]
    out = tmp_path / "grid.tif"
    cols = ["dist_park_m", "pop_change", "scb_ok"]
    write_grid_tif(out, grid, cols, 100)
    r = QgsRasterLayer(str(out), "grid", "gdal")
    assert r.isValid()
    assert r.bandCount() == 3
    for i, col in enumerate(cols, start=1):
        assert col in r.bandName(i)
    assert r.crs().authid() == CRS
    ext = r.extent()
    assert (ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum()) == (
        315000.0, 6631000.0, 315400.0, 6631300.0)
    assert (r.width(), r.height()) == (4, 3)
    assert r.dataProvider().sourceHasNoDataValue(1)
    # value at a known cell (the south-west one) equals the grid's
    from qgis.core import QgsPointXY

    val, ok = r.dataProvider().sample(QgsPointXY(315050, 6631050), 1)
    assert ok and val == pytest.approx(grid["dist_park_m"].iloc[0])


def test_qgis_gdal_opens_the_geopackage_without_warnings(qgis_app, gpkg):
    """QGIS 3.40's GDAL 3.6 warns about GeoPackage 1.4 files; geoplan writes 1.3."""
    from osgeo import gdal  # the GDAL QGIS runs on (not pyogrio's)

    path, _, _ = gpkg
    seen: list[str] = []
    gdal.PushErrorHandler(lambda _cls, _no, msg: seen.append(msg))
    try:
        opened = [_layer(path, name) for name in ("grid_100m", "network", "green")]
        assert all(layer.featureCount() > 0 for layer in opened)
    finally:
        gdal.PopErrorHandler()
    assert seen == []
