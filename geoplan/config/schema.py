"""The schema of a pipeline file: its sections and keys, what each expects, and the defaults.

Pydantic models, strict: TOML values are typed, ``"800"`` is not a number. The messages of
:mod:`geoplan.config.problems` quote each key's ``description`` as what to give.

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
    ``cycleways_walkable``
        Whether a cycleway without a ``foot`` tag is walked on (``true``/``false``). Default: by
        the country of the study area: yes in Sweden, Denmark, Finland and Norway, where
        pedestrians may use a cycleway when there is no footway; no elsewhere. Data quality
        counts the cycleways walked on this way.

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

``[report]``
    ``author`` (the author or organisation written into every PDF's metadata, e.g.
    ``"Malmö stad, Stadsbyggnadskontoret"``; default ``"geoplan"``).

``[output]``
    ``name`` (used in file names; default: the pipeline file's name), ``title`` (free text for
    maps and reports; default: ``name``), ``lang`` (``"en"``, ``"sv"`` or ``"da"``),
    ``formats`` (``["gpkg"]``; also ``"tif"`` and ``"report"``: maps, PDF report and tables in
    ``OUT/report/``, which needs the GeoPackage, so it is written too).
"""

from __future__ import annotations

import typing
import warnings
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..i18n import LANGUAGES
from .model import PIPELINE_VERSION, RASTER_SUFFIXES, RULE_KEYS  # noqa: F401  (re-exported)

__all__ = ["OUTPUT_FORMATS", "PIPELINE_VERSION", "PipelineSchema"]

#: Output formats a pipeline may ask for.
OUTPUT_FORMATS: tuple[str, ...] = ("gpkg", "tif", "report")
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")


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
    cycleways_walkable: bool | None = _f("true or false")


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


class _Report(_Section):
    author: str | None = _f('an author or organisation in quotes, e.g. "Malmö stad, '
                            'Stadsbyggnadskontoret"', max_length=200)


class PipelineSchema(_Section):
    """A whole pipeline file."""

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
    report: _Report = Field(default_factory=_Report, description="a table")


#: (section, key) -> AccessSpec field: [access] keys as they are, [green] and [night] keys
#: prefixed with their section (``green.within_m`` -> ``green_within_m``)
ACCESS_FIELDS: dict[tuple[str, str], str] = {
    **{("access", k): k for k in _Access.model_fields},
    **{("green", k): f"green_{k}" for k in _Green.model_fields},
    **{("night", k): f"night_{k}" for k in _Night.model_fields},
}
#: [population] keys used only with one source
SOURCE_KEYS = {
    "statistics": ("areas", "area_layer", "area_key", "tables", "key", "pop_column", "kinds"),
    "grid": ("grid", "value_column", "band"),
    "buildings": ("persons_per_m2",),
}



# ------------------------------------------------------------------------------------------------
# walking the schema


def model_of(annotation) -> type[BaseModel] | None:
    """The section model of a field's annotation (``_Lamps`` of ``_Lamps | None``), or None."""
    for a in (annotation, *typing.get_args(annotation)):
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def field_info(path: tuple):
    """The pydantic field a key path (``('grid', 'cell_size_m')``) ends at, or None."""
    cur: Any = PipelineSchema
    info = None
    for el in path:
        if cur is None or not isinstance(el, str) or el not in cur.model_fields:
            break
        info = cur.model_fields[el]
        cur = model_of(info.annotation)
    return info


def all_keys() -> dict[str, list[str]]:
    """key name -> dotted places where it is valid (to redirect a key to its section)."""
    out: dict[str, list[str]] = {}

    def walk(model, prefix):
        for name, info in model.model_fields.items():
            out.setdefault(name, []).append(".".join([*prefix, name]))
            sub = model_of(info.annotation)
            if sub is not None:
                walk(sub, [*prefix, name])

    walk(PipelineSchema, [])
    return out
