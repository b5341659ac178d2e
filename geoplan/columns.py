"""The indicator catalogue: every grid column's unit, better direction, kind, label and description.

One place says what a column of the grid means. :func:`catalogue` builds the entries from the
*configured* categories, radii and distances (an :class:`~geoplan.types.AccessSpec`), so a label
names the distance actually run (``n_school_500m`` -> "… within 500 m"). :func:`better` decides,
for any column name (also ``<column>_before/_after/_change`` and an area summary's
``<column>_pop_share``), whether higher or lower is an improvement. :data:`HEADLINE` is the one
list of headline columns (maps, report, scenario styles, the plugin's council layout) and
:data:`STUDY_AREA_KEY` the area key of the whole-study-area row of area summaries and change
tables.

A basic module: it imports only :mod:`geoplan.errors`, :mod:`geoplan.types` and
:mod:`geoplan.i18n`. The column names follow the indicator modules (``geoplan/indicators/``); a
test checks they agree.

Examples
--------
>>> from geoplan.types import AccessSpec
>>> cat = catalogue(AccessSpec(categories=("school",), radii_m=(500.0,)))
>>> cat["n_school_500m"].label("en")
'Destinations within 500 m walk: school'
>>> cat["dist_school_m"].better, cat["dist_school_m"].unit
('lower', 'm')
>>> better("safety_index_change"), better("loses_school_at_night_pop_share"), better("pop")
('higher', 'lower', '')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import ConfigError
from .i18n import LANGUAGES, fmt, register_texts, tr
from .types import AccessSpec

__all__ = [
    "BETTER",
    "HEADLINE",
    "KINDS",
    "STUDY_AREA_KEY",
    "Indicator",
    "better",
    "catalogue",
    "describe",
    "radius_label",
]

#: Area key of the whole-study-area row of area summaries and scenario change tables.
STUDY_AREA_KEY = "__study_area__"

#: The headline columns, most telling first: the report's maps, the scenario's change styles and
#: the council layout's default indicator (the first one a scenario changes) all use this list.
HEADLINE: tuple[str, ...] = (
    "safety_index", "dist_grocery_m", "loses_school_at_night", "green_scb_300m",
    "night_dist_school_m", "night_dist_grocery_m", "dist_green_scb_m", "green_m2_per_capita",
    "lit_share", "eyes_on_street", "pop",
)

#: The kinds of column: a measured number, a yes/no per cell, a count, a share 0-1, an index.
KINDS: tuple[str, ...] = ("number", "yesno", "count", "share", "index", "text")
#: The better directions: ``""`` when neither more nor less is an improvement.
BETTER: tuple[str, ...] = ("higher", "lower", "")

#: Safety-walk categories with their own per-cell count (as geoplan.indicators.findings has them).
FINDINGS_KEY_CATEGORIES: tuple[str, ...] = ("dark_spot", "broken_lamp", "hidden_corner",
                                            "vegetation", "tunnel")
_SAFETY_COMPONENTS = ("lit", "no_dark_stretch", "no_tunnel", "connectivity", "eyes_on_street",
                      "no_open_findings")

TEXTS: dict[str, dict[str, str]] = {
    # labels (``col_``) and one-sentence descriptions (``about_``), per family of columns
    "col_cell_id": {"en": "Grid cell"},
    "about_cell_id": {"en": "The cell's stable INSPIRE-style identifier."},
    "col_easting_m": {"en": "Easting of the cell's corner"},
    "col_northing_m": {"en": "Northing of the cell's corner"},
    "col_area_m2": {"en": "Area of the cell inside the study area"},
    "col_area_share": {"en": "Share of the cell inside the study area"},
    "col_pop": {"en": "Residents"},
    "about_pop": {"en": "Residents per cell"},
    "col_pop_source": {"en": "Source of the residents"},
    "col_access_leg_m": {"en": "Walk from the cell's starting point to the nearest path"},
    "about_access_leg_m": {
        "en": "Straight-line metres from where the cell's residents start to the path they join; "
              "included in every walking distance (also the leg from a path to each destination)"},
    "col_dist": {"en": "Walking distance to the nearest {cat}"},
    "col_dist_grocery_m": {"en": "Walking distance to the nearest grocery store"},
    "about_dist": {
        "en": "Shortest walk along the network from where the cell's residents live."},
    "col_n": {"en": "Destinations within {m} m walk: {cat}"},
    "col_gravity": {"en": "Access to {cat}, weighted by walking distance"},
    "about_gravity": {
        "en": "Each destination counts less the farther it is: its weight halves every {half} m "
              "and it does not count beyond {cut} m."},
    "col_night_dist": {"en": "Walking distance to the nearest {cat} on lit paths"},
    "about_night": {
        "en": "After dark only lit paths are used; paths with unknown lighting count as "
              "{unknown}."},
    "as_dark": {"en": "dark"},
    "as_lit": {"en": "lit"},
    "col_night_n": {"en": "Destinations within {m} m on lit paths: {cat}"},
    "col_night_detour": {"en": "Night detour to a {cat} (lit route ÷ shortest route)"},
    "col_loses": {"en": "{Cat} within {m} m by day but not on lit paths after dark"},
    "about_night_detour": {
        "en": "Lit route ÷ shortest route; 1 = no detour. Empty (NULL) when there is no lit "
              "route: then day_only_{cat_key} says yes if it is reachable by day; if it is not "
              "reachable by day either, the walking distance dist_{cat_key}_m is empty too. Paths with "
              "unknown lighting count as {unknown}."},
    "col_day_only": {"en": "{Cat} reachable by day but by no lit route after dark"},
    "about_day_only": {
        "en": "Yes: reachable by day, no lit route at all (night_detour is then empty). No: "
              "reachable by a lit route, or not reachable by day either."},
    "col_loses_if": {"en": "{Cat} within {m} m by day but not on lit paths after dark, if "
                           "paths of unknown lighting are {assumed}"},
    "col_dist_green": {"en": "Walking distance to a public green space of at least {ha} ha"},
    "col_green_within": {"en": "Public green space of at least {ha} ha within {m} m"},
    "about_green": {
        "en": "Walking distance to the edge or an entrance of the green space ({rule}'s "
              "measure)."},
    "col_straight_dist_green": {
        "en": "Straight-line distance to a public green space of at least {ha} ha"},
    "col_green_m2": {"en": "Public green space within {m} m (m²)"},
    "col_green_m2_per_capita": {"en": "Green space within {m} m per resident (m²)"},
    "col_path_m": {"en": "Length of walkable paths"},
    "col_lit_share": {"en": "Lit share of the walkable paths"},
    "col_dark_share": {"en": "share of walkable length not lit"},
    "col_unknown_share": {"en": "share of walkable length with unknown lighting"},
    "col_lamp_count": {"en": "Street lamps"},
    "col_lamps_per_km": {"en": "Street lamps per km of path"},
    "col_longest_dark_m": {"en": "Longest dark stretch"},
    "col_tunnel_count": {"en": "Tunnels and underpasses"},
    "col_tunnel_m": {"en": "Length of path in tunnels and underpasses"},
    "col_dead_ends": {"en": "Dead ends"},
    "col_intersections_per_km2": {"en": "Junctions per km²"},
    "col_eyes_residents": {"en": "Residents near the paths"},
    "col_active_ground_floors": {"en": "Active ground floors near the paths"},
    "col_eyes_on_street": {"en": "Eyes on the street (proxy)"},
    "col_safety_index": {"en": "Safety index of the walking paths"},
    "about_safety_index": {"en": "Safety index (0–100, higher is safer)"},
    "col_safety": {"en": "Safety component: {what}"},
    "w_lit": {"en": "lit share of the path length"},
    "w_no_dark_stretch": {"en": "no long dark stretch (1 − longest dark stretch ÷ 200 m)"},
    "w_no_tunnel": {"en": "no tunnel or underpass"},
    "w_connectivity": {"en": "connected streets (junctions per km² ÷ 100)"},
    "w_eyes_on_street": {"en": "eyes on the street (homes and active ground floors near paths)"},
    "w_no_open_findings": {"en": "no open safety-walk findings"},
    "col_data_confidence": {"en": "Share of the cell's paths with known lighting"},
    "col_findings_open": {"en": "Open safety-walk findings"},
    "col_findings_severity_sum": {"en": "Severity of the open safety-walk findings (sum)"},
    "col_findings_fixed": {"en": "Safety-walk findings fixed since the walk"},
    "col_findings_open_cat": {"en": "Open safety-walk findings: {what}"},
}
register_texts(TEXTS)


@dataclass(frozen=True)
class Indicator:
    """One grid column: what it is, its unit, which direction is better and its words.

    Attributes
    ----------
    column
        The column name in the grid (``"dist_school_m"``).
    unit
        ``"m"``, ``"m2"``, ``"m2 per person"``, ``"persons"``, ``"share 0-1"``,
        ``"index 0-100"``, ``"score 0-1"``, ``"per km"``, ``"per km2"`` or ``""``.
    better
        ``"higher"``, ``"lower"`` or ``""`` (neither is an improvement).
    kind
        One of :data:`KINDS`.
    labels, descriptions
        Label and one-sentence description per language (``"en"``, ``"sv"``, ``"da"``).

    Examples
    --------
    >>> i = catalogue()["safety_index"]
    >>> i.kind, i.label("sv"), i.description("en")
    ('index', 'Trygghetsindex för gångvägarna', 'Safety index (0–100, higher is safer)')
    """

    column: str
    unit: str = ""
    better: str = ""
    kind: str = "number"
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    descriptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.better not in BETTER:
            raise ConfigError(f"better of {self.column!r} must be 'higher', 'lower' or '', "
                              f"got {self.better!r}")
        if self.kind not in KINDS:
            raise ConfigError(f"kind of {self.column!r} must be one of {KINDS}, got {self.kind!r}")
        for name in ("labels", "descriptions"):  # read-only; words made on demand stay so
            words = getattr(self, name)
            if not isinstance(words, _LazyWords):
                object.__setattr__(self, name, MappingProxyType(dict(words)))

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (the column name when there is none)."""
        return self.labels.get(_language(lang)) or self.column

    def description(self, lang: str = "en") -> str:
        """The one-sentence description in ``lang`` (``""`` when there is none)."""
        return self.descriptions.get(_language(lang), "")


