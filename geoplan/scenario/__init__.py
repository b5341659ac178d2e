"""Scenarios: edits applied to a study (:mod:`.edits`), the incremental recompute
(:mod:`.recompute`), what changed (:mod:`.change`) and the scenario file (:mod:`.io`).
Running a scenario from a pipeline and writing its outputs is :mod:`geoplan.runs.scenario`."""

from .change import CHANGE_EPS, HEADLINE, change_layers, change_table, headline_column
from .edits import AppliedScenario, apply_scenario, edit_labels
from .recompute import Baseline, RecomputeStats, prepare_baseline, recompute

__all__ = [
    "CHANGE_EPS",
    "HEADLINE",
    "AppliedScenario",
    "Baseline",
    "RecomputeStats",
    "apply_scenario",
    "change_layers",
    "change_table",
    "edit_labels",
    "headline_column",
    "prepare_baseline",
    "recompute",
]
