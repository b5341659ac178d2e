"""Exact walking distances on the walk network, computed with compiled Dijkstra.

The flow is three small steps:

1. :func:`attach_points` projects each point onto its **nearest edge** (never its nearest node)
   and records the edge, the offset along it from ``u`` in metres and the snap distance. Points
   further than ``max_snap_m`` from every edge are *unattached*: they get no access at all
   (``inf`` distance, ``NaN`` counts), never a silent 0.
2. :func:`build_routing_graph` splits the edges at the attachment offsets (virtual nodes; several
   points per edge; a point at an end reuses the node) and returns a symmetric CSR matrix of
   lengths in metres plus, per attached point, its node in that graph. A point off its edge
   gets its own node, joined to the edge by its **access leg** (the straight walk of ``snap_m``
   metres from the point to the network), so every distance counts that walk at both ends: two
   homes attached at the same place on a street are apart by the sum of their legs, not 0 m.
   ``edge_mask`` keeps only some edges, e.g. lit paths for night access (:func:`lit_mask`).
3. Queries on node ids, all aligned to the origins, ``inf`` where unreachable:
   :func:`nearest_distance_m`, :func:`nearest_route` (with the lit length of the route),
   :func:`count_within` and :func:`gravity`.

All distances come from :func:`scipy.sparse.csgraph.dijkstra`. :func:`count_within` and
:func:`gravity` are exact and memory-bounded: sources are processed in spatial tiles, each on the
subgraph of nodes within the search radius of the tile (a walk of length ``R`` never leaves the
straight-line disc of radius ``R``, widened by the graph's ``reach_factor`` if some edge is
shorter than the straight line between its ends).

Examples
--------
>>> import geopandas as gpd
>>> net = example_network()
>>> homes = gpd.GeoSeries.from_xy([30.0, 100.0], [4.0, 60.0], crs=net.crs)
>>> shops = gpd.GeoSeries.from_xy([170.0], [-3.0], crs=net.crs)
>>> o, d = attach_points(net, homes), attach_points(net, shops)
>>> g = build_routing_graph(net, [o, d])
>>> nearest_distance_m(g, g.point_nodes[0], g.point_nodes[1]).tolist()  # legs 4 + 3 m, 0 + 3 m
[147.0, 133.0]
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from .errors import CRSError, GeoplanError
from .progress import Progress, report
from .types import WalkNetwork

__all__ = [
    "DEFAULT_MAX_SNAP_M",
    "LIT_CODES",
    "DistanceKernel",
    "Attachment",
    "NearestRoute",
    "RoutingGraph",
    "add_arcs",
    "add_inbound_arcs",
    "attach_points",
    "build_routing_graph",
    "carry_attachment",
    "count_within",
    "doorstep_of",
    "edited_edges",
    "example_network",
    "gravity",
    "gravity_beta",
    "graph_from_arrays",
    "lit_mask",
    "main_component_mask",
    "nearest_distance_m",
    "nearest_route",
    "pairs_on_same_key",
    "patch_arcs",
    "patch_reach_factor",
    "patch_routing_graph",
    "patched_subgraph",
    "subgraph_near",
    "underground_mask",
]

log = logging.getLogger(__name__)

#: Points further than this from every edge are unattached (no access).
DEFAULT_MAX_SNAP_M = 50.0
#: Integer code of each ``lit`` value on the arcs of a :class:`RoutingGraph`.
LIT_CODES = {"no": 0, "yes": 1, "unknown": 2}
#: A point this close to an edge end sits on the end node (no zero-length split).
END_TOLERANCE_M = 1e-3
#: Upper bound on the cells of one distance block (sources x subgraph nodes): 4M -> 32 MB.
MAX_BLOCK_CELLS = 1 << 22
#: Largest ``reach_factor`` for which a tile's subgraph is the box around its sources widened
#: by ``limit * reach_factor`` (cheap to find). Beyond it the box holds far more than a walk
#: can reach (a 5 m edge between nodes 1 km apart makes it huge) and the subgraph is the
#: network ball of the sources instead (one bounded multi-source Dijkstra per tile).
BOX_MAX_REACH_FACTOR = 1.5
#: Tiles whose network balls are prepared together (graphs beyond
#: :data:`BOX_MAX_REACH_FACTOR`): it bounds the memory of a query's tile preparation to that
#: of this many tiles.
TILE_BATCH = 16
#: Cells per tile side of the cell index that cuts each tile's box from its column's band: a
#: box is whole cells high, on average half a cell higher than needed at each end.
BOX_CELLS_PER_TILE = 16
#: A first within or gravity query searches the graph with its chains short-cut
#: (:func:`_shortcut`) when its searches cover the graph's area at least this many times
#: (sources x the disc of the limit / the bounding box), and with its junctions passed by as
#: well (:func:`_bypass_junctions`) from :data:`BYPASS_MIN_COVER` times. Both cost a pass over
#: the whole graph; below these the searches save less than that (measured on the reference
#: graph from 100 to 7,373 sources at 400 and 800 m: break-even at ~15 and ~45 times).
SHORTCUT_MIN_COVER = 16.0
BYPASS_MIN_COVER = 48.0

_REQUIRED_EDGE_COLUMNS = ("u", "v", "length_m", "geometry")


# --------------------------------------------------------------------------------------------
# value objects
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Attachment:
    """Where each point meets the network, in the order of the input points.

    Attributes
    ----------
    edge : numpy.ndarray
        int64 position (0..m-1) of the nearest edge in ``network.edges``; ``-1`` if unattached.
    offset_m : numpy.ndarray
        Distance along that edge from its ``u`` node in metres, on the scale of ``length_m``;
        ``NaN`` if unattached.
    snap_m : numpy.ndarray
        Straight-line distance in metres from the point to the edge; ``NaN`` if unattached.
    on_edge_xy : numpy.ndarray
        ``(n, 2)`` coordinates of the projected point on the edge; ``NaN`` if unattached.
    index : Any
        The index of the input points (a :class:`pandas.Index`).
    max_snap_m : float
        The snap limit used.
    point_xy : numpy.ndarray, optional
        ``(n, 2)`` coordinates of the points themselves (``NaN`` if missing): points at the
        same place share the end of their access leg, so they are 0 m apart.
    doorstep : numpy.ndarray, optional
        ``(n, 5)`` per point: the edge it first attached to (its "doorstep", kept when a
        scenario splits that edge), its ``u`` and ``v`` nodes, the offset from ``u`` and the
        edge's ``length_m``; ``NaN`` rows if unattached. ``None``: the edge of ``edge``.
    """

    edge: np.ndarray
    offset_m: np.ndarray
    snap_m: np.ndarray
    on_edge_xy: np.ndarray
    index: Any
    max_snap_m: float
    point_xy: np.ndarray | None = None
    doorstep: np.ndarray | None = None

    @property
    def attached(self) -> np.ndarray:
        """Boolean mask of the points that lie within ``max_snap_m`` of an edge."""
        return self.edge >= 0

    @property
    def n_unattached(self) -> int:
        """How many points got no edge (report these: they have no access)."""
        return int((self.edge < 0).sum())


@dataclass(frozen=True, eq=False)
class RoutingGraph:
    """The walk network split at attached points, ready for Dijkstra.

    Attributes
    ----------
    csr : scipy.sparse.csr_matrix
        ``(n_nodes, n_nodes)`` symmetric matrix of lengths in metres; one arc per direction,
        parallel edges reduced to the shortest. Nodes ``0..n_network_nodes-1`` are the
        network's nodes, the rest are virtual nodes at attached points.
    node_xy : numpy.ndarray
        ``(n_nodes, 2)`` coordinates in the network's metric CRS.
    arc_lit : numpy.ndarray
        int8 :data:`LIT_CODES` value of each stored arc, aligned to ``csr.data``.
    n_network_nodes : int
        Number of nodes of the original network.
    point_nodes : tuple of numpy.ndarray
        For each attachment given to :func:`build_routing_graph`, the node id of each point
        (``-1`` where unattached).
    reach_factor : float
        ``max(1, max(straight-line length / length_m))`` over arcs: a walk of length ``R`` stays
        within ``R * reach_factor`` of its start in a straight line (``inf`` if unbounded).
    symmetric : bool
        True for a plain walk network. False once one-way arcs were added
        (:func:`add_inbound_arcs`): queries then search from the destinations only.
    edge_nodes : tuple of numpy.ndarray
        Like ``point_nodes``, the node where each point meets its edge. A point off the edge
        (``snap_m`` > 1 mm) has its own node in ``point_nodes``, joined to this one by its
        access leg: one arc each way of ``snap_m`` metres (lit unknown), so every distance
        counts the straight walk from the point to the network at both ends.
    """

    csr: sp.csr_matrix
    node_xy: np.ndarray
    arc_lit: np.ndarray
    n_network_nodes: int
    point_nodes: tuple[np.ndarray, ...]
    reach_factor: float
    symmetric: bool = True
    edge_nodes: tuple[np.ndarray, ...] = ()

    @property
    def n_nodes(self) -> int:
        """Number of nodes, network and virtual."""
        return int(self.csr.shape[0])


@dataclass(frozen=True, eq=False)
class NearestRoute:
    """The shortest route from each origin to its nearest destination.

    Attributes
    ----------
    distance_m : numpy.ndarray
        Route length in metres; ``inf`` if no destination is reachable (or origin unattached).
    destination : numpy.ndarray
        Position of the nearest destination in the ``destinations`` array; ``-1`` if none.
    lit_m, unknown_m : numpy.ndarray
        Metres of the route on ``lit == 'yes'`` / ``lit == 'unknown'`` edges; ``NaN`` if none.
    """

    distance_m: np.ndarray
    destination: np.ndarray
    lit_m: np.ndarray
    unknown_m: np.ndarray

    @property
    def lit_share(self) -> np.ndarray:
        """Share of the route length that is lit; ``NaN`` for 0 m and missing routes."""
        return _share(self.lit_m, self.distance_m)

    @property
    def unknown_share(self) -> np.ndarray:
        """Share of the route length whose lighting is unknown; ``NaN`` as :attr:`lit_share`."""
        return _share(self.unknown_m, self.distance_m)


def _share(part: np.ndarray, total: np.ndarray) -> np.ndarray:
    ok = np.isfinite(total) & (total > 0)
    out = np.full(total.shape, np.nan)
    out[ok] = part[ok] / total[ok]
    return out


# --------------------------------------------------------------------------------------------
# validation (all checks of the inputs in one place)
# --------------------------------------------------------------------------------------------
def _network_arrays(network: WalkNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate ``network``; return ``u``, ``v``, ``length_m`` and node coordinates."""
    edges, nodes = getattr(network, "edges", None), getattr(network, "nodes", None)
    if edges is None or nodes is None:
        raise GeoplanError("routing needs a WalkNetwork with 'nodes' and 'edges' GeoDataFrames")
    if len(edges) == 0 or len(nodes) == 0:
        raise GeoplanError(
            "the walk network is empty (no edges or no nodes): check that the OSM extract covers "
            "the study area and that it contains walkable ways"
        )
    missing = [c for c in _REQUIRED_EDGE_COLUMNS if c not in edges.columns]
    if missing:
        raise GeoplanError(
            f"network edges lack column(s) {missing}; expected {list(_REQUIRED_EDGE_COLUMNS)} "
            "(build the network with geoplan.network)"
        )
    _check_metric_crs(network.crs)
    n = len(nodes)
    if not np.array_equal(np.asarray(nodes.index), np.arange(n)):
        raise GeoplanError("network nodes must be indexed 0..n-1; use nodes.reset_index(drop=True)")
    u, v = _node_column(edges, "u", n), _node_column(edges, "v", n)
    length = np.asarray(edges["length_m"], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(length) | (length < 0))
    if len(bad):
        raise GeoplanError(
            f"{len(bad)} edge(s) have a NaN, infinite or negative length_m (first: edge "
            f"{edges.index[bad[0]]!r} = {length[bad[0]]}); recompute length_m from the geometry "
            "in the metric CRS"
        )
    xy = shapely.get_coordinates(np.asarray(nodes.geometry.values))
    if len(xy) != n:
        raise GeoplanError("every network node must be a non-empty Point")
    return u, v, length, xy


def _node_column(edges: Any, name: str, n: int) -> np.ndarray:
    col = np.asarray(edges[name])
    if col.dtype.kind not in "iu":
        if col.dtype.kind != "f" or not np.all(np.isfinite(col) & (col == np.round(col))):
            raise GeoplanError(f"edge column {name!r} must hold integer node indices")
    col = col.astype(np.int64)
    if len(col) and (col.min() < 0 or col.max() >= n):
        raise GeoplanError(
            f"edge column {name!r} refers to nodes outside 0..{n - 1}; renumber the edges' u/v "
            "to positions in network.nodes"
        )
    return col


def _check_metric_crs(crs: Any) -> None:
    if crs is None:
        raise CRSError("the walk network has no CRS; set it (e.g. network built in EPSG:3006)")
    from pyproj import CRS

    if CRS.from_user_input(crs).is_geographic:
        raise CRSError(
            f"the walk network is in a geographic CRS ({crs}); reproject it to a metric CRS "
            "with geoplan.crs.to_crs before routing (distances must be in metres)"
        )


def _point_geometries(points: Any, crs: Any) -> np.ndarray:
    """Validate the points' CRS and type; return their geometries (missing ones kept as None)."""
    geoms = getattr(points, "geometry", None)
    if geoms is None or not hasattr(points, "crs"):
        raise GeoplanError("points must be a GeoSeries or GeoDataFrame of Points")
    if points.crs is None:
        raise CRSError(
            f"the points have no CRS; set it with points.set_crs(...) and reproject with "
            f"points.to_crs({_crs_name(crs)!r}) to match the network"
        )
    if points.crs != crs:
        raise CRSError(
            f"the points are in {_crs_name(points.crs)} but the network is in {_crs_name(crs)}; "
            f"reproject them with points.to_crs({_crs_name(crs)!r})"
        )
    arr = np.asarray(geoms.values, dtype=object)
    kind = shapely.get_type_id(arr)
    bad = (kind != 0) & (kind != -1) & ~shapely.is_empty(arr)
    if bad.any():
        raise GeoplanError(
            f"{int(bad.sum())} geometries are not Points; use .representative_point() (areas) or "
            "entrance points before attaching them to the network"
        )
    return arr


def _crs_name(crs: Any) -> str:
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.name


def _edge_mask(edge_mask: Any, m: int) -> np.ndarray:
    if edge_mask is None:
        return np.ones(m, dtype=bool)
    mask = np.asarray(edge_mask)
    if mask.dtype != bool or mask.shape != (m,):
        raise GeoplanError(
            f"edge_mask must be a boolean array with one value per edge ({m}), got "
            f"{mask.dtype} of shape {mask.shape}"
        )
    return mask


def _lit_codes(edges: Any) -> np.ndarray:
    """int8 :data:`LIT_CODES` per edge; a missing ``lit`` column or value counts as unknown."""
    if "lit" not in edges.columns:
        return np.full(len(edges), LIT_CODES["unknown"], dtype=np.int8)
    lit = edges["lit"].astype(object).where(edges["lit"].notna(), "unknown")
    codes = lit.map(LIT_CODES)
    if codes.isna().any():
        bad = sorted(set(lit[codes.isna()].astype(str)))[:5]
        raise GeoplanError(f"edge column 'lit' must be 'yes', 'no' or 'unknown', found {bad}")
    return codes.to_numpy(dtype=np.int8)


