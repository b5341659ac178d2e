"""The pipeline setting of the cycleway rule (issue 13 item 16): parsed, written back, passed to
the reader; and the reader's default by country."""

from __future__ import annotations

import pathlib

import pytest

from geoplan.config import parse_pipeline
from geoplan.errors import ConfigError


@pytest.mark.parametrize("text,want", [("", None), ("cycleways_walkable = false\n", False),
                                       ("cycleways_walkable = true\n", True)])
def test_cycleways_walkable_setting_is_parsed_and_written_back(text, want):
    from geoplan.config import dump_pipeline

    cfg = parse_pipeline(f'[input]\nosm = "demo"\n{text}', pathlib.Path("."))
    assert cfg.cycleways_walkable is want
    assert cfg.to_dict()["input"]["cycleways_walkable"] is want
    again = parse_pipeline(dump_pipeline(cfg), pathlib.Path("."))
    assert again.cycleways_walkable is want


def test_cycleways_walkable_must_be_a_boolean():
    with pytest.raises(ConfigError, match="cycleways_walkable"):
        parse_pipeline('[input]\nosm = "demo"\ncycleways_walkable = "yes"\n', pathlib.Path("."))


def test_the_default_follows_the_country_of_the_extract(helsinki_pbf, tmp_path):
    """The hand-made cycleway of a tiny extract is walked on in Malmö and not in Hamburg."""
    from geoplan.sources.osm import read_osm

    def extract(lon, lat):
        p = tmp_path / f"c{lon}.osm"
        p.write_text(
            "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
            f"<node id='1' version='1' lat='{lat}' lon='{lon}'/>\n"
            f"<node id='2' version='1' lat='{lat}' lon='{lon + 0.002}'/>\n"
            f"<node id='3' version='1' lat='{lat + 0.001}' lon='{lon}'/>\n"
            "<way id='10' version='1'><nd ref='1'/><nd ref='2'/>"
            "<tag k='highway' v='cycleway'/></way>\n"
            "<way id='11' version='1'><nd ref='1'/><nd ref='3'/>"
            "<tag k='highway' v='footway'/></way>\n</osm>\n", encoding="utf-8")
        return p

    malmo, hamburg = read_osm(extract(13.0, 55.6)), read_osm(extract(10.0, 53.55))
    assert set(malmo.ways["osm_id"]) == {10, 11} and malmo.notes["cycleways_without_foot_walked"] == 1
    assert set(hamburg.ways["osm_id"]) == {11}
    assert hamburg.notes["highway_not_walked:cycleway"] == 1
    assert set(read_osm(extract(10.0, 53.55), cycleways_walkable=True).ways["osm_id"]) == {10, 11}
