"""Scenario edits applied to a study: ``apply(scenario, study) -> study'``
(:func:`apply_scenario`; DESIGN.md).

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
      ``Study.count_columns`` grow in proportion to ``pop``.
    * :class:`~geoplan.types.NewGreen`, :class:`~geoplan.types.NewDestination` — appended to
      ``data.green`` / ``data.destinations`` (``osm_type='s'``, negative ``osm_id``).
    Origins and the baseline's destinations keep the places where they met the baseline
    network (``Study.attachment``, :func:`geoplan.study.pin_attachment`): a new path only adds
    edges, it never pulls a home or a school onto itself, so no distance grows because of it.
    Added destinations attach as usual.
    Edits are applied by kind in this order: paths, destinations, green, densification,
    lighting (so lamps also light new paths). Edited edges carry ``edit`` (``new_path``,
    ``split``, ``relit`` or empty) and ``parent_edge`` (baseline edge id, -1 for new paths).
    The edited network keeps the baseline's edge ids: a split edge's first piece takes its id,
    its other pieces and the new paths' edges come after the baseline's edges. Applying costs
    what the edits touch (the baseline's columns are reused, only new rows are checked).

Example
-------
>>> import shapely
>>> from geoplan.study import example_study
>>> from geoplan.types import Scenario, NewPath
>>> study = example_study()
>>> path = shapely.LineString([(100, 0), (150, -30), (200, 0)])  # a lit way round the dark edge
>>> s = Scenario("lit detour", (NewPath(path, lit=True),), crs=study.network.crs)
>>> applied = apply_scenario(s, study)
>>> applied.inputs.network.edges[["u", "v", "lit"]].values.tolist()[-1]
[1, 2, 'yes']
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from geopandas.array import GeometryArray

from .._memo import once_per
from ..errors import ConfigError, CRSError, GeoplanError
from ..study import Study, pin_attachment
from ..types import (
    Densify,
    LightingRule,
    NewDestination,
    NewGreen,
    NewPath,
    Scenario,
    WalkNetwork,
)
from ..types import Lighting as LightingEdit

__all__ = ["AppliedScenario", "apply_scenario", "edit_labels"]

_EDGE_END_M = 0.01  # a junction this close to an edge end uses the end node
_MIN_PATH_M = 1.0  # shorter new paths (after joining their ends) are mis-drawn: refused


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
    base: Study
    inputs: Study
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
    if not geoms:
        return geoms
    src = _parse_crs(scenario.crs)
    out = geoms
    if src != _parse_crs(crs):
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


def _tree_of(owner, geoms: np.ndarray) -> shapely.STRtree:
    """The STRtree of ``geoms`` (``owner``'s: a network's edges, the cells, a lamps frame),
    made once per ``owner`` (:func:`geoplan._memo.once_per`)."""
    return once_per(owner, "tree", lambda: shapely.STRtree(geoms))


class _NetEditor:
    """Working copy of the network while edits are applied: the baseline's edge rows stay in
    their frame; only the rows an edit touches become dicts (:meth:`row`), so an edit costs
    what it touches, not the network's size. Edge ids stay: a split edge's first piece takes
    its place, the other pieces and new paths are appended."""

    def __init__(self, network: WalkNetwork) -> None:
        self.crs = network.crs
        self._gcrs = network.edges.crs if network.edges.crs is not None else _parse_crs(
            network.crs)
        self._nodes = network.nodes
        self.xy, self.osmid = once_per(network, "nodes", lambda: (
            shapely.get_coordinates(np.asarray(network.nodes.geometry.values)),
            network.nodes["osmid"].to_numpy(np.int64)))  # read only: never written
        e = network.edges
        self._edges = e
        self.columns = list(e.columns)
        self._n0 = len(e)
        self._rows: dict[int, dict] = {}  # rows made or touched by an edit
        self._geoms0 = np.asarray(e.geometry.values, dtype=object)
        self._tree0 = _tree_of(network, self._geoms0)
        self._made: dict[int, object] = {}  # geometries of the pieces and new edges
        self._parent: dict[int, int] = {}
        self._split: set[int] = set()
        self.relit: set[int] = set()
        self.new_nodes: list[tuple[float, float]] = []

    @property
    def n_edges(self) -> int:
        return self._n0 + sum(1 for i in self._made if i >= self._n0)

    @property
    def n_base(self) -> int:
        return self._n0

    def pieces_of(self, base_ids) -> np.ndarray:
        """The edges that are (pieces of) the baseline edges ``base_ids``."""
        ids = {int(x) for x in base_ids if int(x) >= 0}
        got = {i for i in ids if self.parent(i) == i} | {
            i for i, p in self._parent.items() if p in ids}
        return np.asarray(sorted(got), np.int64)

    def parent(self, i: int) -> int:
        return self._parent.get(i, i if i < self._n0 else -1)

    def geom(self, i: int):
        return self._made[i] if i in self._made else self._geoms0[i]

    # ---- nodes
    def add_node(self, x: float, y: float) -> int:
        self.new_nodes.append((float(x), float(y)))
        return len(self.xy) + len(self.new_nodes) - 1

    def node_xy(self, i: int) -> np.ndarray:
        return self.xy[i] if i < len(self.xy) else np.asarray(self.new_nodes[i - len(self.xy)])

    # ---- edges
    def row(self, i: int) -> dict:
        """Edge ``i``'s attributes, as a dict the caller may change."""
        i = int(i)
        if i not in self._rows:
            row = self._edges.iloc[i].to_dict()
            row.pop(self._edges.geometry.name)
            self._rows[i] = row
        return self._rows[i]

    def column(self, name: str) -> np.ndarray:
        """Column ``name`` of every edge (as objects; ``''`` where missing)."""
        base = (self._edges[name].to_numpy(object) if name in self._edges
                else np.full(self._n0, "", dtype=object))
        out = np.concatenate([base, np.full(self.n_edges - self._n0, "", dtype=object)])
        for i, r in self._rows.items():
            out[i] = r.get(name, "")
        return out

    def geoms_at(self, idx: np.ndarray) -> np.ndarray:
        """The geometries of edges ``idx`` as an object array (the baseline's taken from its
        array: no Python loop over the network)."""
        idx = np.asarray(idx, np.int64)
        out = np.empty(len(idx), dtype=object)
        old = idx < self._n0
        out[old] = self._geoms0[idx[old]]
        for k, i in enumerate(idx.tolist()):
            if i in self._made:
                out[k] = self._made[i]
        return out

    def near(self, geoms, predicate: str, distance: float | None = None) -> np.ndarray:
        """Sorted ids of the edges that meet ``geoms`` by ``predicate`` (shapely's
        STRtree predicates; ``distance`` for ``'dwithin'``): the baseline's edges looked up
        in their STRtree (made once per network, :func:`_tree_of`), the edited ones tested
        here."""
        geoms = np.atleast_1d(np.asarray(geoms, dtype=object))
        kw = {} if distance is None else {"distance": distance}
        hit = self._tree0.query(geoms, predicate=predicate, **kw)[1]
        hit = {int(i) for i in np.unique(hit).tolist() if int(i) not in self._made}
        test = getattr(shapely, predicate)
        for i, g in self._made.items():
            if np.any(test(geoms, g, **kw)):
                hit.add(i)
        return np.asarray(sorted(hit), np.int64)

    def _put(self, i: int, row: dict, geom, parent: int, split: bool, relit: bool) -> None:
        self._rows[i], self._made[i], self._parent[i] = row, geom, parent
        (self._split.add if split else self._split.discard)(i)
        (self.relit.add if relit else self.relit.discard)(i)

    def split_edge(self, i: int, cuts: list[tuple[float, int]]) -> None:
        """Cut edge ``i`` at ``(distance along geometry, node)``: its first piece takes its id,
        the others are appended."""
        row, geom = self.row(i), self.geom(i)
        u, v = int(row["u"]), int(row["v"])
        coords = shapely.get_coordinates(geom)
        start = u if (np.hypot(*(coords[0] - self.node_xy(u))) <=
                      np.hypot(*(coords[0] - self.node_xy(v)))) else v
        end = v if start == u else u
        total = geom.length
        stops = [(0.0, start)] + sorted(cuts) + [(total, end)]
        parent, relit = self.parent(i), i in self.relit
        for k, ((d0, a), (d1, b)) in enumerate(zip(stops[:-1], stops[1:], strict=True)):
            piece = shapely.ops.substring(geom, d0, d1) if (d0, d1) != (0.0, total) else geom
            pc = shapely.get_coordinates(piece)
            if len(pc) < 2:
                pc = np.vstack([pc, pc])
            pc[0], pc[-1] = self.node_xy(a), self.node_xy(b)
            line = shapely.LineString(pc)
            self._put(i if k == 0 else self.n_edges, dict(row, u=a, v=b, length_m=float(
                line.length)), line, parent, parent >= 0, relit)

    def add_edge(self, a: int, b: int, line, attrs: dict) -> None:
        row = {c: attrs.get(c, "") for c in self.columns if c != "geometry"}
        row.update(u=a, v=b, length_m=float(line.length))
        self._put(self.n_edges, row, line, -1, False, False)

    def _edges_frame(self) -> gpd.GeoDataFrame:
        """The edited edges: the baseline's columns with the touched rows replaced and the new
        ones appended; only those rows are checked (no validation of the network's other
        rows, whose values and geometries are taken as they are)."""
        e, n0, n = self._edges, self._n0, self.n_edges
        old = sorted(i for i in self._rows if i < n0)
        rows = [self._rows[i] for i in old] + [self._rows[i] for i in range(n0, n)]
        name = e.geometry.name
        cols = {c: _with_rows(e[c].array, old, [r.get(c, "") for r in rows])
                for c in self.columns if c != name}
        geoms = gpd.GeoSeries([self.geom(i) for i in old] + [self._made[i] for i in
                                                           range(n0, n)], crs=self._gcrs).array
        cols[name] = _with_rows(e.geometry.array, old, geoms)
        edges = gpd.GeoDataFrame(cols, geometry=name, crs=self._gcrs, copy=False)[self.columns]
        for c, kind in (("u", np.int64), ("v", np.int64), ("tunnel", bool), ("bridge", bool)):
            if c in edges and edges[c].dtype != kind:
                edges[c] = edges[c].astype(kind)
        return edges

    def result(self) -> tuple[WalkNetwork, np.ndarray, np.ndarray, np.ndarray]:
        n = self.n_edges
        parent = np.concatenate([np.arange(self._n0), np.full(n - self._n0, -1)])
        for i, p in self._parent.items():
            parent[i] = p
        split, relit = np.zeros(n, bool), np.zeros(n, bool)
        split[list(self._split)] = True
        relit[list(self.relit)] = True
        start = min(int(self.osmid.min(initial=0)), 0)
        osmid = np.concatenate([self.osmid, start - 1 - np.arange(len(self.new_nodes))])
        points = _with_rows(self._nodes.geometry.array, [], gpd.GeoSeries(
            shapely.points(np.reshape(self.new_nodes, (-1, 2))), crs=self._gcrs).array)
        nodes = gpd.GeoDataFrame({"osmid": osmid, "geometry": points}, geometry="geometry",
                                 crs=self._gcrs, copy=False)
        nodes.index.name = "node"
        return WalkNetwork(nodes, self._edges_frame(), self.crs), parent, split, relit


