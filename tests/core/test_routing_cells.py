"""The cell index that finds each tile's box of nodes (routing ``_cell_index`` / ``_in_box``),
against a brute-force comparison of every point with the box, and ``count_within`` on a lattice
whose nodes sit exactly on cell edges, against networkx."""

from __future__ import annotations

import gc

import networkx as nx
import numpy as np
import pytest

from geoplan import routing
from geoplan.routing import count_within, graph_from_arrays


def _brute(xy: np.ndarray, lo, hi) -> np.ndarray:
    inside = ((xy[:, 0] >= lo[0]) & (xy[:, 0] <= hi[0]) & (xy[:, 1] >= lo[1])
              & (xy[:, 1] <= hi[1]))
    return np.flatnonzero(inside)


@pytest.mark.parametrize("cell_m", [7.0, 25.0, 100.0, 1e6])
def test_box_query_equals_brute_force(cell_m):
    rng = np.random.default_rng(11)
    # half the points on a 25 m lattice: on cell edges and on the box edges drawn below
    xy = np.r_[rng.uniform(-300, 500, (400, 2)),
               rng.integers(-12, 20, (400, 2)) * 25.0, [[-300.0, -300.0]]]
    index = routing._cell_index(xy, cell_m)
    boxes = [((-1e4, -1e4), (1e4, 1e4)),        # everything
             ((600.0, 600.0), (700.0, 700.0)),  # beyond the points: nothing
             ((0.0, 0.0), (0.0, 0.0)),          # one lattice point
             ((100.0, -50.0), (50.0, 50.0))]    # lo > hi: nothing
    boxes += [tuple(sorted(rng.integers(-14, 22, 2) * 25.0) for _ in range(2)) for _ in range(30)]
    boxes += [tuple(sorted(rng.uniform(-400, 600, 2)) for _ in range(2)) for _ in range(30)]
    for lo, hi in boxes:
        lo, hi = (lo[0], lo[1]), (hi[0], hi[1])
        got = routing._in_box(index, lo, hi)
        assert len(np.unique(got)) == len(got)
        np.testing.assert_array_equal(np.sort(got), _brute(xy, lo, hi))


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
