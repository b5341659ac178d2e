"""Many areas on Dask: every municipality (or DeSO group …) of a polygon file, one task per area.

:func:`run_many` partitions the study area by the polygons of an area layer (one key column),
computes every layer of :func:`geoplan.study.compute_layers` for each area in its own Dask task,
and merges the results into one grid in which each cell belongs to exactly one area: **the area
that contains the cell's centre** (a centre on a shared border goes to the first area in key
order). Dask runs on a local cluster by default (:class:`distributed.LocalCluster`, worker
processes, 2 workers) or on an existing scheduler when its address (or a
:class:`distributed.Client`) is given.

Why the partitions give the same cells as one run over the whole area (the buffer argument)
-------------------------------------------------------------------------------------------
Let ``A`` be an area and ``W`` the whole study area (the union of all areas). The task for ``A``
reads its inputs as a single run would, but for the partition area
``P = (A ⊕ buffer_m) ∩ W`` (grid cells, population and origins over ``P``) with the walk
network, destinations, lamps, green space and buildings read ``net_buffer_m`` further
(``max(buffer_m, cfg.buffer_m)``). Only the cells whose centre lies in ``A`` are kept. With
``R`` the largest walking distance of the run (:func:`largest_walk_m`: count radii, gravity
cutoff, night threshold, green distances) and the default
``buffer_m = R + cell diagonal + 2 · max_snap_m``:

1. A walk of network length ``d`` never leaves the straight-line disc of radius ``d`` around
   its start (every edge is at least as long as the straight line between its ends). A kept
   cell's origin lies within half a cell diagonal of ``A``; every path of length ``<= R`` from
   it, every destination on such a path and the nearest edge of that destination (within
   ``max_snap_m``) lie inside the read region, and so does every edge nearer to the origin than
   its attachment edge. The partition's graph holds all of them with the same lengths, so
   every count, gravity sum and "within" flag up to ``R`` is identical.
2. ``green_m2_per_capita`` divides by the residents of the cells whose origins are within
   ``green_per_capita_within_m`` of network distance: those cells lie within ``R`` + a cell
   diagonal of ``A``, i.e. inside ``P``, with the same population and origins.
3. Only-from-the-main-component attachment (``min_component_m``) sees the same decision:
   a component that reaches from near a kept origin to the edge of the read region is at
   least ``buffer_m - R`` long in the partition too.
4. Nearest-destination distances (``dist_*_m``, ``night_dist_*_m``, ``dist_green_*_m``) are
   not bounded by ``R``: the partition's graph is a subgraph of the whole one, so its distance
   is never shorter, and it is exact whenever it is ``<= exact_up_to_m`` (= read radius beyond
   ``A`` minus half a cell diagonal and two snaps; in ``result.attrs``). Longer ones are the
   length of the best route inside the partition (an upper bound): widen ``buffer_m`` when
   those matter.
5. The safety index normalises eyes-on-the-street by its 90th percentile over all cells: it is
   recomputed after the merge over the merged grid (as one run over ``W`` does).

Known limits (say so when reporting): green spaces and dark stretches (``longest_dark_m``) are
measured within the read region, as a single run measures them within its own; population from
``statistics`` is allocated per statistical area, so each partition is widened by every
statistical area it touches.

Example
-------
>>> from geoplan.config import parse_pipeline            # doctest: +SKIP
>>> cfg = parse_pipeline('[input]\\nosm = "county.osm.pbf"', ".")   # doctest: +SKIP
>>> grid = run_many(cfg, "kommuner.gpkg", key="kommunkod")   # doctest: +SKIP
>>> grid.groupby("area_key")["pop"].sum()                    # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, GeoplanError

__all__ = ["largest_walk_m", "partition_buffers", "run_many", "split_area"]

log = logging.getLogger(__name__)

#: Name of the merged grid's column holding the key of the cell's area.
AREA_KEY_COLUMN = "area_key"


def largest_walk_m(spec) -> float:
    """The largest walking distance of a run: radii, gravity cutoff, night and green distances.

    >>> from geoplan.types import AccessSpec
    >>> largest_walk_m(AccessSpec())
    1200.0
    """
    return float(max(*spec.radii_m, spec.gravity_cutoff_m, spec.night_threshold_m,
                     spec.green_within_m, spec.green_per_capita_within_m))


def partition_buffers(spec, cell_size_m: float, cfg_buffer_m: float = 0.0,
                      buffer_m: float | None = None) -> tuple[float, float, float]:
    """``(buffer_m, net_buffer_m, exact_up_to_m)`` of a partition (see the module doc).

    >>> from geoplan.types import AccessSpec
    >>> [round(x) for x in partition_buffers(AccessSpec(), 100, 1200)]
    [1641, 1641, 2912]
    """
    diag = math.sqrt(2.0) * cell_size_m
    need = largest_walk_m(spec) + diag + 2.0 * spec.max_snap_m
    b = need if buffer_m is None else float(buffer_m)
    if b < need - 1e-9:
        raise ConfigError(
            f"buffer_m = {b:g} m is less than the largest walking distance plus a cell diagonal "
            f"and two snap distances ({need:g} m): partitions would differ at their edges"
        )
    net = max(b, float(cfg_buffer_m))
    exact = b + net - diag / 2.0 - 2.0 * spec.max_snap_m
    return b, net, exact


def split_area(area, nx: int, ny: int, crs=None):
    """Split a polygon into ``nx x ny`` rectangular pieces (a GeoDataFrame with ``key``).

    Handy for tests and for cutting one large municipality into tasks.

    >>> import shapely
    >>> split_area(shapely.box(0, 0, 100, 50), 2, 1, crs=3006)["key"].tolist()
    ['0_0', '1_0']
    """
    import geopandas as gpd
    import shapely

    x0, y0, x1, y1 = area.bounds
    xs, ys = np.linspace(x0, x1, nx + 1), np.linspace(y0, y1, ny + 1)
    keys, geoms = [], []
    for j in range(ny):
        for i in range(nx):
            piece = shapely.intersection(area, shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]))
            if not piece.is_empty:
                keys.append(f"{i}_{j}")
                geoms.append(piece)
    return gpd.GeoDataFrame({"key": keys}, geometry=geoms, crs=crs)


# --------------------------------------------------------------------------------------------
# one partition (runs on a Dask worker)
# --------------------------------------------------------------------------------------------
def _compute_partition(cfg, key: Any, area_wkb: bytes, part_wkb: bytes, crs: str,
                       net_buffer_m: float) -> Any:
    """Every layer for the partition ``part`` (in ``crs``); the cells whose centre is in ``area``.

    Returns a plain DataFrame (WKB geometry) so it travels cheaply between processes.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from ..grid import make_grid
    from ..network import build_walk_network
    from ..sources.osm import read_osm
    from ..study import Study, compute_layers
    from .pipeline import compute_population, pipeline_lamps

    t0 = time.perf_counter()
    area = shapely.from_wkb(area_wkb)
    part = shapely.from_wkb(part_wkb)
    data = read_osm(cfg.osm, area=gpd.GeoSeries([part], crs=crs), crs=crs,
                    buffer_m=net_buffer_m, default_levels=cfg.population.default_levels,
                    cycleways_walkable=cfg.cycleways_walkable)
    lamps = pipeline_lamps(cfg, data)
    net = build_walk_network(data, lighting=cfg.lighting, lamps=lamps)
    cells = make_grid(data.area, data.crs, cfg.grid)
    cells = compute_population(cfg, cells, data)
    layers = compute_layers(Study(data, net, cells, lamps, spec=cfg.access, weights=cfg.safety))
    grid = layers.grid
    centre = shapely.points(grid["easting_m"].to_numpy() + cfg.grid.cell_size_m / 2.0,
                            grid["northing_m"].to_numpy() + cfg.grid.cell_size_m / 2.0)
    keep = shapely.covers(area, centre)
    kept = grid[keep]
    out = pd.DataFrame(kept.drop(columns="geometry"))
    out[AREA_KEY_COLUMN] = key
    out["geometry"] = shapely.to_wkb(np.asarray(kept.geometry.values, dtype=object))
    out.attrs = {"key": key, "seconds": time.perf_counter() - t0,
                 "partition_cells": len(grid), "kept_cells": int(keep.sum())}
    return out


