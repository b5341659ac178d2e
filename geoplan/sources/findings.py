"""Safety-walk findings (trygghetsvandringar / tryghedsvandringer): read, check and normalise the
notes residents, police and staff make on a walk, and make a ready-to-use QGIS/QField template.

Schema
------
One row per finding, a **point** (a dark corner, a broken lamp) or a **line** (a dark stretch
of path). The normalised GeoDataFrame (:func:`read_findings`, :func:`normalise_findings`) has:

``finding_id`` (text)
    the file's ``id``/``finding_id``/``nr`` column, else the row number (``"<layer>:<row>"`` when
    several layers are read). Unique.
``category`` (text, a code of :data:`CATEGORIES`)
    ``dark_spot``, ``broken_lamp``, ``hidden_corner`` (hidden corner / poor sight lines),
    ``vegetation``, ``tunnel`` (tunnel / underpass), ``litter_vandalism``, ``traffic`` (traffic
    danger), ``other``. The file may hold the code or a word in English, Swedish or Danish
    (``"mörkt"``, ``"trasig lampa"``, ``"buskage"``, ``"mørkt"`` …; :func:`parse_category`);
    case, accents and punctuation do not matter.
``severity`` (int 1, 2 or 3)
    1 minor, 2 serious, 3 very serious (also low/medium/high, låg/medel/hög, lav/middel/høj).
``date`` (text, ISO ``YYYY-MM-DD``)
    day of the walk; ``2024-10-03``, ``3.10.2024``, ``03-10-2024`` and ``03/10/2024`` (day first,
    as written in Sweden and Denmark) are read; not in the future.
``note`` (text, may be empty), ``photo`` (text path or None), ``walk`` (text, may be empty)
    what was said, a photo file (relative to the project, as QGIS/QField store it) and the walk.
``status`` (text: ``open`` or ``fixed``)
    empty = open; also öppen/åtgärdad, åben/udbedret, closed/done.
``source_row`` (int)
    the row number the messages use: for CSV/XLSX the spreadsheet row (the header is row 1, so
    the first finding is row 2); for GeoPackage the feature id (``fid``, as QGIS shows it); for
    other vector files the feature's position, from 1.
geometry
    Point, LineString or MultiLineString, in ``to_crs`` (or the file's CRS).

Column names may also be Swedish or Danish (``kategori``, ``allvarlighet``/``alvorlighed``,
``datum``/``dato``, ``anteckning``/``bemærkning``, ``foto``/``bild``/``billede`` …). CSV and XLSX
give coordinates in two columns (``x``/``y``, ``lon``/``lat``, ``easting``/``northing``,
``öst``/``nord``, ``øst``/``nord``) or WKT in a ``wkt`` column (for lines), plus a CRS.

Every row that does not fit is reported **at once** with its row number (``row 7: severity 5 is
not 1, 2 or 3``) in a :class:`FindingsError`; ``on_error="skip"`` leaves such rows out with a
warning list instead (:class:`FindingsCheck`).

Example
-------
>>> import pandas as pd
>>> rows = pd.DataFrame({"kategori": ["mörkt", "trasig lampa"], "severity": ["3", "2"],
...                      "datum": ["2024-10-03", "3.10.2024"],
...                      "lon": [24.9452, 24.9460], "lat": [60.1702, 60.1707]})
>>> check = normalise_findings(rows, crs="EPSG:4326", today="2025-01-01")
>>> check.findings[["category", "severity", "date", "status"]].values.tolist()
[['dark_spot', 3, '2024-10-03', 'open'], ['broken_lamp', 2, '2024-10-03', 'open']]
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from ..errors import CRSError, InputFileError
from ..i18n import LANGUAGES, register_texts, tr

__all__ = [
    "CATEGORIES",
    "CATEGORY_COLOURS",
    "FINDINGS_COLUMNS",
    "FINDINGS_LAYERS",
    "FORM_FIELDS",
    "STATUSES",
    "FindingProblem",
    "FindingsCheck",
    "FindingsError",
    "FindingsWarning",
    "category_labels",
    "check_findings",
    "normalise_findings",
    "parse_category",
    "read_findings",
]

#: Finding categories, in the order forms and legends list them.
CATEGORIES: tuple[str, ...] = (
    "dark_spot", "broken_lamp", "hidden_corner", "vegetation", "tunnel", "litter_vandalism",
    "traffic", "other",
)
#: Status values: a finding is ``open`` until it is ``fixed``.
STATUSES: tuple[str, ...] = ("open", "fixed")
#: Columns of a normalised findings GeoDataFrame (before the geometry), in order.
FINDINGS_COLUMNS: tuple[str, ...] = (
    "finding_id", "category", "severity", "date", "status", "note", "photo", "walk",
    "source_row",
)
#: Fields of the QGIS/QField form (after ``finding_id``), in the order the form shows them.
FORM_FIELDS: tuple[str, ...] = ("category", "severity", "date", "note", "photo", "status", "walk")
#: Layers of the template GeoPackage: points, and lines for a stretch of path.
FINDINGS_LAYERS: dict[str, str] = {"findings": "Point", "findings_lines": "LineString"}
#: Map colours per category (qualitative, distinguishable in print); fixed findings are grey.
CATEGORY_COLOURS: dict[str, str] = {
    "dark_spot": "#1b2a4a", "broken_lamp": "#ff7f00", "hidden_corner": "#984ea3",
    "vegetation": "#4daf4a", "tunnel": "#a65628", "litter_vandalism": "#f781bf",
    "traffic": "#e41a1c", "other": "#377eb8", "fixed": "#bdbdbd",
}

TEXTS: dict[str, dict[str, str]] = {
    "finding_dark_spot": {"en": "dark spot"},
    "finding_broken_lamp": {"en": "broken lamp"},
    "finding_hidden_corner": {"en": "hidden corner / poor sight lines"},
    "finding_vegetation": {"en": "overgrown vegetation"},
    "finding_tunnel": {"en": "tunnel / underpass"},
    "finding_litter_vandalism": {"en": "litter / vandalism"},
    "finding_traffic": {"en": "traffic danger"},
    "finding_other": {"en": "other"},
    "finding_severity_1": {"en": "1 – minor"},
    "finding_severity_2": {"en": "2 – serious"},
    "finding_severity_3": {"en": "3 – very serious"},
    "finding_status_open": {"en": "open"},
    "finding_status_fixed": {"en": "fixed"},
    "finding_field_category": {"en": "Category"},
    "finding_field_severity": {"en": "Severity"},
    "finding_field_date": {"en": "Date of the walk"},
    "finding_field_note": {"en": "Note"},
    "finding_field_photo": {"en": "Photo"},
    "finding_field_status": {"en": "Status"},
    "finding_field_walk": {"en": "Walk"},
    "finding_field_finding_id": {"en": "ID (optional)"},
    "finding_severity_rule": {"en": "severity is 1, 2 or 3"},
}
register_texts(TEXTS)

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "dark_spot": ("dark", "darkness", "dark place", "dark area", "poor lighting", "bad lighting",
                  "unlit", "no light", "mörkt", "mörk", "mörker", "mörk plats", "mörkt ställe",
                  "dålig belysning", "belysning saknas", "obelyst", "mørkt", "mørk", "mørke",
                  "mørkt sted", "mørk plet", "dårlig belysning", "manglende belysning", "ubelyst"),
    "broken_lamp": ("broken light", "lamp out", "light out", "broken street lamp", "lamp broken",
                    "trasig", "trasig belysning", "trasig gatlampa", "släckt lampa",
                    "lampa trasig", "lampan trasig", "lampa ur funktion", "defekt lampa",
                    "lampe", "defekt lampe", "ødelagt lampe", "lampe i stykker",
                    "gadelampe i stykker", "slukket lampe", "lampen virker ikke"),
    "hidden_corner": ("hidden corner", "poor sight lines", "blind corner", "poor visibility",
                      "hiding place", "skymd plats", "skymd hörna", "skymt", "dold hörna",
                      "dålig sikt", "dålig överblick", "skymd", "gömställe", "skjult hjørne",
                      "skjult", "dårligt udsyn", "dårligt overblik", "blind vinkel",
                      "gemmested"),
    "vegetation": ("overgrown", "bushes", "shrubs", "hedge", "vegetation", "buskage", "buskar",
                   "snår", "igenvuxet", "igenvuxen", "växtlighet", "träd", "häck", "buskads",
                   "buske", "buskadser", "krat", "tilgroet", "beplantning", "bevoksning", "hæk"),
    "tunnel": ("tunnel", "underpass", "subway", "gångtunnel", "undergång", "viadukt",
               "fodgængertunnel", "tunnel under vej", "underføring", "stitunnel"),
    "litter_vandalism": ("litter", "vandalism", "graffiti", "rubbish", "trash", "broken glass",
                         "nedskräpning", "skräp", "klotter", "skadegörelse", "glas",
                         "affald", "hærværk", "henkastet affald", "skrald", "tags"),
    "traffic": ("traffic", "dangerous crossing", "speeding", "trafik", "trafikfara",
                "farlig korsning", "farligt övergångsställe", "fortkörning", "trafikfare",
                "farlig krydsning", "farligt kryds", "farlig overgang"),
    "other": ("other", "misc", "övrigt", "annat", "övrigt/annat", "andet", "øvrigt", "diverse"),
}
_SEVERITY_WORDS: dict[str, int] = {
    "low": 1, "minor": 1, "låg": 1, "lite": 1, "liten": 1, "mindre": 1, "lav": 1, "lille": 1,
    "medium": 2, "moderate": 2, "serious": 2, "medel": 2, "mellan": 2, "allvarlig": 2,
    "middel": 2, "mellem": 2, "alvorlig": 2,
    "high": 3, "very serious": 3, "severe": 3, "hög": 3, "mycket allvarlig": 3, "høj": 3,
    "meget alvorlig": 3,
}
_STATUS_WORDS: dict[str, str] = {
    "open": "open", "öppen": "open", "öppet": "open", "ej åtgärdad": "open", "kvar": "open",
    "åben": "open", "åbent": "open", "ikke udbedret": "open", "not fixed": "open", "new": "open",
    "ny": "open",
    "fixed": "fixed", "closed": "fixed", "done": "fixed", "resolved": "fixed",
    "åtgärdad": "fixed", "åtgärdat": "fixed", "klar": "fixed", "löst": "fixed",
    "stängd": "fixed", "udbedret": "fixed", "løst": "fixed", "lukket": "fixed",
    "færdig": "fixed", "repareret": "fixed", "lagad": "fixed",
}
_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "finding_id": ("finding_id", "id", "nr", "no", "number", "nummer", "løbenummer"),
    "category": ("category", "kategori", "type", "typ", "problem"),
    "severity": ("severity", "allvarlighet", "alvorlighed", "allvarlighetsgrad", "grad",
                 "priority", "prioritet"),
    "date": ("date", "datum", "dato", "walk_date"),
    "note": ("note", "notes", "comment", "kommentar", "anteckning", "beskrivning", "beskrivelse",
             "bemærkning", "notat", "description"),
    "photo": ("photo", "photo_path", "foto", "bild", "billede", "image", "picture"),
    "status": ("status", "state", "tilstand"),
    "walk": ("walk", "vandring", "walk_name", "trygghetsvandring", "tryghedsvandring"),
}
_XY_NAMES = (("x", "y"), ("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"),
             ("long", "lat"), ("easting", "northing"), ("e", "n"), ("ost", "nord"),
             ("öst", "nord"), ("øst", "nord"), ("x_coord", "y_coord"))
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
_TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
_SKIP_LAYERS = ("layer_styles", "geoplan_metadata", "qgis_projects")


# --------------------------------------------------------------------------------------------
# words
# --------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower case, Nordic letters folded (å ä → a, ö ø → o, æ → ae), punctuation → one space."""
    s = str(text).strip().lower()
    s = s.replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", s).strip()


