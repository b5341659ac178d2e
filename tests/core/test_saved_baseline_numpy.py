"""A saved baseline written by a Python with the other numpy (QGIS 3.40's numpy 1.26, the
command line's numpy 2) opens here and gives the same scenario as one made here; one that
cannot be read says it comes from other library versions, not that it is damaged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan import scenario as sc
from geoplan.errors import SavedBaselineError
from geoplan.runs.scenario import saved_baseline_reason
from geoplan.scenario.recompute import _MAGIC, _libraries, _stamp, load_baseline
from geoplan.study import example_study
from geoplan.types import NewPath, Scenario

ROOT = Path(__file__).resolve().parents[2]
#: the venv with the other numpy: the command line's (numpy 2) from the QGIS venv (numpy 1),
#: the QGIS venv from the command line's (both made by `make test`)
_VENVS = (ROOT / ".venv").resolve().parent
OTHER_PYTHON = _VENVS / (".venv-cli" if np.__version__.startswith("1.") else ".venv") / "bin" / "python"

_WRITE = """
import sys
import numpy
from geoplan.scenario import prepare_baseline
from geoplan.scenario.recompute import save_baseline
from geoplan.study import example_study
save_baseline(prepare_baseline(example_study()), sys.argv[1])
print(numpy.__version__)
"""


@pytest.mark.skipif(not OTHER_PYTHON.exists(), reason=f"no {OTHER_PYTHON} (make test makes it)")
def test_baseline_written_with_the_other_numpy_opens_and_gives_the_same_scenario(tmp_path):
    path = tmp_path / "scenario_baseline.pkl"
    done = subprocess.run([str(OTHER_PYTHON), "-c", _WRITE, str(path)], capture_output=True,
                          text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                    "HOME": str(tmp_path)}, timeout=300)
    assert done.returncode == 0, done.stderr
    other_numpy = done.stdout.split()[-1]
    assert other_numpy.split(".")[0] != np.__version__.split(".")[0]  # really the other numpy
    header = json.loads(path.read_bytes()[len(_MAGIC):].split(b"\n", 1)[0])
    assert header["written_with"]["numpy"] == other_numpy

    loaded = load_baseline(path)
    here = sc.prepare_baseline(example_study())
    pd.testing.assert_frame_equal(pd.DataFrame(loaded.layers.grid.drop(columns="geometry")),
                                  pd.DataFrame(here.layers.grid.drop(columns="geometry")))
    path_edit = Scenario("lit detour", (NewPath(shapely.LineString([(100, 0), (150, -30),
                                                                     (200, 0)]), lit=True),),
                         crs=3006)
    a = sc.recompute(loaded, sc.apply_scenario(path_edit, loaded.inputs))[0].grid
    b = sc.recompute(here, sc.apply_scenario(path_edit, here.inputs))[0].grid
    assert not a.drop(columns="geometry").equals(
        loaded.layers.grid.drop(columns="geometry"))  # the edit changes something
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")),
                                  pd.DataFrame(b.drop(columns="geometry")), rtol=1e-12)


def _file(path: Path, written_with: dict, body: bytes) -> Path:
    header = json.dumps({**_stamp({}), "written_with": written_with}, sort_keys=True).encode()
    path.write_bytes(_MAGIC + header + b"\n" + body)
    return path


def test_unreadable_baseline_from_other_libraries_says_so(tmp_path):
    other = {"numpy": "0.9.0", "pandas": "0.1.0", "python": "3.0"}
    p = _file(tmp_path / "b.pkl", other, b"\x80\x05not a pickle")
    with pytest.raises(SavedBaselineError) as err:
        load_baseline(p)
    assert err.value.reason == "libraries"
    text = str(err.value)
    assert "numpy 0.9.0" in text and f"numpy {np.__version__}" in text
    assert "damaged" not in text and "`geoplan run` again" in text
    assert saved_baseline_reason(err.value, "sv").startswith("det sparades av en Python med "
                                                             "andra versioner av numpy")
    assert "numpy" in saved_baseline_reason(err.value, "da")


def test_unreadable_baseline_from_these_libraries_is_damaged(tmp_path):
    p = _file(tmp_path / "b.pkl", _libraries(), b"\x80\x05not a pickle")
    with pytest.raises(SavedBaselineError) as err:
        load_baseline(p)
    assert err.value.reason == "damaged" and "is damaged" in str(err.value)


def test_header_that_is_not_a_json_object_is_damaged(tmp_path):
    p = tmp_path / "b.pkl"
    p.write_bytes(_MAGIC + b"[1, 2]\n" + b"\x80\x05not a pickle")
    with pytest.raises(SavedBaselineError) as err:
        load_baseline(p)
    assert err.value.reason == "damaged" and "not a JSON object" in str(err.value)
