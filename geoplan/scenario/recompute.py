"""Incremental recompute of a scenario: :func:`recompute` gives exactly what
:func:`geoplan.study.compute_layers` gives on the edited study (a test compares them cell by
cell), but recomputes only the cells whose results can change.

This module decides *which* cells can change; their values come from the same indicator
functions as the full computation, given those cells
(:func:`~geoplan.indicators.access.access_indicators`,
:func:`~geoplan.indicators.night.night_indicators` and
:func:`~geoplan.indicators.green.green_indicators` with ``selection``;
:func:`~geoplan.indicators.safety.safety_indicators` on the cells and their neighbours), and the
layers are assembled by :func:`geoplan.study.layers_from_grid` (area summaries, meta) after the
findings step (:func:`geoplan.study.with_findings`), as :func:`geoplan.study.compute_layers`
does; the grid is the baseline's with the changed rows written in (:func:`_grid`).

How :func:`recompute` finds the cells that can change
    * **New edges** (new paths; at night also newly lit edges): one bounded Dijkstra from their
      endpoints, each started at the edge's length ``w``, gives ``s(o) = min_e (w_e + d(o, e))``,
      a lower bound on any route of origin ``o`` that uses a new edge. A within-``R`` result
      (counts, gravity, green m², residents within 500 m) can change only where ``s(o) <= R``;
      a nearest distance can only shrink, and only where ``s(o) <` its baseline value — those
      cells are searched again (bounded by their old distance), every other cell keeps its value.
    * **Added destinations / green entries / residents** (new or moved points): the same search
      started at 0 from their nodes. **Removed** ones (a destination captured by a new path, a
      park entry swallowed by a merged park) use a straight-line bound: network distance ≥
      straight distance / the graph's ``reach_factor``.
    * Origins and the baseline's destinations keep their baseline attachment
      (:func:`geoplan.study.pin_attachment`); origins on a split edge (their night doorstep
      changes) or on a newly lit edge: their rows are recomputed.
    * **Safety**: cells touching new, split or relit edges, edges whose dark stretch changed,
      new lamps, buildings and shops within 25 m of new paths, and cells whose ``pop`` changed,
      computed on those cells and their neighbours (so border rules are the same); the 0–100
      index of those cells uses the baseline's eyes-on-street scale
      (:attr:`geoplan.study.Study.eyes_scale`), so every other cell keeps its value.
    * Derived columns (night detour, ``loses_*_at_night``, 300 m flags, per-capita ratios) are
      recomputed from the merged columns; area summaries are recomputed (cheap).
    * When a new path joins two parts of the network (routes may then run anywhere),
      :func:`recompute` falls back to a full recompute and says so in its stats.

Paths, lighting and densification (the exact local update on the stored graphs, issue #15)
    When a scenario only adds paths, lights edges on the main network and densifies cells (no
    new destination or green space), :func:`recompute` does not build any graph: it patches
    the baseline's stored day, night and green graphs
    (:func:`~geoplan.routing.patch_routing_graph`: the new nodes and arcs added, nothing
    removed, as a cut of an edge changes no distance between the nodes that were there). Every
    route that changed passes through an end of an added arc, so one search from those ends
    gives, per origin and target set, the best route through the edit; the new nearest
    distance is ``min(old, that)`` for every cell, exactly. Only the cells whose best route
    through the edit is within a cutoff (counts, gravity, green m², residents within reach)
    are computed again by the indicator functions, on the part of the patched graph around
    them (:func:`~geoplan.routing.subgraph_near`). The baseline keeps, per node of each
    stored graph and per target set, the distance from the nearest target
    (:attr:`Baseline.node_dist`), so the search from the edit stops where no node gets
    closer: it starts with the cutoff's reach and is widened until every node that got
    closer lies inside it (a lit path into a dark area may widen it to the whole graph).
    Baselines without those distances search as far as the longest old distance.
    The baseline also keeps every origin-target pair within each graph's cutoff with its
    distance (:attr:`Baseline.pairs`): a pair's new distance is ``min(stored, d(t, e) +
    d(e, o))`` over the ends ``e`` of the added arcs, read off the same search from the ends
    (and, on the one-way night graph, one against the arcs), so the cells whose pairs change
    get their counts, gravity, green m² and residents within reach with no search of their
    own (:func:`_pairs_near_edit`; without stored pairs, or when the edit adds green entries
    or residents, the indicator functions compute those cells on the graph around them).
    A path into, across or beside a green space adds entries to it (found for the spaces near
    the edit only, :func:`_added_entries`): they become nodes of the patched green graph, on
    their edge between its neighbours along it, and one search from them gives every cell's
    route to them. The cells within reach of a densified cell are computed again (their
    residents within reach changed). ``RecomputeStats.graphs`` says ``'patched'``.

Example
-------
>>> import shapely
>>> from geoplan.scenario.edits import apply_scenario
>>> from geoplan.study import example_study
>>> from geoplan.types import Scenario, NewPath
>>> study = example_study()
>>> path = shapely.LineString([(100, 0), (150, -30), (200, 0)])  # a lit way round the dark edge
>>> s = Scenario("lit detour", (NewPath(path, lit=True),), crs=study.network.crs)
>>> base = prepare_baseline(study)
>>> after, stats = recompute(base, apply_scenario(s, study))
>>> base.layers.grid["night_dist_school_m"].tolist(), after.grid["night_dist_school_m"].round(1).tolist()
([inf, inf], [186.6, 216.6])
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import json
import math
import pickle
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from .._memo import kept, once_per
from ..progress import Progress, report, scaled
from ..study import (
    Layers,
    PinnedAttachment,
    Study,
    compute_layers,
    compute_layers_with_parts,
    layer_parts,
    layers_from_grid,
    study_attachments,
    study_green,
    with_findings,
)
from ..types import WalkNetwork
from .edits import AppliedScenario

__all__ = ["BASELINE_FORMAT", "Baseline", "RecomputeStats", "at_baseline_scale", "load_baseline",
           "prepare_baseline", "recompute", "save_baseline"]


@dataclass(frozen=True, eq=False)
class Baseline:
    """A study computed once, with what :func:`recompute` reuses for every scenario."""

    inputs: Study
    layers: Layers
    main: np.ndarray
    origin_att: object
    dest_att: object
    rf_day: float
    rf_night: float
    night_mask: np.ndarray
    dark_stretch: np.ndarray
    spaces: gpd.GeoDataFrame
    entries: gpd.GeoDataFrame
    rf_green: float
    entry_keys: list = field(default_factory=list)
    #: The routing graphs of the baseline's computation (``None`` in baselines made without
    #: them): day (:func:`~geoplan.routing.build_routing_graph` of the origins and
    #: destinations), night (:func:`~geoplan.indicators.night.night_graph`) and green
    #: (:func:`~geoplan.indicators.green.green_graph`: graph and entries). :func:`recompute`
    #: searches them instead of building them again when a scenario moves no network element
    #: and adds no destination (densification, new lamps lighting no edge).
    day_graph: object = None
    night_graph: object = None
    green_graph: tuple | None = None
    #: Per stored graph (``'day'``, ``'night'``, ``'green'``) and target set (a category;
    #: ``'scb'``, ``'who'``, ``'any'`` entries and ``'pop'`` residents for green): the target
    #: nodes and, per node of the graph, its distance from the nearest of them along arcs
    #: (:func:`_node_distances`). The search from a scenario's edit stops where no node gets
    #: closer (:func:`_via_bounded`); ``None`` in baselines made without them.
    node_dist: dict | None = None
    #: Per stored graph (``'day'``, ``'night'``, ``'green'``): every pair of an origin and a
    #: target within the graph's largest cutoff, with its distance
    #: (:class:`~geoplan.indicators.pairs.PairStore`, :func:`_pair_stores`). A cell near an
    #: edit then gets its counts, gravity, green m² and residents within reach from
    #: ``min(stored, through the edit)`` per pair, with no search of its own
    #: (:func:`_pairs_near_edit`); ``None`` in baselines made without them.
    pairs: dict | None = None


def prepare_baseline(inputs: Study, progress: Progress | None = None,
                     layers: Layers | None = None, parts=None) -> Baseline:
    """Compute the baseline layers (or take ``layers``) and the state scenarios reuse.

    ``parts``: the :class:`~geoplan.study.LayerParts` made with ``layers``
    (:func:`~geoplan.study.compute_layers_with_parts`), reused instead of attaching and
    building the routing graphs again.
    """
    from ..indicators.safety import dark_stretch_m, eyes_scale
    from ..routing import lit_mask, main_component_mask

    if layers is None:
        layers, parts = compute_layers_with_parts(inputs, progress=scaled(progress, 0.0, 0.9))
    if inputs.eyes_scale is None:  # scenarios keep the baseline's scale (safety.eyes_scale)
        inputs = dataclasses.replace(inputs, eyes_scale=eyes_scale(layers.grid))
    spec, net = inputs.spec, inputs.network
    main = main_component_mask(net, spec.min_component_m)
    if parts is None:
        parts = layer_parts(inputs, layers.origins)
    o_att, d_att, spaces, entries = (parts.origin_att, parts.dest_att, parts.spaces,
                                     parts.entries)
    g_day, g_night, g_green = parts.day_graph, parts.night_graph, parts.green_graph
    if inputs.attachment is None:  # apply_scenario carries these instead of making them again
        inputs = dataclasses.replace(inputs, attachment=PinnedAttachment(o_att, d_att, entries))
    node_dist = _node_distances(inputs, layers.origins, g_day, g_night, g_green, spaces)
    pairs = _pair_stores(inputs, layers.origins, g_day, g_night, g_green)
    report(progress, 1.0, "baseline ready")
    return Baseline(inputs, layers, main, o_att, d_att, g_day.reach_factor, g_night.reach_factor,
                    lit_mask(net, unknown_as_lit=spec.night_unknown_as == "lit"),
                    dark_stretch_m(net), spaces, entries, g_green[0].reach_factor,
                    _entry_keys(spaces, entries), g_day, g_night, g_green, node_dist, pairs)


def _category_targets(graph, study: Study) -> dict:
    """Per category: the destination nodes of ``graph`` (day or night)."""
    d_n = graph.point_nodes[1]
    cats = study.data.destinations["category"].to_numpy()
    return {c: d_n[cats == c] for c in study.spec.categories}


def _green_targets(graph, entries: gpd.GeoDataFrame, spaces: gpd.GeoDataFrame, pop: np.ndarray,
                   spec) -> dict:
    """The green graph's target sets: entries of spaces large enough for the SCB and WHO rules,
    all entries, and the origins with residents (``pop`` per origin)."""
    o_n, e_n = graph.point_nodes
    e_ha = spaces["area_ha"].to_numpy(float)[
        spaces.index.get_indexer(entries["green_id"].to_numpy(np.int64))]
    return {"scb": e_n[e_ha >= spec.green_scb_min_ha], "who": e_n[e_ha >= spec.green_who_min_ha],
            "any": e_n, "pop": o_n[pop > 0]}


def _node_distances(inputs: Study, origins, g_day, g_night, g_green: tuple, spaces) -> dict:
    """:attr:`Baseline.node_dist`: per graph and target set, ``(target nodes, distance of
    every node from the nearest target along arcs)``, one multi-source Dijkstra each."""
    pop = inputs.cells["pop"].reindex(origins.index).to_numpy(float)
    sets = {"day": (g_day, _category_targets(g_day, inputs)),
            "night": (g_night, _category_targets(g_night, inputs)),
            "green": (g_green[0], _green_targets(g_green[0], g_green[1], spaces, pop,
                                                 inputs.spec))}
    out: dict = {}
    for kind, (g, targets) in sets.items():
        out[kind] = {}
        for key, t in targets.items():
            t = np.unique(t[t >= 0])
            d = (dijkstra(g.csr, directed=True, indices=t, min_only=True) if len(t)
                 else np.full(g.n_nodes, math.inf))
            out[kind][key] = (t, d)
    return out


def _pair_cutoffs(spec) -> dict:
    """Per stored graph, the largest distance its cells' counts look: day counts and gravity,
    night counts, green m² and residents within reach."""
    return {"day": max(max(spec.radii_m), spec.gravity_cutoff_m),
            "night": spec.night_threshold_m, "green": spec.green_per_capita_within_m}


def _green_pair_targets(g_green: tuple, pop: np.ndarray) -> np.ndarray:
    """The green graph's targets of the pairs: the entries and the origins with residents."""
    o_n, e_n = g_green[0].point_nodes
    return np.r_[e_n, o_n[pop > 0]]


def _pair_stores(inputs: Study, origins, g_day, g_night, g_green: tuple) -> dict:
    """:attr:`Baseline.pairs`: per stored graph, the origin-target pairs within its cutoff
    (:func:`_pair_cutoffs`; :func:`~geoplan.indicators.pairs.pair_store`)."""
    from ..indicators.pairs import pair_store

    pop = inputs.cells["pop"].reindex(origins.index).to_numpy(float)
    cut = _pair_cutoffs(inputs.spec)
    return {"day": pair_store(g_day, g_day.point_nodes[0], g_day.point_nodes[1], cut["day"]),
            "night": pair_store(g_night, g_night.point_nodes[0], g_night.point_nodes[1],
                                cut["night"]),
            "green": pair_store(g_green[0], g_green[0].point_nodes[0],
                                _green_pair_targets(g_green, pop), cut["green"])}


#: Format version of a saved baseline (:func:`save_baseline`); raised when its layout changes.
BASELINE_FORMAT = 4  # 3: Baseline.node_dist; 4: Baseline.pairs
_MAGIC = b"geoplan-scenario-baseline\n"


