"""Every PDF geoplan writes carries title, author, subject and language (issue 17, item 6); the
report's tables never split a header mid-word and its footer never runs into the page number.

Oracle: pypdf reads the files back (metadata, the catalogue's /Lang, the text as laid out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geoplan.config import dump_pipeline, parse_pipeline

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDFs back")

AUTHOR = "Malmö stad, Stadsbyggnadskontoret"


def test_the_pipeline_keeps_the_report_author(tmp_path):
    cfg = parse_pipeline(f'[input]\nosm = "demo"\n[report]\nauthor = "{AUTHOR}"\n', tmp_path)
    assert cfg.author == AUTHOR
    again = parse_pipeline(dump_pipeline(cfg), tmp_path)
    assert again.author == AUTHOR and again == cfg
    assert parse_pipeline('[input]\nosm = "demo"\n', tmp_path).author == ""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    from geoplan.runs.pipeline import run_pipeline

    tmp = tmp_path_factory.mktemp("pdfmeta")
    cfg = parse_pipeline('[input]\nosm = "demo"\nbbox = [24.940, 60.166, 24.950, 60.172]\n'
                         '[grid]\ncell_size_m = 250\n[output]\nformats = ["gpkg"]\n'
                         'title = "Kluuvi"\nlang = "sv"\n'
                         f'[report]\nauthor = "{AUTHOR}"\n', tmp)
    run_pipeline(cfg, tmp / "run")
    return tmp / "run"


def test_report_and_map_pdfs_carry_author_title_subject_language(run_dir):
    from geoplan.outputs.report import write_report

    result = write_report(run_dir, dpi=60)
    report = pypdf.PdfReader(result.pdf)
    assert report.metadata.author == AUTHOR and report.metadata.title == "Kluuvi"
    assert report.metadata.subject
    assert str(report.trailer["/Root"].get("/Lang", "")).lower().startswith("sv")
    for m in result.maps:
        meta = pypdf.PdfReader(m.pdf).metadata
        assert meta.author == AUTHOR and meta.title == m.title and meta.subject == "Kluuvi"
        assert "svenska" in meta.get("/Keywords", "")


def test_geoplan_report_author_overrides_the_pipeline(run_dir):
    from click.testing import CliRunner

    from geoplan.cli.main import cli

    done = CliRunner().invoke(cli, ["report", str(run_dir), "--lang", "da", "--dpi", "60",
                                    "--author", "Københavns Kommune"])
    assert done.exit_code == 0, done.output
    pdf = run_dir / "report_da" / "report.pdf"
    assert pypdf.PdfReader(pdf).metadata.author == "Københavns Kommune"
    maps = sorted((run_dir / "report_da" / "maps").glob("*.pdf"))
    assert maps and pypdf.PdfReader(maps[0]).metadata.author == "Københavns Kommune"


def _pdf_text(flowables, tmp_path: Path) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    path = tmp_path / "t.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(flowables)
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_a_narrow_table_header_never_splits_a_word(tmp_path):
    from geoplan.outputs.report import _styles, _table

    header = ["Område", "Invånare", "Trygghetsindex (medel över invånarna)", "Grönyta"]
    rows = [header, ["Rosengård", "1 200", "71", "84 %"]]
    text = _pdf_text([_table(rows, _styles(), 260.0)], tmp_path)  # 61 pt a column
    words = set(text.split())
    assert {"Invånare", "Trygghetsindex", "invånarna)", "Grönyta"} <= words
