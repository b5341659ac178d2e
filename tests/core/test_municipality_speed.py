"""The shortcuts of the municipality-run speed work (issue #15 item 3) give what the plain
computation gives: each test computes the same thing the straightforward way (shapely per pair
or per cell, the rule tables read one by one, the run's steps made again) and compares."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.grid import GridSpec, make_grid
from geoplan.indicators.safety import clip_edges_to_cells, points_in_cells
from geoplan.origins import cell_origins
from geoplan.sources import osm_tags as T
from geoplan.types import WalkNetwork


# --- tag rules --------------------------------------------------------------------------------
def _tag_cases() -> list[dict]:
    """Every single rule's key/value, pairs of them, a value no rule names, unrelated keys."""
    singles = [{k: v} for rules in T.CATEGORY_RULES.values() for k, vals in rules for v in vals]
    singles += [{k: v} for k, v in T.GREEN_RULES]
    singles += [{"highway": "footway"}, {"building": "yes"}, {"amenity": "bench"}, {}]
    pairs = [{**a, **b} for a, b in itertools.combinations(singles, 2)]
    return singles + pairs + [{**a, "name": "x", "disused:amenity": "school"} for a in singles]


def test_destination_categories_follow_the_rule_table():
    for tags in _tag_cases():
        expected = [c for c, rules in T.CATEGORY_RULES.items()
                    if any(k in tags and tags[k] in vals for k, vals in rules)]
        assert T.destination_categories(tags) == expected, tags


def test_green_kind_is_the_first_matching_rule():
    for tags in _tag_cases():
        expected = next((kind for (k, v), kind in T.GREEN_RULES.items() if tags.get(k) == v),
                        None)
        assert T.green_kind(tags) == expected, tags


# --- origins of cells on the study area's border ----------------------------------------------
def test_cell_origins_cut_only_border_cells_like_every_cell():
    area = shapely.Point(500, 500).buffer(430, quad_segs=7)  # a 28-gon: many border cells
    cells = make_grid(area, 3006, GridSpec(100))
    got = cell_origins(cells, None, study_area=area)
    clipped = [shapely.intersection(c, area) for c in cells.geometry]
    expected = [shapely.point_on_surface(c if k.is_empty else k)
                for c, k in zip(cells.geometry, clipped, strict=True)]
    assert np.array_equal(shapely.get_coordinates(got.values),
                          shapely.get_coordinates(np.array(expected)))
    inside = [c.within(area) for c in cells.geometry]
    assert 0 < sum(inside) < len(cells)  # both kinds of cells are there


