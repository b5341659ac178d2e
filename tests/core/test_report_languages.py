"""Reports in several languages side by side, and the PDF's metadata (read back with pypdf)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest

from geoplan.outputs.report import write_report


@pytest.fixture(scope="module")
def sv_run(tmp_path_factory, demo_250_run) -> Path:
    """A copy (the tests write reports into it) of the session's Swedish demo run on a 250 m
    grid, titled "Språktest" (tests/conftest.py)."""
    out = tmp_path_factory.mktemp("langs") / "out"
    shutil.copytree(demo_250_run("sv", "Språktest")[0], out)
    return out


@pytest.fixture(scope="module")
def reports(sv_run) -> dict:
    """``{"sv": …, "da": …, "en": …}``: the run's own (Swedish) report, then a Danish and an
    English one beside it, written once in that order (each test only reads them)."""
    return {"sv": write_report(sv_run, dpi=50), "da": write_report(sv_run, lang="da", dpi=50),
            "en": write_report(sv_run, lang="en", dpi=50)}


def _first_page(pdf: Path) -> str:
    return pypdf.PdfReader(pdf).pages[1].extract_text()


def test_reports_in_two_languages_stay_side_by_side(sv_run, reports):
    own, da, en = reports["sv"], reports["da"], reports["en"]
    assert own.pdf == sv_run / "report" / "report.pdf"
    assert da.pdf == sv_run / "report_da" / "report.pdf"
    assert en.pdf == sv_run / "report_en" / "report.pdf"
    # each file still holds its own language after the others were written
    assert "Nyckeltal" in _first_page(own.pdf)
    assert "Nøgletal" in _first_page(da.pdf)
    assert "Key numbers" in _first_page(en.pdf)
    for result in (own, da, en):
        assert (result.folder / "maps").is_dir() and (result.folder / "tables.xlsx").is_file()


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_pdf_metadata_read_back(reports, lang):
    pdf = reports[lang].pdf
    reader = pypdf.PdfReader(pdf)
    meta = reader.metadata
    assert meta.title == "Språktest"
    assert meta.author == "geoplan"
    assert meta.subject and meta["/Keywords"]
    assert "OpenStreetMap" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == {"sv": "sv-SE", "da": "da-DK", "en": "en-GB"}[lang]
    # searchable text: the title is extractable from the first page
    assert "Språktest" in reader.pages[0].extract_text()
