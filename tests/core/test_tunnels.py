"""Tunnels are counted as tunnels (edges that share a node), not as pieces (issue 13 item 16):
hand-derivable toy cases in safety_indicators and geoplan inspect, and the demo against an own
networkx count."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from geoplan.grid import GridSpec, make_grid
from geoplan.indicators.safety import safety_indicators
from geoplan.network import tunnel_groups
from geoplan.types import OsmData, WalkNetwork

CRS = "EPSG:3006"


def underpass_network() -> WalkNetwork:
    """One 100 m cell. An underpass n0 (10,50) - n1 (50,50) - n2 (90,50), split at n1 where a
    path to n3 (50,90) joins it: 2 tunnel edges, 1 tunnel, 80 m. A second underpass n4 (10,10)
    - n5 (40,10): 1 more tunnel, 30 m. Tunnels in the cell: 2, 110 m."""
    xy = np.array([(10, 50), (50, 50), (90, 50), (50, 90), (10, 10), (40, 10)], float)
    uv = np.array([(0, 1), (1, 2), (1, 3), (4, 5)])
    geoms = shapely.linestrings(xy[uv])
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, 7)}, geometry=gpd.points_from_xy(*xy.T),
                             crs=CRS)
    edges = gpd.GeoDataFrame(
        {"u": uv[:, 0], "v": uv[:, 1], "length_m": shapely.length(geoms), "lit": "yes",
         "lit_source": "tag", "tunnel": [True, True, False, True]},
        geometry=geoms, crs=CRS,
    )
    return WalkNetwork(nodes=nodes, edges=edges, crs=CRS)


def test_an_underpass_split_where_a_path_joins_is_one_tunnel():
    net = underpass_network()
    assert tunnel_groups(net).tolist() == [0, 0, -1, 1]
    area = shapely.box(0, 0, 100, 100)
    cells = make_grid(area, CRS, GridSpec(100))
    cells["pop"] = [0.0]
    empty = gpd.GeoDataFrame(geometry=[], crs=CRS)
    data = OsmData(crs=CRS, area=area, ways=None, lamps=empty.assign(lamp_id=[], source=[]),
                   green=None, destinations=empty, buildings=empty)
    r = safety_indicators(net, cells, data)
    assert r["tunnel_count"].tolist() == [2]  # not 3 pieces
    assert r["tunnel_m"].tolist() == pytest.approx([110.0])


def test_helsinki_tunnels_match_networkx_components(helsinki_study):
    from geoplan.inspect import summarize

    data, net, _, _ = helsinki_study
    g = nx.Graph()
    e = net.edges[net.edges["tunnel"].fillna(False).astype(bool)]
    g.add_edges_from(zip(e["u"], e["v"], strict=True))
    want = nx.number_connected_components(g)
    got = tunnel_groups(net)
    assert got.max() + 1 == want
    s = summarize(data, net)
    assert s.tunnels == want  # the whole extract is the area: every tunnel lies in it
    assert s.tunnel_km == pytest.approx(e["length_m"].sum() / 1000, rel=1e-6)