class _LazyWords(Mapping):
    """A read-only ``{language: words}`` of every language in :data:`LANGUAGES` whose words are
    made when first read (``make(lang)``), so that an :class:`Indicator` asked for one
    language's label formats no other language's numbers.

    >>> w = _LazyWords(lambda lang: f"words in {lang}")
    >>> w["sv"], list(w), dict(w) == {lang: f"words in {lang}" for lang in LANGUAGES}
    ('words in sv', ['en', 'sv', 'da'], True)
    """

    __slots__ = ("_make", "_made")

    def __init__(self, make) -> None:
        self._make = make
        self._made: dict[str, str] = {}

    def __getitem__(self, lang: str) -> str:
        if lang not in self._made:
            if lang not in LANGUAGES:
                raise KeyError(lang)
            self._made[lang] = self._make(lang)
        return self._made[lang]

    def __iter__(self):
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)

    def __repr__(self) -> str:
        return f"_LazyWords({dict(self)!r})"


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} is not available: choose one of "
                          f"{', '.join(LANGUAGES)}")
    return lang


def radius_label(r: float) -> str:
    """A distance as it ends a column name (as ``geoplan.indicators.access`` names them).

    >>> radius_label(400.0), radius_label(12.5)
    ('400m', '12_5m')
    """
    return f"{int(r)}m" if float(r).is_integer() else f"{r:g}m".replace(".", "_")