def _with_rows(values, at: list, new) -> object:
    """A new array: ``values`` with positions ``at`` set to the first ``len(at)`` of ``new``
    and the rest of ``new`` appended (in the dtype of ``values``; as objects when a new value
    does not fit it, e.g. ``''`` in a numeric column)."""
    k = len(at)
    try:
        add = new if not isinstance(new, list) else pd.array(new, dtype=values.dtype)
    except (TypeError, ValueError):
        out = np.concatenate([np.asarray(values, dtype=object), np.asarray(new[k:], dtype=object)])
        out[at] = np.asarray(new[:k], dtype=object)
        return out
    if isinstance(values, GeometryArray) and isinstance(add, GeometryArray):
        # the same array, without geopandas' check of every geometry (half the time)
        out = GeometryArray(np.concatenate([np.asarray(values), np.asarray(add[k:])]),
                            crs=values.crs)
    else:
        out = type(values)._concat_same_type([values, add[k:]])
    if k:
        out[np.asarray(at, np.int64)] = add[:k]
    return out


def _junctions(ed: _NetEditor, path: NewPath, line, tol: float
               ) -> tuple[list[tuple[shapely.Point, int]], np.ndarray]:
    """Where a new path meets the network: ``[(point, edge row)]`` (crossings, unless a bridge
    or tunnel, and each end joined to the nearest edge within ``tol``) and the path's
    coordinates (extended to where its ends join)."""
    junctions: list[tuple[shapely.Point, int]] = []  # (point, edge row)
    if path.crossing == "":
        for i in ed.near(line, "intersects").tolist():
            r = ed.row(i)
            if bool(r.get("tunnel", False)) or bool(r.get("bridge", False)):
                continue
            inter = shapely.intersection(line, ed.geom(i))
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
        cand = ed.near(p, "dwithin", tol)
        if len(cand) == 0:
            ends_free.append(end)
            continue
        dist = shapely.distance(ed.geoms_at(cand), p)
        i, dist = int(cand[np.argmin(dist)]), [float(dist.min())]
        q = shapely.line_interpolate_point(ed.geom(i), shapely.line_locate_point(ed.geom(i), p))
        if float(dist[0]) > _EDGE_END_M:
            coords = (np.vstack([shapely.get_coordinates(q), coords]) if end == 0
                      else np.vstack([coords, shapely.get_coordinates(q)]))
        else:
            coords[end] = shapely.get_coordinates(q)[0]
        junctions.append((q, i))
    if not junctions:
        raise GeoplanError(
            f"new path{' ' + path.name if path.name else ''} connects to no existing path: end it within "
            f"{tol:g} m of a path or let it cross one (the distance is connect_within_m in the "
            "scenario file)")
    return junctions, coords


