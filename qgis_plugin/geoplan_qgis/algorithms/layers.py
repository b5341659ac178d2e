"""``geoplan:layers``: compute every geoplan layer (``geoplan run``) and load them styled.

One core call, :func:`geoplan.runs.pipeline.run_pipeline`, on a pipeline that comes either from a TOML
file or from the parameters (OSM file, study area layer, cell size, population source, areas to
summarise by). What the parameters add is written next to the outputs (``study_area.geojson``,
``summary_areas.gpkg``) and the pipeline as run is saved as ``pipeline.toml``, so the same run can
be repeated with ``geoplan run OUT/pipeline.toml --out …``. The layers of ``OUT/geoplan.gpkg``
are outputs of their own (for models) and are loaded into the project with the styles stored in
the GeoPackage.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ..adapters import (
    FIELD_ANY,
    FILE_BEHAVIOR,
    POLYGON_SOURCE,
    core_errors_as_processing_exceptions,
    crs_to_core,
    load_on_completion,
    source_to_polygons,
    source_to_shapely,
)
from ..help_texts import HELP_TEXTS
from ..i18n import current_language, tr
from ..project import WritesProject
from .base import GeoplanAlgorithm
from .network import OSM_FILTER

__all__ = ["GPKG_LAYERS", "LayersAlgorithm", "layer_uri"]

#: layers of OUT/geoplan.gpkg: (layer, output name, loaded into the project, display name)
GPKG_LAYERS = (
    ("grid", "GRID", True, "Grid: indicators per cell"),
    ("network", "NETWORK", True, "Walk network"),
    ("destinations", "DESTINATIONS", True, "Destinations"),
    ("green", "GREEN", True, "Green space"),
    ("origins", "ORIGINS", False, "Where residents start walking"),
    ("areas", "AREAS", True, "Area summaries"),
)
CELL_SIZES = (None, 50, 100, 250, 1000)
POPULATION_SOURCES = (None, "buildings", "grid")
LANGS = (None, "en", "sv", "da")
#: population keys that stay when a population source is given as a parameter: the
#: residential rule, and the source's own knobs when the source is the same
_RULE = ("mixed_use_share", "unknown_use_share", "min_unknown_footprint_m2", "default_levels")
_POPULATION_KEPT = {"": _RULE, "buildings": (*_RULE, "persons_per_m2"), "grid": (*_RULE, "band")}


def layer_uri(gpkg: Path, layer: str) -> str:
    """The QGIS data source of one layer of a GeoPackage."""
    return f"{gpkg}|layername={layer}"


def _put_parameters(data: dict, values: dict, *, area_file, population, areas, tif) -> None:
    """Put what the parameters give into pipeline data (``PipelineConfig.to_dict()`` shape):
    ``values`` maps (section, key) to a value, None or "" where the parameter is not given; the
    study area file replaces the file's area or bbox, a population source replaces the
    population's source keys (the residential rule stays), the areas replace ``[areas]``."""
    for (section, key), value in values.items():
        if value not in (None, ""):
            data.setdefault(section, {})[key] = value
    if area_file is not None:
        data["input"].update(area=area_file, area_layer=None, bbox=None)
    if population:
        before = data.get("population", {})
        kept = _POPULATION_KEPT[population["source"]] if population["source"] == before.get(
            "source", "buildings") else _POPULATION_KEPT[""]
        data["population"] = {**{k: v for k, v in before.items() if k in kept}, **population}
    if areas:
        data["areas"] = areas
    formats = list(data.setdefault("output", {}).get("formats") or ["gpkg"])
    data["output"]["formats"] = [*formats, "tif"] if tif and "tif" not in formats else formats


