"""One benchmark case per process (called by ``benchmarks/run_all.py``; usable alone).

Usage::

    .venv/bin/python benchmarks/cases.py CASE [--input NAME] [--runs N] [--frac F] [--out F.json]

Cases
-----
``layers``     compute_layers (all layers, day and night) on ``--input`` = ``helsinki`` or
               ``synth:<nodes>``; ``--frac`` keeps that share of the grid cells (origins curve).
``scenario``   a one-edit scenario with ``geoplan.scenario`` when that module exists.
``reference``  the targets on the reference graph (``/work/shared/bench/reference_graph.py``):
               nearest-of-500 with lit share, within-800 m, one new edge and one densified cell
               recomputed exactly (bounded searches), and peak memory.
``networkx``   the networkx baselines on the same graph and query.
``coldstart``  import + build the routing graph from the npz + first query, in this (fresh)
               process.
``profile``    cProfile of compute_layers on ``--input`` (top functions to ``--out``.txt).

Each prints (and writes with ``--out``) a JSON list of rows: ``case``, ``input``, ``runs``,
``median_s``, ``min_s``, ``times_s``, ``peak_rss_mb`` (``ru_maxrss`` of this process: imports,
inputs and the computation), ``rss_before_mb`` (resident size before the timed part) and ``note``.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
REFERENCE_SCRIPT = Path("/work/shared/bench/reference_graph.py")
sys.path.insert(0, str(HERE))

from timing import timed  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def row(case: str, inp: str, ts: list[float], note: str = "", **extra) -> dict:
    return {"case": case, "input": inp, "runs": len(ts), "median_s": statistics.median(ts),
            "min_s": min(ts), "times_s": ts, "peak_rss_mb": round(peak_rss_mb(), 1),
            "note": note, **extra}


# ---------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------
def load_input(name: str):
    """``(data, network, cells, spec, sizes)`` for ``helsinki`` or ``synth:<nodes>``."""
    if name == "helsinki":
        from geoplan.datasets import demo_extract
        from geoplan.grid import GridSpec, make_grid
        from geoplan.network import build_walk_network
        from geoplan.population import population_from_buildings
        from geoplan.sources.osm import read_osm
        from geoplan.types import AccessSpec

        data = read_osm(demo_extract())
        net = build_walk_network(data)
        cells = population_from_buildings(make_grid(data.area, data.crs, GridSpec(100)),
                                          data.buildings, study_area=data.area)
        spec = AccessSpec()
    elif name.startswith("synth:"):
        from synth import municipality

        s = municipality(int(name.split(":", 1)[1]))
        data, net, cells, spec = s.data, s.network, s.cells, s.spec
    else:
        raise SystemExit(f"unknown input {name!r}: helsinki or synth:<nodes>")
    sizes = {"nodes": len(net.nodes), "edges": len(net.edges), "cells": len(cells),
             "populated_cells": int((cells["pop"] > 0).sum()),
             "destinations": len(data.destinations),
             "categories": len(spec.categories)}
    return data, net, cells, spec, sizes


def case_layers(args) -> list[dict]:
    import numpy as np

    from geoplan.study import Study, compute_layers

    data, net, cells, spec, sizes = load_input(args.input)
    if args.frac < 1.0:
        keep = np.random.default_rng(3).random(len(cells)) < args.frac
        cells = cells[keep]
        sizes["cells"] = len(cells)
        sizes["populated_cells"] = int((cells["pop"] > 0).sum())
    before = rss_now_mb()
    ts, layers = timed(lambda: compute_layers(Study(data, net, cells, spec=spec)), args.runs,
                       warmup=False)
    return [row("compute_layers (all layers, day + night)", args.input, ts,
                f"{layers.grid.shape[1]} columns", rss_before_mb=round(before, 1), **sizes)]


def case_profile(args) -> list[dict]:
    import cProfile
    import io
    import pstats

    from geoplan.study import Study, compute_layers

    data, net, cells, spec, sizes = load_input(args.input)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    compute_layers(Study(data, net, cells, spec=spec))
    prof.disable()
    total = time.perf_counter() - t0
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("cumulative").print_stats(r"geoplan|shapely|csgraph", 40)
    if args.out:
        Path(args.out).with_suffix(".txt").write_text(
            f"cProfile of compute_layers on {args.input} {sizes}: {total:.2f} s under the "
            f"profiler\n\n" + buf.getvalue())
    return [row("cProfile of compute_layers", args.input, [total], "see profile txt", **sizes)]


def _shortcut(net):
    """Two nodes near the middle, 90-160 m apart, with the longest network detour."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    from geoplan.routing import build_routing_graph

    g = build_routing_graph(net)
    xy = g.node_xy[: g.n_network_nodes]
    mid = xy.mean(axis=0)
    near = np.argsort(np.hypot(*(xy - mid).T))[:40]
    best, pair = -1.0, None
    d = dijkstra(g.csr, directed=True, indices=near, limit=3000.0)
    for i, a in enumerate(near):
        eu = np.hypot(*(xy - xy[a]).T)
        cand = np.flatnonzero((eu > 90) & (eu < 160))
        if len(cand) == 0:
            continue
        ratio = np.where(np.isfinite(d[i, cand]), d[i, cand] / eu[cand], 0.0)
        j = int(np.argmax(ratio))
        if ratio[j] > best:
            best, pair = float(ratio[j]), (int(a), int(cand[j]))
    return xy[pair[0]], xy[pair[1]], best


