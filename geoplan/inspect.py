"""``geoplan inspect``: a data-quality summary of an OSM extract for a study area.

Example
-------
>>> from geoplan.datasets import demo_extract
>>> s = inspect_osm(demo_extract())
>>> s.crs_epsg, s.lamps_osm
(3067, 586)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import shapely

from .i18n import fmt, fmt_pct, register_texts, tr
from .network import read_walk_network, tunnel_groups
from .progress import Progress
from .sources import osm_tags as T
from .types import OsmData, WalkNetwork

__all__ = ["InspectSummary", "inspect_osm", "summarize"]

register_texts({
    "tunnels": {"en": "Tunnels and underpasses"},
    "areas_cut": {"en": "Areas cut by the extract's edge: {kept} kept (closed through the nodes "
                        "the file has), {dropped} dropped"},
    "destinations_from_lines": {
        "en": "Destinations mapped as lines (platforms), placed at their middle"},
    "cycleways_walked": {
        "en": "Cycleways without a foot tag walked on (pedestrians may use a cycleway where there "
              "is no footway in SE, DK, FI and NO)"},
})


@dataclass(frozen=True)
class InspectSummary:
    """Numbers of the data-quality summary (all measured inside the study area)."""

    source: str
    crs_epsg: int
    crs_name: str
    area_km2: float
    walkable_km: float
    lit_km: float
    dark_km: float
    unknown_km: float
    #: km by '<lit>_<lit_source>', e.g. 'yes_tag', 'yes_lamps', 'unknown_none'
    km_by_lit_source: dict = field(default_factory=dict)
    lamps_osm: int = 0
    lamps_register: int = 0
    green_ha: float = 0.0
    public_green_ha: float = 0.0
    green_areas: int = 0
    destinations: dict = field(default_factory=dict)
    buildings: int = 0
    buildings_levels_known: int = 0
    buildings_by_use: dict = field(default_factory=dict)
    network_nodes: int = 0
    network_edges: int = 0
    network_components: int = 0
    largest_component_share: float = 0.0
    #: tunnels in the area (tunnel edges sharing a node are one) and their km
    tunnels: int = 0
    tunnel_km: float = 0.0
    highway_not_walked: dict = field(default_factory=dict)
    way_node_refs_missing: int = 0
    # Reading the extract: areas cut by the extract's edge, kept (closed through the nodes the
    # file has) and dropped (fewer than 3 nodes left, or a relation member open or missing);
    # destinations mapped as lines (placed at their middle); cycleways without ``foot`` walked
    # on by the country's rule (SE, DK, FI, NO).
    areas_cut_kept: int = 0
    areas_cut_dropped: int = 0
    destinations_from_lines: int = 0
    cycleways_without_foot_walked: int = 0
    attribution: str = "© OpenStreetMap contributors"
    #: the cells' access legs (straight walk from the starting point to its path), after a run
    access_leg_median_m: float | None = None
    access_leg_max_m: float | None = None

    def _share(self, km: float) -> float:
        """``km`` as a share of the walkable length (NaN when there is none)."""
        return km / self.walkable_km if self.walkable_km else float("nan")

    @property
    def lit_share(self) -> float:
        return self._share(self.lit_km)

    @property
    def dark_share(self) -> float:
        return self._share(self.dark_km)

    @property
    def unknown_share(self) -> float:
        return self._share(self.unknown_km)

    def to_dict(self) -> dict:
        """JSON-able dict of every number, shares included."""
        d = asdict(self)
        d.update(lit_share=self.lit_share, dark_share=self.dark_share,
                 unknown_share=self.unknown_share)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=True)

    def to_text(self, lang: str = "en") -> str:
        """The summary as a plain-text report in ``lang`` ('en', 'sv' or 'da')."""
        f = lambda x, d=1: fmt(x, lang, d)  # noqa: E731
        p = lambda x: fmt_pct(x, lang, 1)  # noqa: E731
        lines = [
            tr("inspect_title", lang, source=self.source),
            f"  {tr('crs', lang)}: {self.crs_name} (EPSG:{self.crs_epsg})",
            f"  {tr('area_km2', lang)}: {f(self.area_km2, 2)}",
            f"  {tr('walkable_km', lang)}: {f(self.walkable_km)}",
            f"  {tr('lighting', lang)}: {tr('lit', lang)} {p(self.lit_share)}, "
            f"{tr('dark', lang)} {p(self.dark_share)}, {tr('unknown', lang)} {p(self.unknown_share)}",
        ]
        for key, km in sorted(self.km_by_lit_source.items()):
            lit, src = key.split("_", 1)
            share = km / self.walkable_km if self.walkable_km else 0.0
            word = {"yes": "lit", "no": "dark"}.get(lit, lit)
            lines.append(f"    {tr(word, lang)}, "
                         f"{tr('source_' + src, lang)}: {f(km)} km ({p(share)})")
        lines += [
            f"  {tr('lamps', lang)}: {self.lamps_osm + self.lamps_register} "
            f"(OSM {self.lamps_osm}, register {self.lamps_register})",
            f"  {tr('green_ha', lang)}: {f(self.green_ha)} ({tr('public_green_ha', lang)} "
            f"{f(self.public_green_ha)}), {self.green_areas} {tr('areas', lang)}",
            f"  {tr('destinations', lang)}:",
        ]
        for cat in T.CATEGORIES:
            lines.append(f"    {tr('cat_' + cat, lang)}: {self.destinations.get(cat, 0)}")
        lines += [
            f"  {tr('buildings', lang)}: {self.buildings} ({tr('buildings_levels_known', lang)}: "
            f"{self.buildings_levels_known}); "
            + ", ".join(f"{tr('use_' + k, lang)} {v}" for k, v in sorted(self.buildings_by_use.items())),
            f"  {tr('network', lang)}: {self.network_nodes} {tr('nodes', lang)}, "
            f"{self.network_edges} {tr('edges', lang)}, {self.network_components} "
            f"{tr('components', lang)} ({tr('largest_component', lang)} "
            f"{p(self.largest_component_share)})",
        ]
        lines += self._osm_lines(lang)
        if self.highway_not_walked:
            lines.append(f"  {tr('not_walked', lang)}: " + ", ".join(
                f"{k} {v}" for k, v in sorted(self.highway_not_walked.items(), key=lambda kv: -kv[1])
            ))
        if self.access_leg_max_m is not None:
            lines.append(f"  {tr('access_leg', lang)}: {f(self.access_leg_median_m)} / "
                         f"{f(self.access_leg_max_m)} m")
        lines.append(f"  {tr('attribution', lang)}")
        return "\n".join(lines)


    def _osm_lines(self, lang: str) -> list[str]:
        """Tunnels, and what reading the extract kept, dropped or walked on by a rule."""
        out = [f"  {tr('tunnels', lang)}: {self.tunnels} ({fmt(self.tunnel_km, lang, 2)} km)"]
        if self.areas_cut_kept or self.areas_cut_dropped:
            out.append(f"  {tr('areas_cut', lang, kept=self.areas_cut_kept, dropped=self.areas_cut_dropped)}")
        if self.destinations_from_lines:
            out.append(f"  {tr('destinations_from_lines', lang)}: {self.destinations_from_lines}")
        if self.cycleways_without_foot_walked:
            out.append(f"  {tr('cycleways_walked', lang)}: {self.cycleways_without_foot_walked}")
        return out


def _tunnels(net: WalkNetwork, inside_m: np.ndarray) -> tuple[int, float]:
    """Tunnels with length inside the area (``inside_m`` per edge) and their km there."""
    group = tunnel_groups(net)
    in_area = (group >= 0) & (inside_m > 0)
    return int(len(np.unique(group[in_area]))), float(inside_m[in_area].sum() / 1000.0)


def _components(net: WalkNetwork) -> tuple[int, float]:
    if len(net.edges) == 0:
        return 0, 0.0
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = len(net.nodes)
    A = sp.coo_matrix((np.ones(len(net.edges)), (net.edges["u"], net.edges["v"])), shape=(n, n))
    k, labels = connected_components(A, directed=False)
    length_by = np.bincount(labels[net.edges["u"].values], weights=net.edges["length_m"].values,
                            minlength=k)
    total = length_by.sum()
    return int(k), float(length_by.max() / total) if total else 0.0


def _length_inside_m(lines: np.ndarray, area) -> np.ndarray:
    """Length of each line inside ``area`` (prepared): lines the area covers keep their length,
    only the others are clipped (clipping every edge of a municipality against a detailed
    boundary was most of this summary's time).

    >>> box = shapely.box(0, 0, 10, 10)
    >>> _ = shapely.prepare(box)
    >>> _length_inside_m(np.array([shapely.LineString([(1, 1), (4, 5)]),
    ...                            shapely.LineString([(5, 5), (15, 5)])]), box).tolist()
    [5.0, 5.0]
    """
    return shapely.length(_cut_to(area, lines))


def _cut_to(area, geoms: np.ndarray) -> np.ndarray:
    """``geoms`` cut to ``area`` (prepared); those the area covers are kept as they are.

    >>> [g.bounds for g in _cut_to(shapely.box(0, 0, 10, 10),
    ...                            np.array([shapely.box(1, 1, 2, 2), shapely.box(8, 8, 12, 12)]))]
    [(1.0, 1.0, 2.0, 2.0), (8.0, 8.0, 10.0, 10.0)]
    """
    out = geoms.copy()
    cut = ~shapely.covers(area, geoms)
    out[cut] = shapely.intersection(geoms[cut], area)
    return out


def _km_by_key(keys: pd.Series, km: np.ndarray) -> dict[str, float]:
    """Sum of ``km`` per key, keys in order of first appearance (summed in row order).

    >>> _km_by_key(pd.Series(["yes_tag", "no_tag", "yes_tag"]), np.array([1.0, 2.0, 0.5]))
    {'yes_tag': 1.5, 'no_tag': 2.0}
    """
    codes, uniq = pd.factorize(keys, sort=False)
    sums = np.bincount(codes, weights=km, minlength=len(uniq))
    return {str(k): float(v) for k, v in zip(uniq, sums, strict=True)}


def summarize(data: OsmData, net: WalkNetwork, lamps=None) -> InspectSummary:
    """Summarise ``data`` and ``net`` inside ``data.area`` (lengths clipped to the area)."""
    area = data.area
    shapely.prepare(area)
    lamps = data.lamps if lamps is None else lamps
    e = net.edges
    km = _length_inside_m(np.asarray(e.geometry.values, dtype=object), area) / 1000.0
    by = _km_by_key(e["lit"].astype(str) + "_" + e["lit_source"].astype(str), km)
    lit_km = {k: float(km[e["lit"].values == k].sum()) for k in ("yes", "no", "unknown")}
    lamp_in = lamps[shapely.contains_xy(area, lamps.geometry.x, lamps.geometry.y)] if len(lamps) else lamps
    green = data.green
    inside = _cut_to(area, np.asarray(green.geometry.values, dtype=object))
    union = shapely.union_all(inside) if len(green) else None
    pub = green["public"].to_numpy(bool)
    pub_union = shapely.union_all(inside[pub]) if pub.any() else None
    b = data.buildings
    # the prepared area first: shapely tests against the prepared one (a municipality polygon)
    b_in = b[shapely.intersects(area, np.asarray(b.geometry.values, dtype=object))] if len(b) else b
    dest = data.destinations
    notes = dict(data.notes)
    ncomp, largest = _components(net)
    tunnels, tunnel_km = _tunnels(net, km * 1000.0)
    return InspectSummary(
        source=data.source,
        crs_epsg=int(data.crs.to_epsg() or 0),
        crs_name=data.crs.name,
        area_km2=area.area / 1e6,
        walkable_km=float(km.sum()),
        lit_km=lit_km["yes"],
        dark_km=lit_km["no"],
        unknown_km=lit_km["unknown"],
        km_by_lit_source={k: v for k, v in by.items() if v > 0},
        lamps_osm=int((lamp_in["source"] == "osm").sum()) if len(lamp_in) else 0,
        lamps_register=int((lamp_in["source"] == "register").sum()) if len(lamp_in) else 0,
        green_ha=union.area / 1e4 if union is not None else 0.0,
        public_green_ha=pub_union.area / 1e4 if pub_union is not None else 0.0,
        green_areas=int(len(green)),
        destinations={c: int((dest["category"] == c).sum()) for c in T.CATEGORIES},
        buildings=int(len(b_in)),
        buildings_levels_known=int((b_in["levels_source"] != "assumed").sum()) if len(b_in) else 0,
        buildings_by_use={k: int(v) for k, v in b_in["use"].value_counts().items()} if len(b_in) else {},
        network_nodes=int(len(net.nodes)),
        network_edges=int(len(net.edges)),
        network_components=ncomp,
        largest_component_share=largest,
        highway_not_walked={k.split(":", 1)[1]: v for k, v in notes.items()
                            if k.startswith("highway_not_walked:")},
        way_node_refs_missing=int(notes.get("way_node_refs_missing", 0)),
        tunnels=tunnels,
        tunnel_km=tunnel_km,
        areas_cut_kept=int(notes.get("areas_cut_by_extract_kept", 0)),
        areas_cut_dropped=int(notes.get("areas_cut_by_extract_dropped", 0)),
        destinations_from_lines=int(notes.get("destinations_mapped_as_lines", 0)),
        cycleways_without_foot_walked=int(notes.get("cycleways_without_foot_walked", 0)),
    )


def inspect_osm(path, *, progress: Progress | None = None, **read_options) -> InspectSummary:
    """Read ``path``, build the walk network and summarise data quality inside ``area``.

    Parameters
    ----------
    path
        OSM extract (.osm.pbf, .osm, .osm.bz2).
    progress
        Progress sink (may cancel).
    **read_options
        The keywords of :func:`geoplan.network.read_walk_network`, all optional:

        area : AreaLike
            Study area: polygon file, ``(minlon, minlat, maxlon, maxlat)``, or a shapely
            geometry in WGS 84. None: the whole extract.
        crs
            Metric CRS override (default: chosen from the area's country).
        lamps_file, lamps_crs, lamps_mode
            Optional municipal lamp register, the CRS of a CSV register, and
            'augment' (default) / 'replace'.
        lighting : LightingRule
            The lighting rule.
    """
    data, lamps, net = read_walk_network(path, progress=progress, **read_options)
    s = summarize(data, net, lamps)
    if progress is not None:
        progress.report(1.0, "done")
    return s
