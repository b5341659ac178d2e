"""A report a municipal council can decide on: maps, key numbers in plain words, tables, method.

:func:`write_report` reads a run folder (``OUT/geoplan.gpkg``, ``provenance.json``,
``data_quality.json``, and for a scenario run ``grid_change``/``areas_change``/``changes.csv``) and
writes into ``OUT/report/`` (in the run's language; another language into ``OUT/report_<lang>/``,
so both stay side by side), every file atomically:

``report.pdf``
    A4, multi-page (reportlab): a title page (the study's title, the run's date), the key numbers
    in plain words and the table per area (and, for a scenario, the change per area), one page
    per map, the method (indicator definitions, thresholds and weights as run; how much of the
    lighting is known; where residents are estimated) and the data sources with attribution. It
    cites ``provenance.json``, from which the run can be repeated
    (:func:`pipeline_from_provenance`).
``maps/<indicator>.png`` and ``maps/<indicator>.pdf``
    each headline map (:mod:`geoplan.outputs.maps`) as PNG and vector PDF; a scenario run adds
    ``<indicator>_before``, ``_after`` and ``_change``; a run with safety-walk findings adds
    ``findings`` (and a key number, and a findings sheet in ``tables.xlsx``).
``tables.xlsx``, ``grid.csv``, ``areas.csv``
    the tables (:mod:`geoplan.outputs.tables`).

Every text exists in English, Swedish and Danish and numbers are written for the language
(decimal comma and a space between thousands in sv/da) through :func:`geoplan.i18n.fmt`.

Example
-------
>>> import tempfile, pathlib
>>> from geoplan.config import parse_pipeline
>>> from geoplan.runs.pipeline import run_pipeline
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250', out)
>>> _ = run_pipeline(cfg, out)
>>> result = write_report(out, lang="da")
>>> result.pdf.relative_to(out).as_posix(), result.pages >= 8
('report_da/report.pdf', True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .. import __version__
from ..atomic import atomic_path, ensure_writable_dir, staged_folder
from ..columns import STUDY_AREA_KEY
from ..i18n import fmt, fmt_pct, register_texts, tr
from ..progress import Progress, report, scaled
from ..runs import folder as rf
from ..runs.folder import pipeline_from_provenance
from .maps import (
    MapFile,
    RunData,
    binary_images,
    format_date,
    indicator_title,
    load_run,
    missing_destinations,
    write_maps,
)
from .tables import add_change_measures, write_tables

__all__ = [
    "ReportResult",
    "area_table",
    "change_sentences",
    "change_table_rows",
    "data_warnings",
    "findings_sentence",
    "key_number_map",
    "key_numbers",
    "method_notes",
    "pipeline_from_provenance",
    "round_people",
    "source_notes",
    "write_report",
    "write_report_into",
]

TEXTS: dict[str, dict[str, str]] = {
    # the PDF's Keywords metadata (searchable in document managers and diarie systems)
    "rep_keywords": {
        "en": "walking access, access after dark, street lighting, green space, safety, "
              "neighbourhood planning, OpenStreetMap, geoplan"},
    "rep_subtitle": {
        "en": "Walking access, access after dark, green space and safety of the walking paths"},
    "rep_data_date": {"en": "Data and analysis as of {date}"},
    "rep_made": {"en": "Report made on {date} with geoplan {version}"},
    "rep_scenario_run": {
        "en": "This run compares the situation before and after a proposal (scenario)."},
    "rep_contents": {"en": "Contents"},
    "rep_key_numbers": {"en": "Key numbers"},
    "rep_per_area": {"en": "Results per area"},
    "rep_change": {"en": "What the proposal changes"},
    "rep_change_per_area": {"en": "Change per area (before → after)"},
    "rep_maps": {"en": "Maps"},
    "rep_method": {"en": "Method"},
    "rep_sources": {"en": "Data sources and attribution"},
    "rep_map_n": {"en": "Map {n}. {title}"},
    "rep_page": {"en": "page {n}"},
    # key numbers
    "kn_residents": {
        "en": "About {pop} residents live in the study area ({km2} km², {cells} grid cells of "
              "{size} m × {size} m)."},
    "kn_residents_estimated": {
        "en": "The number of residents is an estimate from the floor area of OpenStreetMap "
              "buildings, not a count."},
    "kn_green": {
        "en": "{pop} residents ({pct}) live within {m} m walk of a public green space of at "
              "least {ha} ha."},
    "kn_grocery": {
        "en": "Half of the residents walk at most {m} m to the nearest grocery store; {pop} "
              "residents ({pct}) have one within {r} m."},
    "kn_school_night": {
        "en": "{pop} residents ({pct}) have a school within {m} m by day but cannot reach one "
              "within {m} m on lit paths after dark."},
    "kn_school_night_range": {
        "en": "Between {lo} ({plo}) and {hi} residents ({phi}) have a school within {m} m by day "
              "but cannot reach one within {m} m on lit paths after dark: {hi} if the paths of "
              "unknown lighting are dark, {lo} if they are lit."},
    "kn_missing": {
        "en": "No {cats} in the data: the walk to one, by day and after dark, is not measured "
              "and not given here."},
    "kn_safety": {
        "en": "Half of the residents live where the safety index of the walking paths is {x} "
              "or higher (scale 0–100)."},
    "kn_lighting": {
        "en": "Of the {km} km walkable network, {lit} is lit, {dark} is not lit and the lighting "
              "of {unknown} is unknown."},
    "kn_confidence": {
        "en": "{pop} residents ({pct}) live in cells where the lighting of less than half of "
              "the paths is known: read the safety index there with care."},
    "kn_findings": {
        "en": "{n} open findings from safety walks, {dark}."},
    "kn_findings_one": {
        "en": "{n} open finding from safety walks, {dark}."},
    "kn_findings_none": {
        "en": "No open findings from safety walks."},
    "kn_findings_dark": {
        "en": "{k} of them dark spots or broken lamps"},
    "kn_findings_dark_one": {
        "en": "{k} of them a dark spot or broken lamp"},
    "kn_findings_dark_none": {
        "en": "none of them dark spots or broken lamps"},
    "kn_findings_fixed": {
        "en": "Fixed since the walks (not counted): {n}."},
    "kn_change_count": {
        "en": "{what}: {before} before, {after} after ({delta})."},
    "th_open_findings": {"en": "Open safety-walk findings"},
    "kn_change_yes": {
        "en": "{what}: {before} residents before, {after} after ({delta})."},
    "kn_change_median": {
        "en": "{what} (half of the residents, at most): {before} before, {after} after."},
    "kn_change_median_high": {
        "en": "{what} (half of the residents, at least): {before} before, {after} after."},
    "pp": {"en": "p.p."},
    "kn_change_none": {
        "en": "The change layers hold none of the headline indicators; see changes.csv."},
    # table heads
    "th_area": {"en": "Area"},
    "th_residents": {"en": "Residents"},
    "th_green": {"en": "Green space ≤ {m} m"},
    "th_grocery": {"en": "Grocery store, median distance"},
    "th_school_night": {"en": "Lose school after dark"},
    "th_safety": {"en": "Safety index (area mean)"},
    "th_safety_pop": {"en": "Safety index (mean over residents)"},
    "whole_study_area": {"en": "Whole study area"},
    "table_note": {
        "en": "Shares are shares of the area's residents; distances are medians over residents. "
              "The safety index is a mean over the area's land (so an area without residents "
              "has one) and, beside it, over its residents."},
    # method
    "m_grid": {
        "en": "The study area is divided into square cells of {size} m (INSPIRE-style cell ids). "
              "Residents of a cell start walking from one point, the centre of its residential "
              "floor area, attached along the nearest walkable path (never to the nearest "
              "junction) and only to parts of the network at least {comp} m long."},
    "m_pop_buildings": {
        "en": "Residents are estimated from OpenStreetMap buildings: residential floor area "
              "(footprint × floors) ÷ {m2} m² per person (SCB's average). Where the number of "
              "floors is not mapped, {levels} floors are assumed ({known} of {n} buildings "
              "have a known number of floors)."},
    "m_pop_other": {
        "en": "Residents come from {source}, allocated to cells through residential floor area."},
    "m_access": {
        "en": "Access: the shortest walk along the network from the cell's starting point to "
              "the nearest destination of each kind (dist_…_m; empty when none can be reached), "
              "the number within {radii} m, and a gravity score where a destination counts "
              "half at {half} m and not at all beyond {cut} m. Destinations are attached along "
              "paths, not to the nearest junction."},
    "m_night": {
        "en": "After dark: the same on lit paths only; paths whose lighting is unknown count "
              "as {unknown_as}. A destination is lost after dark when it is within {m} m by day "
              "and not within {m} m on lit paths (loses_…_at_night). A resident may walk their "
              "own, possibly dark, path to its ends."},
    "m_green": {
        "en": "Green space: public parks, woods, meadows and similar areas, overlaps merged, "
              "reached at their edge or entrances by walking distance. SCB's measure "
              "(green_scb_300m): a green space of at least {scb} ha within {m} m; WHO's "
              "(green_who_300m): at least {who} ha. Green m² per resident counts green space "
              "within {pc} m."},
    "m_safety": {
        "en": "Safety index (0–100, higher is safer): a weighted sum of five components of the "
              "paths in the cell, each from 0 to 1. The weights are a documented starting "
              "point, not a standard; the municipality can set its own ([safety.weights])."},
    "th_component": {"en": "Component"},
    "th_weight": {"en": "Weight"},
    "m_lighting": {
        "en": "Lighting of each path: the OpenStreetMap lit tag; without a tag, lit when at "
              "least {share} of the path lies within {r} m of a street lamp. Everything else is "
              "unknown and reported as unknown."},
    "m_confidence": {
        "en": "Data confidence: the lighting is known for {known} of the walkable network "
              "({tag} from the lit tag, {lamps} from street lamps, {assumed} assumed by rule). "
              "Each cell's share of paths with known lighting is its data_confidence; the "
              "safety map hatches cells below one half."},
    "m_unattached": {
        "en": "{dest} destinations and {orig} cell starting points could not be attached to the "
              "network and are listed in the GeoPackage, not silently dropped."},
    "m_reproduce": {
        "en": "Reproducibility: {provenance} in the run folder holds the pipeline exactly as "
              "run (every parameter, with defaults), the SHA-256 of every input file and the "
              "software versions. Writing its pipeline back as a TOML file and running it with "
              "geoplan run gives the same results."},
    # sources
    "s_osm": {
        "en": "Map data: {file} (SHA-256 {sha}), © OpenStreetMap contributors, available under "
              "the Open Database License (ODbL) 1.0, openstreetmap.org/copyright."},
    "s_input": {"en": "{what}: {file} (SHA-256 {sha})."},
    "s_provenance": {
        "en": "Provenance: {provenance} (run of {date}, geoplan {version}, coordinate system "
              "{crs})."},
    "s_versions": {"en": "Software: {versions}."},
    "s_files": {
        "en": "Files of this report: report.pdf, maps/ (PNG and vector PDF), tables.xlsx, "
              "grid.csv{areas}. The full results with QGIS styles are in {gpkg}."},
    "in_safety_walk": {"en": "Safety-walk findings"},
    "in_lamps": {"en": "Lamp register"},
    "in_area": {"en": "Study area"},
    "in_population_areas": {"en": "Statistical areas"},
    "in_population_grid": {"en": "Population grid"},
    "in_summary_areas": {"en": "Summary areas"},
    "in_population_table": {"en": "Population table"},
    "map_caption": {
        "en": "Classes and colours are the same as in the QGIS style stored in {gpkg}."},
    "map_caption_scenario": {
        "en": "Before and after use the same classes; the change map shows improvements in "
              "blue and worsening in red."},
}
register_texts(TEXTS)


@dataclass(frozen=True)
class ReportResult:
    """What :func:`write_report` wrote: the folder, the PDF and its page count, the maps, the
    table files, and the text laid out on each page of the PDF (``page_texts[0]`` is page 1)."""

    folder: Path
    pdf: Path
    pages: int
    maps: tuple[MapFile, ...]
    tables: tuple[Path, ...]
    page_texts: tuple[str, ...] = ()
    #: the per-area atlas (:func:`geoplan.outputs.atlas.write_atlas`), when asked for
    atlas: Path | None = None

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file written."""
        return (self.pdf, *(f for m in self.maps for f in (m.png, m.pdf)), *self.tables,
                *([self.atlas] if self.atlas else []))

    def moved(self, old: Path, new: Path) -> ReportResult:
        """The same result with every path under ``old`` (a staging folder) now under ``new``."""
        def mv(p: Path) -> Path:
            return Path(new) / Path(p).relative_to(old)

        return ReportResult(folder=mv(self.folder), pdf=mv(self.pdf), pages=self.pages,
                            maps=tuple(replace(m, png=mv(m.png), pdf=mv(m.pdf))
                                       for m in self.maps),
                            tables=tuple(mv(t) for t in self.tables),
                            page_texts=self.page_texts,
                            atlas=mv(self.atlas) if self.atlas else None)


