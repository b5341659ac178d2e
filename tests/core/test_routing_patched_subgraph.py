"""The patched graph seen near the edit (issue #15): :func:`geoplan.routing.patched_subgraph`,
:func:`geoplan.routing.add_arcs` (vectorised), ``patch_arcs(edges=...)`` and the box lookup of
the scenario recompute.

Oracles: networkx graphs built here from the edge lists (the shortest of parallel arcs kept
by hand), the lit codes and positions derived from the same lists, plain numpy box tests,
and ``patch_arcs`` reading every edge.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from geoplan.routing import (
    LIT_CODES,
    _single_pieces,
    add_arcs,
    graph_from_arrays,
    patch_arcs,
    patch_reach_factor,
    patched_subgraph,
)
from geoplan.scenario import apply_scenario, prepare_baseline
from geoplan.scenario.recompute import _box_index, _box_nodes, _Family
from geoplan.study import Study
from geoplan.types import NewPath, Scenario

ROOT = Path(__file__).resolve().parents[2]
LIT = ("no", "yes", "unknown")


def _case(seed: int):
    """A jittered 12 x 12 grid (100 m apart, random lit), 3 new nodes and 25 added arcs:
    between old nodes (some parallel to grid edges, shorter or longer), to new nodes, loops."""
    rng = np.random.default_rng(seed)
    k = 12
    ij = np.array([(i, j) for i in range(k) for j in range(k)])
    xy = ij * 100.0 + rng.uniform(-20, 20, (k * k, 2))
    u = np.array([i * k + j for i, j in ij.tolist() for di, dj in ((1, 0), (0, 1))
                  if i + di < k and j + dj < k])
    v = np.array([(i + di) * k + j + dj for i, j in ij.tolist() for di, dj in ((1, 0), (0, 1))
                  if i + di < k and j + dj < k])
    w = np.hypot(*(xy[u] - xy[v]).T) * (1 + rng.uniform(0, 0.3, len(u)))
    lit = rng.choice(LIT, len(u))
    g = graph_from_arrays(xy, u, v, w, lit)
    new_xy = rng.uniform(0, 1100, (3, 2))
    n = g.n_nodes + 3
    e = rng.integers(0, len(u), 8)  # parallel to grid edges: half shorter, half longer
    a = np.r_[u[e], rng.integers(0, n, 15), n - 1, n - 2]
    b = np.r_[v[e], rng.integers(0, n, 15), n - 1, n - 3]
    aw = np.r_[w[e] * np.where(np.arange(8) % 2, 0.5, 1.5), rng.uniform(50, 400, 17)]
    code = rng.integers(0, 3, len(a)).astype(np.int8)
    arcs = [(int(p), int(q), float(x), int(c)) for p, q, x, c in
            zip(np.r_[u, v], np.r_[v, u], np.r_[w, w], [LIT_CODES[s] for s in lit] * 2,
                strict=True)]
    arcs += [(int(p), int(q), float(x), int(c)) for p, q, x, c in
             zip(np.r_[a, b], np.r_[b, a], np.r_[aw, aw], np.r_[code, code], strict=True)]
    return g, (new_xy, a, b, aw, code), arcs, np.vstack([xy, new_xy])


def _nx(arcs: list, nodes: np.ndarray) -> tuple[nx.DiGraph, dict]:
    """networkx graph of ``arcs`` between ``nodes``; the shortest arc per pair (the first of
    equal ones) and its lit code."""
    keep = set(nodes.tolist())
    best: dict = {}
    for p, q, x, c in arcs:
        if p != q and p in keep and q in keep and ((p, q) not in best or x < best[(p, q)][0]):
            best[(p, q)] = (x, c)
    G = nx.DiGraph()
    G.add_nodes_from(nodes.tolist())
    G.add_weighted_edges_from((p, q, x) for (p, q), (x, _) in best.items())
    return G, best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patched_subgraph_is_the_patched_graph_on_those_nodes(seed):
    g, patch, arcs, all_xy = _case(seed)
    rng = np.random.default_rng(seed + 10)
    nodes = np.sort(rng.choice(g.n_nodes + 3, 90, replace=False))
    g = dataclasses.replace(g, point_nodes=(rng.integers(-1, g.n_nodes, 40),),
                            edge_nodes=(rng.integers(-1, g.n_nodes, 40),))
    sub = patched_subgraph(g, *patch, nodes)
    G, best = _nx(arcs, nodes)
    src = [0, 5, 30, 60, 89]
    d = dijkstra(sub.csr, directed=True, indices=src)
    for s, row in zip(src, d, strict=True):
        want = nx.single_source_dijkstra_path_length(G, int(nodes[s]))
        got = {int(nodes[i]): x for i, x in enumerate(row) if np.isfinite(x)}
        assert got.keys() == want.keys()
        np.testing.assert_allclose([got[t] for t in want], list(want.values()), rtol=1e-12)
    coo = sub.csr.tocoo()  # every arc: the shortest of its pair, with that arc's lit code
    found = {(int(nodes[r]), int(nodes[c])): (x, int(lit)) for r, c, x, lit in
             zip(coo.row, coo.col, coo.data, sub.arc_lit, strict=True)}
    assert found == best
    np.testing.assert_array_equal(sub.node_xy, all_xy[nodes])
    for mine, theirs in ((sub.point_nodes[0], g.point_nodes[0]),
                         (sub.edge_nodes[0], g.edge_nodes[0])):
        where = {int(x): i for i, x in enumerate(nodes)}
        np.testing.assert_array_equal(mine, [where.get(int(x), -1) for x in theirs])
    full = add_arcs(g, *patch)  # the whole patched graph: the same arcs, from networkx too
    G_all, best_all = _nx(arcs, np.arange(full.n_nodes))
    coo = full.csr.tocoo()
    assert {(int(r), int(c)): (x, int(lit)) for r, c, x, lit in
            zip(coo.row, coo.col, coo.data, full.arc_lit, strict=True)} == best_all
    assert sub.reach_factor == full.reach_factor == patch_reach_factor(g, *patch[:4])


def test_patch_reach_factor_by_hand():
    g = graph_from_arrays([[0, 0], [100, 0], [300, 0]], [0, 1], [1, 2], [100.0, 200.0])
    assert patch_reach_factor(g, [], [], [], []) == 1.0
    assert patch_reach_factor(g, [[0, 50]], [0], [3], [25.0]) == 2.0  # 50 m apart, 25 m long
    assert patch_reach_factor(g, [], [0], [2], [0.0]) == np.inf


def test_box_nodes_are_the_nodes_in_the_box():
    rng = np.random.default_rng(4)
    xy = np.r_[rng.uniform(0, 5000, (3000, 2)), [[2500.0, 2500.0]] * 3]  # ties on the edges
    g = graph_from_arrays(xy, [0], [1], [1e4])
    new_xy = rng.uniform(0, 5000, (7, 2))
    fam = _Family(g, (new_xy, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                      np.zeros(0, np.int8)), np.zeros(0, np.int64), np.inf, n_base=g.n_nodes,
                  box_index=_box_index(g))
    all_xy = np.r_[xy, new_xy]
    for lo, hi in [((2500.0, 2500.0), (2500.0, 2500.0)), ((-10.0, 100.0), (300.0, 4900.0)),
                   ((4000.0, -50.0), (6000.0, 20.0)), ((-1e9, -1e9), (1e9, 1e9)),
                   ((100.0, 100.0), (50.0, 50.0))]:
        lo, hi = np.array(lo), np.array(hi)
        want = np.flatnonzero(np.all((all_xy >= lo) & (all_xy <= hi), axis=1))
        np.testing.assert_array_equal(_box_nodes(fam, lo, hi), want)


@pytest.fixture(scope="module")
def synth_applied():
    """A synthetic town of 3,000 nodes and a new lit path across it, applied."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        synth = importlib.import_module("synth")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    m = synth.municipality(3000)
    base = prepare_baseline(Study(m.data, m.network, m.cells, spec=m.spec))
    xy = shapely.get_coordinates(m.network.nodes.geometry.values)
    a = xy[((xy - xy.mean(axis=0)) ** 2).sum(axis=1).argmin()]
    b = xy[((xy - a - (300, 200)) ** 2).sum(axis=1).argmin()]
    path = NewPath(shapely.LineString([a, b]), lit=True)
    return base, apply_scenario(Scenario("path", (path,), crs=m.network.crs), base.inputs)


