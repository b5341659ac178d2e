"""Area summaries: results per statistical area or any polygon layer (e.g. a municipality's
vulnerable areas), side by side with the whole study area.

A cell contributes to an area by ``share``, the part of the cell's square inside the area
polygon. What a column is weighted by depends on what it measures (the indicator catalogue,
:mod:`geoplan.columns`):

* **Measures of residents** (access, night access and green space: ``dist_…``, ``n_…``,
  ``gravity_…``, ``night_…``, ``loses_…``, ``green_…``, ``straight_dist_…``, and columns the
  catalogue does not know) are weighted by residents, ``pop × share`` (residents are split
  between areas like the cell's area; population totals are conserved when the areas tile the
  study area): yes/no columns → ``<col>_pop_share``, the share of residents for whom it holds;
  distances (unit m with ``dist`` in the name) → population-weighted **median** (``inf`` = the
  median resident reaches none); the rest → population-weighted mean. An area without residents
  has no value for them (there is nobody to measure).
* **Measures of the paths and the place** (the network and safety columns: ``path_m``,
  ``lit_share``, ``lamps_per_km``, ``safety_index`` …) are measured where there are paths,
  residents or not. Shares of the path length (unit ``share 0-1``) and ``lamps_per_km`` (unit
  ``per km``) are **length-weighted**, ``path_m × share``; every other one is **area-weighted**,
  by the cell's area inside the polygon (the mean cell of the area). Beside each one that is
  not a count, ``<col>_pop_mean`` gives the population-weighted mean (what the average resident
  lives with; empty without residents).

``pop`` is the residents in the area, ``cells`` the cells it overlaps (residents or not) and
``area_m2`` the part of the grid it covers.

Example
-------
>>> import geopandas as gpd, shapely
>>> grid = gpd.GeoDataFrame({"pop": [10.0, 30.0], "dist_school_m": [100.0, 300.0],
...                          "green_scb_300m": [True, False], "path_m": [300.0, 100.0],
...                          "lit_share": [1.0, 0.0]},
...                         geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
...                         index=pd.Index(["a", "b"], name="cell_id"), crs=3006)
>>> areas = gpd.GeoDataFrame({"code": ["X"]}, geometry=[shapely.box(0, 0, 200, 100)], crs=3006)
>>> s = area_summary(grid, areas, key="code")
>>> s.loc[s["code"] == "X", ["pop", "cells", "dist_school_m", "green_scb_300m_pop_share",
...                          "lit_share", "lit_share_pop_mean"]].values.tolist()
[[40.0, 2.0, 300.0, 0.25, 0.75, 0.25]]
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from .._memo import once_per
from ..columns import STUDY_AREA_KEY, describe
from ..errors import ConfigError, GeoplanError
from ..i18n import register_texts, tr
from ..sources.area import check_summary_areas

__all__ = ["STUDY_AREA_KEY", "SortedColumns", "area_summary", "column_orders",
           "name_study_area", "stable_order_after", "summary_weighting", "weighted_median"]

EQUITY_TEXTS = {
    "study_area_row": {"en": "Whole study area"},
}
register_texts(EQUITY_TEXTS)

#: Columns that measure residents (weighted by population); the other catalogue columns
#: measure the paths and the place (weighted by path length or area).
_RESIDENT = re.compile(r"(night_)?(dist|n|gravity|detour)_.+|loses_.+|green_.+|"
                       r"straight_dist_.+|night_.+")


def weighted_median(values: np.ndarray, weights: np.ndarray,
                    order: np.ndarray | None = None) -> float:
    """Weighted median (lower median); NaN values and zero weights are ignored.

    ``order``: ``np.argsort(values, kind="stable")`` when it is known already
    (:func:`column_orders`); the result is the same, bit for bit (the same weights summed in
    the same order).

    >>> weighted_median(np.array([1.0, 2.0, np.inf]), np.array([1.0, 1.0, 3.0]))
    inf
    >>> v, w = np.array([3.0, np.nan, 1.0, 2.0]), np.array([1.0, 5.0, 1.0, 0.0])
    >>> weighted_median(v, w) == weighted_median(v, w, np.argsort(v, kind="stable")) == 1.0
    True
    """
    ok = ~np.isnan(values) & (weights > 0)
    if order is not None:  # the stable order of the kept values is that order, filtered
        order = order[ok[order]]
        if len(order) == 0:
            return float("nan")
        cw = np.cumsum(weights[order])
        return float(values[order[np.searchsorted(cw, 0.5 * cw[-1])]])
    v, w = values[ok], weights[ok]
    if len(v) == 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, 0.5 * cw[-1])])


def stable_order_after(order: np.ndarray, values: np.ndarray, changed: np.ndarray
                       ) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` from ``order``, the stable order of values that
    differ from ``values`` only at the positions ``changed`` (sorted): the other positions keep
    their order, and each changed one is put where its value and position place it (a stable
    sort orders by value, NaN last, then by position). It costs what changed, not a sort.

    >>> v0 = np.array([5.0, 1.0, np.nan, 1.0, 3.0])
    >>> v1 = np.array([5.0, 1.0, 1.0, 0.5, 3.0])
    >>> o = stable_order_after(np.argsort(v0, kind="stable"), v1, np.array([2, 3]))
    >>> o.tolist() == np.argsort(v1, kind="stable").tolist() == [3, 1, 2, 4, 0]
    True
    """
    changed = np.asarray(changed, np.int64)
    if len(changed) == 0:
        return order
    moved = np.zeros(len(values), bool)
    moved[changed] = True
    keep = order[~moved[order]]
    new = changed[np.argsort(values[changed], kind="stable")]
    kv, nv = values[keep], values[new]
    lo, hi = np.searchsorted(kv, nv, "left"), np.searchsorted(kv, nv, "right")
    at = lo.copy()
    for i in np.flatnonzero(hi > lo).tolist():  # equal values: by position
        at[i] += np.searchsorted(keep[lo[i]:hi[i]], new[i])
    return np.insert(keep, at, new)


