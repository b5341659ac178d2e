"""Night access: the accessibility measures on lit paths only, the night detour ratio, and the
cells that lose access after dark. No peer tool reports this; it is what a resident who avoids
dark paths actually has.

The night network keeps edges with ``lit == 'yes'`` (``AccessSpec.night_unknown_as = 'lit'``
keeps ``unknown`` too — say so when reporting). Two rules make it honest and comparable:

* A cell's origin may walk the path it stands on (its "doorstep" edge) to that path's ends even
  when it is dark, and reaches a destination on that path along it — the origin is a statistical point, and a cell should not lose every
  destination because its centre fell on a dark courtyard path. The doorstep arcs lead only *into*
  the origin (:func:`geoplan.routing.add_inbound_arcs`), so no one else's route can use them.
* Destinations are strict: a school reachable only along a dark path is not reachable at night.

Every night route is also a day route, so night distance ≥ day distance everywhere (tested).

Columns per category ``c``: ``night_dist_<c>_m``; ``night_n_<c>_<threshold>m`` (count within
``AccessSpec.night_threshold_m``); ``night_detour_<c>`` = night ÷ day distance (1 = no detour,
``inf`` = reachable by day only, NaN = not reachable by day; both are NULL in the written
layers); ``loses_<c>_at_night`` (reachable within the threshold by day, not by night);
``day_only_<c>`` (reachable by day, by no lit route at all: tells the two NULLs of
``night_detour_<c>`` apart).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..progress import Progress, report, scaled
from ..routing import (
    LIT_CODES,
    Attachment,
    DistanceKernel,
    RoutingGraph,
    add_inbound_arcs,
    attach_points,
    build_routing_graph,
    doorstep_of,
    lit_mask,
    nearest_distance_m,
    pairs_on_same_key,
)
from ..types import AccessSpec, WalkNetwork
from .access import attach_destinations, category_sums, radius_label, selected_rows
from .pairs import block_nearest_m, pair_block

__all__ = ["night_columns", "night_detour", "night_graph", "night_indicators", "night_losses"]


def night_graph(
    network: WalkNetwork, spec: AccessSpec, origin_att: Attachment, dest_att: Attachment
) -> RoutingGraph:
    """The lit-only routing graph with one-way doorstep arcs into origins on unlit edges.

    An origin may walk its doorstep edge even when it is dark: arcs lead from the edge's ends and
    from every destination attached to the same edge into the origin (so a shop on the
    resident's own dark path is reachable at night); nothing can pass through the origin by
    them. The doorstep is the edge the origin attached to at the baseline
    (:attr:`geoplan.routing.Attachment.doorstep`), whole even where a scenario split it.

    >>> import geopandas as gpd
    >>> from geoplan.routing import example_network, nearest_distance_m
    >>> net = example_network()       # edge 1 (100,0)-(200,0) is dark
    >>> att = lambda x: attach_points(net, gpd.GeoSeries.from_xy([x], [0.0], crs=net.crs))
    >>> g = night_graph(net, AccessSpec(), att(130.0), att(170.0))
    >>> nearest_distance_m(g, g.point_nodes[0], g.point_nodes[1]).tolist()
    [40.0]
    """
    mask = lit_mask(network, unknown_as_lit=spec.night_unknown_as == "lit")
    g = build_routing_graph(network, [origin_att, dest_att], edge_mask=mask)
    o_edge_node, d_edge_node = g.edge_nodes
    o_node = g.point_nodes[0]
    # the origin's own node on its edge, or (at an edge end) its own leg node
    on_edge = o_edge_node >= g.n_network_nodes
    who = np.flatnonzero((origin_att.edge >= 0) & (on_edge | (o_node != o_edge_node)))
    if not len(who):
        return g
    # every origin may walk its doorstep (the edge it attached to at the baseline, whole even if
    # a scenario split it): on a lit edge these arcs only repeat lit paths of the same length
    door, d_door = doorstep_of(origin_att, network)[who], doorstep_of(dest_att, network)
    heads = np.where(on_edge[who], o_edge_node[who], o_node[who])
    extra = np.where(on_edge[who], 0.0, np.nan_to_num(origin_att.snap_m[who]))
    t = door[:, 3]
    oi, di = pairs_on_same_key(np.nan_to_num(door[:, 0], nan=-1),
                               np.nan_to_num(d_door[:, 0], nan=-1))
    tails = np.concatenate([door[:, 1], door[:, 2], d_edge_node[di]]).astype(np.int64)
    lengths = np.concatenate([t, door[:, 4] - t, np.abs(t[oi] - d_door[di, 3])])
    k = np.concatenate([np.arange(len(who)), np.arange(len(who)), oi])
    codes = np.array([LIT_CODES.get(x, LIT_CODES["unknown"])
                      for x in network.edges["lit"].to_numpy()], np.int8)
    code = codes[origin_att.edge[who]][k]
    ok = (tails != heads[k]) & (tails >= 0)
    return add_inbound_arcs(g, heads[k][ok], tails[ok], (lengths + extra[k])[ok], code[ok])


def night_columns(spec: AccessSpec) -> list[str]:
    r = radius_label(spec.night_threshold_m)
    cols = []
    for c in spec.categories:
        cols += [f"night_dist_{c}_m", f"night_n_{c}_{r}", f"night_detour_{c}",
                 f"loses_{c}_at_night", f"day_only_{c}"]
    return cols


def night_detour(day_m, night_m, threshold_m: float) -> tuple[np.ndarray, np.ndarray]:
    """``night_detour_<c>`` and ``loses_<c>_at_night`` from day and night distances (metres).

    >>> r, lost = night_detour(np.array([100.0, 0.0, 300.0]), np.array([150.0, 0.0, np.inf]), 800)
    >>> r.tolist(), lost.tolist()
    ([1.5, 1.0, inf], [False, False, True])
    """
    day_d, night = np.asarray(day_m, dtype=float), np.asarray(night_m, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(day_d), night / np.where(day_d > 0, day_d, np.nan), np.nan)
    ratio = np.where(np.isfinite(day_d) & (day_d == 0), np.where(night == 0, 1.0, np.inf), ratio)
    return ratio, (day_d <= threshold_m) & ~(night <= threshold_m)


def night_derived(category: str, day_m, night_m, threshold_m: float) -> dict:
    """The columns derived from a category's day and night distances (metres):
    ``night_detour_<c>`` and ``loses_<c>_at_night`` (:func:`night_detour`) and ``day_only_<c>``
    (reachable by day, by no lit route at all).

    >>> d = night_derived("school", np.array([100.0, 200.0]), np.array([150.0, np.inf]), 800)
    >>> {k: v.tolist() for k, v in d.items()}
    {'night_detour_school': [1.5, inf], 'loses_school_at_night': [False, True], \
'day_only_school': [False, True]}
    """
    day_d, night = np.asarray(day_m, dtype=float), np.asarray(night_m, dtype=float)
    ratio, lost = night_detour(day_d, night, threshold_m)
    return {f"night_detour_{category}": ratio, f"loses_{category}_at_night": lost,
            f"day_only_{category}": np.isfinite(day_d) & ~np.isfinite(night)}


def night_indicators(
    network: WalkNetwork,
    origins: gpd.GeoSeries,
    destinations: gpd.GeoDataFrame,
    spec: AccessSpec | None = None,
    *,
    day: pd.DataFrame | None = None,
    origin_att: Attachment | None = None,
    dest_att: Attachment | None = None,
    selection=None,
    progress: Progress | None = None,
    graph: RoutingGraph | None = None,
    limit_m: dict | None = None,
) -> pd.DataFrame:
    """Night-access columns per cell (see the module docstring).

    Parameters
    ----------
    network, origins, destinations, spec
        As for :func:`geoplan.indicators.access.access_indicators`.
    day
        The day results (columns ``dist_<c>_m``); computed here when not given.
    origin_att, dest_att
        Attachments to reuse (the same as by day, so both measure from the same points).
    selection
        The cells to compute (:func:`geoplan.indicators.access.selected_rows`; default all);
        ``day`` is indexed like ``origins`` or like the selection.
    progress
        Progress sink; may cancel.
    graph
        ``night_graph(network, spec, origin_att, dest_att)`` made earlier, to reuse it.
    limit_m
        Per category, where the nearest-destination searches stop (farther: ``inf``), as in
        :func:`geoplan.indicators.access.access_indicators`. Default: none.
    """
    spec = spec or AccessSpec()
    if origin_att is None:
        origin_att = attach_points(network, origins, max_snap_m=spec.max_snap_m)
    if dest_att is None:
        dest_att = attach_destinations(network, destinations, spec)[1]
    report(progress, 0.0, "night routing graph")
    g_night = night_graph(network, spec, origin_att, dest_att) if graph is None else graph
    g_day = build_routing_graph(network, [origin_att, dest_att]) if day is None else None
    rows = selected_rows(origins, selection)
    index = origins.index[rows]
    o_n, d_n = g_night.point_nodes[0][rows], g_night.point_nodes[1]
    cats = destinations["category"].to_numpy()
    thr = spec.night_threshold_m
    out = {}
    # a few selected cells: one search from them feeds every column (pairs.py)
    block = None if selection is None else pair_block(g_night, o_n, d_n, thr, nearest=True)
    counts = category_sums(g_night, o_n, d_n, cats, spec.categories, thr,
                           DistanceKernel((float(thr),)), 1, scaled(progress, 0.0, 0.8), block)
    k = max(len(spec.categories), 1)
    for i, c in enumerate(spec.categories):
        report(progress, 0.8 + 0.2 * i / k, f"night access to {c}")
        sel = (cats == c) & (d_n >= 0)
        night = block_nearest_m(g_night, block, o_n, d_n[sel], (limit_m or {}).get(c, np.inf))
        if day is None:
            day_d = nearest_distance_m(g_day, g_day.point_nodes[0][rows],
                                       g_day.point_nodes[1][sel])
        else:
            day_d = day[f"dist_{c}_m"].reindex(index).to_numpy(dtype=float)
        out[f"night_dist_{c}_m"] = night
        out[f"night_n_{c}_{radius_label(thr)}"] = counts[c][:, 0]
        out.update(night_derived(c, day_d, night, thr))
    report(progress, 1.0, "night access done")
    return pd.DataFrame(out, index=index)[night_columns(spec)]


def night_losses(
    network: WalkNetwork,
    origins: gpd.GeoSeries,
    destinations: gpd.GeoDataFrame,
    spec: AccessSpec,
    *,
    day: pd.DataFrame,
    origin_att: Attachment,
    dest_att: Attachment,
) -> pd.DataFrame:
    """``loses_<c>_at_night`` alone, as :func:`night_indicators` gives it for the same input,
    searching at night only as far as ``spec.night_threshold_m`` (whether a lit route within
    it exists is all the column asks): a run's other bound of the night figures
    (``night_unknown_as`` flipped) needs no counts or distances.

    Parameters
    ----------
    network, origins, destinations, spec
        As for :func:`night_indicators`.
    day
        The day results (``dist_<c>_m``), indexed like ``origins``.
    origin_att, dest_att
        The attachments the day results were computed with.

    Examples
    --------
    >>> from geoplan.routing import example_network
    >>> net = example_network()   # 0 -lit- 1 -dark- 2, 1 -unknown- 3
    >>> o = gpd.GeoSeries.from_xy([50.0], [0.0], crs=net.crs, index=["c"])
    >>> d = gpd.GeoDataFrame({"category": ["school"]}, geometry=gpd.points_from_xy([150.0], [0.0]),
    ...                      crs=net.crs)
    >>> spec = AccessSpec(categories=("school",), min_component_m=0.0)
    >>> o_att, d_att = attach_points(net, o), attach_destinations(net, d, spec)[1]
    >>> day = pd.DataFrame({"dist_school_m": [100.0]}, index=["c"])
    >>> night_losses(net, o, d, spec, day=day, origin_att=o_att, dest_att=d_att).values.tolist()
    [[True]]
    """
    g = night_graph(network, spec, origin_att, dest_att)
    o_n, d_n = g.point_nodes[0], g.point_nodes[1]
    cats = destinations["category"].to_numpy()
    thr = float(spec.night_threshold_m)
    limit = thr * (1.0 + 1e-9) + 1e-6  # a little past it: every distance <= thr is exact
    out = {}
    for c in spec.categories:
        night = nearest_distance_m(g, o_n, d_n[(cats == c) & (d_n >= 0)], limit_m=limit)
        day_d = day[f"dist_{c}_m"].reindex(origins.index).to_numpy(dtype=float)
        out[f"loses_{c}_at_night"] = night_detour(day_d, night, thr)[1]
    return pd.DataFrame(out, index=origins.index)

