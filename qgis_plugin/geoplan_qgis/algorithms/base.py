"""The base class of every geoplan Processing algorithm.

What the algorithms share besides it (QGIS <-> core conversions, the progress and error bridges,
loading outputs) is in :mod:`geoplan_qgis.adapters`.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm
from qgis.PyQt.QtGui import QIcon

from ..adapters import FeedbackProgress, in_python_thread
from ..i18n import tr

__all__ = ["ICON_PATH", "GeoplanAlgorithm"]

ICON_PATH = Path(__file__).resolve().parents[1] / "icons" / "geoplan.svg"


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

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        """Runs :meth:`process` (what subclasses implement), in a Python thread when QGIS runs
        the algorithm in one of its own worker threads (see :func:`in_python_thread`)."""
        return in_python_thread(self.process, parameters, context, feedback)

    def process(self, parameters, context, feedback) -> dict:
        raise NotImplementedError
