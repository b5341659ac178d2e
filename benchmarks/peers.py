"""Peer timings (pandana, cityseer) on the exported reference graph; runs in the PEERS venv.

Not imported by geoplan. ``benchmarks/run_all.py`` makes ``benchmarks/work/peers-venv`` with
``python3 -m venv`` + ``pip install pandana cityseer`` and calls::

    benchmarks/work/peers-venv/bin/python benchmarks/peers.py GRAPH.npz {pandana|cityseer} RUNS

which prints one JSON line: per peer the build time (network construction, including
contraction / structure building) and the query times (median of RUNS) of

* ``within800``: weighted sum of the 8,000 opportunities within 800 m of each origin;
* ``nearest500``: network distance to the nearest of the 500 facilities (no lit share: neither
  peer can sum an edge attribute along the chosen route).

plus agreement checks against the exact answers geoplan wrote into the npz (``ref_*``).
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import numpy as np
from timing import timed


def run_pandana(z, runs):
    import pandana
    import pandas as pd

    x, y = z["x"], z["y"]
    n = len(x)
    t0 = time.perf_counter()
    net = pandana.Network(pd.Series(x, index=np.arange(n)), pd.Series(y, index=np.arange(n)),
                          pd.Series(z["u"]), pd.Series(z["v"]),
                          pd.DataFrame({"length": z["length"]}), twoway=True)
    net.precompute(800)
    build = time.perf_counter() - t0
    orig, opp, w, fac = z["origins"], z["opp_nodes"], z["opp_w"], z["facilities"]

    def within():
        net.set(pd.Series(opp), variable=pd.Series(w), name="opp")
        return net.aggregate(800, type="sum", decay="flat", name="opp").to_numpy()[orig]

    t_within, res = timed(within, runs)
    fx, fy = x[fac], y[fac]
    t0 = time.perf_counter()
    net.set_pois("fac", 5000, 1, pd.Series(fx), pd.Series(fy))
    poi_build = time.perf_counter() - t0

    def nearest():
        return net.nearest_pois(5000, "fac", num_pois=1).iloc[:, 0].to_numpy()[orig]

    t_near, near = timed(nearest, runs)
    return {
        "version": pandana.__version__, "build_s": build + poi_build,
        "within800_s": t_within, "nearest500_s": t_near,
        "within800_max_abs_diff": float(np.abs(res - z["ref_within"]).max()),
        "nearest500_max_abs_diff": float(np.nanmax(np.abs(near - z["ref_near"]))),
        "note": "Network() builds a contraction hierarchy; aggregate() computes all nodes",
    }


def run_cityseer(z, runs):
    import geopandas as gpd
    import networkx as nx
    import shapely
    from cityseer import __version__ as cs_version  # noqa: F401  (absent in some releases)
    from cityseer.metrics import layers
    from cityseer.tools import io

    return _cityseer(z, runs, gpd, nx, shapely, layers, io)


def _cityseer(z, runs, gpd, nx, shapely, layers, io):
    import logging

    logging.getLogger("cityseer").setLevel(logging.ERROR)
    x, y, u, v = z["x"], z["y"], z["u"], z["v"]
    n = len(x)
    orig = z["origins"]
    live = np.zeros(n, bool)
    live[orig] = True
    t0 = time.perf_counter()
    g = nx.MultiGraph()
    for i in range(n):
        g.add_node(str(i), x=float(x[i]), y=float(y[i]), live=bool(live[i]))
    three = np.stack([np.c_[x[u], y[u]], np.c_[z["mx"], z["my"]], np.c_[x[v], y[v]]], axis=1)
    geoms = np.where(z["bent"], shapely.linestrings(three), shapely.linestrings(three[:, [0, 2]]))
    for a, b, geom in zip(u.tolist(), v.tolist(), geoms, strict=True):
        g.add_edge(str(a), str(b), geom=geom)
    g.graph["crs"] = "EPSG:3006"
    nodes_gdf, _, ns = io.network_structure_from_nx(g)
    build = time.perf_counter() - t0
    opp, w, fac = z["opp_nodes"], z["opp_w"], z["facilities"]
    data = gpd.GeoDataFrame({"w": w, "uid": np.arange(len(w))},
                            geometry=gpd.points_from_xy(x[opp], y[opp]), crs="EPSG:3006")
    pos = nodes_gdf.index.get_indexer([str(i) for i in orig])

    def within():
        out = layers.compute_stats(data, ["w"], nodes_gdf.copy(), ns, distances=[800],
                                   data_id_col="uid")
        col = [c for c in out.columns if c.startswith("cc_w_sum_800")]
        return out[col[0]].to_numpy()[pos]

    t_within, res = timed(within, runs)
    fdata = gpd.GeoDataFrame({"cat": np.full(len(fac), "fac")}, geometry=gpd.points_from_xy(x[fac], y[fac]),
                             crs="EPSG:3006")

    def nearest():
        out = layers.compute_accessibilities(fdata, "cat", ["fac"], nodes_gdf.copy(), ns,
                                             distances=[3000])
        col = [c for c in out.columns if "nearest" in c]
        return out[col[0]].to_numpy()[pos]

    t_near, near = timed(nearest, runs)
    ok = np.isfinite(near) & np.isfinite(z["ref_near"])
    return {
        "version": _version("cityseer"), "build_s": build,
        "within800_s": t_within, "nearest500_s": t_near,
        "within800_max_abs_diff": float(np.nanmax(np.abs(res - z["ref_within"]))),
        "nearest500_max_abs_diff": float(np.abs(near[ok] - z["ref_near"][ok]).max()),
        "note": "build = networkx graph + io.network_structure_from_nx; only origin nodes live; "
                "nearest = compute_accessibilities with a 3 km search",
    }


def _version(name):
    from importlib.metadata import version

    return version(name)


def main():
    path, peer, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with np.load(path) as f:
        z = {k: f[k] for k in f.files}
    try:
        if peer == "pandana":
            res = run_pandana(z, runs)
            res["version"] = _version("pandana")
        elif peer == "cityseer":
            import geopandas as gpd
            import networkx as nx
            import shapely
            from cityseer.metrics import layers
            from cityseer.tools import io

            res = _cityseer(z, runs, gpd, nx, shapely, layers, io)
        else:
            raise SystemExit(f"unknown peer {peer}")
    except Exception as exc:  # report, do not hide
        res = {"error": f"{type(exc).__name__}: {exc}"}
    res["peer"] = peer
    for k in ("within800_s", "nearest500_s"):
        if k in res:
            res[k + "_median"] = statistics.median(res[k])
    print(json.dumps(res))


if __name__ == "__main__":
    main()
