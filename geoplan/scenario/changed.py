"""Only what a scenario changed: the cells (:func:`changed_cells`) and area rows
(:func:`changed_area_rows`) whose values differ from the baseline, and the change layers of
just those rows (:func:`changed_layers`), so that one more trial path is written in a moment
instead of the whole grid (issue #15).

The rows are the same as in :func:`~geoplan.scenario.change.change_layers`' ``grid_change`` and
``areas_change``, with every row left out where no column differs by more than rounding
(:data:`CHANGE_EPS` relative to the value, at least absolute).
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd

from ..study import Layers, Study
from .change import CHANGE_EPS, _indicator_columns, area_summaries, change_layers

__all__ = ["area_summaries", "changed_area_rows", "changed_cells", "changed_layers"]


def _as_float(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """``frame[columns]`` as one float block, ±inf as NaN (as the change layers write them)."""
    v = frame[columns].to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(v), v, np.nan)


def _rows_differ(after: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Per row: whether a value differs by more than rounding, or is missing on one side only."""
    gone = np.isnan(after) != np.isnan(before)
    with np.errstate(invalid="ignore"):
        moved = np.abs(after - before) > CHANGE_EPS * np.maximum(1.0, np.abs(before))
    return (gone | moved).any(axis=1)


def _bits_differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where two columns are not bit for bit the same (a cheap first pass: NaN equals NaN)."""
    if a.dtype == b.dtype == np.float64:
        return a.view(np.int64) != b.view(np.int64)
    if a.dtype == b.dtype and a.dtype.kind in "biu":
        return a != b
    fa, fb = pd.array(a).astype(float), pd.array(b).astype(float)  # nullable: missing as NaN
    return _bits_differ(np.asarray(fa.to_numpy(na_value=np.nan), dtype=np.float64),
                        np.asarray(fb.to_numpy(na_value=np.nan), dtype=np.float64))


def changed_cells(before: pd.DataFrame, after: pd.DataFrame) -> np.ndarray:
    """Per cell of ``after`` (a grid indexed by ``cell_id``): whether ``pop`` or an indicator
    differs from ``before`` (the baseline's grid) by more than rounding.

    Column by column, first bit for bit (no large temporary: on a 50,000-cell grid a copy of
    the grid costs more than the comparison), then within rounding on the cells that differ.

    Examples
    --------
    >>> g0 = pd.DataFrame({"pop": [10.0, 20.0], "dist_school_m": [300.0, np.inf]},
    ...                   index=pd.Index(["a", "b"], name="cell_id"))
    >>> g1 = g0.assign(dist_school_m=[300.0 + 1e-12, 450.0])
    >>> changed_cells(g0, g1).tolist()
    [False, True]
    """
    cols = _indicator_columns(after)
    if not before.index.equals(after.index):
        before = before.reindex(after.index)
    maybe = np.zeros(len(after), bool)
    for c in cols:
        maybe |= _bits_differ(after[c].to_numpy(), before[c].to_numpy())
    out = np.zeros(len(after), bool)
    at = np.flatnonzero(maybe)
    out[at] = _rows_differ(_as_float(after.iloc[at], cols), _as_float(before.iloc[at], cols))
    return out


def changed_area_rows(before: pd.DataFrame, after: pd.DataFrame) -> np.ndarray:
    """Per row of ``after`` (area summaries, the same areas in the same order as ``before``,
    the whole study area last): whether a numeric or yes/no value differs by more than
    rounding.

    Examples
    --------
    >>> s0 = pd.DataFrame({"area": ["X", "__study_area__"], "pop": [5.0, 9.0]})
    >>> changed_area_rows(s0, s0.assign(pop=[5.0, 12.0])).tolist()
    [False, True]
    """
    cols = [c for c in after.columns if c != "geometry" and c in before.columns
            and (pd.api.types.is_numeric_dtype(after[c]) or after[c].dtype == bool)]
    return _rows_differ(_as_float(after, cols), _as_float(before, cols))


def changed_layers(before: Layers, after: Layers, inputs: Study | None = None, *,
                   areas_before: gpd.GeoDataFrame | None = None
                   ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(grid_change, areas_change)`` of :func:`~geoplan.scenario.change.change_layers`
    with only the rows that changed (:func:`changed_cells`, :func:`changed_area_rows`).

    ``areas_before``: the baseline's :func:`area_summaries`, when kept from an earlier call
    (they are the same for every scenario of a baseline).

    Examples
    --------
    A lit path that gives both cells of :func:`geoplan.study.example_study` a lit route to
    its school (the one dark edge's cell also has a dead end less):

    >>> from geoplan.study import example_study
    >>> study = example_study()
    >>> from geoplan.scenario import apply_scenario, prepare_baseline, recompute
    >>> baseline = prepare_baseline(study)
    >>> import shapely
    >>> from geoplan.types import NewPath, Scenario
    >>> lit = NewPath(shapely.LineString([(100, 0), (150, -30), (200, 0)]), lit=True)
    >>> edited = apply_scenario(Scenario("lit detour", (lit,), crs=3006), study)
    >>> cells, areas = changed_layers(baseline.layers, recompute(baseline, edited)[0])
    >>> cells["cell_id"].tolist(), cells["dead_ends_change"].tolist()
    (['100mN0E0', '100mN0E1'], [0.0, -1.0])
    >>> areas["area"].tolist()
    ['__study_area__']
    """
    sb = area_summaries(before, baseline_grid=before.grid) if areas_before is None else (
        areas_before)
    sa = area_summaries(after, study_geometry=sb.geometry.values[-1],
                        baseline_grid=before.grid, baseline_summary=sb)
    keep = changed_cells(before.grid, after.grid)
    rows = changed_area_rows(sb, sa)
    grid0 = before.grid.reindex(after.grid.index[keep])
    only = (dataclasses.replace(before, grid=grid0, areas=sb[rows]),
            dataclasses.replace(after, grid=after.grid[keep], areas=sa[rows]))
    return change_layers(*only, inputs)
