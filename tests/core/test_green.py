"""Tests of geoplan.indicators.green: hand-derivable toy networks and networkx on Helsinki."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from geoplan.indicators.green import (
    GREEN_COLUMNS,
    green_entries,
    green_indicators,
    green_spaces,
)
from geoplan.routing import attach_points
from geoplan.types import AccessSpec, WalkNetwork

CRS = "EPSG:3006"


def toy_network(xy, uv) -> WalkNetwork:
    """Straight edges between the given nodes; ``length_m`` is the straight length."""
    xy, uv = np.asarray(xy, float), np.asarray(uv)
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, len(xy) + 1)},
                             geometry=gpd.points_from_xy(*xy.T), crs=CRS)
    geoms = shapely.linestrings(xy[uv])
    edges = gpd.GeoDataFrame(
        {"u": uv[:, 0], "v": uv[:, 1], "length_m": shapely.length(geoms), "lit": "yes",
         "lit_source": "tag", "tunnel": False},
        geometry=geoms, crs=CRS,
    )
    return WalkNetwork(nodes=nodes, edges=edges, crs=CRS)


def green(*boxes, kinds=None, public=None) -> gpd.GeoDataFrame:
    n = len(boxes)
    return gpd.GeoDataFrame(
        {"kind": kinds or ["park"] * n, "public": public or [True] * n},
        geometry=[shapely.box(*b) for b in boxes], crs=CRS,
    )


def fence_network() -> WalkNetwork:
    """Home at A; the park lies 50 m north of it behind a fence; the only path goes round.

    ::

        D (0,150) ------- 105 m ------- C (105,150)
        |  40 m                          |
        E (0,110)  gate on the park's    |
        +-----------+-----------+        |  150 m
        |   park  box(-50,50,50,110)     |
        |   100 m x 60 m = 0.6 ha |      |
        +-----------------------+        |
              (fence: no path)           |
        A (0,0) --------- 105 m -------- B (105,0)

    Walk A -> B -> C -> D -> E (the gate, on the park's north side) = 105 + 150 + 105 + 40
    = 400 m; straight line from A to the park's south side: 50 m.
    """
    xy = [(0, 0), (105, 0), (105, 150), (0, 150), (0, 110)]
    return toy_network(xy, [(0, 1), (1, 2), (2, 3), (3, 4)])


HOME = gpd.GeoSeries.from_xy([0.0], [0.0], crs=CRS, index=["home"])
PARK = (-50, 50, 50, 110)


# --------------------------------------------------------------------------------------------
# hand-derivable cases
# --------------------------------------------------------------------------------------------
def test_park_across_a_fence_gets_network_not_straight_distance():
    r = green_indicators(fence_network(), HOME, green(PARK), [10.0])
    assert list(r.columns) == list(GREEN_COLUMNS)
    row = r.loc["home"]
    assert row["dist_green_scb_m"] == pytest.approx(400.0)
    assert row["straight_dist_green_scb_m"] == pytest.approx(50.0)
    assert not row["green_scb_300m"]
    assert math.isinf(row["dist_green_who_m"]) and not row["green_who_300m"]  # 0.6 ha < 1 ha
    assert row["green_m2_500m"] == pytest.approx(6000.0)  # entry at 400 m <= 500 m
    assert row["green_m2_per_capita"] == pytest.approx(600.0)


def test_gate_entries_are_on_the_boundary_never_the_centroid():
    e = green_entries(fence_network(), green_spaces(green(PARK)))
    xy = shapely.get_coordinates(e.geometry.values)
    # one entry: the gate E (where D-E touches the boundary; node E is the same point)
    assert len(e) == 1 and np.allclose(xy, [0.0, 110.0])  # not the centroid (0, 80)
    assert e.iloc[0]["edge"] == 3 and e.iloc[0]["offset_m"] == pytest.approx(40.0)


def test_untouched_park_is_entered_from_its_outline_within_max_snap():
    # box(150,20,250,80): no path touches it; its west side is 45 m from B-C (x = 105), so the
    # outline sample (150,20) attaches to B-C 20 m from B: A -> B -> +20 = 125 m, + the 45 m
    # walk from the path to the outline (its access leg, counted since issue 13 item 2)
    r = green_indicators(fence_network(), HOME, green((150, 20, 250, 80)), [1.0])
    assert r.loc["home", "dist_green_scb_m"] == pytest.approx(125.0 + 45.0)
    assert r.loc["home", "straight_dist_green_scb_m"] == pytest.approx(math.hypot(150, 20))
    e = green_entries(fence_network(), green_spaces(green((150, 20, 250, 80))))
    assert set(e["entry"]) == {"boundary"} and (e["snap_m"] >= 45.0 - 1e-9).all()


def test_isolated_park_that_no_path_reaches_gives_no_access():
    far = (1000, 1000, 1200, 1100)  # 2 ha, > 150 m (max_snap_m) from every path
    spaces = green_spaces(green(far))
    assert len(green_entries(fence_network(), spaces)) == 0
    r = green_indicators(fence_network(), HOME, green(far), [10.0])
    assert math.isinf(r.loc["home", "dist_green_scb_m"])
    assert math.isinf(r.loc["home", "dist_green_who_m"])
    assert r.loc["home", "green_m2_500m"] == 0.0
    assert r.attrs["n_green_spaces_without_entry"] == 1
    # it still has a straight-line distance: that is exactly the misleading measure
    assert np.isfinite(r.loc["home", "straight_dist_green_scb_m"])


def test_two_touching_small_polygons_dissolve_into_one_space_that_passes_scb():
    halves = green((-50, 50, 0, 110), (0, 50, 50, 110))  # 0.3 ha each, touching along x = 0
    spaces = green_spaces(halves)
    assert len(spaces) == 1 and spaces["area_ha"].iloc[0] == pytest.approx(0.6)
    r = green_indicators(fence_network(), HOME, halves, [10.0])
    assert r.loc["home", "dist_green_scb_m"] == pytest.approx(400.0)
    one_half = green_indicators(fence_network(), HOME, halves.iloc[[0]], [10.0])
    assert math.isinf(one_half.loc["home", "dist_green_scb_m"])  # 0.3 ha alone fails SCB


def test_overlapping_polygons_count_once_and_private_ones_not_at_all():
    g = green((-50, 50, 50, 110), (-40, 60, 0, 100), (0, 0, 1, 1),
              kinds=["park", "grass", "garden"], public=[True, True, False])
    spaces = green_spaces(g)
    assert len(spaces) == 1
    assert spaces.iloc[0]["kinds"] == "grass;park" and spaces.iloc[0]["area_m2"] == 6000.0
    r = green_indicators(fence_network(), HOME, g, [10.0])
    assert r.loc["home", "green_m2_500m"] == pytest.approx(6000.0)  # not 6000 + 1600


def test_unattached_origin_gets_no_access_not_zero():
    homes = gpd.GeoSeries.from_xy([0.0, 5000.0], [0.0, 5000.0], crs=CRS, index=["a", "far"])
    r = green_indicators(fence_network(), homes, green(PARK), [10.0, 10.0])
    assert math.isinf(r.loc["far", "dist_green_scb_m"]) and not r.loc["far", "green_scb_300m"]
    assert np.isnan(r.loc["far", "green_m2_500m"]) and np.isnan(r.loc["far", "green_m2_per_capita"])
    assert r.attrs["n_origins_unattached"] == 1


def test_densifying_a_cell_lowers_green_per_capita_within_reach():
    """A 1 km street on y = 0; a 0.6 ha park touches it along x = 50..150.

    Origins at x = 0, 200, 400, 900, 10 residents each. Within 500 m of x = 0: the cells at
    0, 200 and 400 (30 residents) and the park (entry at 50 m): 6000 / 30 = 200 m² each.
    Densifying the cell at x = 200 to 110 residents: 6000 / 130 at x = 0.
    """
    net = toy_network([(0, 0), (1000, 0)], [(0, 1)])
    homes = gpd.GeoSeries.from_xy([0.0, 200.0, 400.0, 900.0], [0.0] * 4, crs=CRS,
                                  index=["c0", "c200", "c400", "c900"])
    park = green((50, 0, 150, 60))
    before = green_indicators(net, homes, park, [10.0, 10.0, 10.0, 10.0])
    after = green_indicators(net, homes, park, [10.0, 110.0, 10.0, 10.0])
    assert before.loc["c0", "green_m2_per_capita"] == pytest.approx(200.0)
    assert after.loc["c0", "green_m2_per_capita"] == pytest.approx(6000.0 / 130.0)
    for c in ("c0", "c200", "c400"):
        assert after.loc[c, "green_m2_per_capita"] < before.loc[c, "green_m2_per_capita"]
    assert after.loc["c900", "green_m2_per_capita"] == before.loc["c900", "green_m2_per_capita"]
    assert before.loc["c900", "green_m2_500m"] == 0.0  # nearest entry 750 m away


def test_pop_as_series_is_aligned_by_cell_id():
    import pandas as pd

    homes = gpd.GeoSeries.from_xy([0.0], [0.0], crs=CRS, index=["a"])
    r = green_indicators(fence_network(), homes, green(PARK), pd.Series({"b": 1.0, "a": 20.0}))
    assert r.loc["a", "green_m2_per_capita"] == pytest.approx(300.0)


# --------------------------------------------------------------------------------------------
# Helsinki: the engine against an independent networkx graph
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def helsinki(helsinki_study):
    return helsinki_study


def _split_graph(net: WalkNetwork, points: list[tuple[object, int, float]]) -> nx.Graph:
    """networkx graph of ``net`` with each (key, edge, offset from u) inserted as a node."""
    g = nx.Graph()
    by_edge: dict[int, list[tuple[float, object]]] = {}
    for key, e, off in points:
        by_edge.setdefault(int(e), []).append((float(off), key))
    u, v = net.edges["u"].to_numpy(), net.edges["v"].to_numpy()
    length = net.edges["length_m"].to_numpy()
    for e in range(len(u)):
        chain = [(0.0, ("n", int(u[e])))] + sorted(by_edge.get(e, []), key=lambda t: t[0])
        chain.append((float(length[e]), ("n", int(v[e]))))
        for (t0, a), (t1, b) in zip(chain[:-1], chain[1:], strict=True):
            w = t1 - t0
            if a == b:
                continue
            if not g.has_edge(a, b) or g[a][b]["w"] > w:
                g.add_edge(a, b, w=w)
    return g


def test_helsinki_distances_equal_networkx_shortest_paths(helsinki):
    data, net, cells, origins = helsinki
    spec = AccessSpec()
    r = green_indicators(net, origins, data.green, cells["pop"], spec)
    assert r.index.equals(cells.index)
    rng = np.random.default_rng(7)
    sample = rng.choice(len(origins), size=20, replace=False)
    att = attach_points(net, origins.iloc[sample], max_snap_m=spec.max_snap_m)
    spaces = green_spaces(data.green)
    entries = green_entries(net, spaces, max_snap_m=spec.max_snap_m)
    big = spaces.index[spaces["area_ha"] >= spec.green_scb_min_ha]
    scb = entries[entries["green_id"].isin(big)]
    pts = [(("o", i), e, t) for i, (e, t) in enumerate(zip(att.edge, att.offset_m, strict=True))
           if e >= 0]
    pts += [(("g", i), e, t) for i, (e, t) in enumerate(zip(scb["edge"], scb["offset_m"],
                                                            strict=True))]
    g = _split_graph(net, pts)
    # explicit access legs (straight walk between a point and its path) at both ends
    for key, leg in [(("o", i), s) for i, s in enumerate(att.snap_m)] + [
            (("g", i), s) for i, s in enumerate(scb["snap_m"])]:
        if key in g and leg > 1e-3:
            g.add_edge(key, ("leg",) + key, w=float(leg))
    dist = nx.multi_source_dijkstra_path_length(
        g, {("leg", "g", i) if ("leg", "g", i) in g else ("g", i) for i in range(len(scb))},
        weight="w")
    inside = shapely.union_all(spaces.geometry.values[spaces["area_ha"] >= spec.green_scb_min_ha])
    for i, pos in enumerate(sample):
        got = r["dist_green_scb_m"].iloc[pos]
        key = ("leg", "o", i) if ("leg", "o", i) in g else ("o", i)
        want = dist.get(key, math.inf) if att.edge[i] >= 0 else math.inf
        # an origin in a big space is in it (0 m); one whose point on the network is in it walks
        # only its own access leg (shapely oracle)
        if att.edge[i] >= 0 and inside.intersects(shapely.Point(att.point_xy[i])):
            want = 0.0
        elif att.edge[i] >= 0 and inside.intersects(shapely.Point(att.on_edge_xy[i])):
            want = min(want, float(att.snap_m[i]) if att.snap_m[i] > 1e-3 else 0.0)
        assert got == pytest.approx(want, abs=0.01) or (math.isinf(got) and math.isinf(want))
    assert r["green_scb_300m"].equals(r["dist_green_scb_m"] <= spec.green_within_m)
    assert (r["dist_green_who_m"] >= r["dist_green_scb_m"]).all()  # WHO's spaces are a subset


# --------------------------------------------------------------------------------------------
# issue 13 item 4: park entry on paths inside parks, stubs at outlines, sampling
# --------------------------------------------------------------------------------------------
def test_origin_on_a_path_inside_a_park_is_at_zero_metres():
    # a 200 m path crosses the park box(50,-50,150,50) at x = 50 and x = 150; the home at
    # (100, 5) attaches at x = 100, inside the park: 0 m (it was 50 m, to the nearer crossing)
    net = toy_network([(0, 0), (200, 0)], [(0, 1)])
    homes = gpd.GeoSeries.from_xy([100.0, 0.0], [5.0, 0.0], crs=CRS, index=["in", "out"])
    park = green((50, -50, 150, 50))
    assert park.geometry.iloc[0].contains(shapely.Point(100, 0))  # the oracle: inside it
    r = green_indicators(net, homes, park, [1.0, 1.0])
    assert r.loc["in", "dist_green_scb_m"] == 0.0
    assert r.loc["out", "dist_green_scb_m"] == pytest.approx(50.0)  # walks to the crossing


def test_a_stub_of_path_at_the_outline_does_not_swallow_the_park():
    # main street y = 0 (1000 m); the 0.6 ha park box(400,30,500,90) is touched only by a
    # 10 m stub (450,90)-(450,100) that joins nothing. The park is entered from its outline:
    # its corner (400, 30) is 30 m from the street at x = 400, so a home at (0,0) is 400 m along
    # the street plus the 30 m access leg to the outline away.
    net = toy_network([(0, 0), (1000, 0), (450, 90), (450, 100)], [(0, 1), (2, 3)])
    r = green_indicators(net, HOME, green((400, 30, 500, 90)), [1.0])
    assert r.loc["home", "dist_green_scb_m"] == pytest.approx(430.0)
    e = green_entries(net, green_spaces(green((400, 30, 500, 90))))
    assert set(e["edge"]) == {0} and set(e["entry"]) == {"boundary"}


def _main_edges_oracle(net: WalkNetwork, min_m: float) -> np.ndarray:
    """Edges of the networkx components at least ``min_m`` long (the largest always)."""
    g = nx.Graph()
    for i, (u, v, w) in enumerate(zip(net.edges["u"], net.edges["v"], net.edges["length_m"],
                                      strict=True)):
        g.add_edge(u, v)
        g.add_node(("e", i), w=w)
        g.add_edge(u, ("e", i))
    keep = np.zeros(len(net.edges), bool)
    comps = [[n[1] for n in c if isinstance(n, tuple)] for c in nx.connected_components(g)]
    total = [net.edges["length_m"].to_numpy()[c].sum() for c in comps]
    for c, t in zip(comps, total, strict=True):
        keep[c] = t >= min_m or t == max(total)
    return keep


def test_helsinki_entries_lie_on_the_connected_network_only(helsinki):
    data, net, _, _ = helsinki
    spec = AccessSpec()
    spaces = green_spaces(data.green)
    e = green_entries(net, spaces, max_snap_m=spec.max_snap_m)
    main = _main_edges_oracle(net, spec.min_component_m)
    assert main[e["edge"].to_numpy()].all()
    # every space within max_snap_m of the connected network has an entry (shapely oracle);
    # on the old code 5 spaces (3 touched only by stubs) had entries on cut-off bits only
    lines = shapely.union_all(net.edges.geometry.values[main])
    near = shapely.distance(spaces.geometry.values, lines) <= spec.max_snap_m
    assert set(e["green_id"]) == set(spaces.index[near])


def test_helsinki_halving_the_outline_sampling_moves_no_distance_by_a_metre(helsinki):
    from geoplan.indicators.green import SAMPLE_M

    data, net, cells, origins = helsinki
    spaces = green_spaces(data.green)
    got = []
    for step in (SAMPLE_M, SAMPLE_M / 2):
        entries = green_entries(net, spaces, sample_m=step)
        r = green_indicators(net, origins, data.green, cells["pop"], spaces=spaces,
                             entries=entries)
        got.append(r[["dist_green_scb_m", "dist_green_who_m"]].to_numpy())
    a, b = got
    assert np.array_equal(np.isinf(a), np.isinf(b))
    assert np.abs(a[np.isfinite(a)] - b[np.isfinite(b)]).max() < 1.0
