"""Safety-walk findings through a pipeline run and a scenario run: counts per cell and per area,
the optional index weight, and the change table's "open findings addressed"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geoplan.config import parse_pipeline
from geoplan.runs.pipeline import run_pipeline
from geoplan.runs.scenario import run_scenario
from geoplan.scenario.io import read_scenario
from geoplan.types import Lighting

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"


@pytest.fixture
def findings_csv(tmp_path):
    """Two open findings: a dark spot 3 m from the first lamp the demo scenario adds, and a
    hidden corner 500 m away (which lamps do not address); one fixed dark spot."""
    lamp = read_scenario(SCENARIO).of_type(Lighting)[0].lamps[0]
    rows = [
        {"kategori": "mörkt", "severity": 3, "date": "2026-10-01", "status": "open",
         "x": lamp.x + 3, "y": lamp.y},
        {"kategori": "hidden_corner", "severity": 2, "date": "2026-10-01", "status": "open",
         "x": lamp.x + 500, "y": lamp.y},
        {"kategori": "dark_spot", "severity": 1, "date": "2026-10-01", "status": "fixed",
         "x": lamp.x - 3, "y": lamp.y},
    ]
    p = tmp_path / "vandring.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def _cfg(tmp_path, csv, weight=0.0):
    return parse_pipeline(
        f'[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n'
        f'[safety_walk]\nfindings = "{csv}"\ncrs = "EPSG:3067"\nweight = {weight}\n', tmp_path)


def test_run_counts_findings_and_weight_is_optional(tmp_path, findings_csv, demo_250_run):
    plain = run_pipeline(_cfg(tmp_path, findings_csv), tmp_path / "a").layers.grid
    weighted = run_pipeline(_cfg(tmp_path, findings_csv, 0.2), tmp_path / "b").layers.grid
    assert plain["findings_open"].sum() == 2 and plain["findings_fixed"].sum() == 1
    assert plain["findings_severity_sum"].sum() == 5
    cell = plain.index[plain["findings_open_dark_spot"] > 0]
    assert len(cell) == 1
    # weight 0: the index is the one without findings; weight > 0: the finding's cell drops.
    # The run without findings is the session's shared demo run on 250 m cells (read only).
    base = demo_250_run()[1].layers.grid
    pd.testing.assert_series_equal(plain["safety_index"], base["safety_index"])
    assert weighted.loc[cell, "safety_index"].iat[0] < base.loc[cell, "safety_index"].iat[0]
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "a" / "geoplan.gpkg")}
    assert "findings" in layers


def test_scenario_counts_the_findings_it_addresses(tmp_path, findings_csv):
    cfg = _cfg(tmp_path, findings_csv)
    result = run_scenario(cfg, read_scenario(SCENARIO), tmp_path / "s")
    row = result.changes[result.changes["measure"] == "open_findings"].iloc[0]
    assert (row["before"], row["after"], row["change"]) == (2.0, 1.0, -1.0)
    addressed = pyogrio.read_dataframe(tmp_path / "s" / "geoplan.gpkg", layer="findings_addressed")
    assert addressed["category"].tolist() == ["dark_spot"]
    assert "open_findings" in (tmp_path / "s" / "changes.csv").read_text()


def test_a_trial_counts_the_findings_it_addresses_as_the_full_scenario_run(tmp_path,
                                                                          findings_csv):
    # oracle: the full scenario run from the same run folder (its change table and its
    # findings_addressed layer); the trial (what the QGIS panel's "Write only what changes"
    # runs) writes the same rows
    from geoplan.runs.trial import run_trial, start_trials

    run = tmp_path / "run"
    run_pipeline(_cfg(tmp_path, findings_csv), run)
    scen = read_scenario(SCENARIO)
    run_scenario(run, scen, tmp_path / "full")
    result = run_trial(start_trials(run), scen, tmp_path / "try", changes_csv=True)
    row = result.changes[result.changes["measure"] == "open_findings"].iloc[0]
    assert (row["before"], row["after"], row["change"]) == (2.0, 1.0, -1.0)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "try" / "changes.csv"),
                                  pd.read_csv(tmp_path / "full" / "changes.csv"),
                                  check_exact=False, rtol=1e-9, atol=1e-9)
    layer = "findings_addressed"
    pd.testing.assert_frame_equal(
        pyogrio.read_dataframe(tmp_path / "try" / "geoplan.gpkg", layer=layer),
        pyogrio.read_dataframe(tmp_path / "full" / "geoplan.gpkg", layer=layer))
