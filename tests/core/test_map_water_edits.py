"""Water, place names and a scenario's drawn edits on the maps (issue 17, item 2).

Oracles: hand-drawn toy coastlines (which half of a 10 × 10 box is sea is written here), the
demo extract's coastline ways read with osmium and pyproj in the test (a point just right of a
coastline is sea, just left is land: OSM's rule), and the scenario file's own geometries read
with pyogrio and reprojected with geopandas, compared with what the map figure draws.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geoplan.config import parse_pipeline
from geoplan.outputs.maps import HEADLINE_MAPS, figure_texts, load_run, map_figure
from geoplan.sources.osm import read_context, sea_from_coastline

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"
BY_KEY = {s.key: s for s in HEADLINE_MAPS}
BOX = shapely.box(0, 0, 10, 10)


def _by_gid(fig, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


# --- the sea from coastline ways -------------------------------------------------------------
def test_sea_lies_right_of_the_coastline():
    east = shapely.LineString([(0, 5), (10, 5)])  # walking east, the right is south
    (sea,) = sea_from_coastline([east], BOX)
    assert sea.equals(shapely.box(0, 0, 10, 5))
    (sea,) = sea_from_coastline([east.reverse()], BOX)
    assert sea.equals(shapely.box(0, 5, 10, 10))


def test_an_island_is_land_in_the_sea():
    island = shapely.LinearRing([(4, 4), (6, 4), (6, 6), (4, 6)])  # anticlockwise: land inside
    (sea,) = sea_from_coastline([shapely.LineString(island.coords)], BOX)
    assert sea.area == pytest.approx(100 - 4)
    assert not sea.contains(shapely.Point(5, 5))


def test_a_coastline_ending_short_of_the_box_is_carried_to_its_edge():
    # an extract cut out of the planet ends its coastline just inside its box
    inner = shapely.LineString([(0.5, 5), (9.5, 5)])
    (sea,) = sea_from_coastline([inner], BOX)
    assert sea.equals(shapely.box(0, 0, 10, 5))
    assert sea_from_coastline([inner], BOX, reach_m=0.1) == []  # a stub cuts nothing


def test_the_demo_extract_has_the_sea_right_of_its_coastline(helsinki_pbf):
    import osmium
    from pyproj import Transformer

    tf = Transformer.from_crs(4326, 3067, always_xy=True)
    segments = []  # pieces between two nodes next to each other in a coastline way
    for w in osmium.FileProcessor(str(helsinki_pbf)).with_locations().with_filter(
            osmium.filter.TagFilter(("natural", "coastline"))):
        if w.is_way():
            locs = [n.location for n in w.nodes]
            segments += [(tf.transform(a.lon, a.lat), tf.transform(b.lon, b.lat))
                         for a, b in zip(locs[:-1], locs[1:], strict=True)
                         if a.valid() and b.valid()]
    long = [(np.array(a), np.array(b)) for a, b in segments if np.hypot(*np.subtract(b, a)) > 10]
    assert len(long) > 20
    # the region a run keeps context in: the extract's own box (its header)
    with osmium.io.Reader(str(helsinki_pbf), osmium.osm.osm_entity_bits.NOTHING) as r:
        b = r.header().box()
    corners = [tf.transform(b.bottom_left.lon, b.bottom_left.lat),
               tf.transform(b.top_right.lon, b.top_right.lat)]
    region = shapely.box(*corners[0], *corners[1])
    water, places = read_context(helsinki_pbf, crs=3067, region=region)
    sea = water[water["kind"] == "sea"].union_all()
    assert sea.area > 10_000  # Kaisaniemenlahti and the South Harbour
    right = left = 0
    for a, b in long:
        mid, d = (a + b) / 2, (b - a) / np.hypot(*(b - a))
        normal = np.array([d[1], -d[0]])  # to the right of the way's direction
        right += sea.contains(shapely.Point(*(mid + 3 * normal)))
        left += sea.contains(shapely.Point(*(mid - 3 * normal)))
    # piers and corners aside, the water is on the right and the land on the left
    assert right >= 0.9 * len(long) and left <= 0.1 * len(long)
    assert {"Kluuvi", "Kaisaniemi"} <= set(places["name"])


def test_a_run_of_part_of_the_extract_does_not_make_the_city_sea(helsinki_pbf):
    """A run of central Helsinki (a bbox, read with the default 1,200 m buffer) keeps context
    in a box larger than where the extract's coastline reaches: its cut-off ends said nothing,
    but the old rule read the side of the nearest one and called the whole city sea (the
    QGIS layouts then hid every cell under water). Oracle: the streets' nodes, read here with
    osmium, lie on land."""
    import osmium
    from pyproj import Transformer

    tf = Transformer.from_crs(4326, 3067, always_xy=True)
    bbox = shapely.box(24.935, 60.164, 24.953, 60.179)
    area = shapely.transform(bbox, lambda xy: np.column_stack(tf.transform(*xy.T)))
    region = shapely.box(*area.buffer(1200.0).bounds)  # as the run reads it (buffer_m)
    water, _ = read_context(helsinki_pbf, crs=3067, region=region)
    sea = water[water["kind"] == "sea"].union_all()
    xy = [tf.transform(n.location.lon, n.location.lat)
          for w in osmium.FileProcessor(str(helsinki_pbf)).with_locations().with_filter(
              osmium.filter.TagFilter(("highway", "residential"), ("highway", "pedestrian"),
                                      ("highway", "footway"))) if w.is_way()
          for n in w.nodes if n.location.valid()]
    pts = shapely.points(np.asarray(xy))
    pts = pts[shapely.contains(area, pts)]
    assert len(pts) > 500
    assert shapely.contains(sea, pts).mean() < 0.01


# --- a demo run and a scenario from it -------------------------------------------------------
@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from geoplan.runs.pipeline import run_pipeline
    from geoplan.runs.scenario import run_scenario
    from geoplan.scenario.io import read_scenario

    tmp = tmp_path_factory.mktemp("water_edits")
    cfg = parse_pipeline('[input]\nosm = "demo"\n[grid]\ncell_size_m = 100\n'
                         '[output]\nformats = ["gpkg"]\n', tmp)
    run_pipeline(cfg, tmp / "run")
    run_scenario(tmp / "run", read_scenario(SCENARIO), tmp / "scenario")
    return tmp / "run", tmp / "scenario"


def test_a_run_keeps_water_and_places_styled_with_aliases(runs):
    run_dir, _ = runs
    layers = dict(pyogrio.list_layers(run_dir / "geoplan.gpkg"))
    assert {"water", "places"} <= set(layers)
    water = pyogrio.read_dataframe(run_dir / "geoplan.gpkg", layer="water")
    assert "sea" in set(water["water_kind"]) and water.area.sum() > 10_000
    styles = pyogrio.read_dataframe(run_dir / "geoplan.gpkg", layer="layer_styles")
    assert {"water", "places"} <= set(styles["f_table_name"])
    import pandas as pd

    words = pd.read_csv(run_dir / "data_dictionary.csv")
    row = words[(words["layer"] == "water") & (words["column"] == "water_kind")]
    assert row["label"].iloc[0].startswith("Kind of water")


@pytest.mark.parametrize("lang, word", [("en", "water"), ("sv", "vatten"), ("da", "vand")])
def test_the_maps_draw_the_sea_with_a_legend_entry(runs, lang, word):
    run = load_run(runs[0])
    fig = map_figure(run, BY_KEY["safety_index"], lang=lang)
    water = [a for a in _by_gid(fig, "water") if a.axes is fig.axes[0]]
    assert len(water) == 1
    drawn = sum(shapely.Polygon(p.vertices).area for p in water[0].get_paths())
    assert drawn == pytest.approx(run.water.area.sum(), rel=0.02)  # no holes in the demo's
    assert word in figure_texts(fig)
    assert {t.get_text() for t in _by_gid(fig, "place_name")} & {"KLUUVI", "KAISANIEMI"}


def _scenario_file(run_crs) -> dict:
    """The scenario file's geometries, reprojected by geopandas (the oracle)."""
    out = {}
    for layer in ("new_paths", "new_lamps", "densify"):
        g = pyogrio.read_dataframe(SCENARIO, layer=layer)
        out[layer] = gpd.GeoSeries(g.geometry.values, crs=g.crs).to_crs(run_crs)
    return out


