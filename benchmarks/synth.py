"""Synthetic municipality-like inputs for the benchmarks (no OSM download).

:func:`municipality` builds, for a target number of walk-network nodes, everything
:func:`geoplan.study.compute_layers` needs — an :class:`~geoplan.types.OsmData`, a
:class:`~geoplan.types.WalkNetwork` and a 100 m grid with population — in SWEREF99 TM.

The network follows ``/work/shared/bench/reference_graph.py``: a jittered square grid of nodes
(``spacing_m`` apart, +-26 % jitter), a random spanning tree of the grid edges (connected, with
dead ends) plus random extra grid edges up to 1.5 edges per node, ~30 % of edges bent at their
midpoint, lengths = polyline length. On top of it:

* lighting clustered by distance to the centre (lit / dark by tag, ~15 % unknown, ~0.3 %
  tunnels), one lamp at the middle of ~60 % of the lit edges;
* buildings (12-20 m squares beside edges, 1-6 storeys, ~85 % residential) in a settled zone
  (a dense centre plus a few satellite towns, ~40 % of the land), so ~40 % of the 100 m cells
  have people (population from buildings, SCB's 42 m² per person);
* destinations of 8 categories (school, preschool, grocery, transit_stop, healthcare, library,
  sports, playground) 3-30 m beside edges, denser where people live;
* green spaces: parks of 0.2-6 ha (some with a lawn polygon inside them), ~1 per 300 nodes.

Everything is deterministic for a given ``(n_nodes, seed)``.

Usage (writes nothing; prints sizes)::

    .venv/bin/python benchmarks/synth.py 10000
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import minimum_spanning_tree

from geoplan.types import AccessSpec, OsmData, WalkNetwork

CRS = "EPSG:3006"
X0, Y0 = 650_000.0, 6_570_000.0  # somewhere around Stockholm, in SWEREF99 TM
#: the 8 categories of the municipality benchmark, with destinations per 10,000 nodes
CATEGORY_DENSITY = {
    "school": 6, "preschool": 18, "grocery": 20, "transit_stop": 120, "healthcare": 8,
    "library": 2, "sports": 20, "playground": 30,
}
CATEGORIES = tuple(CATEGORY_DENSITY)


@dataclass(frozen=True)
class Synthetic:
    data: OsmData
    network: WalkNetwork
    cells: gpd.GeoDataFrame
    spec: AccessSpec

    def sizes(self) -> dict[str, int]:
        return {
            "nodes": len(self.network.nodes), "edges": len(self.network.edges),
            "cells": len(self.cells), "populated_cells": int((self.cells["pop"] > 0).sum()),
            "destinations": len(self.data.destinations), "buildings": len(self.data.buildings),
            "green": len(self.data.green), "lamps": len(self.data.lamps),
        }


def network_arrays(n_nodes: int, rng: np.random.Generator, spacing_m: float) -> dict:
    """Jittered grid + spanning tree + extra edges (the reference generator, vectorised)."""
    s = max(3, int(round(np.sqrt(n_nodes))))
    n = s * s
    jit = 0.26 * spacing_m
    ii, jj = np.divmod(np.arange(n), s)
    x = X0 + jj * spacing_m + rng.uniform(-jit, jit, n)
    y = Y0 + ii * spacing_m + rng.uniform(-jit, jit, n)
    idx = np.arange(n).reshape(s, s)
    h = np.c_[idx[:, :-1].ravel(), idx[:, 1:].ravel()]
    v = np.c_[idx[:-1, :].ravel(), idx[1:, :].ravel()]
    cand = np.vstack([h, v])
    rw = rng.uniform(1, 2, len(cand))
    tree = minimum_spanning_tree(sp.coo_matrix((rw, (cand[:, 0], cand[:, 1])), shape=(n, n))).tocoo()
    tkey = np.minimum(tree.row, tree.col).astype(np.int64) * n + np.maximum(tree.row, tree.col)
    in_tree = np.isin(cand[:, 0].astype(np.int64) * n + cand[:, 1], tkey)
    target = int(round(1.5 * n))
    extra = rng.choice(np.flatnonzero(~in_tree), max(0, target - int(in_tree.sum())), replace=False)
    e = cand[np.sort(np.r_[np.flatnonzero(in_tree), extra])]
    u, w = e[:, 0], e[:, 1]
    dx, dy = x[w] - x[u], y[w] - y[u]
    straight = np.hypot(dx, dy)
    bent = rng.random(len(e)) < 0.30
    off = rng.uniform(-0.28, 0.28, len(e)) * straight * bent
    mx = (x[u] + x[w]) / 2 - dy / straight * off
    my = (y[u] + y[w]) / 2 + dx / straight * off
    return {"x": x, "y": y, "u": u, "v": w, "mx": mx, "my": my, "bent": bent, "side": s}


def municipality(n_nodes: int, *, seed: int = 7, spacing_m: float = 50.0,
                 cell_size_m: int = 100) -> Synthetic:
    """Municipality-like inputs with about ``n_nodes`` walk-network nodes (see the module doc)."""
    from geoplan.grid import GridSpec, make_grid
    from geoplan.population import population_from_buildings

    rng = np.random.default_rng(seed)
    a = network_arrays(n_nodes, rng, spacing_m)
    x, y, u, v = a["x"], a["y"], a["u"], a["v"]
    m = len(u)
    three = np.stack([np.c_[x[u], y[u]], np.c_[a["mx"], a["my"]], np.c_[x[v], y[v]]], axis=1)
    lines = np.where(a["bent"], shapely.linestrings(three), shapely.linestrings(three[:, [0, 2]]))
    length = shapely.length(lines)
    side_m = a["side"] * spacing_m
    cx, cy = (x[u] + x[v]) / 2, (y[u] + y[v]) / 2

    # settled zone: a centre and a few satellite towns (smooth "density" in 0..1)
    centres = np.r_[[[X0 + side_m / 2, Y0 + side_m / 2, 0.22 * side_m]],
                    np.c_[X0 + rng.uniform(0.1, 0.9, 4) * side_m,
                          Y0 + rng.uniform(0.1, 0.9, 4) * side_m,
                          rng.uniform(0.07, 0.12, 4) * side_m]]

    def density(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        d = np.zeros(len(px))
        for ccx, ccy, r in centres:
            d = np.maximum(d, np.exp(-((px - ccx) ** 2 + (py - ccy) ** 2) / (2 * r * r)))
        return d

    dens_e = density(cx, cy)
    # lighting: lit in the settled zone, dark outside; ~15 % unknown (no tag, no lamps)
    lit_p = np.clip(0.25 + 0.7 * dens_e, 0.2, 0.95)
    lit = np.where(rng.random(m) < lit_p, "yes", "no").astype(object)
    unknown = rng.random(m) < 0.15
    lit[unknown] = "unknown"
    tunnel = rng.random(m) < 0.003
    highway = rng.choice(np.array(["footway", "residential", "service", "path", "tertiary"],
                                  dtype=object), m, p=[0.35, 0.3, 0.15, 0.1, 0.1])
    edges = gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64), "v": v.astype(np.int64), "length_m": length, "lit": lit,
            "lit_source": np.where(unknown, "none", "tag").astype(object),
            "lamp_share": np.where(lit == "yes", 0.6, 0.0), "tunnel": tunnel,
            "bridge": np.zeros(m, bool), "highway": highway, "name": "", "surface": "",
            "lit_tag": np.where(unknown, "", lit).astype(object),
            "osmid": (np.arange(m) + 1).astype(str).astype(object),
        },
        geometry=lines, crs=CRS,
    )
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, len(x) + 1, dtype=np.int64)},
                             geometry=shapely.points(x, y), crs=CRS)
    nodes.index.name = "node"
    net = WalkNetwork(nodes=nodes, edges=edges, crs=CRS)

    # lamps: middle of ~60 % of the lit edges
    lamp_e = np.flatnonzero((lit == "yes") & (rng.random(m) < 0.6))
    lamp_pts = shapely.line_interpolate_point(lines[lamp_e], 0.5, normalized=True)
    lamps = gpd.GeoDataFrame({"lamp_id": [f"osm/n{i}" for i in lamp_e], "source": "osm"},
                             geometry=lamp_pts, crs=CRS)

    def beside(edge_idx: np.ndarray, lo: float, hi: float) -> np.ndarray:
        """Points part-way along the edges, ``lo..hi`` metres to a random side."""
        k = len(edge_idx)
        t = rng.uniform(0.15, 0.85, k)
        p = shapely.get_coordinates(shapely.line_interpolate_point(lines[edge_idx], t,
                                                                   normalized=True))
        dxx, dyy = (x[v] - x[u])[edge_idx], (y[v] - y[u])[edge_idx]
        nrm = np.hypot(dxx, dyy)
        off = rng.uniform(lo, hi, k) * rng.choice([-1.0, 1.0], k)
        return p + np.c_[-dyy / nrm * off, dxx / nrm * off]

    # buildings in the settled zone
    settled = np.flatnonzero(rng.random(m) < np.where(dens_e > 0.3, 0.9 * dens_e, 0.0))
    b_e = settled[rng.random(len(settled)) < 0.55]
    b_xy = beside(b_e, 14.0, 22.0)
    half = rng.uniform(6.0, 10.0, len(b_e))
    b_geom = shapely.box(b_xy[:, 0] - half, b_xy[:, 1] - half, b_xy[:, 0] + half,
                         b_xy[:, 1] + half)
    use = rng.choice(np.array(["residential", "mixed", "non_residential", "unknown"],
                              dtype=object), len(b_e), p=[0.8, 0.05, 0.1, 0.05])
    levels = rng.integers(1, 7, len(b_e)).astype(float)
    foot = shapely.area(b_geom)
    buildings = gpd.GeoDataFrame(
        {"osm_id": np.arange(1, len(b_e) + 1), "osm_type": "w", "building": "yes", "use": use,
         "levels": levels, "levels_source": "tag", "height_m": np.nan, "footprint_m2": foot,
         "floor_area_m2": foot * levels},
        geometry=b_geom, crs=CRS,
    )

    # destinations: 8 categories, weighted towards the settled zone
    w_e = 0.05 + dens_e
    w_e = w_e / w_e.sum()
    rows = []
    for cat, per10k in CATEGORY_DENSITY.items():
        k = max(2, int(round(per10k * len(x) / 10_000)))
        rows.append((cat, beside(rng.choice(m, k, p=w_e), 3.0, 30.0)))
    cats = np.concatenate([np.full(len(p), c, dtype=object) for c, p in rows])
    d_xy = np.vstack([p for _, p in rows])
    destinations = gpd.GeoDataFrame(
        {"osm_id": np.arange(1, len(cats) + 1), "osm_type": "n", "category": cats,
         "name": None, "footprint_m2": 0.0},
        geometry=shapely.points(d_xy), crs=CRS,
    )

    # green spaces: parks, some with a lawn inside (overlapping polygons are dissolved)
    k = max(3, len(x) // 300)
    gx = X0 + rng.uniform(0, side_m, k)
    gy = Y0 + rng.uniform(0, side_m, k)
    area = rng.uniform(2_000, 60_000, k)
    aspect = rng.uniform(0.5, 2.0, k)
    gw, gh = np.sqrt(area * aspect), np.sqrt(area / aspect)
    parks = shapely.box(gx - gw / 2, gy - gh / 2, gx + gw / 2, gy + gh / 2)
    lawn_of = np.flatnonzero(rng.random(k) < 0.3)
    lawns = shapely.box(gx[lawn_of] - gw[lawn_of] / 4, gy[lawn_of] - gh[lawn_of] / 4,
                        gx[lawn_of] + gw[lawn_of] / 4, gy[lawn_of] + gh[lawn_of] / 4)
    g_geom = np.r_[parks, lawns]
    g_kind = np.r_[np.full(k, "park", dtype=object), np.full(len(lawns), "grass", dtype=object)]
    green = gpd.GeoDataFrame(
        {"osm_id": np.arange(1, len(g_geom) + 1), "osm_type": "w", "kind": g_kind,
         "name": None, "public": rng.random(len(g_geom)) < 0.95,
         "area_ha": shapely.area(g_geom) / 10_000},
        geometry=g_geom, crs=CRS,
    )

    study = shapely.box(x.min(), y.min(), x.max(), y.max())
    ways = gpd.GeoDataFrame({"osm_id": edges["osmid"], "highway": highway},
                            geometry=lines, crs=CRS)
    data = OsmData(crs=nodes.crs, area=study, ways=ways, lamps=lamps, green=green,
                   destinations=destinations, buildings=buildings, source=f"synthetic:{n_nodes}")
    cells = population_from_buildings(make_grid(study, CRS, GridSpec(cell_size_m)), buildings,
                                      study_area=study)
    return Synthetic(data, net, cells, AccessSpec(categories=CATEGORIES))


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    s = municipality(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    print(s.sizes(), f"{time.perf_counter() - t0:.1f} s")
    print(s.data.destinations["category"].value_counts().to_dict())
    print(pd.Series(s.cells["pop"]).describe().round(1).to_dict())
