"""Safety-walk findings in the safety layer, the area summaries, the council map and scenarios.

Findings (:mod:`geoplan.sources.findings`) are what residents, police and staff noted on a
walk. Only **open** findings count; fixed ones are kept for the record (``findings_fixed``).

Per grid cell (:func:`findings_per_cell`, indexed by ``cell_id``)

``findings_open``, ``findings_severity_sum``, ``findings_fixed``
    open findings in the cell, the sum of their severities (1-3 each) and fixed findings. A point
    belongs to the first cell containing it (as lamps do); a line to **every** cell it runs
    through (a dark stretch across two cells makes both feel unsafe), so per-cell counts of
    lines may add up to more than the number of findings.
``findings_open_<category>``
    open findings of each of :data:`KEY_CATEGORIES`.

Safety index component (:func:`apply_findings_to_safety`)

``safety_no_open_findings`` = 1 - min(findings_severity_sum / :data:`SEVERITY_SCALE`, 1):
1 without open findings, 0 with open findings of total severity >= 6 (two very serious, three
serious or six minor ones). It joins the index with the weight ``no_open_findings`` (default
**0**, so results without findings are unchanged): ``safety_index = 100 × Σ wᵢ cᵢ / Σ wᵢ`` over
the components of :class:`~geoplan.types.SafetyWeights` plus this one.

Example
-------
>>> import geopandas as gpd, shapely
>>> from geoplan.grid import GridSpec, make_grid
>>> cells = make_grid(shapely.box(0, 0, 200, 100), 3006, GridSpec(100))
>>> f = gpd.GeoDataFrame({"finding_id": ["1", "2", "3"],
...                       "category": ["dark_spot", "tunnel", "dark_spot"],
...                       "severity": [3, 2, 1], "status": ["open", "open", "fixed"]},
...                      geometry=shapely.points([[50, 50], [60, 40], [150, 50]]), crs=3006)
>>> per_cell = findings_per_cell(f, cells)
>>> per_cell[["findings_open", "findings_severity_sum", "findings_fixed"]].values.tolist()
[[2, 5, 0], [0, 0, 1]]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import CRSError, GeoplanError
from ..i18n import register_texts, tr
from ..sources.findings import CATEGORIES, CATEGORY_COLOURS
from ..types import SafetyWeights
from .safety import points_in_cells

__all__ = [
    "ADDRESSED_BY",
    "FINDINGS_CELL_COLUMNS",
    "KEY_CATEGORIES",
    "SEVERITY_SCALE",
    "addressed_findings",
    "apply_findings_to_safety",
    "findings_area_summary",
    "findings_map_layer",
    "findings_per_cell",
    "findings_safety",
    "open_findings",
]

#: Categories with their own per-cell count.
KEY_CATEGORIES: tuple[str, ...] = ("dark_spot", "broken_lamp", "hidden_corner", "vegetation",
                                   "tunnel")
#: ``safety_no_open_findings`` = 1 - min(severity sum of open findings / this, 1).
SEVERITY_SCALE = 6.0
#: Columns of :func:`findings_per_cell`, in order.
FINDINGS_CELL_COLUMNS: tuple[str, ...] = (
    "findings_open", "findings_severity_sum", "findings_fixed",
    *(f"findings_open_{c}" for c in KEY_CATEGORIES),
)
#: What a scenario edit can address: categories per kind of edit (:func:`addressed_findings`).
ADDRESSED_BY: dict[str, tuple[str, ...]] = {
    "new_lamps": ("dark_spot", "broken_lamp"),
    "lit_edges": ("dark_spot",),
}

TEXTS: dict[str, dict[str, str]] = {
    "finding_addressed_lamp": {"en": "new lamp {d} m away"},
    "finding_addressed_lit": {"en": "newly lit path {d} m away"},
    "finding_addressed_lit_line": {"en": "{share} % of the stretch along a newly lit path"},
    "finding_legend_open": {"en": "open safety-walk findings"},
}
register_texts(TEXTS)


def _check(findings: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("category", "severity", "status") if c not in findings.columns]
    if missing:
        raise GeoplanError(f"findings lack column(s) {missing}: read them with "
                           "geoplan.sources.findings.read_findings")
    if findings.crs is None:
        raise CRSError("the findings have no CRS: read them with read_findings (it sets one)")


def open_findings(findings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The open findings (``status == 'open'``).

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"category": ["tunnel"] * 2, "severity": [1, 2],
    ...                       "status": ["open", "fixed"]}, geometry=shapely.points([[0, 0],
    ...                       [1, 1]]), crs=3006)
    >>> open_findings(f)["severity"].tolist()
    [1]
    """
    _check(findings)
    return findings[findings["status"] == "open"]


