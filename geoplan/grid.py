"""Square grid cells aligned to the national grid of the metric CRS, with INSPIRE-style ids.

Cells
-----
:func:`make_grid` covers a study area with square cells whose corners are multiples of the cell
size in the metric CRS (so two runs over overlapping areas produce the same cells, and cells line
up with SCB's and Statistics Finland's statistical grids in SWEREF99 TM / ETRS-TM35FIN). Cells keep
their full square ``geometry`` (planners expect square cells on maps); how much of a cell lies in
the study area is stored in ``area_m2`` and ``area_share`` (the share of the square inside the
study area; water is *not* removed, it is not a land share). Cells that only touch the area's
boundary are left out.

Cell ids
--------
``cell_id`` follows the short cell code of the INSPIRE Geographical Grid Systems specification
(as used by the EEA reference grid and Eurostat's GEOSTAT grids), written northing first as in the
official code of Regulation (EU) 2018/1799 (``CRS3035RES1000mN…E…``)::

    <size><unit> 'N' <northing // 10**k> 'E' <easting // 10**k>

* ``<size><unit>``: ``50m``, ``100m``, ``250m`` or ``1km`` (metres below 1000 m, km from 1000 m);
* the coordinates are those of the cell's **lower-left corner** in the metric CRS of the run;
* ``k`` is the number of trailing zeros of the size in metres (50 -> 1, 100 -> 2, 250 -> 1,
  1000 -> 3): the INSPIRE rule "divide by 10^n, n the number of zeros in the cell size value".
  For 100 m and 1 km cells this equals dividing by the cell size; for 50 m and 250 m it does not
  (``250mN665025E31500`` is the cell with corner N 6 650 250, E 315 000).

Example: ``100mN66310E3150`` is the 100 m cell with lower-left corner (E 315 000, N 6 631 000).
The ids are unique *within one CRS*; the CRS is a property of the layer (``grid.crs``) and the
official INSPIRE grid is in ETRS89-LAEA (EPSG:3035), so a geoplan id in SWEREF99 TM is
"INSPIRE-style", not an INSPIRE cell code. SCB's grid files (SWEREF99 TM) and Statistics Finland's
(ETRS-TM35FIN, column ``grid_inspire`` and a running number ``nro``) also reference the lower-left
corner, so :func:`parse_cell_id` gives the corner to match them on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .crs import check_coordinates_fit_crs
from .errors import AreaError, ConfigError, CRSError

__all__ = [
    "ALLOWED_CELL_SIZES_M",
    "MAX_GRID_CELLS",
    "GridSpec",
    "check_grid_size",
    "cell_ids",
    "make_grid",
    "parse_cell_id",
]

#: Cell sizes geoplan supports, in metres.
ALLOWED_CELL_SIZES_M: tuple[int, ...] = (50, 100, 250, 1000)

#: The most cells (of the study area's bounding box) one run builds. Measured: building the grid
#: takes about 0.7 GB of memory and 13 s per million cells before any indicator is computed, so
#: a larger run is refused before anything is built (a county at 100 m has well under a million).
MAX_GRID_CELLS = 2_000_000
_GRID_BYTES_PER_CELL = 700  # measured with make_grid on a 100 km x 100 km box at 100 m

_ID_RE = re.compile(r"^(?P<size>\d+)(?P<unit>m|km)N(?P<n>-?\d+)E(?P<e>-?\d+)$")


@dataclass(frozen=True)
class GridSpec:
    """The grid geoplan aggregates to.

    Parameters
    ----------
    cell_size_m
        Side of a square cell in metres: one of 50, 100, 250, 1000.

    Examples
    --------
    >>> GridSpec().cell_size_m, GridSpec().label, GridSpec(1000).layer_name
    (100, '100m', 'grid_1km')
    """

    cell_size_m: int = 100

    def __post_init__(self) -> None:
        size = self.cell_size_m
        ok = isinstance(size, int | np.integer | float) and not isinstance(size, bool)
        if not ok or float(size) not in ALLOWED_CELL_SIZES_M:
            allowed = ", ".join(str(s) for s in ALLOWED_CELL_SIZES_M)
            raise ConfigError(
                f"grid cell_size_m must be one of {allowed} metres, got {size!r}; choose 100 for "
                "neighbourhoods, 250 or 1000 to compare with SCB/Statistics Finland grid data"
            )
        object.__setattr__(self, "cell_size_m", int(size))

    @property
    def label(self) -> str:
        """Size as written in cell ids and layer names: ``'100m'``, ``'1km'``."""
        return _size_label(self.cell_size_m)

    @property
    def layer_name(self) -> str:
        """Name of the grid layer in outputs, e.g. ``'grid_100m'``."""
        return f"grid_{self.label}"


def _size_label(cell_size_m: int) -> str:
    if cell_size_m >= 1000 and cell_size_m % 1000 == 0:
        return f"{cell_size_m // 1000}km"
    return f"{cell_size_m}m"


def _id_divisor(cell_size_m: int) -> int:
    """``10**k`` with ``k`` the number of trailing zeros of the size (INSPIRE rule)."""
    k = len(str(cell_size_m)) - len(str(cell_size_m).rstrip("0"))
    return 10**k


def cell_ids(easting_m, northing_m, cell_size_m: int) -> np.ndarray:
    """INSPIRE-style ids of the cells with lower-left corners ``(easting_m, northing_m)``.

    Parameters
    ----------
    easting_m, northing_m
        Lower-left corners in metres (array-like of equal length), multiples of the cell size.
    cell_size_m
        Cell size in metres.

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> cell_ids([315000], [6631000], 100).tolist()
    ['100mN66310E3150']
    >>> cell_ids([315000, 1000], [6650250, 0], 250).tolist()
    ['250mN665025E31500', '250mN0E100']
    """
    div = _id_divisor(int(cell_size_m))
    e = np.floor_divide(np.asarray(easting_m, dtype=np.int64), div)
    n = np.floor_divide(np.asarray(northing_m, dtype=np.int64), div)
    prefix = _size_label(int(cell_size_m)) + "N"
    return np.array([f"{prefix}{ni}E{ei}" for ni, ei in zip(n.tolist(), e.tolist(), strict=True)],
                    dtype=object)


def parse_cell_id(cell_id: str) -> tuple[int, int, int]:
    """Cell size and lower-left corner of a cell id: ``(cell_size_m, easting_m, northing_m)``.

    Examples
    --------
    >>> parse_cell_id("100mN66310E3150")
    (100, 315000, 6631000)
    >>> parse_cell_id("1kmN6631E315")
    (1000, 315000, 6631000)
    """
    m = _ID_RE.match(str(cell_id))
    if m is None:
        raise ConfigError(
            f"{cell_id!r} is not a geoplan cell id: expected e.g. '100mN66310E3150' "
            "(size, N + northing, E + easting of the lower-left corner)"
        )
    size = int(m["size"]) * (1000 if m["unit"] == "km" else 1)
    div = _id_divisor(size)
    return size, int(m["e"]) * div, int(m["n"]) * div


def _check_area(area, crs) -> tuple[shapely.Geometry, CRS]:
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if crs is None:
            crs = area.crs
        area = area.geometry.union_all() if len(area) else None
    if crs is None:
        raise CRSError("the study area has no CRS: pass crs=, e.g. 'EPSG:3006' (SWEREF99 TM)")
    try:
        crs = CRS.from_user_input(crs)
    except Exception as exc:
        raise CRSError(f"unknown CRS {crs!r}: give an EPSG code such as 'EPSG:3006'") from exc
    if not crs.is_projected:
        raise CRSError(
            f"the study area is in {crs.name}, a geographic CRS (degrees); grid cells are measured "
            "in metres: reproject the area first, e.g. to EPSG:3006 (Sweden), EPSG:25832 "
            "(Denmark) or the CRS geoplan.crs.choose_crs() picks"
        )
    if area is None or not isinstance(area, shapely.Geometry) or area.is_empty:
        raise AreaError("the study area is empty: give a polygon that covers the neighbourhood")
    if shapely.get_type_id(area) not in (3, 6):  # Polygon, MultiPolygon
        if shapely.get_type_id(area) == 7:  # GeometryCollection: keep its polygons
            parts = [g for g in shapely.get_parts(area) if shapely.get_type_id(g) in (3, 6)]
            area = shapely.union_all(parts) if parts else None
        if area is None or shapely.get_type_id(area) not in (3, 6) or area.is_empty:
            raise AreaError(
                "the study area must be a polygon or multipolygon, got "
                f"{area.geom_type if area is not None else 'no polygon'}"
            )
    if not area.is_valid:
        raise AreaError(
            f"the study area polygon is invalid ({shapely.is_valid_reason(area)}): repair it with "
            "shapely.make_valid(area) or, in QGIS, Processing > Vector geometry > Fix geometries"
        )
    check_coordinates_fit_crs(area.bounds, crs, "the study area")
    if area.area <= 0:
        raise AreaError("the study area has zero area: give a polygon, not a line or a point")
    return area, crs


def check_grid_size(bounds, cell_size_m: int, *, limit: int = MAX_GRID_CELLS) -> int:
    """Number of cells the grid over ``bounds`` needs; refuse more than ``limit`` with the numbers.

    Examples
    --------
    >>> check_grid_size((0, 0, 1000, 500), 100)
    50
    >>> check_grid_size((0, 0, 2_000_000, 1_000_000), 100)
    Traceback (most recent call last):
    ...
    geoplan.errors.AreaError: the study area is 2,000 km x 1,000 km: a grid of 100 m cells over it has 200,000,000 cells (about 140 GB of memory before any indicator), more than geoplan's limit of 2,000,000 cells per run: check the area (a stray point far away, or a CRS in the wrong unit?), give a smaller area or bbox, a larger cell_size_m, or run the parts one by one with 'geoplan many'
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    size = float(cell_size_m)
    nx = max(np.ceil(maxx / size) - np.floor(minx / size), 1.0)
    ny = max(np.ceil(maxy / size) - np.floor(miny / size), 1.0)
    n = nx * ny
    if not np.isfinite(n) or n > limit:
        gb = n * _GRID_BYTES_PER_CELL / 1e9
        raise AreaError(
            f"the study area is {(maxx - minx) / 1000:,.0f} km x {(maxy - miny) / 1000:,.0f} km: a "
            f"grid of {int(size)} m cells over it has {n:,.0f} cells (about {gb:,.0f} GB of memory "
            f"before any indicator), more than geoplan's limit of {limit:,} cells per run: check "
            "the area (a stray point far away, or a CRS in the wrong unit?), give a smaller area or "
            "bbox, a larger cell_size_m, or run the parts one by one with 'geoplan many'"
        )
    return int(n)


