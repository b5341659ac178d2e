"""The array-based walk-network build equals osmnx's graph model on the same ways.

Oracle: the ways' segments in both directions as an osmnx MultiDiGraph, ``ox.simplify_graph(
edge_attrs_differ=…, remove_rings=False)`` and ``ox.convert.to_undirected`` (what geoplan ran
before), and lighting from an exact per-edge union of lamp buffers. Edges are compared as multisets
of (OSM node pair, tags, lighting) with lengths to 1e-6 m; list-valued tags osmnx keeps in hash
order are compared as sets.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from osm_fixture import rules_osm

from geoplan.network import build_walk_network, classify_lighting
from geoplan.sources.osm import read_osm
from geoplan.types import LightingRule, OsmData

_DIFFER = ("lit_tag", "highway", "tunnel", "bridge", "underground")
_ATTRS = ("highway", "name", "lit_tag", "tunnel", "bridge", "underground", "surface")


def _clean(v):
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _osmnx_edges(ways: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import osmnx as ox
    G = nx.MultiDiGraph(crs=crs)
    for row, geom in zip(ways.itertuples(index=False), ways.geometry, strict=True):
        ids = row.node_ids
        for nid, (x, y) in zip(ids, shapely.get_coordinates(geom), strict=True):
            G.add_node(nid, x=float(x), y=float(y))
        attrs = {k: _clean(getattr(row, k, None)) for k in _ATTRS}
        attrs["underground"] = bool(attrs["underground"])
        attrs["osmid"] = int(row.osm_id)
        for a, b in zip(ids[:-1], ids[1:], strict=True):
            if a != b:
                G.add_edge(a, b, reversed=False, **attrs)
                G.add_edge(b, a, reversed=True, **attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G = ox.simplify_graph(G, edge_attrs_differ=list(_DIFFER), remove_rings=False)
        U = ox.convert.to_undirected(G)
    return ox.convert.graph_to_gdfs(U, nodes=False, fill_edge_geometry=True).reset_index()


def _parts(v) -> tuple:
    """The values of a tag osmnx may hold as a list, geoplan as text joined by ';' (a value
    with ';' in OSM, e.g. ``surface=paved;cobblestone``, is split the same way on both sides)."""
    vals = v if isinstance(v, list) else [v]
    return tuple(sorted({p for x in vals if x not in ("", None) for p in str(x).split(";") if p}))


def _oracle_share(edge, lamps, radius_m: float) -> float:
    near = lamps[shapely.dwithin(lamps, edge, radius_m)]
    if len(near) == 0 or edge.length == 0:
        return 0.0
    cover = shapely.union_all([p.buffer(radius_m, quad_segs=16) for p in near])
    return min(1.0, edge.intersection(cover).length / edge.length)


def _oracle(data: OsmData, rule: LightingRule) -> list[tuple]:
    e = _osmnx_edges(data.ways, data.crs)
    lamps = np.asarray(data.lamps.geometry.values)
    shares = np.array([_oracle_share(g, lamps, rule.lamp_radius_m) for g in e.geometry])
    lit_tag = [";".join(sorted(_parts(v))) for v in e["lit_tag"]]
    lit, src = classify_lighting(
        gpd.pd.Series(lit_tag), gpd.pd.Series([";".join(sorted(_parts(v))) for v in e["highway"]]),
        shares, rule)
    return sorted(
        (tuple(sorted((int(u), int(v)))), _parts(hw), _parts(n), _parts(lt), bool(np.any(t)),
         bool(np.any(b)), bool(np.all(ug)), _parts(s), _parts(o), li, so, float(g.length))
        for u, v, hw, n, lt, t, b, ug, s, o, li, so, g in zip(
            e["u"], e["v"], e["highway"], e["name"], e["lit_tag"], e["tunnel"], e["bridge"],
            e["underground"], e["surface"], e["osmid"], lit, src, e.geometry, strict=True))


def _ours(data: OsmData, rule: LightingRule) -> list[tuple]:
    net = build_walk_network(data, lighting=rule)
    e, osm = net.edges, net.nodes["osmid"].to_numpy()
    assert np.array_equal(net.nodes.index, np.arange(len(net.nodes)))
    split = [_parts(v) for v in e["osmid"]]
    return sorted(
        (tuple(sorted((int(osm[u]), int(osm[v])))), _parts(hw), _parts(n),
         _parts(lt), bool(t), bool(b), bool(ug), _parts(s), o, li, so, float(length))
        for u, v, hw, n, lt, t, b, ug, s, o, li, so, length in zip(
            e["u"], e["v"], e["highway"], e["name"], e["lit_tag"], e["tunnel"], e["bridge"],
            e["underground"], e["surface"], split, e["lit"], e["lit_source"], e["length_m"],
            strict=True))


def _assert_same(data: OsmData, rule: LightingRule | None = None) -> None:
    rule = rule or LightingRule()
    theirs, ours = _oracle(data, rule), _ours(data, rule)
    assert Counter(t[:-1] for t in ours) == Counter(t[:-1] for t in theirs)
    assert np.allclose([t[-1] for t in ours], [t[-1] for t in theirs], rtol=0, atol=1e-6)


def test_equals_osmnx_on_demo():
    from geoplan.datasets import demo_extract

    _assert_same(read_osm(demo_extract()))


def test_equals_osmnx_on_the_rule_fixture(tmp_path):
    p = tmp_path / "rules.osm"
    p.write_text(rules_osm(), encoding="utf-8")
    _assert_same(read_osm(p))


def test_equals_osmnx_on_a_synthetic_town(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        from synth_osm import write_municipality
    finally:
        sys.path.pop(0)
    p = tmp_path / "town.osm.pbf"
    write_municipality(p, 3000, seed=3)
    data = read_osm(p)
    _assert_same(data)
    _assert_same(data, LightingRule(min_lit_share=0.7, assume={"residential": "yes"}))


def _hand_data(ways: list[tuple[int, list[int], dict]], xy: dict[int, tuple[float, float]]):
    rows = [{"osm_id": wid, "node_ids": tuple(ids), "highway": "footway", "lit_tag": None,
             "name": None, "surface": None, "tunnel": False, "bridge": False,
             "underground": False, **tags} for wid, ids, tags in ways]
    geoms = [shapely.LineString([xy[n] for n in ids]) for _, ids, _ in ways]
    ways_gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=3006)
    lamps = gpd.GeoDataFrame({"lamp_id": ["l"]}, geometry=[shapely.Point(5, 3)], crs=3006)
    return OsmData(crs=ways_gdf.crs, area=shapely.box(-100, -100, 100, 100), ways=ways_gdf,
                   lamps=lamps, green=None, destinations=None, buildings=None)


XY = {1: (0, 0), 2: (10, 0), 3: (20, 0), 4: (30, 0), 5: (20, 10), 6: (10, 10), 7: (0, 10),
      8: (40, 0), 9: (50, 5), 10: (60, 0), 11: (50, -5), 12: (-10, 0), 13: (-20, 0),
      14: (30, 30), 15: (40, 30), 16: (40, 40)}


@pytest.mark.parametrize("ways", [
    # one way, no junction: one edge 1-4
    [(1, [1, 2, 3, 4], {})],
    # two ways joined end to end with the same tags: merged (names joined), or split by lit
    [(1, [1, 2, 3], {"name": "A"}), (2, [3, 4, 8], {"name": "B"})],
    [(1, [1, 2, 3], {}), (2, [3, 4, 8], {"lit_tag": "yes"})],
    # a loop hanging on node 4 (a ring with one endpoint), a closed way alone (no endpoint)
    [(1, [1, 2, 3, 4], {}), (2, [4, 8, 9, 10, 11, 4], {})],
    [(1, [14, 15, 16, 14], {})],
    # two routes between the same two junctions, a way there and back, overlapping ways
    [(1, [12, 1, 2, 3, 4, 8], {}), (2, [1, 7, 6, 5, 4], {}), (3, [13, 12], {})],
    [(1, [1, 2, 3, 2, 1], {})],
    [(1, [1, 2, 3], {}), (2, [2, 3, 4], {}), (3, [7, 7, 6], {})],
    # a way reversed against its neighbour, and a T junction in the middle of a way
    [(1, [3, 2, 1], {}), (2, [3, 4, 8], {}), (3, [6, 2], {})],
])
def test_equals_osmnx_on_hand_cases(ways):
    _assert_same(_hand_data(ways, XY))
