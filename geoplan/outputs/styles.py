"""QGIS styles (QML) written without QGIS: the default styles of geoplan's layers and forms.

Every function returns the text of a QML document, as QGIS writes it with *Save style*; a
GeoPackage stores it in ``layer_styles`` (:func:`geoplan.outputs.gpkg.write_gpkg`) so QGIS applies
it when the layer is opened.

* :func:`graduated_fill_qml`: levels with a sequential ramp, or changes with a diverging ramp
  centred on 0 and a "no change" class; class breaks from :func:`class_breaks` or
  :func:`diverging_breaks` (give them the values of *both* a before and an after layer and use
  the result for both styles, so the two maps compare);
* :func:`lit_line_qml`: yes/no/unknown lighting (unknown grey dashed, never drawn as dark);
* :func:`destination_point_qml`, :func:`green_fill_qml`;
* :func:`default_style`: the style a layer gets from its columns;
* :func:`findings_form_qml`: the attribute form (widgets, aliases, defaults, constraints) and
  style of safety-walk findings for QGIS and QField.

Examples
--------
>>> breaks = class_breaks([3, 12, 40], n_classes=2, method="equal")
>>> breaks
[0.0, 20.0, 40.0]
>>> qml = graduated_fill_qml("pop", breaks, unit="")
>>> qml.startswith(QML_DOCTYPE), 'attr="pop"' in qml
(True, True)
"""

from __future__ import annotations

import functools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputFileError
from ..i18n import fmt, register_texts
from ..i18n import tr as _i18n_tr

__all__ = [
    "ATTRIBUTION",
    "CONTEXT_COLUMNS_TABLE",
    "EDIT_LAYERS",
    "LICENCE",
    "QML_DOCTYPE",
    "QML_VERSION",
    "TEXTS",
    "class_breaks",
    "default_style",
    "destination_point_qml",
    "diverging_breaks",
    "edits_qml",
    "findings_form_qml",
    "graduated_fill_qml",
    "green_fill_qml",
    "lit_line_qml",
    "place_label_qml",
    "water_fill_qml",
]

#: Attribution every geoplan output built on OpenStreetMap data carries.
ATTRIBUTION = "© OpenStreetMap contributors"
#: Licence of data derived from OpenStreetMap.
LICENCE = "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/"
#: The document type line every QML (and QMD) file starts with.
QML_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
#: QGIS version written into QML: the oldest QGIS geoplan supports; newer versions read it as is.
QML_VERSION = "3.34.0-Prizren"

#: Legend texts of this module.
TEXTS: dict[str, dict[str, str]] = {
    "lit_yes": {"en": "lit"},
    "lit_no": {"en": "not lit"},
    "lit_unknown": {"en": "lighting unknown"},
    "no_change": {"en": "no change"},
    "green_space": {"en": "green space"},
}
register_texts(TEXTS)

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
_tr = _i18n_tr


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
    root = ET.Element("qgis", version=QML_VERSION, styleCategories="Symbology|CustomProperties")
    root.append(ET.Comment(f" geoplan style. Data {attribution}, {LICENCE} "))
    root.append(renderer)
    props = ET.SubElement(root, "customproperties")
    _options(props, {"geoplan/attribution": attribution, "geoplan/licence": LICENCE})
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerGeometryType").text = str(geometry_type)
    ET.indent(root, space=" ")
    return QML_DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


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
    colours, diverging = _class_colours(ramp, b)
    if reverse:
        colours = colours[::-1]
    n = len(b) - 1

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
    _graduated_method(r, colours, b, diverging, digits, suffix)
    _finish_renderer(r)
    return _qml(r, 2, attribution)


def _class_colours(ramp: str | Sequence[str], b: list[float]) -> tuple[list[str], bool]:
    """One colour per class of the breaks ``b``, and whether the middle class is "no change"."""
    n = len(b) - 1
    if not isinstance(ramp, str):
        colours = list(ramp)
        if len(colours) != n:
            raise ConfigError(f"{len(colours)} colours given for {n} classes")
        return colours, False
    if ramp == "sequential":
        return _sample(_SEQUENTIAL[1:], n), False
    if ramp != "diverging":
        raise ConfigError(f"ramp must be 'sequential', 'diverging' or a list of colours, "
                          f"got {ramp!r}")
    if n % 2 == 0:
        raise ConfigError("a diverging style needs an odd number of classes with the "
                          "middle one around 0: use diverging_breaks()")
    k = n // 2
    colours = _sample(_DIVERGING_NEG, k) if k > 1 else [_DIVERGING_NEG[1]]
    colours += [_NEUTRAL]
    colours += _sample(_DIVERGING_POS, k) if k > 1 else [_DIVERGING_POS[2]]
    return colours, b[k] < 0 < b[k + 1]


