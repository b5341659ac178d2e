"""Safety-walk findings: the schema, reading CSV/XLSX/GeoJSON/GeoPackage, every bad row reported at
once, the template GeoPackage and the EXAMPLE findings file made for the demo extract."""

from __future__ import annotations

import doctest
import sqlite3
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import geoplan.sources.findings as findings_mod
from geoplan.errors import CRSError, InputFileError
from geoplan.outputs.findings import findings_template, write_findings
from geoplan.sources.findings import (
    CATEGORIES,
    FINDINGS_COLUMNS,
    FindingsError,
    FindingsWarning,
    check_findings,
    normalise_findings,
    parse_category,
    read_findings,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "demo_findings.csv"
TODAY = "2025-06-01"


def test_doctests():
    assert doctest.testmod(findings_mod, optionflags=doctest.ELLIPSIS).failed == 0


# --------------------------------------------------------------------------------------------
# words
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("word", "code"), [
    ("mörkt", "dark_spot"), ("Mörk plats", "dark_spot"), ("mørkt", "dark_spot"),
    ("MORKT", "dark_spot"), ("dark spot", "dark_spot"), ("dark_spot", "dark_spot"),
    ("trasig lampa", "broken_lamp"), ("defekt lampe", "broken_lamp"),
    ("broken lamp", "broken_lamp"), ("buskage", "vegetation"), ("buskads", "vegetation"),
    ("overgrown", "vegetation"), ("skymd plats", "hidden_corner"),
    ("skjult hjørne", "hidden_corner"), ("poor sight lines", "hidden_corner"),
    ("gångtunnel", "tunnel"), ("Tunnel / underpass", "tunnel"), ("klotter", "litter_vandalism"),
    ("hærværk", "litter_vandalism"), ("trafikfara", "traffic"), ("trafikfare", "traffic"),
    ("övrigt", "other"), ("andet", "other"), ("  Trasig   Lampa ", "broken_lamp"),
])
def test_category_words_in_three_languages(word, code):
    assert parse_category(word) == code


def test_every_translated_label_parses_back():
    from geoplan.sources.findings import category_labels

    for lang in ("en", "sv", "da"):
        for code, label in category_labels(lang).items():
            assert parse_category(label) == code, (lang, label)
    assert parse_category("hål i vägen") is None and parse_category(None) is None


def _frame(**cols):
    base = {"category": ["tunnel"], "severity": [2], "date": ["2024-10-03"],
            "x": [674000.0], "y": [6580000.0]}
    base.update(cols)
    return pd.DataFrame(base)


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1), (2, 2), ("3.0", 3), ("hög", 3), ("lav", 1), ("medium", 2), (2.0, 2),
])
def test_severity_values(value, expected):
    c = normalise_findings(_frame(severity=[value]), crs=3006, today=TODAY)
    assert not c.problems and c.findings["severity"].tolist() == [expected]


@pytest.mark.parametrize(("value", "message"), [
    (5, "severity 5 is not 1, 2 or 3"), ("0", "severity 0 is not 1, 2 or 3"),
    ("svår", "severity 'svår' is not 1, 2 or 3"), (None, "severity is missing (1, 2 or 3)"),
])
def test_bad_severity(value, message):
    c = normalise_findings(_frame(severity=[value]), crs=3006, today=TODAY, rows=[7])
    assert [str(p) for p in c.problems] == [f"row 7: {message}"]
    assert len(c.findings) == 0


@pytest.mark.parametrize("value", ["2024-10-03", "3.10.2024", "03-10-2024", "03/10/2024",
                                   "2024-10-03 18:30:00", "2024-10-03T18:30", "20241003",
                                   pd.Timestamp("2024-10-03 19:00")])
def test_date_formats(value):
    c = normalise_findings(_frame(date=[value]), crs=3006, today=TODAY)
    assert not c.problems and c.findings["date"].tolist() == ["2024-10-03"]


def test_future_date_missing_date_and_default_date():
    c = normalise_findings(_frame(date=["2025-06-02"]), crs=3006, today=TODAY)
    assert [p.message for p in c.problems] == [
        "date 2025-06-02 is in the future (today is 2025-06-01): check the year"]
    c = normalise_findings(_frame(date=[""]), crs=3006, today=TODAY)
    assert c.problems[0].message.startswith("date is missing")
    c = normalise_findings(_frame(date=[""]), crs=3006, today=TODAY, default_date="2024-09-30")
    assert c.findings["date"].tolist() == ["2024-09-30"]


