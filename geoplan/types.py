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
    #: map context only: water polygons (``kind``, ``name``) and place names (points); None
    #: when not read (:func:`geoplan.sources.osm.read_context`)
    water: Any = None
    places: Any = None


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


# --------------------------------------------------------------------------------------------
# Scenario value objects (geoplan.scenario.edits applies them; geoplan.scenario.io stores them)
# --------------------------------------------------------------------------------------------
#: How a new path crosses the paths it meets: ``""`` (at grade: junctions), ``bridge`` or
#: ``tunnel`` (no junctions where it crosses; it still connects at its ends).
PATH_CROSSINGS: tuple[str, ...] = ("", "bridge", "tunnel")
#: Residents per new dwelling of a densification (``Densify.persons_per_dwelling``).
PERSONS_PER_DWELLING: float = 2.1
#: Residents per m² of residential floor area, for the buildings estimate of population
#: (:mod:`geoplan.population`) and for new floor area (``Densify.persons_per_m2``): 1/42. SCB,
#: "Hushållens boende 2019" (statistical news 2020-04-23): the average dwelling floor area
#: (bostadsarea) in Sweden is 42 m² per person (33 m² in Botkyrka, Stockholm, Solna, Sundbyberg;
#: 54 m² in Tingsryd, Ydre). OSM floor area is footprint x levels, i.e. gross rather than living
#: area, which tends to make the estimate high; missing ``building:levels`` tags tend to make it
#: low.
PERSONS_PER_M2: float = 1.0 / 42.0
#: A new path's end joins an existing edge within this many metres (``Scenario.connect_within_m``).
CONNECT_WITHIN_M: float = 15.0


def _scenario_error(message: str):
    from .errors import ConfigError

    return ConfigError(message)


def _check_geometry(geom, kinds: tuple[str, ...], what: str) -> None:
    import shapely

    if geom is None or not isinstance(geom, shapely.Geometry):
        raise _scenario_error(f"{what}: a {' or '.join(kinds)} geometry is needed, got {geom!r}")
    if geom.is_empty:
        raise _scenario_error(f"{what} has an empty geometry: draw it again or delete the row")
    if geom.geom_type not in kinds:
        raise _scenario_error(f"{what} must be a {' or '.join(kinds)}, got a {geom.geom_type}")


@dataclass(frozen=True)
class NewPath:
    """A new walkable path (``geometry``: a LineString in the scenario's CRS).

    Its ends join the nearest edge within ``Scenario``'s connection tolerance (that edge is split
    there); where it crosses an existing path at grade it makes a junction, unless ``crossing``
    is ``'bridge'`` or ``'tunnel'``. ``lit`` is what the design says (like an OSM ``lit`` tag).

    Examples
    --------
    >>> import shapely
    >>> NewPath(shapely.LineString([(0, 0), (80, 0)]), lit=True).kind
    'footway'
    """

    geometry: Any
    lit: bool = True
    kind: str = "footway"
    crossing: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        _check_geometry(self.geometry, ("LineString",), f"new path {self.name}".strip())
        if not self.geometry.length > 0:
            raise _scenario_error("a new path has zero length: draw at least two distinct points")
        if self.crossing not in PATH_CROSSINGS:
            raise _scenario_error(
                f"new path crossing must be one of {PATH_CROSSINGS} ('' = at grade), "
                f"got {self.crossing!r}")
        lit = {"yes": True, "no": False}.get(self.lit, self.lit) if isinstance(self.lit, str) \
            else self.lit
        if lit not in (True, False):  # also 1/0 and numpy booleans
            raise _scenario_error(f"new path lit must be yes/no (True/False), got {self.lit!r}")
        object.__setattr__(self, "lit", bool(lit))
        if not str(self.kind).strip():
            raise _scenario_error("new path kind must be a highway value such as 'footway'")


@dataclass(frozen=True)
class Lighting:
    """New lighting: street ``lamps`` (Points) and/or whole paths lit by id.

    ``osm_ids`` are OSM way ids (an edge made of several ways is lit when any of them is
    listed); ``edge_ids`` are 0-based positions in the baseline network (the ``fid`` of the run's
    ``network`` layer minus 1). Lamps light every edge, existing or new, within the lighting
    rule's lamp radius of a new lamp whose length is then covered at least ``min_lit_share``.

    Examples
    --------
    >>> Lighting(osm_ids=(123,)).osm_ids
    (123,)
    """

    lamps: tuple = ()
    osm_ids: tuple[int, ...] = ()
    edge_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        lamps = tuple(self.lamps)
        for p in lamps:
            _check_geometry(p, ("Point",), "a new lamp")
        try:
            osm = tuple(int(x) for x in self.osm_ids)
            edges = tuple(int(x) for x in self.edge_ids)
        except (TypeError, ValueError) as exc:
            raise _scenario_error(f"lighting ids must be whole numbers: {exc}") from exc
        if any(e < 0 for e in edges):
            raise _scenario_error(f"edge ids are positions >= 0, got {[e for e in edges if e < 0]}")
        if not (lamps or osm or edges):
            raise _scenario_error("a lighting edit needs lamps, osm_ids or edge_ids")
        object.__setattr__(self, "lamps", lamps)
        object.__setattr__(self, "osm_ids", osm)
        object.__setattr__(self, "edge_ids", edges)


