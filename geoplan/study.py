"""The one flow from a study to layers: origins -> accessibility -> night access -> green space ->
safety -> (safety-walk findings) -> area summaries, joined on ``cell_id``.

A :class:`Study` is everything a computation needs (inputs and settings); every interface (API,
CLI, pipelines, scenarios, QGIS) computes it with :func:`compute_layers`, which holds no I/O.
A scenario's incremental recompute assembles its layers with the same
:func:`layers_from_grid` (and :func:`with_findings`), so both give the same columns, findings and
meta.

Example
-------
>>> from geoplan.datasets import demo_extract
>>> from geoplan.sources.osm import read_osm
>>> from geoplan.network import build_walk_network
>>> from geoplan.grid import GridSpec, make_grid
>>> from geoplan.population import population_from_buildings
>>> data = read_osm(demo_extract())
>>> net = build_walk_network(data)
>>> cells = population_from_buildings(make_grid(data.area, data.crs, GridSpec(250)),
...                                   data.buildings, study_area=data.area)
>>> layers = compute_layers(Study(data, net, cells))
>>> {"dist_grocery_m", "night_dist_grocery_m", "green_scb_300m", "safety_index"} <= set(layers.grid.columns)
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import GeoplanError
from .indicators.access import access_indicators, attach_destinations
from .indicators.equity import area_summary
from .indicators.green import (
    entries_attachment,
    green_entries,
    green_graph,
    green_indicators,
    green_spaces,
    unique_entries,
)
from .indicators.night import night_graph, night_indicators
from .indicators.safety import safety_indicators
from .origins import cell_origins
from .progress import Progress, report, scaled
from .routing import (
    Attachment,
    RoutingGraph,
    attach_points,
    build_routing_graph,
    carry_attachment,
    main_component_mask,
)
from .types import AccessSpec, LightingRule, OsmData, SafetyWeights, WalkNetwork

__all__ = [
    "LayerParts",
    "Layers",
    "PinnedAttachment",
    "Study",
    "compute_layers",
    "compute_layers_with_parts",
    "example_study",
    "grid_columns",
    "layer_parts",
    "layers_from_grid",
    "layers_from_parts",
    "pin_attachment",
    "study_attachments",
    "with_findings",
]

ATTRIBUTION = "© OpenStreetMap contributors"


@dataclass(frozen=True, eq=False)
class PinnedAttachment:
    """The baseline's attachment of the origins and destinations, carried to an edited network.

    A scenario's edits only add edges (and light them): every origin and every baseline
    destination keeps the place where it met the network, so no distance grows because a home
    or a school moved to a new path. Destinations a scenario adds (rows after the first
    ``len(destinations.edge)``) attach as usual.
    """

    origins: Attachment
    destinations: Attachment
    #: The baseline's green-space entries (:func:`geoplan.indicators.green.green_entries`)
    #: carried to the edited network: a new path adds entries (where it crosses a park), it
    #: never takes one away (an outline entry of a park it now touches stays).
    green: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class Study:
    """Everything a computation needs: the inputs and the settings, in the study's metric CRS.

    Attributes
    ----------
    data
        The OSM inputs (buildings, destinations, green, lamps, study area).
    network
        The walk network (:func:`geoplan.network.build_walk_network`).
    cells
        Grid cells with ``pop`` (:mod:`geoplan.population`), indexed by ``cell_id``.
    lamps
        Street lamps used (OSM merged with a register); ``None`` means ``data.lamps``.
    spec, weights, lighting
        Accessibility knobs, safety-index weights and the lighting rule (scenarios light edges
        with it).
    areas, area_key, area_name
        Optional polygons to summarise by (e.g. DeSO areas), their key and display-name columns.
    findings, findings_weight
        Safety-walk findings (:func:`geoplan.sources.findings.read_findings`): open findings and
        their severity per cell and per area; with ``findings_weight`` > 0 they also enter the
        safety index as the component ``safety_no_open_findings``.
    count_columns
        Count columns of ``cells`` (besides ``pop``) that grow with ``pop`` when a scenario
        densifies a block; every other column is left as it is (rates stay rates).
    eyes_scale
        The eyes-on-street value that scores 1 in the safety index
        (:func:`geoplan.indicators.safety.eyes_scale`); ``None``: taken on this study. A
        scenario keeps its baseline's (:func:`geoplan.scenario.prepare_baseline`).
    attachment
        Where origins and the first destinations meet the network, fixed at a baseline
        (:class:`PinnedAttachment`; a scenario sets it); ``None``: attach them here.
    """

    data: OsmData
    network: WalkNetwork
    cells: gpd.GeoDataFrame
    lamps: gpd.GeoDataFrame | None = None
    spec: AccessSpec = field(default_factory=AccessSpec)
    weights: SafetyWeights = field(default_factory=SafetyWeights)
    lighting: LightingRule = field(default_factory=LightingRule)
    areas: gpd.GeoDataFrame | None = None
    area_key: str | None = None
    area_name: str | None = None
    findings: gpd.GeoDataFrame | None = None
    findings_weight: float = 0.0
    count_columns: tuple[str, ...] = ()
    eyes_scale: float | None = None
    attachment: PinnedAttachment | None = None

    def __post_init__(self) -> None:
        if self.lamps is None:
            object.__setattr__(self, "lamps", self.data.lamps)


@dataclass(frozen=True)
class Layers:
    """Everything a run produces, in the run's metric CRS.

    ``grid`` is indexed by ``cell_id`` and holds ``pop`` and every indicator column;
    ``network`` the walk-network edges; ``destinations`` with ``attached``/``snap_m``; ``green``
    the green-space polygons; ``areas`` the area summaries (None without an area layer);
    ``origins`` the point each cell's residents start from.
    """

    grid: gpd.GeoDataFrame
    network: gpd.GeoDataFrame
    destinations: gpd.GeoDataFrame
    green: gpd.GeoDataFrame
    origins: gpd.GeoSeries
    areas: gpd.GeoDataFrame | None = None
    findings: gpd.GeoDataFrame | None = None
    meta: Mapping = field(default_factory=lambda: MappingProxyType({}))


def compute_layers(study: Study, *, progress: Progress | None = None) -> Layers:
    """Compute every grid layer and the area summaries of ``study``.

    Parameters
    ----------
    study
        The inputs and settings (:class:`Study`).
    progress
        Progress sink; may cancel.

    Returns
    -------
    Layers
        The grid with every indicator, the network, destinations, green spaces, origins, the
        area summaries (when ``study.areas`` is given) and the findings.

    Examples
    --------
    >>> layers = compute_layers(example_study())
    >>> layers.grid["dist_school_m"].round(1).tolist()
    [170.0, 200.0]
    """
    return compute_layers_with_parts(study, progress=progress)[0]


@dataclass(frozen=True, eq=False)
class LayerParts:
    """What :func:`compute_layers_with_parts` made on the way to the layers, for the steps of a
    run that need the same again (the saved scenario baseline, the night bounds): the origins'
    and destinations' attachments (:func:`study_attachments`), the green spaces and their
    entries (:func:`study_green`) and the day, night and green routing graphs. Made by
    :func:`layer_parts`, the one sequence of these steps."""

    origin_att: Attachment
    dest_att: Attachment
    spaces: gpd.GeoDataFrame
    entries: gpd.GeoDataFrame
    day_graph: RoutingGraph
    night_graph: RoutingGraph
    green_graph: tuple
    #: the destinations with ``snap_m``/``attached`` (:func:`study_attachments`)
    destinations: gpd.GeoDataFrame | None = None


def layer_parts(study: Study, origins: gpd.GeoSeries) -> LayerParts:
    """The attachments, green entries and routing graphs the indicators of ``study`` are
    computed on, for the cells' ``origins``: :func:`study_attachments`, the day graph
    (:func:`~geoplan.routing.build_routing_graph` of the origins and destinations), the night
    graph (:func:`~geoplan.indicators.night.night_graph`), :func:`study_green` and the green
    graph (:func:`~geoplan.indicators.green.green_graph`). :func:`compute_layers` and a
    scenario baseline (:func:`geoplan.scenario.recompute.prepare_baseline`) both make them here.

    >>> s = example_study()
    >>> parts = layer_parts(s, cell_origins(s.cells, s.data.buildings))
    >>> parts.origin_att.edge.tolist(), parts.destinations["attached"].tolist()
    ([0, 2], [True])
    """
    network, spec = study.network, study.spec
    dest, o_att, d_att = study_attachments(study, origins)
    g_day = build_routing_graph(network, [o_att, d_att])
    g_night = night_graph(network, spec, o_att, d_att)
    spaces, entries = study_green(study)
    g_green = green_graph(network, o_att, spaces, entries)
    return LayerParts(o_att, d_att, spaces, entries, g_day, g_night, g_green, dest)


def compute_layers_with_parts(study: Study, *, progress: Progress | None = None
                              ) -> tuple[Layers, LayerParts]:
    """:func:`compute_layers`, and the :class:`LayerParts` it made (to reuse them).

    >>> layers, parts = compute_layers_with_parts(example_study())
    >>> layers.grid["dist_school_m"].round(1).tolist(), parts.origin_att.edge.tolist()
    ([170.0, 200.0], [0, 2])
    """
    data, network, cells, spec = study.data, study.network, study.cells, study.spec
    report(progress, 0.0, "origins")
    origins = cell_origins(cells, data.buildings, study_area=data.area)
    parts = layer_parts(study, origins)
    o_att, d_att = parts.origin_att, parts.dest_att
    report(progress, 0.02, "day access")
    day = access_indicators(network, origins, data.destinations, spec, origin_att=o_att,
                            dest_att=d_att, graph=parts.day_graph,
                            progress=scaled(progress, 0.02, 0.45))
    night = night_indicators(network, origins, data.destinations, spec, day=day,
                             origin_att=o_att, dest_att=d_att, graph=parts.night_graph,
                             progress=scaled(progress, 0.45, 0.6))
    green = green_indicators(network, origins, data.green, cells["pop"], spec, origin_att=o_att,
                             spaces=parts.spaces, entries=parts.entries, graph=parts.green_graph,
                             progress=scaled(progress, 0.6, 0.8))
    safety = safety_indicators(network, cells, data, study.weights, lamps=study.lamps,
                               eyes_scale_value=study.eyes_scale,
                               progress=scaled(progress, 0.8, 0.95))
    layers = layers_from_parts(study, origins=origins, origins_unattached=o_att.n_unattached,
                               destinations=parts.destinations,
                               parts=(day, night, green, safety))
    report(progress, 1.0, "layers done")
    return layers, parts


def study_attachments(study: Study, origins: gpd.GeoSeries
                      ) -> tuple[gpd.GeoDataFrame, Attachment, Attachment]:
    """``(destinations with snap_m/attached, origins' attachment, destinations' attachment)``.

    Points attach to the network's main parts (``AccessSpec.min_component_m``), or keep the
    places of ``study.attachment`` when a scenario fixed them at its baseline.

    >>> s = example_study()
    >>> dest, o_att, d_att = study_attachments(s, cell_origins(s.cells, s.data.buildings))
    >>> o_att.snap_m.round(1).tolist(), dest["snap_m"].tolist()
    ([15.0, 35.0], [0.0])
    """
    spec, network, dests = study.spec, study.network, study.data.destinations
    main = main_component_mask(network, spec.min_component_m)
    pinned = study.attachment
    if pinned is None:
        o_att = attach_points(network, origins, max_snap_m=spec.max_snap_m, edge_mask=main)
        dest, d_att = attach_destinations(network, dests, spec, edge_mask=main)
        return dest, o_att, d_att
    n_old = len(pinned.destinations.edge)
    if len(pinned.origins.edge) != len(origins) or n_old > len(dests):
        raise GeoplanError("the study's pinned attachment does not match its origins and "
                           "destinations: apply the scenario to the baseline study again")
    new = attach_destinations(network, dests.iloc[n_old:], spec, edge_mask=main)[1]
    door = new.doorstep.copy()
    door[:, 0] = -1  # edges of the edited network: no doorstep shared with a pinned origin
    new = dataclasses.replace(new, doorstep=door)
    old = pinned.destinations

    def both(name: str) -> np.ndarray:
        a, b = getattr(old, name), getattr(new, name)
        a = np.full((len(old.edge),) + b.shape[1:], np.nan) if a is None else a
        return np.concatenate([a, b])

    d_att = Attachment(*(both(k) for k in ("edge", "offset_m", "snap_m", "on_edge_xy")),
                       dests.index, new.max_snap_m, both("point_xy"), both("doorstep"))
    dest = dests.assign(snap_m=d_att.snap_m, attached=d_att.attached)
    return dest, pinned.origins, d_att


def study_green(study: Study) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(green spaces, their entries)`` of ``study``: the entries found on its network, plus
    the baseline's (``study.attachment.green``) when a scenario fixed them.

    >>> spaces, entries = study_green(example_study())
    >>> len(spaces), entries["entry"].unique().tolist()  # a park no path touches: its outline
    (1, ['boundary'])
    """
    green, network, spec = study.data.green, study.network, study.spec
    spaces = green_spaces(green.to_crs(network.crs) if green.crs != network.crs else green)
    entries = green_entries(network, spaces, max_snap_m=spec.max_snap_m,
                            min_component_m=spec.min_component_m)
    pinned = None if study.attachment is None else study.attachment.green
    if pinned is None or not len(pinned):
        return spaces, entries
    keep = pinned[pinned["green_id"].isin(spaces.index)]
    return spaces, unique_entries(pd.concat([keep, entries], ignore_index=True), network.crs)


