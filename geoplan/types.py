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

__all__ = ["LightingRule", "OsmData", "WalkNetwork"]


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
