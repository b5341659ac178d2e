"""The council layout: one A3 print layout of a geoplan run, exported to PDF and PNG.

For a **scenario** run (its GeoPackage has ``grid_change``): before, after and change maps of
one indicator — before and after on the *same* classes (breaks from both), the change on diverging
colours with a neutral "no change" class — and the change table (``changes.csv``). For a
**baseline** run: the headline maps (safety index, walking distance to a grocery store, lighting
of the network) and, when the run has area summaries, a table of them.

Every map shares one extent and scale; the layout has a title, a legend per map, a scale bar, a
north arrow (an SVG of QGIS's own ``svg/arrows`` folder), the date, the data sources with
"© OpenStreetMap contributors" and the table. Classes, colours and legend words come from the
core: the run folder is read with :class:`geoplan.runs.folder.RunFolder`, titles, units and
better directions come from the indicator catalogue (:mod:`geoplan.columns`), styles from
:mod:`geoplan.outputs.gpkg` and the map texts from :mod:`geoplan.outputs.maps`, so the layout,
the GeoPackage styles and the report's maps agree. No analysis happens here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsLayout,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTableColumn,
    QgsMapLayerStyle,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)

from geoplan.columns import HEADLINE, STUDY_AREA_KEY, better, describe
from geoplan.i18n import CATALOGUE, fmt
from geoplan.i18n import tr as core_tr
from geoplan.outputs import maps as core_maps
from geoplan.runs import folder as rf

from .i18n import current_language, tr
from .map_context import (
    context_for_layout,
    label_features,
    layer_stack,
    place_edits_legend,
    text_format,
)

__all__ = [
    "ATTRIBUTION",
    "AreaAtlas",
    "CouncilLayout",
    "LayoutMap",
    "build_area_atlas",
    "build_council_layout",
    "export_atlas",
    "export_layout",
    "north_arrow_svg",
]

ATTRIBUTION = "© OpenStreetMap contributors"
NORTH_ARROW = "arrows/NorthArrow_02.svg"
#: indicators a scenario layout can show: the core's headline columns
SCENARIO_INDICATORS = HEADLINE


@dataclass
class LayoutMap:
    """One map of the layout: a layer (kept alive here), its title and legend title."""

    layer: QgsVectorLayer
    title: str
    legend_title: str


@dataclass
class CouncilLayout:
    """The layout and everything it draws (keep this object while the layout is used)."""

    layout: QgsPrintLayout
    maps: list[LayoutMap]
    table: tuple[list[str], list[list[str]]] | None
    title: str
    is_scenario: bool
    project: QgsProject
    items: dict = field(default_factory=dict)


# --- texts ----------------------------------------------------------------------------------------
def _core_text(key: str, lang: str, default: str) -> str:
    """A core text, or ``default`` when no core module imported here registers ``key``."""
    return core_tr(key, lang) if key in CATALOGUE else default


def _map_title(run, column: str, lang: str, variant: str = "") -> str:
    title = core_maps.indicator_title(run, column, lang)
    if variant:
        title = f"{title} — {core_tr(f'variant_{variant}', lang)}"
    return title


def _legend_title(run, column: str, lang: str, variant: str = "") -> str:
    if variant == "change":
        return core_tr("leg_change", lang)
    return _core_text(f"leg_{column}", lang, core_maps.indicator_title(run, column, lang))


def _unit(column: str) -> str:
    ind = describe(column)
    return "m" if ind is not None and ind.unit == "m" else ""


def north_arrow_svg() -> str:
    """Path of QGIS's own north arrow SVG (``svg/arrows/NorthArrow_02.svg``)."""
    folders = list(QgsApplication.svgPaths())
    folders.append(os.path.join(QgsApplication.pkgDataPath(), "svg"))
    folders += ["/usr/share/qgis/svg", "/usr/local/share/qgis/svg"]
    for folder in folders:
        candidate = Path(folder) / NORTH_ARROW
        if candidate.is_file():
            return str(candidate)
    return ""


