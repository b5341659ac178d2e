"""Perceived-safety indicators of the walkable paths in each grid cell, and a 0-100 safety index.

Every measure is taken on the walk network clipped to the cell's full square (one vectorised
intersection of all edge/cell pairs, :func:`clip_edges_to_cells`); a path lying exactly on the
border of two cells counts in both. Points (lamps, nodes, buildings, destinations) belong to the
first cell that contains them, so a lamp on a cell border is counted once.

Columns (indexed by ``cell_id`` like the cells)

``path_m``
    walkable length in the cell, metres.
``lit_share``, ``dark_share``, ``unknown_share``
    shares of ``path_m`` on edges with ``lit`` = yes / no / unknown (they sum to 1); ``NaN``
    when ``path_m`` is 0. Unknown is never counted as lit or dark.
``lamp_count``, ``lamps_per_km``
    street lamps in the cell, and per km of path (``NaN`` without path).
``longest_dark_m``
    total length of the longest connected stretch of dark edges (``lit == 'no'``) touching the
    cell: connected components of the dark subgraph (:func:`dark_stretch_m`), whole length of
    the component, also the part outside the cell. 0 when no dark edge touches the cell.
``tunnel_count``, ``tunnel_m``
    tunnels/underpasses in the cell (edges with ``tunnel == True`` that share a node are one
    tunnel, :func:`geoplan.network.tunnel_groups`; not the pieces of it) and their length in
    the cell.
``dead_ends``
    network nodes of degree 1 in the cell. Nodes outside the study area are ways cut at its
    edge, not dead ends, and are left out when the study area is known.
``intersections_per_km2``
    nodes of degree >= 3 in the cell per km² of the cell's area inside the study area
    (``cells['area_m2']``).
``eyes_on_street``
    **a proxy** for natural surveillance ("eyes on the street"), not a measurement:
    ``(residents near a path + 10 × active ground floors near a path) / (path_m / 100)``, i.e.
    per 100 m of path. *Residents near a path*: the cell's ``pop`` allocated to its residential
    buildings by residential floor area (:func:`geoplan.population.residential_floor_area`;
    a building belongs to the cell of its representative point), counting the buildings within
    25 m of a walkable edge.
    In a cell with residents but no residential building (e.g. homes a scenario adds where
    there were none), all its ``pop`` counts as near a path when the cell has a path.
    *Active ground floors*: destinations of the categories in :data:`ACTIVE_CATEGORIES` (shops
    such as groceries, meeting places, libraries, health care; one per OSM feature) within 25 m
    of a walkable edge. It ignores windows, opening hours and time of day. ``eyes_residents`` and
    ``active_ground_floors`` hold its two parts.
``safety_lit``, ``safety_no_dark_stretch``, ``safety_no_tunnel``, ``safety_connectivity``, \
``safety_eyes_on_street``
    the components of the index, each 0..1 where 1 is safer, exactly as documented on
    :class:`geoplan.types.SafetyWeights` (:func:`safety_index`).
``safety_index``
    ``100 × Σ weight × component`` with the normalised weights; ``NaN`` in cells without path.
``data_confidence``
    share of ``path_m`` whose lighting is known (``lit_source != 'none'``); 0 without path.

Example
-------
>>> import geopandas as gpd, shapely
>>> from geoplan.routing import example_network
>>> from geoplan.grid import make_grid, GridSpec
>>> net = example_network()   # 0 (0,0) -- 1 (100,0) -- 2 (200,0); 1 -- 3 (100,100)
>>> cells = make_grid(shapely.box(0, 1, 200, 150), net.crs, GridSpec(1000)).assign(pop=0.0)
>>> r = safety_indicators(net, cells)
>>> cols = ["path_m", "lit_share", "dark_share", "unknown_share", "longest_dark_m", "dead_ends"]
>>> r[cols].round(3).values.tolist()
[[300.0, 0.333, 0.333, 0.333, 100.0, 3.0]]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from ..errors import GeoplanError
from ..network import tunnel_groups
from ..population import ResidentialRule, residential_floor_area
from ..progress import Progress, report
from ..types import OsmData, SafetyWeights, WalkNetwork

__all__ = [
    "ACTIVE_CATEGORIES",
    "ACTIVE_WEIGHT",
    "DARK_STRETCH_SCALE_M",
    "EYES_PERCENTILE",
    "EYES_RADIUS_M",
    "INTERSECTIONS_SCALE_PER_KM2",
    "SAFETY_COLUMNS",
    "clip_edges_to_cells",
    "dark_edges",
    "dark_labels",
    "dark_stretch_m",
    "dark_stretch_of",
    "eyes_scale",
    "node_degree",
    "points_in_cells",
    "safety_index",
    "safety_indicators",
]

#: Destination categories that stand for active ground floors in the eyes-on-street proxy.
ACTIVE_CATEGORIES: tuple[str, ...] = ("grocery", "meeting_place", "library", "healthcare")
#: One active ground floor counts as this many residents in the eyes-on-street proxy.
ACTIVE_WEIGHT = 10.0
#: Buildings and active ground floors count when within this distance of a walkable edge.
EYES_RADIUS_M = 25.0
#: ``safety_no_dark_stretch`` = 1 - min(longest_dark_m / this, 1)  (SafetyWeights).
DARK_STRETCH_SCALE_M = 200.0
#: ``safety_connectivity`` = min(intersections_per_km2 / this, 1)  (SafetyWeights).
INTERSECTIONS_SCALE_PER_KM2 = 100.0
#: ``safety_eyes_on_street`` = min(eyes_on_street / this percentile over cells with path, 1);
#: the percentile is taken on the baseline and kept for its scenarios (:func:`eyes_scale`).
EYES_PERCENTILE = 90.0

_COMPONENTS = ("lit", "no_dark_stretch", "no_tunnel", "connectivity", "eyes_on_street")
#: Columns of :func:`safety_indicators`, in order.
SAFETY_COLUMNS: tuple[str, ...] = (
    "path_m", "lit_share", "dark_share", "unknown_share", "lamp_count", "lamps_per_km",
    "longest_dark_m", "tunnel_count", "tunnel_m", "dead_ends", "intersections_per_km2",
    "eyes_residents", "active_ground_floors", "eyes_on_street",
    *(f"safety_{c}" for c in _COMPONENTS), "safety_index", "data_confidence",
)


# --------------------------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------------------------
def clip_edges_to_cells(network: WalkNetwork, cells: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every (edge, cell) pair that intersects, with the length of the edge inside the cell.

    A piece of path lying exactly on the border of two cells counts in the first of them only
    (by position in ``cells``; the pair stays, with 0 m, in the other).

    Parameters
    ----------
    network : WalkNetwork
        The walk network.
    cells : geopandas.GeoDataFrame
        Grid cells in the network's CRS.

    Returns
    -------
    pandas.DataFrame
        ``edge`` (position in ``network.edges``), ``cell`` (position in ``cells``) and
        ``length_m`` (0 when the edge only touches the cell), one row per pair.

    Examples
    --------
    >>> from geoplan.routing import example_network
    >>> from geoplan.grid import make_grid, GridSpec
    >>> cells = make_grid(shapely.box(0, 0, 150, 100), 3006, GridSpec(100))
    >>> # edge 2 runs on the border x = 100 of cells 0 and 1: it counts in cell 0 only
    >>> clip_edges_to_cells(example_network(), cells).values.tolist()
    [[0.0, 0.0, 100.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1.0, 1.0, 100.0], [2.0, 0.0, 100.0], [2.0, 1.0, 0.0]]
    """
    lines = np.asarray(network.edges.geometry.values, dtype=object)
    squares = np.asarray(cells.geometry.values, dtype=object)
    e_idx, c_idx = shapely.STRtree(squares).query(lines, predicate="intersects")
    pieces = lines[e_idx]  # an edge inside an axis-aligned open square is its own piece
    box, cb = _is_box(squares), shapely.bounds(squares)
    cut = ~(box[c_idx] & _inside_open_box(shapely.bounds(lines)[e_idx], cb[c_idx]))
    pieces[cut] = shapely.intersection(pieces[cut], squares[c_idx[cut]])
    length = shapely.length(pieces)
    # a piece lying on the border of two cells belongs to the first cell holding its midpoint
    on_border = np.zeros(len(pieces), bool)
    maybe = np.flatnonzero(cut & (length > 0))
    maybe = maybe[~box[c_idx[maybe]] | _on_box_sides(pieces[maybe], cb[c_idx[maybe]])]
    on_border[maybe] = shapely.covered_by(pieces[maybe], shapely.boundary(squares[c_idx[maybe]]))
    if on_border.any():
        mid = shapely.line_interpolate_point(pieces[on_border], 0.5, normalized=True)
        owner = points_in_cells(mid, cells)
        length[np.flatnonzero(on_border)[owner != c_idx[on_border]]] = 0.0
    order = np.lexsort((c_idx, e_idx))
    return pd.DataFrame({"edge": e_idx[order], "cell": c_idx[order], "length_m": length[order]})


