"""Tests of geoplan.routing: exact distances on a hand-drawn network and against networkx."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from geoplan import routing
from geoplan.errors import Cancelled, CRSError, GeoplanError
from geoplan.routing import (
    attach_points,
    build_routing_graph,
    count_within,
    gravity,
    lit_mask,
    nearest_distance_m,
    nearest_route,
)
from geoplan.types import WalkNetwork

CRS = "EPSG:3006"


# --------------------------------------------------------------------------------------------
# the hand-drawn network
# --------------------------------------------------------------------------------------------
def diamond_network() -> WalkNetwork:
    """A diamond with a dead end and an island; all lengths derivable by hand.

    ::

                      1 (30,40)
                    /    |    \\
           e0: 50  /     |     \\ e2: 50
              yes /      |      \\ yes
                 /       |e4: 80 \\
        (0,0)  0         |yes     3 (60,0) -------- e5: 100, yes -------- 4 (160,0)  dead end
                 \\       |       /
           e1: 50 \\      |      / e3: length_m 60 (straight geometry 50, drawn from 3 to 2),
              no   \\     |     /      lit unknown
                    \\    |    /
                      2 (30,-40)

        island:  5 (0,300) -------- e6: 100, yes -------- 6 (100,300)

    Every edge is undirected; e3's geometry runs from node 3 to node 2 (reverse of u->v) and
    is 50 m long while ``length_m`` is 60 m, so offsets along it scale by 1.2.
    """
    xy = np.array([[0, 0], [30, 40], [30, -40], [60, 0], [160, 0], [0, 300], [100, 300]], float)
    uv = np.array([[0, 1], [0, 2], [1, 3], [2, 3], [1, 2], [3, 4], [5, 6]])
    geoms = shapely.linestrings(xy[uv])
    geoms[3] = shapely.LineString([xy[3], xy[2]])  # drawn from v to u
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, 8)}, geometry=gpd.points_from_xy(*xy.T),
                             crs=CRS)
    edges = gpd.GeoDataFrame(
        {
            "u": uv[:, 0],
            "v": uv[:, 1],
            "length_m": [50.0, 50.0, 50.0, 60.0, 80.0, 100.0, 100.0],
            "lit": ["yes", "no", "yes", "unknown", "yes", "yes", "yes"],
        },
        geometry=geoms,
        crs=CRS,
    )
    return WalkNetwork(nodes=nodes, edges=edges, crs=nodes.crs)


#: Destinations: D1 on the dead-end edge e5, 50 m from node 3 (snapped 5 m); D2 exactly at node 0.
DEST_XY = [(110, 5), (0, 0)]
DEST_W = np.array([2.0, 3.0])
#: Origins:
#: O1 on e0, 20 m from node 0;           O2 on e5, 80 m from node 3 (same edge as D1, snap 3 m);
#: O3 on e3, 20 m geometric from node 3 = 24 m of length_m (36 m from u = node 2);
#: O4 exactly at node 1;                  O5 on the island (snap 2 m);
#: O6 far from everything (unattached);   O7 on e4, 30 m from node 1 (snap 1 m);
#: O8 at the same place as D1.
ORIG_XY = [(12, 16), (140, -3), (48, -16), (30, 40), (50, 302), (500, 500), (31, 10), (110, 5)]
INF = math.inf
#: Hand-derived distances (m) from each origin to D1 and D2, access legs included (the straight
#: walk from a point to its edge: O2 3 m, O5 2 m, O7 1 m, O8 and D1 5 m; O8 and D1 share theirs).
TO_D1 = [135.0, 38.0, 79.0, 105.0, INF, INF, 136.0, 0.0]  # O3: 24 + 50 + 5; O7: 1 + 30 + 50 + 50 + 5
TO_D2 = [20.0, 183.0, 86.0, 50.0, INF, INF, 81.0, 155.0]  # O2: 3 + 80 + 50 + 50; O3: 36 + 50


@pytest.fixture(scope="module")
def diamond():
    net = diamond_network()
    orig = attach_points(net, _points(ORIG_XY), max_snap_m=25)
    dest = attach_points(net, _points(DEST_XY), max_snap_m=25)
    graph = build_routing_graph(net, [orig, dest])
    return net, orig, dest, graph


def _points(xy) -> gpd.GeoSeries:
    xy = np.asarray(xy, float)
    return gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)


def test_attach_along_edges_not_to_nodes(diamond):
    _, orig, dest, _ = diamond
    assert orig.edge.tolist() == [0, 5, 3, orig.edge[3], 6, -1, 4, 5]
    np.testing.assert_allclose(orig.offset_m[[0, 1, 2, 4, 6, 7]], [20, 80, 36, 50, 30, 50])
    assert orig.offset_m[3] in (0.0, 50.0, 80.0)  # node 1 is an end of e0, e2 and e4
    np.testing.assert_allclose(orig.snap_m[[0, 1, 2, 3, 4, 6, 7]], [0, 3, 0, 0, 2, 1, 5])
    assert orig.attached.tolist() == [True] * 5 + [False, True, True]
    assert orig.n_unattached == 1 and np.isnan(orig.offset_m[5]) and np.isnan(orig.snap_m[5])
    assert dest.edge.tolist()[0] == 5 and dest.offset_m[0] == pytest.approx(50)
    np.testing.assert_allclose(orig.on_edge_xy[1], [140, 0])


def test_split_graph_nodes(diamond):
    _, _, _, g = diamond
    o_nodes, d_nodes = g.point_nodes
    # 7 network nodes + virtual nodes for O1, O2, O3, O5, O7 and D1 (shared with O8)
    # + the far ends of the access legs of O2, O5, O7 and D1 (shared with O8: same place)
    assert g.n_network_nodes == 7 and g.n_nodes == 17
    assert o_nodes[3] == 1 and d_nodes[1] == 0 and o_nodes[5] == -1
    assert o_nodes[7] == d_nodes[0]
    assert (g.csr != g.csr.T).nnz == 0
    assert g.reach_factor == pytest.approx(1.0)


def test_nearest_distances_by_hand(diamond):
    _, _, _, g = diamond
    o, d = g.point_nodes
    expected = np.minimum(TO_D1, TO_D2)
    np.testing.assert_allclose(nearest_distance_m(g, o, d), expected)
    np.testing.assert_allclose(nearest_distance_m(g, o, d[:1]), TO_D1)
    np.testing.assert_allclose(nearest_distance_m(g, o, d[1:]), TO_D2)
    limited = nearest_distance_m(g, o, d, limit_m=60)
    np.testing.assert_allclose(limited, np.where(expected <= 60, expected, INF))


def test_nearest_route_lit_length(diamond):
    _, _, _, g = diamond
    o, d = g.point_nodes
    r = nearest_route(g, o, d)
    np.testing.assert_allclose(r.distance_m, [20, 38, 79, 50, INF, INF, 81, 0])
    assert r.destination.tolist() == [1, 0, 0, 1, -1, -1, 1, 0]
    # O3: 24 m on e3 (unknown) + 50 m on e5 (lit) + D1's 5 m leg; O7: its 1 m leg, e4 then e0
    # (lit); access legs count as unknown lighting
    np.testing.assert_allclose(r.lit_m, [20, 30, 50, 50, np.nan, np.nan, 80, 0])
    np.testing.assert_allclose(r.unknown_m, [0, 8, 29, 0, np.nan, np.nan, 1, 0])
    np.testing.assert_allclose(r.lit_share,
                               [1, 30 / 38, 50 / 79, 1, np.nan, np.nan, 80 / 81, np.nan])
    np.testing.assert_allclose(r.unknown_share[2], 29 / 79)


def test_count_within_by_hand(diamond):
    _, _, _, g = diamond
    o, d = g.point_nodes
    got = count_within(g, o, d, [50, 100, 150], weights=DEST_W)
    expected = [[3, 3, 5], [2, 2, 2], [0, 5, 5], [3, 3, 5], [0, 0, 0], [np.nan] * 3,
                [0, 3, 5], [2, 2, 2]]
    np.testing.assert_array_equal(got, expected)
    unweighted = count_within(g, o, d, [100])
    np.testing.assert_array_equal(unweighted[:, 0], [1, 1, 2, 1, 0, np.nan, 1, 1])


def test_gravity_by_hand(diamond):
    _, _, _, g = diamond
    o, d = g.point_nodes
    got = gravity(g, o, d, weights=DEST_W, half_distance_m=100, cutoff_m=120)
    dist = np.array([TO_D1, TO_D2]).T
    terms = np.where(dist <= 120, DEST_W * 0.5 ** (dist / 100), 0.0)
    expected = terms.sum(axis=1)
    expected[5] = np.nan  # unattached: no access, not zero
    np.testing.assert_allclose(got, expected)
    assert got[4] == 0.0  # the island reaches nothing


def test_night_network_lit_only(diamond):
    net, orig, dest, _ = diamond
    night = build_routing_graph(net, [orig, dest], edge_mask=lit_mask(net))
    o, d = night.point_nodes
    # e1 (dark) and e3 (unknown) are gone: O3 sits on e3 and reaches nothing
    np.testing.assert_allclose(nearest_distance_m(night, o, d), [20, 38, INF, 50, INF, INF, 81, 0])
    unknown_lit = build_routing_graph(net, [orig, dest],
                                      edge_mask=lit_mask(net, unknown_as_lit=True))
    o2, d2 = unknown_lit.point_nodes
    assert nearest_distance_m(unknown_lit, o2, d2)[2] == pytest.approx(79)
    # attached to the lit network instead: O3 snaps 18 m to e4, 56 m from node 1
    orig_lit = attach_points(net, _points(ORIG_XY), max_snap_m=25, edge_mask=lit_mask(net))
    g3 = build_routing_graph(net, [orig_lit, dest], edge_mask=lit_mask(net))
    assert orig_lit.edge[2] == 4 and orig_lit.snap_m[2] == pytest.approx(18)
    assert nearest_distance_m(g3, *g3.point_nodes)[2] == pytest.approx(18 + 56 + 50)


def test_point_exactly_at_node_and_no_destinations(diamond):
    _, _, _, g = diamond
    o, _ = g.point_nodes
    assert nearest_distance_m(g, [1, 0], [0])[1] == 0.0
    assert np.isinf(nearest_distance_m(g, o, [-1, -1])).all()
    assert np.isinf(nearest_route(g, o, np.array([], int)).distance_m).all()
    assert np.nansum(count_within(g, o, [-1], [100])) == 0


def test_progress_is_reported_and_cancel_stops():
    class Recorder:
        def __init__(self, cancel_after: int | None = None):
            self.calls, self.cancel_after = [], cancel_after

        def report(self, fraction, message=""):
            self.calls.append(fraction)

        def is_cancelled(self):
            return self.cancel_after is not None and len(self.calls) > self.cancel_after

    net, orig, dest, (day, _) = _random_case(seed=3)
    rec = Recorder()
    count_within(day, day.point_nodes[0], day.point_nodes[1], [300], tile_m=100, progress=rec)
    assert len(rec.calls) > 3 and rec.calls[-1] == 1.0
    with pytest.raises(Cancelled):
        gravity(day, day.point_nodes[0], day.point_nodes[1], tile_m=100,
                progress=Recorder(cancel_after=2))


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------
def test_errors_name_the_fix():
    net = diamond_network()
    pts = _points([(10, 10)])
    empty = WalkNetwork(nodes=net.nodes.iloc[:0], edges=net.edges.iloc[:0], crs=net.crs)
    with pytest.raises(GeoplanError, match="empty"):
        attach_points(empty, pts)
    with pytest.raises(GeoplanError, match=r"length_m"):
        build_routing_graph(WalkNetwork(net.nodes, net.edges.drop(columns="length_m"), net.crs))
    for bad in (-1.0, np.nan):
        edges = net.edges.copy()
        edges.loc[2, "length_m"] = bad
        with pytest.raises(GeoplanError, match="recompute length_m"):
            build_routing_graph(WalkNetwork(net.nodes, edges, net.crs))
    with pytest.raises(CRSError, match=r"to_crs\('EPSG:3006'\)"):
        attach_points(net, pts.set_crs(4326, allow_override=True))
    with pytest.raises(CRSError, match="set_crs"):
        attach_points(net, pts.set_crs(None, allow_override=True))
    with pytest.raises(GeoplanError, match="representative_point"):
        attach_points(net, gpd.GeoSeries([shapely.box(0, 0, 5, 5)], crs=CRS))
    edges = net.edges.copy()
    edges.loc[0, "v"] = 99
    with pytest.raises(GeoplanError, match="outside"):
        build_routing_graph(WalkNetwork(net.nodes, edges, net.crs))
    with pytest.raises(GeoplanError, match="edge_mask"):
        build_routing_graph(net, edge_mask=[True, False])
    g = build_routing_graph(net)
    with pytest.raises(GeoplanError, match="node ids"):
        nearest_distance_m(g, [0, 50], [1])
    with pytest.raises(GeoplanError, match="weights"):
        count_within(g, [0], [1, 2], [100], weights=[1.0])


# --------------------------------------------------------------------------------------------
# random networks against an independent networkx oracle
# --------------------------------------------------------------------------------------------
def _random_network(rng: np.random.Generator, side: int = 18, spacing: float = 50.0):
    """Jittered grid: spanning tree + extra grid edges, some parallel bent twins, random lit."""
    n = side * side
    r, c = np.divmod(np.arange(n), side)
    xy = np.c_[c * spacing, r * spacing] + rng.uniform(-10, 10, (n, 2))
    cand = [(i, i + 1) for i in range(n) if (i + 1) % side] + [(i, i + side) for i in
                                                                range(n - side)]
    cand = np.array(cand)
    g = nx.Graph()
    weights = rng.random(len(cand))
    g.add_weighted_edges_from((a, b, w) for (a, b), w in zip(cand, weights, strict=True))
    tree = {tuple(sorted(e)) for e in nx.minimum_spanning_edges(g, data=False)}
    keep = np.array([tuple(e) in tree for e in cand.tolist()]) | (rng.random(len(cand)) < 0.5)
    uv = cand[keep]
    twins = uv[rng.choice(len(uv), 15, replace=False)]
    geoms = list(shapely.linestrings(xy[uv]))
    for a, b in twins:  # a bent parallel way between the same two nodes
        mid = (xy[a] + xy[b]) / 2 + np.array([[0, -1], [1, 0]]) @ (xy[b] - xy[a]) * 0.3
        geoms.append(shapely.LineString([xy[a], mid, xy[b]]))
    uv = np.vstack([uv, twins])
    m = len(uv)
    geoms = np.array(geoms, dtype=object)
    flip = rng.random(m) < 0.3  # some geometries drawn from v to u
    geoms[flip] = shapely.reverse(geoms[flip])
    length = shapely.length(geoms) * rng.uniform(1.0, 1.1, m)  # e.g. slope or survey length
    lit = rng.choice(["yes", "no", "unknown"], m, p=[0.6, 0.25, 0.15])
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, n + 1)}, geometry=gpd.points_from_xy(*xy.T),
                             crs=CRS)
    edges = gpd.GeoDataFrame({"u": uv[:, 0], "v": uv[:, 1], "length_m": length, "lit": lit},
                             geometry=geoms, crs=CRS)
    return WalkNetwork(nodes=nodes, edges=edges, crs=CRS), flip


def _random_points(rng, net, flip, k: int):
    """Points along random edges (known edge and offset), some at nodes, some sharing an edge."""
    m = len(net.edges)
    edge = rng.integers(0, m, k)
    edge[: k // 5] = edge[k // 5 : 2 * (k // 5)]  # several points on the same edges
    frac = rng.uniform(0.1, 0.9, k)
    frac[::9], frac[4::9] = 0.0, 1.0  # exactly on the u / v node
    lines = net.edges.geometry.values[edge]
    geom_frac = np.where(flip[edge], 1 - frac, frac)
    pts = shapely.line_interpolate_point(lines, geom_frac, normalized=True)
    bent = shapely.get_num_coordinates(lines) > 2
    start, end = shapely.get_point(lines, 0), shapely.get_point(lines, -1)
    normal = np.c_[shapely.get_y(start) - shapely.get_y(end), shapely.get_x(end) -
                   shapely.get_x(start)]
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    side = np.where(bent | (frac == 0) | (frac == 1), 0.0, rng.uniform(-0.5, 0.5, k))
    xy = shapely.get_coordinates(pts) + normal * side[:, None]
    offset = frac * net.edges["length_m"].to_numpy()[edge]
    return _points(xy), edge, offset, np.abs(side)


def _oracle_graph(net, points: list[tuple], edge_mask=None):
    """networkx MultiGraph with each edge split at the given ``(edge, offset, leg)`` points and
    an explicit access-leg arc of ``leg`` metres (known from how the points were drawn) from
    the point's place on the edge to the point; node of each point."""
    e = net.edges
    length, lit = e["length_m"].to_numpy(), e["lit"].to_numpy()
    on_edge: dict[int, list[tuple[float, object]]] = {}
    labels, legs = [], []
    for set_no, (edge, offset, leg) in enumerate(points):
        lab = []
        for i, (ei, off) in enumerate(zip(edge.tolist(), offset.tolist(), strict=True)):
            if off in (0.0, length[ei]):
                lab.append(int(e["u" if off == 0.0 else "v"].iat[ei]))
            else:
                lab.append(("p", set_no, i))
                on_edge.setdefault(ei, []).append((off, lab[-1]))
            if leg[i] > 1e-3:
                legs.append((lab[-1], ("leg", set_no, i), float(leg[i])))
                lab[-1] = ("leg", set_no, i)
        labels.append(lab)
    g = nx.MultiGraph()
    for a, b, w in legs:
        g.add_edge(a, b, weight=w, lit="unknown")
    g.add_nodes_from(range(len(net.nodes)))
    for ei, (a, b) in enumerate(zip(e["u"].tolist(), e["v"].tolist(), strict=True)):
        stops = sorted(on_edge.get(ei, []), key=lambda t: t[0])
        chain = [(0.0, a)] + stops + [(length[ei], b)]
        for (o1, n1), (o2, n2) in zip(chain[:-1], chain[1:], strict=True):
            g.add_node(n2)
            if edge_mask is None or edge_mask[ei]:
                g.add_edge(n1, n2, weight=o2 - o1, lit=lit[ei])
    return g, labels