def _carry_entries(entries: gpd.GeoDataFrame, network: WalkNetwork, edge_parent
                   ) -> gpd.GeoDataFrame:
    """Green entries made on a baseline network, carried to ``network`` (the baseline edited):
    each keeps its place (its point, :func:`~geoplan.routing.carry_attachment`), only its
    ``edge`` and ``offset_m`` move. The entries' attachment is made once per baseline frame
    (:func:`geoplan._memo.once_per`): a scenario session carries the same entries each time."""
    from ._memo import once_per

    att = carry_attachment(once_per(entries, "entries_attachment",
                                    lambda: entries_attachment(entries)), network, edge_parent)
    out = entries.assign(edge=att.edge, offset_m=att.offset_m)
    if entries.geometry.name != "geometry" or list(out.columns)[-1] != "geometry":
        out = gpd.GeoDataFrame(out.drop(columns=out.geometry.name), geometry=shapely.points(
            att.on_edge_xy), crs=network.crs)  # as before: the points last, named geometry
    return out


def pin_attachment(study: Study, network: WalkNetwork, edge_parent) -> PinnedAttachment:
    """``study``'s attachment (fixed earlier, or made now) carried to ``network``, ``study``'s
    network edited (:func:`geoplan.routing.carry_attachment`): origins, destinations and the
    green spaces' entries."""
    pinned = study.attachment
    if pinned is not None and pinned.green is not None and network is study.network:
        return pinned  # nothing to carry: the network is the baseline's
    if pinned is None or pinned.green is None:
        origins = cell_origins(study.cells, study.data.buildings, study_area=study.data.area)
        _, o_att, d_att = study_attachments(study, origins)
        pinned = PinnedAttachment(o_att, d_att, study_green(study)[1])
    return PinnedAttachment(carry_attachment(pinned.origins, network, edge_parent),
                            carry_attachment(pinned.destinations, network, edge_parent),
                            _carry_entries(pinned.green, network, edge_parent))


