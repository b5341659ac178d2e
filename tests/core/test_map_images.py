"""A municipality's maps draw their large layers as images (issue 15, item 3): the grid's cells
as one image of the class colours, the context (buildings, paths) rendered once per run and
shared by its maps.

Oracles: the same map drawn as vectors (the image threshold raised), cell places and pixel
positions worked out here from the toy grid's coordinates, and hand-written confidence flags."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba

from geoplan.outputs import map_images
from geoplan.outputs.map_images import CellImage
from geoplan.outputs.maps import HEADLINE_MAPS, RunData, map_figure

CRS = "EPSG:3006"
BY_KEY = {s.key: s for s in HEADLINE_MAPS}
SIDE = 80  # 6,400 cells of 100 m: above map_images.IMAGE_MIN_SHAPES


def _big_run() -> RunData:
    """An 80 × 80 grid; some cells without a value, without residents or of low confidence;
    5,100 buildings in the lower-left quarter and 100 paths in the lower half."""
    i, j = np.divmod(np.arange(SIDE * SIDE), SIDE)
    rng = np.random.default_rng(1)
    safety = rng.uniform(0, 100, len(i))
    safety[::37] = np.nan
    grid = gpd.GeoDataFrame(
        {"cell_id": [f"c{k}" for k in range(len(i))],
         "pop": np.where(np.arange(len(i)) % 41 == 0, 0.0, 10.0),
         "safety_index": safety, "dist_grocery_m": rng.uniform(0, 2000, len(i)),
         "data_confidence": np.where(i < 10, 0.2, 0.9)},
        geometry=shapely.box(j * 100.0, i * 100.0, j * 100.0 + 100, i * 100.0 + 100), crs=CRS)
    bx, by = np.divmod(np.arange(5100), 60)
    buildings = gpd.GeoDataFrame(geometry=shapely.box(bx * 40.0, by * 40.0, bx * 40.0 + 20,
                                                      by * 40.0 + 20), crs=CRS)
    network = gpd.GeoDataFrame({"lit": ["yes"] * 100}, geometry=[
        shapely.LineString([(0, y), (SIDE * 50.0, y)]) for y in np.linspace(0, 3900, 100)],
        crs=CRS)
    return RunData(Path("."), grid=grid, buildings=buildings, network=network)


def _image(fig, gid: str):
    (im,) = [a for a in fig.axes[0].get_images() if a.get_gid() == gid]
    return im


def _cell_colours(fig) -> dict[tuple[float, float], np.ndarray]:
    """Fill colour of every cell the vector map draws, by the cell's lower-left corner."""
    out = {}
    for coll in fig.axes[0].collections:
        if not isinstance(coll, PathCollection) or coll.get_zorder() != 2:
            continue
        colours = np.atleast_2d(coll.get_facecolor())
        for k, path in enumerate(coll.get_paths()):
            x0, y0 = path.vertices.min(axis=0)
            out[(round(x0), round(y0))] = colours[k % len(colours)]
    return out


@pytest.mark.parametrize("key", ["safety_index", "dist_grocery_m"])
def test_cells_image_has_the_colours_of_the_vector_map(monkeypatch, key):
    run = _big_run()
    im = _image(map_figure(run, BY_KEY[key], dpi=50), "cells")
    cells = _image(map_figure(run, BY_KEY[key], dpi=50), "cells")  # drawn again: same colours
    assert np.array_equal(im.get_array(), cells.get_array())
    monkeypatch.setattr(map_images, "IMAGE_MIN_SHAPES", 10**9)
    vector = _cell_colours(map_figure(run, BY_KEY[key], dpi=50))
    assert len(vector) == SIDE * SIDE
    px = np.asarray(im.get_array())
    k = px.shape[0] // SIDE  # pixels a side per cell
    assert k == 4
    assert im.get_extent() == [0.0, SIDE * 100.0, 0.0, SIDE * 100.0]
    for (x0, y0), colour in vector.items():
        row, col = SIDE - 1 - y0 // 100, x0 // 100  # row 0 is the top of the image
        inside = px[row * k + 1, col * k + 2]  # off the edge line and the hatch's diagonals
        np.testing.assert_allclose(inside / 255, colour, atol=1 / 255 + 1e-9)