# --- layers ---------------------------------------------------------------------------------------
def _layer(gpkg: Path, name: str, display: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{gpkg}|layername={name}", display, "ogr")
    if not layer.isValid():
        from geoplan.errors import InputFileError

        raise InputFileError(tr("{gpkg} has no layer '{layer}': give the folder of a geoplan run "
                                "(geoplan.gpkg with a grid layer).").format(gpkg=gpkg, layer=name))
    return layer


def _values(gpkg: Path, layer: str, column: str):
    import numpy as np
    import pyogrio

    df = pyogrio.read_dataframe(gpkg, layer=layer, columns=[column], read_geometry=False)
    v = np.asarray(df[column], dtype=float)
    return v[np.isfinite(v)]


def _style(layer: QgsVectorLayer, qml: str) -> None:
    style = QgsMapLayerStyle(qml)
    ok = style.writeToLayer(layer)
    if not ok:
        from qgis.PyQt.QtXml import QDomDocument

        doc = QDomDocument()
        doc.setContent(qml)
        layer.importNamedStyle(doc)
    layer.triggerRepaint()


def _graduated(layer, column, breaks, *, ramp="sequential", reverse=False, lang="en"):
    from geoplan.outputs.styles import graduated_fill_qml

    _style(layer, graduated_fill_qml(column, breaks, ramp=ramp, reverse=reverse,
                                     unit=_unit(column), lang=lang))


def _baseline_maps(run, lang: str) -> list[LayoutMap]:
    from geoplan.outputs.styles import class_breaks, lit_line_qml

    gpkg = rf.RunFolder(run.out_dir).gpkg
    maps = []
    for column in ("safety_index", "dist_grocery_m"):
        values = _values(gpkg, rf.GRID, column)
        layer = _layer(gpkg, rf.GRID, _map_title(run, column, lang))
        _graduated(layer, column, class_breaks(values if values.size else [0.0], n_classes=5),
                   lang=lang)
        maps.append(LayoutMap(layer, _map_title(run, column, lang),
                              _legend_title(run, column, lang)))
    title = core_tr("map_lighting", lang)
    network = _layer(gpkg, rf.NETWORK, title)
    # lit / dark / unknown in the layout's language (the GeoPackage's style is the run's)
    _style(network, lit_line_qml(lang=lang))
    maps.append(LayoutMap(network, title, core_tr("leg_lighting", lang)))
    return maps


def scenario_columns(gpkg: Path, indicator: str) -> tuple[str, str, str]:
    """``(before, after, change)`` columns of ``indicator`` in the ``grid_change`` layer."""
    import pyogrio

    from geoplan.errors import ConfigError

    fields = [str(f) for f in pyogrio.read_info(gpkg, layer=rf.GRID_CHANGE)["fields"]]
    cols = tuple(f"{indicator}_{v}" for v in ("before", "after", "change"))
    if set(cols) <= set(fields):
        return cols
    options = sorted({f.rsplit("_", 1)[0] for f in fields if f.endswith("_change")})
    raise ConfigError(tr("The scenario has no change of '{indicator}': choose one of "
                         "{options}.").format(indicator=indicator, options=", ".join(options)))


def headline_indicator(gpkg: Path) -> str:
    """The first of the core's headline columns (:data:`geoplan.columns.HEADLINE`) that the
    scenario changes anywhere, else ``safety_index``."""
    import numpy as np
    import pyogrio

    fields = {str(f) for f in pyogrio.read_info(gpkg, layer=rf.GRID_CHANGE)["fields"]}
    for column in HEADLINE:
        if f"{column}_change" in fields:
            values = _values(gpkg, rf.GRID_CHANGE, f"{column}_change")
            if values.size and (np.abs(values) > 1e-9).any():
                return column
    return "safety_index"


def _scenario_maps(run, indicator: str | None, lang: str) -> list[LayoutMap]:
    from geoplan.outputs.styles import class_breaks, diverging_breaks

    gpkg = rf.RunFolder(run.out_dir).gpkg
    indicator = indicator or headline_indicator(gpkg)
    before, after, change = scenario_columns(gpkg, indicator)
    vb, va = _values(gpkg, rf.GRID_CHANGE, before), _values(gpkg, rf.GRID_CHANGE, after)
    breaks = class_breaks(vb if vb.size else [0.0], va, n_classes=5)  # one set for both maps
    maps = []
    for column, variant in ((before, "before"), (after, "after"), (change, "change")):
        title = _map_title(run, indicator, lang, variant)
        layer = _layer(gpkg, rf.GRID_CHANGE, title)
        if variant == "change":
            vc = _values(gpkg, rf.GRID_CHANGE, change)
            _graduated(layer, change, diverging_breaks(vc if vc.size else [0.0]),
                       ramp="diverging", reverse=better(indicator) == "lower", lang=lang)
        else:
            _graduated(layer, column, breaks, lang=lang)
        maps.append(LayoutMap(layer, title, _legend_title(run, indicator, lang, variant)))
    return maps


# --- tables ---------------------------------------------------------------------------------------
def _fmt(v, lang: str) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "" if v is None else str(v)
    if x != x or x in (float("inf"), float("-inf")):  # NaN, or none reachable
        return "–"
    digits = 0 if abs(x) >= 100 or x == int(x) else 2
    return fmt(x, lang, digits)


#: the core's text of each measure of ``changes.csv`` (:mod:`geoplan.scenario.change`): a table
#: written in another language is labelled again from its measure keys in the layout's
_MEASURE_TEXTS = {
    "residents": "sc_residents", "residents_staying": "sc_residents_staying",
    "residents_new": "sc_residents_new", "residents_gone": "sc_residents_gone",
    "residents_green_300m": "sc_green_300m", "residents_green_300m_gain": "sc_green_gain",
    "residents_green_300m_loss": "sc_green_loss", "residents_green_300m_new": "sc_green_new",
    "green_m2_per_capita": "sc_green_pc", "residents_night_access": "sc_night_access",
    "residents_night_access_gain": "sc_night_gain",
    "residents_night_access_loss": "sc_night_loss", "residents_night_access_new": "sc_night_new",
    "median_night_detour": "sc_detour", "median_distance_m": "sc_dist", "lit_share": "sc_lit_km",
    "eyes_on_street": "sc_eyes", "safety_index": "sc_safety",
    "open_findings": "open_findings_addressed", "mean_rank": "sc_mean_rank",
    **{f"{who}_{what}_{way}": f"sc_{'cells' if who == 'cells' else 'res'}_{verb}_{what}"
       for who in ("cells", "residents") for what in ("safety", "access")
       for way, verb in (("better", "gain"), ("worse", "lose"))},
}


def measure_label(row: dict, lang: str, night_m: float = 800.0) -> str:
    """The words of a ``changes.csv`` row in ``lang``, from its ``measure`` and ``category``
    keys (the row's own ``label`` when the core does not name the measure); ``night_m``: the
    run's night threshold, which some labels state."""
    from geoplan.runs import scenario as _texts  # noqa: F401 - registers the change texts

    key = _MEASURE_TEXTS.get(str(row.get("measure", "")), "")
    what = ""
    if key.endswith(("_safety", "_access")):
        key, what = key.rsplit("_", 1)
        what = core_tr(f"sc_what_{what}", lang)
    if key not in CATALOGUE:
        return str(row.get("label", ""))
    category = str(row.get("category") or "")
    return core_tr(key, lang, what=what, thr=fmt(night_m, lang),
                   cat=core_tr(f"cat_{category}", lang) if category else "")


def _in_language(row: dict, lang: str, night_m: float) -> dict:
    """A ``changes.csv`` row with its words (measure, whole study area, unit) in ``lang``."""
    row = dict(row)
    if "measure" in row:
        row["label"] = measure_label(row, lang, night_m)
    if row.get("area_key") == STUDY_AREA_KEY:
        row["area_name"] = core_tr("sc_study_area", lang)
    unit = f"sc_unit_{row.get('unit')}"
    if unit in CATALOGUE:
        row["unit"] = core_tr(unit, lang)
    return row


def changes_table(path: Path, lang: str, max_rows: int = 8, *, night_m: float = 800.0):
    """``changes.csv`` as (headers, rows of text) in ``lang``: numbers formatted, measures,
    units and the whole study area in words of ``lang`` whatever language the file is in.

    Whole study area, the measures that change (at the precision shown). When more change than
    fit, every measure that gets WORSE is kept (a council must see the bad news), the rest fill
    up in the table's order, and a last row says how many more are in changes.xlsx: nothing is
    dropped silently.
    """
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return [], []
    wanted = [c for c in ("area_name", "label", "before", "after", "change", "unit")
              if c in rows[0]]
    if "area_key" in rows[0]:  # the whole study area: what the council reads
        rows = [r for r in rows if r["area_key"] == STUDY_AREA_KEY] or rows
        changed = [r for r in rows if _numeric(r.get("change", ""))
                   and round(abs(float(r["change"])), 2) > 0]
        rows = changed or rows
    if not wanted:
        wanted = list(rows[0])
    more = 0
    if len(rows) > max_rows:
        worse = [i for i, r in enumerate(rows) if _worse(r)]
        keep = set(worse[: max_rows - 1])
        for i in range(len(rows)):
            if len(keep) >= max_rows - 1:
                break
            keep.add(i)
        more = len(rows) - len(keep)
        rows = [r for i, r in enumerate(rows) if i in keep]
    headers = [_core_text({"area_name": "sc_area", "label": "sc_measure"}.get(c, f"sc_{c}"), lang,
                          tr(c.capitalize(), lang)) for c in wanted]
    rows = [_in_language(r, lang, night_m) for r in rows]
    body = [[_fmt(r[c], lang) if _numeric(r[c]) else r[c] for c in wanted] for r in rows]
    if more:
        note = tr("+ {n} more changes: see changes.xlsx", lang).format(n=more)
        body.append([note] + [""] * (len(wanted) - 1))
    return headers, body


def _worse(row: dict) -> bool:
    """Whether a change-table row reports a change for the worse (by its ``better`` column)."""
    if not _numeric(row.get("change", "")):
        return False
    change = float(row["change"])
    return (row.get("better") == "higher" and change < 0) or (row.get("better") == "lower"
                                                            and change > 0)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def area_heading(run, column: str, lang: str) -> str:
    """The heading of a column of the areas table: the data dictionary's label of the column
    (:func:`geoplan.outputs.dictionary.column_words`, under the run's distances), never a raw
    column name."""
    from geoplan.outputs.dictionary import column_words

    return column_words(column, lang, run.access)["label"]


#: the columns of the council layout's areas table (those the areas layer has)
AREA_COLUMNS = ("pop", "safety_index", "dist_grocery_m", "lit_share", "green_scb_300m_pop_share")


def _key_and_name(run, df) -> tuple[str, str]:
    """The key and name columns of the areas layer (the key when the areas have no names)."""
    sa = run.config.summary_areas
    key = sa.key_column if sa is not None and sa.key_column in df.columns else df.columns[0]
    name = sa.name_column if sa is not None and sa.name_column in df.columns else key
    return key, name


def _area_cell(column: str, value, lang: str) -> str:
    """``value`` of the areas layer's ``column`` as the report writes it: shares as per cent
    ("80 %", not "0,80"), distances to 10 m with their unit, people as whole numbers."""
    from geoplan.outputs import report as core_report

    try:
        x = float(value)
    except (TypeError, ValueError):
        return _fmt(value, lang)
    if x != x:  # no value (NaN): no resident, or no data
        return "–"
    info = describe(column.removesuffix("_pop_share"))
    if column.endswith("_pop_share") or (info is not None and info.unit == "share 0-1"):
        return core_report._cell(x, "share", lang)
    if info is not None and info.unit == "m":
        return core_report._cell(x, "distance", lang)
    return fmt(x, lang, 0) if column == "pop" else _fmt(x, lang)


def _areas_table(run, gpkg: Path, lang: str, max_rows: int = 25):
    """(headers, rows) of the areas: the area's name ("Whole study area" in ``lang`` for the
    study area's row), then :data:`AREA_COLUMNS` headed by their dictionary labels."""
    import pyogrio

    from geoplan.scenario import change  # noqa: F401 - registers "Area", "Whole study area"

    if rf.AREAS not in rf.RunFolder(run.out_dir).layers():
        return None
    df = pyogrio.read_dataframe(gpkg, layer=rf.AREAS, read_geometry=False).head(max_rows)
    key, name = _key_and_name(run, df)
    cols = [c for c in AREA_COLUMNS if c in df.columns]
    whole = core_tr("sc_study_area", lang)
    names = [whole if str(k) == STUDY_AREA_KEY else str(n) for k, n in zip(df[key], df[name],
                                                                           strict=True)]
    body = [[n, *(_area_cell(c, v, lang) for c, v in zip(cols, row, strict=True))]
            for n, row in zip(names, df[cols].itertuples(index=False), strict=True)]
    return [core_tr("sc_area", lang), *(area_heading(run, c, lang) for c in cols)], body


# --- the layout -----------------------------------------------------------------------------------
def _label(layout, text, x, y, w, h, size=10.0, bold=False) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    label.setTextFormat(text_format(size, bold=bold))
    layout.addLayoutItem(label)
    label.attemptMove(QgsLayoutPoint(x, y))
    label.attemptResize(QgsLayoutSize(w, h))
    return label


def _sources_line(run, lang: str) -> str:
    sources = core_maps.source_line(run, lang)
    if "OpenStreetMap" not in sources:  # the attribution in the run's language is enough
        sources = f"{sources} · {core_tr('attribution', lang)}"
    return sources


def _title_of(run) -> str:
    """A scenario run's name, else the study's title."""
    scenario = rf.RunFolder(run.out_dir).scenario_info().get("scenario")
    if isinstance(scenario, dict) and scenario.get("name"):
        return str(scenario["name"])
    out = run.pipeline.get("output") or {}
    return str(out.get("title") or out.get("name") or run.out_dir.name)


@dataclass(frozen=True)
class _Grid:
    """Where the parts of the A3 page go (millimetres)."""

    margin: float = 12.0
    gap: float = 6.0
    map_h: float = 130.0
    top: float = 32.0
    foot: float = 280.0

    @property
    def width(self) -> float:
        return 420.0 - 2 * self.margin

    @property
    def map_w(self) -> float:
        return (self.width - 2 * self.gap) / 3

    @property
    def legend_top(self) -> float:
        return self.top + 7.0 + self.map_h + 4.0

    def x(self, i: int) -> float:
        return self.margin + i * (self.map_w + self.gap)


def _place_maps(layout, maps: list[LayoutMap], g: _Grid, items: dict) -> None:
    """The maps side by side on one extent and one scale, with their titles."""
    extent = QgsRectangle()
    for m in maps:
        extent.combineExtentWith(m.layer.extent())
    extent.scale(1.05)
    items["maps"], items["map_titles"] = [], []
    for i, m in enumerate(maps):
        items["map_titles"].append(_label(layout, m.title, g.x(i), g.top - 1.0, g.map_w, 8.0,
                                          size=11, bold=True))
        item = QgsLayoutItemMap(layout)
        item.setId(f"map_{i}")
        layout.addLayoutItem(item)
        item.attemptMove(QgsLayoutPoint(g.x(i), g.top + 7.0))
        item.attemptResize(QgsLayoutSize(g.map_w, g.map_h))
        item.setCrs(m.layer.crs())
        item.setLayers(layer_stack(m.layer, items.get("context", {}), edits=i > 0))
        item.setKeepLayerSet(True)
        item.zoomToExtent(extent)
        item.setFrameEnabled(True)
        items["maps"].append(item)
    scale = max(it.scale() for it in items["maps"])  # one scale: every map shows the whole area
    for it in items["maps"]:
        it.setScale(scale)
        it.setExtent(_centered(extent, it.extent()))
        it.setScale(scale)


def _place_legends(layout, maps: list[LayoutMap], g: _Grid, items: dict) -> None:
    from qgis.core import QgsLegendRenderer, QgsLegendStyle

    items["legends"] = []
    for i, m in enumerate(maps):
        legend = QgsLayoutItemLegend(layout)
        legend.setTitle(m.legend_title)
        legend.setLinkedMap(items["maps"][i])
        legend.setAutoUpdateModel(False)
        root = legend.model().rootGroup()
        root.clear()
        node = root.addLayer(m.layer)
        QgsLegendRenderer.setNodeLegendStyle(node, QgsLegendStyle.Style.Hidden)  # no layer name
        layout.addLayoutItem(legend)
        legend.attemptMove(QgsLayoutPoint(g.x(i), g.legend_top))
        legend.adjustBoxSize()
        items["legends"].append(legend)


def scale_bar_format(lang: str):
    """A number format for a scale bar in ``lang``: the core's thousands and decimal signs
    (``1 000`` in sv, ``1.000`` in da, ``1,000`` in en), not the QGIS locale's."""
    from qgis.core import QgsBasicNumericFormat

    sample = fmt(1000.5, lang, 1)  # e.g. "1 000,5": group sign, then decimal sign
    number = QgsBasicNumericFormat()
    number.setShowThousandsSeparator(True)
    number.setThousandsSeparator(sample[1])
    number.setDecimalSeparator(sample[-2])
    return number


def _place_marks(layout, g: _Grid, items: dict, lang: str = "en") -> None:
    """Scale bar (of the first map, numbers written for ``lang``) and QGIS's north arrow."""
    bar = QgsLayoutItemScaleBar(layout)
    bar.setNumericFormat(scale_bar_format(lang))
    bar.setStyle("Single Box")
    bar.setLinkedMap(items["maps"][0])
    bar.applyDefaultSize()
    bar.setNumberOfSegmentsLeft(0)
    bar.setNumberOfSegments(2)
    bar.setSegmentSizeMode(Qgis.ScaleBarSegmentSizeMode.FitWidth)
    bar.setMinimumBarWidth(40.0)
    bar.setMaximumBarWidth(70.0)
    bar.update()
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(g.margin, 262.0))
    items["scalebar"] = bar
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(north_arrow_svg())
    layout.addLayoutItem(arrow)
    arrow.attemptMove(QgsLayoutPoint(g.margin + g.map_w - 14.0, g.top + 9.0))
    arrow.attemptResize(QgsLayoutSize(12.0, 16.0))
    items["north_arrow"] = arrow