def _is_box(polys: np.ndarray) -> np.ndarray:
    """Per polygon: is it an axis-aligned rectangle (4 corners, the area of its bounds), as the
    cells of :func:`geoplan.grid.make_grid` are?

    >>> _is_box(np.array([shapely.box(0, 0, 2, 1), shapely.Polygon([(0, 0), (2, 0), (0, 1)])])).tolist()
    [True, False]
    """
    b = shapely.bounds(polys)
    return (shapely.get_num_coordinates(polys) == 5) & (
        shapely.area(polys) == (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))


def _inside_open_box(line_bounds: np.ndarray, box_bounds: np.ndarray) -> np.ndarray:
    """Per pair: do the ``line_bounds`` lie inside the open box ``box_bounds``? Then cutting
    the line by the box changes nothing (most edges of a fine network lie in one cell).

    >>> _inside_open_box(np.array([[1, 1, 2, 2], [0, 1, 2, 2]]),
    ...                  np.array([[0, 0, 10, 10], [0, 0, 10, 10]])).tolist()
    [True, False]
    """
    lb, b = line_bounds, box_bounds
    return (lb[:, 0] > b[:, 0]) & (lb[:, 1] > b[:, 1]) & (lb[:, 2] < b[:, 2]) & (lb[:, 3] < b[:, 3])


