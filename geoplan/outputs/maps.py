"""Maps of a run's headline indicators, as PNG and vector PDF, drawn without any basemap download.

Every map has a title, the study's title and the run's date, a legend, a scale bar
(matplotlib-scalebar), a north arrow, the data sources and "© OpenStreetMap contributors". The
context comes from the run's own GeoPackage, so no tile server is ever asked for anything: the
walk network, public green spaces (over the cells on the green-space map), building footprints,
the names of the longest streets (:func:`main_streets`), the ``[areas]`` outlines and names, the
destinations of the mapped kind, and an overview; the scale bar, north arrow and overview sit in
a strip under the map, off the cells.

Classes and colours are those of the QGIS styles geoplan stores in the GeoPackage: breaks come
from :func:`geoplan.outputs.gpkg.class_breaks` / :func:`~geoplan.outputs.gpkg.diverging_breaks`
and colours and legend labels are read back from :func:`~geoplan.outputs.gpkg.graduated_fill_qml`
and :func:`~geoplan.outputs.gpkg.lit_line_qml`, so a map in the report and the layer opened in QGIS
look the same. A scenario's *before* and *after* maps share one set of classes (computed from both)
and its *change* map uses diverging colours with a neutral "no change" class.

The figures are built with :class:`matplotlib.figure.Figure` directly (no ``pyplot``, no global
backend, no display needed).

Example
-------
>>> import tempfile, pathlib
>>> from geoplan.config import parse_pipeline
>>> from geoplan.runs.pipeline import run_pipeline
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250', out)
>>> _ = run_pipeline(cfg, out)
>>> run = load_run(out)
>>> fig = map_figure(run, HEADLINE_MAPS[0], lang="sv")
>>> "© OpenStreetMap-bidragsgivare" in " ".join(figure_texts(fig))
True
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .._memo import once_per
from ..atomic import atomic_path
from ..columns import HEADLINE, STUDY_AREA_KEY, Indicator, catalogue, describe
from ..columns import better as better_of
from ..errors import InputFileError
from ..i18n import fmt, fmt_pct, format_date, register_texts, tr
from ..progress import Progress, report
from ..runs import folder as rf
from ..types import AccessSpec
from . import map_images
from .map_images import (
    CellImage,
    cells_for,
    layer_image,
    show_image,
    study_union,
)
from .styles import (
    EDIT_AREA,
    EDIT_LAMP,
    EDIT_LAYERS,
    EDIT_LINE,
    WATER_EDGE,
    WATER_FILL,
    class_breaks,
    diverging_breaks,
    graduated_fill_qml,
    lit_line_qml,
)
from .styles import TEXTS as GPKG_TEXTS

__all__ = [
    "AREA_EDGE",
    "BUILDING_FILL",
    "FINDINGS_MAP",
    "HEADLINE_MAPS",
    "MapClass",
    "binary_images",
    "MapFile",
    "MapSpec",
    "REPORT_MAPS",
    "RunData",
    "destination_category",
    "figure_texts",
    "format_date",
    "graduated_classes",
    "indicator_title",
    "load_run",
    "main_streets",
    "marker_size_pt2",
    "map_figure",
    "missing_destinations",
    "pdf_metadata",
    "scenario_columns",
    "source_line",
    "unknown_lighting_cells",
    "write_maps",
]

TEXTS: dict[str, dict[str, str]] = {
    # map titles
    "map_lighting": {"en": "Lighting of the walkable network"},
    "map_findings": {"en": "Safety-walk findings"},
    # legend titles
    "leg_pop": {"en": "Residents per cell"},
    "leg_safety_index": {"en": "Safety index (0–100, higher is safer)"},
    "leg_dist_grocery_m": {"en": "Network distance"},
    "leg_loses_school_at_night": {"en": "Residents of the cell"},
    "leg_green_scb_300m": {"en": "Residents of the cell"},
    "leg_lighting": {"en": "Paths (share of length)"},
    "leg_findings": {"en": "Findings by category"},
    "leg_findings_severity": {"en": "Size: severity"},
    "leg_change": {"en": "Change (after − before)"},
    # yes/no classes
    "yes_loses_school_at_night": {"en": "yes: the school is lost after dark"},
    "no_loses_school_at_night": {"en": "no"},
    "yes_green_scb_300m": {"en": "yes"},
    "no_green_scb_300m": {"en": "no"},
    "became_yes": {"en": "becomes yes"},
    "became_no": {"en": "becomes no"},
    # notes under the legend
    "note_pop_estimate": {
        "en": "Residents are estimated from OpenStreetMap buildings (floor area ÷ {m2} m² per "
              "person), not counted."},
    "note_safety_index": {
        "en": "Hatched: the lighting of less than half of the cell's paths is known — read "
              "the index there with care."},
    "note_lighting": {
        "en": "Unknown: no lit tag in OpenStreetMap and no street lamp nearby. It is shown as "
              "unknown, never as lit or dark."},
    "note_findings": {
        "en": "Open findings are coloured by category and drawn larger the more serious they are "
              "(severity 1–3); lines are stretches noted on the walk. Fixed findings are grey."},
    "note_night_unsure": {
        "en": "After dark only lit paths are used. Where the answer depends on paths of unknown "
              "lighting the cell has a colour of its own; every other cell is the same whether "
              "those paths are lit or dark."},
    "low_confidence": {"en": "lighting of under half the paths known"},
    # no-value classes
    "nodata_no_path": {"en": "no walkable path in the cell"},
    "nodata_unreachable": {"en": "none reachable"},
    "nodata_no_value": {"en": "no value"},
    "no_residents": {"en": "no residents"},
    "unsure_unknown_lighting": {"en": "depends on paths of unknown lighting (lost if they are "
                                      "dark, not if lit)"},
    "nodata_no_destination": {"en": "no {cat} in the data"},
    # context and frame
    "ctx_network": {"en": "walkable network"},
    "ctx_green": {"en": "public green space"},
    "ctx_study_area": {"en": "study area"},
    "ctx_buildings": {"en": "buildings"},
    "ctx_areas": {"en": "areas"},
    "ctx_street_names": {"en": "street names"},
    "ctx_destinations": {"en": "{cat} (destination)"},
    "ctx_overview": {"en": "Overview"},
    "variant_before": {"en": "before"},
    "variant_after": {"en": "after"},
    "variant_change": {"en": "change"},
    "run_of": {"en": "{title} · data as of {date}"},
    "north": {"en": "N"},
    "src_data": {"en": "Data"},
    "src_pop_buildings": {"en": "residents estimated from OSM buildings"},
    "src_pop_statistics": {"en": "residents from area statistics"},
    "src_pop_grid": {"en": "residents from a population grid"},
    "src_lamps_register": {"en": "municipal lamp register"},
    "src_safety_walk": {"en": "safety-walk findings{file}"},
    "src_made_with": {"en": "made with geoplan {version}"},
}
register_texts(TEXTS)
register_texts({"no_change": GPKG_TEXTS["no_change"]})  # the words of the QGIS change legend

# colours of yes/no maps and of yes/no change: the ends of the diverging ramp in gpkg.py
_GOOD = "#4393c3"
_BAD = "#d6604d"
_NEUTRAL = "#f7f7f7"
_NODATA = "#ffffff"
_NO_RESIDENTS = "#e0e0e0"
_NO_DESTINATION = "#bdbdbd"
_UNSURE = "#fdd49e"
_GREEN_FILL = "#a1d99b"
_GREEN_EDGE = "#41ab5d"
_NET = "#4d4d4d"
_MM_TO_PT = 72 / 25.4
#: height (inches) of the strip under the map holding the scale bar, north arrow and overview
_STRIP_IN = 1.15


# --------------------------------------------------------------------------------------------
# reading a run
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunData:
    """What a run folder holds, read back for maps, tables and the report.

    ``grid`` (indexed by position, with ``cell_id``), ``network``, ``green``, ``areas``,
    ``grid_change``, ``areas_change`` and ``findings`` (points and lines of a safety walk) are
    GeoDataFrames from the run's GeoPackage (None when the layer is absent); ``changes`` is the
    change table; ``provenance`` and ``quality`` are the provenance and data-quality records
    (empty dicts when absent); ``settings`` the run's settings
    (:meth:`geoplan.runs.folder.RunFolder.settings`). File names: :mod:`geoplan.runs.folder`.
    """

    out_dir: Path
    grid: object
    network: object = None
    green: object = None
    destinations: object = None
    #: building footprints (context only; None for runs written before they were kept)
    buildings: object = None
    areas: object = None
    grid_change: object = None
    areas_change: object = None
    changes: pd.DataFrame | None = None
    provenance: dict | None = None
    quality: dict | None = None
    #: the GeoPackage's ``geoplan_metadata`` (title, CRS …; a scenario run has no provenance)
    meta: dict | None = None
    #: safety-walk findings (layers ``findings`` and ``findings_lines`` together), or None when
    #: the run had no ``[safety_walk]``
    findings: object = None
    #: the run's settings (a PipelineConfig), or None for geoplan's defaults
    settings: object = None
    #: water areas and place names (context only; None for runs written before they were kept)
    water: object = None
    places: object = None
    #: a scenario's edits (``edit_kind``, ``name`` …; lines, points and polygons together), or
    #: None (:func:`geoplan.runs.scenario.edit_layers`)
    edits: object = None

    @property
    def config(self):
        """The run's settings, or geoplan's default settings when the run records none."""
        return self.settings if self.settings is not None else _default_settings()

    @property
    def access(self) -> AccessSpec:
        """The run's categories and distances (:class:`~geoplan.types.AccessSpec`)."""
        return self.config.access

    def catalogue(self) -> dict[str, Indicator]:
        """The indicator catalogue of the run's grid (:func:`geoplan.columns.catalogue` under
        the run's settings)."""
        bounds = self.grid is not None and any(
            str(c).endswith("_at_night_if_unknown_dark") for c in self.grid.columns)
        return dict(catalogue(self.access, findings=self.findings is not None,
                              night_bounds=bounds))

    @property
    def pipeline(self) -> dict:
        """The pipeline as run (``provenance['pipeline']``), or ``{}``."""
        return dict((self.provenance or {}).get("pipeline") or {})

    @property
    def title(self) -> str:
        """The study's title from the pipeline's ``[output] title``."""
        out = self.pipeline.get("output") or {}
        return str(out.get("title") or out.get("name") or (self.meta or {}).get("title")
                   or self.out_dir.name)

    @property
    def lang(self) -> str:
        """The pipeline's output language (``"en"`` when unknown)."""
        return str((self.pipeline.get("output") or {}).get("lang") or "en")

    @property
    def created(self) -> dt.date:
        """Date of the run (from provenance; today when unknown)."""
        c = (self.provenance or {}).get("created")
        try:
            return dt.datetime.fromisoformat(str(c)).date()
        except (TypeError, ValueError):
            return dt.date.today()

    @property
    def cell_size_m(self) -> float:
        """Grid cell size in metres."""
        return float((self.pipeline.get("grid") or {}).get("cell_size_m") or 0) or float(
            np.sqrt(np.nanmedian(self.grid.geometry.area)))

    @property
    def is_scenario(self) -> bool:
        """True when the run has scenario change layers or a change table."""
        return self.grid_change is not None or self.areas_change is not None or (
            self.changes is not None)


