"""Run every geoplan benchmark with its baselines in the same run; write the results table.

Usage::

    .venv/bin/python benchmarks/run_all.py            # full: Helsinki, 10k/50k/200k nodes (~10 min)
    .venv/bin/python benchmarks/run_all.py --quick    # Helsinki, 10k/50k nodes, fewer runs (~3 min)
    .venv/bin/python benchmarks/run_all.py --reference --old-tree DIR
        # only the reference graph cases (+ peers if their venv exists), this tree and DIR:
        # rewrites the reference sections of results/summary.md
    .venv/bin/python benchmarks/run_all.py --scenario helsinki,synth:50000 --old-tree DIR
        # only the scenario case (the product's scenario API vs its full recompute mode, and
        # the same case on an older checkout DIR, alternating): writes results/scenario.md
    .venv/bin/python benchmarks/run_all.py --trial synth:200000 [--old-tree DIR]
        # only one more path end to end (run_trial: apply + recompute + writing the changed
        # cells), optionally also on DIR: writes results/trial.md and trial.csv

Every case runs in its own fresh process (``benchmarks/cases.py``), so its peak memory
(``ru_maxrss``) is its own. Times are medians (``time.perf_counter``) of ``--runs`` runs
(>= 3; >= 5 on the reference graph). Peers (pandana, cityseer) run in a separate virtualenv,
``benchmarks/work/peers-venv`` (made here with ``python3 -m venv`` + ``pip install pandana
cityseer`` on first use; never in geoplan's venv), on the same graph and query exported as
``benchmarks/work/peer_query.npz``.

Writes ``benchmarks/results/summary.md`` and ``summary.csv`` (every row), ``origins_curve.csv``
(time vs number of origins) and ``profile_compute_layers.txt`` (cProfile of compute_layers).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from timing import cpu_model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK, RESULTS = HERE / "work", HERE / "results"
PY = sys.executable
PEERS_VENV = WORK / "peers-venv"
PEER_NPZ = WORK / "peer_query.npz"


def run_case(case: str, *args: str, timeout: float = 3600, tree: str | None = None
             ) -> list[dict]:
    """Rows of ``cases.py CASE ARGS`` run in a fresh process (on geoplan from ``tree``)."""
    out = WORK / f"case_{case}_{abs(hash(args)) % 10**8}.json"
    cmd = [PY, str(HERE / "cases.py"), case, *args, "--out", str(out)]
    print("  $", " ".join(cmd[1:]), flush=True)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    # "this tree" is this checkout, not whatever geoplan the venv has installed (a worktree
    # sharing another checkout's venv measured that checkout's code)
    env["PYTHONPATH"] = tree or str(ROOT)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-3000:])
        return [{"case": f"{case} {' '.join(args)}", "input": "", "note":
                 f"FAILED (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}"}]
    rows = json.loads(out.read_text())
    for r in rows:
        r["process_wall_s"] = wall
    return rows


def export_peer_query() -> None:
    code = f"""
