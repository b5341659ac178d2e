"""Outputs survive crashes: a run killed with SIGKILL while writing leaves the previous result
whole and byte for byte the same, nothing half-written in sight, and the next run cleans up the
killed run's temporary files (geoplan/outputs/atomic.py, geoplan/run.py)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyogrio
import pytest
import rasterio

from geoplan.atomic import (
    TEMP_PREFIX,
    atomic_path,
    check_writable_dir,
    clean_stale_temps,
    is_temp_name,
    staged_folder,
    write_text,
)
from geoplan.config import load_pipeline
from geoplan.errors import InputFileError
from geoplan.runs.pipeline import run_pipeline

GEOPLAN = str(Path(sys.executable).with_name("geoplan"))
SMALL = """
[input]
osm = "demo"
bbox = [24.938, 60.164, 24.950, 60.174]
buffer_m = 300
[output]
formats = ["gpkg", "tif"]
"""
OUTPUTS = {"geoplan.gpkg", "grid.tif", "provenance.json", "data_quality.json",
           "data_quality_en.txt", "data_dictionary.csv", "data_dictionary.xlsx",
           "scenario_baseline.pkl"}


def visible(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.iterdir() if not is_temp_name(p.name)}


def assert_readable(folder: Path) -> None:
    # GDAL writes geoplan.gpkg.aux.xml beside the file when it merely opens it (PAM keeps the
    # dataset metadata there; reported): reading must not add files to the folder under test
    pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": "NO"})
    layers = {n for n, _ in pyogrio.list_layers(folder / "geoplan.gpkg")}
    assert {"grid", "network", "layer_styles"} <= layers
    assert len(pyogrio.read_dataframe(folder / "geoplan.gpkg", layer="grid")) > 0
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(folder / "grid.tif") as src:
        assert src.read(1).shape == (src.height, src.width)
    for name in ("provenance.json", "data_quality.json"):
        json.loads((folder / name).read_text(encoding="utf-8"))
    pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": None})


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A small study run once: its pipeline file and its (previous) output folder."""
    d = tmp_path_factory.mktemp("atomic")
    (d / "p.toml").write_text(SMALL, encoding="utf-8")
    out = d / "previous"
    run_pipeline(load_pipeline(d / "p.toml"), out)
    assert set(visible(out)) == OUTPUTS
    return d / "p.toml", out


def _staging(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(TEMP_PREFIX) and p.is_dir()]


def _gpkg_being_written(out: Path) -> bool:
    for stage in _staging(out):
        try:
            names = os.listdir(stage)
        except FileNotFoundError:
            continue
        if any(n.endswith("geoplan.gpkg") and is_temp_name(n) for n in names):
            return True
    return False


KILL_WHEN = {
    "staging-folder-appears": lambda out: bool(_staging(out)),
    "geopackage-half-written": _gpkg_being_written,
}


