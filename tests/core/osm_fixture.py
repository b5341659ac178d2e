"""Tiny hand-written OSM XML fixtures, one way per tag rule, in Malmö (so SWEREF99 TM is chosen).

Each way is a straight east-west line of ``length`` metres made of 2+ nodes; ways sit 40 m apart in
north-south direction so no two ways share a node (every rule is checked in isolation).
Coordinates are written in degrees as OSM does; the expected lengths are derived with pyproj in
the tests, independently of geoplan.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from pyproj import Transformer

LON0, LAT0 = 13.000, 55.600
_to_deg = Transformer.from_crs(3006, 4326, always_xy=True)
_to_m = Transformer.from_crs(4326, 3006, always_xy=True)
X0, Y0 = _to_m.transform(LON0, LAT0)

#: (way id, tags, length in metres, walkable?, expected lit, expected lit_source)
RULE_WAYS = [
    (1, {"highway": "footway"}, 100, True, "unknown", "none"),
    (2, {"highway": "footway", "foot": "no"}, 100, False, None, None),
    (3, {"highway": "service", "access": "private"}, 100, False, None, None),
    (4, {"highway": "service", "access": "private", "foot": "yes"}, 100, True, "unknown", "none"),
    (5, {"highway": "residential", "sidewalk": "separate"}, 100, False, None, None),
    # walked on: the fixture lies in Malmö, and in Sweden pedestrians may use a cycleway
    # where there is no footway (a cycleway without `foot` follows the country's rule)
    (6, {"highway": "cycleway"}, 100, True, "unknown", "none"),
    (7, {"highway": "cycleway", "foot": "designated"}, 100, True, "unknown", "none"),
    (8, {"highway": "motorway"}, 100, False, None, None),
    (9, {"highway": "construction"}, 100, False, None, None),
    (10, {"highway": "steps", "lit": "24/7"}, 30, True, "yes", "tag"),
    (11, {"highway": "path", "lit": "disused"}, 100, True, "no", "tag"),
    (12, {"highway": "footway"}, 100, True, "yes", "lamps"),  # lamp at its west end
    (13, {"highway": "footway"}, 100, True, "unknown", "none"),  # lamp 200 m away
    (14, {"highway": "residential", "lit": "limited"}, 100, True, "no", "tag"),
    (15, {"highway": "cycleway", "segregated": "yes"}, 100, True, "unknown", "none"),
    (16, {"highway": "primary", "sidewalk:left": "separate", "sidewalk:right": "no"}, 100, False,
     None, None),
    (17, {"highway": "footway", "tunnel": "yes", "lit": "yes"}, 60, True, "yes", "tag"),
    (18, {"highway": "pedestrian", "lit": "Mo-Su 16:00-07:00"}, 100, True, "yes", "tag"),
    (19, {"highway": "living_street", "lit": "no", "foot": "designated"}, 100, True, "no", "tag"),
    (20, {"highway": "footway", "lit": "bogus-value"}, 100, True, "unknown", "none"),
    (21, {"highway": "trunk", "tunnel": "yes", "lit": "yes"}, 100, False, None, None),  # car tunnel
    (22, {"highway": "primary", "tunnel": "yes", "sidewalk": "both", "lit": "yes"}, 100, True,
     "yes", "tag"),
    (23, {"highway": "secondary", "tunnel": "building_passage"}, 100, True, "unknown", "none"),
    (24, {"highway": "tertiary", "tunnel": "yes", "foot": "yes"}, 100, True, "unknown", "none"),
]


def way_y(way_id: int) -> float:
    return Y0 + 40.0 * way_id


#: node id -> (lon, lat) exactly as written into the file (OSM precision: 1e-7 degrees)
NODES: dict[int, tuple[float, float]] = {}


def expected_length_m(node_ids) -> float:
    """Length in EPSG:3006 of the polyline through ``node_ids`` as written in the file."""
    import numpy as np

    xy = np.array([_to_m.transform(*NODES[n]) for n in node_ids])
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())


def _node(nid: int, x: float, y: float, tags: dict | None = None) -> str:
    lon, lat = (round(v, 7) for v in _to_deg.transform(x, y))
    NODES[nid] = (lon, lat)
    inner = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in (tags or {}).items())
    return f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{inner}</node>\n'


def _way(wid: int, refs: list[int], tags: dict) -> str:
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    t = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
    return f'  <way id="{wid}" version="1">{nds}{t}</way>\n'


def rules_osm() -> str:
    """OSM XML with RULE_WAYS, lamps, destinations, green spaces and buildings."""
    nodes, ways = [], []
    for wid, tags, length, *_ in RULE_WAYS:
        y = way_y(wid)
        a, m, b = 1000 * wid + 1, 1000 * wid + 2, 1000 * wid + 3
        nodes += [_node(a, X0, y), _node(m, X0 + length / 2, y), _node(b, X0 + length, y)]
        ways.append(_way(wid, [a, m, b], tags))
    # lamps: one at the west end of way 12 (covers 25 of its 100 m ... plus 10 m north: see test)
    nodes.append(_node(90001, X0 + 10, way_y(12) + 5, {"highway": "street_lamp"}))
    nodes.append(_node(90002, X0 + 40, way_y(12) - 5, {"highway": "street_lamp"}))
    nodes.append(_node(90003, X0 + 300, way_y(13), {"highway": "street_lamp"}))
    # way 30: clipped extract, its second node is absent from the file -> only 31-32-33 remain
    nodes += [_node(30001, X0, way_y(30)), _node(30003, X0 + 50, way_y(30)),
              _node(30004, X0 + 100, way_y(30))]
    ways.append(_way(30, [30001, 30002, 30003, 30004], {"highway": "footway"}))
    # destinations
    yd = way_y(40)
    nodes.append(_node(40001, X0, yd, {"amenity": "school", "name": "Skolan"}))
    nodes.append(_node(40002, X0 + 50, yd, {"shop": "supermarket"}))
    nodes.append(_node(40003, X0 + 100, yd, {"highway": "bus_stop"}))
    nodes.append(_node(40004, X0 + 150, yd, {"amenity": "library", "name": "Biblioteket"}))
    nodes.append(_node(40005, X0 + 200, yd, {"disused:amenity": "school"}))
    # library area around node 40004 (the node is the same library: counted once)
    sq = [(X0 + 140, yd - 10), (X0 + 160, yd - 10), (X0 + 160, yd + 10), (X0 + 140, yd + 10)]
    refs = list(range(41001, 41005))
    nodes += [_node(r, x, y) for r, (x, y) in zip(refs, sq, strict=True)]
    ways.append(_way(41, refs + refs[:1], {"amenity": "library", "building": "public"}))
    # green: a public park 100 m x 100 m = 1 ha, and a private garden 50 m x 20 m = 0.1 ha
    yg = way_y(50)
    park = [(X0, yg), (X0 + 100, yg), (X0 + 100, yg + 100), (X0, yg + 100)]
    refs = list(range(50001, 50005))
    nodes += [_node(r, x, y) for r, (x, y) in zip(refs, park, strict=True)]
    ways.append(_way(50, refs + refs[:1], {"leisure": "park", "name": "Parken"}))
    gard = [(X0 + 200, yg), (X0 + 250, yg), (X0 + 250, yg + 20), (X0 + 200, yg + 20)]
    refs = list(range(51001, 51005))
    nodes += [_node(r, x, y) for r, (x, y) in zip(refs, gard, strict=True)]
    ways.append(_way(51, refs + refs[:1], {"leisure": "garden", "access": "private"}))
    # buildings: 20 m x 10 m apartments with 4 levels; a house with height 7 m; a shed (no levels)
    yb = way_y(60)
    for i, (bid, tags) in enumerate([
        (60, {"building": "apartments", "building:levels": "4"}),
        (61, {"building": "house", "height": "7 m"}),
        (62, {"building": "shed"}),
        (63, {"building": "roof"}),
    ]):
        x = X0 + 40 * i
        pts = [(x, yb), (x + 20, yb), (x + 20, yb + 10), (x, yb + 10)]
        refs = [bid * 1000 + k for k in range(1, 5)]
        nodes += [_node(r, px, py) for r, (px, py) in zip(refs, pts, strict=True)]
        ways.append(_way(bid, refs + refs[:1], tags))
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="geoplan-tests">\n')
    return head + "".join(nodes) + "".join(ways) + "</osm>\n"


def way_ids_where(pbf, keep) -> set[int]:
    """Ids of the ways of a real extract whose tags ``keep(tags)`` accepts, read with osmium
    (an oracle independent of geoplan's reader)."""
    import osmium

    return {w.id for w in osmium.FileProcessor(str(pbf), osmium.osm.WAY) if keep(dict(w.tags))}
