"""The council layout: one A3 print layout of a geoplan run, exported to PDF and PNG.

For a **scenario** run (its ``geoplan.gpkg`` has ``grid_change``): before, after and change maps of
one indicator — before and after on the *same* classes (breaks from both), the change on diverging
colours with a neutral "no change" class — and the change table (``changes.csv``). For a
**baseline** run: the headline maps (safety index, walking distance to a grocery store, lighting
of the network) and, when the run has area summaries, a table of them.

Every map shares one extent and scale; the layout has a title, a legend per map, a scale bar, a
north arrow (an SVG of QGIS's own ``svg/arrows`` folder), the date, the data sources with
"© OpenStreetMap contributors" and the table. Classes, colours and legend words come from the
core (:mod:`geoplan.outputs.gpkg` styles; texts of :mod:`geoplan.outputs.maps` when present), so
the layout, the GeoPackage styles and the report's maps agree. No analysis happens here.
"""

from __future__ import annotations

import datetime as dt
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
    QgsLayoutItemTextTable,
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

from .i18n import current_language, tr

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
#: indicators a scenario layout can show, and which direction is better
SCENARIO_INDICATORS = ("safety_index", "dist_grocery_m", "lit_share", "dist_green_scb_m",
                       "green_m2_per_capita", "pop")


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
def _core_maps():
    """geoplan.outputs.maps (texts, headline map specs), or None on an older core."""
    try:
        from geoplan.outputs import maps
    except ImportError:
        return None
    return maps


def _core_tr(key: str, lang: str, default: str, **fields) -> str:
    try:
        from geoplan.i18n import CATALOGUE
        from geoplan.i18n import tr as core_tr

        _core_maps()  # registers the map texts
        if key in CATALOGUE:
            return core_tr(key, lang, **fields)
    except ImportError:
        pass
    return default.format(**fields) if fields else default


def _map_title(column: str, lang: str, variant: str = "") -> str:
    title = _core_tr(f"map_{column}", lang, column.replace("_", " "))
    if variant:
        title = f"{title} — {_core_tr(f'variant_{variant}', lang, variant)}"
    return title


def _legend_title(column: str, lang: str, variant: str = "") -> str:
    if variant == "change":
        return _core_tr("leg_change", lang, "Change (after − before)")
    return _core_tr(f"leg_{column}", lang, column.replace("_", " "))


def _unit(column: str) -> str:
    return "m" if column.endswith("_m") else ""


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
    from geoplan.outputs.gpkg import graduated_fill_qml

    _style(layer, graduated_fill_qml(column, breaks, ramp=ramp, reverse=reverse,
                                     unit=_unit(column), lang=lang))


def _baseline_maps(gpkg: Path, lang: str) -> list[LayoutMap]:
    from geoplan.outputs.gpkg import class_breaks

    maps = []
    for column in ("safety_index", "dist_grocery_m"):
        values = _values(gpkg, "grid", column)
        layer = _layer(gpkg, "grid", _map_title(column, lang))
        _graduated(layer, column, class_breaks(values if values.size else [0.0], n_classes=5),
                   lang=lang)
        maps.append(LayoutMap(layer, _map_title(column, lang), _legend_title(column, lang)))
    network = _layer(gpkg, "network", _core_tr("map_lighting", lang, "Lighting"))
    network.loadDefaultStyle()  # the lit / dark / unknown style stored in the GeoPackage
    maps.append(LayoutMap(network, _core_tr("map_lighting", lang, "Lighting of the walkable "
                                                                   "network"),
                          _core_tr("leg_lighting", lang, "Paths")))
    return maps


def scenario_columns(gpkg: Path, indicator: str) -> tuple[str, str, str]:
    """``(before, after, change)`` columns of ``indicator`` in the ``grid_change`` layer."""
    import pyogrio

    from geoplan.errors import ConfigError

    fields = [str(f) for f in pyogrio.read_info(gpkg, layer="grid_change")["fields"]]
    cols = tuple(f"{indicator}_{v}" for v in ("before", "after", "change"))
    if set(cols) <= set(fields):
        return cols
    options = sorted({f.rsplit("_", 1)[0] for f in fields if f.endswith("_change")})
    raise ConfigError(tr("The scenario has no change of '{indicator}': choose one of "
                         "{options}.").format(indicator=indicator, options=", ".join(options)))


def headline_indicator(gpkg: Path) -> str:
    """The first of the core's headline columns (:data:`geoplan.scenario.change.HEADLINE`) that the
    scenario changes anywhere, else ``safety_index``."""
    import numpy as np
    import pyogrio

    try:
        from geoplan.scenario.change import HEADLINE
    except ImportError:
        HEADLINE = SCENARIO_INDICATORS  # noqa: N806
    fields = {str(f) for f in pyogrio.read_info(gpkg, layer="grid_change")["fields"]}
    for column in HEADLINE:
        if f"{column}_change" in fields:
            values = _values(gpkg, "grid_change", f"{column}_change")
            if values.size and (np.abs(values) > 1e-9).any():
                return column
    return "safety_index"


