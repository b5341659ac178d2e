"""``geoplan scenario run`` and ``geoplan scenario compare`` (registered by :func:`register`).

:mod:`geoplan.cli.main` adds them to the CLI with ``register(cli)``; bad input raises
:class:`geoplan.errors.GeoplanError`, which :func:`geoplan.cli.common.run_group` turns into one
line and exit code 2.

Example
-------
>>> import click
>>> group = click.Group("geoplan")
>>> register(group)
>>> sorted(group.commands["scenario"].commands)
['compare', 'run', 'try']
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import OSM_CREDIT, lang_option, nothing_left_to_close, with_bar

__all__ = ["register"]


def _fmt(v, unit: str = "") -> str:
    """A change-table value as a planner reads it: whole persons, cells and metres; other
    measures with two decimals below 100 (a detour of 1.00, a share of 0.83)."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if x != x:  # NaN
        return ""
    whole = unit in ("persons", "cells", "m") or abs(x) >= 100
    return f"{x:,.0f}" if whole else f"{x:,.2f}"


@click.group()
def scenario() -> None:
    """Planning scenarios: what a proposal changes, and for whom."""


def _echo_study_area_changes(changes) -> None:
    from ..columns import STUDY_AREA_KEY

    t = changes[(changes["area_key"] == STUDY_AREA_KEY)]
    for r in t.itertuples(index=False):
        if r.before == r.before:  # before/after rows
            click.echo(f"  {r.label}: {_fmt(r.before, r.unit)} → {_fmt(r.after, r.unit)}")
        elif r.change:
            click.echo(f"  {r.label}: {_fmt(r.change, r.unit)}")


@scenario.command("run")
@click.argument("pipeline", type=click.Path(exists=True, path_type=Path))
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder (created if needed; its files are replaced as a set).")
@lang_option("Override [output] lang.", default=None)
@click.option("--full", is_flag=True,
              help="Recompute everything instead of only the cells that can change.")
def run(pipeline, scenario_file, out, lang, full):
    """Run PIPELINE with the edits of SCENARIO_FILE (a scenario GeoPackage).

    PIPELINE is a pipeline file (its inputs are read again) or a folder `geoplan run` wrote:
    then its saved baseline (scenario_baseline.pkl) is loaded instead, which is much faster,
    and refused if an input file or setting changed since that run.

    Writes OUT/geoplan.gpkg (grid, grid_change, areas_change, changes, network …),
    OUT/changes.csv, OUT/changes.xlsx and OUT/scenario.json.

    Example: geoplan scenario run pipelines/demo.toml data/demo_scenario.gpkg --out out/s1

    Example: geoplan scenario run out/demo data/demo_scenario.gpkg --out out/s1
    """
    from ..atomic import check_not_inputs
    from ..runs.scenario import SCENARIO_OUTPUTS, run_scenario
    from ..scenario.io import read_scenario

    check_not_inputs([out / n for n in SCENARIO_OUTPUTS], [pipeline, scenario_file])
    if pipeline.is_dir():  # a run folder: its recorded pipeline is read without the schema
        cfg = pipeline
    else:
        from ..config import load_pipeline

        cfg = load_pipeline(pipeline)
    scen = read_scenario(scenario_file)
    result = with_bar("scenario", run_scenario, cfg, scen, out, lang=lang,
                      incremental=not full)
    st = result.stats
    click.echo(f"{scen.name}: {len(scen.edits)} edits; recomputed {st.mode} in "
               f"{st.seconds:.2f} s"
               + (f" (cells per family: {dict(st.cells)})" if st.cells else "")
               + (f" — {st.reason}" if st.reason else ""))
    _echo_study_area_changes(result.changes)
    for f in result.files:
        click.echo(f"written: {f}")
    click.echo(OSM_CREDIT)
    nothing_left_to_close()  # its files are written as a set and synced


