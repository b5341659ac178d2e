"""A building mapped as ``building=yes`` with a shop, office or amenity on it is that place, not
homes (the Oodi library held 212 "residents"). Oracle: the tags read back with osmium."""

from __future__ import annotations

from osm_fixture import way_ids_where


def _names_other_use(t: dict) -> bool:
    return t.get("building") == "yes" and "building:use" not in t and (
        any(k in t for k in ("shop", "office", "craft"))
        or t.get("amenity") not in (None, "social_facility", "nursing_home", "retirement_home"))


def test_shops_offices_and_amenities_mapped_on_buildings_house_nobody(helsinki_study,
                                                                       helsinki_pbf):
    from geoplan.population import residential_floor_area

    data, net, cells, origins = helsinki_study
    ids = way_ids_where(helsinki_pbf, _names_other_use)
    b = data.buildings
    hit = b[b["osm_id"].isin(ids)]
    assert len(hit) >= 5, len(hit)
    assert set(hit["use"]) == {"non_residential"}
    assert float(residential_floor_area(hit).sum()) == 0.0
    assert 596937289 in set(hit["osm_id"])  # Helsinki Central Library Oodi
