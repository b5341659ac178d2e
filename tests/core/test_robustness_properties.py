"""Property-based tests (hypothesis): grid alignment for any polygon in SWEREF99 TM, and
population conservation for random buildings and random area tables. Small example counts so
each test runs in a few seconds."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoplan.grid import ALLOWED_CELL_SIZES_M, GridSpec, make_grid, parse_cell_id
from geoplan.population import (
    PERSONS_PER_M2,
    ResidentialRule,
    population_from_buildings,
    population_from_grid,
    population_from_stats,
    residential_floor_area,
)

FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
SWEREF = "EPSG:3006"

# a point anywhere in Sweden's SWEREF99 TM extent (metres, with fractions)
centres = st.tuples(st.floats(270_000, 920_000), st.floats(6_130_000, 7_680_000))


@st.composite
def polygons(draw):
    """Valid polygons of 20 m to 4 km across: star-shaped rings (concave), sometimes with a
    hole, sometimes two parts."""
    cx, cy = draw(centres)
    n = draw(st.integers(3, 12))
    radius = draw(st.floats(10, 2000))
    angles = np.sort(np.array(draw(st.lists(st.floats(0, 2 * np.pi), min_size=n, max_size=n,
                                             unique=True))))
    radii = np.array(draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n))) * radius
    ring = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
    poly = shapely.make_valid(shapely.Polygon(ring))
    if draw(st.booleans()):
        poly = poly.difference(shapely.Point(cx, cy).buffer(radius * 0.1))
    if draw(st.booleans()):
        dx = draw(st.floats(-3 * radius, 3 * radius))
        poly = poly.union(shapely.affinity.translate(poly, dx, radius * 2.5))
    parts = [g for g in shapely.get_parts(poly) if g.geom_type == "Polygon" and g.area > 1.0]
    poly = shapely.MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else None)
    if poly is None or not poly.is_valid or poly.area <= 1.0:
        return shapely.box(cx, cy, cx + radius, cy + radius)
    return poly


@FAST
@given(area=polygons(), size=st.sampled_from(ALLOWED_CELL_SIZES_M))
def test_grid_cells_are_aligned_cover_the_area_and_ids_parse_back(area, size):
    g = make_grid(area, SWEREF, GridSpec(size))
    b = g.geometry.bounds
    # every corner on a multiple of the size, every cell a full square of that size
    for col in ("minx", "miny", "maxx", "maxy"):
        assert (np.mod(b[col].to_numpy(), size) == 0).all()
    assert ((b["maxx"] - b["minx"]) == size).all() and ((b["maxy"] - b["miny"]) == size).all()
    assert (g["easting_m"] == b["minx"]).all() and (g["northing_m"] == b["miny"]).all()
    # the cells cover the polygon, and only cells that share area with it are kept
    cover = shapely.union_all(g.geometry.values)
    assert area.difference(cover).area <= 1e-6 * area.area
    assert g["area_m2"].sum() == pytest.approx(area.area, rel=1e-9)
    assert ((g["area_share"] > 0) & (g["area_share"] <= 1)).all()
    # ids unique and parse back to size and corner
    assert g.index.is_unique
    for cid, e, n in zip(g.index, g["easting_m"], g["northing_m"], strict=True):
        assert parse_cell_id(cid) == (size, e, n)


@st.composite
def study(draw):
    """A study rectangle split into vertical strips (the areas, with random populations, some
    unknown) and random buildings of every use inside."""
    x0, y0 = draw(centres)
    w, h = draw(st.floats(150, 1500)), draw(st.floats(150, 1500))
    k = draw(st.integers(1, 6))
    cuts = np.sort(np.array(draw(st.lists(st.floats(0.05, 0.95), min_size=k - 1, max_size=k - 1,
                                          unique=True))))
    xs = np.r_[0.0, cuts, 1.0] * w + x0
    strips = [shapely.box(a, y0, b, y0 + h) for a, b in zip(xs[:-1], xs[1:], strict=True)]
    pops = draw(st.lists(st.one_of(st.floats(0, 20_000), st.just(np.nan)), min_size=k,
                         max_size=k))
    nb = draw(st.integers(0, 40))
    bx = draw(st.lists(st.floats(0, 1), min_size=nb, max_size=nb))
    by = draw(st.lists(st.floats(0, 1), min_size=nb, max_size=nb))
    side = draw(st.lists(st.floats(3, 40), min_size=nb, max_size=nb))
    uses = draw(st.lists(st.sampled_from(["residential", "mixed", "non_residential", "unknown"]),
                         min_size=nb, max_size=nb))
    levels = draw(st.lists(st.integers(1, 12), min_size=nb, max_size=nb))
    geoms = [shapely.box(x0 + u * (w - s), y0 + v * (h - s), x0 + u * (w - s) + s,
                         y0 + v * (h - s) + s) for u, v, s in zip(bx, by, side, strict=True)]
    buildings = gpd.GeoDataFrame(
        {"use": uses, "floor_area_m2": [g.area * lv for g, lv in zip(geoms, levels, strict=True)]},
        geometry=geoms, crs=SWEREF)
    areas = gpd.GeoDataFrame({"id": [f"S{i}" for i in range(k)]}, geometry=strips, crs=SWEREF)
    table = pd.DataFrame({"population": pops}, index=areas["id"].to_numpy())
    size = draw(st.sampled_from((50, 100, 250)))
    return shapely.box(x0, y0, x0 + w, y0 + h), areas, table, buildings, size


@FAST
@given(s=study())
def test_statistics_are_conserved(s):
    domain, areas, table, buildings, size = s
    if table["population"].isna().all():
        table.iloc[0, 0] = 100.0  # a table without any number is refused (bad-input corpus)
    cells = make_grid(domain, SWEREF, GridSpec(size))
    for b in (buildings, None):
        out = population_from_stats(cells, areas, table, buildings=b, study_area=domain)
        want = float(table["population"].sum(skipna=True))
        assert out["pop"].sum() == pytest.approx(want, rel=1e-3, abs=1e-6)
        assert (out["pop"] >= 0).all()


@FAST
@given(s=study())
def test_buildings_estimate_is_conserved(s):
    domain, _, _, buildings, size = s
    cells = make_grid(domain, SWEREF, GridSpec(size))
    out = population_from_buildings(cells, buildings, study_area=domain)
    want = residential_floor_area(buildings, ResidentialRule()).sum() * PERSONS_PER_M2
    assert out["pop"].sum() == pytest.approx(want, rel=1e-3, abs=1e-6)


@FAST
@given(s=study(), src_size=st.sampled_from((100, 250, 1000)), seed=st.integers(0, 2**16))
def test_population_grid_is_conserved(s, src_size, seed):
    """A coarser or finer population grid, not aligned to the cells, inside the study area."""
    domain, _, _, buildings, size = s
    src = make_grid(domain, SWEREF, GridSpec(src_size)).reset_index()
    src["geometry"] = src.geometry.intersection(domain)  # source cells clipped to the area
    src["population"] = np.random.default_rng(seed).integers(0, 500, len(src)).astype(float)
    cells = make_grid(domain, SWEREF, GridSpec(size))
    out = population_from_grid(cells, src[["population", "geometry"]], buildings=buildings,
                               study_area=domain)
    assert out["pop"].sum() == pytest.approx(src["population"].sum(), rel=1e-3, abs=1e-6)
