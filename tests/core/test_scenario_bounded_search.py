"""The search from a scenario's edit that stops where no node gets closer (issue #15).

Oracle: networkx's multi-source Dijkstra on the patched graph (the whole graph, no bound),
compared at every node with ``min(old, route through the edit)``; the search starts with a
1 m reach, so the improved area (kilometres) is found by widening it. And, on a synthetic
municipality, the layers with and without the baseline's per-node distances.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from geoplan.routing import LIT_CODES, add_arcs, graph_from_arrays, patch_reach_factor
from geoplan.scenario import apply_scenario, prepare_baseline, recompute
from geoplan.scenario.recompute import _box_holds_all, _box_index, _Family, _via_bounded
from geoplan.study import Study
from geoplan.types import NewPath, Scenario

ROOT = Path(__file__).resolve().parents[2]


def _grid(k: int, seed: int, island: bool):
    """A ``k`` x ``k`` grid, 100 m apart, jittered; edges 0-40 % longer than straight, 15 %
    dropped; with ``island``, the right third cut off from the rest."""
    rng = np.random.default_rng(seed)
    ij = np.array([(i, j) for i in range(k) for j in range(k)])
    xy = ij * 100.0 + rng.uniform(-20, 20, (k * k, 2))
    u, v = [], []
    for a, (i, j) in enumerate(ij.tolist()):
        for di, dj in ((1, 0), (0, 1)):
            if i + di < k and j + dj < k and rng.random() > 0.15:
                if island and (i < 2 * k // 3) != (i + di < 2 * k // 3):
                    continue
                u.append(a)
                v.append((i + di) * k + j + dj)
    u, v = np.array(u), np.array(v)
    w = np.hypot(*(xy[u] - xy[v]).T) * (1 + rng.uniform(0, 0.4, len(u)))
    return xy, u, v, w


def _nx_graph(g) -> nx.DiGraph:
    """``g``'s arcs as a networkx graph (the shortest of parallel arcs)."""
    coo = g.csr.tocoo()
    G = nx.DiGraph()
    G.add_nodes_from(range(g.n_nodes))
    for r, c, d in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        if not G.has_edge(r, c) or G[r][c]["weight"] > d:
            G.add_edge(r, c, weight=d)
    return G


def _nx_distances(g, targets) -> np.ndarray:
    got = nx.multi_source_dijkstra_path_length(_nx_graph(g), set(targets.tolist()))
    out = np.full(g.n_nodes, np.inf)
    out[list(got)] = list(got.values())
    return out


@pytest.mark.parametrize(("seed", "island", "cutoff"),
                         [(1, False, 1.0), (2, False, 1.0), (3, True, 1.0), (1, False, 1e4),
                          (3, True, 1e4)])
def test_route_through_the_edit_equals_networkx_at_every_node(seed, island, cutoff):
    # cutoff 1 m: the search is widened from 1 m; 10 km: its box holds the whole graph (3 km
    # across), which is then searched at once with no bound
    k = 30
    xy, u, v, w = _grid(k, seed, island)
    g = graph_from_arrays(xy, u, v, w)
    targets = np.array([0, k + 1, 2 * k])  # near the corner (0, 0)
    old = dijkstra(g.csr, directed=True, indices=targets, min_only=True)
    # a straight path from near the targets across the grid: one new node in the middle
    p, q = 2 * k + 2, (k - 3) * k + k - 3
    mid = (xy[p] + xy[q]) / 2
    a, b = np.array([p, g.n_nodes]), np.array([g.n_nodes, q])
    lengths = np.hypot(*(np.array([xy[p], mid]) - np.array([mid, xy[q]])).T)
    patched = add_arcs(g, [mid], a, b, lengths)
    fam = _Family(g, (np.array([mid]), a, b, lengths, np.full(2, LIT_CODES["unknown"], np.int8)),
                  np.array([g.n_nodes]), np.inf, "t", np.unique(np.r_[a, b]), g.n_nodes, cutoff,
                  _box_index(g), (np.r_[a, b], np.r_[b, a], np.r_[lengths, lengths]),
                  patch_reach_factor(g, [mid], a, b, lengths))
    assert _box_holds_all(fam, fam.arc_ends, cutoff) == (cutoff > 1.0)
    via, bound = (x["t"] for x in _via_bounded(fam, {"t": old}, np.arange(patched.n_nodes)))
    new = _nx_distances(patched, targets)
    before = np.r_[old, np.inf]
    closer = new < before - 1e-6
    assert closer.sum() > 50  # the edit brings many nodes closer, far away
    np.testing.assert_allclose(np.minimum(before, via), new, rtol=1e-12, atol=1e-9)
    # the cells within a cutoff of the edit come from a lower bound of routes over it
    assert np.all(bound[closer] <= new[closer] + 1e-9)


@pytest.fixture(scope="module")
def synth_base():
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    synth = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # for dataclasses
    spec.loader.exec_module(synth)
    m = synth.municipality(3000)
    return prepare_baseline(Study(m.data, m.network, m.cells, spec=m.spec))


def test_baseline_without_node_distances_gives_the_same_layers(synth_base):
    xy = shapely.get_coordinates(synth_base.inputs.network.nodes.geometry.values)
    a = xy[((xy - xy.mean(axis=0)) ** 2).sum(axis=1).argmin()]
    b = xy[((xy - a - (300, 200)) ** 2).sum(axis=1).argmin()]
    s = Scenario("path", (NewPath(shapely.LineString([a, b]), lit=True),),
                 crs=synth_base.inputs.network.crs)
    applied = apply_scenario(s, synth_base.inputs)
    bounded, stats = recompute(synth_base, applied)
    assert stats.graphs == "patched"
    plain, _ = recompute(dataclasses.replace(synth_base, node_dist=None), applied)
    pd.testing.assert_frame_equal(bounded.grid, plain.grid, check_exact=False, rtol=1e-9,
                                  atol=1e-9)


def test_baseline_without_pairs_gives_the_same_layers(synth_base):
    # a lit path near the middle: the cells near it read their counts, gravity, green m² and
    # residents off the stored pairs (Baseline.pairs) or, without them, search again
    xy = shapely.get_coordinates(synth_base.inputs.network.nodes.geometry.values)
    a = xy[((xy - xy.mean(axis=0)) ** 2).sum(axis=1).argmin()]
    b = xy[((xy - a - (200, -150)) ** 2).sum(axis=1).argmin()]
    s = Scenario("path", (NewPath(shapely.LineString([a, b]), lit=True),),
                 crs=synth_base.inputs.network.crs)
    applied = apply_scenario(s, synth_base.inputs)
    assert set(synth_base.pairs) == {"day", "night", "green"}
    with_pairs, stats = recompute(synth_base, applied)
    assert stats.graphs == "patched" and stats.cells["access"] > 0
    searched, _ = recompute(dataclasses.replace(synth_base, pairs=None), applied)
    pd.testing.assert_frame_equal(with_pairs.grid, searched.grid, check_exact=False,
                                  rtol=1e-9, atol=1e-9)