def _mapping_proxy(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


class _BaselinePickler(pickle.Pickler):
    """Pickles read-only mappings (``Layers.meta`` …) as what they wrap."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda m: (_mapping_proxy, (dict(m),))


class _BaselineUnpickler(pickle.Unpickler):
    """Reads a saved baseline whichever numpy wrote it: numpy 2 names its arrays' module
    ``numpy._core``, numpy 1 ``numpy.core`` (QGIS 3.40 ships numpy 1.26, the command line's
    venv numpy 2), so a run folder written by one opens in the other."""

    def find_class(self, module: str, name: str):
        return super().find_class(_numpy_module(module), name)


def _numpy_module(module: str) -> str:
    """``module`` as this numpy names it (``numpy.core`` before numpy 2, ``numpy._core`` since).

    >>> _numpy_module("numpy._core.multiarray") in ("numpy.core.multiarray",
    ...                                             "numpy._core.multiarray")
    True
    >>> _numpy_module("pandas.core.frame")
    'pandas.core.frame'
    """
    old, new = _NUMPY_CORE
    if module == old or module.startswith(old + "."):
        return new + module[len(old):]
    return module


#: (the name the other numpy gives its core module, the name this numpy gives it)
_NUMPY_CORE = (("numpy._core", "numpy.core") if np.__version__.startswith("1.")
               else ("numpy.core", "numpy._core"))


def _libraries() -> dict:
    """The versions of the libraries whose objects a saved baseline pickles (kept in its header
    to say why a file from another Python cannot be read; not compared)."""
    return {"numpy": np.__version__, "pandas": pd.__version__,
            "python": ".".join(map(str, sys.version_info[:2]))}


def _stamp(stamp) -> dict:
    from .. import __version__

    return json.loads(json.dumps({"format": BASELINE_FORMAT, "geoplan": __version__,
                                  **dict(stamp)}, sort_keys=True, default=str))


def save_baseline(baseline: Baseline, path, *, stamp=None) -> None:
    """Write ``baseline`` to ``path``: a JSON header (:data:`BASELINE_FORMAT`, geoplan's version
    and ``stamp``, e.g. the pipeline and the SHA-256 of its inputs), then the pickled baseline.

    :func:`load_baseline` checks the header before it unpickles anything.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from geoplan.study import example_study
    >>> p = Path(tempfile.mkdtemp()) / "baseline.pkl"
    >>> base = prepare_baseline(example_study())
    >>> save_baseline(base, p, stamp={"inputs": {"osm": "ab12"}})
    >>> load_baseline(p, stamp={"inputs": {"osm": "ab12"}}).layers.grid.equals(base.layers.grid)
    True
    >>> load_baseline(p, stamp={"inputs": {"osm": "cd34"}})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    geoplan.errors.SavedBaselineError: ... was saved for other inputs ...
    """
    import io

    buf = io.BytesIO()
    _BaselinePickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(_without_ways(baseline))
    header = json.dumps({**_stamp(stamp or {}), "written_with": _libraries()},
                        sort_keys=True).encode()
    Path(path).write_bytes(_MAGIC + header + b"\n" + buf.getvalue())


def _without_ways(baseline: Baseline) -> Baseline:
    """``baseline`` with its study's raw OSM ways left out (none of their rows, the same
    columns): a scenario starts from the built network and never reads them, and they were
    ~0.5 MB and 3 ms of loading of the demo's saved baseline."""
    data = baseline.inputs.data
    if data.ways is None or not len(data.ways):
        return baseline
    inputs = dataclasses.replace(baseline.inputs, data=dataclasses.replace(
        data, ways=data.ways.iloc[:0]))
    return dataclasses.replace(baseline, inputs=inputs)


def _read_header(f, path) -> dict:
    from ..errors import SavedBaselineError

    if f.read(len(_MAGIC)) != _MAGIC:
        raise SavedBaselineError(f"{path} is not a saved geoplan scenario baseline: run "
                                 "`geoplan run` again to write it", "damaged")
    try:
        header = json.loads(f.readline())
    except ValueError as exc:
        raise SavedBaselineError(f"{path} is damaged ({exc}): run `geoplan run` again to "
                                 "rewrite it", "damaged") from exc
    if not isinstance(header, dict):
        raise SavedBaselineError(f"{path} is damaged (its header is not a JSON object): run "
                                 "`geoplan run` again to rewrite it", "damaged")
    return header


def load_baseline(path, *, stamp=None) -> Baseline:
    """The baseline :func:`save_baseline` wrote to ``path``, after checking that its header
    matches ``stamp`` (and this geoplan's version and :data:`BASELINE_FORMAT`); a stale,
    foreign or damaged file raises :class:`~geoplan.errors.SavedBaselineError` (an
    :class:`~geoplan.errors.InputFileError`; its ``reason`` says why in a word).

    Only load files your own ``geoplan run`` wrote: the body is a Python pickle.
    """
    from ..errors import SavedBaselineError

    path = Path(path)
    if not path.is_file():
        raise SavedBaselineError(f"{path} does not exist: run `geoplan run` into that folder "
                                 "again (it writes the saved baseline)", "missing")
    want = _stamp(stamp or {})
    with open(path, "rb") as f:
        got = _read_header(f, path)
        written_with = got.pop("written_with", None)
        for key, what in (("format", "another file format"), ("geoplan", "another geoplan "
                          "version"), ("pipeline", "other settings"), ("inputs", "other inputs")):
            if got.get(key) != want.get(key):
                raise SavedBaselineError(
                    f"{path} was saved for {what} ({key}: {_short(got.get(key))} here, "
                    f"{_short(want.get(key))} now): run `geoplan run` again to rewrite it", key)
        if got != want:
            raise SavedBaselineError(f"{path} was saved for another run: run `geoplan run` "
                                     "again to rewrite it", "run")
        try:
            baseline = _BaselineUnpickler(f).load()
        except Exception as exc:  # a cut-off or damaged body, or one of other libraries
            here = _libraries()
            if isinstance(written_with, dict) and written_with != here:
                raise SavedBaselineError(
                    f"{path} cannot be read by this Python ({type(exc).__name__}): it was "
                    f"written with {_versions(written_with)}, this Python has "
                    f"{_versions(here)}; run `geoplan run` again with this Python (for the QGIS "
                    "panel: QGIS's) to rewrite it", "libraries") from exc
            raise SavedBaselineError(f"{path} is damaged ({type(exc).__name__}): run "
                                     "`geoplan run` again to rewrite it", "damaged") from exc
    if not isinstance(baseline, Baseline):
        raise SavedBaselineError(f"{path} holds no scenario baseline: run `geoplan run` again",
                                 "damaged")
    return baseline


def _versions(libraries: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(libraries.items()))