@pytest.mark.parametrize(("value", "expected"), [
    ("", "open"), (None, "open"), ("öppen", "open"), ("Åtgärdad", "fixed"), ("udbedret", "fixed"),
    ("åben", "open"), ("fixed", "fixed"), ("closed", "fixed"),
])
def test_status_values(value, expected):
    c = normalise_findings(_frame(status=[value]), crs=3006, today=TODAY)
    assert not c.problems and c.findings["status"].tolist() == [expected]


def test_columns_of_the_normalised_frame():
    c = normalise_findings(_frame(), crs=3006, today=TODAY)
    assert tuple(c.findings.columns) == (*FINDINGS_COLUMNS, "geometry")
    assert c.findings.dtypes["severity"] == np.int64


# --------------------------------------------------------------------------------------------
# the EXAMPLE findings of the demo extract
# --------------------------------------------------------------------------------------------
def test_demo_csv_is_example_data_in_mixed_languages():
    raw = pd.read_csv(DEMO_CSV, sep=";", dtype=str, keep_default_na=False)
    assert 20 <= len(raw) <= 40
    assert raw["vandring"].str.contains("EXAMPLE DATA").all()
    words = set(raw["kategori"])
    assert {"mörkt", "mørkt", "trasig lampa", "buskage"} <= words  # sv and da words
    assert words & set(CATEGORIES)  # and codes
    f = read_findings(DEMO_CSV, crs="EPSG:4326", to_crs="EPSG:3067", today=TODAY)
    assert len(f) == len(raw) and f.attrs["problems"] == []
    assert set(f["category"]) == set(CATEGORIES)
    assert set(f["status"]) == {"open", "fixed"}
    assert set(f.geometry.geom_type) == {"Point", "LineString"}
    assert f["finding_id"].is_unique and f["source_row"].tolist() == list(range(2, len(f) + 2))


@pytest.fixture(scope="module")
def helsinki(helsinki_pbf):
    from geoplan.network import build_walk_network
    from geoplan.sources.osm import read_osm

    data = read_osm(helsinki_pbf)
    return data, build_walk_network(data)


def test_demo_findings_lie_on_real_paths_of_the_extract(helsinki):
    data, net = helsinki
    f = read_findings(DEMO_CSV, crs="EPSG:4326", to_crs=data.crs, today=TODAY,
                      area=gpd.GeoSeries([data.area], crs=data.crs))
    dist = shapely.distance(np.asarray(f.geometry.values, dtype=object),
                            shapely.union_all(np.asarray(net.edges.geometry.values, dtype=object)))
    assert dist.max() < 1.0  # on a walkable path (coordinates rounded to 6 decimals)
    # and the categories fit the paths: most dark spots lie on paths mapped lit=no, tunnel
    # findings on tunnels
    edges = net.edges
    dark = shapely.union_all(np.asarray(edges.geometry[edges["lit"] == "no"].values,
                                        dtype=object))
    tunnels = shapely.union_all(np.asarray(edges.geometry[edges["tunnel"]].values, dtype=object))
    on_dark = f[f["category"] == "dark_spot"].distance(dark) < 1.0
    assert on_dark.sum() >= 4
    assert (f[f["category"] == "tunnel"].distance(tunnels) < 1.0).all()


def test_demo_gpkg_is_the_csv_normalised_and_labelled_example_data(demo_gpkg):
    from_csv = read_findings(DEMO_CSV, crs="EPSG:4326", to_crs="EPSG:3067", today=TODAY)
    from_gpkg = read_findings(demo_gpkg, today=TODAY)
    assert from_gpkg.crs.to_epsg() == 3067
    a = from_csv.sort_values("finding_id").reset_index(drop=True)
    b = from_gpkg.sort_values("finding_id").reset_index(drop=True)
    cols = ["finding_id", "category", "severity", "date", "status", "note"]
    assert a[cols].equals(b[cols])
    assert np.allclose(a.geometry.distance(b.geometry), 0, atol=1e-6)
    meta = pyogrio.read_info(demo_gpkg, layer="findings")["dataset_metadata"]
    assert "EXAMPLE DATA" in meta["example_data"]
    assert "EXAMPLE" in meta["title"]


# --------------------------------------------------------------------------------------------
# malformed rows: all at once, with row numbers; or skipped with warnings
# --------------------------------------------------------------------------------------------
BAD_ROWS = [
    # id;kategori;allvarlighet;datum;status;anteckning;foto;vandring;lon;lat;wkt
    "X1;mörkt;5;2024-10-03;;bad severity;;test;24.9450;60.1700;",
    "X2;hål i vägen;2;2024-10-03;;unknown category;;test;24.9451;60.1701;",
    "X3;buskage;2;2024-10-03;;no coordinates;;test;;;",
    "X4;tunnel;2;2031-05-02;;date in the future;;test;24.9452;60.1702;",
    "X5;trasig lampa;2;2024-10-03;;metres in a lon/lat file;;test;385900;6672300;",
    "X6;mørkt;2;2024-10-03;;lon and lat swapped;;test;60.1703;24.9453;",
    "X7;trafikfara;3;2024-10-03;kanske;bad status;;test;24.9454;60.1704;",
]


