"""The short-cut graph of a first within query (``routing._shortcut``): the nodes a query does
not need (chains and dead ends of nodes that are neither origins nor destinations) are passed
by, and every answer stays that of the whole graph (hand-derived toys and a networkx oracle)."""
from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geoplan import routing
from geoplan.routing import LIT_CODES, add_inbound_arcs, count_within, graph_from_arrays, gravity

# 0-1-2-3-4 on a line (100 m each), a spur 2-5, a dead-end chain 4-6-7, a loop 0-8-9-0
_XY = [[0, 0], [100, 0], [200, 0], [300, 0], [400, 0], [200, 100], [500, 0], [600, 0],
       [0, 100], [-100, 50]]
_EDGES = [(0, 1, 100.0), (1, 2, 100.0), (2, 3, 100.0), (3, 4, 100.0), (2, 5, 100.0),
          (4, 6, 100.0), (6, 7, 100.0), (0, 8, 120.0), (8, 9, 130.0), (9, 0, 140.0)]


def _toy():
    u, v, w = (np.array(c) for c in zip(*_EDGES, strict=True))
    return graph_from_arrays(_XY, u, v, w, np.full(len(u), "yes"))


def _arcs(graph, nodes):
    """The short-cut graph's arcs out of ``nodes`` as sorted ``(a, b, length)``, its loops
    (arcs into dead ends, never on a shortest path) left out."""
    coo = graph.csr.tocoo()
    out = np.isin(coo.row, nodes) & (coo.row != coo.col)
    return sorted((int(a), int(b), float(d))
                  for a, b, d in zip(coo.row[out], coo.col[out], coo.data[out], strict=True))


@pytest.mark.parametrize(("keep", "edges"), [
    # the chains 0-1-2 and 2-3-4 become one arc each; spur, dead-end chain and loop go
    ([0, 2, 4], [(0, 2, 200.0), (2, 4, 200.0)]),
    # a kept node of degree 2 (a source on a chain) splits it
    ([0, 1, 4], [(0, 1, 100.0), (1, 2, 100.0), (2, 4, 200.0)]),
    # a target in the middle of a chain whose far side is a dead end (3-4-6-7)
    ([0, 3], [(0, 2, 200.0), (2, 3, 100.0)]),
    # a kept node on the loop: its arc to 0 and the loop's other way round (130 + 140 m)
    ([2, 8], [(0, 2, 200.0), (0, 8, 120.0), (0, 8, 270.0)]),
])
def test_chains_become_arcs_and_dead_ends_and_loops_go(keep, edges):
    g = _toy()
    cut, nodes = routing._shortcut(g, np.array(keep))
    assert np.array_equal(nodes, sorted({a for e in edges for a in e[:2]}))
    assert _arcs(cut, nodes) == sorted([(a, b, d) for a, b, d in edges]
                                       + [(b, a, d) for a, b, d in edges])
    # the same arc slots: only arcs into chains changed, the graph itself is untouched
    assert np.array_equal(cut.csr.indptr, g.csr.indptr) and cut.node_xy is g.node_xy
    assert _arcs(g, [0]) == [(0, 1, 100.0), (0, 8, 120.0), (0, 9, 140.0)]


def _star():
    """Junction 0 with arms to 1 (100 m) and 2 (150 m) and to junction 4 (50 m), whose other
    arms go to 5 (70 m) and 6 (80 m); a dead end 3 hangs off 5 (300 m)."""
    xy = [[0, 0], [-100, 0], [0, 150], [50, 370], [50, 0], [50, 70], [50, -80]]
    edges = [(0, 1, 100.0), (0, 2, 150.0), (0, 4, 50.0), (4, 5, 70.0), (4, 6, 80.0),
             (3, 5, 300.0)]
    u, v, w = (np.array(c) for c in zip(*edges, strict=True))
    return graph_from_arrays(xy, u, v, w, np.full(len(u), "yes"))


def test_a_junction_of_three_arcs_is_passed_by_with_the_walks_through_it():
    g = _star()  # junction 0 (arcs to 1, 2 and 4) is the only node not kept: it goes
    fewer, nodes = routing._bypass_junctions(g, np.arange(7), np.arange(1, 7))
    assert nodes.tolist() == [1, 2, 3, 4, 5, 6]
    assert _arcs(fewer, [1, 2, 4]) == sorted([
        (1, 2, 250.0), (1, 4, 150.0), (2, 1, 250.0), (2, 4, 200.0), (4, 1, 150.0),
        (4, 2, 200.0), (4, 5, 70.0), (4, 6, 80.0)])
    # one more arc out of each neighbour; node 0's own arcs stay (nothing leads to it)
    assert fewer.csr.nnz == g.csr.nnz + 3 and fewer.node_xy is g.node_xy