def layers_from_parts(study: Study, *, origins: gpd.GeoSeries, origins_unattached: int,
                      destinations: gpd.GeoDataFrame, parts: tuple,
                      study_geometry=None) -> Layers:
    """The :class:`Layers` of ``study`` from its computed indicator frames.

    The last step of :func:`compute_layers`: the findings step (:func:`with_findings`) on the
    safety frame, the grid (cells joined with every part), then :func:`layers_from_grid`.

    Parameters
    ----------
    study
        The study the parts were computed for.
    origins, origins_unattached
        Each cell's origin point; how many of them reach no path.
    destinations
        The destinations with ``attached``/``snap_m``.
    parts
        ``(day, night, green, safety)`` indicator frames indexed by ``cell_id``; ``safety``
        without the findings columns (they are added here); ``green.attrs`` may hold
        ``n_green_spaces_without_entry``.
    study_geometry
        As for :func:`layers_from_grid`.

    Examples
    --------
    See :func:`compute_layers`.
    """
    day, night, green, safety = parts
    grid = study.cells.join(day).join(night).join(green).join(with_findings(study, safety))
    return layers_from_grid(study, grid, origins=origins, origins_unattached=origins_unattached,
                            destinations=destinations, green_spaces_without_entry=int(
                                green.attrs.get("n_green_spaces_without_entry", 0)),
                            study_geometry=study_geometry)


