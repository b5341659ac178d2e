"""OpenStreetMap tag rules: which ways are walkable, how ``lit`` reads, what is green, what is a
destination, how a building is used. Pure functions on tag dicts, documented rule by rule so a GIS
analyst can check them against the OSM wiki.

Examples
--------
>>> is_walkable({"highway": "footway"})
True
>>> is_walkable({"highway": "cycleway"}), is_walkable({"highway": "cycleway", "foot": "designated"})
(False, True)
>>> is_walkable({"highway": "cycleway"}, cycleway_foot_default=cycleways_walkable("SE"))
True
>>> lit_value("24/7"), lit_value("disused"), lit_value(None)
('yes', 'no', 'unknown')
>>> destination_categories({"amenity": "kindergarten"})
['preschool']
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = [
    "CATEGORIES",
    "CATEGORY_RULES",
    "GREEN_RULES",
    "KEYS_OF_INTEREST",
    "PLACE_NAME_KINDS",
    "WALKABLE_HIGHWAYS",
    "WATER_RULES",
    "building_levels",
    "FOOT_ON_CYCLEWAY_COUNTRIES",
    "building_use",
    "cycleways_walkable",
    "destination_categories",
    "green_kind",
    "green_public",
    "is_coastline",
    "is_street_lamp",
    "is_underground",
    "is_walkable",
    "lit_value",
    "parse_metres",
    "place_name",
    "water_kind",
]

# --- walkable ways ---------------------------------------------------------------------------
#: highway values walked on by default (osmnx's "walk" network, minus motorways, plus steps).
WALKABLE_HIGHWAYS = frozenset(
    {
        "footway", "path", "pedestrian", "steps", "living_street", "residential", "service",
        "track", "unclassified", "road", "tertiary", "tertiary_link", "secondary",
        "secondary_link", "primary", "primary_link", "trunk", "trunk_link",
    }
)
#: highway values walked on only where feet are explicitly allowed (foot=yes/designated/permissive,
#: or a ``segregated`` tag, which only exists on shared foot-and-cycle ways).
CONDITIONAL_HIGHWAYS = frozenset({"cycleway", "bridleway"})
_FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "official"})
_FOOT_FORBIDDEN = frozenset({"no", "private", "use_sidepath"})
_ACCESS_FORBIDDEN = frozenset({"no", "private"})
#: roads whose sidewalks are mapped as separate ways are not walked on themselves
#: (the separate sidewalks are): sidewalk=separate, sidewalk:both=separate, or both sides
#: separate/no with at least one separate.
_ROAD_TYPES_WITH_SIDEWALKS = WALKABLE_HIGHWAYS - {"footway", "path", "pedestrian", "steps", "track"}
#: through roads whose tunnels are for cars unless a foot tag or a sidewalk says otherwise
_CAR_TUNNEL_ROADS = frozenset({"trunk", "trunk_link", "primary", "primary_link", "secondary",
                               "secondary_link", "tertiary", "tertiary_link", "unclassified",
                               "road"})
_SIDEWALK_KEYS = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")


def _car_tunnel(tags: Mapping[str, str]) -> bool:
    """A through road in a tunnel with no sidewalk mapped: a car tunnel (e.g. Helsinki's
    Keskustatunneli, Stockholm's Norra länken), not walked on."""
    if tags.get("highway") not in _CAR_TUNNEL_ROADS:
        return False
    if (tags.get("tunnel") or "no") in ("no", "building_passage"):
        return False
    return not any(tags.get(k) not in (None, "no", "none", "separate") for k in _SIDEWALK_KEYS)


def _sidewalks_separate(tags: Mapping[str, str]) -> bool:
    if tags.get("sidewalk") == "separate" or tags.get("sidewalk:both") == "separate":
        return True
    left, right = tags.get("sidewalk:left"), tags.get("sidewalk:right")
    sides = {left, right}
    return "separate" in sides and sides <= {"separate", "no"}


#: Countries whose traffic rules let pedestrians use a cycleway where there is no footway or
#: shoulder (Sweden, Denmark, Finland, Norway): there a cycleway without a ``foot`` tag is walked on.
FOOT_ON_CYCLEWAY_COUNTRIES = frozenset({"SE", "DK", "FI", "NO"})


def cycleways_walkable(country: str | None) -> bool:
    """Whether a cycleway without a ``foot`` tag is walked on in ``country`` (ISO 3166-1
    alpha-2): the default of :func:`is_walkable`'s ``cycleway_foot_default``.

    >>> cycleways_walkable("SE"), cycleways_walkable("DE"), cycleways_walkable(None)
    (True, False, False)
    """
    return (country or "").upper() in FOOT_ON_CYCLEWAY_COUNTRIES


def is_walkable(tags: Mapping[str, str], *, cycleway_foot_default: bool = False) -> bool:
    """Whether a way with these tags is part of the walk network.

    Rules, in order:

    1. ``foot=no/private/use_sidepath`` -> not walkable; ``foot=yes/designated/permissive`` -> walkable
       whatever the highway type (except motorways and ways under construction).
    2. ``access=no/private`` (without a foot tag allowing it), ``service=private`` -> not walkable.
    3. Roads whose sidewalks are mapped separately (``sidewalk=separate`` …) -> not walkable:
       the sidewalk ways carry the pedestrians.
    4. ``motorroad=yes`` -> not walkable; nor a car tunnel: a trunk, primary, secondary,
       tertiary or unclassified road with ``tunnel`` (not ``building_passage``) and no sidewalk
       mapped on it (an allowing foot tag overrides).
    5. Squares (``highway=pedestrian/footway`` + ``area=yes``) are walked along their outline,
       which joins the paths that end at them (osmnx drops them, leaving those paths cut off).
    6. highway in :data:`WALKABLE_HIGHWAYS` -> walkable; ``cycleway``/``bridleway`` only with an
       allowing foot tag or a ``segregated`` tag, and a ``cycleway`` without ``foot`` also when
       ``cycleway_foot_default`` (the rule of the country, :func:`cycleways_walkable`: pedestrians
       may use a cycleway in SE, DK, FI and NO where there is no footway). Everything else (motorway, construction, proposed,
       platform, corridor (indoor), elevator, raceway and undocumented values such as ``trail``
       …) is not walked on; the data-quality summary lists what was left out. (The Helsinki
       extract has 159 untagged ``highway=trail`` ways with a median length of 2.7 m: an
       artefact, not paths.)
    """
    hw = tags.get("highway")
    if hw is None or hw in {"motorway", "motorway_link", "construction", "proposed", "abandoned"}:
        return False
    if tags.get("area") == "yes" and hw not in ("pedestrian", "footway"):
        return False
    foot = tags.get("foot")
    if foot in _FOOT_FORBIDDEN:
        return False
    foot_ok = foot in _FOOT_ALLOWED
    if not foot_ok and (tags.get("access") in _ACCESS_FORBIDDEN or tags.get("service") == "private"):
        return False
    if hw in _ROAD_TYPES_WITH_SIDEWALKS and _sidewalks_separate(tags) and not foot_ok:
        return False
    if tags.get("motorroad") == "yes" or (_car_tunnel(tags) and not foot_ok):
        return False
    if hw in WALKABLE_HIGHWAYS:
        return True
    if hw in CONDITIONAL_HIGHWAYS:
        return foot_ok or "segregated" in tags or (
            cycleway_foot_default and hw == "cycleway" and foot is None)
    return foot_ok and hw not in {"platform", "corridor", "elevator", "bus_guideway", "raceway"}


# --- lighting ----------------------------------------------------------------------------------
_LIT_YES = frozenset(
    {"yes", "24/7", "automatic", "interval", "sunset-sunrise", "dusk-dawn", "limited:no", "on"}
)
_LIT_NO = frozenset({"no", "disused", "limited", "off", "none"})
_OPENING_HOURS = re.compile(r"\d{1,2}:\d{2}|^(mo|tu|we|th|fr|sa|su)\b", re.IGNORECASE)


def lit_value(tag: str | None) -> str:
    """Map an OSM ``lit`` value to 'yes', 'no' or 'unknown' as the OSM wiki documents it.

    ``yes``, ``24/7``, ``automatic``, ``interval``, ``sunset-sunrise``, ``dusk-dawn`` and
    opening-hours values (``Mo-Su 16:00-07:00``: lit at night) mean lit; ``no``, ``disused``,
    ``limited`` and ``off`` mean dark. A missing or unrecognised value is 'unknown'.
    """
    if tag is None:
        return "unknown"
    v = tag.strip().lower()
    if v in _LIT_YES:
        return "yes"
    if v in _LIT_NO:
        return "no"
    if _OPENING_HOURS.search(v):
        return "yes"
    return "unknown"


def is_underground(tags: Mapping[str, str]) -> bool:
    """Whether a way runs below ground or indoors, where homes and destinations above it are
    not: a tunnel (but not a ``building_passage`` at street level), a negative ``layer``, an
    ``indoor`` way or one with a ``level`` other than 0. Homes and destinations attach to such a
    way only when no other walkable way is near.

    >>> is_underground({"tunnel": "yes"}), is_underground({"tunnel": "building_passage"})
    (True, False)
    >>> is_underground({"layer": "-3"}), is_underground({"layer": "1"}), is_underground({})
    (True, False, False)
    >>> is_underground({"indoor": "corridor"}), is_underground({"level": "-1"})
    (True, True)
    >>> is_underground({"level": "0"}), is_underground({"indoor": "no", "layer": "x"})
    (False, False)
    """
    tunnel = (tags.get("tunnel") or "no").strip().lower()
    if tunnel not in ("no", "building_passage"):
        return True
    try:
        layer = float((tags.get("layer") or "0").split(";")[0].strip())
    except ValueError:
        layer = 0.0
    if layer < 0:
        return True
    if (tags.get("indoor") or "no").strip().lower() != "no":
        return True
    level = (tags.get("level") or "").strip()
    return level not in ("", "0")


def is_street_lamp(tags: Mapping[str, str]) -> bool:
    """``highway=street_lamp`` (the documented tag for a street light)."""
    return tags.get("highway") == "street_lamp"


# --- green space -------------------------------------------------------------------------------
#: (key, value) -> kind of green space.
GREEN_RULES: dict[tuple[str, str], str] = {
    ("leisure", "park"): "park",
    ("leisure", "garden"): "garden",
    ("leisure", "playground"): "playground",
    ("leisure", "nature_reserve"): "nature_reserve",
    ("leisure", "recreation_ground"): "recreation_ground",
    ("leisure", "common"): "common",
    ("leisure", "dog_park"): "dog_park",
    ("landuse", "recreation_ground"): "recreation_ground",
    ("landuse", "grass"): "grass",
    ("landuse", "forest"): "forest",
    ("landuse", "meadow"): "meadow",
    ("landuse", "village_green"): "village_green",
    ("landuse", "allotments"): "allotments",
    ("natural", "wood"): "wood",
    ("natural", "scrub"): "scrub",
    ("natural", "grassland"): "grassland",
    ("natural", "heath"): "heath",
    ("boundary", "national_park"): "nature_reserve",
    ("boundary", "protected_area"): "nature_reserve",
}
#: the keys :data:`GREEN_RULES` look at
_GREEN_KEYS = frozenset(k for k, _ in GREEN_RULES)
_NOT_PUBLIC_ACCESS = frozenset({"private", "no", "customers", "permit", "members"})


def green_kind(tags: Mapping[str, str]) -> str | None:
    """Kind of green space these tags describe, or None (first matching rule of GREEN_RULES)."""
    if _GREEN_KEYS.isdisjoint(tags):  # most features (buildings, streets): no rule's key
        return None
    for (k, v), kind in GREEN_RULES.items():
        if tags.get(k) == v:
            return kind
    return None


def green_public(tags: Mapping[str, str]) -> bool:
    """Public unless ``access`` says otherwise or it is a private/residential garden.

    ``access=private/no/customers/permit/members``, ``garden:type=residential/private`` and
    ``leisure=garden`` with ``access`` unset inside a private context cannot be told apart in OSM;
    geoplan counts gardens as public unless tagged otherwise.
    """
    if tags.get("access") in _NOT_PUBLIC_ACCESS:
        return False
    return tags.get("garden:type") not in {"residential", "private"}


# --- destinations ------------------------------------------------------------------------------
#: category -> list of (key, values) rules; a feature matching any rule belongs to the category.
CATEGORY_RULES: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "school": (("amenity", frozenset({"school"})),),
    "preschool": (("amenity", frozenset({"kindergarten", "childcare"})),),
    "grocery": (("shop", frozenset({"supermarket", "convenience", "greengrocer", "grocery"})),),
    "transit_stop": (
        ("highway", frozenset({"bus_stop"})),
        ("railway", frozenset({"tram_stop", "station", "halt", "subway_entrance"})),
        ("public_transport", frozenset({"platform", "station"})),
        ("amenity", frozenset({"bus_station", "ferry_terminal"})),
    ),
    "healthcare": (
        ("amenity", frozenset({"clinic", "doctors", "hospital", "dentist"})),
        ("healthcare", frozenset({"centre", "clinic", "doctor", "hospital", "dentist"})),
    ),
    "library": (("amenity", frozenset({"library"})),),
    "meeting_place": (
        ("amenity", frozenset({"community_centre", "social_centre"})),
        ("community_centre", frozenset({"youth_centre"})),
    ),
    "sports": (
        (
            "leisure",
            frozenset({"sports_centre", "pitch", "fitness_centre", "stadium", "sports_hall",
                       "ice_rink", "fitness_station", "track"}),
        ),
    ),
    "playground": (("leisure", frozenset({"playground"})),),
}
#: destination categories, in report order.
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_RULES)
#: key -> ((category, values), ...) of :data:`CATEGORY_RULES`
_CATEGORY_INDEX: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    key: tuple((c, vals) for c, rules in CATEGORY_RULES.items() for k, vals in rules if k == key)
    for key in dict.fromkeys(k for rules in CATEGORY_RULES.values() for k, _ in rules)
}
_CATEGORY_KEYS = frozenset(_CATEGORY_INDEX)


