"""Accessibility, night access and area summaries.

Toy network (metres; ``=`` lit, ``-`` dark, ``~`` unknown)::

    A(0,0) ===== B(100,0) ----- C(200,0)          island: I(0,500) ===== J(100,500)
                   |                                        school S2 at (50,505)
                  ~|~ 100 m (unknown)
                   |
                 D(100,-100) ==== E(300,-100)      shop at (250,-97): 150 m from D
    school S1 at (150,3) on B-C (dark); home H1 at (20,4) on A-B; home H2 at (100,-60) on B-D;
    home H3 at (60,500) on the island; home H4 at (1000, 1000) far from any path.

Every distance counts the access legs (the straight walk from a point to its path): H1 4 m,
S1 3 m, S2 5 m, the shop 3 m, H2 and H3 0 m.
Day: H1 -> S1 = 4 + 80 (to B) + 50 + 3 = 137 m; H2 -> S1 = 60 + 50 + 3 = 113 m; H1 -> shop =
4 + 80 + 100 + 150 + 3 = 337 m; H2 -> shop = 40 + 150 + 3 = 193 m. H3 -> S2 = 10 + 5 = 15 m on the
island, nothing else from there.
Night (lit only, doorstep allowed): S1 sits on a dark edge -> unreachable at night; H2 stands on
the unknown edge B-D (its doorstep) so it still reaches the shop: 193 m; H1's doorstep
A-B is lit; from B the only way on is dark or unknown -> the shop is lost at night. H2's doorstep
must not open B-D for H1 (one-way arcs into H2 only).
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.indicators.access import access_indicators, attach_destinations
from geoplan.indicators.equity import STUDY_AREA_KEY, area_summary
from geoplan.indicators.night import night_indicators
from geoplan.routing import attach_points
from geoplan.types import AccessSpec, WalkNetwork

CRS = 3006


def toy_network() -> WalkNetwork:
    xy = {"A": (0, 0), "B": (100, 0), "C": (200, 0), "D": (100, -100), "E": (300, -100),
          "I": (0, 500), "J": (100, 500)}
    names = list(xy)
    edges = [("A", "B", "yes"), ("B", "C", "no"), ("B", "D", "unknown"), ("D", "E", "yes"),
             ("I", "J", "yes")]
    nodes = gpd.GeoDataFrame({"osmid": range(len(names))},
                             geometry=[shapely.Point(xy[n]) for n in names], crs=CRS)
    e = gpd.GeoDataFrame(
        {"u": [names.index(a) for a, _, _ in edges], "v": [names.index(b) for _, b, _ in edges],
         "lit": [lit for *_, lit in edges]},
        geometry=[shapely.LineString([xy[a], xy[b]]) for a, b, _ in edges], crs=CRS)
    e["length_m"] = e.length
    return WalkNetwork(nodes=nodes, edges=e, crs=CRS)


HOMES = gpd.GeoSeries(shapely.points([(20, 4), (100, -60), (60, 500), (1000, 1000)]),
                      index=pd.Index(["H1", "H2", "H3", "H4"], name="cell_id"), crs=CRS)
DEST = gpd.GeoDataFrame({"category": ["school", "school", "grocery"]},
                        geometry=shapely.points([(150, 3), (50, 505), (250, -97)]), crs=CRS)
SPEC = AccessSpec(categories=("school", "grocery"), radii_m=(150.0, 400.0), max_snap_m=50.0,
                  night_threshold_m=400.0)


def test_day_distances_by_hand():
    a = access_indicators(toy_network(), HOMES, DEST, SPEC)
    assert a["dist_school_m"].tolist() == pytest.approx([137.0, 113.0, 15.0, np.inf])
    assert a["dist_grocery_m"].tolist() == pytest.approx([337.0, 193.0, np.inf, np.inf])
    assert a["access_leg_m"].tolist()[:3] == pytest.approx([4.0, 0.0, 0.0])
    assert np.isnan(a.loc["H4", "access_leg_m"])
    assert a["n_school_150m"].tolist()[:3] == [1.0, 1.0, 1.0]
    assert a["n_grocery_400m"].tolist()[:3] == [1.0, 1.0, 0.0]  # the island reaches no shop
    assert np.isnan(a.loc["H4"]).filter(like="n_").all()  # far from any path: no access, not 0
    assert a.loc["H1", "gravity_school"] == pytest.approx(2 ** (-137 / 400))


def test_night_by_hand():
    net = toy_network()
    day = access_indicators(net, HOMES, DEST, SPEC)
    n = night_indicators(net, HOMES, DEST, SPEC, day=day)
    assert n["night_dist_school_m"].tolist()[:3] == [np.inf, np.inf, 15.0]
    assert n["night_dist_grocery_m"].tolist()[:3] == pytest.approx([np.inf, 193.0, np.inf])
    assert n["loses_school_at_night"].tolist() == [True, True, False, False]
    assert n["loses_grocery_at_night"].tolist() == [True, False, False, False]
    assert n.loc["H2", "night_detour_grocery"] == 1.0 and n.loc["H1", "night_detour_grocery"] == np.inf
    assert np.isnan(n.loc["H4", "night_detour_school"])


def test_unknown_as_lit_is_a_choice():
    spec = AccessSpec(categories=("grocery",), radii_m=(400.0,), max_snap_m=50.0,
                      night_unknown_as="lit", night_threshold_m=400.0)
    n = night_indicators(toy_network(), HOMES, DEST, spec)
    assert n.loc["H1", "night_dist_grocery_m"] == pytest.approx(337.0)


def test_access_leg_counts_at_both_ends():
    """Homes and a shop that attach at the same edge end (node A) are not 0 m apart: each walks
    its straight leg to A (50 m each); a home at the shop's very place is 0 m from it."""
    homes = gpd.GeoSeries(shapely.points([(-30, -40), (-40, 30), (20, 4)]),
                          index=pd.Index(["far", "at_shop", "H1"], name="cell_id"), crs=CRS)
    shop = gpd.GeoDataFrame({"category": ["grocery"]}, geometry=[shapely.Point(-40, 30)],
                            crs=CRS)
    spec = AccessSpec(categories=("grocery",), radii_m=(60.0, 100.0), max_snap_m=60.0)
    a = access_indicators(toy_network(), homes, shop, spec)
    assert a["dist_grocery_m"].tolist() == pytest.approx([100.0, 0.0, 4.0 + 20.0 + 50.0])
    assert a["n_grocery_60m"].tolist() == [0.0, 1.0, 0.0]
    assert a["n_grocery_100m"].tolist() == [1.0, 1.0, 1.0]
    assert a["access_leg_m"].tolist() == pytest.approx([50.0, 50.0, 4.0])
    # never shorter than the straight line between the two points
    straight = homes.distance(shop.geometry.iat[0]).to_numpy()
    assert (a["dist_grocery_m"].to_numpy() >= straight - 1e-9).all()