def _add_path(ed: _NetEditor, path: NewPath, line, tol: float, lamps, rule: LightingRule) -> None:
    """Add one new path to the editor (see the module doc for the joining rules)."""
    junctions, coords = _junctions(ed, path, line, tol)
    line = shapely.LineString(coords)
    if not line.length >= _MIN_PATH_M:  # also NaN: a path whose ends joined into one point
        raise GeoplanError(
            f"new path{' ' + path.name if path.name else ''} is {line.length:.2f} m long once its "
            f"ends are joined to the paths they meet: draw it at least {_MIN_PATH_M:g} m long, "
            "from one path to another or to a place that has no path yet")
    # junction points -> nodes: an end node of the edge met, or a new node splitting that edge
    cuts: dict[int, list[tuple[float, int]]] = {}
    points: list[tuple[float, int]] = []  # (distance along the new path, node)
    made: list[tuple[np.ndarray, int]] = []
    for pt, i in junctions:
        r = ed.row(i)
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
                    (float(shapely.line_locate_point(ed.geom(i), pt)), node))
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

    pieces, ends = [], []
    for (d0, a), (d1, b) in zip(stops[:-1], stops[1:], strict=True):
        if d1 - d0 <= _EDGE_END_M or a == b:
            continue
        pc = shapely.get_coordinates(shapely.ops.substring(line, d0, d1))
        pc[0], pc[-1] = ed.node_xy(a), ed.node_xy(b)
        pieces.append(shapely.LineString(pc))
        ends.append((a, b))
    shares = _lamp_shares(pieces, lamps, rule.lamp_radius_m)
    for (a, b), piece, share in zip(ends, pieces, shares, strict=True):
        ed.add_edge(a, b, piece, dict(attrs, lamp_share=float(share)))