def _count_into(out: pd.DataFrame, f: gpd.GeoDataFrame, f_idx: np.ndarray,
                target_idx: np.ndarray) -> pd.DataFrame:
    """Add the finding counts to ``out`` (one row per target) and return it.

    ``f_idx[k]`` is a row of ``f`` that lies in the row ``target_idx[k]`` of ``out``: open
    findings, their summed severity, fixed findings and open findings per key category.

    >>> f = pd.DataFrame({"status": ["open", "fixed"], "severity": [2, 1],
    ...                   "category": ["dark_spot", "other"]})
    >>> out = _count_into(pd.DataFrame(index=[0, 1]), f, np.array([0, 1]), np.array([1, 1]))
    >>> out[["findings_open", "findings_severity_sum", "findings_fixed"]].values.tolist()
    [[0, 0, 0], [1, 2, 1]]
    """
    n = len(out)
    is_open = (f["status"] == "open").to_numpy()[f_idx]
    sev = f["severity"].to_numpy(float)[f_idx]
    cat = f["category"].to_numpy(object)[f_idx]
    out["findings_open"] = np.bincount(target_idx[is_open], minlength=n).astype(np.int64)
    out["findings_severity_sum"] = np.bincount(target_idx[is_open], weights=sev[is_open],
                                               minlength=n).astype(np.int64)
    out["findings_fixed"] = np.bincount(target_idx[~is_open], minlength=n).astype(np.int64)
    for c in KEY_CATEGORIES:
        m = is_open & (cat == c)
        out[f"findings_open_{c}"] = np.bincount(target_idx[m], minlength=n).astype(np.int64)
    return out


