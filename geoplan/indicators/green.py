"""Public green space within walking distance: SCB's and WHO's rules and green m² per resident.

Green spaces
    The public polygons of ``OsmData.green`` (``public == True``, any ``kind``) are first
    **dissolved**: polygons that overlap or touch (share at least one point) form one green space
    (:func:`green_spaces`). OSM maps a park and the grass, playground and scrub inside it as
    separate, overlapping polygons; without dissolving, a 2 ha park would count once per inner
    polygon in ``green_m2_500m`` and two touching 0.3 ha lawns would never pass SCB's 0.5 ha
    rule. Sizes (``area_m2``, ``area_ha``) are those of the dissolved polygon (overlaps counted
    once) and are what the size thresholds are applied to.
Entries
    A green space is reached at its **edge or entrances, never at its centroid**
    (:func:`green_entries`): its entry points are where walkable edges cross or touch its
    boundary, plus the network nodes inside it. A green space that no path touches is entered
    from its outline: the exterior boundary is sampled at least every ``sample_m``
    (:data:`SAMPLE_M`, 1 m: fine enough that halving it moves no distance of the demo by 1 m)
    and each sample is attached to the nearest edge within ``max_snap_m`` (the short
    off-network walk from the path to the outline is counted, as for any destination: its
    access leg).
    Only the connected parts of the network used for origins (``AccessSpec.min_component_m``)
    carry entries: a stub of path cut off at the outline is no entrance. An origin whose point
    on the network lies inside a space (a home on a path through a park) is in it: 0 m. A green
    space with no entry at all is reached by no one: it gives no access (it is counted in
    ``result.attrs['n_green_spaces_without_entry']``), never a silent value.
Distances
    Network distances (:mod:`geoplan.routing`) from the cell's origin, attached along its nearest
    edge, to the nearest entry. Unattached origins (farther than ``AccessSpec.max_snap_m`` from
    every path) get ``inf`` distances like unreachable ones (the convention of
    :mod:`geoplan.routing`: no access), ``False`` in the 300 m flags and ``NaN`` in the area and
    per-resident columns. ``straight_dist_green_scb_m`` is the straight-line variant, for
    comparison only.

Columns (indexed by ``cell_id`` like the origins)

``dist_green_scb_m`` / ``green_scb_300m``
    network distance in metres to the nearest public green space of at least
    ``AccessSpec.green_scb_min_ha`` (0.5 ha, SCB's rule) / whether it is within
    ``AccessSpec.green_within_m`` (300 m); ``inf``: none reachable.
``dist_green_who_m`` / ``green_who_300m``
    the same for at least ``AccessSpec.green_who_min_ha`` (1 ha, WHO Europe's rule).
``straight_dist_green_scb_m``
    straight-line distance in metres from the origin to the nearest such polygon (0 inside it),
    whether or not a path reaches it; ``inf`` if there is none, ``NaN`` for a missing origin.
``green_m2_500m``
    m² of public green spaces (any size) with an entry within ``green_per_capita_within_m``
    (500 m) of network distance; each space counted once, with its dissolved area.
``green_m2_per_capita``
    ``green_m2_500m`` divided by the residents within the same network distance of the origin:
    the ``pop`` of every cell whose origin is within 500 m (the cell itself included), summed by
    :func:`geoplan.routing.count_within`. Densification lowers it. ``NaN`` when nobody lives
    within reach (or the origin is unattached).

Example
-------
>>> import geopandas as gpd, shapely
>>> from geoplan.routing import example_network
>>> net = example_network()   # 0 (0,0) -- 1 (100,0) -- 2 (200,0); 1 -- 3 (100,100)
>>> # a 0.8 ha park 10 m north of edge 1-2, no path touches it: entered from its outline
>>> park = gpd.GeoDataFrame({"kind": ["park"], "public": [True]},
...                         geometry=[shapely.box(150, 10, 250, 90)], crs=net.crs)
>>> homes = gpd.GeoSeries.from_xy([0.0], [0.0], crs=net.crs, index=["a"])
>>> r = green_indicators(net, homes, park, pop=[10.0])
>>> cols = ["dist_green_scb_m", "straight_dist_green_scb_m", "green_m2_per_capita"]
>>> r[cols].round(1).values.tolist()    # 150 m of path + the 10 m walk to the outline
[[160.0, 150.3, 800.0]]
"""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from ..errors import GeoplanError
from ..progress import Progress, report, scaled
from ..routing import (
    Attachment,
    RoutingGraph,
    attach_points,
    build_routing_graph,
    count_within,
    main_component_mask,
    nearest_distance_m,
)
from ..types import AccessSpec, WalkNetwork
from .access import check_origins, selected_rows
from .pairs import PairBlock, block_sums, pair_block

