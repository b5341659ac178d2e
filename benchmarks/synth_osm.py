"""A municipality-like ``.osm.pbf`` for the municipality benchmark (no download).

:func:`write_municipality` writes, with pyosmium's writer, a town of about ``n_nodes`` nodes on
walkable ways, deterministic for a given ``(n_nodes, seed)``, around Uppsala (SWEREF99 TM is
chosen for it):

* a jittered street grid (blocks ``block_m`` apart, three shape nodes on every block side, so
  the network build has degree-2 chains to merge): every 8th street ``primary``, every 5th a
  ``footway``, the rest ``residential``; streets cut into ways of three blocks whose ``lit`` is
  ``yes`` / ``no`` / absent at random (so some neighbouring ways merge and some do not), a few
  ways in tunnels or on bridges;
* footways across every third block, joining the middle nodes of its two long sides;
* street lamps beside half of the ways without ``lit``;
* one building per block (apartments, houses, commercial, some with a shop on the ground floor;
  ``building:levels`` on most of them), parks on every 25th block;
* destinations of the 8 benchmark categories as nodes (school, kindergarten, supermarket,
  bus stop, clinic, library, pitch, playground).

And :func:`write_pipeline` writes a TOML pipeline for it shaped like ``pipelines/demo.toml``.

Usage::

    .venv/bin/python benchmarks/synth_osm.py 20000 work/muni_20k.osm.pbf
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from pyproj import Transformer

X0, Y0 = 648_000.0, 6_636_000.0  # Uppsala, SWEREF99 TM
#: way nodes per street-grid intersection: itself, 3 + 3 shape nodes, 1/3 of a block footway
NODES_PER_CROSSING = 7 + 1 / 3
#: destinations: (tags, one per how many blocks)
POIS = (
    ({"amenity": "school", "name": "Skola"}, 160),
    ({"amenity": "kindergarten"}, 55),
    ({"shop": "supermarket"}, 50),
    ({"amenity": "clinic"}, 120),
    ({"amenity": "library"}, 500),
    ({"leisure": "pitch"}, 50),
    ({"leisure": "playground"}, 33),
)
_LIT = {  # highway -> (values, probabilities) of the lit tag ("" = no tag)
    "primary": (("yes", "no", ""), (0.85, 0.05, 0.10)),
    "residential": (("yes", "no", ""), (0.40, 0.15, 0.45)),
    "footway": (("yes", "no", ""), (0.30, 0.10, 0.60)),
}
_BUILDINGS = (("apartments", 0.55), ("house", 0.30), ("commercial", 0.10), ("yes", 0.05))


class _Town:
    """Nodes (id, x, y, tags) and ways (id, refs, tags) as they are made."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.xy: list[tuple[float, float]] = []
        self.node_tags: dict[int, dict] = {}
        self.ways: list[tuple[list[int], dict]] = []

    def node(self, x: float, y: float, tags: dict | None = None) -> int:
        self.xy.append((x, y))
        nid = len(self.xy)
        if tags:
            self.node_tags[nid] = tags
        return nid

    def way(self, refs: list[int], tags: dict) -> None:
        self.ways.append((refs, tags))


def _street_tags(t: _Town, highway: str, name: str) -> dict:
    values, p = _LIT[highway]
    tags = {"highway": highway, "name": name}
    lit = t.rng.choice(values, p=p)
    if lit:
        tags["lit"] = str(lit)
    r = t.rng.random()
    if highway == "footway" and r < 0.01:
        tags.update(tunnel="yes", layer="-1")
    elif r < 0.005:
        tags.update(bridge="yes", layer="1")
    return tags


def _street(t: _Town, crossings: np.ndarray, highway: str, name: str, lamps: list) -> None:
    """One street through ``crossings`` (node ids): three shape nodes per block, cut into ways
    of three blocks."""
    refs = [int(crossings[0])]
    for a, b in zip(crossings[:-1], crossings[1:], strict=True):
        (xa, ya), (xb, yb) = t.xy[a - 1], t.xy[b - 1]
        for f in (0.25, 0.5, 0.75):
            refs.append(t.node(xa + f * (xb - xa), ya + f * (yb - ya)))
        refs.append(int(b))
    for s in range(0, len(refs) - 1, 12):
        part = refs[s:s + 13]
        tags = _street_tags(t, highway, name)
        t.way(part, tags)
        if "lit" not in tags and t.rng.random() < 0.5:
            lamps.extend(part[1::3])


def _streets(t: _Town, grid: np.ndarray, lamps: list) -> dict:
    """Streets along rows and columns; returns the middle node of every block side
    ``{(i, j, 'h'|'v'): node}``."""
    k = grid.shape[0]
    first = len(t.xy) + 1
    for i in range(k):
        hw = "primary" if i % 8 == 0 else "footway" if i % 5 == 2 else "residential"
        _street(t, grid[i, :], hw, f"Gata {i}", lamps)
    for j in range(k):
        hw = "primary" if j % 8 == 4 else "footway" if j % 5 == 2 else "residential"
        _street(t, grid[:, j], hw, f"Väg {j}", lamps)
    # the middle shape node of block side (i, j)-(i, j+1) is the 2nd of its three
    mids = {}
    nid = first
    for i in range(k):
        for j in range(k - 1):
            mids[(i, j)] = nid + 1
            nid += 3
    return mids


def _block_paths(t: _Town, k: int, mids: dict) -> None:
    for i in range(k - 1):
        for j in range(k - 1):
            if (i + j) % 3 == 0:
                a, b = mids[(i, j)], mids[(i + 1, j)]
                (xa, ya), (xb, yb) = t.xy[a - 1], t.xy[b - 1]
                m = t.node((xa + xb) / 2 + 3.0, (ya + yb) / 2)
                t.way([a, m, b], _street_tags(t, "footway", ""))


