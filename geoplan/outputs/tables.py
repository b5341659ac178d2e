"""The run's results as tables: one Excel workbook (``tables.xlsx``) and CSV files.

``tables.xlsx`` (xlsxwriter) has one sheet per summary table — the indicators (what each grid
column means), areas (when the run has an area layer), scenario changes (when the run is a scenario run), safety-walk findings (when the run has
findings), data quality and method parameters —
each with a frozen, filterable header row, column widths and number formats by column (distances
and residents as whole numbers, shares as percentages, the index with one decimal). Excel shows
the numbers with the reader's own decimal separator, so one file serves sv, da and en readers;
sheet names and the descriptive columns are in the report's language. Column names of the areas
sheet are geoplan's stable column names, as in the GeoPackage. The grid itself (one row per cell:
tens of thousands for a municipality, too many to write and read as a workbook) is in
``grid.csv`` and in the GeoPackage.

``grid.csv``, ``areas.csv`` (and ``areas_change.csv`` for a scenario) are UTF-8 (with a byte-order
mark, so Excel opens å, ä, ö, æ, ø correctly), comma-separated with a decimal point: data for
other programs. Every file is written atomically.

Example
-------
>>> import pandas as pd
>>> number_format("dist_grocery_m"), number_format("green_scb_300m_pop_share")
('#,##0', '0.0%')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_path
from ..columns import catalogue, describe
from ..i18n import register_texts, tr

__all__ = [
    "areas_table",
    "add_change_measures",
    "change_table",
    "findings_table",
    "grid_table",
    "indicator_table",
    "number_format",
    "parameters_table",
    "quality_table",
    "write_csv",
    "write_tables",
    "write_xlsx",
]

TEXTS: dict[str, dict[str, str]] = {
    "sheet_grid": {"en": "grid"},
    "sheet_areas": {"en": "areas"},
    "sheet_indicators": {"en": "indicators"},
    "col_column": {"en": "column"},
    "col_label": {"en": "indicator"},
    "col_unit": {"en": "unit"},
    "col_better": {"en": "better when"},
    "col_description": {"en": "description"},
    "better_higher": {"en": "higher"},
    "better_lower": {"en": "lower"},
    "sheet_changes": {"en": "changes"},
    "sheet_findings": {"en": "safety-walk findings"},
    "col_category_label": {"en": "category (text)"},
    "col_kind": {"en": "drawn as"},
    "kind_point": {"en": "point"},
    "kind_line": {"en": "line"},
    "sheet_quality": {"en": "data quality"},
    "sheet_parameters": {"en": "method parameters"},
    "col_measure": {"en": "measure"},
    "col_value": {"en": "value"},
    "col_section": {"en": "section"},
    "col_key": {"en": "key"},
    "q_source": {"en": "OSM extract"},
    "q_lit_share": {"en": "share of walkable length lit"},
    "q_dark_share": {"en": "share of walkable length not lit"},
    "q_unknown_share": {"en": "share of walkable length with unknown lighting"},
    "q_lamps": {"en": "street lamps (OSM + register)"},
    "q_green_areas": {"en": "green spaces (number)"},
    "q_buildings": {"en": "buildings"},
    "q_km_by": {"en": "km {lit}, source: {source}"},
    "q_dest": {"en": "destinations: {cat}"},
}
register_texts(TEXTS)

_PERCENT = ("_share", "_pop_share", "data_confidence")
_WHOLE = ("_m", "_m2", "pop", "cells", "_km2", "_count", "dead_ends", "eyes_residents",
          "active_ground_floors")


def number_format(column: str) -> str:
    """Excel number format of a geoplan column, by its name.

    >>> number_format("safety_index"), number_format("n_school_800m"), number_format("x")
    ('0.0', '#,##0', '#,##0.00')
    >>> number_format("pop_change"), number_format("findings_open"), number_format("severity")
    ('+#,##0;-#,##0;0', '#,##0', '0')
    """
    base = column
    change = column.endswith("_change")
    if change:
        base = column[: -len("_change")]
    for suffix in ("_before", "_after"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    kind = getattr(describe(base), "kind", "")
    if kind == "share" or base.endswith(_PERCENT):
        f = "0.0%"
    elif kind == "count":
        f = "#,##0"
    elif base == "severity":
        f = "0"
    elif base.startswith("findings_") or base == "open_findings":
        f = "#,##0"
    elif base.startswith("safety") or base in ("eyes_on_street", "lamps_per_km") \
            or base.startswith(("night_detour", "gravity_")):
        f = "0.0" if base.startswith("safety") else "0.00"
    elif base.startswith("n_") or base.startswith("night_n_") or base.endswith(_WHOLE) \
            or base in ("pop", "lamp_count", "tunnel_count"):
        f = "#,##0"
    else:
        f = "#,##0.00"
    if change:
        return f"+{f};-{f};0" if "%" not in f else "+0.0%;-0.0%;0.0%"
    return f


def grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid layer as a plain table: ``cell_id`` first, no geometry, ±inf as missing.

    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"pop": [1.0], "cell_id": ["c"]}, geometry=[shapely.box(0, 0, 1, 1)])
    >>> grid_table(g).columns.tolist()
    ['cell_id', 'pop']
    """
    df = pd.DataFrame(grid.drop(columns="geometry", errors="ignore")).copy()
    if "cell_id" not in df.columns and df.index.name == "cell_id":
        df = df.reset_index()
    cols = ["cell_id"] + [c for c in df.columns if c != "cell_id"] if "cell_id" in df else list(df)
    df = df[cols]
    num = df.select_dtypes("number").columns
    df[num] = df[num].replace([np.inf, -np.inf], np.nan)
    return df.reset_index(drop=True)