# --------------------------------------------------------------------------------------------
# families of columns: (pattern, kind, unit, better, label key, description key)
# --------------------------------------------------------------------------------------------
_CAT = r"(?P<cat>[a-z_]+?)"
_FAMILIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (r"cell_id", "text", "", "", "col_cell_id", "about_cell_id"),
    (r"easting_m", "number", "m", "", "col_easting_m", ""),
    (r"northing_m", "number", "m", "", "col_northing_m", ""),
    (r"area_m2", "number", "m2", "", "col_area_m2", ""),
    (r"area_share", "share", "share 0-1", "", "col_area_share", ""),
    (r"pop", "count", "persons", "", "col_pop", "about_pop"),
    (r"pop_source", "text", "", "", "col_pop_source", ""),
    (r"dist_green_(?P<rule>scb|who)_m", "number", "m", "lower", "col_dist_green", "about_green"),
    (r"green_(?P<rule>scb|who)_300m", "yesno", "", "higher", "col_green_within", "about_green"),
    (r"straight_dist_green_scb_m", "number", "m", "lower", "col_straight_dist_green", ""),
    (r"green_m2_500m", "number", "m2", "higher", "col_green_m2", ""),
    (r"green_m2_per_capita", "number", "m2 per person", "higher", "col_green_m2_per_capita", ""),
    (rf"night_dist_{_CAT}_m", "number", "m", "lower", "col_night_dist", "about_night"),
    (rf"night_n_{_CAT}_(?P<r>[0-9_]+)m", "count", "", "higher", "col_night_n", "about_night"),
    (rf"night_detour_{_CAT}", "number", "", "lower", "col_night_detour", "about_night_detour"),
    (rf"loses_{_CAT}_at_night", "yesno", "", "lower", "col_loses", "about_night"),
    (rf"day_only_{_CAT}", "yesno", "", "lower", "col_day_only", "about_day_only"),
    # the bounds of a run's night losses (written beside them when lighting is partly unknown)
    (rf"loses_{_CAT}_at_night_if_unknown_(?P<assume>lit|dark)", "yesno", "", "lower",
     "col_loses_if", ""),
    (r"path_m", "number", "m", "", "col_path_m", ""),
    (r"lit_share", "share", "share 0-1", "higher", "col_lit_share", ""),
    (r"dark_share", "share", "share 0-1", "lower", "col_dark_share", ""),
    (r"unknown_share", "share", "share 0-1", "lower", "col_unknown_share", ""),
    (r"lamp_count", "count", "", "higher", "col_lamp_count", ""),
    (r"lamps_per_km", "number", "per km", "higher", "col_lamps_per_km", ""),
    (r"longest_dark_m", "number", "m", "lower", "col_longest_dark_m", ""),
    (r"tunnel_count", "count", "", "lower", "col_tunnel_count", ""),
    (r"tunnel_m", "number", "m", "lower", "col_tunnel_m", ""),
    (r"dead_ends", "count", "", "lower", "col_dead_ends", ""),
    (r"intersections_per_km2", "number", "per km2", "higher", "col_intersections_per_km2", ""),
    (r"eyes_residents", "number", "persons", "higher", "col_eyes_residents", ""),
    (r"active_ground_floors", "count", "", "higher", "col_active_ground_floors", ""),
    (r"eyes_on_street", "index", "", "higher", "col_eyes_on_street", ""),
    (r"safety_index", "index", "index 0-100", "higher", "col_safety_index",
     "about_safety_index"),
    (r"safety_(?P<what>lit|no_dark_stretch|no_tunnel|connectivity|eyes_on_street|"
     r"no_open_findings)", "index", "score 0-1", "higher", "col_safety", ""),
    (r"data_confidence", "share", "share 0-1", "higher", "col_data_confidence", ""),
    (r"findings_open", "count", "", "lower", "col_findings_open", ""),
    (r"findings_severity_sum", "number", "", "lower", "col_findings_severity_sum", ""),
    (r"findings_fixed", "count", "", "", "col_findings_fixed", ""),
    (rf"findings_open_{_CAT}", "count", "", "lower", "col_findings_open_cat", ""),
    (r"access_leg_m", "number", "m", "lower", "col_access_leg_m", "about_access_leg_m"),
    (rf"dist_{_CAT}_m", "number", "m", "lower", "col_dist", "about_dist"),
    (rf"n_{_CAT}_(?P<r>[0-9_]+)m", "count", "", "higher", "col_n", ""),
    (rf"gravity_{_CAT}", "index", "", "higher", "col_gravity", "about_gravity"),
)
_COMPILED = tuple((re.compile(p), *rest) for p, *rest in _FAMILIES)
#: suffixes of derived columns: scenario layers and area summaries (``_pop_mean``: the
#: population-weighted mean beside a length- or area-weighted one)
_DERIVED = ("_before", "_after", "_change", "_pop_share", "_pop_mean")