def column_orders(base: pd.DataFrame) -> SortedColumns:
    """:class:`SortedColumns` of ``base`` (a baseline's grid).

    >>> base = pd.DataFrame({"d": [3.0, 1.0, 2.0]})
    >>> order = column_orders(base)
    >>> order("d", np.array([3.0, 4.0, 2.0])).tolist(), order("x", np.zeros(3))
    ([2, 0, 1], None)
    >>> order.same("d", np.array([3.0, 1.0, 2.0])), order.same("d", np.zeros(3))
    (True, False)
    """
    return SortedColumns(base)


class SortedColumns:
    """For the summaries of a grid whose rows are those of ``base`` (a baseline's grid, the
    same cells in the same order), what ``base`` already tells.

    ``order(column, values)`` gives ``np.argsort(values, kind="stable")`` for
    :func:`weighted_median`, made from ``base[column]``'s stable order (sorted once per
    ``base`` and column, :func:`geoplan._memo.once_per`) with only the values that differ from
    it moved (:func:`stable_order_after`); None for a column ``base`` lacks.
    :meth:`same` tells whether ``values`` are ``base[column]``'s, bit for bit.
    """

    def __init__(self, base: pd.DataFrame) -> None:
        self.base = base
        self._dtypes = None  # base's column dtypes, read once

    def _values(self, column: str) -> np.ndarray | None:
        """``base[column]`` as floats (made once per ``base`` and column)."""
        base = self.base
        if column not in base.columns:
            return None
        return once_per(base, ("float_values", column), lambda: _floats(base[column]))

    def __call__(self, column: str, values: np.ndarray) -> np.ndarray | None:
        v0 = self._values(column) if len(values) == len(self.base) else None
        if v0 is None:
            return None
        o0 = once_per(self.base, ("stable_order", column),
                      lambda: np.argsort(v0, kind="stable"))
        values = np.asarray(values, dtype=np.float64)
        return stable_order_after(o0, values,
                                  np.flatnonzero(v0.view(np.int64) != values.view(np.int64)))

    def same(self, column: str, values, dtype=None) -> bool:
        """Whether ``values`` (numbers or yes/no) are ``base[column]``'s, bit for bit (and of
        its ``dtype``, when given)."""
        v0 = self._values(column) if len(values) == len(self.base) else None
        if v0 is None:
            return False
        if dtype is not None:
            if self._dtypes is None:
                self._dtypes = dict(self.base.dtypes.items())
            if self._dtypes[column] != dtype:
                return False
        v = values if isinstance(values, np.ndarray) and values.dtype.kind in "fbiu" else (
            pd.array(values).to_numpy(dtype=float, na_value=np.nan))
        return not (v0.view(np.int64) != np.asarray(v, np.float64).view(np.int64)).any()


def _floats(column: pd.Series) -> np.ndarray:
    """A column's values as floats (missing: NaN)."""
    return np.array(column.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)


