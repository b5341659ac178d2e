"""``geoplan:network``: the walk network of an OSM extract, with lighting per edge.

The core's walk network (:func:`geoplan.network.build_walk_network` after
:func:`geoplan.sources.osm.read_osm`, with an optional lamp register merged by
:mod:`geoplan.sources.lamps`) as a line layer: ``u``, ``v``, ``length_m``, ``lit``
(yes/no/unknown), ``lit_source`` (tag/lamps/assumed/none), ``lamp_share``, ``tunnel``, ``bridge``
(0/1), ``highway``, ``name``, ``surface``, ``lit_tag``, ``osmid`` — in the run's metric CRS.
"""

from __future__ import annotations

from qgis.core import QgsProcessingOutputNumber, QgsProcessingParameterFeatureSink

from ..adapters import (
    LINE_SOURCE,
    core_errors_as_processing_exceptions,
    frame_to_sink,
    source_to_shapely,
)
from ..help_texts import HELP_TEXTS
from .base import OSM_FILTER, OsmAlgorithm

__all__ = ["OSM_FILTER", "NetworkAlgorithm", "walk_network"]


def walk_network(path, *, area=None, crs=None, lamps_file=None, lamps_crs=None,
                 lamps_mode="augment", progress=None):
    """The core's walk network for ``path`` inside ``area`` (the steps of ``geoplan inspect``)."""
    from geoplan.network import read_walk_network

    return read_walk_network(path, area=area, crs=crs, lamps_file=lamps_file or None,
                             lamps_crs=lamps_crs, lamps_mode=lamps_mode, progress=progress)[2]


class NetworkAlgorithm(OsmAlgorithm):
    """The walk network with lit / lit_source / length_m per edge."""

    NAME = "network"
    DISPLAY_NAME = "Build walk network"
    GROUP = "Inputs"
    GROUP_ID = "inputs"
    HELP = HELP_TEXTS["network"]["en"]

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        tr = self.tr
        self.add_osm_parameters()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Walk network"), LINE_SOURCE))
        self.addOutput(QgsProcessingOutputNumber("EDGES", tr("Walk network: edges")))
        self.addOutput(QgsProcessingOutputNumber("LENGTH_KM", tr("Walkable network (km)")))

    def process(self, parameters, context, feedback):
        path, source, kwargs = self.osm_inputs(parameters, context)
        with core_errors_as_processing_exceptions():
            area = source_to_shapely(source, context)
            net = walk_network(path, area=area, progress=self.progress(feedback), **kwargs)
            dest = frame_to_sink(self, parameters, self.OUTPUT, context, net.edges,
                                 feedback=feedback)
        return {
            self.OUTPUT: dest,
            "EDGES": len(net.edges),
            "LENGTH_KM": float(net.edges["length_m"].sum()) / 1000.0,
        }
