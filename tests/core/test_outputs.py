"""GeoPackage and GeoTIFF writers: real files read back with pyogrio, sqlite3 and rasterio.

The ``layer_styles`` schema below is the one QGIS 3.40.6 itself creates: it was read from
``sqlite_master`` of a GeoPackage after ``QgsVectorLayer.saveStyleToDatabase(...)``;
tests/plugin/test_styles_in_qgis.py checks it against QGIS on every run.
"""

from __future__ import annotations

import math
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely

from geoplan.errors import ConfigError, CRSError
from geoplan.grid import GridSpec, make_grid
from geoplan.outputs.gpkg import (
    ATTRIBUTION,
    class_breaks,
    destination_point_qml,
    diverging_breaks,
    graduated_fill_qml,
    green_fill_qml,
    lit_line_qml,
    write_gpkg,
)
from geoplan.outputs.raster import column_unit, write_grid_tif

QGIS_LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
CRS = "EPSG:3006"


# ------------------------------------------------------------------------------------------
# fixtures: a small L-shaped area (so the grid's bounding box has cells that are not in it)
# ------------------------------------------------------------------------------------------
@pytest.fixture
def grid() -> gpd.GeoDataFrame:
    """100 m cells over an L: 3 cells in the bottom row (E 315000-315300), 1 above the first.

    ::

        N 6631200 +----+
                  | c3 |
        N 6631100 +----+----+----+
                  | c0 | c1 | c2 |
        N 6631000 +----+----+----+
                E 315000        315300
    """
    area = shapely.union(shapely.box(315000, 6631000, 315300, 6631100),
                         shapely.box(315000, 6631100, 315100, 6631200))
    g = make_grid(area, CRS, GridSpec(100))
    g["pop"] = [10.0, 20.0, np.nan, 40.0]
    g["dist_park_m"] = [120.0, 350.5, 800.0, 90.0]
    g["scb_ok"] = [True, False, True, True]
    return g


@pytest.fixture
def network() -> gpd.GeoDataFrame:
    lines = [shapely.LineString([(315000 + 10 * i, 6631000), (315050 + 10 * i, 6631080)])
             for i in range(3)]
    return gpd.GeoDataFrame(
        {"lit": ["yes", "no", "unknown"], "tunnel": [False, True, False],
         "osmid": ["11;12", "13", "14"], "node_ids": [(1, 2, 3), [4, 5], (6,)],
         "tags": [{"lit": "yes"}, {}, None]},
        geometry=lines, crs=CRS,
    )