def indicator_table(columns, lang: str = "en", spec=None, *, findings: bool = False
                    ) -> pd.DataFrame:
    """What each of ``columns`` is, from the indicator catalogue (:mod:`geoplan.columns`):
    column, label, unit, better direction and description in ``lang``; columns the catalogue
    does not describe are left out.

    >>> indicator_table(["cell_id", "dist_school_m", "x"], "sv").iloc[0, :4].tolist()
    ['dist_school_m', 'Gångavstånd till närmaste skola', 'm', 'lägre']
    """
    cat = catalogue(spec, findings=findings)
    rows = []
    for c in columns:
        ind = cat.get(c) or describe(c, spec)
        if ind is None or ind.kind == "text":
            continue
        rows.append([c, ind.label(lang), ind.unit,
                     tr(f"better_{ind.better}", lang) if ind.better else "",
                     ind.description(lang)])
    heads = [tr(f"col_{k}", lang) for k in ("column", "label", "unit", "better", "description")]
    return pd.DataFrame(rows, columns=heads)


def areas_table(areas: pd.DataFrame | None) -> pd.DataFrame | None:
    """The area summaries as a plain table (no geometry), or None."""
    return None if areas is None else grid_table(areas)


#: Measures of ``changes.csv`` that have no column in ``areas_change`` (they are counted from
#: data other than the grid, e.g. the safety walk's open findings).
CHANGE_MEASURES: tuple[str, ...] = ("open_findings",)


def add_change_measures(table: pd.DataFrame, changes: pd.DataFrame | None,
                        measures: tuple[str, ...] = CHANGE_MEASURES) -> pd.DataFrame:
    """``table`` (an ``areas_change`` table) with ``<measure>_before/_after/_change`` columns
    for each of ``measures`` that ``changes.csv`` has, matched on the area key (rows of other
    areas stay empty). ``table`` is returned unchanged when ``changes`` has none of them.

    >>> t = pd.DataFrame({"code": ["A", "__study_area__"], "pop_change": [1.0, 2.0]})
    >>> c = pd.DataFrame({"area_key": ["__study_area__"], "measure": ["open_findings"],
    ...                   "category": [None], "before": [26.0], "after": [24.0],
    ...                   "change": [-2.0]})
    >>> add_change_measures(t, c)["open_findings_change"].tolist()
    [nan, -2.0]
    """
    if changes is None or not {"measure", "area_key", "before", "after", "change"} <= set(
            changes.columns):
        return table
    rows = changes[changes["measure"].isin(measures)]
    if "category" in rows.columns:  # the measure itself, not a breakdown by category
        rows = rows[rows["category"].isna() | (rows["category"].astype(str) == "")]
    if not len(rows):
        return table
    keys = set(rows["area_key"].astype(str))
    key_col = next((c for c in table.columns if c != "geometry" and (
        table[c].dtype == object or pd.api.types.is_string_dtype(table[c]))
        and keys & set(table[c].astype(str))), None)
    if key_col is None:
        return table
    out = table.copy()
    for m in dict.fromkeys(rows["measure"]):
        sub = rows[rows["measure"] == m].drop_duplicates("area_key")
        sub = sub.set_index(sub["area_key"].astype(str))
        for v in ("before", "after", "change"):
            out[f"{m}_{v}"] = out[key_col].astype(str).map(
                pd.to_numeric(sub[v], errors="coerce")).astype(float)
    return out


