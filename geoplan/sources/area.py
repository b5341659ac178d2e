"""Study areas: a polygon file, a bbox, a shapely geometry or a GeoDataFrame -> one polygon in
WGS 84, checked (CRS present and plausible, not empty, valid)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from ..crs import check_coordinates_fit_crs
from ..errors import AreaError, InputFileError

__all__ = ["MIN_AREAS_OVERLAP_SHARE", "AreaLike", "check_polygons", "check_summary_areas",
           "gdal_reason", "parse_bbox", "read_area", "read_layer_file"]

AreaLike = str | Path | BaseGeometry | tuple | list | None

#: The least share of the study area that a layer of areas to summarise by must cover. Below
#: 1 % (one 100 m cell in a 1 km² study) the summaries rest on a sliver of a cell or on nothing:
#: almost always the wrong layer, the wrong CRS or another town.
MIN_AREAS_OVERLAP_SHARE = 0.01


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``"minlon,minlat,maxlon,maxlat"`` (WGS 84 degrees).

    >>> parse_bbox("24.935,60.164,24.953,60.179")
    (24.935, 60.164, 24.953, 60.179)
    """
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        vals = tuple(float(p) for p in parts)
    except ValueError:
        vals = ()
    if len(vals) != 4:
        raise AreaError(
            f"bbox {text!r} is not four numbers: write minlon,minlat,maxlon,maxlat in degrees, "
            "e.g. 24.935,60.164,24.953,60.179"
        )
    return _check_bbox(vals)


def _check_bbox(vals) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = (float(v) for v in vals)
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise AreaError(
            f"bbox {vals} is not in degrees: a bbox is minlon,minlat,maxlon,maxlat in WGS 84; "
            "for an area in metres give a polygon file with its CRS instead"
        )
    if not (minx < maxx and miny < maxy):
        raise AreaError(f"bbox {vals} is empty: min values must be smaller than max values")
    return (minx, miny, maxx, maxy)


def read_area(area: AreaLike, *, layer: str | None = None) -> BaseGeometry | None:
    """Resolve a study area to one (Multi)Polygon in WGS 84 (EPSG:4326), or None for "everything".

    Parameters
    ----------
    area
        A path to a polygon file any GDAL driver reads (GeoPackage, GeoJSON, shapefile …; all its
        polygons are merged), a ``(minlon, minlat, maxlon, maxlat)`` bbox, a shapely geometry in
        WGS 84, a GeoDataFrame/GeoSeries with a CRS, or None.
    layer
        Layer name in a multi-layer file.

    Examples
    --------
    >>> read_area((24.935, 60.164, 24.953, 60.179)).bounds
    (24.935, 60.164, 24.953, 60.179)
    """
    if area is None:
        return None
    if isinstance(area, BaseGeometry):
        geom = area
        check_coordinates_fit_crs(geom.bounds, "EPSG:4326", "study area geometry")
    elif isinstance(area, (tuple, list)):
        geom = box(*_check_bbox(area))
    elif hasattr(area, "geometry") and hasattr(area, "crs"):
        geom = _from_frame(area, "study area layer")
    else:
        geom = _from_file(Path(area), layer)
    what = "geometry" if isinstance(area, BaseGeometry) else "layer" if hasattr(area, "crs") else str(area)
    return _check_polygon(geom, what)


def _from_file(path: Path, layer: str | None) -> BaseGeometry:
    gdf = read_layer_file(path, "study area file", layer=layer)
    return _from_frame(gdf, f"study area file {str(path)!r}")


POLYGON_FILE_FIX = "give a polygon file GDAL reads (GeoPackage, GeoJSON, shapefile)"


def gdal_reason(exc: Exception) -> str:
    """Why GDAL could not read a file, in a planner's words: GDAL's advice to prefix a driver
    name is left out, and a damaged or cut-off file is called so.

    >>> gdal_reason(Exception("'x.gpkg' not recognized as being in a supported file format; "
    ...                       "It might help to specify the correct driver explicitly by "
    ...                       "prefixing the file path with '<DRIVER>:', e.g. 'CSV:path'."))
    "'x.gpkg' not recognized as being in a supported file format"
    """
    reason = str(exc).split("; It might help")[0].rstrip(".; ")
    if "malformed" in reason or "not a database" in reason:
        reason += "; the file is damaged or cut off: copy or export it again"
    return reason


def read_layer_file(path, what: str, *, layer: str | None = None, fix: str = POLYGON_FILE_FIX):
    """Read a vector layer with geometries; a file GDAL cannot read (damaged, cut off, empty,
    not geodata) or a table without geometries raises :class:`InputFileError` naming ``what``,
    the file and ``fix``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "omraden.gpkg"
    >>> _ = f.write_bytes(b"SQLite format 3")  # a copy cut off after 15 bytes
    >>> read_layer_file(f, "[areas] file")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoplan.errors.InputFileError: cannot read [areas] file '...omraden.gpkg' (...): give a polygon file GDAL reads (GeoPackage, GeoJSON, shapefile)
    """
    import pyogrio

    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{what} {str(p)!r} does not exist: check the path")
    try:
        gdf = pyogrio.read_dataframe(p, layer=layer)
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, GDAL's own
        raise InputFileError(f"cannot read {what} {str(p)!r} ({gdal_reason(exc)}): {fix}") from None
    if getattr(gdf, "geometry", None) is None or not hasattr(gdf, "crs"):
        raise InputFileError(f"{what} {str(p)!r} holds no geometries (a table with columns "
                             f"{list(gdf.columns)[:6]}): {fix}")
    return gdf