__all__ = [
    "GREEN_COLUMNS",
    "SAMPLE_M",
    "entries_attachment",
    "green_entries",
    "green_graph",
    "green_indicators",
    "green_spaces",
    "origin_entries",
    "per_capita_green_m2",
    "straight_distance_m",
    "unique_entries",
]

log = logging.getLogger(__name__)

#: Columns of :func:`green_indicators`, in order.
GREEN_COLUMNS: tuple[str, ...] = (
    "dist_green_scb_m", "green_scb_300m", "dist_green_who_m", "green_who_300m",
    "straight_dist_green_scb_m", "green_m2_500m", "green_m2_per_capita",
)
#: Spacing in metres of the boundary samples of a green space that no path touches.
SAMPLE_M = 1.0
#: A crossing point is attached to an edge within this distance (it lies on it up to rounding).
_ON_EDGE_M = 0.01
_ENTRY_COLUMNS = ["green_id", "entry", "edge", "offset_m", "snap_m", "geometry"]


# --------------------------------------------------------------------------------------------
# green spaces and their entries
# --------------------------------------------------------------------------------------------
def green_spaces(green: gpd.GeoDataFrame, *, public_only: bool = True) -> gpd.GeoDataFrame:
    """Dissolve overlapping or touching green polygons into green spaces.

    Parameters
    ----------
    green : geopandas.GeoDataFrame
        ``OsmData.green``: (Multi)Polygons with ``public`` (bool) and ``kind``.
    public_only : bool
        Keep only ``public`` polygons (default); private gardens never count.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per green space, index ``green_id`` = 0..k-1: ``kinds`` (the ``kind`` values
        joined with ';'), ``n_polygons``, ``area_m2`` and ``area_ha`` of the dissolved polygon.
        Two polygons belong to the same space when they overlap or touch, directly or through
        other polygons.

    Examples
    --------
    >>> import shapely
    >>> g = gpd.GeoDataFrame({"kind": ["grass", "grass", "park"], "public": [True] * 3},
    ...                      geometry=[shapely.box(0, 0, 50, 60), shapely.box(50, 0, 100, 60),
    ...                                shapely.box(500, 0, 600, 100)], crs=3006)
    >>> green_spaces(g)[["kinds", "n_polygons", "area_ha"]].values.tolist()
    [['grass', 2, 0.6], ['park', 1, 1.0]]
    """
    missing = [c for c in ("public", "kind") if c not in green.columns]
    if missing:
        raise GeoplanError(
            f"green spaces lack column(s) {missing}; read them with geoplan.sources.osm.read_osm "
            "or add 'kind' (e.g. 'park') and 'public' (True/False)"
        )
    g = green[green["public"].fillna(False).astype(bool)] if public_only else green
    geoms = np.asarray(g.geometry.values, dtype=object)
    keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    geoms, kinds = geoms[keep], g["kind"].to_numpy(dtype=object)[keep]
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    if len(geoms) == 0:
        empty = gpd.GeoDataFrame(
            {"kinds": pd.Series([], dtype=object), "n_polygons": pd.Series([], dtype=np.int64),
             "area_m2": pd.Series([], dtype=float), "area_ha": pd.Series([], dtype=float)},
            geometry=gpd.GeoSeries([], crs=green.crs), crs=green.crs,
        )
        return empty.rename_axis("green_id")
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    n = len(geoms)
    adj = sp.coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n, n)).tocsr()
    n_spaces, label = connected_components(adj, directed=False)
    order = np.argsort(label, kind="stable")
    cuts = np.flatnonzero(np.diff(label[order])) + 1
    groups = np.split(order, cuts)
    union = [geoms[i[0]] if len(i) == 1 else shapely.union_all(geoms[i]) for i in groups]
    area = shapely.area(np.asarray(union, dtype=object))
    out = gpd.GeoDataFrame(
        {
            "kinds": [";".join(sorted({str(k) for k in kinds[i] if k is not None})) for i in groups],
            "n_polygons": np.array([len(i) for i in groups], dtype=np.int64),
            "area_m2": area,
            "area_ha": area / 10_000.0,
        },
        geometry=union,
        crs=green.crs,
    )
    out.index.name = "green_id"
    return out