def _on_box_sides(pieces: np.ndarray, box_bounds: np.ndarray) -> np.ndarray:
    """Per piece: does every vertex lie on a side line of its box (``x`` or ``y`` equal to one
    of the box's bounds)? Only such a piece can lie on the box's border (a cell's border is
    axis-aligned), so only these need the exact :func:`shapely.covered_by` test.

    >>> _on_box_sides(np.array([shapely.LineString([(0, 1), (0, 5)]),
    ...                         shapely.LineString([(0, 1), (3, 5)])]),
    ...               np.array([[0, 0, 10, 10], [0, 0, 10, 10]])).tolist()
    [True, False]
    """
    xy, k = shapely.get_coordinates(pieces, return_index=True)
    b = box_bounds[k]
    on = ((xy[:, 0] == b[:, 0]) | (xy[:, 0] == b[:, 2]) | (xy[:, 1] == b[:, 1])
          | (xy[:, 1] == b[:, 3]))
    return np.bincount(k[~on], minlength=len(pieces)) == 0


def points_in_cells(points, cells: gpd.GeoDataFrame) -> np.ndarray:
    """Position in ``cells`` of the first cell containing each point (border included), or -1.

    Examples
    --------
    >>> from geoplan.grid import make_grid, GridSpec
    >>> cells = make_grid(shapely.box(0, 0, 200, 100), 3006, GridSpec(100))
    >>> points_in_cells(shapely.points([[50, 50], [100, 50], [500, 0]]), cells).tolist()
    [0, 0, -1]
    """
    geoms = np.asarray(getattr(points, "values", points), dtype=object)
    out = np.full(len(geoms), -1, np.int64)
    if len(geoms) == 0 or len(cells) == 0:
        return out
    p_idx, c_idx = shapely.STRtree(np.asarray(cells.geometry.values, dtype=object)).query(
        geoms, predicate="intersects"
    )
    order = np.lexsort((c_idx, p_idx))
    p_idx, c_idx = p_idx[order], c_idx[order]
    first = np.unique(p_idx, return_index=True)[1]
    out[p_idx[first]] = c_idx[first]
    return out