def _layer_styles(path) -> list[dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM layer_styles ORDER BY id")]
    finally:
        con.close()


# ------------------------------------------------------------------------------------------
# write_gpkg
# ------------------------------------------------------------------------------------------
def test_gpkg_round_trip(tmp_path, grid, network):
    out = tmp_path / "out.gpkg"
    breaks = class_breaks(grid["pop"], n_classes=3, method="equal")
    write_gpkg(out, {"grid_100m": grid, "network": network},
               styles={"grid_100m": graduated_fill_qml("pop", breaks)},
               metadata={"source": "demo.osm.pbf", "cell_size_m": 100})

    layers = pyogrio.list_layers(out)[:, 0].tolist()
    assert layers == ["grid_100m", "network", "geoplan_metadata", "layer_styles"]

    g = gpd.read_file(out, layer="grid_100m", engine="pyogrio")
    assert g.crs.to_epsg() == 3006
    assert g["cell_id"].tolist() == grid.index.tolist()  # the named index became a column
    assert g["pop"].iloc[:2].tolist() == [10.0, 20.0] and math.isnan(g["pop"].iloc[2])
    assert g["dist_park_m"].tolist() == [120.0, 350.5, 800.0, 90.0]
    assert g["scb_ok"].tolist() == [1, 0, 1, 1]  # booleans as integers 0/1
    assert pd.api.types.is_integer_dtype(g["scb_ok"].dtype)
    assert g.geometry.geom_equals_exact(grid.geometry.reset_index(drop=True), 0).all()

    n = pyogrio.read_dataframe(out, layer="network")
    assert n["lit"].tolist() == ["yes", "no", "unknown"]
    assert n["tunnel"].tolist() == [0, 1, 0]
    assert n["node_ids"].tolist() == ["1;2;3", "4;5", "6"]
    assert n["tags"].tolist()[:2] == ['{"lit": "yes"}', "{}"] and n["tags"].isna().iloc[2]

    con = sqlite3.connect(out)
    try:  # GeoPackage 1.3, so QGIS 3.40's GDAL 3.6 opens it without a version warning
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10300
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        meta = dict(con.execute("SELECT key, value FROM geoplan_metadata"))
        qmd = con.execute(
            "SELECT m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r "
            "ON r.md_file_id = m.id WHERE r.reference_scope = 'table' AND r.table_name = ? "
            "AND m.md_standard_uri = 'http://mrcc.com/qgis.dtd'", ("network",)).fetchall()
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
    finally:
        con.close()
    assert meta["attribution"] == ATTRIBUTION
    assert meta["source"] == "demo.osm.pbf" and meta["cell_size_m"] == "100"
    assert contents["layer_styles"] == contents["geoplan_metadata"] == "attributes"
    assert len(qmd) == 1
    assert ET.fromstring(qmd[0][0]).findtext("rights") == ATTRIBUTION
    info = pyogrio.read_info(out, layer="grid_100m")
    assert info["features"] == 4
    pyogrio.list_layers(out)
    assert not list(tmp_path.glob("*.aux.xml")), "opening the file must not leave a sidecar"


def test_layer_styles_table_is_qgis_own(tmp_path, grid, network):
    out = tmp_path / "styled.gpkg"
    breaks = class_breaks(grid["dist_park_m"], n_classes=4, method="quantile")
    write_gpkg(out, {"grid_100m": grid, "network": network, "plain": grid.drop(columns="pop")},
               styles={"grid_100m": graduated_fill_qml("dist_park_m", breaks, unit="m")})

    con = sqlite3.connect(out)
    try:
        ddl = con.execute("SELECT sql FROM sqlite_master WHERE name='layer_styles'").fetchone()[0]
        count = con.execute("SELECT feature_count FROM gpkg_ogr_contents "
                            "WHERE table_name='layer_styles'").fetchone()[0]
    finally:
        con.close()
    assert ddl == QGIS_LAYER_STYLES_DDL

    rows = _layer_styles(out)
    # the network gets its lit style automatically; "plain" matches no contract: no style
    assert [r["f_table_name"] for r in rows] == ["grid_100m", "network"] and count == 2
    for r in rows:
        assert (r["f_table_catalog"], r["f_table_schema"], r["f_geometry_column"]) == ("", "",
                                                                                       "geom")
        assert r["styleName"] == r["f_table_name"]
        assert r["useAsDefault"] == 1
        assert ATTRIBUTION in r["description"]
        assert r["update_time"].endswith("Z")
        root = ET.fromstring(r["styleQML"])  # well-formed XML (the DOCTYPE is allowed)
        assert root.tag == "qgis"
        assert ATTRIBUTION in r["styleQML"]
    grid_r = ET.fromstring(rows[0]["styleQML"]).find("renderer-v2")
    assert grid_r.get("type") == "graduatedSymbol" and grid_r.get("attr") == "dist_park_m"
    edges = [(float(x.get("lower")), float(x.get("upper"))) for x in grid_r.iter("range")]
    assert [lo for lo, _ in edges] + [edges[-1][1]] == breaks
    net_r = ET.fromstring(rows[1]["styleQML"]).find("renderer-v2")
    assert [c.get("value") for c in net_r.iter("category")] == ["yes", "no", "unknown"]


def test_failed_write_keeps_previous_file_and_leaves_no_temp(tmp_path, grid, network):
    out = tmp_path / "keep.gpkg"
    write_gpkg(out, {"grid_100m": grid})
    before = out.read_bytes()

    bad = network.copy()
    bad["z"] = [1 + 2j, 0j, 1j]  # GeoPackage has no complex numbers
    with pytest.raises(ConfigError, match="'bad'.*'z'"):
        # the first layer is already in the temporary file when the second one fails
        write_gpkg(out, {"grid_100m": grid, "bad": bad})
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.gpkg"]
    assert pyogrio.list_layers(out)[:, 0].tolist() == ["grid_100m", "geoplan_metadata"]


@pytest.mark.parametrize(
    ("layers", "styles", "error"),
    [
        ({"layer_styles": "G"}, None, "reserved"),
        ({"gpkg_x": "G"}, None, "reserved"),
        ({"a b": "G"}, None, "letters, digits"),
        ({"g": "G", "G": "G"}, None, "ignore case"),
        ({"g": "G"}, {"other": "<qgis/>"}, "not among the layers"),
        ({"g": "G"}, {"g": "<qgis>"}, "not valid QML"),
        ({}, None, "at least one"),
    ],
)
def test_write_gpkg_rejects_bad_requests_before_writing(tmp_path, grid, layers, styles, error):
    layers = {k: grid for k in layers}
    with pytest.raises(ConfigError, match=error):
        write_gpkg(tmp_path / "x.gpkg", layers, styles=styles)
    assert list(tmp_path.iterdir()) == []


def test_write_gpkg_needs_a_crs(tmp_path, grid):
    with pytest.raises(CRSError, match="no CRS"):
        write_gpkg(tmp_path / "x.gpkg", {"g": grid.set_crs(None, allow_override=True)})


def test_plain_table_is_written_without_style(tmp_path, grid):
    out = tmp_path / "t.gpkg"
    table = pd.DataFrame({"area": ["A", "B"], "pop": [1, 2], "ok": [True, False]})
    write_gpkg(out, {"grid_100m": grid, "summary": table})
    back = pyogrio.read_dataframe(out, layer="summary", read_geometry=False)
    assert back["area"].tolist() == ["A", "B"] and back["ok"].tolist() == [1, 0]


# ------------------------------------------------------------------------------------------
# class breaks and styles
# ------------------------------------------------------------------------------------------
def test_class_breaks_are_nice_and_cover_the_data():
    rng = np.random.default_rng(1)
    v = rng.gamma(2.0, 300.0, 500)
    for method in ("quantile", "equal"):
        b = class_breaks(v, n_classes=5, method=method)
        assert b[0] <= v.min() and b[-1] >= v.max()
        assert all(b2 > b1 for b1, b2 in zip(b, b[1:], strict=False))
        assert 3 <= len(b) - 1 <= 6
    eq = class_breaks(v, n_classes=5, method="equal")
    steps = {round(b2 - b1, 9) for b1, b2 in zip(eq, eq[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in (100, 200, 250, 500, 1000)
    # quantiles: roughly equal counts per class
    q = class_breaks(v, n_classes=4, method="quantile")
    counts = np.histogram(v, bins=q)[0]
    assert counts.min() > 0.15 * len(v)
    # NaN and inf are ignored; a constant column still gets one class
    assert class_breaks([np.nan, 5.0, np.inf, 5.0]) == [5.0, 5.5]
    with pytest.raises(ConfigError, match="no finite values"):
        class_breaks([np.nan])
    with pytest.raises(ConfigError, match="quantile"):
        class_breaks([1, 2], method="jenks")


def test_same_breaks_for_before_and_after():
    before = pd.Series([100.0, 300.0, 450.0])
    after = pd.Series([80.0, 200.0, 1150.0])
    b = class_breaks(before, after, n_classes=4, method="equal")
    assert b == class_breaks(pd.concat([before, after]), n_classes=4, method="equal")
    assert b[0] <= 80 and b[-1] >= 1150
    q_before = graduated_fill_qml("dist_park_m", b, unit="m")
    q_after = graduated_fill_qml("dist_park_m", b, unit="m")
    assert q_before == q_after  # deterministic: the same text for the same breaks


def test_diverging_breaks_and_style():
    change = np.array([-130.0, 0.0, 0.0, 0.0, 40.0, 260.0])
    b = diverging_breaks(change, n_per_side=3)
    assert b == [-300.0, -200.0, -100.0, -5.0, 5.0, 100.0, 200.0, 300.0]
    assert b == [-x for x in reversed(b)]  # symmetric around 0
    qml = graduated_fill_qml("pop_change", b, ramp="diverging", lang="sv")
    r = ET.fromstring(qml).find("renderer-v2")
    ranges = list(r.iter("range"))
    assert len(ranges) == 7
    middle = ranges[3]
    assert (float(middle.get("lower")), float(middle.get("upper"))) == (-5.0, 5.0)
    assert middle.get("label").startswith("ingen förändring")
    colours = [s.find("layer/Option/Option[@name='color']").get("value") for s in r.iter("symbol")]
    assert colours[3] == "247,247,247,255"  # neutral: no change is neither red nor blue
    reds, blues = colours[:3], colours[4:]
    assert all(int(c.split(",")[0]) > int(c.split(",")[2]) for c in reds)
    assert all(int(c.split(",")[2]) > int(c.split(",")[0]) for c in blues)
    with pytest.raises(ConfigError, match="odd number"):
        graduated_fill_qml("x", [-1, 0, 1], ramp="diverging")
    with pytest.raises(ConfigError, match="increasing"):
        graduated_fill_qml("x", [0, 2, 1])


@pytest.mark.parametrize("lang", ["en", "sv", "da"])
def test_legend_labels_are_translated(lang):
    lit = {c.get("value"): c.get("label")
           for c in ET.fromstring(lit_line_qml(lang=lang)).iter("category")}
    expected = {"en": ("lit", "not lit", "lighting unknown"),
                "sv": ("belyst", "ej belyst", "belysning okänd"),
                "da": ("belyst", "ikke belyst", "belysning ukendt")}[lang]
    assert (lit["yes"], lit["no"], lit["unknown"]) == expected
    dest = ET.fromstring(destination_point_qml(lang=lang))
    labels = {c.get("value"): c.get("label") for c in dest.iter("category")}
    assert labels["grocery"] == {"en": "grocery", "sv": "livsmedelsbutik",
                                 "da": "dagligvarebutik"}[lang]
    dec = graduated_fill_qml("lit_share", [0, 0.25, 0.5], lang=lang)
    first = next(ET.fromstring(dec).iter("range")).get("label")
    assert first == ("0 – 0.25" if lang == "en" else "0 – 0,25")


def test_lit_style_shows_unknown_as_unknown():
    r = ET.fromstring(lit_line_qml())
    sym = {s.get("name"): s for s in r.iter("symbol")}
    cats = {c.get("value"): sym[c.get("symbol")] for c in r.iter("category")}

    def opt(s, name):
        return s.find(f"layer/Option/Option[@name='{name}']").get("value")

    assert opt(cats["unknown"], "line_style") == "dash"
    assert opt(cats["yes"], "line_style") == opt(cats["no"], "line_style") == "solid"
    grey = [int(x) for x in opt(cats["unknown"], "line_color").split(",")[:3]]
    assert max(grey) - min(grey) == 0  # grey, neither the warm "lit" nor the dark "not lit"
    yes = [int(x) for x in opt(cats["yes"], "line_color").split(",")[:3]]
    assert yes[0] > 200 and yes[2] < 100  # warm yellow
    assert ET.fromstring(green_fill_qml()).find("renderer-v2").get("type") == "singleSymbol"


# ------------------------------------------------------------------------------------------
# write_grid_tif
# ------------------------------------------------------------------------------------------
def test_grid_tif(tmp_path, grid):
    out = tmp_path / "grid.tif"
    write_grid_tif(out, grid, ["pop", "dist_park_m", "scb_ok"], 100)
    assert [p.name for p in tmp_path.iterdir()] == ["grid.tif"]  # no temp or .aux.xml files
    with rasterio.open(out) as src:
        assert src.count == 3 and (src.width, src.height) == (3, 2)
        assert src.descriptions == ("pop", "dist_park_m", "scb_ok")
        assert src.dtypes == ("float32",) * 3
        assert math.isnan(src.nodata)
        assert src.crs.to_epsg() == 3006
        t = src.transform
        assert (t.a, t.e, t.b, t.d) == (100.0, -100.0, 0.0, 0.0)
        assert (t.c, t.f) == (315000.0, 6631200.0)  # upper-left corner of the top-left cell
        assert t.c % 100 == 0 and t.f % 100 == 0
        assert src.units == ("persons", "m", "0/1")
        assert src.tags(2)["units"] == "m" and src.tags(1)["column"] == "pop"
        assert src.tags()["attribution"] == ATTRIBUTION
        data = src.read()
        # known cells: the centre of each cell falls in its pixel
        for k, (cid, row) in enumerate(grid.iterrows()):
            r, c = src.index(row["easting_m"] + 50, row["northing_m"] + 50)
            exp = [row["pop"], row["dist_park_m"], float(row["scb_ok"])]
            got = data[:, r, c].tolist()
            assert got == pytest.approx(exp, nan_ok=True), (k, cid)
        # the pixel of the bounding box without a cell is nodata in every band
        r, c = src.index(315250, 6631150)
        assert np.isnan(data[:, r, c]).all()
        assert data[0, 0, 0] == 40.0  # row 0 is the northern row: c3


def test_grid_tif_failure_keeps_previous_file(tmp_path, grid):
    out = tmp_path / "g.tif"
    write_grid_tif(out, grid, ["pop"], 100)
    before = out.read_bytes()
    g = grid.copy()
    g["name"] = ["a", "b", "c", "d"]
    with pytest.raises(ConfigError, match="not numeric"):
        write_grid_tif(out, g, ["pop", "name"], 100)
    with pytest.raises(ConfigError, match="multiples of the cell size"):
        write_grid_tif(out, grid, ["pop"], 250)
    with pytest.raises(ConfigError, match="no column"):
        write_grid_tif(out, grid, ["nope"], 100)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.tif"]


def test_column_units():
    assert column_unit("dist_park_m") == "m"
    assert column_unit("green_m2_per_capita") == "m2 per person"
    assert column_unit("area_m2") == "m2"
    assert column_unit("safety_index") == "index 0-100"
