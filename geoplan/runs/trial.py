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
the same columns as ``geoplan scenario run``'s, what the QGIS scenario panel shows). When the
run's pipeline has a safety walk (``[safety_walk]``), the change table ends, as the full
scenario run's does, with the open findings the proposal addresses, and the GeoPackage holds
them (``findings_addressed``).

``OUT`` is refused when it holds the files of a run or of a full scenario run
(:func:`check_trial_folder`): the trial would replace their ``geoplan.gpkg`` and leave the rest
(``changes.xlsx``, ``scenario.json``, the report) describing another result.

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
from ..progress import Progress, report, scaled
from ..scenario.change import change_table
from ..scenario.changed import area_summaries, changed_layers
from ..scenario.edits import apply_scenario
from ..scenario.recompute import Baseline, RecomputeStats, at_baseline_scale, recompute
from ..study import Layers
from ..types import Scenario
from . import folder as rf

__all__ = ["FULL_RUN_FILES", "TRIAL_TEXTS", "TrialResult", "TrialSession", "check_trial_folder",
           "run_trial", "start_trials"]

#: Files that only a baseline run or a full scenario run writes (never a trial): a folder
#: holding one of them is not a trial's (:func:`check_trial_folder`).
FULL_RUN_FILES = (rf.PROVENANCE, rf.SCENARIO_JSON, rf.CHANGES_XLSX, rf.SCENARIO_BASELINE)

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
    summaries (the whole study area's row; computed once), the run's title and language, the
    run folder it was loaded from (never written into) and the run's pipeline (its safety
    walk's findings are the ones a trial addresses)."""

    baseline: Baseline
    areas: gpd.GeoDataFrame
    title: str = "geoplan"
    lang: str = "en"
    run_dir: Path | None = None  #: the run folder the baseline was loaded from
    #: the run's :class:`~geoplan.config.model.PipelineConfig`, when known
    config: object | None = None


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


def start_trials(baseline, *, lang: str | None = None, config=None,
                 run_dir=None) -> TrialSession:
    """A :class:`TrialSession` on ``baseline``: a :class:`~geoplan.scenario.recompute.Baseline`,
    or the folder a ``geoplan run`` wrote (its saved baseline is loaded and checked,
    :func:`geoplan.runs.scenario.run_baseline`; its pipeline is the ``config``).

    Parameters
    ----------
    baseline
        A prepared or loaded baseline, or a run folder (path or
        :class:`~geoplan.runs.folder.RunFolder`).
    lang
        Of the texts written (default: the run's, else English).
    config
        The run's :class:`~geoplan.config.model.PipelineConfig` for a ``baseline`` loaded
        elsewhere (the QGIS session's kept one): its title, language and safety walk.
    run_dir
        The run folder a ``baseline`` loaded elsewhere comes from (trials never write there).

    Examples
    --------
    >>> from geoplan.scenario import prepare_baseline
    >>> from geoplan.study import example_study
    >>> session = start_trials(prepare_baseline(example_study()), lang="sv")
    >>> session.areas["area"].tolist()
    ['__study_area__']
    """
    if not isinstance(baseline, Baseline):
        from .scenario import run_baseline

        run_dir = Path(baseline.path if isinstance(baseline, rf.RunFolder) else baseline)
        config, baseline = run_baseline(run_dir)
    title = "geoplan" if config is None else config.title
    run_lang = "en" if config is None else config.lang
    return TrialSession(baseline, area_summaries(baseline.layers), title, lang or run_lang,
                        None if run_dir is None else Path(run_dir), config)


def check_trial_folder(out_dir, session: TrialSession | None = None) -> Path:
    """``out_dir`` as a :class:`~pathlib.Path` when a trial may write there: not the session's
    run folder, and no folder that holds a run's or a full scenario run's files
    (:data:`FULL_RUN_FILES`), which the trial's ``geoplan.gpkg`` would no longer match.

    Raises
    ------
    ConfigError
        Naming the folder, the file found and what to do.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_trial_folder(d) == d
    True
    >>> _ = (d / "scenario.json").write_text("{}")
    >>> check_trial_folder(d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoplan.errors.ConfigError: ... holds a full scenario run (scenario.json): ...
    """
    out = Path(out_dir)
    if session is not None and session.run_dir is not None and (
            out.resolve() == session.run_dir.resolve()):
        raise ConfigError(f"{out} is the run folder itself: give the trials a folder of "
                          "their own (e.g. out/trials)")
    found = [n for n in FULL_RUN_FILES if (out / n).is_file()]
    if found:
        what = "a geoplan run" if rf.PROVENANCE in found or rf.SCENARIO_BASELINE in found \
            else "a full scenario run"
        raise ConfigError(
            f"{out} holds {what} ({found[0]}): a trial would replace its {rf.GPKG} and "
            f"leave its other files describing another result: give the trial a folder of its "
            f"own (e.g. {out.parent / (out.name + '_trials')}), or delete {out} first")
    return out


def run_trial(session: TrialSession, scenario: Scenario, out_dir, *,
              changes_csv: bool = False, progress: Progress | None = None) -> TrialResult:
    """Apply ``scenario`` to the session's baseline, recompute the cells that can change
    (exactly: :func:`~geoplan.scenario.recompute.recompute`) and write the changed cells and
    area rows into ``out_dir/geoplan.gpkg`` (module doc); nothing else in ``out_dir`` is touched
    but, with ``changes_csv=True``, ``out_dir/changes.csv`` (the change table, atomically).
    The run folder the session was loaded from, and a folder holding a run or a full scenario
    run, are refused (:func:`check_trial_folder`). ``progress`` is told each step and may
    cancel (:class:`~geoplan.errors.Cancelled`) until the writing starts; a cancelled trial
    writes nothing.

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
    out = check_trial_folder(out_dir, session)
    base, clock = session.baseline, _Steps()
    report(progress, 0.0, f"applying scenario {scenario.name}")
    with clock("apply"):
        applied = at_baseline_scale(base, apply_scenario(scenario, base.inputs))
    with clock("recompute"):
        after, stats = recompute(base, applied, progress=scaled(progress, 0.1, 0.8))
    report(progress, 0.8, "changed cells and areas")
    with clock("changes"):
        grid_change, areas_change = changed_layers(base.layers, after, applied.inputs,
                                                   areas_before=session.areas)
        changes = change_table(base.layers, after, scenario=scenario.name,
                               inputs=applied.inputs, lang=session.lang, session=True)
        addressed = None
        if getattr(session.config, "safety_walk", None) is not None:
            from .scenario import findings_addressed_by, findings_change_rows

            addressed = findings_addressed_by(session.config, applied)
            changes = pd.concat([changes, findings_change_rows(addressed, scenario.name,
                                                               session.lang)],
                                ignore_index=True)
        layers = {rf.GRID_CHANGE: grid_change, rf.AREAS_CHANGE: areas_change,
                  rf.CHANGES: changes}
        if addressed is not None:
            layers[rf.FINDINGS_ADDRESSED] = addressed
    report(progress, 0.9, "writing the changed cells")  # the last point to cancel
    with clock("write"):
        gpkg = _write_trial(out, session, scenario, applied, after, layers)
        if changes_csv:
            from ..atomic import write_text

            write_text(out / rf.CHANGES_CSV, changes.to_csv(index=False))
    if progress is not None:
        progress.report(1.0, "done")
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