def case_scenario(args) -> list[dict]:
    import importlib.util

    name = "one-edit scenario (geoplan.scenario)"
    if importlib.util.find_spec("geoplan.scenario.recompute") is None:
        return [{"case": name, "input": args.input, "runs": 0, "median_s": None, "min_s": None,
                 "times_s": [], "peak_rss_mb": round(peak_rss_mb(), 1),
                 "note": "geoplan/scenario.py does not exist in this tree at run time: not "
                         "measured (see the bounded-search rows on the reference graph)"}]
    import shapely

    from geoplan import scenario as sc
    from geoplan.scenario.recompute import save_baseline
    from geoplan.study import Study
    from geoplan.types import Densify, NewPath, Scenario

    data, net, cells, spec, sizes = load_input(args.input)
    inputs = Study(data, net, cells, spec=spec)
    t0 = time.perf_counter()
    base = sc.prepare_baseline(inputs)
    t_base = time.perf_counter() - t0
    a, b, detour = _shortcut(net)
    path = Scenario("new lit shortcut", (NewPath(shapely.LineString([a, b]), lit=True),),
                    crs=net.crs)
    c = cells[cells["pop"] > 0]
    c = c.iloc[len(c) // 2]
    dens = Scenario("densify one cell", (Densify(c.geometry.buffer(-10), dwellings=100),),
                    crs=net.crs)
    WORK.mkdir(exist_ok=True)
    saved = WORK / f"baseline_{args.input.replace(':', '_')}.pkl"
    save_baseline(base, saved)
    mb = saved.stat().st_size / 2**20
    saved.unlink()
    rows = [row("  baseline for scenarios (compute_layers + prepare_baseline)", args.input,
                [t_base], f"once; saved baseline (save_baseline) {mb:.1f} MB", **sizes,
                saved_baseline_mb=round(mb, 2))]
    for label, scen in (("new lit path (one edit)", path), ("densify one cell", dens)):
        try:
            rows += _scenario_rows(base, scen, f"{name}: {label}", args, sizes,
                                   f"; detour ratio {detour:.1f}" if "path" in label else "")
        except Exception as exc:  # the module is being written: report, do not hide
            rows.append({"case": f"{name}: {label}", "input": args.input, "runs": 0,
                         "median_s": None, "min_s": None, "times_s": [],
                         "peak_rss_mb": round(peak_rss_mb(), 1),
                         "note": f"failed: {type(exc).__name__}: {str(exc)[:200]}"})
    return rows


def case_trial(args) -> list[dict]:
    """One more path on a kept baseline, end to end through the product's own path
    (:func:`geoplan.runs.trial.run_trial`: apply + recompute + the changed cells and area rows
    written into a GeoPackage); medians of the runs after one warm-up, with each step's
    median, CPU seconds and the number of cells written."""
    import importlib.util

    name = "one more path, end to end (geoplan.runs.trial.run_trial)"
    if importlib.util.find_spec("geoplan.runs.trial") is None:
        return [{"case": name, "input": args.input, "runs": 0, "median_s": None, "min_s": None,
                 "times_s": [], "peak_rss_mb": round(peak_rss_mb(), 1),
                 "note": "geoplan/runs/trial.py does not exist in this tree: not measured"}]
    import tempfile

    import shapely

    from geoplan import scenario as sc
    from geoplan.runs.trial import run_trial, start_trials
    from geoplan.study import Study
    from geoplan.types import NewPath, Scenario

    data, net, cells, spec, sizes = load_input(args.input)
    session = start_trials(sc.prepare_baseline(Study(data, net, cells, spec=spec)))
    a, b, detour = _shortcut(net)
    path = Scenario("new lit shortcut", (NewPath(shapely.LineString([a, b]), lit=True),),
                    crs=net.crs)
    out = Path(tempfile.mkdtemp(prefix="trial_", dir=WORK if WORK.is_dir() else None))
    run_trial(session, path, out)  # warm-up
    ts, cpu, steps = [], [], []
    for _ in range(args.runs):
        c0, t0 = time.process_time(), time.perf_counter()
        res = run_trial(session, path, out)
        ts.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        steps.append(dict(res.seconds))
    med = {k: statistics.median(s[k] for s in steps) * 1e3 for k in steps[0]}
    kb = (out / "geoplan.gpkg").stat().st_size / 1024
    return [row(f"{name}: new lit path, apply + recompute + write the changed cells",
                args.input, ts,
                "steps (median ms): " + ", ".join(f"{k} {v:.0f}" for k, v in med.items())
                + f"; CPU {statistics.median(cpu):.2f} s; {len(res.cells)} cells of "
                f"{len(cells)} written ({kb:.0f} kB GeoPackage); routing "
                f"{res.stats.routing_s * 1e3:.0f} ms ({res.stats.graphs} graphs)",
                cpu_median_s=statistics.median(cpu), **sizes)]


def _scenario_rows(base, scen, name: str, args, sizes: dict, extra: str) -> list[dict]:
    """The product's scenario API on ``scen``: apply + incremental recompute, timed
    interleaved with the full recompute mode (``compute_layers`` on the edited inputs) in this
    process; the results compared cell by cell."""
    import numpy as np
    import pandas as pd

    from geoplan import scenario as sc
    from geoplan.study import compute_layers

    sc.recompute(base, sc.apply_scenario(scen, base.inputs))  # warm-up
    t_apply, t_inc, t_full, t_route, cpu_inc = [], [], [], [], []
    for _ in range(args.runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        applied = sc.apply_scenario(scen, base.inputs)
        t1 = time.perf_counter()
        layers, stats = sc.recompute(base, applied)
        t2 = time.perf_counter()
        cpu_inc.append(time.process_time() - c0)
        full = compute_layers(applied.inputs)
        t3 = time.perf_counter()
        t_apply.append(t1 - t0)
        t_inc.append(t2 - t0)
        t_full.append(t3 - t2 + t1 - t0)
        # the routing part (RecomputeStats.routing_s; older code did not measure it)
        t_route.append(getattr(stats, "routing_s", math.nan))
    diff = 0.0
    for col in full.grid.columns:
        if col in layers.grid and pd.api.types.is_float_dtype(full.grid[col]):
            x = full.grid[col].to_numpy(float)
            y = layers.grid[col].reindex(full.grid.index).to_numpy(float)
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.any():
                diff = max(diff, float(np.abs(x[ok] - y[ok]).max()))
    cells = ", ".join(f"{k} {v}" for k, v in dict(stats.cells).items())
    m_inc, m_full = statistics.median(t_inc), statistics.median(t_full)
    m_route = statistics.median(t_route)
    route = ("routing not measured (no RecomputeStats.routing_s)" if math.isnan(m_route) else
             f"routing {m_route * 1e3:.1f} ms ({getattr(stats, 'graphs', '')} graphs)")
    m_cpu = statistics.median(cpu_inc)
    return [row(f"{name}, apply + recompute", args.input, t_inc,
                f"mode {stats.mode}; apply {statistics.median(t_apply) * 1e3:.0f} ms of it; "
                f"{route}; CPU {m_cpu:.2f} s; "
                f"cells recomputed: {cells}; full recompute mode {m_full:.2f} s "
                f"({m_full / m_inc:.0f}x slower); max |diff| vs full {diff:.2g}{extra}",
                apply_median_s=statistics.median(t_apply),
                routing_median_s=None if math.isnan(m_route) else m_route,
                cpu_median_s=m_cpu, **sizes),
            row(f"{name}, same with the full recompute mode (apply + compute_layers)",
                args.input, t_full, "interleaved with the rows above", **sizes)]


# ---------------------------------------------------------------------------------------------
# the reference graph
# ---------------------------------------------------------------------------------------------
def reference_npz() -> Path:
    import subprocess

    path = WORK / "reference_graph.npz"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(REFERENCE_SCRIPT), str(path)], check=True)
    return path