def green_entries(
    network: WalkNetwork,
    spaces: gpd.GeoDataFrame,
    *,
    max_snap_m: float = AccessSpec.max_snap_m,
    sample_m: float = SAMPLE_M,
    min_component_m: float = AccessSpec.min_component_m,
) -> gpd.GeoDataFrame:
    """Entry points of each green space on the walk network (see the module doc).

    Parameters
    ----------
    network : WalkNetwork
        The walk network, in the CRS of ``spaces``.
    spaces : geopandas.GeoDataFrame
        Green spaces from :func:`green_spaces` (index ``green_id``).
    max_snap_m : float
        Boundary samples of untouched spaces attach to an edge within this distance.
    sample_m : float
        Largest spacing of those boundary samples (and of the points taken along a path that
        runs on the boundary), in metres.
    min_component_m : float
        Entries lie only on the connected parts of the network at least this long
        (:func:`geoplan.routing.main_component_mask`, as origins and destinations): a few metres
        of path cut off at a park's outline do not count as its entrance, and a space touched
        only by such bits is entered from its outline like one no path touches.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per entry: ``green_id``; ``entry`` = ``'crossing'`` (a path crosses or touches
        the boundary), ``'node'`` (a network node inside the space) or ``'boundary'`` (a sample
        of the outline attached to the nearest path); ``edge`` (position in
        ``network.edges``) and ``offset_m`` (metres from its ``u`` node) of the point on the
        network; ``snap_m`` (0 except for boundary samples); the point on the edge as geometry.
        Spaces without a row have no entry: nobody reaches them.

    Examples
    --------
    >>> import shapely
    >>> from geoplan.routing import example_network
    >>> net = example_network()
    >>> sp_ = gpd.GeoDataFrame(geometry=[shapely.box(150, -50, 250, 50)], crs=net.crs)
    >>> green_entries(net, sp_)[["green_id", "entry", "edge", "offset_m"]].values.tolist()
    [[0, 'crossing', 1, 50.0], [0, 'node', 1, 100.0]]
    """
    if not sample_m > 0:
        raise GeoplanError(f"sample_m must be > 0 metres, got {sample_m}")
    if spaces.crs != network.crs:
        raise GeoplanError(
            f"green spaces are in {spaces.crs} but the network is in {network.crs}: reproject "
            "them with spaces.to_crs(network.crs)"
        )
    ids = np.asarray(spaces.index)
    polys = np.asarray(spaces.geometry.values, dtype=object)
    main = main_component_mask(network, min_component_m) if len(network.edges) else np.zeros(0, bool)
    # paths crossing or touching the boundary; network nodes inside (or on the boundary of) it
    found = pd.concat([_crossing_entries(network, polys, ids, main, sample_m),
                       _node_entries(network, polys, ids, main)], ignore_index=True)
    found = found[found["edge"] >= 0]
    # spaces no path touches: their outline, attached to the nearest path within max_snap_m
    untouched = ~np.isin(ids, found["green_id"].to_numpy())
    if untouched.any():
        parts, part_of = shapely.get_parts(polys[untouched], return_index=True)
        rings, owner = shapely.get_exterior_ring(parts), ids[untouched][part_of]
        xy, k = shapely.get_coordinates(shapely.segmentize(rings, sample_m), return_index=True)
        found = pd.concat(
            [found, _attach_entries(network, owner[k], xy, "boundary", max_snap_m, main)],
            ignore_index=True,
        )
    return unique_entries(found[found["edge"] >= 0], network.crs)


