"""Each OSM tag rule on a hand-written fixture (tests/core/osm_fixture.py), with lengths derived
independently (pyproj) from the coordinates written into the file."""

from __future__ import annotations

import bz2

import numpy as np
import pytest
from osm_fixture import RULE_WAYS, X0, expected_length_m, rules_osm, way_y

from geoplan.network import build_walk_network
from geoplan.sources.osm import read_osm
from geoplan.types import LightingRule


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("osm") / "rules.osm"
    p.write_text(rules_osm(), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def data(rules_file):
    return read_osm(rules_file)


@pytest.fixture(scope="module")
def net(data):
    return build_walk_network(data)


def test_crs_is_sweref99_in_malmo(data):
    assert data.crs.to_epsg() == 3006


@pytest.mark.parametrize("wid,tags,length,walkable,lit,src", RULE_WAYS, ids=[str(w[0]) for w in RULE_WAYS])
def test_walkability_and_lighting(data, net, wid, tags, length, walkable, lit, src):
    ways = data.ways[data.ways["osm_id"] == wid]
    assert (len(ways) == 1) is walkable, f"way {wid} {tags}"
    if not walkable:
        return
    written = expected_length_m(ways.iloc[0]["node_ids"])
    assert written == pytest.approx(length, abs=0.05)  # the fixture is what it says
    assert ways.geometry.iloc[0].length == pytest.approx(written, abs=1e-6)
    edges = net.edges[net.edges["osmid"] == str(wid)]
    assert len(edges) == 1, "a straight way of two segments simplifies to one edge"
    e = edges.iloc[0]
    assert e["length_m"] == pytest.approx(written, abs=1e-6)
    assert (e["lit"], e["lit_source"]) == (lit, src)
    assert bool(e["tunnel"]) is (tags.get("tunnel", "no") != "no")  # passages are covered
    assert bool(e["underground"]) is (tags.get("tunnel") == "yes")  # but not below ground


def test_lamp_share_is_exact(net):
    # lamps at (10, +5) and (40, -5) m from the west end of way 12, radius 25 m:
    # each covers |dx| <= sqrt(25² - 5²) = 24.495 m -> [0, 34.495] ∪ [15.505, 64.495] = [0, 64.495]
    e = net.edges[net.edges["osmid"] == "12"].iloc[0]
    assert e["lamp_share"] == pytest.approx(64.495 / 100, abs=2e-3)  # 64-gon circle: < 0.1 % off


def test_lamp_share_threshold_is_a_knob(data):
    strict = build_walk_network(data, lighting=LightingRule(min_lit_share=0.7))
    e = strict.edges[strict.edges["osmid"] == "12"].iloc[0]
    assert (e["lit"], e["lit_source"]) == ("unknown", "none")


def test_assumed_lighting_is_labelled(data):
    net = build_walk_network(data, lighting=LightingRule(assume={"footway": "yes"}))
    e = net.edges[net.edges["osmid"] == "13"].iloc[0]
    assert (e["lit"], e["lit_source"]) == ("yes", "assumed")
    tagged = net.edges[net.edges["osmid"] == "20"].iloc[0]  # unrecognised lit value, footway
    assert (tagged["lit"], tagged["lit_source"]) == ("yes", "assumed")


def test_missing_node_splits_the_way(data, net):
    # node 30002 is absent: the segment 30001-30003 must not exist (no straight bridge over a gap)
    ways = data.ways[data.ways["osm_id"] == 30]
    assert len(ways) == 1
    assert ways.iloc[0]["node_ids"] == (30003, 30004)
    assert ways.geometry.iloc[0].length == pytest.approx(expected_length_m((30003, 30004)), abs=1e-6)
    assert data.notes["way_node_refs_missing"] == 1


def test_lamps_destinations_green_buildings(data):
    assert len(data.lamps) == 3 and set(data.lamps["source"]) == {"osm"}
    cats = data.destinations["category"].value_counts().to_dict()
    assert cats == {"school": 1, "grocery": 1, "transit_stop": 1, "library": 1}
    lib = data.destinations[data.destinations["category"] == "library"].iloc[0]
    assert lib["osm_type"] == "w" and lib["footprint_m2"] == pytest.approx(400.0, rel=1e-3)
    green = data.green.set_index("osm_id")
    assert green.loc[50, "kind"] == "park" and bool(green.loc[50, "public"])
    assert green.loc[50, "area_ha"] == pytest.approx(1.0, rel=1e-3)
    assert not bool(green.loc[51, "public"])
    b = data.buildings.set_index("osm_id")
    assert 63 not in b.index, "building=roof has no floors"
    assert (b.loc[60, "use"], b.loc[60, "levels"], b.loc[60, "levels_source"]) == ("residential", 4.0, "tag")
    assert b.loc[60, "floor_area_m2"] == pytest.approx(800.0, rel=1e-3)
    assert (b.loc[61, "levels"], b.loc[61, "levels_source"], b.loc[61, "height_m"]) == (2.0, "height", 7.0)
    assert (b.loc[62, "use"], b.loc[62, "levels_source"]) == ("non_residential", "assumed")


def test_bz2_reads_the_same(rules_file, tmp_path, data):
    p = tmp_path / "rules.osm.bz2"
    p.write_bytes(bz2.compress(rules_file.read_bytes()))
    d2 = read_osm(p)
    assert sorted(d2.ways["osm_id"]) == sorted(data.ways["osm_id"])
    assert np.allclose(sorted(d2.ways.length), sorted(data.ways.length))


def test_area_clip_keeps_crossing_segment_whole(rules_file):
    # a box around the western 30 m of way 1 (100 m long, nodes at 0, 50, 100 m):
    # the node at 50 m lies beyond the area but is kept so the crossing segment stays whole
    from pyproj import Transformer

    to_deg = Transformer.from_crs(3006, 4326, always_xy=True)
    y = way_y(1)
    lon0, lat0 = to_deg.transform(X0 - 10, y - 10)
    lon1, lat1 = to_deg.transform(X0 + 30, y + 10)
    d = read_osm(rules_file, area=(lon0, lat0, lon1, lat1))
    assert d.ways["osm_id"].tolist() == [1]
    assert d.ways.geometry.iloc[0].length == pytest.approx(expected_length_m((1001, 1002)), abs=1e-6)
    assert len(d.lamps) == 0 and len(d.destinations) == 0


def test_crs_override(rules_file):
    assert read_osm(rules_file, crs="EPSG:32633").crs.to_epsg() == 32633


def test_cycleway_without_foot_follows_the_country_rule(rules_file, data):
    # Malmö (SE): way 6 (highway=cycleway, no foot tag) is walked on, and data quality says so
    assert data.notes["cycleways_without_foot_walked"] == 1
    assert "highway_not_walked:cycleway" not in data.notes
    off = read_osm(rules_file, cycleways_walkable=False)
    assert 6 not in set(off.ways["osm_id"]) and 7 in set(off.ways["osm_id"])
    assert off.notes["highway_not_walked:cycleway"] == 1
    assert "cycleways_without_foot_walked" not in off.notes