def reference_arrays() -> dict:
    import numpy as np

    with np.load(reference_npz()) as z:
        return {k: z[k] for k in z.files}


def walk_network(z):
    import geopandas as gpd
    import numpy as np
    import shapely

    from geoplan.types import WalkNetwork

    x, y, u, v = z["x"], z["y"], z["u"], z["v"]
    three = np.stack([np.c_[x[u], y[u]], np.c_[z["mx"], z["my"]], np.c_[x[v], y[v]]], axis=1)
    geoms = np.where(z["bent"], shapely.linestrings(three), shapely.linestrings(three[:, [0, 2]]))
    nodes = gpd.GeoDataFrame({"osmid": -np.arange(1, len(x) + 1)},
                             geometry=gpd.points_from_xy(x, y), crs="EPSG:3006")
    edges = gpd.GeoDataFrame(
        {"u": u, "v": v, "length_m": z["length"], "lit": np.where(z["lit"], "yes", "no")},
        geometry=geoms, crs="EPSG:3006")
    return WalkNetwork(nodes=nodes, edges=edges, crs="EPSG:3006")


def node_route_fields(graph, dest):
    """Node-level nearest-destination fields (distance, lit m, source) — a scenario's baseline."""
    import numpy as np

    from geoplan.routing import LIT_CODES, _arc_positions, _multi_source, _sum_to_root

    dist, pred, source = _multi_source(graph, np.asarray(dest), math.inf, predecessors=True)
    child = np.flatnonzero(pred >= 0)
    pos = _arc_positions(graph.csr, pred[child], child)
    seg = np.zeros(graph.n_nodes)
    seg[child] = np.where(graph.arc_lit[pos] == LIT_CODES["yes"], graph.csr.data[pos], 0.0)
    return dist, _sum_to_root(pred, seg), source