def _family(column: str):
    """``(family, match)`` of a column name, or None."""
    for fam in _COMPILED:
        m = fam[0].fullmatch(column)
        if m:
            return fam, m
    return None


def better(column: str) -> str:
    """Whether ``"higher"`` or ``"lower"`` values of ``column`` are an improvement, or ``""``.

    The one place this is decided. Works for any configured distance or category, and for the
    derived columns ``<column>_before``, ``_after``, ``_change`` and ``_pop_share``.

    Examples
    --------
    >>> better("dist_grocery_m"), better("n_school_650m"), better("night_detour_library")
    ('lower', 'higher', 'lower')
    >>> better("green_scb_300m_pop_share"), better("pop_change"), better("unheard_of")
    ('higher', '', '')
    """
    found = _family(column)
    if found is None:
        for suffix in _DERIVED:
            if column.endswith(suffix):
                return better(column[: -len(suffix)])
        return ""
    return found[0][3]


def _word(key: str, lang: str, name: str) -> str:
    """The registered words of ``key``, else ``name`` in plain words."""
    word = tr(key, lang)
    return name.replace("_", " ") if word == key else word


def _fields(match: re.Match, spec: AccessSpec, lang: str) -> dict[str, str]:
    groups = match.groupdict()
    out: dict[str, str] = {}
    cat = groups.get("cat")
    if cat:
        out["cat_key"] = cat
        out["cat"] = _word(f"cat_{cat}", lang, cat)
        if match.re.pattern.startswith("findings_open_"):
            out["what"] = _word(f"finding_{cat}", lang, cat)
        out["Cat"] = out["cat"][:1].upper() + out["cat"][1:]
    if groups.get("what") and "what" not in out:
        out["what"] = tr(f"w_{groups['what']}", lang)
    rule = groups.get("rule") or "scb"
    out["rule"] = rule.upper()
    out["ha"] = fmt(spec.green_who_min_ha if rule == "who" else spec.green_scb_min_ha, lang, 1)
    r = groups.get("r")
    night = match.re.pattern.startswith(("night_", "loses_"))
    dist = float(r.replace("_", ".")) if r else (spec.night_threshold_m if night else
                                                 spec.green_within_m)
    if match.re.pattern.startswith("green_m2"):
        dist = spec.green_per_capita_within_m
    out["m"] = fmt(dist, lang, 0 if float(dist).is_integer() else 1)
    out["half"] = fmt(spec.gravity_half_distance_m, lang, 0)
    out["cut"] = fmt(spec.gravity_cutoff_m, lang, 0)
    out["unknown"] = tr("as_lit" if spec.night_unknown_as == "lit" else "as_dark", lang)
    if groups.get("assume"):
        out["assumed"] = tr(f"as_{groups['assume']}", lang)
    return out


