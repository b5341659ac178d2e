"""The settings of a pipeline as frozen dataclasses: what :func:`geoplan.config.load_pipeline`
returns and :func:`geoplan.config.dump_pipeline` writes.

:class:`PipelineConfig` holds geoplan's own value objects (:class:`~geoplan.types.LightingRule`,
:class:`~geoplan.grid.GridSpec`, :class:`~geoplan.types.AccessSpec`,
:class:`~geoplan.types.SafetyWeights`, :class:`~geoplan.population.ResidentialRule`) plus the
specs of this package (:class:`LampRegister`, :class:`PopulationSpec`, :class:`SummaryAreas`,
:class:`SafetyWalkSpec`) with resolved paths. :meth:`PipelineConfig.to_dict` gives it back as data
shaped like the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..grid import GridSpec
from ..population import PERSONS_PER_M2, ResidentialRule
from ..types import AccessSpec, LightingRule, SafetyWeights

#: Pipeline format version this package reads.
PIPELINE_VERSION = 1
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".asc")
#: [population] keys of the ResidentialRule
RULE_KEYS = ("mixed_use_share", "unknown_use_share", "min_unknown_footprint_m2")
#: ``{(section, key): AccessSpec field}`` of ``[access]``, ``[green]`` and ``[night]``: a field
#: ``green_within_m`` is ``[green] within_m`` (:data:`geoplan.config.schema.ACCESS_FIELDS`, made
#: from the schema, is the same; a test checks it). Here without the schema, so that reading a
#: run folder's validated pipeline needs no pydantic (:meth:`PipelineConfig.from_dict`).
ACCESS_KEYS: dict[tuple[str, str], str] = {
    (sec, f.name.removeprefix(f"{sec}_")): f.name
    for f in fields(AccessSpec)
    for sec in [next((s for s in ("green", "night") if f.name.startswith(f"{s}_")), "access")]}

__all__ = [
    "LampRegister",
    "PipelineConfig",
    "PopulationSpec",
    "SafetyWalkSpec",
    "SummaryAreas",
]


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
    cycleways_walkable
        Whether cycleways without ``foot`` are walked on; None: by the country
        (:func:`geoplan.sources.osm_tags.cycleways_walkable`).
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
    cycleways_walkable: bool | None = None
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
    #: ``[report] author``: written into every PDF's metadata ("" = geoplan)
    author: str = ""
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
        out: dict[str, Any] = {
            "version": PIPELINE_VERSION,
            "input": {
                "osm": "demo" if self.osm_is_demo else str(self.osm),
                "area": _str(self.area), "area_layer": self.area_layer,
                "bbox": list(self.bbox) if self.bbox is not None else None,
                "crs": self.crs, "buffer_m": self.buffer_m,
                "cycleways_walkable": self.cycleways_walkable,
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
            "population": _population_dict(self.population),
            **{sec: _access_section(self.access, sec) for sec in ("access", "green", "night")},
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
            "report": {"author": self.author or None},
        }
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base_dir: Path | None = None,
                  source_file: Path | None = None) -> PipelineConfig:
        """The pipeline :meth:`to_dict` gave as ``data`` (also through JSON), *not checked*.

        Only for data a validated pipeline wrote, e.g. a run folder's ``provenance.json``
        whose digest still matches (:func:`geoplan.runs.folder.pipeline_from_provenance`);
        anything written by hand goes through :func:`geoplan.config.pipeline_from_dict`, which
        checks every key and says what to fix. Needs no pydantic.

        Examples
        --------
        >>> from geoplan.config import parse_pipeline
        >>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250', ".")
        >>> PipelineConfig.from_dict(json.loads(cfg.to_json())) == cfg
        True
        """
        i, out = data["input"], data["output"]
        lamps, areas, walk = data.get("lamps"), data.get("areas"), data.get("safety_walk")
        access = {f: tuple(v) if isinstance(v, list) else v for (sec, k), f in
                  ACCESS_KEYS.items() if (v := data[sec].get(k)) is not None}
        li = data["lighting"]
        osm, is_demo = _osm_path(i["osm"])
        return cls(
            osm=osm, name=out["name"], title=out["title"], osm_is_demo=is_demo,
            area=_path(i.get("area")), area_layer=i.get("area_layer"),
            bbox=None if i.get("bbox") is None else tuple(float(v) for v in i["bbox"]),
            crs=i.get("crs"), buffer_m=float(i["buffer_m"]),
            cycleways_walkable=i.get("cycleways_walkable"),
            lamps=None if lamps is None else LampRegister(
                path=Path(lamps["register"]), crs=lamps.get("crs"), mode=lamps["mode"],
                x_col=lamps.get("x_col"), y_col=lamps.get("y_col"), id_col=lamps.get("id_col"),
                same_lamp_m=float(lamps["same_lamp_m"])),
            lighting=LightingRule(lamp_radius_m=li["lamp_radius_m"],
                                  min_lit_share=li["min_lit_share"], assume=li["assume"]),
            grid=GridSpec(data["grid"]["cell_size_m"]),
            population=_population_from(data["population"]),
            access=AccessSpec(**access), safety=SafetyWeights(**data["safety"]["weights"]),
            summary_areas=None if areas is None else SummaryAreas(
                path=Path(areas["path"]), key_column=areas["key_column"],
                name_column=areas.get("name_column"), layer=areas.get("layer")),
            safety_walk=None if walk is None else SafetyWalkSpec(
                findings=Path(walk["findings"]), layer=walk.get("layer"), crs=walk.get("crs"),
                skip_bad_rows=bool(walk["skip_bad_rows"]), weight=float(walk["weight"])),
            lang=out["lang"], formats=tuple(out["formats"]),
            author=(data.get("report") or {}).get("author") or "",
            base_dir=base_dir or Path.cwd(), source_file=source_file)


def _path(p: str | None) -> Path | None:
    return None if p is None else Path(p)


def _osm_path(value: str) -> tuple[Path, bool]:
    """The OSM extract of ``[input] osm`` as :meth:`PipelineConfig.to_dict` wrote it."""
    if value != "demo":
        return Path(value), False
    from ..datasets import demo_extract
    from ..errors import GeoplanError

    try:
        return demo_extract(), True
    except GeoplanError:  # as the checked reader without file checks
        return Path("demo"), True


def _population_from(p: Mapping[str, Any]) -> PopulationSpec:
    """:class:`PopulationSpec` of :func:`_population_dict`'s data."""
    spec: dict[str, Any] = {"source": p["source"]}
    if p["source"] == "statistics":
        spec.update(areas=_path(p.get("areas")), area_layer=p.get("area_layer"),
                    area_key=p["area_key"], tables=tuple(Path(t) for t in p["tables"]),
                    key=p.get("key"), pop_column=p.get("pop_column"),
                    kinds=MappingProxyType(dict(p.get("kinds") or {})))
    elif p["source"] == "grid":
        spec.update(grid=_path(p.get("grid")), value_column=p["value_column"],
                    band=p.get("band") or PopulationSpec.band)
    else:
        spec.update(persons_per_m2=p["persons_per_m2"])
    rule = ResidentialRule(**{k: p[k] for k in RULE_KEYS})
    return PopulationSpec(rule=rule, default_levels=float(p["default_levels"]), **spec)


