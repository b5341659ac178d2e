"""The conversions between QGIS and geoplan's core, in one place.

A geoplan algorithm (or the scenario panel) reads its parameters (``parameterAsSource`` so that
"Selected features only" works), converts them with the functions here, makes ONE core call
inside :func:`core_errors_as_processing_exceptions` with a :class:`FeedbackProgress`, and writes
or loads what the core returned with :func:`frame_to_sink` / :func:`load_on_completion`. No
analysis happens in the plugin.

* QGIS inputs -> the core: :func:`source_to_frame` (a layer as a GeoDataFrame),
  :func:`source_to_shapely` (a study area), :func:`crs_to_core`;
* the core -> QGIS: :func:`frame_to_sink`, :func:`frame_fields`, :func:`field_type`,
  :func:`crs_to_qgis`, :func:`load_on_completion` (styled by :class:`GpkgStyleLoader`);
* running the core: :class:`FeedbackProgress` (``QgsProcessingFeedback`` <-> the core's
  progress/cancel protocol), :func:`core_errors_as_processing_exceptions`,
  :func:`in_python_thread`;
* the Processing enums of QGIS 3.34 … 4 under one name (``ADVANCED``, ``POLYGON_SOURCE`` …).
"""

from __future__ import annotations

from contextlib import contextmanager

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingLayerPostProcessorInterface,
    QgsWkbTypes,
)

from .i18n import tr

__all__ = [
    "ADVANCED",
    "ANY_SOURCE",
    "FIELD_ANY",
    "FILE_BEHAVIOR",
    "FOLDER_BEHAVIOR",
    "LINE_SOURCE",
    "NO_THREADING",
    "NUMBER_DOUBLE",
    "POINT_SOURCE",
    "POLYGON_SOURCE",
    "FeedbackProgress",
    "GpkgStyleLoader",
    "core_errors_as_processing_exceptions",
    "crs_to_core",
    "crs_to_qgis",
    "field_type",
    "frame_fields",
    "frame_to_sink",
    "in_python_thread",
    "load_on_completion",
    "naming_the_layer",
    "read_features",
    "source_to_frame",
    "source_to_polygons",
    "source_to_shapely",
]


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

    # The message is raised from OUTSIDE the except clauses, with no chained exception: a chained
    # core error keeps its traceback, whose frames hold QGIS feature sources and layers; QGIS
    # retains the error, so those objects outlive exitQgis() and crash the interpreter at exit.
    try:
        yield
        return
    except Cancelled:
        text = tr("cancelled")
    except GeoplanError as err:
        text = str(err)
    except ImportError as err:
        from .deps import check

        report = check()
        text = report.message() if not report.ok else f"{type(err).__name__}: {err}"
    raise QgsProcessingException(text)


def read_features(source, request: QgsFeatureRequest | None = None):
    """The features of ``source`` (a layer or a Processing feature source), read WITHOUT QGIS's
    invalid-geometry check.

    Processing applies the context's "Invalid features filtering" (by default: stop) to every
    feature read from a ``QgsProcessingFeatureSource``: on an invalid polygon the iterator throws
    a C++ ``QgsProcessingException``. geoplan reads sources in a Python thread (see
    :func:`in_python_thread`), where that exception is not turned into a Python one: it
    terminates QGIS. So the check is off here and the core's own validation (which names the
    problem and the repair, "Processing > Vector geometry > Fix geometries") decides.
    """
    request = QgsFeatureRequest(request) if request is not None else QgsFeatureRequest()
    request.setInvalidGeometryCheck(_enum("InvalidGeometryCheck", "NoCheck",
                                          _old("QgsFeatureRequest.GeometryNoCheck")))
    if isinstance(source, QgsProcessingFeatureSource):
        return source.getFeatures(request, _enum(
            "ProcessingFeatureSourceFlag", "SkipGeometryValidityChecks",
            _old("QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks")))
    return source.getFeatures(request)


@contextmanager
def naming_the_layer(source, what: str):
    """Re-raise a ``GeoplanError`` about an input layer with the planner's layer named first
    (``Study area 'Kvarter 3': ...``), never a file the plugin wrote in between."""
    from geoplan.errors import GeoplanError

    try:
        yield
        return
    except GeoplanError as err:
        name = source.sourceName() if hasattr(source, "sourceName") else ""
        text = (tr("Layer '{name}': {error}") if name else tr("{what}: {error}")).format(
            what=what[:1].upper() + what[1:], name=name, error=err)
        try:
            replacement = type(err)(text)
        except TypeError:
            replacement = GeoplanError(text)
    raise replacement