@pytest.fixture
def bad_csv(tmp_path) -> Path:
    text = DEMO_CSV.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(BAD_ROWS) + "\n"
    p = tmp_path / "walk_with_errors.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_every_bad_row_is_reported_at_once(bad_csv, helsinki):
    data, _ = helsinki
    n_good = len(pd.read_csv(DEMO_CSV, sep=";"))
    first = n_good + 2  # header is row 1
    with pytest.raises(FindingsError) as exc:
        read_findings(bad_csv, crs="EPSG:4326", today=TODAY,
                      area=gpd.GeoSeries([data.area], crs=data.crs))
    got = [str(p) for p in exc.value.problems]
    assert got[0] == f"row {first}: severity 5 is not 1, 2 or 3"
    assert got[1].startswith(f"row {first + 1}: category 'hål i vägen' is unknown")
    assert got[2].startswith(f"row {first + 2}: coordinates are missing")
    assert got[3].startswith(f"row {first + 3}: date 2031-05-02 is in the future")
    assert got[4].startswith(f"row {first + 4}: coordinates (385900, 6672300) are not "
                             "longitude/latitude")
    assert got[5].startswith(f"row {first + 5}: lies ") and "swapped" in got[5]
    assert got[6] == f"row {first + 6}: status 'kanske' is not 'open' or 'fixed'"
    assert len(got) == 7
    msg = str(exc.value)
    assert "7 problems" in msg and "--skip-bad-rows" in msg and f"row {first}:" in msg


def test_bad_rows_can_be_skipped_with_a_warning_list(bad_csv):
    with pytest.warns(FindingsWarning, match="7 problem"):
        f = read_findings(bad_csv, crs="EPSG:4326", today=TODAY, on_error="skip")
    assert len(f) == len(pd.read_csv(DEMO_CSV, sep=";"))
    assert len(f.attrs["problems"]) == 7
    assert not f["finding_id"].str.startswith("X").any()


def test_far_row_without_study_area_is_reported(tmp_path):
    p = tmp_path / "w.csv"
    rows = ["category,severity,date,lon,lat"] + [
        f"dark_spot,2,2024-10-03,{24.94 + i / 1000},{60.17}" for i in range(4)] + [
        "dark_spot,2,2024-10-03,18.06,59.33"]  # Stockholm, 400 km away
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    c = check_findings(p, crs="EPSG:4326", today=TODAY)
    assert [p.where for p in c.problems] == ["row 6"]
    assert "km from the other findings" in c.problems[0].message


def test_whole_file_in_the_wrong_crs_is_one_error(tmp_path, helsinki):
    data, _ = helsinki
    src = read_findings(DEMO_CSV, crs="EPSG:4326", to_crs="EPSG:3067", today=TODAY)
    pts = src[src.geometry.geom_type == "Point"]
    p = tmp_path / "sweref.csv"
    pd.DataFrame({"category": pts["category"], "severity": pts["severity"],
                  "date": pts["date"], "x": pts.geometry.x, "y": pts.geometry.y}).to_csv(
        p, index=False)
    # ETRS-TM35FIN coordinates labelled as SWEREF99 TM land far from Helsinki
    with pytest.raises(CRSError, match="no finding of 'sweref.csv' lies in the study area"):
        read_findings(p, crs="EPSG:3006", today=TODAY,
                      area=gpd.GeoSeries([data.area], crs=data.crs))
    assert len(read_findings(p, crs="EPSG:3067", today=TODAY,
                             area=gpd.GeoSeries([data.area], crs=data.crs))) == len(pts)


def test_duplicate_ids_and_bad_geometry(tmp_path):
    t = pd.DataFrame({"id": ["a", "a", "b"], "category": ["tunnel"] * 3, "severity": [1, 2, 3],
                      "date": ["2024-10-03"] * 3,
                      "wkt": ["POINT (674000 6580000)", "POINT (674010 6580000)",
                              "POLYGON ((674000 6580000, 674010 6580000, 674010 6580010, "
                              "674000 6580000))"]})
    c = normalise_findings(t, crs=3006, today=TODAY, rows=[2, 3, 4])
    assert [str(p)[:38] for p in c.problems] == ["row 3: id 'a' is used already by row 2",
                                                 "row 4: geometry is a Polygon: a findin"]


