"""The exact update of a cell's pairs through a scenario's edit (issue #15, session 24).

A baseline keeps every origin-target pair within each graph's cutoff
(:func:`geoplan.indicators.pairs.pair_store`); after an edit that only adds nodes and arcs,
a pair's distance is ``min(stored, route through an end of an added arc)``
(:func:`geoplan.scenario.recompute._pairs_near_edit`,
:func:`geoplan.indicators.pairs.merged_block`). Oracles: a square whose distances are read
off the drawing, and networkx's Dijkstra on the patched graph of a jittered grid, pair by
pair.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import test_scenario_bounded_search as bounded

from geoplan.indicators.pairs import block_sums, pair_store
from geoplan.routing import LIT_CODES, add_arcs, graph_from_arrays, patch_reach_factor
from geoplan.scenario.recompute import _box_index, _cover, _Family, _pairs_near_edit, _search_near


def _family(g, new_xy, a, b, w, cutoff: float) -> _Family:
    """The stored graph ``g`` patched with the arcs ``a``-``b`` of lengths ``w`` (new nodes
    at ``new_xy``), as :func:`geoplan.scenario.recompute._patch` makes it."""
    new_xy = np.asarray(new_xy, float).reshape(-1, 2)
    a, b, w = (np.asarray(x) for x in (a, b, w))
    return _Family(g, (new_xy, a, b, w, np.full(len(a), LIT_CODES["unknown"], np.int8)),
                   _cover(g, a, b, w), np.inf, "t", np.unique(np.r_[a, b]), g.n_nodes,
                   float(cutoff), _box_index(g), (np.r_[a, b], np.r_[b, a], np.r_[w, w]),
                   patch_reach_factor(g, new_xy, a, b, w))


def _near_edit(fam: _Family, store, o_nodes, targets, cutoff: float):
    ids, d, csr = _search_near(fam, fam.arc_ends, cutoff)
    return _pairs_near_edit(fam, store, (ids, d, csr, None), np.asarray(o_nodes),
                            np.asarray(targets), cutoff)


def test_a_new_side_of_a_square_on_paper():
    # A(0,0) -300- B(300,0) -300- C(300,300) -300- D(0,300); E(900,0) -600- B.
    # Origins A, C, E; targets B, D; cutoff 400 m. Before: A reaches B (300), D is 900 m
    # away; C reaches B and D (300 each); E reaches nothing within 400 m.
    g = graph_from_arrays([[0, 0], [300, 0], [300, 300], [0, 300], [900, 0]],
                          [0, 1, 2, 1], [1, 2, 3, 4], [300.0, 300.0, 300.0, 600.0])
    store = pair_store(g, np.array([0, 2, 4]), np.array([1, 3]), 400.0)
    assert store.origins.tolist() == [0, 2, 4]
    assert store.indptr.tolist() == [0, 1, 3, 3]
    assert store.targets.tolist() == [1, 1, 3] and store.dist_m.tolist() == [300.0] * 3
    # the edit: a path A-D of 300 m closes the square
    fam = _family(g, [], [0], [3], [300.0], 400.0)
    rows, block = _near_edit(fam, store, [0, 2, 4], [1, 3], 400.0)
    # A and C reach a target through an end of the new path within 400 m (C: D at 0 + 300);
    # E does not (A is 900 m away): its pairs are the stored ones, untouched
    assert rows.tolist() == [True, True, False]
    assert block.origins.tolist() == [0, 2] and block.targets.tolist() == [1, 3]
    # A: B stays 300 (through the edit: B-A 300 + 0), D now 300 (was 900, beyond 400);
    # C: both 300, as before
    assert block.dist_m.tolist() == [[300.0, 300.0], [300.0, 300.0]]
    counts = block_sums(block, np.array([0, 2]), np.array([1, 3]), np.ones((2, 1)),
                        lambda d: [d <= 400.0], 1)[:, 0, 0]
    assert counts.tolist() == [2.0, 2.0]  # A: 1 before the edit


@pytest.mark.parametrize("seed", [1, 2])
def test_pairs_through_the_edit_equal_networkx_on_the_patched_graph(seed):
    k, cutoff = 20, 900.0
    xy, u, v, w = bounded._grid(k, seed, island=False)
    g = graph_from_arrays(xy, u, v, w)
    rng = np.random.default_rng(seed)
    origins = np.sort(rng.choice(k * k, 250, replace=False))
    targets = np.sort(rng.choice(k * k, 100, replace=False))
    store = pair_store(g, origins, targets, cutoff)
    # a straight path across the middle with one new node halfway: a shortcut
    p, q = 8 * k + 8, 10 * k + 11
    mid = (xy[p] + xy[q]) / 2
    a, b = np.array([p, g.n_nodes]), np.array([g.n_nodes, q])
    lengths = np.hypot(*(np.array([xy[p], mid]) - np.array([mid, xy[q]])).T)
    fam = _family(g, [mid], a, b, lengths, cutoff)
    rows, block = _near_edit(fam, store, origins, targets, cutoff)
    G = bounded._nx_graph(add_arcs(g, [mid], a, b, lengths))
    truth = {t: nx.single_source_dijkstra_path_length(G, t, cutoff=cutoff * (1 + 1e-9))
             for t in targets.tolist()}
    changed = 0
    for i, o in enumerate(origins.tolist()):
        new = {t: truth[t][o] for t in targets.tolist() if o in truth[t]}
        sl = slice(store.indptr[i], store.indptr[i + 1])
        old = dict(zip(store.targets[sl].tolist(), store.dist_m[sl].tolist(), strict=True))
        if not rows[i]:  # not selected: no pair within the cutoff changed
            assert new.keys() == old.keys()
            np.testing.assert_allclose([new[t] for t in old], list(old.values()), rtol=1e-12)
            continue
        r = int(np.searchsorted(block.origins, o))
        got = {t: d for t, d in zip(block.targets.tolist(), block.dist_m[r].tolist(),
                                    strict=True) if d <= cutoff}
        assert got.keys() == new.keys()
        np.testing.assert_allclose([got[t] for t in new], list(new.values()), rtol=1e-12)
        changed += new != old
    assert rows.sum() > 10 and changed > 3  # the shortcut changes pairs, and not everywhere


@pytest.mark.parametrize("n_origins, n_targets", [(250, 40), (40, 250)])
def test_the_store_equals_networkx_searched_from_either_side(n_origins, n_targets):
    # a symmetric graph is searched from the smaller set (fewer origins than targets: from
    # the origins, as the demo's green graph with 198 origins and 7,195 entries and homes)
    k, cutoff = 20, 700.0
    xy, u, v, w = bounded._grid(k, 3, island=False)
    g = graph_from_arrays(xy, u, v, w)
    rng = np.random.default_rng(3)
    origins = np.sort(rng.choice(k * k, n_origins, replace=False))
    targets = np.sort(rng.choice(k * k, n_targets, replace=False))
    store = pair_store(g, origins, targets, cutoff)
    G = bounded._nx_graph(g)
    for i, o in enumerate(store.origins.tolist()):
        truth = nx.single_source_dijkstra_path_length(G, o, cutoff=cutoff * (1 + 1e-9))
        sl = slice(store.indptr[i], store.indptr[i + 1])
        want = {t: truth[t] for t in targets.tolist() if t in truth}
        assert store.targets[sl].tolist() == sorted(want)
        np.testing.assert_allclose(store.dist_m[sl], [want[t] for t in sorted(want)],
                                   rtol=1e-12)