def unique_entries(found: pd.DataFrame, crs) -> gpd.GeoDataFrame:
    """Entries with one row per place (``green_id``, edge, offset to 1 µm), the one with the
    shortest access leg kept, sorted by space, edge and offset.

    >>> import shapely
    >>> rows = pd.DataFrame({"green_id": [0, 0], "entry": ["boundary", "crossing"],
    ...                      "edge": [1, 1], "offset_m": [5.0, 5.0], "snap_m": [3.0, 0.0],
    ...                      "geometry": [shapely.Point(0, 0)] * 2})
    >>> unique_entries(rows, "EPSG:3006")["entry"].tolist()
    ['crossing']
    """
    found = found.sort_values("snap_m", kind="stable")  # the shortest leg is kept
    found = found.assign(_o=found["offset_m"].round(6)).drop_duplicates(["green_id", "edge", "_o"])
    found = found.sort_values(["green_id", "edge", "offset_m"], kind="stable")
    out = gpd.GeoDataFrame(found.drop(columns="_o"), geometry="geometry", crs=crs)
    return out.reset_index(drop=True)[_ENTRY_COLUMNS]


def _crossing_entries(network: WalkNetwork, polys: np.ndarray, ids: np.ndarray,
                      edge_mask: np.ndarray, sample_m: float) -> pd.DataFrame:
    """Where edges of ``edge_mask`` cross or touch a space's boundary (a path along the
    boundary: a point every ``sample_m``)."""
    lines = np.asarray(network.edges.geometry.values, dtype=object)
    bounds = shapely.boundary(polys)
    e_idx, s_idx = shapely.STRtree(bounds).query(lines, predicate="intersects")
    keep = edge_mask[e_idx] if len(e_idx) else np.zeros(0, bool)
    inter = shapely.segmentize(shapely.intersection(lines[e_idx[keep]], bounds[s_idx[keep]]),
                               sample_m)
    xy, k = shapely.get_coordinates(inter, return_index=True)
    return _attach_entries(network, ids[s_idx[keep][k]], xy, "crossing", _ON_EDGE_M, edge_mask)


def _attach_entries(
    network: WalkNetwork, green_id: np.ndarray, xy: np.ndarray, kind: str, max_snap_m: float,
    edge_mask: np.ndarray,
) -> pd.DataFrame:
    pts = gpd.GeoSeries(shapely.points(xy), crs=network.crs)
    att = attach_points(network, pts, max_snap_m=max_snap_m, edge_mask=edge_mask)
    return pd.DataFrame({
        "green_id": green_id, "entry": kind, "edge": att.edge, "offset_m": att.offset_m,
        "snap_m": np.where(kind == "boundary", att.snap_m, 0.0),
        "geometry": shapely.points(att.on_edge_xy),
    })


def _node_entries(network: WalkNetwork, polys: np.ndarray, ids: np.ndarray,
                  edge_mask: np.ndarray) -> pd.DataFrame:
    """Network nodes covered by a space, as (an incident edge of ``edge_mask``, offset 0 or its
    length); nodes without such an edge get edge -1 (no entry)."""
    nodes = np.asarray(network.nodes.geometry.values, dtype=object)
    s_idx, n_idx = shapely.STRtree(nodes).query(polys, predicate="intersects")
    edges = network.edges
    kept = np.flatnonzero(edge_mask)
    u, v = edges["u"].to_numpy(np.int64)[kept], edges["v"].to_numpy(np.int64)[kept]
    length = edges["length_m"].to_numpy(float)[kept]
    ends = np.concatenate([u, v])
    first, pos = np.unique(ends, return_index=True)
    edge_of = np.full(len(nodes), -1, np.int64)
    off_of = np.full(len(nodes), np.nan)
    edge_of[first] = np.concatenate([kept, kept])[pos]
    off_of[first] = np.concatenate([np.zeros(len(u)), length])[pos]
    return pd.DataFrame({
        "green_id": ids[s_idx], "entry": "node", "edge": edge_of[n_idx], "offset_m": off_of[n_idx],
        "snap_m": 0.0, "geometry": nodes[n_idx],
    })


