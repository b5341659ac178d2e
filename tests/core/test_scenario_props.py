"""Invariants of scenarios, property-based (hypothesis) on a small lattice study.

The lattice: 5 × 5 nodes 80 m apart (EPSG:3006), streets with mixed lighting, homes, a school,
a grocery, a park and a 100 m grid. Small ``max_examples`` keep the file under a minute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from geoplan.errors import GeoplanError
from geoplan.grid import GridSpec, make_grid
from geoplan.routing import build_routing_graph
from geoplan.scenario import apply_scenario, prepare_baseline, recompute
from geoplan.study import Study, compute_layers
from geoplan.types import AccessSpec, Densify, Lighting, NewPath, OsmData, Scenario, WalkNetwork

CRS = "EPSG:3006"
N, STEP = 5, 80.0
SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def lattice_inputs() -> Study:
    import geopandas as gpd

    xy = np.array([(i * STEP, j * STEP) for j in range(N) for i in range(N)])
    uv = [(j * N + i, j * N + i + 1) for j in range(N) for i in range(N - 1)]
    uv += [(j * N + i, (j + 1) * N + i) for j in range(N - 1) for i in range(N)]
    uv = np.array(uv)
    lit = np.array(["yes", "no", "unknown"])[np.arange(len(uv)) % 3]
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, len(xy) + 1)},
                             geometry=shapely.points(xy), crs=CRS)
    nodes.index.name = "node"
    edges = gpd.GeoDataFrame(
        {"u": uv[:, 0], "v": uv[:, 1], "length_m": STEP, "lit": lit,
         "lit_source": np.where(lit == "unknown", "none", "tag"), "lamp_share": 0.0,
         "tunnel": False, "bridge": False, "highway": "residential", "name": "",
         "surface": "", "lit_tag": "", "osmid": [str(k + 1) for k in range(len(uv))]},
        geometry=shapely.linestrings(xy[uv]), crs=CRS)
    net = WalkNetwork(nodes, edges, nodes.crs)
    side = (N - 1) * STEP
    area = shapely.box(0, 0, side, side)
    lamps = gpd.GeoDataFrame({"lamp_id": pd.Series([], dtype=object),
                              "source": pd.Series([], dtype=object)},
                             geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    dest = gpd.GeoDataFrame({"osm_id": [1, 2], "osm_type": ["n", "n"],
                             "category": ["school", "grocery"], "name": ["", ""],
                             "footprint_m2": [0.0, 0.0]},
                            geometry=shapely.points([(side, side - 30), (150, 5)]), crs=CRS)
    green = gpd.GeoDataFrame({"osm_id": [3], "osm_type": ["w"], "kind": ["park"],
                              "name": [""], "area_ha": [0.36], "public": [True]},
                             geometry=[shapely.box(90, 90, 150, 150)], crs=CRS)
    rng = np.random.default_rng(1)
    homes = [shapely.box(x, y, x + 12, y + 12) for x, y in rng.uniform(5, side - 20, (12, 2))]
    b = gpd.GeoDataFrame({"osm_id": np.arange(10, 22), "building": "apartments",
                          "use": "residential", "levels": 3.0, "levels_source": "tag",
                          "height_m": np.nan, "footprint_m2": 144.0, "floor_area_m2": 432.0},
                         geometry=homes, crs=CRS)
    data = OsmData(crs=nodes.crs, area=area, ways=None, lamps=lamps, green=green, destinations=dest,
                   buildings=b, source="lattice")
    cells = make_grid(area, CRS, GridSpec(100))
    cells = cells.assign(pop=np.linspace(5.0, 50.0, len(cells)), pop_source="test")
    spec = AccessSpec(categories=("school", "grocery"), radii_m=(200.0, 400.0),
                      min_component_m=0.0, night_threshold_m=300.0)
    return Study(data, net, cells, lamps, spec=spec)


@pytest.fixture(scope="module")
def base():
    return prepare_baseline(lattice_inputs())


coord = st.floats(min_value=-10.0, max_value=(N - 1) * STEP + 10.0, allow_nan=False)
point = st.tuples(coord, coord)


def _node_distances(net: WalkNetwork, n_nodes: int) -> np.ndarray:
    g = build_routing_graph(net)
    return dijkstra(g.csr, directed=False, indices=np.arange(n_nodes))[:, :n_nodes]


@SETTINGS
@given(a=point, b=point, lit=st.booleans())
@example(a=(0.0, 0.0), b=(220.0, 101.0), lit=False)  # splits a home's dark doorstep
@example(a=(0.0, -0.0078125), b=(0.0, -1.9026617919260322e-165), lit=False)  # 8 mm: its ends join in one node (was a raw GEOSException)
def test_adding_a_path_never_lengthens_a_shortest_distance(base, a, b, lit):
    inputs = base.inputs
    try:
        applied = apply_scenario(Scenario("p", (NewPath(shapely.LineString([a, b]), lit=lit),),
                                          crs=CRS, connect_within_m=20), inputs)
    except GeoplanError:
        return  # refused with a message (joins nothing / zero length): nothing to compare
    n = len(inputs.network.nodes)
    before = _node_distances(inputs.network, n)
    after = _node_distances(applied.inputs.network, n)
    assert np.all(after <= before + 1e-9)
    layers, _ = recompute(base, applied)
    full = compute_layers(applied.inputs)
    pd.testing.assert_frame_equal(layers.grid, full.grid, rtol=1e-9, atol=1e-9)
    # attachment is fixed at the baseline: no cell walks further, by day or at night, to any
    # category (a new path only adds edges; homes and shops stay on their paths)
    g0, g1 = base.layers.grid, full.grid
    for c in [c for c in g1 if c.startswith(("dist_", "night_dist_")) and c.endswith("_m")]:
        b0, b1 = g0[c].to_numpy(), g1[c].to_numpy()
        assert np.all((b1 <= b0 + 1e-9) | (np.isinf(b0) & np.isinf(b1))), c


@SETTINGS
@given(lamps=st.lists(point, min_size=1, max_size=6))
def test_adding_lamps_never_lowers_a_lit_share(base, lamps):
    applied = apply_scenario(Scenario("l", (Lighting(lamps=tuple(shapely.points(lamps))),),
                                      crs=CRS), base.inputs)
    layers, _ = recompute(base, applied)
    s0, s1 = base.layers.grid["lit_share"], layers.grid["lit_share"]
    assert ((s1 >= s0 - 1e-12) | s0.isna()).all()
    assert (applied.inputs.network.edges["lit"].eq("yes")
            >= base.inputs.network.edges["lit"].eq("yes")).all()
    n0 = base.layers.grid["night_dist_school_m"].to_numpy()
    n1 = layers.grid["night_dist_school_m"].to_numpy()
    assert np.all((n1 <= n0 + 1e-9) | np.isinf(n0))
    pd.testing.assert_frame_equal(layers.grid, compute_layers(applied.inputs).grid, rtol=1e-9,
                                  atol=1e-9)


@SETTINGS
@given(corner=point, size=st.floats(10.0, 150.0), dwellings=st.integers(1, 500))
def test_densifying_never_changes_distances(base, corner, size, dwellings):
    x, y = corner
    try:
        applied = apply_scenario(Scenario("d", (Densify(shapely.box(x, y, x + size, y + size),
                                                        dwellings=dwellings),), crs=CRS),
                                 base.inputs)
    except GeoplanError:
        return  # a block outside the grid is refused
    layers, _ = recompute(base, applied)
    g0, g1 = base.layers.grid, layers.grid
    dist = [c for c in g1 if "dist" in c and c.endswith("_m")]
    pd.testing.assert_frame_equal(g0[dist], g1[dist], check_exact=True)
    assert g1["pop"].sum() == pytest.approx(g0["pop"].sum() + 2.1 * dwellings)
    pd.testing.assert_frame_equal(g1, compute_layers(applied.inputs).grid, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(a=point, b=point, lamps=st.lists(point, max_size=3), dwellings=st.integers(1, 300))
def test_removing_every_edit_gives_the_baseline_back_bit_for_bit(base, a, b, lamps, dwellings):
    edits = [Densify(shapely.box(100, 100, 160, 160), dwellings=dwellings)]
    if lamps:
        edits.append(Lighting(lamps=tuple(shapely.points(lamps))))
    if shapely.LineString([a, b]).length > 0:
        edits.append(NewPath(shapely.LineString([a, b])))
    s = Scenario("all", tuple(edits), crs=CRS).without_edits()
    applied = apply_scenario(s, base.inputs)
    layers, stats = recompute(base, applied)
    assert stats.mode == "none"
    pd.testing.assert_frame_equal(layers.grid, base.layers.grid, check_exact=True)
    pd.testing.assert_frame_equal(compute_layers(applied.inputs).grid, base.layers.grid,
                                  check_exact=True)


def test_a_path_shorter_than_a_metre_once_joined_is_refused_with_a_message(base):
    # 8 mm from a corner node: both ends join that node (hypothesis found the raw GEOSException)
    with pytest.raises(GeoplanError, match=r"at least 1 m long"):
        apply_scenario(Scenario("p", (NewPath(shapely.LineString([(0.0, -0.0078125), (0.0, -1e-9)])),),
                                crs=CRS, connect_within_m=20), base.inputs)
