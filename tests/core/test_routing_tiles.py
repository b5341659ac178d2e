"""The tile plan of ``count_within`` / ``gravity`` kept on a routing graph (routing
``_kept_tile_plan``): a query asked again reuses it, and every answer equals the one of a graph
that keeps nothing and a networkx oracle, whatever came before on the same graph; a patched
graph is a new graph and never sees the plan of the graph it came from."""

from __future__ import annotations

import dataclasses
import gc
import math

import networkx as nx
import numpy as np
import pytest

from geoplan import routing
from geoplan.routing import add_arcs, count_within, graph_from_arrays, gravity

SIDE, STEP = 14, 50.0


def _lattice():
    """14 x 14 lattice of 50 m streets (lit), nodes ``row * 14 + col`` at ``(col, row) * 50``."""
    r, c = np.divmod(np.arange(SIDE * SIDE), SIDE)
    xy = np.c_[c * STEP, r * STEP]
    uv = np.array([(i, i + 1) for i in range(SIDE * SIDE) if (i + 1) % SIDE]
                  + [(i, i + SIDE) for i in range(SIDE * SIDE - SIDE)])
    return xy, uv


def _oracle(edges, origins, dests, weights, radius):
    """Weighted count of ``dests`` within ``radius`` of each origin, one networkx Dijkstra
    per origin."""
    g = nx.Graph()
    g.add_weighted_edges_from(edges)
    out = []
    for o in origins:
        d = nx.single_source_dijkstra_path_length(g, int(o), cutoff=radius)
        out.append(sum(w for t, w in zip(dests, weights, strict=True) if int(t) in d))
    return np.array(out, dtype=float)


def _fresh(g):
    """The same graph as a new object: nothing kept on it."""
    return dataclasses.replace(g)


@pytest.mark.parametrize("batch", [1, 3, 16])  # tiles prepared together
@pytest.mark.parametrize("boxes", [True, False], ids=["box", "ball"])
def test_queries_in_any_order_equal_a_fresh_graph_and_networkx(monkeypatch, boxes, batch):
    monkeypatch.setattr(routing, "TILE_BATCH", batch)
    if not boxes:
        monkeypatch.setattr(routing, "BOX_MAX_REACH_FACTOR", 0.0)
    xy, uv = _lattice()
    g = graph_from_arrays(xy, uv[:, 0], uv[:, 1], np.full(len(uv), STEP), np.full(len(uv), "yes"))
    edges = [(int(a), int(b), STEP) for a, b in uv]
    rng = np.random.default_rng(7)
    origins = rng.choice(SIDE * SIDE, 30, replace=False)  # fewer: the Dijkstra sources
    dests = [rng.choice(SIDE * SIDE, 45, replace=False), rng.choice(SIDE * SIDE, 60)]
    weights = [rng.integers(1, 5, len(d)).astype(float) for d in dests]
    # each query three times (kept from the second), interleaved with queries from the same
    # sources on the same tiles to other targets or another limit, so a plan kept for one
    # query is never used for another
    asks = [(0, 150.0, 200.0), (0, 150.0, 200.0), (1, 150.0, 200.0), (0, 150.0, 200.0),
            (0, 150.0, 200.0), (0, 300.0, 200.0), (0, 300.0, 200.0), (0, 300.0, 200.0),
            (1, 300.0, 200.0), (1, 300.0, 200.0), (1, 300.0, None), (1, 300.0, 200.0),
            (0, 150.0, 200.0), (0, 150.0, None), (0, 150.0, None), (0, 150.0, None)]
    for k, radius, tile_m in asks:
        got = count_within(g, origins, dests[k], [radius], weights=weights[k], tile_m=tile_m)
        fresh = count_within(_fresh(g), origins, dests[k], [radius], weights=weights[k],
                             tile_m=tile_m)
        np.testing.assert_array_equal(got, fresh)
        np.testing.assert_array_equal(got[:, 0], _oracle(edges, origins, dests[k], weights[k],
                                                         radius))
    # the same tiles serve gravity with the same cutoff (and the reverse direction)
    for _ in range(3):
        np.testing.assert_allclose(
            gravity(g, origins, dests[1], half_distance_m=100.0, cutoff_m=300.0),
            gravity(_fresh(g), origins, dests[1], half_distance_m=100.0, cutoff_m=300.0),
            rtol=1e-15)
        np.testing.assert_array_equal(count_within(g, dests[1], origins, [300.0]),
                                      count_within(_fresh(g), dests[1], origins, [300.0]))


def test_a_plan_is_kept_from_the_second_ask_and_freed_with_the_graph():
    xy, uv = _lattice()
    g = graph_from_arrays(xy, uv[:, 0], uv[:, 1], np.full(len(uv), STEP), np.full(len(uv), "no"))
    o, d = np.arange(0, SIDE * SIDE, 3), np.arange(1, SIDE * SIDE, 7)
    count_within(g, o, d, [200.0])
    assert routing._TILE_PLANS[g][1] is None  # a one-off query keeps only its key
    count_within(g, o, d, [200.0])
    plan = routing._TILE_PLANS[g][1]
    assert plan
    count_within(g, o, d, [200.0])
    assert routing._TILE_PLANS[g][1] is plan
    count_within(g, o, d, [250.0])  # another query: its key replaces the plan
    assert routing._TILE_PLANS[g][1] is None
    n = len(routing._TILE_PLANS)
    del g, plan
    gc.collect()
    assert len(routing._TILE_PLANS) == n - 1


def test_a_patched_graph_never_sees_the_plan_of_its_base():
    """A diagonal path (70.7 m, as the crow flies) across one block of the lattice: after it,
    counts near it grow; the patched graph answers as networkx on the patched lattice although
    the base graph kept a plan for the very same query."""
    xy, uv = _lattice()
    g = graph_from_arrays(xy, uv[:, 0], uv[:, 1], np.full(len(uv), STEP), np.full(len(uv), "yes"))
    origins = np.arange(SIDE * SIDE)
    dests = np.arange(0, SIDE * SIDE, 2)
    radius = 130.0  # 150 m on the lattice, 120.7 m by the diagonal
    before = [count_within(g, origins, dests, [radius]) for _ in range(3)]
    assert routing._TILE_PLANS[g][1]
    a, b = 5 * SIDE + 5, 6 * SIDE + 6
    diag = math.hypot(STEP, STEP)
    patched = add_arcs(g, [], [a], [b], [diag])
    edges = [(int(p), int(q), STEP) for p, q in uv] + [(a, b, diag)]
    want = _oracle(edges, origins, dests, np.ones(len(dests)), radius)
    for _ in range(3):
        np.testing.assert_array_equal(count_within(patched, origins, dests, [radius])[:, 0],
                                      want)
    assert np.any(want > before[0][:, 0])
    np.testing.assert_array_equal(count_within(g, origins, dests, [radius]), before[0])