def _graduated_method(r: ET.Element, colours: list[str], b: list[float], diverging: bool,
                      digits: int | None, suffix: str) -> None:
    """The source colour ramp and classification settings QGIS uses when the planner
    reclassifies in the style panel."""
    n = len(b) - 1
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


@functools.lru_cache(maxsize=64)  # constant per language: built once per process
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


@functools.lru_cache(maxsize=64)  # constant per language: built once per process
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
    context = _context_style(gdf, types, lang)
    if context is not None:
        return context
    if "lit" in gdf.columns and types <= {"LineString", "MultiLineString"}:
        return lit_line_qml(lang=lang)
    if "category" in gdf.columns and types <= {"Point", "MultiPoint"}:
        return destination_point_qml(lang=lang)
    if {"kind", "public"} <= set(gdf.columns) and types <= {"Polygon", "MultiPolygon"}:
        return green_fill_qml(lang=lang)
    return None


def _context_style(gdf, types: set, lang: str) -> str | None:
    """:func:`default_style` of the context layers (water, places) and a scenario's edits."""
    if "water_kind" in gdf.columns:
        return water_fill_qml()
    if "place_kind" in gdf.columns:
        return place_label_qml()
    if "edit_kind" in gdf.columns:
        geom = ("point" if types <= {"Point", "MultiPoint"} else
                "line" if types <= {"LineString", "MultiLineString"} else "polygon")
        return edits_qml(geom, lang=lang)
    return None




# --------------------------------------------------------------------------------------------
# map context (water, place names) and a scenario's edits
# --------------------------------------------------------------------------------------------
#: colours shared by the report maps (:mod:`geoplan.outputs.maps`) and these QGIS styles
WATER_FILL = "#c6dbef"
WATER_EDGE = "#6baed6"
EDIT_LINE = "#111111"
EDIT_LAMP = "#ffd92f"
EDIT_AREA = "#111111"
#: the edits layers of a scenario GeoPackage, by geometry
EDIT_LAYERS = {"line": "edits_lines", "point": "edits_points", "polygon": "edits_areas"}

# columns of the context and edits layers (column | unit | kind | en | sv | da): the data
# dictionary's words and the layers' field aliases (geoplan.outputs.dictionary reads them)
CONTEXT_COLUMNS_TABLE = """
water_kind |  | text | Kind of water (sea, lake or pond, river, reservoir, bay)
place_kind |  | text | Kind of place (suburb, neighbourhood, quarter)
edit_kind |  | text | Kind of scenario edit
edit_lit |  | yesno | Lit (a new path or lamp)
dwellings |  | count | Dwellings added
residents |  | count | Residents added
floor_area_m2 | m2 | number | Floor area added
"""
register_texts({
    "ctx_water": {"en": "water"},
    "edit_new_path": {"en": "new path"},
    "edit_lit_path": {"en": "path lit"},
    "edit_lamp": {"en": "new lamp"},
    "edit_densify": {"en": "new homes (area)"},
    "edit_new_green": {"en": "new green space"},
    "edit_new_destination": {"en": "new destination"},
    "edit_legend": {"en": "Proposal"},
    # layer names in the QGIS project a run folder gets (geoplan_qgis.project)
    "lg_grid": {"en": "grid cells"},
    "lg_grid_change": {"en": "grid cells: before, after, change"},
    "lg_areas": {"en": "area summaries"},
    "lg_areas_change": {"en": "area summaries: change"},
    "lg_network": {"en": "walk network (lighting)"},
    "lg_destinations": {"en": "destinations"},
    "lg_green": {"en": "green space"},
    "lg_buildings": {"en": "buildings"},
    "lg_places": {"en": "place names"},
    "lg_findings": {"en": "safety-walk findings"},
    "lg_findings_lines": {"en": "safety-walk findings (stretches)"},
    "lg_findings_addressed": {"en": "findings the proposal addresses"},
    "project_abstract": {
        "en": "Layers and council layout of a geoplan run (© OpenStreetMap contributors, ODbL)."},
})