def _polygon(t: _Town, cx: float, cy: float, half_m: float, tags: dict) -> None:
    ring = [t.node(cx + dx * half_m, cy + dy * half_m)
            for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    t.way(ring + ring[:1], tags)


def _building_tags(t: _Town) -> dict:
    kinds, p = zip(*_BUILDINGS, strict=True)
    tags = {"building": str(t.rng.choice(kinds, p=p))}
    if t.rng.random() < 0.8:
        tags["building:levels"] = str(int(t.rng.integers(1, 7)))
    elif t.rng.random() < 0.5:
        tags["height"] = f"{t.rng.integers(4, 20)}"
    if tags["building"] == "apartments" and t.rng.random() < 0.05:
        tags["shop"] = "convenience"
    return tags


def _blocks(t: _Town, grid_xy: np.ndarray, block_m: float) -> None:
    """A park or a building in every block, and the destinations."""
    k = grid_xy.shape[0]
    n_block = 0
    for i in range(k - 1):
        for j in range(k - 1):
            cx = (grid_xy[i, j, 0] + grid_xy[i, j + 1, 0]) / 2 + block_m / 4
            cy = (grid_xy[i, j, 1] + grid_xy[i + 1, j, 1]) / 2 + block_m / 4
            n_block += 1
            if n_block % 25 == 0:
                _polygon(t, cx - block_m / 4, cy - block_m / 4, block_m * 0.3,
                         {"leisure": "park", "name": f"Park {n_block}"})
                continue
            _polygon(t, cx, cy, 9.0, _building_tags(t))
            for tags, every in POIS:
                if t.rng.random() < 1.0 / every:
                    t.node(cx - 20.0, cy - 15.0, dict(tags))
    for i in range(0, k, 8):  # bus stops along the primary streets
        for j in range(0, k - 1, 4):
            x, y = grid_xy[i, j] + (block_m / 2, 4.0)
            t.node(x, y, {"highway": "bus_stop", "name": f"Hållplats {i}/{j}"})


def _town(n_nodes: int, seed: int, block_m: float) -> _Town:
    t = _Town(seed)
    k = max(3, int(round(np.sqrt(n_nodes / NODES_PER_CROSSING))))
    jit = t.rng.uniform(-0.08, 0.08, size=(k, k, 2)) * block_m
    ii, jj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    grid_xy = np.stack([X0 + jj * block_m, Y0 + ii * block_m], axis=-1) + jit
    grid = np.array([t.node(x, y) for x, y in grid_xy.reshape(-1, 2)]).reshape(k, k)
    lamps: list[int] = []
    mids = _streets(t, grid, lamps)
    _block_paths(t, k, mids)
    for nid in lamps:
        x, y = t.xy[nid - 1]
        t.node(x + 4.0, y + 4.0, {"highway": "street_lamp"})
    _blocks(t, grid_xy, block_m)
    return t


def write_municipality(path, n_nodes: int, *, seed: int = 0, block_m: float = 100.0) -> dict:
    """Write the town to ``path`` (``.osm.pbf``); returns its sizes.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.osm.pbf"
    >>> s = write_municipality(p, 2000)
    >>> s["way_nodes"] > 1500, s["ways"] > 100
    (True, True)
    """
    import osmium

    t = _town(n_nodes, seed, block_m)
    xy = np.asarray(t.xy)
    lon, lat = Transformer.from_crs(3006, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    header = osmium.io.Header()
    header.add_box(osmium.osm.Box(osmium.osm.Location(lon.min() - 0.001, lat.min() - 0.001),
                                  osmium.osm.Location(lon.max() + 0.001, lat.max() + 0.001)))
    path = Path(path)
    path.unlink(missing_ok=True)
    mut = osmium.osm.mutable
    with osmium.SimpleWriter(str(path), header=header) as w:
        for nid in range(1, len(xy) + 1):
            w.add_node(mut.Node(id=nid, version=1, location=(lon[nid - 1], lat[nid - 1]),
                                tags=t.node_tags.get(nid, {})))
        for wid, (refs, tags) in enumerate(t.ways, start=1):
            w.add_way(mut.Way(id=wid, version=1, nodes=refs, tags=tags))
    walk = {r for refs, tags in t.ways if "highway" in tags for r in refs}
    return {"nodes": len(xy), "way_nodes": len(walk), "ways": len(t.ways),
            "lamps": sum(1 for v in t.node_tags.values() if v.get("highway") == "street_lamp")}


PIPELINE = """# geoplan pipeline for the synthetic municipality {name} (benchmarks/synth_osm.py)
version = 1

[input]
osm = "{osm}"

[lighting]
lamp_radius_m = 25
min_lit_share = 0.3

[grid]
cell_size_m = 100

[population]
source = "buildings"

[access]
radii_m = [400, 800, 1200]

[night]
unknown_as = "dark"

[output]
name = "{name}"
title = "synthetic municipality {name}"
lang = "sv"
formats = ["gpkg", "tif"]
"""


def write_pipeline(path, osm_path) -> Path:
    """A pipeline TOML for the town at ``osm_path`` (relative to the TOML's folder)."""
    path, osm_path = Path(path), Path(osm_path)
    path.write_text(PIPELINE.format(name=osm_path.name.split(".")[0], osm=osm_path.name),
                    encoding="utf-8")
    return path


if __name__ == "__main__":
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    print(write_municipality(out, n))
    print(write_pipeline(out.with_name(out.name.split(".")[0] + ".toml"), out))