def describe(column: str, spec: AccessSpec | None = None) -> Indicator | None:
    """The :class:`Indicator` of one column name under ``spec``, or None for a name geoplan does
    not write.

    >>> describe("n_grocery_500m").label("sv")
    'Målpunkter inom 500 m gångväg: livsmedelsbutik'
    >>> describe("no_such_column") is None
    True
    """
    found = _family(column)
    if found is None:
        return None
    (_, kind, unit, direction, label_key, about_key), match = found
    spec = spec or AccessSpec()
    specific = f"col_{column}" if f"col_{column}" in TEXTS else None
    fields = _LazyWords(lambda lang: _fields(match, spec, lang))
    # each language's words are formatted when first read (most runs read one language)
    labels = _LazyWords(lambda lang: tr(specific or label_key, lang, **fields[lang]))
    about = _LazyWords(lambda lang: tr(about_key, lang, **fields[lang]) if about_key
                            else "")
    return Indicator(column, unit=unit, better=direction, kind=kind, labels=labels,
                     descriptions=about)


def _column_names(spec: AccessSpec, findings: bool, night_bounds: bool = False) -> list[str]:
    """Every grid column geoplan writes under ``spec``, in the grid's order."""
    names = ["cell_id", "easting_m", "northing_m", "area_m2", "area_share", "pop", "pop_source",
             "access_leg_m"]
    for c in spec.categories:
        names += [f"dist_{c}_m", *(f"n_{c}_{radius_label(r)}" for r in spec.radii_m),
                  f"gravity_{c}"]
    thr = radius_label(spec.night_threshold_m)
    for c in spec.categories:
        names += [f"night_dist_{c}_m", f"night_n_{c}_{thr}", f"night_detour_{c}",
                  f"loses_{c}_at_night", f"day_only_{c}"]
    names += ["dist_green_scb_m", "green_scb_300m", "dist_green_who_m", "green_who_300m",
              "straight_dist_green_scb_m", "green_m2_500m", "green_m2_per_capita",
              "path_m", "lit_share", "dark_share", "unknown_share", "lamp_count", "lamps_per_km",
              "longest_dark_m", "tunnel_count", "tunnel_m", "dead_ends", "intersections_per_km2",
              "eyes_residents", "active_ground_floors", "eyes_on_street"]
    components = _SAFETY_COMPONENTS if findings else _SAFETY_COMPONENTS[:-1]
    names += [f"safety_{k}" for k in components] + ["safety_index", "data_confidence"]
    if findings:
        names += ["findings_open", "findings_severity_sum", "findings_fixed",
                  *(f"findings_open_{c}" for c in FINDINGS_KEY_CATEGORIES)]
    if night_bounds:
        names += [f"loses_{c}_at_night_if_unknown_{k}" for c in spec.categories
                  for k in ("dark", "lit")]
    return names


