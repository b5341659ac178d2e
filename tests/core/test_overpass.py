"""The opt-in Overpass path, offline: a recorded-shape Overpass JSON response becomes an .osm.pbf
that read_osm reads like any extract; the default path never touches the network."""

from __future__ import annotations

import pytest

from geoplan.sources.osm import read_osm
from geoplan.sources.overpass import download_osm, overpass_json_to_pbf, overpass_query

RESPONSE = {
    "version": 0.6,
    "elements": [
        {"type": "node", "id": 1, "lat": 55.5800, "lon": 13.0400},
        {"type": "node", "id": 2, "lat": 55.5800, "lon": 13.0420},
        {"type": "node", "id": 3, "lat": 55.5810, "lon": 13.0420},
        {"type": "node", "id": 4, "lat": 55.5805, "lon": 13.0410,
         "tags": {"highway": "street_lamp"}},
        {"type": "node", "id": 5, "lat": 55.5806, "lon": 13.0411,
         "tags": {"amenity": "library", "name": "Rosengårds bibliotek"}},
        {"type": "way", "id": 10, "nodes": [1, 2, 3], "tags": {"highway": "footway", "lit": "yes"}},
    ],
}


def test_overpass_json_becomes_an_extract(tmp_path):
    p = overpass_json_to_pbf(RESPONSE, tmp_path / "rosengard.osm.pbf")
    data = read_osm(p)
    assert data.crs.to_epsg() == 3006
    assert data.ways["osm_id"].tolist() == [10]
    assert len(data.lamps) == 1
    assert data.destinations["category"].tolist() == ["library"]


def test_query_asks_for_every_key_geoplan_reads():
    q = overpass_query((13.0, 55.6, 13.1, 55.7))
    for key in ("highway", "building", "leisure", "amenity", "shop"):
        assert f'nwr["{key}"](55.6000000,13.0000000,55.7000000,13.1000000);' in q


def test_cached_download_needs_no_network(tmp_path):
    import hashlib

    bbox = (13.0, 55.6, 13.1, 55.7)
    key = hashlib.sha256(overpass_query(bbox).encode()).hexdigest()[:16]
    overpass_json_to_pbf(RESPONSE, tmp_path / "overpass" / f"{key}.osm.pbf")
    out = download_osm(bbox, out=tmp_path / "copy.osm.pbf", cache_dir=tmp_path)
    assert read_osm(out).ways["osm_id"].tolist() == [10]


def test_uncached_download_fails_cleanly(tmp_path, monkeypatch):
    import osmnx as ox

    from geoplan.errors import InputFileError

    # a closed local port stands in for an unreachable server; no rate-limit probe (it waits 60 s)
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)

    with pytest.raises(InputFileError, match="Overpass download failed"):
        download_osm((13.0, 55.6, 13.1, 55.7), cache_dir=tmp_path)
