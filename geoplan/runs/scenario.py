"""Running scenarios: :func:`run_scenario` (``geoplan scenario run``) builds the pipeline's study
with the same :func:`geoplan.runs.pipeline.study_from_pipeline` as ``geoplan run``, applies the
scenario, recomputes and writes the outputs; :func:`compare_runs` ranks several runs.

Outputs of :func:`run_scenario` (``geoplan scenario run``) — other tools rely on these names
    ``OUT/geoplan.gpkg``
        ``grid`` (every indicator after the scenario, as the ``grid`` layer of ``geoplan run``),
        ``grid_change`` (``cell_id``, then ``<col>_before``, ``<col>_after``, ``<col>_change``
        for ``pop`` and every numeric or yes/no indicator; yes/no as 0/1 and change −1/0/1;
        NULL where a side is unreachable), ``areas_change`` (the same per area and a last row
        ``__study_area__`` for the whole study area), ``changes`` (the change table below),
        ``network`` (edges after, with ``edit`` and ``parent_edge``), ``destinations``,
        ``green``. ``grid_change`` and ``areas_change`` are styled with diverging colours
        (shared breaks, "no change" in the middle) on :data:`geoplan.scenario.change.HEADLINE` columns.
    ``OUT/changes.csv`` and ``OUT/changes.xlsx``
        one row per area and measure: ``scenario``, ``area_key``, ``area_name``, ``measure``,
        ``category``, ``label`` (plain words in the run's language), ``unit``, ``before``,
        ``after``, ``change``, ``better`` (``higher``/``lower``/empty) — see
        :func:`change_table`. UTF-8, comma separated, ``.`` decimals.
    ``OUT/data_dictionary.csv`` and ``OUT/data_dictionary.xlsx``
        one row per column of every layer of ``geoplan.gpkg`` (label, description, unit,
        better direction, kind in the run's language: :mod:`geoplan.outputs.dictionary`); the
        same labels are the GeoPackage's field aliases.
    ``OUT/scenario.json``
        the scenario (name, description, edits per kind), recompute statistics (cells
        recomputed per family, seconds, incremental or full) and the attribution.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..columns import STUDY_AREA_KEY
from ..errors import ConfigError, InputFileError
from ..i18n import register_texts, tr
from ..progress import Progress, report, scaled
from ..scenario.change import change_layers, change_sheet, change_table, headline_column
from ..scenario.edits import AppliedScenario, apply_scenario, edit_labels
from ..scenario.recompute import (
    Baseline,
    RecomputeStats,
    at_baseline_scale,
    prepare_baseline,
    recompute,
)
from ..study import Layers, compute_layers
from ..types import Scenario
from . import folder as rf
from .pipeline import finite_or_null, read_study_findings, study_from_pipeline

#: What a scenario run writes into its folder.
SCENARIO_OUTPUTS = (rf.GPKG, rf.DICTIONARY_CSV, rf.DICTIONARY_XLSX, rf.CHANGES_CSV,
                    rf.CHANGES_XLSX, rf.SCENARIO_JSON)

__all__ = ["SAVED_BASELINE_REASONS", "SAVED_BASELINE_TEXTS", "ScenarioResult", "compare_runs",
           "findings_addressed_by", "findings_change_rows", "run_baseline", "run_scenario",
           "saved_baseline", "saved_baseline_reason", "write_changes_xlsx"]

#: What a planner reads when a saved baseline cannot be used (the QGIS scenario panel then
#: computes the baseline from the pipeline); ``{error}`` is the refusal's message.
SAVED_BASELINE_TEXTS = {
    "saved_baseline_loading": {"en": "Loading the saved baseline…"},
    "saved_baseline_fallback": {
        "en": "The saved baseline in {run} cannot be used, so the baseline is computed from "
              "the pipeline instead (slower). Reason: {error}"},
}
register_texts(SAVED_BASELINE_TEXTS)

#: Why a saved baseline was refused, in the planner's words (the keys are
#: :attr:`geoplan.errors.SavedBaselineError.reason`); every one says what to do.
SAVED_BASELINE_REASONS = {
    "saved_baseline_why_missing": {
        "en": "the folder holds no saved baseline; run geoplan run again to write it."},
    "saved_baseline_why_damaged": {
        "en": "the saved baseline is damaged or not geoplan's; run geoplan run again to "
              "rewrite it."},
    "saved_baseline_why_format": {
        "en": "it was saved in an older file format; run geoplan run again to rewrite it."},
    "saved_baseline_why_geoplan": {
        "en": "it was saved by another geoplan version; run geoplan run again to rewrite it."},
    "saved_baseline_why_pipeline": {
        "en": "the run's settings changed since it was saved; run geoplan run again to "
              "rewrite it."},
    "saved_baseline_why_inputs": {
        "en": "an input file changed since it was saved; run geoplan run again to rewrite it."},
    "saved_baseline_why_run": {
        "en": "it was saved for another run; run geoplan run again to rewrite it."},
    "saved_baseline_why_libraries": {
        "en": "it was saved by a Python with other numpy or pandas versions and cannot be read "
              "here; run geoplan run again in this Python (for the panel: in QGIS) to rewrite "
              "it."},
}
register_texts(SAVED_BASELINE_REASONS)


def saved_baseline_reason(error: Exception, lang: str = "en") -> str:
    """Why a saved baseline was refused, in ``lang``: the words of
    :data:`SAVED_BASELINE_REASONS` for a :class:`~geoplan.errors.SavedBaselineError`, the
    error's own message for any other error.

    Examples
    --------
    >>> from geoplan.errors import SavedBaselineError
    >>> saved_baseline_reason(SavedBaselineError("x.pkl: other geoplan version", "geoplan"), "sv")
    'det sparades av en annan version av geoplan; kör geoplan run igen för att skriva om det.'
    >>> saved_baseline_reason(ValueError("disk full"), "da")
    'disk full'
    """
    key = f"saved_baseline_why_{getattr(error, 'reason', '')}"
    return tr(key, lang) if key in SAVED_BASELINE_REASONS else str(error)


@dataclass(frozen=True)
class ScenarioResult:
    """What :func:`run_scenario` wrote and computed."""

    out_dir: Path
    files: tuple[Path, ...]
    layers: Layers
    changes: pd.DataFrame
    stats: RecomputeStats


def _change_styles(grid_change, areas_change, after: Layers, before: Layers, lang: str) -> dict:
    """QGIS styles of the scenario's ``grid`` (safety index, shared breaks before/after) and of
    ``grid_change``/``areas_change`` (diverging, on the first :data:`HEADLINE` column that
    changes)."""
    from ..columns import better, describe
    from ..outputs.styles import class_breaks, diverging_breaks, graduated_fill_qml

    styles = {}
    g0, g1 = before.grid, after.grid
    if "safety_index" in g1 and g1["safety_index"].notna().any():
        styles["grid"] = graduated_fill_qml(
            "safety_index", class_breaks(g0["safety_index"], g1["safety_index"]),
            ramp="sequential", lang=lang, opacity=0.75)
    head = headline_column(grid_change)
    if head is not None:
        lower_is_better = better(head) == "lower"
        entry = describe(head)
        unit = "m" if entry is not None and entry.unit == "m" else ""
        for name, df in (("grid_change", grid_change), ("areas_change", areas_change)):
            k = f"{head}_change"
            if k in df and np.isfinite(df[k].astype(float)).any():
                styles[name] = graduated_fill_qml(
                    k, diverging_breaks(grid_change[f"{head}_change"], df[k]), ramp="diverging",
                    reverse=lower_is_better, unit=unit, lang=lang, opacity=0.75)
    return styles


def write_changes_xlsx(path, changes: pd.DataFrame, *, title: str, lang: str = "en") -> None:
    """The change table as a formatted spreadsheet in ``lang`` (one sheet, labels first;
    :func:`geoplan.scenario.change.change_sheet`)."""
    import xlsxwriter

    from ..atomic import atomic_path

    sheet = change_sheet(changes, lang)
    with atomic_path(path, suffix=".xlsx") as tmp:
        # a change table is small: put together in memory, no temporary file per part
        wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "in_memory": True})
        ws = wb.add_worksheet(tr("sc_sheet", lang))
        bold = wb.add_format({"bold": True})
        num = wb.add_format({"num_format": "#,##0.00"})
        # every text is written as text: a scenario or area named "=HYPERLINK(...)" must not
        # become a live formula in the planner's spreadsheet
        ws.write_string(0, 0, str(title), bold)
        ws.write_string(1, 0, tr("attribution", lang))
        for j, h in enumerate(sheet.columns):
            ws.write_string(3, j, h, bold)
        for i, r in enumerate(sheet.itertuples(index=False), start=4):
            for j, v in enumerate(r):
                if isinstance(v, float):
                    if math.isfinite(v):
                        ws.write_number(i, j, v, num)
                else:
                    ws.write_string(i, j, "" if v is None else str(v))
        ws.autofilter(3, 0, 3 + len(sheet), len(sheet.columns) - 1)
        ws.freeze_panes(4, 2)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 60)
        ws.set_column(2, 4, 13)
        wb.close()


def run_baseline(run_dir) -> tuple:
    """The pipeline and the saved scenario baseline of the ``geoplan run`` folder ``run_dir``
    (:data:`geoplan.runs.folder.SCENARIO_BASELINE`), as ``(PipelineConfig, Baseline)``.

    The baseline is refused (:class:`~geoplan.errors.InputFileError`, saying to run
    ``geoplan run`` again) when it is missing, damaged, written by another geoplan version or
    for other settings than the folder's ``provenance.json``, or when an input file changed
    since the run (its SHA-256).

    Examples
    --------
    >>> import tempfile
    >>> from geoplan.config import parse_pipeline
    >>> from geoplan.runs.pipeline import run_pipeline
    >>> out = Path(tempfile.mkdtemp()) / "run"
    >>> toml = '[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250'
    >>> (out / "scenario_baseline.pkl") in run_pipeline(parse_pipeline(toml, out), out).files
    True
    >>> cfg, base = run_baseline(out)
    >>> cfg.grid.cell_size_m, "pop" in base.layers.grid
    (250, True)
    """
    from ..scenario.recompute import load_baseline

    run = rf.RunFolder(run_dir)
    if not run.file(rf.PROVENANCE).is_file():
        raise InputFileError(f"{run.path} holds no {rf.PROVENANCE}: give a folder `geoplan run` "
                             "wrote, or the pipeline file")
    provenance = run.provenance()
    # the inputs need not be there: the saved baseline holds what a scenario needs of them
    cfg = rf.pipeline_from_provenance(provenance, check_files=False)
    return cfg, load_baseline(run.file(rf.SCENARIO_BASELINE),
                              stamp=_run_stamp(cfg, provenance))


def _run_stamp(cfg, provenance: dict) -> dict:
    """:func:`~geoplan.runs.pipeline.baseline_stamp` of ``cfg``, except that an input file no
    longer on disk (moved, or a run folder copied to another computer) counts as the file the
    run read (its SHA-256 in ``provenance.json``): the saved baseline holds everything a
    scenario needs from it, and a file that is there is still checked."""
    import hashlib

    from .pipeline import baseline_stamp, input_files

    files = input_files(cfg)
    recorded = {name: (v or {}).get("sha256") for name, v in
                (provenance.get("inputs") or {}).items()}
    gone = {n for n, p in files.items() if not p.is_file()} | (set(recorded) - set(files))
    if not gone:
        return baseline_stamp(cfg)
    inputs = {}
    for name in set(files) | gone:  # (the header is compared as sorted JSON)
        if name in gone:
            inputs[name] = recorded.get(name)
        else:
            with open(files[name], "rb") as f:
                inputs[name] = hashlib.file_digest(f, "sha256").hexdigest()
    # the settings part exactly as baseline_stamp makes it (without [output])
    return {"pipeline": {k: v for k, v in cfg.to_dict().items() if k != "output"},
            "inputs": inputs}


def _scenario_info(cfg, scenario: Scenario, stats: RecomputeStats, lang: str) -> dict:
    """What ``scenario.json`` records: the scenario, its edits per kind, the recompute."""
    kinds = {}
    for e in scenario.edits:
        kinds[type(e).__name__] = kinds.get(type(e).__name__, 0) + 1
    return {"scenario": {"name": scenario.name, "description": scenario.description,
                         "edits": kinds, "connect_within_m": scenario.connect_within_m},
            "pipeline": str(cfg.source_file) if cfg.source_file else cfg.name,
            "recompute": stats.as_dict(), "lang": lang,
            "layers": ["grid", "grid_change", "areas_change", "changes", "network",
                       "destinations", "green"],
            "attribution": "© OpenStreetMap contributors"}


def saved_baseline(run, out_dir) -> tuple:
    """:func:`run_baseline` of ``run`` (a path or RunFolder) for a scenario written into
    ``out_dir``: refused (:class:`~geoplan.errors.ConfigError`) when ``out_dir`` is the run
    folder itself, whose files the scenario's would replace.

    Examples
    --------
    >>> saved_baseline("out/demo", "out/demo")
    Traceback (most recent call last):
    ...
    geoplan.errors.ConfigError: --out out/demo is the run folder itself: give the scenario a folder of its own (e.g. out/scenario)
    """
    run_dir = Path(run.path if isinstance(run, rf.RunFolder) else run)
    if Path(out_dir).resolve() == run_dir.resolve():
        raise ConfigError(f"--out {out_dir} is the run folder itself: give the scenario a "
                          "folder of its own (e.g. out/scenario)")
    return run_baseline(run_dir)


def run_scenario(cfg, scenario: Scenario, out_dir, *, lang: str | None = None,
                 incremental: bool = True, baseline: Baseline | None = None,
                 progress: Progress | None = None) -> ScenarioResult:
    """Run a pipeline's baseline and ``scenario``; write the outputs (module doc) into
    ``out_dir``.

    ``cfg`` is the pipeline (a :class:`~geoplan.config.model.PipelineConfig`: its inputs are
    read and the baseline computed) or the folder a ``geoplan run`` wrote (a path: its saved
    baseline is loaded, :func:`run_baseline`, and no input is read again).
    ``incremental=False`` recomputes everything (the same result, slower). ``baseline`` reuses
    a baseline prepared earlier for the same pipeline (several scenarios).
    """
    from ..atomic import check_not_inputs, check_writable_dir, staged_folder, write_text
    from ..outputs.dictionary import write_explained_gpkg
    from ..outputs.edits import map_layers
    from .pipeline import input_files

    if isinstance(cfg, (str, os.PathLike, rf.RunFolder)):
        report(progress, 0.0, "loading the saved baseline")
        cfg, baseline = saved_baseline(cfg, out_dir)
    lang = lang or cfg.lang
    out = Path(out_dir)
    check_writable_dir(out)
    check_not_inputs([out / n for n in SCENARIO_OUTPUTS], input_files(cfg).values())
    if baseline is None:
        report(progress, 0.0, "reading inputs")
        inputs = study_from_pipeline(cfg, progress=scaled(progress, 0.0, 0.4))
        # edits first: a path that joins nothing is said before the baseline's layers are made
        report(progress, 0.4, f"applying scenario {scenario.name}")
        applied = apply_scenario(scenario, inputs)
        baseline = prepare_baseline(inputs, progress=scaled(progress, 0.4, 0.7))
        start = 0.7
    else:  # a saved or kept baseline: nothing is read or computed before the edits
        start = 0.1
        report(progress, start, f"applying scenario {scenario.name}")
        applied = apply_scenario(scenario, baseline.inputs)
    applied = at_baseline_scale(baseline, applied)  # unchanged cells keep their safety index
    if incremental:
        after, stats = recompute(baseline, applied, progress=scaled(progress, start, 0.9))
    else:
        t0 = time.perf_counter()
        after = compute_layers(applied.inputs, progress=scaled(progress, start, 0.9))
        stats = RecomputeStats("full", "asked for", time.perf_counter() - t0)
    report(progress, 0.9, "writing outputs")
    grid_change, areas_change = change_layers(baseline.layers, after, applied.inputs)
    changes = change_table(baseline.layers, after, scenario=scenario.name,
                           inputs=applied.inputs, lang=lang)
    network = after.network.assign(edit=edit_labels(applied), parent_edge=applied.edge_parent)
    layers = {
        "grid": finite_or_null(after.grid.reset_index()),
        "grid_change": grid_change,
        "areas_change": areas_change,
        "changes": changes,
        "network": network,
        "destinations": after.destinations,
        "green": after.green,
        **map_layers(scenario, applied.inputs.data, network),  # context and edits, for maps
    }
    addressed = None
    if getattr(cfg, "safety_walk", None) is not None:
        addressed = findings_addressed_by(cfg, applied)
        changes = pd.concat([changes, findings_change_rows(addressed, scenario.name, lang)],
                            ignore_index=True)
        layers["changes"] = changes
        layers[rf.FINDINGS_ADDRESSED] = addressed
    styles = _change_styles(grid_change, areas_change, after, baseline.layers, lang)
    meta = {"title": f"{cfg.title} — {scenario.name}", "scenario": scenario.name,
            "scenario_description": scenario.description,
            "cell_size_m": cfg.grid.cell_size_m, **dict(after.meta)}
    info = _scenario_info(cfg, scenario, stats, lang)
    names = list(SCENARIO_OUTPUTS)
    with staged_folder(out) as stage:
        write_explained_gpkg(stage, layers, styles=styles, metadata=meta, lang=lang,
                             spec=cfg.access)
        write_text(stage / rf.CHANGES_CSV, changes.to_csv(index=False))
        write_changes_xlsx(stage / rf.CHANGES_XLSX, changes,
                           title=f"{cfg.title} — {scenario.name}", lang=lang)
        write_text(stage / rf.SCENARIO_JSON,
                   json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    report(progress, 1.0, "done")
    return ScenarioResult(out, tuple(out / n for n in names), after, changes, stats)


register_texts({
    "open_findings_addressed": {
        "en": "Open safety-walk findings (addressed by the proposal: new lamps or lit paths nearby)"},
})


def findings_addressed_by(cfg, applied: AppliedScenario) -> gpd.GeoDataFrame:
    """The pipeline's open safety-walk findings that ``applied`` addresses (new lamps within the
    lamp radius of a dark spot or broken lamp; a newly lit path through a dark spot), as points
    or lines with ``addressed_by``, ``distance_m`` and ``reason``; ``attrs['n_open']`` is the
    number of open findings before the proposal."""
    from ..indicators.findings import addressed_findings, open_findings

    findings = applied.inputs.findings  # read once, by study_from_pipeline
    if findings is None:
        findings = read_study_findings(cfg, applied.inputs.data)
    edges = applied.inputs.network.edges
    newly_lit = applied.edge_relit | ((applied.edge_parent < 0)
                                      & (edges["lit"] == "yes").to_numpy())
    rows = addressed_findings(findings, new_lamps=applied.new_lamps, lit_edges=edges[newly_lit],
                              radius_m=applied.inputs.lighting.lamp_radius_m, lang=cfg.lang)
    geo = findings.set_index("finding_id").geometry
    out = gpd.GeoDataFrame(rows, geometry=geo.loc[rows["finding_id"]].values
                           if len(rows) else [], crs=findings.crs)
    out.attrs["n_open"] = int(len(open_findings(findings)))
    return out


def findings_change_rows(addressed: gpd.GeoDataFrame, name: str, lang: str) -> pd.DataFrame:
    """The change table's row of the open safety-walk findings ``addressed``
    (:func:`findings_addressed_by`) by the scenario ``name``: before, after and change."""
    n_open, n = addressed.attrs.get("n_open", 0), len(addressed)
    return pd.DataFrame([{
        "scenario": name, "area_key": STUDY_AREA_KEY, "area_name": "", "measure":
        "open_findings", "category": "", "label": tr("open_findings_addressed", lang),
        "unit": "findings", "before": float(n_open), "after": float(n_open - n), "change": float(-n),
        "better": "lower",
    }])


def _read_changes(d: Path) -> pd.DataFrame:
    """The change table of the scenario run in ``d``, checked whole (an interrupted copy or a
    hand-edited file is refused, not ranked)."""
    p = d / rf.CHANGES_CSV
    if not p.is_file():
        raise InputFileError(f"{p} does not exist: run `geoplan scenario run` into {d} first")
    raw = p.read_bytes()
    if not raw.endswith(b"\n"):
        raise InputFileError(f"{p} is cut off (its last line is incomplete): run "
                             f"`geoplan scenario run` into {d} again")
    t = pd.read_csv(p, keep_default_na=False, na_values=[""])
    need = {"scenario", "area_key", "measure", "category", "label", "change", "better"}
    if not need <= set(t.columns):
        raise InputFileError(f"{p} is not a geoplan changes.csv (columns {list(t.columns)})")
    bad = t["measure"].isna() | t["area_key"].isna() | t["label"].isna()
    if bad.any() or not (t["area_key"] == STUDY_AREA_KEY).any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2 if bad.any() else len(t) + 1
        raise InputFileError(f"{p} is incomplete (row {row} lacks its measure, area or label, "
                             f"or the whole-study-area rows are missing): run "
                             f"`geoplan scenario run` into {d} again")
    return t


def compare_runs(out_dirs: Sequence, *, lang: str = "en") -> pd.DataFrame:
    """Rank several scenario runs (their ``changes.csv``) side by side, whole study area.

    Returns one row per measure (and category): ``measure``, ``category``, ``label``,
    ``better``, then per run its ``change`` (column named after the scenario) and
    ``<run> rank`` (1 = best, where the measure has a direction and the runs differ), and a last
    row ``mean_rank``. ``attrs['runs']`` lists the run columns.

    Examples
    --------
    See ``geoplan scenario compare``.
    """
    from ..errors import ConfigError

    seen: dict[str, object] = {}
    for d in out_dirs:
        key = str(Path(d).resolve())
        if key in seen:
            raise ConfigError(f"{d} is given twice (also as {seen[key]}): compare different "
                              "scenario runs, each in its own folder")
        seen[key] = d
    tables = []
    for d in out_dirs:
        t = _read_changes(Path(d))
        t = t[t["area_key"] == STUDY_AREA_KEY].copy()
        t["run"] = Path(d).name if t["scenario"].nunique() != 1 else str(t["scenario"].iloc[0])
        tables.append(t)
    runs = [t["run"].iloc[0] if len(t) else Path(d).name for t, d in zip(tables, out_dirs,
                                                                         strict=True)]
    if len(set(runs)) != len(runs):
        runs = [f"{r} ({Path(d).name})" for r, d in zip(runs, out_dirs, strict=True)]
    base = tables[0][["measure", "category", "label", "better"]].copy()
    base["category"] = base["category"].fillna("")
    for t, r in zip(tables, runs, strict=True):
        t = t.assign(category=t["category"].fillna(""))
        base = base.merge(t[["measure", "category", "change"]].rename(columns={"change": r}),
                          on=["measure", "category"], how="outer")
    ranks = []
    for r in runs:
        base[f"{r} rank"] = np.nan
    for i, row in base.iterrows():
        if row["better"] not in ("higher", "lower"):
            continue
        vals = pd.Series([row[r] for r in runs], index=runs, dtype=float)
        if vals.isna().all() or vals.nunique(dropna=True) <= 1:
            continue
        rk = vals.rank(ascending=row["better"] == "lower", method="min")
        for r in runs:
            base.loc[i, f"{r} rank"] = rk[r]
        ranks.append(rk)
    mean = pd.concat(ranks, axis=1).mean(axis=1) if ranks else pd.Series(np.nan, index=runs)
    last = {"measure": "mean_rank", "category": "", "label": tr("sc_mean_rank", lang),
            "better": "lower"}
    for r in runs:
        last[r] = float(mean.get(r, np.nan))
    out = pd.concat([base, pd.DataFrame([last])], ignore_index=True)
    out.attrs["runs"] = list(runs)
    return out

