"""Area summaries: population-weighted results per statistical area or any polygon layer (e.g.
a municipality's vulnerable areas), side by side with the whole study area.

A cell contributes to an area with weight ``pop × share``, where ``share`` is the part of the
cell's square inside the area polygon (so residents are split between areas like the cell's
area; population totals are conserved when the areas tile the study area). Per column:

* yes/no columns (``green_scb_300m``, ``loses_school_at_night`` …) → ``<col>_pop_share``: the
  share of residents for whom it holds;
* distance columns (``…_m`` with ``dist`` in the name) → population-weighted **median**
  (``inf`` = the median resident reaches none);
* everything else → population-weighted mean over cells with a value.

Example
-------
>>> import geopandas as gpd, shapely
>>> grid = gpd.GeoDataFrame({"pop": [10.0, 30.0], "dist_school_m": [100.0, 300.0],
...                          "green_scb_300m": [True, False]},
...                         geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
...                         index=pd.Index(["a", "b"], name="cell_id"), crs=3006)
>>> areas = gpd.GeoDataFrame({"code": ["X"]}, geometry=[shapely.box(0, 0, 200, 100)], crs=3006)
>>> s = area_summary(grid, areas, key="code")
>>> s.loc[s["code"] == "X", ["pop", "dist_school_m", "green_scb_300m_pop_share"]].values.tolist()
[[40.0, 300.0, 0.25]]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..columns import STUDY_AREA_KEY
from ..errors import ConfigError, GeoplanError

__all__ = ["STUDY_AREA_KEY", "area_summary", "weighted_median"]

def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted median (lower median); NaN values and zero weights are ignored.

    >>> weighted_median(np.array([1.0, 2.0, np.inf]), np.array([1.0, 1.0, 3.0]))
    inf
    """
    ok = ~np.isnan(values) & (weights > 0)
    v, w = values[ok], weights[ok]
    if len(v) == 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, 0.5 * cw[-1])])


def _kind(name: str, s: pd.Series) -> str:
    if s.dtype == bool or str(s.dtype) == "boolean":
        return "bool"
    if "dist" in name and name.endswith("_m"):
        return "median"
    return "mean"


def _summarise(sub: pd.DataFrame, w: np.ndarray, columns: list[str], kinds: dict) -> dict:
    out = {"pop": float(w.sum()), "cells": int((w > 0).sum())}
    for c in columns:
        v = sub[c].to_numpy()
        if kinds[c] == "bool":
            vv = v.astype(float)
            out[f"{c}_pop_share"] = float((vv * w).sum() / w.sum()) if w.sum() > 0 else np.nan
        elif kinds[c] == "median":
            out[c] = weighted_median(v.astype(float), w)
        else:
            vv = v.astype(float)
            ok = np.isfinite(vv) & (w > 0)
            out[c] = float((vv[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else np.nan
    return out


def area_summary(
    grid: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    key: str,
    name: str | None = None,
    columns: list[str] | None = None,
    pop_column: str = "pop",
    study_area_label: str = "Whole study area",
) -> gpd.GeoDataFrame:
    """Population-weighted summary of ``grid`` per polygon of ``areas``, plus the study area.

    Parameters
    ----------
    grid
        Cells with ``pop_column`` and indicator columns.
    areas
        Polygons (any CRS: reprojected to the grid's).
    key, name
        Column of ``areas`` identifying each area (e.g. the DeSO code) and an optional display
        name column.
    columns
        Indicator columns to summarise (default: every numeric or bool column but the cell
        geometry helpers).
    pop_column
        Residents per cell.
    study_area_label
        Name of the last row, which summarises every cell.

    Returns
    -------
    GeoDataFrame
        One row per area (with its geometry) and a last row for the whole study area (geometry:
        the union of the cells), ``pop`` and ``cells`` included.
    """
    for col, what in ((key, "key"), (name, "name")):
        if col is not None and col not in areas.columns:
            raise ConfigError(
                f"area layer has no column {col!r} (its {what}); it has {list(areas.columns)}"
            )
    if pop_column not in grid.columns:
        raise GeoplanError(f"grid has no {pop_column!r} column: allocate population first")
    if areas.crs is None:
        raise GeoplanError("area layer has no CRS: set one, e.g. EPSG:3006")
    areas = areas.to_crs(grid.crs) if areas.crs != grid.crs else areas
    skip = {pop_column, "easting_m", "northing_m", "area_m2", "area_share"}
    if columns is None:
        columns = [c for c in grid.columns if c not in skip and c != "geometry"
                   and (pd.api.types.is_numeric_dtype(grid[c]) or grid[c].dtype == bool)]
    kinds = {c: _kind(c, grid[c]) for c in columns}
    cells = grid.reset_index(drop=True)
    cell_area = cells.geometry.area.to_numpy()
    pairs = gpd.sjoin(cells[["geometry"]], areas[["geometry"]], predicate="intersects")
    ci, ai = pairs.index.to_numpy(), pairs["index_right"].to_numpy()
    inter = cells.geometry.values[ci].intersection(areas.geometry.values[ai]).area
    share = np.where(cell_area[ci] > 0, inter / cell_area[ci], 0.0)
    pop = cells[pop_column].to_numpy(dtype=float)
    rows = []
    for a in range(len(areas)):
        m = ai == a
        sub = cells.iloc[ci[m]]
        w = pop[ci[m]] * share[m]
        row = {key: areas[key].iloc[a]}
        if name is not None:
            row[name] = areas[name].iloc[a]
        row.update(_summarise(sub, w, columns, kinds))
        rows.append(row)
    total = {key: STUDY_AREA_KEY}
    if name is not None:
        total[name] = study_area_label
    total.update(_summarise(cells, pop, columns, kinds))
    rows.append(total)
    geoms = list(areas.geometry.values) + [cells.geometry.union_all()]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=grid.crs)