def change_table(areas_change: pd.DataFrame | None,
                 changes: pd.DataFrame | None) -> pd.DataFrame | None:
    """A scenario's change table: the ``areas_change`` layer (with the measures of
    :data:`CHANGE_MEASURES` from ``changes.csv``, see :func:`add_change_measures`), else
    ``changes.csv``, else None."""
    if areas_change is not None:
        return add_change_measures(grid_table(areas_change), changes)
    return None if changes is None else changes.copy()


def findings_table(findings: pd.DataFrame | None, lang: str = "en") -> pd.DataFrame | None:
    """A run's safety-walk findings as a table, open ones first and the most serious first.

    Columns: ``finding_id``, ``category`` (code), the category in ``lang``, ``severity``,
    ``status``, ``date``, ``walk``, ``note``, ``photo``, drawn as point or line, ``x``/``y``
    (the point, or the middle of the line, in the run's CRS) and ``length_m`` of lines.

    >>> import geopandas as gpd, shapely
    >>> f = gpd.GeoDataFrame({"finding_id": ["1"], "category": ["tunnel"], "severity": [2],
    ...                       "status": ["open"]}, geometry=[shapely.Point(10, 20)], crs=3006)
    >>> findings_table(f, "sv").iloc[0, :4].tolist()
    ['1', 'tunnel', 'tunnel / gångtunnel', 2]
    """
    if findings is None:
        return None
    import shapely

    from ..sources.findings import CATEGORIES

    df = pd.DataFrame(findings).copy()
    geoms = np.asarray(df["geometry"].values, dtype=object) if "geometry" in df else \
        np.full(len(df), None, dtype=object)
    is_line = np.array([g is not None and "Line" in g.geom_type for g in geoms], dtype=bool)
    mid = np.array([shapely.line_interpolate_point(g, 0.5, normalized=True) if line else g
                    for g, line in zip(geoms, is_line, strict=True)], dtype=object)
    valid = np.array([g is not None and not g.is_empty for g in mid], dtype=bool)
    x = np.full(len(df), np.nan)
    y = np.full(len(df), np.nan)
    if valid.any():
        x[valid], y[valid] = shapely.get_x(mid[valid]), shapely.get_y(mid[valid])
    labels = {c: tr(f"finding_{c}", lang) for c in CATEGORIES}

    def col(name: str) -> pd.Series:
        return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index)

    out = pd.DataFrame({
        "finding_id": col("finding_id").astype(object),
        "category": col("category"),
        tr("col_category_label", lang): [labels.get(c, c) for c in col("category")],
        "severity": pd.to_numeric(col("severity"), errors="coerce").astype("Int64"),
        "status": col("status"),
        "date": col("date"),
        "walk": col("walk"),
        "note": col("note"),
        "photo": col("photo"),
        tr("col_kind", lang): [tr("kind_line" if line else "kind_point", lang)
                               for line in is_line],
        "x": x, "y": y,
        "length_m": np.where(is_line, [shapely.length(g) if line else np.nan
                                       for g, line in zip(geoms, is_line, strict=True)],
                             np.nan),
    })
    order = np.lexsort((out["finding_id"].astype(str).to_numpy(),
                        -out["severity"].fillna(0).to_numpy(int),
                        (out["status"] != "open").to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def quality_table(quality: Mapping, lang: str = "en") -> pd.DataFrame:
    """``data_quality.json`` as rows of (measure, value) in ``lang``.

    >>> quality_table({"lit_share": 0.8, "walkable_km": 10.0}, "sv").iloc[0].tolist()
    ['Gångbart nät (km)', 10.0]
    """
    q = dict(quality or {})
    rows: list[tuple[str, object]] = []

    def add(label: str, key: str) -> None:
        if key in q and q[key] is not None:
            rows.append((label, q[key]))

    add(tr("q_source", lang), "source")
    add(tr("crs", lang), "crs_name")
    add(tr("area_km2", lang), "area_km2")
    add(tr("walkable_km", lang), "walkable_km")
    add(tr("q_lit_share", lang), "lit_share")
    add(tr("q_dark_share", lang), "dark_share")
    add(tr("q_unknown_share", lang), "unknown_share")
    words = {"yes": "lit", "no": "dark", "unknown": "unknown"}
    for key, km in sorted((q.get("km_by_lit_source") or {}).items()):
        lit, src = key.split("_", 1)
        rows.append((tr("q_km_by", lang, lit=tr(words.get(lit, lit), lang),
                        source=tr("source_" + src, lang)), km))
    if "lamps_osm" in q:
        rows.append((tr("q_lamps", lang), int(q.get("lamps_osm", 0)) + int(
            q.get("lamps_register", 0))))
    add(tr("green_ha", lang), "green_ha")
    add(tr("public_green_ha", lang), "public_green_ha")
    add(tr("q_green_areas", lang), "green_areas")
    add(tr("q_buildings", lang), "buildings")
    add(tr("buildings_levels_known", lang), "buildings_levels_known")
    for cat, n in (q.get("destinations") or {}).items():
        rows.append((tr("q_dest", lang, cat=tr("cat_" + cat, lang)), n))
    return pd.DataFrame(rows, columns=[tr("col_measure", lang), tr("col_value", lang)])


def _flatten(d: Mapping, prefix: str = "") -> list[tuple[str, str, object]]:
    rows = []
    for k, v in d.items():
        if isinstance(v, Mapping) and v and all(not isinstance(x, Mapping) for x in v.values()) \
                and prefix:
            rows += [(prefix, f"{k}.{kk}", vv) for kk, vv in v.items()]
        elif isinstance(v, Mapping):
            rows += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        else:
            if isinstance(v, list | tuple):
                v = ", ".join(str(x) for x in v)
            rows.append((prefix, str(k), v))
    return rows


def parameters_table(pipeline: Mapping, lang: str = "en") -> pd.DataFrame:
    """The pipeline as run (``provenance['pipeline']``) as rows of (section, key, value).

    >>> parameters_table({"green": {"within_m": 300.0}}, "da").values.tolist()
    [['green', 'within_m', 300.0]]
    """
    rows = [(s, k, v) for s, k, v in _flatten(dict(pipeline or {})) if s]
    rows = [(s, k, "" if v is None else v) for s, k, v in rows]
    return pd.DataFrame(rows, columns=[tr("col_section", lang), tr("col_key", lang),
                                       tr("col_value", lang)])


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and not math.isfinite(v)) or v is pd.NA or (
        isinstance(v, np.floating) and not np.isfinite(v))


#: Workbooks of up to this many cells are put together in memory (xlsxwriter's
#: ``in_memory``), without its temporary file per part (eleven per workbook, each written,
#: read back into the zip and removed); larger ones use temporary files, so that their memory
#: stays bounded.
IN_MEMORY_CELLS = 1_000_000


def write_xlsx(path, sheets: Mapping[str, pd.DataFrame], *, formats: Mapping[str, str] | None
               = None) -> Path:
    """Write ``sheets`` into one workbook atomically: frozen header, filter, number formats.

    Parameters
    ----------
    path
        Target ``.xlsx``.
    sheets
        ``{sheet name: table}`` in order; names are cut to Excel's 31 characters.
    formats
        ``{column: Excel number format}`` overriding :func:`number_format`.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> _ = write_xlsx(p, {"grid": pd.DataFrame({"cell_id": ["a"], "pop": [12.4]})})
    >>> ws = openpyxl.load_workbook(p)["grid"]
    >>> ws.freeze_panes, ws["B2"].value, ws["B2"].number_format
    ('A2', 12.4, '#,##0')
    """
    import xlsxwriter

    path = Path(path)
    formats = dict(formats or {})
    in_memory = sum(df.size for df in sheets.values()) <= IN_MEMORY_CELLS
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False,
                                            "strings_to_urls": False, "in_memory": in_memory})
        head = wb.add_format({"bold": True, "bg_color": "#e8eef4", "bottom": 1,
                              "text_wrap": True, "valign": "top"})
        cache: dict[str, object] = {}
        for name, df in sheets.items():
            ws = wb.add_worksheet(str(name)[:31])
            cols = list(df.columns)
            for j, c in enumerate(cols):
                ws.write_string(0, j, str(c), head)
                s = df[c]
                numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
                fmt_text = formats.get(str(c)) or (number_format(str(c)) if numeric else None)
                cell_fmt = None
                if fmt_text:
                    cell_fmt = cache.setdefault(fmt_text, wb.add_format({"num_format": fmt_text}))
                width = max(len(str(c)) + 2, 10)
                if isinstance(s.dtype, pd.StringDtype):  # text or missing: no test per value
                    for i, v in enumerate(s.tolist(), start=1):
                        if isinstance(v, str):
                            ws.write_string(i, j, v)
                    longest = s.str.len().max()
                    if longest == longest:  # (NaN: no text)
                        width = max(width, min(int(longest) + 2, 60))
                    ws.set_column(j, j, min(width, 60))
                    continue
                for i, v in enumerate(s.tolist(), start=1):
                    if _is_missing(v):
                        continue
                    if isinstance(v, bool | np.bool_):
                        ws.write_boolean(i, j, bool(v))
                    elif isinstance(v, int | float | np.integer | np.floating):
                        ws.write_number(i, j, float(v), cell_fmt)
                    else:
                        text = str(v)
                        width = max(width, min(len(text) + 2, 60))
                        ws.write_string(i, j, text)
                ws.set_column(j, j, min(width, 60))
            ws.freeze_panes(1, 1 if len(cols) > 3 else 0)
            if len(df):
                ws.autofilter(0, 0, len(df), max(len(cols) - 1, 0))
        wb.close()
    return path


