"""Municipal lamp registers: CSV with coordinates and a CRS, or GeoPackage; augment or replace."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.errors import CRSError, InputFileError
from geoplan.inspect import inspect_osm
from geoplan.network import build_walk_network
from geoplan.sources.lamps import combine_lamps, read_lamp_register
from geoplan.sources.osm import read_osm


@pytest.fixture(scope="module")
def helsinki(helsinki_pbf):
    data = read_osm(helsinki_pbf)
    return data, build_walk_network(data)


@pytest.fixture(scope="module")
def dark_edges(helsinki):
    _, net = helsinki
    e = net.edges
    pick = e[(e["lit"] == "unknown") & (e["length_m"] > 60) & (e["lamp_share"] == 0)].head(5)
    assert len(pick) == 5
    return pick


def _lamps_along(edges, step_m=20.0):
    pts = []
    for g in edges.geometry:
        pts += [g.interpolate(d) for d in np.arange(0, g.length + 1e-9, step_m)]
    return gpd.GeoSeries(pts, crs=edges.crs)


def test_csv_register_lights_untagged_paths(helsinki, dark_edges, tmp_path, helsinki_pbf):
    data, _ = helsinki
    pts = _lamps_along(dark_edges)
    csv = tmp_path / "belysning.csv"
    pd.DataFrame({"armatur_id": range(len(pts)), "E": pts.x, "N": pts.y}).to_csv(csv, sep=";", index=False)
    reg = read_lamp_register(csv, crs="EPSG:3067", to_crs=data.crs, id_col="armatur_id")
    assert len(reg) == len(pts) and set(reg["source"]) == {"register"}
    assert reg["lamp_id"].iloc[0] == "register/0"
    lamps = combine_lamps(data.lamps, reg, area=data.area)
    net = build_walk_network(data, lamps=lamps)
    after = net.edges.loc[dark_edges.index]  # same input, same build: same edge ids
    assert (after[["u", "v"]].values == dark_edges[["u", "v"]].values).all()
    assert (after["lit"] == "yes").all() and (after["lit_source"] == "lamps").all()
    s = inspect_osm(helsinki_pbf, lamps_file=csv, lamps_crs="EPSG:3067")
    before = inspect_osm(helsinki_pbf)
    assert s.lamps_register == len(pts) and s.lamps_osm == 586
    # the summary's lit km grow by exactly the edges the new lamps lit (the five chosen ones and
    # neighbours within the lamp radius), measured inside the study area
    _, net_before = helsinki
    newly = (net_before.edges["lit"] != "yes").to_numpy() & (net.edges["lit"] == "yes").to_numpy()
    assert newly[dark_edges.index].all() and newly.sum() >= len(dark_edges)
    inside_km = shapely.length(shapely.intersection(net.edges.geometry.values[newly], data.area))
    assert s.lit_km - before.lit_km == pytest.approx(inside_km.sum() / 1000, rel=1e-9)


def test_gpkg_register_replace_mode(helsinki, dark_edges, tmp_path):
    data, _ = helsinki
    pts = _lamps_along(dark_edges).to_crs(3006)  # the register may be in another CRS
    p = tmp_path / "lamps.gpkg"
    gpd.GeoDataFrame({"id": range(len(pts))}, geometry=pts).to_file(p)
    reg = read_lamp_register(p, to_crs=data.crs)
    assert reg.crs == data.crs
    only = combine_lamps(data.lamps, reg, mode="replace")
    assert len(only) == len(pts) and set(only["source"]) == {"register"}


def test_duplicates_of_osm_lamps_are_merged(helsinki):
    data, _ = helsinki
    near = data.lamps.geometry.iloc[:10].translate(1.0, 1.0)  # the same 10 lamps, 1.4 m off
    reg = gpd.GeoDataFrame({"lamp_id": [f"r{i}" for i in range(10)], "source": "register"},
                           geometry=near.values, crs=data.crs)
    assert len(combine_lamps(data.lamps, reg)) == len(data.lamps)


def test_csv_in_wrong_crs_is_refused(helsinki, dark_edges, tmp_path):
    data, _ = helsinki
    pts = _lamps_along(dark_edges)
    csv = tmp_path / "lamps.csv"
    pd.DataFrame({"x": pts.x, "y": pts.y}).to_csv(csv, index=False)
    reg = read_lamp_register(csv, crs="EPSG:3006", to_crs=data.crs)  # really EPSG:3067
    with pytest.raises(InputFileError, match="register's CRS"):
        combine_lamps(data.lamps, reg, area=data.area)


def test_csv_lon_lat_labelled_metric(tmp_path, helsinki):
    data, _ = helsinki
    csv = tmp_path / "lamps.csv"
    pd.DataFrame({"lon": [24.94, 24.95], "lat": [60.17, 60.171]}).to_csv(csv, index=False)
    with pytest.raises(CRSError, match="look like degrees"):
        read_lamp_register(csv, crs="EPSG:3067", to_crs=data.crs)


def test_csv_errors_say_what_to_fix(tmp_path, helsinki):
    data, _ = helsinki
    csv = tmp_path / "lamps.csv"
    pd.DataFrame({"x": [1.0], "y": [2.0]}).to_csv(csv, index=False)
    with pytest.raises(InputFileError, match="lamps_crs"):
        read_lamp_register(csv, to_crs=data.crs)
    pd.DataFrame({"a": [1.0], "b": [2.0]}).to_csv(csv, index=False)
    with pytest.raises(InputFileError, match="x_col"):
        read_lamp_register(csv, crs=3067, to_crs=data.crs)
    pd.DataFrame({"x": ["385000", "oops"], "y": [6671000, 6671001]}).to_csv(csv, index=False)
    with pytest.raises(InputFileError, match="lines \\[3\\]"):
        read_lamp_register(csv, crs=3067, to_crs=data.crs)
    with pytest.raises(InputFileError, match="does not exist"):
        read_lamp_register(tmp_path / "nope.csv", crs=3067, to_crs=data.crs)