def _scenario_maps(gpkg: Path, indicator: str | None, lang: str) -> list[LayoutMap]:
    from geoplan.outputs.gpkg import class_breaks, diverging_breaks

    indicator = indicator or headline_indicator(gpkg)
    before, after, change = scenario_columns(gpkg, indicator)
    vb, va = _values(gpkg, "grid_change", before), _values(gpkg, "grid_change", after)
    breaks = class_breaks(vb if vb.size else [0.0], va, n_classes=5)  # one set for both maps
    maps = []
    for column, variant in ((before, "before"), (after, "after")):
        layer = _layer(gpkg, "grid_change", _map_title(indicator, lang, variant))
        _graduated(layer, column, breaks, lang=lang)
        maps.append(LayoutMap(layer, _map_title(indicator, lang, variant),
                              _legend_title(indicator, lang)))
    vc = _values(gpkg, "grid_change", change)
    better_lower = indicator.startswith(("dist_", "night_dist_", "dark_", "unknown_",
                                         "longest_dark", "tunnel"))
    layer = _layer(gpkg, "grid_change", _map_title(indicator, lang, "change"))
    _graduated(layer, change, diverging_breaks(vc if vc.size else [0.0]), ramp="diverging",
               reverse=better_lower, lang=lang)
    maps.append(LayoutMap(layer, _map_title(indicator, lang, "change"),
                          _legend_title(indicator, lang, "change")))
    return maps


