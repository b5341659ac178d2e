"""Municipal lamp registers (GeoPackage / any GDAL vector, or CSV with coordinates and a CRS),
merged with or replacing the street lamps mapped in OSM.

Example
-------
>>> import geopandas as gpd, shapely
>>> osm = gpd.GeoDataFrame({"lamp_id": ["osm/n1"], "source": ["osm"]},
...                        geometry=[shapely.Point(0, 0)], crs=3067)
>>> reg = gpd.GeoDataFrame({"lamp_id": ["r1", "r2"], "source": ["register"] * 2},
...                        geometry=[shapely.Point(1, 0), shapely.Point(50, 0)], crs=3067)
>>> combine_lamps(osm, reg, mode="augment")["lamp_id"].tolist()   # r1 is osm/n1 mapped twice
['osm/n1', 'r2']
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import check_coordinates_fit_crs
from ..errors import ConfigError, InputFileError

__all__ = ["combine_lamps", "read_lamp_register", "study_lamps"]

_XY_NAMES = (("x", "y"), ("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"),
             ("easting", "northing"), ("e", "n"), ("ost", "nord"), ("x_coord", "y_coord"))


def _csv_points(path: Path, crs, x_col: str | None, y_col: str | None) -> gpd.GeoDataFrame:
    try:
        df = pd.read_csv(path, sep=None, engine="python")
    except Exception as exc:
        raise InputFileError(f"cannot read lamp CSV {path.name!r} ({exc})") from exc
    if len(df) == 0:
        raise InputFileError(f"lamp CSV {path.name!r} has no rows")
    lower = {c.lower().strip(): c for c in df.columns}
    if x_col is None or y_col is None:
        for xn, yn in _XY_NAMES:
            if xn in lower and yn in lower:
                x_col, y_col = lower[xn], lower[yn]
                break
    if x_col not in df.columns or y_col not in df.columns:
        raise InputFileError(
            f"lamp CSV {path.name!r}: cannot find coordinate columns (has {list(df.columns)}); "
            "name them x/y (or lon/lat, easting/northing) or pass x_col and y_col"
        )
    if crs is None:
        raise InputFileError(
            f"lamp CSV {path.name!r} has coordinates but no CRS: say which, e.g. "
            "lamps_crs = 'EPSG:3006' (SWEREF99 TM) or 'EPSG:4326' (lon/lat)"
        )
    x = pd.to_numeric(df[x_col], errors="coerce")
    y = pd.to_numeric(df[y_col], errors="coerce")
    bad = x.isna() | y.isna()
    if bad.all():
        raise InputFileError(f"lamp CSV {path.name!r}: columns {x_col}/{y_col} hold no numbers")
    if bad.any():
        rows = (np.flatnonzero(bad.values)[:5] + 2).tolist()  # +2: header line, 1-based
        raise InputFileError(
            f"lamp CSV {path.name!r}: {int(bad.sum())} rows have no numeric coordinates "
            f"(lines {rows}…): fix or delete them"
        )
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs=crs)


def read_lamp_register(
    path, *, crs=None, to_crs, x_col: str | None = None, y_col: str | None = None,
    id_col: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a municipal lamp register as points in ``to_crs``.

    Parameters
    ----------
    path
        GeoPackage/GeoJSON/shapefile of points, or CSV with coordinate columns.
    crs
        CRS of a CSV's coordinates (required for CSV; vector files carry their own).
    to_crs
        The run's metric CRS.
    x_col, y_col, id_col
        Column names, when they cannot be guessed.

    Returns
    -------
    GeoDataFrame
        ``lamp_id`` ('register/<id>'), ``source`` = 'register', Point geometry.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"lamp register {str(p)!r} does not exist: check the path")
    name = p.name.lower()
    if name.endswith((".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")):
        raise InputFileError(
            f"lamp register {p.name!r} is an OpenStreetMap extract, not a register: OSM's street "
            "lamps are read from the extract already; give the municipality's lamp register "
            "(GeoPackage, or CSV with coordinates) or leave the register out")
    if p.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise InputFileError(
            f"lamp register {p.name!r} is a spreadsheet: save it as CSV (UTF-8) with one row per "
            "lamp and its coordinates (e.g. columns x, y or lon, lat), and give --lamps-crs")
    if p.suffix.lower() in (".csv", ".txt", ".tsv"):
        g = _csv_points(p, crs, x_col, y_col)
    else:
        import pyogrio

        try:
            g = pyogrio.read_dataframe(p)
        except Exception as exc:
            from .area import gdal_reason

            raise InputFileError(
                f"cannot read lamp register {p.name!r} ({gdal_reason(exc)}): give a point file "
                "GDAL reads (GeoPackage, GeoJSON, shapefile) or a CSV with x/y columns") from None
        if len(g) == 0:
            raise InputFileError(f"lamp register {p.name!r} has no features")
        if g.crs is None and crs is not None:
            g = g.set_crs(crs)
        geoms = g.geometry.to_numpy()  # not GeoSeries.notna: it warns when some are empty
        g = g[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        if not set(g.geometry.geom_type) <= {"Point", "MultiPoint"}:
            raise InputFileError(
                f"lamp register {p.name!r} holds {sorted(set(g.geometry.geom_type))}, not points: "
                "give one point per lamp"
            )
        g = g.explode(index_parts=False)
    check_coordinates_fit_crs(g.total_bounds, g.crs, f"lamp register {p.name!r}")
    ids = g[id_col].astype(str) if id_col and id_col in g else pd.Series(np.arange(len(g)), index=g.index).astype(str)
    out = gpd.GeoDataFrame(
        {"lamp_id": ("register/" + ids).values, "source": "register"},
        geometry=g.geometry.values, crs=g.crs,
    ).to_crs(to_crs)
    return out


def combine_lamps(
    osm_lamps: gpd.GeoDataFrame, register: gpd.GeoDataFrame | None, *, mode: str = "augment",
    same_lamp_m: float = 3.0, area=None,
) -> gpd.GeoDataFrame:
    """Merge OSM lamps with a register.

    ``mode='augment'`` keeps OSM lamps and adds register lamps farther than ``same_lamp_m`` from
    any of them; ``'replace'`` uses the register alone (where the municipality's register is
    complete). With ``area`` given, a register with no lamp inside it is refused: its CRS is
    almost certainly wrong.
    """
    if register is None:
        return osm_lamps
    if mode not in ("augment", "replace"):
        raise ConfigError(f"lamp register mode must be 'augment' or 'replace', got {mode!r}")
    if area is not None and len(register) and not register.intersects(area).any():
        raise InputFileError(
            "no lamp of the register lies in the study area: check the register's CRS "
            "(a CSV in SWEREF99 TM needs lamps_crs = 'EPSG:3006') and that it covers the area"
        )
    if mode == "replace" or len(osm_lamps) == 0:
        return register.reset_index(drop=True)
    d = gpd.sjoin_nearest(register, osm_lamps[["geometry"]], how="left", max_distance=same_lamp_m,
                          distance_col="_d")
    dup = d.index[d["_d"].notna()].unique()
    new = register.drop(index=dup)
    return gpd.GeoDataFrame(pd.concat([osm_lamps, new], ignore_index=True), crs=osm_lamps.crs)


def study_lamps(
    data, register=None, *, crs=None, mode: str = "augment", x_col: str | None = None,
    y_col: str | None = None, id_col: str | None = None, same_lamp_m: float = 3.0,
) -> gpd.GeoDataFrame:
    """The street lamps of a study: ``data.lamps`` (OSM), merged with a register when given.

    Parameters
    ----------
    data
        :class:`geoplan.types.OsmData` of the study (its CRS and area are used).
    register
        Path of a lamp register (see :func:`read_lamp_register`), or None for OSM lamps only.
    crs, x_col, y_col, id_col
        As for :func:`read_lamp_register`.
    mode, same_lamp_m
        As for :func:`combine_lamps`.
    """
    if register is None:
        return data.lamps
    reg = read_lamp_register(register, crs=crs, to_crs=data.crs, x_col=x_col, y_col=y_col,
                             id_col=id_col)
    return combine_lamps(data.lamps, reg, mode=mode, same_lamp_m=same_lamp_m, area=data.area)
