"""``geoplan:scenario`` and ``geoplan:compare_scenarios``: what a proposal changes, and which of
several proposals does best.

``geoplan:scenario`` makes one core call, :func:`geoplan.runs.scenario.run_scenario`: the baseline
pipeline (a pipeline file, or the output folder of a run) and the scenario — a scenario
GeoPackage (:mod:`geoplan.scenario.io`, what the scenario panel saves) and/or edit layers drawn
in QGIS (new paths, street lamps, densification blocks, green spaces, destinations; see
:mod:`geoplan_qgis.scenario_edits` for their fields). Its outputs: ``OUT/geoplan.gpkg`` with
``grid``, ``grid_change`` and ``areas_change`` (loaded styled), ``changes.csv``/``.xlsx`` and
``scenario.json``. With ``CHANGED_ONLY`` (for trying proposals one after another) and a run
folder's saved baseline it calls :func:`geoplan.runs.trial.run_trial` instead: ``OUT/geoplan.gpkg``
with only the cells and area rows that change (``grid_change``, ``areas_change``; no ``grid``,
no network) and ``changes.csv``, on a :class:`~geoplan.runs.trial.TrialSession` kept for the
QGIS session with its baseline (:data:`SESSION_BASELINES`). The layers both write, and which
the panel loads, are :data:`SCENARIO_LAYERS`.

``geoplan:compare_scenarios`` makes one core call, :func:`geoplan.runs.scenario.compare_runs`, on the
output folders of several scenario runs and writes the ranking as a table (CSV) and a layerless
table output.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
)

from geoplan.runs import folder as rf

from ..adapters import (
    FILE_BEHAVIOR,
    LINE_SOURCE,
    POINT_SOURCE,
    POLYGON_SOURCE,
    core_errors_as_processing_exceptions,
    load_on_completion,
    source_to_shapely,
)
from ..help_texts import HELP_TEXTS
from ..i18n import tr
from ..project import WritesProject
from .base import GeoplanAlgorithm

__all__ = ["SCENARIO_LAYERS", "SESSION_BASELINES", "CompareScenariosAlgorithm", "ResultLayer",
           "ScenarioAlgorithm", "SessionBaselines", "baseline_config", "save_scenario",
           "saved_run_folder"]


@dataclass(frozen=True)
class ResultLayer:
    """A layer of a scenario's ``geoplan.gpkg`` as ``geoplan:scenario`` outputs it."""

    layer: str  #: its name in the GeoPackage (:mod:`geoplan.runs.folder`)
    output: str  #: the algorithm's output
    loaded: bool  #: added to the project after a run (by the algorithm and the panel)
    display: str  #: the layer's name in QGIS (English; translated with ``tr``)


#: The layers of a scenario's geoplan.gpkg, in the order they are loaded: one list for the
#: algorithm's outputs and the panel (a trial writes only the first two).
SCENARIO_LAYERS = (
    ResultLayer(rf.GRID_CHANGE, "GRID_CHANGE", True, "Change per cell"),
    ResultLayer(rf.AREAS_CHANGE, "AREAS_CHANGE", True, "Change per area"),
    ResultLayer(rf.GRID, "GRID", True, "Grid with the scenario"),
    ResultLayer(rf.NETWORK, "NETWORK", False, "Walk network with the scenario"),
)
#: parameter name -> edit kind of geoplan_qgis.scenario_edits
EDIT_PARAMETERS = (
    ("NEW_PATHS", "new_paths", LINE_SOURCE, "New paths (lines: name, lit, kind, crossing)"),
    ("NEW_LAMPS", "new_lamps", POINT_SOURCE, "New street lamps (points)"),
    ("DENSIFY", "densify", POLYGON_SOURCE,
     "Densification blocks (polygons: dwellings, residents or floor_area_m2)"),
    ("NEW_GREEN", "new_green", POLYGON_SOURCE, "New green spaces (polygons: public, kind)"),
    ("NEW_DESTINATIONS", "new_destinations", POINT_SOURCE,
     "New destinations (points: category, name)"),
)


def save_scenario(scenario, path) -> Path:
    """Write ``scenario`` as the core's scenario GeoPackage (what ``SCENARIO`` reads)."""
    from geoplan.scenario.io import write_scenario

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        path = path.with_suffix(".gpkg")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_scenario(scenario, path)
    return path