# --------------------------------------------------------------------------------------------
# numbers in words
# --------------------------------------------------------------------------------------------
def round_people(n: float) -> float:
    """Residents rounded as a council reads them: to 10 below 1 000, else to 100.

    >>> round_people(7312.4), round_people(43.0), round_people(4.0)
    (7300.0, 40.0, 4.0)
    """
    n = float(n)
    if not np.isfinite(n):
        return n
    if abs(n) < 10:
        return float(round(n))
    return float(round(n, -1 if abs(n) < 1000 else -2))


def _people(n: float, lang: str) -> str:
    return fmt(round_people(n), lang, 0)


def _w(grid: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(grid[col], errors="coerce").astype(float).to_numpy()


def _pop(grid: pd.DataFrame, col: str = "pop") -> np.ndarray:
    return np.nan_to_num(_w(grid, col)) if col in grid.columns else np.zeros(len(grid))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    from ..indicators.equity import weighted_median

    v = np.where(np.isnan(values), np.inf, values)  # a missing distance: none reachable
    return weighted_median(v, weights)


def _yes_share(grid: pd.DataFrame, col: str, pop_col: str = "pop") -> tuple[float, float]:
    pop = _pop(grid, pop_col)
    yes = np.nan_to_num(_w(grid, col)) > 0.5
    total = pop.sum()
    n = float(pop[yes].sum())
    return n, (n / total if total > 0 else float("nan"))


def _round_m(m: float) -> float:
    """Metres as a council reads them: to 10 m from 100 m up."""
    return float(round(m, -1)) if m >= 100 else float(round(m))


def _distance(m: float, lang: str) -> str:
    if not np.isfinite(m):
        return tr("nodata_unreachable", lang)
    return f"{fmt(_round_m(m), lang, 0)} m"


def key_number_map(run: RunData, lang: str = "en") -> dict[str, str]:
    """The run's key numbers as plain sentences in ``lang``, keyed by what they are about
    (``residents``, ``residents_estimated``, ``green``, ``grocery``, ``school_night``,
    ``safety``, ``lighting``, ``confidence``, and ``findings`` when the run has safety-walk
    findings); missing columns give no sentence. A destination category the data holds none
    of (:func:`~geoplan.outputs.maps.missing_destinations`) gives no figure: ``missing`` says
    so instead of "0 residents (0 %)".

    >>> import geopandas as gpd, shapely
    >>> grid = gpd.GeoDataFrame({"pop": [7000.0, 8000.0], "green_scb_300m": [1, 0]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=3006)
    >>> list(key_number_map(RunData(Path("."), grid=grid), "en"))
    ['residents', 'green']
    """
    g = run.grid
    out: dict[str, str] = {}
    pop = _pop(g)
    total = pop.sum()
    size = run.cell_size_m
    q = run.quality or {}
    if q.get("area_km2"):
        km2 = float(q["area_km2"])
    elif "area_m2" in g.columns:
        km2 = float(np.nansum(_w(g, "area_m2"))) / 1e6
    else:
        km2 = float(g.geometry.union_all().area) / 1e6 if len(g) else 0.0
    out["residents"] = tr("kn_residents", lang, pop=_people(total, lang), km2=fmt(km2, lang, 2),
                  cells=fmt(len(g), lang, 0), size=fmt(size, lang, 0))
    if "pop_source" in g.columns and (g["pop_source"].astype(str).str.startswith(
            "buildings")).any():
        out["residents_estimated"] = tr("kn_residents_estimated", lang)
    if "green_scb_300m" in g.columns:
        n, share = _yes_share(g, "green_scb_300m")
        out["green"] = tr("kn_green", lang, pop=_people(n, lang), pct=fmt_pct(share, lang),
                      m=fmt(run.access.green_within_m, lang, 0),
                      ha=fmt(run.access.green_scb_min_ha, lang, 1))
    missing = missing_destinations(run)
    if missing:
        out["missing"] = tr("kn_missing", lang, cats=", ".join(tr(f"cat_{c}", lang)
                                                                for c in missing))
    if "dist_grocery_m" in g.columns and total > 0 and "grocery" not in missing:
        d = _w(g, "dist_grocery_m")
        r = float(min(run.access.radii_m))
        near = (np.nan_to_num(d, nan=np.inf) <= r)
        n = float(pop[near].sum())
        med = _weighted_median(d, pop)
        out["grocery"] = tr("kn_grocery", lang, m=fmt(_round_m(med), lang, 0) if np.isfinite(med)
                      else "—", pop=_people(n, lang), pct=fmt_pct(n / total, lang),
                      r=fmt(r, lang, 0))
    if "loses_school_at_night" in g.columns and "school" not in missing:
        out["school_night"] = _school_night(g, run.access.night_threshold_m, lang)
    if "safety_index" in g.columns and total > 0:
        s = _w(g, "safety_index")
        ok = np.isfinite(s)
        if ok.any() and pop[ok].sum() > 0:
            med = _weighted_median(s[ok], pop[ok])
            out["safety"] = tr("kn_safety", lang, x=fmt(med, lang, 0))
    if q.get("walkable_km"):
        out["lighting"] = tr("kn_lighting", lang, km=fmt(q["walkable_km"], lang, 1),
                      lit=fmt_pct(q.get("lit_share", 0), lang),
                      dark=fmt_pct(q.get("dark_share", 0), lang),
                      unknown=fmt_pct(q.get("unknown_share", 0), lang))
    if "data_confidence" in g.columns and total > 0:
        low = _w(g, "data_confidence") < 0.5
        n = float(pop[low].sum())
        out["confidence"] = tr("kn_confidence", lang, pop=_people(n, lang), pct=fmt_pct(n / total, lang))
    if run.findings is not None:
        out["findings"] = findings_sentence(run.findings, lang)
    return out


def _school_night(g: pd.DataFrame, threshold_m: float, lang: str) -> str:
    """The key number of schools lost after dark: both bounds when it depends on the paths of
    unknown lighting (columns ``…_if_unknown_dark/_lit`` of the run), else the one figure."""
    m = fmt(threshold_m, lang, 0)
    cols = [f"loses_school_at_night_if_unknown_{k}" for k in ("dark", "lit")]
    if set(cols) <= set(g.columns):
        (n_hi, p_hi), (n_lo, p_lo) = (_yes_share(g, c) for c in cols)
        if round_people(n_hi) != round_people(n_lo):
            return tr("kn_school_night_range", lang, hi=_people(n_hi, lang),
                      phi=fmt_pct(p_hi, lang), lo=_people(n_lo, lang), plo=fmt_pct(p_lo, lang),
                      m=m)
    n, share = _yes_share(g, "loses_school_at_night")
    return tr("kn_school_night", lang, pop=_people(n, lang), pct=fmt_pct(share, lang), m=m)


def findings_sentence(findings: pd.DataFrame, lang: str = "en") -> str:
    """The key number of a safety walk: open findings, how many are dark spots or broken lamps
    (what new lamps can address), and how many were fixed.

    >>> f = pd.DataFrame({"category": ["dark_spot", "broken_lamp", "tunnel", "dark_spot"],
    ...                   "status": ["open", "open", "open", "fixed"]})
    >>> findings_sentence(f, "en")
    '3 open findings from safety walks, 2 of them dark spots or broken lamps. Fixed since the walks (not counted): 1.'
    >>> findings_sentence(f.iloc[[2]], "sv")
    '1 öppen synpunkt från trygghetsvandringar, ingen av dem en mörk plats eller trasig lampa.'
    """
    from ..indicators.findings import ADDRESSED_BY

    status = findings["status"].astype(str).to_numpy() if len(findings) else np.array([])
    is_open = status == "open"
    n = int(is_open.sum())
    fixed = int((status == "fixed").sum())
    k = int((is_open & findings["category"].isin(ADDRESSED_BY["new_lamps"]).to_numpy()).sum()) \
        if n else 0
    if n == 0:
        text = tr("kn_findings_none", lang)
    else:
        dark = tr("kn_findings_dark" if k > 1 else "kn_findings_dark_one" if k == 1
                  else "kn_findings_dark_none", lang, k=fmt(k, lang, 0))
        text = tr("kn_findings_one" if n == 1 else "kn_findings", lang, n=fmt(n, lang, 0),
                  dark=dark)
    if fixed:
        text += " " + tr("kn_findings_fixed", lang, n=fmt(fixed, lang, 0))
    return text


def key_numbers(run: RunData, lang: str = "en") -> list[str]:
    """The run's key numbers as plain sentences in ``lang`` (population-weighted).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> grid = gpd.GeoDataFrame({"pop": [7000.0, 8000.0], "green_scb_300m": [1, 0]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=3006)
    >>> key_numbers(RunData(Path("."), grid=grid), "sv")[1]
    '7\\xa0000 invånare (47\\xa0%) bor inom 300 m gångväg från en allmän grönyta på minst 0,5 ha.'
    """
    return list(key_number_map(run, lang).values())


def data_warnings(run: RunData, lang: str = "en") -> list[str]:
    """Warnings about implausible input (:func:`geoplan.runs.folder.quality_warnings` of the
    run's ``data_quality.json``), shown after the key numbers.

    >>> q = {"buildings_by_use": {"unknown": 9, "residential": 1}}
    >>> data_warnings(RunData(Path("."), grid=None, quality=q), "da")[0][:37]
    'Kun 10\xa0% af bygningerne har kendt anv'
    """
    return [text for _, text in rf.quality_warnings(run.quality or {}, lang)]


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------
_AREA_COLUMNS = (  # (column in the areas layer, heading key, kind)
    ("pop", "th_residents", "people"),
    ("green_scb_300m_pop_share", "th_green", "share"),
    ("dist_grocery_m", "th_grocery", "distance"),
    ("loses_school_at_night_pop_share", "th_school_night", "share"),
    ("safety_index", "th_safety", "index"),
    ("safety_index_pop_mean", "th_safety_pop", "index"),
)
#: change-table columns from ``changes.csv`` (:func:`geoplan.outputs.tables.add_change_measures`)
_CHANGE_MEASURE_COLUMNS = (("open_findings", "th_open_findings", "count"),)


def _cell(v, kind: str, lang: str) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "—"
    if kind == "distance":
        return _distance(x, lang) if not np.isnan(x) else "—"
    if not np.isfinite(x):
        return "—"
    if kind == "people":
        return _people(x, lang)
    if kind == "share":
        return fmt_pct(x, lang)
    return fmt(x, lang, 0)


def _area_labels(run: RunData, df: pd.DataFrame, lang: str) -> list[str]:
    areas = run.config.summary_areas
    key, name = (areas.key_column, areas.name_column) if areas is not None else (None, None)
    if key not in df.columns:
        key = next((c for c in df.columns if c != "geometry" and (
            df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))), None)
    labels = []
    for _, row in df.iterrows():
        k = row.get(key) if key else None
        if k == STUDY_AREA_KEY:
            labels.append(tr("whole_study_area", lang))
        elif name and name in df.columns and isinstance(row.get(name), str):
            labels.append(str(row[name]))
        else:
            labels.append(str(k) if k is not None else "")
    return labels