def _contents(run, indicator: str | None, lang: str):
    """(maps, table, is_scenario) of the run: before/after/change and the change table of a
    scenario, else the headline maps and the area table."""
    folder = rf.RunFolder(run.out_dir)
    if rf.GRID_CHANGE in folder.layers():
        changes = folder.file(rf.CHANGES_CSV)
        table = (changes_table(changes, lang, 7, night_m=run.access.night_threshold_m)
                 if changes.is_file() else None)
        return _scenario_maps(run, indicator, lang), table, True
    return _baseline_maps(run, lang), _areas_table(run, folder.gpkg, lang), False


def build_council_layout(run_dir, *, project: QgsProject | None = None,
                         indicator: str | None = None, title: str | None = None,
                         lang: str | None = None, name: str | None = None) -> CouncilLayout:
    """Build the council layout of the run in ``run_dir`` (baseline or scenario) in ``project``.

    ``indicator``: the column of a scenario's before/after/change maps (default: the first
    headline indicator the scenario changes, see :func:`headline_indicator`).

    The layers it draws are added to ``project`` without showing in its layer tree; the layout
    is added to the project's layout manager (replacing one of the same name).
    """
    run = core_maps.load_run(run_dir)
    project = project or QgsProject.instance()
    lang = lang or current_language()
    maps, table, is_scenario = _contents(run, indicator, lang)
    title = title or _title_of(run)
    for m in maps:
        project.addMapLayer(m.layer, False)

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name or f"geoplan: {title}")
    layout.pageCollection().page(0).setPageSize("A3", QgsLayoutItemPage.Orientation.Landscape)
    g, items = _Grid(), {"context": context_for_layout(run, project, lang)}
    items["title"] = _label(layout, title, g.margin, 8.0, g.width, 12.0, size=22, bold=True)
    subtitle = tr("Scenario compared with the baseline", lang) if is_scenario else tr(
        "Headline indicators of the baseline", lang)
    items["subtitle"] = _label(layout, subtitle, g.margin, 20.0, g.width, 8.0, size=12)
    _place_maps(layout, maps, g, items)
    _place_legends(layout, maps, g, items)
    _place_marks(layout, g, items, lang)
    place_edits_legend(layout, items, g.x(0) + 62.0, g.legend_top + 10.0)  # beside 1st legend
    items["date"] = _label(layout, f"{tr('Date', lang)}: "
                           f"{core_maps.format_date(run.created, lang)}",
                           g.margin, g.foot, 120.0, 6.0, size=9)
    items["sources"] = _label(layout, _sources_line(run, lang),  # starts "Data: © OSM …"
                              g.margin, g.foot + 6.0, g.width, 6.0, size=9)
    if table is not None and table[0]:
        # under the legends it spans: about 7 mm a class (a legend's size is only known once
        # drawn), so a 5-class baseline leaves more room than a 7-class change legend
        classes = max(len(m.layer.renderer().legendSymbolItems()) for m in maps[1:])
        top = g.legend_top + 10.0 + 7.0 * classes
        items["table"] = _table(layout, *table, x=g.x(1), y=top, w=2 * g.map_w + g.gap,
                                h=g.foot - 2.0 - top)
    layouts = project.layoutManager()
    old = layouts.layoutByName(layout.name())
    if old is not None:
        layouts.removeLayout(old)
    layouts.addLayout(layout)
    return CouncilLayout(layout, maps, table, title, is_scenario, project, items)