def test_low_confidence_cells_are_hatched_in_the_image_and_only_they():
    run = _big_run()
    px = np.asarray(_image(map_figure(run, BY_KEY["safety_index"], dpi=50), "cells").get_array())
    k = px.shape[0] // SIDE
    dark = np.all(px == np.array(to_rgba("#424242")) * 255, axis=-1)
    per_cell = dark.reshape(SIDE, k, SIDE, k).any(axis=(1, 3))[::-1]  # row 0 = lowest cells
    values = run.grid["safety_index"].to_numpy().reshape(SIDE, SIDE)
    low = np.zeros((SIDE, SIDE), dtype=bool)
    low[:10] = True  # the ten lowest rows have data_confidence 0.2
    assert np.array_equal(per_cell, low & np.isfinite(values))


def test_context_is_rendered_once_per_run_and_shared_by_its_maps(monkeypatch):
    from geoplan.outputs import maps

    rendered = []

    def counted(ax, draw, *, dpi):  # the real renderer, counted
        rendered.append(dpi)
        return map_images.layer_image(ax, draw, dpi=dpi)

    monkeypatch.setattr(maps, "layer_image", counted)
    run = _big_run()
    figs = [map_figure(run, BY_KEY[k], dpi=50) for k in ("pop", "dist_grocery_m", "pop")]
    assert len(rendered) == 2  # buildings (with water) and paths, once for the three maps
    shared = [_image(f, "water_buildings_image").get_array() for f in figs]
    assert np.array_equal(shared[0], shared[1])
    assert not [c for c in figs[0].axes[0].collections if c.get_gid() == "buildings"]
    ax = figs[0].axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    px = np.asarray(shared[0])
    h, w = px.shape[:2]

    def alpha(x, y):
        return px[int((y1 - y) / (y1 - y0) * h), int((x - x0) / (x1 - x0) * w), 3]

    assert alpha(10, 10) > 0  # a building's 20 m square (0..20 m) at 50 dpi: a pixel or more
    assert alpha(7000, 7000) == 0  # upper right: no building
    map_figure(run, BY_KEY["pop"], dpi=100)  # another resolution: rendered again
    assert rendered == [50, 50, 100, 100]


def test_cells_not_on_one_lattice_are_not_an_image():
    boxes = [shapely.box(0, 0, 100, 100), shapely.box(150, 0, 250, 100)]
    assert CellImage.of(boxes) is None  # off the lattice by half a cell
    assert CellImage.of([shapely.box(0, 0, 100, 100), shapely.box(100, 0, 300, 200)]) is None
    assert CellImage.of([shapely.box(0, 0, 100, 100), shapely.box(0, 100, 100, 200)]) is not None


def test_the_cell_lattice_is_found_once_per_report_and_each_map_paints_its_own(monkeypatch):
    # the lattice (each cell's place in the image) is the grid's, whatever map draws it: found
    # once for all the maps of a run, also for a scenario's change layer without geometry
    # (joined to the grid's squares once); every map paints pixels of its own
    found = []
    of = map_images.CellLattice.of.__func__

    def counted(cls, geoms, scale=1):  # the real lattice, counted
        found.append(len(geoms))
        return of(cls, geoms, scale)

    monkeypatch.setattr(map_images.CellLattice, "of", classmethod(counted))
    run = _big_run()
    first = _image(map_figure(run, BY_KEY["safety_index"], dpi=50), "cells").get_array()
    other = _image(map_figure(run, BY_KEY["dist_grocery_m"], dpi=50), "cells").get_array()
    again = _image(map_figure(run, BY_KEY["safety_index"], dpi=50), "cells").get_array()
    assert found == [SIDE * SIDE]
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    g = run.grid
    change = pd.DataFrame({"cell_id": g["cell_id"], "pop_before": g["pop"],
                           "pop_after": g["pop"] + 1.0, "pop_change": 1.0})
    scen = RunData(Path("."), grid=g, grid_change=change)
    for variant in ("before", "after", "change"):
        map_figure(scen, BY_KEY["pop"], variant=variant, dpi=50)
    assert found == [SIDE * SIDE] * 2  # the change layer on the squares: one lattice more