def summary_weighting(column: str, dtype=float) -> str:
    """How :func:`area_summary` summarises ``column``: ``"pop_share"``, ``"pop_median"``,
    ``"pop_mean"`` (measures of residents), ``"length"``, ``"area"`` (measures of the paths and
    the place, with ``<col>_pop_mean`` beside them) or ``"area_count"`` (counts: area-weighted,
    no population figure).

    >>> [summary_weighting(c) for c in ("dist_school_m", "lit_share", "safety_index",
    ...                                 "lamp_count", "n_school_500m", "mystery")]
    ['pop_median', 'length', 'area', 'area_count', 'pop_mean', 'pop_mean']
    >>> summary_weighting("green_scb_300m", bool)
    'pop_share'
    """
    if pd.api.types.is_bool_dtype(dtype):
        return "pop_share"
    ind = describe(column)
    if ind is None or _RESIDENT.fullmatch(column):
        return "pop_median" if "dist" in column and column.endswith("_m") else "pop_mean"
    if ind.unit in ("share 0-1", "per km"):
        return "length"
    return "area_count" if ind.kind == "count" else "area"


def _mean(v: np.ndarray, w: np.ndarray) -> float:
    ok = np.isfinite(v) & (w > 0)
    return float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else np.nan


def _summarise(sub: pd.DataFrame, share: np.ndarray, weights: dict, columns: list[str],
               how: dict, orders: SortedColumns | None = None, known=None) -> dict:
    """One row of the summary: ``weights`` maps ``pop``/``length``/``area`` to the cells'
    weights (already multiplied by ``share``); ``orders``: :func:`column_orders` of the
    rows of ``sub`` (or None); ``known``: ``(row, weights)``, the baseline's row and which of
    ``weights`` are its (:func:`area_summary`): a measure of a column that is the baseline's,
    bit for bit, weighted as there, is that row's value (the same numbers give the same)."""
    w = weights["pop"]
    out = {"pop": float(w.sum()), "cells": int((share > 0).sum()),
           "area_m2": float(weights["area"].sum())}
    dtypes = sub.dtypes
    for c in columns:
        v = sub[c].to_numpy()
        kind = how[c]
        if known is not None and orders.same(c, v, dtypes[c]):
            row, same_w = known
            keys = _measures(c, kind)
            if all(k in row and same_w[wk] for k, wk in keys.items()):
                out.update({k: row[k] for k in keys})
                continue
        if kind == "pop_share":
            out[f"{c}_pop_share"] = _mean(v.astype(float), w) if w.sum() > 0 else np.nan
        elif kind == "pop_median":
            vv = v.astype(float)
            out[c] = weighted_median(vv, w, None if orders is None else orders(c, vv))
        elif kind == "pop_mean":
            out[c] = _mean(v.astype(float), w)
        else:
            vv = v.astype(float)
            out[c] = _mean(vv, weights["length" if kind == "length" else "area"])
            if kind != "area_count":
                out[f"{c}_pop_mean"] = _mean(vv, w)
    return out


def _measures(column: str, kind: str) -> dict[str, str]:
    """The summary's keys of ``column`` summarised as ``kind``, each with its weight."""
    if kind == "pop_share":
        return {f"{column}_pop_share": "pop"}
    if kind in ("pop_median", "pop_mean"):
        return {column: "pop"}
    own = {column: "length" if kind == "length" else "area"}
    return own if kind == "area_count" else {**own, f"{column}_pop_mean": "pop"}


def _overlaps(cells: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, cell_area: np.ndarray):
    """``(cell row, area row, overlap m², share of the cell)`` of every cell-area pair."""
    pairs = gpd.sjoin(cells[["geometry"]], areas[["geometry"]], predicate="intersects")
    ci, ai = pairs.index.to_numpy(), pairs["index_right"].to_numpy()
    inter = np.asarray(cells.geometry.values[ci].intersection(areas.geometry.values[ai]).area)
    return ci, ai, inter, np.where(cell_area[ci] > 0, inter / cell_area[ci], 0.0)


def name_study_area(summary: pd.DataFrame | None, key: str | None, name: str | None,
                    lang: str = "en") -> pd.DataFrame | None:
    """``summary`` with its whole-study-area row (key :data:`STUDY_AREA_KEY`) named in ``lang``
    in the ``name`` column (a copy; unchanged without a name column).

    >>> s = pd.DataFrame({"code": ["X", STUDY_AREA_KEY], "name": ["Fittja", "Whole study area"]})
    >>> name_study_area(s, "code", "name", "sv")["name"].tolist()
    ['Fittja', 'Hela analysområdet']
    """
    if summary is None or name is None or name not in summary.columns or key not in summary:
        return summary
    out = summary.copy()
    out.loc[out[key].astype(str) == STUDY_AREA_KEY, name] = tr("study_area_row", lang)
    return out


