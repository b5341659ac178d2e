"""The per-area atlas (issue 17, item 3): ``geoplan report OUT --atlas`` writes one page per
area of the run's ``[areas]`` with the area's map and its key numbers beside the whole study
area's.

Oracles: a hand-derived toy grid (its weighted medians and shares worked out in the comments),
geopandas' ``overlay`` for the shares of cells inside each district, pandas sums for the
residents, and the PDF read back with pypdf (text, page count, metadata)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pypdf
import pytest
import shapely
from atlas_districts import demo_districts, districts_pipeline
from click.testing import CliRunner

from geoplan.cli.main import cli
from geoplan.config import parse_pipeline
from geoplan.errors import InputFileError
from geoplan.outputs.atlas import (
    area_numbers,
    atlas_areas,
    cell_shares,
    comparison,
    write_atlas,
)
from geoplan.outputs.maps import RunData, load_run
from geoplan.outputs.report import write_report
from geoplan.runs.pipeline import run_pipeline

CRS = "EPSG:3006"


@pytest.fixture
def row_of_cells() -> gpd.GeoDataFrame:
    """Four 100 m cells in a row, x = 0..400::

        pop            10    20    30    40
        safety_index   20    40    60    80
        green          yes   no    yes   no
        school night   no    yes   no    no
        grocery (m)    100   300   —     500
    """
    return gpd.GeoDataFrame({
        "pop": [10.0, 20.0, 30.0, 40.0], "safety_index": [20.0, 40.0, 60.0, 80.0],
        "green_scb_300m": [1, 0, 1, 0], "loses_school_at_night": [0, 1, 0, 0],
        "dist_grocery_m": [100.0, 300.0, np.nan, 500.0]},
        geometry=[shapely.box(x, 0, x + 100, 100) for x in range(0, 400, 100)], crs=CRS)


def test_cell_shares_are_the_parts_of_each_square_inside_the_area(row_of_cells):
    idx, share = cell_shares(row_of_cells, shapely.box(0, 0, 140, 100))
    assert idx.tolist() == [0, 1]  # cell 2 is not touched; cell 1 only 40 m of its 100 m
    assert share.tolist() == pytest.approx([1.0, 0.4])
    touching = cell_shares(row_of_cells, shapely.box(100, 0, 200, 100))[0]
    assert touching.tolist() == [1]  # cells 0 and 2 only share an edge: no residents from them


def test_area_numbers_are_weighted_by_residents_inside_the_area(row_of_cells):
    # the area x = 0..140 holds 10 residents of cell 0 and 0.4 × 20 = 8 of cell 1
    idx, share = cell_shares(row_of_cells, shapely.box(0, 0, 140, 100))
    cells = row_of_cells.iloc[idx]
    n = area_numbers(cells.assign(pop=cells["pop"] * share))
    assert n["residents"] == pytest.approx(18.0)
    assert n["safety"] == 20.0  # 10 of 18 residents (over half) at 20
    assert n["green"] == pytest.approx((10.0, 10 / 18))
    assert n["school_night"] == pytest.approx((8.0, 8 / 18))
    assert n["grocery"] == 100.0
    whole = area_numbers(row_of_cells)
    # safety: cumulated residents 10, 30, 60 of 100 -> the median resident lives at 60
    assert (whole["residents"], whole["safety"]) == (100.0, 60.0)
    # grocery sorted 100, 300, 500, none (30 residents): cumulated 10, 30, 70 -> 500 m
    assert whole["grocery"] == 500.0
    assert whole["green"] == pytest.approx((40.0, 0.4))


def test_comparisons_follow_the_shown_figures_and_the_better_direction():
    assert comparison(85.0, 79.0, "index", "higher", "en") == \
        "higher than the whole study area (better)"
    assert comparison(250.0, 230.0, "distance", "lower", "da") == \
        "højere end i hele analyseområdet (dårligere)"
    assert comparison(221.0, 224.0, "distance", "lower", "en") == \
        "about the same as the whole study area"  # both shown as 220 m
    assert comparison((1.0, 0.531), (9.0, 0.534), "share", "lower", "sv") == \
        "ungefär som i hela analysområdet"  # both shown as 53 %


def test_a_run_without_areas_is_refused_with_how_to_fix_it(row_of_cells):
    with pytest.raises(InputFileError, match=r"no areas.*add an \[areas\] section"):
        atlas_areas(RunData(Path("out"), grid=row_of_cells))


@pytest.fixture(scope="module")
def district_run(tmp_path_factory) -> Path:
    """The demo on 250 m cells, summarised by six districts of central Helsinki."""
    tmp = tmp_path_factory.mktemp("atlas")
    run_pipeline(parse_pipeline(districts_pipeline(tmp), tmp), tmp / "out")
    return tmp / "out"


def test_district_numbers_match_an_overlay_of_the_grid(district_run):
    run = load_run(district_run)
    areas = atlas_areas(run)
    cells = run.grid.reset_index(drop=True).assign(cell=lambda d: np.arange(len(d)))
    parts = gpd.overlay(cells[["cell", "pop", "geometry"]],
                        areas[["atlas_name", "geometry"]], how="intersection")
    share = parts.geometry.area / cells.geometry.area.to_numpy()[parts["cell"]]
    oracle = (parts["pop"] * share).groupby(parts["atlas_name"]).sum()
    for name, geom in zip(areas["atlas_name"], areas.geometry.values, strict=True):
        idx, sh = cell_shares(run.grid, geom)
        mine = area_numbers(run.grid.iloc[idx].assign(pop=run.grid["pop"].iloc[idx] * sh))
        assert mine["residents"] == pytest.approx(oracle.get(name, 0.0), rel=1e-9), name


def test_report_atlas_has_one_searchable_page_per_district(district_run):
    result = write_report(district_run, lang="en", atlas=write_atlas)
    assert result.atlas == district_run / "report" / "atlas.pdf" and result.atlas.is_file()
    names = list(demo_districts()["name"])
    reader = pypdf.PdfReader(result.atlas)
    assert len(reader.pages) == len(names) == 6
    whole = round(float(pd.to_numeric(load_run(district_run).grid["pop"]).sum()), -2)
    for i, (page, name) in enumerate(zip(reader.pages, names, strict=True), start=1):
        text = page.extract_text()
        assert f"{name}\nArea {i} of 6" in text, (i, text[:120])  # the page's heading
        assert f"page {i}" in text
        assert "© OpenStreetMap contributors" in text
        assert f"{whole:,.0f}" in text  # the whole study area's residents, on every page
        assert "the whole study area" in text
    meta = reader.metadata
    assert meta.title.startswith("Area atlas") and "compared with the whole" in meta.subject
    assert "area atlas" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_cli_atlas_in_another_language_goes_beside_the_first(district_run):
    english = district_run / "report" / "atlas.pdf"
    if not english.is_file():
        write_report(district_run, lang="en", atlas=write_atlas)
    before = english.read_bytes()
    res = CliRunner().invoke(cli, ["report", str(district_run), "--lang", "da", "--atlas"])
    assert res.exit_code == 0, res.output
    assert "atlas.pdf (one page per area)" in res.output
    danish = pypdf.PdfReader(district_run / "report_da" / "atlas.pdf")
    words = " ".join(danish.pages[0].extract_text().split())  # a table cell wraps its words
    assert "Sammenlignet med hele analyseområdet" in words
    assert danish.trailer["/Root"]["/Lang"] == "da-DK"
    assert english.read_bytes() == before


def test_write_atlas_alone_in_swedish(district_run):
    result = write_atlas(district_run, district_run / "atlas_only", lang="sv")
    assert result.pages == 6 and result.areas == tuple(demo_districts()["name"])
    assert "Nyckeltal" in result.page_texts[0] and "Hela analysområdet" in result.page_texts[0]
    assert pypdf.PdfReader(result.pdf).trailer["/Root"]["/Lang"] == "sv-SE"


def test_cli_atlas_of_a_run_without_areas_says_how_to_fix_it(district_run, tmp_path):
    """Exit 2 with one line naming [areas]; the report folder as it was (nothing half-written)."""
    import shutil
    import subprocess
    import sys

    from osgeo import gdal

    run = tmp_path / "no_areas"
    shutil.copytree(district_run, run, ignore=shutil.ignore_patterns("report*", "atlas_only"))
    ds = gdal.OpenEx(str(run / "geoplan.gpkg"), gdal.OF_VECTOR | gdal.OF_UPDATE)
    ds.DeleteLayer("areas")
    ds = None
    (run / "report").mkdir()
    (run / "report" / "keep.txt").write_text("the previous report")
    res = subprocess.run([sys.executable, "-m", "geoplan.cli.main", "report", str(run), "--atlas"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert "add an [areas] section" in res.stderr and "Traceback" not in res.stderr
    assert [p.name for p in (run / "report").iterdir()] == ["keep.txt"]
