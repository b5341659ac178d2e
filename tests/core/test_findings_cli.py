"""`geoplan safety-walk template|import`, as ``geoplan.cli.main`` registers them."""

from __future__ import annotations

import doctest
from pathlib import Path

import pyogrio
import pytest

import geoplan.cli.findings as cli_findings
from geoplan.cli import main as main_cli
from geoplan.sources.findings import read_findings

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "demo_findings.csv"


@pytest.fixture
def geoplan_main():
    """``geoplan.cli.main.main``: the safety-walk group is registered on the real group."""
    assert main_cli.cli.commands["safety-walk"] is cli_findings.safety_walk
    return main_cli.main


def test_doctests():
    assert doctest.testmod(cli_findings).failed == 0


def test_template_command(geoplan_main, tmp_path, capsys):
    out = tmp_path / "trygghetsvandring.gpkg"
    assert geoplan_main(["safety-walk", "template", str(out), "--lang", "sv",
                         "--crs", "EPSG:3006"]) == 0
    assert "written:" in capsys.readouterr().out
    assert pyogrio.read_info(out, layer="findings")["crs"] == "EPSG:3006"


def test_import_command_normalises(geoplan_main, tmp_path, capsys):
    out = tmp_path / "walk.gpkg"
    rc = geoplan_main(["safety-walk", "import", str(DEMO_CSV), "--crs", "EPSG:4326",
                       "--to-crs", "EPSG:3067", "--out", str(out), "--lang", "da"])
    text = capsys.readouterr().out
    assert rc == 0, text
    f = read_findings(out)
    assert f.crs.to_epsg() == 3067 and len(f) == 30
    assert text.startswith(f"30 findings ({(f['status'] == 'open').sum()} open")


def test_import_lists_every_bad_row_and_exits_2(geoplan_main, tmp_path, capsys):
    p = tmp_path / "walk.csv"
    p.write_text("kategori;allvarlighet;datum;lon;lat\n"
                 "mörkt;3;2024-10-03;24.9450;60.1700\n"
                 "mörkt;5;2024-10-03;24.9451;60.1701\n"
                 "hål;2;2024-10-03;24.9452;60.1702\n", encoding="utf-8")
    out = tmp_path / "walk.gpkg"
    assert geoplan_main(["safety-walk", "import", str(p), "--crs", "EPSG:4326",
                         "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 3: severity 5 is not 1, 2 or 3" in err and "row 4: category 'hål'" in err
    assert "Traceback" not in err and not out.exists()
    assert geoplan_main(["safety-walk", "import", str(p), "--crs", "EPSG:4326",
                         "--out", str(out), "--skip-bad-rows"]) == 0
    cap = capsys.readouterr()
    assert "warning: left out row 3: severity 5" in cap.err
    assert cap.out.startswith("1 findings (1 open, 0 fixed; 2 rows left out)")
    assert len(read_findings(out)) == 1


def test_import_without_crs_says_how(geoplan_main, tmp_path, capsys):
    assert geoplan_main(["safety-walk", "import", str(DEMO_CSV), "--out",
                         str(tmp_path / "x.gpkg")]) == 2
    assert "--crs" in capsys.readouterr().err
