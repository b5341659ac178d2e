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
from qgis.PyQt.QtGui import QFont

from geoplan.columns import HEADLINE, STUDY_AREA_KEY, better, describe
from geoplan.i18n import CATALOGUE, fmt
from geoplan.i18n import tr as core_tr
from geoplan.outputs import maps as core_maps
from geoplan.runs import folder as rf

from .i18n import current_language, tr
from .map_context import context_for_layout, layer_stack, place_edits_legend

__all__ = [
    "ATTRIBUTION",
    "CouncilLayout",
    "LayoutMap",
    "build_council_layout",
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
    from geoplan.outputs.styles import class_breaks

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
    network.loadDefaultStyle()  # the lit / dark / unknown style stored in the GeoPackage
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


def changes_table(path: Path, lang: str, max_rows: int = 8):
    """``changes.csv`` as (headers, rows of text); numbers formatted for ``lang``.

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


def _areas_table(gpkg: Path, lang: str, max_rows: int = 25):
    import pyogrio

    layers = {str(n) for n in pyogrio.list_layers(gpkg)[:, 0]}
    if rf.AREAS not in layers:
        return None
    df = pyogrio.read_dataframe(gpkg, layer=rf.AREAS, read_geometry=False)
    import pandas as pd

    # key and name of the areas (pandas 3 reads text as "str", not object)
    cols = [c for c in df.columns[:2] if pd.api.types.is_string_dtype(df[c])]
    cols += [c for c in ("pop", "safety_index", "dist_grocery_m", "lit_share",
                         "green_scb_300m_pop_share", "green_scb_300m") if c in df.columns]
    body = [[_fmt(v, lang) if not isinstance(v, str) else v for v in row]
            for row in df[cols].head(max_rows).itertuples(index=False)]
    return cols, body


# --- the layout -----------------------------------------------------------------------------------
def _label(layout, text, x, y, w, h, size=10.0, bold=False) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    from qgis.core import QgsTextFormat

    text_format = QgsTextFormat()
    text_format.setFont(font)
    text_format.setSize(size)
    label.setTextFormat(text_format)
    layout.addLayoutItem(label)
    label.attemptMove(QgsLayoutPoint(x, y))
    label.attemptResize(QgsLayoutSize(w, h))
    return label


def _sources_line(run, lang: str) -> str:
    sources = core_maps.source_line(run, lang)
    if ATTRIBUTION not in sources and "OpenStreetMap" not in sources:
        sources = f"{sources} · {ATTRIBUTION}"
    if ATTRIBUTION not in sources:
        sources = f"{sources} ({ATTRIBUTION})"
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


def _place_marks(layout, g: _Grid, items: dict) -> None:
    """Scale bar (of the first map) and QGIS's north arrow."""
    bar = QgsLayoutItemScaleBar(layout)
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
        table = changes_table(changes, lang) if changes.is_file() else None
        return _scenario_maps(run, indicator, lang), table, True
    return _baseline_maps(run, lang), _areas_table(folder.gpkg, lang), False


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
    g, items = _Grid(), {"context": context_for_layout(run.out_dir, project, lang)}
    items["title"] = _label(layout, title, g.margin, 8.0, g.width, 12.0, size=22, bold=True)
    subtitle = tr("Scenario compared with the baseline") if is_scenario else tr(
        "Headline indicators of the baseline")
    items["subtitle"] = _label(layout, subtitle, g.margin, 20.0, g.width, 8.0, size=12)
    _place_maps(layout, maps, g, items)
    _place_legends(layout, maps, g, items)
    _place_marks(layout, g, items)
    place_edits_legend(layout, items, g.x(0) + 62.0, g.legend_top + 10.0)  # beside 1st legend
    items["date"] = _label(layout, f"{tr('Date')}: {core_maps.format_date(run.created, lang)}",
                           g.margin, g.foot, 120.0, 6.0, size=9)
    items["sources"] = _label(layout, f"{tr('Data sources')}: {_sources_line(run, lang)}",
                              g.margin, g.foot + 6.0, g.width, 6.0, size=9)
    if table is not None and table[0]:
        items["table"] = _table(layout, *table, x=g.x(1), y=g.legend_top + 58.0,
                                w=2 * g.map_w + g.gap, h=g.foot - g.legend_top - 60.0)
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


def _table(layout, headers, rows, *, x, y, w, h):
    """A manual table: its cells are saved with the layout (a text table's are not, so in a
    saved project it came back empty)."""
    from qgis.core import QgsLayoutItemManualTable, QgsTableCell

    table = QgsLayoutItemManualTable.create(layout)
    layout.addMultiFrame(table)
    table.setIncludeTableHeader(True)
    table.setHeaders([QgsLayoutTableColumn(str(hd)) for hd in headers])
    table.setTableContents([[QgsTableCell(str(c)) for c in r] for r in rows])
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