def test_destination_on_own_dark_doorstep_is_reachable_at_night():
    """The night rule as documented: a home may walk its own dark path, so a school on that
    path is reachable at night (H5 on dark B-C, 30 m from S1 along it: 2 + 30 + 3 m); the
    doorstep stays closed for H1 (S1 is still lost for it)."""
    homes = gpd.GeoSeries(shapely.points([(180, 2), (20, 4)]),
                          index=pd.Index(["H5", "H1"], name="cell_id"), crs=CRS)
    n = night_indicators(toy_network(), homes, DEST, SPEC)
    assert n["night_dist_school_m"].tolist() == pytest.approx([35.0, np.inf])
    assert n["loses_school_at_night"].tolist() == [False, True]
    assert n.loc["H5", "night_detour_school"] == pytest.approx(1.0)


def test_unreachable_destination_is_listed_not_dropped():
    far = pd.concat([DEST, gpd.GeoDataFrame({"category": ["library"]},
                                            geometry=[shapely.Point(5000, 5000)], crs=CRS)])
    d, _ = attach_destinations(toy_network(), far.reset_index(drop=True), SPEC)
    assert d["attached"].tolist() == [True, True, True, False] and np.isnan(d["snap_m"].iloc[3])


# --- real data: networkx as the oracle ---------------------------------------------------------
@pytest.fixture(scope="module")
def demo(helsinki_study):
    return helsinki_study


