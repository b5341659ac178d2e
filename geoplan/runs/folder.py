"""The run folder: the one place that knows its file and layer names and reads it back.

A baseline run (``geoplan run``) writes :data:`GPKG` (layers :data:`GRID`, :data:`NETWORK`,
:data:`DESTINATIONS`, :data:`GREEN`, :data:`ORIGINS`, :data:`AREAS`, …), :data:`GRID_TIF`,
:data:`QUALITY`, :data:`SCENARIO_BASELINE` and :data:`PROVENANCE`; a scenario run (``geoplan scenario run``) writes
:data:`GPKG` (with :data:`GRID_CHANGE` and :data:`AREAS_CHANGE`), :data:`CHANGES_CSV`,
:data:`CHANGES_XLSX` and :data:`SCENARIO_JSON`. :class:`RunFolder` reads them: layers, the change
table, the provenance and the run's settings (the pipeline as run, as a
:class:`~geoplan.config.model.PipelineConfig`).

Examples
--------
>>> import tempfile
>>> RunFolder(tempfile.mkdtemp()).check()  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
geoplan.errors.InputFileError: no geoplan.gpkg in /tmp/...: give the folder a `geoplan run` ...
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError
from ..i18n import fmt, fmt_pct, register_texts, tr

__all__ = [
    "AREAS",
    "AREAS_CHANGE",
    "CHANGES",
    "CHANGES_CSV",
    "CHANGES_XLSX",
    "DESTINATIONS",
    "FINDINGS",
    "FINDINGS_ADDRESSED",
    "FINDINGS_LINES",
    "GPKG",
    "GREEN",
    "DICTIONARY_CSV",
    "DICTIONARY_XLSX",
    "GRID",
    "GRID_CHANGE",
    "GRID_TIF",
    "METADATA",
    "NETWORK",
    "NIGHT_BOUNDS",
    "ORIGINS",
    "PIPELINE_TOML",
    "PROVENANCE",
    "QUALITY",
    "REPORT_DIR",
    "SCENARIO_BASELINE",
    "SCENARIO_JSON",
    "RunFolder",
    "pipeline_digest",
    "pipeline_from_provenance",
    "quality_text",
    "report_dir",
    "quality_warnings",
]

#: The GeoPackage of every run.
GPKG = "geoplan.gpkg"
#: The pipeline as run, hashes of the inputs, versions, CRS, date, totals (a baseline run).
PROVENANCE = "provenance.json"
#: The pipeline as run, as TOML, where the QGIS plugin saves it (``geoplan run`` can repeat it).
PIPELINE_TOML = "pipeline.toml"
#: The data-quality summary (a baseline run); :func:`quality_text` names its text version.
QUALITY = "data_quality.json"
#: One band per indicator (a baseline run with ``formats`` including ``"tif"``).
GRID_TIF = "grid.tif"
#: A scenario's change table, as CSV and Excel.
CHANGES_CSV = "changes.csv"
CHANGES_XLSX = "changes.xlsx"
#: What ``geoplan scenario run RUN_FOLDER`` needs instead of reading OSM again (a baseline run):
#: :func:`geoplan.scenario.recompute.save_baseline`, stamped with the pipeline and the SHA-256
#: of its inputs (:func:`geoplan.runs.pipeline.baseline_stamp`).
SCENARIO_BASELINE = "scenario_baseline.pkl"
#: A scenario run's name, edits and recompute statistics.
SCENARIO_JSON = "scenario.json"
#: The data dictionary of every run and scenario folder: one row per column of every layer
#: (:mod:`geoplan.outputs.dictionary`), as CSV and Excel.
DICTIONARY_CSV = "data_dictionary.csv"
DICTIONARY_XLSX = "data_dictionary.xlsx"
#: Where ``geoplan report`` writes into the run folder (in the run's own language; other
#: languages get their own folder, :func:`report_dir`).
REPORT_DIR = "report"

#: Layers of :data:`GPKG`.
GRID = "grid"
NETWORK = "network"
DESTINATIONS = "destinations"
GREEN = "green"
#: building footprints (geometry only), drawn as context on the maps
BUILDINGS = "buildings"
ORIGINS = "origins"
AREAS = "areas"
GRID_CHANGE = "grid_change"
AREAS_CHANGE = "areas_change"
CHANGES = "changes"
FINDINGS = "findings"
FINDINGS_LINES = "findings_lines"
#: A scenario's (or trial's) open safety-walk findings that its proposal addresses.
FINDINGS_ADDRESSED = "findings_addressed"
METADATA = "geoplan_metadata"
#: A baseline run's table of both bounds of the night losses per cell (``cell_id``,
#: ``loses_<c>_at_night_if_unknown_dark/_lit``; :func:`geoplan.runs.pipeline.night_bounds`).
NIGHT_BOUNDS = "night_bounds"


def report_dir(lang: str, run_lang: str) -> str:
    """Folder name of the report in ``lang`` of a run made in ``run_lang``: ``report`` in the
    run's own language, ``report_<lang>`` in another, so reports in several languages stay
    side by side (each holds ``report.pdf``, ``maps/`` and the tables).

    >>> report_dir("sv", "sv"), report_dir("da", "sv")
    ('report', 'report_da')
    """
    return REPORT_DIR if lang == run_lang else f"{REPORT_DIR}_{lang}"


def quality_text(lang: str) -> str:
    """File name of the data-quality summary in words.

    >>> quality_text("sv")
    'data_quality_sv.txt'
    """
    return f"data_quality_{lang}.txt"


#: A walkable network this dense (km of path per km² of study area) is a town: streets and
#: paths every few hundred metres, as in every Swedish or Danish tätort/byzone.
TOWN_NETWORK_KM_PER_KM2 = 5.0
#: Fewer buildings than this per km² where the network is a town's: even a villa area (plots of
#: ~1 000 m², streets between them) has several hundred houses per km², a town centre more; below
#: 100 most buildings are missing from OpenStreetMap and residents estimated from them are too few.
MIN_BUILDINGS_PER_KM2 = 100.0
#: Below half of the buildings with a known use (residential or not), the split of floor area
#: into homes rests mostly on the rule for buildings of unknown use.
MIN_BUILDING_USE_SHARE = 0.5
#: Above 90 % of the path length with unknown lighting, night access and the lit share are
#: mostly the assumption for unknown lighting, not data.
MAX_UNKNOWN_LIGHTING_SHARE = 0.9

register_texts({
    "qw_title": {"en": "Read with care (implausible input)"},
    "qw_few_buildings": {
        "en": "Only {n} buildings for {km} km of walkable paths in {km2} km² ({per} per km²; "
              "a town's paths usually come with at least {min} per km²): most buildings are "
              "probably missing from the map, so residents estimated from them are too few."},
    "qw_building_use": {
        "en": "Only {pct} of the buildings have a known use (home or not; at least {min} "
              "expected): which floor area holds homes is mostly assumed."},
    "qw_unknown_lighting": {
        "en": "The lighting of {pct} of the walkable paths is unknown (more than {max}): "
              "access after dark and lit shares rest on the assumption for unknown lighting."},
})


def quality_warnings(quality: dict, lang: str = "en") -> list[tuple[str, str]]:
    """Warnings about implausible input in a data-quality record (``data_quality.json``):
    ``(key, sentence in lang)`` for few buildings where the network is a town's
    (:data:`MIN_BUILDINGS_PER_KM2` where it has at least :data:`TOWN_NETWORK_KM_PER_KM2`), under
    :data:`MIN_BUILDING_USE_SHARE` of the buildings with a known use, and over
    :data:`MAX_UNKNOWN_LIGHTING_SHARE` of the path length with unknown lighting.

    Examples
    --------
    >>> q = {"area_km2": 2.0, "walkable_km": 40.0, "buildings": 30, "unknown_share": 0.95,
    ...      "buildings_by_use": {"unknown": 20, "residential": 10}}
    >>> [k for k, _ in quality_warnings(q)]
    ['few_buildings', 'building_use', 'unknown_lighting']
    >>> quality_warnings(q, "sv")[2][1].startswith("Belysningen är okänd för 95")
    True
    """
    out = []
    km2, km = float(quality.get("area_km2") or 0), float(quality.get("walkable_km") or 0)
    n = int(quality.get("buildings") or 0)
    if km2 > 0 and km / km2 >= TOWN_NETWORK_KM_PER_KM2 and n / km2 < MIN_BUILDINGS_PER_KM2:
        out.append(("few_buildings", tr("qw_few_buildings", lang, n=fmt(n, lang, 0),
                                        km=fmt(km, lang, 1), km2=fmt(km2, lang, 2),
                                        per=fmt(n / km2, lang, 0),
                                        min=fmt(MIN_BUILDINGS_PER_KM2, lang, 0))))
    by_use = quality.get("buildings_by_use") or {}
    total = sum(by_use.values())
    known = total - by_use.get("unknown", 0)
    if total and known / total < MIN_BUILDING_USE_SHARE:
        out.append(("building_use", tr("qw_building_use", lang, pct=fmt_pct(known / total, lang),
                                       min=fmt_pct(MIN_BUILDING_USE_SHARE, lang))))
    unknown = quality.get("unknown_share")
    if km > 0 and unknown is not None and float(unknown) > MAX_UNKNOWN_LIGHTING_SHARE:
        out.append(("unknown_lighting", tr("qw_unknown_lighting", lang,
                                           pct=fmt_pct(float(unknown), lang),
                                           max=fmt_pct(MAX_UNKNOWN_LIGHTING_SHARE, lang))))
    return out


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"{path} is not valid JSON ({exc}): rerun geoplan to rewrite it") \
            from exc
    if not isinstance(data, dict):
        raise InputFileError(f"{path} holds no JSON object: rerun geoplan to rewrite it")
    return data


@dataclass(frozen=True)
class RunFolder:
    """A folder ``geoplan run`` or ``geoplan scenario run`` wrote.

    Reading never writes; a file or layer the run did not write reads as None (or ``{}`` for
    the JSON files). The list of layers is read once: make a new RunFolder after the folder
    was written again. :meth:`check` raises a clear :class:`~geoplan.errors.InputFileError` for a
    folder that is not a run folder; every reader of a layer checks first.

    Examples
    --------
    >>> import tempfile
    >>> from geoplan.config import parse_pipeline
    >>> from geoplan.runs.pipeline import run_pipeline
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = run_pipeline(parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250',
    ...                                 out), out)
    >>> run = RunFolder(out)
    >>> run.is_scenario, "pop" in run.grid().columns, run.settings().grid.cell_size_m
    (False, True, 250)
    """

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(os.fspath(self.path)))

    # --- files --------------------------------------------------------------------------------
    @property
    def gpkg(self) -> Path:
        """Path of the run's GeoPackage."""
        return self.path / GPKG

    def file(self, name: str) -> Path:
        """Path of one of the run's files (e.g. :data:`CHANGES_CSV`)."""
        return self.path / name

    def check(self) -> RunFolder:
        """This folder, when it holds a run's GeoPackage with a grid layer; else an
        :class:`~geoplan.errors.InputFileError` that says what to give instead."""
        if not self.gpkg.is_file():
            raise InputFileError(
                f"no {GPKG} in {self.path}: give the folder a `geoplan run` or `geoplan scenario "
                "run` wrote (its pipeline's [output] formats must include \"gpkg\")")
        if GRID not in self.layers():
            raise InputFileError(f"{self.gpkg} has no '{GRID}' layer: it was not written by "
                                 "geoplan run")
        return self

    def layers(self) -> frozenset[str]:
        """Names of the layers in the GeoPackage (empty when there is none); read once."""
        if "_layers" not in self.__dict__:  # a cache: the dataclass is frozen
            self.__dict__["_layers"] = self._read_layers()
        return self.__dict__["_layers"]

    def _read_layers(self) -> frozenset[str]:
        import pyogrio

        if not self.gpkg.is_file():
            return frozenset()
        try:
            return frozenset(str(n) for n in pyogrio.list_layers(self.gpkg)[:, 0])
        except Exception as exc:  # pyogrio raises its own DataSourceError
            raise InputFileError(f"{self.gpkg} cannot be read as a GeoPackage ({exc}): run "
                                 "geoplan again to rewrite it") from exc

    def layer(self, name: str, *, columns: Sequence[str] | None = None, geometry: bool = True):
        """One layer of the GeoPackage as a (Geo)DataFrame, or None when the run has none."""
        import pyogrio

        if name not in self.check().layers():
            return None
        return pyogrio.read_dataframe(self.gpkg, layer=name, read_geometry=geometry,
                                      columns=list(columns) if columns is not None else None)

    def grid(self, columns: Sequence[str] | None = None):
        """The grid layer (indicators per cell, ``cell_id`` as a column)."""
        return self.layer(GRID, columns=columns)

    def areas(self):
        """The area summaries (:data:`AREAS`), or None."""
        return self.layer(AREAS)

    def night_bounds(self):
        """Both bounds of the night losses per cell (:data:`NIGHT_BOUNDS`), or None."""
        return self.layer(NIGHT_BOUNDS, geometry=False)

    def grid_change(self):
        """A scenario's before/after/change per cell (:data:`GRID_CHANGE`), or None."""
        return self.layer(GRID_CHANGE)

    def areas_change(self):
        """A scenario's before/after/change per area (:data:`AREAS_CHANGE`), or None."""
        return self.layer(AREAS_CHANGE)

    def changes(self):
        """A scenario's change table (:data:`CHANGES_CSV`) as a DataFrame, or None."""
        import pandas as pd

        p = self.file(CHANGES_CSV)
        return pd.read_csv(p) if p.is_file() else None

    def metadata(self) -> dict[str, str]:
        """The GeoPackage's ``geoplan_metadata`` table (title, CRS …) as a dict."""
        table = self.layer(METADATA, geometry=False)
        if table is None:
            return {}
        return dict(zip(table["key"].astype(str), table["value"].astype(str), strict=False))

    # --- JSON files ---------------------------------------------------------------------------
    def provenance(self) -> dict:
        """:data:`PROVENANCE` (``{}`` for a scenario run, which has none)."""
        return _read_json(self.file(PROVENANCE))

    def quality(self) -> dict:
        """:data:`QUALITY` (``{}`` when absent)."""
        return _read_json(self.file(QUALITY))

    def scenario_info(self) -> dict:
        """:data:`SCENARIO_JSON` (``{}`` for a baseline run)."""
        return _read_json(self.file(SCENARIO_JSON))

    @property
    def is_scenario(self) -> bool:
        """Whether a scenario run wrote the folder."""
        return self.file(SCENARIO_JSON).is_file() or GRID_CHANGE in self.layers()

    def settings(self):
        """The run's settings: the pipeline as run (:data:`PROVENANCE`), as a
        :class:`~geoplan.config.model.PipelineConfig`; geoplan's defaults when the folder
        records none (a scenario run). Input files need not exist any more."""
        return pipeline_from_provenance(self.provenance(), check_files=False, missing_ok=True)


