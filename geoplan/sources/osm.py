"""Read an OpenStreetMap extract offline (``.osm.pbf``, ``.osm``, ``.osm.bz2``) into
:class:`geoplan.types.OsmData`: walkable ways, street lamps, green spaces, destinations and
buildings as GeoDataFrames in a metric CRS, clipped to a study area.

pyosmium does the heavy lifting in C++ (node location index, multipolygon assembly, tag-key
pre-filter); the tag rules are in :mod:`geoplan.sources.osm_tags`. Clipped extracts are normal:
way node references to nodes absent from the file are dropped and the way is split there, so no
straight segment ever bridges a gap.

Example
-------
>>> from geoplan.datasets import demo_extract
>>> data = read_osm(demo_extract())
>>> data.crs.to_epsg(), len(data.lamps)
(3067, 586)
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from ..crs import choose_crs, country_code
from ..errors import AreaError, InputFileError, OSMDataError
from ..progress import Progress, report
from ..types import OsmData
from . import osm_tags as T
from .area import AreaLike, read_area

__all__ = ["MAX_AREA_OUTSIDE_SHARE", "OSM_SUFFIXES", "area_outside_share", "extract_bounds",
           "context_layers", "read_context", "read_osm", "sea_from_coastline"]

OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".osm.xml")
_WAY_KEEP = ("highway", "name", "lit", "tunnel", "covered", "bridge", "surface", "width", "foot",
             "layer", "sidewalk", "footway", "crossing", "incline", "wheelchair", "indoor", "level")
_BYTES_PER_OBJECT = {"pbf": 12.0, "xml": 110.0, "bz2": 9.0, "gz": 12.0}
#: A study area with more than this share of its surface beyond the bounds the extract
#: declares is refused: outside them there is no data, and "nothing reachable" would be wrong.
MAX_AREA_OUTSIDE_SHARE = 0.5


def _check_path(path) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputFileError(
            f"OSM file {str(p)!r} does not exist: check the path, or run `geoplan demo` to use the "
            "embedded Helsinki extract"
        )
    if p.is_dir():
        raise InputFileError(f"{str(p)!r} is a folder: give an OSM file (.osm.pbf, .osm, .osm.bz2)")
    name = p.name.lower()
    if not name.endswith(OSM_SUFFIXES):
        raise InputFileError(
            f"{p.name!r} is not an OSM extract by its name: geoplan reads .osm.pbf, .osm and "
            ".osm.bz2 files (download one from Geofabrik or BBBike, or export from JOSM)"
        )
    if p.stat().st_size == 0:
        raise OSMDataError(f"OSM file {str(p)!r} is empty (0 bytes): download or export it again")
    return p


def _osmium_error(p: Path, exc: Exception) -> OSMDataError:
    return OSMDataError(
        f"cannot read {p.name!r} as OpenStreetMap data ({exc}). The file is corrupt, truncated or "
        "not OSM: download it again, or check it with `osmium fileinfo`"
    )


def extract_bounds(path) -> tuple[float, float, float, float] | None:
    """Bounding box ``(minlon, minlat, maxlon, maxlat)`` declared in the file header, if any."""
    import osmium

    p = _check_path(path)
    try:
        reader = osmium.io.Reader(str(p), osmium.osm.osm_entity_bits.NOTHING)
        try:
            b = reader.header().box()
        finally:
            reader.close()
    except RuntimeError as exc:
        raise _osmium_error(p, exc) from exc
    if not b.valid():
        return None
    return (b.bottom_left.lon, b.bottom_left.lat, b.top_right.lon, b.top_right.lat)


class _Collector:
    """Collects raw records from one pyosmium pass (tags as plain dicts)."""

    def __init__(self) -> None:
        self.lamp_nodes: list[tuple[int, float, float]] = []
        self.poi_nodes: list[tuple[int, float, float, dict]] = []
        self.ways: list[tuple[int, dict, list[tuple[int, float, float]]]] = []
        self.areas: list[tuple[int, str, dict, str]] = []  # (orig_id, 'w'/'r', tags, wkb hex)
        #: walkable only by the country's rule (a cycleway without ``foot``)
        self.default_ways: list[tuple[int, dict, list[tuple[int, float, float]]]] = []
        #: multipolygon relations of areas geoplan reads: id -> (tags, [(member way, role)])
        self.area_relations: dict[int, tuple[dict, list[tuple[int, str]]]] = {}
        self.notes: Counter = Counter()


def _collect(p: Path, progress: Progress | None) -> _Collector:
    import osmium

    col = _Collector()
    wkb = osmium.geom.WKBFactory()
    kind = "pbf" if p.name.lower().endswith(".pbf") else p.suffix.lower().lstrip(".")
    est_total = max(p.stat().st_size / _BYTES_PER_OBJECT.get(kind, 110.0), 1.0)
    keys = T.KEYS_OF_INTEREST
    fp = (
        osmium.FileProcessor(str(p))
        .with_locations()
        .with_areas(osmium.filter.KeyFilter(*keys))
        .with_filter(osmium.filter.KeyFilter(*keys))
    )
    n = 0
    try:
        for obj in fp:
            n += 1
            if n % 20000 == 0:
                report(progress, min(0.95, n / est_total), f"reading {p.name}: {n:,} objects")
            tags = dict(obj.tags)
            if obj.id < 0 and not obj.is_way():
                col.notes["negative_ids"] += 1
            if obj.is_node():
                loc = obj.location
                if not loc.valid():
                    continue
                if T.is_street_lamp(tags):
                    col.lamp_nodes.append((obj.id, loc.lon, loc.lat))
                elif T.destination_categories(tags):
                    col.poi_nodes.append((obj.id, loc.lon, loc.lat, tags))
            elif obj.is_way():
                _collect_way(col, obj, tags)
            elif obj.is_area():
                _collect_area(col, obj, tags, wkb)
            elif obj.is_relation() and _is_area_relation(tags):
                col.area_relations[obj.id] = (tags, [(m.ref, m.role) for m in obj.members
                                                     if m.type == "w"])
    except RuntimeError as exc:
        raise _osmium_error(p, exc) from exc
    _refuse_negative_ids(p, col.notes.get("negative_ids", 0))
    if n == 0:
        raise OSMDataError(
            f"{p.name!r} contains no OSM objects with the tags geoplan reads (streets, buildings, "
            "amenities): is it the right extract, and does it cover a built-up area?"
        )
    col.notes["objects_read"] = n
    assembled = {oid for oid, kind, _, _ in col.areas if kind == "r"}
    cut = {r: v for r, v in col.area_relations.items() if r not in assembled}
    if cut:
        _cut_relations(p, col, cut)
    return col


def _reads_area(tags) -> bool:
    return bool(T.green_kind(tags) or T.building_use(tags) or T.destination_categories(tags))


def _is_area_relation(tags) -> bool:
    return tags.get("type") in ("multipolygon", "boundary") and _reads_area(tags)


def _collect_area(col: _Collector, obj, tags: dict, wkb) -> None:
    """A green space, building or destination polygon osmium assembled."""
    if not _reads_area(tags):
        return
    try:
        geom = wkb.create_multipolygon(obj)
    except RuntimeError:
        col.notes["areas_not_assembled"] += 1
        return
    col.areas.append((obj.orig_id(), "w" if obj.from_way() else "r", tags, geom))


def _collect_way(col: _Collector, obj, tags: dict) -> None:
    """A walkable way (with its nodes, NaN where the file lacks one); a way of the
    country-dependent rule (a cycleway without ``foot``) kept aside until the country is
    known; other ways: :func:`_collect_other_way`."""
    hw = tags.get("highway")
    if hw is None:
        _collect_other_way(col, obj, tags)
        return
    by_default = False
    if T.is_walkable(tags, cycleway_foot_default=True):
        _line_destination(col, obj, tags)  # e.g. a platform mapped as a footway
    if not T.is_walkable(tags):
        if not T.is_walkable(tags, cycleway_foot_default=True):
            col.notes[f"highway_not_walked:{hw}"] += 1
            _line_destination(col, obj, tags)  # e.g. a platform: a destination, not a path
            return
        by_default = True
    nodes = _way_nodes(col, obj)
    kept = {k: tags[k] for k in _WAY_KEEP if k in tags}
    (col.default_ways if by_default else col.ways).append((obj.id, kept, nodes))


def _way_nodes(col: _Collector, obj) -> list[tuple[int, float, float]]:
    """``(id, lon, lat)`` of the way's nodes in one pass (NaN where the file lacks the node);
    missing nodes and negative ids are counted in ``col.notes``."""
    nodes = []
    missing, low = 0, obj.id
    for nd in obj.nodes:
        loc, ref = nd.location, nd.ref
        low = min(low, ref)
        if loc.valid():
            nodes.append((ref, loc.lon, loc.lat))
        else:
            nodes.append((ref, np.nan, np.nan))
            missing += 1
    if missing:
        col.notes["way_node_refs_missing"] += missing
    if low < 0:
        col.notes["negative_ids"] += 1
    return nodes


def _valid_lonlat(nodes) -> list[tuple[float, float]]:
    """``(lon, lat)`` of the way nodes the file has a location for, in one pass."""
    out = []
    for nd in nodes:
        loc = nd.location
        if loc.valid():
            out.append((loc.lon, loc.lat))
    return out


def _collect_other_way(col: _Collector, obj, tags: dict) -> None:
    """A way osmium cannot make an area of: a destination mapped as a line (a platform along
    a track: kept at the middle of the line), or a closed outline cut by the extract's edge
    (closed through the nodes the file has; dropped when fewer than 3 remain)."""
    if not _reads_area(tags) or _line_destination(col, obj, tags):
        return
    lonlat = _valid_lonlat(obj.nodes)
    if len(lonlat) == len(obj.nodes):
        return  # complete: osmium assembled it (or reported it as not assembled)
    ring = list(dict.fromkeys(lonlat))
    if len(ring) < 3:
        col.notes["areas_cut_by_extract_dropped"] += 1
        return
    poly = _polygonal(shapely.make_valid(shapely.Polygon(ring)))
    if poly is None:
        col.notes["areas_cut_by_extract_dropped"] += 1
        return
    col.areas.append((obj.id, "w", tags, shapely.to_wkb(poly, hex=True)))
    col.notes["areas_cut_by_extract_kept"] += 1


def _read_region(area_wgs, tf: Transformer, buffer_m: float):
    """``(area, region read)`` in metres: the study area and it buffered by ``buffer_m`` (both
    None for the whole extract)."""
    if area_wgs is None:
        return None, None
    area_m = _project(area_wgs, tf)
    read_poly = area_m.buffer(buffer_m) if buffer_m > 0 else area_m
    shapely.prepare(read_poly)
    return area_m, read_poly


def _apply_cycleway_rule(col: _Collector, walkable: bool | None, lon: float, lat: float) -> None:
    """Walk on the cycleways without ``foot`` (kept aside while reading) or leave them out;
    ``walkable`` None: by the country at ``(lon, lat)``."""
    if walkable is None:
        walkable = T.cycleways_walkable(country_code(lon, lat))
    n = len(col.default_ways)
    if walkable:
        col.ways.extend(col.default_ways)
    if n:
        col.notes["cycleways_without_foot_walked" if walkable else "highway_not_walked:cycleway"] += n
    col.default_ways = []


def _line_destination(col: _Collector, obj, tags: dict) -> bool:
    """Whether the way is open (not an outline); if it is a destination (a platform along a
    track), it is kept at the middle of the line."""
    nodes = obj.nodes
    if len(nodes) > 3 and nodes.ends_have_same_id():
        return False
    if not T.destination_categories(tags):
        return True
    lonlat = _valid_lonlat(nodes)
    if len(lonlat) >= 2:
        mid = shapely.LineString(lonlat).interpolate(0.5, normalized=True)
        col.areas.append((obj.id, "w", tags, shapely.to_wkb(mid, hex=True)))
        col.notes["destinations_mapped_as_lines"] += 1
    return True


def _cut_relations(p: Path, col: _Collector, cut: dict) -> None:
    """Multipolygon relations osmium could not close (members cut by the extract's edge): each
    closed member way is closed through the nodes the file has, outers minus inners; relations
    with an open or missing member, or nothing left, are dropped (counted)."""
    import osmium

    need = {w for _, members in cut.values() for w, _ in members}
    rings = {}
    fp = (osmium.FileProcessor(str(p), osmium.osm.NODE | osmium.osm.WAY).with_locations()
          .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
          .with_filter(osmium.filter.IdFilter(need)))
    for w in fp:
        refs = [nd.ref for nd in w.nodes]
        pts = list(dict.fromkeys((nd.location.lon, nd.location.lat) for nd in w.nodes
                                 if nd.location.valid()))
        if len(refs) > 3 and refs[0] == refs[-1] and len(pts) >= 3:
            rings[w.id] = shapely.make_valid(shapely.Polygon(pts))
    for rid, (tags, members) in cut.items():
        if not members or any(w not in rings for w, _ in members):
            col.notes["areas_cut_by_extract_dropped"] += 1
            continue
        outer = shapely.union_all([rings[w] for w, role in members if role != "inner"])
        inner = shapely.union_all([rings[w] for w, role in members if role == "inner"])
        poly = _polygonal(shapely.difference(outer, inner))
        if poly is None:
            col.notes["areas_cut_by_extract_dropped"] += 1
            continue
        col.areas.append((rid, "r", tags, shapely.to_wkb(poly, hex=True)))
        col.notes["areas_cut_by_extract_kept"] += 1


def _polygonal(geom):
    """The polygons of ``geom`` as one geometry, None when it has no area."""
    parts = shapely.get_parts(geom)
    poly = shapely.union_all(parts[np.isin(shapely.get_type_id(parts), [3, 6])])
    return None if poly.is_empty or poly.area == 0 else poly


def _refuse_negative_ids(p: Path, n: int) -> None:
    """Objects with negative ids are new objects saved from JOSM and never uploaded: node
    location indexes hold positive ids only, so their ways would have no coordinates."""
    if n:
        raise OSMDataError(
            f"{p.name!r} holds {n} objects with negative ids: new objects saved from JOSM that "
            "were never uploaded to OpenStreetMap, whose ways geoplan cannot place. Upload the "
            "changes and download the area again, or give the objects positive ids (`osmium "
            "renumber` from osmium-tool) and use the renumbered file"
        )


def _centre_lonlat(area_wgs, path: Path, col: _Collector) -> tuple[float, float]:
    if area_wgs is not None:
        c = area_wgs.centroid
        return c.x, c.y
    b = extract_bounds(path)
    if b is not None:
        return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    coords = [xy for _, _, nodes in col.ways for _, *xy in nodes if not np.isnan(xy[0])]
    if not coords:
        raise OSMDataError(f"{path.name!r} has no walkable ways with coordinates")
    arr = np.asarray(coords)
    return float(np.nanmean(arr[:, 0])), float(np.nanmean(arr[:, 1]))


def _project(geom, tf: Transformer):
    """A shapely geometry transformed with ``tf`` (lon/lat -> metres)."""
    return shapely.transform(geom, lambda xy: np.column_stack(tf.transform(xy[:, 0], xy[:, 1])))


def _ways_frame(col: _Collector, tf: Transformer, read_poly, crs) -> gpd.GeoDataFrame:
    """Walkable ways as LineStrings, split where nodes are missing or far outside the area."""
    refs, x, y, way = _way_arrays(col.ways, tf)
    kept, piece = _kept_pieces(x, y, way, read_poly)
    first = np.flatnonzero(np.r_[True, piece[1:] != piece[:-1]]) if len(kept) else kept
    underground = [T.is_underground(tags) for _, tags, _ in col.ways]
    rows = []
    for w, ids in zip(way[kept[first]], np.split(refs[kept], first[1:]), strict=True):
        wid, tags, _ = col.ways[w]
        rows.append({"osm_id": wid, **tags, "underground": underground[w],
                     "node_ids": tuple(ids.tolist())})
    geoms = shapely.linestrings(np.column_stack([x[kept], y[kept]]), indices=piece) \
        if len(kept) else []
    df = pd.DataFrame(rows)
    for k in ("highway", "name", "lit", "tunnel", "covered", "bridge", "surface", "width", "foot"):
        if k not in df:
            df[k] = None
    if "underground" not in df:
        df["underground"] = False
    df = df.rename(columns={"lit": "lit_tag"})
    df["tunnel"] = [
        (t not in (None, "no") and not pd.isna(t)) or c == "yes"
        for t, c in zip(df["tunnel"], df["covered"], strict=True)
    ]
    df["bridge"] = [(b not in (None, "no") and not pd.isna(b)) for b in df["bridge"]]
    df = df.drop(columns=["covered"])
    return gpd.GeoDataFrame(df, geometry=geoms, crs=crs)


def _way_arrays(ways, tf: Transformer):
    """All way nodes in one go: OSM ids, projected x and y (NaN where the file lacks the
    node) and the way (position in ``ways``) of each."""
    counts = np.fromiter((len(nodes) for _, _, nodes in ways), np.int64, count=len(ways))
    flat = itertools.chain.from_iterable(nodes for _, _, nodes in ways)
    arr = np.array(list(flat), dtype=object).reshape(-1, 3)
    refs = arr[:, 0].astype(np.int64)
    x, y = tf.transform(arr[:, 1].astype(float), arr[:, 2].astype(float))
    return refs, np.asarray(x, float), np.asarray(y, float), np.repeat(np.arange(len(ways)),
                                                                       counts)


def _kept_pieces(x, y, way, read_poly) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the nodes kept and the piece (0..k-1) of each: runs of at least two
    consecutive nodes of one way inside the read region (with one neighbour beyond its edge so
    crossing edges stay whole) that the file has locations for."""
    valid = np.isfinite(x) & np.isfinite(y)
    keep = valid
    if read_poly is not None:
        inside = np.zeros(len(x), dtype=bool)
        inside[valid] = shapely.contains_xy(read_poly, x[valid], y[valid])
        same = way[1:] == way[:-1]
        keep = inside.copy()
        keep[1:] |= inside[:-1] & same
        keep[:-1] |= inside[1:] & same
        keep &= valid
    start = keep & np.r_[True, ~keep[:-1] | (way[1:] != way[:-1])]
    run = np.cumsum(start) - 1
    kept = np.flatnonzero(keep)
    size = np.bincount(run[kept], minlength=int(start.sum()))
    kept = kept[size[run[kept]] >= 2]
    _, piece = np.unique(run[kept], return_inverse=True)
    return kept, piece.reshape(-1)


def _points_frame(records, tf, crs, columns) -> gpd.GeoDataFrame:
    if not records:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)
    lon = np.array([r[1] for r in records])
    lat = np.array([r[2] for r in records])
    x, y = tf.transform(lon, lat)
    return gpd.GeoDataFrame({"osm_id": [r[0] for r in records]}, geometry=shapely.points(x, y), crs=crs)