def make_grid(area, crs=None, spec: GridSpec | None = None) -> gpd.GeoDataFrame:
    """Square cells aligned to multiples of the cell size covering ``area``.

    Parameters
    ----------
    area
        Study area: a shapely (Multi)Polygon in ``crs`` (a GeoSeries/GeoDataFrame is dissolved).
    crs
        Projected CRS in metres of ``area`` (e.g. ``"EPSG:3006"``); taken from a GeoSeries or
        GeoDataFrame when not given.
    spec
        Cell size; default ``GridSpec()`` (100 m).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``cell_id`` (see the module doc), sorted south to north, then west to east:
        ``geometry`` (the full square), ``easting_m`` and ``northing_m`` (lower-left corner),
        ``area_m2`` (area of the square inside the study area) and ``area_share``
        (``area_m2 / cell_size_m**2``, in (0, 1]). ``attrs['cell_size_m']`` holds the size.

    Raises
    ------
    AreaError
        Empty, non-polygon or invalid area (repair with ``shapely.make_valid`` or QGIS
        "Fix geometries"), or more than :data:`MAX_GRID_CELLS` cells.
    CRSError
        Missing or geographic CRS.

    Examples
    --------
    >>> from shapely import box
    >>> g = make_grid(box(120, 40, 330, 180), "EPSG:3006", GridSpec(100))
    >>> g.index.tolist()[:3]
    ['100mN0E1', '100mN0E2', '100mN0E3']
    >>> round(float(g["area_m2"].sum()), 6), len(g)
    (29400.0, 6)
    """
    spec = spec or GridSpec()
    area, crs = _check_area(area, crs)
    size = spec.cell_size_m
    check_grid_size(area.bounds, size)
    minx, miny, maxx, maxy = area.bounds
    x0 = int(np.floor(minx / size)) * size
    y0 = int(np.floor(miny / size)) * size
    nx = max(int(np.ceil(maxx / size)) * size - x0, size) // size
    ny = max(int(np.ceil(maxy / size)) * size - y0, size) // size
    xs = x0 + size * np.arange(nx, dtype=np.int64)
    ys = y0 + size * np.arange(ny, dtype=np.int64)
    ex, ny_ = np.meshgrid(xs, ys)  # row-major: south to north, west to east
    ex, ny_ = ex.ravel(), ny_.ravel()
    squares = shapely.box(ex, ny_, ex + size, ny_ + size)

    shapely.prepare(area)
    hit = shapely.intersects(area, squares)
    inside = np.zeros(hit.shape, dtype=bool)
    inside[hit] = shapely.contains_properly(area, squares[hit])
    area_m2 = np.where(inside, float(size * size), 0.0)
    edge = hit & ~inside
    if edge.any():
        area_m2[edge] = shapely.area(shapely.intersection(squares[edge], area))
    keep = area_m2 > 0
    ex, ny_, squares, area_m2 = ex[keep], ny_[keep], squares[keep], area_m2[keep]

    ids = cell_ids(ex, ny_, size)
    grid = gpd.GeoDataFrame(
        {
            "easting_m": ex,
            "northing_m": ny_,
            "area_m2": area_m2,
            "area_share": np.minimum(area_m2 / float(size * size), 1.0),
        },
        geometry=squares,
        crs=crs,
        index=pd.Index(ids, name="cell_id"),
    )
    grid.attrs["cell_size_m"] = size
    return grid
