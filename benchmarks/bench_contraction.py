"""Benchmark of the query graph of a first within query (on demand): where short-cutting the
chains and passing junctions by pays, and where the product's thresholds put it.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_contraction.py [--runs 7] [--town 200000]

On the reference graph (50,176 nodes, ``cases.reference_arrays``), ``count_within`` from the
20,000 origins to ``n`` random destination nodes (the Dijkstra sources, the smaller side) at
400 and 800 m, each call a first call on a new graph object, in four settings interleaved per
round (the order alternating):

* **whole graph**: no query graph (``SHORTCUT_MIN_COVER = inf``);
* **chains**: chains always short-cut, junctions never passed by;
* **chains + junctions**: both always;
* **product**: the thresholds as shipped (``routing._cover`` decides).

With ``--town N``: the one within query of ``compute_layers`` on the synthetic town of N way
nodes (residents within the green-space reach, from every populated cell), its distance blocks
alone with and without the junctions passed by. Writes ``results/contraction.md``; every
setting's answers are compared with the whole graph's (max |diff|).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cases import reference_arrays, walk_network  # noqa: E402

from geoplan import routing  # noqa: E402

SETTINGS = {
    "whole graph": (math.inf, math.inf),
    "chains": (0.0, math.inf),
    "chains + junctions": (0.0, 0.0),
    "product": (routing.SHORTCUT_MIN_COVER, routing.BYPASS_MIN_COVER),
}


def _set(setting: str) -> None:
    routing.SHORTCUT_MIN_COVER, routing.BYPASS_MIN_COVER = SETTINGS[setting]


def _chosen(cover: float) -> str:
    if cover < SETTINGS["product"][0]:
        return "whole graph"
    return "chains" if cover < SETTINGS["product"][1] else "chains + junctions"


def reference_rows(runs: int) -> list[str]:
    z = reference_arrays()
    graph = routing.build_routing_graph(walk_network(z))
    rng = np.random.default_rng(0)
    rows = []
    for n in (100, 500, 1000, 2000, 4000, 7373):
        dests = (z["opp_nodes"], z["opp_w"]) if n == 7373 else (
            rng.choice(graph.n_nodes, n, replace=False), None)
        for radius in (400.0, 800.0):
            times = {s: [] for s in SETTINGS}
            answers = {}
            for r in range(runs):
                for s in (SETTINGS if r % 2 == 0 else list(SETTINGS)[::-1]):
                    _set(s)
                    t0 = time.perf_counter()
                    answers[s] = routing.count_within(dataclasses.replace(graph), z["origins"],
                                                      dests[0], [radius], weights=dests[1])
                    times[s].append(time.perf_counter() - t0)
            _set("product")
            diff = max(float(np.nanmax(np.abs(a - answers["whole graph"])))
                       for a in answers.values())
            cover = routing._cover(graph, len(np.unique(dests[0])), radius)
            med = {s: statistics.median(t) * 1e3 for s, t in times.items()}
            rows.append(f"| {len(np.unique(dests[0])):,} | {radius:.0f} m | {cover:.1f} | "
                        + " | ".join(f"{med[s]:.1f}" for s in SETTINGS)
                        + f" | {_chosen(cover)} | {diff:g} |")
            print(rows[-1], flush=True)
    return rows


def town_rows(size: int, runs: int) -> list[str]:
    from cases import load_input

    from geoplan.study import Study, compute_layers

    data, net, cells, spec, _ = load_input(f"synth:{size}")
    seen = {}
    blocks = routing._distance_blocks

    def capture(graph, src, tgt, limit_m, tile_m, progress, contract=False):
        if contract:
            seen.update(graph=graph, src=src, tgt=tgt, limit=limit_m, tile=tile_m)
        yield from blocks(graph, src, tgt, limit_m, tile_m, progress, contract)

    routing._distance_blocks = capture
    try:
        compute_layers(Study(data, net, cells, spec=spec))
    finally:
        routing._distance_blocks = blocks
    if not seen:
        return [f"| synth:{size} | no first within query in compute_layers | | | |"]
    g, src, tgt = seen["graph"], seen["src"], seen["tgt"]
    keep = np.concatenate((src, tgt))
    cut = routing._shortcut(g, keep)
    fewer = routing._bypass_junctions(cut[0], cut[1], keep)

    def distances() -> float:
        t0 = time.perf_counter()
        for _ in routing._distance_blocks(dataclasses.replace(g), src, tgt, seen["limit"],
                                          seen["tile"], None, contract=True):
            pass
        return time.perf_counter() - t0

    times = {"chains": [], "chains + junctions": []}
    for r in range(runs):
        for s in (times if r % 2 == 0 else list(times)[::-1]):
            _set(s)
            times[s].append(distances())
    _set("product")
    cover = routing._cover(g, len(src), seen["limit"])
    med = {s: statistics.median(t) for s, t in times.items()}
    return [f"| synth:{size} | {len(src):,} sources, {seen['limit']:.0f} m, cover {cover:.0f} | "
            f"{g.n_nodes:,} -> {len(cut[1]):,} -> {len(fewer[1]):,} | "
            f"{med['chains']:.2f} s | {med['chains + junctions']:.2f} s |"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--town", type=int, default=0, help="way nodes of a synthetic town (0: none)")
    args = ap.parse_args(argv)
    head = ("| sources | radius | cover | " + " | ".join(f"{s} (ms)" for s in SETTINGS)
            + " | product uses | max abs diff |")
    lines = ["# Query graph of a first within query: where it pays", "",
             f"`benchmarks/bench_contraction.py --runs {args.runs}` on "
             f"{time.strftime('%Y-%m-%d %H:%M')} UTC; thresholds: chains from "
             f"{routing.SHORTCUT_MIN_COVER:g}, junctions from {routing.BYPASS_MIN_COVER:g} "
             "coverings (`routing._cover`: sources x the disc of the radius / the bounding box). "
             "Medians of first calls (a new graph object each), 20,000 origins on the reference "
             "graph; the 7,373-source rows are the reference query (weighted).", "",
             head, "|" + "---:|" * (len(SETTINGS) + 3) + "---|---:|", *reference_rows(args.runs)]
    if args.town:
        lines += ["", "| town | query | nodes: graph -> chains -> junctions | distances, chains "
                  "| chains + junctions |", "|---|---|---|---:|---:|",
                  *town_rows(args.town, max(3, args.runs // 2))]
    out = ROOT / "benchmarks" / "results" / "contraction.md"
    out.write_text("\n".join(lines) + "\n")
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