def test_of_two_neighbouring_junctions_one_goes_and_distances_stay():
    g = _star()  # junctions 0 (arcs to 1, 2, 4) and 4 (arcs to 0, 5, 6): only one goes
    keep = np.array([1, 2, 3, 5, 6])
    fewer, nodes = routing._bypass_junctions(g, np.arange(7), keep)
    assert sorted(set(range(7)) - set(nodes.tolist())) in ([0], [4])
    np.testing.assert_array_equal(dijkstra(fewer.csr, indices=keep)[:, keep],
                                  dijkstra(g.csr, indices=keep)[:, keep])
    # all kept, or a junction with a loop or two arcs to one node: nothing goes
    assert routing._bypass_junctions(g, np.arange(7), np.arange(7)) is None
    for heads in ([0, 1, 2], [1, 1, 2]):
        odd = routing.RoutingGraph(
            sp.csr_matrix((np.full(9, 5.0), heads + [0, 0, 0, 0, 0, 0], [0, 3, 6, 9]),
                          shape=(3, 3)), np.zeros((3, 2)), np.zeros(9, np.int8), 3, (), 1.0)
        assert routing._bypass_junctions(odd, np.arange(3), np.array([1, 2])) is None
    # arcs that claim to be symmetric but are not: 0 -> 1, 2, 3, but 1 has two arcs back
    # and 2 none (as many arcs back as neighbours): the junction stays
    heads = [1, 2, 3, 0, 0, 3, 0]
    odd = routing.RoutingGraph(sp.csr_matrix((np.full(7, 5.0), heads, [0, 3, 5, 6, 7]),
                                             shape=(4, 4)), np.zeros((4, 2)),
                               np.zeros(7, np.int8), 4, (), 1.0)
    assert routing._bypass_junctions(odd, np.arange(4), np.array([1, 2, 3])) is None


def test_only_a_query_whose_searches_cover_the_graph_many_times_gets_a_query_graph():
    g = _toy()  # 700 m x 100 m
    assert routing._cover(g, 2, 100.0) == pytest.approx(2 * np.pi * 100**2 / 70_000)
    keep = np.array([0, 4])
    assert routing._query_graph(g, keep, routing.SHORTCUT_MIN_COVER - 1) is None
    chains = routing._query_graph(g, keep, routing.SHORTCUT_MIN_COVER)
    assert np.array_equal(chains[1], routing._shortcut(g, keep)[1])
    s = _star()  # a junction not kept: passed by from BYPASS_MIN_COVER
    assert routing._query_graph(s, np.arange(1, 7), routing.BYPASS_MIN_COVER - 1) is None
    assert routing._query_graph(s, np.arange(1, 7), routing.BYPASS_MIN_COVER)[1].tolist() == [
        1, 2, 3, 4, 5, 6]


def test_nothing_to_leave_out_or_one_way_arcs_keep_the_graph():
    g = _toy()
    assert routing._shortcut(g, np.arange(g.n_nodes)) is None
    night = add_inbound_arcs(g, np.array([3]), np.array([1]), np.array([50.0]),
                             np.array([LIT_CODES["no"]]))
    assert routing._shortcut(night, np.array([0])) is None
    assert routing._bypass_junctions(night, np.arange(night.n_nodes), np.array([0])) is None
    assert routing._query_graph(night, np.array([0])) is None


def test_a_chain_without_end_gives_up():
    """Arcs that claim to be symmetric but are not (0 -> 1 into the one-way ring 1 -> 2 -> 3
    -> 1, whose nodes also lead back to 0): the walk from 0 goes round for ever, so the graph
    is kept as it is."""
    indptr = np.array([0, 1, 3, 5, 7], np.int32)
    heads = np.array([1, 2, 0, 3, 0, 1, 0], np.int32)
    csr = sp.csr_matrix((np.full(7, 10.0), heads, indptr), shape=(4, 4))
    g = routing.RoutingGraph(csr, np.zeros((4, 2)), np.zeros(7, np.int8), 4, (), 1.0)
    assert routing._shortcut(g, np.array([0])) is None