def _lit_of(edges: Any, rows: np.ndarray) -> np.ndarray:
    """:func:`_lit_codes` of the edges at positions ``rows`` (their ``lit`` column only)."""
    if "lit" not in edges.columns:
        return np.full(len(rows), LIT_CODES["unknown"], dtype=np.int8)
    col = edges["lit"].iloc[rows]
    lit = col.to_numpy(object)
    codes = np.full(len(lit), -1, np.int8)
    codes[col.isna().to_numpy(bool)] = LIT_CODES["unknown"]
    for name, code in LIT_CODES.items():
        codes[lit == name] = code
    if (codes < 0).any():
        bad = sorted({str(x) for x in lit[codes < 0]})[:5]
        raise GeoplanError(f"edge column 'lit' must be 'yes', 'no' or 'unknown', found {bad}")
    return codes


def _node_ids(graph: RoutingGraph, nodes: Any, name: str) -> np.ndarray:
    ids = np.asarray(nodes)
    if ids.ndim != 1 or (len(ids) and ids.dtype.kind not in "iu"):
        raise GeoplanError(f"{name} must be a 1-D array of integer node ids (-1 = unattached)")
    ids = ids.astype(np.int64)
    if len(ids) and (ids.min() < -1 or ids.max() >= graph.n_nodes):
        raise GeoplanError(
            f"{name} holds node ids outside -1..{graph.n_nodes - 1}; pass ids from "
            "graph.point_nodes of the same routing graph"
        )
    return ids


def _weights(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,) or not np.all(np.isfinite(w)):
        raise GeoplanError(f"weights must be {n} finite numbers, one per destination")
    return w


# --------------------------------------------------------------------------------------------
# attaching points and building the split graph
# --------------------------------------------------------------------------------------------
def lit_mask(network: WalkNetwork, *, unknown_as_lit: bool = False) -> np.ndarray:
    """Boolean edge mask of the lit network, for night access.

    Parameters
    ----------
    network : WalkNetwork
        Edges must have a ``lit`` column ('yes'/'no'/'unknown').
    unknown_as_lit : bool
        Keep ``unknown`` edges too (``lit != 'no'``); say so when reporting the result.

    Returns
    -------
    numpy.ndarray
        One bool per edge, to pass as ``edge_mask``.

    Examples
    --------
    >>> lit_mask(example_network()).tolist()
    [True, False, False]
    >>> lit_mask(example_network(), unknown_as_lit=True).tolist()
    [True, False, True]
    """
    if "lit" not in network.edges.columns:
        raise GeoplanError("network edges have no 'lit' column; classify lighting first")
    codes = _lit_codes(network.edges)
    keep = codes == LIT_CODES["yes"]
    return keep | (codes == LIT_CODES["unknown"]) if unknown_as_lit else keep


def main_component_mask(network: WalkNetwork, min_length_m: float) -> np.ndarray:
    """Edges of the connected parts of the network at least ``min_length_m`` long in total.

    The largest part is always kept, whatever its length.

    Examples
    --------
    >>> main_component_mask(example_network(), 1000.0).tolist()   # one 300 m part: kept
    [True, True, True]
    """
    from scipy.sparse.csgraph import connected_components

    u, v, length, node_xy = _network_arrays(network)
    n = len(node_xy)
    if len(u) == 0:
        return np.zeros(0, bool)
    adj = sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    total = np.bincount(label[u], weights=length, minlength=label.max() + 1)
    keep = total >= min_length_m
    keep[np.argmax(total)] = True
    return keep[label[u]]


def underground_mask(network: WalkNetwork) -> np.ndarray:
    """Edges below ground or indoors (the network's ``underground`` column; none without it).

    >>> underground_mask(example_network()).tolist()
    [False, False, False]
    """
    col = network.edges.get("underground")
    if col is None:
        return np.zeros(len(network.edges), dtype=bool)
    return col.fillna(False).to_numpy(dtype=bool)


def attach_points(
    network: WalkNetwork,
    points: Any,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    edge_mask: Any = None,
) -> Attachment:
    """Project each point onto its nearest edge (not its nearest node), preferring the surface.

    A point attaches to the nearest edge that is not underground (a tunnel, a negative
    ``layer``, indoors: :func:`underground_mask`) within ``max_snap_m``; only when there is none
    does it attach to the nearest underground edge. A home beside a street that runs over a
    service tunnel starts on the street.

    Parameters
    ----------
    network : WalkNetwork
        The walk network, in a metric CRS.
    points : geopandas.GeoSeries or geopandas.GeoDataFrame
        Points in the network's CRS. Missing or empty geometries are unattached.
    max_snap_m : float
        Points further than this from every (kept) edge are unattached: no access.
    edge_mask : array of bool, optional
        Attach only to these edges (e.g. :func:`lit_mask`).

    Returns
    -------
    Attachment
        Edge, offset from ``u`` in metres (geometric offset scaled to ``length_m``), snap
        distance and projected point for each input point, in input order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> net = example_network()
    >>> pts = gpd.GeoSeries.from_xy([25.0, 150.0, 500.0], [5.0, 0.0, 500.0], crs=net.crs)
    >>> att = attach_points(net, pts, max_snap_m=30)
    >>> att.edge.tolist(), att.offset_m.tolist(), att.snap_m.tolist()
    ([0, 1, -1], [25.0, 50.0, nan], [5.0, 0.0, nan])
    """
    if not max_snap_m > 0:
        raise GeoplanError(f"max_snap_m must be > 0 metres, got {max_snap_m}")
    u, v, length, node_xy = _network_arrays(network)
    geoms = _point_geometries(points, network.crs)
    keep = _edge_mask(edge_mask, len(u))
    n = len(geoms)
    edge, offset, snap = np.full(n, -1, np.int64), np.full(n, np.nan), np.full(n, np.nan)
    on_xy = np.full((n, 2), np.nan)
    todo = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    lines = np.asarray(network.edges.geometry.values, dtype=object)
    under = underground_mask(network)
    for tier in (keep & ~under, keep & under):  # surface first; underground if nothing near
        allowed = np.flatnonzero(tier)
        if not len(allowed) or not len(todo):
            continue
        tree = shapely.STRtree(lines[allowed])
        (pi, ti), dist = tree.query_nearest(
            geoms[todo], max_distance=max_snap_m, return_distance=True, all_matches=False
        )
        at, e = todo[pi], allowed[ti]
        ue, per = np.unique(e, return_inverse=True)  # many points share an edge: once per edge
        off_m, xy = _project(lines[e], geoms[at], node_xy[u[e]], node_xy[v[e]], length[e],
                             start_xy=_line_starts(lines[ue])[per.reshape(-1)],
                             geom_len=shapely.length(lines[ue])[per.reshape(-1)])
        edge[at], offset[at], snap[at], on_xy[at] = e, off_m, dist, xy
        todo = todo[edge[todo] < 0]
    pxy = np.full((n, 2), np.nan)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    pxy[ok] = shapely.get_coordinates(geoms[ok])
    att = Attachment(edge, offset, snap, on_xy, points.index, float(max_snap_m), pxy)
    att = dataclasses.replace(att, doorstep=doorstep_of(att, network))
    if att.n_unattached:
        log.info("%d of %d points are further than %g m from the network: no access",
                 att.n_unattached, n, max_snap_m)
    return att


def carry_attachment(att: Attachment, network: WalkNetwork, edge_parent: Any) -> Attachment:
    """``att``, made on a baseline network, carried to ``network`` (the baseline edited).

    Edge ``i`` of ``network`` is a piece of baseline edge ``edge_parent[i]`` (``-1``: a new
    edge). Every point keeps its place and its access leg, on the piece of its old edge that
    holds that place: a scenario's new path only adds edges, it never pulls a home or a school
    away from the path it was on.
    Only the pieces of split edges are read (and checked), so carrying costs what the edit
    cut, not the network's size.

    Examples
    --------
    >>> import geopandas as gpd
    >>> net = example_network()
    >>> att = attach_points(net, gpd.GeoSeries.from_xy([150.0], [5.0], crs=net.crs))
    >>> e = net.edges   # edge 1 (100,0)-(200,0) split at x=120 by a new node 4
    >>> nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 100, 200, 100, 120],
    ...                                                      [0, 0, 0, 100, 0]), crs=net.crs)
    >>> pieces = gpd.GeoDataFrame({"u": [0, 1, 1, 4], "v": [1, 3, 4, 2],
    ...                            "length_m": [100.0, 100.0, 20.0, 80.0]},
    ...     geometry=list(e.geometry[[0, 2]]) + [shapely.LineString([(100, 0), (120, 0)]),
    ...                                          shapely.LineString([(120, 0), (200, 0)])],
    ...     crs=net.crs)
    >>> moved = carry_attachment(att, WalkNetwork(nodes, pieces, net.crs), [0, 2, 1, 1])
    >>> moved.edge.tolist(), moved.offset_m.tolist(), moved.snap_m.tolist()
    ([3], [30.0], [5.0])
    """
    edges = network.edges
    parent = np.asarray(edge_parent, np.int64)
    if parent.shape != (len(edges),):
        raise GeoplanError(f"edge_parent needs one baseline edge per edge ({len(edges)})")
    on = att.edge >= 0
    edge, cut = _single_pieces(parent, np.where(on, att.edge, -1))
    # points on split edges: the piece nearest to the point's place (only those pieces read)
    todo = np.flatnonzero(on & (edge < 0))
    pi, ci = pairs_on_same_key(att.edge[todo], parent[cut])
    ci = cut[ci]
    lines = np.asarray(edges.geometry.values[ci], dtype=object)
    pts = shapely.points(att.on_edge_xy[todo[pi]])
    order = np.lexsort((shapely.distance(lines, pts), pi))
    first = np.ones(len(order), bool)
    first[1:] = pi[order][1:] != pi[order][:-1]
    edge[todo[pi[order][first]]] = ci[order][first]
    if np.any((att.edge >= 0) & (edge < 0)):
        raise GeoplanError("an attached point's edge is not in the edited network: edge_parent "
                           "must name each edge's baseline edge (apply the scenario again)")
    offset = np.array(att.offset_m, dtype=float, copy=True)
    s = todo[pi[order][first]]
    cs = edge[s]
    u, v, length, node_xy = _piece_arrays(network, cs)
    offset[s] = _project(np.asarray(edges.geometry.values[cs], dtype=object),
                         shapely.points(att.on_edge_xy[s]), node_xy[u], node_xy[v], length)[0]
    return Attachment(edge, offset, att.snap_m, att.on_edge_xy, att.index, att.max_snap_m,
                      att.point_xy, att.doorstep)


