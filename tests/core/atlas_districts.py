"""Districts of the demo extract for atlas tests and screenshots: the Voronoi cells of the OSM
``place=suburb/neighbourhood`` nodes of central Helsinki (Kaartinkaupunki, Kluuvi, Keskusta …),
clipped to the extract's box. Derived from the extract itself with pyosmium and shapely (no
download); © OpenStreetMap contributors (ODbL)."""

from __future__ import annotations

import geopandas as gpd
import osmium
import shapely

from geoplan.datasets import demo_extract


def demo_districts() -> gpd.GeoDataFrame:
    """One polygon per named place node (columns ``code``, ``name``; EPSG:3067)."""
    path = str(demo_extract())
    b = osmium.io.Reader(path, osmium.osm.osm_entity_bits.NOTHING).header().box()
    box = shapely.box(b.bottom_left.lon, b.bottom_left.lat, b.top_right.lon, b.top_right.lat)
    names, pts = [], []
    for o in osmium.FileProcessor(path).with_filter(osmium.filter.KeyFilter("place")):
        if o.is_node() and o.tags.get("place") in ("suburb", "neighbourhood"):
            names.append(o.tags["name"])
            pts.append(shapely.Point(o.location.lon, o.location.lat))
    pts_m = gpd.GeoSeries(pts, crs=4326).to_crs(3067)
    box_m = gpd.GeoSeries([box], crs=4326).to_crs(3067).iloc[0]
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(pts_m)), extend_to=box_m).geoms
    geoms = [next(c for c in cells if c.contains(p)).intersection(box_m) for p in pts_m]
    return gpd.GeoDataFrame({"code": [f"D{i + 1}" for i in range(len(names))], "name": names},
                            geometry=geoms, crs=3067)


def districts_pipeline(folder, cell_size_m: int = 250) -> str:
    """Write ``districts.gpkg`` into ``folder``; the text of a demo pipeline summarising by it."""
    demo_districts().to_file(f"{folder}/districts.gpkg")
    return (f'[input]\nosm = "demo"\n[grid]\ncell_size_m = {cell_size_m}\n'
            '[areas]\npath = "districts.gpkg"\nkey_column = "code"\nname_column = "name"\n')
