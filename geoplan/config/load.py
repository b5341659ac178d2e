"""Reading a pipeline: :func:`load_pipeline` (a file), :func:`parse_pipeline` (TOML text) and
:func:`pipeline_from_dict` (data built by a program) check the same things, report every problem
at once (:mod:`geoplan.config.problems`) and give a :class:`~geoplan.config.PipelineConfig`.

Nothing in a pipeline is evaluated or executed: the file is parsed with :mod:`tomllib` as data.
Relative paths are resolved against the folder of the pipeline file (``base_dir`` for text and
data), and ``~`` is expanded. Defaults come from geoplan's own value objects and the reader
functions' signatures, so they cannot drift apart.
"""

from __future__ import annotations

import copy
import inspect
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import GeoplanError
from ..grid import GridSpec
from ..i18n import LANGUAGES
from ..population import PERSONS_PER_M2, ResidentialRule
from ..types import AccessSpec, LightingRule, SafetyWeights
from .dump import toml_value
from .model import (
    LampRegister,
    PipelineConfig,
    PopulationSpec,
    SafetyWalkSpec,
    SummaryAreas,
    plain,
)
from .problems import (
    PipelineError,
    Problem,
    locate,
    ordered,
    pydantic_problem,
    suggest,
    syntax_problem,
    where,
)
from .schema import (
    ACCESS_FIELDS,
    CSV_SUFFIXES,
    PIPELINE_VERSION,
    RASTER_SUFFIXES,
    RULE_KEYS,
    SOURCE_KEYS,
    TABLE_SUFFIXES,
    PipelineSchema,
    model_of,
)

__all__ = ["load_pipeline", "parse_pipeline", "pipeline_from_dict"]


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
        The validated pipeline; its ``base_dir`` is ``base_dir``.

    Raises
    ------
    PipelineError
        Every problem, as for :func:`load_pipeline`, with the line of its key in ``text``.

    Examples
    --------
    >>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250\\n', ".")
    >>> cfg.grid.layer_name, cfg.population.source, cfg.buffer_m
    ('grid_250m', 'buildings', 1200.0)
    >>> parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 120\\n', ".")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoplan.config.problems.PipelineError: <string>: [grid] cell_size_m = 120 is not allowed: ...
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(source, [syntax_problem(str(exc), text)]) from None
    name = Path(source).stem if _file else None
    return _validate(raw, _Origin(text, _base(base_dir), source, check_files, _file, name))


def pipeline_from_dict(
    data: Mapping[str, Any],
    base_dir: str | os.PathLike,
    *,
    source: str = "<data>",
    check_files: bool = True,
) -> PipelineConfig:
    """Validate a pipeline given as data: what :func:`parse_pipeline` checks, without the text.

    For programs (the QGIS plugin) that build a pipeline rather than write one: the data are
    shaped like the file (``{"input": {"osm": …}, "grid": {"cell_size_m": 250}}``), a key whose
    value is None counts as not given (TOML has no null), paths may be :class:`~pathlib.Path`
    objects and lists tuples. :meth:`PipelineConfig.to_dict` gives such data back, and
    :func:`~geoplan.config.dump_pipeline` writes the result as a pipeline file. The problems
    are the same as for the text, without line numbers.

    Parameters
    ----------
    data
        The sections of a pipeline file as mappings.
    base_dir, source, check_files
        As for :func:`parse_pipeline`; ``source`` names the data in messages.

    Returns
    -------
    PipelineConfig
        What :func:`parse_pipeline` gives for the same data written as TOML.

    Raises
    ------
    PipelineError
        Every problem, worded as for the text but without line numbers.

    Examples
    --------
    >>> cfg = pipeline_from_dict({"input": {"osm": "demo"}, "grid": {"cell_size_m": 250}}, ".")
    >>> cfg.grid.layer_name, cfg.name
    ('grid_250m', 'geoplan')
    >>> pipeline_from_dict(cfg.to_dict(), ".") == cfg
    True
    >>> pipeline_from_dict({"input": {"osm": "demo"}, "grid": {"cell_size": 250}}, ".",
    ...                    source="the parameters")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoplan.config.problems.PipelineError: the parameters: unknown key 'grid.cell_size' — ...
    """
    if not isinstance(data, Mapping):
        raise PipelineError(source, [Problem(
            "", f"a pipeline must be a mapping of sections such as {{'input': {{'osm': …}}}}, "
                f"got {type(data).__name__}")])
    raw = _as_toml_data(data)
    return _validate(raw, _Origin("", _base(base_dir), source, check_files, None, None))


