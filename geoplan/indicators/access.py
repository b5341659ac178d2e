"""Accessibility per grid cell: network distance to the nearest destination of each category,
the number within each radius, and a gravity measure.

Origins (one population-weighted point per cell, :func:`geoplan.origins.cell_origins`) and
destinations are attached *along* their nearest walkable edge (:mod:`geoplan.routing`): no false
0 m from snapping to a node. A destination farther than ``AccessSpec.max_snap_m`` from every
path is reached by no one (it is listed with ``attached = False`` in the destinations layer, never
silently dropped), and an origin that far from the network gets no access (``inf`` distance,
``NaN`` counts).

Every distance counts the **access legs**: the straight walk from the origin to the point where
it meets its edge, and from the destination's edge to the destination (``snap_m``; see
:func:`geoplan.routing.build_routing_graph`). Homes and a shop attached at the same street corner
are as far apart as those two walks, not 0 m.

Columns: ``access_leg_m``, the origin's access leg in metres (``NaN``: unattached); per category
``c`` of ``AccessSpec.categories`` and radius ``r``:

``dist_<c>_m``
    network distance in metres to the nearest destination (``inf``: none reachable);
``n_<c>_<r>m``
    destinations within ``r`` metres of network distance;
``gravity_<c>``
    sum of ``exp(-ln 2 · d / gravity_half_distance_m)`` over destinations within
    ``gravity_cutoff_m``: a destination next door counts 1, one at 400 m (default) counts ½.

Example
-------
>>> from geoplan.routing import example_network
>>> import geopandas as gpd
>>> net = example_network()
>>> homes = gpd.GeoSeries.from_xy([30.0, 100.0], [4.0, 60.0], crs=net.crs, index=["a", "b"])
>>> shops = gpd.GeoDataFrame({"category": ["grocery"]},
...                          geometry=gpd.points_from_xy([170.0], [-3.0]), crs=net.crs)
>>> spec = AccessSpec(categories=("grocery",), radii_m=(200.0,))
>>> access_indicators(net, homes, shops, spec)[["dist_grocery_m", "access_leg_m"]].values.tolist()
[[147.0, 4.0], [133.0, 0.0]]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import GeoplanError
from ..progress import Progress, report, scaled
from ..routing import (
    Attachment,
    DistanceKernel,
    RoutingGraph,
    _distance_blocks,
    _kernel_blocks,
    attach_points,
    build_routing_graph,
    gravity_beta,
)
from ..types import AccessSpec, WalkNetwork
from .pairs import PairBlock, block_nearest_m, block_sums, pair_block

__all__ = [
    "access_columns",
    "access_indicators",
    "attach_destinations",
    "category_sums",
    "check_origins",
    "radius_label",
    "selected_rows",
]


def radius_label(r: float) -> str:
    """``400.0`` -> ``'400m'``."""
    return f"{int(r)}m" if float(r).is_integer() else f"{r:g}m".replace(".", "_")


def access_columns(spec: AccessSpec, prefix: str = "") -> list[str]:
    """Names of the columns :func:`access_indicators` returns, in order.

    >>> access_columns(AccessSpec(categories=("school",), radii_m=(400.0,)))
    ['access_leg_m', 'dist_school_m', 'n_school_400m', 'gravity_school']
    """
    cols = [] if prefix else ["access_leg_m"]
    for c in spec.categories:
        cols.append(f"{prefix}dist_{c}_m")
        cols += [f"{prefix}n_{c}_{radius_label(r)}" for r in spec.radii_m]
        cols.append(f"{prefix}gravity_{c}")
    return cols


def attach_destinations(
    network: WalkNetwork, destinations: gpd.GeoDataFrame, spec: AccessSpec, *, edge_mask=None
) -> tuple[gpd.GeoDataFrame, Attachment]:
    """Destinations with ``snap_m`` and ``attached`` columns, and their attachment (to the
    edges of ``edge_mask`` only, when given)."""
    if "category" not in destinations.columns:
        raise GeoplanError(
            "destinations need a 'category' column (school, grocery, …): read them with "
            "geoplan.sources.osm.read_osm or add the column"
        )
    att = attach_points(network, destinations.geometry, max_snap_m=spec.max_snap_m,
                        edge_mask=edge_mask)
    out = destinations.copy()
    out["snap_m"] = att.snap_m
    out["attached"] = att.attached
    return out, att


def category_sums(graph, o_nodes: np.ndarray, d_nodes: np.ndarray, cats: np.ndarray,
                  categories, limit_m: float, kernel, n_out: int, progress=None,
                  block: PairBlock | None = None) -> dict[str, np.ndarray]:
    """``out[c][o, j] = sum over destinations d of category c of kernel(dist(o, d))[j]``
    (pairs within ``limit_m``), for every category in one pass over the distance blocks.

    Each category's destinations enter with weight 1 in its own column (0 in the others), so
    counts are those of one :func:`geoplan.routing.count_within` per category; ``NaN`` rows
    for unattached origins (``o_nodes < 0``). With ``block`` (a :func:`~.pairs.pair_block`
    of the same nodes, with a limit of at least ``limit_m``) the sums are read off it.

    >>> from geoplan.routing import build_routing_graph, example_network
    >>> g = build_routing_graph(example_network())
    >>> out = category_sums(g, np.array([0, 3]), np.array([1, 2, 2]), np.array(["a", "b", "a"]),
    ...                     ["a", "b"], 250.0, lambda d: [d <= 250.0], 1)
    >>> out["a"][:, 0].tolist(), out["b"][:, 0].tolist()
    ([2.0, 2.0], [1.0, 1.0])
    """
    if block is not None:
        onehot = np.stack([cats == c for c in categories], axis=1).astype(float)
        sums = block_sums(block, o_nodes, d_nodes, onehot, kernel, n_out)
        return {c: sums[:, :, i] for i, c in enumerate(categories)}
    ok = d_nodes >= 0
    nodes, inv = np.unique(d_nodes[ok], return_inverse=True)
    d_w = np.stack([np.bincount(inv, weights=(cats[ok] == c).astype(float), minlength=len(nodes))
                    for c in categories], axis=1)
    o_uniq, o_inv = np.unique(np.maximum(o_nodes, 0), return_inverse=True)
    per = np.zeros((len(o_uniq), n_out, len(categories)))
    from_origins = graph.symmetric and len(o_uniq) <= len(nodes)
    src, tgt = (o_uniq, nodes) if from_origins else (nodes, o_uniq)
    for s_idx, t_idx, block in _distance_blocks(graph, src, tgt, limit_m,
                                                max(2.0 * limit_m, 400.0), progress):
        for j, k in enumerate(_kernel_blocks(kernel, block, len(t_idx))):
            if from_origins:
                per[s_idx, j] += k @ d_w[t_idx]
            else:
                per[t_idx, j] += (d_w[s_idx].T @ k).T
        block = k = None  # freed before the next block is made (routing._distance_blocks)
    out = per[o_inv]
    out[o_nodes < 0] = np.nan
    return {c: out[:, :, i] for i, c in enumerate(categories)}


def _counts_and_gravity(graph, o_nodes, d_nodes, cats, spec: AccessSpec, progress,
                        selected: bool = False, block: PairBlock | None = None
                        ) -> tuple[dict[str, np.ndarray], PairBlock | None]:
    """Per category: counts within ``spec.radii_m`` and gravity as the last column, in one
    pass (:func:`category_sums`: one Dijkstra per source block for every category, radius and
    the gravity, up to the larger of ``max(radii_m)`` and ``gravity_cutoff_m``); for a few
    ``selected`` origins from one :func:`~.pairs.pair_block` (returned, else ``None``), or
    read off ``block`` when given (a pair block of them, e.g. a scenario's
    :func:`~.pairs.merged_block`)."""
    radii = np.asarray(spec.radii_m, dtype=np.float64)
    beta = gravity_beta(spec.gravity_half_distance_m)
    cutoff = float(spec.gravity_cutoff_m)
    limit = max(float(radii.max()), cutoff)
    if block is None and selected:
        block = pair_block(graph, o_nodes, d_nodes, limit, nearest=True)

    kernel = DistanceKernel(tuple(radii.tolist()), beta, cutoff)
    return category_sums(graph, o_nodes, d_nodes, cats, spec.categories, limit, kernel,
                         len(radii) + 1, progress, block), block


def selected_rows(origins: gpd.GeoSeries, selection=None) -> np.ndarray:
    """Positions in ``origins`` of the cells to compute: all (``selection`` None), or those
    of a boolean mask aligned with ``origins``, or of a list of ``cell_id``.

    >>> o = gpd.GeoSeries.from_xy([0.0, 1.0, 2.0], [0.0, 0.0, 0.0], index=["a", "b", "c"])
    >>> selected_rows(o).tolist(), selected_rows(o, [False, True, True]).tolist()
    ([0, 1, 2], [1, 2])
    >>> selected_rows(o, ["c"]).tolist()
    [2]
    """
    if selection is None:
        return np.arange(len(origins))
    sel = np.asarray(selection)
    if sel.dtype == bool:
        if len(sel) != len(origins):
            raise GeoplanError(f"the selection has {len(sel)} flags for {len(origins)} origins: "
                               "give one flag per origin (or a list of cell ids)")
        return np.flatnonzero(sel)
    pos = origins.index.get_indexer(sel)
    if (pos < 0).any():
        raise GeoplanError(f"selected cell id {sel[pos < 0][0]!r} is not an origin's cell id")
    return pos


def check_origins(origins) -> None:
    """Raise :class:`~geoplan.errors.GeoplanError` unless ``origins`` is a GeoSeries with one
    point per ``cell_id``."""
    if not isinstance(origins, gpd.GeoSeries):
        raise GeoplanError("origins must be a GeoSeries of points indexed by cell_id")
    if origins.index.has_duplicates:
        raise GeoplanError("origins have duplicate cell ids: one origin per cell")


def access_indicators(
    network: WalkNetwork,
    origins: gpd.GeoSeries,
    destinations: gpd.GeoDataFrame,
    spec: AccessSpec | None = None,
    *,
    edge_mask=None,
    origin_att: Attachment | None = None,
    dest_att: Attachment | None = None,
    prefix: str = "",
    selection=None,
    progress: Progress | None = None,
    graph: RoutingGraph | None = None,
    limit_m: dict | None = None,
) -> pd.DataFrame:
    """Distance, counts within radii and gravity per cell and destination category.

    Parameters
    ----------
    network
        The walk network.
    origins
        One point per cell, indexed by ``cell_id``.
    destinations
        Points with a ``category`` column.
    spec
        Categories, radii, gravity decay, snapping distance.
    edge_mask
        Compute on these edges only (night access: :mod:`geoplan.indicators.night`).
    origin_att, dest_att
        Attachments made earlier (to reuse them); made here when not given.
    prefix
        Prepended to every column name (e.g. ``'night_'``).
    selection
        The cells to compute (:func:`selected_rows`; default all): a scenario's recompute
        passes the cells whose results can change. Routes still use every destination.
    progress
        Progress sink; may cancel.
    graph
        ``build_routing_graph(network, [origin_att, dest_att], edge_mask=edge_mask)`` made
        earlier, to reuse it (a scenario reuses its baseline's); built here when not given.
    limit_m
        Per category, a distance no selected origin's nearest destination lies beyond (a
        scenario passes the largest baseline distance of its selected cells: adding paths
        only shortens routes); the nearest-destination searches stop there. Default: none.

    Returns
    -------
    DataFrame
        Indexed like ``origins`` (the selected cells); columns :func:`access_columns`.
    """
    spec = spec or AccessSpec()
    check_origins(origins)
    if origin_att is None:
        origin_att = attach_points(network, origins, max_snap_m=spec.max_snap_m)
    if dest_att is None:
        dest_att = attach_destinations(network, destinations, spec)[1]
    report(progress, 0.0, "routing graph")
    if graph is None:
        graph = build_routing_graph(network, [origin_att, dest_att], edge_mask=edge_mask)
    rows = selected_rows(origins, selection)
    o_nodes, d_nodes = graph.point_nodes[0][rows], graph.point_nodes[1]
    cats = destinations["category"].to_numpy()
    out = {} if prefix else {"access_leg_m": origin_att.snap_m[rows]}
    n_cat = max(len(spec.categories), 1)
    # one pass of Dijkstra for every category's counts and gravity (a few selected cells: one
    # block of distances, pairs.py, that also holds their nearest destinations)
    both, block = _counts_and_gravity(graph, o_nodes, d_nodes, cats, spec,
                                      scaled(progress, 0, 0.8), selection is not None)
    for i, c in enumerate(spec.categories):
        report(progress, 0.8 + 0.2 * i / n_cat, f"access to {c}")
        d = d_nodes[(cats == c) & (d_nodes >= 0)]
        out[f"{prefix}dist_{c}_m"] = block_nearest_m(graph, block, o_nodes, d,
                                                     (limit_m or {}).get(c, np.inf))
        counts, grav = both[c][:, :-1], both[c][:, -1]
        for j, r in enumerate(spec.radii_m):
            out[f"{prefix}n_{c}_{radius_label(r)}"] = counts[:, j]
        out[f"{prefix}gravity_{c}"] = grav
    report(progress, 1.0, "access done")
    return pd.DataFrame(out, index=origins.index[rows])[access_columns(spec, prefix)]
