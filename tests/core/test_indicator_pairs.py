"""One distance block for a few selected origins (geoplan/indicators/pairs.py) against networkx
(an independent oracle) on a jittered grid made from arrays: both search directions, one-way
arcs into origins, unattached points, targets sharing a node, and origins with nothing within
the block's limit (their nearest distance needs the search beyond it)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from geoplan.indicators.pairs import block_nearest_m, block_sums, pair_block
from geoplan.routing import LIT_CODES, add_inbound_arcs, graph_from_arrays, nearest_distance_m

LIMIT = 300.0


def _network(seed: int, side: int = 16):
    """A 16 x 16 jittered grid, 50 m apart, with 85 % of its edges (so some detours)."""
    rng = np.random.default_rng(seed)
    n = side * side
    row, col = np.divmod(np.arange(n), side)
    xy = np.c_[col * 50.0, row * 50.0] + rng.uniform(-6, 6, (n, 2))
    pairs = [(i, i + 1) for i in range(n) if (i + 1) % side] + [(i, i + side)
                                                                 for i in range(n - side)]
    uv = np.array(pairs)[rng.random(len(pairs)) < 0.85]
    w = np.hypot(*(xy[uv[:, 0]] - xy[uv[:, 1]]).T) * rng.uniform(1.0, 1.3, len(uv))
    nxg = nx.DiGraph()
    nxg.add_nodes_from(range(n))
    for (a, b), x in zip(uv.tolist(), w.tolist(), strict=True):
        nxg.add_edge(a, b, weight=x)
        nxg.add_edge(b, a, weight=x)
    return rng, graph_from_arrays(xy, uv[:, 0], uv[:, 1], w, np.full(len(uv), "yes")), nxg


def _from_targets(nxg: nx.DiGraph, targets, cutoff=None) -> dict[int, dict[int, float]]:
    return {t: nx.single_source_dijkstra_path_length(nxg, t, cutoff=cutoff)
            for t in set(targets)}


@pytest.mark.parametrize("n_targets,nearest", [(5, False), (60, False), (60, True)])
def test_block_holds_every_pair_within_the_limit_at_its_network_distance(n_targets, nearest):
    rng, graph, nxg = _network(seed=n_targets)
    n = graph.n_nodes
    o_nodes = np.r_[rng.choice(n, 20, replace=False), -1]
    t_nodes = np.r_[rng.choice(n, n_targets, replace=False), -1]
    block = pair_block(graph, o_nodes, t_nodes, LIMIT, nearest=nearest)
    # 5 targets: searched from them; 60: from the 20 origins, unless nearest distances are asked
    assert block.from_targets == (n_targets == 5 or nearest)
    per_t = _from_targets(nxg, t_nodes[t_nodes >= 0], LIMIT)
    within = sorted({t for t, d in per_t.items() for o in o_nodes if d.get(o, math.inf) <= LIMIT})
    assert block.targets.tolist() == within and len(within) > 3
    want = [[per_t[t].get(o, math.inf) for t in block.targets] for o in block.origins]
    np.testing.assert_allclose(block.dist_m, want, rtol=1e-12)


def test_one_way_arcs_lead_into_the_origins_only():
    rng, graph, nxg = _network(seed=4)
    n = graph.n_nodes
    o_nodes = rng.choice(n, 25, replace=False)
    tails = (o_nodes[:10] + 37) % n  # far-away shortcuts, 1 m long, into 10 origins
    graph = add_inbound_arcs(graph, o_nodes[:10], tails, np.ones(10),
                             np.full(10, LIT_CODES["yes"], np.int8))
    for t, h in zip(tails.tolist(), o_nodes[:10].tolist(), strict=True):
        nxg.add_edge(t, h, weight=1.0)
    t_nodes = np.r_[tails, rng.choice(n, 30, replace=False)]
    block = pair_block(graph, o_nodes, t_nodes, LIMIT)
    assert block.from_targets  # not symmetric: only from the targets
    per_t = _from_targets(nxg, t_nodes, LIMIT)
    want = [[per_t[t].get(o, math.inf) for t in block.targets] for o in block.origins]
    np.testing.assert_allclose(block.dist_m, want, rtol=1e-12)
    rows, cols = block.rows(o_nodes[:10]), block.cols(tails)
    assert (block.dist_m[rows, cols] <= 1.0).all()


def test_nearest_distance_equals_the_multi_source_search_to_the_last_bit():
    rng, graph, nxg = _network(seed=8)
    n = graph.n_nodes
    o_nodes = np.r_[rng.choice(n, 40, replace=False), -1]
    t_nodes = np.r_[rng.choice(n, 12, replace=False), -1]
    t_nodes[1] = t_nodes[0]  # two targets on one node
    block = pair_block(graph, o_nodes, t_nodes, LIMIT, nearest=True)
    assert block.from_targets
    for limit in (math.inf, 450.0, LIMIT, 120.0):
        got = block_nearest_m(graph, block, o_nodes, t_nodes, limit)
        np.testing.assert_array_equal(got, nearest_distance_m(graph, o_nodes, t_nodes,
                                                              limit_m=limit))
    got = block_nearest_m(graph, block, o_nodes, t_nodes)
    dist = nx.multi_source_dijkstra_path_length(nxg, set(t_nodes[t_nodes >= 0].tolist()))
    np.testing.assert_allclose(got, [dist.get(o, math.inf) if o >= 0 else math.inf
                                     for o in o_nodes.tolist()], rtol=1e-12)
    assert (got[:-1] > LIMIT).sum() >= 3  # some origins needed the search beyond the block
    assert np.isinf(got[-1])


def test_weighted_sums_within_radii():
    rng, graph, nxg = _network(seed=2)
    n = graph.n_nodes
    o_nodes = np.r_[rng.choice(n, 30, replace=False), -1]
    t_nodes = np.r_[rng.choice(n, 50, replace=False), -1]
    t_nodes[:3] = t_nodes[3]
    weights = rng.uniform(0, 5, (len(t_nodes), 2))
    block = pair_block(graph, o_nodes, t_nodes, LIMIT)
    got = block_sums(block, o_nodes, t_nodes, weights,
                     lambda d: [d <= 150.0, np.exp(-d / 100.0)], 2)
    per_t = _from_targets(nxg, t_nodes[t_nodes >= 0], LIMIT)
    d = np.array([[per_t[t].get(o, math.inf) if t >= 0 else math.inf for t in t_nodes]
                  for o in o_nodes[:-1]])
    np.testing.assert_allclose(got[:-1, 0], (d <= 150.0) @ weights, rtol=1e-12)
    np.testing.assert_allclose(got[:-1, 1], np.exp(-d / 100.0) @ weights, rtol=1e-12)
    assert np.isnan(got[-1]).all() and (got[:-1, 0] > 0).sum() > 10


def test_too_many_cells_for_one_block_is_left_to_the_tiles():
    _, graph, _ = _network(seed=1)
    nodes = np.arange(graph.n_nodes)
    assert pair_block(graph, nodes, nodes, LIMIT, max_cells=64 * graph.n_nodes - 1) is None
    assert pair_block(graph, nodes[:40], nodes, 5000.0, max_cells=40 * graph.n_nodes - 1) is None
    assert pair_block(graph, nodes[:40], nodes, 5000.0, max_cells=40 * graph.n_nodes) is not None