def _lamp_shares(lines: list, lamps: gpd.GeoDataFrame, radius_m: float,
                 added: list = ()) -> np.ndarray:
    """:func:`geoplan.network.lamp_share` of ``lines`` for the lamps ``lamps`` and the points
    ``added``, given only the lamps within reach of the lines (found in the lamps' STRtree,
    made once per lamps frame)."""
    from ..network import lamp_share

    if not (len(lamps) or len(added)) or not len(lines):
        return np.zeros(len(lines))
    geoms = np.asarray(lamps.geometry.values, dtype=object)
    near = np.unique(_tree_of(lamps, geoms).query(np.asarray(lines, dtype=object),
                                                 predicate="dwithin", distance=radius_m)[1])
    return lamp_share(gpd.GeoSeries(lines), gpd.GeoSeries(
        np.concatenate([geoms[near], np.asarray(list(added), dtype=object)])), radius_m)


def _light(ed: _NetEditor, edit: LightingEdit, lamps: gpd.GeoDataFrame, all_new: list,
           new_lamps: list, rule: LightingRule) -> None:
    """Apply one lighting edit: its ``new_lamps`` (of ``all_new``, every lamp the scenario
    adds; ``lamps`` the study's) relight the edges near them, its ids light whole paths."""
    if new_lamps:
        near = ed.near(np.asarray(new_lamps, dtype=object), "dwithin", rule.lamp_radius_m)
        if len(near):
            shares = _lamp_shares(list(ed.geoms_at(near)), lamps, rule.lamp_radius_m, all_new)
            for i, s in zip(near.tolist(), shares, strict=True):
                r = ed.row(i)
                r["lamp_share"] = float(s)
                if s >= rule.min_lit_share and r["lit"] != "yes":
                    r.update(lit="yes", lit_source="lamps")
                    ed.relit.add(i)
    if edit.osm_ids:
        wanted = {str(x) for x in edit.osm_ids}
        hit = set()
        for i, osmid in enumerate(ed.column("osmid").tolist()):
            ids = set(str(osmid).split(";"))
            if ids & wanted:
                hit |= ids & wanted
                _set_lit(ed, i)
        missing = sorted(wanted - hit)
        if missing:
            raise GeoplanError(
                f"lighting: OSM way id(s) {', '.join(missing[:5])} are not walkable ways of the "
                "network: check the ids in the 'osmid' column of the network layer")
    if edit.edge_ids:
        n_base = ed.n_base
        bad = [e for e in edit.edge_ids if e >= n_base]
        if bad:
            raise GeoplanError(
                f"lighting: edge id(s) {bad[:5]} are not in the baseline network (ids 0.."
                f"{n_base - 1}, the network layer's fid − 1)")
        for i in ed.pieces_of(edit.edge_ids).tolist():
            _set_lit(ed, i)


