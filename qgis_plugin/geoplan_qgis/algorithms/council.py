"""``geoplan:council_layout``: the council's A3 layout of a run or scenario, as PDF and PNG.

Builds the print layout of :mod:`geoplan_qgis.layout` in a private project (the planner's project
is not touched) and exports it with ``QgsLayoutExporter``. Runs on the main thread (layout
rendering is not thread-safe).
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProject,
)

from ..adapters import (
    FOLDER_BEHAVIOR,
    NO_THREADING,
    NUMBER_DOUBLE,
    core_errors_as_processing_exceptions,
)
from ..help_texts import HELP_TEXTS
from .base import GeoplanAlgorithm

__all__ = ["CouncilLayoutAlgorithm"]


class CouncilLayoutAlgorithm(GeoplanAlgorithm):
    """Export the council layout (maps, legends, scale bar, north arrow, sources, table)."""

    NAME = "council_layout"
    DISPLAY_NAME = "Export council layout (PDF and PNG)"
    GROUP = "Reports"
    GROUP_ID = "reports"
    HELP = HELP_TEXTS["council_layout"]["en"]

    RUN = "RUN"
    INDICATOR = "INDICATOR"
    TITLE = "TITLE"
    LANG = "LANG"
    DPI = "DPI"
    PDF = "PDF"
    PNG = "PNG"
    ATLAS = "ATLAS"

    def flags(self):
        return super().flags() | NO_THREADING

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        from geoplan.columns import HEADLINE as SCENARIO_INDICATORS  # as layout; no pandas at load

        tr = self.tr
        self.addParameter(QgsProcessingParameterFile(
            self.RUN, tr("Output folder of a geoplan run or scenario"),
            behavior=FOLDER_BEHAVIOR))
        self.addParameter(QgsProcessingParameterEnum(
            self.INDICATOR, tr("Indicator of the scenario maps"), options=[
                tr("The first headline indicator the scenario changes")] + list(
                SCENARIO_INDICATORS), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.TITLE, tr("Title (optional, default: the study's title)"), optional=True))
        self.add_advanced(
            QgsProcessingParameterEnum(self.LANG, tr("Language of the outputs"), options=[
                tr("QGIS's language"), "English", "Svenska", "Dansk"], defaultValue=0),
            QgsProcessingParameterNumber(self.DPI, tr("Resolution (dpi)"), type=NUMBER_DOUBLE,
                                         defaultValue=150.0, minValue=50.0, maxValue=600.0),
        )
        self.addParameter(QgsProcessingParameterFileDestination(
            self.PDF, tr("Layout as PDF"), fileFilter=tr("PDF files") + " (*.pdf)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.PNG, tr("Layout as PNG"), fileFilter=tr("PNG images") + " (*.png)"))
        self.addParameter(self._atlas_parameter())
        self.addOutput(QgsProcessingOutputBoolean("IS_SCENARIO", tr("The run is a scenario")))

    def _atlas_parameter(self):
        """The optional per-area atlas PDF (its label from the core's atlas texts)."""
        from geoplan.i18n import tr as core_tr
        from geoplan.outputs import atlas  # noqa: F401 - registers the atlas texts

        from ..i18n import current_language

        lang = current_language()
        param = QgsProcessingParameterFileDestination(
            self.ATLAS, core_tr("atlas_parameter", lang),
            fileFilter=self.tr("PDF files") + " (*.pdf)", optional=True, createByDefault=False)
        return param

    def process(self, parameters, context, feedback):
        from ..layout import SCENARIO_INDICATORS, build_council_layout, export_layout

        run = self.parameterAsFile(parameters, self.RUN, context)
        indicator = (None, *SCENARIO_INDICATORS)[self.parameterAsEnum(parameters,
                                                                       self.INDICATOR, context)]
        title = self.parameterAsString(parameters, self.TITLE, context) or None
        lang = (None, "en", "sv", "da")[self.parameterAsEnum(parameters, self.LANG, context)]
        dpi = self.parameterAsDouble(parameters, self.DPI, context)
        pdf = self.parameterAsFileOutput(parameters, self.PDF, context)
        png = self.parameterAsFileOutput(parameters, self.PNG, context)
        project = QgsProject()  # private: the planner's project gets no layers or layouts
        try:
            with core_errors_as_processing_exceptions():
                self.stop_if_cancelled(feedback)
                feedback.setProgressText(self.tr("building the layout"))
                council = build_council_layout(run, project=project, indicator=indicator,
                                               title=title, lang=lang)
                feedback.setProgress(40)
                self.stop_if_cancelled(feedback)
                feedback.setProgressText(self.tr("exporting"))
                export_layout(council.layout, pdf, png, dpi=dpi)
                feedback.setProgress(70)
                atlas_pdf = self._export_atlas(parameters, context, run, project, lang, dpi)
                feedback.setProgress(100)
            return {self.PDF: pdf, self.PNG: png, self.ATLAS: atlas_pdf,
                    "IS_SCENARIO": council.is_scenario}
        finally:
            project.layoutManager().clear()
            project.clear()
            del project  # not kept alive by a traceback past exitQgis() (a crash at exit)

    def _export_atlas(self, parameters, context, run, project, lang, dpi):
        """The per-area atlas (QGIS's native atlas export), when a PDF for it is given."""
        from ..layout import build_area_atlas, export_atlas

        path = self.parameterAsFileOutput(parameters, self.ATLAS, context)
        if not path:
            return None
        atlas = build_area_atlas(run, project=project, lang=lang)
        return str(export_atlas(atlas, path, dpi=dpi))