@functools.lru_cache(maxsize=64)  # constant per language: built once per process
def water_fill_qml(*, attribution: str = ATTRIBUTION) -> str:
    """QML of water: a pale blue fill under everything, its shore a thin blue line.

    >>> "singleSymbol" in water_fill_qml()
    True
    """
    r = _renderer("singleSymbol")
    symbols = ET.SubElement(r, "symbols")
    _symbol(symbols, "0", "fill", [_fill(WATER_FILL, outline=WATER_EDGE, outline_alpha=255,
                                         outline_width=0.15)])
    _finish_renderer(r)
    return _qml(r, 2, attribution)


@functools.lru_cache(maxsize=64)  # constant per language: built once per process
def place_label_qml(*, attribution: str = ATTRIBUTION) -> str:
    """QML of place names: no symbol, the name in small grey capitals (labels only).

    >>> 'fieldName="name"' in place_label_qml()
    True
    """
    r = _renderer("nullSymbol")
    root = ET.fromstring(_qml(r, 0, attribution).split("\n", 1)[1])
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ET.SubElement(settings, "text-style", fieldName="name", fontSize="8", fontSizeUnit="Point",
                  textColor="90,90,90,255", fontCapitals="1", fontLetterSpacing="0.8",
                  isExpression="0", fontFamily="Sans Serif", textOpacity="1")
    ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="0.8",
                  bufferSizeUnits="MM", bufferColor="255,255,255,255", bufferOpacity="0.8")
    ET.SubElement(settings, "placement", placement="1", dist="0", priority="3")
    ET.SubElement(settings, "rendering", obstacle="0", scaleVisibility="0", displayAll="0")
    ET.SubElement(root, "labelsEnabled").text = "1"
    root.set("styleCategories", "Symbology|Labeling|CustomProperties")
    ET.indent(root, space=" ")
    return QML_DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


def _edit_symbols(geometry: str) -> list[tuple[str, tuple[str, dict]]]:
    """(edit_kind, symbol layer) of the edits drawn with ``geometry``."""
    def outline(colour: str) -> tuple[str, dict]:
        return ("SimpleFill", {**_fill("#ffffff", outline=colour, outline_alpha=255,
                                       outline_width=0.7, alpha=0)[1],
                               "outline_style": "dash", "style": "no"})

    def marker(fill: str, shape: str, size: float) -> tuple[str, dict]:
        return ("SimpleMarker", {**_marker(fill, size=size, shape=shape)[1],
                                 "outline_color": _qcolor(EDIT_LINE)})

    return {"line": [("new_path", _line(EDIT_LINE, 1.2)), ("lit_path", _line(EDIT_LINE, 0.5))],
            "point": [("lamp", marker(EDIT_LAMP, "star", 4.0)),
                      ("new_destination", marker("#ffffff", "diamond", 3.0))],
            "polygon": [("densify", outline(EDIT_AREA)), ("new_green", outline("#1b7837"))],
            }[geometry]


@functools.lru_cache(maxsize=64)  # constant per language: built once per process
def edits_qml(geometry: str, *, lang: str = "en", attribution: str = ATTRIBUTION) -> str:
    """QML of a scenario's edits (by ``edit_kind``) drawn over the maps: new paths as a bold
    black line, paths it lights thinner, lamps as yellow stars, new destinations as diamonds,
    densified areas and new green space outlined (dashed).

    >>> import xml.etree.ElementTree as ET
    >>> r = ET.fromstring(edits_qml("line", lang="sv").split("\\n", 1)[1]).find("renderer-v2")
    >>> [(c.get("value"), c.get("label")) for c in r.iter("category")]
    [('new_path', 'ny gångväg'), ('lit_path', 'väg som belyses')]
    """
    kind = {"line": "line", "point": "marker", "polygon": "fill"}[geometry]
    r = _renderer("categorizedSymbol", attr="edit_kind")
    cats, symbols = ET.SubElement(r, "categories"), ET.SubElement(r, "symbols")
    for i, (value, layer) in enumerate(_edit_symbols(geometry)):
        ET.SubElement(cats, "category", render="true", value=value, type="string",
                      label=_tr(f"edit_{value}", lang), symbol=str(i))
        _symbol(symbols, str(i), kind, [layer])
    _finish_renderer(r)
    return _qml(r, {"point": 0, "line": 1, "polygon": 2}[geometry], attribution)