@lru_cache(maxsize=1)
def _default_settings():
    """geoplan's default settings (for a run that records none)."""
    return rf.pipeline_from_provenance({}, check_files=False, missing_ok=True)


def load_run(out_dir) -> RunData:
    """Read a run folder (:class:`geoplan.runs.folder.RunFolder`): its layers, change table,
    provenance, data quality and settings.

    Parameters
    ----------
    out_dir
        The folder ``geoplan run``/``geoplan demo``/``geoplan scenario run`` wrote.

    Returns
    -------
    RunData

    Raises
    ------
    InputFileError
        When the folder's GeoPackage or its ``grid`` layer is missing.

    Examples
    --------
    >>> load_run("/nonexistent")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    geoplan.errors.InputFileError: no geoplan.gpkg in /nonexistent ...
    """
    run = rf.RunFolder(out_dir).check()
    findings = _read_findings([run.layer(n) for n in (rf.FINDINGS, rf.FINDINGS_LINES)])
    grid, bounds = run.grid(), run.night_bounds()
    if bounds is not None and "cell_id" in bounds.columns:
        grid = grid.merge(pd.DataFrame(bounds), on="cell_id", how="left")
    return RunData(out_dir=run.path, grid=grid, network=run.layer(rf.NETWORK),
                   green=run.layer(rf.GREEN), destinations=run.layer(rf.DESTINATIONS),
                   buildings=run.layer(rf.BUILDINGS),
                   areas=run.areas(), grid_change=run.grid_change(),
                   areas_change=run.areas_change(), changes=run.changes(),
                   provenance=run.provenance(), quality=run.quality(), meta=run.metadata(),
                   findings=findings, settings=run.settings(), water=run.layer("water"),
                   places=run.layer("places"),
                   edits=_read_findings([run.layer(n) for n in EDIT_LAYERS.values()]))


def _read_findings(frames: list):
    """Layers of a run as one GeoDataFrame (the findings' points and lines, the edits' lines,
    points and areas; None when the run has none of them)."""
    import geopandas as gpd

    frames = [f for f in frames if f is not None]
    if not frames:
        return None
    crs = frames[0].crs
    frames = [f.to_crs(crs) if f.crs != crs else f for f in frames]
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)
    if "severity" in out.columns:
        out["severity"] = pd.to_numeric(out["severity"], errors="coerce").fillna(1).astype(int)
    return out


_CATEGORY_OF = re.compile(r"(?:night_)?(?:dist|n|gravity|detour)_(?P<a>[a-z_]+?)_(?:m|[0-9_]+m)|"
                          r"(?:night_detour|gravity)_(?P<b>[a-z_]+)|loses_(?P<c>[a-z_]+)_at_night")


def destination_category(column: str) -> str | None:
    """The destination category a grid column measures (None for other columns).

    >>> destination_category("loses_school_at_night"), destination_category("dist_grocery_m")
    ('school', 'grocery')
    >>> destination_category("safety_index") is None
    True
    """
    m = _CATEGORY_OF.fullmatch(column)
    return next((g for g in m.groups() if g), None) if m else None


def missing_destinations(run: RunData) -> tuple[str, ...]:
    """The run's destination categories of which the data holds none (e.g. an extract without a
    school): their distances and night losses say nothing and are not reported as figures.

    Read from the run's ``destinations`` layer; without one, a category is missing when no
    cell has a finite distance to it.

    >>> import geopandas as gpd, shapely
    >>> grid = gpd.GeoDataFrame({"pop": [5.0], "dist_school_m": [float("nan")],
    ...     "dist_grocery_m": [120.0]}, geometry=[shapely.box(0, 0, 100, 100)], crs=3006)
    >>> missing_destinations(RunData(Path("."), grid=grid))
    ('school',)
    """
    cats = run.access.categories
    d = run.destinations
    if d is not None and "category" in getattr(d, "columns", ()):
        have = set(d["category"].astype(str))
        return tuple(c for c in cats if c not in have)
    g = run.grid
    out = []
    for c in cats:
        col = f"dist_{c}_m"
        if g is not None and col in g.columns and not np.isfinite(_as_float(g[col])).any():
            out.append(c)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# what to map
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapSpec:
    """One map of the report.

    Attributes
    ----------
    key
        File stem and text key (legend ``leg_<key>``; the lighting and findings maps also have
        title ``map_<key>`` and note ``note_<key>``; an indicator's title and note are its label
        and description in the catalogue, :mod:`geoplan.columns`).
    column
        Grid column mapped (``"lit"`` of the network for the lighting map).
    kind
        ``"graduated"`` (classes of a number), ``"yesno"`` (a yes/no column), ``"lighting"``
        (the network by lit = yes / no / unknown) or ``"findings"`` (the run's safety-walk
        findings by category).
    unit
        Unit written after legend ranges.
    per_resident
        Whether cells without residents are drawn as "no residents" (the indicator is about
        where people live).
    nodata
        Text key of the "no value" class.
    """

    key: str
    column: str
    kind: str = "graduated"
    unit: str = ""
    per_resident: bool = True
    nodata: str = "nodata_no_value"

    @property
    def better(self) -> str:
        """``"higher"``, ``"lower"`` or ``""``: which direction is an improvement (colours of
        changes and of yes/no maps), from :func:`geoplan.columns.better`."""
        return better_of(self.column)


#: How each headline column that has a map is drawn (the other headline columns have none).
_MAP_OF: dict[str, MapSpec] = {m.column: m for m in (
    MapSpec("pop", "pop", per_resident=False),
    MapSpec("safety_index", "safety_index", per_resident=False, nodata="nodata_no_path"),
    MapSpec("dist_grocery_m", "dist_grocery_m", unit="m", nodata="nodata_unreachable"),
    MapSpec("loses_school_at_night", "loses_school_at_night", kind="yesno"),
    MapSpec("green_scb_300m", "green_scb_300m", kind="yesno"),
)}

#: The headline maps of the report, in report order: residents first, then the headline columns
#: (:data:`geoplan.columns.HEADLINE`) that have a map, then the lighting of the network.
HEADLINE_MAPS: tuple[MapSpec, ...] = (
    *(_MAP_OF[c] for c in dict.fromkeys(("pop", *HEADLINE)) if c in _MAP_OF),
    MapSpec("lighting", "lit", kind="lighting", per_resident=False),
)

#: The map of safety-walk findings, drawn when the run has findings.
FINDINGS_MAP = MapSpec("findings", "findings_open", kind="findings", per_resident=False)

#: Every map the report can hold, in report order (maps of data a run lacks are skipped).
REPORT_MAPS: tuple[MapSpec, ...] = (*HEADLINE_MAPS, FINDINGS_MAP)


@dataclass(frozen=True)
class MapClass:
    """One legend entry of a graduated map: values in ``(lo, hi]`` (the first class includes
    ``lo``) drawn in ``colour``, labelled ``label``."""

    lo: float
    hi: float
    colour: str
    label: str