def _headings(run: RunData, cols, lang: str) -> list[str]:
    """The header row of an area table (distances as run)."""
    m = fmt(run.access.green_within_m, lang, 0)
    return [tr("th_area", lang)] + [tr(h, lang, m=m) for _, h, _ in cols]


def area_table(run: RunData, lang: str = "en") -> list[list[str]] | None:
    """The per-area table of the report (header row first), or None without areas.

    >>> import geopandas as gpd
    >>> a = gpd.GeoDataFrame({"code": ["A", "__study_area__"], "pop": [1234.0, 5000.0],
    ...                       "safety_index": [61.2, 70.4]})
    >>> area_table(RunData(Path("."), grid=None, areas=a), "da")[2]
    ['Hele analyseområdet', '5.000', '70']
    """
    a = run.areas
    if a is None or not len(a):
        return None
    cols = [(c, h, k) for c, h, k in _AREA_COLUMNS if c in a.columns]
    rows = [_headings(run, cols, lang)]
    for label, (_, row) in zip(_area_labels(run, a, lang), a.iterrows(), strict=True):
        rows.append([label] + [_cell(row[c], k, lang) for c, _, k in cols])
    return rows


def _change_base(columns: Sequence[str], base: str) -> tuple[str, str, str] | None:
    cols = tuple(f"{base}_{v}" for v in ("before", "after", "change"))
    return cols if set(cols) <= set(columns) else None