def baseline_config(path):
    """The baseline's :class:`geoplan.config.model.PipelineConfig` from a pipeline file or from the
    output folder of a run (its ``pipeline.toml``, else the pipeline in ``provenance.json``)."""
    from geoplan.config import load_pipeline
    from geoplan.errors import ConfigError, InputFileError
    from geoplan.runs import folder as rf

    p = Path(str(path)).expanduser()
    if p.suffix.lower() == ".toml":  # the core says when it does not exist
        return load_pipeline(p)
    folder = p if p.is_dir() else p.parent
    if (folder / rf.PIPELINE_TOML).is_file():
        return load_pipeline(folder / rf.PIPELINE_TOML)
    prov = folder / rf.PROVENANCE
    if prov.is_file():
        try:
            return rf.pipeline_from_provenance(rf.RunFolder(folder).provenance())
        except InputFileError as exc:
            raise ConfigError(tr("{file} has no pipeline: run geoplan again to rewrite it."
                                 ).format(file=prov)) from exc
    raise ConfigError(tr("The baseline {path} is neither a pipeline file (.toml) nor the output "
                         "folder of a geoplan run (with provenance.json): choose one of them."
                         ).format(path=p))


def saved_run_folder(path) -> Path | None:
    """The run folder with a saved scenario baseline (:data:`geoplan.runs.folder.SCENARIO_BASELINE`)
    that ``path`` names — the folder, or its ``provenance.json``, ``pipeline.toml`` or
    ``geoplan.gpkg`` — else None (a pipeline file elsewhere, a scenario's folder)."""
    p = Path(str(path)).expanduser()
    if not p.is_dir() and p.name not in (rf.PIPELINE_TOML, rf.PROVENANCE, rf.GPKG):
        return None
    folder = p if p.is_dir() else p.parent
    return folder.resolve() if (folder / rf.SCENARIO_BASELINE).is_file() else None


def _file_stats(folder: Path, cfg) -> tuple:
    """Size and modification time of the saved baseline, the provenance and every input file
    (None for one that is gone): what tells that a kept baseline is still the folder's."""
    from geoplan.runs.pipeline import input_files

    files = [folder / rf.SCENARIO_BASELINE, folder / rf.PROVENANCE,
             *input_files(cfg).values()]
    return tuple((str(f), (f.stat().st_size, f.stat().st_mtime_ns) if f.is_file() else None)
                 for f in files)


@dataclass(frozen=True, eq=False)
class _Kept:
    """The kept baseline of one run folder, and the trial session made on it (or None)."""

    folder: Path
    stats: tuple  # _file_stats when it was loaded
    cfg: object  # PipelineConfig
    baseline: object  # geoplan.scenario.recompute.Baseline
    trials: object = None  # geoplan.runs.trial.TrialSession on ``baseline``