def origin_entries(origin_att: Attachment, spaces: gpd.GeoDataFrame) -> pd.DataFrame:
    """Entries (``entry='origin'``) for the origins that are in a green space.

    An origin whose own point lies inside or on a space is in it: its entry is at the origin's
    own point (same place, same access leg: 0 m). One whose point lies outside but whose point
    on the network is inside (a home beside a path through a park) enters the park where it
    reaches that path: its entry is that point on the network (the access leg is walked).

    >>> import shapely
    >>> from geoplan.routing import example_network
    >>> net = example_network()
    >>> park = gpd.GeoDataFrame(geometry=[shapely.box(20, -3, 80, 3)], crs=net.crs)
    >>> att = attach_points(net, gpd.GeoSeries.from_xy([50.0, 150.0, 50.0], [2.0, 0.0, 5.0],
    ...                                                 crs=net.crs))
    >>> origin_entries(att, park)[["green_id", "entry", "edge", "offset_m", "snap_m"]].values.tolist()
    [[0, 'origin', 0, 50.0, 2.0], [0, 'origin', 0, 50.0, 0.0]]
    """
    ok = np.flatnonzero(origin_att.edge >= 0)
    on_edge = shapely.points(origin_att.on_edge_xy[ok])
    own = on_edge if origin_att.point_xy is None else shapely.points(origin_att.point_xy[ok])
    tree = shapely.STRtree(np.asarray(spaces.geometry.values, dtype=object))
    own_p, own_s = tree.query(own, predicate="intersects")
    net_p, net_s = tree.query(on_edge, predicate="intersects")
    inside = set(zip(own_p.tolist(), own_s.tolist(), strict=True))
    beside = np.array([(p, s) not in inside for p, s in zip(net_p, net_s, strict=True)], bool)
    p_idx = np.concatenate([own_p, net_p[beside]]).astype(np.int64)
    s_idx = np.concatenate([own_s, net_s[beside]]).astype(np.int64)
    at = ok[p_idx]
    snap = np.concatenate([origin_att.snap_m[ok[own_p]], np.zeros(int(beside.sum()))])
    return pd.DataFrame({
        "green_id": np.asarray(spaces.index)[s_idx], "entry": "origin",
        "edge": origin_att.edge[at], "offset_m": origin_att.offset_m[at], "snap_m": snap,
        "geometry": np.concatenate([own[own_p], on_edge[net_p[beside]]]),
    }, columns=_ENTRY_COLUMNS)


def entries_attachment(entries: gpd.GeoDataFrame) -> Attachment:
    """The entries (:func:`green_entries`) as an :class:`~geoplan.routing.Attachment` for the
    routing graph (:func:`geoplan.routing.build_routing_graph`).

    >>> import shapely
    >>> from geoplan.routing import example_network
    >>> net = example_network()
    >>> sp_ = gpd.GeoDataFrame(geometry=[shapely.box(150, -50, 250, 50)], crs=net.crs)
    >>> entries_attachment(green_entries(net, sp_)).edge.tolist()
    [1, 1]
    """
    xy = shapely.get_coordinates(np.asarray(entries.geometry.values, dtype=object)).reshape(-1, 2)
    # an origin's entry at its own point shares the origin's node (same place: 0 m apart)
    own = (entries["entry"].to_numpy() == "origin") & (entries["snap_m"].to_numpy(float) > 0)
    return Attachment(
        edge=entries["edge"].to_numpy(np.int64), offset_m=entries["offset_m"].to_numpy(float),
        snap_m=entries["snap_m"].to_numpy(float), on_edge_xy=xy,
        index=entries.index, max_snap_m=math.inf,
        point_xy=np.where(own[:, None], xy, np.nan),
    )


def green_graph(network: WalkNetwork, origin_att: Attachment, spaces: gpd.GeoDataFrame,
                entries: gpd.GeoDataFrame) -> tuple[RoutingGraph, pd.DataFrame]:
    """``(routing graph, entries)`` that :func:`green_indicators` searches: the origins, then
    ``entries`` and the origins' own entries (:func:`origin_entries`), in that order.

    >>> import shapely
    >>> from geoplan.routing import example_network
    >>> net = example_network()
    >>> sp_ = gpd.GeoDataFrame(geometry=[shapely.box(150, -50, 250, 50)], crs=net.crs)
    >>> att = attach_points(net, gpd.GeoSeries.from_xy([160.0], [0.0], crs=net.crs))
    >>> g, e = green_graph(net, att, sp_, green_entries(net, sp_))
    >>> e["entry"].tolist(), len(g.point_nodes[1])
    (['crossing', 'node', 'origin'], 3)
    """
    entries = pd.concat([entries, origin_entries(origin_att, spaces)], ignore_index=True)
    return build_routing_graph(network, [origin_att, entries_attachment(entries)]), entries


