"""Outputs explain themselves: the data dictionary of a run and the GeoPackage's field aliases.

The oracles read the written files independently: ``sqlite3`` for the GeoPackage Schema
extension, pyogrio for the layers' columns, pandas/openpyxl for the dictionary files.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest

LANGS = ("sv", "da", "en")


@pytest.fixture(scope="module", params=LANGS)
def demo_run(request, demo_250_run) -> tuple[str, Path]:
    """The demo on a 250 m grid in each language, run once per session (tests/conftest.py;
    the Swedish one is the run test_report_languages.py copies, titled as there)."""
    lang = request.param
    out, _ = demo_250_run(lang, "Språktest" if lang == "sv" else None)
    return lang, out


def _layer_columns(gpkg: Path) -> dict[str, list[str]]:
    """Every column of every geoplan layer, read with pyogrio (the geometry as 'geometry')."""
    out = {}
    for name, geom_type in pyogrio.list_layers(gpkg):
        if name in ("layer_styles", "geoplan_metadata"):
            continue
        info = pyogrio.read_info(gpkg, layer=name)
        out[name] = list(info["fields"]) + (["geometry"] if geom_type else [])
    return out


def test_every_column_of_every_layer_has_a_labelled_row(demo_run):
    lang, out = demo_run
    table = pd.read_csv(out / "data_dictionary.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(table.columns) == ["layer", "column", "label", "description", "unit", "better",
                                   "kind"]
    rows = set(zip(table["layer"], table["column"], strict=True))
    for layer, columns in _layer_columns(out / "geoplan.gpkg").items():
        for col in columns:
            assert (layer, col) in rows, (layer, col)
    assert (table["label"].str.strip() != "").all()
    # no raw fallback on the demo: every column has written words
    assert not table["label"].str.match(r"^(Column|Kolumn|Kolonne) ").any()
    sheet = openpyxl.load_workbook(out / "data_dictionary.xlsx").active
    assert sheet.max_row == len(table) + 1


def test_labels_are_in_the_run_language(demo_run):
    lang, out = demo_run
    table = pd.read_csv(out / "data_dictionary.csv", encoding="utf-8-sig", keep_default_na=False)
    label = dict(zip(table["layer"] + "." + table["column"], table["label"], strict=True))
    expected = {"sv": ("Längd", "Namn"), "da": ("Længde", "Navn"), "en": ("Length", "Name")}
    assert (label["network.length_m"], label["network.name"]) == expected[lang]


def test_every_grid_column_has_an_alias_in_gpkg_data_columns(demo_run):
    lang, out = demo_run
    gpkg = out / "geoplan.gpkg"
    con = sqlite3.connect(gpkg)
    try:
        rows = dict(((t, c), (n, title)) for t, c, n, title in con.execute(
            "SELECT table_name, column_name, name, title FROM gpkg_data_columns"))
        ext = {r[0] for r in con.execute("SELECT table_name FROM gpkg_extensions WHERE "
                                         "extension_name = 'gpkg_schema'")}
    finally:
        con.close()
    assert ext == {"gpkg_data_columns", "gpkg_data_column_constraints"}
    for col in pyogrio.read_info(gpkg, layer="grid")["fields"]:
        name, title = rows[("grid", col)]
        assert name and name.strip() and name == title, col
    table = pd.read_csv(out / "data_dictionary.csv", encoding="utf-8-sig", keep_default_na=False)
    grid = table[table["layer"] == "grid"].set_index("column")["label"]
    assert rows[("grid", "safety_index")][0] == grid["safety_index"]


def test_repeated_labels_stay_unique_per_table(tmp_path):
    import geopandas as gpd
    import shapely

    from geoplan.outputs.gpkg import write_gpkg

    df = gpd.GeoDataFrame({"a": [1], "b": [2]}, geometry=[shapely.Point(0, 0)], crs="EPSG:3006")
    write_gpkg(tmp_path / "x.gpkg", {"pts": df},
               aliases={"pts": {"a": ("Same", "first"), "b": ("Same", "second")}})
    con = sqlite3.connect(tmp_path / "x.gpkg")
    names = sorted(r[0] for r in con.execute("SELECT name FROM gpkg_data_columns"))
    con.close()
    assert names == ["Same (a)", "Same (b)"]


def test_derived_safety_columns_are_not_read_as_components():
    """``safety_index_pop_mean`` was taken for a safety component named "index_pop_mean" and
    labelled "Safety component: w_index_pop_mean"; it is the safety index's mean over residents."""
    from geoplan.outputs.dictionary import column_words

    for lang in ("en", "sv", "da"):
        words = column_words("safety_index_pop_mean", lang)
        assert "_" not in words["label"], words
        assert words["label"].startswith(column_words("safety_index", lang)["label"])
        assert words["unit"] == "index 0-100"