class LayersAlgorithm(WritesProject, GeoplanAlgorithm):
    """Run a pipeline: every grid indicator, the network, destinations, green space, areas."""

    NAME = "layers"
    DISPLAY_NAME = "Compute accessibility, green, safety and night-access layers"
    GROUP = "Analysis"
    GROUP_ID = "analysis"
    HELP = HELP_TEXTS["layers"]["en"]

    PIPELINE = "PIPELINE"
    INPUT = "INPUT"
    AREA = "AREA"
    CELL_SIZE = "CELL_SIZE"
    POPULATION = "POPULATION"
    POP_GRID = "POP_GRID"
    POP_FIELD = "POP_FIELD"
    SUMMARY_AREAS = "SUMMARY_AREAS"
    SUMMARY_KEY = "SUMMARY_KEY"
    SUMMARY_NAME = "SUMMARY_NAME"
    CRS = "CRS"
    TITLE = "TITLE"
    LANG = "LANG"
    GEOTIFF = "GEOTIFF"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        tr = self.tr
        self.addParameter(QgsProcessingParameterFile(
            self.PIPELINE, tr("Pipeline file (TOML; optional)"), behavior=FILE_BEHAVIOR,
            fileFilter=tr("Pipeline files") + " (*.toml)", optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("OpenStreetMap file (without a pipeline file)"),
            behavior=FILE_BEHAVIOR, fileFilter=tr("OpenStreetMap files") + OSM_FILTER,
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.AREA, tr("Study area (polygons; optional, default: the whole file)"),
            [POLYGON_SOURCE], optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.CELL_SIZE, tr("Grid cell size"),
            options=[tr("As in the pipeline file (default 100 m)"), "50 m", "100 m", "250 m",
                     "1000 m"], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.POPULATION, tr("Population source"),
            options=[tr("As in the pipeline file (default: OSM buildings)"),
                     tr("OSM buildings (estimate: residential floor area)"),
                     tr("Population grid (file below)")], defaultValue=0))
        self.addParameter(QgsProcessingParameterFile(
            self.POP_GRID, tr("Population grid (vector grid or GeoTIFF; optional)"),
            behavior=FILE_BEHAVIOR, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.POP_FIELD, tr("Residents column of the population grid"),
            defaultValue="population", optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SUMMARY_AREAS, tr("Areas to summarise by (polygons; optional)"),
            [POLYGON_SOURCE], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.SUMMARY_KEY, tr("Area code field"), parentLayerParameterName=self.SUMMARY_AREAS,
            type=FIELD_ANY, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.SUMMARY_NAME, tr("Area name field (optional)"),
            parentLayerParameterName=self.SUMMARY_AREAS, type=FIELD_ANY, optional=True))
        advanced = [
            QgsProcessingParameterCrs(
                self.CRS, tr("Metric CRS for computing (optional, default: chosen from the "
                             "area)"), optional=True),
            QgsProcessingParameterString(self.TITLE, tr("Title of the study (optional)"),
                                         optional=True),
            QgsProcessingParameterEnum(
                self.LANG, tr("Language of the outputs"),
                options=[tr("As in the pipeline file, else QGIS's language"), "English",
                         "Svenska", "Dansk"], defaultValue=0),
            QgsProcessingParameterBoolean(self.GEOTIFF, tr("Also write grid.tif (one band per "
                                                           "indicator)"), defaultValue=False),
        ]
        self.add_run_folder_parameters(*advanced)
        for _layer, name, _load, desc in GPKG_LAYERS:
            self.addOutput(QgsProcessingOutputVectorLayer(name, tr(desc)))
        self.addOutput(QgsProcessingOutputNumber("CELLS", tr("Grid cells")))
        self.addOutput(QgsProcessingOutputNumber("POP_TOTAL", tr("Residents in the study area")))

    # --- the parameters as a pipeline -----------------------------------------------------------
    def pipeline_config(self, parameters, context, out: Path):
        """The :class:`geoplan.config.PipelineConfig` the parameters describe: the pipeline
        file's data (or only the OSM file) with the parameters given in place of its keys,
        validated by the core (whose messages name what to fix). Layer inputs are written into
        ``out``."""
        from geoplan.atomic import ensure_writable_dir
        from geoplan.config import load_pipeline, pipeline_from_dict
        from geoplan.errors import ConfigError

        pipeline = self.parameterAsFile(parameters, self.PIPELINE, context)
        osm = self.parameterAsFile(parameters, self.INPUT, context)
        area_source = self.parameterAsSource(parameters, self.AREA, context)
        pop_source = POPULATION_SOURCES[self.parameterAsEnum(parameters, self.POPULATION, context)]
        pop_grid = self.parameterAsFile(parameters, self.POP_GRID, context)
        areas_source = self.parameterAsSource(parameters, self.SUMMARY_AREAS, context)
        key = self.parameterAsString(parameters, self.SUMMARY_KEY, context)
        if not pipeline and not osm:
            raise ConfigError(tr("Give a pipeline file or an OpenStreetMap file."))
        if pop_source == "grid" and not pop_grid:
            raise ConfigError(tr("The population source is a population grid: choose its file "
                                 "under 'Population grid'."))
        if areas_source is not None and not key:
            raise ConfigError(tr("Choose the area code field of the areas to summarise by."))
        ensure_writable_dir(out)
        area_file = areas_file = None
        if area_source is not None:
            area_file = out / "study_area.geojson"
            self._write_area(source_to_shapely(area_source, context), area_file)
        if areas_source is not None:
            areas_file = out / "summary_areas.gpkg"
            frame = source_to_polygons(areas_source, context, what=tr("area layer"))
            frame.to_file(areas_file, layer="summary_areas", driver="GPKG", VERSION="1.3")
        if pipeline:
            base = load_pipeline(pipeline)
            data, base_dir, source = base.to_dict(), base.base_dir, pipeline
        else:
            base, base_dir, source = None, out, tr("the parameters")
            data = {"input": {"osm": Path(osm).resolve()}, "output": {
                "name": "geoplan", "title": Path(osm).name.split(".")[0],
                "lang": current_language()}}
        _put_parameters(data, {
            ("input", "osm"): Path(osm).resolve() if osm else None,
            ("grid", "cell_size_m"): CELL_SIZES[
                self.parameterAsEnum(parameters, self.CELL_SIZE, context)],
            ("input", "crs"): crs_to_core(self.parameterAsCrs(parameters, self.CRS, context)),
            ("output", "title"): self.parameterAsString(parameters, self.TITLE, context),
            ("output", "lang"): LANGS[self.parameterAsEnum(parameters, self.LANG, context)],
        }, area_file=area_file, population=pop_source and {"source": pop_source, **({
            "grid": Path(pop_grid).resolve(),
            "value_column": self.parameterAsString(parameters, self.POP_FIELD, context)
            or "population"} if pop_source == "grid" else {}),
        }, areas=areas_file and {
            "path": areas_file, "layer": "summary_areas", "key_column": key,
            "name_column": self.parameterAsString(parameters, self.SUMMARY_NAME, context) or None,
        }, tif=self.parameterAsBoolean(parameters, self.GEOTIFF, context))
        cfg = pipeline_from_dict(data, base_dir, source=source)
        return cfg if base is None else dataclasses.replace(cfg, source_file=base.source_file)

    @staticmethod
    def _write_area(geom, path: Path) -> None:
        import geopandas as gpd

        gpd.GeoDataFrame({"name": ["study area"]}, geometry=[geom], crs="EPSG:4326").to_file(
            path, driver="GeoJSON")

    def process(self, parameters, context, feedback):
        out = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        self.project_folder = out  # project.qgz after the run (WritesProject)
        load = self.parameterAsBoolean(parameters, self.LOAD, context)
        with core_errors_as_processing_exceptions():
            from geoplan.config import dump_pipeline
            from geoplan.runs import folder as rf
            from geoplan.runs.pipeline import run_pipeline

            cfg = self.pipeline_config(parameters, context, out)
            # pipeline.toml belongs to the run's set: committed with its data, never after
            result = run_pipeline(cfg, out, progress=self.progress(feedback),
                                  extra_files={rf.PIPELINE_TOML: dump_pipeline(cfg) + "\n"})
        gpkg = out / rf.GPKG
        results = {
            self.OUTPUT: str(out),
            "GEOPACKAGE": str(gpkg) if gpkg.exists() else None,
            "CELLS": int(result.layers.meta.get("cells", len(result.layers.grid))),
            "POP_TOTAL": float(result.layers.meta.get("pop_total", 0.0)),
        }
        import pyogrio

        present = set(pyogrio.list_layers(gpkg)[:, 0]) if gpkg.exists() else set()
        group = cfg.title or "geoplan"
        for order, (layer, name, load_it, desc) in enumerate(GPKG_LAYERS):
            if layer not in present:
                results[name] = None
                continue
            results[name] = layer_uri(gpkg, layer)
            if load and load_it:
                load_on_completion(context, results[name], tr(desc), name, group=group,
                                   sort_key=order)
        feedback.pushInfo(tr("Outputs written to {folder}").format(folder=out))
        return results
