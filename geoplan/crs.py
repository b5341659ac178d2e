"""Coordinate reference systems: choose a metric CRS for an area and check CRS sanity.

geoplan always computes in metres. :func:`choose_crs` picks the national grid of the country the
area lies in (looked up offline from GeoNames places with ``reverse_geocode``):

=========  ===========================  ==========
country    CRS                          EPSG
=========  ===========================  ==========
Sweden     SWEREF99 TM                  3006
Denmark    ETRS89 / UTM zone 32N        25832
Finland    ETRS-TM35FIN                 3067
Norway     ETRS89 / UTM zone 33N        25833
elsewhere  WGS 84 / UTM zone of the area 326xx/327xx
=========  ===========================  ==========
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import CRS

from .errors import CRSError

__all__ = [
    "MAX_ANGLE_DISTORTION_DEG",
    "MAX_SCALE_ERROR",
    "NATIONAL_CRS",
    "check_coordinates_fit_crs",
    "check_distortion",
    "choose_crs",
    "country_code",
    "parse_metric_crs",
    "to_crs",
    "utm_crs",
]

#: EPSG code of the metric CRS geoplan uses per ISO 3166-1 alpha-2 country code.
NATIONAL_CRS: dict[str, int] = {"SE": 3006, "DK": 25832, "FI": 3067, "NO": 25833}

#: A CRS whose lengths are off by more than this share at the study area is refused (Web
#: Mercator, QGIS's default project CRS, is off by a factor 1.8 in Malmö and 2.0 in Helsinki;
#: national grids and the local UTM zone stay within 0.4 %).
MAX_SCALE_ERROR = 0.01

#: A CRS that bends angles by more than this at the study area is refused (equal-area CRSs such
#: as ETRS89-LAEA, EPSG:3035, stay below it in the Nordic countries' south).
MAX_ANGLE_DISTORTION_DEG = 1.0


def country_code(lon: float, lat: float) -> str:
    """ISO country code of the populated place nearest to ``(lon, lat)`` (offline).

    Examples
    --------
    >>> country_code(24.94, 60.17)   # central Helsinki
    'FI'
    >>> country_code(13.00, 55.60)   # Malmö
    'SE'
    """
    import reverse_geocode  # lazy: loads ~3 MB of GeoNames places

    return str(reverse_geocode.get((lat, lon))["country_code"])


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone containing ``(lon, lat)``.

    >>> utm_crs(2.35, 48.85).to_epsg()   # Paris
    32631
    """
    zone = min(int(math.floor((lon + 180.0) / 6.0)) + 1, 60)
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def choose_crs(lon: float, lat: float, override: str | int | None = None) -> CRS:
    """Metric CRS for an area centred on ``(lon, lat)``, or the ``override`` when given.

    Parameters
    ----------
    lon, lat
        Centre of the study area in degrees (WGS 84).
    override
        Anything pyproj understands (``"EPSG:3006"``, ``3006``). Must be a projected CRS in metres.

    Examples
    --------
    >>> choose_crs(24.94, 60.17).to_epsg()
    3067
    >>> choose_crs(12.57, 55.68).to_epsg()   # Copenhagen
    25832
    >>> choose_crs(24.94, 60.17, override="EPSG:3006").to_epsg()
    3006
    """
    if override is not None:
        crs = parse_metric_crs(override)
        check_distortion(crs, lon, lat)
        return crs
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise CRSError(f"area centre ({lon}, {lat}) is not in degrees of longitude/latitude")
    code = country_code(lon, lat)
    if code in NATIONAL_CRS:
        return CRS.from_epsg(NATIONAL_CRS[code])
    return utm_crs(lon, lat)


def parse_metric_crs(override: str | int) -> CRS:
    """The projected CRS in metres that ``override`` names (no check of where it is used).

    Examples
    --------
    >>> parse_metric_crs("EPSG:3006").name
    'SWEREF99 TM'
    >>> parse_metric_crs(4326)
    Traceback (most recent call last):
    ...
    geoplan.errors.CRSError: CRS 4326 is not a projected CRS in metres; geoplan computes distances in metres: use e.g. EPSG:3006 (Sweden), EPSG:25832 (Denmark) or EPSG:3067 (Finland)
    """
    try:
        crs = CRS.from_user_input(override)
    except Exception as exc:  # pyproj raises CRSError of its own
        raise CRSError(
            f"unknown CRS {override!r}: give an EPSG code such as 'EPSG:3006' (SWEREF99 TM)"
        ) from exc
    if not crs.is_projected or not _in_metres(crs):
        raise CRSError(
            f"CRS {override!r} is not a projected CRS in metres; geoplan computes distances in "
            "metres: use e.g. EPSG:3006 (Sweden), EPSG:25832 (Denmark) or EPSG:3067 (Finland)"
        )
    return crs


