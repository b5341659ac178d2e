"""What every geoplan algorithm shares: the base class, the progress bridge, the error bridge and
the adapters from QGIS inputs to the values the core takes.

A geoplan algorithm reads its parameters (``parameterAsSource`` so that "Selected features only"
works), converts them with the adapters here, makes ONE core call inside
:func:`core_errors_as_processing_exceptions` with a :class:`FeedbackProgress`, and returns what the
core returned. No analysis happens in the plugin.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr

__all__ = [
    "ICON_PATH",
    "FeedbackProgress",
    "GeoplanAlgorithm",
    "core_errors_as_processing_exceptions",
    "crs_to_core",
    "source_to_shapely",
]

ICON_PATH = Path(__file__).resolve().parents[1] / "icons" / "geoplan.svg"


class FeedbackProgress:
    """geoplan's ``Progress`` protocol on top of a ``QgsProcessingFeedback``.

    ``report(fraction, message)`` moves the progress bar (0-100 %) and shows each new message
    once; ``is_cancelled()`` is true after the user pressed Cancel. ``feedback`` may be None.
    """

    def __init__(self, feedback=None):
        self.feedback = feedback
        self._last_message: str | None = None

    def report(self, fraction: float, message: str = "") -> None:
        if self.feedback is None:
            return
        self.feedback.setProgress(100.0 * min(max(float(fraction), 0.0), 1.0))
        if message and message != self._last_message:
            self._last_message = message
            self.feedback.setProgressText(message)

    def is_cancelled(self) -> bool:
        return self.feedback is not None and self.feedback.isCanceled()


@contextmanager
def core_errors_as_processing_exceptions():
    """Turn what the core raises on purpose into what Processing shows to the user.

    ``GeoplanError`` -> ``QgsProcessingException(message)`` (the message says how to fix the
    input); ``Cancelled`` -> ``QgsProcessingException("cancelled")``; an ``ImportError`` (geoplan
    or a library it needs is missing in QGIS's Python) -> the dependency report with the fix.
    Anything else is a bug and keeps its traceback.
    """
    from geoplan.errors import Cancelled, GeoplanError

    try:
        yield
    except Cancelled:
        raise QgsProcessingException(tr("cancelled")) from None
    except GeoplanError as err:
        raise QgsProcessingException(str(err)) from err
    except ImportError as err:
        from ..deps import check

        report = check()
        text = report.message() if not report.ok else f"{type(err).__name__}: {err}"
        raise QgsProcessingException(text) from err


def source_to_shapely(source: QgsProcessingFeatureSource | None, context):
    """All (selected) features of ``source`` as ONE shapely geometry in EPSG:4326, or None.

    Geometries are reprojected with the project's transform context, curves are segmentized,
    then they go to shapely as WKB and are unioned. Validity and geometry type are checked by the
    core (``geoplan.sources.area.read_area``), which says how to repair them. An empty source
    raises ``AreaError``: silently taking "everything" instead would be wrong.
    """
    if source is None:
        return None
    import shapely

    from geoplan.errors import AreaError

    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    transform = None
    if source.sourceCrs().isValid() and source.sourceCrs() != wgs84:
        transform = QgsCoordinateTransform(source.sourceCrs(), wgs84, context.transformContext())
    request = QgsFeatureRequest().setNoAttributes()
    parts = []
    try:
        for feature in source.getFeatures(request):
            geom = feature.geometry()
            if geom is None or geom.isNull() or geom.isEmpty():
                continue
            geom = QgsGeometry(geom)
            if QgsWkbTypes.isCurvedType(geom.wkbType()):
                geom.convertToStraightSegment()
            if transform is not None:
                geom.transform(transform)
            parts.append(shapely.from_wkb(bytes(geom.asWkb())))
    except QgsProcessingException:
        raise
    except Exception as exc:  # e.g. a transform failure: say which input
        raise QgsProcessingException(
            tr("Could not read the study area layer: {error}").format(error=exc)
        ) from exc
    if not parts:
        raise AreaError(
            tr(
                "The study area layer has no features: draw a polygon, or select at least one "
                "when 'Selected features only' is ticked."
            )
        )
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def crs_to_core(crs: QgsCoordinateReferenceSystem | None) -> str | None:
    """A QGIS CRS as the core's CRS override (``"EPSG:3006"``, else WKT), None when not set."""
    if crs is None or not crs.isValid():
        return None
    if crs.authid():
        return crs.authid()
    variant = getattr(Qgis, "CrsWktVariant", None)  # QGIS >= 3.36; older: the class enum
    if variant is not None:
        return crs.toWkt(variant.Wkt2_2019Simplified)
    return crs.toWkt(QgsCoordinateReferenceSystem.WKT2_2019_SIMPLIFIED)


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
