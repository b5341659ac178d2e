"""The walk network: OSM ways -> a simplified, projected, undirected graph whose edges know their
length, lighting (with its source) and whether they run through a tunnel.

Built with osmnx (graph model and ``simplify_graph(edge_attrs_differ=…)``, so edges whose
lighting, highway type, tunnel or bridge status differ are never merged). Lighting is decided per
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

import warnings

import geopandas as gpd
import networkx as nx
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


def _clean(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return v


def _to_nx(ways: gpd.GeoDataFrame, crs) -> nx.MultiDiGraph:
    """Both directions of every way segment, nodes keyed by OSM node id (walking is two-way)."""
    G = nx.MultiDiGraph(crs=crs)
    for row, geom in zip(ways.itertuples(index=False), ways.geometry, strict=True):
        coords = shapely.get_coordinates(geom)
        ids = row.node_ids
        for nid, (x, y) in zip(ids, coords, strict=True):
            G.add_node(nid, x=float(x), y=float(y))
        attrs = {k: _clean(getattr(row, k, None)) for k in _EDGE_ATTRS}
        attrs["underground"] = bool(attrs["underground"])
        attrs["osmid"] = int(row.osm_id)
        for a, b in zip(ids[:-1], ids[1:], strict=True):
            if a == b:
                continue
            G.add_edge(a, b, reversed=False, **attrs)
            G.add_edge(b, a, reversed=True, **attrs)
    return G


def _join(v) -> str:
    if isinstance(v, list):
        vals = [str(x) for x in dict.fromkeys(v) if x != ""]
        return ";".join(vals)
    return "" if v is None else str(v)


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
    tree = shapely.STRtree(lamps.values)
    e_idx, l_idx = tree.query(edges.values, predicate="dwithin", distance=radius_m)
    if len(e_idx) == 0:
        return out
    order = np.argsort(e_idx, kind="stable")
    e_idx, l_idx = e_idx[order], l_idx[order]
    starts = np.flatnonzero(np.r_[True, e_idx[1:] != e_idx[:-1]])
    ends = np.r_[starts[1:], len(e_idx)]
    lamp_geoms = lamps.values
    edge_geoms = edges.values
    lengths = shapely.length(edge_geoms)
    for s, t in zip(starts, ends, strict=True):
        i = e_idx[s]
        if lengths[i] <= 0:
            continue
        cover = shapely.union_all(shapely.buffer(lamp_geoms[l_idx[s:t]], radius_m, quad_segs=16))
        out[i] = shapely.length(shapely.intersection(edge_geoms[i], cover)) / lengths[i]
    return np.clip(out, 0.0, 1.0)


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


def _edge_table(edges: pd.DataFrame, node_index: pd.Series, crs) -> gpd.GeoDataFrame:
    """One row per simplified edge: node numbers from ``node_index`` and tags as plain values."""
    return gpd.GeoDataFrame(
        {
            "u": node_index.loc[edges["u"].values].values.astype(np.int64),
            "v": node_index.loc[edges["v"].values].values.astype(np.int64),
            "length_m": edges.geometry.length.values,
            "highway": [_join(v) for v in edges["highway"]],
            "name": [_join(v) for v in edges["name"]],
            "lit_tag": [_join(v) for v in edges["lit_tag"]],
            "tunnel": [bool(v) if not isinstance(v, list) else any(v) for v in edges["tunnel"]],
            "bridge": [bool(v) if not isinstance(v, list) else any(v) for v in edges["bridge"]],
            "underground": [bool(v) if not isinstance(v, list) else all(v)
                            for v in edges["underground"]],
            "surface": [_join(v) for v in edges["surface"]],
            "osmid": [_join(v) for v in edges["osmid"]],
        },
        geometry=edges.geometry.values,
        crs=crs,
    )


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
    with warnings.catch_warnings():
        # osmnx imports matplotlib, which warns on stderr when QGIS' system mpl_toolkits sits
        # beside the venv's matplotlib ("Unable to import Axes3D"): not the planner's concern
        warnings.filterwarnings("ignore", message="Unable to import Axes3D")
        import osmnx as ox

    rule = lighting or LightingRule()
    lamps = data.lamps if lamps is None else lamps
    if len(data.ways) == 0:
        raise OSMDataError("no walkable ways to build a network from: check the extract and area")
    report(progress, 0.0, "building the walk network")
    G = _to_nx(data.ways, data.crs)
    report(progress, 0.3, "simplifying the walk network")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G = ox.simplify_graph(G, edge_attrs_differ=list(_DIFFER), remove_rings=False)
        U = ox.convert.to_undirected(G)
    report(progress, 0.6, "classifying lighting")
    nodes, edges = ox.convert.graph_to_gdfs(U, nodes=True, edges=True, fill_edge_geometry=True)
    nodes = nodes.rename_axis("osmid").reset_index()
    node_index = pd.Series(np.arange(len(nodes)), index=nodes["osmid"].values)
    out = _edge_table(edges.reset_index(), node_index, data.crs)
    shares = lamp_share(out.geometry, lamps.geometry, rule.lamp_radius_m)
    lit, src = classify_lighting(out["lit_tag"], out["highway"], shares, rule)
    out["lit"] = lit
    out["lit_source"] = src
    out["lamp_share"] = shares
    out = out[["u", "v", "length_m", "lit", "lit_source", "lamp_share", "tunnel", "bridge",
               "underground", "highway", "name", "surface", "lit_tag", "osmid", "geometry"]]
    node_gdf = gpd.GeoDataFrame(
        {"osmid": nodes["osmid"].values.astype(np.int64)},
        geometry=shapely.points(nodes["x"].values, nodes["y"].values),
        crs=data.crs,
    )
    node_gdf.index.name = "node"
    report(progress, 1.0, "walk network built")
    return WalkNetwork(nodes=node_gdf, edges=out.reset_index(drop=True), crs=data.crs)


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