# --- tables ---------------------------------------------------------------------------------------
def _fmt(v, lang: str) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "" if v is None else str(v)
    if x != x or x in (float("inf"), float("-inf")):  # NaN, or none reachable
        return "–"
    try:
        from geoplan.i18n import fmt

        digits = 0 if abs(x) >= 100 or x == int(x) else 2
        return fmt(x, lang, digits)
    except ImportError:
        return f"{x:.2f}"


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
        rows = [r for r in rows if r["area_key"] == "__study_area__"] or rows
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
    headers = [_core_tr(f"sc_{c}", lang, c) if c in ("before", "after", "change") else
               _core_tr({"area_name": "sc_area", "label": "sc_measure"}.get(c, c), lang,
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
    if "areas" not in layers:
        return None
    df = pyogrio.read_dataframe(gpkg, layer="areas", read_geometry=False)
    cols = [c for c in df.columns[:2] if df[c].dtype == object]
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
    try:
        from qgis.core import QgsTextFormat

        fmt = QgsTextFormat()
        fmt.setFont(font)
        fmt.setSize(size)
        label.setTextFormat(fmt)
    except (ImportError, AttributeError):
        label.setFont(font)
    layout.addLayoutItem(label)
    label.attemptMove(QgsLayoutPoint(x, y))
    label.attemptResize(QgsLayoutSize(w, h))
    return label


def _sources_line(run_dir: Path, lang: str) -> str:
    maps = _core_maps()
    if maps is not None:
        try:
            return maps.source_line(maps.load_run(run_dir), lang)
        except Exception:  # an older/newer core: fall back to the attribution alone
            pass
    return f"Data: {ATTRIBUTION} (ODbL)"


def _date_text(run_dir: Path, lang: str) -> str:
    import json

    created = dt.date.today()
    prov = run_dir / "provenance.json"
    if prov.is_file():
        try:
            created = dt.datetime.fromisoformat(json.loads(prov.read_text("utf-8"))["created"]
                                                ).date()
        except (KeyError, ValueError, OSError):
            pass
    maps = _core_maps()
    if maps is not None and hasattr(maps, "format_date"):
        return maps.format_date(created, lang)
    return created.isoformat()


def _title_of(run_dir: Path) -> str:
    import json

    scen = run_dir / "scenario.json"  # a scenario run: its name, not the folder's
    if scen.is_file():
        try:
            return str(json.loads(scen.read_text("utf-8"))["scenario"]["name"])
        except (KeyError, ValueError, OSError, TypeError):
            pass
    prov = run_dir / "provenance.json"
    if prov.is_file():
        try:
            out = json.loads(prov.read_text("utf-8"))["pipeline"]["output"]
            return str(out.get("title") or out.get("name") or run_dir.name)
        except (KeyError, ValueError, OSError, TypeError):
            pass
    return run_dir.name


def build_council_layout(run_dir, *, project: QgsProject | None = None,
                         indicator: str | None = None, title: str | None = None,
                         lang: str | None = None, name: str | None = None) -> CouncilLayout:
    """Build the council layout of the run in ``run_dir`` (baseline or scenario) in ``project``.

    ``indicator``: the column of a scenario's before/after/change maps (default: the first
    headline indicator the scenario changes, see :func:`headline_indicator`).

    The layers it draws are added to ``project`` without showing in its layer tree; the layout
    is added to the project's layout manager (replacing one of the same name).
    """
    from geoplan.errors import InputFileError

    run_dir = Path(run_dir)
    gpkg = run_dir / "geoplan.gpkg"
    if not gpkg.is_file():
        raise InputFileError(tr("No geoplan.gpkg in {folder}: choose the output folder of a "
                                "geoplan run or scenario.").format(folder=run_dir))
    import pyogrio

    project = project or QgsProject.instance()
    lang = lang or current_language()
    present = {str(n) for n in pyogrio.list_layers(gpkg)[:, 0]}
    is_scenario = "grid_change" in present
    maps = _scenario_maps(gpkg, indicator, lang) if is_scenario else _baseline_maps(gpkg, lang)
    table = None
    if is_scenario and (run_dir / "changes.csv").is_file():
        table = changes_table(run_dir / "changes.csv", lang)
    elif not is_scenario:
        table = _areas_table(gpkg, lang)
    title = title or _title_of(run_dir)
    for m in maps:
        project.addMapLayer(m.layer, False)

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name or f"geoplan: {title}")
    page = layout.pageCollection().page(0)
    page.setPageSize("A3", QgsLayoutItemPage.Orientation.Landscape)
    items: dict = {}
    margin, gap = 12.0, 6.0
    width = 420.0 - 2 * margin
    map_w = (width - 2 * gap) / 3
    map_h = 130.0
    top = 32.0
    items["title"] = _label(layout, title, margin, 8.0, width, 12.0, size=22, bold=True)
    subtitle = tr("Scenario compared with the baseline") if is_scenario else tr(
        "Headline indicators of the baseline")
    items["subtitle"] = _label(layout, subtitle, margin, 20.0, width, 8.0, size=12)

    extent = QgsRectangle()
    for m in maps:
        extent.combineExtentWith(m.layer.extent())
    extent.scale(1.05)
    items["maps"], items["legends"], items["map_titles"] = [], [], []
    for i, m in enumerate(maps):
        x = margin + i * (map_w + gap)
        items["map_titles"].append(_label(layout, m.title, x, top - 1.0, map_w, 8.0, size=11,
                                          bold=True))
        item = QgsLayoutItemMap(layout)
        item.setId(f"map_{i}")
        layout.addLayoutItem(item)
        item.attemptMove(QgsLayoutPoint(x, top + 7.0))
        item.attemptResize(QgsLayoutSize(map_w, map_h))
        item.setCrs(m.layer.crs())
        item.setLayers([m.layer])
        item.setKeepLayerSet(True)
        item.zoomToExtent(extent)
        item.setFrameEnabled(True)
        items["maps"].append(item)
    scale = max(it.scale() for it in items["maps"])  # one scale: every map shows the whole area
    for it in items["maps"]:
        it.setScale(scale)
        it.setExtent(_centered(extent, it.extent()))
        it.setScale(scale)

    legend_top = top + 7.0 + map_h + 4.0
    for i, m in enumerate(maps):
        legend = QgsLayoutItemLegend(layout)
        legend.setTitle(m.legend_title)
        legend.setLinkedMap(items["maps"][i])
        legend.setAutoUpdateModel(False)
        root = legend.model().rootGroup()
        root.clear()
        node = root.addLayer(m.layer)
        from qgis.core import QgsLegendRenderer, QgsLegendStyle

        QgsLegendRenderer.setNodeLegendStyle(node, QgsLegendStyle.Style.Hidden)  # no layer name
        layout.addLayoutItem(legend)
        legend.attemptMove(QgsLayoutPoint(margin + i * (map_w + gap), legend_top))
        legend.adjustBoxSize()
        items["legends"].append(legend)

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
    bar.attemptMove(QgsLayoutPoint(margin, 262.0))
    items["scalebar"] = bar

    svg = north_arrow_svg()
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(svg)
    layout.addLayoutItem(arrow)
    arrow.attemptMove(QgsLayoutPoint(margin + map_w - 14.0, top + 9.0))
    arrow.attemptResize(QgsLayoutSize(12.0, 16.0))
    items["north_arrow"] = arrow

    foot = 280.0
    items["date"] = _label(layout, f"{tr('Date')}: {_date_text(run_dir, lang)}", margin, foot,
                           120.0, 6.0, size=9)
    sources = _sources_line(run_dir, lang)
    if ATTRIBUTION not in sources and "OpenStreetMap" not in sources:
        sources = f"{sources} · {ATTRIBUTION}"
    if ATTRIBUTION not in sources:
        sources = f"{sources} ({ATTRIBUTION})"
    items["sources"] = _label(layout, f"{tr('Data sources')}: {sources}", margin, foot + 6.0,
                              width, 6.0, size=9)

    if table is not None and table[0]:
        items["table"] = _table(layout, *table, x=margin + map_w + gap, y=legend_top + 50.0,
                                w=2 * map_w + gap, h=foot - legend_top - 52.0)
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
    table = QgsLayoutItemTextTable(layout)
    layout.addMultiFrame(table)
    table.setColumns([QgsLayoutTableColumn(str(hd)) for hd in headers])
    table.setContents([[str(c) for c in r] for r in rows])
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
