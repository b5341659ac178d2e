"""Tests of geoplan.indicators.safety on a hand-drawn network, a built network and Helsinki."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.grid import GridSpec, make_grid
from geoplan.indicators.safety import (
    SAFETY_COLUMNS,
    clip_edges_to_cells,
    dark_stretch_m,
    safety_index,
    safety_indicators,
)
from geoplan.types import OsmData, SafetyWeights, WalkNetwork

CRS = "EPSG:3006"


def toy() -> tuple[WalkNetwork, gpd.GeoDataFrame, OsmData]:
    """Three 100 m cells A | B | C and a small network; every expected value by hand.

    ::

        y=100 +------------------+------------------+------------------+
              |  ▣ far home      |                  |                  |
              |     n2 (60,90)   |      ○ library   |                  |
              | ▣near  |e3 40 ?  |  ▪ grocery       |                  |
        y=50  | n0 ----n1 ----e1 (no, 90)---- n4 -e2 (no, 40)- n5      |    * lamp
              | e0 50 yes|       |                  |                  |
              |          |e4 40 yes, TUNNEL         |                  |
              |     n3 (60,10)   *(100,20) lamp on the A|B border      |
        y=0   +------------------+------------------+------------------+
              x=0    A           100       B        200       C        300

    Nodes n0 (10,50), n1 (60,50), n2 (60,90), n3 (60,10), n4 (150,50), n5 (190,50);
    degrees 1, 4, 1, 1, 2, 1. Edges (lit, lit_source):

    e0 n0-n1 50 m yes/tag; e1 n1-n4 90 m no/tag (40 m in A, 50 m in B); e2 n4-n5 40 m no/tag;
    e3 n1-n2 40 m unknown/none; e4 n1-n3 40 m yes/tag, tunnel.

    A: path 170 m; lit 90/170, dark 40/170, unknown 40/170; lamps (30,55), (70,70) and the
       border lamp (100,20) -> 3 lamps, 3/0.17 = 17.647 per km; dark stretch e1+e2 = 130 m;
       1 tunnel, 40 m; dead ends n0, n2, n3 = 3; 1 intersection (n1) / 0.01 km² = 100;
       confidence 130/170. Buildings: "near" (10 m from e0, 300 m² residential floor) and
       "far" (28 m from e3, 30 m from e1; 100 m²); pop 40 -> near holds 30 residents.
       Eyes = 30 / 1.7 = 17.647 per 100 m. A school 5 m from e0 is not an active ground floor.
    B: path 90 m, all dark; 1 lamp (160,55); dark stretch 130 m; no tunnel; dead end n5;
       0 intersections (n4 has degree 2); confidence 1. A grocery (also tagged healthcare: one
       feature) 10 m from e1 -> 1 active ground floor; a library 45 m away does not count; a
       non-residential building near e1 holds nobody. Eyes = 10 × 1 / 0.9 = 11.111.
    C: no path (NaN shares and index, confidence 0), 1 lamp (250,50), pop 5 but no buildings.

    Eyes p90 over A, B = 11.111 + 0.9 × (17.647 - 11.111) = 16.993.
    Index A = 100 × (0.35 × 90/170 + 0.15 × (1 - 130/200) + 0.10 × 0 + 0.15 × 1 + 0.25 × 1)
            = 63.779;
    Index B = 100 × (0.35 × 0 + 0.15 × 0.35 + 0.10 × 1 + 0.15 × 0 + 0.25 × 11.111/16.993)
            = 31.596.
    """
    xy = np.array([(10, 50), (60, 50), (60, 90), (60, 10), (150, 50), (190, 50)], float)
    uv = np.array([(0, 1), (1, 4), (4, 5), (1, 2), (1, 3)])
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, 7)}, geometry=gpd.points_from_xy(*xy.T),
                             crs=CRS)
    geoms = shapely.linestrings(xy[uv])
    edges = gpd.GeoDataFrame(
        {"u": uv[:, 0], "v": uv[:, 1], "length_m": shapely.length(geoms),
         "lit": ["yes", "no", "no", "unknown", "yes"],
         "lit_source": ["tag", "tag", "tag", "none", "tag"],
         "tunnel": [False, False, False, False, True]},
        geometry=geoms, crs=CRS,
    )
    net = WalkNetwork(nodes=nodes, edges=edges, crs=CRS)
    area = shapely.box(0, 0, 300, 100)
    cells = make_grid(area, CRS, GridSpec(100))
    cells["pop"] = [40.0, 0.0, 5.0]
    lamps = gpd.GeoDataFrame({"lamp_id": list("abcde"), "source": "osm"},
                             geometry=gpd.points_from_xy([30, 70, 100, 160, 250],
                                                         [55, 70, 20, 55, 50]), crs=CRS)
    boxes = [(20, 60, 30, 70), (88, 80, 98, 98), (120, 55, 130, 65)]
    buildings = gpd.GeoDataFrame(
        {"use": ["residential", "residential", "non_residential"],
         "floor_area_m2": [300.0, 100.0, 500.0], "footprint_m2": [100.0, 180.0, 100.0]},
        geometry=[shapely.box(*b) for b in boxes], crs=CRS,
    )
    destinations = gpd.GeoDataFrame(
        {"osm_id": [1, 1, 2, 3], "osm_type": ["n"] * 4,
         "category": ["grocery", "healthcare", "library", "school"]},
        geometry=gpd.points_from_xy([120, 120, 120, 30], [60, 60, 95, 45]), crs=CRS,
    )
    data = OsmData(crs=CRS, area=area, ways=None, lamps=lamps, green=None,
                   destinations=destinations, buildings=buildings)
    return net, cells, data


def test_toy_every_column_by_hand():
    net, cells, data = toy()
    r = safety_indicators(net, cells, data)
    assert list(r.columns) == list(SAFETY_COLUMNS) and r.index.equals(cells.index)
    a, b, c = (r.iloc[i] for i in range(3))
    assert a["path_m"] == pytest.approx(170.0) and b["path_m"] == pytest.approx(90.0)
    assert c["path_m"] == 0.0
    assert (a["lit_share"], a["dark_share"], a["unknown_share"]) == pytest.approx(
        (90 / 170, 40 / 170, 40 / 170))
    assert (b["lit_share"], b["dark_share"], b["unknown_share"]) == pytest.approx((0, 1, 0))
    assert np.isnan([c["lit_share"], c["dark_share"], c["unknown_share"]]).all()
    assert r["lamp_count"].tolist() == [3.0, 1.0, 1.0]  # the border lamp counts once, in A
    assert a["lamps_per_km"] == pytest.approx(3 / 0.17)
    assert b["lamps_per_km"] == pytest.approx(1 / 0.09) and np.isnan(c["lamps_per_km"])
    assert r["longest_dark_m"].tolist() == pytest.approx([130.0, 130.0, 0.0])
    assert r["tunnel_count"].tolist() == [1, 0, 0]
    assert r["tunnel_m"].tolist() == pytest.approx([40.0, 0.0, 0.0])
    assert r["dead_ends"].tolist() == [3, 1, 0]
    assert r["intersections_per_km2"].tolist() == pytest.approx([100.0, 0.0, 0.0])
    assert r["eyes_residents"].tolist() == pytest.approx([30.0, 0.0, 0.0])
    assert r["active_ground_floors"].tolist() == [0.0, 1.0, 0.0]
    assert a["eyes_on_street"] == pytest.approx(30 / 1.7)
    assert b["eyes_on_street"] == pytest.approx(10 / 0.9) and np.isnan(c["eyes_on_street"])
    p90 = 10 / 0.9 + 0.9 * (30 / 1.7 - 10 / 0.9)
    assert r.attrs["eyes_p90"] == pytest.approx(p90)
    assert (a["safety_lit"], a["safety_no_dark_stretch"], a["safety_no_tunnel"],
            a["safety_connectivity"], a["safety_eyes_on_street"]) == pytest.approx(
        (90 / 170, 0.35, 0.0, 1.0, 1.0))
    assert (b["safety_lit"], b["safety_no_dark_stretch"], b["safety_no_tunnel"],
            b["safety_connectivity"], b["safety_eyes_on_street"]) == pytest.approx(
        (0.0, 0.35, 1.0, 0.0, (10 / 0.9) / p90))
    assert a["safety_index"] == pytest.approx(
        100 * (0.35 * 90 / 170 + 0.15 * 0.35 + 0.10 * 0 + 0.15 * 1 + 0.25 * 1))
    assert a["safety_index"] == pytest.approx(63.779, abs=1e-3)
    assert b["safety_index"] == pytest.approx(31.596, abs=1e-3)
    assert np.isnan(c["safety_index"]) and np.isnan(c["safety_lit"])
    assert r["data_confidence"].tolist() == pytest.approx([130 / 170, 1.0, 0.0])


def test_weights_override_changes_the_index_as_by_hand():
    net, cells, data = toy()
    w = SafetyWeights(lit=1.0, no_dark_stretch=0.0, no_tunnel=0.0, connectivity=0.0,
                      eyes_on_street=1.0)  # normalised to 0.5 / 0.5
    r = safety_indicators(net, cells, data, w)
    p90 = 10 / 0.9 + 0.9 * (30 / 1.7 - 10 / 0.9)
    assert r["safety_index"].iloc[0] == pytest.approx(100 * (0.5 * 90 / 170 + 0.5 * 1.0))
    assert r["safety_index"].iloc[1] == pytest.approx(100 * 0.5 * (10 / 0.9) / p90)
    # the components do not depend on the weights; safety_index() recomputes without geometry
    base = safety_indicators(net, cells, data)
    comp = [c for c in SAFETY_COLUMNS if c.startswith("safety_") and c != "safety_index"]
    pd.testing.assert_frame_equal(r[comp], base[comp])
    pd.testing.assert_series_equal(safety_index(base, w)["safety_index"], r["safety_index"])


def test_no_data_means_no_lamps_and_no_eyes_but_the_network_measures_stay():
    net, cells, _ = toy()
    r = safety_indicators(net, cells)
    assert r["lamp_count"].sum() == 0 and (r["eyes_residents"] == 0).all()
    assert r["path_m"].tolist() == pytest.approx([170.0, 90.0, 0.0])


def test_dark_stretch_sums_connected_dark_edges():
    net, _, _ = toy()
    assert dark_stretch_m(net).tolist() == pytest.approx([0.0, 130.0, 130.0, 0.0, 0.0])


def test_path_on_a_cell_border_counts_once():
    net, cells, _ = toy()
    xy = np.array([(100, 10), (100, 90)], float)
    edges = gpd.GeoDataFrame({"u": [0], "v": [1], "length_m": [80.0], "lit": ["yes"],
                              "lit_source": ["tag"], "tunnel": [False]},
                             geometry=[shapely.LineString(xy)], crs=CRS)
    nodes = gpd.GeoDataFrame({"osmid": [-1, -2]}, geometry=gpd.points_from_xy(*xy.T), crs=CRS)
    border = WalkNetwork(nodes=nodes, edges=edges, crs=CRS)
    assert clip_edges_to_cells(border, cells)["length_m"].sum() == pytest.approx(80.0)
    assert safety_indicators(border, cells)["path_m"].tolist() == pytest.approx([80.0, 0.0, 0.0])


# --------------------------------------------------------------------------------------------
# more lamps never make a path darker (a network built by geoplan.network)
# --------------------------------------------------------------------------------------------
def lamp_test_data() -> OsmData:
    """A 3 x 3 lattice of untagged footways, 200 m apart, in a 400 m square."""
    xs = [0.0, 200.0, 400.0]
    nid = {(x, y): 100 + 3 * i + j for i, x in enumerate(xs) for j, y in enumerate(xs)}
    rows, geoms = [], []
    for c in xs:
        for line in ([(c, y) for y in xs], [(x, c) for x in xs]):
            rows.append({"osm_id": len(rows) + 1, "highway": "footway", "name": None,
                         "lit_tag": None, "tunnel": False, "bridge": False, "surface": None,
                         "width": None, "foot": None, "node_ids": tuple(nid[p] for p in line)})
            geoms.append(shapely.LineString(line))
    ways = gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)
    empty = gpd.GeoDataFrame({"lamp_id": [], "source": []}, geometry=[], crs=CRS)
    return OsmData(crs=CRS, area=shapely.box(-1, -1, 401, 401), ways=ways, lamps=empty,
                   green=None, destinations=None, buildings=None)


def test_adding_lamps_never_lowers_lit_share():
    from geoplan.network import build_walk_network

    data = lamp_test_data()
    cells = make_grid(shapely.box(-1, -1, 401, 401), CRS, GridSpec(100)).assign(pop=0.0)
    rng = np.random.default_rng(3)
    pool = rng.uniform(-10, 410, size=(60, 2))
    previous = None
    for n in (0, 5, 15, 30, 60):
        lamps = gpd.GeoDataFrame({"lamp_id": [str(i) for i in range(n)], "source": "osm"},
                                 geometry=gpd.points_from_xy(*pool[:n].T), crs=CRS)
        net = build_walk_network(data, lamps=lamps)
        r = safety_indicators(net, cells, data, lamps=lamps)
        lit = r["lit_share"].fillna(0).to_numpy()
        if previous is not None:
            assert (lit >= previous[0] - 1e-12).all()
            assert (r["lamp_count"].to_numpy() >= previous[1]).all()
            # lamps only turn unknown into lit, never the other way
            assert (r["data_confidence"].to_numpy() >= previous[2] - 1e-12).all()
        previous = (lit, r["lamp_count"].to_numpy(), r["data_confidence"].to_numpy())
    assert previous[0].max() > 0  # the test did light something


# --------------------------------------------------------------------------------------------
# Helsinki sanity
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def helsinki(helsinki_study):
    data, net, cells, _ = helsinki_study
    return data, net, cells, safety_indicators(net, cells, data)


def test_helsinki_shares_sum_to_one_and_lamps_add_up(helsinki):
    data, net, cells, r = helsinki
    has = r["path_m"] > 0
    assert has.sum() > 100
    shares = r.loc[has, ["lit_share", "dark_share", "unknown_share"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert r.loc[~has, "lit_share"].isna().all()
    grid = cells.union_all()
    assert r["lamp_count"].sum() == int(data.lamps.intersects(grid).sum())
    # no path counted twice: the total equals the network clipped to the grid
    clipped = shapely.length(shapely.intersection(net.edges.geometry.values, grid)).sum()
    assert r["path_m"].sum() == pytest.approx(clipped, rel=1e-9)


def test_helsinki_ranges(helsinki):
    _, _, _, r = helsinki
    has = r["path_m"] > 0
    idx = r.loc[has, "safety_index"]
    assert idx.between(0, 100).all() and idx.notna().all()
    assert r.loc[~has, "safety_index"].isna().all()
    assert r["data_confidence"].between(0, 1).all()
    assert (r.loc[~has, "data_confidence"] == 0).all()
    comp = [c for c in SAFETY_COLUMNS if c.startswith("safety_") and c != "safety_index"]
    assert r.loc[has, comp].stack().between(0, 1).all()
    assert (r["longest_dark_m"] >= 0).all() and (r["tunnel_m"] <= r["path_m"] + 1e-9).all()


# --- the dark-stretch pieces (dark_labels, dark_stretch_of): what a scenario's dark stretches
# are found again with; oracle: networkx's connected components of the dark edges ------------
def _stretches_by_networkx(u, v, length, dark) -> np.ndarray:
    import networkx as nx

    g = nx.MultiGraph()
    for k in np.flatnonzero(dark):
        g.add_edge(int(u[k]), int(v[k]), key=int(k), length=float(length[k]))
    out = np.zeros(len(u))
    for comp in nx.connected_components(g):
        sub = g.subgraph(comp)
        total = sum(d["length"] for _, _, d in sub.edges(data=True))
        for _, _, k in sub.edges(keys=True):
            out[k] = total
    return out


@pytest.mark.parametrize("seed", range(6))
def test_dark_stretches_match_networkx_on_random_networks(seed):
    from geoplan.indicators.safety import dark_labels, dark_stretch_of

    rng = np.random.default_rng(seed)
    n, m = 60, 90
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)  # loops and parallel edges too
    length = rng.uniform(1, 100, m)
    dark = rng.random(m) < 0.5
    want = _stretches_by_networkx(u, v, length, dark)
    np.testing.assert_allclose(dark_stretch_of(u, v, length, dark, n), want)
    # only the dark edges' ends numbered (a few edges of a large network): the same lengths
    far = u + 10**9 * (u % 2)  # node ids far beyond the dark edges' count
    np.testing.assert_allclose(dark_stretch_of(far, v + 10**9 * (v % 2), length, dark), want)
    labels = dark_labels(u, v, dark, n)
    same = labels[u] == labels[v]
    assert same[dark].all()  # both ends of a dark edge on one stretch
    np.testing.assert_allclose(want[dark], np.bincount(labels[u[dark]], weights=length[dark])[
        labels[u[dark]]])