def _str(p) -> str | None:
    return None if p is None else str(p)


def _population_dict(pop: PopulationSpec) -> dict[str, Any]:
    """``[population]`` as data: the source, its own keys, the residential rule."""
    out: dict[str, Any] = {"source": pop.source}
    if pop.source == "statistics":
        out.update(
            areas=_str(pop.areas), area_layer=pop.area_layer, area_key=pop.area_key,
            tables=[str(t) for t in pop.tables], key=pop.key, pop_column=pop.pop_column,
            kinds=dict(pop.kinds),
        )
    elif pop.source == "grid":
        raster = str(pop.grid).lower().endswith(RASTER_SUFFIXES)  # a vector grid has no bands
        out.update(grid=_str(pop.grid), value_column=pop.value_column,
                   band=pop.band if raster else None)
    else:
        out.update(persons_per_m2=pop.persons_per_m2)
    out.update({k: getattr(pop.rule, k) for k in RULE_KEYS})
    out["default_levels"] = pop.default_levels
    return out


def _access_section(acc: AccessSpec, section: str) -> dict[str, Any]:
    """``[access]``, ``[green]`` or ``[night]`` as data (they share :class:`AccessSpec`)."""
    return {k: plain(getattr(acc, f)) for (sec, k), f in ACCESS_KEYS.items() if sec == section}


def plain(v):
    """A tuple as a list (TOML and JSON have lists), anything else as it is."""
    return list(v) if isinstance(v, tuple) else v