# --------------------------------------------------------------------------------------------
# the indicators
# --------------------------------------------------------------------------------------------
def green_indicators(
    network: WalkNetwork,
    origins: gpd.GeoSeries,
    green: gpd.GeoDataFrame,
    pop,
    spec: AccessSpec | None = None,
    *,
    origin_att: Attachment | None = None,
    spaces: gpd.GeoDataFrame | None = None,
    entries: gpd.GeoDataFrame | None = None,
    selection=None,
    progress: Progress | None = None,
    graph: tuple | None = None,
) -> pd.DataFrame:
    """Green-space access per cell: SCB/WHO distances, green m² within reach and per resident.

    Parameters
    ----------
    network : WalkNetwork
        The walk network.
    origins : geopandas.GeoSeries
        One point per cell, indexed by ``cell_id`` (:func:`geoplan.origins.cell_origins`).
    green : geopandas.GeoDataFrame
        ``OsmData.green`` (dissolved here with :func:`green_spaces`).
    pop : array-like or pandas.Series
        Residents per cell: a Series indexed by ``cell_id`` (e.g. ``cells['pop']``) or values
        in the order of ``origins``.
    spec : AccessSpec, optional
        ``green_scb_min_ha``, ``green_who_min_ha``, ``green_within_m``,
        ``green_per_capita_within_m`` and ``max_snap_m``.
    origin_att : Attachment, optional
        The origins' attachment, to reuse one made earlier.
    spaces, entries : geopandas.GeoDataFrame, optional
        :func:`green_spaces` of ``green`` and their :func:`green_entries`, to reuse them.
    selection : optional
        The cells to compute (:func:`geoplan.indicators.access.selected_rows`; default all): a
        scenario's recompute passes the cells that can change (residents count in every cell).
    progress : Progress, optional
        Progress sink; may cancel.
    graph : tuple, optional
        :func:`green_graph` of the same ``origin_att``, ``spaces`` and ``entries``, made
        earlier, to reuse it (a scenario reuses its baseline's); made here when not given.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins`` (the selected cells); columns :data:`GREEN_COLUMNS` (see the
        module doc). ``attrs``: ``n_green_spaces``, ``n_green_spaces_without_entry``,
        ``n_origins_unattached``.

    Examples
    --------
    See the module doc.
    """
    spec = spec or AccessSpec()
    check_origins(origins)
    weights = _population(pop, origins.index)
    report(progress, 0.0, "green spaces")
    if spaces is None:
        spaces = green_spaces(green.to_crs(network.crs) if green.crs != network.crs else green)
    if entries is None:
        entries = green_entries(network, spaces, max_snap_m=spec.max_snap_m)
    if origin_att is None:
        origin_att = attach_points(network, origins, max_snap_m=spec.max_snap_m)
    graph, entries = green_graph(network, origin_att, spaces, entries) if graph is None else graph
    rows, (o_all, e_nodes) = selected_rows(origins, selection), graph.point_nodes
    o_nodes = o_all[rows]
    area_ha = spaces["area_ha"].to_numpy(float)
    e_space = entries["green_id"].to_numpy(np.int64)
    e_pos = spaces.index.get_indexer(e_space)
    out = _green_distances(graph, o_nodes, e_nodes, area_ha[e_pos], spec, progress)
    out["straight_dist_green_scb_m"] = straight_distance_m(
        origins.iloc[rows], spaces.geometry.values[area_ha >= spec.green_scb_min_ha])
    out["green_m2_500m"], out["green_m2_per_capita"] = _green_within_reach(
        graph, (o_nodes, o_all, weights), e_nodes, e_pos, spaces["area_m2"].to_numpy(float),
        spec.green_per_capita_within_m, scaled(progress, 0.3, 1.0), selection is not None)
    result = pd.DataFrame(out, index=origins.index[rows])[list(GREEN_COLUMNS)]
    result.attrs.update(_green_counts(spaces, e_space, o_all, spec))
    report(progress, 1.0, "green access done")
    return result


