"""Where a grid cell's residents start walking: one population-weighted point per cell.

The origin of a cell is the centroid of the representative points of its residential buildings,
weighted by residential floor area (:func:`geoplan.population.residential_floor_area`); a cell
without residential floor area starts at the centre of its part inside the study area. Origins
are then attached *along* the nearest walkable edge by :mod:`geoplan.routing` (never snapped to a
node), so two cells on the same street get different distances.

Example
-------
>>> import geopandas as gpd, shapely
>>> from geoplan.grid import make_grid, GridSpec
>>> cells = make_grid(shapely.box(0, 0, 200, 100), 3006, GridSpec(100))
>>> b = gpd.GeoDataFrame({"use": ["residential"] * 2, "floor_area_m2": [100.0, 300.0]},
...                      geometry=[shapely.box(10, 10, 20, 20), shapely.box(50, 50, 60, 60)],
...                      crs=3006)
>>> cell_origins(cells, b).round(1).get_coordinates().values.tolist()
[[45.0, 45.0], [150.0, 50.0]]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from .population import ResidentialRule, residential_floor_area

__all__ = ["cell_origins"]


def cell_origins(
    cells: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None = None,
    *,
    study_area=None,
    rule: ResidentialRule | None = None,
) -> gpd.GeoSeries:
    """One origin point per cell, indexed by ``cell_id`` like ``cells``.

    Parameters
    ----------
    cells
        Grid cells (:func:`geoplan.grid.make_grid`).
    buildings
        Buildings with ``use`` and ``floor_area_m2``; None: every origin is a cell centre.
    study_area
        The cells' centres are taken inside this polygon (edge cells are partly outside).
    rule
        Residential shares per building use.
    """
    geoms = np.asarray(cells.geometry.values, dtype=object)
    if study_area is not None:
        geoms = _clip_edge_cells(geoms, study_area)
    centre = shapely.point_on_surface(geoms)
    x, y = shapely.get_x(centre), shapely.get_y(centre)
    if buildings is not None and len(buildings):
        res = residential_floor_area(buildings, rule).to_numpy()
        keep = res > 0
        pts = shapely.point_on_surface(buildings.geometry.values[keep])
        w = res[keep]
        cell_idx, pt_idx = shapely.STRtree(pts).query(cells.geometry.values, predicate="contains")
        if len(cell_idx):
            # a point on a shared cell border belongs to the first cell only
            first = np.unique(pt_idx, return_index=True)[1]
            cell_idx, pt_idx = cell_idx[first], pt_idx[first]
            ww = w[pt_idx]
            sw = np.bincount(cell_idx, ww, len(cells))
            sx = np.bincount(cell_idx, ww * shapely.get_x(pts[pt_idx]), len(cells))
            sy = np.bincount(cell_idx, ww * shapely.get_y(pts[pt_idx]), len(cells))
            has = sw > 0
            x = np.where(has, sx / np.where(has, sw, 1), x)
            y = np.where(has, sy / np.where(has, sw, 1), y)
    return gpd.GeoSeries(shapely.points(x, y), index=cells.index, crs=cells.crs, name="origin")


def _clip_edge_cells(geoms: np.ndarray, study_area) -> np.ndarray:
    """``geoms`` cut to ``study_area``; a cell wholly inside stays as it is, one wholly outside
    (the cut is empty) too. Only the cells on the area's border are intersected (with a large
    municipality polygon that is a few percent of them).

    >>> sq = shapely.box(0, 0, 10, 10)
    >>> [g.bounds for g in _clip_edge_cells(np.array([shapely.box(1, 1, 2, 2),
    ...                                                shapely.box(9, 0, 11, 1)]), sq)]
    [(1.0, 1.0, 2.0, 2.0), (9.0, 0.0, 10.0, 1.0)]
    """
    out = geoms.copy()
    shapely.prepare(study_area)
    edge = np.flatnonzero(~shapely.contains_properly(study_area, geoms))
    if len(edge):
        clipped = shapely.intersection(geoms[edge], study_area)
        out[edge] = np.where(shapely.is_empty(clipped), geoms[edge], clipped)
    return out