def source_to_shapely(source: QgsProcessingFeatureSource | None, context=None, *,
                      what: str | None = None):
    """All (selected) features of ``source`` as ONE shapely geometry in EPSG:4326, or None.

    The features are read as a GeoDataFrame in the layer's own CRS (:func:`source_to_frame`) and
    resolved by the core (``geoplan.sources.area.read_area``): it checks that the coordinates
    fit the CRS (degrees in a layer labelled metres), reprojects, unions and checks the
    validity and the geometry type, saying how to repair each. An empty source raises
    ``AreaError``: silently taking "everything" instead would be wrong. Errors name the layer.
    """
    if source is None:
        return None
    from geoplan.sources.area import read_area

    what = what or tr("study area layer")
    frame = source_to_frame(source, context, what=what, attributes=False)
    with naming_the_layer(source, what):
        return read_area(frame)


def source_to_polygons(source: QgsProcessingFeatureSource, context=None, *, what: str):
    """A polygon layer (areas to summarise by) as a GeoDataFrame in its CRS, with attributes,
    checked by the core (``geoplan.sources.area.check_polygons``): no features, degrees labelled
    as metres or an invalid polygon are errors that name the layer and the repair."""
    from geoplan.sources.area import check_polygons

    frame = source_to_frame(source, context, what=what)
    with naming_the_layer(source, what):
        check_polygons(frame, what)
    return frame


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


def in_python_thread(fn, *args, **kwargs):
    """Call ``fn`` in a thread Python started, and wait for it.

    QGIS runs background algorithms and tasks in threads of a ``QThreadPool``, which Python sees
    as foreign ("dummy") threads whose thread state is made anew each time; pyproj keeps a PROJ
    context per thread and the second run in a reused pool thread crashes inside pyproj
    (segmentation fault; reproduced with QGIS 3.40.6, pyproj 3.7.2: two ``QgsTask``s that read
    a GeoPackage with pyogrio). In a thread Python itself started this does not happen. On the
    main thread, and in Python's own threads, ``fn`` is called directly. Exceptions are re-raised
    in the caller; cancelling still works through the feedback object.
    """
    import threading

    if not isinstance(threading.current_thread(), threading._DummyThread):
        return fn(*args, **kwargs)
    box: dict = {}

    def target():
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised below, in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, name="geoplan-core", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        err = box.pop("error")
        if isinstance(err, QgsProcessingException):  # its message is all the user needs
            # not even as a local: its traceback holds the algorithm's frames and their QGIS
            # objects, which QGIS would then keep past exitQgis() (a crash at exit)
            text = str(err)
            del err
            raise QgsProcessingException(text) from None
        raise err
    return box.get("result")


# --- scoped enums (Qt6/QGIS 4-ready), with the pre-3.36 names as fallback for QGIS 3.34 ---------
def _enum(scoped: str, member: str, fallback):
    group = getattr(Qgis, scoped, None)
    return getattr(group, member) if group is not None else fallback()


def _old(path: str):
    def get():
        from qgis import core

        obj = core
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    return get


ADVANCED = _enum("ProcessingParameterFlag", "Advanced",
                 _old("QgsProcessingParameterDefinition.FlagAdvanced"))
POLYGON_SOURCE = _enum("ProcessingSourceType", "VectorPolygon",
                       _old("QgsProcessing.TypeVectorPolygon"))
LINE_SOURCE = _enum("ProcessingSourceType", "VectorLine", _old("QgsProcessing.TypeVectorLine"))
POINT_SOURCE = _enum("ProcessingSourceType", "VectorPoint", _old("QgsProcessing.TypeVectorPoint"))
ANY_SOURCE = _enum("ProcessingSourceType", "VectorAnyGeometry",
                   _old("QgsProcessing.TypeVectorAnyGeometry"))
FILE_BEHAVIOR, FOLDER_BEHAVIOR = (
    _enum("ProcessingFileParameterBehavior", member, _old(f"QgsProcessingParameterFile.{member}"))
    for member in ("File", "Folder"))
NUMBER_DOUBLE = _enum("ProcessingNumberParameterType", "Double",
                      _old("QgsProcessingParameterNumber.Double"))
FIELD_ANY = _enum("ProcessingFieldParameterDataType", "Any",
                  _old("QgsProcessingParameterField.Any"))
NO_THREADING = _enum("ProcessingAlgorithmFlag", "NoThreading",
                     _old("QgsProcessingAlgorithm.FlagNoThreading"))