def with_findings(study: Study, safety: pd.DataFrame) -> pd.DataFrame:
    """The findings step of the safety columns (:func:`geoplan.indicators.findings.
    findings_safety`; ``safety`` as it is without findings), shared by :func:`compute_layers`
    and a scenario's incremental recompute.

    >>> s = example_study()
    >>> with_findings(s, pd.DataFrame(index=s.cells.index)).shape  # no findings: as it is
    (2, 0)
    """
    if study.findings is None:
        return safety
    from .indicators.findings import findings_safety

    return findings_safety(safety, study.cells, study.findings, weight=study.findings_weight,
                           weights=study.weights)


def layers_from_grid(study: Study, grid: gpd.GeoDataFrame, *, origins: gpd.GeoSeries,
                     origins_unattached: int, destinations: gpd.GeoDataFrame,
                     green_spaces_without_entry: int = 0, study_geometry=None) -> Layers:
    """The :class:`Layers` of ``study`` from its whole grid (the cells and every indicator
    column, the findings step done: :func:`with_findings`): the area summaries and the meta.

    Shared by :func:`layers_from_parts` and a scenario's incremental recompute, which makes
    its grid from its baseline's with the changed rows written in.

    Parameters
    ----------
    study, origins, origins_unattached, destinations
        As for :func:`layers_from_parts`.
    grid
        The grid, indexed by ``cell_id``.
    green_spaces_without_entry
        Green spaces no path reaches (the meta's ``green_spaces_without_entry``).
    study_geometry
        The union of the cells, when known (a scenario's cells are its baseline's): the area
        summaries' last row (:func:`geoplan.indicators.equity.area_summary`).
    """
    findings = study.findings
    summary = None
    if study.areas is not None:
        summary = area_summary(grid, study.areas, key=study.area_key, name=study.area_name,
                               study_geometry=study_geometry)
        if findings is not None:
            from .indicators.findings import findings_area_summary

            summary = findings_area_summary(summary, findings)
    meta = {
        "crs": study.data.crs.to_string(),
        "cells": len(grid),
        "pop_total": float(grid["pop"].sum()),
        "pop_source": str(grid["pop_source"].iloc[0]) if "pop_source" in grid and len(grid) else "",
        "origins_unattached": int(origins_unattached),
        **_leg_summary(grid),
        "destinations_unattached": int((~destinations["attached"]).sum()),
        "green_spaces_without_entry": int(green_spaces_without_entry),
        "attribution": ATTRIBUTION,
    }
    if findings is not None:
        meta["findings"] = int(len(findings))
        meta["findings_open"] = int((findings["status"] == "open").sum())
    return Layers(grid=grid, network=study.network.edges, destinations=destinations,
                  green=study.data.green, origins=origins, areas=summary, findings=findings,
                  meta=MappingProxyType(meta))


