"""``geoplan:network``: the walk network of an OSM extract, with lighting per edge.

The core's walk network (:func:`geoplan.network.build_walk_network` after
:func:`geoplan.sources.osm.read_osm`, with an optional lamp register merged by
:mod:`geoplan.sources.lamps`) as a line layer: ``u``, ``v``, ``length_m``, ``lit``
(yes/no/unknown), ``lit_source`` (tag/lamps/assumed/none), ``lamp_share``, ``tunnel``, ``bridge``
(0/1), ``highway``, ``name``, ``surface``, ``lit_tag``, ``osmid`` — in the run's metric CRS.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
)

from ..adapters import (
    ADVANCED,
    FILE_BEHAVIOR,
    LINE_SOURCE,
    POLYGON_SOURCE,
    core_errors_as_processing_exceptions,
    crs_to_core,
    frame_to_sink,
    source_to_shapely,
)
from .base import GeoplanAlgorithm

__all__ = ["NetworkAlgorithm", "walk_network"]

OSM_FILTER = " (*.osm *.pbf *.osm.bz2 *.osm.gz *.osm.xml)"
LAMP_FILTER = " (*.gpkg *.geojson *.json *.shp *.csv *.txt)"


def walk_network(path, *, area=None, crs=None, lamps_file=None, lamps_crs=None,
                 lamps_mode="augment", progress=None):
    """The core's walk network for ``path`` inside ``area`` (the steps of ``geoplan inspect``)."""
    from geoplan.network import read_walk_network

    return read_walk_network(path, area=area, crs=crs, lamps_file=lamps_file or None,
                             lamps_crs=lamps_crs, lamps_mode=lamps_mode, progress=progress)[2]


class NetworkAlgorithm(GeoplanAlgorithm):
    """The walk network with lit / lit_source / length_m per edge."""

    NAME = "network"
    DISPLAY_NAME = "Build walk network"
    GROUP = "Inputs"
    GROUP_ID = "inputs"
    HELP = (
        "Builds the walk network geoplan computes on from an OpenStreetMap extract: one line per "
        "walkable edge with its length (length_m), lighting (lit = yes / no / unknown) and where "
        "the lighting comes from (lit_source = tag / lamps / assumed / none), the share of the "
        "edge within reach of a street lamp (lamp_share), tunnel and bridge (1 = yes), highway "
        "type, name and surface.\n\nUnknown lighting is reported as unknown, never as lit or "
        "dark. The study area is optional (default: the whole extract); with 'Selected features "
        "only' just the selected polygons count. A lamp register adds to the lamps mapped in OSM "
        "or replaces them. Data © OpenStreetMap contributors (ODbL)."
    )

    INPUT = "INPUT"
    AREA = "AREA"
    CRS = "CRS"
    LAMPS = "LAMPS"
    LAMPS_CRS = "LAMPS_CRS"
    LAMPS_MODE = "LAMPS_MODE"
    OUTPUT = "OUTPUT"
    LAMPS_MODES = ("augment", "replace")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        tr = self.tr
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
        for param in (
            QgsProcessingParameterCrs(self.LAMPS_CRS, tr("CRS of a CSV lamp register (e.g. "
                                                         "EPSG:3006)"), optional=True),
            QgsProcessingParameterEnum(
                self.LAMPS_MODE, tr("Lamp register and OSM lamps"),
                options=[tr("Add the register to OSM's lamps"), tr("Use the register alone")],
                defaultValue=0),
        ):
            param.setFlags(param.flags() | ADVANCED)
            self.addParameter(param)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Walk network"), LINE_SOURCE))
        self.addOutput(QgsProcessingOutputNumber("EDGES", tr("Walk network: edges")))
        self.addOutput(QgsProcessingOutputNumber("LENGTH_KM", tr("Walkable network (km)")))

    def process(self, parameters, context, feedback):
        path = self.parameterAsFile(parameters, self.INPUT, context)
        source = self.parameterAsSource(parameters, self.AREA, context)
        crs = crs_to_core(self.parameterAsCrs(parameters, self.CRS, context))
        lamps = self.parameterAsFile(parameters, self.LAMPS, context) or None
        lamps_crs = crs_to_core(self.parameterAsCrs(parameters, self.LAMPS_CRS, context))
        mode = self.LAMPS_MODES[self.parameterAsEnum(parameters, self.LAMPS_MODE, context)]
        with core_errors_as_processing_exceptions():
            area = source_to_shapely(source, context)
            net = walk_network(path, area=area, crs=crs, lamps_file=lamps, lamps_crs=lamps_crs,
                               lamps_mode=mode, progress=self.progress(feedback))
            dest = frame_to_sink(self, parameters, self.OUTPUT, context, net.edges,
                                 feedback=feedback)
        return {
            self.OUTPUT: dest,
            "EDGES": len(net.edges),
            "LENGTH_KM": float(net.edges["length_m"].sum()) / 1000.0,
        }
