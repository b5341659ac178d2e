"""Benchmark of geoplan.routing on the 50k-node reference walk network (run on demand).

Usage::

    .venv/bin/python benchmarks/bench_routing.py [--runs 7] [--sample 200]

Makes ``benchmarks/work/reference_graph.npz`` with ``/work/shared/bench/reference_graph.py`` if
it is missing, then measures (median of ``--runs`` runs, ``time.perf_counter``):

* nearest of 500 facilities for the 20,000 origin nodes, with the lit share along each route
  (:func:`geoplan.routing.nearest_route`); target <= 15 ms;
* the weighted sum of 8,000 opportunities within 800 m of each of the 20,000 origins
  (:func:`geoplan.routing.count_within`); target <= 0.35 s;
* in the same run, the networkx baseline: ``single_source_dijkstra_path_length(cutoff=800)``
  per origin on a sample of origins, scaled to 20,000, and one networkx multi-source Dijkstra
  for the nearest facility. Results of both engines are compared on the sample.

Origins, facilities and opportunities sit exactly on nodes, as in the reference query. One
extra case attaches 20,000 points along edges (snapping, splitting) to show that cost too.
Writes ``benchmarks/results/routing.md`` and ``routing.csv``.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import scipy
import shapely
from scipy.sparse.csgraph import dijkstra
from timing import cpu_model, timed

from geoplan.routing import (
    attach_points,
    build_routing_graph,
    count_within,
    lit_mask,
    nearest_distance_m,
    nearest_route,
)
from geoplan.types import WalkNetwork

HERE = Path(__file__).resolve().parent
WORK, RESULTS = HERE / "work", HERE / "results"
REFERENCE_SCRIPT = Path("/work/shared/bench/reference_graph.py")
CRS = "EPSG:3006"


def reference_data() -> dict[str, np.ndarray]:
    """Load the reference graph, generating it first if needed."""
    path = WORK / "reference_graph.npz"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(REFERENCE_SCRIPT), str(path)], check=True)
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def walk_network(z: dict[str, np.ndarray]) -> WalkNetwork:
    """The reference graph as a WalkNetwork (bent edges get their midpoint vertex)."""
    x, y, u, v = z["x"], z["y"], z["u"], z["v"]
    three = np.stack([np.c_[x[u], y[u]], np.c_[z["mx"], z["my"]], np.c_[x[v], y[v]]], axis=1)
    geoms = np.where(z["bent"], shapely.linestrings(three), shapely.linestrings(three[:, [0, 2]]))
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, len(x) + 1)},
                             geometry=gpd.points_from_xy(x, y), crs=CRS)
    edges = gpd.GeoDataFrame(
        {"u": u, "v": v, "length_m": z["length"], "lit": np.where(z["lit"], "yes", "no")},
        geometry=geoms, crs=CRS,
    )
    return WalkNetwork(nodes=nodes, edges=edges, crs=CRS)


def points_along_edges(net: WalkNetwork, k: int, rng: np.random.Generator) -> gpd.GeoSeries:
    """``k`` points part-way along random edges, 0-5 m to the side (like address points)."""
    lines = net.edges.geometry.values[rng.integers(0, len(net.edges), k)]
    pts = shapely.line_interpolate_point(lines, rng.uniform(0.05, 0.95, k), normalized=True)
    xy = shapely.get_coordinates(pts) + rng.uniform(-3.5, 3.5, (k, 2))
    return gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)


def networkx_graph(z: dict[str, np.ndarray]) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(len(z["x"])))
    edges = zip(z["u"].tolist(), z["v"].tolist(), z["length"].tolist(), strict=True)
    g.add_weighted_edges_from(edges)
    return g


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="timed runs per case (median reported)")
    ap.add_argument("--sample", type=int, default=200, help="origins for the networkx baseline")
    args = ap.parse_args(argv)
    runs = max(5, args.runs)
    rows: list[dict[str, object]] = []

    def add(case: str, times: list[float], target_s: float | None = None, note: str = "") -> None:
        med = statistics.median(times)
        rows.append({
            "case": case, "runs": len(times), "median_s": med, "min_s": min(times),
            "target_s": "" if target_s is None else target_s,
            "meets_target": "" if target_s is None else ("yes" if med <= target_s else "NO"),
            "note": note,
        })
        print(f"{case:62s} median {med * 1000:10.2f} ms  min {min(times) * 1000:10.2f} ms")

    z = reference_data()
    net = walk_network(z)
    fac, orig, opp, opp_w = z["facilities"], z["origins"], z["opp_nodes"], z["opp_w"]
    n_orig = len(orig)

    t, graph = timed(lambda: build_routing_graph(net), runs)
    add("build_routing_graph (50,176 nodes, 75,000 edges)", t, note="once per network")

    # ---- nearest of 500 with the lit share along the route -----------------------------
    t, route = timed(lambda: nearest_route(graph, orig, fac), runs)
    add("nearest of 500 with lit share, 20k origins (nearest_route)", t, 0.015,
        f"mean lit share {np.nanmean(route.lit_share):.3f}")
    t, near = timed(lambda: nearest_distance_m(graph, orig, fac), runs)
    add("nearest of 500, distance only (nearest_distance_m)", t)
    src = np.unique(fac)
    t, _ = timed(lambda: dijkstra(graph.csr, directed=True, indices=src, min_only=True,
                                  return_predecessors=True), runs)
    add("  floor: one scipy multi-source dijkstra call, same graph", t,
        note="what any csgraph-based engine must spend")
    night = build_routing_graph(net, edge_mask=lit_mask(net))
    t, near_night = timed(lambda: nearest_distance_m(night, orig, fac), runs)
    add("nearest of 500 on the lit-only network (night)", t,
        note=f"{int(np.isinf(near_night).sum())} origins reach no facility on lit paths")
    assert np.all(near_night >= near - 1e-9)

    # ---- opportunities within 800 m ----------------------------------------------------
    t, within = timed(lambda: count_within(graph, orig, opp, [800.0], weights=opp_w), runs)
    add("opportunities within 800 m, 20k origins (count_within)", t, 0.35,
        f"default tiles (1600 m); mean {within.mean():.1f} weighted opportunities")
    for tile in (800.0, 3200.0):
        tt, other = timed(lambda tile=tile: count_within(graph, orig, opp, [800.0],
                                                         weights=opp_w, tile_m=tile), runs)
        assert np.array_equal(other, within)
        add(f"  same with tile_m={tile:.0f}", tt, note="identical result")
    t, _ = timed(lambda: count_within(graph, orig, opp, [400.0, 800.0, 1200.0],
                                      weights=opp_w), runs)
    add("opportunities within 400/800/1200 m, 20k origins", t)

    # ---- networkx baseline in the same run ---------------------------------------------
    g_nx = networkx_graph(z)
    rng = np.random.default_rng(0)
    sample = rng.choice(orig, min(args.sample, n_orig), replace=False)
    opp_sum = np.bincount(opp, weights=opp_w, minlength=len(z["x"]))

    def nx_within() -> np.ndarray:
        out = np.empty(len(sample))
        for i, s in enumerate(sample.tolist()):
            reach = nx.single_source_dijkstra_path_length(g_nx, s, cutoff=800.0, weight="weight")
            out[i] = opp_sum[list(reach)].sum()
        return out

    t, nx_counts = timed(nx_within, runs)
    scale = n_orig / len(sample)
    add(f"networkx within 800 m, scaled from {len(sample)} to 20k origins",
        [x * scale for x in t], note=f"measured on {len(sample)} origins x {scale:.0f}")
    ours = count_within(graph, sample, opp, [800.0], weights=opp_w)[:, 0]
    within_diff = float(np.abs(ours - nx_counts).max())
    t, nx_near = timed(lambda: nx.multi_source_dijkstra_path_length(g_nx, set(fac.tolist())),
                       runs)
    add("networkx nearest of 500 (multi-source, distance only)", t)
    near_diff = float(np.abs(near - np.array([nx_near[o] for o in orig.tolist()])).max())

    # ---- points along edges (snapping and splitting) -----------------------------------
    pts = points_along_edges(net, n_orig, np.random.default_rng(1))
    t, att = timed(lambda: attach_points(net, pts, max_snap_m=25.0), runs)
    add("attach_points: 20k points along edges", t, note=f"{att.n_unattached} unattached")
    fac_att = attach_points(net, points_along_edges(net, 500, np.random.default_rng(2)))
    t, split = timed(lambda: build_routing_graph(net, [att, fac_att]), runs)
    add("build_routing_graph with 20.5k split points", t, note=f"{split.n_nodes} nodes")
    o_nodes, f_nodes = split.point_nodes
    t, _ = timed(lambda: nearest_route(split, o_nodes, f_nodes), runs)
    add("nearest of 500 with lit share, points along edges", t)
    t, _ = timed(lambda: count_within(split, o_nodes, opp, [800.0], weights=opp_w), runs)
    add("opportunities within 800 m, origins along edges", t)

    write_results(rows, within_diff, near_diff, len(sample))
    return 0


def environment() -> str:
    cpu = cpu_model()
    return (f"{cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()}, "
            f"numpy {np.__version__}, scipy {scipy.__version__}, networkx {nx.__version__}")


def write_results(rows: list[dict[str, object]], within_diff: float, near_diff: float,
                  n_sample: int) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / "routing.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = [
        "# Routing benchmark (geoplan.routing)",
        "",
        f"Generated by `benchmarks/bench_routing.py` on {time.strftime('%Y-%m-%d %H:%M')}.",
        f"Machine: {environment()}.",
        "Reference network: `/work/shared/bench/reference_graph.py` (50,176 nodes, 75,000 "
        "edges, 500 facilities, 20,000 origin nodes, 8,000 weighted opportunities).",
        "Times are the median of the runs after one warm-up (`time.perf_counter`), single "
        "thread. The networkx within-800 m baseline ran on a sample of "
        f"{n_sample} origins in the same process and is scaled linearly to 20,000.",
        "",
        "| case | runs | median | min | target | met | note |",
        "|---|---:|---:|---:|---:|:---:|---|",
    ]
    for r in rows:
        target = "" if r["target_s"] == "" else _ms(float(r["target_s"]))
        lines.append(f"| {r['case'].strip()} | {r['runs']} | {_ms(r['median_s'])} | "
                     f"{_ms(r['min_s'])} | {target} | {r['meets_target']} | {r['note']} |")
    lines += [
        "",
        f"Agreement with networkx: within-800 m sums on the {n_sample} sampled origins differ "
        f"by at most {within_diff:g}; nearest-facility distances for all 20,000 origins by at "
        f"most {near_diff:.3g} m.",
        "",
    ]
    (RESULTS / "routing.md").write_text("\n".join(lines))
    print(f"wrote {RESULTS / 'routing.md'} and routing.csv")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


if __name__ == "__main__":
    raise SystemExit(main())
