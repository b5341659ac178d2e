"""GeoPackages that open styled in QGIS, with OpenStreetMap attribution that survives.

:func:`write_gpkg` writes several layers into **one** GeoPackage atomically (a temporary file beside
the target, renamed into place only when everything succeeded, so a previous file survives a
failed write). Besides the layers it writes, following QGIS's own conventions:

``layer_styles``
    one default QGIS style (QML) per styled layer, in exactly the table QGIS creates with
    *Save style > In database* (``QgsVectorLayer.saveStyleToDatabase``), so QGIS applies the style
    when the layer is opened. The ``description`` of each row carries the attribution.
``gpkg_metadata`` / ``gpkg_metadata_reference``
    per layer, a QGIS layer-metadata document (QMD, ``md_standard_uri='http://mrcc.com/qgis.dtd'``,
    as QGIS writes it with *Save metadata to datasource*): QGIS shows its *rights*
    ("© OpenStreetMap contributors") and licence in the layer's metadata. (No GDAL dataset
    metadata: GDAL 3.12 would write a ``.aux.xml`` sidecar beside the file each time it opens it.)
``geoplan_metadata``
    a plain attribute table ``(fid, key, value)`` with the same dict and the attribution, readable
    from any GIS or ``sqlite3``.

Column conversions (GeoPackage has no list, dict or boolean-as-number types):

* list / tuple / set / array values are joined with ``";"`` (as ``osmid`` already is), dict values
  become JSON text;
* boolean columns are written as **integers 0/1** (nullable booleans keep missing values as NULL):
  QGIS 3.40 and spreadsheets then sum, average and classify them like any number (a mean is a
  share);
* a named index (e.g. ``cell_id`` of a grid) becomes an ordinary column.

The style functions generate QML text without importing QGIS: :func:`graduated_fill_qml` (levels
with a sequential ramp, changes with a diverging ramp centred on 0 and a "no change" class),
:func:`lit_line_qml` (yes/no/unknown lighting), :func:`destination_point_qml`,
:func:`green_fill_qml`. Class breaks come from :func:`class_breaks` or :func:`diverging_breaks`;
give them the values of *both* a before and an after layer and use the result for both styles so
the two maps compare.

Examples
--------
>>> import tempfile, pathlib, geopandas as gpd, shapely
>>> squares = [shapely.box(i * 100, 0, i * 100 + 100, 100) for i in range(3)]
>>> cells = gpd.GeoDataFrame({"pop": [3, 12, 40]}, geometry=squares, crs="EPSG:3006")
>>> breaks = class_breaks(cells["pop"], n_classes=2, method="equal")
>>> breaks
[0.0, 20.0, 40.0]
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo.gpkg"
>>> write_gpkg(out, {"grid_100m": cells},
...            styles={"grid_100m": graduated_fill_qml("pop", breaks, unit="")})
>>> import pyogrio
>>> pyogrio.list_layers(out)[:, 0].tolist()
['grid_100m', 'geoplan_metadata', 'layer_styles']
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_path
from ..errors import ConfigError, CRSError
from ..i18n import fmt
from ..i18n import tr as _i18n_tr

__all__ = [
    "ATTRIBUTION",
    "LICENCE",
    "TEXTS",
    "class_breaks",
    "default_style",
    "destination_point_qml",
    "diverging_breaks",
    "graduated_fill_qml",
    "green_fill_qml",
    "lit_line_qml",
    "write_gpkg",
]

#: Attribution every geoplan output built on OpenStreetMap data carries.
ATTRIBUTION = "© OpenStreetMap contributors"
#: Licence of data derived from OpenStreetMap.
LICENCE = "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/"

#: Legend texts of this module (to be merged into geoplan.i18n.CATALOGUE by the lead).
TEXTS: dict[str, dict[str, str]] = {
    "lit_yes": {"en": "lit", "sv": "belyst", "da": "belyst"},
    "lit_no": {"en": "not lit", "sv": "ej belyst", "da": "ikke belyst"},
    "lit_unknown": {"en": "lighting unknown", "sv": "belysning okänd",
                    "da": "belysning ukendt"},
    "no_change": {"en": "no change", "sv": "ingen förändring", "da": "ingen ændring"},
    "green_space": {"en": "green space", "sv": "grönyta", "da": "grønt område"},
}

#: GeoPackage/QGIS table names a geoplan layer may not use.
_RESERVED = ("layer_styles", "geoplan_metadata", "qgis_projects")
_QGIS_DTD = "http://mrcc.com/qgis.dtd"
_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
_QML_VERSION = "3.34.0-Prizren"  # oldest QGIS geoplan supports; newer versions read it as is

# Exactly the table QGIS 3.40 creates (QgsVectorLayer.saveStyleToDatabase on a GeoPackage layer;
# verified by reading sqlite_master of a file QGIS styled).
_LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
# GeoPackage metadata extension tables (as GDAL and QGIS create them).
_METADATA_DDL = (
    "CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,"
    "md_scope TEXT NOT NULL DEFAULT 'dataset',md_standard_uri TEXT NOT NULL,"
    "mime_type TEXT NOT NULL DEFAULT 'text/xml',metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL,table_name TEXT,"
    "column_name TEXT,row_id_value INTEGER,timestamp DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')),md_file_id INTEGER NOT NULL,md_parent_id INTEGER,"
    "CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),"
    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))",
)
_METADATA_EXT = "http://www.geopackage.org/spec120/#extension_metadata"

# Colour ramps (ColorBrewer, colour-blind safe): sequential YlGnBu, diverging RdBu.
_SEQUENTIAL = ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8",
               "#253494", "#081d58")
_DIVERGING_NEG = ("#b2182b", "#d6604d", "#f4a582", "#fddbc7")  # strongest first
_DIVERGING_POS = ("#d1e5f0", "#92c5de", "#4393c3", "#2166ac")  # weakest first
_NEUTRAL = "#f7f7f7"
#: qualitative colours for destination categories (ColorBrewer Set1 + Dark2)
_QUALITATIVE = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf",
                "#1b9e77", "#666666", "#e6ab02", "#66a61e", "#7570b3")


# --------------------------------------------------------------------------------------------
# texts
# --------------------------------------------------------------------------------------------
def _tr(key: str, lang: str) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return _i18n_tr(key, lang)
    _i18n_tr("attribution", lang)  # validates lang (ConfigError names the languages)
    return entry.get(lang) or entry["en"]


# --------------------------------------------------------------------------------------------
# class breaks
# --------------------------------------------------------------------------------------------
def _nice_step(x: float) -> float:
    """Smallest of 1, 2, 2.5, 5 × 10**k that is >= ``x`` (``x`` > 0)."""
    k = math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = m * 10.0**k
        if step >= x * (1 - 1e-12):
            return step
    return 10.0 ** (k + 1)  # pragma: no cover


def _decimals(step: float) -> int:
    """Decimals needed to write multiples of ``step`` exactly (2.5 -> 1, 0.05 -> 2, 50 -> 0)."""
    for d in range(0, 12):
        if abs(round(step, d) - step) <= abs(step) * 1e-9:
            return d
    return 12  # pragma: no cover


def _clean(x: float, step: float) -> float:
    return float(round(x, _decimals(step))) + 0.0  # + 0.0 turns -0.0 into 0.0


def _pooled(values: tuple) -> np.ndarray:
    if not values:
        raise ConfigError("class breaks need values: pass one or more Series or arrays")
    arrs = [np.asarray(pd.to_numeric(pd.Series(np.asarray(v).ravel()), errors="coerce"),
                       dtype=float) for v in values]
    v = np.concatenate(arrs) if arrs else np.array([], dtype=float)
    return v[np.isfinite(v)]


def class_breaks(*values, n_classes: int = 5, method: str = "quantile") -> list[float]:
    """"Nice" class breaks (``n + 1`` edges, increasing) covering all finite ``values``.

    Parameters
    ----------
    *values
        One or more Series/arrays. Give the column of a *before* and an *after* layer together
        to get one set of breaks for both maps (then pass it to both styles).
    n_classes
        Wanted number of classes; "nice" rounding may give one more (equal) or fewer (quantile,
        when many values tie, e.g. many zeros).
    method
        ``"quantile"`` (about as many cells per class) or ``"equal"`` (equal intervals on round
        numbers: 1, 2, 2.5 or 5 × 10^k).

    Returns
    -------
    list of float
        Class edges; the first is <= the smallest value and the last >= the largest.

    Examples
    --------
    >>> class_breaks([0, 130, 260, 990], n_classes=4, method="equal")
    [0.0, 250.0, 500.0, 750.0, 1000.0]
    >>> class_breaks([0.0, 0.11, 0.42, 0.5, 0.93], n_classes=2, method="quantile")
    [0.0, 0.4, 0.95]
    >>> class_breaks([3, 12], [40], n_classes=2, method="equal")  # before and after together
    [0.0, 20.0, 40.0]
    """
    if method not in ("quantile", "equal"):
        raise ConfigError(f"class break method must be 'quantile' or 'equal', got {method!r}")
    if int(n_classes) < 1:
        raise ConfigError(f"n_classes must be >= 1, got {n_classes}")
    n = int(n_classes)
    v = _pooled(values)
    if v.size == 0:
        raise ConfigError("no finite values to classify: the column is empty or all missing")
    lo, hi = float(v.min()), float(v.max())
    if hi == lo:
        step = _nice_step(abs(lo) / 10) if lo else 1.0
        start = math.floor(lo / step) * step
        return [_clean(start, step), _clean(start + step, step)]
    step = _nice_step((hi - lo) / n)
    if method == "equal":
        start = math.floor(lo / step + 1e-9) * step
        out = [start]
        while out[-1] < hi - step * 1e-9:
            out.append(start + step * len(out))
        return [_clean(b, step) for b in out]
    unit = _nice_step((hi - lo) / n / 10)
    q = np.quantile(v, np.linspace(0.0, 1.0, n + 1))
    edges = [math.floor(lo / unit + 1e-9) * unit]
    edges += [round(x / unit) * unit for x in q[1:-1]]
    edges.append(math.ceil(hi / unit - 1e-9) * unit)
    return sorted({_clean(b, unit) for b in edges})


def diverging_breaks(*values, n_per_side: int = 3, neutral: float | None = None) -> list[float]:
    """Breaks symmetric around 0 for change layers, with a middle "no change" class.

    The breaks are ``[-k·s, …, -s, -neutral, neutral, s, …, k·s]`` with ``s`` a round step and
    ``k <= n_per_side``: ``2k + 1`` classes, the middle one (``|change| <= neutral``) drawn in a
    neutral colour by :func:`graduated_fill_qml` (most cells of a scenario do not change and must
    not look like a loss or a gain).

    Parameters
    ----------
    *values
        Changes (after - before); several arrays are pooled.
    n_per_side
        Classes on each side of 0.
    neutral
        Half-width of the "no change" class; default a twentieth of the step.

    Examples
    --------
    >>> diverging_breaks([-130.0, 0.0, 0.0, 40.0, 260.0], n_per_side=3)
    [-300.0, -200.0, -100.0, -5.0, 5.0, 100.0, 200.0, 300.0]
    """
    if int(n_per_side) < 1:
        raise ConfigError(f"n_per_side must be >= 1, got {n_per_side}")
    v = _pooled(values)
    m = float(np.abs(v).max()) if v.size else 0.0
    step = _nice_step(m / int(n_per_side)) if m > 0 else 1.0
    k = max(1, min(int(n_per_side), math.ceil(m / step - 1e-9)))
    if neutral is None:
        neutral = step / 20
    neutral = float(neutral)
    if not 0 < neutral < step:
        raise ConfigError(f"neutral must be > 0 and smaller than the class step {step}, "
                          f"got {neutral}")
    digits = max(_decimals(step), _decimals(neutral))
    side = [round(step * i, digits) for i in range(1, k + 1)]
    return ([-s + 0.0 for s in reversed(side)] + [round(-neutral, digits), round(neutral, digits)]
            + side)


# --------------------------------------------------------------------------------------------
# colours and QML building blocks
# --------------------------------------------------------------------------------------------
def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", c):
        raise ConfigError(f"colour {colour!r} is not a hex colour like '#1d91c0'")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _qcolor(colour: str, alpha: int = 255) -> str:
    r, g, b = _rgb(colour)
    return f"{r},{g},{b},{alpha}"


def _sample(palette: Sequence[str], n: int) -> list[str]:
    """``n`` colours evenly spaced along ``palette`` (linear interpolation in RGB)."""
    if n == 1:
        return [palette[len(palette) // 2]]
    rgbs = np.array([_rgb(c) for c in palette], dtype=float)
    pos = np.linspace(0, len(palette) - 1, n)
    out = []
    for p in pos:
        i = min(int(math.floor(p)), len(palette) - 2)
        t = p - i
        r, g, b = (rgbs[i] * (1 - t) + rgbs[i + 1] * t).round().astype(int)
        out.append(f"#{r:02x}{g:02x}{b:02x}")
    return out


def _options(parent: ET.Element, props: Mapping[str, str]) -> ET.Element:
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", name=k, type="QString", value=str(v))
    return opt


def _symbol(parent: ET.Element, name: str, kind: str, layers: list[tuple[str, dict]],
            alpha: float = 1.0) -> ET.Element:
    sym = ET.SubElement(parent, "symbol", name=name, type=kind, alpha=f"{alpha:g}",
                        clip_to_extent="1", force_rhr="0")
    for cls, props in layers:
        lyr = ET.SubElement(sym, "layer", attrib={"class": cls, "pass": "0", "locked": "0",
                                                  "enabled": "1"})
        _options(lyr, props)
    return sym


def _fill(colour: str, outline: str = "#ffffff", outline_alpha: int = 110,
          outline_width: float = 0.1, style: str = "solid", alpha: int = 255) -> tuple[str, dict]:
    return ("SimpleFill", {
        "color": _qcolor(colour, alpha), "style": style, "joinstyle": "bevel",
        "outline_color": _qcolor(outline, outline_alpha), "outline_style": "solid",
        "outline_width": f"{outline_width:g}", "outline_width_unit": "MM", "offset": "0,0",
        "offset_unit": "MM",
    })


def _line(colour: str, width: float, style: str = "solid") -> tuple[str, dict]:
    return ("SimpleLine", {
        "line_color": _qcolor(colour), "line_width": f"{width:g}", "line_width_unit": "MM",
        "line_style": style, "capstyle": "round", "joinstyle": "round", "offset": "0",
        "offset_unit": "MM",
    })


def _marker(colour: str, size: float = 2.6, shape: str = "circle") -> tuple[str, dict]:
    return ("SimpleMarker", {
        "name": shape, "color": _qcolor(colour), "outline_color": _qcolor("#ffffff"),
        "outline_style": "solid", "outline_width": "0.3", "outline_width_unit": "MM",
        "size": f"{size:g}", "size_unit": "MM", "angle": "0", "offset": "0,0",
        "offset_unit": "MM", "joinstyle": "bevel", "scale_method": "diameter",
    })


def _qml(renderer: ET.Element, geometry_type: int, attribution: str) -> str:
    """Wrap a ``renderer-v2`` element into a QML document with the attribution."""
    root = ET.Element("qgis", version=_QML_VERSION, styleCategories="Symbology|CustomProperties")
    root.append(ET.Comment(f" geoplan style. Data {attribution}, {LICENCE} "))
    root.append(renderer)
    props = ET.SubElement(root, "customproperties")
    _options(props, {"geoplan/attribution": attribution, "geoplan/licence": LICENCE})
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerGeometryType").text = str(geometry_type)
    ET.indent(root, space=" ")
    return _DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


def _renderer(kind: str, **attrs: str) -> ET.Element:
    return ET.Element("renderer-v2", attrib={"type": kind, "symbollevels": "0",
                                            "enableorderby": "0", "forceraster": "0",
                                            "referencescale": "-1", **attrs})


def _finish_renderer(r: ET.Element) -> None:
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")


# --------------------------------------------------------------------------------------------
# styles
# --------------------------------------------------------------------------------------------
def graduated_fill_qml(column: str, breaks: Sequence[float], *, ramp: str | Sequence[str] =
                       "sequential", reverse: bool = False, unit: str = "", lang: str = "en",
                       digits: int | None = None, opacity: float = 1.0,
                       attribution: str = ATTRIBUTION) -> str:
    """QML of a graduated fill style (QGIS ``QgsGraduatedSymbolRenderer``) on a numeric column.

    Parameters
    ----------
    column
        Field to classify, e.g. ``"dist_park_m"``.
    breaks
        Class edges, increasing (from :func:`class_breaks` or :func:`diverging_breaks`); a value
        equal to a break falls in the lower class, as in QGIS. Cells with a missing value (NULL)
        are not drawn: no colour is ever invented for "no value".
    ramp
        ``"sequential"`` (light yellow → dark blue, for levels), ``"diverging"`` (red for
        negative, blue for positive, neutral grey-white for the middle "no change" class; needs an
        odd number of classes, as :func:`diverging_breaks` gives) or a list of hex colours, one
        per class.
    reverse
        Reverse the ramp (e.g. when higher is worse, or when a decrease is an improvement).
    unit
        Written after each legend range, e.g. ``"m"``; ``""`` for none.
    lang
        Legend language: ``"en"``, ``"sv"`` or ``"da"`` (decimal comma in sv/da).
    digits
        Decimals in the legend; default per number, the fewest that show it exactly.
    opacity
        Fill opacity 0..1.
    attribution
        Attribution stored in the style.

    Returns
    -------
    str
        QML text (load in QGIS with *Layer properties > Style > Load style*).

    Examples
    --------
    >>> qml = graduated_fill_qml("dist_park_m", [0, 200, 400, 800], unit="m", lang="sv")
    >>> import xml.etree.ElementTree as ET
    >>> r = ET.fromstring(qml.split("\\n", 1)[1]).find("renderer-v2")
    >>> [x.get("label") for x in r.iter("range")]
    ['0 – 200 m', '200 – 400 m', '400 – 800 m']
    """
    b = [float(x) for x in breaks]
    if len(b) < 2 or any(not math.isfinite(x) for x in b) or any(
            b2 <= b1 for b1, b2 in zip(b, b[1:], strict=False)):
        raise ConfigError(f"breaks must be at least two finite, strictly increasing numbers, "
                          f"got {b}")
    n = len(b) - 1
    diverging = False
    if isinstance(ramp, str):
        if ramp == "sequential":
            colours = _sample(_SEQUENTIAL[1:], n)
        elif ramp == "diverging":
            if n % 2 == 0:
                raise ConfigError("a diverging style needs an odd number of classes with the "
                                  "middle one around 0: use diverging_breaks()")
            k = n // 2
            colours = _sample(_DIVERGING_NEG, k) if k > 1 else [_DIVERGING_NEG[1]]
            colours += [_NEUTRAL]
            colours += _sample(_DIVERGING_POS, k) if k > 1 else [_DIVERGING_POS[2]]
            diverging = b[k] < 0 < b[k + 1]
        else:
            raise ConfigError(f"ramp must be 'sequential', 'diverging' or a list of colours, "
                              f"got {ramp!r}")
    else:
        colours = list(ramp)
        if len(colours) != n:
            raise ConfigError(f"{len(colours)} colours given for {n} classes")
    if reverse:
        colours = colours[::-1]

    def num(x: float) -> str:
        d = digits if digits is not None else min(_decimals(abs(x)) if x else 0, 6)
        return fmt(x, lang, d)

    alpha = max(0, min(255, round(opacity * 255)))
    suffix = f" {unit}" if unit else ""

    r = _renderer("graduatedSymbol", attr=column, graduatedMethod="GraduatedColor")
    ranges = ET.SubElement(r, "ranges")
    symbols = ET.SubElement(r, "symbols")
    for i in range(n):
        lo, hi = b[i], b[i + 1]
        if diverging and i == n // 2:
            label = f"{_tr('no_change', lang)} (±{num(hi)}{suffix})"
        else:
            label = f"{num(lo)} – {num(hi)}{suffix}"
        ET.SubElement(ranges, "range", render="true", symbol=str(i), label=label,
                      lower=repr(lo), upper=repr(hi))
        _symbol(symbols, str(i), "fill", [_fill(colours[i], alpha=alpha)])
    # source ramp: what QGIS uses if the planner reclassifies in the style panel
    cr = ET.SubElement(r, "colorramp", name="[source]", type="gradient")
    stops = ":".join(f"{j / (n - 1):.4f};{_qcolor(c)}" for j, c in enumerate(colours)
                     if 0 < j < n - 1) if n > 2 else ""
    _options(cr, {"color1": _qcolor(colours[0]), "color2": _qcolor(colours[-1]),
                  "discrete": "0", "rampType": "gradient", "stops": stops})
    cm = ET.SubElement(r, "classificationMethod", id="Custom")
    ET.SubElement(cm, "symmetricMode", enabled="1" if diverging else "0", astride="1" if
                  diverging else "0", symmetrypoint="0")
    precision = digits if digits is not None else max(_decimals(abs(x)) if x else 0 for x in b)
    ET.SubElement(cm, "labelFormat", format=f"%1 – %2{suffix}", labelprecision=str(precision),
                  trimtrailingzeroes="1")
    _finish_renderer(r)
    return _qml(r, 2, attribution)


def lit_line_qml(column: str = "lit", *, lang: str = "en", attribution: str = ATTRIBUTION) -> str:
    """QML of the walk network by lighting: yes warm yellow, no dark blue, unknown grey dashed.

    A categorized style (``QgsCategorizedSymbolRenderer``) on the three-valued ``lit`` column;
    "unknown" is drawn as unknown (grey, dashed), never as lit or dark.

    Examples
    --------
    >>> qml = lit_line_qml(lang="da")
    >>> import xml.etree.ElementTree as ET
    >>> r = ET.fromstring(qml.split("\\n", 1)[1]).find("renderer-v2")
    >>> [(c.get("value"), c.get("label")) for c in r.iter("category")]
    [('yes', 'belyst'), ('no', 'ikke belyst'), ('unknown', 'belysning ukendt')]
    """
    spec = [("yes", "lit_yes", _line("#f5b700", 0.9)),
            ("no", "lit_no", _line("#1b2a4a", 0.7)),
            ("unknown", "lit_unknown", _line("#9a9a9a", 0.6, "dash"))]
    r = _renderer("categorizedSymbol", attr=column)
    cats = ET.SubElement(r, "categories")
    symbols = ET.SubElement(r, "symbols")
    for i, (value, key, layer) in enumerate(spec):
        ET.SubElement(cats, "category", render="true", value=value, type="string",
                      label=_tr(key, lang), symbol=str(i))
        _symbol(symbols, str(i), "line", [layer])
    _finish_renderer(r)
    return _qml(r, 1, attribution)


def destination_point_qml(column: str = "category", categories: Iterable[str] | None = None, *,
                          lang: str = "en", attribution: str = ATTRIBUTION) -> str:
    """QML of destinations as coloured circles by category, with translated legend labels.

    Parameters
    ----------
    column
        Field holding the category (see :data:`geoplan.sources.osm_tags.CATEGORIES`).
    categories
        Categories to list, default all of geoplan's in report order.
    lang
        Legend language.

    Examples
    --------
    >>> qml = destination_point_qml(categories=["school", "grocery"], lang="sv")
    >>> "label=\\"livsmedelsbutik\\"" in qml
    True
    """
    if categories is None:
        from ..sources.osm_tags import CATEGORIES

        categories = CATEGORIES
    cats_list = list(dict.fromkeys(categories))
    r = _renderer("categorizedSymbol", attr=column)
    cats = ET.SubElement(r, "categories")
    symbols = ET.SubElement(r, "symbols")
    for i, cat in enumerate(cats_list):
        key = f"cat_{cat}"
        label = _i18n_tr(key, lang)
        if label == key:  # not in the catalogue: show the value itself
            label = str(cat)
        ET.SubElement(cats, "category", render="true", value=str(cat), type="string",
                      label=label, symbol=str(i))
        _symbol(symbols, str(i), "marker", [_marker(_QUALITATIVE[i % len(_QUALITATIVE)])])
    _finish_renderer(r)
    return _qml(r, 0, attribution)


def green_fill_qml(*, lang: str = "en", attribution: str = ATTRIBUTION) -> str:
    """QML of green space: a translucent green fill with a darker green outline.

    Examples
    --------
    >>> "singleSymbol" in green_fill_qml()
    True
    """
    _tr("green_space", lang)
    r = _renderer("singleSymbol")
    symbols = ET.SubElement(r, "symbols")
    _symbol(symbols, "0", "fill", [_fill("#74c476", outline="#238b45", outline_alpha=255,
                                         outline_width=0.3, alpha=170)])
    _finish_renderer(r)
    return _qml(r, 2, attribution)


def default_style(gdf, *, lang: str = "en") -> str | None:
    """The style geoplan gives a layer by its column contract, or None when none applies.

    Lines with ``lit`` -> :func:`lit_line_qml`; points with ``category`` ->
    :func:`destination_point_qml`; polygons with ``kind`` and ``public`` (green space) ->
    :func:`green_fill_qml`. Grids get no default: their column needs breaks chosen by the caller.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> default_style(gpd.GeoDataFrame({"lit": ["yes"]}, geometry=[shapely.LineString([(0, 0),
    ...     (1, 1)])])) is not None
    True
    """
    import geopandas as gpd

    if not isinstance(gdf, gpd.GeoDataFrame) or len(gdf) == 0:
        return None
    types = set(gdf.geometry.geom_type.dropna().unique())
    if "lit" in gdf.columns and types <= {"LineString", "MultiLineString"}:
        return lit_line_qml(lang=lang)
    if "category" in gdf.columns and types <= {"Point", "MultiPoint"}:
        return destination_point_qml(lang=lang)
    if {"kind", "public"} <= set(gdf.columns) and types <= {"Polygon", "MultiPolygon"}:
        return green_fill_qml(lang=lang)
    return None


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------
def _to_text(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return v
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(v, list | tuple | set | frozenset | np.ndarray):
        items = sorted(v, key=str) if isinstance(v, set | frozenset) else list(v)
        return ";".join(str(x) for x in items)
    return v


def _prepare(name: str, df):
    """Copy of ``df`` with columns GeoPackage can hold (see the module doc)."""
    import geopandas as gpd

    df = df.copy()
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        if df.index.name is not None and df.index.name in df.columns:
            df = df.reset_index(drop=True)
        else:
            df = df.reset_index()
    geom_col = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    for col in df.columns:
        if col == geom_col:
            continue
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        kind = getattr(s.dtype, "kind", "O")
        if pd.api.types.is_bool_dtype(s.dtype):
            df[col] = s.astype("Int32" if isinstance(s.dtype, pd.BooleanDtype) else "int32")
        elif kind in "cmV":
            raise ConfigError(
                f"layer {name!r}: column {col!r} has type {s.dtype}, which a GeoPackage cannot "
                "hold: convert it to numbers or text before writing"
            )
        elif kind == "O":
            nonnull = s.dropna()
            if len(nonnull) and all(isinstance(x, bool | np.bool_) for x in nonnull):
                df[col] = s.map(lambda x: None if pd.isna(x) else int(x)).astype("Int32")
                continue
            bad = next((x for x in nonnull if isinstance(x, complex)), None)
            if bad is not None:
                raise ConfigError(
                    f"layer {name!r}: column {col!r} holds complex numbers ({bad!r}), which a "
                    "GeoPackage cannot hold: convert them to numbers or text before writing"
                )
            df[col] = s.map(_to_text)
        else:
            df[col] = s
    return df, geom_col


def _check_layers(layers, styles) -> None:
    import geopandas as gpd

    if not isinstance(layers, Mapping) or not layers:
        raise ConfigError("write_gpkg needs a dict {layer name: GeoDataFrame} with at least one "
                          "layer")
    seen: set[str] = set()
    for name, df in layers.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(f"layer name {name!r} must start with a letter or _ and hold only "
                              "letters, digits and _ (e.g. 'grid_100m')")
        low = name.lower()
        if low in _RESERVED or low.startswith(("gpkg_", "rtree_", "sqlite_")):
            raise ConfigError(f"layer name {name!r} is reserved by GeoPackage/QGIS: choose "
                              "another name")
        if low in seen:
            raise ConfigError(f"two layers are named {name!r} (GeoPackage names ignore case)")
        seen.add(low)
        if not isinstance(df, pd.DataFrame):
            raise ConfigError(f"layer {name!r} must be a GeoDataFrame (or a DataFrame for a "
                              f"table), got {type(df).__name__}")
        if isinstance(df, gpd.GeoDataFrame) and df.crs is None:
            raise CRSError(f"layer {name!r} has no CRS: set it, e.g. gdf.set_crs('EPSG:3006')")
    for name, qml in (styles or {}).items():
        if name not in layers:
            raise ConfigError(f"a style is given for {name!r}, which is not among the layers "
                              f"{sorted(layers)}")
        try:
            root = ET.fromstring(re.sub(r"^\s*<!DOCTYPE[^>]*>", "", qml))
        except ET.ParseError as exc:
            raise ConfigError(f"the style of layer {name!r} is not valid QML: {exc}") from exc
        if root.tag != "qgis":
            raise ConfigError(f"the style of layer {name!r} is not QML (root <{root.tag}>)")


def _qmd(name: str, abstract: str, lang: str) -> str:
    """A QGIS layer-metadata document (QMD) with the attribution as *rights*."""
    root = ET.Element("qgis", version=_QML_VERSION)
    for tag, text in (("identifier", name), ("parentidentifier", ""), ("language", lang),
                      ("type", "dataset"), ("title", name), ("abstract", abstract)):
        ET.SubElement(root, tag).text = text
    kw = ET.SubElement(root, "keywords", vocabulary="geoplan")
    ET.SubElement(kw, "keyword").text = "OpenStreetMap"
    ET.SubElement(root, "links")
    ET.SubElement(root, "dates")
    ET.SubElement(root, "fees").text = ""
    ET.SubElement(root, "rights").text = ATTRIBUTION
    ET.SubElement(root, "license").text = LICENCE
    ET.SubElement(root, "encoding").text = ""
    ET.SubElement(root, "extent")
    ET.indent(root, space=" ")
    return _DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


def _table_exists(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                       (name,)).fetchone() is not None


def _register_attributes_table(con: sqlite3.Connection, table: str, count: int) -> None:
    """Register ``table`` as GDAL/QGIS do: gpkg_contents 'attributes' + OGR feature count."""
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, "
        "srs_id) VALUES (?, 'attributes', ?, '', strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0)",
        (table, table),
    )
    if _table_exists(con, "gpkg_ogr_contents"):
        con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, ?)",
                    (table, count))
        for op, sign in (("insert", "+"), ("delete", "-")):
            con.execute(
                f'CREATE TRIGGER "trigger_{op}_feature_count_{table}" AFTER {op.upper()} ON '
                f'"{table}" BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count '
                f"{sign} 1 WHERE lower(table_name) = lower('{table}'); END"
            )


def _write_extras(tmp: Path, names: list[str], styles: Mapping[str, str],
                  abstract: str, lang: str) -> None:
    con = sqlite3.connect(tmp)
    try:
        with con:
            geom_cols = dict(con.execute("SELECT table_name, column_name FROM "
                                         "gpkg_geometry_columns").fetchall())
            if styles:
                con.execute(_LAYER_STYLES_DDL)
                for name, qml in styles.items():
                    con.execute(
                        'INSERT INTO "layer_styles" (f_table_catalog, f_table_schema, '
                        "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
                        "useAsDefault, description, owner, ui) VALUES "
                        "('', '', ?, ?, ?, ?, '', 1, ?, '', NULL)",
                        (name, geom_cols.get(name, ""), name, qml,
                         f"geoplan style of {name}. Data {ATTRIBUTION} ({LICENCE})"),
                    )
                _register_attributes_table(con, "layer_styles", len(styles))
            if not _table_exists(con, "gpkg_metadata"):
                for ddl in _METADATA_DDL:
                    con.execute(ddl)
            for table in ("gpkg_metadata", "gpkg_metadata_reference"):
                con.execute("INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, "
                            "extension_name, definition, scope) VALUES (?, NULL, "
                            "'gpkg_metadata', ?, 'read-write')", (table, _METADATA_EXT))
            for name in names:
                cur = con.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, "
                                  "mime_type, metadata) VALUES ('dataset', ?, 'text/xml', ?)",
                                  (_QGIS_DTD, _qmd(name, abstract, lang)))
                con.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, "
                            "md_file_id) VALUES ('table', ?, ?)", (name, cur.lastrowid))
                con.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                            (f"{name}. Data {ATTRIBUTION}", name))
    finally:
        con.close()


def _meta_text(v) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)


def write_gpkg(path: str | os.PathLike, layers: Mapping[str, pd.DataFrame], *,
               styles: Mapping[str, str] | None = None, metadata: Mapping | None = None,
               lang: str = "en") -> None:
    """Write ``layers`` into one GeoPackage atomically, with QGIS styles and attribution.

    Parameters
    ----------
    path
        Target ``.gpkg``; replaced whole (an existing file survives if the write fails).
    layers
        ``{layer name: GeoDataFrame}`` in write order; a plain DataFrame is written as a
        non-spatial table. Names: letters, digits and ``_``; a named index (``cell_id``) becomes
        a column. See the module doc for list/dict/bool conversions.
    styles
        ``{layer name: QML text}`` stored as each layer's default style in ``layer_styles``.
        Layers without one get :func:`default_style` when their columns match (lit network,
        destinations, green space).
    metadata
        Package facts (source file, area, CRS, version …); stored with the attribution in the
        ``geoplan_metadata`` table, as GDAL dataset metadata and in each layer's QGIS metadata.
        Values that are not text are stored as JSON.
    lang
        Language of the automatic styles' legends.

    Raises
    ------
    ConfigError
        Bad layer names, a style for a missing layer, invalid QML, or a column type GeoPackage
        cannot hold (complex numbers, time spans).
    CRSError
        A GeoDataFrame without a CRS.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely, pyogrio
    >>> net = gpd.GeoDataFrame({"lit": ["yes", "unknown"], "osmid": [(1, 2), (3,)]},
    ...     geometry=[shapely.LineString([(0, 0), (10, 0)])] * 2, crs="EPSG:3006")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "net.gpkg"
    >>> write_gpkg(out, {"network": net}, metadata={"source": "demo.osm.pbf"})
    >>> pyogrio.read_dataframe(out, layer="network")["osmid"].tolist()
    ['1;2', '3']
    >>> meta = pyogrio.read_dataframe(out, layer="geoplan_metadata", read_geometry=False)
    >>> dict(zip(meta["key"], meta["value"]))["attribution"]
    '© OpenStreetMap contributors'
    >>> sorted(p.name for p in out.parent.iterdir())   # no .aux.xml sidecar after reading
    ['net.gpkg']
    """
    import pyogrio

    _check_layers(layers, styles)
    _tr("attribution", lang)
    styles = dict(styles or {})
    meta = {"attribution": ATTRIBUTION, "licence": LICENCE}
    for k, v in (metadata or {}).items():
        meta[str(k)] = _meta_text(v)
    abstract = "\n".join([f"Data {ATTRIBUTION}, {LICENCE}. Written by geoplan."]
                         + [f"{k}: {v}" for k, v in meta.items()
                            if k not in ("attribution", "licence")])
    names = list(layers)
    for name in names:
        if name not in styles:
            auto = default_style(layers[name], lang=lang)
            if auto is not None:
                styles[name] = auto
    ordered_styles = {n: styles[n] for n in names if n in styles}

    with atomic_path(path, suffix=".gpkg") as tmp:
        for name in names:
            df, geom_col = _prepare(name, layers[name])
            # no GDAL dataset metadata: GDAL 3.12 then writes a .aux.xml sidecar beside the
            # GeoPackage every time it is opened, even read-only (metadata lives in the
            # geoplan_metadata table and the QGIS metadata documents instead)
            pyogrio.write_dataframe(df, tmp, layer=name, driver="GPKG", VERSION="1.3")
        table = pd.DataFrame({"key": list(meta), "value": list(meta.values())})
        pyogrio.write_dataframe(table, tmp, layer="geoplan_metadata", driver="GPKG",
                                VERSION="1.3")
        _write_extras(tmp, names, ordered_styles, abstract, lang)
