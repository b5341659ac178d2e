"""Honest gaps in the report (issue 13, items 11-13): a destination kind the data lacks is said
in words, not "0 residents (0 %)"; night losses that depend on unknown lighting are a range and
a map class of their own; implausible inputs are warned about in data quality and the report.

Oracles: toy grids whose figures are worked out by hand, and the tiny example network (drawn in
:func:`geoplan.study.example_study`) whose night losses follow from its three edges.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoplan.outputs.maps import HEADLINE_MAPS, RunData, figure_texts, map_figure
from geoplan.outputs.report import key_number_map

LOSES = next(m for m in HEADLINE_MAPS if m.column == "loses_school_at_night")
GROCERY = next(m for m in HEADLINE_MAPS if m.column == "dist_grocery_m")


def _grid(**cols) -> gpd.GeoDataFrame:
    n = len(next(iter(cols.values())))
    return gpd.GeoDataFrame({"cell_id": [f"c{i}" for i in range(n)], **cols},
                            geometry=[shapely.box(i * 100, 0, i * 100 + 100, 100)
                                      for i in range(n)], crs=3006)


def _no_school_run() -> RunData:
    grid = _grid(pop=[100.0, 50.0], dist_school_m=[np.nan, np.nan],
                 loses_school_at_night=[False, False], dist_grocery_m=[100.0, 700.0])
    from geoplan.types import AccessSpec

    cats = [c for c in AccessSpec().categories if c != "school"]  # every kind but schools
    dest = gpd.GeoDataFrame({"category": cats}, geometry=[shapely.Point(50, 50)] * len(cats),
                            crs=3006)
    return RunData(Path("."), grid=grid, destinations=dest)


# --- item 11: no school in the data ----------------------------------------------------------
@pytest.mark.parametrize("lang, words", [("en", "No school in the data"),
                                         ("sv", "Ingen skola i underlaget"),
                                         ("da", "Ingen skole i datagrundlaget")])
def test_no_school_is_said_in_words_and_left_out_of_the_figures(lang, words):
    numbers = key_number_map(_no_school_run(), lang)
    assert "school_night" not in numbers
    assert numbers["missing"].startswith(words)  # schools only: the other kinds are there
    # the grocery figure stays: 100 of 150 residents have one within 500 m (hand count)
    assert "100" in numbers["grocery"]


def test_no_school_map_is_grey_with_the_reason_in_the_legend():
    fig = map_figure(_no_school_run(), LOSES, lang="en")
    texts = figure_texts(fig)
    assert "no school in the data" in texts
    assert "yes: the school is lost after dark" not in texts and "no" not in texts
    colours = {tuple(np.round(c, 3)) for coll in fig.axes[0].collections
               for c in np.atleast_2d(coll.get_facecolor()) if len(c)}
    from matplotlib.colors import to_rgba

    assert tuple(np.round(to_rgba("#bdbdbd"), 3)) in colours
    assert tuple(np.round(to_rgba("#4393c3"), 3)) not in colours  # no "no" (good) cells
    # a kind that is in the data keeps its map
    assert "no grocery store in the data" not in figure_texts(map_figure(
        _no_school_run(), GROCERY, lang="en"))


# --- item 12: unknown lighting gives a range --------------------------------------------------
def test_school_at_night_shows_both_bounds():
    grid = _grid(pop=[100.0, 300.0, 600.0], loses_school_at_night=[True, True, False],
                 loses_school_at_night_if_unknown_dark=[True, True, False],
                 loses_school_at_night_if_unknown_lit=[True, False, False])
    text = key_number_map(RunData(Path("."), grid=grid), "en")["school_night"]
    # by hand: dark 100 + 300 = 400 of 1000 (40 %); lit 100 (10 %)
    assert text.startswith("Between 100 (10%) and 400 residents (40%)")
    assert "400 if the paths of unknown lighting are dark, 100 if they are lit" in text
    sv = key_number_map(RunData(Path("."), grid=grid), "sv")["school_night"]
    assert sv.startswith("Mellan 100 (10\u00a0%) och 400 invånare (40\u00a0%)")


def test_map_draws_cells_that_depend_on_unknown_lighting_as_their_own_class():
    grid = _grid(pop=[100.0, 300.0, 600.0], loses_school_at_night=[True, True, False],
                 loses_school_at_night_if_unknown_dark=[True, True, False],
                 loses_school_at_night_if_unknown_lit=[True, False, False])
    texts = [t.replace("\n", " ") for t in figure_texts(map_figure(
        RunData(Path("."), grid=grid), LOSES, lang="da"))]
    assert "afhænger af veje med ukendt belysning (mistes hvis de er mørke, ikke hvis belyste)" \
        in texts
    # the footnote says what the class means, not "unknown lighting counts as dark"
    note = " ".join(texts)
    assert "Hvor svaret afhænger af veje med ukendt belysning, har cellen sin egen farve" in note
    assert "regnes som mørke" not in note
    # when no cell depends on it, the map keeps the column's own note
    sure = grid.assign(loses_school_at_night_if_unknown_lit=[True, True, False])
    note = " ".join(t.replace("\n", " ") for t in figure_texts(map_figure(
        RunData(Path("."), grid=sure), LOSES, lang="da")))
    assert "sin egen farve" not in note and "regnes som mørke" in note


def _example_with_unknown_edge():
    """The example study with edge 1-2 (the only way to the school at node 2) of unknown
    lighting instead of dark."""
    from geoplan.study import example_study
    from geoplan.types import WalkNetwork

    study = example_study()
    net = study.network
    edges = net.edges.assign(lit=["yes", "unknown", "unknown"],
                             lit_source=["tag", "none", "none"])
    return replace(study, network=WalkNetwork(net.nodes, edges, net.crs))


def test_night_bounds_on_the_example_network():
    from geoplan.runs.pipeline import night_bounds
    from geoplan.study import compute_layers

    study = _example_with_unknown_edge()
    layers = compute_layers(study)
    b = night_bounds(study, layers)
    # unknown as lit: every edge is usable at night, so nobody loses the school (155 m by day)
    assert not b["loses_school_at_night_if_unknown_lit"].any()
    # unknown as dark: the cell at (45, 15) starts on the lit edge 0-1 and needs 1-2 -> lost
    assert b["loses_school_at_night_if_unknown_dark"].iloc[0]
    # the run's own column (unknown as dark by default) is the upper bound
    assert (b["loses_school_at_night_if_unknown_dark"] == layers.grid["loses_school_at_night"]
            ).all()


# --- item 13: implausible inputs ----------------------------------------------------------------
def test_quality_warnings_at_their_thresholds():
    from geoplan.runs.folder import quality_warnings

    town = {"area_km2": 2.0, "walkable_km": 10.0}  # 5 km per km²: a town's network
    assert [k for k, _ in quality_warnings({**town, "buildings": 199})] == ["few_buildings"]
    assert quality_warnings({**town, "buildings": 200}) == []  # 100 per km²
    assert quality_warnings({"area_km2": 2.0, "walkable_km": 9.0, "buildings": 0}) == []
    uses = {"residential": 4, "non_residential": 0, "unknown": 5}  # 4 of 9 known: 44 %
    assert [k for k, _ in quality_warnings({"buildings_by_use": uses})] == ["building_use"]
    assert quality_warnings({"buildings_by_use": {"residential": 1, "unknown": 1}}) == []
    lit = {"walkable_km": 3.0}
    assert [k for k, _ in quality_warnings({**lit, "unknown_share": 0.91})] == [
        "unknown_lighting"]
    assert quality_warnings({**lit, "unknown_share": 0.9}) == []


def test_demo_run_warns_about_building_use_in_data_quality_and_report(tmp_path):
    from geoplan.config import parse_pipeline
    from geoplan.outputs.maps import load_run
    from geoplan.outputs.report import data_warnings
    from geoplan.runs.pipeline import run_pipeline

    cfg = parse_pipeline('[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n'
                         '[output]\nlang = "da"\n', pathlib.Path("."))
    run_pipeline(cfg, tmp_path)
    q = json.loads((tmp_path / "data_quality.json").read_text(encoding="utf-8"))
    uses = q["buildings_by_use"]
    known = 1 - uses.get("unknown", 0) / sum(uses.values())
    assert known < 0.5 and q["warnings"] == ["building_use"]
    text = (tmp_path / "data_quality_da.txt").read_text(encoding="utf-8")
    assert "Læs med forsigtighed" in text and "har kendt anvendelse" in text
    assert any("har kendt anvendelse" in w for w in data_warnings(load_run(tmp_path), "da"))
    # the grid holds both night bounds; the demo's schools: far fewer lost if unknown is lit
    grid = load_run(tmp_path).grid
    pop = grid["pop"].to_numpy()
    hi = (pop * grid["loses_school_at_night_if_unknown_dark"].astype(bool)).sum()
    lo = (pop * grid["loses_school_at_night_if_unknown_lit"].astype(bool)).sum()
    assert lo < hi and hi == pytest.approx((pop * grid["loses_school_at_night"].astype(bool)
                                            ).sum())
