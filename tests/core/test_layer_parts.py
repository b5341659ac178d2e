"""The one sequence of a study's attachments, green entries and routing graphs
(:func:`geoplan.study.layer_parts`): a scenario baseline prepared from given layers (no parts:
it makes them itself) holds the same parts as one prepared with the parts
:func:`~geoplan.study.compute_layers_with_parts` made, field by field.

Oracle: the parts made by the layers' own computation, compared exactly (arrays, sparse
matrices, frames)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from geoplan.scenario import prepare_baseline
from geoplan.study import compute_layers_with_parts, example_study, layer_parts


def _same(a, b, where: str) -> None:
    """``a`` and ``b`` equal to the last value (NaN equal to NaN)."""
    if sp.issparse(a):
        assert sp.issparse(b) and a.shape == b.shape and (a != b).nnz == 0, where
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, obj=where)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif dataclasses.is_dataclass(a):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert a == b or (a != a and b != b), where


@pytest.mark.parametrize("which", ["example", "synth3000"])
def test_a_baseline_without_parts_builds_the_same_parts_as_the_layers(which, request):
    study = example_study() if which == "example" else request.getfixturevalue(
        "synth_3000_study")
    layers, parts = compute_layers_with_parts(study)
    _same(layer_parts(study, layers.origins), parts, "layer_parts")
    with_parts = prepare_baseline(study, layers=layers, parts=parts)
    without = prepare_baseline(study, layers=layers)  # makes them itself
    for name in ("origin_att", "dest_att", "spaces", "entries", "day_graph", "night_graph",
                 "green_graph", "node_dist", "rf_day", "rf_night", "rf_green", "entry_keys"):
        _same(getattr(without, name), getattr(with_parts, name), name)