# --------------------------------------------------------------------------------------------
# the safety-walk findings form
# --------------------------------------------------------------------------------------------
def _value_map(parent: ET.Element, pairs: list[tuple[str, str]]) -> None:
    cfg = ET.SubElement(parent, "config")
    top = ET.SubElement(cfg, "Option", type="Map")
    lst = ET.SubElement(top, "Option", type="List", name="map")
    for label, value in pairs:
        item = ET.SubElement(lst, "Option", type="Map")
        ET.SubElement(item, "Option", type="QString", name=label, value=value)


def _widget(parent: ET.Element, name: str, kind: str, options: Mapping[str, tuple[str, str]] |
            None = None) -> ET.Element:
    f = ET.SubElement(parent, "field", configurationFlags="NoFlag", name=name)
    w = ET.SubElement(f, "editWidget", type=kind)
    if options is not None:
        cfg = ET.SubElement(w, "config")
        opt = ET.SubElement(cfg, "Option", type="Map")
        for k, (t, v) in options.items():
            ET.SubElement(opt, "Option", type=t, name=k, value=v)
    return w


def findings_form_qml(geometry: str = "point", *, lang: str = "en") -> str:
    """QML with the attribute form (editor widgets, aliases, defaults, constraints) and a style.

    Widgets: ``category`` a ValueMap of translated labels; ``severity`` a ValueMap 1–3;
    ``date`` a DateTime widget (calendar, ``yyyy-MM-dd``); ``note`` multi-line text; ``photo``
    an ExternalResource (image viewer, path relative to the project); ``status`` a ValueMap
    open/fixed; ``walk`` text. Defaults: today's date, status open. Category and severity may not
    be empty. Open findings are drawn by category colour (:data:`geoplan.sources.findings.CATEGORY_COLOURS`), bigger by
    severity; fixed findings grey.

    Parameters
    ----------
    geometry
        ``"point"`` or ``"line"``.
    lang
        Language of labels and field aliases.

    Examples
    --------
    >>> qml = findings_form_qml(lang="sv")
    >>> 'name="trasig lampa" value="broken_lamp"' in qml, 'editWidget type="DateTime"' in qml
    (True, True)
    """
    from ..sources.findings import CATEGORY_COLOURS

    if geometry not in ("point", "line"):
        raise InputFileError(f"geometry must be 'point' or 'line', got {geometry!r}")
    _i18n_tr("finding_other", lang)  # validates the language
    root = ET.Element("qgis", version=QML_VERSION,
                      styleCategories="Symbology|Fields|Forms|CustomProperties")
    root.append(ET.Comment(" geoplan safety-walk findings: form and style "))
    root.append(_findings_renderer(geometry, _findings_legend(lang), CATEGORY_COLOURS))
    _findings_widgets(ET.SubElement(root, "fieldConfiguration"), lang)
    _findings_aliases_defaults(root, lang)
    _findings_constraints(root, lang)
    ET.SubElement(root, "editform", tolerant="1")
    ET.SubElement(root, "editorlayout").text = "generatedlayout"
    props = ET.SubElement(root, "customproperties")
    _options(props, {"geoplan/kind": "safety_walk_findings", "geoplan/lang": lang})
    ET.SubElement(root, "layerGeometryType").text = "0" if geometry == "point" else "1"
    ET.indent(root, space=" ")
    return QML_DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


def _findings_legend(lang: str) -> list[tuple[str, str]]:
    """(value, label) of every category, then of fixed findings (drawn grey)."""
    from ..sources.findings import CATEGORIES, category_labels

    labels = category_labels(lang)
    return ([(c, labels[c]) for c in CATEGORIES]
            + [("fixed", _i18n_tr("finding_status_fixed", lang))])


