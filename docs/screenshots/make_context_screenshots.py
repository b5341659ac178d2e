"""Render the screenshots of docs/screenshots/README.md ("Report pages and layouts"): report
pages and the QGIS council and scenario layouts of the demo, as PNG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_context_screenshots.py [WORK]

Steps: ``geoplan demo`` with summary areas (the Voronoi cells of the extract's own place names,
so the areas table has rows), the demo scenario from that run folder, ``geoplan report`` of both,
then PDF pages rendered by GDAL's PDF driver (poppler; no pdftoppm or pypdfium2 needed) and the two
layouts exported with ``QgsLayoutExporter.exportToImage``. Pages are found by their text (pypdf).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "qgis_plugin")]


def _areas(run_dir: Path, path: Path) -> None:
    """Districts for the demo: the Voronoi cells of its place names, clipped to the grid."""
    import geopandas as gpd
    import pyogrio
    import shapely

    places = pyogrio.read_dataframe(run_dir / "geoplan.gpkg", layer="places")
    grid = pyogrio.read_dataframe(run_dir / "geoplan.gpkg", layer="grid", columns=[])
    hull = grid.geometry.union_all()
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(places.geometry)), extend_to=hull)
    rows = []
    for cell in shapely.get_parts(cells):
        name = places[places.within(cell)]["name"]
        if len(name):
            rows.append((name.iloc[0], cell.intersection(hull)))
    gpd.GeoDataFrame({"code": [f"D{i + 1}" for i in range(len(rows))],
                      "name": [n for n, _ in rows]}, geometry=[g for _, g in rows],
                     crs=grid.crs).to_file(path, driver="GPKG")


def _runs(work: Path, lang: str) -> tuple[Path, Path]:
    from geoplan.config import parse_pipeline
    from geoplan.outputs.report import write_report
    from geoplan.runs.pipeline import run_pipeline
    from geoplan.runs.scenario import run_scenario
    from geoplan.scenario.io import read_scenario

    first = work / "first"
    run_pipeline(parse_pipeline('[input]\nosm = "demo"\n[output]\nformats = ["gpkg"]\n', work),
                 first)
    _areas(first, work / "districts.gpkg")
    text = (ROOT / "pipelines" / "demo.toml").read_text(encoding="utf-8")
    text += ('\n[areas]\npath = "districts.gpkg"\nkey_column = "code"\nname_column = "name"\n')
    text = text.replace('lang = "en"', f'lang = "{lang}"')
    (work / "demo.toml").write_text(text, encoding="utf-8")
    from geoplan.config import load_pipeline

    run, scen = work / "demo", work / "scenario"
    run_pipeline(load_pipeline(work / "demo.toml"), run)
    run_scenario(run, read_scenario(ROOT / "data" / "demo_scenario.gpkg"), scen)
    for d in (run, scen):
        write_report(d, lang=lang)
    return run, scen


def _page_with(pdf: Path, words: str) -> int:
    import pypdf

    for i, page in enumerate(pypdf.PdfReader(pdf).pages):
        if words in (page.extract_text() or ""):
            return i
    raise LookupError(f"no page of {pdf} says {words!r}")


def render_page(pdf: Path, page: int, png: Path, dpi: float = 110.0) -> None:
    """One page (0-based) of ``pdf`` as a PNG: GDAL's PDF driver renders it with poppler (QGIS's
    own PDF renderer needs a build with PDF4Qt; pdftoppm and pypdfium2 are not installed)."""
    from osgeo import gdal

    gdal.UseExceptions()
    src = gdal.OpenEx(f"PDF:{page + 1}:{pdf}", open_options=[f"DPI={dpi:g}"])
    gdal.Translate(str(png), src, format="PNG")
    png.with_name(png.name + ".aux.xml").unlink(missing_ok=True)


def export_layout(run_dir: Path, png: Path, lang: str) -> None:
    from geoplan_qgis.layout import build_council_layout
    from qgis.core import QgsLayoutExporter, QgsProject

    council = build_council_layout(run_dir, project=QgsProject(), lang=lang)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 80
    settings.generateWorldFile = False
    result = QgsLayoutExporter(council.layout).exportToImage(str(png), settings)
    assert result == QgsLayoutExporter.ExportResult.Success, result


def main(argv: list[str]) -> None:
    from qgis.core import QgsApplication

    work = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="geoplan_shots_"))
    work.mkdir(parents=True, exist_ok=True)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        done = (work / "demo" / "report" / "report.pdf").is_file() and (
            work / "scenario" / "report" / "report.pdf").is_file()
        run, scen = (work / "demo", work / "scenario") if done else _runs(work, "en")
        pdf = run / "report" / "report.pdf"
        render_page(pdf, 0, HERE / "report_page1.png")
        render_page(pdf, _page_with(pdf, "Safety index of the walking paths"),
                    HERE / "report_map_page.png")
        render_page(pdf, _page_with(pdf, "Kluuvi"), HERE / "report_areas_page.png")
        spdf = scen / "report" / "report.pdf"
        render_page(spdf, _page_with(spdf, "walking paths — change"),
                    HERE / "report_scenario_map_page.png")
        export_layout(run, HERE / "council_layout.png", "sv")
        export_layout(scen, HERE / "scenario_layout.png", "sv")
    finally:
        app.exitQgis()
    print(f"runs in {work}; screenshots in {HERE}")


if __name__ == "__main__":
    main(sys.argv[1:])