# --------------------------------------------------------------------------------------------
# the driver
# --------------------------------------------------------------------------------------------
def _load_cfg(cfg):
    from ..config import PipelineConfig, load_pipeline

    if isinstance(cfg, PipelineConfig):
        return cfg
    if isinstance(cfg, (str, Path)):
        return load_pipeline(cfg)
    raise GeoplanError("cfg must be a PipelineConfig or the path of a TOML pipeline")


def _load_areas(areas, key: str, layer: str | None):
    import geopandas as gpd
    import shapely

    if isinstance(areas, (str, Path)):
        from ..sources.area import read_layer_file

        areas = read_layer_file(areas, "area file", layer=layer)
    if not isinstance(areas, gpd.GeoDataFrame):
        raise GeoplanError("areas must be a polygon file or a GeoDataFrame")
    if key not in areas.columns:
        raise ConfigError(f"the areas have no column {key!r}; columns: {list(areas.columns)}")
    if areas.crs is None:
        raise ConfigError("the areas have no CRS: set it (e.g. EPSG:3006) in the file")
    if areas[key].duplicated().any():
        areas = areas.dissolve(by=key, as_index=False)  # one polygon per key (e.g. DeSO groups)
    geoms = areas.geometry.to_numpy()  # not GeoSeries.notna: it warns when some are empty
    areas = areas[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(areas) == 0:
        raise ConfigError("the area layer holds no polygons")
    return areas.sort_values(key, kind="stable").reset_index(drop=True)


def _metric_crs(cfg, areas) -> str:
    if cfg.crs:
        return str(cfg.crs)
    from ..crs import choose_crs

    c = areas.to_crs(4326).geometry.union_all().centroid
    return choose_crs(c.x, c.y, None).to_string()


def _client(scheduler, n_workers: int, processes: bool, threads_per_worker: int):
    """``(client, owned)``: connect to ``scheduler`` or start a LocalCluster we own."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, None
    if scheduler:
        try:
            return Client(scheduler, timeout="15s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler {scheduler!r} ({exc}): check the address "
                "(e.g. tcp://host:8786) and that the scheduler runs, or leave --scheduler out "
                "to run on a local cluster") from None
    if not (isinstance(n_workers, int) and n_workers >= 1):
        raise ConfigError(f"workers must be a whole number of at least 1, got {n_workers!r}")
    from distributed.deploy.spec import SpecCluster

    others = set(SpecCluster._instances)
    with _sigint_held() as pressed:
        try:
            # ":0": the scheduler's HTTP server on a free port (None means the fixed 8787,
            # which a second cluster, e.g. another run at the same time, cannot have)
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                                   processes=processes, dashboard_address=":0",
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
        except Exception:
            # a half-started cluster would be closed again at exit, with tracebacks
            for half in set(SpecCluster._instances) - others:
                _close_quietly(None, half)
                half.shutdown_on_close = False
            if pressed:  # Ctrl+C reached a worker while it started
                raise KeyboardInterrupt from None
            raise
    if pressed:  # Ctrl+C while the cluster started: stop it and cancel
        _close_quietly(client, cluster)
        raise KeyboardInterrupt
    return client, cluster


@contextlib.contextmanager
def _sigint_held():
    """Hold Ctrl+C (SIGINT) back while a local cluster starts or stops (yields the list a
    Ctrl+C meanwhile is noted in).

    The terminal sends Ctrl+C to every process of the command, the Dask workers too, and a
    cluster interrupted half-way prints tracebacks at exit. So while it starts or stops, a
    Ctrl+C only sets a flag (the caller stops the cluster and cancels), and the
    worker processes started meanwhile write to the null device: what they would print when
    stopped is noise, and a failing area is reported through its task anyway. With
    ``GEOPLAN_DEBUG`` set their output is kept.
    """
    import os
    import sys
    import threading

    pressed: list[int] = []
    main = threading.current_thread() is threading.main_thread()  # signals: main thread only
    old = signal.signal(signal.SIGINT, lambda *_: pressed.append(1)) if main else None
    saved = None
    if not os.environ.get("GEOPLAN_DEBUG"):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.flush()
            saved = os.dup(2)
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
    try:
        yield pressed
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        if main:
            signal.signal(signal.SIGINT, old)


def _close_quietly(client, cluster) -> bool:
    """Close what :func:`_client` opened without Dask's shutdown chatter (a cancelled run's
    workers log warnings and tracebacks while they are stopped). Whether Ctrl+C was pressed
    meanwhile."""
    if cluster is None:
        return False
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL + 1)
    try:
        with _sigint_held() as pressed, contextlib.suppress(Exception):
            if client is not None:
                client.close()
            cluster.close()
    finally:
        quiet.setLevel(level)
    return bool(pressed)


def _gather(client, futures, keys) -> tuple[list, dict]:
    """Results of the areas that worked, and ``{key: message}`` of those that failed (one bad
    area is reported; the others are kept)."""
    from distributed import wait

    wait(futures)
    parts, failed = [], {}
    for k, f in zip(keys, futures, strict=True):
        if f.status == "finished":
            parts.append(f.result())
        else:
            exc = f.exception()
            failed[str(k)] = str(exc) if isinstance(exc, GeoplanError) else (
                f"internal error ({type(exc).__name__}: {exc})")
    return parts, failed


def run_many(
    cfg,
    areas,
    key: str,
    *,
    layer: str | None = None,
    buffer_m: float | None = None,
    scheduler: Any = None,
    n_workers: int = 2,
    processes: bool = True,
    threads_per_worker: int = 1,
    only: Sequence[Any] | None = None,
):
    """Compute every layer for every area of ``areas`` on Dask and merge them into one grid.

    Parameters
    ----------
    cfg : PipelineConfig or path
        The pipeline (its OSM extract, lamps, grid, population, access, safety settings). Its
        own study area is ignored: the study area is the union of ``areas``.
    areas : path or geopandas.GeoDataFrame
        Polygons of the areas (any CRS), e.g. every municipality of a county.
    key : str
        Column naming each area; rows sharing a key are merged into one area.
    layer : str, optional
        Layer of a multi-layer area file.
    buffer_m : float, optional
        How far beyond each area cells are computed (see the module doc); default
        :func:`partition_buffers` (largest walk + cell diagonal + two snaps). Smaller values
        are refused (they would make partitions differ at their edges).
    scheduler : str or distributed.Client, optional
        Address of an existing Dask scheduler (``"tcp://host:8786"``) or a client; default a
        :class:`distributed.LocalCluster` started (and closed) here.
    n_workers, processes, threads_per_worker
        Of the local cluster (2 worker processes, 1 thread each by default).
    only : sequence, optional
        Compute only these keys (the merge then covers those areas).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``cell_id``: ``area_key`` and every grid column, each cell once (in the
        area holding its centre). ``attrs``: ``buffer_m``, ``net_buffer_m``,
        ``exact_up_to_m``, ``crs``, ``seconds`` per area, ``n_areas`` and ``failed``
        (``{key: message}`` of the areas that failed; the others are kept).
    """
    cfg = _load_cfg(cfg)
    areas = _load_areas(areas, key, layer)
    crs = _metric_crs(cfg, areas)
    areas = areas.to_crs(crs)
    b, net_b, exact = partition_buffers(cfg.access, cfg.grid.cell_size_m, cfg.buffer_m, buffer_m)
    tasks = _partition_tasks(cfg, areas, key, b, crs, only)
    client, cluster = _client(scheduler, n_workers, processes, threads_per_worker)
    try:
        futures = [client.submit(_compute_partition, cfg, k, a_wkb, p_wkb, crs, net_b,
                                 key=f"geoplan-area-{k}-{i}", pure=False)
                   for i, (k, a_wkb, p_wkb) in enumerate(tasks)]
        parts, failed = _gather(client, futures, [k for k, _, _ in tasks])
    except BaseException:
        _close_quietly(client, cluster)
        raise
    if _close_quietly(client, cluster):  # Ctrl+C while the cluster stopped: still cancelled
        raise KeyboardInterrupt
    if not parts:
        raise GeoplanError("every area failed: " + "; ".join(
            f"{k}: {msg}" for k, msg in failed.items()))
    merged = _merge_parts(parts, crs, cfg)
    merged.attrs = {"buffer_m": b, "net_buffer_m": net_b, "exact_up_to_m": exact, "crs": crs,
                    "seconds": {p.attrs["key"]: p.attrs["seconds"] for p in parts},
                    "n_areas": len(tasks), "key": key, "failed": failed}
    return merged


def _partition_tasks(cfg, areas, key: str, buffer_m: float, crs: str, only) -> list[tuple]:
    """(key, area WKB, partition WKB) per area: the area buffered by ``buffer_m`` within the whole
    study area, widened by every statistical area it touches (population from statistics)."""
    import shapely

    whole = shapely.union_all(np.asarray(areas.geometry.values, dtype=object))
    stats_areas = None
    if cfg.population.source == "statistics" and cfg.population.areas is not None:
        from ..sources.area import read_layer_file

        stats_areas = read_layer_file(cfg.population.areas, "[population] areas file",
                                      layer=cfg.population.area_layer).to_crs(crs)
    tasks = []
    for k, geom in zip(areas[key].tolist(), areas.geometry.values, strict=True):
        if only is not None and k not in set(only):
            continue
        part = shapely.intersection(shapely.buffer(geom, buffer_m), whole)
        if stats_areas is not None:
            touch = stats_areas[stats_areas.intersects(part)]
            part = shapely.intersection(shapely.union_all([part, *touch.geometry.values]), whole)
        tasks.append((k, shapely.to_wkb(geom), shapely.to_wkb(part)))
    return tasks


def _merge_parts(parts: list, crs: str, cfg):
    """One grid of the partitions' kept cells (each once), sorted, safety index over all cells."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from ..indicators.safety import safety_index

    frames = [pd.DataFrame(p) for p in parts if len(p)]
    if not frames:
        raise GeoplanError("no grid cell has its centre inside the areas")
    merged = pd.concat(frames)  # in key order: a centre on a shared border -> the first area
    merged = merged[~merged.index.duplicated(keep="first")]
    merged = gpd.GeoDataFrame(merged, geometry=shapely.from_wkb(merged["geometry"].to_numpy()),
                              crs=crs)
    merged = merged.sort_values(["northing_m", "easting_m"], kind="stable")
    if "safety_index" in merged.columns:  # eyes-on-street p90 is over all cells of the run
        idx = safety_index(merged, cfg.safety)
        for col in idx.columns:
            merged[col] = idx[col]
    return merged
