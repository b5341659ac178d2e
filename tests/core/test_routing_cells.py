"""The cell index that cuts each tile's box of nodes from its row's band (routing
``_cell_index`` / ``_band_tiles``), against a brute-force comparison of every node with the
box and a Dijkstra on the whole graph, and ``count_within`` on a lattice whose nodes sit
exactly on cell edges, against networkx."""

from __future__ import annotations

import gc

import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from geoplan import routing
from geoplan.routing import count_within, graph_from_arrays


def _brute(xy: np.ndarray, lo, hi) -> np.ndarray:
    inside = ((xy[:, 0] >= lo[0]) & (xy[:, 0] <= hi[0]) & (xy[:, 1] >= lo[1])
              & (xy[:, 1] <= hi[1]))
    return np.flatnonzero(inside)


@pytest.mark.parametrize("cells_per_tile", [1, 4, 16])
@pytest.mark.parametrize("seed", [3, 8])
def test_each_tile_holds_its_box_and_exact_distances(monkeypatch, cells_per_tile, seed):
    """The band cut (routing ``_band_tiles``): each tile's subgraph holds every target within
    ``limit`` of its sources' bounding box (a brute-force comparison with every node), and a
    Dijkstra on it gives each target within ``limit`` its distance on the whole graph; a
    source left out (its tile holds no target) has no target within ``limit``. Half the
    nodes sit on a 25 m lattice: on cell edges and on the box edges."""
    monkeypatch.setattr(routing, "BOX_CELLS_PER_TILE", cells_per_tile)
    rng = np.random.default_rng(seed)
    xy = np.unique(np.r_[rng.uniform(-300, 500, (300, 2)),
                         rng.integers(-12, 20, (300, 2)) * 25.0], axis=0)
    n = len(xy)
    a, b = rng.integers(0, n, 1200), rng.integers(0, n, 1200)
    a, b = a[a != b], b[a != b]
    length = np.hypot(*(xy[a] - xy[b]).T) * rng.uniform(1.0, 1.3, len(a))
    g = graph_from_arrays(xy, a, b, length, np.full(len(a), "yes"))
    src = np.unique(rng.integers(0, n, 60))
    tgt = np.unique(rng.integers(0, n, 200))
    for limit, tile_m in [(50.0, 100.0), (75.0, 125.0), (200.0, 400.0), (0.0, 1e5)]:
        full = dijkstra(g.csr, indices=src, limit=limit)[:, tgt]
        _, tiles = routing._tile_plan(g, src, tgt, limit, tile_m)
        left = np.ones(len(src), bool)
        for tile in tiles:
            assert left[tile.src_pos].all()  # each source in one tile
            left[tile.src_pos] = False
            s_xy = xy[src[tile.src_pos]]
            box = _brute(xy, s_xy.min(axis=0) - limit, s_xy.max(axis=0) + limit)
            assert set(np.flatnonzero(np.isin(tgt, box))) <= set(tile.tgt_pos.tolist())
            assert np.diff(tile.sub.indptr)[0] == 0 and (tile.ids >= 1).all()  # 0: the sink
            got = dijkstra(tile.sub, indices=tile.ids, limit=limit)[:, 1 : len(tile.tgt_pos) + 1]
            want = full[tile.src_pos]
            np.testing.assert_array_equal(got, want[:, tile.tgt_pos])
            others = np.setdiff1d(np.arange(len(tgt)), tile.tgt_pos)
            assert np.isinf(want[:, others]).all()
        assert np.isinf(full[left]).all()


def test_cell_index_is_kept_per_graph_and_freed_with_it():
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]])
    g = graph_from_arrays(xy, np.array([0, 1]), np.array([1, 2]), np.array([100.0, 100.0]),
                          np.array(["yes", "no"]))
    first = routing._graph_cell_index(g, 50.0)
    assert routing._graph_cell_index(g, 50.0) is first
    assert routing._graph_cell_index(g, 80.0) is not first
    n = len(routing._CELL_INDEXES)
    del g, first
    gc.collect()
    assert len(routing._CELL_INDEXES) == n - 1


@pytest.mark.parametrize("box", [0.0, np.inf], ids=["ball", "box"])
def test_counts_on_a_lattice_on_cell_edges(monkeypatch, box):
    """11 x 11 lattice of 50 m: with tile_m 100 the cells are 50 m, so every node sits on a cell
    edge, and radii of whole blocks put pairs at exactly the radius (they count)."""
    monkeypatch.setattr(routing, "BOX_MAX_REACH_FACTOR", box)
    side, step = 11, 50.0
    r, c = np.divmod(np.arange(side * side), side)
    xy = np.c_[c * step, r * step]
    uv = np.array([(i, i + 1) for i in range(side * side) if (i + 1) % side]
                  + [(i, i + side) for i in range(side * side - side)])
    length = np.full(len(uv), step)
    g = graph_from_arrays(xy, uv[:, 0], uv[:, 1], length, np.full(len(uv), "yes"))
    rng = np.random.default_rng(4)
    origins = rng.choice(side * side, 40, replace=False)
    dests = rng.choice(side * side, 30, replace=False)
    weights = rng.integers(1, 5, 30).astype(float)
    radii = [0.0, 100.0, 150.0, 300.0]
    nxg = nx.Graph()
    nxg.add_weighted_edges_from((int(a), int(b), step) for a, b in uv)
    dist = dict(nx.all_pairs_dijkstra_path_length(nxg))
    d_od = np.array([[dist[int(o)][int(d)] for d in dests] for o in origins])
    expect = np.stack([(d_od <= rad) @ weights for rad in radii], axis=1)
    expect_back = np.stack([(d_od.T <= rad).sum(axis=1) for rad in radii], axis=1)
    for tile_m in (100.0, 250.0, 1e5):
        # 30 destinations are the Dijkstra sources; then 30 origins are
        got = count_within(g, origins, dests, radii, weights=weights, tile_m=tile_m)
        np.testing.assert_array_equal(got, expect)
        np.testing.assert_array_equal(count_within(g, dests, origins, radii, tile_m=tile_m),
                                      expect_back)