def change_table_rows(run: RunData, lang: str = "en") -> list[list[str]] | None:
    """The per-area change table (``before → after (change)``), header first, or None.

    >>> import geopandas as gpd
    >>> a = gpd.GeoDataFrame({"code": ["A"], "pop_before": [100.0], "pop_after": [180.0],
    ...                       "pop_change": [80.0]})
    >>> change_table_rows(RunData(Path("."), grid=None, areas_change=a), "en")[1]
    ['A', '100 → 180 (+80)']
    """
    a = run.areas_change
    if a is None or not len(a):
        return None
    a = add_change_measures(a, run.changes)
    cols = [(_change_base(a.columns, c), h, k) for c, h, k in (*_AREA_COLUMNS,
                                                               *_CHANGE_MEASURE_COLUMNS)]
    cols = [(c, h, k) for c, h, k in cols if c]
    if not cols:
        return None
    rows = [_headings(run, cols, lang)]
    for label, (_, row) in zip(_area_labels(run, a, lang), a.iterrows(), strict=True):
        cells = [label]
        for (b, af, ch), _, kind in cols:
            d = float(row[ch]) if pd.notna(row[ch]) else float("nan")
            if kind == "count" and not np.isfinite(d):
                cells.append("—")
                continue
            if kind == "share":
                delta, unit = fmt(100 * d, lang, 0), " " + tr("pp", lang)
            elif kind == "people":
                delta, unit = fmt(round_people(d), lang, 0), ""
            elif kind in ("distance", "count"):
                delta, unit = fmt(d, lang, 0), " m" if kind == "distance" else ""
            else:
                delta, unit = fmt(d, lang, 1), ""
            sign = "+" if np.isfinite(d) and d > 0 else ""
            cells.append(f"{_cell(row[b], kind, lang)} → {_cell(row[af], kind, lang)} "
                         f"({sign}{delta}{unit})")
        rows.append(cells)
    return rows