def _set_lit(ed: _NetEditor, i: int) -> None:
    r = ed.row(i)
    if r["lit"] != "yes":
        ed.relit.add(i)
    r.update(lit="yes", lit_source="scenario")


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


def _densify(cells: gpd.GeoDataFrame, dens: list, polys: list, count_columns: tuple
             ) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Cells with the residents of the densified blocks added (by the share of each block's
    area in each cell; ``count_columns`` grow in proportion to ``pop``) and the residents
    added per cell."""
    if not dens:
        return cells, pd.Series(0.0, index=cells.index)
    squares = np.asarray(cells.geometry.values, dtype=object)
    tree = _tree_of(cells, squares)  # the cells a block can overlap: those its box meets
    add = np.zeros(len(cells))
    for d, poly in zip(dens, polys, strict=True):
        near = np.sort(tree.query(poly))
        with np.errstate(invalid="ignore"):  # GEOS reports NaN for empty intersections
            overlap = shapely.area(shapely.intersection(squares[near], poly))
        if not overlap.sum() > 0:
            raise GeoplanError(f"densification block{' ' + d.name if d.name else ''} lies outside "
                               "the grid: draw it inside the study area")
        add[near] += d.residents_added() * overlap / overlap.sum()
    delta = pd.Series(add, index=cells.index)
    cells = cells.copy(deep=False)  # columns replaced below, never written into
    changed = add > 0
    old_pop = cells["pop"].to_numpy(float)
    new_pop = old_pop.copy()
    new_pop[changed] = old_pop[changed] + delta.to_numpy()[changed]
    for c in count_columns:
        if c not in cells.columns:
            raise ConfigError(f"count column {c!r} is not a column of the cells")
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(changed & (old_pop > 0), new_pop / np.where(old_pop > 0, old_pop, 1), 1.0)
        cells[c] = cells[c].to_numpy(float) * f
    cells["pop"] = new_pop
    return cells, delta


def _with_new_lamps(lamps: gpd.GeoDataFrame, points: list
                    ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(lamps with the scenario's new lamps appended, the new lamps)``."""
    new_lamps = lamps.iloc[:0]
    if not points:
        return lamps, new_lamps
    new_lamps = gpd.GeoDataFrame(
        {"lamp_id": [f"scenario_{k + 1}" for k in range(len(points))], "source": "scenario"},
        geometry=points, crs=lamps.crs)
    new_lamps = new_lamps[[c for c in new_lamps.columns if c in lamps.columns or c == "geometry"]]
    merged = gpd.GeoDataFrame(pd.concat([lamps, new_lamps], ignore_index=True),
                              geometry=lamps.geometry.name, crs=lamps.crs)
    return merged, new_lamps


