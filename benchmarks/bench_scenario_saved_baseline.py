"""Benchmark of ``geoplan scenario run`` with the saved baseline vs from the pipeline (on demand).

Usage::

    .venv/bin/python benchmarks/bench_scenario_saved_baseline.py [--runs 5]

On the embedded central-Helsinki demo: ``geoplan demo`` once (it writes
``scenario_baseline.pkl``), then, interleaved A/B in one run (the order alternates per round),
the product's CLI as a fresh process each time:

* **A, saved baseline**: ``geoplan scenario run RUN data/demo_scenario.gpkg --out …``
* **B, from the pipeline**: ``geoplan scenario run pipelines/demo.toml data/demo_scenario.gpkg --out …``

and, in this process, the same two through the public API (:func:`geoplan.runs.scenario.run_scenario`
with the run folder vs the pipeline: no interpreter start or imports), plus what the run pays
to write the baseline (:func:`~geoplan.scenario.recompute.prepare_baseline` on the run's layers
and :func:`~geoplan.scenario.recompute.save_baseline`) and its size. Medians of ``--runs``
after one warm-up. Writes ``benchmarks/results/scenario_saved_baseline.md``. Not a timed test.

Where A's time goes: the interpreter with the imports of ``geoplan scenario run`` (a fresh
process), and, in this process, each step of :func:`~geoplan.runs.scenario.run_scenario` with
the product's public functions (load the saved baseline, apply the scenario, recompute, the
change layers and table; writing the outputs is the rest of ``run_scenario``).

``--against OLD`` (a checkout of an earlier geoplan, e.g. ``git worktree add /tmp/old 8f561fa``)
also times A with that checkout's code (``PYTHONPATH=OLD``) interleaved with this one's, on the
same run folder: the before/after of a change.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import cpu_model  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"
PIPELINE = ROOT / "pipelines" / "demo.toml"
TARGET_S = 1.0


def _cli(*args: str, code: Path = ROOT, cpu: list | None = None) -> float:
    """Seconds of ``geoplan ARGS`` as a fresh process on the code of checkout ``code``."""
    return _python("-m", "geoplan.cli.main", *args, code=code, cpu=cpu)


def _python(*args: str, code: Path = ROOT, cpu: list | None = None) -> float:
    """Wall seconds of ``python ARGS``; its CPU seconds (user + system) appended to ``cpu``:
    on a machine shared with other jobs they move less than the wall time."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode as a pip install has it (_compile)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, env=env, stdout=subprocess.DEVNULL,
                   cwd=code)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return wall


def _compile(*codes: Path) -> None:
    """Bytecode of geoplan in each checkout, as ``pip install`` writes it: without it every
    fresh process compiles geoplan's sources again (~0.25 s), which no installed geoplan does."""
    for code in codes:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "geoplan")],
                       check=True, stdout=subprocess.DEVNULL)


def _interleaved(a, b, runs: int) -> tuple[list[float], list[float]]:
    a(), b()  # warm-up (file caches)
    ta, tb = [], []
    for i in range(runs):
        for fn, out in ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta)):
            out.append(fn())
    return ta, tb


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _write_cost(run: Path, tmp: Path) -> tuple[float, float, float]:
    """Seconds to prepare and to save the baseline from the run's study, and its size in MB."""
    from geoplan.config import load_pipeline
    from geoplan.runs.pipeline import baseline_stamp, study_from_pipeline
    from geoplan.scenario.recompute import prepare_baseline, save_baseline
    from geoplan.study import compute_layers

    cfg = load_pipeline(PIPELINE)
    study = study_from_pipeline(cfg)
    layers = compute_layers(study)
    t0 = time.perf_counter()
    base = prepare_baseline(study, layers=layers)
    t1 = time.perf_counter()
    save_baseline(base, tmp / "b.pkl", stamp=baseline_stamp(cfg))
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, (run / "scenario_baseline.pkl").stat().st_size / 1e6


#: what ``geoplan scenario run RUN_DIR`` imports before it computes
_IMPORTS = ("import geoplan.cli.main, geoplan.runs.scenario, geoplan.scenario.io, "
            "geoplan.outputs.dictionary, geoplan.outputs.gpkg, xlsxwriter")