def new_edge_update(graph, fields, dmax, a, b, length, lit_yes):
    """Exact nearest-destination fields after adding edge a-b (bounded search, see below).

    A shortest route uses a new edge at most once, so ``d'(x) = min(d(x), d(a) + L + d_b(x),
    d(b) + L + d_a(x))``; only one orientation can help (the end with the smaller ``d`` feeds
    the other), and only nodes with ``d_b(x) < dmax - d(a) - L`` can improve: one Dijkstra
    from the far end, limited to that radius.
    """
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    dist, lit_m, source = fields
    if dist[a] > dist[b]:
        a, b = b, a
    via = dist[a] + length
    if not via < dist[b]:
        return np.empty(0, np.int64), None, None, None  # nothing improves
    lim = dmax - via
    db, pred = dijkstra(graph.csr, directed=True, indices=b, limit=lim, return_predecessors=True)
    cand = via + db
    better = np.flatnonzero(cand < dist)
    # lit metres from each improved node back to b along the local tree (pointer jumping)
    reached = np.flatnonzero(np.isfinite(db))
    loc = np.full(graph.n_nodes, -1, np.int64)
    loc[reached] = np.arange(len(reached))
    p = pred[reached]
    has = p >= 0
    from geoplan.routing import LIT_CODES, _arc_positions, _sum_to_root

    seg = np.zeros(len(reached))
    pos = _arc_positions(graph.csr, p[has], reached[has])
    seg[has] = np.where(graph.arc_lit[pos] == LIT_CODES["yes"], graph.csr.data[pos], 0.0)
    lp = np.where(has, loc[np.maximum(p, 0)], -1)
    acc = _sum_to_root(lp, seg)
    new_d = cand[better]
    new_lit = lit_m[a] + (length if lit_yes else 0.0) + acc[loc[better]]
    return better, new_d, new_lit, source[a]


