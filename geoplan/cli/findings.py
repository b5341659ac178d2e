"""``geoplan safety-walk``: the findings template for QGIS/QField, and importing walk notes.

:mod:`geoplan.cli.main` adds it with ``register(cli)``; errors are
:class:`~geoplan.errors.GeoplanError` like everywhere, so :func:`geoplan.cli.common.run_group`
prints one line
(or the list of bad rows) and exits with code 2.

Example
-------
>>> import click
>>> group = click.Group("geoplan")
>>> register(group)
>>> sorted(group.commands["safety-walk"].commands)
['import', 'template']
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from .common import lang_option

__all__ = ["register"]


@click.group("safety-walk")
def safety_walk() -> None:
    """Safety-walk findings (trygghetsvandring / tryghedsvandring): template and import.

    Walk leaders note what feels unsafe (a dark path, a broken lamp, a hidden corner, bushes, a
    tunnel …) in the template in QGIS or QField, or in a spreadsheet; `import` checks and
    normalises the notes so pipelines can use them beside OSM and statistics.
    """


@safety_walk.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@lang_option("Language of the form's labels.")
@click.option("--crs", default="EPSG:4326", show_default=True,
              help="CRS of the layers, e.g. EPSG:3006 (SWEREF99 TM) or EPSG:25832 (Denmark).")
@click.option("--force", is_flag=True,
              help="Replace OUT if it exists (its findings are lost).")
def template(out, lang, crs, force):
    """Write an empty findings GeoPackage with ready-made QGIS/QField forms.

    Layers `findings` (points) and `findings_lines` (lines); drop-down lists for category,
    severity and status, a calendar for the date (default today), a photo field.

    Example: geoplan safety-walk template trygghetsvandring.gpkg --lang sv --crs EPSG:3006
    """
    from ..errors import InputFileError
    from ..outputs.findings import findings_template

    if Path(out).exists() and not force:
        raise InputFileError(
            f"{out} exists: it may hold a walk's findings, so geoplan does not replace it. "
            "Choose another file name, or add --force to replace it with an empty template")
    path = findings_template(out, lang=lang, crs=crs)
    click.echo(f"written: {path} (layers findings and findings_lines; open it in QGIS or QField)")


@safety_walk.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The normalised findings GeoPackage to write.")
@click.option("--crs", help="CRS of a CSV/XLSX's coordinates, e.g. EPSG:4326 or EPSG:3006.")
@click.option("--to-crs", help="CRS to store the findings in (default: the file's).")
@click.option("--layer", help="Read only this layer of a GeoPackage.")
@click.option("--area", type=click.Path(path_type=Path),
              help="Study area polygon file: findings far outside it are reported.")
@click.option("--date", "default_date", help="Date for rows without one (the day of the walk).")
@click.option("--skip-bad-rows", is_flag=True,
              help="Leave rows that do not fit out (listed as warnings) instead of stopping.")
@lang_option("Language of the form's labels in the output.")
def import_(file, out, crs, to_crs, layer, area, default_date, skip_bad_rows, lang):
    """Check and normalise a findings file (GeoPackage, GeoJSON, CSV or XLSX).

    Every row that does not fit is listed at once with its row number; with --skip-bad-rows
    those rows are left out and listed as warnings. Category words may be English, Swedish or
    Danish ("mörkt", "trasig lampa", "buskage", "mørkt" …).

    Example: geoplan safety-walk import vandring.csv --crs EPSG:4326 --out vandring.gpkg
    """
    from ..atomic import check_not_inputs
    from ..outputs.findings import write_findings
    from ..sources.findings import FindingsError, check_findings

    check_not_inputs([out], [file, area])
    check = check_findings(file, crs=crs, layer=layer, to_crs=to_crs, area=area,
                           default_date=default_date)
    if check.problems and not skip_bad_rows:
        raise FindingsError(check.source, check.problems)
    for p in check.problems:
        click.echo(f"warning: left out {p}", err=True)
    if check.ignored_columns:
        click.echo(f"note: columns not used: {', '.join(check.ignored_columns)}", err=True)
    f = check.findings
    if len(f) == 0:
        from ..errors import InputFileError

        raise InputFileError(f"no finding of {check.source} fits the schema: nothing to write")
    write_findings(out, f, lang=lang)
    n_open = int((f["status"] == "open").sum())
    counts = Counter(f.loc[f["status"] == "open", "category"])
    per_cat = ", ".join(f"{c} {n}" for c, n in counts.most_common())
    click.echo(f"{len(f)} findings ({n_open} open, {len(f) - n_open} fixed"
               f"{'; ' + str(len(check.problems)) + ' rows left out' if check.problems else ''})"
               f"{': ' + per_cat if per_cat else ''}")
    click.echo(f"written: {out}")


def register(cli: click.Group) -> None:
    """Add the ``safety-walk`` group (``template``, ``import``) to the ``geoplan`` command."""
    cli.add_command(safety_walk)
