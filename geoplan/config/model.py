"""Pipeline files: a TOML description of one study, validated into a :class:`PipelineConfig`.

A GIS analyst writes one pipeline file per study area and runs it in batch with
``geoplan run PIPELINE.toml --out OUT``. This module only *reads and checks* the file (the run
itself lives in :mod:`geoplan.runs.pipeline`). The file is parsed with :mod:`tomllib` as data: nothing in
it is evaluated or executed.

Every problem raises a :class:`PipelineError` (a :class:`geoplan.errors.ConfigError`) whose
message names the file and the key in the form it is written in the file, says what is expected,
and gives the line where that can be found, e.g.::

    botkyrka.toml: [grid] cell_size_m = 120 is not allowed: must be one of 50, 100, … (line 31)
    botkyrka.toml: unknown key 'acess' — did you mean 'access'? (line 40)
    botkyrka.toml: [population] tables[1] = "x.xlsx" does not exist (resolved to /data/x.xlsx)

All problems found are reported at once, one per line. ``error.problems`` holds them as
:class:`Problem` records (dotted ``key``, ``message``, ``line``) for programs.

Paths
-----
Relative paths are resolved against the folder **of the pipeline file** (not the folder the
command is run from), so a study folder with its pipeline file and data can be moved or shared
as a whole. ``~`` is expanded. Write paths with forward slashes (``data/deso.gpkg``), also on
Windows, or in single quotes (``'C:\\gis\\deso.gpkg'``): in double quotes a backslash starts an
escape sequence in TOML.

Sections and keys
-----------------
Only ``[input] osm`` is required; everything else has a default. Unknown keys are errors (a
misspelt key would otherwise be silently ignored). Defaults come from geoplan's own value
objects (:class:`~geoplan.types.LightingRule`, :class:`~geoplan.grid.GridSpec`,
:class:`~geoplan.population.ResidentialRule`, :class:`~geoplan.types.AccessSpec`,
:class:`~geoplan.types.SafetyWeights`) and the reader functions, so they cannot drift apart.

``version``
    Optional top-level key: the pipeline format version, ``1``.

``[input]`` -- where the map data come from
    ``osm``
        Required. An OpenStreetMap extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``), or ``"demo"``
        for the central-Helsinki extract embedded in geoplan (no download).
    ``area``
        Polygon file of the study area (GeoPackage, GeoJSON, shapefile; any CRS, all polygons
        merged). Optional: without ``area`` and ``bbox`` the whole extract is the study area.
    ``area_layer``
        Layer of ``area`` in a multi-layer file (GeoPackage). Only with ``area``.
    ``bbox``
        Instead of ``area``: ``[min_lon, min_lat, max_lon, max_lat]`` in WGS 84 degrees.
    ``crs``
        Metric CRS to compute in, e.g. ``"EPSG:3006"`` or ``3006``. Default: chosen from the
        country (SWEREF99 TM in Sweden, ETRS89 / UTM 32N in Denmark, the UTM zone elsewhere).
    ``buffer_m``
        How far beyond the study area data are read, in metres, so that people near the boundary
        reach destinations outside it. Default: the largest walking distance used
        (``max(access.radii_m, gravity_cutoff_m, night.threshold_m, green.within_m,
        green.per_capita_within_m)`` = 1200 m with the defaults).

``[lamps]`` -- a municipal lamp register (belysningsregister / gadelysregister); optional
    ``register``
        Point file (GeoPackage, GeoJSON, shapefile) or CSV with coordinate columns. Without it
        only the lamps mapped in OSM are used; the other keys need it.
    ``crs``
        CRS of a CSV's coordinates (required for CSV), e.g. ``"EPSG:3006"`` or ``"EPSG:4326"``.
    ``mode``
        ``"augment"`` (default: OSM lamps plus register lamps not already mapped) or
        ``"replace"`` (the register alone, where it is complete).
    ``x_col``, ``y_col``, ``id_col``
        CSV column names when they cannot be guessed (x/y, lon/lat, easting/northing …).
    ``same_lamp_m``
        In ``augment`` mode, a register lamp this close to an OSM lamp is the same lamp (3 m).

``[lighting]`` -- how a path's lighting is decided (:class:`~geoplan.types.LightingRule`)
    ``lamp_radius_m`` (25), ``min_lit_share`` (0.3), and ``assume``: a table
    ``{highway value = "yes" | "no"}`` for paths with neither a ``lit`` tag nor lamps, e.g.
    ``assume = { residential = "yes" }`` where the municipality lights every residential street.

``[grid]``
    ``cell_size_m``: 50, 100 (default), 250 or 1000 (:class:`~geoplan.grid.GridSpec`).

``[population]`` -- where residents per cell come from (:mod:`geoplan.population`)
    ``source``
        ``"buildings"`` (default: residential floor area from OSM × ``persons_per_m2``, an
        estimate), ``"statistics"`` (area statistics such as SCB DeSO tables, allocated through
        residential floor area) or ``"grid"`` (a population grid).
    ``areas``, ``area_layer``, ``area_key``, ``tables``, ``key``, ``pop_column``, ``kinds``
        For ``"statistics"``: the area polygons; their code column (``"id"`` in SCB's DeSO
        files); a list of tables (SCB ``.xlsx`` exports or ``.csv``); the code column of CSV
        tables (required for CSV); the population column (default: found in the tables);
        ``{column = "count" | "rate"}`` overrides.
    ``grid``, ``value_column``, ``band``
        For ``"grid"``: a vector grid or a GeoTIFF; its persons column (``"population"``); the
        raster band (1).
    ``persons_per_m2``
        For ``"buildings"``: persons per m² of residential floor area (1/42 ≈ 0.0238, SCB).
    ``mixed_use_share`` (0.5), ``unknown_use_share`` (0.5), ``min_unknown_footprint_m2`` (30)
        Residential share of mixed-use and untagged buildings
        (:class:`~geoplan.population.ResidentialRule`); all sources.
    ``default_levels``
        Storeys assumed for buildings without ``building:levels`` or ``height`` (2).

``[access]`` -- walking access to destinations (:class:`~geoplan.types.AccessSpec`)
    ``categories`` (school, preschool, grocery, transit_stop, healthcare, library,
    meeting_place, sports, playground), ``radii_m`` ([400, 800, 1200]),
    ``gravity_half_distance_m`` (400), ``gravity_cutoff_m`` (1200), ``max_snap_m`` (150),
    ``min_component_m`` (500: parts of the network shorter than this in total take no origins or
    destinations).

``[green]`` -- public green space
    ``scb_min_ha`` (0.5), ``who_min_ha`` (1.0), ``within_m`` (300), ``per_capita_within_m`` (500).

``[night]`` -- access after dark on lit paths only
    ``unknown_as`` (``"dark"`` or ``"lit"``: how paths of unknown lighting count),
    ``threshold_m`` (800).

``[safety.weights]`` -- weights of the 0-100 safety index (:class:`~geoplan.types.SafetyWeights`)
    ``lit`` (0.35), ``no_dark_stretch`` (0.15), ``no_tunnel`` (0.10), ``connectivity`` (0.15),
    ``eyes_on_street`` (0.25); >= 0, not all 0, normalised to sum to 1.

``[areas]`` -- polygons to summarise the grid by (e.g. the municipality's districts); optional
    ``path``, ``layer``, ``key_column`` (required: unique area code), ``name_column`` (optional).

``[output]``
    ``name`` (used in file names; default: the pipeline file's name), ``title`` (free text for
    maps and reports; default: ``name``), ``lang`` (``"en"``, ``"sv"`` or ``"da"``),
    ``formats`` (``["gpkg"]``; also ``"tif"`` and ``"report"``: maps, PDF report and tables in
    ``OUT/report/``, which needs the GeoPackage, so it is written too).

Examples
--------
>>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250\\n', ".")
>>> cfg.grid.layer_name, cfg.population.source, cfg.buffer_m
('grid_250m', 'buildings', 1200.0)
>>> parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 120\\n', ".")
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
geoplan.config.model.PipelineError: <string>: [grid] cell_size_m = 120 is not allowed: must be ...
"""