def change_sentences(run: RunData, lang: str = "en") -> list[str]:
    """Plain sentences on what a scenario changes (from ``grid_change``), or ``[]``."""
    g = run.grid_change
    if g is None:
        return [tr("kn_change_none", lang)] if run.changes is not None else []
    out = []
    pb = _pop(g, "pop_before" if "pop_before" in g.columns else "pop")
    pa = _pop(g, "pop_after" if "pop_after" in g.columns else "pop")
    for col in ("green_scb_300m", "loses_school_at_night"):
        cols = _change_base(g.columns, col)
        if cols is None:
            continue
        before = float(pb[np.nan_to_num(_w(g, cols[0])) > 0.5].sum())
        after = float(pa[np.nan_to_num(_w(g, cols[1])) > 0.5].sum())
        d = round_people(after) - round_people(before)
        out.append(tr("kn_change_yes", lang, what=indicator_title(run, col, lang),
                      before=_people(before, lang),
                      after=_people(after, lang),
                      delta=("+" if d > 0 else "") + fmt(d, lang, 0)))
    for col in ("dist_grocery_m", "safety_index"):
        cols = _change_base(g.columns, col)
        if cols is None:
            continue
        mb = _weighted_median(_w(g, cols[0]), pb)
        ma = _weighted_median(_w(g, cols[1]), pa)
        f = (lambda m: _distance(m, lang)) if col.endswith("_m") else (
            lambda m: fmt(m, lang, 0) if np.isfinite(m) else "—")
        key = "kn_change_median" if col.endswith("_m") else "kn_change_median_high"
        out.append(tr(key, lang, what=indicator_title(run, col, lang), before=f(mb),
                      after=f(ma)))
    out += _measure_sentences(run.changes, lang)
    return out or [tr("kn_change_none", lang)]


def _measure_sentences(changes: pd.DataFrame | None, lang: str) -> list[str]:
    """Sentences for the whole-study-area rows of ``changes.csv`` measures that the change
    layers do not hold (:data:`_CHANGE_MEASURE_COLUMNS`: the open safety-walk findings)."""
    if changes is None or not {"measure", "area_key", "before", "after", "change"} <= set(
            changes.columns):
        return []
    out = []
    for measure, heading, _ in _CHANGE_MEASURE_COLUMNS:
        rows = changes[(changes["measure"] == measure)
                       & (changes["area_key"].astype(str) == STUDY_AREA_KEY)]
        if "category" in rows.columns:
            rows = rows[rows["category"].isna() | (rows["category"].astype(str) == "")]
        for _, r in rows.head(1).iterrows():
            b, a, d = (float(pd.to_numeric(r[c], errors="coerce")) for c in ("before", "after",
                                                                             "change"))
            if not np.isfinite(d):
                continue
            out.append(tr("kn_change_count", lang, what=tr(heading, lang), before=fmt(b, lang, 0),
                          after=fmt(a, lang, 0),
                          delta=("+" if d > 0 else "") + fmt(d, lang, 0)))
    return out


