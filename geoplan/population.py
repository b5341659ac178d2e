"""Population (and other area statistics) per grid cell, from the best source available.

Population allocation lives here rather than in :mod:`geoplan.grid` (which only makes cells):
every function takes the cells of :func:`geoplan.grid.make_grid` and returns a copy of them with
``pop`` (persons, float) and ``pop_source``:

``'statistics'`` -- :func:`population_from_stats`
    Area statistics (e.g. SCB DeSO tables) allocated *dasymetrically*: an area's counts go to
    the cells in proportion to the residential floor area of its buildings in each cell
    (:func:`residential_floor_area`); areas with no residential floor area fall back to area
    weighting. Rates (median income, percentages) become the weighted mean of the rates of the
    areas a cell overlaps, weighted by the persons each area contributes to the cell (by the
    count the rate describes, see ``table.attrs['weights']``), so they stay within the range
    of the source rates. Other count columns of the table are allocated like ``pop``.
``'grid'`` -- :func:`population_from_grid`
    A population grid (vector cells or a GeoTIFF, any CRS and cell size) re-allocated by area
    -- or through residential floor area when buildings are given.
``'buildings_estimate'`` -- :func:`population_from_buildings`
    Residential floor area x persons per m²; an estimate, labelled as such.

Which cells count
    The allocation domain is the union of the cells' full squares (cells look square on maps
    and the people counted in a cell are those living in its square), intersected with
    ``study_area`` when one is given -- pass it when ``buildings`` were clipped to the study
    area, so edge cells do not get all the population of an area that continues outside.
Conservation
    An area whose polygon lies fully inside the domain hands out exactly its counts (sum over
    cells = sum over areas to float precision). An area partly outside hands out the share of
    its polygon area inside the domain (buildings outside the domain are unknown), dasymetrically
    within that share; these areas and what was not allocated are listed in the report
    (``result.attrs['pop_report']``, a :class:`PopulationReport`).

Residential floor area (:class:`ResidentialRule`)
    ``floor_area_m2`` of buildings with ``use == 'residential'`` counts fully, ``'mixed'`` by
    ``mixed_use_share`` (0.5), ``'non_residential'`` not at all, and ``'unknown'`` (OSM
    ``building=yes``) by ``unknown_use_share`` (0.5) -- except unknown buildings with a footprint
    under ``min_unknown_footprint_m2`` (30 m², the size limit of a Swedish *attefallshus*), which
    are taken to be sheds and garages. A building belongs wholly to the area and cell holding its
    representative point (``point_on_surface``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .crs import to_crs
from .errors import AreaError, ConfigError, GeoplanError, InputFileError
from .progress import Progress, report
from .sources.stats import COUNT, RATE, column_kinds, join_area_table
from .types import PERSONS_PER_M2

__all__ = [
    "PERSONS_PER_M2",
    "PopulationReport",
    "ResidentialRule",
    "allocate_area_table",
    "cell_population",
    "population_from_buildings",
    "population_from_grid",
    "population_from_stats",
    "residential_floor_area",
]


_USES = ("residential", "mixed", "non_residential", "unknown")


@dataclass(frozen=True)
class ResidentialRule:
    """How much of a building's floor area counts as residential (see the module doc).

    Examples
    --------
    >>> r = ResidentialRule()
    >>> r.mixed_use_share, r.unknown_use_share, r.min_unknown_footprint_m2
    (0.5, 0.5, 30.0)
    """

    mixed_use_share: float = 0.5
    unknown_use_share: float = 0.5
    min_unknown_footprint_m2: float = 30.0

    def __post_init__(self) -> None:
        for name in ("mixed_use_share", "unknown_use_share"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ConfigError(f"{name} must be between 0 and 1, got {v}")
        if not self.min_unknown_footprint_m2 >= 0:
            raise ConfigError(
                f"min_unknown_footprint_m2 must be >= 0 m², got {self.min_unknown_footprint_m2}"
            )


@dataclass(frozen=True)
class PopulationReport:
    """What a population allocation did; ``result.attrs['pop_report']``."""

    pop_source: str
    #: total of ``pop`` in the source areas/cells that touch the domain
    source_total: float
    #: total of ``pop`` handed out to the cells
    allocated_total: float
    #: source areas that lie fully inside the domain
    areas_inside: int = 0
    #: source areas partly outside the domain: code, share_inside, pop_not_allocated
    partial_areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: source areas allocated by area because they hold no residential floor area
    area_weighted: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for logs and reports."""
        s = (
            f"pop from {self.pop_source}: {self.allocated_total:,.0f} persons allocated of "
            f"{self.source_total:,.0f} in the source"
        )
        if len(self.partial_areas):
            s += f"; {len(self.partial_areas)} areas partly outside the grid"
        if self.area_weighted:
            s += f"; {len(self.area_weighted)} areas allocated by area (no residential buildings)"
        return s