@dataclass(frozen=True)
class MapFile:
    """A written map: its spec key, variant (``"level"``, ``"before"``, ``"after"``,
    ``"change"``), title and files."""

    key: str
    variant: str
    title: str
    png: Path
    pdf: Path


def _hex(qcolor: str) -> str:
    r, g, b = (int(x) for x in qcolor.split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def graduated_classes(column: str, breaks: Sequence[float], *, ramp: str = "sequential",
                      reverse: bool = False, unit: str = "", lang: str = "en") -> list[MapClass]:
    """Classes, colours and labels exactly as the QGIS style of the same breaks has them.

    Parameters
    ----------
    column, breaks, ramp, reverse, unit, lang
        As for :func:`geoplan.outputs.gpkg.graduated_fill_qml`.

    Returns
    -------
    list of MapClass

    Examples
    --------
    >>> [(c.label, c.colour) for c in graduated_classes("x", [0, 10, 20], lang="sv")]
    [('0 – 10', '#edf8b1'), ('10 – 20', '#081d58')]
    """
    qml = graduated_fill_qml(column, breaks, ramp=ramp, reverse=reverse, unit=unit, lang=lang)
    root = ET.fromstring(qml.split("\n", 1)[1])
    colours = {}
    for sym in root.iter("symbol"):
        opt = {o.get("name"): o.get("value") for o in sym.iter("Option") if o.get("name")}
        colours[sym.get("name")] = _hex(opt["color"])
    return [MapClass(float(r.get("lower")), float(r.get("upper")), colours[r.get("symbol")],
                     r.get("label")) for r in root.iter("range")]


def _lighting_styles(lang: str) -> dict[str, tuple[str, str, float, str]]:
    """``{lit value: (label, colour, width in mm, line style)}`` from the QGIS lighting style."""
    root = ET.fromstring(lit_line_qml(lang=lang).split("\n", 1)[1])
    syms = {}
    for sym in root.iter("symbol"):
        opt = {o.get("name"): o.get("value") for o in sym.iter("Option") if o.get("name")}
        syms[sym.get("name")] = (_hex(opt["line_color"]), float(opt["line_width"]),
                                 opt["line_style"])
    return {c.get("value"): (c.get("label"),) + syms[c.get("symbol")]
            for c in root.iter("category")}


def scenario_columns(run: RunData, spec: MapSpec) -> tuple[str, str, str] | None:
    """``(before, after, change)`` column names of ``spec`` in ``run.grid_change``, or None.

    >>> import geopandas as gpd
    >>> r = RunData(Path("."), grid=None, grid_change=gpd.GeoDataFrame(
    ...     {"pop_before": [1], "pop_after": [2], "pop_change": [1]}))
    >>> scenario_columns(r, HEADLINE_MAPS[0])
    ('pop_before', 'pop_after', 'pop_change')
    """
    g = run.grid_change
    if g is None or spec.kind in ("lighting", "findings"):
        return None
    cols = tuple(f"{spec.column}_{v}" for v in ("before", "after", "change"))
    return cols if set(cols) <= set(g.columns) else None


# --------------------------------------------------------------------------------------------
# texts of the frame
# --------------------------------------------------------------------------------------------
def _pop_source(run: RunData) -> str:
    g = run.grid
    if g is not None and "pop_source" in g.columns and len(g):
        return str(g["pop_source"].mode().iloc[0])
    return str((run.provenance or {}).get("summary", {}).get("pop_source", ""))


def source_line(run: RunData, lang: str, spec: MapSpec | None = None) -> str:
    """The data-sources line printed at the foot of every map.

    The safety walk is named as a source on the findings map (``spec``) and on the safety-index
    map when the findings weigh in the index (``[safety_walk] weight`` > 0).

    >>> r = RunData(Path("."), grid=None, provenance={"geoplan": "0.1", "crs": "EPSG:3006"})
    >>> source_line(r, "sv")
    'Data: © OpenStreetMap-bidragsgivare (ODbL) · EPSG:3006 · framtagen med geoplan 0.1'
    >>> source_line(r, "en", FINDINGS_MAP).split(" · ")[:2]
    ['Data: © OpenStreetMap contributors (ODbL)', 'safety-walk findings']
    """
    prov = run.provenance or {}
    parts = [f"{tr('src_data', lang)}: {tr('attribution', lang)} (ODbL)"]
    src = _pop_source(run)
    if src.startswith("buildings"):
        parts.append(tr("src_pop_buildings", lang))
    elif src.startswith(("stat", "scb", "dst", "area")):
        parts.append(tr("src_pop_statistics", lang))
    elif src.startswith("grid"):
        parts.append(tr("src_pop_grid", lang))
    cfg = run.config
    if cfg.lamps is not None:
        parts.append(tr("src_lamps_register", lang))
    weight = cfg.safety_walk.weight if cfg.safety_walk is not None else 0.0
    if spec is not None and (spec.kind == "findings" or (
            spec.key == "safety_index" and weight > 0)):
        path = ((prov.get("inputs") or {}).get("safety_walk") or {}).get("path")
        parts.append(tr("src_safety_walk", lang, file=f" ({Path(str(path)).name})" if path
                        else ""))
    if prov.get("crs"):
        parts.append(str(prov["crs"]))
    parts.append(tr("src_made_with", lang, version=prov.get("geoplan") or __version__))
    return " · ".join(parts)


# --------------------------------------------------------------------------------------------
# drawing
# --------------------------------------------------------------------------------------------
def _paths(geoms) -> list:
    """matplotlib Paths of (multi)polygons, holes included (one per geometry with a polygon).

    >>> import shapely
    >>> donut = shapely.box(0, 0, 10, 10).difference(shapely.box(4, 4, 6, 6))
    >>> [len(p.vertices) for p in _paths([donut, None, shapely.Point(0, 0)])]
    [10]
    """
    import shapely
    from matplotlib.path import Path as MPath

    g = np.asarray(list(geoms), dtype=object)
    g = g[[x is not None for x in g]]
    parts, owner = shapely.get_parts(g, return_index=True)
    polys = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[polys], return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    size = np.bincount(ring_of, minlength=len(rings))
    keep = size[ring_of] >= 3
    xy, ring_of = xy[keep], ring_of[keep]
    if len(xy) == 0:
        return []
    codes = np.full(len(xy), MPath.LINETO, dtype=MPath.code_type)
    first = np.r_[True, ring_of[1:] != ring_of[:-1]]
    codes[first] = MPath.MOVETO
    codes[np.r_[first[1:], True]] = MPath.CLOSEPOLY
    geom_of = owner[polys][ring_part][ring_of]
    cut = np.flatnonzero(geom_of[1:] != geom_of[:-1]) + 1
    return [MPath(v, c) for v, c in zip(np.split(xy, cut), np.split(codes, cut), strict=True)]


def _segments(geoms) -> list[np.ndarray]:
    """Coordinates of every part of ``geoms`` with at least two of them.

    >>> import shapely
    >>> [len(s) for s in _segments([shapely.LineString([(0, 0), (1, 1), (2, 0)]), None])]
    [3]
    """
    import shapely

    g = np.asarray(list(geoms), dtype=object)
    parts = shapely.get_parts(g[[x is not None for x in g]])
    xy, part_of = shapely.get_coordinates(parts, return_index=True)
    keep = np.bincount(part_of, minlength=len(parts))[part_of] >= 2
    xy, part_of = xy[keep], part_of[keep]
    return np.split(xy, np.flatnonzero(part_of[1:] != part_of[:-1]) + 1) if len(xy) else []


def _fill(ax, geoms, colour, *, edge="#ffffff", lw=0.25, alpha=1.0, hatch=None, z=2):
    from matplotlib.collections import PathCollection

    paths = _paths(geoms)
    if not paths:
        return None
    kw = {"hatch": hatch} if hatch else {}
    coll = PathCollection(paths, facecolors=colour, edgecolors=edge, linewidths=lw, alpha=alpha,
                          zorder=z, **kw)
    ax.add_collection(coll)
    return coll


def _lines(ax, geoms, colour, width_pt, style="solid", z=3, alpha=1.0):
    from matplotlib.collections import LineCollection

    segs = _segments(geoms)
    if not segs:
        return None
    ls = (0, (3, 2)) if style == "dash" else "solid"
    coll = LineCollection(segs, colors=colour, linewidths=width_pt, linestyles=ls, zorder=z,
                          alpha=alpha, capstyle="round")
    ax.add_collection(coll)
    return coll


def _cells(ax, geoms, mask, colour, *, edge="#ffffff", lw=0.25, hatch=None, z=2):
    """Fill the cells of ``mask``: into the grid's image (a :class:`CellImage`), else as
    vectors."""
    if isinstance(geoms, CellImage):
        geoms.paint(mask, colour, edge=edge, hatch=hatch)
        return None
    return _fill(ax, geoms[mask], colour, edge=edge, lw=lw, hatch=hatch, z=z)


def _big_context(run: RunData) -> bool:
    """Whether the run's paths, buildings and water are drawn as images (a municipality)."""
    return sum(len(f) for f in (run.network, run.buildings, run.water)
               if f is not None) > map_images.IMAGE_MIN_SHAPES


def _as_image(ax, run: RunData, what: str, draw, z: float):
    """What ``draw(ax)`` draws, rendered once per run, map extent and pixel size and shown as an
    image (reused by the run's other maps): what ``draw`` returned."""
    ax.apply_aspect()
    size = ax.get_position().size * ax.figure.get_size_inches()
    dpi = getattr(ax, "_geoplan_dpi", 200)
    key = (what, *np.round([*ax.get_xlim(), *ax.get_ylim(), *size], 3).tolist(), dpi)

    def render():
        out = []
        pixels = layer_image(ax, lambda twin: out.append(draw(twin)), dpi=dpi)
        return pixels, out[0]

    pixels, result = once_per(run, key, render)
    show_image(ax, pixels, z=z, gid=f"{what}_image")
    return result


def _context(ax, run: RunData, *, green_fill: bool, network: bool = True,
             on_top: bool = False) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = []
    g = run.green
    if g is not None and len(g):
        pub = g[g["public"].astype(bool)] if "public" in g.columns else g
        if on_top:
            _draw_green_on_top(ax, run)
            handles.append(Patch(facecolor=_GREEN_FILL, edgecolor="#1b7837", alpha=0.75,
                                 label=tr("ctx_green", run_lang(ax))))
        elif green_fill:
            _fill(ax, pub.geometry.values, _GREEN_FILL, edge=_GREEN_EDGE, lw=0.4, z=1)
            handles.append(Patch(facecolor=_GREEN_FILL, edgecolor=_GREEN_EDGE,
                                 label=tr("ctx_green", run_lang(ax))))
        else:
            _fill(ax, pub.geometry.values, "none", edge="#1b7837", lw=0.45, z=4)
            handles.append(Patch(facecolor="none", edgecolor="#1b7837",
                                 label=tr("ctx_green", run_lang(ax))))
    if network and run.network is not None and len(run.network):
        def paths(a):
            return _lines(a, run.network.geometry.values, _NET, 0.35, z=3, alpha=0.55)

        if _big_context(run):
            _as_image(ax, run, "network", paths, z=3)
        else:
            paths(ax)
        handles.append(Line2D([], [], color=_NET, lw=0.8, alpha=0.7,
                              label=tr("ctx_network", run_lang(ax))))
    return handles


# --------------------------------------------------------------------------------------------
# context: buildings, street and area names, destinations, overview
# --------------------------------------------------------------------------------------------
_HALO = "#ffffff"
#: the colour of the ``[areas]`` outlines and names (the QGIS layouts draw them alike)
AREA_EDGE = "#54278f"
#: building footprints: a faint grey texture over the cells (colour, opacity)
BUILDING_FILL = ("#424242", 0.22)


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.2, foreground=_HALO)]