def check_distortion(crs, lon: float, lat: float) -> None:
    """Refuse a CRS that measures lengths or angles wrongly at ``(lon, lat)`` (degrees).

    Distances, catchments and cell areas are computed in the CRS's metres, so they are only as
    right as its scale at the study area: a CRS whose scale is off by more than
    :data:`MAX_SCALE_ERROR` or whose angles bend by more than :data:`MAX_ANGLE_DISTORTION_DEG`
    gives wrong numbers without any error. The message names the country's own CRS.

    Examples
    --------
    >>> check_distortion(CRS.from_epsg(3067), 24.94, 60.17)   # ETRS-TM35FIN in Helsinki: fine
    >>> check_distortion(CRS.from_epsg(3857), 24.94, 60.17)
    Traceback (most recent call last):
    ...
    geoplan.errors.CRSError: CRS EPSG:3857 (WGS 84 / Pseudo-Mercator) measures lengths 2.01 times too long at the study area (lon 24.94, lat 60.17); distances and areas would be wrong: use EPSG:3067 (ETRS89 / TM35FIN(E,N)), the national CRS there (in QGIS, set the project or layer CRS, or give crs = "EPSG:3067")
    """
    from pyproj import Proj

    crs = CRS.from_user_input(crs)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return
    f = Proj(crs).get_factors(lon, lat, errcheck=False)
    scales = np.array([f.meridional_scale, f.parallel_scale], dtype=float)
    angle = float(f.angular_distortion)
    if np.all(np.isfinite(scales)) and np.all(np.abs(scales - 1) <= MAX_SCALE_ERROR) and (
            not math.isfinite(angle) or angle <= MAX_ANGLE_DISTORTION_DEG):
        return
    good = choose_crs(lon, lat)
    name = f"EPSG:{crs.to_epsg()} ({crs.name})" if crs.to_epsg() else repr(crs.name)
    if not np.all(np.isfinite(scales)):
        problem = "cannot measure lengths"
    elif np.any(np.abs(scales - 1) > MAX_SCALE_ERROR):
        s = float(scales[np.argmax(np.abs(scales - 1))])
        problem = (f"measures lengths {s:.2f} times too long" if s > 1
                   else f"measures lengths {s:.2f} times too short")
    else:
        problem = f"bends angles by {angle:.1f} degrees"
    raise CRSError(
        f"CRS {name} {problem} at the study area (lon {lon:.2f}, lat {lat:.2f}); distances and "
        f"areas would be wrong: use EPSG:{good.to_epsg()} ({good.name}), the national CRS "
        f'there (in QGIS, set the project or layer CRS, or give crs = "EPSG:{good.to_epsg()}")'
    )


def _in_metres(crs: CRS) -> bool:
    units = {(ax.unit_name or "").lower() for ax in crs.axis_info}
    return bool(units) and units <= {"metre", "meter", "m"}


def check_coordinates_fit_crs(bounds, crs, what: str) -> None:
    """Raise :class:`CRSError` when coordinates clearly do not fit the stated CRS.

    Catches the two classic mistakes: degrees labelled with a metric CRS (all coordinates within
    ±180/±90 although the CRS is projected) and metres labelled as degrees (values beyond ±180/±90).

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` of the data.
    crs
        The CRS the data says it is in (``None`` is an error: geoplan never guesses).
    what
        How to name the data in the message, e.g. ``"area file 'x.gpkg'"``.
    """
    if crs is None:
        raise CRSError(
            f"{what} has no coordinate reference system: set one (in QGIS: Layer Properties > "
            "Source; with GDAL: ogr2ogr -a_srs EPSG:3006) and try again"
        )
    try:
        crs = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj's own CRSError
        raise CRSError(
            f"{what} has a CRS that PROJ does not know ({exc}): assign an EPSG code, e.g. "
            "EPSG:3006 (SWEREF99 TM), EPSG:25832 (Denmark) or EPSG:4326 (lon/lat)"
        ) from None
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(
            f"{what} is in {crs.name!r}, a local or engineering CRS that cannot be transformed "
            "to any other: export it in a national CRS with an EPSG code (e.g. EPSG:3006 "
            "SWEREF99 TM, or the municipality's SWEREF99 zone), or assign the right one"
        )
    b = np.asarray(bounds, dtype=float)
    if not np.all(np.isfinite(b)):
        raise CRSError(
            f"{what} has no geometries with coordinates (all empty or NULL): draw the features, "
            "or choose the layer that holds them"
        )
    minx, miny, maxx, maxy = b
    looks_like_degrees = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    if crs.is_geographic and not looks_like_degrees:
        raise CRSError(
            f"{what} says its CRS is {crs.name} (degrees) but its coordinates "
            f"({minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}) look like metres: assign the right "
            "metric CRS (e.g. EPSG:3006 for SWEREF99 TM) instead of reprojecting"
        )
    if crs.is_projected and looks_like_degrees and (maxx - minx) < 10 and (maxy - miny) < 10:
        raise CRSError(
            f"{what} says its CRS is {crs.name} (metres) but its coordinates "
            f"({minx:.4f}, {miny:.4f}, {maxx:.4f}, {maxy:.4f}) look like degrees: assign "
            "EPSG:4326 (WGS 84) instead"
        )


def to_crs(gdf, crs, what: str):
    """Reproject ``gdf`` to ``crs`` after checking its own CRS; returns a new GeoDataFrame."""
    check_coordinates_fit_crs(gdf.total_bounds, gdf.crs, what)
    try:
        return gdf.to_crs(crs)
    except Exception as exc:  # pyproj.exceptions.ProjError/CRSError: no transformation known
        raise CRSError(
            f"{what} cannot be transformed from {gdf.crs.name!r} to {CRS.from_user_input(crs).name!r}"
            f" ({exc}): assign or reproject it to a CRS with an EPSG code, e.g. EPSG:3006"
        ) from None
