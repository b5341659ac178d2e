"""run_many on Dask: partitions of the Helsinki demo equal one run over the whole area.

The demo extract (about 1.1 x 1.7 km) is split into 4 strips south to north. Walking distances
are set small (150 m) so that each partition (its area + the buffer of geoplan.runs.many) really is a
part of the extract and partition edges run through the middle of the study area. Every cell
whose square lies inside the whole study area must then have the same values as in one
single-process run over the whole area: counts, gravity, green, night and safety columns
exactly (up to float rounding); nearest distances wherever either run finds them within
``exact_up_to_m`` (beyond that a partition only knows an upper bound, see the module doc).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

pytest.importorskip("distributed")

from geoplan.config import parse_pipeline  # noqa: E402
from geoplan.indicators.safety import safety_index  # noqa: E402
from geoplan.runs.many import (  # noqa: E402
    _compute_partition,
    partition_buffers,
    run_many,
    split_area,
)

PIPELINE = """
[input]
osm = "demo"
buffer_m = 0
[access]
radii_m = [100, 150]
gravity_cutoff_m = 150
max_snap_m = 25
[green]
within_m = 100
per_capita_within_m = 150
[night]
threshold_m = 150
"""


@pytest.fixture(scope="module")
def cfg():
    return parse_pipeline(PIPELINE, Path("."))


@pytest.fixture(scope="module")
def whole(cfg):
    from geoplan.datasets import demo_extract
    from geoplan.sources.osm import read_osm

    data = read_osm(demo_extract())
    return data.area, data.crs.to_string()


def test_buffers_refuse_too_small(cfg):
    from geoplan.errors import ConfigError

    b, net, exact = partition_buffers(cfg.access, 100, 0.0)
    assert b == pytest.approx(150 + math.sqrt(2) * 100 + 50)
    assert net == b and exact > b
    with pytest.raises(ConfigError, match="buffer_m"):
        partition_buffers(cfg.access, 100, 0.0, buffer_m=150)


def test_partitions_equal_single_run(cfg, whole):
    area, crs = whole
    areas = split_area(area, 1, 4, crs=crs)
    assert len(areas) == 4
    t0 = time.perf_counter()
    merged = run_many(cfg, areas, "key", n_workers=2, processes=True)
    t_many = time.perf_counter() - t0
    b, net_b, exact = partition_buffers(cfg.access, cfg.grid.cell_size_m, cfg.buffer_m)
    assert merged.attrs["exact_up_to_m"] == pytest.approx(exact)

    wkb = shapely.to_wkb(area)
    single = pd.DataFrame(_compute_partition(cfg, "all", wkb, wkb, crs, net_b))
    # the safety index normalises by the p90 over the run's cells: same cells as the merge
    idx = safety_index(single, cfg.safety)
    for col in idx.columns:
        single[col] = idx[col]

    # every cell once, in the area containing its centre; the same cells as the single run
    assert not merged.index.has_duplicates
    assert set(merged.index) == set(single.index)
    half = cfg.grid.cell_size_m / 2
    centres = shapely.points(merged["easting_m"] + half, merged["northing_m"] + half)
    own = areas.set_index("key").geometry
    assert all(own[k].covers(c) for k, c in zip(merged["area_key"], centres, strict=True))
    assert merged["area_key"].nunique() == 4

    # cells away from the outer boundary of the whole study area
    inner = shapely.covers(area, np.asarray(merged.geometry.values, dtype=object))
    ids = merged.index[inner]
    assert len(ids) > 50
    # the partitions really are parts: the network each one reads ends inside the extract
    part = shapely.intersection(shapely.buffer(areas.geometry.iloc[0], b + net_b), area)
    assert part.area < 0.8 * area.area

    m, s = merged.loc[ids], single.loc[ids]
    checked = 0
    for col in single.columns:
        if col in ("geometry", "area_key") or col not in m.columns:
            continue
        a, e = m[col].to_numpy(), s[col].to_numpy()
        if a.dtype == object or e.dtype == object:
            assert (a == e).all(), col
            continue
        a, e = a.astype(float), e.astype(float)
        if col.startswith(("dist_", "night_dist_", "night_detour_", "day_only_")):
            if col.startswith(("night_detour_", "day_only_")):  # exact with the night distance
                c = col.removeprefix("night_detour_").removeprefix("day_only_")
                keep = (s[f"night_dist_{c}_m"].to_numpy() <= exact) | (
                    m[f"night_dist_{c}_m"].to_numpy() <= exact)
            else:
                keep = (a <= exact) | (e <= exact)
            keep &= ~(np.isnan(a) & np.isnan(e))
            a, e = a[keep], e[keep]
        np.testing.assert_allclose(a, e, rtol=1e-9, atol=1e-6, err_msg=col)
        checked += 1
    assert checked > 60
    assert t_many < 60, f"run_many took {t_many:.1f} s"


# --------------------------------------------------------------------------------------------
# Ctrl+C during `geoplan many` (issue 14, item 4): a real SIGINT to the whole process group, as
# a terminal sends it, reaches the driver and the Dask workers alike.
# --------------------------------------------------------------------------------------------
MANY_PIPELINE = PIPELINE + "[grid]\ncell_size_m = 250\n"
TWO_AREAS = """{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"name": "A"}, "geometry": {"type": "Polygon", "coordinates":
 [[[24.938, 60.166], [24.943, 60.166], [24.943, 60.172], [24.938, 60.172], [24.938, 60.166]]]}},
{"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "Polygon", "coordinates":
 [[[24.943, 60.166], [24.948, 60.166], [24.948, 60.172], [24.943, 60.172], [24.943, 60.166]]]}}
]}
"""


def _workers_running(pid: int) -> bool:
    """Whether the Dask worker processes of ``pid`` exist (psutil, not geoplan)."""
    import psutil

    def spawned(k) -> bool:
        try:
            return k.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(k.cmdline())
        except psutil.Error:
            return False

    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return False
    return sum(map(spawned, kids)) >= 2  # the 2 workers (not the resource tracker)


def _interrupt_many(tmp_path: Path, to: str) -> tuple[int, str, str]:
    """Start `geoplan many` on two areas; once its Dask workers exist, interrupt it: the whole
    process group (a terminal's Ctrl+C) while the workers start, or the driver alone (`kill
    -INT`, a notebook's interrupt) while they compute."""
    import os
    import signal
    import subprocess
    import sys

    (tmp_path / "p.toml").write_text(MANY_PIPELINE, encoding="utf-8")
    (tmp_path / "areas.geojson").write_text(TWO_AREAS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GEOPLAN_DEBUG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geoplan.cli.main", "many", str(tmp_path / "p.toml"),
         str(tmp_path / "areas.geojson"), "--key", "name", "--out", str(tmp_path / "grid.gpkg")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True)  # its own process group: the test is the terminal
    deadline = time.monotonic() + 120
    try:
        while not _workers_running(proc.pid) and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5 if to == "group" else 1.5)
        if to == "group":  # Ctrl+C in a terminal
            os.killpg(proc.pid, signal.SIGINT)
        else:  # `kill -INT`, or a notebook's interrupt: the driver alone
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return proc.returncode, out, err


@pytest.mark.parametrize("to", ["group", "driver"])
def test_ctrl_c_during_many_is_a_clean_exit(tmp_path, to):
    previous = b"the previous grid.gpkg"
    (tmp_path / "grid.gpkg").write_bytes(previous)
    rc, out, err = _interrupt_many(tmp_path, to)
    assert rc == 130, err
    assert err.strip() == "geoplan: cancelled", err  # one line (after the terminal's ^C)
    assert out == ""
    assert (tmp_path / "grid.gpkg").read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["areas.geojson", "grid.gpkg", "p.toml"]