def _draw_buildings(ax, run: RunData):
    """Building footprints as a faint grey texture over the cells (they stay readable)."""
    b = run.buildings
    if b is None or not len(b):
        return None
    colour, alpha = BUILDING_FILL
    coll = _fill(ax, b.geometry.values, colour, edge="none", lw=0.0, alpha=alpha, z=2.8)
    if coll is not None:
        coll.set_gid("buildings")
    return coll


def main_streets(network, n: int = 5) -> list[tuple[str, object]]:
    """The ``n`` longest named streets of a walk network: (name, its longest merged line).

    Streets are ranked by the summed length of their edges; a name list (``"A;B"``) counts
    for its first name.

    >>> import geopandas as gpd, shapely
    >>> net = gpd.GeoDataFrame({"name": ["Long", "Long", "Short", None]}, geometry=[
    ...     shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (200, 0)]),
    ...     shapely.LineString([(0, 0), (0, 50)]), shapely.LineString([(0, 0), (0, 900)])],
    ...     crs=3006)
    >>> [(name, line.length) for name, line in main_streets(net, n=2)]
    [('Long', 200.0), ('Short', 50.0)]
    """
    import shapely

    if network is None or "name" not in network.columns or not len(network):
        return []
    names = network["name"].astype("string").str.split(";").str[0].str.strip()
    named = network.assign(_street=names)[names.notna() & (names != "")]
    lengths = named.geometry.length.groupby(named["_street"]).sum()
    out = []
    for name in lengths.sort_values(ascending=False, kind="stable").index[:n]:
        merged = shapely.line_merge(shapely.union_all(
            named.geometry[named["_street"] == name].values))
        parts = sorted(getattr(merged, "geoms", [merged]), key=lambda g: -g.length)
        out.append((str(name), parts[0]))
    return out


def _label_angle(line) -> tuple[float, float, float]:
    """Middle point of ``line`` and the angle (degrees, kept upright) of the line there."""
    mid = line.length / 2
    a, b = line.interpolate(max(mid - 20, 0)), line.interpolate(min(mid + 20, line.length))
    angle = float(np.degrees(np.arctan2(b.y - a.y, b.x - a.x)))
    angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
    p = line.interpolate(mid)
    return p.x, p.y, angle


def _draw_street_names(ax, run: RunData, n: int = 5) -> list:
    """Names of the longest streets, along the line, skipping one that would overlap a drawn
    label."""
    texts, boxes = [], []
    renderer = ax.figure.canvas.get_renderer()
    streets = main_streets(run.network, n=n) if run.network is None else once_per(
        run.network, ("main_streets", n), lambda: main_streets(run.network, n=n))
    for name, line in streets:
        x, y, angle = _label_angle(line)
        t = ax.text(x, y, name, rotation=angle, rotation_mode="anchor", ha="center",
                    va="center", fontsize=6.5, style="italic", color="#252525", zorder=7,
                    path_effects=_halo(), gid="street_name", clip_on=True)
        box = t.get_window_extent(renderer)
        if any(box.overlaps(o) for o in boxes):
            t.remove()
            continue
        boxes.append(box)
        texts.append(t)
    return texts


def _area_name_column(run: RunData, areas) -> str | None:
    sa = getattr(run.config, "summary_areas", None)
    for col in (getattr(sa, "name_column", None), getattr(sa, "key_column", None)):
        if col and col in areas.columns:
            return col
    return None


def _draw_areas(ax, run: RunData):
    """The outlines of the run's ``[areas]`` and their names (a legend handle, or None)."""
    from matplotlib.patches import Patch

    a = run.areas
    if a is None or not len(a) or getattr(a, "geometry", None) is None:
        return None
    a = a[a.geometry.notna() & ~a.geometry.is_empty]
    key = getattr(getattr(run.config, "summary_areas", None), "key_column", None)
    if key in a.columns:  # the study area's own row is outlined already
        a = a[a[key].astype(str) != STUDY_AREA_KEY]
    if not len(a):
        return None
    coll = _fill(ax, a.geometry.values, "none", edge=AREA_EDGE, lw=1.1, z=5)
    if coll is not None:
        coll.set_gid("areas")
    col = _area_name_column(run, a)
    if col is not None:
        for name, geom in zip(a[col].astype(str), a.geometry.values, strict=True):
            p = geom.representative_point()
            ax.text(p.x, p.y, name, ha="center", va="center", fontsize=7.5, fontweight="bold",
                    color=AREA_EDGE, zorder=7, path_effects=_halo(), gid="area_name",
                    clip_on=True)
    return Patch(facecolor="none", edgecolor=AREA_EDGE, lw=1.1, label=tr("ctx_areas",
                                                                           run_lang(ax)))


#: a destination marker's area (points²) on a map with few of them
MARKER_PT2 = 22.0


def marker_size_pt2(ax, n: int, *, cover: float = 0.02, smallest_pt2: float = 3.0) -> float:
    """The area (points²) of each of ``n`` destination markers on ``ax``: :data:`MARKER_PT2`,
    smaller where ``n`` of them would cover more than ``cover`` of the map (a municipality's
    hundreds of shops stay dots the cells show between), never below ``smallest_pt2``.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(5, 5))  # a map of 279 x 279 points: 77,500 points²
    >>> marker_size_pt2(ax, 10), round(marker_size_pt2(ax, 100), 1), marker_size_pt2(ax, 10**5)
    (22.0, 15.5, 3.0)
    >>> plt.close(fig)
    """
    box = ax.get_window_extent()
    map_pt2 = box.width * box.height * (72.0 / ax.figure.dpi) ** 2
    return float(np.clip(cover * map_pt2 / max(n, 1), smallest_pt2, MARKER_PT2))


def _draw_destinations(ax, run: RunData, cat: str | None):
    """The destinations of category ``cat`` as markers (a legend handle, or None)."""
    from matplotlib.lines import Line2D

    d = run.destinations
    if cat is None or d is None or "category" not in d.columns:
        return None
    pts = d[d["category"].astype(str) == cat].geometry.representative_point()
    if not len(pts):
        return None
    size = marker_size_pt2(ax, len(pts))
    ax.scatter(pts.x, pts.y, s=size, marker="D", facecolor="#ffffff", edgecolor="#000000",
               linewidths=min(1.0, size / MARKER_PT2), zorder=8, gid="destinations")
    lang = run_lang(ax)
    return Line2D([], [], marker="D", ls="none", markerfacecolor="#ffffff",
                  markeredgecolor="#000000", label=tr("ctx_destinations", lang,
                                                      cat=tr(f"cat_{cat}", lang)))