# --------------------------------------------------------------------------------------------
# method and sources
# --------------------------------------------------------------------------------------------
def method_notes(run: RunData, lang: str = "en") -> list[str | list[list[str]]]:
    """The method section: paragraphs, and the safety weights as a table (a list of rows).

    Every threshold and weight is the run's own (:attr:`RunData.config`).
    """
    cfg = run.config
    acc, pop, q = cfg.access, cfg.population, run.quality or {}
    out: list = [tr("m_grid", lang, size=fmt(run.cell_size_m, lang, 0),
                    comp=fmt(acc.min_component_m, lang, 0))]
    src = str((run.pipeline.get("population") or {}).get("source") or "")
    if src == "buildings":
        out.append(tr("m_pop_buildings", lang, m2=fmt(1 / pop.persons_per_m2, lang, 0),
                      levels=fmt(pop.default_levels, lang, 0),
                      known=fmt(q.get("buildings_levels_known", 0), lang, 0),
                      n=fmt(q.get("buildings", 0), lang, 0)))
    elif src:
        word = {"statistics": "src_pop_statistics", "grid": "src_pop_grid"}.get(src, src)
        out.append(tr("m_pop_other", lang, source=tr(word, lang).split(" ", 2)[-1]
                      if word != src else src))
    out.append(tr("m_access", lang, radii="/".join(fmt(r, lang, 0) for r in acc.radii_m),
                  half=fmt(acc.gravity_half_distance_m, lang, 0),
                  cut=fmt(acc.gravity_cutoff_m, lang, 0)))
    unknown_as = tr("as_lit" if acc.night_unknown_as == "lit" else "as_dark", lang)
    out.append(tr("m_night", lang, unknown_as=unknown_as, m=fmt(acc.night_threshold_m, lang, 0)))
    out.append(tr("m_green", lang, scb=fmt(acc.green_scb_min_ha, lang, 1),
                  who=fmt(acc.green_who_min_ha, lang, 1), m=fmt(acc.green_within_m, lang, 0),
                  pc=fmt(acc.green_per_capita_within_m, lang, 0)))
    out.append(tr("m_safety", lang))
    weights = cfg.safety.as_dict()
    total = sum(weights.values()) or 1.0
    rows = [[tr("th_component", lang), tr("th_weight", lang)]]
    rows += [[tr(f"w_{k}", lang), fmt_pct(v / total, lang)] for k, v in weights.items()]
    out.append(rows)
    out.append(tr("m_lighting", lang, share=fmt_pct(cfg.lighting.min_lit_share, lang),
                  r=fmt(cfg.lighting.lamp_radius_m, lang, 0)))
    if q.get("walkable_km"):
        out.append(_confidence_note(q, lang))
    summary = (run.provenance or {}).get("summary") or {}
    out.append(tr("m_unattached", lang, dest=fmt(summary.get("destinations_unattached", 0),
                                                   lang, 0),
                  orig=fmt(summary.get("origins_unattached", 0), lang, 0)))
    out.append(tr("m_reproduce", lang, provenance=rf.PROVENANCE))
    return out


def _confidence_note(q: dict, lang: str) -> str:
    by = q.get("km_by_lit_source") or {}
    walk = float(q["walkable_km"])

    def part(source: str) -> str:
        return fmt_pct(sum(v for k, v in by.items() if k.endswith("_" + source)
                           and not k.startswith("unknown")) / walk, lang)

    return tr("m_confidence", lang, known=fmt_pct(1 - q.get("unknown_share", 0), lang),
              tag=part("tag"), lamps=part("lamps"), assumed=part("assumed"))


def source_notes(run: RunData, lang: str = "en") -> list[str]:
    """The data-sources section: inputs with their hashes, provenance, versions, attribution."""
    prov = run.provenance or {}
    inputs = prov.get("inputs") or {}
    out = []
    osm = inputs.get("osm") or {}
    out.append(tr("s_osm", lang, file=Path(str(osm.get("path", "?"))).name,
                  sha=str(osm.get("sha256", "?"))[:16] + "…"))
    for name, item in inputs.items():
        if name == "osm":
            continue
        key = "in_population_table" if name.startswith("population_table") else f"in_{name}"
        out.append(tr("s_input", lang, what=tr(key, lang), file=Path(str(item.get("path"))).name,
                      sha=str(item.get("sha256", "?"))[:16] + "…"))
    out.append(tr("s_provenance", lang, provenance=rf.PROVENANCE,
                  date=format_date(run.created, lang),
                  version=prov.get("geoplan", "?"), crs=prov.get("crs", "?")))
    versions = prov.get("versions") or {}
    if versions:
        out.append(tr("s_versions", lang, versions=", ".join(f"{k} {v}"
                                                              for k, v in versions.items())))
    out.append(tr("s_files", lang, areas=", areas.csv" if run.areas is not None else "",
                  gpkg=rf.GPKG))
    out.append(tr("attribution", lang) + " (ODbL)")
    return out


# --------------------------------------------------------------------------------------------
# the PDF
# --------------------------------------------------------------------------------------------
def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (shipped with matplotlib; covers å ä ö æ ø ≥ − …) with reportlab."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "GeoplanSans" not in pdfmetrics.getRegisteredFontNames():
        d = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("GeoplanSans", str(d / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("GeoplanSans-Bold", str(d / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily("GeoplanSans", normal="GeoplanSans",
                                      bold="GeoplanSans-Bold")
    return "GeoplanSans", "GeoplanSans-Bold"


def _styles():
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _fonts()
    ink = HexColor("#212121")
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=24, leading=30, textColor=ink,
                                spaceAfter=14),
        "subtitle": ParagraphStyle("subtitle", fontName=regular, fontSize=13, leading=18,
                                   textColor=HexColor("#424242"), spaceAfter=24),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=16, leading=21, textColor=ink,
                             spaceBefore=4, spaceAfter=10),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=12, leading=16, textColor=ink,
                             spaceBefore=10, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=14.5,
                               textColor=ink, spaceAfter=7),
        "bullet": ParagraphStyle("bullet", fontName=regular, fontSize=10.5, leading=15,
                                 textColor=ink, spaceAfter=6, leftIndent=14, bulletIndent=2),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8.5, leading=11.5,
                                textColor=HexColor("#424242"), spaceAfter=5),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5,
                               textColor=ink),
        "cellhead": ParagraphStyle("cellhead", fontName=bold, fontSize=8.5, leading=10.5,
                                   textColor=ink),
    }


_CELL_PAD = 6.0  # reportlab's default left and right padding of a table cell (points)