def _phases(run: Path, scen, out: Path, runs: int) -> dict[str, float]:
    """Median seconds of each step of ``run_scenario(run, scen, out)`` in this process."""
    from geoplan.runs.scenario import run_baseline, run_scenario
    from geoplan.scenario.change import change_layers, change_table
    from geoplan.scenario.edits import apply_scenario
    from geoplan.scenario.recompute import at_baseline_scale, recompute

    steps: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    @contextlib.contextmanager
    def step(name):
        t0, c0 = time.perf_counter(), time.process_time()
        yield
        steps.setdefault(name, []).append(time.perf_counter() - t0)
        cpu.setdefault(name, []).append(time.process_time() - c0)

    for _ in range(runs + 1):  # the first round warms up
        with step("load the saved baseline"):
            cfg, base = run_baseline(run)
        with step("apply_scenario"):
            applied = at_baseline_scale(base, apply_scenario(scen, base.inputs))
        with step("recompute"):
            after, _ = recompute(base, applied)
        with step("change_layers + change_table"):
            change_layers(base.layers, after, applied.inputs)
            change_table(base.layers, after, scenario=scen.name, inputs=applied.inputs,
                         lang=cfg.lang)
        with step("run_scenario (all)"):
            run_scenario(run, scen, out)
    out = {}
    for times in (steps, cpu):  # wall, then CPU seconds of this process
        med = {k: statistics.median(v[1:]) for k, v in times.items()}
        med["writing the outputs (the rest)"] = med["run_scenario (all)"] - sum(
            v for k, v in med.items() if k != "run_scenario (all)")
        for k, v in med.items():
            out[k] = (*out.get(k, ()), v)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--against", type=Path, help="an earlier checkout to compare A with")
    args = ap.parse_args(argv)
    runs = args.runs
    from geoplan.config import load_pipeline
    from geoplan.runs.scenario import run_scenario
    from geoplan.scenario.io import read_scenario

    _compile(ROOT, *([args.against.resolve()] if args.against is not None else []))
    tmp = Path(tempfile.mkdtemp(prefix="bench-saved-baseline-"))
    run = tmp / "run"
    demo_s = _cli("demo", "--out", str(run))
    cpu_a: list[float] = []
    cli_a, cli_b = _interleaved(
        lambda: _cli("scenario", "run", str(run), str(SCENARIO), "--out", str(tmp / "a"),
                     cpu=cpu_a),
        lambda: _cli("scenario", "run", str(PIPELINE), str(SCENARIO), "--out", str(tmp / "b")),
        runs)
    cfg, scen = load_pipeline(PIPELINE), read_scenario(SCENARIO)
    api_a, api_b = _interleaved(lambda: _timed(lambda: run_scenario(run, scen, tmp / "c")),
                                lambda: _timed(lambda: run_scenario(cfg, scen, tmp / "d")), runs)
    prep_s, save_s, size_mb = _write_cost(run, tmp)
    start_s = _interleaved(lambda: _python("-c", "pass"), lambda: _python("-c", _IMPORTS),
                           runs)
    extra = {"phases": _phases(run, scen, tmp / "e", runs),
             "start": [statistics.median(t) for t in start_s], "cpu_a": cpu_a[1:]}
    if args.against is not None:
        cpu_old: list[float] = []
        cpu_new: list[float] = []
        old, new = _interleaved(
            lambda: _cli("scenario", "run", str(run), str(SCENARIO), "--out", str(tmp / "o"),
                         code=args.against.resolve(), cpu=cpu_old),
            lambda: _cli("scenario", "run", str(run), str(SCENARIO), "--out", str(tmp / "n"),
                         cpu=cpu_new),
            runs)
        extra["against"] = (args.against, old, new, cpu_old[1:], cpu_new[1:])
    _write(runs, demo_s, (cli_a, cli_b), (api_a, api_b), (prep_s, save_s, size_mb), extra)


def _row(name: str, a: list[float], b: list[float]) -> str:
    ma, mb = statistics.median(a), statistics.median(b)
    verdict = "met" if ma <= TARGET_S else "not met"
    return (f"| {name} | {ma:.2f} s (min {min(a):.2f}) | {mb:.2f} s (min {min(b):.2f}) | "
            f"{mb / ma:.1f}× | {verdict} |")