def apply_scenario(scenario: Scenario, inputs: Study) -> AppliedScenario:
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
    >>> from geoplan.study import example_study
    >>> from geoplan.types import Densify
    >>> inputs = example_study()
    >>> a = apply_scenario(Scenario("homes", (Densify(shapely.box(0, 0, 100, 100),
    ...                    residents=50),), crs=inputs.network.crs), inputs)
    >>> a.inputs.cells["pop"].tolist()
    [60.0, 20.0]
    """
    net = inputs.network
    m = len(net.edges)
    if not scenario.edits:
        return AppliedScenario(scenario, inputs, inputs, np.arange(m), np.zeros(m, bool),
                               np.zeros(m, bool), pd.Series(0.0, index=inputs.cells.index),
                               inputs.lamps.iloc[:0])
    if net.crs is None or not _is_metric(net.crs):
        raise CRSError("the study network must be in a metric CRS to apply a scenario")
    data, area = inputs.data, inputs.data.area

    def study(geoms):
        return _to_study_crs(list(geoms), scenario, net.crs, area)

    lamps = inputs.lamps
    paths = scenario.of_type(NewPath)
    lights = scenario.of_type(LightingEdit)
    ed = _NetEditor(net) if (paths or lights) else None  # densify, new places: no network edit
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
    dens = scenario.of_type(Densify)
    cells, delta = _densify(inputs.cells, dens, study(d.polygon for d in dens),
                            inputs.count_columns)
    all_new = [p for light in lights if light.lamps for p in study(light.lamps)]
    lamps, new_lamps = _with_new_lamps(inputs.lamps, all_new)
    ends = np.cumsum([0] + [len(light.lamps) for light in lights])
    for light, a, b in zip(lights, ends[:-1], ends[1:], strict=True):
        _light(ed, light, inputs.lamps, all_new, all_new[a:b], inputs.lighting)
    network, parent, split, relit = ed.result() if (paths or lights) else (
        net, np.arange(m), np.zeros(m, bool), np.zeros(m, bool))
    data_lamps = lamps if (all_new and inputs.lamps is data.lamps) else data.lamps
    new_data = dataclasses.replace(data, destinations=destinations, green=green,
                                   lamps=data_lamps)
    new_inputs = dataclasses.replace(inputs, data=new_data, network=network, cells=cells,
                                     lamps=lamps,
                                     attachment=pin_attachment(inputs, network, parent))
    return AppliedScenario(scenario, inputs, new_inputs, parent, split, relit, delta, new_lamps,
                           len(dests), len(greens))


def _is_metric(crs) -> bool:
    return not _parse_crs(crs).is_geographic


@functools.lru_cache(maxsize=32)
def _parse_crs_cached(crs):
    from pyproj import CRS

    return CRS.from_user_input(crs)


def _parse_crs(crs):
    """``pyproj.CRS.from_user_input(crs)``, parsed once per value (a study's scenarios all
    name the same CRS; parsing one takes milliseconds)."""
    try:
        return _parse_crs_cached(crs)
    except TypeError:  # not hashable (e.g. a dict): parse it each time
        from pyproj import CRS

        return CRS.from_user_input(crs)


def edit_labels(applied: AppliedScenario) -> np.ndarray:
    """Per edited edge: ``'new_path'``, ``'relit'``, ``'split'`` or ``''``."""
    out = np.full(len(applied.edge_parent), "", dtype=object)
    out[applied.edge_split] = "split"
    out[applied.edge_relit] = "relit"
    out[applied.edge_parent < 0] = "new_path"
    return out

