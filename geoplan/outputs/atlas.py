"""A per-area atlas: one A4 page per area of the run's ``[areas]``, the area beside the whole.

:func:`write_atlas` reads the ``areas`` layer of a run (the polygons of its ``[areas]`` section:
DeSO/RegSO areas, estates, districts) and writes ``atlas.pdf`` with one page per area:

* the area's map: the cells of a headline indicator (the safety index by default) on the classes
  of the whole study area, zoomed to the area, its outline and name drawn strongly and the
  neighbouring areas faded, with the context the report's maps draw (buildings, network, green
  spaces, area outlines and names, street names: the drawing functions of
  :mod:`geoplan.outputs.maps`), legend, scale bar and north arrow;
* the key numbers of the area beside the same numbers of the whole study area, in words
  ("lower than the whole study area (worse)"), weighted by residents the same way as the
  report's key numbers (:func:`geoplan.outputs.report.key_number_map`): a cell on the area's
  border counts with the share of its square inside the area, as in the ``areas`` layer;
* the sources with "© OpenStreetMap contributors", page numbers, searchable text and the PDF's
  title, subject, language and keywords.

Only what lies in view of a page is drawn on it (a spatial-index query per page), so a page
costs about the same in a town of 1,000 areas as in the demo's six.

Example
-------
>>> import tempfile, pathlib
>>> import geopandas as gpd, shapely
>>> from geoplan.config import parse_pipeline
>>> from geoplan.runs.pipeline import run_pipeline
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> gpd.GeoDataFrame({"code": ["W", "E"], "name": ["West", "East"]}, crs=4326, geometry=[
...     shapely.box(24.935, 60.160, 24.945, 60.182), shapely.box(24.945, 60.160, 24.96, 60.182)]
...     ).to_file(tmp / "areas.gpkg")
>>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250\\n'
...     '[areas]\\npath = "areas.gpkg"\\nkey_column = "code"\\nname_column = "name"', tmp)
>>> _ = run_pipeline(cfg, tmp / "out")
>>> result = write_atlas(tmp / "out", tmp / "out" / "report", lang="sv")
>>> result.pages, result.areas
(2, ('West', 'East'))
>>> "Jämfört med hela analysområdet" in result.page_texts[0]
True
"""

from __future__ import annotations

import textwrap
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import numpy as np

from ..atomic import atomic_path
from ..columns import STUDY_AREA_KEY
from ..columns import better as better_of
from ..errors import InputFileError
from ..i18n import fmt, fmt_pct, register_texts, tr
from ..progress import Progress, report

if TYPE_CHECKING:
    from .maps import MapSpec, RunData

# maps and report (pandas, matplotlib) are imported where they are used: the QGIS plugin reads
# this module's texts when it loads, without them

__all__ = ["ATLAS_TEXTS", "AtlasResult", "area_numbers", "atlas_areas", "atlas_figure",
           "cell_shares", "comparison", "number_rows", "write_atlas"]

ATLAS_TEXTS: dict[str, dict[str, str]] = {
    "atlas_title": {"en": "Area atlas"},
    "atlas_subject": {
        "en": "Walking access, safety and green space per area, compared with the whole study "
              "area"},
    "atlas_keywords": {
        "en": "area atlas, walking access, safety, street lighting, green space, OpenStreetMap, "
              "geoplan"},
    "atlas_of": {"en": "Area {i} of {n} · {title}"},
    "atlas_th_measure": {"en": "Key number"},
    "atlas_th_compared": {"en": "Compared with the whole study area"},
    "atlas_residents": {"en": "Residents"},
    "atlas_safety": {"en": "Safety index of the walking paths (0–100), median resident"},
    "atlas_school_night": {
        "en": "Residents who reach a school within {m} m by day but not on lit paths after dark"},
    "atlas_green": {
        "en": "Residents within {m} m walk of a public green space of at least {ha} ha"},
    "atlas_grocery": {"en": "Walk to the nearest grocery store, median resident"},
    "atlas_higher": {"en": "higher than the whole study area"},
    "atlas_lower": {"en": "lower than the whole study area"},
    "atlas_same": {"en": "about the same as the whole study area"},
    "atlas_better": {"en": "better"},
    "atlas_worse": {"en": "worse"},
    "atlas_no_residents": {
        "en": "No residents live in this area, so the numbers about residents are not given."},
    "atlas_weighting": {
        "en": "Numbers are weighted by residents as in the report's key numbers; a grid cell on "
              "the area's border counts with the share of its square inside the area. The map "
              "uses the classes of the whole study area, so pages can be compared."},
    "atlas_no_areas": {
        "en": "the run in {out} has no areas to make an atlas of: add an [areas] section (a "
              "polygon file and its key_column, e.g. DeSO areas) to the pipeline and run it "
              "again"},
    "atlas_parameter": {"en": "Per-area atlas as PDF (optional; the run needs [areas])"},
}
register_texts(ATLAS_TEXTS)