def pipeline_from_provenance(provenance: dict, *, formats: Sequence[str] | None = None,
                             check_files: bool = True, missing_ok: bool = False):
    """The :class:`~geoplan.config.model.PipelineConfig` a run's ``provenance.json`` records.

    The recorded pipeline (every parameter, defaults filled in, paths absolute) is checked again
    with :func:`geoplan.config.pipeline_from_dict`, so running it repeats the run. The one place
    a run folder's settings are read through :mod:`geoplan.config`.

    Parameters
    ----------
    provenance
        The parsed ``provenance.json``.
    formats
        Output formats to use instead of the recorded ones (e.g. ``["gpkg"]``).
    check_files
        Whether the recorded input files must still exist (True to run it again).
    missing_ok
        Give geoplan's default settings (on the embedded extract) when ``provenance`` records
        no pipeline, instead of an :class:`~geoplan.errors.InputFileError`.

    Examples
    --------
    >>> from geoplan.config import parse_pipeline
    >>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250', Path("."))
    >>> pipeline_from_provenance({"pipeline": cfg.to_dict()}) == cfg
    True
    """
    from ..config.model import PIPELINE_VERSION, PipelineConfig

    d = provenance.get("pipeline") if isinstance(provenance, dict) else None
    if not isinstance(d, dict) and missing_ok:
        provenance, d = {}, {"version": PIPELINE_VERSION, "input": {"osm": "demo"}}
    if not isinstance(d, dict):
        raise InputFileError(f"{PROVENANCE} has no 'pipeline': it was not written by "
                             "geoplan run")
    base = provenance.get("pipeline_file")
    base_dir = (Path(base).parent if base else Path.cwd()).expanduser().resolve()
    if formats is None and not check_files and _as_validated(provenance, d):
        # written by this geoplan from a checked pipeline, unchanged since: read as it is
        return PipelineConfig.from_dict(d, base_dir=base_dir)
    from ..config import pipeline_from_dict

    d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in d.items()}
    if formats is not None:
        d["output"] = {**(d.get("output") or {}), "formats": list(formats)}
    return pipeline_from_dict(d, base_dir, source=PROVENANCE, check_files=check_files)


def pipeline_digest(pipeline: dict) -> str:
    """SHA-256 of a pipeline as data (:meth:`~geoplan.config.model.PipelineConfig.to_dict`,
    sorted JSON): ``provenance.json`` records it beside the pipeline (``pipeline_sha256``), so
    that a hand-edited pipeline is told from the one ``geoplan run`` checked.

    >>> pipeline_digest({"grid": {"cell_size_m": 250}}) == pipeline_digest(
    ...     {"grid": {"cell_size_m": 250.0}})
    False
    """
    import hashlib

    text = json.dumps(pipeline, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _as_validated(provenance: dict, pipeline: dict) -> bool:
    """Whether ``pipeline`` is the checked one this geoplan version recorded (its digest)."""
    from .. import __version__
    from ..config.model import PIPELINE_VERSION

    return (provenance.get("geoplan") == __version__
            and pipeline.get("version") == PIPELINE_VERSION
            and provenance.get("pipeline_sha256") == pipeline_digest(pipeline))