# --- QGIS layers <-> the core's GeoDataFrames ---------------------------------------------------
def crs_to_qgis(crs) -> QgsCoordinateReferenceSystem:
    """A pyproj CRS (or anything pyproj reads) as a QGIS CRS: by EPSG code when it has one."""
    if crs is None:
        return QgsCoordinateReferenceSystem()
    from pyproj import CRS

    pcrs = CRS.from_user_input(crs)
    epsg = pcrs.to_epsg()
    if epsg is not None:
        return QgsCoordinateReferenceSystem(f"EPSG:{epsg}")
    return QgsCoordinateReferenceSystem.fromWkt(pcrs.to_wkt())


def field_type(kind: str):
    """A QGIS field type for a numpy dtype kind: QMetaType on QGIS >= 3.38, QVariant before."""
    if Qgis.versionInt() >= 33800:
        from qgis.PyQt.QtCore import QMetaType

        t = QMetaType.Type
        return {"i": t.LongLong, "u": t.LongLong, "b": t.Int, "f": t.Double}.get(kind, t.QString)
    from qgis.PyQt.QtCore import QVariant

    return {"i": QVariant.LongLong, "u": QVariant.LongLong, "b": QVariant.Int,
            "f": QVariant.Double}.get(kind, QVariant.String)


def _qgis_value(v):
    """A plain Python value QGIS stores: numpy scalars unwrapped, NaN/inf -> NULL, bool -> 0/1."""
    import math

    import numpy as np

    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (int, float, str)):
        return v
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def frame_fields(frame):
    """QgsFields for the columns of a (Geo)DataFrame (a named index becomes the first field).

    Booleans become integers 0/1, as in geoplan's GeoPackages (QGIS sums and classifies them).
    """
    from qgis.core import QgsField, QgsFields

    fields = QgsFields()
    geom = frame.geometry.name if hasattr(frame, "geometry") else None
    for col in frame.columns:
        if col == geom:
            continue
        kind = getattr(frame[col].dtype, "kind", "O")
        if str(frame[col].dtype) == "boolean":
            kind = "b"
        elif str(frame[col].dtype).startswith(("Int", "UInt")):
            kind = "i"
        elif str(frame[col].dtype).startswith("Float"):
            kind = "f"
        fields.append(QgsField(str(col), field_type(kind)))
    return fields


def frame_to_sink(alg, parameters, name: str, context, frame, *, feedback=None):
    """Write a GeoDataFrame of the core into the feature sink parameter ``name``; returns the
    destination id. A named index (``cell_id``) becomes a field; geometry goes over as WKB."""
    import shapely

    if frame.index.name is not None and frame.index.name not in frame.columns:
        frame = frame.reset_index()
    fields = frame_fields(frame)
    geoms = frame.geometry.values
    present = geoms[~shapely.is_missing(geoms)]
    types = set(shapely.get_type_id(present).tolist())
    wkb_type = _wkb_type(types) if len(present) else Qgis.WkbType.NoGeometry
    sink, dest = alg.parameterAsSink(parameters, name, context, fields, wkb_type,
                                     crs_to_qgis(frame.crs))
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    from qgis.core import QgsFeature, QgsFeatureSink

    columns = [f.name() for f in fields]
    values = frame[columns].to_numpy(dtype=object)
    wkbs = shapely.to_wkb(geoms)
    multi = QgsWkbTypes.isMultiType(wkb_type)
    n = len(frame)
    for i in range(n):
        if feedback is not None and feedback.isCanceled():
            from geoplan.errors import Cancelled

            raise Cancelled("cancelled by the user")
        f = QgsFeature(fields)
        if wkbs[i] is not None:
            g = QgsGeometry()
            g.fromWkb(bytes(wkbs[i]))
            if multi and not g.isMultipart():
                g.convertToMultiType()
            f.setGeometry(g)
        f.setAttributes([_qgis_value(v) for v in values[i]])
        sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        if feedback is not None and n and i % 1000 == 0:
            feedback.setProgress(100.0 * i / n)
    del sink  # flushes the features to the destination
    return dest


def _wkb_type(type_ids: set) -> int:
    """The QGIS WKB type for a set of shapely type ids (multi when the parts are mixed)."""
    # shapely: 0 Point, 1 LineString, 3 Polygon, 4 MultiPoint, 5 MultiLineString, 6 MultiPolygon
    base = {0: 0, 4: 0, 1: 1, 5: 1, 3: 3, 6: 3}
    kinds = {base.get(t, -1) for t in type_ids}
    if len(kinds) != 1 or -1 in kinds:
        return Qgis.WkbType.Unknown
    kind = kinds.pop()
    multi = any(t in (4, 5, 6) for t in type_ids)
    table = {
        (0, False): Qgis.WkbType.Point, (0, True): Qgis.WkbType.MultiPoint,
        (1, False): Qgis.WkbType.LineString, (1, True): Qgis.WkbType.MultiLineString,
        (3, False): Qgis.WkbType.Polygon, (3, True): Qgis.WkbType.MultiPolygon,
    }
    return table[(kind, multi)]