def _drawn(gdf):
    """True where a feature has a geometry that is not empty (shapely's tests: GeoSeries.notna
    warns when the layer holds empty geometries)."""
    geoms = gdf.geometry.to_numpy()
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def check_polygons(gdf, what: str):
    """The drawn features of a polygon layer (e.g. the areas to summarise by), checked.

    Raises ``AreaError`` when the layer has no features or no geometries, or when a polygon is
    not valid (the message names the row, the reason and the repair), and ``CRSError`` when the
    coordinates do not fit the layer's CRS (degrees labelled as metres).

    Examples
    --------
    >>> import geopandas as gpd
    >>> areas = gpd.GeoDataFrame(geometry=[box(24.935, 60.164, 24.953, 60.179)], crs=4326)
    >>> len(check_polygons(areas, "area layer"))
    1
    """
    gdf = _drawn_checked(gdf, what)
    geoms = gdf.geometry.to_numpy()
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    if len(bad):
        i = int(bad[0])
        raise AreaError(
            f"{what}: row {gdf.index[i]!r} is not a valid polygon "
            f"({shapely.is_valid_reason(geoms[i])}; {len(bad)} invalid in all): repair it, e.g. in "
            "QGIS with Processing > Vector geometry > Fix geometries, and try again"
        )
    return gdf


def check_summary_areas(areas, study_area: BaseGeometry, *, key: str,
                        what: str = "area layer") -> float:
    """Check a layer of areas to summarise by against the study area; return the share of the
    study area it covers.

    Parameters
    ----------
    areas
        The areas (a GeoDataFrame in the CRS of ``study_area``) with the key column ``key``.
    study_area
        The study area (e.g. the union of the grid cells) in the same CRS.
    key
        The column that names each area; its values must be unique and present.
    what
        How the layer is named in messages.

    Raises
    ------
    AreaError
        When keys repeat or are empty (the message lists them), or when the areas cover less
        than :data:`MIN_AREAS_OVERLAP_SHARE` of the study area (the message gives the share).

    Examples
    --------
    >>> import geopandas as gpd
    >>> a = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[box(0, 0, 50, 100),
    ...                      box(50, 0, 100, 100)], crs=3006)
    >>> check_summary_areas(a, box(0, 0, 200, 100), key="code")
    0.5
    >>> check_summary_areas(a.assign(code="A"), box(0, 0, 200, 100), key="code")
    Traceback (most recent call last):
    geoplan.errors.AreaError: area layer: the key column 'code' repeats 'A' (2 areas): give every area its own key, or choose another key column
    """
    keys = areas[key]
    missing = int(keys.isna().sum())
    if missing:
        raise AreaError(f"{what}: {missing} area(s) have no value in the key column {key!r}: "
                        "fill them in, or choose another key column")
    counts = keys.value_counts()
    dup = counts[counts > 1]
    if len(dup):
        listed = ", ".join(f"{k!r} ({n} areas)" for k, n in dup.head(10).items())
        more = f" and {len(dup) - 10} more" if len(dup) > 10 else ""
        raise AreaError(f"{what}: the key column {key!r} repeats {listed}{more}: give every "
                        "area its own key, or choose another key column")
    total = float(study_area.area)
    geoms = areas.geometry.to_numpy()
    geoms = geoms[shapely.intersects(geoms, study_area)]  # (GEOS warns on far-off pairs)
    covered = shapely.union_all(shapely.intersection(geoms, study_area)) if len(geoms) else None
    share = float(covered.area) / total if covered is not None and total > 0 else 0.0
    if share < MIN_AREAS_OVERLAP_SHARE:
        raise AreaError(
            f"{what} covers {share:.2%} of the study area (at least "
            f"{MIN_AREAS_OVERLAP_SHARE:.0%} is needed; {len(areas)} area(s), bounds "
            f"{tuple(round(b) for b in areas.total_bounds)} in the study's CRS, study area "
            f"{tuple(round(b) for b in study_area.bounds)}): choose the areas of this study "
            "area, or check the layer's CRS"
        )
    return share


def _drawn_checked(gdf, what: str):
    """The features of ``gdf`` that have a geometry; errors when none, or when the coordinates do
    not fit the CRS."""
    if len(gdf) == 0:
        raise AreaError(f"{what} has no features: draw or select at least one polygon")
    drawn = _drawn(gdf)
    if not drawn.any():
        raise AreaError(
            f"{what} has {len(gdf)} feature(s) but no geometries (each one empty or NULL): draw "
            "the polygons, or choose the layer that holds them"
        )
    gdf = gdf[drawn]
    check_coordinates_fit_crs(gdf.total_bounds, gdf.crs, what)
    return gdf


def _from_frame(gdf, what: str) -> BaseGeometry:
    gdf = _drawn_checked(gdf, what)
    if hasattr(gdf, "to_crs"):
        from ..crs import to_crs

        gdf = to_crs(gdf, 4326, what)
    return shapely.union_all(gdf.geometry.values)


def _check_polygon(geom: BaseGeometry, what: str) -> BaseGeometry:
    if geom is None or geom.is_empty:
        raise AreaError(f"study area {what} is empty: give at least one non-empty polygon")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise AreaError(
            f"study area {what} is a {geom.geom_type}, not a polygon: give polygons "
            "(buffer points or lines first if you mean 'around these')"
        )
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise AreaError(
            f"study area {what} is not a valid polygon ({reason}): repair it, e.g. in QGIS "
            "with Processing > Vector geometry > Fix geometries, or shapely.make_valid, and try again"
        )
    return geom