@dataclass(frozen=True)
class Densify:
    """New homes in ``polygon``: give exactly one of ``dwellings``, ``residents``,
    ``floor_area_m2``.

    Residents = dwellings × ``persons_per_dwelling``, or floor area × ``persons_per_m2`` (1/42,
    SCB's 42 m² per person). They are added to the grid cells by the share of the polygon's area
    in each cell. Buildings, origins and distances do not change.

    Examples
    --------
    >>> import shapely
    >>> Densify(shapely.box(0, 0, 50, 50), dwellings=300).residents_added()
    630.0
    """

    polygon: Any
    dwellings: float | None = None
    residents: float | None = None
    floor_area_m2: float | None = None
    persons_per_dwelling: float = PERSONS_PER_DWELLING
    persons_per_m2: float = PERSONS_PER_M2
    name: str = ""

    def __post_init__(self) -> None:
        import math

        _check_geometry(self.polygon, ("Polygon", "MultiPolygon"), "a densification block")
        if not self.polygon.is_valid:
            raise _scenario_error("a densification block is not a valid polygon (self-"
                                  "intersecting?): fix it with QGIS 'Fix geometries'")
        given = {k: getattr(self, k) for k in ("dwellings", "residents", "floor_area_m2")
                 if getattr(self, k) is not None and not (isinstance(getattr(self, k), float)
                                                          and math.isnan(getattr(self, k)))}
        if len(given) != 1:
            raise _scenario_error(
                "a densification block needs exactly one number: dwellings, residents or "
                f"floor_area_m2 (got {given or 'none'})")
        (key, value), = given.items()
        try:
            value = float(value)
        except (TypeError, ValueError) as exc:
            raise _scenario_error(f"densification {key} must be a number, got {value!r}") from exc
        if not (math.isfinite(value) and value > 0):
            raise _scenario_error(f"densification {key} must be > 0, got {value}")
        for k in ("dwellings", "residents", "floor_area_m2"):
            object.__setattr__(self, k, value if k == key else None)
        for k in ("persons_per_dwelling", "persons_per_m2"):
            if not float(getattr(self, k)) > 0:
                raise _scenario_error(f"{k} must be > 0, got {getattr(self, k)}")

    def residents_added(self) -> float:
        """Residents the block adds."""
        if self.residents is not None:
            return float(self.residents)
        if self.dwellings is not None:
            return float(self.dwellings) * float(self.persons_per_dwelling)
        return float(self.floor_area_m2) * float(self.persons_per_m2)


@dataclass(frozen=True)
class NewGreen:
    """A new green space (``polygon``); ``public`` ones count in every green measure.

    Examples
    --------
    >>> import shapely
    >>> NewGreen(shapely.box(0, 0, 100, 100)).kind
    'park'
    """

    polygon: Any
    public: bool = True
    kind: str = "park"
    name: str = ""

    def __post_init__(self) -> None:
        _check_geometry(self.polygon, ("Polygon", "MultiPolygon"), "a new green space")
        if not self.polygon.is_valid:
            raise _scenario_error("a new green space is not a valid polygon (self-intersecting?):"
                                  " fix it with QGIS 'Fix geometries'")
        object.__setattr__(self, "public", bool(self.public))


@dataclass(frozen=True)
class NewDestination:
    """A new destination (``point``) of one of geoplan's ``category`` values (school, grocery …).

    Examples
    --------
    >>> import shapely
    >>> NewDestination(shapely.Point(0, 0), "school").category
    'school'
    """

    point: Any
    category: str
    name: str = ""

    def __post_init__(self) -> None:
        from .sources.osm_tags import CATEGORIES

        _check_geometry(self.point, ("Point",), f"new destination {self.name}".strip())
        if self.category not in CATEGORIES:
            raise _scenario_error(
                f"unknown destination category {self.category!r}: choose one of "
                f"{', '.join(CATEGORIES)}")


#: The edit types a Scenario holds.
EDIT_TYPES = (NewPath, Lighting, Densify, NewGreen, NewDestination)


@dataclass(frozen=True)
class Scenario:
    """A named list of edits, with geometries in ``crs`` (reprojected to the study's when
    applied). ``connect_within_m``: a new path's end joins an edge within this distance.

    Examples
    --------
    >>> import shapely
    >>> s = Scenario("lit path", (NewPath(shapely.LineString([(0, 0), (50, 0)])),),
    ...              crs="EPSG:3067")
    >>> len(s.edits), s.without_edits().edits
    (1, ())
    """

    name: str
    edits: tuple = ()
    description: str = ""
    crs: Any = None
    connect_within_m: float = CONNECT_WITHIN_M

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise _scenario_error("a scenario needs a name (e.g. 'lit path through the park')")
        edits = tuple(self.edits)
        bad = [type(e).__name__ for e in edits if not isinstance(e, EDIT_TYPES)]
        if bad:
            raise _scenario_error(
                f"scenario edits must be NewPath, Lighting, Densify, NewGreen or NewDestination, "
                f"got {bad}")
        if edits and self.crs is None:
            raise _scenario_error("a scenario with edits needs the CRS of their geometries "
                                  "(e.g. crs='EPSG:3006')")
        if not self.connect_within_m > 0:
            raise _scenario_error(f"connect_within_m must be > 0 metres, got "
                                  f"{self.connect_within_m}")
        object.__setattr__(self, "edits", edits)

    def of_type(self, kind: type) -> tuple:
        """The edits of one type, in order."""
        return tuple(e for e in self.edits if isinstance(e, kind))

    def without_edits(self) -> Scenario:
        """The same scenario with no edits (it gives the baseline back)."""
        from dataclasses import replace

        return replace(self, edits=())


__all__ += ["CONNECT_WITHIN_M", "EDIT_TYPES", "PATH_CROSSINGS", "PERSONS_PER_DWELLING",
            "PERSONS_PER_M2", "Densify", "Lighting", "NewDestination", "NewGreen",
            "NewPath", "Scenario"]