# --------------------------------------------------------------------------------------------
# buildings


def residential_floor_area(buildings, rule: ResidentialRule | None = None) -> pd.Series:
    """Residential floor area per building in m², aligned to ``buildings``' index.

    Parameters
    ----------
    buildings
        GeoDataFrame with ``floor_area_m2``, ``use`` and ``footprint_m2`` (see
        :mod:`geoplan.types`; ``footprint_m2`` defaults to the polygon area).
    rule
        Shares per use; default :class:`ResidentialRule`.

    Examples
    --------
    >>> from shapely import box
    >>> b = gpd.GeoDataFrame({"use": ["residential", "mixed", "unknown", "unknown",
    ...                               "non_residential"],
    ...                       "floor_area_m2": [300.0, 300.0, 300.0, 40.0, 300.0]},
    ...                      geometry=[box(0, 0, 10, 10)] * 3 + [box(0, 0, 5, 4), box(0, 0, 9, 9)])
    >>> residential_floor_area(b).tolist()
    [300.0, 150.0, 150.0, 0.0, 0.0]
    """
    rule = rule or ResidentialRule()
    missing = [c for c in ("floor_area_m2", "use") if c not in buildings.columns]
    if missing:
        raise ConfigError(
            f"buildings lack column(s) {missing}: read them with geoplan's OSM reader, or add "
            "'floor_area_m2' (footprint x levels) and 'use' (residential/mixed/non_residential/"
            "unknown)"
        )
    use = buildings["use"].astype(object).where(buildings["use"].notna(), "unknown")
    bad = sorted(set(use) - set(_USES))
    if bad:
        raise ConfigError(f"building 'use' values {bad} are not one of {list(_USES)}")
    floor = pd.to_numeric(buildings["floor_area_m2"], errors="coerce").fillna(0.0)
    if (floor < 0).any():
        raise GeoplanError(
            f"{int((floor < 0).sum())} buildings have a negative floor_area_m2: fix the input"
        )
    if "footprint_m2" in buildings.columns:
        foot = pd.to_numeric(buildings["footprint_m2"], errors="coerce")
        foot = foot.fillna(pd.Series(shapely.area(buildings.geometry.values), buildings.index))
    else:
        foot = pd.Series(shapely.area(buildings.geometry.values), index=buildings.index)
    share = use.map({"residential": 1.0, "mixed": rule.mixed_use_share,
                     "non_residential": 0.0, "unknown": rule.unknown_use_share}).astype(float)
    share[(use == "unknown") & (foot < rule.min_unknown_footprint_m2)] = 0.0
    return (floor * share).rename("residential_floor_m2")


def _building_points(buildings, crs, rule: ResidentialRule) -> tuple[np.ndarray, np.ndarray]:
    """Representative points and residential floor area of buildings with some."""
    b = to_crs(buildings, crs, "buildings") if buildings.crs != crs else buildings
    res = residential_floor_area(b, rule).to_numpy()
    keep = res > 0
    pts = shapely.point_on_surface(b.geometry.values[keep])
    return np.asarray(pts), res[keep]