from __future__ import annotations

import copy
import difflib
import inspect
import json
import os
import re
import tomllib
import typing
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ..errors import ConfigError, GeoplanError
from ..grid import GridSpec
from ..i18n import LANGUAGES
from ..population import PERSONS_PER_M2, ResidentialRule
from ..types import AccessSpec, LightingRule, SafetyWeights

__all__ = [
    "OUTPUT_FORMATS",
    "PipelineConfig",
    "PipelineError",
    "PopulationSpec",
    "Problem",
    "LampRegister",
    "SafetyWalkSpec",
    "SummaryAreas",
    "dump_pipeline",
    "load_pipeline",
    "parse_pipeline",
]

#: Pipeline format version this module reads.
PIPELINE_VERSION = 1
#: Output formats a pipeline may ask for.
OUTPUT_FORMATS: tuple[str, ...] = ("gpkg", "tif", "report")
_TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".asc")


# ------------------------------------------------------------------------------------------------
# errors


@dataclass(frozen=True)
class Problem:
    """One problem in a pipeline file.

    Attributes
    ----------
    key
        The key at fault in dotted form (``"grid.cell_size_m"``, ``"population.tables[1]"``),
        ``""`` for the file as a whole.
    message
        What is wrong and what is expected, naming the key as written in the file.
    line
        1-based line of the key in the file, when it can be found.
    """

    key: str
    message: str
    line: int | None = None


class PipelineError(ConfigError):
    """A pipeline file is unreadable or invalid; one line per :class:`Problem`.

    Attributes
    ----------
    file
        The file as named in the messages.
    problems
        Every problem found, in file order where known.
    """

    def __init__(self, file: str, problems: list[Problem] | tuple[Problem, ...]):
        self.file = file
        self.problems = tuple(problems)
        super().__init__("\n".join(
            f"{file}: {p.message}" + (f" (line {p.line})" if p.line else "")
            for p in self.problems
        ))


# ------------------------------------------------------------------------------------------------
# the schema (pydantic, strict: TOML values are typed, "800" is not a number)


def _epsg_int(v: Any) -> Any:
    # crs = 3006 is as clear as crs = "EPSG:3006"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"EPSG:{v}"
    return v