def source_to_frame(source: QgsProcessingFeatureSource, context=None, *, what: str = "layer",
                    attributes: bool = True):
    """All (selected) features of ``source`` as a GeoDataFrame in the source's CRS.

    Attributes keep their names (none with ``attributes=False``); QGIS NULL becomes None/NaN;
    boolean fields stay booleans. Geometries are read as they are, invalid ones included (see
    :func:`read_features`): the core checks them. Errors name the layer.
    """
    import geopandas as gpd
    import pandas as pd

    from geoplan.errors import CRSError

    fields = source.fields() if attributes else None
    names = [f.name() for f in fields] if attributes else []
    request = QgsFeatureRequest().addOrderBy("$id")  # feature order, also for a selection
    if not attributes:
        request.setNoAttributes()
    rows, geoms = [], []
    for feature in read_features(source, request):
        rows.append([_attribute(v) for v in feature.attributes()] if attributes else [])
        geoms.append(_to_shapely(feature.geometry()))
    crs = source.sourceCrs()
    with naming_the_layer(source, what):
        if not crs.isValid() and any(g is not None for g in geoms):  # empty: the core says so
            raise CRSError(tr("the {what} has no CRS: set one in the layer's properties (Source > "
                              "Assigned coordinate reference system).").format(what=what))
    df = pd.DataFrame(rows, columns=names) if attributes else pd.DataFrame(index=range(len(geoms)))
    if attributes:
        df = _typed_columns(df, fields)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=_crs_text(crs)), crs=_crs_text(crs))


def _attribute(v):
    """A QGIS attribute value as a plain Python value (NULL -> None, dates as ISO text)."""
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return None
    if hasattr(v, "toString") and not isinstance(v, str):  # QDate, QDateTime
        from qgis.PyQt.QtCore import Qt

        return v.toString(Qt.DateFormat.ISODate)
    return v


def _to_shapely(geom):
    """A QgsGeometry as shapely (curves segmentized), None when NULL."""
    import shapely

    if geom is None or geom.isNull():
        return None
    geom = QgsGeometry(geom)
    if QgsWkbTypes.isCurvedType(geom.wkbType()):
        geom.convertToStraightSegment()
    return shapely.from_wkb(bytes(geom.asWkb()))


def _typed_columns(df, fields):
    """Drop a GeoPackage's primary key ("fid" is not data); booleans and numbers typed."""
    import pandas as pd

    if any(f.name() == "fid" and f.isNumeric() for f in fields):
        df = df.drop(columns=["fid"])
    is_bool = {f.name() for f in fields if f.typeName().lower() in ("bool", "boolean")}
    is_number = {f.name() for f in fields if f.isNumeric()}
    for col in df.columns:
        if col in is_bool:
            df[col] = df[col].astype("boolean")
        elif col in is_number and df[col].dtype == object:  # NULLs in a numeric field
            df[col] = pd.to_numeric(df[col])
    return df


def _crs_text(crs: QgsCoordinateReferenceSystem) -> str:
    return crs_to_core(crs)


class GpkgStyleLoader(QgsProcessingLayerPostProcessorInterface):
    """Applies the QGIS style stored in the GeoPackage (``layer_styles``) to a layer that
    Processing loads on completion (Processing opens layers without their default style)."""

    _keep: list = []  # Processing holds only a raw pointer: keep the Python objects alive

    @classmethod
    def create(cls) -> GpkgStyleLoader:
        loader = cls()
        cls._keep.append(loader)
        return loader

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 - QGIS API
        if layer is not None and hasattr(layer, "loadDefaultStyle"):
            layer.loadDefaultStyle()
            layer.triggerRepaint()


def load_on_completion(context, uri: str, name: str, output_name: str, *, group: str = "",
                       sort_key: int = 0) -> None:
    """Ask Processing to load ``uri`` into the project when the algorithm is done, styled."""
    from qgis.core import QgsProcessingContext

    details = QgsProcessingContext.LayerDetails(name, context.project(), output_name)
    details.groupName = group
    details.layerSortKey = sort_key
    details.forceName = True
    details.setPostProcessor(GpkgStyleLoader.create())
    context.addLayerToLoadOnCompletion(uri, details)