def _centered(extent: QgsRectangle, current: QgsRectangle) -> QgsRectangle:
    c = extent.center()
    w, h = current.width() / 2, current.height() / 2
    return QgsRectangle(c.x() - w, c.y() - h, c.x() + w, c.y() + h)


def column_widths(headers, rows, width_mm: float, margin_mm: float = 2.5) -> list[float]:
    """Widths (mm) of a table's columns that share ``width_mm`` by their longest text (at
    most 45 characters: longer texts wrap), a header counting half (it wraps between words,
    so never less than its longest word).

    >>> column_widths(["Area", "Residents"], [["Kluuvi", "2 787"]], 50.0)
    [19.7, 25.3]
    """
    need = [min(max(len(str(hd)) / 2, *(len(w) for w in str(hd).split()),
                    *(len(str(r[i])) + 1 for r in rows), 6.0), 45.0)
            for i, hd in enumerate(headers)]
    free = width_mm - margin_mm * len(headers)
    return [round(free * n / sum(need), 1) for n in need]


def _table(layout, headers, rows, *, x, y, w, h):
    """A manual table: its cells are saved with the layout (a text table's are not, so in a
    saved project it came back empty)."""
    from qgis.core import QgsLayoutItemManualTable, QgsLayoutTable, QgsTableCell

    table = QgsLayoutItemManualTable.create(layout)
    layout.addMultiFrame(table)
    table.setIncludeTableHeader(True)
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)  # long headers wrap, not spill
    for size, bold, set_format in ((8.0, True, table.setHeaderTextFormat),
                                   (8.0, False, table.setContentTextFormat)):
        set_format(text_format(size, bold=bold))
    table.setTableContents([[QgsTableCell(str(c)) for c in r] for r in rows])
    table.setColumnWidths(column_widths(headers, rows, w))
    table.setHeaders([QgsLayoutTableColumn(str(hd)) for hd in headers])
    frame = QgsLayoutFrame(layout, table)
    frame.attemptMove(QgsLayoutPoint(x, y))
    frame.attemptResize(QgsLayoutSize(w, max(h, 20.0)))
    table.addFrame(frame)
    return table


