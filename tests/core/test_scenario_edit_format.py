"""The scenario-edit format has one definition: geoplan.scenario.io (fields, defaults, reading a
record) on the constants of geoplan.types; the GeoPackage and the QGIS panel both use it."""

from __future__ import annotations

import pyogrio
import pytest
import shapely

from geoplan import types as gt
from geoplan.errors import ConfigError
from geoplan.scenario.io import (
    EDIT_FIELDS,
    EDIT_GEOMETRIES,
    edit_from_record,
    read_scenario,
    write_scenario,
)

SQUARE = shapely.box(0, 0, 50, 50)


def test_defaults_are_the_value_objects_defaults():
    assert gt.Densify(SQUARE, dwellings=1).persons_per_dwelling == gt.PERSONS_PER_DWELLING == 2.1
    assert gt.Densify(SQUARE, dwellings=1).persons_per_m2 == gt.PERSONS_PER_M2 == 1 / 42
    assert gt.Scenario("s").connect_within_m == gt.CONNECT_WITHIN_M == 15.0
    fields = {layer: {n: d for n, _, d in f} for layer, f in EDIT_FIELDS.items()}
    assert fields["densify"]["persons_per_dwelling"] == gt.PERSONS_PER_DWELLING
    assert fields["densify"]["persons_per_m2"] == gt.PERSONS_PER_M2


def test_written_layers_have_exactly_the_format_fields(tmp_path):
    s = gt.Scenario("all kinds", (
        gt.NewPath(shapely.LineString([(0, 0), (80, 0)])),
        gt.Lighting(lamps=(shapely.Point(5, 5),)),
        gt.Densify(SQUARE, dwellings=10),
        gt.NewGreen(SQUARE),
        gt.NewDestination(shapely.Point(1, 1), "school"),
    ), crs="EPSG:3006")
    path = tmp_path / "s.gpkg"
    write_scenario(s, path)
    for layer, fields in EDIT_FIELDS.items():
        info = pyogrio.read_info(path, layer=layer)
        assert set(info["fields"]) == {n for n, _, _ in fields}, layer
        assert info["geometry_type"] == EDIT_GEOMETRIES[layer], layer
    assert read_scenario(path).edits == s.edits


def test_empty_values_take_the_defaults():
    line = shapely.LineString([(0, 0), (10, 0)])
    p = edit_from_record("new_paths", {"geometry": line, "lit": None, "kind": "  ",
                                       "crossing": float("nan")})
    assert (p.lit, p.kind, p.crossing, p.name) == (True, "footway", "", "")
    d = edit_from_record("densify", {"geometry": SQUARE, "floor_area_m2": "4200",
                                     "persons_per_m2": ""})
    assert d.residents_added() == pytest.approx(100.0)
    g = edit_from_record("new_green", {"geometry": SQUARE})
    assert (g.public, g.kind) == (True, "park")


@pytest.mark.parametrize("lit, expected", [("ja", True), ("Nej", False), ("true", True),
                                           (0, False), ("yes", True)])
def test_yes_no_words(lit, expected):
    line = shapely.LineString([(0, 0), (10, 0)])
    assert edit_from_record("new_paths", {"geometry": line, "lit": lit}).lit is expected


def test_bad_values_say_what_to_fix():
    line = shapely.LineString([(0, 0), (10, 0)])
    with pytest.raises(ConfigError, match="lit must be yes/no"):
        edit_from_record("new_paths", {"geometry": line, "lit": "maybe"})
    with pytest.raises(ConfigError, match="dwellings must be a number"):
        edit_from_record("densify", {"geometry": SQUARE, "dwellings": "many"})
    with pytest.raises(ConfigError, match="unknown destination category"):
        edit_from_record("new_destinations", {"geometry": shapely.Point(0, 0)})
    with pytest.raises(ConfigError, match="not a layer of drawn edits"):
        edit_from_record("lit_paths", {})