def _short(v) -> str:
    text = json.dumps(v, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def at_baseline_scale(baseline: Baseline, applied: AppliedScenario) -> AppliedScenario:
    """``applied`` with the baseline's safety-index scale (``Study.eyes_scale``) when it was
    applied to inputs without one, so cells where nothing changed keep their index."""
    if applied.inputs.eyes_scale is not None or applied.is_empty:
        return applied
    return dataclasses.replace(applied, inputs=dataclasses.replace(
        applied.inputs, eyes_scale=baseline.inputs.eyes_scale))


@dataclass(frozen=True)
class RecomputeStats:
    """What :func:`recompute` did: ``mode`` ('incremental', 'full' or 'none'), why, seconds and
    the number of cells recomputed per family of measures.

    ``routing_s`` is the part of ``seconds`` spent routing: making or patching the routing
    graphs, the searches that find the cells that can change and the indicator searches of
    those cells (0 in the full mode, which is not split up). ``graphs`` says how the graphs
    were had: ``'patched'`` (the baseline's stored graphs with the edit's nodes and arcs
    added, searched near the edit only), ``'stored'`` (the baseline's, unchanged:
    densification) or ``'rebuilt'``."""

    mode: str
    reason: str = ""
    seconds: float = 0.0
    cells: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    routing_s: float = 0.0
    graphs: str = ""

    def as_dict(self) -> dict:
        return {"mode": self.mode, "reason": self.reason, "seconds": round(self.seconds, 4),
                "routing_s": round(self.routing_s, 4), "graphs": self.graphs,
                "cells_recomputed": dict(self.cells)}


def _euclid_min(xy: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Straight distance from each row of ``xy`` to the nearest of ``pts`` (inf if none)."""
    if len(pts) == 0:
        return np.full(len(xy), math.inf)
    d = np.hypot(xy[:, None, 0] - pts[None, :, 0], xy[:, None, 1] - pts[None, :, 1]).min(axis=1)
    return np.where(np.isnan(d), math.inf, d)


def _moved(parent: np.ndarray, old_att, new_att) -> np.ndarray:
    """Points whose attachment changed place (or edge, beyond a split of the same edge)."""
    oe, ne = old_att.edge, new_att.edge
    same_edge = np.where(ne >= 0, parent[np.maximum(ne, 0)], -1) == oe
    with np.errstate(invalid="ignore"):
        near = np.hypot(*(old_att.on_edge_xy - new_att.on_edge_xy).T) <= 1e-6
    both_off = (oe < 0) & (ne < 0)
    return ~(both_off | (same_edge & near & (oe >= 0)))


def _slack(x):
    return x * (1 + 1e-9) + 1e-6


def recompute(baseline: Baseline, applied: AppliedScenario, *,
              progress: Progress | None = None) -> tuple[Layers, RecomputeStats]:
    """The layers of the edited study, recomputing only the cells that can change.

    Equal to ``compute_layers(applied.inputs)`` (the full recompute) to floating-point rounding; see the
    module doc for how the cells are found.

    Examples
    --------
    >>> import shapely
    >>> from geoplan.scenario.edits import apply_scenario
    >>> from geoplan.study import example_study
    >>> from geoplan.types import NewPath, Scenario
    >>> inputs = example_study()
    >>> base = prepare_baseline(inputs)
    >>> path = shapely.LineString([(100, 0), (150, -30), (200, 0)])
    >>> s = Scenario("lit detour", (NewPath(path, lit=True),), crs=inputs.network.crs)
    >>> layers, stats = recompute(base, apply_scenario(s, inputs))
    >>> stats.mode, layers.grid["loses_school_at_night"].tolist()
    ('incremental', [False, False])
    """
    t0 = time.perf_counter()
    if applied.is_empty:
        return baseline.layers, RecomputeStats("none", "no edits", 0.0)
    from ..routing import main_component_mask

    applied = at_baseline_scale(baseline, applied)
    new = applied.inputs
    spec, net = new.spec, new.network
    parent = applied.edge_parent
    same_net = net is baseline.inputs.network  # no network element moved or relit
    if not same_net:
        patched = _recompute_patched(baseline, applied, progress, t0)
        if patched is not None:
            return patched
    main = baseline.main if same_net else main_component_mask(net, spec.min_component_m)
    old_main = baseline.main[np.maximum(parent, 0)]
    if np.any((parent >= 0) & (main != old_main)):
        layers = compute_layers(new, progress=progress)
        return layers, RecomputeStats("full", "a new path joins separate parts of the network",
                                      time.perf_counter() - t0)
    report(progress, 0.05, "attaching origins and destinations")
    origins = baseline.layers.origins
    if same_net and not applied.n_new_destinations:  # the baseline's attachments, unchanged
        dest, o_att, d_att = baseline.layers.destinations, baseline.origin_att, baseline.dest_att
    else:
        dest, o_att, d_att = study_attachments(new, origins)
    n_old_d = len(baseline.dest_att.edge)
    d_moved = np.ones(len(d_att.edge), bool)
    d_moved[:n_old_d] = _moved(parent, baseline.dest_att, _take(d_att, n_old_d))
    o_moved = _moved(parent, baseline.origin_att, o_att)
    ctx = _Ctx(baseline, applied, main, o_att, d_att, o_moved, d_moved, same_net)
    counts: dict[str, int] = {}
    if ctx.residents_only:  # densification: the stored graphs, searched near the new homes
        return _finish(ctx, dest, _residents_only(ctx, counts), counts, progress, t0, "stored")
    with ctx.clock:  # graphs built again, bounds and the indicators' searches
        day, green = _day_and_green(ctx, counts, scaled(progress, 0.1, 0.6))
        night = _night_access(ctx, day, counts, scaled(progress, 0.6, 0.8))
    return _finish(ctx, dest, _Parts(frames=(day, night, green), green_without_entry=int(
        green.attrs["n_green_spaces_without_entry"])), counts, progress, t0, "rebuilt")


@dataclass(frozen=True)
class _Parts:
    """A recompute's day, night and green results, for :func:`_finish`: the row updates of
    the baseline grid's columns (``new``: column -> ``(sorted rows, values)``) and whole
    columns (``frames``, indexed like the grid), with the green spaces no path reaches."""

    new: dict = field(default_factory=dict)
    frames: tuple = ()
    green_without_entry: int = 0


def _finish(ctx: _Ctx, dest: gpd.GeoDataFrame, parts: _Parts, counts: dict, progress,
            t0: float, graphs: str) -> tuple[Layers, RecomputeStats]:
    """Safety of the cells that can change, then the layers (the grid made once from the
    baseline's: :func:`_grid`) and the stats."""
    safety = _safety(ctx, counts, scaled(progress, 0.8, 0.95))
    study, areas = ctx.applied.inputs, ctx.base.layers.areas
    grid = _grid(ctx.base, study.cells, parts.new,
                 (*parts.frames, with_findings(study, safety)))
    layers = layers_from_grid(study, grid, origins=ctx.base.layers.origins,
                              origins_unattached=ctx.o_att.n_unattached, destinations=dest,
                              green_spaces_without_entry=parts.green_without_entry,
                              # (the cells are the baseline's: so is their union)
                              study_geometry=None if areas is None else areas.geometry.values[-1])
    report(progress, 1.0, "scenario recomputed")
    return layers, RecomputeStats("incremental", "", time.perf_counter() - t0,
                                  MappingProxyType(counts), ctx.clock.seconds, graphs)


def _grid(base: Baseline, cells: gpd.GeoDataFrame, new: dict, frames: tuple
          ) -> gpd.GeoDataFrame:
    """The scenario's grid, made once from the baseline's, in its order of columns (as
    :func:`~geoplan.study.layers_from_parts` joins them): the columns of ``cells`` (the
    edited study's: ``pop`` after densifying) and of ``frames`` as they are, the columns with
    row updates in ``new`` copied once with the updated rows written in (one block per dtype:
    :func:`_blocks`), every other column the baseline's, not copied (pandas copies it on
    write). Each run of neighbouring columns from one source is one slice of it, so nothing
    is copied to put the columns in order."""
    grid = _once(base, "grid_frame", lambda: pd.DataFrame(base.layers.grid))  # (plain: cheaper)
    names = list(grid.columns)
    # (as a join on the cells would: every source in the grid's order of rows)
    srcs = [f if f.index.equals(grid.index) else f.reindex(grid.index) for f in (cells, *frames)]
    where = {c: k for k, f in enumerate(srcs) for c in f.columns}  # (a later frame wins)
    blocks = _blocks(base, [c for c in names if c in new and c not in where], new)
    where.update({c: len(srcs) + k for k, f in enumerate(blocks) for c in f.columns})
    srcs += blocks
    key = [where.get(c, -1) for c in names]  # -1: the baseline's
    pieces, start = [], 0
    for i in range(1, len(names) + 1):
        if i < len(names) and key[i] == key[i - 1] and (key[i] < 0 or _next_in(
                srcs[key[i]], names[i - 1], names[i])):
            continue
        src = grid if key[start] < 0 else srcs[key[start]]
        j = src.columns.get_loc(names[start])
        pieces.append(src.iloc[:, j:j + i - start])  # (a view)
        start = i
    extra = [c for c in where if c not in grid.columns]  # (none: the baseline's columns)
    if extra:
        pieces.append(pd.concat([srcs[where[c]][[c]] for c in extra], axis=1))
    return gpd.GeoDataFrame(pd.concat(pieces, axis=1), geometry=cells.geometry.name,
                            crs=cells.crs, copy=False)  # (geopandas copies a plain frame)


def _next_in(frame: pd.DataFrame, a: str, b: str) -> bool:
    """Whether column ``b`` follows column ``a`` in ``frame``."""
    i = frame.columns.get_loc(a)
    return i + 1 < len(frame.columns) and frame.columns[i + 1] == b


# --------------------------------------------------------------------------------------------
# the exact local update on the baseline's stored graphs (issue #15)
# --------------------------------------------------------------------------------------------
def _once(baseline: Baseline, key: str, make):
    """``make()``, computed once per baseline object (kept while the baseline lives:
    :func:`geoplan._memo.once_per`)."""
    return once_per(baseline, key, make)


def _stored(baseline: Baseline, kind: str):
    """The baseline's stored graph ``kind`` ('day', 'night', 'green') and its attachments."""
    from ..indicators.green import entries_attachment

    if kind == "green":
        return baseline.green_graph[0], [baseline.origin_att, _once(
            baseline, "entries_att", lambda: entries_attachment(baseline.green_graph[1]))]
    g = baseline.day_graph if kind == "day" else baseline.night_graph
    return g, [baseline.origin_att, baseline.dest_att]


def _parts_of(baseline: Baseline, kind: str) -> np.ndarray:
    """Per node of the stored graph ``kind``: its strongly connected part (once per baseline;
    the night graph's one-way doorstep arcs make parts of their own)."""
    from scipy.sparse.csgraph import connected_components

    return _once(baseline, f"parts_{kind}", lambda: connected_components(
        _stored(baseline, kind)[0].csr, directed=True, connection="strong")[1])


def _main_parts(baseline: Baseline) -> np.ndarray:
    """Per part of the day graph (:func:`_parts_of`): whether its edges are in the main
    network (``AccessSpec.min_component_m``)."""
    def make():
        u = baseline.inputs.network.edges["u"].to_numpy(np.int64)
        label = _parts_of(baseline, "day")
        out = np.zeros(int(label.max(initial=0)) + 1, bool)
        out[label[u[baseline.main]]] = True
        return out
    return _once(baseline, "main_parts", make)


@dataclass(frozen=True, eq=False)
class _Family:
    """A stored graph and a scenario's nodes and arcs (:func:`_patch`): the patched graph is
    made only where a search needs it (:func:`_local_csr`, :func:`_near`), whole only when a
    search must reach the whole graph (:attr:`graph`)."""

    stored: object  #: the baseline's stored graph
    patch: tuple  #: ``(new_xy, a, b, length_m, lit code)``: :func:`~geoplan.routing.add_arcs`
    ends: np.ndarray  #: every changed route passes through one of these (:func:`_cover`)
    limit: float
    kind: str = ""
    arc_ends: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_base: int = 0  #: nodes of the stored graph (the patched graph's first ones)
    cutoff: float = 0.0
    box_index: tuple | None = None  #: :func:`_box_index` of the stored graph
    arcs: tuple = ()  #: the added arcs ``(a, b, length_m)``, one per direction
    reach_factor: float = 1.0  #: of the patched graph

    @property
    def n_nodes(self) -> int:
        """Nodes of the patched graph."""
        return self.n_base + len(self.patch[0])

    @cached_property
    def graph(self):
        """The whole patched graph (:func:`~geoplan.routing.add_arcs`), made on first use."""
        from ..routing import add_arcs

        return add_arcs(self.stored, *self.patch)

    def xy(self, ids: np.ndarray) -> np.ndarray:
        """Coordinates of the patched graph's nodes ``ids``."""
        g, n0 = self.stored, self.n_base
        new = self.patch[0]
        out = g.node_xy[np.minimum(ids, n0 - 1)]
        if len(new):
            out = np.where((ids < n0)[:, None], out, new[np.clip(ids - n0, 0, len(new) - 1)])
        return out


def _patch(ctx: _Ctx, kind: str, old_columns: list, cutoff: float, mask=None,
           base_mask=None) -> _Family:
    """The stored graph ``kind`` patched (:func:`~geoplan.routing.patch_routing_graph`), the
    ends of the added arcs, and how far searches from them must reach: every route that
    changed passes through an end; it can make an origin's nearest distance shorter only if it
    is shorter than the old one, and its counts change only within ``cutoff``. So the searches
    reach the longest finite old distance (``old_columns``) or ``cutoff``; the whole graph when
    the ends lie in different strongly connected parts of the baseline's graph (then a cell
    that reached nothing may reach something now, at any distance)."""
    from ..routing import patch_arcs, patch_reach_factor

    g, atts = _stored(ctx.base, kind)
    new_xy, a, b, w, code = patch_arcs(g, atts, ctx.base.inputs.network, ctx.net,
                                       ctx.applied.edge_parent, edge_mask=mask,
                                       base_edge_mask=base_mask, edit=ctx.edited)
    ends = _cover(g, a, b, w)
    arc_ends = np.unique(np.concatenate([a, b]))
    fam = _Family(g, (new_xy, a, b, w, code), ends, math.inf, kind, arc_ends, g.n_nodes,
                  float(cutoff), _once(ctx.base, f"box_index_{kind}", lambda: _box_index(g)),
                  (np.r_[a, b], np.r_[b, a], np.r_[w, w]),
                  patch_reach_factor(g, new_xy, a, b, w))
    if ctx.base.node_dist is not None:  # the search stops where nothing gets closer
        return fam
    old = arc_ends[arc_ends < g.n_nodes]
    if len(np.unique(_parts_of(ctx.base, kind)[old])) > 1:
        return fam
    old_d = ctx.base.layers.grid[old_columns].to_numpy(float)
    finite = old_d[np.isfinite(old_d)]
    return dataclasses.replace(fam, limit=max(float(cutoff), float(finite.max(initial=0.0))))


def _cover(g, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Nodes that every route over an added arc ``a``-``b`` passes through: the new nodes
    (ids from ``g.n_nodes``) and one end of each arc between two of ``g``'s nodes that ``g``
    lacks or has longer (an arc ``g`` already has as short changes nothing)."""
    from ..routing import _find_arcs

    csr = g.csr

    def has(r: np.ndarray, c: np.ndarray, length: np.ndarray) -> np.ndarray:
        pos = _find_arcs(csr, r, c)
        return (pos >= 0) & (csr.data[np.maximum(pos, 0)] <= length)

    new = np.concatenate([a[a >= g.n_nodes], b[b >= g.n_nodes]])
    k = np.flatnonzero((a < g.n_nodes) & (b < g.n_nodes))
    extra = a[k][~(has(a[k], b[k], w[k]) & has(b[k], a[k], w[k]))] if len(csr.data) else a[k]
    return np.unique(np.concatenate([new, extra]).astype(np.int64))


def _via_edit(base: Baseline, fam: _Family, targets: dict, o_nodes: np.ndarray,
              bound: bool = True) -> tuple[dict, dict, tuple | None]:
    """Per target set: per origin, the shortest route between the targets and the origin
    through an end ``a`` of the added arcs, ``min_a d(a, o) + d(a, T)`` (``inf`` where none
    within ``fam.limit``; searched along arcs, from the ends, as the night graph's one-way
    arcs lead into the origins). With the baseline's distance ``old``, an origin's distance is
    exactly ``min(old, this)``: a route that is not the old one passes through an end.
    With the baseline's per-node distances (:attr:`Baseline.node_dist`):
    :func:`_via_bounded`. Returns ``(this, lower bound per origin on any route between it
    and a target over an added arc)``: the cells within a cutoff of the edit are those whose
    bound is within it (the bound is ``this`` itself without per-node distances; ``None``
    without ``bound``), and the search from the ends of the added arcs,
    :func:`_bounded_search`'s ``(node ids, distances, CSR searched, origin rows)`` (``None``
    without per-node distances)."""
    from ..routing import subgraph_near

    if not len(fam.ends):
        out = {k: np.full(len(o_nodes), math.inf) for k in targets}
        return out, out, None
    stored = _stored_distances(base, fam.kind, targets)
    if stored is not None:
        return _bounded_search(fam, stored, o_nodes, bound)
    out = {k: np.full(len(o_nodes), math.inf) for k in targets}
    g, ids = fam.graph, np.arange(fam.graph.n_nodes)
    if _small_part(g, g.node_xy[fam.ends], fam.limit):
        g, ids = subgraph_near(g, g.node_xy[fam.ends], fam.limit)
    local = np.full(fam.graph.n_nodes, -1, np.int64)
    local[ids] = np.arange(len(ids))
    o = np.where(o_nodes >= 0, local[np.maximum(o_nodes, 0)], -1)
    d = dijkstra(g.csr, directed=True, indices=local[fam.ends], limit=_slack(fam.limit))
    d_o = np.where(o >= 0, d[:, np.maximum(o, 0)], math.inf)
    for key, t in targets.items():
        t = local[t[t >= 0]]
        t = t[t >= 0]
        if len(t):
            out[key] = (d_o + d[:, t].min(axis=1)[:, None]).min(axis=0)
    return out, out, None


def _stored_distances(base: Baseline, kind: str, targets: dict) -> dict | None:
    """Per target set, the baseline's per-node distances (:attr:`Baseline.node_dist`) when
    they were made for the same target nodes (``None`` otherwise; checked once per baseline
    for its own target sets)."""
    if targets is kept(base, f"targets_{kind}"):
        return _once(base, f"node_dist_{kind}", lambda: _stored_distances(base, kind,
                                                                          dict(targets)))
    stored = (base.node_dist or {}).get(kind)
    if stored is None:
        return None
    out = {}
    for key, t in targets.items():
        t = np.unique(t[t >= 0])
        if key not in stored or not np.array_equal(stored[key][0], t):
            return None
        out[key] = stored[key][1]
    return out


def _via_bounded(fam: _Family, old: dict, o_nodes: np.ndarray) -> tuple[dict, dict]:
    """:func:`_bounded_search`'s routes through the edit and bounds."""
    return _bounded_search(fam, old, o_nodes)[:2]


def _bounded_search(fam: _Family, old: dict, o_nodes: np.ndarray, bound: bool = True
                    ) -> tuple[dict, dict | None, tuple]:
    """:func:`_via_edit` with the baseline's distance ``old[key]`` of every node from its
    nearest target: per node ``x`` the best route through the edit is
    ``min_u old(u) + d(u, x)`` over the old nodes ``u`` at an end of an added arc (a route that
    uses added arcs leaves the old graph at the first one's start). The search from those
    nodes reaches ``R`` (first ``fam.cutoff``, doubled until done): it is done when every added
    arc's end is reached (or was no farther before) and no node that gets closer has an arc to
    a node not reached, as a node that gets closer is reached through nodes that get closer
    (after the last added arc on its route). ``inf`` where nothing gets closer (nor within
    the cutoff). Also returns the last search: ``(node ids, distances from each of
    fam.arc_ends, the CSR searched, rows)``, which reaches at least ``fam.cutoff``. Without
    ``bound`` the routes are given at the origins ``rows`` inside the search only (``rows``
    ``None``: at every origin)."""
    from ..routing import _lookup

    n0, ends = fam.n_base, fam.arc_ends
    is_old = ends < n0
    keys = list(old)
    olds = [old[k] for k in keys]
    s = np.stack([v[ends[is_old]] for v in olds]) if keys else np.zeros((0, int(is_old.sum())))
    radius = max(fam.cutoff, 1.0)
    if _box_holds_all(fam, ends, radius):  # the bound cuts nothing off: all of it at once
        radius = math.inf  # (a bounded search that is not done is followed by this one)
    while True:
        ids, d, csr = _search_near(fam, ends, radius)
        via, done = _via_within(fam, ids, d[is_old], s, olds, radius)
        if done:
            break
        # wider; the whole graph at once when this search had it all (a wider one would
        # search it again)
        radius = math.inf if radius > 1e7 or len(ids) == fam.n_nodes else 2 * radius
    if not bound:
        rows, at = _origin_rows(fam, ids, o_nodes)
        return {k: via[i][at] for i, k in enumerate(keys)}, None, (ids, d, csr, rows)
    local = _lookup(fam.n_nodes, ids)
    o = np.where(o_nodes >= 0, local[np.maximum(o_nodes, 0)], -1)
    inside = np.flatnonzero(o >= 0)

    def at_origins(v: np.ndarray) -> np.ndarray:
        out = np.full(len(o), math.inf)
        out[inside] = v[o[inside]]
        return out

    at = local[ends]
    lb = {k: at_origins(_over_arcs(fam, d, at, via[i], old[k])) for i, k in enumerate(keys)}
    return {k: at_origins(via[i]) for i, k in enumerate(keys)}, lb, (ids, d, csr, None)


def _origin_rows(fam: _Family, ids: np.ndarray, o_nodes: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(rows of o_nodes whose node is one of the sorted ids, that node's position in
    ids)``; ``o_nodes``: the stored graph's origins (sorted once per graph)."""
    from ..routing import _ranges

    order, nodes = once_per(fam.stored, "origin_order", lambda: (
        lambda o: (o, o_nodes[o]))(np.argsort(o_nodes, kind="stable")))
    first = np.searchsorted(nodes, ids, "left")
    count = np.searchsorted(nodes, ids, "right") - first
    return order[_ranges(first, count)], np.repeat(np.arange(len(ids)), count)


def _over_arcs(fam: _Family, d: np.ndarray, at: np.ndarray, via: np.ndarray,
               old: np.ndarray) -> np.ndarray:
    """Per node (rows of ``d``: from each of ``fam.arc_ends``, at local ids ``at``): a lower
    bound on any route from a target that uses an added arc, ``min over arcs p->q of
    D(p) + w + d(q, x)`` with ``D`` the new distance from the targets (the last added arc on
    the route: after it the route is a shortest one); exact up to the search's reach."""
    a, b, w = fam.arcs
    ends = fam.arc_ends
    before = np.where(ends < fam.n_base, old[np.minimum(ends, fam.n_base - 1)], math.inf)
    now = np.minimum(before, via[at])
    into = np.full(len(ends), math.inf)
    np.minimum.at(into, np.searchsorted(ends, b), now[np.searchsorted(ends, a)] + w)
    return (into[:, None] + d).min(axis=0) if len(ends) else np.full(d.shape[1], math.inf)


def _search_near(fam: _Family, src: np.ndarray, radius: float) -> tuple:
    """``(node ids, distances, graph)``: a Dijkstra from each of ``src`` up to ``radius``, on
    the part of ``g`` that walks of ``radius`` from them can use (the whole graph if large;
    ``graph``: that part's CSR, local node ``i`` is ``ids[i]``)."""
    from ..routing import _local_ids, _patched_csr

    n = fam.n_nodes
    if not len(src):
        return np.arange(n), np.zeros((0, n)), None
    r = radius * fam.reach_factor
    if math.isfinite(r) and fam.box_index is not None:
        xy = fam.xy(src)
        ids = _box_nodes(fam, xy.min(axis=0) - r, xy.max(axis=0) + r)
        if len(ids) < 0.5 * n:
            csr = _patched_csr(fam.stored, fam.patch[1:], ids)[0]
            return ids, dijkstra(csr, directed=True, indices=_local_ids(ids, src),
                                 limit=_slack(radius)), csr
    return np.arange(n), dijkstra(fam.graph.csr, directed=True, indices=src,
                                  limit=_slack(radius)), fam.graph.csr


def _box_holds_all(fam: _Family, src: np.ndarray, radius: float) -> bool:
    """Whether the box :func:`_search_near` cuts around ``src`` for ``radius`` holds every
    node of the patched graph (the stored graph's extent, from ``fam.box_index``, and the
    new nodes): a small graph, whose search from the edit the bound hardly shortens."""
    r = radius * fam.reach_factor
    if not (len(src) and math.isfinite(r) and fam.box_index is not None):
        return False
    _, _, _, x0, width, y0, y1 = fam.box_index
    xy = fam.xy(src)
    lo, hi = xy.min(axis=0) - r, xy.max(axis=0) + r
    return bool(lo[0] <= x0 and lo[1] <= y0 and hi[0] >= x0 + 256 * width and hi[1] >= y1
                and _in_box(fam.patch[0], lo, hi).all())


def _box_index(g) -> tuple:
    """``g``'s nodes in strips of x (at most 256 over the graph), sorted by strip and y within
    one: ``(node ids, key = strip * step + y - y0, step, x0, strip width, y0, y1)``
    (:func:`_box_nodes`)."""
    xy = g.node_xy
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    width = max((x1 - x0) / 256, 1e-6)
    strip = np.minimum(((xy[:, 0] - x0) // width).astype(np.int64), 255)
    order = np.lexsort((xy[:, 1], strip))
    step = (y1 - y0) + 4.0
    key = strip[order] * step + (xy[order, 1] - y0)
    return order, key, step, x0, width, y0, y1


def _box_nodes(fam: _Family, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sorted ids of the nodes of the patched graph in the box ``lo``-``hi``: the stored
    graph's looked up strip by strip (``fam.box_index``), the new ones tested here."""
    from ..routing import _ranges

    order, key, step, x0, width, y0, y1 = fam.box_index
    k = np.arange(max(int((lo[0] - x0) // width), 0), min(int((hi[0] - x0) // width), 255) + 1)
    ylo, yhi = (np.clip(v - y0, -1.0, y1 - y0 + 1.0) for v in (lo[1] - 1.0, hi[1] + 1.0))
    first = np.searchsorted(key, k * step + ylo, "left")
    count = np.searchsorted(key, k * step + yhi, "right") - first
    cand = order[_ranges(first, count)]
    cand = np.sort(cand[_in_box(fam.stored.node_xy[cand], lo, hi)])
    new = np.flatnonzero(_in_box(fam.patch[0], lo, hi)) + fam.n_base
    return np.concatenate([cand, new]).astype(np.int64)


def _in_box(xy: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether each point of ``xy`` lies in the box ``lo``-``hi`` (its edges included)."""
    return (xy[:, 0] >= lo[0]) & (xy[:, 0] <= hi[0]) & (xy[:, 1] >= lo[1]) & (xy[:, 1] <= hi[1])


def _via_within(fam: _Family, ids: np.ndarray, d: np.ndarray, s: np.ndarray, old: list,
                radius: float) -> tuple[np.ndarray, bool]:
    """Every target set of :func:`_via_bounded` at once: per set ``k`` and node of the sorted
    ``ids``, ``min_u s[k, u] + d(u, x)`` where that is at most ``radius + min s[k]`` (else ``inf``),
    and whether, for every set, no node that gets closer (than ``old[k]``) can lie farther
    (every end of an added arc reached or no farther before, and every arc out of a node that
    gets closer leads to a node reached). Only the nodes the search reached are looked at."""
    from ..routing import _local_ids, _ranges

    fin = np.flatnonzero(np.isfinite(d).any(axis=0)) if len(d) else np.zeros(0, np.int64)
    near = np.full((len(s), len(fin)), math.inf)
    for e in range(s.shape[1]):
        np.minimum(near, s[:, e, None] + d[e, fin][None, :], out=near)
    reach = _slack(radius + s.min(axis=1, initial=math.inf))
    near[~(near <= reach[:, None])] = math.inf
    via = np.full((len(s), len(ids)), math.inf)
    via[:, fin] = near
    if math.isinf(radius) or not len(s):
        return via, True
    n0, arc_ends = fam.n_base, fam.arc_ends

    def before(nodes: np.ndarray) -> np.ndarray:
        at = np.minimum(nodes, n0 - 1)
        return np.stack([np.where(nodes < n0, v[at], math.inf) for v in old])

    def reached(nodes: np.ndarray) -> np.ndarray:  # (within reach: finite)
        at = _local_ids(ids, nodes)
        return (at >= 0) & np.isfinite(via[:, np.maximum(at, 0)])

    if not (reached(arc_ends) | (before(arc_ends) <= reach[:, None])).all():
        return via, False
    was = before(ids[fin])
    closer = np.zeros(via.shape, bool)
    closer[:, fin] = near < was - (1e-12 * np.where(np.isfinite(was), was, 0.0) + 1e-9)
    tails = fin[closer[:, fin].any(axis=0)]
    if not len(tails):
        return via, True
    # the arcs out of the nodes that get closer: the stored graph's and the added ones
    csr, a, b = fam.stored.csr, fam.arcs[0], fam.arcs[1]
    node = ids[tails]
    is_old = node < n0
    start = csr.indptr[node[is_old]]
    count = csr.indptr[node[is_old] + 1] - start
    tail_a = _local_ids(ids, a)
    added = (tail_a >= 0) & np.isin(tail_a, tails)
    tail = np.r_[np.repeat(tails[is_old], count), tail_a[added]]
    head = np.r_[csr.indices[_ranges(start, count)], b[added]]
    return via, not (closer[:, tail] & ~reached(head)).any()


def _small_part(graph, xy: np.ndarray, radius: float) -> bool:
    """Whether the box of ``xy`` widened by ``radius`` (times the reach factor) covers less than
    half of the graph's extent (else searching the whole graph is cheaper than cutting it)."""
    if not (len(xy) and math.isfinite(radius * graph.reach_factor)):
        return False
    lo, hi = graph.node_xy.min(axis=0), graph.node_xy.max(axis=0)
    r = radius * graph.reach_factor
    box = np.minimum(xy.max(axis=0) + r, hi) - np.maximum(xy.min(axis=0) - r, lo)
    return bool(np.prod(np.maximum(box, 0.0)) < 0.5 * np.prod(np.maximum(hi - lo, 1e-9)))


def _near(fam: _Family, o_nodes: np.ndarray, sel: np.ndarray, radius: float):
    """The part of ``fam.graph`` within ``radius`` of the selected origins (their searches
    stay in it: :func:`~geoplan.routing.subgraph_near`)."""
    from ..routing import patched_subgraph, subgraph_near

    xy = fam.xy(o_nodes[sel & (o_nodes >= 0)])
    reach = float(_slack(radius)) * fam.reach_factor
    if not (len(xy) and math.isfinite(reach) and fam.box_index is not None):
        return subgraph_near(fam.graph, xy, _slack(radius))[0]
    ids = _box_nodes(fam, xy.min(axis=0) - reach, xy.max(axis=0) + reach)
    return patched_subgraph(fam.stored, *fam.patch, ids)


def _patchable(ctx: _Ctx) -> bool:
    """Whether the stored graphs can be patched: the scenario adds paths, lights edges and
    densifies cells (no new destination or green space, no lit piece of a split edge), no
    point moved, and the edit touches the main network only. Green entries the edit adds
    (a path into, across or beside a park) are patched in too (:func:`_added_entries`)."""
    base, ap = ctx.base, ctx.applied
    if (base.day_graph is None or base.night_graph is None or base.green_graph is None
            or ap.n_new_destinations or ap.n_new_green
            or (ap.edge_relit & ap.edge_split).any() or ctx.o_moved.any()
            or ctx.d_moved.any()):
        return False
    e, touched = ctx.net.edges, ctx.touched_edges
    ends = np.concatenate([e["u"].to_numpy(np.int64)[touched],
                           e["v"].to_numpy(np.int64)[touched]])
    ends = ends[ends < len(base.inputs.network.nodes)]
    return bool(_main_parts(base)[_parts_of(base, "day")[ends]].all())


def _recompute_patched(baseline: Baseline, applied: AppliedScenario, progress,
                       t0: float) -> tuple[Layers, RecomputeStats] | None:
    """:func:`recompute` on the baseline's stored graphs, patched with the scenario's nodes and
    arcs (:func:`_patchable` says when; ``None`` otherwise). Nearest distances are
    ``min(old, route through the edit)`` for every cell (:func:`_via_edit`); the cells that
    can reach the edit within a cutoff are computed again by the indicator functions, on the
    part of the patched graph around them."""
    pin = applied.inputs.attachment
    if pin is None or pin.green is None or len(pin.destinations.edge) != len(
            baseline.dest_att.edge):
        return None
    parent = applied.edge_parent
    ctx = _Ctx(baseline, applied, baseline.main, pin.origins, pin.destinations,
               _moved(parent, baseline.origin_att, pin.origins),
               _moved(parent, baseline.dest_att, pin.destinations), False)
    if not _patchable(ctx):
        return None
    added = _added_entries(ctx)
    if added is None:
        return None
    counts: dict[str, int] = {}
    with ctx.clock:
        report(progress, 0.1, "day access near the edit")
        day = _patched_day(ctx, counts, scaled(progress, 0.1, 0.4))
        report(progress, 0.4, "green space near the edit")
        green = _patched_green(ctx, counts, scaled(progress, 0.4, 0.6), added)
        report(progress, 0.6, "night access near the edit")
        night = _patched_night(ctx, counts, scaled(progress, 0.6, 0.8))
    return _finish(ctx, baseline.layers.destinations, _Parts({**day, **night, **green[0]},
                                                             green_without_entry=green[1]),
                   counts, progress, t0, "patched")


def _column(base: Baseline, name: str) -> np.ndarray:
    """The baseline grid's column ``name`` as an array (a read-only view, looked up once per
    baseline: a GeoDataFrame's ``[]`` costs ~0.2 ms)."""
    cols = _once(base, "grid_columns", dict)
    if name not in cols:
        cols[name] = base.layers.grid[name].to_numpy()
    return cols[name]


def _frame(base: Baseline, names: list, new: dict) -> pd.DataFrame:
    """The baseline grid's columns ``names`` indexed like the grid, with the updates ``new``
    (per column ``(sorted rows, values)``): :func:`_blocks`, in the order of ``names``."""
    frames = _blocks(base, names, new)
    out = frames[0] if len(frames) == 1 else pd.concat(frames, axis=1)
    return out if list(out.columns) == list(names) else out[names]  # (no copy: reordered)


def _blocks(base: Baseline, names: list, new: dict) -> list:
    """The baseline grid's columns ``names`` with the updates ``new`` (per column ``(sorted
    rows, values)``), as frames indexed like the grid, one block each per dtype: the
    baseline's values copied into it once and the updated rows written there (a frame of a
    block per column would make the grid made from it fragmented)."""
    n, frames = len(base.layers.grid), []
    by_dtype: dict = {}
    for c in names:
        by_dtype.setdefault(_column(base, c).dtype, []).append(c)
    for dtype, cols in by_dtype.items():
        block = np.empty((len(cols), n), dtype)
        for j, c in enumerate(cols):
            block[j] = _column(base, c)
            if c in new:
                block[j, new[c][0]] = new[c][1]
        frames.append(pd.DataFrame(block.T, columns=cols, index=base.layers.grid.index,
                                   copy=False))
    return frames


def _values_at(base: Baseline, new: dict, col: str, rows: np.ndarray) -> np.ndarray:
    """Column ``col`` at the ``rows``: the baseline's values with the update's (``new``)."""
    out = _column(base, col)[rows]
    if col in new:
        at, v = new[col]
        pos = np.minimum(np.searchsorted(at, rows), max(len(at) - 1, 0))
        hit = at[pos] == rows if len(at) else np.zeros(len(rows), bool)
        out[hit] = v[pos[hit]]
    return out


def _set_rows(base: Baseline, new: dict, at: np.ndarray, values: dict) -> None:
    """``new[col] = (at, values[col])`` (``at``: sorted rows), for each column of ``values``
    whose values there differ from the baseline's."""
    for col, v in values.items():
        old = _column(base, col)
        v = np.asarray(v, dtype=old.dtype)
        same = old[at] == v
        if old.dtype.kind == "f":
            same |= np.isnan(old[at]) & np.isnan(v)
        if not same.all():
            new[col] = (at, v)


def _nearest_min(base: Baseline, via: dict, rows: np.ndarray | None = None
                 ) -> tuple[dict, np.ndarray]:
    """Per column the update ``(sorted rows, values)`` to ``min(baseline, via[col])`` (a
    route through the edit only shortens a nearest distance; columns where none does are
    left out) and the rows that got shorter; ``via[col]`` at the rows ``rows`` only when
    given (elsewhere nothing gets shorter)."""
    out, changed = {}, np.zeros(len(base.layers.grid), bool)
    for col, s in via.items():
        before = _column(base, col)
        shorter = s < (before if rows is None else before[rows])
        if shorter.any():
            at = np.flatnonzero(shorter) if rows is None else rows[shorter]
            order = np.argsort(at)
            out[col] = (at[order], s[shorter][order])
            changed[at] = True
    return out, changed


def _store_for(base: Baseline, kind: str, cutoff: float):
    """The baseline's :class:`~geoplan.indicators.pairs.PairStore` of graph ``kind`` when
    it holds every pair within ``cutoff`` (``None`` otherwise, or without stores)."""
    store = (base.pairs or {}).get(kind)
    return store if store is not None and store.limit_m >= cutoff else None


def _pair_targets(base: Baseline, kind: str) -> np.ndarray:
    """The sorted distinct target nodes of the baseline's pairs of graph ``kind``
    (:func:`_pair_stores`), made once per baseline."""
    def make():
        if kind == "green":
            pop = base.inputs.cells["pop"].reindex(base.layers.origins.index).to_numpy(float)
            t = _green_pair_targets(base.green_graph, pop)
        else:
            t = _stored(base, kind)[0].point_nodes[1]
        return np.unique(t[t >= 0])
    return _once(base, f"pair_targets_{kind}", make)


def _pairs_near_edit(fam: _Family, store, search: tuple, o_n: np.ndarray,
                     targets: np.ndarray, cutoff: float) -> tuple[np.ndarray, object]:
    """``(per origin: whether a target lies within cutoff of it through the edit, the
    :func:`~geoplan.indicators.pairs.merged_block` of those origins)``: per pair of them,
    ``min(stored distance, route through the edit)``, exact as every route the patched
    graph adds passes an end ``e`` of an added arc: the route through the edit is
    ``min_e d(t, e) + d(e, o)``, from ``search`` (:func:`_bounded_search`: from the ends,
    along the arcs, at least ``cutoff`` far) and, on a one-way graph, a search against the
    arcs (:func:`_search_back`). ``targets``: the store's target nodes (sorted)."""
    from ..indicators.pairs import merged_block

    ids, d, csr, _ = search
    lim = _slack(cutoff)
    back = d if fam.stored.symmetric else _search_back(fam, ids, csr, cutoff)
    old = np.flatnonzero(ids < fam.n_base)  # (the stored graph's nodes: ids is sorted)
    is_o, is_t = _node_flags(store, targets, fam.n_base)
    o_in = old[is_o[ids[old]]]
    d_o = d[:, o_in]
    near = d_o.min(axis=0, initial=math.inf) <= lim
    o_c, d_o = ids[o_in[near]], d_o[:, near]
    t_in = old[is_t[ids[old]]]
    d_t = back[:, t_in]
    near = d_t.min(axis=0, initial=math.inf) <= lim
    t_c, d_t = ids[t_in[near]], d_t[:, near]
    via = np.full((len(o_c), len(t_c)), math.inf)
    for e in range(len(d_o)):
        np.minimum(via, d_o[e][:, None] + d_t[e][None, :], out=via)
    hit = (via <= lim).any(axis=1)
    mark = np.zeros(fam.n_base, bool)
    mark[o_c[hit]] = True
    rows = (o_n >= 0) & mark[np.maximum(o_n, 0)]
    return rows, merged_block(store, o_c[hit], t_c, via[hit])


def _node_flags(store, targets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per node of a stored graph of ``n`` nodes: whether it is an origin of ``store``, and
    whether it is one of ``targets`` (made once per store)."""
    def make():
        is_o, is_t = np.zeros(n, bool), np.zeros(n, bool)
        is_o[store.origins] = True
        is_t[targets] = True
        return is_o, is_t
    return once_per(store, "flags", make)


def _search_back(fam: _Family, ids: np.ndarray, csr, radius: float) -> np.ndarray:
    """Per end of an added arc (``fam.arc_ends``), the distance to it from each node of
    ``ids`` along the arcs (a search against them) within ``radius``; ``ids`` and ``csr``:
    the part of the patched graph a search from the ends of at least ``radius`` searched
    (:func:`_search_near`)."""
    from ..routing import _local_ids

    return dijkstra(csr.T.tocsr(), directed=True, indices=_local_ids(ids, fam.arc_ends),
                    limit=_slack(radius))


def _by_category(ctx: _Ctx, kind: str, prefix: str, cutoff: float, mask=None,
                 base_mask=None) -> tuple:
    """``(patched graph, origin nodes, best route through the edit per category, cells that
    reach the edit within cutoff, their pair block or None)`` for the destinations' graph
    ``kind`` (day or night). The block (:func:`_pairs_near_edit`) when the baseline stores
    its pairs: the cells' counts are then read off it, with no search of their own."""
    spec = ctx.applied.inputs.spec
    fam = _patch(ctx, kind, [f"{prefix}dist_{c}_m" for c in spec.categories], cutoff, mask,
                 base_mask)
    o_n = fam.stored.point_nodes[0]
    store = _store_for(ctx.base, kind, cutoff)
    base_dest = ctx.applied.inputs.data.destinations is ctx.base.inputs.data.destinations
    targets = (_once(ctx.base, f"targets_{kind}", lambda: _category_targets(fam.stored,
                                                                             ctx.base.inputs))
               if base_dest else _category_targets(fam.stored, ctx.applied.inputs))
    s, lb, search = _via_edit(ctx.base, fam, targets, o_n, bound=store is None)
    if store is not None and search is not None:
        sel, block = _pairs_near_edit(fam, store, search, o_n, _pair_targets(ctx.base, kind),
                                      cutoff)
        return fam, o_n, s, sel, block, search[3]
    return fam, o_n, s, np.logical_or.reduce([lb[c] <= _slack(cutoff)
                                               for c in spec.categories]), None, None


def _patched_day(ctx: _Ctx, counts: dict, progress) -> dict:
    """Day access on the patched day graph (:func:`_recompute_patched`): the updates of the
    baseline grid's day columns (column -> ``(sorted rows, values)``)."""
    from ..indicators.access import _counts_and_gravity, access_indicators, radius_label

    base, spec = ctx.base, ctx.applied.inputs.spec
    dests = ctx.applied.inputs.data.destinations
    r_max = max(max(spec.radii_m), spec.gravity_cutoff_m)
    fam, o_n, s, sel, block, rows = _by_category(ctx, "day", "", r_max)
    # nearest distances: min(old, via the edit); the counts of the cells near the edit
    nearest = {f"dist_{c}_m": s[c] for c in spec.categories}
    new, changed = _nearest_min(base, nearest, rows)
    at = np.flatnonzero(sel)
    if len(at) and block is not None:
        both, _ = _counts_and_gravity(None, o_n[at], fam.stored.point_nodes[1],
                                      dests["category"].to_numpy(), spec, None, block=block)
        values = {}
        for c in spec.categories:
            values.update({f"n_{c}_{radius_label(r)}": both[c][:, j]
                           for j, r in enumerate(spec.radii_m)})
            values[f"gravity_{c}"] = both[c][:, -1]
        _set_rows(base, new, at, values)
    elif len(at):
        res = access_indicators(ctx.net, base.layers.origins, dests, spec,
                                origin_att=ctx.o_att, dest_att=ctx.d_att, selection=sel,
                                graph=_near(fam, o_n, sel, r_max), progress=progress,
                                limit_m=dict.fromkeys(spec.categories, r_max))
        _set_rows(base, new, at, {c: res[c].to_numpy() for c in res.columns
                                  if c not in nearest})
    counts["access"] = int((sel | changed).sum())
    ctx.day_changed.update(new)
    return new


def _night_mask(ctx: _Ctx) -> np.ndarray:
    """Per edge of the edited network, whether the night graph has it (the baseline's lit
    edges, the relit ones and the new lit paths), set at the edited edges only
    (:attr:`_Ctx.touched_edges`: all that :func:`~geoplan.routing.patch_arcs` reads of it
    with ``edges=``; ``False`` elsewhere)."""
    ap, spec = ctx.applied, ctx.applied.inputs.spec
    at = ctx.touched_edges
    parent = ap.edge_parent[at]
    mask = np.zeros(len(ap.edge_parent), bool)
    mask[at] = ctx.base.night_mask[np.maximum(parent, 0)] | ap.edge_relit[at]
    new = at[parent < 0]
    lit = ctx.net.edges["lit"].iloc[new].to_numpy(object)
    mask[new] = (lit == "yes") | ((lit == "unknown") & (spec.night_unknown_as == "lit"))
    return mask


def _patched_night(ctx: _Ctx, counts: dict, progress) -> dict:
    """Night access on the patched night graph (:func:`_recompute_patched`; after
    :func:`_patched_day`, whose changes the detour columns follow): the updates of the
    baseline grid's night columns. The night mask grows by the new lit paths and the relit
    edges."""
    from ..indicators.access import category_sums, radius_label
    from ..indicators.night import night_indicators

    base, ap, spec = ctx.base, ctx.applied, ctx.applied.inputs.spec
    dests, thr = ap.inputs.data.destinations, spec.night_threshold_m
    fam, o_n, s, sel, block, rows = _by_category(ctx, "night", "night_", thr, _night_mask(ctx),
                                                 base.night_mask)
    nearest = {f"night_dist_{c}_m": s[c] for c in spec.categories}
    new, changed = _nearest_min(base, nearest, rows)
    at = np.flatnonzero(sel)
    n_col = {c: f"night_n_{c}_{radius_label(thr)}" for c in spec.categories}
    if len(at) and block is not None:
        got = category_sums(None, o_n[at], fam.stored.point_nodes[1],
                             dests["category"].to_numpy(), spec.categories, thr,
                             lambda dist: [dist <= thr], 1, None, block)
        _set_rows(base, new, at, {n_col[c]: got[c][:, 0] for c in spec.categories})
    elif len(at):
        day = pd.DataFrame({f"dist_{c}_m": _values_at(base, ctx.day_changed, f"dist_{c}_m", at)
                            for c in spec.categories}, index=base.layers.origins.index[at])
        res = night_indicators(ctx.net, base.layers.origins, dests, spec, day=day,
                               origin_att=ctx.o_att, dest_att=ctx.d_att, selection=sel,
                               graph=_near(fam, o_n, sel, thr), progress=progress,
                               limit_m=dict.fromkeys(spec.categories, thr))
        _set_rows(base, new, at, {n_col[c]: res[n_col[c]].to_numpy() for c in spec.categories})
    _night_derived_rows(base, new, ctx.day_changed, spec)
    counts["night"] = int((sel | changed).sum())
    return new


def _night_derived_rows(base: Baseline, new: dict, day: dict, spec) -> None:
    """:func:`_night_derived` into ``new`` for the rows whose day distance (columns ``day``
    changed) or night distance (``new``) is not the baseline's (the others keep the
    baseline's values)."""
    from ..indicators.night import night_derived

    for c in spec.categories:
        d_col, n_col = f"dist_{c}_m", f"night_dist_{c}_m"
        if d_col not in day and n_col not in new:
            continue
        at = np.union1d(day[d_col][0] if d_col in day else [],
                        new[n_col][0] if n_col in new else []).astype(np.int64)
        _set_rows(base, new, at, night_derived(c, _values_at(base, day, d_col, at),
                                               _values_at(base, new, n_col, at),
                                               spec.night_threshold_m))


def _patched_green(ctx: _Ctx, counts: dict, progress, added: gpd.GeoDataFrame
                   ) -> tuple[dict, int]:
    """Green space on the patched green graph (:func:`_recompute_patched`): the baseline's
    spaces, its entries and those the edit adds (``added``, :func:`_added_entries`); the
    cells within reach of a densified cell are computed again (their residents changed).
    Without added entries or residents, from the baseline's pairs (:func:`_pairs_near_edit`)
    when it stores them. Returns the updates of the baseline grid's green columns and the
    number of green spaces no path reaches."""
    from ..indicators.green import _green_m2_from_block, green_indicators, per_capita_green_m2

    base, ap, spec = ctx.base, ctx.applied, ctx.applied.inputs.spec
    reach = spec.green_per_capita_within_m
    fam = _patch(ctx, "green", ["dist_green_scb_m", "dist_green_who_m"],
                 max(reach, spec.green_within_m))
    o_n = fam.stored.point_nodes[0]
    pop0 = _once(base, "pop", lambda: base.inputs.cells["pop"].reindex(
        base.layers.origins.index).to_numpy(float))
    store = (_store_for(base, "green", reach)
             if not len(added) and not ap.pop_delta.to_numpy().any() else None)
    s, lb, search = _via_edit(base, fam, _once(base, "targets_green", lambda: _green_targets(
        fam.stored, base.green_graph[1], base.spaces, pop0, spec)), o_n, bound=store is None)
    nearest = {f"dist_green_{r}_m": s[r] for r in ("scb", "who")}
    block = rows = None
    if store is not None and search is not None:
        rows = search[3]
        sel, block = _pairs_near_edit(fam, store, search, o_n, _pair_targets(base, "green"),
                                      reach)
    else:
        fam, entries, s, lb = _with_added_entries(ctx, fam, added, s, lb)
        nearest = {f"dist_green_{r}_m": s[r] for r in ("scb", "who")}
        sel = ((lb["any"] <= _slack(reach)) | (lb["pop"] <= _slack(reach))
               | _near_densified(ctx, fam, reach))
    new, changed = _nearest_min(base, nearest, rows)
    at = np.flatnonzero(sel)
    if len(at) and block is not None:
        e_nodes, e_pos, area_m2 = _green_entry_arrays(base)
        m2 = _green_m2_from_block(block, o_n[at], e_nodes, e_pos, area_m2, reach)
        _set_rows(base, new, at, {"green_m2_500m": m2, "green_m2_per_capita":
                                  per_capita_green_m2(None, o_n[at], o_n, pop0, m2, reach,
                                                      block)})
    elif len(at):
        res = green_indicators(ctx.net, base.layers.origins, ap.inputs.data.green,
                               ap.inputs.cells["pop"], spec, origin_att=ctx.o_att,
                               spaces=base.spaces, entries=base.entries, selection=sel,
                               graph=(_near(fam, o_n, sel, reach), entries), progress=progress)
        _set_rows(base, new, at, {c: res[c].to_numpy() for c in res.columns
                                  if c not in nearest and not c.endswith("_300m")})
    for r in ("scb", "who"):  # (from the distances: they are exact within reach)
        if f"dist_green_{r}_m" in new:
            at, d = new[f"dist_green_{r}_m"]
            _set_rows(base, new, at, {f"green_{r}_300m": d <= spec.green_within_m})
    without_entry = int(len(base.spaces) - len(np.union1d(
        _once(base, "entry_spaces", lambda: np.unique(base.entries["green_id"].to_numpy(
            np.int64))), added["green_id"].to_numpy(np.int64))))
    counts["green"] = int((sel | changed).sum())
    return new, without_entry


def _green_entry_arrays(base: Baseline) -> tuple:
    """The stored green graph's entry nodes, each entry's position in the baseline's spaces
    and the spaces' areas (m²), made once per baseline."""
    def make():
        g, entries = base.green_graph
        e_pos = base.spaces.index.get_indexer(entries["green_id"].to_numpy(np.int64))
        return g.point_nodes[1], e_pos, base.spaces["area_m2"].to_numpy(float)
    return _once(base, "green_entries", make)


def _near_densified(ctx: _Ctx, fam: _Family, reach: float) -> np.ndarray:
    """Per origin: whether a cell whose ``pop`` grew lies within ``reach`` of it on the
    patched graph of ``fam`` (its residents within reach changed)."""
    o_all = fam.stored.point_nodes[0]
    grew = (ctx.applied.pop_delta > 0).to_numpy() & (o_all >= 0)
    if not grew.any():  # (the whole patched graph is made only when a cell grew)
        return np.zeros(len(o_all), bool)
    graph = fam.graph
    csr = graph.csr if graph.symmetric else graph.csr.T.tocsr()  # routes towards the cells
    d = dijkstra(csr, directed=True, indices=np.unique(o_all[grew]), min_only=True,
                 limit=_slack(reach))
    return (o_all >= 0) & (d[np.maximum(o_all, 0)] <= _slack(reach))


def _spaces_near_edit(ctx: _Ctx) -> np.ndarray:
    """Positions in the baseline's green spaces of those within ``max_snap_m`` (+1 m) of a
    new or split edge: the only ones whose entries the edit can change."""
    ap = ctx.applied
    edited = (ap.edge_parent < 0) | ap.edge_split
    lines = np.asarray(ctx.net.edges.geometry.values, dtype=object)[edited]
    polys = np.asarray(ctx.base.spaces.geometry.values, dtype=object)
    if not len(lines) or not len(polys):
        return np.zeros(0, np.int64)
    near = shapely.STRtree(polys).query(lines, predicate="dwithin",
                                        distance=ap.inputs.spec.max_snap_m + 1.0)
    return np.unique(near[1])


def _added_entries(ctx: _Ctx) -> gpd.GeoDataFrame | None:
    """The green entries of the edited study (as :func:`geoplan.study.study_green` finds them:
    the baseline's, carried, and those found on the edited network) that the baseline lacks,
    found only for the spaces near the edit (:func:`_spaces_near_edit`); ``None`` when one
    of them replaces a baseline entry (same place, shorter access leg: the graph is rebuilt)."""
    from ..indicators.green import green_entries, unique_entries

    spec, pinned = ctx.applied.inputs.spec, ctx.applied.inputs.attachment.green
    near = _spaces_near_edit(ctx)
    if not len(near):
        return pinned.iloc[:0]
    spaces = ctx.base.spaces.iloc[near]  # (entries of one space only meet its own)
    keep = pinned[pinned["green_id"].isin(spaces.index)]
    found = green_entries(ctx.net, spaces, max_snap_m=spec.max_snap_m,
                          min_component_m=spec.min_component_m)
    full = unique_entries(pd.concat([keep, found], ignore_index=True), ctx.net.crs)

    def keys(d):
        return zip(d["green_id"].tolist(), d["edge"].tolist(), d["offset_m"].round(6).tolist(),
                   strict=True)

    old = dict(zip(keys(keep), keep["snap_m"].tolist(), strict=True))
    new = np.array([k not in old for k in keys(full)], bool)
    if any(k in old and s < old[k] for k, s in zip(keys(full), full["snap_m"], strict=True)):
        return None
    return full[new].reset_index(drop=True)


def _with_added_entries(ctx: _Ctx, fam: _Family, added: gpd.GeoDataFrame, s: dict, lb: dict
                        ) -> tuple:
    """``(fam with the added entries' nodes and arcs in its graph, the graph's entries, s,
    lb)`` with the routes to the added entries folded into ``s`` and ``lb`` (per target set
    of :func:`_green_targets`; they are new nodes, so one search from them gives them)."""
    entries = base_entries = ctx.base.green_graph[1]
    if not len(added):
        return fam, entries, s, lb
    graph, e_node, edge_node = _entry_nodes(ctx, fam, added)
    o_n, e_n = graph.point_nodes
    graph = dataclasses.replace(graph, point_nodes=(o_n, np.r_[e_n, e_node]),
                                edge_nodes=(graph.edge_nodes[0],
                                            np.r_[graph.edge_nodes[1], edge_node]))
    # (the stored graph's entries hold the origins' own too, without a CRS: so these)
    rows = added[base_entries.columns].set_crs(getattr(base_entries, "crs", None),
                                               allow_override=True)
    entries = pd.concat([base_entries, rows], ignore_index=True)
    spaces, spec = ctx.base.spaces, ctx.applied.inputs.spec
    e_ha = spaces["area_ha"].to_numpy(float)[
        spaces.index.get_indexer(added["green_id"].to_numpy(np.int64))]
    s, lb = dict(s), dict(lb)
    grid = ctx.base.layers.grid
    for r, ok in (("scb", e_ha >= spec.green_scb_min_ha), ("who", e_ha >= spec.green_who_min_ha),
                  ("any", np.ones(len(e_ha), bool))):
        # a nearest distance changes only where the new one is shorter; 'any' counts within
        # reach only
        old = (grid[f"dist_green_{r}_m"].to_numpy(float) if r != "any"
               else np.full(1, spec.green_per_capita_within_m))
        d = _zero_sources(graph, e_node[ok], o_n, _slack(float(np.nanmax(old, initial=0.0))))
        s[r], lb[r] = np.minimum(s[r], d), np.minimum(lb[r], d)
    # the patched graph with the entries is whole: the family's stored graph from now on,
    # with nothing left to patch (its cells' subgraph is cut from it, :func:`_near`)
    fam = dataclasses.replace(fam, stored=graph, patch=tuple(x[:0] for x in fam.patch),
                              n_base=graph.n_nodes, box_index=None)
    return fam, entries, s, lb


def _entry_nodes(ctx: _Ctx, fam: _Family, added: gpd.GeoDataFrame) -> tuple:
    """``(fam.graph with a node per added entry, its node, its node on the edge)``: as
    :func:`~geoplan.routing.build_routing_graph` places points (an edge's end within 1 mm of
    it, else a node on the edge joined to its neighbours along it; an access leg of
    ``snap_m`` to a node of its own when off the edge)."""
    from ..routing import END_TOLERANCE_M, add_arcs

    g, net, parent = fam.graph, ctx.net, ctx.applied.edge_parent
    n0 = len(ctx.base.inputs.network.nodes)
    eu, ev = (net.edges[c].to_numpy(np.int64) for c in ("u", "v"))
    elen = net.edges["length_m"].to_numpy(float)
    edge, off = added["edge"].to_numpy(np.int64), added["offset_m"].to_numpy(float)
    xy = shapely.get_coordinates(np.asarray(added.geometry.values, dtype=object))
    node = np.full(len(added), -1, np.int64)
    at_u, at_v = off <= END_TOLERANCE_M, off >= elen[edge] - END_TOLERANCE_M
    node[at_u] = eu[edge[at_u]]
    node[at_v & ~at_u] = ev[edge[at_v & ~at_u]]
    node = np.where(node < 0, -1, np.where(node < n0, node, fam.n_base + node - n0))
    mid = np.flatnonzero(node < 0)
    node[mid] = g.n_nodes + np.arange(len(mid))
    key = np.where(parent[edge] >= 0, parent[edge], -1 - edge)  # base edge, or -1 - new edge
    arcs = []
    for k in np.unique(key[mid]).tolist():
        m = mid[key[mid] == k]
        arcs.append(_entry_chain(ctx, fam, k, node[m], xy[m], off[m]))
    snap = added["snap_m"].to_numpy(float)
    leg = np.flatnonzero(snap > END_TOLERANCE_M)
    own = node.copy()
    own[leg] = g.n_nodes + len(mid) + np.arange(len(leg))
    arcs.append((node[leg], own[leg], snap[leg]))
    a, b, w = (np.concatenate([x[i] for x in arcs]) for i in range(3))
    return add_arcs(g, np.vstack([xy[mid], xy[leg]]), a, b, w), own, node
def _entry_chain(ctx: _Ctx, fam: _Family, key: int, nodes: np.ndarray, xy: np.ndarray,
                 off: np.ndarray) -> tuple:
    """Arcs ``(a, b, length_m)`` between consecutive nodes along one edge with the entry
    nodes ``nodes`` (at ``xy``) inserted: the new edge ``-1 - key`` (``off`` from its ``u``),
    or the baseline's edge ``key`` (its nodes in the stored green graph, its cut nodes, and
    the entries placed on it by projection, as its cut nodes are)."""
    from ..routing import _chain_arcs, _project

    net, base_net = ctx.net, ctx.base.inputs.network
    n0 = len(base_net.nodes)

    def node_id(k):
        return np.where(k < n0, k, fam.n_base + k - n0)

    if key < 0:
        row = net.edges.iloc[-1 - key]
        nd = np.r_[node_id(np.array([int(row["u"]), int(row["v"])])), nodes]
        of = np.r_[0.0, float(row["length_m"]), off]
    else:
        g, atts = _stored(ctx.base, "green")
        pieces = np.flatnonzero(ctx.applied.edge_parent == key)
        a, b, w, _ = _chain_arcs(g, atts, base_net, net, key, pieces, node_id)
        row = base_net.edges.iloc[key]
        length, k = float(row["length_m"]), len(nodes)
        uv = shapely.get_coordinates(np.asarray(
            base_net.nodes.geometry.values[[int(row["u"]), int(row["v"])]], dtype=object))
        at = _project(np.full(k, row.geometry, dtype=object), shapely.points(xy),
                      np.tile(uv[0], (k, 1)), np.tile(uv[1], (k, 1)), np.full(k, length))[0]
        nd = np.r_[a[:1], b, nodes] if len(a) else np.r_[int(row["u"]), int(row["v"]), nodes]
        of = np.r_[0.0, np.cumsum(w), at] if len(a) else np.r_[0.0, length, at]
    order = np.lexsort((nd, of))
    nd, of = nd[order].astype(np.int64), of[order]
    step = nd[1:] != nd[:-1]
    return nd[:-1][step], nd[1:][step], np.maximum(np.diff(of), 0.0)[step]


class _Clock:
    """Seconds spent inside ``with clock:`` blocks (the routing part of a recompute)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._t = 0.0

    def __enter__(self) -> _Clock:
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds += time.perf_counter() - self._t


def _take(att, n: int):
    from ..routing import Attachment

    return Attachment(att.edge[:n], att.offset_m[:n], att.snap_m[:n], att.on_edge_xy[:n],
                      att.index[:n], att.max_snap_m,
                      *(None if x is None else x[:n] for x in (att.point_xy, att.doorstep)))


@dataclass(eq=False)
class _Ctx:
    base: Baseline
    applied: AppliedScenario
    main: np.ndarray
    o_att: object
    d_att: object
    o_moved: np.ndarray
    d_moved: np.ndarray
    same_net: bool = False
    clock: _Clock = field(default_factory=lambda: _Clock())
    #: The day columns :func:`_patched_day` changed (the night's derived columns follow them).
    day_changed: dict = field(default_factory=dict)

    @property
    def residents_only(self) -> bool:
        """Only residents changed (no network element, destination or green space): the
        baseline's graphs hold, and only green m² per resident can change
        (:func:`_residents_update`)."""
        ap = self.applied
        return (self.same_net and not (ap.n_new_destinations or ap.n_new_green)
                and self.base.green_graph is not None)

    @property
    def net(self) -> WalkNetwork:
        return self.applied.inputs.network

    @cached_property
    def touched_edges(self) -> np.ndarray:
        """Positions of the edited edges that are new, pieces of a cut edge or relit."""
        ap = self.applied
        return np.flatnonzero((ap.edge_parent < 0) | ap.edge_split | ap.edge_relit)

    @cached_property
    def edited(self):
        """:func:`~geoplan.routing.edited_edges` of the edit (:attr:`touched_edges`): read
        once for the day, night and green graphs it patches."""
        from ..routing import edited_edges

        return edited_edges(self.base.inputs.network, self.net, self.applied.edge_parent,
                            self.touched_edges)

    def new_edge_sources(self, edges_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = self.net.edges
        u = e["u"].to_numpy(np.int64)[edges_mask]
        v = e["v"].to_numpy(np.int64)[edges_mask]
        w = e["length_m"].to_numpy(float)[edges_mask]
        return np.concatenate([u, v]), np.concatenate([w, w])

    def removed_dest_xy(self, category: str | None) -> np.ndarray:
        old = self.base.dest_att
        cats = self.base.inputs.data.destinations["category"].to_numpy()
        n_old = len(old.edge)
        sel = self.d_moved[:n_old] & (old.edge >= 0)
        if category is not None:
            sel &= cats == category
        return old.on_edge_xy[sel]


def _edge_bounds(graph, ends_a: np.ndarray, ends_b: np.ndarray, w: np.ndarray,
                 targets: dict, o_nodes: np.ndarray) -> dict:
    """Per target set: a lower bound, per origin, on any route between the origin and a target
    that uses one of the new edges ``(ends_a, ends_b, w)``.

    ``min_e min(d(o, a) + w + d(b, T), d(o, b) + w + d(a, T))`` from one Dijkstra per endpoint
    (searching along arcs, so it holds on the one-way night graph too, whose routes run from the
    targets to the origins); ``inf`` where no new edge is on any route.
    """
    out = {k: np.full(len(o_nodes), math.inf) for k in targets}
    if len(w) == 0:
        return out
    ends = np.unique(np.concatenate([ends_a, ends_b]))
    d = dijkstra(graph.csr, directed=True, indices=ends, limit=math.inf)
    ia, ib = np.searchsorted(ends, ends_a), np.searchsorted(ends, ends_b)
    at = np.maximum(o_nodes, 0)
    d_o = d[:, at]
    for key, tnodes in targets.items():
        tnodes = tnodes[tnodes >= 0]
        if len(tnodes) == 0:
            continue
        near = d[:, tnodes].min(axis=1)
        b1 = (d_o[ia] + (w + near[ib])[:, None]).min(axis=0)
        b2 = (d_o[ib] + (w + near[ia])[:, None]).min(axis=0)
        out[key] = np.where(o_nodes >= 0, np.minimum(b1, b2), math.inf)
    return out


def _zero_sources(graph, nodes: np.ndarray, o_nodes: np.ndarray,
                  limit: float = math.inf) -> np.ndarray:
    """Distance from each origin node to the nearest of ``nodes`` (inf if none or beyond
    ``limit``)."""
    nodes = np.unique(nodes[nodes >= 0])
    if len(nodes) == 0:
        return np.full(len(o_nodes), math.inf)
    d = dijkstra(graph.csr, directed=True, indices=nodes, min_only=True, limit=limit)
    return np.where(o_nodes >= 0, d[np.maximum(o_nodes, 0)], math.inf)


def _removed_bound(xy_old: np.ndarray, removed_xy: np.ndarray, radius, rf: float) -> np.ndarray:
    """Origins whose straight distance to a removed point allows a route within ``radius``."""
    eu = _euclid_min(xy_old, removed_xy)
    r = np.where(np.isnan(radius), 0.0, radius) if np.ndim(radius) else radius
    with np.errstate(invalid="ignore"):
        return np.isfinite(eu) & (eu <= _slack(np.asarray(r) * rf))


def _day_and_green(ctx: _Ctx, counts: dict, progress) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Day access and green space: the baseline's values, recomputed with
    :func:`~geoplan.indicators.access.access_indicators` and
    :func:`~geoplan.indicators.green.green_indicators` on the cells that can change."""
    from ..indicators.access import access_columns, access_indicators
    from ..indicators.green import GREEN_COLUMNS, green_indicators, straight_distance_m

    base, ap = ctx.base, ctx.applied
    new, spec = ap.inputs, ap.inputs.spec
    day = base.layers.grid[access_columns(spec)].copy()
    green = base.layers.grid[list(GREEN_COLUMNS)].copy()
    green.attrs["n_green_spaces_without_entry"] = base.layers.meta.get(
        "green_spaces_without_entry", 0)
    if not (ap.network_changed or ap.n_new_green or (ap.pop_delta > 0).any()
            or ctx.o_moved.any() or ctx.d_moved.any()):
        counts["access"] = counts["green"] = 0
        return day, green
    report(progress, 0.0, "cells that can change")
    spaces, entries = _green_state(ctx)
    day_sel, green_sel = _day_green_cells(ctx, day, green, spaces, entries)
    origins = base.layers.origins
    report(progress, 0.2, "access of the cells that can change")
    if day_sel.any():
        res = access_indicators(ctx.net, origins, new.data.destinations, spec,
                                origin_att=ctx.o_att, dest_att=ctx.d_att, selection=day_sel,
                                progress=scaled(progress, 0.2, 0.6),
                                limit_m=_day_limits(ctx, day, day_sel))
        day.loc[res.index, res.columns] = res
    report(progress, 0.6, "green space of the cells that can change")
    if green_sel.any():
        res = green_indicators(ctx.net, origins, new.data.green, new.cells["pop"], spec,
                               origin_att=ctx.o_att, spaces=spaces, entries=entries,
                               selection=green_sel, progress=scaled(progress, 0.6, 1.0))
        green.loc[res.index, res.columns] = res
    if ap.n_new_green:
        area_ha = spaces["area_ha"].to_numpy(float)
        green["straight_dist_green_scb_m"] = straight_distance_m(
            origins, spaces.geometry.values[area_ha >= spec.green_scb_min_ha])
    counts["access"], counts["green"] = int(day_sel.sum()), int(green_sel.sum())
    green.attrs["n_green_spaces_without_entry"] = int(
        len(spaces) - len(np.unique(entries["green_id"].to_numpy())))
    return day, green


def _day_limits(ctx: _Ctx, day: pd.DataFrame, sel: np.ndarray) -> dict | None:
    """Per category, the largest baseline distance of the ``sel`` cells (slack added): their
    new nearest distance is no longer when no origin or baseline destination moved (edits
    only add edges, lamps and places), so the searches may stop there; ``None`` otherwise."""
    if ctx.o_moved.any() or ctx.d_moved[:len(ctx.base.dest_att.edge)].any():
        return None
    out = {}
    for c in ctx.applied.inputs.spec.categories:
        d = day[f"dist_{c}_m"].to_numpy(float)[sel]
        d = d[~np.isnan(d)]
        out[c] = _slack(float(d.max())) if len(d) else math.inf
    return out


def _residents_only(ctx: _Ctx, counts: dict) -> _Parts:
    """The updates where only residents changed (:attr:`_Ctx.residents_only`: densification):
    day and night access are the baseline's (no network element, destination or lamp moved),
    and only green m² per resident changes, in the cells within reach of a densified cell
    (:func:`_residents_update`; its searches are the routing part)."""
    base = ctx.base
    with ctx.clock:
        rows, added = _residents_update(ctx)
    new: dict = {}
    if len(rows):
        g = _column(base, "green_m2_500m")[rows].astype(float)
        per = _column(base, "green_m2_per_capita")[rows].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            # the baseline's residents within reach: green m² / green m² per resident (none
            # where that is NaN); with no green m² the value stays 0 whatever the residents
            before = np.where(np.isnan(per), 0.0, g / per)
            _set_rows(base, new, rows, {"green_m2_per_capita": np.where(
                g == 0, 0.0, g / (before + added))})
    counts["access"], counts["night"], counts["green"] = 0, 0, len(rows)
    return _Parts(new, green_without_entry=base.layers.meta.get(
        "green_spaces_without_entry", 0))


def _residents_update(ctx: _Ctx) -> tuple[np.ndarray, np.ndarray]:
    """``(origins, residents added within reach of each)``: the origins (positions) within
    ``green_per_capita_within_m`` of a cell whose ``pop`` grew, and how many residents that
    adds within their reach, as :func:`~geoplan.indicators.green.per_capita_green_m2` counts
    them (network distance ``<=`` the reach, on the baseline's green graph). One search per
    densified place, bounded by the reach: its cost grows with the edit, not the network.

    >>> from geoplan.study import example_study
    >>> study = example_study()   # two cells
    >>> from geoplan.types import Densify, Scenario
    >>> homes = Scenario("homes", (Densify(shapely.box(0, 0, 100, 100), residents=50),),
    ...                  crs=study.network.crs)
    >>> from geoplan.scenario.edits import apply_scenario
    >>> base, applied = prepare_baseline(study), apply_scenario(homes, study)
    >>> ctx = _Ctx(base, applied, base.main, base.origin_att, base.dest_att,
    ...            np.zeros(2, bool), np.zeros(1, bool), True)
    >>> rows, added = _residents_update(ctx)   # both cells are within 500 m of the first
    >>> rows.tolist(), added.tolist()
    ([0, 1], [50.0, 50.0])
    """
    ap, reach = ctx.applied, ctx.applied.inputs.spec.green_per_capita_within_m
    graph = ctx.base.green_graph[0]
    o_all = graph.point_nodes[0]
    delta = ap.pop_delta.to_numpy(float)
    grew = (delta > 0) & (o_all >= 0)
    # densified cells at one place share a node: one search per node, their residents summed
    nodes, at = np.unique(o_all[grew], return_inverse=True)
    per_node = np.bincount(at, weights=delta[grew], minlength=len(nodes))
    csr = graph.csr if graph.symmetric else graph.csr.T.tocsr()  # routes towards the node
    added = np.zeros(len(o_all))
    on = np.maximum(o_all, 0)
    for node, residents in zip(nodes.tolist(), per_node.tolist(), strict=True):
        d = dijkstra(csr, directed=True, indices=node, limit=_slack(reach))
        added[(o_all >= 0) & (d[on] <= reach)] += residents
    rows = np.flatnonzero(added > 0)
    return rows, added[rows]


def _green_state(ctx: _Ctx) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The edited study's green spaces and entries (the baseline's where nothing changed)."""
    base, ap = ctx.base, ctx.applied
    if not (ap.n_new_green or ap.network_changed):
        return base.spaces, base.entries
    if not ap.n_new_green and not _edits_near_green(ctx):
        # entries come from the edges crossing, inside or (for a space no path touches) within
        # max_snap_m of a space: with every new or split edge farther away they are the
        # baseline's, carried to the edited network (pin_attachment)
        from ..indicators.green import unique_entries

        return base.spaces, unique_entries(ap.inputs.attachment.green, ctx.net.crs)
    return study_green(ap.inputs)  # the baseline's entries stay (study_green)


def _edits_near_green(ctx: _Ctx) -> bool:
    """Whether a new or split edge lies within ``max_snap_m`` (+1 m) of a green space."""
    ap = ctx.applied
    if ap.inputs.attachment is None or ap.inputs.attachment.green is None:
        return True
    if not len(ctx.base.spaces):  # (an edit in a study without green space: as before)
        return bool(((ap.edge_parent < 0) | ap.edge_split).any())
    return bool(len(_spaces_near_edit(ctx)))


def _day_green_cells(ctx: _Ctx, day: pd.DataFrame, green: pd.DataFrame,
                     spaces: gpd.GeoDataFrame, entries: gpd.GeoDataFrame):
    """``(day cells, green cells)`` whose day access / green-space values can change (module
    doc): bounded searches from new edges and added points, straight-line bounds for removed
    ones, and origins whose attachment moved."""
    from ..indicators.green import entries_attachment
    from ..routing import build_routing_graph

    base, ap = ctx.base, ctx.applied
    spec = ap.inputs.spec
    graph = build_routing_graph(ctx.net, [ctx.o_att, ctx.d_att, entries_attachment(entries)])
    o_nodes, d_nodes, e_nodes = graph.point_nodes
    cats = ap.inputs.data.destinations["category"].to_numpy()
    e_ha = spaces["area_ha"].to_numpy(float)[
        spaces.index.get_indexer(entries["green_id"].to_numpy(np.int64))]
    pop = ap.inputs.cells["pop"].reindex(base.layers.origins.index).to_numpy(float)
    xy_old, o_moved = base.origin_att.on_edge_xy, ctx.o_moved
    # green entries added / removed (by green space and place)
    old_keys = base.entry_keys
    new_keys = old_keys if entries is base.entries else _entry_keys(spaces, entries)
    old_set, new_set = set(old_keys), set(new_keys)
    e_added = np.fromiter((k not in old_set for k in new_keys), bool, len(new_keys))
    e_removed = np.fromiter((k not in new_set for k in old_keys), bool, len(old_keys))
    old_e_ha = base.spaces["area_ha"].to_numpy(float)[
        base.spaces.index.get_indexer(base.entries["green_id"].to_numpy(np.int64))]
    old_e_xy = shapely.get_coordinates(np.asarray(base.entries.geometry.values, dtype=object))
    # lower bounds of routes over new edges, per target set
    rules = (("scb", spec.green_scb_min_ha), ("who", spec.green_who_min_ha))
    targets = {f"c:{c}": d_nodes[cats == c] for c in spec.categories}
    targets.update({f"g:{r}": e_nodes[e_ha >= h] for r, h in rules})
    targets["g:any"] = e_nodes
    targets["pop"] = o_nodes[pop > 0]
    s_u, s_v, s_w = _edge_ends(ctx.net, ap.edge_parent < 0)
    bounds = _edge_bounds(graph, s_u, s_v, s_w, targets, o_nodes)
    rf = max(base.rf_day, base.rf_green)
    r_max = max(max(spec.radii_m), spec.gravity_cutoff_m)
    reach = spec.green_per_capita_within_m
    day_sel = o_moved.copy()
    for c in spec.categories:
        s = np.minimum(bounds[f"c:{c}"], _zero_sources(graph, d_nodes[(cats == c) & ctx.d_moved],
                                                       o_nodes))
        removed = ctx.removed_dest_xy(c)
        old_d = day[f"dist_{c}_m"].to_numpy(float)
        day_sel |= (s < old_d) | _removed_bound(xy_old, removed, old_d, rf)
        day_sel |= (s <= r_max) | _removed_bound(xy_old, removed, r_max, rf)
    green_sel = o_moved.copy()
    for r, h in rules:
        s = np.minimum(bounds[f"g:{r}"], _zero_sources(graph, e_nodes[e_added & (e_ha >= h)],
                                                       o_nodes))
        old_d = green[f"dist_green_{r}_m"].to_numpy(float)
        green_sel |= (s < old_d) | _removed_bound(
            xy_old, old_e_xy[e_removed & (old_e_ha >= h)], old_d, rf)
    s = np.minimum(bounds["g:any"], _zero_sources(graph, e_nodes[e_added], o_nodes))
    green_sel |= (s <= reach) | _removed_bound(xy_old, old_e_xy[e_removed], reach, rf)
    pop_changed = (ap.pop_delta > 0).to_numpy()
    s = np.minimum(bounds["pop"], _zero_sources(
        graph, np.concatenate([o_nodes[pop_changed], o_nodes[o_moved]]), o_nodes))
    green_sel |= (s <= reach) | _removed_bound(
        xy_old, xy_old[o_moved & (base.origin_att.edge >= 0)], reach, rf)
    return day_sel, green_sel


def _edge_ends(net: WalkNetwork, mask: np.ndarray):
    e = net.edges
    return (e["u"].to_numpy(np.int64)[mask], e["v"].to_numpy(np.int64)[mask],
            e["length_m"].to_numpy(float)[mask])


def _night_access(ctx: _Ctx, day: pd.DataFrame, counts: dict, progress) -> pd.DataFrame:
    """Night access: the baseline's values, recomputed with
    :func:`~geoplan.indicators.night.night_indicators` on the cells that can change; the
    detour columns then from the merged day and night distances of every cell."""
    from ..indicators.night import night_columns, night_indicators

    spec = ctx.applied.inputs.spec
    out = ctx.base.layers.grid[night_columns(spec)].copy()
    sel, graph = _night_cells(ctx, out)
    if sel.any():
        report(progress, 0.2, "night access of the cells that can change")
        res = night_indicators(ctx.net, ctx.base.layers.origins,
                               ctx.applied.inputs.data.destinations, spec, day=day,
                               origin_att=ctx.o_att, dest_att=ctx.d_att, selection=sel,
                               progress=scaled(progress, 0.2, 1.0), graph=graph)
        out.loc[res.index, res.columns] = res
    _night_derived(out, day, spec)
    counts["night"] = int(sel.sum())
    return out


def _night_derived(out: pd.DataFrame, day: pd.DataFrame, spec) -> None:
    """The night detour columns of every cell, from the merged day and night distances."""
    from ..indicators.night import night_derived

    for c in spec.categories:
        for name, v in night_derived(c, day[f"dist_{c}_m"].to_numpy(float),
                                     out[f"night_dist_{c}_m"].to_numpy(float),
                                     spec.night_threshold_m).items():
            out[name] = v


def _night_cells(ctx: _Ctx, night: pd.DataFrame) -> tuple[np.ndarray, object]:
    """Cells whose night access can change (module doc): newly lit or new edges, origins on
    split or newly lit edges, added or moved destinations, removed ones; and the edited
    study's night graph when it was built to find them (``None`` if not)."""
    from ..indicators.night import night_graph
    from ..routing import lit_mask

    spec = ctx.applied.inputs.spec
    parent = ctx.applied.edge_parent
    mask = (ctx.base.night_mask if ctx.same_net  # nothing relit: the baseline's lit edges
            else lit_mask(ctx.net, unknown_as_lit=spec.night_unknown_as == "lit"))
    changed = mask & ((parent < 0) | ~ctx.base.night_mask[np.maximum(parent, 0)])
    o_edge = ctx.o_att.edge
    on_changed = (o_edge >= 0) & (changed | ctx.applied.edge_split)[np.maximum(o_edge, 0)]
    sel = ctx.o_moved | on_changed
    d_edge = ctx.d_att.edge
    d_added = ctx.d_moved | ((d_edge >= 0) & changed[np.maximum(d_edge, 0)])
    if not (changed.any() or sel.any() or d_added.any()):
        return sel, None
    thr = spec.night_threshold_m
    cats = ctx.applied.inputs.data.destinations["category"].to_numpy()
    g = night_graph(ctx.net, spec, ctx.o_att, ctx.d_att)
    o_n, d_n = g.point_nodes
    s_u, s_v, s_w = _edge_ends(ctx.net, changed)
    bounds = _edge_bounds(g, s_u, s_v, s_w, {c: d_n[cats == c] for c in spec.categories}, o_n)
    xy_old, rf = ctx.base.origin_att.on_edge_xy, ctx.base.rf_night
    for c in spec.categories:
        s = np.minimum(bounds[c], _zero_sources(g, d_n[(cats == c) & d_added], o_n))
        removed = ctx.removed_dest_xy(c)
        old_d = night[f"night_dist_{c}_m"].to_numpy(float)
        sel = sel | (s < old_d) | _removed_bound(xy_old, removed, old_d, rf)
        sel |= (s <= thr) | _removed_bound(xy_old, removed, thr, rf)
    return sel, g


def _entry_keys(spaces: gpd.GeoDataFrame, entries: gpd.GeoDataFrame) -> list:
    """One key per entry: (its green space's shape, its place to the micrometre)."""
    # a digest, not hash(): str/bytes hashes change between processes (a saved baseline)
    shape = {gid: hashlib.blake2b(shapely.to_wkb(shapely.normalize(g)), digest_size=16).digest()
             for gid, g in zip(spaces.index, spaces.geometry.values, strict=True)}
    xy = np.round(shapely.get_coordinates(np.asarray(entries.geometry.values, dtype=object)), 6)
    return [(shape[g], x, y) for g, (x, y) in
            zip(entries["green_id"].to_numpy(), xy.tolist(), strict=True)]


def _safety(ctx: _Ctx, counts: dict, progress) -> pd.DataFrame:
    """Safety: the baseline's values, recomputed with
    :func:`~geoplan.indicators.safety.safety_indicators` on the cells that can change (and
    their neighbours, so border rules are the same); the 0–100 index then for those cells
    (with the baseline's eyes-on-street scale a cell's index depends on that cell only;
    without one, for every cell)."""
    from ..indicators.safety import SAFETY_COLUMNS, safety_index

    new = ctx.applied.inputs
    ds, redone = _dark_stretch(ctx)
    affected = _safety_cells(ctx, ds, redone)
    counts["safety"] = int(affected.sum())
    if not affected.any():
        return _frame(ctx.base, list(SAFETY_COLUMNS), {})
    report(progress, 0.2, "safety of the changed cells")
    res = _safety_near(ctx, affected, ds)
    at = np.flatnonzero(affected)
    rows = res.loc[new.cells.index[at], list(SAFETY_COLUMNS)]
    if new.eyes_scale is not None:  # the index of the changed cells only
        index = safety_index(rows, new.weights, eyes_scale_value=new.eyes_scale)
        rows = rows.assign(**{c: index[c].to_numpy() for c in index.columns})
    out = _frame(ctx.base, list(SAFETY_COLUMNS), {
        c: (at, rows[c].to_numpy(dtype=_column(ctx.base, c).dtype)) for c in SAFETY_COLUMNS})
    if new.eyes_scale is None:
        index = safety_index(out, new.weights, eyes_scale_value=None)
        for c in index.columns:
            out[c] = index[c]
    return out


def _dark_parts(base: Baseline) -> tuple[np.ndarray, np.ndarray]:
    """Per node of the baseline's network, its dark stretch's label (a node on no dark edge
    has one of its own), and per baseline edge whether it is dark (made once per baseline)."""
    from ..indicators.safety import dark_edges, dark_labels

    def make():
        e, n = base.inputs.network.edges, len(base.inputs.network.nodes)
        dark = dark_edges(e)
        return dark_labels(e["u"].to_numpy(np.int64), e["v"].to_numpy(np.int64), dark, n), dark

    return _once(base, "dark_parts", make)


def _dark_members(base: Baseline) -> tuple[np.ndarray, np.ndarray]:
    """The baseline's dark edges grouped by stretch: ``(labels, edges)``, the stretch label
    (:func:`_dark_parts`) of each dark edge, sorted, and the edges in that order (made once
    per baseline). Both ends of a dark edge lie on its stretch."""
    def make():
        label, dark = _dark_parts(base)
        ids = np.flatnonzero(dark)
        lab = label[base.inputs.network.edges["u"].to_numpy(np.int64)[ids]]
        order = np.argsort(lab, kind="stable")
        return lab[order], ids[order]

    return _once(base, "dark_members", make)


def _dark_stretch(ctx: _Ctx) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~geoplan.indicators.safety.dark_stretch_m` of the edited network: the
    baseline's, with only the dark stretches the edit touches (those at an end of a new, cut
    or relit edge) found again. An edge keeps its baseline's lighting unless relit (then it
    is lit) or new (its own). Also the sorted positions of the edges whose value was made
    again (every other edge has its baseline's).

    Only the edited edges and the baseline's dark edges on the stretches they touch are read:
    an edit keeps the baseline's edge ids (a cut edge's first piece keeps its id, the other
    pieces and new paths are appended, :func:`geoplan.scenario.edits.apply_scenario`), so
    every other edge keeps its baseline value."""
    from ..indicators.safety import dark_edges, dark_stretch_of

    base, ap = ctx.base, ctx.applied
    if ctx.same_net:
        return base.dark_stretch, np.zeros(0, np.int64)
    label, base_dark = _dark_parts(base)
    edges, parent = ctx.net.edges, ap.edge_parent
    n0 = len(base_dark)
    out = np.zeros(len(parent))
    out[:n0] = base.dark_stretch  # 0 on an edge that is not dark
    changed = ctx.touched_edges
    u, v = edges["u"].to_numpy(np.int64), edges["v"].to_numpy(np.int64)
    ends = np.concatenate([u[changed], v[changed]])
    n_base = len(label)
    # the stretches at those ends, and the baseline's dark edges on them
    hit = np.unique(label[ends[ends < n_base]])
    lab, members = _dark_members(base)
    lo, hi = np.searchsorted(lab, hit, "left"), np.searchsorted(lab, hit, "right")
    near = [members[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
    todo = np.unique(np.concatenate([changed, *near]))
    pt = parent[todo]
    is_new = pt < 0
    dark = base_dark[np.maximum(pt, 0)] & ~ap.edge_relit[todo] & ~is_new
    dark[is_new] = dark_edges(edges.iloc[todo[is_new]])
    out[todo] = 0.0
    redo = todo[dark]
    if len(redo):  # the same sums, in the same edge order, as over the whole network
        out[redo] = dark_stretch_of(u[redo], v[redo],
                                    edges["length_m"].to_numpy(float)[redo],
                                    np.ones(len(redo), bool))
    return out, todo


def _safety_cells(ctx: _Ctx, ds: np.ndarray, redone: np.ndarray) -> np.ndarray:
    """Cells whose safety columns can change (module doc); ``ds``: the edited network's
    :func:`~geoplan.indicators.safety.dark_stretch_m` and ``redone`` the edges where it was
    made again (:func:`_dark_stretch`: elsewhere it is the baseline's)."""
    from ..indicators.safety import ACTIVE_CATEGORIES, EYES_RADIUS_M

    base, new, ap = ctx.base, ctx.applied.inputs, ctx.applied
    edges = ctx.net.edges
    parent = ap.edge_parent
    is_new = parent < 0
    # the new, cut and relit edges, and those whose dark stretch changed (only redone ones can)
    pr = parent[redone]
    dark_changed = redone[np.where(pr < 0, ds[redone] > 0,
                                   ds[redone] != base.dark_stretch[np.maximum(pr, 0)])]
    hit_edges = np.union1d(ctx.touched_edges, dark_changed)
    affected = np.zeros(len(new.cells), bool)
    if len(hit_edges):
        affected[_cell_tree(ctx).query(np.asarray(edges.geometry.values[hit_edges],
                                                  dtype=object), predicate="intersects")[1]] = True
    if len(ap.new_lamps):
        affected[_in_cells(ctx, ap.new_lamps.geometry.values)] = True
    new_lines = np.asarray(edges.geometry.values[is_new], dtype=object)
    if len(new_lines):
        b = new.data.buildings
        if b is not None and len(b):
            near = _tree(ctx, "buildings", b).query(new_lines, predicate="dwithin",
                                                    distance=EYES_RADIUS_M)[1]
            if len(near):
                affected[_in_cells(ctx, shapely.point_on_surface(
                    np.asarray(b.geometry.values, dtype=object)[np.unique(near)]))] = True
        d = new.data.destinations
        near = _tree(ctx, "destinations", d).query(new_lines, predicate="dwithin",
                                                   distance=EYES_RADIUS_M)[1]
        near = np.unique(near)
        near = near[np.isin(d["category"].to_numpy()[near], list(ACTIVE_CATEGORIES))]
        affected[_in_cells(ctx, d.geometry.values[near])] = True
    if ap.n_new_destinations:
        affected[_in_cells(ctx, new.data.destinations.geometry.values[
            -ap.n_new_destinations:])] = True
    affected |= (ap.pop_delta > 0).to_numpy()
    return affected


def _tree(ctx: _Ctx, name: str, frame) -> shapely.STRtree:
    """An STRtree of ``frame``'s geometries: the baseline's, made once, when ``frame`` is the
    baseline's ``data.<name>`` (or its ``cells``), else made now."""
    base = ctx.base.inputs
    theirs = base.cells if name == "cells" else getattr(base.data, name)

    def make():  # (the geometries taken only when made: a column of the grid copies its attrs)
        return shapely.STRtree(np.asarray(frame.geometry.values, dtype=object))

    if frame is theirs or (name == "cells" and frame.index.equals(theirs.index)):
        return _once(ctx.base, f"tree_{name}", make)
    return make()


def _cell_tree(ctx: _Ctx) -> shapely.STRtree:
    """The cells' STRtree (edits never move a cell: the baseline's)."""
    return _tree(ctx, "cells", ctx.applied.inputs.cells)


def _in_cells(ctx: _Ctx, points) -> np.ndarray:
    """Positions of the cells holding ``points``
    (:func:`~geoplan.indicators.safety.points_in_cells`, on the cells near them)."""
    from ..indicators.safety import points_in_cells

    geoms = np.asarray(points, dtype=object)
    cand = np.unique(_cell_tree(ctx).query(geoms, predicate="intersects")[1])
    at = points_in_cells(geoms, _cell_squares(ctx).iloc[cand])
    return cand[at[at >= 0]]


def _cell_squares(ctx: _Ctx) -> gpd.GeoDataFrame:
    """The cells' squares alone, in the cells' order (edits never move a cell: the
    baseline's, made once), for :func:`~geoplan.indicators.safety.points_in_cells`: without
    the grid's columns and attrs, which pandas copies into every part taken."""
    cells = ctx.base.inputs.cells
    return _once(ctx.base, "cell_squares", lambda: gpd.GeoDataFrame(
        geometry=cells.geometry.values, crs=cells.crs))


def _edges_in(ctx: _Ctx, box) -> np.ndarray:
    """Sorted positions of the edges of the edited network that intersect ``box`` (the
    baseline's edges looked up in their STRtree, made once; new edges and pieces of cut ones
    tested here). The baseline's edges keep their positions (:func:`_dark_stretch`)."""
    ap, base_net = ctx.applied, ctx.base.inputs.network
    tree = _once(ctx.base, "tree_edges", lambda: shapely.STRtree(
        np.asarray(base_net.edges.geometry.values, dtype=object)))
    hit = tree.query(box, predicate="intersects")
    t = ctx.touched_edges
    odd = t[(ap.edge_parent[t] < 0) | ap.edge_split[t]]  # the new edges and cut ones
    hit = hit[~np.isin(hit, odd)]
    odd = odd[shapely.intersects(np.asarray(ctx.net.edges.geometry.values[odd], dtype=object),
                                 box)]
    return np.union1d(hit, odd)


def _edge_network(net: WalkNetwork, keep: np.ndarray) -> WalkNetwork:
    """The edges ``keep`` (sorted positions) of ``net`` with only their end nodes, numbered
    again: what :func:`~geoplan.indicators.safety.safety_indicators` needs near a few cells
    (a node's degree is the same, as every edge at a node inside those cells is kept)."""
    e = net.edges.iloc[keep]
    u, v = e["u"].to_numpy(np.int64), e["v"].to_numpy(np.int64)
    used, uv = np.unique(np.concatenate([u, v]), return_inverse=True)
    e = e.assign(u=uv[:len(u)], v=uv[len(u):])
    # the edges' CRS object (the same CRS): a CRS given as text is parsed again by pyproj at
    # every comparison (~0.4 ms each; safety_indicators compares it with each input's)
    return WalkNetwork(net.nodes.iloc[used], e, net.crs if e.crs is None else e.crs)


def _safety_near(ctx: _Ctx, affected: np.ndarray, ds: np.ndarray) -> pd.DataFrame:
    """:func:`~geoplan.indicators.safety.safety_indicators` on the ``affected`` cells and their
    neighbours, with the inputs near them only."""
    from ..indicators.safety import EYES_RADIUS_M, safety_indicators
    from ..population import residential_floor_area

    new = ctx.applied.inputs
    cells = new.cells
    squares = np.asarray(cells.geometry.values, dtype=object)
    with_nb = np.zeros(len(cells), bool)
    with_nb[_cell_tree(ctx).query(squares[affected], predicate="intersects")[1]] = True
    sub = cells.iloc[np.flatnonzero(with_nb)]
    # without the grid's attrs (its population report): pandas deep-copies them into every
    # column and frame taken from it, some 600 copies per call for what no value depends on
    sub.attrs = {}
    x0, y0, x1, y1 = sub.total_bounds

    rows = {}  # of the baseline's frames: the positions clipped

    def clip(g, box):  # the rows intersecting the box widened by 1 m (GeoDataFrame.cx)
        if g is None or len(g) == 0:
            return g
        name = next((k for k in ("buildings", "destinations", "lamps")
                     if g is getattr(ctx.base.inputs.data, k)), None)
        if name is None:
            return g.cx[box[0] - 1:box[2] + 1, box[1] - 1:box[3] + 1]
        rows[name] = np.sort(_tree(ctx, name, g).query(
            shapely.box(box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1), predicate="intersects"))
        return g.iloc[rows[name]]

    # points count in the cell holding them: only those near the cells matter; edges count
    # where they cross the cells or pass within 25 m of a building or shop kept here
    box = (x0, y0, x1, y1)
    data = dataclasses.replace(new.data, buildings=clip(new.data.buildings, box),
                               destinations=clip(new.data.destinations, box),
                               lamps=clip(new.data.lamps, box))
    res = None  # the baseline buildings' residential floor area (per building: made once)
    if "buildings" in rows:
        res = _once(ctx.base, "residential_m2", lambda: residential_floor_area(
            ctx.base.inputs.data.buildings).to_numpy(float))[rows["buildings"]]
    reach = [box] + [tuple(g.total_bounds) for g in (data.buildings, data.destinations)
                     if g is not None and len(g)]
    rb = np.asarray(reach)
    pad = EYES_RADIUS_M + 1.0
    keep = _edges_in(ctx, shapely.box(rb[:, 0].min() - pad, rb[:, 1].min() - pad,
                                      rb[:, 2].max() + pad, rb[:, 3].max() + pad))
    return safety_indicators(_edge_network(ctx.net, keep), sub, data, new.weights,
                             lamps=clip(new.lamps, box), dark_stretch=ds[keep],
                             eyes_scale_value=new.eyes_scale, residential_m2=res)
