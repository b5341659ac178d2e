"""``geoplan:area_summary``: a geoplan grid summarised by any polygon layer.

One core call, :func:`geoplan.indicators.equity.area_summary`: per area (and a last row for the
whole grid) the residents and cells; measures of residents population-weighted (share for yes/no
fields, median for distances), measures of the paths weighted by path length and of the place by
area, with the population-weighted mean beside them (``…_pop_mean``). Cells are split between
areas by the share of their square inside each polygon.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterString,
)

from ..adapters import (
    ADVANCED,
    FIELD_ANY,
    POLYGON_SOURCE,
    core_errors_as_processing_exceptions,
    frame_to_sink,
    source_to_frame,
    source_to_polygons,
)
from ..help_texts import HELP_TEXTS
from ..i18n import current_language
from .base import GeoplanAlgorithm

__all__ = ["AreaSummaryAlgorithm"]


class AreaSummaryAlgorithm(GeoplanAlgorithm):
    """Summary of a geoplan grid per area polygon (:func:`geoplan.indicators.equity.area_summary`)."""

    NAME = "area_summary"
    DISPLAY_NAME = "Summarise by area"
    GROUP = "Analysis"
    GROUP_ID = "analysis"
    HELP = HELP_TEXTS["area_summary"]["en"]

    GRID = "GRID"
    AREAS = "AREAS"
    KEY = "KEY"
    NAME_FIELD = "NAME_FIELD"
    LABEL = "LABEL"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        tr = self.tr
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.GRID, tr("geoplan grid (with pop and indicators)"), [POLYGON_SOURCE]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.AREAS, tr("Areas to summarise by (polygons)"), [POLYGON_SOURCE]))
        self.addParameter(QgsProcessingParameterField(
            self.KEY, tr("Area code field"), parentLayerParameterName=self.AREAS, type=FIELD_ANY))
        self.addParameter(QgsProcessingParameterField(
            self.NAME_FIELD, tr("Area name field (optional)"), parentLayerParameterName=self.AREAS,
            type=FIELD_ANY, optional=True))
        label = QgsProcessingParameterString(
            self.LABEL, tr("Name of the last row (the whole grid)"),
            defaultValue=tr("Whole study area"))
        label.setFlags(label.flags() | ADVANCED)
        self.addParameter(label)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Area summaries"), POLYGON_SOURCE))

    def process(self, parameters, context, feedback):
        grid_source = self.parameterAsSource(parameters, self.GRID, context)
        areas_source = self.parameterAsSource(parameters, self.AREAS, context)
        key = self.parameterAsString(parameters, self.KEY, context)
        name = self.parameterAsString(parameters, self.NAME_FIELD, context) or None
        label = self.parameterAsString(parameters, self.LABEL, context) or None
        with core_errors_as_processing_exceptions():
            from geoplan.indicators.equity import area_summary
            from geoplan.progress import report

            progress = self.progress(feedback)
            report(progress, 0.0, self.tr("reading the grid"))
            grid = source_to_frame(grid_source, context, what=self.tr("grid layer"))
            areas = source_to_polygons(areas_source, context, what=self.tr("area layer"))
            report(progress, 0.3, self.tr("summarising"))
            summary = area_summary(grid, areas, key=key, name=name, study_area_label=label,
                                   lang=current_language())
            report(progress, 0.8, self.tr("writing"))
            dest = frame_to_sink(self, parameters, self.OUTPUT, context, summary,
                                 feedback=None)
            report(progress, 1.0)
        return {self.OUTPUT: dest}