def _green_within_reach(graph, origins: tuple, e_nodes: np.ndarray, e_pos: np.ndarray,
                        area_m2: np.ndarray, reach: float, progress, selected: bool) -> tuple:
    """``(green m² within reach, per resident)`` of the origins ``(selected nodes, all nodes,
    residents per node of all)``; for a few selected cells from one search (pairs.py)."""
    o_nodes, o_all, pop = origins
    block = pair_block(graph, o_nodes, np.r_[e_nodes, o_all], reach) if selected else None
    green_m2 = _green_m2_within(graph, o_nodes, e_nodes, e_pos, area_m2, reach,
                                scaled(progress, 0.0, 0.7), block)
    report(progress, 0.7, "residents within reach")
    return green_m2, per_capita_green_m2(graph, o_nodes, o_all, pop, green_m2, reach, block)


def per_capita_green_m2(graph: RoutingGraph, o_nodes: np.ndarray, o_all: np.ndarray,
                        pop: np.ndarray, green_m2: np.ndarray, reach: float,
                        block: PairBlock | None = None) -> np.ndarray:
    """Green m² per resident within ``reach`` of each origin node ``o_nodes`` (``green_m2``
    aligned to them; residents of every cell, ``pop`` per node of ``o_all``); NaN where nobody
    lives within reach. The ``green_m2_per_capita`` column of :func:`green_indicators`.
    With ``block`` (a :func:`~.pairs.pair_block` of ``o_nodes`` and ``o_all`` within at
    least ``reach``) the residents are read off it.

    >>> import geopandas as gpd
    >>> from geoplan.routing import build_routing_graph, example_network
    >>> net = example_network()
    >>> att = attach_points(net, gpd.GeoSeries.from_xy([0.0, 100.0, 200.0], [0.0, 0.0, 0.0],
    ...                                                crs=net.crs))
    >>> g = build_routing_graph(net, [att])
    >>> o = g.point_nodes[0]
    >>> per_capita_green_m2(g, o[:1], o, np.array([10.0, 20.0, 30.0]), np.array([600.0]), 150.0)
    array([20.])
    """
    if block is None:
        residents = count_within(graph, o_nodes, o_all, [reach], weights=pop)[:, 0]
    else:
        residents = block_sums(block, o_nodes, o_all, pop[:, None],
                               lambda d: [d <= reach], 1)[:, 0, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(residents > 0, green_m2 / residents, np.nan)


def _green_counts(spaces: gpd.GeoDataFrame, e_space: np.ndarray, o_nodes: np.ndarray,
                  spec: AccessSpec) -> dict[str, int]:
    """Green spaces, those without an entry (logged) and origins without a path nearby."""
    n_without = len(spaces) - len(np.unique(e_space))
    if n_without:
        log.info("%d of %d public green spaces have no path within %g m: nobody reaches them",
                 n_without, len(spaces), spec.max_snap_m)
    return {"n_green_spaces": len(spaces), "n_green_spaces_without_entry": int(n_without),
            "n_origins_unattached": int((o_nodes < 0).sum())}


def _green_distances(graph, o_nodes: np.ndarray, e_nodes: np.ndarray, e_ha: np.ndarray,
                     spec: AccessSpec, progress) -> dict[str, np.ndarray]:
    """Network distance to the nearest entry of a space of at least the SCB / WHO size, and
    whether it is within ``spec.green_within_m``."""
    out: dict[str, np.ndarray] = {}
    for rule, min_ha in (("scb", spec.green_scb_min_ha), ("who", spec.green_who_min_ha)):
        report(progress, 0.1 if rule == "scb" else 0.2, f"distance to green ({rule})")
        d = nearest_distance_m(graph, o_nodes, e_nodes[e_ha >= min_ha])
        out[f"dist_green_{rule}_m"] = d
        out[f"green_{rule}_300m"] = d <= spec.green_within_m
    return out


def _green_m2_within(graph, o_nodes: np.ndarray, e_nodes: np.ndarray, e_pos: np.ndarray,
                     area_m2: np.ndarray, reach: float, progress,
                     block: PairBlock | None = None) -> np.ndarray:
    """Green m² of the spaces with an entry within ``reach`` of each origin (NaN unattached),
    added space by space in the order of the spaces (read off ``block`` when given: a
    :func:`~.pairs.pair_block` of ``o_nodes`` and ``e_nodes`` within at least ``reach``)."""
    if block is not None:
        return _green_m2_from_block(block, o_nodes, e_nodes, e_pos, area_m2, reach)
    green_m2 = np.zeros(len(o_nodes))
    limit = reach * (1 + 1e-12) + 1e-9
    order = np.argsort(e_pos, kind="stable")
    cuts = np.flatnonzero(np.diff(e_pos[order])) + 1
    groups = np.split(order, cuts) if len(order) else []
    for i, grp in enumerate(groups):
        report(progress, i / len(groups), "green m² within reach")
        d = nearest_distance_m(graph, o_nodes, e_nodes[grp], limit_m=limit)
        green_m2 += np.where(d <= reach, area_m2[e_pos[grp[0]]], 0.0)
    green_m2[o_nodes < 0] = np.nan
    return green_m2


def _green_m2_from_block(block: PairBlock, o_nodes: np.ndarray, e_nodes: np.ndarray,
                         e_pos: np.ndarray, area_m2: np.ndarray, reach: float) -> np.ndarray:
    """:func:`_green_m2_within` from the distances of ``block``: per origin and space whether
    an entry lies within ``reach``, the areas added in the order of the spaces (a running sum,
    as the loop adds them: the same float result)."""
    cols = block.cols(e_nodes)
    near = cols >= 0
    spaces, space_of = np.unique(e_pos[near], return_inverse=True)
    hit = np.zeros((len(block.origins), len(spaces)), bool)
    if len(spaces):
        within = block.dist_m[:, cols[near]] <= reach
        # per space: any of its entries within reach (entries grouped by space)
        order = np.argsort(space_of, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(space_of[order]) > 0])
        hit = np.logical_or.reduceat(within[:, order], starts, axis=1)
    added = np.where(hit, area_m2[spaces], 0.0)
    per = np.cumsum(np.c_[np.zeros(len(block.origins)), added], axis=1)[:, -1]
    rows = block.rows(o_nodes)
    return np.where(rows >= 0, per[np.maximum(rows, 0)], np.nan)