def export_layout(layout: QgsLayout, pdf=None, png=None, *, dpi: float = 150.0) -> list[Path]:
    """Export ``layout`` to a PDF and/or a PNG; raises the core's error when QGIS cannot write."""
    from geoplan.errors import InputFileError

    exporter = QgsLayoutExporter(layout)
    written = []
    jobs = ((pdf, QgsLayoutExporter.PdfExportSettings, exporter.exportToPdf),
            (png, QgsLayoutExporter.ImageExportSettings, exporter.exportToImage))
    for path, make_settings, export in jobs:
        if not path:
            continue
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        settings = make_settings()
        settings.dpi = dpi
        if export(str(path), settings) != QgsLayoutExporter.ExportResult.Success:
            raise InputFileError(tr("Could not write {path} ({error}): choose a folder you can "
                                    "write to.").format(path=path, error=exporter.errorMessage()))
        written.append(Path(path))
    return written


# --- the per-area atlas ---------------------------------------------------------------------------
#: (column of the areas layer, heading key of the report's area table, kind) of the key numbers
ATLAS_NUMBERS = (
    ("pop", "th_residents", "people"),
    ("safety_index_pop_mean", "th_safety_pop", "index"),
    ("loses_school_at_night_pop_share", "th_school_night", "share"),
    ("green_scb_300m_pop_share", "th_green", "share"),
    ("dist_grocery_m", "th_grocery", "distance"),
)


