"""The one flow from inputs to layers: origins -> accessibility -> night access -> green space ->
safety -> area summaries, joined on ``cell_id``. Every interface (API, CLI, pipelines, QGIS)
calls :func:`compute_layers`; it holds no I/O.

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
>>> layers = compute_layers(data, net, cells)
>>> {"dist_grocery_m", "night_dist_grocery_m", "green_scb_300m", "safety_index"} <= set(layers.grid.columns)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import geopandas as gpd

from .indicators.access import access_indicators, attach_destinations
from .indicators.equity import area_summary
from .indicators.green import green_indicators
from .indicators.night import night_indicators
from .indicators.safety import safety_indicators
from .origins import cell_origins
from .progress import Progress, report, scaled
from .routing import attach_points, main_component_mask
from .types import AccessSpec, OsmData, SafetyWeights, WalkNetwork

__all__ = ["Layers", "compute_layers"]


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


def compute_layers(
    data: OsmData,
    network: WalkNetwork,
    cells: gpd.GeoDataFrame,
    *,
    spec: AccessSpec | None = None,
    weights: SafetyWeights | None = None,
    lamps: gpd.GeoDataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    area_key: str | None = None,
    area_name: str | None = None,
    findings: gpd.GeoDataFrame | None = None,
    findings_weight: float = 0.0,
    progress: Progress | None = None,
) -> Layers:
    """Compute every grid layer and the area summaries.

    Parameters
    ----------
    data
        The OSM inputs (buildings, destinations, green, lamps, study area).
    network
        The walk network (:func:`geoplan.network.build_walk_network`).
    cells
        Grid cells with ``pop`` (:mod:`geoplan.population`).
    spec, weights
        Accessibility knobs and safety-index weights.
    lamps
        Street lamps used (OSM merged with a register); default ``data.lamps``.
    areas, area_key, area_name
        Optional polygons to summarise by (e.g. DeSO areas or the vulnerable areas), their key
        and display-name columns.
    findings, findings_weight
        Safety-walk findings (:func:`geoplan.sources.findings.read_findings`): open findings and
        their severity per cell and per area; with ``findings_weight`` > 0 they also enter the
        safety index as the component ``safety_no_open_findings``.
    progress
        Progress sink; may cancel.
    """
    spec = spec or AccessSpec()
    weights = weights or SafetyWeights()
    lamps = data.lamps if lamps is None else lamps
    report(progress, 0.0, "origins")
    origins = cell_origins(cells, data.buildings, study_area=data.area)
    main = main_component_mask(network, spec.min_component_m)
    o_att = attach_points(network, origins, max_snap_m=spec.max_snap_m, edge_mask=main)
    dest, d_att = attach_destinations(network, data.destinations, spec, edge_mask=main)
    day = access_indicators(network, origins, data.destinations, spec, origin_att=o_att,
                            dest_att=d_att, progress=scaled(progress, 0.02, 0.45))
    night = night_indicators(network, origins, data.destinations, spec, day=day,
                             origin_att=o_att, dest_att=d_att, progress=scaled(progress, 0.45, 0.6))
    green = green_indicators(network, origins, data.green, cells["pop"], spec, origin_att=o_att,
                             progress=scaled(progress, 0.6, 0.8))
    safety = safety_indicators(network, cells, data, weights, lamps=lamps,
                               progress=scaled(progress, 0.8, 0.95))
    if findings is not None:
        from .indicators.findings import apply_findings_to_safety, findings_per_cell

        per_cell = findings_per_cell(findings, cells)
        updated = apply_findings_to_safety(safety, per_cell, weight=findings_weight,
                                           weights=weights)
        safety = safety.join(per_cell)
        safety[updated.columns] = updated
    grid = cells.join(day).join(night).join(green).join(safety)
    summary = None
    if areas is not None:
        summary = area_summary(grid, areas, key=area_key, name=area_name)
        if findings is not None:
            from .indicators.findings import findings_area_summary

            summary = findings_area_summary(summary, findings)
    report(progress, 1.0, "layers done")
    meta = {
        "crs": data.crs.to_string(),
        "cells": len(grid),
        "pop_total": float(grid["pop"].sum()),
        "pop_source": str(grid["pop_source"].iloc[0]) if "pop_source" in grid and len(grid) else "",
        "origins_unattached": int(o_att.n_unattached),
        "destinations_unattached": int((~dest["attached"]).sum()),
        "green_spaces_without_entry": int(green.attrs.get("n_green_spaces_without_entry", 0)),
        "attribution": "© OpenStreetMap contributors",
    }
    if findings is not None:
        meta["findings"] = int(len(findings))
        meta["findings_open"] = int((findings["status"] == "open").sum())
    return Layers(
        grid=grid,
        network=network.edges,
        destinations=dest,
        green=data.green,
        origins=origins,
        areas=summary,
        findings=findings,
        meta=MappingProxyType(meta),
    )
