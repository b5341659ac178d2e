"""Maps carry context a planner can place them by: buildings, street and area names, the
destinations of the mapped kind, green spaces over the cells, an overview, and the scale bar and
north arrow off the cells (issue 17, item 2).

The oracle is a hand-made toy run: its street lengths, names and coordinates are written here,
not computed by the code under test."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.columns import STUDY_AREA_KEY
from geoplan.config import parse_pipeline
from geoplan.outputs.maps import (
    HEADLINE_MAPS,
    RunData,
    figure_texts,
    main_streets,
    map_figure,
)

CRS = "EPSG:3006"
BY_KEY = {s.key: s for s in HEADLINE_MAPS}


def _toy_run(tmp_path: Path) -> RunData:
    """A 4 × 4 grid of 100 m cells with three named streets (800, 400 and 150 m long), two
    buildings, two areas, two grocery stores and a school, and a park."""
    cells = [shapely.box(x, y, x + 100, y + 100) for x in range(0, 400, 100)
             for y in range(0, 400, 100)]
    grid = gpd.GeoDataFrame({
        "cell_id": [f"c{i}" for i in range(16)], "pop": np.full(16, 10.0),
        "safety_index": np.linspace(20, 90, 16), "dist_grocery_m": np.linspace(50, 800, 16),
        "green_scb_300m": [1.0, 0.0] * 8}, geometry=cells, crs=CRS)
    network = gpd.GeoDataFrame({"name": ["Storgatan", "Storgatan", "Kyrkvägen", "Gränd", None]},
                               geometry=[shapely.LineString([(0, 50), (400, 50)]),
                                         shapely.LineString([(0, 350), (400, 350)]),
                                         shapely.LineString([(350, 0), (350, 400)]),
                                         shapely.LineString([(50, 200), (50, 350)]),
                                         shapely.LineString([(0, 0), (400, 400)])], crs=CRS)
    buildings = gpd.GeoDataFrame(geometry=[shapely.box(120, 120, 140, 150),
                                           shapely.box(220, 220, 260, 240)], crs=CRS)
    areas = gpd.GeoDataFrame({"code": ["A", "B", STUDY_AREA_KEY],
                              "label": ["Norrmalm", "Söder", "Whole study area"]},
                             geometry=[shapely.box(0, 200, 400, 400), shapely.box(0, 0, 400, 200),
                                       shapely.box(0, 0, 400, 400)], crs=CRS)
    destinations = gpd.GeoDataFrame({"category": ["grocery", "grocery", "school"]},
                                    geometry=[shapely.Point(110, 90), shapely.Point(310, 290),
                                              shapely.Point(200, 200)], crs=CRS)
    green = gpd.GeoDataFrame({"public": [True]}, geometry=[shapely.box(200, 0, 300, 100)],
                             crs=CRS)
    (tmp_path / "areas.gpkg").touch()
    cfg = parse_pipeline('[input]\nosm = "demo"\n[areas]\npath = "areas.gpkg"\n'
                         'key_column = "code"\nname_column = "label"\n', tmp_path)
    return RunData(tmp_path, grid=grid, network=network, green=green, buildings=buildings,
                   areas=areas, destinations=destinations, settings=cfg)


@pytest.fixture
def toy(tmp_path):
    return _toy_run(tmp_path)


def _by_gid(fig, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def test_main_streets_are_the_longest_named_ones_by_summed_length(toy):
    # Storgatan 2 × 400 m = 800 m (two separate lines: the longest part, 400 m, is labelled),
    # Kyrkvägen 400 m, Gränd 150 m; the unnamed diagonal (566 m) is no street name
    got = [(name, line.length) for name, line in main_streets(toy.network, n=3)]
    assert got == [("Storgatan", 400.0), ("Kyrkvägen", 400.0), ("Gränd", 150.0)]
    assert [n for n, _ in main_streets(toy.network, n=2)] == ["Storgatan", "Kyrkvägen"]


def test_map_has_buildings_street_and_area_names_and_overview(toy):
    fig = map_figure(toy, BY_KEY["safety_index"], lang="sv")
    buildings = _by_gid(fig, "buildings")
    assert len(buildings) == 1 and len(buildings[0].get_paths()) == 2
    streets = {t.get_text() for t in _by_gid(fig, "street_name")}
    assert {"Storgatan", "Kyrkvägen"} <= streets
    # Kyrkvägen runs north–south: its label is turned along the line
    kyrk = next(t for t in _by_gid(fig, "street_name") if t.get_text() == "Kyrkvägen")
    assert abs(abs(kyrk.get_rotation() % 180) - 90) < 1e-6
    areas = {t.get_text() for t in _by_gid(fig, "area_name")}
    assert areas == {"Norrmalm", "Söder"}  # not the study area's own row
    assert "byggnader" in figure_texts(fig) and "områden" in figure_texts(fig)
    overview = _by_gid(fig, "overview")
    assert len(overview) == 1 and overview[0] in fig.axes and len(fig.axes) == 2


def test_overview_shows_the_water_over_the_study_area(toy):
    # a bay in the study area's north-east corner: the main map draws it as water over the
    # cells, and so must the overview (it was hidden under the study area's fill)
    import dataclasses

    bay = gpd.GeoDataFrame(geometry=[shapely.box(300, 300, 500, 500)], crs=CRS)
    fig = map_figure(dataclasses.replace(toy, water=bay), BY_KEY["safety_index"])
    (inset,) = _by_gid(fig, "overview")
    water = [c for c in inset.collections if c.get_gid() == "water"]
    assert len(water) == 1
    study = [c for c in inset.collections if c.get_gid() != "water"
             and c.get_facecolor().size and c.get_zorder() < 3]
    assert study and water[0].get_zorder() > max(c.get_zorder() for c in study)


def test_street_labels_do_not_overlap(toy):
    fig = map_figure(toy, BY_KEY["pop"])
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in _by_gid(fig, "street_name")]
    assert boxes
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_green_map_draws_green_spaces_over_the_cells(toy):
    fig = map_figure(toy, BY_KEY["green_scb_300m"])
    (green,) = _by_gid(fig, "green_on_top")
    ax = fig.axes[0]
    cells_z = max(c.get_zorder() for c in ax.collections if len(c.get_paths()) >= 8)
    assert green.get_zorder() > cells_z
    np.testing.assert_allclose(green.get_paths()[0].get_extents().bounds, (200, 0, 100, 100))


def test_grocery_map_marks_the_grocery_stores_only(toy):
    fig = map_figure(toy, BY_KEY["dist_grocery_m"])
    (marks,) = _by_gid(fig, "destinations")
    np.testing.assert_allclose(sorted(map(tuple, marks.get_offsets())),
                               [(110, 90), (310, 290)])
    assert not _by_gid(map_figure(toy, BY_KEY["pop"]), "destinations")


def test_scale_bar_and_north_arrow_lie_off_the_cells(toy):
    from matplotlib.text import Annotation
    from matplotlib_scalebar.scalebar import ScaleBar

    fig = map_figure(toy, BY_KEY["safety_index"])
    fig.canvas.draw()
    ax = fig.axes[0]
    r = fig.canvas.get_renderer()
    cells = ax.transData.transform([(0, 0), (400, 400)])
    (bar,) = [a for a in ax.artists if isinstance(a, ScaleBar)]
    assert bar.get_window_extent(r).y1 <= cells[0][1]
    north = [a for a in ax.texts if isinstance(a, Annotation)]
    assert north and all(a.get_window_extent(r).y1 < cells[0][1] for a in north)


def test_runs_without_context_layers_still_map(toy):
    bare = RunData(toy.out_dir, grid=toy.grid)
    fig = map_figure(bare, BY_KEY["pop"])
    assert not _by_gid(fig, "buildings") and not _by_gid(fig, "street_name")
    assert len(_by_gid(fig, "overview")) == 1
    assert isinstance(figure_texts(fig), list) and pd.notna(fig.get_size_inches()).all()


def test_a_run_keeps_its_buildings_for_the_maps(tmp_path):
    from geoplan.outputs.maps import load_run
    from geoplan.runs.pipeline import run_pipeline

    cfg = parse_pipeline('[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n'
                         '[output]\nformats = ["gpkg"]\n', tmp_path)
    run_pipeline(cfg, tmp_path / "run")
    run = load_run(tmp_path / "run")
    assert run.buildings is not None and len(run.buildings) > 100
    assert set(run.buildings.geom_type) <= {"Polygon", "MultiPolygon"}
    cells = run.grid.geometry.union_all().buffer(1.0)
    assert run.buildings.geometry.representative_point().within(cells).mean() > 0.95
    fig = map_figure(run, BY_KEY["pop"])
    assert len(_by_gid(fig, "buildings")[0].get_paths()) == len(run.buildings)
    assert _by_gid(fig, "street_name")  # the demo's streets have OSM names


def test_many_destinations_are_drawn_small_enough_to_leave_the_cells_readable(toy):
    """Two grocery stores keep full-size markers; 1,500 of them (a municipality) together
    cover at most 2 % of the map (or are the smallest dots, 3 points²). Oracle: the map's
    size in points from the figure, the markers' areas from matplotlib."""
    from geoplan.outputs.maps import MARKER_PT2

    (few,) = _by_gid(map_figure(toy, BY_KEY["dist_grocery_m"]), "destinations")
    assert few.get_sizes().tolist() == [MARKER_PT2]
    rng = np.random.default_rng(7)
    many = gpd.GeoDataFrame({"category": ["grocery"] * 1500},
                            geometry=gpd.points_from_xy(*rng.uniform(0, 400, (2, 1500))),
                            crs=CRS)
    import dataclasses

    fig = map_figure(dataclasses.replace(toy, destinations=many), BY_KEY["dist_grocery_m"])
    (marks,) = _by_gid(fig, "destinations")
    ax = fig.axes[0]
    box = ax.get_window_extent()
    map_pt2 = box.width * box.height * (72.0 / fig.dpi) ** 2
    (size,) = set(marks.get_sizes().tolist())
    assert len(marks.get_offsets()) == 1500
    assert size < MARKER_PT2 and (1500 * size <= 0.02 * map_pt2 + 1e-6 or size == 3.0)