@dataclass
class AreaAtlas:
    """The atlas layout (one page per area), its coverage layer and the layers it draws (keep
    this object while the layout is used)."""

    layout: QgsPrintLayout
    areas: QgsVectorLayer
    layers: list[QgsVectorLayer]
    project: QgsProject
    name_column: str
    items: dict = field(default_factory=dict)


def _quoted(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _number_expression(column: str, kind: str, lang: str) -> str:
    """A QGIS expression writing ``column`` of the atlas feature as the report writes it."""
    field_ = f'"{column}"'
    if kind == "share":
        return f"format_number(100 * {field_}, 0, '{lang}') || ' %'"
    if kind == "people":  # rounded as a council reads them (to 10, from 1 000 to 100)
        field_ = f"round({field_} / if({field_} < 1000, 10, 100)) * if({field_} < 1000, 10, 100)"
    if kind == "distance":  # to 10 m, as the report
        field_ = f"round({field_} / 10) * 10"
    text = f"format_number({field_}, 0, '{lang}')"
    return f"{text} || ' m'" if kind == "distance" else text


def _comparison_expression(column: str, kind: str, whole: float, lang: str) -> str:
    """A QGIS expression comparing the atlas feature's ``column`` with the whole study area's
    value, in the words of the CLI atlas (:func:`geoplan.outputs.atlas.comparison`)."""
    scale = {"share": 100, "distance": 0.1}.get(kind, 1)  # compared as shown: %, 10 m
    area = f'round({scale} * "{column}")'
    w = round(scale * float(whole))
    sense = better(column.removesuffix("_pop_share").removesuffix("_pop_mean"))
    higher, lower = core_tr("atlas_higher", lang), core_tr("atlas_lower", lang)
    if sense:
        good, bad = core_tr("atlas_better", lang), core_tr("atlas_worse", lang)
        up, down = (good, bad) if sense == "higher" else (bad, good)
        higher, lower = f"{higher} ({up})", f"{lower} ({down})"
    return (f"CASE WHEN {area} > {w} THEN {_quoted(higher)} WHEN {area} < {w} THEN "
            f"{_quoted(lower)} ELSE {_quoted(core_tr('atlas_same', lang))} END")


def atlas_numbers_text(run, whole: dict, lang: str) -> str:
    """The key-numbers label of an atlas page: one line per number the areas layer has, the
    atlas feature's value (as a QGIS expression), the whole study area's and the comparison."""
    from geoplan.outputs import report as core_report

    m = fmt(run.access.green_within_m, lang, 0)
    lines = []
    for column, heading, kind in ATLAS_NUMBERS:
        if column not in whole:
            continue
        value = whole[column]
        line = (f"{core_tr(heading, lang, m=m)}: [% {_number_expression(column, kind, lang)} %]"
                f"  ({core_tr('whole_study_area', lang)}: "
                f"{core_report._cell(value, kind, lang)})")
        if kind != "people":
            line += f"  [% {_comparison_expression(column, kind, value, lang)} %]"
        lines.append(line)
    return "\n".join(lines)


def _atlas_styles(areas: QgsVectorLayer, name_column: str) -> None:
    """The atlas feature outlined strongly; the other areas faded under a white veil."""
    from qgis.core import QgsFillSymbol, QgsPalLayerSettings, QgsRuleBasedRenderer

    from geoplan.outputs.styles import _qcolor

    edge = _qcolor(core_maps.AREA_EDGE)
    root = QgsRuleBasedRenderer.Rule(None)
    current = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": edge,
                                          "outline_width": "1.2"})
    others = QgsFillSymbol.createSimple({"color": "255,255,255,158",
                                         "outline_color": edge, "outline_width": "0.3"})
    root.appendChild(QgsRuleBasedRenderer.Rule(current, filterExp="@atlas_featureid = $id"))
    root.appendChild(QgsRuleBasedRenderer.Rule(others, elseRule=True))
    areas.setRenderer(QgsRuleBasedRenderer(root))
    label_features(areas, name_column, text_format(9, core_maps.AREA_EDGE, halo_mm=1.0),
                   QgsPalLayerSettings().placement)  # QGIS's default placement, as before


