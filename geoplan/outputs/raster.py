"""Grid indicators as a multi-band GeoTIFF, one band per indicator, aligned to the cell corners.

:func:`write_grid_tif` turns a grid layer (square cells whose lower-left corners sit on multiples of
the cell size, columns ``easting_m`` and ``northing_m``; see :mod:`geoplan.grid`) into a float32
GeoTIFF: one pixel per cell, pixel edges on the cell edges, NaN where there is no cell or no value.
Each band's description is its column name (QGIS shows "Band 1: dist_park_m"), its unit is set
from the column name (``_m`` metres, ``_m2`` square metres, ``_share`` share 0-1 …) and the file
carries "© OpenStreetMap contributors". The file is written atomically.

Examples
--------
>>> import tempfile, pathlib, geopandas as gpd, shapely, rasterio
>>> grid = gpd.GeoDataFrame(
...     {"easting_m": [300, 400], "northing_m": [600, 600], "pop": [5.0, 7.0]},
...     geometry=[shapely.box(300, 600, 400, 700), shapely.box(400, 600, 500, 700)],
...     crs="EPSG:3006")
>>> out = pathlib.Path(tempfile.mkdtemp()) / "grid.tif"
>>> write_grid_tif(out, grid, ["pop"], 100)
>>> with rasterio.open(out) as src:
...     src.descriptions, src.read(1).tolist(), tuple(src.transform)[:6]
(('pop',), [[5.0, 7.0]], (100.0, 0.0, 300.0, 0.0, -100.0, 700.0))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..atomic import atomic_path
from ..errors import ConfigError, CRSError

__all__ = ["column_unit", "write_grid_tif"]

ATTRIBUTION = "© OpenStreetMap contributors"

#: unit by column-name suffix (longest suffix wins)
_SUFFIX_UNITS = {
    "_m": "m",
    "_m2": "m2",
    "_km": "km",
    "_ha": "ha",
    "_min": "min",
    "_share": "share 0-1",
    "_pct": "%",
    "_index": "index 0-100",
    "_m2_per_capita": "m2 per person",
    "_count": "count",
}
_NAME_UNITS = {"pop": "persons"}


def column_unit(column: str) -> str:
    """The unit geoplan's column naming implies, or ``""`` when the name says none.

    Examples
    --------
    >>> column_unit("dist_park_m"), column_unit("green_m2_per_capita"), column_unit("lit_share")
    ('m', 'm2 per person', 'share 0-1')
    >>> column_unit("pop"), column_unit("safety_index"), column_unit("n_schools_800")
    ('persons', 'index 0-100', '')
    """
    if column in _NAME_UNITS:
        return _NAME_UNITS[column]
    hits = [s for s in _SUFFIX_UNITS if column.endswith(s)]
    return _SUFFIX_UNITS[max(hits, key=len)] if hits else ""


def _corners(grid, size: int) -> tuple[np.ndarray, np.ndarray]:
    if {"easting_m", "northing_m"} <= set(grid.columns):
        e = np.asarray(grid["easting_m"], dtype=float)
        n = np.asarray(grid["northing_m"], dtype=float)
    else:  # fall back on the squares themselves
        b = grid.geometry.bounds
        e, n = b["minx"].to_numpy(float), b["miny"].to_numpy(float)
    if not (np.isfinite(e).all() and np.isfinite(n).all()):
        raise ConfigError("grid cells without corner coordinates: easting_m/northing_m are missing")
    off = (np.abs(np.remainder(e, size)) > 1e-6) | (np.abs(np.remainder(n, size)) > 1e-6)
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ConfigError(
            f"cell corners must be multiples of the cell size {size} m, found E {e[i]:g} "
            f"N {n[i]:g}: pass the cell size the grid was made with (geoplan.grid.make_grid)"
        )
    return np.round(e / size).astype(np.int64), np.round(n / size).astype(np.int64)


def _band(grid, col: str) -> np.ndarray:
    s = grid[col]
    if pd.api.types.is_bool_dtype(s.dtype) or (
        s.dtype == object and s.dropna().map(lambda x: isinstance(x, bool | np.bool_)).all()
    ):
        s = s.map(lambda x: np.nan if pd.isna(x) else float(bool(x)))
    try:
        return pd.to_numeric(s, errors="raise").to_numpy(dtype="float32", na_value=np.nan)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"column {col!r} is not numeric ({s.dtype}): a raster band holds numbers only; "
            "leave it out of columns or write it to the GeoPackage"
        ) from exc


def write_grid_tif(path: str | os.PathLike, grid, columns: Sequence[str], cell_size_m: int, *,
                   units: Mapping[str, str] | None = None) -> None:
    """Write grid columns as a float32 GeoTIFF, one band per column, atomically.

    Parameters
    ----------
    path
        Target ``.tif`` (replaced whole; a previous file survives a failed write).
    grid
        Grid GeoDataFrame in a metric CRS with ``easting_m``/``northing_m`` (lower-left corners,
        multiples of ``cell_size_m``); when missing, the corners are taken from the squares.
    columns
        Indicator columns, in band order. Booleans become 0/1 (unit "0/1"), missing values NaN.
    cell_size_m
        Cell size in metres (the pixel size).
    units
        Units per column overriding :func:`column_unit`.

    Notes
    -----
    The raster covers the bounding box of the cells: pixel ``(row, col)`` is the cell with corner
    ``E = x0 + col·size``, ``N = y1 - (row + 1)·size``; the transform's origin ``(x0, y1)`` is the
    upper-left corner of the north-westernmost cell, so pixel edges lie on multiples of the cell
    size and the raster overlays the grid layer exactly. Pixels without a cell are NaN (nodata).
    Tags: dataset ``attribution``, ``cell_size_m``, ``software``; per band ``column`` and
    ``units`` (also set as the GDAL band unit).

    Raises
    ------
    ConfigError
        Unknown or non-numeric columns, duplicate cells, corners off the cell size, no cells.
    CRSError
        A grid without a CRS or in degrees.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely, rasterio
    >>> g = gpd.GeoDataFrame({"easting_m": [0], "northing_m": [0], "ok": [True]},
    ...                      geometry=[shapely.box(0, 0, 50, 50)], crs="EPSG:3006")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.tif"
    >>> write_grid_tif(out, g, ["ok"], 50)
    >>> with rasterio.open(out) as src:
    ...     src.read(1).tolist(), src.nodata
    ([[1.0]], nan)
    """
    size = _check_request(grid, columns, cell_size_m)
    columns = list(columns)
    crs = grid.crs
    ix, iy = _corners(grid, size)
    if pd.MultiIndex.from_arrays([ix, iy]).has_duplicates:
        raise ConfigError("two grid rows describe the same cell: drop duplicates first")
    x0, y_top = ix.min(), iy.max() + 1  # in cells
    width, height = int(ix.max() - x0 + 1), int(y_top - iy.min())
    rows, cols = (y_top - 1 - iy).astype(np.intp), (ix - x0).astype(np.intp)

    bands = np.full((len(columns), height, width), np.nan, dtype="float32")
    units = dict(units or {})
    for b, col in enumerate(columns):
        bands[b, rows, cols] = _band(grid, col)
        if col not in units:
            is_bool = pd.api.types.is_bool_dtype(grid[col].dtype)
            units[col] = column_unit(col) or ("0/1" if is_bool else "")
    _write_bands(path, bands, columns, units, crs, size, x0, y_top)


def _check_request(grid, columns: Sequence[str], cell_size_m) -> int:
    """The cell size as a whole number of metres, once the columns, cells and CRS are usable."""
    size = int(cell_size_m)
    if size <= 0 or size != cell_size_m:
        raise ConfigError(f"cell_size_m must be a positive whole number of metres, got "
                          f"{cell_size_m!r}")
    columns = list(columns)
    if not columns:
        raise ConfigError("write_grid_tif needs at least one column to write as a band")
    missing = [c for c in columns if c not in grid.columns]
    if missing:
        raise ConfigError(f"grid has no column(s) {missing}; available: "
                          f"{sorted(map(str, grid.columns))}")
    if len(set(columns)) != len(columns):
        raise ConfigError(f"columns are listed twice: {columns}")
    if len(grid) == 0:
        raise ConfigError("the grid has no cells: nothing to write")
    crs = getattr(grid, "crs", None)
    if crs is None:
        raise CRSError("the grid has no CRS: set it, e.g. grid.set_crs('EPSG:3006')")
    if not crs.is_projected:
        raise CRSError(f"the grid is in {crs.name} (degrees): cells must be in a metric CRS")
    return size


def _write_bands(path, bands: np.ndarray, columns: list[str], units: Mapping[str, str], crs,
                 size: int, x0: int, y_top: int) -> None:
    """Write the bands (upper-left corner at cell ``(x0, y_top)``) with their tags, atomically."""
    import rasterio
    from rasterio.transform import Affine

    _, height, width = bands.shape
    transform = Affine(float(size), 0.0, float(x0 * size), 0.0, -float(size), float(y_top * size))
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": len(columns),
        "dtype": "float32", "nodata": float("nan"), "crs": crs.to_wkt(), "transform": transform,
        "compress": "deflate", "predictor": 3,
    }
    if width >= 256 and height >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with atomic_path(path, suffix=".tif") as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(bands)
            dst.update_tags(attribution=ATTRIBUTION, cell_size_m=str(size), software="geoplan")
            for b, col in enumerate(columns, start=1):
                unit = units[col]
                dst.set_band_description(b, col)
                dst.set_band_unit(b, unit)
                dst.update_tags(b, column=col, units=unit)
        aux = tmp.with_name(tmp.name + ".aux.xml")
        if aux.exists():  # GDAL keeps everything in the TIFF; never leave a stray side file
            aux.unlink()
