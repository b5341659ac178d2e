"""Kill tests: each command that writes a result folder is stopped at 20 points spread over its
run (most of them while it writes), and the folder is then always either the previous complete
set or the new complete set, byte for byte, with nothing half-written in sight.

The 20 points are taken in ONE run: the process is frozen with SIGSTOP (every thread stops,
nothing of it runs), the folder is read, and the process goes on (SIGCONT). SIGKILL runs no
handler either, so the folder a kill leaves is the folder seen while the process is frozen at
the same instant. A few real SIGKILLs (separate runs) check that nothing happens after a kill.

The oracle is the file system itself: the set of visible files and their SHA-256 before the run,
and the set a complete run leaves (measured by a reference run of the same command)."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from geoplan.atomic import TEMP_PREFIX, is_temp_name

pytestmark = pytest.mark.slow

GEOPLAN = str(Path(sys.executable).with_name("geoplan"))
ROOT = Path(__file__).resolve().parents[2]
N_KILLS = 20
# real SIGKILLs, as fractions of the reference run: one while reading, three while writing
REAL_KILLS = (0.2, 0.6, 0.8, 0.95)
SMALL = """
[input]
osm = "demo"
bbox = [24.938, 60.166, 24.948, 60.172]
buffer_m = 300
[grid]
cell_size_m = 250
[output]
formats = ["gpkg", "tif", "report"]
"""


def snapshot(folder: Path) -> dict[str, str]:
    """Visible files (recursively) -> SHA-256; temporary ``.geoplan-tmp-*`` entries are hidden."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(is_temp_name(part) for part in rel.parts) or not p.is_file():
            continue
        out[rel.as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _run(cmd: list[str], out: Path, kill_after_s: float | None,
         target: str = "") -> tuple[float, int | None]:
    """Run ``cmd OUT`` (``OUT/target`` when a command writes one file); kill it after
    ``kill_after_s`` (its Dask workers too: they follow their parent)."""
    t0 = time.monotonic()
    proc = subprocess.Popen([*cmd, str(out / target if target else out)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE if kill_after_s is None else subprocess.DEVNULL)
    if kill_after_s is None:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode(errors="replace")
        return time.monotonic() - t0, proc.returncode
    try:
        proc.wait(timeout=kill_after_s)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return time.monotonic() - t0, proc.returncode


def _hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


def _wait_stopped(pid: int, timeout_s: float = 60.0) -> None:
    """Wait until every thread of ``pid`` is stopped (or gone): SIGSTOP is delivered
    asynchronously, and a thread on the other core may finish a write meanwhile."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        states = []
        for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
            try:
                states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
        if all(s in "TtZX" for s in states):
            return
        time.sleep(0.002)
    raise AssertionError(f"process {pid} did not stop within {timeout_s} s")


def _frozen_states(cmd: list[str], out: Path, times: list[float],
                   target: str = "") -> list[tuple[dict[str, str], list[str]]]:
    """Run ``cmd OUT`` once; at each of ``times`` (seconds of running, pauses not counted)
    freeze it with SIGSTOP, record the folder (:func:`snapshot`, temporary names), go on."""
    states = []
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*cmd, str(out / target if target else out)],
                                stdout=subprocess.DEVNULL, stderr=err)
        t0, paused = time.monotonic(), 0.0
        try:
            for t in times:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=max(0.0, t0 + paused + t - time.monotonic()))
                p0 = time.monotonic()
                proc.send_signal(signal.SIGSTOP)  # nothing when it has ended
                if proc.returncode is None:
                    _wait_stopped(proc.pid)
                states.append((snapshot(out), _hidden(out)))
                proc.send_signal(signal.SIGCONT)
                paused += time.monotonic() - p0
            proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        assert proc.returncode == 0, err.read().decode(errors="replace")
    return states


def check_kill_points(cmd: list[str], previous: Path, work: Path,
                      target: str = "") -> dict[str, int]:
    """Stop ``cmd OUT`` at ``N_KILLS`` points of one run and kill it at ``REAL_KILLS``;
    assert the all-or-nothing rule for each.

    ``previous`` is a complete earlier result; ``cmd`` gets a copy of it as its output folder
    (``OUT/target`` for a command whose output is one file, e.g. ``many --out F.gpkg``).
    Returns how many points left the previous set and how many the new one.
    """
    before = snapshot(previous)
    ref = work / "reference"
    shutil.copytree(previous, ref)
    duration, _ = _run(cmd, ref, None, target)
    after = snapshot(ref)
    # the files a complete run changes: each must be all old or all new after a kill
    changing = {k for k in after if before.get(k) != after[k]}
    assert changing, "the reference run changed nothing"
    # a third of the points early (reading, computing), the rest spread over the second half,
    # where the files are written and committed
    times = [duration * (0.05 + 0.45 * i / 6) for i in range(7)]
    times += [duration * (0.5 + 0.55 * i / (N_KILLS - 8)) for i in range(N_KILLS - 7)]

    def frozen():
        out = work / "frozen"
        shutil.copytree(previous, out)
        return [(f"stop{i:02d}", *s) for i, s in enumerate(_frozen_states(cmd, out, times,
                                                                          target))]

    def killed(i_f):
        i, f = i_f
        out = work / f"kill{i:02d}"
        shutil.copytree(previous, out)
        _run(cmd, out, duration * f, target)
        return out.name, snapshot(out), _hidden(out)

    with ThreadPoolExecutor(max_workers=2) as pool:
        stops = pool.submit(frozen)
        states = list(pool.map(killed, enumerate(REAL_KILLS)))
        states += stops.result()
    outcome = {"previous": 0, "new": 0}
    for name, now, hidden in states:
        old = sorted(k for k in changing if now.get(k) == before.get(k))
        new = sorted(k for k in changing if now.get(k) != before.get(k))
        if now == before:
            outcome["previous"] += 1
            continue
        assert set(now) == set(after), (
            f"{name}: missing {sorted(set(after) - set(now))}, "
            f"extra {sorted(set(now) - set(after))}")
        assert not old, f"{name}: a mix of two runs: still old {old}, already new {new}"
        outcome["new"] += 1
        assert all(is_temp_name(n) for n in hidden)
    return outcome


@pytest.fixture(scope="module")
def previous_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("kill")
    pipeline = d / "p.toml"
    pipeline.write_text(SMALL, encoding="utf-8")
    out = d / "previous"
    _run([GEOPLAN, "run", str(pipeline), "--out"], out, None)
    return pipeline, out


def _check(outcome: dict[str, int]) -> None:
    assert sum(outcome.values()) == N_KILLS + len(REAL_KILLS)
    assert outcome["previous"] >= 1, outcome


# writes a.txt, then b.txt a second later, each in place: a mix of two sets in between
HALF_WRITER = """import sys, time
from pathlib import Path
out = Path(sys.argv[1])
(out / "a.txt").write_text("new a")
time.sleep(1.0)
(out / "b.txt").write_text("new b")
time.sleep(0.2)
"""


def test_the_harness_sees_a_mix_of_two_sets(tmp_path):
    """The oracle can fail: a command that rewrites two files in place, one after the other."""
    prev = tmp_path / "previous"
    prev.mkdir()
    (prev / "a.txt").write_text("old a")
    (prev / "b.txt").write_text("old b")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(AssertionError, match="a mix of two runs"):
        check_kill_points([sys.executable, "-c", HALF_WRITER], prev, work)


def test_run_with_report_is_all_or_nothing(previous_run, tmp_path):
    pipeline, prev = previous_run
    _check(check_kill_points([GEOPLAN, "run", str(pipeline), "--lang", "sv", "--out"], prev,
                             tmp_path))


def test_report_is_all_or_nothing(previous_run, tmp_path):
    """`geoplan report` over an English report: the report folder (maps/ included) is all
    Swedish or all English after any kill."""
    _, prev = previous_run
    _check(check_kill_points([GEOPLAN, "report", "--lang", "sv", "--dpi", "50"], prev,
                             tmp_path))


def test_scenario_run_is_all_or_nothing(previous_run, tmp_path):
    """`geoplan scenario run` into the folder of an English scenario run, now in Swedish."""
    pipeline, _ = previous_run
    scenario = ROOT / "data" / "demo_scenario.gpkg"
    cmd = [GEOPLAN, "scenario", "run", str(pipeline), str(scenario)]
    prev = tmp_path / "previous-scenario"
    _run([*cmd, "--out"], prev, None)
    _check(check_kill_points([*cmd, "--lang", "sv", "--out"], prev, tmp_path))


# short walks (150 m) so that each area's partition is small: inline tables before SMALL's
MANY = """access = { radii_m = [100, 150], gravity_cutoff_m = 150, max_snap_m = 25 }
green = { within_m = 100, per_capita_within_m = 150 }
night = { threshold_m = 150 }
""" + SMALL.replace("buffer_m = 300", "")
TWO_AREAS = """{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"name": "A"}, "geometry": {"type": "Polygon", "coordinates":
 [[[24.938, 60.166], [24.943, 60.166], [24.943, 60.172], [24.938, 60.172], [24.938, 60.166]]]}},
{"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "Polygon", "coordinates":
 [[[24.943, 60.166], [24.948, 60.166], [24.948, 60.172], [24.943, 60.172], [24.943, 60.166]]]}}
]}
"""


def test_many_is_all_or_nothing(tmp_path):
    """`geoplan many` over a previous grid of another area set (2 small areas). The runs share
    one Dask cluster (``--scheduler``), so each run is short and is mostly its own work:
    reading, merging and writing, where the kills matter."""
    distributed = pytest.importorskip("distributed")
    (tmp_path / "p.toml").write_text(MANY, encoding="utf-8")
    (tmp_path / "areas.geojson").write_text(TWO_AREAS, encoding="utf-8")
    (tmp_path / "one.geojson").write_text(TWO_AREAS.replace('"B"', '"A"'), encoding="utf-8")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:  # no fixed port
        cmd = [GEOPLAN, "many", str(tmp_path / "p.toml")]
        opts = ["--key", "name", "--scheduler", cluster.scheduler_address, "--out"]
        prev = tmp_path / "previous-many"
        _run([*cmd, str(tmp_path / "one.geojson"), *opts], prev, None, "grid.gpkg")
        _check(check_kill_points([*cmd, str(tmp_path / "areas.geojson"), *opts], prev,
                                 tmp_path, "grid.gpkg"))