def _fit_columns(rows: list[list[str]], styles, width: float, first_col: float):
    """Column widths in which every word of every cell fits whole (so no header is split
    mid-word, e.g. "Trygghetsi/ndex"), and the cell styles: the given ones, or smaller type when
    the longest words do not fit the page at the cell size."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth

    n = len(rows[0])
    rest = (1 - first_col) / max(n - 1, 1)
    planned = [width * first_col] + [width * rest] * (n - 1)
    size = styles["cell"].fontSize
    while True:
        st = {k: ParagraphStyle(k, parent=styles[k], fontSize=size, leading=size * 1.24)
              for k in ("cell", "cellhead")}
        need = [max((stringWidth(w, st["cellhead" if i == 0 else "cell"].fontName, size)
                     for i, row in enumerate(rows) for w in str(row[j]).split()), default=0.0)
                + 2 * _CELL_PAD + 1.0 for j in range(n)]
        if sum(need) <= width or size <= 6.0:
            break
        size -= 0.5
    widths = [max(p, q) for p, q in zip(planned, need, strict=True)]
    slack = [max(p - q, 0.0) for p, q in zip(planned, need, strict=True)]
    over = sum(widths) - width
    if over > 0 and sum(slack) > 0:
        widths = [w - over * s / sum(slack) if s else w for w, s in zip(widths, slack, strict=True)]
    return widths, st


def _table(rows: list[list[str]], styles, width: float, first_col: float = 0.3):
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Table, TableStyle

    widths, st = _fit_columns(rows, styles, width, first_col)
    data = [[Paragraph(escape(str(c)), st["cellhead" if i == 0 else "cell"]) for c in row]
            for i, row in enumerate(rows)]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e8eef4")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, HexColor("#616161")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [HexColor("#ffffff"), HexColor("#f5f5f5")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


#: key numbers printed under each map
_MAP_NUMBERS = {"pop": ("residents", "residents_estimated"), "safety_index": ("safety",
                "confidence"), "dist_grocery_m": ("grocery",), "loses_school_at_night":
                ("school_night", "missing"), "green_scb_300m": ("green",), "lighting": ("lighting",),
                "findings": ("findings",)}


def _fit_image(png: Path, max_w: float, max_h: float):
    """A reportlab Image of ``png`` as large as fits in ``max_w`` × ``max_h`` points."""
    from PIL import Image as PILImage
    from reportlab.platypus import Image

    with PILImage.open(png) as im:
        w, h = im.size
    scale = min(max_w / w, max_h / h)
    return Image(str(png), width=w * scale, height=h * scale)


def _lead(text: str) -> str:
    """Escaped paragraph markup with the words before the first colon in bold."""
    head, sep, rest = text.partition(": ")
    if sep and len(head) <= 40:
        return f"<b>{escape(head)}:</b> {escape(rest)}"
    return escape(text)


def _story(run: RunData, lang: str, maps: Sequence[MapFile], width: float, height: float):
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

    st = _styles()

    def para(text: str, style: str = "body"):
        return Paragraph(escape(text), st[style])

    story = [Spacer(1, 5 * cm), para(run.title, "title"), para(tr("rep_subtitle", lang),
                                                                "subtitle"),
             para(tr("rep_data_date", lang, date=format_date(run.created, lang))),
             para(tr("rep_made", lang, date=format_date(dt.date.today(), lang),
                     version=__version__))]  # the geoplan that makes this report
    if run.is_scenario:
        story.append(para(tr("rep_scenario_run", lang)))
    contents = [tr("rep_key_numbers", lang), tr("rep_maps", lang), tr("rep_method", lang),
                tr("rep_sources", lang)]
    if run.is_scenario:
        contents.insert(1, tr("rep_change", lang))
    story += [Spacer(1, 1.2 * cm), para(tr("rep_contents", lang), "h2")]
    story += [Paragraph(escape(c), st["bullet"], bulletText="•") for c in contents]
    story += [Spacer(1, 1.5 * cm), para(tr("attribution", lang) + " (ODbL)", "small"),
              PageBreak()]

    story.append(para(tr("rep_key_numbers", lang), "h1"))
    story += [Paragraph(escape(s), st["bullet"], bulletText="•") for s in key_numbers(run, lang)]
    warnings = data_warnings(run, lang)
    if warnings:
        story += [para(tr("qw_title", lang), "h2")]
        story += [Paragraph(escape(s), st["bullet"], bulletText="!") for s in warnings]
    rows = area_table(run, lang)
    if rows:
        story += [para(tr("rep_per_area", lang), "h2"), _table(rows, st, width),
                  para(tr("table_note", lang), "small")]
    if run.is_scenario:
        story += [PageBreak(), para(tr("rep_change", lang), "h1")]
        story += [Paragraph(escape(s), st["bullet"], bulletText="•")
                  for s in change_sentences(run, lang)]
        rows = change_table_rows(run, lang)
        if rows:
            story += [para(tr("rep_change_per_area", lang), "h2"),
                      _table(rows, st, width, first_col=0.22)]
    story.append(PageBreak())

    numbers = key_number_map(run, lang)
    for i, m in enumerate(maps, start=1):
        caption = tr("map_caption_scenario" if m.variant in ("before", "after", "change")
                     else "map_caption", lang, gpkg=rf.GPKG)
        img = _fit_image(m.png, width, height - 3.2 * cm)
        reading = [Paragraph(escape(numbers[k]), st["bullet"], bulletText="•")
                   for k in _MAP_NUMBERS.get(m.key, ()) if k in numbers and m.variant == "level"]
        story += [KeepTogether([para(tr("rep_map_n", lang, n=i, title=m.title), "h2"), img,
                                *reading, para(caption, "small")]), PageBreak()]

    story.append(para(tr("rep_method", lang), "h1"))
    for item in method_notes(run, lang):
        if isinstance(item, list):
            story += [_table(item, st, width * 0.8, first_col=0.75), Spacer(1, 8)]
        else:
            story.append(Paragraph(_lead(item), st["body"]))
    story += [PageBreak(), para(tr("rep_sources", lang), "h1")]
    story += [Paragraph(_lead(s), st["body"]) for s in source_notes(run, lang)]
    return story


def _fit_text(text: str, width_of, room: float) -> str:
    """``text``, cut at a word and ended with "…" when ``width_of`` it exceeds ``room`` (the
    footer never runs into the page number).

    >>> _fit_text("a long footer line", len, 12), _fit_text("short", len, 12)
    ('a long…', 'short')
    """
    if width_of(text) <= room:
        return text
    words = text.split(" ")
    while len(words) > 1 and width_of(" ".join(words) + "…") > room:
        words.pop()
    return " ".join(words) + "…"


def _page_decorator(run: RunData, lang: str, pages: dict[int, list[str]]):
    from reportlab.lib.colors import HexColor
    from reportlab.lib.units import cm

    regular, _ = _fonts()
    credit = tr("attribution", lang)

    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(HexColor("#616161"))
        w, _ = doc.pagesize
        number = tr("rep_page", lang, n=doc.page)
        def width(t: str) -> float:
            return canvas.stringWidth(t, regular, 8)

        room = w - 4 * cm - width(number) - 12 - width(f" · {credit}")
        left = f"{_fit_text(run.title, width, room)} · {credit}"  # the credit stays whole
        canvas.drawString(2 * cm, 1.2 * cm, left)
        canvas.drawRightString(w - 2 * cm, 1.2 * cm, number)
        pages.setdefault(doc.page, []).extend([left, number])
        canvas.restoreState()

    return draw


def _flowable_text(flowable) -> str:
    """Plain text of a Paragraph or of a Table of Paragraphs ('' for images and spacers)."""
    if isinstance(flowable, list | tuple):
        return " ".join(_flowable_text(f) for f in flowable)
    if hasattr(flowable, "getPlainText"):
        return flowable.getPlainText()
    cells = getattr(flowable, "_cellvalues", None)
    if cells:
        return "\n".join(" | ".join(_flowable_text(c) if not isinstance(c, str) else c
                                    for c in row) for row in cells)
    return ""


#: The PDF's /Lang (BCP 47, as screen readers and PDF/UA expect it).
_PDF_LANG = {"en": "en-GB", "sv": "sv-SE", "da": "da-DK"}


def _build_pdf(path: Path, run: RunData, lang: str, maps: Sequence[MapFile],
               author: str | None = None) -> list[str]:
    """Write the PDF atomically; return the text laid out on each page (one string per page)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    pages: dict[int, list[str]] = {}

    class _Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable):  # noqa: N802 - reportlab's hook name
            text = _flowable_text(flowable)
            if text:
                pages.setdefault(self.page, []).append(text)

    deco = _page_decorator(run, lang, pages)
    with atomic_path(path, suffix=".pdf") as tmp, binary_images():
        doc = _Doc(str(tmp), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                   bottomMargin=2.2 * cm, title=run.title,
                   author=author or getattr(run.config, "author", "") or "geoplan",
                   subject=tr("rep_subtitle", lang), creator="geoplan", lang=_PDF_LANG[lang],
                   keywords=tr("rep_keywords", lang))
        doc.build(_story(run, lang, maps, doc.width, doc.height), onFirstPage=deco,
                  onLaterPages=deco)
    return ["\n".join(pages.get(i, [])) for i in range(1, max(pages, default=0) + 1)]


