"""Frozen value objects: the inputs, the walk network and the knobs of each computation.

Column contracts (all GeoDataFrames are in the metric CRS of the run):

``OsmData.ways``
    walkable OSM ways, LineString: ``osm_id`` (int), ``highway``, ``name``, ``lit_tag`` (raw ``lit``
    value or None), ``tunnel`` (bool: tunnel=* or covered=yes), ``bridge`` (bool), ``surface``,
    ``width``, ``foot``, ``node_ids`` (tuple of OSM node ids along the way).
``OsmData.lamps``
    street lamps, Point: ``lamp_id`` (str), ``source`` ('osm' or 'register').
``OsmData.green``
    green spaces, (Multi)Polygon: ``osm_id``, ``osm_type`` ('w'/'r'), ``kind`` (e.g. 'park'),
    ``name``, ``area_ha``, ``public`` (bool).
``OsmData.destinations``
    Point: ``osm_id``, ``osm_type`` ('n'/'w'/'r'), ``category`` (one of
    :data:`geoplan.sources.osm_tags.CATEGORIES`), ``name``. Areas are represented by a point on
    their surface; ``footprint_m2`` is their area (0 for nodes).
``OsmData.buildings``
    (Multi)Polygon: ``osm_id``, ``building`` (tag value), ``use`` ('residential', 'mixed',
    'non_residential', 'unknown'), ``levels`` (float), ``levels_source`` ('tag', 'height',
    'assumed'), ``height_m``, ``footprint_m2``, ``floor_area_m2``.
``WalkNetwork.nodes``
    Point, index ``node`` = 0..n-1: ``osmid`` (OSM node id, or negative for nodes geoplan made).
``WalkNetwork.edges``
    LineString, one row per undirected edge, index 0..m-1: ``u``, ``v`` (node index), ``length_m``,
    ``lit`` ('yes'/'no'/'unknown'), ``lit_source`` ('tag'/'lamps'/'assumed'/'none'),
    ``lamp_share`` (share of the length within the lamp radius), ``tunnel`` (bool), ``bridge``
    (bool), ``highway``, ``name``, ``surface``, ``osmid`` (way ids joined with ';').
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["AccessSpec", "LightingRule", "OsmData", "SafetyWeights", "WalkNetwork"]


@dataclass(frozen=True)
class LightingRule:
    """How an edge's lighting is decided.

    1. A ``lit`` tag decides (``lit_source='tag'``): yes, 24/7, automatic, interval, sunset-sunrise,
       dusk-dawn or an opening-hours value -> ``yes``; no, disused, limited, off -> ``no``.
    2. Without a tag, street lamps decide (``lit_source='lamps'``): ``yes`` when at least
       ``min_lit_share`` of the edge's length lies within ``lamp_radius_m`` of a lamp.
    3. Otherwise ``assume`` may set a value per ``highway`` type (``lit_source='assumed'``),
       e.g. ``{"residential": "yes"}`` where the municipality lights all residential streets.
    4. Everything else stays ``unknown`` (``lit_source='none'``): never reported as lit or dark.

    Examples
    --------
    >>> LightingRule().lamp_radius_m, LightingRule().min_lit_share
    (25.0, 0.3)
    """

    lamp_radius_m: float = 25.0
    min_lit_share: float = 0.3
    assume: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        from .errors import ConfigError

        if not self.lamp_radius_m > 0:
            raise ConfigError(f"lamp_radius_m must be > 0 metres, got {self.lamp_radius_m}")
        if not 0 < self.min_lit_share <= 1:
            raise ConfigError(f"min_lit_share must be in (0, 1], got {self.min_lit_share}")
        assume = dict(self.assume)
        bad = {k: v for k, v in assume.items() if v not in ("yes", "no")}
        if bad:
            raise ConfigError(f"lighting assume values must be 'yes' or 'no', got {bad}")
        object.__setattr__(self, "assume", MappingProxyType(assume))


@dataclass(frozen=True)
class OsmData:
    """What geoplan reads from an OSM extract, clipped to the study area, in a metric CRS."""

    crs: Any
    area: Any  # shapely (Multi)Polygon in ``crs``
    ways: Any
    lamps: Any
    green: Any
    destinations: Any
    buildings: Any
    source: str = ""
    #: counts for the data-quality summary (e.g. highway values that were not used)
    notes: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class WalkNetwork:
    """The walk network: nodes and undirected edges in a metric CRS."""

    nodes: Any
    edges: Any
    crs: Any


@dataclass(frozen=True)
class AccessSpec:
    """Knobs of the accessibility, green-space and night-access indicators.

    Examples
    --------
    >>> AccessSpec().radii_m
    (400.0, 800.0, 1200.0)
    """

    #: destination categories to compute (see geoplan.sources.osm_tags.CATEGORIES)
    categories: tuple[str, ...] = (
        "school", "preschool", "grocery", "transit_stop", "healthcare", "library",
        "meeting_place", "sports", "playground",
    )
    #: radii of the "count within" measures, metres of network distance
    radii_m: tuple[float, ...] = (400.0, 800.0, 1200.0)
    #: gravity: weight × exp(-ln 2 · d / half_distance_m), summed within cutoff_m
    gravity_half_distance_m: float = 400.0
    gravity_cutoff_m: float = 1200.0
    #: origins and destinations farther than this from any walkable edge get no access
    max_snap_m: float = 150.0
    #: origins and destinations attach only to parts of the network at least this long in total
    #: (a courtyard path cut off from the rest, a fragment at the extract's edge): otherwise a
    #: cell whose centre falls next to such a fragment would be reported as reaching nothing
    min_component_m: float = 500.0
    #: public green space: SCB's rule (≥ 0.5 ha within 300 m) and WHO's (≥ 1 ha within 300 m)
    green_scb_min_ha: float = 0.5
    green_who_min_ha: float = 1.0
    green_within_m: float = 300.0
    #: green m² per resident: public green reachable within this distance
    green_per_capita_within_m: float = 500.0
    #: night access: how edges of unknown lighting are treated on the lit-only network
    night_unknown_as: str = "dark"
    #: a cell "loses access after dark" to a category when it is reachable within this distance
    #: by day and not by night (on lit paths only)
    night_threshold_m: float = 800.0

    def __post_init__(self) -> None:
        from .errors import ConfigError
        from .sources.osm_tags import CATEGORIES

        bad = [c for c in self.categories if c not in CATEGORIES]
        if bad:
            raise ConfigError(
                f"unknown destination categories {bad}: choose from {', '.join(CATEGORIES)}"
            )
        if not self.radii_m or any(r <= 0 for r in self.radii_m):
            raise ConfigError(f"radii_m must be positive distances in metres, got {self.radii_m}")
        object.__setattr__(self, "radii_m", tuple(float(r) for r in self.radii_m))
        object.__setattr__(self, "categories", tuple(self.categories))
        if self.night_unknown_as not in ("dark", "lit"):
            raise ConfigError(
                f"night_unknown_as must be 'dark' or 'lit', got {self.night_unknown_as!r}"
            )
        if self.min_component_m < 0:
            raise ConfigError(f"min_component_m must be >= 0, got {self.min_component_m}")
        for name in ("gravity_half_distance_m", "gravity_cutoff_m", "max_snap_m", "green_within_m",
                     "green_per_capita_within_m", "night_threshold_m"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be > 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class SafetyWeights:
    """Weights of the 0-100 safety index (they are normalised to sum to 1).

    Each component is scaled to 0..1 where 1 is safer:

    - ``lit``: lit share of the walkable length in the cell (unknown counts as not lit, and lowers
      ``data_confidence`` instead);
    - ``no_dark_stretch``: 1 - min(longest dark stretch / 200 m, 1);
    - ``no_tunnel``: 1 if no tunnel/underpass path in the cell, else 0;
    - ``connectivity``: min(intersection density / 100 per km², 1) — well-connected grids offer
      alternatives and escape routes;
    - ``eyes_on_street``: min(eyes-on-the-street proxy / its 90th percentile in the study area, 1).

    The defaults are a documented starting point, not a standard: municipalities should set their
    own (pipeline key ``[safety.weights]``).
    """

    lit: float = 0.35
    no_dark_stretch: float = 0.15
    no_tunnel: float = 0.10
    connectivity: float = 0.15
    eyes_on_street: float = 0.25

    def __post_init__(self) -> None:
        from .errors import ConfigError

        vals = self.as_dict()
        if any(v < 0 for v in vals.values()) or sum(vals.values()) <= 0:
            raise ConfigError(f"safety weights must be >= 0 and not all 0, got {vals}")

    def as_dict(self) -> dict[str, float]:
        return {k: float(getattr(self, k)) for k in
                ("lit", "no_dark_stretch", "no_tunnel", "connectivity", "eyes_on_street")}

    def normalised(self) -> dict[str, float]:
        d = self.as_dict()
        s = sum(d.values())
        return {k: v / s for k, v in d.items()}