def destination_categories(tags: Mapping[str, str]) -> list[str]:
    """Destination categories of a feature (a feature may belong to several, e.g. a school that
    is also a sports hall). Features tagged ``disused``/``abandoned`` lifecycle prefixes never match
    because their keys differ (``disused:amenity``)."""
    hit = set()
    for k in _CATEGORY_KEYS.intersection(tags):  # most features have none of the rules' keys
        v = tags[k]
        hit.update(cat for cat, vals in _CATEGORY_INDEX[k] if v in vals)
    return [c for c in CATEGORIES if c in hit] if hit else []


# --- buildings ---------------------------------------------------------------------------------
_RESIDENTIAL = frozenset(
    {"apartments", "residential", "house", "detached", "semidetached_house", "terrace",
     "dormitory", "bungalow", "farm", "cabin", "static_caravan", "houseboat", "semi"}
)
_NOT_BUILDINGS = frozenset({"no", "roof", "construction", "ruins", "entrance", "collapsed",
                            "demolished", "proposed", "destroyed", "razed"})
_UNKNOWN_USE = frozenset({"yes", "building", "block"})


def building_use(tags: Mapping[str, str]) -> str | None:
    """'residential', 'mixed', 'non_residential' or 'unknown'; None when it is no building.

    residential types (apartments, house, terrace …) with shop/office/amenity tags or
    ``building:use`` naming another use are 'mixed'; ``building=yes`` (use not mapped) is 'unknown',
    but ``building=yes`` carrying a shop, office, craft or amenity (other than a care home) is
    that place: 'non_residential'; roofs, ruins and buildings under construction are not
    buildings for geoplan.

    >>> building_use({"building": "yes"}), building_use({"building": "yes", "amenity": "library"})
    ('unknown', 'non_residential')
    >>> building_use({"building": "yes", "amenity": "social_facility"})
    'unknown'
    >>> building_use({"building": "apartments", "shop": "bakery"}), building_use({"building": "roof"})
    ('mixed', None)
    """
    b = tags.get("building")
    if b is None or b in _NOT_BUILDINGS:
        return None
    other_use = any(k in tags for k in ("shop", "office", "amenity", "craft")) or tags.get(
        "building:use", "residential"
    ) not in {"residential", "apartments"}
    if b in _RESIDENTIAL or b == "mixed_use":
        return "mixed" if (other_use or b == "mixed_use") else "residential"
    if b in _UNKNOWN_USE:
        bu = tags.get("building:use")
        if bu in {"residential", "apartments"}:
            return "residential"
        if bu or _names_other_use(tags):
            return "non_residential"
        return "unknown"
    return "non_residential"