def _draw_green_on_top(ax, run: RunData):
    """Public green spaces outlined (and lightly tinted) over the cells of a green map."""
    g = run.green
    if g is None or not len(g):
        return None
    pub = g[g["public"].astype(bool)] if "public" in g.columns else g
    coll = _fill(ax, pub.geometry.values, _GREEN_FILL, edge="#1b7837", lw=0.9, alpha=0.55, z=4)
    if coll is not None:
        coll.set_gid("green_on_top")
    return coll


def _overview(fig, ax, run: RunData, g, rect) -> object:
    """A small overview map: the study area, the water in and around it and its areas, the main
    map's frame in red (no network: the main map shows it, and drawing it twice costs time in
    every saved file)."""
    from matplotlib.patches import Rectangle

    frames = [f for f in (g, run.network, run.areas, run.buildings)
              if f is not None and getattr(f, "geometry", None) is not None and len(f)]
    b = np.array([f.geometry.total_bounds for f in frames])
    xmin, ymin = np.nanmin(b[:, :2], axis=0)
    xmax, ymax = np.nanmax(b[:, 2:], axis=0)
    cx, cy, half = (xmin + xmax) / 2, (ymin + ymax) / 2, 0.8 * max(xmax - xmin, ymax - ymin)
    inset = fig.add_axes(rect, gid="overview")
    inset.set_aspect("equal")
    inset.set_anchor("SE")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlim(cx - half, cx + half)
    inset.set_ylim(cy - half, cy + half)
    _fill(inset, [study_union(g)], "#fee0d2", edge="#616161", lw=0.4, z=1)
    _draw_water(inset, run, z=1.5)  # over the study area, as on the main map: sea is sea
    if run.areas is not None and getattr(run.areas, "geometry", None) is not None:
        _fill(inset, run.areas.geometry.values, "none", edge=AREA_EDGE, lw=0.4, z=3)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inset.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="#cb181d", lw=1.0,
                              zorder=4))
    inset.set_title(tr("ctx_overview", run_lang(ax)), fontsize=7, color="#424242", pad=2)
    return inset


def _draw_water(ax, run: RunData, *, z: float = 2.05):
    """Water (sea, lakes, rivers) over the cells and under every other context layer: the
    cells of the shore show on land, the water is water (a legend handle, or None)."""
    from matplotlib.patches import Patch

    w = run.water
    if w is None or not len(w):
        return None
    coll = _fill(ax, w.geometry.values, WATER_FILL, edge=WATER_EDGE, lw=0.4, z=z)
    if coll is None:
        return None
    coll.set_gid("water")
    return Patch(facecolor=WATER_FILL, edgecolor=WATER_EDGE, lw=0.4,
                 label=tr("ctx_water", run_lang(ax)))


def _draw_places(ax, run: RunData, taken: list, n: int = 6) -> list:
    """Place names (suburbs, neighbourhoods) in small grey capitals inside the map, none over a
    label already drawn (``taken``: their window boxes) or another place name."""
    p = run.places
    if p is None or not len(p) or "name" not in p.columns:
        return []
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inside = p[(p.geometry.x > x0) & (p.geometry.x < x1) & (p.geometry.y > y0)
               & (p.geometry.y < y1)]
    areas = {t.get_text().casefold() for t in ax.texts if t.get_gid() == "area_name"}
    inside = inside[~inside["name"].astype(str).str.casefold().isin(areas)]  # named already
    renderer, texts = ax.figure.canvas.get_renderer(), []
    for name, pt in zip(inside["name"].astype(str), inside.geometry, strict=True):
        t = ax.text(pt.x, pt.y, name.upper(), ha="center", va="center", fontsize=6.5,
                    color="#616161", zorder=6.5, path_effects=_halo(), gid="place_name",
                    clip_on=True, fontstretch="expanded")
        box = t.get_window_extent(renderer)
        if len(texts) >= n or any(box.overlaps(o) for o in taken):
            t.remove()
            continue
        taken.append(box)
        texts.append(t)
    return texts


def _edit_handle(kind: str, lang: str):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    label = tr(f"edit_{kind}", lang)
    if kind in ("new_path", "lit_path"):
        return Line2D([], [], color=EDIT_LINE, lw=2.6 if kind == "new_path" else 1.4,
                      label=label)
    if kind in ("lamp", "new_destination"):
        return Line2D([], [], marker="*" if kind == "lamp" else "D", ls="none", markersize=9,
                      markerfacecolor=EDIT_LAMP if kind == "lamp" else "#ffffff",
                      markeredgecolor=EDIT_LINE, label=label)
    return Patch(facecolor="none", edgecolor=EDIT_AREA, lw=1.2, ls="--", label=label)


def _draw_edits(ax, run: RunData) -> list:
    """A scenario's edits on top of everything (new paths bold, paths it lights thinner, lamps
    as stars, densified areas and new green space outlined dashed): legend handles, the
    proposal's title first."""
    from matplotlib.patches import Patch

    e = run.edits
    if e is None or not len(e) or "edit_kind" not in e.columns:
        return []
    kinds = e["edit_kind"].astype(str)
    order = ["new_path", "lit_path", "lamp", "new_destination", "densify", "new_green"]
    for kind in [k for k in order if (kinds == k).any()]:
        geoms = e.geometry[kinds == kind].values
        if kind in ("new_path", "lit_path"):
            coll = _lines(ax, geoms, EDIT_LINE, 2.6 if kind == "new_path" else 1.4, z=9)
        elif kind in ("lamp", "new_destination"):
            pts = e.geometry[kinds == kind]
            coll = ax.scatter(pts.x, pts.y, s=70 if kind == "lamp" else 30,
                              marker="*" if kind == "lamp" else "D", zorder=9.5,
                              facecolor=EDIT_LAMP if kind == "lamp" else "#ffffff",
                              edgecolor=EDIT_LINE, linewidths=0.8)
        else:
            coll = _fill(ax, geoms, "none", edge=EDIT_AREA, lw=1.2, z=9)
            if coll is not None:
                coll.set_linestyle("--")
        if coll is not None:
            coll.set_gid(f"edit_{kind}")
    lang = run_lang(ax)
    title = Patch(facecolor="none", edgecolor="none", label=tr("edit_legend", lang) + ":")
    return [title, *(_edit_handle(k, lang) for k in order if (kinds == k).any())]


def _draw_context(ax, run: RunData) -> list:
    """Water, buildings, area outlines and names, street and place names: legend handles of
    what was drawn."""
    from matplotlib.patches import Patch

    def water_buildings(a):
        return _draw_water(a, run), _draw_buildings(a, run) is not None

    water, buildings = (_as_image(ax, run, "water_buildings", water_buildings, z=2.8)
                        if _big_context(run) else water_buildings(ax))
    handles = [h for h in (water,) if h is not None]
    if buildings:
        handles.append(Patch(facecolor=BUILDING_FILL[0], alpha=BUILDING_FILL[1],
                             edgecolor="none",
                             label=tr("ctx_buildings", run_lang(ax))))
    area = _draw_areas(ax, run)
    if area is not None:
        handles.append(area)
    _draw_street_names(ax, run)
    renderer = ax.figure.canvas.get_renderer()
    taken = [t.get_window_extent(renderer) for t in ax.texts]
    _draw_places(ax, run, taken)
    return handles


def _overview_under(fig, ax, run: RunData, g):
    """The overview map in the strip under the map, at its right edge."""
    ax.apply_aspect()
    pos = ax.get_position()
    w_in, h_in = fig.get_size_inches()
    size = _STRIP_IN - 0.15
    rect = (pos.x1 - size / w_in, pos.y0 - (size + 0.1) / h_in, size / w_in, size / h_in)
    return _overview(fig, ax, run, g, rect)


def run_lang(ax) -> str:
    """The language a map's axes are drawn in (set by :func:`map_figure`)."""
    return getattr(ax, "_geoplan_lang", "en")


def _classify(values: np.ndarray, classes: Sequence[MapClass]) -> np.ndarray:
    """Class index per value (-1 for NaN), a break value falling in the lower class as in QGIS."""
    edges = np.array([c.hi for c in classes[:-1]], dtype=float)
    idx = np.searchsorted(edges, values, side="left")
    return np.where(np.isfinite(values), idx, -1)


