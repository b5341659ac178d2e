"""What a scenario changed: change layers (:func:`change_layers`) and the change table in plain
words (:func:`change_table`) — ``compare(baseline_layers, scenario_layers) -> change layers``
(DESIGN.md).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..columns import HEADLINE, STUDY_AREA_KEY, better
from ..i18n import CATALOGUE, fmt, register_texts, tr
from ..study import Layers, Study, grid_columns
from ..types import AccessSpec

__all__ = ["CHANGE_EPS", "HEADLINE", "MIN_DISTANCE_CHANGE_M", "SHEET_COLUMNS", "SHEET_TEXTS",
           "TEXTS", "area_summaries", "change_layers", "change_sheet", "change_table",
           "headline_column"]


#: Below this, a change is rounding noise and counts as no change.
CHANGE_EPS = 1e-9
#: A walking distance that changes by less than this (metres) counts as unchanged in the
#: "walking access improves / gets worse" counts: that is within the precision of the mapped
#: paths and of where a cell's residents start (its origin point), about a street's width or
#: 20 seconds' walk; a planner cannot promise such a change to anyone. Reaching a destination
#: that was out of reach (or losing one) always counts.
MIN_DISTANCE_CHANGE_M = 25.0
_EDGE_END_M = 0.01  # a junction this close to an edge end uses the end node

TEXTS = {
    "sc_residents": {"en": "Residents"},
    "sc_residents_staying": {
        "en": "Residents living there before and after (the gains and losses below count them)"},
    "sc_residents_new": {
        "en": "New residents (homes added by the scenario)"},
    "sc_residents_gone": {
        "en": "Residents no longer living there"},
    "sc_night_new": {
        "en": "New residents with a lit route to a {cat} within {thr} m"},
    "sc_green_300m": {
        "en": "Residents within 300 m of a green space of at least 0.5 ha"},
    "sc_green_gain": {
        "en": "Residents newly within 300 m of green space"},
    "sc_green_new": {
        "en": "New residents within 300 m of green space"},
    "sc_green_loss": {
        "en": "Residents no longer within 300 m of green space"},
    "sc_green_pc": {
        "en": "Green space within 500 m per resident (m², mean over residents)"},
    "sc_night_access": {
        "en": "Residents with a lit route to a {cat} within {thr} m"},
    "sc_night_gain": {
        "en": "Residents gaining a lit route to a {cat} within {thr} m"},
    "sc_night_loss": {
        "en": "Residents losing a lit route to a {cat} within {thr} m"},
    "sc_detour": {
        "en": "Median night detour to a {cat} (lit route ÷ shortest route)"},
    "sc_dist": {
        "en": "Median walking distance to a {cat}"},
    "sc_lit_km": {
        "en": "Lit share of the walkable paths"},
    "sc_eyes": {
        "en": "Eyes on the street (proxy, mean over residents)"},
    "sc_safety": {
        "en": "Safety index 0–100 (mean over residents)"},
    "sc_cells_gain": {"en": "Grid cells where {what} improves"},
    "sc_cells_lose": {"en": "Grid cells where {what} gets worse"},
    "sc_res_gain": {"en": "Residents in cells where {what} improves"},
    "sc_res_lose": {"en": "Residents in cells where {what} gets worse"},
    "sc_what_safety": {"en": "the safety index"},
    "sc_what_access": {"en": "walking access (day or night)"},
    "sc_study_area": {"en": "Whole study area"},
    "sc_measure": {"en": "Measure"},
    "sc_before": {"en": "Before"},
    "sc_after": {"en": "After"},
    "sc_change": {"en": "Change"},
    "sc_area": {"en": "Area"},
    "sc_rank": {"en": "Rank"},
    "sc_mean_rank": {"en": "Mean rank (1 = best)"},
}
register_texts(TEXTS)

#: Words of the change spreadsheet (``changes.xlsx``): headers, units, better direction.
SHEET_TEXTS = {
    "sc_sheet": {"en": "changes"},
    "sc_unit": {"en": "Unit"},
    "sc_better": {"en": "Better when"},
    "sc_column": {"en": "Measure (column)"},
    "sc_category": {"en": "Kind of destination"},
    "sc_area_key": {"en": "Area code"},
    "sc_scenario": {"en": "Scenario name"},
    "sc_unit_persons": {"en": "persons"},
    "sc_unit_cells": {"en": "grid cells"},
    "sc_unit_share": {"en": "share"},
    "sc_unit_ratio": {"en": "ratio"},
    "sc_unit_m2": {"en": "m² per resident"},
    "sc_better_higher": {"en": "higher"},
    "sc_better_lower": {"en": "lower"},
}
register_texts(SHEET_TEXTS)
#: the change table's columns in the spreadsheet, in order, with the key of each header
SHEET_COLUMNS = (("area_name", "sc_area"), ("label", "sc_measure"), ("before", "sc_before"),
                 ("after", "sc_after"), ("change", "sc_change"), ("unit", "sc_unit"),
                 ("better", "sc_better"), ("measure", "sc_column"), ("category", "sc_category"),
                 ("area_key", "sc_area_key"), ("scenario", "sc_scenario"))


def _indicator_columns(grid: pd.DataFrame) -> list[str]:
    skip = {"area_m2", "area_share"}
    return [c for c in grid_columns(grid) if c not in skip]


def _grid_change(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """:func:`change_layers`' ``grid_change``, all columns at once (before, after, change of
    each column side by side; yes/no columns as nullable 0/1), made column by column from two
    float blocks (no copy of the whole frame per column: seconds on a 50,000-cell grid)."""
    cols = _indicator_columns(after)
    va = _finite(after[cols].to_numpy(dtype=float, na_value=np.nan))
    b = before[cols] if before.index.equals(after.index) else before[cols].reindex(after.index)
    vb = _finite(b.to_numpy(dtype=float, na_value=np.nan))
    data: dict = {"cell_id": after.index.to_numpy()}
    dtypes = after.dtypes
    for j, c in enumerate(cols):
        yesno = dtypes[c] == np.dtype(bool)  # 0/1, change -1/0/1, NULL where missing
        for side, v in (("before", vb[:, j]), ("after", va[:, j]), ("change", va[:, j] - vb[:, j])):
            data[f"{c}_{side}"] = _nullable_int8(v) if yesno else v
    return gpd.GeoDataFrame(data, geometry=after.geometry.values, crs=after.crs)


def _nullable_int8(v: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Whole numbers ``v`` as pandas' nullable ``Int8`` (NaN as missing)."""
    missing = np.isnan(v)
    return pd.arrays.IntegerArray(np.where(missing, 0, v).astype(np.int8), missing)


