"""Words and number formats for what a planner reads, in English, Swedish and Danish.

Texts are keyed by a short id. The English words live in the code (``register_texts({key:
{"en": ...}})``); the Swedish and Danish ones in one gettext catalogue per language,
``geoplan/locale/<lang>/LC_MESSAGES/geoplan.po`` (msgctxt = the key, msgid = the English text,
msgstr = the translation), compiled to the ``.mo`` beside it by ``scripts/extract_texts.py``.
:func:`tr` falls back to English (never to an empty string) and :func:`fmt` formats numbers for
the language with babel (decimal comma in sv/da).

>>> tr("walkable_km", "sv")
'Gångbart nät (km)'
>>> fmt(1234.5, "sv", 1), fmt(1234.5, "en", 1)
('1\\xa0234,5', '1,234.5')
"""

from __future__ import annotations

import functools
import gettext
import math
from pathlib import Path

from .errors import ConfigError

__all__ = ["DOMAIN", "LANGUAGES", "LOCALE_DIR", "fmt", "fmt_pct", "format_date", "register_texts",
           "tr", "translations"]

LANGUAGES = ("en", "sv", "da")
_LOCALES = {"en": "en_GB", "sv": "sv_SE", "da": "da_DK"}
#: gettext domain and folder of the compiled catalogues (``<lang>/LC_MESSAGES/geoplan.mo``).
DOMAIN = "geoplan"
LOCALE_DIR = Path(__file__).with_name("locale")

CATALOGUE: dict[str, dict[str, str]] = {
    "inspect_title": {"en": "Data quality of {source}"},
    "crs": {"en": "Coordinate system"},
    "area_km2": {"en": "Study area (km²)"},
    "walkable_km": {"en": "Walkable network (km)"},
    "lit": {"en": "lit"},
    "dark": {"en": "dark"},
    "unknown": {"en": "unknown"},
    "lighting": {"en": "Lighting of the walkable network (share of length)"},
    "by_source": {"en": "by source"},
    "source_tag": {"en": "OSM lit tag"},
    "source_lamps": {"en": "street lamps nearby"},
    "source_assumed": {"en": "assumed by rule"},
    "source_none": {"en": "no information"},
    "lamps": {"en": "Street lamps"},
    "green_ha": {"en": "Green space (ha, overlaps merged)"},
    "public_green_ha": {"en": "of which public"},
    "destinations": {"en": "Destinations"},
    "buildings": {"en": "Buildings"},
    "buildings_levels_known": {"en": "with known number of floors"},
    "network": {"en": "Network"},
    "nodes": {"en": "nodes"},
    "edges": {"en": "edges"},
    "components": {"en": "connected parts"},
    "largest_component": {"en": "largest part holds"},
    "access_leg": {"en": "Walk from a cell's starting point to its path (median / max)"},
    "not_walked": {"en": "Highway types not walked on"},
    "attribution": {"en": "© OpenStreetMap contributors"},
    "areas": {"en": "areas"},
    "use_residential": {"en": "residential"},
    "use_mixed": {"en": "mixed use"},
    "use_non_residential": {"en": "not residential"},
    "use_unknown": {"en": "use not mapped"},
    # destination categories
    "cat_school": {"en": "school"},
    "cat_preschool": {"en": "preschool"},
    "cat_grocery": {"en": "grocery"},
    "cat_transit_stop": {"en": "public transport stop"},
    "cat_healthcare": {"en": "healthcare"},
    "cat_library": {"en": "library"},
    "cat_meeting_place": {"en": "meeting place"},
    "cat_sports": {"en": "sports"},
    "cat_playground": {"en": "playground"},
}


def register_texts(texts: dict[str, dict[str, str]]) -> None:
    """Add a module's own texts to the catalogue (at import time).

    Every entry needs its English text; Swedish and Danish come from the gettext catalogues
    (``scripts/extract_texts.py`` moves them there), or, until that script has run over a new
    dict, from the entry itself (then both). A key already registered with other words is an
    error, so two modules can never silently overwrite each other's texts.

    >>> register_texts({"demo_key": {"en": "Example", "sv": "Exempel", "da": "Eksempel"}})
    >>> tr("demo_key", "da")
    'Eksempel'
    """
    for key, entry in texts.items():
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if not entry.get("en") or missing not in ([], ["sv", "da"]):
            raise ValueError(f"text {key!r} lacks {missing}: give en (sv/da in the catalogue) "
                             "or all of en, sv, da")
        if key in CATALOGUE and CATALOGUE[key] != entry:
            raise ValueError(f"text {key!r} is already registered with other words")
        CATALOGUE[key] = dict(entry)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The gettext catalogue of ``lang`` (an empty one for English).

    >>> translations("sv").pgettext("walkable_km", "Walkable network (km)")
    'Gångbart nät (km)'
    """
    if _check(lang) == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} is not available: choose one of {', '.join(LANGUAGES)}")
    return lang


def tr(key: str, lang: str = "en", **fields) -> str:
    """The text ``key`` in ``lang`` (English when missing), with ``{fields}`` filled in."""
    entry = CATALOGUE.get(key)
    if entry is None:
        text = key
    else:
        text = entry.get(_check(lang)) or translations(lang).pgettext(key, entry["en"])
    return text.format(**fields) if fields else text


def fmt(x: float, lang: str = "en", digits: int = 0) -> str:
    """Format a number for ``lang`` with ``digits`` decimals (grouping, decimal comma in sv/da).

    Each (value, language, decimals) is formatted with babel once per process: the indicator
    catalogue formats the same configured distances for every column it describes.

    >>> fmt(-0.0, "en"), fmt(0.0, "en"), fmt(2.5, "da", 2)
    ('-0', '0', '2,50')
    """
    v = round(float(x), digits)
    # -0.0 == 0.0 as a cache key, but babel writes "-0": the sign is part of the key; NaN
    # (never equal to itself, so never found) is not cached
    fmt_once = _fmt_rounded if v == v else _fmt_rounded.__wrapped__
    return fmt_once(v, math.copysign(1.0, v) < 0, _check(lang), digits)


@functools.lru_cache(maxsize=65536)
def _fmt_rounded(v: float, negative: bool, lang: str, digits: int) -> str:
    """:func:`fmt` of the rounded value ``v`` (``negative``: its sign bit, for the cache)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(v, format=pattern, locale=_LOCALES[lang])


def fmt_pct(share: float, lang: str = "en", digits: int = 0) -> str:
    """Format a share in [0, 1] as a percentage for ``lang`` (e.g. '12,5 %' in sv)."""
    sep = "\u00a0%" if lang in ("sv", "da") else "%"
    return fmt(100.0 * share, lang, digits) + sep


def format_date(d, lang: str = "en") -> str:
    """A date (:class:`datetime.date`) written out in full for ``lang``.

    >>> import datetime as dt
    >>> format_date(dt.date(2026, 3, 5), "sv"), format_date(dt.date(2026, 3, 5), "en")
    ('5 mars 2026', '5 March 2026')
    """
    from babel.dates import format_date as babel_date

    return babel_date(d, format="long", locale=_LOCALES[_check(lang)])