def _population(pop, index: pd.Index) -> np.ndarray:
    if isinstance(pop, pd.Series):
        missing = index.difference(pop.index)
        if len(missing):
            raise GeoplanError(
                f"pop lacks {len(missing)} of the origins' cell ids (e.g. {missing[0]!r}): pass "
                "cells['pop'] of the same grid"
            )
        values = pop.reindex(index).to_numpy(dtype=float)
    else:
        values = np.asarray(pop, dtype=float).ravel()
        if len(values) != len(index):
            raise GeoplanError(
                f"pop has {len(values)} values for {len(index)} origins: pass cells['pop']"
            )
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise GeoplanError(
            f"pop must be finite and >= 0 for every cell; {int(bad.sum())} cells are not (fill "
            "missing population with 0 where nobody lives)"
        )
    return values


def straight_distance_m(origins: gpd.GeoSeries, polys: np.ndarray) -> np.ndarray:
    """Straight-line distance from each origin to the nearest polygon (0 inside; inf without
    polygons; NaN for a missing origin).

    >>> import shapely
    >>> o = gpd.GeoSeries.from_xy([0.0, 50.0], [0.0, 0.0])
    >>> straight_distance_m(o, np.asarray([shapely.box(10, -5, 20, 5)])).tolist()
    [10.0, 30.0]
    """
    pts = np.asarray(origins.values, dtype=object)
    ok = ~shapely.is_missing(pts) & ~shapely.is_empty(pts)
    out = np.where(ok, math.inf, np.nan)
    if len(polys) and ok.any():
        (i, _), dist = shapely.STRtree(polys).query_nearest(
            pts[ok], return_distance=True, all_matches=False
        )
        sub = np.full(int(ok.sum()), math.inf)
        sub[i] = dist
        out[ok] = sub
    return out
