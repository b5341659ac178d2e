"""The walk network: OSM ways -> a simplified, projected, undirected graph whose edges know their
length, lighting (with its source) and whether they run through a tunnel.

Built from the ways' node arrays with numpy/scipy, by osmnx's rules (``simplify_graph(
edge_attrs_differ=…)`` and ``convert.to_undirected``, against which it is tested): ways are split
at shared nodes and chains of nodes that join exactly two segments are merged into one edge
unless their lighting, highway type, tunnel or bridge status differ. Lighting is decided per
edge by :class:`geoplan.types.LightingRule`.

Example
-------
>>> from geoplan.datasets import demo_extract
>>> from geoplan.sources.osm import read_osm
>>> net = build_walk_network(read_osm(demo_extract()))
>>> sorted(net.edges["lit"].unique())
['no', 'unknown', 'yes']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import OSMDataError
from .progress import Progress, report
from .sources import osm_tags as T
from .types import LightingRule, OsmData, WalkNetwork

__all__ = ["build_walk_network", "classify_lighting", "lamp_share", "read_walk_network",
           "tunnel_groups"]

_DIFFER = ("lit_tag", "highway", "tunnel", "bridge", "underground")
_EDGE_ATTRS = ("highway", "name", "lit_tag", "tunnel", "bridge", "underground", "surface", "width",
               "foot")


def _way_values(ways: gpd.GeoDataFrame, col: str) -> np.ndarray:
    """``ways[col]`` as strings, "" where missing (a missing column: all "")."""
    if col not in ways:
        return np.full(len(ways), "", dtype=object)
    v = ways[col].astype(object).to_numpy()
    missing = pd.isna(v)
    v = v.astype(str).astype(object)
    v[missing] = ""
    return v


def _way_flags(ways: gpd.GeoDataFrame, col: str) -> np.ndarray:
    if col not in ways:
        return np.zeros(len(ways), bool)
    v = ways[col].astype(object).to_numpy()
    return np.array([False if pd.isna(x) else bool(x) for x in v], dtype=bool)


@dataclass(frozen=True)
class _Segments:
    """Every straight piece of every way: end nodes (numbered 0..n-1 by sorted OSM id), the way
    (row of ``ways``) it belongs to, and the nodes' OSM ids, coordinates and first appearance."""

    a: np.ndarray
    b: np.ndarray
    row: np.ndarray
    osm_ids: np.ndarray
    xy: np.ndarray
    first_seen: np.ndarray


def _segments(ways: gpd.GeoDataFrame) -> _Segments:
    geoms = ways.geometry.values
    counts = shapely.get_num_coordinates(geoms)
    ids = np.fromiter(itertools.chain.from_iterable(ways["node_ids"]), np.int64,
                      count=int(counts.sum()))
    xy = shapely.get_coordinates(geoms)
    row = np.repeat(np.arange(len(ways)), counts)
    osm_ids, first, inv = np.unique(ids, return_index=True, return_inverse=True)
    p = np.flatnonzero(row[1:] == row[:-1])
    p = p[ids[p] != ids[p + 1]]  # a node repeated in a row is no segment
    return _Segments(a=inv[p], b=inv[p + 1], row=row[p], osm_ids=osm_ids, xy=xy[first],
                     first_seen=first)


def _endpoints(seg: _Segments, cls: np.ndarray) -> np.ndarray:
    """Nodes that end an edge by osmnx's rules (``simplify_graph`` on a graph with both directions
    of every segment): not exactly two segments to two different neighbours, or segments whose
    :data:`_DIFFER` tags (class ``cls`` per segment) differ."""
    n = len(seg.osm_ids)
    ends = np.r_[seg.a, seg.b]
    degree = np.bincount(ends, minlength=n)
    pairs = np.unique(np.c_[np.minimum(seg.a, seg.b), np.maximum(seg.a, seg.b)], axis=0)
    neighbours = np.bincount(pairs.ravel(), minlength=n)
    c = np.r_[cls, cls]
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, -1)
    np.minimum.at(lo, ends, c)
    np.maximum.at(hi, ends, c)
    return (degree != 2) | (neighbours != 2) | (lo != hi)