# --------------------------------------------------------------------------------------------
# the allocation engine


def _check_cells(cells) -> None:
    if not isinstance(cells, gpd.GeoDataFrame) or cells.index.name != "cell_id":
        raise ConfigError("cells must be the GeoDataFrame from geoplan.grid.make_grid")
    if cells.crs is None or not cells.crs.is_projected:
        raise ConfigError("cells must be in a projected (metric) CRS: use geoplan.grid.make_grid")


def _domain_cells(cells, study_area) -> np.ndarray:
    geoms = np.asarray(cells.geometry.values, dtype=object).copy()
    if study_area is not None:
        if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
            study_area = to_crs(study_area, cells.crs, "the study area").geometry.union_all()
        shapely.prepare(study_area)
        inside = shapely.contains_properly(study_area, geoms)
        if not inside.all():
            geoms[~inside] = shapely.intersection(geoms[~inside], study_area)
    return geoms


def _allocation_shares(
    cells, src_geoms: np.ndarray, *, buildings=None, study_area=None, rule=None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Share of each source's counts per cell.

    Returns ``(pairs, inside_share, has_floor)``: ``pairs`` has columns ``src``, ``cell``
    (positions), ``share``; ``inside_share[src]`` is the share of the source's area inside the
    domain; ``has_floor[src]`` whether it was allocated through residential floor area.
    """
    rule = rule or ResidentialRule()
    cell_geoms = _domain_cells(cells, study_area)
    src_geoms = np.asarray(src_geoms, dtype=object)
    src_area = shapely.area(src_geoms)
    tree = shapely.STRtree(cell_geoms)
    si, ci = tree.query(src_geoms, predicate="intersects")
    shapely.prepare(src_geoms)
    inside = shapely.contains_properly(src_geoms[si], cell_geoms[ci])
    piece = np.where(inside, shapely.area(cell_geoms[ci]), 0.0)
    edge = ~inside
    if edge.any():
        piece[edge] = shapely.area(shapely.intersection(src_geoms[si[edge]], cell_geoms[ci[edge]]))
    pairs = pd.DataFrame({"src": si, "cell": ci, "piece_m2": piece})
    pairs = pairs[pairs["piece_m2"] > 0].reset_index(drop=True)
    if len(src_geoms) and pairs.empty:
        raise AreaError(
            "the source areas do not overlap the grid cells: check that both cover the same "
            f"place and that their CRS is right (cells: {cells.crs.name}, bounds "
            f"{np.round(cells.total_bounds).tolist()}; sources: bounds "
            f"{np.round(shapely.total_bounds(src_geoms)).tolist()} after reprojection)"
        )
    n_src = len(src_geoms)
    with np.errstate(invalid="ignore", divide="ignore"):
        inside_share = np.minimum(
            np.bincount(pairs["src"], weights=pairs["piece_m2"], minlength=n_src) / src_area, 1.0
        )
    inside_share = np.nan_to_num(inside_share)

    floor = np.zeros(len(pairs))
    if buildings is not None and len(buildings):
        pts, res = _building_points(buildings, cells.crs, rule)
        if len(pts):
            # a building's point must be in the source and in the (clipped) cell
            pb, pc = tree.query(pts, predicate="intersects")
            first_cell = pd.Series(pc).groupby(pb).first()
            src_tree = shapely.STRtree(src_geoms)
            qb, qs = src_tree.query(pts, predicate="intersects")
            first_src = pd.Series(qs).groupby(qb).first()
            both = first_cell.index.intersection(first_src.index)
            bf = pd.DataFrame({"src": first_src[both].to_numpy(),
                               "cell": first_cell[both].to_numpy(),
                               "floor": res[both.to_numpy()]})
            bf = bf.groupby(["src", "cell"], as_index=False)["floor"].sum()
            merged = pairs.merge(bf, on=["src", "cell"], how="left")
            floor = merged["floor"].fillna(0.0).to_numpy()
    pairs["floor_m2"] = floor
    src_floor = np.bincount(pairs["src"], weights=floor, minlength=n_src)
    has_floor = src_floor > 0
    s = pairs["src"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        dasy = inside_share[s] * floor / src_floor[s]
        by_area = pairs["piece_m2"].to_numpy() / src_area[s]
    pairs["share"] = np.where(has_floor[s], dasy, by_area)
    return pairs, inside_share, has_floor


def _check_counts(values: pd.DataFrame, kinds: Mapping[str, str], codes, what: str) -> None:
    for c, k in kinds.items():
        if k != COUNT:
            continue
        neg = values[c].to_numpy() < 0
        if neg.any():
            bad = list(np.asarray(codes)[neg][:5])
            raise GeoplanError(
                f"{what}: column {c!r} is a count but has negative values (areas {bad}); fix the "
                "table, or pass kinds={...: 'rate'} if it is not a count"
            )


def _spread(
    cells, pairs: pd.DataFrame, values: pd.DataFrame, kinds: Mapping[str, str],
    weights: Mapping[str, str | None],
) -> pd.DataFrame:
    """Per-cell counts (sums) and rates (weighted means) from per-source values."""
    n = len(cells)
    s, c, share = pairs["src"].to_numpy(), pairs["cell"].to_numpy(), pairs["share"].to_numpy()
    out = {}
    for col, kind in kinds.items():
        v = values[col].to_numpy(dtype=float)[s]
        if kind == COUNT:
            ok = ~np.isnan(v)
            tot = np.bincount(c[ok], weights=share[ok] * v[ok], minlength=n)
            touched = np.bincount(c[ok], minlength=n) > 0
            out[col] = np.where(touched | (np.bincount(c, minlength=n) == 0), tot, np.nan)
        else:
            wcol = weights.get(col)
            w = share * (values[wcol].to_numpy(dtype=float)[s] if wcol else 1.0)
            ok = ~np.isnan(v) & ~np.isnan(w) & (w > 0)
            num = np.bincount(c[ok], weights=w[ok] * v[ok], minlength=n)
            den = np.bincount(c[ok], weights=w[ok], minlength=n)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[col] = np.where(den > 0, num / den, np.nan)
    return pd.DataFrame(out, index=cells.index)


def allocate_area_table(
    cells,
    areas,
    table: pd.DataFrame,
    *,
    area_key: str = "id",
    buildings=None,
    study_area=None,
    kinds: Mapping[str, str] | None = None,
    rule: ResidentialRule | None = None,
    progress: Progress | None = None,
) -> tuple[gpd.GeoDataFrame, PopulationReport]:
    """Allocate every column of an area table to grid cells (counts summed, rates averaged).

    Parameters
    ----------
    cells
        Grid from :func:`geoplan.grid.make_grid`.
    areas
        Area polygons (any CRS) with their code in ``area_key``.
    table
        Area table from :mod:`geoplan.sources.stats` (metadata in ``attrs``).
    area_key
        Code column of ``areas``.
    buildings
        Optional buildings (``floor_area_m2``, ``use``) for dasymetric allocation.
    study_area
        Optional polygon limiting the domain (see the module doc).
    kinds
        Override the table's count/rate classification.
    rule
        Residential floor-area rule.
    progress
        Progress sink.

    Returns
    -------
    (geopandas.GeoDataFrame, PopulationReport)
        The cells with one column per table column, and a report whose totals refer to the
        table's population column (or its first count column).
    """
    _check_cells(cells)
    report(progress, 0.0, "joining the area table to the polygons")
    kinds = column_kinds(table, kinds)
    joined, join = join_area_table(areas, table, area_key=area_key)
    joined = joined[joined[area_key].astype(str).str.strip().isin(table.index.astype(str))]
    joined = to_crs(joined, cells.crs, "the area polygons")
    codes = joined[area_key].astype(str).to_numpy()
    values = pd.DataFrame({c: joined[c].to_numpy(dtype=float) for c in table.columns})
    _check_counts(values, kinds, codes, "area table")
    report(progress, 0.2, "intersecting areas with cells")
    pairs, inside_share, has_floor = _allocation_shares(
        cells, joined.geometry.values, buildings=buildings, study_area=study_area, rule=rule
    )
    report(progress, 0.8, "allocating")
    weights = {c: w for c, w in table.attrs.get("weights", {}).items() if c in kinds}
    pop_col = table.attrs.get("population_column")
    for c, k in kinds.items():
        if k == RATE and weights.get(c) not in kinds:
            weights[c] = pop_col if pop_col in kinds else None
    out = cells.copy()
    spread = _spread(cells, pairs, values, kinds, weights)
    for c in spread.columns:
        out[c] = spread[c]
    ref = pop_col if pop_col in kinds else next((c for c, k in kinds.items() if k == COUNT), None)
    rep = _report(
        "statistics", codes, values[ref].to_numpy() if ref else np.zeros(len(codes)),
        spread[ref].sum() if ref else 0.0, pairs, inside_share,
        has_floor if buildings is not None else None,
        notes=(join.summary(),),
    )
    out.attrs["pop_report"] = rep
    report(progress, 1.0, rep.summary())
    return out, rep


def _report(source, codes, pop, allocated, pairs, inside_share, has_floor, notes=()):
    touched = np.zeros(len(codes), dtype=bool)
    touched[pairs["src"].to_numpy()] = True
    pop = np.nan_to_num(np.asarray(pop, dtype=float))
    partial = touched & (inside_share < 1 - 1e-9)
    part_df = pd.DataFrame({
        "code": np.asarray(codes)[partial],
        "share_inside": inside_share[partial],
        "pop_not_allocated": pop[partial] * (1 - inside_share[partial]),
    })
    area_weighted = ()
    if has_floor is not None:
        area_weighted = tuple(str(c) for c in np.asarray(codes)[touched & ~has_floor])
    return PopulationReport(
        pop_source=source,
        source_total=float(pop[touched].sum()),
        allocated_total=float(allocated),
        areas_inside=int((touched & ~partial).sum()),
        partial_areas=part_df,
        area_weighted=area_weighted,
        notes=tuple(notes),
    )


def _with_pop(out: gpd.GeoDataFrame, pop: pd.Series, source: str) -> gpd.GeoDataFrame:
    out["pop"] = pop.fillna(0.0).astype(float)
    out["pop_source"] = source
    return out


def population_from_stats(
    cells,
    areas,
    table: pd.DataFrame,
    *,
    area_key: str = "id",
    pop_column: str | None = None,
    buildings=None,
    study_area=None,
    kinds: Mapping[str, str] | None = None,
    rule: ResidentialRule | None = None,
    progress: Progress | None = None,
) -> gpd.GeoDataFrame:
    """Population (and the table's other columns) per cell from area statistics.

    Parameters
    ----------
    cells, areas, table, area_key, buildings, study_area, kinds, rule, progress
        As in :func:`allocate_area_table`.
    pop_column
        Column holding the number of residents; default ``table.attrs['population_column']``
        (``population`` / ``pop_total`` in the known SCB tables).

    Returns
    -------
    geopandas.GeoDataFrame
        The cells with ``pop``, ``pop_source='statistics'`` and the table's columns;
        ``attrs['pop_report']`` is a :class:`PopulationReport`.

    Examples
    --------
    >>> from shapely import box
    >>> from geoplan.grid import make_grid
    >>> cells = make_grid(box(0, 0, 200, 100), "EPSG:3006")
    >>> areas = gpd.GeoDataFrame({"id": ["A"]}, geometry=[box(0, 0, 200, 100)], crs=3006)
    >>> table = pd.DataFrame({"population": [100.0]}, index=["A"])
    >>> population_from_stats(cells, areas, table)["pop"].tolist()
    [50.0, 50.0]
    """
    if pop_column is not None and pop_column not in table.columns:
        raise ConfigError(
            f"pop_column {pop_column!r} is not a column of the table: {list(table.columns)}"
        )
    pop_column = pop_column or table.attrs.get("population_column")
    if pop_column is None:
        pop_column = next(
            (c for c in ("population", "pop", "pop_total") if c in table.columns), None
        )
    if pop_column is None:
        raise ConfigError(
            f"the table has no population column (columns: {list(table.columns)}): pass "
            "pop_column=, or combine it with a population table "
            "(geoplan.sources.stats.combine_area_tables)"
        )
    table = table.copy()
    table.attrs = {**table.attrs, "population_column": pop_column}
    kinds = {**column_kinds(table, kinds), pop_column: COUNT}
    out, rep = allocate_area_table(
        cells, areas, table, area_key=area_key, buildings=buildings, study_area=study_area,
        kinds=kinds, rule=rule, progress=progress,
    )
    codes = areas[area_key].astype(str).str.strip()
    valued = pd.Index(table.index.astype(str).str.strip())[table[pop_column].notna().to_numpy()]
    near = to_crs(areas, cells.crs, "the area polygons").intersects(
        shapely.box(*cells.total_bounds)).to_numpy()
    if near.any() and not codes[near].isin(valued).any():
        raise GeoplanError(
            f"no area in the study area has a value for {pop_column!r} (every matching row is "
            "empty or SCB's '..' / '.' = not available): use a table with population numbers, or "
            "the population grid or buildings as [population] source"
        )
    out = _with_pop(out, out[pop_column], "statistics")
    missing = codes.isin(table.index[table[pop_column].isna()].astype(str))
    if missing.any():
        note = (f"{int(missing.sum())} areas have no value for {pop_column!r} (e.g. SCB '..'): "
                "they add no population")
        rep = replace(rep, notes=(*rep.notes, note))
    out.attrs["pop_report"] = rep
    return out


# --------------------------------------------------------------------------------------------
# population grids


def _read_raster_cells(path: Path, cells, band: int) -> gpd.GeoDataFrame:
    import rasterio
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window, from_bounds

    try:
        src = rasterio.open(path)
    except Exception as exc:
        raise InputFileError(f"population raster '{path.name}' is not readable: {exc}") from exc
    with src:
        if src.crs is None:
            raise InputFileError(
                f"population raster '{path.name}' has no CRS: assign one (gdal_edit.py -a_srs)"
            )
        b = transform_bounds(cells.crs, src.crs, *cells.total_bounds, densify_pts=21)
        w = from_bounds(*b, transform=src.transform)
        c0, r0 = max(int(np.floor(w.col_off)), 0), max(int(np.floor(w.row_off)), 0)
        c1 = min(int(np.ceil(w.col_off + w.width)), src.width)
        r1 = min(int(np.ceil(w.row_off + w.height)), src.height)
        if c1 <= c0 or r1 <= r0:
            raise InputFileError(
                f"population raster '{path.name}' does not overlap the grid: check its CRS"
            )
        win = Window(c0, r0, c1 - c0, r1 - r0)
        data = src.read(band, window=win, masked=True).astype(float)
        t = src.window_transform(win)
        crs = src.crs
    vals = data.filled(np.nan)
    rows, cols = np.nonzero(~np.isnan(vals) & (vals != 0))
    v = vals[rows, cols]
    corners = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    xy = np.stack(
        [np.stack([t.a * (cols + dc) + t.b * (rows + dr) + t.c,
                   t.d * (cols + dc) + t.e * (rows + dr) + t.f], axis=-1)
         for dc, dr in corners],
        axis=1,
    )
    geoms = shapely.polygons(xy)
    return gpd.GeoDataFrame({"population": v}, geometry=geoms, crs=crs)


def _read_population_grid(source, cells, value_column: str, band: int) -> gpd.GeoDataFrame:
    if isinstance(source, gpd.GeoDataFrame):
        return source
    path = Path(source)
    if not path.exists():
        raise InputFileError(f"population grid '{path}' not found: check the path")
    if path.suffix.lower() in (".tif", ".tiff", ".vrt", ".asc"):
        g = _read_raster_cells(path, cells, band)
        return g.rename(columns={"population": value_column})
    from .sources.area import read_layer_file

    return read_layer_file(path, "population grid", fix="give a population grid GDAL reads "
                           "(a GeoPackage or shapefile of cells, or a GeoTIFF)")


def population_from_grid(
    cells,
    source,
    *,
    value_column: str = "population",
    buildings=None,
    study_area=None,
    rule: ResidentialRule | None = None,
    band: int = 1,
    progress: Progress | None = None,
) -> gpd.GeoDataFrame:
    """Population per cell from a population grid of any cell size and CRS.

    Parameters
    ----------
    cells
        Grid from :func:`geoplan.grid.make_grid`.
    source
        GeoDataFrame of grid polygons, a vector file (``.gpkg``, ``.shp``, ``.geojson``) or a
        GeoTIFF (persons per pixel; nodata and 0 pixels are skipped).
    value_column
        Column with persons per source cell (vector sources).
    buildings
        Optional buildings: allocate within each source cell through residential floor area.
    study_area, rule, progress
        As in :func:`population_from_stats`.
    band
        Raster band to read.

    Returns
    -------
    geopandas.GeoDataFrame
        The cells with ``pop`` and ``pop_source='grid'``; ``attrs['pop_report']``.

    Examples
    --------
    >>> from shapely import box
    >>> from geoplan.grid import make_grid
    >>> cells = make_grid(box(0, 0, 200, 100), "EPSG:3067")
    >>> src = gpd.GeoDataFrame({"population": [80.0]}, geometry=[box(50, 0, 250, 100)],
    ...                        crs=3067)
    >>> population_from_grid(cells, src, study_area=box(0, 0, 200, 100))["pop"].tolist()
    [20.0, 40.0]
    """
    _check_cells(cells)
    report(progress, 0.0, "reading the population grid")
    src = _read_population_grid(source, cells, value_column, band)
    if value_column not in src.columns:
        raise ConfigError(
            f"the population grid has no column {value_column!r}; its columns are "
            f"{[c for c in src.columns if c != src.geometry.name]}: pass value_column="
        )
    src = to_crs(src, cells.crs, "the population grid")
    vals = pd.to_numeric(src[value_column], errors="coerce")
    if (vals < 0).any():
        raise GeoplanError(
            f"the population grid has {int((vals < 0).sum())} cells with negative population "
            f"in {value_column!r}: fix the source (nodata values are often -1 or -9999)"
        )
    values = pd.DataFrame({"pop": vals.to_numpy(dtype=float)})
    report(progress, 0.3, "intersecting source cells with cells")
    pairs, inside_share, has_floor = _allocation_shares(
        cells, src.geometry.values, buildings=buildings, study_area=study_area, rule=rule
    )
    spread = _spread(cells, pairs, values, {"pop": COUNT}, {})
    out = _with_pop(cells.copy(), spread["pop"], "grid")
    codes = src.index.astype(str).to_numpy()
    rep = _report("grid", codes, values["pop"].to_numpy(), out["pop"].sum(), pairs,
                  inside_share, has_floor if buildings is not None else None)
    out.attrs["pop_report"] = rep
    report(progress, 1.0, rep.summary())
    return out


# --------------------------------------------------------------------------------------------
# buildings alone


def population_from_buildings(
    cells,
    buildings,
    *,
    persons_per_m2: float = PERSONS_PER_M2,
    rule: ResidentialRule | None = None,
    study_area=None,
) -> gpd.GeoDataFrame:
    """Estimate population per cell from residential floor area alone.

    ``pop = residential floor area of the buildings whose representative point is in the cell x
    persons_per_m2``. Use only when no statistics or population grid exist; the result is
    labelled ``pop_source='buildings_estimate'``.

    Parameters
    ----------
    cells
        Grid from :func:`geoplan.grid.make_grid`.
    buildings
        Buildings with ``floor_area_m2`` and ``use`` (see :mod:`geoplan.types`).
    persons_per_m2
        Persons per m² of residential floor area; default :data:`PERSONS_PER_M2` (1/42, SCB).
    rule
        Residential floor-area rule (:class:`ResidentialRule`).
    study_area
        Optional polygon: buildings outside it are not counted.

    Examples
    --------
    >>> from shapely import box
    >>> from geoplan.grid import make_grid
    >>> cells = make_grid(box(0, 0, 200, 100), "EPSG:3006")
    >>> b = gpd.GeoDataFrame({"use": ["residential"], "floor_area_m2": [420.0]},
    ...                      geometry=[box(10, 10, 30, 30)], crs=3006)
    >>> population_from_buildings(cells, b)["pop"].round(6).tolist()
    [10.0, 0.0]
    """
    _check_cells(cells)
    if not persons_per_m2 > 0:
        raise ConfigError(f"persons_per_m2 must be > 0, got {persons_per_m2}")
    rule = rule or ResidentialRule()
    pop = np.zeros(len(cells))
    total = 0.0
    if buildings is not None and len(buildings):
        pts, res = _building_points(buildings, cells.crs, rule)
        total = float(res.sum() * persons_per_m2)
        if len(pts):
            tree = shapely.STRtree(_domain_cells(cells, study_area))
            pb, pc = tree.query(pts, predicate="intersects")
            first = pd.Series(pc).groupby(pb).first()
            pop = np.bincount(first.to_numpy(), weights=res[first.index.to_numpy()],
                              minlength=len(cells)) * persons_per_m2
    out = _with_pop(cells.copy(), pd.Series(pop, index=cells.index), "buildings_estimate")
    out.attrs["pop_report"] = PopulationReport(
        pop_source="buildings_estimate", source_total=total, allocated_total=float(pop.sum()),
        notes=(f"{persons_per_m2:.5f} persons per m² of residential floor area "
               f"(1/{1 / persons_per_m2:.1f}); {rule}",),
    )
    return out


def cell_population(
    cells,
    *,
    areas=None,
    table: pd.DataFrame | None = None,
    population_grid=None,
    buildings=None,
    area_key: str = "id",
    study_area=None,
    rule: ResidentialRule | None = None,
    persons_per_m2: float = PERSONS_PER_M2,
    progress: Progress | None = None,
) -> gpd.GeoDataFrame:
    """Population per cell from the best source given: statistics > grid > buildings.

    Examples
    --------
    >>> from shapely import box
    >>> from geoplan.grid import make_grid
    >>> cell_population(make_grid(box(0, 0, 100, 100), "EPSG:3006"))
    Traceback (most recent call last):
    ...
    geoplan.errors.ConfigError: no population source: give areas= and table= (area statistics), population_grid= or buildings=
    """
    if (areas is None) != (table is None):
        raise ConfigError("area statistics need both areas= (polygons) and table=")
    if areas is not None:
        return population_from_stats(cells, areas, table, area_key=area_key, buildings=buildings,
                                     study_area=study_area, rule=rule, progress=progress)
    if population_grid is not None:
        return population_from_grid(cells, population_grid, buildings=buildings,
                                    study_area=study_area, rule=rule, progress=progress)
    if buildings is not None:
        return population_from_buildings(cells, buildings, persons_per_m2=persons_per_m2,
                                         rule=rule, study_area=study_area)
    raise ConfigError(
        "no population source: give areas= and table= (area statistics), population_grid= or "
        "buildings="
    )
