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
import json
from pathlib import Path

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..adapters import (
    ADVANCED,
    FIELD_ANY,
    FILE_BEHAVIOR,
    POLYGON_SOURCE,
    core_errors_as_processing_exceptions,
    crs_to_core,
    load_on_completion,
    source_to_frame,
    source_to_shapely,
)
from ..i18n import current_language, tr
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


def layer_uri(gpkg: Path, layer: str) -> str:
    """The QGIS data source of one layer of a GeoPackage."""
    return f"{gpkg}|layername={layer}"


def _toml_str(value) -> str:
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


class LayersAlgorithm(GeoplanAlgorithm):
    """Run a pipeline: every grid indicator, the network, destinations, green space, areas."""

    NAME = "layers"
    DISPLAY_NAME = "Compute accessibility, green, safety and night-access layers"
    GROUP = "Analysis"
    GROUP_ID = "analysis"
    HELP = (
        "Runs geoplan on a study area and writes a GeoPackage (geoplan.gpkg) whose layers open "
        "styled: the grid with population and every indicator per cell (walking distance and "
        "number of destinations within reach, access after dark on lit paths only, public green "
        "space, lighting, dark stretches, tunnels, eyes on the street and the safety index with "
        "its data confidence), the walk network with lighting, the destinations, green space "
        "and, with areas to summarise by, the population-weighted area summaries.\n\n"
        "Either give a pipeline file (TOML, as for 'geoplan run'), or an OpenStreetMap file and "
        "the study area, cell size and population source. With a pipeline file, the study area, "
        "cell size, population source and areas given here replace the file's. The pipeline as "
        "run is saved as pipeline.toml in the output folder, with provenance.json and the data "
        "quality report. Data © OpenStreetMap contributors (ODbL)."
    )

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
    LOAD = "LOAD"
    OUTPUT = "OUTPUT"

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
            QgsProcessingParameterBoolean(self.LOAD, tr("Load the layers into the project"),
                                          defaultValue=True),
        ]
        for param in advanced:
            param.setFlags(param.flags() | ADVANCED)
            self.addParameter(param)
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT, tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("GEOPACKAGE", tr("GeoPackage with every layer")))
        for _layer, name, _load, desc in GPKG_LAYERS:
            self.addOutput(QgsProcessingOutputVectorLayer(name, tr(desc)))
        self.addOutput(QgsProcessingOutputNumber("CELLS", tr("Grid cells")))
        self.addOutput(QgsProcessingOutputNumber("POP_TOTAL", tr("Residents in the study area")))

    # --- the parameters as a pipeline -----------------------------------------------------------
    def pipeline_config(self, parameters, context, out: Path):
        """The :class:`geoplan.config.model.PipelineConfig` the parameters describe (validated by the
        core, whose messages name what to fix). Layer inputs are written into ``out``."""
        from geoplan.atomic import ensure_writable_dir
        from geoplan.config.model import SummaryAreas, load_pipeline, parse_pipeline
        from geoplan.errors import ConfigError
        from geoplan.grid import GridSpec

        pipeline = self.parameterAsFile(parameters, self.PIPELINE, context)
        osm = self.parameterAsFile(parameters, self.INPUT, context)
        area_source = self.parameterAsSource(parameters, self.AREA, context)
        size = CELL_SIZES[self.parameterAsEnum(parameters, self.CELL_SIZE, context)]
        pop_source = POPULATION_SOURCES[self.parameterAsEnum(parameters, self.POPULATION, context)]
        pop_grid = self.parameterAsFile(parameters, self.POP_GRID, context)
        pop_field = self.parameterAsString(parameters, self.POP_FIELD, context) or "population"
        areas_source = self.parameterAsSource(parameters, self.SUMMARY_AREAS, context)
        key = self.parameterAsString(parameters, self.SUMMARY_KEY, context)
        name = self.parameterAsString(parameters, self.SUMMARY_NAME, context) or None
        crs = crs_to_core(self.parameterAsCrs(parameters, self.CRS, context))
        title = self.parameterAsString(parameters, self.TITLE, context)
        lang = LANGS[self.parameterAsEnum(parameters, self.LANG, context)]
        tif = self.parameterAsBoolean(parameters, self.GEOTIFF, context)

        if not pipeline and not osm:
            raise ConfigError(tr("Give a pipeline file or an OpenStreetMap file."))
        if pop_source == "grid" and not pop_grid:
            raise ConfigError(tr("The population source is a population grid: choose its file "
                                 "under 'Population grid'."))
        if areas_source is not None and not key:
            raise ConfigError(tr("Choose the area code field of the areas to summarise by."))
        ensure_writable_dir(out)
        area_file = None
        if area_source is not None:
            area_file = out / "study_area.geojson"
            self._write_area(source_to_shapely(area_source, context), area_file)
        areas_file = None
        if areas_source is not None:
            areas_file = out / "summary_areas.gpkg"
            frame = source_to_frame(areas_source, context, what=tr("area layer"))
            frame.to_file(areas_file, layer="summary_areas", driver="GPKG", VERSION="1.3")

        if pipeline:
            cfg = load_pipeline(pipeline)
            changes = {}
            if osm:
                changes["osm"] = Path(osm).resolve()
                changes["osm_is_demo"] = False
            if area_file is not None:
                changes.update(area=area_file, area_layer=None, bbox=None)
            if size is not None:
                changes["grid"] = GridSpec(size)
            if pop_source == "buildings":
                changes["population"] = dataclasses.replace(cfg.population, source="buildings")
            elif pop_source == "grid":
                changes["population"] = dataclasses.replace(
                    cfg.population, source="grid", grid=Path(pop_grid).resolve(),
                    value_column=pop_field)
            if areas_file is not None:
                changes["summary_areas"] = SummaryAreas(areas_file, key, name, "summary_areas")
            if crs:
                changes["crs"] = crs
            if title:
                changes["title"] = title
            if lang:
                changes["lang"] = lang
            if tif and "tif" not in cfg.formats:
                changes["formats"] = (*cfg.formats, "tif")
            cfg = dataclasses.replace(cfg, **changes)
        else:
            lines = ["version = 1", "[input]", f"osm = {_toml_str(Path(osm).resolve())}"]
            if area_file is not None:
                lines.append(f"area = {_toml_str(area_file)}")
            if crs:
                lines.append(f"crs = {_toml_str(crs)}")
            lines += ["[grid]", f"cell_size_m = {size or 100}", "[population]"]
            if pop_source == "grid":
                lines += ['source = "grid"', f"grid = {_toml_str(Path(pop_grid).resolve())}",
                          f"value_column = {_toml_str(pop_field)}"]
            else:
                lines.append('source = "buildings"')
            if areas_file is not None:
                lines += ["[areas]", f"path = {_toml_str(areas_file)}",
                          'layer = "summary_areas"', f"key_column = {_toml_str(key)}"]
                if name:
                    lines.append(f"name_column = {_toml_str(name)}")
            lines += ["[output]", f"name = {_toml_str('geoplan')}",
                      f"title = {_toml_str(title or Path(osm).name.split('.')[0])}",
                      f"lang = {_toml_str(lang or current_language())}",
                      f"formats = {json.dumps(['gpkg', 'tif'] if tif else ['gpkg'])}"]
            cfg = parse_pipeline("\n".join(lines) + "\n", out, source=tr("the parameters"))
        return cfg

    @staticmethod
    def _write_area(geom, path: Path) -> None:
        import geopandas as gpd

        gpd.GeoDataFrame({"name": ["study area"]}, geometry=[geom], crs="EPSG:4326").to_file(
            path, driver="GeoJSON")

    def process(self, parameters, context, feedback):
        out = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        load = self.parameterAsBoolean(parameters, self.LOAD, context)
        with core_errors_as_processing_exceptions():
            from geoplan.atomic import write_text
            from geoplan.config.model import dump_pipeline
            from geoplan.runs.pipeline import run_pipeline

            cfg = self.pipeline_config(parameters, context, out)
            result = run_pipeline(cfg, out, progress=self.progress(feedback))
            write_text(out / "pipeline.toml", dump_pipeline(cfg) + "\n")
        gpkg = out / "geoplan.gpkg"
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