def test_the_scenario_keeps_its_edits_in_the_run_crs(runs):
    _, scen = runs
    gpkg = scen / "geoplan.gpkg"
    lines = pyogrio.read_dataframe(gpkg, layer="edits_lines")
    points = pyogrio.read_dataframe(gpkg, layer="edits_points")
    areas = pyogrio.read_dataframe(gpkg, layer="edits_areas")
    want = _scenario_file(lines.crs)
    new = lines[lines["edit_kind"] == "new_path"].geometry.values
    assert len(new) == 1 and new[0].equals_exact(want["new_paths"].iloc[0], 1e-6)
    assert (lines["edit_kind"] == "lit_path").any()  # the edges the lamps light
    lamps = points[points["edit_kind"] == "lamp"]
    np.testing.assert_allclose(sorted(shapely.get_coordinates(lamps.geometry).tolist()),
                               sorted(shapely.get_coordinates(want["new_lamps"]).tolist()))
    assert areas["dwellings"].tolist() == [300.0]
    assert areas.geometry.iloc[0].equals_exact(want["densify"].iloc[0], 1e-6)
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert {"edits_lines", "edits_points", "edits_areas"} <= set(styles["f_table_name"])


@pytest.mark.parametrize("lang, words", [("en", ("new path", "new lamp")),
                                         ("sv", ("ny gångväg", "ny gatlampa")),
                                         ("da", ("ny sti", "ny gadelampe"))])
def test_the_scenario_maps_draw_the_edits_on_top(runs, lang, words):
    run = load_run(runs[1])
    want = _scenario_file(run.grid.crs)
    fig = map_figure(run, BY_KEY["loses_school_at_night"], lang=lang, variant="change")
    (path,) = _by_gid(fig, "edit_new_path")
    (seg,) = path.get_segments()
    np.testing.assert_allclose(seg, shapely.get_coordinates(want["new_paths"].iloc[0]))
    (lamps,) = _by_gid(fig, "edit_lamp")
    np.testing.assert_allclose(sorted(map(tuple, lamps.get_offsets())),
                               sorted(map(tuple, shapely.get_coordinates(want["new_lamps"]))))
    (dens,) = _by_gid(fig, "edit_densify")
    drawn = shapely.Polygon(dens.get_paths()[0].vertices)
    assert drawn.symmetric_difference(want["densify"].iloc[0]).area < 1e-3
    cells_z = max(c.get_zorder() for c in fig.axes[0].collections if len(c.get_paths()) > 50)
    assert min(a.get_zorder() for a in (path, lamps, dens)) > cells_z
    assert set(words) <= set(figure_texts(fig))
    before = map_figure(run, BY_KEY["loses_school_at_night"], lang=lang, variant="before")
    assert not _by_gid(before, "edit_new_path")  # the before map shows what is there today