def _default_columns(grid: pd.DataFrame, pop_column: str) -> list[str]:
    """Every numeric or yes/no column of ``grid`` but the cell geometry helpers."""
    skip = {pop_column, "easting_m", "northing_m", "area_m2", "area_share", "geometry"}
    dtypes = grid.dtypes  # (one lookup: a column of a GeoDataFrame costs ~0.1 ms to take)
    return [c for c in grid.columns if c not in skip
            and (pd.api.types.is_numeric_dtype(dtypes[c]) or dtypes[c] == np.dtype(bool))]


def area_summary(
    grid: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    key: str,
    name: str | None = None,
    columns: list[str] | None = None,
    pop_column: str = "pop",
    study_area_label: str | None = None, lang: str = "en",
    study_geometry=None,
    orders: SortedColumns | None = None,
    baseline_row=None,
) -> gpd.GeoDataFrame:
    """Summary of ``grid`` per polygon of ``areas``, plus the study area (weighting per column:
    see the module doc and :func:`summary_weighting`).

    Parameters
    ----------
    grid
        Cells with ``pop_column`` and indicator columns.
    areas
        Polygons (any CRS: reprojected to the grid's), checked with
        :func:`geoplan.sources.area.check_summary_areas` (unique keys, enough overlap with the
        cells) unless the layer is empty.
    key, name
        Column of ``areas`` identifying each area (e.g. the DeSO code) and an optional display
        name column.
    columns
        Indicator columns to summarise (default: every numeric or bool column but the cell
        geometry helpers).
    pop_column
        Residents per cell.
    study_area_label, lang
        Name of the last row, which summarises every cell (default: "Whole study area" in
        ``lang``: ``"en"``, ``"sv"`` or ``"da"``).
    study_geometry
        The union of the cells when it is known already (a scenario's cells are its
        baseline's: the last row's geometry of the baseline's summary); made here otherwise,
        which is most of this function's time on a large grid.
    orders
        :func:`column_orders` of a grid with the rows of ``grid`` (a scenario's baseline's),
        for the whole study area's medians: the same values, without sorting every column.
    baseline_row
        With ``orders``: the whole study area's row of that grid's summary (a mapping, made by
        this function with the same columns): a measure whose column and weight are the
        baseline's, bit for bit, is taken from it (a scenario changes a few columns).

    Returns
    -------
    GeoDataFrame
        One row per area (with its geometry) and a last row for the whole study area (geometry:
        the union of the cells), ``pop``, ``cells`` and ``area_m2`` included.
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
    cells = grid.reset_index(drop=True)
    study = cells.geometry.union_all() if study_geometry is None else study_geometry
    if len(areas):
        check_summary_areas(areas, study, key=key)
    columns = _default_columns(grid, pop_column) if columns is None else columns
    dtypes = grid.dtypes
    how = {c: summary_weighting(c, dtypes[c]) for c in columns}
    cell_area = cells.geometry.area.to_numpy()
    ci, ai, inter, share = _overlaps(cells, areas, cell_area)
    pop = cells[pop_column].to_numpy(dtype=float)
    path = (np.nan_to_num(cells["path_m"].to_numpy(dtype=float)) if "path_m" in cells.columns
            else np.zeros(len(cells)))
    rows = []
    for a in range(len(areas)):
        m = ai == a
        c, sh = ci[m], share[m]
        row = {key: areas[key].iloc[a]}
        if name is not None:
            row[name] = areas[name].iloc[a]
        weights = {"pop": pop[c] * sh, "length": path[c] * sh, "area": inter[m]}
        row.update(_summarise(cells.iloc[c], sh, weights, columns, how))
        rows.append(row)
    total = {key: STUDY_AREA_KEY}
    if name is not None:
        total[name] = study_area_label or tr("study_area_row", lang)
    ones = np.ones(len(cells))
    known = None
    if orders is not None and baseline_row is not None:  # which weights are the baseline's
        known = (baseline_row, {
            "pop": orders.same(pop_column, pop), "area": True,  # (the same cells)
            "length": "path_m" in cells.columns and orders.same(
                "path_m", cells["path_m"].to_numpy(dtype=float))})
    total.update(_summarise(cells, ones, {"pop": pop, "length": path, "area": cell_area},
                            columns, how, orders, known))
    rows.append(total)
    geoms = list(areas.geometry.values) + [study]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=grid.crs)
