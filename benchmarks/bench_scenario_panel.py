"""Benchmark of the QGIS scenario panel's run: ``geoplan:scenario`` with and without
``CHANGED_ONLY`` (on demand).

Usage::

    .venv/bin/python benchmarks/bench_scenario_panel.py [--runs 5] [--run RUN_DIR]

On a run folder with a saved baseline (default: ``geoplan demo`` into a temporary folder, made
once), the Processing algorithm the panel runs, through ``processing.run`` in headless QGIS,
interleaved A/B in one process (the order alternates per round), on ``data/demo_scenario.gpkg``:

* **A, changed only**: ``CHANGED_ONLY=True`` — :func:`geoplan.runs.trial.run_trial` on the
  session's kept :class:`~geoplan.runs.trial.TrialSession`, only the changed cells written;
* **B, full**: the default — :func:`geoplan.runs.scenario.run_scenario` on the kept baseline,
  the whole grid, network and every layer written.

The first call of each loads the saved baseline (kept for the session, as in QGIS) and is not
counted. Medians of wall and CPU seconds (user + system of this process). Prints a Markdown
table row; not a timed test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "qgis_plugin"))
sys.path.append("/usr/share/qgis/python/plugins")  # Debian's `processing`
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"


def _qgis():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from geoplan_qgis.provider import GeoplanProvider

    provider = GeoplanProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    return app, provider


def _once(run: Path, out: Path, changed_only: bool) -> tuple[float, float]:
    import processing

    w0, c0 = time.perf_counter(), time.process_time()
    res = processing.run("geoplan:scenario", {
        "BASELINE": str(run / "provenance.json"), "SCENARIO": str(SCENARIO),
        "OUTPUT": str(out), "CHANGED_ONLY": changed_only, "LOAD": False})
    assert bool(res["TRIAL"]) == changed_only
    return time.perf_counter() - w0, time.process_time() - c0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--run", type=Path, default=None)
    args = parser.parse_args(argv)
    _app, _provider = _qgis()
    tmp = Path(tempfile.mkdtemp(prefix="bench_panel_"))
    run = args.run
    if run is None:
        from geoplan.cli.main import main as geoplan

        run = tmp / "demo"
        geoplan(["demo", "--out", str(run)])
    times: dict[bool, list] = {True: [], False: []}
    for flag in (True, False):  # warm-up: loads the saved baseline once, makes the session
        _once(run, tmp / f"warm_{flag}", flag)
    for r in range(args.runs):
        for flag in ((True, False) if r % 2 == 0 else (False, True)):
            times[flag].append(_once(run, tmp / f"r{r}_{flag}", flag))
    load = os.getloadavg()[0]
    for flag, label in ((True, "changed only (A)"), (False, "full (B)")):
        wall = statistics.median(t[0] for t in times[flag])
        cpu = statistics.median(t[1] for t in times[flag])
        print(f"| geoplan:scenario, {label} | {wall:.3f} | {cpu:.3f} | {args.runs} | "
              f"{load:.1f} |")


if __name__ == "__main__":
    main()
