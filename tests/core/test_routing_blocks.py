"""Within-radius sums per category and nearest routes against networkx (an independent oracle)
on networks made from arrays: categories sharing nodes and tiles, runs from either node set,
one-way arcs, and an edge far shorter than the straight line between its ends (a large
``reach_factor``: the distance blocks must stay exact however far a short walk can jump)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from geoplan import routing
from geoplan.indicators.access import category_sums
from geoplan.routing import (
    LIT_CODES,
    add_inbound_arcs,
    count_within,
    graph_from_arrays,
    gravity_beta,
    nearest_route,
)

RADII = (100.0, 250.0, 400.0)


@pytest.fixture(autouse=True, params=[0.0, math.inf], ids=["ball", "box"])
def subgraphs(request, monkeypatch):
    """Every test twice: tiles solved on network balls, and on boxes widened by reach_factor."""
    monkeypatch.setattr(routing, "BOX_MAX_REACH_FACTOR", request.param)
CATS = ("a", "b", "c")


def _grid(seed: int, side: int = 20, spacing: float = 60.0):
    """Jittered grid (1.2 km across: several 800 m tiles), 80 % of its edges, random lit."""
    rng = np.random.default_rng(seed)
    n = side * side
    r, c = np.divmod(np.arange(n), side)
    xy = np.c_[c * spacing, r * spacing] + rng.uniform(-8, 8, (n, 2))
    cand = np.array([(i, i + 1) for i in range(n) if (i + 1) % side]
                    + [(i, i + side) for i in range(n - side)])
    uv = cand[rng.random(len(cand)) < 0.8]
    length = np.hypot(*(xy[uv[:, 0]] - xy[uv[:, 1]]).T) * rng.uniform(1.0, 1.2, len(uv))
    lit = rng.choice(["yes", "no", "unknown"], len(uv), p=[0.5, 0.3, 0.2])
    return rng, xy, uv, length, lit


def _digraph(n, uv, length, lit, one_way=()) -> nx.DiGraph:
    """Both directions of every edge (the shorter of parallels) plus ``one_way`` arcs."""
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    arcs = [(a, b, w, li) for (a, b), w, li in zip(uv.tolist(), length, lit, strict=True)]
    arcs += [(b, a, w, li) for a, b, w, li in arcs] + list(one_way)
    for a, b, w, li in arcs:
        if not g.has_edge(a, b) or g[a][b]["weight"] > w:
            g.add_edge(a, b, weight=float(w), lit=li)
    return g


def _destinations(rng, n):
    """35 destination nodes; some carry two categories, one node the same category twice."""
    nodes = rng.choice(n, 35, replace=False)
    cats = rng.choice(CATS, 35)
    nodes = np.r_[nodes, nodes[:6], nodes[7]]
    cats = np.concatenate([cats, [CATS[(CATS.index(c) + 1) % 3] for c in cats[:6]], cats[7:8]])
    return nodes, cats


def _oracle_sums(g, o_nodes, d_nodes, cats, beta, reverse: bool):
    """``out[c][i] = [n within each radius, gravity]`` by one networkx Dijkstra per node."""
    out = {c: np.zeros((len(o_nodes), len(RADII) + 1)) for c in CATS}
    lim = max(RADII)
    if reverse:  # distance from each destination to the origins (one-way arcs lead in)
        per_d = {d: nx.single_source_dijkstra_path_length(g, d, cutoff=lim) for d in set(d_nodes)}
        dist = [[per_d[d].get(o, math.inf) for d in d_nodes] for o in o_nodes]
    else:
        per_o = [nx.single_source_dijkstra_path_length(g, o, cutoff=lim) if o >= 0 else None
                 for o in o_nodes]
        dist = [[p.get(d, math.inf) for d in d_nodes] if p is not None else
                [math.nan] * len(d_nodes) for p in per_o]
    dist = np.array(dist)
    for c in CATS:
        dc = dist[:, cats == c]
        cols = [(dc <= r).sum(axis=1) for r in RADII]
        cols.append(np.where(dc <= lim, np.exp(-beta * dc), 0.0).sum(axis=1))
        out[c] = np.stack(cols, axis=1).astype(float)
        out[c][np.asarray(o_nodes) < 0] = np.nan
    return out


def _kernel(beta):
    def kernel(dist):
        with np.errstate(invalid="ignore"):
            return [dist <= r for r in RADII] + [np.where(dist <= max(RADII),
                                                          np.exp(-beta * dist), 0.0)]
    return kernel


@pytest.mark.parametrize("n_orig", [12, 150])  # from the origins / from the destinations
def test_category_sums_share_nodes_and_tiles_match_networkx(n_orig):
    rng, xy, uv, length, lit = _grid(seed=n_orig)
    n = len(xy)
    graph = graph_from_arrays(xy, uv[:, 0], uv[:, 1], length, lit)
    d_nodes, cats = _destinations(rng, n)
    o_nodes = np.r_[rng.choice(n, n_orig - 2, replace=False), d_nodes[0], -1]
    beta = gravity_beta(150.0)
    want = _oracle_sums(_digraph(n, uv, length, lit), o_nodes, d_nodes, cats, beta, False)
    for _ in range(3):  # the tiles made, made and kept on the graph, kept
        got = category_sums(graph, o_nodes, d_nodes, cats, CATS, max(RADII), _kernel(beta),
                            len(RADII) + 1)
        for c in CATS:
            np.testing.assert_allclose(got[c], want[c], rtol=1e-12, atol=1e-12)
    assert np.nansum(want["a"][:, 2]) > 0 and np.nansum(want["b"][:, 0]) > 0  # not empty


def test_category_sums_with_one_way_arcs_into_origins_match_networkx():
    rng, xy, uv, length, lit = _grid(seed=3)
    n = len(xy)
    o_nodes = rng.choice(n, 60, replace=False)
    d_nodes, cats = _destinations(rng, n)
    # one-way arcs from a node 2 grid steps away straight into 20 origins
    tails = np.where(o_nodes[:20] + 2 < n, o_nodes[:20] + 2, o_nodes[:20] - 2)
    w = np.hypot(*(xy[tails] - xy[o_nodes[:20]]).T)
    graph = add_inbound_arcs(graph_from_arrays(xy, uv[:, 0], uv[:, 1], length, lit),
                             o_nodes[:20], tails, w, np.full(20, LIT_CODES["yes"], np.int8))
    one_way = [(int(t), int(h), float(x), "yes") for t, h, x in zip(tails, o_nodes[:20], w,
                                                                     strict=True)]
    beta = gravity_beta(150.0)
    g = _digraph(n, uv, length, lit, one_way)
    want = _oracle_sums(g, o_nodes, d_nodes, cats, beta, True)
    for _ in range(3):  # the tiles made, made and kept on the graph (one-way balls), kept
        got = category_sums(graph, o_nodes, d_nodes, cats, CATS, max(RADII), _kernel(beta),
                            len(RADII) + 1)
        for c in CATS:
            np.testing.assert_allclose(got[c], want[c], rtol=1e-12, atol=1e-12)
    # nearest route from the destinations, with its lit metres, on the same one-way graph
    route = nearest_route(graph, o_nodes, d_nodes)
    dist, paths = nx.multi_source_dijkstra(g, set(d_nodes.tolist()))
    reached = [o for o in o_nodes.tolist() if o in dist]
    np.testing.assert_allclose(route.distance_m, [dist.get(o, math.inf) for o in o_nodes])
    lit_m = [sum(g[a][b]["weight"] for a, b in zip(paths[o][:-1], paths[o][1:], strict=True)
                 if g[a][b]["lit"] == "yes") for o in reached]
    np.testing.assert_allclose(route.lit_m[np.isin(o_nodes, reached)], lit_m, atol=1e-9)


def test_short_edge_between_far_nodes_is_exact():
    """A 5 m edge joining opposite corners (1.6 km apart: ``reach_factor`` > 300): a walk
    of 400 m reaches across the whole network, and every tile must still see it."""
    rng, xy, uv, length, lit = _grid(seed=7)
    n = len(xy)
    uv = np.vstack([uv, [0, n - 1]])
    length, lit = np.r_[length, 5.0], np.concatenate([lit, ["yes"]])
    graph = graph_from_arrays(xy, uv[:, 0], uv[:, 1], length, lit)
    assert graph.reach_factor > 300
    d_nodes, cats = _destinations(rng, n)
    d_nodes[:3] = [n - 1, n - 2, n - 1 - 20]  # next to the far corner
    o_nodes = np.r_[0, 1, 20, rng.choice(n, 40, replace=False)]
    g = _digraph(n, uv, length, lit)
    want = _oracle_sums(g, o_nodes, d_nodes, np.full(len(d_nodes), "a"), gravity_beta(150.0),
                        False)["a"]
    got = count_within(graph, o_nodes, d_nodes, RADII, tile_m=200.0)
    np.testing.assert_array_equal(got, want[:, :-1])
    assert want[0, 0] >= 2  # the corner origin counts the destinations across the short edge


@pytest.mark.parametrize("radii_m,cutoff_m", [((100.0, 250.0), 400.0), ((150.0, 400.0), 250.0)])
def test_access_counts_and_gravity_when_cutoff_differs_from_radii(radii_m, cutoff_m):
    """Counts and gravity come from one pass up to the larger reach; homes and destinations
    stand on nodes (no access legs), so networkx on the node graph is the whole answer."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geoplan.indicators.access import access_indicators
    from geoplan.types import AccessSpec, WalkNetwork

    rng, xy, uv, length, lit = _grid(seed=11, side=12)
    n = len(xy)
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, n + 1)}, geometry=gpd.points_from_xy(*xy.T),
                             crs=3006)
    edges = gpd.GeoDataFrame({"u": uv[:, 0], "v": uv[:, 1], "length_m": length, "lit": lit},
                             geometry=shapely.linestrings(xy[uv]), crs=3006)
    net = WalkNetwork(nodes=nodes, edges=edges, crs=3006)
    d_nodes, cats = _destinations(rng, n)
    real = dict(zip(CATS, ("school", "grocery", "library"), strict=True))
    cats = np.array([real[c] for c in cats])
    homes = rng.choice(np.unique(uv), 30, replace=False)
    origins = gpd.GeoSeries(gpd.points_from_xy(*xy[homes].T), crs=3006,
                            index=pd.Index([f"c{i}" for i in range(30)], name="cell_id"))
    dests = gpd.GeoDataFrame({"category": cats}, geometry=gpd.points_from_xy(*xy[d_nodes].T),
                             crs=3006)
    spec = AccessSpec(categories=tuple(real.values()), radii_m=radii_m, gravity_half_distance_m=150.0,
                      gravity_cutoff_m=cutoff_m)
    got = access_indicators(net, origins, dests, spec)
    g = _digraph(n, uv, length, lit)
    beta = gravity_beta(150.0)
    for i, o in enumerate(homes.tolist()):
        lengths = nx.single_source_dijkstra_path_length(g, o)
        for c in real.values():
            d = np.array([lengths.get(x, math.inf) for x in d_nodes[cats == c].tolist()])
            for r in radii_m:
                assert got[f"n_{c}_{int(r)}m"].iat[i] == (d <= r).sum()
            want = np.where(d <= cutoff_m, np.exp(-beta * d), 0.0).sum()
            assert got[f"gravity_{c}"].iat[i] == pytest.approx(want, rel=1e-12, abs=1e-15)
            assert got[f"dist_{c}_m"].iat[i] == pytest.approx(d.min(), rel=1e-12)