def write_report(out_dir, *, lang: str | None = None, dpi: int = 200,
                 progress: Progress | None = None, atlas=None,
                 author: str | None = None) -> ReportResult:
    """Write the report of the run in ``out_dir`` into ``out_dir/report/`` (the run's own
    language) or ``out_dir/report_<lang>/`` (another language: :func:`~geoplan.runs.folder.
    report_dir`), so reports in several languages stay side by side.

    Parameters
    ----------
    out_dir
        A folder ``geoplan run`` wrote (with ``geoplan.gpkg`` and ``provenance.json``).
    lang
        ``"en"``, ``"sv"`` or ``"da"``; default the pipeline's ``[output] lang``.
    dpi
        Resolution of the PNG maps (also embedded in the PDF); 200 prints well on A4.
    progress
        Progress sink; may cancel between steps.
    atlas
        A writer of a per-area atlas into the report folder, called as
        ``atlas(run, folder, lang=…, progress=…)``: :func:`geoplan.outputs.atlas.write_atlas`
        (``atlas.pdf``, one page per area of the run's ``[areas]``); None for none.
    author
        Author or organisation in the metadata of every PDF (report and maps); default the
        pipeline's ``[report] author``, else "geoplan".

    Returns
    -------
    ReportResult

    Raises
    ------
    geoplan.errors.InputFileError
        When the folder holds no run (or, with ``atlas``, no areas).
    """
    out = Path(out_dir)
    run = load_run(out)
    lang = lang or run.lang
    tr("attribution", lang)  # validates lang
    folder = ensure_writable_dir(out / rf.report_dir(lang, run.lang))
    # the report folder is replaced as one set (geoplan.atomic.staged_folder): maps, tables
    # and PDF appear together or not at all
    with staged_folder(folder) as stage:
        book = atlas(run, stage, lang=lang, progress=scaled(progress, 0.0, 0.3)).pdf \
            if atlas else None
        rest = scaled(progress, 0.3, 1.0) if atlas else progress
        staged = replace(write_report_into(run, stage, lang=lang, dpi=dpi, progress=rest,
                                           author=author),
                         atlas=book)
    return staged.moved(stage, folder)


def write_report_into(run: RunData, folder: Path, *, lang: str, dpi: int = 200,
                      progress: Progress | None = None,
                      author: str | None = None) -> ReportResult:
    """Write the report of ``run`` into ``folder`` as it is (no staging of its own): for a
    caller that commits the report together with other files, as ``geoplan run`` does with
    its data and its report (:func:`geoplan.runs.pipeline.run_pipeline`).

    Returns the :class:`ReportResult` with paths inside ``folder``.
    """
    folder = Path(folder)
    tr("attribution", lang)  # validates lang
    report(progress, 0.0, "report: maps")
    (folder / "maps").mkdir(exist_ok=True)
    maps = write_maps(run, folder / "maps", lang=lang, dpi=dpi,
                      progress=scaled(progress, 0.0, 0.6), author=author)
    report(progress, 0.6, "report: tables and PDF")
    tables = write_tables(run, folder, lang=lang)
    page_texts = _build_pdf(folder / "report.pdf", run, lang, maps, author)
    report(progress, 1.0, "report done")
    return ReportResult(folder=folder, pdf=folder / "report.pdf", pages=len(page_texts),
                        maps=tuple(maps), tables=tuple(tables), page_texts=tuple(page_texts))