def node_degree(network: WalkNetwork) -> np.ndarray:
    """Number of edge ends at each node (a self-loop counts twice).

    Examples
    --------
    >>> from geoplan.routing import example_network
    >>> node_degree(example_network()).tolist()
    [1, 3, 1, 1]
    """
    ends = np.concatenate([network.edges["u"].to_numpy(np.int64),
                           network.edges["v"].to_numpy(np.int64)])
    return np.bincount(ends, minlength=len(network.nodes))


def dark_edges(edges: pd.DataFrame) -> np.ndarray:
    """Per edge, whether it is dark (``lit == 'no'``; unknown is not dark here: a stretch of
    unknown lighting is not called dark).

    >>> from geoplan.routing import example_network
    >>> dark_edges(example_network().edges).tolist()
    [False, True, False]
    """
    return (edges["lit"] == "no").to_numpy()


def dark_labels(u: np.ndarray, v: np.ndarray, dark: np.ndarray, n_nodes: int) -> np.ndarray:
    """Per node (``0 .. n_nodes - 1``), the label of the dark stretch it lies on: the connected
    component of the subgraph of the ``dark`` edges (``u``–``v``,
    :func:`scipy.sparse.csgraph.connected_components`); a node on no dark edge has a label of
    its own.

    Examples
    --------
    >>> import numpy as np
    >>> u, v = np.array([0, 1, 3]), np.array([1, 2, 4])
    >>> dark_labels(u, v, np.array([True, True, False]), 5).tolist()  # 0-1-2 one stretch
    [0, 0, 0, 1, 2]
    """
    u, v = np.asarray(u, np.int64)[dark], np.asarray(v, np.int64)[dark]
    adj = sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(n_nodes, n_nodes)).tocsr()
    return connected_components(adj, directed=False)[1]


def dark_stretch_of(u: np.ndarray, v: np.ndarray, length_m: np.ndarray, dark: np.ndarray,
                    n_nodes: int | None = None) -> np.ndarray:
    """Per edge: total length of the connected stretch of ``dark`` edges it belongs to (0 for
    an edge that is not dark), from the edges' end nodes ``u``/``v`` and lengths.

    ``n_nodes``: the number of nodes (ids ``0 .. n_nodes - 1``); None numbers only the dark
    edges' ends (for a few edges of a large network: the work is theirs, not the network's).

    Examples
    --------
    >>> import numpy as np
    >>> u, v = np.array([0, 1, 3, 7]), np.array([1, 2, 4, 900_000])
    >>> dark = np.array([True, True, False, True])
    >>> dark_stretch_of(u, v, np.array([10.0, 20.0, 5.0, 7.0]), dark).tolist()
    [30.0, 30.0, 0.0, 7.0]
    """
    dark = np.asarray(dark, bool)
    out = np.zeros(len(dark))
    if not dark.any():
        return out
    u, v = np.asarray(u, np.int64)[dark], np.asarray(v, np.int64)[dark]
    k = len(u)
    if n_nodes is None:  # the dark edges' ends, numbered 0 .. m - 1
        ends, uv = np.unique(np.concatenate([u, v]), return_inverse=True)
        u, v, n_nodes = uv[:k], uv[k:], len(ends)
    label = dark_labels(u, v, np.ones(k, bool), n_nodes)[u]
    out[dark] = np.bincount(label, weights=np.asarray(length_m, float)[dark])[label]
    return out


def dark_stretch_m(network: WalkNetwork) -> np.ndarray:
    """Per edge: total length of the connected stretch of dark edges it belongs to (0 if lit).

    Dark edges are those with ``lit == 'no'`` (:func:`dark_edges`); a stretch is a connected
    component of the subgraph they form (:func:`dark_stretch_of`), whatever other edges meet
    it.

    Examples
    --------
    >>> from geoplan.routing import example_network
    >>> dark_stretch_m(example_network()).tolist()
    [0.0, 100.0, 0.0]
    """
    edges = network.edges
    return dark_stretch_of(edges["u"].to_numpy(np.int64), edges["v"].to_numpy(np.int64),
                           edges["length_m"].to_numpy(float), dark_edges(edges),
                           len(network.nodes))