def _category_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in CATEGORIES:
        words = [code, *(_SYNONYMS.get(code, ()))]
        for lang in LANGUAGES:
            label = tr(f"finding_{code}", lang)
            words += [label, *label.split(" / ")]
        for w in words:
            table.setdefault(_fold(w), code)
    return table


_CATEGORY_LOOKUP = _category_lookup()


def parse_category(value) -> str | None:
    """The category code for a code or an English, Swedish or Danish word, or None.

    Examples
    --------
    >>> [parse_category(v) for v in ["mörkt", "Trasig lampa", "buskage", "mørkt", "TUNNEL",
    ...                              "dark_spot", "hål i vägen"]]
    ['dark_spot', 'broken_lamp', 'vegetation', 'dark_spot', 'tunnel', 'dark_spot', None]
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return _CATEGORY_LOOKUP.get(_fold(value))


def category_labels(lang: str = "en") -> dict[str, str]:
    """``{code: label}`` of every category in ``lang``.

    Examples
    --------
    >>> category_labels("sv")["broken_lamp"]
    'trasig lampa'
    """
    return {c: tr(f"finding_{c}", lang) for c in CATEGORIES}


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FindingProblem:
    """One row that does not fit the schema: ``where`` (e.g. ``"row 7"``) and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class FindingsError(InputFileError):
    """Rows of a findings file do not fit the schema; ``problems`` lists every one of them."""

    def __init__(self, source: str, problems: list[FindingProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(
            f"{source}: {n} problem{'s' if n != 1 else ''} in the findings:\n{lines}\n"
            "Fix these rows, or leave them out with on_error='skip' "
            "(command line: --skip-bad-rows)"
        )


class FindingsWarning(UserWarning):
    """Rows of a findings file were left out (``on_error='skip'``)."""


@dataclass(frozen=True)
class FindingsCheck:
    """The result of checking findings: the valid rows and the problems of the others."""

    findings: gpd.GeoDataFrame
    problems: list[FindingProblem] = field(default_factory=list)
    source: str = "findings"
    #: input columns that are not part of the schema (left out)
    ignored_columns: tuple[str, ...] = ()

    def raise_if_problems(self) -> FindingsCheck:
        """Raise :class:`FindingsError` listing every problem, or return self."""
        if self.problems:
            raise FindingsError(self.source, self.problems)
        return self


# --------------------------------------------------------------------------------------------
# value parsers: each returns (value, problem text or None)
# --------------------------------------------------------------------------------------------
def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    if v is pd.NaT or (isinstance(v, str) and not v.strip()):
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _parse_category(v) -> tuple[str | None, str | None]:
    if _blank(v):
        return None, "category is missing"
    code = parse_category(v)
    if code is not None:
        return code, None
    close = difflib.get_close_matches(_fold(v), list(_CATEGORY_LOOKUP), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return None, (f"category {str(v)!r} is unknown{hint}: use one of {', '.join(CATEGORIES)} "
                  "(or their English, Swedish or Danish names), or 'other' with a note")


def _parse_severity(v) -> tuple[int | None, str | None]:
    if _blank(v):
        return None, "severity is missing (1, 2 or 3)"
    word = _SEVERITY_WORDS.get(str(v).strip().lower())
    if word is not None:
        return word, None
    try:
        x = float(str(v).strip().replace(",", "."))
    except ValueError:
        return None, f"severity {str(v)!r} is not 1, 2 or 3"
    if x in (1.0, 2.0, 3.0):
        return int(x), None
    shown = int(x) if float(x).is_integer() else x
    return None, f"severity {shown} is not 1, 2 or 3"


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d",
                 "%d.%m.%y")


def _as_date(v) -> _dt.date | None:
    if isinstance(v, _dt.datetime | pd.Timestamp):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, np.datetime64):
        return pd.Timestamp(v).date()
    s = str(v).strip()
    s = re.split(r"[T ]", s, maxsplit=1)[0] if re.match(r"\d{4}-\d\d-\d\d[T ]", s) else s
    for f in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(s, f).date()
        except ValueError:
            continue
    return None


def _parse_date(v, default: _dt.date | None, today: _dt.date) -> tuple[str | None, str | None]:
    if _blank(v):
        if default is not None:
            return default.isoformat(), None
        return None, "date is missing: write the day of the walk, e.g. 2024-10-03"
    d = _as_date(v)
    if d is None:
        return None, f"date {str(v)!r} is not a date: write it as 2024-10-03 (or 3.10.2024)"
    if d > today:
        return None, (f"date {d.isoformat()} is in the future (today is {today.isoformat()}): "
                      "check the year")
    return d.isoformat(), None


def _parse_status(v) -> tuple[str | None, str | None]:
    if _blank(v):
        return "open", None
    s = _STATUS_WORDS.get(str(v).strip().lower())
    if s is None:
        return None, f"status {str(v)!r} is not 'open' or 'fixed'"
    return s, None


def _text(v) -> str:
    return "" if _blank(v) else str(v).strip()


def _number(v) -> float:
    if _blank(v):
        return np.nan
    if isinstance(v, int | float | np.number):
        return float(v)
    s = str(v).strip().replace("\u00a0", "").replace(" ", "").replace("−", "-")
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return np.nan


# --------------------------------------------------------------------------------------------
# geometry checks
# --------------------------------------------------------------------------------------------
def _normal_geometry(g) -> tuple[object | None, str | None]:
    if g is None or (isinstance(g, float) and np.isnan(g)) or shapely.is_empty(g):
        return None, "coordinates are missing: give x/y (or lon/lat) or draw the finding"
    kind = g.geom_type
    if kind in ("Point", "LineString"):
        return g, None
    if kind == "MultiPoint" and len(g.geoms) == 1:
        return g.geoms[0], None
    if kind == "MultiLineString":
        merged = shapely.line_merge(g)
        return merged, None
    return None, (f"geometry is a {kind}: a finding is a point or a line (mark the spot, or draw "
                  "the stretch of path)")


def _bad_range(g, crs: CRS) -> str | None:
    x0, y0, x1, y1 = g.bounds
    if not np.all(np.isfinite([x0, y0, x1, y1])):
        return "coordinates are not numbers"
    degrees = -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90
    if crs.is_geographic and not degrees:
        return (f"coordinates ({x0:.0f}, {y0:.0f}) are not longitude/latitude although the file "
                f"is in {crs.name}: this row seems to be in a metric CRS (e.g. SWEREF99 TM): "
                "convert it")
    if crs.is_projected and degrees:
        return (f"coordinates ({x0:.5f}, {y0:.5f}) look like degrees although the file is in "
                f"{crs.name} (metres): convert this row")
    return None


def _metric_crs(crs: CRS, lonlat: np.ndarray) -> CRS:
    if crs.is_projected:
        return crs
    from ..crs import utm_crs

    lon, lat = np.nanmedian(lonlat[:, 0]), np.nanmedian(lonlat[:, 1])
    return utm_crs(float(lon), float(lat))


def _xy(t: Transformer, x, y) -> tuple[np.ndarray, np.ndarray]:
    """``t.transform`` on arrays of any length (lists avoid pyproj's scalar path for size 1)."""
    a, b = t.transform(np.asarray(x, float).tolist(), np.asarray(y, float).tolist())
    return np.asarray(a, float), np.asarray(b, float)


def _location_problems(geoms: np.ndarray, crs: CRS, area, max_outside_m: float,
                       max_spread_m: float) -> dict[int, str]:
    """Rows far outside the study area, or (without one) far from the other findings."""
    out: dict[int, str] = {}
    if len(geoms) == 0:
        return out
    to_ll = Transformer.from_crs(crs, 4326, always_xy=True)
    c = shapely.get_coordinates(shapely.centroid(geoms))
    lon, lat = _xy(to_ll, c[:, 0], c[:, 1])
    ll = np.column_stack([lon, lat])
    metric = _metric_crs(crs, ll) if not crs.is_projected else crs
    fwd = Transformer.from_crs(4326, metric, always_xy=True)
    mx, my = _xy(fwd, ll[:, 0], ll[:, 1])
    pts = shapely.points(mx, my)
    if area is not None:
        a = shapely.transform(area, lambda xy: np.column_stack(_xy(fwd, xy[:, 0], xy[:, 1])))
        dist = shapely.distance(a, pts)
        for i in np.flatnonzero(dist > max_outside_m):
            hint = ""
            sx, sy = fwd.transform(float(ll[i, 1]), float(ll[i, 0]))  # lon and lat swapped?
            if np.isfinite([sx, sy]).all() and shapely.distance(
                    a, shapely.Point(sx, sy)) <= max_outside_m:
                hint = " (longitude and latitude look swapped)"
            out[int(i)] = (f"lies {dist[i] / 1000:.1f} km outside the study area{hint}: check "
                           "its coordinates and the file's CRS")
        return out
    if len(pts) < 3:
        return out
    cx, cy = np.median(mx), np.median(my)
    dist = np.hypot(mx - cx, my - cy)
    for i in np.flatnonzero(dist > max_spread_m):
        out[int(i)] = (f"lies {dist[i] / 1000:.0f} km from the other findings: check its "
                       "coordinates and the file's CRS")
    return out


# --------------------------------------------------------------------------------------------
# normalising a frame
# --------------------------------------------------------------------------------------------
def _find_columns(columns) -> dict[str, str]:
    folded: dict[str, str] = {}
    for c in columns:
        folded.setdefault(_fold(c).replace(" ", "_"), c)
        folded.setdefault(str(c).strip().lower(), c)
    found = {}
    for name, aliases in _COLUMN_ALIASES.items():
        for a in aliases:
            key = a if a in folded else _fold(a).replace(" ", "_")
            if key in folded:
                found[name] = folded[key]
                break
    return found


def _table_geometry(df: pd.DataFrame, crs, source: str) -> gpd.GeoDataFrame:
    """Points from coordinate columns, or geometries from a WKT column, of a table."""
    lower = {str(c).strip().lower(): c for c in df.columns}
    wkt_col = next((lower[n] for n in _WKT_NAMES if n in lower), None)
    xy = next(((lower[a], lower[b]) for a, b in _XY_NAMES if a in lower and b in lower), None)
    if xy is None and wkt_col is None:
        raise InputFileError(
            f"{source}: cannot find coordinates (columns {list(df.columns)}): name them x/y, "
            "lon/lat or easting/northing, or put WKT geometry in a 'wkt' column"
        )
    if crs is None:
        raise CRSError(
            f"{source} has coordinates but no CRS: say which, e.g. crs='EPSG:4326' (lon/lat), "
            "'EPSG:3006' (SWEREF99 TM) or 'EPSG:25832' (Denmark); command line: --crs"
        )
    geoms = np.full(len(df), None, dtype=object)
    if xy is not None:
        x = np.array([_number(v) for v in df[xy[0]]], dtype=float)
        y = np.array([_number(v) for v in df[xy[1]]], dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        geoms[ok] = shapely.points(x[ok], y[ok])
    if wkt_col is not None:
        for i, v in enumerate(df[wkt_col]):
            if geoms[i] is None and not _blank(v):
                try:
                    geoms[i] = shapely.from_wkt(str(v))
                except shapely.errors.GEOSException:
                    geoms[i] = "bad-wkt"
    return gpd.GeoDataFrame(df.drop(columns=[c for c in (wkt_col,) if c is not None]),
                            geometry=gpd.GeoSeries(
                                [g if not isinstance(g, str) else None for g in geoms],
                                index=df.index), crs=crs).assign(
        _bad_wkt=[isinstance(g, str) for g in geoms])


def normalise_findings(
    frame: pd.DataFrame,
    *,
    crs=None,
    to_crs=None,
    area=None,
    today=None,
    default_date=None,
    rows=None,
    where: str = "row",
    source: str = "findings",
    max_outside_m: float = 1000.0,
    max_spread_m: float = 50_000.0,
) -> FindingsCheck:
    """Check and normalise findings held in a (Geo)DataFrame (see the module doc for the schema).

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        A GeoDataFrame (its own CRS; ``crs`` when it has none) or a table with coordinate or
        WKT columns (then ``crs`` is required).
    crs
        CRS of a table's coordinates, e.g. ``"EPSG:4326"``.
    to_crs
        CRS of the result (the run's metric CRS); default the input's.
    area
        Study area (anything :func:`geoplan.sources.area.read_area` takes): rows more than
        ``max_outside_m`` outside it are problems (wrong CRS, swapped lon/lat). Without it, rows
        more than ``max_spread_m`` from the median of the findings are.
    today
        The day dates may not be after (default: today); ISO text or a date.
    default_date
        Date for rows without one (e.g. the day of the walk).
    rows
        Row numbers for the messages (default 1, 2, …), and ``where`` the word before them.
    source
        How to name the input in messages.

    Returns
    -------
    FindingsCheck
        ``findings`` (the rows that fit) and ``problems`` (every other row, with its number).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"category": ["tunnel", "hål"], "severity": [5, 2],
    ...                   "date": ["2024-05-02", "2024-05-02"],
    ...                   "x": [674000.0, 674010.0], "y": [6580000.0, 6580010.0]})
    >>> for problem in normalise_findings(t, crs="EPSG:3006", rows=[2, 3]).problems:
    ...     print(str(problem)[:44])
    row 2: severity 5 is not 1, 2 or 3
    row 3: category 'hål' is unknown: use one of
    """
    today_d = _as_date(today) if today is not None else _dt.date.today()
    default_d = _as_date(default_date) if default_date is not None else None
    if default_date is not None and default_d is None:
        raise InputFileError(f"default date {default_date!r} is not a date: write e.g. 2024-10-03")
    gdf = _as_geoframe(frame, crs, source)
    file_crs = CRS.from_user_input(gdf.crs)
    cols = _required_columns(gdf, source, default_d)
    row_no = list(rows) if rows is not None else list(range(1, len(gdf) + 1))

    def col(name: str):
        return gdf[cols[name]].tolist() if name in cols else [None] * len(gdf)

    problems: dict[int, list[str]] = {}
    values = _parse_values(col, default_d, today_d, problems)
    geoms = _geometries(gdf, file_crs, problems)
    _check_locations(geoms, file_crs, area, max_outside_m, max_spread_m, source, problems)
    ids = _finding_ids(col("finding_id") if "finding_id" in cols else None, row_no, where,
                       problems)
    out = _findings_frame(ids, values, col, row_no, geoms, gdf.crs, problems)
    if to_crs is not None:
        out = out.to_crs(to_crs)
    plist = [FindingProblem(f"{where} {row_no[i]}", m) for i in sorted(problems)
             for m in problems[i]]
    return FindingsCheck(out, plist, source, _ignored_columns(gdf, cols))


def _findings_frame(ids, values, col, row_no, geoms, crs, problems) -> gpd.GeoDataFrame:
    """The normalised findings: the rows without a problem, in the schema's columns."""
    out = gpd.GeoDataFrame(
        {
            "finding_id": ids,
            "category": values["category"],
            "severity": values["severity"],
            "date": values["date"],
            "status": values["status"],
            "note": [_text(v) for v in col("note")],
            "photo": [(_text(v) or None) for v in col("photo")],
            "walk": [_text(v) for v in col("walk")],
            "source_row": row_no,
        },
        geometry=gpd.GeoSeries(geoms, crs=crs),
    )
    good = np.array([i not in problems for i in range(len(out))], dtype=bool)
    out = out[good].reset_index(drop=True)
    out["severity"] = out["severity"].astype("int64")
    out["source_row"] = out["source_row"].astype("int64")
    return out


def _as_geoframe(frame, crs, source: str) -> gpd.GeoDataFrame:
    """A GeoDataFrame with a CRS and a ``_bad_wkt`` flag per row."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return _table_geometry(pd.DataFrame(frame), crs, source)
    gdf = frame if frame.crs is not None or crs is None else frame.set_crs(crs)
    if gdf.crs is None:
        raise CRSError(f"{source} has no CRS: set one (e.g. EPSG:4326) or pass crs=")
    return gdf.assign(_bad_wkt=False)


def _required_columns(gdf: gpd.GeoDataFrame, source: str, default_d) -> dict[str, str]:
    """The schema's columns found in the frame; category, severity and a date must be there."""
    cols = _find_columns([c for c in gdf.columns if c not in (gdf.geometry.name, "_bad_wkt")])
    if "category" not in cols:
        raise InputFileError(
            f"{source} has no category column (columns: "
            f"{[c for c in gdf.columns if c not in (gdf.geometry.name, '_bad_wkt')]}): "
            "name it 'category' (or kategori)"
        )
    if "severity" not in cols:
        raise InputFileError(f"{source} has no severity column: add 'severity' (1, 2 or 3)")
    if "date" not in cols and default_d is None:
        raise InputFileError(f"{source} has no date column: add 'date' or give the walk's date "
                             "(default_date=, command line --date)")
    return cols


def _ignored_columns(gdf: gpd.GeoDataFrame, cols: dict[str, str]) -> tuple[str, ...]:
    """Columns that are neither in the schema nor coordinates/geometry/fid."""
    used = set(cols.values())
    skip_cols = {gdf.geometry.name, "_bad_wkt"}
    xy_like = {n for pair in _XY_NAMES for n in pair} | set(_WKT_NAMES) | {"fid"}
    return tuple(str(c) for c in gdf.columns if c not in used and c not in skip_cols
                 and str(c).strip().lower() not in xy_like)


def _parse_values(col, default_d, today_d, problems: dict[int, list[str]]) -> dict[str, list]:
    """Category, severity, date and status of every row; what does not parse is a problem."""
    values: dict[str, list] = {k: [] for k in ("category", "severity", "date", "status")}
    for i, (cat, sev, date, status) in enumerate(zip(col("category"), col("severity"),
                                                      col("date"), col("status"), strict=True)):
        for name, (v, err) in (("category", _parse_category(cat)),
                               ("severity", _parse_severity(sev)),
                               ("date", _parse_date(date, default_d, today_d)),
                               ("status", _parse_status(status))):
            values[name].append(v)
            if err:
                problems.setdefault(i, []).append(err)
    return values


def _geometries(gdf: gpd.GeoDataFrame, file_crs: CRS,
                problems: dict[int, list[str]]) -> np.ndarray:
    """Normalised geometries (None where the geometry is a problem)."""
    geoms = np.empty(len(gdf), dtype=object)
    bad_wkt = gdf["_bad_wkt"].to_numpy(bool)
    for i, g in enumerate(gdf.geometry.values):
        if bad_wkt[i]:
            geoms[i], err = None, "the WKT geometry cannot be read: write e.g. POINT (24.94 60.17)"
        else:
            geoms[i], err = _normal_geometry(g)
            if err is None:
                err = _bad_range(geoms[i], file_crs)
        if err:
            problems.setdefault(i, []).append(err)
            geoms[i] = None
    return geoms


def _check_locations(geoms: np.ndarray, file_crs: CRS, area, max_outside_m: float,
                     max_spread_m: float, source: str, problems: dict[int, list[str]]) -> None:
    """Findings far outside the study area (or far from the others) are problems; all of them
    outside it is a wrong CRS."""
    placed = np.array([g is not None for g in geoms])
    if not placed.any():
        return
    area_geom = None
    if area is not None:
        from .area import read_area

        area_geom = read_area(area)
    idx = np.flatnonzero(placed)
    far = _location_problems(geoms[idx], file_crs, area_geom, max_outside_m, max_spread_m)
    if area_geom is not None and len(far) == len(idx) and len(idx) > 1:
        raise CRSError(
            f"no finding of {source} lies in the study area: check the CRS of the file "
            f"(it says {file_crs.name}) and that it belongs to this area"
        )
    for j, msg in far.items():
        problems.setdefault(int(idx[j]), []).append(msg)


def _finding_ids(given: list | None, row_no: list, where: str,
                 problems: dict[int, list[str]]) -> list[str]:
    """The file's ids, else the row numbers; a repeated id is a problem."""
    ids = [(_text(v) or None) for v in given] if given is not None else [None] * len(row_no)
    ids = [v if v is not None else str(r) for v, r in zip(ids, row_no, strict=True)]
    seen: dict[str, int] = {}
    for i, fid in enumerate(ids):
        if fid in seen:
            problems.setdefault(i, []).append(
                f"id {fid!r} is used already by {where} {row_no[seen[fid]]}: ids must be unique")
        else:
            seen[fid] = i
    return ids


# --------------------------------------------------------------------------------------------
# reading files
# --------------------------------------------------------------------------------------------
def _read_table(p: Path) -> pd.DataFrame:
    if p.suffix.lower() == ".xlsx":
        try:
            return pd.read_excel(p, dtype=str)
        except Exception as exc:
            raise InputFileError(f"cannot read findings spreadsheet {p.name!r} ({exc})") from exc
    last: Exception | None = None
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(p, sep=None, engine="python", dtype=str, keep_default_na=False,
                               encoding=enc)
        except UnicodeDecodeError as exc:
            last = exc
        except Exception as exc:
            raise InputFileError(f"cannot read findings CSV {p.name!r} ({exc})") from exc
    raise InputFileError(f"cannot read findings CSV {p.name!r} ({last}): save it as UTF-8")


def _vector_layers(p: Path, layer: str | None) -> list[str]:
    import pyogrio

    try:
        info = pyogrio.list_layers(p)
    except Exception as exc:
        from .area import gdal_reason

        raise InputFileError(
            f"cannot read findings file {p.name!r} ({gdal_reason(exc)}): give the findings as a "
            "GeoPackage, GeoJSON or CSV (`geoplan safety-walk template` makes one to fill in)"
        ) from None
    names = [str(n) for n, g in info if g is not None and str(n) not in _SKIP_LAYERS]
    if layer is not None:
        if layer not in [str(n) for n, _ in info]:
            raise InputFileError(f"findings file {p.name!r} has no layer {layer!r}; it has "
                                 f"{[str(n) for n, _ in info]}")
        return [layer]
    if not names:
        raise InputFileError(f"findings file {p.name!r} has no layer with geometry")
    return names


def check_findings(
    path,
    *,
    crs=None,
    layer: str | None = None,
    to_crs=None,
    area=None,
    today=None,
    default_date=None,
) -> FindingsCheck:
    """Read a findings file and check every row (nothing is raised for bad rows).

    Parameters
    ----------
    path
        GeoPackage (every layer with a category column is read, e.g. the template's points and
        lines; or just ``layer``), GeoJSON or another GDAL vector file, or CSV/XLSX with
        coordinate columns or a WKT column.
    crs
        CRS of a CSV's/XLSX's coordinates (required for them), or of a vector file without one.
    layer, to_crs, area, today, default_date
        See :func:`normalise_findings`.

    Returns
    -------
    FindingsCheck
        Valid findings and the problems of the other rows.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"findings file {str(p)!r} does not exist: check the path")
    kw = {"crs": crs, "to_crs": to_crs, "area": area, "today": today,
          "default_date": default_date}
    if p.suffix.lower() in _TABLE_SUFFIXES:
        df = _read_table(p)
        if len(df) == 0:
            raise InputFileError(f"findings file {p.name!r} has no rows")
        return normalise_findings(df, rows=range(2, len(df) + 2), source=repr(p.name), **kw)
    import pyogrio

    names = _vector_layers(p, layer)
    checks = []
    for name in names:
        try:
            g = pyogrio.read_dataframe(p, layer=name, fid_as_index=True)
        except Exception as exc:
            from .area import gdal_reason

            raise InputFileError(f"cannot read layer {name!r} of {p.name!r} "
                                 f"({gdal_reason(exc)}): export the layer again") from None
        if layer is None and len(names) > 1 and "category" not in _find_columns(g.columns):
            continue
        gpkg = p.suffix.lower() == ".gpkg"
        rows = g.index.to_numpy() if gpkg else np.arange(1, len(g) + 1)
        where = f"layer {name}, row" if len(names) > 1 else "row"
        c = normalise_findings(g.reset_index(drop=True), rows=rows, where=where,
                               source=repr(p.name), **kw)
        if len(names) > 1:
            c.findings["finding_id"] = [
                fid if fid != str(r) else f"{name}:{r}"
                for fid, r in zip(c.findings["finding_id"], c.findings["source_row"], strict=True)]
        checks.append(c)
    if not checks:
        raise InputFileError(f"no layer of {p.name!r} has a category column: is it a findings "
                             "file? (make one with `geoplan safety-walk template`)")
    frames = [c.findings for c in checks]
    target = frames[0].crs
    merged = gpd.GeoDataFrame(
        pd.concat([f.to_crs(target) for f in frames], ignore_index=True), crs=target)
    problems = [q for c in checks for q in c.problems]
    dup = merged["finding_id"].duplicated(keep="first")
    for fid in merged.loc[dup, "finding_id"]:
        problems.append(FindingProblem(f"id {fid}", "is used in more than one layer"))
    merged = merged[~dup].reset_index(drop=True)
    ignored = tuple(dict.fromkeys(x for c in checks for x in c.ignored_columns))
    return FindingsCheck(merged, problems, repr(p.name), ignored)


def read_findings(path, *, on_error: str = "raise", **kwargs) -> gpd.GeoDataFrame:
    """Read a findings file (see :func:`check_findings`); every bad row at once, or skipped.

    Parameters
    ----------
    path
        The findings file.
    on_error
        ``"raise"``: a :class:`FindingsError` listing every row that does not fit;
        ``"skip"``: leave those rows out, warn (:class:`FindingsWarning`) and keep the problems
        in ``result.attrs["problems"]`` (a list of texts).
    **kwargs
        ``crs``, ``layer``, ``to_crs``, ``area``, ``today``, ``default_date``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "walk.csv"
    >>> _ = f.write_text("kategori;allvarlighet;datum;lon;lat\\nmörkt;3;2024-10-03;24.945;60.170\\n"
    ...                  "buskage;7;2024-10-03;24.946;60.171\\n", encoding="utf-8")
    >>> read_findings(f, crs="EPSG:4326")
    Traceback (most recent call last):
    ...
    geoplan.sources.findings.FindingsError: 'walk.csv': 1 problem in the findings:
      row 3: severity 7 is not 1, 2 or 3
    Fix these rows, or leave them out with on_error='skip' (command line: --skip-bad-rows)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     g = read_findings(f, crs="EPSG:4326", on_error="skip")
    >>> g["category"].tolist(), g.attrs["problems"]
    (['dark_spot'], ['row 3: severity 7 is not 1, 2 or 3'])
    """
    if on_error not in ("raise", "skip"):
        raise InputFileError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    check = check_findings(path, **kwargs)
    if on_error == "raise":
        check.raise_if_problems()
    elif check.problems:
        warnings.warn(
            f"{check.source}: {len(check.problems)} problem(s); rows left out:\n"
            + "\n".join(f"  {q}" for q in check.problems), FindingsWarning, stacklevel=2)
    out = check.findings
    out.attrs["problems"] = [str(q) for q in check.problems]
    return out