def test_patch_arcs_reading_the_touched_edges_only_gives_the_same_arcs(synth_applied):
    synth, ap = synth_applied
    net = synth.inputs.network
    touched = np.flatnonzero((ap.edge_parent < 0) | ap.edge_split | ap.edge_relit)
    assert ap.edge_split.sum() >= 2 and len(touched) < len(ap.edge_parent) / 10
    atts = [synth.origin_att, synth.dest_att]
    parent = ap.edge_parent
    mask = synth.night_mask[np.maximum(parent, 0)] | ap.edge_relit
    mask[parent < 0] = True
    for g, kw in ((synth.day_graph, {}),
                  (synth.night_graph, {"edge_mask": mask, "base_edge_mask": synth.night_mask})):
        every = patch_arcs(g, atts, net, ap.inputs.network, parent, **kw)
        some = patch_arcs(g, atts, net, ap.inputs.network, parent, edges=touched, **kw)
        assert len(every[1]) > 3
        for x, y in zip(every, some, strict=True):
            np.testing.assert_array_equal(x, y)


def test_one_read_of_the_edited_edges_serves_every_graph(synth_applied):
    """``edited_edges`` made once (as the recompute shares it between its day, night and
    green graphs) gives each graph the arcs patch_arcs finds reading every edge for it."""
    from geoplan.indicators.green import entries_attachment
    from geoplan.routing import edited_edges

    synth, ap = synth_applied
    net, parent = synth.inputs.network, ap.edge_parent
    touched = np.flatnonzero((parent < 0) | ap.edge_split | ap.edge_relit)
    edit = edited_edges(net, ap.inputs.network, parent, touched)
    assert len(edit.chains) >= 2  # (cut base edges)
    mask = synth.night_mask[np.maximum(parent, 0)] | ap.edge_relit
    mask[parent < 0] = True
    green_atts = [synth.origin_att, entries_attachment(synth.green_graph[1])]
    for g, atts, kw in ((synth.day_graph, [synth.origin_att, synth.dest_att], {}),
                        (synth.night_graph, [synth.origin_att, synth.dest_att],
                         {"edge_mask": mask, "base_edge_mask": synth.night_mask}),
                        (synth.green_graph[0], green_atts, {})):
        every = patch_arcs(g, atts, net, ap.inputs.network, parent, **kw)
        shared = patch_arcs(g, atts, net, ap.inputs.network, parent, edit=edit, **kw)
        assert len(every[1]) > 3
        for x, y in zip(every, shared, strict=True):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_single_pieces_against_counting_each_base_edge(seed):
    rng = np.random.default_rng(seed)
    m0 = 60  # base edges; some cut (extra pieces appended), some gone, ids shuffled or kept
    parent = np.arange(m0)
    parent = np.r_[parent[rng.random(m0) > 0.1], rng.integers(0, m0, 25), [-1] * 4]
    if seed != 5:
        parent = rng.permutation(parent)
    base_edge = np.r_[rng.integers(-1, m0, 200), -1]
    edge, cut = _single_pieces(parent, base_edge)
    rows = {e: [i for i, p in enumerate(parent.tolist()) if p == e] for e in range(m0)}
    want = [rows[e][0] if e >= 0 and len(rows[e]) == 1 else -1 for e in base_edge.tolist()]
    assert edge.tolist() == want
    assert cut.tolist() == sorted(i for r in rows.values() if len(r) > 1 for i in r)