def _as_float(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").astype(float).to_numpy()


def _draw_graduated(ax, geoms, values, classes, *, lang, nodata_key, empty_mask=None):
    from matplotlib.patches import Patch

    handles = []
    cls = _classify(values, classes)
    if empty_mask is not None:
        cls = np.where(empty_mask, -2, cls)
    for i, c in enumerate(classes):
        _cells(ax, geoms, cls == i, c.colour)
        handles.append(Patch(facecolor=c.colour, edgecolor="#bdbdbd", lw=0.4, label=c.label))
    if (cls == -1).any():
        _cells(ax, geoms, cls == -1, _NODATA, edge="#bdbdbd", lw=0.4)
        handles.append(Patch(facecolor=_NODATA, edgecolor="#9e9e9e", lw=0.4,
                             label=tr(nodata_key, lang)))
    if (cls == -2).any():
        _cells(ax, geoms, cls == -2, _NO_RESIDENTS, edge="#ffffff", lw=0.25)
        handles.append(Patch(facecolor=_NO_RESIDENTS, edgecolor="#bdbdbd", lw=0.4,
                             label=tr("no_residents", lang)))
    return handles


def _yesno_colours(spec: MapSpec) -> tuple[str, str]:
    """(colour of yes, colour of no)."""
    return (_BAD, _GOOD) if spec.better == "lower" else (_GOOD, _BAD)


def unknown_lighting_cells(g, column: str) -> np.ndarray | None:
    """Cells whose ``column`` (a ``loses_<c>_at_night``) depends on the paths of unknown
    lighting: lost if they are dark, not if they are lit (the run's ``…_if_unknown_dark/_lit``
    columns); None when the grid has no bounds.

    >>> g = pd.DataFrame({"loses_school_at_night_if_unknown_dark": [True, True, False],
    ...                   "loses_school_at_night_if_unknown_lit": [True, False, False]})
    >>> unknown_lighting_cells(g, "loses_school_at_night").tolist()
    [False, True, False]
    """
    dark, lit = (f"{column}_if_unknown_{k}" for k in ("dark", "lit"))
    if dark not in g.columns or lit not in g.columns:
        return None
    return (np.nan_to_num(_as_float(g[dark])) > 0.5) & ~(np.nan_to_num(_as_float(g[lit])) > 0.5)


def _draw_yesno(ax, geoms, values, spec, *, lang, empty_mask, unsure=None):
    """A yes/no map; ``unsure`` (cells whose answer depends on paths of unknown lighting) is a
    class of its own, drawn between yes and no."""
    from matplotlib.patches import Patch

    yes_c, no_c = _yesno_colours(spec)
    v = values
    unsure = (np.zeros(len(v), dtype=bool) if unsure is None else unsure) & ~empty_mask
    shown = ~empty_mask & ~unsure
    handles = []
    for mask, colour, label in (
        ((v > 0.5) & shown, yes_c, tr(f"yes_{spec.key}", lang)),
        (unsure, _UNSURE, tr("unsure_unknown_lighting", lang)),
        ((v <= 0.5) & shown, no_c, tr(f"no_{spec.key}", lang)),
        (~np.isfinite(v) & shown, _NODATA, tr(spec.nodata, lang)),
        (empty_mask, _NO_RESIDENTS, tr("no_residents", lang)),
    ):
        if mask.any() or colour in (yes_c, no_c):
            _cells(ax, geoms, mask, colour)
            handles.append(Patch(facecolor=colour, edgecolor="#bdbdbd", lw=0.4, label=label))
    return handles


def _draw_no_destination(ax, geoms, cat: str, lang: str) -> list:
    """Every cell grey: the data holds no destination of ``cat``, so there is nothing to map."""
    from matplotlib.patches import Patch

    _cells(ax, geoms, np.ones(len(geoms), dtype=bool), _NO_DESTINATION)
    label = tr("nodata_no_destination", lang, cat=tr(f"cat_{cat}", lang))
    return [Patch(facecolor=_NO_DESTINATION, edgecolor="#bdbdbd", lw=0.4, label=label)]


def _draw_yesno_change(ax, geoms, change, spec, *, lang):
    from matplotlib.patches import Patch

    yes_c, no_c = _yesno_colours(spec)
    handles = []
    for mask, colour, label in ((change > 0.5, yes_c, tr("became_yes", lang)),
                                (change < -0.5, no_c, tr("became_no", lang)),
                                (np.abs(change) <= 0.5, _NEUTRAL, tr("no_change", lang))):
        _cells(ax, geoms, mask, colour, edge="#d9d9d9")
        handles.append(Patch(facecolor=colour, edgecolor="#bdbdbd", lw=0.4, label=label))
    return handles


def _lighting_shares(run: RunData) -> dict[str, float]:
    q = run.quality or {}
    if q.get("walkable_km"):
        return {"yes": q.get("lit_share", np.nan), "no": q.get("dark_share", np.nan),
                "unknown": q.get("unknown_share", np.nan)}
    net = run.network
    if net is None or not len(net):
        return {}
    length = net.geometry.length
    total = float(length.sum())
    return {k: float(length[net["lit"] == k].sum() / total) if total else np.nan
            for k in ("yes", "no", "unknown")}


def _draw_lighting(ax, run: RunData, *, lang):
    from matplotlib.lines import Line2D

    handles = []
    styles = _lighting_styles(lang)
    shares = _lighting_shares(run)
    net = run.network

    def paths(a):
        for value in ("unknown", "no", "yes"):  # lit on top
            _, colour, width_mm, style = styles[value]
            sub = net[net["lit"] == value] if net is not None else None
            if sub is not None and len(sub):
                _lines(a, sub.geometry.values, colour, max(0.6, 0.4 * width_mm * _MM_TO_PT),
                       style=style, z=3 + ("unknown", "no", "yes").index(value))

    if net is not None and len(net) > map_images.IMAGE_MIN_SHAPES:
        _as_image(ax, run, "lighting", paths, z=3)  # the paths only: no text in the image
    else:
        paths(ax)
    for value in ("yes", "no", "unknown"):
        label, colour, width_mm, style = styles[value]
        share = shares.get(value)
        if share is not None and np.isfinite(share):
            label = f"{label} ({fmt_pct(share, lang, 0)})"
        handles.append(Line2D([], [], color=colour, lw=max(1.2, 0.8 * width_mm * _MM_TO_PT),
                              ls=(0, (3, 2)) if style == "dash" else "solid", label=label))
    return handles


def _draw_findings(ax, run: RunData, *, lang):
    """The run's findings (open by category, fixed grey; size by severity): legend handles."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    from ..indicators.findings import findings_map_layer

    crs = run.grid.crs if run.grid is not None else None
    layer = findings_map_layer(run.findings, lang=lang, include_fixed=True, crs=crs)
    geoms = np.asarray(layer.geometry.values, dtype=object)
    kinds = np.array([getattr(g, "geom_type", "") for g in geoms])
    is_point = kinds == "Point"
    lines = np.flatnonzero(~is_point & (kinds != ""))
    if len(lines):  # a white halo under each stretch so it reads on the network
        segs, colours, widths = [], [], []
        for i in lines:
            parts = _segments([geoms[i]])
            segs += parts
            colours += [layer["colour"].iloc[i]] * len(parts)
            widths += [float(layer["linewidth"].iloc[i]) * 1.4] * len(parts)
        widths = np.asarray(widths)
        ax.add_collection(LineCollection(segs, colors="white", linewidths=widths + 2.0,
                                         zorder=6, capstyle="round"))
        ax.add_collection(LineCollection(segs, colors=colours, linewidths=widths, zorder=6.5,
                                         capstyle="round"))
    if is_point.any():
        pts = layer[is_point]
        xy = np.array([(g.x, g.y) for g in geoms[is_point]])
        ax.scatter(xy[:, 0], xy[:, 1], s=pts["marker_size"].to_numpy(float),
                   c=pts["colour"].tolist(), edgecolors="white", linewidths=0.7, zorder=7)
    handles = [Line2D([], [], ls="", marker="o", markersize=np.sqrt(60.0),
                      markerfacecolor=colour, markeredgecolor="white", label=label)
               for label, colour in layer.attrs["legend"].items()]
    handles.append(Line2D([], [], ls="", label=" "))
    handles.append(Line2D([], [], ls="", label=tr("leg_findings_severity", lang)))
    for k, size in ((1, 30.0), (2, 60.0), (3, 110.0)):
        handles.append(Line2D([], [], ls="", marker="o", markersize=np.sqrt(size),
                              markerfacecolor="#757575", markeredgecolor="white",
                              label=tr(f"finding_severity_{k}", lang)))
    return handles


def _title(run: RunData, spec: MapSpec, variant: str, lang: str) -> str:
    title = indicator_title(run, spec, lang)
    if variant in ("before", "after", "change"):
        title = f"{title} — {tr(f'variant_{variant}', lang)}"
    return title


def indicator_title(run: RunData | None, spec: MapSpec | str, lang: str = "en") -> str:
    """The title of a map: the catalogue's label of its column under the run's settings
    (:func:`geoplan.columns.describe`), or the map's own title (lighting, findings).

    >>> indicator_title(None, "dist_grocery_m", "sv")
    'Gångavstånd till närmaste livsmedelsbutik'
    >>> indicator_title(None, REPORT_MAPS[-2], "en")
    'Lighting of the walkable network'
    """
    spec = spec if isinstance(spec, MapSpec) else MapSpec(spec, spec)
    if spec.kind in ("lighting", "findings"):
        return tr(f"map_{spec.key}", lang)
    ind = describe(spec.column, run.access if run is not None else None)
    return ind.label(lang) if ind is not None else spec.column.replace("_", " ")


def _note(run: RunData, spec: MapSpec, lang: str, unsure: bool = False) -> str:
    """The map's footnote; ``unsure``: the map shows the cells whose answer depends on paths of
    unknown lighting as a class of their own (then the note says so, instead of the column's
    "unknown counts as dark", which those cells contradict)."""
    if unsure:
        return tr("note_night_unsure", lang)
    if spec.key == "pop":
        if _pop_source(run).startswith("buildings"):
            ppm2 = run.config.population.persons_per_m2
            return tr("note_pop_estimate", lang, m2=fmt(1 / float(ppm2), lang, 0))
        return ""
    if spec.kind in ("lighting", "findings") or spec.key == "safety_index":
        return tr(f"note_{spec.key}", lang)
    ind = describe(spec.column, run.access)
    return ind.description(lang) if ind is not None else ""


@dataclass(frozen=True)
class _Frame:
    """Where the parts of a map figure go (inches)."""

    width: float
    height: float
    left: float
    bottom: float
    title_lines: tuple[str, ...]


def _layer_to_map(run: RunData, spec: MapSpec, variant: str):
    """The grid (or grid_change) layer a map draws, with the grid's squares."""
    import geopandas as gpd

    if spec.kind == "findings" and (run.findings is None or variant != "level"):
        raise InputFileError("the run has no safety-walk findings to map: add a [safety_walk] "
                             "section with findings = \"…\" to the pipeline and run it again")
    g = run.grid_change if variant in ("before", "after", "change") else run.grid
    if g is None:
        raise InputFileError(f"the run has no {'grid_change' if variant != 'level' else 'grid'} "
                             f"layer to map {spec.key!r} ({variant})")
    if getattr(g, "geometry", None) is None or g.geometry.isna().all():
        # the change layer on the grid's squares, joined once per run (every map of a report
        # draws the same frame, so its cell lattice is found once: map_images.cells_for)
        change = g
        g = once_per(run, "grid_change with squares", lambda: gpd.GeoDataFrame(
            run.grid[["cell_id", "geometry"]].merge(
                pd.DataFrame(change).drop(columns="geometry", errors="ignore"), on="cell_id"),
            geometry="geometry", crs=run.grid.crs))
    return g


def _new_figure(g, title: str, lang: str):
    """A figure whose map keeps the study area's proportions, the legend beside it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    title_lines = tuple(textwrap.wrap(title, 62))
    xmin, ymin, xmax, ymax = g.total_bounds
    pad = 0.03 * max(xmax - xmin, ymax - ymin)
    width_in, map_w, left, bottom = 8.0, 4.8, 0.16, 0.75 + _STRIP_IN
    ratio = (ymax - ymin + 2 * pad) / max(xmax - xmin + 2 * pad, 1e-9)
    # the strip under the map comes out of the map's height: the figure keeps its size, so a
    # report page still holds the map with its key numbers
    map_h = min(max(map_w * ratio, 3.6), 8.0) - _STRIP_IN
    height_in = 0.25 + 0.29 * len(title_lines) + 0.45 + map_h + bottom
    fig = Figure(figsize=(width_in, height_in), dpi=100)
    FigureCanvasAgg(fig)  # a renderer, so that labels can be kept from overlapping
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((left / width_in, bottom / height_in, map_w / width_in,
                       map_h / height_in))
    ax._geoplan_lang = lang
    ax.set_aspect("equal")
    ax.set_anchor("NW")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color("#9e9e9e")
        s.set_linewidth(0.6)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    return fig, ax, _Frame(width_in, height_in, left, bottom, title_lines)


def _empty_cells(g, spec: MapSpec, variant: str) -> np.ndarray:
    """Cells drawn as "no residents" (for maps of indicators about where people live)."""
    pop_col = {"level": "pop", "before": "pop_before", "after": "pop_after",
               "change": "pop_after"}[variant]
    if pop_col not in g.columns and "pop" in g.columns:
        pop_col = "pop"
    pop = _as_float(g[pop_col]) if pop_col in g.columns else np.ones(len(g))
    return (pop < 0.5) if spec.per_resident else np.zeros(len(g), dtype=bool)


def _study_area_outline(ax, g, lang: str, z: float):
    from matplotlib.patches import Patch

    _fill(ax, [study_union(g)], "none", edge="#616161", lw=0.8, z=z)
    return Patch(facecolor="none", edgecolor="#616161", lw=0.8, label=tr("ctx_study_area", lang))


def _draw_change(ax, geoms, values, spec: MapSpec, col: str, breaks, lang: str) -> list:
    if spec.kind == "yesno":
        return _draw_yesno_change(ax, geoms, np.nan_to_num(values), spec, lang=lang)
    b = list(breaks) if breaks is not None else diverging_breaks(
        np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0))
    classes = graduated_classes(col, b, ramp="diverging", reverse=spec.better == "lower",
                                unit=spec.unit, lang=lang)
    return _draw_graduated(ax, geoms, values, classes, lang=lang, nodata_key=spec.nodata)


def _draw_level(ax, g, geoms, values, spec: MapSpec, variant: str, breaks, empty, lang: str):
    """A graduated map of one variant: legend handles, and whether low-confidence cells are
    hatched."""
    from matplotlib.patches import Patch

    if breaks is None:
        pool = [values[~empty]]
        if variant in ("before", "after"):
            pool = [_as_float(g[f"{spec.column}_{v}"]) for v in ("before", "after")]
        finite = np.concatenate([p[np.isfinite(p)] for p in pool])
        breaks = class_breaks(finite if finite.size else [0.0], n_classes=5, method="quantile")
    col = spec.column if variant == "level" else f"{spec.column}_{variant}"
    classes = graduated_classes(col, breaks, unit=spec.unit, lang=lang)
    handles = _draw_graduated(ax, geoms, values, classes, lang=lang, nodata_key=spec.nodata,
                              empty_mask=empty)
    if spec.key != "safety_index" or "data_confidence" not in g.columns:
        return handles, False
    low = (_as_float(g["data_confidence"]) < 0.5) & np.isfinite(values)
    if not low.any():
        return handles, False
    _cells(ax, geoms, low, "none", edge="#424242", lw=0.0, hatch="////", z=2.5)
    handles.append(Patch(facecolor="white", edgecolor="#424242", hatch="////",
                         label=tr("low_confidence", lang)))
    return handles, True


def _draw_map(ax, run: RunData, g, spec: MapSpec, variant: str, breaks, lang: str):
    """Draw the map's content: (legend handles, context handles, legend title, hatched, and
    whether cells that depend on paths of unknown lighting have their own class)."""
    if spec.kind == "lighting":
        handles = _draw_lighting(ax, run, lang=lang)
        ctx = _context(ax, run, green_fill=True, network=False)
        return handles, [*ctx, _study_area_outline(ax, g, lang, 6)], tr(
            f"leg_{spec.key}", lang), False, False
    if spec.kind == "findings":
        handles = _draw_findings(ax, run, lang=lang)
        ctx = _context(ax, run, green_fill=False)
        return handles, [*ctx, _study_area_outline(ax, g, lang, 5)], tr(
            f"leg_{spec.key}", lang), False, False
    image = cells_for(g)
    geoms = np.asarray(g.geometry.values, dtype=object) if image is None else image
    col = spec.column if variant == "level" else f"{spec.column}_{variant}"
    values = _as_float(g[col]) if col in g.columns else np.full(len(g), np.nan)
    empty = _empty_cells(g, spec, variant)
    legend_title, hatched, unsure_drawn = tr(f"leg_{spec.key}", lang), False, False
    cat = destination_category(spec.column)
    if cat is not None and cat in missing_destinations(run):
        handles = _draw_no_destination(ax, geoms, cat, lang)
    elif variant == "change":
        legend_title = tr("leg_change", lang)
        handles = _draw_change(ax, geoms, values, spec, col, breaks, lang)
    elif spec.kind == "yesno":
        unsure = unknown_lighting_cells(g, spec.column) if variant == "level" else None
        handles = _draw_yesno(ax, geoms, values, spec, lang=lang, empty_mask=empty,
                              unsure=unsure)
        unsure_drawn = unsure is not None and bool((unsure & ~empty).any())
    else:
        handles, hatched = _draw_level(ax, g, geoms, values, spec, variant, breaks, empty, lang)
    if image is not None:
        image.show(ax)
    ctx = _context(ax, run, green_fill=False,
                   on_top=spec.kind == "yesno" and spec.column.startswith("green_"))
    dest = _draw_destinations(ax, run, cat) if cat is not None else None
    return (handles, [*ctx, *([dest] if dest is not None else [])], legend_title, hatched,
            unsure_drawn)


def _legend_and_marks(ax, handles: list, ctx: list, legend_title: str, lang: str) -> None:
    """The legend beside the map, the scale bar and the north arrow."""
    from matplotlib.patches import Patch
    from matplotlib_scalebar.scalebar import ScaleBar

    if ctx:
        handles = [*handles, Patch(facecolor="none", edgecolor="none", label=" "), *ctx]
    for h in handles:
        h.set_label(textwrap.fill(h.get_label(), 32))
    ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.04, 1.0),
              frameon=False, fontsize=8.5, title_fontsize=9, alignment="left", handlelength=1.8)
    ax.add_artist(ScaleBar(1, "m", location="upper left", box_alpha=0.0, length_fraction=0.3,
                           font_properties={"size": 8}, border_pad=0.2, frameon=False,
                           bbox_to_anchor=(0.0, -0.01), bbox_transform=ax.transAxes))
    ax.annotate(tr("north", lang), xy=(0.5, -0.03), xytext=(0.5, -0.12),
                xycoords="axes fraction", ha="center", va="center", fontsize=10,
                fontweight="bold", zorder=10, annotation_clip=False,
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2.5,
                            "headwidth": 8, "headlength": 7, "shrink": 0.0})


def _frame_texts(fig, ax, frame: _Frame, run: RunData, spec: MapSpec, note: str,
                 lang: str) -> None:
    """Title, the run's title and date, the note under the legend and the sources line."""
    from matplotlib.transforms import blended_transform_factory

    w, h = frame.width, frame.height
    fig.text(frame.left / w, 1 - 0.22 / h, "\n".join(frame.title_lines), fontsize=14,
             fontweight="bold", va="top", linespacing=1.15)
    fig.text(frame.left / w, 1 - (0.3 + 0.29 * len(frame.title_lines)) / h,
             tr("run_of", lang, title=run.title, date=format_date(run.created, lang)),
             fontsize=9.5, color="#424242", va="top")
    if note:
        where = blended_transform_factory(ax.transAxes, fig.transFigure)
        ax.text(1.04, frame.bottom / h, textwrap.fill(note, 46), transform=where,
                fontsize=7.8, color="#424242", va="bottom", linespacing=1.35)
    fig.text(frame.left / w, 0.36 / h, textwrap.fill(source_line(run, lang, spec), 130),
             fontsize=7, color="#424242", va="center", linespacing=1.3)


