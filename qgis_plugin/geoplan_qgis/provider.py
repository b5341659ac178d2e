"""The geoplan Processing provider: id ``geoplan``, one entry per algorithm module."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS
from .algorithms.base import ICON_PATH
from .i18n import tr

__all__ = ["GeoplanProvider"]

VERSION = "0.1.0"


class GeoplanProvider(QgsProcessingProvider):
    """Registers geoplan's algorithms with QGIS Processing."""

    def id(self) -> str:
        return "geoplan"

    def name(self) -> str:
        return "geoplan"

    def longName(self) -> str:  # noqa: N802 - Qt API
        return tr("geoplan: walkability, lighting and safety layers for neighbourhood planning")

    def versionInfo(self) -> str:  # noqa: N802
        return VERSION

    def icon(self) -> QIcon:
        return QIcon(str(ICON_PATH))

    def svgIconPath(self) -> str:  # noqa: N802
        return str(ICON_PATH)

    def loadAlgorithms(self) -> None:  # noqa: N802
        for algorithm_class in ALGORITHMS:
            self.addAlgorithm(algorithm_class())