def _leg_summary(grid: pd.DataFrame) -> dict:
    """Median and largest access leg of the attached origins (metres; data quality)."""
    leg = grid["access_leg_m"].to_numpy(float) if "access_leg_m" in grid else np.empty(0)
    leg = leg[np.isfinite(leg)]
    if not len(leg):
        return {}
    return {"access_leg_median_m": round(float(np.median(leg)), 1),
            "access_leg_max_m": round(float(leg.max()), 1)}


def grid_columns(grid: pd.DataFrame) -> list[str]:
    """Numeric and yes/no indicator columns of the grid (what goes into grid.tif).

    >>> grid_columns(compute_layers(example_study()).grid)[:3]
    ['area_m2', 'area_share', 'pop']
    """
    skip = {"easting_m", "northing_m"}
    return [c for c in grid.columns if c not in skip and c != "geometry"
            and (pd.api.types.is_numeric_dtype(grid[c]) or grid[c].dtype == bool)]


def example_study() -> Study:
    """A tiny study on :func:`geoplan.routing.example_network` (EPSG:3006) for examples/tests.

    Two 100 m cells (10 and 20 residents, homes at (45, 15) and (135, 65)), a school at node 2
    (reached only over the dark edge 1–2), a 0.64 ha park north of that edge::

        3 (100,100)
        |  unknown       [park 105..185 × 5..85]
        0 ---- lit ---- 1 ---- dark ---- 2 (school)

    Examples
    --------
    >>> example_study().cells["pop"].tolist()
    [10.0, 20.0]
    """
    from .grid import GridSpec, make_grid
    from .routing import example_network

    net = example_network()
    e = net.edges.assign(lit_source=["tag", "tag", "none"], lamp_share=0.0, tunnel=False,
                         bridge=False, highway="footway", name="", surface="", lit_tag="",
                         osmid=["1", "2", "3"])
    net = WalkNetwork(net.nodes, e, net.crs)
    area = shapely.box(0, 0, 200, 100)
    crs = net.crs
    empty_pts = gpd.GeoDataFrame({"lamp_id": pd.Series([], dtype=object),
                                  "source": pd.Series([], dtype=object)},
                                 geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    dest = gpd.GeoDataFrame({"osm_id": [1], "osm_type": ["n"], "category": ["school"],
                             "name": ["S"], "footprint_m2": [0.0]},
                            geometry=gpd.points_from_xy([200.0], [0.0]), crs=crs)
    green = gpd.GeoDataFrame({"osm_id": [2], "osm_type": ["w"], "kind": ["park"], "name": [""],
                              "area_ha": [0.6], "public": [True]},
                             geometry=[shapely.box(105, 5, 185, 85)], crs=crs)
    buildings = gpd.GeoDataFrame(
        {"osm_id": [3, 4], "building": ["apartments"] * 2, "use": ["residential"] * 2,
         "levels": [3.0, 3.0], "levels_source": ["tag"] * 2, "height_m": [np.nan] * 2,
         "footprint_m2": [100.0, 100.0], "floor_area_m2": [300.0, 600.0]},
        geometry=[shapely.box(40, 10, 50, 20), shapely.box(130, 60, 140, 70)], crs=crs)
    data = OsmData(crs=crs, area=area, ways=None, lamps=empty_pts, green=green,
                   destinations=dest, buildings=buildings, source="example")
    cells = make_grid(area, crs, GridSpec(100))
    cells = cells.assign(pop=[10.0, 20.0], pop_source="example")
    spec = AccessSpec(categories=("school",), radii_m=(400.0,), min_component_m=0.0)
    return Study(data, net, cells, empty_pts, spec=spec)