def within_update(graph, base_counts_node, opp_w_node, orig_nodes, a, b, length, radius):
    """Exact weighted count within ``radius`` for the origins that the new edge a-b can affect.

    Only an origin within ``radius - L`` of ``a`` or ``b`` can use the new edge; those are
    recomputed on the local subgraph (all nodes within ``radius`` of them) with the edge added.
    """
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    from geoplan.routing import _subgraph

    near = dijkstra(graph.csr, directed=True, indices=[a, b], limit=radius - length,
                    min_only=True)
    hit = orig_nodes[np.isfinite(near[orig_nodes])]
    if len(hit) == 0:
        return hit, np.empty(0)
    xy = graph.node_xy
    reach = radius * graph.reach_factor
    lo, hi = xy[hit].min(axis=0) - reach, xy[hit].max(axis=0) + reach
    nodes = np.flatnonzero((xy[:, 0] >= lo[0]) & (xy[:, 0] <= hi[0]) & (xy[:, 1] >= lo[1])
                           & (xy[:, 1] <= hi[1]))
    sub, local = _subgraph(graph.csr, nodes)
    la, lb = local[a], local[b]
    extra = sp.csr_matrix(([length, length], ([la, lb], [lb, la])), shape=sub.shape)
    sub = _with_arcs(sub, extra)
    dist = dijkstra(sub, directed=True, indices=local[hit], limit=radius * (1 + 1e-12) + 1e-9)
    w_local = opp_w_node[nodes]
    return hit, (dist <= radius) @ w_local


def _with_arcs(sub, extra):
    """``sub`` with the arcs of ``extra`` added (the shorter wins where both exist)."""
    import numpy as np
    import scipy.sparse as sp

    a, e = sub.tocoo(), extra.tocoo()
    r, c, d = np.r_[a.row, e.row], np.r_[a.col, e.col], np.r_[a.data, e.data]
    order = np.lexsort((d, c, r))
    key = r[order].astype(np.int64) * sub.shape[0] + c[order]
    sel = order[np.r_[True, key[1:] != key[:-1]]]
    return sp.csr_matrix((d[sel], (r[sel], c[sel])), shape=sub.shape)


def interleaved(fns, runs: int) -> list[tuple[list[float], object]]:
    """``timed`` for several functions, run in turn (one warm-up each): machine load hits all."""
    results = [fn() for fn in fns]
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - t0)
    return list(zip(times, results, strict=True))


def ratio_note(ts: list[float], ref: list[float]) -> str:
    return f"{statistics.median(ts) / statistics.median(ref):.2f}x"