#: Key numbers of a page: (key, grid column, kind, better direction).
_NUMBERS = (
    ("residents", "pop", "people", ""),
    ("safety", "safety_index", "index", "higher"),
    ("school_night", "loses_school_at_night", "share", "lower"),
    ("green", "green_scb_300m", "share", "higher"),
    ("grocery", "dist_grocery_m", "distance", "lower"),
)
_PDF_LANG = {"en": "en-GB", "sv": "sv-SE", "da": "da-DK"}
#: size of the map figure (inches): the map, and the legend beside it
_FIG_W_IN, _FIG_H_IN, _MAP_W_IN = 7.4, 5.4, 4.5


@dataclass(frozen=True)
class AtlasResult:
    """What :func:`write_atlas` wrote: the PDF, its page count, the area names in page order,
    the text of each page (``page_texts[0]`` is page 1) and the seconds it took."""

    pdf: Path
    pages: int
    areas: tuple[str, ...]
    page_texts: tuple[str, ...]
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------
def atlas_areas(run: RunData, lang: str = "en"):
    """The run's areas in atlas order (the layer's order, without the study area's own row),
    with their page name in column ``atlas_name`` (the ``name_column``, else the key).

    Raises
    ------
    InputFileError
        When the run has no ``areas`` layer (no ``[areas]`` in its pipeline) or it is empty.

    >>> import geopandas as gpd, shapely
    >>> a = gpd.GeoDataFrame({"code": ["A", "__study_area__"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(0, 0, 2, 2)], crs=3006)
    >>> from geoplan.outputs.maps import RunData
    >>> list(atlas_areas(RunData(Path("."), grid=None, areas=a))["atlas_name"])
    ['A']
    """
    from . import maps

    a = run.areas
    if a is not None and getattr(a, "geometry", None) is not None:
        a = a[a.geometry.notna() & ~a.geometry.is_empty]
        sa = run.config.summary_areas
        key = sa.key_column if sa is not None and sa.key_column in a.columns else None
        key = key or next((c for c in a.columns if c != "geometry"), None)
        if key is not None:
            a = a[a[key].astype(str) != STUDY_AREA_KEY]
            name = maps._area_name_column(run, a) or key
            a = a.assign(atlas_name=a[name].fillna(a[key]).astype(str))
    if a is None or not len(a) or "atlas_name" not in a.columns:
        raise InputFileError(tr("atlas_no_areas", lang, out=run.out_dir))
    return a.to_crs(run.grid.crs) if run.grid is not None and a.crs != run.grid.crs else a