def _streets(seed: int):
    """A 9 x 9 lattice of 60 m blocks whose streets have 0-2 bends (degree-2 nodes) and dead-end
    spurs of 1-3 pieces: integer lengths, so every order of the sums gives the same metres."""
    rng = np.random.default_rng(seed)
    side = 9
    xy = [(c * 60.0, r * 60.0) for r in range(side) for c in range(side)]
    edges = []

    def piece(a, b, extra_m):  # at least the straight line: tiles are boxes (reach factor 1)
        edges.append((a, b, float(np.ceil(np.hypot(*np.subtract(xy[a], xy[b]))) + extra_m)))

    def street(a, b):
        (xa, ya), (xb, yb) = xy[a], xy[b]
        prev = a
        for k in range(1, int(rng.integers(0, 3)) + 1):
            xy.append((xa + (xb - xa) * k / 4, ya + (yb - ya) * k / 4 + 3))
            piece(prev, len(xy) - 1, rng.integers(0, 5))
            prev = len(xy) - 1
        piece(prev, b, rng.integers(0, 9))

    for i in range(side * side):
        if (i + 1) % side:
            street(i, i + 1)
        if i + side < side * side:
            street(i, i + side)
        if rng.random() < 0.3:  # a spur
            prev = i
            for _ in range(int(rng.integers(1, 4))):
                x, y = xy[prev]
                xy.append((x + 7, y + 11))
                piece(prev, len(xy) - 1, rng.integers(0, 4))
                prev = len(xy) - 1
    return np.array(xy), edges


def _oracle(edges, origins, dests, weights, radius):
    g = nx.Graph()
    for a, b, d in edges:  # parallel pieces: the shortest, as the routing graph
        if not g.has_edge(a, b) or g[a][b]["weight"] > d:
            g.add_edge(a, b, weight=d)
    out = []
    for o in origins:
        near = nx.single_source_dijkstra_path_length(g, int(o), cutoff=radius)
        out.append(sum(w for t, w in zip(dests, weights, strict=True) if int(t) in near))
    return np.array(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("boxes", [True, False], ids=["box", "ball"])
@pytest.mark.parametrize("cover", [(0.0, 1e9), (0.0, 0.0)], ids=["chains", "junctions"])
def test_first_queries_on_the_query_graph_equal_networkx_and_the_whole_graph(monkeypatch, seed,
                                                                             boxes, cover):
    # the query graph whatever the size of the query: chains short-cut, then junctions too
    monkeypatch.setattr(routing, "SHORTCUT_MIN_COVER", cover[0])
    monkeypatch.setattr(routing, "BYPASS_MIN_COVER", cover[1])
    if not boxes:
        monkeypatch.setattr(routing, "BOX_MAX_REACH_FACTOR", 0.0)
    xy, edges = _streets(seed)
    u, v, w = (np.array(c) for c in zip(*edges, strict=True))
    g = graph_from_arrays(xy, u, v, w, np.full(len(u), "yes"))
    rng = np.random.default_rng(seed)
    n = g.n_nodes
    origins = rng.choice(n, 40, replace=False)
    dests = rng.choice(n, 25)
    weights = rng.integers(1, 5, len(dests)).astype(float)
    cut = routing._shortcut(g, np.union1d(origins, dests))
    assert cut is not None and len(cut[1]) < n // 2  # most nodes are passed by
    fewer = routing._query_graph(g, np.union1d(origins, dests))
    assert len(fewer[1]) < len(cut[1])  # and junctions of three arcs too
    assert g.reach_factor == 1.0
    got = count_within(g, origins, dests, [150.0, 260.0], weights=weights, tile_m=250.0)
    for j, radius in enumerate([150.0, 260.0]):
        np.testing.assert_array_equal(got[:, j], _oracle(edges, origins, dests, weights, radius))
    # from the other side (more origins than destinations) and for gravity: the same numbers
    # as on the whole graph
    back = count_within(g, dests, origins, [260.0])
    grav = gravity(g, origins, dests, weights=weights, half_distance_m=90.0, cutoff_m=260.0)
    monkeypatch.setattr(routing, "_shortcut", lambda graph, keep: None)
    whole = dataclasses.replace(g)
    np.testing.assert_array_equal(back, count_within(whole, dests, origins, [260.0]))
    np.testing.assert_allclose(grav, gravity(whole, origins, dests, weights=weights,
                                             half_distance_m=90.0, cutoff_m=260.0), rtol=1e-14)
