"""Scenarios: apply edits to a study, recompute only what can change, and say what changed.

The flow (DESIGN.md): ``apply(scenario, inputs) -> inputs'`` (:func:`apply_scenario`) and
``compare(baseline_layers, scenario_layers) -> change layers`` (:func:`change_layers`,
:func:`change_table`). :func:`recompute` gives exactly what :func:`geoplan.study.compute_layers`
gives on the edited inputs (a test compares them cell by cell), but recomputes only the cells
whose results can change.

Edits (:mod:`geoplan.types`)
    * :class:`~geoplan.types.NewPath` — its ends join the nearest edge within
      ``Scenario.connect_within_m`` (that edge is split there: one new node); it makes a junction
      wherever it crosses an existing path, unless it (or the path it crosses) is a bridge or
      tunnel. A path that joins nothing is refused. New edges get ``lit`` from the design
      (``lit_source='scenario'``).
    * :class:`~geoplan.types.Lighting` — new lamps (they light every edge, existing or new,
      within the lighting rule's radius whose covered share then reaches ``min_lit_share``:
      ``lit_source='lamps'``) or whole paths by OSM way id / baseline edge id
      (``lit_source='scenario'``).
    * :class:`~geoplan.types.Densify` — residents added to ``pop`` of the cells by the share of the
      block's area in each cell. Buildings, origins and distances do not change; rates carried by
      the cells (income, shares) stay as they are, counts named in
      ``StudyInputs.count_columns`` grow in proportion to ``pop``.
    * :class:`~geoplan.types.NewGreen`, :class:`~geoplan.types.NewDestination` — appended to
      ``data.green`` / ``data.destinations`` (``osm_type='s'``, negative ``osm_id``).
    Edits are applied by kind in this order: paths, destinations, green, densification,
    lighting (so lamps also light new paths). Edited edges carry ``edit`` (``new_path``,
    ``split``, ``relit`` or empty) and ``parent_edge`` (baseline edge id, -1 for new paths).

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
    * **Origins whose attachment moved** (a new path is now their nearest edge), origins on a
      split edge (their night doorstep changes) or on a newly lit edge: their rows are recomputed.
    * **Safety**: cells touching new, split or relit edges, edges whose dark stretch changed,
      new lamps, buildings and shops within 25 m of new paths, and cells whose ``pop`` changed,
      computed on those cells and their neighbours (so border rules are the same); the 0–100
      index is then recomputed for every cell (its eyes-on-street scale is a study-wide
      percentile).
    * Derived columns (night detour, ``loses_*_at_night``, 300 m flags, per-capita ratios) are
      recomputed from the merged columns; area summaries are recomputed (cheap).
    * When a new path joins two parts of the network (origins may then attach elsewhere),
      :func:`recompute` falls back to a full recompute and says so in its stats.

Outputs of :func:`run_scenario` (``geoplan scenario run``) — other tools rely on these names
    ``OUT/geoplan.gpkg``
        ``grid`` (every indicator after the scenario, as the ``grid`` layer of ``geoplan run``),
        ``grid_change`` (``cell_id``, then ``<col>_before``, ``<col>_after``, ``<col>_change``
        for ``pop`` and every numeric or yes/no indicator; yes/no as 0/1 and change −1/0/1;
        NULL where a side is unreachable), ``areas_change`` (the same per area and a last row
        ``__study_area__`` for the whole study area), ``changes`` (the change table below),
        ``network`` (edges after, with ``edit`` and ``parent_edge``), ``destinations``,
        ``green``. ``grid_change`` and ``areas_change`` are styled with diverging colours
        (shared breaks, "no change" in the middle) on :data:`HEADLINE` columns.
    ``OUT/changes.csv`` and ``OUT/changes.xlsx``
        one row per area and measure: ``scenario``, ``area_key``, ``area_name``, ``measure``,
        ``category``, ``label`` (plain words in the run's language), ``unit``, ``before``,
        ``after``, ``change``, ``better`` (``higher``/``lower``/empty) — see
        :func:`change_table`. UTF-8, comma separated, ``.`` decimals.
    ``OUT/scenario.json``
        the scenario (name, description, edits per kind), recompute statistics (cells
        recomputed per family, seconds, incremental or full) and the attribution.

Example
-------
>>> import shapely
>>> from geoplan.types import Scenario, NewPath
>>> inputs = example_inputs()
>>> path = shapely.LineString([(100, 0), (150, -30), (200, 0)])  # a lit way round the dark edge
>>> s = Scenario("lit detour", (NewPath(path, lit=True),), crs=inputs.network.crs)
>>> applied = apply_scenario(s, inputs)
>>> applied.inputs.network.edges[["u", "v", "lit"]].values.tolist()[-1]
[1, 2, 'yes']
>>> base = prepare_baseline(inputs)
>>> after, stats = recompute(base, applied)
>>> base.layers.grid["night_dist_school_m"].tolist(), after.grid["night_dist_school_m"].round(1).tolist()
([inf, inf], [171.6, 181.6])
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from scipy.sparse.csgraph import dijkstra

from ..errors import ConfigError, CRSError, GeoplanError
from ..i18n import fmt, register_texts, tr
from ..progress import Progress, report, scaled
from ..study import Layers, compute_layers
from ..types import (
    AccessSpec,
    Densify,
    LightingRule,
    NewDestination,
    NewGreen,
    NewPath,
    OsmData,
    SafetyWeights,
    Scenario,
    WalkNetwork,
)
from ..types import Lighting as LightingEdit

__all__ = [
    "HEADLINE",
    "AppliedScenario",
    "Baseline",
    "RecomputeStats",
    "ScenarioResult",
    "StudyInputs",
    "apply_scenario",
    "change_layers",
    "change_table",
    "compare_runs",
    "example_inputs",
    "prepare_baseline",
    "recompute",
    "run_scenario",
    "study_from_pipeline",
]

#: Columns the change layers are styled by, in order of preference (the first that changes).
HEADLINE: tuple[str, ...] = (
    "night_dist_school_m", "night_dist_grocery_m", "dist_green_scb_m", "green_m2_per_capita",
    "safety_index", "lit_share", "eyes_on_street", "pop",
)
#: Below this, a change is rounding noise and counts as no change.
CHANGE_EPS = 1e-9
_EDGE_END_M = 0.01  # a junction this close to an edge end uses the end node

TEXTS = {
    "sc_residents": {"en": "Residents", "sv": "Invånare", "da": "Indbyggere"},
    "sc_green_300m": {
        "en": "Residents within 300 m of a green space of at least 0.5 ha",
        "sv": "Invånare inom 300 m från en grönyta på minst 0,5 ha",
        "da": "Indbyggere inden for 300 m fra et grønt område på mindst 0,5 ha"},
    "sc_green_gain": {
        "en": "Residents newly within 300 m of green space",
        "sv": "Invånare som får en grönyta inom 300 m",
        "da": "Indbyggere der får et grønt område inden for 300 m"},
    "sc_green_loss": {
        "en": "Residents no longer within 300 m of green space",
        "sv": "Invånare som inte längre har en grönyta inom 300 m",
        "da": "Indbyggere der ikke længere har et grønt område inden for 300 m"},
    "sc_green_pc": {
        "en": "Green space within 500 m per resident (m², mean over residents)",
        "sv": "Grönyta inom 500 m per invånare (m², medel över invånarna)",
        "da": "Grønt areal inden for 500 m pr. indbygger (m², gennemsnit over indbyggerne)"},
    "sc_night_access": {
        "en": "Residents with a lit route to a {cat} within {thr} m",
        "sv": "Invånare med en belyst väg till {cat} inom {thr} m",
        "da": "Indbyggere med en belyst vej til {cat} inden for {thr} m"},
    "sc_night_gain": {
        "en": "Residents gaining a lit route to a {cat} within {thr} m",
        "sv": "Invånare som får en belyst väg till {cat} inom {thr} m",
        "da": "Indbyggere der får en belyst vej til {cat} inden for {thr} m"},
    "sc_night_loss": {
        "en": "Residents losing a lit route to a {cat} within {thr} m",
        "sv": "Invånare som förlorar en belyst väg till {cat} inom {thr} m",
        "da": "Indbyggere der mister en belyst vej til {cat} inden for {thr} m"},
    "sc_detour": {
        "en": "Median night detour to a {cat} (lit route ÷ shortest route)",
        "sv": "Median av omvägen nattetid till {cat} (belyst väg ÷ kortaste väg)",
        "da": "Median af omvejen om natten til {cat} (belyst vej ÷ korteste vej)"},
    "sc_dist": {
        "en": "Median walking distance to a {cat}",
        "sv": "Median av gångavståndet till {cat}",
        "da": "Median af gangafstanden til {cat}"},
    "sc_lit_km": {
        "en": "Lit share of the walkable paths",
        "sv": "Andel av gångvägarna som är belyst",
        "da": "Andel af gangstierne der er belyst"},
    "sc_eyes": {
        "en": "Eyes on the street (proxy, mean over residents)",
        "sv": "Ögon på gatan (skattning, medel över invånarna)",
        "da": "Øjne på gaden (skøn, gennemsnit over indbyggerne)"},
    "sc_safety": {
        "en": "Safety index 0–100 (mean over residents)",
        "sv": "Trygghetsindex 0–100 (medel över invånarna)",
        "da": "Tryghedsindeks 0–100 (gennemsnit over indbyggerne)"},
    "sc_cells_gain": {"en": "Grid cells where {what} improves",
                      "sv": "Rutor där {what} blir bättre",
                      "da": "Celler hvor {what} bliver bedre"},
    "sc_cells_lose": {"en": "Grid cells where {what} gets worse",
                      "sv": "Rutor där {what} blir sämre",
                      "da": "Celler hvor {what} bliver dårligere"},
    "sc_res_gain": {"en": "Residents in cells where {what} improves",
                    "sv": "Invånare i rutor där {what} blir bättre",
                    "da": "Indbyggere i celler hvor {what} bliver bedre"},
    "sc_res_lose": {"en": "Residents in cells where {what} gets worse",
                    "sv": "Invånare i rutor där {what} blir sämre",
                    "da": "Indbyggere i celler hvor {what} bliver dårligere"},
    "sc_what_safety": {"en": "the safety index", "sv": "trygghetsindexet",
                       "da": "tryghedsindekset"},
    "sc_what_access": {"en": "walking access (day or night)",
                       "sv": "tillgången till fots (dag eller natt)",
                       "da": "adgangen til fods (dag eller nat)"},
    "sc_study_area": {"en": "Whole study area", "sv": "Hela analysområdet",
                      "da": "Hele analyseområdet"},
    "sc_measure": {"en": "Measure", "sv": "Mått", "da": "Mål"},
    "sc_before": {"en": "Before", "sv": "Före", "da": "Før"},
    "sc_after": {"en": "After", "sv": "Efter", "da": "Efter"},
    "sc_change": {"en": "Change", "sv": "Förändring", "da": "Ændring"},
    "sc_area": {"en": "Area", "sv": "Område", "da": "Område"},
    "sc_rank": {"en": "Rank", "sv": "Rang", "da": "Rang"},
    "sc_mean_rank": {"en": "Mean rank (1 = best)", "sv": "Medelrang (1 = bäst)",
                     "da": "Gennemsnitlig rang (1 = bedst)"},
}
register_texts(TEXTS)


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StudyInputs:
    """Everything :func:`geoplan.study.compute_layers` takes, plus the lighting rule.

    ``count_columns``: count columns of ``cells`` (besides ``pop``) that grow with ``pop`` when a
    block is densified; every other column is left as it is (rates stay rates).
    """

    data: OsmData
    network: WalkNetwork
    cells: gpd.GeoDataFrame
    lamps: gpd.GeoDataFrame
    spec: AccessSpec = field(default_factory=AccessSpec)
    weights: SafetyWeights = field(default_factory=SafetyWeights)
    lighting: LightingRule = field(default_factory=LightingRule)
    areas: gpd.GeoDataFrame | None = None
    area_key: str | None = None
    area_name: str | None = None
    count_columns: tuple[str, ...] = ()

    def compute(self, progress: Progress | None = None) -> Layers:
        """:func:`geoplan.study.compute_layers` on these inputs (the full computation)."""
        return compute_layers(self.data, self.network, self.cells, spec=self.spec,
                              weights=self.weights, lamps=self.lamps, areas=self.areas,
                              area_key=self.area_key, area_name=self.area_name,
                              progress=progress)


def study_from_pipeline(cfg, progress: Progress | None = None) -> StudyInputs:
    """The :class:`StudyInputs` of a pipeline (reads OSM, lamps, grid, population, areas)."""
    from ..runs.pipeline import study_inputs

    data, lamps, net, cells = study_inputs(cfg, progress=progress)
    areas = key = name = None
    if cfg.summary_areas is not None:
        import pyogrio

        sa = cfg.summary_areas
        areas = pyogrio.read_dataframe(sa.path, layer=sa.layer)
        key, name = sa.key_column, sa.name_column
    return StudyInputs(data, net, cells, lamps, spec=cfg.access, weights=cfg.safety,
                       lighting=cfg.lighting, areas=areas, area_key=key, area_name=name)


def example_inputs() -> StudyInputs:
    """A tiny study on :func:`geoplan.routing.example_network` (EPSG:3006) for examples/tests.

    Two 100 m cells (10 and 20 residents, homes at (45, 15) and (135, 65)), a school at node 2
    (reached only over the dark edge 1–2), a 0.64 ha park north of that edge::

        3 (100,100)
        |  unknown       [park 105..185 × 5..85]
        0 ---- lit ---- 1 ---- dark ---- 2 (school)
    """
    from ..grid import GridSpec, make_grid
    from ..routing import example_network

    net = example_network()
    e = net.edges.assign(lit_source=["tag", "tag", "none"], lamp_share=0.0, tunnel=False,
                         bridge=False, highway="footway", name="", surface="", lit_tag="",
                         osmid=["1", "2", "3"])
    net = WalkNetwork(net.nodes, e, net.crs)
    area = shapely.box(0, 0, 200, 100)
    crs = net.crs
    empty_pts = gpd.GeoDataFrame({"lamp_id": pd.Series([], dtype=object),
                                  "source": pd.Series([], dtype=object)},
                                 geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    dest = gpd.GeoDataFrame({"osm_id": [1], "osm_type": ["n"], "category": ["school"],
                             "name": ["S"], "footprint_m2": [0.0]},
                            geometry=gpd.points_from_xy([200.0], [0.0]), crs=crs)
    green = gpd.GeoDataFrame({"osm_id": [2], "osm_type": ["w"], "kind": ["park"], "name": [""],
                              "area_ha": [0.6], "public": [True]},
                             geometry=[shapely.box(105, 5, 185, 85)], crs=crs)
    buildings = gpd.GeoDataFrame(
        {"osm_id": [3, 4], "building": ["apartments"] * 2, "use": ["residential"] * 2,
         "levels": [3.0, 3.0], "levels_source": ["tag"] * 2, "height_m": [np.nan] * 2,
         "footprint_m2": [100.0, 100.0], "floor_area_m2": [300.0, 600.0]},
        geometry=[shapely.box(40, 10, 50, 20), shapely.box(130, 60, 140, 70)], crs=crs)
    data = OsmData(crs=crs, area=area, ways=None, lamps=empty_pts, green=green,
                   destinations=dest, buildings=buildings, source="example")
    cells = make_grid(area, crs, GridSpec(100))
    cells = cells.assign(pop=[10.0, 20.0], pop_source="example")
    spec = AccessSpec(categories=("school",), radii_m=(400.0,), min_component_m=0.0)
    return StudyInputs(data, net, cells, empty_pts, spec=spec)


# --------------------------------------------------------------------------------------------
# applying edits
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class AppliedScenario:
    """A scenario applied to a study: the edited inputs and what the edits touched.

    Attributes
    ----------
    scenario, base, inputs
        The scenario, the baseline inputs and the edited inputs.
    edge_parent
        Per edited edge: its baseline edge (position), -1 for a new path's edges.
    edge_split, edge_relit
        Per edited edge: a piece of a split baseline edge; lit by the scenario.
    pop_delta
        Residents added per cell (indexed by ``cell_id``).
    new_lamps
        The lamps the scenario adds (in the study's CRS).
    n_new_destinations, n_new_green
        Rows appended to ``data.destinations`` / ``data.green``.
    """

    scenario: Scenario
    base: StudyInputs
    inputs: StudyInputs
    edge_parent: np.ndarray
    edge_split: np.ndarray
    edge_relit: np.ndarray
    pop_delta: pd.Series
    new_lamps: gpd.GeoDataFrame
    n_new_destinations: int = 0
    n_new_green: int = 0

    @property
    def network_changed(self) -> bool:
        return bool((self.edge_parent < 0).any() or self.edge_split.any())

    @property
    def is_empty(self) -> bool:
        return self.inputs is self.base


def _to_study_crs(geoms: list, scenario: Scenario, crs, area) -> list:
    from pyproj import CRS

    src = CRS.from_user_input(scenario.crs)
    out = geoms
    if src != CRS.from_user_input(crs):
        out = list(gpd.GeoSeries(geoms, crs=src).to_crs(crs).values)
    zone = shapely.buffer(area, 500.0)
    for g, g0 in zip(out, geoms, strict=True):
        if not shapely.intersects(g, zone):
            hint = ""
            x0, y0 = shapely.get_coordinates(g0)[0]
            if not src.is_geographic and abs(x0) <= 180 and abs(y0) <= 90:
                hint = (f" — its coordinates ({x0:.5f}, {y0:.5f}) look like degrees although the "
                        f"scenario's CRS is {src.to_string()}: set the layer's CRS to EPSG:4326 "
                        "(or draw it in the study's CRS)")
            raise GeoplanError(f"a scenario edit ({g0.geom_type}) lies outside the study area"
                               f"{hint or ': draw it inside the study area'}")
    return out


class _NetEditor:
    """Mutable working copy of the network while edits are applied."""

    def __init__(self, network: WalkNetwork) -> None:
        self.crs = network.crs
        self.xy = shapely.get_coordinates(np.asarray(network.nodes.geometry.values))
        self.osmid = network.nodes["osmid"].to_numpy(np.int64)
        e = network.edges
        self.columns = list(e.columns)
        self.rows = e.drop(columns="geometry").to_dict("records")
        self.geoms = list(e.geometry.values)
        self.parent = list(range(len(e)))
        self.split = [False] * len(e)
        self.relit = [False] * len(e)
        self.new_nodes: list[tuple[float, float]] = []

    # ---- nodes
    def add_node(self, x: float, y: float) -> int:
        self.new_nodes.append((float(x), float(y)))
        return len(self.xy) + len(self.new_nodes) - 1

    def node_xy(self, i: int) -> np.ndarray:
        return self.xy[i] if i < len(self.xy) else np.asarray(self.new_nodes[i - len(self.xy)])

    # ---- edges
    def _alive(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r is not None]

    def split_edge(self, i: int, cuts: list[tuple[float, int]]) -> None:
        """Replace edge ``i`` by pieces cut at ``(distance along geometry, node)``."""
        row, geom = self.rows[i], self.geoms[i]
        u, v = int(row["u"]), int(row["v"])
        coords = shapely.get_coordinates(geom)
        start = u if (np.hypot(*(coords[0] - self.node_xy(u))) <=
                      np.hypot(*(coords[0] - self.node_xy(v)))) else v
        end = v if start == u else u
        total = geom.length
        stops = [(0.0, start)] + sorted(cuts) + [(total, end)]
        for (d0, a), (d1, b) in zip(stops[:-1], stops[1:], strict=True):
            piece = shapely.ops.substring(geom, d0, d1) if (d0, d1) != (0.0, total) else geom
            pc = shapely.get_coordinates(piece)
            if len(pc) < 2:
                pc = np.vstack([pc, pc])
            pc[0], pc[-1] = self.node_xy(a), self.node_xy(b)
            line = shapely.LineString(pc)
            new = dict(row, u=a, v=b, length_m=float(line.length))
            self.rows.append(new)
            self.geoms.append(line)
            self.parent.append(self.parent[i])
            self.split.append(self.parent[i] >= 0)
            self.relit.append(self.relit[i])
        self.rows[i] = None

    def add_edge(self, a: int, b: int, line, attrs: dict) -> None:
        row = {c: attrs.get(c, "") for c in self.columns if c != "geometry"}
        row.update(u=a, v=b, length_m=float(line.length))
        self.rows.append(row)
        self.geoms.append(line)
        self.parent.append(-1)
        self.split.append(False)
        self.relit.append(False)

    def result(self) -> tuple[WalkNetwork, np.ndarray, np.ndarray, np.ndarray]:
        alive = self._alive()
        df = pd.DataFrame([self.rows[i] for i in alive])
        edges = gpd.GeoDataFrame(df, geometry=[self.geoms[i] for i in alive], crs=self.crs)
        edges = edges[self.columns].reset_index(drop=True)
        for c in ("u", "v"):
            edges[c] = edges[c].astype(np.int64)
        for c in ("tunnel", "bridge"):
            if c in edges:
                edges[c] = edges[c].astype(bool)
        xy = np.vstack([self.xy, np.asarray(self.new_nodes).reshape(-1, 2)])
        start = min(int(self.osmid.min(initial=0)), 0)
        osmid = np.concatenate([self.osmid, start - 1 - np.arange(len(self.new_nodes))])
        nodes = gpd.GeoDataFrame({"osmid": osmid}, geometry=shapely.points(xy), crs=self.crs)
        nodes.index.name = "node"
        pick = np.asarray(alive, dtype=np.int64)
        return (WalkNetwork(nodes, edges, self.crs), np.asarray(self.parent)[pick],
                np.asarray(self.split, bool)[pick], np.asarray(self.relit, bool)[pick])


def _add_path(ed: _NetEditor, path: NewPath, line, tol: float, lamps, rule: LightingRule) -> None:
    """Add one new path to the editor (see the module doc for the joining rules)."""
    alive = ed._alive()
    geoms = np.asarray([ed.geoms[i] for i in alive], dtype=object)
    tree = shapely.STRtree(geoms)
    junctions: list[tuple[shapely.Point, int]] = []  # (point, edge row)
    if path.crossing == "":
        for k in tree.query(line, predicate="intersects"):
            i = alive[k]
            r = ed.rows[i]
            if bool(r.get("tunnel", False)) or bool(r.get("bridge", False)):
                continue
            inter = shapely.intersection(line, ed.geoms[i])
            for part in shapely.get_parts(inter):
                if part.geom_type == "Point":
                    junctions.append((part, i))
                elif part.length > 0:
                    raise GeoplanError(
                        f"new path{' ' + path.name if path.name else ''} runs along an existing path for "
                        f"{part.length:.1f} m: draw it beside the path, or end it where it meets "
                        "the path")
    coords = shapely.get_coordinates(line)
    ends_free = []
    for end in (0, -1):
        p = shapely.Point(coords[end])
        if any(j.distance(p) <= _EDGE_END_M for j, _ in junctions):
            continue
        (_, k), dist = tree.query_nearest(np.asarray([p], dtype=object), max_distance=tol,
                                          return_distance=True, all_matches=False)
        if len(k) == 0:
            ends_free.append(end)
            continue
        i = alive[int(k[0])]
        q = shapely.line_interpolate_point(ed.geoms[i], shapely.line_locate_point(ed.geoms[i], p))
        if float(dist[0]) > _EDGE_END_M:
            coords = (np.vstack([shapely.get_coordinates(q), coords]) if end == 0
                      else np.vstack([coords, shapely.get_coordinates(q)]))
        else:
            coords[end] = shapely.get_coordinates(q)[0]
        junctions.append((q, i))
    if not junctions:
        raise GeoplanError(
            f"new path{' ' + path.name if path.name else ''} connects to no existing path: end it within "
            f"{tol:g} m of a path (Scenario.connect_within_m) or let it cross one")
    line = shapely.LineString(coords)
    # junction points -> nodes: an end node of the edge met, or a new node splitting that edge
    cuts: dict[int, list[tuple[float, int]]] = {}
    points: list[tuple[float, int]] = []  # (distance along the new path, node)
    made: list[tuple[np.ndarray, int]] = []
    for pt, i in junctions:
        r = ed.rows[i]
        pxy = shapely.get_coordinates(pt)[0]
        node = next((end for end in (int(r["u"]), int(r["v"]))
                     if np.hypot(*(ed.node_xy(end) - pxy)) <= _EDGE_END_M), None)
        if node is None:
            node = next((nd for xy, nd in made if np.hypot(*(xy - pxy)) <= _EDGE_END_M), None)
            if node is None:
                node = ed.add_node(*pxy)
                made.append((pxy, node))
            if all(nd != node for _, nd in cuts.get(i, [])):
                cuts.setdefault(i, []).append(
                    (float(shapely.line_locate_point(ed.geoms[i], pt)), node))
        points.append((float(shapely.line_locate_point(line, pt)), node))
    for i, c in cuts.items():
        ed.split_edge(i, c)
    total = line.length
    seen: dict[int, float] = {}
    for d, nd in points:
        seen[nd] = min(seen.get(nd, d), d)
    stops = sorted((d, nd) for nd, d in seen.items())
    if stops[0][0] > _EDGE_END_M:
        stops.insert(0, (0.0, ed.add_node(*coords[0])))
    if stops[-1][0] < total - _EDGE_END_M:
        stops.append((total, ed.add_node(*coords[-1])))
    lit = "yes" if path.lit else "no"
    attrs = {"lit": lit, "lit_source": "scenario", "lamp_share": 0.0,
             "tunnel": path.crossing == "tunnel", "bridge": path.crossing == "bridge",
             "highway": path.kind, "name": path.name, "surface": "", "lit_tag": lit, "osmid": ""}
    from ..network import lamp_share

    for (d0, a), (d1, b) in zip(stops[:-1], stops[1:], strict=True):
        if d1 - d0 <= _EDGE_END_M or a == b:
            continue
        pc = shapely.get_coordinates(shapely.ops.substring(line, d0, d1))
        pc[0], pc[-1] = ed.node_xy(a), ed.node_xy(b)
        piece = shapely.LineString(pc)
        share = lamp_share(gpd.GeoSeries([piece]), lamps.geometry, rule.lamp_radius_m)[0] if (
            len(lamps)) else 0.0
        ed.add_edge(a, b, piece, dict(attrs, lamp_share=float(share)))


def _light(ed: _NetEditor, edit: LightingEdit, lamps_all: gpd.GeoDataFrame,
           new_lamps: list, rule: LightingRule) -> None:
    from ..network import lamp_share

    alive = ed._alive()
    if new_lamps:
        geoms = np.asarray([ed.geoms[i] for i in alive], dtype=object)
        near = np.unique(shapely.STRtree(geoms).query(np.asarray(new_lamps, dtype=object),
                                                      predicate="dwithin",
                                                      distance=rule.lamp_radius_m)[1])
        if len(near):
            shares = lamp_share(gpd.GeoSeries(geoms[near]), lamps_all.geometry,
                                rule.lamp_radius_m)
            for k, s in zip(near, shares, strict=True):
                i = alive[int(k)]
                ed.rows[i]["lamp_share"] = float(s)
                if s >= rule.min_lit_share and ed.rows[i]["lit"] != "yes":
                    ed.rows[i].update(lit="yes", lit_source="lamps")
                    ed.relit[i] = True
    if edit.osm_ids:
        wanted = {str(x) for x in edit.osm_ids}
        hit = set()
        for i in alive:
            ids = set(str(ed.rows[i].get("osmid", "")).split(";"))
            if ids & wanted:
                hit |= ids & wanted
                _set_lit(ed, i)
        missing = sorted(wanted - hit)
        if missing:
            raise GeoplanError(
                f"lighting: OSM way id(s) {', '.join(missing[:5])} are not walkable ways of the "
                "network: check the ids in the 'osmid' column of the network layer")
    if edit.edge_ids:
        n_base = 1 + max((p for p in ed.parent if p >= 0), default=-1)
        bad = [e for e in edit.edge_ids if e >= n_base]
        if bad:
            raise GeoplanError(
                f"lighting: edge id(s) {bad[:5]} are not in the baseline network (ids 0.."
                f"{n_base - 1}, the network layer's fid − 1)")
        wanted_e = set(edit.edge_ids)
        for i in alive:
            if ed.parent[i] in wanted_e:
                _set_lit(ed, i)


def _set_lit(ed: _NetEditor, i: int) -> None:
    if ed.rows[i]["lit"] != "yes":
        ed.relit[i] = True
    ed.rows[i].update(lit="yes", lit_source="scenario")


def _append(gdf: gpd.GeoDataFrame, rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    if not rows:
        return gdf
    start = int(min(pd.to_numeric(gdf.get("osm_id", pd.Series([0])), errors="coerce").min(), 0)
                if len(gdf) else 0)
    for k, r in enumerate(rows):
        r.setdefault("osm_id", start - 1 - k)
        r.setdefault("osm_type", "s")
    add = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=gdf.crs)
    add = add[[c for c in add.columns if c in gdf.columns or c == "geometry"]]
    out = pd.concat([gdf, add], ignore_index=True)
    for c in gdf.columns:
        if c != "geometry" and gdf[c].dtype != object and out[c].dtype != gdf[c].dtype:
            try:
                out[c] = out[c].astype(gdf[c].dtype)
            except (TypeError, ValueError):
                pass
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=gdf.crs)


def apply_scenario(scenario: Scenario, inputs: StudyInputs) -> AppliedScenario:
    """Apply the edits of ``scenario`` to ``inputs`` (nothing is modified in place).

    Parameters
    ----------
    scenario
        The edits, in ``scenario.crs`` (reprojected to the study's CRS).
    inputs
        The baseline study.

    Returns
    -------
    AppliedScenario
        ``.inputs`` are the edited inputs (``compute_layers`` on them is the full recompute);
        without edits they are ``inputs`` itself.

    Raises
    ------
    GeoplanError
        A path that joins nothing or runs along a path, an edit outside the study area (e.g.
        coordinates in degrees labelled as metres), an unknown way id, a block outside the grid.

    Examples
    --------
    >>> import shapely
    >>> from geoplan.types import Densify
    >>> inputs = example_inputs()
    >>> a = apply_scenario(Scenario("homes", (Densify(shapely.box(0, 0, 100, 100),
    ...                    residents=50),), crs=inputs.network.crs), inputs)
    >>> a.inputs.cells["pop"].tolist()
    [60.0, 20.0]
    """
    net = inputs.network
    m = len(net.edges)
    none = AppliedScenario(scenario, inputs, inputs, np.arange(m), np.zeros(m, bool),
                           np.zeros(m, bool), pd.Series(0.0, index=inputs.cells.index),
                           inputs.lamps.iloc[:0])
    if not scenario.edits:
        return none
    if net.crs is None or not _is_metric(net.crs):
        raise CRSError("the study network must be in a metric CRS to apply a scenario")
    data, area = inputs.data, inputs.data.area

    def study(geoms):
        return _to_study_crs(list(geoms), scenario, net.crs, area)

    ed = _NetEditor(net)
    lamps = inputs.lamps
    paths = scenario.of_type(NewPath)
    for p, g in zip(paths, study(p.geometry for p in paths), strict=True):
        _add_path(ed, p, g, scenario.connect_within_m, lamps, inputs.lighting)
    dests = scenario.of_type(NewDestination)
    destinations = _append(data.destinations, [
        {"category": d.category, "name": d.name, "footprint_m2": 0.0} for d in dests],
        study(d.point for d in dests))
    greens = scenario.of_type(NewGreen)
    g_geoms = study(g.polygon for g in greens)
    green = _append(data.green, [
        {"kind": g.kind, "name": g.name, "area_ha": float(shapely.area(gg)) / 1e4,
         "public": g.public} for g, gg in zip(greens, g_geoms, strict=True)], g_geoms)
    cells = inputs.cells
    delta = pd.Series(0.0, index=cells.index)
    dens = scenario.of_type(Densify)
    if dens:
        cells = cells.copy()
        squares = np.asarray(cells.geometry.values, dtype=object)
        for d, poly in zip(dens, study(d.polygon for d in dens), strict=True):
            with np.errstate(invalid="ignore"):  # GEOS reports NaN for empty intersections
                overlap = shapely.area(shapely.intersection(squares, poly))
            if not overlap.sum() > 0:
                raise GeoplanError(f"densification block{' ' + d.name if d.name else ''} lies outside the grid: "
                                   "draw it inside the study area")
            delta += d.residents_added() * overlap / overlap.sum()
        changed = (delta > 0).to_numpy()
        old_pop = cells["pop"].to_numpy(float)
        new_pop = old_pop.copy()
        new_pop[changed] = old_pop[changed] + delta.to_numpy()[changed]
        for c in inputs.count_columns:
            if c not in cells.columns:
                raise ConfigError(f"count column {c!r} is not a column of the cells")
            with np.errstate(invalid="ignore", divide="ignore"):
                f = np.where(changed & (old_pop > 0), new_pop / np.where(old_pop > 0, old_pop, 1),
                             1.0)
            cells[c] = cells[c].to_numpy(float) * f
        cells["pop"] = new_pop
    lights = scenario.of_type(LightingEdit)
    all_new: list = []
    for light in lights:
        all_new += study(light.lamps) if light.lamps else []
    new_lamps = inputs.lamps.iloc[:0]
    if all_new:
        new_lamps = gpd.GeoDataFrame(
            {"lamp_id": [f"scenario_{k + 1}" for k in range(len(all_new))],
             "source": "scenario"}, geometry=all_new, crs=net.crs)
        new_lamps = new_lamps[[c for c in new_lamps.columns if c in lamps.columns or
                               c == "geometry"]]
        lamps = gpd.GeoDataFrame(pd.concat([lamps, new_lamps], ignore_index=True),
                                 geometry=lamps.geometry.name, crs=lamps.crs)
    pos = 0
    for light in lights:
        k = len(light.lamps)
        _light(ed, light, lamps, all_new[pos:pos + k], inputs.lighting)
        pos += k
    network, parent, split, relit = ed.result() if (paths or lights) else (
        net, np.arange(m), np.zeros(m, bool), np.zeros(m, bool))
    data_lamps = data.lamps
    if all_new and inputs.lamps is data.lamps:
        data_lamps = lamps
    new_data = dataclasses.replace(data, destinations=destinations, green=green,
                                   lamps=data_lamps)
    new_inputs = dataclasses.replace(inputs, data=new_data, network=network, cells=cells,
                                     lamps=lamps)
    return AppliedScenario(scenario, inputs, new_inputs, parent, split, relit, delta, new_lamps,
                           len(dests), len(greens))


def _is_metric(crs) -> bool:
    from pyproj import CRS

    return not CRS.from_user_input(crs).is_geographic


def edit_labels(applied: AppliedScenario) -> np.ndarray:
    """Per edited edge: ``'new_path'``, ``'relit'``, ``'split'`` or ``''``."""
    out = np.full(len(applied.edge_parent), "", dtype=object)
    out[applied.edge_split] = "split"
    out[applied.edge_relit] = "relit"
    out[applied.edge_parent < 0] = "new_path"
    return out


# --------------------------------------------------------------------------------------------
# baseline and incremental recompute
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Baseline:
    """A study computed once, with what :func:`recompute` reuses for every scenario."""

    inputs: StudyInputs
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


def prepare_baseline(inputs: StudyInputs, progress: Progress | None = None,
                     layers: Layers | None = None) -> Baseline:
    """Compute the baseline layers (or take ``layers``) and the state scenarios reuse."""
    from ..indicators.access import attach_destinations
    from ..indicators.green import _entries_attachment, green_entries, green_spaces
    from ..indicators.night import night_graph
    from ..indicators.safety import dark_stretch_m
    from ..routing import attach_points, build_routing_graph, lit_mask, main_component_mask

    if layers is None:
        layers = inputs.compute(progress=scaled(progress, 0.0, 0.9))
    spec, net = inputs.spec, inputs.network
    main = main_component_mask(net, spec.min_component_m)
    o_att = attach_points(net, layers.origins, max_snap_m=spec.max_snap_m, edge_mask=main)
    _, d_att = attach_destinations(net, inputs.data.destinations, spec, edge_mask=main)
    g_day = build_routing_graph(net, [o_att, d_att])
    g_night = night_graph(net, spec, o_att, d_att)
    green = inputs.data.green
    spaces = green_spaces(green.to_crs(net.crs) if green.crs != net.crs else green)
    entries = green_entries(net, spaces, max_snap_m=spec.max_snap_m)
    g_green = build_routing_graph(net, [o_att, _entries_attachment(entries)])
    report(progress, 1.0, "baseline ready")
    return Baseline(inputs, layers, main, o_att, d_att, g_day.reach_factor, g_night.reach_factor,
                    lit_mask(net, unknown_as_lit=spec.night_unknown_as == "lit"),
                    dark_stretch_m(net), spaces, entries, g_green.reach_factor,
                    _entry_keys(spaces, entries))


@dataclass(frozen=True)
class RecomputeStats:
    """What :func:`recompute` did: ``mode`` ('incremental', 'full' or 'none'), why, seconds and
    the number of cells recomputed per family of measures."""

    mode: str
    reason: str = ""
    seconds: float = 0.0
    cells: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def as_dict(self) -> dict:
        return {"mode": self.mode, "reason": self.reason, "seconds": round(self.seconds, 4),
                "cells_recomputed": dict(self.cells)}


def _from_sources(graph, nodes: np.ndarray, weights: np.ndarray, limit: float) -> np.ndarray:
    """``min_k (weights[k] + d(nodes[k] -> x))`` for every node ``x`` (inf beyond ``limit``)."""
    n = graph.n_nodes
    ok = nodes >= 0
    nodes, weights = nodes[ok], weights[ok]
    if len(nodes) == 0:
        return np.full(n, math.inf)
    order = np.lexsort((weights, nodes))
    nodes, weights = nodes[order], weights[order]
    first = np.r_[True, nodes[1:] != nodes[:-1]]
    nodes, weights = nodes[first], weights[first]
    lim = limit * (1 + 1e-9) + 1e-6 if math.isfinite(limit) else math.inf
    out = np.full(n, math.inf)
    for zero in (True, False):  # start-at-0 sources in one multi-source search
        sel = (weights == 0) if zero else (weights > 0)
        if not sel.any():
            continue
        if zero:
            d = dijkstra(graph.csr, directed=True, indices=nodes[sel], limit=lim, min_only=True)
            out = np.minimum(out, d)
        else:
            d = dijkstra(graph.csr, directed=True, indices=nodes[sel], limit=lim)
            out = np.minimum(out, (d + weights[sel][:, None]).min(axis=0))
    return out


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

    Equal to ``applied.inputs.compute()`` (the full recompute) to floating-point rounding; see the
    module doc for how the cells are found.

    Examples
    --------
    >>> import shapely
    >>> from geoplan.types import NewPath
    >>> inputs = example_inputs()
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
    from ..indicators.access import attach_destinations
    from ..routing import attach_points, main_component_mask

    new = applied.inputs
    spec, net = new.spec, new.network
    parent = applied.edge_parent
    main = main_component_mask(net, spec.min_component_m)
    old_main = baseline.main[np.maximum(parent, 0)]
    if np.any((parent >= 0) & (main != old_main)):
        layers = new.compute(progress=progress)
        return layers, RecomputeStats("full", "a new path joins separate parts of the network",
                                      time.perf_counter() - t0)
    report(progress, 0.05, "attaching origins and destinations")
    origins = baseline.layers.origins
    o_att = attach_points(net, origins, max_snap_m=spec.max_snap_m, edge_mask=main)
    dest, d_att = attach_destinations(net, new.data.destinations, spec, edge_mask=main)
    n_old_d = len(baseline.dest_att.edge)
    d_moved = np.ones(len(d_att.edge), bool)
    d_moved[:n_old_d] = _moved(parent, baseline.dest_att, _take(d_att, n_old_d))
    o_moved = _moved(parent, baseline.origin_att, o_att)
    ctx = _Ctx(baseline, applied, main, o_att, d_att, o_moved, d_moved)
    counts: dict[str, int] = {}
    day, green = _day_and_green(ctx, counts, scaled(progress, 0.1, 0.6))
    night = _night_access(ctx, day, counts, scaled(progress, 0.6, 0.8))
    safety = _safety(ctx, counts, scaled(progress, 0.8, 0.95))
    grid = new.cells.join(day).join(night).join(green).join(safety)
    summary = None
    if new.areas is not None:
        from ..indicators.equity import area_summary

        summary = area_summary(grid, new.areas, key=new.area_key, name=new.area_name)
    meta = dict(baseline.layers.meta)
    meta.update({
        "cells": len(grid), "pop_total": float(grid["pop"].sum()),
        "origins_unattached": int(o_att.n_unattached),
        "destinations_unattached": int((~dest["attached"]).sum()),
        "green_spaces_without_entry": int(green.attrs.get("n_green_spaces_without_entry", 0)),
    })
    layers = Layers(grid=grid, network=net.edges, destinations=dest, green=new.data.green,
                    origins=origins, areas=summary, meta=MappingProxyType(meta))
    report(progress, 1.0, "scenario recomputed")
    return layers, RecomputeStats("incremental", "", time.perf_counter() - t0,
                                  MappingProxyType(counts))


def _take(att, n: int):
    from ..routing import Attachment

    return Attachment(att.edge[:n], att.offset_m[:n], att.snap_m[:n], att.on_edge_xy[:n],
                      att.index[:n], att.max_snap_m)


@dataclass(eq=False)
class _Ctx:
    base: Baseline
    applied: AppliedScenario
    main: np.ndarray
    o_att: object
    d_att: object
    o_moved: np.ndarray
    d_moved: np.ndarray

    @property
    def net(self) -> WalkNetwork:
        return self.applied.inputs.network

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


def _zero_sources(graph, nodes: np.ndarray, o_nodes: np.ndarray) -> np.ndarray:
    """Distance from each origin node to the nearest of ``nodes`` (inf if none)."""
    nodes = np.unique(nodes[nodes >= 0])
    if len(nodes) == 0:
        return np.full(len(o_nodes), math.inf)
    d = dijkstra(graph.csr, directed=True, indices=nodes, min_only=True)
    return np.where(o_nodes >= 0, d[np.maximum(o_nodes, 0)], math.inf)


def _rows_from(csr, o_nodes: np.ndarray, limit_m: float):
    """Yield ``(positions, distances)`` of Dijkstra rows from ``o_nodes`` (chunked, bounded)."""
    from ..routing import MAX_BLOCK_CELLS

    pos = np.flatnonzero(o_nodes >= 0)
    chunk = max(1, MAX_BLOCK_CELLS // max(csr.shape[0], 1))
    limit = limit_m * (1 + 1e-12) + 1e-9
    for c in range(0, len(pos), chunk):
        p = pos[c:c + chunk]
        yield p, dijkstra(csr, directed=True, indices=o_nodes[p], limit=limit)


def _node_weights(nodes: np.ndarray, weights: np.ndarray | None = None):
    ok = nodes >= 0
    w = np.ones(len(nodes)) if weights is None else np.asarray(weights, float)
    uniq, inv = np.unique(nodes[ok], return_inverse=True)
    return uniq, np.bincount(inv, weights=w[ok], minlength=len(uniq))


def _removed_bound(xy_old: np.ndarray, removed_xy: np.ndarray, radius, rf: float) -> np.ndarray:
    """Origins whose straight distance to a removed point allows a route within ``radius``."""
    eu = _euclid_min(xy_old, removed_xy)
    r = np.where(np.isnan(radius), 0.0, radius) if np.ndim(radius) else radius
    with np.errstate(invalid="ignore"):
        return np.isfinite(eu) & (eu <= _slack(np.asarray(r) * rf))


def _day_and_green(ctx: _Ctx, counts: dict, progress) -> tuple[pd.DataFrame, pd.DataFrame]:
    from ..indicators.access import access_columns, radius_label
    from ..indicators.green import (
        GREEN_COLUMNS,
        _entries_attachment,
        _straight_distance_m,
        green_entries,
        green_spaces,
    )
    from ..routing import build_routing_graph, gravity_beta, nearest_distance_m

    base, ap = ctx.base, ctx.applied
    new = ap.inputs
    spec = new.spec
    day = base.layers.grid[access_columns(spec)].copy()
    green = base.layers.grid[list(GREEN_COLUMNS)].copy()
    pop_changed = (ap.pop_delta > 0).to_numpy()
    green_changed = ap.n_new_green > 0
    net_changed = ap.network_changed
    green.attrs["n_green_spaces_without_entry"] = base.layers.meta.get(
        "green_spaces_without_entry", 0)
    if not (net_changed or green_changed or pop_changed.any() or ctx.o_moved.any()
            or ctx.d_moved.any()):
        counts["access"] = counts["green"] = 0
        return day, green
    report(progress, 0.0, "routing graph")
    if green_changed:
        g = new.data.green
        spaces = green_spaces(g.to_crs(ctx.net.crs) if g.crs != ctx.net.crs else g)
    else:
        spaces = base.spaces
    entries = green_entries(ctx.net, spaces, max_snap_m=spec.max_snap_m) if (
        green_changed or net_changed) else base.entries
    graph = build_routing_graph(ctx.net, [ctx.o_att, ctx.d_att, _entries_attachment(entries)])
    o_nodes, d_nodes, e_nodes = graph.point_nodes
    cats = new.data.destinations["category"].to_numpy()
    area_ha = spaces["area_ha"].to_numpy(float)
    area_m2 = spaces["area_m2"].to_numpy(float)
    e_pos = spaces.index.get_indexer(entries["green_id"].to_numpy(np.int64))
    e_ha = area_ha[e_pos]
    pop = new.cells["pop"].reindex(base.layers.origins.index).to_numpy(float)
    xy_old = base.origin_att.on_edge_xy
    o_moved = ctx.o_moved
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
    new_e = ap.edge_parent < 0
    s_u, s_v, s_w = _edge_ends(ctx.net, new_e)
    bounds = _edge_bounds(graph, s_u, s_v, s_w, targets, o_nodes)
    rf = max(base.rf_day, base.rf_green)
    r_max = max(max(spec.radii_m), spec.gravity_cutoff_m)
    reach = spec.green_per_capita_within_m
    near_sets, within_sets = {}, {}
    for c in spec.categories:
        sel_c = cats == c
        s = np.minimum(bounds[f"c:{c}"], _zero_sources(graph, d_nodes[sel_c & ctx.d_moved],
                                                       o_nodes))
        removed = ctx.removed_dest_xy(c)
        old_d = day[f"dist_{c}_m"].to_numpy(float)
        near_sets[c] = o_moved | (s < old_d) | _removed_bound(xy_old, removed, old_d, rf)
        within_sets[c] = o_moved | (s <= r_max) | _removed_bound(xy_old, removed, r_max, rf)
    g_near = {}
    for r, h in rules:
        s = np.minimum(bounds[f"g:{r}"], _zero_sources(graph, e_nodes[e_added & (e_ha >= h)],
                                                       o_nodes))
        old_d = green[f"dist_green_{r}_m"].to_numpy(float)
        g_near[r] = o_moved | (s < old_d) | _removed_bound(
            xy_old, old_e_xy[e_removed & (old_e_ha >= h)], old_d, rf)
    s = np.minimum(bounds["g:any"], _zero_sources(graph, e_nodes[e_added], o_nodes))
    a_m2 = o_moved | (s <= reach) | _removed_bound(xy_old, old_e_xy[e_removed], reach, rf)
    s = np.minimum(bounds["pop"], _zero_sources(
        graph, np.concatenate([o_nodes[pop_changed], o_nodes[o_moved]]), o_nodes))
    a_res = o_moved | (s <= reach) | _removed_bound(
        xy_old, xy_old[o_moved & (base.origin_att.edge >= 0)], reach, rf)
    a_pc = a_m2 | a_res
    # nearest distances: one search from the destinations, only for the affected origins
    report(progress, 0.2, "nearest destinations")
    for c in spec.categories:
        near = near_sets[c]
        if near.any():
            day.loc[near, f"dist_{c}_m"] = nearest_distance_m(
                graph, o_nodes[near], d_nodes[(cats == c) & (d_nodes >= 0)])
    for r, h in rules:
        if g_near[r].any():
            green.loc[g_near[r], f"dist_green_{r}_m"] = nearest_distance_m(
                graph, o_nodes[g_near[r]], e_nodes[e_ha >= h])
        green[f"green_{r}_300m"] = green[f"dist_green_{r}_m"].to_numpy(float) <= \
            spec.green_within_m
    if green_changed:
        green["straight_dist_green_scb_m"] = _straight_distance_m(
            base.layers.origins, spaces.geometry.values[area_ha >= spec.green_scb_min_ha])
    # within-reach measures: one bounded search from each affected origin serves them all
    report(progress, 0.4, "destinations within reach")
    any_within = np.zeros(len(o_nodes), bool)
    for c in spec.categories:
        any_within |= within_sets[c]
    todo = np.where(any_within | a_pc, o_nodes, -1)
    dest_w = {c: _node_weights(d_nodes[cats == c]) for c in spec.categories}
    pop_nodes, pop_w = _node_weights(o_nodes, pop)
    beta = gravity_beta(spec.gravity_half_distance_m)
    radii = np.asarray(spec.radii_m, float)
    n_r = len(radii)
    cnt = {c: np.full((len(o_nodes), n_r), np.nan) for c in spec.categories}
    grav = {c: np.full(len(o_nodes), np.nan) for c in spec.categories}
    m2 = np.full(len(o_nodes), np.nan)
    residents = np.full(len(o_nodes), np.nan)
    for pos, dist in _rows_from(graph.csr, todo, max(r_max, reach)):
        for c in spec.categories:
            nodes, w = dest_w[c]
            dd = dist[:, nodes]
            for j, rad in enumerate(radii):
                cnt[c][pos, j] = (dd <= rad) @ w
            with np.errstate(invalid="ignore"):
                grav[c][pos] = np.where(dd <= spec.gravity_cutoff_m, np.exp(-beta * dd), 0.0) @ w
        if len(e_nodes):
            close = dist[:, np.maximum(e_nodes, 0)] <= reach
            close[:, e_nodes < 0] = False
            hit = np.zeros((len(pos), len(area_m2)), bool)
            rows, cols = np.nonzero(close)
            hit[rows, e_pos[cols]] = True
            total = np.zeros(len(pos))
            for j in range(len(area_m2)):  # spaces in order, as the full computation adds them
                total += np.where(hit[:, j], area_m2[j], 0.0)
            m2[pos] = total
        else:
            m2[pos] = 0.0
        residents[pos] = (dist[:, pop_nodes] <= reach) @ pop_w
    for c in spec.categories:
        w_rows = within_sets[c]
        for j, rad in enumerate(radii):
            day.loc[w_rows, f"n_{c}_{radius_label(rad)}"] = cnt[c][w_rows, j]
        day.loc[w_rows, f"gravity_{c}"] = grav[c][w_rows]
    green.loc[a_m2, "green_m2_500m"] = m2[a_m2]
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(residents > 0, green["green_m2_500m"].to_numpy(float) / residents, np.nan)
    green.loc[a_pc, "green_m2_per_capita"] = per[a_pc]
    touched = any_within.copy()
    for c in spec.categories:
        touched |= near_sets[c]
    counts["access"] = int(touched.sum())
    counts["green"] = int((a_pc | g_near["scb"] | g_near["who"]).sum())
    green.attrs["n_green_spaces_without_entry"] = int(
        len(spaces) - len(np.unique(entries["green_id"].to_numpy())))
    return day, green


def _edge_ends(net: WalkNetwork, mask: np.ndarray):
    e = net.edges
    return (e["u"].to_numpy(np.int64)[mask], e["v"].to_numpy(np.int64)[mask],
            e["length_m"].to_numpy(float)[mask])


def _night_access(ctx: _Ctx, day: pd.DataFrame, counts: dict, progress) -> pd.DataFrame:
    from ..indicators.access import radius_label
    from ..indicators.night import night_columns, night_detour, night_graph
    from ..routing import lit_mask, nearest_distance_m

    spec = ctx.applied.inputs.spec
    out = ctx.base.layers.grid[night_columns(spec)].copy()
    parent = ctx.applied.edge_parent
    mask = lit_mask(ctx.net, unknown_as_lit=spec.night_unknown_as == "lit")
    changed = mask & ((parent < 0) | ~ctx.base.night_mask[np.maximum(parent, 0)])
    o_edge = ctx.o_att.edge
    on_changed = (o_edge >= 0) & (changed | ctx.applied.edge_split)[np.maximum(o_edge, 0)]
    o_changed = ctx.o_moved | on_changed
    d_edge = ctx.d_att.edge
    d_added = ctx.d_moved | ((d_edge >= 0) & changed[np.maximum(d_edge, 0)])
    thr = spec.night_threshold_m
    cats = ctx.applied.inputs.data.destinations["category"].to_numpy()
    touched = np.zeros(len(o_edge), bool)
    if changed.any() or o_changed.any() or d_added.any():
        g = night_graph(ctx.net, spec, ctx.o_att, ctx.d_att)
        o_n, d_n = g.point_nodes
        s_u, s_v, s_w = _edge_ends(ctx.net, changed)
        bounds = _edge_bounds(g, s_u, s_v, s_w, {c: d_n[cats == c] for c in spec.categories},
                              o_n)
        xy_old = ctx.base.origin_att.on_edge_xy
        rf = ctx.base.rf_night
        within_sets = {}
        for k, c in enumerate(spec.categories):
            report(progress, 0.5 * k / max(len(spec.categories), 1), f"night access to {c}")
            sel = cats == c
            added = d_n[sel & d_added]
            s = bounds[c]
            if len(added):
                d_add = dijkstra(g.csr, directed=True, indices=np.unique(added[added >= 0]),
                                 min_only=True)
                s = np.minimum(s, np.where(o_n >= 0, d_add[np.maximum(o_n, 0)], math.inf))
            removed = ctx.removed_dest_xy(c)
            old_d = out[f"night_dist_{c}_m"].to_numpy(float)
            near = o_changed | (s < old_d) | _removed_bound(xy_old, removed, old_d, rf)
            within_sets[c] = o_changed | (s <= thr) | _removed_bound(xy_old, removed, thr, rf)
            if near.any():
                out.loc[near, f"night_dist_{c}_m"] = nearest_distance_m(
                    g, o_n[near], d_n[sel & (d_n >= 0)])
            touched |= near | within_sets[c]
        any_within = np.zeros(len(o_n), bool)
        for c in spec.categories:
            any_within |= within_sets[c]
        if any_within.any():
            # routes run from the destinations to the origins: search the reversed arcs
            rev = g.csr.T.tocsr()
            dest_w = {c: _node_weights(d_n[cats == c]) for c in spec.categories}
            cnt = {c: np.full(len(o_n), np.nan) for c in spec.categories}
            for pos, dist in _rows_from(rev, np.where(any_within, o_n, -1), thr):
                for c in spec.categories:
                    nodes, w = dest_w[c]
                    cnt[c][pos] = (dist[:, nodes] <= thr) @ w
            for c in spec.categories:
                out.loc[within_sets[c], f"night_n_{c}_{radius_label(thr)}"] = \
                    cnt[c][within_sets[c]]
    for c in spec.categories:
        r, lost = night_detour(day[f"dist_{c}_m"].to_numpy(float),
                               out[f"night_dist_{c}_m"].to_numpy(float), thr)
        out[f"night_detour_{c}"] = r
        out[f"loses_{c}_at_night"] = lost
    counts["night"] = int(touched.sum())
    return out


def _entry_keys(spaces: gpd.GeoDataFrame, entries: gpd.GeoDataFrame) -> list:
    """One key per entry: (its green space's shape, its place to the micrometre)."""
    shape = {gid: hash(shapely.to_wkb(shapely.normalize(g)))
             for gid, g in zip(spaces.index, spaces.geometry.values, strict=True)}
    xy = np.round(shapely.get_coordinates(np.asarray(entries.geometry.values, dtype=object)), 6)
    return [(shape[g], x, y) for g, (x, y) in
            zip(entries["green_id"].to_numpy(), xy.tolist(), strict=True)]


def _safety(ctx: _Ctx, counts: dict, progress) -> pd.DataFrame:
    from ..indicators.safety import (
        ACTIVE_CATEGORIES,
        EYES_RADIUS_M,
        SAFETY_COLUMNS,
        dark_stretch_m,
        points_in_cells,
        safety_index,
        safety_indicators,
    )

    base, new, ap = ctx.base, ctx.applied.inputs, ctx.applied
    out = base.layers.grid[list(SAFETY_COLUMNS)].copy()
    cells = new.cells
    edges = ctx.net.edges
    parent = ap.edge_parent
    is_new = parent < 0
    ds = dark_stretch_m(ctx.net)
    dark_changed = np.where(is_new, ds > 0, ds != base.dark_stretch[np.maximum(parent, 0)])
    hit_edges = is_new | ap.edge_split | ap.edge_relit | dark_changed
    affected = np.zeros(len(cells), bool)
    squares = np.asarray(cells.geometry.values, dtype=object)
    tree = shapely.STRtree(squares)
    if hit_edges.any():
        affected[tree.query(np.asarray(edges.geometry.values[hit_edges], dtype=object),
                            predicate="intersects")[1]] = True
    if len(ap.new_lamps):
        at = points_in_cells(ap.new_lamps.geometry, cells)
        affected[at[at >= 0]] = True
    new_lines = np.asarray(edges.geometry.values[is_new], dtype=object)
    if len(new_lines):
        b = new.data.buildings
        if b is not None and len(b):
            near = shapely.STRtree(new_lines).query(np.asarray(b.geometry.values, dtype=object),
                                                    predicate="dwithin", distance=EYES_RADIUS_M)[0]
            if len(near):
                at = points_in_cells(shapely.point_on_surface(
                    np.asarray(b.geometry.values, dtype=object)[np.unique(near)]), cells)
                affected[at[at >= 0]] = True
        d = new.data.destinations
        d = d[d["category"].isin(ACTIVE_CATEGORIES)]
        if len(d):
            near = shapely.STRtree(new_lines).query(np.asarray(d.geometry.values, dtype=object),
                                                    predicate="dwithin", distance=EYES_RADIUS_M)[0]
            at = points_in_cells(d.geometry.values[np.unique(near)], cells)
            affected[at[at >= 0]] = True
    if ap.n_new_destinations:
        at = points_in_cells(new.data.destinations.geometry.values[-ap.n_new_destinations:],
                             cells)
        affected[at[at >= 0]] = True
    affected |= (ap.pop_delta > 0).to_numpy()
    counts["safety"] = int(affected.sum())
    if affected.any():
        report(progress, 0.2, "safety of the changed cells")
        with_nb = np.zeros(len(cells), bool)
        with_nb[tree.query(squares[affected], predicate="intersects")[1]] = True
        sub = cells.iloc[np.flatnonzero(with_nb)]
        x0, y0, x1, y1 = sub.total_bounds

        def clip(g, box):
            if g is None or len(g) == 0:
                return g
            return g.cx[box[0] - 1:box[2] + 1, box[1] - 1:box[3] + 1]

        # points count in the cell holding them: only those near the cells matter; edges count
        # where they cross the cells or pass within 25 m of a building or shop kept here
        box = (x0, y0, x1, y1)
        data = dataclasses.replace(new.data, buildings=clip(new.data.buildings, box),
                                   destinations=clip(new.data.destinations, box),
                                   lamps=clip(new.data.lamps, box))
        reach = [box] + [tuple(g.total_bounds) for g in (data.buildings, data.destinations)
                         if g is not None and len(g)]
        rb = np.asarray(reach)
        pad = EYES_RADIUS_M + 1.0
        lines = np.asarray(edges.geometry.values, dtype=object)
        keep = shapely.intersects(lines, shapely.box(rb[:, 0].min() - pad, rb[:, 1].min() - pad,
                                                     rb[:, 2].max() + pad, rb[:, 3].max() + pad))
        part = WalkNetwork(ctx.net.nodes, edges[keep], ctx.net.crs)
        res = safety_indicators(part, sub, data, new.weights, lamps=clip(new.lamps, box),
                                dark_stretch=ds[keep])
        ids = cells.index[affected]
        for c in SAFETY_COLUMNS:
            out.loc[ids, c] = res.loc[ids, c].to_numpy()
        index = safety_index(out, new.weights)
        for c in index.columns:
            out[c] = index[c]
    return out


# --------------------------------------------------------------------------------------------
# change layers and tables
# --------------------------------------------------------------------------------------------
def _indicator_columns(grid: pd.DataFrame) -> list[str]:
    from ..runs.pipeline import grid_columns

    skip = {"area_m2", "area_share"}
    return [c for c in grid_columns(grid) if c not in skip]


def _num(s: pd.Series) -> np.ndarray:
    v = s.to_numpy(dtype=float) if s.dtype != bool else s.to_numpy().astype(float)
    return np.where(np.isfinite(v), v, np.nan)


def change_layers(before: Layers, after: Layers, inputs: StudyInputs | None = None
                  ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(grid_change, areas_change)``: before, after and change of every indicator.

    ``grid_change`` has ``cell_id``, and ``<col>_before``/``<col>_after``/``<col>_change`` for
    ``pop`` and every numeric or yes/no column (yes/no as 0/1, change −1/0/1; NULL where a side is
    unreachable or missing). ``areas_change`` does the same for the area summaries (the areas of
    the pipeline and a last row ``__study_area__``).

    Examples
    --------
    >>> import shapely
    >>> from geoplan.types import Densify
    >>> inputs = example_inputs()
    >>> base = prepare_baseline(inputs)
    >>> a = apply_scenario(Scenario("homes", (Densify(shapely.box(0, 0, 100, 100),
    ...                    residents=50),), crs=inputs.network.crs), inputs)
    >>> gc, ac = change_layers(base.layers, recompute(base, a)[0], inputs)
    >>> gc[["pop_before", "pop_after", "pop_change"]].values.tolist()
    [[10.0, 60.0, 50.0], [20.0, 20.0, 0.0]]
    """
    cols = _indicator_columns(after.grid)
    b = before.grid.reindex(after.grid.index)
    data = {"cell_id": after.grid.index.to_numpy()}
    for c in cols:
        vb, va = _num(b[c]), _num(after.grid[c])
        data[f"{c}_before"], data[f"{c}_after"] = vb, va
        data[f"{c}_change"] = va - vb
    grid_change = gpd.GeoDataFrame(data, geometry=after.grid.geometry.values,
                                   crs=after.grid.crs)
    for c in cols:
        if after.grid[c].dtype == bool:
            for k in ("before", "after", "change"):
                grid_change[f"{c}_{k}"] = grid_change[f"{c}_{k}"].astype("Int8")
    sb, sa = _summaries(before, inputs), _summaries(after, inputs)
    key = sa.columns[0]
    rows = {key: sa[key].to_numpy()}
    if "name" in sa.columns and key != "name":
        rows["name"] = sa["name"].to_numpy()
    for c in [c for c in sa.columns if c not in (key, "name", "geometry")]:
        vb = pd.to_numeric(sb[c], errors="coerce").to_numpy(float) if c in sb else np.nan
        va = pd.to_numeric(sa[c], errors="coerce").to_numpy(float)
        vb = np.where(np.isfinite(vb), vb, np.nan)
        va = np.where(np.isfinite(va), va, np.nan)
        rows[f"{c}_before"], rows[f"{c}_after"], rows[f"{c}_change"] = vb, va, va - vb
    areas_change = gpd.GeoDataFrame(rows, geometry=sa.geometry.values, crs=sa.crs)
    return grid_change, areas_change


def _summaries(layers: Layers, inputs: StudyInputs | None) -> gpd.GeoDataFrame:
    from ..indicators.equity import area_summary

    if layers.areas is not None:
        return layers.areas
    grid = layers.grid
    areas = gpd.GeoDataFrame({"area": pd.Series([], dtype=object)},
                             geometry=gpd.GeoSeries([], crs=grid.crs), crs=grid.crs)
    return area_summary(grid, areas, key="area", name=None)


def _area_weights(grid: gpd.GeoDataFrame, inputs: StudyInputs | None
                  ) -> list[tuple[str, str, np.ndarray]]:
    """``(key, name, share of each cell in the area)`` per area, then the whole study area."""
    out = []
    if inputs is not None and inputs.areas is not None:
        areas = inputs.areas.to_crs(grid.crs) if inputs.areas.crs != grid.crs else inputs.areas
        sq = np.asarray(grid.geometry.values, dtype=object)
        cell_area = shapely.area(sq)
        for i in range(len(areas)):
            inter = shapely.area(shapely.intersection(sq, areas.geometry.values[i]))
            share = np.where(cell_area > 0, inter / cell_area, 0.0)
            name = str(areas[inputs.area_name].iloc[i]) if inputs.area_name else ""
            out.append((str(areas[inputs.area_key].iloc[i]), name, share))
    out.append(("__study_area__", "", np.ones(len(grid))))
    return out


def change_table(before: Layers, after: Layers, *, scenario: str = "",
                 inputs: StudyInputs | None = None, lang: str = "en") -> pd.DataFrame:
    """The change table in plain words and numbers, per area and for the whole study area.

    Columns: ``scenario``, ``area_key`` (``__study_area__`` for the whole study area),
    ``area_name``, ``measure`` (a stable key), ``category`` (destination category or empty),
    ``label`` (plain words in ``lang``), ``unit``, ``before``, ``after``, ``change`` and
    ``better`` (``higher``, ``lower`` or empty). Counts of gainers/losers (``*_gain``,
    ``*_loss``, ``cells_*``, ``residents_*``) have only ``change``. Residents are counted with
    the population *after* the scenario (new residents included).

    Measures: ``residents``; ``residents_green_300m`` (+ ``_gain``/``_loss``);
    ``green_m2_per_capita``; per category with destinations ``residents_night_access``
    (+ ``_gain``/``_loss``), ``median_night_detour``, ``median_distance_m``; ``lit_share``;
    ``eyes_on_street``; ``safety_index``; ``cells_safety_better``/``worse``,
    ``residents_safety_better``/``worse``, ``cells_access_better``/``worse``,
    ``residents_access_better``/``worse``.
    """
    from ..indicators.equity import weighted_median

    spec = (inputs.spec if inputs is not None else AccessSpec())
    g0, g1 = before.grid.reindex(after.grid.index), after.grid
    pop0, pop1 = g0["pop"].to_numpy(float), g1["pop"].to_numpy(float)
    thr = spec.night_threshold_m
    cats = [c for c in spec.categories
            if f"dist_{c}_m" in g1 and np.isfinite(g1[f"dist_{c}_m"].to_numpy(float)).any()]
    rows: list[dict] = []
    tol = CHANGE_EPS

    def col(g, c):
        return g[c].to_numpy(float)

    dist_cols = [c for c in g1.columns if (c.startswith("dist_") or c.startswith("night_dist_"))
                 and c.endswith("_m")]
    with np.errstate(invalid="ignore"):
        shorter = np.zeros(len(g1), bool)
        longer = np.zeros(len(g1), bool)
        for c in dist_cols:
            a, b = col(g1, c), col(g0, c)
            shorter |= (a < b - tol) | (np.isfinite(a) & ~np.isfinite(b))
            longer |= (a > b + tol) | (~np.isfinite(a) & np.isfinite(b))
        ds = col(g1, "safety_index") - col(g0, "safety_index")
    for key, name, share in _area_weights(g1, inputs):
        w0, w1 = pop0 * share, pop1 * share
        in_area = share > 0

        def add(measure, label, unit, before_v, after_v, better, category="", only_change=None,
                _key=key, _name=name):
            rows.append({"scenario": scenario, "area_key": _key,
                         "area_name": _name or (tr("sc_study_area", lang)
                                                if _key == "__study_area__" else ""),
                         "measure": measure, "category": category, "label": label, "unit": unit,
                         "before": np.nan if only_change is not None else before_v,
                         "after": np.nan if only_change is not None else after_v,
                         "change": only_change if only_change is not None else after_v - before_v,
                         "better": better})

        def share_sum(flag, w):
            return float(np.sum(w * flag))

        def wmean(v, w):
            ok = np.isfinite(v) & (w > 0)
            return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else np.nan

        add("residents", tr("sc_residents", lang), "persons", float(w0.sum()), float(w1.sum()),
            "")
        if "green_scb_300m" in g1:
            f0, f1 = g0["green_scb_300m"].to_numpy(bool), g1["green_scb_300m"].to_numpy(bool)
            add("residents_green_300m", tr("sc_green_300m", lang), "persons",
                share_sum(f0, w0), share_sum(f1, w1), "higher")
            add("residents_green_300m_gain", tr("sc_green_gain", lang), "persons", 0, 0, "higher",
                only_change=share_sum(f1 & ~f0, w1))
            add("residents_green_300m_loss", tr("sc_green_loss", lang), "persons", 0, 0, "lower",
                only_change=share_sum(f0 & ~f1, w1))
        if "green_m2_per_capita" in g1:
            add("green_m2_per_capita", tr("sc_green_pc", lang), "m2",
                wmean(col(g0, "green_m2_per_capita"), w0),
                wmean(col(g1, "green_m2_per_capita"), w1), "higher")
        for c in cats:
            cat = tr(f"cat_{c}", lang)
            n0, n1 = col(g0, f"night_dist_{c}_m") <= thr, col(g1, f"night_dist_{c}_m") <= thr
            kw = {"cat": cat, "thr": fmt(thr, lang)}
            add("residents_night_access", tr("sc_night_access", lang, **kw), "persons",
                share_sum(n0, w0), share_sum(n1, w1), "higher", c)
            add("residents_night_access_gain", tr("sc_night_gain", lang, **kw), "persons", 0, 0,
                "higher", c, only_change=share_sum(n1 & ~n0, w1))
            add("residents_night_access_loss", tr("sc_night_loss", lang, **kw), "persons", 0, 0,
                "lower", c, only_change=share_sum(n0 & ~n1, w1))
            add("median_night_detour", tr("sc_detour", lang, cat=cat), "ratio",
                weighted_median(col(g0, f"night_detour_{c}"), w0),
                weighted_median(col(g1, f"night_detour_{c}"), w1), "lower", c)
            add("median_distance_m", tr("sc_dist", lang, cat=cat), "m",
                weighted_median(col(g0, f"dist_{c}_m"), w0),
                weighted_median(col(g1, f"dist_{c}_m"), w1), "lower", c)
        if "lit_share" in g1:
            p0, p1 = col(g0, "path_m") * share, col(g1, "path_m") * share
            add("lit_share", tr("sc_lit_km", lang), "share", wmean(col(g0, "lit_share"), p0),
                wmean(col(g1, "lit_share"), p1), "higher")
        for c, k in (("eyes_on_street", "sc_eyes"), ("safety_index", "sc_safety")):
            if c in g1:
                add(c, tr(k, lang), "", wmean(col(g0, c), w0), wmean(col(g1, c), w1), "higher")
        for what, up, down in (("safety", ds > tol, ds < -tol), ("access", shorter, longer)):
            wt = tr(f"sc_what_{what}", lang)
            up, down = up & in_area, down & in_area
            add(f"cells_{what}_better", tr("sc_cells_gain", lang, what=wt), "cells", 0, 0,
                "higher", only_change=float(up.sum()))
            add(f"cells_{what}_worse", tr("sc_cells_lose", lang, what=wt), "cells", 0, 0,
                "lower", only_change=float(down.sum()))
            add(f"residents_{what}_better", tr("sc_res_gain", lang, what=wt), "persons", 0, 0,
                "higher", only_change=share_sum(up, w1))
            add(f"residents_{what}_worse", tr("sc_res_lose", lang, what=wt), "persons", 0, 0,
                "lower", only_change=share_sum(down, w1))
    out = pd.DataFrame(rows)
    for c in ("before", "after", "change"):
        out[c] = out[c].astype(float)
    return out


# --------------------------------------------------------------------------------------------
# running and comparing
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScenarioResult:
    """What :func:`run_scenario` wrote and computed."""

    out_dir: Path
    files: tuple[Path, ...]
    layers: Layers
    changes: pd.DataFrame
    stats: RecomputeStats


def _headline(grid_change: pd.DataFrame) -> str | None:
    for c in HEADLINE:
        k = f"{c}_change"
        if k in grid_change and (np.abs(grid_change[k].astype(float)) > CHANGE_EPS).any():
            return c
    return None


def _change_styles(grid_change, areas_change, after: Layers, before: Layers, lang: str) -> dict:
    from ..outputs.gpkg import class_breaks, diverging_breaks, graduated_fill_qml

    styles = {}
    g0, g1 = before.grid, after.grid
    if "safety_index" in g1 and g1["safety_index"].notna().any():
        styles["grid"] = graduated_fill_qml(
            "safety_index", class_breaks(g0["safety_index"], g1["safety_index"]),
            ramp="sequential", lang=lang, opacity=0.75)
    head = _headline(grid_change)
    if head is not None:
        lower_is_better = head.endswith("_m") or "detour" in head
        unit = "m" if head.endswith("_m") else ""
        for name, df in (("grid_change", grid_change), ("areas_change", areas_change)):
            k = f"{head}_change"
            if k in df and np.isfinite(df[k].astype(float)).any():
                styles[name] = graduated_fill_qml(
                    k, diverging_breaks(grid_change[f"{head}_change"], df[k]), ramp="diverging",
                    reverse=lower_is_better, unit=unit, lang=lang, opacity=0.75)
    return styles


def write_changes_xlsx(path, changes: pd.DataFrame, *, title: str, lang: str = "en") -> None:
    """The change table as a formatted spreadsheet (one sheet, labels first)."""
    import xlsxwriter

    from ..atomic import atomic_path

    cols = ["area_name", "label", "before", "after", "change", "unit", "better", "measure",
            "category", "area_key", "scenario"]
    heads = [tr("sc_area", lang), tr("sc_measure", lang), tr("sc_before", lang),
             tr("sc_after", lang), tr("sc_change", lang), "unit", "better", "measure",
             "category", "area_key", "scenario"]
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
        ws = wb.add_worksheet("changes")
        bold = wb.add_format({"bold": True})
        num = wb.add_format({"num_format": "#,##0.00"})
        ws.write(0, 0, title, bold)
        ws.write(1, 0, tr("attribution", lang))
        for j, h in enumerate(heads):
            ws.write(3, j, h, bold)
        for i, r in enumerate(changes[cols].itertuples(index=False), start=4):
            for j, v in enumerate(r):
                if isinstance(v, float):
                    if math.isfinite(v):
                        ws.write_number(i, j, v, num)
                else:
                    ws.write(i, j, "" if v is None else str(v))
        ws.autofilter(3, 0, 3 + len(changes), len(cols) - 1)
        ws.freeze_panes(4, 2)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 60)
        ws.set_column(2, 4, 13)
        wb.close()


def run_scenario(cfg, scenario: Scenario, out_dir, *, lang: str | None = None,
                 incremental: bool = True, baseline: Baseline | None = None,
                 progress: Progress | None = None) -> ScenarioResult:
    """Run a pipeline's baseline and ``scenario``; write the outputs (module doc) into
    ``out_dir``.

    ``incremental=False`` recomputes everything (the same result, slower). ``baseline`` reuses
    a baseline prepared earlier for the same pipeline (several scenarios).
    """
    from ..atomic import check_writable_dir, staged_folder, write_text
    from ..outputs.gpkg import write_gpkg
    from ..runs.pipeline import finite_or_null

    lang = lang or cfg.lang
    out = Path(out_dir)
    check_writable_dir(out)
    if baseline is None:
        report(progress, 0.0, "reading inputs")
        inputs = study_from_pipeline(cfg, progress=scaled(progress, 0.0, 0.4))
        baseline = prepare_baseline(inputs, progress=scaled(progress, 0.4, 0.7))
    report(progress, 0.7, f"applying scenario {scenario.name}")
    applied = apply_scenario(scenario, baseline.inputs)
    if incremental:
        after, stats = recompute(baseline, applied, progress=scaled(progress, 0.7, 0.9))
    else:
        t0 = time.perf_counter()
        after = applied.inputs.compute(progress=scaled(progress, 0.7, 0.9))
        stats = RecomputeStats("full", "asked for", time.perf_counter() - t0)
    report(progress, 0.9, "writing outputs")
    grid_change, areas_change = change_layers(baseline.layers, after, applied.inputs)
    changes = change_table(baseline.layers, after, scenario=scenario.name,
                           inputs=applied.inputs, lang=lang)
    network = after.network.assign(edit=edit_labels(applied), parent_edge=applied.edge_parent)
    layers = {
        "grid": finite_or_null(after.grid.reset_index()),
        "grid_change": grid_change,
        "areas_change": areas_change,
        "changes": changes,
        "network": network,
        "destinations": after.destinations,
        "green": after.green,
    }
    addressed = None
    if getattr(cfg, "safety_walk", None) is not None:
        addressed = findings_addressed_by(cfg, applied)
        changes = pd.concat([changes, _findings_change_rows(addressed, scenario.name, lang)],
                            ignore_index=True)
        layers["changes"] = changes
        layers["findings_addressed"] = addressed
    styles = _change_styles(grid_change, areas_change, after, baseline.layers, lang)
    meta = {"title": f"{cfg.title} — {scenario.name}", "scenario": scenario.name,
            "scenario_description": scenario.description,
            "cell_size_m": cfg.grid.cell_size_m, **dict(after.meta)}
    kinds = {}
    for e in scenario.edits:
        kinds[type(e).__name__] = kinds.get(type(e).__name__, 0) + 1
    info = {"scenario": {"name": scenario.name, "description": scenario.description,
                         "edits": kinds, "connect_within_m": scenario.connect_within_m},
            "pipeline": str(cfg.source_file) if cfg.source_file else cfg.name,
            "recompute": stats.as_dict(), "lang": lang,
            "layers": ["grid", "grid_change", "areas_change", "changes", "network",
                       "destinations", "green"],
            "attribution": "© OpenStreetMap contributors"}
    names = ["geoplan.gpkg", "changes.csv", "changes.xlsx", "scenario.json"]
    with staged_folder(out) as stage:
        write_gpkg(stage / "geoplan.gpkg", layers, styles=styles, metadata=meta, lang=lang)
        write_text(stage / "changes.csv", changes.to_csv(index=False))
        write_changes_xlsx(stage / "changes.xlsx", changes,
                           title=f"{cfg.title} — {scenario.name}", lang=lang)
        write_text(stage / "scenario.json",
                   json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    report(progress, 1.0, "done")
    return ScenarioResult(out, tuple(out / n for n in names), after, changes, stats)


register_texts({
    "open_findings_addressed": {
        "en": "Open safety-walk findings (addressed by the proposal: new lamps or lit paths nearby)",
        "sv": "Öppna synpunkter från trygghetsvandringar (åtgärdade av förslaget: nya lampor "
              "eller belysta vägar i närheten)",
        "da": "Åbne fund fra tryghedsvandringer (afhjulpet af forslaget: nye lamper eller "
              "belyste stier i nærheden)",
    },
})


def findings_addressed_by(cfg, applied: AppliedScenario) -> gpd.GeoDataFrame:
    """The pipeline's open safety-walk findings that ``applied`` addresses (new lamps within the
    lamp radius of a dark spot or broken lamp; a newly lit path through a dark spot), as points
    or lines with ``addressed_by``, ``distance_m`` and ``reason``; ``attrs['n_open']`` is the
    number of open findings before the proposal."""
    from ..indicators.findings import addressed_findings, open_findings
    from ..runs.pipeline import read_study_findings

    findings = read_study_findings(cfg, applied.inputs.data)
    edges = applied.inputs.network.edges
    newly_lit = applied.edge_relit | ((applied.edge_parent < 0)
                                      & (edges["lit"] == "yes").to_numpy())
    rows = addressed_findings(findings, new_lamps=applied.new_lamps, lit_edges=edges[newly_lit],
                              radius_m=applied.inputs.lighting.lamp_radius_m, lang=cfg.lang)
    geo = findings.set_index("finding_id").geometry
    out = gpd.GeoDataFrame(rows, geometry=geo.loc[rows["finding_id"]].values
                           if len(rows) else [], crs=findings.crs)
    out.attrs["n_open"] = int(len(open_findings(findings)))
    return out


def _findings_change_rows(addressed: gpd.GeoDataFrame, name: str, lang: str) -> pd.DataFrame:
    n_open, n = addressed.attrs.get("n_open", 0), len(addressed)
    return pd.DataFrame([{
        "scenario": name, "area_key": "__study_area__", "area_name": "", "measure":
        "open_findings", "category": "", "label": tr("open_findings_addressed", lang),
        "unit": "findings", "before": float(n_open), "after": float(n_open - n), "change": float(-n),
        "better": "lower",
    }])


def compare_runs(out_dirs: Sequence, *, lang: str = "en") -> pd.DataFrame:
    """Rank several scenario runs (their ``changes.csv``) side by side, whole study area.

    Returns one row per measure (and category): ``measure``, ``category``, ``label``,
    ``better``, then per run its ``change`` (column named after the scenario) and
    ``<run> rank`` (1 = best, where the measure has a direction and the runs differ), and a last
    row ``mean_rank``. ``attrs['runs']`` lists the run columns.

    Examples
    --------
    See ``geoplan scenario compare``.
    """
    from ..errors import InputFileError

    tables = []
    for d in out_dirs:
        p = Path(d) / "changes.csv"
        if not p.is_file():
            raise InputFileError(f"{p} does not exist: run `geoplan scenario run` into {d} first")
        t = pd.read_csv(p, keep_default_na=False, na_values=[""])
        need = {"scenario", "area_key", "measure", "category", "label", "change", "better"}
        if not need <= set(t.columns):
            raise InputFileError(f"{p} is not a geoplan changes.csv (columns {list(t.columns)})")
        t = t[t["area_key"] == "__study_area__"].copy()
        t["run"] = Path(d).name if t["scenario"].nunique() != 1 else str(t["scenario"].iloc[0])
        tables.append(t)
    runs = [t["run"].iloc[0] if len(t) else Path(d).name for t, d in zip(tables, out_dirs,
                                                                         strict=True)]
    if len(set(runs)) != len(runs):
        runs = [f"{r} ({Path(d).name})" for r, d in zip(runs, out_dirs, strict=True)]
    base = tables[0][["measure", "category", "label", "better"]].copy()
    base["category"] = base["category"].fillna("")
    for t, r in zip(tables, runs, strict=True):
        t = t.assign(category=t["category"].fillna(""))
        base = base.merge(t[["measure", "category", "change"]].rename(columns={"change": r}),
                          on=["measure", "category"], how="outer")
    ranks = []
    for r in runs:
        base[f"{r} rank"] = np.nan
    for i, row in base.iterrows():
        if row["better"] not in ("higher", "lower"):
            continue
        vals = pd.Series([row[r] for r in runs], index=runs, dtype=float)
        if vals.isna().all() or vals.nunique(dropna=True) <= 1:
            continue
        rk = vals.rank(ascending=row["better"] == "lower", method="min")
        for r in runs:
            base.loc[i, f"{r} rank"] = rk[r]
        ranks.append(rk)
    mean = pd.concat(ranks, axis=1).mean(axis=1) if ranks else pd.Series(np.nan, index=runs)
    last = {"measure": "mean_rank", "category": "", "label": tr("sc_mean_rank", lang),
            "better": "lower"}
    for r in runs:
        last[r] = float(mean.get(r, np.nan))
    out = pd.concat([base, pd.DataFrame([last])], ignore_index=True)
    out.attrs["runs"] = list(runs)
    return out