def write_csv(path, df: pd.DataFrame) -> Path:
    """Write ``df`` as UTF-8 CSV (with BOM, comma, decimal point) atomically.

    >>> import tempfile, pathlib
    >>> p = write_csv(pathlib.Path(tempfile.mkdtemp()) / "a.csv", pd.DataFrame({"å": [1.5]}))
    >>> p.read_bytes()[:3] == b"\\xef\\xbb\\xbf", pd.read_csv(p, encoding="utf-8-sig")["å"][0]
    (True, 1.5)
    """
    path = Path(path)
    with atomic_path(path, suffix=".csv") as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig")
    return path


def write_tables(run, folder, *, lang: str = "en") -> list[Path]:
    """Write ``tables.xlsx`` and the CSV files of a run (see the module doc).

    Parameters
    ----------
    run
        A :class:`geoplan.outputs.maps.RunData`.
    folder
        Where to write.
    lang
        Language of sheet names and descriptive columns.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(folder)
    grid = grid_table(run.grid)
    areas = areas_table(run.areas)
    change = change_table(run.areas_change, run.changes)
    findings = findings_table(getattr(run, "findings", None), lang)
    sheets = {tr("sheet_indicators", lang): indicator_table(
                  grid.columns, lang, getattr(run, "access", None),
                  findings=getattr(run, "findings", None) is not None)}
    if areas is not None:
        sheets[tr("sheet_areas", lang)] = areas
    if change is not None:
        sheets[tr("sheet_changes", lang)] = change
    if findings is not None:
        sheets[tr("sheet_findings", lang)] = findings
    sheets[tr("sheet_quality", lang)] = quality_table(run.quality or {}, lang)
    sheets[tr("sheet_parameters", lang)] = parameters_table(run.pipeline, lang)
    files = [write_xlsx(folder / "tables.xlsx", sheets), write_csv(folder / "grid.csv", grid)]
    if areas is not None:
        files.append(write_csv(folder / "areas.csv", areas))
    if run.areas_change is not None:
        files.append(write_csv(folder / "areas_change.csv", change))
    return files