# --- edges clipped to cells -------------------------------------------------------------------
def _pairwise_clip(lines: list, cells: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every (edge, cell) pair with shapely per pair; a piece on the border of two cells in the
    first cell holding its midpoint."""
    squares = list(cells.geometry)
    rows = []
    for e, line in enumerate(lines):
        for c, sq in enumerate(squares):
            if not line.intersects(sq):
                continue
            piece = line.intersection(sq)
            length = piece.length
            if length > 0 and piece.covered_by(sq.boundary):
                mid = shapely.line_interpolate_point(piece, 0.5, normalized=True)
                owner = next(i for i, s in enumerate(squares) if s.intersects(mid))
                length = length if owner == c else 0.0
            rows.append((e, c, length))
    return pd.DataFrame(rows, columns=["edge", "cell", "length_m"])


def _network(lines: list) -> WalkNetwork:
    ends = [(ln.coords[0], ln.coords[-1]) for ln in lines]
    xy = list(dict.fromkeys(p for pair in ends for p in pair))
    nodes = gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in xy], crs=3006)
    edges = gpd.GeoDataFrame({"u": [xy.index(a) for a, _ in ends],
                              "v": [xy.index(b) for _, b in ends],
                              "length_m": [ln.length for ln in lines]},
                             geometry=lines, crs=3006)
    return WalkNetwork(nodes, edges, 3006)


@pytest.mark.parametrize("rotated", [False, True])
def test_clip_edges_to_cells_equals_shapely_per_pair(rotated):
    rng = np.random.default_rng(15)
    lines = [shapely.LineString(rng.uniform(0, 300, (int(rng.integers(2, 5)), 2)))
             for _ in range(40)]
    lines += [shapely.LineString([(20, 30), (60, 70)]),           # inside one cell
              shapely.LineString([(100, 10), (100, 90)]),          # on a cell border
              shapely.LineString([(100, 10), (100, 100), (150, 100)]),  # border, then border
              shapely.LineString([(100, 10), (100, 50), (130, 50)]),    # border, then inside
              shapely.LineString([(0, 0), (300, 300)]),            # through the corners
              shapely.LineString([(5, 200), (95, 200)])]           # on a horizontal border
    cells = make_grid(shapely.box(0, 0, 300, 300), 3006, GridSpec(100))
    if rotated:  # cells that are no axis-aligned squares: the general path
        cells = cells.set_geometry(cells.geometry.rotate(10, origin=(150, 150)))
    got = clip_edges_to_cells(_network(lines), cells)
    expected = _pairwise_clip(lines, cells).sort_values(["edge", "cell"], ignore_index=True)
    assert got[["edge", "cell"]].to_numpy().tolist() == expected[["edge", "cell"]].to_numpy().tolist()
    np.testing.assert_allclose(got["length_m"], expected["length_m"], rtol=1e-12, atol=1e-9)
    assert (got["length_m"] > 0).sum() > len(lines)  # edges crossing cells were cut


def test_points_in_cells_still_first_cell():
    cells = make_grid(shapely.box(0, 0, 200, 100), 3006, GridSpec(100))
    assert points_in_cells(shapely.points([[100, 50]]), cells).tolist() == [0]


# --- a run reuses the layers' attachments and graphs -----------------------------------------
@pytest.fixture(scope="module")
def demo_study_and_layers():
    from geoplan.config import parse_pipeline
    from geoplan.datasets import DEMO_PIPELINE
    from geoplan.runs.pipeline import study_from_pipeline
    from geoplan.study import compute_layers_with_parts

    cfg = parse_pipeline(DEMO_PIPELINE, Path.cwd(), source="demo")
    study = study_from_pipeline(cfg)
    return (study, *compute_layers_with_parts(study))


def _same_graph(a, b) -> None:
    assert (a.csr != b.csr).nnz == 0
    assert np.array_equal(a.arc_lit, b.arc_lit) and a.reach_factor == b.reach_factor
    for x, y in zip(a.point_nodes, b.point_nodes, strict=True):
        assert np.array_equal(x, y)


def test_baseline_from_the_layers_parts_equals_one_made_again(demo_study_and_layers):
    from geoplan.scenario import prepare_baseline

    study, layers, parts = demo_study_and_layers
    reused = prepare_baseline(study, layers=layers, parts=parts)
    again = prepare_baseline(study, layers=layers)
    for name in ("edge", "offset_m", "snap_m"):
        assert np.array_equal(getattr(reused.origin_att, name), getattr(again.origin_att, name),
                              equal_nan=True)
        assert np.array_equal(getattr(reused.dest_att, name), getattr(again.dest_att, name),
                              equal_nan=True)
    pd.testing.assert_frame_equal(pd.DataFrame(reused.entries), pd.DataFrame(again.entries))
    pd.testing.assert_frame_equal(pd.DataFrame(reused.spaces), pd.DataFrame(again.spaces))
    assert reused.entry_keys == again.entry_keys
    _same_graph(reused.day_graph, again.day_graph)
    _same_graph(reused.night_graph, again.night_graph)
    _same_graph(reused.green_graph[0], again.green_graph[0])


def test_night_bounds_from_the_layers_parts_equal_those_made_again(demo_study_and_layers):
    from geoplan.runs.pipeline import night_bounds

    study, layers, parts = demo_study_and_layers
    assert (study.network.edges["lit"] == "unknown").any()  # the other bound is computed
    pd.testing.assert_frame_equal(night_bounds(study, layers, parts), night_bounds(study, layers))


def test_layers_with_parts_are_the_layers(demo_study_and_layers):
    from geoplan.study import compute_layers

    study, layers, _ = demo_study_and_layers
    pd.testing.assert_frame_equal(pd.DataFrame(compute_layers(study).grid),
                                  pd.DataFrame(layers.grid))


@pytest.mark.parametrize("unknown_as", ["dark", "lit"])
def test_night_losses_equal_night_indicators_column(demo_study_and_layers, unknown_as):
    from dataclasses import replace

    from geoplan.indicators.night import night_indicators, night_losses

    study, layers, parts = demo_study_and_layers
    spec = replace(study.spec, night_unknown_as=unknown_as)
    args = (study.network, layers.origins, study.data.destinations, spec)
    kw = dict(day=layers.grid, origin_att=parts.origin_att, dest_att=parts.dest_att)
    full = night_indicators(*args, **kw)
    got = night_losses(*args, **kw)
    cols = [f"loses_{c}_at_night" for c in spec.categories]
    pd.testing.assert_frame_equal(got, full[cols])
    if unknown_as == "dark":  # some cells lose a kind at night: the test can see a difference
        assert got.to_numpy().any() and not got.to_numpy().all()