# --------------------------------------------------------------------------------------------
# the index
# --------------------------------------------------------------------------------------------
def eyes_scale(indicators: pd.DataFrame) -> float:
    """The eyes-on-street value that scores 1: the :data:`EYES_PERCENTILE` th percentile of
    ``eyes_on_street`` over the cells with path (0 when no cell has path).

    Computed once on a baseline and kept for its scenarios (``Study.eyes_scale``), so a cell
    where nothing changed keeps its score whatever a scenario does elsewhere.

    Examples
    --------
    >>> eyes_scale(pd.DataFrame({"path_m": [100.0, 100.0, 0.0],
    ...                          "eyes_on_street": [0.0, 10.0, np.nan]}))
    9.0
    """
    has_path = indicators["path_m"].to_numpy(float) > 0
    eyes = indicators["eyes_on_street"].to_numpy(float)[has_path]
    return float(np.nanpercentile(eyes, EYES_PERCENTILE)) if has_path.any() else 0.0


def safety_index(indicators: pd.DataFrame, weights: SafetyWeights | None = None, *,
                 eyes_scale_value: float | None = None) -> pd.DataFrame:
    """The index components and the 0-100 safety index from the indicator columns.

    Parameters
    ----------
    indicators : pandas.DataFrame
        ``path_m``, ``lit_share``, ``longest_dark_m``, ``tunnel_count``,
        ``intersections_per_km2`` and ``eyes_on_street`` per cell (from
        :func:`safety_indicators`); recompute with other weights without touching geometry.
    weights : SafetyWeights, optional
        Weights of the components (normalised to sum to 1).
    eyes_scale_value : float, optional
        The eyes-on-street value that scores 1; by default :func:`eyes_scale` of
        ``indicators``. A scenario passes its baseline's, so every component has a fixed
        scale and a cell's index depends on that cell only.

    Returns
    -------
    pandas.DataFrame
        ``safety_<component>`` (0..1, 1 safer) for each component of
        :class:`~geoplan.types.SafetyWeights` and ``safety_index`` (0..100); ``NaN`` where
        ``path_m`` is 0. The eyes-on-street scale used is in ``attrs['eyes_p90']``; when it
        is 0, a cell with any eyes gets 1 and the others 0.

    Examples
    --------
    >>> df = pd.DataFrame({"path_m": [100.0, 0.0], "lit_share": [0.5, np.nan],
    ...                    "longest_dark_m": [100.0, 0.0], "tunnel_count": [0, 0],
    ...                    "intersections_per_km2": [200.0, 0.0],
    ...                    "eyes_on_street": [4.0, np.nan]})
    >>> safety_index(df)["safety_index"].round(2).tolist()
    [75.0, nan]
    >>> safety_index(df, eyes_scale_value=8.0)["safety_eyes_on_street"].tolist()
    [0.5, nan]
    """
    w = (weights or SafetyWeights()).normalised()
    has_path = indicators["path_m"].to_numpy(float) > 0
    eyes = indicators["eyes_on_street"].to_numpy(float)
    p90 = eyes_scale(indicators) if eyes_scale_value is None else float(eyes_scale_value)
    with np.errstate(invalid="ignore", divide="ignore"):
        eyes_c = np.minimum(eyes / p90, 1.0) if p90 > 0 else (eyes > 0).astype(float)
    comp = {
        "lit": indicators["lit_share"].to_numpy(float),
        "no_dark_stretch": 1.0 - np.minimum(
            indicators["longest_dark_m"].to_numpy(float) / DARK_STRETCH_SCALE_M, 1.0),
        "no_tunnel": (indicators["tunnel_count"].to_numpy(float) == 0).astype(float),
        "connectivity": np.minimum(
            indicators["intersections_per_km2"].to_numpy(float) / INTERSECTIONS_SCALE_PER_KM2,
            1.0),
        "eyes_on_street": eyes_c,
    }
    out = pd.DataFrame(index=indicators.index)
    total = np.zeros(len(out))
    for name in _COMPONENTS:
        c = np.where(has_path, comp[name], np.nan)
        out[f"safety_{name}"] = c
        total = total + w[name] * c
    out["safety_index"] = 100.0 * total
    out.attrs["eyes_p90"] = p90
    return out