def _areas_frame(col: _Collector, crs) -> gpd.GeoDataFrame:
    if not col.areas:
        return gpd.GeoDataFrame({"osm_id": [], "osm_type": [], "tags": []}, geometry=[], crs=crs)
    geoms = shapely.from_wkb([a[3] for a in col.areas])
    g = gpd.GeoDataFrame(
        {"osm_id": [a[0] for a in col.areas], "osm_type": [a[1] for a in col.areas],
         "tags": [a[2] for a in col.areas]},
        geometry=geoms, crs=4326,
    )
    g = g.to_crs(crs)
    bad = ~g.geometry.is_valid
    if bad.any():
        g.loc[bad, "geometry"] = shapely.make_valid(g.geometry[bad].values)
        col.notes["areas_repaired"] += int(bad.sum())
    return g


def _clip_points(g: gpd.GeoDataFrame, poly) -> gpd.GeoDataFrame:
    if poly is None or len(g) == 0:
        return g.reset_index(drop=True)
    return g[shapely.contains_xy(poly, g.geometry.x.values, g.geometry.y.values)].reset_index(drop=True)


def _clip_polys(g: gpd.GeoDataFrame, poly) -> gpd.GeoDataFrame:
    if poly is None or len(g) == 0:
        return g.reset_index(drop=True)
    g = g[g.intersects(poly)].copy()
    g["geometry"] = g.geometry.intersection(poly)
    g = g[~g.geometry.is_empty & g.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    return g.reset_index(drop=True)


def _polygons(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The polygons of ``areas`` (not the points of destinations mapped as lines)."""
    return areas[areas.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]


def _green(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    areas = _polygons(areas)
    kinds = [T.green_kind(t) for t in areas["tags"]]
    m = np.array([k is not None for k in kinds], dtype=bool)
    g = areas[m].copy()
    g["kind"] = [k for k in kinds if k is not None]
    g["name"] = [t.get("name") for t in g["tags"]]
    g["public"] = [T.green_public(t) for t in g["tags"]]
    g["area_ha"] = g.geometry.area / 10_000.0
    return g[["osm_id", "osm_type", "kind", "name", "public", "area_ha", "geometry"]].reset_index(drop=True)


def _buildings(areas: gpd.GeoDataFrame, default_levels: float) -> gpd.GeoDataFrame:
    areas = _polygons(areas)
    uses = [T.building_use(t) for t in areas["tags"]]
    m = np.array([u is not None for u in uses], dtype=bool)
    b = areas[m].copy()
    b["building"] = [t.get("building") for t in b["tags"]]
    b["use"] = [u for u in uses if u is not None]
    lv = [T.building_levels(t, default_levels) for t in b["tags"]]
    b["levels"] = [x[0] for x in lv]
    b["levels_source"] = [x[1] for x in lv]
    b["height_m"] = pd.array([x[2] for x in lv], dtype="Float64").astype(float)
    b["footprint_m2"] = b.geometry.area
    b["floor_area_m2"] = b["footprint_m2"] * b["levels"]
    cols = ["osm_id", "osm_type", "building", "use", "levels", "levels_source", "height_m",
            "footprint_m2", "floor_area_m2", "geometry"]
    return b[cols].reset_index(drop=True)


def _destinations(col: _Collector, areas: gpd.GeoDataFrame, tf, crs, poly) -> gpd.GeoDataFrame:
    pts = _points_frame(col.poi_nodes, tf, crs, ["osm_id"])
    node_rows = []
    for (oid, _, _, tags), geom in zip(col.poi_nodes, pts.geometry, strict=True):
        for cat in T.destination_categories(tags):
            node_rows.append((oid, "n", cat, tags.get("name"), 0.0, geom))
    area_rows = []
    for oid, otype, tags, geom in zip(areas["osm_id"], areas["osm_type"], areas["tags"],
                                      areas.geometry, strict=True):
        for cat in T.destination_categories(tags):
            area_rows.append((oid, otype, cat, tags.get("name"), geom.area, geom))
    cols = ["osm_id", "osm_type", "category", "name", "footprint_m2", "geometry"]
    nodes = gpd.GeoDataFrame(pd.DataFrame(node_rows, columns=cols), geometry="geometry", crs=crs)
    polys = gpd.GeoDataFrame(pd.DataFrame(area_rows, columns=cols), geometry="geometry", crs=crs)
    if len(nodes) and len(polys):
        # a node inside an area of the same category is the same place mapped twice
        j = gpd.sjoin(nodes, polys[["category", "geometry"]], predicate="within", how="inner")
        dup = j.index[j["category_left"] == j["category_right"]].unique()
        col.notes["destination_nodes_inside_same_area"] += len(dup)
        nodes = nodes.drop(index=dup)
    if len(polys):
        polys = polys.copy()
        polys["geometry"] = polys.geometry.representative_point()
    out = pd.concat([polys, nodes], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=crs)
    return _clip_points(out, poly)


def read_osm(
    path,
    *,
    area: AreaLike = None,
    crs=None,
    buffer_m: float = 0.0,
    default_levels: float = 2.0,
    cycleways_walkable: bool | None = None,
    progress: Progress | None = None,
) -> OsmData:
    """Read an OSM extract into walkable ways, lamps, green spaces, destinations and buildings.

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.
    area
        Study area (see :func:`geoplan.sources.area.read_area`); None means the whole extract.
    crs
        Metric CRS override; by default chosen from the area's country (:func:`geoplan.crs.choose_crs`).
    buffer_m
        Data are read this far beyond the area (the walk network must reach past the boundary
        for people near it); ``OsmData.area`` stays the area itself.
    default_levels
        Levels assumed for buildings with neither ``building:levels`` nor ``height``.
    cycleways_walkable
        Whether a cycleway without ``foot`` is walked on; None: by the area's country
        (:func:`geoplan.sources.osm_tags.cycleways_walkable`); counted in ``notes``.
    progress
        Receives progress reports and may cancel.

    Returns
    -------
    OsmData
        All frames in the chosen CRS; ``notes`` counts what was skipped and why.

    Raises
    ------
    InputFileError, OSMDataError, AreaError, CRSError
        With a message that says how to fix the input.
    """
    p = _check_path(path)
    area_wgs = read_area(area)
    header = extract_bounds(p)
    _check_area_in_extract(area_wgs, header, p)
    report(progress, 0.0, f"reading {p.name}")
    col = _collect(p, progress)
    lon, lat = _centre_lonlat(area_wgs, p, col)
    metric = choose_crs(lon, lat, crs)
    _apply_cycleway_rule(col, cycleways_walkable, lon, lat)
    tf = Transformer.from_crs(CRS.from_epsg(4326), metric, always_xy=True)
    report(progress, 0.96, "building layers")

    area_m, read_poly = _read_region(area_wgs, tf, buffer_m)
    ways = _ways_frame(col, tf, read_poly, metric)
    if len(ways) == 0:
        raise OSMDataError(
            f"{p.name!r} has no walkable ways inside the study area: check that the area lies "
            "in a built-up part of the extract"
        )
    if area_m is None:
        area_m = _whole_extract_area(header, ways, tf)
    areas = _areas_frame(col, metric)
    green = _clip_polys(_green(areas), read_poly)
    green["area_ha"] = green.geometry.area / 10_000.0
    data = OsmData(
        crs=metric,
        area=area_m,
        ways=ways,
        lamps=_osm_lamps(col, tf, metric, read_poly),
        green=green,
        destinations=_destinations(col, areas, tf, metric, read_poly),
        buildings=_clip_polys(_buildings(areas, default_levels), read_poly),
        source=p.name,
        **_context_fields(p, metric, _context_region(read_poly, header, tf)),
        notes=MappingProxyType(dict(col.notes)),
    )
    report(progress, 1.0, "read")
    return data


def _check_area_in_extract(area_wgs, header, p: Path) -> None:
    """The study area must lie in the extract's declared bounds (when it declares them): not
    outside, and at most :data:`MAX_AREA_OUTSIDE_SHARE` of it beyond them."""
    if area_wgs is None or header is None:
        return
    ext = shapely.box(*header)
    where = (f"the study area (bounds {tuple(round(v, 4) for v in area_wgs.bounds)}) lies "
             f"{{}}outside the extract {p.name!r} (bounds {tuple(round(v, 4) for v in header)})")
    if not area_wgs.intersects(ext):
        raise AreaError(where.format("") + ": use an extract that covers the area, or check "
                        "the area's CRS")
    outside = area_outside_share(area_wgs, header)
    if outside > MAX_AREA_OUTSIDE_SHARE:
        raise AreaError(
            where.format(f"{outside:.0%} ") + ", where the file has no streets, homes or "
            "destinations, so most of it would read as 'nothing reachable': use an extract that "
            "covers the whole area (e.g. a larger Geofabrik or BBBike region), or draw the area "
            "inside the extract"
        )


def area_outside_share(area_wgs, bounds) -> float:
    """Share (0..1) of a lon/lat study area that lies outside the ``bounds`` box
    ``(minlon, minlat, maxlon, maxlat)``.

    >>> area_outside_share(shapely.box(0, 0, 4, 1), (1, 0, 4, 1))
    0.25
    """
    a = area_wgs.area
    return float(shapely.difference(area_wgs, shapely.box(*bounds)).area / a) if a > 0 else 0.0


def _whole_extract_area(header, ways, tf):
    """The area of a run over the whole extract: its declared bbox, else the hull of its ways."""
    if header is not None:
        ext = shapely.segmentize(shapely.box(*header), 0.0005)
        return _project(ext, tf)
    hull = shapely.union_all(ways.geometry.values).convex_hull
    return hull if hull.geom_type == "Polygon" else hull.buffer(1.0)


def _osm_lamps(col, tf, metric, read_poly):
    """Street lamps mapped in OSM (nodes :func:`~geoplan.sources.osm_tags.is_street_lamp` accepts)
    within the read region."""
    lamps = _clip_points(_points_frame(col.lamp_nodes, tf, metric, ["osm_id"]), read_poly)
    lamps["lamp_id"] = "osm/n" + lamps["osm_id"].astype(str)
    lamps["source"] = "osm"
    return lamps[["lamp_id", "source", "geometry"]]


# --------------------------------------------------------------------------------------------
# map context: water and place names (a pass of their own, so the main reader stays as it is)
# --------------------------------------------------------------------------------------------
def _context_objects(p: Path) -> tuple[list, list, list]:
    """Water polygons ``(kind, name, wkb)``, coastline runs (lists of lon/lat, split where a
    node is missing) and place nodes ``(name, kind, lon, lat)`` of an extract."""
    import osmium

    wkb = osmium.geom.WKBFactory()
    water, coast, places = [], [], []
    water_tags = tuple(T.WATER_RULES)
    wanted = osmium.filter.TagFilter(*water_tags, ("natural", "coastline"),
                                     *(("place", k) for k in T.PLACE_NAME_KINDS))
    fp = (osmium.FileProcessor(str(p)).with_locations()
          .with_areas(osmium.filter.TagFilter(*water_tags)).with_filter(wanted))
    try:
        for obj in fp:
            if obj.is_node():
                name = T.place_name(obj.tags)
                if name and obj.location.valid():
                    places.append((name, obj.tags.get("place"), obj.location.lon,
                                   obj.location.lat))
            elif obj.is_way() and T.is_coastline(obj.tags):
                run = []
                for nd in obj.nodes:
                    if nd.location.valid():
                        run.append((nd.location.lon, nd.location.lat))
                    elif run:
                        coast.append(run)
                        run = []
                coast.append(run)
            elif obj.is_area() and T.water_kind(obj.tags):
                try:
                    water.append((T.water_kind(obj.tags), obj.tags.get("name"),
                                  wkb.create_multipolygon(obj)))
                except RuntimeError:
                    continue
    except RuntimeError as exc:
        raise _osmium_error(p, exc) from exc
    return water, [c for c in coast if len(c) >= 2], places


def _extend_ends(line, by_m: float):
    """``line`` (open) made longer by ``by_m`` at both ends, straight on from its end segments."""
    xy = shapely.get_coordinates(line)
    if len(xy) < 2 or line.is_closed:
        return line
    ends = []
    for end, prev in ((xy[0], xy[1]), (xy[-1], xy[-2])):
        d = end - prev
        ends.append(end + d / max(float(np.hypot(*d)), 1e-9) * by_m)
    return shapely.LineString(np.vstack([ends[0], xy, ends[1]]))


def sea_from_coastline(lines, region, *, reach_m: float = 200.0) -> list:
    """The parts of ``region`` that a coastline marks as sea (OSM: land left, sea right).

    ``region`` is cut along the coastline lines; each piece is sea when it lies on the lines'
    right, read where the piece borders the coastline (:func:`_sea_side`). An extract cut out of
    the planet ends its coastline a little inside its box: the open ends of the merged lines
    are carried straight on by ``reach_m`` to reach the box's edge. A coastline that still does
    not cross the region cuts nothing: no sea; a line that ends inside a piece says nothing
    about that piece.

    >>> import shapely
    >>> coast = [shapely.LineString([(0, 5), (10, 5)])]  # eastward: sea to the south
    >>> [p.bounds for p in sea_from_coastline(coast, shapely.box(0, 0, 10, 10))]
    [(0.0, 0.0, 10.0, 5.0)]
    >>> cut_off = shapely.LineString([(3, 8), (7, 8)])  # ends inside the land: says nothing
    >>> [p.bounds for p in sea_from_coastline([*coast, cut_off], shapely.box(0, 0, 10, 10))]
    [(0.0, 0.0, 10.0, 5.0)]
    """
    merged = shapely.get_parts(shapely.line_merge(shapely.union_all(list(lines))))
    # GEOS raises a floating-point "invalid" flag inside some valid line/polygon intersections
    # (the central-Helsinki coastline): numpy would print it on stderr as a RuntimeWarning
    with np.errstate(invalid="ignore"):
        parts = [g for g in (shapely.intersection(_extend_ends(ln, reach_m), region)
                             for ln in merged) if not g.is_empty]
    if not parts:
        return []
    faces = list(shapely.get_parts(shapely.polygonize(
        [shapely.union_all([region.boundary, *parts])])))
    if len(faces) < 2:
        return []
    segments = _segments(parts)
    return [face for face in faces if _sea_side(face, segments)]


def _segments(parts: list) -> tuple:
    """The coastline's segments of non-zero length, in order: ``(a, b, length, tree)``, the
    tree an :class:`shapely.STRtree` of their midpoints."""
    xy = [shapely.get_coordinates(g) for part in parts for g in shapely.get_parts(part)]
    a = np.concatenate([c[:-1] for c in xy]) if xy else np.zeros((0, 2))
    b = np.concatenate([c[1:] for c in xy]) if xy else np.zeros((0, 2))
    length = np.hypot(*(b - a).T)
    keep = length > 0
    a, b, length = a[keep], b[keep], length[keep]
    return a, b, length, shapely.STRtree(shapely.points((a + b) / 2))


def _sea_side(face, segments: tuple) -> bool:
    """Whether ``face`` lies on the sea side (right) of the coastline that bounds it.

    The side is read at the longest coastline segment on the face's edge, just to its right:
    a coastline piece that ends inside the face (an extract's cut-off end) bounds nothing and
    says nothing about it; a face no coastline bounds is not sea.
    """
    a, b, length, tree = segments
    edge = face.boundary
    near = np.sort(tree.query(edge, predicate="dwithin", distance=1e-3))
    on = near[shapely.distance(edge, tree.geometries[near]) < 1e-3]
    if not len(on):
        return False
    i = on[np.argmax(length[on])]  # the longest (the first of equals, in coastline order)
    a, b, length = a[i], b[i], length[i]
    d = (b - a) / length
    probe = (a + b) / 2 + min(0.05, length / 10) * np.array([d[1], -d[0]])  # right of it
    return bool(face.contains(shapely.Point(probe)))


def _context_region(read_poly, header, tf: Transformer):
    """Where context is kept: the box around the region read (or the extract's box)."""
    if read_poly is not None:
        return shapely.box(*read_poly.bounds)
    if header is not None:
        return _project(shapely.box(*header), tf).envelope
    return None


def _context_fields(p: Path, crs, region) -> dict:
    """``water`` and ``places`` of :class:`~geoplan.types.OsmData` (:func:`read_context`)."""
    water, places = read_context(p, crs=crs, region=region)
    return {"water": water, "places": places}


def read_context(path, *, crs, region=None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Water areas and place names of an OSM extract, for the maps' context.

    Water: ``natural=water`` (any ``water=*``), ``waterway=riverbank``, ``landuse=reservoir``,
    ``place=sea/bay`` polygons, and the sea that ``natural=coastline`` ways mark
    (:func:`sea_from_coastline`); places: ``place=suburb/neighbourhood/quarter`` nodes with a
    name.

    Parameters
    ----------
    path
        The OSM extract.
    crs
        The metric CRS of the result.
    region
        A polygon in ``crs`` to clip to (and to cut along the coastline); None keeps everything
        (and draws no sea, which needs a region to cut).

    Returns
    -------
    (water, places)
        GeoDataFrames: ``water`` with ``kind``, ``name`` (polygons); ``places`` with ``name``,
        ``kind`` (points).

    Examples
    --------
    >>> from geoplan.datasets import demo_extract
    >>> import shapely
    >>> box = shapely.box(385400, 6671450, 386480, 6673150)  # central Helsinki, EPSG:3067
    >>> water, places = read_context(demo_extract(), crs=3067, region=box)
    >>> sorted(set(water["kind"])), "Kluuvi" in set(places["name"])
    (['sea', 'water'], True)
    """
    p = _check_path(path)
    tf = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_user_input(crs), always_xy=True)
    polys, coast, places = _context_objects(p)
    geoms = [_project(shapely.from_wkb(w), tf) for _, _, w in polys]
    kinds, names = [k for k, _, _ in polys], [n for _, n, _ in polys]
    if region is not None and coast:
        sea = sea_from_coastline([_project(shapely.LineString(c), tf) for c in coast], region)
        geoms, kinds, names = geoms + sea, kinds + ["sea"] * len(sea), names + [None] * len(sea)
    water = gpd.GeoDataFrame({"kind": kinds, "name": names}, geometry=geoms, crs=crs)
    water["geometry"] = shapely.make_valid(water.geometry.values)
    water = _clip_polys(water, region)
    x, y = tf.transform([r[2] for r in places], [r[3] for r in places])
    pts = gpd.GeoDataFrame({"name": [r[0] for r in places], "kind": [r[1] for r in places]},
                           geometry=shapely.points(np.asarray(x), np.asarray(y)), crs=crs)
    return water, _clip_points(pts, region)


def context_layers(data: OsmData) -> dict[str, gpd.GeoDataFrame]:
    """The map-context layers a run keeps of its extract: ``buildings`` (footprints only),
    ``water`` and ``places`` (those read, non-empty).

    >>> import geopandas as gpd, shapely
    >>> b = gpd.GeoDataFrame({"use": ["residential"]}, geometry=[shapely.box(0, 0, 9, 9)], crs=3006)
    >>> data = OsmData(crs=3006, area=None, ways=None, lamps=None, green=None, destinations=None,
    ...                buildings=b)
    >>> {k: list(v.columns) for k, v in context_layers(data).items()}
    {'buildings': ['geometry']}
    """
    out = {}
    b = data.buildings
    if b is not None and len(b):
        out["buildings"] = gpd.GeoDataFrame(geometry=b.geometry.values, crs=b.crs)
    for name, frame, kind in (("water", data.water, "water_kind"),
                              ("places", data.places, "place_kind")):
        if frame is not None and len(frame):
            out[name] = frame.rename(columns={"kind": kind})
    return out