import sys, numpy as np
sys.path.insert(0, {str(HERE)!r})
from cases import reference_arrays
from geoplan.routing import graph_from_arrays, count_within, nearest_distance_m
z = reference_arrays()
g = graph_from_arrays(np.c_[z['x'], z['y']], z['u'], z['v'], z['length'])
z['ref_within'] = count_within(g, z['origins'], z['opp_nodes'], [800.0], weights=z['opp_w'])[:, 0]
z['ref_near'] = nearest_distance_m(g, z['origins'], z['facilities'])
np.savez({str(PEER_NPZ)!r}, **z)
"""
    subprocess.run([PY, "-c", code], cwd=ROOT, check=True)


def ensure_peers_venv() -> str | None:
    """Make the peers venv if needed; return None when ready, else why not."""
    py = PEERS_VENV / "bin" / "python"
    if py.exists():
        ok = subprocess.run([str(py), "-c", "import pandana, cityseer"], capture_output=True)
        if ok.returncode == 0:
            return None
    try:
        if not py.exists():
            subprocess.run(["python3", "-m", "venv", str(PEERS_VENV)], check=True)
        p = subprocess.run([str(py), "-m", "pip", "install", "-q", "pandana", "cityseer"],
                           capture_output=True, text=True, timeout=1800)
    except Exception as exc:  # noqa: BLE001
        return f"could not make {PEERS_VENV}: {exc}"
    if p.returncode != 0:
        return "pip install pandana cityseer failed: " + p.stderr.strip()[-500:]
    return None


def run_peer(peer: str, runs: int) -> dict:
    py = PEERS_VENV / "bin" / "python"
    env = {**os.environ, "CITYSEER_QUIET_MODE": "1", "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    try:
        p = subprocess.run([str(py), str(HERE / "peers.py"), str(PEER_NPZ), peer, str(runs)],
                           capture_output=True, text=True, timeout=3600, env=env)
    except subprocess.TimeoutExpired:
        return {"peer": peer, "error": "timed out after 1 h"}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"peer": peer, "error": f"exit {p.returncode}: {p.stderr.strip()[-300:]}"}
    res = json.loads(lines[-1])
    res["process_wall_s"] = time.perf_counter() - t0
    return res


#: The cases run on their own (``--scenario``, ``--trial``): the title of their results file
#: and how they are measured.
ONLY_CASES = {
    "scenario": ("Scenario benchmark (the product's scenario API: `apply_scenario` + "
                 "`recompute`)",
                 "Each row is one process (`benchmarks/cases.py scenario`); the product's "
                 "incremental recompute and its full recompute mode (`compute_layers` on the "
                 "same edited inputs) are timed interleaved in that process, medians of the runs "
                 "after one warm-up; the old tree runs the same case file on the previous code, "
                 "right after."),
    "trial": ("Trial benchmark (one more path end to end: `run_trial`, writing the changed "
              "cells)",
              "Each row is one process (`benchmarks/cases.py trial`): apply + recompute + the "
              "changed cells and area rows written, on a baseline kept in the process; medians "
              "of the runs after one warm-up (wall and CPU time, `time.process_time`); the old "
              "tree runs the same case file on the previous code, right after."),
}
ONLY_KEYS = ["tree", "case", "input", "runs", "median_s", "min_s", "cpu_median_s",
             "apply_median_s", "saved_baseline_mb", "peak_rss_mb", "note"]


def case_only(case: str, inputs: list[str], runs: int, old_tree: str | None) -> int:
    """The case ``case`` of :data:`ONLY_CASES` on ``inputs``, this tree and ``old_tree``
    alternating; writes ``results/<case>.md`` and ``<case>.csv`` and prints the table."""
    t0 = time.perf_counter()
    title, method = ONLY_CASES[case]
    trees = [("this tree", None)] + ([(f"old tree ({old_tree})", old_tree)] if old_tree else [])
    rows = []
    for inp in inputs:
        for label, tree in trees:
            for r in run_case(case, "--input", inp, "--runs", str(runs), tree=tree):
                rows.append({**r, "tree": label})
    with open(RESULTS / f"{case}.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=ONLY_KEYS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    L = [f"# {title}", "",
         f"Generated by `benchmarks/run_all.py --{case} {','.join(inputs)}"
         f"{' --old-tree ' + old_tree if old_tree else ''}` on {time.strftime('%Y-%m-%d %H:%M')} "
         f"in {time.perf_counter() - t0:.0f} s.", f"Machine: {environment()}.", "", method, "",
         "| tree | case | input | runs | median | min | CPU median | peak memory | note |",
         "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        name = r.get("case", "").replace("one-edit scenario (geoplan.scenario): ", "")
        L.append(f"| {r['tree']} | {name} | {r.get('input', '')} | {r.get('runs', '')} | "
                 f"{fmt_s(r.get('median_s'))} | {fmt_s(r.get('min_s'))} | "
                 f"{fmt_s(r.get('cpu_median_s'))} | {r.get('peak_rss_mb', '')} MB | "
                 f"{r.get('note', '')} |")
    (RESULTS / f"{case}.md").write_text("\n".join(L) + "\n")
    print((RESULTS / f"{case}.md").read_text())
    return 0


def reference_only(runs: int, old_tree: str | None, no_peers: bool) -> int:
    """The reference graph cases (this tree, then ``old_tree``) and the peers; splices the
    reference sections into ``results/summary.md`` and writes ``results/reference.csv``."""
    t0 = time.perf_counter()
    rows = run_case("reference", "--runs", str(runs))
    rows += run_case("reference", "--runs", "5", "--lean")
    old = run_case("reference", "--runs", str(runs), tree=old_tree) if old_tree else []
    rows += run_case("networkx", "--runs", "3", "--sample", "50")
    peers: list[dict] = []
    if not no_peers:
        if not (PEERS_VENV / "bin" / "python").exists():
            peers = [{"peer": p, "error": f"no {PEERS_VENV.relative_to(ROOT)} here (the full "
                      "run makes it; --reference never installs)"} for p in ("pandana",
                                                                            "cityseer")]
        else:
            export_peer_query()
            peers = [run_peer("pandana", 3), run_peer("cityseer", 3)]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    with open(RESULTS / "reference.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["tree", "case", "runs", "median_s", "min_s", "note"])
        for tree, rs in (("this tree", rows), (f"old tree ({old_tree})", old)):
            for r in rs:
                w.writerow([tree, r["case"].strip(), r.get("runs"), r.get("median_s"),
                            r.get("min_s"), r.get("note", "")])
    note = (f"_Rewritten by `benchmarks/run_all.py --reference` on "
            f"{time.strftime('%Y-%m-%d %H:%M')} (commit {commit}, "
            f"{time.perf_counter() - t0:.0f} s); machine: {environment()}. The sections above "
            "are from the earlier full run (its header names its scipy)._")
    ref = reference_section(rows, peers)
    sec = ref[:2] + ["", note] + ref[2:]
    if old:
        sec += ["", f"Same reference case on the old tree ({old_tree}), run right after in "
                "its own process (product code of that tree, this benchmark):", "",
                "| case | this tree | old tree | note (old tree) |", "|---|---:|---:|---|"]
        now = {r["case"].strip(): r for r in rows}
        for r in old:
            if r.get("median_s") is not None and r["case"].strip() in now:
                sec.append(f"| {r['case'].strip()} | "
                           f"{fmt_s(now[r['case'].strip()].get('median_s'))} | "
                           f"{fmt_s(r['median_s'])} | {r.get('note', '')} |")
    md = (RESULTS / "summary.md").read_text()
    head, _, rest = md.partition("\n## Reference graph")
    _, mark, tail = rest.partition("\n## Cost vs number of origins")
    (RESULTS / "summary.md").write_text(head + "\n".join(sec) + "\n" + mark + tail)
    print("\n".join(sec))
    return 0


def environment() -> str:
    cpu = cpu_model()
    import numpy
    import scipy

    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()[0]
    return (f"{cpu}, {os.cpu_count()} logical CPUs{mem} (load {load:.1f} at the end: shared "
            f"machine); Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"scipy {scipy.__version__}")


def fmt_s(s) -> str:
    if s is None or s == "":
        return ""
    s = float(s)
    if s < 0.01:
        return f"{s * 1000:.2f} ms"
    if s < 10:
        return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"
    return f"{s:.1f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller inputs and fewer runs")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per case (>= 3)")
    ap.add_argument("--no-peers", action="store_true", help="skip pandana and cityseer")
    ap.add_argument("--scenario", metavar="INPUTS", help="only the scenario case on these "
                    "inputs (comma-separated: helsinki, synth:<nodes>); writes scenario.md")
    ap.add_argument("--trial", metavar="INPUTS", help="only one more path end to end "
                    "(run_trial, with writing the changed cells) on these inputs; writes "
                    "trial.md and trial.csv")
    ap.add_argument("--old-tree", metavar="DIR", help="with --scenario, --trial or "
                    "--reference: also run the case on the geoplan checkout DIR (e.g. a git "
                    "worktree of the previous commit)")
    ap.add_argument("--reference", action="store_true", help="only the reference graph cases "
                    "and the peers (when their venv exists: never made here); rewrites the "
                    "reference sections of summary.md")
    args = ap.parse_args(argv)
    runs = max(3, args.runs)
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.scenario:
        return case_only("scenario", args.scenario.split(","), runs, args.old_tree)
    if args.trial:
        return case_only("trial", args.trial.split(","), max(5, runs), args.old_tree)
    if args.reference:
        return reference_only(max(5, runs), args.old_tree, args.no_peers)
    sizes = [10_000, 50_000] if args.quick else [10_000, 50_000, 200_000]
    big = sizes[-1]
    t_all = time.perf_counter()
    rows: list[dict] = []

    print("full baseline (compute_layers)")
    for inp in ["helsinki"] + [f"synth:{n}" for n in sizes]:
        rows += run_case("layers", "--input", inp, "--runs", str(runs))
    print("one-edit scenario")
    for inp in ("helsinki", f"synth:{sizes[1]}", f"synth:{big}"):
        rows += run_case("scenario", "--input", inp, "--runs", str(runs))
    print("reference graph targets")
    rows += run_case("reference", "--runs", str(max(5, runs + 2)))
    rows += run_case("reference", "--runs", "5", "--lean")
    rows += run_case("networkx", "--runs", "3", "--sample", "50" if args.quick else "200")
    print("cold start (fresh processes)")
    cold = [run_case("coldstart")[0] for _ in range(5 if not args.quick else 3)]
    walls = [c["process_wall_s"] for c in cold]
    rows.append({"case": "cold start: fresh process, import + graph + first nearest-of-500",
                 "input": "reference graph (50,176 nodes)", "runs": len(cold),
                 "median_s": statistics.median(walls), "min_s": min(walls), "target_s": 0.5,
                 "peak_rss_mb": max(c["peak_rss_mb"] for c in cold),
                 "note": "wall time of the whole process as the shell sees it; inside: import "
                         f"{statistics.median(c['import_s'] for c in cold) * 1000:.0f} ms, graph "
                         f"{statistics.median(c['graph_s'] for c in cold) * 1000:.0f} ms, query "
                         f"{statistics.median(c['query_s'] for c in cold) * 1000:.0f} ms "
                         "(graph_from_arrays: no geopandas)"})

    peers: list[dict] = []
    if not args.no_peers:
        print("peers (separate venv)")
        export_peer_query()
        why = ensure_peers_venv()
        if why:
            peers = [{"peer": p, "error": why} for p in ("pandana", "cityseer")]
        else:
            peers = [run_peer("pandana", 3), run_peer("cityseer", 1 if args.quick else 3)]

    print("origins curve")
    curve = []
    for frac in (0.125, 0.25, 0.5, 1.0):
        r = run_case("layers", "--input", f"synth:{big}", "--runs", "1" if frac < 1 else
                     str(runs), "--frac", str(frac))[0]
        curve.append(r)
    print("profile")
    prof_out = WORK / "profile.json"
    subprocess.run([PY, str(HERE / "cases.py"), "profile", "--input", f"synth:{big}", "--out",
                    str(prof_out)], cwd=ROOT, capture_output=True, check=False)
    if prof_out.with_suffix(".txt").exists():
        (RESULTS / "profile_compute_layers.txt").write_text(prof_out.with_suffix(".txt")
                                                           .read_text())
    write(rows, peers, curve, args, time.perf_counter() - t_all)
    return 0


def reference_section(rows, peers) -> list[str]:
    """Markdown of the reference-graph rows, the peers and the ratios (to the C references
    and to the peers), all from this run."""
    by_case = {(r["case"].strip(), r.get("input", "")): r for r in rows}

    def med(case, inp="reference graph (50,176 nodes)"):
        r = by_case.get((case, inp))
        return None if r is None or r.get("median_s") is None else float(r["median_s"])

    L: list[str] = []
    L += ["", "## Reference graph (50,176 nodes, 75,000 edges, 500 facilities, 20,000 origins, "
          "8,000 weighted opportunities)", "",
          "| case | runs | median | min | target | met | peak memory | note |",
          "|---|---:|---:|---:|---:|:---:|---:|---|"]
    for r in rows:
        if r.get("input", "").startswith("reference") and not r["case"].startswith("networkx"):
            tgt = r.get("target_s")
            met = ""
            if tgt and r.get("median_s") is not None:
                met = "yes" if r["median_s"] <= tgt else "NO"
            if r.get("target_mb"):
                tgt_s = f"{r['target_mb']} MB"
                met = "yes" if r["peak_rss_mb"] <= r["target_mb"] else "NO"
            else:
                tgt_s = fmt_s(tgt) if tgt else ""
            L.append(f"| {r['case'].strip()} | {r.get('runs', '')} | {fmt_s(r.get('median_s'))}"
                     f" | {fmt_s(r.get('min_s'))} | {tgt_s} | {met} | "
                     f"{r.get('peak_rss_mb', 0):.0f} MB | {r.get('note', '')} |")

    # ---- baselines and ratios -------------------------------------------------------------
    ours_near = med("nearest of 500 with lit share, 20k origins")
    ours_within = med("opportunities within 800 m, 20k origins")
    ours_build = med("build_routing_graph")
    nx_within = med("networkx: within 800 m, per-origin Dijkstra with cutoff")
    nx_near_po = med("networkx: nearest of 500 with lit share, per-origin Dijkstra (3 km cutoff)")
    nx_near_ms = med("networkx: nearest of 500 with lit share, one multi-source Dijkstra + paths")
    nx_near_d = med("networkx: nearest of 500, distance only (multi-source)")
    nx_build = med("networkx: build graph")
    L += ["", "## Baselines on the same graph and query (same run)", "",
          "| engine | build | within 800 m (20k origins) | nearest of 500 | note |",
          "|---|---:|---:|---:|---|",
          f"| geoplan (scipy csgraph) | {fmt_s(ours_build)} | {fmt_s(ours_within)} | "
          f"{fmt_s(ours_near)} | nearest includes the lit share along the route |",
          f"| networkx, per-origin Dijkstra with cutoff | {fmt_s(nx_build)} | {fmt_s(nx_within)}"
          f" | {fmt_s(nx_near_po)} | per origin; scaled from a sample; nearest with lit share |",
          f"| networkx, multi-source | | | {fmt_s(nx_near_ms)} ({fmt_s(nx_near_d)} distance "
          "only) | networkx's best formulation of nearest |"]
    for p in peers:
        if "error" in p:
            L.append(f"| {p['peer']} | | | | did not run: {p['error']} |")
            continue
        L.append(f"| {p['peer']} {p.get('version', '')} | {fmt_s(p['build_s'])} | "
                 f"{fmt_s(p['within800_s_median'])} | {fmt_s(p['nearest500_s_median'])} | "
                 f"{p.get('note', '')}; vs geoplan: within max diff "
                 f"{p['within800_max_abs_diff']:g}, nearest max diff "
                 f"{p['nearest500_max_abs_diff']:.3g} m (distance only) |")
    floor_near = med("floor: one scipy multi-source dijkstra (distance only)")
    floor_within = med("floor: scipy bounded dijkstra per source tile, within 800 m (reference)")
    pandana = next((p for p in peers if p["peer"] == "pandana" and "error" not in p), None)
    L += ["", "Ratios to the C references (geoplan ÷ reference, same run; targets from issue "
          "#15):", "",
          f"- nearest of 500 with lit share ÷ one scipy multi-source Dijkstra (distance only): "
          f"{ratio(ours_near, floor_near, 2)} (target ≤ 1.5×)",
          f"- within 800 m ÷ the scipy floor (bounded Dijkstra per source tile, no reduction): "
          f"{ratio(ours_within, floor_within, 2)}",
          "- within 800 m ÷ pandana `aggregate` (C++): " + (
              f"{ratio(ours_within, pandana['within800_s_median'], 2)} (target ≤ 1.2×)"
              if pandana else "not measured in this run (no peers venv; target ≤ 1.2×)"),
          "", "Ratios (other ÷ geoplan, same run):", ""]

    L.append(f"- networkx per-origin, within 800 m: {ratio(nx_within, ours_within)}; nearest of "
             f"500 with lit share: {ratio(nx_near_po, ours_near)} (target ≥ 12×)")
    L.append(f"- networkx multi-source nearest with lit share: {ratio(nx_near_ms, ours_near)}; "
             f"distance only: {ratio(nx_near_d, ours_near)}")
    for p in peers:
        if "error" in p:
            continue
        b, wq, nq = p["build_s"], p["within800_s_median"], p["nearest500_s_median"]
        L.append(f"- {p['peer']}, build + within 800 m: "
                 f"{ratio(b + wq, (ours_build or 0) + ours_within)}; build + nearest: "
                 f"{ratio(b + nq, (ours_build or 0) + ours_near)}; queries alone: within "
                 f"{ratio(wq, ours_within)}, nearest {ratio(nq, ours_near)}")

    return L


def ratio(a, b, digits: int = 1) -> str:
    return f"{a / b:.{digits}f}×" if a and b else "n/a"


def write(rows, peers, curve, args, total_s) -> None:
    # ---- CSV of every row -------------------------------------------------------------
    keys = ["case", "input", "runs", "median_s", "min_s", "target_s", "peak_rss_mb",
            "rss_before_mb", "nodes", "edges", "cells", "populated_cells", "destinations",
            "categories", "process_wall_s", "note"]
    with open(RESULTS / "summary.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
        for p in peers:
            for q in ("within800", "nearest500"):
                if f"{q}_s_median" in p:
                    w.writerow({"case": f"{p['peer']} {p.get('version', '')}: {q} query",
                                "input": "reference graph (50,176 nodes)",
                                "runs": len(p[f"{q}_s"]), "median_s": p[f"{q}_s_median"],
                                "min_s": min(p[f"{q}_s"]), "note": p.get("note", "")})
            if "build_s" in p:
                w.writerow({"case": f"{p['peer']} {p.get('version', '')}: build",
                            "input": "reference graph (50,176 nodes)", "runs": 1,
                            "median_s": p["build_s"]})
            if "error" in p:
                w.writerow({"case": p["peer"], "note": p["error"]})
    with open(RESULTS / "origins_curve.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["input", "cells", "populated_cells", "median_s", "runs", "s_per_1000_cells",
                    "peak_rss_mb"])
        for r in curve:
            if r.get("median_s") is not None:
                w.writerow([r["input"], r["cells"], r["populated_cells"], f"{r['median_s']:.3f}",
                            r["runs"], f"{1000 * r['median_s'] / r['cells']:.4f}",
                            r["peak_rss_mb"]])

    # ---- markdown -------------------------------------------------------------------------
    L = ["# geoplan benchmarks", "",
         f"Generated by `benchmarks/run_all.py{' --quick' if args.quick else ''}` on "
         f"{time.strftime('%Y-%m-%d %H:%M')} in {total_s / 60:.1f} min.",
         f"Machine: {environment()}.",
         "Each case ran in its own fresh process; times are medians of the runs "
         "(`time.perf_counter`), peak memory is that process's `ru_maxrss` (imports, inputs and "
         "computation). All ratios compare numbers measured in this same run.", "",
         "## Full baseline: all layers (`compute_layers`: access, night access, green, safety)",
         "",
         "| input | nodes | edges | cells (populated) | categories | runs | median | min | "
         "peak memory | target |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if r["case"].startswith("compute_layers"):
            big = r.get("nodes", 0) >= 150_000
            tgt = "< 60 s, < 4 GB: " + ("met" if r["median_s"] < 60 and
                                         r["peak_rss_mb"] < 4096 else "NOT met") if big else ""
            L.append(f"| {r['input']} | {r['nodes']:,} | {r['edges']:,} | {r['cells']:,} "
                     f"({r['populated_cells']:,}) | {r['categories']} | {r['runs']} | "
                     f"{fmt_s(r['median_s'])} | {fmt_s(r['min_s'])} | "
                     f"{r['peak_rss_mb']:.0f} MB | {tgt} |")
    sc = [r for r in rows if "scenario" in r["case"]]
    L += ["", "## Scenarios (`geoplan.scenario`: apply + incremental recompute)", "",
          "| case | input | runs | median | min | peak memory | note |",
          "|---|---|---:|---:|---:|---:|---|"]
    for r in sc:
        L.append(f"| {r['case'].strip()} | {r['input']} | {r.get('runs', '')} | "
                 f"{fmt_s(r.get('median_s'))} | {fmt_s(r.get('min_s'))} | "
                 f"{r.get('peak_rss_mb', 0):.0f} MB | {r.get('note', '')} |")
    L += reference_section(rows, peers)

    # ---- origins curve -----------------------------------------------------------------
    L += ["", f"## Cost vs number of origins ({curve[0]['input'] if curve else ''}, all layers)",
          "", "| cells (= origins) | populated | median | per 1,000 cells | peak memory |",
          "|---:|---:|---:|---:|---:|"]
    for r in curve:
        if r.get("median_s") is not None:
            L.append(f"| {r['cells']:,} | {r['populated_cells']:,} | {fmt_s(r['median_s'])} | "
                     f"{1000 * r['median_s'] / r['cells']:.3f} s | {r['peak_rss_mb']:.0f} MB |")
    L += ["", "The network is the same in every row; only the grid cells (random subsets) "
          "change. See `origins_curve.csv`; the profile of the largest run is in "
          "`profile_compute_layers.txt`.", ""]
    (RESULTS / "summary.md").write_text("\n".join(L))
    print("\n".join(L))
    print(f"wrote {RESULTS / 'summary.md'}, summary.csv, origins_curve.csv")


if __name__ == "__main__":
    raise SystemExit(main())