def cell_shares(grid, geom) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the cells of ``grid`` that overlap ``geom`` and the share of each cell's
    square inside it (the weighting of :func:`geoplan.indicators.equity.area_summary`).

    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100),
    ...                                shapely.box(100, 0, 200, 100)], crs=3006)
    >>> idx, share = cell_shares(g, shapely.box(50, 0, 300, 100))
    >>> idx.tolist(), share.tolist()
    ([0, 1], [0.5, 1.0])
    """
    idx = np.sort(grid.sindex.query(geom, predicate="intersects"))
    cells = grid.geometry.values[idx]
    area = np.asarray(cells.area)
    inside = np.asarray(cells.intersection(geom).area)
    share = np.where(area > 0, inside / np.where(area > 0, area, 1.0), 0.0)
    keep = share > 0
    return idx[keep], share[keep]


def area_numbers(grid) -> dict[str, float]:
    """The key numbers of the cells of ``grid`` weighted by column ``pop`` (residents, or
    residents × the share of a cell inside an area): ``residents`` (sum), ``safety`` (median
    safety index over residents, cells with an index), ``school_night`` and ``green``
    (``(residents, share of residents)`` of the yes cells), ``grocery`` (median walking
    distance over residents; inf when none is reachable), as the report computes them
    (:func:`geoplan.outputs.report.key_number_map`). Missing columns are left out.

    >>> import pandas as pd
    >>> g = pd.DataFrame({"pop": [10.0, 30.0], "safety_index": [40.0, 80.0],
    ...                   "green_scb_300m": [1, 0], "dist_grocery_m": [200.0, float("nan")]})
    >>> n = area_numbers(g)
    >>> n["residents"], n["safety"], n["green"], n["grocery"]
    (40.0, 80.0, (10.0, 0.25), inf)
    """
    from . import report as rep

    pop = rep._pop(grid)
    total = float(pop.sum())
    out: dict[str, object] = {"residents": total}
    if total <= 0:
        return out
    if "safety_index" in grid.columns:
        s = rep._w(grid, "safety_index")
        ok = np.isfinite(s) & (pop > 0)
        if ok.any():
            out["safety"] = float(rep._weighted_median(s[ok], pop[ok]))
    for key, col in (("school_night", "loses_school_at_night"), ("green", "green_scb_300m")):
        if col in grid.columns:
            out[key] = rep._yes_share(grid, col)
    if "dist_grocery_m" in grid.columns:
        out["grocery"] = float(rep._weighted_median(rep._w(grid, "dist_grocery_m"), pop))
    return out


def _shown(value, kind: str) -> float:
    """A number as the page shows it (what a comparison of two numbers must go by)."""
    from . import report as rep

    v = value[1] if isinstance(value, tuple) else value
    if not np.isfinite(v):
        return v
    if kind == "share":
        return round(100 * v)
    if kind == "distance":
        return rep._round_m(v)
    return rep.round_people(v) if kind == "people" else round(v)


def comparison(area, whole, kind: str, better: str, lang: str = "en") -> str:
    """The area's number compared with the whole study area's, in words, as shown on the page
    (two numbers that round to the same figure are "about the same").

    >>> comparison(61.4, 70.2, "index", "higher", "en")
    'lower than the whole study area (worse)'
    >>> comparison((5.0, 0.104), (50.0, 0.1), "share", "lower", "sv")
    'ungefär som i hela analysområdet'
    """
    a, w = _shown(area, kind), _shown(whole, kind)
    if a == w or not (np.isfinite(a) or np.isfinite(w)):
        return tr("atlas_same", lang)
    text = tr("atlas_higher" if a > w else "atlas_lower", lang)
    if better:
        good = (a > w) == (better == "higher")
        text += f" ({tr('atlas_better' if good else 'atlas_worse', lang)})"
    return text


def _value_text(value, kind: str, lang: str) -> str:
    from . import report as rep
    if value is None:
        return "—"
    if kind == "share":
        n, share = value
        return f"{rep._people(n, lang)} ({fmt_pct(share, lang)})"
    if kind == "distance":
        return rep._distance(value, lang)
    return rep._people(value, lang) if kind == "people" else fmt(value, lang, 0)


def number_rows(run: RunData, name: str, area: dict, whole: dict,
                lang: str = "en") -> list[list[str]]:
    """The table of a page: a header row, then one row per key number the run has
    (label, the area's value, the whole study area's, the comparison in words)."""
    from . import maps

    acc = run.access
    missing = maps.missing_destinations(run)
    labels = {"school_night": {"m": fmt(acc.night_threshold_m, lang, 0)},
              "green": {"m": fmt(acc.green_within_m, lang, 0),
                        "ha": fmt(acc.green_scb_min_ha, lang, 1)}}
    rows = [[tr("atlas_th_measure", lang), name, tr("whole_study_area", lang),
             tr("atlas_th_compared", lang)]]
    for key, col, kind, better in _NUMBERS:
        if key not in whole or {"school_night": "school", "grocery": "grocery"}.get(
                key) in missing:
            continue
        label = tr(f"atlas_{key}", lang, **labels.get(key, {}))
        mine = area.get(key)
        said = comparison(mine, whole[key], kind, better or better_of(col), lang) \
            if mine is not None and key != "residents" else ""
        rows.append([label, _value_text(mine, kind, lang), _value_text(whole[key], kind, lang),
                     said])
    return rows


# --------------------------------------------------------------------------------------------
# the map
# --------------------------------------------------------------------------------------------
def _view(geom, ratio: float, within=None, pad: float = 0.12):
    """The box a page shows: the area's bounds, padded, widened to the map's ``ratio`` and
    shifted (not grown) to stay inside the bounds ``within`` where it fits in them, so a page
    shows cells rather than the empty land beyond the study area.

    >>> import shapely
    >>> _view(shapely.box(0, 0, 100, 50), 1.0, within=(-1000, 0, 1000, 1000)).bounds
    (-12.0, 0.0, 112.0, 124.0)
    """
    import shapely

    xmin, ymin, xmax, ymax = geom.bounds
    w, h = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    w, h = max(w, h / ratio), max(h, w * ratio)
    x0, y0 = (xmin + xmax - w) / 2, (ymin + ymax - h) / 2
    if within is not None:
        lo_x, lo_y, hi_x, hi_y = within
        if w <= hi_x - lo_x:
            x0 = min(max(x0, lo_x), hi_x - w)
        if h <= hi_y - lo_y:
            y0 = min(max(y0, lo_y), hi_y - h)
    return shapely.box(x0, y0, x0 + w, y0 + h)


def _in_view(frame, box):
    """The rows of ``frame`` whose geometry meets ``box`` (through its spatial index)."""
    if frame is None or getattr(frame, "geometry", None) is None or not len(frame):
        return frame
    return frame.iloc[np.sort(frame.sindex.query(box, predicate="intersects"))]


def _fade(ax, box, geom):
    """White veil over everything in view outside the area: neighbours stay readable, faded."""
    from . import maps

    veil = box.difference(geom)
    maps._fill(ax, [veil], "#ffffff", edge="none", lw=0.0, alpha=0.62, z=4.9)
    maps._fill(ax, [geom], "none", edge=maps.AREA_EDGE, lw=2.6, z=6)


def atlas_figure(run: RunData, geom, spec: MapSpec, breaks, lang: str = "en"):
    """The map of one atlas page: the cells of ``spec`` in view of ``geom`` on ``breaks``
    (the whole study area's classes), context, the area outlined, neighbours faded, legend,
    scale bar and north arrow (a matplotlib Figure, not saved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from . import maps

    map_h = _FIG_H_IN - 0.75
    box = _view(geom, map_h / _MAP_W_IN, within=run.grid.total_bounds)
    local = replace(run, **{k: _in_view(getattr(run, k), box) for k in (
        "grid", "network", "green", "destinations", "buildings", "areas")})
    fig = Figure(figsize=(_FIG_W_IN, _FIG_H_IN), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.7 / _FIG_H_IN, _MAP_W_IN / _FIG_W_IN, map_h / _FIG_H_IN))
    ax._geoplan_lang = lang
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color("#9e9e9e")
    xmin, ymin, xmax, ymax = box.bounds
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    handles, ctx, legend_title, _, _ = maps._draw_map(ax, local, local.grid, spec, "level",
                                                     breaks, lang)
    ctx = [*maps._draw_context(ax, local), *ctx]
    _fade(ax, box, geom)
    maps._legend_and_marks(ax, handles, ctx, textwrap.fill(legend_title, 34), lang)
    return fig


def _breaks(run: RunData, spec: MapSpec):
    """The classes of the whole study area (so every page shares them), or None (yes/no)."""
    from . import maps

    if spec.kind != "graduated":
        return None
    v = maps._as_float(run.grid[spec.column])
    v = v[~maps._empty_cells(run.grid, spec, "level")]
    v = v[np.isfinite(v)]
    from .styles import class_breaks

    return class_breaks(v if v.size else [0.0], n_classes=5, method="quantile")


# --------------------------------------------------------------------------------------------
# the PDF
# --------------------------------------------------------------------------------------------
def _raster(fig, dpi: int):
    """The figure drawn at ``dpi`` as an RGB PIL image (no PNG encoded and decoded again)."""
    from PIL import Image

    fig.set_dpi(dpi)
    fig.canvas.draw()
    return Image.frombuffer("RGBA", fig.canvas.get_width_height(),
                            fig.canvas.buffer_rgba()).convert("RGB")


def _lazy_map(make_figure, width: float, height: float, dpi: int):
    """A flowable that draws its map only when its page is laid out, so an atlas of 1,000
    areas holds one map in memory at a time."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Flowable

    class _Map(Flowable):
        def wrap(self, *_):
            return width, height

        def draw(self):
            self.canv.drawImage(ImageReader(_raster(make_figure(), dpi)), 0, 0, width, height)

    return _Map()


def _page(st, width, head: tuple[str, str], make_figure, rows, notes, dpi):
    """The flowables of one page and its text."""
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    from . import report as rep

    name, line = head
    flow = [Paragraph(escape(name), st["h1"]), Paragraph(escape(line), st["small"]),
            _lazy_map(make_figure, width, width * _FIG_H_IN / _FIG_W_IN, dpi),
            Spacer(1, 0.3 * cm), rep._table(rows, st, width, first_col=0.4)]
    flow += [Paragraph(escape(n), st["small"]) for n in notes]
    text = "\n".join([name, line, *(" | ".join(r) for r in rows), *notes])
    return [*flow, PageBreak()], text


def write_atlas(run, folder, *, lang: str | None = None, indicator: str = "safety_index",
                dpi: int = 150, progress: Progress | None = None) -> AtlasResult:
    """Write ``atlas.pdf`` into ``folder``: one A4 page per area of the run's ``[areas]``.

    Parameters
    ----------
    run
        A run read with :func:`geoplan.outputs.maps.load_run`, or its folder.
    folder
        Where to write (``OUT/report/`` when :func:`geoplan.outputs.report.write_report` calls
        it: ``write_report(out, atlas=write_atlas)``).
    lang
        ``"en"``, ``"sv"`` or ``"da"``; default the run's language.
    indicator
        The headline column each page maps (one with a report map:
        :data:`geoplan.outputs.maps.HEADLINE_MAPS`).
    dpi
        Resolution of the maps embedded in the PDF.
    progress
        Progress sink; may cancel between pages.

    Returns
    -------
    AtlasResult

    Raises
    ------
    InputFileError
        When the run has no areas (:func:`atlas_areas`).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    from . import maps
    from . import report as rep

    start = time.perf_counter()
    run = run if isinstance(run, maps.RunData) else maps.load_run(run)
    lang = lang or run.lang
    tr("attribution", lang)  # validates lang
    spec = next(m for m in maps.HEADLINE_MAPS if m.column == indicator)
    areas = atlas_areas(run, lang)
    breaks, whole = _breaks(run, spec), area_numbers(run.grid)
    st = rep._styles()
    notes = [tr("atlas_weighting", lang), maps.source_line(run, lang, spec)]
    story, texts, n = [], [], len(areas)
    width = A4[0] - 3.6 * cm
    for i, (name, geom) in enumerate(zip(areas["atlas_name"], areas.geometry.values,
                                         strict=True)):
        idx, share = cell_shares(run.grid, geom)
        cells = run.grid.iloc[idx]
        numbers = area_numbers(cells.assign(pop=rep._pop(cells) * share))
        rows = number_rows(run, name, numbers, whole, lang)
        extra = [] if numbers["residents"] > 0 else [tr("atlas_no_residents", lang)]
        head = (name, tr("atlas_of", lang, i=i + 1, n=n, title=run.title))
        flow, text = _page(st, width, head, partial(atlas_figure, run, geom, spec, breaks, lang),
                           rows, extra + notes, dpi)
        story += flow
        texts.append(text)
    path = Path(folder) / "atlas.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    footer = rep._page_decorator(run, lang, {})

    def deco(canvas, doc):  # the page is drawn: say so, and stop here when cancelled
        footer(canvas, doc)
        report(progress, doc.page / n, f"atlas page {doc.page} of {n}")

    with atomic_path(path, suffix=".pdf") as tmp, maps.binary_images():
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=1.8 * cm,
                                rightMargin=1.8 * cm, topMargin=1.5 * cm, bottomMargin=2 * cm,
                                title=f"{tr('atlas_title', lang)}: {run.title}",
                                author="geoplan", subject=tr("atlas_subject", lang),
                                creator="geoplan", lang=_PDF_LANG[lang],
                                keywords=tr("atlas_keywords", lang))
        doc.build(story[:-1], onFirstPage=deco, onLaterPages=deco)
    return AtlasResult(pdf=path, pages=n, areas=tuple(areas["atlas_name"]),
                       page_texts=tuple(texts), seconds=time.perf_counter() - start)