def _where(extra: dict) -> list[str]:
    """The lines on where A's time goes (and the comparison with an earlier checkout)."""
    bare, imports = extra["start"]
    lines = ["Where A's time goes (medians, this run):", "",
             "| step | wall s | CPU s |", "|---|---:|---:|",
             f"| interpreter start (`python -c pass`) | {bare:.2f} | |",
             f"| imports of `geoplan scenario run` (fresh process, minus the start) | "
             f"{imports - bare:.2f} | |"]
    lines += [f"| {k} | {w:.2f} | {c:.2f} |" for k, (w, c) in extra["phases"].items()]
    lines += ["", f"A (CLI) in CPU seconds of the process (user + system, median): "
              f"{statistics.median(extra['cpu_a']):.2f} s."]
    if "against" in extra:
        old_dir, old, new, cpu_old, cpu_new = extra["against"]
        lines += ["", f"Before/after, A (CLI, saved baseline) with the code of `{old_dir}` vs "
                  "this checkout, interleaved in one run:", "",
                  "| code | wall median | wall min | CPU median |", "|---|---:|---:|---:|",
                  f"| before (`{old_dir}`) | {statistics.median(old):.2f} s | {min(old):.2f} s "
                  f"| {statistics.median(cpu_old):.2f} s |",
                  f"| after (this checkout) | {statistics.median(new):.2f} s | "
                  f"{min(new):.2f} s | {statistics.median(cpu_new):.2f} s |"]
    return lines + [""]


def _write(runs, demo_s, cli, api, cost, extra) -> None:
    import numpy as np
    import pandas as pd
    import scipy

    prep_s, save_s, size_mb = cost
    lines = [
        "# `geoplan scenario run` with the saved baseline vs from the pipeline",
        "",
        f"Generated by `benchmarks/bench_scenario_saved_baseline.py` on "
        f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}.",
        f"Machine: {cpu_model()} ({platform.machine()}), {os.cpu_count()} logical CPUs "
        f"(shared with other jobs); Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, pandas {pd.__version__}.",
        f"Study: the embedded central-Helsinki demo (`geoplan demo`: {demo_s:.1f} s, once), "
        "scenario `data/demo_scenario.gpkg` (a lit path, lamps, 300 dwellings).",
        f"Medians of {runs} runs after one warm-up, A and B interleaved in one run (the order "
        "alternates per round); CLI = a fresh `python -m geoplan.cli.main` process each time "
        "(interpreter start and imports included); API = `run_scenario` in this process "
        "(outputs written, as the CLI does).",
        "",
        f"| path | A: saved baseline (run folder) | B: from the pipeline | B ÷ A | target ≤ "
        f"{TARGET_S:.0f} s (A) |",
        "|---|---:|---:|---:|---|",
        _row("`geoplan scenario run` (CLI)", *cli),
        _row("`run_scenario` (API)", *api),
        "",
        f"What `geoplan run` pays for it on the demo: preparing the baseline state from the "
        f"run's layers {prep_s:.2f} s, writing `scenario_baseline.pkl` {save_s:.3f} s, "
        f"{size_mb:.1f} MB — under the 1 s / 50 MB limit, so it is always written (no setting).",
        "",
        *_where(extra),
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "scenario_saved_baseline.md"
    _prepend(out, lines)
    print("\n".join(lines))
    print(f"written: {out}")


def _prepend(out: Path, lines: list[str]) -> None:
    """Write this run's section at the top of ``out``; the earlier runs stay below it."""
    earlier = out.read_text(encoding="utf-8") if out.is_file() else ""
    marker = "\n## Earlier runs\n"
    if earlier:  # the part above the marker is the previous run's: it moves below it
        head, _, rest = earlier.partition(marker)
        earlier = f"{marker}\n{head.rstrip()}\n\n{rest.lstrip()}"
    lines = [*lines, f"Load average when written: {os.getloadavg()[0]:.1f} (1 min)."]
    out.write_text("\n".join(lines) + "\n" + earlier, encoding="utf-8")


if __name__ == "__main__":
    main()
