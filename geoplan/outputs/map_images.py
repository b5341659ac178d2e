"""Large map layers drawn as images: a municipality's grid cells, paths and buildings.

A map of a few thousand shapes is drawn as vectors (one path per cell, building or path). Above
:data:`IMAGE_MIN_SHAPES` shapes, drawing and saving every one of them took most of a
municipality report's time (800,000 ``Path`` objects for six maps, rendered again for the PDF).
There:

* the grid's cells are one image of their class colours (:class:`CellImage`): the cells are a
  regular grid, so each cell is a block of pixels, aligned with the cell's edges;
* the context layers (water, buildings, the walk network) and a lighting map's paths are
  rendered once into an image of the map's pixel size (:func:`layer_image`), and the context
  image is reused by every map of the same run and extent (:func:`geoplan._memo.once_per`);
* the study area's union is computed once per grid.

The PNG and the PDF of a map then show the same images: nothing is rendered twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._memo import once_per

#: a layer (grid cells; context paths and buildings together) of more shapes than this is drawn
#: as an image; the small demo's maps stay vector
IMAGE_MIN_SHAPES = 5000


def study_union(g):
    """The union of the grid ``g``'s cells, computed once per grid.

    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> study_union(g).area, study_union(g) is study_union(g)
    (2.0, True)
    """
    return once_per(g, "union", lambda: g.geometry.union_all())


def _rgba(colour, alpha: float = 1.0) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.round(np.array(to_rgba(colour, alpha)) * 255).astype(np.uint8)


@dataclass(frozen=True)
class CellLattice:
    """Where each cell of a regular grid lies in an image, ``scale`` pixels a side per cell:
    ``row``/``col`` per cell (row 0 at the top), the image's ``shape`` in pixels and the cells'
    ``extent``. Found once per grid (:func:`cells_for`) and shared by the :class:`CellImage` of
    every map of that grid: each map paints pixels of its own.

    Examples
    --------
    >>> import shapely
    >>> lat = CellLattice.of([shapely.box(0, 0, 100, 100), shapely.box(100, 100, 200, 200)])
    >>> lat.row.tolist(), lat.col.tolist(), lat.shape, lat.extent
    ([1, 0], [0, 1], (2, 2), (0.0, 200.0, 0.0, 200.0))
    >>> CellLattice.of([shapely.box(0, 0, 100, 100), shapely.box(150, 0, 250, 100)]) is None
    True
    """

    row: np.ndarray
    col: np.ndarray
    extent: tuple[float, float, float, float]
    scale: int
    shape: tuple[int, int]

    @classmethod
    def of(cls, geoms, scale: int = 1) -> CellLattice | None:
        """The lattice of ``geoms`` if they are squares of one size on one lattice, else None."""
        import shapely

        b = shapely.bounds(np.asarray(geoms, dtype=object))
        size = b[:, 2] - b[:, 0]
        if not len(b) or not np.isfinite(b).all() or size[0] <= 0:
            return None
        s = size[0]
        x0, y0 = b[:, 0].min(), b[:, 1].min()
        col, row = (b[:, 0] - x0) / s, (b[:, 1] - y0) / s
        icol, irow = np.rint(col).astype(int), np.rint(row).astype(int)
        if (not np.allclose(size, s) or not np.allclose(b[:, 3] - b[:, 1], s)
                or not np.allclose(col, icol, atol=1e-6) or not np.allclose(row, irow, atol=1e-6)
                or not np.allclose(shapely.area(np.asarray(geoms, dtype=object)), s * s)):
            return None
        nrow, ncol = int(irow.max()) + 1, int(icol.max()) + 1
        extent = tuple(float(v) for v in (x0, x0 + ncol * s, y0, y0 + nrow * s))
        row = nrow - 1 - irow
        for a in (row, icol):
            a.flags.writeable = False  # shared by the images of every map of the grid
        return cls(row, icol, extent, int(scale), (nrow * scale, ncol * scale))

    def image(self) -> CellImage:
        """A blank (transparent) :class:`CellImage` on this lattice."""
        return CellImage(self.row, self.col, self.extent, self.scale,
                         np.zeros((*self.shape, 4), dtype=np.uint8))


@dataclass(frozen=True)
class CellImage:
    """The cells of a regular grid as an RGBA image, ``scale`` pixels a side per cell.

    ``row``/``col`` are each cell's place (row 0 at the top; a :class:`CellLattice`'s, shared),
    :meth:`paint` colours cells, :meth:`show` puts the image on a map at the cells' own extent.

    Examples
    --------
    >>> import shapely
    >>> cells = CellImage.of([shapely.box(0, 0, 100, 100), shapely.box(100, 100, 200, 200)])
    >>> cells.paint(np.array([True, False]), "#ff0000")
    >>> cells.pixels[..., 0].tolist()  # the lower-left cell red, the other cell not painted
    [[0, 0], [255, 0]]
    >>> cells.extent
    (0.0, 200.0, 0.0, 200.0)
    """

    row: np.ndarray
    col: np.ndarray
    extent: tuple[float, float, float, float]
    scale: int
    pixels: np.ndarray

    @classmethod
    def of(cls, geoms, scale: int = 1) -> CellImage | None:
        """A blank image of ``geoms`` if they are squares of one size on one lattice, else
        None (:meth:`CellLattice.of`)."""
        lattice = CellLattice.of(geoms, scale)
        return None if lattice is None else lattice.image()

    def __len__(self) -> int:
        return len(self.row)

    def _blocks(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.scale
        di, dj = np.divmod(np.arange(k * k), k)
        r = (self.row[mask][:, None] * k + di[None, :]).ravel()
        c = (self.col[mask][:, None] * k + dj[None, :]).ravel()
        return r, c

    def paint(self, mask: np.ndarray, colour, *, edge: str = "#ffffff",
              hatch: str | None = None, hatch_colour: str = "#424242") -> None:
        """Colour the cells of ``mask``; a coloured ``edge`` (not white) as each cell's top and
        left pixel line when a cell is three pixels or more a side (so that white "no data"
        cells show); with ``hatch`` only diagonal lines over the cells."""
        r, c = self._blocks(np.asarray(mask, dtype=bool))
        if hatch:
            line = (r + c) % 4 == 0
            self.pixels[r[line], c[line]] = _rgba(hatch_colour)
            return
        if colour != "none":
            self.pixels[r, c] = _rgba(colour)
        if edge not in ("none", "#ffffff") and self.scale >= 3:
            line = (r % self.scale == 0) | (c % self.scale == 0)
            self.pixels[r[line], c[line]] = _rgba(edge)

    def show(self, ax, z: float = 2.0):
        """Put the image on ``ax`` over the cells' extent (gid ``cells``)."""
        return ax.imshow(self.pixels, extent=self.extent, origin="upper", zorder=z,
                         interpolation="none", gid="cells", aspect="equal")