def _findings_renderer(geometry: str, entries: list[tuple[str, str]],
                       colours: Mapping[str, str]) -> ET.Element:
    """Open findings by category colour, fixed ones small and grey (dashed lines)."""
    expr = "CASE WHEN \"status\" = 'fixed' THEN 'fixed' ELSE \"category\" END"
    r = _renderer("categorizedSymbol", attr=expr)
    cats = ET.SubElement(r, "categories")
    symbols = ET.SubElement(r, "symbols")
    for i, (value, label) in enumerate(entries):
        ET.SubElement(cats, "category", render="true", value=value, type="string", label=label,
                      symbol=str(i))
        colour = colours[value]
        if geometry == "point":
            _symbol(symbols, str(i), "marker", [_marker(colour, 3.2 if value != "fixed" else 2.2,
                                                        "circle")])
        else:
            _symbol(symbols, str(i), "line", [_line(colour, 1.4 if value != "fixed" else 0.8,
                                                    "solid" if value != "fixed" else "dash")])
    _finish_renderer(r)
    return r


def _findings_widgets(fc: ET.Element, lang: str) -> None:
    """The editor widget of every form field, in the order of the form."""
    from ..sources.findings import CATEGORIES, STATUSES, category_labels

    labels = category_labels(lang)
    w = _widget(fc, "category", "ValueMap")
    _value_map(w, [(labels[c], c) for c in CATEGORIES])
    w = _widget(fc, "severity", "ValueMap")
    _value_map(w, [(_i18n_tr(f"finding_severity_{k}", lang), str(k)) for k in (1, 2, 3)])
    _widget(fc, "date", "DateTime", {
        "allow_null": ("bool", "true"), "calendar_popup": ("bool", "true"),
        "display_format": ("QString", "yyyy-MM-dd"), "field_format": ("QString", "yyyy-MM-dd"),
        "field_iso_format": ("bool", "false")})
    _widget(fc, "note", "TextEdit", {"IsMultiline": ("bool", "true"),
                                     "UseHtml": ("bool", "false")})
    _widget(fc, "photo", "ExternalResource", {
        "DocumentViewer": ("int", "1"), "DocumentViewerHeight": ("int", "0"),
        "DocumentViewerWidth": ("int", "0"), "FileWidget": ("bool", "true"),
        "FileWidgetButton": ("bool", "true"), "FileWidgetFilter": ("QString", "Images (*.jpg "
                                                                    "*.jpeg *.png *.heic)"),
        "RelativeStorage": ("int", "1"), "StorageMode": ("int", "0")})
    w = _widget(fc, "status", "ValueMap")
    _value_map(w, [(_i18n_tr(f"finding_status_{s}", lang), s) for s in STATUSES])
    _widget(fc, "walk", "TextEdit", {"IsMultiline": ("bool", "false"),
                                     "UseHtml": ("bool", "false")})


def _findings_aliases_defaults(root: ET.Element, lang: str) -> None:
    """Translated field aliases; defaults: today's date, status open."""
    from ..sources.findings import FORM_FIELDS

    aliases = ET.SubElement(root, "aliases")
    for i, name in enumerate(("finding_id", *FORM_FIELDS)):
        ET.SubElement(aliases, "alias", index=str(i + 1), field=name,
                      name=_i18n_tr(f"finding_field_{name}", lang))
    defaults = ET.SubElement(root, "defaults")
    for name in FORM_FIELDS:
        e = {"date": "format_date(now(), 'yyyy-MM-dd')", "status": "'open'"}.get(name, "")
        ET.SubElement(defaults, "default", field=name, expression=e, applyOnUpdate="0")


def _findings_constraints(root: ET.Element, lang: str) -> None:
    """Category, severity, date and status may not be empty; severity is 1, 2 or 3."""
    from ..sources.findings import FORM_FIELDS

    cons = ET.SubElement(root, "constraints")
    cexp = ET.SubElement(root, "constraintExpressions")
    for name in FORM_FIELDS:
        notnull = name in ("category", "severity", "date", "status")
        has_exp = name == "severity"
        ET.SubElement(cons, "constraint", field=name,
                      constraints=str((1 if notnull else 0) | (4 if has_exp else 0)),
                      notnull_strength="1" if notnull else "0", unique_strength="0",
                      exp_strength="1" if has_exp else "0")
        ET.SubElement(cexp, "constraint", field=name,
                      exp='"severity" IN (1, 2, 3)' if has_exp else "",
                      desc=_i18n_tr("finding_severity_rule", lang) if has_exp else "")