def _base(base_dir: str | os.PathLike) -> Path:
    return Path(base_dir).expanduser().resolve()


def _as_toml_data(v: Any) -> Any:
    """Data as :mod:`tomllib` would give them: no None values, paths as text, lists not tuples."""
    if isinstance(v, Mapping):
        return {str(k): _as_toml_data(x) for k, x in v.items() if x is not None}
    if isinstance(v, list | tuple):
        return [_as_toml_data(x) for x in v]
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    return v


@dataclass(frozen=True)
class _Origin:
    """Where validated data come from: the text (for line numbers), the folder relative paths
    are resolved against, the name in messages, whether files must exist, the file itself and
    the name it gives the pipeline by default."""

    text: str
    base: Path
    source: str
    check_files: bool
    file: Path | None
    default_name: str | None


def _validate(raw: dict, origin: _Origin) -> PipelineConfig:
    """The schema, then the builder; every problem found is raised at once."""
    try:
        model = PipelineSchema.model_validate(raw)
    except ValidationError as exc:
        raise PipelineError(origin.source, _schema_problems(exc, raw, origin)) from None
    b = _Builder(model, raw, origin)
    cfg = b.build()
    if b.problems:
        raise PipelineError(origin.source, ordered(b.problems))
    return cfg


def _schema_problems(exc: ValidationError, raw: dict, origin: _Origin) -> list[Problem]:
    """The schema's problems, and the builder's in the sections without one of their own."""
    problems = [pydantic_problem(e, origin.text) for e in exc.errors()]
    # report the other keys' problems too: check the file without the keys at fault
    try:
        rest = PipelineSchema.model_validate(_prune(raw, [e["loc"] for e in exc.errors()]))
    except ValidationError:
        rest = None
    if rest is not None:  # only from sections without a problem of their own
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        b = _Builder(rest, raw, origin)
        b.build()
        problems += [p for p in b.problems if re.split(r"[.\[]", p.key)[0] not in bad]
    return ordered(problems)


