"""One more trial path on a kept baseline, writing only what changed (issue #15):
:func:`geoplan.runs.trial.run_trial` on a synthetic municipality of ~3,000 nodes.

Oracle: ``compute_layers`` on the edited study (the full recompute) compared with the
baseline's grid in pandas, column by column: the cells where any value differs by more than
rounding are the rows the trial's GeoPackage holds (read back with pyogrio), and their
``_after`` values are the full recompute's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geoplan.runs.trial import run_trial, start_trials
from geoplan.scenario import apply_scenario
from geoplan.study import compute_layers
from geoplan.types import Densify, Lighting, NewPath, Scenario


@pytest.fixture(scope="module")
def session(synth_3000_baseline):
    return start_trials(synth_3000_baseline)


def _near_middle(base, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray]:
    xy = shapely.get_coordinates(base.inputs.network.nodes.geometry.values)
    mid = xy.mean(axis=0)
    a = xy[((xy - mid) ** 2).sum(axis=1).argmin()]
    return a, xy[(((xy - a - (dx, dy)) ** 2).sum(axis=1)).argmin()]


def _path(base) -> Scenario:
    a, b = _near_middle(base, 100, 100)
    return Scenario("path", (NewPath(shapely.LineString([a, b]), lit=True),),
                    crs=base.inputs.network.crs)


def _lamps(base) -> Scenario:
    a, b = _near_middle(base, -150, 50)
    return Scenario("lamps", (Lighting(lamps=(shapely.Point(a), shapely.Point(b))),),
                    crs=base.inputs.network.crs)


def _densify(base) -> Scenario:
    cells = base.inputs.cells
    c = cells[cells["pop"] > 0].iloc[len(cells[cells["pop"] > 0]) // 3]
    return Scenario("densify", (Densify(c.geometry.buffer(-10), dwellings=80),),
                    crs=base.inputs.network.crs)


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    num = frame.select_dtypes(include=["number", "bool"]).astype(float)
    return num.where(np.isfinite(num), np.nan)


def _differing_cells(before: pd.DataFrame, after: pd.DataFrame) -> set:
    """The oracle: cells where a numeric or yes/no value of the full recompute differs from the
    baseline by more than rounding (1e-9 relative, at least absolute), NaN equal to NaN."""
    a, b = _floats(after), _floats(before).reindex(index=after.index, columns=_floats(after).columns)
    same = np.isclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True)
    return set(after.index[~same.all(axis=1)])


@pytest.mark.parametrize("make", [_path, _lamps, _densify])
def test_the_trial_writes_exactly_the_cells_that_change(session, make, tmp_path):
    base = session.baseline
    scenario = make(base)
    result = run_trial(session, scenario, tmp_path)
    full = compute_layers(apply_scenario(scenario, base.inputs).inputs).grid
    expected = _differing_cells(base.layers.grid, full)
    assert expected  # each proposal changes something
    written = pyogrio.read_dataframe(tmp_path / "geoplan.gpkg", layer="grid_change")
    assert set(written["cell_id"]) == expected == set(result.cells)
    # the written values are the full recompute's and the baseline's
    w = written.set_index("cell_id")
    for col in ("pop", "dist_school_m", "night_dist_school_m", "lit_share", "safety_index",
                "green_m2_per_capita"):
        want = full.loc[w.index, col].astype(float)
        np.testing.assert_allclose(w[f"{col}_after"], want.where(np.isfinite(want)),
                                   rtol=1e-9, equal_nan=True)
        was = base.layers.grid.loc[w.index, col].astype(float)
        np.testing.assert_allclose(w[f"{col}_before"], was.where(np.isfinite(was)),
                                   rtol=1e-9, equal_nan=True)


def test_the_study_area_row_and_the_change_table(session, tmp_path):
    base = session.baseline
    scenario = _densify(base)
    run_trial(session, scenario, tmp_path)
    full = compute_layers(apply_scenario(scenario, base.inputs).inputs).grid
    areas = pyogrio.read_dataframe(tmp_path / "geoplan.gpkg", layer="areas_change")
    assert areas["area"].tolist() == ["__study_area__"]
    # residents: a sum over every cell, so the study area's row changes by the new residents
    assert areas["pop_after"].iloc[0] == pytest.approx(full["pop"].sum())
    assert areas["pop_change"].iloc[0] == pytest.approx(
        full["pop"].sum() - base.layers.grid["pop"].sum())
    table = pyogrio.read_dataframe(tmp_path / "geoplan.gpkg", layer="changes",
                                   read_geometry=False)
    res = table[(table["measure"] == "residents") & (table["area_key"] == "__study_area__")]
    assert res["after"].iloc[0] == pytest.approx(full["pop"].sum())


def test_a_trial_replaces_the_previous_trials_file_whole(session, tmp_path):
    base = session.baseline
    run_trial(session, _lamps(base), tmp_path)
    assert "edits_points" in pyogrio.list_layers(tmp_path / "geoplan.gpkg")[:, 0]
    run_trial(session, _path(base), tmp_path)
    layers = set(pyogrio.list_layers(tmp_path / "geoplan.gpkg")[:, 0])
    assert {"grid_change", "areas_change", "changes", "edits_lines"} <= layers
    assert "edits_points" not in layers  # the lamps of the previous trial are gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geoplan.gpkg"]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    """A `geoplan run` folder of the demo with 250 m cells (and its saved baseline). Read only."""
    from geoplan.config import parse_pipeline
    from geoplan.runs.pipeline import run_pipeline

    run = tmp_path_factory.mktemp("trial") / "run"
    run_pipeline(parse_pipeline('[input]\nosm = "demo"\n[grid]\ncell_size_m = 250', run), run)
    return run


def test_the_cli_tries_scenarios_on_a_run_folder_like_scenario_run(demo_run, tmp_path, capsys):
    # oracle: `geoplan scenario run` from the same run folder, whose grid_change holds every
    # cell: the cells where a before/after pair differs are the rows `scenario try` writes
    from geoplan.cli.main import main

    root, run = Path(__file__).resolve().parents[2], demo_run
    scen = root / "data" / "demo_scenario.gpkg"
    assert main(["scenario", "run", str(run), str(scen), "--out", str(tmp_path / "full")]) in (0, None)
    capsys.readouterr()
    rc = main(["scenario", "try", str(run), str(scen), "--out", str(tmp_path / "try"),
               "--lang", "sv"])
    assert rc in (0, None)
    assert "rutor ändras" in capsys.readouterr().out
    full = pyogrio.read_dataframe(tmp_path / "full" / "geoplan.gpkg", layer="grid_change")
    pairs = sorted({c[:-len("_before")] for c in full.columns if c.endswith("_before")})
    b = full[[f"{c}_before" for c in pairs]].astype(float).to_numpy()
    a = full[[f"{c}_after" for c in pairs]].astype(float).to_numpy()
    same = np.isclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True).all(axis=1)
    written = pyogrio.read_dataframe(tmp_path / "try" / "demo_scenario" / "geoplan.gpkg",
                                     layer="grid_change")
    assert set(written["cell_id"]) == set(full["cell_id"][~same]) != set()
    # two scenario files of the same name would write into the same folder: refused
    rc = main(["scenario", "try", str(run), str(scen), str(scen), "--out", str(tmp_path / "t2")])
    assert rc == 2


def test_a_trial_never_writes_into_its_run_folder(demo_run):
    from geoplan.errors import ConfigError

    run = demo_run
    before = (run / "geoplan.gpkg").read_bytes()
    session = start_trials(run)
    path = Scenario("p", (NewPath(shapely.LineString([(0, 0), (1, 1)]), lit=True),),
                    crs=session.baseline.inputs.network.crs)
    with pytest.raises(ConfigError, match="is the run folder itself"):
        run_trial(session, path, run)
    assert (run / "geoplan.gpkg").read_bytes() == before


def test_changes_csv_is_the_full_scenario_runs(demo_run, tmp_path):
    # oracle: `run_scenario` from the same run folder writes the whole change table as
    # changes.csv; the trial's (changes_csv=True, what the QGIS panel shows) equals it
    from geoplan.runs.scenario import run_scenario
    from geoplan.scenario.io import read_scenario

    scen = read_scenario(Path(__file__).resolve().parents[2] / "data" / "demo_scenario.gpkg")
    run_scenario(demo_run, scen, tmp_path / "full")
    run_trial(start_trials(demo_run), scen, tmp_path / "try", changes_csv=True)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "try" / "changes.csv"),
                                  pd.read_csv(tmp_path / "full" / "changes.csv"),
                                  check_exact=False, rtol=1e-9, atol=1e-9)
    assert sorted(p.name for p in (tmp_path / "try").iterdir()) == ["changes.csv", "geoplan.gpkg"]


class _Record:
    """A progress sink that records every report and, with ``stop_after``, asks to stop once
    a report passed that fraction (0.1: inside the recompute, past the trial's first step)."""

    def __init__(self, stop_after: float | None = None) -> None:
        self.seen: list[float] = []
        self.stop_after = stop_after

    def report(self, fraction: float, message: str = "") -> None:
        self.seen.append(fraction)

    def is_cancelled(self) -> bool:
        return self.stop_after is not None and any(f > self.stop_after for f in self.seen)


def test_a_trial_is_cancelled_inside_the_recompute_and_writes_nothing(session, tmp_path):
    from geoplan.errors import Cancelled

    progress = _Record(stop_after=0.1)
    with pytest.raises(Cancelled):
        run_trial(session, _path(session.baseline), tmp_path / "t", changes_csv=True,
                  progress=progress)
    assert 0.1 < progress.seen[-1] < 0.9  # stopped inside the recompute, before writing
    assert not (tmp_path / "t").exists() or not any((tmp_path / "t").iterdir())
    done = _Record()  # not cancelled: every step reported, up to 1
    run_trial(session, _path(session.baseline), tmp_path / "t", progress=done)
    assert done.seen[0] == 0.0 and done.seen[-1] == 1.0 and done.seen == sorted(done.seen)


def test_a_trial_refuses_a_folder_that_holds_a_full_scenario_run(demo_run, tmp_path):
    # the full run's changes.xlsx, scenario.json and data dictionary would stay beside a
    # trial's geoplan.gpkg and describe another result: refused, nothing touched
    from geoplan.errors import ConfigError
    from geoplan.runs.scenario import run_scenario
    from geoplan.scenario.io import read_scenario

    scen = read_scenario(Path(__file__).resolve().parents[2] / "data" / "demo_scenario.gpkg")
    full = tmp_path / "full"
    run_scenario(demo_run, scen, full)
    before = {p.name: p.read_bytes() for p in full.iterdir() if p.is_file()}
    with pytest.raises(ConfigError, match="holds a full scenario run .*a folder of its own"):
        run_trial(start_trials(demo_run), scen, full)
    assert {p.name: p.read_bytes() for p in full.iterdir() if p.is_file()} == before
    # a copy of a run folder (not the session's own) is refused too
    other = tmp_path / "other_run"
    other.mkdir()
    (other / "provenance.json").write_text("{}")
    with pytest.raises(ConfigError, match="holds a geoplan run"):
        run_trial(start_trials(demo_run), scen, other)