_Crs = Annotated[str, BeforeValidator(_epsg_int)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def _f(description: str, default: Any = None, **kw) -> Any:
    return Field(default, description=description, **kw)


class _Input(_Section):
    osm: str = Field(description='a path to an OSM extract (.osm.pbf, .osm, .osm.bz2) or "demo"')
    area: str | None = _f("a path to a polygon file (GeoPackage, GeoJSON, shapefile)")
    area_layer: str | None = _f("a layer name in quotes")
    bbox: list[float] | None = _f(
        "a list of 4 numbers [min_lon, min_lat, max_lon, max_lat] in degrees",
        min_length=4, max_length=4,
    )
    crs: _Crs | None = _f('a CRS such as "EPSG:3006" or 3006')
    buffer_m: float | None = _f("a distance in metres (a number >= 0)", ge=0)


with warnings.catch_warnings():
    # "register" shadows ABCMeta.register of the model *class*; instances are unaffected
    warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

    class _Lamps(_Section):
        register: str | None = _f("a path to a point file or a CSV file")
        crs: _Crs | None = _f('a CRS such as "EPSG:3006" or "EPSG:4326"')
        mode: Literal["augment", "replace"] | None = _f('"augment" or "replace"')
        x_col: str | None = _f("a column name in quotes")
        y_col: str | None = _f("a column name in quotes")
        id_col: str | None = _f("a column name in quotes")
        same_lamp_m: float | None = _f("a distance in metres (a number >= 0)", ge=0)


class _Lighting(_Section):
    lamp_radius_m: float | None = _f("a distance in metres (a number)")
    min_lit_share: float | None = _f("a share between 0 and 1 (a number)")
    assume: dict[str, str] | None = _f(
        'a table of highway values, e.g. { residential = "yes", service = "no" }'
    )


class _Grid(_Section):
    cell_size_m: float | None = _f("a number of metres: 50, 100, 250 or 1000")


class _Population(_Section):
    source: Literal["statistics", "grid", "buildings"] = _f(
        '"statistics", "grid" or "buildings"', "buildings")
    areas: str | None = _f("a path to a polygon file")
    area_layer: str | None = _f("a layer name in quotes")
    area_key: str | None = _f("a column name in quotes")
    tables: list[str] | None = _f('a list of paths, e.g. ["population.xlsx"]', min_length=1)
    key: str | None = _f("a column name in quotes")
    pop_column: str | None = _f("a column name in quotes")
    kinds: dict[str, Literal["count", "rate"]] | None = _f(
        'a table of column kinds, e.g. { income_median = "rate" }')
    grid: str | None = _f("a path to a vector grid or a GeoTIFF")
    value_column: str | None = _f("a column name in quotes")
    band: int | None = _f("a band number (1, 2, …)", ge=1)
    persons_per_m2: float | None = _f("persons per m² (a number > 0, e.g. 0.0238)", gt=0)
    mixed_use_share: float | None = _f("a share between 0 and 1 (a number)")
    unknown_use_share: float | None = _f("a share between 0 and 1 (a number)")
    min_unknown_footprint_m2: float | None = _f("an area in m² (a number)")
    default_levels: float | None = _f("a number of storeys (> 0)", gt=0)


class _Access(_Section):
    categories: list[str] | None = _f('a list of category names, e.g. ["school", "grocery"]')
    radii_m: list[float] | None = _f("a list of numbers (metres), e.g. [400, 800]")
    gravity_half_distance_m: float | None = _f("a distance in metres (a number)")
    gravity_cutoff_m: float | None = _f("a distance in metres (a number)")
    max_snap_m: float | None = _f("a distance in metres (a number)")
    min_component_m: float | None = _f("a length in metres (a number >= 0)", ge=0)


class _Green(_Section):
    scb_min_ha: float | None = _f("an area in hectares (a number >= 0)", ge=0)
    who_min_ha: float | None = _f("an area in hectares (a number >= 0)", ge=0)
    within_m: float | None = _f("a distance in metres (a number)")
    per_capita_within_m: float | None = _f("a distance in metres (a number)")


class _Night(_Section):
    unknown_as: str | None = _f('"dark" or "lit"')
    threshold_m: float | None = _f("a distance in metres (a number)")


class _Weights(_Section):
    lit: float | None = _f("a weight (a number >= 0)")
    no_dark_stretch: float | None = _f("a weight (a number >= 0)")
    no_tunnel: float | None = _f("a weight (a number >= 0)")
    connectivity: float | None = _f("a weight (a number >= 0)")
    eyes_on_street: float | None = _f("a weight (a number >= 0)")


class _Safety(_Section):
    weights: _Weights = Field(default_factory=_Weights, description="a table of weights")


class _Areas(_Section):
    path: str = Field(description="a path to a polygon file")
    layer: str | None = _f("a layer name in quotes")
    key_column: str = Field(description="a column name in quotes")
    name_column: str | None = _f("a column name in quotes")


class _SafetyWalk(_Section):
    findings: str = Field(description="a path to a findings file (GeoPackage, GeoJSON, CSV, XLSX)")
    layer: str | None = _f("a layer name in quotes")
    crs: _Crs | None = _f('the CRS of a CSV/XLSX file\'s coordinates, e.g. "EPSG:3006"')
    skip_bad_rows: bool | None = _f("true or false")
    weight: float | None = _f("a weight (a number >= 0) of open findings in the safety index",
                              ge=0)


class _Output(_Section):
    name: str | None = _f("a short name of letters, digits, '-' and '_' (used in file names)",
                          pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    title: str | None = _f("a title in quotes")
    lang: Literal[LANGUAGES] | None = _f(" or ".join(f'"{x}"' for x in LANGUAGES))
    formats: list[Literal[OUTPUT_FORMATS]] | None = _f(
        "a list of formats: " + ", ".join(f'"{x}"' for x in OUTPUT_FORMATS), min_length=1)


class _Pipeline(_Section):
    version: int | None = _f(f"the pipeline format version, {PIPELINE_VERSION}")
    input: _Input = Field(description="a table")
    lamps: _Lamps = Field(default_factory=_Lamps, description="a table")
    lighting: _Lighting = Field(default_factory=_Lighting, description="a table")
    grid: _Grid = Field(default_factory=_Grid, description="a table")
    population: _Population = Field(default_factory=_Population, description="a table")
    access: _Access = Field(default_factory=_Access, description="a table")
    green: _Green = Field(default_factory=_Green, description="a table")
    night: _Night = Field(default_factory=_Night, description="a table")
    safety: _Safety = Field(default_factory=_Safety, description="a table")
    areas: _Areas | None = _f("a table")
    safety_walk: _SafetyWalk | None = _f("a table")
    output: _Output = Field(default_factory=_Output, description="a table")


#: pipeline key -> AccessSpec field
_ACCESS_FIELDS: dict[tuple[str, str], str] = {
    **{("access", k): k for k in _Access.model_fields},
    ("green", "scb_min_ha"): "green_scb_min_ha",
    ("green", "who_min_ha"): "green_who_min_ha",
    ("green", "within_m"): "green_within_m",
    ("green", "per_capita_within_m"): "green_per_capita_within_m",
    ("night", "unknown_as"): "night_unknown_as",
    ("night", "threshold_m"): "night_threshold_m",
}
_RULE_KEYS = ("mixed_use_share", "unknown_use_share", "min_unknown_footprint_m2")
_SOURCE_KEYS = {
    "statistics": ("areas", "area_layer", "area_key", "tables", "key", "pop_column", "kinds"),
    "grid": ("grid", "value_column", "band"),
    "buildings": ("persons_per_m2",),
}


# ------------------------------------------------------------------------------------------------
# the result


@dataclass(frozen=True)
class LampRegister:
    """A municipal lamp register (see :func:`geoplan.sources.lamps.read_lamp_register`)."""

    path: Path
    crs: str | None = None
    mode: str = "augment"
    x_col: str | None = None
    y_col: str | None = None
    id_col: str | None = None
    same_lamp_m: float = 3.0


@dataclass(frozen=True)
class PopulationSpec:
    """Where residents per cell come from (see :mod:`geoplan.population`).

    Only the keys of ``source`` are meaningful: ``areas``, ``area_layer``, ``area_key``,
    ``tables``, ``key``, ``pop_column``, ``kinds`` for ``'statistics'``; ``grid``,
    ``value_column``, ``band`` for ``'grid'``; ``persons_per_m2`` for ``'buildings'``.
    """

    source: str = "buildings"
    rule: ResidentialRule = field(default_factory=ResidentialRule)
    default_levels: float = 2.0
    areas: Path | None = None
    area_layer: str | None = None
    area_key: str = "id"
    tables: tuple[Path, ...] = ()
    key: str | None = None
    pop_column: str | None = None
    kinds: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    grid: Path | None = None
    value_column: str = "population"
    band: int = 1
    persons_per_m2: float = PERSONS_PER_M2


@dataclass(frozen=True)
class SummaryAreas:
    """Polygons the grid layers are summarised by (``[areas]``)."""

    path: Path
    key_column: str
    name_column: str | None = None
    layer: str | None = None


@dataclass(frozen=True)
class SafetyWalkSpec:
    """Safety-walk findings to join to the safety layer (:mod:`geoplan.sources.findings`).

    ``weight`` is the raw weight of ``safety_no_open_findings`` beside the safety weights;
    0 (the default) counts the findings per cell without changing the index.
    """

    findings: Path
    layer: str | None = None
    crs: str | None = None
    skip_bad_rows: bool = False
    weight: float = 0.0


@dataclass(frozen=True)
class PipelineConfig:
    """A validated pipeline: geoplan's value objects plus resolved paths.

    Attributes
    ----------
    name, title
        Short name for file names and the study's title.
    osm
        Absolute path of the OSM extract (the embedded extract when ``osm_is_demo``).
    osm_is_demo
        Whether ``[input] osm = "demo"``.
    area, area_layer, bbox
        The study area: a polygon file (and layer) or a WGS 84 bbox; both None for the whole
        extract. :attr:`study_area` gives what :func:`geoplan.sources.area.read_area` takes.
    crs
        Metric CRS override, or None to choose by country.
    buffer_m
        How far beyond the study area data are read (metres).
    lamps
        The lamp register, or None for OSM lamps only.
    lighting, grid, population, access, safety
        :class:`~geoplan.types.LightingRule`, :class:`~geoplan.grid.GridSpec`,
        :class:`PopulationSpec`, :class:`~geoplan.types.AccessSpec`,
        :class:`~geoplan.types.SafetyWeights`.
    summary_areas
        Polygons to summarise by, or None.
    lang, formats
        Output language and formats.
    base_dir
        Folder relative paths were resolved against (the pipeline file's folder).
    source_file
        The pipeline file, when read from a file.
    """

    osm: Path
    name: str = "geoplan"
    title: str = "geoplan"
    osm_is_demo: bool = False
    area: Path | None = None
    area_layer: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    crs: str | None = None
    buffer_m: float = 1200.0
    lamps: LampRegister | None = None
    lighting: LightingRule = field(default_factory=LightingRule)
    grid: GridSpec = field(default_factory=GridSpec)
    population: PopulationSpec = field(default_factory=PopulationSpec)
    access: AccessSpec = field(default_factory=AccessSpec)
    safety: SafetyWeights = field(default_factory=SafetyWeights)
    summary_areas: SummaryAreas | None = None
    safety_walk: SafetyWalkSpec | None = None
    lang: str = "en"
    formats: tuple[str, ...] = ("gpkg",)
    #: not compared: the same study read from two places is the same pipeline
    base_dir: Path = field(default_factory=Path.cwd, compare=False)
    source_file: Path | None = field(default=None, compare=False)

    @property
    def study_area(self) -> Path | tuple[float, float, float, float] | None:
        """The study area as :func:`geoplan.sources.area.read_area` takes it (with
        ``layer=self.area_layer``): a path, a bbox or None (the whole extract)."""
        return self.area if self.area is not None else self.bbox

    def to_dict(self) -> dict[str, Any]:
        """The pipeline as JSON-able data, shaped like the file, every default filled in.

        Paths are absolute strings; the embedded extract stays ``"demo"``. Keys without a value
        are None (JSON null). For provenance records and :func:`dump_pipeline`.

        Returns
        -------
        dict
        """
        acc = self.access
        pop = self.population

        def s(p):
            return None if p is None else str(p)

        population: dict[str, Any] = {"source": pop.source}
        if pop.source == "statistics":
            population.update(
                areas=s(pop.areas), area_layer=pop.area_layer, area_key=pop.area_key,
                tables=[str(t) for t in pop.tables], key=pop.key, pop_column=pop.pop_column,
                kinds=dict(pop.kinds),
            )
        elif pop.source == "grid":
            population.update(grid=s(pop.grid), value_column=pop.value_column, band=pop.band)
        else:
            population.update(persons_per_m2=pop.persons_per_m2)
        population.update({k: getattr(pop.rule, k) for k in _RULE_KEYS})
        population["default_levels"] = pop.default_levels
        out: dict[str, Any] = {
            "version": PIPELINE_VERSION,
            "input": {
                "osm": "demo" if self.osm_is_demo else str(self.osm),
                "area": s(self.area), "area_layer": self.area_layer,
                "bbox": list(self.bbox) if self.bbox is not None else None,
                "crs": self.crs, "buffer_m": self.buffer_m,
            },
            "lamps": None if self.lamps is None else {
                "register": str(self.lamps.path), "crs": self.lamps.crs, "mode": self.lamps.mode,
                "x_col": self.lamps.x_col, "y_col": self.lamps.y_col,
                "id_col": self.lamps.id_col, "same_lamp_m": self.lamps.same_lamp_m,
            },
            "lighting": {
                "lamp_radius_m": self.lighting.lamp_radius_m,
                "min_lit_share": self.lighting.min_lit_share,
                "assume": dict(self.lighting.assume),
            },
            "grid": {"cell_size_m": self.grid.cell_size_m},
            "population": population,
            "access": {k: _plain(getattr(acc, f)) for (sec, k), f in _ACCESS_FIELDS.items()
                       if sec == "access"},
            "green": {k: getattr(acc, f) for (sec, k), f in _ACCESS_FIELDS.items()
                      if sec == "green"},
            "night": {k: getattr(acc, f) for (sec, k), f in _ACCESS_FIELDS.items()
                      if sec == "night"},
            "safety": {"weights": self.safety.as_dict()},
            "areas": None if self.summary_areas is None else {
                "path": str(self.summary_areas.path), "layer": self.summary_areas.layer,
                "key_column": self.summary_areas.key_column,
                "name_column": self.summary_areas.name_column,
            },
            "safety_walk": None if self.safety_walk is None else {
                "findings": str(self.safety_walk.findings), "layer": self.safety_walk.layer,
                "crs": self.safety_walk.crs, "skip_bad_rows": self.safety_walk.skip_bad_rows,
                "weight": self.safety_walk.weight,
            },
            "output": {"name": self.name, "title": self.title, "lang": self.lang,
                       "formats": list(self.formats)},
        }
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def _plain(v):
    return list(v) if isinstance(v, tuple) else v


# ------------------------------------------------------------------------------------------------
# reading


def load_pipeline(path: str | os.PathLike, *, check_files: bool = True) -> PipelineConfig:
    """Read and validate a pipeline file.

    Parameters
    ----------
    path
        The TOML pipeline file; relative paths inside it are resolved against its folder.
    check_files
        Whether input files must exist. ``False`` checks the structure only (for templates
        whose data are elsewhere); the paths are still resolved.

    Returns
    -------
    PipelineConfig

    Raises
    ------
    PipelineError
        A :class:`geoplan.errors.ConfigError` listing every problem, each naming its key.
    """
    p = Path(path).expanduser()
    label = str(path)
    if not p.is_file():
        what = "is a folder" if p.is_dir() else "does not exist"
        raise PipelineError(label, [Problem(
            "", f"the pipeline file {what} (resolved to {p.resolve()}): give a .toml file")])
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PipelineError(label, [Problem(
            "", "the file is not UTF-8 text (TOML must be UTF-8; Windows editors may save å, ä,"
            " ö, æ, ø as Windows-1252): save it again with the encoding UTF-8", line)]) from None
    return parse_pipeline(text, p.resolve().parent, source=label, check_files=check_files,
                          _file=p.resolve())


def parse_pipeline(
    text: str,
    base_dir: str | os.PathLike,
    *,
    source: str = "<string>",
    check_files: bool = True,
    _file: Path | None = None,
) -> PipelineConfig:
    """Validate pipeline text.

    Parameters
    ----------
    text
        TOML text.
    base_dir
        Folder relative paths are resolved against.
    source
        Name of the text in error messages (a file name).
    check_files
        Whether input files must exist (see :func:`load_pipeline`).

    Returns
    -------
    PipelineConfig

    Raises
    ------
    PipelineError
        A :class:`geoplan.errors.ConfigError` listing every problem, each naming its key.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(source, [_syntax_problem(str(exc), text)]) from None
    base = Path(base_dir).expanduser().resolve()
    name = Path(source).stem if _file else None
    try:
        model = _Pipeline.model_validate(raw)
    except ValidationError as exc:
        problems = [_pydantic_problem(e, text) for e in exc.errors()]
        # report the other keys' problems too: check the file without the keys at fault
        try:
            rest = _Pipeline.model_validate(_prune(raw, [e["loc"] for e in exc.errors()]))
        except ValidationError:
            rest = None
        if rest is not None:  # only from sections without a problem of their own
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            b = _Builder(rest, raw, text, base, check_files)
            b.build(source_file=_file, default_name=name)
            problems += [p for p in b.problems if re.split(r"[.\[]", p.key)[0] not in bad]
        raise PipelineError(source, _sorted(_dedupe(problems))) from None
    b = _Builder(model, raw, text, base, check_files)
    cfg = b.build(source_file=_file, default_name=name)
    if b.problems:
        raise PipelineError(source, _sorted(_dedupe(b.problems)))
    return cfg


def _prune(raw: dict, locs) -> dict:
    """A copy of ``raw`` without the keys of ``locs`` (each cut at its key, not list items)."""
    out = copy.deepcopy(raw)
    for loc in locs:
        keys = [el for el in loc if isinstance(el, str)]
        cur: Any = out
        model: Any = _Pipeline
        for i, k in enumerate(keys):
            if not isinstance(cur, dict) or k not in cur:
                break
            info = model.model_fields.get(k) if model is not None else None
            sub = _model_of(info.annotation) if info is not None else None
            if sub is None or i == len(keys) - 1 or not isinstance(cur[k], dict):
                del cur[k]
                break
            cur, model = cur[k], sub
    return out


def _dedupe(problems) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if (p.key, p.message) not in seen:
            seen.add((p.key, p.message))
            out.append(p)
    return out


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


_AT_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _syntax_problem(msg: str, text: str) -> Problem:
    m = _AT_RE.search(msg)
    if not m:
        return Problem("", f"TOML syntax error: {msg}")
    line, col = int(m.group(1)), int(m.group(2))
    what = msg[: m.start()]
    lines = text.splitlines()
    src = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    hint = ""
    if "overwrite" in what.lower():
        hint = " (a key or [section] appears twice)"
    elif re.search(r"=\s*[^\s\"'\[{0-9+\-tfin#]", src):
        hint = " (text values need quotes: key = \"value\")"
    return Problem(
        "",
        f"TOML syntax error at line {line}, column {col}: {what}{hint}"
        + (f" in: {src}" if src else ""),
        line,
    )


# ------------------------------------------------------------------------------------------------
# naming keys and finding their lines


_HDR_RE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
                     r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def _split_key(k: str) -> tuple[str, ...]:
    return tuple(t.strip("\"'") for t in re.findall(r"\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+", k))


def _locate(text: str, path: tuple[str, ...]) -> int | None:
    """Best-effort 1-based line where ``path`` (e.g. ``('grid', 'cell_size_m')``) is set."""
    if not path:
        return None
    cur: tuple[str, ...] = ()
    header_line = None
    for i, line in enumerate(text.splitlines(), 1):
        m = _HDR_RE.match(line)
        if m:
            cur = _split_key(m.group(1))
            if header_line is None and cur[: len(path)] == path:
                header_line = i
            continue
        m = _KEY_RE.match(line)
        if m:
            full = cur + _split_key(m.group(1))
            if full[: len(path)] == path or (len(full) < len(path) and path[: len(full)] == full):
                return i
    return header_line


def _where(path: tuple) -> tuple[str, str, tuple[str, ...]]:
    """``(as written: '[grid] cell_size_m', dotted: 'grid.cell_size_m', path for _locate)``."""
    sections: list[str] = []
    rest = list(path)
    cur: Any = _Pipeline
    while rest and isinstance(rest[0], str) and cur is not None and rest[0] in cur.model_fields:
        sub = _model_of(cur.model_fields[rest[0]].annotation)
        if sub is None:
            break
        sections.append(rest.pop(0))
        cur = sub
    key = ""
    for i, el in enumerate(rest):
        key += f"[{el}]" if isinstance(el, int) else (el if i == 0 else f".{el}")
    head = f"[{'.'.join(sections)}]" if sections else ""
    written = f"{head} {key}".strip() if key else head
    dotted = ".".join([*sections, key]) if key else ".".join(sections)
    loc = tuple(sections) + tuple(el for el in rest if isinstance(el, str))
    return written, dotted, loc


def _model_of(annotation) -> type[BaseModel] | None:
    for a in (annotation, *typing.get_args(annotation)):
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def _field_info(path: tuple):
    cur: Any = _Pipeline
    info = None
    for el in path:
        if cur is None or not isinstance(el, str) or el not in cur.model_fields:
            break
        info = cur.model_fields[el]
        cur = _model_of(info.annotation)
    return info


def _toml(v: Any) -> str:
    """A value as TOML text, for messages and :func:`dump_pipeline`."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str | Path):
        return json.dumps(str(v), ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml(x)}" for k, x in v.items()) + " }"
    return json.dumps(str(v), ensure_ascii=False)


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _all_keys() -> dict[str, list[str]]:
    """key name -> dotted places where it is valid (to redirect a key to its section)."""
    out: dict[str, list[str]] = {}

    def walk(model, prefix):
        for name, info in model.model_fields.items():
            out.setdefault(name, []).append(".".join([*prefix, name]))
            sub = _model_of(info.annotation)
            if sub is not None:
                walk(sub, [*prefix, name])

    walk(_Pipeline, [])
    return out


def _suggest(word: str, choices) -> str | None:
    m = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return m[0] if m else None


def _pydantic_problem(err: Mapping[str, Any], text: str) -> Problem:
    loc = tuple(err["loc"])
    typ = err["type"]
    value = err.get("input")
    if typ == "extra_forbidden":
        parent = loc[:-1]
        written_parent, dotted_parent, _ = _where(parent)
        bad = str(loc[-1])
        pinfo = _field_info(parent)
        model = _model_of(pinfo.annotation) if pinfo is not None else _Pipeline
        valid = list(model.model_fields) if model is not None else []
        dotted = f"{dotted_parent}.{bad}" if dotted_parent else bad
        msg = f"unknown key '{dotted}'"
        guess = _suggest(bad, valid)
        elsewhere = [p.rsplit(".", 1)[0] for p in _all_keys().get(bad, []) if "." in p]
        elsewhere = [p for p in elsewhere if p != dotted_parent]
        if elsewhere:
            msg += f" — '{bad}' belongs in [{elsewhere[0]}]"
        elif guess:
            msg += f" — did you mean '{dotted_parent + '.' if dotted_parent else ''}{guess}'?"
        else:
            where = f"in {written_parent}" if written_parent else "at the top level"
            msg += f"; valid keys {where}: {', '.join(valid)}"
        line = _locate(text, tuple(str(x) for x in loc))
        return Problem(dotted, msg, line)
    written, dotted, lpath = _where(loc)
    line = _locate(text, lpath)
    info = _field_info(loc)
    expected = info.description if info is not None and info.description else None
    ctx = err.get("ctx") or {}
    if typ == "missing":
        msg = f"{written} is missing" + (f": give {expected}" if expected else "")
        if loc == ("input",):
            msg = '[input] is missing: every pipeline needs [input] with osm = "path.osm.pbf"'
        elif loc == ("input", "osm"):
            msg += " (the map data every pipeline needs)"
        return Problem(dotted, msg, line or _locate(text, lpath[:-1]))
    shown = _toml(value) if value is not None else "this"
    if typ == "literal_error":
        msg = f"{written} = {shown} is not allowed: choose {ctx.get('expected', expected)}"
        if isinstance(value, str):
            guess = _suggest(value, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
            if guess:
                msg += f" — did you mean '{guess}'?"
        return Problem(dotted, msg, line)
    limits = {"greater_than": "> {gt}", "greater_than_equal": ">= {ge}",
              "less_than": "< {lt}", "less_than_equal": "<= {le}"}
    if typ in limits:
        return Problem(dotted, f"{written} = {shown} is not allowed: it must be "
                       f"{limits[typ].format(**{k: f'{v:g}' for k, v in ctx.items()})}", line)
    if typ in ("too_short", "too_long") and isinstance(value, list | tuple):
        return Problem(dotted, f"{written} = {shown} is not allowed: it must be {expected}"
                       f" (got {len(value)} items)", line)
    if typ == "finite_number":
        return Problem(dotted, f"{written} = {shown} is not allowed: give a finite number", line)
    if typ == "string_pattern_mismatch":
        return Problem(dotted, f"{written} = {shown} is not allowed: it must be {expected}", line)
    if typ == "model_type":
        return Problem(dotted, f"{written} must be a table ([section] with key = value lines), "
                       f"got {shown}", line)
    if isinstance(loc[-1], int) or (len(loc) > 1 and info is not None
                                     and _field_info(loc[:-1]) is info):
        # an item of a list or of a table such as assume: say what the item should be
        item = _ITEMS.get(typ, "of another type")
        return Problem(dotted, f"{written} must be {item}, got {shown}", line)
    what = expected or err.get("msg", "")
    return Problem(dotted, f"{written} must be {what}, got {shown}", line)


_ITEMS = {"float_type": "a number", "int_type": "a whole number", "string_type": "text in quotes",
          "bool_type": "true or false"}


# ------------------------------------------------------------------------------------------------
# from the schema to geoplan's value objects


def _default(func: Callable, name: str) -> Any:
    """Default of a parameter of a geoplan reader (one source of truth for defaults)."""
    return inspect.signature(func).parameters[name].default


def _osm_defaults() -> dict[str, Any]:
    from ..population import population_from_grid, population_from_stats
    from ..sources.lamps import combine_lamps
    from ..sources.osm import read_osm

    return {
        "default_levels": _default(read_osm, "default_levels"),
        "area_key": _default(population_from_stats, "area_key"),
        "value_column": _default(population_from_grid, "value_column"),
        "band": _default(population_from_grid, "band"),
        "mode": _default(combine_lamps, "mode"),
        "same_lamp_m": _default(combine_lamps, "same_lamp_m"),
    }


def _strip_field(msg: str, name: str) -> str:
    """'grid cell_size_m must be …' -> 'must be …' (the key is already named)."""
    m = re.match(rf"^(?:\w+ )?{re.escape(name)}\s+(?=must\b)", msg)
    return msg[m.end():] if m else msg


class _Builder:
    def __init__(self, model: _Pipeline, raw: dict, text: str, base_dir: Path,
                 check_files: bool):
        self.m = model
        self.raw = raw
        self.text = text
        self.base = base_dir
        self.check = check_files
        self.problems: list[Problem] = []
        self.defaults = _osm_defaults()

    # -- helpers ---------------------------------------------------------------------------
    def problem(self, path: tuple, message: str) -> None:
        written, dotted, lpath = _where(path)
        line = None
        while lpath and line is None:  # a missing key: point at its section
            line = _locate(self.text, lpath)
            lpath = lpath[:-1]
        self.problems.append(Problem(dotted, message.replace("{key}", written), line))

    def shown(self, loc: tuple, default: Any) -> str:
        """The value as written in the file (``-400``, not the ``-400.0`` it became)."""
        cur: Any = self.raw
        for el in loc:
            try:
                cur = cur[el]
            except (KeyError, IndexError, TypeError):
                return _toml(_plain(default))
        return _toml(cur)

    def path(self, loc: tuple, value: str | None, *, kind: str = "a file",
             suffixes: tuple[str, ...] | None = None) -> Path | None:
        if value is None:
            return None
        p = Path(os.path.expanduser(value))
        resolved = p if p.is_absolute() else self.base / p
        resolved = Path(os.path.normpath(resolved))
        if suffixes and not value.lower().endswith(suffixes):
            self.problem(loc, f"{{key}} = {_toml(value)} is not allowed: give {kind} ending in "
                              f"{', '.join(suffixes)}")
        elif self.check and not resolved.exists():
            self.problem(loc, f"{{key}} = {_toml(value)} does not exist (resolved to {resolved}); "
                              f"relative paths are relative to the pipeline file's folder")
        elif self.check and resolved.is_dir() and not value.lower().endswith(".gdb"):
            self.problem(loc, f"{{key}} = {_toml(value)} is a folder: give {kind}")
        return resolved

    def value_object(self, cls, given: dict[str, tuple[tuple, Any]]):
        """``cls(**values)``; a ConfigError is turned into problems naming the keys at fault.

        ``given`` maps a field of ``cls`` to ``(pipeline key path, value)``.
        """
        kwargs = {f: v for f, (_, v) in given.items()}
        try:
            return cls(**kwargs)
        except GeoplanError as exc:
            culprits = []
            for f, (loc, v) in given.items():
                try:
                    cls(**{f: v})
                except GeoplanError as one:
                    culprits.append((f, loc, v, str(one)))
            for f, loc, v, msg in culprits:
                self.problem(loc, f"{{key}} = {self.shown(loc, v)} is not allowed: "
                                  f"{_strip_field(msg, f)}" + self._hint(loc, v))
            if not culprits:  # a rule on several keys together
                locs = [loc for loc, _ in given.values()]
                section = _where(locs[0][:-1])[0] if locs else ""
                keys = ", ".join(str(loc[-1]) for loc in locs)
                self.problem(locs[0][:-1] if locs else (), f"{section} {keys}: {exc}")
            return None

    def _hint(self, loc: tuple, value) -> str:
        if loc == ("access", "categories"):
            from ..sources.osm_tags import CATEGORIES

            hints = [f"'{v}' -> '{g}'" for v in value if v not in CATEGORIES
                     and (g := _suggest(v, CATEGORIES))]
            return f" (did you mean {', '.join(hints)}?)" if hints else ""
        return ""

    # -- sections --------------------------------------------------------------------------
    def build(self, *, source_file: Path | None, default_name: str | None) -> PipelineConfig:
        m = self.m
        if m.version is not None and m.version != PIPELINE_VERSION:
            self.problem(("version",), f"{{key}} = {m.version} is not allowed: this geoplan reads "
                                       f"pipeline version {PIPELINE_VERSION}")
        osm, is_demo = self._osm()
        area, bbox = self._area()
        crs = self._crs()
        lamps = self._lamps()
        lighting = self._lighting()
        size = m.grid.cell_size_m
        if isinstance(size, float) and size.is_integer():
            size = int(size)
        grid = self.value_object(
            GridSpec, {} if size is None else {"cell_size_m": (("grid", "cell_size_m"), size)})
        population = self._population()
        access = self._access()
        safety = self.value_object(SafetyWeights, _given(m.safety.weights, "safety.weights"))
        areas = self._areas()
        walk = self._safety_walk()
        out = m.output
        name = out.name or _slug(default_name) or "geoplan"
        buffer_m = m.input.buffer_m
        if buffer_m is None:
            a = access or AccessSpec()
            buffer_m = max(*a.radii_m, a.gravity_cutoff_m, a.night_threshold_m, a.green_within_m,
                           a.green_per_capita_within_m)
        formats = tuple(dict.fromkeys(out.formats)) if out.formats else ("gpkg",)
        if self.problems:
            return None  # type: ignore[return-value]  # the caller raises
        return PipelineConfig(
            osm=osm, name=name, title=out.title or name, osm_is_demo=is_demo, area=area,
            area_layer=m.input.area_layer, bbox=bbox, crs=crs, buffer_m=float(buffer_m),
            lamps=lamps, lighting=lighting, grid=grid, population=population, access=access,
            safety=safety, summary_areas=areas, safety_walk=walk, lang=out.lang or LANGUAGES[0],
            formats=formats,
            base_dir=self.base, source_file=source_file,
        )

    def _osm(self) -> tuple[Path, bool]:
        from ..sources.osm import OSM_SUFFIXES

        value = self.m.input.osm
        if value.strip().lower() == "demo":
            from ..datasets import demo_extract

            try:
                return demo_extract(), True
            except GeoplanError as exc:
                if self.check:
                    self.problem(("input", "osm"), f'{{key}} = "demo" is not available: {exc}')
                return Path("demo"), True
        return self.path(("input", "osm"), value, kind="an OSM extract",
                         suffixes=OSM_SUFFIXES), False

    def _area(self):
        i = self.m.input
        if i.area is not None and i.bbox is not None:
            self.problem(("input", "bbox"), "[input] area and [input] bbox are both set: give one "
                                            "study area (delete one of the two keys)")
        if i.area_layer is not None and i.area is None:
            self.problem(("input", "area_layer"), "{key} is set but [input] area is not: "
                                                  "area_layer names a layer of the area file")
        area = self.path(("input", "area"), i.area, kind="a polygon file")
        bbox = None
        if i.bbox is not None:
            from ..sources.area import _check_bbox

            try:
                bbox = _check_bbox(i.bbox)
            except GeoplanError as exc:
                shown = self.shown(("input", "bbox"), i.bbox)
                self.problem(("input", "bbox"), f"{{key}} = {shown} {_strip_bbox(str(exc))}")
        return area, bbox

    def _crs(self) -> str | None:
        crs = self.m.input.crs
        if crs is None:
            return None
        from ..crs import parse_metric_crs

        try:
            parse_metric_crs(crs)
        except GeoplanError as exc:
            self.problem(("input", "crs"), f"{{key}} = {_toml(crs)} is not allowed: {exc}")
        return crs

    def _lamps(self) -> LampRegister | None:
        lm = self.m.lamps
        if lm.register is None:
            for k in sorted(lm.model_fields_set - {"register"}):
                self.problem(("lamps", k), "{key} is set but [lamps] register is not: give the "
                                           "register file, or delete the key")
            return None
        path = self.path(("lamps", "register"), lm.register, kind="a lamp register")
        is_csv = lm.register.lower().endswith(_CSV_SUFFIXES)
        if lm.crs is not None:
            try:
                from pyproj import CRS

                CRS.from_user_input(lm.crs)
            except Exception:
                self.problem(("lamps", "crs"), f"{{key}} = {_toml(lm.crs)} is not a known CRS: "
                                               'give an EPSG code such as "EPSG:3006"')
        elif is_csv:
            self.problem(("lamps", "crs"), "{key} is missing: a CSV register needs the CRS of its "
                                           'coordinates, e.g. crs = "EPSG:3006" (SWEREF99 TM), '
                                           '"EPSG:25832" (Denmark) or "EPSG:4326" (lon/lat)')
        if not is_csv:
            for k in ("x_col", "y_col"):
                if getattr(lm, k) is not None:
                    self.problem(("lamps", k), "{key} is only used for a CSV register (a point "
                                               "file has geometries): delete the key")
        return LampRegister(
            path=path, crs=lm.crs, mode=lm.mode or self.defaults["mode"], x_col=lm.x_col,
            y_col=lm.y_col, id_col=lm.id_col,
            same_lamp_m=float(lm.same_lamp_m if lm.same_lamp_m is not None
                              else self.defaults["same_lamp_m"]),
        )

    def _lighting(self) -> LightingRule | None:
        li = self.m.lighting
        if li.assume:
            from ..sources.osm_tags import CONDITIONAL_HIGHWAYS, WALKABLE_HIGHWAYS

            known = sorted(WALKABLE_HIGHWAYS | CONDITIONAL_HIGHWAYS)
            for hw in li.assume:
                if hw not in known:
                    guess = _suggest(hw, known)
                    self.problem(("lighting", "assume", hw),
                                 f"{{key}}: '{hw}' is not a walkable highway value"
                                 + (f" — did you mean '{guess}'?" if guess
                                    else f"; choose from {', '.join(known)}"))
        return self.value_object(LightingRule, _given(li, "lighting"))

    def _population(self) -> PopulationSpec | None:
        p = self.m.population
        sec = ("population",)
        for src, keys in _SOURCE_KEYS.items():
            if src == p.source:
                continue
            for k in keys:
                if k in p.model_fields_set:
                    self.problem((*sec, k), f"{{key}} is only used with source = \"{src}\" "
                                            f"(this pipeline has source = \"{p.source}\"): "
                                            "delete the key or change the source")
        rule = self.value_object(ResidentialRule, _given(p, "population", _RULE_KEYS))
        d = self.defaults
        spec: dict[str, Any] = {"source": p.source}
        if p.source == "statistics":
            if p.areas is None:
                self.problem((*sec, "areas"), '{key} is missing: source = "statistics" needs the '
                                              "area polygons (e.g. SCB's DeSO GeoPackage/GeoJSON)")
            if not p.tables:
                self.problem((*sec, "tables"), '{key} is missing: source = "statistics" needs a '
                                               'list of tables, e.g. ["population.xlsx"]')
            tables = []
            for i, t in enumerate(p.tables or []):
                tables.append(self.path((*sec, "tables", i), t, kind="a table",
                                        suffixes=_TABLE_SUFFIXES))
                if t.lower().endswith(_CSV_SUFFIXES) and not p.key:
                    self.problem((*sec, "key"), "{key} is missing: CSV tables need the name of "
                                                "their area-code column, e.g. key = \"DeSO\"")
            spec.update(
                areas=self.path((*sec, "areas"), p.areas, kind="a polygon file"),
                area_layer=p.area_layer, area_key=p.area_key or d["area_key"],
                tables=tuple(tables), key=p.key, pop_column=p.pop_column,
                kinds=MappingProxyType(dict(p.kinds or {})),
            )
        elif p.source == "grid":
            if p.grid is None:
                self.problem((*sec, "grid"), '{key} is missing: source = "grid" needs a population '
                                             "grid (vector cells or a GeoTIFF)")
            path = self.path((*sec, "grid"), p.grid, kind="a population grid")
            if p.band is not None and p.grid and not p.grid.lower().endswith(_RASTER_SUFFIXES):
                self.problem((*sec, "band"), "{key} is only used with a raster grid (.tif)")
            spec.update(grid=path, value_column=p.value_column or d["value_column"],
                        band=p.band or d["band"])
        else:
            spec.update(persons_per_m2=p.persons_per_m2 if p.persons_per_m2 is not None
                        else PERSONS_PER_M2)
        if rule is None:
            return None
        levels = p.default_levels if p.default_levels is not None else d["default_levels"]
        return PopulationSpec(rule=rule, default_levels=float(levels), **spec)

    def _access(self) -> AccessSpec | None:
        given: dict[str, tuple[tuple, Any]] = {}
        for (sec, key), f in _ACCESS_FIELDS.items():
            v = getattr(getattr(self.m, sec), key)
            if v is not None:
                given[f] = ((sec, key), tuple(v) if isinstance(v, list) else v)
        return self.value_object(AccessSpec, given)

    def _areas(self) -> SummaryAreas | None:
        a = self.m.areas
        if a is None:
            return None
        return SummaryAreas(path=self.path(("areas", "path"), a.path, kind="a polygon file"),
                            key_column=a.key_column, name_column=a.name_column, layer=a.layer)


    def _safety_walk(self) -> SafetyWalkSpec | None:
        w = self.m.safety_walk
        if w is None:
            return None
        crs = None if w.crs is None else (f"EPSG:{w.crs}" if isinstance(w.crs, int) else str(w.crs))
        return SafetyWalkSpec(
            findings=self.path(("safety_walk", "findings"), w.findings, kind="a findings file"),
            layer=w.layer, crs=crs, skip_bad_rows=bool(w.skip_bad_rows),
            weight=float(w.weight or 0.0))


def _given(section: BaseModel, dotted: str, keys=None) -> dict:
    """``{field: (key path, value)}`` of the keys set in a section."""
    loc = tuple(dotted.split("."))
    out = {}
    for k in keys or type(section).model_fields:
        v = getattr(section, k)
        if v is not None:
            out[k] = ((*loc, k), v)
    return out


def _strip_bbox(msg: str) -> str:
    return re.sub(r"^bbox [(\[][^)\]]*[)\]] ", "", msg)


def _slug(name: str | None) -> str | None:
    if not name:
        return None
    s = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.-")
    return s or None


# ------------------------------------------------------------------------------------------------
# writing


def dump_pipeline(config: PipelineConfig) -> str:
    """The pipeline as normalised TOML text: every default written out, paths absolute.

    Parsing the text again gives an equal :class:`PipelineConfig` (with ``check_files`` as for
    the original).

    Parameters
    ----------
    config
        A validated pipeline.

    Returns
    -------
    str
    """
    d = config.to_dict()
    lines = [f"# {config.title} — normalised by geoplan", f"version = {d.pop('version')}", ""]

    def table(name: str, values: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in values.items() if v is not None and not _is_subtable(v)}
        if scalars or not values:
            lines.append(f"[{name}]")
            lines.extend(f"{_toml_key(k)} = {_toml(v)}" for k, v in scalars.items())
            lines.append("")
        for k, v in values.items():
            if _is_subtable(v):
                table(f"{name}.{k}", v)

    for name, values in d.items():
        if values is not None:
            table(name, values)
    return "\n".join(lines)


def _is_subtable(v) -> bool:
    # [safety.weights] is a sub-table; assume and kinds are written inline
    return isinstance(v, Mapping) and bool(v) and all(isinstance(x, int | float)
                                                      and not isinstance(x, bool)
                                                      for x in v.values())