def _prune(raw: dict, locs) -> dict:
    """A copy of ``raw`` without the keys of ``locs`` (each cut at its key, not list items)."""
    out = copy.deepcopy(raw)
    for loc in locs:
        keys = [el for el in loc if isinstance(el, str)]
        cur: Any = out
        model: Any = PipelineSchema
        for i, k in enumerate(keys):
            if not isinstance(cur, dict) or k not in cur:
                break
            info = model.model_fields.get(k) if model is not None else None
            sub = model_of(info.annotation) if info is not None else None
            if sub is None or i == len(keys) - 1 or not isinstance(cur[k], dict):
                del cur[k]
                break
            cur, model = cur[k], sub
    return out


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
    """From the validated schema to geoplan's value objects, collecting problems that need more
    than one key or the file system (and turning value objects' errors into problems)."""

    def __init__(self, model: PipelineSchema, raw: dict, origin: _Origin):
        self.m = model
        self.raw = raw
        self.origin = origin
        self.text = origin.text
        self.base = origin.base
        self.check = origin.check_files
        self.problems: list[Problem] = []
        self.defaults = _osm_defaults()

    # -- helpers ---------------------------------------------------------------------------
    def problem(self, path: tuple, message: str) -> None:
        written, dotted, lpath = where(path)
        line = None
        while lpath and line is None:  # a missing key: point at its section
            line = locate(self.text, lpath)
            lpath = lpath[:-1]
        self.problems.append(Problem(dotted, message.replace("{key}", written), line))

    def shown(self, loc: tuple, default: Any) -> str:
        """The value as written in the file (``-400``, not the ``-400.0`` it became)."""
        cur: Any = self.raw
        for el in loc:
            try:
                cur = cur[el]
            except (KeyError, IndexError, TypeError):
                return toml_value(plain(default))
        return toml_value(cur)

    def path(self, loc: tuple, value: str | None, *, kind: str = "a file",
             suffixes: tuple[str, ...] | None = None) -> Path | None:
        if value is None:
            return None
        p = Path(os.path.expanduser(value))
        resolved = p if p.is_absolute() else self.base / p
        resolved = Path(os.path.normpath(resolved))
        if suffixes and not value.lower().endswith(suffixes):
            self.problem(loc, f"{{key}} = {toml_value(value)} is not allowed: give {kind} "
                              f"ending in {', '.join(suffixes)}")
        elif self.check and not resolved.exists():
            self.problem(loc, f"{{key}} = {toml_value(value)} does not exist (resolved to "
                              f"{resolved}); relative paths are relative to the pipeline file's "
                              "folder")
        elif self.check and resolved.is_dir() and not value.lower().endswith(".gdb"):
            self.problem(loc, f"{{key}} = {toml_value(value)} is a folder: give {kind}")
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
                section = where(locs[0][:-1])[0] if locs else ""
                keys = ", ".join(str(loc[-1]) for loc in locs)
                self.problem(locs[0][:-1] if locs else (), f"{section} {keys}: {exc}")
            return None

    def _hint(self, loc: tuple, value) -> str:
        if loc == ("access", "categories"):
            from ..sources.osm_tags import CATEGORIES

            hints = [f"'{v}' -> '{g}'" for v in value if v not in CATEGORIES
                     and (g := suggest(v, CATEGORIES))]
            return f" (did you mean {', '.join(hints)}?)" if hints else ""
        return ""

    # -- sections --------------------------------------------------------------------------
    def build(self) -> PipelineConfig:
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
        name = out.name or _slug(self.origin.default_name) or "geoplan"
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
            cycleways_walkable=m.input.cycleways_walkable,
            lamps=lamps, lighting=lighting, grid=grid, population=population, access=access,
            safety=safety, summary_areas=areas, safety_walk=walk, lang=out.lang or LANGUAGES[0],
            formats=formats, author=m.report.author or "",
            base_dir=self.base, source_file=self.origin.file,
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
            self.problem(("input", "crs"), f"{{key}} = {toml_value(crs)} is not allowed: {exc}")
        return crs

    def _lamps(self) -> LampRegister | None:
        lm = self.m.lamps
        if lm.register is None:
            for k in sorted(lm.model_fields_set - {"register"}):
                self.problem(("lamps", k), "{key} is set but [lamps] register is not: give the "
                                           "register file, or delete the key")
            return None
        path = self.path(("lamps", "register"), lm.register, kind="a lamp register")
        is_csv = lm.register.lower().endswith(CSV_SUFFIXES)
        if lm.crs is not None:
            try:
                from pyproj import CRS

                CRS.from_user_input(lm.crs)
            except Exception:
                self.problem(("lamps", "crs"), f"{{key}} = {toml_value(lm.crs)} is not a known "
                                               'CRS: give an EPSG code such as "EPSG:3006"')
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
                    guess = suggest(hw, known)
                    self.problem(("lighting", "assume", hw),
                                 f"{{key}}: '{hw}' is not a walkable highway value"
                                 + (f" — did you mean '{guess}'?" if guess
                                    else f"; choose from {', '.join(known)}"))
        return self.value_object(LightingRule, _given(li, "lighting"))

    def _population(self) -> PopulationSpec | None:
        p = self.m.population
        sec = ("population",)
        for src, keys in SOURCE_KEYS.items():
            if src == p.source:
                continue
            for k in keys:
                if k in p.model_fields_set:
                    self.problem((*sec, k), f"{{key}} is only used with source = \"{src}\" "
                                            f"(this pipeline has source = \"{p.source}\"): "
                                            "delete the key or change the source")
        rule = self.value_object(ResidentialRule, _given(p, "population", RULE_KEYS))
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
                                        suffixes=TABLE_SUFFIXES))
                if t.lower().endswith(CSV_SUFFIXES) and not p.key:
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
            if p.band is not None and p.grid and not p.grid.lower().endswith(RASTER_SUFFIXES):
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
        for (sec, key), f in ACCESS_FIELDS.items():
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
