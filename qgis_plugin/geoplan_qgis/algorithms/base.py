"""The base class of every geoplan Processing algorithm.

What the algorithms share besides it (QGIS <-> core conversions, the progress and error bridges,
loading outputs) is in :mod:`geoplan_qgis.adapters`.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm
from qgis.PyQt.QtGui import QIcon

from ..adapters import (
    ADVANCED,
    FILE_BEHAVIOR,
    POLYGON_SOURCE,
    FeedbackProgress,
    crs_to_core,
    in_python_thread,
)
from ..i18n import tr

__all__ = ["ICON_PATH", "LAMP_FILTER", "OSM_FILTER", "GeoplanAlgorithm", "OsmAlgorithm"]

ICON_PATH = Path(__file__).resolve().parents[1] / "icons" / "geoplan.svg"
OSM_FILTER = " (*.osm *.pbf *.osm.bz2 *.osm.gz *.osm.xml)"
LAMP_FILTER = " (*.gpkg *.geojson *.json *.shp *.csv *.txt)"


class GeoplanAlgorithm(QgsProcessingAlgorithm):
    """Base class of every geoplan algorithm.

    Subclasses set ``NAME`` (the id after ``geoplan:``), ``DISPLAY_NAME``, ``GROUP``/``GROUP_ID``
    and ``HELP`` (English; translated through :mod:`geoplan_qgis.i18n`), and implement
    ``initAlgorithm`` and ``processAlgorithm``.
    """

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = "Inputs"
    GROUP_ID = "inputs"
    HELP = ""
    OUTPUT = "OUTPUT"  # the main output, when there is one
    LOAD = "LOAD"  # "Load the layers into the project", when offered

    def tr(self, text: str) -> str:
        return tr(text)

    def createInstance(self):  # noqa: N802 - Qt API
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802
        return self.tr(self.DISPLAY_NAME)

    def group(self) -> str:
        return self.tr(self.GROUP)

    def groupId(self) -> str:  # noqa: N802
        return self.GROUP_ID

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(self.HELP)

    def icon(self) -> QIcon:
        return QIcon(str(ICON_PATH))

    def svgIconPath(self) -> str:  # noqa: N802
        return str(ICON_PATH)

    def progress(self, feedback) -> FeedbackProgress:
        """The core's progress/cancel protocol for this run."""
        return FeedbackProgress(feedback)

    def add_advanced(self, *params) -> None:
        """Add ``params`` under "Advanced parameters" of the dialog."""
        for param in params:
            param.setFlags(param.flags() | ADVANCED)
            self.addParameter(param)

    def add_run_folder_parameters(self, *advanced) -> None:
        """For an algorithm that writes a run folder: the ``advanced`` parameters and "Load the
        layers into the project" (advanced), the output folder, the GeoPackage output."""
        from qgis.core import (
            QgsProcessingOutputFile,
            QgsProcessingParameterBoolean,
            QgsProcessingParameterFolderDestination,
        )

        self.add_advanced(*advanced, QgsProcessingParameterBoolean(
            self.LOAD, tr("Load the layers into the project"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT,
                                                                  tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("GEOPACKAGE", tr("GeoPackage with every layer")))

    @staticmethod
    def stop_if_cancelled(feedback) -> None:
        """Raise the core's ``Cancelled`` (shown as "cancelled") once the user pressed Cancel."""
        if feedback is not None and feedback.isCanceled():
            from geoplan.errors import Cancelled

            raise Cancelled("cancelled by the user")

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        """Runs :meth:`process` (what subclasses implement), in a Python thread when QGIS runs
        the algorithm in one of its own worker threads (see :func:`in_python_thread`)."""
        return in_python_thread(self.process, parameters, context, feedback)

    def process(self, parameters, context, feedback) -> dict:
        raise NotImplementedError


class OsmAlgorithm(GeoplanAlgorithm):
    """Base of the algorithms that read an OSM extract inside a study area, with an optional
    lamp register (``geoplan:inspect``, ``geoplan:network``): their shared parameters."""

    INPUT = "INPUT"
    AREA = "AREA"
    CRS = "CRS"
    LAMPS = "LAMPS"
    LAMPS_CRS = "LAMPS_CRS"
    LAMPS_MODE = "LAMPS_MODE"
    LAMPS_MODES = ("augment", "replace")

    def add_osm_parameters(self) -> None:
        """The OSM file, study area, CRS and lamp-register parameters (the last two advanced)."""
        from qgis.core import (
            QgsProcessingParameterCrs,
            QgsProcessingParameterEnum,
            QgsProcessingParameterFeatureSource,
            QgsProcessingParameterFile,
        )

        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("OpenStreetMap file (.osm, .osm.pbf, .osm.bz2)"),
            behavior=FILE_BEHAVIOR, fileFilter=tr("OpenStreetMap files") + OSM_FILTER))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.AREA, tr("Study area (polygons; optional, default: the whole file)"),
            [POLYGON_SOURCE], optional=True))
        self.addParameter(QgsProcessingParameterCrs(
            self.CRS, tr("Metric CRS for computing (optional, default: chosen from the area)"),
            optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.LAMPS, tr("Street lamp register (optional)"), behavior=FILE_BEHAVIOR,
            fileFilter=tr("Lamp registers") + LAMP_FILTER + ";;" + tr("All files") + " (*.*)",
            optional=True))
        self.add_advanced(
            QgsProcessingParameterCrs(self.LAMPS_CRS, tr("CRS of a CSV lamp register (e.g. "
                                                         "EPSG:3006)"), optional=True),
            QgsProcessingParameterEnum(
                self.LAMPS_MODE, tr("Lamp register and OSM lamps"),
                options=[tr("Add the register to OSM's lamps"), tr("Use the register alone")],
                defaultValue=0),
        )

    def osm_inputs(self, parameters, context):
        """``(path, area_source, kwargs)``: the OSM file, the study-area source (read it with
        ``source_to_shapely`` inside the error bridge) and the core's keyword arguments ``crs``,
        ``lamps_file``, ``lamps_crs``, ``lamps_mode``."""
        return (
            self.parameterAsFile(parameters, self.INPUT, context),
            self.parameterAsSource(parameters, self.AREA, context),
            {
                "crs": crs_to_core(self.parameterAsCrs(parameters, self.CRS, context)),
                "lamps_file": self.parameterAsFile(parameters, self.LAMPS, context) or None,
                "lamps_crs": crs_to_core(self.parameterAsCrs(parameters, self.LAMPS_CRS,
                                                             context)),
                "lamps_mode": self.LAMPS_MODES[self.parameterAsEnum(parameters,
                                                                    self.LAMPS_MODE, context)],
            },
        )