def test_missing_columns_and_files_are_clear(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("typ2,severity,date,x,y\nmörkt,1,2024-10-03,1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no category column"):
        read_findings(p, crs=4326)
    with pytest.raises(InputFileError, match="does not exist"):
        read_findings(tmp_path / "nope.csv", crs=4326)
    p.write_text("category,severity,date,a,b\nmörkt,1,2024-10-03,1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="cannot find coordinates"):
        read_findings(p, crs=4326)


# --------------------------------------------------------------------------------------------
# other formats
# --------------------------------------------------------------------------------------------
def test_swedish_excel_csv_with_decimal_comma_and_cp1252(tmp_path):
    p = tmp_path / "vandring.csv"
    text = ("Kategori;Allvarlighet;Datum;Anteckning;Öst;Nord\n"
            "Mörkt;3;2024-10-03;Mörkt vid garaget;674032,5;6580821,25\n")
    p.write_bytes(text.encode("cp1252"))
    f = read_findings(p, crs="EPSG:3006", today=TODAY)
    assert f[["category", "severity", "note"]].values.tolist() == [
        ["dark_spot", 3, "Mörkt vid garaget"]]
    assert (f.geometry.x.iloc[0], f.geometry.y.iloc[0]) == (674032.5, 6580821.25)


def test_xlsx(tmp_path):
    p = tmp_path / "vandring.xlsx"
    pd.DataFrame({"kategori": ["buskage", "tunnel"], "alvorlighed": [2, 3],
                  "dato": [pd.Timestamp("2024-10-03"), pd.Timestamp("2024-10-17")],
                  "x": [674000.0, 674050.0], "y": [6580000.0, 6580020.0]}).to_excel(p,
                                                                                    index=False)
    c = check_findings(p, crs="EPSG:3006", today=TODAY)
    assert not c.problems
    assert c.findings[["category", "severity", "date", "source_row"]].values.tolist() == [
        ["vegetation", 2, "2024-10-03", 2], ["tunnel", 3, "2024-10-17", 3]]


def test_geojson_points_and_lines(tmp_path):
    g = gpd.GeoDataFrame(
        {"category": ["mørkt", "buskads", "nope"], "severity": [3, 2, 2],
         "date": ["2024-10-17"] * 3, "status": ["åben", "udbedret", ""]},
        geometry=[shapely.Point(12.55, 55.68),
                  shapely.MultiLineString([[(12.551, 55.68), (12.552, 55.68)]]),
                  shapely.Point(12.553, 55.68)], crs=4326)
    p = tmp_path / "tryghedsvandring.geojson"
    g.to_file(p, driver="GeoJSON")
    c = check_findings(p, to_crs="EPSG:25832", today=TODAY)
    assert [str(q)[:32] for q in c.problems] == ["row 3: category 'nope' is unknow"]
    assert c.findings["status"].tolist() == ["open", "fixed"]
    assert c.findings.geometry.geom_type.tolist() == ["Point", "LineString"]
    assert c.findings.crs.to_epsg() == 25832


# --------------------------------------------------------------------------------------------
# the template (QGIS itself opens it in tests/plugin/test_findings_template_qgis.py)
# --------------------------------------------------------------------------------------------
def test_template_layers_and_forms(tmp_path):
    out = findings_template(tmp_path / "t.gpkg", lang="da", crs="EPSG:25832")
    layers = {str(n): str(g) for n, g in pyogrio.list_layers(out)}
    assert layers["findings"] == "Point" and layers["findings_lines"] == "LineString"
    for name in ("findings", "findings_lines"):
        info = pyogrio.read_info(out, layer=name)
        assert info["features"] == 0 and info["crs"] == "EPSG:25832"
        assert {"category", "severity", "date", "note", "photo", "status"} <= set(info["fields"])
    con = sqlite3.connect(out)
    qml = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles").fetchall())
    con.close()
    assert 'name="mørkt sted" value="dark_spot"' in qml["findings"]
    assert 'editWidget type="ExternalResource"' in qml["findings_lines"]
    assert "format_date(now(), 'yyyy-MM-dd')" in qml["findings"]
    with pytest.raises(CRSError):
        findings_template(tmp_path / "u.gpkg", crs="EPSG:999999")


def test_written_findings_round_trip(tmp_path):
    f = read_findings(DEMO_CSV, crs="EPSG:4326", today=TODAY)
    out = write_findings(tmp_path / "n.gpkg", f, crs="EPSG:3067")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = read_findings(out, today=TODAY)
    assert len(back) == len(f)
    assert sorted(back["finding_id"]) == sorted(f["finding_id"])