def _nx_with_points(net, atts):
    """networkx graph of the network plus one node per attached point, built independently:
    the point's place on its edge, and the point itself at the end of an explicit access-leg
    edge of ``snap_m`` metres."""
    G = nx.Graph()
    for u, v, w in zip(net.edges["u"], net.edges["v"], net.edges["length_m"], strict=True):
        if not G.has_edge(u, v) or G[u][v]["weight"] > w:
            G.add_edge(int(u), int(v), weight=float(w))
    names = []
    on_edge: dict[int, list] = {}
    for k, att in enumerate(atts):
        ids = []
        for i, (e, t) in enumerate(zip(att.edge, att.offset_m, strict=True)):
            if e < 0:
                ids.append(None)
                continue
            name = ("p", k, i)
            u, v, L = (int(net.edges["u"].iat[e]), int(net.edges["v"].iat[e]),
                       float(net.edges["length_m"].iat[e]))
            G.add_edge(name, u, weight=float(t))
            G.add_edge(name, v, weight=L - float(t))
            for other, t2 in on_edge.get(e, []):
                G.add_edge(name, other, weight=abs(float(t) - t2))
            on_edge.setdefault(e, []).append((name, float(t)))
            if att.snap_m[i] > 1e-3:
                G.add_edge(name, ("leg", k, i), weight=float(att.snap_m[i]))
                name = ("leg", k, i)
            ids.append(name)
        names.append(ids)
    return G, names


@pytest.mark.parametrize("category", ["grocery", "library", "playground"])
def test_demo_distances_equal_networkx(demo, category):
    data, net, cells, origins = demo
    spec = AccessSpec(categories=(category,), radii_m=(800.0,))
    o_att = attach_points(net, origins, max_snap_m=spec.max_snap_m)
    dest = data.destinations[data.destinations["category"] == category].reset_index(drop=True)
    d_att = attach_points(net, dest.geometry, max_snap_m=spec.max_snap_m)
    got = access_indicators(net, origins, dest, spec, origin_att=o_att, dest_att=d_att)
    G, (o_names, d_names) = _nx_with_points(net, [o_att, d_att])
    src = [n for n in d_names if n is not None]
    ref = nx.multi_source_dijkstra_path_length(G, src, weight="weight")
    rng = np.random.default_rng(7)
    sample = rng.choice(len(origins), 25, replace=False)
    for i in sample:
        want = ref.get(o_names[i], np.inf) if o_names[i] is not None else np.inf
        assert got[f"dist_{category}_m"].iat[i] == pytest.approx(want, abs=0.01)


def test_demo_night_never_shorter_and_summary_conserves_pop(demo):
    data, net, cells, origins = demo
    spec = AccessSpec()
    day = access_indicators(net, origins, data.destinations, spec)
    night = night_indicators(net, origins, data.destinations, spec, day=day)
    for c in spec.categories:
        assert (night[f"night_dist_{c}_m"] >= day[f"dist_{c}_m"] - 1e-9).all(), c
        r = night[f"night_detour_{c}"]
        assert (r[np.isfinite(r)] >= 1 - 1e-12).all()
    grid = cells.join(day).join(night)
    # four quadrants tile the study area: their populations add up to the total
    minx, miny, maxx, maxy = grid.total_bounds
    mx, my = (minx + maxx) / 2, (miny + maxy) / 2
    quads = gpd.GeoDataFrame({"code": list("abcd")}, geometry=[
        shapely.box(minx, miny, mx, my), shapely.box(mx, miny, maxx, my),
        shapely.box(minx, my, mx, maxy), shapely.box(mx, my, maxx, maxy)], crs=grid.crs)
    s = area_summary(grid, quads, key="code")
    total = s.loc[s["code"] == STUDY_AREA_KEY, "pop"].iat[0]
    assert total == pytest.approx(grid["pop"].sum())
    assert s.loc[s["code"] != STUDY_AREA_KEY, "pop"].sum() == pytest.approx(total, rel=1e-9)
    share = s.loc[s["code"] == STUDY_AREA_KEY, "loses_school_at_night_pop_share"].iat[0]
    assert share == pytest.approx((grid["pop"] * grid["loses_school_at_night"]).sum() / total)


def test_access_leg_is_reported_in_the_meta():
    """The example's homes walk 15 m and 35 m to their paths (by hand): median 25 m, max 35 m."""
    from geoplan.study import compute_layers, example_study

    layers = compute_layers(example_study())
    assert layers.grid["access_leg_m"].tolist() == pytest.approx([15.0, 35.0])
    assert (layers.meta["access_leg_median_m"], layers.meta["access_leg_max_m"]) == (25.0, 35.0)


def test_access_leg_in_the_data_quality_summary():
    import dataclasses
    import json

    from geoplan.inspect import summarize
    from geoplan.study import example_study

    s = example_study()
    q = dataclasses.replace(summarize(s.data, s.network, s.lamps), access_leg_median_m=25.0,
                            access_leg_max_m=35.0)
    assert json.loads(q.to_json())["access_leg_max_m"] == 35.0
    assert "(median / max): 25.0 / 35.0 m" in q.to_text("en")
    assert "Gångväg från rutans startpunkt" in q.to_text("sv")
