"""Distances between a few selected origins and the targets within reach of them, in one block.

A scenario's recompute asks the indicator functions for the few hundred cells that can reach
the edit (``selection=``). Searching once per category, radius or green space costs a search of
the whole graph each time; :func:`pair_block` instead runs one bounded Dijkstra from the
selected origins (or from the targets near them, whichever set is smaller) on the graph of the
nodes within reach, and every category's counts, gravity and nearest distance, the green m² and
the residents within reach are read off that one block (:func:`block_sums`,
:func:`block_nearest_m`). The cost grows with the selected cells and what lies within the
limit of them, not with the graph.

Exact: a route of at most ``limit_m`` into an origin only passes nodes within ``limit_m`` of
it, so the block holds every pair within ``limit_m`` at its true network distance.

Example
-------
>>> from geoplan.routing import build_routing_graph, example_network
>>> g = build_routing_graph(example_network())   # 0 -100- 1 -100- 2, 1 -100- 3
>>> b = pair_block(g, np.array([0, 3]), np.array([1, 2, 2]), 150.0)
>>> b.origins.tolist(), b.targets.tolist(), b.dist_m.tolist()
([0, 3], [1], [[100.0], [100.0]])
>>> block_nearest_m(g, b, np.array([0, -1, 3]), np.array([2])).tolist()
[200.0, inf, 200.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from ..routing import (
    MAX_BLOCK_CELLS,
    RoutingGraph,
    _distance_blocks,
    _ranges,
    _subgraph,
    _target_columns,
    nearest_distance_m,
)

__all__ = ["PairBlock", "PairStore", "block_nearest_m", "block_sums", "merged_block",
           "pair_block", "pair_store"]

#: Largest ``origins x nodes within reach`` a :func:`pair_block` searches in its one Dijkstra
#: call (beyond it the callers search tile by tile, on smaller subgraphs:
#: :func:`geoplan.routing.count_within`).
PAIR_BLOCK_MAX_CELLS = MAX_BLOCK_CELLS


@dataclass(frozen=True, eq=False)
class PairBlock:
    """``dist_m[i, j]``: network distance in metres from target node ``targets[j]`` to origin
    node ``origins[i]`` when it is at most ``limit_m`` (``inf`` beyond); ``targets`` are the
    target nodes within ``limit_m`` of some origin, sorted; ``from_targets``: searched from
    the targets (each distance summed from the target, as
    :func:`geoplan.routing.nearest_distance_m` sums it: the same float)."""

    origins: np.ndarray
    targets: np.ndarray
    dist_m: np.ndarray
    limit_m: float
    from_targets: bool

    def rows(self, o_nodes: np.ndarray) -> np.ndarray:
        """Row of each origin node in :attr:`dist_m` (-1: unattached)."""
        pos = np.searchsorted(self.origins, np.maximum(o_nodes, 0))
        return np.where(o_nodes >= 0, pos, -1)

    def cols(self, t_nodes: np.ndarray) -> np.ndarray:
        """Column of each target node in :attr:`dist_m` (-1: unattached or beyond reach)."""
        if not len(self.targets):
            return np.full(len(t_nodes), -1)
        pos = np.minimum(np.searchsorted(self.targets, t_nodes), len(self.targets) - 1)
        return np.where((t_nodes >= 0) & (self.targets[pos] == t_nodes), pos, -1)


def pair_block(graph: RoutingGraph, o_nodes: np.ndarray, t_nodes: np.ndarray, limit_m: float,
               max_cells: int | None = None, *, nearest: bool = False
               ) -> PairBlock | None:
    """The distances from every target node to every origin node within ``limit_m``
    (:class:`PairBlock`), from one bounded search; ``None`` when the origins and the nodes
    within reach of them are too many for one block (``max_cells`` distances, default
    :data:`PAIR_BLOCK_MAX_CELLS`).

    Distances run from target to origin along the arcs, as in
    :func:`geoplan.routing.nearest_distance_m` (the same both ways on a symmetric graph). The
    search starts from the smaller of the two node sets; with ``nearest`` from the targets
    unless they are more than four times the origins (:func:`block_nearest_m` then gives
    :func:`~geoplan.routing.nearest_distance_m` to the last bit).

    >>> from geoplan.routing import build_routing_graph, example_network
    >>> g = build_routing_graph(example_network())
    >>> pair_block(g, np.array([0, 1]), np.array([2, 3]), 100.0).dist_m.tolist()
    [[inf, inf], [100.0, 100.0]]
    >>> pair_block(g, np.array([0, 1]), np.array([2]), 100.0, max_cells=4) is None
    True
    """
    max_cells = PAIR_BLOCK_MAX_CELLS if max_cells is None else max_cells
    origins = np.unique(o_nodes[o_nodes >= 0])
    if len(origins) * 64 > max_cells:
        return None
    lim = limit_m * (1 + 1e-12) + 1e-9  # keep pairs at exactly limit_m
    back = graph.csr if graph.symmetric else graph.csr.T.tocsr()
    ball = dijkstra(back, directed=True, indices=origins, limit=lim, min_only=True)
    nodes = np.flatnonzero(ball <= lim)
    if len(origins) * len(nodes) > max_cells:
        return None
    targets = np.unique(t_nodes[t_nodes >= 0])
    targets = targets[ball[targets] <= lim]
    sub, local = _subgraph(graph.csr, nodes)
    fewer = len(targets) <= 4 * len(origins) if nearest else len(targets) < len(origins)
    from_targets = not graph.symmetric or fewer
    if from_targets:
        dist = dijkstra(sub, directed=True, indices=local[targets], limit=lim)[:, local[origins]].T
    else:
        dist = dijkstra(sub, directed=True, indices=local[origins], limit=lim)[:, local[targets]]
    return PairBlock(origins, targets, np.ascontiguousarray(dist), float(limit_m), from_targets)


def block_sums(block: PairBlock, o_nodes: np.ndarray, t_nodes: np.ndarray, weights: np.ndarray,
               kernel, n_out: int) -> np.ndarray:
    """``out[o, j, i] = sum over targets t of kernel(dist(t, o))[j] * weights[t, i]``, over the
    pairs of ``block`` (those within its limit; ``kernel`` must be 0 beyond it); ``NaN`` rows
    for unattached origins (``o_nodes < 0``).

    >>> from geoplan.routing import build_routing_graph, example_network
    >>> g = build_routing_graph(example_network())
    >>> b = pair_block(g, np.array([0, 3]), np.array([1, 2]), 250.0)
    >>> w = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> block_sums(b, np.array([0, -1]), np.array([1, 2]), w, lambda d: [d <= 150.0], 1).tolist()
    [[[1.0, 0.0]], [[nan, nan]]]
    """
    cols = block.cols(t_nodes)
    ok = cols >= 0
    w = np.zeros((len(block.targets), weights.shape[1]))
    np.add.at(w, cols[ok], weights[ok])
    per = np.zeros((len(block.origins), n_out, weights.shape[1]))
    for j, k in enumerate(kernel(block.dist_m)):
        per[:, j] = np.asarray(k, dtype=float) @ w
    rows = block.rows(o_nodes)
    out = per[np.maximum(rows, 0)]
    out[rows < 0] = np.nan
    return out


def block_nearest_m(graph: RoutingGraph, block: PairBlock | None, o_nodes: np.ndarray,
                    t_nodes: np.ndarray, limit_m: float = math.inf) -> np.ndarray:
    """:func:`geoplan.routing.nearest_distance_m` ``(graph, o_nodes, t_nodes,
    limit_m=limit_m)`` read off ``block`` (made on ``graph``); a search on ``graph`` only for
    the origins with no target within the block's limit, when ``limit_m`` lies beyond it, or
    for all when the block was searched from the origins (a distance summed the other way
    round may differ in the last bit) or there is no block."""
    if block is None or not block.from_targets:
        return nearest_distance_m(graph, o_nodes, t_nodes, limit_m=limit_m)
    cols = block.cols(t_nodes)
    cols = np.unique(cols[cols >= 0])
    rows = block.rows(o_nodes)
    near = np.full(len(block.origins), math.inf)
    if len(cols):
        near = block.dist_m[:, cols].min(axis=1)
    out = np.where(rows >= 0, near[np.maximum(rows, 0)], math.inf)
    out[out > limit_m] = math.inf
    far = np.flatnonzero((rows >= 0) & np.isinf(out))
    if len(far) and limit_m > block.limit_m:
        out[far] = nearest_distance_m(graph, o_nodes[far], t_nodes, limit_m=limit_m)
    return out


@dataclass(frozen=True, eq=False)
class PairStore:
    """Every pair of an origin node and a target node within ``limit_m`` of each other, kept
    once for a whole graph (a scenario baseline's: :attr:`geoplan.scenario.Baseline.pairs`).

    The pairs of origin node ``origins[i]`` are ``targets[indptr[i]:indptr[i + 1]]`` (sorted)
    at the network distances ``dist_m[indptr[i]:indptr[i + 1]]`` from target to origin along
    the arcs, searched from the targets (the same float as :func:`pair_block` with
    ``nearest``, and as the full computation's searches from the targets)."""

    origins: np.ndarray
    indptr: np.ndarray
    targets: np.ndarray
    dist_m: np.ndarray
    limit_m: float

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(int(a.nbytes) for a in (self.origins, self.indptr, self.targets, self.dist_m))


def pair_store(graph: RoutingGraph, o_nodes: np.ndarray, t_nodes: np.ndarray,
               limit_m: float) -> PairStore:
    """The :class:`PairStore` of the origin nodes ``o_nodes`` and target nodes ``t_nodes``
    (``-1``: unattached, left out) within ``limit_m``: one bounded search per node of the
    smaller set (per target on a one-way graph), tile by tile
    (:func:`geoplan.routing._distance_blocks`), as the full computation counts them.

    >>> from geoplan.routing import build_routing_graph, example_network
    >>> g = build_routing_graph(example_network())   # 0 -100- 1 -100- 2, 1 -100- 3
    >>> s = pair_store(g, np.array([0, 3, -1]), np.array([1, 2]), 150.0)
    >>> s.origins.tolist(), s.indptr.tolist(), s.targets.tolist(), s.dist_m.tolist()
    ([0, 3], [0, 1, 2], [1, 1], [100.0, 100.0])
    """
    origins = np.unique(o_nodes[o_nodes >= 0])
    targets = np.unique(t_nodes[t_nodes >= 0])
    rows, cols, dist = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    # a symmetric graph is searched from the smaller side (the demo's green graph: 198 origins,
    # 7,195 entries and homes); a one-way graph from the targets, towards which routes run
    from_origins = graph.symmetric and len(origins) < len(targets)
    src, tgt = (origins, targets) if from_origins else (targets, origins)
    for s_idx, t_idx, block in _distance_blocks(graph, src, tgt, limit_m,
                                                max(2.0 * limit_m, 400.0), None):
        d = _target_columns(block, len(t_idx))
        i, j = np.nonzero(np.isfinite(d))
        o_idx, t_pos = (s_idx[i], t_idx[j]) if from_origins else (t_idx[j], s_idx[i])
        rows.append(o_idx)
        cols.append(targets[t_pos])
        dist.append(d[i, j])
    rows, cols, dist = (np.concatenate(x) for x in (rows, cols, dist))
    order = np.lexsort((cols, rows))
    indptr = np.zeros(len(origins) + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=len(origins)), out=indptr[1:])
    return PairStore(origins, indptr, cols[order].astype(np.int32), dist[order],
                     float(limit_m))


def merged_block(store: PairStore, o_nodes: np.ndarray, t_nodes: np.ndarray,
                 via_m: np.ndarray) -> PairBlock:
    """The :class:`PairBlock` of the sorted distinct origin nodes ``o_nodes`` (attached, of
    ``store``) within ``store.limit_m``, with each pair's distance ``min(stored, via_m)``:
    ``via_m[i, j]`` is a route from target node ``t_nodes[j]`` (sorted, distinct) to
    ``o_nodes[i]`` (``inf``: none), e.g. through a scenario's edit. Exact when every route
    that is not in the graph ``store`` was made of is one of ``via_m``.

    >>> from geoplan.routing import build_routing_graph, example_network
    >>> g = build_routing_graph(example_network())   # 0 -100- 1 -100- 2, 1 -100- 3
    >>> s = pair_store(g, np.array([0, 3]), np.array([1, 2]), 150.0)
    >>> b = merged_block(s, np.array([0]), np.array([1, 2]), np.array([[120.0, 140.0]]))
    >>> b.targets.tolist(), b.dist_m.tolist()
    ([1, 2], [[100.0, 140.0]])
    """
    pos = np.searchsorted(store.origins, o_nodes)
    start = store.indptr[pos]
    count = store.indptr[pos + 1] - start
    at = _ranges(start, count)
    row = np.repeat(np.arange(len(o_nodes)), count)
    stored_t = store.targets[at].astype(np.int64)
    targets = np.union1d(stored_t, t_nodes)
    dist = np.full((len(o_nodes), len(targets)), math.inf)
    dist[row, np.searchsorted(targets, stored_t)] = store.dist_m[at]
    lim = store.limit_m * (1 + 1e-12) + 1e-9
    col = np.searchsorted(targets, t_nodes)
    dist[:, col] = np.minimum(dist[:, col], np.where(via_m <= lim, via_m, math.inf))
    return PairBlock(np.asarray(o_nodes, np.int64), targets, dist, store.limit_m, True)