def _finite(v: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(v), v, np.nan)


def change_layers(before: Layers, after: Layers, inputs: Study | None = None
                  ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(grid_change, areas_change)``: before, after and change of every indicator.

    ``grid_change`` has ``cell_id``, and ``<col>_before``/``<col>_after``/``<col>_change`` for
    ``pop`` and every numeric or yes/no column (yes/no as 0/1, change −1/0/1; NULL where a side is
    unreachable or missing). ``areas_change`` does the same for the area summaries (the areas of
    the pipeline and a last row ``__study_area__``).

    Examples
    --------
    >>> import shapely
    >>> from geoplan.scenario import apply_scenario, prepare_baseline, recompute
    >>> from geoplan.study import example_study
    >>> from geoplan.types import Densify, Scenario
    >>> inputs = example_study()
    >>> base = prepare_baseline(inputs)
    >>> a = apply_scenario(Scenario("homes", (Densify(shapely.box(0, 0, 100, 100),
    ...                    residents=50),), crs=inputs.network.crs), inputs)
    >>> gc, ac = change_layers(base.layers, recompute(base, a)[0], inputs)
    >>> gc[["pop_before", "pop_after", "pop_change"]].values.tolist()
    [[10.0, 60.0, 50.0], [20.0, 20.0, 0.0]]
    """
    grid_change = _grid_change(before.grid, after.grid)
    sb = area_summaries(before)  # the cells are the baseline's: so is their union
    sa = area_summaries(after, study_geometry=sb.geometry.values[-1])
    key = sa.columns[0]
    rows = {key: sa[key].to_numpy()}
    name = inputs.area_name if inputs is not None and inputs.area_name in sa.columns else "name"
    if name in sa.columns and key != name:
        rows[name] = sa[name].to_numpy()
    dtypes = sa.dtypes
    cols = [c for c in sa.columns if c not in (key, name, "geometry")
            and (pd.api.types.is_numeric_dtype(dtypes[c]) or dtypes[c] == np.dtype(bool))]
    # every measure at once as two float blocks (a column of the after side that the before
    # side lacks is NaN before); ±inf as NaN
    before = pd.DataFrame(sb).reindex(columns=cols)
    odd = [c for c in cols if not (pd.api.types.is_numeric_dtype(before[c].dtype)
                                   or before[c].dtype == np.dtype(bool))]
    if odd:  # e.g. a measure without any value before (text): what is not a number is NaN
        before[odd] = before[odd].apply(pd.to_numeric, errors="coerce")
    va = _finite(pd.DataFrame(sa[cols]).to_numpy(dtype=float, na_value=np.nan))
    vb = _finite(before.to_numpy(dtype=float, na_value=np.nan))
    for j, c in enumerate(cols):
        rows[f"{c}_before"], rows[f"{c}_after"] = vb[:, j], va[:, j]
        rows[f"{c}_change"] = va[:, j] - vb[:, j]
    areas_change = gpd.GeoDataFrame(rows, geometry=sa.geometry.values, crs=sa.crs)
    return grid_change, areas_change


def area_summaries(layers: Layers, study_geometry=None, baseline_grid=None,
                   baseline_summary: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """The area summaries of ``layers`` that :func:`change_layers` compares (its ``areas``;
    without an area layer, the whole study area's row of
    :func:`~geoplan.indicators.equity.area_summary`). ``study_geometry``: the union of the
    cells when known (a scenario's: the baseline summary's last geometry); ``baseline_grid``:
    the baseline's grid, whose sorted columns the medians start from (:func:`_orders`), and
    ``baseline_summary`` its summary (made here): the measures of the columns the scenario
    left as they were are its."""
    from ..indicators.equity import area_summary

    if layers.areas is not None:
        return layers.areas
    grid = layers.grid
    areas = gpd.GeoDataFrame({"area": pd.Series([], dtype=object)},
                             geometry=gpd.GeoSeries([], crs=grid.crs), crs=grid.crs)
    orders = _orders(baseline_grid, grid)
    row = (None if orders is None or baseline_summary is None
           else pd.DataFrame(baseline_summary).iloc[-1].to_dict())
    return area_summary(grid, areas, key="area", name=None, study_geometry=study_geometry,
                        orders=orders, baseline_row=row)


def _orders(baseline_grid: pd.DataFrame | None, grid: pd.DataFrame):
    """:func:`~geoplan.indicators.equity.column_orders` of ``baseline_grid`` for the medians
    of ``grid`` when it has the same cells in the same order (a scenario's grid), else None.
    Its sorted columns are kept with the baseline's grid: every scenario of a baseline (a
    trial session) sorts only the cells it changed."""
    from ..indicators.equity import column_orders

    if baseline_grid is None or not (baseline_grid.index is grid.index
                                     or baseline_grid.index.equals(grid.index)):
        return None
    return column_orders(baseline_grid)


def _area_weights(grid: gpd.GeoDataFrame, inputs: Study | None
                  ) -> list[tuple[str, str, np.ndarray]]:
    """``(key, name, share of each cell in the area)`` per area, then the whole study area."""
    out = []
    if inputs is not None and inputs.areas is not None:
        areas = inputs.areas.to_crs(grid.crs) if inputs.areas.crs != grid.crs else inputs.areas
        sq = np.asarray(grid.geometry.values, dtype=object)
        cell_area = shapely.area(sq)
        for i in range(len(areas)):
            inter = shapely.area(shapely.intersection(sq, areas.geometry.values[i]))
            share = np.where(cell_area > 0, inter / cell_area, 0.0)
            name = areas[inputs.area_name].iloc[i] if inputs.area_name else None
            out.append((str(areas[inputs.area_key].iloc[i]), "" if pd.isna(name) else str(name),
                        share))
    out.append((STUDY_AREA_KEY, "", np.ones(len(grid))))
    return out


def _sheet_word(prefix: str, value, lang: str) -> str:
    """``value`` in words (``tr(prefix + value)``) when there is a text for it, else as it is."""
    value = "" if value is None or value != value else str(value)
    return tr(prefix + value, lang) if value and prefix + value in CATALOGUE else value


def change_sheet(changes: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The change table as the planner reads it in ``lang`` (``changes.xlsx``): headers, units,
    better direction and destination categories in words; measure and area codes kept.

    >>> t = pd.DataFrame({"area_name": ["Fittja"], "label": ["Invånare"], "before": [10.0],
    ...                   "after": [12.0], "change": [2.0], "unit": ["persons"],
    ...                   "better": ["higher"], "measure": ["residents"], "category": ["school"],
    ...                   "area_key": ["F1"], "scenario": ["Ny väg"]})
    >>> s = change_sheet(t, "sv")
    >>> list(s.columns[:2]), s.iloc[0][["Enhet", "Bättre när", "Typ av målpunkt"]].tolist()
    (['Område', 'Mått'], ['personer', 'högre', 'skola'])
    """
    out = changes[[c for c, _ in SHEET_COLUMNS]].copy()
    for col, prefix in (("unit", "sc_unit_"), ("better", "sc_better_"), ("category", "cat_")):
        out[col] = [_sheet_word(prefix, v, lang) for v in out[col]]
    out.columns = [tr(key, lang) for _, key in SHEET_COLUMNS]
    return out


def change_table(before: Layers, after: Layers, *, scenario: str = "",
                 inputs: Study | None = None, lang: str = "en",
                 session: bool = False) -> pd.DataFrame:
    """The change table in plain words and numbers, per area and for the whole study area.

    Columns: ``scenario``, ``area_key`` (``__study_area__`` for the whole study area),
    ``area_name``, ``measure`` (a stable key), ``category`` (destination category or empty),
    ``label`` (plain words in ``lang``), ``unit``, ``before``, ``after``, ``change`` and
    ``better`` (``higher``, ``lower`` or empty). Counts of gainers/losers (``*_gain``,
    ``*_loss``, ``*_new``, ``cells_*``, ``residents_*_better``/``_worse``) have only
    ``change``.

    People are counted once. ``residents`` states the population before and after,
    ``residents_staying`` those living in a cell both before and after (per cell the smaller
    of the two), ``residents_new`` those the scenario adds (``residents_gone``, when some
    leave). Gains and losses (``*_gain``, ``*_loss``, ``residents_*_better``/``_worse``)
    count staying residents only, so they never exceed the residents who lived there; new
    residents with the quality are ``*_new``. For a count measure
    ``after = before + gain - loss + new - (gone residents who had it)``. Distances that
    change by less than :data:`MIN_DISTANCE_CHANGE_M` do not count as better or worse.

    Measures: ``residents``, ``residents_staying``, ``residents_new``;
    ``residents_green_300m`` (+ ``_gain``/``_loss``/``_new``); ``green_m2_per_capita``; per
    category with destinations ``residents_night_access`` (+ ``_gain``/``_loss``/``_new``),
    ``median_night_detour``, ``median_distance_m``; ``lit_share``;
    ``eyes_on_street``; ``safety_index``; ``cells_safety_better``/``worse``,
    ``residents_safety_better``/``worse``, ``cells_access_better``/``worse``,
    ``residents_access_better``/``worse``.

    ``session=True`` (several scenarios of one baseline, :mod:`geoplan.runs.trial`): the
    medians start from the baseline's sorted columns, kept with its grid for the next
    scenario (:func:`_orders`); the same values.
    """
    spec = (inputs.spec if inputs is not None else AccessSpec())
    g0, g1 = before.grid, after.grid
    same_cells = g0.index is g1.index or g0.index.equals(g1.index)
    if not same_cells:  # (no copy of a large grid when the cells are the same)
        g0 = g0.reindex(g1.index)
    orders = _orders(g0, g1) if session and same_cells else None
    pop0, pop1 = g0["pop"].to_numpy(float), g1["pop"].to_numpy(float)
    cats = [c for c in spec.categories
            if f"dist_{c}_m" in g1 and np.isfinite(g1[f"dist_{c}_m"].to_numpy(float)).any()]
    flags = _access_flags(g0, g1)
    rows: list[dict] = []
    for key, name, share in _area_weights(g1, inputs):
        area_name = name or (tr("sc_study_area", lang) if key == STUDY_AREA_KEY else "")
        for r in _area_rows(g0, g1, (pop0 * share, pop1 * share, share), cats,
                            spec.night_threshold_m, flags, lang, orders):
            rows.append({"scenario": scenario, "area_key": key, "area_name": area_name, **r})
    out = pd.DataFrame(rows)
    for c in ("before", "after", "change"):
        out[c] = out[c].astype(float)
    return out


def _col(g: pd.DataFrame, c: str) -> np.ndarray:
    return g[c].to_numpy(float)


def _share_sum(flag: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(w * flag))


def _wmean(v: np.ndarray, w: np.ndarray) -> float:
    ok = np.isfinite(v) & (w > 0)
    return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else np.nan


def _access_flags(g0: pd.DataFrame, g1: pd.DataFrame):
    """``(shorter, longer, safety change)`` per cell: some distance got shorter / longer by at
    least :data:`MIN_DISTANCE_CHANGE_M` (or reachable / unreachable), and the change of the
    safety index."""
    tol = MIN_DISTANCE_CHANGE_M
    dist_cols = [c for c in g1.columns if (c.startswith("dist_") or c.startswith("night_dist_"))
                 and c.endswith("_m")]
    with np.errstate(invalid="ignore"):
        shorter = np.zeros(len(g1), bool)
        longer = np.zeros(len(g1), bool)
        for c in dist_cols:
            a, b = _col(g1, c), _col(g0, c)
            shorter |= (a < b - tol) | (np.isfinite(a) & ~np.isfinite(b))
            longer |= (a > b + tol) | (~np.isfinite(a) & np.isfinite(b))
        ds = _col(g1, "safety_index") - _col(g0, "safety_index")
    return shorter, longer, ds


class _Rows(list):
    """The rows of one area's change table."""

    def add(self, measure, label, unit, before_v, after_v, better, category="",
            only_change=None):
        self.append({"measure": measure, "category": category, "label": label, "unit": unit,
                     "before": np.nan if only_change is not None else before_v,
                     "after": np.nan if only_change is not None else after_v,
                     "change": only_change if only_change is not None else after_v - before_v,
                     "better": better})

    def gains(self, measure, labels, f0, f1, people, lang, category="", **kw):
        """``<measure>`` (residents with ``f`` before and after), ``_gain``/``_loss`` (residents
        living there before and after whose ``f`` changed: counted once, never more than
        lived there) and ``_new`` (new residents with ``f``); ``labels`` = text keys of the
        count, gain, loss and new rows."""
        w0, w1, stay, new = people
        self.add(measure, tr(labels[0], lang, **kw), "persons", _share_sum(f0, w0),
                 _share_sum(f1, w1), "higher", category)
        self.add(f"{measure}_gain", tr(labels[1], lang, **kw), "persons", 0, 0, "higher",
                 category, only_change=_share_sum(f1 & ~f0, stay))
        self.add(f"{measure}_loss", tr(labels[2], lang, **kw), "persons", 0, 0, "lower",
                 category, only_change=_share_sum(f0 & ~f1, stay))
        self.add(f"{measure}_new", tr(labels[3], lang, **kw), "persons", 0, 0, "", category,
                 only_change=_share_sum(f1, new))


def _median(g: pd.DataFrame, c: str, w: np.ndarray, orders) -> float:
    """:func:`~geoplan.indicators.equity.weighted_median` of ``g[c]`` (sorted from the
    baseline's order when ``orders`` is given: :func:`_orders`)."""
    from ..indicators.equity import weighted_median

    v = _col(g, c)
    return weighted_median(v, w, None if orders is None else orders(c, v))


def _area_rows(g0, g1, weights, cats, thr, flags, lang: str, orders=None) -> list[dict]:
    """The change-table rows of one area: ``weights`` = (population before and after weighted
    by the cells' shares in the area, the shares). People are counted once: gains and losses
    count the residents living in a cell both before and after (``min(before, after)``).
    ``orders``: :func:`_orders` of the grids (or None)."""

    w0, w1, share = weights
    stay = np.minimum(w0, w1)
    people = (w0, w1, stay, w1 - stay)
    in_area = share > 0
    shorter, longer, ds = flags
    rows = _Rows()
    add = rows.add
    add("residents", tr("sc_residents", lang), "persons", float(w0.sum()), float(w1.sum()),
        "")
    add("residents_staying", tr("sc_residents_staying", lang), "persons", float(stay.sum()),
        float(stay.sum()), "")
    add("residents_new", tr("sc_residents_new", lang), "persons", 0, 0, "",
        only_change=float((w1 - stay).sum()))
    if float((w0 - stay).sum()) > 0:
        add("residents_gone", tr("sc_residents_gone", lang), "persons", 0, 0, "",
            only_change=float((w0 - stay).sum()))
    if "green_scb_300m" in g1:
        rows.gains("residents_green_300m", ("sc_green_300m", "sc_green_gain", "sc_green_loss",
                                            "sc_green_new"),
                   g0["green_scb_300m"].to_numpy(bool), g1["green_scb_300m"].to_numpy(bool),
                   people, lang)
    if "green_m2_per_capita" in g1:
        add("green_m2_per_capita", tr("sc_green_pc", lang), "m2",
            _wmean(_col(g0, "green_m2_per_capita"), w0),
            _wmean(_col(g1, "green_m2_per_capita"), w1), "higher")
    for c in cats:
        cat = tr(f"cat_{c}", lang)
        n0, n1 = _col(g0, f"night_dist_{c}_m") <= thr, _col(g1, f"night_dist_{c}_m") <= thr
        rows.gains("residents_night_access", ("sc_night_access", "sc_night_gain",
                                              "sc_night_loss", "sc_night_new"),
                   n0, n1, people, lang, c, cat=cat, thr=fmt(thr, lang))
        add("median_night_detour", tr("sc_detour", lang, cat=cat), "ratio",
            _median(g0, f"night_detour_{c}", w0, orders),
            _median(g1, f"night_detour_{c}", w1, orders), better(f"night_detour_{c}"), c)
        add("median_distance_m", tr("sc_dist", lang, cat=cat), "m",
            _median(g0, f"dist_{c}_m", w0, orders),
            _median(g1, f"dist_{c}_m", w1, orders), better(f"dist_{c}_m"), c)
    if "lit_share" in g1:
        p0, p1 = _col(g0, "path_m") * share, _col(g1, "path_m") * share
        add("lit_share", tr("sc_lit_km", lang), "share", _wmean(_col(g0, "lit_share"), p0),
            _wmean(_col(g1, "lit_share"), p1), better("lit_share"))
    for c, k in (("eyes_on_street", "sc_eyes"), ("safety_index", "sc_safety")):
        if c in g1:
            add(c, tr(k, lang), "", _wmean(_col(g0, c), w0), _wmean(_col(g1, c), w1), better(c))
    for what, up, down in (("safety", ds > CHANGE_EPS, ds < -CHANGE_EPS),
                           ("access", shorter, longer)):
        wt = tr(f"sc_what_{what}", lang)
        up, down = up & in_area, down & in_area
        add(f"cells_{what}_better", tr("sc_cells_gain", lang, what=wt), "cells", 0, 0,
            "higher", only_change=float(up.sum()))
        add(f"cells_{what}_worse", tr("sc_cells_lose", lang, what=wt), "cells", 0, 0,
            "lower", only_change=float(down.sum()))
        add(f"residents_{what}_better", tr("sc_res_gain", lang, what=wt), "persons", 0, 0,
            "higher", only_change=_share_sum(up, stay))
        add(f"residents_{what}_worse", tr("sc_res_lose", lang, what=wt), "persons", 0, 0,
            "lower", only_change=_share_sum(down, stay))
    return list(rows)


def headline_column(grid_change: pd.DataFrame) -> str | None:
    """The first :data:`HEADLINE` column whose ``<col>_change`` in ``grid_change`` is not 0."""
    for c in HEADLINE:
        k = f"{c}_change"
        if k in grid_change and (np.abs(grid_change[k].astype(float)) > CHANGE_EPS).any():
            return c
    return None