def _cells_of(findings: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """(finding position, cell position) pairs: points once, lines in every cell they cross."""
    geoms = np.asarray(findings.geometry.values, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    pf, pc = np.flatnonzero(is_point), points_in_cells(geoms[is_point], cells)
    keep = pc >= 0
    lf, lc = np.empty(0, np.int64), np.empty(0, np.int64)
    if (~is_point).any():
        squares = np.asarray(cells.geometry.values, dtype=object)
        li = np.flatnonzero(~is_point)
        a, b = shapely.STRtree(squares).query(geoms[li], predicate="intersects")
        inside = shapely.length(shapely.intersection(geoms[li][a], squares[b])) > 0
        lf, lc = li[a[inside]], b[inside]
    return np.concatenate([pf[keep], lf]), np.concatenate([pc[keep], lc])


def findings_per_cell(findings: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> pd.DataFrame:
    """Open findings, their severity sum, per key category, and fixed findings per cell.

    Parameters
    ----------
    findings : geopandas.GeoDataFrame
        Normalised findings (:func:`geoplan.sources.findings.read_findings`), any CRS.
    cells : geopandas.GeoDataFrame
        Grid cells indexed by ``cell_id``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``cells``, columns :data:`FINDINGS_CELL_COLUMNS` (integers; 0 where none).
        ``attrs['outside']``: findings in no cell.

    Examples
    --------
    See the module doc.
    """
    _check(findings)
    f = findings.to_crs(cells.crs) if findings.crs != cells.crs else findings
    fi, ci = _cells_of(f, cells)
    out = _count_into(pd.DataFrame(index=cells.index), f, fi, ci)
    out.attrs["outside"] = int(len(f) - len(np.unique(fi)))
    return out


def apply_findings_to_safety(
    safety: pd.DataFrame,
    per_cell: pd.DataFrame,
    *,
    weight: float | None = None,
    weights: SafetyWeights | None = None,
    scale: float = SEVERITY_SCALE,
) -> pd.DataFrame:
    """The findings component and the safety index with it (the columns to replace/add).

    Parameters
    ----------
    safety : pandas.DataFrame
        :func:`geoplan.indicators.safety.safety_indicators` output (``path_m`` and the
        ``safety_<component>`` columns), indexed by ``cell_id``.
    per_cell : pandas.DataFrame
        :func:`findings_per_cell` for the same cells.
    weight : float, optional
        Raw weight of ``no_open_findings`` next to the raw weights of ``weights`` (which sum to
        1 by default, so 0.1 gives the findings a tenth of the index before normalising). Default:
        ``weights.no_open_findings`` when that field exists, else 0 — and with 0 the index is
        returned unchanged.
    weights : SafetyWeights, optional
        The weights the index was made with.
    scale : float
        Severity sum at which the component reaches 0.

    Returns
    -------
    pandas.DataFrame
        ``safety_no_open_findings`` (0..1, 1 safer; NaN without path, like the other components)
        and ``safety_index`` (0..100), indexed like ``safety``.

    Examples
    --------
    >>> safety = pd.DataFrame({"path_m": [100.0, 100.0], "safety_lit": [1.0, 1.0],
    ...     "safety_no_dark_stretch": [1.0, 1.0], "safety_no_tunnel": [1.0, 1.0],
    ...     "safety_connectivity": [1.0, 1.0], "safety_eyes_on_street": [1.0, 1.0],
    ...     "safety_index": [100.0, 100.0]}, index=["a", "b"])
    >>> per_cell = pd.DataFrame({"findings_severity_sum": [0, 3]}, index=["a", "b"])
    >>> apply_findings_to_safety(safety, per_cell, weight=0.25).round(1).values.tolist()
    [[1.0, 100.0], [0.5, 90.0]]
    """
    weights = weights or SafetyWeights()
    if weight is None:
        weight = float(getattr(weights, "no_open_findings", 0.0))
    if weight < 0:
        raise GeoplanError(f"the findings weight must be >= 0, got {weight}")
    if not scale > 0:
        raise GeoplanError(f"the severity scale must be > 0, got {scale}")
    sev = per_cell["findings_severity_sum"].reindex(safety.index).fillna(0).to_numpy(float)
    has_path = safety["path_m"].to_numpy(float) > 0
    comp = np.where(has_path, 1.0 - np.minimum(sev / scale, 1.0), np.nan)
    out = pd.DataFrame({"safety_no_open_findings": comp}, index=safety.index)
    if weight == 0:
        out["safety_index"] = safety["safety_index"].to_numpy(float)
        return out
    raw = {k: v for k, v in weights.as_dict().items() if k != "no_open_findings"}
    total = sum(raw.values()) + weight
    index = sum(v * safety[f"safety_{k}"].to_numpy(float) for k, v in raw.items())
    out["safety_index"] = 100.0 * (index + weight * comp) / total
    return out


def findings_safety(safety: pd.DataFrame, cells: gpd.GeoDataFrame, findings: gpd.GeoDataFrame,
                    *, weight: float = 0.0, weights: SafetyWeights | None = None) -> pd.DataFrame:
    """The findings step of the safety layer: ``safety`` with the findings per cell
    (:func:`findings_per_cell`) and, by ``weight``, the component ``safety_no_open_findings``
    and the safety index with it (:func:`apply_findings_to_safety`).

    The one findings step of :func:`geoplan.study.compute_layers` and of a scenario's
    recompute, so a run and a scenario give the same index.

    Parameters
    ----------
    safety : pandas.DataFrame
        :func:`geoplan.indicators.safety.safety_indicators` for ``cells`` (all of the study).
    cells : geopandas.GeoDataFrame
        Grid cells indexed by ``cell_id``.
    findings : geopandas.GeoDataFrame
        Normalised findings (:func:`geoplan.sources.findings.read_findings`).
    weight, weights
        As in :func:`apply_findings_to_safety`.

    Returns
    -------
    pandas.DataFrame
        ``safety`` with :data:`FINDINGS_CELL_COLUMNS`, ``safety_no_open_findings`` and the
        updated ``safety_index``.

    Examples
    --------
    See the module doc.
    """
    per_cell = findings_per_cell(findings, cells)
    updated = apply_findings_to_safety(safety, per_cell, weight=weight, weights=weights)
    out = safety.join(per_cell)
    out[updated.columns] = updated
    return out


def findings_area_summary(summary: gpd.GeoDataFrame, findings: gpd.GeoDataFrame
                          ) -> gpd.GeoDataFrame:
    """Add open findings per area to an area summary (:func:`~geoplan.indicators.equity.
    area_summary`): a finding counts in every area polygon it touches, once.

    Adds ``findings_open``, ``findings_severity_sum``, ``findings_fixed`` and
    ``findings_open_<category>`` for :data:`KEY_CATEGORIES`. The last row (the whole study area,
    its geometry the union of the cells) counts the findings inside the study area.

    Examples
    --------
    >>> areas = gpd.GeoDataFrame({"code": ["X", "Y"]}, geometry=[shapely.box(0, 0, 100, 100),
    ...                          shapely.box(100, 0, 200, 100)], crs=3006)
    >>> f = gpd.GeoDataFrame({"category": ["tunnel", "dark_spot"], "severity": [2, 3],
    ...                       "status": ["open", "open"]},
    ...                      geometry=shapely.points([[50, 50], [150, 50]]), crs=3006)
    >>> findings_area_summary(areas, f)[["code", "findings_open", "findings_open_tunnel"]
    ...                                 ].values.tolist()
    [['X', 1, 1], ['Y', 1, 0]]
    """
    _check(findings)
    if summary.crs is None:
        raise CRSError("the area summary has no CRS")
    f = findings.to_crs(summary.crs) if findings.crs != summary.crs else findings
    fg = np.asarray(f.geometry.values, dtype=object)
    ag = np.asarray(summary.geometry.values, dtype=object)
    a_idx, f_idx = shapely.STRtree(fg).query(ag, predicate="intersects")
    return _count_into(summary.copy(), f, f_idx, a_idx)


def findings_map_layer(findings: gpd.GeoDataFrame, *, lang: str = "en",
                       include_fixed: bool = False, crs=None) -> gpd.GeoDataFrame:
    """Findings ready to draw on a map: colour per category, size per severity, legend labels.

    Parameters
    ----------
    findings : geopandas.GeoDataFrame
        Normalised findings.
    lang : str
        Language of ``label`` (the legend text of the category).
    include_fixed : bool
        Also fixed findings (drawn grey, ``label`` = "fixed" in ``lang``).
    crs
        CRS to draw in (the map's), default the findings'.

    Returns
    -------
    geopandas.GeoDataFrame
        ``finding_id``, ``category``, ``label``, ``colour`` (hex), ``severity``, ``marker_size``
        (points², 30/60/110 for severity 1/2/3, for ``matplotlib`` ``scatter``), ``linewidth``
        (1.2/2/3 for lines), ``status``, geometry; sorted so severe findings are drawn last (on
        top). ``attrs['legend']`` is ``{label: colour}`` in category order, only of the
        categories present.

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"finding_id": ["1"], "category": ["broken_lamp"], "severity": [3],
    ...                       "status": ["open"]}, geometry=shapely.points([[0, 0]]), crs=3006)
    >>> m = findings_map_layer(f, lang="sv")
    >>> m[["label", "colour", "marker_size"]].values.tolist(), m.attrs["legend"]
    ([['trasig lampa', '#ff7f00', 110.0]], {'trasig lampa': '#ff7f00'})
    """
    _check(findings)
    f = findings if include_fixed else open_findings(findings)
    if crs is not None:
        f = f.to_crs(crs)
    fixed = (f["status"] == "fixed").to_numpy()
    key = np.where(fixed, "fixed", f["category"].to_numpy(object))
    labels = {c: tr(f"finding_{c}", lang) for c in CATEGORIES}
    labels["fixed"] = tr("finding_status_fixed", lang)
    sev = f["severity"].to_numpy(int)
    out = gpd.GeoDataFrame({
        "finding_id": f["finding_id"].to_numpy() if "finding_id" in f else np.arange(len(f)),
        "category": f["category"].to_numpy(object),
        "label": [labels[k] for k in key],
        "colour": [CATEGORY_COLOURS[k] for k in key],
        "severity": sev,
        "marker_size": np.array([30.0, 60.0, 110.0])[np.clip(sev, 1, 3) - 1],
        "linewidth": np.array([1.2, 2.0, 3.0])[np.clip(sev, 1, 3) - 1],
        "status": f["status"].to_numpy(object),
    }, geometry=f.geometry.values, crs=f.crs)
    order = np.lexsort((out["severity"].to_numpy(), ~fixed))
    out = out.iloc[order].reset_index(drop=True)
    present = set(key)
    out.attrs["legend"] = {labels[k]: CATEGORY_COLOURS[k]
                           for k in (*CATEGORIES, "fixed") if k in present}
    return out


def _metric(*frames) -> object:
    for g in frames:
        if g is not None and g.crs is not None and g.crs.is_projected:
            return g.crs
    raise CRSError("addressed_findings needs a metric CRS: give the findings, lamps or paths in "
                   "the run's CRS (e.g. EPSG:3006)")


def _addressed_by(f: gpd.GeoDataFrame, fg: np.ndarray, g: np.ndarray, kind: str,
                  radius_m: float, lang: str):
    """Yield ``(finding position, distance, reason)`` for the open findings ``f`` (geometries
    ``fg``) that the new lamps / newly lit paths ``g`` address (rules of
    :func:`addressed_findings`)."""
    cand = np.flatnonzero(f["category"].isin(ADDRESSED_BY[kind]).to_numpy())
    if len(cand) == 0:
        return
    fi, gi = shapely.STRtree(g).query(fg[cand], predicate="dwithin", distance=radius_m)
    near = pd.Series(shapely.distance(fg[cand][fi], g[gi])).groupby(fi).min()
    is_line = shapely.get_type_id(fg) != 0
    for j, d in near.items():
        i = int(cand[j])
        if kind == "lit_edges" and is_line[i]:
            cover = shapely.union_all(shapely.buffer(g[gi[fi == j]], radius_m))
            share = shapely.length(shapely.intersection(fg[i], cover)) / max(
                shapely.length(fg[i]), 1e-9)
            if share >= 0.5:
                yield i, d, tr("finding_addressed_lit_line", lang, share=round(100 * share))
        else:
            key = "finding_addressed_lamp" if kind == "new_lamps" else "finding_addressed_lit"
            yield i, d, tr(key, lang, d=round(float(d)))


def addressed_findings(
    findings: gpd.GeoDataFrame,
    *,
    new_lamps: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    lit_edges: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    radius_m: float = 25.0,
    lang: str = "en",
) -> pd.DataFrame:
    """Which open findings a scenario addresses, and why.

    Rules (:data:`ADDRESSED_BY`):

    * a **new lamp** within ``radius_m`` (the lamp radius of the lighting rule) of an open
      ``dark_spot`` or ``broken_lamp`` finding addresses it (a new lamp next to a broken one is
      counted: the spot is lit again);
    * a **newly lit path** (``lit_edges``: the edges the scenario lights or builds lit — pass only
      those, e.g. scenario edges with ``lit == 'yes'`` that were not lit before) within
      ``radius_m`` of an open ``dark_spot`` point addresses it; a ``dark_spot`` line is addressed
      when at least half of its length lies within ``radius_m`` of such paths.

    Parameters
    ----------
    findings : geopandas.GeoDataFrame
        Normalised findings.
    new_lamps : GeoDataFrame or GeoSeries of points, optional
    lit_edges : GeoDataFrame or GeoSeries of lines, optional
        With a ``lit`` column, only rows with ``lit == 'yes'`` are used.
    radius_m : float
        Distance in metres.
    lang : str
        Language of ``reason``.

    Returns
    -------
    pandas.DataFrame
        One row per addressed finding (the first reason when several apply; lamps first):
        ``finding_id``, ``category``, ``severity``, ``addressed_by`` ('new_lamps' /
        'lit_edges'), ``distance_m`` and ``reason`` (text in ``lang``). ``len()`` is the number
        the change table reports.

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"finding_id": ["1", "2", "3"],
    ...     "category": ["dark_spot", "vegetation", "broken_lamp"], "severity": [3, 2, 2],
    ...     "status": ["open", "open", "open"]},
    ...     geometry=shapely.points([[0, 0], [5, 0], [500, 0]]), crs=3006)
    >>> lamps = gpd.GeoSeries(shapely.points([[10, 0]]), crs=3006)
    >>> addressed_findings(f, new_lamps=lamps)[["finding_id", "addressed_by", "reason"]
    ...                                        ].values.tolist()
    [['1', 'new_lamps', 'new lamp 10 m away']]
    """
    if radius_m <= 0:
        raise GeoplanError(f"radius_m must be > 0 metres, got {radius_m}")
    cols = ["finding_id", "category", "severity", "addressed_by", "distance_m", "reason"]
    f = open_findings(findings)
    if lit_edges is not None and "lit" in getattr(lit_edges, "columns", ()):
        lit_edges = lit_edges[lit_edges["lit"] == "yes"]
    given = [g for g in (new_lamps, lit_edges) if g is not None and len(g)]
    if len(f) == 0 or not given:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    crs = _metric(f, *given)
    f = f.to_crs(crs) if f.crs != crs else f
    fg = np.asarray(f.geometry.values, dtype=object)
    ids = f["finding_id"].to_numpy() if "finding_id" in f else np.arange(len(f)).astype(str)
    rows: dict[int, dict] = {}
    for kind, src in (("new_lamps", new_lamps), ("lit_edges", lit_edges)):
        if src is None or len(src) == 0:
            continue
        if src.crs is None:
            raise CRSError(f"{kind} have no CRS: set it, e.g. .set_crs('EPSG:3006')")
        g = np.asarray(src.to_crs(crs).geometry.values, dtype=object)
        for i, d, reason in _addressed_by(f, fg, g, kind, radius_m, lang):
            if i not in rows:
                rows[i] = {"finding_id": ids[i], "category": f["category"].iloc[i],
                           "severity": int(f["severity"].iloc[i]), "addressed_by": kind,
                           "distance_m": float(d), "reason": reason}
    out = pd.DataFrame([rows[i] for i in sorted(rows)], columns=cols)
    return out