def _atlas_layers(run, gpkg: Path, indicator: str, lang: str) -> list[QgsVectorLayer]:
    """The grid (graduated on the whole study area's classes), buildings and network under
    the areas, thin and grey as context."""
    from qgis.core import QgsFillSymbol, QgsLineSymbol, QgsSingleSymbolRenderer

    from geoplan.outputs.styles import class_breaks

    values = _values(gpkg, rf.GRID, indicator)
    grid = _layer(gpkg, rf.GRID, _map_title(run, indicator, lang))
    _graduated(grid, indicator, class_breaks(values if values.size else [0.0], n_classes=5),
               lang=lang)
    layers = [grid]
    context = ((rf.BUILDINGS, QgsFillSymbol.createSimple(
        {"color": "66,66,66,56", "outline_style": "no"})),
        (rf.NETWORK, QgsLineSymbol.createSimple({"color": "77,77,77,140", "width": "0.15"})))
    present = rf.RunFolder(run.out_dir).layers()
    for name, symbol in context:
        if name in present:
            layer = _layer(gpkg, name, name)
            layer.setRenderer(QgsSingleSymbolRenderer(symbol))
            layers.append(layer)
    return layers


def _areas_layer(run, gpkg: Path, lang: str) -> tuple[QgsVectorLayer, str, dict]:
    """The areas layer without the study area's own row, its name column, and the whole
    study area's row (column -> value)."""
    import pyogrio

    from geoplan.errors import InputFileError

    if rf.AREAS not in rf.RunFolder(run.out_dir).layers():
        raise InputFileError(core_tr("atlas_no_areas", lang, out=run.out_dir))
    df = pyogrio.read_dataframe(gpkg, layer=rf.AREAS, read_geometry=False)
    key, name = _key_and_name(run, df)
    whole = df[df[key].astype(str) == STUDY_AREA_KEY]
    areas = _layer(gpkg, rf.AREAS, core_tr("th_area", lang))
    areas.setSubsetString(f'"{key}" <> {_quoted(STUDY_AREA_KEY)}')
    return areas, name, (whole.iloc[0].to_dict() if len(whole) else {})