def map_figure(run: RunData, spec: MapSpec, *, lang: str = "en", variant: str = "level",
               breaks: Sequence[float] | None = None, dpi: int = 200):
    """Draw one map of ``run`` as a matplotlib Figure (not shown, not saved).

    Parameters
    ----------
    run
        A run read with :func:`load_run`.
    spec
        What to map (one of :data:`REPORT_MAPS`).
    lang
        Language of every text on the map.
    variant
        ``"level"`` (the run's grid), or for a scenario run ``"before"``, ``"after"`` or
        ``"change"`` (columns ``<column>_before/_after/_change`` of ``grid_change``).
    breaks
        Class breaks; default :func:`~geoplan.outputs.gpkg.class_breaks` (quantiles) of the
        values, for before/after of both together, :func:`~geoplan.outputs.gpkg.diverging_breaks`
        for a change.
    dpi
        Pixels per inch of the layers drawn as images (a grid of more than
        :data:`~geoplan.outputs.map_images.IMAGE_MIN_SHAPES` cells, a municipality's paths and
        buildings): the resolution the map is saved at.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> grid = gpd.GeoDataFrame({"pop": [0.0, 10.0, 40.0], "cell_id": ["a", "b", "c"]},
    ...     geometry=[shapely.box(i * 100, 0, i * 100 + 100, 100) for i in range(3)],
    ...     crs="EPSG:3006")
    >>> fig = map_figure(RunData(Path("."), grid=grid), HEADLINE_MAPS[0], lang="da")
    >>> "Beboere" in figure_texts(fig)
    True
    """
    tr("north", lang)  # validates lang
    g = _layer_to_map(run, spec, variant)
    fig, ax, frame = _new_figure(g, _title(run, spec, variant, lang), lang)
    ax._geoplan_dpi = dpi
    handles, ctx, legend_title, hatched, unsure = _draw_map(ax, run, g, spec, variant, breaks,
                                                            lang)
    edits = _draw_edits(ax, run) if variant in ("after", "change") else []
    ctx = [*edits, *_draw_context(ax, run), *ctx]
    _legend_and_marks(ax, handles, ctx, legend_title, lang)
    _overview_under(fig, ax, run, g)
    note = _note(run, spec, lang, unsure) if spec.key != "safety_index" or hatched else ""
    _frame_texts(fig, ax, frame, run, spec, note, lang)
    return fig