class SessionBaselines:
    """The saved baseline last loaded in this QGIS session, kept in memory with the trial
    session made on it: the next scenario on the same run folder (the planner's second drawn
    path) only recomputes, as long as the saved file, the provenance and the input files are
    unchanged (size and time). A baseline loaded again gets a trial session of its own.

    :attr:`loads` counts the loads from disk, :attr:`trials_made` the trial sessions made.
    Thread-safe (runs are background tasks): loading and making a session happen outside the
    lock, so the GUI thread's :meth:`clear` never waits for them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: _Kept | None = None
        self.loads = 0
        self.trials_made = 0

    def _valid(self, folder: Path, out: Path) -> _Kept | None:
        """The kept baseline if it is the resolved ``folder``'s and still its files' (and
        ``out`` is not that folder), else None."""
        with self._lock:
            kept = self._kept
        if (kept is not None and kept.folder == folder and Path(out).resolve() != folder
                and kept.stats == _file_stats(folder, kept.cfg)):
            return kept
        return None

    def get(self, folder: Path, out: Path) -> tuple:
        """``(PipelineConfig, Baseline)`` of the run ``folder`` for a scenario written into
        ``out`` (:func:`geoplan.runs.scenario.saved_baseline`: a stale or foreign file raises
        its :class:`~geoplan.errors.GeoplanError`)."""
        kept = self._load(Path(folder).resolve(), out)
        return kept.cfg, kept.baseline

    def _load(self, folder: Path, out: Path) -> _Kept:
        """The kept baseline of the resolved ``folder``, loaded (and kept) when it is not."""
        from geoplan.runs.scenario import saved_baseline

        kept = self._valid(folder, out)
        if kept is not None:
            return kept
        cfg, base = saved_baseline(folder, out)
        kept = _Kept(folder, _file_stats(folder, cfg), cfg, base)
        with self._lock:
            self._kept = kept
            self.loads += 1
        return kept

    def trials(self, folder: Path, out: Path):
        """The :class:`~geoplan.runs.trial.TrialSession` on the kept baseline of the run
        ``folder`` (loaded as :meth:`get` loads it), made once per kept baseline: never a
        second load, its area summaries computed once."""
        from geoplan.runs.trial import start_trials

        kept = self._load(Path(folder).resolve(), out)
        if kept.trials is not None:
            return kept.trials
        session = start_trials(kept.baseline, config=kept.cfg, run_dir=kept.folder)
        with self._lock:
            if self._kept is kept:  # (not cleared or replaced meanwhile)
                self._kept = dataclasses.replace(kept, trials=session)
            self.trials_made += 1
        return session

    @property
    def current_trials(self):
        """The trial session on the kept baseline, or None."""
        with self._lock:
            return None if self._kept is None else self._kept.trials

    def clear(self) -> None:
        """Forget the kept baseline and its trial session (the plugin's unload)."""
        with self._lock:
            self._kept = None


#: The session's kept baseline (one run folder at a time) and its trial session.
SESSION_BASELINES = SessionBaselines()


class ScenarioAlgorithm(WritesProject, GeoplanAlgorithm):
    """Run a scenario against its baseline: change layers and the change table."""

    NAME = "scenario"
    DISPLAY_NAME = "Run a scenario"
    GROUP = "Scenarios"
    GROUP_ID = "scenarios"
    HELP = HELP_TEXTS["scenario"]["en"]

    BASELINE = "BASELINE"
    SCENARIO = "SCENARIO"
    NAME_PARAM = "NAME"
    AREA = "AREA"
    CHANGES = "CHANGES"
    CHANGED_ONLY = "CHANGED_ONLY"
    #: result (like GEOPACKAGE, not a declared output): why the run folder's saved baseline
    #: was not used (empty when it was, or when the baseline is a pipeline file), in QGIS's
    #: language
    BASELINE_NOTE = "BASELINE_NOTE"
    #: result: True when only what changes was written (``CHANGED_ONLY`` on a saved baseline)
    TRIAL = "TRIAL"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        tr = self.tr
        self.addParameter(QgsProcessingParameterFile(
            self.BASELINE, tr("Baseline: pipeline file (.toml), or provenance.json / "
                              "geoplan.gpkg of a run's output folder"),
            behavior=FILE_BEHAVIOR,
            fileFilter=tr("Pipelines and runs") + " (*.toml provenance.json geoplan.gpkg);;"
            + tr("All files") + " (*.*)"))
        self.addParameter(QgsProcessingParameterFile(
            self.SCENARIO, tr("Scenario GeoPackage (optional)"), behavior=FILE_BEHAVIOR,
            fileFilter=tr("GeoPackages") + " (*.gpkg)", optional=True))
        for name, _kind, source_type, desc in EDIT_PARAMETERS:
            self.addParameter(QgsProcessingParameterFeatureSource(
                name, tr(desc), [source_type], optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.NAME_PARAM, tr("Scenario name (optional)"), optional=True))
        self.add_run_folder_parameters(QgsProcessingParameterFeatureSource(
            self.AREA, tr("Study area instead of the baseline's (polygons; optional)"),
            [POLYGON_SOURCE], optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.CHANGED_ONLY, tr("Write only what changes (fast, for trying proposals)"),
            defaultValue=False, optional=True))
        self.addOutput(QgsProcessingOutputFile(self.CHANGES, tr("Change table (CSV)")))
        for r in SCENARIO_LAYERS:
            self.addOutput(QgsProcessingOutputVectorLayer(r.output, tr(r.display)))

    def scenario(self, parameters, context):
        """The scenario of the parameters: the GeoPackage's edits plus the drawn layers'."""
        from geoplan.errors import ConfigError
        from geoplan.scenario.io import read_scenario
        from geoplan.types import Scenario

        from ..adapters import crs_to_qgis
        from ..scenario_edits import scenario_from_sources

        path = self.parameterAsFile(parameters, self.SCENARIO, context)
        name = self.parameterAsString(parameters, self.NAME_PARAM, context)
        sources = {kind: self.parameterAsSource(parameters, pname, context)
                   for pname, kind, _t, _d in EDIT_PARAMETERS}
        sources = {k: v for k, v in sources.items() if v is not None}
        base = read_scenario(path) if path else None
        drawn = None
        if sources:  # one CRS for all edits (the core reprojects them to the study's)
            first = next(iter(sources.values())).sourceCrs()
            target = crs_to_qgis(base.crs) if base is not None and base.crs is not None \
                else first
            drawn = scenario_from_sources(name or (base.name if base else tr("Scenario")),
                                          sources, target,
                                          transform_context=context.transformContext())
        if base is None and drawn is None:
            raise ConfigError(tr("Give a scenario GeoPackage or at least one layer of edits "
                                 "(new paths, lamps, densification, green spaces or "
                                 "destinations)."))
        if base is None:
            return drawn
        if drawn is None:
            return dataclasses.replace(base, name=name) if name else base
        return Scenario(name or base.name, base.edits + drawn.edits,
                        description=base.description, crs=base.crs or drawn.crs,
                        connect_within_m=base.connect_within_m)

    @staticmethod
    def baseline(path, area, out: Path, feedback) -> tuple:
        """``(PipelineConfig, Baseline or None, note)``: the saved baseline of the run folder
        ``path`` names (kept for the session, :data:`SESSION_BASELINES`: no OSM read, no
        baseline computed), else the pipeline (the baseline is computed). A stale or foreign
        saved baseline is said (``note``, QGIS's language, also in the log) and the pipeline
        used instead; a study area of its own needs the pipeline too."""
        from geoplan.errors import GeoplanError
        from geoplan.i18n import tr as core_tr

        from ..i18n import current_language

        folder = saved_run_folder(path) if area is None else None
        if folder is not None:
            if out.resolve() == folder:  # the scenario would replace the run's own files
                SESSION_BASELINES.get(folder, out)  # raises the core's ConfigError
            try:
                feedback.setProgressText(core_tr("saved_baseline_loading", current_language()))
                cfg, base = SESSION_BASELINES.get(folder, out)
                return cfg, base, ""
            except GeoplanError as exc:
                from geoplan.runs.scenario import saved_baseline_reason

                lang = current_language()
                note = core_tr("saved_baseline_fallback", lang, run=folder,
                               error=saved_baseline_reason(exc, lang))
                feedback.reportError(note, fatalError=False)
                return baseline_config(path), None, note
        return baseline_config(path), None, ""

    def process(self, parameters, context, feedback):
        baseline = self.parameterAsFile(parameters, self.BASELINE, context)
        area = self.parameterAsSource(parameters, self.AREA, context)
        load = self.parameterAsBoolean(parameters, self.LOAD, context)
        out = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        with core_errors_as_processing_exceptions():
            cfg, base, note = self.baseline(baseline, area, out, feedback)
            trial = base is not None and self.parameterAsBoolean(
                parameters, self.CHANGED_ONLY, context)
            # project.qgz (WritesProject) holds the council layout: full runs only
            self.project_folder = None if trial else out
            if area is not None:
                cfg = _with_area(cfg, area, out, context)
            scenario = self.scenario(parameters, context)
            feedback.pushInfo(tr("Scenario {name}: {n} edits").format(
                name=scenario.name, n=len(scenario.edits)))
            if trial:  # under a second; Cancel is honoured until the writing starts
                from geoplan.runs.trial import run_trial

                session = SESSION_BASELINES.trials(saved_run_folder(baseline), out)
                result = run_trial(session, scenario, out, changes_csv=True,
                                   progress=self.progress(feedback))
            else:
                from geoplan.runs.scenario import run_scenario

                result = run_scenario(cfg, scenario, out, baseline=base,
                                      progress=self.progress(feedback))
        results = self._outputs(out, scenario.name, load, context)
        results.update({self.BASELINE_NOTE: note, self.TRIAL: trial})
        stats = getattr(result, "stats", None)
        if stats is not None and hasattr(stats, "as_dict"):
            feedback.pushInfo(json.dumps(stats.as_dict(), default=str))
        return results

    def _outputs(self, out: Path, name: str, load: bool, context) -> dict:
        """The results: the folder, GeoPackage, change table and the layers written (None for
        one that is not), those to load added to the project on completion."""
        import pyogrio

        gpkg = out / rf.GPKG
        results = {self.OUTPUT: str(out), "GEOPACKAGE": str(gpkg),
                   self.CHANGES: str(out / rf.CHANGES_CSV)}
        present = {str(n) for n in pyogrio.list_layers(gpkg)[:, 0]}
        group = tr("geoplan: {scenario}").format(scenario=name)
        for order, r in enumerate(SCENARIO_LAYERS):
            results[r.output] = f"{gpkg}|layername={r.layer}" if r.layer in present else None
            if load and r.loaded and results[r.output]:
                load_on_completion(context, results[r.output], tr(r.display), r.output,
                                   group=group, sort_key=order)
        return results


def _with_area(cfg, area, out: Path, context):
    """``cfg`` with the study area of the ``area`` source (written next to ``out``)."""
    import geopandas as gpd

    from geoplan.atomic import ensure_writable_dir

    ensure_writable_dir(out)
    area_file = out.parent / f"{out.name}_study_area.geojson"
    gpd.GeoDataFrame({"name": ["study area"]}, geometry=[source_to_shapely(
        area, context)], crs="EPSG:4326").to_file(area_file, driver="GeoJSON")
    return dataclasses.replace(cfg, area=area_file, area_layer=None, bbox=None)


class CompareScenariosAlgorithm(GeoplanAlgorithm):
    """Rank several scenario runs side by side (whole study area)."""

    NAME = "compare_scenarios"
    DISPLAY_NAME = "Compare scenarios"
    GROUP = "Scenarios"
    GROUP_ID = "scenarios"
    HELP = HELP_TEXTS["compare_scenarios"]["en"]

    RUNS = "RUNS"
    TABLE = "TABLE"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        tr = self.tr
        file_type = _file_source_type()
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.RUNS, tr("Scenario runs: the changes.csv of each run's output folder"),
            layerType=file_type))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Comparison (CSV)"), fileFilter=tr("CSV files") + " (*.csv)"))
        table = QgsProcessingParameterFeatureSink(
            self.TABLE, tr("Comparison table"), _no_geometry_type(), optional=True,
            createByDefault=False)
        self.addParameter(table)

    def process(self, parameters, context, feedback):
        from ..adapters import frame_to_sink

        runs = [Path(str(p)) for p in self.parameterAsFileList(parameters, self.RUNS, context)]
        runs = [p if p.is_dir() else p.parent for p in runs]
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        from ..i18n import current_language

        with core_errors_as_processing_exceptions():
            from geoplan.atomic import write_text
            from geoplan.errors import ConfigError
            from geoplan.runs.scenario import compare_runs

            if len(runs) < 2:
                raise ConfigError(tr("Give at least two scenario runs to compare."))
            table = compare_runs(runs, lang=current_language())
            write_text(Path(out), table.to_csv(index=False))
            results = {self.OUTPUT: out}
            if parameters.get(self.TABLE) is not None:
                import geopandas as gpd

                frame = gpd.GeoDataFrame(table, geometry=[None] * len(table))
                results[self.TABLE] = frame_to_sink(self, parameters, self.TABLE, context,
                                                    frame)
        return results


def _file_source_type():
    from qgis.core import Qgis, QgsProcessing

    group = getattr(Qgis, "ProcessingSourceType", None)
    return group.File if group is not None else QgsProcessing.TypeFile


def _no_geometry_type():
    from qgis.core import Qgis, QgsProcessing

    group = getattr(Qgis, "ProcessingSourceType", None)
    return group.Vector if group is not None else QgsProcessing.TypeVector

