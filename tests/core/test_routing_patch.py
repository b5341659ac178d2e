"""Patching a stored routing graph (:func:`geoplan.routing.patch_routing_graph`, issue #15).

Oracles: a toy network whose distances are derived by hand in the drawing below, the full
rebuild (:func:`geoplan.routing.build_routing_graph` on the edited network, the attachment
carried to it), and networkx on the edited network's edges for a synthetic municipality.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from geoplan.routing import (
    add_arcs,
    attach_points,
    build_routing_graph,
    carry_attachment,
    lit_mask,
    nearest_distance_m,
    patch_routing_graph,
    subgraph_near,
)
from geoplan.types import WalkNetwork

ROOT = Path(__file__).resolve().parents[2]
CRS = "EPSG:3006"


def _toy() -> tuple[WalkNetwork, WalkNetwork, list[int]]:
    """The base network and the same with a new diagonal path from (150, 0) to node 3::

        3 (100,100)
        | \\
        |   \\  new path 4-3: sqrt(50² + 100²) = 111.80 m (lit)
        |     \\
        0 ---- 1 ------ 4 ---------- 2        0 (0,0), 1 (100,0), 4 (150,0) cuts 1-2,
          100     50        50                2 (200,0); edge 1-3: 100 m, dark

    An origin at (180, 5) meets edge 1-2 at x = 180 (leg 5 m). To node 3: by day
    5 + 80 + 100 = 185 m before, 5 + 30 + 111.80 = 146.80 m after; to node 0: 185 m both.
    """
    xy = [(0, 0), (100, 0), (200, 0), (100, 100)]
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*np.transpose(xy)), crs=CRS)
    base = WalkNetwork(nodes, gpd.GeoDataFrame(
        {"u": [0, 1, 1], "v": [1, 2, 3], "length_m": [100.0] * 3, "lit": ["yes", "yes", "no"]},
        geometry=[shapely.LineString([xy[0], xy[1]]), shapely.LineString([xy[1], xy[2]]),
                  shapely.LineString([xy[1], xy[3]])], crs=CRS), CRS)
    nodes2 = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 100, 200, 100, 150],
                                                          [0, 0, 0, 100, 0]), crs=CRS)
    lines = [base.edges.geometry[0], base.edges.geometry[2],
             shapely.LineString([(100, 0), (150, 0)]), shapely.LineString([(150, 0), (200, 0)]),
             shapely.LineString([(150, 0), (100, 100)])]
    edited = WalkNetwork(nodes2, gpd.GeoDataFrame(
        {"u": [0, 1, 1, 4, 4], "v": [1, 3, 4, 2, 3],
         "length_m": [g.length for g in lines], "lit": ["yes", "no", "yes", "yes", "yes"]},
        geometry=lines, crs=CRS), CRS)
    return base, edited, [0, 2, 1, 1, -1]


def test_patched_toy_graph_has_the_hand_derived_distances():
    base, edited, parent = _toy()
    att = attach_points(base, gpd.GeoSeries.from_xy([180.0], [5.0], crs=CRS))
    g = build_routing_graph(base, [att])
    o = g.point_nodes[0]
    assert nearest_distance_m(g, o, [3]).tolist() == [185.0]
    patched = patch_routing_graph(g, [att], base, edited, parent)
    new4 = g.n_nodes  # node 4 of the edited network comes after the stored graph's nodes
    got = [nearest_distance_m(patched, o, [t])[0] for t in (3, 0, 2, new4)]
    assert got == pytest.approx([35 + np.sqrt(50**2 + 100**2), 185.0, 25.0, 35.0], abs=1e-9)
    # the full rebuild on the edited network (the attachment carried to it) agrees
    carried = carry_attachment(att, edited, parent)
    rebuilt = build_routing_graph(edited, [carried])
    want = [nearest_distance_m(rebuilt, rebuilt.point_nodes[0], [t])[0] for t in (3, 0, 2, 4)]
    assert got == pytest.approx(want, abs=1e-9)


def test_patched_toy_night_graph_gains_the_lit_path_only():
    base, edited, parent = _toy()
    g = build_routing_graph(base, edge_mask=lit_mask(base))
    assert nearest_distance_m(g, [0], [3]).tolist() == [np.inf]  # 1-3 is dark
    patched = patch_routing_graph(g, [], base, edited, parent, edge_mask=lit_mask(edited),
                                  base_edge_mask=lit_mask(base))
    assert nearest_distance_m(patched, [0], [3])[0] == pytest.approx(150 + np.sqrt(12500))


def test_add_arcs_keeps_the_shorter_of_parallel_arcs_and_grows_the_reach_factor():
    base, _, _ = _toy()
    g = build_routing_graph(base)
    longer = add_arcs(g, [], [0], [1], [150.0])
    assert nearest_distance_m(longer, [0], [1]).tolist() == [100.0]
    shorter = add_arcs(g, [], [0], [1], [50.0])  # 100 m apart in a straight line: reach 2
    assert nearest_distance_m(shorter, [1], [0]).tolist() == [50.0]
    assert shorter.reach_factor == pytest.approx(2.0)


def test_subgraph_near_keeps_every_distance_within_its_radius():
    base, _, _ = _toy()
    g = build_routing_graph(base)
    sub, ids = subgraph_near(g, [[0.0, 0.0]], 120.0)
    assert ids.tolist() == [0, 1, 3]
    full = dijkstra(g.csr, indices=0)
    local = dijkstra(sub.csr, indices=0)
    near = full[ids] <= 120.0
    assert np.array_equal(local[near], full[ids][near])


@pytest.fixture(scope="module")
def synth_edit():
    from geoplan.scenario import apply_scenario
    from geoplan.study import Study
    from geoplan.types import NewPath, Scenario

    loader = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    synth = sys.modules.setdefault("synth", importlib.util.module_from_spec(loader))
    loader.loader.exec_module(synth)  # registered first: its dataclasses look themselves up
    s = synth.municipality(3000)
    study = Study(s.data, s.network, s.cells, spec=s.spec)
    xy = shapely.get_coordinates(s.network.nodes.geometry.values)
    mid = xy.mean(axis=0)
    # a diagonal path across the middle (it cuts the edges it crosses) and one from a node
    paths = (NewPath(shapely.LineString([mid - (3, 47), mid + (161, 93)]), lit=True),
             NewPath(shapely.LineString([xy[((xy - mid - (-300, 200)) ** 2).sum(1).argmin()],
                                         mid + (-140, 330)]), lit=True))
    applied = apply_scenario(Scenario("two paths", paths, crs=s.network.crs), study)
    assert applied.edge_split.any() and (applied.edge_parent < 0).sum() >= 2
    return study, applied


@pytest.mark.parametrize("night", [False, True], ids=["day", "night"])
def test_patched_graph_equals_networkx_on_the_edited_network(synth_edit, night):
    study, applied = synth_edit
    base, edited = study.network, applied.inputs.network
    origins = gpd.GeoSeries.from_xy(*np.transpose(
        shapely.get_coordinates(study.cells.geometry.centroid.values[::7])), crs=CRS)
    att = attach_points(base, origins, max_snap_m=150.0)
    mask = lit_mask(edited) if night else None
    bmask = lit_mask(base) if night else None
    g = build_routing_graph(base, [att], edge_mask=bmask)
    patched = patch_routing_graph(g, [att], base, edited, applied.edge_parent,
                                  edge_mask=mask, base_edge_mask=bmask)
    e = edited.edges if not night else edited.edges[mask]
    G = nx.Graph()
    G.add_nodes_from(range(len(edited.nodes)))
    for u, v, w in zip(e["u"], e["v"], e["length_m"], strict=True):
        if u != v and (not G.has_edge(u, v) or G[u][v]["weight"] > w):
            G.add_edge(int(u), int(v), weight=float(w))
    n0 = len(base.nodes)
    ids = np.arange(len(edited.nodes))
    in_patched = np.where(ids < n0, ids, g.n_nodes + ids - n0)
    new_nodes = ids[ids >= n0]
    rng = np.random.default_rng(7)
    sample = np.r_[new_nodes, rng.choice(n0, 25, replace=False)]
    d = dijkstra(patched.csr, directed=True, indices=in_patched[sample])[:, in_patched]
    for row, k in zip(d, sample, strict=True):
        want = np.full(len(ids), np.inf)
        for node, dist in nx.single_source_dijkstra_path_length(G, int(k)).items():
            want[node] = dist
        np.testing.assert_allclose(row, want, rtol=1e-12, atol=1e-9)