#: ``amenity`` values of buildings where people live (kept 'unknown' on ``building=yes``).
_LIVED_IN_AMENITIES = frozenset({"social_facility", "nursing_home", "retirement_home"})


def _names_other_use(tags: Mapping[str, str]) -> bool:
    """A shop, office, craft or amenity mapped on the building itself (``building=yes`` + e.g.
    ``amenity=library``): the building is that place, not homes."""
    if tags.get("amenity") in _LIVED_IN_AMENITIES:
        return False
    return any(k in tags for k in ("shop", "office", "amenity", "craft"))


_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def parse_metres(value: str | None) -> float | None:
    """Parse an OSM length such as ``'12'``, ``'12.5 m'``, ``'12,5'``; feet (``'40 ft'``,
    ``40'``) are converted; None when there is no number.

    >>> parse_metres("12,5 m"), parse_metres("40 ft"), parse_metres("tall")
    (12.5, 12.192, None)
    """
    if value is None:
        return None
    m = _NUMBER.search(value)
    if not m:
        return None
    x = float(m.group(0).replace(",", "."))
    if "ft" in value or "'" in value:
        x *= 0.3048
    return round(x, 3) if x >= 0 else None


def building_levels(tags: Mapping[str, str], default_levels: float) -> tuple[float, str, float | None]:
    """Above-ground levels of a building: ``(levels, source, height_m)``.

    ``building:levels`` (source 'tag'), else ``height`` / 3 m per level (source 'height'), else
    ``default_levels`` (source 'assumed').
    """
    height = parse_metres(tags.get("height"))
    lv = parse_metres(tags.get("building:levels"))
    if lv is not None and lv > 0:
        return float(lv), "tag", height
    if height is not None and height > 0:
        return max(1.0, round(height / 3.0)), "height", height
    return float(default_levels), "assumed", height