def figure_texts(fig) -> list[str]:
    """Every text drawn on ``fig`` (titles, legend entries, notes, scale bar, attribution).

    >>> from matplotlib.figure import Figure
    >>> f = Figure(); _ = f.text(0, 0, "hello"); figure_texts(f)
    ['hello']
    """
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def pdf_metadata(run: RunData, title: str, lang: str, author: str | None = None) -> dict:
    """The PDF metadata of a map (matplotlib's keys): title, author (``author``, else the
    run's ``[report] author``, else geoplan), subject (the study), keywords with the language.

    >>> import geopandas as gpd
    >>> run = RunData(Path("out"), grid=gpd.GeoDataFrame(geometry=[]))
    >>> pdf_metadata(run, "Trygghetsindex", "sv", author="Malmö stad")["Author"]
    'Malmö stad'
    """
    return {"Title": title, "Author": author or getattr(run.config, "author", "") or "geoplan",
            "Subject": run.title, "Creator": "geoplan",
            "Keywords": f"geoplan; OpenStreetMap; {tr('pdf_lang_name', lang)} ({lang})"}


register_texts({"pdf_lang_name": {"en": "English"}})


@contextmanager
def binary_images():
    """Images in reportlab PDFs stored as binary streams (reportlab's pure-Python ASCII85 encoding of them took
    a quarter of an atlas page's time and
    ~12 s of a municipality report); reportlab's setting is restored afterwards."""
    from reportlab import rl_config

    old = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = old



#: a layer of more shapes than this (a municipality's grid cells or paths) is drawn into the PDF
#: map as an image at the PNG's pixel size, not as one vector path per shape: the PDF stays small
#: and quick to write and to open; texts, legend and marks stay vector
PDF_VECTOR_MAX_SHAPES = 5000


def _save(fig, png: Path, pdf: Path, dpi: int, meta_pdf: dict | None = None) -> None:
    from matplotlib.collections import Collection

    meta_pdf = meta_pdf or {"Creator": "geoplan",
                            "Title": fig.texts[0].get_text() if fig.texts else ""}
    with atomic_path(png) as tmp:
        # zlib level 3: a municipality's map encodes in three quarters of the time of the
        # default 6, ~1 % larger
        fig.savefig(tmp, format="png", dpi=dpi, facecolor="white",
                    pil_kwargs={"compress_level": 3})
    layers = [c for c in fig.findobj(Collection) if len(c.get_paths()) > 50]  # not legend keys
    if sum(len(c.get_paths()) for c in layers) > PDF_VECTOR_MAX_SHAPES:
        for c in layers:
            c.set_rasterized(True)
    with atomic_path(pdf) as tmp:
        fig.savefig(tmp, format="pdf", metadata=meta_pdf, facecolor="white", dpi=dpi)


def _plan(run: RunData, specs: Sequence[MapSpec]) -> list[tuple[MapSpec, str]]:
    plan = []
    for spec in specs:
        if spec.kind == "lighting":
            if run.network is not None and "lit" in run.network.columns:
                plan.append((spec, "level"))
            continue
        if spec.kind == "findings":
            if run.findings is not None and len(run.findings):
                plan.append((spec, "level"))
            continue
        if spec.column in run.grid.columns:
            plan.append((spec, "level"))
    for spec in specs:
        if scenario_columns(run, spec):
            plan += [(spec, "before"), (spec, "after"), (spec, "change")]
    return plan


def write_maps(run: RunData, folder, *, lang: str = "en",
               specs: Sequence[MapSpec] = REPORT_MAPS, dpi: int = 200,
               progress: Progress | None = None, author: str | None = None) -> list[MapFile]:
    """Write every headline map (and a scenario's before/after/change maps, and the map of a
    safety walk's findings) as PNG and PDF.

    Files are named ``<key>.png``/``<key>.pdf`` and, for a scenario,
    ``<key>_before``/``<key>_after``/``<key>_change``; each is written atomically. Indicators
    the run does not have are skipped.

    Parameters
    ----------
    run
        A run read with :func:`load_run`.
    folder
        Where to write (created if needed).
    lang
        Language of the maps.
    specs
        Maps to draw (default :data:`REPORT_MAPS`: the headline maps and the findings map).
    dpi
        Resolution of the PNG files.
    progress
        Progress sink; may cancel between maps.
    author
        Author or organisation in each PDF's metadata (default: the run's ``[report] author``).

    Returns
    -------
    list of MapFile
    """
    folder = Path(folder)
    plan = _plan(run, specs)
    files = []
    for i, (spec, variant) in enumerate(plan):
        report(progress, i / max(len(plan), 1), f"map {spec.key} {variant}")
        breaks = None
        if variant in ("before", "after") and spec.kind == "graduated":
            before, after, _ = scenario_columns(run, spec)
            pooled = [_as_float(run.grid_change[c]) for c in (before, after)]
            finite = np.concatenate([p[np.isfinite(p)] for p in pooled])
            breaks = class_breaks(finite if finite.size else [0.0], n_classes=5)
        fig = map_figure(run, spec, lang=lang, variant=variant, breaks=breaks, dpi=dpi)
        stem = spec.key if variant == "level" else f"{spec.key}_{variant}"
        png, pdf = folder / f"{stem}.png", folder / f"{stem}.pdf"
        title = _title(run, spec, variant, lang)
        _save(fig, png, pdf, dpi, pdf_metadata(run, title, lang, author))
        files.append(MapFile(spec.key, variant, title, png, pdf))
    report(progress, 1.0, "maps done")
    return files