def _single_pieces(parent: np.ndarray, base_edge: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per base edge of ``base_edge`` (``-1``: none), its one piece among the edited edges
    (``parent``: each edited edge's base edge) or ``-1`` (cut into several, or gone); and the
    sorted positions of every piece of a cut base edge. One pass compares ``parent`` with the
    edges' own positions (a scenario keeps the base ids and appends the rest); the rest costs
    what the edit added.

    >>> edge, cut = _single_pieces(np.array([0, 1, 2, 1, -1]), np.array([0, 1, 2, -1]))
    >>> edge.tolist(), cut.tolist()      # base edge 1 cut into edges 1 and 3
    ([0, -1, 2, -1], [1, 3])
    """
    m = len(parent)
    moved = np.flatnonzero(parent != np.arange(m))
    moved = moved[parent[moved] >= 0]
    mp = parent[moved]
    keys, first, count = np.unique(mp, return_index=True, return_counts=True)

    def own(e: np.ndarray) -> np.ndarray:  # edited edge e is a piece of base edge e
        return (e >= 0) & (e < m) & (parent[np.clip(e, 0, max(m - 1, 0))] == e if m else False)

    split = keys[count + own(keys) > 1]
    cut = np.sort(np.concatenate([moved[np.isin(mp, split)], split[own(split)]]))
    k = np.minimum(np.searchsorted(keys, base_edge), max(len(keys) - 1, 0))
    listed = (base_edge >= 0) & (keys[k] == base_edge) if len(keys) else np.zeros(len(k), bool)
    mine = own(base_edge)
    n = mine.astype(np.int64) + np.where(listed, count[k] if len(keys) else 0, 0)
    only = np.where(mine, base_edge, np.where(listed, moved[first[k]] if len(keys) else -1, -1))
    return np.where(n == 1, only, -1).astype(np.int64), cut


def _piece_arrays(network: WalkNetwork, idx: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``u`` and ``v`` (as rows of the returned node coordinates), ``length_m`` and node
    coordinates of the edges ``idx`` of ``network``, checked as :func:`_network_arrays` checks
    the whole network (what :func:`carry_attachment` reads of an edited network: its pieces).

    >>> u, v, length, xy = _piece_arrays(example_network(), np.array([1]))
    >>> u.tolist(), v.tolist(), length.tolist(), xy.tolist()
    ([0], [1], [100.0], [[100.0, 0.0], [200.0, 0.0]])
    """
    edges, nodes = network.edges, network.nodes
    part = {c: edges[c].to_numpy()[idx] for c in ("u", "v", "length_m")}  # no frame taken
    n = len(nodes)
    u, v = _node_column(part, "u", n), _node_column(part, "v", n)
    length = np.asarray(part["length_m"], dtype=np.float64)
    if np.any(~np.isfinite(length) | (length < 0)):
        raise GeoplanError("an edited edge has a NaN, infinite or negative length_m; recompute "
                           "length_m from the geometry in the metric CRS")
    ends, at = np.unique(np.concatenate([u, v]), return_inverse=True)
    xy = shapely.get_coordinates(np.asarray(nodes.geometry.values[ends], dtype=object))
    if len(xy) != len(ends):
        raise GeoplanError("every network node must be a non-empty Point")
    return at[:len(u)], at[len(u):], length, xy


def doorstep_of(att: Attachment, network: WalkNetwork) -> np.ndarray:
    """:attr:`Attachment.doorstep` of ``att``: its own, or that of its edges in ``network``.

    >>> import geopandas as gpd
    >>> net = example_network()
    >>> att = attach_points(net, gpd.GeoSeries.from_xy([150.0], [5.0], crs=net.crs))
    >>> doorstep_of(att, net).tolist()
    [[1.0, 1.0, 2.0, 50.0, 100.0]]
    """
    if att.doorstep is not None:
        return att.doorstep
    u, v, length, _ = _network_arrays(network)
    e = np.maximum(att.edge, 0)
    out = np.column_stack([att.edge, u[e], v[e], att.offset_m, length[e]]).astype(float)
    out[att.edge < 0] = np.nan
    return out


def _line_starts(lines: np.ndarray) -> np.ndarray:
    """The first coordinate of each line (``n x 2``).

    >>> _line_starts(np.array([shapely.LineString([(1, 2), (3, 4)]),
    ...                        shapely.LineString([(5, 6), (7, 8)])])).tolist()
    [[1.0, 2.0], [5.0, 6.0]]
    """
    xy, k = shapely.get_coordinates(lines, return_index=True)
    out = np.full((len(lines), 2), np.nan)
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else k
    out[k[first]] = xy[first]
    return out


def _project(
    lines: np.ndarray, pts: np.ndarray, u_xy: np.ndarray, v_xy: np.ndarray, length_m: np.ndarray,
    *, start_xy: np.ndarray | None = None, geom_len: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Offset from ``u`` (scaled to ``length_m``) and projected coordinates of points on lines
    (``start_xy``, ``geom_len``: the lines' first coordinates and lengths, when known)."""
    t_geom = shapely.line_locate_point(lines, pts)
    geom_len = shapely.length(lines) if geom_len is None else geom_len
    on_line = shapely.get_coordinates(shapely.line_interpolate_point(lines, t_geom))
    start = _line_starts(lines) if start_xy is None else start_xy
    reverse = np.hypot(*(start - v_xy).T) < np.hypot(*(start - u_xy).T)
    t_from_u = np.where(reverse, geom_len - t_geom, t_geom)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(geom_len > 0, t_from_u * length_m / geom_len, 0.0)
    return np.clip(scaled, 0.0, length_m), on_line


def build_routing_graph(
    network: WalkNetwork,
    attachments: Sequence[Attachment] = (),
    *,
    edge_mask: Any = None,
) -> RoutingGraph:
    """Split edges at attached points and build the symmetric CSR routing graph.

    Parameters
    ----------
    network : WalkNetwork
        The network the attachments were made on.
    attachments : sequence of Attachment
        Points to insert as nodes (e.g. origins, then destinations). Points at the same place on
        the same edge share a node; points within 1 mm of an edge end use the end node.
    edge_mask : array of bool, optional
        Keep only these edges (e.g. :func:`lit_mask` for night access). A point on a dropped
        edge keeps its own node but no arcs, so it reaches nothing (unless it sits on an end).
        Attach with the same ``edge_mask`` to reach the nearest kept edge instead.

    Returns
    -------
    RoutingGraph
        ``point_nodes[i]`` holds the node of each point of ``attachments[i]`` (``-1``
        unattached): its own node at the end of its access leg (``snap_m`` metres, one arc
        each way) when it lies off the edge, else its node on the edge (``edge_nodes[i]``).
        Legs are kept whatever ``edge_mask`` says (the walk to the path is not a path).

    Examples
    --------
    >>> import geopandas as gpd
    >>> net = example_network()
    >>> pts = gpd.GeoSeries.from_xy([40.0, 60.0, 100.0], [0.0, 0.0, 0.0], crs=net.crs)
    >>> g = build_routing_graph(net, [attach_points(net, pts)])
    >>> g.n_network_nodes, g.n_nodes, g.point_nodes[0].tolist()
    (4, 6, [4, 5, 1])
    """
    u, v, length, node_xy = _network_arrays(network)
    lit = _lit_codes(network.edges)
    mask = _edge_mask(edge_mask, len(u))
    n, m = len(node_xy), len(u)
    att_edge = np.concatenate([np.empty(0, np.int64)] + [a.edge for a in attachments])
    att_off = np.concatenate([np.empty(0)] + [a.offset_m for a in attachments])
    att_xy = np.concatenate([np.empty((0, 2))] + [a.on_edge_xy for a in attachments])
    att_edge = att_edge.astype(np.int64)
    if len(att_edge) and att_edge.max() >= m:
        raise GeoplanError("an attachment refers to edges this network lacks; re-attach the "
                           "points to this network")
    att_snap = np.concatenate([np.empty(0)] + [np.asarray(a.snap_m, float) for a in attachments])
    edge_node, virt_edge, virt_off, virt_xy = _place_points(att_edge, att_off, att_xy, u, v,
                                                            length, n)
    a, b, w, e = _split_segments(u, v, length, virt_edge, virt_off, n)
    keep = mask[e] & (a != b)
    pxy = np.concatenate([np.empty((0, 2))] + [
        np.full((len(x.edge), 2), np.nan) if x.point_xy is None else x.point_xy
        for x in attachments])
    point_node, legs, leg_xy = _leg_nodes(edge_node, att_snap, pxy, att_xy, n + len(virt_xy))
    all_xy = np.vstack([node_xy, virt_xy, leg_xy])
    code = np.full(len(legs[0]), LIT_CODES["unknown"], np.int8)
    csr, arc_lit = _symmetric_csr(np.concatenate([a[keep], legs[0]]),
                                  np.concatenate([b[keep], legs[1]]),
                                  np.concatenate([w[keep], legs[2]]),
                                  np.concatenate([lit[e[keep]], code]), len(all_xy))
    bounds = np.cumsum([0] + [len(x.edge) for x in attachments])
    cut = list(zip(bounds[:-1], bounds[1:], strict=True))
    return RoutingGraph(csr, all_xy, arc_lit, n, tuple(point_node[s:t] for s, t in cut),
                        _reach_factor(csr, all_xy), True, tuple(edge_node[s:t] for s, t in cut))


def _leg_nodes(edge_node: np.ndarray, snap_m: np.ndarray, point_xy: np.ndarray,
               on_xy: np.ndarray, first: int) -> tuple[np.ndarray, tuple, np.ndarray]:
    """Node of each point and its access legs.

    A point more than :data:`END_TOLERANCE_M` off its edge gets its own node (``first``,
    ``first + 1``, ...; shared by points at the same place on the same edge node), else its
    node on the edge. Returns the nodes, the legs ``(edge node, own node, snap_m)`` and the
    coordinates of the new nodes (the points; their place on the edge if unknown).
    """
    with np.errstate(invalid="ignore"):
        idx = np.flatnonzero((edge_node >= 0) & (snap_m > END_TOLERANCE_M))
    key = np.column_stack([edge_node[idx], point_xy[idx]]).astype(float)
    unknown = np.isnan(key[:, 1:]).any(axis=1)
    key[unknown] = np.column_stack([-1.0 - idx[unknown], np.zeros((unknown.sum(), 2))])
    _, one, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    node = edge_node.copy()
    node[idx] = first + inv.ravel()
    pick = idx[one]
    xy = np.where(np.isnan(point_xy[pick]), on_xy[pick], point_xy[pick])
    return node, (edge_node[pick], first + np.arange(len(pick)), snap_m[pick]), xy


def graph_from_arrays(
    node_xy: Any, u: Any, v: Any, length_m: Any, lit: Any = None
) -> RoutingGraph:
    """The routing graph of a network given as plain arrays (no GeoDataFrames, no attachments).

    The same graph as :func:`build_routing_graph` of a network with these nodes and edges, made
    without geopandas: the fast path to a first answer in a fresh process (e.g. a network
    cached as ``.npz``). Coordinates must be in metres.

    Parameters
    ----------
    node_xy : array, shape (n, 2)
        Node coordinates in a metric CRS.
    u, v : array of int
        Edge ends, positions in ``node_xy``.
    length_m : array of float
        Edge lengths in metres (finite, >= 0).
    lit : array of str, optional
        'yes' / 'no' / 'unknown' per edge (default unknown).

    Examples
    --------
    >>> g = graph_from_arrays([[0, 0], [100, 0], [200, 0]], [0, 1], [1, 2], [100.0, 100.0],
    ...                       ["yes", "no"])
    >>> nearest_route(g, [0], [2]).lit_m.tolist()
    [100.0]
    """
    xy = np.asarray(node_xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    length = np.asarray(length_m, dtype=np.float64)
    if not (u.shape == v.shape == length.shape) or u.ndim != 1:
        raise GeoplanError("u, v and length_m must be 1-D arrays of the same length")
    if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise GeoplanError(f"u/v refer to nodes outside 0..{n - 1}")
    if not np.all(np.isfinite(length) & (length >= 0)):
        raise GeoplanError("length_m must be finite metres >= 0")
    if lit is None:
        codes = np.full(len(u), LIT_CODES["unknown"], np.int8)
    else:
        lit_arr = np.asarray(lit, dtype=object)
        codes = np.full(len(u), -1, np.int8)
        for name, code in LIT_CODES.items():
            codes[lit_arr == name] = code
        if (codes < 0).any():
            raise GeoplanError("lit must be 'yes', 'no' or 'unknown' per edge")
    keep = u != v
    csr, arc_lit = _symmetric_csr(u[keep], v[keep], length[keep], codes[keep], n)
    return RoutingGraph(csr, xy, arc_lit, n, (), _reach_factor(csr, xy))


def add_inbound_arcs(
    graph: RoutingGraph, heads: np.ndarray, tails: np.ndarray, length_m: np.ndarray,
    lit_code: np.ndarray,
) -> RoutingGraph:
    """Add one-way arcs ``tails[i] -> heads[i]`` (e.g. from a dark edge's ends into a home on it).

    Nothing can pass *through* a head by these arcs (they only lead in), so a home's dark
    doorstep does not open the dark path for anyone else. The result is not symmetric: its
    queries search from the destinations. Parallel arcs keep the shortest.

    Examples
    --------
    >>> g = build_routing_graph(example_network(), edge_mask=[True, False, False])
    >>> g2 = add_inbound_arcs(g, np.array([2]), np.array([1]), np.array([100.0]),
    ...                       np.array([LIT_CODES["no"]]))
    >>> nearest_distance_m(g2, [2, 0], [0]).tolist()   # 0 -> 1 -> (dark, in) -> 2; 2 leads nowhere
    [200.0, 0.0]
    >>> nearest_distance_m(g2, [0], [2]).tolist()
    [inf]
    """
    heads, tails = np.asarray(heads, np.int64), np.asarray(tails, np.int64)
    coo = graph.csr.tocoo()
    csr, lit = _csr_from_arcs(
        np.concatenate([coo.row.astype(np.int64), tails]),
        np.concatenate([coo.col.astype(np.int64), heads]),
        np.concatenate([coo.data, np.asarray(length_m, float)]),
        np.concatenate([graph.arc_lit, np.asarray(lit_code, np.int8)]),
        graph.n_nodes,
    )
    return RoutingGraph(csr, graph.node_xy, lit, graph.n_network_nodes,
                        graph.point_nodes, _reach_factor(csr, graph.node_xy), symmetric=False,
                        edge_nodes=graph.edge_nodes)


# --------------------------------------------------------------------------------------------
# patching a stored graph (scenarios: exact local updates instead of a rebuild)
# --------------------------------------------------------------------------------------------
def add_arcs(
    graph: RoutingGraph, new_xy: Any, a: Any, b: Any, length_m: Any, lit_code: Any = None
) -> RoutingGraph:
    """``graph`` with the nodes ``new_xy`` appended and one arc each way per ``(a, b, length_m)``.

    New nodes get the ids ``graph.n_nodes``, ``graph.n_nodes + 1``, ... The arcs are inserted
    into the CSR arrays (a copy, no sort: the cost is a copy of the arrays, not a rebuild);
    where an arc already exists the shorter length is kept. ``point_nodes``, ``edge_nodes`` and
    ``symmetric`` stay as they are; ``reach_factor`` grows if a new arc needs it.

    Parameters
    ----------
    graph : RoutingGraph
    new_xy : array, shape (k, 2)
        Coordinates of the nodes to append (metric CRS).
    a, b : array of int
        Arc ends (existing or new node ids).
    length_m : array of float
        Arc lengths in metres (finite, >= 0).
    lit_code : array of int, optional
        :data:`LIT_CODES` per arc (default unknown).

    Examples
    --------
    >>> g = build_routing_graph(example_network())     # 0-1-2 and 1-3, 100 m each
    >>> g2 = add_arcs(g, [[200.0, 100.0]], [3, 4], [4, 2], [100.0, 100.0])
    >>> nearest_distance_m(g2, [3], [2]).tolist()       # 3 -> new node 4 -> 2
    [200.0]
    >>> nearest_distance_m(add_arcs(g, [], [0], [2], [150.0]), [0], [2]).tolist()
    [150.0]
    """
    xy = np.vstack([graph.node_xy, np.asarray(new_xy, dtype=np.float64).reshape(-1, 2)])
    n = len(xy)
    a, b, w, code = _arc_arrays(a, b, length_m, lit_code, n)
    csr, lit = _insert_arcs(graph.csr, graph.arc_lit, *_merge_arcs(a, b, w, code), n)
    rf = max(graph.reach_factor, _arc_reach(xy, a[a != b], b[a != b], w[a != b]))
    return RoutingGraph(csr, xy, lit, graph.n_network_nodes, graph.point_nodes, rf,
                        graph.symmetric, graph.edge_nodes)


def _arc_arrays(a: Any, b: Any, length_m: Any, lit_code: Any, n: int) -> tuple[np.ndarray, ...]:
    """The arguments of :func:`add_arcs` as arrays ``(a, b, length_m, lit code)``, checked
    against a graph of ``n`` nodes (the new ones included)."""
    a, b = np.asarray(a, np.int64).ravel(), np.asarray(b, np.int64).ravel()
    w = np.asarray(length_m, np.float64).ravel()
    code = (np.full(len(a), LIT_CODES["unknown"], np.int8) if lit_code is None
            else np.asarray(lit_code, np.int8).ravel())
    if not (len(a) == len(b) == len(w) == len(code)):
        raise GeoplanError("add_arcs needs one a, b, length_m (and lit_code) per arc")
    if len(a) and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n):
        raise GeoplanError(f"arc ends must be node ids 0..{n - 1} (the new nodes included)")
    if not np.all(np.isfinite(w) & (w >= 0)):
        raise GeoplanError("arc lengths must be finite metres >= 0")
    return a, b, w, code


def _merge_arcs(a: np.ndarray, b: np.ndarray, w: np.ndarray, code: np.ndarray
                ) -> tuple[np.ndarray, ...]:
    """The arcs ``a -> b`` and ``b -> a`` without loops, one per ``(row, col)``: the shortest
    (the first of equally short ones), as ``(rows, cols, length, lit code)`` sorted by row and
    column."""
    r, c, ww, cc = np.r_[a, b], np.r_[b, a], np.r_[w, w], np.r_[code, code]
    keep = r != c
    r, c, ww, cc = r[keep], c[keep], ww[keep], cc[keep]
    order = np.lexsort((ww, c, r))  # stable: the first of equal lengths leads
    first = np.ones(len(order), bool)
    first[1:] = (r[order][1:] != r[order][:-1]) | (c[order][1:] != c[order][:-1])
    s = order[first]
    return r[s], c[s], ww[s], cc[s].astype(np.int8)


def _find_arcs(csr: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Positions in ``csr.data`` of the arcs ``rows[i] -> cols[i]`` (``-1`` where ``csr`` has
    none; rows and columns are node ids of ``csr``): all rows scanned together."""
    out = np.full(len(rows), -1, np.int64)
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    pos, end = csr.indptr[rows].astype(np.int64), csr.indptr[rows + 1].astype(np.int64)
    todo = np.flatnonzero(pos < end)
    pos, end = pos[todo], end[todo]
    while len(todo):
        hit = csr.indices[pos] == cols[todo]
        out[todo[hit]] = pos[hit]
        pos = pos + 1
        go = ~hit & (pos < end)
        todo, pos, end = todo[go], pos[go], end[go]
    return out


def _insert_arcs(csr: sp.csr_matrix, arc_lit: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                 w: np.ndarray, code: np.ndarray, n: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """``csr`` grown to ``n`` nodes with the arcs ``rows -> cols`` (distinct, sorted:
    :func:`_merge_arcs`): lengths of existing arcs lowered in place, the others appended at
    the end of their row."""
    data, lit = csr.data.copy(), arc_lit.copy()
    indptr, indices = csr.indptr.astype(np.int64), csr.indices
    n0 = csr.shape[0]
    pos = np.full(len(rows), -1, np.int64)
    both = (rows < n0) & (cols < n0)
    pos[both] = _find_arcs(csr, rows[both], cols[both])
    hit = pos >= 0
    lower = np.zeros(len(rows), bool)
    lower[hit] = w[hit] < data[pos[hit]]
    data[pos[lower]], lit[pos[lower]] = w[lower], code[lower]
    add = rows[~hit]
    grown = np.concatenate([indptr, np.full(n - n0, indptr[-1])])  # row ends, new rows empty
    at = grown[add + 1]
    idx_type = np.int32 if n < 2**31 - 1 else np.int64
    new_indptr = grown.copy()
    new_indptr[1:] += np.cumsum(np.bincount(add, minlength=n))
    out = sp.csr_matrix((np.insert(data, at, w[~hit]),
                         np.insert(indices, at, cols[~hit].astype(indices.dtype)).astype(idx_type),
                         new_indptr.astype(idx_type)), shape=(n, n))
    out.has_sorted_indices = False
    return out, np.insert(lit, at, code[~hit].astype(np.int8))


def _arc_reach(xy: np.ndarray, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    """:attr:`RoutingGraph.reach_factor` of the arcs ``a``-``b`` alone (1 without arcs)."""
    chord = np.hypot(*(xy[a] - xy[b]).T) if len(a) else np.zeros(0)
    if np.any((w <= 0) & (chord > 0)):
        return math.inf
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(max(1.0, np.where(w > 0, chord / w, 0.0).max(initial=0.0)))


def patch_routing_graph(
    graph: RoutingGraph,
    attachments: Sequence[Attachment],
    base: WalkNetwork,
    edited: WalkNetwork,
    edge_parent: Any,
    *,
    edge_mask: Any = None,
    base_edge_mask: Any = None,
) -> RoutingGraph:
    """The routing graph of ``edited`` made from ``graph``, the one of ``base``, without a rebuild.

    ``edited`` is ``base`` edited by a scenario (:func:`geoplan.scenario.edits.apply_scenario`):
    edge ``i`` of ``edited`` is a piece of ``base`` edge ``edge_parent[i]`` (``-1``: a new
    edge); base nodes keep their ids, new nodes come after them. The new edges become arcs; a
    base edge cut into pieces gets its cut nodes joined to the nodes beside them along it (its
    old arcs stay: a cut changes no distance between the nodes that were there); a base edge
    that enters ``edge_mask`` (relit, at night) gets the arcs between all its nodes. Distances
    between the graph's nodes are those of ``build_routing_graph(edited, attachments carried
    to edited, edge_mask=edge_mask)`` (a test checks it against networkx); the lit codes of
    arcs on base edges keep their base values.

    Parameters
    ----------
    graph : RoutingGraph
        ``build_routing_graph(base, attachments, edge_mask=base_edge_mask)`` (or with one-way
        arcs added by :func:`add_inbound_arcs`).
    attachments : sequence of Attachment
        The attachments ``graph`` was built with (on ``base``).
    base, edited : WalkNetwork
    edge_parent : array of int
        Per edge of ``edited``, its ``base`` edge (``-1``: new).
    edge_mask, base_edge_mask : array of bool, optional
        The edges the graph keeps, in ``edited`` / ``base`` (default all).

    Returns
    -------
    RoutingGraph
        ``add_arcs(graph, *patch_arcs(...))``. Node ``k`` of ``edited`` is node ``k`` of
        the result when it is a base node, else ``graph.n_nodes + k - len(base.nodes)``;
        ``point_nodes`` are those of ``graph``.

    Raises
    ------
    GeoplanError
        When the pieces of one base edge are not all kept or all dropped by ``edge_mask``
        (rebuild the graph with :func:`build_routing_graph` then).

    Examples
    --------
    >>> import geopandas as gpd
    >>> net = example_network()          # edge 1 (100,0)-(200,0) cut at x=150 by node 4,
    >>> nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 100, 200, 100, 150, 150],
    ...                                                      [0, 0, 0, 100, 0, 100]), crs=net.crs)
    >>> e = net.edges                    # and a new path 4-5 north to (150,100)
    >>> lines = [e.geometry[0], e.geometry[2], shapely.LineString([(100, 0), (150, 0)]),
    ...          shapely.LineString([(150, 0), (200, 0)]), shapely.LineString([(150, 0), (150, 100)])]
    >>> edges = gpd.GeoDataFrame({"u": [0, 1, 1, 4, 4], "v": [1, 3, 4, 2, 5],
    ...                           "length_m": [100.0, 100.0, 50.0, 50.0, 100.0],
    ...                           "lit": ["yes", "unknown", "no", "no", "yes"]},
    ...                          geometry=lines, crs=net.crs)
    >>> g = patch_routing_graph(build_routing_graph(net), [], net,
    ...                         WalkNetwork(nodes, edges, net.crs), [0, 2, 1, 1, -1])
    >>> nearest_distance_m(g, [0, 3], [5]).tolist()   # nodes 4, 5 of the edited network: 4, 5
    [250.0, 250.0]
    """
    return add_arcs(graph, *patch_arcs(graph, attachments, base, edited, edge_parent,
                                       edge_mask=edge_mask, base_edge_mask=base_edge_mask))


@dataclass(frozen=True, eq=False)
class EditedEdges:
    """What :func:`patch_arcs` reads of a scenario's edited edges, whatever the graph: made
    once per edit (:func:`edited_edges`) and shared by the graphs patched with it (a
    scenario's day, night and green graphs).

    Attributes
    ----------
    new_xy : numpy.ndarray
        ``(k, 2)`` coordinates of the edited network's new nodes (ids from ``len(base.nodes)``).
    rows : numpy.ndarray
        Sorted positions of the edited edges read (every new edge, every piece of a cut base
        edge and every edge that may enter a graph's edge mask).
    new : tuple
        The new edges among them: ``(positions, u, v, length_m, lit code)`` (node ids of the
        edited network).
    old, parent : numpy.ndarray
        The other edges read (pieces of base edges) and their base edge.
    chains : dict
        Per base edge ``p`` of ``parent``: ``(nodes, offsets from its u, lit code)``: its
        ends and cut nodes (ids of the edited network), in no order.
    """

    new_xy: np.ndarray
    rows: np.ndarray
    new: tuple
    old: np.ndarray
    parent: np.ndarray
    chains: dict


def edited_edges(base: WalkNetwork, edited: WalkNetwork, edge_parent: Any,
                 edges: Any = None) -> EditedEdges:
    """:class:`EditedEdges` of ``edited``, ``base`` edited (``edge_parent``, ``edges`` as
    for :func:`patch_arcs`): the edited edges' columns read once for every graph. Without
    ``edges``, the chains of the base edges that were not cut are left to :func:`patch_arcs`
    (it makes those it needs: an edge that enters a graph's edge mask).

    >>> net = example_network()
    >>> e = edited_edges(net, net, [0, 1, 2], edges=[1])
    >>> e.rows.tolist(), sorted(e.chains)      # nothing edited
    ([1], [1])
    """
    parent = np.asarray(edge_parent, np.int64)
    m_new = len(edited.edges)
    if parent.shape != (m_new,):
        raise GeoplanError(f"edge_parent needs one baseline edge per edge ({m_new})")
    rows = np.arange(m_new) if edges is None else np.unique(np.asarray(edges, np.int64))
    e = edited.edges
    is_new = parent[rows] < 0
    new_rows, old = rows[is_new], rows[~is_new]
    po = parent[old]
    chained = (_piece_counts(po, len(base.edges)) > 1) if edges is None else np.ones(len(old),
                                                                                   bool)
    lit = _lit_of(e, np.r_[new_rows, old[chained]])
    eu, ev = e["u"].to_numpy(np.int64), e["v"].to_numpy(np.int64)
    elen = e["length_m"].to_numpy(np.float64)
    chains = _chains(base, edited, old[chained], po[chained], lit[len(new_rows):])
    n0 = len(base.nodes)
    new_xy = shapely.get_coordinates(np.asarray(edited.nodes.geometry.values[n0:], dtype=object))
    return EditedEdges(new_xy.reshape(-1, 2), rows,
                       (new_rows, eu[new_rows], ev[new_rows], elen[new_rows],
                        lit[:len(new_rows)]), old, po, chains)


def _chains(base: WalkNetwork, edited: WalkNetwork, pieces: np.ndarray, parent: np.ndarray,
            code: np.ndarray) -> dict:
    """:attr:`EditedEdges.chains` of the base edges ``parent`` (one per edited edge of
    ``pieces``, of lit code ``code``): its ends and the cut nodes at the ends of its pieces,
    projected on it (as its points were), all at once; a base edge takes the lit code of its
    first piece."""
    if not len(pieces):
        return {}
    n0 = len(base.nodes)
    e, be = edited.edges, base.edges
    bu, bv = be["u"].to_numpy(np.int64), be["v"].to_numpy(np.int64)
    blen = be["length_m"].to_numpy(np.float64)
    keys, first, inv = np.unique(parent, return_index=True, return_inverse=True)
    ends = np.concatenate([e["u"].to_numpy(np.int64)[pieces], e["v"].to_numpy(np.int64)[pieces]])
    owner = np.concatenate([inv, inv])
    cut = ends >= n0
    pairs = np.unique(np.column_stack([owner[cut], ends[cut]]), axis=0)  # each cut node once
    k_of, node = pairs[:, 0], pairs[:, 1]
    p_of = keys[k_of]
    off = np.zeros(0)
    if len(p_of):
        uv = shapely.get_coordinates(np.asarray(base.nodes.geometry.values, dtype=object)[
            np.r_[bu[p_of], bv[p_of]]]).reshape(2, -1, 2)
        off = _project(np.asarray(be.geometry.values[p_of], dtype=object),
                       np.asarray(edited.nodes.geometry.values[node], dtype=object),
                       uv[0], uv[1], blen[p_of])[0]
    split = np.searchsorted(k_of, np.arange(len(keys) + 1))
    return {p: (np.r_[bu[p], bv[p], node[split[k]:split[k + 1]]],
                np.r_[0.0, blen[p], off[split[k]:split[k + 1]]], code[first[k]])
            for k, p in enumerate(keys.tolist())}


def patch_arcs(graph: RoutingGraph, attachments: Sequence[Attachment], base: WalkNetwork,
               edited: WalkNetwork, edge_parent: Any, *, edge_mask: Any = None,
               base_edge_mask: Any = None, edges: Any = None,
               edit: EditedEdges | None = None) -> tuple[np.ndarray, ...]:
    """The nodes and arcs :func:`patch_routing_graph` adds: ``(new_xy, a, b, length_m, lit
    code)``, the arguments of :func:`add_arcs` (same parameters as
    :func:`patch_routing_graph`). Every route of the patched graph that differs from the
    graph's passes through an end of one of these arcs.

    ``edges`` (optional): positions of the edited edges to read, which must hold every new
    edge, every piece of a cut base edge and every edge that enters ``edge_mask`` (from
    :class:`~geoplan.scenario.edits.AppliedScenario`: ``edge_parent < 0 | edge_split |
    edge_relit``); the other edges are not read, so the cost is that of the edit. Default:
    all edges are read. ``edit``: :func:`edited_edges` of the same edit, made once for
    several graphs (then ``edges`` is not read).

    >>> g = build_routing_graph(example_network())
    >>> _, a, b, w, _ = patch_arcs(g, [], example_network(), example_network(), [0, 1, 2])
    >>> a.tolist(), b.tolist(), w.tolist()     # nothing edited: nothing to add
    ([], [], [])
    """
    if edit is None:
        edit = edited_edges(base, edited, edge_parent, edges)
    keep = _edge_mask(edge_mask, len(edited.edges))
    base_keep = _edge_mask(base_edge_mask, len(base.edges))
    n0, g0 = len(base.nodes), graph.n_nodes

    def node_id(k: np.ndarray) -> np.ndarray:
        return np.where(k < n0, k, g0 + k - n0)

    rows, u, v, length, code = edit.new
    on = keep[rows]
    arcs = [(node_id(u[on]), node_id(v[on]), length[on], code[on])]
    old, po = edit.old, edit.parent
    cut_or_kept = (_piece_counts(po, len(base_keep)) > 1) | (keep[old] & ~base_keep[po])
    for p in np.unique(po[cut_or_kept]).tolist():
        mine = old[po == p]
        if keep[mine].min() != keep[mine].max():
            raise GeoplanError(f"the pieces of base edge {p} are not all in the graph's edge "
                               "mask: rebuild the graph with build_routing_graph")
        if keep[mine[0]]:
            chain = edit.chains.get(p) or _chains(base, edited, mine[:1], po[po == p][:1],
                                                  _lit_of(edited.edges, mine[:1]))[p]
            arcs.append(_chain_of(graph, attachments, p, *chain, node_id))
    a, b, w, c = (np.concatenate(x) for x in zip(*arcs, strict=True))
    return edit.new_xy, a, b, w, c


def _piece_counts(parent: np.ndarray, n_base: int) -> np.ndarray:
    """Per entry of ``parent`` (base edge ids), how often its base edge occurs in ``parent``."""
    if len(parent) * 16 < n_base:  # a few edges: sort them, not a count per base edge
        _, inv, count = np.unique(parent, return_inverse=True, return_counts=True)
        return count[inv]
    return np.bincount(parent, minlength=n_base)[parent]


def _chain_arcs(graph: RoutingGraph, attachments: Sequence[Attachment], base: WalkNetwork,
                edited: WalkNetwork, p: int, pieces: np.ndarray, node_id: Callable) -> tuple:
    """Arcs between consecutive nodes along base edge ``p`` (cut into the edited edges
    ``pieces``, or newly kept): its ends, its points' nodes in ``graph`` and its cut nodes, in
    order of offset from its ``u``; ``(a, b, length_m, lit code)``."""
    pieces = np.sort(np.asarray(pieces, np.int64))
    chain = _chains(base, edited, pieces, np.full(len(pieces), p), _lit_of(edited.edges, pieces))
    return _chain_of(graph, attachments, p, *chain[p], node_id)


def _chain_of(graph: RoutingGraph, attachments: Sequence[Attachment], p: int,
              nodes: np.ndarray, offsets: np.ndarray, code: int, node_id: Callable) -> tuple:
    """:func:`_chain_arcs` from base edge ``p``'s ends and cut nodes (``nodes``, ids of the
    edited network, at ``offsets`` from its ``u``; :class:`EditedEdges`): with the nodes of
    ``graph``'s points on it."""
    bu, bv, length = nodes[0], nodes[1], offsets[1]
    nd, of = [node_id(nodes)], [offsets]
    for att, en in zip(attachments, graph.edge_nodes, strict=False):
        on = _points_on(att, p)
        nd.append(en[on])
        of.append(np.where(en[on] == bu, 0.0, np.where(en[on] == bv, length,
                                                       att.offset_m[on])))
    nd, of = np.concatenate(nd).astype(np.int64), np.concatenate(of)
    order = np.lexsort((nd, of))
    nd, of = nd[order], of[order]
    step = nd[1:] != nd[:-1]
    return (nd[:-1][step], nd[1:][step], np.maximum(of[1:] - of[:-1], 0.0)[step],
            np.full(int(step.sum()), code, np.int8))


def _points_on(att: Attachment, p: int) -> np.ndarray:
    """Positions of the points of ``att`` on edge ``p``, in their order (the points sorted by
    edge once per attachment, kept while it lives: :func:`geoplan._memo.once_per`)."""
    from ._memo import once_per

    order, edge = once_per(att, "by_edge", lambda: (
        lambda o: (o, att.edge[o]))(np.argsort(att.edge, kind="stable")))
    return order[np.searchsorted(edge, p, "left"):np.searchsorted(edge, p, "right")]


def subgraph_near(graph: RoutingGraph, xy: Any, radius_m: float
                  ) -> tuple[RoutingGraph, np.ndarray]:
    """The part of ``graph`` that walks of at most ``radius_m`` from the points ``xy`` can use.

    The nodes within the bounding box of ``xy`` widened by ``radius_m * reach_factor`` and the
    arcs between them: every distance of at most ``radius_m`` from a node at one of ``xy`` is
    the same in it as in ``graph``, at a cost that grows with the box, not with ``graph``.

    Returns
    -------
    (RoutingGraph, numpy.ndarray)
        The local graph (``point_nodes`` and ``edge_nodes`` in its ids, ``-1`` outside; the
        same ``reach_factor`` and ``symmetric``) and the id in ``graph`` of each of its nodes.

    Examples
    --------
    >>> g = build_routing_graph(example_network())
    >>> sub, ids = subgraph_near(g, [[0.0, 0.0]], 150.0)   # the box -150..150: nodes 0, 1, 3
    >>> ids.tolist(), nearest_distance_m(sub, [0], [1]).tolist()
    ([0, 1, 3], [100.0])
    """
    pts = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    reach = float(radius_m) * graph.reach_factor
    if len(pts) == 0 or not math.isfinite(reach):
        lo = hi = None
    else:
        lo, hi = pts.min(axis=0) - reach, pts.max(axis=0) + reach
    nxy = graph.node_xy
    nodes = (np.arange(graph.n_nodes) if lo is None else np.flatnonzero(
        (nxy[:, 0] >= lo[0]) & (nxy[:, 0] <= hi[0]) & (nxy[:, 1] >= lo[1])
        & (nxy[:, 1] <= hi[1])))
    sub, local = _subgraph(graph.csr, nodes)
    coo = sub.tocoo()  # row-major, in the order of sub.data
    lit = graph.arc_lit[_arc_positions(graph.csr, nodes[coo.row], nodes[coo.col])]

    def remap(ids: np.ndarray) -> np.ndarray:
        return np.where(ids >= 0, local[np.maximum(ids, 0)], -1)

    return RoutingGraph(sub, nxy[nodes], lit, int((nodes < graph.n_network_nodes).sum()),
                        tuple(remap(p) for p in graph.point_nodes), graph.reach_factor,
                        graph.symmetric, tuple(remap(p) for p in graph.edge_nodes)), nodes


def patched_subgraph(graph: RoutingGraph, new_xy: Any, a: Any, b: Any, length_m: Any,
                     lit_code: Any, nodes: Any) -> RoutingGraph:
    """The part of ``add_arcs(graph, new_xy, a, b, length_m, lit_code)`` on ``nodes``, without
    making that whole graph: the cost grows with ``nodes`` and the arcs, not with ``graph``.

    A scenario's patch (:func:`patch_arcs`) seen through the nodes near the edit: the arcs of
    ``graph`` between ``nodes`` and the added arcs between them, in the order and with the
    lengths and lit codes :func:`add_arcs` gives them.

    Parameters
    ----------
    graph, new_xy, a, b, length_m, lit_code
        As for :func:`add_arcs`.
    nodes : array of int
        Sorted distinct node ids of the patched graph (new nodes from ``graph.n_nodes``).

    Returns
    -------
    RoutingGraph
        Local node ``i`` is ``nodes[i]``; ``point_nodes`` and ``edge_nodes`` in local ids
        (``-1`` outside), the patched graph's ``reach_factor``, as :func:`subgraph_near`.

    Examples
    --------
    >>> g = build_routing_graph(example_network())     # 0-1-2 and 1-3, 100 m each
    >>> sub = patched_subgraph(g, [[200.0, 100.0]], [3, 4], [4, 2], [100.0, 100.0], None,
    ...                        [1, 2, 3, 4])           # node 0 left out: local ids 0..3
    >>> nearest_distance_m(sub, [1], [2]).tolist()      # node 2 to node 3: by 4 or by 1
    [200.0]
    >>> sub.node_xy.tolist()
    [[100.0, 0.0], [200.0, 0.0], [100.0, 100.0], [200.0, 100.0]]
    """
    new_xy = np.asarray(new_xy, dtype=np.float64).reshape(-1, 2)
    nodes = np.asarray(nodes, np.int64).ravel()
    n0 = graph.n_nodes
    if len(nodes) and (np.any(np.diff(nodes) <= 0) or nodes[0] < 0
                       or nodes[-1] >= n0 + len(new_xy)):
        raise GeoplanError(f"nodes must be sorted distinct node ids 0..{n0 + len(new_xy) - 1}")
    arcs = _arc_arrays(a, b, length_m, lit_code, n0 + len(new_xy))
    csr, lit = _patched_csr(graph, arcs, nodes)
    old = nodes[nodes < n0]
    xy = np.vstack([graph.node_xy[old], new_xy[nodes[len(old):] - n0]])
    local = _lookup(n0, old)

    def remap(ids: np.ndarray) -> np.ndarray:
        return np.where(ids >= 0, local[np.clip(ids, 0, n0 - 1)], -1).astype(np.int64)

    return RoutingGraph(csr, xy, lit, int((nodes < graph.n_network_nodes).sum()),
                        tuple(remap(p) for p in graph.point_nodes),
                        patch_reach_factor(graph, new_xy, *arcs[:3]), graph.symmetric,
                        tuple(remap(p) for p in graph.edge_nodes))


def _lookup(n: int, nodes: np.ndarray) -> np.ndarray:
    """int32 array of ``n``: the position of each node in ``nodes``, ``-1`` elsewhere (one
    allocation, 0.05 ms at 200k nodes: cheaper than searching ``nodes`` per id)."""
    local = np.full(n, -1, np.int32)
    local[nodes] = np.arange(len(nodes), dtype=np.int32)
    return local


def _ranges(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The positions ``first[i] .. first[i] + count[i] - 1`` of every ``i``, concatenated."""
    first, count = np.asarray(first, np.int64), np.asarray(count, np.int64)
    return np.repeat(first - np.cumsum(count) + count, count) + np.arange(count.sum())


def patch_reach_factor(graph: RoutingGraph, new_xy: Any, a: Any, b: Any, length_m: Any) -> float:
    """:attr:`RoutingGraph.reach_factor` of ``add_arcs(graph, new_xy, a, b, length_m)``,
    from the added arcs alone.

    >>> g = build_routing_graph(example_network())      # nodes 0 (0,0) and 2 (200,0)
    >>> patch_reach_factor(g, [], [0], [2], [100.0])     # 200 m apart, 100 m long
    2.0
    """
    new_xy = np.asarray(new_xy, dtype=np.float64).reshape(-1, 2)
    a, b = np.asarray(a, np.int64).ravel(), np.asarray(b, np.int64).ravel()
    w = np.asarray(length_m, np.float64).ravel()
    n0, loop = graph.n_nodes, a == b

    def xy(k: np.ndarray) -> np.ndarray:
        return np.where((k < n0)[:, None], graph.node_xy[np.minimum(k, n0 - 1)],
                        new_xy[np.clip(k - n0, 0, max(len(new_xy) - 1, 0))]
                        if len(new_xy) else 0.0)

    return max(graph.reach_factor, _arc_reach(np.vstack([xy(a[~loop]), xy(b[~loop])]),
                                              np.arange(int((~loop).sum())),
                                              np.arange(int((~loop).sum()),
                                                        2 * int((~loop).sum())), w[~loop]))


def _patched_csr(graph: RoutingGraph, arcs: tuple, nodes: np.ndarray
                 ) -> tuple[sp.csr_matrix, np.ndarray]:
    """CSR and lit codes of :func:`patched_subgraph` (``arcs``: :func:`_arc_arrays`)."""
    n0 = graph.n_nodes
    old = nodes[nodes < n0]
    sub, pos = _induced(graph.csr, old)
    rows, cols, w, code = _merge_arcs(*arcs)
    r, c = _local_ids(nodes, rows), _local_ids(nodes, cols)
    inside = (r >= 0) & (c >= 0)
    return _insert_arcs(sub, graph.arc_lit[pos], r[inside], c[inside], w[inside], code[inside],
                        len(nodes))


def _induced(csr: sp.csr_matrix, nodes: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The graph induced by the sorted distinct ``nodes`` (local id ``i`` is ``nodes[i]``; arcs
    in the order of ``csr``) and the position in ``csr.data`` of each of its arcs (one int32
    lookup array of ``csr``'s nodes: 0.05 ms at 200k, cheaper than a search per arc)."""
    start = csr.indptr[nodes].astype(np.int64)
    count = csr.indptr[nodes + 1].astype(np.int64) - start
    pos = _ranges(start, count)
    col = _lookup(csr.shape[0], nodes)[csr.indices[pos]]
    keep = col >= 0
    indptr = np.zeros(len(nodes) + 1, np.int64)
    np.cumsum(np.bincount(np.repeat(np.arange(len(nodes)), count)[keep], minlength=len(nodes)),
              out=indptr[1:])
    sub = sp.csr_matrix((csr.data[pos[keep]], col[keep].astype(np.int32), indptr.astype(np.int32)),
                        shape=(len(nodes), len(nodes)))
    return sub, pos[keep]


def _local_ids(nodes: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Per id of ``ids``, its position in the sorted ``nodes`` (``-1`` if not there)."""
    ids = np.asarray(ids, np.int64)
    if not len(nodes):
        return np.full(len(ids), -1, np.int64)
    j = np.minimum(np.searchsorted(nodes, ids), len(nodes) - 1)
    return np.where((ids >= 0) & (nodes[j] == ids), j, -1)


def pairs_on_same_key(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    """All pairs ``(i, j)`` with ``a[i] == b[j]`` (e.g. points on the same edge), as positions.

    Negative keys (unattached points) pair with nothing.

    >>> i, j = pairs_on_same_key([3, 5, -1, 3], [5, 3, 3, -1])
    >>> sorted(zip(i.tolist(), j.tolist()))
    [(0, 1), (0, 2), (1, 0), (3, 1), (3, 2)]
    """
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    order = np.argsort(b, kind="stable")
    bs = b[order]
    lo = np.searchsorted(bs, a, "left")
    cnt = np.where(a >= 0, np.searchsorted(bs, a, "right") - lo, 0)
    i = np.repeat(np.arange(len(a)), cnt)
    within = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return i, order[np.repeat(lo, cnt) + within]


def _place_points(
    edge: np.ndarray, off: np.ndarray, xy: np.ndarray, u: np.ndarray, v: np.ndarray,
    length: np.ndarray, n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Node id per point; edge, offset and coordinates of the (deduplicated) virtual nodes.

    Virtual nodes are numbered ``n, n+1, ...`` in order of (edge, offset).
    """
    node = np.full(len(edge), -1, np.int64)
    on = np.flatnonzero(edge >= 0)
    e, t = edge[on], off[on]
    at_u = t <= END_TOLERANCE_M
    at_v = ~at_u & (t >= length[e] - END_TOLERANCE_M)
    node[on[at_u]], node[on[at_v]] = u[e[at_u]], v[e[at_v]]
    inner = on[~at_u & ~at_v]
    order = inner[np.lexsort((off[inner], edge[inner]))]
    es, ts = edge[order], off[order]
    first = np.ones(len(order), bool)
    first[1:] = (es[1:] != es[:-1]) | (ts[1:] != ts[:-1])
    node[order] = n + np.cumsum(first) - 1
    return node, es[first], ts[first], xy[order[first]]


def _split_segments(
    u: np.ndarray, v: np.ndarray, length: np.ndarray, virt_edge: np.ndarray,
    virt_off: np.ndarray, n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Segments ``(a, b, length_m, edge)`` of all edges cut at the sorted virtual nodes."""
    k = len(virt_edge)
    vid = n + np.arange(k)
    same_prev = np.zeros(k, bool)
    same_prev[1:] = virt_edge[1:] == virt_edge[:-1]
    last = np.ones(k, bool)
    last[:-1] = ~same_prev[1:]
    prev_node = np.where(same_prev, vid - 1, u[virt_edge])
    prev_off = np.where(same_prev, np.roll(virt_off, 1), 0.0)
    whole = np.ones(len(u), bool)
    whole[virt_edge] = False
    el = virt_edge[last]
    a = np.concatenate([u[whole], prev_node, vid[last]])
    b = np.concatenate([v[whole], vid, v[el]])
    w = np.concatenate([length[whole], virt_off - prev_off, length[el] - virt_off[last]])
    e = np.concatenate([np.flatnonzero(whole), virt_edge, el])
    return a, b, np.maximum(w, 0.0), e


def _symmetric_csr(
    a: np.ndarray, b: np.ndarray, w: np.ndarray, lit: np.ndarray, n: int
) -> tuple[sp.csr_matrix, np.ndarray]:
    """CSR with both directions of each segment, keeping the shortest of parallel arcs."""
    return _csr_from_arcs(np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([w, w]),
                          np.concatenate([lit, lit]), n)


def _csr_from_arcs(
    rows: np.ndarray, cols: np.ndarray, ww: np.ndarray, ll: np.ndarray, n: int
) -> tuple[sp.csr_matrix, np.ndarray]:
    """CSR of the arcs ``rows -> cols`` (shortest of parallel arcs) and their lit codes."""
    order = np.lexsort((ww, cols, rows))
    key = rows[order] * np.int64(n) + cols[order]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    sel = order[first]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows[sel], minlength=n), out=indptr[1:])
    idx_type = np.int32 if n < 2**31 - 1 else np.int64
    csr = sp.csr_matrix(
        (ww[sel], cols[sel].astype(idx_type), indptr.astype(idx_type)), shape=(n, n)
    )
    csr.has_sorted_indices = True
    return csr, ll[sel].astype(np.int8)


def _reach_factor(csr: sp.csr_matrix, xy: np.ndarray) -> float:
    rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
    chord = np.hypot(*(xy[rows] - xy[csr.indices]).T)
    if np.any((csr.data <= 0) & (chord > 0)):
        return math.inf
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(csr.data > 0, chord / csr.data, 0.0)
    return float(max(1.0, ratio.max(initial=0.0)))


# --------------------------------------------------------------------------------------------
# queries
# --------------------------------------------------------------------------------------------
def nearest_distance_m(
    graph: RoutingGraph,
    origins: Any,
    destinations: Any,
    *,
    limit_m: float = math.inf,
) -> np.ndarray:
    """Network distance in metres from each origin to its nearest destination.

    One multi-source Dijkstra from the destinations (``min_only=True``).

    Parameters
    ----------
    graph : RoutingGraph
    origins, destinations : array of int
        Node ids in ``graph`` (``graph.point_nodes[i]``, or network node ids); ``-1`` entries
        are unattached points: as origins they get ``inf``, as destinations they are ignored.
    limit_m : float
        Stop searching beyond this distance (farther origins get ``inf``).

    Returns
    -------
    numpy.ndarray
        float64 per origin; ``inf`` if no destination is reachable.

    Examples
    --------
    >>> g = build_routing_graph(example_network())
    >>> nearest_distance_m(g, [0, 2, 3, -1], [2]).tolist()
    [200.0, 0.0, 200.0, inf]
    """
    o = _node_ids(graph, origins, "origins")
    dist, _, _ = _multi_source(graph, _node_ids(graph, destinations, "destinations"), limit_m,
                               predecessors=False)
    return _at(dist, o, math.inf)


def nearest_route(
    graph: RoutingGraph,
    origins: Any,
    destinations: Any,
    *,
    limit_m: float = math.inf,
) -> NearestRoute:
    """Nearest destination per origin, with the lit and unknown-lit length of the route.

    One multi-source Dijkstra with predecessors; the lit and unknown metres are summed along
    the shortest-path tree by pointer jumping (vectorised, ``O(n log depth)``).

    Parameters
    ----------
    graph : RoutingGraph
    origins, destinations : array of int
        Node ids as in :func:`nearest_distance_m`.
    limit_m : float
        Stop searching beyond this distance.

    Returns
    -------
    NearestRoute
        Distance, nearest destination (position in ``destinations``), lit and unknown metres;
        ``lit_share`` / ``unknown_share`` as properties. With tied shortest routes one of them
        is reported.

    Examples
    --------
    >>> g = build_routing_graph(example_network())
    >>> r = nearest_route(g, [0, 2, 3], [2])
    >>> r.distance_m.tolist(), r.lit_m.tolist(), r.unknown_m.tolist()
    ([200.0, 0.0, 200.0], [100.0, 0.0, 0.0], [0.0, 0.0, 100.0])
    >>> r.lit_share.tolist()
    [0.5, nan, 0.0]
    """
    o = _node_ids(graph, origins, "origins")
    d = _node_ids(graph, destinations, "destinations")
    dist, pred, source = _multi_source(graph, d, limit_m, predecessors=True)
    acc = _sum_to_root(pred, _tree_lit(graph, pred))
    ok = d >= 0
    dest_nodes, first_pos = np.unique(d[ok], return_index=True)
    dest_pos = np.full(graph.n_nodes, -1, np.int64)
    dest_pos[dest_nodes] = np.flatnonzero(ok)[first_pos]
    at = np.maximum(o, 0)
    dist_o = dist.take(at)
    dist_o[o < 0] = math.inf
    reached = np.isfinite(dist_o)
    acc_o = acc.take(at)
    lit_o = np.where(reached, acc_o.real, np.nan)
    unknown_o = np.where(reached, acc_o.imag, np.nan)
    dest = np.where(reached, dest_pos.take(np.maximum(source.take(at), 0)), -1)
    return NearestRoute(dist_o, dest, lit_o, unknown_o)


#: Per :data:`LIT_CODES` value, the part of an arc's length it adds to a route's lit metres
#: (real) and unknown-lit metres (imaginary).
_LIT_PARTS = np.array([{"yes": 1.0, "unknown": 1j}.get(k, 0.0)
                       for k, _ in sorted(LIT_CODES.items(), key=lambda kv: kv[1])])


def _tree_lit(graph: RoutingGraph, pred: np.ndarray) -> np.ndarray:
    """Per node, the lit (real) and unknown-lit (imaginary) metres of the arc from its
    predecessor in ``pred`` (0 at roots and unreached nodes): the tree's arcs are found in one
    vectorised pass over the arcs, in CSR order (of parallel arcs, none in graphs made here,
    the first in the row wins)."""
    csr = graph.csr
    pos = np.flatnonzero(pred.take(csr.indices) == _arc_tails(csr))
    seg = np.zeros(csr.shape[0], np.complex128)
    seg[csr.indices.take(pos)[::-1]] = (csr.data.take(pos)
                                        * _LIT_PARTS.take(graph.arc_lit.take(pos)))[::-1]
    return seg


def _arc_tails(csr: sp.csr_matrix) -> np.ndarray:
    """The tail (row) of each arc of ``csr``, in the order of its data; made once per matrix
    and kept while it lives (:func:`geoplan._memo.once_per`: each nearest route of a graph
    asks for it, ~0.4 ms at 50k nodes)."""
    from ._memo import once_per

    return once_per(csr, "arc_tails", lambda: np.repeat(
        np.arange(csr.shape[0], dtype=csr.indices.dtype), np.diff(csr.indptr)))


def _multi_source(
    graph: RoutingGraph, dest: np.ndarray, limit_m: float, *, predecessors: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = graph.n_nodes
    src = np.unique(dest[dest >= 0])
    if len(src) == 0:
        return np.full(n, math.inf), np.full(n, -9999, np.int32), np.full(n, -9999, np.int32)
    if predecessors:
        dist, pred, source = dijkstra(graph.csr, directed=True, indices=src, limit=limit_m,
                                      min_only=True, return_predecessors=True)
        return dist, pred, source
    dist = dijkstra(graph.csr, directed=True, indices=src, limit=limit_m, min_only=True)
    return dist, np.empty(0, np.int32), np.empty(0, np.int32)


def _at(values: np.ndarray, nodes: np.ndarray, missing: Any) -> np.ndarray:
    """``values[nodes]`` with ``missing`` where the node id is -1."""
    out = values[np.maximum(nodes, 0)]
    out = out.astype(np.result_type(out.dtype, np.asarray(missing).dtype), copy=True)
    out[nodes < 0] = missing
    return out


def _arc_positions(csr: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Positions in ``csr.data`` of the existing arcs ``rows[i] -> cols[i]`` (row scan)."""
    out = np.empty(len(rows), np.int64)
    pos = csr.indptr[rows].astype(np.int64)
    todo = np.arange(len(rows))
    while len(todo):
        hit = csr.indices[pos] == cols[todo]
        out[todo[hit]] = pos[hit]
        todo, pos = todo[~hit], pos[~hit] + 1
    return out


def _sum_to_root(pred: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Sum ``seg`` (per node: the value of the arc from its predecessor) up to each tree root
    (pointer jumping: ``O(n log depth)``, vectorised)."""
    p = np.where(pred >= 0, pred, np.arange(len(pred), dtype=pred.dtype))
    acc = seg.copy()
    while True:
        pp = p.take(p)
        if np.array_equal(pp, p):
            return acc
        acc += acc.take(p)
        p = pp


def gravity_beta(half_distance_m: float) -> float:
    """Decay rate ``beta = ln(2) / half_distance_m`` (per metre) of :func:`gravity`.

    >>> round(gravity_beta(400.0) * 400.0, 6)
    0.693147
    """
    if not half_distance_m > 0:
        raise GeoplanError(f"half_distance_m must be > 0 metres, got {half_distance_m}")
    return math.log(2.0) / half_distance_m


def count_within(
    graph: RoutingGraph,
    origins: Any,
    destinations: Any,
    radii_m: Sequence[float],
    *,
    weights: Any = None,
    tile_m: float | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Number (or weighted sum) of destinations within each network radius of each origin.

    Exact: a destination counts for radius ``r`` if its network distance is ``<= r``.

    Parameters
    ----------
    graph : RoutingGraph
    origins, destinations : array of int
        Node ids as in :func:`nearest_distance_m`.
    radii_m : sequence of float
        Radii in metres, e.g. ``[400, 800, 1200]``.
    weights : array of float, optional
        Per destination (e.g. jobs); default 1 (a count).
    tile_m : float, optional
        Side of the spatial tiles of the Dijkstra sources; default ``max(2 * radius, 400)``.
        The result does not depend on it.
    progress : Progress, optional
        Reported per tile; cancelling raises :class:`geoplan.errors.Cancelled`.

    Returns
    -------
    numpy.ndarray
        ``(n_origins, n_radii)`` float64; ``NaN`` rows for unattached origins (no access, not
        zero), ``0`` for origins that reach nothing.

    Examples
    --------
    >>> g = build_routing_graph(example_network())
    >>> count_within(g, [0, 1, -1], [1, 2, 3], [100, 200], weights=[1, 2, 4]).tolist()
    [[1.0, 7.0], [7.0, 7.0], [nan, nan]]
    """
    radii = np.asarray(radii_m, dtype=np.float64).ravel()
    if len(radii) == 0 or not np.all(np.isfinite(radii) & (radii >= 0)):
        raise GeoplanError(f"radii_m must be finite radii >= 0 metres, got {list(radii_m)}")

    return _reduce_pairs(graph, origins, destinations, weights, float(radii.max()),
                         DistanceKernel(tuple(radii.tolist())), len(radii), tile_m, progress)


def gravity(
    graph: RoutingGraph,
    origins: Any,
    destinations: Any,
    *,
    weights: Any = None,
    half_distance_m: float = 400.0,
    cutoff_m: float = 1200.0,
    tile_m: float | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Gravity access: sum of ``weight * exp(-beta * d)`` over destinations within ``cutoff_m``.

    ``beta = ln(2) / half_distance_m`` (:func:`gravity_beta`): a destination at
    ``half_distance_m`` counts half, one at twice that a quarter; beyond ``cutoff_m`` nothing.

    Parameters
    ----------
    graph : RoutingGraph
    origins, destinations : array of int
        Node ids as in :func:`nearest_distance_m`.
    weights : array of float, optional
        Per destination; default 1.
    half_distance_m, cutoff_m : float
        Decay half distance and hard cutoff, in metres.
    tile_m : float, optional
        As in :func:`count_within`.
    progress : Progress, optional
        Reported per tile.

    Returns
    -------
    numpy.ndarray
        float64 per origin; ``NaN`` for unattached origins, ``0`` if nothing is within reach.

    Examples
    --------
    >>> g = build_routing_graph(example_network())
    >>> gravity(g, [0, 1, 3], [0, 2], half_distance_m=100, cutoff_m=150).tolist()
    [1.0, 1.0, 0.0]
    """
    beta = gravity_beta(half_distance_m)
    if not (math.isfinite(cutoff_m) and cutoff_m >= 0):
        raise GeoplanError(f"cutoff_m must be a finite distance >= 0 metres, got {cutoff_m}")

    return _reduce_pairs(graph, origins, destinations, weights, float(cutoff_m),
                         DistanceKernel((), beta, float(cutoff_m)), 1, tile_m, progress)[:, 0]


@dataclass(frozen=True)
class DistanceKernel:
    """What a pair at network distance ``d`` adds to its origin's sums: ``d <= r`` (1 or 0)
    for each of ``radii_m``, then, with ``beta``, the gravity weight ``exp(-beta * d)`` for
    ``d <= cutoff_m`` (0 beyond).

    Called on a block of distances it returns one block per output and keeps its input;
    :meth:`into` writes the last one over the input block instead (the tile loops own their
    blocks: one array less to allocate and fill per block). Given the whole block that the
    input is a column slice of, a kernel of radii alone writes its last 0/1 over all of it:
    numpy compares a contiguous block ~2x faster per cell than a column slice of it (the
    first within-800 m call on the reference graph takes ~1.5 ms less).

    Examples
    --------
    >>> k = DistanceKernel((100.0,), gravity_beta(100.0), 150.0)
    >>> d = np.array([[50.0, 100.0, 200.0]])
    >>> [b.astype(float).tolist() for b in k(d)]
    [[[1.0, 1.0, 0.0]], [[0.7071067811865476, 0.5, 0.0]]]
    >>> [b.tolist() for b in k.into(d)] == [b.tolist() for b in k(np.array([[50.0, 100.0, 200.0]]))]
    True
    >>> d.tolist()  # the gravity block, written over the distances
    [[0.7071067811865476, 0.5, 0.0]]
    >>> whole = np.array([[0.0, 50.0, 200.0, 10.0]])          # its columns 1 and 2: targets
    >>> [b.tolist() for b in DistanceKernel((100.0,)).into(whole[:, 1:3], whole)]
    [[[1.0, 0.0]]]
    """

    radii_m: tuple[float, ...] = ()
    beta: float | None = None
    cutoff_m: float = math.inf

    def __call__(self, dist: np.ndarray) -> list[np.ndarray]:
        """The blocks of ``dist``: a boolean one per radius, then the gravity weights."""
        return self._blocks(dist, overwrite=False)

    def into(self, dist: np.ndarray, whole: np.ndarray | None = None) -> list[np.ndarray]:
        """As calling the kernel (the last block as float64), written over ``dist``; with
        ``whole``, the C-contiguous block of which ``dist`` is a column slice, the last
        radius is written over all of ``whole`` (its other cells are lost)."""
        return self._blocks(dist, overwrite=True, whole=whole)

    def _blocks(self, dist: np.ndarray, overwrite: bool, whole: np.ndarray | None = None
                ) -> list[np.ndarray]:
        radii = self.radii_m if self.beta is not None or not overwrite else self.radii_m[:-1]
        out = [np.less_equal(dist, _row(dist, r)) for r in radii]
        if self.beta is not None:
            within = np.less_equal(dist, _row(dist, self.cutoff_m))
            grav = np.multiply(dist, _row(dist, -self.beta), out=dist if overwrite else None)
            with np.errstate(invalid="ignore"):
                np.exp(grav, out=grav)
            out.append(np.multiply(grav, within, out=grav))  # exactly 0 beyond the cutoff
        elif overwrite and self.radii_m and whole is not None and whole.flags.c_contiguous:
            np.less_equal(whole, self.radii_m[-1], out=whole, casting="unsafe")
            out.append(dist)  # a view of whole: its 0/1 now
        elif overwrite and self.radii_m:
            out.append(np.less_equal(dist, _row(dist, self.radii_m[-1]), out=dist,
                                     casting="unsafe"))
        return out


def _row(block: np.ndarray, value: float) -> np.ndarray:
    """``value`` as one row of ``block``: the same results as the scalar in a ufunc, but on a
    block that is a column slice, numpy then does not copy the scalar into a buffer for each
    stretch of cells (~2 instructions a cell less)."""
    return np.full(block.shape[-1:], value)


def _reduce_pairs(
    graph: RoutingGraph,
    origins: Any,
    destinations: Any,
    weights: Any,
    limit_m: float,
    kernel: Callable[[np.ndarray], list[np.ndarray]],
    n_out: int,
    tile_m: float | None,
    progress: Progress | None,
) -> np.ndarray:
    """``out[o, j] = sum_d w_d * kernel(dist(o, d))[j]`` over pairs within ``limit_m``.

    Dijkstra runs from the smaller of the two node sets when the graph is symmetric, else from
    the destinations (one-way arcs lead into the origins).
    """
    o = _node_ids(graph, origins, "origins")
    d = _node_ids(graph, destinations, "destinations")
    w = _weights(weights, len(d))
    o_nodes, o_inv = np.unique(np.maximum(o, 0), return_inverse=True)
    d_nodes, d_inv = np.unique(d[d >= 0], return_inverse=True)
    d_w = np.bincount(d_inv, weights=w[d >= 0], minlength=len(d_nodes))
    per_node = [np.zeros(len(o_nodes)) for _ in range(n_out)]  # 1-D: cheaper to index
    from_origins = graph.symmetric and len(o_nodes) <= len(d_nodes)
    src, tgt = (o_nodes, d_nodes) if from_origins else (d_nodes, o_nodes)
    tile = tile_m if tile_m is not None else max(2.0 * limit_m, 400.0)
    with _one_blas_thread():
        for s_idx, t_idx, block in _distance_blocks(graph, src, tgt, limit_m, tile, progress,
                                                    contract=True):
            for j, k in enumerate(_kernel_blocks(kernel, block, len(t_idx))):
                if from_origins:
                    per_node[j][s_idx] += k @ np.take(d_w, t_idx)
                else:
                    per_node[j][t_idx] += np.take(d_w, s_idx) @ k
            block = k = None  # freed before the next block is made (_distance_blocks)
    out = np.stack(per_node, axis=1)[o_inv]
    out[o < 0] = np.nan
    return out


def _target_columns(block: np.ndarray, n_targets: int) -> np.ndarray:
    """The targets' columns of a :func:`_distance_blocks` block (a view)."""
    return block[:, 1 : n_targets + 1]


def _kernel_blocks(kernel: Callable[[np.ndarray], list[np.ndarray]], block: np.ndarray,
                   n_targets: int) -> list[np.ndarray]:
    """``kernel`` on the targets' columns of a :func:`_distance_blocks` block, written over
    the block when the kernel can (:meth:`DistanceKernel.into`: the tile loops own their
    blocks)."""
    into = getattr(kernel, "into", None)
    dist = _target_columns(block, n_targets)
    return kernel(dist) if into is None else into(dist, block)


#: threadpoolctl's view of the loaded BLAS libraries (made on first use), and how many
#: threads are inside :func:`_one_blas_thread` with the limiter that the first of them set.
_BLAS: dict[str, Any] = {"controller": None, "depth": 0, "limiter": None}
_BLAS_LOCK = threading.Lock()


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """A context in which numpy's BLAS runs on one thread (``threadpoolctl``; without it, the
    context does nothing).

    The tile loops reduce each block with a small matrix-vector product. OpenBLAS splits one
    of that size over every core and then keeps its helper threads spinning: on a 2-core
    machine the query was ~3 % slower and used a second core for nothing (and in QGIS, a core
    the interface needs). One thread is as fast for these products. Queries running at once
    in several threads (QGIS tasks) share one limit: the first to enter sets it, the last to
    leave restores what was there before.

    Examples
    --------
    >>> with _one_blas_thread():
    ...     float(np.ones(3) @ np.ones(3))
    3.0
    """
    with _BLAS_LOCK:
        if _BLAS["controller"] is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:  # an optional speed-up: the results are the same without it
                _BLAS["controller"] = False
            else:
                _BLAS["controller"] = ThreadpoolController()
        if _BLAS["controller"] is not False:
            if _BLAS["depth"] == 0:
                _BLAS["limiter"] = _BLAS["controller"].limit(limits=1, user_api="blas")
            _BLAS["depth"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            if _BLAS["controller"] is not False:
                _BLAS["depth"] -= 1
                if _BLAS["depth"] == 0:
                    _BLAS["limiter"].restore_original_limits()
                    _BLAS["limiter"] = None


def _distance_blocks(
    graph: RoutingGraph,
    src: np.ndarray,
    tgt: np.ndarray,
    limit_m: float,
    tile_m: float,
    progress: Progress | None,
    contract: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(src positions, tgt positions, distances)`` blocks covering all pairs within reach:
    the distances from each source to each node of its tile's subgraph, the targets in columns
    ``1 .. len(tgt positions)`` (:func:`_target_columns`; the other columns are the tile's
    other nodes, for a kernel that is faster on a whole block: :func:`_kernel_blocks`).

    Sources are grouped in square tiles of side ``tile_m``; each tile is solved on the arcs out
    of the nodes that hold every path of at most ``limit_m`` from its sources
    (:func:`_tile_plan`), so the distances are exact, in chunks of at most
    :data:`MAX_BLOCK_CELLS` distances. Targets outside it are beyond reach and left out; pairs
    beyond ``limit_m`` are ``inf``. The same query asked again on the same graph reuses the
    tiles (:func:`_kept_tile_plan`). With ``contract``, a query's first call searches the
    graph with its chains short-cut and junctions passed by (:func:`_query_graph`): the same
    distances up to the order of the additions.
    """
    if len(src) == 0 or len(tgt) == 0:
        return
    if not tile_m > 0:
        raise GeoplanError(f"tile_m must be > 0 metres, got {tile_m}")
    limit = limit_m * (1 + 1e-12) + 1e-9  # keep pairs at exactly limit_m
    n_tiles, tiles = _kept_tile_plan(graph, src, tgt, limit, tile_m, contract)
    for i, tile in enumerate(tiles):
        if progress is not None:
            report(progress, i / n_tiles, f"distances: tile {i + 1} of {n_tiles}")
        chunk = max(1, MAX_BLOCK_CELLS // tile.sub.shape[0])
        for c in range(0, len(tile.src_pos), chunk):
            dist = dijkstra(tile.sub, directed=True, indices=tile.ids[c : c + chunk], limit=limit)
            yield tile.src_pos[c : c + chunk], tile.tgt_pos, dist
            del dist  # freed before the next block is made, which then reuses its memory
    report(progress, 1.0, "distances: done")


@dataclass(frozen=True, eq=False)
class _Tile:
    """One tile of sources and the subgraph its Dijkstra runs on.

    Attributes
    ----------
    src_pos : numpy.ndarray
        Positions of the tile's sources in ``src``.
    sub : scipy.sparse.csr_matrix
        The arcs out of the nodes that hold every path of at most the limit from them
        (:func:`_tile_subgraph`: node 0 is a sink); its nodes ``1 .. len(tgt_pos)`` are the
        targets in it.
    ids : numpy.ndarray
        Local id of each source in ``sub``.
    tgt_pos : numpy.ndarray
        Position in ``tgt`` of each of the nodes ``1 .. len(tgt_pos)`` of ``sub``.
    """

    src_pos: np.ndarray
    sub: sp.csr_matrix
    ids: np.ndarray
    tgt_pos: np.ndarray


#: Per routing graph, the key of its latest query and, once that query came twice, its tile
#: plan (freed with the graph; a patched graph is a new graph, so it never sees a stale plan).
_TILE_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kept_tile_plan(graph: RoutingGraph, src: np.ndarray, tgt: np.ndarray, limit: float,
                    tile_m: float, contract: bool = False) -> tuple[int, Iterator[_Tile]]:
    """:func:`_tile_plan`, kept on ``graph`` when the same query (sources, targets, limit and
    tile) comes again: the second time it is made with network balls and kept, later times
    it is reused. One plan per graph, so a one-off query (every query of ``compute_layers``)
    keeps nothing but its key, and makes its tiles one at a time (with ``contract``, on the
    graph with its chains short-cut and junctions passed by: :func:`_query_graph`)."""
    key = (float(limit), float(tile_m), src.tobytes(), tgt.tobytes())
    seen = _TILE_PLANS.get(graph)
    if seen is None or seen[0] != key:
        _TILE_PLANS[graph] = (key, None)
        cut = (_query_graph(graph, np.concatenate((src, tgt)), _cover(graph, len(src), limit))
               if contract else None)
        if cut is None:
            return _tile_plan(graph, src, tgt, limit, tile_m)
        return _tile_plan(cut[0], src, tgt, limit, tile_m, nodes=cut[1])
    if seen[1] is None:
        plan = list(_tile_plan(graph, src, tgt, limit, tile_m, balls=True)[1])
        _TILE_PLANS[graph] = seen = (key, plan)
    return len(seen[1]), iter(seen[1])


def _tile_plan(graph: RoutingGraph, src: np.ndarray, tgt: np.ndarray, limit: float,
               tile_m: float, *, balls: bool = False, nodes: np.ndarray | None = None
               ) -> tuple[int, Iterator[_Tile]]:
    """How many tiles of sources :func:`_distance_blocks` has, and those that hold a target,
    tile column by tile column, each made when it is reached.

    When the graph's ``reach_factor`` is at most :data:`BOX_MAX_REACH_FACTOR`, a tile's nodes
    are a box around its sources widened by ``limit * reach_factor`` (no walk of ``limit``
    leaves it), cut from one band of nodes per tile column (:func:`_band_tiles`); with
    ``balls`` each box is then narrowed to the network ball of the tile's sources (one more
    bounded Dijkstra per tile, for a plan that is kept: each later query searches a smaller
    subgraph and reduces fewer targets). Else a tile's nodes are the network ball of its
    sources (:func:`_ball_tiles`, :data:`TILE_BATCH` tiles at a time). ``nodes``, if given,
    are the only nodes the boxes hold (the others are never reached: :func:`_query_graph`).
    """
    tiles, column = _tiles(graph.node_xy[src], tile_m)
    tgt_pos = np.full(graph.n_nodes, -1, np.int64)
    tgt_pos[tgt] = np.arange(len(tgt))
    reach = limit * graph.reach_factor
    boxes = graph.reach_factor <= BOX_MAX_REACH_FACTOR and math.isfinite(reach)

    def made() -> Iterator[_Tile]:
        local = np.zeros(graph.n_nodes, np.int32)  # scratch of the tiles, reset after each use
        if not boxes:
            for b in range(0, len(tiles), TILE_BATCH):
                yield from _ball_tiles(graph, src, tiles[b : b + TILE_BATCH], tgt_pos, limit,
                                       local)
            return
        x, y = graph.node_xy[:, 0], graph.node_xy[:, 1]
        span = max(float(x.max() - x.min()), float(y.max() - y.min()))
        cell_m = max(tile_m / BOX_CELLS_PER_TILE, span / 512)
        index = (_graph_cell_index(graph, cell_m) if nodes is None
                 else _cell_index(graph.node_xy, cell_m, nodes))
        # each tile's box: its sources' bounding box widened by reach
        first = np.zeros(len(tiles), np.int64)
        np.cumsum([len(t) for t in tiles[:-1]], out=first[1:])
        xy = graph.node_xy[src[np.concatenate(tiles)]]
        lo = np.minimum.reduceat(xy, first, axis=0) - reach
        hi = np.maximum.reduceat(xy, first, axis=0) + reach
        cuts = np.r_[0, np.flatnonzero(np.diff(column)) + 1, len(tiles)]
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            yield from list(_band_tiles(graph, index, src, tiles[a:b], lo[a:b], hi[a:b],
                                        tgt_pos, limit, balls, local))

    return len(tiles), made()


def _cover(graph: RoutingGraph, n_sources: int, limit: float) -> float:
    """How many times searches of ``limit`` from ``n_sources`` sources cover the area of the
    graph's bounding box (their discs' total area over the box's: a rough measure of the
    work of a query against that of a pass over the graph)."""
    if graph.n_nodes == 0:
        return 0.0
    span = graph.node_xy.max(axis=0) - graph.node_xy.min(axis=0)
    return n_sources * math.pi * limit**2 / max(float(span[0]) * float(span[1]), 1.0)


def _query_graph(graph: RoutingGraph, keep: np.ndarray, cover: float = math.inf
                 ) -> tuple[RoutingGraph, np.ndarray] | None:
    """The graph a first query between the nodes ``keep`` searches, and the nodes it needs:
    with searches that cover the graph ``cover`` times (:func:`_cover`), ``graph`` with its
    chains short-cut (:func:`_shortcut`) from :data:`SHORTCUT_MIN_COVER`, then its junctions
    of three arcs passed by (:func:`_bypass_junctions`) from :data:`BYPASS_MIN_COVER`;
    ``None`` for ``graph`` itself (a smaller query, or no node left out)."""
    if cover < SHORTCUT_MIN_COVER:
        return None
    cut = _shortcut(graph, keep)
    if cover < BYPASS_MIN_COVER:
        return cut
    fewer = _bypass_junctions(*(cut or (graph, np.arange(graph.n_nodes))), keep)
    return fewer or cut


def _shortcut(graph: RoutingGraph, keep: np.ndarray) -> tuple[RoutingGraph, np.ndarray] | None:
    """``graph`` with its chains short-cut, for a query between the nodes ``keep``.

    A node not kept with one neighbour (a dead end) or two (on a chain) is not needed: each
    arc from a kept node into a chain of them leads to the kept node at the chain's other
    end instead, its length the sum of the chain's arcs (added in walking order), and an arc
    into a chain that ends in a dead end or comes back to its start becomes a loop on its
    kept node (never on a shortest path). No kept node then leads to a node left out, so
    shortest distances between kept nodes are those of ``graph`` (up to the order of the
    additions) and the tiles need not hold the nodes left out.

    Returns ``None`` when no node can go, or when ``graph`` is not symmetric (a node's arcs
    out then need not be its arcs in); else the graph (the same nodes and arc slots: only
    the short-cut arcs' heads and lengths differ, so its ``arc_lit`` is not theirs) and the
    ids of the nodes still needed.
    """
    csr, n = graph.csr, graph.n_nodes
    if not graph.symmetric or csr.nnz == 0:
        return None
    ptr, col, w = csr.indptr, csr.indices, csr.data
    deg = np.diff(ptr)
    two, one = np.flatnonzero(deg == 2), np.flatnonzero(deg == 1)
    c0, c1 = np.take(col, np.take(ptr, two)), np.take(col, np.take(ptr, two) + 1)
    gone = deg == 0
    gone[two[(c0 != c1) & (c0 != two) & (c1 != two)]] = True
    gone[one[np.take(col, np.take(ptr, one)) != one]] = True
    gone[keep] = False
    out = np.flatnonzero(gone)
    if len(out) == 0:
        return None
    # the arcs from kept nodes into chains: found from the chains' ends
    pos = _ranges(np.take(ptr, out), np.take(deg, out))
    x, y = np.repeat(out, np.take(deg, out)), np.take(col, pos)
    x, y = x[~gone[y]], y[~gone[y]]  # y -> x leads into a chain
    near = _ranges(np.take(ptr, y), np.take(deg, y))
    pair = np.repeat(np.arange(len(y)), np.take(deg, y))
    match = np.take(col, near) == x[pair]
    at, pair = near[match], pair[match]
    start, cur = y[pair], x[pair]
    end = start.copy()  # a dead end or a loop back to the start: a loop on the start
    total = w[at]
    walking, prev = np.arange(len(at)), start
    for _ in range(len(out) + 1):  # no walk is longer than the nodes left out
        if len(walking) == 0:
            break
        on = deg[cur] == 2
        walking, prev, cur = walking[on], prev[on], cur[on]
        arc = ptr[cur] + (col[ptr[cur]] == prev)  # the arc out of cur not back to prev
        prev, cur = cur, col[arc]
        total[walking] += w[arc]
        done = ~gone[cur]
        end[walking[done]] = cur[done]
        walking, prev, cur = walking[~done], prev[~done], cur[~done]
    else:  # a chain without end: the arcs are not symmetric after all
        return None
    heads, lengths = col.copy(), w.copy()
    heads[at], lengths[at] = end, total
    return (dataclasses.replace(graph, csr=sp.csr_matrix((lengths, heads, ptr), shape=(n, n))),
            np.flatnonzero(~gone))


def _bypass_junctions(graph: RoutingGraph, nodes: np.ndarray, keep: np.ndarray
                      ) -> tuple[RoutingGraph, np.ndarray] | None:
    """``graph`` with junctions of three arcs passed by, for a query between the nodes ``keep``
    that only needs ``nodes`` (all of them, or :func:`_shortcut`'s).

    A junction ``x`` in ``nodes``, not kept, with arcs to three other nodes ``h0, h1, h2``
    goes when it ranks above each of its free neighbours in a fixed shuffle of the node ids
    (so no two neighbours go): the arc ``h0 -> x`` becomes the two arcs ``h0 -> h1`` and
    ``h0 -> h2`` with the lengths of the walks through ``x`` (the same for ``h1`` and ``h2``).
    Shortest distances between the nodes left are those of ``graph`` up to the order of the
    additions; a search settles fewer nodes and relaxes about as many arcs. On the reference
    graph (a first within-800 m query: 43,435 nodes needed after :func:`_shortcut`) 7,811
    junctions go and the Dijkstra calls take ~6 % less time (~5 ms), for ~4 ms here: it pays
    on large queries only (:data:`BYPASS_MIN_COVER`; the 200k-node town's residents within
    500 m: 50,625 sources, 248,273 nodes -> 186,412, 0.73 -> 0.67 s:
    ``benchmarks/bench_contraction.py``).

    Returns ``None`` when no junction can go or ``graph`` is not symmetric; else the graph
    (a new arc layout, so its ``arc_lit`` is not theirs; rows of nodes not needed are left
    as they were: no arc from a needed node leads to them) and the nodes still needed.
    """
    csr, n = graph.csr, graph.n_nodes
    if not graph.symmetric:
        return None
    ptr, col, w = csr.indptr, csr.indices, csr.data
    deg = np.diff(ptr)
    needed = np.zeros(n, bool)
    needed[nodes] = True
    free = needed.copy()
    free[keep] = False
    xs = np.flatnonzero(free & (deg == 3))
    h = np.take(col, np.take(ptr, xs) + _THREE)  # (3, k): each junction's neighbours
    xs = xs[(h[0] != h[1]) & (h[0] != h[2]) & (h[1] != h[2]) & (h != xs).all(axis=0)]
    rank = np.full(n, -1, np.int64)  # the shuffle: ranks of the free junctions
    rank[xs] = xs * 2654435761 % 2**32
    arc = np.take(ptr, xs) + _THREE
    h = np.take(col, arc)
    xs = xs[(np.take(rank, h) < rank[xs]).all(axis=0)]
    if len(xs) == 0:
        return None
    arc = np.take(ptr, xs) + _THREE
    rows = np.take(col, arc).ravel()  # the neighbours h[i], i-major
    # the arc h[i] -> x in each neighbour's row (one: the arcs are symmetric)
    count = np.take(deg, rows)
    pos = _ranges(np.take(ptr, rows), count)
    hit = np.take(col, pos) == np.repeat(np.tile(xs, 3), count)
    found = np.zeros(len(pos) + 1, np.int32)
    np.cumsum(hit, out=found[1:])
    if not (np.diff(found[np.cumsum(count)], prepend=0) == 1).all():
        return None  # not one arc back from each neighbour: not symmetric after all
    into = pos[hit]
    # each arc into x is followed by a new slot: one walk through x in each
    nth = np.empty(len(col), np.int32)
    nth[into] = np.arange(len(into), dtype=np.int32)
    into = np.sort(into)
    order = np.take(nth, into)
    on_1 = np.take(arc[[1, 2, 0]].ravel(), order)  # x's arc on from h[i]: to h[i + 1]
    on_2 = np.take(arc[[2, 0, 1]].ravel(), order)  # and to h[i + 2]
    new = into + np.arange(1, len(into) + 1)  # the new slots in the new layout
    step = np.zeros(len(col) + len(into), np.int32)
    step[new] = 1
    old = np.arange(len(step), dtype=np.int32) - np.cumsum(step, dtype=np.int32)
    heads, lengths = np.take(col, old), np.take(w, old)
    first = np.take(w, into)
    heads[new - 1], lengths[new - 1] = np.take(col, on_1), first + np.take(w, on_1)
    heads[new], lengths[new] = np.take(col, on_2), first + np.take(w, on_2)
    shift = np.zeros(n + 1, ptr.dtype)
    np.cumsum(np.bincount(rows, minlength=n), out=shift[1:])
    needed[xs] = False
    return (dataclasses.replace(graph, csr=sp.csr_matrix((lengths, heads, ptr + shift),
                                                         shape=(n, n))),
            np.flatnonzero(needed))


#: ``[[0], [1], [2]]``: the three arcs of a junction from its first (:func:`_bypass_junctions`).
_THREE = np.arange(3)[:, None]


def _band_tiles(graph: RoutingGraph, index: _CellIndex, src: np.ndarray, tiles: list[np.ndarray],
                lo: np.ndarray, hi: np.ndarray, tgt_pos: np.ndarray, limit: float, balls: bool,
                local: np.ndarray) -> Iterator[_Tile]:
    """The :class:`_Tile` of each of ``tiles`` (positions in ``src``, one tile column, south
    to north) that holds a target (``tgt_pos``: position in the targets of each node, ``-1``
    elsewhere), its nodes those in its box ``lo[i] .. hi[i]`` (``(n, 2)`` arrays).

    The column's band (the nodes between the west and east edges of its boxes) is ordered
    targets first, then cell row by cell row (:func:`_cell_index`), and its arcs are gathered
    once: a tile's box, whole cell rows high, is then one run of the band's targets and one
    of its other nodes, and its subgraph two slices of the band's arcs
    (:func:`_runs_subgraph`). ``local`` is a scratch array of zeros, left as it was.
    """
    # the same rounding as the points' cells: every node in a box is in a row read here
    r0, r1 = (np.clip(np.floor((v - index.origin[1]) / index.cell_m), 0, index.n_rows - 1
                      ).astype(np.int64) for v in (lo[:, 1], hi[:, 1]))
    x0, x1 = float(lo[:, 0].min()), float(hi[:, 0].max())
    c0, c1 = (int(np.clip(np.floor((v - index.origin[0]) / index.cell_m), 0, index.n_cols - 1))
              for v in (x0, x1))
    rows = np.arange(int(r0.min()), int(r1.max()) + 1) * index.n_cols
    first, stop = index.start[rows + c0], index.start[rows + c1 + 1]
    cand = _ranges(first, stop - first)
    cand_x = np.take(index.x, cand)
    inside = (cand_x >= x0) & (cand_x <= x1)
    row = np.repeat(np.arange(len(rows)), stop - first)[inside]
    nodes = np.take(index.order, cand[inside])
    other = np.take(tgt_pos, nodes) < 0
    band = np.take(nodes, np.argsort(other, kind="stable"))  # targets first, row by row
    # where each row's targets, then each row's other nodes, start in the band
    n_rows = len(rows)
    first_of = np.zeros(2 * n_rows + 1, np.int64)
    np.cumsum(np.bincount(row + other * n_rows, minlength=2 * n_rows), out=first_of[1:])
    t_first, o_first = first_of[: n_rows + 1], first_of[n_rows:]
    band_tgt = np.take(tgt_pos, band[: int(t_first[-1])])
    # the band's arcs, to 1-based band ids (0: a node outside the band)
    iota = np.arange(len(band) + 1, dtype=np.int32)  # sliced for the local ids below
    local[band] = iota[1:]
    csr = graph.csr
    start = np.take(csr.indptr, band)
    count = np.take(csr.indptr[1:], band) - start
    b_ptr = np.zeros(len(band) + 1, np.int64)
    np.cumsum(count, out=b_ptr[1:])
    pos = _ranges(start, count)
    b_data, b_col = np.take(csr.data, pos), np.take(local, np.take(csr.indices, pos))
    b_src = [np.take(local, src[t]) for t in tiles]
    local[band] = 0
    scratch = np.zeros(len(band) + 1, np.int32)
    k0, k1 = r0 - r0.min(), r1 - r0.min() + 1
    runs = zip(t_first[k0].tolist(), t_first[k1].tolist(), o_first[k0].tolist(),
               o_first[k1].tolist(), strict=True)
    for i, (t, (ta, tb, oa, ob)) in enumerate(zip(tiles, runs, strict=True)):
        n = tb - ta
        if n == 0:
            continue
        sub, ids = _runs_subgraph(b_ptr, b_data, b_col, (ta, tb), (oa, ob), b_src[i], scratch,
                                  iota)
        if balls:
            part = np.concatenate([band[ta:tb], band[oa:ob]])
            near = dijkstra(sub, directed=True, indices=ids, limit=limit, min_only=True)
            near = near[1:] <= limit
            part, n = part[near], int(near[:n].sum())
            if n == 0:
                continue
            sub, ids = _tile_subgraph(csr, part, src[t], local)
            yield _Tile(t, sub, ids, tgt_pos[part[:n]])
        else:
            yield _Tile(t, sub, ids, band_tgt[ta:tb])


def _runs_subgraph(indptr: np.ndarray, data: np.ndarray, cols: np.ndarray,
                   first: tuple[int, int], second: tuple[int, int], sources: np.ndarray,
                   scratch: np.ndarray, iota: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """:func:`_tile_subgraph` of the nodes in the runs ``first`` and ``second`` (``(start,
    stop)`` row ranges of the graph ``indptr, data, cols``, whose column ids are 1-based, 0
    for a node outside it): its node ``i + 1`` is the ``i``-th row of the runs, node 0 a sink
    for every other node; and the local ids of ``sources`` (1-based ids, all in the runs).

    The arcs are two slices, copied without a gather. ``scratch`` is an array of zeros, one
    more than the graph's rows, left as it was; ``iota`` is ``arange(len(scratch))`` (int32).
    """
    (a, b), (c, d) = first, second
    n_ab, n = b - a, b - a + d - c
    pa, pb, pc, pd = int(indptr[a]), int(indptr[b]), int(indptr[c]), int(indptr[d])
    ptr = np.zeros(n + 2, np.int32)
    np.subtract(indptr[a + 1 : b + 1], pa, out=ptr[2 : n_ab + 2], casting="unsafe")
    np.subtract(indptr[c + 1 : d + 1], pc - (pb - pa), out=ptr[n_ab + 2 :], casting="unsafe")
    scratch[a + 1 : b + 1] = iota[1 : n_ab + 1]
    scratch[c + 1 : d + 1] = iota[n_ab + 1 : n + 1]
    sub_cols = np.take(scratch, np.concatenate((cols[pa:pb], cols[pc:pd])))
    ids = np.take(scratch, sources)
    scratch[a + 1 : b + 1] = 0
    scratch[c + 1 : d + 1] = 0
    sub = sp.csr_matrix((np.concatenate((data[pa:pb], data[pc:pd])), sub_cols, ptr),
                        shape=(n + 1, n + 1))
    return sub, ids


def _ball_tiles(graph: RoutingGraph, src: np.ndarray, tiles: list[np.ndarray],
                tgt_pos: np.ndarray, limit: float, local: np.ndarray) -> Iterator[_Tile]:
    """The :class:`_Tile` of each of ``tiles`` (positions in ``src``) that holds a target
    (``tgt_pos`` as in :func:`_band_tiles`), its nodes the network ball of its sources
    (:func:`_ball`), targets first."""
    for t in tiles:
        near = _ball(graph, src[t], limit)
        is_tgt = tgt_pos[near] >= 0
        n = int(is_tgt.sum())
        if n == 0:
            continue
        part = np.concatenate([near[is_tgt], near[~is_tgt]])
        sub, ids = _tile_subgraph(graph.csr, part, src[t], local)
        yield _Tile(t, sub, ids, tgt_pos[part[:n]])


def _tile_subgraph(csr: sp.csr_matrix, nodes: np.ndarray, sources: np.ndarray,
                   local: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The arcs of ``csr`` out of ``nodes`` (distinct), as a graph whose node ``i + 1`` is
    ``nodes[i]`` and node 0 a sink without arcs that stands for every other node, and the
    local ids of ``sources`` (all in ``nodes``).

    Distances of at most ``limit`` from the sources are those of ``csr`` when ``nodes`` hold
    every path of at most ``limit`` from them: a path through the sink ends there. Unlike
    the induced graph, no arc is dropped, so the arcs are copied without a test.

    ``local`` is a scratch array of zeros (one per node of ``csr``), left as it was.
    """
    local[nodes] = np.arange(1, len(nodes) + 1, dtype=np.int32)
    start = np.take(csr.indptr, nodes)  # np.take: cheaper than fancy indexing in 1-D
    count = np.take(csr.indptr, nodes + 1) - start
    indptr = np.zeros(len(nodes) + 2, np.int32)
    np.cumsum(count, out=indptr[2:])
    pos = _ranges(start, count)
    sub = sp.csr_matrix((np.take(csr.data, pos), np.take(local, np.take(csr.indices, pos)),
                         indptr), shape=(len(nodes) + 1, len(nodes) + 1))
    ids = local[sources]
    local[nodes] = 0
    return sub, ids


def _tiles(xy: np.ndarray, tile_m: float) -> tuple[list[np.ndarray], np.ndarray]:
    """Positions of ``xy`` grouped by square tile of side ``tile_m``, tile column by tile
    column (west to east, each south to north), and the column of each tile."""
    cell = np.floor((xy - xy.min(axis=0)) / tile_m).astype(np.int64)
    key = cell[:, 0] * (cell[:, 1].max() + 1) + cell[:, 1]
    order = np.argsort(key, kind="stable")
    cuts = np.flatnonzero(np.diff(key[order])) + 1
    return np.split(order, cuts), cell[order[np.r_[0, cuts]], 0]


@dataclass(frozen=True)
class _CellIndex:
    """Node ids bucketed in square cells, row by row (south to north, each west to east): the
    cells of one row of a box are one run ``order[start[k0] : start[k1 + 1]]``, ``x`` and
    ``y`` of that run their coordinates."""

    x: np.ndarray
    y: np.ndarray
    origin: tuple[float, float]
    cell_m: float
    n_rows: int
    n_cols: int
    order: np.ndarray
    start: np.ndarray


#: The cell index of each routing graph, by cell size (built on first use, freed with the graph).
_CELL_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cell_index(xy: np.ndarray, cell_m: float, nodes: np.ndarray | None = None) -> _CellIndex:
    """Bucket the points ``xy`` in square cells of side ``cell_m`` (one counting sort); with
    ``nodes`` (sorted positions in ``xy``) only those, in the cells of all the points."""
    origin = (float(xy[:, 0].min()), float(xy[:, 1].min())) if len(xy) else (0.0, 0.0)
    cx, cy = (np.floor((xy[:, i] - origin[i]) / cell_m).astype(np.int64) for i in (0, 1))
    n_cols, n_rows = (int(cx.max()) + 1, int(cy.max()) + 1) if len(xy) else (1, 1)
    key = cy * n_cols + cx
    if nodes is not None:
        key = np.take(key, nodes)
    small = n_cols * n_rows < 2**15  # int16 keys sort by radix, in linear time
    order = np.argsort(key.astype(np.int16) if small else key, kind="stable")
    if nodes is not None:
        order = np.take(nodes, order)
    start = np.zeros(n_cols * n_rows + 1, np.int64)
    np.cumsum(np.bincount(key, minlength=n_cols * n_rows), out=start[1:])
    return _CellIndex(np.take(xy[:, 0], order), np.take(xy[:, 1], order), origin,
                      float(cell_m), n_rows, n_cols, order, start)


def _graph_cell_index(graph: RoutingGraph, cell_m: float) -> _CellIndex:
    """:func:`_cell_index` of the graph's nodes, kept while the graph lives."""
    per_size = _CELL_INDEXES.setdefault(graph, {})
    if cell_m not in per_size:
        per_size[cell_m] = _cell_index(graph.node_xy, cell_m)
    return per_size[cell_m]


def _ball(graph: RoutingGraph, sources: np.ndarray, limit: float) -> np.ndarray:
    """Ids of the nodes within network distance ``limit`` of a source (one bounded
    multi-source Dijkstra): they hold every path of at most ``limit`` from the sources."""
    dist = dijkstra(graph.csr, directed=True, indices=sources, limit=limit, min_only=True)
    return np.flatnonzero(dist <= limit)


def _subgraph(csr: sp.csr_matrix, nodes: np.ndarray, local: np.ndarray | None = None
              ) -> tuple[sp.csr_matrix, np.ndarray]:
    """The graph induced by ``nodes`` (distinct; local id ``i`` is ``nodes[i]``) and the local
    id of every node (-1 outside).

    ``local``, if given, is a scratch array of ``-1`` (one per node of ``csr``) filled in place
    and returned; the caller resets it with ``local[nodes] = -1`` to use it again.
    """
    if local is None:
        local = np.full(csr.shape[0], -1, np.int64)
    local[nodes] = np.arange(len(nodes))
    start = csr.indptr[nodes].astype(np.int64)
    count = csr.indptr[nodes + 1] - start
    ends = np.cumsum(count)  # end of each row's arcs in pos below
    pos = np.repeat(start - ends + count, count) + np.arange(ends[-1] if len(ends) else 0)
    col = local[csr.indices[pos]]
    keep = col >= 0
    kept = np.zeros(len(pos) + 1, np.int32)
    np.cumsum(keep, out=kept[1:])
    indptr = np.zeros(len(nodes) + 1, np.int32)
    indptr[1:] = kept[ends]
    sub = sp.csr_matrix((csr.data[pos[keep]], col[keep].astype(np.int32, copy=False), indptr),
                        shape=(len(nodes), len(nodes)))
    return sub, local


# --------------------------------------------------------------------------------------------
# example data for the docstrings
# --------------------------------------------------------------------------------------------
def example_network() -> WalkNetwork:
    """A 4-node, 3-edge T-shaped network in EPSG:3006 for examples.

    ::

                                   3 (100,100)
                                   |
                                   |  edge 2: 100 m, lit unknown
                                   |
        0 (0,0) ------------------ 1 (100,0) ------------------ 2 (200,0)
                edge 0: 100 m, lit yes        edge 1: 100 m, lit no

    Examples
    --------
    >>> net = example_network()
    >>> net.edges[["u", "v", "length_m", "lit"]].values.tolist()
    [[0, 1, 100.0, 'yes'], [1, 2, 100.0, 'no'], [1, 3, 100.0, 'unknown']]
    """
    import geopandas as gpd

    xy = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [100.0, 100.0]])
    uv = np.array([[0, 1], [1, 2], [1, 3]])
    nodes = gpd.GeoDataFrame(
        {"osmid": -np.arange(1, 5)}, geometry=gpd.points_from_xy(*xy.T), crs="EPSG:3006"
    )
    edges = gpd.GeoDataFrame(
        {"u": uv[:, 0], "v": uv[:, 1], "length_m": [100.0] * 3, "lit": ["yes", "no", "unknown"]},
        geometry=shapely.linestrings(xy[uv]),
        crs="EPSG:3006",
    )
    return WalkNetwork(nodes=nodes, edges=edges, crs=nodes.crs)
