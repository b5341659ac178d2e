"""Homes and destinations start on the surface: underground or indoor ways only when nothing else
is near (issue: a home above a layer=-3 service tunnel started in the tunnel, 1.7 km from a school
166 m away). Oracle: the tags read back with osmium and brute-force shapely distances."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from osm_fixture import way_ids_where
from shapely import LineString

from geoplan.routing import DEFAULT_MAX_SNAP_M, attach_points, example_network
from geoplan.sources.osm_tags import is_underground
from geoplan.types import WalkNetwork


def test_point_prefers_a_surface_edge_unless_only_underground_is_near():
    net = example_network()
    edges = net.edges.assign(underground=[True, False, False])  # edge 0: (0,0)-(100,0) a tunnel
    tunnel_net = WalkNetwork(net.nodes, edges, net.crs)
    pts = gpd.GeoSeries.from_xy([50.0, 50.0], [5.0, -20.0], crs=net.crs)
    att = attach_points(tunnel_net, pts, max_snap_m=30)
    # (50, 5): the tunnel is 5 m away, the surface edge 0-3 (x=0) is 50 m away -> beyond 30 m,
    # so the tunnel is the only edge near: it is used; with a 60 m reach the surface wins
    assert att.edge.tolist() == [0, 0]
    att60 = attach_points(tunnel_net, pts, max_snap_m=60)
    assert att60.edge[0] != 0 and att60.snap_m[0] == 50.0


def test_demo_origins_attach_to_surface_whenever_a_surface_edge_is_near(helsinki_study,
                                                                         helsinki_pbf):
    data, net, cells, origins = helsinki_study
    under_ids = way_ids_where(helsinki_pbf, lambda t: "highway" in t and is_underground(t))
    osmids = [{int(x) for x in str(s).split(";") if x} for s in net.edges["osmid"]]
    flagged = net.edges["underground"].to_numpy(bool)
    # the network's flag agrees with the tags osmium reads (simplification never mixes the two)
    assert flagged.any()
    for ids, f in zip(osmids, flagged, strict=True):
        assert f == bool(ids & under_ids), ids
    att = attach_points(net, origins, max_snap_m=DEFAULT_MAX_SNAP_M)
    lines = np.asarray(net.edges.geometry.values, dtype=object)
    surface = lines[~flagged]
    pts = np.asarray(origins.values, dtype=object)
    ok = ~shapely.is_missing(pts)
    d_surface = np.array([shapely.distance(p, surface).min() if o else np.nan
                          for p, o in zip(pts, ok, strict=True)])
    near = ok & (d_surface <= DEFAULT_MAX_SNAP_M)
    assert near.sum() > 0.9 * ok.sum()
    assert not flagged[att.edge[near]].any()
    np.testing.assert_allclose(att.snap_m[near], d_surface[near], atol=1e-6)


def test_the_cell_above_the_service_tunnel_starts_on_the_street(helsinki_study):
    data, net, cells, origins = helsinki_study
    cid = "100mN66717E3854"
    att = attach_points(net, origins.loc[[cid]], max_snap_m=DEFAULT_MAX_SNAP_M)
    e = int(att.edge[0])
    assert not bool(net.edges["underground"].iloc[e])
    assert LineString(net.edges.geometry.iloc[e].coords).distance(origins.loc[cid]) < 12.0