def _chains(seg: _Segments, endpoint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments in chain order and the chain of each: a chain runs from an endpoint through
    nodes that are not endpoints to the next endpoint; segments of rings without any endpoint
    stay chains of one segment (osmnx's ``remove_rings=False``)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import depth_first_order

    m = len(seg.a)
    ends = np.r_[seg.a, seg.b]
    owner = np.r_[np.arange(m), np.arange(m)]
    order = np.argsort(ends, kind="stable")
    ends, owner = ends[order], owner[order]
    inner = ~endpoint[ends]
    # a node that is no endpoint has exactly two segments: they are neighbours in sorted order
    first = inner & np.r_[True, ends[1:] != ends[:-1]]
    i = np.flatnonzero(first)
    # every segment at an endpoint hangs on its own entry node m + k, the entry nodes in a row:
    # a depth-first walk from the first one walks each chain from end to end (one root joined
    # to all of them would do too, but scipy's walk rescans a node's neighbours on every return)
    at_end = np.flatnonzero(endpoint[seg.a] | endpoint[seg.b])
    k = len(at_end)
    entry = m + np.arange(k)
    u = np.r_[owner[i], entry, entry[:-1]]
    v = np.r_[owner[i + 1], at_end, entry[1:]]
    g = sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(m + k, m + k)).tocsr()
    walk, pred = (depth_first_order(g, m, directed=False, return_predecessors=True) if k
                  else (np.zeros(0, np.int64), np.zeros(m, np.int64)))
    walk = walk[walk < m]
    start = pred[walk] >= m
    rings = np.setdiff1d(np.arange(m), walk)
    seq = np.r_[walk, rings]
    chain = np.cumsum(np.r_[start, np.ones(len(rings), bool)]) - 1
    return seq, chain


def _orient(seg: _Segments, seq: np.ndarray, chain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last node of each segment of ``seq`` walked along its chain."""
    a, b = seg.a[seq], seg.b[seq]
    nxt = np.r_[chain[1:] == chain[:-1], False]
    prv = np.r_[False, nxt[:-1]]
    a_next, b_next = np.r_[a[1:], -1], np.r_[b[1:], -1]
    a_prev, b_prev = np.r_[-1, a[:-1]], np.r_[-1, b[:-1]]
    a_shared_next = (a == a_next) | (a == b_next)
    a_shared_prev = (a == a_prev) | (a == b_prev)
    # with a next segment the shared node is last; else with a previous one it is first
    flip = np.where(nxt, a_shared_next, np.where(prv, ~a_shared_prev, False))
    return np.where(flip, b, a), np.where(flip, a, b)


def _chain_tags(ways: gpd.GeoDataFrame, rows: np.ndarray, chain: np.ndarray,
                n_chains: int) -> dict[str, np.ndarray]:
    """Tags of each chain from its ways: the single way's value, or the different non-empty
    values of its ways joined by ';' in walk order (osmnx keeps lists there)."""
    out = {}
    ways_of = pd.DataFrame({"chain": chain, "row": rows}).drop_duplicates()
    multi = ways_of["chain"].duplicated(keep=False).to_numpy()
    one = ways_of[~multi]
    osm_id = ways["osm_id"].astype(np.int64).astype(str).to_numpy().astype(object)
    for col, values in (("name", _way_values(ways, "name")),
                        ("surface", _way_values(ways, "surface")), ("osmid", osm_id)):
        v = np.full(n_chains, "", dtype=object)
        v[one["chain"].to_numpy()] = values[one["row"].to_numpy()]
        if multi.any():
            many = ways_of[multi].assign(value=values[ways_of["row"].to_numpy()[multi]])
            many = many[many["value"] != ""].drop_duplicates(["chain", "value"])
            joined = many.groupby("chain", sort=False)["value"].agg(";".join)
            v[joined.index.to_numpy()] = joined.to_numpy()
        out[col] = v
    return out


def _simplified_edges(ways: gpd.GeoDataFrame, crs) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The simplified undirected walk graph from the ways' node arrays: ``(nodes, edges)``.

    The same graph as osmnx's ``simplify_graph(edge_attrs_differ=_DIFFER, remove_rings=False)``
    and ``convert.to_undirected`` on both directions of every way segment (checked against them
    in tests/core/test_network_build.py), without a Python object per node or edge.
    """
    seg = _segments(ways)
    tags = {k: _way_values(ways, k) for k in ("highway", "lit_tag")}
    flags = {k: _way_flags(ways, k) for k in ("tunnel", "bridge", "underground")}
    cls = pd.MultiIndex.from_arrays([*tags.values(), *flags.values()]).factorize()[0][seg.row]
    endpoint = _endpoints(seg, cls)
    seq, chain = _chains(seg, endpoint)
    first, last = _orient(seg, seq, chain)
    starts = np.flatnonzero(np.r_[True, chain[1:] != chain[:-1]])
    ends = np.r_[starts[1:], len(seq)] - 1
    # the same segment twice in one way (there and back) is one edge, as in osmnx
    one_seg = starts == ends
    lo, hi = np.minimum(first[starts], last[ends]), np.maximum(first[starts], last[ends])
    dup = np.zeros(len(starts), bool)
    key = pd.DataFrame({"lo": lo, "hi": hi, "row": seg.row[seq[starts]]})
    dup[one_seg] = key[one_seg].duplicated().to_numpy()
    removed = np.zeros(len(seg.osm_ids), bool)
    removed[first[np.r_[False, chain[1:] == chain[:-1]]]] = True
    keep_node = ~removed
    node_order = np.argsort(seg.first_seen, kind="stable")
    node_order = node_order[keep_node[node_order]]
    number = np.full(len(seg.osm_ids), -1, np.int64)
    number[node_order] = np.arange(len(node_order))
    coords_node = np.r_[first, last[ends]]
    coords_chain = np.r_[chain, chain[ends]]
    coords_pos = np.r_[np.arange(len(seq)), ends + 0.5]
    o = np.lexsort((coords_pos, coords_chain))
    geoms = shapely.linestrings(seg.xy[coords_node[o]], indices=coords_chain[o])
    rows = seg.row[seq[starts]]
    u, v = number[first[starts]], number[last[ends]]
    chain_tags = _chain_tags(ways, seg.row[seq], chain, len(starts))
    edges = gpd.GeoDataFrame(
        {"u": np.minimum(u, v), "v": np.maximum(u, v), "length_m": shapely.length(geoms),
         "highway": tags["highway"][rows], "name": chain_tags["name"],
         "lit_tag": tags["lit_tag"][rows], "tunnel": flags["tunnel"][rows],
         "bridge": flags["bridge"][rows], "underground": flags["underground"][rows],
         "surface": chain_tags["surface"], "osmid": chain_tags["osmid"]},
        geometry=geoms, crs=crs)
    edges = edges[~dup]
    edges = edges.iloc[np.lexsort((edges["v"].to_numpy(), edges["u"].to_numpy()))]
    nodes = gpd.GeoDataFrame({"osmid": seg.osm_ids[node_order]},
                             geometry=shapely.points(seg.xy[node_order]), crs=crs)
    return nodes, edges.reset_index(drop=True)


def lamp_share(edges: gpd.GeoSeries, lamps: gpd.GeoSeries, radius_m: float) -> np.ndarray:
    """Share of each edge's length that lies within ``radius_m`` of any lamp (exact geometry).

    Parameters
    ----------
    edges
        LineStrings in a metric CRS.
    lamps
        Points in the same CRS.
    radius_m
        Lamp reach in metres.

    Examples
    --------
    >>> from shapely import LineString, Point
    >>> e = gpd.GeoSeries([LineString([(0, 0), (100, 0)])])
    >>> l = gpd.GeoSeries([Point(0, 0)])
    >>> lamp_share(e, l, 25.0).round(3).tolist()  # 25 m of 100 m (circle as 64-gon: -0.1 %)
    [0.25]
    """
    out = np.zeros(len(edges))
    if len(lamps) == 0 or len(edges) == 0:
        return out
    xy, edge_of = shapely.get_coordinates(edges.values, return_index=True)
    seg = np.flatnonzero((edge_of[1:] == edge_of[:-1]) & np.any(xy[1:] != xy[:-1], axis=1))
    p0, p1 = xy[seg], xy[seg + 1]
    lines = shapely.linestrings(np.stack([p0, p1], axis=1))
    s_idx, l_idx = shapely.STRtree(lamps.values).query(lines, predicate="dwithin",
                                                       distance=radius_m)
    if len(s_idx) == 0:
        return out
    # each straight piece meets each lamp's circle (a 64-gon, as buffer draws it) in one
    # interval; the lit length of a piece is the length of the union of its intervals
    centre = shapely.get_coordinates(lamps.values)[l_idx]
    t0, t1 = _clip_to_circle(p0[s_idx] - centre, p1[s_idx] - centre, radius_m)
    d = p1[s_idx] - p0[s_idx]
    seg_len = np.hypot(d[:, 0], d[:, 1])
    ok = t1 > t0
    s_idx = s_idx[ok]
    t0, t1 = t0[ok] * seg_len[ok], t1[ok] * seg_len[ok]
    lit = _union_length(s_idx, t0, t1)
    covered = np.bincount(edge_of[seg][lit.index.to_numpy()], weights=lit.to_numpy(),
                          minlength=len(edges))
    lengths = shapely.length(edges.values)
    np.divide(covered, lengths, out=out, where=lengths > 0)
    return np.clip(out, 0.0, 1.0)


def _clip_to_circle(a: np.ndarray, b: np.ndarray, radius_m: float, chunk: int = 2048
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The part ``[t0, t1]`` (0..1) of each segment ``a -> b`` (relative to a lamp at the origin)
    inside the lamp's circle drawn as :func:`shapely.buffer` draws it (a 64-gon): clipped against
    the polygon's sides (Cyrus-Beck); ``t1 <= t0`` where it misses.

    >>> a, b = np.array([[-100.0, 0.0]]), np.array([[100.0, 0.0]])
    >>> [round(float(t[0]), 3) for t in _clip_to_circle(a, b, 25.0)]
    [0.375, 0.625]
    """
    ring = shapely.get_coordinates(shapely.buffer(shapely.Point(0, 0), radius_m, quad_segs=16))
    # chunks of 2,048 segments keep the (chunk x 64) arrays in the CPU cache: 3x faster
    side = np.diff(ring, axis=0)
    normal = np.c_[side[:, 1], -side[:, 0]]  # outward for the clockwise ring buffer draws
    if np.dot(normal[0], ring[0] + side[0] / 2) < 0:
        normal = -normal
    offset = np.einsum("ij,ij->i", normal, ring[:-1])
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    for s in range(0, len(a), chunk):
        num = a[s:s + chunk] @ normal.T - offset  # > 0: the start lies outside that side
        den = (b[s:s + chunk] - a[s:s + chunk]) @ normal.T
        with np.errstate(divide="ignore", invalid="ignore"):
            t = -num / den
        enter = np.where(den < 0, t, -np.inf).max(axis=1)
        leave = np.where(den > 0, t, np.inf).min(axis=1)
        outside = ((den == 0) & (num > 0)).any(axis=1)
        t0[s:s + chunk] = np.maximum(enter, 0.0)
        t1[s:s + chunk] = np.where(outside, -1.0, np.minimum(leave, 1.0))
    return t0, t1


def _union_length(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> pd.Series:
    """Length of the union of the intervals ``[start, end]`` of each group.

    >>> _union_length(np.array([0, 0, 0, 1]), np.array([0., 5, 20, 1]),
    ...               np.array([10., 12, 25, 2])).tolist()
    [17.0, 1.0]
    """
    df = pd.DataFrame({"g": group, "s": start, "e": end}).sort_values(["g", "s"], kind="stable")
    reach = df.groupby("g")["e"].cummax()
    before = reach.groupby(df["g"]).shift(fill_value=-np.inf)
    part = (df["e"] - np.maximum(df["s"], before)).clip(lower=0.0)
    return part.groupby(df["g"]).sum()


def classify_lighting(
    lit_tags: pd.Series, highways: pd.Series, shares: np.ndarray, rule: LightingRule
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(lit, lit_source)`` arrays following :class:`~geoplan.types.LightingRule`.

    >>> lit, src = classify_lighting(pd.Series(["yes", "", ""]), pd.Series(["footway"] * 3),
    ...                              np.array([0.0, 0.5, 0.1]), LightingRule())
    >>> lit.tolist(), src.tolist()
    (['yes', 'yes', 'unknown'], ['tag', 'lamps', 'none'])
    """
    n = len(lit_tags)
    lit = np.full(n, "unknown", dtype=object)
    src = np.full(n, "none", dtype=object)
    tagged = np.array([T.lit_value(t if t else None) for t in lit_tags], dtype=object)
    has_tag = tagged != "unknown"
    lit[has_tag], src[has_tag] = tagged[has_tag], "tag"
    by_lamps = ~has_tag & (np.asarray(shares) >= rule.min_lit_share)
    lit[by_lamps], src[by_lamps] = "yes", "lamps"
    if rule.assume:
        rest = ~has_tag & ~by_lamps
        assumed = np.array([rule.assume.get(h, "") for h in highways], dtype=object)
        m = rest & (assumed != "")
        lit[m], src[m] = assumed[m], "assumed"
    return lit, src


def tunnel_groups(network: WalkNetwork) -> np.ndarray:
    """Which tunnel each edge belongs to: edges with ``tunnel`` that share a node form one
    tunnel (the OSM ways of one underpass, split where a path joins it, are one tunnel);
    -1 for edges outside tunnels. Tunnels are numbered 0..k-1.

    >>> import geopandas as gpd, shapely
    >>> from geoplan.routing import example_network
    >>> net = example_network()   # edges 0-1, 1-2, 1-3
    >>> net.edges["tunnel"] = [True, True, False]
    >>> tunnel_groups(net).tolist()
    [0, 0, -1]
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    edges = network.edges
    col = edges.get("tunnel")
    tunnel = (np.zeros(len(edges), bool) if col is None
              else col.fillna(False).to_numpy(dtype=bool))
    out = np.full(len(edges), -1, np.int64)
    if not tunnel.any():
        return out
    u = edges["u"].to_numpy(np.int64)[tunnel]
    v = edges["v"].to_numpy(np.int64)[tunnel]
    n = int(max(u.max(), v.max())) + 1
    _, label = connected_components(sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)),
                                    directed=False)
    _, out[tunnel] = np.unique(label[u], return_inverse=True)
    return out


def build_walk_network(
    data: OsmData,
    *,
    lighting: LightingRule | None = None,
    lamps: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
) -> WalkNetwork:
    """Build the walk network from the walkable ways of ``data``.

    Parameters
    ----------
    data
        What :func:`geoplan.sources.osm.read_osm` returned.
    lighting
        How lighting is decided (default :class:`~geoplan.types.LightingRule`).
    lamps
        Street lamps to use instead of ``data.lamps`` (e.g. OSM lamps merged with a municipal
        register by :func:`geoplan.sources.lamps.combine_lamps`).
    progress
        Receives progress reports and may cancel.

    Returns
    -------
    WalkNetwork
        ``nodes`` indexed 0..n-1 and one row per undirected edge (see :mod:`geoplan.types`).
    """
    rule = lighting or LightingRule()
    lamps = data.lamps if lamps is None else lamps
    if len(data.ways) == 0:
        raise OSMDataError("no walkable ways to build a network from: check the extract and area")
    report(progress, 0.0, "building the walk network")
    nodes, out = _simplified_edges(data.ways, data.crs)
    report(progress, 0.6, "classifying lighting")
    shares = lamp_share(out.geometry, lamps.geometry, rule.lamp_radius_m)
    lit, src = classify_lighting(out["lit_tag"], out["highway"], shares, rule)
    out["lit"] = lit
    out["lit_source"] = src
    out["lamp_share"] = shares
    out = out[["u", "v", "length_m", "lit", "lit_source", "lamp_share", "tunnel", "bridge",
               "underground", "highway", "name", "surface", "lit_tag", "osmid", "geometry"]]
    nodes.index.name = "node"
    report(progress, 1.0, "walk network built")
    return WalkNetwork(nodes=nodes, edges=out.reset_index(drop=True), crs=data.crs)


def read_walk_network(
    path,
    *,
    area=None,
    crs=None,
    lamps_file=None,
    lamps_crs=None,
    lamps_mode: str = "augment",
    lighting: LightingRule | None = None,
    progress: Progress | None = None,
):
    """Read an OSM extract and build its walk network: ``(data, lamps, network)``.

    The steps of ``geoplan inspect`` and of the QGIS algorithm *Build walk network*:
    :func:`geoplan.sources.osm.read_osm`, the lamps (:func:`geoplan.sources.lamps.study_lamps`,
    with ``lamps_file`` as register) and :func:`build_walk_network`.
    """
    from .progress import scaled
    from .sources.lamps import study_lamps
    from .sources.osm import read_osm

    data = read_osm(path, area=area, crs=crs, progress=scaled(progress, 0.0, 0.5))
    lamps = study_lamps(data, lamps_file, crs=lamps_crs, mode=lamps_mode)
    net = build_walk_network(data, lighting=lighting, lamps=lamps,
                             progress=scaled(progress, 0.5, 0.95))
    return data, lamps, net
