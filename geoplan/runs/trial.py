"""Trying one proposal after another on a baseline loaded once: :func:`start_trials` keeps the
baseline (a run folder's saved baseline, or one prepared in Python) and :func:`run_trial`
applies a scenario, recomputes only the cells that can change and writes **only the cells and
area rows that changed** into ``OUT/geoplan.gpkg`` (issue #15: one more path shown in well under
a second on a 200,000-node network, where writing the whole grid takes many seconds).

Outputs of :func:`run_trial` — ``OUT/geoplan.gpkg``, replaced whole (atomically)
    ``grid_change``
        the columns of ``geoplan scenario run``'s ``grid_change`` (``cell_id``,
        ``<col>_before``/``_after``/``_change``), only for the cells where a value differs from
        the baseline (:func:`geoplan.scenario.changed.changed_cells`); styled diverging.
    ``areas_change``
        the same for the area rows that changed (the whole study area's row last).
    ``changes``
        the change table of ``geoplan scenario run`` (plain words, whole study area and areas).
    ``edits_lines``, ``edits_points``, ``edits_areas``
        the scenario's edits as drawn (:mod:`geoplan.outputs.edits`), those with rows.

With ``changes_csv=True`` the change table is also written as ``OUT/changes.csv`` (atomically;
the same columns as ``geoplan scenario run``'s, what the QGIS scenario panel shows).

The full layers after the scenario are in :attr:`TrialResult.layers`; for the complete outputs
(the whole ``grid``, network, ``changes.xlsx``, the report) run
:func:`geoplan.runs.scenario.run_scenario` with ``baseline=session.baseline``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from ..errors import ConfigError
from ..i18n import register_texts, tr
from ..scenario.change import change_table
from ..scenario.changed import area_summaries, changed_layers
from ..scenario.edits import apply_scenario
from ..scenario.recompute import Baseline, RecomputeStats, at_baseline_scale, recompute
from ..study import Layers
from ..types import Scenario
from . import folder as rf

__all__ = ["TRIAL_TEXTS", "TrialResult", "TrialSession", "run_trial", "start_trials"]

#: What a planner reads of a trial: its GeoPackage's title (QGIS's layer properties) and the
#: line ``geoplan scenario try`` prints per scenario.
TRIAL_TEXTS = {
    "trial_title": {"en": "{title} — {scenario} (only the cells and areas that change)"},
    "trial_done": {"en": "{name}: {cells} grid cells change ({seconds:.2f} s); written: {path}"},
}
register_texts(TRIAL_TEXTS)


@dataclass(frozen=True)
class TrialSession:
    """A baseline loaded once for many trials (:func:`start_trials`): the baseline, its area
    summaries (the whole study area's row; computed once), the run's title and language, and
    the run folder it was loaded from (never written into)."""

    baseline: Baseline
    areas: gpd.GeoDataFrame
    title: str = "geoplan"
    lang: str = "en"
    run_dir: Path | None = None  #: the run folder the baseline was loaded from


@dataclass(frozen=True)
class TrialResult:
    """What :func:`run_trial` wrote and computed: the GeoPackage, the ids of the cells that
    changed, the full layers after the scenario, the change table, the recompute statistics
    and the seconds of each step (``apply``, ``recompute``, ``changes``, ``write``)."""

    gpkg: Path
    cells: pd.Index
    layers: Layers
    changes: pd.DataFrame
    stats: RecomputeStats
    seconds: MappingProxyType


def start_trials(baseline, *, lang: str | None = None) -> TrialSession:
    """A :class:`TrialSession` on ``baseline``: a :class:`~geoplan.scenario.recompute.Baseline`,
    or the folder a ``geoplan run`` wrote (its saved baseline is loaded and checked,
    :func:`geoplan.runs.scenario.run_baseline`). ``lang``: of the texts written (default:
    the run's, else English).

    Examples
    --------
    >>> from geoplan.scenario import prepare_baseline
    >>> from geoplan.study import example_study
    >>> session = start_trials(prepare_baseline(example_study()), lang="sv")
    >>> session.areas["area"].tolist()
    ['__study_area__']
    """
    title, run_lang, run_dir = "geoplan", "en", None
    if not isinstance(baseline, Baseline):
        from .scenario import run_baseline

        run_dir = Path(baseline.path if isinstance(baseline, rf.RunFolder) else baseline)
        cfg, baseline = run_baseline(run_dir)
        title, run_lang = cfg.title, cfg.lang
    return TrialSession(baseline, area_summaries(baseline.layers), title, lang or run_lang,
                        run_dir)


def run_trial(session: TrialSession, scenario: Scenario, out_dir, *,
              changes_csv: bool = False) -> TrialResult:
    """Apply ``scenario`` to the session's baseline, recompute the cells that can change
    (exactly: :func:`~geoplan.scenario.recompute.recompute`) and write the changed cells and
    area rows into ``out_dir/geoplan.gpkg`` (module doc); nothing else in ``out_dir`` is touched
    but, with ``changes_csv=True``, ``out_dir/changes.csv`` (the change table, atomically).
    The run folder the session was loaded from is refused (:class:`~geoplan.errors.ConfigError`):
    its ``geoplan.gpkg`` is the baseline's.

    Examples
    --------
    >>> import tempfile, pyogrio, shapely
    >>> from geoplan.scenario import prepare_baseline
    >>> from geoplan.study import example_study
    >>> from geoplan.types import NewPath, Scenario
    >>> session = start_trials(prepare_baseline(example_study()))
    >>> path = shapely.LineString([(100, 0), (150, -30), (200, 0)])
    >>> s = Scenario("lit detour", (NewPath(path, lit=True),), crs=3006)
    >>> r = run_trial(session, s, tempfile.mkdtemp())
    >>> list(r.cells), r.stats.mode  # both cells gain a lit route to the school
    (['100mN0E0', '100mN0E1'], 'incremental')
    >>> pyogrio.read_dataframe(r.gpkg, layer="grid_change")["night_n_school_800m_change"].tolist()
    [1.0, 1.0]
    >>> import pandas as pd
    >>> r = run_trial(session, s, tempfile.mkdtemp(), changes_csv=True)
    >>> len(pd.read_csv(r.gpkg.parent / "changes.csv")) == len(r.changes)
    True
    """
    if session.run_dir is not None and Path(out_dir).resolve() == session.run_dir.resolve():
        raise ConfigError(f"{out_dir} is the run folder itself: give the trials a folder of "
                          "their own (e.g. out/trials)")
    base, clock = session.baseline, _Steps()
    with clock("apply"):
        applied = at_baseline_scale(base, apply_scenario(scenario, base.inputs))
    with clock("recompute"):
        after, stats = recompute(base, applied)
    with clock("changes"):
        grid_change, areas_change = changed_layers(base.layers, after, applied.inputs,
                                                   areas_before=session.areas)
        changes = change_table(base.layers, after, scenario=scenario.name,
                               inputs=applied.inputs, lang=session.lang)
    with clock("write"):
        gpkg = _write_trial(Path(out_dir), session, scenario, applied, after,
                            {rf.GRID_CHANGE: grid_change, rf.AREAS_CHANGE: areas_change,
                             rf.CHANGES: changes})
        if changes_csv:
            from ..atomic import write_text

            write_text(Path(out_dir) / rf.CHANGES_CSV, changes.to_csv(index=False))
    return TrialResult(gpkg, pd.Index(grid_change["cell_id"], name="cell_id"), after, changes,
                       stats, MappingProxyType(clock.seconds))


class _Steps:
    """Seconds per named step: ``with steps("write"): ...``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._name, self._t0 = "", 0.0

    def __call__(self, name: str) -> _Steps:
        self._name = name
        return self

    def __enter__(self) -> None:
        self._t0 = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.seconds[self._name] = time.perf_counter() - self._t0


def _write_trial(out: Path, session: TrialSession, scenario: Scenario, applied, after: Layers,
                 layers: dict) -> Path:
    """The trial's GeoPackage (module doc), styled, with the columns' labels as aliases."""
    from ..outputs.dictionary import data_dictionary, field_aliases
    from ..outputs.edits import edit_layers
    from ..outputs.gpkg import write_gpkg
    from .scenario import _change_styles

    lang = session.lang
    relit = after.network.geometry.values[applied.edge_relit]
    layers = {**layers, **edit_layers(scenario, after.network.crs, lit_paths=relit)}
    styles = _change_styles(layers[rf.GRID_CHANGE], layers[rf.AREAS_CHANGE], after,
                            session.baseline.layers, lang)
    styles.pop(rf.GRID, None)  # (no full grid in a trial)
    spec = applied.inputs.spec
    title = tr("trial_title", lang).format(title=session.title, scenario=scenario.name)
    meta = {"title": title, "scenario": scenario.name,
            "scenario_description": scenario.description, **dict(after.meta)}
    path = out / rf.GPKG
    write_gpkg(path, layers, styles=styles, metadata=meta, lang=lang,
               aliases=field_aliases(data_dictionary(layers, lang=lang, spec=spec)))
    return path