def catalogue(spec: AccessSpec | None = None, *, findings: bool = False,
              night_bounds: bool = False) -> Mapping[str, Indicator]:
    """Every grid column's :class:`Indicator`, built from the configured categories and distances.

    Parameters
    ----------
    spec
        The run's :class:`~geoplan.types.AccessSpec` (``PipelineConfig.access``); default the
        defaults.
    findings
        Whether the run has a safety walk (adds the ``findings_*`` columns and the
        ``safety_no_open_findings`` component).
    night_bounds
        Whether to add both bounds of the night losses (``loses_<c>_at_night_if_unknown_
        dark/_lit``: a run's ``night_bounds`` layer, which the report joins to the grid).

    Returns
    -------
    Mapping of column name to Indicator, in the grid's column order (read-only).

    Examples
    --------
    >>> from geoplan.types import AccessSpec
    >>> cat = catalogue(AccessSpec(categories=("school",), night_threshold_m=500.0))
    >>> cat["loses_school_at_night"].label("en")
    'School within 500 m by day but not on lit paths after dark'
    >>> "night_n_school_500m" in cat, "findings_open" in cat
    (True, False)
    """
    spec = spec or AccessSpec()
    return MappingProxyType({c: describe(c, spec)
                             for c in _column_names(spec, findings, night_bounds)})