# --------------------------------------------------------------------------------------------
# the indicators
# --------------------------------------------------------------------------------------------
def safety_indicators(
    network: WalkNetwork,
    cells: gpd.GeoDataFrame,
    data: OsmData | None = None,
    weights: SafetyWeights | None = None,
    *,
    lamps: gpd.GeoDataFrame | None = None,
    rule: ResidentialRule | None = None,
    dark_stretch: np.ndarray | None = None,
    eyes_scale_value: float | None = None,
    residential_m2: np.ndarray | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Lighting, dark stretches, tunnels, connectivity, eyes on the street and the safety index.

    Parameters
    ----------
    network : WalkNetwork
        The walk network with ``lit``, ``lit_source`` and ``tunnel`` on its edges.
    cells : geopandas.GeoDataFrame
        Grid cells indexed by ``cell_id`` with ``pop`` (residents) and ``area_m2`` (area inside
        the study area; the square's area when missing), in the network's CRS.
    data : OsmData, optional
        ``lamps``, ``buildings``, ``destinations`` and the study ``area``. Without it there are
        no lamps (``lamp_count`` 0), no eyes on the street and every degree-1 node is a dead end.
    weights : SafetyWeights, optional
        Weights of the index components.
    lamps : geopandas.GeoDataFrame, optional
        Street lamps to use instead of ``data.lamps`` (e.g. merged with a municipal register).
    rule : ResidentialRule, optional
        Residential floor-area shares for allocating ``pop`` to buildings.
    dark_stretch : numpy.ndarray, optional
        Per edge of ``network``, :func:`dark_stretch_m` of the whole network; give it when
        ``network`` holds only the edges near ``cells`` (incremental scenario recompute).
    eyes_scale_value : float, optional
        The index's eyes-on-street scale (:func:`safety_index`); a scenario gives its baseline's.
    residential_m2 : numpy.ndarray, optional
        Per building of ``data.buildings``, its
        :func:`~geoplan.population.residential_floor_area` with ``rule``, when known already
        (a scenario: its baseline's, made once); used when the buildings are in the network's
        CRS.
    progress : Progress, optional
        Progress sink; may cancel.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``cells``; columns :data:`SAFETY_COLUMNS` (see the module doc, also for
        an example).
    """
    _check_inputs(network, cells)
    n_cells = len(cells)
    report(progress, 0.0, "clipping paths to cells")
    pieces = clip_edges_to_cells(network, cells)
    e, c, piece_m = pieces["edge"].to_numpy(), pieces["cell"].to_numpy(), pieces["length_m"].to_numpy()

    def per_cell(mask_or_weight) -> np.ndarray:
        return np.bincount(c, weights=piece_m * mask_or_weight, minlength=n_cells)

    lit, known, tunnel = _edge_flags(network.edges, e)
    path_m = per_cell(1.0)
    out: dict[str, np.ndarray] = {"path_m": path_m}
    for name, value in (("lit_share", "yes"), ("dark_share", "no"), ("unknown_share", "unknown")):
        out[name] = _share(per_cell(lit == value), path_m)
    report(progress, 0.3, "lamps, dark stretches and tunnels")
    lamp_pts = (data.lamps if data is not None else None) if lamps is None else lamps
    out["lamp_count"] = lamp_count = _lamp_count(lamp_pts, network, cells)
    out["lamps_per_km"] = _share(lamp_count, path_m / 1000.0)
    stretch = dark_stretch_m(network) if dark_stretch is None else np.asarray(dark_stretch)
    out.update(_dark_and_tunnels(stretch[e], tunnel & (piece_m > 0), c, piece_m, n_cells,
                                 tunnel_groups(network)[e]))
    report(progress, 0.5, "dead ends and intersections")
    out["dead_ends"], out["intersections_per_km2"] = _junctions(network, cells, data)
    report(progress, 0.7, "eyes on the street")
    residents, active = _eyes_parts(network, cells, data, rule, path_m > 0, residential_m2)
    out.update(eyes_residents=residents, active_ground_floors=active,
               eyes_on_street=_share(residents + ACTIVE_WEIGHT * active, path_m / 100.0))
    result = pd.DataFrame(out, index=cells.index)
    index = safety_index(result, weights, eyes_scale_value=eyes_scale_value)
    for col in index.columns:
        result[col] = index[col]
    result["data_confidence"] = np.where(path_m > 0, _share(per_cell(known), path_m), 0.0)
    result.attrs["eyes_p90"] = index.attrs["eyes_p90"]
    report(progress, 1.0, "safety done")
    return result[list(SAFETY_COLUMNS)]


def _edge_flags(edges: gpd.GeoDataFrame, e: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per clipped piece of edge ``e``: its ``lit`` value (``'unknown'`` when missing), whether
    its lighting is known (``lit_source`` not ``'none'``) and whether it is a tunnel."""
    lit = edges["lit"].astype(object).where(edges["lit"].notna(), "unknown").to_numpy()[e]
    known = (edges["lit_source"].astype(object) != "none").to_numpy()[e] if (
        "lit_source" in edges.columns) else np.zeros(len(e), bool)
    tunnel = edges["tunnel"].fillna(False).astype(bool).to_numpy()[e] if (
        "tunnel" in edges.columns) else np.zeros(len(e), bool)
    return lit, known, tunnel


def _dark_and_tunnels(stretch: np.ndarray, in_tunnel: np.ndarray, c: np.ndarray,
                      piece_m: np.ndarray, n_cells: int, group: np.ndarray) -> dict[str, np.ndarray]:
    """``longest_dark_m``, ``tunnel_count`` and ``tunnel_m`` per cell from the clipped pieces
    (their edge's dark stretch, whether in a tunnel, their cell ``c``, length and tunnel)."""
    longest = np.zeros(n_cells)
    np.maximum.at(longest, c, stretch)
    cell_tunnel = np.unique(np.column_stack([c[in_tunnel], group[in_tunnel]]), axis=0)
    return {"longest_dark_m": longest,
            "tunnel_count": np.bincount(cell_tunnel[:, 0], minlength=n_cells).astype(np.int64),
            "tunnel_m": np.bincount(c, weights=piece_m * in_tunnel, minlength=n_cells)}


def _lamp_count(lamps, network: WalkNetwork, cells: gpd.GeoDataFrame) -> np.ndarray:
    """Street lamps per cell (0 without lamps)."""
    if lamps is None or not len(lamps):
        return np.zeros(len(cells))
    at = points_in_cells(_same_crs(lamps, network, "lamps").geometry, cells)
    return np.bincount(at[at >= 0], minlength=len(cells)).astype(float)


def _junctions(network: WalkNetwork, cells: gpd.GeoDataFrame, data: OsmData | None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Dead ends (degree-1 nodes inside the study area) per cell and intersections (degree
    >= 3) per km² of the cell."""
    n_cells = len(cells)
    degree = node_degree(network)
    node_cell = points_in_cells(network.nodes.geometry, cells)
    dead = (degree == 1) & (node_cell >= 0)  # only dead ends inside a cell count
    if data is not None and data.area is not None and dead.any():
        # only those nodes are tested, against the area prepared (a municipality's polygon)
        at = np.flatnonzero(dead)
        shapely.prepare(data.area)
        dead[at] = shapely.covers(data.area, np.asarray(network.nodes.geometry.values,
                                                        dtype=object)[at])
    dead_ends = np.bincount(node_cell[dead], minlength=n_cells).astype(np.int64)
    cross = np.bincount(node_cell[(degree >= 3) & (node_cell >= 0)], minlength=n_cells)
    area_km2 = _cell_area_m2(cells) / 1e6
    with np.errstate(invalid="ignore", divide="ignore"):
        return dead_ends, np.where(area_km2 > 0, cross / area_km2, np.nan)


def _check_inputs(network: WalkNetwork, cells: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("u", "v", "length_m", "lit") if c not in network.edges.columns]
    if missing:
        raise GeoplanError(
            f"network edges lack column(s) {missing}: build the network with "
            "geoplan.network.build_walk_network"
        )
    if cells.crs != network.crs:
        raise GeoplanError(
            f"the cells are in {cells.crs} but the network is in {network.crs}: make the grid "
            "in the network's CRS (geoplan.grid.make_grid(data.area, data.crs))"
        )
    if cells.index.has_duplicates:
        raise GeoplanError("cells have duplicate cell ids: use geoplan.grid.make_grid")


def _same_crs(gdf: gpd.GeoDataFrame, network: WalkNetwork, what: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise GeoplanError(f"the {what} have no CRS: set it with .set_crs(...)")
    return gdf if gdf.crs == network.crs else gdf.to_crs(network.crs)


def _share(part: np.ndarray, total: np.ndarray) -> np.ndarray:
    out = np.full(len(total), np.nan)
    ok = total > 0
    out[ok] = part[ok] / total[ok]
    return out


def _cell_area_m2(cells: gpd.GeoDataFrame) -> np.ndarray:
    if "area_m2" in cells.columns:
        return cells["area_m2"].to_numpy(float)
    return shapely.area(np.asarray(cells.geometry.values, dtype=object))


def _eyes_parts(
    network: WalkNetwork, cells: gpd.GeoDataFrame, data: OsmData | None,
    rule: ResidentialRule | None, has_path: np.ndarray, residential_m2: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Residents of buildings within 25 m of a path (all of a cell's ``pop`` when it has no
    residential building but a path), and active ground floors near a path
    (``residential_m2``: :func:`safety_indicators`')."""
    n_cells = len(cells)
    residents, active = np.zeros(n_cells), np.zeros(n_cells)
    if data is None:
        return residents, active
    edge_tree = shapely.STRtree(np.asarray(network.edges.geometry.values, dtype=object))
    b = data.buildings
    if "pop" in cells.columns:
        # homes without a mapped building (e.g. added by a scenario) face the cell's paths
        residents = np.where(has_path, cells["pop"].fillna(0.0).to_numpy(float), 0.0)
    if b is not None and len(b):
        if "pop" not in cells.columns:
            raise GeoplanError(
                "cells need a 'pop' column for the eyes-on-street proxy: allocate population "
                "first (geoplan.population)"
            )
        given = b
        b = _same_crs(b, network, "buildings")
        res = (np.asarray(residential_m2, dtype=float) if residential_m2 is not None
               and b is given else residential_floor_area(b, rule).to_numpy(float))
        geoms = np.asarray(b.geometry.values, dtype=object)
        cell = points_in_cells(shapely.point_on_surface(geoms), cells)
        ok = (res > 0) & (cell >= 0)
        cell_res = np.bincount(cell[ok], weights=res[ok], minlength=n_cells)
        pop = cells["pop"].fillna(0.0).to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_m2 = np.where(cell_res > 0, pop / cell_res, 0.0)
        take = _near_edges(edge_tree, geoms, ok)
        residents = np.where(cell_res > 0, np.bincount(
            cell[take], weights=res[take] * per_m2[cell[take]], minlength=n_cells), residents)
    d = data.destinations
    if d is not None and len(d) and "category" in d.columns:
        d = _same_crs(d[d["category"].isin(ACTIVE_CATEGORIES)], network, "destinations")
        key = [k for k in ("osm_type", "osm_id") if k in d.columns]
        if len(key) == 2:
            d = d.drop_duplicates(key)
        geoms = np.asarray(d.geometry.values, dtype=object)
        cell = points_in_cells(geoms, cells)
        active = np.bincount(cell[_near_edges(edge_tree, geoms, cell >= 0)],
                             minlength=n_cells).astype(float)
    return residents, active


def _near_edges(edge_tree: shapely.STRtree, geoms: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Per geometry: is it one of ``among`` and within :data:`EYES_RADIUS_M` of an edge of
    ``edge_tree``? (Only those are measured: outside a cell or without residents a building
    counts for nothing.)"""
    at = np.flatnonzero(among)
    near = np.zeros(len(geoms), bool)
    near[at[edge_tree.query(geoms[at], predicate="dwithin", distance=EYES_RADIUS_M)[0]]] = True
    return near