def _random_case(seed: int, n_orig: int = 70, n_dest: int = 30):
    rng = np.random.default_rng(seed)
    net, flip = _random_network(rng)
    o_pts, o_edge, o_off, o_leg = _random_points(rng, net, flip, n_orig)
    d_pts, d_edge, d_off, d_leg = _random_points(rng, net, flip, n_dest)
    orig, dest = attach_points(net, o_pts, max_snap_m=5), attach_points(net, d_pts, max_snap_m=5)
    assert orig.attached.all() and dest.attached.all()
    day = build_routing_graph(net, [orig, dest])
    night = build_routing_graph(net, [orig, dest], edge_mask=lit_mask(net))
    return net, (o_edge, o_off, o_leg), (d_edge, d_off, d_leg), (day, night)


def _oracle_distances(g, sources, cutoff=None):
    return [nx.single_source_dijkstra_path_length(g, s, cutoff=cutoff) for s in sources]


def _path_lit_m(g, path):
    lit = 0.0
    for a, b in zip(path[:-1], path[1:], strict=True):
        best = min(g[a][b].values(), key=lambda d: d["weight"])
        lit += best["weight"] if best["lit"] == "yes" else 0.0
    return lit


@pytest.mark.parametrize("seed,n_orig,n_dest", [(1, 70, 30), (2, 25, 60)])
def test_random_networks_match_networkx(seed, n_orig, n_dest):
    net, o_pts, d_pts, (day, night) = _random_case(seed, n_orig, n_dest)
    w = np.random.default_rng(seed).integers(1, 5, n_dest).astype(float)
    for graph, mask in ((day, None), (night, lit_mask(net))):
        g, (o_lab, d_lab) = _oracle_graph(net, [o_pts, d_pts], mask)
        o, d = graph.point_nodes
        dist, paths = nx.multi_source_dijkstra(g, set(d_lab))
        expected = np.array([dist.get(lab, INF) for lab in o_lab])
        np.testing.assert_allclose(nearest_distance_m(graph, o, d), expected, atol=0.01)
        route = nearest_route(graph, o, d)
        np.testing.assert_allclose(route.distance_m, expected, atol=0.01)
        reached = np.isfinite(expected)
        reached_lab = [lab for lab, ok in zip(o_lab, reached, strict=True) if ok]
        lit_expected = [_path_lit_m(g, paths[lab]) for lab in reached_lab]
        np.testing.assert_allclose(route.lit_m[reached], lit_expected, atol=0.01)
        got_dest = [d_lab[i] for i in route.destination[reached]]
        assert got_dest == [paths[lab][0] for lab in reached_lab]

        radii = [150.0, 300.0, 450.0]
        per_origin = _oracle_distances(g, o_lab, cutoff=max(radii))
        od = np.array([[lengths.get(lab, INF) for lab in d_lab] for lengths in per_origin])
        brute = np.stack([((od <= r) * w).sum(axis=1) for r in radii], axis=1)
        np.testing.assert_allclose(count_within(graph, o, d, radii, weights=w), brute)
        decay = np.where(od <= 450, w * np.exp(-math.log(2) / 200 * od), 0.0).sum(axis=1)
        np.testing.assert_allclose(
            gravity(graph, o, d, weights=w, half_distance_m=200, cutoff_m=450), decay
        )
    o, d = day.point_nodes
    on, dn = night.point_nodes
    day_d, night_d = nearest_distance_m(day, o, d), nearest_distance_m(night, on, dn)
    assert np.all(night_d >= day_d - 1e-9)
    assert np.isfinite(night_d).sum() < len(night_d) or np.any(night_d > day_d)


def test_tiling_does_not_change_results(monkeypatch):
    _, _, _, (day, night) = _random_case(seed=5, n_orig=120, n_dest=50)
    for graph in (day, night):
        o, d = graph.point_nodes
        one = count_within(graph, o, d, [200, 500], tile_m=1e7)
        tiny = count_within(graph, o, d, [200, 500], tile_m=20)
        np.testing.assert_array_equal(one, tiny)
        monkeypatch.setattr(routing, "MAX_BLOCK_CELLS", 500)  # forces chunks inside a tile
        np.testing.assert_array_equal(count_within(graph, o, d, [200, 500], tile_m=300), one)
        np.testing.assert_allclose(gravity(graph, o, d, tile_m=20),
                                   gravity(graph, o, d, tile_m=1e7))
        monkeypatch.undo()