def _kill_runs(pipeline: Path, prev: Path, work: Path, whens: list[str]) -> dict[str, Path]:
    """Start one run per kill point, side by side, each on its own copy of ``prev``, and kill
    each at its point. Returns the output folders of the runs that were killed there."""
    procs = {}
    for when in whens:
        out = work / when
        shutil.copytree(prev, out)
        procs[when] = (out, subprocess.Popen([GEOPLAN, "run", str(pipeline), "--out", str(out)],
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    pending = dict(procs)
    deadline = time.monotonic() + 120
    killed = {}
    while pending and time.monotonic() < deadline:
        for when, (out, proc) in list(pending.items()):
            if KILL_WHEN[when](out):
                proc.send_signal(signal.SIGKILL)
                killed[when] = out
            if when in killed or proc.poll() is not None:
                proc.wait()
                del pending[when]
        time.sleep(0.001)
    for _, proc in pending.values():  # pragma: no cover - only when the machine is stuck
        proc.kill()
        proc.wait()
    return killed


def test_sigkill_while_writing_keeps_previous_output(previous, tmp_path):
    pipeline, prev = previous
    want = visible(prev)
    # polling can miss a short window on a busy machine (the run then simply ends): such a
    # point is tried again on a fresh copy, a few times, before the test gives up
    killed: dict[str, Path] = {}
    for attempt in range(5):
        missing = [w for w in KILL_WHEN if w not in killed]
        if not missing:
            break
        killed |= _kill_runs(pipeline, prev, tmp_path / f"try{attempt}", missing)
    assert set(killed) == set(KILL_WHEN), f"the runs ended before the kill point: {set(killed)}"
    procs = {when: (out, None) for when, out in killed.items()}

    for when, (out, _) in procs.items():
        # the previous result is all there is, whole and unchanged; leftovers are hidden
        # .geoplan-tmp-* entries only (a SIGKILL gives the process no chance to remove them)
        assert visible(out) == want, when
        assert_readable(out)
        extra = [p.name for p in out.iterdir() if p.name not in want]
        assert all(is_temp_name(n) for n in extra), (when, extra)
        assert _staging(out), f"{when}: expected the killed run's staging folder"

    # the next run into the folder removes what the killed one left, and replaces the set
    out = procs["geopackage-half-written"][0]
    run_pipeline(load_pipeline(pipeline), out)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    assert_readable(out)


def test_failing_run_leaves_no_trace(previous, tmp_path):
    """A run that fails while writing (here: a layer GeoPackage cannot hold) changes nothing."""
    _, prev = previous
    out = tmp_path / "out"
    shutil.copytree(prev, out)
    want = visible(out)
    with pytest.raises(InputFileError), staged_folder(out) as stage:
        write_text(stage / "data_quality.json", "{}\n")
        raise InputFileError("disk full")
    assert visible(out) == want and sorted(p.name for p in out.iterdir()) == sorted(want)


def test_killed_commit_is_finished_by_the_next_writer(tmp_path):
    """A run killed between 'COMMIT' and the last rename: the next writer rolls it forward, so
    the folder never stays a mix of two runs."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("old a")
    (out / "b.txt").write_text("old b")
    stage = out / f"{TEMP_PREFIX}999999999@00000000-abcd.d"  # a dead run on another machine
    stage.mkdir()
    (stage / "b.txt").write_text("new b")  # a.txt was already renamed into place
    (out / "a.txt").write_text("new a")
    (stage / "COMMIT").write_text("a.txt\nb.txt\n")
    os.utime(stage, (0, 0))  # older than STALE_AFTER_S
    assert clean_stale_temps(out) == [stage.name]
    assert {p.name: p.read_text() for p in out.iterdir()} == {"a.txt": "new a", "b.txt": "new b"}


def test_uncommitted_leftovers_of_dead_runs_are_removed_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = __import__("geoplan.atomic", fromlist=["_HOST"])._HOST
    stale = tmp_path / f"{TEMP_PREFIX}{dead.pid}@{host}-0011-geoplan.gpkg"
    stale_dir = tmp_path / f"{TEMP_PREFIX}{dead.pid}@{host}-0012.d"
    live = tmp_path / f"{TEMP_PREFIX}{os.getpid()}@{host}-0013-grid.tif"
    stale.write_bytes(b"half")
    stale_dir.mkdir()
    (stale_dir / "grid.tif").write_bytes(b"half")
    live.write_bytes(b"being written")
    (tmp_path / "keep.txt").write_text("user file")
    with atomic_path(tmp_path / "new.txt") as tmp:  # any geoplan write cleans first
        tmp.write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "keep.txt",
                                                                 "new.txt"])


def test_output_folder_checked_before_anything_is_read(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    for bad in (tmp_path / "file.txt", tmp_path / "file.txt" / "sub" / "out",
                Path("/proc/geoplan-out")):
        with pytest.raises(InputFileError, match="folder"):
            check_writable_dir(bad)
    ok = tmp_path / "new" / "out"
    assert check_writable_dir(ok) == ok and not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_a_result_folder_is_replaced_whole(tmp_path):
    """Sub-folders of a result (e.g. report/) are swapped like files."""
    out = tmp_path / "out"
    (out / "report").mkdir(parents=True)
    (out / "report" / "old.html").write_text("old")
    with staged_folder(out) as stage:
        (stage / "report").mkdir()
        write_text(stage / "report" / "index.html", "new")
        write_text(stage / "provenance.json", "{}")
    assert sorted(p.name for p in out.iterdir()) == ["provenance.json", "report"]
    assert [p.name for p in (out / "report").iterdir()] == ["index.html"]


def test_extra_files_are_committed_with_the_run(previous, tmp_path):
    """The QGIS plugin's pipeline.toml is one of the run's files (written in the staging folder,
    listed in provenance.json), so it is never newer or older than the data beside it."""
    pipeline, prev = previous
    out = tmp_path / "out"
    shutil.copytree(prev, out)
    (out / "pipeline.toml").write_text("# the previous run's pipeline\n", encoding="utf-8")
    run_pipeline(load_pipeline(pipeline), out, extra_files={"pipeline.toml": "# this run\n"})
    assert (out / "pipeline.toml").read_text(encoding="utf-8") == "# this run\n"
    files = json.loads((out / "provenance.json").read_text(encoding="utf-8"))["files"]
    assert "pipeline.toml" in files
    assert set(visible(out)) == OUTPUTS | {"pipeline.toml"}
    # a run that fails leaves the previous pipeline.toml with the previous data
    (tmp_path / "omraden.geojson").write_text('{"type": "FeatureCollection", "feat',
                                              encoding="utf-8")
    broken = load_pipeline_text(SMALL + '[areas]\npath = "omraden.geojson"\nkey_column = "id"\n',
                                tmp_path)
    want = visible(out)
    with pytest.raises(InputFileError, match="cannot read \\[areas\\] file"):
        run_pipeline(broken, out, extra_files={"pipeline.toml": "# the failed run\n"})
    assert visible(out) == want


def load_pipeline_text(text: str, base: Path):
    from geoplan.config import parse_pipeline

    return parse_pipeline(text, base)