#: tag keys the reader asks pyosmium for (everything else is skipped in C++).
KEYS_OF_INTEREST: tuple[str, ...] = (
    "highway", "building", "leisure", "landuse", "natural", "amenity", "shop", "railway",
    "public_transport", "healthcare", "boundary", "community_centre",
)


# --- map context: water and place names --------------------------------------------------------
#: (key, value) -> kind of a water polygon (read by :func:`geoplan.sources.osm.read_context`)
WATER_RULES: dict[tuple[str, str], str] = {
    ("natural", "water"): "water",
    ("waterway", "riverbank"): "river",
    ("landuse", "reservoir"): "reservoir",
    ("place", "sea"): "sea",
    ("place", "bay"): "bay",
    ("natural", "bay"): "bay",
    ("natural", "strait"): "strait",
}
#: ``place`` values whose names are drawn on the maps (small places, not the city)
PLACE_NAME_KINDS = frozenset({"suburb", "neighbourhood", "quarter"})


def water_kind(tags: Mapping[str, str]) -> str | None:
    """Kind of water area these tags describe (a polygon's tags), or None.

    >>> water_kind({"natural": "water", "water": "lake"}), water_kind({"water": "pond"})
    ('water', 'water')
    >>> water_kind({"waterway": "riverbank"}), water_kind({"waterway": "stream"})
    ('river', None)
    """
    for (k, v), kind in WATER_RULES.items():
        if tags.get(k) == v:
            return kind
    return "water" if tags.get("water") else None


def is_coastline(tags: Mapping[str, str]) -> bool:
    """A coastline way (land on its left, sea on its right).

    >>> is_coastline({"natural": "coastline"}), is_coastline({"natural": "water"})
    (True, False)
    """
    return tags.get("natural") == "coastline"


def place_name(tags: Mapping[str, str]) -> str | None:
    """The name of a suburb/neighbourhood/quarter node worth a label, or None.

    >>> place_name({"place": "suburb", "name": "Kamppi"}), place_name({"place": "city", "name": "X"})
    ('Kamppi', None)
    """
    if tags.get("place") in PLACE_NAME_KINDS and tags.get("name"):
        return str(tags["name"])
    return None
