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
QGIS session (:data:`SESSION_TRIALS`).

``geoplan:compare_scenarios`` makes one core call, :func:`geoplan.runs.scenario.compare_runs`, on the
output folders of several scenario runs and writes the ranking as a table (CSV) and a layerless
table output.
"""

from __future__ import annotations

import dataclasses
import json
import threading
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

__all__ = ["SESSION_BASELINES", "SESSION_TRIALS", "CompareScenariosAlgorithm",
           "ScenarioAlgorithm", "SessionBaselines", "SessionTrials", "baseline_config",
           "save_scenario", "saved_run_folder"]

#: layers of a scenario's geoplan.gpkg: (layer, output name, loaded, display name)
SCENARIO_LAYERS = (
    ("grid_change", "GRID_CHANGE", True, "Change per cell"),
    ("areas_change", "AREAS_CHANGE", True, "Change per area"),
    ("grid", "GRID", True, "Grid with the scenario"),
    ("network", "NETWORK", False, "Walk network with the scenario"),
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


class SessionBaselines:
    """The saved baseline last loaded in this QGIS session, kept in memory: the next scenario
    on the same run folder (the planner's second drawn path) only recomputes, as long as the
    saved file, the provenance and the input files are unchanged (size and time).

    :attr:`loads` counts the loads from disk. Thread-safe (runs are background tasks).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept = None  # (folder, file stats, cfg, Baseline)
        self.loads = 0

    def get(self, folder: Path, out: Path) -> tuple:
        """``(PipelineConfig, Baseline)`` of the run ``folder`` for a scenario written into
        ``out`` (:func:`geoplan.runs.scenario.saved_baseline`: a stale or foreign file raises
        its :class:`~geoplan.errors.GeoplanError`)."""
        from geoplan.runs.scenario import saved_baseline

        folder = Path(folder).resolve()
        with self._lock:
            kept = self._kept
        if (kept is not None and kept[0] == folder and Path(out).resolve() != folder
                and kept[1] == _file_stats(folder, kept[2])):
            return kept[2], kept[3]
        cfg, base = saved_baseline(folder, out)
        with self._lock:
            self._kept = (folder, _file_stats(folder, cfg), cfg, base)
            self.loads += 1
        return cfg, base

    def clear(self) -> None:
        """Forget the kept baseline (the plugin's unload)."""
        with self._lock:
            self._kept = None


#: The session's kept baseline (one run folder at a time).
SESSION_BASELINES = SessionBaselines()


class SessionTrials:
    """The :class:`~geoplan.runs.trial.TrialSession` of the run folder whose baseline
    :data:`SESSION_BASELINES` keeps: made once on that very baseline object (never a second
    load; its area summaries computed once), remade when the kept baseline is another one.
    :attr:`made` counts the sessions made. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept = None  # TrialSession
        self.made = 0

    @property
    def current(self):
        """The kept :class:`~geoplan.runs.trial.TrialSession`, or None."""
        return self._kept

    def get(self, folder: Path, cfg, base):
        """The trial session on ``base`` (the kept baseline of the run ``folder``, pipeline
        ``cfg``: its title and language)."""
        from geoplan.runs.trial import start_trials

        folder = Path(folder).resolve()
        with self._lock:
            kept = self._kept
        if kept is not None and kept.baseline is base and kept.run_dir == folder:
            return kept
        session = dataclasses.replace(start_trials(base, lang=cfg.lang), title=cfg.title,
                                      run_dir=folder)
        with self._lock:
            self._kept = session
            self.made += 1
        return session

    def clear(self) -> None:
        """Forget the kept session (the plugin's unload)."""
        with self._lock:
            self._kept = None


#: The session's trial session (on :data:`SESSION_BASELINES`' baseline).
SESSION_TRIALS = SessionTrials()


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
        for _layer, name, _load, desc in SCENARIO_LAYERS:
            self.addOutput(QgsProcessingOutputVectorLayer(name, tr(desc)))

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
            if trial:  # under a second: Cancel is honoured before it starts
                from geoplan.progress import report
                from geoplan.runs.trial import run_trial

                progress = self.progress(feedback)
                session = SESSION_TRIALS.get(saved_run_folder(baseline), cfg, base)
                report(progress, 0.1, f"trying scenario {scenario.name}")
                result = run_trial(session, scenario, out, changes_csv=True)
                progress.report(1.0, "done")
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
        for order, (layer, output, load_it, desc) in enumerate(SCENARIO_LAYERS):
            results[output] = f"{gpkg}|layername={layer}" if layer in present else None
            if load and load_it and results[output]:
                load_on_completion(context, results[output], tr(desc), output, group=group,
                                   sort_key=order)
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