def cells_for(g, n_min: int | None = None) -> CellImage | None:
    """A blank :class:`CellImage` of the grid ``g`` when it has more than ``n_min`` cells on one
    lattice (four pixels a side per cell while the image stays under ~1,000 cells a side, so a
    hatch shows), else None (drawn as vectors). The lattice is found once per grid, however
    many maps draw it; each call gives pixels of its own.

    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)])
    >>> cells_for(g) is None, cells_for(g, n_min=2).pixels.shape
    (True, (4, 12, 4))
    >>> a, b = cells_for(g, n_min=2), cells_for(g, n_min=2)
    >>> a.row is b.row, a.pixels is b.pixels  # one lattice, two images
    (True, False)
    """
    if g is None or len(g) <= (IMAGE_MIN_SHAPES if n_min is None else n_min):
        return None
    lattice = once_per(g, "cell lattice", lambda: _lattice_of(g))
    return None if lattice is None else lattice.image()


def _lattice_of(g) -> CellLattice | None:
    """:func:`cells_for`'s lattice of the grid ``g``, or None (not one lattice)."""
    b = g.geometry.total_bounds
    side = max(b[2] - b[0], b[3] - b[1]) / max(np.sqrt(g.geometry.area.median()), 1e-9)
    return CellLattice.of(g.geometry.values, scale=int(np.clip(1000 // max(side, 1), 1, 4)))


def layer_image(ax, draw, *, dpi: float) -> np.ndarray:
    """Render what ``draw(ax2)`` adds to a transparent twin of ``ax`` (same extent, same size in
    pixels at ``dpi``) and return it as an RGBA array.

    >>> from matplotlib.figure import Figure
    >>> ax = Figure(figsize=(2, 1)).add_axes((0, 0, 1, 1))
    >>> _ = ax.set_xlim(0, 200), ax.set_ylim(0, 100)
    >>> px = layer_image(ax, lambda twin: twin.plot([0, 200], [50, 50], lw=4), dpi=50)
    >>> px.shape, bool(px[25, 50, 3] > 0), int(px[5, 50, 3])  # the line, nothing above it
    ((50, 100, 4), True, 0)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    ax.apply_aspect()
    pos = ax.get_position()
    w_in, h_in = ax.figure.get_size_inches()
    fig = Figure(figsize=(pos.width * w_in, pos.height * h_in), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    fig.patch.set_alpha(0.0)
    twin = fig.add_axes((0, 0, 1, 1))
    twin.set_axis_off()
    twin.set_xlim(ax.get_xlim())
    twin.set_ylim(ax.get_ylim())
    twin._geoplan_lang = getattr(ax, "_geoplan_lang", "en")
    draw(twin)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def show_image(ax, pixels: np.ndarray, *, z: float, gid: str):
    """Put a :func:`layer_image` on ``ax`` over its extent.

    >>> from matplotlib.figure import Figure
    >>> ax = Figure(figsize=(2, 1)).add_axes((0, 0, 1, 1))
    >>> _ = ax.set_xlim(0, 200), ax.set_ylim(0, 100)
    >>> im = show_image(ax, np.zeros((50, 100, 4), np.uint8), z=3, gid="paths")
    >>> [float(v) for v in im.get_extent()], im.get_gid(), [float(v) for v in ax.get_xlim()]
    ([0.0, 200.0, 0.0, 100.0], 'paths', [0.0, 200.0])
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return ax.imshow(pixels, extent=(x0, x1, y0, y1), origin="upper", zorder=z,
                     interpolation="none", gid=gid, aspect="equal")
