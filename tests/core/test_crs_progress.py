"""CRS choice per country, CRS sanity checks, and the progress/cancel protocol."""

from __future__ import annotations

import pytest

from geoplan.crs import check_coordinates_fit_crs, choose_crs
from geoplan.errors import Cancelled, CRSError
from geoplan.sources.osm import read_osm


@pytest.mark.parametrize(
    "place,lon,lat,epsg",
    [
        ("Rosengård, Malmö", 13.04, 55.58, 3006),
        ("Fittja, Botkyrka", 17.86, 59.25, 3006),
        ("Vivalla, Örebro", 15.17, 59.29, 3006),
        ("Køge", 12.18, 55.46, 25832),
        ("Copenhagen", 12.57, 55.68, 25832),
        ("Helsinki", 24.94, 60.17, 3067),
        ("Oslo", 10.75, 59.91, 25833),
        ("Berlin", 13.40, 52.52, 32633),
        ("Cape Town", 18.42, -33.92, 32734),
    ],
)
def test_national_crs(place, lon, lat, epsg):
    assert choose_crs(lon, lat).to_epsg() == epsg, place


def test_override_must_be_metric():
    assert choose_crs(13.0, 55.6, override=3006).to_epsg() == 3006
    with pytest.raises(CRSError, match="not a projected CRS"):
        choose_crs(13.0, 55.6, override="EPSG:4326")


def test_coordinate_sanity():
    check_coordinates_fit_crs((385000, 6671000, 386000, 6672000), 3067, "x")
    with pytest.raises(CRSError, match="look like metres"):
        check_coordinates_fit_crs((385000, 6671000, 386000, 6672000), 4326, "x")
    with pytest.raises(CRSError, match="no coordinate reference system"):
        check_coordinates_fit_crs((0, 0, 1, 1), None, "x")


class Recorder:
    def __init__(self, cancel_after: int | None = None):
        self.fractions: list[float] = []
        self.cancel_after = cancel_after

    def report(self, fraction, message=""):
        self.fractions.append(fraction)

    def is_cancelled(self):
        return self.cancel_after is not None and len(self.fractions) >= self.cancel_after


def test_progress_is_reported_and_monotonic(helsinki_pbf):
    from geoplan.inspect import inspect_osm

    rec = Recorder()
    inspect_osm(helsinki_pbf, progress=rec)
    assert len(rec.fractions) >= 5
    assert rec.fractions == sorted(rec.fractions) and rec.fractions[-1] == 1.0


def test_cancel_stops_the_read(helsinki_pbf):
    rec = Recorder(cancel_after=1)
    with pytest.raises(Cancelled):
        read_osm(helsinki_pbf, progress=rec)