def within_floor(graph, origins, opportunities, radius_m: float):
    """The scipy calls alone of an exact within-``radius_m`` query, as a function to time: one
    bounded Dijkstra per square tile (side ``2 * radius_m``) of the smaller node set, on the
    subgraph of the nodes within ``radius_m`` of the tile (made here with scipy, untimed). A
    reference, not the product: no reduction, distances only, no geoplan code."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    o, d = np.unique(origins), np.unique(opportunities)
    src = d if len(d) < len(o) else o
    limit = radius_m * (1 + 1e-12) + 1e-9
    cell = np.floor(graph.node_xy[src] / (2.0 * radius_m)).astype(np.int64)
    _, tile_of = np.unique(cell, axis=0, return_inverse=True)
    blocks = []
    for t in range(int(tile_of.max()) + 1):
        s = src[tile_of.ravel() == t]
        ball = dijkstra(graph.csr, directed=True, indices=s, limit=limit, min_only=True)
        nodes = np.flatnonzero(ball <= limit)
        blocks.append((graph.csr[nodes][:, nodes], np.searchsorted(nodes, s)))

    def run() -> int:
        return sum(dijkstra(sub, directed=True, indices=ix, limit=limit).shape[0]
                   for sub, ix in blocks)

    return run


def plan_mb(plan) -> float:
    """Megabytes held by a tile plan (``geoplan.routing._tile_plan``)."""
    return sum(t.sub.data.nbytes + t.sub.indices.nbytes + t.sub.indptr.nbytes + t.ids.nbytes
               + t.src_pos.nbytes + t.tgt_pos.nbytes for t in plan) / 2**20


def case_reference(args) -> list[dict]:
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    from geoplan.routing import (
        RoutingGraph,
        _csr_from_arcs,
        _reach_factor,
        build_routing_graph,
        count_within,
        nearest_route,
    )

    try:
        from geoplan.routing import _TILE_PLANS, _tile_plan
    except ImportError:  # an older tree (run_all.py --old-tree): no tile plan kept on a graph
        _TILE_PLANS = _tile_plan = None

    runs = max(5, args.runs)
    z = reference_arrays()
    inp = "reference graph (50,176 nodes)"
    rows = []
    before = rss_now_mb()
    if args.lean:  # the routing engine alone: arrays -> graph, no GeoDataFrames
        from geoplan.routing import graph_from_arrays

        ts, graph = timed(lambda: graph_from_arrays(np.c_[z["x"], z["y"]], z["u"], z["v"],
                                                    z["length"], np.where(z["lit"], "yes", "no")),
                          runs)
        rows.append(row("graph_from_arrays", inp, ts, "lean process"))
    else:
        t0 = time.perf_counter()
        net = walk_network(z)
        rows.append(row("WalkNetwork from arrays (GeoDataFrames)", inp,
                        [time.perf_counter() - t0], "input preparation, once"))
        ts, graph = timed(lambda: build_routing_graph(net), runs)
        rows.append(row("build_routing_graph", inp, ts, "once per network"))
    orig, fac, opp, opp_w = z["origins"], z["facilities"], z["opp_nodes"], z["opp_w"]
    src = np.unique(fac)
    (ts, route), (t_floor, _) = interleaved(
        [lambda: nearest_route(graph, orig, fac),
         lambda: dijkstra(graph.csr, directed=True, indices=src, min_only=True)], runs)
    rows.append(row("nearest of 500 with lit share, 20k origins", inp, ts,
                    f"mean lit share {np.nanmean(route.lit_share):.3f}; "
                    f"{ratio_note(ts, t_floor)} the scipy floor below (target <= 1.5x)",
                    target_s=0.015))
    rows.append(row("  floor: one scipy multi-source dijkstra (distance only)", inp, t_floor,
                    "C reference of nearest (scipy 'dijkstra', min_only=True)"))
    # within: the first call on a graph makes its tiles; the same query asked again keeps them
    # on the graph (made with network balls on the second ask) and reuses them after that
    def within_first():  # a new graph object each time: nothing kept on it
        return count_within(dataclasses.replace(graph), orig, opp, [800.0], weights=opp_w)

    def within_again():
        return count_within(graph, orig, opp, [800.0], weights=opp_w)

    within_again()  # the first ask: only its key is kept
    t0 = time.perf_counter()
    within_again()  # the second ask: makes and keeps the plan
    t_second = time.perf_counter() - t0
    (ts, within), (t_again, again), (t_floor, _) = interleaved(
        [within_first, within_again, within_floor(graph, orig, opp, 800.0)], runs)
    assert np.array_equal(within, again)
    rows.append(row("opportunities within 800 m, 20k origins", inp, ts,
                    f"mean {within.mean():.1f}; {ratio_note(ts, t_floor)} the scipy floor below;"
                    " first call on the graph (each run on a new graph object): tiles made",
                    target_s=0.35, stretch_s=0.15))
    if _TILE_PLANS is None:  # an older tree keeps nothing: the again row is another first call
        rows.append(row("  same query asked again (nothing kept on the graph: older tree)", inp,
                        t_again, f"{ratio_note(t_again, t_floor)} the scipy floor below"))
    else:
        o_u, d_u = np.unique(orig), np.unique(opp)
        src, tgt = (o_u, d_u) if len(o_u) <= len(d_u) else (d_u, o_u)
        t_plan, _ = timed(lambda: len(list(_tile_plan(
            graph, src, tgt, 800.0 * (1 + 1e-12) + 1e-9, 1600.0, balls=True)[1])), runs)
        plan = _TILE_PLANS[graph][1]  # the plan the graph keeps (the one timed is let go)
        rows.append(row("  same query asked again (tile plan kept on the graph)", inp, t_again,
                        f"{ratio_note(t_again, t_floor)} the scipy floor below (target <= 1.2x);"
                        f" the second ask, which makes and keeps the plan: {t_second * 1e3:.0f}"
                        " ms"))
        rows.append(row("  tile plan kept on the graph (network balls), once per graph and "
                        "query", inp, t_plan, f"{len(plan)} tiles, "
                        f"{sum(t.sub.nnz for t in plan):,} arcs, {plan_mb(plan):.1f} MB; like "
                        "build_routing_graph: made once, not in the query rows"))
        del plan
    rows.append(row("  floor: scipy bounded dijkstra per source tile, within 800 m (reference)",
                    inp, t_floor, "C reference of within: the scipy calls alone (distance only, "
                    "no reduction) on each tile's subgraph, prepared untimed"))

    # ---- one new edge, recomputed exactly with bounded searches --------------------------
    a, b = (int(i) for i in z["new_edge"])
    length = float(z["new_len"])
    fields = node_route_fields(graph, fac)
    dmax = float(np.max(fields[0][np.isfinite(fields[0])]))
    opp_w_node = np.bincount(opp, weights=opp_w, minlength=graph.n_nodes)

    def edit():
        upd = new_edge_update(graph, fields, dmax, a, b, length, lit_yes=True)
        hit, counts = within_update(graph, None, opp_w_node, orig, a, b, length, 800.0)
        return upd, hit, counts

    ts, (upd, hit, counts) = timed(edit, runs)
    # check against a full recompute on the graph with the edge
    coo = graph.csr.tocoo()
    csr2, lit2 = _csr_from_arcs(np.r_[coo.row, a, b].astype(np.int64),
                                np.r_[coo.col, b, a].astype(np.int64),
                                np.r_[coo.data, length, length], np.r_[graph.arc_lit, 1, 1],
                                graph.n_nodes)
    g2 = RoutingGraph(csr2, graph.node_xy, lit2, graph.n_network_nodes, (),
                      _reach_factor(csr2, graph.node_xy))
    full_route = nearest_route(g2, orig, fac)
    full_within = count_within(g2, orig, opp, [800.0], weights=opp_w)[:, 0]
    new_d = route.distance_m.copy()
    new_lit = route.lit_m.copy()
    better, nd, nl, _ = upd
    pos_in_orig = np.full(graph.n_nodes, -1, np.int64)
    pos_in_orig[orig] = np.arange(len(orig))
    sel = pos_in_orig[better] >= 0
    new_d[pos_in_orig[better[sel]]] = nd[sel]
    new_lit[pos_in_orig[better[sel]]] = nl[sel]
    new_within = within[:, 0].copy()
    new_within[pos_in_orig[hit]] = counts
    d_diff = float(np.abs(new_d - full_route.distance_m).max())
    l_diff = float(np.abs(new_lit - full_route.lit_m).max())
    w_diff = float(np.abs(new_within - full_within).max())
    rows.append(row("one new edge: nearest-of-500 + lit and within-800 m, exact update "
                    "(reference implementation, not the product: see the scenario rows)", inp,
                    ts, f"{int(sel.sum())} origins get nearer, {len(hit)} origins' counts "
                    f"recomputed; vs full recompute: max |d| diff {d_diff:.2g} m, lit "
                    f"{l_diff:.2g} m, count {w_diff:g}", target_s=0.020,
                    full_recompute_s=None))
    t_full, _ = timed(lambda: (nearest_route(g2, orig, fac),  # a first call on the graph
                               count_within(dataclasses.replace(g2), orig, opp, [800.0],
                                            weights=opp_w)), runs)
    rows.append(row("  same by full recompute (for comparison)", inp, t_full))

    # ---- one densified cell: +50 dwellings at one opportunity node -----------------------
    centre = int(np.argmin(np.hypot(*(graph.node_xy[opp] - graph.node_xy.mean(axis=0)).T)))
    p = int(opp[centre])
    delta = 50.0

    def densify():
        d = dijkstra(graph.csr, directed=True, indices=p, limit=800.0 * (1 + 1e-12) + 1e-9)
        reached = np.flatnonzero(d[orig] <= 800.0)
        return reached

    ts, reached = timed(densify, runs)
    w2 = opp_w.copy()
    w2[centre] += delta
    full = count_within(graph, orig, opp, [800.0], weights=w2)[:, 0]
    upd_within = within[:, 0].copy()
    upd_within[reached] += delta
    rows.append(row("one densified cell (+50 at one node): within-800 m update (reference "
                    "implementation, not the product: see the scenario rows)", inp, ts,
                    f"{len(reached)} origins change; vs full recompute max diff "
                    f"{float(np.abs(upd_within - full).max()):g}", target_s=0.002))
    what = ("routing engine alone: graph_from_arrays + every query above" if args.lean else
            "with GeoDataFrames (WalkNetwork) + build_routing_graph + every query above")
    # the 150 MB target is the routing engine's (the lean process); with GeoDataFrames the row
    # is for information (geopandas and the WalkNetwork alone hold ~90 MB)
    rows.append({**row(f"peak memory, {what}", inp, [0.0],
                       f"resident before: {before:.0f} MB (interpreter and imports)"
                       + ("" if args.lean else "; the 150 MB target is the routing engine "
                          "alone: the lean row below")),
                 "median_s": None, "min_s": None, "runs": "",
                 "target_mb": 150 if args.lean else None})
    if args.lean:
        return rows[-1:]
    return rows


def case_networkx(args) -> list[dict]:
    import networkx as nx
    import numpy as np

    runs = max(3, args.runs)
    z = reference_arrays()
    inp = "reference graph (50,176 nodes)"
    rows = []
    t0 = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(len(z["x"])))
    g.add_weighted_edges_from(zip(z["u"].tolist(), z["v"].tolist(), z["length"].tolist(),
                                  strict=True))
    lit = {(int(a), int(b)): bool(x) for a, b, x in zip(z["u"], z["v"], z["lit"], strict=True)}
    build = time.perf_counter() - t0
    rows.append(row("networkx: build graph", inp, [build]))
    orig, fac, opp, opp_w = z["origins"], z["facilities"], z["opp_nodes"], z["opp_w"]
    rng = np.random.default_rng(0)
    sample = rng.choice(orig, args.sample, replace=False)
    scale = len(orig) / len(sample)
    opp_sum = np.bincount(opp, weights=opp_w, minlength=len(z["x"]))

    def within():
        for s in sample.tolist():
            reach = nx.single_source_dijkstra_path_length(g, s, cutoff=800.0)
            opp_sum[list(reach)].sum()

    ts, _ = timed(within, runs)
    rows.append(row("networkx: within 800 m, per-origin Dijkstra with cutoff", inp,
                    [t * scale for t in ts],
                    f"{len(sample)} origins measured, scaled x{scale:.0f} to 20k"))
    facs = set(fac.tolist())

    def nearest_per_origin():
        # per origin: Dijkstra with cutoff until the nearest facility, then lit along its path
        for s in sample.tolist():
            dist, paths = nx.single_source_dijkstra(g, s, cutoff=3000.0)
            best = min((d, n) for n, d in dist.items() if n in facs)
            path = paths[best[1]]
            sum(g[x][y]["weight"] for x, y in zip(path[:-1], path[1:], strict=True)
                if lit.get((x, y), lit.get((y, x))))

    ts, _ = timed(nearest_per_origin, runs)
    rows.append(row("networkx: nearest of 500 with lit share, per-origin Dijkstra (3 km cutoff)",
                    inp, [t * scale for t in ts],
                    f"{len(sample)} origins measured, scaled x{scale:.0f} to 20k"))

    def nearest_multi():
        dist, paths = nx.multi_source_dijkstra(g, facs)
        for o in orig.tolist():
            path = paths[o]
            sum(g[x][y]["weight"] for x, y in zip(path[:-1], path[1:], strict=True)
                if lit.get((x, y), lit.get((y, x))))

    ts, _ = timed(nearest_multi, runs)
    rows.append(row("networkx: nearest of 500 with lit share, one multi-source Dijkstra + paths",
                    inp, ts, "networkx's best formulation"))
    ts, _ = timed(lambda: nx.multi_source_dijkstra_path_length(g, facs), runs)
    rows.append(row("networkx: nearest of 500, distance only (multi-source)", inp, ts))
    return rows


def case_coldstart(args) -> list[dict]:
    """Import + build the routing graph straight from arrays + the first query."""
    import numpy as np

    from geoplan.routing import graph_from_arrays, nearest_route

    t_import = time.perf_counter()
    with np.load(reference_npz()) as z:
        x, y, u, v, length, lit = z["x"], z["y"], z["u"], z["v"], z["length"], z["lit"]
        orig, fac = z["origins"], z["facilities"]
    graph = graph_from_arrays(np.c_[x, y], u, v, length, np.where(lit, "yes", "no"))
    t_graph = time.perf_counter()
    route = nearest_route(graph, orig, fac)
    t_done = time.perf_counter()
    return [{"case": "cold start in process", "input": "reference graph (50,176 nodes)",
             "import_s": t_import - T_START, "graph_s": t_graph - t_import,
             "query_s": t_done - t_graph, "total_s": t_done - T_START,
             "mean_lit_share": float(np.nanmean(route.lit_share)),
             "peak_rss_mb": round(peak_rss_mb(), 1)}]


CASES = {"layers": case_layers, "profile": case_profile, "scenario": case_scenario,
         "trial": case_trial,
         "reference": case_reference, "networkx": case_networkx, "coldstart": case_coldstart}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--input", default="helsinki")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--frac", type=float, default=1.0)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--lean", action="store_true", help="reference: arrays only")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")
    rows = CASES[args.case](args)
    text = json.dumps(rows, default=float)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