def _echo_ranking(ranking) -> None:
    runs = ranking.attrs["runs"]
    show = ranking.dropna(subset=runs, how="all")
    width = min(max((len(str(x)) for x in show["label"]), default=20), 70)
    click.echo(" " * width + " | " + " | ".join(f"{r[:16]:>16}" for r in runs))
    for _, r in show.iterrows():
        cells = []
        for run_name in runs:
            rank = r.get(f"{run_name} rank")
            cells.append(f"{_fmt(r[run_name])}" + (f" (#{int(rank)})" if rank == rank and
                                                    rank is not None else ""))
        click.echo(f"{str(r['label'])[:width]:<{width}} | "
                   + " | ".join(f"{c:>16}" for c in cells))


def _write_ranking(ranking, table: Path) -> None:
    from ..atomic import write_text
    from ..errors import ConfigError

    if table.suffix.lower() == ".csv":
        write_text(table, ranking.to_csv(index=False))
    elif table.suffix.lower() == ".xlsx":
        from ..outputs.tables import write_xlsx  # text cells as text: no live formulas

        write_xlsx(table, {"ranking": ranking})
    else:
        raise ConfigError(f"--out must end in .csv or .xlsx, got {table.name}")
    click.echo(f"written: {table}")


@scenario.command("compare")
@click.argument("out_dirs", nargs=-1, required=True,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "table", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the ranking as .csv or .xlsx.")
@lang_option()
def compare(out_dirs, table, lang):
    """Rank scenario runs (their OUT folders) side by side on the same measures.

    Example: geoplan scenario compare out/s1 out/s2 out/s3 --out ranking.xlsx
    """
    from ..atomic import check_not_inputs
    from ..runs.scenario import compare_runs

    if table is not None:  # never over a file of the runs it reads
        check_not_inputs([table], [f for d in out_dirs if Path(d).is_dir()
                                   for f in Path(d).iterdir() if f.is_file()])
    ranking = compare_runs(out_dirs, lang=lang)
    _echo_ranking(ranking)
    if table is not None:
        _write_ranking(ranking, table)


@scenario.command("try")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("scenario_files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder: one folder per scenario file (named after it), each with "
                   "a geoplan.gpkg of only the cells and areas that change.")
@lang_option("Override the run's language.", default=None)
def try_scenarios(run_dir, scenario_files, out, lang):
    """Try proposals one after another on the saved baseline of RUN_DIR (a folder
    `geoplan run` wrote), loaded once: each SCENARIO_FILE is applied, only the cells that can
    change are recomputed, and only the cells and areas that change are written
    (OUT/<file name>/geoplan.gpkg: grid_change, areas_change, changes, the edits).

    For the whole after-grid, changes.xlsx and the report, use `geoplan scenario run`.

    Example: geoplan scenario try out/demo path_a.gpkg path_b.gpkg --out out/trials
    """
    from ..atomic import check_not_inputs
    from ..errors import ConfigError
    from ..i18n import tr
    from ..runs import folder as rf
    from ..runs.trial import run_trial, start_trials
    from ..scenario.io import read_scenario

    targets = [out / f.stem for f in scenario_files]
    if len(set(targets)) != len(targets):
        raise ConfigError("two scenario files have the same name: give each its own name "
                          "(each is written into OUT/<name>/)")
    check_not_inputs([t / rf.GPKG for t in targets],
                     [*scenario_files, *(f for f in run_dir.iterdir() if f.is_file())])
    scenarios = [read_scenario(f) for f in scenario_files]  # every file checked first
    session = start_trials(run_dir, lang=lang)
    for scen, target in zip(scenarios, targets, strict=True):
        r = run_trial(session, scen, target)
        click.echo(tr("trial_done", session.lang).format(
            name=scen.name, cells=len(r.cells), seconds=sum(r.seconds.values()), path=r.gpkg))
    click.echo(OSM_CREDIT)
    nothing_left_to_close()  # each GeoPackage is written atomically and synced


def register(cli: click.Group) -> None:
    """Add the ``scenario`` group (``run``, ``compare``, ``try``) to the ``geoplan`` command
    group."""
    cli.add_command(scenario)