def build_area_atlas(run_dir, *, project: QgsProject | None = None,
                     indicator: str = "safety_index", lang: str | None = None,
                     name: str | None = None) -> AreaAtlas:
    """An A4 atlas layout of the run in ``run_dir`` driven by its ``areas`` layer: one page per
    area with the area's name as title, a map the atlas zooms to the area (``indicator``'s
    cells on the whole study area's classes, buildings and network, the area outlined and the
    others faded), legend, scale bar, north arrow, the key numbers of the area (expressions
    on the atlas feature) beside the whole study area's, and the sources.

    Raises ``InputFileError`` when the run has no areas (no ``[areas]`` in its pipeline).
    """
    from geoplan.outputs import atlas as _core_atlas  # noqa: F401 - registers the atlas texts

    run = core_maps.load_run(run_dir)
    project = project or QgsProject.instance()
    lang = lang or current_language()
    gpkg = rf.RunFolder(run.out_dir).gpkg
    areas, name_column, whole = _areas_layer(run, gpkg, lang)
    _atlas_styles(areas, name_column)
    layers = _atlas_layers(run, gpkg, indicator, lang)
    for layer in (*layers, areas):
        project.addMapLayer(layer, False)
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name or f"geoplan atlas: {_title_of(run)}")
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Orientation.Portrait)
    items = _atlas_items(layout, run, areas, layers, name_column, whole, indicator, lang)
    atlas = layout.atlas()
    atlas.setCoverageLayer(areas)
    atlas.setPageNameExpression(f'"{name_column}"')
    atlas.setEnabled(True)
    layouts = project.layoutManager()
    old = layouts.layoutByName(layout.name())
    if old is not None:
        layouts.removeLayout(old)
    layouts.addLayout(layout)
    return AreaAtlas(layout, areas, layers, project, name_column, items)


def _atlas_items(layout, run, areas, layers, name_column, whole, indicator, lang) -> dict:
    """Title, map, legend, marks, key numbers and sources of the A4 (portrait) atlas page."""
    items = {"title": _label(layout, f'[% "{name_column}" %]', 12.0, 10.0, 186.0, 11.0,
                             size=20, bold=True)}
    items["subtitle"] = _label(layout, f"{core_tr('atlas_title', lang)} · {_title_of(run)}",
                               12.0, 21.0, 186.0, 6.0, size=10)
    item = QgsLayoutItemMap(layout)
    item.setId("atlas_map")
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(12.0, 29.0))
    item.attemptResize(QgsLayoutSize(186.0, 150.0))
    item.setCrs(layers[0].crs())
    item.setLayers([areas, *reversed(layers[1:]), layers[0]])
    item.setKeepLayerSet(True)
    item.setFrameEnabled(True)
    item.zoomToExtent(areas.extent())  # an extent of its own: the atlas keeps the item's size
    item.setAtlasDriven(True)
    item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
    item.setAtlasMargin(0.15)
    items["maps"] = [item]
    legend_map = LayoutMap(layers[0], "", _legend_title(run, indicator, lang))
    g = _Grid(margin=12.0, top=22.0, map_h=150.0)
    _place_legends(layout, [legend_map], g, items)
    items["legends"][0].attemptMove(QgsLayoutPoint(12.0, 182.0))
    _place_marks(layout, g, items, lang)
    items["scalebar"].setMaximumBarWidth(45.0)
    items["scalebar"].attemptMove(QgsLayoutPoint(135.0, 184.0))
    items["north_arrow"].attemptMove(QgsLayoutPoint(184.0, 32.0))
    items["numbers"] = _label(layout, atlas_numbers_text(run, whole, lang), 12.0, 228.0, 186.0,
                              34.0, size=9)
    items["sources"] = _label(layout, _sources_line(run, lang), 12.0, 266.0, 186.0, 10.0,
                              size=7.5)
    items["page"] = _label(layout, "[% @atlas_featurenumber %] / [% @atlas_totalfeatures %]",
                           170.0, 282.0, 28.0, 6.0, size=8)
    return items


def export_atlas(atlas: AreaAtlas, pdf, *, dpi: float = 150.0) -> Path:
    """Export every page of the atlas into one PDF (QGIS's native atlas export, text kept as
    text so the PDF is searchable); raises the core's error when QGIS cannot write."""
    from geoplan.errors import InputFileError

    Path(pdf).parent.mkdir(parents=True, exist_ok=True)
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    result, error = QgsLayoutExporter.exportToPdf(atlas.layout.atlas(), str(pdf), settings)
    if result != QgsLayoutExporter.ExportResult.Success:
        raise InputFileError(tr("Could not write {path} ({error}): choose a folder you can "
                                "write to.").format(path=pdf, error=error))
    return Path(pdf)
